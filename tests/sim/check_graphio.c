/* check_graphio — reading edge lists, traces, labels and GraphML
 * (sim/graphio.c), and imports and trace replay through the program:
 * real files from scenarios/data counted exactly, bad input as FILE:LINE
 * messages with status 2. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <check.h>

#include "graphio.h"
#include "suites.h"
#include "testutil.h"

static char *dir;

static void setup(void) { dir = tu_mkdtemp(); ck_assert_ptr_nonnull(dir); }
static void teardown(void) { tu_rmtree(dir); free(dir); dir = NULL; }

static char *put(const char *name, const char *text)
{
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
    tu_write(p, text);
    return p;
}

/* Read a file expecting failure; the first message must contain `want`. */
static void expect_fail(const char *path, const struct graphio_opts *o, int graphml, const char *want)
{
    struct graphio_table t;
    struct diag d;
    graphio_table_init(&t);
    diag_init(&d);
    int rc = graphml ? graphio_read_graphml(path, "weight", "community", &t, &d)
                     : graphio_read_edges(path, o, &t, &d);
    ck_assert_int_eq(rc, -1);
    ck_assert_uint_ge(d.n, 1);
    ck_assert_msg(strstr(d.msg[0], want) != NULL, "'%s' not in '%s'", want, d.msg[0]);
    diag_destroy(&d);
    graphio_table_destroy(&t);
}

/* CSV with a header, quoted ids of any form, an optional weight column and
 * a comment: ids are interned in first-seen order. */
START_TEST(test_csv_edges)
{
    char *p = put("e.csv", "source,target,weight\n"
                           "# a comment line\n"
                           "alice,\"bob, jr\",2.5\n"
                           "bob,alice\n"
                           "\n"
                           "+15551234,alice,1\r\n");
    struct graphio_opts o = { GRAPHIO_AUTO, 1, GRAPHIO_WEIGHT };
    struct graphio_table t;
    struct diag d;
    graphio_table_init(&t);
    diag_init(&d);
    ck_assert_int_eq(graphio_read_edges(p, &o, &t, &d), 0);
    ck_assert_uint_eq(t.n, 3);
    ck_assert_uint_eq(t.nodes.n, 4);
    ck_assert_str_eq(t.nodes.name[0], "alice");
    ck_assert_str_eq(t.nodes.name[1], "bob, jr");
    ck_assert_str_eq(t.nodes.name[2], "bob");
    ck_assert_str_eq(t.nodes.name[3], "+15551234");
    ck_assert_uint_eq(t.u[0], 0);
    ck_assert_uint_eq(t.v[0], 1);
    ck_assert_double_eq(t.w[0], 2.5);
    ck_assert_double_eq(t.w[1], 1);                    /* no weight: 1 */
    ck_assert_uint_eq(t.u[2], 3);
    ck_assert_int_eq(t.line[0], 3);
    ck_assert_int_eq(t.line[2], 6);
    ck_assert_int_eq(t.has_weight, 1);
    diag_destroy(&d);
    graphio_table_destroy(&t);
    free(p);
}
END_TEST

/* Bad rows: each a FILE:LINE message. */
START_TEST(test_bad_rows)
{
    struct graphio_opts o = { GRAPHIO_AUTO, 0, GRAPHIO_WEIGHT };
    char *p = put("one.txt", "1 2\n3\n");
    expect_fail(p, &o, 0, "one.txt:2: expected 'source target [weight]', got 1 field");
    free(p);
    p = put("w.csv", "1,2,3\n2,3,heavy\n");
    expect_fail(p, &o, 0, "w.csv:2: weight 'heavy' is not a number");
    free(p);
    p = put("q.csv", "1,2\n\"3,4\n");
    expect_fail(p, &o, 0, "q.csv:2: malformed CSV");
    free(p);
    struct graphio_opts ot = { GRAPHIO_WHITESPACE, 0, GRAPHIO_TIME };
    p = put("t.txt", "1 2 1000\n2 1 soon\n");
    expect_fail(p, &ot, 0, "t.txt:2: expected 'source target time' with an integer time (got 'soon')");
    free(p);
    expect_fail("/nonexistent/edges.txt", &o, 0, "/nonexistent/edges.txt: cannot open");
}
END_TEST

/* GraphML: nodes, weighted edges, a community key; and what is refused. */
START_TEST(test_graphml)
{
    char *p = put("g.graphml",
                  "<?xml version=\"1.0\"?>\n"
                  "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
                  "  <key id=\"w\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n"
                  "  <key id=\"c\" for=\"node\" attr.name=\"community\" attr.type=\"string\"/>\n"
                  "  <graph edgedefault=\"undirected\">\n"
                  "    <node id=\"n0\"><data key=\"c\">red</data></node>\n"
                  "    <node id=\"n1\"><data key=\"c\">blue</data></node>\n"
                  "    <node id=\"n2\"><data key=\"c\">red</data></node>\n"
                  "    <node id=\"n3\"/>\n"
                  "    <edge source=\"n0\" target=\"n1\"><data key=\"w\">3</data></edge>\n"
                  "    <edge source=\"n2\" target=\"n1\"/>\n"
                  "  </graph>\n"
                  "</graphml>\n");
    struct graphio_table t;
    struct diag d;
    graphio_table_init(&t);
    diag_init(&d);
    ck_assert_int_eq(graphio_read_graphml(p, "weight", "community", &t, &d), 0);
    ck_assert_uint_eq(t.nodes.n, 4);
    ck_assert_uint_eq(t.n, 2);
    ck_assert_uint_eq(t.u[1], 2);
    ck_assert_uint_eq(t.v[1], 1);
    ck_assert_double_eq(t.w[0], 3);
    ck_assert_double_eq(t.w[1], 1);
    ck_assert_uint_eq(t.labels.n, 2);
    ck_assert_uint_eq(t.label[0], t.label[2]);
    ck_assert_uint_ne(t.label[0], t.label[1]);
    ck_assert_uint_eq(t.label[3], UINT32_MAX);
    ck_assert_int_eq(t.line[0], 10);
    diag_destroy(&d);
    graphio_table_destroy(&t);
    free(p);

    /* External and internal entities: the DOCTYPE is refused, the file
     * named in it never read. */
    p = put("xxe.graphml", "<?xml version=\"1.0\"?>\n"
                           "<!DOCTYPE graphml [ <!ENTITY x SYSTEM \"file:///etc/passwd\"> ]>\n"
                           "<graphml><graph><node id=\"&x;\"/></graph></graphml>\n");
    expect_fail(p, NULL, 1, "xxe.graphml:2: a DOCTYPE is not allowed");
    free(p);
    p = put("bad.graphml", "<graphml><graph><node id=\"a\"/><edge source=\"a\" target=\"b\"/></graph></graphml>\n");
    expect_fail(p, NULL, 1, "bad.graphml:1: <edge> source 'a' / target 'b': not a declared <node>");
    free(p);
    p = put("broken.graphml", "<graphml><graph>\n<node id=\"a\">\n</graph></graphml>\n");
    expect_fail(p, NULL, 1, "broken.graphml:3:");
    free(p);
}
END_TEST

/* The karate club (scenarios/data, PROVENANCE.md: 34 nodes, 78 edges,
 * 17 + 17 in the two factions) read with its labels. */
START_TEST(test_karate_counts)
{
    char *e = tu_top("scenarios/data/karate-club/karate_edges.txt");
    char *l = tu_top("scenarios/data/karate-club/karate_club_labels.txt");
    struct graphio_opts o = { GRAPHIO_AUTO, 0, GRAPHIO_WEIGHT };
    struct graphio_table t;
    struct diag d;
    graphio_table_init(&t);
    diag_init(&d);
    ck_assert_int_eq(graphio_read_edges(e, &o, &t, &d), 0);
    ck_assert_uint_eq(t.n, 78);
    ck_assert_uint_eq(t.nodes.n, 34);
    ck_assert_int_eq(t.has_weight, 1);
    struct graphio_opts lo = { GRAPHIO_AUTO, 0, GRAPHIO_NONE };
    ck_assert_int_eq(graphio_read_labels(l, &lo, &t, &d), 0);
    ck_assert_uint_eq(t.labels.n, 2);
    unsigned count[2] = { 0, 0 };
    for (uint32_t i = 0; i < 34; i++) {
        ck_assert_uint_lt(t.label[i], 2);
        count[t.label[i]]++;
    }
    ck_assert_uint_eq(count[0], 17);
    ck_assert_uint_eq(count[1], 17);
    diag_destroy(&d);
    graphio_table_destroy(&t);
    free(e);
    free(l);
}
END_TEST

/* --- through the program ------------------------------------------------- */

static char *scenario(const char *contacts, const char *traffic, unsigned size, unsigned horizon,
                      unsigned period)
{
    char *xml, *path;
    ck_assert_int_ge(asprintf(&xml, "<?xml version=\"1.0\"?>\n<scenario name=\"imp\">\n"
                              "<run seed=\"1\" horizon_days=\"%u\"/>\n<population size=\"%u\"/>\n"
                              "<contacts>%s</contacts>\n%s\n<policy><retention days=\"30\"/></policy>\n"
                              "<adversary><bulk_snapshot period_days=\"%u\"/></adversary>\n</scenario>\n",
                              horizon, size, contacts, traffic, period), 0);
    path = put("s.xml", xml);
    free(xml);
    return path;
}

/* Run and return the last value of `metric` in timeseries.csv. */
static double run_metric(const char *path, const char *metric, char **out)
{
    char *args, *err = NULL, *ts;
    ck_assert_int_ge(asprintf(&args, "run '%s' -o '%s/out'", path, dir), 0);
    int st = tu_exposim(args, out, &err);
    ck_assert_msg(st == 0, "status %d: %s", st, err);
    ck_assert_int_ge(asprintf(&ts, "%s/out/timeseries.csv", dir), 0);
    struct tu_csv csv;
    ck_assert_int_eq(tu_csv_read(ts, &csv), 0);
    int cm = tu_csv_col(&csv, "metric"), cv = tu_csv_col(&csv, "value");
    double v = -1;
    for (size_t r = 1; r < csv.nrows; r++)
        if (strcmp(csv.rows[r][cm], metric) == 0)
            v = atof(csv.rows[r][cv]);
    tu_csv_free(&csv);
    free(ts);
    free(args);
    free(err);
    return v;
}

/* CollegeMsg (PROVENANCE.md: 59,835 messages, 1,899 users, 20,296 distinct
 * directed pairs, 0 self-loops), replayed over 200 days with a snapshot
 * every 20 days (the last at the horizon, so `lookups` is the whole run):
 *  - no cache: every message is one lookup: exactly 59,835;
 *  - a cache longer than the run: each directed pair is looked up once:
 *    exactly 20,296;
 *  - every message falls in the run and none is to the sender. */
START_TEST(test_trace_collegemsg)
{
    char *data = tu_top("scenarios/data/collegemsg/CollegeMsg.txt"), *c, *out = NULL;
    ck_assert_int_ge(asprintf(&c, "<trace file=\"%s\"/>", data), 0);
    char *path = scenario(c, "<traffic/>", 1899, 200, 20);
    ck_assert_double_eq(run_metric(path, "lookups", &out), 59835);
    ck_assert_msg(strstr(out, "trace: 59835 messages replayed") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "not replayed: 0 before it, 0 at or after the horizon, 0 to the sender itself")
                  != NULL, "%s", out);
    ck_assert_msg(strstr(out, "1899 people named, 59835 rows") != NULL, "%s", out);
    free(out);
    free(path);
    path = scenario(c, "<traffic cache_ttl_hours=\"100000\"/>", 1899, 200, 20);
    ck_assert_double_eq(run_metric(path, "lookups", &out), 20296);
    ck_assert_double_eq(run_metric(path, "edge_precision", NULL), 1);
    free(out);
    free(path);
    free(c);
    free(data);
}
END_TEST

/* The karate club through <edge_list>: 78 edges, file weights as tie
 * strengths, and a population larger than the file (extra people have no
 * contacts). */
START_TEST(test_import_karate)
{
    char *e = tu_top("scenarios/data/karate-club/karate_edges.txt");
    char *l = tu_top("scenarios/data/karate-club/karate_club_labels.txt"), *c, *out = NULL;
    ck_assert_int_ge(asprintf(&c, "<edge_list file=\"%s\" labels=\"%s\"/>", e, l), 0);
    char *path = scenario(c, "<traffic rate_per_day=\"0.1\" tie_strength=\"file\"/>", 40, 60, 30);
    run_metric(path, "lookups", &out);
    ck_assert_msg(strstr(out, "78 edges, mean degree 3.900, max 17, 6 without contacts") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "34 people named, 78 rows, with weights, 2 communities labelled") != NULL, "%s",
                  out);
    free(out);
    free(path);
    free(c);
    free(e);
    free(l);
}
END_TEST

/* email-Eu-core (PROVENANCE.md: 1,005 nodes, 25,571 directed edges with
 * 642 self-loops, 42 departments) through <edge_list> with its labels: the
 * 642 self-loops are erased, and the 25,571 - 642 = 24,929 other rows hold
 * 16,064 distinct unordered pairs (counted apart from exposim with
 * awk '$1!=$2 {print min" "max}' | sort -u | wc -l), so 8,865 repeats are
 * merged (mostly the reverse direction of a pair). */
START_TEST(test_import_email_eu)
{
    char *e = tu_top("scenarios/data/email-eu-core/email-Eu-core.txt");
    char *l = tu_top("scenarios/data/email-eu-core/email-Eu-core-department-labels.txt"), *c, *out = NULL;
    ck_assert_int_ge(asprintf(&c, "<edge_list file=\"%s\" labels=\"%s\"/>", e, l), 0);
    char *path = scenario(c, "<traffic rate_per_day=\"0.05\"/>", 1005, 10, 10);
    run_metric(path, "lookups", &out);
    ck_assert_msg(strstr(out, "contacts (edge_list): 16064 edges") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "642 self-loops erased, 8865 repeated pairs merged") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "1005 people named, 25571 rows, 42 communities labelled") != NULL, "%s", out);
    free(out);
    free(path);
    free(c);
    free(e);
    free(l);
}
END_TEST

/* Bad imports: status 2 and a message naming the file and line. */
static void expect_status2(const char *contacts, const char *traffic, unsigned size, const char *want)
{
    char *path = scenario(contacts, traffic, size, 30, 30), *args, *err = NULL;
    ck_assert_int_ge(asprintf(&args, "run '%s' -o '%s/out'", path, dir), 0);
    int st = tu_exposim(args, NULL, &err);
    ck_assert_msg(st == 2, "%s: status %d, stderr %s", contacts, st, err);
    ck_assert_msg(strstr(err, want) != NULL, "%s: '%s' not in:\n%s", contacts, want, err);
    free(err);
    free(args);
    free(path);
}

START_TEST(test_import_bad)
{
    char *p = put("loops.txt", "a b\nb b\na b\nb a\nc a\n");
    free(p);
    /* Self-loops and duplicates are corrected and reported, not refused. */
    char *path = scenario("<edge_list file=\"loops.txt\"/>", "<traffic rate_per_day=\"0.1\"/>", 5, 30, 30), *out;
    run_metric(path, "lookups", &out);
    ck_assert_msg(strstr(out, "1 self-loops erased, 2 repeated pairs merged") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "contacts (edge_list): 2 edges") != NULL, "%s", out);
    free(out);
    free(path);
    expect_status2("<edge_list file=\"nothere.txt\"/>", "<traffic rate_per_day=\"0.1\"/>", 5,
                   "nothere.txt: cannot open: No such file or directory");
    expect_status2("<edge_list file=\"nothere.txt\"/>", "<traffic rate_per_day=\"0.1\"/>", 5,
                   "s.xml:5: element 'edge_list', attribute 'file': the file above could not be used");
    free(put("short.txt", "a b\nc\n"));
    expect_status2("<edge_list file=\"short.txt\"/>", "<traffic rate_per_day=\"0.1\"/>", 5, "short.txt:2:");
    expect_status2("<edge_list file=\"loops.txt\"/>", "<traffic rate_per_day=\"0.1\"/>", 2,
                   "names 3 people, more than population@size = 2");
    free(put("empty.txt", "# nothing\n"));
    expect_status2("<trace file=\"empty.txt\"/>", "<traffic/>", 5, "the trace has no messages");
    expect_status2("<edge_list file=\"loops.txt\"/>", "<traffic/>", 5,
                   "attribute 'rate_per_day': is required unless the contacts come from a <trace>");
    expect_status2("<edge_list file=\"loops.txt\"/>", "<traffic rate_per_day=\"1\" tie_strength=\"file\"/>", 5,
                   "'file' needs an <edge_list> or <graphml> whose rows carry weights");
    free(put("x.graphml", "<?xml version=\"1.0\"?>\n<!DOCTYPE g [<!ENTITY e SYSTEM \"/etc/passwd\">]>\n"
                          "<graphml><graph><node id=\"&e;\"/></graph></graphml>\n"));
    expect_status2("<graphml file=\"x.graphml\"/>", "<traffic rate_per_day=\"0.1\"/>", 5,
                   "x.graphml:2: a DOCTYPE is not allowed");
}
END_TEST

/* exposim generate: the files hold the generated world, and read back
 * through <edge_list> and <graphml> they give the same graph (edges, and
 * the blocks as 4 communities). */
START_TEST(test_generate_roundtrip)
{
    char *path = scenario("<stochastic_block blocks=\"4\" p_in=\"0.2\" p_out=\"0.01\"/>",
                          "<traffic rate_per_day=\"0.1\" tie_strength=\"lognormal\"/>", 200, 30, 30);
    char *args, *out = NULL, *err = NULL;
    ck_assert_int_ge(asprintf(&args, "generate '%s' -o '%s/gen' --graphml", path, dir), 0);
    ck_assert_int_eq(tu_exposim(args, &out, &err), 0);
    const char *at = strstr(out, "contacts (stochastic_block): ");
    ck_assert_ptr_nonnull(at);
    unsigned long m = strtoul(at + strlen("contacts (stochastic_block): "), NULL, 10);
    ck_assert_uint_gt(m, 0);
    char *f;
    struct tu_csv csv;
    ck_assert_int_ge(asprintf(&f, "%s/gen/edges.csv", dir), 0);
    ck_assert_int_eq(tu_csv_read(f, &csv), 0);
    ck_assert_uint_eq(csv.nrows, m + 1);
    ck_assert_int_eq(tu_csv_col(&csv, "weight"), 2);
    tu_csv_free(&csv);
    free(f);
    ck_assert_int_ge(asprintf(&f, "%s/gen/population.csv", dir), 0);
    ck_assert_int_eq(tu_csv_read(f, &csv), 0);
    ck_assert_uint_eq(csv.nrows, 201);
    ck_assert_int_eq(tu_csv_col(&csv, "community"), 5);   /* id,degree,client,worker,vpn,community */
    tu_csv_free(&csv);
    free(f);
    free(out);
    free(err);
    free(args);
    free(path);

    char expect[64];
    snprintf(expect, sizeof expect, "contacts (edge_list): %lu edges", m);
    path = scenario("<edge_list file=\"gen/edges.csv\" header=\"true\"/>",
                    "<traffic rate_per_day=\"0.1\" tie_strength=\"file\"/>", 200, 30, 30);
    run_metric(path, "lookups", &out);
    ck_assert_msg(strstr(out, expect) != NULL, "%s", out);
    free(out);
    free(path);
    snprintf(expect, sizeof expect, "contacts (graphml): %lu edges", m);
    path = scenario("<graphml file=\"gen/graph.graphml\"/>", "<traffic rate_per_day=\"0.1\"/>", 200, 30, 30);
    run_metric(path, "lookups", &out);
    ck_assert_msg(strstr(out, expect) != NULL, "%s", out);
    ck_assert_msg(strstr(out, "with weights, 4 communities labelled") != NULL, "%s", out);
    free(out);
    free(path);
}
END_TEST

/* Common random numbers: the policy and the adversary draw from their own
 * streams, so changing them leaves the generated world byte for byte the
 * same; another seed changes it. */
START_TEST(test_generate_crn)
{
    char *path = scenario("<barabasi_albert m=\"3\"/>",
                          "<traffic rate_per_day=\"0.1\" tie_strength=\"lognormal\"/>", 300, 60, 30);
    static const char *const variants[] = { "", "--set policy/retention@days=7",
                                            "--set adversary/bulk_snapshot@period_days=10", "--seed 2" };
    char *files[4][2];
    for (int v = 0; v < 4; v++) {
        char *args, *f;
        ck_assert_int_ge(asprintf(&args, "generate '%s' -o '%s/g%d' -q %s", path, dir, v, variants[v]), 0);
        ck_assert_int_eq(tu_exposim(args, NULL, NULL), 0);
        ck_assert_int_ge(asprintf(&f, "%s/g%d/edges.csv", dir, v), 0);
        files[v][0] = tu_slurp(f, NULL);
        free(f);
        ck_assert_int_ge(asprintf(&f, "%s/g%d/population.csv", dir, v), 0);
        files[v][1] = tu_slurp(f, NULL);
        free(f);
        ck_assert_ptr_nonnull(files[v][0]);
        ck_assert_ptr_nonnull(files[v][1]);
        free(args);
    }
    for (int k = 0; k < 2; k++) {
        ck_assert_str_eq(files[1][k], files[0][k]);
        ck_assert_str_eq(files[2][k], files[0][k]);
    }
    ck_assert_str_ne(files[3][0], files[0][0]);
    for (int v = 0; v < 4; v++)
        free(files[v][0]), free(files[v][1]);
    free(path);
}
END_TEST

/* Hostile files (issue 16): devices and FIFOs refused before reading (an
 * edge list /dev/zero ran out of memory, taken for the end of the file);
 * endless lines and NUL bytes refused at their line; weights beyond a
 * float and trace times beyond 2^53 refused; the weight sum kept. */
START_TEST(test_hostile_files)
{
    struct graphio_opts o = { GRAPHIO_AUTO, 0, GRAPHIO_WEIGHT };
    expect_fail("/dev/zero", &o, 0, "/dev/zero: a character device, not a regular file");
    expect_fail("/dev/zero", &o, 1, "/dev/zero: a GraphML file is a character device, not a regular file");
    char *fifo;
    ck_assert_int_ge(asprintf(&fifo, "%s/fifo", dir), 0);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    expect_fail(fifo, &o, 0, "fifo: a FIFO, not a regular file");   /* returns at once, no writer needed */
    free(fifo);
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/long.txt", dir), 0);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs("a b\n# c\n", f);
    for (int i = 0; i < GRAPHIO_MAX_LINE + 10; i++)
        fputc('1', f);
    fclose(f);
    expect_fail(p, &o, 0, "long.txt:3: a line longer than 1048576 bytes");
    f = fopen(p, "w");
    fputs("a b\nc d\0 e\n", f);
    fwrite("c d\0e\n", 1, 6, f);
    fclose(f);
    expect_fail(p, &o, 0, "long.txt:2: a NUL byte: not a text file");
    free(p);
    p = put("w.txt", "a b 1\nb c 3.5e38\n");
    expect_fail(p, &o, 0, "w.txt:2: weight '3.5e38' is more than 3.4e38");
    free(p);
    p = put("w.txt", "a b 1e-39\n");
    expect_fail(p, &o, 0, "w.txt:1: weight '1e-39' is below 1.2e-38");
    free(p);
    p = put("w.txt", "a b 2e38\na a 2e38\nb c 2e38\n");        /* the self-loop does not count */
    expect_fail(p, &o, 0, "w.txt:3: weight '2e38' brings the sum of the weights above 3.4e38");
    free(p);
    struct graphio_opts ot = { GRAPHIO_WHITESPACE, 0, GRAPHIO_TIME };
    p = put("t.txt", "a b 9007199254740992\nb c -9007199254740992\nc d 9007199254740993\n");
    expect_fail(p, &ot, 0, "t.txt:3: time '9007199254740993' is out of range");
    free(p);
    p = put("g.graphml", "<graphml><graph><node id=\"a\"/><node id=\"b\"/>"
                         "<edge source=\"a\" target=\"b\"><data key=\"w\">1e39</data></edge></graph>"
                         "<key id=\"w\" for=\"edge\" attr.name=\"weight\"/></graphml>\n");
    expect_fail(p, &o, 1, "g.graphml:1: edge weight '1e39' is more than 3.4e38");
    free(p);
    char *flood = malloc(400 * 12 + 64), *at = flood;
    at += sprintf(at, "<graphml>\n<graph");
    for (int i = 0; i < 400; i++)
        at += sprintf(at, " a%d='1'", i);
    sprintf(at, "/></graphml>\n");
    p = put("flood.graphml", flood);
    expect_fail(p, &o, 1, "flood.graphml:2: an element with more than 256 attributes");
    free(p), free(flood);

    p = put("ok.txt", "a b 2\nb b 5\nb c\n");
    struct graphio_table t;
    struct diag d;
    graphio_table_init(&t);
    diag_init(&d);
    ck_assert_int_eq(graphio_read_edges(p, &o, &t, &d), 0);
    ck_assert_double_eq(t.weight_sum, 3);                         /* 2 + 1 (none given); the loop aside */
    graphio_table_destroy(&t);
    diag_destroy(&d);
    free(p);
}
END_TEST

Suite *graphio_suite(void)
{
    Suite *s = suite_create("graphio");
    TCase *tc = tcase_create("read");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_csv_edges);
    tcase_add_test(tc, test_bad_rows);
    tcase_add_test(tc, test_hostile_files);
    tcase_add_test(tc, test_graphml);
    tcase_add_test(tc, test_karate_counts);
    tcase_add_test(tc, test_trace_collegemsg);
    tcase_add_test(tc, test_import_karate);
    tcase_add_test(tc, test_import_email_eu);
    tcase_add_test(tc, test_import_bad);
    tcase_add_test(tc, test_generate_roundtrip);
    tcase_add_test(tc, test_generate_crn);
    suite_add_tcase(s, tc);
    return s;
}
