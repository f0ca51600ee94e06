/* runutil — the tests of the richer world's families run scenarios in
 * the test process (world_model, as `exposim run` does) and read metrics
 * back from the results: helpers shared by their suites. */
#ifndef EXPOSIM_RUNUTIL_H
#define EXPOSIM_RUNUTIL_H

#include <stdint.h>

#include "results.h"

/* Run every replication of the scenario text `xml` into res (results_init
 * done here; results_destroy it).  Fails the test when the scenario does
 * not load or a replication fails. */
void ru_run(const char *xml, struct results *res);
/* The model's estimate of one replication of the scenario text `xml`
 * (world_model.estimate), and its <run> in *run (may be NULL).  Fails the
 * test when the scenario does not load. */
struct sim_estimate;
struct sim_run_params;
void ru_estimate(const char *xml, struct sim_estimate *out, struct sim_run_params *run);
/* The value of `metric` after acquisition acq (1-based; 0: the last) of
 * replication rep (0-based); NaN when absent. */
double ru_value(const struct results *res, uint32_t rep, uint32_t acq, const char *metric);
/* The mean over replications 0 .. reps - 1 of ru_value(.., acq, metric). */
double ru_mean(const struct results *res, uint32_t reps, uint32_t acq, const char *metric);

#endif
