/* check_location — the adversary's location knowledge (location.h): the
 * deduplicating store, home and work estimates, user-days, unicity and
 * co-location, each on a case whose answer is worked out by hand or from
 * theory (said at each test). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_rng.h>

#include "location.h"
#include "suites.h"
#include "testutil.h"

#define PI 3.14159265358979323846

/* The haversine distance, written out again here (R = 6371.0088 km). */
static double hav_km(double lat1, double lon1, double lat2, double lon2)
{
    const double rad = PI / 180;
    double a = pow(sin((lat2 - lat1) * rad / 2), 2) + cos(lat1 * rad) * cos(lat2 * rad) * pow(sin((lon2 - lon1) * rad / 2), 2);
    return 2 * 6371.0088 * atan2(sqrt(a), sqrt(1 - a));
}

/* A truth for up to 64 people: homes, works (NaN: none), and a table of
 * true positions per (person, hour) for co-location (default: home). */
#define TN 64
#define TH 48
struct world {
    uint8_t locatable[TN];
    float hlat[TN], hlon[TN], wlat[TN], wlon[TN];
    float at_lat[TN][TH], at_lon[TN][TH];
    int has_at[TN][TH];
};

static void where(const void *ctx, uint32_t u, uint32_t h, float *lat, float *lon)
{
    const struct world *w = ctx;
    if (h < TH && w->has_at[u][h]) {
        *lat = w->at_lat[u][h];
        *lon = w->at_lon[u][h];
    } else {
        *lat = w->hlat[u];
        *lon = w->hlon[u];
    }
}

static void world_init(struct world *w, uint32_t n)
{
    memset(w, 0, sizeof *w);
    for (uint32_t u = 0; u < n; u++) {
        w->locatable[u] = 1;
        w->hlat[u] = 48.0f + 0.1f * (float)u;   /* 11 km apart */
        w->hlon[u] = 2.0f;
        w->wlat[u] = w->wlon[u] = NAN;
    }
}

static struct location_truth truth_of(const struct world *w, uint32_t n)
{
    return (struct location_truth){ n, w->locatable, w->hlat, w->hlon, w->wlat, w->wlon, where, w };
}

static struct location_metrics run_metrics(struct location *L, const struct world *w, uint32_t n, uint32_t now,
                                           unsigned long seed)
{
    struct location_truth t = truth_of(w, n);
    gsl_rng *r = tu_rng(seed);
    struct location_metrics m;
    ck_assert_int_eq(location_metrics(L, &t, now, r, &m), 0);
    gsl_rng_free(r);
    return m;
}

/* The same points in A and B, person by person (their place tables may
 * number the places differently: in order of first use). */
static void same_points(const struct location *A, const struct location *B)
{
    ck_assert_uint_eq(A->n, B->n);
    ck_assert_uint_eq(A->npt, B->npt);
    ck_assert_int_eq(memcmp(A->off, B->off, (A->n + 1) * sizeof *A->off), 0);
    for (uint32_t u = 0; u < A->n; u++)
        for (uint64_t i = 0; i < location_count(A, u); i++) {
            struct location_point a = location_get(A, u, i), b = location_get(B, u, i);
            FAST(a.slot == b.slot && a.lat == b.lat && a.lon == b.lon);
        }
}

static void init_default(struct location *L, uint32_t n, uint32_t horizon)
{
    struct location_params p;
    location_params_default(&p);
    ck_assert_int_eq(location_init(L, n, horizon, &p), 0);
}

/* Night points exactly at each true home (and daytime points elsewhere):
 * every home is found with error 0. */
START_TEST(test_home_exact)
{
    struct world w;
    world_init(&w, 10);
    struct location L;
    init_default(&L, 10, 24 * 7);
    for (uint32_t u = 0; u < 10; u++)
        for (uint32_t d = 0; d < 5; d++) {
            ck_assert_int_eq(location_stage(&L, u, 24 * d + 2, w.hlat[u], w.hlon[u], LOCATION_NIGHT), 0);
            ck_assert_int_eq(location_stage(&L, u, 24 * d + 14, w.hlat[u] + 0.5f, 3.0f, 0), 0);
        }
    ck_assert_int_eq(location_flush(&L), 0);
    ck_assert_uint_eq(L.npt, 100);
    struct location_metrics m = run_metrics(&L, &w, 10, 24 * 7, 1);
    ck_assert_double_eq(m.home_share, 1);
    ck_assert_double_eq(m.home_error_median_km, 0);
    ck_assert_double_eq(m.home_within_1km, 1);
    ck_assert_double_eq(m.home_within_10km, 1);
    ck_assert(isnan(m.work_share));       /* nobody works */
    ck_assert(isnan(m.work_error_median_km));
    location_destroy(&L);
}
END_TEST

/* One person: night points at home A (3 nights) and at B, 0.5 km north of
 * A (1 night), a trip C 50 km away (2 nights); 20 daytime points at the
 * office D (flag WORK).  Weights: A 4, B 4, C 2, so A (the lower latitude
 * of the tie) is the centre, and the home is (3A + B) / 4: 0.125 km north
 * of A, however many more points D has.  Work is D exactly. */
START_TEST(test_home_night_cluster_wins)
{
    struct world w;
    world_init(&w, 1);
    float alat = 48.0f, alon = 2.0f;
    float blat = alat + (float)(0.5 / 111.19492664), clat = alat + 0.45f;
    w.hlat[0] = alat;
    w.hlon[0] = alon;
    w.wlat[0] = 48.3f;
    w.wlon[0] = 2.3f;
    struct location L;
    init_default(&L, 1, 24 * 30);
    for (uint32_t d = 0; d < 3; d++)
        ck_assert_int_eq(location_stage(&L, 0, 24 * d + 1, alat, alon, LOCATION_NIGHT), 0);
    ck_assert_int_eq(location_stage(&L, 0, 24 * 3 + 1, blat, alon, LOCATION_NIGHT), 0);
    ck_assert_int_eq(location_stage(&L, 0, 24 * 4 + 1, clat, alon, LOCATION_NIGHT), 0);
    ck_assert_int_eq(location_stage(&L, 0, 24 * 5 + 1, clat, alon, LOCATION_NIGHT), 0);
    for (uint32_t d = 0; d < 20; d++)
        ck_assert_int_eq(location_stage(&L, 0, 24 * d + 10, w.wlat[0], w.wlon[0], LOCATION_WORK), 0);
    ck_assert_int_eq(location_flush(&L), 0);
    struct location_metrics m = run_metrics(&L, &w, 1, 24 * 30, 1);
    double want = hav_km((3.0 * alat + blat) / 4, alon, alat, alon);
    ck_assert_double_eq_tol(want, 0.125, 1e-3);
    ck_assert_double_eq_tol(m.home_error_median_km, want, 1e-6);
    ck_assert_double_eq(m.home_within_1km, 1);
    ck_assert_double_eq(m.work_share, 1);
    ck_assert_double_eq(m.work_error_median_km, 0);
    location_destroy(&L);
}
END_TEST

/* Everyone's points geolocate to a carrier gateway: the home error is the
 * distance from the home to the gateway (computed independently here). */
START_TEST(test_home_gateway)
{
    struct world w;
    world_init(&w, 20);
    float glat = 48.85f, glon = 2.35f;
    struct location L;
    init_default(&L, 20, 24 * 10);
    for (uint32_t u = 0; u < 20; u++)
        for (uint32_t d = 0; d < 4; d++)
            ck_assert_int_eq(location_stage(&L, u, 24 * d + 3, glat, glon, LOCATION_NIGHT), 0);
    ck_assert_int_eq(location_flush(&L), 0);
    struct location_metrics m = run_metrics(&L, &w, 20, 24 * 10, 1);
    double e[20];
    for (uint32_t u = 0; u < 20; u++)
        e[u] = hav_km(glat, glon, w.hlat[u], w.hlon[u]);
    /* homes are 48.0 + 0.1 u: e is increasing up to u = 8 or 9, then
     * increasing again; the median is the mean of the 10th and 11th */
    double s[20];
    memcpy(s, e, sizeof s);
    for (int i = 1; i < 20; i++)
        for (int j = i; j > 0 && s[j - 1] > s[j]; j--) {
            double x = s[j];
            s[j] = s[j - 1];
            s[j - 1] = x;
        }
    ck_assert_double_eq_tol(m.home_error_median_km, (s[9] + s[10]) / 2, 1e-3);
    int w10 = 0;
    for (int i = 0; i < 20; i++)
        w10 += e[i] <= 10;
    ck_assert_double_eq_tol(m.home_within_10km, w10 / 20.0, 1e-12);
    ck_assert_double_eq(m.home_share, 1);
    location_destroy(&L);
}
END_TEST

/* Coarse points (a carrier gateway, a VPN exit) count for a home only
 * when a person has nothing else: two Wi-Fi night points at home beat ten
 * at the gateway; with only gateway points the home is the gateway, and
 * the largest error is the farthest home's distance to it.  Co-location
 * leaves coarse points out: everyone at the gateway in one hour makes no
 * pair. */
START_TEST(test_coarse_points)
{
    struct world w;
    world_init(&w, 10);
    float glat = 48.5f, glon = 2.5f;
    struct location L;
    init_default(&L, 10, 24 * 10);
    for (uint32_t u = 0; u < 10; u++) {
        for (uint32_t d = 0; d < 10; d++)
            ck_assert_int_eq(location_stage(&L, u, 24 * d + 1, glat, glon, LOCATION_NIGHT | LOCATION_COARSE), 0);
        if (u < 5)                        /* half have two fixed-line night points at home */
            for (uint32_t d = 0; d < 2; d++)
                ck_assert_int_eq(location_stage(&L, u, 24 * d + 2, w.hlat[u], w.hlon[u], LOCATION_NIGHT), 0);
    }
    ck_assert_int_eq(location_flush(&L), 0);
    struct location_metrics m = run_metrics(&L, &w, 10, 24 * 10, 3);
    double far = 0, e[10];
    for (uint32_t u = 0; u < 10; u++) {
        e[u] = u < 5 ? 0 : hav_km(glat, glon, w.hlat[u], w.hlon[u]);
        if (e[u] > far)
            far = e[u];
    }
    ck_assert_double_eq(m.home_share, 1);
    ck_assert_double_eq_tol(m.home_error_max_km, far, 1e-3);
    ck_assert_double_eq_tol(m.home_within_1km, 0.5, 1e-12);
    ck_assert_double_eq_tol(m.home_error_median_km, (e[0] + e[5]) / 2, 1e-3);   /* 0 and the nearest gateway home */
    ck_assert_msg(isnan(m.coloc_precision) && m.coloc_pairs == 0, "co-location at the gateway: %g pairs",
                  m.coloc_pairs);
    location_destroy(&L);
}
END_TEST

/* Each person alone in a home cell, every point at home: any k points
 * single them out, unicity_k = 1 for k = 1..6. */
START_TEST(test_unicity_all_unique)
{
    struct world w;
    world_init(&w, 50);
    struct location L;
    init_default(&L, 50, 24 * 2);
    for (uint32_t u = 0; u < 50; u++)
        for (uint32_t h = 0; h < 10; h++)
            ck_assert_int_eq(location_stage(&L, u, h, w.hlat[u], w.hlon[u], LOCATION_NIGHT), 0);
    ck_assert_int_eq(location_flush(&L), 0);
    struct location_metrics m = run_metrics(&L, &w, 50, 48, 3);
    for (int k = 0; k < 6; k++) {
        ck_assert_uint_eq(m.unicity_probes[k], 50);
        ck_assert_double_eq(m.unicity[k], 1);
    }
    location_destroy(&L);
}
END_TEST

/* Everyone has the same trace: nobody is unique.  With only 3 points each,
 * unicity_4..6 are undefined. */
START_TEST(test_unicity_identical)
{
    struct world w;
    world_init(&w, 30);
    struct location L;
    init_default(&L, 30, 24 * 2);
    for (uint32_t u = 0; u < 30; u++)
        for (uint32_t h = 0; h < 3; h++)
            ck_assert_int_eq(location_stage(&L, u, h, 40.0f + h, 5.0f, 0), 0);
    ck_assert_int_eq(location_flush(&L), 0);
    struct location_metrics m = run_metrics(&L, &w, 30, 48, 3);
    for (int k = 0; k < 3; k++)
        ck_assert_double_eq(m.unicity[k], 0);
    for (int k = 3; k < 6; k++) {
        ck_assert(isnan(m.unicity[k]));
        ck_assert_uint_eq(m.unicity_probes[k], 0);
    }
    location_destroy(&L);
}
END_TEST

/* 2000 people with 6 points each.  The first 1000 come in pairs sharing
 * three of their six points (slots 0-2 in a common cell; slots 3-5 in cells
 * of their own); the others share nothing.  A paired person is singled out
 * by k random points unless all k fall among the three shared:
 * P = C(3,k)/C(6,k), so unicity_k = 1/2 + 1/2 (1 - C(3,k)/C(6,k)):
 * 0.75, 0.9, 0.975, 1, 1, 1.  1000 probes of 2000 people: within 3 binomial
 * standard errors sqrt(p(1-p)/1000) (sampling without replacement only
 * lowers the variance). */
START_TEST(test_unicity_known_fraction)
{
    const uint32_t n = 2000;
    struct location L;
    init_default(&L, n, 24 * 2);
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t h = 0; h < 6; h++) {
            uint32_t place = u < 1000 && h < 3 ? u / 2 : 1000 + 6 * u + h;   /* distinct cells */
            float lat = -60.0f + 0.02f * (float)(place % 5000), lon = -170.0f + 0.5f * (float)(place / 5000);
            ck_assert_int_eq(location_stage(&L, u, h, lat, lon, 0), 0);
        }
    ck_assert_int_eq(location_flush(&L), 0);
    uint8_t *loc = malloc(n);
    float *z = calloc(n, sizeof *z);
    memset(loc, 1, n);
    struct location_truth t = { n, loc, z, z, NULL, NULL, NULL, NULL };
    static const double c6[] = { 6, 15, 20, 15, 6, 1 }, c3[] = { 3, 3, 1, 0, 0, 0 };
    for (unsigned long seed = 1; seed <= 3; seed++) {
        gsl_rng *r = tu_rng(seed);
        struct location_metrics m;
        ck_assert_int_eq(location_metrics(&L, &t, 48, r, &m), 0);
        gsl_rng_free(r);
        for (int k = 0; k < 6; k++) {
            double p = 0.5 + 0.5 * (1 - c3[k] / c6[k]), se = sqrt(p * (1 - p) / 1000);
            ck_assert_uint_eq(m.unicity_probes[k], 1000);
            ck_assert_msg(fabs(m.unicity[k] - p) <= 3 * se, "seed %lu k %d: %g vs %g", seed, k + 1, m.unicity[k], p);
        }
        ck_assert(isnan(m.coloc_pairs));  /* no where(): not computed */
    }
    free(loc);
    free(z);
    location_destroy(&L);
}
END_TEST

/* The compact store: a person's points share their places (4 bytes a
 * point, 8 a distinct position), and a person holds at most
 * 2^(29 - slot bits) places: past that a flush fails and keeps its stage. */
