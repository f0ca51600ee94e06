/* traffic — conversation starts, and the lookups they cause.
 *
 * For every ordered contact pair (a, b), a starts conversations with b as a
 * Poisson process of rate λ per day.  The processes of one person are merged
 * (superposition): a's starts form one Poisson process of rate deg(a)·λ and
 * each start picks the contact uniformly, which is the same law and needs one
 * pending time per person instead of one per pair.  A day's starts are
 * generated at the day's start into the engine's batch (event kind
 * TRAFFIC_EV_START, a = querier, b = contact), to be handled in time order. */
#ifndef EXPOSIM_TRAFFIC_H
#define EXPOSIM_TRAFFIC_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "batch.h"
#include "contacts.h"

#define TRAFFIC_EV_START 1u

struct traffic {
    const struct graph *g;
    double rate_per_s;                    /* λ per ordered pair, per second */
    double *next;                         /* each person's next start, seconds */
    gsl_rng *rng;
    uint64_t starts;                      /* conversation starts generated */
};

/* Returns 0, or -1 (OOM).  Draws each person's first start. */
int traffic_init(struct traffic *t, const struct graph *g, double rate_per_day, gsl_rng *rng);
void traffic_destroy(struct traffic *t);
/* Add every start in [start, end) to the batch.  Returns 0, or -1 (OOM). */
int traffic_slice(struct traffic *t, struct batch *b, int64_t start, int64_t end);

#endif
