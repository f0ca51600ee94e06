build-mpi-san/models/world.o: models/world.c models/addressbook.h \
 sim/batch.h sim/evq.h models/dynamics.h models/graph.h \
 models/knowledge.h models/pairset.h models/adversary.h models/coverage.h \
 models/serverlog.h models/catalog.h sim/sim.h sim/batch.h sim/cfg.h \
 sim/diag.h sim/rng.h models/contacts.h sim/cfg.h sim/graphio.h \
 models/enumeration.h models/estimate.h models/groups.h models/mobility.h \
 models/population.h models/services.h models/traffic.h models/export.h \
 sim/diag.h models/legal.h models/locating.h models/location.h sim/mem.h \
 models/metrics.h models/reid.h models/world.h
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
models/catalog.h:
sim/sim.h:
sim/batch.h:
sim/cfg.h:
sim/diag.h:
sim/rng.h:
models/contacts.h:
sim/cfg.h:
sim/graphio.h:
models/enumeration.h:
models/estimate.h:
models/groups.h:
models/mobility.h:
models/population.h:
models/services.h:
models/traffic.h:
models/export.h:
sim/diag.h:
models/legal.h:
models/locating.h:
models/location.h:
sim/mem.h:
models/metrics.h:
models/reid.h:
models/world.h:
