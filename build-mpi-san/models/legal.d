build-mpi-san/models/legal.o: models/legal.c models/legal.h \
 models/adversary.h models/coverage.h models/graph.h models/knowledge.h \
 models/pairset.h models/serverlog.h models/metrics.h sim/sim.h \
 sim/batch.h sim/evq.h sim/cfg.h sim/diag.h sim/rng.h
models/legal.h:
models/adversary.h:
models/coverage.h:
models/graph.h:
models/knowledge.h:
models/pairset.h:
models/serverlog.h:
models/metrics.h:
sim/sim.h:
sim/batch.h:
sim/evq.h:
sim/cfg.h:
sim/diag.h:
sim/rng.h:
