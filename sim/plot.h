/* plot — `exposim plot DIR`: figures and an HTML report from a results
 * directory.
 *
 * From a run's timeseries.csv: one figure per metric, its mean over
 * replications at each acquisition (x: the acquisition's day, averaged over
 * replications when a random breach puts it on different days) with the
 * Student-t 95% interval as a band, computed as summary.csv computes its
 * row (results_stat_of), so the last point of each figure is summary.csv's;
 * the rows are grouped by one sort, O(R log R), and a second value for the
 * same (replication, acquisition, metric) is an error at its line.
 * From a sweep's sweep-summary.csv: one figure per metric, its mean with
 * the interval as error bars at each point (x: the one parameter that
 * varies when there is exactly one and it is numeric, else the point
 * number).
 *
 * Writes DIR/figures/ (per metric M: M.csv, the plotted numbers through
 * libcsv; M.png and M.svg, drawn by gnuplot from plots.gp) and
 * DIR/report.html (the summary table and every figure).  The figures are
 * made in a temporary directory that replaces figures/ only when gnuplot
 * has drawn them all, and report.html is written to a temporary name and
 * renamed: a failure leaves what was there.  Returns 0, 2 (not a results
 * directory, or a malformed file: FILE:LINE diagnostics) or 1 (gnuplot
 * missing or failing, a write error). */
#ifndef EXPOSIM_PLOT_H
#define EXPOSIM_PLOT_H

#include "diag.h"

int plot_results(const char *dir, int quiet, struct diag *d);

#endif
