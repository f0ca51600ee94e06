build-mpi-san/models/knowledge.o: models/knowledge.c models/knowledge.h \
 models/graph.h models/pairset.h sim/cfg.h sim/diag.h
models/knowledge.h:
models/graph.h:
models/pairset.h:
sim/cfg.h:
sim/diag.h:
