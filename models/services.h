/* services — several services, each with its own log and policy, and an
 * adversary that fuses what their providers deliver (the scenario's
 * <services>).
 *
 * Service 0 is the scenario's <policy> log: its users are the clients, and
 * the world logs it as before.  Each <service> adds one (1 .. n), used by
 * each person with probability share (one uniform a person and service,
 * in person order, from a substream of the population stream), with its
 * own <policy> (retention, logging; e.g. a messenger with private contact
 * discovery, or SMS with the carrier's call-detail records).
 *
 * Routing.  Everyone starts conversations (not only clients).  A start
 * a -> b makes the lookup on service 0 when a is a client (the app looks
 * every number it writes to up, as iMessage does to pick the bubble's
 * colour); the conversation goes over service 0 when b is a client too,
 * else over a service both use, picked with probability proportional to
 * the services' weights (each start independently, from a substream of
 * the traffic stream), whose log keeps one record (a, b) of it under its
 * policy; with none shared it is lost.  So a pair both of whose ends use
 * services i and j (and not service 0) has its starts split between them,
 * two independent Poisson streams: fused recall 1 - (1 - r_i)(1 - r_j).
 *
 * The adversary's orders reach every provider: each acquisition of the
 * first log (adversary.h) is repeated on each other log at the same time
 * (adversary_collect), a pen register's deliveries come from every log,
 * and each service's findings go into a knowledge of its own (against the
 * world's truth graph).  The adversary joins them on the phone number.
 *
 * Report after each acquisition (docs/metrics.md), for each service NAME
 * (service 0 is named by <services primary>): NAME_edge_recall,
 * NAME_edge_precision, NAME_records (records acquired from it) and
 * NAME_user_recall (ties whose both ends use NAME found by the fused
 * adversary: how exposed that service's users' ties are); then
 * fused_edge_recall, fused_edge_precision and fused_node_coverage (pairs
 * and people found in any service's records).  Memory: 2 bytes a person,
 * and a log and a knowledge per service. */
#ifndef EXPOSIM_SERVICES_H
#define EXPOSIM_SERVICES_H

#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "adversary.h"
#include "coverage.h"
#include "dynamics.h"
#include "graph.h"
#include "knowledge.h"
#include "serverlog.h"

#define SERVICES_MAX 16                   /* service 0 and at most 15 more */
#define SERVICES_NONE UINT32_MAX          /* a start that no service carries */

/* The <services> element. */
struct services_params {
    int on;
    uint32_t n;                           /* services, the first included */
    char name[SERVICES_MAX][65];
    double share[SERVICES_MAX], weight[SERVICES_MAX];
    struct serverlog_policy policy[SERVICES_MAX];   /* [0] unused: the world's <policy> */
};

struct services {
    const struct services_params *p;
    uint32_t people;
    const struct dynamics *dyn;           /* numbers to people, or NULL */
    const uint8_t *flags;                 /* per number: population flags (clients use service 0) */
    uint8_t client_bit;
    uint16_t *uses;                       /* per person: bit i, the person uses service i (i >= 1) */
    struct serverlog log[SERVICES_MAX];   /* [1 .. n): each service's log */
    struct knowledge known[SERVICES_MAX]; /* [1 .. n): what its provider delivered */
    struct coverage covered[SERVICES_MAX];
    gsl_rng *policy_rng[SERVICES_MAX];    /* each log's sampling */
    gsl_rng *route;                       /* the choice among shared services */
    uint64_t lost;                        /* starts no service carried */
};

struct cfg;
struct cfg_node;
/* Read <services> (e may be NULL: off); mobility: the scenario has a
 * <mobility> element (not modelled with several services: an error).
 * 0, or -1 with diagnostics. */
int services_configure(struct services_params *p, struct cfg *c, const struct cfg_node *e, int mobility);

/* Who uses what (from population_seed's substream), the logs (sampling
 * from policy_seed's), the knowledges against truth (a pair found from its
 * min_count-th record), the routing draws (from traffic_seed's).
 * contacts_only: the knowledges may take the world's promise
 * (knowledge_set_contacts_only).  O(N x services).  0 or -1 (OOM). */
int services_init(struct services *sv, const struct services_params *p, const struct graph *truth,
                  uint32_t people, const struct dynamics *dyn, const uint8_t *flags, uint8_t client_bit,
                  uint32_t min_count, int contacts_only, uint32_t population_seed, uint32_t policy_seed,
                  uint32_t traffic_seed);
void services_destroy(struct services *sv);

/* A start a -> b (numbers): *lookup says whether a makes the lookup on
 * service 0; returns the service carrying it when that is not service 0
 * (1 .. n - 1), else 0, or SERVICES_NONE when no service carries it. */
uint32_t services_route(struct services *sv, uint32_t a, uint32_t b, int *lookup);
/* Log the start on service i at t; a running pen-register term receives
 * the records written.  0 or -1 (OOM). */
int services_log(struct services *sv, uint32_t i, uint32_t t, uint32_t a, uint32_t b, struct adversary *adv);
/* Before the adversary acts at now: each log's batches due are written
 * (and delivered to a running term).  0 or -1. */
int services_write_due(struct services *sv, int64_t now, struct adversary *adv);
/* The acquisition of strategy `which` at now, on every other provider's
 * log (adversary_collect).  0 or -1 (OOM). */
int services_acquire(struct services *sv, int64_t now, uint32_t which, struct adversary *adv);

/* One line for the run's summary: each service's users. */
void services_describe(const struct services *sv, FILE *f);

struct sim;
/* The family's report after acquisition acq at now; k0 is service 0's
 * knowledge (the world's).  0, or -1 after sim_fail. */
int services_report(struct services *sv, struct sim *s, uint32_t acq, int64_t now, const struct knowledge *k0);

#endif
