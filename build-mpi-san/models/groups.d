build-mpi-san/models/groups.o: models/groups.c models/groups.h \
 sim/batch.h sim/evq.h models/dynamics.h models/graph.h \
 models/knowledge.h models/pairset.h sim/cfg.h sim/diag.h \
 models/numbers.h sim/rng.h sim/sim.h sim/batch.h sim/cfg.h sim/rng.h
models/groups.h:
sim/batch.h:
sim/evq.h:
models/dynamics.h:
models/graph.h:
models/knowledge.h:
models/pairset.h:
sim/cfg.h:
sim/diag.h:
models/numbers.h:
sim/rng.h:
sim/sim.h:
sim/batch.h:
sim/cfg.h:
sim/rng.h:
