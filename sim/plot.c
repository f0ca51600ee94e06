/* plot — figures and report.html from a results directory; see plot.h. */
#define _DEFAULT_SOURCE                   /* mkdtemp */
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csv.h>
#include <dirent.h>

#include "results.h"

/* ---- a CSV file as a table of strings ------------------------------------ */

struct table {
    char ***rows;                         /* rows[r][c], NUL-terminated */
    size_t *ncols;
    size_t n, cap;
    char **f;                             /* the row being read */
    size_t nf, capf;
    int oom;
};

static void t_field(void *s, size_t len, void *data)
{
    struct table *t = data;
    if (t->oom)
        return;
    if (t->nf == t->capf) {
        size_t cap = t->capf ? 2 * t->capf : 16;
        char **nf = realloc(t->f, cap * sizeof *nf);
        if (!nf) {
            t->oom = 1;
            return;
        }
        t->f = nf;
        t->capf = cap;
    }
    if (!(t->f[t->nf] = malloc(len + 1))) {
        t->oom = 1;
        return;
    }
    memcpy(t->f[t->nf], s, len);
    t->f[t->nf][len] = '\0';
    t->nf++;
}

static void t_row(int c, void *data)
{
    (void)c;
    struct table *t = data;
    if (t->oom)
        return;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        char ***rows = realloc(t->rows, cap * sizeof *rows);
        size_t *nc = rows ? realloc(t->ncols, cap * sizeof *nc) : NULL;
        if (rows)
            t->rows = rows;
        if (!nc) {
            t->oom = 1;
            return;
        }
        t->ncols = nc;
        t->cap = cap;
    }
    t->rows[t->n] = t->f;
    t->ncols[t->n] = t->nf;
    t->n++;
    t->f = NULL;
    t->nf = t->capf = 0;
}

static void table_free(struct table *t)
{
    for (size_t r = 0; r < t->n; r++) {
        for (size_t c = 0; c < t->ncols[r]; c++)
            free(t->rows[r][c]);
        free(t->rows[r]);
    }
    for (size_t c = 0; c < t->nf; c++)
        free(t->f[c]);
    free(t->f);
    free(t->rows);
    free(t->ncols);
    memset(t, 0, sizeof *t);
}

/* Read path into t.  0, 1 (no such file) or -1 (diagnostic). */
static int table_read(const char *path, struct table *t, struct diag *d)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return 1;
        return diag_add(d, path, 0, "cannot read: %s", strerror(errno));
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        fclose(f);
        return diag_add(d, NULL, 0, "out of memory");
    }
    char buf[65536];
    size_t got;
    int rc = 0;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        if (csv_parse(&p, buf, got, t_field, t_row, t) != got) {
            rc = diag_add(d, path, (long)t->n + 1, "not valid CSV (%s)", csv_strerror(csv_error(&p)));
            break;
        }
    if (!rc && ferror(f))
        rc = diag_add(d, path, 0, "cannot read: %s", strerror(errno));
    if (!rc && csv_fini(&p, t_field, t_row, t) != 0)
        rc = diag_add(d, path, (long)t->n + 1, "not valid CSV (%s)", csv_strerror(csv_error(&p)));
    csv_free(&p);
    fclose(f);
    if (!rc && t->oom)
        rc = diag_add(d, NULL, 0, "out of memory reading %s", path);
    if (rc)
        table_free(t);
    return rc;
}

/* A number field: "NA" is NaN.  0, or -1 when it is not a number. */
static int num(const char *s, double *v)
{
    if (strcmp(s, "NA") == 0) {
        *v = NAN;
        return 0;
    }
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return *s && !*end && errno == 0 ? 0 : -1;
}

/* ---- what is plotted ------------------------------------------------------- */

struct series {                           /* one metric's figure */
    char name[128];                       /* metric, as in the files */
    char file[128];                       /* its file name stem (safe characters) */
    double *x, *mean, *lo, *hi;
    size_t *n;
    size_t len;
};

struct plot {
    const char *dir;
    int sweep;
    char xlabel[256];
    struct series *s;
    size_t ns;
    struct table sum;                     /* summary.csv (a run), or the points (a sweep) */
    size_t npath;                         /* a sweep's PATH columns */
};

static void series_free(struct plot *p)
{
    for (size_t i = 0; i < p->ns; i++) {
        free(p->s[i].x);
        free(p->s[i].mean);
        free(p->s[i].lo);
        free(p->s[i].hi);
        free(p->s[i].n);
    }
    free(p->s);
    table_free(&p->sum);
}

static int series_alloc(struct series *s, const char *name, size_t len)
{
    snprintf(s->name, sizeof s->name, "%s", name);
    size_t k = 0;
    for (const char *c = name; *c && k + 1 < sizeof s->file; c++)
        s->file[k++] = (char)((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
                                      || *c == '_' || *c == '-' ? *c : '_');
    s->file[k] = '\0';
    s->len = len;
    s->x = calloc(len + 1, sizeof *s->x);
    s->mean = calloc(len + 1, sizeof *s->mean);
    s->lo = calloc(len + 1, sizeof *s->lo);
    s->hi = calloc(len + 1, sizeof *s->hi);
    s->n = calloc(len + 1, sizeof *s->n);
    return s->x && s->mean && s->lo && s->hi && s->n ? 0 : -1;
}

/* A row of a run's file, for grouping: by metric (first-seen order),
 * acquisition, replication. */
struct key {
    uint32_t metric, acq, rep;
    size_t row;
};

static int by_key(const void *x, const void *y)
{
    const struct key *a = x, *b = y;
    if (a->metric != b->metric)
        return a->metric < b->metric ? -1 : 1;
    if (a->acq != b->acq)
        return a->acq < b->acq ? -1 : 1;
    if (a->rep != b->rep)
        return a->rep < b->rep ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* A run: per metric and acquisition, the statistics over replications. */
static int load_run(struct plot *p, const char *path, struct table *t, struct diag *d)
{
    if (t->n < 1 || t->ncols[0] != 5 || strcmp(t->rows[0][0], "replication") != 0)
        return diag_add(d, path, 1, "expected the header replication,acquisition,day,metric,value");
    struct results r;
    results_init(&r);
    uint32_t nrep = 0;
    int rc = 0;
    for (size_t i = 1; i < t->n && !rc; i++) {
        double rep, acq, day, value;
        if (t->ncols[i] != 5 || num(t->rows[i][0], &rep) || num(t->rows[i][1], &acq) || num(t->rows[i][2], &day)
            || num(t->rows[i][4], &value) || !(rep >= 1 && rep <= 1e7 && rep == floor(rep))
            || !(acq >= 1 && acq <= 1e6 && acq == floor(acq)) || isnan(day)) {
            rc = diag_add(d, path, (long)i + 1, "expected replication (from 1), acquisition (from 1), day, "
                          "metric, value");
            break;
        }
        if (results_add(&r, (uint32_t)rep - 1, (uint32_t)acq, day, t->rows[i][3], value))
            rc = diag_add(d, NULL, 0, "out of memory");
        nrep = (uint32_t)rep > nrep ? (uint32_t)rep : nrep;
    }
    if (!rc && r.nmetrics == 0)
        rc = diag_add(d, path, 0, "no metric values to plot");
    /* the rows grouped by (metric, acquisition), one sort for all */
    struct key *ord = NULL;
    double *v = NULL;
    if (!rc && (!(p->s = calloc(r.nmetrics, sizeof *p->s)) || !(ord = malloc(r.n * sizeof *ord))
                || !(v = malloc(nrep * sizeof *v))))
        rc = diag_add(d, NULL, 0, "out of memory");
    if (!rc) {
        for (size_t i = 0; i < r.n; i++)
            ord[i] = (struct key){ r.rows[i].metric, r.rows[i].acq, r.rows[i].rep, i };
        qsort(ord, r.n, sizeof *ord, by_key);
    }
    for (size_t lo = 0; !rc && lo < r.n;) {        /* one metric: ord[lo, hi) */
        size_t hi = lo;
        while (hi < r.n && ord[hi].metric == ord[lo].metric)
            hi++;
        struct series *s = &p->s[p->ns++];
        if (series_alloc(s, r.metrics[ord[lo].metric], hi - lo)) {
            rc = diag_add(d, NULL, 0, "out of memory");
            break;
        }
        size_t len = 0;
        for (size_t g = lo; g < hi && !rc;) {      /* one acquisition: ord[g, e) */
            size_t e = g, nv = 0;
            double dsum = 0;
            for (; e < hi && ord[e].acq == ord[g].acq; e++) {
                if (e > g && ord[e].rep == ord[e - 1].rep) {
                    rc = diag_add(d, path, (long)ord[e].row + 2, "a second value of %s for replication %u, "
                                  "acquisition %u", s->name, ord[e].rep + 1, ord[e].acq);
                    break;
                }
                v[nv++] = r.rows[ord[e].row].value;
                dsum += r.rows[ord[e].row].day;
            }
            struct results_stat st = results_stat_of(v, nv);
            s->x[len] = dsum / (double)(e - g);
            s->mean[len] = st.mean;
            s->lo[len] = st.lo;
            s->hi[len] = st.hi;
            s->n[len] = st.n;
            len++;
            g = e;
        }
        s->len = len;
        lo = hi;
    }
    free(ord);
    free(v);
    results_destroy(&r);
    snprintf(p->xlabel, sizeof p->xlabel, "day of the acquisition");
    return rc;
}

/* A sweep: per metric, its row of statistics at each point. */
static int load_sweep(struct plot *p, const char *path, struct table *t, struct diag *d)
{
    if (t->n < 2 || strcmp(t->rows[0][0], "point") != 0)
        return diag_add(d, path, 1, "expected the header point,PATH...,METRIC_mean,...");
    const size_t nc = t->ncols[0];
    char **h = t->rows[0];
    size_t first = 1;                             /* first metric column */
    while (first < nc) {
        size_t l = strlen(h[first]);
        if (l > 5 && strcmp(h[first] + l - 5, "_mean") == 0)
            break;
        first++;
    }
    if (first == nc || (nc - first) % 5 != 0)
        return diag_add(d, path, 1, "expected five columns per metric (_mean, _sd, _ci95_low, _ci95_high, _n)");
    p->npath = first - 1;
    for (size_t i = 1; i < t->n; i++)
        if (t->ncols[i] != nc)
            return diag_add(d, path, (long)i + 1, "%zu fields, the header has %zu", t->ncols[i], nc);
    /* x: the one numeric PATH column that varies, or the point number */
    long xcol = -1;
    for (size_t c = 1; c < first; c++) {
        int varies = 0, numeric = 1;
        for (size_t i = 1; i < t->n; i++) {
            double v;
            numeric &= num(t->rows[i][c], &v) == 0 && !isnan(v);
            varies |= strcmp(t->rows[i][c], t->rows[1][c]) != 0;
        }
        if (varies) {
            xcol = numeric && xcol == -1 ? (long)c : -2;
            if (!numeric)
                xcol = -2;
        }
    }
    if (xcol < 0)
        xcol = 0;
    snprintf(p->xlabel, sizeof p->xlabel, "%s", xcol ? h[xcol] : "point");
    size_t nm = (nc - first) / 5;
    if (!(p->s = calloc(nm, sizeof *p->s)))
        return diag_add(d, NULL, 0, "out of memory");
    for (size_t m = 0; m < nm; m++) {
        size_t c = first + 5 * m;
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(strlen(h[c]) - 5), h[c]);
        struct series *s = &p->s[p->ns++];
        if (series_alloc(s, name, t->n - 1))
            return diag_add(d, NULL, 0, "out of memory");
        for (size_t i = 1; i < t->n; i++) {
            double x, mean, lo, hi, n;
            if (num(t->rows[i][(size_t)xcol], &x) || num(t->rows[i][c], &mean) || num(t->rows[i][c + 2], &lo)
                || num(t->rows[i][c + 3], &hi) || num(t->rows[i][c + 4], &n))
                return diag_add(d, path, (long)i + 1, "expected numbers (or NA) for %s", name);
            s->x[i - 1] = x;
            s->mean[i - 1] = mean;
            s->lo[i - 1] = lo;
            s->hi[i - 1] = hi;
            s->n[i - 1] = isnan(n) ? 0 : (size_t)n;
        }
    }
    return 0;
}

/* ---- writing ----------------------------------------------------------- */

static int fill_series(FILE *f, const void *ctx)
{
    const struct series *s = ctx;
    int bad = results_csv_text(f, "x") | results_csv_sep(f) | results_csv_text(f, "mean") | results_csv_sep(f)
              | results_csv_text(f, "ci95_low") | results_csv_sep(f) | results_csv_text(f, "ci95_high")
              | results_csv_sep(f) | results_csv_text(f, "n") | results_csv_end(f);
    for (size_t i = 0; i < s->len; i++)
        bad |= results_csv_num(f, s->x[i]) | results_csv_sep(f) | results_csv_num(f, s->mean[i])
               | results_csv_sep(f) | results_csv_num(f, s->lo[i]) | results_csv_sep(f)
               | results_csv_num(f, s->hi[i]) | results_csv_sep(f) | results_csv_uint(f, s->n[i])
               | results_csv_end(f);
    return bad ? -1 : 0;
}

/* A gnuplot string literal: single quotes, '' for a quote. */
static void gp_string(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

static int fill_script(FILE *f, const void *ctx)
{
    const struct plot *p = ctx;
    fprintf(f, "# drawn by exposim plot: gnuplot plots.gp (in this directory)\n"
               "set datafile separator ','\nset datafile missing 'NA'\nset key off\nset grid\n"
               );
    fprintf(f, "set xlabel ");
    gp_string(f, p->xlabel);
    fprintf(f, "\n");
    for (size_t i = 0; i < p->ns; i++) {
        const struct series *s = &p->s[i];
        /* a constant series gets a range of its own (gnuplot would warn) */
        double lo = INFINITY, hi = -INFINITY;
        for (size_t j = 0; j < s->len; j++) {
            const double v[3] = { s->mean[j], s->lo[j], s->hi[j] };
            for (int k = 0; k < 3; k++)
                if (!isnan(v[k])) {
                    lo = v[k] < lo ? v[k] : lo;
                    hi = v[k] > hi ? v[k] : hi;
                }
        }
        if (lo <= hi && hi - lo <= 1e-12 * (fabs(hi) > 1 ? fabs(hi) : 1)) {
            double pad = 0.05 * (fabs(hi) > 1 ? fabs(hi) : 1);
            fprintf(f, "set yrange [%.17g:%.17g]\n", lo - pad, hi + pad);
        } else {
            fprintf(f, "set autoscale y\n");
        }
        for (int svg = 0; svg < 2; svg++) {
            fprintf(f, "set terminal %s size 800,500 noenhanced\nset output '%s.%s'\nset title ",
                    svg ? "svg" : "pngcairo", s->file, svg ? "svg" : "png");
            gp_string(f, s->name);
            fprintf(f, "\nset ylabel ");
            gp_string(f, p->sweep ? "mean over replications (bars: 95% interval)"
                                  : "mean over replications (band: 95% interval)");
            if (p->sweep)
                fprintf(f, "\nplot '%s.csv' every ::1 using 1:2:3:4 with yerrorbars lc rgb '#1f77b4' pt 7, "
                           "'' every ::1 using 1:2 with lines lc rgb '#1f77b4'\n", s->file);
            else
                fprintf(f, "\nplot '%s.csv' every ::1 using 1:3:4 with filledcurves lc rgb '#c6dbef', "
                           "'' every ::1 using 1:2 with linespoints lc rgb '#1f77b4' pt 7\n", s->file);
        }
    }
    fprintf(f, "set output\n");
    return ferror(f) ? -1 : 0;
}

static void html_text(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
}

static void html_table(FILE *f, const struct table *t, size_t ncols)
{
    fputs("<table>\n", f);
    for (size_t r = 0; r < t->n; r++) {
        fputs("<tr>", f);
        for (size_t c = 0; c < ncols && c < t->ncols[r]; c++) {
            fputs(r ? "<td>" : "<th>", f);
            html_text(f, t->rows[r][c]);
            fputs(r ? "</td>" : "</th>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

static int fill_report(FILE *f, const void *ctx)
{
    const struct plot *p = ctx;
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>exposim: ", f);
    html_text(f, p->dir);
    fputs("</title>\n<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
          "img{max-width:100%}</style></head><body>\n<h1>", f);
    html_text(f, p->dir);
    fputs("</h1>\n", f);
    if (p->sweep) {
        fputs("<p>A sweep: each figure gives a metric's mean over replications at each point (its last value "
              "in each replication), with the Student-t 95% interval (sweep-summary.csv).</p>\n<h2>Points</h2>\n", f);
        html_table(f, &p->sum, 1 + p->npath);
    } else {
        fputs("<p>A run: each figure gives a metric's mean over replications after each acquisition, with the "
              "Student-t 95% interval; the last point is summary.csv's row.</p>\n", f);
        if (p->sum.n) {
            fputs("<h2>Summary (summary.csv)</h2>\n", f);
            html_table(f, &p->sum, 6);
        }
    }
    fputs("<h2>Figures</h2>\n", f);
    for (size_t i = 0; i < p->ns; i++) {
        fputs("<h3>", f);
        html_text(f, p->s[i].name);
        fprintf(f, "</h3>\n<p><img src=\"figures/%s.svg\" alt=\"", p->s[i].file);
        html_text(f, p->s[i].name);
        fprintf(f, "\"> (<a href=\"figures/%s.png\">PNG</a>, <a href=\"figures/%s.csv\">numbers</a>)</p>\n",
                p->s[i].file, p->s[i].file);
    }
    fputs("</body></html>\n", f);
    return ferror(f) ? -1 : 0;
}

/* Run gnuplot on plots.gp in dir.  0, or -1 with a diagnostic. */
static int run_gnuplot(const char *dir, struct diag *d)
{
    pid_t pid = fork();
    if (pid < 0)
        return diag_add(d, NULL, 0, "cannot start gnuplot: %s", strerror(errno));
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(126);
        execlp("gnuplot", "gnuplot", "plots.gp", (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return diag_add(d, NULL, 0, "waiting for gnuplot: %s", strerror(errno));
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        return diag_add(d, NULL, 0, "gnuplot is not installed (make deps installs gnuplot-nox)");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return diag_add(d, NULL, 0, "gnuplot failed drawing %s/plots.gp", dir);
    return 0;
}

/* Remove the files in dir (no subdirectories are made), then dir. */
static void remove_dir(const char *dir)
{
    DIR *dp = opendir(dir);
    if (dp) {
        char path[4096];
        for (struct dirent *e; (e = readdir(dp));)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
                snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
                unlink(path);
            }
        closedir(dp);
    }
    rmdir(dir);
}

int plot_results(const char *dir, int quiet, struct diag *d)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return diag_add(d, dir, 0, "not a directory"), 2;
    struct plot p;
    memset(&p, 0, sizeof p);
    p.dir = dir;
    char path[4096], tmp[4096], figs[4096], old[4096];
    struct table t;
    snprintf(path, sizeof path, "%s/timeseries.csv", dir);
    int r = table_read(path, &t, d);
    if (r == 1) {
        snprintf(path, sizeof path, "%s/sweep-summary.csv", dir);
        r = table_read(path, &t, d);
        p.sweep = 1;
    }
    if (r == 1)
        return diag_add(d, dir, 0, "no timeseries.csv (exposim run) or sweep-summary.csv (exposim sweep) "
                        "to plot"), 2;
    if (r < 0)
        return 2;
    int rc = p.sweep ? load_sweep(&p, path, &t, d) : load_run(&p, path, &t, d);
    if (p.sweep) {
        p.sum = t;                                /* the points table */
    } else {
        table_free(&t);
        snprintf(path, sizeof path, "%s/summary.csv", dir);
        if (!rc && table_read(path, &p.sum, d) < 0)
            rc = -1;
    }
    if (rc) {
        series_free(&p);
        return 2;
    }
    /* the figures, in a directory of their own until all are drawn */
    snprintf(tmp, sizeof tmp, "%s/.figures.XXXXXX", dir);
    snprintf(figs, sizeof figs, "%s/figures", dir);
    snprintf(old, sizeof old, "%s/.figures.old.%ld", dir, (long)getpid());
    rc = 1;
    if (!mkdtemp(tmp)) {
        diag_add(d, dir, 0, "cannot write here: %s", strerror(errno));
        series_free(&p);
        return 1;
    }
    mode_t mask = umask(0);                       /* figures/ as mkdir would make it */
    umask(mask);
    chmod(tmp, 0777 & ~mask);
    int ok = 1;
    for (size_t i = 0; ok && i < p.ns; i++) {
        char name[160];
        snprintf(name, sizeof name, "%s.csv", p.s[i].file);
        ok = results_write_atomic(tmp, name, fill_series, &p.s[i], d) == 0;
    }
    ok = ok && results_write_atomic(tmp, "plots.gp", fill_script, &p, d) == 0;
    ok = ok && run_gnuplot(tmp, d) == 0;
    if (ok) {
        int had = stat(figs, &sb) == 0;
        if (had && rename(figs, old) != 0) {
            diag_add(d, figs, 0, "cannot replace: %s", strerror(errno));
            ok = 0;
        } else if (rename(tmp, figs) != 0) {
            diag_add(d, figs, 0, "cannot write: %s", strerror(errno));
            if (had)
                rename(old, figs);
            ok = 0;
        } else if (had) {
            remove_dir(old);                /* the old figures, whatever files they hold */
        }
    }
    if (!ok)
        remove_dir(tmp);
    if (ok && results_write_atomic(dir, "report.html", fill_report, &p, d) == 0) {
        rc = 0;
        if (!quiet)
            printf("figures: %s/figures/ (%zu metrics, PNG and SVG), report: %s/report.html\n", dir, p.ns, dir);
    }
    series_free(&p);
    return rc;
}
