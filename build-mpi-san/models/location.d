build-mpi-san/models/location.o: models/location.c models/location.h \
 sim/mix.h sim/sort.h
models/location.h:
sim/mix.h:
sim/sort.h:
