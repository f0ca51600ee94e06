build-mpi-san/sim/journal.o: sim/journal.c sim/journal.h sim/diag.h \
 sim/infile.h sim/results.h
sim/journal.h:
sim/diag.h:
sim/infile.h:
sim/results.h:
