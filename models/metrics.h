/* metrics — what the adversary's knowledge is worth, measured against the
 * truth after every acquisition (definitions: docs/metrics.md).
 *
 *   edge_recall     true contact pairs found / true contact pairs
 *   edge_precision  true pairs found / all distinct pairs found (NaN if none)
 *   node_coverage   people in at least one found pair / N
 *   covered_days    measure, in days, of the union of the time windows the
 *                   acquired logs covered
 *   exposure_*_day  mean, median and 90th percentile of the time (days) at
 *                   which each person exposed so far was first exposed
 *   ego_recall      (with targets) true edges touching a target found / true
 *                   edges touching a target
 *   ego_precision   (with targets) true pairs touching a target found / all
 *                   distinct pairs touching a target found
 *   khop_coverage_h (with targets, h = 1, 2) people at 1..h hops from the
 *                   targets in the true graph who are at 1..h hops from them
 *                   in the rebuilt graph / people at 1..h hops in the truth
 *   target_covered_days, target_holes  (with targets) the mean over targets
 *                   of each one's covered time and of the gaps in it
 *   degree_ks       Kolmogorov-Smirnov distance between the rebuilt and the
 *                   true degree distributions over all N people
 *   community_nmi   (with true communities) NMI between the communities
 *                   found on the rebuilt graph (community.h: local moving,
 *                   then igraph's Leiden) and the true ones */
#ifndef EXPOSIM_METRICS_H
#define EXPOSIM_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "coverage.h"
#include "knowledge.h"

struct sim;

/* The state the graph metrics keep between reports of one replication:
 * scratch arrays sized to N (allocated on first use) and, with true
 * communities, the previous partition found (the next detection starts
 * from it: the rebuilt graph only grows, so it is a good start and saves
 * most of the work; the result stays a function of the seeds and of the
 * acquisitions so far). */
struct metrics {
    const struct graph *truth;
    const uint32_t *labels;               /* true community per person, or NULL */
    gsl_rng *rng;                         /* seeds each igraph Leiden run; NULL: seed 0 */
    uint32_t *deg;                        /* rebuilt degree per person */
    uint8_t *dist_true, *dist_rebuilt;    /* BFS hops from the targets (0xff: > 2) */
    uint32_t *queue;
    uint64_t *foff;                       /* non-contact pairs as adjacency rows */
    uint32_t *fadj;
    uint64_t fcap;
    uint32_t *membership;                 /* the last partition found */
    int warm;                             /* membership holds one */
    uint64_t nmi_pairs;                   /* found pairs when community_nmi was last computed */
    double nmi;                           /* its value (NaN: none yet) */
    uint32_t *edges;                      /* the rebuilt edge list, for community_leiden */
    uint64_t edges_cap;
};

/* labels and rng may be NULL; neither is copied (they must outlive m).
 * Allocates nothing yet.  0. */
int metrics_init(struct metrics *m, const struct graph *truth, const uint32_t *labels, gsl_rng *rng);
void metrics_destroy(struct metrics *m);

/* The graph family's report after acquisition `acq` at time `now`
 * (seconds), every metric above in this order: edge_recall, edge_precision,
 * node_coverage, covered_days, exposure_mean_day, exposure_median_day,
 * exposure_p90_day; with targets (ntargets sorted ids, the same as a bitset
 * tbits of N bits; targets NULL: none) ego_recall, ego_precision,
 * khop_coverage_1, khop_coverage_2, target_covered_days, target_holes
 * (covered: the time the acquired logs cover; tcov: the mean over targets of
 * each one's covered days and holes, adversary_target_coverage; NULL: every
 * target's is `covered`) and targets (their number); then degree_ks, and
 * community_nmi when m has true labels.  Cost: O(N + m) for the degrees;
 * with targets O(sum of the targets' degrees x log) for ego_recall,
 * O(capacity of the non-contact pair set) for ego_precision, the two-hop
 * balls of the targets plus O(N + non-contact pairs) for khop; with labels
 * community detection on the rebuilt graph (community.h) and O(N log N)
 * for the NMI.  0, or -1 after sim_fail (out of memory). */
int metrics_report(struct metrics *m, struct sim *s, uint32_t acq, int64_t now, const struct knowledge *k,
                   const struct coverage *covered, const uint32_t *targets, uint32_t ntargets,
                   const uint64_t *tbits, const double *tcov);

/* ---- the computations behind the reports (for tests) ------------------ */

/* Ego recall and precision of the targets: among true edges touching a
 * target (counted once), the share found; among distinct found pairs
 * touching a target, the share that are true contacts.  NaN when the
 * denominator is 0. */
void metrics_ego(const struct knowledge *k, const uint32_t *targets, uint32_t ntargets,
                 const uint64_t *tbits, double *recall, double *precision);
/* cov[h - 1] = khop_coverage_h for h = 1, 2 (NaN when nobody is within h
 * hops of the targets in the truth).  0 or -1 (out of memory). */
int metrics_khop(struct metrics *m, const struct knowledge *k, const uint32_t *targets, uint32_t ntargets,
                 double cov[2]);
/* The rebuilt degree of every person into m->deg (found pairs touching
 * them, non-contact ones included), a copy of what the knowledge keeps as
 * it finds pairs (knowledge.degree).  O(N).  0 or -1. */
int metrics_rebuilt_degrees(struct metrics *m, const struct knowledge *k);
/* sup_k |F_rebuilt(k) - F_true(k)| over the degree CDFs of all N people.
 * Calls metrics_rebuilt_degrees.  0 or -1. */
int metrics_degree_ks(struct metrics *m, const struct knowledge *k, double *ks);
/* Communities of the rebuilt graph (community_leiden) and their NMI against
 * m->labels (which must be set; people labelled UINT32_MAX are left out);
 * *ncomm gets the communities found (may be NULL).  0 or -1. */
int metrics_community_nmi(struct metrics *m, const struct knowledge *k, double *nmi, uint32_t *ncomm);

#endif
