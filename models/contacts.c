/* contacts — the generators, the <contacts> element and tie strengths; see contacts.h. */
#include "contacts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "mem.h"
#include "rng.h"
#include "sort.h"

/* ---- generators: shared pieces ------------------------------------------ */

/* A growing edge list. */
struct ebuf {
    struct graph_edge *e;
    uint64_t n, cap;
};

static int ebuf_reserve(struct ebuf *b, double expect)
{
    uint64_t cap = (uint64_t)(expect + 6 * sqrt(expect + 1) + 16);
    b->e = malloc(cap * sizeof *b->e);
    b->n = 0;
    b->cap = b->e ? cap : 0;
    return b->e ? 0 : -1;
}

static inline int ebuf_push(struct ebuf *b, uint32_t u, uint32_t v)
{
    if (b->n == b->cap) {
        uint64_t cap = b->cap + b->cap / 4 + 16;
        struct graph_edge *ne = realloc(b->e, cap * sizeof *ne);
        if (!ne)
            return -1;
        b->e = ne;
        b->cap = cap;
    }
    b->e[b->n++] = (struct graph_edge){ u, v };
    return 0;
}

/* Uniform integer in [0, n) for n up to 2^64 - 1. */
static inline uint64_t below64(const gsl_rng *r, uint64_t n)
{
    if (n <= UINT32_MAX)
        return rng_below(r, (uint32_t)n);
    uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;
    do
        x = ((uint64_t)(uint32_t)gsl_rng_get(r) << 32) | (uint32_t)gsl_rng_get(r);
    while (x >= limit);
    return x % n;
}

/* What er_walk does with each pair it draws. */
enum er_mode {
    ER_PUSH,                                  /* onto an edge list */
    ER_COUNT,                                 /* count both ends' degrees: deg[x + 1]++, deg[y + 1]++ */
    ER_FILL                                   /* into rows: adj[pos[x]++] = y, adj[pos[y]++] = x */
};

/* The far ends of ER_COUNT's and ER_FILL's pairs, applied in blocks.  The
 * near end x of a pair {x, y} (x = v) moves forward through the people, so
 * its row is written in address order; y (= w < v) is anyone before it, and
 * written one by one each would be a random access into arrays of hundreds
 * of megabytes (a cache and an address-translation miss; at 10^7 people
 * the build took 13-16 s so, 7-8.5 s grouped).  Staged instead as (y, x)
 * and applied a block at a time grouped by y's top bits (one stable radix
 * pass, sort.h), each group's rows are a few hundred kilobytes.  The sort is stable, so each row receives
 * its far-end entries in walk order, all after its near-end ones (y < x:
 * row y's near end was written when the walk passed y), as applied one by
 * one: the same rows. */
struct er_defer {
    uint64_t *buf, *tmp;                      /* y << 32 | x: staged in walk order; scratch for the grouping */
    size_t n, cap;
    unsigned shift;                           /* y's group: y >> shift, 10 bits at most */
};

#define ER_DEFER_ROW(x) ((x) >> 32)
SORT_RADIX_DEFINE(er_defer_group, uint64_t, ER_DEFER_ROW)

static int er_defer_init(struct er_defer *d, uint32_t n)
{
    memset(d, 0, sizeof *d);
    unsigned bits = 1;
    while (bits < 32 && ((uint64_t)1 << bits) < n)
        bits++;
    d->shift = bits > 10 ? bits - 10 : 0;
    d->cap = n < 4096 ? 4096 : n < CONTACTS_ER_BLOCK ? n : CONTACTS_ER_BLOCK;   /* a small graph: a small block */
    d->buf = malloc(d->cap * sizeof *d->buf);
    d->tmp = malloc(d->cap * sizeof *d->tmp);
    return d->buf && d->tmp ? 0 : -1;
}

static void er_defer_destroy(struct er_defer *d)
{
    free(d->buf);
    free(d->tmp);
    memset(d, 0, sizeof *d);
}

/* Apply the staged far ends, group by group (one stable radix pass on the
 * row's top bits), each in walk order. */
static void er_defer_apply(struct er_defer *d, enum er_mode mode, uint64_t *cnt_pos, uint32_t *adj)
{
    const uint64_t *g = er_defer_group(d->buf, d->tmp, d->n, d->shift, 10);
    if (mode == ER_COUNT)
        for (size_t i = 0; i < d->n; i++)
            cnt_pos[(g[i] >> 32) + 1]++;
    else
        for (size_t i = 0; i < d->n; i++)
            adj[cnt_pos[g[i] >> 32]++] = (uint32_t)g[i];
    d->n = 0;
}

/* Every pair {v, w}, w < v < cnt, of `cnt` people independently with
 * probability p, by geometric skipping over the pairs in the order (1,0),
 * (2,0), (2,1), (3,0), ...: one uniform per edge plus one past the end.
 * Local index i is person ids[i], or lo + i when ids is NULL.  With `same`
 * given, pairs whose two people have the same same[] value are passed over
 * (they still count as pairs for the skipping, so every other pair keeps
 * probability p).  p <= 0 draws nothing.  Each pair drawn is handled as
 * `mode` says (b, or cnt_pos and adj). */
static inline int er_walk(enum er_mode mode, struct ebuf *b, struct er_defer *far, uint64_t *cnt_pos,
                          uint32_t *adj, uint32_t cnt, uint32_t lo, const uint32_t *ids, double p,
                          const uint32_t *same, gsl_rng *r)
{
    if (!(p > 0) || cnt < 2)
        return 0;
    if (p > 1)
        p = 1;
    double lq = log1p(-p);                    /* log(1 - p); -inf when p == 1 */
    int64_t v = 1, w = -1;
    while (v < (int64_t)cnt) {
        if (p >= 1) {
            w++;
        } else {
            double u = gsl_rng_uniform_pos(r);  /* (0, 1) */
            double skip = floor(log(u) / lq);
            if (skip > 4e18)                  /* tiny p: past every pair anyway */
                skip = 4e18;
            w += 1 + (int64_t)skip;
        }
        while (w >= v && v < (int64_t)cnt) {
            w -= v;
            v++;
        }
        if (v < (int64_t)cnt) {
            uint32_t x = ids ? ids[v] : lo + (uint32_t)v, y = ids ? ids[w] : lo + (uint32_t)w;
            if (same && same[x] == same[y])
                continue;
            if (mode != ER_PUSH) {              /* x > y: x's row now, y's staged */
                if (mode == ER_COUNT)
                    cnt_pos[x + 1]++;
                else
                    adj[cnt_pos[x]++] = y;
                far->buf[far->n++] = (uint64_t)y << 32 | x;
                if (far->n == far->cap)
                    er_defer_apply(far, mode, cnt_pos, adj);
            } else if (ebuf_push(b, x, y)) {
                return -1;
            }
        }
    }
    if (mode != ER_PUSH)
        er_defer_apply(far, mode, cnt_pos, adj);
    return 0;
}

static int er_pairs(struct ebuf *b, uint32_t cnt, uint32_t lo, const uint32_t *ids, double p,
                    const uint32_t *same, gsl_rng *r)
{
    return er_walk(ER_PUSH, b, NULL, NULL, NULL, cnt, lo, ids, p, same, r);
}

/* ---- generators ---------------------------------------------------------- */

int contacts_erdos_renyi_rows(struct graph *g, uint32_t n, double mean_degree, gsl_rng *r)
{
    double p = n > 1 ? mean_degree / (double)(n - 1) : 0;
    memset(g, 0, sizeof *g);
    g->n = n;
    gsl_rng *count = gsl_rng_clone(r);
    struct er_defer far;
    g->off = calloc((size_t)n + 1, sizeof *g->off);
    if (er_defer_init(&far, n) || !count || !g->off) {
        gsl_rng_free(count);
        er_defer_destroy(&far);
        graph_destroy(g);
        return -1;
    }
    er_walk(ER_COUNT, NULL, &far, g->off, NULL, n, 0, NULL, p, NULL, count);
    gsl_rng_free(count);
    for (uint32_t a = 0; a < n; a++)
        g->off[a + 1] += g->off[a];
    g->m = g->off[n] / 2;
    if (!(g->adj = malloc((g->off[n] ? g->off[n] : 1) * sizeof *g->adj))) {
        er_defer_destroy(&far);
        graph_destroy(g);
        return -1;
    }
    mem_prefault(g->adj, g->off[n] * sizeof *g->adj);   /* written whole */
    /* the same draws again, each pair into both rows: off[a] ends at the
     * start of row a + 1; a row gets its smaller neighbours (w < a, as a
     * is v) before its larger ones (as w, in the order of v), each in
     * increasing order, so every row is sorted */
    er_walk(ER_FILL, NULL, &far, g->off, g->adj, n, 0, NULL, p, NULL, r);
    er_defer_destroy(&far);
    for (uint32_t a = n; a > 1; a--)
        g->off[a - 1] = g->off[a - 2];
    g->off[0] = 0;
    return 0;
}

int contacts_erdos_renyi(struct graph *g, uint32_t n, double mean_degree, gsl_rng *r)
{
    return contacts_erdos_renyi_rows(g, n, mean_degree, r);
}

int contacts_erdos_renyi_list(struct graph *g, uint32_t n, double mean_degree, gsl_rng *r)
{
    double p = mean_degree / (double)(n - 1);
    if (p > 1)
        p = 1;
    double m = p * (double)n * (double)(n - 1) / 2;   /* expected */
    struct ebuf b;
    if (ebuf_reserve(&b, m))
        return -1;
    int rc = er_pairs(&b, n, 0, NULL, p, NULL, r);
    if (!rc)
        rc = graph_from_edges(g, n, b.e, b.n);
    free(b.e);
    return rc;
}

int contacts_barabasi_albert(struct graph *g, uint32_t n, uint32_t m, gsl_rng *r)
{
    if (m < 1 || m >= n)
        return -1;
    uint64_t total = (uint64_t)m * (m + 1) / 2 + (uint64_t)(n - m - 1) * m, k = 0;
    struct graph_edge *e = malloc((total ? total : 1) * sizeof *e);
    uint32_t *chosen = malloc((size_t)m * sizeof *chosen);
    int rc = -1;
    if (!e || !chosen)
        goto cleanup;
    for (uint32_t a = 1; a <= m; a++)         /* the seed clique on 0..m */
        for (uint32_t b = 0; b < a; b++)
            e[k++] = (struct graph_edge){ a, b };
    for (uint32_t v = m + 1; v < n; v++) {
        /* An endpoint of a uniform edge-end is a person chosen with
         * probability degree / (2 edges): linear preferential attachment. */
        uint64_t ends = 2 * k;
        for (uint32_t i = 0; i < m; i++) {
            uint32_t t;
            int again;
            do {
                uint64_t x = below64(r, ends);
                t = (x & 1) ? e[x >> 1].v : e[x >> 1].u;
                again = 0;
                for (uint32_t j = 0; j < i; j++)
                    again |= chosen[j] == t;
            } while (again);
            chosen[i] = t;
        }
        for (uint32_t i = 0; i < m; i++)
            e[k++] = (struct graph_edge){ v, chosen[i] };
    }
    rc = graph_from_edges(g, n, e, k);
cleanup:
    free(e);
    free(chosen);
    return rc;
}

int contacts_watts_strogatz(struct graph *g, uint32_t n, uint32_t k, double beta, gsl_rng *r,
                            uint64_t *duplicates)
{
    if (k < 2 || k % 2 || k >= n || !(beta >= 0 && beta <= 1))
        return -1;
    uint64_t total = (uint64_t)n * (k / 2), i = 0;
    struct graph_edge *e = malloc(total * sizeof *e);
    if (!e)
        return -1;
    for (uint32_t a = 0; a < n; a++)
        for (uint32_t j = 1; j <= k / 2; j++) {
            uint32_t t = (uint32_t)(((uint64_t)a + j) % n);
            if (gsl_rng_uniform(r) < beta) {
                do
                    t = rng_below(r, n);
                while (t == a);
            }
            e[i++] = (struct graph_edge){ a, t };
        }
    int rc = graph_from_edges_simple(g, n, e, total, NULL, duplicates);
    free(e);
    return rc;
}

int contacts_sbm(struct graph *g, uint32_t n, uint32_t blocks, double p_in, double p_out,
                 gsl_rng *r, uint32_t **labels)
{
    *labels = NULL;
    if (blocks < 1 || blocks > n || !(p_in >= 0 && p_in <= 1) || !(p_out >= 0 && p_out <= 1))
        return -1;
    uint32_t *lab = malloc((size_t)n * sizeof *lab);
    if (!lab)
        return -1;
    double within = 0;
    for (uint32_t i = 0; i < n; i++)
        lab[i] = (uint32_t)((uint64_t)i * blocks / n);
    for (uint32_t b = 0; b < blocks; b++) {
        double s = ceil((double)(b + 1) * n / blocks) - ceil((double)b * n / blocks);
        within += s * (s - 1) / 2;
    }
    double all = (double)n * (n - 1) / 2;
    struct ebuf eb;
    int rc = -1;
    if (ebuf_reserve(&eb, p_in * within + p_out * (all - within)))
        goto cleanup;
    for (uint32_t start = 0, i = 1; i <= n; i++)   /* within each block */
        if (i == n || lab[i] != lab[start]) {
            if (er_pairs(&eb, i - start, start, NULL, p_in, NULL, r))
                goto cleanup;
            start = i;
        }
    if (er_pairs(&eb, n, 0, NULL, p_out, lab, r))  /* across blocks */
        goto cleanup;
    rc = graph_from_edges(g, n, eb.e, eb.n);
cleanup:
    free(eb.e);
    if (rc)
        free(lab);
    else
        *labels = lab;
    return rc;
}

/* 1 + Poisson(mean - 1): a group size of the given mean, at least 1. */
static uint32_t group_size(gsl_rng *r, double mean)
{
    return mean > 1 ? 1 + gsl_ran_poisson(r, mean - 1) : 1;
}

int contacts_layered(struct graph *g, uint32_t n, const struct contacts_layered *lp,
                     const uint8_t *flags, uint8_t worker_bit, gsl_rng *r, uint32_t **labels,
                     uint64_t *merged)
{
    *labels = NULL;
    uint32_t *lab = malloc((size_t)n * sizeof *lab), *workers = NULL, nw = 0;
    struct ebuf eb = { 0 };
    int rc = -1;
    double h = lp->household_mean, pc = n > 1 ? lp->community_degree / (n - 1) : 0;
    if (!lab || ebuf_reserve(&eb, n * ((h - 1) / 2 + lp->work_degree / 2 + lp->community_degree / 2 + 1)))
        goto cleanup;
    uint32_t hid = 0;
    for (uint32_t i = 0; i < n; hid++) {      /* households: cliques of consecutive ids */
        uint32_t s = group_size(r, h);
        if (s > n - i)
            s = n - i;
        for (uint32_t a = i; a < i + s; a++) {
            lab[a] = hid;
            for (uint32_t b = i; b < a; b++)
                if (ebuf_push(&eb, a, b))
                    goto cleanup;
        }
        i += s;
    }
    if (flags) {                          /* workplaces among the shuffled workers */
        for (uint32_t a = 0; a < n; a++)
            nw += (flags[a] & worker_bit) != 0;
        workers = malloc((nw ? nw : 1) * sizeof *workers);
        if (!workers)
            goto cleanup;
        nw = 0;
        for (uint32_t a = 0; a < n; a++)
            if (flags[a] & worker_bit)
                workers[nw++] = a;
        for (uint32_t i = nw; i > 1; i--) {
            uint32_t j = rng_below(r, i), t = workers[i - 1];
            workers[i - 1] = workers[j];
            workers[j] = t;
        }
        for (uint32_t i = 0; i < nw;) {
            uint32_t s = group_size(r, lp->workplace_mean);
            if (s > nw - i)
                s = nw - i;
            double p = s > 1 ? lp->work_degree / (s - 1) : 0;
            if (er_pairs(&eb, s, 0, workers + i, p > 1 ? 1 : p, NULL, r))
                goto cleanup;
            i += s;
        }
    }
    if (er_pairs(&eb, n, 0, NULL, pc, NULL, r))   /* community */
        goto cleanup;
    rc = graph_from_edges_simple(g, n, eb.e, eb.n, NULL, merged);
cleanup:
    free(eb.e);
    free(workers);
    if (rc)
        free(lab);
    else
        *labels = lab;
    return rc;
}

double contacts_powerlaw_mean(double exponent, uint32_t kmin, uint32_t kmax)
{
    double s0 = 0, s1 = 0;
    for (uint32_t k = kmax; k >= kmin && k > 0; k--) {   /* small terms first */
        double w = pow(k, -exponent);
        s0 += w;
        s1 += w * k;
    }
    return s1 / s0;
}

/* Stub s of the flattened stub array held in an edge list. */
static inline uint32_t *stub(struct graph_edge *e, uint64_t s)
{
    return (s & 1) ? &e[s >> 1].v : &e[s >> 1].u;
}

int contacts_configuration(struct graph *g, uint32_t n, double exponent, uint32_t kmin,
                           uint32_t kmax, gsl_rng *r, uint64_t *odd_fixed,
                           uint64_t *self_loops, uint64_t *duplicates)
{
    *odd_fixed = 0;
    if (kmin < 1 || kmin > kmax || kmax >= n || !(exponent > 0))
        return -1;
    size_t nk = (size_t)(kmax - kmin) + 1;
    double *cdf = malloc(nk * sizeof *cdf);
    uint32_t *deg = malloc((size_t)n * sizeof *deg);
    struct graph_edge *e = NULL;
    int rc = -1;
    if (!cdf || !deg)
        goto cleanup;
    double sum = 0;
    for (size_t i = 0; i < nk; i++)
        cdf[i] = sum += pow((double)(kmin + i), -exponent);
    for (size_t i = 0; i < nk; i++)
        cdf[i] /= sum;
    cdf[nk - 1] = 1;
    uint64_t stubs = 0;
    for (uint32_t a = 0; a < n; a++) {        /* inversion: least i with cdf[i] > u */
        double u = gsl_rng_uniform(r);
        size_t lo = 0, hi = nk - 1;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cdf[mid] > u)
                hi = mid;
            else
                lo = mid + 1;
        }
        deg[a] = kmin + (uint32_t)lo;
        stubs += deg[a];
    }
    if (stubs % 2) {                          /* the documented fix for an odd sum */
        uint32_t x = rng_below(r, n);
        if (deg[x] < kmax)
            deg[x]++, stubs++;
        else
            deg[x]--, stubs--;
        *odd_fixed = (uint64_t)x + 1;
    }
    e = malloc((stubs / 2 ? stubs / 2 : 1) * sizeof *e);
    if (!e)
        goto cleanup;
    uint64_t s = 0;
    for (uint32_t a = 0; a < n; a++)
        for (uint32_t j = 0; j < deg[a]; j++)
            *stub(e, s++) = a;
    free(deg);
    deg = NULL;
    for (uint64_t i = stubs; i > 1; i--) {    /* Fisher-Yates: a uniform pairing */
        uint64_t j = below64(r, i);
        uint32_t *x = stub(e, i - 1), *y = stub(e, j), t = *x;
        *x = *y;
        *y = t;
    }
    rc = graph_from_edges_simple(g, n, e, stubs / 2, self_loops, duplicates);
cleanup:
    free(cdf);
    free(deg);
    free(e);
    return rc;
}

/* ---- configuration -------------------------------------------------------- */

static const char *const kind_names[] = {
    [CONTACTS_ERDOS_RENYI] = "erdos_renyi", [CONTACTS_BARABASI_ALBERT] = "barabasi_albert",
    [CONTACTS_WATTS_STROGATZ] = "watts_strogatz", [CONTACTS_SBM] = "stochastic_block",
    [CONTACTS_LAYERED] = "layered", [CONTACTS_CONFIGURATION] = "configuration",
    [CONTACTS_EDGE_LIST] = "edge_list", [CONTACTS_GRAPHML] = "graphml", [CONTACTS_TRACE] = "trace",
};

const char *contacts_kind_name(enum contacts_kind kind) { return kind_names[kind]; }

int64_t contacts_communities(const struct contacts_params *p)
{
    switch (p->kind) {
    case CONTACTS_SBM: return (int64_t)p->blocks;
    case CONTACTS_LAYERED:
    case CONTACTS_EDGE_LIST:
    case CONTACTS_GRAPHML: return 0;
    default: return -1;
    }
}

/* A whole-number attribute in [1, n - 1] or [1, n]. */
static int get_count(struct cfg *c, const struct cfg_node *e, const char *attr, long lo, long hi,
                     uint32_t *out)
{
    long v = 0;
    if (cfg_long(c, e, attr, 0, &v))
        return -1;
    if (v < lo || v > hi)
        return cfg_error(c, e, attr, "must be %ld to %ld for N = %ld (got %ld)", lo, hi, hi + 1, v);
    *out = (uint32_t)v;
    return 0;
}

static int get_prob(struct cfg *c, const struct cfg_node *e, const char *attr, double *out)
{
    if (cfg_double(c, e, attr, 0, out))
        return -1;
    if (!(*out >= 0 && *out <= 1))
        return cfg_error(c, e, attr, "is a probability: must be 0 to 1 (got %g)", *out);
    return 0;
}

/* The file an element names, relative to the scenario's directory unless
 * absolute (malloc'd), or NULL with a diagnostic. */
static char *file_path(struct cfg *c, const struct cfg_node *e)
{
    const char *f = cfg_str(e, "file", "");
    if (!f[0]) {
        cfg_error(c, e, "file", "names no file");
        return NULL;
    }
    const char *scen = cfg_path(c), *slash = strrchr(scen, '/');
    size_t dl = f[0] == '/' || !slash ? 0 : (size_t)(slash - scen) + 1;
    char *out = malloc(dl + strlen(f) + 1);
    if (!out) {
        cfg_error(c, e, "file", "out of memory");
        return NULL;
    }
    memcpy(out, scen, dl);
    strcpy(out + dl, f);
    return out;
}

static enum graphio_format file_format(const struct cfg_node *e)
{
    const char *f = cfg_str(e, "format", "auto");
    return strcmp(f, "csv") == 0 ? GRAPHIO_CSV : strcmp(f, "whitespace") == 0 ? GRAPHIO_WHITESPACE : GRAPHIO_AUTO;
}

struct trace_key {
    int64_t t;
    size_t i;
};

static int cmp_trace(const void *x, const void *y)
{
    const struct trace_key *a = x, *b = y;
    if (a->t != b->t)
        return (a->t > b->t) - (a->t < b->t);
    return (a->i > b->i) - (a->i < b->i);
}

/* The replay: messages of the file within [start, horizon), by time. */
static int trace_build(struct contacts_params *p, struct cfg *c, const struct cfg_node *e, int64_t horizon)
{
    struct graphio_table *t = p->file;
    struct contacts_trace *tr = &p->trace;
    if (t->n == 0)
        return cfg_error(c, e, "file", "the trace has no messages");
    int64_t first = t->t[0];
    for (size_t i = 1; i < t->n; i++)
        if (t->t[i] < first)
            first = t->t[i];
    double start = 0;
    if (cfg_double(c, e, "start_unix", (double)(first - ((first % 86400) + 86400) % 86400), &start))
        return -1;
    /* Times are within 2^53 of 0 (graphio); so must the start be, so that
     * time - start_unix cannot overflow. */
    if (!(fabs(start) <= (double)GRAPHIO_MAX_TIME))
        return cfg_error(c, e, "start_unix", "must be within %lld seconds of 0 (2^53), as trace times are "
                         "(got %s)", (long long)GRAPHIO_MAX_TIME, cfg_str(e, "start_unix", ""));
    tr->start_unix = (int64_t)start;
    struct trace_key *k = malloc(t->n * sizeof *k);
    tr->a = malloc(t->n * sizeof *tr->a);
    tr->b = malloc(t->n * sizeof *tr->b);
    tr->t = malloc(t->n * sizeof *tr->t);
    if (!k || !tr->a || !tr->b || !tr->t) {
        free(k);
        return cfg_error(c, e, "file", "out of memory");
    }
    size_t m = 0;
    for (size_t i = 0; i < t->n; i++) {
        int64_t rel = t->t[i] - tr->start_unix;
        if (rel < 0)
            tr->before++;
        else if (rel >= horizon)
            tr->after++;
        else if (t->u[i] == t->v[i])
            tr->self++;
        else
            k[m++] = (struct trace_key){ rel, i };
    }
    qsort(k, m, sizeof *k, cmp_trace);
    for (size_t j = 0; j < m; j++) {
        tr->a[j] = t->u[k[j].i];
        tr->b[j] = t->v[k[j].i];
        tr->t[j] = (uint32_t)k[j].t;
    }
    tr->n = m;
    free(k);
    if (m == 0)
        return cfg_error(c, e, "file", "no message of the trace falls in the run (%zu before start_unix "
                         "%lld, %zu at or after the horizon, %zu to the sender itself)", tr->before,
                         (long long)tr->start_unix, tr->after, tr->self);
    return 0;
}

/* Read an imported graph or trace. */
static int configure_file(struct contacts_params *p, struct cfg *c, const struct cfg_node *e, uint32_t n,
                          int64_t horizon)
{
    struct diag *d = cfg_diag(c);
    char *path = file_path(c, e), *labels = NULL;
    int rc = -1;
    if (!path)
        return -1;
    p->file = malloc(sizeof *p->file);
    if (!p->file) {
        cfg_error(c, e, "file", "out of memory");
        goto cleanup;
    }
    graphio_table_init(p->file);
    struct graphio_opts o = { file_format(e), strcmp(cfg_str(e, "header", "false"), "true") == 0
                              || strcmp(cfg_str(e, "header", "false"), "1") == 0,
                              p->kind == CONTACTS_TRACE ? GRAPHIO_TIME : GRAPHIO_WEIGHT };
    int bad;
    if (p->kind == CONTACTS_GRAPHML)
        bad = graphio_read_graphml(path, cfg_str(e, "weight_attr", "weight"),
                                   cfg_str(e, "label_attr", "community"), p->file, d);
    else
        bad = graphio_read_edges(path, &o, p->file, d);
    if (!bad && p->kind == CONTACTS_EDGE_LIST && cfg_has(e, "labels")) {
        const char *lf = cfg_str(e, "labels", "");
        const char *scen = cfg_path(c), *slash = strrchr(scen, '/');
        size_t dl = lf[0] == '/' || !slash ? 0 : (size_t)(slash - scen) + 1;
        if (!(labels = malloc(dl + strlen(lf) + 1))) {
            cfg_error(c, e, "labels", "out of memory");
            goto cleanup;
        }
        memcpy(labels, scen, dl);
        strcpy(labels + dl, lf);
        struct graphio_opts lo = { GRAPHIO_AUTO, 0, GRAPHIO_NONE };
        if (graphio_read_labels(labels, &lo, p->file, d)) {
            cfg_error(c, e, "labels", "the labels file above could not be used");
            goto cleanup;
        }
    }
    if (bad) {
        cfg_error(c, e, "file", "the file above could not be used");
        goto cleanup;
    }
    size_t pairs = 0;                         /* rows that are not self-loops */
    for (size_t i = 0; i < p->file->n; i++)
        pairs += p->file->u[i] != p->file->v[i];
    if (p->kind != CONTACTS_TRACE && pairs == 0) {
        if (p->file->n == 0)
            cfg_error(c, e, "file", "the file holds no edge: with no contacts every metric would be NA");
        else
            cfg_error(c, e, "file", "every edge of the file (%zu) is a self-loop, which is no contact: with no "
                      "contacts every metric would be NA", p->file->n);
        goto cleanup;
    }
    if (p->file->nodes.n > n) {
        cfg_error(c, e, "file", "names %u people, more than population@size = %u: make the population "
                  "at least that large (extra people have no contacts)", p->file->nodes.n, n);
        goto cleanup;
    }
    if (p->kind == CONTACTS_TRACE && trace_build(p, c, e, horizon))
        goto cleanup;
    rc = 0;
cleanup:
    free(path);
    free(labels);
    return rc;
}

void contacts_params_destroy(struct contacts_params *p)
{
    if (!p)
        return;
    graphio_table_destroy(p->file);
    free(p->file);
    free(p->trace.a);
    free(p->trace.b);
    free(p->trace.t);
    p->file = NULL;
    memset(&p->trace, 0, sizeof p->trace);
}

int contacts_configure(struct contacts_params *p, struct cfg *c, const struct cfg_node *contacts,
                       uint32_t n, int64_t horizon)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    const struct cfg_node *e = cfg_first(contacts);
    if (!e)
        return cfg_error(c, contacts, NULL, "needs a generator element");
    const char *name = cfg_name(e);
    size_t kind = 0;
    while (kind < sizeof kind_names / sizeof kind_names[0] && strcmp(kind_names[kind], name))
        kind++;
    if (kind == sizeof kind_names / sizeof kind_names[0])
        return cfg_error(c, e, NULL, "unknown contact generator");
    p->kind = (enum contacts_kind)kind;
    long nm1 = (long)n - 1;
    int rc = 0;
    switch (p->kind) {
    case CONTACTS_ERDOS_RENYI:
        if (cfg_double(c, e, "mean_degree", 0, &p->mean_degree))
            return -1;
        if (!(p->mean_degree > 0) || p->mean_degree > (double)nm1)
            return cfg_error(c, e, "mean_degree", "must be above 0 and at most N - 1 = %ld, the degree "
                             "of a complete graph (got %g)", nm1, p->mean_degree);
        break;
    case CONTACTS_BARABASI_ALBERT:
        rc = get_count(c, e, "m", 1, nm1, &p->m);
        break;
    case CONTACTS_WATTS_STROGATZ:
        rc = get_count(c, e, "k", 2, nm1, &p->k);
        rc |= get_prob(c, e, "beta", &p->beta);
        if (!rc && p->k % 2)
            rc = cfg_error(c, e, "k", "must be even: k/2 neighbours on each side of the ring (got %u)", p->k);
        break;
    case CONTACTS_SBM:
        rc = get_count(c, e, "blocks", 1, (long)n, &p->blocks);
        rc |= get_prob(c, e, "p_in", &p->p_in);
        rc |= get_prob(c, e, "p_out", &p->p_out);
        break;
    case CONTACTS_LAYERED: {
        struct contacts_layered *l = &p->layered;
        rc |= cfg_double(c, e, "household_mean", 2.5, &l->household_mean);
        rc |= cfg_double(c, e, "workplace_mean", 20, &l->workplace_mean);
        rc |= cfg_double(c, e, "work_degree", 8, &l->work_degree);
        rc |= cfg_double(c, e, "community_degree", 6, &l->community_degree);
        if (rc)
            return -1;
        if (!(l->household_mean >= 1 && l->household_mean <= 50))
            rc = cfg_error(c, e, "household_mean", "must be 1 to 50 (got %g)", l->household_mean);
        if (!(l->workplace_mean >= 1 && l->workplace_mean <= 100000))
            rc = cfg_error(c, e, "workplace_mean", "must be 1 to 100000 (got %g)", l->workplace_mean);
        if (!(l->work_degree >= 0))
            rc = cfg_error(c, e, "work_degree", "must be 0 or more (got %g)", l->work_degree);
        if (!(l->community_degree >= 0) || l->community_degree > (double)nm1)
            rc = cfg_error(c, e, "community_degree", "must be 0 to N - 1 = %ld (got %g)", nm1,
                           l->community_degree);
        break;
    }
    case CONTACTS_CONFIGURATION:
        if (cfg_double(c, e, "exponent", 0, &p->exponent))
            return -1;
        if (!(p->exponent > 0))
            rc = cfg_error(c, e, "exponent", "must be above 0 (got %g)", p->exponent);
        rc |= get_count(c, e, "min_degree", 1, nm1, &p->kmin);
        rc |= get_count(c, e, "max_degree", 1, nm1, &p->kmax);
        if (!rc && p->kmax < p->kmin)
            rc = cfg_error(c, e, "max_degree", "must be at least min_degree = %u (got %u)", p->kmin, p->kmax);
        break;
    case CONTACTS_EDGE_LIST:
    case CONTACTS_GRAPHML:
    case CONTACTS_TRACE:
        rc = configure_file(p, c, e, n, horizon);
        break;
    }
    return rc ? -1 : 0;
}

