/* check_services — routing of conversations among services (a hand case
 * and the weights' shares), and the fused adversary's recall against
 * 1 - (1 - r1)(1 - r2) for two services that split every pair's starts. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "runutil.h"
#include "services.h"
#include "suites.h"
#include "testutil.h"

static struct serverlog_policy plain_policy(void)
{
    struct serverlog_policy lp = { .retention = 30 * 86400, .resolution = 1, .sampling = 1,
                                   .queried = SERVERLOG_QUERIED_KEPT, .key_rotation = 86400 };
    return lp;
}

/* People 0 and 1 are clients; service 1 is everyone's, service 2 nobody's
 * (then everyone's, weighted 3 to 1). */
START_TEST(test_route)
{
    struct graph g;
    struct graph_edge e[] = { { 0, 1 }, { 0, 2 }, { 2, 3 } };
    ck_assert_int_eq(graph_from_edges(&g, 4, e, 3), 0);
    uint8_t flags[4] = { 1, 1, 0, 0 };
    struct services_params p;
    memset(&p, 0, sizeof p);
    p.on = 1;
    p.n = 3;
    strcpy(p.name[0], "first");
    strcpy(p.name[1], "one");
    strcpy(p.name[2], "two");
    p.share[1] = 1;
    p.share[2] = 0;
    p.weight[1] = 1;
    p.weight[2] = 3;
    p.policy[1] = p.policy[2] = plain_policy();
    struct services sv;
    ck_assert_int_eq(services_init(&sv, &p, &g, 4, NULL, flags, 1, 1, 1, 1, 2, 3), 0);
    int lookup;
    ck_assert_uint_eq(services_route(&sv, 0, 1, &lookup), 0);    /* both clients: the first */
    ck_assert_int_eq(lookup, 1);
    ck_assert_uint_eq(services_route(&sv, 0, 2, &lookup), 1);    /* a looks up, then over "one" */
    ck_assert_int_eq(lookup, 1);
    ck_assert_uint_eq(services_route(&sv, 2, 3, &lookup), 1);
    ck_assert_int_eq(lookup, 0);
    services_destroy(&sv);
    p.share[1] = 0;
    ck_assert_int_eq(services_init(&sv, &p, &g, 4, NULL, flags, 1, 1, 1, 1, 2, 3), 0);
    ck_assert_uint_eq(services_route(&sv, 2, 3, &lookup), SERVICES_NONE);   /* nothing shared: lost */
    ck_assert_uint_eq(sv.lost, 1);
    services_destroy(&sv);
    p.share[1] = p.share[2] = 1;                  /* both shared: 1 in 4 over "one" */
    ck_assert_int_eq(services_init(&sv, &p, &g, 4, NULL, flags, 1, 1, 1, 1, 2, 3), 0);
    const unsigned draws = 40000;
    unsigned ones = 0;
    for (unsigned i = 0; i < draws; i++)
        ones += services_route(&sv, 2, 3, &lookup) == 1;
    double se = sqrt(0.25 * 0.75 / draws);
    ck_assert_msg(fabs((double)ones / draws - 0.25) < 5 * se, "share over service one %.4f", (double)ones / draws);
    services_destroy(&sv);
    graph_destroy(&g);
}
END_TEST

/* Nobody is a client of the first service; services a and b are
 * everyone's, weighted 1 and 3, so every pair's starts split into two
 * independent Poisson streams of rates lambda/4 and 3 lambda/4.  Monthly
 * snapshots over 180 days of a's 30-day log cover T_a = 180 days, of b's
 * 7-day log T_b = 42: r_a = 1 - exp(-2 lambda T_a / 4), r_b = 1 - exp(-2
 * lambda 3 T_b / 4), fused = 1 - (1 - r_a)(1 - r_b).  A third service c,
 * with private contact discovery, carries nothing of b's and a's (weight
 * 1e-9) and reveals no pair.  Ties are independent: binomial SE. */
START_TEST(test_fused_recall)
{
    const unsigned n = 6000, reps = 3;
    const double degree = 10, lambda = 0.005;
    char xml[2048];
    snprintf(xml, sizeof xml,
             "<scenario name=\"sv\"><run seed=\"4\" replications=\"%u\" horizon_days=\"180\"/>"
             "<population size=\"%u\" client_share=\"0\"/><contacts><erdos_renyi mean_degree=\"%g\"/></contacts>"
             "<traffic rate_per_day=\"%g\"/><policy><retention days=\"30\"/></policy>"
             "<services><service name=\"a\" weight=\"1\"><policy><retention days=\"30\"/></policy></service>"
             "<service name=\"b\" weight=\"3\"><policy><retention days=\"7\"/></policy></service>"
             "<service name=\"c\" weight=\"1e-9\"><policy><retention days=\"30\"/>"
             "<logging private_contact_discovery=\"true\"/></policy></service></services>"
             "<adversary><bulk_snapshot period_days=\"30\"/></adversary></scenario>",
             reps, n, degree, lambda);
    struct results res;
    ru_run(xml, &res);
    double m = n * degree / 2;
    double ra = 1 - exp(-2 * lambda * 180 / 4), rb = 1 - exp(-2 * lambda * 3 * 42 / 4);
    double fused = 1 - (1 - ra) * (1 - rb);
    struct {
        const char *metric;
        double want;
    } c[] = { { "a_edge_recall", ra }, { "b_edge_recall", rb }, { "fused_edge_recall", fused },
              { "a_user_recall", fused } };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        double got = ru_mean(&res, reps, 0, c[i].metric), se = sqrt(c[i].want * (1 - c[i].want) / m / reps);
        ck_assert_msg(fabs(got - c[i].want) < 4 * se, "%s %.5f vs %.5f (SE %.5f)", c[i].metric, got, c[i].want, se);
    }
    ck_assert_double_eq(ru_mean(&res, reps, 0, "c_edge_recall"), 0);
    ck_assert_double_eq(ru_mean(&res, reps, 0, "primary_records"), 0);
    ck_assert_double_eq(ru_mean(&res, reps, 0, "fused_edge_precision"), 1);
    results_destroy(&res);
}
END_TEST

START_TEST(test_bad_input)
{
    const char *head = "<scenario name=\"bad\"><run horizon_days=\"10\"/><population size=\"100\"/>"
                       "<contacts><erdos_renyi mean_degree=\"4\"/></contacts><traffic rate_per_day=\"0.1\"/>"
                       "<policy><retention days=\"5\"/></policy>\n";
    const char *tail = "<adversary><bulk_snapshot period_days=\"5\"/></adversary></scenario>";
    char xml[2048];
    snprintf(xml, sizeof xml, "%s<services primary=\"x\"><service name=\"x\"><policy><retention days=\"5\"/>"
             "</policy></service></services>%s", head, tail);
    tu_run_expect("bad.xml", xml, "two services named alike", 2, "bad.xml:2:");
    snprintf(xml, sizeof xml, "%s<services><service name=\"fused\"><policy><retention days=\"5\"/>"
             "</policy></service></services>%s", head, tail);
    tu_run_expect("bad.xml", xml, "a service named fused", 2, "'fused'");
}
END_TEST

/* Every element of the richer world at once, with a cache, device
 * changes, non-contact lookups, keyed hashes, delayed writing, targets and
 * every instrument: the replications run, every share lies in [0, 1], and
 * a second run gives the same values (the same seeds, the same results). */
START_TEST(test_everything_at_once)
{
    const char *xml =
        "<scenario name=\"all\"><run seed=\"12\" replications=\"2\" horizon_days=\"60\"/>"
        "<population size=\"2000\" client_share=\"0.7\"/>"
        "<contacts><stochastic_block blocks=\"20\" p_in=\"0.1\" p_out=\"0.002\"/></contacts>"
        "<traffic rate_per_day=\"0.02\" cache_ttl_hours=\"12\" device_changes_per_year=\"6\" "
        "noncontact_per_day=\"0.01\"/>"
        "<address_book size_mean=\"40\" period_days=\"10\" edits_per_year=\"24\"/>"
        "<dynamics tie_end_per_year=\"1\" join_share=\"0.1\" leave_per_year=\"0.5\" "
        "number_changes_per_year=\"0.5\"/>"
        "<groups per_person=\"3\" size_mean=\"6\" sends=\"group\"/>"
        "<policy><retention days=\"20\"/><logging delivery_delay_minutes=\"60\" queried_number=\"keyed_hash\"/>"
        "</policy><services><service name=\"sms\"><policy><retention days=\"90\"/>"
        "<logging delivery_delay_minutes=\"30\"/></policy></service></services>"
        "<enumeration accounts=\"2\" lookups_per_day=\"500\"/>"
        "<adversary><targets select=\"random\" count=\"10\"/><bulk_snapshot period_days=\"20\"/>"
        "<historical_order period_days=\"15\"/><preservation day=\"10\"/>"
        "<pen_register start_day=\"5\" term_days=\"20\" max_extensions=\"1\"/></adversary></scenario>";
    struct results a, b;
    ru_run(xml, &a);
    ru_run(xml, &b);
    ck_assert_uint_eq(a.n, b.n);
    ck_assert_uint_gt(a.n, 100);
    for (size_t i = 0; i < a.n; i++) {
        const struct results_row *x = &a.rows[i], *y = &b.rows[i];
        const char *name = a.metrics[x->metric];
        ck_assert_str_eq(name, b.metrics[y->metric]);
        ck_assert(x->rep == y->rep && x->acq == y->acq && x->day == y->day);
        ck_assert_msg(x->value == y->value || (isnan(x->value) && isnan(y->value)), "%s differs", name);
        if (strstr(name, "recall") || strstr(name, "precision") || strstr(name, "coverage") || strstr(name, "share")
            || strstr(name, "alive"))
            ck_assert_msg(isnan(x->value) || (x->value >= 0 && x->value <= 1), "%s = %g", name, x->value);
    }
    results_destroy(&a);
    results_destroy(&b);
}
END_TEST

Suite *services_suite(void)
{
    Suite *s = suite_create("services");
    TCase *tc = tcase_create("fusion");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_route);
    tcase_add_test(tc, test_fused_recall);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_everything_at_once);
    suite_add_tcase(s, tc);
    return s;
}
