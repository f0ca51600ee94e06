build-mpi-san/sim/diag.o: sim/diag.c sim/diag.h sim/text.h
sim/diag.h:
sim/text.h:
