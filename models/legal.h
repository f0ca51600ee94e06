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

/* When each true contact of a target was first known: the time of the
 * report (an acquisition) after which the pair {target, contact} was
 * found, kept across reports (an open-addressing map on target << 32 |
 * contact; 12 bytes a found pair at most twice over). */
struct legal {
    uint64_t *key;                        /* UINT64_MAX: an empty slot */
    int64_t *at;                          /* seconds */
    size_t n, cap;                        /* cap a power of two, or 0 */
    int64_t last;                         /* the last report's time */
    int reported;                         /* a report was made */
};
void legal_init(struct legal *l);
void legal_destroy(struct legal *l);

/* The report (every metric above in that order) after acquisition acq at
 * `now`; w and lambda as above (w NULL and lambda NaN: no bands, NaN).
 * Notes in l the contacts found for the first time.  0, or -1 after
 * sim_fail (out of memory). */
int legal_report(struct sim *s, struct legal *l, uint32_t acq, int64_t now, const struct adversary *a,
                 const struct knowledge *k, const float *w, double lambda);

/* At the end of a replication, the run's tables (docs/metrics.md):
 *   targets.csv   a row per target: target, depth (hops from the first
 *                 targets), since_day (when it became one), degree (its
 *                 true contacts), contacts_found, ego_recall (NA without
 *                 contacts), covered_days (its own covered time, as
 *                 target_covered_days), first_day (when it was first in a
 *                 found pair; NA: never)
 *   contacts.csv  a row per true contact of each target: target, contact,
 *                 rate_per_day (the tie's lookup rate in each direction;
 *                 NA when unknown), band (rare, monthly, weekly, daily, or
 *                 NA), first_day (the day of the acquisition after which
 *                 the pair was first known; NA: never)
 * Both as of the last report, as the metrics: the targets it counted
 * (one found by the expansion after it has no report, and no row), each
 * one's contacts found then; in ascending id order, each one's contacts
 * in ascending order.  first_day of a contact is exact to the report for
 * the first targets; for a target found by expansion, it is the first
 * report after it became one (a pair found before is not dated).  w and
 * lambda as for legal_report. */
void legal_tables(struct sim *s, const struct legal *l, const struct adversary *a, const struct knowledge *k,
                  const float *w, double lambda);

#endif
