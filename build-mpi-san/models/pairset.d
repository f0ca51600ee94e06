build-mpi-san/models/pairset.o: models/pairset.c models/pairset.h \
 sim/mix.h
models/pairset.h:
sim/mix.h:
