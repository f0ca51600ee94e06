/* sweep — validating, running and resuming sweeps; see sweep.h.
 *
 * Processes.  One process runs everything with -j 1.  With -j N it forks N
 * workers; each reads run numbers from its own pipe and answers with the
 * run's journal line on another; the parent alone appends to the journal
 * (so lines never interleave, and a killed parent leaves workers that die
 * at their next write).  Runs are handed out one at a time as workers
 * finish, which keeps both cores busy when points differ in cost.  With
 * MPI, rank r runs the runs to do whose position is r modulo the number of
 * ranks and sends each line to rank 0, which appends it. */
#include "sweep.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#ifdef EXPOSIM_MPI
#include <mpi.h>
#endif

#include "cfg.h"
#include "collate.h"
#include "design.h"
#include "journal.h"
#include "plot.h"
#include "results.h"
#include "rng.h"
#include "sim.h"

#define MAX_POINT_ERRORS 5             /* invalid points reported in full */

/* One base scenario, loaded. */
struct sweep_base {
    const struct cfg *src;             /* the document the base comes from */
    const struct cfg_node *elem;       /* ... and its <scenario> element */
    struct cfg *as_run;                /* the base as run (seed, replications set) */
    struct cfg *file;                  /* the base file, when it is one */
};

struct sweep {
    const struct sweep_opts *o;
    struct design dz;
    struct cfg_validator *v;
    struct sweep_base *bases;          /* per base of the design (dz.bases), same order */
    char **base_sets;                  /* run@seed, run@replications: every base as run */
    long nbase_sets;
    const struct sim_model_type *model;
    uint32_t seed, reps;
    unsigned shard, nshards;           /* 1-based; 1 of 1 when not sharded */
    char outdir[4096];
    int created;                       /* outdir made by this process */
    struct journal j;
    uint32_t *todo;                    /* run ids p * reps + r, ascending */
    size_t ntodo;
    size_t shard_points, shard_runs, done_runs, done_points;
    uint32_t *reps_done;               /* per point */
    int rank, size;                    /* MPI rank and size; 0 and 1 without */
    /* progress */
    int progress;
    double t0, last_print;
    size_t session_runs;
    /* the point this process has configured */
    long cur;
    struct cfg *cur_cfg;
    char **cur_sets;
    long ncur_sets;
    void *cur_params;
    struct sim_run_params cur_run;
    time_t started;
    /* the points' estimates (budget.h): sums over every run, the largest point */
    double est_events, est_seconds;
    struct sim_estimate est_max;
    size_t est_max_point, est_refused;
    char est_why[1100];                /* the first refusal, for validate */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- points --------------------------------------------------------------- */

static void point_release(struct sweep *s)
{
    if (s->cur_params)
        s->model->free_params(s->cur_params);
    cfg_free(s->cur_cfg);
    design_sets_free(s->cur_sets, s->ncur_sets);
    s->cur_params = NULL;
    s->cur_cfg = NULL;
    s->cur_sets = NULL;
    s->ncur_sets = 0;
    s->cur = -1;
}

/* Configure point p as the current point: its document (the base with the
 * point's overrides, validated) and the model's parameters.  Returns 0, or
 * -1 with the reasons in d.  The override strings live as long as the
 * document, whose messages quote them. */
static int point_configure(struct sweep *s, size_t p, struct diag *d)
{
    if (s->cur == (long)p)
        return 0;
    point_release(s);
    s->ncur_sets = design_point_sets(&s->dz, p, s->seed, s->reps, &s->cur_sets);
    if (s->ncur_sets < 0) {
        s->ncur_sets = 0;
        return diag_add(d, NULL, 0, "out of memory");
    }
    const struct sweep_base *b = &s->bases[design_point_base(&s->dz, p)];
    s->cur_cfg = cfg_derive(b->src, b->elem, (const char *const *)s->cur_sets,
                            (size_t)s->ncur_sets, s->v, d);
    if (!s->cur_cfg || sim_read_run(s->cur_cfg, &s->cur_run)
        || !(s->cur_params = s->model->configure(s->cur_cfg, &s->cur_run))) {
        point_release(s);
        return -1;
    }
    s->cur = (long)p;
    return 0;
}

/* "PATH=VALUE, PATH=VALUE" of point p, for messages. */
static void point_label(const struct sweep *s, size_t p, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < s->dz.nparams && at + 1 < len; j++) {
        int w = snprintf(buf + at, len - at, "%s%s=%s", j ? ", " : "", s->dz.params[j].path,
                         design_value(&s->dz, p, j));
        if (w < 0)
            break;
        at += (size_t)w;
    }
}

/* Re-file the messages of a failed check under a sweep-file location. */
static void relay(struct diag *d, const struct diag *sub, const char *file, long line, const char *head)
{
    diag_add(d, file, line, "%s", head);
    for (size_t i = 0; i < sub->n; i++)
        diag_add(d, NULL, 0, "  %s", sub->msg[i]);
    if (sub->dropped)
        diag_add(d, NULL, 0, "  (%zu more)", sub->dropped);
}

/* ---- preparing ------------------------------------------------------------ */

/* "base 'NAME'" or "the base scenario", for messages. */
static void base_label(const struct sweep *s, size_t i, char *buf, size_t len)
{
    if (s->dz.bases[i].name)
        snprintf(buf, len, "base '%s'", s->dz.bases[i].name);
    else
        snprintf(buf, len, "the base scenario");
}

/* Load base i (its file, or the inline scenario) and check it alone: the
 * model that runs it (the same for every base) and its run parameters in
 * *br.  Returns 0 or -1 with the reasons in d. */
static int load_base(struct sweep *s, size_t i, struct sim_run_params *br, struct diag *d)
{
    const struct design_base *db = &s->dz.bases[i];
    struct sweep_base *b = &s->bases[i];
    char what[128];
    base_label(s, i, what, sizeof what);
    if (db->file) {
        if (!(b->file = cfg_load_valid(db->file, NULL, 0, s->v, d)))
            return diag_add(d, s->dz.file, db->line, "%s: %s is not a valid scenario (above)", what, db->file);
        b->src = b->file;
        b->elem = cfg_root(b->file);
    } else {
        b->src = s->dz.doc;
        b->elem = db->inline_elem;
    }
    const char *root = cfg_name(b->elem);
    const struct sim_model_type *m = sim_model_find(s->o->models, root);
    if (!m)
        return diag_add(d, s->dz.file, db->line, "no model runs <%s> documents", root);
    if (i && m != s->model)
        return diag_add(d, s->dz.file, db->line, "%s is a <%s> document, the first base a <%s>: one sweep "
                        "runs one model", what, root, cfg_name(s->bases[0].elem));
    s->model = m;
    /* The base alone, as written: seed and replications default to it. */
    void *params = NULL;
    struct cfg *alone = cfg_derive(b->src, b->elem, NULL, 0, s->v, d);
    int rc = !alone || sim_read_run(alone, br) || !(params = m->configure(alone, br)) ? -1 : 0;
    if (params)
        m->free_params(params);
    cfg_free(alone);
    return rc;
}

/* Load the design, the base scenarios and the model; settle seed and
 * replications (the sweep's, else the bases', which must then agree: the
 * bases share random numbers only with the same seed).  Every point is
 * checked by check_points. */
static int prepare(struct sweep *s, const char *path, struct diag *d)
{
    if (design_load(&s->dz, path, d))
        return -1;
    if (!(s->v = cfg_validator_new(&cfg_scenario_schema, d)))
        return -1;
    if (!(s->bases = calloc(s->dz.nbases, sizeof *s->bases)))
        return diag_add(d, NULL, 0, "out of memory");
    struct sim_run_params first = { 0 };
    for (size_t i = 0; i < s->dz.nbases; i++) {
        struct sim_run_params br;
        if (load_base(s, i, &br, d))
            return -1;
        if (!i) {
            first = br;
            continue;
        }
        const char *which = !s->dz.has_seed && br.seed != first.seed ? "seed"
                            : !s->dz.has_reps && br.replications != first.replications ? "replications" : NULL;
        if (which) {
            char a[128], b[128];
            base_label(s, 0, a, sizeof a);
            base_label(s, i, b, sizeof b);
            return diag_add(d, s->dz.file, s->dz.bases[i].line, "%s has run@%s=\"%lu\", %s \"%lu\": set %s=\"...\" "
                            "on <sweep> so that every base runs with the same", b, which,
                            (unsigned long)(*which == 's' ? br.seed : br.replications), a,
                            (unsigned long)(*which == 's' ? first.seed : first.replications), which);
        }
    }
    s->seed = s->dz.has_seed ? s->dz.seed : first.seed;
    s->reps = s->dz.has_reps ? s->dz.replications : first.replications;
    if ((double)s->dz.npoints * s->reps > (double)DESIGN_MAX_RUNS)
        return diag_add(d, s->dz.file, s->dz.design_line, "%zu points x %u replications is more than %llu runs",
                        s->dz.npoints, s->reps, DESIGN_MAX_RUNS);
    /* Each base as every point runs it (for the manifest). */
    char num[2][32];
    snprintf(num[0], sizeof num[0], "run@seed=%lu", (unsigned long)s->seed);
    snprintf(num[1], sizeof num[1], "run@replications=%lu", (unsigned long)s->reps);
    s->nbase_sets = 2;
    if (!(s->base_sets = calloc(2, sizeof *s->base_sets)) || !(s->base_sets[0] = strdup(num[0]))
        || !(s->base_sets[1] = strdup(num[1])))
        return diag_add(d, NULL, 0, "out of memory");
    for (size_t i = 0; i < s->dz.nbases; i++) {
        struct sweep_base *b = &s->bases[i];
        if (!(b->as_run = cfg_derive(b->src, b->elem, (const char *const *)s->base_sets, 2, s->v, d)))
            return -1;
    }
    return 0;
}

/* The estimate of point p, the one configured (budget.h): added to the
 * sweep's sums; when it cannot fit, counted (its reason kept for
 * validate) and, with enforce and p in this process's share, reported in d.
 * Returns 0, or -1 when refused. */
static int point_estimate(struct sweep *s, size_t p, int enforce, struct diag *d)
{
    if (!s->model->estimate)
        return 0;
    struct sim_estimate e;
    uint32_t reps = s->cur_run.replications;
    s->model->estimate(s->cur_params, &s->cur_run, &e);
    s->est_events += e.events * reps;
    s->est_seconds += e.seconds * reps;
    if (p == 0 || e.bytes > s->est_max.bytes) {
        s->est_max = e;
        s->est_max_point = p;
    }
    /* -j N runs N points at once (the largest N share the machine: the
     * check takes this one N times, conservatively) */
    unsigned parallel = s->o->jobs > 1 ? s->o->jobs : 1;
    if (parallel > s->dz.npoints)
        parallel = (unsigned)s->dz.npoints;
    char why[1024];
    if (!budget_check(&s->o->budget, &e, reps, parallel, why, sizeof why))
        return 0;
    if (!s->est_refused++)
        snprintf(s->est_why, sizeof s->est_why, "point %zu: %s", p + 1, why);
    if (!enforce || p % s->nshards != s->shard - 1)
        return 0;
    char label[1500];
    point_label(s, p, label, sizeof label);
    diag_add(d, s->dz.file, s->dz.design_line, "point %zu of %zu (%s): %s", p + 1, s->dz.npoints, label, why);
    return -1;
}

/* Every parameter's PATH must name an attribute the base scenario may
 * have: applied alone with its first value, it must give a valid scenario.
 * Then every point must be a valid scenario for the model, and (enforce)
 * fit the machine. */
static int check_points(struct sweep *s, int enforce, struct diag *d)
{
    int bad = 0;
    for (size_t j = (size_t)s->dz.base_param; j < s->dz.nparams; j++) {
        const struct design_param *par = &s->dz.params[j];
        char *set = malloc(strlen(par->path) + strlen(par->values[0]) + 2);
        if (!set)
            return diag_add(d, NULL, 0, "out of memory");
        sprintf(set, "%s=%s", par->path, par->values[0]);
        const char *sets[] = { set };
        for (size_t i = 0; i < s->dz.nbases; i++) {   /* every base must have it */
            struct diag sub;
            diag_init(&sub);
            struct cfg *c = cfg_derive(s->bases[i].src, s->bases[i].elem, sets, 1, s->v, &sub);
            if (!c) {
                char head[600], what[128];
                base_label(s, i, what, sizeof what);
                snprintf(head, sizeof head, "parameter '%s' does not fit %s:", par->path, what);
                relay(d, &sub, s->dz.file, par->line, head);
                bad = 1;
            }
            cfg_free(c);
            diag_destroy(&sub);
        }
        free(set);
    }
    if (bad)
        return -1;
    size_t nbad = 0;
    for (size_t p = 0; p < s->dz.npoints; p++) {
        struct diag sub;
        diag_init(&sub);
        if (point_configure(s, p, &sub)) {
            if (nbad < MAX_POINT_ERRORS) {
                char label[1500], head[1700];
                point_label(s, p, label, sizeof label);
                snprintf(head, sizeof head, "point %zu of %zu (%s) is not a valid scenario:", p + 1,
                         s->dz.npoints, label);
                relay(d, &sub, s->dz.file, s->dz.design_line, head);
            }
            nbad++;
        } else if (point_estimate(s, p, enforce, nbad < MAX_POINT_ERRORS ? d : &sub)) {
            nbad++;
        }
        diag_destroy(&sub);
    }
    point_release(s);
    if (nbad > MAX_POINT_ERRORS)
        diag_add(d, s->dz.file, s->dz.design_line, "%zu invalid or refused points in all", nbad);
    return nbad ? -1 : 0;
}

static void sweep_destroy(struct sweep *s)
{
    if (s->model)
        point_release(s);
    for (size_t i = 0; s->bases && i < s->dz.nbases; i++) {
        cfg_free(s->bases[i].as_run);
        cfg_free(s->bases[i].file);
    }
    free(s->bases);
    design_sets_free(s->base_sets, s->nbase_sets);
    cfg_validator_free(s->v);
    design_destroy(&s->dz);
    journal_destroy(&s->j);
    free(s->todo);
    free(s->reps_done);
}

static void sweep_init(struct sweep *s, const struct sweep_opts *o)
{
    memset(s, 0, sizeof *s);
    s->o = o;
    s->cur = -1;
    s->j.fd = -1;
    s->size = 1;
    s->shard = o && o->nshards ? o->shard : 1;
    s->nshards = o && o->nshards ? o->nshards : 1;
}

/* ---- running one run -------------------------------------------------------- */

/* Run `run` (p * reps + r) and format its journal line into *line.
 * Returns 0, or -1 with the reason in err. */
static int run_one(struct sweep *s, uint32_t run, char **line, size_t *len, char *err, size_t errlen)
{
    uint32_t p = run / s->reps, r = run % s->reps;
    struct diag d;
    diag_init(&d);
    struct results res;
    results_init(&res);
    const char **names = NULL;
    double *vals = NULL;
    int rc = -1;
    if (point_configure(s, p, &d)) {              /* checked before: only OOM */
        snprintf(err, errlen, "point %u: %s", p + 1, d.n ? d.msg[0] : "cannot be configured");
        goto cleanup;
    }
    uint64_t events = 0;
    char simerr[512];
    if (sim_run_replication(s->model, s->cur_params, &s->cur_run, r, &res, NULL, simerr, sizeof simerr,
                            &events)) {
        snprintf(err, errlen, "point %u, %s", p + 1, simerr);
        goto cleanup;
    }
    /* The row: each metric's last value (rows come in time order), in the
     * order the model first reported them, as results_summary takes it. */
    names = calloc(res.nmetrics ? res.nmetrics : 1, sizeof *names);
    vals = calloc(res.nmetrics ? res.nmetrics : 1, sizeof *vals);
    if (!names || !vals) {
        snprintf(err, errlen, "out of memory");
        goto cleanup;
    }
    for (size_t m = 0; m < res.nmetrics; m++) {
        names[m] = res.metrics[m];
        vals[m] = NAN;
    }
    for (size_t i = 0; i < res.n; i++)
        vals[res.rows[i].metric] = res.rows[i].value;
    if (journal_format_run(p, r, names, vals, res.nmetrics, line, len)) {
        snprintf(err, errlen, "out of memory");
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(names);
    free(vals);
    results_destroy(&res);
    diag_destroy(&d);
    return rc;
}

/* ---- progress --------------------------------------------------------------- */

static void progress(struct sweep *s, int final)
{
    if (!s->progress)
        return;
    double t = now_s();
    if (!final && t - s->last_print < 0.1)
        return;
    s->last_print = t;
    double el = t - s->t0, rate = el > 0 ? (double)s->session_runs / el : 0;
    size_t left = s->shard_runs - s->done_runs;
    char eta[32] = "--:--";
    if (rate > 0) {
        long sec = (long)ceil((double)left / rate);
        if (sec >= 3600)
            snprintf(eta, sizeof eta, "%ld:%02ld:%02ld", sec / 3600, sec / 60 % 60, sec % 60);
        else
            snprintf(eta, sizeof eta, "%ld:%02ld", sec / 60, sec % 60);
    }
    fprintf(stderr, "\rsweep %s: points %zu/%zu, runs %zu/%zu, %.1f runs/s, ETA %s   ", s->dz.name,
            s->done_points, s->shard_points, s->done_runs, s->shard_runs, rate, eta);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

/* A finished run's line: append it (durably) and count it. */
static int record(struct sweep *s, uint32_t run, const char *line, size_t len, struct diag *d)
{
    if (journal_append(&s->j, line, len, d))
        return -1;
    uint32_t p = run / s->reps;
    s->done_runs++;
    s->session_runs++;
    if (++s->reps_done[p] == s->reps)
        s->done_points++;
    progress(s, 0);
    return 0;
}

/* ---- executors -------------------------------------------------------------- */

static int run_inline(struct sweep *s, struct diag *d)
{
    for (size_t k = 0; k < s->ntodo; k++) {
        char *line, err[600];
        size_t len;
        if (run_one(s, s->todo[k], &line, &len, err, sizeof err))
            return diag_add(d, NULL, 0, "%s", err);
        int rc = record(s, s->todo[k], line, len, d);
        free(line);
        if (rc)
            return -1;
    }
    return 0;
}

/* Pipe messages: worker -> parent "ok"/"error" with the run and a text. */
struct msg {
    uint32_t kind;                     /* 0 line, 1 error */
    uint32_t run;
    uint32_t len;
};

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* 1 whole, 0 at end of file before any byte, -1 error or torn. */
static int read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, p + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return got ? -1 : 0;
        got += (size_t)r;
    }
    return 1;
}

/* A worker: runs what arrives on `in` until it closes, answers on `out`. */
static int worker_main(struct sweep *s, int in, int out)
{
    uint32_t run;
    int r;
    while ((r = read_all(in, &run, sizeof run)) == 1) {
        char *line = NULL, err[600];
        size_t len = 0;
        struct msg m = { 0, run, 0 };
        const char *body;
        if (run_one(s, run, &line, &len, err, sizeof err)) {
            m.kind = 1;
            body = err;
            len = strlen(err);
        } else {
            body = line;
        }
        m.len = (uint32_t)len;
        int bad = write_all(out, &m, sizeof m) || write_all(out, body, len);
        free(line);
        if (bad || m.kind)
            return 1;
    }
    return r == 0 ? 0 : 1;
}

struct worker {
    pid_t pid;
    int in, out;                       /* parent's ends: tasks in, results out */
    int busy;
};

static void stop_workers(struct worker *w, unsigned n, int kill_them)
{
    for (unsigned i = 0; i < n; i++) {
        if (w[i].in >= 0)
            close(w[i].in);
        w[i].in = -1;
        if (kill_them && w[i].pid > 0)
            kill(w[i].pid, SIGTERM);
    }
    for (unsigned i = 0; i < n; i++) {
        if (w[i].out >= 0)
            close(w[i].out);
        w[i].out = -1;
        if (w[i].pid > 0)
            while (waitpid(w[i].pid, NULL, 0) < 0 && errno == EINTR)
                ;
        w[i].pid = 0;
    }
}

