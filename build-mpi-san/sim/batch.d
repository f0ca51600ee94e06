build-mpi-san/sim/batch.o: sim/batch.c sim/batch.h sim/evq.h
sim/batch.h:
sim/evq.h:
