/* check_estimate — the estimate of a replication (models/estimate.c)
 * against its known answers and against what runs count: the expected
 * lookups of conversations and non-contact lookups within the Poisson and
 * graph standard error of the mean counted over replications, an
 * enumeration's sweep stopping at the plan's size exactly, address-book
 * syncs on the conservative side, and memory that follows the log's
 * retention by the record's 12 bytes. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "runutil.h"
#include "sim.h"
#include "suites.h"

/* N people, Erdős–Rényi mean degree d, every client looking up each
 * contact at λ a day and non-contacts at nc a day, T days: the estimate is
 * N d λ T + N nc T.  A replication's count, given its graph of E ties, is
 * Poisson with mean 2 E λ T + N nc T, and E is Binomial(N(N-1)/2, p), p =
 * d / (N - 1), of variance about N d / 2 (1 - p): the count's variance is
 * μ + (2 λ T)^2 N d (1 - p) / 2.  The mean of R replications must lie
 * within 5 standard errors. */
static void lookups_run(double nc)
{
    const unsigned n = 2000, reps = 20;
    const double d = 10, lambda = 0.05, days = 60;
    char xml[1024];
    snprintf(xml, sizeof xml,
             "<scenario name=\"est\"><run seed=\"11\" replications=\"%u\" horizon_days=\"%g\"/>"
             "<population size=\"%u\"/><contacts><erdos_renyi mean_degree=\"%g\"/></contacts>"
             "<traffic rate_per_day=\"%g\" noncontact_per_day=\"%g\"/><policy><retention days=\"30\"/></policy>"
             "<adversary><bulk_snapshot period_days=\"30\"/></adversary></scenario>",
             reps, days, n, d, lambda, nc);
    struct sim_estimate e;
    ru_estimate(xml, &e, NULL);
    double want = n * d * lambda * days + n * nc * days;
    ck_assert_double_eq_tol(e.lookups, want, 1e-6 * want);
    ck_assert_double_eq_tol(e.events, want, 1e-6 * want);   /* one event a lookup here */
    struct results res;
    ru_run(xml, &res);
    double mean = ru_mean(&res, reps, 0, "lookups");
    double p = d / (n - 1), var = want + pow(2 * lambda * days, 2) * n * d * (1 - p) / 2;
    double se = sqrt(var / reps);
    ck_assert_msg(fabs(mean - e.lookups) < 5 * se, "lookups: estimated %g, counted %g (SE %g)", e.lookups, mean,
                  se);
    results_destroy(&res);
}

START_TEST(test_lookups_conversations) { lookups_run(0); }
END_TEST

START_TEST(test_lookups_noncontacts) { lookups_run(0.5); }
END_TEST

/* A sweep of the numbering plan stops when the plan is swept: 2 accounts
 * of 1000 lookups a day for 30 days would make 60,000, but the plan holds
 * 10 x 1000 numbers: 10,000 lookups, as counted.  (The conversations add
 * N d λ T = 1000 x 4 x 0.01 x 30 = 1200.) */
START_TEST(test_enumeration_stops)
{
    const char *xml = "<scenario name=\"en\"><run seed=\"8\" replications=\"1\" horizon_days=\"30\"/>"
                      "<population size=\"1000\" client_share=\"0.5\"/>"
                      "<contacts><erdos_renyi mean_degree=\"4\"/></contacts>"
                      "<traffic rate_per_day=\"0.01\"/><policy><retention days=\"5\"/></policy>"
                      "<enumeration accounts=\"2\" lookups_per_day=\"1000\" space_factor=\"10\" order=\"sweep\"/>"
                      "<adversary><bulk_snapshot period_days=\"5\"/></adversary></scenario>";
    struct sim_estimate e;
    ru_estimate(xml, &e, NULL);
    ck_assert_double_eq_tol(e.lookups, 10000 + 0.5 * 1000 * 4 * 0.01 * 30, 1e-6);
    /* its busiest day holds its 2000 lookups, not the run's mean */
    ck_assert_msg(e.day_events >= 2000, "day events %g", e.day_events);
    struct results res;
    ru_run(xml, &res);
    ck_assert_double_eq(ru_value(&res, 0, 0, "enumeration_lookups"), 10000);
    results_destroy(&res);
}
END_TEST

/* Address books of 50 entries synced every 2 days by 700 clients over 30
 * days: 700 x 50 x 15 = 525,000 numbers looked up, and 12 edits a year
 * each (an event each, as each periodic sync); the estimate counts every client's full book from day 0 and may
 * not fall short of the count, nor exceed it by more than 15%. */
START_TEST(test_addressbook_syncs)
{
    const char *xml = "<scenario name=\"ab\"><run seed=\"3\" replications=\"3\" horizon_days=\"30\"/>"
                      "<population size=\"1000\" client_share=\"0.7\"/>"
                      "<contacts><erdos_renyi mean_degree=\"10\"/></contacts><traffic rate_per_day=\"0.01\"/>"
                      "<address_book size_mean=\"50\" period_days=\"2\"/><policy><retention days=\"10\"/></policy>"
                      "<adversary><bulk_snapshot period_days=\"10\"/></adversary></scenario>";
    struct sim_estimate e;
    ru_estimate(xml, &e, NULL);
    struct results res;
    ru_run(xml, &res);
    double counted = ru_mean(&res, 3, 0, "lookups") + ru_mean(&res, 3, 0, "sync_lookups");
    ck_assert_msg(e.lookups >= counted && e.lookups <= 1.15 * counted, "estimated %g, counted %g", e.lookups,
                  counted);
    ck_assert_double_eq_tol(e.events, 700 * (0.5 + 12.0 / 365) * 30 + 1000 * 10 * 0.01 * 30 * 0.7, 1e-6);
    results_destroy(&res);
}
END_TEST

/* Memory follows the log: 30 more days of retention hold 30 more days of
 * lookups, 8 bytes each (serverlog.h: 20 + 20 bits of ids, 24 of time),
 * and nothing else moves when the knowledge's staging block is already
 * full (N = 10^6, mean degree 20: 200,000 lookups a day).  A keyed hash
 * of the number takes 32 bits: still 8 bytes at N = 10^6 (12 bits of time
 * left), 12 at N = 10^8 (27 + 32 bits leave 5); at N = 10^8 kept numbers
 * take 27 + 27 bits, 8 bytes (at 10^8 people: 2 x 10^7 lookups a day). */
START_TEST(test_memory_follows_retention)
{
    const char *fmt = "<scenario name=\"m\"><run seed=\"1\" replications=\"1\" horizon_days=\"180\"/>"
                      "<population size=\"%d\"/><contacts><erdos_renyi mean_degree=\"20\"/></contacts>"
                      "<traffic rate_per_day=\"0.01\"/><policy><retention days=\"%d\"/>"
                      "<logging queried_number=\"%s\"/></policy>"
                      "<adversary><bulk_snapshot period_days=\"30\"/></adversary></scenario>";
    static const struct { int n; const char *queried; double bytes; } cases[] = {
        { 1000000, "kept", 8 }, { 1000000, "keyed_hash", 8 },
        { 100000000, "kept", 8 }, { 100000000, "keyed_hash", 12 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *a, *b;
        ck_assert_int_ge(asprintf(&a, fmt, cases[i].n, 30, cases[i].queried), 0);
        ck_assert_int_ge(asprintf(&b, fmt, cases[i].n, 60, cases[i].queried), 0);
        struct sim_estimate ea, eb;
        ru_estimate(a, &ea, NULL);
        ru_estimate(b, &eb, NULL);
        double day = cases[i].n * 20.0 * 0.01;             /* lookups a day */
        ck_assert_double_eq_tol(eb.bytes - ea.bytes, cases[i].bytes * day * 30, 1);
        ck_assert_double_eq_tol(ea.lookups, day * 180, 1e-3 * day);
        free(a), free(b);
    }
}
END_TEST

Suite *estimate_suite(void)
{
    Suite *s = suite_create("estimate");
    TCase *tc = tcase_create("estimate");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_lookups_conversations);
    tcase_add_test(tc, test_lookups_noncontacts);
    tcase_add_test(tc, test_enumeration_stops);
    tcase_add_test(tc, test_addressbook_syncs);
    tcase_add_test(tc, test_memory_follows_retention);
    suite_add_tcase(s, tc);
    return s;
}
