build-mpi-san/sim/text.o: sim/text.c sim/text.h
sim/text.h:
