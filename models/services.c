/* services — several services and the fused adversary; see services.h. */
#include "services.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "pairset.h"
#include "rng.h"
#include "sim.h"

#define SERVICES_TAG_USES 0x73767531u         /* who uses what ("svu1") */
#define SERVICES_TAG_ROUTE 0x73767231u        /* the choice among shared services ("svr1") */
#define SERVICES_TAG_POLICY 0x73767030u       /* + i: service i's sampling ("svp0") */

int services_configure(struct services_params *p, struct cfg *c, const struct cfg_node *e, int mobility)
{
    memset(p, 0, sizeof *p);
    if (!e)
        return 0;
    p->on = 1;
    if (mobility)
        return cfg_error(c, e, NULL, "several services are not modelled with <mobility> (the locations "
                         "come from the first service's log only)");
    snprintf(p->name[0], sizeof p->name[0], "%s", cfg_str(e, "primary", "primary"));
    p->n = 1;
    p->share[0] = p->weight[0] = 1;
    int rc = 0;
    for (const struct cfg_node *s = cfg_first(e); s; s = cfg_next(s)) {
        if (strcmp(cfg_name(s), "service") != 0)
            continue;
        if (p->n == SERVICES_MAX)
            return cfg_error(c, s, NULL, "at most %d services besides the first", SERVICES_MAX - 1);
        uint32_t i = p->n++;
        snprintf(p->name[i], sizeof p->name[i], "%s", cfg_str(s, "name", ""));
        for (uint32_t k = 0; k < i; k++)
            if (strcmp(p->name[k], p->name[i]) == 0)
                rc = cfg_error(c, s, "name", "'%s' names two services", p->name[i]);
        if (strcmp(p->name[i], "fused") == 0)
            rc = cfg_error(c, s, "name", "'fused' is the fused adversary's prefix: pick another name");
        if (cfg_double(c, s, "share", 1, &p->share[i]) || cfg_double(c, s, "weight", 1, &p->weight[i])) {
            rc = -1;
            continue;
        }
        if (!(p->share[i] >= 0 && p->share[i] <= 1))
            rc = cfg_error(c, s, "share", "must be 0 to 1 (got %g)", p->share[i]);
        if (!(p->weight[i] > 0 && isfinite(p->weight[i])))
            rc = cfg_error(c, s, "weight", "must be above 0 (got %g)", p->weight[i]);
        if (serverlog_configure(&p->policy[i], c, cfg_child(s, "policy")))
            rc = -1;
    }
    if (strcmp(p->name[0], "fused") == 0)
        rc = cfg_error(c, e, "primary", "'fused' is the fused adversary's prefix: pick another name");
    return rc;
}

void services_destroy(struct services *sv)
{
    if (!sv)
        return;
    for (uint32_t i = 1; sv->p && i < sv->p->n; i++) {
        serverlog_destroy(&sv->log[i]);
        knowledge_destroy(&sv->known[i]);
        coverage_destroy(&sv->covered[i]);
        gsl_rng_free(sv->policy_rng[i]);
    }
    free(sv->uses);
    gsl_rng_free(sv->route);
    memset(sv, 0, sizeof *sv);
}

int services_init(struct services *sv, const struct services_params *p, const struct graph *truth,
                  uint32_t people, const struct dynamics *dyn, const uint8_t *flags, uint8_t client_bit,
                  uint32_t min_count, int contacts_only, uint32_t population_seed, uint32_t policy_seed,
                  uint32_t traffic_seed)
{
    memset(sv, 0, sizeof *sv);
    sv->p = p;
    sv->people = people;
    sv->dyn = dyn;
    sv->flags = flags;
    sv->client_bit = client_bit;
    gsl_rng *r = rng_substream_new(population_seed, SERVICES_TAG_USES);
    sv->route = rng_substream_new(traffic_seed, SERVICES_TAG_ROUTE);
    sv->uses = calloc((size_t)people + 1, sizeof *sv->uses);
    int rc = -1;
    if (!r || !sv->route || !sv->uses)
        goto out;
    for (uint32_t a = 0; a < people; a++)         /* one uniform a person and service */
        for (uint32_t i = 1; i < p->n; i++)
            if (gsl_rng_uniform(r) < p->share[i])
                sv->uses[a] |= (uint16_t)(1u << i);
    for (uint32_t i = 1; i < p->n; i++) {
        coverage_init(&sv->covered[i]);
        if (!(sv->policy_rng[i] = rng_substream_new(policy_seed, SERVICES_TAG_POLICY + i))
            || serverlog_init_policy(&sv->log[i], &p->policy[i], sv->policy_rng[i])
            || knowledge_init(&sv->known[i], truth) || knowledge_set_min_count(&sv->known[i], min_count))
            goto out;
        if (contacts_only)
            knowledge_set_contacts_only(&sv->known[i]);
    }
    rc = 0;
out:
    gsl_rng_free(r);
    if (rc)
        services_destroy(sv);
    return rc;
}

static inline uint32_t person(const struct services *sv, uint32_t x)
{
    return sv->dyn ? dynamics_person(sv->dyn, x) : x;
}

uint32_t services_route(struct services *sv, uint32_t a, uint32_t b, int *lookup)
{
    const struct services_params *p = sv->p;
    int ca = (sv->flags[a] & sv->client_bit) != 0, cb = (sv->flags[b] & sv->client_bit) != 0;
    *lookup = ca;
    if (ca && cb)
        return 0;                                 /* over the first service: its lookup is the record */
    uint32_t shared = (uint32_t)sv->uses[person(sv, a)] & sv->uses[person(sv, b)];
    if (!shared) {
        sv->lost++;
        return SERVICES_NONE;
    }
    if (!(shared & (shared - 1)))                 /* one shared service: no draw */
        return (uint32_t)__builtin_ctz(shared);
    double total = 0;
    for (uint32_t i = 1; i < p->n; i++)
        if (shared >> i & 1)
            total += p->weight[i];
    double u = gsl_rng_uniform(sv->route) * total;
    uint32_t last = 0;
    for (uint32_t i = 1; i < p->n; i++)
        if (shared >> i & 1) {
            last = i;
            if ((u -= p->weight[i]) < 0)
                return i;
        }
    return last;                                  /* (rounding) */
}

/* A lookup on service i: logged under its policy; a running pen-register
 * term captures it as that provider's servers see it. */
int services_log(struct services *sv, uint32_t i, uint32_t t, uint32_t a, uint32_t b, struct adversary *adv)
{
    if (serverlog_append(&sv->log[i], t, a, b))
        return -1;
    return adv->live ? adversary_capture(adv, &sv->log[i], t, a, b, sv->log[i].last_id, &sv->known[i]) : 0;
}

int services_write_due(struct services *sv, int64_t now, struct adversary *adv)
{
    (void)adv;                                    /* a pen register captured the lookups as made */
    for (uint32_t i = 1; i < sv->p->n; i++)
        if (serverlog_write_due(&sv->log[i], now))
            return -1;
    return 0;
}

int services_acquire(struct services *sv, int64_t now, uint32_t which, struct adversary *adv)
{
    if (services_write_due(sv, now, adv))
        return -1;
    for (uint32_t i = 1; i < sv->p->n; i++)
        if (adversary_collect(adv, now, which, &sv->log[i], &sv->known[i], &sv->covered[i]) < 0)
            return -1;
    return 0;
}

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : NAN; }

/* Does number x use service i (0: is a client)? */
static inline int uses(const struct services *sv, uint32_t x, uint32_t i)
{
    return i == 0 ? (sv->flags[x] & sv->client_bit) != 0 : (sv->uses[person(sv, x)] >> i & 1);
}

/* The non-contact pairs any knowledge found: their number.  -1 (OOM). */
static int64_t fused_false(const struct knowledge *const *ks, uint32_t n)
{
    struct pairset all;
    if (pairset_init(&all))
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        const struct pairset *ps = &ks[i]->false_pairs;
        for (uint64_t j = 0; ks[i]->false_found && j < ps->cap; j++)
            if (ps->key[j] != PAIRSET_EMPTY && ps->count[j] >= ks[i]->min_count && pairset_insert(&all, ps->key[j]) < 0) {
                pairset_destroy(&all);
                return -1;
            }
    }
    int64_t count = (int64_t)all.n;
    pairset_destroy(&all);
    return count;
}

int services_report(struct services *sv, struct sim *s, uint32_t acq, int64_t now, const struct knowledge *k0)
{
    const struct services_params *p = sv->p;
    const struct knowledge *ks[SERVICES_MAX];
    ks[0] = k0;
    for (uint32_t i = 1; i < p->n; i++)
        ks[i] = &sv->known[i];
    const struct graph *g = k0->truth;
    uint64_t ties[SERVICES_MAX] = { 0 }, found[SERVICES_MAX] = { 0 }, fused = 0;
    for (uint32_t u = 0; u < g->n; u++)           /* each tie once (u < v), found by any service */
        for (uint64_t j = g->off[u]; j < g->off[u + 1]; j++) {
            uint32_t v = g->adj[j];
            if (v < u)
                continue;
            uint64_t any = 0;
            for (uint32_t i = 0; i < p->n; i++)
                any |= ks[i]->pair_seen[j >> 6] >> (j & 63);
            any &= 1;
            fused += any;
            for (uint32_t i = 0; i < p->n; i++)
                if (uses(sv, u, i) && uses(sv, v, i)) {
                    ties[i]++;
                    found[i] += any;
                }
        }
    uint64_t nodes = 0, words = ((uint64_t)g->n + 63) / 64;
    for (uint64_t w = 0; w < words; w++) {
        uint64_t any = 0;
        for (uint32_t i = 0; i < p->n; i++)
            any |= ks[i]->node_seen[w];
        nodes += (uint64_t)__builtin_popcountll(any);
    }
    int64_t false_pairs = fused_false(ks, p->n);
    if (false_pairs < 0) {
        sim_fail(s, "out of memory fusing the services' findings");
        return -1;
    }
    double day = (double)now / 86400.0;
    char name[128];
    for (uint32_t i = 0; i < p->n; i++) {
        const struct knowledge *k = ks[i];
        snprintf(name, sizeof name, "%s_edge_recall", p->name[i]);
        sim_metric(s, acq, day, name, ratio(k->edges_found, g->m));
        snprintf(name, sizeof name, "%s_edge_precision", p->name[i]);
        sim_metric(s, acq, day, name, ratio(k->edges_found, k->edges_found + k->false_found));
        snprintf(name, sizeof name, "%s_records", p->name[i]);
        sim_metric(s, acq, day, name, (double)k->records);
        snprintf(name, sizeof name, "%s_user_recall", p->name[i]);
        sim_metric(s, acq, day, name, ratio(found[i], ties[i]));
    }
    sim_metric(s, acq, day, "fused_edge_recall", ratio(fused, g->m));
    sim_metric(s, acq, day, "fused_edge_precision", ratio(fused, fused + (uint64_t)false_pairs));
    sim_metric(s, acq, day, "fused_node_coverage", ratio(nodes, g->n));
    return 0;
}

void services_describe(const struct services *sv, FILE *f)
{
    const struct services_params *p = sv->p;
    uint64_t users[SERVICES_MAX] = { 0 };
    for (uint32_t a = 0; a < sv->people; a++) {
        users[0] += (sv->flags[a] & sv->client_bit) != 0;
        for (uint32_t i = 1; i < p->n; i++)
            users[i] += sv->uses[a] >> i & 1;
    }
    fprintf(f, "services:");
    for (uint32_t i = 0; i < p->n; i++)
        fprintf(f, "%s %s %.1f%%", i ? "," : "", p->name[i], sv->people ? 100.0 * (double)users[i] / sv->people : 0.0);
    fprintf(f, " of the people\n");
}
