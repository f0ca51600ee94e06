/* bench — the performance figures `make bench` prints.
 *
 * Each case runs in a child process (so its peak resident memory is its
 * own, read with wait4) through the same path as `exposim run`: a scenario
 * text is loaded and validated, the model configured, one replication run.
 * Lookups per second are the lookups made divided by the replication's wall
 * time, graph generation included.  Each case also gives the time spent in
 * the metric step after the acquisitions (measured inside the model,
 * results.metric_seconds) and its share of the run; bulk-monthly-metrics
 * has every graph metric on (targets, true communities: Leiden on the
 * rebuilt 10^6-node graph at each of its six snapshots).  "community" times
 * community detection alone on that graph (community.h).
 *
 * The graph cases ("graph-GENERATOR") time one contact generator alone:
 * N = 10^6, mean degree about 20, seconds and peak memory of the process
 * (the graph is 4 bytes per directed entry + 8 per person; building it
 * needs its edge list too).
 *
 * The sweep cases run `exposim sweep` in-process (sweep_run) on 40 points
 * of the "small" scenario (retention 5, 10, ..., 200 days), one
 * replication each, in a scratch directory; each time is the best of
 * five.  sweep-j2 gives -j 2's speedup over -j 1; sweep-overhead gives
 * what a run costs beyond its replication (parse, validate and configure
 * the point, journal line, fdatasync, final files), from the -j 1 wall time
 * less the same 40 replications run directly.
 *
 * "location" times the adversary's location knowledge alone (location.h):
 * 10^6 people over 180 days, 30 points each per 30-day batch (180 in
 * all: home at night, work in weekday work hours for the 60% who work,
 * trips 30% of the other hours; a fifth of the points geolocate to a
 * carrier gateway instead), staged in six batches with a flush and
 * location_metrics after each, like a bulk monthly adversary.  Points come
 * from a counter-based hash of (person, hour), so the truth's where() can
 * recompute them.  Run `bench CASE` to run one case. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "cfg.h"
#include "community.h"
#include "contacts.h"
#include "location.h"
#include "population.h"
#include "results.h"
#include "sim.h"
#include "sweep.h"
#include "world.h"

struct bench_case {
    const char *name;
    unsigned n, horizon, retention, period;
    double degree, rate;
    unsigned blocks, targets;             /* stochastic_block with that many blocks (0: erdos_renyi); random targets */
    int mobility;                         /* a region, <mobility>: every acquired record located */
    const char *richer;                   /* elements of a richer world after <traffic>, or NULL */
};

static const struct bench_case cases[] = {
    { "bulk-30", 1000000, 180, 30, 30, 20, 0.05, 0, 0, 0, NULL },     /* the reference case */
    { "bulk-30-360d", 1000000, 360, 30, 30, 20, 0.05, 0, 0, 0, NULL }, /* memory must not grow with the horizon */
    { "bulk-7", 1000000, 180, 7, 30, 20, 0.05, 0, 0, 0, NULL },        /* ... but with the retention window */
    { "bulk-30-1e7", 10000000, 180, 30, 30, 20, 0.05, 0, 0, 0, NULL }, /* bulk-30 at 10^7 people (the graph built by rows) */
    { "small", 1000, 180, 30, 30, 20, 0.05, 0, 0, 0, NULL },           /* per-run overhead of a small scenario */
    /* every graph metric: true communities (1000 blocks of 1000, 15 contacts
     * inside and 5 outside on average) for community_nmi, 100 targets for
     * the ego and k-hop metrics */
    { "bulk-monthly-metrics", 1000000, 180, 30, 30, 20, 0.05, 1000, 100, 0, NULL },
    /* the location model end to end: mobility, networks and the location
     * metrics after each monthly snapshot (the metric time includes
     * locating every acquired record) */
    { "location-monthly", 1000000, 180, 30, 30, 20, 0.05, 0, 0, 1, NULL },
    /* address books of mean size 200 synced monthly (and on edits, 12 a
     * year): about 7 lookups a conversation start; lookups/s counts the
     * syncs' lookups with the conversations' */
    { "address-books-monthly", 1000000, 180, 30, 30, 20, 0.05, 0, 0, 0,
      "<address_book size_mean=\"200\" period_days=\"30\"/>" },
    /* baseline.xml at national scale: 10^8 people, λ = 0.01 (2 x 10^7
     * lookups a day, 6 x 10^8 records in the 30-day log), within the
     * machine's 24 GiB */
    { "baseline-1e8", 100000000, 180, 30, 30, 20, 0.01, 0, 0, 0, NULL },
};

/* Contact generators at N = 10^6 and mean degree about 20. */
static const struct contacts_params graph_cases[] = {
    { .kind = CONTACTS_ERDOS_RENYI, .n = 1000000, .mean_degree = 20 },
    { .kind = CONTACTS_BARABASI_ALBERT, .n = 1000000, .m = 10 },
    { .kind = CONTACTS_WATTS_STROGATZ, .n = 1000000, .k = 20, .beta = 0.1 },
    /* 1000 blocks of 1000: 15 contacts inside, 5 outside on average */
    { .kind = CONTACTS_SBM, .n = 1000000, .blocks = 1000, .p_in = 15.0 / 999, .p_out = 5.0 / 999000 },
    /* households of 3 (2.67 contacts), 60% workers (8 at work), community 12.5 */
    { .kind = CONTACTS_LAYERED, .n = 1000000, .layered = { 3, 20, 8, 12.5 } },
    /* P(k) ~ k^-2.5 on [8, 1000]: mean 20.6 */
    { .kind = CONTACTS_CONFIGURATION, .n = 1000000, .exponent = 2.5, .kmin = 8, .kmax = 1000 },
};

static double now_s(void);

static int run_graph_case(const struct contacts_params *p)
{
    gsl_rng *r = rng_stream_new(1, 0, 1), *rp = rng_stream_new(1, 0, 0);
    struct population pop;
    struct population_params pp = { p->n, 1, 0.6, 0, NULL, 0, 1 };
    if (!r || !rp || population_init(&pop, &pp, rp))
        return 1;
    double t0 = now_s();
    struct contacts ct;
    if (contacts_generate(&ct, p, pop.flags, POPULATION_WORKER, r)) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    double t1 = now_s();
    printf("graph-%s N=%u: %.2f s, %llu edges, mean degree %.2f", contacts_kind_name(p->kind), p->n,
           t1 - t0, (unsigned long long)ct.g.m, 2.0 * (double)ct.g.m / p->n);
    fflush(stdout);
    contacts_destroy(&ct);
    population_destroy(&pop);
    gsl_rng_free(r);
    gsl_rng_free(rp);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run_case(const struct bench_case *c)
{
    char path[] = "/tmp/exposim-bench-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    FILE *f = fdopen(fd, "w");
    char contacts[256], targets[128] = "";
    if (c->blocks) {                      /* a third of the degree across blocks */
        double size = (double)c->n / c->blocks;
        snprintf(contacts, sizeof contacts, "<stochastic_block blocks=\"%u\" p_in=\"%.10g\" p_out=\"%.10g\"/>",
                 c->blocks, c->degree * 0.75 / (size - 1), c->degree * 0.25 / (c->n - size));
    } else {
        snprintf(contacts, sizeof contacts, "<erdos_renyi mean_degree=\"%g\"/>", c->degree);
    }
    if (c->targets)
        snprintf(targets, sizeof targets, "<targets select=\"random\" count=\"%u\"/>", c->targets);
    const char *region = c->mobility ? " vpn_share=\"0.05\"><region lat=\"52.52\" lon=\"13.40\" "
                                       "radius_km=\"25\" tz=\"Europe/Berlin\"/>" : ">";
    fprintf(f, "<scenario name=\"bench\"><run seed=\"1\" replications=\"1\" horizon_days=\"%u\"/>"
            "<population size=\"%u\"%s</population><contacts>%s</contacts>"
            "<traffic rate_per_day=\"%g\"/>%s%s<policy><retention days=\"%u\"/></policy>"
            "<adversary>%s<bulk_snapshot period_days=\"%u\"/></adversary></scenario>\n",
            c->horizon, c->n, region, contacts, c->rate, c->richer ? c->richer : "", c->mobility ? "<mobility/>" : "",
            c->retention, targets, c->period);
    fclose(f);
    double t0 = now_s();
    struct diag d;
    diag_init(&d);
    struct cfg *cfg = cfg_load(path, NULL, 0, &d);
    unlink(path);
    struct sim_run_params run;
    void *params = NULL;
    const struct sim_model_type *model = cfg ? &world_model : NULL;
    if (model && sim_read_run(cfg, &run) == 0)
        params = model->configure(cfg, &run);
    if (!params) {
        diag_print(&d, stderr);
        return 1;
    }
    double t1 = now_s();
    struct sim_estimate est = { 0 };              /* what `exposim validate` prints for it */
    model->estimate(params, &run, &est);
    struct results res;
    results_init(&res);
    char err[256];
    uint64_t events = 0;
    if (sim_run_replication(model, params, &run, 0, &res, NULL, err, sizeof err, &events)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    double t2 = now_s();
    double lookups = 0, syncs = 0;            /* the last values: conversations', syncs' */
    for (size_t i = 0; i < res.n; i++) {
        if (strcmp(res.metrics[res.rows[i].metric], "lookups") == 0)
            lookups = res.rows[i].value;
        if (strcmp(res.metrics[res.rows[i].metric], "sync_lookups") == 0)
            syncs = res.rows[i].value;
    }
    lookups += syncs;
    struct world_memory wm = world_memory_last();
    printf("%s N=%u: %.2e lookups/s, %.3g lookups in %.2f s (setup %.1f ms), metrics %.2f s (%.0f%% of the run), "
           "log %.2f bytes/record (%.3g records at most), graph %.2f bytes/edge, estimate %.0f MiB",
           c->name, c->n, lookups / (t2 - t1), lookups, t2 - t1, (t1 - t0) * 1e3, res.metric_seconds,
           100 * res.metric_seconds / (t2 - t1),
           wm.log_peak_records ? (double)wm.log_bytes / (double)wm.log_peak_records : 0.0,
           (double)wm.log_peak_records, wm.edges ? (double)wm.graph_bytes / (double)wm.edges : 0.0,
           est.bytes / (1024.0 * 1024.0));
    fflush(stdout);
    results_destroy(&res);
    model->free_params(params);
    cfg_free(cfg);
    diag_destroy(&d);
    return 0;
}

/* Run one case in a child process; its peak resident memory is its own. */
static int in_child(const char *name, int (*fn)(const void *), const void *arg)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn(arg));
    int st;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
        printf("%s: FAILED\n", name);
        return 1;
    }
    printf(", peak %.0f MiB\n", ru.ru_maxrss / 1024.0);
    fflush(stdout);
    return 0;
}

/* community_leiden alone on the SBM of graph_cases (10^6 people, 1000
 * blocks, 10^7 edges) taken as the rebuilt graph: from singletons (the
 * first report of a run), then from that partition (the later reports),
 * and the NMI against the blocks. */
static int run_community(const void *unused)
{
    (void)unused;
    gsl_rng *r = rng_stream_new(1, 0, 1);
    struct graph g;
    uint32_t *labels = NULL, nc = 0, nc2 = 0;
    if (!r || contacts_sbm(&g, 1000000, 1000, 15.0 / 999, 5.0 / 999000, r, &labels))
        return 1;
    uint32_t *e = malloc(2 * g.m * sizeof *e), *mem = malloc((size_t)g.n * sizeof *mem);
    if (!e || !mem)
        return 1;
    uint64_t k = 0;
    for (uint32_t u = 0; u < g.n; u++)
        for (uint64_t j = g.off[u]; j < g.off[u + 1]; j++)
            if (g.adj[j] > u) {
                e[k++] = u;
                e[k++] = g.adj[j];
            }
    double t0 = now_s();
    if (community_leiden(g.n, e, g.m, 1, 0, mem, &nc))
        return 1;
    double t1 = now_s(), nmi = community_nmi(g.n, mem, labels), t2 = now_s();
    if (community_leiden(g.n, e, g.m, 2, 1, mem, &nc2))
        return 1;
    double t3 = now_s();
    printf("community N=%u, %llu edges: %.2f s from singletons (%u communities, NMI %.4f with the blocks), "
           "%.2f s from that partition (%u), NMI %.2f s", g.n, (unsigned long long)g.m, t1 - t0, nc, nmi, t3 - t2,
           nc2, t2 - t1);
    fflush(stdout);
    free(e);
    free(mem);
    free(labels);
    graph_destroy(&g);
    gsl_rng_free(r);
    return 0;
}

/* ---- location ---------------------------------------------------------------- */

#define LOC_N 1000000u
#define LOC_DAYS 180u
#define LOC_BATCH_DAYS 30u

static uint64_t loc_hash(uint64_t a, uint64_t b)   /* splitmix64 of (a, b) */
{
    uint64_t z = a * 0x9e3779b97f4a7c15ull + b + 0x632be59bd9b4e019ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double loc_unit(uint64_t x) { return (double)(x >> 11) * 0x1.0p-53; }

struct loc_world {
    float *hlat, *hlon, *wlat, *wlon;
};

/* Where u truly is at hour h; *kind: 0 home, 1 work, 2 trip. */
static void loc_true(const struct loc_world *w, uint32_t u, uint32_t h, float *lat, float *lon, int *kind)
{
    uint32_t hod = h % 24, dow = h / 24 % 7;
    uint64_t x = loc_hash(u, h);
    *kind = 0;
    *lat = w->hlat[u];
    *lon = w->hlon[u];
    if (hod >= 22 || hod < 6)
        return;
    if (dow < 5 && hod >= 9 && hod < 17 && !isnan(w->wlat[u])) {
        *kind = 1;
        *lat = w->wlat[u];
        *lon = w->wlon[u];
    } else if (loc_unit(x) < 0.3) {       /* a trip in the region */
        *kind = 2;
        *lat = 48.0f + (float)loc_unit(loc_hash(x, 1));
        *lon = 2.0f + (float)loc_unit(loc_hash(x, 2));
    }
}

static void loc_where(const void *ctx, uint32_t u, uint32_t h, float *lat, float *lon)
{
    int kind;
    loc_true(ctx, u, h, lat, lon, &kind);
}

/* Person u's point on `day`: at an hour drawn from the day, where u is
 * (or, a fifth of the time, the carrier gateway of the 0.25-degree cell
 * there).  Returns the flags. */
static unsigned loc_point(const struct loc_world *w, uint32_t u, uint32_t day, uint32_t *h, float *lat, float *lon)
{
    *h = 24 * day + (uint32_t)(loc_hash(u, 1000000 + day) % 24);
    uint32_t hod = *h % 24;
    int kind;
    loc_true(w, u, *h, lat, lon, &kind);
    if (loc_unit(loc_hash(u, 2000000 + *h)) < 0.2) {
        *lat = 48.125f + 0.25f * floorf((*lat - 48.0f) / 0.25f);
        *lon = 2.125f + 0.25f * floorf((*lon - 2.0f) / 0.25f);
    }
    return (hod >= 22 || hod < 6 ? LOCATION_NIGHT : 0) | (*h / 24 % 7 < 5 && hod >= 9 && hod < 17 ? LOCATION_WORK : 0);
}

static int run_location(const void *unused)
{
    (void)unused;
    struct loc_world w;
    uint8_t *locatable = malloc(LOC_N);
    w.hlat = malloc(LOC_N * sizeof *w.hlat);
    w.hlon = malloc(LOC_N * sizeof *w.hlon);
    w.wlat = malloc(LOC_N * sizeof *w.wlat);
    w.wlon = malloc(LOC_N * sizeof *w.wlon);
    gsl_rng *r = rng_stream_new(1, 0, 1), *rm = rng_stream_new(1, 0, 2);
    if (!locatable || !w.hlat || !w.hlon || !w.wlat || !w.wlon || !r || !rm)
        return 1;
    for (uint32_t u = 0; u < LOC_N; u++) {  /* a 111 x 74 km region */
        locatable[u] = 1;
        w.hlat[u] = 48.0f + (float)gsl_rng_uniform(r);
        w.hlon[u] = 2.0f + (float)gsl_rng_uniform(r);
        int worker = gsl_rng_uniform(r) < 0.6;
        w.wlat[u] = worker ? 48.0f + (float)gsl_rng_uniform(r) : NAN;
        w.wlon[u] = worker ? 2.0f + (float)gsl_rng_uniform(r) : NAN;
    }
    struct location_params p;
    location_params_default(&p);
    struct location L;
    if (location_init(&L, LOC_N, 24 * LOC_DAYS, &p))
        return 1;
    struct location_truth t = { LOC_N, locatable, w.hlat, w.hlon, w.wlat, w.wlon, loc_where, &w };
    double stage_s = 0, flush_s = 0, metrics_s = 0, metrics_max = 0, metrics_last = 0, g0 = now_s(), sum = 0;
    for (uint32_t d = 0; d < LOC_BATCH_DAYS; d++)        /* generating a batch alone, to subtract */
        for (uint32_t u = 0; u < LOC_N; u++) {
            uint32_t h;
            float lat, lon;
            sum += loc_point(&w, u, d, &h, &lat, &lon) + h + lat + lon;
        }
    double gen_s = now_s() - g0;
    struct location_metrics m;
    for (uint32_t b = 0; b < LOC_DAYS / LOC_BATCH_DAYS; b++) {
        double t0 = now_s();
        for (uint32_t d = 0; d < LOC_BATCH_DAYS; d++)      /* roughly in time order */
            for (uint32_t u = 0; u < LOC_N; u++) {
                uint32_t h;
                float lat, lon;
                unsigned flags = loc_point(&w, u, b * LOC_BATCH_DAYS + d, &h, &lat, &lon);
                if (location_stage(&L, u, h, lat, lon, flags))
                    return 1;
            }
        double t1 = now_s();
        if (location_flush(&L))
            return 1;
        double t2 = now_s();
        if (location_metrics(&L, &t, 24 * (b + 1) * LOC_BATCH_DAYS, rm, &m))
            return 1;
        double t3 = now_s();
        stage_s += t1 - t0;
        flush_s += t2 - t1;
        metrics_s += t3 - t2;
        if (t3 - t2 > metrics_max)
            metrics_max = t3 - t2;
        metrics_last = t3 - t2;
    }
    int nb = LOC_DAYS / LOC_BATCH_DAYS;
    printf("location N=%u, %u days, %d batches: %.3g points stored (%.1f bytes each); per batch: staging %.2f s "
           "(generating the points %.2f s of it; the stage flushes itself every %zu points), final flush %.2f s; "
           "metrics %.2f s per call (last %.2f, max %.2f); home within 1 km %.3f, work within 1 km %.3f, "
           "days located %.3f, unicity_1..4 %.3f %.3f %.3f %.3f, co-location %.0f pair-hours/hour (precision %.3f)%s",
           LOC_N, LOC_DAYS, nb, (double)L.npt, (double)(L.npt * L.pt_bytes + L.nplace * sizeof *L.place +
                   (LOC_N + 1) * (sizeof *L.off + sizeof *L.poff)) / L.npt,
           stage_s / nb, gen_s, (size_t)LOCATION_BLOCK, flush_s / nb, metrics_s / nb, metrics_last, metrics_max,
           m.home_within_1km, m.work_within_1km, m.user_days_located, m.unicity[0], m.unicity[1], m.unicity[2], m.unicity[3],
           m.coloc_pairs, m.coloc_precision, sum == 0 ? " " : "");
    fflush(stdout);
    location_destroy(&L);
    free(locatable);
    free(w.hlat);
    free(w.hlon);
    free(w.wlat);
    free(w.wlon);
    gsl_rng_free(r);
    gsl_rng_free(rm);
    return 0;
}

static int run_case_v(const void *c) { return run_case(c); }
static int run_graph_case_v(const void *p) { return run_graph_case(p); }

/* ---- sweeps ---------------------------------------------------------------- */

#define SWEEP_POINTS 40

static const char sweep_base[] =
    "<scenario name=\"bench\"><run seed=\"1\" replications=\"1\" horizon_days=\"180\"/>"
    "<population size=\"1000\"/><contacts><erdos_renyi mean_degree=\"20\"/></contacts>"
    "<traffic rate_per_day=\"0.05\"/><policy><retention days=\"30\"/></policy>"
    "<adversary><bulk_snapshot period_days=\"30\"/></adversary></scenario>\n";

static const char sweep_file[] =
    "<sweep name=\"bench\" replications=\"1\"><base file=\"base.xml\"/><grid>"
    "<parameter path=\"policy/retention@days\"><range from=\"5\" to=\"200\" step=\"5\"/></parameter>"
    "</grid></sweep>\n";

/* A scratch directory with base.xml and sweep.xml; 0 or -1. */
static int sweep_scratch(char *dir)
{
    if (!mkdtemp(dir))
        return -1;
    char p[512];
    snprintf(p, sizeof p, "%s/base.xml", dir);
    FILE *f = fopen(p, "w");
    if (!f || fputs(sweep_base, f) == EOF || fclose(f))
        return -1;
    snprintf(p, sizeof p, "%s/sweep.xml", dir);
    f = fopen(p, "w");
    if (!f || fputs(sweep_file, f) == EOF || fclose(f))
        return -1;
    return 0;
}

static void remove_tree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

/* Wall time of one sweep with `jobs` processes into DIR/out-jJOBS-K;
 * < 0 on failure. */
static double time_sweep(const char *dir, unsigned jobs, int k)
{
    char file[512], out[512];
    snprintf(file, sizeof file, "%s/sweep.xml", dir);
    snprintf(out, sizeof out, "%s/out-j%u-%d", dir, jobs, k);
    char *argv[] = { "exposim", "sweep", file, NULL };
    static const struct sim_model_type *const models[] = { &world_model, NULL };
    struct sweep_opts o = { .models = models, .file = file, .outdir = out, .jobs = jobs, .quiet = 1, .argc = 3, .argv = argv };
    struct diag d;
    diag_init(&d);
    double t0 = now_s();
    int rc = sweep_run(&o, &d);
    double t = now_s() - t0;
    if (rc)
        diag_print(&d, stderr);
    diag_destroy(&d);
    return rc ? -1 : t;
}

/* Best of five of each, -j 1 and -j `jobs` alternating, so that a burst of
 * other load on the machine hits both alike. */
static int best_times(const char *dir, unsigned jobs, double *t1, double *tj)
{
    *t1 = *tj = -1;
    for (int k = 0; k < 5; k++) {
        double a = time_sweep(dir, 1, k), b = jobs > 1 ? time_sweep(dir, jobs, k) : 0;
        if (a < 0 || b < 0)
            return -1;
        if (*t1 < 0 || a < *t1)
            *t1 = a;
        if (*tj < 0 || b < *tj)
            *tj = b;
    }
    return 0;
}

static int run_sweep_speedup(const void *unused)
{
    (void)unused;
    char dir[] = "/tmp/exposim-bench-sweep-XXXXXX";
    if (sweep_scratch(dir))
        return 1;
    double t1, t2;
    int bad = best_times(dir, 2, &t1, &t2);
    remove_tree(dir);
    if (bad)
        return 1;
    printf("sweep-j2 %d points N=1000: -j 1 %.3f s, -j 2 %.3f s, speedup %.2fx (target >= 1.8x)",
           SWEEP_POINTS, t1, t2, t1 / t2);
    fflush(stdout);
    return 0;
}

/* The same 40 replications run directly: best of five, seconds. */
static double time_replications(const char *dir)
{
    char base[512];
    snprintf(base, sizeof base, "%s/base.xml", dir);
    double best = -1;
    for (int k = 0; k < 5; k++) {
        double total = 0;
        for (int p = 0; p < SWEEP_POINTS; p++) {
            char set[64];
            snprintf(set, sizeof set, "policy/retention@days=%d", 5 * (p + 1));
            const char *sets[] = { set };
            struct diag d;
            diag_init(&d);
            struct cfg *cfg = cfg_load(base, sets, 1, &d);
            struct sim_run_params run;
            const struct sim_model_type *model = &world_model;
            void *params = cfg && sim_read_run(cfg, &run) == 0 ? model->configure(cfg, &run) : NULL;
            if (!params) {
                diag_print(&d, stderr);
                return -1;
            }
            struct results res;
            results_init(&res);
            char err[256];
            double t0 = now_s();
            int rc = sim_run_replication(model, params, &run, 0, &res, NULL, err, sizeof err, NULL);
            total += now_s() - t0;
            results_destroy(&res);
            model->free_params(params);
            cfg_free(cfg);
            diag_destroy(&d);
            if (rc)
                return -1;
        }
        if (best < 0 || total < best)
            best = total;
    }
    return best;
}

static int run_sweep_overhead(const void *unused)
{
    (void)unused;
    char dir[] = "/tmp/exposim-bench-sweep-XXXXXX";
    if (sweep_scratch(dir))
        return 1;
    double sim = time_replications(dir), t1, unused_tj;
    int bad = sim < 0 || best_times(dir, 1, &t1, &unused_tj);
    remove_tree(dir);
    if (bad)
        return 1;
    printf("sweep-overhead %d runs N=1000: -j 1 %.3f s, replications alone %.3f s, overhead %.2f ms/run "
           "(target < 5 ms)", SWEEP_POINTS, t1, sim, (t1 - sim) / SWEEP_POINTS * 1e3);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    int failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (argc > 1 && strcmp(argv[1], cases[i].name) != 0)
            continue;
        failed |= in_child(cases[i].name, run_case_v, &cases[i]);
    }
    for (size_t i = 0; i < sizeof graph_cases / sizeof graph_cases[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "graph-%s", contacts_kind_name(graph_cases[i].kind));
        if (argc > 1 && strcmp(argv[1], name) != 0)
            continue;
        failed |= in_child(name, run_graph_case_v, &graph_cases[i]);
    }
    if (argc < 2 || strcmp(argv[1], "community") == 0)
        failed |= in_child("community", run_community, NULL);
    if (argc < 2 || strcmp(argv[1], "location") == 0)
        failed |= in_child("location", run_location, NULL);
    if (argc < 2 || strcmp(argv[1], "sweep-j2") == 0)
        failed |= in_child("sweep-j2", run_sweep_speedup, NULL);
    if (argc < 2 || strcmp(argv[1], "sweep-overhead") == 0)
        failed |= in_child("sweep-overhead", run_sweep_overhead, NULL);
    return failed;
}
