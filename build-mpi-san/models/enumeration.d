build-mpi-san/models/enumeration.o: models/enumeration.c \
 models/enumeration.h sim/batch.h sim/evq.h models/dynamics.h \
 models/graph.h models/knowledge.h models/pairset.h sim/cfg.h sim/diag.h \
 sim/mix.h models/numbers.h sim/rng.h models/serverlog.h sim/sim.h \
 sim/batch.h sim/cfg.h sim/rng.h
models/enumeration.h:
sim/batch.h:
sim/evq.h:
models/dynamics.h:
models/graph.h:
models/knowledge.h:
models/pairset.h:
sim/cfg.h:
sim/diag.h:
sim/mix.h:
models/numbers.h:
sim/rng.h:
models/serverlog.h:
sim/sim.h:
sim/batch.h:
sim/cfg.h:
sim/rng.h:
