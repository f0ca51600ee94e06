/* check_enumeration — the numbering plan is a permutation; an
 * enumeration's coverage under a rate limit against its closed forms (a
 * sweep: hypergeometric; uniform draws: 1 - (1 - 1/S)^k); its records
 * reach the adversary, each acquisition's counted, and add no pair. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "enumeration.h"
#include "runutil.h"
#include "suites.h"
#include "testutil.h"

START_TEST(test_plan_is_a_permutation)
{
    const double factors[] = { 1, 3.7, 10 };
    uint8_t flags[1000];
    memset(flags, 1, sizeof flags);
    for (size_t f = 0; f < 3; f++) {
        struct enumeration_params p;
        memset(&p, 0, sizeof p);
        p.on = 1;
        p.accounts = 1;
        p.per_day = 10;
        p.space_factor = factors[f];
        struct enumeration en;
        ck_assert_int_eq(enumeration_init(&en, &p, 1000, flags, 1, NULL, 3, 4), 0);
        ck_assert_uint_eq(en.space, (uint64_t)ceil(1000 * factors[f]));
        uint8_t *hit = calloc(en.space, 1);
        for (uint64_t x = 0; x < en.space; x++) {
            uint64_t y = enumeration_number(&en, x);
            FAST(y < en.space && !hit[y]);
            hit[y] = 1;
        }
        free(hit);
        enumeration_destroy(&en);
    }
}
END_TEST

/* N = 5000 people, half of them clients, in a plan of S = 50000 numbers;
 * two accounts of 1000 lookups a day: k = 2000 d lookups by day d.  A
 * sweep finds a client with probability k/S (each number once): the found
 * are hypergeometric, SE = sqrt(k (C/S)(1 - C/S)(S - k)/(S - 1)) / C over C
 * clients; uniform draws find each with probability 1 - (1 - 1/S)^k (SE
 * from the binomial, which bounds the slightly negatively correlated
 * finds).  Snapshots every 5 days. */
static void coverage_run(const char *order, int sweep)
{
    const unsigned reps = 3;
    char xml[1024];
    snprintf(xml, sizeof xml,
             "<scenario name=\"en\"><run seed=\"8\" replications=\"%u\" horizon_days=\"30\"/>"
             "<population size=\"5000\" client_share=\"0.5\"/><contacts><erdos_renyi mean_degree=\"4\"/></contacts>"
             "<traffic rate_per_day=\"0.01\"/><policy><retention days=\"5\"/></policy>"
             "<enumeration accounts=\"2\" lookups_per_day=\"1000\" space_factor=\"10\" order=\"%s\"/>"
             "<adversary><bulk_snapshot period_days=\"5\"/></adversary></scenario>",
             reps, order);
    struct results res;
    ru_run(xml, &res);
    const double S = 50000, C = 2500;             /* (C varies by replication: SE from the expected) */
    for (uint32_t acq = 1; acq <= 6; acq++) {
        double k = 2000.0 * 5 * acq, want, se;
        if (sweep) {
            k = k < S ? k : S;
            want = k / S;
            se = sqrt(k * (C / S) * (1 - C / S) * (S - k) / (S - 1)) / C;
        } else {
            want = 1 - pow(1 - 1 / S, k);
            se = sqrt(want * (1 - want) / C);
        }
        double got = ru_mean(&res, reps, acq, "enumeration_coverage");
        se /= sqrt(reps);
        ck_assert_msg(fabs(got - want) <= 4 * se + 1e-12, "%s, acquisition %u: coverage %.5f vs %.5f (SE %.5f)",
                      order, acq, got, want, se);
        double lookups = ru_mean(&res, reps, acq, "enumeration_lookups");
        ck_assert_double_eq(lookups, k);          /* the rate limit, used up */
    }
    results_destroy(&res);
}

START_TEST(test_coverage_sweep) { coverage_run("sweep", 1); }
END_TEST

START_TEST(test_coverage_random) { coverage_run("random", 0); }
END_TEST

/* The same world with and without an enumerator: the graph results are
 * the same to the bit (its records make no pair, and its draws are its
 * own); with snapshots every R days every enumerator record is acquired
 * once, but those made at the very second of a snapshot (after it, and
 * purged before the next) or at second 0. */
START_TEST(test_records)
{
    const char *fmt = "<scenario name=\"en\"><run seed=\"8\" replications=\"2\" horizon_days=\"30\"/>"
                      "<population size=\"3000\"/><contacts><erdos_renyi mean_degree=\"6\"/></contacts>"
                      "<traffic rate_per_day=\"0.01\"/><policy><retention days=\"5\"/></policy>%s"
                      "<adversary><bulk_snapshot period_days=\"5\"/></adversary></scenario>";
    char with[1024], without[1024];
    snprintf(with, sizeof with, fmt, "<enumeration accounts=\"3\" lookups_per_day=\"500\" space_factor=\"2\"/>");
    snprintf(without, sizeof without, fmt, "");
    struct results a, b;
    ru_run(with, &a);
    ru_run(without, &b);
    const char *same[] = { "edge_recall", "edge_precision", "node_coverage", "exposure_mean_day", "lookups" };
    for (uint32_t r = 0; r < 2; r++)
        for (uint32_t acq = 1; acq <= 6; acq++)
            for (size_t i = 0; i < 5; i++)
                ck_assert_double_eq(ru_value(&a, r, acq, same[i]), ru_value(&b, r, acq, same[i]));
    /* 1500 lookups a day, a plan of 6000: swept in 4 days, before the
     * first snapshot (day 5): no lookup at a snapshot's second, and the
     * first, made at second 0, is in the window [0, 5 days) */
    ck_assert_double_eq(ru_value(&a, 0, 0, "enumeration_lookups"), 6000);
    ck_assert_double_eq(ru_value(&a, 0, 0, "enumeration_records_acquired"), 6000);
    double share = ru_value(&a, 0, 1, "enumeration_acquired_share");
    ck_assert(share > 0 && share < 1);
    results_destroy(&a);
    results_destroy(&b);
}
END_TEST

START_TEST(test_bad_input)
{
    const char *xml =
        "<scenario name=\"bad\"><run horizon_days=\"10\"/><population size=\"100\"/>"
        "<contacts><erdos_renyi mean_degree=\"4\"/></contacts><traffic rate_per_day=\"0.1\"/>"
        "<policy><retention days=\"5\"/></policy>\n<enumeration accounts=\"1000\" lookups_per_day=\"1000000\"/>"
        "<adversary><bulk_snapshot period_days=\"5\"/></adversary></scenario>";
    tu_run_expect("bad.xml", xml, "too many lookups a day", 2, "bad.xml:2:");
    const char *late =
        "<scenario name=\"bad\"><run horizon_days=\"10\"/><population size=\"100\"/>"
        "<contacts><erdos_renyi mean_degree=\"4\"/></contacts><traffic rate_per_day=\"0.1\"/>"
        "<policy><retention days=\"5\"/></policy>\n<enumeration start_day=\"10\"/>"
        "<adversary><bulk_snapshot period_days=\"5\"/></adversary></scenario>";
    tu_run_expect("bad.xml", late, "starting at the horizon", 2, "start_day");
}
END_TEST

Suite *enumeration_suite(void)
{
    Suite *s = suite_create("enumeration");
    TCase *tc = tcase_create("sweep");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_plan_is_a_permutation);
    tcase_add_test(tc, test_coverage_sweep);
    tcase_add_test(tc, test_coverage_random);
    tcase_add_test(tc, test_records);
    tcase_add_test(tc, test_bad_input);
    suite_add_tcase(s, tc);
    return s;
}
