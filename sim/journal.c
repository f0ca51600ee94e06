/* journal — a sweep's append-only run record; see journal.h. */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>

#include "results.h"

#define MAGIC "exposim-sweep-journal"
#define VERSION "1"

void journal_header_destroy(struct journal_header *h)
{
    if (!h)
        return;
    free(h->name);
    for (size_t i = 0; h->paths && i < h->nparams; i++)
        free(h->paths[i]);
    free(h->paths);
    for (size_t i = 0; h->values && i < (size_t)h->npoints * h->nparams; i++)
        free(h->values[i]);
    free(h->values);
    memset(h, 0, sizeof *h);
}

void journal_destroy(struct journal *j)
{
    if (!j)
        return;
    if (j->fd >= 0)
        close(j->fd);
    journal_header_destroy(&j->h);
    for (size_t i = 0; i < j->nmetrics; i++)
        free(j->metrics[i]);
    free(j->metrics);
    free(j->runs);
    free(j->mids);
    free(j->vals);
    free(j->path);
    memset(j, 0, sizeof *j);
    j->fd = -1;
}

/* ---- writing -------------------------------------------------------------- */

/* A field: text through csv_fwrite (quoted), or a plain number. */
static int text(FILE *f, const char *s) { return results_csv_text(f, s); }
static int sep(FILE *f) { return results_csv_sep(f); }
static int end(FILE *f) { return results_csv_end(f); }
static int uint(FILE *f, unsigned long long v) { return results_csv_uint(f, v); }

/* A value exactly: %.17g round-trips every double; NA for NaN. */
static int exact(FILE *f, double v)
{
    if (isnan(v))
        return fputs("NA", f) == EOF ? -1 : 0;
    return fprintf(f, "%.17g", v) < 0 ? -1 : 0;
}

int journal_format_run(uint32_t point, uint32_t rep, const char *const *names, const double *vals,
                       size_t n, char **line, size_t *len)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        return -1;
    int bad = fputs("run", f) == EOF;
    bad |= sep(f) | uint(f, point) | sep(f) | uint(f, rep);
    for (size_t i = 0; i < n && !bad; i++)
        bad |= sep(f) | text(f, names[i]) | sep(f) | exact(f, vals[i]);
    bad |= end(f);
    bad |= fclose(f) != 0;
    if (bad) {
        free(buf);
        return -1;
    }
    *line = buf;
    *len = size;
    return 0;
}

static int fill_header(FILE *f, const void *ctx)
{
    const struct journal_header *h = ctx;
    int bad = fputs(MAGIC "," VERSION "\n", f) == EOF;
    bad |= fputs("hash", f) == EOF || sep(f) || text(f, h->hash) || end(f);
    bad |= fputs("sweep", f) == EOF || sep(f) || text(f, h->name) || end(f);
    bad |= fputs("shard", f) == EOF || sep(f) || uint(f, h->shard) || sep(f) || uint(f, h->nshards) || end(f);
    bad |= fputs("points", f) == EOF || sep(f) || uint(f, h->npoints) || end(f);
    bad |= fputs("replications", f) == EOF || sep(f) || uint(f, h->replications) || end(f);
    for (size_t i = 0; i < h->nparams && !bad; i++)
        bad |= fputs("param", f) == EOF || sep(f) || text(f, h->paths[i]) || end(f);
    for (uint32_t p = 0; p < h->npoints && !bad; p++) {
        bad |= fputs("point", f) == EOF || sep(f) || uint(f, p);
        for (size_t i = 0; i < h->nparams && !bad; i++)
            bad |= sep(f) || text(f, h->values[(size_t)p * h->nparams + i]);
        bad |= end(f);
    }
    bad |= fputs("begin\n", f) == EOF;
    return bad ? -1 : 0;
}

int journal_create(const char *dir, const struct journal_header *h, struct diag *d)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, JOURNAL_NAME);
    struct stat sb;
    if (stat(path, &sb) == 0)
        return diag_add(d, path, 0, "a sweep journal is already there (use --resume to continue it)");
    if (results_write_atomic(dir, JOURNAL_NAME, fill_header, h, d))
        return -1;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {                           /* make the rename durable */
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

int journal_append(struct journal *j, const char *line, size_t len, struct diag *d)
{
    /* One write(2) per line: an O_APPEND write is placed whole at the end,
     * and a kill can at worst leave a prefix of this line, which readers
     * recognise by its missing newline. */
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(j->fd, line + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return diag_add(d, j->path, 0, "cannot append: %s", strerror(w < 0 ? errno : EIO));
        done += (size_t)w;
    }
    if (fdatasync(j->fd) != 0)
        return diag_add(d, j->path, 0, "cannot flush to disk: %s", strerror(errno));
    return 0;
}

/* ---- reading -------------------------------------------------------------- */

struct reader {
    struct journal *j;
    struct diag *d;
    char **f;                         /* the current row's fields */
    size_t nf, capf;
    long line;                        /* the line the current row starts on */
    long fed;                         /* the line being parsed */
    int state;                        /* 0 magic, 1 header, 2 runs */
    uint32_t next_point;
    int failed, oom;
};

static void on_field(void *s, size_t len, void *data)
{
    struct reader *r = data;
    if (r->oom)
        return;
    if (r->nf == r->capf) {
        size_t cap = r->capf ? 2 * r->capf : 16;
        char **nf = realloc(r->f, cap * sizeof *nf);
        if (!nf) {
            r->oom = 1;
            return;
        }
        r->f = nf;
        r->capf = cap;
    }
    if (!(r->f[r->nf] = malloc(len + 1))) {
        r->oom = 1;
        return;
    }
    memcpy(r->f[r->nf], s, len);
    r->f[r->nf][len] = '\0';
    r->nf++;
}

static int bad_line(struct reader *r, const char *what)
{
    if (!r->failed)
        diag_add(r->d, r->j->path, r->line, "%s", what);
    r->failed = 1;
    return -1;
}

/* An unsigned integer field, whole. */
static int field_u(const char *s, unsigned long long max, unsigned long long *out)
{
    char *e;
    errno = 0;
    if (!*s || *s == '-')
        return -1;
    unsigned long long v = strtoull(s, &e, 10);
    if (errno || *e || v > max)
        return -1;
    *out = v;
    return 0;
}

static int field_d(const char *s, double *out)
{
    if (strcmp(s, "NA") == 0) {
        *out = NAN;
        return 0;
    }
    char *e;
    errno = 0;
    *out = strtod(s, &e);
    return !*s || *e ? -1 : 0;
}

static long intern(struct journal *j, const char *name)
{
    for (size_t i = 0; i < j->nmetrics; i++)
        if (strcmp(j->metrics[i], name) == 0)
            return (long)i;
    if (j->nmetrics == j->capmetrics) {
        size_t cap = j->capmetrics ? 2 * j->capmetrics : 16;
        char **m = realloc(j->metrics, cap * sizeof *m);
        if (!m)
            return -1;
        j->metrics = m;
        j->capmetrics = cap;
    }
    if (!(j->metrics[j->nmetrics] = strdup(name)))
        return -1;
    return (long)j->nmetrics++;
}

static int run_row(struct reader *r)
{
    struct journal *j = r->j;
    unsigned long long p, rep;
    if (r->nf < 3 || (r->nf - 3) % 2 || field_u(r->f[1], UINT32_MAX, &p) || field_u(r->f[2], UINT32_MAX, &rep))
        return bad_line(r, "malformed run line");
    if (p >= j->h.npoints || rep >= j->h.replications)
        return bad_line(r, "run line names a point or replication outside the sweep");
    if (j->nruns == j->capruns) {
        size_t cap = j->capruns ? 2 * j->capruns : 256;
        struct journal_run *nr = realloc(j->runs, cap * sizeof *nr);
        if (!nr)
            return r->oom = 1, -1;
        j->runs = nr;
        j->capruns = cap;
    }
    size_t n = (r->nf - 3) / 2;
    if (j->nvals + n > j->capvals) {
        size_t cap = j->capvals ? 2 * j->capvals : 1024;
        while (cap < j->nvals + n)
            cap *= 2;
        uint32_t *m = realloc(j->mids, cap * sizeof *m);
        if (m)
            j->mids = m;
        double *v = realloc(j->vals, cap * sizeof *v);
        if (v)
            j->vals = v;
        if (!m || !v)
            return r->oom = 1, -1;
        j->capvals = cap;
    }
    struct journal_run *run = &j->runs[j->nruns];
    *run = (struct journal_run){ (uint32_t)p, (uint32_t)rep, j->nvals, (uint32_t)n };
    for (size_t i = 0; i < n; i++) {
        long id = r->f[3 + 2 * i][0] ? intern(j, r->f[3 + 2 * i]) : -2;
        if (id == -1)
            return r->oom = 1, -1;
        if (id < 0 || field_d(r->f[4 + 2 * i], &j->vals[j->nvals + i]))
            return bad_line(r, "malformed metric in a run line");
        j->mids[j->nvals + i] = (uint32_t)id;
    }
    j->nvals += n;
    j->nruns++;
    return 0;
}

static int header_row(struct reader *r)
{
    struct journal_header *h = &r->j->h;
    const char *key = r->f[0];
    unsigned long long a, b;
    if (strcmp(key, "hash") == 0 && r->nf == 2 && strlen(r->f[1]) == 64) {
        memcpy(h->hash, r->f[1], 65);
    } else if (strcmp(key, "sweep") == 0 && r->nf == 2) {
        free(h->name);
        if (!(h->name = strdup(r->f[1])))
            return r->oom = 1, -1;
    } else if (strcmp(key, "shard") == 0 && r->nf == 3 && !field_u(r->f[1], 1u << 20, &a)
               && !field_u(r->f[2], 1u << 20, &b) && a >= 1 && a <= b) {
        h->shard = (unsigned)a;
        h->nshards = (unsigned)b;
    } else if (strcmp(key, "points") == 0 && r->nf == 2 && !field_u(r->f[1], UINT32_MAX, &a) && !h->paths) {
        h->npoints = (uint32_t)a;
    } else if (strcmp(key, "replications") == 0 && r->nf == 2 && !field_u(r->f[1], UINT32_MAX, &a) && a) {
        h->replications = (uint32_t)a;
    } else if (strcmp(key, "param") == 0 && r->nf == 2 && !h->values) {
        char **np = realloc(h->paths, (h->nparams + 1) * sizeof *np);
        if (!np)
            return r->oom = 1, -1;
        h->paths = np;
        if (!(h->paths[h->nparams] = strdup(r->f[1])))
            return r->oom = 1, -1;
        h->nparams++;
    } else if (strcmp(key, "point") == 0 && r->nf == h->nparams + 2 && !field_u(r->f[1], UINT32_MAX, &a)
               && a == r->next_point && a < h->npoints) {
        if (!h->values && !(h->values = calloc((size_t)h->npoints * (h->nparams ? h->nparams : 1), sizeof *h->values)))
            return r->oom = 1, -1;
        for (size_t i = 0; i < h->nparams; i++) {
            h->values[(size_t)a * h->nparams + i] = r->f[2 + i];   /* take the string */
            r->f[2 + i] = NULL;
        }
        r->next_point++;
    } else if (strcmp(key, "begin") == 0 && r->nf == 1) {
        if (!h->hash[0] || !h->name || !h->nshards || !h->replications || r->next_point != h->npoints)
            return bad_line(r, "incomplete journal header");
        r->state = 2;
    } else {
        return bad_line(r, "malformed journal header line");
    }
    return 0;
}

static void on_row(int c, void *data)
{
    (void)c;
    struct reader *r = data;
    if (!r->failed && !r->oom) {
        if (r->state == 0) {
            if (r->nf != 2 || strcmp(r->f[0], MAGIC) != 0)
                bad_line(r, "not a sweep journal");
            else if (strcmp(r->f[1], VERSION) != 0)
                bad_line(r, "a sweep journal of another format version");
            else
                r->state = 1;
        } else if (r->state == 1)
            header_row(r);
        else if (strcmp(r->f[0], "run") == 0)
            run_row(r);
        else
            bad_line(r, "unexpected line among the runs");
    }
    for (size_t i = 0; i < r->nf; i++)
        free(r->f[i]);
    r->nf = 0;
    r->line = r->fed + 1;                     /* the next row starts on the next line */
}

/* Read the whole file behind fd and parse it into j (j->path set). */
static int parse_fd(int fd, struct journal *j, struct diag *d)
{
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc = -1;
    for (;;) {
        if (n == cap) {
            char *nb = realloc(buf, (cap = cap ? 2 * cap : 65536));
            if (!nb) {
                diag_add(d, NULL, 0, "out of memory reading %s", j->path);
                goto cleanup;
            }
            buf = nb;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            diag_add(d, j->path, 0, "cannot read: %s", strerror(errno));
            goto cleanup;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    size_t whole = n;                         /* up to and with the last newline */
    while (whole && buf[whole - 1] != '\n')
        whole--;
    j->valid_bytes = (long long)whole;
    j->torn = whole != n;
    struct reader r = { .j = j, .d = d, .line = 1 };
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        diag_add(d, NULL, 0, "out of memory");
        goto cleanup;
    }
    /* One line at a time, so that a diagnostic names the line it is about:
     * libcsv skips empty lines, which the writer never makes, and a row can
     * span lines inside quotes, which the writer never makes either. */
    for (size_t at = 0; at < whole && !r.failed && !r.oom;) {
        size_t end = at;
        while (buf[end] != '\n')
            end++;
        end++;
        r.fed++;
        if (r.line == r.fed && (end - at == 1 || (end - at == 2 && buf[at] == '\r'))) {
            bad_line(&r, "empty line");
            break;
        }
        if (csv_parse(&p, buf + at, end - at, on_field, on_row, &r) != end - at) {
            r.line = r.fed;
            bad_line(&r, "not valid CSV");
        }
        at = end;
    }
    /* A quote still open at the end: the line it opened on is not whole. */
    if (!r.failed && !r.oom && csv_fini(&p, on_field, on_row, &r) != 0)
        bad_line(&r, "not valid CSV (a quoted field is not closed)");
    csv_free(&p);
    for (size_t i = 0; i < r.nf; i++)
        free(r.f[i]);
    free(r.f);
    if (r.oom)
        diag_add(d, NULL, 0, "out of memory reading %s", j->path);
    else if (!r.failed && r.state != 2)
        diag_add(d, j->path, 0, "%s", r.state ? "the journal header is incomplete" : "not a sweep journal");
    else if (!r.failed)
        rc = 0;
cleanup:
    free(buf);
    return rc;
}

/* Open DIR/sweep.journal with `flags`: 0, 1 (none there) or -1. */
static int open_journal(const char *dir, int flags, struct journal *j, int *fd, struct diag *d)
{
    memset(j, 0, sizeof *j);
    j->fd = -1;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, JOURNAL_NAME);
    if (!(j->path = strdup(path)))
        return diag_add(d, NULL, 0, "out of memory");
    if ((*fd = open(path, flags)) < 0) {
        int err = errno;
        journal_destroy(j);
        if (err == ENOENT)
            return 1;
        return diag_add(d, path, 0, "cannot open: %s", strerror(err));
    }
    return 0;
}

int journal_read(const char *dir, struct journal *j, struct diag *d)
{
    int fd, rc = open_journal(dir, O_RDONLY, j, &fd, d);
    if (rc)
        return rc;
    rc = parse_fd(fd, j, d);
    close(fd);
    if (rc)
        journal_destroy(j);
    return rc;
}

int journal_open(const char *dir, struct journal *j, struct diag *d)
{
    int fd, rc = open_journal(dir, O_RDWR | O_APPEND, j, &fd, d);
    if (rc)
        return rc == 1 ? diag_add(d, NULL, 0, "%s/%s: not there", dir, JOURNAL_NAME) : rc;
    j->fd = fd;
    /* One writer at a time: the lock goes with the descriptor, so a killed
     * process releases it, and is taken before reading so that what is read
     * is what the holder appends to. */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        rc = errno == EWOULDBLOCK ? JOURNAL_BUSY : -1;
        if (rc == JOURNAL_BUSY)
            diag_add(d, j->path, 0, "is in use by another exposim process (a sweep still running into "
                     "this directory, or the ranks of a killed mpirun still finishing): wait for it or stop it");
        else
            diag_add(d, j->path, 0, "cannot lock: %s", strerror(errno));
        journal_destroy(j);
        return rc;
    }
    if (parse_fd(fd, j, d)) {
        journal_destroy(j);
        return -1;
    }
    if (j->torn && ftruncate(fd, (off_t)j->valid_bytes) != 0) {
        diag_add(d, j->path, 0, "cannot cut off the torn last line: %s", strerror(errno));
        journal_destroy(j);
        return -1;
    }
    j->torn = 0;
    return 0;
}
