/* world — the exposure model as the engine runs it (models/world.c): the
 * composition root that configures each model family from its part of the
 * scenario, wires them for a replication, dispatches the events and asks
 * each family to report after every acquisition.  The program (sim/main.c)
 * hands it to the engine; tests and benchmarks name it through this header. */
#ifndef EXPOSIM_WORLD_H
#define EXPOSIM_WORLD_H

#include "sim.h"

/* The model of <scenario> documents. */
extern const struct sim_model_type world_model;

#endif
