build-mpi-san/models/metrics.o: models/metrics.c models/metrics.h \
 models/coverage.h models/knowledge.h models/graph.h models/pairset.h \
 models/community.h sim/sim.h sim/batch.h sim/evq.h sim/cfg.h sim/diag.h \
 sim/rng.h
models/metrics.h:
models/coverage.h:
models/knowledge.h:
models/graph.h:
models/pairset.h:
models/community.h:
sim/sim.h:
sim/batch.h:
sim/evq.h:
sim/cfg.h:
sim/diag.h:
sim/rng.h:
