/* runutil — scenarios run in the test process; see runutil.h. */
#define _GNU_SOURCE
#include "runutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "cfg.h"
#include "sim.h"
#include "testutil.h"
#include "world.h"

void ru_run(const char *xml, struct results *res)
{
    char *dir = tu_mkdtemp(), *path;
    ck_assert_ptr_nonnull(dir);
    ck_assert_int_ge(asprintf(&path, "%s/s.xml", dir), 0);
    tu_write(path, xml);
    struct diag d;
    diag_init(&d);
    struct cfg *c = cfg_load(path, NULL, 0, &d);
    ck_assert_msg(c != NULL, "scenario does not load: %s", d.n ? d.msg[0] : "?");
    struct sim_run_params run;
    ck_assert_int_eq(sim_read_run(c, &run), 0);
    void *params = world_model.configure(c, &run);
    ck_assert_msg(params != NULL, "scenario does not configure: %s", d.n ? d.msg[0] : "?");
    results_init(res);
    for (uint32_t r = 0; r < run.replications; r++) {
        char err[256];
        int rc = sim_run_replication(&world_model, params, &run, r, res, NULL, err, sizeof err, NULL);
        ck_assert_msg(rc == 0, "replication %u: %s", r + 1, err);
    }
    world_model.free_params(params);
    cfg_free(c);
    diag_destroy(&d);
    unlink(path);
    free(path);
    tu_rmtree(dir);
    free(dir);
}

void ru_estimate(const char *xml, struct sim_estimate *out, struct sim_run_params *runp)
{
    char *dir = tu_mkdtemp(), *path;
    ck_assert_ptr_nonnull(dir);
    ck_assert_int_ge(asprintf(&path, "%s/s.xml", dir), 0);
    tu_write(path, xml);
    struct diag d;
    diag_init(&d);
    struct cfg *c = cfg_load(path, NULL, 0, &d);
    ck_assert_msg(c != NULL, "scenario does not load: %s", d.n ? d.msg[0] : "?");
    struct sim_run_params run;
    ck_assert_int_eq(sim_read_run(c, &run), 0);
    void *params = world_model.configure(c, &run);
    ck_assert_msg(params != NULL, "scenario does not configure: %s", d.n ? d.msg[0] : "?");
    ck_assert_ptr_nonnull(world_model.estimate);
    world_model.estimate(params, &run, out);
    if (runp)
        *runp = run;
    world_model.free_params(params);
    cfg_free(c);
    diag_destroy(&d);
    unlink(path);
    free(path);
    tu_rmtree(dir);
    free(dir);
}

double ru_value(const struct results *res, uint32_t rep, uint32_t acq, const char *metric)
{
    long m = -1;
    for (size_t i = 0; i < res->nmetrics; i++)
        if (strcmp(res->metrics[i], metric) == 0)
            m = (long)i;
    double v = NAN;
    for (size_t i = 0; m >= 0 && i < res->n; i++) {
        const struct results_row *w = &res->rows[i];
        if (w->rep == rep && (long)w->metric == m && (acq == 0 || w->acq == acq))
            v = w->value;
    }
    return v;
}

double ru_mean(const struct results *res, uint32_t reps, uint32_t acq, const char *metric)
{
    double sum = 0;
    for (uint32_t r = 0; r < reps; r++)
        sum += ru_value(res, r, acq, metric);
    return sum / reps;
}
