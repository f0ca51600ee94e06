build-mpi-san/models/catalog.o: models/catalog.c models/catalog.h \
 sim/sim.h sim/batch.h sim/evq.h sim/cfg.h sim/diag.h sim/rng.h sim/cfg.h
models/catalog.h:
sim/sim.h:
sim/batch.h:
sim/evq.h:
sim/cfg.h:
sim/diag.h:
sim/rng.h:
sim/cfg.h:
