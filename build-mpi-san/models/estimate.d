build-mpi-san/models/estimate.o: models/estimate.c models/estimate.h \
 models/addressbook.h sim/batch.h sim/evq.h models/dynamics.h \
 models/graph.h models/knowledge.h models/pairset.h models/adversary.h \
 models/coverage.h models/serverlog.h models/contacts.h sim/cfg.h \
 sim/diag.h sim/graphio.h models/enumeration.h models/groups.h \
 models/mobility.h models/population.h models/services.h sim/sim.h \
 sim/batch.h sim/cfg.h sim/rng.h models/traffic.h models/location.h
models/estimate.h:
models/addressbook.h:
sim/batch.h:
sim/evq.h:
models/dynamics.h:
models/graph.h:
models/knowledge.h:
models/pairset.h:
models/adversary.h:
models/coverage.h:
models/serverlog.h:
models/contacts.h:
sim/cfg.h:
sim/diag.h:
sim/graphio.h:
models/enumeration.h:
models/groups.h:
models/mobility.h:
models/population.h:
models/services.h:
sim/sim.h:
sim/batch.h:
sim/cfg.h:
sim/rng.h:
models/traffic.h:
models/location.h:
