/* population — who the subscribers are: the per-person attributes drawn
 * from the "population" random stream before anything else.
 *
 * Person a is a client (runs the messaging app and makes lookups) with
 * probability client_share, and a worker (the layered contact generator
 * puts workers into workplaces) with probability worker_share.  Each person
 * takes two uniforms, client first, in id order, whatever the shares: so a
 * change of share keeps every other person's draws (common random numbers,
 * and the clients at share s are a subset of those at share s' > s).
 * Memory: one byte per person. */
#ifndef EXPOSIM_POPULATION_H
#define EXPOSIM_POPULATION_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "cfg.h"

#define POPULATION_CLIENT 1u
#define POPULATION_WORKER 2u

struct population_params {
    uint32_t n;
    double client_share, worker_share;
};

struct population {
    uint32_t n;
    uint8_t *flags;                       /* POPULATION_* bits per person */
    uint32_t clients, workers;
};

/* Read <population> (size, client_share, worker_share).  0 or -1 with
 * diagnostics through cfg_error. */
int population_configure(struct population_params *p, struct cfg *c, const struct cfg_node *pop);
/* Draw the population.  O(n).  0 or -1 (OOM). */
int population_init(struct population *pop, const struct population_params *p, gsl_rng *r);
void population_destroy(struct population *pop);

static inline int population_is_client(const struct population *pop, uint32_t a)
{
    return pop->flags[a] & POPULATION_CLIENT;
}

#endif
