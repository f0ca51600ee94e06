/* collate — sweep result files from journals; see collate.h. */
#include "collate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "manifest.h"
#include "results.h"
#include "rng.h"

/* ---- outputs ---------------------------------------------------------------- */

/* One run of the output, from one of the journals. */
struct out_run {
    uint32_t point, rep;
    const struct journal *j;
    const struct journal_run *run;
};

struct outputs {
    const struct journal_header *h;    /* the design: paths and point values */
    struct out_run *runs;
    size_t nruns;
    const char **metrics;              /* columns, in first-seen order of the sorted runs */
    size_t nmetrics;
    size_t **col;                      /* per journal: metric id -> column */
    const struct journal *const *js;
    size_t njs;
    const struct sim_metric_info *catalog;   /* the model's metrics (shares' intervals), or NULL */
};

static int cmp_run(const void *a, const void *b)
{
    const struct out_run *x = a, *y = b;
    if (x->point != y->point)
        return x->point < y->point ? -1 : 1;
    return x->rep < y->rep ? -1 : x->rep > y->rep;
}

static void outputs_destroy(struct outputs *o)
{
    for (size_t i = 0; o->col && i < o->njs; i++)
        free(o->col[i]);
    free(o->col);
    free(o->metrics);
    free(o->runs);
    memset(o, 0, sizeof *o);
}

/* Gather the runs of several journals (one for a sweep, one per shard for
 * a merge), sort them by (point, replication), refuse repeats, and settle
 * the metric columns. */
static int outputs_init(struct outputs *o, const struct journal *const *js, size_t njs, struct diag *d)
{
    memset(o, 0, sizeof *o);
    o->h = &js[0]->h;
    o->js = js;
    o->njs = njs;
    size_t n = 0;
    for (size_t i = 0; i < njs; i++)
        n += js[i]->nruns;
    if (!(o->runs = calloc(n ? n : 1, sizeof *o->runs)) || !(o->col = calloc(njs, sizeof *o->col)))
        return diag_add(d, NULL, 0, "out of memory");
    for (size_t i = 0; i < njs; i++) {
        for (size_t k = 0; k < js[i]->nruns; k++)
            o->runs[o->nruns++] = (struct out_run){ js[i]->runs[k].point, js[i]->runs[k].rep, js[i],
                                                    &js[i]->runs[k] };
        if (!(o->col[i] = calloc(js[i]->nmetrics ? js[i]->nmetrics : 1, sizeof **o->col)))
            return diag_add(d, NULL, 0, "out of memory");
        for (size_t m = 0; m < js[i]->nmetrics; m++)
            o->col[i][m] = SIZE_MAX;
    }
    qsort(o->runs, o->nruns, sizeof *o->runs, cmp_run);
    size_t cap = 0;
    for (size_t k = 0; k < o->nruns; k++) {
        const struct out_run *r = &o->runs[k];
        if (k && r->point == r[-1].point && r->rep == r[-1].rep)
            return diag_add(d, r->j->path, 0, "point %u, replication %u appears twice%s%s", r->point + 1,
                            r->rep + 1, r->j != r[-1].j ? " (also in " : "", r->j != r[-1].j ? r[-1].j->path : "");
        size_t ji = 0;
        while (js[ji] != r->j)
            ji++;
        for (uint32_t v = 0; v < r->run->n; v++) {
            uint32_t mid = r->j->mids[r->run->first + v];
            if (o->col[ji][mid] != SIZE_MAX)
                continue;
            const char *name = r->j->metrics[mid];
            size_t c = 0;
            while (c < o->nmetrics && strcmp(o->metrics[c], name) != 0)
                c++;
            if (c == o->nmetrics) {
                if (o->nmetrics == cap) {
                    cap = cap ? 2 * cap : 16;
                    const char **nm = realloc(o->metrics, cap * sizeof *nm);
                    if (!nm)
                        return diag_add(d, NULL, 0, "out of memory");
                    o->metrics = nm;
                }
                o->metrics[o->nmetrics++] = name;
            }
            o->col[ji][mid] = c;
        }
    }
    return 0;
}

/* The value of column c in run r (NaN when the run lacks that metric). */
static double out_value(const struct outputs *o, const struct out_run *r, size_t c)
{
    size_t ji = 0;
    while (o->js[ji] != r->j)
        ji++;
    for (uint32_t v = 0; v < r->run->n; v++)
        if (o->col[ji][r->j->mids[r->run->first + v]] == c)
            return r->j->vals[r->run->first + v];
    return NAN;
}

/* A name as a CSV field: plain when it is a plain word, else quoted by
 * libcsv (paths hold '/', '@', '['), with results_csv_text's spreadsheet
 * guard ("-x" is a plain word a spreadsheet would take for a formula). */
static int csv_name(FILE *f, const char *s)
{
    if (*s && !results_csv_guarded(s)
        && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(s))
        return fputs(s, f) == EOF ? -1 : 0;
    return results_csv_text(f, s);
}

/* A parameter value: a number as written, anything else through libcsv
 * (guarded: a free-text value may begin with '=', results.h). */
static int csv_value(FILE *f, const char *s)
{
    if (results_csv_is_number(s))
        return fputs(s, f) == EOF ? -1 : 0;
    return results_csv_text(f, s);
}

static int fill_sweep_csv(FILE *f, const void *ctx)
{
    const struct outputs *o = ctx;
    int bad = fputs("point,replication", f) == EOF;
    for (size_t j = 0; j < o->h->nparams; j++)
        bad |= results_csv_sep(f) | csv_name(f, o->h->paths[j]);
    for (size_t c = 0; c < o->nmetrics; c++)
        bad |= results_csv_sep(f) | csv_name(f, o->metrics[c]);
    bad |= results_csv_end(f);
    for (size_t k = 0; k < o->nruns && !bad; k++) {
        const struct out_run *r = &o->runs[k];
        bad |= results_csv_uint(f, r->point + 1ull) | results_csv_sep(f) | results_csv_uint(f, r->rep + 1ull);
        for (size_t j = 0; j < o->h->nparams; j++)
            bad |= results_csv_sep(f) | csv_value(f, o->h->values[(size_t)r->point * o->h->nparams + j]);
        for (size_t c = 0; c < o->nmetrics; c++)
            bad |= results_csv_sep(f) | results_csv_num(f, out_value(o, r, c));
        bad |= results_csv_end(f);
    }
    return bad ? -1 : 0;
}

static int fill_summary_csv(FILE *f, const void *ctx)
{
    const struct outputs *o = ctx;
    static const char *const stat[] = { "mean", "sd", "ci95_low", "ci95_high", "n" };
    int bad = fputs("point", f) == EOF;
    for (size_t j = 0; j < o->h->nparams; j++)
        bad |= results_csv_sep(f) | csv_name(f, o->h->paths[j]);
    for (size_t c = 0; c < o->nmetrics; c++)
        for (size_t k = 0; k < 5; k++) {
            size_t len = strlen(o->metrics[c]) + strlen(stat[k]) + 2;   /* any length: never cut */
            char *name = malloc(len);
            if (!name)
                return -1;
            snprintf(name, len, "%s_%s", o->metrics[c], stat[k]);
            bad |= results_csv_sep(f) | csv_name(f, name);
            free(name);
        }
    bad |= results_csv_end(f);
    /* Each point's runs go through a struct results so that the summary
     * is exactly results_summary's (NaN left out, Student-t interval). */
    for (size_t k = 0; k < o->nruns && !bad;) {
        size_t e = k;
        while (e < o->nruns && o->runs[e].point == o->runs[k].point)
            e++;
        struct results res;
        results_init(&res);
        res.catalog = o->catalog;
        uint32_t nrep = 0;
        /* Intern the names in column order (metric id = column), then drop
         * the placeholder rows. */
        for (size_t c = 0; c < o->nmetrics; c++)
            bad |= results_add(&res, 0, 0, 0, o->metrics[c], NAN);
        res.n = 0;
        for (size_t i = k; i < e && !bad; i++) {
            const struct out_run *r = &o->runs[i];
            if (r->rep + 1 > nrep)
                nrep = r->rep + 1;
            for (size_t c = 0; c < o->nmetrics && !bad; c++)
                bad |= results_add(&res, r->rep, 0, 0, o->metrics[c], out_value(o, r, c));
        }
        uint32_t p = o->runs[k].point;
        bad |= results_csv_uint(f, p + 1ull);
        for (size_t j = 0; j < o->h->nparams; j++)
            bad |= results_csv_sep(f) | csv_value(f, o->h->values[(size_t)p * o->h->nparams + j]);
        for (size_t c = 0; c < o->nmetrics && !bad; c++) {
            struct results_stat st = results_summary(&res, (uint32_t)c, nrep);
            bad |= results_csv_stat(f, &st);
        }
        bad |= results_csv_end(f);
        results_destroy(&res);
        k = e;
    }
    return bad ? -1 : 0;
}

/* ---- the marginal value of a retention day ----------------------------------- */

#define RETENTION_PATH "policy/retention@days"

/* The column of policy/retention@days among the sweep's parameters, or
 * SIZE_MAX. */
static size_t retention_param(const struct outputs *o)
{
    for (size_t j = 0; j < o->h->nparams; j++)
        if (strcmp(o->h->paths[j], RETENTION_PATH) == 0)
            return j;
    return SIZE_MAX;
}

/* Do points p and q have the same values of every parameter but column
 * skip? */
static int same_others(const struct outputs *o, uint32_t p, uint32_t q, size_t skip)
{
    for (size_t j = 0; j < o->h->nparams; j++)
        if (j != skip && strcmp(o->h->values[(size_t)p * o->h->nparams + j],
                                o->h->values[(size_t)q * o->h->nparams + j]) != 0)
            return 0;
    return 1;
}

static double point_days(const struct outputs *o, uint32_t p, size_t col)
{
    return strtod(o->h->values[(size_t)p * o->h->nparams + col], NULL);
}

/* The value of column c in (point, rep), NaN when there is no such run. */
static double run_value(const struct outputs *o, uint32_t point, uint32_t rep, size_t c)
{
    size_t lo = 0, hi = o->nruns;                   /* runs are sorted by (point, rep) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct out_run *r = &o->runs[mid];
        if (r->point < point || (r->point == point && r->rep < rep))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < o->nruns && o->runs[lo].point == point && o->runs[lo].rep == rep)
        return out_value(o, &o->runs[lo], c);
    return NAN;
}

/* sweep-marginal.csv: for each point and the point with the next larger
 * retention at equal other parameters, per metric, the difference per day
 * of retention (B − A) / (R_B − R_A), paired by replication (the points
 * share random numbers), with its Student-t interval. */
static int fill_marginal_csv(FILE *f, const void *ctx)
{
    const struct outputs *o = ctx;
    size_t col = retention_param(o);
    int bad = fputs("metric", f) == EOF;
    for (size_t j = 0; j < o->h->nparams; j++)
        if (j != col)
            bad |= results_csv_sep(f) | csv_name(f, o->h->paths[j]);
    bad |= fputs(",days_from,days_to,per_day_mean,per_day_sd,per_day_ci95_low,per_day_ci95_high,n", f) == EOF;
    bad |= results_csv_end(f);
    uint32_t npoints = 0, nrep = 0;
    for (size_t k = 0; k < o->nruns; k++) {
        if (o->runs[k].point + 1 > npoints)
            npoints = o->runs[k].point + 1;
        if (o->runs[k].rep + 1 > nrep)
            nrep = o->runs[k].rep + 1;
    }
    double *v = malloc((nrep ? nrep : 1) * sizeof *v);
    if (!v)
        return -1;
    for (uint32_t p = 0; p < npoints && !bad; p++) {
        double rp = point_days(o, p, col), best = INFINITY;
        uint32_t q = UINT32_MAX;
        for (uint32_t x = 0; x < npoints; x++) {  /* the next larger retention, same others */
            double rx = point_days(o, x, col);
            if (x != p && rx > rp && rx < best && same_others(o, p, x, col))
                best = rx, q = x;
        }
        if (q == UINT32_MAX)
            continue;
        for (size_t c = 0; c < o->nmetrics && !bad; c++) {
            size_t n = 0;
            for (uint32_t r = 0; r < nrep; r++) {
                double a = run_value(o, p, r, c), b = run_value(o, q, r, c);
                if (!isnan(a) && !isnan(b))
                    v[n++] = (b - a) / (best - rp);
            }
            if (!n)
                continue;
            struct results_stat st = results_stat_of(v, n);
            bad |= csv_name(f, o->metrics[c]);
            for (size_t j = 0; j < o->h->nparams; j++)
                if (j != col)
                    bad |= results_csv_sep(f) | csv_value(f, o->h->values[(size_t)p * o->h->nparams + j]);
            bad |= results_csv_sep(f) | csv_value(f, o->h->values[(size_t)p * o->h->nparams + col]);
            bad |= results_csv_sep(f) | csv_value(f, o->h->values[(size_t)q * o->h->nparams + col]);
            bad |= results_csv_stat(f, &st);
            bad |= results_csv_end(f);
        }
    }
    free(v);
    return bad ? -1 : 0;
}

/* ---- manifest --------------------------------------------------------------- */

static void utc(char *buf, size_t len, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void prop_u(xmlNodePtr n, const char *name, unsigned long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", v);
    xmlNewProp(n, BAD_CAST name, BAD_CAST buf);
}

/* A name or value as an attribute, made valid XML text (a file or
 * directory name's exact bytes are in the command line's <arg hex>; the
 * design's names and values come from a journal, which a crafted
 * directory may fill with any bytes). */
static void prop_name(xmlNodePtr n, const char *name, const char *value)
{
    int exact;
    char *t = manifest_text(value, &exact);
    if (t)
        xmlNewProp(n, BAD_CAST name, BAD_CAST t);
    free(t);
}

/* The same as the text of a new element `name` under parent. */
static xmlNodePtr text_child(xmlNodePtr parent, const char *name, const char *value)
{
    int exact;
    char *t = manifest_text(value, &exact);
    xmlNodePtr n = t ? xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST t) : NULL;
    free(t);
    return n;
}

/* The parts every sweep manifest has: program, command, times, the
 * sweep's identity and its design. */
static xmlDocPtr manifest_common(const struct journal_header *h, const char *file, int show_shard,
                                 int argc, char **argv, time_t started, time_t finished, size_t nruns)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = doc ? xmlNewNode(NULL, BAD_CAST "manifest") : NULL;
    if (!root) {
        xmlFreeDoc(doc);
        return NULL;
    }
    xmlDocSetRootElement(doc, root);
    xmlNewProp(root, BAD_CAST "program", BAD_CAST "exposim");
    xmlNewProp(root, BAD_CAST "version", BAD_CAST EXPOSIM_VERSION);
    xmlNewProp(root, BAD_CAST "kind", BAD_CAST "sweep");
    if (manifest_command(root, argc, argv)) {
        xmlFreeDoc(doc);
        return NULL;
    }
    char buf[64];
    xmlNodePtr times = xmlNewChild(root, NULL, BAD_CAST "times", NULL);
    utc(buf, sizeof buf, started);
    xmlNewProp(times, BAD_CAST "started", BAD_CAST buf);
    utc(buf, sizeof buf, finished);
    xmlNewProp(times, BAD_CAST "finished", BAD_CAST buf);
    prop_u(times, "wall_seconds", (unsigned long long)(finished - started));
    xmlNodePtr sw = xmlNewChild(root, NULL, BAD_CAST "sweep", NULL);
    prop_name(sw, "name", h->name);
    if (file)
        prop_name(sw, "file", file);
    xmlNewProp(sw, BAD_CAST "hash_algorithm", BAD_CAST "sha256");
    xmlNewProp(sw, BAD_CAST "hash", BAD_CAST h->hash);
    prop_u(sw, "points", h->npoints);
    prop_u(sw, "replications", h->replications);
    if (show_shard && h->nshards > 1) {
        snprintf(buf, sizeof buf, "%u/%u", h->shard, h->nshards);
        xmlNewProp(sw, BAD_CAST "shard", BAD_CAST buf);
    }
    prop_u(sw, "runs_in_output", nruns);
    xmlNodePtr params = xmlNewChild(sw, NULL, BAD_CAST "parameters", NULL);
    for (size_t j = 0; j < h->nparams; j++)
        prop_name(xmlNewChild(params, NULL, BAD_CAST "parameter", NULL), "path", h->paths[j]);
    xmlNodePtr pts = xmlNewChild(sw, NULL, BAD_CAST "points", NULL);
    for (uint32_t p = 0; p < h->npoints; p++) {
        xmlNodePtr pt = xmlNewChild(pts, NULL, BAD_CAST "point", NULL);
        prop_u(pt, "index", p + 1ull);
        for (size_t j = 0; j < h->nparams; j++) {
            xmlNodePtr set = text_child(pt, "set", h->values[(size_t)p * h->nparams + j]);
            if (set)
                prop_name(set, "path", h->paths[j]);
        }
    }
    return doc;
}

/* A sweep's (or shard's) manifest: the common parts, the seeds, the base
 * as run. */
static xmlDocPtr sweep_manifest(const struct journal_header *h, const struct collate_info *in, size_t nruns)
{
    xmlDocPtr doc = manifest_common(h, in->file, 1, in->argc, in->argv, in->started, time(NULL), nruns);
    if (!doc)
        return NULL;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr sw = xmlFirstElementChild(root);
    while (sw && strcmp((const char *)sw->name, "sweep") != 0)
        sw = xmlNextElementSibling(sw);
    if (in->base_file && !in->bases)
        prop_name(sw, "base_file", in->base_file);
    if (in->bases) {                          /* named bases: each one's name and file */
        xmlNodePtr bs = xmlNewChild(sw, NULL, BAD_CAST "bases", NULL);
        for (size_t i = 0; i < in->nbases; i++) {
            xmlNodePtr b = xmlNewChild(bs, NULL, BAD_CAST "base", NULL);
            prop_name(b, "name", in->bases[i].name);
            if (in->bases[i].file)
                prop_name(b, "file", in->bases[i].file);
            if (in->bases[i].sha256 && *in->bases[i].sha256)
                prop_name(b, "sha256", in->bases[i].sha256);
        }
    }
    xmlNodePtr seeds = xmlNewChild(root, NULL, BAD_CAST "seeds", NULL);
    prop_u(seeds, "scenario_seed", in->seed);
    xmlNewProp(seeds, BAD_CAST "generator", BAD_CAST RNG_TYPE_NAME);
    xmlNewProp(seeds, BAD_CAST "derivation",
               BAD_CAST "seed(r,c) = fmix32(fmix32(16*r + c) XOR fmix32(scenario_seed)), r 0-based; "
                        "the same for every point (common random numbers)");
    for (uint32_t r = 0; in->model && r < h->replications; r++) {
        xmlNodePtr rep = xmlNewChild(seeds, NULL, BAD_CAST "replication", NULL);
        prop_u(rep, "index", r + 1ull);
        for (unsigned k = 0; in->model->streams[k]; k++) {
            xmlNodePtr st = xmlNewChild(rep, NULL, BAD_CAST "stream", NULL);
            xmlNewProp(st, BAD_CAST "component", BAD_CAST in->model->streams[k]);
            prop_u(st, "seed", rng_stream_seed(in->seed, r, k));
        }
    }
    for (size_t i = 0; i < (in->bases ? in->nbases : 1); i++) {   /* each base as run */
        const struct cfg *b = in->bases ? in->bases[i].as_run : in->base_as_run;
        if (!b)
            continue;
        xmlNodePtr as_run = xmlNewChild(root, NULL, BAD_CAST "base_as_run", NULL);
        if (in->bases) {
            prop_name(as_run, "name", in->bases[i].name);
            if (in->bases[i].file)
                prop_name(as_run, "file", in->bases[i].file);
        }
        xmlNodePtr copy = xmlDocCopyNode(xmlDocGetRootElement((xmlDocPtr)cfg_xml_doc(b)), doc, 1);
        if (copy)
            xmlAddChild(as_run, copy);
    }
    return doc;
}

/* Stage sweep.csv, sweep-summary.csv (sweep-marginal.csv when the sweep
 * varies policy/retention@days) and manifest.xml, then rename all. */
static int write_outputs(const char *dir, const struct outputs *o, xmlDocPtr manifest, struct diag *d)
{
    struct results_staged st;
    results_stage_init(&st, dir);
    if (results_stage_file(&st, "sweep.csv", fill_sweep_csv, o, d)
        || results_stage_file(&st, "sweep-summary.csv", fill_summary_csv, o, d)
        || (retention_param(o) != SIZE_MAX && results_stage_file(&st, "sweep-marginal.csv", fill_marginal_csv, o, d))
        || results_stage_file(&st, "manifest.xml", manifest_dump, manifest, d) || results_stage_commit(&st, d)) {
        results_stage_abort(&st);
        return -1;
    }
    return 0;
}

/* ---- entry points ---------------------------------------------------------- */

int collate_sweep(const char *dir, const struct journal *j, const struct collate_info *info,
                  size_t *nruns, struct diag *d)
{
    struct outputs out;
    const struct journal *js[] = { j };
    int rc = -1;
    xmlDocPtr m = NULL;
    if (outputs_init(&out, js, 1, d))
        goto cleanup;
    out.catalog = info->model ? info->model->metrics : NULL;
    if (!(m = sweep_manifest(&j->h, info, out.nruns))) {
        diag_add(d, NULL, 0, "out of memory");
        goto cleanup;
    }
    if (write_outputs(dir, &out, m, d))
        goto cleanup;
    *nruns = out.nruns;
    rc = 0;
cleanup:
    xmlFreeDoc(m);
    outputs_destroy(&out);
    return rc;
}

/* ---- merge ------------------------------------------------------------------ */

/* Shard 1's manifest.xml, whose seeds and base as run the merged manifest
 * copies, read as every input is (cfg_load_schema: a regular file of
 * bounded size, no network, no entities, no DOCTYPE); NULL with a
 * diagnostic when it is missing or is not such a document. */
static struct cfg *read_shard_manifest(const char *path, unsigned k, const char *dir, struct diag *d)
{
    if (access(path, F_OK) != 0) {
        diag_add(d, path, 0, "not there: shard 1/%u did not finish writing its outputs; finish it with "
                 "`exposim sweep SWEEP.xml --shard 1/%u --resume -o %s`", k, k, dir);
        return NULL;
    }
    size_t before = d->n;
    struct cfg *c = cfg_load_schema(path, NULL, 0, NULL, d);
    if (!c) {
        if (d->n == before)
            diag_add(d, path, 0, "not a well-formed manifest");
        return NULL;
    }
    if (strcmp(cfg_name(cfg_root(c)), "manifest") != 0) {
        diag_add(d, path, cfg_line(cfg_root(c)), "not an exposim manifest (the root element is not <manifest>)");
        cfg_free(c);
        return NULL;
    }
    return c;
}

int collate_merge(const char *outdir, char *const *dirs, size_t ndirs, int quiet,
                  const struct sim_model_type *const *models, int argc, char **argv, struct diag *d)
{
    time_t started = time(NULL);
    struct journal *js = calloc(ndirs ? ndirs : 1, sizeof *js);
    const struct journal **jp = calloc(ndirs ? ndirs : 1, sizeof *jp);
    const char **by_shard = NULL;
    struct outputs out;
    memset(&out, 0, sizeof out);
    int rc = 2, created = 0;
    xmlDocPtr m = NULL;
    struct cfg *tmpl = NULL;
    if (!ndirs) {
        diag_add(d, NULL, 0, "no shard directory to merge: give every shard's directory once");
        goto cleanup;
    }
    if (!js || !jp) {
        diag_add(d, NULL, 0, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < ndirs; i++) {
        js[i].fd = -1;
        jp[i] = &js[i];
        int r = journal_read(dirs[i], &js[i], d);
        if (r == 1)
            diag_add(d, NULL, 0, "%s: no %s there; not a sweep or shard directory", dirs[i], JOURNAL_NAME);
        if (r)
            goto cleanup;
        if (strcmp(js[i].h.hash, js[0].h.hash) != 0 || js[i].h.nshards != js[0].h.nshards) {
            diag_add(d, NULL, 0, "%s and %s come from different sweeps (%s): cannot merge", dirs[0], dirs[i],
                     strcmp(js[i].h.hash, js[0].h.hash) ? "their hashes differ" : "different shard counts");
            goto cleanup;
        }
    }
    unsigned k = js[0].h.nshards;
    if (!(by_shard = calloc(k + 1, sizeof *by_shard))) {
        diag_add(d, NULL, 0, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < ndirs; i++) {
        unsigned sh = js[i].h.shard;
        if (by_shard[sh]) {
            diag_add(d, NULL, 0, "shard %u/%u is given twice: %s and %s", sh, k, by_shard[sh], dirs[i]);
            goto cleanup;
        }
        by_shard[sh] = dirs[i];
        size_t want = 0;
        for (size_t p = sh - 1; p < js[i].h.npoints; p += k)
            want += js[i].h.replications;
        if (js[i].nruns != want) {
            diag_add(d, NULL, 0, "%s: shard %u/%u is incomplete (%zu of %zu runs); finish it with "
                     "`exposim sweep SWEEP.xml --shard %u/%u --resume -o %s`", dirs[i], sh, k, js[i].nruns,
                     want, sh, k, dirs[i]);
            goto cleanup;
        }
    }
    for (unsigned sh = 1; sh <= k; sh++)
        if (!by_shard[sh]) {
            diag_add(d, NULL, 0, "shard %u/%u is missing: give every shard's directory once", sh, k);
            goto cleanup;
        }
    /* Writing into a shard's own directory would replace that shard's
     * sweep.csv, sweep-summary.csv and manifest.xml. */
    struct stat osb;
    if (stat(outdir, &osb) == 0)
        for (size_t i = 0; i < ndirs; i++) {
            struct stat sb;
            if (stat(dirs[i], &sb) == 0 && sb.st_dev == osb.st_dev && sb.st_ino == osb.st_ino) {
                diag_add(d, NULL, 0, "merge -o %s: that is the shard directory %s, whose files the merge would "
                         "replace: choose another output directory", outdir, dirs[i]);
                goto cleanup;
            }
        }
    if (outputs_init(&out, jp, ndirs, d))
        goto cleanup;
    /* The manifest: the design from the journals, seeds and base as run
     * from the first shard's manifest, and the shards merged. */
    m = manifest_common(&js[0].h, NULL, 0, argc, argv, started, time(NULL), out.nruns);
    if (!m) {
        diag_add(d, NULL, 0, "out of memory");
        goto cleanup;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.xml", by_shard[1]);
    if (!(tmpl = read_shard_manifest(path, k, by_shard[1], d)))
        goto cleanup;
    xmlNodePtr root = xmlDocGetRootElement(m);
    for (xmlNodePtr n = xmlFirstElementChild(xmlDocGetRootElement(cfg_xml_doc(tmpl))); n; n = xmlNextElementSibling(n))
        if (strcmp((const char *)n->name, "seeds") == 0 || strcmp((const char *)n->name, "base_as_run") == 0)
        {
            xmlAddChild(root, xmlDocCopyNode(n, m, 1));
            xmlNodePtr base = strcmp((const char *)n->name, "base_as_run") == 0 ? xmlFirstElementChild(n) : NULL;
            const struct sim_model_type *model = base ? sim_model_find(models, (const char *)base->name) : NULL;
            if (model)
                out.catalog = model->metrics;   /* the summary's shares, as the sweep wrote them */
        }
    xmlNodePtr mf = xmlNewChild(root, NULL, BAD_CAST "merged_from", NULL);
    for (unsigned sh = 1; sh <= k; sh++) {
        xmlNodePtr n = xmlNewChild(mf, NULL, BAD_CAST "shard", NULL);
        prop_u(n, "index", sh);
        prop_u(n, "of", k);
        prop_name(n, "dir", by_shard[sh]);
    }
    if (results_prepare_dir(outdir, &created, d))
        goto cleanup;
    rc = 1;
    if (write_outputs(outdir, &out, m, d))
        goto cleanup;
    if (!quiet)
        printf("merged %u shard%s of sweep %s: %zu runs; results: %s/ (manifest.xml, sweep.csv, "
               "sweep-summary.csv)\n", k, k == 1 ? "" : "s", js[0].h.name, out.nruns, outdir);
    rc = 0;
cleanup:
    if (rc && created)
        results_unprepare_dir(outdir, created);
    cfg_free(tmpl);
    xmlFreeDoc(m);
    outputs_destroy(&out);
    for (size_t i = 0; js && i < ndirs; i++)
        journal_destroy(&js[i]);
    free(js);
    free(jp);
    free(by_shard);
    return rc;
}
