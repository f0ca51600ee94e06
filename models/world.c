/* world — the exposure model as the engine sees it: one sim_model_type that
 * wires the model families together for a replication.
 *
 *   population (clients, workers, places) -> contacts (graph, tie
 *   strengths; generated, imported or from a trace) -> traffic
 *   (conversation starts, client cache) -> serverlog (records under
 *   retention) -> adversary (acquisitions) -> inference (knowledge)
 *   -> metrics
 *
 * Random streams, in order: population, contacts, traffic, mobility,
 * adversary, policy, metrics (rng.h; mobility draws nothing yet but keeps
 * its place so that adding it later does not move the others; metrics
 * seeds igraph's generator before each community detection). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adversary.h"
#include "contacts.h"
#include "inference.h"
#include "metrics.h"
#include "population.h"
#include "results.h"
#include "serverlog.h"
#include "sim.h"
#include "traffic.h"

enum { STREAM_POPULATION, STREAM_CONTACTS, STREAM_TRAFFIC, STREAM_MOBILITY, STREAM_ADVERSARY,
       STREAM_POLICY, STREAM_METRICS };
static const char *const world_streams[] = { "population", "contacts", "traffic", "mobility",
                                             "adversary", "policy", "metrics", NULL };

struct world_params {
    struct population_params pop;
    struct contacts_params contacts;
    struct traffic_params traffic;
    struct serverlog_policy log;
    struct adversary_params adv;
    long min_count;                       /* inference@min_count */
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
};

static void world_free_params(void *vp)
{
    struct world_params *p = vp;
    if (!p)
        return;
    adversary_params_free(&p->adv);
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
    if (strcmp(cfg_str(lg, "private_contact_discovery", "false"), "true") == 0
        || strcmp(cfg_str(lg, "private_contact_discovery", "false"), "1") == 0)
        p->queried = SERVERLOG_QUERIED_NONE;
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
    }
    if (policy_configure(&p->log, c, cfg_child(root, "policy")))
        rc = -1;
    enum contacts_kind kind = p->contacts.kind;     /* which graphs carry true communities */
    int64_t communities = rc ? 0 : kind == CONTACTS_SBM ? (int64_t)p->contacts.blocks
                        : kind == CONTACTS_LAYERED || kind == CONTACTS_EDGE_LIST || kind == CONTACTS_GRAPHML ? 0
                        : -1;
    if (cfg_long(c, cfg_child(root, "inference"), "min_count", 1, &p->min_count))
        rc = -1;
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
    knowledge_destroy(&w->known);
    serverlog_destroy(&w->log);
    traffic_cache_destroy(&w->cache);
    traffic_destroy(&w->traffic);
    contacts_destroy(&w->contacts);
    population_destroy(&w->pop);
    free(w);
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

const struct sim_model_type *const sim_models[] = { &world_model, NULL };
