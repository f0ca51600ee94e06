/* check_population — the population's draws (models/population.c): client,
 * worker and VPN shares, regions, home and work points.  Statistical
 * checks: fixed seeds, 5-sigma tolerances from the stated laws. */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_rng.h>

#include "population.h"
#include "suites.h"
#include "testutil.h"

/* Shares: clients ~ Binomial(n, 0.7), workers ~ Binomial(n, 0.6), VPN ~
 * Binomial(n, 0.1), 5 sd each.  Nesting: with the same seed the clients at
 * share 0.4 are a subset of those at 0.7 (each person's client draw is the
 * same uniform), and the worker flags do not change with the client share. */
START_TEST(test_population_shares)
{
    const uint32_t n = 100000;
    struct population_params p = { n, 0.7, 0.6, 0.1, NULL, 0, 1 }, q = p;
    q.client_share = 0.4;
    struct population a, b;
    gsl_rng *r = tu_rng(99), *r2 = tu_rng(99);
    ck_assert_int_eq(population_init(&a, &p, r), 0);
    ck_assert_int_eq(population_init(&b, &q, r2), 0);
    ck_assert_double_eq_tol(a.clients, 0.7 * n, 5 * sqrt(n * 0.7 * 0.3));
    ck_assert_double_eq_tol(a.workers, 0.6 * n, 5 * sqrt(n * 0.6 * 0.4));
    ck_assert_double_eq_tol(a.vpns, 0.1 * n, 5 * sqrt(n * 0.1 * 0.9));
    ck_assert_double_eq_tol(b.clients, 0.4 * n, 5 * sqrt(n * 0.4 * 0.6));
    for (uint32_t i = 0; i < n; i++) {
        if (b.flags[i] & POPULATION_CLIENT)
            ck_assert(a.flags[i] & POPULATION_CLIENT);
        ck_assert_int_eq(a.flags[i] & POPULATION_WORKER, b.flags[i] & POPULATION_WORKER);
    }
    ck_assert_ptr_null(a.region);                  /* no regions: no geography */
    population_destroy(&a);
    population_destroy(&b);
    gsl_rng_free(r);
    gsl_rng_free(r2);
}
END_TEST

/* Regions with weights 3 and 1: region 0 holds Binomial(n, 3/4) people, 5
 * sd.  Homes are uniform on the region's disc: every home is within R of
 * the centre (flat-earth distance, the map the code uses), and the squared
 * distance over R^2 is uniform on [0, 1]: mean 1/2, sd 1/sqrt(12) per
 * person, 5 sd / sqrt(count).  The bearing is uniform: the mean east and
 * north offsets are 0 within 5 sd (sd of r cos(theta) / R is 1/2).  Work
 * points exist exactly for workers, in the same disc. */
START_TEST(test_population_regions)
{
    const uint32_t n = 60000;
    struct population_region reg[2] = { { 3, 42.36, -71.06, 15 }, { 1, -33.87, 151.21, 40 } };
    struct population_params p = { n, 1, 0.5, 0, reg, 2, 1 };
    struct population pop;
    gsl_rng *r = tu_rng(5);
    ck_assert_int_eq(population_init(&pop, &p, r), 0);
    double count[2] = { 0 }, s2[2] = { 0 }, sx[2] = { 0 }, sy[2] = { 0 };
    for (uint32_t a = 0; a < n; a++) {
        uint32_t k = pop.region[a];
        ck_assert_uint_lt(k, 2);
        const struct population_region *g = &reg[k];
        double dy = (pop.home_lat[a] - g->lat) * 111.32;
        double dx = (pop.home_lon[a] - g->lon) * 111.32 * cos(g->lat * 3.14159265358979323846 / 180);
        double d2 = (dx * dx + dy * dy) / (g->radius_km * g->radius_km);
        ck_assert_double_le(d2, 1 + 1e-4);         /* float rounding of the stored point */
        count[k]++;
        s2[k] += d2;
        sx[k] += dx / g->radius_km;
        sy[k] += dy / g->radius_km;
        if (pop.flags[a] & POPULATION_WORKER) {
            double wy = (pop.work_lat[a] - g->lat) * 111.32;
            double wx = (pop.work_lon[a] - g->lon) * 111.32 * cos(g->lat * 3.14159265358979323846 / 180);
            ck_assert_double_le((wx * wx + wy * wy) / (g->radius_km * g->radius_km), 1 + 1e-4);
        } else {
            ck_assert(isnan(pop.work_lat[a]) && isnan(pop.work_lon[a]));
        }
    }
    ck_assert_double_eq_tol(count[0], 0.75 * n, 5 * sqrt(n * 0.75 * 0.25));
    for (int k = 0; k < 2; k++) {
        ck_assert_double_eq_tol(s2[k] / count[k], 0.5, 5 / sqrt(12 * count[k]));
        ck_assert_double_eq_tol(sx[k] / count[k], 0, 5 * 0.5 / sqrt(count[k]));
        ck_assert_double_eq_tol(sy[k] / count[k], 0, 5 * 0.5 / sqrt(count[k]));
    }
    population_destroy(&pop);
    population_destroy(NULL);
    gsl_rng_free(r);
}
END_TEST

/* Devices: 1 + Poisson(mean - 1) per person, so the mean is devices_mean
 * within 5 standard errors (sd sqrt(mean - 1)); none drawn at mean 1. */
START_TEST(test_population_devices)
{
    const uint32_t n = 50000;
    struct population_params p = { n, 1, 0.5, 0, NULL, 0, 2.5 };
    struct population pop;
    gsl_rng *r = tu_rng(8);
    ck_assert_int_eq(population_init(&pop, &p, r), 0);
    ck_assert_ptr_nonnull(pop.devices);
    double sum = 0;
    for (uint32_t a = 0; a < n; a++) {
        FAST(pop.devices[a] >= 1);
        sum += population_devices(&pop, a);
    }
    ck_assert_double_eq_tol(sum / n, 2.5, 5 * sqrt(1.5 / n));
    population_destroy(&pop);
    p.devices_mean = 1;
    ck_assert_int_eq(population_init(&pop, &p, r), 0);
    ck_assert_ptr_null(pop.devices);
    ck_assert_uint_eq(population_devices(&pop, 7), 1);
    population_destroy(&pop);
    gsl_rng_free(r);
}
END_TEST

/* Bad regions through the program: status 2, FILE:LINE. */
START_TEST(test_population_bad_regions)
{
    static const char *const cases[][2] = {
        { "<region lat=\"10\" lon=\"10\" radius_km=\"3000\"/>", "p.xml:4: element 'region', attribute 'radius_km'" },
        { "<region lat=\"100\" lon=\"10\" radius_km=\"5\"/>", "p.xml:4:" },
        { "<region lat=\"10\" radius_km=\"5\"/>", "p.xml:4:" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *dir = tu_mkdtemp(), *path, *xml, *args, *err = NULL;
        ck_assert_ptr_nonnull(dir);
        ck_assert_int_ge(asprintf(&path, "%s/p.xml", dir), 0);
        ck_assert_int_ge(asprintf(&xml, "<?xml version=\"1.0\"?>\n<scenario name=\"p\">\n"
                                  "<run horizon_days=\"5\"/>\n<population size=\"50\">%s</population>\n"
                                  "<contacts><erdos_renyi mean_degree=\"4\"/></contacts>\n"
                                  "<traffic rate_per_day=\"0.1\"/>\n<policy><retention days=\"5\"/></policy>\n"
                                  "<adversary><bulk_snapshot period_days=\"5\"/></adversary>\n</scenario>\n",
                                  cases[i][0]), 0);
        tu_write(path, xml);
        ck_assert_int_ge(asprintf(&args, "run '%s' -o '%s/out'", path, dir), 0);
        ck_assert_int_eq(tu_exposim(args, NULL, &err), 2);
        ck_assert_msg(strstr(err, cases[i][1]) != NULL, "'%s' not in %s", cases[i][1], err);
        free(err);
        free(args);
        free(xml);
        free(path);
        tu_rmtree(dir);
        free(dir);
    }
}
END_TEST

Suite *population_suite(void)
{
    Suite *s = suite_create("population");
    TCase *tc = tcase_create("draws");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_population_shares);
    tcase_add_test(tc, test_population_regions);
    tcase_add_test(tc, test_population_devices);
    tcase_add_test(tc, test_population_bad_regions);
    suite_add_tcase(s, tc);
    return s;
}
