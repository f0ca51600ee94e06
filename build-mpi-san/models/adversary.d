build-mpi-san/models/adversary.o: models/adversary.c models/adversary.h \
 models/coverage.h models/graph.h models/knowledge.h models/pairset.h \
 models/serverlog.h sim/cfg.h sim/diag.h sim/sim.h sim/batch.h sim/evq.h \
 sim/cfg.h sim/rng.h sim/sort.h
models/adversary.h:
models/coverage.h:
models/graph.h:
models/knowledge.h:
models/pairset.h:
models/serverlog.h:
sim/cfg.h:
sim/diag.h:
sim/sim.h:
sim/batch.h:
sim/evq.h:
sim/cfg.h:
sim/rng.h:
sim/sort.h:
