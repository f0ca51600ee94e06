/* sim — the engine: the run loop, the model interface, the per-replication
 * context every model receives.
 *
 * The engine knows no domain.  A model is a table of functions
 * (struct sim_model_type); the engine reads the scenario's <run> element
 * (seed, replications, horizon), asks the model to configure itself from the
 * rest, and for each replication creates the random streams the model
 * declared, calls init, then runs time forward one slice (a day) at a time:
 * the model's slice() fills the slice's batch of dense events, the engine
 * sorts it and merges it with the heap of sparse events by (time, seq),
 * calling handle() for each, in order.  Metrics the model reports with
 * sim_metric() are collected for the result writers. */
#ifndef EXPOSIM_SIM_H
#define EXPOSIM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "batch.h"
#include "cfg.h"
#include "evq.h"
#include "rng.h"

struct sim;
struct results;

/* One metric a model reports, for figures, reports and statistics: a row
 * of the model's metric table (struct sim_model_type.metrics, ended by a
 * row whose name is NULL).
 *
 * A family of metrics numbered k = 1, 2, ... has "{k}" in its name
 * ("unicity_{k}" names unicity_1, unicity_2, ...); a family named by a
 * word (a service's metrics, "{name}_records") has "{name}" (1 to 64
 * letters, digits, '.', '_' or '-'); the title and axis label may hold
 * the same placeholder.  Rows are tried in order: a fixed name that a
 * "{name}" row would also match goes before it.  A row flagged SIM_METRIC_TARGETS also names
 * target_NAME, the same quantity over the scenario's targets. */
struct sim_metric_info {
    const char *name;                 /* as in the result files */
    const char *title;                /* a figure's title: "Edge recall" */
    const char *unit;                 /* "share", "days", "km", ...; "" when it has none */
    const char *axis;                 /* what the y axis shows: "contact pairs found" */
    unsigned flags;                   /* SIM_METRIC_* */
    /* Optional: the closed-form expectation of this metric after an
     * acquisition, when the scenario has one.  `scenario` is the scenario
     * as run; value(ctx, NAME) gives that acquisition's mean of another
     * metric (NaN when unknown).  Returns 1 with *out and, in formula (at
     * most len bytes), the formula with the scenario's numbers; 0 when this
     * scenario has none. */
    int (*closed_form)(struct cfg *scenario, double (*value)(const void *ctx, const char *name),
                       const void *ctx, double *out, char *formula, size_t len);
};

/* A share or another quantity bounded by 0 and 1 (its interval is
 * computed on the logit scale, results_stat_share). */
#define SIM_METRIC_SHARE 1u
/* Also reported as target_NAME over the scenario's targets. */
#define SIM_METRIC_TARGETS 2u

/* A metric's description resolved from a table: families and target_
 * names filled in. */
struct sim_metric_desc {
    const struct sim_metric_info *info;   /* the row; NULL when the table lacks the metric */
    char title[192];                  /* the metric's name itself when unknown */
    char axis[192];                   /* "value" when unknown */
    const char *unit;                 /* "" when unknown */
    unsigned flags;                   /* 0 when unknown */
    int targets;                      /* the target_ form of the row */
};

/* Describe metric `name` from `table` (may be NULL).  Returns 0, or -1
 * when the table has no such metric (out then holds the neutral
 * description above).  O(rows). */
int sim_metric_describe(const struct sim_metric_info *table, const char *name, struct sim_metric_desc *out);

/* One replication split across processes (MPI ranks, `mpirun -np K
 * exposim run`): every process builds the same world from the same
 * streams, part `rank` of `size` keeps and runs its share of the people,
 * and the model combines what the parts learnt through the
 * collectives below before it reports, so that every part reports what
 * one process would.  The program (main.c) supplies them; the engine only
 * carries the pointer.  Every part calls them in the same order; each
 * returns 0, or -1 (it failed). */
struct sim_part {
    uint32_t rank, size;              /* this part, and how many (size >= 2) */
    /* v[0..n) := the sum of every part's v[0..n), on every part (the
     * caller knows the sums fit) */
    int (*sum_words)(uint64_t *v, size_t n, void *ctx);
    int (*sum_u32)(uint32_t *v, size_t n, void *ctx);
    /* Every part sends counts[r] words to part r (send grouped by part, in
     * part order; counts[rank] included) and receives, in *recv (malloc'd,
     * the caller frees it), the words every part sent it, by part in order:
     * *nrecv of them. */
    int (*exchange)(const uint64_t *send, const size_t *counts, uint64_t **recv, size_t *nrecv, void *ctx);
    void *ctx;
};

/* The scenario's <run> element. */
struct sim_run_params {
    uint32_t seed;
    uint32_t replications;
    sim_time horizon;                 /* seconds */
    const struct sim_part *part;      /* NULL: the whole replication in this process */
};

/* What one replication is expected to cost, from the scenario's parameters
 * alone, before anything is built (struct sim_model_type.estimate): the
 * engine prints it (`exposim validate`) and refuses a run that cannot fit
 * the machine (budget.h). */
struct sim_estimate {
    double lookups;                   /* expected lookups (records offered to the logs) */
    double events;                    /* expected events dispatched */
    double bytes;                     /* expected peak memory (resident), bytes */
    double seconds;                   /* expected CPU seconds on this machine */
    double day_events;                /* the busiest slice's expected batch entries */
};

struct sim_model_type {
    const char *name;
    /* Random-stream components, in stream order; NULL-terminated, at most
     * RNG_MAX_COMPONENTS.  Stream c of replication r is seeded with
     * rng_stream_seed(seed, r, c). */
    const char *const *streams;
    /* Read and check the model's parameters; NULL with diagnostics (through
     * cfg_error) when they are wrong.  Called once per scenario. */
    void *(*configure)(struct cfg *c, const struct sim_run_params *run);
    void (*free_params)(void *params);
    /* Print a short description of one replication's generated world (may
     * be NULL). */
    void (*describe)(const void *state, void *stream /* FILE * */);
    /* One replication: build the state (NULL after sim_fail on error),
     * fill a slice's batch, handle one event, report final figures, free. */
    void *(*init)(struct sim *s, const void *params);
    void (*slice)(struct sim *s, void *state, sim_time start, sim_time end);
    void (*handle)(struct sim *s, void *state, const struct sim_event *ev);
    /* Optional fast path: handle batch entries e[0..n) in order, all of
     * which come before every pending heap event; return how many were
     * handled (>= 1), stopping right after an entry whose handling
     * scheduled an event.  During the call sim_now() is e[0].time; entry i
     * happens at e[i].time. */
    size_t (*handle_run)(struct sim *s, void *state, const struct batch_entry *e, size_t n);
    void (*finish)(struct sim *s, void *state);
    void (*destroy)(void *state);
    /* Optional, for `exposim generate`: write what init generated (the
     * population and the contact graph) into files staged in `staged` (a
     * struct results_staged *); graphml asks for a GraphML copy too.
     * Returns 0, or -1 with diagnostics. */
    int (*generate)(void *state, void *staged, int graphml, struct diag *d);
    /* Optional: the metrics this model reports (see struct
     * sim_metric_info), for the titles, units and axis labels of figures
     * and reports and the intervals of shares.  NULL: every metric is a
     * plain number named by its id. */
    const struct sim_metric_info *metrics;
    /* Optional: the expected cost of one replication of these parameters
     * (struct sim_estimate), computed without building anything: O(1) in
     * the scenario's size.  NULL: the model gives none (nothing is refused). */
    void (*estimate)(const void *params, const struct sim_run_params *run, struct sim_estimate *out);
    /* Optional: NULL when one replication of these parameters can be split
     * across processes (struct sim_part), else why not (a sentence naming
     * the scenario's element).  NULL hook: never. */
    const char *(*split_refusal)(const void *params);
    /* Optional: the per-run tables this model may write (sim_table_row),
     * NULL-terminated: names of [a-z0-9_], at most 64 bytes, none of the
     * engine's own files (timeseries, summary, summary-day, sweep, ...).
     * `run` writes NAME.csv for each that got rows and removes an earlier
     * NAME.csv from the output directory for each that got none, so a
     * directory never holds a table of another run. */
    const char *const *tables;
};

struct sim {
    const struct sim_model_type *type;
    struct sim_run_params run;
    uint32_t replication;             /* 0-based */
    sim_time now;
    struct evq queue;
    struct batch batch;
    gsl_rng *rng[RNG_MAX_COMPONENTS];
    struct results *results;
    int failed;
    char error[256];
    uint64_t events;                  /* dispatched so far */
};

/* The model of `models` (a NULL-terminated table the program hands the
 * engine) whose name is a scenario's root element, or NULL.  The engine
 * names no model: the program (main.c) and the tests choose the table. */
const struct sim_model_type *sim_model_find(const struct sim_model_type *const *models,
                                            const char *root_element);

/* Read <run> (seed, replications, horizon_days).  Returns 0 or -1 with
 * diagnostics. */
int sim_read_run(struct cfg *c, struct sim_run_params *out);

/* Run replication `rep` of a configured model, reporting metrics into
 * `results` and, when `describe` is a FILE *, the model's description.
 * Returns 0, or -1 with the reason in err (runtime failure such as OOM). */
int sim_run_replication(const struct sim_model_type *type, const void *params,
                        const struct sim_run_params *run, uint32_t rep,
                        struct results *results, void *describe,
                        char *err, size_t errlen, uint64_t *events);

/* Build replication `rep`'s world (streams and init, nothing run), print
 * the model's description to `describe` (a FILE *, may be NULL) and stage
 * its generated files in `staged` (a struct results_staged *) through the
 * model's generate.  Returns 0, or -1 with diagnostics. */
int sim_generate(const struct sim_model_type *type, const void *params,
                 const struct sim_run_params *run, uint32_t rep, void *staged, int graphml,
                 void *describe, struct diag *d);

/* --- for models ---------------------------------------------------------- */
static inline sim_time sim_now(const struct sim *s) { return s->now; }
static inline gsl_rng *sim_rng(struct sim *s, unsigned component) { return s->rng[component]; }
/* The current slice's batch: add events from slice() only. */
static inline struct batch *sim_batch(struct sim *s) { return &s->batch; }
/* Schedule a sparse event at t >= now.  Returns 0, or -1 after sim_fail. */
int sim_schedule(struct sim *s, sim_time t, uint32_t kind, uint32_t a, uint32_t b);
/* Report a metric value observed after acquisition `acq` at simulated time
 * `day` (days, may be fractional).  NaN means "undefined" (0/0). */
void sim_metric(struct sim *s, uint32_t acq, double day, const char *metric, double value);
/* Add a row to the per-run table `table` (one of the model's
 * struct sim_model_type.tables), which `run` writes as TABLE.csv beside
 * timeseries.csv, staged with it (appears whole, with the other files):
 * the header `replication`, then cols[0..n) (names of [a-z0-9_]; the same
 * at every row of a table), then one line per row in the order added,
 * replications in order (1-based).  Cell c is the text text[c] when that
 * is not NULL (quoted, spreadsheet-guarded: results_csv_text), else the
 * number num[c] (%.10g; NaN written NA).  Only `run` writes tables (a
 * sweep, a bench keep them in memory and drop them).  A few rows per
 * acquisition are cheap: every cell is copied, O(n).  A table the model
 * did not declare, a bad name or a changed column count fails the run
 * (an internal error); out of memory too. */
void sim_table_row(struct sim *s, const char *table, const char *const *cols, const char *const *text,
                   const double *num, size_t n);
/* Add `seconds` of wall time the model spent computing metrics (kept in
 * results->metric_seconds for `make bench`; never written to a file, so the
 * results stay byte-identical from run to run). */
void sim_metric_time(struct sim *s, double seconds);
/* Stop the replication with an error (e.g. out of memory). */
void sim_fail(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
