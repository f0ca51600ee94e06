build-mpi-san/models/coverage.o: models/coverage.c models/coverage.h
models/coverage.h:
