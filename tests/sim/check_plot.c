/* check_plot — `exposim plot DIR` end to end.
 *
 * A run of the baseline (N = 400, 4 replications) and a 3-point sweep are
 * plotted: every metric gets M.csv, M.png (PNG signature) and M.svg
 * (an <svg element), report.html names each figure; the last row of each
 * run figure's numbers is summary.csv's row (the same statistics), and
 * each sweep figure's rows are sweep-summary.csv's, with the swept
 * parameter as x.  Plotting again replaces the figures and leaves no
 * temporary directory.  Bad input (no directory, nothing to plot, a
 * malformed timeseries.csv, a stray option) gives status 2 and writes
 * nothing. */
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "suites.h"
#include "testutil.h"

static int exists(const char *dir, const char *name)
{
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
    struct stat sb;
    int ok = stat(p, &sb) == 0 && sb.st_size > 0;
    free(p);
    return ok;
}

static int starts_with(const char *dir, const char *name, const char *magic, size_t n)
{
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
    size_t len;
    char *s = tu_slurp(p, &len);
    free(p);
    int ok = s && len >= n && memcmp(s, magic, n) == 0;
    free(s);
    return ok;
}

static int contains(const char *dir, const char *name, const char *text)
{
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
    size_t len;
    char *s = tu_slurp(p, &len);
    free(p);
    int ok = s && strstr(s, text);
    free(s);
    return ok;
}

/* Entries of dir whose name starts with a dot, other than . and .. */
static int hidden_entries(const char *dir)
{
    DIR *dp = opendir(dir);
    ck_assert_ptr_nonnull(dp);
    int n = 0;
    for (struct dirent *e; (e = readdir(dp));)
        n += e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(dp);
    return n;
}

/* Every metric of the header row(s) has its three files and a place in
 * the report. */
static void check_figures(const char *dir, const char *const *metrics, size_t n)
{
    char *figs;
    ck_assert_int_ge(asprintf(&figs, "%s/figures", dir), 0);
    for (size_t i = 0; i < n; i++) {
        char csv[128], png[128], svg[128], img[160];
        snprintf(csv, sizeof csv, "%s.csv", metrics[i]);
        snprintf(png, sizeof png, "%s.png", metrics[i]);
        snprintf(svg, sizeof svg, "%s.svg", metrics[i]);
        snprintf(img, sizeof img, "figures/%s.svg", metrics[i]);
        ck_assert_msg(exists(figs, csv), "%s missing", csv);
        ck_assert_msg(starts_with(figs, png, "\x89PNG\r\n\x1a\n", 8), "%s is not a PNG", png);
        ck_assert_msg(contains(figs, svg, "<svg"), "%s is not an SVG", svg);
        ck_assert_msg(contains(dir, "report.html", img), "report.html does not show %s", img);
    }
    ck_assert(exists(figs, "plots.gp"));
    ck_assert_int_eq(hidden_entries(dir), 0);
    free(figs);
}

static double field(const struct tu_csv *c, size_t r, const char *col)
{
    int j = tu_csv_col(c, col);
    ck_assert_msg(j >= 0, "no column %s", col);
    const char *s = c->rows[r][j];
    return strcmp(s, "NA") == 0 ? NAN : strtod(s, NULL);
}

static void assert_same(double x, double y, const char *what)
{
    ck_assert_msg((isnan(x) && isnan(y)) || fabs(x - y) <= 1e-9 * (1 + fabs(y)), "%s: %.10g against %.10g", what,
                  x, y);
}

START_TEST(test_plot_run)
{
    char *dir = tu_mkdtemp(), *args, *err = NULL, *scen = tu_top("scenarios/baseline.xml");
    ck_assert_int_ge(asprintf(&args, "run '%s' -o '%s' --replications 4 --set population@size=400 --quiet", scen,
                              dir), 0);
    ck_assert_int_eq(tu_exposim(args, NULL, &err), 0);
    free(args);
    free(err);
    ck_assert_int_ge(asprintf(&args, "plot '%s' --quiet", dir), 0);
    for (int again = 0; again < 2; again++) {    /* the second replaces the first */
        err = NULL;
        int st = tu_exposim(args, NULL, &err);
        ck_assert_msg(st == 0, "status %d: %s", st, err);
        ck_assert_msg(!err || !*err, "stderr: %s", err);
        free(err);
        static const char *const m[] = { "edge_recall", "edge_precision", "node_coverage", "covered_days",
                                         "exposure_mean_day", "degree_ks", "lookups" };
        check_figures(dir, m, sizeof m / sizeof m[0]);
    }
    free(args);
    /* the last point of each figure is summary.csv's row */
    char *path;
    ck_assert_int_ge(asprintf(&path, "%s/summary.csv", dir), 0);
    struct tu_csv sum;
    ck_assert_int_eq(tu_csv_read(path, &sum), 0);
    free(path);
    for (size_t r = 1; r < sum.nrows; r++) {
        ck_assert_int_ge(asprintf(&path, "%s/figures/%s.csv", dir, sum.rows[r][0]), 0);
        struct tu_csv fig;
        ck_assert_int_eq(tu_csv_read(path, &fig), 0);
        free(path);
        ck_assert_uint_eq(fig.nrows, 7);          /* header + six acquisitions */
        assert_same(field(&fig, 1, "x"), 30, "first day");
        assert_same(field(&fig, 6, "x"), 180, "last day");
        assert_same(field(&fig, 6, "mean"), field(&sum, r, "mean"), sum.rows[r][0]);
        assert_same(field(&fig, 6, "ci95_low"), field(&sum, r, "ci95_low"), sum.rows[r][0]);
        assert_same(field(&fig, 6, "ci95_high"), field(&sum, r, "ci95_high"), sum.rows[r][0]);
        assert_same(field(&fig, 6, "n"), field(&sum, r, "n"), sum.rows[r][0]);
        tu_csv_free(&fig);
    }
    tu_csv_free(&sum);
    free(scen);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_plot_sweep)
{
    char *dir = tu_mkdtemp(), *path, *args, *err = NULL, *rel = tu_top("scenarios/baseline.xml");
    char *base = realpath(rel, NULL);            /* the sweep file lives elsewhere */
    ck_assert_ptr_nonnull(base);
    free(rel);
    ck_assert_int_ge(asprintf(&path, "%s/s.xml", dir), 0);
    char *xml;
    ck_assert_int_ge(asprintf(&xml,
                              "<?xml version=\"1.0\"?>\n<sweep name=\"p\" replications=\"2\">\n"
                              "  <base file=\"%s\"/>\n  <grid>\n"
                              "    <parameter path=\"policy/retention@days\"><values>7 14 30</values></parameter>\n"
                              "  </grid>\n</sweep>\n", base), 0);
    tu_write(path, xml);
    free(xml);
    ck_assert_int_ge(asprintf(&args, "sweep '%s' -o '%s/out' --quiet", path, dir), 0);
    int sst = tu_exposim(args, NULL, &err);
    ck_assert_msg(sst == 0, "sweep: status %d: %s", sst, err);
    free(args);
    free(err);
    free(path);
    char *out;
    ck_assert_int_ge(asprintf(&out, "%s/out", dir), 0);
    ck_assert_int_ge(asprintf(&args, "plot '%s' --quiet", out), 0);
    err = NULL;
    int st = tu_exposim(args, NULL, &err);
    ck_assert_msg(st == 0, "status %d: %s", st, err);
    free(err);
    free(args);
    static const char *const m[] = { "edge_recall", "covered_days", "lookups" };
    check_figures(out, m, sizeof m / sizeof m[0]);
    ck_assert(contains(out, "report.html", "policy/retention@days"));
    ck_assert(contains(out, "figures/plots.gp", "policy/retention@days"));   /* the x axis */
    /* each figure's rows are sweep-summary.csv's, x the retention */
    ck_assert_int_ge(asprintf(&path, "%s/sweep-summary.csv", out), 0);
    struct tu_csv sum, fig;
    ck_assert_int_eq(tu_csv_read(path, &sum), 0);
    free(path);
    ck_assert_int_ge(asprintf(&path, "%s/figures/edge_recall.csv", out), 0);
    ck_assert_int_eq(tu_csv_read(path, &fig), 0);
    free(path);
    ck_assert_uint_eq(fig.nrows, sum.nrows);
    for (size_t r = 1; r < sum.nrows; r++) {
        assert_same(field(&fig, r, "x"), field(&sum, r, "policy/retention@days"), "x");
        assert_same(field(&fig, r, "mean"), field(&sum, r, "edge_recall_mean"), "mean");
        assert_same(field(&fig, r, "ci95_low"), field(&sum, r, "edge_recall_ci95_low"), "low");
        assert_same(field(&fig, r, "ci95_high"), field(&sum, r, "edge_recall_ci95_high"), "high");
    }
    tu_csv_free(&fig);
    tu_csv_free(&sum);
    free(out);
    free(base);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* Status 2, the message, and nothing written. */
static void expect_bad(const char *args, const char *want, const char *dir)
{
    char *err = NULL;
    int st = tu_exposim(args, NULL, &err);
    ck_assert_msg(st == 2, "%s: status %d", args, st);
    ck_assert_msg(err && strstr(err, want), "%s: stderr '%s' lacks '%s'", args, err ? err : "", want);
    free(err);
    if (dir) {
        ck_assert(!exists(dir, "report.html"));
        char *figs;
        ck_assert_int_ge(asprintf(&figs, "%s/figures", dir), 0);
        struct stat sb;
        ck_assert_int_ne(stat(figs, &sb), 0);
        free(figs);
        ck_assert_int_eq(hidden_entries(dir), 0);
    }
}

START_TEST(test_plot_bad_input)
{
    char *dir = tu_mkdtemp(), *args, *path;
    ck_assert_int_ge(asprintf(&args, "plot '%s/nonexistent'", dir), 0);
    expect_bad(args, "not a directory", NULL);
    free(args);
    ck_assert_int_ge(asprintf(&args, "plot '%s'", dir), 0);
    expect_bad(args, "no timeseries.csv", dir);
    ck_assert_int_ge(asprintf(&path, "%s/timeseries.csv", dir), 0);
    tu_write(path, "replication,acquisition,day,metric,value\n1,1,30,\"edge_recall\",0.5\n1,x,60,\"edge_recall\",0.7\n");
    expect_bad(args, "timeseries.csv:3:", dir);
    tu_write(path, "replication,acquisition,day,metric,value\n1,1,30,\"edge_recall\",0.5\n1,1,30,\"edge_recall\",0.6\n");
    expect_bad(args, "timeseries.csv:3: a second value of edge_recall", dir);
    tu_write(path, "replication,acquisition,day,metric,value\n1,1,30,\"edge_recall\n");
    expect_bad(args, "not valid CSV", dir);
    tu_write(path, "a,b\n1,2\n");
    expect_bad(args, "timeseries.csv:1:", dir);
    free(path);
    /* sweep-summary.csv: every metric's five columns are METRIC_mean,
     * _sd, _ci95_low, _ci95_high, _n (found by fuzzing: a second metric
     * whose first column was shorter than "_mean" made plot ask for
     * SIZE_MAX bytes) */
    ck_assert_int_ge(asprintf(&path, "%s/timeseries.csv", dir), 0);
    unlink(path);
    free(path);
    ck_assert_int_ge(asprintf(&path, "%s/sweep-summary.csv", dir), 0);
    tu_write(path, "point,a@r,x_mean,x_sd,x_ci95_low,x_ci95_high,x_n,y,y_sd,y_ci95_low,y_ci95_high,y_n\n"
                   "1,7,1,0,1,1,3,1,0,1,1,3\n");
    expect_bad(args, "sweep-summary.csv:1: column 8: expected METRIC_mean", dir);
    tu_write(path, "point,a@r,x_mean,x_sd,x_ci95_low,x_ci95_high,x_n,_mean,y_sd,y_ci95_low,y_ci95_high,y_n\n"
                   "1,7,1,0,1,1,3,1,0,1,1,3\n");
    expect_bad(args, "sweep-summary.csv:1: column 8: expected METRIC_mean", dir);
    unlink(path);
    free(path);
    free(args);
    ck_assert_int_ge(asprintf(&args, "plot '%s' --png", dir), 0);
    expect_bad(args, "unknown option", dir);
    free(args);
    expect_bad("plot", "plot needs a results directory", NULL);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* Whether any line of dir/name starts with `prefix` (after blanks). */
static int line_starts(const char *dir, const char *name, const char *prefix)
{
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
    size_t len;
    char *s = tu_slurp(p, &len);
    free(p);
    int found = 0;
    for (char *line = s; s && line && *line && !found;) {
        line += strspn(line, " \t");
        found = strncmp(line, prefix, strlen(prefix)) == 0;
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    free(s);
    return found;
}

/* Names read from result files are untrusted (issue 16): a metric name or
 * a sweep-summary.csv header with a newline must not end a gnuplot string
 * and start a command, and no name or value may become HTML.  Before the
 * fix, the metric name below made gnuplot run touch (DIR/PWNED existed). */
START_TEST(test_plot_hostile_names)
{
    char *dir = tu_mkdtemp(), *path, *text, *args, *err = NULL, *pwned;
    ck_assert_int_ge(asprintf(&pwned, "%s/PWNED", dir), 0);
    ck_assert_int_ge(asprintf(&path, "%s/timeseries.csv", dir), 0);
    ck_assert_int_ge(asprintf(&text, "replication,acquisition,day,metric,value\n"
                                     "1,1,30,\"x\nsystem(\"\"touch %s\"\")\n#\",0.5\n"
                                     "2,1,30,\"x\nsystem(\"\"touch %s\"\")\n#\",0.25\n"
                                     "1,1,30,\"<script>alert(1)</script>\",1\n"
                                     "1,1,30,\"q'`touch %s`'\",2\n"
                                     "1,1,30,\"<touch %s\",3\n1,1,30,\"|touch %s\",4\n",
                                     pwned, pwned, pwned, pwned, pwned), 0);
    tu_write(path, text);
    free(text);
    free(path);
    ck_assert_int_ge(asprintf(&args, "plot '%s' --quiet", dir), 0);
    int st = tu_exposim(args, NULL, &err);
    ck_assert_msg(st == 0, "status %d: %s", st, err);
    free(err);
    free(args);
    struct stat sb;
    ck_assert_msg(stat(pwned, &sb) != 0, "gnuplot ran a command from a metric name");
    ck_assert(!line_starts(dir, "figures/plots.gp", "system"));
    ck_assert(!line_starts(dir, "figures/plots.gp", "#\'"));
    ck_assert(!contains(dir, "figures/plots.gp", "'<"));  /* no string gnuplot could read as a pipe */
    ck_assert(!contains(dir, "figures/plots.gp", "'|"));
    ck_assert(!contains(dir, "report.html", "<script>"));
    ck_assert(contains(dir, "report.html", "&lt;script&gt;"));

    /* the same in a sweep's headers and parameter values */
    tu_rmtree(dir);
    free(dir);
    dir = tu_mkdtemp();
    free(pwned);
    ck_assert_int_ge(asprintf(&pwned, "%s/PWNED", dir), 0);
    ck_assert_int_ge(asprintf(&path, "%s/sweep-summary.csv", dir), 0);
    ck_assert_int_ge(asprintf(&text, "point,\"p\nsystem(\"\"touch %s\"\")\n#\",\"m\nsystem(\"\"touch %s\"\")\n#_mean\","
                                     "m_sd,m_ci95_low,m_ci95_high,m_n\n"
                                     "1,\"<img src=x onerror=alert(1)>\",0.5,0.1,0.4,0.6,3\n"
                                     "2,\"v\nsystem(\"\"touch %s\"\")\n#\",0.6,0.1,0.5,0.7,3\n", pwned, pwned, pwned), 0);
    tu_write(path, text);
    free(text);
    free(path);
    ck_assert_int_ge(asprintf(&args, "plot '%s' --quiet", dir), 0);
    err = NULL;
    st = tu_exposim(args, NULL, &err);
    ck_assert_msg(st == 0, "status %d: %s", st, err);
    free(err);
    free(args);
    ck_assert_msg(stat(pwned, &sb) != 0, "gnuplot ran a command from a sweep header");
    ck_assert(!line_starts(dir, "figures/plots.gp", "system"));
    ck_assert(!contains(dir, "report.html", "<img src=x"));
    ck_assert(contains(dir, "report.html", "&lt;img src=x"));
    free(pwned);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* Run `exposim ARGS`; assert status 0 and nothing on stderr. */
static void ok_silent(const char *args)
{
    char *err = NULL;
    int st = tu_exposim(args, NULL, &err);
    ck_assert_msg(st == 0, "%s: status %d: %s", args, st, err);
    ck_assert_msg(!err || !*err, "%s: stderr: %s", args, err);
    free(err);
}

/* A metric NA at every acquisition, a run of one acquisition, a figure of
 * nothing but NA: drawn, and gnuplot has nothing to say (its warnings
 * would reach stderr without --quiet). */
START_TEST(test_plot_na_one_acquisition)
{
    char *dir = tu_mkdtemp(), *path, *args;
    ck_assert_int_ge(asprintf(&path, "%s/timeseries.csv", dir), 0);
    tu_write(path, "replication,acquisition,day,metric,value\n"
                   "1,1,30,\"edge_recall\",0.5\n1,1,30,\"home_share\",NA\n1,1,30,\"lookups\",7\n"
                   "2,1,30,\"edge_recall\",0.6\n2,1,30,\"home_share\",NA\n2,1,30,\"lookups\",7\n");
    free(path);
    ck_assert_int_ge(asprintf(&args, "plot '%s'", dir), 0);
    ok_silent(args);
    free(args);
    static const char *const m[] = { "edge_recall", "home_share", "lookups" };
    check_figures(dir, m, 3);
    ck_assert(!exists(dir, "figures/timeline.svg"));   /* no timeline.csv, no timeline */
    ck_assert(contains(dir, "figures/plots.gp", "not defined (NA) at every acquisition"));
    ck_assert(contains(dir, "report.html", "Homes estimated"));      /* the catalog's title */
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* The legal-process timeline: a run's timeline.csv (hand-made: two lanes
 * of strategies, a lane of a target served at expansion, replication 2's
 * rows left out) is drawn as figures/timeline.{png,svg} with its numbers
 * (figures/timeline.csv: replication 1's 8 rows, the lanes ordered by
 * strategy, then target), shown in report.html with its caption; gnuplot
 * has nothing to say.  14 targets served at expansion: 12 lanes of their
 * own, then one shared.  A malformed timeline.csv: FILE:LINE, status 2,
 * nothing written. */
#define TL_HEAD "replication,strategy,instrument,target,event,start_day,end_day,acquisition\n"
START_TEST(test_plot_timeline)
{
    char *dir = tu_mkdtemp(), *ts, *tl, *args;
    ck_assert_int_ge(asprintf(&ts, "%s/timeseries.csv", dir), 0);
    ck_assert_int_ge(asprintf(&tl, "%s/timeline.csv", dir), 0);
    tu_write(ts, "replication,acquisition,day,metric,value\n1,1,30,\"edge_recall\",0.5\n1,2,60,\"edge_recall\",0.7\n"
                 "2,1,30,\"edge_recall\",0.6\n2,2,60,\"edge_recall\",0.8\n");
    tu_write(tl, TL_HEAD
             "1,NA,\"expansion_order\",\"17\",\"window\",0,30,1\n"
             "1,2,\"preservation\",\"all\",\"hold\",10,100,NA\n"
             "1,1,\"pen_register\",\"all\",\"acquisition\",30,30,1\n"
             "1,1,\"pen_register\",\"all\",\"term\",0,30,1\n"
             "1,1,\"pen_register\",\"all\",\"window\",0,30,1\n"
             "1,1,\"pen_register\",\"all\",\"gap\",30,40,NA\n"
             "1,1,\"pen_register\",\"all\",\"acquisition\",60,60,2\n"
             "1,1,\"pen_register\",\"all\",\"extension\",40,60,2\n"
             "2,1,\"pen_register\",\"all\",\"acquisition\",30,30,1\n");
    ck_assert_int_ge(asprintf(&args, "plot '%s'", dir), 0);
    ok_silent(args);
    static const char *const m[] = { "edge_recall", "timeline" };
    check_figures(dir, m, 2);
    ck_assert(contains(dir, "report.html", "Legal process"));
    ck_assert(contains(dir, "report.html", "Chained snapshots"));
    char *path;
    ck_assert_int_ge(asprintf(&path, "%s/figures/timeline.csv", dir), 0);
    struct tu_csv c;
    ck_assert_int_eq(tu_csv_read(path, &c), 0);
    free(path);
    ck_assert_uint_eq(c.nrows, 9);                 /* header + replication 1's 8 rows */
    int lane = tu_csv_col(&c, "lane");
    ck_assert_int_ge(lane, 0);
    /* lanes: 1 pen_register on top (y centre 3), 2 preservation (2), the target (1) */
    ck_assert_str_eq(c.rows[1][lane], "target 17");
    assert_same(field(&c, 1, "y"), 1 - 0.12, "the target's window, under its lane's centre");
    ck_assert_str_eq(c.rows[2][lane], "2 preservation");
    assert_same(field(&c, 2, "y"), 2 + 0.2, "the hold, above its lane's centre");
    ck_assert_str_eq(c.rows[3][lane], "1 pen_register");
    assert_same(field(&c, 3, "x"), 30, "the first acquisition's day");
    assert_same(field(&c, 8, "xlo"), 40, "the extension's start");
    assert_same(field(&c, 8, "xhi"), 60, "the extension's end");
    tu_csv_free(&c);
    ck_assert(contains(dir, "figures/plots.gp", "set output 'timeline.svg'"));
    tu_rmtree(dir);
    free(dir);

    /* 14 targets served at expansion: the first 12 to appear get a lane
     * each, the last 2 share "later targets", drawn last */
    dir = tu_mkdtemp();
    free(ts);
    free(tl);
    free(args);
    ck_assert_int_ge(asprintf(&ts, "%s/timeseries.csv", dir), 0);
    ck_assert_int_ge(asprintf(&tl, "%s/timeline.csv", dir), 0);
    ck_assert_int_ge(asprintf(&args, "plot '%s'", dir), 0);
    tu_write(ts, "replication,acquisition,day,metric,value\n1,1,30,\"edge_recall\",0.5\n");
    FILE *f = fopen(tl, "w");
    ck_assert_ptr_nonnull(f);
    fputs(TL_HEAD, f);
    for (int i = 0; i < 14; i++)                   /* targets 100, 99, ..., 87 */
        fprintf(f, "1,NA,\"expansion_order\",\"%d\",\"window\",0,30,1\n", 100 - i);
    fclose(f);
    ok_silent(args);
    ck_assert_int_ge(asprintf(&path, "%s/figures/timeline.csv", dir), 0);
    ck_assert_int_eq(tu_csv_read(path, &c), 0);
    free(path);
    ck_assert_uint_eq(c.nrows, 15);
    lane = tu_csv_col(&c, "lane");
    ck_assert_str_eq(c.rows[1][lane], "target 100");
    assert_same(field(&c, 1, "y"), 2 - 0.12, "target 100: the last of the 12 own lanes (by id)");
    ck_assert_str_eq(c.rows[12][lane], "target 89");
    assert_same(field(&c, 12, "y"), 13 - 0.12, "target 89: the first of 13 lanes");
    ck_assert_str_eq(c.rows[13][lane], "later targets");
    ck_assert_str_eq(c.rows[14][lane], "later targets");
    assert_same(field(&c, 14, "y"), 1 - 0.12, "the shared lane, last");
    tu_csv_free(&c);
    tu_rmtree(dir);
    free(dir);

    /* malformed: each at its line, nothing drawn */
    static const struct { const char *body, *want; } bad[] = {
        { "replication,strategy,instrument\n", "timeline.csv:1:" },
        { TL_HEAD "1,1,\"pen_register\",\"all\",\"term\",0,60,1\n1,1,\"pen_register\",\"all\",\"lapse\",0,60,1\n",
          "timeline.csv:3:" },
        { TL_HEAD "1,1,\"pen_register\",\"all\",\"term\",60,0,1\n", "timeline.csv:2:" },
        { TL_HEAD "1,1,\"pen_register\",\"all\",\"acquisition\",30,31,1\n", "timeline.csv:2:" },
        { TL_HEAD "1,1,\"pen register'; system('x')\",\"all\",\"term\",0,60,1\n", "timeline.csv:2:" },
        { TL_HEAD "1,1,\"pen_register\",\"some\",\"term\",0,60,1\n", "timeline.csv:2:" },
        { TL_HEAD "0,1,\"pen_register\",\"all\",\"term\",0,60,1\n", "timeline.csv:2:" },
        { TL_HEAD "1,1,\"pen_register\",\"all\",\"term\",0,inf,1\n", "timeline.csv:2:" },
        { TL_HEAD "1,1,\"pen_register\",\"all\",\"term\",0,60\n", "timeline.csv:2:" },
        { TL_HEAD "1,1,\"pen_register\",\"all\",\"term\",0,60,\"1\n", "not valid CSV" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dir = tu_mkdtemp();
        char *ts2, *tl2, *a2;
        ck_assert_int_ge(asprintf(&ts2, "%s/timeseries.csv", dir), 0);
        ck_assert_int_ge(asprintf(&tl2, "%s/timeline.csv", dir), 0);
        ck_assert_int_ge(asprintf(&a2, "plot '%s'", dir), 0);
        tu_write(ts2, "replication,acquisition,day,metric,value\n1,1,30,\"edge_recall\",0.5\n");
        tu_write(tl2, bad[i].body);
        expect_bad(a2, bad[i].want, dir);
        free(ts2);
        free(tl2);
        free(a2);
        tu_rmtree(dir);
        free(dir);
    }
    free(ts);
    free(tl);
    free(args);
}
END_TEST

/* A two-parameter grid (and a third PATH column that does not vary): one
 * line per value of the second parameter, a heat map, the rows sorted by
 * (group, x); a non-numeric x as categories. */
START_TEST(test_plot_grid)
{
    char *dir = tu_mkdtemp(), *path, *args;
    ck_assert_int_ge(asprintf(&path, "%s/sweep-summary.csv", dir), 0);
    tu_write(path, "point,\"a@r\",\"b@p\",c@k,edge_recall_mean,edge_recall_sd,edge_recall_ci95_low,"
                   "edge_recall_ci95_high,edge_recall_n\n"
                   "1,30,7,x,0.9,0.01,0.89,0.91,3\n2,30,60,x,0.5,0.01,0.49,0.51,3\n"
                   "3,7,7,x,0.8,0.01,0.79,0.81,3\n4,7,60,x,0.3,0.01,0.29,0.31,3\n");
    ck_assert_int_ge(asprintf(&args, "plot '%s'", dir), 0);
    ok_silent(args);
    static const char *const m[] = { "edge_recall" };
    check_figures(dir, m, 1);
    ck_assert(starts_with(dir, "figures/edge_recall-map.png", "\x89PNG\r\n\x1a\n", 8));
    ck_assert(contains(dir, "report.html", "figures/edge_recall-map.svg"));
    ck_assert(contains(dir, "figures/plots.gp", "$4 == 1 ?"));      /* a second line */
    free(path);
    ck_assert_int_ge(asprintf(&path, "%s/figures/edge_recall.csv", dir), 0);
    struct tu_csv fig;
    ck_assert_int_eq(tu_csv_read(path, &fig), 0);
    free(path);
    ck_assert_uint_eq(fig.nrows, 5);
    static const double x[] = { 7, 30, 7, 30 }, mean[] = { 0.8, 0.9, 0.3, 0.5 }, group[] = { 0, 0, 1, 1 };
    for (size_t r = 1; r < 5; r++) {
        assert_same(field(&fig, r, "x"), x[r - 1], "x");
        assert_same(field(&fig, r, "mean"), mean[r - 1], "mean");
        assert_same(field(&fig, r, "group"), group[r - 1], "group");
    }
    tu_csv_free(&fig);
    /* a categorical x */
    ck_assert_int_ge(asprintf(&path, "%s/sweep-summary.csv", dir), 0);
    tu_write(path, "point,q@n,lookups_mean,lookups_sd,lookups_ci95_low,lookups_ci95_high,lookups_n\n"
                   "1,kept,5,1,4,6,3\n2,plain_hash,5,1,4,6,3\n");
    free(path);
    ok_silent(args);
    ck_assert(contains(dir, "figures/plots.gp", "set xtics ('kept' 0, 'plain_hash' 1)"));
    free(args);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* A sweep over several bases (the base column, docs/sweeps.md): the base
 * is a categorical axis, points with their intervals and no line between
 * them, the names slanted when long, a quote in a name kept out of the
 * script's syntax; over the bases and a numeric parameter, one line per
 * base with the base as the legend's title. */
START_TEST(test_plot_bases)
{
    char *dir = tu_mkdtemp(), *path, *args;
    ck_assert_int_ge(asprintf(&path, "%s/sweep-summary.csv", dir), 0);
    tu_write(path, "point,base,edge_recall_mean,edge_recall_sd,edge_recall_ci95_low,edge_recall_ci95_high,edge_recall_n\n"
                   "1,\"us-2016\",0.45,0.01,0.44,0.46,5\n2,\"germany-2015\",0.75,0.01,0.74,0.76,5\n"
                   "3,\"eu-directive-2006\",0.97,0.01,0.96,0.98,5\n4,\"uk-ipa-2016\",0.99,0.01,0.98,1,5\n"
                   "5,\"private-contact-discovery\",0,0,0,0,5\n6,\"it's frozen\",0.02,0.01,0.01,0.03,5\n");
    ck_assert_int_ge(asprintf(&args, "plot '%s'", dir), 0);
    ok_silent(args);
    static const char *const m[] = { "edge_recall" };
    check_figures(dir, m, 1);
    ck_assert(contains(dir, "figures/plots.gp", "set xtics rotate by 30 right"));
    ck_assert(contains(dir, "figures/plots.gp", "('us-2016' 0, 'germany-2015' 1, "));
    ck_assert(contains(dir, "figures/plots.gp", "with yerrorbars"));
    ck_assert(!contains(dir, "figures/plots.gp", "yerrorlines"));
    ck_assert(contains(dir, "figures/plots.gp", "set xlabel 'base'"));
    ck_assert(contains(dir, "report.html", "private-contact-discovery"));
    free(path);
    ck_assert_int_ge(asprintf(&path, "%s/figures/edge_recall.csv", dir), 0);
    struct tu_csv fig;
    ck_assert_int_eq(tu_csv_read(path, &fig), 0);
    free(path);
    ck_assert_uint_eq(fig.nrows, 7);
    for (size_t r = 1; r < 7; r++)                /* in file order: the bases' order */
        assert_same(field(&fig, r, "x"), (double)(r - 1), "x");
    tu_csv_free(&fig);
    /* two short names: level tics */
    ck_assert_int_ge(asprintf(&path, "%s/sweep-summary.csv", dir), 0);
    tu_write(path, "point,base,edge_recall_mean,edge_recall_sd,edge_recall_ci95_low,edge_recall_ci95_high,edge_recall_n\n"
                   "1,\"'=a\",0.45,0.01,0.44,0.46,5\n2,\"''b\",0.75,0.01,0.74,0.76,5\n");
    ok_silent(args);                              /* guarded names: =a and 'b, drawn as such */
    ck_assert(!contains(dir, "figures/plots.gp", "rotate"));
    ck_assert(contains(dir, "figures/plots.gp", "set xtics ('=a' 0, ' ''b' 1)"));
    /* bases x retention: a line per base */
    tu_write(path, "point,base,policy/retention@days,edge_recall_mean,edge_recall_sd,edge_recall_ci95_low,"
                   "edge_recall_ci95_high,edge_recall_n\n"
                   "1,\"us\",30,0.45,0.01,0.44,0.46,5\n2,\"us\",70,0.75,0.01,0.74,0.76,5\n"
                   "3,\"de\",30,0.40,0.01,0.39,0.41,5\n4,\"de\",70,0.70,0.01,0.69,0.71,5\n");
    ok_silent(args);
    ck_assert(contains(dir, "figures/plots.gp", "set xlabel 'policy/retention@days'"));
    ck_assert(contains(dir, "figures/plots.gp", "title 'base'"));
    ck_assert(contains(dir, "figures/plots.gp", "$4 == 1 ?"));
    ck_assert(contains(dir, "figures/plots.gp", "yerrorlines"));
    free(path), free(args);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* Figures never disagree with the results beside them: a rerun of run
 * into a plotted directory draws them again from the new results, and a
 * directory never plotted gets none.  The report tells what was run and
 * the closed form of edge_recall is drawn (1 − e^(−2λT), T covered_days;
 * none for a scenario with a client cache). */
START_TEST(test_plot_rerun_and_report)
{
    char *dir = tu_mkdtemp(), *args, *scen = tu_top("scenarios/baseline.xml");
    ck_assert_int_ge(asprintf(&args, "run '%s' -o '%s' --replications 2 --set population@size=300 -q", scen, dir), 0);
    ok_silent(args);
    free(args);
    ck_assert(!exists(dir, "report.html"));
    ck_assert_int_ge(asprintf(&args, "plot '%s' -q", dir), 0);
    ok_silent(args);
    free(args);
    ck_assert(contains(dir, "report.html", "<h1>baseline</h1>"));
    ck_assert(contains(dir, "report.html", "<td class=l>20161028</td>"));     /* the seed */
    ck_assert(contains(dir, "report.html", "<code>population@size</code></td><td class=l>300</td>"));
    ck_assert(contains(dir, "report.html", "Edge recall <code>edge_recall</code>"));
    char *path;
    ck_assert_int_ge(asprintf(&path, "%s/figures/edge_recall.csv", dir), 0);
    struct tu_csv fig;
    ck_assert_int_eq(tu_csv_read(path, &fig), 0);
    for (size_t r = 1; r < fig.nrows; r++)   /* covered_days is the day here (P = R = 30) */
        assert_same(field(&fig, r, "closed_form"), 1 - exp(-2 * 0.01 * field(&fig, r, "x")), "closed form");
    tu_csv_free(&fig);
    /* the rerun: 3 replications, the figures follow */
    ck_assert_int_ge(asprintf(&args, "run '%s' -o '%s' --replications 3 --set population@size=300 "
                              "--set traffic@cache_ttl_hours=24 -q", scen, dir), 0);
    ok_silent(args);
    free(args);
    ck_assert(contains(dir, "report.html", "<td class=l>3</td>"));
    ck_assert_int_eq(tu_csv_read(path, &fig), 0);
    assert_same(field(&fig, fig.nrows - 1, "n"), 3, "n after the rerun");
    ck_assert(isnan(field(&fig, 1, "closed_form")));   /* a cache: no closed form */
    tu_csv_free(&fig);
    free(path);
    ck_assert_int_eq(hidden_entries(dir), 0);
    free(scen);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* Print quality: --size and --dpi set the PNG's pixels, --pdf adds PDFs;
 * bad values are usage errors. */
START_TEST(test_plot_size)
{
    char *dir = tu_mkdtemp(), *path, *args;
    ck_assert_int_ge(asprintf(&path, "%s/timeseries.csv", dir), 0);
    tu_write(path, "replication,acquisition,day,metric,value\n1,1,30,\"m\",0.5\n1,2,60,\"m\",0.7\n");
    free(path);
    ck_assert_int_ge(asprintf(&args, "plot '%s' --size 8.89x5.08 --dpi 300 --pdf -q", dir), 0);
    ok_silent(args);
    free(args);
    ck_assert(contains(dir, "figures/plots.gp", "pngcairo size 1050,600"));
    ck_assert(starts_with(dir, "figures/m.pdf", "%PDF", 4));
    ck_assert_int_ge(asprintf(&args, "plot '%s' --size 1x5", dir), 0);
    expect_bad(args, "--size needs WIDTHxHEIGHT", NULL);
    free(args);
    ck_assert_int_ge(asprintf(&args, "plot '%s' --dpi 5000", dir), 0);
    expect_bad(args, "--dpi needs a resolution", NULL);
    free(args);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

Suite *plot_suite(void)
{
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("plot");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_plot_run);
    tcase_add_test(tc, test_plot_sweep);
    tcase_add_test(tc, test_plot_bad_input);
    tcase_add_test(tc, test_plot_hostile_names);
    tcase_add_test(tc, test_plot_na_one_acquisition);
    tcase_add_test(tc, test_plot_grid);
    tcase_add_test(tc, test_plot_bases);
    tcase_add_test(tc, test_plot_timeline);
    tcase_add_test(tc, test_plot_rerun_and_report);
    tcase_add_test(tc, test_plot_size);
    suite_add_tcase(s, tc);
    return s;
}
