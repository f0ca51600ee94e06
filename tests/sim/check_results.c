/* check_results — metric rows and the files they become: the summary's
 * mean, sample sd and Student-t 95% interval against values computed here,
 * the n = 1 and NaN rules, the interval of a share (logit scale, within
 * (0, 1), against values computed independently), the summary choosing it
 * from the metric table, "last value per replication", the CSV files read
 * back through libcsv, atomic and staged writes that leave no temporary
 * behind, and output-directory preparation. */
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <gsl/gsl_cdf.h>

#include "diag.h"
#include "results.h"
#include "sim.h"
#include "suites.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------------- */

static char *join(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *p = malloc(len);
    ck_assert_ptr_nonnull(p);
    snprintf(p, len, "%s/%s", dir, name);
    return p;
}

/* Number of entries in dir other than . and ..; *dot counts those whose
 * name starts with '.'. */
static size_t count_entries(const char *dir, size_t *dot)
{
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    size_t n = 0;
    *dot = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        if (e->d_name[0] == '.')
            (*dot)++;
    }
    closedir(d);
    return n;
}

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Relative closeness for values printed with %.10g (relative rounding
 * error at most 5e-10). */
static void assert_close10(const char *text, double want, const char *what)
{
    char *end;
    double got = strtod(text, &end);
    ck_assert_msg(end != text && *end == '\0', "%s: '%s' is not a number", what, text);
    ck_assert_msg(fabs(got - want) <= 6e-10 * fabs(want), "%s: %s, want %.17g", what, text, want);
}

/* Sample mean, sd and t interval computed here from the values. */
struct expect {
    double mean, sd, lo, hi;
};

static struct expect expected(const double *v, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    double mean = sum / (double)n, ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - mean) * (v[i] - mean);
    double sd = sqrt(ss / (double)(n - 1));
    double half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sd / sqrt((double)n);
    return (struct expect){ mean, sd, mean - half, mean + half };
}

/* ---- summary statistics --------------------------------------------------------- */

START_TEST(test_summary_values)
{
    /* Five replications, one value each: 1, 2.5, 4, 3, 7.5.
     *   mean = 18 / 5 = 3.6
     *   deviations -2.6, -1.1, 0.4, -0.6, 3.9; squares sum to
     *   6.76 + 1.21 + 0.16 + 0.36 + 15.21 = 23.7
     *   sd = sqrt(23.7 / 4) = sqrt(5.925)
     *   CI = 3.6 -+ t(0.975; 4) sd / sqrt(5), t(0.975; 4) = 2.776445105 */
    static const double v[] = { 1.0, 2.5, 4.0, 3.0, 7.5 };
    struct results r;
    results_init(&r);
    for (uint32_t i = 0; i < 5; i++)
        ck_assert_int_eq(results_add(&r, i, 1, 30, "recall", v[i]), 0);
    struct results_stat st = results_summary(&r, 0, 5);
    ck_assert_uint_eq(st.n, 5);
    double t = gsl_cdf_tdist_Pinv(0.975, 4);
    ck_assert_double_eq_tol(t, 2.776445105, 1e-8);    /* table value; guards the call */
    double sd = sqrt(5.925), half = t * sd / sqrt(5.0);
    /* Tolerances: a few ulps of round-off in sums of five terms. */
    ck_assert_double_eq_tol(st.mean, 3.6, 1e-12);
    ck_assert_double_eq_tol(st.sd, sd, 1e-12);
    ck_assert_double_eq_tol(st.lo, 3.6 - half, 1e-12);
    ck_assert_double_eq_tol(st.hi, 3.6 + half, 1e-12);
    /* and against the generic computation */
    struct expect e = expected(v, 5);
    ck_assert_double_eq_tol(st.lo, e.lo, 1e-12);
    ck_assert_double_eq_tol(st.hi, e.hi, 1e-12);
    results_destroy(&r);
}
END_TEST

START_TEST(test_summary_two)
{
    /* n = 2: values 10 and 14: mean 12, sd = sqrt(8) = 2.828..., t(0.975;1)
     * = 12.7062047; CI = 12 -+ 12.7062047 * 2 */
    struct results r;
    results_init(&r);
    ck_assert_int_eq(results_add(&r, 0, 1, 1, "m", 10), 0);
    ck_assert_int_eq(results_add(&r, 1, 1, 1, "m", 14), 0);
    struct results_stat st = results_summary(&r, 0, 2);
    ck_assert_uint_eq(st.n, 2);
    ck_assert_double_eq_tol(st.mean, 12, 1e-12);
    ck_assert_double_eq_tol(st.sd, sqrt(8.0), 1e-12);
    ck_assert_double_eq_tol(st.hi - st.mean, 2 * 12.7062047, 1e-6);
    ck_assert_double_eq_tol(st.mean - st.lo, 2 * 12.7062047, 1e-6);
    results_destroy(&r);
}
END_TEST

START_TEST(test_summary_n1)
{
    struct results r;
    results_init(&r);
    ck_assert_int_eq(results_add(&r, 0, 1, 30, "m", 0.25), 0);
    struct results_stat st = results_summary(&r, 0, 1);
    ck_assert_uint_eq(st.n, 1);
    ck_assert_double_eq(st.mean, 0.25);
    ck_assert(isnan(st.sd));
    ck_assert(isnan(st.lo));
    ck_assert(isnan(st.hi));
    results_destroy(&r);
}
END_TEST

START_TEST(test_summary_nan)
{
    /* Four replications; replication 2 ends with NaN (it had a number
     * before), replication 4 (of nrep = 5) reported nothing.  Only 1, 2
     * and 4 count: n = 3, mean 7/3. */
    struct results r;
    results_init(&r);
    ck_assert_int_eq(results_add(&r, 0, 1, 10, "p", 1.0), 0);
    ck_assert_int_eq(results_add(&r, 1, 1, 10, "p", 2.0), 0);
    ck_assert_int_eq(results_add(&r, 2, 1, 10, "p", 100.0), 0);
    ck_assert_int_eq(results_add(&r, 2, 2, 20, "p", NAN), 0);
    ck_assert_int_eq(results_add(&r, 3, 1, 10, "p", 4.0), 0);
    struct results_stat st = results_summary(&r, 0, 5);
    ck_assert_uint_eq(st.n, 3);
    static const double v[] = { 1, 2, 4 };
    struct expect e = expected(v, 3);
    ck_assert_double_eq_tol(st.mean, 7.0 / 3, 1e-12);
    ck_assert_double_eq_tol(st.sd, e.sd, 1e-12);
    ck_assert_double_eq_tol(st.lo, e.lo, 1e-12);
    ck_assert_double_eq_tol(st.hi, e.hi, 1e-12);

    /* all NaN: n = 0, everything undefined */
    ck_assert_int_eq(results_add(&r, 0, 1, 10, "q", NAN), 0);
    ck_assert_int_eq(results_add(&r, 1, 1, 10, "q", NAN), 0);
    st = results_summary(&r, 1, 2);
    ck_assert_uint_eq(st.n, 0);
    ck_assert(isnan(st.mean));
    ck_assert(isnan(st.sd));
    ck_assert(isnan(st.lo));
    ck_assert(isnan(st.hi));

    /* one number among NaNs: n = 1 */
    ck_assert_int_eq(results_add(&r, 2, 1, 10, "q", 3.5), 0);
    st = results_summary(&r, 1, 3);
    ck_assert_uint_eq(st.n, 1);
    ck_assert_double_eq(st.mean, 3.5);
    ck_assert(isnan(st.sd));

    /* nrep = 0 */
    st = results_summary(&r, 0, 0);
    ck_assert_uint_eq(st.n, 0);
    ck_assert(isnan(st.mean));
    results_destroy(&r);
}
END_TEST

START_TEST(test_summary_last_value)
{
    /* Several acquisitions per replication: the summary takes the value
     * after the last one.  rep 0: 10, 20, 30 -> 30; rep 1: 1, 2 -> 2;
     * rep 2: 5 -> 5.  Another metric interleaved must not interfere, and
     * rows of replications >= nrep are ignored. */
    struct results r;
    results_init(&r);
    ck_assert_int_eq(results_add(&r, 0, 1, 30, "m", 10), 0);
    ck_assert_int_eq(results_add(&r, 0, 1, 30, "other", -1), 0);
    ck_assert_int_eq(results_add(&r, 0, 2, 60, "m", 20), 0);
    ck_assert_int_eq(results_add(&r, 0, 3, 90, "m", 30), 0);
    ck_assert_int_eq(results_add(&r, 0, 3, 90, "other", -3), 0);
    ck_assert_int_eq(results_add(&r, 1, 1, 30, "m", 1), 0);
    ck_assert_int_eq(results_add(&r, 1, 2, 60, "m", 2), 0);
    ck_assert_int_eq(results_add(&r, 1, 2, 60, "other", -2), 0);
    ck_assert_int_eq(results_add(&r, 2, 1, 30, "m", 5), 0);
    ck_assert_int_eq(results_add(&r, 3, 1, 30, "m", 1000), 0);   /* rep 3: beyond nrep */
    ck_assert_uint_eq(r.nmetrics, 2);
    ck_assert_str_eq(r.metrics[0], "m");
    ck_assert_str_eq(r.metrics[1], "other");
    ck_assert_uint_eq(r.n, 10);

    struct results_stat st = results_summary(&r, 0, 3);
    static const double v[] = { 30, 2, 5 };
    struct expect e = expected(v, 3);
    ck_assert_uint_eq(st.n, 3);
    ck_assert_double_eq_tol(st.mean, 37.0 / 3, 1e-12);
    ck_assert_double_eq_tol(st.sd, e.sd, 1e-12);
    ck_assert_double_eq_tol(st.lo, e.lo, 1e-12);
    ck_assert_double_eq_tol(st.hi, e.hi, 1e-12);

    /* "other": rep 0 -> -3, rep 1 -> -2, rep 2 none: n = 2, mean -2.5 */
    st = results_summary(&r, 1, 3);
    ck_assert_uint_eq(st.n, 2);
    ck_assert_double_eq_tol(st.mean, -2.5, 1e-12);
    ck_assert_double_eq_tol(st.sd, sqrt(0.5), 1e-12);
    results_destroy(&r);
}
END_TEST

START_TEST(test_many_rows)
{
    /* Growth of the row and metric arrays (initial 256 and 16): 40 metrics
     * x 100 replications; metric k in replication i has value i + k, so the
     * mean over replications is 49.5 + k and sd that of 0..99. */
    struct results r;
    results_init(&r);
    char name[32];
    for (uint32_t i = 0; i < 100; i++)
        for (int k = 0; k < 40; k++) {
            snprintf(name, sizeof name, "metric_%d", k);
            if (results_add(&r, i, 1, 1, name, i + k) != 0)
                ck_abort_msg("results_add failed");
        }
    ck_assert_uint_eq(r.n, 4000);
    ck_assert_uint_eq(r.nmetrics, 40);
    double sd = sqrt(100.0 * 101 / 12);        /* sd of 0..99 with n - 1: sqrt(n (n + 1) / 12) */
    for (uint32_t k = 0; k < 40; k++) {
        snprintf(name, sizeof name, "metric_%u", k);
        ck_assert_str_eq(r.metrics[k], name);
        struct results_stat st = results_summary(&r, k, 100);
        ck_assert_uint_eq(st.n, 100);
        ck_assert_double_eq_tol(st.mean, 49.5 + k, 1e-9);
        ck_assert_double_eq_tol(st.sd, sd, 1e-9);
    }
    results_destroy(&r);
}
END_TEST

/* ---- CSV files -------------------------------------------------------------------- */

START_TEST(test_write_timeseries)
{
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    struct results r;
    results_init(&r);
    /* values whose %.10g text is known exactly */
    ck_assert_int_eq(results_add(&r, 0, 1, 30, "recall", 0.25), 0);
    ck_assert_int_eq(results_add(&r, 0, 1, 30, "precision", NAN), 0);
    ck_assert_int_eq(results_add(&r, 0, 2, 60.5, "recall", 1.0 / 3), 0);
    ck_assert_int_eq(results_add(&r, 1, 1, 30, "odd, \"name\"", 1234567.891), 0);
    ck_assert_int_eq(results_add(&r, 1, 0, 0, "recall", 1e-12), 0);
    ck_assert_int_eq(results_add(&r, 1, 7, 180, "recall", -2), 0);
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(results_write_timeseries(&r, dir, &d), 0);
    ck_assert_uint_eq(d.n, 0);

    char *path = join(dir, "timeseries.csv");
    struct tu_csv csv;
    ck_assert_int_eq(tu_csv_read(path, &csv), 0);
    static const char *const want[][5] = {
        { "replication", "acquisition", "day", "metric", "value" },
        { "1", "1", "30", "recall", "0.25" },
        { "1", "1", "30", "precision", "NA" },
        { "1", "2", "60.5", "recall", "0.3333333333" },
        { "2", "1", "30", "odd, \"name\"", "1234567.891" },
        { "2", "0", "0", "recall", "1e-12" },
        { "2", "7", "180", "recall", "-2" },
    };
    ck_assert_uint_eq(csv.nrows, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < csv.nrows; i++) {
        ck_assert_uint_eq(csv.nfields[i], 5);
        for (size_t f = 0; f < 5; f++)
            ck_assert_msg(strcmp(csv.rows[i][f], want[i][f]) == 0, "row %zu field %zu: '%s', want '%s'",
                          i, f, csv.rows[i][f], want[i][f]);
    }
    ck_assert_int_eq(tu_csv_col(&csv, "metric"), 3);
    tu_csv_free(&csv);

    size_t dot;
    ck_assert_uint_eq(count_entries(dir, &dot), 1);
    ck_assert_uint_eq(dot, 0);
    free(path);
    diag_destroy(&d);
    results_destroy(&r);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_write_summary)
{
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    struct results r;
    results_init(&r);
    /* "a": 3 replications, last values 2, 4, 9 (rep 0 had 100 before)
     * "b": one number (rep 1), NaN elsewhere: n = 1, sd and CI NA
     * "c": NaN everywhere: n = 0, all NA */
    ck_assert_int_eq(results_add(&r, 0, 1, 30, "a", 100), 0);
    ck_assert_int_eq(results_add(&r, 0, 1, 30, "b", NAN), 0);
    ck_assert_int_eq(results_add(&r, 0, 1, 30, "c", NAN), 0);
    ck_assert_int_eq(results_add(&r, 0, 2, 60, "a", 2), 0);
    ck_assert_int_eq(results_add(&r, 1, 1, 30, "a", 4), 0);
    ck_assert_int_eq(results_add(&r, 1, 1, 30, "b", 0.5), 0);
    ck_assert_int_eq(results_add(&r, 1, 1, 30, "c", NAN), 0);
    ck_assert_int_eq(results_add(&r, 2, 1, 30, "a", 9), 0);
    ck_assert_int_eq(results_add(&r, 2, 1, 30, "b", NAN), 0);
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(results_write_summary(&r, 3, dir, &d), 0);
    ck_assert_uint_eq(d.n, 0);

    char *path = join(dir, "summary.csv");
    struct tu_csv csv;
    ck_assert_int_eq(tu_csv_read(path, &csv), 0);
    ck_assert_uint_eq(csv.nrows, 4);
    static const char *const header[] = { "metric", "mean", "sd", "ci95_low", "ci95_high", "n" };
    ck_assert_uint_eq(csv.nfields[0], 6);
    for (size_t f = 0; f < 6; f++)
        ck_assert_str_eq(csv.rows[0][f], header[f]);
    for (size_t i = 1; i < 4; i++)
        ck_assert_uint_eq(csv.nfields[i], 6);

    /* a: mean 5, deviations -3, -1, 4: ss = 26, sd = sqrt(13) */
    static const double va[] = { 2, 4, 9 };
    struct expect e = expected(va, 3);
    ck_assert_str_eq(csv.rows[1][0], "a");
    assert_close10(csv.rows[1][1], 5.0, "a mean");
    assert_close10(csv.rows[1][2], sqrt(13.0), "a sd");
    assert_close10(csv.rows[1][3], e.lo, "a lo");
    assert_close10(csv.rows[1][4], e.hi, "a hi");
    ck_assert_str_eq(csv.rows[1][5], "3");

    ck_assert_str_eq(csv.rows[2][0], "b");
    ck_assert_str_eq(csv.rows[2][1], "0.5");
    ck_assert_str_eq(csv.rows[2][2], "NA");
    ck_assert_str_eq(csv.rows[2][3], "NA");
    ck_assert_str_eq(csv.rows[2][4], "NA");
    ck_assert_str_eq(csv.rows[2][5], "1");

    ck_assert_str_eq(csv.rows[3][0], "c");
    for (size_t f = 1; f <= 4; f++)
        ck_assert_str_eq(csv.rows[3][f], "NA");
    ck_assert_str_eq(csv.rows[3][5], "0");
    tu_csv_free(&csv);

    size_t dot;
    ck_assert_uint_eq(count_entries(dir, &dot), 1);
    ck_assert_uint_eq(dot, 0);
    free(path);
    diag_destroy(&d);
    results_destroy(&r);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_write_empty)
{
    /* No rows: both files hold just the header. */
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    struct results r;
    results_init(&r);
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(results_write_timeseries(&r, dir, &d), 0);
    ck_assert_int_eq(results_write_summary(&r, 1, dir, &d), 0);
    char *p = join(dir, "timeseries.csv");
    char *text = tu_slurp(p, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "replication,acquisition,day,metric,value\n");
    free(text);
    free(p);
    p = join(dir, "summary.csv");
    text = tu_slurp(p, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "metric,mean,sd,ci95_low,ci95_high,n\n");
    free(text);
    free(p);
    diag_destroy(&d);
    results_destroy(&r);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- atomic writes ---------------------------------------------------------------- */

static int fill_ok(FILE *f, const void *ctx)
{
    return fputs((const char *)ctx, f) == EOF ? -1 : 0;
}

static int fill_fail(FILE *f, const void *ctx)
{
    (void)ctx;
    fputs("partial,row\n", f);
    return -1;
}

START_TEST(test_atomic_ok)
{
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(results_write_atomic(dir, "x.csv", fill_ok, "a,b\n1,2\n", &d), 0);
    ck_assert_uint_eq(d.n, 0);
    char *p = join(dir, "x.csv");
    char *text = tu_slurp(p, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "a,b\n1,2\n");
    free(text);
    size_t dot;
    ck_assert_uint_eq(count_entries(dir, &dot), 1);
    ck_assert_uint_eq(dot, 0);

    /* rewriting replaces the file whole */
    ck_assert_int_eq(results_write_atomic(dir, "x.csv", fill_ok, "c\n", &d), 0);
    text = tu_slurp(p, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "c\n");
    free(text);
    ck_assert_uint_eq(count_entries(dir, &dot), 1);
    ck_assert_uint_eq(dot, 0);
    free(p);
    diag_destroy(&d);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_atomic_fill_fails)
{
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(results_write_atomic(dir, "x.csv", fill_fail, NULL, &d), -1);
    ck_assert_uint_ge(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.msg[0], "x.csv"));
    size_t dot;
    /* neither the final file nor a temporary */
    ck_assert_uint_eq(count_entries(dir, &dot), 0);
    diag_destroy(&d);

    /* a failed rewrite leaves the previous file as it was */
    diag_init(&d);
    ck_assert_int_eq(results_write_atomic(dir, "x.csv", fill_ok, "old\n", &d), 0);
    ck_assert_int_eq(results_write_atomic(dir, "x.csv", fill_fail, NULL, &d), -1);
    ck_assert_uint_eq(d.n, 1);
    char *p = join(dir, "x.csv");
    char *text = tu_slurp(p, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "old\n");
    free(text);
    free(p);
    ck_assert_uint_eq(count_entries(dir, &dot), 1);
    ck_assert_uint_eq(dot, 0);
    diag_destroy(&d);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_atomic_no_dir)
{
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    char *missing = join(dir, "nosuch");
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(results_write_atomic(missing, "x.csv", fill_ok, "a\n", &d), -1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.msg[0], "cannot write"));
    size_t dot;
    ck_assert_uint_eq(count_entries(dir, &dot), 0);
    diag_destroy(&d);
    free(missing);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- staged writes ------------------------------------------------------------------ */

START_TEST(test_stage_commit)
{
    /* Staged files stay under temporary (dot) names until the commit, which
     * renames them all. */
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    struct diag d;
    diag_init(&d);
    struct results_staged *st = malloc(sizeof *st);
    ck_assert_ptr_nonnull(st);
    results_stage_init(st, dir);
    ck_assert_int_eq(results_stage_file(st, "a.csv", fill_ok, "x\n", &d), 0);
    ck_assert_int_eq(results_stage_file(st, "b.csv", fill_ok, "y\n", &d), 0);
    size_t dot;
    ck_assert_uint_eq(count_entries(dir, &dot), 2);
    ck_assert_uint_eq(dot, 2);                          /* nothing final yet */
    ck_assert_int_eq(results_stage_commit(st, &d), 0);
    ck_assert_uint_eq(count_entries(dir, &dot), 2);
    ck_assert_uint_eq(dot, 0);
    char *p = join(dir, "a.csv");
    char *text = tu_slurp(p, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "x\n");
    free(text);
    free(p);
    p = join(dir, "b.csv");
    text = tu_slurp(p, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "y\n");
    free(text);
    free(p);
    /* abort after a commit removes nothing */
    results_stage_abort(st);
    ck_assert_uint_eq(count_entries(dir, &dot), 2);
    ck_assert_uint_eq(d.n, 0);
    free(st);
    diag_destroy(&d);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_stage_abort)
{
    /* The second file fails: after the abort the directory is as it was
     * (an older a.csv untouched, no temporaries). */
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    char *p = join(dir, "a.csv");
    tu_write(p, "old\n");
    struct diag d;
    diag_init(&d);
    struct results_staged *st = malloc(sizeof *st);
    ck_assert_ptr_nonnull(st);
    results_stage_init(st, dir);
    ck_assert_int_eq(results_stage_file(st, "a.csv", fill_ok, "new\n", &d), 0);
    ck_assert_int_eq(results_stage_file(st, "b.csv", fill_fail, NULL, &d), -1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.msg[0], "b.csv"));
    results_stage_abort(st);
    size_t dot;
    ck_assert_uint_eq(count_entries(dir, &dot), 1);
    ck_assert_uint_eq(dot, 0);
    char *text = tu_slurp(p, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "old\n");
    free(text);

    /* More files than RESULTS_MAX_STAGED: refused, and the abort removes
     * every temporary. */
    results_stage_init(st, dir);
    char name[32];
    for (int i = 0; i < RESULTS_MAX_STAGED; i++) {
        snprintf(name, sizeof name, "f%d.csv", i);
        ck_assert_int_eq(results_stage_file(st, name, fill_ok, "z\n", &d), 0);
    }
    ck_assert_int_eq(results_stage_file(st, "one-too-many.csv", fill_ok, "z\n", &d), -1);
    ck_assert_uint_eq(d.n, 2);
    ck_assert_uint_eq(count_entries(dir, &dot), 1 + RESULTS_MAX_STAGED);
    ck_assert_uint_eq(dot, RESULTS_MAX_STAGED);
    results_stage_abort(st);
    ck_assert_uint_eq(count_entries(dir, &dot), 1);
    ck_assert_uint_eq(dot, 0);
    free(st);
    free(p);
    diag_destroy(&d);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_stage_commit_fails)
{
    /* A rename that fails (the final name is a non-empty directory): the
     * commit reports it, and the abort removes the temporaries left. */
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    char *blocker = join(dir, "b.csv");
    ck_assert_int_eq(mkdir(blocker, 0777), 0);
    char *inside = join(blocker, "keep");
    tu_write(inside, "k\n");
    struct diag d;
    diag_init(&d);
    struct results_staged *st = malloc(sizeof *st);
    ck_assert_ptr_nonnull(st);
    results_stage_init(st, dir);
    ck_assert_int_eq(results_stage_file(st, "b.csv", fill_ok, "y\n", &d), 0);
    ck_assert_int_eq(results_stage_file(st, "c.csv", fill_ok, "w\n", &d), 0);
    ck_assert_int_eq(results_stage_commit(st, &d), -1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.msg[0], "cannot rename"));
    results_stage_abort(st);
    size_t dot;
    ck_assert_uint_eq(count_entries(dir, &dot), 1);      /* just the directory b.csv */
    ck_assert_uint_eq(dot, 0);
    ck_assert(is_dir(blocker));
    free(st);
    free(inside);
    free(blocker);
    diag_destroy(&d);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- output directory ------------------------------------------------------------- */

START_TEST(test_prepare_dir)
{
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    char *nested = join(dir, "a/b/c");
    struct diag d;
    diag_init(&d);
    int created = -1;
    ck_assert_int_eq(results_prepare_dir(nested, &created, &d), 0);
    ck_assert_int_eq(created, 3);                          /* a, b and c made here */
    ck_assert(is_dir(nested));
    ck_assert_uint_eq(d.n, 0);
    size_t dot;
    ck_assert_uint_eq(count_entries(nested, &dot), 0);     /* the write probe is gone */

    /* again: exists, so not created here */
    created = -1;
    ck_assert_int_eq(results_prepare_dir(nested, &created, &d), 0);
    ck_assert_int_eq(created, 0);

    /* parent exists, leaf new */
    char *sib = join(dir, "a/b/d");
    created = -1;
    ck_assert_int_eq(results_prepare_dir(sib, &created, &d), 0);
    ck_assert_int_eq(created, 1);
    ck_assert(is_dir(sib));
    ck_assert_uint_eq(d.n, 0);
    free(sib);
    free(nested);
    diag_destroy(&d);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_prepare_dir_trailing_slash)
{
    /* "results/x/" names the same directory as "results/x": made here, so
     * created must be 1 (main.c removes the directory on failure only then). */
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    char *p = join(dir, "new/");
    struct diag d;
    diag_init(&d);
    int created = -1;
    ck_assert_int_eq(results_prepare_dir(p, &created, &d), 0);
    char *q = join(dir, "new");
    ck_assert(is_dir(q));
    ck_assert_msg(created == 1, "created = %d for a directory made by the call", created);
    free(q);
    free(p);
    diag_destroy(&d);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_prepare_dir_under_file)
{
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    char *file = join(dir, "file");
    tu_write(file, "x\n");
    char *sub = join(dir, "file/sub");
    struct diag d;
    diag_init(&d);
    int created = -1;
    ck_assert_int_eq(results_prepare_dir(sub, &created, &d), -1);
    ck_assert_int_eq(created, 0);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_msg(strstr(d.msg[0], file) != NULL, "%s", d.msg[0]);
    ck_assert_msg(strstr(d.msg[0], "not a directory") != NULL, "%s", d.msg[0]);
    diag_destroy(&d);

    /* the path itself a regular file */
    diag_init(&d);
    ck_assert_int_eq(results_prepare_dir(file, &created, &d), -1);
    ck_assert_int_eq(created, 0);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_msg(strstr(d.msg[0], file) != NULL, "%s", d.msg[0]);
    /* the file is untouched */
    char *text = tu_slurp(file, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "x\n");
    free(text);
    diag_destroy(&d);
    free(sub);
    free(file);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* ---- CSV field writers -------------------------------------------------------------- */

START_TEST(test_csv_writers)
{
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    char *p = join(dir, "w.csv");
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(results_csv_text(f, "plain"), 0);
    ck_assert_int_eq(results_csv_sep(f), 0);
    ck_assert_int_eq(results_csv_text(f, "a,\"b\"\nc"), 0);
    ck_assert_int_eq(results_csv_sep(f), 0);
    ck_assert_int_eq(results_csv_num(f, NAN), 0);
    ck_assert_int_eq(results_csv_sep(f), 0);
    ck_assert_int_eq(results_csv_num(f, 0.1), 0);
    ck_assert_int_eq(results_csv_sep(f), 0);
    ck_assert_int_eq(results_csv_num(f, 12345678901.0), 0);
    ck_assert_int_eq(results_csv_sep(f), 0);
    ck_assert_int_eq(results_csv_uint(f, 18446744073709551615ull), 0);
    ck_assert_int_eq(results_csv_end(f), 0);
    ck_assert_int_eq(fclose(f), 0);
    struct tu_csv csv;
    ck_assert_int_eq(tu_csv_read(p, &csv), 0);
    ck_assert_uint_eq(csv.nrows, 1);
    ck_assert_uint_eq(csv.nfields[0], 6);
    ck_assert_str_eq(csv.rows[0][0], "plain");
    ck_assert_str_eq(csv.rows[0][1], "a,\"b\"\nc");
    ck_assert_str_eq(csv.rows[0][2], "NA");
    ck_assert_str_eq(csv.rows[0][3], "0.1");
    ck_assert_str_eq(csv.rows[0][4], "1.23456789e+10");   /* %.10g: 10 significant digits */
    ck_assert_str_eq(csv.rows[0][5], "18446744073709551615");
    tu_csv_free(&csv);
    free(p);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* The share interval: four values 1 and one 0.999 (location-baseline's
 * unicity_4) give a Student-t interval above 1; the logit interval stays
 * inside (0, 1).  Expected bounds computed independently (Python, the
 * formula of docs/metrics.md). */
START_TEST(test_share_interval)
{
    const double v[] = { 1, 1, 1, 1, 0.999 };
    struct results_stat t = results_stat_of(v, 5), s = results_stat_share(v, 5);
    ck_assert_double_gt(t.hi, 1);                     /* the defect */
    ck_assert_double_eq_tol(s.mean, t.mean, 1e-15);
    ck_assert_double_eq_tol(s.sd, t.sd, 1e-15);
    ck_assert_double_eq_tol(s.lo, 0.9967955099164781, 1e-12);
    ck_assert_double_eq_tol(s.hi, 0.9999875526912627, 1e-12);
    ck_assert_double_gt(s.lo, 0);
    ck_assert_double_lt(s.hi, 1);
    ck_assert_uint_eq(s.n, 5);
    /* symmetric on the logit scale around logit(mean) */
    double l = log(s.mean / (1 - s.mean));
    ck_assert_double_eq_tol(log(s.hi / (1 - s.hi)) - l, l - log(s.lo / (1 - s.lo)), 1e-9);
    /* a mean of 0.5 far from both bounds: wider than t's on neither side */
    const double w[] = { 0.2, 0.5, 0.4, 0.9 };
    s = results_stat_share(w, 4);
    ck_assert_double_eq_tol(s.lo, 0.13310568339086581, 1e-12);
    ck_assert_double_eq_tol(s.hi, 0.8668943166091343, 1e-12);
}
END_TEST

/* sd = 0 gives [mean, mean], the bounds included; a value outside [0, 1]
 * is no share: the t interval; NaN left out; fewer than 2 values: NaN. */
START_TEST(test_share_interval_edges)
{
    const double one[] = { 1, 1, 1 }, zero[] = { 0, 0 }, out[] = { 0.5, 1.5, 0.7 };
    struct results_stat s = results_stat_share(one, 3);
    ck_assert_double_eq(s.lo, 1);
    ck_assert_double_eq(s.hi, 1);
    s = results_stat_share(zero, 2);
    ck_assert_double_eq(s.lo, 0);
    ck_assert_double_eq(s.hi, 0);
    struct results_stat t = results_stat_of(out, 3);
    s = results_stat_share(out, 3);
    ck_assert_double_eq(s.lo, t.lo);
    ck_assert_double_eq(s.hi, t.hi);
    const double nan1[] = { NAN, 0.4 };
    s = results_stat_share(nan1, 2);
    ck_assert_uint_eq(s.n, 1);
    ck_assert(isnan(s.lo) && isnan(s.hi));
    ck_assert_double_eq(s.mean, 0.4);
}
END_TEST

/* The summary takes the share interval for the metrics the table calls
 * shares (a family member and a target_ form included) and the t interval
 * for the others and for metrics the table lacks. */
START_TEST(test_summary_catalog)
{
    static const struct sim_metric_info table[] = {
        { "recall", "Recall", "share", "pairs found", SIM_METRIC_SHARE, NULL },
        { "uni_{k}", "Unicity {k}", "share", "people", SIM_METRIC_SHARE | SIM_METRIC_TARGETS, NULL },
        { "count", "Count", "items", "items", 0, NULL },
        { NULL, NULL, NULL, NULL, 0, NULL },
    };
    const char *names[] = { "recall", "uni_3", "target_uni_2", "count", "other" };
    const int share[] = { 1, 1, 1, 0, 0 };
    const double v[] = { 0.9, 0.95, 0.99, 0.97 };
    struct results r;
    results_init(&r);
    r.catalog = table;
    for (uint32_t rep = 0; rep < 4; rep++)
        for (size_t m = 0; m < 5; m++)
            ck_assert_int_eq(results_add(&r, rep, 1, 30, names[m], v[rep]), 0);
    struct results_stat t = results_stat_of(v, 4), sh = results_stat_share(v, 4);
    ck_assert_double_ne(t.hi, sh.hi);
    for (uint32_t m = 0; m < 5; m++) {
        struct results_stat st = results_summary(&r, m, 4);
        ck_assert_double_eq(st.lo, share[m] ? sh.lo : t.lo);
        ck_assert_double_eq(st.hi, share[m] ? sh.hi : t.hi);
    }
    r.catalog = NULL;                                 /* no table: all t */
    struct results_stat st = results_summary(&r, 0, 4);
    ck_assert_double_eq(st.hi, t.hi);
    results_destroy(&r);
}
END_TEST

/* CSV formula injection: text cells a spreadsheet would run are guarded
 * with a "'", numbers are not, and libcsv plus the documented rule
 * (results_csv_unguard) give back every value exactly. */
START_TEST(test_csv_formula_guard)
{
    static const char *const cells[] = {
        "=1+1", "+1+2", "-x", "@SUM(A1)", "\tTAB", "\rCR", "'", "''", "'=x", "=", "-", "+", "@",
        "-0.5", "+3", "1e-3", "-1E+9", ".5", "plain", "", "a=b", "-inf", "-nan", "0x10", "-1+2", "--1",
        "=HYPERLINK(\"http://x\",\"y\")", "a,\"b\"\nc",
    };
    static const int guarded[] = {
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1,
        1, 0,
    };
    size_t n = sizeof cells / sizeof cells[0];
    ck_assert_uint_eq(n, sizeof guarded / sizeof guarded[0]);
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    char *p = join(dir, "g.csv");
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(results_csv_guarded(cells[i]) == guarded[i], "'%s': guarded %d", cells[i],
                      results_csv_guarded(cells[i]));
        ck_assert_int_eq(results_csv_text(f, cells[i]), 0);
        ck_assert_int_eq(results_csv_end(f), 0);
    }
    ck_assert_int_eq(fclose(f), 0);
    struct tu_csv csv;
    ck_assert_int_eq(tu_csv_read(p, &csv), 0);
    ck_assert_uint_eq(csv.nrows, n);
    for (size_t i = 0; i < n; i++) {
        const char *cell = csv.rows[i][0];
        ck_assert_msg((cell[0] == '\'') == guarded[i] || cells[i][0] == '\'', "'%s' read back as '%s'", cells[i],
                      cell);
        if (cell[0] && strchr("=+-@\t\r", cell[0]))
            ck_assert_msg(results_csv_is_number(cell), "a formula cell '%s' reached the file", cell);
        ck_assert_str_eq(results_csv_unguard(cell), cells[i]);   /* the exact value back */
    }
    tu_csv_free(&csv);
    ck_assert(results_csv_is_number("-0.5") && results_csv_is_number("12") && !results_csv_is_number("")
              && !results_csv_is_number("-") && !results_csv_is_number("1e") && !results_csv_is_number("-1-1"));
    free(p);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* A directory too deep to make: refused, and the levels made on the way
 * removed (they were left behind); results_unprepare_dir removes exactly
 * what a successful call made. */
START_TEST(test_prepare_dir_too_deep)
{
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    char name[301];
    memset(name, 'n', 300);
    name[300] = '\0';
    char *deep;
    ck_assert_int_ge(asprintf(&deep, "%s/x/y/%s/z", dir, name), 0);
    struct diag d;
    diag_init(&d);
    int created = -1;
    ck_assert_int_eq(results_prepare_dir(deep, &created, &d), -1);
    ck_assert_int_eq(created, 0);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.msg[0], "File name too long"));
    size_t dot;
    ck_assert_uint_eq(count_entries(dir, &dot), 0);               /* no x/ left */
    char *ok = join(dir, "x/y/z");
    ck_assert_int_eq(results_prepare_dir(ok, &created, &d), 0);
    ck_assert_int_eq(created, 3);
    results_unprepare_dir(ok, created);
    ck_assert_uint_eq(count_entries(dir, &dot), 0);
    char *keep = join(dir, "keep");
    ck_assert_int_eq(mkdir(keep, 0777), 0);
    char *inner = join(keep, "a/b");
    ck_assert_int_eq(results_prepare_dir(inner, &created, &d), 0);
    ck_assert_int_eq(created, 2);
    results_unprepare_dir(inner, created);
    ck_assert(is_dir(keep));                                       /* not made here: kept */
    ck_assert_uint_eq(count_entries(keep, &dot), 0);
    char *lng = malloc(RESULTS_MAX_DIR + 10);
    memset(lng, 'l', RESULTS_MAX_DIR + 9);
    lng[RESULTS_MAX_DIR + 9] = '\0';
    ck_assert_int_eq(results_prepare_dir(lng, &created, &d), -1);
    ck_assert_ptr_nonnull(strstr(d.msg[1], "more than 3000"));
    free(lng), free(inner), free(keep), free(ok), free(deep);
    diag_destroy(&d);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* Temporary files of processes that are gone are removed; those of a live
 * process, and other files, stay. */
START_TEST(test_clean_stale)
{
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    /* a model's table (results_stage_tables) is one of ours too */
    const char *gone[] = { ".timeseries.csv.2147483646.tmp", ".sweep-summary.csv.2147483645.tmp",
                           ".manifest.xml.2147483644.tmp", ".exposim-probe.2147483643.tmp",
                           ".timeline.csv.2147483642.tmp" };
    const char *stay[] = { ".timeseries.csv.x1.tmp", ".notes.2147483646.tmp", "timeseries.csv.2147483646.tmp",
                           ".timeseries.csv.2147483646.tmpx", ".timeseries.csv..tmp", "summary.csv",
                           ".Time line.csv.2147483646.tmp", ".timeline.txt.2147483646.tmp" };
    for (size_t i = 0; i < 5; i++) {
        char *p = join(dir, gone[i]);
        tu_write(p, "x");
        free(p);
    }
    for (size_t i = 0; i < 8; i++) {
        char *p = join(dir, stay[i]);
        tu_write(p, "x");
        free(p);
    }
    char live[64];
    snprintf(live, sizeof live, ".summary.csv.%ld.tmp", (long)getppid());
    char *lp = join(dir, live);
    tu_write(lp, "x");
    ck_assert_int_eq(results_clean_stale(dir), 5);
    size_t dot;
    ck_assert_uint_eq(count_entries(dir, &dot), 9);
    struct stat sb;
    ck_assert_int_eq(stat(lp, &sb), 0);
    free(lp);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* A model's table (sim_table_row's store): NAME.csv with `replication`
 * first (1-based), then the model's columns, text quoted (and guarded),
 * numbers plain, NaN as NA, rows in the order added; a table without rows
 * writes nothing; a changed column count is refused; the engine's own
 * names are not a table's; results_remove_tables removes an earlier file
 * of a declared table without rows, and only that. */
START_TEST(test_tables)
{
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    struct results r;
    results_init(&r);
    static const char *const cols[] = { "kind", "start_day", "n" };
    const char *t1[] = { "term", NULL, NULL }, *t2[] = { "=SUM(A1)", NULL, NULL };
    double n1[] = { 0, 0.5, 3 }, n2[] = { 0, 60, NAN };
    ck_assert_int_eq(results_table_add(&r, 0, "timeline", cols, t1, n1, 3), 0);
    ck_assert_int_eq(results_table_add(&r, 1, "timeline", cols, t2, n2, 3), 0);
    ck_assert_int_eq(results_table_add(&r, 0, "timeline", cols, t1, n1, 2), -1);   /* columns changed */
    ck_assert(results_table_name_ok("timeline"));
    ck_assert(!results_table_name_ok("summary"));
    ck_assert(!results_table_name_ok("sweep-summary"));
    ck_assert(!results_table_name_ok("Time line"));
    ck_assert(!results_table_name_ok(""));
    /* earlier files: targets.csv (declared, no rows this time: removed), other.csv (not declared: kept) */
    char *old_targets = join(dir, "targets.csv"), *other = join(dir, "other.csv");
    tu_write(old_targets, "old\n");
    tu_write(other, "old\n");
    struct diag d;
    diag_init(&d);
    struct results_staged st;
    results_stage_init(&st, dir);
    static const char *const declared[] = { "timeline", "targets", NULL };
    ck_assert_int_eq(results_stage_tables(&st, &r, &d), 0);
    ck_assert_int_eq(results_remove_tables(dir, declared, &r, &d), 0);
    ck_assert_int_eq(results_stage_commit(&st, &d), 0);
    ck_assert_uint_eq(d.n, 0);
    char *path = join(dir, "timeline.csv");
    char *text = tu_slurp(path, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "replication,kind,start_day,n\n1,\"term\",0.5,3\n2,\"'=SUM(A1)\",60,NA\n");
    free(text);
    free(path);
    struct stat sb;
    ck_assert_int_ne(stat(old_targets, &sb), 0);
    ck_assert_int_eq(stat(other, &sb), 0);
    free(old_targets);
    free(other);
    diag_destroy(&d);
    results_destroy(&r);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

Suite *results_suite(void)
{
    Suite *s = suite_create("results");
    TCase *st = tcase_create("summary");
    tcase_add_test(st, test_summary_values);
    tcase_add_test(st, test_summary_two);
    tcase_add_test(st, test_summary_n1);
    tcase_add_test(st, test_summary_nan);
    tcase_add_test(st, test_summary_last_value);
    tcase_add_test(st, test_many_rows);
    tcase_add_test(st, test_share_interval);
    tcase_add_test(st, test_share_interval_edges);
    tcase_add_test(st, test_summary_catalog);
    suite_add_tcase(s, st);

    TCase *files = tcase_create("files");
    tcase_set_timeout(files, 60);
    tcase_add_test(files, test_write_timeseries);
    tcase_add_test(files, test_write_summary);
    tcase_add_test(files, test_write_empty);
    tcase_add_test(files, test_csv_writers);
    tcase_add_test(files, test_csv_formula_guard);
    tcase_add_test(files, test_prepare_dir_too_deep);
    tcase_add_test(files, test_clean_stale);
    tcase_add_test(files, test_atomic_ok);
    tcase_add_test(files, test_atomic_fill_fails);
    tcase_add_test(files, test_tables);
    tcase_add_test(files, test_atomic_no_dir);
    tcase_add_test(files, test_stage_commit);
    tcase_add_test(files, test_stage_abort);
    tcase_add_test(files, test_stage_commit_fails);
    tcase_add_test(files, test_prepare_dir);
    tcase_add_test(files, test_prepare_dir_trailing_slash);
    tcase_add_test(files, test_prepare_dir_under_file);
    suite_add_tcase(s, files);
    return s;
}
