build-mpi-san/sim/infile.o: sim/infile.c sim/infile.h sim/diag.h
sim/infile.h:
sim/diag.h:
