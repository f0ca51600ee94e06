/* world — the exposure model as the engine sees it: one sim_model_type that
 * wires the model families together for a replication.
 *
 *   population (clients, workers, places) -> contacts (graph, tie
 *   strengths; generated, imported or from a trace) -> traffic
 *   (conversation starts, client cache) -> serverlog (records under
 *   retention) -> adversary (acquisitions) -> inference (knowledge)
 *   -> metrics
 *
 * With a <mobility> element, the mobility model (mobility.h) places
 * every person hour by hour, and each record an acquisition reads is
 * geolocated by the IP its querier used at the lookup's hour: the points
 * feed the location knowledge (location.h), whose metrics follow the graph
 * metrics after every acquisition.
 *
 * Random streams, in order: population, contacts, traffic, mobility,
 * adversary, policy, metrics, location (rng.h; metrics seeds igraph's
 * generator before each community detection, location draws the location
 * metrics' samples, so that they move no other draw). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adversary.h"
#include "contacts.h"
#include "inference.h"
#include "location.h"
#include "metrics.h"
#include "mobility.h"
#include "population.h"
#include "results.h"
#include "serverlog.h"
#include "sim.h"
#include "traffic.h"
#include "world.h"

enum { STREAM_POPULATION, STREAM_CONTACTS, STREAM_TRAFFIC, STREAM_MOBILITY, STREAM_ADVERSARY,
       STREAM_POLICY, STREAM_METRICS, STREAM_LOCATION };
static const char *const world_streams[] = { "population", "contacts", "traffic", "mobility",
                                             "adversary", "policy", "metrics", "location", NULL };

struct world_params {
    struct population_params pop;
    struct contacts_params contacts;
    struct traffic_params traffic;
    struct serverlog_policy log;
    struct adversary_params adv;
    long min_count;                       /* inference@min_count */
    int mobility;                         /* a <mobility> element: places, networks, locations */
    struct mobility_params mob;
    struct location_params loc;
    int unicity_k;                        /* unicity reported for k = 1 .. this */
    struct mobility_hours adv_hours;      /* the adversary's rule for night and work hours */
};

struct world {
    const struct world_params *p;
    struct population pop;
    struct contacts contacts;
    struct traffic traffic;
    struct traffic_cache cache;           /* used when traffic.cache_ttl > 0 */
    struct serverlog log;
    struct knowledge known;
    struct adversary adv;
    uint64_t lookups;                     /* lookups made so far */
    struct mobility mob;                  /* with p->mobility */
    struct location where;
    uint8_t *locatable;                   /* per person: a client */
    uint64_t *acq;                        /* records acquired since the last report: querier << 32 | t */
    size_t nacq, capacq;
    gsl_rng *location_rng;                /* the location metrics' samples */
};

static void world_free_params(void *vp)
{
    struct world_params *p = vp;
    if (!p)
        return;
    adversary_params_free(&p->adv);
    mobility_params_destroy(&p->mob);
    contacts_params_destroy(&p->contacts);
    population_params_destroy(&p->pop);
    free(p);
}

/* <policy>: retention and purge, then what is logged (<logging>). */
static int policy_configure(struct serverlog_policy *p, struct cfg *c, const struct cfg_node *policy)
{
    const struct cfg_node *ret = cfg_child(policy, "retention");
    const struct cfg_node *lg = cfg_child(policy, "logging");
    long days = 0;
    int rc = 0;
    rc |= cfg_long(c, ret, "days", 0, &days);
    rc |= cfg_double(c, lg, "sampling", 1.0, &p->sampling);
    if (rc)
        return -1;
    if (days < 1)
        rc = cfg_error(c, ret, "days", "retention must be at least 1 day (got %ld)", days);
    if (!(p->sampling > 0 && p->sampling <= 1))
        rc = cfg_error(c, lg, "sampling", "must be in (0, 1] (got %g)", p->sampling);
    p->retention = (int64_t)days * 86400;
    const char *purge = cfg_str(ret, "purge", "rolling");
    p->purge_period = strcmp(purge, "daily") == 0 ? 86400 : strcmp(purge, "weekly") == 0 ? 7 * 86400 : 0;
    const char *res = cfg_str(lg, "time_resolution", "second");
    p->resolution = strcmp(res, "hour") == 0 ? 3600 : strcmp(res, "day") == 0 ? 86400 : 1;
    p->drop_time = strcmp(res, "none") == 0;
    p->drop_devices = strcmp(cfg_str(lg, "device_count", "kept"), "dropped") == 0;
    const char *q = cfg_str(lg, "queried_number", "kept");
    p->queried = strcmp(q, "plain_hash") == 0 ? SERVERLOG_QUERIED_PLAIN_HASH
               : strcmp(q, "keyed_hash") == 0 ? SERVERLOG_QUERIED_KEYED_HASH : SERVERLOG_QUERIED_KEPT;
    long rotation = 0;
    if (cfg_long(c, lg, "key_rotation_days", 30, &rotation))
        return -1;
    if (rotation < 1)
        rc = cfg_error(c, lg, "key_rotation_days", "a key rotation of %ld days: it must be at least 1 day",
                       rotation);
    p->key_rotation = (int64_t)rotation * 86400;
    long delay = 0;
    if (cfg_long(c, lg, "delivery_delay_minutes", 0, &delay))
        return -1;
    if (delay < 0 || delay > 36500L * 1440)
        rc = cfg_error(c, lg, "delivery_delay_minutes", "must be 0 to 52560000 (got %ld)", delay);
    p->delay = (int64_t)delay * 60;
    p->drop_querier = strcmp(cfg_str(lg, "querier", "kept"), "dropped") == 0;
    const char *ip = cfg_str(lg, "ip", "full");
    p->ip = strcmp(ip, "truncated_24") == 0 ? MOBILITY_IP_24 : strcmp(ip, "truncated_16") == 0 ? MOBILITY_IP_16
          : strcmp(ip, "dropped") == 0 ? MOBILITY_IP_NONE : MOBILITY_IP_FULL;
    if (strcmp(cfg_str(lg, "private_contact_discovery", "false"), "true") == 0
        || strcmp(cfg_str(lg, "private_contact_discovery", "false"), "1") == 0)
        p->queried = SERVERLOG_QUERIED_NONE;
    return rc;
}

/* <inference><location>: the adversary's rule for night and work hours
 * (default: the mobility model's), and the location metrics' resolution and
 * samples.  n may be NULL (all defaults). */
static int location_configure(struct world_params *p, struct cfg *c, const struct cfg_node *n)
{
    location_params_default(&p->loc);
    p->loc.slot_hours = p->log.resolution > 3600 || p->log.drop_time ? 24 : 1;
    long k, probes, coloc;
    int rc = mobility_read_hours(c, n, &p->mob.hours, &p->adv_hours);
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

static void *world_configure(struct cfg *c, const struct sim_run_params *run)
{
    struct world_params *p = calloc(1, sizeof *p);
    if (!p) {
        diag_add(cfg_diag(c), NULL, 0, "out of memory");
        return NULL;
    }
    const struct cfg_node *root = cfg_root(c);
    const struct cfg_node *tr = cfg_child(root, "traffic");
    int rc = 0;
    if (population_configure(&p->pop, c, cfg_child(root, "population")))
        rc = -1;
    else if (contacts_configure(&p->contacts, c, cfg_child(root, "contacts"), p->pop.n, run->horizon))
        rc = -1;
    if (traffic_configure(&p->traffic, c, tr))
        rc = -1;
    else if (!rc) {
        enum contacts_kind k = p->contacts.kind;
        if (k != CONTACTS_TRACE && !p->traffic.rate_given)
            rc = cfg_error(c, tr, "rate_per_day", "is required unless the contacts come from a <trace>");
        if (p->traffic.lognormal == 2 && !((k == CONTACTS_EDGE_LIST || k == CONTACTS_GRAPHML)
                                           && p->contacts.file->has_weight))
            rc = cfg_error(c, tr, "tie_strength", "'file' needs an <edge_list> or <graphml> whose rows "
                           "carry weights");
        else if (p->traffic.lognormal == 2 && !(p->contacts.file->weight_sum > 0))
            rc = cfg_error(c, tr, "tie_strength", "'file' needs a weight above 0, and every weight of the "
                           "file (self-loops aside) is 0");
    }
    if (policy_configure(&p->log, c, cfg_child(root, "policy")))
        rc = -1;
    enum contacts_kind kind = p->contacts.kind;     /* which graphs carry true communities */
    int64_t communities = rc ? 0 : kind == CONTACTS_SBM ? (int64_t)p->contacts.blocks
                        : kind == CONTACTS_LAYERED || kind == CONTACTS_EDGE_LIST || kind == CONTACTS_GRAPHML ? 0
                        : -1;
    if (cfg_long(c, cfg_child(root, "inference"), "min_count", 1, &p->min_count))
        rc = -1;
    const struct cfg_node *mob = cfg_child(root, "mobility");
    if (mob && !rc) {
        p->mobility = 1;
        if (mobility_configure(&p->mob, c, mob, cfg_child(root, "population"), &p->pop,
                               (uint32_t)(run->horizon / 86400)))
            rc = -1;
        else if (location_configure(p, c, cfg_child(cfg_child(root, "inference"), "location")))
            rc = -1;
        p->log.keep_hour = p->log.resolution > 3600;
    }
    if (adversary_configure(&p->adv, c, cfg_child(root, "adversary"), run->horizon, rc ? 0 : p->contacts.n,
                            communities))
        rc = -1;
    if (rc) {
        world_free_params(p);
        return NULL;
    }
    return p;
}

static void world_destroy(void *vs)
{
    struct world *w = vs;
    if (!w)
        return;
    adversary_destroy(&w->adv);
    if (w->p->mobility) {
        location_destroy(&w->where);
        mobility_destroy(&w->mob);
    }
    free(w->locatable);
    free(w->acq);
    knowledge_destroy(&w->known);
    serverlog_destroy(&w->log);
    traffic_cache_destroy(&w->cache);
    traffic_destroy(&w->traffic);
    contacts_destroy(&w->contacts);
    population_destroy(&w->pop);
    free(w);
}

/* An acquired record is kept as (querier, record time) until the
 * acquisition's report: then the records are sorted by querier (a
 * radix sort, O(records)) and located person by person, so that the
 * per-person state (trips, home, work) is read in address order and the
 * geolocation of an address is computed once for a run of its records. */
static int world_locate(void *ctx, const struct serverlog *log, const struct logrec *r)
{
    struct world *w = ctx;
    (void)log;
    if (w->nacq == w->capacq) {      /* grows by doubling */
        size_t cap = w->capacq ? 2 * w->capacq : 1 << 16;
        uint64_t *a = realloc(w->acq, cap * sizeof *a);
        if (!a)
            return -1;
        w->acq = a;
        w->capacq = cap;
    }
    if (r->querier != SERVERLOG_NO_NUMBER)         /* an address without a person places nobody */
        w->acq[w->nacq++] = (uint64_t)r->querier << 32 | r->t;
    return 0;
}

/* a[0..n) (querier << 32 | time) sorted by querier, stably: an LSD radix
 * sort on the querier's bits, 11 at a time (2048 buckets: the scatter
 * writes to 2048 streams, not to N places at random).  Returns a new
 * array (a is left scrambled) or NULL (OOM). */
static uint64_t *world_sort_by_person(uint64_t *a, size_t n, uint32_t people)
{
    enum { BITS = 11, BUCKETS = 1 << BITS };
    uint64_t *b = malloc(n * sizeof *b);
    if (!b)
        return NULL;
    unsigned bits = 0;
    while (bits < 32 && ((uint64_t)people - 1) >> bits)
        bits++;
    uint64_t *src = a, *dst = b;
    for (unsigned shift = 32; shift < 32 + bits; shift += BITS) {
        size_t count[BUCKETS] = { 0 };
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & (BUCKETS - 1)]++;
        size_t sum = 0;
        for (size_t k = 0; k < BUCKETS; k++) {
            size_t c = count[k];
            count[k] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & (BUCKETS - 1)]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src == a) {                       /* an even number of passes: the result is in a */
        memcpy(b, a, n * sizeof *b);
    }
    return b;
}

/* Each kept record's point: the querier's IP at the lookup's hour,
 * geolocated under the log's IP policy, at the time the record shows,
 * classified by the adversary's rule in the local time of the querier's
 * home region (the adversary reads it from the number's area code), and
 * flagged coarse when the address is a carrier's or a VPN's (which
 * connection-type databases tell). */
static int world_locate_all(struct world *w)
{
    const struct world_params *p = w->p;
    const struct serverlog *log = &w->log;
    size_t n = w->nacq;
    w->nacq = 0;
    if (!n || log->policy.ip == MOBILITY_IP_NONE)
        return 0;
    uint64_t *sorted = world_sort_by_person(w->acq, n, w->pop.n);
    if (!sorted)
        return -1;
    struct mobility_cache cache = MOBILITY_CACHE_INIT;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t u = (uint32_t)(sorted[i] >> 32), t = (uint32_t)sorted[i];
        float lat, lon;
        struct mobility_local l;
        uint32_t hour = serverlog_hour(log, t);
        int net = mobility_geolocate_cached(&w->mob, &cache, u, hour, (enum mobility_ip)log->policy.ip, &lat, &lon,
                                            &l);
        if (net < 0)
            continue;
        uint32_t seen = serverlog_time(log, t);
        unsigned flags = net == MOBILITY_WIFI ? 0 : LOCATION_COARSE;
        if (p->loc.slot_hours == 1) {
            if (seen / 3600 != hour)                    /* the hour the record shows (its start) */
                mobility_local(&p->mob, w->pop.region[u], (int64_t)(seen / 3600) * 3600, &l);
            if (mobility_is_night(&p->adv_hours, l.hour))
                flags |= LOCATION_NIGHT;
            else if (mobility_is_work(&p->adv_hours, l.hour, l.weekday))
                flags |= LOCATION_WORK;
        }
        uint32_t h = log->policy.drop_time ? 0 : seen / 3600 / p->loc.slot_hours * p->loc.slot_hours;
        rc = location_stage(&w->where, u, h, lat, lon, flags);   /* no time: every point in one slot */
    }
    free(sorted);
    return rc;
}

static void world_where(const void *ctx, uint32_t u, uint32_t h, float *lat, float *lon)
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

/* With targets: the home, work and user-day metrics over the targets who
 * are clients (the people an investigation is about), as target_*. */
static int world_report_target_locations(struct world *w, struct sim *s, uint32_t acq, int64_t now,
                                         struct location_truth *truth)
{
    uint8_t *mask = calloc(w->pop.n, 1);
    if (!mask) {
        sim_fail(s, "out of memory in the location metrics");
        return -1;
    }
    for (uint32_t i = 0; i < w->adv.ntargets; i++)
        mask[w->adv.targets[i]] = w->locatable[w->adv.targets[i]];
    truth->locatable = mask;
    struct location_metrics m;
    int rc = location_metrics(&w->where, truth, (uint32_t)(now / 3600), NULL, &m);   /* no samples */
    free(mask);
    if (rc) {
        sim_fail(s, "out of memory in the location metrics");
        return -1;
    }
    report_places(s, acq, (double)now / SIM_DAY, "target_", &m, w->log.policy.drop_time);
    return 0;
}

/* The location metrics after an acquisition (docs/metrics.md). */
static int world_report_location(void *ctx, struct sim *s, uint32_t acq, int64_t now)
{
    struct world *w = ctx;
    const struct world_params *p = w->p;
    struct location_truth truth = { .n = w->pop.n, .locatable = w->locatable, .home_lat = w->pop.home_lat,
                                    .home_lon = w->pop.home_lon, .work_lat = w->pop.work_lat,
                                    .work_lon = w->pop.work_lon, .where = world_where, .ctx = &w->mob };
    struct location_metrics m;
    if (world_locate_all(w) || location_flush(&w->where)
        || location_metrics(&w->where, &truth, (uint32_t)(now / 3600), w->location_rng, &m)) {
        sim_fail(s, "out of memory in the location metrics");
        return -1;
    }
    double day = (double)now / SIM_DAY;
    report_places(s, acq, day, "", &m, w->log.policy.drop_time);
    static const char *const uname[6] = { "unicity_1", "unicity_2", "unicity_3", "unicity_4", "unicity_5",
                                          "unicity_6" };
    for (int k = 0; k < p->unicity_k; k++)
        sim_metric(s, acq, day, uname[k], m.unicity[k]);
    sim_metric(s, acq, day, "colocation_pairs", m.coloc_pairs);
    sim_metric(s, acq, day, "colocation_precision", m.coloc_precision);
    return w->adv.targets ? world_report_target_locations(w, s, acq, now, &truth) : 0;
}

static int world_init_mobility(struct sim *s, struct world *w)
{
    const struct world_params *p = w->p;
    if (!(w->locatable = malloc(w->pop.n)) || mobility_init(&w->mob, &p->mob, &w->pop, sim_rng(s, STREAM_MOBILITY))
        || location_init(&w->where, w->pop.n, (uint32_t)(s->run.horizon / 3600), &p->loc)) {
        sim_fail(s, "out of memory for the mobility model (N = %u, %u days)", p->pop.n, p->mob.horizon_days);
        world_destroy(w);
        return -1;
    }
    for (uint32_t u = 0; u < w->pop.n; u++)
        w->locatable[u] = population_is_client(&w->pop, u) != 0;
    w->adv.on_record = world_locate;
    w->adv.on_report = world_report_location;
    w->adv.hook_ctx = w;
    return 0;
}

static void *world_init(struct sim *s, const void *vp)
{
    const struct world_params *p = vp;
    struct world *w = calloc(1, sizeof *w);
    if (!w) {
        sim_fail(s, "out of memory");
        return NULL;
    }
    w->p = p;
    /* Each family draws from its own stream, so the graph and the traffic do
     * not depend on the policy or the adversary (common random numbers). */
    const struct graph *g = &w->contacts.g;
    if (population_init(&w->pop, &p->pop, sim_rng(s, STREAM_POPULATION))
        || contacts_generate(&w->contacts, &p->contacts, w->pop.flags, POPULATION_WORKER, sim_rng(s, STREAM_CONTACTS))
        || traffic_init(&w->traffic, g, p->traffic.rate_per_day, sim_rng(s, STREAM_TRAFFIC))
        || (p->traffic.cache_ttl && traffic_cache_init(&w->cache, g, p->traffic.cache_ttl))
        || serverlog_init_policy(&w->log, &p->log, sim_rng(s, STREAM_POLICY))
        || knowledge_init(&w->known, g)
        || knowledge_set_min_count(&w->known, (uint32_t)p->min_count)) {
        sim_fail(s, "out of memory building the world (N = %u)", p->pop.n);
        world_destroy(w);
        return NULL;
    }
    /* Tie strengths come from the contacts stream, after the graph. */
    int ties = 0;
    if (p->traffic.lognormal == 1)
        ties = contacts_tie_lognormal(&w->contacts, p->traffic.rate_per_day, p->traffic.sigma,
                                      sim_rng(s, STREAM_CONTACTS)) ? -1 : 1;
    else if (p->traffic.lognormal == 2)
        ties = contacts_tie_file(&w->contacts, p->traffic.rate_per_day) ? -1 : 1;
    if (ties && (ties < 0 || traffic_set_weights(&w->traffic, w->contacts.weight))) {
        sim_fail(s, "out of memory for the tie strengths (N = %u)", p->pop.n);
        world_destroy(w);
        return NULL;
    }
    if (p->contacts.kind == CONTACTS_TRACE)
        traffic_set_trace(&w->traffic, &p->contacts.trace);
    if (p->traffic.profiled)
        traffic_set_profile(&w->traffic, p->traffic.hourly, p->traffic.weekly);
    traffic_set_noncontact(&w->traffic, p->traffic.noncontact_per_day);
    /* Without non-contact lookups every lookup is of a contact (a replayed
     * trace's pairs are the graph, but the promise is kept to the synthetic
     * traffic), and every number the adversary reads is the one looked up
     * or none: the knowledge may pass pairs of fully found rows. */
    if (!(p->traffic.noncontact_per_day > 0) && p->contacts.kind != CONTACTS_TRACE)
        knowledge_set_contacts_only(&w->known);
    traffic_set_groups(&w->traffic, p->traffic.group_share, p->traffic.group_size);
    traffic_set_devices(&w->traffic, p->traffic.device_per_year / 365.0);
    if (w->pop.clients < w->pop.n)            /* only clients look up */
        traffic_set_clients(&w->traffic, w->pop.flags, POPULATION_CLIENT);
    char err[256];
    if (adversary_init(&w->adv, &p->adv, g, w->contacts.labels, sim_rng(s, STREAM_ADVERSARY), err, sizeof err)) {
        sim_fail(s, "%s", err);
        world_destroy(w);
        return NULL;
    }
    w->adv.metrics.rng = sim_rng(s, STREAM_METRICS);   /* seeds community detection */
    w->adv.devices = w->pop.devices;
    w->location_rng = sim_rng(s, STREAM_LOCATION);
    if (p->mobility && world_init_mobility(s, w))
        return NULL;
    if (adversary_start(&w->adv, s)) {
        world_destroy(w);
        return NULL;
    }
    return w;
}

/* The one-screen summary `exposim run` prints before the run: the
 * population and the generated graph (graph_stats: O(m sqrt m)). */
/* Log one lookup; a running pen-register term receives the record as it is
 * logged.  0, or -1 (out of memory). */
static int deliver_written(struct world *w, uint64_t before)
{
    for (uint64_t i = w->log.appended - before; i > 0; i--)   /* oldest first */
        if (adversary_deliver_(&w->adv, &w->log, serverlog_recent(&w->log, i), &w->known))
            return -1;
    return 0;
}

__attribute__((always_inline)) static inline int world_log(struct world *w, uint32_t t, uint32_t a, uint32_t b)
{
    uint64_t before = w->log.appended;
    if (serverlog_append(&w->log, t, a, b))
        return -1;
    if (w->adv.live && w->log.appended != before)
        return deliver_written(w, before);
    return 0;
}

/* With a delivery delay: the batches due by `now` are written (and a
 * running pen-register term receives them) before the adversary acts. */
static int world_write_due(struct world *w, int64_t now)
{
    uint64_t before = w->log.appended;
    if (serverlog_write_due(&w->log, now))
        return -1;
    if (w->adv.live && w->log.appended != before)
        return deliver_written(w, before);
    return 0;
}

static void world_describe(const void *vs, void *stream)
{
    const struct world *w = vs;
    const struct contacts *ct = &w->contacts;
    const struct graph *g = &ct->g;
    fprintf(stream, "population: N = %u, %u clients (%.1f%%), %u workers", w->pop.n, w->pop.clients,
            100.0 * w->pop.clients / w->pop.n, w->pop.workers);
    if (w->p->pop.vpn_share > 0)
        fprintf(stream, ", %u on a VPN", w->pop.vpns);
    if (w->pop.region)
        fprintf(stream, ", %u region%s (homes and work places drawn)", w->p->pop.nregions,
                w->p->pop.nregions == 1 ? "" : "s");
    fprintf(stream, "\n");
    struct graph_stats st;
    if (graph_stats(g, &st)) {
        fprintf(stream, "contacts: %llu edges (out of memory for the statistics)\n",
                (unsigned long long)g->m);
        return;
    }
    fprintf(stream, "contacts (%s): %llu edges, mean degree %.3f, max %u, %u without contacts\n",
            contacts_kind_name(w->p->contacts.kind), (unsigned long long)g->m, st.mean_degree,
            st.max_degree, st.isolated);
    fprintf(stream, "  clustering %.4f (transitivity %.4f), %u components, largest %u (%.1f%%)\n",
            st.avg_clustering, st.transitivity, st.components, st.largest_component,
            100.0 * st.largest_component / g->n);
    if (ct->self_loops || ct->duplicates)
        fprintf(stream, "  built as a simple graph: %llu self-loops erased, %llu repeated pairs merged\n",
                (unsigned long long)ct->self_loops, (unsigned long long)ct->duplicates);
    const struct contacts_params *cp = &w->p->contacts;
    if (cp->file) {
        fprintf(stream, "  read from a file: %u people named, %zu rows%s", cp->file->nodes.n, cp->file->n,
                cp->file->has_weight ? ", with weights" : "");
        if (cp->file->label)
            fprintf(stream, ", %u communities labelled", cp->file->labels.n);
        fprintf(stream, "\n");
    }
    if (cp->kind == CONTACTS_TRACE)
        fprintf(stream, "  trace: %zu messages replayed, second 0 = unix time %lld; not replayed: %zu before "
                "it, %zu at or after the horizon, %zu to the sender itself\n", cp->trace.n,
                (long long)cp->trace.start_unix, cp->trace.before, cp->trace.after, cp->trace.self);
    if (ct->odd_fixed)
        fprintf(stream, "  the degree sum was odd: person %llu's degree was changed by 1 to make it even\n",
                (unsigned long long)(ct->odd_fixed - 1));
}

static void world_slice(struct sim *s, void *vs, sim_time start, sim_time end)
{
    struct world *w = vs;
    if (traffic_slice(&w->traffic, sim_batch(s), start, end))
        sim_fail(s, "out of memory generating day %lld's traffic", (long long)(start / SIM_DAY));
}

/* A's device changed at t: its cache empties; with re-look-up on, it looks
 * up every contact at once (each refreshing the new cache).  Returns the
 * lookups made, or -1 after sim_fail. */
static int64_t world_device(struct sim *s, struct world *w, uint32_t a, uint32_t t)
{
    const struct graph *g = &w->contacts.g;
    if (w->cache.last)
        traffic_cache_clear(&w->cache, a);
    if (!w->p->traffic.device_relookup)
        return 0;
    for (uint64_t j = g->off[a]; j < g->off[a + 1]; j++) {
        if (w->cache.last)
            w->cache.last[j] = t + 1;
        if (world_log(w, t, a, g->adj[j])) {
            sim_fail(s, "out of memory in the server log");
            return -1;
        }
    }
    return (int64_t)graph_degree(g, a);
}

static void world_handle(struct sim *s, void *vs, const struct sim_event *ev)
{
    struct world *w = vs;
    switch (ev->kind) {
    case TRAFFIC_EV_START:                      /* a lookup unless the cache answers */
        if (w->cache.last && !traffic_cache_lookup(&w->cache, ev->a, ev->b, (uint32_t)ev->time))
            break;
        w->lookups++;
        if (world_log(w, (uint32_t)ev->time, ev->a, ev->b))
            sim_fail(s, "out of memory in the server log");
        break;
    case TRAFFIC_EV_DEVICE: {
        int64_t made = world_device(s, w, ev->a, (uint32_t)ev->time);
        if (made > 0)
            w->lookups += (uint64_t)made;
        break;
    }
    case ADVERSARY_EV_ACQUIRE:
        if (world_write_due(w, ev->time)) {
            sim_fail(s, "out of memory in the server log");
            break;
        }
        if (adversary_acquire(&w->adv, s, ev->a, &w->log, &w->known, sim_rng(s, STREAM_ADVERSARY)) == 0) {
            sim_metric(s, w->adv.acquisitions, (double)ev->time / SIM_DAY, "lookups", (double)w->lookups);
            if (w->log.policy.queried == SERVERLOG_QUERIED_KEYED_HASH)
                metrics_report_reid(s, w->adv.acquisitions, ev->time, &w->known, &w->log);
        }
        break;
    case ADVERSARY_EV_ORDER_START:
        if (world_write_due(w, ev->time))               /* written before the order runs */
            sim_fail(s, "out of memory in the server log");
        else
            adversary_order_start(&w->adv, s, ev->a);
        break;
    default:
        sim_fail(s, "internal error: unknown event kind %u", ev->kind);
    }
}

/* The run path with a client cache or device changes: as below, each start
 * first asks the cache (when there is one). */
static size_t handle_run_cached(struct sim *s, struct world *w, const struct batch_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (e[i].kind == TRAFFIC_EV_DEVICE) {
            int64_t made = world_device(s, w, e[i].a, e[i].time);
            if (made < 0)
                return i + 1;
            w->lookups += (uint64_t)made;
            continue;
        }
        if (e[i].kind != TRAFFIC_EV_START) {
            sim_fail(s, "internal error: unexpected batch event kind %u", e[i].kind);
            return i + 1;
        }
        if (w->cache.last && !traffic_cache_lookup(&w->cache, e[i].a, e[i].b, e[i].time))
            continue;
        w->lookups++;
        if (world_log(w, e[i].time, e[i].a, e[i].b)) {
            sim_fail(s, "out of memory in the server log");
            return i + 1;
        }
    }
    return n;
}

/* The run fast path: only conversation starts come in batches, and they
 * schedule nothing, so the whole run is handled. */
static size_t world_handle_run(struct sim *s, void *vs, const struct batch_entry *e, size_t n)
{
    struct world *w = vs;
    if (w->cache.last || w->p->traffic.device_per_year > 0)
        return handle_run_cached(s, w, e, n);
    if (w->adv.live) {                          /* every record goes to the running order as it comes */
        for (size_t i = 0; i < n; i++) {
            if (e[i].kind != TRAFFIC_EV_START) {
                sim_fail(s, "internal error: unexpected batch event kind %u", e[i].kind);
                return i + 1;
            }
            if (world_log(w, e[i].time, e[i].a, e[i].b)) {
                sim_fail(s, "out of memory in the server log");
                return i + 1;
            }
        }
    } else {
        for (size_t i = 0; i < n; i++)
            if (e[i].kind != TRAFFIC_EV_START) {
                sim_fail(s, "internal error: unexpected batch event kind %u", e[i].kind);
                return i + 1;
            }
        if (serverlog_append_run(&w->log, &e[0].time, &e[0].a, &e[0].b, sizeof *e / sizeof e[0].time, n)) {
            sim_fail(s, "out of memory in the server log");
            return n;
        }
    }
    w->lookups += n;
    return n;
}

static void world_finish(struct sim *s, void *vs)
{
    (void)s, (void)vs;                          /* every metric is reported per acquisition */
}

/* `exposim generate`: population.csv (id, degree, client, worker, vpn,
 * community, region, home and work points), edges.csv (source, target[, weight]) and, on request,
 * graph.graphml, all staged for one atomic commit by the caller. */
static int world_generate(void *vs, void *staged, int graphml, struct diag *d)
{
    const struct world *w = vs;
    const struct graph *g = &w->contacts.g;
    uint32_t *client = malloc(((size_t)g->n ? g->n : 1) * sizeof *client);
    uint32_t *worker = malloc(((size_t)g->n ? g->n : 1) * sizeof *worker);
    uint32_t *vpn = malloc(((size_t)g->n ? g->n : 1) * sizeof *vpn);
    int rc = -1;
    if (!client || !worker || !vpn) {
        diag_add(d, NULL, 0, "out of memory");
        goto cleanup;
    }
    for (uint32_t a = 0; a < g->n; a++) {
        client[a] = (w->pop.flags[a] & POPULATION_CLIENT) != 0;
        worker[a] = (w->pop.flags[a] & POPULATION_WORKER) != 0;
        vpn[a] = (w->pop.flags[a] & POPULATION_VPN) != 0;
    }
    struct graphio_out out = { .n = g->n, .off = g->off, .adj = g->adj,
                               .weight = w->traffic.rate ? w->contacts.weight : NULL,
                               .ncols = 3, .col = { "client", "worker", "vpn" }, .val = { client, worker, vpn } };
    if (w->contacts.labels) {
        out.col[out.ncols] = "community";
        out.val[out.ncols++] = w->contacts.labels;
    }
    if (w->pop.region) {
        out.col[out.ncols] = "region";
        out.val[out.ncols++] = w->pop.region;
        out.nfcols = 4;
        out.fcol[0] = "home_lat", out.fval[0] = w->pop.home_lat;
        out.fcol[1] = "home_lon", out.fval[1] = w->pop.home_lon;
        out.fcol[2] = "work_lat", out.fval[2] = w->pop.work_lat;
        out.fcol[3] = "work_lon", out.fval[3] = w->pop.work_lon;
    }
    struct results_staged *st = staged;
    if (results_stage_file(st, "population.csv", graphio_fill_nodes_csv, &out, d)
        || results_stage_file(st, "edges.csv", graphio_fill_edges_csv, &out, d)
        || (graphml && results_stage_file(st, "graph.graphml", graphio_fill_graphml, &out, d)))
        goto cleanup;
    rc = 0;
cleanup:
    free(client);
    free(worker);
    free(vpn);
    return rc;
}

const struct sim_model_type world_model = {
    .name = "scenario",
    .streams = world_streams,
    .configure = world_configure,
    .free_params = world_free_params,
    .describe = world_describe,
    .init = world_init,
    .slice = world_slice,
    .handle = world_handle,
    .handle_run = world_handle_run,
    .finish = world_finish,
    .destroy = world_destroy,
    .generate = world_generate,
};

