/* results — metric rows, summaries and atomic CSV files; see results.h. */
#include "results.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>
#include <gsl/gsl_cdf.h>

#include "sim.h"

void results_init(struct results *r) { memset(r, 0, sizeof *r); }

void results_destroy(struct results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nmetrics; i++)
        free(r->metrics[i]);
    free(r->metrics);
    free(r->rows);
    for (size_t t = 0; t < r->ntabs; t++) {
        struct results_tab *tb = &r->tabs[t];
        for (size_t c = 0; c < tb->ncols; c++)
            free(tb->cols[c]);
        for (size_t i = 0; i < tb->n * tb->ncols; i++)
            free(tb->cells[i].text);
        free(tb->cols);
        free(tb->cells);
        free(tb->rep);
        free(tb->name);
    }
    free(r->tabs);
    results_init(r);
}

static long metric_id(struct results *r, const char *name)
{
    for (size_t i = 0; i < r->nmetrics; i++)
        if (strcmp(r->metrics[i], name) == 0)
            return (long)i;
    if (r->nmetrics == r->capmetrics) {
        size_t cap = r->capmetrics ? 2 * r->capmetrics : 16;
        char **m = realloc(r->metrics, cap * sizeof *m);
        if (!m)
            return -1;
        r->metrics = m;
        r->capmetrics = cap;
    }
    if (!(r->metrics[r->nmetrics] = strdup(name)))
        return -1;
    return (long)r->nmetrics++;
}

int results_add(struct results *r, uint32_t rep, uint32_t acq, double day,
                const char *metric, double value)
{
    long m = metric_id(r, metric);
    if (m < 0)
        return -1;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        struct results_row *rows = realloc(r->rows, cap * sizeof *rows);
        if (!rows)
            return -1;
        r->rows = rows;
        r->cap = cap;
    }
    r->rows[r->n++] = (struct results_row){ rep, acq, (uint32_t)m, day, value };
    return 0;
}

/* Table `name`, created with columns cols[0..n) when new; NULL (OOM). */
static struct results_tab *tab_of(struct results *r, const char *name, const char *const *cols, size_t n)
{
    for (size_t t = 0; t < r->ntabs; t++)
        if (strcmp(r->tabs[t].name, name) == 0)
            return &r->tabs[t];
    struct results_tab *tabs = realloc(r->tabs, (r->ntabs + 1) * sizeof *tabs);
    if (!tabs)
        return NULL;
    r->tabs = tabs;
    struct results_tab *tb = &tabs[r->ntabs];
    memset(tb, 0, sizeof *tb);
    tb->name = strdup(name);
    tb->cols = calloc(n ? n : 1, sizeof *tb->cols);
    int bad = !tb->name || !tb->cols;
    for (size_t c = 0; !bad && c < n; c++)
        bad = !(tb->cols[c] = strdup(cols[c]));
    if (bad) {
        for (size_t c = 0; tb->cols && c < n; c++)
            free(tb->cols[c]);
        free(tb->cols);
        free(tb->name);
        return NULL;
    }
    tb->ncols = n;
    r->ntabs++;
    return tb;
}

int results_table_add(struct results *r, uint32_t rep, const char *name, const char *const *cols,
                      const char *const *text, const double *num, size_t n)
{
    struct results_tab *tb = tab_of(r, name, cols, n);
    if (!tb || tb->ncols != n)
        return -1;
    if (tb->n == tb->cap) {
        size_t cap = tb->cap ? 2 * tb->cap : 64;
        uint32_t *rp = realloc(tb->rep, cap * sizeof *rp);
        if (!rp)
            return -1;
        tb->rep = rp;
        struct results_cell *c = realloc(tb->cells, cap * (n ? n : 1) * sizeof *c);
        if (!c)
            return -1;
        tb->cells = c;
        tb->cap = cap;
    }
    struct results_cell *row = &tb->cells[tb->n * n];
    for (size_t c = 0; c < n; c++) {
        row[c].num = text[c] ? 0 : num[c];
        row[c].text = NULL;
        if (text[c] && !(row[c].text = strdup(text[c]))) {
            while (c-- > 0)
                free(row[c].text);
            return -1;
        }
    }
    tb->rep[tb->n++] = rep;
    return 0;
}

struct results_stat results_stat_of(const double *v, size_t n)
{
    struct results_stat st = { NAN, NAN, NAN, NAN, 0 };
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) {
            sum += v[i];
            st.n++;
        }
    if (st.n) {
        st.mean = sum / (double)st.n;
        if (st.n > 1) {
            double ss = 0;
            for (size_t i = 0; i < n; i++)
                if (!isnan(v[i]))
                    ss += (v[i] - st.mean) * (v[i] - st.mean);
            st.sd = sqrt(ss / (double)(st.n - 1));
            double half = gsl_cdf_tdist_Pinv(0.975, (double)(st.n - 1)) * st.sd / sqrt((double)st.n);
            st.lo = st.mean - half;
            st.hi = st.mean + half;
        }
    }
    return st;
}

struct results_stat results_stat_share(const double *v, size_t n)
{
    struct results_stat st = results_stat_of(v, n);
    if (st.n < 2 || st.sd == 0)
        return st;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]) && (v[i] < 0 || v[i] > 1))
            return st;                         /* not a share: the t interval */
    /* sd > 0 with every value in [0, 1]: 0 < mean < 1 */
    double t = gsl_cdf_tdist_Pinv(0.975, (double)(st.n - 1));
    double logit = log(st.mean / (1 - st.mean));
    double half = t * st.sd / sqrt((double)st.n) / (st.mean * (1 - st.mean));
    st.lo = 1 / (1 + exp(-(logit - half)));
    st.hi = 1 / (1 + exp(-(logit + half)));
    return st;
}

void results_welch(double var_a, size_t na, double var_b, size_t nb, double diff, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (na < 2 || nb < 2)
        return;
    double qa = var_a / (double)na, qb = var_b / (double)nb, se = sqrt(qa + qb);
    if (se == 0) {
        *lo = *hi = diff;
        return;
    }
    double df = (qa + qb) * (qa + qb) / (qa * qa / (double)(na - 1) + qb * qb / (double)(nb - 1));
    double half = gsl_cdf_tdist_Pinv(0.975, df) * se;
    *lo = diff - half;
    *hi = diff + half;
}

struct results_stat results_stat_metric(const struct sim_metric_info *catalog, const char *name,
                                        const double *v, size_t n)
{
    struct sim_metric_desc m;
    if (catalog && sim_metric_describe(catalog, name, &m) == 0 && (m.flags & SIM_METRIC_SHARE))
        return results_stat_share(v, n);
    return results_stat_of(v, n);
}

struct results_stat results_summary(const struct results *r, uint32_t m, uint32_t nrep)
{
    return results_summary_at(r, m, nrep, INFINITY);    /* each replication's last value */
}

/* ---- CSV ---------------------------------------------------------------- */

int results_csv_is_number(const char *s)
{
    if (!*s || strspn(s, "0123456789+-.eE") != strlen(s))
        return 0;
    char *e;
    (void)strtod(s, &e);
    return e != s && !*e;
}

int results_csv_guarded(const char *s)
{
    if (s[0] == '\'')
        return 1;
    return s[0] && strchr("=+-@\t\r", s[0]) && !results_csv_is_number(s);
}

const char *results_csv_unguard(const char *field) { return field[0] == '\'' ? field + 1 : field; }

int results_csv_text(FILE *f, const char *s)
{
    if (!results_csv_guarded(s))
        return csv_fwrite(f, s, strlen(s)) ? -1 : 0;
    size_t len = strlen(s);
    char *g = malloc(len + 2);
    if (!g)
        return -1;
    g[0] = '\'';
    memcpy(g + 1, s, len + 1);
    int rc = csv_fwrite(f, g, len + 1) ? -1 : 0;
    free(g);
    return rc;
}
int results_csv_sep(FILE *f) { return fputc(',', f) == EOF ? -1 : 0; }
int results_csv_end(FILE *f) { return fputc('\n', f) == EOF ? -1 : 0; }

int results_csv_num(FILE *f, double v)
{
    if (isnan(v))
        return fputs("NA", f) == EOF ? -1 : 0;
    return fprintf(f, "%.10g", v) < 0 ? -1 : 0;
}

int results_csv_stat(FILE *f, const struct results_stat *st)
{
    int bad = results_csv_sep(f) | results_csv_num(f, st->mean);
    bad |= results_csv_sep(f) | results_csv_num(f, st->sd);
    bad |= results_csv_sep(f) | results_csv_num(f, st->lo);
    bad |= results_csv_sep(f) | results_csv_num(f, st->hi);
    bad |= results_csv_sep(f) | results_csv_uint(f, st->n);
    return bad ? -1 : 0;
}

int results_csv_uint(FILE *f, unsigned long long v) { return fprintf(f, "%llu", v) < 0 ? -1 : 0; }

/* ---- files -------------------------------------------------------------- */

/* Temporary files this program writes are ".NAME.PID.tmp" (results_stage_file,
 * the probe below); these are the NAMEs. */
static const char *const tmp_names[] = {
    "timeseries.csv", "summary.csv", "summary-day.csv", "manifest.xml", "population.csv", "edges.csv", "graph.graphml",
    "sweep.csv", "sweep-summary.csv", "sweep.journal", "report.html", "exposim-probe",
};

/* The length of a model table's file name (sim_table_row: [a-z0-9_]+.csv)
 * at the start of s, or 0. */
static size_t table_file_len(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");
    return n && n <= 64 && strncmp(s + n, ".csv", 4) == 0 ? n + 4 : 0;
}

/* Whether `name` is one of our temporary files, written by process *pid. */
static int tmp_file_of(const char *name, long *pid)
{
    size_t len = strlen(name);
    if (name[0] != '.' || len < 6 || strcmp(name + len - 4, ".tmp") != 0)
        return 0;
    for (size_t i = 0; i <= sizeof tmp_names / sizeof tmp_names[0]; i++) {
        /* the names above, then a model's table (results_stage_tables) */
        size_t nl = i < sizeof tmp_names / sizeof tmp_names[0] ? strlen(tmp_names[i]) : table_file_len(name + 1);
        if (nl && len > nl + 6 && (i == sizeof tmp_names / sizeof tmp_names[0]
                                   || strncmp(name + 1, tmp_names[i], nl) == 0) && name[1 + nl] == '.') {
            const char *digits = name + 2 + nl;
            size_t nd = len - 4 - (2 + nl);
            if (nd == 0 || nd > 10 || strspn(digits, "0123456789") != nd)
                return 0;
            *pid = strtol(digits, NULL, 10);
            return *pid > 0 && *pid <= 2147483647;
        }
    }
    return 0;
}

int results_clean_stale(const char *dir)
{
    DIR *dh = opendir(dir);
    int removed = 0;
    if (!dh)
        return 0;
    struct dirent *e;
    while ((e = readdir(dh))) {
        long pid;
        if (!tmp_file_of(e->d_name, &pid))
            continue;
        /* Its writer is gone (killed, or its machine's limit reached): a
         * process still alive may be about to rename it, so it is left. */
        if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char path[RESULTS_MAX_DIR + 300];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        removed += unlink(path) == 0;
    }
    closedir(dh);
    return removed;
}

void results_unprepare_dir(const char *dir, int created)
{
    char path[RESULTS_MAX_DIR + 1];
    snprintf(path, sizeof path, "%s", dir);
    for (size_t len = strlen(path); len > 1 && path[len - 1] == '/';)
        path[--len] = '\0';
    for (int i = 0; i < created; i++) {
        if (rmdir(path) != 0)
            return;
        char *slash = strrchr(path, '/');
        if (!slash || slash == path)
            return;
        while (slash > path && slash[-1] == '/')
            slash--;
        *slash = '\0';
    }
}

int results_prepare_dir(const char *dir, int *created, struct diag *d)
{
    *created = 0;
    if (!*dir)
        return diag_add(d, NULL, 0, "the output directory name is empty");
    if (strlen(dir) > RESULTS_MAX_DIR)
        return diag_add(d, NULL, 0, "the output directory name is %zu bytes long, more than %d: choose a "
                        "shorter -o", strlen(dir), RESULTS_MAX_DIR);
    char *path = strdup(dir);
    if (!path)
        return diag_add(d, NULL, 0, "out of memory");
    for (size_t len = strlen(path); len > 1 && path[len - 1] == '/';)
        path[--len] = '\0';                   /* "out/" is "out" */
    for (char *p = path + 1; ; p++) {         /* mkdir -p */
        char c = *p;
        if (c == '/' || c == '\0') {
            *p = '\0';
            struct stat sb;
            if (stat(path, &sb) != 0) {
                if (mkdir(path, 0777) == 0) {
                    ++*created;
                } else if (errno != EEXIST) {
                    diag_add(d, NULL, 0, "cannot create output directory %s: %s", path, strerror(errno));
                    char *slash = strrchr(path, '/');  /* leave nothing behind: path's parent down */
                    if (slash)
                        *slash = '\0';
                    if (slash && *created)
                        results_unprepare_dir(path, *created);
                    free(path);
                    *created = 0;
                    return -1;
                }
            } else if (!S_ISDIR(sb.st_mode)) {       /* then nothing was made here */
                diag_add(d, NULL, 0, "output path %s exists and is not a directory", path);
                free(path);
                return -1;
            }
            *p = c;
        }
        if (c == '\0')
            break;
    }
    free(path);
    char probe[RESULTS_MAX_DIR + 64];
    snprintf(probe, sizeof probe, "%s/.exposim-probe.%ld.tmp", dir, (long)getpid());
    FILE *f = fopen(probe, "w");
    if (!f) {
        diag_add(d, NULL, 0, "cannot write in output directory %s: %s", dir, strerror(errno));
        results_unprepare_dir(dir, *created);
        *created = 0;
        return -1;
    }
    fclose(f);
    unlink(probe);
    results_clean_stale(dir);
    return 0;
}

void results_stage_init(struct results_staged *s, const char *dir)
{
    memset(s, 0, sizeof *s);
    s->dir = dir;
}

int results_stage_file(struct results_staged *s, const char *name,
                       int (*fill)(FILE *f, const void *ctx), const void *ctx, struct diag *d)
{
    if (s->n == RESULTS_MAX_STAGED)
        return diag_add(d, NULL, 0, "internal error: too many staged files");
    char *tmp = s->tmp[s->n], *final = s->final[s->n];
    snprintf(final, sizeof s->final[0], "%s/%s", s->dir, name);
    snprintf(tmp, sizeof s->tmp[0], "%s/.%s.%ld.tmp", s->dir, name, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return diag_add(d, NULL, 0, "cannot write %s: %s", tmp, strerror(errno));
    /* The first failure's errno is the reason: a full disk (ENOSPC), or
     * the file size limit (EFBIG, `ulimit -f`; the program ignores
     * SIGXFSZ so that it gets the error instead of dying). */
    errno = 0;
    int bad = fill(f, ctx) != 0;
    int err = bad ? errno : 0;
    if (fflush(f) != 0 || ferror(f)) {
        bad = 1;
        err = err ? err : errno;
    }
    if (!bad && fsync(fileno(f)) != 0) {
        bad = 1;
        err = errno;
    }
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    if (bad) {
        unlink(tmp);
        return diag_add(d, NULL, 0, "cannot write %s: %s", final, strerror(err ? err : EIO));
    }
    s->n++;
    return 0;
}

int results_stage_commit(struct results_staged *s, struct diag *d)
{
    for (; s->committed < s->n; s->committed++) {
        size_t i = s->committed;
        if (rename(s->tmp[i], s->final[i]) != 0)
            return diag_add(d, NULL, 0, "cannot rename %s to %s: %s", s->tmp[i], s->final[i], strerror(errno));
    }
    return 0;
}

void results_stage_abort(struct results_staged *s)
{
    for (size_t i = s->committed; i < s->n; i++)
        unlink(s->tmp[i]);
    s->n = s->committed;
}

int results_write_atomic(const char *dir, const char *name,
                         int (*fill)(FILE *f, const void *ctx), const void *ctx,
                         struct diag *d)
{
    struct results_staged s;
    results_stage_init(&s, dir);
    if (results_stage_file(&s, name, fill, ctx, d) || results_stage_commit(&s, d)) {
        results_stage_abort(&s);
        return -1;
    }
    return 0;
}

static int fill_timeseries(FILE *f, const void *ctx)
{
    const struct results *r = ctx;
    int bad = fputs("replication,acquisition,day,metric,value\n", f) == EOF;
    for (size_t i = 0; i < r->n && !bad; i++) {
        const struct results_row *w = &r->rows[i];
        bad |= results_csv_uint(f, w->rep + 1ull) | results_csv_sep(f);
        bad |= results_csv_uint(f, w->acq) | results_csv_sep(f);
        bad |= results_csv_num(f, w->day) | results_csv_sep(f);
        bad |= results_csv_text(f, r->metrics[w->metric]) | results_csv_sep(f);
        bad |= results_csv_num(f, w->value) | results_csv_end(f);
    }
    return bad ? -1 : 0;
}

int results_write_timeseries(const struct results *r, const char *dir, struct diag *d)
{
    return results_write_atomic(dir, "timeseries.csv", fill_timeseries, r, d);
}

int results_stage_timeseries(struct results_staged *s, const struct results *r, struct diag *d)
{
    return results_stage_file(s, "timeseries.csv", fill_timeseries, r, d);
}

static int fill_tab(FILE *f, const void *ctx)
{
    const struct results_tab *tb = ctx;
    int bad = fputs("replication", f) == EOF;  /* names of [a-z0-9_] (sim_table_row) */
    for (size_t c = 0; c < tb->ncols && !bad; c++)
        bad |= results_csv_sep(f) | (fputs(tb->cols[c], f) == EOF);
    bad |= results_csv_end(f);
    for (size_t i = 0; i < tb->n && !bad; i++) {
        bad |= results_csv_uint(f, tb->rep[i] + 1ull);
        for (size_t c = 0; c < tb->ncols; c++) {
            const struct results_cell *x = &tb->cells[i * tb->ncols + c];
            bad |= results_csv_sep(f) | (x->text ? results_csv_text(f, x->text) : results_csv_num(f, x->num));
        }
        bad |= results_csv_end(f);
    }
    return bad ? -1 : 0;
}

int results_table_name_ok(const char *name)
{
    char file[80];
    if (strlen(name) > 64 || snprintf(file, sizeof file, "%s.csv", name) < 0 || table_file_len(file) != strlen(file))
        return 0;
    for (size_t i = 0; i < sizeof tmp_names / sizeof tmp_names[0]; i++)
        if (strcmp(tmp_names[i], file) == 0)
            return 0;
    return 1;
}

int results_stage_tables(struct results_staged *s, const struct results *r, struct diag *d)
{
    for (size_t t = 0; t < r->ntabs; t++) {
        char file[80];
        if (!results_table_name_ok(r->tabs[t].name))
            return diag_add(d, NULL, 0, "internal error: a model's table may not be named '%.64s'", r->tabs[t].name);
        snprintf(file, sizeof file, "%s.csv", r->tabs[t].name);
        if (r->tabs[t].n && results_stage_file(s, file, fill_tab, &r->tabs[t], d))
            return -1;
    }
    return 0;
}

int results_remove_tables(const char *dir, const char *const *tables, const struct results *r, struct diag *d)
{
    for (const char *const *t = tables; t && *t; t++) {
        int has = 0;
        for (size_t i = 0; i < r->ntabs && !has; i++)
            has = strcmp(r->tabs[i].name, *t) == 0 && r->tabs[i].n > 0;
        if (has || !results_table_name_ok(*t))
            continue;
        char path[RESULTS_MAX_DIR + 128];
        snprintf(path, sizeof path, "%s/%s.csv", dir, *t);
        if (unlink(path) != 0 && errno != ENOENT)
            return diag_add(d, NULL, 0, "cannot remove the earlier %s: %s", path, strerror(errno));
    }
    return 0;
}

struct summary_ctx {
    const struct results *r;
    uint32_t nrep;
};

static int fill_summary(FILE *f, const void *ctx)
{
    const struct summary_ctx *s = ctx;
    int bad = fputs("metric,mean,sd,ci95_low,ci95_high,n\n", f) == EOF;
    for (uint32_t m = 0; m < s->r->nmetrics && !bad; m++) {
        struct results_stat st = results_summary(s->r, m, s->nrep);
        bad |= results_csv_text(f, s->r->metrics[m]) | results_csv_stat(f, &st) | results_csv_end(f);
    }
    return bad ? -1 : 0;
}

int results_write_summary(const struct results *r, uint32_t nrep, const char *dir, struct diag *d)
{
    struct summary_ctx ctx = { r, nrep };
    return results_write_atomic(dir, "summary.csv", fill_summary, &ctx, d);
}

double results_common_day(const struct results *r, uint32_t nrep, int *differ)
{
    double lo = NAN, hi = NAN;
    double *last = malloc((nrep ? nrep : 1) * sizeof *last);
    *differ = 0;
    if (!last)
        return NAN;
    for (uint32_t i = 0; i < nrep; i++)
        last[i] = NAN;
    for (size_t i = 0; i < r->n; i++)
        if (r->rows[i].rep < nrep && !(r->rows[i].day <= last[r->rows[i].rep]))
            last[r->rows[i].rep] = r->rows[i].day;
    for (uint32_t i = 0; i < nrep; i++) {
        if (isnan(last[i]))
            continue;
        lo = isnan(lo) || last[i] < lo ? last[i] : lo;
        hi = isnan(hi) || last[i] > hi ? last[i] : hi;
    }
    free(last);
    *differ = lo < hi;
    return lo;
}

struct results_stat results_summary_at(const struct results *r, uint32_t m, uint32_t nrep, double day)
{
    struct results_stat st = { NAN, NAN, NAN, NAN, 0 };
    double *at = malloc((nrep ? nrep : 1) * sizeof *at);
    if (!at)
        return st;
    for (uint32_t i = 0; i < nrep; i++)
        at[i] = NAN;
    for (size_t i = 0; i < r->n; i++)   /* rows come in time order per replication */
        if (r->rows[i].metric == m && r->rows[i].rep < nrep && r->rows[i].day <= day)
            at[r->rows[i].rep] = r->rows[i].value;
    st = results_stat_metric(r->catalog, r->metrics[m], at, nrep);
    free(at);
    return st;
}

struct summary_day_ctx {
    const struct results *r;
    uint32_t nrep;
    double day;
};

static int fill_summary_day(FILE *f, const void *ctx)
{
    const struct summary_day_ctx *s = ctx;
    int bad = fputs("metric,day,mean,sd,ci95_low,ci95_high,n\n", f) == EOF;
    for (uint32_t m = 0; m < s->r->nmetrics && !bad; m++) {
        struct results_stat st = results_summary_at(s->r, m, s->nrep, s->day);
        bad |= results_csv_text(f, s->r->metrics[m]) | results_csv_sep(f) | results_csv_num(f, s->day);
        bad |= results_csv_stat(f, &st) | results_csv_end(f);
    }
    return bad ? -1 : 0;
}

int results_stage_summary(struct results_staged *s, const struct results *r, uint32_t nrep, struct diag *d)
{
    struct summary_ctx ctx = { r, nrep };
    if (results_stage_file(s, "summary.csv", fill_summary, &ctx, d))
        return -1;
    int differ;
    struct summary_day_ctx dc = { r, nrep, results_common_day(r, nrep, &differ) };
    return differ ? results_stage_file(s, "summary-day.csv", fill_summary_day, &dc, d) : 0;
}

/* ---- reading ------------------------------------------------------------ */

static void t_field(void *s, size_t len, void *data)
{
    struct results_table *t = data;
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
    struct results_table *t = data;
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

void results_table_free(struct results_table *t)
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

int results_table_read(const char *path, struct results_table *t, struct diag *d)
{
    memset(t, 0, sizeof *t);
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT)
            return 1;
        return diag_add(d, path, 0, "cannot read: %s", strerror(errno));
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return diag_add(d, path, 0, "not a regular file");
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        return diag_add(d, NULL, 0, "out of memory");
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
        results_table_free(t);
    return rc;
}

int results_csv_number(const char *s, double *v)
{
    if (strcmp(s, "NA") == 0) {
        *v = NAN;
        return 0;
    }
    if (strspn(s, "0123456789+-.eE") != strlen(s))
        return -1;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (errno == ERANGE && fabs(*v) <= 1)     /* underflow: a tiny number, kept as strtod rounds it */
        errno = 0;
    return *s && !*end && errno == 0 && isfinite(*v) ? 0 : -1;
}
