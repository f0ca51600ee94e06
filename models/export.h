/* export — what a replication's generated world looks like from outside:
 * the summary `exposim run` and `exposim generate` print (population and
 * contact graph), and the files `exposim generate` writes (population.csv,
 * edges.csv, graph.graphml, through sim/graphio and sim/results). */
#ifndef EXPOSIM_EXPORT_H
#define EXPOSIM_EXPORT_H

#include <stdio.h>

#include "contacts.h"
#include "diag.h"
#include "population.h"

/* Print the population (clients, workers, VPN users, regions) and the
 * contact graph (edges, degrees, clustering, components: graph_stats,
 * O(m sqrt m)), and what building or reading it reported, to f. */
void export_describe(FILE *f, const struct population *pop, const struct population_params *pp,
                     const struct contacts *ct, const struct contacts_params *cp);

/* Stage population.csv (id, degree, client, worker, vpn, [community],
 * [region, home and work points]), edges.csv (source, target[, weight];
 * weight when `weighted`: the tie strengths in ct->weight) and, when
 * graphml, graph.graphml into `staged` (a struct results_staged *) for the
 * caller's atomic commit.  0, or -1 with diagnostics. */
int export_world(const struct population *pop, const struct contacts *ct, int weighted, void *staged,
                 int graphml, struct diag *d);

#endif
