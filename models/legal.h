/* legal — what the legal process gave, target by target, and what it cost
 * (docs/metrics.md, the definitions table): reported after every
 * acquisition of a scenario with <targets>, from the adversary's own
 * bookkeeping and the knowledge.
 *
 *   target_ego_recall_mean, _p10, _p50, _p90
 *                   over the targets: the share of each target's true
 *                   contact pairs found (targets without contacts left out)
 *   target_covered_days_p10, _p50, _p90
 *                   over the targets: each one's covered time (as
 *                   target_covered_days)
 *   target_first_day_p10, _p50, _p90
 *                   over the targets found so far (in a found pair): the
 *                   day each was first found
 *   ego_recall_rare, _monthly, _weekly, _daily
 *                   the targets' contact pairs found, by the tie's lookup
 *                   rate w per direction: w < 1/30 a day, 1/30 <= w < 1/7,
 *                   1/7 <= w < 1, w >= 1 (NaN when no pair is in the band)
 *   orders_served   historical orders, pen-register terms (the first and
 *                   each extension), orders served at once at expansion
 *   extensions      pen-register extensions granted
 *   target_days_ordered  target-days under a pen-register order
 *   records_delivered    records obtained, repeats included
 *   recall_per_order     ego_recall / orders_served (NaN before an order)
 *
 * Cost: O(sum of the targets' degrees x log) and O(targets log targets). */
#ifndef EXPOSIM_LEGAL_H
#define EXPOSIM_LEGAL_H

#include <stdint.h>

#include "adversary.h"
#include "knowledge.h"

struct sim;

/* Target i's (of a->targets) ego recall: its true contact pairs found /
 * its degree in k->truth (NaN without contacts); with `w` (the tie rate
 * per adjacency entry of k->truth, NULL: every tie `lambda`), the pairs
 * found and in all per band are added to found[4] and all[4]. */
double legal_target_recall(const struct adversary *a, const struct knowledge *k, uint32_t i, const float *w,
                           double lambda, uint64_t found[4], uint64_t all[4]);

/* The report (every metric above in that order) after acquisition acq at
 * `now`; w and lambda as above (w NULL and lambda NaN: no bands, NaN).
 * 0, or -1 after sim_fail (out of memory). */
int legal_report(struct sim *s, uint32_t acq, int64_t now, const struct adversary *a, const struct knowledge *k,
                 const float *w, double lambda);

#endif
