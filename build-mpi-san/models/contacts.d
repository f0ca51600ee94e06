build-mpi-san/models/contacts.o: models/contacts.c models/contacts.h \
 sim/cfg.h sim/diag.h models/graph.h sim/graphio.h sim/mem.h sim/rng.h \
 sim/sort.h
models/contacts.h:
sim/cfg.h:
sim/diag.h:
models/graph.h:
sim/graphio.h:
sim/mem.h:
sim/rng.h:
sim/sort.h:
