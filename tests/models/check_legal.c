/* check_legal — the legal process exactly as docs/model.md states it, on
 * hand-made traces whose answers are counted by hand in the comments
 * (issue 12's defects, each pinned here): a record is one piece of
 * evidence however often it is delivered; a preservation hold ends at the
 * last record the log has written; one half-open rule [s - R, s) for every
 * acquisition.
 *
 * The adversary is driven directly, with an engine stub (an empty event
 * queue and a clock) standing in for the run: the tests set the time, call
 * what the world would call, and read the knowledge and the coverage. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "adversary.h"
#include "cfg.h"
#include "diag.h"
#include "knowledge.h"
#include "legal.h"
#include "results.h"
#include "runutil.h"
#include "serverlog.h"
#include "sim.h"
#include "suites.h"
#include "testutil.h"

#define DAY 86400

/* People 0..5; true edges 0-1, 0-2, 0-3, 1-4, 4-5; person 0 the one target. */
struct rig {
    struct graph g;
    struct serverlog log;
    struct knowledge k;
    struct adversary_strategy st[3];
    struct adversary_params p;
    struct adversary a;
    uint32_t ids[1];
    struct sim s;
    gsl_rng *rng;
};

/* The rig with a log of R days (delay: seconds per written batch, 0 none),
 * min_count, and the strategies st[0 .. n) (copied); pol, when not NULL,
 * is the log's whole policy instead (its draws from r->rng). */
static void rig_policy(struct rig *r, int64_t R, int64_t delay, uint32_t min_count,
                       const struct adversary_strategy *st, size_t n, const struct serverlog_policy *pol)
{
    memset(r, 0, sizeof *r);
    struct graph_edge e[] = { { 0, 1 }, { 0, 2 }, { 0, 3 }, { 1, 4 }, { 4, 5 } };
    ck_assert_int_eq(graph_from_edges(&r->g, 6, e, 5), 0);
    struct serverlog_policy plain = { .retention = R * DAY, .resolution = 1, .sampling = 1,
                                      .queried = SERVERLOG_QUERIED_KEPT, .key_rotation = DAY, .delay = delay };
    r->rng = tu_rng(12);
    ck_assert_int_eq(serverlog_init_policy(&r->log, pol ? pol : &plain, r->rng), 0);
    ck_assert_int_eq(knowledge_init(&r->k, &r->g), 0);
    ck_assert_int_eq(knowledge_set_min_count(&r->k, min_count), 0);
    memcpy(r->st, st, n * sizeof *st);
    r->ids[0] = 0;
    r->p = (struct adversary_params){ .s = r->st, .n = n, .select = ADVERSARY_SELECT_IDS, .ids = r->ids,
                                      .nids = 1, .scope = ADVERSARY_SCOPE_BOTH };
    char err[128];
    ck_assert_int_eq(adversary_init(&r->a, &r->p, &r->g, NULL, NULL, err, sizeof err), 0);
    evq_init(&r->s.queue);
    r->s.run.horizon = 400 * (int64_t)DAY;
}

static void rig_init(struct rig *r, int64_t R, int64_t delay, uint32_t min_count,
                     const struct adversary_strategy *st, size_t n)
{
    rig_policy(r, R, delay, min_count, st, n, NULL);
}

static void rig_done(struct rig *r)
{
    evq_destroy(&r->s.queue);
    adversary_destroy(&r->a);
    knowledge_destroy(&r->k);
    serverlog_destroy(&r->log);
    graph_destroy(&r->g);
    gsl_rng_free(r->rng);
}

/* A lookup, as the world logs it: a running pen-register term captures
 * it as the provider's servers see it. */
static void lookup(struct rig *r, int64_t t, uint32_t a, uint32_t b)
{
    ck_assert_int_eq(serverlog_append(&r->log, (uint32_t)t, a, b), 0);
    if (r->a.live)
        ck_assert_int_eq(adversary_capture(&r->a, &r->log, (uint32_t)t, a, b, r->log.last_id, &r->k), 0);
}

/* Strategy `which`'s acquisition event at t (batches due written first). */
static int acquire(struct rig *r, int64_t t, uint32_t which)
{
    r->s.now = t;
    ck_assert_int_eq(serverlog_write_due(&r->log, t), 0);
    return adversary_acquire(&r->a, &r->s, which, &r->log, &r->k, NULL);
}

static const struct adversary_strategy historical = { .kind = ADVERSARY_HISTORICAL, .period = 0 };

/* Defect 1.  min_count = 2; the log keeps 10 days; person 0 looks up 1
 * once (day 1) and 2 twice (day 2, two seconds).  Two historical orders,
 * at days 5 and 6, both obtain all three records: 6 deliveries, 3 records.
 * 0-2 has two records: found.  0-1 has one record delivered twice: not
 * found (it was, when each delivery counted).  The second order's 3
 * deliveries are repeats. */
START_TEST(test_record_counted_once)
{
    struct rig r;
    rig_init(&r, 10, 0, 2, &historical, 1);
    lookup(&r, 1 * DAY, 0, 1);
    lookup(&r, 2 * DAY, 0, 2);
    lookup(&r, 2 * DAY + 1, 0, 2);
    struct coverage cov;
    coverage_init(&cov);
    ck_assert_int_eq(adversary_collect(&r.a, 5 * DAY, 0, &r.log, &r.k, &cov), 0);
    ck_assert_int_eq(adversary_collect(&r.a, 6 * DAY, 0, &r.log, &r.k, &cov), 0);
    ck_assert_uint_eq(r.k.records, 6);
    ck_assert_uint_eq(r.k.repeats, 3);
    ck_assert(knowledge_has_edge(&r.k, 0, 2));
    ck_assert(!knowledge_has_edge(&r.k, 0, 1));
    ck_assert_uint_eq(r.k.edges_found, 1);
    coverage_destroy(&cov);
    rig_done(&r);
}
END_TEST

/* Defect 1, a pen register and an order over the same days: the term
 * [0, 3 days) receives 0's lookup of 3 (day 1) as it is written; an order
 * at day 3 obtains it again from the log.  One record, min_count 2: 0-3
 * is not found. */
START_TEST(test_pen_register_and_order_once)
{
    struct adversary_strategy st[2] = {
        { .kind = ADVERSARY_PEN_REGISTER, .term = 3 * DAY },
        { .kind = ADVERSARY_HISTORICAL },
    };
    struct rig r;
    rig_init(&r, 10, 0, 2, st, 2);
    r.s.now = 0;
    ck_assert_int_eq(adversary_order_start(&r.a, &r.s, 0), 0);
    lookup(&r, 1 * DAY, 0, 3);
    ck_assert_int_eq(acquire(&r, 3 * DAY, 0), ADVERSARY_ACQUIRED_TARGETED);
    ck_assert_int_eq(acquire(&r, 3 * DAY, 1), ADVERSARY_ACQUIRED_TARGETED);
    ck_assert_uint_eq(r.k.records, 2);
    ck_assert_uint_eq(r.k.repeats, 1);
    ck_assert(!knowledge_has_edge(&r.k, 0, 3));
    rig_done(&r);
}
END_TEST

/* Defect 2.  A delivery delay of one day: a lookup made at t is written at
 * the next midnight.  Retention 10 days; 0 looks 1 up at noon of days 0 to
 * 5 (six lookups).  A preservation request at day 5 noon finds the log
 * written up to midnight of day 5: the lookups of days 0-4, i.e. the hold
 * covers [0, 5 days), five days (it covered 5.5 before: up to the request).
 * An order at day 30 obtains the hold and the log's own window [20, 30)
 * days: 15 days covered in two intervals, one hole; the five preserved
 * records (day 5's lookup expired on day 15). */
START_TEST(test_hold_ends_at_last_write)
{
    struct adversary_strategy st[2] = {
        { .kind = ADVERSARY_PRESERVATION, .start = 5 * DAY + DAY / 2, .hold = 180 * (int64_t)DAY },
        { .kind = ADVERSARY_HISTORICAL },
    };
    struct rig r;
    rig_init(&r, 10, DAY, 1, st, 2);
    for (int d = 0; d <= 5; d++)
        lookup(&r, d * DAY + DAY / 2, 0, 1);
    ck_assert_int_eq(acquire(&r, 5 * DAY + DAY / 2, 0), ADVERSARY_NOTHING);
    ck_assert_uint_eq(r.a.nholds, 1);
    ck_assert_uint_eq(r.a.holds[0].n, 5);
    ck_assert_int_eq(r.a.holds[0].from, 0);
    ck_assert_int_eq(r.a.holds[0].to, 5 * DAY);
    ck_assert_int_eq(serverlog_write_due(&r.log, 30 * DAY), 0);
    ck_assert_int_eq(acquire(&r, 30 * DAY, 1), ADVERSARY_ACQUIRED_TARGETED);
    ck_assert_int_eq(coverage_total(&r.a.covered), 15 * (int64_t)DAY);
    ck_assert_uint_eq(coverage_holes(&r.a.covered), 1);
    ck_assert_uint_eq(r.k.records, 5);
    rig_done(&r);
}
END_TEST

/* Defect 3.  Retention one day.  Lookups by 0 at 0 s (of 1), 1 s (of 2)
 * and 86,399 s (of 3); an order at 86,400 s obtains [0, 86,400): all
 * three (the one at 0 s was purged before: the order saw (0, 86,400)),
 * and covers exactly one day. */