static int run_forked(struct sweep *s, unsigned jobs, struct diag *d)
{
    if (jobs > s->ntodo)
        jobs = (unsigned)s->ntodo;
    struct worker *w = calloc(jobs, sizeof *w);
    struct pollfd *pfd = calloc(jobs, sizeof *pfd);
    int rc = -1;
    size_t next = 0, pending = 0;
    char *line = NULL;
    struct sigaction ign = { .sa_handler = SIG_IGN }, old;
    sigaction(SIGPIPE, &ign, &old);            /* a dead worker is an error, not a signal */
    if (!w || !pfd) {
        diag_add(d, NULL, 0, "out of memory");
        goto cleanup;
    }
    for (unsigned i = 0; i < jobs; i++)
        w[i].in = w[i].out = -1;
    fflush(NULL);                              /* nothing buffered is written twice */
    for (unsigned i = 0; i < jobs; i++) {
        int tp[2], rp[2];
        if (pipe(tp))
            goto fork_failed;
        if (pipe(rp)) {
            close(tp[0]), close(tp[1]);
            goto fork_failed;
        }
        pid_t pid = fork();
        if (pid < 0) {
            close(tp[0]), close(tp[1]), close(rp[0]), close(rp[1]);
            goto fork_failed;
        }
        if (pid == 0) {                        /* the worker */
            signal(SIGPIPE, SIG_DFL);          /* the parent gone: die at the next write */
            close(tp[1]);
            close(rp[0]);
            for (unsigned k = 0; k < i; k++)
                close(w[k].in), close(w[k].out);
            if (s->j.fd >= 0)
                close(s->j.fd);
            s->j.fd = -1;
            int st = worker_main(s, tp[0], rp[1]);
            close(tp[0]);
            close(rp[1]);
            free(w);
            free(pfd);
            sweep_destroy(s);
            xmlCleanupParser();
            _exit(st);
        }
        close(tp[0]);
        close(rp[1]);
        w[i] = (struct worker){ pid, tp[1], rp[0], 0 };
    }
    for (unsigned i = 0; i < jobs && next < s->ntodo; i++, next++) {
        if (write_all(w[i].in, &s->todo[next], sizeof s->todo[next])) {
            diag_add(d, NULL, 0, "worker %u stopped unexpectedly", i + 1);
            goto cleanup;
        }
        w[i].busy = 1;
        pending++;
    }
    while (pending) {
        for (unsigned i = 0; i < jobs; i++)
            pfd[i] = (struct pollfd){ w[i].busy ? w[i].out : -1, POLLIN, 0 };
        if (poll(pfd, jobs, -1) < 0) {
            if (errno == EINTR)
                continue;
            diag_add(d, NULL, 0, "poll: %s", strerror(errno));
            goto cleanup;
        }
        for (unsigned i = 0; i < jobs; i++) {
            if (!pfd[i].revents)
                continue;
            struct msg m;
            int r = read_all(w[i].out, &m, sizeof m);
            if (r != 1 || !(line = malloc((size_t)m.len + 1)) || read_all(w[i].out, line, m.len) != (m.len ? 1 : 0)) {
                int st = 0;
                close(w[i].out);
                w[i].out = -1;
                waitpid(w[i].pid, &st, 0);
                w[i].pid = 0;
                if (WIFSIGNALED(st))
                    diag_add(d, NULL, 0, "worker %u was killed by signal %d", i + 1, WTERMSIG(st));
                else
                    diag_add(d, NULL, 0, "worker %u stopped unexpectedly", i + 1);
                goto cleanup;
            }
            line[m.len] = '\0';
            if (m.kind) {
                diag_add(d, NULL, 0, "%s", line);
                goto cleanup;
            }
            w[i].busy = 0;
            pending--;
            if (next < s->ntodo) {             /* hand out the next run first */
                if (write_all(w[i].in, &s->todo[next], sizeof s->todo[next])) {
                    diag_add(d, NULL, 0, "worker %u stopped unexpectedly", i + 1);
                    goto cleanup;
                }
                next++;
                w[i].busy = 1;
                pending++;
            }
            if (record(s, m.run, line, m.len, d))
                goto cleanup;
            free(line);
            line = NULL;
        }
    }
    rc = 0;
    goto cleanup;
fork_failed:
    diag_add(d, NULL, 0, "cannot start worker processes: %s", strerror(errno));
cleanup:
    free(line);
    if (w)
        stop_workers(w, jobs, rc != 0);
    sigaction(SIGPIPE, &old, NULL);
    free(w);
    free(pfd);
    return rc;
}

#ifdef EXPOSIM_MPI
enum { TAG_LINE = 1, TAG_ERROR = 2, TAG_DONE = 3 };

/* Rank 0: take every message waiting (or, when `block`, wait for one). */
static int mpi_drain(struct sweep *s, int block, int *done_ranks, struct diag *d)
{
    for (;;) {
        int flag = 0;
        MPI_Status st;
        if (block)
            MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st), flag = 1;
        else
            MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (!flag)
            return 0;
        int count;
        MPI_Get_count(&st, MPI_CHAR, &count);
        char *buf = malloc((size_t)count + 1);
        if (!buf)
            return diag_add(d, NULL, 0, "out of memory");
        MPI_Recv(buf, count, MPI_CHAR, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        buf[count] = '\0';
        int rc = 0;
        if (st.MPI_TAG == TAG_DONE) {
            (*done_ranks)++;
        } else if (st.MPI_TAG == TAG_ERROR) {
            rc = diag_add(d, NULL, 0, "rank %d: %s", st.MPI_SOURCE, buf);
        } else {                               /* "RUN\n" + line */
            char *nl = strchr(buf, '\n');
            rc = nl ? record(s, (uint32_t)strtoul(buf, NULL, 10), nl + 1, (size_t)count - (size_t)(nl + 1 - buf), d)
                    : diag_add(d, NULL, 0, "rank %d sent a malformed line", st.MPI_SOURCE);
        }
        free(buf);
        if (rc)
            return -1;
        if (block)
            return 0;
    }
}

/* Every rank runs todo[k] for k = rank mod size; rank 0 also appends. */
static int run_mpi(struct sweep *s, struct diag *d)
{
    int done_ranks = 0;
    for (size_t k = (size_t)s->rank; k < s->ntodo; k += (size_t)s->size) {
        char *line, err[600];
        size_t len;
        if (run_one(s, s->todo[k], &line, &len, err, sizeof err)) {
            if (s->rank == 0)
                return diag_add(d, NULL, 0, "%s", err);
            MPI_Send(err, (int)strlen(err), MPI_CHAR, 0, TAG_ERROR, MPI_COMM_WORLD);
            return -1;
        }
        int rc = 0;
        if (s->rank == 0) {
            rc = record(s, s->todo[k], line, len, d) || mpi_drain(s, 0, &done_ranks, d);
        } else {
            char *msg = malloc(len + 16);
            if (!msg) {
                free(line);
                MPI_Send("out of memory", 13, MPI_CHAR, 0, TAG_ERROR, MPI_COMM_WORLD);
                return -1;
            }
            int hl = snprintf(msg, 16, "%u\n", s->todo[k]);
            memcpy(msg + hl, line, len);
            MPI_Send(msg, hl + (int)len, MPI_CHAR, 0, TAG_LINE, MPI_COMM_WORLD);
            free(msg);
        }
        free(line);
        if (rc)
            return -1;
    }
    if (s->rank != 0) {
        MPI_Send("", 0, MPI_CHAR, 0, TAG_DONE, MPI_COMM_WORLD);
        return 0;
    }
    while (done_ranks < s->size - 1)
        if (mpi_drain(s, 1, &done_ranks, d))
            return -1;
    return 0;
}
#endif

/* ---- the sweep command ------------------------------------------------------ */

/* The journal header of this sweep. */
static int make_header(const struct sweep *s, struct journal_header *h)
{
    memset(h, 0, sizeof *h);
    memcpy(h->hash, s->dz.hash, sizeof h->hash);
    h->shard = s->shard;
    h->nshards = s->nshards;
    h->npoints = (uint32_t)s->dz.npoints;
    h->replications = s->reps;
    h->nparams = s->dz.nparams;
    if (!(h->name = strdup(s->dz.name)) || !(h->paths = calloc(h->nparams ? h->nparams : 1, sizeof *h->paths))
        || !(h->values = calloc(s->dz.npoints * (h->nparams ? h->nparams : 1), sizeof *h->values)))
        return -1;
    for (size_t j = 0; j < h->nparams; j++)
        if (!(h->paths[j] = strdup(s->dz.params[j].path)))
            return -1;
    for (size_t p = 0; p < s->dz.npoints; p++)
        for (size_t j = 0; j < h->nparams; j++)
            if (!(h->values[p * h->nparams + j] = strdup(design_value(&s->dz, p, j))))
                return -1;
    return 0;
}

/* The hash recorded in DIR/manifest.xml, malloc'd ("" when there is none
 * or it cannot be read), or NULL (no manifest, or out of memory).  Read
 * with cfg's safety rules (no DOCTYPE, so no entity is expanded; a
 * regular file of bounded size): the directory may come from anyone. */
static char *manifest_hash(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.xml", dir);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return NULL;
    struct diag quiet;
    diag_init(&quiet);
    struct cfg *c = cfg_load_schema(path, NULL, 0, NULL, &quiet);
    char *out = NULL;
    if (c) {
        xmlXPathContextPtr xp = xmlXPathNewContext(cfg_xml_doc(c));
        xmlXPathObjectPtr o = xp ? xmlXPathEvalExpression(BAD_CAST "string(/manifest/sweep/@hash)", xp) : NULL;
        if (o && o->stringval)
            out = strdup((const char *)o->stringval);
        xmlXPathFreeObject(o);
        xmlXPathFreeContext(xp);
        cfg_free(c);
    }
    diag_destroy(&quiet);
    return out ? out : strdup("");
}

/* Decide what is left to do from an existing journal (resume) or none.
 * Returns 0, or 2 (bad input) with a diagnostic. */
static int check_resume(struct sweep *s, struct diag *d)
{
    struct stat sb;
    if (stat(s->outdir, &sb) != 0)
        return 0;                              /* nothing there yet */
    int r = journal_read(s->outdir, &s->j, d);
    if (r < 0)
        return 2;
    if (r == 1) {
        char *mh = manifest_hash(s->outdir);
        int other = mh && *mh && strcmp(mh, s->dz.hash) != 0;
        free(mh);
        if (other) {
            diag_add(d, NULL, 0, "%s holds the results of a different sweep (its manifest's hash "
                     "differs); refusing to %s there", s->outdir, s->o->resume ? "resume" : "write");
            return 2;
        }
        return 0;
    }
    if (!s->o->resume) {
        diag_add(d, s->j.path, 0, "a sweep journal is already there: add --resume to continue "
                 "that sweep, or choose another -o");
        return 2;
    }
    if (strcmp(s->j.h.hash, s->dz.hash) != 0) {
        diag_add(d, s->j.path, 0, "was written by a different sweep (hash %.12s..., %s is %.12s...): "
                 "refusing to resume; the sweep file or its base scenario changed", s->j.h.hash,
                 s->dz.file, s->dz.hash);
        return 2;
    }
    char *mh = manifest_hash(s->outdir);
    int other = mh && *mh && strcmp(mh, s->dz.hash) != 0;
    free(mh);
    if (other) {
        diag_add(d, NULL, 0, "%s/manifest.xml names a different sweep (its hash differs): refusing "
                 "to resume", s->outdir);
        return 2;
    }
    if (s->j.h.shard != s->shard || s->j.h.nshards != s->nshards) {
        diag_add(d, s->j.path, 0, "holds shard %u/%u, not %u/%u: refusing to resume", s->j.h.shard,
                 s->j.h.nshards, s->shard, s->nshards);
        return 2;
    }
    if (s->j.h.replications != s->reps || s->j.h.npoints != s->dz.npoints) {
        diag_add(d, s->j.path, 0, "does not match the sweep's design: refusing to resume");
        return 2;
    }
    return 0;
}

/* The runs of this shard not yet in the journal.  Returns 0, 2 (a run
 * twice or of another shard: the journal is damaged, bad input like any
 * other damage journal_read finds) or 1 (out of memory). */
static int plan(struct sweep *s, struct diag *d)
{
    size_t np = s->dz.npoints;
    uint8_t *done = calloc(np * s->reps + 1, 1);
    s->reps_done = calloc(np ? np : 1, sizeof *s->reps_done);
    if (!done || !s->reps_done) {
        free(done);
        diag_add(d, NULL, 0, "out of memory");
        return 1;
    }
    for (size_t k = 0; k < s->j.nruns; k++) {
        const struct journal_run *r = &s->j.runs[k];
        size_t id = (size_t)r->point * s->reps + r->rep;
        if (r->point % s->nshards != s->shard - 1 || done[id]) {
            const char *why = done[id] ? "there twice" : "not in this shard";
            free(done);
            diag_add(d, s->j.path, 0, "point %u, replication %u is %s: the journal is damaged", r->point + 1,
                     r->rep + 1, why);
            return 2;
        }
        done[id] = 1;
        s->reps_done[r->point]++;
    }
    for (size_t p = s->shard - 1; p < np; p += s->nshards) {
        s->shard_points++;
        s->shard_runs += s->reps;
        s->done_runs += s->reps_done[p];
        s->done_points += s->reps_done[p] == s->reps;
    }
    if (!(s->todo = malloc((s->shard_runs - s->done_runs + 1) * sizeof *s->todo))) {
        free(done);
        diag_add(d, NULL, 0, "out of memory");
        return 1;
    }
    for (size_t p = s->shard - 1; p < np; p += s->nshards)
        for (uint32_t r = 0; r < s->reps; r++)
            if (!done[p * s->reps + r])
                s->todo[s->ntodo++] = (uint32_t)(p * s->reps + r);
    free(done);
    return 0;
}

/* Rank 0 (or the only process): everything up to the first run.  Returns
 * 0, 2 or 1. */
static int setup(struct sweep *s, struct diag *d)
{
    const struct sweep_opts *o = s->o;
    if (prepare(s, o->file, d) || check_points(s, 1, d))
        return 2;
    if (o->outdir)
        snprintf(s->outdir, sizeof s->outdir, "%s", o->outdir);
    else if (s->nshards > 1)
        snprintf(s->outdir, sizeof s->outdir, "results/%s/shard-%u-of-%u", s->dz.name, s->shard, s->nshards);
    else
        snprintf(s->outdir, sizeof s->outdir, "results/%s", s->dz.name);
    int rc = check_resume(s, d);
    if (rc)
        return rc;
    if (results_prepare_dir(s->outdir, &s->created, d))
        return 2;
    if (!s->j.path) {                          /* a new journal */
        struct journal_header h;
        int bad = make_header(s, &h);
        if (bad)
            diag_add(d, NULL, 0, "out of memory");
        bad = bad || journal_create(s->outdir, &h, d);
        journal_header_destroy(&h);
        if (bad)
            return 1;
    }
    journal_destroy(&s->j);                    /* read again, under the lock */
    rc = journal_open(s->outdir, &s->j, d);
    if (rc)
        return rc == JOURNAL_BUSY ? 2 : 1;
    return plan(s, d);
}

static void announce(const struct sweep *s)
{
    if (s->o->quiet)
        return;
    printf("exposim %s: sweep %s, %zu point%s x %u replication%s = %zu runs", EXPOSIM_VERSION, s->dz.name,
           s->dz.npoints, s->dz.npoints == 1 ? "" : "s", s->reps, s->reps == 1 ? "" : "s",
           s->dz.npoints * s->reps);
    if (s->nshards > 1)
        printf("; shard %u/%u: %zu runs", s->shard, s->nshards, s->shard_runs);
    if (s->size > 1)
        printf("; %d MPI ranks", s->size);
    else if (s->o->jobs > 1)
        printf("; -j %u", s->o->jobs);
    printf("\n");
    if (s->done_runs)
        printf("resuming %s: %zu of %zu runs already done\n", s->outdir, s->done_runs, s->shard_runs);
    fflush(stdout);
}

/* Rank 0: read the journal back and write the outputs from it (never from
 * memory), so that every way of running gives the same bytes. */
static int finish(struct sweep *s, struct diag *d)
{
    struct journal j;
    if (journal_read(s->outdir, &j, d) != 0)
        return 1;
    int rc = 1;
    size_t nruns = 0;
    struct collate_base *cb = s->dz.base_param ? calloc(s->dz.nbases, sizeof *cb) : NULL;
    if (s->dz.base_param && !cb) {
        journal_destroy(&j);
        return diag_add(d, NULL, 0, "out of memory"), 1;
    }
    for (size_t i = 0; cb && i < s->dz.nbases; i++)
        cb[i] = (struct collate_base){ s->dz.bases[i].name, s->dz.bases[i].file, s->dz.bases[i].hash,
                                       s->bases[i].as_run };
    struct collate_info info = { s->dz.file, s->dz.base_file, s->o->argc, s->o->argv, s->started,
                                 s->model, s->seed, s->bases[0].as_run, cb, cb ? s->dz.nbases : 0 };
    int had = 0;                          /* figures of earlier results: removed, drawn again (plot.h) */
    if (j.nruns != s->shard_runs)
        diag_add(d, j.path, 0, "holds %zu runs, %zu expected", j.nruns, s->shard_runs);
    else if ((had = plot_stale_remove(s->outdir, d)) >= 0 && collate_sweep(s->outdir, &j, &info, &nruns, d) == 0)
        rc = 0;
    if (!rc && !s->o->quiet)
        printf("results: %s/ (manifest.xml, sweep.csv, sweep-summary.csv)\n", s->outdir);
    if (!rc && plot_stale_redraw(s->outdir, had, s->o->models, s->o->quiet, d))
        rc = 1;
    free(cb);
    journal_destroy(&j);
    return rc;
}

int sweep_run(const struct sweep_opts *o, struct diag *d)
{
    struct sweep s;
    sweep_init(&s, o);
    s.started = time(NULL);
    int rc = 0;
#ifdef EXPOSIM_MPI
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited)
        MPI_Init(NULL, NULL);
    MPI_Comm_rank(MPI_COMM_WORLD, &s.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &s.size);
    struct diag mine;                          /* other ranks keep theirs quiet */
    diag_init(&mine);
    struct diag *dd = s.rank == 0 ? d : &mine;
    struct sweep_opts quiet_opts = *o;
    if (s.rank != 0) {
        quiet_opts.quiet = 1;
        s.o = &quiet_opts;
    }
    if (s.size > 1 && o->jobs > 1) {
        if (s.rank == 0)
            diag_add(d, NULL, 0, "-j %u and %d MPI ranks: use one or the other", o->jobs, s.size);
        rc = 2;
        goto out;
    }
    if (s.rank == 0)
        rc = setup(&s, dd);
    else if (prepare(&s, o->file, dd))       /* the design and base again, cheaply */
        rc = 2;
    int all = rc;
    MPI_Allreduce(&rc, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (all) {
        if (s.rank == 0 && !rc) {
            diag_add(d, NULL, 0, "another MPI rank could not read the sweep");
            rc = 1;
        } else if (s.rank != 0) {
            rc = all;
        }
        goto out;
    }
    unsigned long long n = s.ntodo;
    MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    if (s.rank != 0 && !(s.todo = malloc((n ? n : 1) * sizeof *s.todo)))
        MPI_Abort(MPI_COMM_WORLD, 1);
    s.ntodo = (size_t)n;
    for (size_t at = 0; at < s.ntodo; at += 1u << 28) {
        size_t chunk = s.ntodo - at < (1u << 28) ? s.ntodo - at : (1u << 28);
        MPI_Bcast(s.todo + at, (int)chunk, MPI_UINT32_T, 0, MPI_COMM_WORLD);
    }
#else
    struct diag *dd = d;
    if ((rc = setup(&s, dd)))
        goto out;
#endif
    announce(&s);
    s.progress = !o->quiet && s.rank == 0 && isatty(STDERR_FILENO);
    s.t0 = now_s();
    int bad;
#ifdef EXPOSIM_MPI
    if (s.size > 1)
        bad = run_mpi(&s, dd);
    else
#endif
    bad = o->jobs > 1 && s.ntodo > 1 ? run_forked(&s, o->jobs, dd) : run_inline(&s, dd);
    progress(&s, 1);
#ifdef EXPOSIM_MPI
    if (bad && s.size > 1) {                   /* the others may be waiting on us */
        if (s.rank == 0)
            diag_print(d, stderr);
        fflush(NULL);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
#endif
    if (bad) {
        rc = 1;
        goto out;
    }
    if (s.rank == 0 && finish(&s, dd))
        rc = 1;
out:
    if (rc == 2 && s.created)
        results_unprepare_dir(s.outdir, s.created);   /* leave nothing behind */
    sweep_destroy(&s);
#ifdef EXPOSIM_MPI
    diag_destroy(&mine);
    MPI_Finalize();
#endif
    return rc;
}

/* ---- validate --------------------------------------------------------------- */

int sweep_is_sweep_file(const char *path)
{
    struct diag d;
    diag_init(&d);
    struct cfg *c = cfg_load_schema(path, NULL, 0, NULL, &d);
    int yes = c && strcmp(cfg_name(cfg_root(c)), "sweep") == 0;
    cfg_free(c);
    diag_destroy(&d);
    return yes;
}

int sweep_validate(const char *path, const struct sim_model_type *const *models, const struct budget *b,
                   struct diag *d)
{
    struct sweep_opts o = { .models = models, .budget = *b };
    struct sweep s;
    sweep_init(&s, &o);
    int rc = 2;
    if (prepare(&s, path, d) || check_points(&s, 0, d))
        goto cleanup;
    size_t nvar = s.dz.nparams - (size_t)s.dz.base_param;
    char bases[64] = "";
    if (s.dz.base_param)
        snprintf(bases, sizeof bases, "%zu base%s, ", s.dz.nbases, s.dz.nbases == 1 ? "" : "s");
    printf("%s: valid sweep (%s, %zu point%s x %u replication%s = %zu runs, %s%zu parameter%s)\n", path,
           s.dz.name, s.dz.npoints, s.dz.npoints == 1 ? "" : "s", s.reps, s.reps == 1 ? "" : "s",
           s.dz.npoints * s.reps, bases, nvar, nvar == 1 ? "" : "s");
    if (s.model && s.model->estimate) {
        char line[512], t[32], label[1500] = "";
        budget_describe(line, sizeof line, &s.est_max, s.reps);
        if (s.dz.base_param)              /* which base it is: the bases may differ in size */
            point_label(&s, s.est_max_point, label, sizeof label);
        printf("estimate: the largest point (%zu%s%s): %s\n", s.est_max_point + 1, *label ? ", " : "", label, line);
        printf("estimate: every run: %.3g events, %s of CPU\n", s.est_events,
               budget_seconds(t, sizeof t, s.est_seconds));
        if (s.est_refused)
            printf("sweep would refuse %zu point%s: %s\n", s.est_refused, s.est_refused == 1 ? "" : "s",
                   s.est_why);
    }
    rc = 0;
cleanup:
    sweep_destroy(&s);
    return rc;
}
