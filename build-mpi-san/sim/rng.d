build-mpi-san/sim/rng.o: sim/rng.c sim/rng.h
sim/rng.h:
