build-mpi-san/models/export.o: models/export.c models/export.h \
 models/contacts.h sim/cfg.h sim/diag.h models/graph.h sim/graphio.h \
 sim/diag.h models/population.h sim/results.h
models/export.h:
models/contacts.h:
sim/cfg.h:
sim/diag.h:
models/graph.h:
sim/graphio.h:
sim/diag.h:
models/population.h:
sim/results.h:
