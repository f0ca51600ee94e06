/* dynamics — ties born and ending, people joining, leaving and changing
 * numbers; see dynamics.h. */
#include "dynamics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "cfg.h"
#include "rng.h"
#include "sim.h"
#include "sort.h"

#define DYNAMICS_TAG 0x64796e31u          /* the structure substream's tag ("dyn1") */

int dynamics_configure(struct dynamics_params *p, struct cfg *c, const struct cfg_node *e)
{
    memset(p, 0, sizeof *p);
    if (!e)
        return 0;
    p->on = 1;
    double end = 0, within = 0, leave = 0, renumber = 0;
    int rc = 0;
    rc |= cfg_double(c, e, "tie_end_per_year", 0.13, &end);
    rc |= cfg_double(c, e, "within_end_per_year", end, &within);
    rc |= cfg_double(c, e, "triadic_share", 0.5, &p->triadic);
    rc |= cfg_double(c, e, "join_share", 0, &p->join_share);
    rc |= cfg_double(c, e, "leave_per_year", 0, &leave);
    rc |= cfg_double(c, e, "number_changes_per_year", 0.08, &renumber);
    if (rc)
        return -1;
    const char *rates[] = { "tie_end_per_year", "within_end_per_year", "leave_per_year",
                            "number_changes_per_year" };
    const double values[] = { end, within, leave, renumber };
    for (int i = 0; i < 4; i++)
        if (!(values[i] >= 0 && values[i] <= 365))
            rc = cfg_error(c, e, rates[i], "must be 0 to 365 a year (got %g)", values[i]);
    if (!(p->triadic >= 0 && p->triadic <= 1))
        rc = cfg_error(c, e, "triadic_share", "must be 0 to 1 (got %g)", p->triadic);
    if (!(p->join_share >= 0 && p->join_share <= 1))
        rc = cfg_error(c, e, "join_share", "must be 0 to 1 (got %g)", p->join_share);
    p->births = strcmp(cfg_str(e, "births", "balanced"), "none") != 0;
    p->end_per_day = end / 365;
    p->within_end_per_day = within / 365;
    p->leave_per_day = leave / 365;
    p->renumber_per_day = renumber / 365;
    return rc;
}

int dynamics_check(const struct dynamics_params *p, struct cfg *c, const struct cfg_node *e, int trace,
                   int tie_strengths, int mobility)
{
    if (!p->on)
        return 0;
    if (trace)
        return cfg_error(c, e, NULL, "a replayed <trace> is its own dynamics: <dynamics> needs generated or "
                         "imported contacts");
    if (tie_strengths)
        return cfg_error(c, e, NULL, "tie strengths (traffic@tie_strength) are not modelled on a changing "
                         "graph: use tie_strength=\"constant\"");
    if (mobility && p->renumber_per_day > 0)
        return cfg_error(c, e, "number_changes_per_year", "number changes are not modelled with <mobility> "
                         "(a later number has no places): set it to 0");
    return 0;
}

void dynamics_destroy(struct dynamics *d)
{
    if (!d)
        return;
    graph_destroy(&d->g);
    free(d->born);
    free(d->died);
    free(d->join);
    free(d->leave);
    free(d->renumber);
    free(d->second);
    free(d->owner);
    free(d->flags);
    free(d->labels);
    free(d->first);
    memset(d, 0, sizeof *d);
}

/* An exponential time after t0 (rate per day), or NEVER when it falls at
 * or after the horizon or the rate is 0; from one uniform u in [0, 1). */
static uint32_t after(uint32_t t0, double rate_per_day, double u, int64_t horizon)
{
    if (!(rate_per_day > 0))
        return DYNAMICS_NEVER;
    double t = (double)t0 - log1p(-u) / rate_per_day * 86400.0;
    return t < (double)horizon ? (uint32_t)t : DYNAMICS_NEVER;
}

/* A tie of the run before people's presence and numbers are applied. */
struct tie {
    uint32_t u, v, born, died;
};

struct ties {
    struct tie *t;
    size_t n, cap;
};

static int push(struct ties *ts, uint32_t u, uint32_t v, uint32_t born, uint32_t died)
{
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? 2 * ts->cap : 1024;
        struct tie *nt = realloc(ts->t, cap * sizeof *nt);
        if (!nt)
            return -1;
        ts->t = nt;
        ts->cap = cap;
    }
    ts->t[ts->n++] = (struct tie){ u, v, born, died };
    return 0;
}

static double end_rate(const struct dynamics_params *p, const uint32_t *labels, uint32_t u, uint32_t v)
{
    return labels && labels[u] == labels[v] && labels[u] != UINT32_MAX ? p->within_end_per_day : p->end_per_day;
}

