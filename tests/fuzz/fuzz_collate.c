/* fuzz_collate — libFuzzer target for `exposim merge` and `exposim sweep
 * --resume` on crafted result directories (make fuzz; make check replays
 * its corpus).
 *
 * An input is a multi-file text (fuzz_files.h) whose parts become shard or
 * sweep directories (s1/sweep.journal, s1/manifest.xml, s2/..., anything
 * else).  Its first byte chooses what is done:
 *   bit 0  seal: every line of each sweep.journal is read as CSV and
 *          written again with its checksum (journal_format_record), so
 *          that the fuzzer reaches past the checksums; without it, the
 *          lines are taken as they are (the checksum check is fuzzed)
 *   bit 1  merge every top-level directory of the input into out/
 *   bit 2  resume s1 with the target's own sweep (sw.xml: 2 points x 2
 *          replications of a 20-person, 4-day scenario), which runs what
 *          the journal lacks and writes the results
 *   bit 3  ... as shard 1/2
 * "@HASH@" in any part becomes that sweep's hash, so that crafted
 * journals can claim to be its.  Findings (abort): a crash, a leak or
 * undefined behaviour (ASan, UBSan), a failure without a message, and
 * result files libcsv cannot read back. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <csv.h>
#include <gsl/gsl_errno.h>
#include <libxml/parser.h>

#include "collate.h"
#include "design.h"
#include "diag.h"
#include "fuzz_files.h"
#include "journal.h"
#include "sim.h"
#include "sweep.h"
#include "world.h"

static const struct sim_model_type *const models[] = { &world_model, NULL };

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char in[256], outdir[256], sweep_file[256], hash[65];
static int seal;

static const char tiny_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<scenario name=\"tiny\">\n"
    "  <run seed=\"3\" replications=\"2\" horizon_days=\"4\"/>\n"
    "  <population size=\"20\"/>\n"
    "  <contacts><erdos_renyi mean_degree=\"3\"/></contacts>\n"
    "  <traffic rate_per_day=\"0.2\"/>\n"
    "  <policy><retention days=\"2\"/></policy>\n"
    "  <adversary><bulk_snapshot period_days=\"2\"/></adversary>\n"
    "</scenario>\n";

static const char sweep_xml[] =
    "<sweep name=\"fz\" replications=\"2\">\n"
    "  <base file=\"tiny.xml\"/>\n"
    "  <grid><parameter path=\"traffic@rate_per_day\"><values>0.1 0.2</values></parameter></grid>\n"
    "</sweep>\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    gsl_set_error_handler_off();
    const char *root = fuzz_root();
    char p[600];
    snprintf(p, sizeof p, "%s/tiny.xml", root);
    fuzz_put(p, tiny_xml, strlen(tiny_xml));
    snprintf(sweep_file, sizeof sweep_file, "%s/sw.xml", root);
    fuzz_put(sweep_file, sweep_xml, strlen(sweep_xml));
    struct design dz;
    struct diag d;
    diag_init(&d);
    if (design_load(&dz, sweep_file, &d)) {
        diag_print(&d, stderr);
        abort();
    }
    memcpy(hash, dz.hash, sizeof hash);
    design_destroy(&dz);
    diag_destroy(&d);
    snprintf(in, sizeof in, "%s/in", root);
    snprintf(outdir, sizeof outdir, "%s/out", root);
    return 0;
}

/* ---- rewriting a part ----------------------------------------------------------- */

struct fields {
    char **f;
    size_t n, cap;
};

static void on_field(void *s, size_t len, void *data)
{
    struct fields *r = data;
    if (r->n == r->cap && !(r->f = realloc(r->f, (r->cap = r->cap ? 2 * r->cap : 8) * sizeof *r->f)))
        abort();
    if (!(r->f[r->n] = malloc(len + 1)))
        abort();
    memcpy(r->f[r->n], s, len);
    r->f[r->n++][len] = '\0';
}

struct buf {
    char *p;
    size_t n, cap;
};

static void append(struct buf *b, const char *s, size_t len)
{
    if (b->n + len + 1 > b->cap && !(b->p = realloc(b->p, b->cap = 2 * (b->n + len + 1))))
        abort();
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
}

/* One line, sealed with its checksum (as written by the journal), or as
 * it is when it does not parse. */
static void seal_line(struct buf *b, const char *line, size_t len)
{
    struct fields r = { 0 };
    struct csv_parser p;
    if (csv_init(&p, CSV_APPEND_NULL))
        abort();
    int ok = csv_parse(&p, line, len, on_field, NULL, &r) == len && csv_fini(&p, on_field, NULL, &r) == 0;
    csv_free(&p);
    char *out = NULL;
    size_t olen = 0;
    if (ok && r.n && journal_format_record((const char *const *)r.f, r.n, &out, &olen) == 0) {
        append(b, out, olen);
    } else {
        append(b, line, len);
        append(b, "\n", 1);
    }
    free(out);
    for (size_t i = 0; i < r.n; i++)
        free(r.f[i]);
    free(r.f);
}

