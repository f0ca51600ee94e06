/* catalog — the metrics the scenario model reports, described once: each
 * metric's title, unit, axis label and whether it is a share, and the
 * closed form of edge_recall where the scenario has one.  The model hands
 * the table to the engine (struct sim_model_type.metrics); figures,
 * reports and the intervals of shares come from it, and check_catalog
 * compares docs/metrics.md with it. */
#ifndef EXPOSIM_CATALOG_H
#define EXPOSIM_CATALOG_H

#include "sim.h"

/* Every metric of the scenario model, ended by a row whose name is NULL. */
extern const struct sim_metric_info catalog_metrics[];

#endif
