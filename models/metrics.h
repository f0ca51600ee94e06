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
 *                   edges touching a target */
#ifndef EXPOSIM_METRICS_H
#define EXPOSIM_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "inference.h"

struct sim;

/* A union of time intervals (lo, hi], kept sorted and disjoint. */
struct coverage {
    int64_t (*iv)[2];
    size_t n, cap;
};

void coverage_init(struct coverage *c);
void coverage_destroy(struct coverage *c);
/* Add (lo, hi]; empty when hi <= lo.  O(number of intervals).  0 or -1 (OOM). */
int coverage_add(struct coverage *c, int64_t lo, int64_t hi);
int64_t coverage_total(const struct coverage *c);

/* Report the metrics above for acquisition `acq` at time `now` (seconds). */
void metrics_report(struct sim *s, uint32_t acq, int64_t now,
                    const struct knowledge *k, const struct coverage *c);

/* With a keyed hash of the queried number: reid_share (pseudonyms linked to
 * the previous key epoch, of those whose person was seen then) and
 * reid_precision (links to the same person), knowledge_reidentify. */
struct serverlog;
void metrics_report_reid(struct sim *s, uint32_t acq, int64_t now, struct knowledge *k,
                         const struct serverlog *log);

/* With targets: ego_recall, the share of true edges with at least one end
 * among the targets (sorted ids) that have been found.  NaN when the targets
 * have no contacts.  O(sum of the targets' degrees x log). */
void metrics_report_ego(struct sim *s, uint32_t acq, int64_t now, const struct knowledge *k,
                        const uint32_t *targets, uint32_t ntargets);

#endif
