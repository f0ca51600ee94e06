/* metrics — coverage intervals and the graph metrics; see metrics.h. */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "community.h"
#include "sim.h"

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : NAN; }

/* The metrics of the whole graph. */
static void report_basic(struct sim *s, uint32_t acq, int64_t now, const struct knowledge *k,
                         const struct coverage *c)
{
    double day = (double)now / 86400.0;
    sim_metric(s, acq, day, "edge_recall", ratio(k->edges_found, k->truth->m));
    sim_metric(s, acq, day, "edge_precision", ratio(k->edges_found, k->edges_found + k->false_found));
    sim_metric(s, acq, day, "node_coverage", ratio(k->nodes_found, k->truth->n));
    sim_metric(s, acq, day, "covered_days", (double)coverage_total(c) / 86400.0);
    /* First exposure: when each person exposed so far first appeared in a
     * found pair; the mean is exact, the quantiles are the day (from the
     * start) by which half / 90% of them had been exposed. */
    uint64_t total = k->nodes_found, half = 0, p90 = 0, cum = 0;
    double median = NAN, q90 = NAN;
    for (size_t d = 0; d < k->ndays && total; d++) {
        cum += k->exposed_by_day[d];
        if (!half && 2 * cum >= total) {
            half = 1;
            median = (double)d;
        }
        if (!p90 && 10 * cum >= 9 * total) {
            p90 = 1;
            q90 = (double)d;
            break;
        }
    }
    sim_metric(s, acq, day, "exposure_mean_day", total ? k->exposure_sum / total / 86400.0 : NAN);
    sim_metric(s, acq, day, "exposure_median_day", median);
    sim_metric(s, acq, day, "exposure_p90_day", q90);
}

static int is_target(const uint32_t *targets, uint32_t n, uint32_t x)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (targets[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && targets[lo] == x;
}

/* ---- the graph metrics ---------------------------------------------------- */

int metrics_init(struct metrics *m, const struct graph *truth, const uint32_t *labels, gsl_rng *rng)
{
    memset(m, 0, sizeof *m);
    m->truth = truth;
    m->labels = labels;
    m->rng = rng;
    m->nmi = NAN;
    return 0;
}

void metrics_destroy(struct metrics *m)
{
    if (!m)
        return;
    free(m->deg);
    free(m->dist_true);
    free(m->dist_rebuilt);
    free(m->queue);
    free(m->foff);
    free(m->fadj);
    free(m->membership);
    free(m->edges);
    memset(m, 0, sizeof *m);
}

/* Has the adjacency entry j (of a row u, for a neighbour v > u) been found? */
static inline int entry_found(const struct knowledge *k, uint64_t j)
{
    return (int)((k->pair_seen[j >> 6] >> (j & 63)) & 1);
}

/* Is slot i of the non-contact pair set a found pair (seen min_count times)? */
static inline int false_slot(const struct knowledge *k, uint64_t i)
{
    return k->false_pairs.key[i] != PAIRSET_EMPTY && k->false_pairs.count[i] >= k->min_count;
}

static inline int bit(const uint64_t *bits, uint32_t x) { return (int)((bits[x >> 6] >> (x & 63)) & 1); }

void metrics_ego(const struct knowledge *k, const uint32_t *targets, uint32_t ntargets,
                 const uint64_t *tbits, double *recall, double *precision)
{
    const struct graph *g = k->truth;
    uint64_t edges = 0, found = 0, false_found = 0;
    for (uint32_t i = 0; i < ntargets; i++) {
        uint32_t t = targets[i];
        for (uint64_t j = g->off[t]; j < g->off[t + 1]; j++) {
            uint32_t x = g->adj[j];
            if (x < t && is_target(targets, ntargets, x))
                continue;                           /* counted from x's side */
            edges++;
            found += (uint64_t)knowledge_has_edge(k, t, x);
        }
    }
    const struct pairset *ps = &k->false_pairs;     /* non-contact pairs touching a target */
    for (uint64_t i = 0; k->false_found && i < ps->cap; i++) {
        uint64_t key = ps->key[i];
        if (false_slot(k, i) && (bit(tbits, (uint32_t)(key >> 32)) || bit(tbits, (uint32_t)key)))
            false_found++;
    }
    *recall = ratio(found, edges);
    *precision = ratio(found, found + false_found);
}

/* The non-contact pairs as adjacency rows: foff (N + 1), fadj (2F).
 * O(N + capacity of the set). */
static int index_false_pairs(struct metrics *m, const struct knowledge *k)
{
    const struct pairset *ps = &k->false_pairs;
    uint32_t n = k->truth->n;
    if (!m->foff && !(m->foff = malloc(((size_t)n + 1) * sizeof *m->foff)))
        return -1;
    if (2 * k->false_found > m->fcap) {
        uint32_t *f = realloc(m->fadj, 2 * k->false_found * sizeof *f);
        if (!f)
            return -1;
        m->fadj = f;
        m->fcap = 2 * k->false_found;
    }
    memset(m->foff, 0, ((size_t)n + 1) * sizeof *m->foff);
    for (uint64_t i = 0; i < ps->cap; i++) {
        uint64_t key = ps->key[i];
        if (false_slot(k, i)) {
            m->foff[(key >> 32) + 1]++;
            m->foff[(uint32_t)key + 1]++;
        }
    }
    for (uint32_t x = 0; x < n; x++)
        m->foff[x + 1] += m->foff[x];
    for (uint64_t i = 0; i < ps->cap; i++) {        /* fill, then shift the offsets back */
        uint64_t key = ps->key[i];
        if (false_slot(k, i)) {
            uint32_t lo = (uint32_t)(key >> 32), hi = (uint32_t)key;
            m->fadj[m->foff[lo]++] = hi;
            m->fadj[m->foff[hi]++] = lo;
        }
    }
    for (uint32_t x = n; x > 0; x--)
        m->foff[x] = m->foff[x - 1];
    m->foff[0] = 0;
    return 0;
}

#define FAR 0xff                                /* beyond two hops */

/* Breadth-first search from the targets up to two hops, in the true graph
 * (rebuilt = 0) or in the rebuilt one (found pairs, non-contact ones
 * included: foff/fadj must be indexed).  Sets dist[] of every node reached
 * (all others stay FAR) and lists them in queue; returns how many. */
static uint32_t bfs2(const struct metrics *m, const struct knowledge *k, const uint32_t *targets,
                     uint32_t ntargets, int rebuilt, uint8_t *dist, uint32_t *queue)
{
    const struct graph *g = k->truth;
    uint32_t tail = 0;
    for (uint32_t i = 0; i < ntargets; i++) {
        dist[targets[i]] = 0;
        queue[tail++] = targets[i];
    }
    for (uint32_t head = 0; head < tail; head++) {
        uint32_t x = queue[head];
        if (dist[x] >= 2)
            continue;
        uint8_t d = (uint8_t)(dist[x] + 1);
        for (uint64_t j = g->off[x]; j < g->off[x + 1]; j++) {
            uint32_t y = g->adj[j];
            if (dist[y] != FAR)
                continue;
            if (rebuilt && !(y > x ? entry_found(k, j) : knowledge_has_edge(k, y, x)))
                continue;
            dist[y] = d;
            queue[tail++] = y;
        }
        if (!rebuilt || k->false_found == 0)
            continue;
        for (uint64_t j = m->foff[x]; j < m->foff[x + 1]; j++) {
            uint32_t y = m->fadj[j];
            if (dist[y] == FAR) {
                dist[y] = d;
                queue[tail++] = y;
            }
        }
    }
    return tail;
}

int metrics_khop(struct metrics *m, const struct knowledge *k, const uint32_t *targets, uint32_t ntargets,
                 double cov[2])
{
    uint32_t n = k->truth->n;
    if (!m->queue) {
        m->queue = malloc(2 * ((size_t)n ? n : 1) * sizeof *m->queue);
        m->dist_true = malloc((size_t)n ? n : 1);
        m->dist_rebuilt = malloc((size_t)n ? n : 1);
        if (!m->queue || !m->dist_true || !m->dist_rebuilt)
            return -1;
        memset(m->dist_true, FAR, n);
        memset(m->dist_rebuilt, FAR, n);
    }
    if (k->false_found && index_false_pairs(m, k))
        return -1;
    uint32_t *qt = m->queue, *qr = m->queue + n;
    uint32_t nt = bfs2(m, k, targets, ntargets, 0, m->dist_true, qt);
    uint32_t nr = bfs2(m, k, targets, ntargets, 1, m->dist_rebuilt, qr);
    uint64_t in[2] = { 0, 0 }, hit[2] = { 0, 0 };
    for (uint32_t i = 0; i < nt; i++) {
        uint32_t x = qt[i];
        uint8_t dt = m->dist_true[x], dr = m->dist_rebuilt[x];
        for (int h = 1; h <= 2; h++) {
            if (dt < 1 || dt > h)
                continue;
            in[h - 1]++;
            hit[h - 1] += dr >= 1 && dr <= h;
        }
    }
    for (uint32_t i = 0; i < nt; i++)               /* leave the arrays FAR for the next report */
        m->dist_true[qt[i]] = FAR;
    for (uint32_t i = 0; i < nr; i++)
        m->dist_rebuilt[qr[i]] = FAR;
    cov[0] = ratio(hit[0], in[0]);
    cov[1] = ratio(hit[1], in[1]);
    return 0;
}

int metrics_rebuilt_degrees(struct metrics *m, const struct knowledge *k)
{
    const struct graph *g = k->truth;
    if (!m->deg && !(m->deg = malloc(((size_t)g->n ? g->n : 1) * sizeof *m->deg)))
        return -1;
    memcpy(m->deg, k->degree, (size_t)g->n * sizeof *m->deg);   /* kept by the knowledge as pairs are found */
    return 0;
}

int metrics_degree_ks(struct metrics *m, const struct knowledge *k, double *ks)
{
    const struct graph *g = k->truth;
    if (metrics_rebuilt_degrees(m, k))
        return -1;
    uint32_t maxd = 0;
    for (uint32_t x = 0; x < g->n; x++) {
        uint32_t d = graph_degree(g, x);
        maxd = d > maxd ? d : maxd;
        maxd = m->deg[x] > maxd ? m->deg[x] : maxd;
    }
    int64_t *diff = calloc((size_t)maxd + 1, sizeof *diff);   /* count rebuilt - count true, per degree */
    if (!diff)
        return -1;
    for (uint32_t x = 0; x < g->n; x++) {
        diff[m->deg[x]]++;
        diff[graph_degree(g, x)]--;
    }
    int64_t cum = 0, worst = 0;                     /* N (F_rebuilt(d) - F_true(d)) */
    for (uint32_t d = 0; d <= maxd; d++) {
        cum += diff[d];
        int64_t a = cum < 0 ? -cum : cum;
        worst = a > worst ? a : worst;
    }
    free(diff);
    *ks = g->n ? (double)worst / (double)g->n : NAN;
    return 0;
}

int metrics_community_nmi(struct metrics *m, const struct knowledge *k, double *nmi, uint32_t *ncomm)
{
    const struct graph *g = k->truth;
    uint64_t me = k->edges_found + k->false_found, e = 0;
    if (!m->membership && !(m->membership = malloc(((size_t)g->n ? g->n : 1) * sizeof *m->membership)))
        return -1;
    if (2 * me > m->edges_cap) {
        free(m->edges);
        m->edges_cap = 0;
        if (!(m->edges = malloc((me ? 2 * me : 1) * sizeof *m->edges)))
            return -1;
        m->edges_cap = 2 * me;
    }
    for (uint32_t u = 0; u < g->n; u++)             /* in (lo, hi) order: igraph's edge ids follow the rows */
        for (uint64_t j = g->off[u]; j < g->off[u + 1]; j++)
            if (g->adj[j] > u && entry_found(k, j)) {
                m->edges[e++] = u;
                m->edges[e++] = g->adj[j];
            }
    const struct pairset *ps = &k->false_pairs;
    for (uint64_t i = 0; k->false_found && i < ps->cap; i++)
        if (false_slot(k, i)) {
            m->edges[e++] = (uint32_t)(ps->key[i] >> 32);
            m->edges[e++] = (uint32_t)ps->key[i];
        }
    uint32_t seed = m->rng ? (uint32_t)gsl_rng_get(m->rng) : 0, nc = 0;
    int rc = community_leiden(g->n, m->edges, me, seed, m->warm, m->membership, &nc);
    free(m->edges);                                 /* 8 bytes an edge: not kept between reports */
    m->edges = NULL;
    m->edges_cap = 0;
    if (rc)
        return -1;
    m->warm = me > 0;
    if (ncomm)
        *ncomm = nc;
    /* People without a true label (UINT32_MAX: an import's unnamed people)
     * are left out: the found and the true partitions of the others. */
    uint32_t labelled = 0;
    for (uint32_t x = 0; x < g->n; x++)
        labelled += m->labels[x] != UINT32_MAX;
    if (labelled == g->n) {
        *nmi = community_nmi(g->n, m->membership, m->labels);
        return isnan(*nmi) ? -1 : 0;
    }
    uint32_t *a = malloc(((size_t)labelled ? labelled : 1) * sizeof *a);
    uint32_t *b = malloc(((size_t)labelled ? labelled : 1) * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return -1;
    }
    for (uint32_t x = 0, i = 0; x < g->n; x++)
        if (m->labels[x] != UINT32_MAX) {
            a[i] = m->membership[x];
            b[i++] = m->labels[x];
        }
    *nmi = labelled ? community_nmi(labelled, a, b) : NAN;
    free(a);
    free(b);
    return labelled && isnan(*nmi) ? -1 : 0;
}

/* The targets' metrics (c: every instrument holds the targets' records). */
static int report_targets(struct metrics *m, struct sim *s, uint32_t acq, int64_t now,
                          const struct knowledge *k, const uint32_t *targets, uint32_t ntargets,
                          const uint64_t *tbits, const struct coverage *c, const double *tcov)
{
    double day = (double)now / 86400.0, recall, precision, cov[2];
    metrics_ego(k, targets, ntargets, tbits, &recall, &precision);
    if (metrics_khop(m, k, targets, ntargets, cov)) {
        sim_fail(s, "out of memory computing the k-hop coverage");
        return -1;
    }
    sim_metric(s, acq, day, "ego_recall", recall);
    sim_metric(s, acq, day, "ego_precision", precision);
    sim_metric(s, acq, day, "khop_coverage_1", cov[0]);
    sim_metric(s, acq, day, "khop_coverage_2", cov[1]);
    sim_metric(s, acq, day, "target_covered_days", tcov ? tcov[0] : (double)coverage_total(c) / 86400.0);
    sim_metric(s, acq, day, "target_holes", tcov ? tcov[1] : (double)coverage_holes(c));
    sim_metric(s, acq, day, "targets", ntargets);
    return 0;
}

/* degree_ks, and community_nmi with true labels. */
static int report_structure(struct metrics *m, struct sim *s, uint32_t acq, int64_t now,
                            const struct knowledge *k)
{
    double day = (double)now / 86400.0, ks, nmi;
    if (metrics_degree_ks(m, k, &ks)) {
        sim_fail(s, "out of memory computing the degree distribution");
        return -1;
    }
    sim_metric(s, acq, day, "degree_ks", ks);
    if (!m->labels)
        return 0;
    /* Found pairs are never forgotten, so the same number of them is the
     * same rebuilt graph: its communities are those of the last report. */
    uint64_t pairs = k->edges_found + k->false_found;
    if (!isnan(m->nmi) && pairs == m->nmi_pairs) {
        nmi = m->nmi;
    } else {
        if (metrics_community_nmi(m, k, &nmi, NULL)) {
            sim_fail(s, "out of memory (or an igraph error) detecting communities");
            return -1;
        }
        m->nmi = nmi;
        m->nmi_pairs = pairs;
    }
    sim_metric(s, acq, day, "community_nmi", nmi);
    return 0;
}

int metrics_report(struct metrics *m, struct sim *s, uint32_t acq, int64_t now, const struct knowledge *k,
                   const struct coverage *covered, const uint32_t *targets, uint32_t ntargets,
                   const uint64_t *tbits, const double *tcov)
{
    report_basic(s, acq, now, k, covered);
    if (targets && report_targets(m, s, acq, now, k, targets, ntargets, tbits, covered, tcov))
        return -1;
    return report_structure(m, s, acq, now, k);
}
