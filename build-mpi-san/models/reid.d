build-mpi-san/models/reid.o: models/reid.c models/reid.h \
 models/knowledge.h models/graph.h models/pairset.h models/serverlog.h \
 sim/sim.h sim/batch.h sim/evq.h sim/cfg.h sim/diag.h sim/rng.h \
 sim/sort.h
models/reid.h:
models/knowledge.h:
models/graph.h:
models/pairset.h:
models/serverlog.h:
sim/sim.h:
sim/batch.h:
sim/evq.h:
sim/cfg.h:
sim/diag.h:
sim/rng.h:
sim/sort.h:
