/* locating — what the records the adversary acquired say of where people
 * are, and the location metrics after each acquisition.
 *
 * A record names its querier and its time; the address it came from is a
 * function of (querier, hour) in the network model (mobility.h), so the
 * record's point is that address geolocated under the log's IP policy, at
 * the time the record shows, classified as a night or work-hours point by
 * the adversary's rule in the local time of the querier's home region (the
 * adversary reads it from the number's area code), and flagged coarse when
 * the address is a carrier's or a VPN's (which connection-type databases
 * tell).  The points go into the location knowledge (location.h), whose
 * metrics are reported after each acquisition: homes, workplaces, located
 * user-days, unicity, co-location, and the same over the targets
 * (docs/metrics.md, "Location metrics").
 *
 * The records come from the adversary as (querier << 32 | time)
 * (adversary_keep_records); at a report they are sorted in place by
 * (querier, time) (a radix sort on the querier, O(records), with no second
 * buffer) and located person by person (the pages of the records located
 * go back to the system as the store grows: madvise MADV_DONTNEED, so their
 * contents are zeros afterwards), so that the per-person
 * state (trips, home, work) is read in address order and the geolocation of
 * an address is computed once for a run of its records. */
#ifndef EXPOSIM_LOCATING_H
#define EXPOSIM_LOCATING_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "cfg.h"
#include "location.h"
#include "mobility.h"
#include "population.h"
#include "serverlog.h"

struct sim;

/* The scenario's <inference><location> element. */
struct locating_params {
    struct location_params loc;           /* the location knowledge's resolution and samples */
    int unicity_k;                        /* unicity reported for k = 1 .. this (1..6) */
    struct mobility_hours hours;          /* the adversary's rule for night and work hours */
};

/* Read <inference><location> (n may be NULL: all defaults): the
 * adversary's hours (default: the mobility model's, model_hours), the
 * clustering radius, the cell size, unicity's k and probes, co-location's
 * hours; the points' time resolution follows the log's (hourly, or daily
 * when the log keeps days or no time).  0, or -1 with diagnostics. */
int locating_configure(struct locating_params *p, struct cfg *c, const struct cfg_node *n,
                       const struct mobility_hours *model_hours, const struct serverlog_policy *log);

/* One replication's location inference. */
struct locating {
    const struct locating_params *p;
    const struct population *pop;
    const struct mobility *mob;
    const struct serverlog *log;
    struct location where;                /* the points acquired so far */
    uint8_t *locatable;                   /* per person: a client (only clients make lookups) */
    gsl_rng *rng;                         /* the location metrics' samples ("location" stream) */
};

/* An empty inference over pop's people and horizon_s seconds; every
 * pointer must outlive l.  0 or -1 (OOM). */
int locating_init(struct locating *l, const struct locating_params *p, const struct population *pop,
                  const struct mobility *mob, const struct serverlog *log, int64_t horizon_s, gsl_rng *rng);
/* Safe on a zeroed or destroyed struct. */
void locating_destroy(struct locating *l);

/* The family's report after acquisition `acq` at `now` (seconds): locate
 * the n records acquired since the last report (rec: querier << 32 |
 * record time, reordered here and then zeroed page by page, as it is
 * read: the caller must not read them afterwards), add their points, and
 * report, in this
 * order, home_share, home_error_median_km, home_within_1km,
 * home_within_10km, home_error_max_km, work_share, work_error_median_km,
 * work_within_1km, work_within_10km, work_error_max_km, user_days_located,
 * unicity_1 .. unicity_K, colocation_pairs, colocation_precision; with
 * targets (ntargets ids; NULL: none) the same place and day metrics over
 * the targets who are clients, as target_*.  Cost: O(n) to sort and locate,
 * the store's merge, and location_metrics.  0, or -1 after sim_fail (out of
 * memory). */
int locating_report(struct locating *l, struct sim *s, uint32_t acq, int64_t now, uint64_t *rec, size_t n,
                    const uint32_t *targets, uint32_t ntargets);

#endif
