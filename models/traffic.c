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
    free(t->rate);
    free(t->alias_thr);
    free(t->alias_idx);
    memset(t, 0, sizeof *t);
}

void traffic_set_clients(struct traffic *t, const uint8_t *flags, uint8_t bit)
{
    t->client = flags;
    t->client_bit = bit;
}

/* Vose's alias method for one row of k weights w (sum R > 0): entry j is
 * kept when a 32-bit uniform is below thr[j], else replaced by idx[j].
 * Scaled probabilities q_j = k w_j / R; "small" (q < 1) entries are topped
 * up from "large" ones.  scratch holds 2k entries. */
static void alias_row(const float *w, uint32_t k, double R, uint32_t *thr, uint32_t *idx,
                      double *q, uint32_t *small, uint32_t *large)
{
    uint32_t ns = 0, nl = 0;
    for (uint32_t j = 0; j < k; j++) {
        q[j] = (double)w[j] * k / R;
        if (q[j] < 1)
            small[ns++] = j;
        else
            large[nl++] = j;
    }
    while (ns && nl) {
        uint32_t s = small[--ns], l = large[nl - 1];
        thr[s] = q[s] > 0 ? (uint32_t)(q[s] * 4294967296.0) : 0;   /* rounding may dip below 0 */
        idx[s] = l;
        q[l] -= 1 - q[s];
        if (q[l] < 1) {
            nl--;
            small[ns++] = l;
        }
    }
    while (nl) {                              /* q = 1 up to rounding: always kept */
        uint32_t l = large[--nl];
        thr[l] = UINT32_MAX;
        idx[l] = l;
    }
    while (ns) {
        uint32_t s = small[--ns];
        thr[s] = UINT32_MAX;
        idx[s] = s;
    }
}

int traffic_set_weights(struct traffic *t, const float *w)
{
    const struct graph *g = t->g;
    uint64_t entries = g->off[g->n];
    uint32_t maxk = 0;
    for (uint32_t a = 0; a < g->n; a++)
        if (graph_degree(g, a) > maxk)
            maxk = graph_degree(g, a);
    t->rate = malloc(((size_t)g->n ? g->n : 1) * sizeof *t->rate);
    t->alias_thr = malloc((entries ? entries : 1) * sizeof *t->alias_thr);
    t->alias_idx = malloc((entries ? entries : 1) * sizeof *t->alias_idx);
    double *q = malloc(((size_t)maxk + 1) * sizeof *q);
    uint32_t *work = malloc(2 * ((size_t)maxk + 1) * sizeof *work);
    int rc = -1;
    if (!t->rate || !t->alias_thr || !t->alias_idx || !q || !work)
        goto cleanup;
    for (uint32_t a = 0; a < g->n; a++) {
        uint64_t lo = g->off[a];
        uint32_t k = graph_degree(g, a);
        double R = 0;
        for (uint32_t j = 0; j < k; j++)
            R += w[lo + j];
        t->rate[a] = R;
        t->emu[a] = exp(-R);
        if (R > 0)
            alias_row(w + lo, k, R, t->alias_thr + lo, t->alias_idx + lo, q, work, work + k);
    }
    rc = 0;
cleanup:
    free(q);
    free(work);
    if (rc) {
        free(t->rate);
        free(t->alias_thr);
        free(t->alias_idx);
        t->rate = NULL;
        t->alias_thr = t->alias_idx = NULL;
    }
    return rc;
}

/* traffic_slice with tie strengths: the same steps, R_a for k λ and the
 * alias pick for the uniform one. */
static int weighted_slice(struct traffic *t, struct batch *b, int64_t start, int64_t end)
{
    const struct graph *g = t->g;
    const uint32_t len = (uint32_t)(end - start);
    const int full_day = len == 86400;
    const uint8_t *client = t->client, bit = t->client_bit;
    const uint32_t *thr = t->alias_thr, *idx = t->alias_idx;
    for (uint32_t a = 0; a < g->n; a++) {
        uint32_t k = graph_degree(g, a);
        double mu = t->rate[a];
        if (k == 0 || !(mu > 0) || (client && !(client[a] & bit)))
            continue;
        uint32_t count;
        if (full_day && mu <= TRAFFIC_INVERSION_MAX)
            count = poisson_inversion(t->rng, t->inv, mu, t->emu[a]);
        else
            count = gsl_ran_poisson(t->rng, full_day ? mu : mu * len / 86400.0);
        if (count == 0)
            continue;
        uint64_t lo = g->off[a];
        for (uint32_t i = 0; i < count; i++) {
            uint32_t when = (uint32_t)start + rng_below(t->rng, len);
            uint32_t j = rng_below(t->rng, k);
            if ((uint32_t)gsl_rng_get(t->rng) >= thr[lo + j])
                j = idx[lo + j];
            if (batch_add(b, when, TRAFFIC_EV_START, a, g->adj[lo + j]))
                return -1;
        }
        t->starts += count;
    }
    return 0;
}

int traffic_slice(struct traffic *t, struct batch *b, int64_t start, int64_t end)
{
    if (t->rate)
        return weighted_slice(t, b, start, end);
    const struct graph *g = t->g;
    const uint32_t len = (uint32_t)(end - start);
    const int full_day = len == 86400;
    const uint8_t *client = t->client, bit = t->client_bit;   /* locals: batch_add may alias t */
    for (uint32_t a = 0; a < g->n; a++) {
        uint32_t k = graph_degree(g, a);
        if (k == 0 || (client && !(client[a] & bit)))
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
