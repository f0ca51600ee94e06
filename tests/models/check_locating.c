/* check_locating — acquired records to points, and the location metrics
 * reported from them (models/locating.h), on the hand-built world of
 * fixture.h (homes, work places and Wi-Fi exact, so every point is a true
 * place): the order of the records given changes neither the store nor
 * the metrics; a log that drops the IP gives no point (and the metrics the
 * undefined values docs/metrics.md gives for no point); a log that drops
 * times gives undated points; night and work-hour points are classified by
 * the adversary's rule in the querier's region's local time; target_*
 * metrics cover only the targets who are clients; the metrics come in the
 * documented order; locating_configure's bounds give FILE:LINE
 * diagnostics. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "cfg.h"
#include "fixture.h"
#include "locating.h"
#include "results.h"
#include "serverlog.h"
#include "sim.h"
#include "suites.h"
#include "testutil.h"

#define DAY 86400
#define FLAGS(pt) ((pt).slot >> 29)              /* location.h: the flags in the slot's top three bits */
#define SLOT(pt) ((pt).slot & 0x1fffffffu)

/* The schedule fixture_init gives the mobility model. */
static const struct mobility_hours model_hours = { 22, 7, 9, 17 };

/* locating_configure on <inference>`inner`</inference> (inner NULL or "":
 * no <location> element), for a log with `pol`.  Its return, the
 * diagnostics in d. */
static int configure(struct locating_params *p, const char *inner, const struct serverlog_policy *pol,
                     struct diag *d)
{
    char *dir = tu_mkdtemp(), *path;
    ck_assert_ptr_nonnull(dir);
    ck_assert_int_ge(asprintf(&path, "%s/l.xml", dir), 0);
    char text[1024];
    snprintf(text, sizeof text, "<inference>\n%s\n</inference>\n", inner ? inner : "");
    tu_write(path, text);
    struct cfg *c = cfg_load_schema(path, NULL, 0, NULL, d);
    ck_assert_ptr_nonnull(c);
    int rc = locating_configure(p, c, cfg_child(cfg_root(c), "location"), &model_hours, pol);
    cfg_free(c);
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
    return rc;
}

/* One replication's location inference over a fixture, reporting into its
 * own results as the engine's replication 0. */
struct rig {
    struct serverlog_policy pol;
    struct serverlog log;
    struct locating_params p;
    struct locating l;
    gsl_rng *rng;
    struct results res;
    struct sim s;
};

/* A rig over f (days long) for a log keeping `ip` (and times unless
 * drop_time), the adversary's rule and parameters from `inner` (NULL:
 * the defaults), the location stream MT19937 seed 5. */
static void rig_init(struct rig *r, const struct fixture *f, uint32_t days, enum serverlog_ip ip, int drop_time,
                     const char *inner)
{
    memset(r, 0, sizeof *r);
    r->pol = (struct serverlog_policy){ .retention = 30 * DAY, .resolution = 1, .sampling = 1,
                                        .key_rotation = DAY, .ip = ip, .drop_time = drop_time };
    ck_assert_int_eq(serverlog_init_policy(&r->log, &r->pol, NULL), 0);
    struct diag d;
    diag_init(&d);
    ck_assert_msg(configure(&r->p, inner, &r->pol, &d) == 0, "%s", d.n ? d.msg[0] : "?");
    diag_destroy(&d);
    r->rng = tu_rng(5);
    ck_assert_int_eq(locating_init(&r->l, &r->p, &f->pop, &f->m, &r->log, (int64_t)days * DAY, r->rng), 0);
    results_init(&r->res);
    r->s.results = &r->res;
}

static void rig_done(struct rig *r)
{
    locating_destroy(&r->l);
    serverlog_destroy(&r->log);
    gsl_rng_free(r->rng);
    results_destroy(&r->res);
}

/* Report acquisition acq at `now` with n records (copied: the report
 * reorders them). */
static void rig_report(struct rig *r, uint32_t acq, int64_t now, const uint64_t *rec, size_t n,
                       const uint32_t *targets, uint32_t ntargets)
{
    uint64_t *copy = malloc((n ? n : 1) * sizeof *copy);
    ck_assert_ptr_nonnull(copy);
    if (n)
        memcpy(copy, rec, n * sizeof *copy);
    ck_assert_int_eq(locating_report(&r->l, &r->s, acq, now, copy, n, targets, ntargets), 0);
    ck_assert_int_eq(r->s.failed, 0);
    free(copy);
}

/* The value of `name` reported after acquisition acq: exactly one row. */
static double metric(const struct rig *r, uint32_t acq, const char *name)
{
    double v = NAN;
    int found = 0;
    for (size_t i = 0; i < r->res.n; i++)
        if (r->res.rows[i].acq == acq && strcmp(r->res.metrics[r->res.rows[i].metric], name) == 0) {
            v = r->res.rows[i].value;
            found++;
        }
    ck_assert_msg(found == 1, "%s after acquisition %u: %d rows", name, acq, found);
    return v;
}

static uint64_t record(uint32_t u, uint32_t t) { return (uint64_t)u << 32 | t; }

/* ---- the order of the records ------------------------------------------ */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void shuffle(uint64_t *v, size_t n, gsl_rng *g)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = gsl_rng_uniform_int(g, i);
        uint64_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

/* 30 people in Tokyo, London and New York with trips, 28 days; 3000
 * records at random (person, second), the first 1500 in the first two
 * weeks (reported on day 14), the rest over four (reported on day 28).
 * Given sorted, shuffled or reversed, the records leave the same points
 * (person by person, flags included) and the same metrics, bit for bit
 * (the metrics' samples come from generators in the same state). */
START_TEST(test_order_free)
{
    static const char *const tz[3] = { "Asia/Tokyo", "Europe/London", "America/New_York" };
    enum { N = 30, DAYS = 28, NREC = 3000, HALF = NREC / 2 };
    struct fixture f;
    fixture_init(&f, N, tz, 3, 0.5, DAYS);
    gsl_rng *g = tu_rng(3);
    uint64_t rec[3][NREC];
    for (size_t i = 0; i < NREC; i++)
        rec[0][i] = record((uint32_t)gsl_rng_uniform_int(g, N),
                           (uint32_t)gsl_rng_uniform_int(g, (i < HALF ? DAYS / 2 : DAYS) * (unsigned long)DAY));
    memcpy(rec[1], rec[0], sizeof rec[0]);
    memcpy(rec[2], rec[0], sizeof rec[0]);
    qsort(rec[0], HALF, sizeof rec[0][0], cmp_u64);
    qsort(rec[0] + HALF, NREC - HALF, sizeof rec[0][0], cmp_u64);
    shuffle(rec[1], HALF, g);
    shuffle(rec[1] + HALF, NREC - HALF, g);
    for (size_t i = 0; i < NREC; i++)              /* each half reversed */
        rec[2][i] = rec[0][i < HALF ? HALF - 1 - i : NREC - 1 - (i - HALF)];
    struct rig r[3];
    for (int k = 0; k < 3; k++) {
        rig_init(&r[k], &f, DAYS, SERVERLOG_IP_FULL, 0, NULL);
        rig_report(&r[k], 1, 14 * DAY, rec[k], HALF, NULL, 0);
        rig_report(&r[k], 2, 28 * DAY, rec[k] + HALF, NREC - HALF, NULL, 0);
    }
    const struct location *w = &r[0].l.where;
    ck_assert_uint_gt(w->npt, NREC / 2);           /* points, not all merged away */
    unsigned seen = 0;
    for (uint32_t u = 0; u < N; u++)
        for (uint64_t i = 0; i < location_count(w, u); i++)
            seen |= 1u << FLAGS(location_get(w, u, i));
    ck_assert_msg((seen & 1u << LOCATION_NIGHT) && (seen & 1u << LOCATION_WORK) && (seen & 1u),
                  "night, work and other points all present (mask %#x)", seen);
    ck_assert(!isnan(metric(&r[0], 2, "home_share")) && metric(&r[0], 2, "home_share") > 0);
    for (int k = 1; k < 3; k++) {
        const struct location *v = &r[k].l.where;
        ck_assert_uint_eq(v->npt, w->npt);
        ck_assert_int_eq(memcmp(v->off, w->off, (N + 1) * sizeof *w->off), 0);
        for (uint32_t u = 0; u < N; u++)
            for (uint64_t i = 0; i < location_count(w, u); i++) {
                struct location_point a = location_get(v, u, i), b = location_get(w, u, i);
                FAST(a.slot == b.slot && a.lat == b.lat && a.lon == b.lon);
            }
        ck_assert_uint_eq(r[k].res.n, r[0].res.n);
        for (size_t i = 0; i < r[0].res.n; i++) {
            const struct results_row *a = &r[0].res.rows[i], *b = &r[k].res.rows[i];
            ck_assert_str_eq(r[k].res.metrics[b->metric], r[0].res.metrics[a->metric]);
            ck_assert_uint_eq(b->acq, a->acq);
            ck_assert_msg(memcmp(&a->value, &b->value, sizeof a->value) == 0, "%s: %.17g vs %.17g",
                          r[0].res.metrics[a->metric], a->value, b->value);
        }
    }
    for (int k = 0; k < 3; k++)
        rig_done(&r[k]);
    gsl_rng_free(g);
    fixture_done(&f);
}
END_TEST

/* ---- what the log keeps ------------------------------------------------- */

/* Every hour of a week for each of 12 people in one UTC region: their
 * record at half past. */
static uint64_t *hourly_records(uint32_t n, uint32_t days, size_t *count)
{
    *count = (size_t)n * days * 24;
    uint64_t *rec = malloc(*count * sizeof *rec);
    ck_assert_ptr_nonnull(rec);
    size_t k = 0;
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t h = 0; h < days * 24; h++)
            rec[k++] = record(u, h * 3600 + 1800);
    return rec;
}

/* More records than the 2^17 a release covers: every one is located (one
 * point an hour, in order), and the pages read are given back (on Linux
 * they read as zeros afterwards; no record is 0). */
START_TEST(test_records_released)
{
    static const char *const tz[1] = { "UTC" };
    enum { N = 40, DAYS = 150 };
    struct fixture f;
    fixture_init(&f, N, tz, 1, 0, DAYS);
    size_t n;
    uint64_t *rec = hourly_records(N, DAYS, &n);
    ck_assert_uint_gt(n, 1u << 17);
    struct rig r;
    rig_init(&r, &f, DAYS, SERVERLOG_IP_FULL, 0, NULL);
    ck_assert_int_eq(locating_report(&r.l, &r.s, 1, DAYS * DAY, rec, n, NULL, 0), 0);
    ck_assert_int_eq(r.s.failed, 0);
    ck_assert_uint_eq(r.l.where.npt, n);
    for (uint32_t u = 0; u < N; u++) {
        ck_assert_uint_eq(location_count(&r.l.where, u), DAYS * 24);
        for (uint32_t h = 0; h < DAYS * 24; h++)
            FAST(SLOT(location_get(&r.l.where, u, h)) == h);
    }
    ck_assert_double_eq(metric(&r, 1, "home_share"), 1);
#ifdef __linux__
    size_t zero = 0;
    for (size_t i = 0; i < (1u << 17); i++)
        zero += rec[i] == 0;
    ck_assert_uint_ge(zero, (1u << 17) - 1024);  /* all but the part of a page at either end */
#endif
    free(rec);
    rig_done(&r);
    fixture_done(&f);
}
END_TEST

/* The IP kept: each record is a point of its own (one an hour), every home
 * and work place found exactly.  The IP dropped: no point at all, so no
 * estimate: the shares are 0, the errors, unicity and co-location
 * precision undefined (NaN), located user-days and co-location pairs 0
 * (docs/metrics.md, "Location metrics"). */
START_TEST(test_ip_dropped)
{
    static const char *const tz[1] = { "UTC" };
    enum { N = 12, DAYS = 7 };
    struct fixture f;
    fixture_init(&f, N, tz, 1, 0, DAYS);
    size_t n;
    uint64_t *rec = hourly_records(N, DAYS, &n);
    struct rig r;
    rig_init(&r, &f, DAYS, SERVERLOG_IP_FULL, 0, NULL);
    rig_report(&r, 1, DAYS * DAY, rec, n, NULL, 0);
    ck_assert_uint_eq(r.l.where.npt, n);
    ck_assert_double_eq(metric(&r, 1, "home_share"), 1);
    ck_assert_double_eq_tol(metric(&r, 1, "home_error_max_km"), 0, 1e-3);
    ck_assert_double_eq(metric(&r, 1, "work_share"), 1);
    ck_assert_double_eq(metric(&r, 1, "user_days_located"), 1);
    rig_done(&r);

    rig_init(&r, &f, DAYS, SERVERLOG_IP_NONE, 0, NULL);
    rig_report(&r, 1, DAYS * DAY, rec, n, NULL, 0);
    ck_assert_uint_eq(r.l.where.npt, 0);
    static const char *const zero[] = { "home_share", "work_share", "user_days_located", "colocation_pairs" };
    static const char *const nan[] = {
        "home_error_median_km", "home_within_1km", "home_within_10km", "home_error_max_km",
        "work_error_median_km", "work_within_1km", "work_within_10km", "work_error_max_km",
        "unicity_1", "unicity_2", "unicity_3", "unicity_4", "unicity_5", "unicity_6", "colocation_precision",
    };
    for (size_t i = 0; i < sizeof zero / sizeof *zero; i++)
        ck_assert_msg(metric(&r, 1, zero[i]) == 0, "%s = %g", zero[i], metric(&r, 1, zero[i]));
    for (size_t i = 0; i < sizeof nan / sizeof *nan; i++)
        ck_assert_msg(isnan(metric(&r, 1, nan[i])), "%s = %g", nan[i], metric(&r, 1, nan[i]));
    rig_done(&r);
    free(rec);
    fixture_done(&f);
}
END_TEST

/* Times dropped (time_resolution="none"): points are undated (slot 0, no
 * night or work flag: the hour is unknown), so each person's distinct
 * places are their points; homes come from all points (docs/model.md,
 * "Server log"), no work place, no co-location (NaN), user_days_located
 * NA. */
START_TEST(test_time_dropped)
{
    static const char *const tz[1] = { "UTC" };
    enum { N = 12, DAYS = 7 };
    struct fixture f;
    fixture_init(&f, N, tz, 1, 0, DAYS);
    size_t n;
    uint64_t *rec = hourly_records(N, DAYS, &n);
    struct rig r;
    rig_init(&r, &f, DAYS, SERVERLOG_IP_FULL, 1, NULL);
    ck_assert_uint_eq(r.p.loc.slot_hours, 24);
    rig_report(&r, 1, DAYS * DAY, rec, n, NULL, 0);
    for (uint32_t u = 0; u < N; u++)               /* home, and work for the workers */
        ck_assert_uint_eq(location_count(&r.l.where, u), u % 2 == 0 ? 2 : 1);
    for (uint32_t u = 0; u < N; u++)
        for (uint64_t i = 0; i < location_count(&r.l.where, u); i++)
            FAST(location_get(&r.l.where, u, i).slot == 0);     /* slot 0, no flag */
    ck_assert_double_eq(metric(&r, 1, "home_share"), 1);
    ck_assert_double_eq(metric(&r, 1, "work_share"), 0);
    ck_assert(isnan(metric(&r, 1, "user_days_located")));
    ck_assert(isnan(metric(&r, 1, "colocation_pairs")));
    ck_assert(isnan(metric(&r, 1, "colocation_precision")));
    rig_done(&r);
    free(rec);
    fixture_done(&f);
}
END_TEST

/* ---- night and work hours ----------------------------------------------- */

/* The adversary's rule, night 23-6 and work 8-18 (not the model's 22-7 and
 * 9-17), in local time: person 0 lives in Tokyo (UTC+9), 1 in London
 * (UTC+0 in January), 2 in New York (UTC-5 in January); run day 0 is
 * Monday 2016-01-04.  One record per UTC hour of two weeks each, at 59
 * minutes past (the point's hour is the record's).  Every point is
 * flagged NIGHT when its local hour is in [23, 24) or [0, 6), else WORK on
 * a local weekday in [8, 18), else nothing; the same UTC hour is work in
 * Tokyo, night in London and Sunday evening in New York. */
START_TEST(test_night_local)
{
    static const char *const tz[3] = { "Asia/Tokyo", "Europe/London", "America/New_York" };
    static const int offset_h[3] = { 9, 0, -5 };
    enum { N = 3, DAYS = 14 };
    struct fixture f;
    fixture_init(&f, N, tz, 3, 0, DAYS);
    uint64_t rec[N * DAYS * 24];
    size_t n = 0;
    for (uint32_t u = 0; u < N; u++)
        for (uint32_t h = 0; h < DAYS * 24; h++)
            rec[n++] = record(u, h * 3600 + 3540);
    struct rig r;
    rig_init(&r, &f, DAYS, SERVERLOG_IP_FULL, 0,
             "<location night_start=\"23\" night_end=\"6\" work_start=\"8\" work_end=\"18\"/>");
    ck_assert_int_eq(r.p.hours.night_start, 23);
    rig_report(&r, 1, DAYS * DAY, rec, n, NULL, 0);
    unsigned count[3] = { 0 };
    for (uint32_t u = 0; u < N; u++) {
        ck_assert_uint_eq(location_count(&r.l.where, u), DAYS * 24);     /* one point an hour */
        for (uint64_t i = 0; i < location_count(&r.l.where, u); i++) {
            const struct location_point x = location_get(&r.l.where, u, i), *pt = &x;
            int local = (int)SLOT(*pt) + offset_h[u] + 24;               /* hours from local 00:00 of day -1 */
            int hour = local % 24, weekday = (local / 24 - 1 + 7) % 7;   /* day 0 is a Monday */
            unsigned want = hour >= 23 || hour < 6 ? LOCATION_NIGHT
                            : weekday < 5 && hour >= 8 && hour < 18 ? LOCATION_WORK : 0;
            if (FLAGS(*pt) != want)
                ck_abort_msg("person %u, hour %u (local %d, weekday %d): flags %u, want %u", u, SLOT(*pt), hour,
                             weekday, FLAGS(*pt), want);
            count[want]++;
        }
    }
    /* Per person, any 336 consecutive hours hold 14 x 7 night hours, and
     * here 10 local workdays' work hours: New York's run covers local
     * Sunday 19:00 to Sunday 18:00; Tokyo's Monday 09:00 (the first
     * workday misses 08:00) to Monday 08:00 (one more); London's is UTC. */
    ck_assert_uint_eq(count[LOCATION_NIGHT], N * DAYS * 7);
    ck_assert_uint_eq(count[LOCATION_WORK], N * 10 * 10);
    /* UTC hour 0 of day 0 (person by person: the first point) */
    ck_assert_uint_eq(FLAGS(location_get(&r.l.where, 0, 0)), LOCATION_WORK);    /* Tokyo, Monday 09:00 */
    ck_assert_uint_eq(FLAGS(location_get(&r.l.where, 1, 0)), LOCATION_NIGHT);   /* London, Monday 00:00 */
    ck_assert_uint_eq(FLAGS(location_get(&r.l.where, 2, 0)), 0);                /* New York, Sunday 19:00 */
    rig_done(&r);
    fixture_done(&f);
}
END_TEST

/* ---- the targets --------------------------------------------------------- */

/* 12 people in one UTC region, targets {0, 1, 2, 3}, person 2 not a client
 * (only clients can be located: had it made lookups, they would not
 * count).  Records, all before day 7: 0 at 23:30 on days 0-6 and 10:30 on
 * days 0-4 (home and work); 1 at 02:30 on days 0-2 (home); 2 at 23:30 on
 * days 0-6 (home, no work, though a worker); 3 none; 5..11 at 23:30 on day
 * 0.  Reported on day 7, over the client targets 0, 1, 3:
 *   target_home_share 2/3 (with 2: 3/4), target_work_share 1/1 (workers 0;
 *   with 2: 1/2), target_user_days_located (7 + 3) / (3 x 7) (with 2:
 *   17/28); errors 0 (Wi-Fi exact).  Over everyone: 11 clients, 9 homes
 *   (0, 1, 5-11).  Without targets: no target_ metric. */
START_TEST(test_targets_clients)
{
    static const char *const tz[1] = { "UTC" };
    enum { N = 12, DAYS = 14 };
    struct fixture f;
    fixture_init(&f, N, tz, 1, 0, DAYS);
    f.flags[2] &= (uint8_t)~POPULATION_CLIENT;
    uint64_t rec[64];
    size_t n = 0;
    for (uint32_t d = 0; d < 7; d++) {
        rec[n++] = record(0, d * DAY + 23 * 3600 + 1800);
        rec[n++] = record(2, d * DAY + 23 * 3600 + 1800);
        if (d < 5)
            rec[n++] = record(0, d * DAY + 10 * 3600 + 1800);
        if (d < 3)
            rec[n++] = record(1, d * DAY + 2 * 3600 + 1800);
    }
    for (uint32_t u = 5; u < N; u++)
        rec[n++] = record(u, 23 * 3600 + 1800);
    static const uint32_t targets[] = { 0, 1, 2, 3 };
    struct rig r;
    rig_init(&r, &f, DAYS, SERVERLOG_IP_FULL, 0, NULL);
    rig_report(&r, 1, 7 * DAY, rec, n, targets, 4);
    ck_assert_double_eq_tol(metric(&r, 1, "target_home_share"), 2.0 / 3, 1e-12);
    ck_assert_double_eq_tol(metric(&r, 1, "target_work_share"), 1, 1e-12);
    ck_assert_double_eq_tol(metric(&r, 1, "target_user_days_located"), 10.0 / 21, 1e-12);
    ck_assert_double_eq_tol(metric(&r, 1, "target_home_error_max_km"), 0, 1e-3);
    ck_assert_double_eq(metric(&r, 1, "target_home_within_1km"), 1);
    ck_assert_double_eq_tol(metric(&r, 1, "home_share"), 9.0 / 11, 1e-12);
    /* a second report without targets: none of the target_ metrics */
    rig_report(&r, 2, 8 * DAY, NULL, 0, NULL, 0);
    for (size_t i = 0; i < r.res.n; i++)
        if (r.res.rows[i].acq == 2)
            ck_assert_msg(strncmp(r.res.metrics[r.res.rows[i].metric], "target_", 7) != 0, "%s reported",
                          r.res.metrics[r.res.rows[i].metric]);
    ck_assert_double_eq_tol(metric(&r, 2, "home_share"), 9.0 / 11, 1e-12);   /* the points stay */
    rig_done(&r);
    fixture_done(&f);
}
END_TEST

/* The metrics of one report, in the order locating.h gives, each once,
 * with the acquisition's number and day: unicity up to unicity_max_k. */
START_TEST(test_report_order)
{
    static const char *const tz[1] = { "UTC" };
    static const char *const want[] = {
        "home_share", "home_error_median_km", "home_within_1km", "home_within_10km", "home_error_max_km",
        "work_share", "work_error_median_km", "work_within_1km", "work_within_10km", "work_error_max_km",
        "user_days_located", "unicity_1", "unicity_2", "unicity_3", "colocation_pairs", "colocation_precision",
        "target_home_share", "target_home_error_median_km", "target_home_within_1km", "target_home_within_10km",
        "target_home_error_max_km", "target_work_share", "target_work_error_median_km", "target_work_within_1km",
        "target_work_within_10km", "target_work_error_max_km", "target_user_days_located",
    };
    enum { N = 6, DAYS = 3 };
    struct fixture f;
    fixture_init(&f, N, tz, 1, 0, DAYS);
    size_t n;
    uint64_t *rec = hourly_records(N, DAYS, &n);
    static const uint32_t targets[] = { 1 };
    struct rig r;
    rig_init(&r, &f, DAYS, SERVERLOG_IP_FULL, 0, "<location unicity_max_k=\"3\"/>");
    r.s.replication = 4;
    rig_report(&r, 3, 2 * DAY + DAY / 2, rec, n, targets, 1);
    ck_assert_uint_eq(r.res.n, sizeof want / sizeof *want);
    for (size_t i = 0; i < r.res.n; i++) {
        ck_assert_str_eq(r.res.metrics[r.res.rows[i].metric], want[i]);
        ck_assert_uint_eq(r.res.rows[i].rep, 4);
        ck_assert_uint_eq(r.res.rows[i].acq, 3);
        ck_assert_double_eq(r.res.rows[i].day, 2.5);
    }
    rig_done(&r);
    free(rec);
    fixture_done(&f);
}
END_TEST

/* ---- configure ------------------------------------------------------------ */

/* Defaults (no <location>): the mobility model's hours, cluster and cell 1
 * km, unicity k to 6 with 1000 probes, 168 co-location hours; hourly
 * points unless the log keeps days or no time. */
START_TEST(test_configure_defaults)
{
    struct serverlog_policy pol = { .retention = DAY, .resolution = 1, .sampling = 1 };
    struct locating_params p;
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(configure(&p, NULL, &pol, &d), 0);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_int_eq(p.hours.night_start, 22);
    ck_assert_int_eq(p.hours.night_end, 7);
    ck_assert_int_eq(p.hours.work_start, 9);
    ck_assert_int_eq(p.hours.work_end, 17);
    ck_assert_double_eq(p.loc.cluster_km, 1);
    ck_assert_double_eq(p.loc.cell_km, 1);
    ck_assert_int_eq(p.unicity_k, 6);
    ck_assert_uint_eq(p.loc.probes, 1000);
    ck_assert_uint_eq(p.loc.coloc_hours, 168);
    ck_assert_uint_eq(p.loc.slot_hours, 1);
    pol.resolution = 3600;
    ck_assert_int_eq(configure(&p, "<location/>", &pol, &d), 0);
    ck_assert_uint_eq(p.loc.slot_hours, 1);
    pol.resolution = 86400;
    ck_assert_int_eq(configure(&p, "<location/>", &pol, &d), 0);
    ck_assert_uint_eq(p.loc.slot_hours, 24);
    pol.resolution = 1, pol.drop_time = 1;
    ck_assert_int_eq(configure(&p, "<location/>", &pol, &d), 0);
    ck_assert_uint_eq(p.loc.slot_hours, 24);
    ck_assert_int_eq(configure(&p, "<location cluster_km=\"2.5\" cell_km=\"0.01\" unicity_max_k=\"1\" "
                                   "unicity_probes=\"100000000\" colocation_hours=\"0\"/>", &pol, &d), 0);
    ck_assert_double_eq(p.loc.cluster_km, 2.5);
    ck_assert_double_eq(p.loc.cell_km, 0.01);
    ck_assert_int_eq(p.unicity_k, 1);
    ck_assert_uint_eq(p.loc.probes, 100000000);
    ck_assert_uint_eq(p.loc.coloc_hours, 0);
    ck_assert_uint_eq(d.n, 0);
    diag_destroy(&d);
}
END_TEST

/* Out-of-bounds values: -1, and a diagnostic at the element's line naming
 * the attribute. */
START_TEST(test_configure_bounds)
{
    static const struct { const char *attrs, *want; } bad[] = {
        { "cluster_km=\"0\"", "l.xml:2: element 'location', attribute 'cluster_km': a radius must be greater than 0" },
        { "cluster_km=\"-1\"", "attribute 'cluster_km'" },
        { "cell_km=\"0.001\"", "attribute 'cell_km': a cell size must be 0.01 to 10000 km" },
        { "cell_km=\"10001\"", "attribute 'cell_km'" },
        { "unicity_max_k=\"0\"", "attribute 'unicity_max_k': k must be 1 to 6" },
        { "unicity_max_k=\"7\"", "attribute 'unicity_max_k'" },
        { "unicity_probes=\"0\"", "attribute 'unicity_probes': must be 1 to 100000000" },
        { "unicity_probes=\"100000001\"", "attribute 'unicity_probes'" },
        { "colocation_hours=\"-1\"", "attribute 'colocation_hours'" },
        { "night_start=\"25\"", "attribute 'night_start': must be an hour from 0 to 24" },
        { "night_end=\"10\"", "hours must satisfy 0 < night_end <= work_start" },
        { "cluster_km=\"x\"", "l.xml:2:" },
    };
    struct serverlog_policy pol = { .retention = DAY, .resolution = 1, .sampling = 1 };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char inner[256];
        snprintf(inner, sizeof inner, "<location %s/>", bad[i].attrs);
        struct locating_params p;
        struct diag d;
        diag_init(&d);
        ck_assert_msg(configure(&p, inner, &pol, &d) == -1, "%s accepted", bad[i].attrs);
        ck_assert_msg(d.n >= 1 && strstr(d.msg[0], bad[i].want), "%s: got '%s', want '%s'", bad[i].attrs,
                      d.n ? d.msg[0] : "(none)", bad[i].want);
        diag_destroy(&d);
    }
}
END_TEST

Suite *locating_suite(void)
{
    Suite *s = suite_create("locating");
    TCase *tc = tcase_create("points");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_order_free);
    tcase_add_test(tc, test_ip_dropped);
    tcase_add_test(tc, test_records_released);
    tcase_add_test(tc, test_time_dropped);
    tcase_add_test(tc, test_night_local);
    tcase_add_test(tc, test_targets_clients);
    tcase_add_test(tc, test_report_order);
    suite_add_tcase(s, tc);
    tc = tcase_create("configure");
    tcase_add_test(tc, test_configure_defaults);
    tcase_add_test(tc, test_configure_bounds);
    suite_add_tcase(s, tc);
    return s;
}
