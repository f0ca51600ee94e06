build-mpi-san/sim/sim.o: sim/sim.c sim/sim.h sim/batch.h sim/evq.h \
 sim/cfg.h sim/diag.h sim/rng.h sim/results.h
sim/sim.h:
sim/batch.h:
sim/evq.h:
sim/cfg.h:
sim/diag.h:
sim/rng.h:
sim/results.h:
