/* main — the exposim command line: run, sweep, merge, validate, --help,
 * --version.
 *
 * Exit status: 0 success; 2 bad usage or bad input (nothing written);
 * 1 failure while running (nothing written). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <libxml/parser.h>

#include "budget.h"
#include "cfg.h"
#include "collate.h"
#include "compare.h"
#include "diag.h"
#include "manifest.h"
#include "plot.h"
#include "results.h"
#include "sim.h"
#include "sweep.h"

#ifdef EXPOSIM_MPI
#include <limits.h>
#include <mpi.h>
#endif

#define MAX_ARGS_SET 200

/* The models this program runs, handed to the engine (sim_model_find,
 * sweep_opts.models): the one name of the domain the program knows.  The
 * engine (every other file of sim/) names no model. */
extern const struct sim_model_type world_model;
static const struct sim_model_type *const models[] = { &world_model, NULL };

static const char usage_text[] =
    "usage: exposim run SCENARIO.xml [-o DIR] [--seed N] [--replications R]\n"
    "                  [--set PATH=VALUE]... [--memory-limit SIZE] [--force] [--quiet]\n"
    "       exposim sweep SWEEP.xml [-o DIR] [-j N] [--shard I/K] [--resume]\n"
    "                  [--memory-limit SIZE] [--force] [--quiet]\n"
    "       exposim merge -o OUT DIR... [--quiet]\n"
    "       exposim generate SCENARIO.xml [-o DIR] [--graphml] [--seed N]\n"
    "                  [--set PATH=VALUE]... [--quiet]\n"
    "       exposim validate FILE.xml [--set PATH=VALUE]... [--memory-limit SIZE]\n"
    "       exposim plot DIR [--size WxH] [--dpi N] [--pdf] [--quiet]\n"
    "       exposim compare A B [-o OUT] [--quiet]\n"
    "       exposim compare SWEEPDIR --reference P [-o OUT] [--quiet]\n"
    "       exposim COMMAND --help | --help | --version\n";

static const char help_text[] =
    "exposim simulates what messaging lookup metadata gives away: who looked up\n"
    "whom, and when, kept by a server under a retention policy and obtained by\n"
    "an adversary in chained snapshots.\n"
    "\n"
    "commands (exposim COMMAND --help tells more):\n"
    "  run       run every replication of a scenario\n"
    "  generate  build replication 1's population and contact graph as files\n"
    "  validate  check a scenario or a sweep file\n"
    "  sweep     run every point of a parameter sweep\n"
    "  merge     join the shards of a sweep\n"
    "  plot      draw a results directory: figures and report.html\n"
    "  compare   paired differences of two runs or sweep points\n"
    "\n"
    "Exit status: 0 done, 2 bad usage or input (nothing written), 1 failed run\n"
    "(a sweep keeps its finished runs: run it again with --resume).\n"
    "Documentation: README.md and docs/ (model, scenarios, metrics, sweeps,\n"
    "cluster), man pages exposim(1) and exposim-scenario(5).\n";

static const char set_help[] =
    "  --set PATH=VALUE     override one scenario attribute, validated like the\n"
    "                       file; PATH is elements from the root and @attribute:\n"
    "                       --set population@size=100000\n"
    "                       --set policy/retention@days=7\n"
    "                       --set adversary/bulk_snapshot[2]@period_days=60\n"
    "                       (at most 200; --set adds or changes attributes only)\n";

/* One command's usage and help, for `exposim COMMAND --help`. */
struct command_help {
    const char *name, *usage, *text;
    int set;                              /* takes --set (set_help follows) */
};

static const struct command_help command_help[] = {
    { "run", "exposim run SCENARIO.xml [-o DIR] [--seed N] [--replications R] [--set PATH=VALUE]...\n"
             "                   [--memory-limit SIZE] [--force] [--quiet]",
      "Run every replication of the scenario and write manifest.xml, timeseries.csv,\n"
      "summary.csv and, when the adversary acted, timeline.csv (the legal process)\n"
      "and, with targets, targets.csv and contacts.csv (per target and contact)\n"
      "to results/NAME/ (NAME: the scenario's name).  On a\n"
      "terminal a progress line shows the replications done, the rate and the\n"
      "time left.  Figures and report.html already in the directory are drawn\n"
      "again from the new results.  A scenario whose estimated peak memory\n"
      "exceeds the machine's memory, or whose expected events exceed 10^12, is\n"
      "refused before anything is written (status 2; validate prints the estimate).\n"
      "Under mpirun with K > 1 ranks (a build with make MPI=1) each replication is\n"
      "split across the ranks and rank 0 writes the same files as one process; a\n"
      "scenario that cannot be split is refused (status 2; docs/cluster.md).\n"
      "\n"
      "  -o DIR, --output DIR write the results to DIR instead\n"
      "  --seed N             the scenario seed, 0 to 4294967295 (run@seed)\n"
      "  --replications R     the number of replications (run@replications)\n"
      "  --memory-limit SIZE  refuse above SIZE bytes (K, M, G, T: powers of 1024)\n"
      "                       instead of the machine's physical memory\n"
      "  --force              run even when the estimate exceeds the limits\n"
      "  -q, --quiet          print nothing but errors, no progress\n", 1 },
    { "generate", "exposim generate SCENARIO.xml [-o DIR] [--graphml] [--seed N] [--set PATH=VALUE]... [--quiet]",
      "Build replication 1's population and contact graph exactly as run would,\n"
      "without running traffic or the adversary; print their summary and write\n"
      "population.csv and edges.csv to results/NAME/.\n"
      "\n"
      "  -o DIR, --output DIR write to DIR instead\n"
      "  --graphml            also write graph.graphml\n"
      "  --seed N             the scenario seed\n"
      "  -q, --quiet          print nothing but errors\n", 1 },
    { "validate", "exposim validate FILE.xml [--seed N] [--replications R] [--set PATH=VALUE]...\n"
                  "                        [--memory-limit SIZE]",
      "Check a scenario (after any --set, --seed, --replications) against the\n"
      "schema and the model's rules, or a sweep file (its design, its base\n"
      "scenario and every point).  Print FILE: valid (...) and the estimate of\n"
      "a replication (lookups, events, peak memory, CPU time) and of the whole\n"
      "run, and whether run would refuse it; or the errors as FILE:LINE:\n"
      "message and exit with status 2.\n"
      "\n"
      "  --memory-limit SIZE  the limit to check the estimate against (as for run)\n", 1 },
    { "sweep", "exposim sweep SWEEP.xml [-o DIR] [-j N] [--shard I/K] [--resume] [--memory-limit SIZE]\n"
               "                     [--force] [--quiet]",
      "Run every point of a parameter sweep, every replication (common random\n"
      "numbers: replication r of every point draws the same world); write\n"
      "sweep.csv (a row per point and replication), sweep-summary.csv (per\n"
      "point: mean, sd, 95% interval of every metric) and manifest.xml to\n"
      "results/NAME/.\n"
      "\n"
      "  -o DIR, --output DIR write to DIR instead\n"
      "  -j N, --jobs N       run N points at a time in N processes (the same\n"
      "                       bytes for any N); under mpirun every rank takes a share\n"
      "  --shard I/K          run only the points whose index is I-1 modulo K (a\n"
      "                       job array; join the K directories with merge)\n"
      "  --resume             continue the sweep whose journal is in DIR\n"
      "  --memory-limit SIZE  refuse a point whose estimated memory (times -j) exceeds\n"
      "                       SIZE instead of the machine's physical memory\n"
      "  --force              run even when a point's estimate exceeds the limits\n"
      "  -q, --quiet          no messages and no progress line\n", 0 },
    { "merge", "exposim merge -o OUT DIR... [--quiet]",
      "Join the directories of `exposim sweep --shard I/K` (every shard once)\n"
      "into the files one process would have written.\n"
      "\n"
      "  -o OUT, --output OUT the merged directory (required)\n"
      "  -q, --quiet          print nothing but errors\n", 0 },
    { "plot", "exposim plot DIR [--size WxH] [--dpi N] [--pdf] [--quiet]",
      "Draw a run's, a sweep's or a comparison's results: per metric, its mean\n"
      "and 95% interval after each acquisition (a run) or at each point (a\n"
      "sweep: one line per value of a second parameter, a heat map for a full\n"
      "two-parameter grid), with its title, unit and closed form where the\n"
      "scenario has one; DIR/figures/METRIC.png, .svg and .csv (gnuplot), and\n"
      "DIR/report.html (what was run, the parameters, the summary, the figures).\n"
      "A run's timeline.csv becomes DIR/figures/timeline.*: replication 1's legal\n"
      "process, one lane per instrument, the log windows each acquisition obtained.\n"
      "\n"
      "  --size WxH           a figure's size in centimetres (default 16x10)\n"
      "  --dpi N              the PNG's resolution, 50 to 1200 (default 150)\n"
      "  --pdf                also METRIC.pdf, vector graphics for print\n"
      "  -q, --quiet          print nothing but errors\n", 0 },
    { "compare", "exposim compare A B [-o OUT] [--quiet]\n"
                 "       exposim compare SWEEPDIR --reference P [-o OUT] [--quiet]",
      "Paired differences B - A between two runs, or sweep points, that share\n"
      "their replications' random streams.  A and B are run directories or\n"
      "SWEEPDIR:P (point P of a sweep).  Per metric: the means, the mean paired\n"
      "difference with its 95% interval, and the interval two independent\n"
      "samples would give.  Writes compare.csv (and, for two runs acquiring on\n"
      "the same days, differences.csv after every acquisition), manifest.xml,\n"
      "figures/ and report.html to results/compare-A-vs-B/.  With --reference P,\n"
      "every point of the sweep against point P: paired-summary.csv.\n"
      "\n"
      "  --reference P        compare every point of SWEEPDIR with point P\n"
      "  -o DIR, --output DIR write to DIR instead\n"
      "  -q, --quiet          print nothing but errors\n", 0 },
};

/* The help of `name`, or NULL. */
static const struct command_help *find_help(const char *name)
{
    for (size_t i = 0; i < sizeof command_help / sizeof *command_help; i++)
        if (strcmp(command_help[i].name, name) == 0)
            return &command_help[i];
    return NULL;
}

static void print_command_help(const struct command_help *h)
{
    printf("usage: %s\n\n%s", h->usage, h->text);
    if (h->set)
        fputs(set_help, stdout);
    fputs("\nExit status: 0 done, 2 bad usage or input (nothing written), 1 failure.\n"
          "Documentation: README.md, docs/, exposim(1).\n", stdout);
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "exposim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage_text);
    return 2;
}

struct run_args {
    const char *scenario, *outdir;
    const char *sets[MAX_ARGS_SET + 2];
    size_t nsets;
    char seed_set[64], reps_set[64];
    int quiet;
    struct budget budget;                 /* --memory-limit, --force */
};

/* Takes "--opt VALUE" or "--opt=VALUE"; returns the value or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t len = strlen(name);
    if (strncmp(argv[*i], name, len) != 0)
        return NULL;
    if (argv[*i][len] == '=')
        return argv[*i] + len + 1;
    if (argv[*i][len] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

/* --memory-limit SIZE and --force into b: 1 when argv[*i] is one of them
 * (taken), 0 when not, 2 after a usage error. */
static int parse_budget_arg(int argc, char **argv, int *i, struct budget *b)
{
    const char *arg = argv[*i];
    if (strcmp(arg, "--force") == 0) {
        b->force = 1;
        return 1;
    }
    if (strncmp(arg, "--memory-limit", 14) != 0 || (arg[14] && arg[14] != '='))
        return 0;
    const char *v = opt_value(argc, argv, i, "--memory-limit");
    if (budget_parse_size(v, &b->memory))
        return usage_error("--memory-limit needs a size in bytes, at least 1M, e.g. 4G or 512M (got '%s')",
                           v ? v : "");
    b->memory_given = 1;
    return 1;
}

static int parse_run_args(int argc, char **argv, struct run_args *a)
{
    memset(a, 0, sizeof *a);
    budget_init(&a->budget);
    for (int i = 2; i < argc; i++) {
        const char *v;
        const char *arg = argv[i];
        int b = parse_budget_arg(argc, argv, &i, &a->budget);
        if (b == 2)
            return 2;
        if (b) {
            continue;
        } else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            a->quiet = 1;
        } else if (strcmp(arg, "-o") == 0 || strncmp(arg, "--output", 8) == 0) {
            if (strcmp(arg, "-o") == 0)
                v = i + 1 < argc ? argv[++i] : NULL;
            else
                v = opt_value(argc, argv, &i, "--output");
            if (!v || !*v)
                return usage_error("%s needs a directory", arg);
            a->outdir = v;
        } else if (strncmp(arg, "--seed", 6) == 0 && (arg[6] == '\0' || arg[6] == '=')) {
            if (!(v = opt_value(argc, argv, &i, "--seed")))
                return usage_error("%s needs a number", arg);
            snprintf(a->seed_set, sizeof a->seed_set, "run@seed=%.40s", v);
        } else if (strncmp(arg, "--replications", 14) == 0 && (arg[14] == '\0' || arg[14] == '=')) {
            if (!(v = opt_value(argc, argv, &i, "--replications")))
                return usage_error("%s needs a number", arg);
            snprintf(a->reps_set, sizeof a->reps_set, "run@replications=%.40s", v);
        } else if (strncmp(arg, "--set", 5) == 0 && (arg[5] == '\0' || arg[5] == '=')) {
            if (!(v = opt_value(argc, argv, &i, "--set")))
                return usage_error("%s needs PATH=VALUE", arg);
            if (a->nsets == MAX_ARGS_SET)
                return usage_error("too many --set options (at most %s)", "200");
            a->sets[a->nsets++] = v;
        } else if (arg[0] == '-' && arg[1]) {
            return usage_error("unknown option '%s'", arg);
        } else if (!a->scenario) {
            a->scenario = arg;
        } else {
            return usage_error("unexpected argument '%s'", arg);
        }
    }
    if (!a->scenario)
        return usage_error("%s needs a scenario file", argv[1]);
    if (a->seed_set[0])
        a->sets[a->nsets++] = a->seed_set;
    if (a->reps_set[0])
        a->sets[a->nsets++] = a->reps_set;
    return 0;
}

/* Load, validate and configure.  Returns 0 or 2 (diagnostics printed). */
static int load(const char *path, const char *const *sets, size_t nsets, struct cfg **c,
                const struct sim_model_type **model, struct sim_run_params *run, void **params)
{
    struct diag d;
    diag_init(&d);
    *c = cfg_load(path, sets, nsets, &d);
    *params = NULL;
    if (*c) {
        const char *root = cfg_name(cfg_root(*c));
        *model = sim_model_find(models, root);
        if (!*model)
            cfg_error(*c, cfg_root(*c), NULL, "no model runs <%s> documents", root);
        else if (sim_read_run(*c, run) == 0)
            *params = (*model)->configure(*c, run);
    }
    if (!*params) {
        if (d.n == 0)
            diag_add(&d, path, 0, "cannot be loaded");
        diag_print(&d, stderr);
        diag_destroy(&d);
        cfg_free(*c);
        *c = NULL;
        return 2;
    }
    diag_destroy(&d);
    return 0;
}

static int cmd_validate(int argc, char **argv)
{
    struct run_args a;
    int rc = parse_run_args(argc, argv, &a);
    if (rc)
        return rc;
    if (a.outdir || a.quiet || a.budget.force)
        return usage_error("%s", "validate takes FILE, --set/--seed/--replications and --memory-limit only");
    if (sweep_is_sweep_file(a.scenario)) {      /* dispatch on the root element */
        if (a.nsets)
            return usage_error("%s", "a sweep file is validated as it is (no --set, --seed, --replications)");
        struct diag d;
        diag_init(&d);
        rc = sweep_validate(a.scenario, models, &a.budget, &d);
        diag_print(&d, stderr);
        diag_destroy(&d);
        return rc;
    }
    struct cfg *c;
    const struct sim_model_type *model;
    struct sim_run_params run;
    void *params;
    if (load(a.scenario, a.sets, a.nsets, &c, &model, &run, &params))
        return 2;
    printf("%s: valid (%s, %u replication%s, %lld days)\n", a.scenario, model->name,
           run.replications, run.replications == 1 ? "" : "s", (long long)(run.horizon / SIM_DAY));
    if (model->estimate) {
        struct sim_estimate e;
        char line[512], why[1024];
        model->estimate(params, &run, &e);
        budget_describe(line, sizeof line, &e, run.replications);
        printf("estimate: %s\n", line);
        if (budget_check(&a.budget, &e, run.replications, 1, why, sizeof why))
            printf("run would refuse it: %s\n", why);
    }
    model->free_params(params);
    cfg_free(c);
    return 0;
}

/* A number for the terminal: NA where undefined, as in the CSV files. */
static const char *num(char *buf, size_t len, double v)
{
    if (isnan(v))
        snprintf(buf, len, "NA");
    else
        snprintf(buf, len, "%.6g", v);
    return buf;
}

static void print_summary(const struct results *r, uint32_t nrep)
{
    int w = 16;                                 /* wider when a metric's name is longer */
    for (uint32_t m = 0; m < r->nmetrics; m++)
        if ((int)strlen(r->metrics[m]) > w)
            w = (int)strlen(r->metrics[m]);
    printf("%-*s %12s %12s %12s %6s\n", w, "metric", "mean", "ci95_low", "ci95_high", "n");
    for (uint32_t m = 0; m < r->nmetrics; m++) {
        struct results_stat st = results_summary(r, m, nrep);
        char a[32], b[32], c[32];
        printf("%-*s %12s %12s %12s %6zu\n", w, r->metrics[m], num(a, sizeof a, st.mean),
               num(b, sizeof b, st.lo), num(c, sizeof c, st.hi), st.n);
    }
}

/* `run`'s progress line on a terminal: replications done, their rate, the
 * time left; redrawn at most ten times a second, erased at the end. */
struct progress {
    int on;
    uint32_t total;
    double start, last;
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress_init(struct progress *p, int on, uint32_t total)
{
    p->on = on;
    p->total = total;
    p->start = p->last = now_seconds();
}

static void progress_step(struct progress *p, uint32_t done)
{
    if (!p->on)
        return;
    double t = now_seconds();
    if (t - p->last < 0.1 && done < p->total)
        return;
    p->last = t;
    double rate = done / (t - p->start > 1e-9 ? t - p->start : 1e-9), left = (p->total - done) / rate;
    fprintf(stderr, "\r\033[Kreplication %u/%u, %.3g per second, %.0f s left", done, p->total, rate, left);
    fflush(stderr);
}

static void progress_end(struct progress *p)
{
    if (p->on)
        fputs("\r\033[K", stderr);
}

/* -o DIR, or results/NAME/ after the scenario's name. */
static void output_dir(char *buf, size_t len, const struct run_args *a, const struct cfg *c)
{
    if (a->outdir)
        snprintf(buf, len, "%s", a->outdir);
    else
        snprintf(buf, len, "results/%s", cfg_str(cfg_root(c), "name", "scenario"));
}

/* A rank past 0 of a split run: the same replications, results kept in
 * memory and dropped (rank 0 writes them).  A failure stops every rank
 * (the others would wait for this one's part of a reduction). */
static int run_part(const struct sim_model_type *model, void *params, const struct sim_run_params *run,
                    struct cfg *c)
{
    struct results res;
    results_init(&res);
    res.catalog = model->metrics;
    int rc = 0;
    for (uint32_t r = 0; r < run->replications && !rc; r++) {
        char err[512];
        if (sim_run_replication(model, params, run, r, &res, NULL, err, sizeof err, NULL)) {
            fprintf(stderr, "MPI rank %u: %s\n", run->part->rank, err);
            rc = 1;
        }
    }
    results_destroy(&res);
    model->free_params(params);
    cfg_free(c);
#ifdef EXPOSIM_MPI
    if (rc)
        MPI_Abort(MPI_COMM_WORLD, 1);
#endif
    return rc;
}

#ifdef EXPOSIM_MPI
/* One replication across the ranks (struct sim_part): the sums, on
 * MPI_COMM_WORLD, in pieces an int can count. */
static int mpi_sum(void *v, size_t n, MPI_Datatype type, size_t size)
{
    char *p = v;
    while (n) {
        int c = n > (size_t)(INT_MAX / 2) ? INT_MAX / 2 : (int)n;
        if (MPI_Allreduce(MPI_IN_PLACE, p, c, type, MPI_SUM, MPI_COMM_WORLD) != MPI_SUCCESS)
            return -1;
        p += (size_t)c * size;
        n -= (size_t)c;
    }
    return 0;
}

static int mpi_sum_words(uint64_t *v, size_t n, void *ctx)
{
    (void)ctx;
    return mpi_sum(v, n, MPI_UINT64_T, sizeof *v);
}

static int mpi_sum_u32(uint32_t *v, size_t n, void *ctx)
{
    (void)ctx;
    return mpi_sum(v, n, MPI_UINT32_T, sizeof *v);
}

/* MPI_Alltoallv of 64-bit words; counts and displacements are ints, so a
 * part sends and receives fewer than 2^31 words in one exchange. */
static int mpi_exchange(const uint64_t *send, const size_t *counts, uint64_t **recv, size_t *nrecv, void *ctx)
{
    (void)ctx;
    int size;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int *sc = calloc((size_t)size, sizeof *sc), *sd = calloc((size_t)size, sizeof *sd);
    int *rc = calloc((size_t)size, sizeof *rc), *rd = calloc((size_t)size, sizeof *rd);
    int ok = sc && sd && rc && rd;
    size_t total = 0, in = 0;
    for (int r = 0; ok && r < size; r++) {
        ok = counts[r] <= (size_t)INT_MAX && total + counts[r] <= (size_t)INT_MAX;
        sc[r] = (int)counts[r];
        sd[r] = (int)total;
        total += counts[r];
    }
    int fine = ok, all = 0;                     /* every part agrees to go on, or none does */
    MPI_Allreduce(&fine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    ok = all && MPI_Alltoall(sc, 1, MPI_INT, rc, 1, MPI_INT, MPI_COMM_WORLD) == MPI_SUCCESS;
    for (int r = 0; ok && r < size; r++) {
        ok = in + (size_t)rc[r] <= (size_t)INT_MAX;
        rd[r] = (int)in;
        in += (size_t)rc[r];
    }
    *recv = ok ? malloc((in ? in : 1) * sizeof **recv) : NULL;
    fine = *recv != NULL;
    MPI_Allreduce(&fine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    ok = all && MPI_Alltoallv(send, sc, sd, MPI_UINT64_T, *recv, rc, rd, MPI_UINT64_T, MPI_COMM_WORLD) == MPI_SUCCESS;
    *nrecv = ok ? in : 0;
    if (!ok) {
        free(*recv);
        *recv = NULL;
    }
    free(sc), free(sd), free(rc), free(rd);
    return ok ? 0 : -1;
}
#endif

static int run_replications(int argc, char **argv, const struct sim_part *part, unsigned here);
static int run_checked(int argc, char **argv, const struct sim_part *part, unsigned here, int saved_err);

/* exposim run.  Under mpirun with K > 1 ranks (a program built with make
 * MPI=1), each replication is split across the ranks (struct sim_part):
 * rank 0 writes the results, which are those of one process, byte for
 * byte; a scenario that cannot be split is refused before anything runs. */
static int cmd_run(int argc, char **argv)
{
#ifdef EXPOSIM_MPI
    int inited = 0, rank = 0, size = 1;
    MPI_Initialized(&inited);
    if (!inited)
        MPI_Init(NULL, NULL);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    struct sim_part part = { (uint32_t)rank, (uint32_t)size, mpi_sum_words, mpi_sum_u32, mpi_exchange, NULL };
    MPI_Comm node;                            /* the ranks that share this machine's memory */
    int here = 1;
    if (size > 1 && MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node)
                        == MPI_SUCCESS) {
        MPI_Comm_size(node, &here);
        MPI_Comm_free(&node);
        int most = here;                      /* the busiest machine decides, so every rank agrees */
        MPI_Allreduce(&most, &here, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    }
    int rc = run_replications(argc, argv, size > 1 ? &part : NULL, (unsigned)here);
    if (!inited)
        MPI_Finalize();
    return rc;
#else
    return run_replications(argc, argv, NULL, 1);
#endif
}

/* here: the most ranks of a split run that share one machine (1 otherwise). */
static int run_replications(int argc, char **argv, const struct sim_part *part, unsigned here)
{
    /* Ranks past 0 of a split run read the same input and reach the same
     * verdict: only rank 0 says it (their stderr is silenced until they run). */
    int saved_err = -1;
    if (part && part->rank > 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            fflush(stderr);
            saved_err = dup(STDERR_FILENO);
            dup2(null, STDERR_FILENO);
            close(null);
        }
    }
    int rc = run_checked(argc, argv, part, here, saved_err);
    if (saved_err >= 0) {
        fflush(stderr);
        dup2(saved_err, STDERR_FILENO);
        close(saved_err);
    }
    return rc;
}

/* run_replications after the input is read and checked; saved_err >= 0:
 * a rank past 0 of a split run, whose stderr is given back (that
 * descriptor) once the run starts. */
static int run_checked(int argc, char **argv, const struct sim_part *part, unsigned here, int saved_err)
{
    struct run_args a;
    int rc = parse_run_args(argc, argv, &a);
    if (rc)
        return rc;
    if (part && part->rank > 0)
        a.quiet = 1;
    struct cfg *c;
    const struct sim_model_type *model;
    struct sim_run_params run;
    void *params;
    if (load(a.scenario, a.sets, a.nsets, &c, &model, &run, &params))
        return 2;
    if (part) {
        const char *why = model->split_refusal ? model->split_refusal(params) : "the model cannot be split";
        if (why) {
            fprintf(stderr, "%s: one replication cannot be split across %u MPI ranks: %s (run it with one "
                    "rank; `exposim sweep` shares replications and points among ranks)\n", a.scenario, part->size,
                    why);
            model->free_params(params);
            cfg_free(c);
            return 2;
        }
        run.part = part;
    }
    if (model->estimate) {                    /* before anything is written */
        struct sim_estimate e;
        char why[1024], ranks[64];
        model->estimate(params, &run, &e);
        /* a rank of a split run holds less than one process at the run's
         * peak, but as much while the graph is built: each rank sharing a
         * machine is counted as one process */
        snprintf(ranks, sizeof ranks, " for the %u MPI ranks on one machine", here);
        a.budget.parallel_what = ranks;
        if (budget_check(&a.budget, &e, run.replications, part ? here : 1, why, sizeof why)) {
            fprintf(stderr, "%s: %s\n", a.scenario, why);
            model->free_params(params);
            cfg_free(c);
            return 2;
        }
    }
    if (saved_err >= 0) {                     /* a rank past 0: its own failures are its to say */
        fflush(stderr);
        dup2(saved_err, STDERR_FILENO);
    }
    if (part && part->rank > 0)
        return run_part(model, params, &run, c);

    char outdir[4096];
    output_dir(outdir, sizeof outdir, &a, c);
    struct diag d;
    diag_init(&d);
    int created = 0;
    struct results res;
    results_init(&res);
    res.catalog = model->metrics;
    if (results_prepare_dir(outdir, &created, &d)) {
        rc = 2;
#ifdef EXPOSIM_MPI
        if (run.part) {                       /* the other ranks have begun: stop them */
            diag_print(&d, stderr);
            MPI_Abort(MPI_COMM_WORLD, 2);
        }
#endif
        goto out;
    }
    struct manifest_info mi = { argc, argv, time(NULL), 0, model, &run, 0, 0 };
    double t0 = now_seconds();
    if (!a.quiet)
        printf("exposim %s: %s, %u replication%s, %lld days%s\n", EXPOSIM_VERSION, a.scenario,
               run.replications, run.replications == 1 ? "" : "s", (long long)(run.horizon / SIM_DAY),
               part ? ", each split across the MPI ranks" : "");
    struct progress pg;
    progress_init(&pg, !a.quiet && isatty(STDERR_FILENO), run.replications);
    for (uint32_t r = 0; r < run.replications; r++) {
        char err[512];
        uint64_t events = 0;
        if (r == 0)
            fflush(stdout);                   /* the description before any progress line */
        if (sim_run_replication(model, params, &run, r, &res, (!a.quiet && r == 0) ? stdout : NULL,
                                err, sizeof err, &events)) {
            progress_end(&pg);
            diag_add(&d, NULL, 0, "%s", err);
            rc = 1;
#ifdef EXPOSIM_MPI
            if (run.part) {                   /* the other ranks wait in a reduction: stop them */
                diag_print(&d, stderr);
                if (created)
                    results_unprepare_dir(outdir, created);
                MPI_Abort(MPI_COMM_WORLD, 1);
            }
#endif
            goto out;
        }
        mi.events += events;
        progress_step(&pg, r + 1);
    }
    progress_end(&pg);
    mi.finished = time(NULL);
    mi.wall = now_seconds() - t0;
    /* All three are written to temporary names first, then renamed: a
     * failure leaves the directory as it was. */
    /* Figures and report.html of earlier results go before the new
     * results appear, and are drawn again from them after. */
    struct results_staged st;
    results_stage_init(&st, outdir);
    int had_figures = 0;
    if (results_stage_timeseries(&st, &res, &d) || results_stage_summary(&st, &res, run.replications, &d)
        || results_stage_tables(&st, &res, &d) || manifest_stage(&st, c, &mi, &d)
        || (had_figures = plot_stale_remove(outdir, &d)) < 0
        || results_remove_tables(outdir, model->tables, &res, &d) || results_stage_commit(&st, &d)) {
        results_stage_abort(&st);
        rc = 1;
        goto out;
    }
    if (!a.quiet) {
        printf("results: %s/ (manifest.xml, timeseries.csv, summary.csv", outdir);
        for (size_t t = 0; t < res.ntabs; t++)
            if (res.tabs[t].n)
                printf(", %s.csv", res.tabs[t].name);
        printf(")\n");
        print_summary(&res, run.replications);
    }
    if (plot_stale_redraw(outdir, had_figures, models, a.quiet, &d)) {
        diag_add(&d, NULL, 0, "the results are complete, but their figures could not be drawn again: "
                 "exposim plot %s", outdir);
        rc = 1;
        goto out;
    }
    if (d.n)                                  /* a warning while drawing */
        diag_print(&d, stderr);
out:
    if (rc) {
        diag_print(&d, stderr);
        if (created)
            results_unprepare_dir(outdir, created);   /* leave nothing behind (rmdir: fails when results are there) */
    }
    diag_destroy(&d);
    results_destroy(&res);
    model->free_params(params);
    cfg_free(c);
    return rc;
}

/* exposim generate: the world of replication 1 as files. */
static int cmd_generate(int argc, char **argv)
{
    int graphml = 0, n = 0;
    char **args = malloc((size_t)argc * sizeof *args);
    if (!args)
        return 1;
    for (int i = 0; i < argc; i++) {         /* --graphml is ours; the rest as for run */
        if (i >= 2 && strcmp(argv[i], "--graphml") == 0)
            graphml = 1;
        else
            args[n++] = argv[i];
    }
    struct run_args a;
    int rc = parse_run_args(n, args, &a);
    if (!rc && (a.budget.force || a.budget.memory_given))
        rc = usage_error("%s", "generate builds one world and runs nothing: no --memory-limit or --force");
    if (rc) {
        free(args);
        return rc;
    }
    struct cfg *c;
    const struct sim_model_type *model;
    struct sim_run_params run;
    void *params;
    if (load(a.scenario, a.sets, a.nsets, &c, &model, &run, &params)) {
        free(args);
        return 2;
    }
    char outdir[4096];
    output_dir(outdir, sizeof outdir, &a, c);
    struct diag d;
    diag_init(&d);
    int created = 0;
    struct results_staged st;
    if (results_prepare_dir(outdir, &created, &d)) {
        rc = 2;
        goto out;
    }
    results_stage_init(&st, outdir);
    if (sim_generate(model, params, &run, 0, &st, graphml, a.quiet ? NULL : stdout, &d)
        || results_stage_commit(&st, &d)) {
        results_stage_abort(&st);
        rc = 1;
        goto out;
    }
    if (!a.quiet)
        printf("generated: %s/ (population.csv, edges.csv%s)\n", outdir, graphml ? ", graph.graphml" : "");
out:
    if (rc) {
        diag_print(&d, stderr);
        if (created)
            results_unprepare_dir(outdir, created);
    }
    diag_destroy(&d);
    model->free_params(params);
    cfg_free(c);
    free(args);
    return rc;
}

/* A whole unsigned number in [lo, hi] from text; 0 or -1. */
static int parse_uint(const char *t, unsigned long lo, unsigned long hi, unsigned *out)
{
    char *end;
    if (!t || !*t || *t == '-' || *t == '+')
        return -1;
    errno = 0;
    unsigned long v = strtoul(t, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int cmd_sweep(int argc, char **argv)
{
    struct sweep_opts o = { .models = models, .jobs = 1, .argc = argc, .argv = argv };
    budget_init(&o.budget);
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i], *v;
        int b = parse_budget_arg(argc, argv, &i, &o.budget);
        if (b == 2)
            return 2;
        if (b) {
            continue;
        } else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            o.quiet = 1;
        } else if (strcmp(arg, "--resume") == 0) {
            o.resume = 1;
        } else if (strcmp(arg, "-o") == 0 || strncmp(arg, "--output", 8) == 0) {
            v = strcmp(arg, "-o") == 0 ? (i + 1 < argc ? argv[++i] : NULL) : opt_value(argc, argv, &i, "--output");
            if (!v || !*v)
                return usage_error("%s needs a directory", arg);
            o.outdir = v;
        } else if (strncmp(arg, "-j", 2) == 0 || (strncmp(arg, "--jobs", 6) == 0 && (!arg[6] || arg[6] == '='))) {
            if (arg[1] == 'j' && arg[2])
                v = arg + 2;                  /* -j4 */
            else if (arg[1] == 'j')
                v = i + 1 < argc ? argv[++i] : NULL;
            else
                v = opt_value(argc, argv, &i, "--jobs");
            if (parse_uint(v, 1, SWEEP_MAX_JOBS, &o.jobs))
                return usage_error("-j needs a number of processes, 1 to 256 (got '%s')", v ? v : "");
        } else if (strncmp(arg, "--shard", 7) == 0 && (!arg[7] || arg[7] == '=')) {
            v = opt_value(argc, argv, &i, "--shard");
            const char *slash = v ? strchr(v, '/') : NULL;
            char num[32];
            if (!slash || (size_t)(slash - v) >= sizeof num)
                return usage_error("--shard needs I/K, e.g. --shard 1/4 (got '%s')", v ? v : "");
            memcpy(num, v, (size_t)(slash - v));
            num[slash - v] = '\0';
            if (parse_uint(num, 1, 1u << 20, &o.shard) || parse_uint(slash + 1, 1, 1u << 20, &o.nshards))
                return usage_error("--shard needs I/K with whole numbers I, K >= 1 (got '%s')", v);
            if (o.shard > o.nshards)
                return usage_error("--shard %s: I must be 1 to K", v);
        } else if (arg[0] == '-' && arg[1]) {
            return usage_error("unknown option '%s'", arg);
        } else if (!o.file) {
            o.file = arg;
        } else {
            return usage_error("unexpected argument '%s'", arg);
        }
    }
    if (!o.file)
        return usage_error("%s", "sweep needs a sweep file");
    struct diag d;
    diag_init(&d);
    int rc = sweep_run(&o, &d);
    diag_print(&d, stderr);
    diag_destroy(&d);
    return rc;
}

static int cmd_merge(int argc, char **argv)
{
    const char *outdir = NULL;
    int quiet = 0;
    char **dirs = calloc((size_t)argc, sizeof *dirs);
    size_t n = 0;
    int rc = 2;
    if (!dirs) {
        fprintf(stderr, "exposim: out of memory\n");
        return 1;
    }
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            quiet = 1;
        } else if (strcmp(arg, "-o") == 0 || strncmp(arg, "--output", 8) == 0) {
            const char *v = strcmp(arg, "-o") == 0 ? (i + 1 < argc ? argv[++i] : NULL)
                                                   : opt_value(argc, argv, &i, "--output");
            if (!v || !*v) {
                rc = usage_error("%s needs a directory", arg);
                goto out;
            }
            outdir = v;
        } else if (arg[0] == '-' && arg[1]) {
            rc = usage_error("unknown option '%s'", arg);
            goto out;
        } else {
            dirs[n++] = argv[i];
        }
    }
    if (!outdir || !n) {
        rc = usage_error("%s", "merge needs -o OUT and at least one shard directory");
        goto out;
    }
    struct diag d;
    diag_init(&d);
    struct stat sb;
    int had = stat(outdir, &sb) == 0 ? plot_stale_remove(outdir, &d) : 0;
    rc = had < 0 ? 1 : collate_merge(outdir, dirs, n, quiet, models, argc, argv, &d);
    if (rc == 0 && plot_stale_redraw(outdir, had, models, quiet, &d))
        rc = 1;
    diag_print(&d, stderr);
    diag_destroy(&d);
out:
    free(dirs);
    return rc;
}

static int cmd_plot(int argc, char **argv)
{
    struct plot_opts o;
    plot_opts_init(&o, NULL);
    o.models = models;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i], *v;
        if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            o.quiet = 1;
        } else if (strcmp(arg, "--pdf") == 0) {
            o.pdf = 1;
        } else if (strncmp(arg, "--size", 6) == 0 && (!arg[6] || arg[6] == '=')) {
            v = opt_value(argc, argv, &i, "--size");
            char *x = NULL, *end = NULL;
            errno = 0;
            o.width_cm = v ? strtod(v, &x) : NAN;
            o.height_cm = x && (*x == 'x' || *x == 'X') ? strtod(x + 1, &end) : NAN;
            if (!v || errno || !end || *end || !(o.width_cm >= 2 && o.width_cm <= 100)
                || !(o.height_cm >= 2 && o.height_cm <= 100))
                return usage_error("--size needs WIDTHxHEIGHT in centimetres, each 2 to 100 (got '%s')", v ? v : "");
        } else if (strncmp(arg, "--dpi", 5) == 0 && (!arg[5] || arg[5] == '=')) {
            v = opt_value(argc, argv, &i, "--dpi");
            if (parse_uint(v, 50, 1200, &o.dpi))
                return usage_error("--dpi needs a resolution, 50 to 1200 (got '%s')", v ? v : "");
        } else if (arg[0] == '-' && arg[1]) {
            return usage_error("unknown option '%s'", arg);
        } else if (o.dir) {
            return usage_error("unexpected argument '%s'", arg);
        } else {
            o.dir = arg;
        }
    }
    if (!o.dir)
        return usage_error("%s", "plot needs a results directory");
    struct diag d;
    diag_init(&d);
    int rc = plot_results(&o, &d);
    diag_print(&d, stderr);
    diag_destroy(&d);
    return rc;
}

static int cmd_compare(int argc, char **argv)
{
    struct compare_opts o = { .models = models, .argc = argc, .argv = argv };
    const char *pos[3] = { NULL, NULL, NULL };
    int npos = 0, have_ref = 0;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i], *v;
        if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            o.quiet = 1;
        } else if (strcmp(arg, "-o") == 0 || strncmp(arg, "--output", 8) == 0) {
            v = strcmp(arg, "-o") == 0 ? (i + 1 < argc ? argv[++i] : NULL) : opt_value(argc, argv, &i, "--output");
            if (!v || !*v)
                return usage_error("%s needs a directory", arg);
            o.outdir = v;
        } else if (strncmp(arg, "--reference", 11) == 0 && (!arg[11] || arg[11] == '=')) {
            v = opt_value(argc, argv, &i, "--reference");
            if (parse_uint(v, 1, 1000000, &o.reference))
                return usage_error("--reference needs a point number, from 1 (got '%s')", v ? v : "");
            have_ref = 1;
        } else if (arg[0] == '-' && arg[1]) {
            return usage_error("unknown option '%s'", arg);
        } else if (npos < 2) {
            pos[npos++] = arg;
        } else {
            return usage_error("unexpected argument '%s'", arg);
        }
    }
    if (have_ref && npos != 1)
        return usage_error("%s", "compare --reference P takes one sweep directory");
    if (!have_ref && npos != 2)
        return usage_error("%s", "compare needs two directories (a run's, or a sweep's with :POINT)");
    if (have_ref)
        o.sweep = pos[0];
    else {
        o.a = pos[0];
        o.b = pos[1];
    }
    struct diag d;
    diag_init(&d);
    int rc = compare_run(&o, &d);
    diag_print(&d, stderr);
    diag_destroy(&d);
    return rc;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();              /* GSL reports through return codes */
    /* Past `ulimit -f`, a write fails with EFBIG and is reported like a
     * full disk (status 1, no temporary file left) instead of the signal
     * killing the process mid-write. */
    signal(SIGXFSZ, SIG_IGN);
    LIBXML_TEST_VERSION;
    static const struct { const char *name; int (*fn)(int, char **); } commands[] = {
        { "run", cmd_run }, { "generate", cmd_generate }, { "validate", cmd_validate }, { "sweep", cmd_sweep },
        { "merge", cmd_merge }, { "plot", cmd_plot }, { "compare", cmd_compare },
    };
    int rc = -1;
    if (argc < 2) {
        rc = usage_error("%s", "no command given");
    } else if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        const struct command_help *h = argc > 2 ? find_help(argv[2]) : NULL;
        if (argc > 2 && !h)
            rc = usage_error("no help for '%s': not a command", argv[2]);
        else if (h)
            print_command_help(h);
        else {
            fputs(usage_text, stdout);
            fputs("\n", stdout);
            fputs(help_text, stdout);
        }
        rc = rc < 0 ? 0 : rc;
    } else if (strcmp(argv[1], "--version") == 0) {
        printf("exposim %s\n", EXPOSIM_VERSION);
        rc = 0;
    } else {
        for (size_t i = 0; i < sizeof commands / sizeof *commands && rc < 0; i++) {
            if (strcmp(argv[1], commands[i].name) != 0)
                continue;
            for (int k = 2; k < argc && rc < 0; k++)      /* COMMAND --help, anywhere */
                if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
                    print_command_help(find_help(commands[i].name));
                    rc = 0;
                }
            if (rc < 0)
                rc = commands[i].fn(argc, argv);
        }
        if (rc < 0)
            rc = usage_error("unknown command '%s'", argv[1]);
    }
    xmlCleanupParser();
    return rc;
}
