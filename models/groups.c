/* groups — group conversations with server-side membership; see groups.h. */
#include "groups.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "cfg.h"
#include "numbers.h"
#include "rng.h"
#include "sim.h"

#define GROUPS_TAG_FORM 0x67726631u           /* forming the groups ("grf1") */
#define GROUPS_TAG_EVENTS 0x67726531u         /* sends and changes ("gre1") */

int groups_configure(struct groups_params *p, struct cfg *c, const struct cfg_node *e)
{
    memset(p, 0, sizeof *p);
    if (!e)
        return 0;
    p->on = 1;
    double changes = 0;
    int rc = 0;
    rc |= cfg_double(c, e, "per_person", 10, &p->per_person);
    rc |= cfg_double(c, e, "size_mean", 12, &p->size_mean);
    rc |= cfg_double(c, e, "sends_per_day", 1, &p->sends_per_day);
    rc |= cfg_double(c, e, "changes_per_year", 4, &changes);
    if (rc)
        return -1;
    if (!(p->per_person >= 0 && p->per_person <= 1000))
        rc = cfg_error(c, e, "per_person", "must be 0 to 1000 (got %g)", p->per_person);
    if (!(p->size_mean >= 2 && p->size_mean <= 1000))
        rc = cfg_error(c, e, "size_mean", "must be 2 to 1000 (got %g)", p->size_mean);
    if (!(p->sends_per_day >= 0 && p->sends_per_day <= 1000))
        rc = cfg_error(c, e, "sends_per_day", "must be 0 to 1000 (got %g)", p->sends_per_day);
    if (!(changes >= 0 && changes <= 36500))
        rc = cfg_error(c, e, "changes_per_year", "must be 0 to 36500 (got %g)", changes);
    p->changes_per_day = changes / 365;
    const char *sends = cfg_str(e, "sends", "group");
    p->sends = strcmp(sends, "fanout") == 0 ? GROUPS_SENDS_FANOUT
             : strcmp(sends, "none") == 0 ? GROUPS_SENDS_NONE : GROUPS_SENDS_GROUP;
    p->membership_logged = strcmp(cfg_str(e, "membership", "logged"), "none") != 0;
    p->server_kept = strcmp(cfg_str(e, "server_membership", "kept"), "encrypted") != 0;
    return rc;
}

void groups_destroy(struct groups *gr)
{
    if (!gr)
        return;
    free(gr->off);
    free(gr->member);
    free(gr->known);
    free(gr->clients);
    free(gr->buf);
    gsl_rng_free(gr->events);
    memset(gr, 0, sizeof *gr);
}

static inline int is_client(const struct groups *gr, uint32_t a) { return (gr->flags[a] & gr->client_bit) != 0; }

static int in_group(const struct groups *gr, uint32_t g, uint32_t a)
{
    for (uint64_t i = gr->off[g]; i < gr->off[g + 1]; i++)
        if (gr->member[i] == a)
            return 1;
    return 0;
}

/* A client contact of person a not in group g (a few draws), or a uniform
 * client not in it; UINT32_MAX when none is found.  Draws from r. */
static uint32_t recruit(const struct groups *gr, uint32_t g, uint32_t a, gsl_rng *r, uint32_t tries)
{
    const struct graph *g0 = gr->g0;
    uint32_t deg = graph_degree(g0, a);
    for (uint32_t i = 0; deg && i < tries; i++) {
        uint32_t c = g0->adj[g0->off[a] + rng_below(r, deg)];
        if (is_client(gr, c) && !in_group(gr, g, c))
            return c;
    }
    for (uint32_t i = 0; i < 64; i++) {
        uint32_t c = gr->clients[rng_below(r, gr->nclients)];
        if (!in_group(gr, g, c))
            return c;
    }
    return UINT32_MAX;
}

/* Form the groups: sizes, then members, group by group. */
static int form(struct groups *gr, gsl_rng *r)
{
    const struct groups_params *p = gr->p;
    double count = gr->nclients >= 2 ? round((double)gr->nclients * p->per_person / p->size_mean) : 0;
    gr->n = count < NUMBERS_MAX_GROUPS ? (uint32_t)count : NUMBERS_MAX_GROUPS;
    if (!(gr->off = calloc((size_t)gr->n + 2, sizeof *gr->off)))
        return -1;
    uint32_t most = 1;
    for (uint32_t g = 0; g < gr->n; g++) {
        unsigned s = 2 + (p->size_mean > 2 ? gsl_ran_poisson(r, p->size_mean - 2) : 0);
        s = s < gr->nclients ? s : gr->nclients;
        most = s > most ? s : most;
        gr->off[g + 1] = gr->off[g] + s;
    }
    uint64_t slots = gr->off[gr->n];
    gr->member = malloc((slots ? slots : 1) * sizeof *gr->member);
    gr->known = calloc((slots + 63) / 64 + 1, sizeof *gr->known);
    gr->bufcap = 3 * (size_t)most;
    gr->buf = malloc(gr->bufcap * sizeof *gr->buf);
    if (!gr->member || !gr->known || !gr->buf)
        return -1;
    for (uint32_t g = 0; g < gr->n; g++) {
        uint64_t lo = gr->off[g], hi = gr->off[g + 1];
        gr->member[lo] = gr->clients[rng_below(r, gr->nclients)];
        uint64_t k = lo + 1;
        gr->off[g + 1] = k;                       /* (in_group sees the members so far) */
        while (k < hi) {
            uint32_t c = recruit(gr, g, gr->member[lo], r, 4);
            for (uint32_t i = 0; c == UINT32_MAX && i < gr->nclients; i++)   /* (a group of nearly every client) */
                if (!in_group(gr, g, gr->clients[i]))
                    c = gr->clients[i];
            gr->member[k++] = c;                  /* (found: the group is no bigger than the clients) */
            gr->off[g + 1] = k;
        }
        gr->off[g + 1] = hi;
    }
    return 0;
}

int groups_init(struct groups *gr, const struct groups_params *p, const struct graph *g0, const uint8_t *flags,
                uint8_t client_bit, const struct dynamics *dyn, uint32_t structure_seed, uint32_t events_seed)
{
    memset(gr, 0, sizeof *gr);
    gr->p = p;
    gr->g0 = g0;
    gr->flags = flags;
    gr->client_bit = client_bit;
    gr->dyn = dyn;
    gsl_rng *r = rng_substream_new(structure_seed, GROUPS_TAG_FORM);
    gr->events = rng_substream_new(events_seed, GROUPS_TAG_EVENTS);
    gr->clients = malloc(((size_t)g0->n + 1) * sizeof *gr->clients);
    int rc = -1;
    if (!r || !gr->events || !gr->clients)
        goto out;
    for (uint32_t a = 0; a < g0->n; a++)
        if (is_client(gr, a))
            gr->clients[gr->nclients++] = a;
    if (form(gr, r))
        goto out;
    rc = 0;
out:
    gsl_rng_free(r);
    if (rc)
        groups_destroy(gr);
    return rc;
}

int groups_slice(struct groups *gr, struct batch *b, int64_t start, int64_t end)
{
    const struct groups_params *p = gr->p;
    uint32_t len = (uint32_t)(end - start);
    if (!gr->n)
        return 0;
    unsigned sends = gsl_ran_poisson(gr->events, (double)gr->n * p->sends_per_day * len / 86400.0);
    for (unsigned i = 0; i < sends; i++) {
        uint32_t g = rng_below(gr->events, gr->n), t = (uint32_t)start + rng_below(gr->events, len);
        uint32_t slot = rng_below(gr->events, (uint32_t)(gr->off[g + 1] - gr->off[g]));
        if (batch_add(b, t, GROUPS_EV_SEND, g, slot))
            return -1;
    }
    unsigned changes = gsl_ran_poisson(gr->events, (double)gr->n * p->changes_per_day * len / 86400.0);
    for (unsigned i = 0; i < changes; i++) {
        uint32_t g = rng_below(gr->events, gr->n), t = (uint32_t)start + rng_below(gr->events, len);
        uint32_t slot = rng_below(gr->events, (uint32_t)(gr->off[g + 1] - gr->off[g]));
        if (batch_add(b, t, GROUPS_EV_CHANGE, g, slot))
            return -1;
    }
    return 0;
}

/* Person a's number at t, or UINT32_MAX when it is not in use. */
static inline uint32_t number_at(const struct groups *gr, uint32_t a, uint32_t t)
{
    if (!gr->dyn)
        return a;
    uint32_t x = dynamics_number(gr->dyn, a, t);
    return dynamics_active(gr->dyn, x, t) ? x : UINT32_MAX;
}

const uint32_t *groups_send(struct groups *gr, uint32_t group, uint32_t slot, uint32_t t, size_t *n)
{
    *n = 0;
    gr->sends++;
    uint64_t lo = gr->off[group], hi = gr->off[group + 1];
    uint32_t x = number_at(gr, gr->member[lo + slot], t);
    if (x == UINT32_MAX || gr->p->sends == GROUPS_SENDS_NONE)
        return gr->buf;
    uint32_t *out = gr->buf;
    if (gr->p->sends == GROUPS_SENDS_GROUP) {
        out[0] = t, out[1] = x, out[2] = NUMBERS_GROUP_BASE + group;
        *n = 1;
        return out;
    }
    size_t k = 0;
    for (uint64_t i = lo; i < hi; i++) {          /* fan-out: the sender looks each member up */
        uint32_t y = i == lo + slot ? UINT32_MAX : number_at(gr, gr->member[i], t);
        if (y == UINT32_MAX)
            continue;
        out[3 * k] = t, out[3 * k + 1] = x, out[3 * k + 2] = y;
        k++;
    }
    *n = k;
    return out;
}

const uint32_t *groups_change(struct groups *gr, uint32_t group, uint32_t slot, uint32_t t, size_t *n)
{
    *n = 0;
    uint64_t lo = gr->off[group], size = gr->off[group + 1] - lo, at = lo + slot;
    uint32_t old = gr->member[at];
    uint32_t other = gr->member[lo + (slot + 1 + rng_below(gr->events, (uint32_t)size - 1)) % size];
    uint32_t joiner = recruit(gr, group, other, gr->events, 8);
    if (joiner == UINT32_MAX)
        return gr->buf;                           /* nobody left to join */
    gr->changes++;
    gr->member[at] = joiner;
    gr->known[at >> 6] &= ~(1ull << (at & 63));   /* the adversary does not know the newcomer */
    if (!gr->p->membership_logged)
        return gr->buf;
    uint32_t *out = gr->buf;
    size_t k = 0;
    uint32_t who[2] = { number_at(gr, old, t), number_at(gr, joiner, t) };
    for (int i = 0; i < 2; i++)
        if (who[i] != UINT32_MAX) {
            out[3 * k] = t, out[3 * k + 1] = who[i], out[3 * k + 2] = NUMBERS_GROUP_BASE + group;
            k++;
        }
    *n = k;
    return out;
}

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : NAN; }

static inline void know(struct groups *gr, uint64_t i) { gr->known[i >> 6] |= 1ull << (i & 63); }
static inline int known(const struct groups *gr, uint64_t i) { return (int)((gr->known[i >> 6] >> (i & 63)) & 1); }

void groups_report(struct groups *gr, struct sim *s, uint32_t acq, int64_t now, const uint64_t *outside, size_t n,
                   int targeted, const uint64_t *tbits, const struct knowledge *k)
{
    uint32_t t = (uint32_t)now;
    for (size_t i = 0; i < n; i++) {              /* a record (member, group id): the member was in it */
        uint32_t q = (uint32_t)(outside[i] >> 32), x = (uint32_t)outside[i];
        if (!numbers_is_group(x))
            continue;
        gr->acquired++;
        uint32_t g = x - NUMBERS_GROUP_BASE;
        if (g >= gr->n || q >= k->truth->n)
            continue;
        uint32_t who = gr->dyn ? dynamics_person(gr->dyn, q) : q;
        for (uint64_t j = gr->off[g]; j < gr->off[g + 1]; j++)
            if (gr->member[j] == who)
                know(gr, j);
    }
    if (gr->p->server_kept)                       /* the member lists themselves */
        for (uint32_t g = 0; g < gr->n; g++) {
            int take = !targeted;
            for (uint64_t j = gr->off[g]; !take && tbits && j < gr->off[g + 1]; j++) {
                uint32_t x = gr->dyn ? dynamics_number(gr->dyn, gr->member[j], t) : gr->member[j];
                take = (tbits[x >> 6] >> (x & 63)) & 1;
            }
            for (uint64_t j = gr->off[g]; take && j < gr->off[g + 1]; j++)
                know(gr, j);
        }
    uint64_t slots = gr->off[gr->n], members_known = 0, pairs = 0, linked = 0;
    for (uint64_t j = 0; j < slots; j++)
        members_known += (uint64_t)known(gr, j);
    for (uint32_t g = 0; g < gr->n; g++)
        for (uint64_t i = gr->off[g]; i < gr->off[g + 1]; i++)
            for (uint64_t j = i + 1; j < gr->off[g + 1]; j++) {
                pairs++;
                if (known(gr, i) && known(gr, j)) {
                    linked++;
                    continue;
                }
                uint32_t x = gr->dyn ? dynamics_number(gr->dyn, gr->member[i], t) : gr->member[i];
                uint32_t y = gr->dyn ? dynamics_number(gr->dyn, gr->member[j], t) : gr->member[j];
                linked += (uint64_t)knowledge_found(k, x, y);
            }
    double day = (double)now / 86400.0;
    sim_metric(s, acq, day, "group_membership_recall", ratio(members_known, slots));
    sim_metric(s, acq, day, "group_pair_recall", ratio(linked, pairs));
    sim_metric(s, acq, day, "group_records_acquired", (double)gr->acquired);
}

void groups_describe(const struct groups *gr, FILE *f)
{
    uint64_t slots = gr->off[gr->n];
    fprintf(f, "groups: %u groups of %.1f members on average, %.1f groups a client\n", gr->n,
            gr->n ? (double)slots / gr->n : 0.0, gr->nclients ? (double)slots / gr->nclients : 0.0);
}
