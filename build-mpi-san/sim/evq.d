build-mpi-san/sim/evq.o: sim/evq.c sim/evq.h
sim/evq.h:
