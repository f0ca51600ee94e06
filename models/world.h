/* world — the exposure model as the engine runs it (models/world.c): the
 * composition root that configures each model family from its part of the
 * scenario, wires them for a replication, dispatches the events and asks
 * each family to report after every acquisition.  The program (sim/main.c)
 * hands it to the engine; tests and benchmarks name it through this header. */
#ifndef EXPOSIM_WORLD_H
#define EXPOSIM_WORLD_H

#include "sim.h"

#include <stddef.h>
#include <stdint.h>

/* The model of <scenario> documents. */
extern const struct sim_model_type world_model;

/* What the last replication this thread ran held (for `make bench`): its
 * lookup log's most records at once and the bytes of its chunks and
 * buffers at the end (serverlog_bytes: the most chunks it ever held), its
 * contact graph's undirected edges and bytes (offsets and adjacency). */
struct world_memory {
    uint64_t log_peak_records;
    size_t log_bytes;
    uint64_t edges;
    size_t graph_bytes;
};
struct world_memory world_memory_last(void);

#endif
