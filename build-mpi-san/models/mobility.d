build-mpi-san/models/mobility.o: models/mobility.c models/mobility.h \
 sim/cfg.h sim/diag.h models/population.h sim/mix.h
models/mobility.h:
sim/cfg.h:
sim/diag.h:
models/population.h:
sim/mix.h:
