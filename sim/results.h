/* results — the metric values a run reports, and the files they become.
 *
 * Rows arrive through sim_metric() as (replication, acquisition, day,
 * metric, value).  results_write_* turn them into:
 *   timeseries.csv  replication,acquisition,day,metric,value   (tidy)
 *   summary.csv     metric,mean,sd,ci95_low,ci95_high,n
 *   summary-day.csv metric,day,mean,sd,ci95_low,ci95_high,n  (only when the
 *                   replications' last reports fall on different days)
 * where the summary takes, for each metric, its last value in each
 * replication (after the final acquisition; summary-day.csv: the last at
 * or before the common day, results_common_day) and gives the mean over
 * replications with a 95% confidence interval (Student-t; for a share, a
 * metric bounded by 0 and 1, the Student-t interval on the logit scale,
 * results_stat_share).  NaN (an undefined value,
 * such as a precision with nothing acquired) is written NA and left out of
 * the summary.  Every file is written to a temporary name in the output
 * directory, flushed to disk, then renamed: it appears whole or not at all. */
#ifndef EXPOSIM_RESULTS_H
#define EXPOSIM_RESULTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"

struct sim_metric_info;
struct results_staged;

struct results_row {
    uint32_t rep, acq, metric;
    double day, value;
};

/* A cell of a model's table (sim_table_row): text when text is not NULL,
 * else a number (NaN written NA). */
struct results_cell {
    double num;
    char *text;                       /* owned */
};

/* A per-run table a model fills row by row (sim_table_row), written as
 * NAME.csv: a `replication` column (1-based), then the model's columns. */
struct results_tab {
    char *name;                       /* [a-z0-9_-]+ */
    char **cols;                      /* the model's column names */
    size_t ncols;
    uint32_t *rep;                    /* per row, 0-based */
    struct results_cell *cells;       /* row r's cells at cells[r * ncols] */
    size_t n, cap;
};

struct results {
    struct results_row *rows;
    size_t n, cap;
    char **metrics;                   /* interned names, in first-seen order */
    size_t nmetrics, capmetrics;
    double metric_seconds;            /* wall time spent computing metrics (sim_metric_time); not written */
    const struct sim_metric_info *catalog;  /* the model's metric table (shares), or NULL; set by the owner */
    struct results_tab *tabs;         /* the model's tables, in first-row order */
    size_t ntabs;
};

struct results_stat {
    double mean, sd, lo, hi;          /* NaN where undefined */
    size_t n;
};

void results_init(struct results *r);
void results_destroy(struct results *r);
/* Append one row (rep 0-based; written 1-based).  Returns 0 or -1 (OOM). */
int results_add(struct results *r, uint32_t rep, uint32_t acq, double day,
                const char *metric, double value);
/* Append one row to table `name` (created at its first row with columns
 * cols[0..n); every later row of it must have the same n): cell c is the
 * text text[c] when that is not NULL, else the number num[c] (copied).
 * Returns 0, or -1 (out of memory, or n differs: an internal error).
 * O(n) amortised. */
int results_table_add(struct results *r, uint32_t rep, const char *name, const char *const *cols,
                      const char *const *text, const double *num, size_t n);
/* Stage NAME.csv of every table with rows (columns: replication, then the
 * model's; rows in the order added; text through results_csv_text,
 * numbers through results_csv_num).  Returns 0 or -1 with a diagnostic. */
int results_stage_tables(struct results_staged *s, const struct results *r, struct diag *d);
/* Whether a model's table may be called `name`: 1 to 64 of [a-z0-9_], not
 * one of the engine's own files. */
int results_table_name_ok(const char *name);
/* Remove dir/NAME.csv for each table of `tables` (NULL-terminated, may be
 * NULL) that has no rows in r: an earlier run's, which would disagree with
 * the new results.  Returns 0, or -1 with a diagnostic. */
int results_remove_tables(const char *dir, const char *const *tables, const struct results *r, struct diag *d);

/* Mean, sd and Student-t 95% interval of v[0..n) (NaN values left out):
 * mean ∓ t(0.975, n − 1)·sd/√n.  sd and the interval are NaN when fewer
 * than 2 values are left, the mean when none is.  O(n). */
struct results_stat results_stat_of(const double *v, size_t n);
/* The same for values of a share (bounded by 0 and 1): mean and sd as
 * above, the interval the Student-t interval of the logit of the mean
 * (delta method: logit(mean) ∓ t·sd/(√n·mean·(1 − mean))) mapped back, so
 * it lies within (0, 1), asymmetric towards the nearer bound.  When sd is 0
 * the interval is [mean, mean]; when a value lies outside [0, 1] (not a
 * share after all) it is results_stat_of's. */
struct results_stat results_stat_share(const double *v, size_t n);
/* results_stat_share when `catalog` (may be NULL) says metric `name` is a
 * share, else results_stat_of. */
struct results_stat results_stat_metric(const struct sim_metric_info *catalog, const char *name,
                                        const double *v, size_t n);
/* The Welch 95% interval of a difference of two independent means, diff:
 * var_a and var_b the sample variances of na and nb values, the degrees of
 * freedom Welch-Satterthwaite's.  [diff, diff] when both variances are 0;
 * NaN when na or nb is below 2. */
void results_welch(double var_a, size_t na, double var_b, size_t nb, double diff, double *lo, double *hi);
/* Summary statistics of metric m over replications 0..nrep-1 (a share's
 * interval when r->catalog says m is one). */
struct results_stat results_summary(const struct results *r, uint32_t m, uint32_t nrep);

/* The day every replication's reports reached: the earliest of the
 * replications' last report days (NaN without rows); *differ says whether
 * those last days differ (a random stop: a renewal refused, a breach at a
 * random time).  O(rows). */
double results_common_day(const struct results *r, uint32_t nrep, int *differ);
/* Summary statistics of metric m over replications 0..nrep-1 at `day`:
 * each replication's last value reported at or before it.  O(rows). */
struct results_stat results_summary_at(const struct results *r, uint32_t m, uint32_t nrep, double day);

/* Write one CSV file atomically: `fill` writes the body to the stream.
 * Returns 0, or -1 with a diagnostic; no file is left behind on failure. */
int results_write_atomic(const char *dir, const char *name,
                         int (*fill)(FILE *f, const void *ctx), const void *ctx,
                         struct diag *d);
int results_write_timeseries(const struct results *r, const char *dir, struct diag *d);
int results_write_summary(const struct results *r, uint32_t nrep, const char *dir, struct diag *d);

/* Several files that appear together: each is written whole to a temporary
 * name and flushed to disk (stage), then all are renamed (commit); abort
 * removes what is still temporary.  A failed stage leaves the directory as
 * it was. */
#define RESULTS_MAX_STAGED 12
struct results_staged {
    const char *dir;
    char tmp[RESULTS_MAX_STAGED][4096], final[RESULTS_MAX_STAGED][4096];
    size_t n, committed;
};
void results_stage_init(struct results_staged *s, const char *dir);
int results_stage_file(struct results_staged *s, const char *name,
                       int (*fill)(FILE *f, const void *ctx), const void *ctx, struct diag *d);
int results_stage_timeseries(struct results_staged *s, const struct results *r, struct diag *d);
int results_stage_summary(struct results_staged *s, const struct results *r, uint32_t nrep, struct diag *d);
int results_stage_commit(struct results_staged *s, struct diag *d);
void results_stage_abort(struct results_staged *s);

/* The longest output directory name (with results_staged's 4096-byte
 * paths, room for the longest file name and temporary suffix). */
#define RESULTS_MAX_DIR 3000

/* Make sure `dir` exists (creating parents) and is writable, and remove
 * the temporary files that killed processes left there
 * (results_clean_stale).  Returns 0, or -1 with a diagnostic and nothing
 * created left behind; *created gets the number of directories made here
 * (dir and the parents it needed), for results_unprepare_dir. */
int results_prepare_dir(const char *dir, int *created, struct diag *d);
/* Remove what results_prepare_dir created (`created` levels, from dir up),
 * each only when empty. */
void results_unprepare_dir(const char *dir, int created);
/* Remove from dir every ".NAME.PID.tmp" (a temporary file of this
 * program, NAME one of its result files) whose process PID is gone (a run
 * or sweep killed while writing).  Returns how many were removed. */
int results_clean_stale(const char *dir);

/* CSV output through libcsv: text fields quoted by csv_fwrite, numbers
 * written plainly (%.10g; NaN as NA).  Return 0, or -1 on a write error.
 *
 * Spreadsheet safety (CSV formula injection): a spreadsheet takes a cell
 * beginning with '=', '+', '-' or '@' (or a tab or carriage return) for a
 * formula, and a formula can run commands or send data away.  A text
 * field so beginning that is not a decimal number (results_csv_is_number:
 * -0.5 and 1e-3 stay numbers) is written with a "'" in front of it, which
 * spreadsheets show as text; a field that itself begins with "'" gets one
 * more, so the rule can be undone exactly: a reader drops one leading "'"
 * from a field that has one (results_csv_unguard).  Numbers never begin
 * with "'", so every CSV file reads back to the same values. */
int results_csv_text(FILE *f, const char *s);
/* Whether results_csv_text writes s with a "'" in front. */
int results_csv_guarded(const char *s);
/* A field as read back (libcsv) to the value written: without its first
 * "'" when it has one.  Returns a pointer into field. */
const char *results_csv_unguard(const char *field);
/* Whether s is a decimal number as a whole: digits, sign, point and
 * exponent only, all consumed by strtod ("-0.5", "1e-3"; not "-inf",
 * "0x10" or "-1+2"). */
int results_csv_is_number(const char *s);
int results_csv_num(FILE *f, double v);
int results_csv_uint(FILE *f, unsigned long long v);
int results_csv_sep(FILE *f);
/* A statistic's five fields, each after a separator: ,mean,sd,ci95_low,
 * ci95_high,n (the columns of summary.csv and of every table that gives
 * one).  0 or -1. */
int results_csv_stat(FILE *f, const struct results_stat *st);
int results_csv_end(FILE *f);

/* A CSV file read whole through libcsv (strict): rows[r][c] are
 * NUL-terminated strings, row 0 the header when the file has one.  For
 * the readers of result files (plot, compare); the fields are untrusted. */
struct results_table {
    char ***rows;
    size_t *ncols;
    size_t n, cap;
    char **f;                         /* the row being read */
    size_t nf, capf;
    int oom;
};
/* Read path into t.  Only a regular file is read (a FIFO would block).
 * Returns 0, 1 (no such file: t empty) or -1 with a FILE:LINE diagnostic
 * (not valid CSV, not a regular file, out of memory).  O(size). */
int results_table_read(const char *path, struct results_table *t, struct diag *d);
void results_table_free(struct results_table *t);
/* A number field as results_csv_num writes it: "NA" is NaN, else a finite
 * decimal number (strtod's "inf", "nan" and hexadecimal forms are
 * refused).  Returns 0, or -1 when s is neither. */
int results_csv_number(const char *s, double *v);

#endif
