/* journal — a sweep's append-only run record; see journal.h. */
#include "journal.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>

#include "infile.h"
#include "results.h"

#define MAGIC "exposim-sweep-journal"
#define VERSION "2"                   /* 2: every line ends with its checksum */

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

/* ---- line checksums ------------------------------------------------------- */

/* CRC-32 (IEEE 802.3, the polynomial of zip and PNG), bit by bit from a
 * table made on the stack: lines are short and written once per run. */
struct crc {
    uint32_t table[256];
    uint32_t c;
};

static void crc_init(struct crc *k)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int b = 0; b < 8; b++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        k->table[i] = c;
    }
    k->c = 0xffffffffu;
}

static void crc_bytes(struct crc *k, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    for (size_t i = 0; i < len; i++)
        k->c = k->table[(k->c ^ p[i]) & 0xff] ^ (k->c >> 8);
}

/* A field's part of its line's checksum: "LENGTH:" then its bytes, so that
 * no two different lists of fields give the same input. */
static void crc_field(struct crc *k, const char *s, size_t len)
{
    char head[32];
    int hl = snprintf(head, sizeof head, "%zu:", len);
    crc_bytes(k, head, (size_t)hl);
    crc_bytes(k, s, len);
}

static uint32_t crc_end(struct crc *k)
{
    uint32_t c = k->c ^ 0xffffffffu;
    k->c = 0xffffffffu;
    return c;
}

/* ---- writing -------------------------------------------------------------- */

/* A line of fields: each is written (text through csv_fwrite, quoted, as it
 * is: the journal keeps values exactly and is not for spreadsheets; a
 * number plainly) and added to the line's checksum, which ends the line as
 * its last field. */
struct line_writer {
    FILE *f;
    struct crc crc;
    int nfields, bad;
};

static void lw_init(struct line_writer *w, FILE *f)
{
    w->f = f;
    crc_init(&w->crc);
    w->nfields = 0;
    w->bad = 0;
}

static void lw_sep(struct line_writer *w)
{
    if (w->nfields++)
        w->bad |= fputc(',', w->f) == EOF;
}

static void lw_text(struct line_writer *w, const char *s)
{
    lw_sep(w);
    w->bad |= csv_fwrite(w->f, s, strlen(s)) != 0;
    crc_field(&w->crc, s, strlen(s));
}

static void lw_raw(struct line_writer *w, const char *s)
{
    lw_sep(w);
    w->bad |= fputs(s, w->f) == EOF;
    crc_field(&w->crc, s, strlen(s));
}

static void lw_uint(struct line_writer *w, unsigned long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", v);
    lw_raw(w, buf);
}

/* A value exactly: %.17g round-trips every double; NA for NaN. */
static void lw_exact(struct line_writer *w, double v)
{
    char buf[40];
    if (isnan(v))
        snprintf(buf, sizeof buf, "NA");
    else
        snprintf(buf, sizeof buf, "%.17g", v);
    lw_raw(w, buf);
}

/* The checksum and the newline.  0, or -1 when a write failed. */
static int lw_end(struct line_writer *w)
{
    w->bad |= fprintf(w->f, ",%08" PRIx32 "\n", crc_end(&w->crc)) < 0;
    w->nfields = 0;
    int bad = w->bad;
    w->bad = 0;
    return bad ? -1 : 0;
}

int journal_format_run(uint32_t point, uint32_t rep, const char *const *names, const double *vals,
                       size_t n, char **line, size_t *len)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        return -1;
    struct line_writer w;
    lw_init(&w, f);
    lw_raw(&w, "run");
    lw_uint(&w, point);
    lw_uint(&w, rep);
    for (size_t i = 0; i < n; i++) {
        lw_text(&w, names[i]);
        lw_exact(&w, vals[i]);
    }
    int bad = lw_end(&w);
    bad |= fclose(f) != 0;
    if (bad) {
        free(buf);
        return -1;
    }
    *line = buf;
    *len = size;
    return 0;
}

