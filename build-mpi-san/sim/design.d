build-mpi-san/sim/design.o: sim/design.c sim/design.h sim/cfg.h \
 sim/diag.h sim/infile.h sim/rng.h
sim/design.h:
sim/cfg.h:
sim/diag.h:
sim/infile.h:
sim/rng.h:
