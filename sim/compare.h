/* compare — `exposim compare`: paired differences between two runs, or
 * between sweep points, that share their replications' random streams.
 *
 * Replication r of two runs of one scenario seed (or of two points of a
 * sweep) draws the same population, contacts and traffic wherever the
 * scenarios agree (common random numbers), so the difference B − A of
 * replication r's final values removes most of the noise two independent
 * runs would carry.  Per metric both sides report, over the replications
 * both have (a value that is NA on either side is left out):
 *   mean_a, mean_b     the means of the paired values
 *   diff_mean, diff_sd the mean and sd of the differences B − A
 *   diff_ci95_*        their Student-t 95% interval (n − 1 degrees of
 *                      freedom)
 *   n                  the pairs
 *   indep_ci95_*       for contrast, the Welch interval of mean_b − mean_a
 *                      as if the two samples were independent
 *   width_ratio        the paired interval's width over the independent
 *                      one's (NA when the latter is 0)
 *
 * A side is a run directory (its timeseries.csv: each replication's last
 * value) or a sweep directory and a point, "DIR:P" (its sweep.csv).  Two
 * runs with the same acquisition days also give differences.csv, the
 * difference after every acquisition (replication,acquisition,day,metric,
 * value).  With a reference point, every point of a sweep is compared
 * with it: paired-summary.csv, laid out as sweep-summary.csv (point,
 * PATH..., M_mean, M_sd, M_ci95_low, M_ci95_high, M_n), the reference
 * point's row all 0.
 *
 * Writes into the output directory (default results/compare-A-vs-B/ or
 * results/SWEEP-vs-point-P/) compare.csv (two sides), differences.csv (two
 * runs, same days), paired-summary.csv (a reference point), manifest.xml
 * (what was compared, the command, the times), all staged and renamed
 * together, then draws them (plot.h: figures/ and report.html).  Returns
 * 0, 2 (bad usage or input: FILE:LINE diagnostics, nothing written) or 1
 * (a write or drawing failure). */
#ifndef EXPOSIM_COMPARE_H
#define EXPOSIM_COMPARE_H

#include "diag.h"

struct sim_model_type;

struct compare_opts {
    const char *a, *b;                 /* two sides (run directories or DIR:P) */
    const char *sweep;                 /* or: a sweep directory ... */
    unsigned reference;                /* ... and its reference point (1-based) */
    const char *outdir;                /* NULL: the default */
    int quiet;
    const struct sim_model_type *const *models;   /* for the figures' metric table */
    int argc;                          /* the command line, for the manifest */
    char **argv;
};

int compare_run(const struct compare_opts *o, struct diag *d);

#endif
