/* fuzz_run — libFuzzer target that runs tiny scenarios end to end (make
 * fuzz; make check replays its corpus).
 *
 * An input is a scenario file, loaded as `exposim run` loads it (cfg_load,
 * here with the schema compiled once; the model's configure), then — when it is tiny: at most 50 people, 10
 * days, and rates and counts small enough that a run takes milliseconds —
 * run for at most two replications, its timeseries.csv, summary.csv and
 * manifest.xml written as the program writes them, and its world generated
 * and written (population.csv, edges.csv, graph.graphml), all in a
 * scratch directory that also holds small data files for imports (e.txt,
 * l.txt, t.txt, g.graphml).  Findings (abort): a crash, a leak or
 * undefined behaviour (ASan, UBSan); a rejection or a failed run without
 * a message; a CSV file that libcsv cannot read back; a share metric
 * outside [0, 1]; an estimate (models/estimate.c) that is not a number or
 * negative, or that `exposim run` would refuse for a tiny scenario. */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "budget.h"
#include "cfg.h"
#include "diag.h"
#include "fuzz_files.h"
#include "manifest.h"
#include "results.h"
#include "sim.h"
#include "world.h"

static const struct sim_model_type *const models[] = { &world_model, NULL };

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[256], out[256];
static struct cfg_validator *validator;   /* the scenario schema, compiled once (as a sweep does) */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    gsl_set_error_handler_off();
    const char *root = fuzz_root();
    char p[600];
    static const struct {
        const char *name, *text;
    } data[] = {
        { "e.txt", "# a weighted edge list\na b 2\nb c 1\nc a 0.5\nd e 3\ne a\n" },
        { "e.csv", "source,target,weight\n1,2,1\n2,3,4\n3,1,1e-3\n" },
        { "l.txt", "a 1\nb 1\nc 2\nd 2\ne 1\n" },
        { "t.txt", "a b 86400\nb c 90000\nc a 100000\na c 200000\nd e 300000\ne d 400000\n" },
        { "g.graphml", "<?xml version=\"1.0\"?>\n<graphml><key id=\"w\" for=\"edge\" attr.name=\"weight\"/>"
                       "<key id=\"c\" for=\"node\" attr.name=\"community\"/><graph>"
                       "<node id=\"x\"><data key=\"c\">1</data></node><node id=\"y\"><data key=\"c\">1</data></node>"
                       "<node id=\"z\"><data key=\"c\">2</data></node>"
                       "<edge source=\"x\" target=\"y\"><data key=\"w\">2</data></edge>"
                       "<edge source=\"y\" target=\"z\"/></graph></graphml>\n" },
    };
    for (size_t i = 0; i < sizeof data / sizeof data[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", root, data[i].name);
        fuzz_put(p, data[i].text, strlen(data[i].text));
    }
    struct diag d;
    diag_init(&d);
    if (!(validator = cfg_validator_new(&cfg_scenario_schema, &d)))
        abort();
    diag_destroy(&d);
    snprintf(path, sizeof path, "%s/s.xml", root);
    snprintf(out, sizeof out, "%s/out", root);
    return 0;
}

/* The largest value a numeric attribute may have for the run to stay
 * tiny (the configure step has checked the rest). */
static double limit_of(const char *attr)
{
    static const struct {
        const char *name;
        double max;
    } limits[] = {
        { "size", 50 }, { "horizon_days", 10 }, { "rate_per_day", 1 }, { "noncontact_per_day", 1 },
        { "device_changes_per_year", 50 }, { "devices_mean", 5 }, { "group_size", 10 }, { "count", 50 },
        { "expand_budget", 50 }, { "expand_depth", 3 }, { "unicity_probes", 50 }, { "unicity_max_k", 8 },
        { "mean_degree", 49 }, { "m", 49 }, { "k", 49 }, { "blocks", 50 }, { "household_mean", 50 },
        { "workplace_mean", 50 }, { "work_degree", 49 }, { "community_degree", 49 }, { "min_degree", 49 },
        { "max_degree", 49 }, { "renewals", 10 }, { "max_extensions", 10 },
    };
    static const char *const free_[] = { "seed", "start_unix", "lat", "lon", "gateway_lat", "gateway_lon" };
    for (size_t i = 0; i < sizeof free_ / sizeof free_[0]; i++)
        if (strcmp(attr, free_[i]) == 0)
            return INFINITY;
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
        if (strcmp(attr, limits[i].name) == 0)
            return limits[i].max;
    return 1000;                                 /* days, hours, kilometres, shares */
}

/* Whether every numeric attribute (and each number of a list) is within
 * its limit; words and dates are no numbers. */
static int tiny(const xmlNode *n)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        for (const xmlAttr *a = n->properties; a; a = a->next) {
            if (!a->children || !a->children->content)
                continue;
            double max = limit_of((const char *)a->name);
            const char *s = (const char *)a->children->content;
            for (char *end; *s; s = end) {            /* each token that is a number as a whole */
                while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
                    s++;
                size_t tl = strcspn(s, " \t\n\r");
                if (!tl)
                    break;
                double v = strtod(s, &end);
                if (end != s + tl) {
                    end = (char *)s + tl;
                    continue;
                }
                if (!(fabs(v) <= max)) {
                    if (getenv("EXPOSIM_FUZZ_VERBOSE"))
                        fprintf(stderr, "%s@%s = %g is above %g\n", (const char *)n->name, (const char *)a->name, v,
                                max);
                    return 0;
                }
            }
        }
        if (!tiny(n->children))
            return 0;
    }
    return 1;
}

/* A share metric must lie in [0, 1] (or be NaN: undefined). */
static void check_values(const struct results *r)
{
    static const char *const shares[] = { "edge_recall", "edge_precision", "node_coverage", "ego_recall",
                                          "ego_precision", "khop_coverage_1", "khop_coverage_2" };
    for (size_t i = 0; i < r->n; i++) {
        const char *m = r->metrics[r->rows[i].metric];
        double v = r->rows[i].value;
        for (size_t k = 0; k < sizeof shares / sizeof shares[0]; k++)
            if (strcmp(m, shares[k]) == 0 && !isnan(v) && !(v >= 0 && v <= 1)) {
                fprintf(stderr, "%s = %g, outside [0, 1]\n", m, v);
                abort();
            }
    }
}

static void expect_csv(const char *name)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", out, name);
    if (fuzz_csv_ok(p) != 1) {
        fprintf(stderr, "%s does not read back as CSV\n", p);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_put(path, data, size);
    struct diag d;
    diag_init(&d);
    struct results res;
    results_init(&res);
    void *params = NULL;
    const struct sim_model_type *model = NULL;
    struct cfg *c = cfg_load_valid(path, NULL, 0, validator, &d);
    int failed = 1;
    struct sim_run_params run;
    if (c) {
        model = sim_model_find(models, cfg_name(cfg_root(c)));
        if (!model)
            cfg_error(c, cfg_root(c), NULL, "no model");
        else if (sim_read_run(c, &run) == 0 && (params = model->configure(c, &run)))
            failed = 0;
    }
    if (getenv("EXPOSIM_FUZZ_VERBOSE"))
        fprintf(stderr, "load: %s %s\n", failed ? "refused" : "ok", d.n ? d.msg[0] : "");
    if (failed)
        goto done;
    struct sim_estimate est;                  /* every scenario's estimate is a number (or +inf) */
    model->estimate(params, &run, &est);
    if (isnan(est.lookups) || isnan(est.events) || isnan(est.bytes) || isnan(est.seconds) || isnan(est.day_events)
        || est.lookups < 0 || est.events < 0 || est.bytes <= 0 || est.seconds < 0 || est.day_events < 0) {
        fprintf(stderr, "estimate: %g lookups, %g events, %g bytes, %g s, %g a day\n", est.lookups, est.events,
                est.bytes, est.seconds, est.day_events);
        abort();
    }
    if (run.horizon > 10 * SIM_DAY || !tiny(xmlDocGetRootElement(cfg_xml_doc(c)))) {
        if (getenv("EXPOSIM_FUZZ_VERBOSE"))
            fprintf(stderr, "too big to run here\n");
        goto done;
    }
    struct budget budget = { 0 };             /* `exposim run` refuses no tiny scenario */
    char why[1024];
    if (budget_check(&budget, &est, run.replications, 1, why, sizeof why)) {
        fprintf(stderr, "a tiny scenario refused: %s\n", why);
        abort();
    }
    fuzz_rmtree(out);
    int created;
    if (results_prepare_dir(out, &created, &d))
        abort();
    uint32_t reps = run.replications < 2 ? run.replications : 2;
    struct manifest_info mi = { .model = model, .run = &run };
    char err[512] = "";
    for (uint32_t r = 0; r < reps; r++) {
        uint64_t events = 0;
        if (sim_run_replication(model, params, &run, r, &res, NULL, err, sizeof err, &events)) {
            if (!err[0]) {
                fprintf(stderr, "a replication failed without a message\n");
                abort();
            }
            goto done;
        }
        mi.events += events;
    }
    check_values(&res);
    struct results_staged st;
    results_stage_init(&st, out);
    if (results_stage_timeseries(&st, &res, &d) || results_stage_summary(&st, &res, reps, &d)
        || manifest_stage(&st, c, &mi, &d) || results_stage_commit(&st, &d)) {
        fprintf(stderr, "writing the results failed: %s\n", d.n ? d.msg[0] : "(no message)");
        abort();
    }
    expect_csv("timeseries.csv");
    expect_csv("summary.csv");
    results_stage_init(&st, out);
    if (sim_generate(model, params, &run, 0, &st, 1, NULL, &d) || results_stage_commit(&st, &d)) {
        results_stage_abort(&st);
        if (d.n == 0) {
            fprintf(stderr, "generate failed without a message\n");
            abort();
        }
        goto done;
    }
    expect_csv("population.csv");
    expect_csv("edges.csv");
    if (getenv("EXPOSIM_FUZZ_VERBOSE"))
        fprintf(stderr, "ran: %zu rows, %llu events\n", res.n, (unsigned long long)mi.events);
done:
    if (failed && d.n == 0 && d.dropped == 0) {
        fprintf(stderr, "rejected without a diagnostic\n");
        abort();
    }
    if (params)
        model->free_params(params);
    results_destroy(&res);
    cfg_free(c);
    diag_destroy(&d);
    xmlResetLastError();
    return 0;
}
