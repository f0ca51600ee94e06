/* check_sweep — parameter sweeps end to end (sweep.c through the
 * program): bad input (status 2, a clear message, nothing written), common
 * random numbers, and the same bytes from -j 1, -j 2, shards + merge, and a
 * sweep killed with SIGKILL then resumed.  The design, the journal and the
 * result files have suites of their own (check_design.c, check_journal.c,
 * check_collate.c).
 *
 * Set EXPOSIM_TEST_SLOW=1 (make valgrind does) to shrink the sweeps that
 * are long only so that a kill lands mid-way. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "suites.h"
#include "testutil.h"

/* The base of most sweeps here: 300 people, 60 days, 20-day log, bulk
 * snapshots every 20 days; a run takes a few milliseconds. */
static const char small_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<scenario name=\"small\">\n"
    "  <run seed=\"5\" replications=\"3\" horizon_days=\"60\"/>\n"
    "  <population size=\"300\"/>\n"
    "  <contacts><erdos_renyi mean_degree=\"8\"/></contacts>\n"
    "  <traffic rate_per_day=\"0.02\"/>\n"
    "  <policy><retention days=\"20\"/></policy>\n"
    "  <adversary><bulk_snapshot period_days=\"20\"/></adversary>\n"
    "</scenario>\n";

/* 3 x 2 points x 3 replications = 18 runs. */
static const char grid_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<sweep name=\"g\" replications=\"3\" seed=\"11\">\n"
    "  <base file=\"small.xml\"/>\n"
    "  <grid>\n"
    "    <parameter path=\"policy/retention@days\"><values>10 20 40</values></parameter>\n"
    "    <parameter path=\"adversary/bulk_snapshot@period_days\"><range from=\"15\" to=\"30\" step=\"15\"/></parameter>\n"
    "  </grid>\n"
    "</sweep>\n";

static char *dir;

static void setup(void)
{
    dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/small.xml", dir), 0);
    tu_write(p, small_xml);
    free(p);
}

static void teardown(void) { tu_rmtree(dir); free(dir); dir = NULL; }

static char *in_dir(const char *name)
{
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
    return p;
}

static char *write_file(const char *name, const char *text)
{
    char *p = in_dir(name);
    tu_write(p, text);
    return p;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static int slow(void)
{
    const char *s = getenv("EXPOSIM_TEST_SLOW");
    return s && *s && strcmp(s, "0") != 0;
}

/* `exposim ARGS` must succeed quietly (nothing on stdout or stderr). */
static void run_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run_ok(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *args, *out, *err;
    ck_assert_int_ge(vasprintf(&args, fmt, ap), 0);
    va_end(ap);
    int st = tu_exposim(args, &out, &err);
    ck_assert_msg(st == 0, "exposim %s: status %d\n%s", args, st, err);
    ck_assert_msg(strcmp(out, "") == 0 && strcmp(err, "") == 0, "exposim %s printed:\n%s%s", args, out, err);
    free(args), free(out), free(err);
}

static void same_outputs(const char *da, const char *db)
{
    const char *files[] = { "sweep.csv", "sweep-summary.csv", "sweep-marginal.csv" };
    for (int i = 0; i < 3; i++) {
        char *a, *b;
        ck_assert_int_ge(asprintf(&a, "%s/%s/%s", dir, da, files[i]), 0);
        ck_assert_int_ge(asprintf(&b, "%s/%s/%s", dir, db, files[i]), 0);
        if (i < 2 || exists(a))                     /* sweep-marginal.csv: with retention varied only */
            tu_same_file(a, b);
        else
            ck_assert(!exists(b));
        free(a), free(b);
    }
}

/* ---- bad input ---------------------------------------------------------------- */

/* `exposim ARGS` with the sweep `text` in dir/bad.xml: status 2, `expect`
 * on stderr (and a bad.xml:LINE: prefix when located), no output dir. */
static void expect_rejected(const char *text, const char *extra, const char *expect, int located)
{
    char *sw = write_file("bad.xml", text), *out = in_dir("out-bad"), *args, *o, *e;
    ck_assert_int_ge(asprintf(&args, "sweep '%s' -o '%s' %s", sw, out, extra ? extra : ""), 0);
    ck_assert_int_eq(tu_exposim(args, &o, &e), 2);
    ck_assert_msg(strstr(e, expect) != NULL, "stderr lacks '%s':\n%s", expect, e);
    if (located) {
        char *prefix;
        ck_assert_int_ge(asprintf(&prefix, "%s:", sw), 0);
        ck_assert_msg(strncmp(e, prefix, strlen(prefix)) == 0, "no FILE:LINE prefix:\n%s", e);
        ck_assert_msg(e[strlen(prefix)] >= '1' && e[strlen(prefix)] <= '9', "no line number:\n%s", e);
        free(prefix);
    }
    ck_assert_msg(!exists(out), "output directory written for a bad input");
    free(sw), free(out), free(args), free(o), free(e);
}

static char *grid_with(const char *param)
{
    char *t;
    ck_assert_int_ge(asprintf(&t, "<?xml version=\"1.0\"?>\n<sweep name=\"bad\" replications=\"2\">\n"
                                  "  <base file=\"small.xml\"/>\n  <grid>\n    %s\n  </grid>\n</sweep>\n", param), 0);
    return t;
}

START_TEST(test_bad_inputs)
{
    const struct { const char *param, *expect; } cases[] = {
        { "<parameter path=\"nosuch@x\"><values>1</values></parameter>", "nosuch" },
        { "<parameter path=\"policy/retention@dayz\"><values>1</values></parameter>", "dayz" },
        { "<parameter path=\"policy/retention@days\"><values>  </values></parameter>", "empty" },
        { "<parameter path=\"policy/retention@days\"><range from=\"10\" to=\"30\" step=\"0\"/></parameter>",
          "step must not be 0" },
        { "<parameter path=\"policy/retention@days\"><range from=\"10\" to=\"30\" step=\"-5\"/></parameter>",
          "goes away from to" },
        { "<parameter path=\"policy/retention@days\"><range from=\"1\" to=\"30\" step=\"0.5\" scale=\"log\"/></parameter>",
          "goes away from to" },
        { "<parameter path=\"policy/retention@days\"><values>10 0</values></parameter>", "point 2 of 2" },
        { "<parameter path=\"policy/retention@days\"><values>1</values></parameter>"
          "<parameter path=\"policy/retention@days\"><values>2</values></parameter>", "varied twice" },
        { "<parameter path=\"run@replications\"><values>1</values></parameter>", "replications attribute" },
        { "<parameter path=\"policy\"><values>1</values></parameter>", "not a PATH" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *t = grid_with(cases[i].param);
        expect_rejected(t, NULL, cases[i].expect, 1);
        free(t);
    }
    expect_rejected("<sweep name=\"b\"><base file=\"nope.xml\"/><grid><parameter path=\"a@b\"><values>1</values>"
                    "</parameter></grid></sweep>", NULL, "nope.xml", 0);
    expect_rejected("<sweep name=\"b\"><base file=\"small.xml\"/></sweep>\n", NULL, "nothing is varied", 1);
    expect_rejected("<sweep name=\"b\"><base/><grid><parameter path=\"a@b\"><values>1</values>"
                    "</parameter></grid></sweep>", NULL, "neither", 1);
    expect_rejected(small_xml, NULL, "not a sweep file", 1);
    expect_rejected(grid_xml, "--shard 3/2", "--shard 3/2: I must be 1 to K", 0);
    expect_rejected(grid_xml, "--shard 0/2", "--shard", 0);
    expect_rejected(grid_xml, "--shard 2", "--shard needs I/K", 0);
    expect_rejected(grid_xml, "-j 0", "-j needs", 0);
    expect_rejected(grid_xml, "--frobnicate", "unknown option", 0);
}
END_TEST

/* ---- running -------------------------------------------------------------------- */

START_TEST(test_outputs_and_crn)
{
    char *sw = write_file("g.xml", grid_xml), *args, *out, *err;
    ck_assert_int_ge(asprintf(&args, "sweep '%s' -o '%s/a'", sw, dir), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "6 points x 3 replications = 18 runs"));
    ck_assert_ptr_nonnull(strstr(out, "sweep.csv"));
    ck_assert_str_eq(err, "");                  /* not a terminal: no progress line */
    free(args), free(out), free(err);

    struct tu_csv csv;
    char *p = in_dir("a/sweep.csv");
    ck_assert_int_eq(tu_csv_read(p, &csv), 0);
    ck_assert_uint_eq(csv.nrows, 1 + 18);
    const char *head[] = { "point", "replication", "policy/retention@days", "adversary/bulk_snapshot@period_days",
                           "edge_recall" };
    for (int f = 0; f < 5; f++)
        ck_assert_str_eq(csv.rows[0][f], head[f]);
    int lookups = tu_csv_col(&csv, "lookups"), recall = tu_csv_col(&csv, "edge_recall");
    ck_assert_int_ge(lookups, 0);
    /* rows sorted by (point, replication), 1-based */
    for (size_t r = 1; r < csv.nrows; r++) {
        ck_assert_int_eq(atoi(csv.rows[r][0]), (int)(r - 1) / 3 + 1);
        ck_assert_int_eq(atoi(csv.rows[r][1]), (int)(r - 1) % 3 + 1);
    }
    /* Common random numbers: points 1 (retention 10) and 5 (retention 40)
     * differ only in retention, so each replication makes the same lookups,
     * and the adversary sees different amounts of them. */
    int recall_differs = 0;
    for (int rep = 0; rep < 3; rep++) {
        char **a = csv.rows[1 + rep], **b = csv.rows[1 + 4 * 3 + rep];
        ck_assert_str_eq(a[3], b[3]);          /* same snapshot period */
        ck_assert_str_eq(a[2], "10");
        ck_assert_str_eq(b[2], "40");
        ck_assert_str_eq(a[lookups], b[lookups]);
        recall_differs += strcmp(a[recall], b[recall]) != 0;
    }
    ck_assert_int_eq(recall_differs, 3);
    ck_assert_str_ne(csv.rows[1][lookups], csv.rows[2][lookups]);   /* replications differ */
    tu_csv_free(&csv);
    free(p);

    p = in_dir("a/sweep-summary.csv");
    ck_assert_int_eq(tu_csv_read(p, &csv), 0);
    ck_assert_uint_eq(csv.nrows, 1 + 6);
    int mean = tu_csv_col(&csv, "edge_recall_mean"), lo = tu_csv_col(&csv, "edge_recall_ci95_low"),
        hi = tu_csv_col(&csv, "edge_recall_ci95_high"), n = tu_csv_col(&csv, "edge_recall_n"),
        sd = tu_csv_col(&csv, "lookups_sd");
    ck_assert(mean > 0 && lo > 0 && hi > 0 && n > 0 && sd > 0);
    ck_assert_str_eq(csv.rows[0][1], "policy/retention@days");
    for (size_t r = 1; r < csv.nrows; r++) {
        ck_assert_int_eq(atoi(csv.rows[r][0]), (int)r);
        ck_assert_str_eq(csv.rows[r][n], "3");
        ck_assert(atof(csv.rows[r][lo]) <= atof(csv.rows[r][mean]));
        ck_assert(atof(csv.rows[r][mean]) <= atof(csv.rows[r][hi]));
    }
    tu_csv_free(&csv);
    free(p);

    p = in_dir("a/manifest.xml");
    char *m = tu_slurp(p, NULL);
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_nonnull(strstr(m, "hash_algorithm=\"sha256\""));
    ck_assert_ptr_nonnull(strstr(m, "<set path=\"policy/retention@days\">40</set>"));
    ck_assert_ptr_nonnull(strstr(m, "<run seed=\"11\" replications=\"3\""));
    free(m), free(p);

    /* validate takes sweep files */
    ck_assert_int_ge(asprintf(&args, "validate '%s'", sw), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "valid sweep"));
    free(args), free(out), free(err), free(sw);
}
END_TEST

START_TEST(test_jobs_and_shards_same_bytes)
{
    char *sw = write_file("g.xml", grid_xml);
    run_ok("sweep '%s' -q -o '%s/j1'", sw, dir);
    run_ok("sweep '%s' -q -j 2 -o '%s/j2'", sw, dir);
    run_ok("sweep '%s' -q -j 5 -o '%s/j5'", sw, dir);
    same_outputs("j1", "j2");
    same_outputs("j1", "j5");
    run_ok("sweep '%s' -q --shard 1/2 -o '%s/s1'", sw, dir);
    run_ok("sweep '%s' -q --shard 2/2 -j 2 -o '%s/s2'", sw, dir);
    run_ok("merge -q -o '%s/m' '%s/s2' '%s/s1'", dir, dir, dir);
    same_outputs("j1", "m");
    run_ok("sweep '%s' -q --shard 1/4 -o '%s/t1'", sw, dir);
    run_ok("sweep '%s' -q --shard 2/4 -o '%s/t2'", sw, dir);
    run_ok("sweep '%s' -q --shard 3/4 -o '%s/t3'", sw, dir);
    run_ok("sweep '%s' -q --shard 4/4 -o '%s/t4'", sw, dir);
    run_ok("merge -q -o '%s/m4' '%s/t1' '%s/t2' '%s/t3' '%s/t4'", dir, dir, dir, dir, dir);
    same_outputs("j1", "m4");

    /* merge refuses a missing, a repeated or a foreign shard */
    const char *bad[][2] = {
        { "'%1$s/s1'", "shard 2/2 is missing" },
        { "'%1$s/s1' '%1$s/s1' '%1$s/s2'", "given twice" },
        { "'%1$s/s1' '%1$s/t2'", "different" },
        { "'%1$s/s1' '%1$s'", "no sweep.journal" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *dirs, *args, *out, *err;
        ck_assert_int_ge(asprintf(&dirs, bad[i][0], dir), 0);
        ck_assert_int_ge(asprintf(&args, "merge -o '%s/mbad' %s", dir, dirs), 0);
        ck_assert_int_eq(tu_exposim(args, &out, &err), 2);
        ck_assert_msg(strstr(err, bad[i][1]) != NULL, "merge %s: stderr lacks '%s':\n%s", dirs, bad[i][1], err);
        char *mb = in_dir("mbad");
        ck_assert(!exists(mb));
        free(mb), free(dirs), free(args), free(out), free(err);
    }
    free(sw);
}
END_TEST

/* sweep-marginal.csv against the closed form: one bulk snapshot on day
 * 60 of a log of R days, Poisson lookups at λ = 0.02 per ordered pair and
 * day: an edge is found with 1 − e^(−2λR), so the difference per day over
 * [R1, R2] is (e^(−2λR1) − e^(−2λR2)) / (R2 − R1): 0.022099 for [10, 20],
 * 0.012372 for [20, 40].  2,000 people, 10,000 edges, 8 replications:
 * the paired means are within 4 standard errors (their sd / √8, about
 * 8.3e-5 and 5.0e-5) of them. */
START_TEST(test_marginal_closed_form)
{
    free(write_file("m.xml", "<scenario name=\"m\"><run seed=\"7\" replications=\"8\" horizon_days=\"60\"/>\n"
                    "<population size=\"2000\"/><contacts><erdos_renyi mean_degree=\"10\"/></contacts>\n"
                    "<traffic rate_per_day=\"0.02\"/><policy><retention days=\"10\"/></policy>\n"
                    "<adversary><bulk_snapshot start_day=\"60\" period_days=\"60\"/></adversary></scenario>\n"));
    char *sw = write_file("ms.xml", "<sweep name=\"ms\" replications=\"8\"><base file=\"m.xml\"/><grid>\n"
                          "<parameter path=\"policy/retention@days\"><values>10 20 40</values></parameter>"
                          "</grid></sweep>\n");
    run_ok("sweep '%s' -q -o '%s/ms'", sw, dir);
    char *csv = in_dir("ms/sweep-marginal.csv"), *text = tu_slurp(csv, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(text, "metric,days_from,days_to,per_day_mean,per_day_sd,per_day_ci95_low,"
                                       "per_day_ci95_high,n\n"));
    const double lambda = 0.02;
    int found = 0;
    for (char *line = strstr(text, "\nedge_recall,"); line; line = strstr(line + 1, "\nedge_recall,")) {
        double r1, r2, mean, sd, lo, hi;
        unsigned n;
        ck_assert_int_eq(sscanf(line + 1, "edge_recall,%lf,%lf,%lf,%lf,%lf,%lf,%u", &r1, &r2, &mean, &sd, &lo, &hi,
                                &n), 7);
        double want = (exp(-2 * lambda * r1) - exp(-2 * lambda * r2)) / (r2 - r1);
        ck_assert_uint_eq(n, 8);
        ck_assert(sd > 0 && lo < mean && mean < hi);
        ck_assert_msg(fabs(mean - want) < 4 * sd / sqrt(8.0), "[%g, %g]: %g per day, closed form %g (sd %g)", r1, r2,
                      mean, want, sd);
        found++;
    }
    ck_assert_int_eq(found, 2);                     /* 10 -> 20 and 20 -> 40; 40 has no next */
    free(text), free(csv), free(sw);
}
END_TEST

/* The number of whole run lines in a journal. */
static size_t journal_runs(const char *path)
{
    size_t len, n = 0;
    char *t = tu_slurp(path, &len);
    if (!t)
        return 0;
    for (char *p = t; (p = strstr(p, "\nrun,")); p++)
        if (strchr(p + 1, '\n'))
            n++;
    free(t);
    return n;
}

START_TEST(test_kill_and_resume)
{
    /* 15 points x R replications of an 8,000-person scenario: about 3 s on
     * one core here, so that the kill lands mid-way. */
    int reps = slow() ? 2 : 16;
    char *text;
    ck_assert_int_ge(asprintf(&text, "<?xml version=\"1.0\"?>\n<sweep name=\"k\" replications=\"%d\" seed=\"3\">\n"
                                     "  <base file=\"small.xml\"/>\n  <grid>\n"
                                     "    <parameter path=\"population@size\"><values>8000</values></parameter>\n"
                                     "    <parameter path=\"policy/retention@days\"><range from=\"5\" to=\"75\" step=\"5\"/></parameter>\n"
                                     "  </grid>\n</sweep>\n", reps), 0);
    char *sw = write_file("k.xml", text), *kdir = in_dir("killed"), *journal = in_dir("killed/sweep.journal");
    free(text);
    size_t total = 15 * (size_t)reps;

    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execl(tu_bin(), tu_bin(), "sweep", sw, "-q", "-j", "2", "-o", kdir, (char *)NULL);
        _exit(127);
    }
    /* Kill -9 as soon as at least one run is in the journal. */
    struct timespec tick = { 0, 2000000 };
    double waited = 0;
    while (journal_runs(journal) < 1 && waited < 600) {
        nanosleep(&tick, NULL);
        waited += 0.002;
        int st;
        ck_assert_msg(waitpid(pid, &st, WNOHANG) == 0, "the sweep ended before it could be killed");
    }
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    size_t at_kill = journal_runs(journal);
    ck_assert_uint_ge(at_kill, 1);
    ck_assert_uint_lt(at_kill, total);
    char *csv = in_dir("killed/sweep.csv");
    ck_assert(!exists(csv));                    /* outputs only when complete */

    /* Without --resume the directory is refused; with it the sweep ends. */
    char *args, *out, *err;
    ck_assert_int_ge(asprintf(&args, "sweep '%s' -q -o '%s'", sw, kdir), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "--resume"));
    free(args), free(out), free(err);
    ck_assert_int_ge(asprintf(&args, "sweep '%s' -o '%s' -j 2 --resume", sw, kdir), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "already done"));
    free(args), free(out), free(err);
    ck_assert_uint_eq(journal_runs(journal), total);   /* nothing lost, nothing twice */

    run_ok("sweep '%s' -q -o '%s/whole'", sw, dir);
    same_outputs("killed", "whole");
    /* resuming a finished sweep changes nothing */
    run_ok("sweep '%s' -q --resume -o '%s'", sw, kdir);
    same_outputs("killed", "whole");
    free(sw), free(kdir), free(journal), free(csv);
}
END_TEST

START_TEST(test_resume_other_sweep_refused)
{
    char *sw = write_file("g.xml", grid_xml), *other_text = strdup(grid_xml);
    memcpy(strstr(other_text, "10 20 40"), "10 20 50", 8);
    char *other = write_file("other.xml", other_text);
    run_ok("sweep '%s' -q -o '%s/r'", sw, dir);
    char *csv = in_dir("r/sweep.csv"), *before = tu_slurp(csv, NULL), *args, *out, *err;
    ck_assert_int_ge(asprintf(&args, "sweep '%s' -q --resume -o '%s/r'", other, dir), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "different sweep"));
    free(out), free(err);
    char *after = tu_slurp(csv, NULL);
    ck_assert_str_eq(before, after);
    /* a killed sweep has no manifest yet: the journal's hash decides */
    char *mf = in_dir("r/manifest.xml");
    ck_assert_int_eq(unlink(mf), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "different sweep"));
    free(out), free(err);
    /* nor may the base scenario change under a resumed sweep */
    char *base = in_dir("small.xml"), *changed = strdup(small_xml);
    memcpy(strstr(changed, "size=\"300\""), "size=\"301\"", 10);
    tu_write(base, changed);
    free(args);
    ck_assert_int_ge(asprintf(&args, "sweep '%s' -q --resume -o '%s/r'", sw, dir), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "base scenario changed"));
    free(out), free(err), free(args), free(base), free(changed);
    free(sw), free(other), free(other_text), free(csv), free(before), free(after), free(mf);
}
END_TEST

START_TEST(test_inline_base_and_hypercube_run)
{
    char *sw = write_file("inl.xml",
                          "<?xml version=\"1.0\"?>\n<sweep name=\"inl\" replications=\"2\">\n"
                          "  <base>\n"
                          "    <scenario name=\"in\">\n"
                          "      <run seed=\"9\" horizon_days=\"40\"/>\n"
                          "      <population size=\"200\"/>\n"
                          "      <contacts><erdos_renyi mean_degree=\"6\"/></contacts>\n"
                          "      <traffic rate_per_day=\"0.02\"/>\n"
                          "      <policy><retention days=\"20\"/></policy>\n"
                          "      <adversary><bulk_snapshot period_days=\"20\"/></adversary>\n"
                          "    </scenario>\n"
                          "  </base>\n"
                          "  <latin_hypercube points=\"4\" seed=\"2\">\n"
                          "    <parameter path=\"traffic@rate_per_day\" from=\"0.01\" to=\"0.04\"/>\n"
                          "  </latin_hypercube>\n"
                          "</sweep>\n");
    run_ok("sweep '%s' -q -o '%s/h1'", sw, dir);
    run_ok("sweep '%s' -q -j 2 -o '%s/h2'", sw, dir);
    same_outputs("h1", "h2");
    char *marginal = in_dir("h1/sweep-marginal.csv");
    ck_assert(!exists(marginal));                   /* the retention is not varied */
    free(marginal);
    struct tu_csv csv;
    char *p = in_dir("h1/sweep.csv");
    ck_assert_int_eq(tu_csv_read(p, &csv), 0);
    ck_assert_uint_eq(csv.nrows, 1 + 8);
    ck_assert_str_eq(csv.rows[0][2], "traffic@rate_per_day");
    tu_csv_free(&csv);
    free(p);
    /* an error in the inline base names the sweep file and its line */
    char *bad = write_file("inlbad.xml",
                           "<sweep name=\"x\">\n<base>\n<scenario name=\"in\">\n<run horizon_days=\"40\"/>\n"
                           "<population size=\"1\"/>\n<contacts><erdos_renyi mean_degree=\"6\"/></contacts>\n"
                           "<traffic rate_per_day=\"0.02\"/><policy><retention days=\"20\"/></policy>\n"
                           "<adversary><bulk_snapshot period_days=\"20\"/></adversary></scenario></base>\n"
                           "<grid><parameter path=\"population@size\"><values>10</values></parameter></grid></sweep>\n");
    char *args, *out, *err, *expect;
    ck_assert_int_ge(asprintf(&args, "validate '%s'", bad), 0);
    ck_assert_int_ge(asprintf(&expect, "%s:5:", bad), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 2);
    ck_assert_msg(strstr(err, expect) != NULL, "stderr lacks '%s':\n%s", expect, err);
    free(args), free(out), free(err), free(expect), free(bad), free(sw);
}
END_TEST

/* ---- several bases ---------------------------------------------------------------- */

/* Two bases (the second with more traffic, and a name a spreadsheet would
 * take for a formula) x two retentions x 3 replications. */
static const char bases_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<sweep name=\"mb\" replications=\"3\" seed=\"11\">\n"
    "  <base name=\"a\" file=\"small.xml\"/>\n"
    "  <base name=\"=b\" file=\"small2.xml\"/>\n"
    "  <grid><parameter path=\"policy/retention@days\"><values>10 20</values></parameter></grid>\n"
    "</sweep>\n";

static char *small2_text(void)
{
    char *t = strdup(small_xml);
    memcpy(strstr(t, "rate_per_day=\"0.02\""), "rate_per_day=\"0.03\"", 19);
    return t;
}

/* The last value of every metric of replication rep (1-based) in a run's
 * timeseries.csv, as written, by metric name (the sweep's row is that). */
static const char *last_value(const struct tu_csv *ts, int rep, const char *metric)
{
    const char *v = NULL;
    for (size_t r = 1; r < ts->nrows; r++)
        if (atoi(ts->rows[r][0]) == rep && strcmp(ts->rows[r][3], metric) == 0)
            v = ts->rows[r][4];
    return v;
}

/* Point `point` (1-based) of dir/one/sweep.csv, replication rep, has in
 * every metric column the bytes `exposim run BASE --set ...` writes for
 * that replication. */
static void same_as_run(const struct tu_csv *sw, int point, int rep, const char *base, const char *days)
{
    char *args, *out, *err, *o, *p;
    ck_assert_int_ge(asprintf(&o, "%s/run-%d-%d", dir, point, rep), 0);
    ck_assert_int_ge(asprintf(&args, "run -q '%s/%s' --set run@seed=11 --set run@replications=3 "
                                     "--set policy/retention@days=%s -o '%s'", dir, base, days, o), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
    ck_assert_int_ge(asprintf(&p, "%s/timeseries.csv", o), 0);
    struct tu_csv ts;
    ck_assert_int_eq(tu_csv_read(p, &ts), 0);
    size_t row = 0;
    for (size_t r = 1; r < sw->nrows && !row; r++)
        if (atoi(sw->rows[r][0]) == point && atoi(sw->rows[r][1]) == rep)
            row = r;
    ck_assert_uint_gt(row, 0);
    size_t compared = 0;
    for (size_t c = 4; c < sw->nfields[0]; c++) {
        const char *v = last_value(&ts, rep, sw->rows[0][c]);
        ck_assert_msg(v != NULL, "%s: no %s", p, sw->rows[0][c]);
        ck_assert_msg(strcmp(v, sw->rows[row][c]) == 0, "point %d, replication %d, %s: sweep %s, run %s", point, rep,
                      sw->rows[0][c], sw->rows[row][c], v);
        compared++;
    }
    ck_assert_uint_ge(compared, 8);
    tu_csv_free(&ts);
    free(args), free(out), free(err), free(o), free(p);
}

/* Bases as a dimension: the base column (guarded like any free text),
 * bases outermost; each point's replication r the same bytes as `exposim
 * run` of its base with the same seed (common random numbers across
 * bases), and the same as a sweep of that base alone; -j 2 and shards +
 * merge give the same bytes; the marginal day pairs points of one base
 * only; the manifest names each base. */
START_TEST(test_bases_crn_and_bytes)
{
    char *t2 = small2_text(), *b2 = write_file("small2.xml", t2), *sw = write_file("mb.xml", bases_xml);
    run_ok("sweep '%s' -q -o '%s/one'", sw, dir);
    struct tu_csv csv;
    char *p = in_dir("one/sweep.csv");
    ck_assert_int_eq(tu_csv_read(p, &csv), 0);
    ck_assert_uint_eq(csv.nrows, 1 + 12);
    ck_assert_str_eq(csv.rows[0][2], "base");
    ck_assert_str_eq(csv.rows[0][3], "policy/retention@days");
    for (size_t r = 1; r < csv.nrows; r++) {
        ck_assert_str_eq(csv.rows[r][2], r <= 6 ? "a" : "'=b");   /* outermost; "=b" guarded */
        ck_assert_str_eq(csv.rows[r][3], (r - 1) % 6 < 3 ? "10" : "20");
    }
    same_as_run(&csv, 1, 1, "small.xml", "10");
    same_as_run(&csv, 4, 2, "small2.xml", "20");
    same_as_run(&csv, 3, 3, "small2.xml", "10");
    /* the second base alone: the same rows, without the base column */
    char *alone = strdup(bases_xml);
    char *a = strstr(alone, "  <base name=\"a\"");
    memmove(a, strchr(a, '\n') + 1, strlen(strchr(a, '\n') + 1) + 1);
    char *nb = strstr(alone, "name=\"=b\" ");                   /* unnamed: no base column */
    memmove(nb, nb + 10, strlen(nb + 10) + 1);
    char *sw2 = write_file("alone.xml", alone);
    run_ok("sweep '%s' -q -o '%s/alone'", sw2, dir);
    struct tu_csv one;
    char *p2 = in_dir("alone/sweep.csv");
    ck_assert_int_eq(tu_csv_read(p2, &one), 0);
    ck_assert_uint_eq(one.nrows, 1 + 6);
    ck_assert_uint_eq(one.nfields[0] + 1, csv.nfields[0]);
    for (size_t r = 1; r < one.nrows; r++)
        for (size_t c = 3; c < one.nfields[0]; c++)
            ck_assert_str_eq(one.rows[r][c], csv.rows[6 + r][c + 1]);
    tu_csv_free(&one);
    free(p2), free(sw2), free(alone);
    tu_csv_free(&csv);
    free(p);

    /* sweep-summary.csv has the column; sweep-marginal.csv pairs within a base */
    p = in_dir("one/sweep-summary.csv");
    ck_assert_int_eq(tu_csv_read(p, &csv), 0);
    ck_assert_uint_eq(csv.nrows, 1 + 4);
    ck_assert_str_eq(csv.rows[0][1], "base");
    ck_assert_str_eq(csv.rows[4][1], "'=b");
    tu_csv_free(&csv);
    free(p);
    p = in_dir("one/sweep-marginal.csv");
    ck_assert_int_eq(tu_csv_read(p, &csv), 0);
    ck_assert_str_eq(csv.rows[0][1], "base");
    ck_assert_str_eq(csv.rows[0][2], "days_from");
    size_t er = 0;
    for (size_t r = 1; r < csv.nrows; r++)
        if (strcmp(csv.rows[r][0], "edge_recall") == 0) {
            ck_assert_str_eq(csv.rows[r][1], er ? "'=b" : "a");
            ck_assert_str_eq(csv.rows[r][2], "10");
            ck_assert_str_eq(csv.rows[r][3], "20");
            er++;
        }
    ck_assert_uint_eq(er, 2);
    tu_csv_free(&csv);
    free(p);

    /* the manifest: each base, its file, and each base as run */
    p = in_dir("one/manifest.xml");
    char *m = tu_slurp(p, NULL);
    ck_assert_ptr_nonnull(strstr(m, "<base name=\"a\" file=\""));
    /* each base file's own SHA-256 (sha256sum of small.xml's bytes) */
    char *small = in_dir("small.xml"), *cmd, *sum = NULL;
    ck_assert_int_ge(asprintf(&cmd, "sha256sum '%s'", small), 0);
    FILE *ps = popen(cmd, "r");
    char hex[80] = "";
    ck_assert_ptr_nonnull(ps);
    ck_assert_int_eq(fscanf(ps, "%64s", hex), 1);
    pclose(ps);
    ck_assert_int_ge(asprintf(&sum, "small.xml\" sha256=\"%s\"/>", hex), 0);
    ck_assert_msg(strstr(m, sum) != NULL, "the manifest lacks %s", sum);
    free(small), free(cmd), free(sum);
    ck_assert_ptr_nonnull(strstr(m, "<base name=\"=b\" file=\""));
    ck_assert_ptr_nonnull(strstr(m, "<base_as_run name=\"a\""));
    ck_assert_ptr_nonnull(strstr(m, "<base_as_run name=\"=b\""));
    ck_assert_ptr_nonnull(strstr(m, "rate_per_day=\"0.03\""));
    free(m), free(p);
    /* the report lists the bases */
    run_ok("plot -q '%s/one'", dir);
    p = in_dir("one/report.html");
    m = tu_slurp(p, NULL);
    ck_assert_ptr_nonnull(strstr(m, "<th>Base =b</th>"));
    free(m), free(p);
    p = in_dir("one/figures/plots.gp");            /* the name as given, not as guarded */
    m = tu_slurp(p, NULL);
    ck_assert_ptr_nonnull(strstr(m, "title '=b'"));
    free(m), free(p);

    /* -j 2, three shards merged: the same bytes */
    run_ok("sweep '%s' -q -j 2 -o '%s/j2'", sw, dir);
    same_outputs("one", "j2");
    for (int k = 1; k <= 3; k++)
        run_ok("sweep '%s' -q --shard %d/3 -o '%s/s%d'", sw, k, dir, k);
    run_ok("merge -q -o '%s/m' '%s/s3' '%s/s1' '%s/s2'", dir, dir, dir, dir);
    same_outputs("one", "m");
    p = in_dir("m/manifest.xml");
    m = tu_slurp(p, NULL);
    ck_assert_ptr_nonnull(strstr(m, "<base_as_run name=\"=b\""));
    free(m), free(p);

    /* validate counts the bases; a base's change is a different sweep */
    char *args, *out, *err;
    ck_assert_int_ge(asprintf(&args, "validate '%s'", sw), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "4 points x 3 replications = 12 runs, 2 bases, 1 parameter"));
    free(args), free(out), free(err);
    memcpy(strstr(t2, "size=\"300\""), "size=\"301\"", 10);
    tu_write(b2, t2);
    ck_assert_int_ge(asprintf(&args, "sweep '%s' -q --resume -o '%s/one'", sw, dir), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "different sweep"));
    free(args), free(out), free(err);
    free(t2), free(b2), free(sw);
}
END_TEST

/* Several bases: a base that is not a valid scenario (its own FILE:LINE,
 * then the sweep's), bases whose seeds differ when the sweep sets none, a
 * base file over the 16 MiB bound; the validate estimate names the largest
 * base. */
START_TEST(test_bases_bad)
{
    char *b2 = write_file("big.xml", small_xml);
    char *t = strdup(small_xml);
    memcpy(strstr(t, "size=\"300\""), "size=\"-30\"", 10);
    char *bad = write_file("badbase.xml", t);
    free(t);
    char *sweep;
    ck_assert_int_ge(asprintf(&sweep, "<?xml version=\"1.0\"?>\n<sweep name=\"x\" seed=\"1\">\n"
                                      "  <base name=\"a\" file=\"small.xml\"/>\n  <base name=\"b\" file=\"badbase.xml\"/>\n"
                                      "</sweep>\n"), 0);
    expect_rejected(sweep, NULL, "base 'b': ", 0);
    char *sw = in_dir("bad.xml"), *args, *out, *err, *want;
    ck_assert_int_ge(asprintf(&args, "validate '%s'", sw), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 2);
    ck_assert_int_ge(asprintf(&want, "%s:4: base 'b': %s is not a valid scenario", sw, bad), 0);
    ck_assert_msg(strstr(err, want) != NULL, "stderr lacks '%s':\n%s", want, err);
    free(want);
    ck_assert_int_ge(asprintf(&want, "%s:4:", bad), 0);          /* the base's own line */
    ck_assert_msg(strstr(err, want) != NULL, "stderr lacks '%s':\n%s", want, err);
    free(want), free(args), free(out), free(err), free(sweep);

    /* seeds differ (5 and 6) and the sweep sets none */
    t = strdup(small_xml);
    memcpy(strstr(t, "seed=\"5\""), "seed=\"6\"", 8);
    tu_write(b2, t);
    expect_rejected("<sweep name=\"x\">\n<base name=\"a\" file=\"small.xml\"/>\n<base name=\"b\" file=\"big.xml\"/>\n"
                    "</sweep>\n", NULL, "base 'b' has run@seed=\"6\", base 'a' \"5\": set seed=", 1);
    /* ... with seed on <sweep>, a larger population is run; validate's
     * estimate names the largest base */
    memcpy(strstr(t, "size=\"300\""), "size=\"900\"", 10);
    tu_write(b2, t);
    char *ok = write_file("ok.xml", "<sweep name=\"x\" seed=\"2\">\n<base name=\"a\" file=\"small.xml\"/>\n"
                                    "<base name=\"big one\" file=\"big.xml\"/>\n<base name=\"c\" file=\"small.xml\"/>\n"
                                    "</sweep>\n");
    ck_assert_int_ge(asprintf(&args, "validate '%s'", ok), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
    ck_assert_msg(strstr(out, "the largest point (2, base=big one)") != NULL, "%s", out);
    free(args), free(out), free(err), free(t);
    /* a base file over the bound (16 MiB): refused before it is read */
    FILE *f = fopen(b2, "w");
    ck_assert_ptr_nonnull(f);
    fputs(small_xml, f);
    for (int i = 0; i < 17 * 1024; i++)
        fprintf(f, "<!-- %1013d -->\n", i);
    fclose(f);
    expect_rejected("<sweep name=\"x\" seed=\"2\">\n<base name=\"a\" file=\"small.xml\"/>\n"
                    "<base name=\"b\" file=\"big.xml\"/>\n</sweep>\n", NULL, "more than the 16777216 allowed", 0);
    expect_rejected("<sweep name=\"x\" seed=\"2\">\n<base name=\"a\" file=\"small.xml\"/>\n"
                    "<base name=\"b\" file=\"big.xml\"/>\n</sweep>\n", NULL, "bad.xml:3: base 'b': its scenario file", 0);
    free(ok), free(sw), free(bad), free(b2);
}
END_TEST

Suite *sweep_suite(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("run");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_bad_inputs);
    tcase_add_test(tc, test_outputs_and_crn);
    tcase_add_test(tc, test_jobs_and_shards_same_bytes);
    tcase_add_test(tc, test_kill_and_resume);
    tcase_add_test(tc, test_resume_other_sweep_refused);
    tcase_add_test(tc, test_inline_base_and_hypercube_run);
    tcase_add_test(tc, test_marginal_closed_form);
    tcase_add_test(tc, test_bases_crn_and_bytes);
    tcase_add_test(tc, test_bases_bad);
    suite_add_tcase(s, tc);
    return s;
}
