/* plot — `exposim plot DIR`: figures and an HTML report from a results
 * directory.
 *
 * What DIR holds decides what is drawn (the first found):
 *   timeseries.csv     a run: per metric, its mean over replications at
 *                      each acquisition (x: the acquisition's day, averaged
 *                      over replications) with the 95% interval as a band,
 *                      computed as summary.csv computes its row
 *                      (results_stat_metric: a share's interval on the logit
 *                      scale), so the last point is summary.csv's; the rows
 *                      are grouped by one sort, O(R log R), and a second
 *                      value for the same (replication, acquisition, metric)
 *                      is an error at its line;
 *   sweep-summary.csv  a sweep: per metric, its mean and interval at each
 *                      point (the file's numbers).  x is the parameter that
 *                      varies when one does (numeric: a line; else one
 *                      category per value); with two, one line per value of
 *                      the other and, for a full grid, a heat map too; with
 *                      more, the point number;
 *   differences.csv    `exposim compare` of two runs: per metric the mean
 *                      paired difference B − A after each acquisition with
 *                      its Student-t interval, and compare.csv's forest plot;
 *   paired-summary.csv `exposim compare --reference`: drawn as a sweep, each
 *                      point's paired difference from the reference point;
 *   compare.csv        `exposim compare` of two sweep points: its forest
 *                      plot.
 * A run's timeline.csv (when there is one) becomes figures/timeline.*:
 * replication 1's legal process, a lane per instrument (and per target
 * served at expansion, the first 12; later ones share a lane), every row
 * checked (a bad one: FILE:LINE, status 2).
 * A metric that is NA everywhere gets a figure that says so.  Titles,
 * units and axis labels come from the metric table of the model named by
 * DIR/manifest.xml (o->models; the first model when there is no manifest);
 * a metric the table lacks is named by its id.  Where the scenario (the
 * manifest's scenario as run, a sweep point's base with its --set values)
 * has a closed form for a metric (struct sim_metric_info.closed_form), it
 * is drawn over the simulated curve and written in the figure's numbers.
 *
 * Everything read from DIR is untrusted: metric names, headers and values
 * reach gnuplot only inside single-quoted strings with control characters
 * replaced (gnuplot expands nothing there), and file names are made of
 * [A-Za-z0-9_-] only; report.html escapes every text it shows.
 *
 * Writes DIR/figures/ (per metric M: M.csv, the plotted numbers through
 * libcsv; M.png, M.svg and with o->pdf M.pdf, drawn by gnuplot from
 * plots.gp; a heat map as M-map.*) and DIR/report.html (what was run, the
 * parameters as run, the summary, every figure).  The figures are made in
 * a temporary directory that replaces figures/ only when gnuplot has drawn
 * them all, and report.html is written to a temporary name and renamed: a
 * failure leaves what was there.  Returns 0, 2 (not a results directory,
 * or a malformed file: FILE:LINE diagnostics) or 1 (gnuplot missing or
 * failing, a write error). */
#ifndef EXPOSIM_PLOT_H
#define EXPOSIM_PLOT_H

#include "diag.h"

struct sim_model_type;

struct plot_opts {
    const char *dir;
    int quiet;
    const struct sim_model_type *const *models;   /* NULL-terminated, or NULL: no metric table */
    double width_cm, height_cm;        /* a figure's size, 2 to 100 cm (default 16 x 10) */
    unsigned dpi;                      /* the PNG's resolution, 50 to 1200 (default 150) */
    int pdf;                           /* also M.pdf (vector, for print) */
};

/* The defaults above, for dir. */
void plot_opts_init(struct plot_opts *o, const char *dir);
int plot_results(const struct plot_opts *o, struct diag *d);

/* Figures and reports never disagree with the results beside them: a
 * command that writes new results into dir calls plot_stale_remove before
 * it renames them into place, and plot_stale_redraw after.  remove deletes
 * dir/report.html and dir/figures/ and returns 1 when there was either, 0
 * when there was none, -1 with a diagnostic when they cannot be removed
 * (then nothing new may be written).  redraw, when had is 1, draws them
 * again from the new results with the defaults (0, or plot_results' status
 * with its diagnostics). */
int plot_stale_remove(const char *dir, struct diag *d);
int plot_stale_redraw(const char *dir, int had, const struct sim_model_type *const *models, int quiet,
                      struct diag *d);

#endif
