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

/* A scenario written to a scratch file, loaded and configured (it must
 * be valid), until loaded_free. */
struct loaded {
    char *dir, *path;
    struct diag d;
    struct cfg *c;
    struct sim_run_params run;
    void *params;
};

static void load(const char *xml, struct loaded *l)
{
    l->dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(l->dir);
    ck_assert_int_ge(asprintf(&l->path, "%s/s.xml", l->dir), 0);
    tu_write(l->path, xml);
    diag_init(&l->d);
    l->c = cfg_load(l->path, NULL, 0, &l->d);
    ck_assert_msg(l->c != NULL, "scenario does not load: %s", l->d.n ? l->d.msg[0] : "?");
    ck_assert_int_eq(sim_read_run(l->c, &l->run), 0);
    l->params = world_model.configure(l->c, &l->run);
    ck_assert_msg(l->params != NULL, "scenario does not configure: %s", l->d.n ? l->d.msg[0] : "?");
}

static void loaded_free(struct loaded *l)
{
    world_model.free_params(l->params);
    cfg_free(l->c);
    diag_destroy(&l->d);
    unlink(l->path);
    free(l->path);
    tu_rmtree(l->dir);
    free(l->dir);
}

void ru_run(const char *xml, struct results *res)
{
    struct loaded l;
    load(xml, &l);
    results_init(res);
    for (uint32_t r = 0; r < l.run.replications; r++) {
        char err[256];
        int rc = sim_run_replication(&world_model, l.params, &l.run, r, res, NULL, err, sizeof err, NULL);
        ck_assert_msg(rc == 0, "replication %u: %s", r + 1, err);
    }
    loaded_free(&l);
}

void ru_estimate(const char *xml, struct sim_estimate *out, struct sim_run_params *runp)
{
    struct loaded l;
    load(xml, &l);
    ck_assert_ptr_nonnull(world_model.estimate);
    world_model.estimate(l.params, &l.run, out);
    if (runp)
        *runp = l.run;
    loaded_free(&l);
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
