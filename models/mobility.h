/* mobility — where people are, which network carries their phone's
 * traffic, and where the IP address of a lookup geolocates to.
 *
 * Time is cut into hours (hour h covers [3600 h, 3600 (h + 1)) seconds of
 * the run).  During an hour a person is at one place:
 *
 *   home    at night: local hours [night_start, 24) and [0, night_end);
 *   work    workers, on local workdays (Monday to Friday), local hours
 *           [work_start, work_end);
 *   a trip  at most one a local day, in the day's free time (workers on
 *           workdays: [work_end, night_start); otherwise [night_end,
 *           night_start)), with probability trips@share;
 *   home    otherwise.
 *
 * Trips follow the exploration and preferential return model (Song, Koren,
 * Wang and Barabási, "Modelling the scaling properties of human mobility",
 * Nature Physics 6, 818-823, 2010): a person who has visited S distinct
 * trip places explores a new one with probability rho S^-gamma (always when
 * S = 0), else returns to a visited place i with probability proportional
 * to its visits n_i.  A new place lies at a jump from home of length
 * r in [jump_min_km, jump_max_km] with P(r) ~ r^-(1 + jump_alpha) (a
 * truncated power law, as the paper's jump sizes) in a uniform direction
 * (along the great circle);
 * a trip lasts dt whole hours, dt in [wait_min_hours, wait_max_hours] with
 * P(dt) ~ dt^-(1 + wait_beta) (the paper's waiting times), cut to the free
 * time, and starts uniformly where it fits.  These draws come from the
 * "mobility" random stream, person by person and day by day, so a change of
 * policy or adversary leaves them alone (common random numbers).  The EPR
 * place sequence is stored, one byte per person and local day (0: no trip;
 * at most 255 trip places each: the 255th stays the last explored); the
 * place coordinates and the trip hours are hash functions of (stream key,
 * person, place or day), so they need no storage.
 *
 * Local time: each region has a time zone (an IANA name from the system's
 * time zone database, or UTC, or a fixed offset UTC+hh:mm / UTC-hh:mm).  Day
 * 0 of the run starts at 00:00 UTC on mobility@start_date; the UTC offset of
 * run day d is the zone's offset at 12:00 UTC that day (so a daylight-saving
 * change takes effect from the midnight UTC before it, an error of a few
 * hours on two nights a year).  A person's local time is the local time of
 * their home region, trips included.
 *
 * Network: VPN users (population@vpn_share) send everything through their
 * VPN.  Others are, each hour, on Wi-Fi with the probability of the place
 * (network@wifi_home, wifi_work, wifi_elsewhere), else on cellular.  A Wi-Fi
 * address belongs to (person, place) and changes every wifi_churn_days days
 * (at a phase of its own per person); a cellular address is drawn from the
 * carrier's pool of the home region for every cellular_change_hours block.
 *
 * Geolocation (what an IP-to-location database answers), per network:
 *   Wi-Fi, full address   the place, displaced by an error of mean
 *                         geolocation@wifi_error_km (exponential length,
 *                         uniform direction, fixed per address);
 *   Wi-Fi, /24            the /24 block's point: the centre of the
 *                         block24_km square holding the place, in an
 *                         equal-area grid (rows of block24_km in latitude,
 *                         columns of block24_km at the row's centre
 *                         latitude), displaced by a per-block error of
 *                         the same law;
 *   Wi-Fi, /16            the region's gateway;
 *   cellular              the home region's gateway (region@gateway_lat,
 *                         gateway_lon; default its centre), displaced by a
 *                         per-address error of mean cellular_error_km
 *                         (default 0: exactly the gateway);
 *   VPN                   the person's VPN exit (one of the <vpn_exit>
 *                         points, by a hash of the person), whatever the
 *                         truncation.
 * The IP of a lookup is a function of (person, hour): the log does not need
 * to store its bytes; an acquisition evaluates it for each record it reads,
 * under the log's IP policy (full, truncated to /24 or /16, or dropped).
 *
 * Memory: one byte per person and day (10^6 people, 180 days: 182 MB), plus
 * the regions' offset tables. */
#ifndef EXPOSIM_MOBILITY_H
#define EXPOSIM_MOBILITY_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "cfg.h"
#include "population.h"

enum mobility_place { MOBILITY_HOME, MOBILITY_WORK, MOBILITY_TRIP };
enum mobility_net { MOBILITY_WIFI, MOBILITY_CELLULAR, MOBILITY_VPN };
enum mobility_ip { MOBILITY_IP_FULL, MOBILITY_IP_24, MOBILITY_IP_16, MOBILITY_IP_NONE };

#define MOBILITY_MAX_EXITS 1000

struct mobility_region {
    double lat, lon;                      /* centre */
    double gw_lat, gw_lon;                /* carrier gateway */
    int32_t *offset;                      /* UTC offset (seconds) of each run day, ndays entries */
};

/* Local hours of the daily schedule: night [night_start, 24) and [0,
 * night_end), work [work_start, work_end) on weekdays, with 0 < night_end
 * <= work_start < work_end <= night_start < 24. */
struct mobility_hours {
    int night_start, night_end, work_start, work_end;
};

static inline int mobility_is_night(const struct mobility_hours *h, int hour)
{
    return hour >= h->night_start || hour < h->night_end;
}

/* weekday: 0 = Monday. */
static inline int mobility_is_work(const struct mobility_hours *h, int hour, int weekday)
{
    return weekday < 5 && hour >= h->work_start && hour < h->work_end;
}

/* Read the four hours of element n (attributes night_start, night_end,
 * work_start, work_end; dflt for those absent) and check their order.  0,
 * or -1 with diagnostics through cfg_error.  n may be NULL. */
int mobility_read_hours(struct cfg *c, const struct cfg_node *n, const struct mobility_hours *dflt,
                        struct mobility_hours *out);

struct mobility_params {
    int64_t start_unix;                   /* 00:00 UTC of start_date */
    int start_weekday;                    /* of start_date, 0 = Monday */
    uint32_t horizon_days;
    struct mobility_hours hours;          /* the daily schedule */
    double trip_share, rho, gamma;
    double wait_beta, wait_min_h, wait_max_h;
    double jump_alpha, jump_min_km, jump_max_km;
    double wifi[3];                       /* per enum mobility_place */
    uint32_t churn_days, cell_hours;
    double wifi_error_km, block24_km, cell_error_km;
    struct mobility_region *region;       /* as many as the population's regions */
    uint32_t nregions;
    double (*exit)[2];                    /* VPN exits, lat/lon */
    uint32_t nexits;
};

struct mobility {
    const struct mobility_params *p;
    const struct population *pop;
    uint32_t ndays;                       /* local days -1 .. horizon: horizon + 2 */
    uint8_t *trip;                        /* per person, ndays bytes: place index, 0 = none */
    uint64_t key;                         /* hash key, from the mobility stream */
    uint64_t trips, places;               /* totals, for reports and tests */
    double dt_thr[25];                    /* trip durations: P(dt <= k) for k = 0..24 hours */
};

/* Read <mobility> (and the time zones and gateways of the population's
 * <region>s) for a run of horizon_days.  pop must have regions.  0, or -1
 * with diagnostics through cfg_error. */
int mobility_configure(struct mobility_params *p, struct cfg *c, const struct cfg_node *mob,
                       const struct cfg_node *population, const struct population_params *pp,
                       uint32_t horizon_days);
void mobility_params_destroy(struct mobility_params *p);

/* The UTC offset, seconds, of time zone `tz` at each of ndays days from
 * start_unix (noon UTC); into off[].  0, or -1 when the zone does not exist
 * (message in err). */
int mobility_tz_offsets(const char *tz, int64_t start_unix, uint32_t ndays, int32_t *off, char *err, size_t errlen);

/* Draw the trips of every person (O(N x days)).  pop and p must outlive m.
 * 0 or -1 (OOM). */
int mobility_init(struct mobility *m, const struct mobility_params *p, const struct population *pop, gsl_rng *r);
void mobility_destroy(struct mobility *m);

/* Local time of run time t (seconds) in region g: local day (from the run's
 * day 0; -1 before its first local midnight), hour of day, weekday (0 =
 * Monday). */
struct mobility_local {
    int32_t day;
    int hour, weekday;
};
void mobility_local(const struct mobility_params *p, uint32_t g, int64_t t, struct mobility_local *out);

/* Where person u is during hour h: the place kind, and its point. */
enum mobility_place mobility_where(const struct mobility *m, uint32_t u, uint32_t h, float *lat, float *lon);

/* The network u uses during hour h, and where its address geolocates to
 * under the IP policy ip.  Returns the network, or -1 when ip is
 * MOBILITY_IP_NONE (no point). */
int mobility_geolocate(const struct mobility *m, uint32_t u, uint32_t h, enum mobility_ip ip, float *lat,
                       float *lon);

/* Trip place k (1 .. 255) of person u. */
void mobility_trip_point(const struct mobility *m, uint32_t u, unsigned k, float *lat, float *lon);

/* The last addresses geolocated, for runs of one person's records. */
struct mobility_cache {
    uint64_t wifi_key, cell_key;          /* address keys (UINT64_MAX: none) */
    float wifi[2], cell[2];
};
#define MOBILITY_CACHE_INIT { UINT64_MAX, UINT64_MAX, { 0, 0 }, { 0, 0 } }
/* mobility_geolocate, remembering the last Wi-Fi and cellular address of
 * full IPs in c (same results); lt (may be NULL) gets the local time of
 * hour h in u's region. */
int mobility_geolocate_cached(const struct mobility *m, struct mobility_cache *c, uint32_t u, uint32_t h,
                              enum mobility_ip ip, float *lat, float *lon, struct mobility_local *lt);

/* Great-circle distance, km (haversine, mean Earth radius 6371.0088 km). */
double mobility_km(double lat1, double lon1, double lat2, double lon2);

#endif
