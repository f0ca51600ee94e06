build-mpi-san/sim/budget.o: sim/budget.c sim/budget.h sim/sim.h \
 sim/batch.h sim/evq.h sim/cfg.h sim/diag.h sim/rng.h
sim/budget.h:
sim/sim.h:
sim/batch.h:
sim/evq.h:
sim/cfg.h:
sim/diag.h:
sim/rng.h:
