/* estimate — what one replication of a scenario is expected to cost, from
 * its parameters alone (nothing is built): lookups, events, peak memory,
 * CPU time.  Each model family adds its part, in the order the world wires
 * them (world_estimate in world.c calls them); estimate_finish sums them
 * into the engine's struct sim_estimate, which `exposim validate` prints and
 * `run` and `sweep` check against the machine (sim/budget.h).
 *
 * Expected counts are means of the model's laws (a Poisson process of rate
 * r over T days: r T).  Memory follows the structures' documented sizes
 * (graph.h: 4 bytes a directed entry and 8 a person; serverlog.h: 8 bytes
 * a retained record; ...), and is taken on the conservative side where a
 * structure grows by steps (the engine's day batch, the hash set of
 * non-contact pairs).  What cannot be counted from the layout (the
 * allocator's and the libraries' share, the location metrics' scratch) was
 * measured, and the constants below say where: docs/metrics.md, "The
 * estimate", compares the estimate with measured peaks and counts. */
#ifndef EXPOSIM_ESTIMATE_H
#define EXPOSIM_ESTIMATE_H

#include <stdint.h>

#include "addressbook.h"
#include "adversary.h"
#include "contacts.h"
#include "dynamics.h"
#include "enumeration.h"
#include "groups.h"
#include "knowledge.h"
#include "mobility.h"
#include "population.h"
#include "serverlog.h"
#include "services.h"
#include "sim.h"
#include "traffic.h"

/* CPU seconds on the machine the constants were measured on (2 cores, the
 * program built with `make`; docs/metrics.md, "The estimate"): per event
 * dispatched, per record logged, per record located (with <mobility>), per
 * directed entry and person built, per tie and acquisition of the
 * community detection. */
#define ESTIMATE_S_EVENT 8.0e-8
#define ESTIMATE_S_RECORD 3.0e-8
#define ESTIMATE_S_LOCATED 2.5e-7
#define ESTIMATE_S_ENTRY 3.0e-8
#define ESTIMATE_S_COMMUNITY 1.0e-7       /* per tie and acquisition, with true communities */
/* Bytes of a process that has loaded the libraries and the scenario,
 * before any family allocates (measured: N = 10 runs in 11 MiB). */
#define ESTIMATE_BASE_BYTES (12.0 * 1048576)

/* The running sums, filled in by the families in order. */
struct estimate {
    double days;                          /* the horizon */
    double people;                        /* N */
    double numbers;                       /* numbers ever in use (N, more with number changes) */
    double clients;                       /* people who look up */
    double entries;                       /* directed entries of the conversation graph (2 x ties) */
    double truth_entries;                 /* directed entries of the graph findings are measured against */
    int labels;                           /* the graph has true communities (community detection runs) */
    double starts_day;                    /* conversation starts a day (mean) */
    double peak_factor;                   /* the busiest day over the mean day (a weekly profile) */
    double extra_peak_day;                /* events the busiest day holds beyond that (an enumeration) */
    double burst_day, burst_total;        /* an enumeration's lookups a day while it runs, in all */
    double burst_held;                    /* records its busy days add to the log's at once */
    double lookups_day;                   /* records offered to the main log a day (mean) */
    double events_day;                    /* batch entries a day (mean) */
    double noncontact_day;                /* lookups of pairs that are not ties, a day */
    double outside_day;                   /* records naming no person (accounts, groups), a day */
    double located;                       /* records located (with <mobility>) */
    double acquisitions;                  /* the adversary's, over the run */
    double extra_log_bytes;               /* the other services' logs and knowledges */
    double bytes_run;                     /* held through the run */
    double bytes_world;                   /* the world built (population, graphs, books), before the logs */
    double bytes_build;                   /* held only while the world is built (edge lists) */
    double bytes_transient;               /* the largest scratch of one step (the day batch, a report) */
    double retention_days;                /* the main log's records kept, in days of lookups */
    double sampling;
};

/* A fresh sum for a run of `run` (the horizon). */
void estimate_begin(struct estimate *e, const struct sim_run_params *run);

/* Each family's part, in the world's wiring order. */
void estimate_population(struct estimate *e, const struct population_params *p);
void estimate_contacts(struct estimate *e, const struct contacts_params *p, const struct population_params *pop);
void estimate_dynamics(struct estimate *e, const struct dynamics_params *p);
void estimate_addressbook(struct estimate *e, const struct addressbook_params *p);
/* services_on: with several services everyone starts conversations. */
void estimate_traffic(struct estimate *e, const struct traffic_params *p, const struct contacts_params *cp,
                      int services_on);
void estimate_groups(struct estimate *e, const struct groups_params *p);
void estimate_enumeration(struct estimate *e, const struct enumeration_params *p);
void estimate_serverlog(struct estimate *e, const struct serverlog_policy *p);
void estimate_services(struct estimate *e, const struct services_params *p, const struct knowledge_params *k);
void estimate_knowledge(struct estimate *e, const struct knowledge_params *p);
void estimate_adversary(struct estimate *e, const struct adversary_params *p, int mobility);
void estimate_mobility(struct estimate *e, const struct mobility_params *p);

/* The sums as the engine's estimate of one replication. */
void estimate_finish(const struct estimate *e, struct sim_estimate *out);

#endif
