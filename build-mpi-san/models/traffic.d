build-mpi-san/models/traffic.o: models/traffic.c models/traffic.h \
 sim/batch.h sim/evq.h sim/cfg.h sim/diag.h models/contacts.h \
 models/graph.h sim/graphio.h sim/mix.h sim/rng.h sim/sim.h sim/batch.h \
 sim/cfg.h sim/rng.h
models/traffic.h:
sim/batch.h:
sim/evq.h:
sim/cfg.h:
sim/diag.h:
models/contacts.h:
models/graph.h:
sim/graphio.h:
sim/mix.h:
sim/rng.h:
sim/sim.h:
sim/batch.h:
sim/cfg.h:
sim/rng.h:
