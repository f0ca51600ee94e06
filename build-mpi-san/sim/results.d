build-mpi-san/sim/results.o: sim/results.c sim/results.h sim/diag.h \
 sim/sim.h sim/batch.h sim/evq.h sim/cfg.h sim/rng.h
sim/results.h:
sim/diag.h:
sim/sim.h:
sim/batch.h:
sim/evq.h:
sim/cfg.h:
sim/rng.h:
