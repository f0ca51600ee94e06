/* traffic — merged Poisson conversation starts per person; see traffic.h. */
#include "traffic.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mix.h"
#include "rng.h"
#include "sim.h"

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
static inline uint32_t poisson_inversion_u(double u, const double *inv, double mu, double emu)
{
    double p = emu, cdf = emu;
    uint32_t k = 0;
    while (u >= cdf && k < TRAFFIC_INVERSION_STEPS) {
        k++;
        p *= mu * inv[k];
        cdf += p;
    }
    return k;
}

static inline uint32_t poisson_inversion(const gsl_rng *r, const double *inv, double mu, double emu)
{
    return poisson_inversion_u(uniform01(r), inv, mu, emu);
}

static int inline_ok(const gsl_rng *r);
static void block_stream(const struct traffic *t, int64_t start, uint32_t block);

/* The count thresholds of the fast path (fast_slice): for each degree d up
 * to thr_max, thr[8 d + j] = ceil(cdf_j 2^32) - 1 for the full day's
 * Poisson(d λ), cdf_j computed exactly as poisson_inversion does. */
static int thr_build(struct traffic *t)
{
    const struct graph *g = t->g;
    uint32_t maxk = 0;
    for (uint32_t a = 0; a < g->n; a++)
        if (graph_degree(g, a) > maxk)
            maxk = graph_degree(g, a);
    uint32_t dmax = maxk < TRAFFIC_THR_DEGREES ? maxk : TRAFFIC_THR_DEGREES;
    while (dmax > 0 && !((double)dmax * t->rate_per_day <= TRAFFIC_INVERSION_MAX))
        dmax--;
    t->thr_max = dmax;
    t->thr = malloc(8 * ((size_t)dmax + 1) * sizeof *t->thr);
    if (!t->thr)
        return -1;
    for (uint32_t d = 0; d <= dmax; d++) {
        double mu = (double)d * t->rate_per_day, emu = exp(-(double)d * t->rate_per_day);
        double p = emu, cdf = emu;
        for (uint32_t j = 0; j < 8; j++) {
            if (j > 0) {
                p *= mu * t->inv[j];
                cdf += p;
            }
            double x = ceil(cdf * 4294967296.0);
            t->thr[8 * (size_t)d + j] = x >= 4294967296.0 ? UINT32_MAX : x < 1 ? 0 : (uint32_t)x - 1;
        }
    }
    return 0;
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
    t->part_lo = 0;
    t->part_hi = g->n;
    t->inline_rng = t->taus = inline_ok(rng);
    t->key = (uint64_t)(uint32_t)gsl_rng_get(rng) << 32 | (uint32_t)gsl_rng_get(rng);
    return thr_build(t);
}

void traffic_destroy(struct traffic *t)
{
    if (!t)
        return;
    free(t->emu);
    free(t->thr);
    free(t->who);
    free(t->rate);
    free(t->alias_thr);
    free(t->alias_idx);
    free(t->local);
    traffic_cache_destroy(&t->cache);
    memset(t, 0, sizeof *t);
}

void traffic_set_part(struct traffic *t, uint32_t lo, uint32_t hi)
{
    t->part_hi = hi < t->g->n ? hi : t->g->n;
    t->part_lo = lo < t->part_hi ? lo - lo % TRAFFIC_BLOCK : t->part_hi;
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

int traffic_set_local(struct traffic *t, const uint32_t *region, uint32_t nregions, int32_t *const *offset,
                      uint32_t ndays)
{
    free(t->local);
    t->local = nregions && ndays ? malloc(nregions * sizeof *t->local) : NULL;
    if (nregions && ndays && !t->local)
        return -1;
    t->home_region = t->local ? region : NULL;
    t->region_offset = offset;
    t->nregions = nregions;
    t->offset_days = ndays;
    return 0;
}

void traffic_set_profile(struct traffic *t, const double hourly[24], const double weekly[7])
{
    double sh = 0, sw = 0;
    for (int i = 0; i < 24; i++)
        sh += hourly[i];
    for (int i = 0; i < 7; i++)
        sw += weekly[i];
    for (int i = 0; i < 24; i++)
        t->hourly[i] = hourly[i] * 24 / sh;
    for (int i = 0; i < 7; i++)
        t->weekly[i] = weekly[i] * 7 / sw;
    t->profiled = 1;
}

void traffic_set_noncontact(struct traffic *t, double per_day) { t->noncontact = per_day; }
void traffic_set_devices(struct traffic *t, double per_day, int relookup)
{
    t->device_per_day = per_day;
    t->device_relookup = relookup;
}

int traffic_use_cache(struct traffic *t, uint32_t ttl_s) { return traffic_cache_init(&t->cache, t->g, ttl_s); }

uint32_t traffic_device_change(struct traffic *t, uint32_t a, uint32_t now)
{
    const struct graph *g = t->g;
    if (t->cache.last)
        traffic_cache_clear(&t->cache, a);
    if (!t->device_relookup)
        return 0;
    if (t->cache.last)                            /* each look-up refreshes the new cache */
        for (uint64_t j = g->off[a]; j < g->off[a + 1]; j++)
            t->cache.last[j] = now + 1;
    t->lookups += graph_degree(g, a);
    return graph_degree(g, a);
}

void traffic_report(const struct traffic *t, struct sim *s, uint32_t acq, int64_t now)
{
    uint64_t lookups = t->lookups;
    const struct sim_part *part = s->run.part;
    if (part && part->sum_words(&lookups, 1, part->ctx)) {   /* every part's */
        sim_fail(s, "the reduction across the MPI ranks failed");
        return;
    }
    sim_metric(s, acq, (double)now / SIM_DAY, "lookups", (double)lookups);
}
void traffic_set_trace(struct traffic *t, const struct contacts_trace *trace) { t->trace = trace; }

/* The trace's messages in [start, end), in time order (then file order). */
static int replay_slice(struct traffic *t, struct batch *b, int64_t start, int64_t end)
{
    const struct contacts_trace *tr = t->trace;
    const uint8_t *client = t->client, bit = t->client_bit;
    size_t i = t->cursor;
    while (i < tr->n && tr->t[i] < start)         /* (slices come in order; none are skipped) */
        i++;
    for (; i < tr->n && tr->t[i] < end; i++) {
        if (client && !(client[tr->a[i]] & bit))
            continue;
        if (batch_add(b, tr->t[i], TRAFFIC_EV_START, tr->a[i], tr->b[i]))
            return -1;
        t->starts++;
    }
    t->cursor = i;
    return 0;
}

void traffic_cache_clear(struct traffic_cache *c, uint32_t a)
{
    memset(c->last + c->g->off[a], 0, graph_degree(c->g, a) * sizeof *c->last);
}

void traffic_set_groups(struct traffic *t, double share, uint32_t size)
{
    t->group_share = share;
    t->group_size = size < 2 ? 2 : size > TRAFFIC_MAX_GROUP + 1 ? TRAFFIC_MAX_GROUP + 1 : size;
}


static int64_t fdiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/* The pieces of [start, end) for a person whose local time is UTC + off
 * seconds: pieces end at local hours. */
static void pieces_build(const struct traffic *t, struct pieces *pc, int64_t start, int64_t end, int64_t off)
{
    float w[TRAFFIC_MAX_SEGMENTS];
    double q[TRAFFIC_MAX_SEGMENTS], total = 0;
    uint32_t work[2 * TRAFFIC_MAX_SEGMENTS];
    pc->n = 0;
    for (int64_t s = start; s < end;) {
        int64_t local = s + off;
        int64_t e = t->profiled ? (fdiv(local, 3600) + 1) * 3600 - off : end;
        if (e > end || pc->n == TRAFFIC_MAX_SEGMENTS - 1)
            e = end;
        int64_t hour = fdiv(local, 3600) % 24, day = fdiv(local, 86400) % 7;
        double rho = t->profiled ? t->hourly[hour < 0 ? hour + 24 : hour] * t->weekly[day < 0 ? day + 7 : day] : 1;
        pc->lo[pc->n] = (uint32_t)s;
        pc->len[pc->n] = (uint32_t)(e - s);
        w[pc->n] = (float)(rho * (double)(e - s));
        total += rho * (double)(e - s);
        pc->n++;
        s = e;
    }
    pc->factor = total / 86400;
    if (total > 0)
        alias_row(w, pc->n, total, pc->thr, pc->idx, q, work, work + pc->n);
}

static inline uint32_t pieces_time(const struct pieces *pc, const gsl_rng *r)
{
    uint32_t s = rng_below(r, pc->n);
    if ((uint32_t)gsl_rng_get(r) >= pc->thr[s])
        s = pc->idx[s];
    return pc->lo[s] + rng_below(r, pc->len[s]);
}

static inline uint32_t poisson_draw(const struct traffic *t, double mu)
{
    if (mu <= TRAFFIC_INVERSION_MAX)
        return poisson_inversion(t->rng, t->inv, mu, exp(-mu));
    return gsl_ran_poisson(t->rng, mu);
}

/* One contact of a (row at lo, k entries): uniform, or by the alias table. */
static inline uint32_t pick(const struct traffic *t, uint64_t lo, uint32_t k)
{
    uint32_t j = rng_below(t->rng, k);
    if (t->rate && (uint32_t)gsl_rng_get(t->rng) >= t->alias_thr[lo + j])
        j = t->alias_idx[lo + j];
    return j;
}

/* traffic_slice with any of tie strengths, profile, non-contact lookups or
 * groups: the same steps as the fast path, with μ_a = R_a x the slice's
 * integral of the profile, times drawn from the profile, picks by alias. */
static int general_slice(struct traffic *t, struct batch *b, int64_t start, int64_t end)
{
    const struct graph *g = t->g;
    const uint8_t *client = t->client, bit = t->client_bit;
    struct pieces pc;
    pieces_build(t, &pc, start, end, 0);
    int local = t->home_region && t->profiled;
    if (local) {                              /* each region's pieces in its local time */
        int64_t d = start / 86400 < (int64_t)t->offset_days ? start / 86400 : (int64_t)t->offset_days - 1;
        for (uint32_t i = 0; i < t->nregions; i++)
            pieces_build(t, &t->local[i], start, end, t->region_offset[i][d]);
    } else if (!(pc.factor > 0)) {
        return 0;                             /* a slice of zero rate */
    }
    uint32_t chosen[TRAFFIC_MAX_GROUP];
    for (uint32_t a = t->part_lo; a < t->part_hi; a++) {
        if (a % TRAFFIC_BLOCK == 0)
            block_stream(t, start, a / TRAFFIC_BLOCK);
        if (client && !(client[a] & bit))
            continue;
        uint32_t k = graph_degree(g, a);
        double R = t->rate ? t->rate[a] : (double)k * t->rate_per_day;
        uint64_t lo = g->off[a];
        const struct pieces *pa = local ? &t->local[t->home_region[a]] : &pc;
        uint32_t count = k && R > 0 && pa->factor > 0 ? poisson_draw(t, R * pa->factor) : 0;
        for (uint32_t i = 0; i < count; i++) {
            uint32_t when = pieces_time(pa, t->rng);
            uint32_t members = 1;
            if (t->group_share > 0 && uniform01(t->rng) < t->group_share)
                members = t->group_size - 1 < k ? t->group_size - 1 : k;
            if (members >= k && members > 1) {      /* everyone: no draws */
                for (uint32_t j = 0; j < k; j++)
                    if (batch_add(b, when, TRAFFIC_EV_START, a, g->adj[lo + j]))
                        return -1;
                continue;
            }
            uint32_t got = 0;
            for (uint32_t tries = 0; got < members && tries < 64 * members; tries++) {
                uint32_t j = pick(t, lo, k), dup = 0;
                for (uint32_t x = 0; x < got; x++)
                    dup |= chosen[x] == j;
                if (dup)
                    continue;
                chosen[got++] = j;
                if (batch_add(b, when, TRAFFIC_EV_START, a, g->adj[lo + j]))
                    return -1;
            }
        }
        t->starts += count;
        if (t->noncontact > 0 && g->n > 1 && pa->factor > 0) {
            uint32_t nc = poisson_draw(t, t->noncontact * pa->factor);
            for (uint32_t i = 0; i < nc; i++) {
                uint32_t when = pieces_time(pa, t->rng), x = rng_below(t->rng, g->n - 1);
                if (batch_add(b, when, TRAFFIC_EV_START, a, x >= a ? x + 1 : x))
                    return -1;
            }
            t->noncontacts += nc;
        }
        if (t->device_per_day > 0) {
            uint32_t nd = poisson_draw(t, t->device_per_day * (double)(end - start) / 86400);
            for (uint32_t i = 0; i < nd; i++)
                if (batch_add(b, (uint32_t)start + rng_below(t->rng, (uint32_t)(end - start)),
                              TRAFFIC_EV_DEVICE, a, 0))
                    return -1;
            t->devices += nd;
        }
    }
    return 0;
}

int traffic_cache_init(struct traffic_cache *c, const struct graph *g, uint32_t ttl_s)
{
    memset(c, 0, sizeof *c);
    c->g = g;
    c->ttl = ttl_s;
    c->last = calloc(g->off[g->n] ? g->off[g->n] : 1, sizeof *c->last);
    return c->last ? 0 : -1;
}

void traffic_cache_destroy(struct traffic_cache *c)
{
    if (!c)
        return;
    free(c->last);
    memset(c, 0, sizeof *c);
}

/* A list of `want` non-negative numbers with a positive sum. */
static int read_weights(struct cfg *c, const struct cfg_node *e, const char *attr, int want, double *out)
{
    const char *text = cfg_str(e, attr, NULL);
    if (!text) {
        for (int i = 0; i < want; i++)
            out[i] = 1;
        return 0;
    }
    double sum = 0;
    int n = 0;
    const char *p = text;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ',')
            p++;
        if (!*p)
            break;
        char *end;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v) || v < 0)
            return cfg_error(c, e, attr, "expected %d numbers 0 or more, separated by spaces", want);
        if (n < want)
            out[n] = v;
        n++;
        sum += v;
        p = end;
    }
    if (n != want)
        return cfg_error(c, e, attr, "expected %d numbers, got %d", want, n);
    if (!(sum > 0))
        return cfg_error(c, e, attr, "the weights must not all be 0");
    return 0;
}

int traffic_check_contacts(const struct traffic_params *p, const struct contacts_params *cp, struct cfg *c,
                           const struct cfg_node *tr)
{
    int rc = 0;
    enum contacts_kind k = cp->kind;
    if (k != CONTACTS_TRACE && !p->rate_given)
        rc = cfg_error(c, tr, "rate_per_day", "is required unless the contacts come from a <trace>");
    if (p->lognormal == 2 && !((k == CONTACTS_EDGE_LIST || k == CONTACTS_GRAPHML) && cp->file->has_weight))
        rc = cfg_error(c, tr, "tie_strength", "'file' needs an <edge_list> or <graphml> whose rows "
                       "carry weights");
    else if (p->lognormal == 2 && !(cp->file->weight_sum > 0))
        rc = cfg_error(c, tr, "tie_strength", "'file' needs a weight above 0, and every weight of the "
                       "file (self-loops aside) is 0");
    return rc;
}

int traffic_configure(struct traffic_params *p, struct cfg *c, const struct cfg_node *tr)
{
    memset(p, 0, sizeof *p);
    double ttl_h = 0, gsize = 3;
    int rc = 0;
    rc |= cfg_double(c, tr, "rate_per_day", 0, &p->rate_per_day);
    rc |= cfg_double(c, tr, "sigma", 1, &p->sigma);
    rc |= cfg_double(c, tr, "cache_ttl_hours", 0, &ttl_h);
    rc |= cfg_double(c, tr, "noncontact_per_day", 0, &p->noncontact_per_day);
    rc |= cfg_double(c, tr, "group_share", 0, &p->group_share);
    rc |= cfg_double(c, tr, "group_size", 3, &gsize);
    rc |= cfg_double(c, tr, "device_changes_per_year", 0, &p->device_per_year);
    if (rc)
        return -1;
    const char *ts = cfg_str(tr, "tie_strength", "constant");
    p->lognormal = strcmp(ts, "lognormal") == 0 ? 1 : strcmp(ts, "file") == 0 ? 2 : 0;
    p->rate_given = cfg_has(tr, "rate_per_day");
    if (!p->rate_given)
        p->rate_per_day = 1;                      /* only a trace may leave it out (world checks) */
    if (!(p->rate_per_day > 0))
        rc = cfg_error(c, tr, "rate_per_day", "must be above 0 (got %g)", p->rate_per_day);
    if (!(p->sigma >= 0 && p->sigma <= 10))
        rc = cfg_error(c, tr, "sigma", "must be 0 to 10 (got %g)", p->sigma);
    if (!(ttl_h >= 0 && ttl_h <= 36500.0 * 24))
        rc = cfg_error(c, tr, "cache_ttl_hours", "must be 0 to 876000 (got %g)", ttl_h);
    if (!(p->noncontact_per_day >= 0 && p->noncontact_per_day <= 1000))
        rc = cfg_error(c, tr, "noncontact_per_day", "must be 0 to 1000 (got %g)", p->noncontact_per_day);
    if (!(p->group_share >= 0 && p->group_share <= 1))
        rc = cfg_error(c, tr, "group_share", "must be 0 to 1 (got %g)", p->group_share);
    if (!(gsize >= 3 && gsize <= TRAFFIC_MAX_GROUP + 1) || gsize != floor(gsize))
        rc = cfg_error(c, tr, "group_size", "must be a whole number 3 to %d (got %g)", TRAFFIC_MAX_GROUP + 1,
                       gsize);
    if (!(p->device_per_year >= 0 && p->device_per_year <= 365))
        rc = cfg_error(c, tr, "device_changes_per_year", "must be 0 to 365 (got %g)", p->device_per_year);
    p->device_relookup = strcmp(cfg_str(tr, "device_relookup", "false"), "true") == 0
                         || strcmp(cfg_str(tr, "device_relookup", "false"), "1") == 0;
    p->cache_ttl = (uint32_t)llround(ttl_h * 3600);
    p->group_size = (uint32_t)gsize;
    const struct cfg_node *pr = cfg_child(tr, "profile");
    if (pr) {
        p->profiled = 1;
        if (read_weights(c, pr, "hourly", 24, p->hourly) || read_weights(c, pr, "weekly", 7, p->weekly))
            rc = -1;
    }
    return rc ? -1 : 0;
}

/* The stream's words, drawn inline when the generator is taus2: the state
 * sits in registers, where gsl_rng_get costs a call through a pointer per
 * word.  The recurrence is GSL's taus_get (taus.c; its state is three
 * unsigned longs below 2^32); traffic_init checks that both agree. */
struct words {
    uint32_t s1, s2, s3;
    const gsl_rng *r;
};

struct taus_state {                       /* GSL's taus_state_t */
    unsigned long s1, s2, s3;
};

static inline __attribute__((always_inline)) uint32_t next_word(struct words *w, int inl)
{
    if (!inl)
        return (uint32_t)gsl_rng_get(w->r);
    w->s1 = ((w->s1 & 4294967294u) << 12) ^ (((w->s1 << 13) ^ w->s1) >> 19);
    w->s2 = ((w->s2 & 4294967288u) << 4) ^ (((w->s2 << 2) ^ w->s2) >> 25);
    w->s3 = ((w->s3 & 4294967280u) << 17) ^ (((w->s3 << 3) ^ w->s3) >> 11);
    return w->s1 ^ w->s2 ^ w->s3;
}

static inline void words_load(struct words *w, const gsl_rng *r, int inl)
{
    w->r = r;
    if (inl) {
        const struct taus_state *st = r->state;
        w->s1 = (uint32_t)st->s1, w->s2 = (uint32_t)st->s2, w->s3 = (uint32_t)st->s3;
    }
}

