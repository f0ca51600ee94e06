/* bench — the performance figures `make bench` prints.
 *
 * Each case runs in a child process (so its peak resident memory is its
 * own, read with wait4) through the same path as `exposim run`: a scenario
 * text is loaded and validated, the model configured, one replication run.
 * Lookups per second are the lookups made divided by the replication's wall
 * time, graph generation included.  Run `bench CASE` to run one case. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "cfg.h"
#include "results.h"
#include "sim.h"

struct bench_case {
    const char *name;
    unsigned n, horizon, retention, period;
    double degree, rate;
};

static const struct bench_case cases[] = {
    { "bulk-30", 1000000, 180, 30, 30, 20, 0.05 },     /* the reference case */
    { "bulk-30-360d", 1000000, 360, 30, 30, 20, 0.05 }, /* memory must not grow with the horizon */
    { "bulk-7", 1000000, 180, 7, 30, 20, 0.05 },        /* ... but with the retention window */
    { "small", 1000, 180, 30, 30, 20, 0.05 },           /* per-run overhead of a small scenario */
};

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
    fprintf(f, "<scenario name=\"bench\"><run seed=\"1\" replications=\"1\" horizon_days=\"%u\"/>"
            "<population size=\"%u\"/><contacts><erdos_renyi mean_degree=\"%g\"/></contacts>"
            "<traffic rate_per_day=\"%g\"/><policy><retention days=\"%u\"/></policy>"
            "<adversary><bulk_snapshot period_days=\"%u\"/></adversary></scenario>\n",
            c->horizon, c->n, c->degree, c->rate, c->retention, c->period);
    fclose(f);
    double t0 = now_s();
    struct diag d;
    diag_init(&d);
    struct cfg *cfg = cfg_load(path, NULL, 0, &d);
    unlink(path);
    struct sim_run_params run;
    void *params = NULL;
    const struct sim_model_type *model = cfg ? sim_model_find("scenario") : NULL;
    if (model && sim_read_run(cfg, &run) == 0)
        params = model->configure(cfg, &run);
    if (!params) {
        diag_print(&d, stderr);
        return 1;
    }
    double t1 = now_s();
    struct results res;
    results_init(&res);
    char err[256];
    uint64_t events = 0;
    if (sim_run_replication(model, params, &run, 0, &res, NULL, err, sizeof err, &events)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    double t2 = now_s();
    double lookups = 0;
    for (size_t i = 0; i < res.n; i++)
        if (strcmp(res.metrics[res.rows[i].metric], "lookups") == 0)
            lookups = res.rows[i].value;
    printf("%s N=%u: %.2e lookups/s, %.3g lookups in %.2f s (setup %.1f ms)",
           c->name, c->n, lookups / (t2 - t1), lookups, t2 - t1, (t1 - t0) * 1e3);
    fflush(stdout);
    results_destroy(&res);
    model->free_params(params);
    cfg_free(cfg);
    diag_destroy(&d);
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    int failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (argc > 1 && strcmp(argv[1], cases[i].name) != 0)
            continue;
        pid_t pid = fork();
        if (pid == 0)
            _exit(run_case(&cases[i]));
        int st;
        struct rusage ru;
        if (pid < 0 || wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
            printf("%s: FAILED\n", cases[i].name);
            failed = 1;
            continue;
        }
        printf(", peak %.0f MiB\n", ru.ru_maxrss / 1024.0);
    }
    return failed;
}
