/* traffic — merged Poisson conversation starts per person; see traffic.h. */
#include "traffic.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

#include <gsl/gsl_randist.h>

/* Uniform on [0, 1) from one 32-bit word. */
static inline double uniform01(const gsl_rng *r)
{
    return (double)(uint32_t)gsl_rng_get(r) * (1.0 / 4294967296.0);
}

/* Poisson(μ) by sequential inversion (Devroye 1986, X.3.3) from one uniform,
 * with e^-μ given: the least k with P(X <= k) > U.  About μ + 1 steps, so it
 * is used for small μ only; the loop bound guards the far tail against
 * rounding (P(X > 200) is below 1e-150 for μ <= 16). */
static inline uint32_t poisson_inversion(const gsl_rng *r, const double *inv, double mu, double emu)
{
    double u = uniform01(r), p = emu, cdf = emu;
    uint32_t k = 0;
    while (u >= cdf && k < TRAFFIC_INVERSION_STEPS) {
        k++;
        p *= mu * inv[k];
        cdf += p;
    }
    return k;
}

int traffic_init(struct traffic *t, const struct graph *g, double rate_per_day, gsl_rng *rng)
{
    memset(t, 0, sizeof *t);
    t->g = g;
    t->rng = rng;
    t->rate_per_day = rate_per_day;
    t->emu = malloc(((size_t)g->n ? g->n : 1) * sizeof *t->emu);
    if (!t->emu)
        return -1;
    for (uint32_t a = 0; a < g->n; a++)
        t->emu[a] = exp(-(double)graph_degree(g, a) * rate_per_day);
    t->inv[0] = 0;
    for (int k = 1; k <= TRAFFIC_INVERSION_STEPS; k++)
        t->inv[k] = 1.0 / k;
    return 0;
}

void traffic_destroy(struct traffic *t)
{
    if (!t)
        return;
    free(t->emu);
    memset(t, 0, sizeof *t);
}

void traffic_set_clients(struct traffic *t, const uint8_t *flags, uint8_t bit)
{
    t->client = flags;
    t->client_bit = bit;
}

int traffic_slice(struct traffic *t, struct batch *b, int64_t start, int64_t end)
{
    const struct graph *g = t->g;
    const uint32_t len = (uint32_t)(end - start);
    const int full_day = len == 86400;
    for (uint32_t a = 0; a < g->n; a++) {
        uint32_t k = graph_degree(g, a);
        if (k == 0 || (t->client && !(t->client[a] & t->client_bit)))
            continue;
        uint32_t count;
        double mu = (double)k * t->rate_per_day;  /* a full day's mean */
        if (full_day && mu <= TRAFFIC_INVERSION_MAX)
            count = poisson_inversion(t->rng, t->inv, mu, t->emu[a]);
        else
            count = gsl_ran_poisson(t->rng, full_day ? mu : mu * len / 86400.0);
        if (count == 0)
            continue;
        const uint32_t *row = g->adj + g->off[a];
        for (uint32_t i = 0; i < count; i++) {
            uint32_t when = (uint32_t)start + rng_below(t->rng, len);
            if (batch_add(b, when, TRAFFIC_EV_START, a, row[rng_below(t->rng, k)]))
                return -1;
        }
        t->starts += count;
    }
    return 0;
}
