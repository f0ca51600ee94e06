/* legal — per-target outcomes and the cost of the legal process; see
 * legal.h. */
#include "legal.h"

#include <math.h>
#include <stdio.h>
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

/* ---- when each contact was first known ------------------------------------------ */

void legal_init(struct legal *l) { *l = (struct legal){ 0 }; }

void legal_destroy(struct legal *l)
{
    free(l->key);
    free(l->at);
    legal_init(l);
}

static size_t slot_of(const struct legal *l, uint64_t key)
{
    uint64_t h = key * 0x9e3779b97f4a7c15ull;
    size_t i = (size_t)(h >> 17) & (l->cap - 1);
    while (l->key[i] != UINT64_MAX && l->key[i] != key)
        i = (i + 1) & (l->cap - 1);
    return i;
}

/* The time the pair was first known, or -1. */
static int64_t first_known(const struct legal *l, uint32_t target, uint32_t contact)
{
    if (!l->cap)
        return -1;
    uint64_t key = (uint64_t)target << 32 | contact;
    size_t i = slot_of(l, key);
    return l->key[i] == key ? l->at[i] : -1;
}

/* Note {target, contact} known at `at` unless it was before.  0 or -1 (OOM). */
static int note_known(struct legal *l, uint32_t target, uint32_t contact, int64_t at)
{
    if (2 * (l->n + 1) > l->cap) {                  /* at most half full */
        struct legal g = { .cap = l->cap ? 2 * l->cap : 1024, .last = l->last, .reported = l->reported };
        if (!(g.key = malloc(g.cap * sizeof *g.key)) || !(g.at = malloc(g.cap * sizeof *g.at))) {
            free(g.key);
            return -1;
        }
        for (size_t i = 0; i < g.cap; i++)
            g.key[i] = UINT64_MAX;
        for (size_t i = 0; i < l->cap; i++)
            if (l->key[i] != UINT64_MAX) {
                size_t j = slot_of(&g, l->key[i]);
                g.key[j] = l->key[i];
                g.at[j] = l->at[i];
            }
        g.n = l->n;
        legal_destroy(l);
        *l = g;
    }
    uint64_t key = (uint64_t)target << 32 | contact;
    size_t i = slot_of(l, key);
    if (l->key[i] != key) {
        l->key[i] = key;
        l->at[i] = at;
        l->n++;
    }
    return 0;
}

/* Target i's own covered time in days: the union of the bulk windows and
 * its own.  0 or -1 (OOM). */
static int target_days(const struct adversary *a, uint32_t i, double *days)
{
    struct coverage u;
    int rc = adversary_target_union(a, i, &u);
    *days = (double)coverage_total(&u) / 86400.0;
    coverage_destroy(&u);
    return rc;
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

int legal_report(struct sim *s, struct legal *l, uint32_t acq, int64_t now, const struct adversary *a,
                 const struct knowledge *k, const float *w, double lambda)
{
    double day = (double)now / 86400.0;
    uint32_t n = a->ntargets;
    const struct graph *g = k->truth;
    l->last = now;
    l->reported = 1;
    for (uint32_t i = 0; i < n; i++) {              /* the contacts known from now on */
        uint32_t t = a->targets[i];
        for (uint64_t j = g->off[t]; j < g->off[t + 1]; j++)
            if (knowledge_has_edge(k, t, g->adj[j]) && note_known(l, t, g->adj[j], now)) {
                sim_fail(s, "out of memory reporting the targets");
                return -1;
            }
    }
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
        if (target_days(a, i, &v[m++])) {
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

/* Did the last report count target i?  (The first targets, and those an
 * expansion before it found.) */
static int counted(const struct legal *l, const struct adversary *a, uint32_t i)
{
    return l->reported && (a->depth[i] == 0 || a->tinfo[i].since < l->last);
}

void legal_tables(struct sim *s, const struct legal *l, const struct adversary *a, const struct knowledge *k,
                  const float *w, double lambda)
{
    static const char *const tcols[] = { "target", "depth", "since_day", "degree", "contacts_found", "ego_recall",
                                         "covered_days", "first_day" };
    static const char *const ccols[] = { "target", "contact", "rate_per_day", "band", "first_day" };
    static const char *const bands[4] = { "rare", "monthly", "weekly", "daily" };
    const struct graph *g = k->truth;
    for (uint32_t i = 0; i < a->ntargets && !s->failed; i++) {
        uint32_t t = a->targets[i];
        if (!counted(l, a, i))
            continue;
        uint64_t deg = g->off[t + 1] - g->off[t], found = 0;
        for (uint64_t j = g->off[t]; j < g->off[t + 1]; j++)
            found += first_known(l, t, g->adj[j]) >= 0;
        double days;
        if (target_days(a, i, &days)) {
            sim_fail(s, "out of memory reporting the targets");
            return;
        }
        uint32_t fe = k->first_exposed[t];
        const char *text[8] = { NULL };
        double num[8] = { t, a->depth[i], (double)a->tinfo[i].since / 86400.0, (double)deg, (double)found,
                          deg ? (double)found / (double)deg : NAN, days,
                          fe == UINT32_MAX || fe > l->last ? NAN : (double)fe / 86400.0 };
        sim_table_row(s, "targets", tcols, text, num, 8);
    }
    for (uint32_t i = 0; i < a->ntargets && !s->failed; i++) {
        uint32_t t = a->targets[i];
        if (!counted(l, a, i))
            continue;
        for (uint64_t j = g->off[t]; j < g->off[t + 1] && !s->failed; j++) {
            double rate = w ? w[j] : lambda;
            int64_t at = first_known(l, t, g->adj[j]);
            const char *text[5] = { NULL, NULL, NULL, isnan(rate) ? NULL : bands[band_of(rate)], NULL };
            double num[5] = { t, g->adj[j], rate, NAN, at < 0 ? NAN : (double)at / 86400.0 };
            sim_table_row(s, "contacts", ccols, text, num, 5);
        }
    }
}