static char *rewrite(const char *name, const char *bytes, size_t len, size_t *outlen)
{
    struct buf b = { 0 };
    int journal = seal && strlen(name) >= 13 && strcmp(name + strlen(name) - 13, "sweep.journal") == 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(bytes + i, '\n', len - i);
        size_t l = nl ? (size_t)(nl - bytes - i) : len - i;
        /* "@HASH@" -> the sweep's hash */
        struct buf line = { 0 };
        append(&line, "", 0);
        for (size_t k = 0; k < l;) {
            if (l - k >= 6 && memcmp(bytes + i + k, "@HASH@", 6) == 0) {
                append(&line, hash, 64);
                k += 6;
            } else {
                append(&line, bytes + i + k, 1);
                k++;
            }
        }
        if (journal && nl)
            seal_line(&b, line.p, line.n);
        else {
            append(&b, line.p, line.n);
            if (nl)
                append(&b, "\n", 1);
        }
        free(line.p);
        i += l + (nl ? 1 : 0);
    }
    if (!b.p)
        append(&b, "", 0);
    *outlen = b.n;
    return b.p;
}

/* ---- the target ----------------------------------------------------------------- */

static void expect_csv(const char *dir, const char *name)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    if (fuzz_csv_ok(p) == 0) {
        fprintf(stderr, "%s does not read back as CSV\n", p);
        abort();
    }
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    seal = mode & 1;
    fuzz_rmtree(in);
    fuzz_rmtree(outdir);
    fuzz_mkdirs(in);
    fuzz_split(in, data + 1, size - 1, rewrite);
    struct diag d;
    diag_init(&d);
    if (mode & 2) {                            /* merge every top-level directory */
        char *dirs[16];
        size_t n = 0;
        DIR *dh = opendir(in);
        struct dirent *e;
        while (dh && (e = readdir(dh)) && n < 16) {
            if (e->d_name[0] == '.')
                continue;
            char p[600];
            snprintf(p, sizeof p, "%s/%s", in, e->d_name);
            struct stat sb;
            if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode) && !(dirs[n++] = strdup(p)))
                abort();
        }
        if (dh)
            closedir(dh);
        qsort(dirs, n, sizeof *dirs, by_name);
        if (n) {
            char *argv[] = { "exposim", "merge" };
            int rc = collate_merge(outdir, dirs, n, 1, models, 2, argv, &d);
            if (getenv("EXPOSIM_FUZZ_VERBOSE"))
                fprintf(stderr, "merge: %d %s\n", rc, d.n ? d.msg[0] : "");
            if (rc && d.n == 0 && d.dropped == 0) {
                fprintf(stderr, "merge failed (status %d) without a message\n", rc);
                abort();
            }
            if (rc == 0) {
                expect_csv(outdir, "sweep.csv");
                expect_csv(outdir, "sweep-summary.csv");
            }
        }
        for (size_t i = 0; i < n; i++)
            free(dirs[i]);
        diag_destroy(&d);
    }
    if (mode & 4) {                            /* resume s1 */
        char s1[300];
        snprintf(s1, sizeof s1, "%s/s1", in);
        char *argv[] = { "exposim", "sweep" };
        struct sweep_opts o = { .models = models, .file = sweep_file, .outdir = s1, .jobs = 1, .resume = 1,
                                .quiet = 1, .argc = 2, .argv = argv };
        if (mode & 8)
            o.shard = 1, o.nshards = 2;
        /* A journal that does not read is refused by sweep_run at once, for
         * the same reason: journal_read alone covers that path, at a
         * fraction of the cost (sweep_run compiles two schemas first). */
        struct journal j;
        int jr = journal_read(s1, &j, &d);
        if (jr == 0)
            journal_destroy(&j);
        if (jr < 0) {
            if (d.n == 0 && d.dropped == 0) {
                fprintf(stderr, "journal_read failed without a message\n");
                abort();
            }
            diag_destroy(&d);
            xmlResetLastError();
            return 0;
        }
        diag_destroy(&d);
        int rc = sweep_run(&o, &d);
        if (getenv("EXPOSIM_FUZZ_VERBOSE"))
            fprintf(stderr, "resume: %d %s\n", rc, d.n ? d.msg[0] : "");
        if (rc && d.n == 0 && d.dropped == 0) {
            fprintf(stderr, "resume failed (status %d) without a message\n", rc);
            abort();
        }
        if (rc == 0) {
            expect_csv(s1, "sweep.csv");
            expect_csv(s1, "sweep-summary.csv");
        }
        diag_destroy(&d);
    }
    xmlResetLastError();
    return 0;
}
