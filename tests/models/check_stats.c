/* check_stats — the simulated recall against its closed form.
 *
 * Every undirected edge carries two Poisson streams (one per direction) of
 * rate λ per day, so the chance that at least one of its lookups falls in
 * acquired time of total length T days is 1 - exp(-2λT).  Given the graph,
 * edges are independent, so a replication's recall is Binomial(E, p) / E and
 * the mean over n replications has standard error
 *     SE = sqrt(sum_r p(1-p)/E_r) / n.
 * Each test asserts |mean - p| < 4 SE (a false alarm about once in 16,000
 * runs; the seeds are fixed, so a pass is reproducible), after checking
 * that covered_days equals the T the schedule implies.
 *
 * Lookups happen at whole seconds and a snapshot at time s sees the lookups
 * before it: a few seconds out of months are not covered (one per
 * snapshot), which moves p by about 2λ·(snapshots)/86400 < 1e-5, far below
 * SE. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "results.h"
#include "sim.h"
#include "suites.h"
#include "testutil.h"
#include "world.h"

struct outcome {
    double mean_recall, se, p, covered_days;
    double target_covered_days, target_holes;    /* last values (NaN without targets) */
    double recall_first, covered_first, p_first, se_first;
};

static long metric_index(const struct results *r, const char *name)
{
    for (size_t i = 0; i < r->nmetrics; i++)
        if (strcmp(r->metrics[i], name) == 0)
            return (long)i;
    return -1;
}

/* One experiment: an ER scenario with the given <policy> and <adversary>
 * contents; `metric` is the recall compared with the closed form over
 * `edges` independent edges (for the SE), a share f of lookups logged. */
struct spec {
    unsigned n;
    double degree, rate;
    const char *policy, *adversary;
    unsigned horizon, reps;
    double logged_share;
    const char *metric;
    double edges;
    unsigned min_count;                         /* inference@min_count; 0 means 1 */
};

static struct outcome run_spec(const struct spec *sp);

/* P(X >= c) for X ~ Poisson(mu): the chance an edge with mean mu acquired
 * records has at least c of them (c = 1: 1 - exp(-mu)). */
static double at_least(double mu, unsigned c)
{
    double term = exp(-mu), below = 0;
    for (unsigned j = 0; j < c; j++) {
        below += term;
        term *= mu / (j + 1);
    }
    return 1 - below;
}

/* Bulk snapshots every `period` days of a `retention`-day log; SE uses
 * E = N d / 2: a replication's edge count differs from it by about
 * 1/sqrt(E) (under 1% here), which moves SE by as little. */
static struct outcome run_scenario(unsigned n, double degree, double rate, unsigned retention,
                                   unsigned period, unsigned horizon, unsigned reps)
{
    char policy[128], adversary[128];
    snprintf(policy, sizeof policy, "<retention days=\"%u\"/>", retention);
    snprintf(adversary, sizeof adversary, "<bulk_snapshot period_days=\"%u\"/>", period);
    struct spec sp = { n, degree, rate, policy, adversary, horizon, reps, 1.0, "edge_recall", n * degree / 2, 1 };
    return run_spec(&sp);
}

/* The same with any <policy> content; a share f < 1 of lookups logged
 * thins each stream to rate f λ, so the closed form uses 2 f λ T. */
static struct outcome run_policy(unsigned n, double degree, double rate, const char *policy,
                                 unsigned period, unsigned horizon, unsigned reps, double logged_share)
{
    char adversary[128];
    snprintf(adversary, sizeof adversary, "<bulk_snapshot period_days=\"%u\"/>", period);
    struct spec sp = { n, degree, rate, policy, adversary, horizon, reps, logged_share, "edge_recall",
                       n * degree / 2, 1 };
    return run_spec(&sp);
}

static struct outcome run_spec(const struct spec *sp)
{
    char *dir = tu_mkdtemp(), *path;
    ck_assert_ptr_nonnull(dir);
    ck_assert_int_ge(asprintf(&path, "%s/s.xml", dir), 0);
    char text[2048];
    snprintf(text, sizeof text,
             "<scenario name=\"stats\"><run seed=\"7\" replications=\"%u\" horizon_days=\"%u\"/>"
             "<population size=\"%u\"/><contacts><erdos_renyi mean_degree=\"%g\"/></contacts>"
             "<traffic rate_per_day=\"%g\"/><policy>%s</policy>"
             "<adversary>%s</adversary><inference min_count=\"%u\"/></scenario>\n",
             sp->reps, sp->horizon, sp->n, sp->degree, sp->rate, sp->policy, sp->adversary,
             sp->min_count ? sp->min_count : 1);
    tu_write(path, text);
    struct diag d;
    diag_init(&d);
    struct cfg *c = cfg_load(path, NULL, 0, &d);
    ck_assert_msg(c != NULL, "scenario does not load: %s", d.n ? d.msg[0] : "?");
    const struct sim_model_type *model = &world_model;
    struct sim_run_params run;
    ck_assert_int_eq(sim_read_run(c, &run), 0);
    void *params = model->configure(c, &run);
    ck_assert_msg(params != NULL, "scenario does not configure: %s", d.n ? d.msg[0] : "?");
    struct results res;
    results_init(&res);
    for (unsigned r = 0; r < sp->reps; r++) {
        char err[256];
        ck_assert_int_eq(sim_run_replication(model, params, &run, r, &res, NULL, err, sizeof err, NULL), 0);
    }
    long mr = metric_index(&res, sp->metric), mc = metric_index(&res, "covered_days");
    ck_assert_int_ge(mr, 0);
    ck_assert_int_ge(mc, 0);

    struct outcome o = { 0 };
    o.covered_days = o.target_covered_days = o.target_holes = NAN;
    long mtc = metric_index(&res, "target_covered_days"), mth = metric_index(&res, "target_holes");
    double sum = 0, sum_first = 0;
    unsigned count = 0, count_first = 0;
    for (size_t i = 0; i < res.n; i++) {
        const struct results_row *w = &res.rows[i];
        if ((long)w->metric == mc) {
            o.covered_days = w->value;              /* the same in every replication */
            if (w->acq == 1)
                o.covered_first = w->value;
        }
        if (mtc >= 0 && (long)w->metric == mtc)
            o.target_covered_days = w->value;       /* the same in every replication */
        if (mth >= 0 && (long)w->metric == mth)
            o.target_holes = w->value;
    }
    for (unsigned r = 0; r < sp->reps; r++) {       /* last and first recall of each */
        double last = NAN;
        for (size_t i = 0; i < res.n; i++) {
            const struct results_row *w = &res.rows[i];
            if (w->rep == r && (long)w->metric == mr) {
                last = w->value;
                if (w->acq == 1) {
                    sum_first += w->value;
                    count_first++;
                }
            }
        }
        sum += last;
        count++;
    }
    double f = sp->logged_share, reps = sp->reps;
    o.mean_recall = sum / count;
    o.recall_first = sum_first / count_first;
    unsigned needed = sp->min_count ? sp->min_count : 1;
    o.p = at_least(2 * f * sp->rate * o.covered_days, needed);
    o.se = sqrt(o.p * (1 - o.p) / sp->edges) / sqrt(reps);
    o.p_first = at_least(2 * f * sp->rate * o.covered_first, needed);
    o.se_first = sqrt(o.p_first * (1 - o.p_first) / sp->edges) / sqrt(reps);
    results_destroy(&res);
    model->free_params(params);
    cfg_free(c);
    diag_destroy(&d);
    unlink(path);
    free(path);
    tu_rmtree(dir);
    free(dir);
    return o;
}

/* P <= R: the windows (kP - R, kP] overlap, so after the snapshot on day
 * 180 the whole of [0, 180] days is covered. */
START_TEST(test_recall_no_holes)
{
    struct outcome o = run_scenario(3000, 10, 0.004, 30, 20, 180, 20);
    ck_assert_double_eq_tol(o.covered_days, 180, 1e-9);
    ck_assert_double_eq_tol(o.covered_first, 20, 1e-9);    /* (max(0, 20-30), 20] */
    ck_assert_msg(fabs(o.mean_recall - o.p) < 4 * o.se, "recall %.5f vs closed form %.5f (SE %.5f)",
                  o.mean_recall, o.p, o.se);
    ck_assert_msg(fabs(o.recall_first - o.p_first) < 4 * o.se_first,
                  "first recall %.5f vs closed form %.5f (SE %.5f)", o.recall_first, o.p_first, o.se_first);
}
END_TEST

/* P > R: a 7-day log taken every 30 days covers 7 of every 30 days; six
 * snapshots in 180 days cover 42 days, and the holes are lost for good. */
START_TEST(test_recall_with_holes)
{
    struct outcome o = run_scenario(3000, 10, 0.01, 7, 30, 180, 20);
    ck_assert_double_eq_tol(o.covered_days, 42, 1e-9);
    ck_assert_double_eq_tol(o.covered_first, 7, 1e-9);
    ck_assert_msg(fabs(o.mean_recall - o.p) < 4 * o.se, "recall %.5f vs closed form %.5f (SE %.5f)",
                  o.mean_recall, o.p, o.se);
    /* and it is far from what full coverage would give */
    ck_assert(o.mean_recall < 1 - exp(-2 * 0.01 * 180) - 20 * o.se);
}
END_TEST

/* Sampling: logging each lookup with probability f thins every Poisson
 * stream to rate f λ (independent thinning of a Poisson process), so the
 * recall is 1 - exp(-2 f λ T). */
START_TEST(test_recall_sampled)
{
    struct outcome o = run_policy(3000, 10, 0.01, "<retention days=\"30\"/><logging sampling=\"0.3\"/>",
                                  30, 180, 20, 0.3);
    ck_assert_double_eq_tol(o.covered_days, 180, 1e-9);
    ck_assert_msg(fabs(o.mean_recall - o.p) < 4 * o.se, "recall %.5f vs closed form %.5f (SE %.5f)",
                  o.mean_recall, o.p, o.se);
}
END_TEST

/* Weekly purge jobs (at days 7, 14, ...) with a 7-day retention, snapshots
 * every 30 days: at day s the log holds the lookups since J - 7, J the last
 * multiple of 7 <= s.  Days covered: 30-21, 60-49, 90-77, 120-112, 150-140,
 * 180-168 = 9 + 11 + 13 + 8 + 10 + 12 = 63, against 42 with rolling purge. */
START_TEST(test_recall_weekly_purge)
{
    struct outcome o = run_policy(3000, 10, 0.01, "<retention days=\"7\" purge=\"weekly\"/>",
                                  30, 180, 20, 1.0);
    ck_assert_double_eq_tol(o.covered_days, 63, 1e-9);
    ck_assert_double_eq_tol(o.covered_first, 9, 1e-9);
    ck_assert_msg(fabs(o.mean_recall - o.p) < 4 * o.se, "recall %.5f vs closed form %.5f (SE %.5f)",
                  o.mean_recall, o.p, o.se);
}
END_TEST

/* The ego networks of k targets among N people of mean degree d: about
 * k d edges, less the C(k, 2) p edges between two targets, counted once. */
static double ego_edges(unsigned n, double d, unsigned k)
{
    return k * d - k * (k - 1) / 2.0 * d / (n - 1);
}

/* Targeted historical orders every 30 days on a 30-day log, scope both:
 * every edge touching a target has both of its streams in scope, so its
 * chance of being found is 1 - exp(-2 λ T) with T = 180 days covered. */
START_TEST(test_ego_recall_historical)
{
    struct spec sp = { 3000, 10, 0.005, "<retention days=\"30\"/>",
                       "<targets select=\"random\" count=\"300\"/><historical_order period_days=\"30\"/>",
                       180, 20, 1.0, "ego_recall", ego_edges(3000, 10, 300), 1 };
    struct outcome o = run_spec(&sp);
    ck_assert_double_eq_tol(o.covered_days, 180, 1e-9);
    ck_assert_double_eq(o.target_holes, 0);
    ck_assert_msg(fabs(o.mean_recall - o.p) < 4 * o.se, "ego recall %.5f vs closed form %.5f (SE %.5f)",
                  o.mean_recall, o.p, o.se);
}
END_TEST

/* Per target (issue 12): a target of degree k with T covered days finds
 * each of its k pairs independently with p = 1 - exp(-2 λ T), so its ego
 * recall is Binomial(k, p)/k, mean p, variance p(1 - p)/k.  The mean over
 * the n targets with contacts (target_ego_recall_mean) has mean p and
 * variance p(1 - p) (1/n^2) sum 1/k_i: the SE of n^2 / sum 1/k_i "edges".
 * With ER degrees (Poisson, mean 10, zero-degree targets left out) E[1/k]
 * is about 1.12/10, taken as 1.15/10 (a larger SE); same schedule as
 * above, T = 180 days, and the per-target covered days all 180. */
START_TEST(test_target_ego_recall_closed_form)
{
    struct spec sp = { 3000, 10, 0.005, "<retention days=\"30\"/>",
                       "<targets select=\"random\" count=\"300\"/><historical_order period_days=\"30\"/>",
                       180, 20, 1.0, "target_ego_recall_mean", 300 * 10 / 1.15, 1 };
    struct outcome o = run_spec(&sp);
    ck_assert_double_eq_tol(o.covered_days, 180, 1e-9);
    ck_assert_msg(fabs(o.mean_recall - o.p) < 4 * o.se, "per-target ego recall %.5f vs closed form %.5f (SE %.5f)",
                  o.mean_recall, o.p, o.se);
}
END_TEST

/* Pen-register orders of 30 days, each renewed 10 days after it ends, three
 * extensions: the orders run on days [0,30), [40,70), [80,110), [120,150),
 * so 120 days are covered and the lookups made in the gaps are lost: the
 * targets' time has 3 holes, (30, 40), (70, 80) and (110, 120). */
START_TEST(test_ego_recall_pen_register_gaps)
{
    struct spec sp = { 3000, 10, 0.005, "<retention days=\"30\"/>",
                       "<targets select=\"random\" count=\"300\"/>"
                       "<pen_register term_days=\"30\" gap_days=\"10\" max_extensions=\"3\"/>",
                       180, 20, 1.0, "ego_recall", ego_edges(3000, 10, 300), 1 };
    struct outcome o = run_spec(&sp);
    ck_assert_double_eq_tol(o.covered_days, 120, 1e-9);
    ck_assert_double_eq_tol(o.target_covered_days, 120, 1e-9);
    ck_assert_double_eq(o.target_holes, 3);
    ck_assert_double_eq_tol(o.covered_first, 30, 1e-9);
    ck_assert_msg(fabs(o.mean_recall - o.p) < 4 * o.se, "ego recall %.5f vs closed form %.5f (SE %.5f)",
                  o.mean_recall, o.p, o.se);
}
END_TEST

/* ... unless a historical order reaches back into a gap: one on day 60 of a
 * 30-day log recovers [30, 60), so the first gap [30, 40) is filled,
 * second 30 days included (one half-open rule: the term ended before it,
 * the order's window starts at it).  Covered: [0, 70) + [80, 110) + [120,
 * 150) = 130 days; the holes are [70, 80) and [110, 120): 2. */
START_TEST(test_ego_recall_pen_register_and_history)
{
    struct spec sp = { 3000, 10, 0.005, "<retention days=\"30\"/>",
                       "<targets select=\"random\" count=\"300\"/>"
                       "<pen_register term_days=\"30\" gap_days=\"10\" max_extensions=\"3\"/>"
                       "<historical_order period_days=\"1000\" start_day=\"60\"/>",
                       180, 20, 1.0, "ego_recall", ego_edges(3000, 10, 300), 1 };
    struct outcome o = run_spec(&sp);
    ck_assert_double_eq_tol(o.covered_days, 130, 1e-9);
    ck_assert_double_eq_tol(o.target_covered_days, 130, 1e-9);
    ck_assert_double_eq(o.target_holes, 2);
    ck_assert_msg(fabs(o.mean_recall - o.p) < 4 * o.se, "ego recall %.5f vs closed form %.5f (SE %.5f)",
                  o.mean_recall, o.p, o.se);
}
END_TEST

/* Preservation then order: a 7-day log; a preservation request on day 30
 * freezes the targets' records of days 23-30; a historical order on day 100
 * obtains them and the retained days 93-100: 14 days covered, where the
 * order alone would get 7.  With the hold lapsed (hold 30 days, no
 * renewal: it ends on day 60), the order gets 7 days only. */
START_TEST(test_ego_recall_preservation)
{
    struct spec sp = { 3000, 10, 0.02, "<retention days=\"7\"/>",
                       "<targets select=\"random\" count=\"300\"/><preservation day=\"30\"/>"
                       "<historical_order period_days=\"1000\" start_day=\"100\"/>",
                       120, 20, 1.0, "ego_recall", ego_edges(3000, 10, 300), 1 };
    struct outcome o = run_spec(&sp);
    ck_assert_double_eq_tol(o.covered_days, 14, 1e-9);
    ck_assert_double_eq(o.target_holes, 1);        /* (30, 93] */
    ck_assert_msg(fabs(o.mean_recall - o.p) < 4 * o.se, "ego recall %.5f vs closed form %.5f (SE %.5f)",
                  o.mean_recall, o.p, o.se);
    sp.adversary = "<targets select=\"random\" count=\"300\"/>"
                   "<preservation day=\"30\" hold_days=\"30\" renewals=\"0\"/>"
                   "<historical_order period_days=\"1000\" start_day=\"100\"/>";
    o = run_spec(&sp);
    ck_assert_double_eq_tol(o.covered_days, 7, 1e-9);
    ck_assert_msg(fabs(o.mean_recall - o.p) < 4 * o.se, "ego recall %.5f vs closed form %.5f (SE %.5f)",
                  o.mean_recall, o.p, o.se);
}
END_TEST

/* A threshold of 2 records: an edge's acquired records are Poisson with
 * mean 2 λ T, so it is found with probability P(X >= 2) = 1 - e^-mu (1 + mu);
 * non-contact lookups add pairs that mostly stay below the threshold. */
START_TEST(test_recall_min_count)
{
    struct spec sp = { 3000, 10, 0.01, "<retention days=\"30\"/>", "<bulk_snapshot period_days=\"30\"/>",
                       180, 20, 1.0, "edge_recall", 3000 * 10 / 2.0, 2 };
    struct outcome o = run_spec(&sp);
    ck_assert_double_eq_tol(o.covered_days, 180, 1e-9);
    ck_assert_msg(fabs(o.mean_recall - o.p) < 4 * o.se, "recall %.5f vs closed form %.5f (SE %.5f)",
                  o.mean_recall, o.p, o.se);
    sp.min_count = 3;
    o = run_spec(&sp);
    ck_assert_msg(fabs(o.mean_recall - o.p) < 4 * o.se, "recall %.5f vs closed form %.5f (SE %.5f)",
                  o.mean_recall, o.p, o.se);
}
END_TEST

/* A delivery delay of a week: lookups enter the log in weekly batches
 * (written on days 7, 14, ...).  A snapshot on day s sees the lookups made
 * before the last write, 7 floor(s / 7), and the 30-day log has already
 * dropped the lookups of the days before s - 30 that were written late:
 * covered (0,28] + (30,56] + (60,84] + (90,119] + (120,147] + (150,175] =
 * 28 + 26 + 24 + 29 + 27 + 25 = 159 days. */
START_TEST(test_recall_delivery_delay)
{
    struct outcome o = run_policy(3000, 10, 0.01, "<retention days=\"30\"/>"
                                  "<logging delivery_delay_minutes=\"10080\"/>", 30, 180, 20, 1.0);
    ck_assert_double_eq_tol(o.covered_days, 159, 1e-9);
    ck_assert_double_eq_tol(o.covered_first, 28, 1e-9);
    ck_assert_msg(fabs(o.mean_recall - o.p) < 4 * o.se, "recall %.5f vs closed form %.5f (SE %.5f)",
                  o.mean_recall, o.p, o.se);
}
END_TEST

/* A pen register under a one-day delivery delay: the capture sees the
 * lookups as they are made, so an order from day 10 to day 40 receives the
 * lookups of days 10 ... 39, whatever the log's delay: 30 days. */
START_TEST(test_pen_register_delivery_delay)
{
    struct spec sp = { 3000, 10, 0.005, "<retention days=\"30\"/><logging delivery_delay_minutes=\"1440\"/>",
                       "<targets select=\"random\" count=\"300\"/><pen_register start_day=\"10\" term_days=\"30\"/>",
                       60, 20, 1.0, "ego_recall", ego_edges(3000, 10, 300), 1 };
    struct outcome o = run_spec(&sp);
    ck_assert_double_eq_tol(o.covered_days, 30, 1e-9);
    ck_assert_msg(fabs(o.mean_recall - o.p) < 4 * o.se, "ego recall %.5f vs closed form %.5f (SE %.5f)",
                  o.mean_recall, o.p, o.se);
}
END_TEST

Suite *stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("closed_form");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_recall_no_holes);
    tcase_add_test(tc, test_recall_with_holes);
    tcase_add_test(tc, test_recall_sampled);
    tcase_add_test(tc, test_recall_weekly_purge);
    tcase_add_test(tc, test_ego_recall_historical);
    tcase_add_test(tc, test_ego_recall_pen_register_gaps);
    tcase_add_test(tc, test_target_ego_recall_closed_form);
    tcase_add_test(tc, test_ego_recall_pen_register_and_history);
    tcase_add_test(tc, test_ego_recall_preservation);
    tcase_add_test(tc, test_recall_min_count);
    tcase_add_test(tc, test_recall_delivery_delay);
    tcase_add_test(tc, test_pen_register_delivery_delay);
    suite_add_tcase(s, tc);
    return s;
}
