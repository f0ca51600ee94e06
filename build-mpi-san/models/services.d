build-mpi-san/models/services.o: models/services.c models/services.h \
 models/adversary.h models/coverage.h models/graph.h models/knowledge.h \
 models/pairset.h models/serverlog.h models/dynamics.h sim/cfg.h \
 sim/diag.h sim/rng.h sim/sim.h sim/batch.h sim/evq.h sim/cfg.h sim/rng.h
models/services.h:
models/adversary.h:
models/coverage.h:
models/graph.h:
models/knowledge.h:
models/pairset.h:
models/serverlog.h:
models/dynamics.h:
sim/cfg.h:
sim/diag.h:
sim/rng.h:
sim/sim.h:
sim/batch.h:
sim/evq.h:
sim/cfg.h:
sim/rng.h:
