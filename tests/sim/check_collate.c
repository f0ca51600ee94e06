/* check_collate — a sweep's result files from journals (collate.h):
 * sweep.csv sorted by (point, replication) whatever order the runs came
 * in, the design's values and every metric (NA where a run lacks one);
 * sweep-summary.csv equal to results_stat_of over each point's
 * replications (NA left out of the mean, sd, Student-t interval and n);
 * the same bytes for any order of the runs; the sweep's manifest; and the
 * merge of shard directories (every shard exactly once, the bytes one
 * process would write), refusing a missing, repeated, incomplete or
 * foreign shard with nothing written.  Files are read back with libcsv
 * and libxml2. */
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <libxml/tree.h>

#include "collate.h"
#include "journal.h"
#include "results.h"
#include "rng.h"
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

static char *in_dir(const char *fmt, const char *name)
{
    char *p, *rel;
    ck_assert_int_ge(asprintf(&rel, fmt, name), 0);
    ck_assert_int_ge(asprintf(&p, "%s/%s", dir, rel), 0);
    free(rel);
    return p;
}

static char *sub(const char *name)
{
    char *p = in_dir("%s", name);
    ck_assert_int_eq(mkdir(p, 0777), 0);
    return p;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* ---- a sweep's runs ----------------------------------------------------------------- */

/* P points x R replications, two parameters, three metrics.  Run (p, r)
 * reports its metrics in the order of `order` (a run's own order), and
 * the value val[p][r][m]; NaN stands for NA.  The designed holes: metric 1
 * is NA in every replication of point 2 (n = 0), metric 2 has a value in
 * replication 1 of point 3 only (n = 1, no sd), metric 0 is NA in
 * replication 0 of point 4, and run (1, 2) does not report metric 2 at all. */
#define P 5
#define R 4
#define NM 3
/* Metric 2's name is 404 bytes: the summary's headers (name_mean, ...)
 * must carry it whole (they were cut at 299 bytes). */
#define LONG4 "longlonglonglong"
#define LONG_NAME "m_b_" LONG4 LONG4 LONG4 LONG4 LONG4 LONG4 LONG4 LONG4 LONG4 LONG4 LONG4 LONG4 LONG4 LONG4 LONG4 \
    LONG4 LONG4 LONG4 LONG4 LONG4 LONG4 LONG4 LONG4 LONG4 LONG4
static const char *const metric[NM] = { "m_a", "odd, \"name\"", LONG_NAME };
static char *paths[] = { "policy/retention@days", "adversary/bulk_snapshot[2]@mode" };
static char *values[P * 2] = { "7", "a, b", "14", "", "30", "plain", "60.5", "x\"y", "1e3", "z" };
static double val[P][R][NM];

static void make_values(unsigned long seed)
{
    gsl_rng *r = tu_rng(seed);
    for (int p = 0; p < P; p++)
        for (int q = 0; q < R; q++)
            for (int m = 0; m < NM; m++)
                val[p][q][m] = (m + 1) * 10.0 + gsl_ran_gaussian(r, 1.0 + p) + (m == 2 ? 1e-7 * q : 0);
    gsl_rng_free(r);
    for (int q = 0; q < R; q++) {
        val[2][q][1] = NAN;
        if (q != 1)
            val[3][q][2] = NAN;
    }
    val[4][0][0] = NAN;
    val[1][2][2] = NAN;                        /* not reported */
}

static struct journal_header header(char hashc, unsigned shard, unsigned nshards)
{
    struct journal_header h = { .name = "col", .shard = shard, .nshards = nshards, .npoints = P,
                                .replications = R, .nparams = 2, .paths = paths, .values = values };
    memset(h.hash, hashc, 64);
    h.hash[64] = '\0';
    return h;
}

/* Write dir/sweep.journal for shard `shard` of `nshards` (its points p with
 * p mod nshards = shard - 1) with the runs in an order shuffled by
 * `order_seed`, leaving out run `skip` (point * R + rep, or -1) and adding
 * run `extra` (or -1); read it back into j. */
static void make_journal(const char *d_, char hashc, unsigned shard, unsigned nshards, unsigned long order_seed,
                         int skip, int extra, struct journal *j)
{
    struct journal_header h = header(hashc, shard, nshards);
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(journal_create(d_, &h, &d), 0);
    ck_assert_int_eq(journal_open(d_, j, &d), 0);
    int ids[P * R + 1], n = 0;
    for (int id = 0; id < P * R; id++)
        if ((unsigned)(id / R) % nshards == shard - 1 && id != skip)
            ids[n++] = id;
    if (extra >= 0)
        ids[n++] = extra;
    gsl_rng *r = tu_rng(order_seed);
    gsl_ran_shuffle(r, ids, (size_t)n, sizeof ids[0]);
    gsl_rng_free(r);
    for (int k = 0; k < n; k++) {
        int p = ids[k] / R, q = ids[k] % R;
        /* run (0, 0) reports metric 1, 0, 2; the others 2, 0, 1 */
        int ord[NM] = { 2, 0, 1 };
        if (p == 0 && q == 0)
            ord[0] = 1, ord[1] = 0, ord[2] = 2;
        const char *names[NM];
        double v[NM];
        size_t nv = 0;
        for (int i = 0; i < NM; i++) {
            if (p == 1 && q == 2 && ord[i] == 2)
                continue;
            names[nv] = metric[ord[i]];
            v[nv++] = val[p][q][ord[i]];
        }
        char *line;
        size_t len;
        ck_assert_int_eq(journal_format_run((uint32_t)p, (uint32_t)q, names, v, nv, &line, &len), 0);
        ck_assert_int_eq(journal_append(j, line, len, &d), 0);
        free(line);
    }
    journal_destroy(j);
    ck_assert_int_eq(journal_read(d_, j, &d), 0);
    ck_assert_uint_eq(d.n, 0);
    diag_destroy(&d);
}

static const char *const streams[] = { "population", "traffic", "adversary", NULL };
static const struct sim_model_type toy = { .name = "toy", .streams = streams };
static char *argv_[] = { "exposim", "sweep", "s.xml", "-o", "out dir" };

static struct collate_info info(uint32_t seed)
{
    struct collate_info in = { .file = "dir/s.xml", .base_file = "dir/base.xml", .argc = 5, .argv = argv_,
                               .started = 1700000000, .model = &toy, .seed = seed };
    return in;
}

static void collate(const char *d_, const struct journal *j, size_t want_runs)
{
    struct diag d;
    diag_init(&d);
    struct collate_info in = info(77);
    size_t nruns = 0;
    int rc = collate_sweep(d_, j, &in, &nruns, &d);
    if (rc)
        diag_print(&d, stderr);
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(nruns, want_runs);
    diag_destroy(&d);
}

/* %.10g, NA for NaN: how the result files write numbers. */
static void fmt(char *buf, size_t len, double v)
{
    if (isnan(v))
        snprintf(buf, len, "NA");
    else
        snprintf(buf, len, "%.10g", v);
}

static void read_csv(const char *d_, const char *name, struct tu_csv *csv)
{
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/%s", d_, name), 0);
    ck_assert_msg(tu_csv_read(p, csv) == 0, "cannot read %s", p);
    free(p);
}

/* The column order: the first run of the sorted runs, (0, 0), reports
 * metric 1, 0, 2. */
static const int column[NM] = { 1, 0, 2 };

static void check_sweep_csv(const char *d_)
{
    struct tu_csv csv;
    read_csv(d_, "sweep.csv", &csv);
    ck_assert_uint_eq(csv.nrows, 1 + P * R);
    const char *head[] = { "point", "replication", paths[0], paths[1], metric[1], metric[0], metric[2] };
    ck_assert_uint_eq(csv.nfields[0], 7);
    for (int f = 0; f < 7; f++)
        ck_assert_str_eq(csv.rows[0][f], head[f]);
    for (int row = 1; row <= P * R; row++) {
        int p = (row - 1) / R, q = (row - 1) % R;
        char **f = csv.rows[row], want[64];
        ck_assert_uint_eq(csv.nfields[row], 7);
        snprintf(want, sizeof want, "%d", p + 1);
        ck_assert_str_eq(f[0], want);
        snprintf(want, sizeof want, "%d", q + 1);
        ck_assert_str_eq(f[1], want);
        ck_assert_str_eq(f[2], values[2 * p]);
        ck_assert_str_eq(f[3], values[2 * p + 1]);
        for (int c = 0; c < NM; c++) {
            fmt(want, sizeof want, val[p][q][column[c]]);
            ck_assert_msg(strcmp(f[4 + c], want) == 0, "row %d, %s: %s, want %s", row, metric[column[c]],
                          f[4 + c], want);
        }
    }
    tu_csv_free(&csv);
}

static void check_summary_csv(const char *d_)
{
    static const char *const stat[] = { "mean", "sd", "ci95_low", "ci95_high", "n" };
    struct tu_csv csv;
    read_csv(d_, "sweep-summary.csv", &csv);
    ck_assert_uint_eq(csv.nrows, 1 + P);
    ck_assert_uint_eq(csv.nfields[0], 3 + 5 * NM);
    ck_assert_str_eq(csv.rows[0][0], "point");
    ck_assert_str_eq(csv.rows[0][1], paths[0]);
    ck_assert_str_eq(csv.rows[0][2], paths[1]);
    for (int c = 0; c < NM; c++)
        for (int k = 0; k < 5; k++) {
            char name[512];
            ck_assert_int_lt(snprintf(name, sizeof name, "%s_%s", metric[column[c]], stat[k]), (int)sizeof name);
            ck_assert_str_eq(csv.rows[0][3 + 5 * c + k], name);
        }
    for (int p = 0; p < P; p++) {
        char **f = csv.rows[1 + p], want[64];
        snprintf(want, sizeof want, "%d", p + 1);
        ck_assert_str_eq(f[0], want);
        ck_assert_str_eq(f[1], values[2 * p]);
        ck_assert_str_eq(f[2], values[2 * p + 1]);
        for (int c = 0; c < NM; c++) {
            double v[R];
            for (int q = 0; q < R; q++)
                v[q] = val[p][q][column[c]];
            struct results_stat st = results_stat_of(v, R);
            double s[4] = { st.mean, st.sd, st.lo, st.hi };
            for (int k = 0; k < 4; k++) {
                fmt(want, sizeof want, s[k]);
                ck_assert_msg(strcmp(f[3 + 5 * c + k], want) == 0, "point %d, %s_%s: %s, want %s", p + 1,
                              metric[column[c]], stat[k], f[3 + 5 * c + k], want);
            }
            snprintf(want, sizeof want, "%zu", st.n);
            ck_assert_str_eq(f[3 + 5 * c + 4], want);
        }
    }
    /* the designed holes */
    ck_assert_str_eq(csv.rows[1 + 2][3 + 0 * 5 + 4], "0");       /* metric 1 at point 3: n 0 */
    ck_assert_str_eq(csv.rows[1 + 2][3 + 0 * 5 + 0], "NA");
    ck_assert_str_eq(csv.rows[1 + 3][3 + 2 * 5 + 4], "1");       /* metric 2 at point 4: n 1, no sd */
    ck_assert_str_eq(csv.rows[1 + 3][3 + 2 * 5 + 1], "NA");
    ck_assert_str_ne(csv.rows[1 + 3][3 + 2 * 5 + 0], "NA");
    ck_assert_str_eq(csv.rows[1 + 4][3 + 1 * 5 + 4], "3");       /* metric 0 at point 5: one NA */
    ck_assert_str_eq(csv.rows[1 + 1][3 + 2 * 5 + 4], "3");       /* metric 2 at point 2: one not reported */
    tu_csv_free(&csv);
}

/* The four files are there (the design varies policy/retention@days:
 * sweep-marginal.csv too), and no temporary one is left. */
static void check_files(const char *d_)
{
    DIR *dd = opendir(d_);
    ck_assert_ptr_nonnull(dd);
    int seen = 0;
    for (struct dirent *e; (e = readdir(dd));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        int known = strcmp(e->d_name, "sweep.csv") == 0 || strcmp(e->d_name, "sweep-summary.csv") == 0
                    || strcmp(e->d_name, "manifest.xml") == 0 || strcmp(e->d_name, JOURNAL_NAME) == 0
                    || strcmp(e->d_name, "sweep-marginal.csv") == 0;
        ck_assert_msg(known, "unexpected file %s", e->d_name);
        seen++;
    }
    closedir(dd);
    ck_assert_int_eq(seen, 5);
}

static void same_outputs(const char *da, const char *db)
{
    const char *files[] = { "sweep.csv", "sweep-summary.csv" };
    for (int i = 0; i < 2; i++) {
        char *a, *b;
        ck_assert_int_ge(asprintf(&a, "%s/%s", da, files[i]), 0);
        ck_assert_int_ge(asprintf(&b, "%s/%s", db, files[i]), 0);
        tu_same_file(a, b);
        free(a), free(b);
    }
}

/* ---- one journal ------------------------------------------------------------------------ */

START_TEST(test_sorted_and_summarised)
{
    make_values(5);
    char *a = sub("a"), *b = sub("b");
    struct journal ja, jb;
    make_journal(a, 'e', 1, 1, 1, -1, -1, &ja);
    make_journal(b, 'e', 1, 1, 2, -1, -1, &jb);
    /* the files do hold the runs in different orders */
    int differ = 0;
    for (size_t k = 0; k < ja.nruns; k++)
        differ |= ja.runs[k].point != jb.runs[k].point || ja.runs[k].rep != jb.runs[k].rep;
    ck_assert(differ);
    collate(a, &ja, P * R);
    collate(b, &jb, P * R);
    check_files(a);
    check_sweep_csv(a);
    check_summary_csv(a);
    same_outputs(a, b);                          /* any order, the same bytes */
    journal_destroy(&ja), journal_destroy(&jb);
    free(a), free(b);
}
END_TEST

/* A known answer: values 1 .. 5 have mean 3, sd sqrt(2.5) = 1.58113883,
 * and with t(0.975, 4) = 2.776445105 (Student's t table) the interval
 * 3 -+ 2.776445105 x 1.58113883 / sqrt(5) = [1.036756839, 4.963243161]. */
START_TEST(test_summary_known_answer)
{
    static char *kp[] = { "a@b" }, *kv[] = { "1" };
    struct journal_header h = { .name = "k", .shard = 1, .nshards = 1, .npoints = 1, .replications = 5,
                                .nparams = 1, .paths = kp, .values = kv };
    memset(h.hash, '1', 64);
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(journal_create(dir, &h, &d), 0);
    struct journal j;
    ck_assert_int_eq(journal_open(dir, &j, &d), 0);
    const char *names[] = { "x" };
    for (uint32_t r = 5; r-- > 0;) {
        double v = r + 1.0;
        char *line;
        size_t len;
        ck_assert_int_eq(journal_format_run(0, r, names, &v, 1, &line, &len), 0);
        ck_assert_int_eq(journal_append(&j, line, len, &d), 0);
        free(line);
    }
    journal_destroy(&j);
    ck_assert_int_eq(journal_read(dir, &j, &d), 0);
    collate(dir, &j, 5);
    struct tu_csv csv;
    read_csv(dir, "sweep-summary.csv", &csv);
    const char *want[] = { "point", "a@b", "x_mean", "x_sd", "x_ci95_low", "x_ci95_high", "x_n" };
    const char *row[] = { "1", "1", "3", "1.58113883", "1.036756839", "4.963243161", "5" };
    ck_assert_uint_eq(csv.nrows, 2);
    for (int f = 0; f < 7; f++) {
        ck_assert_str_eq(csv.rows[0][f], want[f]);
        ck_assert_str_eq(csv.rows[1][f], row[f]);
    }
    tu_csv_free(&csv);
    read_csv(dir, "sweep.csv", &csv);
    for (int r = 1; r <= 5; r++) {
        char w[16];
        snprintf(w, sizeof w, "%d", r);
        ck_assert_str_eq(csv.rows[r][1], w);
        ck_assert_str_eq(csv.rows[r][3], w);
    }
    tu_csv_free(&csv);
    journal_destroy(&j);
    diag_destroy(&d);
}
END_TEST

/* A repeated run is refused, and nothing is written; so is a directory
 * that is not there. */
START_TEST(test_refusals)
{
    make_values(6);
    char *a = sub("a");
    struct journal j;
    make_journal(a, 'e', 1, 1, 3, -1, 2 * R + 1, &j);            /* (2, 1) twice */
    struct diag d;
    diag_init(&d);
    struct collate_info in = info(1);
    size_t nruns = 99;
    ck_assert_int_eq(collate_sweep(a, &j, &in, &nruns, &d), -1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.msg[0], "point 3, replication 2 appears twice"));
    char *csv = in_dir("%s/sweep.csv", "a"), *mf = in_dir("%s/manifest.xml", "a");
    ck_assert(!exists(csv) && !exists(mf));
    journal_destroy(&j);
    diag_destroy(&d);

    diag_init(&d);
    char *b = sub("b");
    make_journal(b, 'e', 1, 1, 3, -1, -1, &j);
    char *gone = in_dir("%s", "not-there");
    ck_assert_int_eq(collate_sweep(gone, &j, &in, &nruns, &d), -1);
    ck_assert_uint_ge(d.n, 1);
    ck_assert(!exists(gone));
    journal_destroy(&j);
    diag_destroy(&d);
    free(a), free(b), free(csv), free(mf), free(gone);
}
END_TEST

/* The sweep's manifest: well-formed, the design, the seeds as
 * rng_stream_seed gives them for every replication and stream, the
 * command line, the base as run. */
START_TEST(test_sweep_manifest)
{
    make_values(7);
    char *a = sub("a"), *base = in_dir("%s", "base.xml");
    tu_write(base, "<scenario name=\"b\"><run seed=\"77\" replications=\"4\"/><x y=\"&amp;1\"/></scenario>\n");
    struct diag d;
    diag_init(&d);
    struct cfg *c = cfg_load_schema(base, NULL, 0, NULL, &d);
    ck_assert_ptr_nonnull(c);
    struct journal j;
    make_journal(a, 'e', 1, 1, 3, -1, -1, &j);
    struct collate_info in = info(77);
    in.base_as_run = c;
    size_t nruns;
    ck_assert_int_eq(collate_sweep(a, &j, &in, &nruns, &d), 0);
    char *mf = in_dir("%s/manifest.xml", "a");
    xmlDocPtr doc = tu_xml_read(mf);
    ck_assert_msg(doc != NULL, "manifest.xml is not well-formed");
    char *s;
#define XP(expr, want)                                                                                 \
    do {                                                                                               \
        s = tu_xpath(doc, expr);                                                                       \
        ck_assert_msg(strcmp(s, want) == 0, "%s: '%s', want '%s'", expr, s, want);                     \
        free(s);                                                                                       \
    } while (0)
    XP("string(/manifest/@program)", "exposim");
    XP("string(/manifest/@version)", EXPOSIM_VERSION);
    XP("string(/manifest/@kind)", "sweep");
    XP("string(/manifest/sweep/@name)", "col");
    XP("string(/manifest/sweep/@file)", "dir/s.xml");
    XP("string(/manifest/sweep/@base_file)", "dir/base.xml");
    XP("string(/manifest/sweep/@hash)", j.h.hash);
    XP("string(/manifest/sweep/@points)", "5");
    XP("string(/manifest/sweep/@replications)", "4");
    XP("string(/manifest/sweep/@runs_in_output)", "20");
    XP("string(/manifest/times/@started)", "2023-11-14T22:13:20Z");
    XP("string(/manifest/seeds/@scenario_seed)", "77");
    XP("string(/manifest/seeds/@generator)", RNG_TYPE_NAME);
    XP("string(/manifest/base_as_run/scenario/x/@y)", "&1");
    ck_assert_int_eq(tu_xpath_count(doc, "/manifest/command/arg"), 5);
    for (int i = 0; i < 5; i++) {
        char e[64];
        snprintf(e, sizeof e, "string(/manifest/command/arg[%d])", i + 1);
        XP(e, argv_[i]);
    }
    ck_assert_int_eq(tu_xpath_count(doc, "/manifest/sweep/parameters/parameter"), 2);
    XP("string(/manifest/sweep/parameters/parameter[2]/@path)", paths[1]);
    ck_assert_int_eq(tu_xpath_count(doc, "/manifest/sweep/points/point"), P);
    for (int p = 0; p < P; p++)
        for (int k = 0; k < 2; k++) {
            char e[128];
            snprintf(e, sizeof e, "string(/manifest/sweep/points/point[@index='%d']/set[@path='%s'])", p + 1,
                     paths[k]);
            XP(e, values[2 * p + k]);
        }
    ck_assert_int_eq(tu_xpath_count(doc, "/manifest/seeds/replication"), R);
    ck_assert_int_eq(tu_xpath_count(doc, "/manifest/seeds/replication/stream"), R * 3);
    for (int r = 0; r < R; r++)
        for (int k = 0; k < 3; k++) {
            char e[160], want[32];
            snprintf(e, sizeof e, "string(/manifest/seeds/replication[@index='%d']/stream[@component='%s']/@seed)",
                     r + 1, streams[k]);
            snprintf(want, sizeof want, "%lu", (unsigned long)rng_stream_seed(77, (uint32_t)r, (unsigned)k));
            XP(e, want);
        }
    xmlFreeDoc(doc);
    cfg_free(c);
    journal_destroy(&j);
    diag_destroy(&d);
    free(a), free(base), free(mf);
}
END_TEST

/* Regression: the sweep manifest handed its file names and the command
 * line to libxml2 as they were, so a name that is not UTF-8 ("s\xe9.xml")
 * came out cut or as another character.  Now the names are valid text
 * (U+FFFD for a bad byte) and each argument is exact or has hex="..."
 * (manifest_command, check_manifest.c). */
START_TEST(test_sweep_manifest_names_not_text)
{
    make_values(7);
    char *a = sub("a");
    struct journal j;
    make_journal(a, 'e', 1, 1, 3, -1, -1, &j);
    char *args[] = { "exposim", "sweep", "s\xe9.xml", "-o", "out\x01" };
    struct collate_info in = info(77);
    in.file = "dir/s\xe9.xml";
    in.base_file = "dir/b\xe9\xe9.xml";
    in.argv = args;
    struct diag d;
    diag_init(&d);
    size_t nruns;
    ck_assert_int_eq(collate_sweep(a, &j, &in, &nruns, &d), 0);
    char *mf = in_dir("%s/manifest.xml", "a");
    xmlDocPtr doc = tu_xml_read(mf);
    ck_assert_msg(doc != NULL, "manifest.xml is not well-formed");
    char *s = tu_xpath(doc, "string(/manifest/sweep/@file)");
    ck_assert_str_eq(s, "dir/s\xef\xbf\xbd.xml");
    free(s);
    s = tu_xpath(doc, "string(/manifest/sweep/@base_file)");
    ck_assert_str_eq(s, "dir/b\xef\xbf\xbd\xef\xbf\xbd.xml");
    free(s);
    s = tu_xpath(doc, "string(/manifest/command/arg[3]/@hex)");
    ck_assert_str_eq(s, "73e92e786d6c");
    free(s);
    s = tu_xpath(doc, "string(/manifest/command/arg[5])");
    ck_assert_str_eq(s, "out\xef\xbf\xbd");
    free(s);
    xmlFreeDoc(doc);
    journal_destroy(&j);
    diag_destroy(&d);
    free(a), free(mf);
}
END_TEST

/* ---- merge ------------------------------------------------------------------------------ */

/* Shard directories s1 .. sK of the sweep (hash `hashc`), each collated as
 * the sweep would; shard `bad` (1-based, or 0) lacks run `skip` or holds
 * run `extra`. */
static void make_shards(unsigned k, char hashc, unsigned bad, int skip, int extra)
{
    for (unsigned sh = 1; sh <= k; sh++) {
        char name[32];
        snprintf(name, sizeof name, "s%u-%u-%c", sh, k, hashc);
        char *d_ = sub(name);
        struct journal j;
        make_journal(d_, hashc, sh, k, 10 + sh, sh == bad ? skip : -1, sh == bad ? extra : -1, &j);
        if (sh != bad) {
            size_t want = 0;
            for (unsigned p = sh - 1; p < P; p += k)
                want += R;
            collate(d_, &j, want);
        }
        journal_destroy(&j);
        free(d_);
    }
}

/* merge OUT from the shard names given; its status. */
static int merge(const char *out, const char *const *names, size_t n, struct diag *d)
{
    char **dirs = calloc(n + 1, sizeof *dirs);
    ck_assert_ptr_nonnull(dirs);
    for (size_t i = 0; i < n; i++)
        dirs[i] = in_dir("%s", names[i]);
    char *o = in_dir("%s", out);
    static const struct sim_model_type *const models[] = { &toy, NULL };
    int rc = collate_merge(o, dirs, n, 1, models, 5, argv_, d);
    for (size_t i = 0; i < n; i++)
        free(dirs[i]);
    free(dirs), free(o);
    return rc;
}

START_TEST(test_merge_same_bytes)
{
    make_values(8);
    char *whole = sub("whole");
    struct journal j;
    make_journal(whole, 'm', 1, 1, 4, -1, -1, &j);
    collate(whole, &j, P * R);
    journal_destroy(&j);
    make_shards(3, 'm', 0, -1, -1);
    make_shards(2, 'm', 0, -1, -1);
    struct diag d;
    diag_init(&d);
    const char *three[] = { "s3-3-m", "s1-3-m", "s2-3-m" }, *two[] = { "s2-2-m", "s1-2-m" };
    ck_assert_int_eq(merge("m3", three, 3, &d), 0);
    ck_assert_int_eq(merge("deeper/m2", two, 2, &d), 0);          /* parents made */
    ck_assert_uint_eq(d.n, 0);
    char *m3 = in_dir("%s", "m3"), *m2 = in_dir("%s", "deeper/m2");
    same_outputs(whole, m3);
    same_outputs(whole, m2);
    check_sweep_csv(m3);
    check_summary_csv(m3);
    /* the merged manifest: well-formed, the shards listed, the seeds of shard 1 */
    char *mf = in_dir("%s/manifest.xml", "m3");
    xmlDocPtr doc = tu_xml_read(mf);
    ck_assert_ptr_nonnull(doc);
    ck_assert_int_eq(tu_xpath_count(doc, "/manifest/merged_from/shard"), 3);
    char *s = tu_xpath(doc, "string(/manifest/merged_from/shard[@index='2']/@dir)"), *want = in_dir("%s", "s2-3-m");
    ck_assert_str_eq(s, want);
    free(s), free(want);
    s = tu_xpath(doc, "string(/manifest/sweep/@runs_in_output)");
    ck_assert_str_eq(s, "20");
    free(s);
    s = tu_xpath(doc, "string(/manifest/seeds/replication[@index='4']/stream[@component='adversary']/@seed)");
    char w[32];
    snprintf(w, sizeof w, "%lu", (unsigned long)rng_stream_seed(77, 3, 2));
    ck_assert_str_eq(s, w);
    free(s);
    xmlFreeDoc(doc);
    diag_destroy(&d);
    free(whole), free(m3), free(m2), free(mf);
}
END_TEST

/* merge OUT must refuse with status 2, a message holding `expect`, and
 * nothing written (OUT not even made). */
static void expect_refused(const char *const *names, size_t n, const char *expect)
{
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(merge("refused/out", names, n, &d), 2);
    int found = 0;
    for (size_t i = 0; i < d.n; i++)
        found |= strstr(d.msg[i], expect) != NULL;
    if (!found)
        diag_print(&d, stderr);
    ck_assert_msg(found, "no message with '%s'", expect);
    char *o = in_dir("%s", "refused/out");
    ck_assert_msg(!exists(o), "merge wrote %s", o);
    free(o);
    diag_destroy(&d);
}

START_TEST(test_merge_refusals)
{
    make_values(9);
    make_shards(3, 'm', 0, -1, -1);
    make_shards(2, 'm', 0, -1, -1);
    make_shards(3, 'o', 0, -1, -1);                       /* another sweep */
    make_shards(3, 'i', 2, 1 * R + 0, -1);                /* shard 2/3 lacks (1, 0) */
    make_shards(3, 'd', 2, 1 * R + 0, 4 * R + 3);         /* shard 2/3 holds (4, 3) of shard 2 in place of (1, 0) */
    make_shards(3, 'x', 1, 0 * R + 0, 1 * R + 0);         /* shard 1/3 holds (1, 0) of shard 2 in place of (0, 0) */
    char *nothing = sub("nothing");
    const char *missing[] = { "s1-3-m", "s3-3-m" };
    expect_refused(missing, 2, "shard 2/3 is missing");
    const char *twice[] = { "s1-3-m", "s2-3-m", "s1-3-m", "s3-3-m" };
    expect_refused(twice, 4, "shard 1/3 is given twice");
    const char *counts[] = { "s1-3-m", "s2-2-m" };
    expect_refused(counts, 2, "different shard counts");
    const char *foreign[] = { "s1-3-m", "s2-3-o", "s3-3-m" };
    expect_refused(foreign, 3, "hashes differ");
    const char *incomplete[] = { "s1-3-i", "s2-3-i", "s3-3-i" };
    expect_refused(incomplete, 3, "shard 2/3 is incomplete (7 of 8 runs)");
    const char *dup[] = { "s1-3-d", "s2-3-d", "s3-3-d" };
    expect_refused(dup, 3, "point 5, replication 4 appears twice");
    const char *cross[] = { "s1-3-x", "s2-3-x", "s3-3-x" };
    expect_refused(cross, 3, "point 2, replication 1 appears twice");
    const char *none[] = { "s1-3-m", "nothing" };
    expect_refused(none, 2, "no sweep.journal there");
    /* Regression: with no directory at all, merge went on with an empty
     * list and read past the end of its shard table (by_shard[1] of 1). */
    expect_refused(NULL, 0, "no shard directory");
    free(nothing);
}
END_TEST

/* Regression: merge copied the seeds and the base as run out of shard
 * 1's manifest.xml read without refusing a DOCTYPE: an entity it declares
 * and <seeds> uses was copied as a reference to nothing, and the merged
 * manifest was not well-formed XML.  A manifest that is missing or not
 * well-formed was skipped in silence, and the merged one lacked the seeds.
 * Each is now refused (status 2, FILE: message, nothing written). */
START_TEST(test_merge_shard_manifest)
{
    make_values(10);
    make_shards(2, 'm', 0, -1, -1);
    char *mf = in_dir("%s/manifest.xml", "s1-2-m");
    size_t len;
    char *text = tu_slurp(mf, &len), *seeds = strstr(text, "<seeds ");
    ck_assert_ptr_nonnull(seeds);
    char *bad;
    ck_assert_int_ge(asprintf(&bad, "<?xml version=\"1.0\"?>\n<!DOCTYPE manifest [<!ENTITY e \"x\">]>\n%.*s"
                                    "<seeds note=\"&e;\" %s", (int)(seeds - strchr(text, '\n') - 1),
                                    strchr(text, '\n') + 1, seeds + 7), 0);
    tu_write(mf, bad);
    const char *both[] = { "s1-2-m", "s2-2-m" };
    expect_refused(both, 2, "DOCTYPE");
    text[len / 2] = '\0';                                   /* cut in the middle */
    tu_write(mf, text);
    expect_refused(both, 2, "manifest.xml");
    ck_assert_int_eq(unlink(mf), 0);
    expect_refused(both, 2, "--resume");
    free(mf), free(text), free(bad);
}
END_TEST

Suite *collate_suite(void)
{
    Suite *s = suite_create("collate");
    TCase *tc = tcase_create("files");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_sorted_and_summarised);
    tcase_add_test(tc, test_summary_known_answer);
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_sweep_manifest);
    tcase_add_test(tc, test_sweep_manifest_names_not_text);
    tcase_add_test(tc, test_merge_same_bytes);
    tcase_add_test(tc, test_merge_refusals);
    tcase_add_test(tc, test_merge_shard_manifest);
    suite_add_tcase(s, tc);
    return s;
}