START_TEST(test_window_half_open)
{
    struct rig r;
    rig_init(&r, 1, 0, 1, &historical, 1);
    lookup(&r, 0, 0, 1);
    lookup(&r, 1, 0, 2);
    lookup(&r, DAY - 1, 0, 3);
    ck_assert_int_eq(acquire(&r, DAY, 0), ADVERSARY_ACQUIRED_TARGETED);
    lookup(&r, DAY, 0, 1);                          /* at the order's second: the next order's */
    ck_assert_uint_eq(r.k.records, 3);
    ck_assert_uint_eq(r.k.edges_found, 3);
    ck_assert_int_eq(coverage_total(&r.a.covered), DAY);
    ck_assert_uint_eq(r.a.covered.n, 1);
    ck_assert_int_eq(r.a.covered.iv[0][0], 0);
    ck_assert_int_eq(r.a.covered.iv[0][1], DAY);
    rig_done(&r);
}
END_TEST

/* Defect 3, the pen register's bookkeeping against an order's: a term runs
 * [0, 1 day); an order at day 2 (retention one day) obtains [1 day, 2
 * days), the lookup at exactly 86,400 s included.  No second is lost
 * between them: two days covered, no hole, and the lookups at 0 s (by the
 * term), at 86,400 s and at 172,799 s (by the order) all obtained. */
START_TEST(test_pen_register_then_order_no_hole)
{
    struct adversary_strategy st[2] = {
        { .kind = ADVERSARY_PEN_REGISTER, .term = DAY },
        { .kind = ADVERSARY_HISTORICAL },
    };
    struct rig r;
    rig_init(&r, 1, 0, 1, st, 2);
    r.s.now = 0;
    ck_assert_int_eq(adversary_order_start(&r.a, &r.s, 0), 0);
    lookup(&r, 0, 0, 1);
    ck_assert_int_eq(acquire(&r, DAY, 0), ADVERSARY_ACQUIRED_TARGETED);
    ck_assert_uint_eq(r.k.records, 1);
    lookup(&r, DAY, 0, 2);
    lookup(&r, 2 * DAY - 1, 0, 3);
    ck_assert_int_eq(acquire(&r, 2 * DAY, 1), ADVERSARY_ACQUIRED_TARGETED);
    ck_assert_uint_eq(r.k.records, 3);
    ck_assert_uint_eq(r.k.edges_found, 3);
    ck_assert_int_eq(coverage_total(&r.a.covered), 2 * (int64_t)DAY);
    ck_assert_uint_eq(coverage_holes(&r.a.covered), 0);
    rig_done(&r);
}
END_TEST

/* Defect 4: the pen register's capture sees what the provider's servers
 * see, not what its business log keeps.  A log that keeps 1% of lookups,
 * at day resolution, the number under a keyed hash, written in daily
 * batches: a term [0, 3 days) still captures 0's lookups of 1 and 2 and
 * 3's lookup of 0 (all in scope of target 0), with their numbers: three
 * records, the three ego edges.  Under private contact discovery the
 * servers never see the number: 0's two lookups are captured (in scope by
 * their querier) as lookups of nobody known, 3's is not in scope (nothing
 * says it was of 0): two records, no pair. */
START_TEST(test_pen_register_sees_servers)
{
    struct adversary_strategy st = { .kind = ADVERSARY_PEN_REGISTER, .term = 3 * DAY };
    for (int pcd = 0; pcd < 2; pcd++) {
        struct serverlog_policy pol = { .retention = 30 * DAY, .resolution = DAY, .sampling = 0.01,
                                        .queried = pcd ? SERVERLOG_QUERIED_NONE : SERVERLOG_QUERIED_KEYED_HASH,
                                        .key_rotation = DAY, .delay = DAY };
        struct rig r;
        rig_policy(&r, 30, 0, 1, &st, 1, &pol);
        r.s.now = 0;
        ck_assert_int_eq(adversary_order_start(&r.a, &r.s, 0), 0);
        lookup(&r, 3600, 0, 1);
        lookup(&r, DAY + 7200, 0, 2);
        lookup(&r, 2 * DAY + 5, 3, 0);
        lookup(&r, 2 * DAY + 9, 4, 5);                  /* out of scope */
        ck_assert_int_eq(acquire(&r, 3 * DAY, 0), ADVERSARY_ACQUIRED_TARGETED);
        ck_assert_uint_eq(r.k.records, pcd ? 2 : 3);
        ck_assert_uint_eq(r.k.edges_found, pcd ? 0 : 3);
        ck_assert_int_eq(coverage_total(&r.a.covered), 3 * (int64_t)DAY);
        rig_done(&r);
    }
}
END_TEST

/* Defect 5: hop expansion, each target's own covered time, and an order
 * at once for a target found by expansion.  Retention 5 days, historical
 * orders on days 10 and 20, expansion to depth 2.  Lookups: 1 -> 4 on day
 * 6, 0 -> 1 on day 7, 1 -> 4 on day 12 (never obtained: [10, 15) is in no
 * window), 4 -> 5 on day 17.
 *   day 10: the order for {0} obtains [5, 10): 0-1.  Expansion: 1 (depth
 *     1); the order served at once for {1} obtains [5, 10) again: 1-4.
 *   day 20: the order for {0, 1} obtains [15, 20): nothing in scope.
 *     Expansion: 4 (from 1, depth 2); its order obtains [15, 20): 4-5.
 * Own windows: 0 and 1 [5, 10) + [15, 20) (10 days, 1 hole), 4 [15, 20)
 * (5 days, none): mean 25/3 days and 2/3 holes (the shared window said 10
 * days and 1 for all); 3 edges; 4 orders. */
START_TEST(test_expansion_served_at_once)
{
    struct adversary_strategy st = { .kind = ADVERSARY_HISTORICAL };
    struct rig r;
    rig_init(&r, 5, 0, 1, &st, 1);
    r.p.expand_depth = 2;
    r.p.expand_budget = 5;
    lookup(&r, 6 * DAY, 1, 4);
    lookup(&r, 7 * DAY, 0, 1);
    for (int64_t day = 10; day <= 20; day += 10) {
        if (day == 20) {
            lookup(&r, 12 * DAY, 1, 4);
            lookup(&r, 17 * DAY, 4, 5);
        }
        ck_assert_int_eq(acquire(&r, day * DAY, 0), ADVERSARY_ACQUIRED_TARGETED);
        ck_assert_int_eq(adversary_expand(&r.a, &r.k, day * DAY), 1);
        ck_assert_int_eq(adversary_serve_new(&r.a, day * DAY, &r.log, &r.k), 0);
    }
    ck_assert_uint_eq(r.a.ntargets, 3);
    ck_assert(knowledge_has_edge(&r.k, 0, 1) && knowledge_has_edge(&r.k, 1, 4) && knowledge_has_edge(&r.k, 4, 5));
    ck_assert_uint_eq(r.k.edges_found, 3);
    double days, holes;
    ck_assert_int_eq(adversary_target_coverage(&r.a, &days, &holes), 0);
    ck_assert_double_eq_tol(days, 25.0 / 3, 1e-12);
    ck_assert_double_eq_tol(holes, 2.0 / 3, 1e-12);
    ck_assert_uint_eq(r.a.orders, 4);
    ck_assert_int_eq(coverage_total(&r.a.covered), 10 * (int64_t)DAY);
    rig_done(&r);
}
END_TEST

/* Defect 8: a random stop.  Replication 1 reports recall 0.2 on day 30
 * and 0.5 on day 60; replication 2 stops after day 30 with 0.4.  The
 * summary (last values) mixes days: mean (0.5 + 0.4) / 2 = 0.45.  The
 * common day is 30 (the earlier last report); at it the values are 0.2
 * and 0.4: mean 0.3.  With both stopping on day 60, nothing differs. */
START_TEST(test_summary_at_common_day)
{
    struct results res;
    results_init(&res);
    ck_assert_int_eq(results_add(&res, 0, 1, 30, "r", 0.2), 0);
    ck_assert_int_eq(results_add(&res, 0, 2, 60, "r", 0.5), 0);
    ck_assert_int_eq(results_add(&res, 1, 1, 30, "r", 0.4), 0);
    int differ;
    ck_assert_double_eq(results_common_day(&res, 2, &differ), 30);
    ck_assert_int_eq(differ, 1);
    ck_assert_double_eq_tol(results_summary(&res, 0, 2).mean, 0.45, 1e-12);
    struct results_stat st = results_summary_at(&res, 0, 2, 30);
    ck_assert_double_eq_tol(st.mean, 0.3, 1e-12);
    ck_assert_uint_eq(st.n, 2);
    ck_assert_int_eq(results_add(&res, 1, 2, 60, "r", 0.6), 0);
    ck_assert_double_eq(results_common_day(&res, 2, &differ), 60);
    ck_assert_int_eq(differ, 0);
    results_destroy(&res);
    /* a run with a random stop writes it, with its day */
    char *dir = tu_mkdtemp(), *scen = tu_top("scenarios/pen-register-chain.xml"), args[8400];
    snprintf(args, sizeof args, "run -q '%s' -o '%s/out'", scen, dir);
    ck_assert_int_eq(tu_exposim(args, NULL, NULL), 0);
    snprintf(args, sizeof args, "%s/out/summary-day.csv", dir);
    struct tu_csv csv;
    ck_assert_int_eq(tu_csv_read(args, &csv), 0);
    ck_assert_int_eq(tu_csv_col(&csv, "day"), 1);
    ck_assert_str_eq(csv.rows[1][1], "60");
    tu_csv_free(&csv);
    tu_rmtree(dir);
    free(dir);
    free(scen);
}
END_TEST

/* Cost and per-target recall, counted by hand.  A pen register of 3-day
 * terms with one seamless extension: terms [0, 3) and [3, 6) days: 2
 * orders, 1 extension, 6 target-days for the one target.  0 looks up 1
 * (day 1) and 2 (day 4): target 0's ego recall 2/3 (pairs 0-1, 0-2 of
 * 0-1, 0-2, 0-3).  Tie rates per entry of 0's row: 0-1 0.01 (rare), 0-2
 * 0.1 (monthly), 0-3 2 (daily): found 1/1, 1/1, 0/1. */
START_TEST(test_cost_and_bands)
{
    struct adversary_strategy st = { .kind = ADVERSARY_PEN_REGISTER, .term = 3 * DAY, .renewal = 1,
                                     .max_extensions = 1 };
    struct rig r;
    rig_init(&r, 30, 0, 1, &st, 1);
    r.s.now = 0;
    ck_assert_int_eq(adversary_order_start(&r.a, &r.s, 0), 0);
    lookup(&r, DAY, 0, 1);
    ck_assert_int_eq(acquire(&r, 3 * DAY, 0), ADVERSARY_ACQUIRED_TARGETED);
    lookup(&r, 4 * DAY, 0, 2);
    ck_assert_int_eq(acquire(&r, 6 * DAY, 0), ADVERSARY_ACQUIRED_TARGETED);
    ck_assert_uint_eq(r.a.orders, 2);
    ck_assert_uint_eq(r.a.extensions[0], 1);
    ck_assert_int_eq(r.a.target_seconds_ordered, 6 * (int64_t)DAY);
    float w[10] = { 0 };                            /* 2m = 10 entries; row 0 is entries 0-2 */
    w[0] = 0.01f, w[1] = 0.1f, w[2] = 2;
    uint64_t found[4] = { 0 }, all[4] = { 0 };
    ck_assert_double_eq_tol(legal_target_recall(&r.a, &r.k, 0, w, NAN, found, all), 2.0 / 3, 1e-12);
    ck_assert(found[0] == 1 && all[0] == 1 && found[1] == 1 && all[1] == 1);
    ck_assert(found[2] == 0 && all[2] == 0 && found[3] == 0 && all[3] == 1);
    rig_done(&r);
}
END_TEST

/* Each regime's file has its cited retention (docs/model.md, "Retention
 * regimes"): US practice 30 days, Germany 2015 10 weeks, UK IPA 2016 12
 * months, Australia 2015 2 years, the 2006 directive's minimum 6 months;
 * private contact discovery on only in its own file; the regimes sweep
 * runs every file, and the retention sweep exactly those retentions. */
START_TEST(test_regimes_as_cited)
{
    static const struct {
        const char *file, *retention, *pcd;
    } regimes[] = {
        { "scenarios/regime-us-2016.xml", "<retention days=\"30\"", "\"false\"" },
        { "scenarios/regime-germany-2015.xml", "<retention days=\"70\"", "\"false\"" },
        { "scenarios/regime-uk-ipa-2016.xml", "<retention days=\"365\"", "\"false\"" },
        { "scenarios/regime-australia-2015.xml", "<retention days=\"730\"", "\"false\"" },
        { "scenarios/regime-eu-directive-2006.xml", "<retention days=\"180\"", "\"false\"" },
        { "scenarios/regime-private-contact-discovery.xml", "<retention days=\"30\"", "\"true\"" },
        { "scenarios/regime-eu-quick-freeze.xml", "<quick_freeze day=\"365\"/>", "\"false\"" },
        { "scenarios/regime-eu-ip-only.xml", "<retention days=\"0\" ip_days=\"365\"", "\"false\"" },
    };
    for (size_t i = 0; i < sizeof regimes / sizeof regimes[0]; i++) {
        char *path = tu_top(regimes[i].file), *text = tu_slurp(path, NULL), want[64];
        ck_assert_msg(text != NULL, "cannot read %s", path);
        ck_assert_msg(strstr(text, regimes[i].retention) != NULL, "%s: not %s", regimes[i].file, regimes[i].retention);
        snprintf(want, sizeof want, "private_contact_discovery=%s", regimes[i].pcd);
        ck_assert_msg(strstr(text, want) != NULL, "%s: not %s", regimes[i].file, want);
        free(text);
        free(path);
    }
    /* sweep-regimes.xml runs every regime's file as a base of its own;
     * sweep-regimes-retention.xml the US town at exactly those retentions */
    char *path = tu_top("scenarios/sweep-regimes.xml"), *text = tu_slurp(path, NULL);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < sizeof regimes / sizeof regimes[0]; i++) {
        char want[128];
        snprintf(want, sizeof want, "file=\"%s\"/>", regimes[i].file + strlen("scenarios/"));
        ck_assert_msg(strstr(text, want) != NULL, "sweep-regimes.xml lacks %s", want);
    }
    free(text);
    free(path);
    path = tu_top("scenarios/sweep-regimes-retention.xml");
    text = tu_slurp(path, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(text, "<values>30 70 180 365 730</values>"));
    ck_assert_ptr_nonnull(strstr(text, "<base file=\"regime-us-2016.xml\"/>"));
    free(text);
    free(path);
}
END_TEST

/* Per-field retention: pairs 10 days, IP addresses 2 days.  0 looks up 1,
 * 2 and 3 on days 1, 5 and 9; an order on day 10 obtains the three pairs
 * but the address of the day-9 lookup only: one record kept for the
 * location inference.  days="0" without ip_days is refused. */
START_TEST(test_ip_retention)
{
    struct serverlog_policy pol = { .retention = 10 * DAY, .ip_retention = 2 * DAY, .resolution = 1,
                                    .sampling = 1, .queried = SERVERLOG_QUERIED_KEPT, .key_rotation = DAY };
    struct rig r;
    rig_policy(&r, 10, 0, 1, &historical, 1, &pol);
    adversary_keep_records(&r.a);
    lookup(&r, 1 * DAY, 0, 1);
    lookup(&r, 5 * DAY, 0, 2);
    lookup(&r, 9 * DAY, 0, 3);
    ck_assert_int_eq(acquire(&r, 10 * DAY, 0), ADVERSARY_ACQUIRED_TARGETED);
    ck_assert_uint_eq(r.k.edges_found, 3);
    size_t n;
    uint64_t *kept = adversary_take_kept(&r.a, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(kept[0], (uint64_t)0 << 32 | 9 * DAY);
    rig_done(&r);
    tu_run_expect("ip.xml", "<scenario name=\"ip\"><run seed=\"1\" replications=\"1\" horizon_days=\"20\"/>\n"
                  "<population size=\"50\"/><contacts><erdos_renyi mean_degree=\"4\"/></contacts>\n"
                  "<traffic rate_per_day=\"0.1\"/><policy><retention days=\"0\"/></policy>\n"
                  "<adversary><bulk_snapshot period_days=\"10\"/></adversary></scenario>\n",
                  "days 0 without ip_days", 2, "ip.xml:3:");
}
END_TEST

/* The IP address kept longer than the pair: pairs 3 days, addresses 10
 * (serverlog_configure makes the record's retention 10 days, the pair's
 * 3).  0 looks up 1, 2 and 3 on days 1, 5 and 9; 4 looks up 0 on day 2.
 * An order for 0 on day 10 gets the three records of 0's own lookups (the
 * day-2 lookup of 0 by 4 is out of scope: its pair is gone, so nobody can
 * tell it named 0), the pair of day 9 only: 3 records, 1 edge (0-3); all
 * three places 0 (3 records kept for locating); covered: the pairs' 3
 * days.  Then IP addresses only (days 0) with a quick freeze of 0 on day
 * 4: the retained day-1 record of 0 is held without its pair (4's
 * lookup of 0 is out of scope); 0's day-5 and day-9 lookups are frozen as
 * logged.  The order on day 10 is served 0's three records from the log,
 * all without pairs, and the three held (0-1 without): 6 records
 * delivered, 2 edges (0-2, 0-3), 6 places; covered: the freeze's
 * [4, 10): 6 days. */
START_TEST(test_ip_longer_than_pair)
{
    struct serverlog_policy pol;
    char *dir = tu_mkdtemp(), path[4096];
    snprintf(path, sizeof path, "%s/s.xml", dir);
    tu_write(path, "<scenario name=\"ip\"><run seed=\"1\" replications=\"1\" horizon_days=\"20\"/>\n"
             "<population size=\"50\"/><contacts><erdos_renyi mean_degree=\"4\"/></contacts>\n"
             "<traffic rate_per_day=\"0.1\"/><policy><retention days=\"3\" ip_days=\"10\"/></policy>\n"
             "<adversary><bulk_snapshot period_days=\"10\"/></adversary></scenario>\n");
    struct diag d;
    diag_init(&d);
    struct cfg *c = cfg_load(path, NULL, 0, &d);
    ck_assert_msg(c != NULL, "%s", d.n ? d.msg[0] : "");
    ck_assert_int_eq(serverlog_configure(&pol, c, cfg_child(cfg_root(c), "policy")), 0);
    cfg_free(c);
    diag_destroy(&d);
    tu_rmtree(dir);
    free(dir);
    ck_assert_int_eq(pol.retention, 10 * DAY);
    ck_assert_int_eq(pol.pair_limited, 1);
    ck_assert_int_eq(pol.pair_retention, 3 * DAY);
    ck_assert_int_eq(pol.ip_retention, 0);
    pol.key_rotation = DAY;
    struct rig r;
    rig_policy(&r, 10, 0, 1, &historical, 1, &pol);
    adversary_keep_records(&r.a);
    lookup(&r, 1 * DAY, 0, 1);
    lookup(&r, 2 * DAY, 4, 0);
    lookup(&r, 5 * DAY, 0, 2);
    lookup(&r, 9 * DAY, 0, 3);
    ck_assert_int_eq(acquire(&r, 10 * DAY, 0), ADVERSARY_ACQUIRED_TARGETED);
    ck_assert_uint_eq(r.k.records, 3);
    ck_assert_uint_eq(r.k.edges_found, 1);
    ck_assert(knowledge_has_edge(&r.k, 0, 3));
    size_t n;
    adversary_take_kept(&r.a, &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(coverage_total(&r.a.covered), 3 * (int64_t)DAY);
    rig_done(&r);

    pol.pair_retention = 0;                         /* days="0": IP addresses only */
    struct adversary_strategy st[2] = { { .kind = ADVERSARY_QUICK_FREEZE, .start = 4 * DAY },
                                        { .kind = ADVERSARY_HISTORICAL } };
    rig_policy(&r, 10, 0, 1, st, 2, &pol);
    adversary_keep_records(&r.a);
    lookup(&r, 1 * DAY, 0, 1);
    lookup(&r, 2 * DAY, 4, 0);
    ck_assert_int_eq(acquire(&r, 4 * DAY, 0), ADVERSARY_NOTHING);
    lookup(&r, 5 * DAY, 0, 2);
    ck_assert_int_eq(adversary_freeze(&r.a, &r.log), 0);
    lookup(&r, 9 * DAY, 0, 3);
    ck_assert_int_eq(adversary_freeze(&r.a, &r.log), 0);
    ck_assert_int_eq(acquire(&r, 10 * DAY, 1), ADVERSARY_ACQUIRED_TARGETED);
    ck_assert_uint_eq(r.k.records, 6);
    ck_assert_uint_eq(r.k.edges_found, 2);
    ck_assert(!knowledge_has_edge(&r.k, 0, 1));
    adversary_take_kept(&r.a, &n);
    ck_assert_uint_eq(n, 6);
    ck_assert_int_eq(coverage_total(&r.a.covered), 6 * (int64_t)DAY);
    rig_done(&r);
}
END_TEST

/* Quick freeze: a 1-day log (nothing kept in general); a freeze of target
 * 0's data on day 2.  0 looks up 1 at day 1.5 (retained at the trigger:
 * frozen), 2 on day 3 and 3 on day 5 (frozen as logged); 4 looks up 5 on
 * day 4 (out of scope).  An order on day 10 obtains the three frozen
 * records and the log's own day [9, 10) (empty): 3 records, 3 edges,
 * covered [1, 10) days: 9 days. */
START_TEST(test_quick_freeze)
{
    struct adversary_strategy st[2] = { { .kind = ADVERSARY_QUICK_FREEZE, .start = 2 * DAY },
                                        { .kind = ADVERSARY_HISTORICAL } };
    struct rig r;
    rig_init(&r, 1, 0, 1, st, 2);
    lookup(&r, DAY + DAY / 2, 0, 1);
    ck_assert_int_eq(acquire(&r, 2 * DAY, 0), ADVERSARY_NOTHING);
    ck_assert_uint_eq(r.a.freezing, 1);
    int64_t when[3] = { 3 * DAY, 4 * DAY, 5 * DAY };
    uint32_t who[3][2] = { { 0, 2 }, { 4, 5 }, { 0, 3 } };
    for (int i = 0; i < 3; i++) {
        lookup(&r, when[i], who[i][0], who[i][1]);
        ck_assert_int_eq(adversary_freeze(&r.a, &r.log), 0);
    }
    ck_assert_int_eq(acquire(&r, 10 * DAY, 1), ADVERSARY_ACQUIRED_TARGETED);
    ck_assert_uint_eq(r.k.records, 3);
    ck_assert_uint_eq(r.k.edges_found, 3);
    ck_assert(!knowledge_has_edge(&r.k, 4, 5));
    ck_assert_int_eq(coverage_total(&r.a.covered), 9 * (int64_t)DAY);
    rig_done(&r);
}
END_TEST

/* Retention limited to regions: two regions of equal weight, only A's
 * people's lookups retained.  A pair is found with 1 - e^(-2 λ T) when both
 * ends live in A (probability 1/4), 1 - e^(-λ T) when one does (1/2), never
 * otherwise: with λ = 0.005 and T = 180 days (monthly snapshots of a
 * 30-day log), 0.25 x 0.8347 + 0.5 x 0.5934 = 0.5054.  The mean over 5
 * replications of 15,000 edges is within 0.01 of it (the SE, with the
 * regions' draw, is under 0.003); with the zone every region, the bytes
 * are those of no zone. */
START_TEST(test_retention_zone)
{
    static const char *fmt = "<scenario name=\"z\"><run seed=\"5\" replications=\"5\" horizon_days=\"180\"/>"
        "<population size=\"3000\"><region name=\"A\" weight=\"1\" lat=\"50\" lon=\"10\" radius_km=\"5\"/>"
        "<region name=\"B\" weight=\"1\" lat=\"51\" lon=\"11\" radius_km=\"5\"/></population>"
        "<contacts><erdos_renyi mean_degree=\"10\"/></contacts><traffic rate_per_day=\"0.005\"/>"
        "<policy><retention days=\"30\"%s/></policy><adversary><bulk_snapshot period_days=\"30\"/></adversary>"
        "</scenario>";
    char xml[1500];
    struct results a, b, c;
    snprintf(xml, sizeof xml, fmt, " regions=\"A\"");
    ru_run(xml, &a);
    double p2 = 1 - exp(-2 * 0.005 * 180), p1 = 1 - exp(-0.005 * 180), want = 0.25 * p2 + 0.5 * p1;
    double got = ru_mean(&a, 5, 0, "edge_recall");
    ck_assert_msg(fabs(got - want) < 0.01, "edge_recall %.4f, closed form %.4f", got, want);
    ck_assert_double_eq(ru_mean(&a, 5, 0, "covered_days"), 180);
    snprintf(xml, sizeof xml, fmt, " regions=\"A B\"");
    ru_run(xml, &b);
    snprintf(xml, sizeof xml, fmt, "");
    ru_run(xml, &c);
    ck_assert_double_eq(ru_mean(&b, 5, 0, "edge_recall"), ru_mean(&c, 5, 0, "edge_recall"));
    ck_assert(ru_mean(&c, 5, 0, "edge_recall") > got + 0.2);
    results_destroy(&a);
    results_destroy(&b);
    results_destroy(&c);
}
END_TEST

/* Defect 7: the statutes are the defaults and the bounds.  A 61-day
 * pen-register term, a 91-day hold and a second renewal are refused with
 * status 2 at their line, citing the statute; with override="true" they
 * run; at the limits (60, 90, one renewal) they run without it. */
START_TEST(test_statutory_limits)
{
    static const char *fmt = "<scenario name=\"law\"><run seed=\"1\" replications=\"1\" horizon_days=\"200\"/>\n"
                             "<population size=\"60\"/><contacts><erdos_renyi mean_degree=\"4\"/></contacts>\n"
                             "<traffic rate_per_day=\"0.1\"/><policy><retention days=\"30\"/></policy>\n"
                             "<adversary><targets select=\"random\" count=\"2\"/>\n%s\n"
                             "<historical_order period_days=\"100\"/></adversary></scenario>\n";
    static const struct {
        const char *el, *want;
        int status;
    } cases[] = {
        { "<pen_register term_days=\"61\"/>", "18 U.S.C. §3123(c)", 2 },
        { "<pen_register term_days=\"61\"/>", "law.xml:5:", 2 },
        { "<preservation day=\"10\" hold_days=\"91\"/>", "§2703(f)(2) (got 91)", 2 },
        { "<preservation day=\"10\" renewals=\"2\"/>", "one 90-day extension", 2 },
        { "<pen_register term_days=\"61\" override=\"true\"/>", "edge_recall", 0 },
        { "<preservation day=\"10\" hold_days=\"365\" renewals=\"3\" override=\"true\"/>", "edge_recall", 0 },
        { "<pen_register term_days=\"60\" max_extensions=\"2\"/><preservation day=\"10\" hold_days=\"90\" "
          "renewals=\"1\"/>", "edge_recall", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char xml[2048];
        snprintf(xml, sizeof xml, fmt, cases[i].el);
        tu_run_expect("law.xml", xml, cases[i].el, cases[i].status, cases[i].want);
    }
}
END_TEST

Suite *legal_suite(void)
{
    Suite *s = suite_create("legal");
    TCase *tc = tcase_create("defects");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_record_counted_once);
    tcase_add_test(tc, test_pen_register_and_order_once);
    tcase_add_test(tc, test_hold_ends_at_last_write);
    tcase_add_test(tc, test_window_half_open);
    tcase_add_test(tc, test_pen_register_then_order_no_hole);
    tcase_add_test(tc, test_statutory_limits);
    tcase_add_test(tc, test_retention_zone);
    tcase_add_test(tc, test_quick_freeze);
    tcase_add_test(tc, test_ip_retention);
    tcase_add_test(tc, test_ip_longer_than_pair);
    tcase_add_test(tc, test_regimes_as_cited);
    tcase_add_test(tc, test_cost_and_bands);
    tcase_add_test(tc, test_summary_at_common_day);
    tcase_add_test(tc, test_expansion_served_at_once);
    tcase_add_test(tc, test_pen_register_sees_servers);
    suite_add_tcase(s, tc);
    return s;
}
