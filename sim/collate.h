/* collate — a sweep's result files, made from journals: sweep.csv,
 * sweep-summary.csv and manifest.xml, for a whole sweep, one shard, or the
 * merge of every shard.
 *
 * The runs of the journals given are sorted by (point, replication) and
 * written with the design's values; metric columns come in the order the
 * sorted runs first report them.  The same set of runs therefore gives the
 * same bytes whichever processes, shards or ranks ran them.  The summary of
 * a point is results_summary's over its replications (NaN left out,
 * Student-t 95% interval).  The three files are staged and renamed
 * together (results_stage_*). */
#ifndef EXPOSIM_COLLATE_H
#define EXPOSIM_COLLATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cfg.h"
#include "diag.h"
#include "journal.h"
#include "sim.h"

/* One of several named bases (design.h), for the manifest. */
struct collate_base {
    const char *name;
    const char *file;                  /* its file, or NULL: inline */
    const char *sha256;                /* its file's SHA-256 (hex), or NULL */
    const struct cfg *as_run;          /* with seed and replications set */
};

/* What the manifest says besides the design (all but the journal may be
 * NULL / 0 where unknown). */
struct collate_info {
    const char *file;                  /* the sweep file */
    const char *base_file;             /* the base scenario's file, or NULL: inline */
    int argc;
    char **argv;
    time_t started;
    const struct sim_model_type *model;   /* for the stream names */
    uint32_t seed;                     /* the scenario seed every point ran with */
    const struct cfg *base_as_run;     /* the base with seed and replications set */
    const struct collate_base *bases;  /* named bases: each one's name, file and base as
                                          run (base_file and base_as_run are then unused) */
    size_t nbases;
};

/* Write dir's files from the runs of one sweep's (or shard's) journal.
 * *nruns gets the number of runs written.  Returns 0, or -1 with a
 * diagnostic (nothing is left half-written). */
int collate_sweep(const char *dir, const struct journal *j, const struct collate_info *info,
                  size_t *nruns, struct diag *d);

/* Join shard directories (each a complete `sweep --shard I/K` output of
 * the same sweep, every shard exactly once) into outdir: the same
 * sweep.csv and sweep-summary.csv bytes as one process would write (the
 * model of the base scenario, found in `models` by shard 1's manifest,
 * says which metrics are shares).  The merged manifest copies the seeds
 * and the base as run from shard 1's manifest.xml, read without network,
 * entities or DOCTYPE.
 * Returns 0, 2 (bad input: different sweeps, a shard missing, repeated or
 * incomplete, shard 1's manifest missing or not one; nothing written) or
 * 1 (write failure). */
int collate_merge(const char *outdir, char *const *dirs, size_t ndirs, int quiet,
                  const struct sim_model_type *const *models, int argc, char **argv, struct diag *d);

#endif
