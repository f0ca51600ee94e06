/* check_world — the composition root (models/world.h, world_model) driven
 * through the engine, on small scenarios loaded from XML: what world.c's
 * header and docs/metrics.md promise of it, not how the families compute.
 *
 *  - every acquisition reports every metric exactly once, numbered 1 .. K
 *    with the acquisition's day, in the documented order: the graph
 *    metrics, the location metrics with <mobility>, lookups, reid_* under
 *    a keyed hash; a preservation request reports nothing;
 *  - hop expansion follows the report: an acquisition's `targets` is the
 *    count before its own expansion;
 *  - common random numbers: neither the contact graph nor the lookups
 *    change when only the policy or the adversary does;
 *  - `lookups` is the number of lookups made: a sampled log keeps fewer
 *    records, not fewer lookups; with a client cache and device changes
 *    (with and without re-look-up) it is the count the clients' rules give
 *    for the starts and device changes the world handled;
 *  - the run path (handle_run) and the event path (handle alone) give the
 *    same results, with a cache, device changes, a running pen register;
 *  - configure errors are FILE:LINE diagnostics, every family's at once;
 *  - describe prints the population and the graph, generate stages the
 *    files of that same world.
 * The event path is the world under a tap (a model of the test's own that
 * forwards every call to world_model, without handle_run, and records the
 * events it passes on). */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "adversary.h"
#include "cfg.h"
#include "results.h"
#include "sim.h"
#include "suites.h"
#include "testutil.h"
#include "traffic.h"
#include "world.h"

/* ---- a scenario, loaded and configured ------------------------------------ */

struct scen {
    char *dir, *path;
    struct diag d;
    struct cfg *c;
    struct sim_run_params run;
    void *params;                         /* NULL when configure refused (diagnostics in d) */
};

/* <scenario> with <run seed replications=1 horizon_days=days> and `body`,
 * written to a scratch file, loaded (schema-valid) and configured. */
static void scen_load(struct scen *sc, unsigned seed, unsigned days, const char *body)
{
    memset(sc, 0, sizeof *sc);
    diag_init(&sc->d);
    sc->dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(sc->dir);
    ck_assert_int_ge(asprintf(&sc->path, "%s/w.xml", sc->dir), 0);
    char *text;
    ck_assert_int_ge(asprintf(&text, "<scenario name=\"w\">\n<run seed=\"%u\" replications=\"1\" horizon_days=\"%u\"/>\n"
                              "%s\n</scenario>\n", seed, days, body), 0);
    tu_write(sc->path, text);
    free(text);
    sc->c = cfg_load(sc->path, NULL, 0, &sc->d);
    ck_assert_msg(sc->c != NULL, "scenario does not load: %s", sc->d.n ? sc->d.msg[0] : "?");
    ck_assert_int_eq(sim_read_run(sc->c, &sc->run), 0);
    sc->params = world_model.configure(sc->c, &sc->run);
}

static void scen_free(struct scen *sc)
{
    if (sc->params)
        world_model.free_params(sc->params);
    cfg_free(sc->c);
    diag_destroy(&sc->d);
    unlink(sc->path);
    rmdir(sc->dir);
    free(sc->path);
    free(sc->dir);
}

/* Replication 0 of the configured scenario under model m (params: m's), its
 * metrics into res (initialised here). */
static void scen_run(const struct scen *sc, const struct sim_model_type *m, const void *params,
                     struct results *res, FILE *describe, uint64_t *events)
{
    ck_assert_msg(sc->params != NULL, "scenario does not configure: %s", sc->d.n ? sc->d.msg[0] : "?");
    results_init(res);
    char err[256];
    ck_assert_msg(sim_run_replication(m, params, &sc->run, 0, res, describe, err, sizeof err, events) == 0, "%s",
                  err);
}

/* The world alone, replication 0. */
static void run_world(const struct scen *sc, struct results *res)
{
    scen_run(sc, &world_model, sc->params, res, NULL, NULL);
}

/* ---- reading the results ---------------------------------------------------- */

static const char *row_name(const struct results *r, size_t i) { return r->metrics[r->rows[i].metric]; }

/* The acquisitions reported: 1 + the largest acquisition number. */
static uint32_t acquisitions(const struct results *r)
{
    uint32_t k = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->rows[i].acq > k)
            k = r->rows[i].acq;
    return k;
}

/* The value of `name` after acquisition acq (exactly one row). */
static double value_at(const struct results *r, uint32_t acq, const char *name)
{
    double v = NAN;
    int found = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->rows[i].acq == acq && strcmp(row_name(r, i), name) == 0) {
            v = r->rows[i].value;
            found++;
        }
    ck_assert_msg(found == 1, "%s after acquisition %u: %d rows", name, acq, found);
    return v;
}

/* The day of acquisition acq (its first row's). */
static double day_of(const struct results *r, uint32_t acq)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->rows[i].acq == acq)
            return r->rows[i].day;
    ck_abort_msg("no acquisition %u", acq);
    return NAN;
}

/* Both runs reported the same rows, bit for bit. */
static void expect_same_results(const struct results *a, const struct results *b, const char *what)
{
    ck_assert_msg(a->n == b->n, "%s: %zu rows vs %zu", what, a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const struct results_row *x = &a->rows[i], *y = &b->rows[i];
        ck_assert_msg(x->rep == y->rep && x->acq == y->acq && memcmp(&x->day, &y->day, sizeof x->day) == 0
                      && strcmp(row_name(a, i), row_name(b, i)) == 0
                      && memcmp(&x->value, &y->value, sizeof x->value) == 0,
                      "%s: row %zu: acquisition %u %s = %.17g vs acquisition %u %s = %.17g", what, i, x->acq,
                      row_name(a, i), x->value, y->acq, row_name(b, i), y->value);
    }
}

/* ---- the reports ---------------------------------------------------------------- */

/* The metric names one report gives, in docs/metrics.md's order ("When
 * metrics are reported"), for a scenario with or without targets, true
 * communities, <mobility> (unicity to k), a keyed hash. */
static size_t documented(const char **out, int targets, int communities, int mobility, int unicity_k, int keyed)
{
    static const char *const graph[] = { "edge_recall", "edge_precision", "node_coverage", "covered_days",
                                         "exposure_mean_day", "exposure_median_day", "exposure_p90_day" };
    static const char *const target[] = { "ego_recall", "ego_precision", "khop_coverage_1", "khop_coverage_2",
                                          "target_covered_days", "target_holes", "targets" };
    static const char *const places[] = { "home_share", "home_error_median_km", "home_within_1km",
                                          "home_within_10km", "home_error_max_km", "work_share",
                                          "work_error_median_km", "work_within_1km", "work_within_10km",
                                          "work_error_max_km", "user_days_located" };
    static const char *const target_places[] = {
        "target_home_share", "target_home_error_median_km", "target_home_within_1km", "target_home_within_10km",
        "target_home_error_max_km", "target_work_share", "target_work_error_median_km", "target_work_within_1km",
        "target_work_within_10km", "target_work_error_max_km", "target_user_days_located" };
    static const char *const legal[] = {
        "target_ego_recall_mean", "target_ego_recall_p10", "target_ego_recall_p50", "target_ego_recall_p90",
        "target_covered_days_p10", "target_covered_days_p50", "target_covered_days_p90", "target_first_day_p10",
        "target_first_day_p50", "target_first_day_p90", "ego_recall_rare", "ego_recall_monthly", "ego_recall_weekly",
        "ego_recall_daily", "orders_served", "extensions", "target_days_ordered", "records_delivered",
        "recall_per_order" };
    static const char *const unicity[] = { "unicity_1", "unicity_2", "unicity_3", "unicity_4", "unicity_5",
                                           "unicity_6" };
    size_t n = 0;
    for (size_t i = 0; i < 7; i++)
        out[n++] = graph[i];
    for (size_t i = 0; targets && i < 7; i++)
        out[n++] = target[i];
    out[n++] = "degree_ks";
    if (communities)
        out[n++] = "community_nmi";
    for (size_t i = 0; targets && i < 19; i++)
        out[n++] = legal[i];
    if (mobility) {
        for (size_t i = 0; i < 11; i++)
            out[n++] = places[i];
        for (int i = 0; i < unicity_k; i++)
            out[n++] = unicity[i];
        out[n++] = "colocation_pairs";
        out[n++] = "colocation_precision";
        for (size_t i = 0; targets && i < 11; i++)
            out[n++] = target_places[i];
    }
    out[n++] = "lookups";
    if (keyed) {
        out[n++] = "reid_share";
        out[n++] = "reid_precision";
    }
    return n;
}

/* The rows come acquisition by acquisition, 1 .. K with no gap, each with
 * the documented names, once each, in order, all on the acquisition's day
 * (days[k - 1]), for replication 0. */
static void expect_reports(const struct results *r, const double *days, uint32_t k, const char *const *names,
                           size_t nnames)
{
    ck_assert_uint_eq(acquisitions(r), k);
    ck_assert_uint_eq(r->n, (size_t)k * nnames);
    for (size_t i = 0; i < r->n; i++) {
        uint32_t acq = (uint32_t)(i / nnames) + 1;
        const struct results_row *w = &r->rows[i];
        ck_assert_msg(w->acq == acq && w->rep == 0 && w->day == days[acq - 1]
                      && strcmp(row_name(r, i), names[i % nnames]) == 0,
                      "row %zu: replication %u, acquisition %u, day %g, %s; want 0, %u, %g, %s", i, w->rep, w->acq,
                      w->day, row_name(r, i), acq, days[acq - 1], names[i % nnames]);
    }
}

/* The smallest world: bulk snapshots on days 10, 20, 30. */
START_TEST(test_reports_plain)
{
    struct scen sc;
    scen_load(&sc, 5, 30, "<population size=\"300\"/><contacts><erdos_renyi mean_degree=\"6\"/></contacts>"
                          "<traffic rate_per_day=\"0.1\"/><policy><retention days=\"30\"/></policy>"
                          "<adversary><bulk_snapshot period_days=\"10\"/></adversary>");
    struct results r;
    run_world(&sc, &r);
    const char *names[80];
    size_t n = documented(names, 0, 0, 0, 0, 0);
    static const double days[] = { 10, 20, 30 };
    expect_reports(&r, days, 3, names, n);
    results_destroy(&r);
    scen_free(&sc);
}
END_TEST

/* Every family reporting: a block model (true communities), two targets
 * with hop expansion (depth 1, at most 3 a time), <mobility> (unicity to
 * k = 4), a keyed hash.  Historical orders on days 5 and 15, bulk
 * snapshots on days 10 and 20, a preservation request on day 3, which
 * reports nothing: four reports, on days 5, 10, 15, 20, as without it. */
static const char *const full_world =
    "<population size=\"300\" worker_share=\"0.5\">"
    "<region name=\"A\" weight=\"1\" lat=\"52.5\" lon=\"13.4\" radius_km=\"10\" tz=\"Europe/Berlin\"/>"
    "</population>"
    "<contacts><stochastic_block blocks=\"3\" p_in=\"0.05\" p_out=\"0.002\"/></contacts>"
    "<traffic rate_per_day=\"0.1\"/><mobility/>"
    "<policy><retention days=\"30\"/><logging queried_number=\"%s\"/></policy>"
    "<adversary><targets select=\"ids\" ids=\"0 1\" expand_depth=\"1\" expand_budget=\"3\"/>"
    "<bulk_snapshot period_days=\"10\"/><historical_order period_days=\"10\" start_day=\"5\"/>%s</adversary>"
    "<inference><location unicity_max_k=\"4\"/></inference>";

static void load_full(struct scen *sc, const char *queried, const char *extra)
{
    char body[2048];
    snprintf(body, sizeof body, full_world, queried, extra);
    scen_load(sc, 3, 20, body);
}

START_TEST(test_reports_every_family)
{
    static const double days[] = { 5, 10, 15, 20 };
    const char *names[80];
    struct scen sc;
    struct results r;
    load_full(&sc, "keyed_hash", "<preservation day=\"3\"/>");
    run_world(&sc, &r);
    size_t n = documented(names, 1, 1, 1, 4, 1);
    ck_assert_uint_eq(n, 66);
    expect_reports(&r, days, 4, names, n);
    results_destroy(&r);
    scen_free(&sc);
    /* without the preservation request: the same reports */
    load_full(&sc, "keyed_hash", "");
    run_world(&sc, &r);
    expect_reports(&r, days, 4, names, n);
    results_destroy(&r);
    scen_free(&sc);
    /* the number kept: no reid_* */
    load_full(&sc, "kept", "<preservation day=\"3\"/>");
    run_world(&sc, &r);
    n = documented(names, 1, 1, 1, 4, 0);
    expect_reports(&r, days, 4, names, n);
    results_destroy(&r);
    scen_free(&sc);
}
END_TEST

/* Hop expansion after the report: the historical order on day 5 reports
 * the 2 first targets, then adds up to 3 found in pairs with them, which
 * the bulk snapshot on day 10 reports (and does not expand: it is not
 * targeted), and so on: the order on day 15 reports what day 5's expansion
 * gave, and expands again before day 20. */
START_TEST(test_expansion_after_report)
{
    struct scen sc;
    struct results r;
    load_full(&sc, "kept", "");
    run_world(&sc, &r);
    double t1 = value_at(&r, 1, "targets"), t2 = value_at(&r, 2, "targets"), t3 = value_at(&r, 3, "targets"),
           t4 = value_at(&r, 4, "targets");
    ck_assert_double_eq(t1, 2);
    ck_assert_msg(t2 > t1 && t2 <= t1 + 3, "after day 5's order: %g targets (from %g)", t2, t1);
    ck_assert_double_eq(t3, t2);                   /* a bulk snapshot expands nothing */
    ck_assert_msg(t4 > t3 && t4 <= t3 + 3, "after day 15's order: %g targets (from %g)", t4, t3);
    results_destroy(&r);
    scen_free(&sc);
}
END_TEST

/* ---- the legal-process timeline ---------------------------------------------------- */

struct tl_row {
    double strategy;
    const char *instrument, *target, *event;
    double start, end, acq;
};


/* The table `name` of r (it must be there). */
static const struct results_tab *find_tab(const struct results *r, const char *name)
{
    for (size_t i = 0; i < r->ntabs; i++)
        if (strcmp(r->tabs[i].name, name) == 0)
            return &r->tabs[i];
    ck_abort_msg("no table %s", name);
    return NULL;
}

/* The hand-made legal process, 150 days, a 30-day rolling log:
 *   1 pen_register     from day 0, 60-day terms, a 10-day gap, one extension
 *   2 preservation     day 20, held 90 days (to day 110)
 *   3 historical_order day 70 (once)
 *   4 bulk_snapshot    every 30 days (30, 60, 90, 120, 150)
 * Counted by hand, in the order things happen (at day 60 the pen
 * register's term end, scheduled on day 0, comes before the snapshot
 * scheduled on day 30):
 *   day 20  the hold [20, 110)
 *   day 30  acquisition 1, the snapshot of [0, 30)
 *   day 60  acquisition 2, the term [0, 60) and its window; the gap [60, 70)
 *           before the extension; acquisition 3, the snapshot of [30, 60)
 *   day 70  acquisition 4, the order's [40, 70) and the hold's [0, 20)
 *           (frozen on day 20: the log then held days 0 to 20)
 *   day 90, 120  acquisitions 5, 6: snapshots of [60, 90), [90, 120)
 *   day 130 acquisition 7, the extension [70, 130) and its window
 *   day 150 acquisition 8, the snapshot of [120, 150).
 * 21 rows; 8 acquisitions, as the metric rows count them. */
/* targets.csv and contacts.csv agree with each other and with the metrics
 * they detail: a target's contacts_found is its contacts.csv rows with a
 * first_day, its ego_recall contacts_found / degree; their mean and median
 * are the last target_ego_recall_mean and _p50, the covered days' median
 * target_covered_days_p50; a contact's first_day is a report's day, no
 * earlier than the day its target became one; the bands are the tie
 * rates'. */
START_TEST(test_targets_contacts_tables)
{
    struct scen sc;
    struct results r;
    scen_load(&sc, 11, 150,
              "<population size=\"400\"/><contacts><erdos_renyi mean_degree=\"8\"/></contacts>\n"
              "<traffic rate_per_day=\"0.02\"/>\n"
              "<policy><retention days=\"30\" purge=\"rolling\"/></policy>\n"
              "<adversary><targets select=\"random\" count=\"9\" expand_depth=\"1\" expand_budget=\"2\"/>\n"
              "<historical_order period_days=\"30\"/></adversary>");
    run_world(&sc, &r);
    uint32_t nacq = acquisitions(&r);
    ck_assert_uint_eq(nacq, 5);
    const struct results_tab *t = find_tab(&r, "targets"), *c = find_tab(&r, "contacts");
    ck_assert_uint_eq(t->ncols, 8);
    ck_assert_uint_eq(c->ncols, 5);
    ck_assert_uint_ge(t->n, 9);
    double *rec = malloc(t->n * sizeof *rec), *cov = malloc(t->n * sizeof *cov);
    size_t m = 0, first_later = 0;
    double sum = 0;
    for (size_t i = 0; i < t->n; i++) {
        const struct results_cell *x = &t->cells[i * 8];
        double target = x[0].num, since = x[2].num, deg = x[3].num, found = x[4].num;
        size_t rows = 0, known = 0;
        for (size_t j = 0; j < c->n; j++) {
            const struct results_cell *y = &c->cells[j * 5];
            if (y[0].num != target)
                continue;
            rows++;
            ck_assert(fabs(y[2].num - 0.02) < 1e-12);
            ck_assert_str_eq(y[3].text, "rare");
            if (isnan(y[4].num))
                continue;
            known++;
            double day = y[4].num;
            ck_assert_msg(day == floor(day) && fmod(day, 30) == 0 && day >= 30 && day <= 150, "first_day %g", day);
            ck_assert_msg(day >= since, "target %g since %g: contact known on day %g", target, since, day);
            first_later += day > 30;
        }
        ck_assert_msg(rows == deg, "target %g: %zu contact rows, degree %g", target, rows, deg);
        ck_assert_msg(known == found, "target %g: %zu known, contacts_found %g", target, known, found);
        if (deg > 0) {
            ck_assert(fabs(x[5].num - found / deg) < 1e-12);
            rec[m++] = x[5].num;
            sum += x[5].num;
        } else {
            ck_assert(isnan(x[5].num));
        }
        cov[i] = x[6].num;
    }
    ck_assert_uint_gt(first_later, 0);              /* some pairs are found after the first order */
    ck_assert(fabs(sum / (double)m - value_at(&r, nacq, "target_ego_recall_mean")) < 1e-12);
    gsl_sort(rec, 1, m);
    gsl_sort(cov, 1, t->n);
    ck_assert(fabs(gsl_stats_quantile_from_sorted_data(rec, 1, m, 0.5) - value_at(&r, nacq, "target_ego_recall_p50"))
              < 1e-12);
    ck_assert(fabs(gsl_stats_quantile_from_sorted_data(cov, 1, t->n, 0.5)
                   - value_at(&r, nacq, "target_covered_days_p50")) < 1e-12);
    free(rec);
    free(cov);
    results_destroy(&r);
    scen_free(&sc);
}
END_TEST

START_TEST(test_timeline_hand)
{
    static const struct tl_row want[] = {
        { 2, "preservation", "all", "hold", 20, 110, NAN },
        { 4, "bulk_snapshot", "all", "acquisition", 30, 30, 1 },
        { 4, "bulk_snapshot", "all", "window", 0, 30, 1 },
        { 1, "pen_register", "all", "acquisition", 60, 60, 2 },
        { 1, "pen_register", "all", "term", 0, 60, 2 },
        { 1, "pen_register", "all", "window", 0, 60, 2 },
        { 1, "pen_register", "all", "gap", 60, 70, NAN },
        { 4, "bulk_snapshot", "all", "acquisition", 60, 60, 3 },
        { 4, "bulk_snapshot", "all", "window", 30, 60, 3 },
        { 3, "historical_order", "all", "acquisition", 70, 70, 4 },
        { 3, "historical_order", "all", "window", 40, 70, 4 },
        { 2, "preservation", "all", "window", 0, 20, 4 },
        { 4, "bulk_snapshot", "all", "acquisition", 90, 90, 5 },
        { 4, "bulk_snapshot", "all", "window", 60, 90, 5 },
        { 4, "bulk_snapshot", "all", "acquisition", 120, 120, 6 },
        { 4, "bulk_snapshot", "all", "window", 90, 120, 6 },
        { 1, "pen_register", "all", "acquisition", 130, 130, 7 },
        { 1, "pen_register", "all", "extension", 70, 130, 7 },
        { 1, "pen_register", "all", "window", 70, 130, 7 },
        { 4, "bulk_snapshot", "all", "acquisition", 150, 150, 8 },
        { 4, "bulk_snapshot", "all", "window", 120, 150, 8 },
    };
    static const char *const cols[] = { "strategy", "instrument", "target", "event", "start_day", "end_day",
                                        "acquisition" };
    struct scen sc;
    struct results r;
    scen_load(&sc, 7, 150,
              "<population size=\"300\"/><contacts><erdos_renyi mean_degree=\"6\"/></contacts>\n"
              "<traffic rate_per_day=\"0.05\"/>\n"
              "<policy><retention days=\"30\" purge=\"rolling\"/>\n"
              "<logging sampling=\"1\" time_resolution=\"second\" queried_number=\"kept\"/></policy>\n"
              "<adversary><targets select=\"ids\" ids=\"1 2\"/>\n"
              "<pen_register start_day=\"0\" term_days=\"60\" renewal_probability=\"1\" max_extensions=\"1\" "
              "gap_days=\"10\"/>\n"
              "<preservation day=\"20\" hold_days=\"90\" renewals=\"0\"/>\n"
              "<historical_order period_days=\"1000\" start_day=\"70\"/>\n"
              "<bulk_snapshot period_days=\"30\"/></adversary>");
    run_world(&sc, &r);
    ck_assert_uint_eq(acquisitions(&r), 8);
    const struct results_tab *t = find_tab(&r, "timeline");
    ck_assert_uint_eq(t->ncols, 7);
    for (size_t c = 0; c < 7; c++)
        ck_assert_str_eq(t->cols[c], cols[c]);
    size_t nwant = sizeof want / sizeof want[0];
    ck_assert_uint_eq(t->n, nwant);
    for (size_t i = 0; i < nwant; i++) {
        const struct results_cell *x = &t->cells[i * 7];
        const struct tl_row *w = &want[i];
        ck_assert_msg(t->rep[i] == 0 && !x[0].text && x[0].num == w->strategy && x[1].text
                      && strcmp(x[1].text, w->instrument) == 0 && x[2].text && strcmp(x[2].text, w->target) == 0
                      && x[3].text && strcmp(x[3].text, w->event) == 0 && !x[4].text && x[4].num == w->start
                      && !x[5].text && x[5].num == w->end && !x[6].text
                      && (isnan(w->acq) ? isnan(x[6].num) : x[6].num == w->acq),
                      "row %zu: %g %s %s %s [%g, %g] %g; want %g %s %s %s [%g, %g] %g", i + 1, x[0].num,
                      x[1].text ? x[1].text : "(num)", x[2].text ? x[2].text : "(num)",
                      x[3].text ? x[3].text : "(num)", x[4].num, x[5].num, x[6].num, w->strategy, w->instrument,
                      w->target, w->event, w->start, w->end, w->acq);
    }
    results_destroy(&r);
    scen_free(&sc);
}
END_TEST

/* An order served at expansion: a window row per target found (once
 * each), numbered with the acquisition whose expansion found it, the
 * target a person who was not a first target. */
START_TEST(test_timeline_expansion)
{
    struct scen sc;
    struct results r;
    scen_load(&sc, 3, 40,
              "<population size=\"200\"/><contacts><erdos_renyi mean_degree=\"8\"/></contacts>\n"
              "<traffic rate_per_day=\"0.2\"/>\n"
              "<policy><retention days=\"30\" purge=\"rolling\"/>\n"
              "<logging sampling=\"1\" time_resolution=\"second\" queried_number=\"kept\"/></policy>\n"
              "<adversary><targets select=\"ids\" ids=\"5\" expand_depth=\"1\" expand_budget=\"3\"/>\n"
              "<historical_order period_days=\"20\"/></adversary>");
    run_world(&sc, &r);
    const struct results_tab *t = find_tab(&r, "timeline");
    size_t served[3] = { 0, 0, 0 };
    char seen[16][16];
    size_t nseen = 0;
    for (size_t i = 0; i < t->n; i++) {
        const struct results_cell *x = &t->cells[i * 7];
        if (strcmp(x[1].text, "expansion_order") != 0)
            continue;
        /* the orders on days 20 and 40 (acquisitions 1, 2) expand: each
         * new target's order obtains the 30-day log then */
        double acq = x[6].num, end = 20 * acq, start = end > 30 ? end - 30 : 0;
        ck_assert_msg(isnan(x[0].num) && strcmp(x[3].text, "window") == 0 && strcmp(x[2].text, "all") != 0
                      && strcmp(x[2].text, "5") != 0 && (acq == 1 || acq == 2) && x[5].num == end
                      && x[4].num == start,
                      "row %zu: %g %s %s [%g, %g] %g", i + 1, x[0].num, x[2].text, x[3].text, x[4].num, x[5].num,
                      acq);
        for (size_t j = 0; j < nseen; j++)
            ck_assert_msg(strcmp(seen[j], x[2].text) != 0, "target %s served twice", x[2].text);
        ck_assert_uint_lt(nseen, 16);
        snprintf(seen[nseen++], sizeof seen[0], "%s", x[2].text);
        served[(int)acq]++;
    }
    ck_assert_uint_eq(served[1], 3);               /* the budget, at day 20's expansion */
    ck_assert_uint_le(served[2], 3);
    results_destroy(&r);
    scen_free(&sc);
}
END_TEST

/* ---- common random numbers ------------------------------------------------------ */

/* generate's files for replication 0 into a fresh directory (committed);
 * the directory.  describe (may be NULL) gets the world's description. */
static char *generate(const struct scen *sc, int graphml, FILE *describe)
{
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    struct results_staged st;
    results_stage_init(&st, dir);
    struct diag d;
    diag_init(&d);
    ck_assert_msg(sim_generate(&world_model, sc->params, &sc->run, 0, &st, graphml, describe, &d) == 0, "%s",
                  d.n ? d.msg[0] : "?");
    ck_assert_int_eq(results_stage_commit(&st, &d), 0);
    diag_destroy(&d);
    return dir;
}

static char *slurp_in(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = tu_slurp(path, NULL);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    return text;
}

/* A (the baseline policy and bulk snapshots every 10 days) against B (a
 * 7-day log sampled at 1/2, hourly times, keyed hashes; random targets,
 * historical orders every 10 days, a pen register, a breach at a random
 * time): the same contact graph (edges.csv, byte for byte) and the same
 * lookups on the days both acquire (10, 20, 30). */
START_TEST(test_crn_policy_adversary)
{
    static const char *const world =
        "<population size=\"400\"/><contacts><erdos_renyi mean_degree=\"8\"/></contacts>"
        "<traffic rate_per_day=\"0.05\"/>%s";
    char body[2048];
    struct scen a, b;
    snprintf(body, sizeof body, world, "<policy><retention days=\"30\"/></policy>"
                                       "<adversary><bulk_snapshot period_days=\"10\"/></adversary>");
    scen_load(&a, 9, 30, body);
    snprintf(body, sizeof body, world,
             "<policy><retention days=\"7\"/><logging sampling=\"0.5\" time_resolution=\"hour\" "
             "queried_number=\"keyed_hash\"/></policy>"
             "<adversary><targets select=\"random\" count=\"5\"/><historical_order period_days=\"10\"/>"
             "<pen_register start_day=\"2\" term_days=\"7\"/><breach/></adversary>");
    scen_load(&b, 9, 30, body);
    char *da = generate(&a, 0, NULL), *db = generate(&b, 0, NULL);
    char *ea = slurp_in(da, "edges.csv"), *eb = slurp_in(db, "edges.csv");
    ck_assert_uint_gt(strlen(ea), 1000);
    ck_assert_str_eq(ea, eb);
    free(ea), free(eb);
    tu_rmtree(da), tu_rmtree(db);
    free(da), free(db);
    struct results ra, rb;
    run_world(&a, &ra);
    run_world(&b, &rb);
    ck_assert_uint_eq(acquisitions(&ra), 3);
    ck_assert_uint_eq(acquisitions(&rb), 5);       /* 3 orders, 1 term, 1 breach */
    unsigned common = 0;
    for (uint32_t i = 1; i <= 3; i++)
        for (uint32_t j = 1; j <= 5; j++)
            if (day_of(&ra, i) == day_of(&rb, j)) {
                ck_assert_double_eq(value_at(&ra, i, "lookups"), value_at(&rb, j, "lookups"));
                ck_assert_double_gt(value_at(&ra, i, "lookups"), 0);
                common++;
            }
    ck_assert_uint_eq(common, 3);
    results_destroy(&ra);
    results_destroy(&rb);
    scen_free(&a);
    scen_free(&b);
}
END_TEST

/* ---- lookups counted ------------------------------------------------------------- */

/* The tap: the world on the event path, each event it is handed recorded. */
struct tap_event {
    uint32_t time, kind, a, b;
};
struct tap_log {
    struct tap_event *ev;
    size_t n, cap;
};
struct tap_params {
    const void *world;                    /* world_model's params */
    struct tap_log *log;                  /* NULL: record nothing */
};
struct tap {
    void *world;
    struct tap_log *log;
};

static void *tap_init(struct sim *s, const void *vp)
{
    const struct tap_params *p = vp;
    struct tap *t = calloc(1, sizeof *t);
    if (!t) {
        sim_fail(s, "out of memory");
        return NULL;
    }
    t->log = p->log;
    if (!(t->world = world_model.init(s, p->world))) {
        free(t);
        return NULL;
    }
    return t;
}

static void tap_describe(const void *vs, void *stream)
{
    const struct tap *t = vs;
    world_model.describe(t->world, stream);
}

static void tap_slice(struct sim *s, void *vs, sim_time start, sim_time end)
{
    struct tap *t = vs;
    world_model.slice(s, t->world, start, end);
}

static void tap_handle(struct sim *s, void *vs, const struct sim_event *ev)
{
    struct tap *t = vs;
    struct tap_log *l = t->log;
    if (l) {
        if (l->n == l->cap) {
            l->cap = l->cap ? 2 * l->cap : 4096;
            l->ev = realloc(l->ev, l->cap * sizeof *l->ev);
            if (!l->ev)
                ck_abort_msg("out of memory");
        }
        l->ev[l->n++] = (struct tap_event){ (uint32_t)ev->time, ev->kind, ev->a, ev->b };
    }
    world_model.handle(s, t->world, ev);
}

static void tap_finish(struct sim *s, void *vs)
{
    struct tap *t = vs;
    world_model.finish(s, t->world);
}

static void tap_destroy(void *vs)
{
    struct tap *t = vs;
    if (t)
        world_model.destroy(t->world);
    free(t);
}

/* The world on the event path: world_model without handle_run. */
static struct sim_model_type tap_model(void)
{
    return (struct sim_model_type){ .name = world_model.name, .streams = world_model.streams,
                                    .describe = tap_describe, .init = tap_init, .slice = tap_slice,
                                    .handle = tap_handle, .finish = tap_finish, .destroy = tap_destroy,
                                    .tables = world_model.tables };
}

/* The contact graph of n people generate writes (edges.csv), as
 * adjacency rows. */
struct rows {
    uint32_t n;
    uint32_t *deg, **nb;
};

static void rows_read(const struct scen *sc, uint32_t n, struct rows *g)
{
    char *dir = generate(sc, 0, NULL), path[4200];
    snprintf(path, sizeof path, "%s/edges.csv", dir);
    struct tu_csv e;
    ck_assert_int_eq(tu_csv_read(path, &e), 0);
    g->n = n;
    for (size_t i = 1; i < e.nrows; i++)
        for (int k = 0; k < 2; k++)
            ck_assert_uint_lt(strtoul(e.rows[i][k], NULL, 10), n);
    g->deg = calloc(g->n, sizeof *g->deg);
    g->nb = calloc(g->n, sizeof *g->nb);
    ck_assert(g->deg && g->nb);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 1; i < e.nrows; i++) {
            uint32_t u = (uint32_t)strtoul(e.rows[i][0], NULL, 10), v = (uint32_t)strtoul(e.rows[i][1], NULL, 10);
            if (pass) {
                g->nb[u][g->deg[u]++] = v;
                g->nb[v][g->deg[v]++] = u;
            } else {
                g->deg[u]++, g->deg[v]++;
            }
        }
        if (!pass)
            for (uint32_t a = 0; a < g->n; a++) {
                ck_assert_ptr_nonnull(g->nb[a] = malloc((g->deg[a] ? g->deg[a] : 1) * sizeof **g->nb));
                g->deg[a] = 0;
            }
    }
    tu_csv_free(&e);
    tu_rmtree(dir);
    free(dir);
}

static void rows_free(struct rows *g)
{
    for (uint32_t a = 0; a < g->n; a++)
        free(g->nb[a]);
    free(g->nb);
    free(g->deg);
}

/* The lookups the clients' rules (traffic.h) give for the events the world
 * was handed, with a cache whose TTL outlasts the run (cache) and
 * re-look-ups on device changes (relookup): a start (a, b) looks up unless
 * a has looked b up since a's last device change; a device change empties
 * a's cache, and with re-look-up looks up each of a's contacts (refreshing
 * them).  Into want[k]: the count before acquisition k + 1; returns K. */
static uint32_t count_lookups(const struct tap_log *l, const struct rows *g, int cache, int relookup, double *want,
                              uint32_t max)
{
    uint32_t *epoch = calloc(g->n, sizeof *epoch), *fresh = calloc((size_t)g->n * g->n, sizeof *fresh);
    ck_assert(epoch && fresh);
    double made = 0;
    uint32_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct tap_event *e = &l->ev[i];
        if (e->kind == TRAFFIC_EV_START) {
            uint32_t *f = &fresh[(size_t)e->a * g->n + e->b];
            if (!cache || *f != epoch[e->a] + 1) {
                made++;
                *f = epoch[e->a] + 1;
            }
        } else if (e->kind == TRAFFIC_EV_DEVICE) {
            epoch[e->a]++;
            if (relookup) {
                made += g->deg[e->a];
                for (uint32_t j = 0; j < g->deg[e->a]; j++)
                    fresh[(size_t)e->a * g->n + g->nb[e->a][j]] = epoch[e->a] + 1;
            }
        } else if (e->kind == ADVERSARY_EV_ACQUIRE) {
            ck_assert_uint_lt(k, max);
            want[k++] = made;
        }
    }
    free(epoch);
    free(fresh);
    return k;
}

/* The contact pairs the lookups the world was handed reveal, up to its
 * last acquisition: each start's pair (a start the cache answers repeats a
 * pair looked up before), and with re-look-up every pair of a person whose
 * device changed.  Every lookup is logged and the log held them all when
 * acquired: the last edge_recall must be this over the m edges. */
static double recall_made(const struct tap_log *l, const struct rows *g, int relookup)
{
    uint8_t *seen = calloc((size_t)g->n * g->n, 1);
    ck_assert_ptr_nonnull(seen);
    size_t last = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->ev[i].kind == ADVERSARY_EV_ACQUIRE)
            last = i;
    uint64_t found = 0, m2 = 0;
    for (uint32_t a = 0; a < g->n; a++)
        m2 += g->deg[a];
    for (size_t i = 0; i < last; i++) {
        const struct tap_event *e = &l->ev[i];
        uint32_t a = e->a, nb = 1;
        const uint32_t *b = &e->b;
        if (e->kind == TRAFFIC_EV_DEVICE && relookup)
            nb = g->deg[a], b = g->nb[a];
        else if (e->kind != TRAFFIC_EV_START)
            continue;
        for (uint32_t j = 0; j < nb; j++) {
            uint32_t lo = a < b[j] ? a : b[j], hi = a < b[j] ? b[j] : a;
            found += !seen[(size_t)lo * g->n + hi];
            seen[(size_t)lo * g->n + hi] = 1;
        }
    }
    free(seen);
    return (double)found / (double)(m2 / 2);
}

/* 300 people, 30 days, bulk snapshots every 5 days; the traffic as given.
 * `lookups` after each acquisition is the count of count_lookups, on the
 * event path and (the same results) on the run path; the last edge_recall
 * is recall_made's. */
static void expect_lookups(const char *traffic, int cache, int relookup)
{
    char body[1024];
    snprintf(body, sizeof body, "<population size=\"300\"/><contacts><erdos_renyi mean_degree=\"6\"/></contacts>"
                                "%s<policy><retention days=\"30\"/></policy>"
                                "<adversary><bulk_snapshot period_days=\"5\"/></adversary>", traffic);
    struct scen sc;
    scen_load(&sc, 11, 30, body);
    struct tap_log log = { 0 };
    struct tap_params tp = { sc.params, &log };
    struct sim_model_type tap = tap_model();
    struct results ev, run;
    scen_run(&sc, &tap, &tp, &ev, NULL, NULL);
    run_world(&sc, &run);
    expect_same_results(&ev, &run, traffic);
    struct rows g;
    rows_read(&sc, 300, &g);
    double want[16];
    uint32_t k = count_lookups(&log, &g, cache, relookup, want, 16);
    ck_assert_uint_eq(k, 6);
    ck_assert_uint_eq(acquisitions(&ev), 6);
    size_t starts = 0, devices = 0;
    for (size_t i = 0; i < log.n; i++)
        starts += log.ev[i].kind == TRAFFIC_EV_START, devices += log.ev[i].kind == TRAFFIC_EV_DEVICE;
    ck_assert_uint_gt(starts, 50);
    ck_assert_msg((devices > 0) == (strstr(traffic, "device_changes") != NULL), "%zu device changes", devices);
    for (uint32_t i = 0; i < k; i++)
        ck_assert_msg(value_at(&ev, i + 1, "lookups") == want[i], "%s: acquisition %u: lookups %g, made %g",
                      traffic, i + 1, value_at(&ev, i + 1, "lookups"), want[i]);
    double recall = recall_made(&log, &g, relookup);
    ck_assert_msg(fabs(value_at(&ev, k, "edge_recall") - recall) < 1e-12, "%s: edge_recall %.17g, made %.17g",
                  traffic, value_at(&ev, k, "edge_recall"), recall);
    ck_assert_double_lt(recall, 0.999);              /* not every pair: a lost lookup would show */
    if (!cache && !relookup)                         /* every start a lookup */
        ck_assert_double_eq(want[k - 1], (double)starts);
    else if (!relookup)                              /* the cache answered some */
        ck_assert_double_lt(want[k - 1], (double)starts);
    else if (!cache)                                 /* and the re-look-ups added some */
        ck_assert_double_gt(want[k - 1], (double)starts);
    rows_free(&g);
    free(log.ev);
    results_destroy(&ev);
    results_destroy(&run);
    scen_free(&sc);
}

START_TEST(test_lookups_plain)
{
    expect_lookups("<traffic rate_per_day=\"0.02\"/>", 0, 0);
}
END_TEST

START_TEST(test_lookups_cache)
{
    expect_lookups("<traffic rate_per_day=\"0.02\" cache_ttl_hours=\"1000\"/>", 1, 0);
}
END_TEST

START_TEST(test_lookups_devices)
{
    expect_lookups("<traffic rate_per_day=\"0.02\" cache_ttl_hours=\"1000\" device_changes_per_year=\"10\"/>", 1, 0);
    expect_lookups("<traffic rate_per_day=\"0.02\" cache_ttl_hours=\"1000\" device_changes_per_year=\"10\" "
                   "device_relookup=\"true\"/>", 1, 1);
    expect_lookups("<traffic rate_per_day=\"0.02\" device_changes_per_year=\"10\" device_relookup=\"true\"/>", 0, 1);
}
END_TEST

/* Sampling 1/10: the log keeps about a tenth of the lookups, so fewer
 * pairs are found (recall 1 - exp(-2 f λ T) for f = 0.1 against 1; here
 * about 0.45 against 0.998, far apart), but as many lookups are made. */
START_TEST(test_lookups_sampled)
{
    static const char *const world =
        "<population size=\"400\"/><contacts><erdos_renyi mean_degree=\"8\"/></contacts>"
        "<traffic rate_per_day=\"0.1\"/><policy><retention days=\"30\"/><logging sampling=\"%s\"/></policy>"
        "<adversary><bulk_snapshot period_days=\"10\"/></adversary>";
    char body[1024];
    struct scen a, b;
    snprintf(body, sizeof body, world, "1");
    scen_load(&a, 4, 30, body);
    snprintf(body, sizeof body, world, "0.1");
    scen_load(&b, 4, 30, body);
    struct results ra, rb;
    run_world(&a, &ra);
    run_world(&b, &rb);
    for (uint32_t k = 1; k <= 3; k++)
        ck_assert_double_eq(value_at(&ra, k, "lookups"), value_at(&rb, k, "lookups"));
    ck_assert_double_gt(value_at(&ra, 3, "edge_recall"), 0.99);
    ck_assert_double_lt(value_at(&rb, 3, "edge_recall"), 0.6);
    results_destroy(&ra);
    results_destroy(&rb);
    scen_free(&a);
    scen_free(&b);
}
END_TEST

/* ---- the run path and the event path ------------------------------------------- */

/* With a cache, device changes and re-look-ups, and a pen register
 * running (records delivered as they are written), and with <mobility>
 * (the kept records located): the same results either way. */
START_TEST(test_run_path_event_path)
{
    static const char *const cases[] = {
        "<population size=\"300\"/><contacts><erdos_renyi mean_degree=\"6\"/></contacts>"
        "<traffic rate_per_day=\"0.2\" cache_ttl_hours=\"24\" device_changes_per_year=\"30\" device_relookup=\"true\"/>"
        "<policy><retention days=\"30\"/></policy>"
        "<adversary><targets select=\"random\" count=\"10\"/><pen_register start_day=\"3\" term_days=\"10\" "
        "max_extensions=\"1\" gap_days=\"2\"/><bulk_snapshot period_days=\"7\"/></adversary>",
        "<population size=\"300\"/><contacts><erdos_renyi mean_degree=\"6\"/></contacts>"
        "<traffic rate_per_day=\"0.2\" cache_ttl_hours=\"12\"/>"
        "<policy><retention days=\"30\"/><logging delivery_delay_minutes=\"600\"/></policy>"
        "<adversary><targets select=\"random\" count=\"10\"/><pen_register start_day=\"1\" term_days=\"20\"/>"
        "<bulk_snapshot period_days=\"10\"/></adversary>",
        "<population size=\"300\" worker_share=\"0.5\">"
        "<region name=\"A\" weight=\"1\" lat=\"52.5\" lon=\"13.4\" radius_km=\"10\" tz=\"Europe/Berlin\"/>"
        "</population><contacts><erdos_renyi mean_degree=\"6\"/></contacts>"
        "<traffic rate_per_day=\"0.2\" device_changes_per_year=\"30\"/><mobility/>"
        "<policy><retention days=\"30\"/></policy>"
        "<adversary><targets select=\"random\" count=\"10\"/><pen_register start_day=\"3\" term_days=\"10\"/>"
        "<bulk_snapshot period_days=\"10\"/></adversary>",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct scen sc;
        scen_load(&sc, 13, 30, cases[i]);
        struct tap_params tp = { sc.params, NULL };
        struct sim_model_type tap = tap_model();
        struct results ev, run;
        uint64_t nev, nrun;
        scen_run(&sc, &tap, &tp, &ev, NULL, &nev);
        scen_run(&sc, &world_model, sc.params, &run, NULL, &nrun);
        ck_assert_uint_ge(acquisitions(&run), 2);
        expect_same_results(&ev, &run, cases[i]);
        ck_assert_uint_eq(nev, nrun);
        results_destroy(&ev);
        results_destroy(&run);
        scen_free(&sc);
    }
}
END_TEST

/* ---- configure, describe, generate -------------------------------------------- */

/* Without rate_per_day nor a trace, and with a snapshot after the horizon:
 * configure refuses, with both reasons as FILE:LINE messages. */
START_TEST(test_configure_errors)
{
    struct scen sc;
    scen_load(&sc, 1, 30, "<population size=\"100\"/>\n<contacts><erdos_renyi mean_degree=\"4\"/></contacts>\n"
                          "<traffic/>\n<policy><retention days=\"30\"/></policy>\n"
                          "<adversary><bulk_snapshot period_days=\"10\" start_day=\"40\"/></adversary>");
    ck_assert_ptr_null(sc.params);
    int rate = 0, start = 0;
    for (size_t i = 0; i < sc.d.n; i++) {
        rate |= strstr(sc.d.msg[i], "w.xml:5: element 'traffic', attribute 'rate_per_day': is required unless "
                                    "the contacts come from a <trace>") != NULL;
        start |= strstr(sc.d.msg[i], "w.xml:7:") != NULL && strstr(sc.d.msg[i], "start_day") != NULL;
    }
    ck_assert_msg(rate && start, "diagnostics: %zu, first '%s'", sc.d.n, sc.d.n ? sc.d.msg[0] : "");
    scen_free(&sc);
}
END_TEST

/* describe: the population line and the graph lines, the same from run
 * and from generate; generate's files are that world's: population.csv a
 * row per person whose degrees sum to twice the edges the description
 * counts, edges.csv a row per edge with weights when the ties have
 * strengths, graph.graphml only when asked for. */
START_TEST(test_describe_generate)
{
    struct scen sc;
    scen_load(&sc, 2, 10, "<population size=\"200\" client_share=\"0.9\"/>"
                          "<contacts><erdos_renyi mean_degree=\"5\"/></contacts>"
                          "<traffic rate_per_day=\"0.1\" tie_strength=\"lognormal\" sigma=\"1\"/>"
                          "<policy><retention days=\"30\"/></policy>"
                          "<adversary><bulk_snapshot period_days=\"10\"/></adversary>");
    char *text[2];
    size_t len[2];
    FILE *f = open_memstream(&text[0], &len[0]);
    ck_assert_ptr_nonnull(f);
    struct results r;
    scen_run(&sc, &world_model, sc.params, &r, f, NULL);
    ck_assert_int_eq(fclose(f), 0);
    results_destroy(&r);
    f = open_memstream(&text[1], &len[1]);
    ck_assert_ptr_nonnull(f);
    char *dir = generate(&sc, 0, f);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_str_eq(text[0], text[1]);
    ck_assert_msg(strncmp(text[0], "population: N = 200, ", 21) == 0, "%s", text[0]);
    unsigned long long edges = 0;
    const char *c = strstr(text[0], "\ncontacts (erdos_renyi): ");
    ck_assert_msg(c && sscanf(c, "\ncontacts (erdos_renyi): %llu edges", &edges) == 1, "%s", text[0]);
    ck_assert_ptr_nonnull(strstr(text[0], "\n  clustering "));
    char path[4200];
    snprintf(path, sizeof path, "%s/population.csv", dir);
    struct tu_csv pop, e;
    ck_assert_int_eq(tu_csv_read(path, &pop), 0);
    ck_assert_uint_eq(pop.nrows, 1 + 200);
    int dcol = tu_csv_col(&pop, "degree"), ccol = tu_csv_col(&pop, "client");
    ck_assert(dcol >= 0 && ccol >= 0);
    unsigned long long degsum = 0, clients = 0;
    for (size_t i = 1; i < pop.nrows; i++) {
        degsum += strtoull(pop.rows[i][dcol], NULL, 10);
        clients += strcmp(pop.rows[i][ccol], "1") == 0;
    }
    ck_assert_uint_eq(degsum, 2 * edges);
    char want[64];
    snprintf(want, sizeof want, "population: N = 200, %llu clients", clients);
    ck_assert_msg(strncmp(text[0], want, strlen(want)) == 0, "%s vs %s", text[0], want);
    tu_csv_free(&pop);
    snprintf(path, sizeof path, "%s/edges.csv", dir);
    ck_assert_int_eq(tu_csv_read(path, &e), 0);
    ck_assert_uint_eq(e.nrows, 1 + edges);
    ck_assert_int_eq(tu_csv_col(&e, "weight"), 2);
    tu_csv_free(&e);
    snprintf(path, sizeof path, "%s/graph.graphml", dir);
    struct stat sb;
    ck_assert_int_ne(stat(path, &sb), 0);
    tu_rmtree(dir);
    free(dir);
    dir = generate(&sc, 1, NULL);
    snprintf(path, sizeof path, "%s/graph.graphml", dir);
    ck_assert_int_eq(stat(path, &sb), 0);
    tu_rmtree(dir);
    free(dir);
    free(text[0]);
    free(text[1]);
    scen_free(&sc);
}
END_TEST

Suite *world_suite(void)
{
    Suite *s = suite_create("world");
    TCase *tc = tcase_create("reports");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_reports_plain);
    tcase_add_test(tc, test_reports_every_family);
    tcase_add_test(tc, test_expansion_after_report);
    tcase_add_test(tc, test_timeline_hand);
    tcase_add_test(tc, test_targets_contacts_tables);
    tcase_add_test(tc, test_timeline_expansion);
    suite_add_tcase(s, tc);
    tc = tcase_create("lookups");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_crn_policy_adversary);
    tcase_add_test(tc, test_lookups_plain);
    tcase_add_test(tc, test_lookups_cache);
    tcase_add_test(tc, test_lookups_devices);
    tcase_add_test(tc, test_lookups_sampled);
    tcase_add_test(tc, test_run_path_event_path);
    suite_add_tcase(s, tc);
    tc = tcase_create("setup");
    tcase_add_test(tc, test_configure_errors);
    tcase_add_test(tc, test_describe_generate);
    suite_add_tcase(s, tc);
    return s;
}
