/* design — a sweep file read and checked, and its points expanded.
 *
 * A sweep file (scenarios/sweep.xsd, docs/sweeps.md) names a base scenario
 * and the parameters to vary, each by the PATH that `--set` takes: a grid
 * of lists and ranges (Cartesian product, first parameter slowest), a
 * Latin hypercube, or both (every grid point with every hypercube point,
 * grid outer).  Every value is kept as the text that is given to --set, so
 * the value a point runs with and the value sweep.csv shows are the same
 * bytes.  Point p (0-based) overrides the base with
 *     run@seed=SEED, run@replications=R (when the sweep sets them),
 *     then PATH_j=value(p, j) for every parameter j in document order.
 *
 * Several named bases (<base name="..." .../> repeated) are one more
 * dimension, outermost: point p runs base p / (npoints / nbases) with the
 * grid and hypercube point p % (npoints / nbases).  The base is then
 * params[0], path DESIGN_BASE_COLUMN, whose values are the bases' names: it
 * is a column of every result file like a parameter, but never a --set
 * (design_point_sets leaves it out).
 *
 * The design also carries a SHA-256 of what determines the results (the
 * sweep file's bytes and, for each base that is a file, the base's bytes,
 * in document order), which ties a journal, a shard and a manifest to one
 * sweep. */
#ifndef EXPOSIM_DESIGN_H
#define EXPOSIM_DESIGN_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "diag.h"

#define DESIGN_MAX_VALUES 1000000      /* values of one parameter */
#define DESIGN_MAX_RUNS 100000000ull   /* points x replications */
#define DESIGN_MAX_BASES 1000          /* <base> elements (sweep.xsd) */
#define DESIGN_MAX_BASE_NAME 64        /* bytes of a base's name */
#define DESIGN_BASE_COLUMN "base"      /* the base's column (no '@': never a PATH) */

extern const struct cfg_schema design_schema;   /* scenarios/sweep.xsd */

struct design_param {
    char *path;                /* "policy/retention@days" */
    long line;                 /* of its <parameter> element */
    int lhs;                   /* from the Latin hypercube (else the grid) */
    char **values;             /* grid: its values; hypercube: one per sample */
    size_t nvalues;
};

struct design_base {
    char *name;                /* its name; NULL for the one unnamed base */
    char *file;                /* the scenario's path, or NULL: inline */
    const struct cfg_node *inline_elem;   /* the inline <scenario>, or NULL */
    long line;                 /* line of its <base> */
    char hash[65];             /* SHA-256 of its file's bytes, lower-case hex ("" inline) */
};

struct design {
    char *file;                /* the sweep file, as given */
    char *name;                /* sweep@name */
    struct cfg *doc;           /* the sweep document */
    struct design_base *bases; /* in document order, at least one */
    size_t nbases;
    int base_param;            /* 1: params[0] is the base column (named bases) */
    char *base_file;           /* bases[0]'s path, or NULL: inline (not owned) */
    const struct cfg_node *base_inline;   /* bases[0]'s inline <scenario>, or NULL */
    long base_line;            /* line of the first <base> */
    long design_line;          /* line of <grid> (else <latin_hypercube>) */
    int has_seed, has_reps;    /* set by the sweep (else the base's) */
    uint32_t seed, replications;
    struct design_param *params;
    size_t nparams, ngrid;     /* params[0..ngrid) grid, the rest hypercube */
    size_t npoints, nlhs;      /* nlhs: hypercube points (1 when none) */
    char hash[65];             /* SHA-256, lower-case hex */
};

/* Read, validate (schema, then the rules it cannot say, as FILE:LINE) and
 * expand `path`; read the base file's bytes for the hash (the base is
 * loaded as a scenario by the caller).  replications/seed are 0 with
 * has_* = 0 when the sweep leaves them to the base.  Returns 0, or -1 with
 * the reasons in d (dz is then empty).  O(points) time, O(values) memory:
 * points are not materialised. */
int design_load(struct design *dz, const char *path, struct diag *d);
void design_destroy(struct design *dz);

/* The base of point p (an index into dz->bases).  O(1). */
size_t design_point_base(const struct design *dz, size_t p);

/* Parameter j's value at point p (text owned by dz).  O(params). */
const char *design_value(const struct design *dz, size_t p, size_t j);

/* The --set overrides of point p: "run@seed=SEED", "run@replications=REPS"
 * (the values the sweep runs with), then "PATH=VALUE" per parameter (not
 * the base column: the point's base is design_point_base).  *sets is malloc'd, as is each
 * string; free with design_sets_free.  Returns the count, or -1 (OOM). */
long design_point_sets(const struct design *dz, size_t p, uint32_t seed, uint32_t reps, char ***sets);
void design_sets_free(char **sets, long n);

/* The expansion rules, exposed for tests.  Each returns the values as
 * malloc'd texts in *out (count in *n), or -1 with a message in err. */
int design_expand_range(double from, double to, int has_step, double step, long points,
                        int logscale, int integer, char ***out, size_t *n,
                        char *err, size_t errlen);
int design_split_values(const char *text, char ***out, size_t *n);

#endif