/* The graph of an imported file (or of the replayed messages of a trace):
 * self-loops erased and repeated pairs merged, counted; the file's labels
 * and (summed) weights kept. */
static int generate_file(struct contacts *out, const struct contacts_params *p)
{
    const struct graphio_table *t = p->file;
    int trace = p->kind == CONTACTS_TRACE;
    size_t m = trace ? p->trace.n : t->n;
    struct graph_edge *e = malloc((m ? m : 1) * sizeof *e);
    if (!e)
        return -1;
    for (size_t i = 0; i < m; i++)
        e[i] = trace ? (struct graph_edge){ p->trace.a[i], p->trace.b[i] } : (struct graph_edge){ t->u[i], t->v[i] };
    int rc = graph_from_edges_simple(&out->g, p->n, e, m, &out->self_loops, &out->duplicates);
    free(e);
    if (rc)
        return -1;
    const struct graph *g = &out->g;
    if (t->label) {
        if (!(out->labels = malloc((size_t)p->n * sizeof *out->labels)))
            return -1;
        for (uint32_t a = 0; a < p->n; a++)
            out->labels[a] = a < t->nodes.n ? t->label[a] : UINT32_MAX;
    }
    if (!trace && t->has_weight) {
        if (!(out->weight = calloc(g->off[g->n] ? g->off[g->n] : 1, sizeof *out->weight)))
            return -1;
        for (size_t i = 0; i < t->n; i++) {
            if (t->u[i] == t->v[i])
                continue;
            out->weight[graph_find(g, t->u[i], t->v[i])] += (float)t->w[i];
            out->weight[graph_find(g, t->v[i], t->u[i])] += (float)t->w[i];
        }
        out->file_weights = 1;
    }
    return 0;
}

int contacts_tie_file(struct contacts *c, double mean)
{
    const struct graph *g = &c->g;
    uint64_t entries = g->off[g->n];
    double sum = 0;
    if (!c->weight || !entries)
        return -1;
    for (uint64_t j = 0; j < entries; j++)
        sum += c->weight[j];
    if (!(sum > 0))
        return -1;
    double scale = mean * (double)entries / sum;
    for (uint64_t j = 0; j < entries; j++)
        c->weight[j] = (float)(c->weight[j] * scale);
    return 0;
}

int contacts_generate(struct contacts *out, const struct contacts_params *p,
                      const uint8_t *flags, uint8_t worker_bit, gsl_rng *r)
{
    memset(out, 0, sizeof *out);
    switch (p->kind) {
    case CONTACTS_ERDOS_RENYI:
        return contacts_erdos_renyi(&out->g, p->n, p->mean_degree, r);
    case CONTACTS_BARABASI_ALBERT:
        return contacts_barabasi_albert(&out->g, p->n, p->m, r);
    case CONTACTS_WATTS_STROGATZ:
        return contacts_watts_strogatz(&out->g, p->n, p->k, p->beta, r, &out->duplicates);
    case CONTACTS_SBM:
        return contacts_sbm(&out->g, p->n, p->blocks, p->p_in, p->p_out, r, &out->labels);
    case CONTACTS_LAYERED:
        return contacts_layered(&out->g, p->n, &p->layered, flags, worker_bit, r, &out->labels,
                                &out->duplicates);
    case CONTACTS_CONFIGURATION:
        return contacts_configuration(&out->g, p->n, p->exponent, p->kmin, p->kmax, r,
                                      &out->odd_fixed, &out->self_loops, &out->duplicates);
    case CONTACTS_EDGE_LIST:
    case CONTACTS_GRAPHML:
    case CONTACTS_TRACE:
        return generate_file(out, p);
    }
    return -1;
}

void contacts_destroy(struct contacts *c)
{
    if (!c)
        return;
    graph_destroy(&c->g);
    free(c->labels);
    free(c->weight);
    memset(c, 0, sizeof *c);
}

int contacts_tie_lognormal(struct contacts *c, double mean, double sigma, gsl_rng *r)
{
    const struct graph *g = &c->g;
    uint64_t entries = g->off[g->n];
    free(c->weight);
    c->weight = malloc((entries ? entries : 1) * sizeof *c->weight);
    if (!c->weight)
        return -1;
    for (uint32_t a = 0; a < g->n; a++)
        for (uint64_t j = g->off[a]; j < g->off[a + 1]; j++) {
            uint32_t b = g->adj[j];
            if (b < a)
                continue;
            float w = (float)(mean * exp(sigma * gsl_ran_ugaussian(r) - sigma * sigma / 2));
            c->weight[j] = w;
            c->weight[graph_find(g, b, a)] = w;
        }
    return 0;
}
