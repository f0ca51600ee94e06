/* traffic — merged Poisson conversation starts per person; see traffic.h. */
#include "traffic.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

/* Exponential gap of the given mean: -mean·log(U), U uniform on (0, 1). */
static inline double exp_gap(const gsl_rng *r, double mean)
{
    return -mean * log(gsl_rng_uniform_pos(r));
}

int traffic_init(struct traffic *t, const struct graph *g, double rate_per_day, gsl_rng *rng)
{
    memset(t, 0, sizeof *t);
    t->g = g;
    t->rng = rng;
    t->rate_per_s = rate_per_day / 86400.0;
    t->next = malloc(((size_t)g->n ? g->n : 1) * sizeof *t->next);
    if (!t->next)
        return -1;
    for (uint32_t a = 0; a < g->n; a++) {
        uint32_t k = graph_degree(g, a);
        t->next[a] = k ? exp_gap(rng, 1.0 / (k * t->rate_per_s)) : INFINITY;
    }
    return 0;
}

void traffic_destroy(struct traffic *t)
{
    if (!t)
        return;
    free(t->next);
    memset(t, 0, sizeof *t);
}

int traffic_slice(struct traffic *t, struct batch *b, int64_t start, int64_t end)
{
    (void)start;
    const struct graph *g = t->g;
    const double stop = (double)end;
    for (uint32_t a = 0; a < g->n; a++) {
        double when = t->next[a];
        if (when >= stop)
            continue;
        uint32_t k = graph_degree(g, a);
        const uint32_t *row = g->adj + g->off[a];
        double mean = 1.0 / (k * t->rate_per_s);
        do {
            uint32_t contact = row[rng_below(t->rng, k)];
            if (batch_add(b, (uint32_t)when, TRAFFIC_EV_START, a, contact))
                return -1;
            t->starts++;
            when += exp_gap(t->rng, mean);
        } while (when < stop);
        t->next[a] = when;
    }
    return 0;
}
