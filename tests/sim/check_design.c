/* check_design — sweep designs (design.h): lists kept as written, linear
 * and log ranges, grids as Cartesian products numbered first parameter
 * slowest, Latin hypercubes (each parameter's strata each used exactly
 * once, the pairing and the positions random, reproducible from the
 * design's own seed), grid x hypercube, the --set overrides of a point and
 * the bytes they give the base, the sweep's hash, and bad designs reported
 * as FILE:LINE with the design left empty.
 *
 * design_load is called directly; the base scenario is only read for the
 * hash here (the sweep checks it against the scenario schema), so the
 * base file need not be a whole scenario. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "design.h"
#include "suites.h"
#include "testutil.h"

static const char base_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<scenario name=\"small\">\n"
    "  <run seed=\"5\" replications=\"3\" horizon_days=\"60\"/>\n"
    "  <population size=\"300\"/>\n"
    "  <contacts><erdos_renyi mean_degree=\"8\"/></contacts>\n"
    "  <traffic rate_per_day=\"0.02\"/>\n"
    "  <policy><retention days=\"20\" purge=\"rolling\"/></policy>\n"
    "  <adversary><bulk_snapshot period_days=\"20\"/></adversary>\n"
    "</scenario>\n";

static char *dir;

static void setup(void)
{
    dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/small.xml", dir), 0);
    tu_write(p, base_xml);
    free(p);
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

/* Load `text` as dir/NAME; it must succeed. */
static void load_as(struct design *dz, const char *name, const char *text)
{
    char *p = in_dir(name);
    tu_write(p, text);
    struct diag d;
    diag_init(&d);
    int rc = design_load(dz, p, &d);
    if (rc)
        diag_print(&d, stderr);
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(d.n, 0);
    diag_destroy(&d);
    free(p);
}

static void load_design(struct design *dz, const char *text) { load_as(dz, "design.xml", text); }

/* ---- values and ranges ------------------------------------------------------ */

START_TEST(test_split_values)
{
    char **v;
    size_t n;
    /* any white space separates; each value is kept byte for byte */
    ck_assert_int_eq(design_split_values("\n  0.10\t1e3 \r\n +5 rolling  -0 ", &v, &n), 0);
    const char *want[] = { "0.10", "1e3", "+5", "rolling", "-0" };
    ck_assert_uint_eq(n, 5);
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(v[i], want[i]);
        free(v[i]);
    }
    free(v);
    ck_assert_int_eq(design_split_values(" \t\n", &v, &n), 0);
    ck_assert_uint_eq(n, 0);
    free(v);
    /* a value of 511 characters is read, one of 512 refused */
    char text[600];
    memset(text, '7', 511);
    strcpy(text + 511, " 1");
    ck_assert_int_eq(design_split_values(text, &v, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(strlen(v[0]), 511);
    free(v[0]), free(v[1]), free(v);
    memset(text, '7', 512);
    strcpy(text + 512, " 1");
    ck_assert_int_eq(design_split_values(text, &v, &n), -1);
    ck_assert_ptr_null(v);
    ck_assert_uint_eq(n, 0);
}
END_TEST

static void expect_range(double from, double to, int has_step, double step, long points, int logscale,
                         int integer, const char *expect)
{
    char **v, err[300];
    size_t n;
    int rc = design_expand_range(from, to, has_step, step, points, logscale, integer, &v, &n, err, sizeof err);
    ck_assert_msg(rc == 0, "range %g..%g: %s", from, to, err);
    char got[1000] = "";
    for (size_t i = 0; i < n; i++) {
        strcat(got, i ? " " : "");
        strcat(got, v[i]);
        free(v[i]);
    }
    free(v);
    ck_assert_str_eq(got, expect);
}

static void expect_range_error(double from, double to, int has_step, double step, long points, int logscale,
                               const char *expect)
{
    char **v = (char **)1, err[300] = "";
    size_t n = 99;
    ck_assert_int_eq(design_expand_range(from, to, has_step, step, points, logscale, 0, &v, &n, err, sizeof err), -1);
    ck_assert_msg(strstr(err, expect) != NULL, "'%s' lacks '%s'", err, expect);
    ck_assert_ptr_null(v);
    ck_assert_uint_eq(n, 0);
}

/* The examples of sweep.xsd and docs/sweeps.md, and their edges. */
START_TEST(test_ranges_linear)
{
    expect_range(10, 60, 1, 10, 0, 0, 0, "10 20 30 40 50 60");
    expect_range(10, 65, 1, 10, 0, 0, 0, "10 20 30 40 50 60");          /* stops before passing `to` */
    expect_range(30, 10, 1, -10, 0, 0, 0, "30 20 10");
    expect_range(0.1, 0.5, 1, 0.1, 0, 0, 0, "0.1 0.2 0.3 0.4 0.5");      /* not 0.30000000000000004 */
    expect_range(0, 1, 0, 0, 5, 0, 0, "0 0.25 0.5 0.75 1");
    expect_range(7, 7, 1, 3, 0, 0, 0, "7");
    expect_range(7, 7, 0, 0, 1, 0, 0, "7");
    expect_range(-1, 1, 1, 0.5, 0, 0, 0, "-1 -0.5 0 0.5 1");             /* no "-0" */
    expect_range(0, 1, 0, 0, 4, 0, 1, "0 1");                           /* integer: repeats dropped */
    expect_range(0.5, 3.5, 1, 1, 0, 0, 1, "1 2 3 4");                   /* half away from zero */
    expect_range(-2.5, -0.5, 1, 1, 0, 0, 1, "-3 -2 -1");
    /* with points, the ends are from and to exactly, whatever the rounding */
    expect_range(0.1, 0.7, 0, 0, 7, 0, 0, "0.1 0.2 0.3 0.4 0.5 0.6 0.7");
}
END_TEST

START_TEST(test_ranges_log)
{
    expect_range(1, 1000, 0, 0, 4, 1, 0, "1 10 100 1000");
    expect_range(1, 20, 1, 2, 0, 1, 0, "1 2 4 8 16");
    expect_range(100, 1, 1, 0.1, 0, 1, 0, "100 10 1");
    expect_range(1, 100, 0, 0, 5, 1, 1, "1 3 10 32 100");
    expect_range(0.001, 1, 0, 0, 4, 1, 0, "0.001 0.01 0.1 1");
    expect_range(1, 10, 0, 0, 3, 1, 0, "1 3.16227766016838 10");       /* 15 significant digits */
    /* 365^(i/19) rounded: 1.36 and 3.46 repeat 1 and 3 and are dropped */
    expect_range(1, 365, 0, 0, 20, 1, 1, "1 2 3 5 6 9 12 16 22 30 42 57 77 105 144 196 268 365");
}
END_TEST

START_TEST(test_ranges_bad)
{
    expect_range_error(10, 30, 1, 0, 0, 0, "must not be 0");
    expect_range_error(10, 30, 1, -5, 0, 0, "goes away from to");
    expect_range_error(30, 10, 1, 5, 0, 0, "goes away from to");
    expect_range_error(1, 10, 1, 1, 0, 1, "not 1");
    expect_range_error(1, 10, 1, 0.5, 0, 1, "goes away from to");
    expect_range_error(10, 1, 1, 2, 0, 1, "goes away from to");
    expect_range_error(1, 10, 1, -2, 0, 1, "above 0");
    expect_range_error(0, 10, 0, 0, 3, 1, "above 0");
    expect_range_error(-1, 10, 1, 2, 0, 1, "above 0");
    expect_range_error(1, 10, 0, 0, 1, 0, "points=\"1\"");
    expect_range_error(1, 10, 1, 1, 3, 0, "exactly one of step and points");
    expect_range_error(1, 10, 0, 0, 0, 0, "exactly one of step and points");
    expect_range_error(0, 1e9, 1, 1e-3, 0, 0, "more than");
    expect_range_error(NAN, 1, 1, 1, 0, 0, "finite");
    expect_range_error(0, INFINITY, 0, 0, 3, 0, "finite");
}
END_TEST

/* ---- grids -------------------------------------------------------------------- */

/* The Cartesian product, first parameter slowest: with value counts
 * (2, 3, 4), point p is (p / 12, p / 4 mod 3, p mod 4), and the 24 points
 * are every combination once. */
START_TEST(test_grid_cartesian)
{
    struct design dz;
    load_design(&dz, "<sweep name=\"cart\"><base file=\"small.xml\"/><grid>\n"
                     "<parameter path=\"policy/retention@purge\"><values>rolling daily</values></parameter>\n"
                     "<parameter path=\"policy/retention@days\"><range from=\"30\" to=\"10\" step=\"-10\"/></parameter>\n"
                     "<parameter path=\"traffic@rate_per_day\"><range from=\"0.001\" to=\"1\" points=\"4\" scale=\"log\"/>"
                     "</parameter>\n"
                     "</grid></sweep>\n");
    const char *v0[] = { "rolling", "daily" }, *v1[] = { "30", "20", "10" }, *v2[] = { "0.001", "0.01", "0.1", "1" };
    ck_assert_uint_eq(dz.nparams, 3);
    ck_assert_uint_eq(dz.ngrid, 3);
    ck_assert_uint_eq(dz.nlhs, 1);
    ck_assert_uint_eq(dz.npoints, 24);
    ck_assert_str_eq(dz.name, "cart");
    ck_assert_str_eq(dz.params[0].path, "policy/retention@purge");
    ck_assert_str_eq(dz.params[2].path, "traffic@rate_per_day");
    for (size_t j = 0; j < 3; j++)
        ck_assert(!dz.params[j].lhs);
    for (size_t p = 0; p < 24; p++) {
        ck_assert_str_eq(design_value(&dz, p, 0), v0[p / 12]);
        ck_assert_str_eq(design_value(&dz, p, 1), v1[p / 4 % 3]);
        ck_assert_str_eq(design_value(&dz, p, 2), v2[p % 4]);
    }
    design_destroy(&dz);
}
END_TEST

/* A grid of one list, values kept as written (white space of any kind
 * between them), and the sweep's own seed and replications. */
START_TEST(test_grid_list_as_written)
{
    struct design dz;
    load_design(&dz, "<sweep name=\"o\" replications=\"7\" seed=\"4294967295\"><base file=\"small.xml\"/><grid>\n"
                     "<parameter path=\"  policy/retention@days \"><values>\n  07\t14.0 \n 3e1 </values></parameter>\n"
                     "</grid></sweep>\n");
    ck_assert_uint_eq(dz.npoints, 3);
    ck_assert_str_eq(dz.params[0].path, "policy/retention@days");      /* xs:token: outer space dropped */
    ck_assert_str_eq(design_value(&dz, 0, 0), "07");
    ck_assert_str_eq(design_value(&dz, 1, 0), "14.0");
    ck_assert_str_eq(design_value(&dz, 2, 0), "3e1");
    ck_assert(dz.has_reps && dz.has_seed);
    ck_assert_uint_eq(dz.replications, 7);
    ck_assert_uint_eq(dz.seed, 4294967295u);
    ck_assert_int_eq(dz.design_line, 1);
    ck_assert_int_eq(dz.params[0].line, 2);
    design_destroy(&dz);

    /* left to the base: has_* = 0 and the values 0 */
    load_design(&dz, "<sweep name=\"o\"><base file=\"small.xml\"/><grid>\n"
                     "<parameter path=\"a@b\"><values>1</values></parameter></grid></sweep>\n");
    ck_assert(!dz.has_reps && !dz.has_seed);
    ck_assert_uint_eq(dz.replications, 0);
    ck_assert_uint_eq(dz.seed, 0);
    design_destroy(&dz);
}
END_TEST

/* ---- point overrides ----------------------------------------------------------- */

/* The attribute PATH ("a/b@c", no indices) of c's document, or NULL. */
static const char *attr_at(const struct cfg *c, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    char *at = strchr(buf, '@');
    *at = '\0';
    const struct cfg_node *n = cfg_root(c);
    for (char *save = NULL, *el = strtok_r(buf, "/", &save); el && n; el = strtok_r(NULL, "/", &save))
        n = cfg_child(n, el);
    return n && cfg_has(n, at + 1) ? cfg_str(n, at + 1, NULL) : NULL;
}

/* Point p's overrides are run@seed, run@replications, then PATH=value in
 * document order; applied to the base as --set applies them, each
 * attribute gets the value's bytes. */
START_TEST(test_point_sets)
{
    struct design dz;
    load_design(&dz, "<sweep name=\"s\"><base file=\"small.xml\"/>\n"
                     "<grid>\n"
                     "<parameter path=\"policy/retention@days\"><values>007 14</values></parameter>\n"
                     "<parameter path=\"adversary/bulk_snapshot@period_days\"><range from=\"0.1\" to=\"0.3\" step=\"0.1\"/>"
                     "</parameter>\n"
                     "</grid>\n"
                     "<latin_hypercube points=\"2\" seed=\"9\">\n"
                     "<parameter path=\"traffic@rate_per_day\" from=\"0.01\" to=\"0.02\"/>\n"
                     "</latin_hypercube></sweep>\n");
    ck_assert_uint_eq(dz.npoints, 12);
    char *base = in_dir("small.xml");
    for (size_t p = 0; p < dz.npoints; p++) {
        char **sets;
        uint32_t seed = p == 3 ? 4294967295u : (uint32_t)p, reps = p == 5 ? 1000000 : 2;
        long n = design_point_sets(&dz, p, seed, reps, &sets);
        ck_assert_int_eq(n, 5);
        char want[64];
        snprintf(want, sizeof want, "run@seed=%lu", (unsigned long)seed);
        ck_assert_str_eq(sets[0], want);
        snprintf(want, sizeof want, "run@replications=%lu", (unsigned long)reps);
        ck_assert_str_eq(sets[1], want);
        for (size_t j = 0; j < dz.nparams; j++) {
            char *a;
            ck_assert_int_ge(asprintf(&a, "%s=%s", dz.params[j].path, design_value(&dz, p, j)), 0);
            ck_assert_str_eq(sets[2 + j], a);
            free(a);
        }
        struct diag d;
        diag_init(&d);
        struct cfg *c = cfg_load_schema(base, (const char *const *)sets, (size_t)n, NULL, &d);
        if (!c)
            diag_print(&d, stderr);
        ck_assert_ptr_nonnull(c);
        snprintf(want, sizeof want, "%lu", (unsigned long)seed);
        ck_assert_str_eq(attr_at(c, "run@seed"), want);
        for (size_t j = 0; j < dz.nparams; j++)
            ck_assert_str_eq(attr_at(c, dz.params[j].path), design_value(&dz, p, j));
        cfg_free(c);
        diag_destroy(&d);
        design_sets_free(sets, n);
    }
    /* the grid's values as written (007) and computed (0.3, not 0.30000000000000004) */
    ck_assert_str_eq(design_value(&dz, 0, 0), "007");
    ck_assert_str_eq(design_value(&dz, 5, 1), "0.3");
    design_sets_free(NULL, 0);
    free(base);
    design_destroy(&dz);
}
END_TEST

/* ---- Latin hypercube ------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Parameter j's values sorted: the k-th smallest must lie in stratum k,
 * [from + k w, from + (k + 1) w) with w = (to - from) / n, which is the
 * same as "every stratum holds exactly one point".  The values are texts
 * of 15 significant digits, so a stratum's ends are widened by 1e-14 of
 * the largest magnitude (a value can move that far when printed); an
 * integer parameter's values are the drawn ones rounded to the nearest
 * integer in [from, to], so they move by up to 0.5, or up to the distance
 * from an end to the integer next to it inside, whichever is more
 * (rounding keeps the order, so the sorted values still step through the
 * strata in order). */
static void check_strata(const struct design *dz, size_t j, double from, double to, int integer, double *u_mean,
                         double *u_sq)
{
    size_t n = dz->nlhs;
    double *v = malloc(n * sizeof *v), w = (to - from) / (double)n;
    double slack = 1e-14 * fmax(fabs(from), fabs(to));
    if (integer)                                /* to the nearest integer in [from, to] */
        slack += fmax(0.5, fmax(ceil(from) - from, to - floor(to)));
    ck_assert_ptr_nonnull(v);
    for (size_t p = 0; p < n; p++) {
        const char *s = design_value(dz, p, j);
        char *e;
        v[p] = strtod(s, &e);
        ck_assert_msg(*s && !*e, "not a number: '%s'", s);
        if (integer) {
            ck_assert_msg(strspn(s, "-0123456789") == strlen(s), "not an integer: '%s'", s);
            ck_assert(v[p] >= ceil(from) && v[p] <= floor(to));
        } else {
            ck_assert_msg(v[p] >= from && v[p] <= to, "%s outside [%g, %g)", s, from, to);
        }
    }
    qsort(v, n, sizeof *v, cmp_double);
    double sum = 0, sq = 0;
    for (size_t k = 0; k < n; k++) {
        double lo = from + (double)k * w, hi = from + (double)(k + 1) * w;
        FAST(v[k] >= lo - slack && v[k] <= hi + slack);
        sum += (v[k] - lo) / w;
        sq += ((v[k] - lo) / w - 0.5) * ((v[k] - lo) / w - 0.5);
    }
    if (u_mean)
        *u_mean = sum / (double)n;
    if (u_sq)
        *u_sq = sq / (double)n;
    free(v);
}

/* Spearman's rank correlation of parameters a and b over the points. */
static double rank_correlation(const struct design *dz, size_t a, size_t b)
{
    size_t n = dz->nlhs;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *sx = malloc(n * sizeof *sx);
    ck_assert(x && y && sx);
    for (size_t p = 0; p < n; p++) {
        x[p] = atof(design_value(dz, p, a));
        y[p] = atof(design_value(dz, p, b));
    }
    /* ranks: the values of a real parameter are distinct (one per stratum) */
    double *rx = malloc(n * sizeof *rx), *ry = malloc(n * sizeof *ry);
    ck_assert(rx && ry);
    memcpy(sx, x, n * sizeof *sx);
    qsort(sx, n, sizeof *sx, cmp_double);
    for (size_t p = 0; p < n; p++)
        rx[p] = (double)((double *)bsearch(&x[p], sx, n, sizeof *sx, cmp_double) - sx);
    memcpy(sx, y, n * sizeof *sx);
    qsort(sx, n, sizeof *sx, cmp_double);
    for (size_t p = 0; p < n; p++)
        ry[p] = (double)((double *)bsearch(&y[p], sx, n, sizeof *sx, cmp_double) - sx);
    double mean = (double)(n - 1) / 2, sxy = 0, sxx = 0;
    for (size_t p = 0; p < n; p++) {
        sxy += (rx[p] - mean) * (ry[p] - mean);
        sxx += (rx[p] - mean) * (rx[p] - mean);
    }
    free(x), free(y), free(sx), free(rx), free(ry);
    return sxy / sxx;
}

static const char lhs_xml[] =
    "<sweep name=\"l\" seed=\"11\"><base file=\"small.xml\"/>\n"
    "<latin_hypercube points=\"1000\" seed=\"3\">\n"
    "<parameter path=\"traffic@rate_per_day\" from=\"0.01\" to=\"0.05\"/>\n"
    "<parameter path=\"a@x\" from=\"-7.5\" to=\"-2.5\"/>\n"
    "<parameter path=\"policy/retention@days\" from=\"0.6\" to=\"5000.4\" integer=\"true\"/>\n"
    "</latin_hypercube></sweep>\n";

/* Every stratum of every parameter holds one point.  The pairing of
 * strata is a random permutation: Spearman's rho of two parameters then
 * has mean 0 and standard deviation 1/sqrt(n - 1) = 0.032 for n = 1000, so
 * |rho| < 5/sqrt(n - 1) (the identity pairing would give 1).  The position
 * inside a stratum is uniform: the mean of the n positions u (as
 * fractions of the stratum) is 1/2 with standard deviation
 * sqrt(1/12n) = 0.0091, and the mean of (u - 1/2)^2 is 1/12 with standard
 * deviation sqrt((1/80 - 1/144)/n) = 0.0024 (a fixed position, such as
 * the middle, gives 0); each asserted within 5 standard deviations. */
START_TEST(test_lhs_strata)
{
    struct design dz;
    load_design(&dz, lhs_xml);
    ck_assert_uint_eq(dz.npoints, 1000);
    ck_assert_uint_eq(dz.nlhs, 1000);
    ck_assert_uint_eq(dz.ngrid, 0);
    ck_assert_uint_eq(dz.nparams, 3);
    double u0, u1, q0, q1;
    check_strata(&dz, 0, 0.01, 0.05, 0, &u0, &q0);
    check_strata(&dz, 1, -7.5, -2.5, 0, &u1, &q1);
    check_strata(&dz, 2, 0.6, 5000.4, 1, NULL, NULL);
    for (size_t j = 0; j < 3; j++)
        ck_assert(dz.params[j].lhs && dz.params[j].nvalues == 1000);
    double n = 1000, su = sqrt(1.0 / (12 * n)), sq = sqrt((1.0 / 80 - 1.0 / 144) / n), sr = 1 / sqrt(n - 1);
    ck_assert_msg(fabs(u0 - 0.5) < 5 * su, "mean position in stratum %g", u0);
    ck_assert_msg(fabs(u1 - 0.5) < 5 * su, "mean position in stratum %g", u1);
    ck_assert_msg(fabs(q0 - 1.0 / 12) < 5 * sq, "mean squared offset in stratum %g", q0);
    ck_assert_msg(fabs(q1 - 1.0 / 12) < 5 * sq, "mean squared offset in stratum %g", q1);
    double r01 = rank_correlation(&dz, 0, 1), r02 = rank_correlation(&dz, 0, 2);
    ck_assert_msg(fabs(r01) < 5 * sr, "rank correlation %g", r01);
    ck_assert_msg(fabs(r02) < 5 * sr, "rank correlation %g", r02);
    design_destroy(&dz);
}
END_TEST

/* The same seed gives the same points; another design seed others; the
 * sweep's (simulation) seed plays no part; seed defaults to 1. */
START_TEST(test_lhs_reproducible)
{
    struct design a, b, c, e;
    load_as(&a, "a.xml", lhs_xml);
    load_as(&b, "b.xml", lhs_xml);
    char *t = strdup(lhs_xml);
    memcpy(strstr(t, "seed=\"3\""), "seed=\"4\"", 8);
    load_as(&c, "c.xml", t);
    memcpy(strstr(t, "seed=\"4\""), "seed=\"3\"", 8);
    memcpy(strstr(t, "seed=\"11\""), "seed=\"12\"", 9);
    load_as(&e, "e.xml", t);
    free(t);
    size_t differ = 0;
    for (size_t p = 0; p < a.npoints; p++)
        for (size_t j = 0; j < a.nparams; j++) {
            FAST(strcmp(design_value(&a, p, j), design_value(&b, p, j)) == 0);
            FAST(strcmp(design_value(&a, p, j), design_value(&e, p, j)) == 0);
            differ += strcmp(design_value(&a, p, j), design_value(&c, p, j)) != 0;
        }
    /* two independent designs share a real value with probability 0 */
    ck_assert_uint_ge(differ, 2 * a.npoints);
    ck_assert_str_ne(a.hash, e.hash);           /* the sweep differs, the points do not */
    design_destroy(&a), design_destroy(&b), design_destroy(&c), design_destroy(&e);

    const char *one = "<sweep name=\"d\"><base file=\"small.xml\"/><latin_hypercube points=\"5\"%s>"
                      "<parameter path=\"a@x\" from=\"0\" to=\"1\"/></latin_hypercube></sweep>";
    char *t1, *t2;
    ck_assert_int_ge(asprintf(&t1, one, ""), 0);
    ck_assert_int_ge(asprintf(&t2, one, " seed=\"1\""), 0);
    load_as(&a, "d1.xml", t1);
    load_as(&b, "d2.xml", t2);
    for (size_t p = 0; p < 5; p++)
        ck_assert_str_eq(design_value(&a, p, 0), design_value(&b, p, 0));
    design_destroy(&a), design_destroy(&b);
    free(t1), free(t2);
}
END_TEST

/* Fewer integers than points: every value is still an integer in
 * [ceil(from), floor(to)], and the strata (with the 0.5 of rounding) are
 * still walked in order. */
START_TEST(test_lhs_integer_narrow)
{
    struct design dz;
    load_design(&dz, "<sweep name=\"i\"><base file=\"small.xml\"/><latin_hypercube points=\"40\" seed=\"5\">"
                     "<parameter path=\"a@x\" from=\"0.2\" to=\"3.9\" integer=\"1\"/></latin_hypercube></sweep>");
    check_strata(&dz, 0, 0.2, 3.9, 1, NULL, NULL);
    int seen[4] = { 0 };
    for (size_t p = 0; p < 40; p++) {
        int v = atoi(design_value(&dz, p, 0));
        ck_assert(v >= 1 && v <= 3);
        seen[v]++;
    }
    ck_assert(seen[1] && seen[2] && seen[3]);
    design_destroy(&dz);
}
END_TEST

/* Both: grid outer, hypercube inner (point p is grid point p / n and
 * hypercube point p mod n); the grid's parameters first. */
START_TEST(test_grid_times_hypercube)
{
    struct design dz;
    load_design(&dz, "<sweep name=\"x\"><base file=\"small.xml\"/>\n"
                     "<grid><parameter path=\"policy/retention@days\"><values>10 20</values></parameter>\n"
                     "<parameter path=\"policy/retention@purge\"><values>rolling daily weekly</values></parameter></grid>\n"
                     "<latin_hypercube points=\"3\"><parameter path=\"traffic@rate_per_day\" from=\"0.01\" to=\"0.02\"/>"
                     "<parameter path=\"population@size\" from=\"100\" to=\"400\" integer=\"true\"/>"
                     "</latin_hypercube></sweep>\n");
    ck_assert_uint_eq(dz.npoints, 18);
    ck_assert_uint_eq(dz.ngrid, 2);
    ck_assert_uint_eq(dz.nlhs, 3);
    ck_assert_str_eq(dz.params[2].path, "traffic@rate_per_day");
    ck_assert(!dz.params[1].lhs && dz.params[2].lhs && dz.params[3].lhs);
    const char *purge[] = { "rolling", "daily", "weekly" };
    for (size_t p = 0; p < 18; p++) {
        size_t g = p / 3, h = p % 3;
        ck_assert_str_eq(design_value(&dz, p, 0), g / 3 ? "20" : "10");
        ck_assert_str_eq(design_value(&dz, p, 1), purge[g % 3]);
        ck_assert_str_eq(design_value(&dz, p, 2), dz.params[2].values[h]);
        ck_assert_str_eq(design_value(&dz, p, 3), dz.params[3].values[h]);
    }
    check_strata(&dz, 2, 0.01, 0.02, 0, NULL, NULL);
    design_destroy(&dz);
}
END_TEST

/* ---- the hash ------------------------------------------------------------------------ */

START_TEST(test_hash)
{
    const char *text = "<sweep name=\"h\"><base file=\"small.xml\"/><grid>"
                       "<parameter path=\"a@b\"><values>1 2</values></parameter></grid></sweep>\n";
    struct design a, b, c, e;
    load_as(&a, "h1.xml", text);
    load_as(&b, "h2.xml", text);                 /* another file, the same bytes */
    ck_assert_uint_eq(strlen(a.hash), 64);
    ck_assert_uint_eq(strspn(a.hash, "0123456789abcdef"), 64);
    ck_assert_str_eq(a.hash, b.hash);
    char *base = in_dir("small.xml");
    ck_assert_str_eq(a.base_file, base);         /* relative to the sweep file's directory */
    ck_assert_ptr_null(a.base_inline);
    /* one byte more in the sweep file */
    char *t;
    ck_assert_int_ge(asprintf(&t, "%s ", text), 0);
    load_as(&c, "h3.xml", t);
    ck_assert_str_ne(a.hash, c.hash);
    free(t);
    design_destroy(&b), design_destroy(&c);
    /* the base changed */
    char *changed = strdup(base_xml);
    memcpy(strstr(changed, "size=\"300\""), "size=\"301\"", 10);
    tu_write(base, changed);
    load_as(&e, "h1.xml", text);
    ck_assert_str_ne(a.hash, e.hash);
    tu_write(base, base_xml);
    load_as(&b, "h1.xml", text);
    ck_assert_str_eq(a.hash, b.hash);            /* back as it was */
    design_destroy(&a), design_destroy(&b), design_destroy(&e);
    /* an absolute base path is kept; an inline base has no file */
    ck_assert_int_ge(asprintf(&t, "<sweep name=\"h\"><base file=\"%s\"/><grid>"
                                  "<parameter path=\"a@b\"><values>1</values></parameter></grid></sweep>", base), 0);
    load_as(&a, "sub.xml", t);
    ck_assert_str_eq(a.base_file, base);
    design_destroy(&a);
    free(t);
    load_as(&a, "inl.xml", "<sweep name=\"i\">\n<base>\n<scenario name=\"x\"><run seed=\"1\"/></scenario>\n</base>\n"
                           "<grid><parameter path=\"run@seed\"><values>1</values></parameter></grid></sweep>");
    ck_assert_ptr_null(a.base_file);
    ck_assert_ptr_nonnull(a.base_inline);
    ck_assert_int_eq(a.base_line, 2);
    ck_assert_uint_eq(strlen(a.hash), 64);
    design_destroy(&a);
    free(changed), free(base);
}
END_TEST

/* ---- bad designs ------------------------------------------------------------------- */

/* design_load of `text` fails with a diagnostic "FILE:LINE: ..." holding
 * `expect`, and leaves the design empty. */
static void expect_bad(const char *text, long line, const char *expect)
{
    char *p = in_dir("bad.xml");
    tu_write(p, text);
    struct diag d;
    diag_init(&d);
    struct design dz;
    memset(&dz, 0xab, sizeof dz);
    ck_assert_int_eq(design_load(&dz, p, &d), -1);
    ck_assert_uint_ge(d.n, 1);
    char *prefix;                               /* line 0: about another file, named in the message */
    ck_assert_int_ge(line > 0 ? asprintf(&prefix, "%s:%ld: ", p, line) : asprintf(&prefix, "%s", ""), 0);
    int found = 0;
    for (size_t i = 0; i < d.n && !found; i++)
        found = strncmp(d.msg[i], prefix, strlen(prefix)) == 0 && strstr(d.msg[i], expect) != NULL;
    if (!found)
        diag_print(&d, stderr);
    ck_assert_msg(found, "no diagnostic '%s...%s'", prefix, expect);
    struct design empty;
    memset(&empty, 0, sizeof empty);
    ck_assert_msg(memcmp(&dz, &empty, sizeof dz) == 0, "the design is not empty after a failure");
    free(prefix);
    diag_destroy(&d);
    free(p);
}

static char *grid_with(const char *param)
{
    char *t;
    ck_assert_int_ge(asprintf(&t, "<?xml version=\"1.0\"?>\n<sweep name=\"bad\" replications=\"2\">\n"
                                  "  <base file=\"small.xml\"/>\n  <grid>\n"
                                  "    <parameter path=\"policy/retention@days\"><values>1</values></parameter>\n"
                                  "    %s\n  </grid>\n</sweep>\n", param), 0);
    return t;
}

START_TEST(test_bad_designs)
{
    /* the rules a schema cannot say, at the line of the element at fault
     * (the varied parameter is on line 6) */
    const struct { const char *param, *expect; } grid[] = {
        { "<parameter path=\"a@b\"><values>  </values></parameter>", "empty" },
        { "<parameter path=\"a@b\"><range from=\"10\" to=\"30\" step=\"0\"/></parameter>", "step must not be 0" },
        { "<parameter path=\"a@b\"><range from=\"10\" to=\"30\" step=\"-5\"/></parameter>", "goes away from to" },
        { "<parameter path=\"a@b\"><range from=\"1\" to=\"30\" step=\"0.5\" scale=\"log\"/></parameter>",
          "goes away from to" },
        { "<parameter path=\"a@b\"><range from=\"0\" to=\"30\" points=\"3\" scale=\"log\"/></parameter>", "above 0" },
        { "<parameter path=\"a@b\"><range from=\"1\" to=\"30\" points=\"1\"/></parameter>", "points=\"1\"" },
        { "<parameter path=\"a@b\"><range from=\"1\" to=\"30\"/></parameter>", "exactly one of step and points" },
        { "<parameter path=\"a@b\"><range from=\"INF\" to=\"30\" step=\"1\"/></parameter>", "finite" },
        { "<parameter path=\"policy/retention@days\"><values>2</values></parameter>", "varied twice (also on line 5)" },
        { "<parameter path=\"run@replications\"><values>1</values></parameter>", "replications attribute" },
        { "<parameter path=\"policy\"><values>1</values></parameter>", "not a PATH" },
        { "<parameter path=\"a@b@c\"><values>1</values></parameter>", "not a PATH" },
        { "<parameter path=\"a@b/c\"><values>1</values></parameter>", "not a PATH" },
        { "<parameter path=\"a@\"><values>1</values></parameter>", "not a PATH" },
        { "<parameter path=\"a b@c\"><values>1</values></parameter>", "not a PATH" },
        { "<parameter path=\"a@b\"><values>1</values><values>2</values></parameter>", "values" },   /* schema */
    };
    for (size_t i = 0; i < sizeof grid / sizeof grid[0]; i++) {
        char *t = grid_with(grid[i].param);
        expect_bad(t, 6, grid[i].expect);
        free(t);
    }
    char big[600], *t;
    memset(big, '9', 512);
    big[512] = '\0';
    ck_assert_int_ge(asprintf(&t, "<parameter path=\"a@b\"><values>%s</values></parameter>", big), 0);
    char *g = grid_with(t);
    expect_bad(g, 6, "longer than 511");
    free(g), free(t);

    const char *lhs = "<sweep name=\"l\">\n<base file=\"small.xml\"/>\n<latin_hypercube points=\"%s\">\n%s\n"
                      "</latin_hypercube>\n</sweep>\n";
    const struct { const char *points, *param, *expect; long line; } hc[] = {
        { "4", "<parameter path=\"a@b\" from=\"2\" to=\"2\"/>", "must be above from", 4 },
        { "4", "<parameter path=\"a@b\" from=\"3\" to=\"1\"/>", "must be above from", 4 },
        { "4", "<parameter path=\"a@b\" from=\"0.2\" to=\"0.8\" integer=\"true\"/>", "no integer", 4 },
        { "4", "<parameter path=\"a@b\" from=\"-INF\" to=\"1\"/>", "finite", 4 },
        { "4", "<parameter path=\"a@b\" from=\"0\" to=\"1\"/>\n<parameter path=\"a@b\" from=\"0\" to=\"1\"/>",
          "varied twice", 5 },
        { "0", "<parameter path=\"a@b\" from=\"0\" to=\"1\"/>", "points", 3 },
        { "1000001", "<parameter path=\"a@b\" from=\"0\" to=\"1\"/>", "points", 3 },
    };
    for (size_t i = 0; i < sizeof hc / sizeof hc[0]; i++) {
        ck_assert_int_ge(asprintf(&t, lhs, hc[i].points, hc[i].param), 0);
        expect_bad(t, hc[i].line, hc[i].expect);
        free(t);
    }
    /* the same PATH in the grid and in the hypercube */
    expect_bad("<sweep name=\"b\"><base file=\"small.xml\"/>\n"
               "<grid><parameter path=\"a@b\"><values>1</values></parameter></grid>\n"
               "<latin_hypercube points=\"2\">\n<parameter path=\"a@b\" from=\"0\" to=\"1\"/></latin_hypercube></sweep>",
               4, "varied twice (also on line 2)");
    /* the document as a whole */
    expect_bad("<sweep name=\"b\">\n<base file=\"small.xml\"/>\n</sweep>\n", 1, "nothing is varied");
    expect_bad("<sweep name=\"b\">\n<base/>\n<grid><parameter path=\"a@b\"><values>1</values>"
               "</parameter></grid></sweep>", 2, "neither");
    expect_bad("<sweep name=\"b\">\n<base file=\"small.xml\"><scenario/></base>\n<grid><parameter path=\"a@b\">"
               "<values>1</values></parameter></grid></sweep>", 2, "not both");
    expect_bad("<sweep name=\"b\">\n<base>\n<population/></base>\n<grid><parameter path=\"a@b\">"
               "<values>1</values></parameter></grid></sweep>", 3, "must be a <scenario>");
    expect_bad("<sweep name=\"b\">\n<base file=\"\"/>\n<grid><parameter path=\"a@b\"><values>1</values>"
               "</parameter></grid></sweep>", 2, "is empty");
    expect_bad(base_xml, 2, "not a sweep file");
    expect_bad("<sweep name=\"b\" replications=\"0\">\n<base file=\"small.xml\"/>\n<grid><parameter path=\"a@b\">"
               "<values>1</values></parameter></grid></sweep>", 1, "replications");
    expect_bad("<sweep name=\"b\">\n<base file=\"small.xml\"/>\n<grid><parameter path=\"a@b\">"
               "<values>1</values></parameter></grid>\n<bogus/></sweep>", 4, "bogus");
    expect_bad("<sweep name=\"b\">\n<base file=\"small.xml\"/>\n<grid>\n</sweep>\n", 4, "");   /* not well-formed */
    expect_bad("<?xml version=\"1.0\"?>\n<!DOCTYPE sweep [<!ENTITY e \"x\">]>\n<sweep name=\"b\"><base file=\"small.xml\"/>"
               "<grid><parameter path=\"a@b\"><values>&e;</values></parameter></grid></sweep>", 2, "DOCTYPE");
    /* the base file cannot be read for the hash */
    expect_bad("<sweep name=\"b\"><base file=\"nope.xml\"/><grid><parameter path=\"a@b\"><values>1</values>"
               "</parameter></grid></sweep>", 0, "nope.xml");
    /* more than 10^8 runs: 1000 x 1000 points x 101 replications, at <grid> */
    expect_bad("<sweep name=\"b\" replications=\"101\">\n<base file=\"small.xml\"/>\n<grid>\n"
               "<parameter path=\"a@b\"><range from=\"1\" to=\"1000\" step=\"1\"/></parameter>\n"
               "<parameter path=\"a@c\"><range from=\"1\" to=\"1000\" points=\"1000\"/></parameter>\n"
               "</grid></sweep>", 3, "at most 100000000 runs");
    /* ... but 10^8 exactly is allowed */
    struct design dz;
    load_design(&dz, "<sweep name=\"b\" replications=\"100\">\n<base file=\"small.xml\"/>\n<grid>\n"
                     "<parameter path=\"a@b\"><range from=\"1\" to=\"1000\" step=\"1\"/></parameter>\n"
                     "<parameter path=\"a@c\"><range from=\"1\" to=\"1000\" points=\"1000\"/></parameter>\n"
                     "</grid></sweep>");
    ck_assert_uint_eq(dz.npoints, 1000000);
    ck_assert_str_eq(design_value(&dz, 999999, 0), "1000");
    ck_assert_str_eq(design_value(&dz, 1234, 0), "2");
    ck_assert_str_eq(design_value(&dz, 1234, 1), "235");
    design_destroy(&dz);
    /* a file that is not there */
    char *missing = in_dir("missing.xml");
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(design_load(&dz, missing, &d), -1);
    ck_assert_uint_ge(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.msg[0], missing));
    diag_destroy(&d);
    free(missing);
    design_destroy(&dz);                        /* safe on an empty design */
}
END_TEST

/* ---- several bases ------------------------------------------------------------------ */

/* Three named bases x a grid of 2 values: 6 points, the bases outermost;
 * the base is params[0] (path "base", values the names) but never a --set;
 * design_point_base gives each point's base. */
START_TEST(test_bases)
{
    char *p2 = in_dir("other.xml"), *p3 = in_dir("third.xml");
    tu_write(p2, base_xml);
    tu_write(p3, base_xml);
    struct design dz;
    load_design(&dz, "<sweep name=\"b\">\n"
                     "<base name=\"first\" file=\"small.xml\"/>\n"
                     "<base name=\"Second one\" file=\"other.xml\"/>\n"
                     "<base name=\"=third\" file=\"third.xml\"/>\n"
                     "<grid><parameter path=\"policy/retention@days\"><values>10 20</values></parameter></grid>\n"
                     "</sweep>\n");
    ck_assert_uint_eq(dz.nbases, 3);
    ck_assert_int_eq(dz.base_param, 1);
    ck_assert_uint_eq(dz.npoints, 6);
    ck_assert_uint_eq(dz.nparams, 2);
    ck_assert_str_eq(dz.params[0].path, DESIGN_BASE_COLUMN);
    ck_assert_str_eq(dz.bases[1].name, "Second one");
    ck_assert_str_eq(dz.bases[1].file, p2);
    ck_assert_int_eq(dz.bases[2].line, 4);
    ck_assert_str_eq(dz.base_file, dz.bases[0].file);
    ck_assert_int_eq(dz.base_line, 2);
    const char *names[] = { "first", "Second one", "=third" }, *days[] = { "10", "20" };
    for (size_t p = 0; p < 6; p++) {
        ck_assert_uint_eq(design_point_base(&dz, p), p / 2);
        ck_assert_str_eq(design_value(&dz, p, 0), names[p / 2]);
        ck_assert_str_eq(design_value(&dz, p, 1), days[p % 2]);
        char **sets;
        long n = design_point_sets(&dz, p, 7, 2, &sets);
        ck_assert_int_eq(n, 3);                    /* seed, replications, the retention: no base */
        ck_assert_str_eq(sets[0], "run@seed=7");
        char want[64];
        snprintf(want, sizeof want, "policy/retention@days=%s", days[p % 2]);
        ck_assert_str_eq(sets[2], want);
        design_sets_free(sets, n);
    }
    char hash[65];
    memcpy(hash, dz.hash, sizeof hash);
    design_destroy(&dz);
    /* bases alone are a design; the hash covers every base's bytes */
    const char *alone = "<sweep name=\"b\">\n<base name=\"a\" file=\"small.xml\"/>\n"
                        "<base name=\"b\" file=\"other.xml\"/>\n</sweep>\n";
    load_design(&dz, alone);
    ck_assert_uint_eq(dz.npoints, 2);
    ck_assert_uint_eq(dz.nparams, 1);
    ck_assert_uint_eq(design_point_base(&dz, 1), 1);
    ck_assert_int_eq(dz.design_line, 2);
    memcpy(hash, dz.hash, sizeof hash);
    design_destroy(&dz);
    char *changed = strdup(base_xml);
    memcpy(strstr(changed, "size=\"300\""), "size=\"301\"", 10);
    tu_write(p2, changed);                         /* the second base changed */
    load_design(&dz, alone);
    ck_assert_str_ne(hash, dz.hash);
    design_destroy(&dz);
    tu_write(p2, base_xml);
    load_design(&dz, alone);
    ck_assert_str_eq(hash, dz.hash);
    design_destroy(&dz);
    /* one named base: the column, and a grid is needed */
    load_design(&dz, "<sweep name=\"b\"><base name=\"only\" file=\"small.xml\"/>"
                     "<grid><parameter path=\"a@b\"><values>1 2 3</values></parameter></grid></sweep>");
    ck_assert_int_eq(dz.base_param, 1);
    ck_assert_uint_eq(dz.npoints, 3);
    ck_assert_uint_eq(design_point_base(&dz, 2), 0);
    ck_assert_str_eq(design_value(&dz, 2, 0), "only");
    design_destroy(&dz);
    /* an unnamed base: no column, as before */
    load_design(&dz, "<sweep name=\"b\"><base file=\"small.xml\"/>"
                     "<grid><parameter path=\"a@b\"><values>1 2</values></parameter></grid></sweep>");
    ck_assert_int_eq(dz.base_param, 0);
    ck_assert_uint_eq(dz.nparams, 1);
    design_destroy(&dz);
    free(changed), free(p2), free(p3);
}
END_TEST

/* The rules of several bases, each at the line of the <base> at fault. */
START_TEST(test_bad_bases)
{
    char *p2 = in_dir("other.xml");
    tu_write(p2, base_xml);
    const struct { const char *bases, *expect; long line; } cases[] = {
        { "<base name=\"a\" file=\"small.xml\"/>\n<base name=\"a\" file=\"other.xml\"/>", "'a' names two bases "
          "(also on line 2)", 3 },
        { "<base name=\"a\" file=\"small.xml\"/>\n<base file=\"other.xml\"/>", "name every base", 3 },
        { "<base file=\"small.xml\"/>\n<base name=\"b\" file=\"other.xml\"/>", "name every base", 2 },
        { "<base name=\"a\" file=\"small.xml\"/>\n<base name=\"\" file=\"other.xml\"/>", "is empty", 3 },
        { "<base name=\"a\" file=\"small.xml\"/>\n<base name=\"b&#127;\" file=\"other.xml\"/>", "not printable", 3 },
        { "<base name=\"a\" file=\"small.xml\"/>\n<base name=\"caf\xc3\xa9\" file=\"other.xml\"/>", "not printable", 3 },
        { "<base name=\"a\" file=\"small.xml\"/>\n<base name=\" b\" file=\"other.xml\"/>", "space", 3 },
        { "<base name=\"a\" file=\"small.xml\"/>\n<base name=\"b\"/>", "neither", 3 },
        { "<base name=\"a\" file=\"small.xml\"/>\n<base name=\"b\" file=\"nope.xml\"/>", "base 'b': its scenario "
          "file", 3 },
        { "<base name=\"a\" file=\"small.xml\"/>\n<base name=\"01234567890123456789012345678901234567890123456789"
          "012345678901234\" file=\"other.xml\"/>", "at most 64", 3 },
        { "<base name=\"only\" file=\"small.xml\"/>", "nothing is varied", 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *t;
        ck_assert_int_ge(asprintf(&t, "<sweep name=\"b\">\n%s\n</sweep>\n", cases[i].bases), 0);
        expect_bad(t, cases[i].line, cases[i].expect);
        free(t);
    }
    /* a name of 64 characters is allowed */
    struct design dz;
    load_design(&dz, "<sweep name=\"b\">\n<base name=\"a\" file=\"small.xml\"/>\n<base name=\"0123456789012345678901"
                     "234567890123456789012345678901234567890123\" file=\"other.xml\"/>\n</sweep>\n");
    ck_assert_uint_eq(strlen(dz.bases[1].name), 64);
    design_destroy(&dz);
    free(p2);
}
END_TEST

Suite *design_suite(void)
{
    Suite *s = suite_create("design");
    TCase *tc = tcase_create("expand");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_split_values);
    tcase_add_test(tc, test_ranges_linear);
    tcase_add_test(tc, test_ranges_log);
    tcase_add_test(tc, test_ranges_bad);
    tcase_add_test(tc, test_grid_cartesian);
    tcase_add_test(tc, test_grid_list_as_written);
    tcase_add_test(tc, test_point_sets);
    tcase_add_test(tc, test_lhs_strata);
    tcase_add_test(tc, test_lhs_reproducible);
    tcase_add_test(tc, test_lhs_integer_narrow);
    tcase_add_test(tc, test_grid_times_hypercube);
    tcase_add_test(tc, test_hash);
    tcase_add_test(tc, test_bases);
    suite_add_tcase(s, tc);
    tc = tcase_create("bad");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_bad_designs);
    tcase_add_test(tc, test_bad_bases);
    suite_add_tcase(s, tc);
    return s;
}
