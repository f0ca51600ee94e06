/* metrics — coverage intervals and the graph metrics; see metrics.h. */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "serverlog.h"
#include "sim.h"

void coverage_init(struct coverage *c) { memset(c, 0, sizeof *c); }

void coverage_destroy(struct coverage *c)
{
    if (!c)
        return;
    free(c->iv);
    coverage_init(c);
}

int coverage_add(struct coverage *c, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return 0;
    size_t i = 0;
    while (i < c->n && c->iv[i][1] < lo)        /* intervals wholly before */
        i++;
    size_t j = i;
    while (j < c->n && c->iv[j][0] <= hi) {     /* overlapping or touching */
        if (c->iv[j][0] < lo)
            lo = c->iv[j][0];
        if (c->iv[j][1] > hi)
            hi = c->iv[j][1];
        j++;
    }
    if (j == i) {                               /* insert a new interval at i */
        if (c->n == c->cap) {
            size_t cap = c->cap ? 2 * c->cap : 16;
            int64_t (*iv)[2] = realloc(c->iv, cap * sizeof *iv);
            if (!iv)
                return -1;
            c->iv = iv;
            c->cap = cap;
        }
        memmove(c->iv + i + 1, c->iv + i, (c->n - i) * sizeof *c->iv);
        c->n++;
    } else if (j > i + 1) {                     /* merge i..j-1 into i */
        memmove(c->iv + i + 1, c->iv + j, (c->n - j) * sizeof *c->iv);
        c->n -= j - i - 1;
    }
    c->iv[i][0] = lo;
    c->iv[i][1] = hi;
    return 0;
}

int64_t coverage_total(const struct coverage *c)
{
    int64_t t = 0;
    for (size_t i = 0; i < c->n; i++)
        t += c->iv[i][1] - c->iv[i][0];
    return t;
}

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : NAN; }

void metrics_report(struct sim *s, uint32_t acq, int64_t now,
                    const struct knowledge *k, const struct coverage *c)
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

void metrics_report_ego(struct sim *s, uint32_t acq, int64_t now, const struct knowledge *k,
                        const uint32_t *targets, uint32_t ntargets)
{
    const struct graph *g = k->truth;
    uint64_t edges = 0, found = 0;
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
    sim_metric(s, acq, (double)now / 86400.0, "ego_recall", ratio(found, edges));
}

static uint32_t person_behind(const void *ctx, uint32_t epoch, uint32_t pseudonym)
{
    return serverlog_unmask(ctx, epoch, pseudonym);
}

void metrics_report_reid(struct sim *s, uint32_t acq, int64_t now, struct knowledge *k,
                         const struct serverlog *log)
{
    struct knowledge_reid r;
    if (knowledge_reidentify(k, person_behind, log, &r)) {
        sim_fail(s, "out of memory re-identifying pseudonyms");
        return;
    }
    double day = (double)now / 86400.0;
    sim_metric(s, acq, day, "reid_share", ratio(r.linked, r.linkable));
    sim_metric(s, acq, day, "reid_precision", ratio(r.correct, r.linked));
}
