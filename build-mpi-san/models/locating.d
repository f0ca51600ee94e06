build-mpi-san/models/locating.o: models/locating.c models/locating.h \
 sim/cfg.h sim/diag.h models/location.h models/mobility.h \
 models/population.h models/serverlog.h sim/mem.h sim/sim.h sim/batch.h \
 sim/evq.h sim/cfg.h sim/rng.h sim/sort.h
models/locating.h:
sim/cfg.h:
sim/diag.h:
models/location.h:
models/mobility.h:
models/population.h:
models/serverlog.h:
sim/mem.h:
sim/sim.h:
sim/batch.h:
sim/evq.h:
sim/cfg.h:
sim/rng.h:
sim/sort.h:
