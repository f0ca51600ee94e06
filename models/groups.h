/* groups — group conversations as hyperedges with server-side membership
 * (the scenario's <groups>).
 *
 * Groups.  There are clients x per_person / size_mean groups (rounded),
 * each of 2 + Poisson(size_mean - 2) clients (at most all of them): a
 * uniform client and as many of its client contacts as it has (uniform,
 * distinct; a few draws each), the rest uniform clients.  Stored as one
 * array of member slots (8 bytes a group, 4 a member, a bit a member for
 * what the adversary knows): no heap object per group.  Formed from a
 * substream of the contacts stream.
 *
 * Events (a substream of the traffic stream): each group receives sends as
 * a Poisson process of sends_per_day, each by a uniform member; and
 * membership changes as one of changes_per_year: a uniform member leaves
 * and another client joins, a client contact of a uniform remaining member
 * if one is not in the group yet (a few draws), else a uniform client.
 *
 * What the log keeps (the server's log of the first service; a member
 * sends from their number of the day):
 *   sends="fanout"  a send is one record (sender, member) per other member,
 *                   as a client that encrypts to each member itself looks
 *                   each up: pairs, which the knowledge learns as any;
 *   sends="group"   one record (sender, group id): the server fans out;
 *   sends="none"    nothing;
 *   membership="logged"  a change leaves (leaver, group id) and (joiner,
 *                   group id).
 * Group ids are numbers outside the population (numbers.h): the adversary
 * reads from such a record that the querier was in the group.  With
 * server_membership="kept" the server holds each group's member list and
 * every acquisition obtains it too: a bulk one every group's, a targeted
 * one the lists of the groups with a target member.
 *
 * Report after each acquisition (docs/metrics.md): group_membership_recall
 * (current memberships the adversary knows / current memberships),
 * group_pair_recall (pairs of current co-members the adversary links, by
 * knowing both in the same group or by a found pair / such pairs, counted
 * per group) and group_records_acquired (records naming a group acquired
 * so far). */
#ifndef EXPOSIM_GROUPS_H
#define EXPOSIM_GROUPS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "batch.h"
#include "dynamics.h"
#include "graph.h"
#include "knowledge.h"

#define GROUPS_EV_SEND 18u                /* a = group, b = the sender's slot */
#define GROUPS_EV_CHANGE 19u              /* a = group, b = the leaver's slot */

enum groups_sends { GROUPS_SENDS_FANOUT, GROUPS_SENDS_GROUP, GROUPS_SENDS_NONE };

/* The <groups> element. */
struct groups_params {
    int on;
    double per_person, size_mean, sends_per_day, changes_per_day;
    enum groups_sends sends;
    int membership_logged;                /* a change leaves records */
    int server_kept;                      /* the server holds member lists in the clear */
};

struct groups {
    const struct groups_params *p;
    uint32_t n;                           /* groups */
    uint64_t *off;                        /* per group: its first slot (n + 1) */
    uint32_t *member;                     /* per slot: a person */
    uint64_t *known;                      /* bit per slot: the adversary knows the member is in */
    const struct graph *g0;               /* the contacts of time 0 (people) */
    const uint8_t *flags;                 /* per person: population flags */
    uint8_t client_bit;
    const struct dynamics *dyn;           /* people's numbers over time, or NULL */
    uint32_t *clients, nclients;
    gsl_rng *events;
    uint32_t *buf;                        /* a send's records: time, querier, queried */
    size_t bufcap;
    uint64_t sends, changes, acquired;
};

struct cfg;
struct cfg_node;
/* Read <groups> (e may be NULL: off).  0, or -1 with diagnostics. */
int groups_configure(struct groups_params *p, struct cfg *c, const struct cfg_node *e);
/* Form the groups among the clients of g0 (flags per person), from
 * structure_seed's substream; events from events_seed's.  O(groups x
 * size).  0 or -1 (OOM). */
int groups_init(struct groups *gr, const struct groups_params *p, const struct graph *g0, const uint8_t *flags,
                uint8_t client_bit, const struct dynamics *dyn, uint32_t structure_seed, uint32_t events_seed);
void groups_destroy(struct groups *gr);
/* The slice's sends and membership changes into the batch.  0 or -1. */
int groups_slice(struct groups *gr, struct batch *b, int64_t start, int64_t end);
/* A send (GROUPS_EV_SEND) or a change (GROUPS_EV_CHANGE) at t: the records
 * the log keeps of it, *n triples (time, querier, queried) at the returned
 * array (valid until the next call).  O(group size); a change draws the
 * joiner. */
const uint32_t *groups_send(struct groups *gr, uint32_t group, uint32_t slot, uint32_t t, size_t *n);
const uint32_t *groups_change(struct groups *gr, uint32_t group, uint32_t slot, uint32_t t, size_t *n);

/* One line for the run's summary. */
void groups_describe(const struct groups *gr, FILE *f);

struct sim;
/* The report after acquisition acq at now: outside (n records, querier
 * << 32 | number: adversary_take_outside) the outsider records acquired
 * since the last report; targeted, and the targets as a bit per number
 * (tbits, NULL without): which member lists a kept membership table
 * gives; k: the adversary's knowledge. */
void groups_report(struct groups *gr, struct sim *s, uint32_t acq, int64_t now, const uint64_t *outside, size_t n,
                   int targeted, const uint64_t *tbits, const struct knowledge *k);

#endif
