/* check_compare — `exposim compare` end to end on hand-written result
 * files: the paired mean, sd and Student-t interval of B − A and the Welch
 * interval against values computed independently (Python, the formulas
 * of compare.h); a replication NA on one side left out; a metric one side
 * lacks left out; differences.csv after every acquisition, and none when
 * the runs acquire on different days; two sweep points (DIR:P) and every
 * point against a reference point (paired-summary.csv, the reference's row
 * 0, the others equal to the two-point comparison); the figures and the
 * report drawn; bad input with status 2 and nothing written. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <check.h>
#include <gsl/gsl_cdf.h>

#include "suites.h"
#include "testutil.h"

static char *path_of(const char *dir, const char *name)
{
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
    return p;
}

static void write_in(const char *dir, const char *name, const char *text)
{
    mkdir(dir, 0777);
    char *p = path_of(dir, name);
    tu_write(p, text);
    free(p);
}

static double cell(const struct tu_csv *c, size_t r, const char *col)
{
    int j = tu_csv_col(c, col);
    ck_assert_msg(j >= 0, "no column %s", col);
    return strcmp(c->rows[r][j], "NA") == 0 ? NAN : strtod(c->rows[r][j], NULL);
}

static int exists(const char *dir, const char *name)
{
    char *p = path_of(dir, name);
    struct stat sb;
    int ok = stat(p, &sb) == 0;
    free(p);
    return ok;
}

/* Two runs of four replications, two acquisitions each. */
static void two_runs(const char *a, const char *b, int other_days)
{
    write_in(a, "timeseries.csv",
             "replication,acquisition,day,metric,value\n"
             "1,1,30,\"m\",0.05\n1,1,30,\"only_a\",1\n1,2,60,\"m\",0.1\n1,2,60,\"z\",0.5\n"
             "2,1,30,\"m\",0.1\n2,2,60,\"m\",0.2\n2,2,60,\"z\",0.6\n"
             "3,1,30,\"m\",0.2\n3,2,60,\"m\",0.3\n3,2,60,\"z\",NA\n"
             "4,1,30,\"m\",0.3\n4,2,60,\"m\",0.4\n4,2,60,\"z\",0.7\n");
    char *text;
    ck_assert_int_ge(asprintf(&text,
                              "replication,acquisition,day,metric,value\n"
                              "1,1,30,\"m\",0.06\n1,2,%s,\"m\",0.15\n1,2,60,\"z\",0.5\n"
                              "2,1,30,\"m\",0.1\n2,2,60,\"m\",0.22\n2,2,60,\"z\",0.7\n"
                              "3,1,30,\"m\",0.3\n3,2,60,\"m\",0.38\n3,2,60,\"z\",0.9\n"
                              "4,1,30,\"m\",0.3\n4,2,60,\"m\",0.41\n4,2,60,\"z\",0.8\n",
                              other_days ? "61" : "60"), 0);
    write_in(b, "timeseries.csv", text);
    free(text);
}

START_TEST(test_compare_runs)
{
    char *dir = tu_mkdtemp(), *a = path_of(dir, "a"), *b = path_of(dir, "b"), *out = path_of(dir, "out");
    two_runs(a, b, 0);
    char *args, *err = NULL;
    ck_assert_int_ge(asprintf(&args, "compare '%s' '%s' -o '%s' --quiet", a, b, out), 0);
    int st = tu_exposim(args, NULL, &err);
    ck_assert_msg(st == 0, "status %d: %s", st, err);
    ck_assert_msg(!err || !*err, "stderr: %s", err);
    free(err);
    free(args);
    char *p = path_of(out, "compare.csv");
    struct tu_csv c;
    ck_assert_int_eq(tu_csv_read(p, &c), 0);
    free(p);
    ck_assert_uint_eq(c.nrows, 3);                /* m and z; only_a left out */
    ck_assert_str_eq(c.rows[1][0], "m");
    ck_assert_str_eq(c.rows[2][0], "z");
    /* m: A 0.1 0.2 0.3 0.4, B 0.15 0.22 0.38 0.41 (the last acquisition's) */
    ck_assert_double_eq_tol(cell(&c, 1, "mean_a"), 0.25, 1e-9);
    ck_assert_double_eq_tol(cell(&c, 1, "mean_b"), 0.29, 1e-9);
    ck_assert_double_eq_tol(cell(&c, 1, "diff_mean"), 0.04, 1e-9);
    ck_assert_double_eq_tol(cell(&c, 1, "diff_sd"), 0.03162277660168381, 1e-9);
    ck_assert_double_eq_tol(cell(&c, 1, "diff_ci95_low"), -0.010318894279429155, 1e-9);
    ck_assert_double_eq_tol(cell(&c, 1, "diff_ci95_high"), 0.09031889427942913, 1e-9);
    ck_assert_double_eq(cell(&c, 1, "n"), 4);
    double half = gsl_cdf_tdist_Pinv(0.975, 5.994266298577193) * 0.08990735972840784;
    ck_assert_double_eq_tol(cell(&c, 1, "indep_ci95_low"), 0.04 - half, 1e-8);
    ck_assert_double_eq_tol(cell(&c, 1, "indep_ci95_high"), 0.04 + half, 1e-8);
    ck_assert_double_eq_tol(cell(&c, 1, "width_ratio"), (0.09031889427942913 + 0.010318894279429155) / (2 * half),
                            1e-8);
    /* z: replication 3 is NA under A: three pairs, 0 0.1 0.1 */
    ck_assert_double_eq(cell(&c, 2, "n"), 3);
    ck_assert_double_eq_tol(cell(&c, 2, "diff_mean"), 0.2 / 3, 1e-9);
    tu_csv_free(&c);
    /* differences after every acquisition */
    p = path_of(out, "differences.csv");
    ck_assert_int_eq(tu_csv_read(p, &c), 0);
    free(p);
    ck_assert_uint_eq(c.nrows, 1 + 8 + 4);        /* m twice per replication, z once (NA where A is) */
    ck_assert_str_eq(c.rows[1][3], "m");
    ck_assert_double_eq_tol(cell(&c, 1, "value"), 0.01, 1e-9);
    ck_assert_double_eq(cell(&c, 1, "day"), 30);
    tu_csv_free(&c);
    ck_assert(exists(out, "manifest.xml"));
    ck_assert(exists(out, "report.html"));
    ck_assert(exists(out, "figures/m.png"));
    ck_assert(exists(out, "figures/differences.png"));
    /* runs acquiring on other days: no differences.csv, and an earlier one goes */
    tu_rmtree(b);
    two_runs(a, b, 1);
    ck_assert_int_ge(asprintf(&args, "compare '%s' '%s' -o '%s'", a, b, out), 0);
    char *o = NULL;
    err = NULL;
    st = tu_exposim(args, &o, &err);
    ck_assert_msg(st == 0, "status %d: %s", st, err);
    ck_assert_ptr_nonnull(strstr(o, "different days"));
    ck_assert_ptr_nonnull(strstr(o, "B - A over 4 paired replications"));
    free(o);
    free(err);
    free(args);
    ck_assert(!exists(out, "differences.csv"));
    ck_assert(exists(out, "compare.csv"));
    free(a);
    free(b);
    free(out);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* A sweep of three points, three replications (PATH column "p@x"). */
static void a_sweep(const char *sw)
{
    write_in(sw, "sweep-summary.csv", "point,p@x,m_mean,m_sd,m_ci95_low,m_ci95_high,m_n\n"
                                      "1,1,0,0,0,0,3\n2,2,0,0,0,0,3\n3,3,0,0,0,0,3\n");
    write_in(sw, "sweep.csv", "point,replication,p@x,m\n"
                              "1,1,1,0.5\n1,2,1,0.6\n1,3,1,0.7\n"
                              "2,1,2,0.55\n2,2,2,0.62\n2,3,2,0.78\n"
                              "3,1,3,0.9\n3,2,3,NA\n3,3,3,0.95\n");
}

START_TEST(test_compare_sweep_points)
{
    char *dir = tu_mkdtemp(), *sw = path_of(dir, "sw"), *out = path_of(dir, "out"), *ref = path_of(dir, "ref");
    a_sweep(sw);
    char *args, *err = NULL;
    ck_assert_int_ge(asprintf(&args, "compare '%s:1' '%s:2' -o '%s' -q", sw, sw, out), 0);
    int st = tu_exposim(args, NULL, &err);
    ck_assert_msg(st == 0, "status %d: %s", st, err);
    free(err);
    free(args);
    char *p = path_of(out, "compare.csv");
    struct tu_csv c;
    ck_assert_int_eq(tu_csv_read(p, &c), 0);
    free(p);
    ck_assert_uint_eq(c.nrows, 2);
    ck_assert_double_eq_tol(cell(&c, 1, "diff_mean"), (0.05 + 0.02 + 0.08) / 3, 1e-9);
    double d12 = cell(&c, 1, "diff_ci95_low");
    tu_csv_free(&c);
    ck_assert(!exists(out, "differences.csv"));   /* sweep points: final values only */
    ck_assert(exists(out, "figures/differences.svg"));
    /* every point against point 1 */
    ck_assert_int_ge(asprintf(&args, "compare '%s' --reference 1 -o '%s' -q", sw, ref), 0);
    err = NULL;
    st = tu_exposim(args, NULL, &err);
    ck_assert_msg(st == 0, "status %d: %s", st, err);
    free(err);
    free(args);
    p = path_of(ref, "paired-summary.csv");
    ck_assert_int_eq(tu_csv_read(p, &c), 0);
    free(p);
    ck_assert_uint_eq(c.nrows, 4);
    ck_assert_double_eq(cell(&c, 1, "m_mean"), 0);
    ck_assert_double_eq(cell(&c, 1, "m_ci95_high"), 0);
    ck_assert_double_eq_tol(cell(&c, 2, "m_ci95_low"), d12, 1e-9);
    ck_assert_double_eq(cell(&c, 3, "m_n"), 2);          /* point 3's replication 2 is NA */
    ck_assert_double_eq_tol(cell(&c, 3, "m_mean"), (0.4 + 0.25) / 2, 1e-9);
    ck_assert_str_eq(c.rows[2][1], "2");
    tu_csv_free(&c);
    ck_assert(exists(ref, "figures/m.png"));
    ck_assert(exists(ref, "report.html"));
    free(sw);
    free(out);
    free(ref);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

static void expect_bad(const char *args, const char *want)
{
    char *err = NULL;
    int st = tu_exposim(args, NULL, &err);
    ck_assert_msg(st == 2, "%s: status %d", args, st);
    ck_assert_msg(err && strstr(err, want), "%s: stderr '%s' lacks '%s'", args, err ? err : "", want);
    free(err);
}

START_TEST(test_compare_bad_input)
{
    char *dir = tu_mkdtemp(), *a = path_of(dir, "a"), *b = path_of(dir, "b"), *sw = path_of(dir, "sw"), *args;
    two_runs(a, b, 0);
    a_sweep(sw);
    ck_assert_int_ge(asprintf(&args, "compare '%s' '%s/none' -o '%s/o'", a, dir, dir), 0);
    expect_bad(args, "not a directory");
    free(args);
    ck_assert_int_ge(asprintf(&args, "compare '%s' '%s:9' -o '%s/o'", a, sw, dir), 0);
    expect_bad(args, "has no point 9");
    free(args);
    ck_assert_int_ge(asprintf(&args, "compare '%s' '%s' -o '%s/o'", a, sw, dir), 0);
    expect_bad(args, "no timeseries.csv here");
    free(args);
    char *c = path_of(dir, "c");
    write_in(c, "timeseries.csv", "replication,acquisition,day,metric,value\n1,1,30,\"other\",1\n");
    ck_assert_int_ge(asprintf(&args, "compare '%s' '%s' -o '%s/o'", a, c, dir), 0);
    expect_bad(args, "no metric in common");
    free(c);
    free(args);
    ck_assert_int_ge(asprintf(&args, "compare '%s' --reference 4 -o '%s/o'", sw, dir), 0);
    expect_bad(args, "has no point 4");
    free(args);
    ck_assert_int_ge(asprintf(&args, "compare '%s' -o '%s/o'", a, dir), 0);
    expect_bad(args, "compare needs two directories");
    free(args);
    write_in(b, "timeseries.csv", "replication,acquisition,day,metric,value\n1,1,30,\"m\",inf\n");
    ck_assert_int_ge(asprintf(&args, "compare '%s' '%s' -o '%s/o'", a, b, dir), 0);
    expect_bad(args, "timeseries.csv:2:");
    free(args);
    ck_assert(!exists(dir, "o"));                 /* nothing written */
    free(a);
    free(b);
    free(sw);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

Suite *compare_suite(void)
{
    Suite *s = suite_create("compare");
    TCase *tc = tcase_create("compare");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_compare_runs);
    tcase_add_test(tc, test_compare_sweep_points);
    tcase_add_test(tc, test_compare_bad_input);
    suite_add_tcase(s, tc);
    return s;
}
