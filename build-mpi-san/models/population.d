build-mpi-san/models/population.o: models/population.c \
 models/population.h sim/cfg.h sim/diag.h sim/rng.h
models/population.h:
sim/cfg.h:
sim/diag.h:
sim/rng.h:
