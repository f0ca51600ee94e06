/* check_groups — groups formed among clients, the records each log policy
 * keeps of a send and of a membership change (hand counts), and what an
 * adversary learns of pairs of members against the closed form. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "contacts.h"
#include "groups.h"
#include "numbers.h"
#include "rng.h"
#include "runutil.h"
#include "suites.h"
#include "testutil.h"

static struct groups_params params(double per_person, double size, enum groups_sends sends, int logged)
{
    struct groups_params p = { 1, per_person, size, 1, 1, sends, logged, 1 };
    return p;
}

/* As many groups as clients x per_person / size, of at least two distinct
 * clients each, of mean size 2 + (size - 2) (SE from the Poisson). */
START_TEST(test_formation)
{
    gsl_rng *r = rng_stream_new(31, 0, 1);
    struct graph g;
    const uint32_t n = 3000;
    ck_assert_int_eq(contacts_erdos_renyi(&g, n, 8, r), 0);
    uint8_t *flags = malloc(n);
    uint32_t clients = 0;
    for (uint32_t a = 0; a < n; a++)
        clients += (flags[a] = a % 2 == 0);
    struct groups_params p = params(5, 6, GROUPS_SENDS_GROUP, 1);
    struct groups gr;
    ck_assert_int_eq(groups_init(&gr, &p, &g, flags, 1, NULL, 1, 2), 0);
    ck_assert_uint_eq(gr.n, (uint32_t)round(clients * 5.0 / 6));
    double sizes = 0;
    for (uint32_t k = 0; k < gr.n; k++) {
        uint64_t lo = gr.off[k], hi = gr.off[k + 1];
        FAST(hi - lo >= 2);
        sizes += (double)(hi - lo);
        for (uint64_t i = lo; i < hi; i++) {
            FAST(flags[gr.member[i]]);
            for (uint64_t j = lo; j < i; j++)
                FAST(gr.member[j] != gr.member[i]);
        }
    }
    double mean = sizes / gr.n, se = sqrt(4.0 / gr.n);
    ck_assert_msg(fabs(mean - 6) < 5 * se, "mean group size %.3f", mean);
    groups_destroy(&gr);
    graph_destroy(&g);
    free(flags);
    gsl_rng_free(r);
}
END_TEST

/* A send is size - 1 lookups from the sender (fan-out), one record naming
 * the group, or nothing; a change replaces the member with one who was not
 * in, forgets what the adversary knew of the slot, and leaves the leaver's
 * and the joiner's records. */
START_TEST(test_records)
{
    gsl_rng *r = rng_stream_new(32, 0, 1);
    struct graph g;
    const uint32_t n = 500;
    ck_assert_int_eq(contacts_erdos_renyi(&g, n, 8, r), 0);
    uint8_t *flags = malloc(n);
    memset(flags, 1, n);
    struct groups_params p = params(2, 5, GROUPS_SENDS_FANOUT, 1);
    struct groups gr;
    ck_assert_int_eq(groups_init(&gr, &p, &g, flags, 1, NULL, 3, 4), 0);
    uint32_t size = (uint32_t)(gr.off[1] - gr.off[0]), sender = gr.member[gr.off[0] + 1];
    size_t k;
    const uint32_t *rec = groups_send(&gr, 0, 1, 99, &k);
    ck_assert_uint_eq(k, size - 1);
    for (size_t i = 0; i < k; i++) {
        ck_assert(rec[3 * i] == 99 && rec[3 * i + 1] == sender && rec[3 * i + 2] != sender);
        ck_assert(rec[3 * i + 2] == gr.member[gr.off[0] + (i < 1 ? i : i + 1)]);
    }
    p.sends = GROUPS_SENDS_GROUP;
    rec = groups_send(&gr, 0, 1, 99, &k);
    ck_assert(k == 1 && rec[1] == sender && rec[2] == NUMBERS_GROUP_BASE);
    p.sends = GROUPS_SENDS_NONE;
    groups_send(&gr, 0, 1, 99, &k);
    ck_assert_uint_eq(k, 0);
    uint64_t at = gr.off[3] + 0;
    uint32_t old = gr.member[at];
    gr.known[at >> 6] |= 1ull << (at & 63);
    rec = groups_change(&gr, 3, 0, 100, &k);
    uint32_t joiner = gr.member[at];
    ck_assert_uint_ne(joiner, old);
    for (uint64_t i = gr.off[3] + 1; i < gr.off[4]; i++)
        ck_assert_uint_ne(gr.member[i], joiner);
    ck_assert(!((gr.known[at >> 6] >> (at & 63)) & 1));
    ck_assert_uint_eq(k, 2);
    ck_assert(rec[1] == old && rec[2] == NUMBERS_GROUP_BASE + 3 && rec[4] == joiner && rec[5] == NUMBERS_GROUP_BASE + 3);
    p.membership_logged = 0;
    groups_change(&gr, 3, 1, 101, &k);
    ck_assert_uint_eq(k, 0);
    groups_destroy(&gr);
    graph_destroy(&g);
    free(flags);
    gsl_rng_free(r);
}
END_TEST

/* Groups of two (size_mean 2), sends naming the group at sigma a day, no
 * change, no member list: one snapshot of a log kept all along.  A member
 * is known when it sent at least once, with probability 1 - exp(-sigma T /
 * 2), independently of the other (each send's sender is uniform): the
 * pair is linked when both are, (1 - exp(-sigma T / 2))^2 (conversations
 * too rare to link it otherwise).  Binomial SE over members and groups. */
START_TEST(test_closed_form)
{
    const unsigned n = 4000, reps = 3;
    const double sigma = 0.02, days = 60;
    char xml[1024];
    snprintf(xml, sizeof xml,
             "<scenario name=\"gr\"><run seed=\"6\" replications=\"%u\" horizon_days=\"%g\"/>"
             "<population size=\"%u\"/><contacts><erdos_renyi mean_degree=\"6\"/></contacts>"
             "<traffic rate_per_day=\"1e-7\"/><groups per_person=\"1\" size_mean=\"2\" sends_per_day=\"%g\" "
             "changes_per_year=\"0\" sends=\"group\" membership=\"none\" server_membership=\"encrypted\"/>"
             "<policy><retention days=\"%g\"/></policy><adversary><bulk_snapshot period_days=\"%g\"/></adversary>"
             "</scenario>",
             reps, days, n, sigma, days, days);
    struct results res;
    ru_run(xml, &res);
    double q = 1 - exp(-sigma * days / 2), groups = n / 2.0;
    double got = ru_mean(&res, reps, 0, "group_membership_recall"), se = sqrt(q * (1 - q) / (2 * groups) / reps);
    ck_assert_msg(fabs(got - q) < 4 * se, "membership recall %.5f vs %.5f (SE %.5f)", got, q, se);
    got = ru_mean(&res, reps, 0, "group_pair_recall");
    se = sqrt(q * q * (1 - q * q) / groups / reps);
    ck_assert_msg(fabs(got - q * q) < 4 * se, "pair recall %.5f vs %.5f (SE %.5f)", got, q * q, se);
    results_destroy(&res);
}
END_TEST

/* A member list kept in the clear and a bulk snapshot: every membership,
 * every pair; sends fanned out by the clients and nothing else: no
 * membership, pairs found as lookups, and co-members who are not contacts
 * are false pairs for the conversation graph. */
START_TEST(test_server_and_fanout)
{
    const char *fmt = "<scenario name=\"gr\"><run seed=\"6\" replications=\"1\" horizon_days=\"30\"/>"
                      "<population size=\"2000\"/><contacts><erdos_renyi mean_degree=\"6\"/></contacts>"
                      "<traffic rate_per_day=\"0.01\"/><groups %s/>"
                      "<policy><retention days=\"30\"/></policy><adversary><bulk_snapshot period_days=\"30\"/>"
                      "</adversary></scenario>";
    char xml[1024];
    struct results res;
    snprintf(xml, sizeof xml, fmt, "sends=\"none\" membership=\"none\" server_membership=\"kept\"");
    ru_run(xml, &res);
    ck_assert_double_eq(ru_value(&res, 0, 0, "group_membership_recall"), 1);
    ck_assert_double_eq(ru_value(&res, 0, 0, "group_pair_recall"), 1);
    results_destroy(&res);
    snprintf(xml, sizeof xml, fmt, "sends=\"fanout\" membership=\"none\" server_membership=\"encrypted\"");
    ru_run(xml, &res);
    ck_assert_double_eq(ru_value(&res, 0, 0, "group_membership_recall"), 0);
    double pairs = ru_value(&res, 0, 0, "group_pair_recall");
    ck_assert(pairs > 0.5 && pairs < 1);
    ck_assert(ru_value(&res, 0, 0, "edge_precision") < 1);
    ck_assert_double_eq(ru_value(&res, 0, 0, "group_records_acquired"), 0);
    results_destroy(&res);
}
END_TEST

Suite *groups_suite(void)
{
    Suite *s = suite_create("groups");
    TCase *tc = tcase_create("groups");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_formation);
    tcase_add_test(tc, test_records);
    tcase_add_test(tc, test_closed_form);
    tcase_add_test(tc, test_server_and_fanout);
    suite_add_tcase(s, tc);
    return s;
}
