build-mpi-san/models/dynamics.o: models/dynamics.c models/dynamics.h \
 models/graph.h models/knowledge.h models/pairset.h sim/cfg.h sim/diag.h \
 sim/rng.h sim/sim.h sim/batch.h sim/evq.h sim/cfg.h sim/rng.h sim/sort.h
models/dynamics.h:
models/graph.h:
models/knowledge.h:
models/pairset.h:
sim/cfg.h:
sim/diag.h:
sim/rng.h:
sim/sim.h:
sim/batch.h:
sim/evq.h:
sim/cfg.h:
sim/rng.h:
sim/sort.h:
