build-mpi-san/models/addressbook.o: models/addressbook.c \
 models/addressbook.h sim/batch.h sim/evq.h models/dynamics.h \
 models/graph.h models/knowledge.h models/pairset.h sim/cfg.h sim/diag.h \
 sim/mix.h sim/rng.h models/serverlog.h sim/sim.h sim/batch.h sim/cfg.h \
 sim/rng.h
models/addressbook.h:
sim/batch.h:
sim/evq.h:
models/dynamics.h:
models/graph.h:
models/knowledge.h:
models/pairset.h:
sim/cfg.h:
sim/diag.h:
sim/mix.h:
sim/rng.h:
models/serverlog.h:
sim/sim.h:
sim/batch.h:
sim/cfg.h:
sim/rng.h:
