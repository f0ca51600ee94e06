/* check_dynamics — the changing graph: every piece of a tie lies within
 * its people's presence on their numbers of the time, tie ends and births
 * follow their laws, and day and ever recall, staleness and the first
 * snapshot's decay match their closed forms. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "contacts.h"
#include "dynamics.h"
#include "rng.h"
#include "runutil.h"
#include "suites.h"
#include "testutil.h"

#define DAY 86400.0

static struct dynamics_params params(double end_y, double within_y, int births, double join, double leave_y,
                                     double renumber_y)
{
    struct dynamics_params p = { 1, end_y / 365, within_y / 365, births, 0.5, join, leave_y / 365, renumber_y / 365 };
    return p;
}

/* Busy rates on a block model: each entry's life lies within its people's
 * presence, on the numbers they held then, the same both ways; rows are
 * sorted; flags and labels follow the person. */
START_TEST(test_pieces)
{
    gsl_rng *r = rng_stream_new(21, 0, 1);
    struct graph g0;
    uint32_t *labels = NULL;
    const uint32_t n = 3000;
    ck_assert_int_eq(contacts_sbm(&g0, n, 30, 0.05, 0.001, r, &labels), 0);
    uint8_t *flags = malloc(n);
    for (uint32_t a = 0; a < n; a++)
        flags[a] = (uint8_t)(a % 5);
    struct dynamics_params p = params(2, 0.5, 1, 0.2, 1, 1);
    struct dynamics d;
    const int64_t h = 180 * 86400;
    ck_assert_int_eq(dynamics_init(&d, &p, &g0, flags, labels, h, 77), 0);
    uint32_t changed = 0;
    for (uint32_t a = 0; a < n; a++)
        changed += d.second[a] != DYNAMICS_NEVER;
    ck_assert_uint_gt(changed, 100);              /* (about N (1 - e^-0.49) = 1160) */
    ck_assert_uint_eq(d.numbers, n + changed);
    const struct graph *g = &d.g;
    for (uint32_t x = 0; x < d.numbers; x++) {
        uint32_t person = d.owner[x];
        FAST(x < n ? person == x : d.second[person] == x);
        FAST_EQ(d.flags[x], flags[person]);
        FAST_EQ(d.labels[x], labels[person]);
        for (uint64_t j = g->off[x]; j < g->off[x + 1]; j++) {
            uint32_t y = g->adj[j], b = d.born[j], e = d.died[j];
            FAST(j == g->off[x] || g->adj[j - 1] < y);
            FAST(b < e && b < h);
            int64_t back = graph_find(g, y, x);
            FAST(back >= 0 && d.born[back] == b && d.died[back] == e);
            FAST(b >= d.join[person] && e <= d.leave[person]);
            FAST_EQ(dynamics_number(&d, person, b), x);      /* x was the number in use ... */
            FAST(!(d.renumber[person] > b && d.renumber[person] < e));   /* ... all along */
        }
    }
    dynamics_destroy(&d);
    graph_destroy(&g0);
    free(labels);
    free(flags);
    gsl_rng_free(r);
}
END_TEST

/* No births, nobody coming or going: a tie of time 0 ends within the run
 * with probability 1 - exp(-mu H), mu its type's rate (within a block or
 * across); the counts are binomial. */
START_TEST(test_ends)
{
    gsl_rng *r = rng_stream_new(22, 0, 1);
    struct graph g0;
    uint32_t *labels = NULL;
    const uint32_t n = 20000;
    ck_assert_int_eq(contacts_sbm(&g0, n, 200, 0.05, 0.0002, r, &labels), 0);
    uint8_t *flags = calloc(n, 1);
    struct dynamics_params p = params(1.5, 0.3, 0, 0, 0, 0);
    struct dynamics d;
    const double days = 200;
    ck_assert_int_eq(dynamics_init(&d, &p, &g0, flags, labels, (int64_t)(days * DAY), 5), 0);
    ck_assert_uint_eq(d.numbers, n);
    uint64_t tot[2] = { 0, 0 }, ended[2] = { 0, 0 };
    for (uint32_t u = 0; u < n; u++)
        for (uint64_t j = d.g.off[u]; j < d.g.off[u + 1]; j++) {
            uint32_t v = d.g.adj[j];
            if (v < u)
                continue;
            int within = labels[u] == labels[v];
            FAST_EQ(d.born[j], 0);
            tot[within]++;
            ended[within] += d.died[j] != DYNAMICS_NEVER;
        }
    const double rate[2] = { 1.5 / 365, 0.3 / 365 };
    for (int k = 0; k < 2; k++) {
        double pe = 1 - exp(-rate[k] * days), se = sqrt(pe * (1 - pe) / tot[k]);
        double got = (double)ended[k] / tot[k];
        ck_assert_msg(fabs(got - pe) < 5 * se, "%s ties ended %.5f vs %.5f (SE %.5f)", k ? "within" : "across", got, pe,
                      se);
    }
    dynamics_destroy(&d);
    graph_destroy(&g0);
    free(labels);
    free(flags);
    gsl_rng_free(r);
}
END_TEST

/* Balanced births: their number (kept or dropped as repeats) is Poisson
 * with mean H x the ties' end rates summed. */
START_TEST(test_births)
{
    gsl_rng *r = rng_stream_new(23, 0, 1);
    struct graph g0;
    const uint32_t n = 20000;
    ck_assert_int_eq(contacts_erdos_renyi(&g0, n, 10, r), 0);
    uint8_t *flags = calloc(n, 1);
    struct dynamics_params p = params(1, 1, 1, 0, 0, 0);
    struct dynamics d;
    const double days = 365;
    ck_assert_int_eq(dynamics_init(&d, &p, &g0, flags, NULL, (int64_t)(days * DAY), 6), 0);
    double mean = (double)g0.m * (1.0 / 365) * days, got = (double)(d.born_ties + d.dropped);
    ck_assert_msg(fabs(got - mean) < 5 * sqrt(mean), "births %.0f vs Poisson mean %.0f", got, mean);
    ck_assert_uint_eq(d.initial, g0.m);
    ck_assert_uint_eq(d.g.m, g0.m + d.born_ties);  /* nobody changed number: one piece a tie */
    dynamics_destroy(&d);
    graph_destroy(&g0);
    free(flags);
    gsl_rng_free(r);
}
END_TEST

/* Ties of time 0 end at rate mu, none is born; one snapshot at s of a log
 * kept since time 0.  A tie alive at s had its two streams of rate lambda
 * all along: day_recall = 1 - e^-2 lambda s.  A tie of lifetime D ~ Exp(mu) is
 * found with probability 1 - e^(-2 lambda min(D, s)), so
 *   ever_recall = 1 - mu/(mu + 2 lambda) (1 - e^-(mu + 2 lambda) s) - e^-(mu + 2 lambda) s,
 *   found and ended: (1 - e^-mu s) - mu/(mu + 2 lambda) (1 - e^-(mu + 2 lambda) s),
 * stale_share = found and ended / found, and first_still_alive = found and
 * alive / found = e^-mu s (1 - e^-2 lambda s) / found.  Ties are
 * independent: binomial standard errors (for a share of the found ties,
 * over their number). */
START_TEST(test_closed_forms)
{
    const unsigned n = 20000, reps = 4;
    const double degree = 8, lambda = 0.004, mu_y = 2, s = 150;
    char xml[1024];
    snprintf(xml, sizeof xml,
             "<scenario name=\"dyn\"><run seed=\"9\" replications=\"%u\" horizon_days=\"%g\"/>"
             "<population size=\"%u\"/><contacts><erdos_renyi mean_degree=\"%g\"/></contacts>"
             "<traffic rate_per_day=\"%g\"/><dynamics tie_end_per_year=\"%g\" births=\"none\" "
             "number_changes_per_year=\"0\"/><policy><retention days=\"%g\"/></policy>"
             "<adversary><bulk_snapshot period_days=\"%g\"/></adversary></scenario>",
             reps, s, n, degree, lambda, mu_y, s, s);
    struct results res;
    ru_run(xml, &res);
    double mu = mu_y / 365, m = n * degree / 2, k = mu + 2 * lambda;
    double alive = exp(-mu * s), day = 1 - exp(-2 * lambda * s);
    double ever = 1 - mu / k * (1 - exp(-k * s)) - exp(-k * s);
    double dead_found = (1 - exp(-mu * s)) - mu / k * (1 - exp(-k * s));
    double stale = dead_found / ever, still = alive * day / ever;
    struct {
        const char *metric;
        double want, trials;
    } c[] = {
        { "day_recall", day, m * alive },
        { "ever_recall", ever, m },
        { "stale_share", stale, m * ever },
        { "first_still_alive", still, m * ever },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        double got = ru_mean(&res, reps, 0, c[i].metric);
        double se = sqrt(c[i].want * (1 - c[i].want) / c[i].trials / reps);
        ck_assert_msg(fabs(got - c[i].want) < 4 * se, "%s %.5f vs closed form %.5f (SE %.5f)", c[i].metric, got,
                      c[i].want, se);
    }
    /* the day's precision: the found ties alive, of all found */
    double prec = ru_mean(&res, reps, 0, "day_precision");
    ck_assert_msg(fabs(prec - (1 - stale)) < 4 * sqrt(stale * (1 - stale) / (m * ever) / reps),
                  "day_precision %.5f vs %.5f", prec, 1 - stale);
    results_destroy(&res);
}
END_TEST

/* What a changing graph does not go with, refused at its line. */
START_TEST(test_bad_input)
{
    const char *head = "<scenario name=\"bad\"><run horizon_days=\"10\"/><population size=\"100\"/>";
    const char *tail = "<policy><retention days=\"5\"/></policy><adversary><bulk_snapshot period_days=\"5\"/>"
                       "</adversary></scenario>";
    char xml[2048];
    snprintf(xml, sizeof xml, "%s<contacts><erdos_renyi mean_degree=\"4\"/></contacts>"
             "<traffic rate_per_day=\"0.1\" tie_strength=\"lognormal\"/>\n<dynamics/>%s", head, tail);
    tu_run_expect("bad.xml", xml, "dynamics with tie strengths", 2, "bad.xml:2:");
    snprintf(xml, sizeof xml, "%s<population size=\"100\"><region lat=\"50\" lon=\"8\" radius_km=\"10\"/>"
             "</population>", "<scenario name=\"bad\"><run horizon_days=\"10\"/>");
    strcat(xml, "<contacts><erdos_renyi mean_degree=\"4\"/></contacts><traffic rate_per_day=\"0.1\"/>\n"
                "<dynamics/><mobility/>");
    strcat(xml, tail);
    tu_run_expect("bad.xml", xml, "number changes with mobility", 2, "number_changes_per_year");
}
END_TEST

Suite *dynamics_suite(void)
{
    Suite *s = suite_create("dynamics");
    TCase *tc = tcase_create("changes");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_pieces);
    tcase_add_test(tc, test_ends);
    tcase_add_test(tc, test_births);
    tcase_add_test(tc, test_closed_forms);
    tcase_add_test(tc, test_bad_input);
    suite_add_tcase(s, tc);
    return s;
}
