build-mpi-san/models/graph.o: models/graph.c models/graph.h sim/mem.h \
 sim/sort.h
models/graph.h:
sim/mem.h:
sim/sort.h:
