/* check_mobility — the mobility, network and geolocation model
 * (models/mobility.h) and, through the program, the location inference
 * it feeds: the time-zone rule, exact geolocation with Wi-Fi only,
 * cellular-only homes at the gateway, unicity with distinct homes, the
 * EPR law, and bad input. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "fixture.h"
#include "mobility.h"
#include "suites.h"
#include "testutil.h"

START_TEST(test_tz_offsets)
{
    int32_t off[200];
    char err[300];
    ck_assert_int_eq(mobility_tz_offsets("Europe/Berlin", 1451865600, 200, off, err, sizeof err), 0);
    ck_assert_int_eq(off[0], 3600);           /* CET in January */
    ck_assert_int_eq(off[179], 7200);         /* 2016-07-01: CEST */
    ck_assert_int_eq(mobility_tz_offsets("UTC+05:30", 0, 3, off, err, sizeof err), 0);
    ck_assert_int_eq(off[2], 19800);
    ck_assert_int_eq(mobility_tz_offsets("UTC-8", 0, 1, off, err, sizeof err), 0);
    ck_assert_int_eq(off[0], -28800);
    ck_assert_int_eq(mobility_tz_offsets("Mars/Olympus_Mons", 0, 1, off, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "does not exist"));
    ck_assert_int_eq(mobility_tz_offsets("../../etc/passwd", 0, 1, off, err, sizeof err), -1);
    ck_assert_int_eq(mobility_tz_offsets("Europe", 0, 1, off, err, sizeof err), -1);    /* a directory */
    ck_assert_int_eq(mobility_tz_offsets("UTC+15", 0, 1, off, err, sizeof err), -1);
}
END_TEST

/* Night and work hours are local: the same UTC hour is work in Tokyo, night
 * in London and New York. */
START_TEST(test_timezone_rule)
{
    static const char *const tz[3] = { "Asia/Tokyo", "Europe/London", "America/New_York" };
    struct fixture f;
    fixture_init(&f, 6, tz, 3, 0, 14);
    float lat, lon;
    /* Person 0 (worker, Tokyo, UTC+9): UTC 00:00 Monday is 09:00 local. */
    ck_assert_int_eq(mobility_where(&f.m, 0, 0, &lat, &lon), MOBILITY_WORK);
    ck_assert_float_eq(lat, f.wlat[0]);
    ck_assert_int_eq(mobility_where(&f.m, 0, 13, &lat, &lon), MOBILITY_HOME);    /* 22:00 */
    ck_assert_int_eq(mobility_where(&f.m, 0, 7, &lat, &lon), MOBILITY_WORK);     /* 16:00 */
    ck_assert_int_eq(mobility_where(&f.m, 0, 8, &lat, &lon), MOBILITY_HOME);     /* 17:00: free, no trips */
    /* Person 2 (worker, New York, UTC-5): UTC 03:00 Monday is 22:00 Sunday;
     * UTC 14:00 is 09:00 Monday; UTC 22:00 is 17:00. */
    ck_assert_int_eq(mobility_where(&f.m, 2, 3, &lat, &lon), MOBILITY_HOME);
    ck_assert_int_eq(mobility_where(&f.m, 2, 14, &lat, &lon), MOBILITY_WORK);
    ck_assert_int_eq(mobility_where(&f.m, 2, 21, &lat, &lon), MOBILITY_WORK);
    ck_assert_int_eq(mobility_where(&f.m, 2, 22, &lat, &lon), MOBILITY_HOME);
    /* Person 4 (worker, London, UTC+0 in January): 00:00 home, 09:00 work. */
    ck_assert_int_eq(mobility_where(&f.m, 4, 0, &lat, &lon), MOBILITY_HOME);
    ck_assert_int_eq(mobility_where(&f.m, 4, 9, &lat, &lon), MOBILITY_WORK);
    /* Saturday (day 5), 10:00 London: a worker is not at work. */
    ck_assert_int_eq(mobility_where(&f.m, 4, 5 * 24 + 10, &lat, &lon), MOBILITY_HOME);
    /* Non-workers (odd) are never at work. */
    for (uint32_t h = 0; h < 14 * 24; h++)
        FAST(mobility_where(&f.m, 1, h, &lat, &lon) != MOBILITY_WORK);
    struct mobility_local l;
    mobility_local(&f.p, 2, 3 * 3600, &l);        /* New York: Sunday 22:00, local day -1 */
    ck_assert_int_eq(l.day, -1);
    ck_assert_int_eq(l.hour, 22);
    ck_assert_int_eq(l.weekday, 6);
    fixture_done(&f);
}
END_TEST

/* Wi-Fi everywhere and no geolocation error: the point is the place. */
START_TEST(test_wifi_exact)
{
    static const char *const tz[1] = { "UTC" };
    struct fixture f;
    fixture_init(&f, 20, tz, 1, 0.7, 28);
    for (uint32_t u = 0; u < 20; u++)
        for (uint32_t h = 0; h < 28 * 24; h++) {
            float lat, lon, glat, glon;
            mobility_where(&f.m, u, h, &lat, &lon);
            FAST_EQ(mobility_geolocate(&f.m, u, h, MOBILITY_IP_FULL, &glat, &glon), MOBILITY_WIFI);
            FAST(glat == lat && glon == lon);
            FAST_EQ(mobility_geolocate(&f.m, u, h, MOBILITY_IP_NONE, &glat, &glon), -1);
        }
    fixture_done(&f);
}
END_TEST

/* Cellular only: every address geolocates to the home region's gateway,
 * whatever the truncation; a VPN user's to the exit. */
START_TEST(test_cellular_gateway)
{
    static const char *const tz[2] = { "UTC", "UTC+2" };
    struct fixture f;
    fixture_init(&f, 10, tz, 2, 0.5, 14);
    f.p.wifi[0] = f.p.wifi[1] = f.p.wifi[2] = 0;
    f.flags[9] |= POPULATION_VPN;
    for (uint32_t u = 0; u < 10; u++)
        for (uint32_t h = 0; h < 14 * 24; h++)
            for (int ip = MOBILITY_IP_FULL; ip <= MOBILITY_IP_16; ip++) {
                float lat, lon;
                int net = mobility_geolocate(&f.m, u, h, (enum mobility_ip)ip, &lat, &lon);
                if (u == 9) {
                    FAST_EQ(net, MOBILITY_VPN);
                    FAST(lat == (float)52.37 && lon == (float)4.90);
                } else {
                    const struct mobility_region *g = &f.p.region[u % 2];
                    FAST_EQ(net, MOBILITY_CELLULAR);
                    FAST(lat == (float)g->gw_lat && lon == (float)g->gw_lon);
                }
            }
    fixture_done(&f);
}
END_TEST

/* A /24 block geolocates to its square's centre (zero error): within half
 * a side of the place on both axes (columns measured at the centre's
 * latitude), and the same point for two places in the same square. */
START_TEST(test_truncated_24)
{
    static const char *const tz[1] = { "UTC" };
    struct fixture f;
    fixture_init(&f, 40, tz, 1, 0, 7);
    double b = 10 / 111.32;
    float lat0, lon0;
    mobility_geolocate(&f.m, 0, 2, MOBILITY_IP_24, &lat0, &lon0);
    for (uint32_t u = 0; u < 40; u++) {
        float lat, lon;
        ck_assert_int_eq(mobility_geolocate(&f.m, u, 2, MOBILITY_IP_24, &lat, &lon), MOBILITY_WIFI);
        double c = cos(lat * M_PI / 180);
        double dy = (lat - f.hlat[u]) * 111.32, dx = (lon - f.hlon[u]) * 111.32 * c;
        ck_assert_double_le(fabs(dy), 5.0 + 1e-3);
        ck_assert_double_le(fabs(dx), 5.0 + 1e-3);
        /* homes are 0.001 degrees (111 m) apart along a meridian: those in
         * the first home's row share its square and its point */
        if (floor(f.hlat[u] / b) == floor(f.hlat[0] / b))
            ck_assert(lat == lat0 && lon == lon0);
        else
            ck_assert(lat != lat0);
        ck_assert_int_eq(mobility_geolocate(&f.m, u, 2, MOBILITY_IP_16, &lat, &lon), MOBILITY_WIFI);
        ck_assert(lat == (float)f.p.region[0].gw_lat && lon == (float)f.p.region[0].gw_lon);
    }
    fixture_done(&f);
}
END_TEST

/* Near a pole and across the antimeridian, every point is a valid
 * coordinate, and a jump lands at its distance from home. */
START_TEST(test_points_valid)
{
    static const char *const tz[1] = { "UTC" };
    struct fixture f;
    fixture_init(&f, 8, tz, 1, 0, 2);
    mobility_destroy(&f.m);
    for (uint32_t u = 0; u < 8; u++) {
        f.hlat[u] = u % 2 ? 89.99f : -89.5f;
        f.hlon[u] = u % 4 < 2 ? 179.999f : -179.999f;
    }
    f.p.jump_min_km = 5000, f.p.jump_max_km = 20000;
    f.p.wifi_error_km = 3000;
    gsl_rng *r = tu_rng(2);
    ck_assert_int_eq(mobility_init(&f.m, &f.p, &f.pop, r), 0);
    gsl_rng_free(r);
    for (uint32_t u = 0; u < 8; u++) {
        for (unsigned k = 1; k <= 255; k++) {
            float lat, lon;
            mobility_trip_point(&f.m, u, k, &lat, &lon);
            FAST(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180);
            double d = mobility_km(f.hlat[u], f.hlon[u], lat, lon);
            FAST(d >= 5000 * 0.999 && d <= 20000 * 1.001);
        }
        for (uint32_t h = 0; h < 48; h++)
            for (int ip = MOBILITY_IP_FULL; ip <= MOBILITY_IP_16; ip++) {
                float lat, lon;
                mobility_geolocate(&f.m, u, h, (enum mobility_ip)ip, &lat, &lon);
                FAST(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180);
            }
    }
    fixture_done(&f);
}
END_TEST

/* Trips happen only in free time, last at least an hour, and follow the
 * EPR law: with gamma = 0 a trip after the first explores with probability
 * rho, so E[S | n trips] = 1 + rho (n - 1), Var = rho (1 - rho) (n - 1). */
START_TEST(test_epr_law)
{
    static const char *const tz[1] = { "UTC" };
    struct fixture f;
    memset(&f, 0, sizeof f);
    /* 64 people x 365 days */
    fixture_init(&f, 64, tz, 1, 0.5, 365);
    mobility_destroy(&f.m);
    f.p.gamma = 0;
    f.p.rho = 0.3;
    gsl_rng *r = tu_rng(5);
    ck_assert_int_eq(mobility_init(&f.m, &f.p, &f.pop, r), 0);
    gsl_rng_free(r);
    double sum_s = 0, mean = 0, var = 0, trips = 0;
    for (uint32_t u = 0; u < 64; u++) {
        const uint8_t *row = f.m.trip + (size_t)u * f.m.ndays;
        unsigned n = 0, s = 0;
        for (uint32_t d = 0; d < f.m.ndays; d++)
            if (row[d]) {
                n++;
                FAST(row[d] <= s + 1);            /* a new place is the next index */
                if (row[d] > s)
                    s = row[d];
            }
        trips += n;
        sum_s += s;
        if (n) {
            mean += 1 + 0.3 * (n - 1);
            var += 0.3 * 0.7 * (n - 1);
        }
    }
    ck_assert_msg(fabs(sum_s - mean) < 4 * sqrt(var), "places %g, expected %g +- %g", sum_s, mean, sqrt(var));
    double cells = 64.0 * f.m.ndays;              /* trip days ~ Binomial(cells, 0.5) */
    ck_assert_double_lt(fabs(trips - 0.5 * cells), 4 * sqrt(cells * 0.25));
    /* free time only */
    for (uint32_t u = 0; u < 64; u++)
        for (uint32_t h = 0; h < 365 * 24; h++) {
            float lat, lon;
            if (mobility_where(&f.m, u, h, &lat, &lon) != MOBILITY_TRIP)
                continue;
            struct mobility_local l;
            mobility_local(&f.p, 0, (int64_t)h * 3600, &l);
            int workday = u % 2 == 0 && l.weekday < 5;
            FAST(l.hour >= (workday ? 17 : 7) && l.hour < 22);
        }
    fixture_done(&f);
}
END_TEST

/* Jumps from home: the truncated power law's mean,
 * E r = a / (1 - a) (M^(1-a) - m^(1-a)) / (m^-a - M^-a), within 4
 * standard errors over every place drawn. */
START_TEST(test_jump_law)
{
    static const char *const tz[1] = { "UTC" };
    struct fixture f;
    fixture_init(&f, 64, tz, 1, 0.9, 365);
    double a = 0.55, lo = 1, hi = 100, s1 = 0, s2 = 0;
    size_t n = 0;
    for (uint32_t u = 0; u < 64; u++)
        for (unsigned k = 1; k <= 255; k++) {
            float lat, lon;
            mobility_trip_point(&f.m, u, k, &lat, &lon);
            double d = mobility_km(f.hlat[u], f.hlon[u], lat, lon);
            FAST(d >= lo * 0.999 && d <= hi * 1.001);
            s1 += d, s2 += d * d, n++;
        }
    double mean = s1 / n, sd = sqrt((s2 - n * mean * mean) / (n - 1));
    double want = a / (1 - a) * (pow(hi, 1 - a) - pow(lo, 1 - a)) / (pow(lo, -a) - pow(hi, -a));
    ck_assert_msg(fabs(mean - want) < 4 * sd / sqrt((double)n), "mean jump %g km, expected %g", mean, want);
    fixture_done(&f);
}
END_TEST

/* The share of home hours on Wi-Fi is wifi_home (binomial, 4 SE). */
START_TEST(test_wifi_share)
{
    static const char *const tz[1] = { "UTC" };
    struct fixture f;
    fixture_init(&f, 64, tz, 1, 0, 60);
    f.p.wifi[MOBILITY_HOME] = 0.3;
    double wifi = 0, n = 0;
    for (uint32_t u = 0; u < 64; u++)
        for (uint32_t h = 0; h < 60 * 24; h++) {
            float lat, lon;
            if (mobility_where(&f.m, u, h, &lat, &lon) != MOBILITY_HOME)
                continue;
            wifi += mobility_geolocate(&f.m, u, h, MOBILITY_IP_FULL, &lat, &lon) == MOBILITY_WIFI;
            n++;
        }
    ck_assert_double_lt(fabs(wifi / n - 0.3), 4 * sqrt(0.3 * 0.7 / n));
    fixture_done(&f);
}
END_TEST

/* ---- through the program ------------------------------------------------- */

/* The mean of `metric` in summary.csv of dir/out. */
static double summary_mean(const char *dir, const char *metric)
{
    char *path;
    ck_assert_int_ge(asprintf(&path, "%s/out/summary.csv", dir), 0);
    struct tu_csv csv;
    ck_assert_int_eq(tu_csv_read(path, &csv), 0);
    double v = NAN;
    for (size_t r = 1; r < csv.nrows; r++)
        if (strcmp(csv.rows[r][0], metric) == 0)
            v = strtod(csv.rows[r][1], NULL);
    tu_csv_free(&csv);
    free(path);
    ck_assert_msg(!isnan(v), "no metric %s", metric);
    return v;
}

/* Run a scenario into a fresh dir (returned; tu_rmtree + free it). */
static char *run_scenario(const char *xml)
{
    char *dir = tu_mkdtemp(), *path, *args, *err = NULL;
    ck_assert_int_ge(asprintf(&path, "%s/s.xml", dir), 0);
    tu_write(path, xml);
    ck_assert_int_ge(asprintf(&args, "run '%s' -o '%s/out'", path, dir), 0);
    int st = tu_exposim(args, NULL, &err);
    ck_assert_msg(st == 0, "status %d: %s", st, err);
    free(err);
    free(args);
    free(path);
    return dir;
}

#define SCENARIO(POP, MOB, LOC)                                                                 \
    "<scenario name='m'><run seed='3' replications='1' horizon_days='28'/>" POP                \
    "<contacts><erdos_renyi mean_degree='10'/></contacts><traffic rate_per_day='1'/>" MOB        \
    "<policy><retention days='30'/></policy><adversary><bulk_snapshot period_days='28'/></adversary>" LOC \
    "</scenario>"

/* One region, Wi-Fi only, no geolocation error: every home is found
 * exactly (everyone has night-time records at this traffic). */
START_TEST(test_home_exact)
{
    char *dir = run_scenario(SCENARIO(
        "<population size='400' worker_share='0.5'><region lat='48.85' lon='2.35' radius_km='10' tz='Europe/Paris'/></population>",
        "<mobility><network wifi_home='1' wifi_work='1' wifi_elsewhere='1'/><geolocation wifi_error_km='0'/></mobility>",
        "<inference><location cluster_km='0.001'/></inference>"));
    ck_assert_double_eq(summary_mean(dir, "home_share"), 1);
    ck_assert_double_eq(summary_mean(dir, "home_error_median_km"), 0);
    ck_assert_double_eq(summary_mean(dir, "home_error_max_km"), 0);
    ck_assert_double_eq(summary_mean(dir, "home_within_1km"), 1);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* An investigation of three people (scope outgoing: their own lookups):
 * their homes are found exactly with Wi-Fi only and no error, and nobody
 * else's lookups are acquired, so the overall home share is 3 / N. */
START_TEST(test_target_homes)
{
    char *dir = run_scenario(
        "<scenario name='t'><run seed='5' horizon_days='28'/>"
        "<population size='200'><region lat='48.85' lon='2.35' radius_km='10'/></population>"
        "<contacts><erdos_renyi mean_degree='10'/></contacts><traffic rate_per_day='1'/>"
        "<mobility><network wifi_home='1' wifi_work='1' wifi_elsewhere='1'/><geolocation wifi_error_km='0'/>"
        "</mobility><policy><retention days='30'/></policy>"
        "<adversary><targets select='ids' ids='3 50 120' scope='outgoing'/><historical_order period_days='28'/>"
        "</adversary></scenario>");
    ck_assert_double_eq(summary_mean(dir, "target_home_share"), 1);
    ck_assert_double_eq(summary_mean(dir, "target_home_error_median_km"), 0);
    ck_assert_double_eq(summary_mean(dir, "target_home_within_1km"), 1);
    ck_assert_double_eq_tol(summary_mean(dir, "home_share"), 3.0 / 200, 1e-12);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* Cellular only: the home found is the gateway, so the median home error
 * is the median distance from the homes to the gateway. */
START_TEST(test_home_cellular)
{
#define POP "<population size='301' worker_share='0'><region lat='40.0' lon='-3.7' radius_km='30' gateway_lat='40.2' gateway_lon='-3.5'/></population>"
    char *dir = run_scenario(SCENARIO(POP,
        "<mobility><network wifi_home='0' wifi_work='0' wifi_elsewhere='0'/></mobility>", ""));
    double got = summary_mean(dir, "home_error_median_km");
    ck_assert_double_eq(summary_mean(dir, "home_share"), 1);
    /* the homes, from `exposim generate` (same seed, same population stream) */
    char *path, *args;
    ck_assert_int_ge(asprintf(&path, "%s/s.xml", dir), 0);
    ck_assert_int_ge(asprintf(&args, "generate '%s' -o '%s/gen'", path, dir), 0);
    ck_assert_int_eq(tu_exposim(args, NULL, NULL), 0);
    free(path);
    ck_assert_int_ge(asprintf(&path, "%s/gen/population.csv", dir), 0);
    struct tu_csv csv;
    ck_assert_int_eq(tu_csv_read(path, &csv), 0);
    int clat = tu_csv_col(&csv, "home_lat"), clon = tu_csv_col(&csv, "home_lon");
    ck_assert_int_ge(clat, 0);
    double d[301];
    size_t n = 0;
    for (size_t r = 1; r < csv.nrows; r++)
        d[n++] = mobility_km(strtod(csv.rows[r][clat], NULL), strtod(csv.rows[r][clon], NULL), 40.2, -3.5);
    ck_assert_uint_eq(n, 301);
    for (size_t i = 1; i < n; i++)               /* insertion sort: the median */
        for (size_t j = i; j > 0 && d[j - 1] > d[j]; j--) {
            double t = d[j];
            d[j] = d[j - 1];
            d[j - 1] = t;
        }
    ck_assert_msg(fabs(got - d[150]) < 0.01, "median home error %g km, distance to the gateway %g km", got, d[150]);
    tu_csv_free(&csv);
    free(path);
    free(args);
    tu_rmtree(dir);
    free(dir);
#undef POP
}
END_TEST

/* Everyone at a distinct home all the time, seen there exactly: every
 * trace is unique, for every k. */
START_TEST(test_unicity_distinct_homes)
{
    char *dir = run_scenario(SCENARIO(
        "<population size='300' worker_share='0'><region lat='35.68' lon='139.69' radius_km='50' tz='Asia/Tokyo'/></population>",
        "<mobility><trips share='0'/><network wifi_home='1'/><geolocation wifi_error_km='0'/></mobility>",
        "<inference><location cell_km='0.01' unicity_probes='300'/></inference>"));
    static const char *const k[6] = { "unicity_1", "unicity_2", "unicity_3", "unicity_4", "unicity_5", "unicity_6" };
    for (int i = 0; i < 6; i++)
        ck_assert_double_eq(summary_mean(dir, k[i]), 1);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* The log's IP and querier policy: a dropped IP locates nobody, a dropped
 * querier rebuilds no pair and locates nobody; with day resolution, or no
 * time at all, the hour is unknown, so homes come from all points (and
 * co-location, which needs hours, is undefined). */
START_TEST(test_ip_policies)
{
#define LOC_POP "<population size='300' worker_share='0.5'><region lat='48.85' lon='2.35' radius_km='10'/></population>"
    char *dir = run_scenario(SCENARIO(LOC_POP, "<mobility/>", ""));
    ck_assert_double_gt(summary_mean(dir, "home_share"), 0.9);
    ck_assert_double_gt(summary_mean(dir, "edge_recall"), 0.5);
    tu_rmtree(dir);
    free(dir);
    static const char *const policy[4] = { "ip='dropped'", "querier='dropped'", "time_resolution='day'",
                                           "time_resolution='none'" };
    for (int i = 0; i < 4; i++) {
        char *xml;
        ck_assert_int_ge(asprintf(&xml,
                                  "<scenario name='m'><run seed='3' horizon_days='28'/>" LOC_POP
                                  "<contacts><erdos_renyi mean_degree='10'/></contacts><traffic rate_per_day='1'/>"
                                  "<mobility/><policy><retention days='30'/><logging %s/></policy><adversary>"
                                  "<bulk_snapshot period_days='28'/></adversary></scenario>",
                                  policy[i]),
                         0);
        dir = run_scenario(xml);
        free(xml);
        if (i < 2)
            ck_assert_double_eq(summary_mean(dir, "home_share"), 0);
        if (i == 1) {
            ck_assert_double_eq(summary_mean(dir, "edge_recall"), 0);
            ck_assert_double_eq(summary_mean(dir, "node_coverage"), 0);
        }
        if (i >= 2) {                     /* no hours (or no time): homes from all points, no work */
            ck_assert_double_gt(summary_mean(dir, "home_share"), 0.9);
            ck_assert_double_eq(summary_mean(dir, "work_share"), 0);
            ck_assert_double_gt(summary_mean(dir, "edge_recall"), 0.5);
        }
        tu_rmtree(dir);
        free(dir);
    }
#undef LOC_POP
}
END_TEST

/* A breach without a day happens once, at a time in (0, horizon], not the
 * same in every replication. */
START_TEST(test_random_breach)
{
    char *dir = run_scenario("<scenario name='b'><run seed='9' replications='6' horizon_days='50'/>"
                             "<population size='200'/><contacts><erdos_renyi mean_degree='6'/></contacts>"
                             "<traffic rate_per_day='0.5'/><policy><retention days='10'/></policy>"
                             "<adversary><breach/></adversary></scenario>");
    char *path;
    ck_assert_int_ge(asprintf(&path, "%s/out/timeseries.csv", dir), 0);
    struct tu_csv csv;
    ck_assert_int_eq(tu_csv_read(path, &csv), 0);
    int crep = tu_csv_col(&csv, "replication"), cacq = tu_csv_col(&csv, "acquisition"),
        cday = tu_csv_col(&csv, "day");
    double day[6] = { -1, -1, -1, -1, -1, -1 };
    for (size_t r = 1; r < csv.nrows; r++) {
        long rep = strtol(csv.rows[r][crep], NULL, 10) - 1;     /* 1-based */
        ck_assert_int_eq(strtol(csv.rows[r][cacq], NULL, 10), 1);      /* one acquisition */
        ck_assert(rep >= 0 && rep < 6);
        day[rep] = strtod(csv.rows[r][cday], NULL);
    }
    int distinct = 0;
    for (int i = 0; i < 6; i++) {
        ck_assert(day[i] > 0 && day[i] <= 50);
        distinct += i == 0 || day[i] != day[0];
    }
    ck_assert_int_gt(distinct, 1);
    tu_csv_free(&csv);
    free(path);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* A logged device count is a quasi-identifier that survives key
 * rotation: with it, pseudonyms are linked only to pseudonyms of the same
 * count, so (the true one never being filtered out) links can only get
 * fewer and right ones no fewer: reid_share kept <= dropped, and
 * reid_precision kept >= dropped, replication by replication (households
 * share neighbourhoods, so there are wrong links to remove). */
START_TEST(test_device_count)
{
    double share[2], prec[2];
    for (int i = 0; i < 2; i++) {
        char *xml;
        ck_assert_int_ge(asprintf(&xml,
                                  "<scenario name='d'><run seed='4' replications='3' horizon_days='90'/>"
                                  "<population size='3000' devices_mean='2'/><contacts><layered household_mean='3' "
                                  "workplace_mean='10' community_degree='2'/></contacts><traffic rate_per_day='0.05'/>"
                                  "<policy><retention days='30'/><logging queried_number='keyed_hash' "
                                  "key_rotation_days='30' device_count='%s'/></policy>"
                                  "<adversary><bulk_snapshot period_days='30'/></adversary></scenario>",
                                  i ? "dropped" : "kept"),
                         0);
        char *dir = run_scenario(xml);
        free(xml);
        share[i] = summary_mean(dir, "reid_share");
        prec[i] = summary_mean(dir, "reid_precision");
        tu_rmtree(dir);
        free(dir);
    }
    ck_assert_double_le(share[0], share[1]);
    ck_assert_double_ge(prec[0], prec[1]);
    ck_assert_double_lt(prec[1], 1);               /* there were wrong links to remove */
}
END_TEST

START_TEST(test_bad_input)
{
#define REG "<population size='50'><region lat='1' lon='2' radius_km='5'/></population>"
    static const struct { const char *label, *pop, *mob, *loc, *want; } c[] = {
        { "tz", "<population size='50'><region lat='1' lon='2' radius_km='5' tz='Europe/Atlantis'/></population>",
          "<mobility/>", "", "does not exist" },
        { "gateway", "<population size='50'><region lat='1' lon='2' radius_km='5' gateway_lat='95'/></population>",
          "<mobility/>", "", "gateway_lat" },
        { "exit", REG, "<mobility><vpn_exit lat='10' lon='200'/></mobility>", "", "lon" },
        { "prob", REG, "<mobility><network wifi_home='1.5'/></mobility>", "", "wifi_home" },
        { "rho", REG, "<mobility><trips rho='-0.1'/></mobility>", "", "rho" },
        { "jump", REG, "<mobility><trips jump_min_km='0'/></mobility>", "", "jump_min_km" },
        { "block", REG, "<mobility><geolocation block24_km='-1'/></mobility>", "", "block24_km" },
        { "cluster", REG, "<mobility/>", "<inference><location cluster_km='0'/></inference>", "cluster_km" },
        { "k", REG, "<mobility/>", "<inference><location unicity_max_k='0'/></inference>", "unicity_max_k" },
        { "cell", REG, "<mobility/>", "<inference><location cell_km='0.001'/></inference>", "cell_km" },
        { "adversary hours", REG, "<mobility/>", "<inference><location work_end='23'/></inference>", "night_start" },
        { "hours", REG, "<mobility night_start='8'/>", "", "night_end" },
        { "date", REG, "<mobility start_date='2016-02-30'/>", "", "start_date" },
        { "regions", "<population size='50'/>", "<mobility/>", "", "region" },
        { "devices", "<population size='50' devices_mean='0.5'><region lat='1' lon='2' radius_km='5'/></population>",
          "<mobility/>", "", "devices_mean" },
    };
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        char *xml;
        ck_assert_int_ge(asprintf(&xml,
                                  "<scenario name='m'><run horizon_days='10'/>%s<contacts><erdos_renyi "
                                  "mean_degree='4'/></contacts><traffic rate_per_day='1'/>%s<policy><retention "
                                  "days='30'/></policy><adversary><bulk_snapshot period_days='5'/></adversary>%s"
                                  "</scenario>",
                                  c[i].pop, c[i].mob, c[i].loc),
                         0);
        tu_run_expect("bad.xml", xml, c[i].label, 2, c[i].want);
        tu_run_expect("bad.xml", xml, c[i].label, 2, "bad.xml:");
        free(xml);
    }
#undef REG
}
END_TEST

Suite *mobility_suite(void)
{
    Suite *s = suite_create("mobility");
    TCase *tc = tcase_create("model");
    tcase_add_test(tc, test_tz_offsets);
    tcase_add_test(tc, test_timezone_rule);
    tcase_add_test(tc, test_wifi_exact);
    tcase_add_test(tc, test_cellular_gateway);
    tcase_add_test(tc, test_truncated_24);
    tcase_add_test(tc, test_points_valid);
    tcase_add_test(tc, test_epr_law);
    tcase_add_test(tc, test_jump_law);
    tcase_add_test(tc, test_wifi_share);
    suite_add_tcase(s, tc);
    TCase *pr = tcase_create("program");
    tcase_set_timeout(pr, 120);
    tcase_add_test(pr, test_home_exact);
    tcase_add_test(pr, test_home_cellular);
    tcase_add_test(pr, test_target_homes);
    tcase_add_test(pr, test_unicity_distinct_homes);
    tcase_add_test(pr, test_ip_policies);
    tcase_add_test(pr, test_random_breach);
    tcase_add_test(pr, test_device_count);
    tcase_add_test(pr, test_bad_input);
    suite_add_tcase(s, pr);
    return s;
}