int journal_format_record(const char *const *fields, size_t n, char **line, size_t *len)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        return -1;
    struct line_writer w;
    lw_init(&w, f);
    for (size_t i = 0; i < n; i++) {
        const char *t = fields[i];
        size_t tl = strlen(t);
        if (tl && strcspn(t, ",\"\r\n") == tl && !strchr(" \t", t[0]) && !strchr(" \t", t[tl - 1]))
            lw_raw(&w, t);                    /* as the journal writes words and numbers */
        else
            lw_text(&w, t);
    }
    int bad = lw_end(&w);
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
    struct line_writer w;
    lw_init(&w, f);
    lw_raw(&w, MAGIC);
    lw_raw(&w, VERSION);
    int bad = lw_end(&w);
    lw_raw(&w, "hash");
    lw_text(&w, h->hash);
    bad |= lw_end(&w);
    lw_raw(&w, "sweep");
    lw_text(&w, h->name);
    bad |= lw_end(&w);
    lw_raw(&w, "shard");
    lw_uint(&w, h->shard);
    lw_uint(&w, h->nshards);
    bad |= lw_end(&w);
    lw_raw(&w, "points");
    lw_uint(&w, h->npoints);
    bad |= lw_end(&w);
    lw_raw(&w, "replications");
    lw_uint(&w, h->replications);
    bad |= lw_end(&w);
    for (size_t i = 0; i < h->nparams && !bad; i++) {
        lw_raw(&w, "param");
        lw_text(&w, h->paths[i]);
        bad |= lw_end(&w);
    }
    for (uint32_t p = 0; p < h->npoints && !bad; p++) {
        lw_raw(&w, "point");
        lw_uint(&w, p);
        for (size_t i = 0; i < h->nparams; i++)
            lw_text(&w, h->values[(size_t)p * h->nparams + i]);
        bad |= lw_end(&w);
    }
    lw_raw(&w, "begin");
    bad |= lw_end(&w);
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
    struct crc crc;
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
    if (strcmp(key, "hash") == 0 && r->nf == 2 && strlen(r->f[1]) == 64
        && strspn(r->f[1], "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == 64) {
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

/* Whether the row's last field is the checksum of the others; if so it
 * is dropped from the row. */
static int checksum_ok(struct reader *r)
{
    if (r->nf < 2)
        return 0;
    const char *sum = r->f[r->nf - 1];
    if (strlen(sum) != 8 || strspn(sum, "0123456789abcdef") != 8)
        return 0;
    for (size_t i = 0; i + 1 < r->nf; i++)
        crc_field(&r->crc, r->f[i], strlen(r->f[i]));
    if (crc_end(&r->crc) != (uint32_t)strtoul(sum, NULL, 16))
        return 0;
    free(r->f[--r->nf]);
    return 1;
}

static void on_row(int c, void *data)
{
    (void)c;
    struct reader *r = data;
    if (!r->failed && !r->oom) {
        if (r->state == 0 && (r->nf < 2 || strcmp(r->f[0], MAGIC) != 0))
            bad_line(r, "not a sweep journal");
        else if (r->state == 0 && strcmp(r->f[1], VERSION) != 0)
            bad_line(r, "a sweep journal of another format version (this exposim reads version " VERSION
                        "): finish that sweep with the exposim that began it, or run it again");
        else if (!checksum_ok(r))
            bad_line(r, "the line does not match its checksum: it was changed or damaged after it was "
                        "written; refusing to use the journal (run the sweep again into another directory)");
        else if (r->state == 0) {
            if (r->nf != 2)
                bad_line(r, "not a sweep journal");
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

/* Read the file behind fd, up to `size` bytes (its size when opened: a
 * sweep appending meanwhile adds whole lines after it), and parse it into
 * j (j->path set). */
static int parse_fd(int fd, long long size, struct journal *j, struct diag *d)
{
    size_t cap = (size_t)size, n = 0;
    int rc = -1;
    char *buf = malloc(cap + 1);
    if (!buf)
        return diag_add(d, j->path, 0, "out of memory reading %lld bytes", size);
    while (n < cap) {
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
    if (infile_check_text(j->path, buf, whole, d))
        goto cleanup;
    struct reader r = { .j = j, .d = d, .line = 1 };
    crc_init(&r.crc);
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

/* Open DIR/sweep.journal with `flags`: 0, 1 (none there) or -1.  Only a
 * regular file is opened (a FIFO put there would block: infile.h). */
static int open_journal(const char *dir, int flags, struct journal *j, int *fd, long long *size,
                        struct diag *d)
{
    memset(j, 0, sizeof *j);
    j->fd = -1;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, JOURNAL_NAME);
    if (!(j->path = strdup(path)))
        return diag_add(d, NULL, 0, "out of memory");
    struct stat sb;
    if ((*fd = open(path, flags | O_NONBLOCK | O_CLOEXEC)) < 0) {
        int err = errno;
        journal_destroy(j);
        if (err == ENOENT)
            return 1;
        return diag_add(d, path, 0, "cannot open: %s", strerror(err));
    }
    int fl = fcntl(*fd, F_GETFL);
    if (fstat(*fd, &sb) != 0 || !S_ISREG(sb.st_mode) || fl < 0 || fcntl(*fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        close(*fd);
        *fd = -1;
        diag_add(d, path, 0, "not a regular file: not a sweep journal");
        journal_destroy(j);
        return -1;
    }
    *size = (long long)sb.st_size;
    return 0;
}

int journal_read(const char *dir, struct journal *j, struct diag *d)
{
    int fd;
    long long size;
    int rc = open_journal(dir, O_RDONLY, j, &fd, &size, d);
    if (rc)
        return rc;
    rc = parse_fd(fd, size, j, d);
    close(fd);
    if (rc)
        journal_destroy(j);
    return rc;
}

int journal_open(const char *dir, struct journal *j, struct diag *d)
{
    int fd;
    long long size;
    int rc = open_journal(dir, O_RDWR | O_APPEND, j, &fd, &size, d);
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
    /* The size again, under the lock: what the last holder appended. */
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        diag_add(d, j->path, 0, "cannot read: %s", strerror(errno));
        journal_destroy(j);
        return -1;
    }
    if (parse_fd(fd, (long long)sb.st_size, j, d)) {
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
