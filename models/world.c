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
 * graph), legal (per target and cost, with targets), locating (the
 * locations), traffic (lookups), reid (pseudonyms).
 *
 * Random streams, in order: population, contacts, traffic, mobility,
 * adversary, policy, metrics, location (rng.h; metrics seeds igraph's
 * generator before each community detection, location draws the location
 * metrics' samples, so that they move no other draw).  Each family draws
 * from its own stream, so the graph and the traffic do not depend on the
 * policy or the adversary (common random numbers). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addressbook.h"
#include "adversary.h"
#include "catalog.h"
#include "contacts.h"
#include "dynamics.h"
#include "enumeration.h"
#include "estimate.h"
#include "export.h"
#include "groups.h"
#include "knowledge.h"
#include "legal.h"
#include "locating.h"
#include "mem.h"
#include "metrics.h"
#include "mobility.h"
#include "population.h"
#include "reid.h"
#include "serverlog.h"
#include "services.h"
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
    struct dynamics_params dyn;           /* <dynamics>: .on */
    struct addressbook_params book;       /* <address_book>: .on */
    struct services_params services;      /* <services>: .on */
    struct enumeration_params enumeration;    /* <enumeration>: .on */
    struct groups_params groups;          /* <groups>: .on */
    uint8_t *zone;                        /* retention@regions: 1 for each region whose people's
                                             lookups are retained, or NULL (everyone's) */
    int32_t **tz_offset;                  /* a profile, regions, no mobility: each region's UTC
                                             offset per run day (the mobility model's otherwise) */
    uint32_t tz_days;
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
    struct legal legal;                   /* with targets */
    struct mobility mob;                  /* with p->mobility */
    struct locating loc;                  /* with p->mobility */
    struct dynamics dyn;                  /* with p->dyn.on */
    struct addressbook book;              /* with p->book.on */
    struct services sv;                   /* with p->services.on */
    struct enumeration en;                /* with p->enumeration.on */
    struct groups gr;                     /* with p->groups.on */
    /* The wiring: the graph the conversations run on (the generated one,
     * or every tie of a changing graph), the truth the adversary's findings
     * are measured against (that graph, or its union with the address
     * books), who is a client (population flags, per number), and whether
     * a day's batch holds more than conversation starts. */
    const struct graph *conv, *truth;
    const uint8_t *flags;
    const uint32_t *labels;
    int rich;
    int32_t **mob_offset;                 /* the mobility regions' offset tables, for the traffic */
    uint32_t *bounds;                     /* a split replication: the first person of each part, and N */
};

static void world_free_params(void *vp)
{
    struct world_params *p = vp;
    if (!p)
        return;
    adversary_params_free(&p->adv);
    for (uint32_t i = 0; p->tz_offset && i < p->pop.nregions; i++)
        free(p->tz_offset[i]);
    free(p->tz_offset);
    free(p->zone);
    mobility_params_destroy(&p->mob);
    contacts_params_destroy(&p->contacts);
    population_params_destroy(&p->pop);
    free(p);
}

/* retention@regions: the names of the regions whose people's lookups the
 * log retains (a zone); the others' are not kept at all.  0, or -1
 * (diagnostics). */
/* Bits of a log's number fields: the people's numbers [0, N) and the
 * all-ones NO_NUMBER fit in b bits when N <= 2^b - 1.  Enumeration (unheld
 * numbers, accounts) and groups name ids near 2^32: 32 bits.  The later
 * numbers of people who change numbers may still need more; the log
 * widens a field when one does not fit. */
static int id_bits(const struct world_params *p)
{
    if (p->enumeration.on || p->groups.on)
        return 32;
    uint64_t n = p->pop.n > p->contacts.n ? p->pop.n : p->contacts.n;
    int b = 1;
    while (b < 32 && ((uint64_t)1 << b) - 1 < n)
        b++;
    return b;
}

static int configure_zone(struct world_params *p, struct cfg *c, const struct cfg_node *root)
{
    const struct cfg_node *ret = cfg_child(cfg_child(root, "policy"), "retention");
    const char *names = cfg_str(ret, "regions", NULL);
    if (!names)
        return 0;
    if (!p->pop.nregions)
        return cfg_error(c, ret, "regions", "retention limited to regions needs <population><region> elements");
    if (!(p->zone = calloc(p->pop.nregions, 1)))
        return cfg_error(c, ret, NULL, "out of memory");
    for (const char *q = names; *q;) {
        while (*q == ' ' || *q == '\t' || *q == '\n')
            q++;
        size_t len = strcspn(q, " \t\n");
        if (!len)
            break;
        uint32_t k = 0;
        int found = 0;
        for (const struct cfg_node *r = cfg_child(cfg_child(root, "population"), "region"); r; r = cfg_next(r)) {
            if (strcmp(cfg_name(r), "region"))
                continue;
            const char *name = cfg_str(r, "name", "");
            if (strlen(name) == len && strncmp(name, q, len) == 0) {
                p->zone[k] = 1;
                found = 1;
            }
            k++;
        }
        if (!found)
            return cfg_error(c, ret, "regions", "no region is named '%.*s'", (int)(len > 60 ? 60 : len), q);
        q += len;
    }
    return 0;
}

/* The traffic's profile runs on each home region's local time: without a
 * mobility model, the regions' UTC offsets per run day from day 0 =
 * 2016-01-04 (mobility@start_date's default).  0, or -1 (diagnostics). */
static int configure_local_time(struct world_params *p, struct cfg *c, const struct cfg_node *population,
                                int64_t horizon)
{
    p->tz_days = (uint32_t)(horizon / 86400) + 2;
    if (!(p->tz_offset = calloc(p->pop.nregions, sizeof *p->tz_offset)))
        return cfg_error(c, population, NULL, "out of memory");
    uint32_t k = 0;
    for (const struct cfg_node *r = cfg_child(population, "region"); r && k < p->pop.nregions; r = cfg_next(r)) {
        if (strcmp(cfg_name(r), "region"))
            continue;
        char err[600];
        if (!(p->tz_offset[k] = malloc(p->tz_days * sizeof **p->tz_offset)))
            return cfg_error(c, r, NULL, "out of memory");
        if (mobility_tz_offsets(cfg_str(r, "tz", "UTC"), 1451865600, p->tz_days, p->tz_offset[k], err, sizeof err))
            return cfg_error(c, r, "tz", "%s", err);
        k++;
    }
    return 0;
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
    const struct cfg_node *dyn = cfg_child(root, "dynamics");
    if (dynamics_configure(&p->dyn, c, dyn))
        rc = -1;
    else if (!rc && dynamics_check(&p->dyn, c, dyn, p->contacts.kind == CONTACTS_TRACE, p->traffic.lognormal != 0,
                                   cfg_child(root, "mobility") != NULL))
        rc = -1;
    if (addressbook_configure(&p->book, c, cfg_child(root, "address_book")))
        rc = -1;
    if (services_configure(&p->services, c, cfg_child(root, "services"), cfg_child(root, "mobility") != NULL))
        rc = -1;
    if (enumeration_configure(&p->enumeration, c, cfg_child(root, "enumeration"), run->horizon))
        rc = -1;
    if (groups_configure(&p->groups, c, cfg_child(root, "groups")))
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
    if (!rc && configure_zone(p, c, root))
        rc = -1;
    if (!rc) {                                    /* the logs' id fields (serverlog.h) */
        int bits = id_bits(p);
        p->log.id_bits = bits;
        for (uint32_t i = 1; i < p->services.n; i++)
            p->services.policy[i].id_bits = bits;
    }
    if (!rc && p->traffic.profiled && p->pop.nregions && !p->mobility
        && configure_local_time(p, c, cfg_child(root, "population"), run->horizon))
        rc = -1;
    if (rc) {
        world_free_params(p);
        return NULL;
    }
    return p;
}

static _Thread_local struct world_memory last_memory;

struct world_memory world_memory_last(void) { return last_memory; }

static void world_destroy(void *vs)
{
    struct world *w = vs;
    if (!w)
        return;
    free(w->bounds);
    if (w->conv)
        last_memory = (struct world_memory){
            .log_peak_records = w->log.peak, .log_bytes = serverlog_bytes(&w->log), .edges = w->conv->m,
            .graph_bytes = (w->conv->n + (size_t)1) * sizeof *w->conv->off + 2 * w->conv->m * sizeof *w->conv->adj };
    free(w->mob_offset);
    groups_destroy(&w->gr);
    enumeration_destroy(&w->en);
    services_destroy(&w->sv);
    addressbook_destroy(&w->book);
    dynamics_destroy(&w->dyn);
    locating_destroy(&w->loc);
    mobility_destroy(&w->mob);
    metrics_destroy(&w->metrics);
    legal_destroy(&w->legal);
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
    if (tp->profiled && w->pop.region) {            /* the profile in each person's local time */
        int32_t **off = p->tz_offset;
        uint32_t ndays = p->tz_days;
        if (p->mobility) {
            if (!(w->mob_offset = malloc(p->mob.nregions * sizeof *w->mob_offset)))
                return -1;
            for (uint32_t i = 0; i < p->mob.nregions; i++)
                w->mob_offset[i] = p->mob.region[i].offset;
            off = w->mob_offset;
            ndays = p->mob.horizon_days + 2;
        }
        if (off && traffic_set_local(&w->traffic, w->pop.region, p->pop.nregions, off, ndays))
            return -1;
    }
    traffic_set_noncontact(&w->traffic, tp->noncontact_per_day);
    traffic_set_groups(&w->traffic, tp->group_share, tp->group_size);
    traffic_set_devices(&w->traffic, tp->device_per_year / 365.0, tp->device_relookup);
    if (w->pop.clients < w->pop.n && !p->services.on)   /* only clients start (with several
                                                           services, everyone does) */
        traffic_set_clients(&w->traffic, w->flags, POPULATION_CLIENT);
    return 0;
}

/* The seed of stream c of this replication: a family derives its
 * substreams from it (rng.h). */
static uint32_t stream_seed(const struct sim *s, unsigned c)
{
    return rng_stream_seed(s->run.seed, s->replication, c);
}

/* The changing graph and the address books, when the scenario has them,
 * and what the others then run on: w->conv, w->flags, w->labels, w->truth.
 * 0, or -1 after sim_fail. */
static int wire_graphs(struct sim *s, struct world *w)
{
    const struct world_params *p = w->p;
    w->conv = &w->contacts.g;
    w->flags = w->pop.flags;
    w->labels = w->contacts.labels;
    if (p->dyn.on) {
        if (dynamics_init(&w->dyn, &p->dyn, &w->contacts.g, w->pop.flags, w->contacts.labels, s->run.horizon,
                          stream_seed(s, STREAM_CONTACTS))) {
            sim_fail(s, "out of memory for the changing graph (N = %u)", p->pop.n);
            return -1;
        }
        w->conv = &w->dyn.g;
        w->flags = w->dyn.flags;
        w->labels = w->dyn.labels;
    }
    w->truth = w->conv;
    if (p->book.on) {
        if (addressbook_init(&w->book, &p->book, w->conv, p->dyn.on ? &w->dyn : NULL, w->flags, POPULATION_CLIENT,
                             p->pop.n, stream_seed(s, STREAM_CONTACTS), stream_seed(s, STREAM_TRAFFIC))) {
            sim_fail(s, "out of memory for the address books (N = %u)", p->pop.n);
            return -1;
        }
        w->truth = &w->book.u;
    }
    w->rich = p->dyn.on || p->book.on || p->services.on || p->enumeration.on || p->groups.on;
    return 0;
}

/* Which scenarios one replication of can be split across processes
 * (struct sim_part): those whose every lookup is a contact's, made by a
 * person whose part holds it, logged as it is and acquired whole, so that
 * what each part learns is a set of true pairs and the union of the
 * parts' sets is what one process learns.  The reasons name the element
 * that prevents it. */
static const char *world_split_refusal(const void *vp)
{
    const struct world_params *p = vp;
    if (p->contacts.kind == CONTACTS_TRACE)
        return "a replayed <trace> cannot be split yet";
    if (p->dyn.on)
        return "<dynamics> (a changing graph) cannot be split yet";
    if (p->book.on)
        return "<address_book> cannot be split yet";
    if (p->services.on)
        return "<services> cannot be split yet";
    if (p->enumeration.on)
        return "<enumeration> cannot be split yet";
    if (p->groups.on)
        return "<groups> cannot be split yet";
    if (p->mobility)
        return "<mobility> (the location metrics) cannot be split yet";
    if (p->zone)
        return "retention@regions cannot be split yet";
    if (p->traffic.noncontact_per_day > 0)
        return "traffic@noncontact_per_day: lookups of non-contacts cannot be split yet";
    if (p->known.min_count > 1)
        return "inference@min_count above 1 cannot be split yet";
    const struct serverlog_policy *l = &p->log;
    if (l->sampling < 1 || l->queried != SERVERLOG_QUERIED_KEPT || l->drop_querier || l->pair_limited)
        return "the policy must log every lookup with its querier and the number as dialled (logging@sampling "
               "1, queried_number kept, the pair kept as long as the record) to be split";
    if (p->adv.select != ADVERSARY_SELECT_NONE)
        return "targets (adversary@select) cannot be split yet";
    if (contacts_communities(&p->contacts) >= 0)
        return "a graph with true communities cannot be split yet (community_nmi needs the whole found graph "
               "in one process)";
    for (size_t i = 0; i < p->adv.n; i++)
        if (p->adv.s[i].kind != ADVERSARY_BULK && p->adv.s[i].kind != ADVERSARY_BREACH)
            return "only <bulk_snapshot> and <breach> acquisitions can be split yet";
    return NULL;
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
    char err[256];
    if (population_init(&w->pop, &p->pop, sim_rng(s, STREAM_POPULATION))
        || contacts_generate(&w->contacts, &p->contacts, w->pop.flags, POPULATION_WORKER, sim_rng(s, STREAM_CONTACTS))) {
        sim_fail(s, "out of memory building the world (N = %u)", p->pop.n);
        goto fail;
    }
    if (wire_graphs(s, w))
        goto fail;
    const struct graph *g = w->truth;
    if (traffic_init(&w->traffic, w->conv, p->traffic.rate_per_day, sim_rng(s, STREAM_TRAFFIC))
        || (p->traffic.cache_ttl && traffic_use_cache(&w->traffic, p->traffic.cache_ttl))
        || serverlog_init_policy(&w->log, &p->log, sim_rng(s, STREAM_POLICY))
        || knowledge_init(&w->known, g)
        || knowledge_set_min_count(&w->known, p->known.min_count)) {
        sim_fail(s, "out of memory building the world (N = %u)", p->pop.n);
        goto fail;
    }
    if (!p->book.on && !p->groups.on && !p->enumeration.on)   /* (world_slice: the batch is the traffic's) */
        traffic_allow_pack(&w->traffic);
    if (wire_traffic(s, w)) {
        sim_fail(s, "out of memory for the tie strengths (N = %u)", p->pop.n);
        goto fail;
    }
    const struct sim_part *part = s->run.part;
    if (part) {                               /* this part's people; what it learns waits for the others */
        const char *why = world_split_refusal(p);
        if (why) {
            sim_fail(s, "internal error: a split of a scenario that cannot be split (%s)", why);
            goto fail;
        }
        uint32_t n = w->conv->n;
        if (!(w->bounds = malloc(((size_t)part->size + 1) * sizeof *w->bounds))) {
            sim_fail(s, "out of memory building the world (N = %u)", p->pop.n);
            goto fail;
        }
        /* the first person of each part: whole blocks of people (traffic.h,
         * "Streams"), dealt out as evenly as they go */
        for (uint32_t r = 0; r <= part->size; r++) {
            uint64_t b = ((uint64_t)n + TRAFFIC_BLOCK - 1) / TRAFFIC_BLOCK * r / part->size * TRAFFIC_BLOCK;
            w->bounds[r] = b < n ? (uint32_t)b : n;
        }
        uint32_t lo = w->bounds[part->rank], hi = w->bounds[part->rank + 1];
        traffic_set_part(&w->traffic, lo, hi);
        if (knowledge_directed(&w->known, lo, hi)) {
            sim_fail(s, "out of memory building the world (N = %u)", p->pop.n);
            goto fail;
        }
    }
    /* Without non-contact lookups every lookup is of a contact (a replayed
     * trace's pairs are the graph, but the promise is kept to the synthetic
     * traffic), and every number the adversary reads is the one looked up
     * or none: the knowledge may pass pairs of fully found rows. */
    int contacts_only = !(p->traffic.noncontact_per_day > 0) && p->contacts.kind != CONTACTS_TRACE
                        && !(p->groups.on && p->groups.sends == GROUPS_SENDS_FANOUT);   /* co-members */
    if (contacts_only)
        knowledge_set_contacts_only(&w->known);
    if (p->services.on
        && services_init(&w->sv, &p->services, g, p->pop.n, p->dyn.on ? &w->dyn : NULL, w->flags, POPULATION_CLIENT,
                         p->known.min_count, contacts_only, stream_seed(s, STREAM_POPULATION),
                         stream_seed(s, STREAM_POLICY), stream_seed(s, STREAM_TRAFFIC))) {
        sim_fail(s, "out of memory for the services (N = %u)", p->pop.n);
        goto fail;
    }
    if (adversary_init(&w->adv, &p->adv, g, w->labels, sim_rng(s, STREAM_ADVERSARY), err, sizeof err)) {
        sim_fail(s, "%s", err);
        goto fail;
    }
    w->adv.devices = w->pop.devices;          /* the device count a record gives */
    const struct dynamics *dyn = p->dyn.on ? &w->dyn : NULL;
    if (p->enumeration.on
        && enumeration_init(&w->en, &p->enumeration, w->conv->n, w->flags, POPULATION_CLIENT, dyn,
                            stream_seed(s, STREAM_CONTACTS), stream_seed(s, STREAM_TRAFFIC))) {
        sim_fail(s, "out of memory for the enumeration (N = %u)", p->pop.n);
        goto fail;
    }
    if (p->groups.on
        && groups_init(&w->gr, &p->groups, &w->contacts.g, w->pop.flags, POPULATION_CLIENT, dyn,
                       stream_seed(s, STREAM_CONTACTS), stream_seed(s, STREAM_TRAFFIC))) {
        sim_fail(s, "out of memory for the groups (N = %u)", p->pop.n);
        goto fail;
    }
    if (p->enumeration.on || p->groups.on    /* records naming accounts, unheld numbers, groups */
        || (p->book.on && p->book.log == ADDRESSBOOK_LOG_BATCH))      /* or no number at all */
        adversary_expect_outsiders(&w->adv);
    metrics_init(&w->metrics, g, w->labels, sim_rng(s, STREAM_METRICS));
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
    if (w->p->dyn.on)
        dynamics_describe(&w->dyn, stream);
    if (w->p->book.on)
        addressbook_describe(&w->book, stream);
    if (w->p->services.on)
        services_describe(&w->sv, stream);
    if (w->p->enumeration.on)
        enumeration_describe(&w->en, stream);
    if (w->p->groups.on)
        groups_describe(&w->gr, stream);
}

/* `exposim generate`: the generated world's files (export.h). */
static int world_generate(void *vs, void *staged, int graphml, struct diag *d)
{
    const struct world *w = vs;
    return export_world(&w->pop, &w->contacts, w->traffic.rate != NULL, staged, graphml, d);
}

/* ---- events ---------------------------------------------------------------- */

/* Log one lookup; a running pen-register term captures it as the
 * provider's servers see it (adversary_capture), whatever the log keeps.
 * 0, or -1 (out of memory). */
static inline int world_log(struct world *w, uint32_t t, uint32_t a, uint32_t b)
{
    if (w->p->zone && a < w->p->pop.n && !w->p->zone[w->pop.region[a]]) {    /* outside the zone: not kept */
        w->log.offered++;
        w->log.last_id = SERVERLOG_NO_RECORD;
        return w->adv.live ? adversary_capture(&w->adv, &w->log, t, a, b, SERVERLOG_NO_RECORD, &w->known) : 0;
    }
    if (serverlog_append(&w->log, t, a, b) || (w->adv.freezing && adversary_freeze(&w->adv, &w->log)))
        return -1;
    if (w->adv.live)
        return adversary_capture(&w->adv, &w->log, t, a, b, w->log.last_id, &w->known);
    return 0;
}

/* Log n records given as triples (time, querier, queried), in time
 * order: straight into the log's last chunk (serverlog_append_run) unless
 * a pen-register term runs.  0, or -1 (out of memory). */
static int world_log_run(struct world *w, const uint32_t *rec, size_t n)
{
    if (w->adv.live || w->adv.freezing || w->p->zone) {
        for (size_t i = 0; i < n; i++)
            if (world_log(w, rec[3 * i], rec[3 * i + 1], rec[3 * i + 2]))
                return -1;
        return 0;
    }
    return n ? serverlog_append_run(&w->log, &rec[0], &rec[1], &rec[2], 3, n) : 0;
}

/* With a delivery delay: the batches due by `now` are written before the
 * adversary acts (a pen register captured their lookups as they were made). */
static int world_write_due(struct world *w, int64_t now)
{
    return serverlog_write_due(&w->log, now);
}

/* A's device changed at t: the lookups it makes at once are logged.  0, or
 * -1 (out of memory). */
static int world_device(struct world *w, uint32_t a, uint32_t t)
{
    if (w->p->dyn.on && !dynamics_active(&w->dyn, a, t))
        return 0;                               /* a number not in use */
    uint32_t made = traffic_device_change(&w->traffic, a, t);
    const uint32_t *row = w->conv->adj + w->conv->off[a];
    for (uint32_t i = 0; i < made; i++)
        if (world_log(w, t, a, row[i]))
            return -1;
    if (w->p->book.on) {                        /* a new device syncs the address book */
        size_t n;
        const uint32_t *rec = addressbook_device(&w->book, a, t, &n);
        if (!rec || world_log_run(w, rec, n))
            return -1;
    }
    return 0;
}

/* A conversation start (a, b) at t: a lookup unless the cache answers (or
 * the tie is not alive then).  0, or -1 (out of memory). */
static int world_start(struct world *w, uint32_t a, uint32_t b, uint32_t t)
{
    if (w->p->dyn.on && !dynamics_start(&w->dyn, a, b, t))
        return 0;
    if (w->p->services.on) {                    /* a lookup on the first service, the conversation on one */
        int lookup;
        uint32_t i = services_route(&w->sv, a, b, &lookup);
        if (lookup && traffic_start(&w->traffic, a, b, t) && world_log(w, t, a, b))
            return -1;
        return i && i != SERVICES_NONE ? services_log(&w->sv, i, t, a, b, &w->adv) : 0;
    }
    if (traffic_start(&w->traffic, a, b, t) && world_log(w, t, a, b))
        return -1;
    return 0;
}

/* An address-book sync (addressbook.h).  0, or -1 (out of memory). */
static int world_sync(struct world *w, uint32_t a, uint32_t what, uint32_t t)
{
    size_t n;
    const uint32_t *rec = addressbook_sync(&w->book, a, t, what, &n);
    return !rec || world_log_run(w, rec, n) ? -1 : 0;
}

/* One dense event (a batch entry): 0, -1 (out of memory), or 1 (a kind
 * that is not a batch's). */
static int world_dense(struct world *w, uint32_t kind, uint32_t a, uint32_t b, uint32_t t)
{
    switch (kind) {
    case TRAFFIC_EV_START:
        return world_start(w, a, b, t);
    case TRAFFIC_EV_DEVICE:
        return world_device(w, a, t);
    case ADDRESSBOOK_EV_SYNC:
        return world_sync(w, a, b, t);
    case GROUPS_EV_SEND:
    case GROUPS_EV_CHANGE: {
        size_t n;
        const uint32_t *rec = kind == GROUPS_EV_SEND ? groups_send(&w->gr, a, b, t, &n)
                                                     : groups_change(&w->gr, a, b, t, &n);
        return world_log_run(w, rec, n);
    }
    case ENUMERATION_EV_LOOKUP: {
        uint32_t q, x;
        enumeration_lookup(&w->en, a, b, t, &q, &x);
        return world_log(w, t, q, x);
    }
    default:
        return 1;
    }
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

/* The tie rates for the tie bands: known when the truth is the
 * conversation graph of a generated (not traced) world: per adjacency
 * entry (*tw), or one rate for every tie (*lambda); else none (NULL, NaN). */
static void tie_rates(const struct world *w, const float **tw, double *lambda)
{
    int bands = w->truth == &w->contacts.g && w->p->contacts.kind != CONTACTS_TRACE;
    *tw = bands ? w->contacts.weight : NULL;
    *lambda = bands && !*tw ? w->p->traffic.rate_per_day : NAN;
}

static void world_report(struct sim *s, struct world *w, int64_t now, int targeted)
{
    struct adversary *a = &w->adv;
    uint32_t acq = a->acquisitions;
    double t0 = wall_seconds();
    double tcov[2] = { 0, 0 };
    if (a->targets && adversary_target_coverage(a, &tcov[0], &tcov[1])) {
        sim_fail(s, "out of memory measuring the targets' covered time");
        return;
    }
    if (metrics_report(&w->metrics, s, acq, now, &w->known, &a->covered, a->targets, a->ntargets, a->target, tcov))
        return;
    if (a->targets) {                               /* per-target outcomes and cost */
        const float *tw;
        double lambda;
        tie_rates(w, &tw, &lambda);
        if (legal_report(s, &w->legal, acq, now, a, &w->known, tw, lambda))
            return;
    }
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
    if (w->p->book.on)
        addressbook_report(&w->book, s, acq, now, &w->known);
    if (w->p->dyn.on && dynamics_report(&w->dyn, s, acq, now, &w->known))
        return;
    if (w->p->services.on && services_report(&w->sv, s, acq, now, &w->known))
        return;
    if (w->p->enumeration.on || w->p->groups.on) {
        size_t n;
        const uint64_t *outside = adversary_take_outside(a, &n);
        if (w->p->enumeration.on)
            enumeration_report(&w->en, s, acq, now, outside, n, &w->known);
        if (w->p->groups.on)
            groups_report(&w->gr, s, acq, now, outside, n, targeted, a->target, &w->known);
    }
    /* a target found by expansion: an order at once for what is retained about it */
    if (targeted && (adversary_expand(a, &w->known, now) < 0 || adversary_serve_new(a, now, &w->log, &w->known)))
        sim_fail(s, "out of memory expanding the targets");
}

/* A split replication, once the world is built and described: give back
 * the pages of the rows of the truth this part does not hold (nothing
 * reads them from here on; the offsets stay, for every person's degree). */
static void world_release_rows(struct world *w)
{
    const struct graph *g = w->conv;
    uint64_t a = g->off[w->known.own_lo], b = g->off[w->known.own_hi];
    mem_release(g->adj, a * sizeof *g->adj);
    mem_release(g->adj + b, (g->off[g->n] - b) * sizeof *g->adj);
    if (w->traffic.alias_thr) {                 /* tie strengths: the rows' alias tables */
        mem_release(w->traffic.alias_thr, a * sizeof *w->traffic.alias_thr);
        mem_release(w->traffic.alias_thr + b, (g->off[g->n] - b) * sizeof *w->traffic.alias_thr);
        mem_release(w->traffic.alias_idx, a * sizeof *w->traffic.alias_idx);
        mem_release(w->traffic.alias_idx + b, (g->off[g->n] - b) * sizeof *w->traffic.alias_idx);
    }
}

static void world_slice(struct sim *s, void *vs, sim_time start, sim_time end)
{
    struct world *w = vs;
    if (start == 0 && s->run.part)
        world_release_rows(w);
    if (traffic_slice(&w->traffic, sim_batch(s), start, end)
        || (w->p->book.on && addressbook_slice(&w->book, sim_batch(s), start, end))
        || (w->p->groups.on && groups_slice(&w->gr, sim_batch(s), start, end))
        || (w->p->enumeration.on && enumeration_slice(&w->en, sim_batch(s), start, end)))
        sim_fail(s, "out of memory generating day %lld's traffic", (long long)(start / SIM_DAY));
}

/* A split replication after an acquisition (knowledge.h, "One part of a
 * replication split"): the pairs each part found go to the part holding
 * their owner end, which marks them; the per-person counts of new pairs
 * and the number of new pairs are summed over the parts, and every part
 * takes the sums.  Every part calls it at the same acquisitions (the
 * schedule is the same in each).  0, or -1 after sim_fail. */
#define WORLD_ROUTE ((size_t)1 << 21)       /* pairs a part sends in one round (16 MiB) */

static int world_merge(struct sim *s, struct world *w)
{
    const struct sim_part *part = s->run.part;
    struct knowledge *k = &w->known;
    uint32_t n = w->truth->n, from = k->own_lo;
    size_t *counts = calloc(part->size, sizeof *counts), nin = 0;
    uint64_t *out = NULL, *in = NULL, edges = 0;
    uint32_t *delta = calloc((size_t)n + 1, sizeof *delta);   /* per person: new pairs (at most its degree) */
    int rc = -1;
    if (!counts || !delta) {
        sim_fail(s, "out of memory learning the acquired pairs");
        goto out;                               /* (the other parts stop at the next collective) */
    }
    for (uint64_t more = 1; more;) {            /* rounds of at most WORLD_ROUTE pairs a part */
        if (knowledge_route(k, w->bounds, part->size, &from, WORLD_ROUTE, &out, counts)) {
            sim_fail(s, "out of memory learning the acquired pairs");
            goto out;
        }
        if (part->exchange(out, counts, &in, &nin, part->ctx)) {
            sim_fail(s, "the exchange across the MPI ranks failed");
            goto out;
        }
        if (knowledge_route_in(k, in, nin)) {
            sim_fail(s, "out of memory learning the acquired pairs");
            goto out;
        }
        free(out);
        free(in);
        out = in = NULL;
        more = from < k->own_hi;                /* until no part has rows left */
        if (part->sum_words(&more, 1, part->ctx)) {
            sim_fail(s, "the reduction across the MPI ranks failed");
            goto out;
        }
    }
    if (knowledge_settle(k, delta, &edges)) {
        sim_fail(s, "out of memory learning the acquired pairs");
        goto out;
    }
    if (part->sum_u32(delta, n, part->ctx) || part->sum_words(&edges, 1, part->ctx)) {
        sim_fail(s, "the reduction across the MPI ranks failed");
        goto out;
    }
    if (knowledge_settle_apply(k, delta, edges)) {
        sim_fail(s, "out of memory learning the acquired pairs");
        goto out;
    }
    rc = 0;
out:
    free(counts);
    free(out);
    free(in);
    free(delta);
    return rc;
}

static void world_handle(struct sim *s, void *vs, const struct sim_event *ev)
{
    struct world *w = vs;
    switch (ev->kind) {
    case TRAFFIC_EV_START:                      /* a lookup unless the cache answers */
    case TRAFFIC_EV_DEVICE:
    case ADDRESSBOOK_EV_SYNC:
    case GROUPS_EV_SEND:
    case GROUPS_EV_CHANGE:
    case ENUMERATION_EV_LOOKUP:
        if (world_dense(w, ev->kind, ev->a, ev->b, (uint32_t)ev->time))
            sim_fail(s, "out of memory in the server log");
        break;
    case ADVERSARY_EV_ACQUIRE: {
        if (world_write_due(w, ev->time) || (w->p->services.on && services_write_due(&w->sv, ev->time, &w->adv))) {
            sim_fail(s, "out of memory in the server log");
            break;
        }
        int r = adversary_acquire(&w->adv, s, ev->a, &w->log, &w->known, sim_rng(s, STREAM_ADVERSARY));
        if (r >= 0 && w->p->services.on && services_acquire(&w->sv, ev->time, ev->a, &w->adv)) {
            sim_fail(s, "out of memory during an acquisition");
            break;
        }
        if (r >= 0 && s->run.part && world_merge(s, w))
            break;
        if (r > 0)
            world_report(s, w, ev->time, r == ADVERSARY_ACQUIRED_TARGETED);
        break;
    }
    case ADVERSARY_EV_ORDER_START:
        if (world_write_due(w, ev->time)               /* written before the order runs */
            || (w->p->services.on && services_write_due(&w->sv, ev->time, &w->adv)))
            sim_fail(s, "out of memory in the server log");
        else
            adversary_order_start(&w->adv, s, ev->a);
        break;
    default:
        sim_fail(s, "internal error: unknown event kind %u", ev->kind);
    }
}

/* The run path with a client cache, device changes or the richer world's
 * events: each entry to its handler.  (None schedules an event.) */
static size_t handle_run_general(struct sim *s, struct world *w, const struct batch_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int rc = world_dense(w, e[i].kind, e[i].a, e[i].b, e[i].time);
        if (rc) {
            if (rc > 0)
                sim_fail(s, "internal error: unexpected batch event kind %u", e[i].kind);
            else
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
    if (!traffic_plain(&w->traffic) || w->rich)
        return handle_run_general(s, w, e, n);
    if (w->adv.live || w->adv.freezing || w->p->zone) {   /* one by one: the order, the freeze, the zone */
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

/* The expected cost of one replication (estimate.h): each family's part,
 * in the order they are wired. */
static void world_estimate(const void *vp, const struct sim_run_params *run, struct sim_estimate *out)
{
    const struct world_params *p = vp;
    struct estimate e;
    estimate_begin(&e, run);
    estimate_population(&e, &p->pop);
    estimate_contacts(&e, &p->contacts, &p->pop);
    estimate_dynamics(&e, &p->dyn);
    estimate_addressbook(&e, &p->book);
    estimate_traffic(&e, &p->traffic, &p->contacts, p->services.on);
    estimate_groups(&e, &p->groups);
    estimate_enumeration(&e, &p->enumeration);
    estimate_serverlog(&e, &p->log);
    estimate_services(&e, &p->services, &p->known);
    estimate_knowledge(&e, &p->known);
    estimate_adversary(&e, &p->adv, p->mobility);
    if (p->mobility)
        estimate_mobility(&e, &p->mob);
    estimate_finish(&e, out);
}

/* Every metric is reported per acquisition; at the end the adversary's
 * legal-process timeline becomes the run's timeline.csv (docs/metrics.md). */
static void world_finish(struct sim *s, void *vs)
{
    struct world *w = vs;
    static const char *const cols[] = { "strategy", "instrument", "target", "event", "start_day", "end_day",
                                        "acquisition" };
    for (size_t i = 0; i < w->adv.ntl && !s->failed; i++) {
        const struct adversary_tl *e = &w->adv.tl[i];
        char target[16];
        if (e->target == ADVERSARY_TL_ALL)
            snprintf(target, sizeof target, "all");
        else
            snprintf(target, sizeof target, "%u", e->target);
        const char *text[7] = { NULL, adversary_tl_instrument(&w->p->adv, e->strategy), target,
                                adversary_tl_event_name(e->event), NULL, NULL, NULL };
        double num[7] = { e->strategy == ADVERSARY_TL_EXPANSION ? NAN : e->strategy + 1.0, 0, 0, 0,
                          (double)e->start / SIM_DAY, (double)e->end / SIM_DAY, e->acq ? (double)e->acq : NAN };
        sim_table_row(s, "timeline", cols, text, num, 7);
    }
    if (w->adv.targets && !s->failed) {             /* targets.csv, contacts.csv */
        const float *tw;
        double lambda;
        tie_rates(w, &tw, &lambda);
        legal_tables(s, &w->legal, &w->adv, &w->known, tw, lambda);
    }
}

static const char *const world_tables[] = { "timeline", "targets", "contacts", NULL };

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
    .metrics = catalog_metrics,
    .estimate = world_estimate,
    .tables = world_tables,
    .split_refusal = world_split_refusal,
};