START_TEST(test_store_places)
{
    struct location_params p;
    location_params_default(&p);
    struct location L;
    ck_assert_int_eq(location_init(&L, 3, (1u << 20) + 1, &p), -1);    /* 2^20 slots: 21 bits */
    ck_assert_int_eq(location_init(&L, 3, 1u << 20, &p), 0);
    ck_assert_uint_eq(L.slot_bits, 20);
    ck_assert_uint_eq(L.places_max, 512);
    ck_assert_uint_eq(L.pt_bytes, 4);     /* more than 13 slot bits: 4 bytes a point from the start */
    for (uint32_t h = 0; h < 300; h++)    /* person 2: 300 points at 3 places, in two flushes */
        ck_assert_int_eq(location_stage(&L, 2, 1000 * h, 10.0f + (float)(h % 3), -5.0f, h % 2 ? LOCATION_NIGHT : 0),
                         0);
    ck_assert_int_eq(location_flush(&L), 0);
    for (uint32_t h = 0; h < 512; h++)    /* person 0: 512 places, each twice (by slot, not by place) */
        for (uint32_t t = 0; t < 2; t++)
            ck_assert_int_eq(location_stage(&L, 0, 2 * h + t, 20.0f + 0.001f * (float)h, 1.0f, 0), 0);
    ck_assert_int_eq(location_flush(&L), 0);
    ck_assert_uint_eq(L.npt, 300 + 1024);
    ck_assert_uint_eq(L.nplace, 3 + 512);
    ck_assert_uint_eq(L.poff[1], 512);
    ck_assert_uint_eq(L.poff[3] - L.poff[2], 3);
    for (uint32_t h = 0; h < 512; h++) {
        struct location_point x = location_get(&L, 0, 2 * h + 1);
        FAST(x.slot == 2 * h + 1 && x.lat == 20.0f + 0.001f * (float)h && x.lon == 1.0f);
    }
    for (uint32_t h = 0; h < 300; h++) {
        struct location_point x = location_get(&L, 2, h);
        FAST(x.slot == (1000 * h | (h % 2 ? LOCATION_NIGHT << 29 : 0)) && x.lat == 10.0f + (float)(h % 3));
    }
    /* a 513th place for person 0 (and a point for person 1): refused, nothing stored, the stage kept */
    ck_assert_int_eq(location_stage(&L, 0, 5000, 50.0f, 1.0f, LOCATION_WORK), 0);
    ck_assert_int_eq(location_stage(&L, 1, 7, 50.0f, 1.0f, 0), 0);
    ck_assert_int_eq(location_flush(&L), -1);
    ck_assert_uint_eq(L.npt, 300 + 1024);
    ck_assert_uint_eq(L.nplace, 515);
    ck_assert_uint_eq(L.staged, 2);
    ck_assert_uint_eq(L.stage[0].u, 0);
    ck_assert_uint_eq(L.stage[1].u, 1);
    /* a known place at a new slot still fits */
    L.staged = 0;
    ck_assert_int_eq(location_stage(&L, 0, 5000, 20.0f, 1.0f, LOCATION_WORK), 0);
    ck_assert_int_eq(location_flush(&L), 0);
    ck_assert_uint_eq(L.npt, 300 + 1025);
    ck_assert_uint_eq(L.nplace, 515);
    struct location_point x = location_get(&L, 0, 1024);
    ck_assert(x.slot == (5000 | LOCATION_WORK << 29) && x.lat == 20.0f);
    location_destroy(&L);
}
END_TEST

/* 3 bytes a point while every person has at most 2^(21 - slot bits)
 * places (256 over 180 days of hours); a flush that needs more widens the
 * store to 4 bytes a point in place, the points unchanged. */
START_TEST(test_store_widen)
{
    struct location_params p;
    location_params_default(&p);
    struct location L;
    ck_assert_int_eq(location_init(&L, 3, 24 * 180, &p), 0);
    ck_assert_uint_eq(L.pt_bytes, 3);
    ck_assert_uint_eq(L.places_max, 256);
    for (uint32_t h = 0; h < 200; h++) {  /* person 1: 200 places; 0 and 2 a few, flags of every kind */
        for (uint32_t u = 0; u < 3; u++) {
            float lat = u == 1 ? 30.0f + 0.001f * (float)h : 40.0f + (float)(u + h % 4);
            ck_assert_int_eq(location_stage(&L, u, 20 * h, lat, 2.0f, h % 5), 0);
        }
    }
    ck_assert_int_eq(location_flush(&L), 0);
    ck_assert_uint_eq(L.pt_bytes, 3);
    for (uint32_t h = 200; h < 300; h++)  /* 100 more places for person 1: past 256 */
        ck_assert_int_eq(location_stage(&L, 1, 20 * h - 4000 + 1, 30.0f + 0.001f * (float)h, 2.0f, h % 5), 0);
    ck_assert_int_eq(location_stage(&L, 2, 3, 45.0f, 2.0f, LOCATION_WORK), 0);
    ck_assert_int_eq(location_flush(&L), 0);
    ck_assert_uint_eq(L.pt_bytes, 4);
    ck_assert_uint_eq(L.places_max, 1u << 16);
    ck_assert_uint_eq(L.nplace, 4 + 300 + 4);   /* person 2's new point is at a known place */
    ck_assert_uint_eq(location_count(&L, 0), 200);
    ck_assert_uint_eq(location_count(&L, 1), 300);
    ck_assert_uint_eq(location_count(&L, 2), 201);
    for (uint32_t h = 0; h < 200; h++) {
        struct location_point x = location_get(&L, 0, h);
        FAST(x.slot == (20 * h | (h % 5) << 29) && x.lat == 40.0f + (float)(h % 4) && x.lon == 2.0f);
    }
    for (uint32_t i = 0; i < 300; i++) {  /* slots 0, 1, 20, 21, ...: the new ones interleaved */
        uint32_t h = i % 2 ? 200 + i / 2 : i / 2, slot = h < 200 ? 20 * h : 20 * h - 4000 + 1;
        if (i >= 200) {
            h = 100 + (i - 200);
            slot = 20 * h;
        }
        struct location_point x = location_get(&L, 1, i);
        FAST(x.slot == (slot | (h % 5) << 29) && x.lat == 30.0f + 0.001f * (float)h);
    }
    struct location_point x = location_get(&L, 2, 1);
    ck_assert(x.slot == (3 | LOCATION_WORK << 29) && x.lat == 45.0f);
    location_destroy(&L);
}
END_TEST

/* Random points staged in several flushes, repeats included, against a
 * brute-force reference; then staging everything again (in another order,
 * through a tiny self-flushing stage) changes no stored point and no
 * metric (same generator seed: the same bits). */
static int ref_cmp(const void *a, const void *b)
{
    const struct location_staged *x = a, *y = b;
    if (x->u != y->u)
        return x->u < y->u ? -1 : 1;
    uint32_t sx = x->slot & 0x1fffffffu, sy = y->slot & 0x1fffffffu;
    if (sx != sy)
        return sx < sy ? -1 : 1;
    if (x->lat != y->lat)
        return x->lat < y->lat ? -1 : 1;
    return (x->lon > y->lon) - (x->lon < y->lon);
}

START_TEST(test_store_dedup)
{
    const uint32_t n = 40, np = 3000;
    gsl_rng *g = tu_rng(7);
    struct location_staged *pts = malloc(np * sizeof *pts), *ref = malloc(np * sizeof *ref);
    struct world w;
    world_init(&w, n);
    for (uint32_t u = 0; u < n; u++) {
        w.wlat[u] = w.hlat[u] + 0.05f;
        w.wlon[u] = 2.05f;
    }
    for (uint32_t i = 0; i < np; i++) {   /* few places and hours: many repeats */
        uint32_t u = (uint32_t)gsl_rng_uniform_int(g, n), h = (uint32_t)gsl_rng_uniform_int(g, 40);
        unsigned f = (unsigned)gsl_rng_uniform_int(g, 3);
        uint32_t pl = (uint32_t)gsl_rng_uniform_int(g, 4);
        float lat = pl == 0 ? w.hlat[u] : pl == 1 ? w.wlat[u] : 30.0f + 0.01f * (float)gsl_rng_uniform_int(g, 5);
        pts[i] = (struct location_staged){ u, h | (uint32_t)f << 29, lat, pl == 1 ? 2.05f : 2.0f };
    }
    struct location L;
    init_default(&L, n, TH);
    for (uint32_t i = 0; i < np; i++) {
        ck_assert_int_eq(location_stage(&L, pts[i].u, pts[i].slot & 0x1fffffffu, pts[i].lat, pts[i].lon,
                                        pts[i].slot >> 29), 0);
        if (i % 700 == 699)
            ck_assert_int_eq(location_flush(&L), 0);
    }
    ck_assert_int_eq(location_flush(&L), 0);
    /* the reference: sorted, repeats merged with their flags or-ed */
    memcpy(ref, pts, np * sizeof *ref);
    qsort(ref, np, sizeof *ref, ref_cmp);
    uint32_t nr = 0;
    for (uint32_t i = 0; i < np; i++) {
        if (nr && ref_cmp(&ref[nr - 1], &ref[i]) == 0)
            ref[nr - 1].slot |= ref[i].slot;
        else
            ref[nr++] = ref[i];
    }
    ck_assert_uint_eq(L.npt, nr);
    for (uint32_t i = 0; i < nr; i++) {
        uint32_t u = ref[i].u;
        FAST(L.off[u] <= i && i < L.off[u + 1]);
        struct location_point x = location_get(&L, u, i - L.off[u]);
        FAST_EQ(x.slot, ref[i].slot);
        FAST(x.lat == ref[i].lat && x.lon == ref[i].lon);
    }
    struct location_metrics m1 = run_metrics(&L, &w, n, 40, 11);
    ck_assert_double_eq(m1.home_share, 1);
    ck_assert(m1.work_share > 0.9);
    ck_assert(m1.coloc_pairs > 0);
    /* again, backwards, through a stage of 64 that flushes itself */
    L.block = 64;
    for (uint32_t i = np; i-- > 0;)
        ck_assert_int_eq(location_stage(&L, pts[i].u, pts[i].slot & 0x1fffffffu, pts[i].lat, pts[i].lon,
                                        pts[i].slot >> 29), 0);
    ck_assert_uint_lt(L.staged, 64);
    ck_assert_int_eq(location_flush(&L), 0);
    ck_assert_uint_eq(L.npt, nr);
    struct location_metrics m2 = run_metrics(&L, &w, n, 40, 11);
    ck_assert_int_eq(memcmp(&m1, &m2, sizeof m1), 0);
    /* a fresh store filled through the small stage gives the same bits too */
    struct location L2;
    init_default(&L2, n, TH);
    L2.block = 64;
    for (uint32_t i = 0; i < np; i++)
        ck_assert_int_eq(location_stage(&L2, pts[i].u, pts[i].slot & 0x1fffffffu, pts[i].lat, pts[i].lon,
                                        pts[i].slot >> 29), 0);
    ck_assert_int_eq(location_flush(&L2), 0);
    same_points(&L, &L2);
    struct location_metrics m3 = run_metrics(&L2, &w, n, 40, 11);
    ck_assert_int_eq(memcmp(&m1, &m3, sizeof m1), 0);
    location_destroy(&L2);
    location_destroy(&L);
    free(pts);
    free(ref);
    gsl_rng_free(g);
}
END_TEST

/* The stage in person order (as the scenario model stages it: a stable
 * sort by person of time-ordered records) takes location_flush's path
 * without the counting sort, compacting the stage in place: the store and
 * the metrics must be those of the same points staged in any order. */
static int by_person(const void *a, const void *b)
{
    const struct location_staged *x = a, *y = b;
    return (x->u > y->u) - (x->u < y->u);
}

START_TEST(test_store_presorted)
{
    const uint32_t n = 40, np = 3000;
    gsl_rng *g = tu_rng(8);
    struct location_staged *pts = malloc(np * sizeof *pts);
    struct world w;
    world_init(&w, n);
    for (uint32_t i = 0; i < np; i++) {   /* time-ordered, few places: many repeats */
        uint32_t u = (uint32_t)gsl_rng_uniform_int(g, n), h = i * TH / np;
        unsigned f = (unsigned)gsl_rng_uniform_int(g, 8);
        float lat = gsl_rng_uniform_int(g, 2) ? w.hlat[u] : 30.0f + 0.01f * (float)gsl_rng_uniform_int(g, 5);
        pts[i] = (struct location_staged){ u, h | (uint32_t)f << 29, lat, 2.0f };
    }
    struct location A, B;
    init_default(&A, n, TH);
    init_default(&B, n, TH);
    for (uint32_t half = 0; half < 2; half++) {   /* two acquisitions, the second overlapping the first */
        uint32_t lo = half ? np / 3 : 0, hi = half ? np : 2 * np / 3;
        for (uint32_t i = lo; i < hi; i++)
            ck_assert_int_eq(location_stage(&A, pts[i].u, pts[i].slot & 0x1fffffffu, pts[i].lat, pts[i].lon,
                                            pts[i].slot >> 29), 0);
        ck_assert_int_eq(location_flush(&A), 0);
        struct location_staged *s = malloc((hi - lo) * sizeof *s);
        memcpy(s, pts + lo, (hi - lo) * sizeof *s);
        qsort(s, hi - lo, sizeof *s, by_person);    /* ties in any order: the flush must not care */
        B.block = half ? 100 : LOCATION_BLOCK;       /* the second through a stage that flushes itself */
        for (uint32_t i = 0; i < hi - lo; i++)
            ck_assert_int_eq(location_stage(&B, s[i].u, s[i].slot & 0x1fffffffu, s[i].lat, s[i].lon,
                                            s[i].slot >> 29), 0);
        ck_assert_int_eq(location_flush(&B), 0);
        free(s);
        same_points(&A, &B);
        struct location_metrics ma = run_metrics(&A, &w, n, TH, 5), mb = run_metrics(&B, &w, n, TH, 5);
        ck_assert_int_eq(memcmp(&ma, &mb, sizeof ma), 0);
    }
    location_destroy(&A);
    location_destroy(&B);
    free(pts);
    gsl_rng_free(g);
}
END_TEST

/* A home among more than 32 distinct night places (the per-point path of
 * the gathering): 40 places 5 km apart seen once each, and the true home
 * seen three times; the home is found exactly. */
START_TEST(test_home_many_places)
{
    struct world w;
    world_init(&w, 1);
    struct location L;
    init_default(&L, 1, TH);
    for (uint32_t h = 0; h < 40; h++)
        ck_assert_int_eq(location_stage(&L, 0, h, 10.0f + 0.045f * (float)h, 2.0f, LOCATION_NIGHT), 0);
    for (uint32_t h = 40; h < 43; h++)
        ck_assert_int_eq(location_stage(&L, 0, h, w.hlat[0], w.hlon[0], LOCATION_NIGHT), 0);
    ck_assert_int_eq(location_flush(&L), 0);
    struct location_metrics m = run_metrics(&L, &w, 1, TH, 3);
    ck_assert_double_eq(m.home_share, 1);
    ck_assert_double_eq(m.home_error_max_km, 0);
    location_destroy(&L);
}
END_TEST

/* Hour 5: people 0, 1, 2 geolocated in one cell (3 pair-hours), person 3
 * elsewhere.  The truth puts 0 and 1 together that hour and 2 far away:
 * one pair of three is right.  All 10 elapsed hours sampled: 0.3 pair-hours
 * per hour, precision 1/3.  Person 0 has a second point in the same cell
 * that hour (another address): still counted once. */
START_TEST(test_coloc_hand)
{
    struct world w;
    world_init(&w, 4);
    struct location_params p;
    location_params_default(&p);
    p.coloc_hours = 0;
    struct location L;
    ck_assert_int_eq(location_init(&L, 4, 24, &p), 0);
    float lat = 45.0f, lon = 7.0f;
    for (uint32_t u = 0; u < 3; u++)
        ck_assert_int_eq(location_stage(&L, u, 5, lat, lon, 0), 0);
    ck_assert_int_eq(location_stage(&L, 0, 5, lat + 0.0001f, lon, 0), 0);
    ck_assert_int_eq(location_stage(&L, 3, 5, 46.0f, lon, 0), 0);
    ck_assert_int_eq(location_stage(&L, 1, 12, lat, lon, 0), 0);   /* after now: not sampled */
    ck_assert_int_eq(location_stage(&L, 2, 12, lat, lon, 0), 0);
    ck_assert_int_eq(location_flush(&L), 0);
    ck_assert_uint_eq(location_cell(&L, lat, lon), location_cell(&L, lat + 0.0001f, lon));
    w.has_at[0][5] = w.has_at[1][5] = w.has_at[2][5] = 1;
    w.at_lat[0][5] = w.at_lat[1][5] = 45.2f;
    w.at_lon[0][5] = w.at_lon[1][5] = 7.2f;
    w.at_lat[2][5] = 44.0f;
    w.at_lon[2][5] = 7.0f;
    struct location_metrics m = run_metrics(&L, &w, 4, 10, 5);
    ck_assert_uint_eq(m.coloc_slots, 10);
    ck_assert_double_eq_tol(m.coloc_pairs, 0.3, 1e-12);
    ck_assert_double_eq_tol(m.coloc_precision, 1.0 / 3, 1e-12);
    /* nobody together: pairs 0, precision undefined */
    m = run_metrics(&L, &w, 4, 4, 5);
    ck_assert_double_eq(m.coloc_pairs, 0);
    ck_assert(isnan(m.coloc_precision));
    /* 3 hours sampled out of 10 */
    location_destroy(&L);
    p.coloc_hours = 3;
    ck_assert_int_eq(location_init(&L, 4, 24, &p), 0);
    for (uint32_t u = 0; u < 3; u++)
        for (uint32_t h = 0; h < 10; h++)
            ck_assert_int_eq(location_stage(&L, u, h, lat, lon, 0), 0);
    ck_assert_int_eq(location_flush(&L), 0);
    m = run_metrics(&L, &w, 4, 10, 5);
    ck_assert_uint_eq(m.coloc_slots, 3);
    ck_assert_double_eq_tol(m.coloc_pairs, 3, 1e-12);  /* every hour, 3 pairs */
    location_destroy(&L);
}
END_TEST

/* Two locatable people and one who is not, 3 days elapsed (now = 50 h):
 * person 0 seen on days 0 (twice) and 1, person 1 on day 2 and on day 3
 * (after now: not counted), person 2 (not locatable) every day.
 * 3 / (2 x 3) = 0.5. */
START_TEST(test_user_days)
{
    struct world w;
    world_init(&w, 3);
    w.locatable[2] = 0;
    struct location L;
    init_default(&L, 3, 24 * 5);
    uint32_t hours0[] = { 1, 5, 30 };
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(location_stage(&L, 0, hours0[i], 10.0f, 10.0f, 0), 0);
    ck_assert_int_eq(location_stage(&L, 1, 49, 11.0f, 10.0f, 0), 0);
    ck_assert_int_eq(location_stage(&L, 1, 75, 11.0f, 10.0f, 0), 0);
    for (uint32_t d = 0; d < 5; d++)
        ck_assert_int_eq(location_stage(&L, 2, 24 * d, 12.0f, 10.0f, LOCATION_NIGHT), 0);
    ck_assert_int_eq(location_flush(&L), 0);
    struct location_metrics m = run_metrics(&L, &w, 3, 50, 1);
    ck_assert_double_eq_tol(m.user_days_located, 0.5, 1e-12);
    ck_assert_double_eq(m.home_share, 0);   /* no night points among the locatable */
    ck_assert(isnan(m.home_error_median_km));
    /* capped at the horizon: 5 days whatever now */
    m = run_metrics(&L, &w, 3, 1000, 1);
    ck_assert_double_eq_tol(m.user_days_located, 4.0 / 10, 1e-12);
    location_destroy(&L);
}
END_TEST

/* A log that keeps only days: points within a day are one slot (a point
 * seen three times on a day counts once), the home comes from all points,
 * work is not estimated, co-location is undefined. */
START_TEST(test_slot_days)
{
    struct world w;
    world_init(&w, 2);
    w.wlat[0] = 50.0f;
    w.wlon[0] = 3.0f;
    struct location_params p;
    location_params_default(&p);
    p.slot_hours = 24;
    struct location L;
    ck_assert_int_eq(location_init(&L, 2, 24 * 10, &p), 0);
    for (int rep = 0; rep < 3; rep++)
        ck_assert_int_eq(location_stage(&L, 0, 24, w.hlat[0], w.hlon[0], 0), 0);
    ck_assert_int_eq(location_stage(&L, 0, 48, w.hlat[0], w.hlon[0], 0), 0);
    ck_assert_int_eq(location_stage(&L, 0, 72, w.wlat[0], w.wlon[0], 0), 0);   /* fewer days at work */
    ck_assert_int_eq(location_stage(&L, 1, 24 * 9, w.hlat[1], w.hlon[1], 0), 0);
    ck_assert_int_eq(location_flush(&L), 0);
    ck_assert_uint_eq(L.npt, 4);
    struct location_metrics m = run_metrics(&L, &w, 2, 24 * 10, 1);
    ck_assert_double_eq(m.home_share, 1);
    ck_assert_double_eq(m.home_error_median_km, 0);
    ck_assert_double_eq(m.work_share, 0);
    ck_assert(isnan(m.work_error_median_km));
    ck_assert(isnan(m.coloc_pairs) && isnan(m.coloc_precision));
    ck_assert_uint_eq(m.coloc_slots, 0);
    ck_assert_double_eq_tol(m.user_days_located, 4.0 / 20, 1e-12);
    ck_assert_double_eq(m.unicity[0], 1);
    location_destroy(&L);
}
END_TEST

START_TEST(test_bad_params)
{
    struct location_params p, q;
    struct location L;
    location_params_default(&p);
    ck_assert_double_eq(p.cluster_km, 1);
    ck_assert_uint_eq(p.probes, 1000);
    ck_assert_uint_eq(p.coloc_hours, 168);
    ck_assert_int_eq(location_init(&L, 0, 10, &p), -1);
    ck_assert_int_eq(location_init(&L, 5, 0, &p), -1);
    ck_assert_int_eq(location_init(&L, 5, 1u << 29, &p), -1);
    q = p, q.cluster_km = 0;
    ck_assert_int_eq(location_init(&L, 5, 10, &q), -1);
    q = p, q.cell_km = NAN;
    ck_assert_int_eq(location_init(&L, 5, 10, &q), -1);
    q = p, q.cell_km = 0.001;
    ck_assert_int_eq(location_init(&L, 5, 10, &q), -1);
    q = p, q.slot_hours = 2;
    ck_assert_int_eq(location_init(&L, 5, 10, &q), -1);
    q = p, q.probes = 0;
    ck_assert_int_eq(location_init(&L, 5, 10, &q), -1);
    location_destroy(&L);                 /* safe after a failed init */
    ck_assert_int_eq(location_init(&L, 5, 10, &p), 0);
    ck_assert_int_eq(location_stage(&L, 5, 0, 0, 0, 0), -1);
    ck_assert_int_eq(location_stage(&L, 0, 10, 0, 0, 0), -1);
    ck_assert_int_eq(location_stage(&L, 0, 0, NAN, 0, 0), -1);
    ck_assert_int_eq(location_stage(&L, 0, 0, 91, 0, 0), -1);
    ck_assert_int_eq(location_stage(&L, 0, 0, 0, -180.5f, 0), -1);
    ck_assert_int_eq(location_stage(&L, 0, 9, -90, 180, 0), 0);   /* the corners are fine */
    ck_assert_int_eq(location_flush(&L), 0);
    ck_assert_uint_eq(L.npt, 1);
    struct world w;
    world_init(&w, 5);
    struct location_truth t = truth_of(&w, 4);   /* wrong n */
    struct location_metrics m;
    gsl_rng *r = tu_rng(1);
    ck_assert_int_eq(location_metrics(&L, &t, 10, r, &m), -1);
    gsl_rng_free(r);
    location_destroy(&L);
    location_destroy(&L);
}
END_TEST

/* Haversine against known distances: a degree of meridian is R pi / 180;
 * Paris-London about 343.5 km. */
START_TEST(test_haversine)
{
    ck_assert_double_eq_tol(location_haversine_km(0, 0, 1, 0), 6371.0088 * PI / 180, 1e-9);
    ck_assert_double_eq_tol(location_haversine_km(48.8566, 2.3522, 51.5074, -0.1278),
                            hav_km(48.8566, 2.3522, 51.5074, -0.1278), 1e-9);
    ck_assert_double_eq_tol(location_haversine_km(48.8566, 2.3522, 51.5074, -0.1278), 343.5, 0.5);
    ck_assert_double_eq_tol(location_haversine_km(10, 179.9, 10, -179.9), hav_km(10, 179.9, 10, -179.9), 1e-9);
}
END_TEST

/* The grid is equal-area: walking 100 km east (or north) in 10 m steps
 * crosses about 100 cells of 1 km at any latitude (one more or less for
 * where the walk starts); two points 1.5 km apart are never in one cell. */
START_TEST(test_cells)
{
    struct location L;
    init_default(&L, 1, 24);
    static const double lats[] = { -75, -33.9, 0, 12.5, 48.85, 69.6 };
    for (size_t t = 0; t < sizeof lats / sizeof lats[0]; t++) {
        double lat = lats[t], dlon = 0.01 / (6371.0088 * PI / 180 * cos(lat * PI / 180));
        double dlat = 0.01 / (6371.0088 * PI / 180);
        unsigned east = 0, north = 0;
        uint64_t pe = location_cell(&L, (float)lat, 10.0f), pn = pe;
        for (int i = 1; i <= 10000; i++) {
            uint64_t ce = location_cell(&L, (float)lat, (float)(10.0 + i * dlon));
            uint64_t cn = location_cell(&L, (float)(lat + i * dlat), 10.0f);
            east += ce != pe;
            north += cn != pn;
            pe = ce;
            pn = cn;
            if (i % 150 == 0) {
                FAST(location_cell(&L, (float)lat, (float)(10.0 + i * dlon)) !=
                     location_cell(&L, (float)lat, (float)(10.0 + (i - 150) * dlon)));
            }
        }
        /* 111.32 km per degree against 111.195 of a great circle: 99.9 */
        ck_assert_msg(east >= 98 && east <= 102, "lat %g: %u cells east", lat, east);
        ck_assert_msg(north >= 98 && north <= 102, "lat %g: %u cells north", lat, north);
    }
    location_destroy(&L);
}
END_TEST

Suite *location_suite(void)
{
    Suite *s = suite_create("location");
    TCase *tc = tcase_create("location");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_haversine);
    tcase_add_test(tc, test_cells);
    tcase_add_test(tc, test_home_exact);
    tcase_add_test(tc, test_coarse_points);
    tcase_add_test(tc, test_home_night_cluster_wins);
    tcase_add_test(tc, test_home_gateway);
    tcase_add_test(tc, test_unicity_all_unique);
    tcase_add_test(tc, test_unicity_identical);
    tcase_add_test(tc, test_unicity_known_fraction);
    tcase_add_test(tc, test_store_dedup);
    tcase_add_test(tc, test_store_presorted);
    tcase_add_test(tc, test_store_places);
    tcase_add_test(tc, test_store_widen);
    tcase_add_test(tc, test_home_many_places);
    tcase_add_test(tc, test_coloc_hand);
    tcase_add_test(tc, test_user_days);
    tcase_add_test(tc, test_slot_days);
    tcase_add_test(tc, test_bad_params);
    suite_add_tcase(s, tc);
    return s;
}
