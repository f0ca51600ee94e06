/* check_journal — the sweep journal (journal.h): the header written whole
 * and read back field for field, run lines in the documented format with
 * every value read back exactly (NaN as NA, infinities, -0, subnormals),
 * lines durable once journal_append returns (a killed writer loses
 * nothing, and its lock goes with it), a torn last line of any length
 * ignored by readers and cut off by journal_open, malformed lines refused
 * at their line, every line's checksum checked (an edited value refused),
 * and resume end to end: a torn line finished, a repeated run or the
 * journal of another sweep or shard refused. */
#define _GNU_SOURCE
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include "journal.h"
#include "suites.h"
#include "testutil.h"

static char *dir;

static void setup(void)
{
    dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
}

static void teardown(void)
{
    tu_rmtree(dir);
    free(dir);
    dir = NULL;
}

static char *in_dir(const char *name)
{
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
    return p;
}

static long long file_size(const char *path)
{
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    return (long long)sb.st_size;
}

/* A header of np points x nr replications and two parameters, with texts
 * that need quoting; the strings are the test's (static). */
static struct journal_header header(uint32_t np, uint32_t nr, char hashc)
{
    static char *paths[] = { "policy/retention@days", "a[2]@\"odd\", name" };
    static char *values[2 * 64];
    static char buf[2 * 64][32];
    ck_assert_uint_le(np, 64);
    for (uint32_t p = 0; p < np; p++) {
        snprintf(buf[2 * p], sizeof buf[0], "%u", 10 * (p + 1));
        if (p % 2)
            snprintf(buf[2 * p + 1], sizeof buf[0], "with, comma \"%u\"", p);
        else
            buf[2 * p + 1][0] = '\0';                         /* an empty value */
        values[2 * p] = buf[2 * p];
        values[2 * p + 1] = buf[2 * p + 1];
    }
    struct journal_header h = { .name = "sw.1", .shard = 1, .nshards = 1, .npoints = np, .replications = nr,
                                .nparams = 2, .paths = paths, .values = values };
    memset(h.hash, hashc, 64);
    h.hash[64] = '\0';
    return h;
}

/* Append run (p, r) with metrics names[0..n) = vals through an open journal. */
static void append_run(struct journal *j, uint32_t p, uint32_t r, const char *const *names, const double *vals,
                       size_t n)
{
    char *line;
    size_t len;
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(journal_format_run(p, r, names, vals, n, &line, &len), 0);
    ck_assert_int_eq(journal_append(j, line, len, &d), 0);
    free(line);
    diag_destroy(&d);
}

static void append_bytes(const char *path, const char *bytes, size_t len)
{
    FILE *f = fopen(path, "ab");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* A line's last field: its checksum, 8 lower-case hexadecimal digits. */
static int is_checksum(const char *s) { return strlen(s) == 8 && strspn(s, "0123456789abcdef") == 8; }

/* text with every line that is CSV sealed with its checksum, as the
 * journal writes lines (journal_format_record), so that a test of what
 * comes after the checksum check can state its lines plainly; a line that
 * is not CSV, an empty line and a line marked with a leading '~' (the mark
 * dropped) stay as they are.  Malloc'd. */
static char *seal(const char *text)
{
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    ck_assert_ptr_nonnull(f);
    for (const char *at = text; *at;) {
        const char *nl = strchr(at, '\n');
        size_t len = nl ? (size_t)(nl - at) : strlen(at);
        char *line = strndup(at, len), *path = in_dir("seal.csv"), *sealed = NULL;
        tu_write(path, line);
        struct tu_csv csv;
        size_t slen;
        if (line[0] == '~')
            memmove(line, line + 1, len);
        else if (len && tu_csv_read(path, &csv) == 0) {        /* strict: an open quote is no CSV */
            ck_assert_uint_eq(csv.nrows, 1);
            ck_assert_int_eq(journal_format_record((const char *const *)csv.rows[0], csv.nfields[0], &sealed,
                                                   &slen), 0);
            tu_csv_free(&csv);
        }
        if (sealed && nl)
            fputs(sealed, f);
        else
            fprintf(f, "%s%s", line, nl ? "\n" : "");
        free(sealed), free(line), free(path);
        at += len + (nl ? 1 : 0);
    }
    ck_assert_int_eq(fclose(f), 0);
    return out;
}

/* ---- the header ----------------------------------------------------------------- */

START_TEST(test_header_round_trip)
{
    struct journal_header h = header(5, 3, 'c');
    h.shard = 2;
    h.nshards = 3;
    struct diag d;
    diag_init(&d);
    struct journal j;
    ck_assert_int_eq(journal_read(dir, &j, &d), 1);          /* none yet: j empty */
    ck_assert_ptr_null(j.path);
    ck_assert_int_eq(j.fd, -1);
    ck_assert_uint_eq(j.nruns, 0);
    journal_destroy(&j);
    ck_assert_uint_eq(d.n, 0);

    ck_assert_int_eq(journal_create(dir, &h, &d), 0);
    char *path = in_dir(JOURNAL_NAME);
    size_t len;
    char *text = tu_slurp(path, &len);
    ck_assert_ptr_nonnull(text);
    /* the documented lines, read as CSV */
    struct tu_csv csv;
    ck_assert_int_eq(tu_csv_read(path, &csv), 0);
    const char *want[][4] = { { "exposim-sweep-journal", "2" }, { "hash", h.hash }, { "sweep", "sw.1" },
                              { "shard", "2", "3" }, { "points", "5" }, { "replications", "3" },
                              { "param", h.paths[0] }, { "param", h.paths[1] }, { "point", "0", "10", "" },
                              { "point", "1", "20", "with, comma \"1\"" } };
    const size_t nwant[] = { 2, 2, 2, 3, 2, 2, 2, 2, 4, 4 };
    ck_assert_uint_eq(csv.nrows, 10 + 3 + 1);
    for (size_t r = 0; r < 10; r++) {
        ck_assert_uint_eq(csv.nfields[r], nwant[r] + 1);       /* and the checksum */
        for (size_t f = 0; f < nwant[r]; f++)
            ck_assert_str_eq(csv.rows[r][f], want[r][f]);
        ck_assert(is_checksum(csv.rows[r][nwant[r]]));
    }
    ck_assert_uint_eq(csv.nfields[13], 2);
    ck_assert_str_eq(csv.rows[13][0], "begin");
    ck_assert(is_checksum(csv.rows[13][1]));
    tu_csv_free(&csv);
    ck_assert(len > 15 && strncmp(text + len - 15, "begin,", 6) == 0 && text[len - 1] == '\n');

    /* never replaced, and the refusal names --resume */
    ck_assert_int_eq(journal_create(dir, &h, &d), -1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.msg[0], "--resume"));
    char *again = tu_slurp(path, NULL);
    ck_assert_str_eq(again, text);
    free(again);
    /* written whole through a temporary name: nothing else is left */
    DIR *dd = opendir(dir);
    ck_assert_ptr_nonnull(dd);
    int files = 0;
    for (struct dirent *e; (e = readdir(dd));)
        if (e->d_name[0] != '.') {
            files++;
            ck_assert_str_eq(e->d_name, JOURNAL_NAME);
        }
    closedir(dd);
    ck_assert_int_eq(files, 1);

    ck_assert_int_eq(journal_read(dir, &j, &d), 0);
    ck_assert_str_eq(j.path, path);
    ck_assert_str_eq(j.h.hash, h.hash);
    ck_assert_str_eq(j.h.name, "sw.1");
    ck_assert_uint_eq(j.h.shard, 2);
    ck_assert_uint_eq(j.h.nshards, 3);
    ck_assert_uint_eq(j.h.npoints, 5);
    ck_assert_uint_eq(j.h.replications, 3);
    ck_assert_uint_eq(j.h.nparams, 2);
    for (size_t i = 0; i < 2; i++)
        ck_assert_str_eq(j.h.paths[i], h.paths[i]);
    for (size_t i = 0; i < 5 * 2; i++)
        ck_assert_str_eq(j.h.values[i], h.values[i]);
    ck_assert_uint_eq(j.nruns, 0);
    ck_assert(!j.torn);
    ck_assert_int_eq(j.valid_bytes, (long long)len);
    journal_destroy(&j);
    journal_destroy(&j);                                       /* twice is safe */
    free(text);

    /* no parameters at all */
    char *sub = in_dir("none");
    ck_assert_int_eq(mkdir(sub, 0777), 0);
    struct journal_header h0 = { .name = "n", .shard = 1, .nshards = 1, .npoints = 2, .replications = 1 };
    memset(h0.hash, 'f', 64);
    ck_assert_int_eq(journal_create(sub, &h0, &d), 0);
    ck_assert_int_eq(journal_read(sub, &j, &d), 0);
    ck_assert_uint_eq(j.h.nparams, 0);
    ck_assert_uint_eq(j.h.npoints, 2);
    journal_destroy(&j);
    ck_assert_uint_eq(d.n, 1);
    diag_destroy(&d);
    free(sub), free(path);
}
END_TEST

/* ---- run lines ------------------------------------------------------------------- */

/* The documented format, and every value back with the same bits. */
START_TEST(test_values_exact)
{
    char *line, *p = in_dir("line.csv");
    size_t len;
    const char *names[] = { "m1", "m,2" };
    const double v[] = { 0.5, NAN };
    ck_assert_int_eq(journal_format_run(3, 1, names, v, 2, &line, &len), 0);
    ck_assert_uint_eq(len, strlen(line));
    ck_assert(len && line[len - 1] == '\n' && !strchr(line, '\n')[1]);   /* one line */
    tu_write(p, line);
    struct tu_csv csv;
    ck_assert_int_eq(tu_csv_read(p, &csv), 0);
    const char *fields[] = { "run", "3", "1", "m1", "0.5", "m,2", "NA" };
    ck_assert_uint_eq(csv.nrows, 1);
    ck_assert_uint_eq(csv.nfields[0], 8);
    for (size_t f = 0; f < 7; f++)
        ck_assert_str_eq(csv.rows[0][f], fields[f]);
    ck_assert(is_checksum(csv.rows[0][7]));
    tu_csv_free(&csv);
    free(line);
    ck_assert_int_eq(journal_format_run(0, 0, names, v, 0, &line, &len), 0);   /* no metrics */
    /* CRC-32 of "3:run1:01:0" (Python: zlib.crc32(b"3:run1:01:0") = 0xb6f720e3) */
    ck_assert_str_eq(line, "run,0,0,b6f720e3\n");
    free(line), free(p);

    struct journal_header h = header(4, 100, 'a');
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(journal_create(dir, &h, &d), 0);
    struct journal j;
    ck_assert_int_eq(journal_open(dir, &j, &d), 0);
    /* the edges of the doubles, then random bit patterns */
    double special[] = { 0.0, -0.0, 0.1, 1.0 / 3, -2.0 / 3, DBL_MAX, -DBL_MAX, DBL_MIN, DBL_TRUE_MIN,
                         4.9406564584124654e-324 * 3, 1e-310, INFINITY, -INFINITY, NAN, 9007199254740993.0,
                         123456789012345678.0, 0.30000000000000004 };
    const size_t ns = sizeof special / sizeof special[0], nrand = 60 * 8;
    double *all = malloc((ns + nrand) * sizeof *all);
    ck_assert_ptr_nonnull(all);
    memcpy(all, special, sizeof special);
    gsl_rng *r = tu_rng(41);
    for (size_t i = 0; i < nrand; i++) {
        uint64_t bits;
        do {
            bits = (uint64_t)gsl_rng_get(r) << 32 | (uint64_t)gsl_rng_get(r);
            memcpy(&all[ns + i], &bits, sizeof bits);
        } while (!isfinite(all[ns + i]));
    }
    gsl_rng_free(r);
    /* names that need quoting, and a first-seen order to keep */
    const char *mnames[8] = { "edge_recall", "with,comma", "with \"quote\"", "sp ace", "x", "y", "z", "w" };
    append_run(&j, 2, 5, mnames, all, ns < 8 ? ns : 8);       /* run 0: the first 8 specials */
    size_t k = 8;
    uint32_t rep = 6;
    while (k < ns + nrand) {                                   /* the rest, 8 a line, names reversed */
        const char *rn[8];
        size_t n = ns + nrand - k < 8 ? ns + nrand - k : 8;
        for (size_t i = 0; i < n; i++)
            rn[i] = mnames[7 - i];
        append_run(&j, 1, rep++, rn, all + k, n);
        k += n;
    }
    journal_destroy(&j);

    ck_assert_int_eq(journal_read(dir, &j, &d), 0);
    ck_assert_uint_eq(j.nmetrics, 8);
    for (size_t i = 0; i < 8; i++)
        ck_assert_str_eq(j.metrics[i], mnames[i]);              /* first-seen order */
    ck_assert_uint_eq(j.runs[0].point, 2);
    ck_assert_uint_eq(j.runs[0].rep, 5);
    ck_assert_uint_eq(j.runs[0].n, 8);
    size_t idx = 0;
    for (size_t q = 0; q < j.nruns; q++) {
        const struct journal_run *run = &j.runs[q];
        ck_assert_uint_eq(run->first, idx);
        if (q) {
            ck_assert_uint_eq(run->point, 1);
            ck_assert_uint_eq(run->rep, 6 + q - 1);
        }
        for (uint32_t i = 0; i < run->n; i++, idx++) {
            double want = all[idx], got = j.vals[run->first + i];
            if (isnan(want))
                FAST(isnan(got));
            else
                ck_assert_msg(same_bits(got, want), "value %zu: %.17g read back as %.17g", idx, want, got);
            const char *name = q ? mnames[7 - i] : mnames[i];
            FAST(strcmp(j.metrics[j.mids[run->first + i]], name) == 0);
        }
    }
    ck_assert_uint_eq(idx, ns + nrand);
    ck_assert_uint_eq(j.nvals, ns + nrand);
    journal_destroy(&j);
    ck_assert_uint_eq(d.n, 0);
    diag_destroy(&d);
    free(all);
}
END_TEST

/* ---- durability and the lock ---------------------------------------------------------- */

/* A writer killed right after journal_append returned has lost nothing;
 * while it holds the journal nobody else may open it for appending (but
 * anybody may read it), and its lock goes when it is killed. */
START_TEST(test_durable_and_locked)
{
    struct journal_header h = header(2, 200, 'b');
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(journal_create(dir, &h, &d), 0);
    int ready[2], go[2];
    ck_assert_int_eq(pipe(ready), 0);
    ck_assert_int_eq(pipe(go), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct journal cj;
        struct diag cd;
        diag_init(&cd);
        if (journal_open(dir, &cj, &cd) != 0)
            _exit(3);
        const char *names[] = { "m" };
        for (uint32_t r = 0; r < 150; r++) {
            double v = r + 0.25;
            char *line;
            size_t len;
            if (journal_format_run(r % 2, r, names, &v, 1, &line, &len) || journal_append(&cj, line, len, &cd))
                _exit(4);
            free(line);
        }
        char c = 'r';
        if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(5);
        raise(SIGKILL);                      /* no cleanup of any kind */
        _exit(6);
    }
    char c;
    ck_assert_int_eq(read(ready[0], &c, 1), 1);
    struct journal j;
    ck_assert_int_eq(journal_open(dir, &j, &d), JOURNAL_BUSY);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.msg[0], "in use by another exposim process"));
    ck_assert_int_eq(journal_read(dir, &j, &d), 0);           /* reading takes no lock */
    ck_assert_uint_eq(j.nruns, 150);
    journal_destroy(&j);
    ck_assert_int_eq(write(go[1], "g", 1), 1);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    ck_assert_int_eq(journal_open(dir, &j, &d), 0);            /* the lock went with the process */
    ck_assert_uint_eq(j.nruns, 150);
    for (size_t q = 0; q < 150; q++) {
        FAST_EQ(j.runs[q].rep, q);
        FAST(j.vals[j.runs[q].first] == (double)q + 0.25);
    }
    journal_destroy(&j);
    ck_assert_uint_eq(d.n, 1);
    diag_destroy(&d);
    close(ready[0]), close(ready[1]), close(go[0]), close(go[1]);
}
END_TEST

/* ---- torn lines -------------------------------------------------------------------------- */

/* A kill mid-write leaves a prefix of the last line, of any length:
 * journal_read ignores it (torn, valid_bytes up to the last newline);
 * journal_open cuts it off; the run written again is read with its exact
 * values.  Some prefixes parse as a whole line ("run,1,0,m,0.1" of
 * "0.1234..."), which is why a line counts only with its newline. */
START_TEST(test_torn_any_length)
{
    const char *names[] = { "metric_a", "b" };
    const double v0[] = { 0.75, 2 }, v1[] = { 0.12345678901234566, -7e-300 };
    char *good, *torn;
    size_t lgood, ltorn;
    ck_assert_int_eq(journal_format_run(0, 0, names, v0, 2, &good, &lgood), 0);
    ck_assert_int_eq(journal_format_run(1, 2, names, v1, 2, &torn, &ltorn), 0);
    char *path = in_dir(JOURNAL_NAME);
    struct journal_header h = header(2, 3, 'd');
    struct diag d;
    diag_init(&d);
    for (size_t cut = 1; cut < ltorn; cut++) {
        unlink(path);
        ck_assert_int_eq(journal_create(dir, &h, &d), 0);
        append_bytes(path, good, lgood);
        long long whole = file_size(path);
        append_bytes(path, torn, cut);
        struct journal j;
        ck_assert_int_eq(journal_read(dir, &j, &d), 0);
        FAST(j.torn);
        FAST_EQ(j.valid_bytes, whole);
        FAST_EQ(j.nruns, 1);
        FAST(j.vals[0] == 0.75 && j.vals[1] == 2);
        journal_destroy(&j);
        FAST_EQ(file_size(path), whole + (long long)cut);     /* a reader changes nothing */

        ck_assert_int_eq(journal_open(dir, &j, &d), 0);
        FAST(!j.torn);
        FAST_EQ(j.nruns, 1);
        FAST_EQ(file_size(path), whole);                       /* cut off */
        append_run(&j, 1, 2, names, v1, 2);
        journal_destroy(&j);
        ck_assert_int_eq(journal_read(dir, &j, &d), 0);
        FAST(!j.torn);
        FAST_EQ(j.nruns, 2);
        FAST_EQ(j.runs[1].point, 1);
        FAST_EQ(j.runs[1].rep, 2);
        FAST(same_bits(j.vals[2], v1[0]) && same_bits(j.vals[3], v1[1]));
        journal_destroy(&j);
    }
    /* a malformed last line without its newline is torn too, not an error */
    unlink(path);
    ck_assert_int_eq(journal_create(dir, &h, &d), 0);
    append_bytes(path, "run,9,9,\"x", 10);
    struct journal j;
    ck_assert_int_eq(journal_read(dir, &j, &d), 0);
    ck_assert(j.torn);
    ck_assert_uint_eq(j.nruns, 0);
    journal_destroy(&j);
    ck_assert_uint_eq(d.n, 0);
    diag_destroy(&d);
    free(good), free(torn), free(path);
}
END_TEST

/* ---- malformed journals ----------------------------------------------------------------- */

/* dir/sweep.journal holding `text`: journal_read and journal_open refuse it
 * with "PATH:LINE: ...expect...", leave j empty and the file as it was. */
static void expect_malformed(const char *text, long line, const char *expect)
{
    char *path = in_dir(JOURNAL_NAME), *sealed = seal(text);
    unlink(path);
    tu_write(path, sealed);
    char *prefix;
    ck_assert_int_ge(line ? asprintf(&prefix, "%s:%ld: ", path, line) : asprintf(&prefix, "%s: ", path), 0);
    for (int open = 0; open < 2; open++) {
        struct diag d;
        diag_init(&d);
        struct journal j;
        int rc = open ? journal_open(dir, &j, &d) : journal_read(dir, &j, &d);
        ck_assert_msg(rc == -1, "%s accepted:\n%s", open ? "journal_open" : "journal_read", text);
        ck_assert_uint_eq(d.n, 1);
        ck_assert_msg(strncmp(d.msg[0], prefix, strlen(prefix)) == 0 && strstr(d.msg[0], expect),
                      "want '%s...%s', got '%s'", prefix, expect, d.msg[0]);
        ck_assert_ptr_null(j.path);
        ck_assert_uint_eq(j.nruns, 0);
        ck_assert_int_eq(j.fd, -1);
        diag_destroy(&d);
    }
    ck_assert_int_eq(file_size(path), (long long)strlen(sealed));
    free(prefix), free(path), free(sealed);
}

#define HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEAD "exposim-sweep-journal,2\nhash," HASH "\nsweep,s\nshard,1,1\npoints,2\nreplications,2\n" \
             "param,a@b\npoint,0,1\npoint,1,2\nbegin\n"

START_TEST(test_malformed)
{
    /* the header: lines 1 to 10 */
    expect_malformed("", 0, "not a sweep journal");
    expect_malformed("exposim-sweep-journal,3\nbegin\n", 1, "another format version");
    expect_malformed("exposim-sweep-journal,1\nbegin\n", 1, "another format version");
    expect_malformed("sweep,s\n", 1, "not a sweep journal");
    expect_malformed("exposim-sweep-journal,2\nhash,abc\n", 2, "malformed journal header line");
    expect_malformed("exposim-sweep-journal,2\nhash," HASH "\nsweep,s\nshard,2,1\n", 4, "malformed journal header");
    expect_malformed("exposim-sweep-journal,2\nhash," HASH "\nsweep,s\nshard,1,1\npoints,2\nreplications,0\n", 6,
                     "malformed journal header");
    expect_malformed("exposim-sweep-journal,2\nhash," HASH "\nsweep,s\nshard,1,1\npoints,2\nreplications,2\n"
                     "param,a@b\npoint,0,1\nbegin\n", 9, "incomplete journal header");
    expect_malformed("exposim-sweep-journal,2\nhash," HASH "\nsweep,s\nshard,1,1\npoints,2\nreplications,2\n"
                     "param,a@b\npoint,1,1\n", 8, "malformed journal header");       /* points in order */
    expect_malformed("exposim-sweep-journal,2\nhash," HASH "\nsweep,s\nshard,1,1\npoints,2\nreplications,2\n"
                     "param,a@b\npoint,0,1,2\n", 8, "malformed journal header");     /* one value per param */
    expect_malformed("exposim-sweep-journal,2\nhash," HASH "\nsweep,s\nshard,1,1\npoints,2\nreplications,2\n"
                     "run,0,0\n", 7, "malformed journal header");                    /* a run before begin */
    expect_malformed("exposim-sweep-journal,2\nhash," HASH "\nsweep,s\n", 0, "header is incomplete");
    /* the runs: line 11 on */
    expect_malformed(HEAD "run,0,0,m,1\nrun,2,0,m,1\n", 12, "outside the sweep");
    expect_malformed(HEAD "run,0,2,m,1\n", 11, "outside the sweep");
    expect_malformed(HEAD "run,0,0,m,1\nrun,0,1,m\nrun,1,0,m,1\n", 12, "malformed run line");
    expect_malformed(HEAD "run,-1,0,m,1\n", 11, "malformed run line");
    expect_malformed(HEAD "run,0x1,0,m,1\n", 11, "malformed run line");
    expect_malformed(HEAD "run,0,0,m,abc\n", 11, "malformed metric");
    expect_malformed(HEAD "run,0,0,m,1.5x\n", 11, "malformed metric");
    expect_malformed(HEAD "run,0,0,,1\n", 11, "malformed metric");
    expect_malformed(HEAD "run,0,0,m,1\npoint,0,1\n", 12, "unexpected line");
    /* Regression: a whole line with a quote left open was read as if the
     * journal ended there (csv_fini's error was ignored), and journal_open
     * appended the next runs inside that quoted field; an empty line was
     * skipped silently; "not valid CSV" named the line before the bad one,
     * and every line number after an empty line was one short. */
    expect_malformed(HEAD "run,0,0,m,1\nrun,0,1,\"m,1\n", 12, "not valid CSV");
    expect_malformed(HEAD "run,0,0,m,1\nrun,0,1,\"m,1\n~run,1,0,m,1\n", 12, "not valid CSV");
    expect_malformed(HEAD "run,0,0,m\"x\",1\n", 11, "not valid CSV");
    expect_malformed(HEAD "run,0,0,m,1\nrun,0,1,m,1\nrun,1,\"0,m,1\n", 13, "not valid CSV");
    expect_malformed(HEAD "run,0,0,m,1\n\nrun,0,1,m,1\n", 12, "empty line");
    expect_malformed(HEAD "\nrun,0,0,m,1\n", 11, "empty line");
    expect_malformed("exposim-sweep-journal,2\n\nhash," HASH "\n", 2, "empty line");
}
END_TEST

/* Every journal line carries its checksum: a value edited by hand (or a
 * damaged block) is refused at its line, never taken in on resume or
 * merge (it was); a journal of format 1, a hash that is not hexadecimal
 * and a FIFO in the journal's place are refused too. */
START_TEST(test_checksums)
{
    char *paths[] = { "a@x" }, *values[] = { "1", "2" };
    struct journal_header h = { .name = "j", .shard = 1, .nshards = 1, .npoints = 2, .replications = 1,
                                .nparams = 1, .paths = paths, .values = values };
    memset(h.hash, 'b', 64);
    h.hash[64] = '\0';
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(journal_create(dir, &h, &d), 0);
    struct journal j;
    ck_assert_int_eq(journal_open(dir, &j, &d), 0);
    const char *names[] = { "m" };
    double v[] = { 0.25 };
    char *line;
    size_t len;
    ck_assert_int_eq(journal_format_run(1, 0, names, v, 1, &line, &len), 0);
    /* CRC-32 of "3:run1:11:01:m4:0.25" (Python: zlib.crc32(...) = 0x667fb6e8) */
    ck_assert_str_eq(line, "run,1,0,\"m\",0.25,667fb6e8\n");
    ck_assert_int_eq(journal_append(&j, line, len, &d), 0);
    free(line);
    journal_destroy(&j);
    char *jp;
    ck_assert_int_ge(asprintf(&jp, "%s/sweep.journal", dir), 0);
    size_t n;
    char *good = tu_slurp(jp, &n);
    ck_assert_int_eq(journal_read(dir, &j, &d), 0);
    ck_assert_double_eq(j.vals[0], 0.25);
    journal_destroy(&j);

    static const struct {
        const char *from, *to, *want;
    } edits[] = {
        { "0.25,", "0.35,", "sweep.journal:11: the line does not match its checksum: it was changed or damaged after "
                            "it was written; refusing to use the journal" },
        { "\"2\"", "\"3\"", "sweep.journal:9: the line does not match its checksum" },
        { "667fb6e8", "667fb6e9", "sweep.journal:11: the line does not match its checksum" },
        { ",667fb6e8", "", "sweep.journal:11: the line does not match its checksum" },
        { "exposim-sweep-journal,2,", "exposim-sweep-journal,1,",
          "sweep.journal:1: a sweep journal of another format version (this exposim reads version 2)" },
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        char *at = strstr(good, edits[i].from), *text;
        ck_assert_ptr_nonnull(at);
        ck_assert_int_ge(asprintf(&text, "%.*s%s%s", (int)(at - good), good, edits[i].to, at + strlen(edits[i].from)),
                         0);
        tu_write(jp, text);
        diag_destroy(&d);
        ck_assert_int_eq(journal_read(dir, &j, &d), -1);
        ck_assert_msg(d.n == 1 && strstr(d.msg[0], edits[i].want), "edit %zu: %s", i, d.n ? d.msg[0] : "(none)");
        diag_destroy(&d);
        ck_assert_int_eq(journal_open(dir, &j, &d), -1);      /* nor resumed */
        free(text);
    }
    /* A hash of 64 characters that are not letters or digits, checksummed
     * all the same (a crafted journal: the hash goes into manifests as it
     * is): refused. */
    const char *f1[] = { "exposim-sweep-journal", "2" }, *f2[] = { "hash", "" };
    char bad[65];
    memset(bad, 'z', 64);
    bad[10] = '\001';
    bad[64] = '\0';
    f2[1] = bad;
    char *l1, *l2;
    size_t n1, n2;
    ck_assert_int_eq(journal_format_record(f1, 2, &l1, &n1), 0);
    ck_assert_int_eq(journal_format_record(f2, 2, &l2, &n2), 0);
    char *text;
    ck_assert_int_ge(asprintf(&text, "%s%s", l1, l2), 0);
    tu_write(jp, text);
    diag_destroy(&d);
    ck_assert_int_eq(journal_read(dir, &j, &d), -1);
    ck_assert_msg(strstr(d.msg[0], "sweep.journal:2: malformed journal header line"), "%s", d.msg[0]);
    diag_destroy(&d);
    unlink(jp);
    ck_assert_int_eq(mkfifo(jp, 0600), 0);
    ck_assert_int_eq(journal_read(dir, &j, &d), -1);
    ck_assert_msg(strstr(d.msg[0], "sweep.journal: not a regular file"), "%s", d.msg[0]);
    diag_destroy(&d);
    unlink(jp);
    free(text), free(l1), free(l2), free(good), free(jp);
}
END_TEST

/* journal_open of a directory without a journal is an error (it only
 * appends to a journal journal_create made). */
START_TEST(test_open_missing)
{
    struct diag d;
    diag_init(&d);
    struct journal j;
    ck_assert_int_eq(journal_open(dir, &j, &d), -1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.msg[0], "not there"));
    ck_assert_ptr_null(j.path);
    diag_destroy(&d);
}
END_TEST

/* ---- resume, through the program --------------------------------------------------------- */

static const char small_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<scenario name=\"small\">\n"
    "  <run seed=\"5\" replications=\"2\" horizon_days=\"40\"/>\n"
    "  <population size=\"150\"/>\n"
    "  <contacts><erdos_renyi mean_degree=\"6\"/></contacts>\n"
    "  <traffic rate_per_day=\"0.02\"/>\n"
    "  <policy><retention days=\"20\"/></policy>\n"
    "  <adversary><bulk_snapshot period_days=\"20\"/></adversary>\n"
    "</scenario>\n";

static const char sweep_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<sweep name=\"r\" replications=\"2\">\n"
    "  <base file=\"small.xml\"/>\n"
    "  <grid><parameter path=\"policy/retention@days\"><values>10 20</values></parameter></grid>\n"
    "</sweep>\n";

static int exposim(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int exposim(char **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *args, *out;
    ck_assert_int_ge(vasprintf(&args, fmt, ap), 0);
    va_end(ap);
    int st = tu_exposim(args, &out, err);
    free(args), free(out);
    return st;
}

/* Replace the first `from` in the file with `to` (the same length). */
static void patch(const char *path, const char *from, const char *to)
{
    size_t len;
    char *t = tu_slurp(path, &len), *at = t ? strstr(t, from) : NULL;
    ck_assert_ptr_nonnull(at);
    ck_assert_uint_eq(strlen(from), strlen(to));
    memcpy(at, to, strlen(to));
    /* sealed again: every line's checksum taken off and made anew, as if
     * the journal had been written so */
    char *plain = malloc(len + 1), *o = plain;
    ck_assert_ptr_nonnull(plain);
    for (char *l = t; *l;) {
        char *nl = strchr(l, '\n');
        size_t ll = nl ? (size_t)(nl - l) : strlen(l);
        if (ll > 9 && l[ll - 9] == ',' && strspn(l + ll - 8, "0123456789abcdef") >= 8)
            ll -= 9;
        memcpy(o, l, ll);
        o += ll;
        if (nl)
            *o++ = '\n';
        l = nl ? nl + 1 : l + strlen(l);
    }
    *o = '\0';
    char *sealed = seal(plain);
    tu_write(path, sealed);
    free(t), free(plain), free(sealed);
}

START_TEST(test_resume_end_to_end)
{
    char *base = in_dir("small.xml"), *sw = in_dir("r.xml"), *err;
    tu_write(base, small_xml);
    tu_write(sw, sweep_xml);
    ck_assert_int_eq(exposim(&err, "sweep '%s' -q -o '%s/whole'", sw, dir), 0);
    free(err);
    char *journal = in_dir("whole/" JOURNAL_NAME), *wcsv = in_dir("whole/sweep.csv");
    size_t len;
    char *text = tu_slurp(journal, &len), *whole_csv = tu_slurp(wcsv, NULL);
    ck_assert_ptr_nonnull(text);
    char *last = text + len - 1;
    while (last > text && last[-1] != '\n')
        last--;
    ck_assert(strncmp(last, "run,", 4) == 0);
    size_t llen = (size_t)(text + len - last);

    /* a kill mid-write: the last run torn; --resume runs it again, and the
     * outputs are those of the whole sweep */
    char *rdir = in_dir("resumed"), *rj = in_dir("resumed/" JOURNAL_NAME), *rcsv = in_dir("resumed/sweep.csv");
    ck_assert_int_eq(mkdir(rdir, 0777), 0);
    FILE *f = fopen(rj, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len - llen / 2, f), len - llen / 2);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(exposim(&err, "sweep '%s' -q --resume -o '%s'", sw, rdir), 0);
    free(err);
    char *rtext = tu_slurp(rj, NULL), *rcsv_text = tu_slurp(rcsv, NULL);
    ck_assert_str_eq(rtext, text);              /* the run again, byte for byte */
    ck_assert_str_eq(rcsv_text, whole_csv);
    free(rtext), free(rcsv_text);

    /* a run twice: refused at resume as bad input (status 2, as any other
     * damage), nothing written */
    append_bytes(rj, last, llen);
    ck_assert_int_eq(unlink(rcsv), 0);
    ck_assert_int_eq(exposim(&err, "sweep '%s' -q --resume -o '%s'", sw, rdir), 2);
    ck_assert_msg(strstr(err, "there twice") && strstr(err, "damaged"), "%s", err);
    free(err);
    ck_assert_int_ne(access(rcsv, F_OK), 0);

    /* the journal of another sweep (its hash) or of another shard */
    char *other = in_dir("other"), *oj = in_dir("other/" JOURNAL_NAME);
    ck_assert_int_eq(mkdir(other, 0777), 0);
    tu_write(oj, text);
    char *hash = strstr(text, "\nhash,\"") + 7, swapped[65];
    for (int i = 0; i < 64; i++)
        swapped[i] = hash[i] == '0' ? '1' : '0';
    swapped[64] = '\0';
    char was[65];
    memcpy(was, hash, 64);
    was[64] = '\0';
    patch(oj, was, swapped);
    ck_assert_int_eq(exposim(&err, "sweep '%s' -q --resume -o '%s'", sw, other), 2);
    ck_assert_msg(strstr(err, "different sweep"), "%s", err);
    free(err);
    patch(oj, swapped, was);
    patch(oj, "\nshard,1,1,", "\nshard,1,2,");
    ck_assert_int_eq(exposim(&err, "sweep '%s' -q --resume -o '%s'", sw, other), 2);
    ck_assert_msg(strstr(err, "holds shard 1/2, not 1/1"), "%s", err);
    free(err);
    ck_assert_int_eq(access(oj, F_OK), 0);              /* refused, not removed */
    free(other), free(oj);
    free(base), free(sw), free(journal), free(wcsv), free(text), free(whole_csv), free(rdir), free(rj), free(rcsv);
}
END_TEST

Suite *journal_suite(void)
{
    Suite *s = suite_create("journal");
    TCase *tc = tcase_create("file");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_header_round_trip);
    tcase_add_test(tc, test_values_exact);
    tcase_add_test(tc, test_durable_and_locked);
    tcase_add_test(tc, test_torn_any_length);
    tcase_add_test(tc, test_malformed);
    tcase_add_test(tc, test_checksums);
    tcase_add_test(tc, test_open_missing);
    tcase_add_test(tc, test_resume_end_to_end);
    suite_add_tcase(s, tc);
    return s;
}