static inline void words_store(const struct words *w, int inl)
{
    if (inl) {
        struct taus_state *st = w->r->state;
        st->s1 = w->s1, st->s2 = w->s2, st->s3 = w->s3;
    }
}

/* The stream of block `block` (people block·TRAFFIC_BLOCK onwards) in the
 * slice that starts at second `start`: the generator's state is set from
 * (t->key, start, block) alone, so a block's draws do not depend on which
 * other blocks were drawn, or in what order.  taus2's three words come
 * from SplitMix64 on a key mixed from the three (96 bits of state, no
 * 32-bit seed to collide), raised above the recurrence's forbidden values
 * and stepped six times, as GSL's taus2_set does after its own seeding.
 * Another generator (inline_ok() false) is seeded with gsl_rng_set on 32
 * bits of the key. */
static void block_stream(const struct traffic *t, int64_t start, uint32_t block)
{
    uint64_t z = t->key ^ mix_fmix64((uint64_t)(uint32_t)start << 32 | block);
    if (!t->taus) {
        gsl_rng_set(t->rng, (unsigned long)(uint32_t)(z ^ z >> 32));
        return;
    }
    struct words w;
    w.r = t->rng;
    w.s1 = (uint32_t)mix_splitmix64(z);
    w.s2 = (uint32_t)mix_splitmix64(z + 0x9e3779b97f4a7c15ull);
    w.s3 = (uint32_t)mix_splitmix64(z + 2 * 0x9e3779b97f4a7c15ull);
    if (w.s1 < 2)
        w.s1 += 2;
    if (w.s2 < 8)
        w.s2 += 8;
    if (w.s3 < 16)
        w.s3 += 16;
    for (int i = 0; i < 6; i++)
        (void)next_word(&w, 1);
    words_store(&w, 1);
}

/* rng_below on the words. */
static inline __attribute__((always_inline)) uint32_t words_below(struct words *w, int inl, uint32_t n)
{
    uint64_t m = (uint64_t)next_word(w, inl) * n;
    uint32_t low = (uint32_t)m;
    if (__builtin_expect(low < n, 0)) {
        uint32_t threshold = (uint32_t)-n % n;
        while (low < threshold) {
            m = (uint64_t)next_word(w, inl) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

/* 1 when the stream is taus2 and inline drawing matches gsl_rng_get on a
 * copy of it (a guard against another GSL's state layout). */
static int inline_ok(const gsl_rng *r)
{
    if ((r->type != gsl_rng_taus2 && r->type != gsl_rng_taus) || r->type->size != sizeof(struct taus_state))
        return 0;
    gsl_rng *c = gsl_rng_clone(r);
    if (!c)
        return 0;
    struct words w;
    words_load(&w, c, 1);
    int ok = 1;
    for (int i = 0; i < 64 && ok; i++)
        ok = next_word(&w, 1) == (uint32_t)gsl_rng_get(c);
    gsl_rng_free(c);
    return ok;
}

/* A second of the slice (of len) and a contact index (of k) from one word
 * when len·k < 2^32: Lemire's multiply-shift on the range p = len·k, taken
 * in two steps (Brackett-Rozinsky and Lemire, "Batched ranged random
 * integer generation", Softw. Pract. Exp. 2024).  With x·len = s·2^32 + l1
 * and l1·k = i·2^32 + l2, x·p = (s·k + i)·2^32 + l2, so (s, i) is the
 * quotient and remainder by k of Lemire's draw on p, kept exactly when l2
 * >= 2^32 mod p (else the word is redrawn): uniform on [0, len) x [0, k)
 * with both independent.  Wider ranges take a word each (rng_below). */
static inline __attribute__((always_inline)) uint32_t words_second_contact(struct words *w, int inl, uint32_t len,
                                                                            uint32_t k, uint32_t *idx)
{
    uint64_t p = (uint64_t)len * k;
    if (__builtin_expect(p > UINT32_MAX, 0)) {
        uint32_t s = words_below(w, inl, len);
        *idx = words_below(w, inl, k);
        return s;
    }
    for (;;) {
        uint64_t m = (uint64_t)next_word(w, inl) * len;
        uint32_t s = (uint32_t)(m >> 32);
        m = (uint64_t)(uint32_t)m * k;
        uint32_t l = (uint32_t)m;
        if (__builtin_expect(l >= (uint32_t)p, 1) || l >= (uint32_t)-(uint32_t)p % (uint32_t)p) {
            *idx = (uint32_t)(m >> 32);
            return s;
        }
    }
}

/* The fast path: one rate λ, no profile, every person a client or not.
 * People go in blocks of TRAFFIC_BLOCK (id order).  For a block, first
 * every person's count (one word each, in id order), then every start's
 * second and contact (one word each, words_second_contact), person by
 * person.  Drawing the counts apart keeps the count and the number of
 * starts out of the branches of the second loop, which runs over the
 * block's starts as one flat list (the processor would otherwise guess the
 * count, a Poisson(deg λ), wrong for about every other person).  With a
 * full day and a degree in the table, the count is the inversion's without
 * its loop: u >= cdf_j exactly when the 32-bit word w >= ceil(cdf_j 2^32),
 * that is w > thr[j] = ceil(cdf_j 2^32) - 1 (saturated at 2^32 - 1, which no
 * word exceeds), and the cdf is non-decreasing, so the count is the number
 * of j < 8 with w > thr[j]; at 8 the loop takes over.  Entries are written
 * straight into the batch's chunks, as batch_add would. */
#define TRAFFIC_REPEAT 4                  /* counts up to this: the list is written without a loop */

static inline __attribute__((always_inline)) int fast_slice(struct traffic *t, struct batch *b, int64_t start,
                                                            int64_t end, int inl, int pk)
{
    const uint32_t slot_mask = (pk ? 2 * BATCH_CHUNK : BATCH_CHUNK) - 1;   /* pk: packed (batch_pack) */
    const struct graph *g = t->g;
    const uint32_t len = (uint32_t)(end - start), base = (uint32_t)start;
    const int full_day = len == 86400;
    const uint8_t *client = t->client, bit = t->client_bit;
    const uint32_t *thr = full_day ? t->thr : NULL, thr_max = t->thr_max;
    const uint64_t *off = g->off;
    const uint32_t *adj = g->adj;
    const uint32_t lo_bits = b->lo_bits;
    const uint32_t boff = (uint32_t)b->start;
    uint32_t *const cur = b->cur;
    uint64_t starts = 0;
    struct words w;
    words_load(&w, t->rng, inl);
    int rc = 0;
    for (uint32_t a0 = t->part_lo; a0 < t->part_hi; a0 += TRAFFIC_BLOCK) {
        const uint32_t a1 = t->part_hi - a0 > TRAFFIC_BLOCK ? a0 + TRAFFIC_BLOCK : t->part_hi;
        block_stream(t, start, a0 / TRAFFIC_BLOCK);
        words_load(&w, t->rng, inl);
        /* the block's counts: who[] lists each start's person */
        uint32_t *who = t->who;
        size_t ns = 0, who_cap = t->who_cap;
        for (uint32_t a = a0; a < a1; a++) {
            uint32_t k = (uint32_t)(off[a + 1] - off[a]);
            if (k == 0 || (client && !(client[a] & bit)))
                continue;
            uint32_t count;
            if (thr && k <= thr_max) {
                const uint32_t *th = thr + 8 * (size_t)k;
                uint32_t x = next_word(&w, inl);
                count = (x > th[0]) + (x > th[1]) + (x > th[2]) + (x > th[3])
                        + (x > th[4]) + (x > th[5]) + (x > th[6]) + (x > th[7]);
                if (__builtin_expect(count == 8, 0))
                    count = poisson_inversion_u((double)x * (1.0 / 4294967296.0), t->inv,
                                                (double)k * t->rate_per_day, t->emu[a]);
            } else {
                double mu = (double)k * t->rate_per_day;  /* a full day's mean */
                if (full_day && mu <= TRAFFIC_INVERSION_MAX) {
                    count = poisson_inversion_u((double)next_word(&w, inl) * (1.0 / 4294967296.0), t->inv, mu,
                                                t->emu[a]);
                } else {
                    words_store(&w, inl);
                    count = gsl_ran_poisson(t->rng, full_day ? mu : mu * len / 86400.0);
                    words_load(&w, t->rng, inl);
                }
            }
            if (__builtin_expect(who_cap - ns < (size_t)count + TRAFFIC_REPEAT, 0)) {
                size_t cap = 2 * (ns + count + TRAFFIC_REPEAT);
                uint32_t *nw = realloc(t->who, cap * sizeof *nw);
                if (!nw) {
                    rc = -1;
                    goto out;
                }
                t->who = who = nw;
                t->who_cap = who_cap = cap;
            }
            if (__builtin_expect(count <= TRAFFIC_REPEAT, 1)) {
                for (int i = 0; i < TRAFFIC_REPEAT; i++)   /* the slots past count are overwritten */
                    who[ns + i] = a;
            } else {
                for (uint32_t i = 0; i < count; i++)
                    who[ns + i] = a;
            }
            ns += count;
        }
        /* the block's starts, each into its time window's chunk (batch_add) */
        struct batch_entry *pool = b->pool;
        for (size_t i = 0; i < ns; i++) {
            uint32_t a = who[i];
            uint64_t lo = off[a];
            if (i + 16 < ns) {                   /* a row ahead (two lines): its contact is read below */
                const uint32_t *row = &adj[off[who[i + 16]]];
                __builtin_prefetch(row);
                __builtin_prefetch(row + 16);
            }
            uint32_t k = (uint32_t)(off[a + 1] - lo), j;
            uint32_t when = base + words_second_contact(&w, inl, len, k, &j);
            uint32_t win = (when - boff) >> lo_bits;
            uint32_t x = cur[win];
            if (__builtin_expect((x & slot_mask) == 0, 0)) {
                if ((x = batch_chunk(b, win)) == UINT32_MAX) {
                    b->n += i;
                    starts += i;
                    rc = -1;
                    goto out;
                }
                pool = b->pool;
            }
            if (pk)
                ((uint64_t *)pool)[x] = batch_pack_word(b, when, a, adj[lo + j]);
            else
                pool[x] = (struct batch_entry){ when, TRAFFIC_EV_START, a, adj[lo + j] };
            cur[win] = x + 1;
        }
        b->n += ns;
        starts += ns;
    }
out:
    words_store(&w, inl);
    t->starts += starts;
    return rc;
}

int traffic_slice(struct traffic *t, struct batch *b, int64_t start, int64_t end)
{
    if (t->trace)
        return replay_slice(t, b, start, end);
    if (t->rate || t->profiled || t->noncontact > 0 || t->group_share > 0 || t->device_per_day > 0)
        return general_slice(t, b, start, end);
    if (t->pack && batch_pack(b, TRAFFIC_EV_START) == 0)
        return t->inline_rng ? fast_slice(t, b, start, end, 1, 1) : fast_slice(t, b, start, end, 0, 1);
    return t->inline_rng ? fast_slice(t, b, start, end, 1, 0) : fast_slice(t, b, start, end, 0, 0);
}
