/* legal — per-target outcomes and the cost of the legal process; see
 * legal.h. */
#include "legal.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "metrics.h"
#include "sim.h"

static const char *const band_names[4] = { "ego_recall_rare", "ego_recall_monthly", "ego_recall_weekly",
                                           "ego_recall_daily" };

static int band_of(double w)
{
    return w < 1.0 / 30 ? 0 : w < 1.0 / 7 ? 1 : w < 1 ? 2 : 3;
}

double legal_target_recall(const struct adversary *a, const struct knowledge *k, uint32_t i, const float *w,
                           double lambda, uint64_t found[4], uint64_t all[4])
{
    const struct graph *g = k->truth;
    uint32_t t = a->targets[i], deg = 0, got = 0;
    for (uint64_t j = g->off[t]; j < g->off[t + 1]; j++) {
        int f = knowledge_has_edge(k, t, g->adj[j]);
        deg++;
        got += f;
        double rate = w ? w[j] : lambda;
        if (found && !isnan(rate)) {
            int b = band_of(rate);
            all[b]++;
            found[b] += f;
        }
    }
    return deg ? (double)got / deg : NAN;
}

/* p10, p50, p90 of the n values v (sorted here; NaN without values) under
 * `name`_p10 ... */
static void quantiles(struct sim *s, uint32_t acq, double day, const char *const names[3], double *v, size_t n)
{
    gsl_sort(v, 1, n);
    static const double q[3] = { 0.1, 0.5, 0.9 };
    for (int i = 0; i < 3; i++)
        sim_metric(s, acq, day, names[i], n ? gsl_stats_quantile_from_sorted_data(v, 1, n, q[i]) : NAN);
}

int legal_report(struct sim *s, uint32_t acq, int64_t now, const struct adversary *a, const struct knowledge *k,
                 const float *w, double lambda)
{
    double day = (double)now / 86400.0;
    uint32_t n = a->ntargets;
    double *v = malloc(((size_t)n + 1) * sizeof *v);
    if (!v) {
        sim_fail(s, "out of memory reporting the targets");
        return -1;
    }
    uint64_t found[4] = { 0 }, all[4] = { 0 };
    size_t m = 0;
    double sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        double r = legal_target_recall(a, k, i, w, lambda, found, all);
        if (!isnan(r)) {
            v[m++] = r;
            sum += r;
        }
    }
    sim_metric(s, acq, day, "target_ego_recall_mean", m ? sum / (double)m : NAN);
    quantiles(s, acq, day, (const char *const[3]){ "target_ego_recall_p10", "target_ego_recall_p50",
                                                   "target_ego_recall_p90" }, v, m);
    m = 0;
    for (uint32_t i = 0; i < n; i++) {              /* each target's own covered time */
        struct coverage u;
        coverage_init(&u);
        int rc = 0;
        for (size_t j = 0; !rc && j < a->bulk.n; j++)
            rc = coverage_add(&u, a->bulk.iv[j][0], a->bulk.iv[j][1]);
        for (size_t j = 0; !rc && j < a->tinfo[i].cov.n; j++)
            rc = coverage_add(&u, a->tinfo[i].cov.iv[j][0], a->tinfo[i].cov.iv[j][1]);
        v[m++] = (double)coverage_total(&u) / 86400.0;
        coverage_destroy(&u);
        if (rc) {
            free(v);
            sim_fail(s, "out of memory reporting the targets");
            return -1;
        }
    }
    quantiles(s, acq, day, (const char *const[3]){ "target_covered_days_p10", "target_covered_days_p50",
                                                   "target_covered_days_p90" }, v, m);
    m = 0;
    for (uint32_t i = 0; i < n; i++)
        if (k->first_exposed[a->targets[i]] != UINT32_MAX)
            v[m++] = (double)k->first_exposed[a->targets[i]] / 86400.0;
    quantiles(s, acq, day, (const char *const[3]){ "target_first_day_p10", "target_first_day_p50",
                                                   "target_first_day_p90" }, v, m);
    free(v);
    for (int b = 0; b < 4; b++)
        sim_metric(s, acq, day, band_names[b], all[b] ? (double)found[b] / (double)all[b] : NAN);
    uint64_t ext = 0;
    for (size_t i = 0; i < a->p->n; i++)
        ext += a->extensions[i];
    sim_metric(s, acq, day, "orders_served", (double)a->orders);
    sim_metric(s, acq, day, "extensions", (double)ext);
    sim_metric(s, acq, day, "target_days_ordered", (double)a->target_seconds_ordered / 86400.0);
    sim_metric(s, acq, day, "records_delivered", (double)k->records);
    double ego, precision;                          /* the pooled ego_recall */
    metrics_ego(k, a->targets, a->ntargets, a->target, &ego, &precision);
    sim_metric(s, acq, day, "recall_per_order", a->orders ? ego / (double)a->orders : NAN);
    return 0;
}
