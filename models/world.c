/* world — the composition root: the exposure model as the engine runs it
 * (one sim_model_type).  It configures each model family from its own part
 * of the scenario, wires the families together for a replication,
 * dispatches the events, and after each acquisition asks each family to
 * report its metrics, from one place (world_report).  Nothing else: every
 * computation lives in a family's file.
 *
 *   population -> contacts (graph, tie strengths) -> traffic (conversation
 *   starts, the client cache) -> serverlog (records under the policy) ->
 *   adversary (acquisitions) -> knowledge (the rebuilt graph) -> metrics;
 *   with <mobility>: mobility (places, networks) and the records the
 *   adversary keeps -> locating (points, location metrics)
 *
 * Families and their reports, in the order they report: metrics (the
 * graph), locating (the locations), traffic (lookups), reid (pseudonyms).
 *
 * Random streams, in order: population, contacts, traffic, mobility,
 * adversary, policy, metrics, location (rng.h; metrics seeds igraph's
 * generator before each community detection, location draws the location
 * metrics' samples, so that they move no other draw).  Each family draws
 * from its own stream, so the graph and the traffic do not depend on the
 * policy or the adversary (common random numbers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adversary.h"
#include "contacts.h"
#include "export.h"
#include "knowledge.h"
#include "locating.h"
#include "metrics.h"
#include "mobility.h"
#include "population.h"
#include "reid.h"
#include "serverlog.h"
#include "sim.h"
#include "traffic.h"
#include "world.h"

enum { STREAM_POPULATION, STREAM_CONTACTS, STREAM_TRAFFIC, STREAM_MOBILITY, STREAM_ADVERSARY,
       STREAM_POLICY, STREAM_METRICS, STREAM_LOCATION };
static const char *const world_streams[] = { "population", "contacts", "traffic", "mobility",
                                             "adversary", "policy", "metrics", "location", NULL };

/* Each family's parameters, as its configure read them. */
struct world_params {
    struct population_params pop;
    struct contacts_params contacts;
    struct traffic_params traffic;
    struct serverlog_policy log;
    struct knowledge_params known;
    struct adversary_params adv;
    int mobility;                         /* a <mobility> element: places, networks, locations */
    struct mobility_params mob;
    struct locating_params loc;
};

/* One replication: each family's state. */
struct world {
    const struct world_params *p;
    struct population pop;
    struct contacts contacts;
    struct traffic traffic;
    struct serverlog log;
    struct adversary adv;
    struct knowledge known;
    struct metrics metrics;
    struct mobility mob;                  /* with p->mobility */
    struct locating loc;                  /* with p->mobility */
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

static void *world_configure(struct cfg *c, const struct sim_run_params *run)
{
    struct world_params *p = calloc(1, sizeof *p);
    if (!p) {
        diag_add(cfg_diag(c), NULL, 0, "out of memory");
        return NULL;
    }
    const struct cfg_node *root = cfg_root(c);
    const struct cfg_node *tr = cfg_child(root, "traffic");
    const struct cfg_node *inference = cfg_child(root, "inference");
    int rc = 0;
    if (population_configure(&p->pop, c, cfg_child(root, "population")))
        rc = -1;
    else if (contacts_configure(&p->contacts, c, cfg_child(root, "contacts"), p->pop.n, run->horizon))
        rc = -1;
    if (traffic_configure(&p->traffic, c, tr))
        rc = -1;
    else if (!rc && traffic_check_contacts(&p->traffic, &p->contacts, c, tr))
        rc = -1;
    if (serverlog_configure(&p->log, c, cfg_child(root, "policy")))
        rc = -1;
    int64_t communities = rc ? 0 : contacts_communities(&p->contacts);
    if (knowledge_configure(&p->known, c, inference))
        rc = -1;
    const struct cfg_node *mob = cfg_child(root, "mobility");
    if (mob && !rc) {
        p->mobility = 1;
        if (mobility_configure(&p->mob, c, mob, cfg_child(root, "population"), &p->pop,
                               (uint32_t)(run->horizon / 86400)))
            rc = -1;
        else if (locating_configure(&p->loc, c, cfg_child(inference, "location"), &p->mob.hours, &p->log))
            rc = -1;
        p->log.keep_hour = p->log.resolution > 3600;      /* the network model reads each record's hour */
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
    locating_destroy(&w->loc);
    mobility_destroy(&w->mob);
    metrics_destroy(&w->metrics);
    adversary_destroy(&w->adv);
    knowledge_destroy(&w->known);
    serverlog_destroy(&w->log);
    traffic_destroy(&w->traffic);
    contacts_destroy(&w->contacts);
    population_destroy(&w->pop);
    free(w);
}

/* The traffic's options, the tie strengths (drawn from the contacts
 * stream, after the graph) and who looks up.  0, or -1 (OOM). */
static int wire_traffic(struct sim *s, struct world *w)
{
    const struct world_params *p = w->p;
    const struct traffic_params *tp = &p->traffic;
    int ties = 0;
    if (tp->lognormal == 1)
        ties = contacts_tie_lognormal(&w->contacts, tp->rate_per_day, tp->sigma, sim_rng(s, STREAM_CONTACTS)) ? -1
                                                                                                              : 1;
    else if (tp->lognormal == 2)
        ties = contacts_tie_file(&w->contacts, tp->rate_per_day) ? -1 : 1;
    if (ties && (ties < 0 || traffic_set_weights(&w->traffic, w->contacts.weight)))
        return -1;
    if (p->contacts.kind == CONTACTS_TRACE)
        traffic_set_trace(&w->traffic, &p->contacts.trace);
    if (tp->profiled)
        traffic_set_profile(&w->traffic, tp->hourly, tp->weekly);
    traffic_set_noncontact(&w->traffic, tp->noncontact_per_day);
    traffic_set_groups(&w->traffic, tp->group_share, tp->group_size);
    traffic_set_devices(&w->traffic, tp->device_per_year / 365.0, tp->device_relookup);
    if (w->pop.clients < w->pop.n)            /* only clients look up */
        traffic_set_clients(&w->traffic, w->pop.flags, POPULATION_CLIENT);
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
    const struct graph *g = &w->contacts.g;
    char err[256];
    if (population_init(&w->pop, &p->pop, sim_rng(s, STREAM_POPULATION))
        || contacts_generate(&w->contacts, &p->contacts, w->pop.flags, POPULATION_WORKER, sim_rng(s, STREAM_CONTACTS))
        || traffic_init(&w->traffic, g, p->traffic.rate_per_day, sim_rng(s, STREAM_TRAFFIC))
        || (p->traffic.cache_ttl && traffic_use_cache(&w->traffic, p->traffic.cache_ttl))
        || serverlog_init_policy(&w->log, &p->log, sim_rng(s, STREAM_POLICY))
        || knowledge_init(&w->known, g)
        || knowledge_set_min_count(&w->known, p->known.min_count)) {
        sim_fail(s, "out of memory building the world (N = %u)", p->pop.n);
        goto fail;
    }
    if (wire_traffic(s, w)) {
        sim_fail(s, "out of memory for the tie strengths (N = %u)", p->pop.n);
        goto fail;
    }
    /* Without non-contact lookups every lookup is of a contact (a replayed
     * trace's pairs are the graph, but the promise is kept to the synthetic
     * traffic), and every number the adversary reads is the one looked up
     * or none: the knowledge may pass pairs of fully found rows. */
    if (!(p->traffic.noncontact_per_day > 0) && p->contacts.kind != CONTACTS_TRACE)
        knowledge_set_contacts_only(&w->known);
    if (adversary_init(&w->adv, &p->adv, g, w->contacts.labels, sim_rng(s, STREAM_ADVERSARY), err, sizeof err)) {
        sim_fail(s, "%s", err);
        goto fail;
    }
    w->adv.devices = w->pop.devices;          /* the device count a record gives */
    metrics_init(&w->metrics, g, w->contacts.labels, sim_rng(s, STREAM_METRICS));
    if (p->mobility) {
        if (mobility_init(&w->mob, &p->mob, &w->pop, sim_rng(s, STREAM_MOBILITY))
            || locating_init(&w->loc, &p->loc, &w->pop, &w->mob, &w->log, s->run.horizon,
                             sim_rng(s, STREAM_LOCATION))) {
            sim_fail(s, "out of memory for the mobility model (N = %u, %u days)", p->pop.n, p->mob.horizon_days);
            goto fail;
        }
        adversary_keep_records(&w->adv);      /* the records it learns are located */
    }
    if (adversary_start(&w->adv, s))
        goto fail;
    return w;
fail:
    world_destroy(w);
    return NULL;
}

static void world_describe(const void *vs, void *stream)
{
    const struct world *w = vs;
    export_describe(stream, &w->pop, &w->p->pop, &w->contacts, &w->p->contacts);
}

/* `exposim generate`: the generated world's files (export.h). */
static int world_generate(void *vs, void *staged, int graphml, struct diag *d)
{
    const struct world *w = vs;
    return export_world(&w->pop, &w->contacts, w->traffic.rate != NULL, staged, graphml, d);
}

/* ---- events ---------------------------------------------------------------- */

/* The records written since `before` go, oldest first, to the running
 * pen-register terms.  0, or -1 (out of memory). */
static int deliver_written(struct world *w, uint64_t before)
{
    for (uint64_t i = w->log.appended - before; i > 0; i--)
        if (adversary_deliver(&w->adv, &w->log, serverlog_recent(&w->log, i), &w->known))
            return -1;
    return 0;
}

/* Log one lookup; a running pen-register term receives the record as it is
 * written.  0, or -1 (out of memory). */
static inline int world_log(struct world *w, uint32_t t, uint32_t a, uint32_t b)
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

/* A's device changed at t: the lookups it makes at once are logged.  0, or
 * -1 (out of memory). */
static int world_device(struct world *w, uint32_t a, uint32_t t)
{
    uint32_t made = traffic_device_change(&w->traffic, a, t);
    const uint32_t *row = w->contacts.g.adj + w->contacts.g.off[a];
    for (uint32_t i = 0; i < made; i++)
        if (world_log(w, t, a, row[i]))
            return -1;
    return 0;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* After acquisition number adv.acquisitions at `now`: every family reports
 * its metrics, from here only (the graph's and the locations' wall time go
 * to the engine's accumulator, which `make bench` reads); then a targeted
 * acquisition expands the targets (adversary.h). */
static void world_report(struct sim *s, struct world *w, int64_t now, int targeted)
{
    struct adversary *a = &w->adv;
    uint32_t acq = a->acquisitions;
    double t0 = wall_seconds();
    if (metrics_report(&w->metrics, s, acq, now, &w->known, &a->covered, a->targets, a->ntargets, a->target))
        return;
    if (w->p->mobility) {
        size_t n;
        uint64_t *rec = adversary_take_kept(a, &n);
        if (locating_report(&w->loc, s, acq, now, rec, n, a->targets, a->ntargets))
            return;
    }
    sim_metric_time(s, wall_seconds() - t0);
    traffic_report(&w->traffic, s, acq, now);
    if (w->log.policy.queried == SERVERLOG_QUERIED_KEYED_HASH)
        reid_report(s, acq, now, &w->known, &w->log);
    if (targeted && adversary_expand(a, &w->known) < 0)
        sim_fail(s, "out of memory expanding the targets");
}

static void world_slice(struct sim *s, void *vs, sim_time start, sim_time end)
{
    struct world *w = vs;
    if (traffic_slice(&w->traffic, sim_batch(s), start, end))
        sim_fail(s, "out of memory generating day %lld's traffic", (long long)(start / SIM_DAY));
}

static void world_handle(struct sim *s, void *vs, const struct sim_event *ev)
{
    struct world *w = vs;
    switch (ev->kind) {
    case TRAFFIC_EV_START:                      /* a lookup unless the cache answers */
        if (traffic_start(&w->traffic, ev->a, ev->b, (uint32_t)ev->time)
            && world_log(w, (uint32_t)ev->time, ev->a, ev->b))
            sim_fail(s, "out of memory in the server log");
        break;
    case TRAFFIC_EV_DEVICE:
        if (world_device(w, ev->a, (uint32_t)ev->time))
            sim_fail(s, "out of memory in the server log");
        break;
    case ADVERSARY_EV_ACQUIRE: {
        if (world_write_due(w, ev->time)) {
            sim_fail(s, "out of memory in the server log");
            break;
        }
        int r = adversary_acquire(&w->adv, s, ev->a, &w->log, &w->known, sim_rng(s, STREAM_ADVERSARY));
        if (r > 0)
            world_report(s, w, ev->time, r == ADVERSARY_ACQUIRED_TARGETED);
        break;
    }
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

/* The run path with a client cache or device changes: each start first
 * asks the cache. */
static size_t handle_run_cached(struct sim *s, struct world *w, const struct batch_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (e[i].kind == TRAFFIC_EV_DEVICE) {
            if (world_device(w, e[i].a, e[i].time)) {
                sim_fail(s, "out of memory in the server log");
                return i + 1;
            }
            continue;
        }
        if (e[i].kind != TRAFFIC_EV_START) {
            sim_fail(s, "internal error: unexpected batch event kind %u", e[i].kind);
            return i + 1;
        }
        if (traffic_start(&w->traffic, e[i].a, e[i].b, e[i].time) && world_log(w, e[i].time, e[i].a, e[i].b)) {
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
    if (!traffic_plain(&w->traffic))
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
    traffic_count(&w->traffic, n);
    return n;
}

static void world_finish(struct sim *s, void *vs)
{
    (void)s, (void)vs;                          /* every metric is reported per acquisition */
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
