/* sweep — running a sweep (many points, each many replications) on one
 * core, many cores, MPI ranks or one shard of a scheduler's job array
 * (collate.h writes the result files and merges shards).
 *
 * A run is (point, replication): point p's scenario (its base with its
 * overrides, design.h) run for
 * replication r with the sweep's seed, so replication r of every point
 * draws the same population, contacts and traffic (common random numbers).
 * A run's row is the last value of every metric the model reported.  Every
 * point is validated before anything is run or written.  Finished runs go
 * to the journal (journal.h) one durable line at a time, in whatever order
 * the processes finish them; at the end sweep.csv, sweep-summary.csv and
 * manifest.xml are written from the journal, sorted by (point,
 * replication), so the bytes of the CSV files do not depend on -j, the
 * shards or the number of MPI ranks, nor on how often the sweep was killed
 * and resumed.
 *
 * Outputs (DIR = -o, else results/NAME/, a shard's default
 * results/NAME/shard-I-of-K/):
 *   sweep.csv          point,replication,PATH...,METRIC...   one row per run
 *                      (several named bases: the column "base" is the
 *                      first PATH column, design.h)
 *   sweep-summary.csv  point,PATH...,then per metric M: M_mean,M_sd,
 *                      M_ci95_low,M_ci95_high,M_n             one row per point
 *   manifest.xml       the sweep's hash, design, base scenario as run, seeds,
 *                      command line, times
 *   sweep.journal      the raw runs (exact values), kept for --resume and
 *                      merge
 * Points and replications are numbered from 1 in the CSV files. */
#ifndef EXPOSIM_SWEEP_H
#define EXPOSIM_SWEEP_H

#include <stddef.h>

#include "budget.h"
#include "diag.h"

#define SWEEP_MAX_JOBS 256

struct sim_model_type;

struct sweep_opts {
    const struct sim_model_type *const *models;   /* the models the program runs (sim_model_find) */
    const char *file;          /* the sweep file */
    const char *outdir;        /* NULL: the default */
    unsigned jobs;             /* worker processes, 1 .. SWEEP_MAX_JOBS */
    unsigned shard, nshards;   /* run shard `shard` (1-based) of nshards; 0, 0: all */
    int resume;                /* continue the journal in the output directory */
    int quiet;                 /* no messages, no progress line */
    struct budget budget;      /* the memory limit and --force (budget.h): a point of this
                                  process's share that cannot fit refuses the sweep (status 2) */
    int argc;                  /* the command line, for the manifest */
    char **argv;
};

/* Run a sweep.  Returns 0 when done; 2 on bad input or usage (nothing
 * written; a sweep directory to resume is left as it was); 1 when a run or
 * a write fails (the journal keeps the runs that finished: --resume).
 * Reasons go to d.  With MPI (built with EXPOSIM_MPI, started by mpirun),
 * rank 0 validates, writes and gathers while every rank runs its share;
 * only rank 0 leaves anything in d. */
int sweep_run(const struct sweep_opts *o, struct diag *d);

/* `exposim validate` for a sweep file: the schema, the design, the base
 * scenario and every point.  Prints one line to stdout when valid.
 * Returns 0 or 2. */
int sweep_validate(const char *path, const struct sim_model_type *const *models, const struct budget *b,
                   struct diag *d);

/* Whether the file's root element is <sweep> (a cheap secure parse; 0 when
 * it cannot be read, so the caller's own load reports why). */
int sweep_is_sweep_file(const char *path);

#endif
