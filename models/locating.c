/* locating — acquired records to points, and the location metrics; see
 * locating.h. */
#include "locating.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sim.h"
#include "sort.h"

int locating_configure(struct locating_params *p, struct cfg *c, const struct cfg_node *n,
                       const struct mobility_hours *model_hours, const struct serverlog_policy *log)
{
    memset(p, 0, sizeof *p);
    location_params_default(&p->loc);
    p->loc.slot_hours = log->resolution > 3600 || log->drop_time ? 24 : 1;
    long k, probes, coloc;
    int rc = mobility_read_hours(c, n, model_hours, &p->hours);
    rc |= cfg_double(c, n, "cluster_km", p->loc.cluster_km, &p->loc.cluster_km);
    rc |= cfg_double(c, n, "cell_km", p->loc.cell_km, &p->loc.cell_km);
    rc |= cfg_long(c, n, "unicity_max_k", 6, &k);
    rc |= cfg_long(c, n, "unicity_probes", p->loc.probes, &probes);
    rc |= cfg_long(c, n, "colocation_hours", p->loc.coloc_hours, &coloc);
    if (rc)
        return -1;
    if (!(p->loc.cluster_km > 0 && isfinite(p->loc.cluster_km)))
        rc = cfg_error(c, n, "cluster_km", "a radius must be greater than 0 (got %g)", p->loc.cluster_km);
    if (!(p->loc.cell_km >= 0.01 && p->loc.cell_km <= 10000))   /* location_init's range */
        rc = cfg_error(c, n, "cell_km", "a cell size must be 0.01 to 10000 km (got %g)", p->loc.cell_km);
    if (k < 1 || k > 6)
        rc = cfg_error(c, n, "unicity_max_k", "k must be 1 to 6 (got %ld)", k);
    if (probes < 1 || probes > 100000000)
        rc = cfg_error(c, n, "unicity_probes", "must be 1 to 100000000 (got %ld)", probes);
    if (coloc < 0 || coloc > 100000000)
        rc = cfg_error(c, n, "colocation_hours", "must be 0 (all) to 100000000 (got %ld)", coloc);
    p->unicity_k = (int)k;
    p->loc.probes = (uint32_t)probes;
    p->loc.coloc_hours = (uint32_t)coloc;
    return rc;
}

int locating_init(struct locating *l, const struct locating_params *p, const struct population *pop,
                  const struct mobility *mob, const struct serverlog *log, int64_t horizon_s, gsl_rng *rng)
{
    memset(l, 0, sizeof *l);
    l->p = p;
    l->pop = pop;
    l->mob = mob;
    l->log = log;
    l->rng = rng;
    if (!(l->locatable = malloc(pop->n ? pop->n : 1))
        || location_init(&l->where, pop->n, (uint32_t)(horizon_s / 3600), &p->loc))
        return -1;
    for (uint32_t u = 0; u < pop->n; u++)
        l->locatable[u] = population_is_client(pop, u) != 0;
    return 0;
}

void locating_destroy(struct locating *l)
{
    if (!l)
        return;
    location_destroy(&l->where);
    free(l->locatable);
    memset(l, 0, sizeof *l);
}

/* The network model's name for what the log keeps of an address. */
static enum mobility_ip mobility_ip_of(enum serverlog_ip ip)
{
    switch (ip) {
    case SERVERLOG_IP_24: return MOBILITY_IP_24;
    case SERVERLOG_IP_16: return MOBILITY_IP_16;
    case SERVERLOG_IP_NONE: return MOBILITY_IP_NONE;
    default: return MOBILITY_IP_FULL;
    }
}

/* Stage each record's point (locating.h): the records sorted in place by
 * (querier, time), then located in that order.  0 or -1 (OOM). */
static int locate_all(struct locating *l, uint64_t *rec, size_t n)
{
    const struct locating_params *p = l->p;
    const struct serverlog *log = l->log;
    if (!n || log->policy.ip == SERVERLOG_IP_NONE)
        return 0;
    unsigned bits = 0;
    while (bits < 32 && ((uint64_t)l->pop->n - 1) >> bits)
        bits++;
    sort_u64_inplace(rec, n, 32 + bits, 32);   /* by (querier, time), no second buffer */
    const uint64_t *sorted = rec;
    enum mobility_ip ip = mobility_ip_of(log->policy.ip);
    struct mobility_cache cache = MOBILITY_CACHE_INIT;
    int rc = 0;
    size_t released = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        /* the records read so far are done with: their whole pages go back
         * to the system as the store grows (1 MiB at a time) */
        if ((i & ((1u << 17) - 1)) == 0 && i) {
            mem_release(rec + released, (i - released) * sizeof *rec);
            released = i;
        }
        uint32_t u = (uint32_t)(sorted[i] >> 32), t = (uint32_t)sorted[i];
        float lat, lon;
        struct mobility_local lt;
        uint32_t hour = serverlog_hour(log, t);
        int net = mobility_geolocate_cached(l->mob, &cache, u, hour, ip, &lat, &lon, &lt);
        if (net < 0)
            continue;
        uint32_t seen = serverlog_time(log, t);
        unsigned flags = net == MOBILITY_WIFI ? 0 : LOCATION_COARSE;
        if (p->loc.slot_hours == 1) {
            if (seen / 3600 != hour)                    /* the hour the record shows (its start) */
                mobility_local(l->mob->p, l->pop->region[u], (int64_t)(seen / 3600) * 3600, &lt);
            if (mobility_is_night(&p->hours, lt.hour))
                flags |= LOCATION_NIGHT;
            else if (mobility_is_work(&p->hours, lt.hour, lt.weekday))
                flags |= LOCATION_WORK;
        }
        uint32_t h = log->policy.drop_time ? 0 : seen / 3600 / p->loc.slot_hours * p->loc.slot_hours;
        rc = location_stage(&l->where, u, h, lat, lon, flags);   /* no time: every point in one slot */
    }
    return rc;
}

static void true_place(const void *ctx, uint32_t u, uint32_t h, float *lat, float *lon)
{
    mobility_where(ctx, u, h, lat, lon);
}

/* The home, work and located-day metrics of m, named with `prefix`
 * ("" or "target_"); user_days_located is NA when the log drops times. */
static void report_places(struct sim *s, uint32_t acq, double day, const char *prefix,
                          const struct location_metrics *m, int no_days)
{
    const struct { const char *name; double v; } row[] = {
        { "home_share", m->home_share },
        { "home_error_median_km", m->home_error_median_km },
        { "home_within_1km", m->home_within_1km },
        { "home_within_10km", m->home_within_10km },
        { "home_error_max_km", m->home_error_max_km },
        { "work_share", m->work_share },
        { "work_error_median_km", m->work_error_median_km },
        { "work_within_1km", m->work_within_1km },
        { "work_within_10km", m->work_within_10km },
        { "work_error_max_km", m->work_error_max_km },
        { "user_days_located", no_days ? NAN : m->user_days_located },
    };
    char name[64];
    for (size_t i = 0; i < sizeof row / sizeof *row; i++) {
        snprintf(name, sizeof name, "%s%s", prefix, row[i].name);
        sim_metric(s, acq, day, name, row[i].v);
    }
}

/* The home, work and user-day metrics over the targets who are clients
 * (the people an investigation is about), as target_*.  0 or -1 (OOM). */
static int report_targets(struct locating *l, struct sim *s, uint32_t acq, int64_t now,
                          struct location_truth *truth, const uint32_t *targets, uint32_t ntargets)
{
    uint8_t *mask = calloc(l->pop->n ? l->pop->n : 1, 1);
    if (!mask)
        return -1;
    for (uint32_t i = 0; i < ntargets; i++)
        mask[targets[i]] = l->locatable[targets[i]];
    truth->locatable = mask;
    struct location_metrics m;
    int rc = location_metrics(&l->where, truth, (uint32_t)(now / 3600), NULL, &m);   /* no samples */
    free(mask);
    if (rc)
        return -1;
    report_places(s, acq, (double)now / SIM_DAY, "target_", &m, l->log->policy.drop_time);
    return 0;
}

int locating_report(struct locating *l, struct sim *s, uint32_t acq, int64_t now, uint64_t *rec, size_t n,
                    const uint32_t *targets, uint32_t ntargets)
{
    const struct population *pop = l->pop;
    struct location_truth truth = { .n = pop->n, .locatable = l->locatable, .home_lat = pop->home_lat,
                                    .home_lon = pop->home_lon, .work_lat = pop->work_lat,
                                    .work_lon = pop->work_lon, .where = true_place, .ctx = l->mob };
    struct location_metrics m;
    if (locate_all(l, rec, n) || location_flush(&l->where)
        || location_metrics(&l->where, &truth, (uint32_t)(now / 3600), l->rng, &m)) {
        sim_fail(s, "out of memory in the location metrics");
        return -1;
    }
    double day = (double)now / SIM_DAY;
    report_places(s, acq, day, "", &m, l->log->policy.drop_time);
    static const char *const uname[6] = { "unicity_1", "unicity_2", "unicity_3", "unicity_4", "unicity_5",
                                          "unicity_6" };
    for (int k = 0; k < l->p->unicity_k; k++)
        sim_metric(s, acq, day, uname[k], m.unicity[k]);
    sim_metric(s, acq, day, "colocation_pairs", m.coloc_pairs);
    sim_metric(s, acq, day, "colocation_precision", m.coloc_precision);
    if (targets && report_targets(l, s, acq, now, &truth, targets, ntargets)) {
        sim_fail(s, "out of memory in the location metrics");
        return -1;
    }
    return 0;
}
