/* check_cli — the program end to end: commands, results read back with
 * libcsv and libxml2, bad input (one clear FILE:LINE message, status 2,
 * nothing written), and determinism (same seed, same bytes). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "suites.h"
#include "testutil.h"

/* A small, fast scenario: 300 people, 60 days, 20-day log, snapshots every
 * 20 days (3 acquisitions). */
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

static char *dir;          /* per-test scratch directory */

static void setup(void) { dir = tu_mkdtemp(); ck_assert_ptr_nonnull(dir); }
static void teardown(void) { tu_rmtree(dir); free(dir); dir = NULL; }

static char *in_dir(const char *name)
{
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
    return p;
}

static char *write_scenario(const char *name, const char *text)
{
    char *p = in_dir(name);
    tu_write(p, text);
    return p;
}

/* Replace the first occurrence of `from` in small_xml by `to`. */
static char *variant(const char *from, const char *to)
{
    const char *at = strstr(small_xml, from);
    ck_assert_msg(at != NULL, "test bug: '%s' not in the scenario", from);
    char *out;
    ck_assert_int_ge(asprintf(&out, "%.*s%s%s", (int)(at - small_xml), small_xml, to, at + strlen(from)), 0);
    return out;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

START_TEST(test_help_version_usage)
{
    char *out, *err;
    ck_assert_int_eq(tu_exposim("--help", &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "usage: exposim run"));
    ck_assert_ptr_nonnull(strstr(out, "--set PATH=VALUE"));
    free(out), free(err);
    ck_assert_int_eq(tu_exposim("--version", &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "exposim " EXPOSIM_VERSION));
    free(out), free(err);
    ck_assert_int_eq(tu_exposim("", &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "usage:"));
    free(out), free(err);
    ck_assert_int_eq(tu_exposim("frobnicate", &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "unknown command"));
    free(out), free(err);
    char *scen = write_scenario("s.xml", small_xml), *args;
    ck_assert_int_ge(asprintf(&args, "run '%s' --bogus", scen), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "unknown option '--bogus'"));
    ck_assert_ptr_nonnull(strstr(err, "usage:"));
    free(out), free(err), free(args), free(scen);
    /* every command has its own --help (anywhere among its arguments) */
    static const char *const cmds[] = { "run", "generate", "validate", "sweep", "merge", "plot", "compare" };
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        char *want;
        ck_assert_int_ge(asprintf(&want, "usage: exposim %s", cmds[i]), 0);
        ck_assert_int_ge(asprintf(&args, "%s x.xml --help", cmds[i]), 0);
        ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
        ck_assert_msg(strstr(out, want), "%s: %s", args, out);
        free(out), free(err), free(args);
        ck_assert_int_ge(asprintf(&args, "help %s", cmds[i]), 0);
        ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
        ck_assert_msg(strstr(out, want), "%s: %s", args, out);
        free(out), free(err), free(args), free(want);
    }
    ck_assert_int_eq(tu_exposim("help frobnicate", &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "not a command"));
    free(out), free(err);
}
END_TEST

/* run's progress line: on a terminal (script(1) gives the run one), the
 * replications done, their rate and the time left; nothing with -q, and
 * nothing when standard error is not a terminal. */
START_TEST(test_progress_on_terminal)
{
    char *scen = write_scenario("s.xml", small_xml), *pdir = in_dir("p"), *args, *out, *err;
    ck_assert_int_ge(asprintf(&args, "run '%s' -o '%s' --set population@size=200 --replications 3", scen, pdir), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
    ck_assert_msg(!strstr(out, "replication 3/3") && !strstr(err, "replication 3/3"), "progress without a terminal");
    free(out), free(err), free(args);
    char *cmd;
    ck_assert_int_ge(asprintf(&cmd, "script -qec \"'%s' run '%s' -o '%s' --set population@size=200 "
                                    "--replications 3\" /dev/null", tu_bin(), scen, pdir), 0);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, p);
    buf[n] = '\0';
    ck_assert_int_eq(pclose(p), 0);
    ck_assert_msg(strstr(buf, "replication 3/3, ") && strstr(buf, " per second, ") && strstr(buf, " s left"),
                  "no progress on a terminal: %s", buf);
    free(cmd);
    ck_assert_int_ge(asprintf(&cmd, "script -qec \"'%s' run -q '%s' -o '%s' --set population@size=200 "
                                    "--replications 3\" /dev/null", tu_bin(), scen, pdir), 0);
    p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    n = fread(buf, 1, sizeof buf - 1, p);
    buf[n] = '\0';
    ck_assert_int_eq(pclose(p), 0);
    ck_assert_msg(!strstr(buf, "replication"), "progress under -q: %s", buf);
    free(cmd), free(scen), free(pdir);
}
END_TEST

START_TEST(test_run_writes_results)
{
    char *scen = write_scenario("s.xml", small_xml), *out_dir = in_dir("out"), *args, *out, *err;
    ck_assert_int_ge(asprintf(&args, "run '%s' -o '%s' --set population@size=400 --replications 2",
                              scen, out_dir), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "results:"));
    ck_assert_ptr_nonnull(strstr(out, "N = 400"));
    ck_assert_ptr_nonnull(strstr(out, "edge_recall"));

    /* timeseries.csv: 2 replications x 3 acquisitions x 9 metrics (docs/metrics.md) */
    char *ts = in_dir("out/timeseries.csv");
    struct tu_csv csv;
    ck_assert_int_eq(tu_csv_read(ts, &csv), 0);
    ck_assert_uint_eq(csv.nrows, 1 + 2 * 3 * 9);
    const char *header[] = { "replication", "acquisition", "day", "metric", "value" };
    for (int f = 0; f < 5; f++)
        ck_assert_str_eq(csv.rows[0][f], header[f]);
    int saw_recall_day60 = 0;
    for (size_t r = 1; r < csv.nrows; r++) {
        ck_assert_uint_eq(csv.nfields[r], 5);
        int rep = atoi(csv.rows[r][0]), acq = atoi(csv.rows[r][1]);
        ck_assert(rep == 1 || rep == 2);
        ck_assert(acq >= 1 && acq <= 3);
        ck_assert_double_eq_tol(atof(csv.rows[r][2]), 20.0 * acq, 1e-9);
        double v = atof(csv.rows[r][4]);
        if (strcmp(csv.rows[r][3], "edge_recall") == 0 || strcmp(csv.rows[r][3], "node_coverage") == 0)
            ck_assert(v >= 0 && v <= 1);
        if (strcmp(csv.rows[r][3], "covered_days") == 0)
            ck_assert_double_eq_tol(v, 20.0 * acq, 1e-9);
        if (strcmp(csv.rows[r][3], "edge_recall") == 0 && acq == 3)
            saw_recall_day60++;
    }
    ck_assert_int_eq(saw_recall_day60, 2);
    tu_csv_free(&csv);

    /* summary.csv: one row per metric, n = 2 */
    char *sm = in_dir("out/summary.csv");
    ck_assert_int_eq(tu_csv_read(sm, &csv), 0);
    ck_assert_uint_eq(csv.nrows, 1 + 9);
    ck_assert_str_eq(csv.rows[0][0], "metric");
    ck_assert_str_eq(csv.rows[0][5], "n");
    for (size_t r = 1; r < csv.nrows; r++) {
        ck_assert_str_eq(csv.rows[r][5], "2");
        double mean = atof(csv.rows[r][1]), lo = atof(csv.rows[r][3]), hi = atof(csv.rows[r][4]);
        ck_assert(lo <= mean && mean <= hi);
    }
    tu_csv_free(&csv);

    /* manifest.xml: the scenario as run, with the override, and seeds */
    char *mf = in_dir("out/manifest.xml");
    xmlDocPtr doc = xmlReadFile(mf, NULL, XML_PARSE_NONET);
    ck_assert_ptr_nonnull(doc);
    xmlXPathContextPtr xp = xmlXPathNewContext(doc);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(
        BAD_CAST "string(/manifest/scenario_as_run/scenario/population/@size)", xp);
    ck_assert_str_eq((const char *)o->stringval, "400");
    xmlXPathFreeObject(o);
    o = xmlXPathEvalExpression(BAD_CAST "count(/manifest/seeds/replication)", xp);
    ck_assert_double_eq(o->floatval, 2);
    xmlXPathFreeObject(o);
    o = xmlXPathEvalExpression(BAD_CAST "string(/manifest/scenario_as_run/scenario/run/@replications)", xp);
    ck_assert_str_eq((const char *)o->stringval, "2");
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(xp);
    xmlFreeDoc(doc);

    /* no temporary files left behind */
    char *cmd;
    ck_assert_int_ge(asprintf(&cmd, "test -z \"$(ls -A '%s' | grep '^\\.')\"", out_dir), 0);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd), free(ts), free(sm), free(mf), free(out), free(err), free(args), free(scen), free(out_dir);
}
END_TEST

START_TEST(test_validate)
{
    char *out, *err, *args, *base = tu_top("scenarios/baseline.xml");
    ck_assert_int_ge(asprintf(&args, "validate '%s'", base), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "valid"));
    /* the estimate: N = 5000, mean degree 20, 0.01 a pair a day, 180
     * days: 2 x 50,000 x 0.01 x 180 = 180,000 lookups a replication */
    ck_assert_msg(strstr(out, "\nestimate: 1.8e+05 lookups, 1.8e+05 events, peak memory ") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "; 3.6e+06 events, ") != NULL, "%s", out);
    ck_assert_ptr_eq(strstr(out, "refuse"), NULL);
    free(out), free(err), free(args), free(base);
}
END_TEST

/* One bad input: exit 2, a message on stderr containing `expect` (and, when
 * `located`, a FILE:LINE: prefix), nothing written. */
static void expect_rejected(const char *scenario_text, const char *extra, const char *expect, int located)
{
    char *scen = write_scenario("bad.xml", scenario_text), *out_dir = in_dir("out-bad");
    char *args, *out, *err;
    ck_assert_int_ge(asprintf(&args, "run '%s' -o '%s' %s", scen, out_dir, extra ? extra : ""), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 2);
    ck_assert_msg(strstr(err, expect) != NULL, "stderr lacks '%s':\n%s", expect, err);
    if (located) {
        char *prefix;
        ck_assert_int_ge(asprintf(&prefix, "%s:", scen), 0);
        ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "no FILE:LINE prefix:\n%s", err);
        const char *line = err + strlen(prefix);
        ck_assert_msg(line[0] >= '1' && line[0] <= '9', "no line number:\n%s", err);
        free(prefix);
    }
    ck_assert_msg(!exists(out_dir), "output directory was created for a bad input");
    ck_assert_ptr_eq(strstr(out, "results:"), NULL);
    free(args), free(out), free(err), free(scen), free(out_dir);
}

/* Issue 16, point 3: a finite but absurd rate spun for ever inside the
 * traffic's draws.  Refused at once, before anything is written, with the
 * estimate: 300 people of mean degree 8 at 10^9 starts a pair a day are
 * 2.4e12 events a day, more than a day's batch can index. */
START_TEST(test_refuse_absurd_rate)
{
    expect_rejected(small_xml, "--set traffic@rate_per_day=1e9",
                    ": refused: 2.4e+12 events expected in one day, more than the 4.29e+09 one day can hold "
                    "(estimate: 1.44e+14 lookups, 1.44e+14 events, peak memory ", 0);
    /* validate says so, and exits 0: the scenario is valid */
    char *scen = write_scenario("big.xml", small_xml), *args, *out, *err;
    ck_assert_int_ge(asprintf(&args, "validate '%s' --set traffic@rate_per_day=1e9", scen), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
    ck_assert_msg(strstr(out, "\nrun would refuse it: refused: 2.4e+12 events expected in one day") != NULL, "%s", out);
    free(args), free(out), free(err), free(scen);
}
END_TEST

/* --memory-limit: below the estimate, refused with the estimate and the
 * limit; --force runs it; a size that is not one is a usage error. */
START_TEST(test_memory_limit)
{
    expect_rejected(small_xml, "--memory-limit 2M",
                    ": refused: needs about ", 0);
    expect_rejected(small_xml, "--memory-limit 2M", "MiB, more than the 2.0 MiB limit given (estimate: ", 0);
    expect_rejected(small_xml, "--memory-limit 2M", "); --memory-limit SIZE sets another limit, --force runs it anyway", 0);
    expect_rejected(small_xml, "--memory-limit 2x",
                    "exposim: --memory-limit needs a size in bytes, at least 1M, e.g. 4G or 512M (got '2x')", 0);
    expect_rejected(small_xml, "--memory-limit 1000", "at least 1M", 0);
    char *scen = write_scenario("s.xml", small_xml), *out_dir = in_dir("forced"), *args, *out, *err;
    ck_assert_int_ge(asprintf(&args, "run -q '%s' -o '%s' --memory-limit=2MiB --force", scen, out_dir), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
    free(args), free(out), free(err);
    ck_assert_int_ge(asprintf(&args, "run -q '%s' -o '%s' --memory-limit 1G", scen, out_dir), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
    ck_assert_msg(exists(out_dir), "no results");
    free(args), free(out), free(err);
    ck_assert_int_ge(asprintf(&args, "generate '%s' -o '%s' --force", scen, out_dir), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 2);
    ck_assert_msg(strstr(err, "generate builds one world and runs nothing") != NULL, "%s", err);
    free(args), free(out), free(err), free(scen), free(out_dir);
}
END_TEST

START_TEST(test_bad_malformed)
{
    expect_rejected("<scenario name=\"x\">\n<run horizon_days=\"3\">\n</scenario>\n", NULL, "", 1);
}
END_TEST

START_TEST(test_bad_unknown_element)
{
    char *t = variant("<population", "<populace size=\"3\"/>\n  <population");
    expect_rejected(t, NULL, "populace", 1);
    free(t);
}
END_TEST

START_TEST(test_bad_unknown_attribute)
{
    char *t = variant("size=\"300\"", "size=\"300\" colour=\"blue\"");
    expect_rejected(t, NULL, "colour", 1);
    free(t);
}
END_TEST

START_TEST(test_bad_population_size)
{
    char *t = variant("size=\"300\"", "size=\"0\"");
    expect_rejected(t, NULL, "size", 1);
    free(t);
    t = variant("size=\"300\"", "size=\"-5\"");
    expect_rejected(t, NULL, "size", 1);
    free(t);
}
END_TEST

START_TEST(test_bad_mean_degree)
{
    char *t = variant("mean_degree=\"8\"", "mean_degree=\"300\"");
    expect_rejected(t, NULL, "mean_degree", 1);
    free(t);
}
END_TEST

START_TEST(test_bad_retention_zero)
{
    char *t = variant("days=\"20\"", "days=\"0\"");
    expect_rejected(t, NULL, "days", 1);
    free(t);
    expect_rejected(small_xml, "--set policy/retention@days=0", "--set policy/retention@days=0", 1);
}
END_TEST

START_TEST(test_bad_horizon_before_first_snapshot)
{
    char *t = variant("horizon_days=\"60\"", "horizon_days=\"10\"");
    expect_rejected(t, NULL, "after the horizon", 1);
    free(t);
}
END_TEST

START_TEST(test_bad_seed)
{
    expect_rejected(small_xml, "--seed 4294967296", "seed", 1);
    expect_rejected(small_xml, "--seed -1", "seed", 1);
    expect_rejected(small_xml, "--seed abc", "seed", 1);
}
END_TEST

START_TEST(test_bad_set_path)
{
    expect_rejected(small_xml, "--set nosuch@x=1", "--set nosuch@x=1", 0);
    expect_rejected(small_xml, "--set population@size", "expected PATH=VALUE", 0);
}
END_TEST

START_TEST(test_bad_doctype)
{
    expect_rejected("<?xml version=\"1.0\"?>\n<!DOCTYPE scenario [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                    "<scenario name=\"&x;\"/>\n", NULL, "DOCTYPE", 1);
}
END_TEST

START_TEST(test_bad_missing_file)
{
    char *out_dir = in_dir("out-missing"), *args, *out, *err;
    ck_assert_int_ge(asprintf(&args, "run '%s/nope.xml' -o '%s'", dir, out_dir), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "nope.xml: cannot open"));
    ck_assert(!exists(out_dir));
    free(args), free(out), free(err), free(out_dir);
}
END_TEST

START_TEST(test_bad_output_dir)
{
    char *scen = write_scenario("s.xml", small_xml), *file = in_dir("plainfile"), *args, *out, *err;
    tu_write(file, "not a directory\n");
    ck_assert_int_ge(asprintf(&args, "run '%s' -o '%s/sub'", scen, file), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "output"));
    free(args), free(out), free(err);
    if (geteuid() != 0) {                   /* root can write anywhere */
        char *ro = in_dir("readonly");
        ck_assert_int_eq(mkdir(ro, 0555), 0);
        ck_assert_int_ge(asprintf(&args, "run '%s' -o '%s'", scen, ro), 0);
        ck_assert_int_eq(tu_exposim(args, &out, &err), 2);
        ck_assert_ptr_nonnull(strstr(err, "cannot write"));
        free(args), free(out), free(err), free(ro);
    }
    free(scen), free(file);
}
END_TEST


/* Private contact discovery: the queried number never reaches the log, so
 * no acquisition yields a pair: recall 0, no person found, precision NA. */
START_TEST(test_private_contact_discovery)
{
    char *scen = write_scenario("s.xml", small_xml), *args, *out, *err;
    ck_assert_int_ge(asprintf(&args, "run '%s' -q -o '%s/pcd' --set policy/retention@days=20 "
                              "--set 'policy/logging@private_contact_discovery=true'", scen, dir), 0);
    /* <logging> is optional and absent from small_xml: --set cannot create it */
    ck_assert_int_eq(tu_exposim(args, &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "no child element 'logging'"));
    free(args), free(out), free(err), free(scen);
    char *t = variant("<policy><retention days=\"20\"/></policy>",
                      "<policy><retention days=\"20\"/><logging private_contact_discovery=\"true\"/></policy>");
    scen = write_scenario("pcd.xml", t);
    ck_assert_int_ge(asprintf(&args, "run '%s' -q -o '%s/pcd'", scen, dir), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
    char *ts = in_dir("pcd/timeseries.csv");
    struct tu_csv csv;
    ck_assert_int_eq(tu_csv_read(ts, &csv), 0);
    int seen = 0;
    for (size_t r = 1; r < csv.nrows; r++) {
        const char *m = csv.rows[r][3], *v = csv.rows[r][4];
        if (strcmp(m, "edge_recall") == 0 || strcmp(m, "node_coverage") == 0) {
            ck_assert_str_eq(v, "0");
            seen++;
        }
        if (strcmp(m, "edge_precision") == 0)
            ck_assert_str_eq(v, "NA");
        if (strcmp(m, "lookups") == 0)
            ck_assert(atof(v) > 500);           /* the lookups happened all the same: ~48 a day */
    }
    ck_assert_int_eq(seen, 2 * 3 * 3);          /* 2 metrics x 3 acquisitions x 3 replications */
    tu_csv_free(&csv);
    free(ts), free(t), free(args), free(out), free(err), free(scen);
}
END_TEST

/* A plain hash of the queried number protects nothing: numbers are
 * enumerable, so the adversary reads every record, and the results are the
 * same bytes as with the number kept. */
START_TEST(test_plain_hash_is_no_protection)
{
    const char *modes[] = { "kept", "plain_hash" };
    char *files[2];
    for (int i = 0; i < 2; i++) {
        char *logging, *t, *name, *args, *out, *err;
        ck_assert_int_ge(asprintf(&logging, "<policy><retention days=\"20\"/><logging queried_number=\"%s\"/></policy>",
                                  modes[i]), 0);
        t = variant("<policy><retention days=\"20\"/></policy>", logging);
        ck_assert_int_ge(asprintf(&name, "h%d.xml", i), 0);
        char *scen = write_scenario(name, t);
        ck_assert_int_ge(asprintf(&args, "run '%s' -q -o '%s/h%d'", scen, dir, i), 0);
        ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
        char *p;
        ck_assert_int_ge(asprintf(&p, "%s/h%d/timeseries.csv", dir, i), 0);
        files[i] = tu_slurp(p, NULL);
        ck_assert_ptr_nonnull(files[i]);
        free(p), free(logging), free(t), free(name), free(scen), free(args), free(out), free(err);
    }
    ck_assert_str_eq(files[0], files[1]);
    free(files[0]), free(files[1]);
}
END_TEST

START_TEST(test_bad_sampling)
{
    char *t0 = variant("<policy><retention days=\"20\"/></policy>",
                       "<policy><retention days=\"20\"/>\n  <logging queried_number=\"keyed_hash\" key_rotation_days=\"0\"/></policy>");
    expect_rejected(t0, NULL, "a key rotation of 0 days", 1);
    free(t0);
    const char *bad[] = { "0", "1.5", "-0.1", "NaN" };
    for (int i = 0; i < 4; i++) {
        char *logging, *t;
        ck_assert_int_ge(asprintf(&logging, "<policy><retention days=\"20\"/>\n  <logging sampling=\"%s\"/></policy>",
                                  bad[i]), 0);
        t = variant("<policy><retention days=\"20\"/></policy>", logging);
        expect_rejected(t, NULL, "sampling", 1);
        free(logging), free(t);
    }
}
END_TEST


/* The adversary's bad input: each a FILE:LINE message, status 2, nothing
 * written (small_xml has 300 people and a 60-day horizon). */
START_TEST(test_bad_adversary)
{
    static const struct {
        const char *adversary, *expect;
    } cases[] = {
        { "<targets select=\"ids\" ids=\"3 300\"/><historical_order period_days=\"20\"/>", "person 300 does not exist" },
        { "<targets select=\"top_degree\" count=\"301\"/><historical_order period_days=\"20\"/>", "count" },
        { "<targets select=\"community\" community=\"0\"/><historical_order period_days=\"20\"/>", "true communities" },
        { "<historical_order period_days=\"20\"/>", "needs targets" },
        { "<targets count=\"5\"/><pen_register start_day=\"60\"/>", "after the horizon" },
        { "<targets count=\"5\"/><pen_register gap_days=\"61\" max_extensions=\"1\"/>", "longer than the horizon" },
        { "<targets count=\"5\"/><pen_register renewal_probability=\"1.5\"/>", "renewal_probability" },
        { "<targets count=\"5\"/><historical_order period_days=\"20\" start_day=\"61\"/>", "after the horizon" },
        { "<breach day=\"61\"/>", "after the horizon" },
        { "<targets count=\"5\" expand_depth=\"1\" expand_budget=\"-1\"/><historical_order period_days=\"20\"/>",
          "budget" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *adv, *t;
        ck_assert_int_ge(asprintf(&adv, "<adversary>\n    %s</adversary>", cases[i].adversary), 0);
        t = variant("<adversary><bulk_snapshot period_days=\"20\"/></adversary>", adv);
        expect_rejected(t, NULL, cases[i].expect, 1);
        free(adv), free(t);
    }
    /* a community that does not exist in a block model of 3 blocks */
    char *t = variant("<contacts><erdos_renyi mean_degree=\"8\"/></contacts>",
                      "<contacts><stochastic_block blocks=\"3\" p_in=\"0.05\" p_out=\"0.001\"/></contacts>");
    const char *from = "<adversary><bulk_snapshot period_days=\"20\"/></adversary>";
    char *at = strstr(t, from), *v;
    ck_assert_ptr_nonnull(at);
    ck_assert_int_ge(asprintf(&v, "%.*s<adversary>\n    <targets select=\"community\" community=\"3\"/>"
                              "<historical_order period_days=\"20\"/></adversary>%s",
                              (int)(at - t), t, at + strlen(from)), 0);
    expect_rejected(v, NULL, "community 3 does not exist", 1);
    free(t), free(v);
}
END_TEST

/* Same seed: the same bytes.  Another seed: other numbers. */
START_TEST(test_determinism)
{
    char *scen = write_scenario("s.xml", small_xml), *args, *out, *err;
    const char *runs[][2] = { { "a", "5" }, { "b", "5" }, { "c", "6" } };
    for (int i = 0; i < 3; i++) {
        ck_assert_int_ge(asprintf(&args, "run '%s' -q -o '%s/%s' --seed %s", scen, dir, runs[i][0], runs[i][1]), 0);
        ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
        ck_assert_str_eq(out, "");             /* --quiet */
        free(args), free(out), free(err);
    }
    const char *files[] = { "timeseries.csv", "summary.csv" };
    for (int f = 0; f < 2; f++) {
        char *pa, *pb, *pc;
        ck_assert_int_ge(asprintf(&pa, "%s/a/%s", dir, files[f]), 0);
        ck_assert_int_ge(asprintf(&pb, "%s/b/%s", dir, files[f]), 0);
        ck_assert_int_ge(asprintf(&pc, "%s/c/%s", dir, files[f]), 0);
        size_t la, lb, lc;
        char *a = tu_slurp(pa, &la), *b = tu_slurp(pb, &lb), *c = tu_slurp(pc, &lc);
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        ck_assert_ptr_nonnull(c);
        ck_assert_uint_eq(la, lb);
        ck_assert_int_eq(memcmp(a, b, la), 0);
        ck_assert(la != lc || memcmp(a, c, la) != 0);
        free(a), free(b), free(c), free(pa), free(pb), free(pc);
    }
    free(scen);
}
END_TEST

/* The graph metrics are reproducible too: community detection draws from
 * igraph's own generator, seeded from the metrics stream before each run.
 * A block graph with targets and non-contact lookups reports every one of
 * them; two runs with one seed write the same bytes. */
START_TEST(test_determinism_graph_metrics)
{
    static const char sbm_xml[] =
        "<?xml version=\"1.0\"?>\n"
        "<scenario name=\"sbm\">\n"
        "  <run seed=\"3\" replications=\"2\" horizon_days=\"60\"/>\n"
        "  <population size=\"600\"/>\n"
        "  <contacts><stochastic_block blocks=\"6\" p_in=\"0.1\" p_out=\"0.005\"/></contacts>\n"
        "  <traffic rate_per_day=\"0.02\" noncontact_per_day=\"0.02\"/>\n"
        "  <policy><retention days=\"20\"/></policy>\n"
        "  <adversary><targets select=\"random\" count=\"10\"/><bulk_snapshot period_days=\"20\"/></adversary>\n"
        "</scenario>\n";
    char *scen = write_scenario("sbm.xml", sbm_xml), *args, *out, *err;
    char *ts[2];
    size_t len[2];
    for (int i = 0; i < 2; i++) {
        ck_assert_int_ge(asprintf(&args, "run '%s' -q -o '%s/g%d'", scen, dir, i), 0);
        ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
        free(args), free(out), free(err);
        char *p;
        ck_assert_int_ge(asprintf(&p, "%s/g%d/timeseries.csv", dir, i), 0);
        ts[i] = tu_slurp(p, &len[i]);
        ck_assert_ptr_nonnull(ts[i]);
        free(p);
    }
    const char *names[] = { "\"ego_precision\"", "\"khop_coverage_1\"", "\"khop_coverage_2\"",
                            "\"target_covered_days\"", "\"target_holes\"", "\"degree_ks\"", "\"community_nmi\"" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ck_assert_msg(strstr(ts[0], names[i]) != NULL, "%s not reported", names[i]);
    ck_assert_uint_eq(len[0], len[1]);
    ck_assert_int_eq(memcmp(ts[0], ts[1], len[0]), 0);
    free(ts[0]), free(ts[1]), free(scen);
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_help_version_usage);
    tcase_add_test(tc, test_progress_on_terminal);
    tcase_add_test(tc, test_run_writes_results);
    tcase_add_test(tc, test_validate);
    tcase_add_test(tc, test_refuse_absurd_rate);
    tcase_add_test(tc, test_memory_limit);
    tcase_add_test(tc, test_bad_malformed);
    tcase_add_test(tc, test_bad_unknown_element);
    tcase_add_test(tc, test_bad_unknown_attribute);
    tcase_add_test(tc, test_bad_population_size);
    tcase_add_test(tc, test_bad_mean_degree);
    tcase_add_test(tc, test_bad_retention_zero);
    tcase_add_test(tc, test_bad_horizon_before_first_snapshot);
    tcase_add_test(tc, test_bad_seed);
    tcase_add_test(tc, test_bad_set_path);
    tcase_add_test(tc, test_bad_doctype);
    tcase_add_test(tc, test_bad_missing_file);
    tcase_add_test(tc, test_bad_output_dir);
    tcase_add_test(tc, test_determinism);
    tcase_add_test(tc, test_determinism_graph_metrics);
    tcase_add_test(tc, test_private_contact_discovery);
    tcase_add_test(tc, test_plain_hash_is_no_protection);
    tcase_add_test(tc, test_bad_sampling);
    tcase_add_test(tc, test_bad_adversary);
    suite_add_tcase(s, tc);
    return s;
}
