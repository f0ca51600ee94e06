build-mpi-san/models/serverlog.o: models/serverlog.c models/serverlog.h \
 sim/cfg.h sim/diag.h sim/mem.h sim/rng.h
models/serverlog.h:
sim/cfg.h:
sim/diag.h:
sim/mem.h:
sim/rng.h:
