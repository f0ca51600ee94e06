/* compare — paired differences of runs and sweep points; see compare.h. */
#include "compare.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libxml/tree.h>

#include "manifest.h"
#include "plot.h"
#include "results.h"

#define MAX_REP 10000000u                 /* as exposim plot accepts */

/* One side: every replication's final value of every metric. */
struct side {
    const char *label;                    /* as given */
    char dir[4096];
    unsigned point;                       /* 0: a run */
    struct results ts;                    /* a run's rows; metric names (ts.metrics) for both kinds */
    uint32_t nrep;
    double *final;                        /* [m * nrep + r]; NaN: none */
};

/* A sweep directory's sweep.csv: every run's values. */
struct sweep_runs {
    struct results_table t;
    size_t npath, nm;                     /* PATH columns, metric columns */
    uint32_t np, nrep;
    double *v;                            /* [(p * nm + m) * nrep + r]; NaN: none */
    size_t *row;                          /* per point: a row of t holding its PATH values (0: none) */
};

static void side_destroy(struct side *s)
{
    results_destroy(&s->ts);
    free(s->final);
}

static void sweep_destroy(struct sweep_runs *w)
{
    results_table_free(&w->t);
    free(w->v);
    free(w->row);
}

static int is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* "DIR" or "DIR:P" into dir and point (0 for a plain directory, which
 * wins when the whole text names one).  0 or -1 with a diagnostic. */
static int parse_side(const char *arg, char *dir, size_t len, unsigned *point, struct diag *d)
{
    *point = 0;
    snprintf(dir, len, "%s", arg);
    const char *colon = strrchr(arg, ':');
    if (is_dir(arg) || !colon)
        return 0;
    char *end;
    errno = 0;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || errno || p < 1 || p > 1000000 || colon[1] == '-' || colon[1] == '+')
        return diag_add(d, NULL, 0, "%s: not a directory, nor DIR:P with P a point number from 1", arg);
    snprintf(dir, len, "%.*s", (int)(colon - arg), arg);
    *point = (unsigned)p;
    return 0;
}

/* A run directory: its timeseries.csv. */
static int load_run(struct side *s, struct diag *d)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/timeseries.csv", s->dir);
    struct results_table t;
    int r = results_table_read(path, &t, d);
    if (r == 1)
        return diag_add(d, s->dir, 0, "no timeseries.csv here: not a run's directory (a sweep point is DIR:P)");
    if (r)
        return -1;
    int rc = 0;
    if (t.n < 1 || t.ncols[0] != 5 || strcmp(t.rows[0][0], "replication") != 0)
        rc = diag_add(d, path, 1, "expected the header replication,acquisition,day,metric,value");
    for (size_t i = 1; i < t.n && !rc; i++) {
        double rep, acq, day, value;
        if (t.ncols[i] != 5 || results_csv_number(t.rows[i][0], &rep) || results_csv_number(t.rows[i][1], &acq)
            || results_csv_number(t.rows[i][2], &day) || results_csv_number(t.rows[i][4], &value)
            || !(rep >= 1 && rep <= MAX_REP && rep == floor(rep)) || !(acq >= 1 && acq <= 1e6 && acq == floor(acq))
            || isnan(day))
            rc = diag_add(d, path, (long)i + 1, "expected replication (from 1), acquisition (from 1), day, "
                          "metric, value");
        else if (results_add(&s->ts, (uint32_t)rep - 1, (uint32_t)acq, day, t.rows[i][3], value))
            rc = diag_add(d, NULL, 0, "out of memory");
        else if ((uint32_t)rep > s->nrep)
            s->nrep = (uint32_t)rep;
    }
    results_table_free(&t);
    if (rc)
        return -1;
    if (!s->ts.n)
        return diag_add(d, path, 0, "no metric values");
    size_t cells = s->ts.nmetrics * s->nrep;
    uint32_t *best = calloc(cells, sizeof *best);
    if (!best || !(s->final = malloc(cells * sizeof *s->final))) {
        free(best);
        return diag_add(d, NULL, 0, "out of memory");
    }
    for (size_t k = 0; k < cells; k++)
        s->final[k] = NAN;
    for (size_t i = 0; i < s->ts.n; i++) {         /* the value after the last acquisition */
        const struct results_row *w = &s->ts.rows[i];
        size_t k = (size_t)w->metric * s->nrep + w->rep;
        if (w->acq >= best[k]) {
            best[k] = w->acq;
            s->final[k] = w->value;
        }
    }
    free(best);
    return 0;
}

/* A sweep directory's runs (sweep.csv; its PATH columns are those before
 * the first _mean column of sweep-summary.csv). */
static int load_sweep(const char *dir, struct sweep_runs *w, struct diag *d)
{
    memset(w, 0, sizeof *w);
    char path[4200];
    snprintf(path, sizeof path, "%s/sweep-summary.csv", dir);
    struct results_table h;
    int r = results_table_read(path, &h, d);
    if (r == 1)
        return diag_add(d, dir, 0, "no sweep-summary.csv here: not a sweep's directory");
    if (r)
        return -1;
    size_t first = 1;
    while (h.n && first < h.ncols[0]) {
        size_t l = strlen(h.rows[0][first]);
        if (l > 5 && strcmp(h.rows[0][first] + l - 5, "_mean") == 0)
            break;
        first++;
    }
    int bad = !h.n || first == h.ncols[0];
    results_table_free(&h);
    if (bad)
        return diag_add(d, path, 1, "expected the header point,PATH...,METRIC_mean,...");
    w->npath = first - 1;
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    r = results_table_read(path, &w->t, d);
    if (r == 1)
        return diag_add(d, dir, 0, "no sweep.csv here");
    if (r)
        return -1;
    const struct results_table *t = &w->t;
    if (t->n < 2 || t->ncols[0] < 3 + w->npath || strcmp(t->rows[0][0], "point") != 0
        || strcmp(t->rows[0][1], "replication") != 0)
        return diag_add(d, path, 1, "expected the header point,replication,PATH...,METRIC...");
    w->nm = t->ncols[0] - 2 - w->npath;
    for (size_t i = 1; i < t->n; i++) {
        double p, rep;
        if (t->ncols[i] != t->ncols[0] || results_csv_number(t->rows[i][0], &p)
            || results_csv_number(t->rows[i][1], &rep) || !(p >= 1 && p <= 1e6 && p == floor(p))
            || !(rep >= 1 && rep <= MAX_REP && rep == floor(rep)))
            return diag_add(d, path, (long)i + 1, "expected point and replication (from 1) and %zu fields",
                            t->ncols[0]);
        w->np = (uint32_t)p > w->np ? (uint32_t)p : w->np;
        w->nrep = (uint32_t)rep > w->nrep ? (uint32_t)rep : w->nrep;
    }
    size_t cells = (size_t)w->np * w->nm * w->nrep;
    if (!(w->v = malloc((cells ? cells : 1) * sizeof *w->v)) || !(w->row = calloc(w->np + 1, sizeof *w->row)))
        return diag_add(d, NULL, 0, "out of memory");
    for (size_t k = 0; k < cells; k++)
        w->v[k] = NAN;
    for (size_t i = 1; i < t->n; i++) {
        uint32_t p = (uint32_t)strtoul(t->rows[i][0], NULL, 10) - 1, rep = (uint32_t)strtoul(t->rows[i][1], NULL, 10) - 1;
        w->row[p] = i;
        for (size_t m = 0; m < w->nm; m++) {
            double v;
            if (results_csv_number(t->rows[i][2 + w->npath + m], &v))
                return diag_add(d, path, (long)i + 1, "expected a number (or NA) for %.200s",
                                t->rows[0][2 + w->npath + m]);
            w->v[((size_t)p * w->nm + m) * w->nrep + rep] = v;
        }
    }
    return 0;
}

/* A side from one point of a sweep. */
static int side_from_point(struct side *s, const struct sweep_runs *w, struct diag *d)
{
    if (s->point > w->np || !w->row[s->point - 1])
        return diag_add(d, NULL, 0, "%s: the sweep has no point %u (points 1 to %u)", s->label, s->point, w->np);
    s->nrep = w->nrep;
    for (size_t m = 0; m < w->nm; m++)            /* the names, through a struct results */
        if (results_add(&s->ts, 0, 1, 0, w->t.rows[0][2 + w->npath + m], NAN))
            return diag_add(d, NULL, 0, "out of memory");
    s->ts.n = 0;
    size_t cells = w->nm * w->nrep;
    if (!(s->final = malloc((cells ? cells : 1) * sizeof *s->final)))
        return diag_add(d, NULL, 0, "out of memory");
    memcpy(s->final, w->v + (size_t)(s->point - 1) * cells, cells * sizeof *s->final);
    return 0;
}

static int load_side(struct side *s, const char *arg, struct diag *d)
{
    memset(s, 0, sizeof *s);
    results_init(&s->ts);
    s->label = arg;
    if (parse_side(arg, s->dir, sizeof s->dir, &s->point, d))
        return -1;
    if (!is_dir(s->dir))
        return diag_add(d, s->dir, 0, "not a directory");
    if (!s->point)
        return load_run(s, d);
    struct sweep_runs w;
    int rc = load_sweep(s->dir, &w, d) || side_from_point(s, &w, d) ? -1 : 0;
    sweep_destroy(&w);
    return rc;
}

/* ---- statistics ------------------------------------------------------------ */

struct pair_stat {
    double mean_a, mean_b;
    struct results_stat diff;             /* of B − A */
    double ilo, ihi;                      /* the Welch interval */
    double width;                         /* paired width / independent width */
};

/* Over the r with a[r] and b[r] both defined. */
static struct pair_stat pair_stats(const double *a, const double *b, uint32_t nrep, double *scratch)
{
    struct pair_stat ps = { NAN, NAN, { NAN, NAN, NAN, NAN, 0 }, NAN, NAN, NAN };
    size_t n = 0;
    double sa = 0, sb = 0;
    for (uint32_t r = 0; r < nrep; r++)
        if (!isnan(a[r]) && !isnan(b[r])) {
            scratch[n++] = b[r] - a[r];
            sa += a[r];
            sb += b[r];
        }
    if (!n)
        return ps;
    ps.mean_a = sa / (double)n;
    ps.mean_b = sb / (double)n;
    ps.diff = results_stat_of(scratch, n);
    if (n < 2)
        return ps;
    double va = 0, vb = 0;
    for (uint32_t r = 0; r < nrep; r++)
        if (!isnan(a[r]) && !isnan(b[r])) {
            va += (a[r] - ps.mean_a) * (a[r] - ps.mean_a);
            vb += (b[r] - ps.mean_b) * (b[r] - ps.mean_b);
        }
    results_welch(va / (double)(n - 1), n, vb / (double)(n - 1), n, ps.mean_b - ps.mean_a, &ps.ilo, &ps.ihi);
    if (ps.ihi > ps.ilo)
        ps.width = (ps.diff.hi - ps.diff.lo) / (ps.ihi - ps.ilo);
    return ps;
}

/* ---- outputs ---------------------------------------------------------------- */

struct cmp {
    const struct compare_opts *o;
    struct side a, b;
    size_t *bm;                           /* per metric of A: its index in B, SIZE_MAX none */
    uint32_t nrep;                        /* replications both may have */
    int same_days;                        /* differences.csv */
    size_t pairs;                         /* the most pairs of any metric */
    struct sweep_runs w;                  /* reference mode */
};

static int fill_compare(FILE *f, const void *ctx)
{
    const struct cmp *c = ctx;
    int bad = fputs("metric,mean_a,mean_b,diff_mean,diff_sd,diff_ci95_low,diff_ci95_high,n,indep_ci95_low,"
                    "indep_ci95_high,width_ratio\n", f) == EOF;
    double *scratch = malloc((c->nrep ? c->nrep : 1) * sizeof *scratch);
    if (!scratch)
        return -1;
    for (size_t m = 0; m < c->a.ts.nmetrics && !bad; m++) {
        if (c->bm[m] == SIZE_MAX)
            continue;
        struct pair_stat ps = pair_stats(c->a.final + m * c->a.nrep, c->b.final + c->bm[m] * c->b.nrep, c->nrep,
                                         scratch);
        bad |= results_csv_text(f, c->a.ts.metrics[m]);
        const double v[] = { ps.mean_a, ps.mean_b, ps.diff.mean, ps.diff.sd, ps.diff.lo, ps.diff.hi };
        for (size_t k = 0; k < 6; k++)
            bad |= results_csv_sep(f) | results_csv_num(f, v[k]);
        bad |= results_csv_sep(f) | results_csv_uint(f, ps.diff.n);
        bad |= results_csv_sep(f) | results_csv_num(f, ps.ilo) | results_csv_sep(f) | results_csv_num(f, ps.ihi);
        bad |= results_csv_sep(f) | results_csv_num(f, ps.width) | results_csv_end(f);
    }
    free(scratch);
    return bad ? -1 : 0;
}

/* Row index of (rep, acq, metric) in a run's rows, by a sort of keys. */
struct rkey {
    uint32_t rep, acq;
    const char *metric;
    size_t row;
};

static int by_rkey(const void *x, const void *y)
{
    const struct rkey *a = x, *b = y;
    if (a->rep != b->rep)
        return a->rep < b->rep ? -1 : 1;
    if (a->acq != b->acq)
        return a->acq < b->acq ? -1 : 1;
    int c = strcmp(a->metric, b->metric);
    return c ? c : (a->row > b->row) - (a->row < b->row);
}

static struct rkey *run_keys(const struct results *r)
{
    struct rkey *k = malloc((r->n ? r->n : 1) * sizeof *k);
    if (!k)
        return NULL;
    for (size_t i = 0; i < r->n; i++)
        k[i] = (struct rkey){ r->rows[i].rep, r->rows[i].acq, r->metrics[r->rows[i].metric], i };
    qsort(k, r->n, sizeof *k, by_rkey);
    return k;
}

/* The differences B − A after every acquisition, in A's row order; rows
 * B lacks are left out.  Sets same_days to 0 (nothing written) when an
 * acquisition of both falls on different days. */
static int differences(struct cmp *c, FILE *f)
{
    const struct results *ra = &c->a.ts, *rb = &c->b.ts;
    struct rkey *kb = run_keys(rb);
    if (!kb)
        return -1;
    int bad = f ? fputs("replication,acquisition,day,metric,value\n", f) == EOF : 0;
    for (size_t i = 0; i < ra->n && !bad; i++) {
        const struct results_row *w = &ra->rows[i];
        struct rkey key = { w->rep, w->acq, ra->metrics[w->metric], 0 };
        size_t lo = 0, hi = rb->n;                /* the first key >= (rep, acq, metric, 0) */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (by_rkey(&kb[mid], &key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == rb->n || kb[lo].rep != w->rep || kb[lo].acq != w->acq || strcmp(kb[lo].metric, key.metric) != 0)
            continue;
        const struct results_row *v = &rb->rows[kb[lo].row];
        if (fabs(v->day - w->day) > 1e-9 * (1 + fabs(w->day))) {
            c->same_days = 0;
            break;
        }
        if (f) {
            bad |= results_csv_uint(f, w->rep + 1ull) | results_csv_sep(f) | results_csv_uint(f, w->acq);
            bad |= results_csv_sep(f) | results_csv_num(f, w->day) | results_csv_sep(f);
            bad |= results_csv_text(f, key.metric) | results_csv_sep(f);
            bad |= results_csv_num(f, v->value - w->value) | results_csv_end(f);
        }
    }
    free(kb);
    return bad ? -1 : 0;
}

static int fill_differences(FILE *f, const void *ctx)
{
    return differences((struct cmp *)ctx, f);
}

/* paired-summary.csv: every point against the reference point. */
static int fill_paired(FILE *f, const void *ctx)
{
    const struct cmp *c = ctx;
    const struct sweep_runs *w = &c->w;
    const struct results_table *t = &w->t;
    static const char *const stat[] = { "mean", "sd", "ci95_low", "ci95_high", "n" };
    int bad = results_csv_text(f, "point");
    for (size_t j = 0; j < w->npath; j++)
        bad |= results_csv_sep(f) | results_csv_text(f, t->rows[0][2 + j]);
    for (size_t m = 0; m < w->nm; m++)
        for (size_t k = 0; k < 5; k++) {
            char name[512];
            snprintf(name, sizeof name, "%.400s_%s", t->rows[0][2 + w->npath + m], stat[k]);
            bad |= results_csv_sep(f) | results_csv_text(f, name);
        }
    bad |= results_csv_end(f);
    double *scratch = malloc((w->nrep ? w->nrep : 1) * sizeof *scratch);
    if (!scratch)
        return -1;
    size_t ref = c->o->reference - 1;
    for (uint32_t p = 0; p < w->np && !bad; p++) {
        if (!w->row[p])
            continue;
        bad |= results_csv_uint(f, p + 1ull);
        for (size_t j = 0; j < w->npath; j++)
            bad |= results_csv_sep(f) | results_csv_text(f, t->rows[w->row[p]][2 + j]);
        for (size_t m = 0; m < w->nm; m++) {
            const double *a = w->v + (ref * w->nm + m) * w->nrep, *b = w->v + ((size_t)p * w->nm + m) * w->nrep;
            struct pair_stat ps = pair_stats(a, b, w->nrep, scratch);
            bad |= results_csv_sep(f) | results_csv_num(f, ps.diff.mean) | results_csv_sep(f)
                   | results_csv_num(f, ps.diff.sd) | results_csv_sep(f) | results_csv_num(f, ps.diff.lo)
                   | results_csv_sep(f) | results_csv_num(f, ps.diff.hi) | results_csv_sep(f)
                   | results_csv_uint(f, ps.diff.n);
        }
        bad |= results_csv_end(f);
    }
    free(scratch);
    return bad ? -1 : 0;
}

struct manifest_ctx {
    const struct cmp *c;
    time_t started;
};

static void utc(char *buf, size_t len, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* An attribute whose value may hold any bytes (a directory name): as
 * manifest_text makes it XML text. */
static void prop(xmlNodePtr n, const char *name, const char *value)
{
    int exact;
    char *v = manifest_text(value, &exact);
    if (v)
        xmlNewProp(n, BAD_CAST name, BAD_CAST v);
    free(v);
}

static int fill_manifest(FILE *f, const void *ctx)
{
    const struct manifest_ctx *mc = ctx;
    const struct cmp *c = mc->c;
    const struct compare_opts *o = c->o;
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = doc ? xmlNewNode(NULL, BAD_CAST "manifest") : NULL;
    if (!root) {
        xmlFreeDoc(doc);
        return -1;
    }
    xmlDocSetRootElement(doc, root);
    xmlNewProp(root, BAD_CAST "program", BAD_CAST "exposim");
    xmlNewProp(root, BAD_CAST "version", BAD_CAST EXPOSIM_VERSION);
    xmlNewProp(root, BAD_CAST "kind", BAD_CAST "compare");
    if (manifest_command(root, o->argc, o->argv)) {
        xmlFreeDoc(doc);
        return -1;
    }
    char buf[64];
    time_t now = time(NULL);
    xmlNodePtr times = xmlNewChild(root, NULL, BAD_CAST "times", NULL);
    utc(buf, sizeof buf, mc->started);
    xmlNewProp(times, BAD_CAST "started", BAD_CAST buf);
    utc(buf, sizeof buf, now);
    xmlNewProp(times, BAD_CAST "finished", BAD_CAST buf);
    snprintf(buf, sizeof buf, "%lld", (long long)(now - mc->started));
    xmlNewProp(times, BAD_CAST "wall_seconds", BAD_CAST buf);
    xmlNodePtr cn = xmlNewChild(root, NULL, BAD_CAST "compare", NULL);
    if (o->sweep) {
        prop(cn, "sweep", o->sweep);
        snprintf(buf, sizeof buf, "%u", o->reference);
        prop(cn, "reference", buf);
    } else {
        prop(cn, "a", o->a);
        prop(cn, "b", o->b);
        snprintf(buf, sizeof buf, "%zu", c->pairs);
        prop(cn, "pairs", buf);
    }
    int rc = xmlDocFormatDump(f, doc, 1) < 0 ? -1 : 0;
    xmlFreeDoc(doc);
    return rc;
}

/* ---- the command ------------------------------------------------------------ */

/* A directory's name for the default output: its last component, then
 * "-pP" for a point, in [A-Za-z0-9._-]. */
static void stem(char *out, size_t len, const char *dir, unsigned point)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (size_t l = strlen(tmp); l > 1 && tmp[l - 1] == '/';)
        tmp[--l] = '\0';
    const char *base = strrchr(tmp, '/') ? strrchr(tmp, '/') + 1 : tmp;
    size_t k = 0;
    for (const char *c = base; *c && k + 1 < len && k < 60; c++)
        out[k++] = (char)((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
                                  || *c == '_' || *c == '-' || *c == '.' ? *c : '_');
    out[k] = '\0';
    if (point)
        snprintf(out + k, len - k, "-p%u", point);
}

static void print_table(const struct cmp *c)
{
    printf("A: %s, B: %s; B - A over %zu paired replication%s\n", c->o->a, c->o->b, c->pairs,
           c->pairs == 1 ? "" : "s");
    int w = 16;
    for (size_t m = 0; m < c->a.ts.nmetrics; m++)
        if (c->bm[m] != SIZE_MAX && (int)strlen(c->a.ts.metrics[m]) > w)
            w = (int)strlen(c->a.ts.metrics[m]);
    printf("%-*s %12s %12s %12s %25s %25s %6s\n", w, "metric", "mean A", "mean B", "B - A", "paired 95% interval",
           "independent 95% interval", "width");
    double *scratch = malloc((c->nrep ? c->nrep : 1) * sizeof *scratch);
    for (size_t m = 0; scratch && m < c->a.ts.nmetrics; m++) {
        if (c->bm[m] == SIZE_MAX)
            continue;
        struct pair_stat ps = pair_stats(c->a.final + m * c->a.nrep, c->b.final + c->bm[m] * c->b.nrep, c->nrep,
                                         scratch);
        char pi[64], ii[64], wr[16];
        snprintf(pi, sizeof pi, isnan(ps.diff.lo) ? "NA" : "[%.6g, %.6g]", ps.diff.lo, ps.diff.hi);
        snprintf(ii, sizeof ii, isnan(ps.ilo) ? "NA" : "[%.6g, %.6g]", ps.ilo, ps.ihi);
        snprintf(wr, sizeof wr, isnan(ps.width) ? "NA" : "%.3g", ps.width);
        printf("%-*s %12.6g %12.6g %12.6g %25s %25s %6s\n", w, c->a.ts.metrics[m], ps.mean_a, ps.mean_b,
               ps.diff.mean, pi, ii, wr);
    }
    free(scratch);
}

int compare_run(const struct compare_opts *o, struct diag *d)
{
    time_t started = time(NULL);
    struct cmp c;
    memset(&c, 0, sizeof c);
    c.o = o;
    results_init(&c.a.ts);
    results_init(&c.b.ts);
    int rc = 2, created = 0;
    char outdir[4096], sa[128], sb[128];
    if (o->sweep) {
        if (!is_dir(o->sweep)) {
            diag_add(d, o->sweep, 0, "not a directory");
            goto out;
        }
        if (load_sweep(o->sweep, &c.w, d))
            goto out;
        if (o->reference < 1 || o->reference > c.w.np || !c.w.row[o->reference - 1]) {
            diag_add(d, NULL, 0, "%s: the sweep has no point %u (points 1 to %u)", o->sweep, o->reference, c.w.np);
            goto out;
        }
        stem(sa, sizeof sa, o->sweep, 0);
        snprintf(outdir, sizeof outdir, "%s", o->outdir ? o->outdir : "");
        if (!o->outdir)
            snprintf(outdir, sizeof outdir, "results/%s-vs-point-%u", sa, o->reference);
    } else {
        if (load_side(&c.a, o->a, d) || load_side(&c.b, o->b, d))
            goto out;
        if (!(c.bm = malloc((c.a.ts.nmetrics ? c.a.ts.nmetrics : 1) * sizeof *c.bm))) {
            diag_add(d, NULL, 0, "out of memory");
            goto out;
        }
        size_t common = 0;
        for (size_t m = 0; m < c.a.ts.nmetrics; m++) {
            c.bm[m] = SIZE_MAX;
            for (size_t k = 0; k < c.b.ts.nmetrics; k++)
                if (strcmp(c.a.ts.metrics[m], c.b.ts.metrics[k]) == 0)
                    c.bm[m] = k;
            common += c.bm[m] != SIZE_MAX;
        }
        c.nrep = c.a.nrep < c.b.nrep ? c.a.nrep : c.b.nrep;
        /* pairs: replications with a value on both sides for some metric */
        for (uint32_t r = 0; r < c.nrep; r++) {
            int both = 0;
            for (size_t m = 0; m < c.a.ts.nmetrics && !both; m++)
                both = c.bm[m] != SIZE_MAX && !isnan(c.a.final[m * c.a.nrep + r])
                       && !isnan(c.b.final[c.bm[m] * c.b.nrep + r]);
            c.pairs += both;
        }
        if (!common) {
            diag_add(d, NULL, 0, "%s and %s have no metric in common", o->a, o->b);
            goto out;
        }
        if (!c.pairs) {
            diag_add(d, NULL, 0, "%s and %s have no replication in common to pair", o->a, o->b);
            goto out;
        }
        c.same_days = !c.a.point && !c.b.point;
        if (c.same_days && differences(&c, NULL)) {
            diag_add(d, NULL, 0, "out of memory");
            goto out;
        }
        stem(sa, sizeof sa, c.a.dir, c.a.point);
        stem(sb, sizeof sb, c.b.dir, c.b.point);
        if (o->outdir)
            snprintf(outdir, sizeof outdir, "%s", o->outdir);
        else
            snprintf(outdir, sizeof outdir, "results/compare-%s-vs-%s", sa, sb);
    }
    if (results_prepare_dir(outdir, &created, d))
        goto out;
    rc = 1;
    struct results_staged st;
    results_stage_init(&st, outdir);
    struct manifest_ctx mc = { &c, started };
    int had = 0;
    if ((o->sweep ? results_stage_file(&st, "paired-summary.csv", fill_paired, &c, d)
                  : results_stage_file(&st, "compare.csv", fill_compare, &c, d)
                        || (c.same_days && results_stage_file(&st, "differences.csv", fill_differences, &c, d)))
        || results_stage_file(&st, "manifest.xml", fill_manifest, &mc, d) || (had = plot_stale_remove(outdir, d)) < 0
        || results_stage_commit(&st, d)) {
        results_stage_abort(&st);
        goto out;
    }
    /* files of an earlier comparison of another kind would be drawn instead */
    static const char *const others[] = { "compare.csv", "differences.csv", "paired-summary.csv" };
    for (size_t i = 0; i < 3; i++) {
        int ours = o->sweep ? i == 2 : i == 0 || (i == 1 && c.same_days);
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", outdir, others[i]);
        if (!ours)
            unlink(path);
    }
    if (!o->quiet) {
        if (!o->sweep)
            print_table(&c);
        printf("results: %s/ (%s, manifest.xml)\n", outdir,
               o->sweep ? "paired-summary.csv" : c.same_days ? "compare.csv, differences.csv" : "compare.csv");
        if (!o->sweep && !c.a.point && !c.b.point && !c.same_days)
            printf("(no differences.csv: the two runs acquire on different days)\n");
    }
    struct plot_opts po;
    plot_opts_init(&po, outdir);
    po.models = o->models;
    po.quiet = o->quiet;
    (void)had;
    rc = plot_results(&po, d) ? 1 : 0;
    created = 0;
out:
    if (rc && created)
        rmdir(outdir);
    side_destroy(&c.a);
    side_destroy(&c.b);
    free(c.bm);
    sweep_destroy(&c.w);
    return rc;
}
