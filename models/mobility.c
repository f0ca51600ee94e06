/* mobility — places, networks and IP geolocation (see mobility.h). */
#define _DEFAULT_SOURCE                   /* tm_gmtoff, setenv */
#include "mobility.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "mix.h"

static const double mobility_pi = 3.14159265358979323846;
#define KM_PER_DEG 111.32

/* ---- counter-based draws ------------------------------------------------ */

enum { TAG_DAY = 1, TAG_TRIPTIME, TAG_PLACE, TAG_NET, TAG_WIFI, TAG_CELL, TAG_VPN, TAG_BLOCK, TAG_PHASE };

/* 64 random bits for (key, a, b, tag). */
static inline uint64_t draw(uint64_t key, uint64_t a, uint64_t b, unsigned tag)
{
    return mix_splitmix64(key ^ mix_splitmix64((a << 8 | tag) ^ mix_splitmix64(b + 0x632be59bd9b4e019ull)));
}

/* A uniform in [0, 1) from 32 bits of x (hi = 1: the upper half). */
static inline double u32(uint64_t x, int hi)
{
    return (double)(uint32_t)(hi ? x >> 32 : x) * 0x1.0p-32;
}

/* Truncated power law on [lo, hi] with P(x) ~ x^-(1 + a), by inversion. */
static double trunc_pareto(double lo, double hi, double a, double u)
{
    if (hi <= lo)
        return lo;
    double l = pow(lo, -a), h = pow(hi, -a);
    return pow(l - u * (l - h), -1 / a);
}

/* The point at d km along the great circle leaving (lat, lon) at bearing th
 * (radians, from north), on a sphere of the mean Earth radius; the
 * longitude wrapped into [-180, 180]. */
static void displace(double lat, double lon, double d, double th, float *olat, float *olon)
{
    double r = mobility_pi / 180, p1 = lat * r, dr = d / 6371.0088;
    double sp1 = sin(p1), cp1 = cos(p1), sd = sin(dr), cd = cos(dr);
    double sp2 = sp1 * cd + cp1 * sd * cos(th);
    sp2 = sp2 > 1 ? 1 : sp2 < -1 ? -1 : sp2;
    double l2 = lon + atan2(sin(th) * sd * cp1, cd - sp1 * sp2) / r;
    l2 = fmod(l2 + 540, 360) - 180;       /* (-180, 180] up to rounding */
    *olat = (float)(asin(sp2) / r);
    *olon = (float)(l2 < -180 ? -180 : l2 > 180 ? 180 : l2);
}

/* An error of exponential length (mean km) and uniform bearing from x's bits. */
static void blur(double lat, double lon, double mean, uint64_t x, float *olat, float *olon)
{
    if (mean <= 0) {
        *olat = (float)lat;
        *olon = (float)lon;
        return;
    }
    displace(lat, lon, -mean * log1p(-u32(x, 0)), 2 * mobility_pi * u32(x, 1), olat, olon);
}

double mobility_km(double lat1, double lon1, double lat2, double lon2)
{
    double r = mobility_pi / 180;
    double dphi = (lat2 - lat1) * r, dl = (lon2 - lon1) * r;
    double s = sin(dphi / 2), t = sin(dl / 2);
    double a = s * s + cos(lat1 * r) * cos(lat2 * r) * t * t;
    return 2 * 6371.0088 * asin(sqrt(a < 1 ? a : 1));
}

/* ---- time zones ----------------------------------------------------------- */

/* Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD" -> days from 1970-01-01; -1 on a malformed or impossible date. */
static int parse_date(const char *s, int64_t *days)
{
    int y, m, d, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || s[n] || n != 10)
        return -1;
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1970 || y > 2100 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        return -1;
    *days = days_from_civil(y, m, d);
    return 0;
}

/* "UTC", "UTC+hh:mm", "UTC-hh" ... -> seconds; 1 if s is not of that form, -1 if malformed. */
static int fixed_offset(const char *s, int32_t *off)
{
    if (strncmp(s, "UTC", 3))
        return 1;
    s += 3;
    if (!*s) {
        *off = 0;
        return 0;
    }
    int sign = *s == '+' ? 1 : *s == '-' ? -1 : 0;
    if (!sign)
        return -1;
    int h = 0, m = 0, n = 0;
    if (sscanf(s + 1, "%2d%n", &h, &n) != 1)
        return -1;
    s += 1 + n;
    if (*s == ':') {
        if (sscanf(s + 1, "%2d%n", &m, &n) != 1 || n != 2)
            return -1;
        s += 1 + n;
    }
    if (*s || h > 14 || m > 59)
        return -1;
    *off = sign * (h * 3600 + m * 60);
    return 0;
}

int mobility_tz_offsets(const char *tz, int64_t start_unix, uint32_t ndays, int32_t *off, char *err, size_t errlen)
{
    int32_t fixed;
    int f = fixed_offset(tz, &fixed);
    if (f == 0) {
        for (uint32_t d = 0; d < ndays; d++)
            off[d] = fixed;
        return 0;
    }
    if (f < 0) {
        snprintf(err, errlen, "malformed UTC offset \"%s\" (UTC, UTC+hh:mm or UTC-hh:mm, at most 14 hours)", tz);
        return -1;
    }
    /* An IANA name: letters, digits, _ + - and / between parts, a file of
     * the system's zone database. */
    size_t len = strlen(tz);
    int ok = len > 0 && len < 200 && tz[0] != '/' && !strstr(tz, "..");
    for (size_t i = 0; ok && i < len; i++) {
        char ch = tz[i];
        ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
             ch == '+' || ch == '-' || ch == '/';
    }
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    char path[512];
    struct stat st;
    if (ok) {
        snprintf(path, sizeof path, "%s/%s", dir, tz);
        ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    }
    if (!ok) {
        snprintf(err, errlen, "time zone \"%s\" does not exist (not a file of %s; the tzdata package provides them)",
                 tz, dir);
        return -1;
    }
    char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    setenv("TZ", tz, 1);
    tzset();
    for (uint32_t d = 0; d < ndays; d++) {
        time_t t = (time_t)(start_unix + (int64_t)d * 86400 + 43200);
        struct tm tm;
        off[d] = localtime_r(&t, &tm) ? (int32_t)tm.tm_gmtoff : 0;
    }
    if (old) {
        setenv("TZ", old, 1);
        free(old);
    } else {
        unsetenv("TZ");
    }
    tzset();
    return 0;
}

/* ---- configuration -------------------------------------------------------- */

int mobility_read_hours(struct cfg *c, const struct cfg_node *n, const struct mobility_hours *dflt,
                        struct mobility_hours *out)
{
    static const char *const name[4] = { "night_start", "night_end", "work_start", "work_end" };
    const int def[4] = { dflt->night_start, dflt->night_end, dflt->work_start, dflt->work_end };
    long v[4];
    int rc = 0;
    for (int i = 0; i < 4; i++) {
        if (cfg_long(c, n, name[i], def[i], &v[i]))
            return -1;
        if (v[i] < 0 || v[i] > 24)
            rc = cfg_error(c, n, name[i], "must be an hour from 0 to 24 (got %ld)", v[i]);
    }
    if (rc)
        return -1;
    if (!(0 < v[1] && v[1] <= v[2] && v[2] < v[3] && v[3] <= v[0] && v[0] < 24))
        return cfg_error(c, n, NULL,
                         "hours must satisfy 0 < night_end <= work_start < work_end <= night_start < 24 "
                         "(got night %ld-%ld, work %ld-%ld)", v[0], v[1], v[2], v[3]);
    *out = (struct mobility_hours){ (int)v[0], (int)v[1], (int)v[2], (int)v[3] };
    return 0;
}

static int prob_attr(struct cfg *c, const struct cfg_node *n, const char *attr, double dflt, double *out)
{
    if (cfg_double(c, n, attr, dflt, out))
        return -1;
    if (!(*out >= 0 && *out <= 1))
        return cfg_error(c, n, attr, "must be a probability, 0 to 1 (got %g)", *out);
    return 0;
}

static int pos_attr(struct cfg *c, const struct cfg_node *n, const char *attr, double dflt, double *out)
{
    if (cfg_double(c, n, attr, dflt, out))
        return -1;
    if (!(*out > 0 && isfinite(*out)))
        return cfg_error(c, n, attr, "must be greater than 0 (got %g)", *out);
    return 0;
}

static int nonneg_attr(struct cfg *c, const struct cfg_node *n, const char *attr, double dflt, double *out)
{
    if (cfg_double(c, n, attr, dflt, out))
        return -1;
    if (!(*out >= 0 && isfinite(*out)))
        return cfg_error(c, n, attr, "must be 0 or more (got %g)", *out);
    return 0;
}

static int coord_attr(struct cfg *c, const struct cfg_node *n, const char *attr, double dflt, double lim,
                      double *out)
{
    if (cfg_double(c, n, attr, dflt, out))
        return -1;
    if (!(*out >= -lim && *out <= lim))
        return cfg_error(c, n, attr, "must be from %g to %g degrees (got %g)", -lim, lim, *out);
    return 0;
}

int mobility_configure(struct mobility_params *p, struct cfg *c, const struct cfg_node *mob,
                       const struct cfg_node *population, const struct population_params *pp,
                       uint32_t horizon_days)
{
    memset(p, 0, sizeof *p);
    p->horizon_days = horizon_days;
    if (!pp->nregions)
        return cfg_error(c, mob, NULL, "mobility needs geography: give the population at least one <region>");
    int rc = 0;
    const char *date = cfg_str(mob, "start_date", "2016-01-04");
    int64_t days;
    if (parse_date(date, &days))
        return cfg_error(c, mob, "start_date", "must be a date YYYY-MM-DD from 1970 to 2100 (got \"%s\")", date);
    p->start_unix = days * 86400;
    p->start_weekday = (int)(((days + 3) % 7 + 7) % 7);
    static const struct mobility_hours schedule = { 22, 7, 9, 17 };
    rc |= mobility_read_hours(c, mob, &schedule, &p->hours);

    const struct cfg_node *tr = cfg_child(mob, "trips");
    rc |= prob_attr(c, tr, "share", 0.5, &p->trip_share);
    rc |= prob_attr(c, tr, "rho", 0.6, &p->rho);
    rc |= nonneg_attr(c, tr, "gamma", 0.21, &p->gamma);
    rc |= pos_attr(c, tr, "wait_beta", 0.8, &p->wait_beta);
    rc |= pos_attr(c, tr, "wait_min_hours", 1, &p->wait_min_h);
    rc |= pos_attr(c, tr, "wait_max_hours", 17, &p->wait_max_h);
    rc |= pos_attr(c, tr, "jump_alpha", 0.55, &p->jump_alpha);
    rc |= pos_attr(c, tr, "jump_min_km", 1, &p->jump_min_km);
    rc |= pos_attr(c, tr, "jump_max_km", 100, &p->jump_max_km);
    if (!rc && p->wait_max_h < p->wait_min_h)
        rc = cfg_error(c, tr, "wait_max_hours", "must be at least wait_min_hours (%g)", p->wait_min_h);
    if (!rc && p->jump_max_km < p->jump_min_km)
        rc = cfg_error(c, tr, "jump_max_km", "must be at least jump_min_km (%g)", p->jump_min_km);
    if (!rc && p->jump_max_km > 20000)
        rc = cfg_error(c, tr, "jump_max_km", "must be at most 20000 km (got %g)", p->jump_max_km);

    const struct cfg_node *net = cfg_child(mob, "network");
    rc |= prob_attr(c, net, "wifi_home", 0.8, &p->wifi[MOBILITY_HOME]);
    rc |= prob_attr(c, net, "wifi_work", 0.6, &p->wifi[MOBILITY_WORK]);
    rc |= prob_attr(c, net, "wifi_elsewhere", 0.2, &p->wifi[MOBILITY_TRIP]);
    long churn, cellh;
    rc |= cfg_long(c, net, "wifi_churn_days", 14, &churn);
    rc |= cfg_long(c, net, "cellular_change_hours", 4, &cellh);
    if (!rc && (churn < 1 || churn > 36500))
        rc = cfg_error(c, net, "wifi_churn_days", "must be 1 to 36500 days (got %ld)", churn);
    if (!rc && (cellh < 1 || cellh > 876000))
        rc = cfg_error(c, net, "cellular_change_hours", "must be 1 to 876000 hours (got %ld)", cellh);
    p->churn_days = (uint32_t)churn;
    p->cell_hours = (uint32_t)cellh;

    const struct cfg_node *geo = cfg_child(mob, "geolocation");
    rc |= nonneg_attr(c, geo, "wifi_error_km", 2, &p->wifi_error_km);
    rc |= pos_attr(c, geo, "block24_km", 10, &p->block24_km);
    rc |= nonneg_attr(c, geo, "cellular_error_km", 0, &p->cell_error_km);
    if (rc)
        return -1;

    /* Regions: time zone and gateway, in the population's order. */
    p->nregions = pp->nregions;
    uint32_t ndays = horizon_days + 2;
    if (!(p->region = calloc(p->nregions, sizeof *p->region)))
        return cfg_error(c, mob, NULL, "out of memory");
    uint32_t k = 0;
    for (const struct cfg_node *r = cfg_child(population, "region"); r && k < p->nregions; r = cfg_next(r)) {
        if (strcmp(cfg_name(r), "region"))
            continue;
        struct mobility_region *g = &p->region[k];
        g->lat = pp->region[k].lat;
        g->lon = pp->region[k].lon;
        k++;
        rc |= coord_attr(c, r, "gateway_lat", g->lat, 90, &g->gw_lat);
        rc |= coord_attr(c, r, "gateway_lon", g->lon, 180, &g->gw_lon);
        if (!(g->offset = malloc(ndays * sizeof *g->offset)))
            return cfg_error(c, r, NULL, "out of memory");
        char err[600];
        if (mobility_tz_offsets(cfg_str(r, "tz", "UTC"), p->start_unix, ndays, g->offset, err, sizeof err))
            rc = cfg_error(c, r, "tz", "%s", err);
    }

    for (const struct cfg_node *e = cfg_child(mob, "vpn_exit"); e; e = cfg_next(e))
        p->nexits += strcmp(cfg_name(e), "vpn_exit") == 0;
    if (p->nexits > MOBILITY_MAX_EXITS)
        return cfg_error(c, mob, NULL, "at most %d <vpn_exit> elements (got %u)", MOBILITY_MAX_EXITS, p->nexits);
    if (!p->nexits) {                     /* the default: one exit in Amsterdam (docs/model.md) */
        if (!(p->exit = malloc(sizeof *p->exit)))
            return cfg_error(c, mob, NULL, "out of memory");
        p->exit[0][0] = 52.37;
        p->exit[0][1] = 4.90;
        p->nexits = 1;
    } else {
        if (!(p->exit = calloc(p->nexits, sizeof *p->exit)))
            return cfg_error(c, mob, NULL, "out of memory");
        k = 0;
        for (const struct cfg_node *e = cfg_child(mob, "vpn_exit"); e; e = cfg_next(e)) {
            if (strcmp(cfg_name(e), "vpn_exit"))
                continue;
            rc |= coord_attr(c, e, "lat", NAN, 90, &p->exit[k][0]);
            rc |= coord_attr(c, e, "lon", NAN, 180, &p->exit[k][1]);
            k++;
        }
    }
    return rc ? -1 : 0;
}

void mobility_params_destroy(struct mobility_params *p)
{
    if (!p)
        return;
    for (uint32_t k = 0; p->region && k < p->nregions; k++)
        free(p->region[k].offset);
    free(p->region);
    free(p->exit);
    memset(p, 0, sizeof *p);
}

/* ---- trips ------------------------------------------------------------------ */

int mobility_init(struct mobility *m, const struct mobility_params *p, const struct population *pop, gsl_rng *r)
{
    memset(m, 0, sizeof *m);
    m->p = p;
    m->pop = pop;
    m->ndays = p->horizon_days + 2;
    m->key = ((uint64_t)(uint32_t)gsl_rng_get(r) << 32) | (uint32_t)gsl_rng_get(r);
    size_t n = (size_t)pop->n * m->ndays;
    uint8_t *visit = malloc(m->ndays);
    if (!(m->trip = calloc(n ? n : 1, 1)) || !visit) {
        free(visit);
        free(m->trip);
        m->trip = NULL;
        return -1;
    }
    /* Trip durations: P(round(w) <= k) = F(k + 1/2), F the law's CDF. */
    for (int k = 0; k < 25; k++) {
        double x = k + 0.5, lo = p->wait_min_h, hi = p->wait_max_h, a = p->wait_beta;
        m->dt_thr[k] = x < lo ? 0 : x >= hi ? 1 : (pow(lo, -a) - pow(x, -a)) / (pow(lo, -a) - pow(hi, -a));
    }
    /* Thresholds on 32-bit draws: a trip when the low word is below it. */
    uint64_t share = (uint64_t)ldexp(p->trip_share, 32);
    double explore[256];                  /* rho S^-gamma, S = 1..255 */
    for (int s = 1; s < 256; s++)
        explore[s] = p->rho * pow(s, -p->gamma);
    for (uint32_t u = 0; u < pop->n; u++) {
        uint8_t *row = m->trip + (size_t)u * m->ndays;
        uint32_t S = 0, nv = 0;
        for (uint32_t d = 0; d < m->ndays; d++) {
            uint64_t x = draw(m->key, u, d, TAG_DAY);
            if ((uint32_t)x >= share)
                continue;
            uint64_t y = mix_splitmix64(x);
            uint8_t place;
            if (S == 0 || (S < 255 && u32(x, 1) < explore[S]))
                place = (uint8_t)++S;
            else                          /* a past visit, uniformly: P(place i) = n_i / visits */
                place = visit[(uint32_t)(((y >> 32) * nv) >> 32)];
            visit[nv++] = place;
            row[d] = place;
            m->trips++;
        }
        m->places += S;
    }
    free(visit);
    return 0;
}

void mobility_destroy(struct mobility *m)
{
    if (!m)
        return;
    free(m->trip);
    memset(m, 0, sizeof *m);
}

/* ---- where and which network ---------------------------------------------- */

static inline int64_t floor_div64(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return q - ((a % b != 0) && ((a < 0) != (b < 0)));
}

void mobility_local(const struct mobility_params *p, uint32_t g, int64_t t, struct mobility_local *out)
{
    int64_t d = floor_div64(t, 86400);
    int64_t nd = (int64_t)p->horizon_days + 2;
    int32_t off = p->region[g].offset[d < 0 ? 0 : d >= nd ? nd - 1 : d];
    int64_t lt = t + off;
    int64_t ld = floor_div64(lt, 86400);
    out->day = (int32_t)ld;
    out->hour = (int)((lt - ld * 86400) / 3600);
    out->weekday = (int)(((p->start_weekday + ld) % 7 + 7) % 7);
}

/* Trip place k (>= 1) of person u: at a truncated power-law jump from home. */
void mobility_trip_point(const struct mobility *m, uint32_t u, unsigned k, float *lat, float *lon)
{
    const struct mobility_params *p = m->p;
    uint64_t x = draw(m->key, u, k, TAG_PLACE);
    double r = trunc_pareto(p->jump_min_km, p->jump_max_km, p->jump_alpha, u32(x, 0));
    displace(m->pop->home_lat[u], m->pop->home_lon[u], r, 2 * mobility_pi * u32(x, 1), lat, lon);
}

/* The kind of place (and trip index, 0 if none) of u at hour h. */
static enum mobility_place place_of(const struct mobility *m, uint32_t u, uint32_t h, unsigned *trip,
                                    struct mobility_local *lt)
{
    const struct mobility_params *p = m->p;
    struct mobility_local l;
    mobility_local(p, m->pop->region[u], (int64_t)h * 3600, &l);
    if (lt)
        *lt = l;
    *trip = 0;
    if (mobility_is_night(&p->hours, l.hour))
        return MOBILITY_HOME;
    int worker = m->pop->flags[u] & POPULATION_WORKER;
    int workday = worker && l.weekday < 5;
    if (worker && mobility_is_work(&p->hours, l.hour, l.weekday))
        return MOBILITY_WORK;
    int64_t di = (int64_t)l.day + 1;
    if (di < 0 || di >= m->ndays)
        return MOBILITY_HOME;
    unsigned k = m->trip[(size_t)u * m->ndays + (size_t)di];
    if (!k)
        return MOBILITY_HOME;
    int bs = workday ? p->hours.work_end : p->hours.night_end, len = p->hours.night_start - bs;
    if (len <= 0 || l.hour < bs)
        return MOBILITY_HOME;
    uint64_t x = draw(m->key, u, (uint64_t)di, TAG_TRIPTIME);
    /* dt = max(1, round(w)) cut to len, w the truncated power law drawn by
     * inversion from the uniform: the uniform against the thresholds
     * F(k + 1/2) gives the same k without a pow() */
    double uw = u32(x, 0);
    int dt = 1;
    while (dt < len && uw >= m->dt_thr[dt])
        dt++;
    int start = bs + (int)(u32(x, 1) * (len - dt + 1));
    if (l.hour < start || l.hour >= start + dt)
        return MOBILITY_HOME;
    *trip = k;
    return MOBILITY_TRIP;
}

static void place_point(const struct mobility *m, uint32_t u, enum mobility_place kind, unsigned trip, float *lat,
                        float *lon)
{
    if (kind == MOBILITY_TRIP) {
        mobility_trip_point(m, u, trip, lat, lon);
    } else if (kind == MOBILITY_WORK) {
        *lat = m->pop->work_lat[u];
        *lon = m->pop->work_lon[u];
    } else {
        *lat = m->pop->home_lat[u];
        *lon = m->pop->home_lon[u];
    }
}

enum mobility_place mobility_where(const struct mobility *m, uint32_t u, uint32_t h, float *lat, float *lon)
{
    unsigned trip;
    enum mobility_place kind = place_of(m, u, h, &trip, NULL);
    place_point(m, u, kind, trip, lat, lon);
    return kind;
}

int mobility_geolocate(const struct mobility *m, uint32_t u, uint32_t h, enum mobility_ip ip, float *lat,
                       float *lon)
{
    return mobility_geolocate_cached(m, NULL, u, h, ip, lat, lon, NULL);
}

int mobility_geolocate_cached(const struct mobility *m, struct mobility_cache *cache, uint32_t u, uint32_t h,
                              enum mobility_ip ip, float *lat, float *lon, struct mobility_local *lt)
{
    const struct mobility_params *p = m->p;
    if (ip == MOBILITY_IP_NONE)
        return -1;
    uint32_t g = m->pop->region[u];
    const struct mobility_region *rg = &p->region[g];
    if (m->pop->flags[u] & POPULATION_VPN) {
        uint32_t e = (uint32_t)((mix_splitmix64(m->key ^ ((uint64_t)u << 8 | TAG_VPN)) >> 32) * p->nexits >> 32);
        *lat = (float)p->exit[e][0];
        *lon = (float)p->exit[e][1];
        if (lt)
            mobility_local(p, g, (int64_t)h * 3600, lt);
        return MOBILITY_VPN;
    }
    unsigned trip;
    enum mobility_place kind = place_of(m, u, h, &trip, lt);
    uint64_t x = draw(m->key, u, h, TAG_NET);
    if (!(u32(x, 0) < p->wifi[kind])) {   /* cellular: the home region's gateway */
        if (ip != MOBILITY_IP_FULL || p->cell_error_km <= 0) {
            *lat = (float)rg->gw_lat;
            *lon = (float)rg->gw_lon;
            return MOBILITY_CELLULAR;
        }
        uint64_t key = (uint64_t)u << 32 | (h / p->cell_hours);
        if (!cache || cache->cell_key != key) {
            float a, b;
            blur(rg->gw_lat, rg->gw_lon, p->cell_error_km, draw(m->key, u, h / p->cell_hours, TAG_CELL), &a, &b);
            if (!cache) {
                *lat = a, *lon = b;
                return MOBILITY_CELLULAR;
            }
            cache->cell_key = key, cache->cell[0] = a, cache->cell[1] = b;
        }
        *lat = cache->cell[0], *lon = cache->cell[1];
        return MOBILITY_CELLULAR;
    }
    if (ip == MOBILITY_IP_16) {
        *lat = (float)rg->gw_lat;
        *lon = (float)rg->gw_lon;
        return MOBILITY_WIFI;
    }
    float plat, plon;
    if (ip == MOBILITY_IP_24) {           /* the block's square of an equal-area grid */
        place_point(m, u, kind, trip, &plat, &plon);
        double b = p->block24_km / KM_PER_DEG, r = mobility_pi / 180;
        int64_t row = (int64_t)floor(plat / b);
        double clat = (row + 0.5) * b;
        clat = clat > 90 ? 90 : clat < -90 ? -90 : clat;
        double c = cos(clat * r);
        c = c > 1e-6 ? c : 1e-6;
        int64_t col = (int64_t)floor(plon * c / b);
        double clon = (col + 0.5) * b / c;
        clon = clon > 180 ? 180 : clon < -180 ? -180 : clon;
        uint64_t cell = ((uint64_t)(uint32_t)row << 32) | (uint32_t)col;
        blur(clat, clon, p->wifi_error_km, draw(m->key, 0, cell, TAG_BLOCK), lat, lon);
        return MOBILITY_WIFI;
    }
    /* A full Wi-Fi address: (person, place, churn epoch). */
    int64_t day = (int64_t)h / 24;
    uint64_t phase = mix_splitmix64(m->key ^ ((uint64_t)u << 8 | TAG_PHASE)) % p->churn_days;
    uint64_t epoch = (uint64_t)(day + (int64_t)phase) / p->churn_days;
    unsigned place = kind == MOBILITY_TRIP ? 1 + trip : (unsigned)kind;
    uint64_t addr = epoch << 9 | place;
    if (cache && cache->wifi_key == ((uint64_t)u << 32 | addr)) {
        *lat = cache->wifi[0], *lon = cache->wifi[1];
        return MOBILITY_WIFI;
    }
    place_point(m, u, kind, trip, &plat, &plon);
    blur(plat, plon, p->wifi_error_km, draw(m->key, u, addr, TAG_WIFI), lat, lon);
    if (cache)
        cache->wifi_key = (uint64_t)u << 32 | addr, cache->wifi[0] = *lat, cache->wifi[1] = *lon;
    return MOBILITY_WIFI;
}