/* People: join, leave, number change (four uniforms each, in id order). */
static int draw_people(struct dynamics *d, const struct dynamics_params *p, gsl_rng *r, int64_t horizon)
{
    uint32_t n = d->people;
    d->join = malloc(((size_t)n + 1) * sizeof *d->join);
    d->leave = malloc(((size_t)n + 1) * sizeof *d->leave);
    d->renumber = malloc(((size_t)n + 1) * sizeof *d->renumber);
    d->second = malloc(((size_t)n + 1) * sizeof *d->second);
    if (!d->join || !d->leave || !d->renumber || !d->second)
        return -1;
    uint32_t later = 0;
    for (uint32_t a = 0; a < n; a++) {
        double u1 = gsl_rng_uniform(r), u2 = gsl_rng_uniform(r), u3 = gsl_rng_uniform(r), u4 = gsl_rng_uniform(r);
        d->join[a] = u1 < p->join_share ? (uint32_t)(u2 * (double)horizon) : 0;
        d->leave[a] = after(d->join[a], p->leave_per_day, u3, horizon);
        uint32_t x = after(d->join[a], p->renumber_per_day, u4, horizon);
        d->renumber[a] = DYNAMICS_NEVER;
        d->second[a] = DYNAMICS_NEVER;
        if (x < d->leave[a] && later < UINT32_MAX - n - 1) {
            d->renumber[a] = x;
            d->second[a] = n + later++;
        }
    }
    d->numbers = n + later;
    return 0;
}

#define BIRTH_KEY(b) ((b).key)
struct birth {
    uint64_t key;                         /* lo << 32 | hi */
    uint32_t born, died;
};
SORT_RADIX_DEFINE(sort_births, struct birth, BIRTH_KEY)

/* The births of the run, repeats of a tie dropped (the first kept).
 * Appended to ts.  0 or -1. */
static int draw_births(struct dynamics *d, const struct dynamics_params *p, const struct graph *g0,
                       const uint32_t *labels, gsl_rng *r, int64_t horizon, struct ties *ts)
{
    uint32_t n = g0->n;
    double rate = 0;                              /* the ties' end rates, per day */
    for (uint32_t u = 0; u < n; u++)
        for (uint64_t j = g0->off[u]; j < g0->off[u + 1]; j++)
            if (g0->adj[j] > u)
                rate += end_rate(p, labels, u, g0->adj[j]);
    if (!p->births || !(rate > 0) || n < 2)
        return 0;
    size_t count = gsl_ran_poisson(r, rate * (double)horizon / 86400.0);
    struct birth *b = malloc((count ? count : 1) * sizeof *b), *tmp = malloc((count ? count : 1) * sizeof *tmp);
    int rc = -1;
    if (!b || !tmp)
        goto out;
    for (size_t i = 0; i < count; i++) {
        uint32_t t = (uint32_t)rng_below(r, (uint32_t)horizon);
        uint32_t a = rng_below(r, n), x = UINT32_MAX;
        if (gsl_rng_uniform(r) < p->triadic && graph_degree(g0, a) > 0) {
            uint32_t c = g0->adj[g0->off[a] + rng_below(r, graph_degree(g0, a))];
            uint32_t y = g0->adj[g0->off[c] + rng_below(r, graph_degree(g0, c))];
            if (y != a)
                x = y;
        }
        if (x == UINT32_MAX) {
            uint32_t y = rng_below(r, n - 1);
            x = y >= a ? y + 1 : y;
        }
        uint32_t lo = a < x ? a : x, hi = a ^ x ^ lo;
        uint32_t died = after(t, end_rate(p, labels, lo, hi), gsl_rng_uniform(r), horizon);
        b[i] = (struct birth){ (uint64_t)lo << 32 | hi, t, died };
    }
    unsigned bits = 1;
    while (bits < 64 && ((uint64_t)1 << bits) <= ((uint64_t)n << 32))
        bits++;
    struct birth *s = sort_births(b, tmp, count, 0, bits);      /* stable: the first of a pair first */
    for (size_t i = 0; i < count; i++) {
        uint32_t lo = (uint32_t)(s[i].key >> 32), hi = (uint32_t)s[i].key;
        if ((i > 0 && s[i].key == s[i - 1].key) || graph_find(g0, lo, hi) >= 0) {
            d->dropped++;
            continue;
        }
        if (push(ts, lo, hi, s[i].born, s[i].died))
            goto out;
        d->born_ties++;
    }
    rc = 0;
out:
    free(b);
    free(tmp);
    return rc;
}

/* A tie within its ends' presence, cut where either end changes number;
 * each piece is a tie between the numbers of its time.  0 or -1. */
static int place(struct dynamics *d, const struct tie *t, struct ties *out)
{
    uint32_t u = t->u, v = t->v;
    uint32_t b = t->born, e = t->died;
    b = b > d->join[u] ? b : d->join[u];
    b = b > d->join[v] ? b : d->join[v];
    e = e < d->leave[u] ? e : d->leave[u];
    e = e < d->leave[v] ? e : d->leave[v];
    if (b >= e)
        return 0;                                 /* never alive */
    uint32_t cut[2], nc = 0;
    uint32_t xu = d->renumber[u], xv = d->renumber[v];
    if (xu > b && xu < e)
        cut[nc++] = xu;
    if (xv > b && xv < e && xv != xu)
        cut[nc++] = xv;
    if (nc == 2 && cut[0] > cut[1]) {
        uint32_t s = cut[0];
        cut[0] = cut[1];
        cut[1] = s;
    }
    uint32_t s0 = b;
    for (uint32_t i = 0; i <= nc; i++) {
        uint32_t s1 = i < nc ? cut[i] : e;
        uint32_t nu = s0 >= xu ? d->second[u] : u, nv = s0 >= xv ? d->second[v] : v;
        if (push(out, nu, nv, s0, s1))
            return -1;
        s0 = s1;
    }
    return 0;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Sort row [lo, hi) of g by neighbour, its lives along. */
static void sort_row(struct dynamics *d, uint64_t lo, uint64_t hi, uint64_t *scratch)
{
    uint32_t *adj = d->g.adj;
    uint64_t len = hi - lo;
    if (len <= 32) {
        for (uint64_t i = lo + 1; i < hi; i++) {
            uint32_t x = adj[i], b = d->born[i], e = d->died[i];
            uint64_t k = i;
            while (k > lo && adj[k - 1] > x) {
                adj[k] = adj[k - 1];
                d->born[k] = d->born[k - 1];
                d->died[k] = d->died[k - 1];
                k--;
            }
            adj[k] = x;
            d->born[k] = b;
            d->died[k] = e;
        }
        return;
    }
    for (uint64_t i = 0; i < len; i++)       /* neighbour << 32 | the entry's place in the row */
        scratch[i] = (uint64_t)adj[lo + i] << 32 | i;
    qsort(scratch, len, sizeof *scratch, cmp_u64);
    uint32_t *lives = (uint32_t *)(scratch + len);  /* born then died, in sorted order */
    for (uint64_t i = 0; i < len; i++) {
        uint64_t at = lo + (uint32_t)scratch[i];
        lives[i] = d->born[at];
        lives[len + i] = d->died[at];
    }
    for (uint64_t i = 0; i < len; i++) {
        adj[lo + i] = (uint32_t)(scratch[i] >> 32);
        d->born[lo + i] = lives[i];
        d->died[lo + i] = lives[len + i];
    }
}

/* The graph of the pieces, with each entry's life.  0 or -1. */
static int build(struct dynamics *d, const struct ties *ts)
{
    struct graph *g = &d->g;
    uint32_t n = d->numbers;
    g->n = n;
    g->off = calloc((size_t)n + 2, sizeof *g->off);
    if (!g->off)
        return -1;
    for (size_t i = 0; i < ts->n; i++) {
        g->off[ts->t[i].u + 1]++;
        g->off[ts->t[i].v + 1]++;
    }
    uint32_t maxdeg = 0;
    for (uint32_t a = 0; a < n; a++) {
        maxdeg = g->off[a + 1] > maxdeg ? (uint32_t)g->off[a + 1] : maxdeg;
        g->off[a + 1] += g->off[a];
    }
    uint64_t entries = g->off[n];
    g->m = entries / 2;
    g->adj = malloc((entries ? entries : 1) * sizeof *g->adj);
    d->born = malloc((entries ? entries : 1) * sizeof *d->born);
    d->died = malloc((entries ? entries : 1) * sizeof *d->died);
    uint64_t *pos = malloc(((size_t)n + 1) * sizeof *pos);
    uint64_t *scratch = malloc(2 * ((size_t)maxdeg + 1) * sizeof *scratch);
    int rc = -1;
    if (!g->adj || !d->born || !d->died || !pos || !scratch)
        goto out;
    memcpy(pos, g->off, ((size_t)n + 1) * sizeof *pos);
    for (size_t i = 0; i < ts->n; i++) {
        const struct tie *t = &ts->t[i];
        uint64_t a = pos[t->u]++, b = pos[t->v]++;
        g->adj[a] = t->v;
        g->adj[b] = t->u;
        d->born[a] = d->born[b] = t->born;
        d->died[a] = d->died[b] = t->died;
    }
    for (uint32_t a = 0; a < n; a++)
        sort_row(d, g->off[a], g->off[a + 1], scratch);
    rc = 0;
out:
    free(pos);
    free(scratch);
    return rc;
}

int dynamics_init(struct dynamics *d, const struct dynamics_params *p, const struct graph *g0,
                  const uint8_t *flags, const uint32_t *labels, int64_t horizon, uint32_t seed)
{
    memset(d, 0, sizeof *d);
    d->people = g0->n;
    struct ties raw = { NULL, 0, 0 }, placed = { NULL, 0, 0 };
    gsl_rng *r = rng_substream_new(seed, DYNAMICS_TAG);
    int rc = -1;
    if (!r || draw_people(d, p, r, horizon))
        goto out;
    for (uint32_t u = 0; u < g0->n; u++)           /* the ties of time 0, rows in order */
        for (uint64_t j = g0->off[u]; j < g0->off[u + 1]; j++) {
            uint32_t v = g0->adj[j];
            if (v > u && push(&raw, u, v, 0, after(0, end_rate(p, labels, u, v), gsl_rng_uniform(r), horizon)))
                goto out;
        }
    d->initial = raw.n;
    if (draw_births(d, p, g0, labels, r, horizon, &raw))
        goto out;
    for (size_t i = 0; i < raw.n; i++)
        if (place(d, &raw.t[i], &placed))
            goto out;
    free(raw.t);
    raw.t = NULL;
    if (build(d, &placed))
        goto out;
    d->owner = malloc(((size_t)d->numbers + 1) * sizeof *d->owner);
    d->flags = calloc((size_t)d->numbers + 1, 1);
    if (!d->owner || !d->flags || (labels && !(d->labels = malloc(((size_t)d->numbers + 1) * sizeof *d->labels))))
        goto out;
    for (uint32_t a = 0; a < d->people; a++) {
        d->owner[a] = a;
        if (d->second[a] != DYNAMICS_NEVER)
            d->owner[d->second[a]] = a;
    }
    for (uint32_t x = 0; x < d->numbers; x++) {
        d->flags[x] = flags ? flags[d->owner[x]] : 0;
        if (labels)
            d->labels[x] = labels[d->owner[x]];
    }
    rc = 0;
out:
    free(raw.t);
    free(placed.t);
    gsl_rng_free(r);
    if (rc)
        dynamics_destroy(d);
    return rc;
}

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : NAN; }

int dynamics_report(struct dynamics *d, struct sim *s, uint32_t acq, int64_t now, const struct knowledge *k)
{
    const struct graph *g = &d->g;
    uint32_t t = now > (int64_t)UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)now;
    int same = k->truth == g;
    if (!d->have_first && !(d->first = calloc((2 * g->m + 63) / 64 + 1, sizeof *d->first))) {
        sim_fail(s, "out of memory in the changing graph's report");
        return -1;
    }
    uint64_t alive_n = 0, alive_f = 0, ever_n = 0, ever_f = 0, dead_f = 0, first_alive = 0;
    for (uint32_t u = 0; u < g->n; u++)
        for (uint64_t j = g->off[u]; j < g->off[u + 1]; j++) {
            uint32_t v = g->adj[j];
            if (v < u)
                continue;
            int found = same ? (int)((k->pair_seen[j >> 6] >> (j & 63)) & 1) : knowledge_has_edge(k, u, v);
            int alive = dynamics_alive(d, j, t);
            ever_n += d->born[j] <= t;
            ever_f += found && d->born[j] <= t;
            alive_n += alive;
            alive_f += alive && found;
            dead_f += found && d->died[j] <= t;
            if (!d->have_first && found) {
                d->first[j >> 6] |= 1ull << (j & 63);
                d->first_n++;
            }
            first_alive += alive && ((d->first[j >> 6] >> (j & 63)) & 1);
        }
    d->have_first = 1;
    uint64_t pairs = k->edges_found + k->false_found;
    double day = (double)now / 86400.0;
    sim_metric(s, acq, day, "day_recall", ratio(alive_f, alive_n));
    sim_metric(s, acq, day, "day_precision", ratio(alive_f, pairs));
    sim_metric(s, acq, day, "ever_recall", ratio(ever_f, ever_n));
    sim_metric(s, acq, day, "stale_share", ratio(dead_f, pairs));
    sim_metric(s, acq, day, "first_still_alive", ratio(first_alive, d->first_n));
    return 0;
}

void dynamics_describe(const struct dynamics *d, FILE *f)
{
    uint32_t joins = 0, leaves = 0;
    for (uint32_t a = 0; a < d->people; a++) {
        joins += d->join[a] > 0;
        leaves += d->leave[a] != DYNAMICS_NEVER;
    }
    fprintf(f, "dynamics: %llu ties at time 0, %llu born (%llu repeats dropped), %u joins, %u leaves, "
            "%u number changes\n", (unsigned long long)d->initial, (unsigned long long)d->born_ties,
            (unsigned long long)d->dropped, joins, leaves, d->numbers - d->people);
}
