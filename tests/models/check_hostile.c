/* check_hostile — the program against hostile files and faults (issue 16),
 * one test case per class, each with the exact message and status it
 * must give:
 *   names      control characters and absurd lengths in -o and file names,
 *              merge -o into one of its own shards
 *   unbounded  devices, FIFOs, endless lines, NUL bytes, attribute floods
 *   numbers    weights and times beyond what the models keep, empty graphs,
 *              values whose old messages misled
 *   control    control characters and invalid UTF-8 in --set
 *   formula    CSV cells a spreadsheet would run as formulas
 *   limits     `ulimit -f`, temporary files of killed processes, edited
 *              journal lines
 * Every case was a defect before its fix (a hang, a silent wrong result, a
 * misleading message, a file left behind); each test fails on the program
 * as it was.  Commands that could hang or eat memory on a broken program
 * run under `timeout` (and `ulimit -v` when no sanitizer reserves address
 * space), so a regression fails instead. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "results.h"
#include "suites.h"
#include "testutil.h"

/* 30 people, 10 days: a run takes a few milliseconds. */
static const char tiny_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<scenario name=\"tiny\">\n"
    "  <run seed=\"1\" replications=\"2\" horizon_days=\"10\"/>\n"
    "  <population size=\"30\">\n"
    "    <region name=\"a\" weight=\"1\" lat=\"52.5\" lon=\"13.4\" radius_km=\"10\"/>\n"
    "  </population>\n"
    "  <contacts><erdos_renyi mean_degree=\"4\"/></contacts>\n"
    "  <traffic rate_per_day=\"0.1\"/>\n"
    "  <policy><retention days=\"5\"/></policy>\n"
    "  <adversary><bulk_snapshot period_days=\"5\"/></adversary>\n"
    "</scenario>\n";

/* An import of e.txt (written by each test) with tie strengths from it. */
static const char import_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<scenario name=\"imp\">\n"
    "  <run seed=\"1\" replications=\"2\" horizon_days=\"10\"/>\n"
    "  <population size=\"10\"/>\n"
    "  <contacts><edge_list file=\"e.txt\"/></contacts>\n"
    "  <traffic rate_per_day=\"0.5\" tie_strength=\"file\"/>\n"
    "  <policy><retention days=\"5\"/></policy>\n"
    "  <adversary><bulk_snapshot period_days=\"5\"/></adversary>\n"
    "</scenario>\n";

/* A replay of t.txt. */
static const char trace_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<scenario name=\"tr\">\n"
    "  <run seed=\"1\" replications=\"1\" horizon_days=\"10\"/>\n"
    "  <population size=\"10\"/>\n"
    "  <contacts><trace file=\"t.txt\"/></contacts>\n"
    "  <traffic/>\n"
    "  <policy><retention days=\"5\"/></policy>\n"
    "  <adversary><bulk_snapshot period_days=\"5\"/></adversary>\n"
    "</scenario>\n";

static const char sweep_xml[] =
    "<sweep name=\"sw\" replications=\"2\">\n"
    "  <base file=\"tiny.xml\"/>\n"
    "  <grid><parameter path=\"traffic@rate_per_day\"><values>0.1 0.2</values></parameter></grid>\n"
    "</sweep>\n";

static char *dir;

static void setup(void) { dir = tu_mkdtemp(); ck_assert_ptr_nonnull(dir); }
static void teardown(void) { tu_rmtree(dir); free(dir); dir = NULL; }

static char *in_dir(const char *name)
{
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
    return p;
}

static void put(const char *name, const char *text)
{
    char *p = in_dir(name);
    tu_write(p, text);
    free(p);
}

static int exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

/* `PRE 'exposim' ARGS` through /bin/sh, PRE being shell commands such as
 * "ulimit -f 2;" (may be ""), always under a time limit and, unless the
 * program runs under a sanitizer or valgrind (EXPOSIM_TEST_SAN,
 * EXPOSIM_TEST_SLOW: they reserve terabytes of address space), a memory
 * limit: a program that hangs or grows without bound fails the test
 * instead of stopping the suite.  Returns the exit status (124: timed
 * out). */
static int run(const char *pre, const char *args, char **out, char **err)
{
    char *o = in_dir(".out"), *e = in_dir(".err"), *cmd;
    const char *san = getenv("EXPOSIM_TEST_SAN"), *slow = getenv("EXPOSIM_TEST_SLOW");
    int vlimit = !(san && *san && strcmp(san, "0")) && !(slow && *slow && strcmp(slow, "0"));
    ck_assert_int_ge(asprintf(&cmd, "cd '%s' && %s %s timeout 120 '%s' %s >'%s' 2>'%s' </dev/null", dir,
                              vlimit ? "ulimit -v 4000000 &&" : "", pre, tu_bin(), args, o, e), 0);
    int st = system(cmd);
    ck_assert_msg(WIFEXITED(st), "the shell did not exit normally");
    if (out)
        *out = tu_slurp(o, NULL);
    if (err)
        *err = tu_slurp(e, NULL);
    unlink(o), unlink(e);
    free(o), free(e), free(cmd);
    return WEXITSTATUS(st);
}

/* Run, and require the status and that stderr holds `want` exactly (when
 * status is not 0).  `want` may hold "%D", replaced by the scratch
 * directory. */
static void expect(const char *pre, const char *args, int status, const char *want)
{
    char *out, *err, *w = NULL;
    int st = run(pre, args, &out, &err);
    if (want) {
        const char *at = strstr(want, "%D");
        if (at)
            ck_assert_int_ge(asprintf(&w, "%.*s%s%s", (int)(at - want), want, dir, at + 2), 0);
    }
    ck_assert_msg(st == status, "exposim %.200s: status %d, want %d\nstdout: %.500s\nstderr: %.1000s", args, st,
                  status, out, err);
    if (want)
        ck_assert_msg(strstr(err, w ? w : want) != NULL, "exposim %.200s: stderr lacks\n  %s\nstderr:\n%.1000s",
                      args, w ? w : want, err);
    free(out), free(err), free(w);
}

/* Whether d (a directory) holds a file whose name ends in ".tmp". */
static int has_tmp(const char *d)
{
    DIR *dh = opendir(d);
    ck_assert_ptr_nonnull(dh);
    int found = 0;
    struct dirent *e;
    while ((e = readdir(dh)))
        if (strlen(e->d_name) > 4 && strcmp(e->d_name + strlen(e->d_name) - 4, ".tmp") == 0)
            found = 1;
    closedir(dh);
    return found;
}

/* ---- hostile names -------------------------------------------------------------- */

/* A control character in -o: the run writes there and its manifest stays
 * well-formed XML, the argument kept (U+FFFD for the byte, the exact bytes
 * in hex="...").  It was written raw (not XML), then recorded as an empty
 * <arg>. */
START_TEST(test_output_control_character)
{
    put("tiny.xml", tiny_xml);
    expect("", "run -q tiny.xml -o 'out\001put'", 0, NULL);
    char *man = in_dir("out\001put/manifest.xml");
    xmlDocPtr doc = xmlReadFile(man, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    ck_assert_msg(doc != NULL, "manifest.xml is not well-formed XML");
    int seen = 0;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    for (xmlNodePtr c = root->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "command") == 0)
            for (xmlNodePtr a = c->children; a; a = a->next) {
                if (a->type != XML_ELEMENT_NODE)
                    continue;
                xmlChar *t = xmlNodeGetContent(a), *hex = xmlGetProp(a, BAD_CAST "hex");
                if (strcmp((const char *)t, "out\357\277\275put") == 0) {
                    seen = 1;
                    ck_assert_ptr_nonnull(hex);
                    ck_assert_str_eq((const char *)hex, "6f757401707574");
                }
                xmlFree(t), xmlFree(hex);
            }
    ck_assert_msg(seen, "the -o argument is not in <command>");
    xmlFreeDoc(doc);
    free(man);
}
END_TEST

/* -o deeper than the file system allows: refused, and the directories made
 * on the way removed (they were left behind). */
START_TEST(test_output_too_deep)
{
    put("tiny.xml", tiny_xml);
    char name[301], *args;
    memset(name, 'a', 300);
    name[300] = '\0';
    ck_assert_int_ge(asprintf(&args, "run -q tiny.xml -o x/y/%s/z", name), 0);
    char *want;
    ck_assert_int_ge(asprintf(&want, "cannot create output directory x/y/%s: File name too long", name), 0);
    expect("", args, 2, want);
    char *x = in_dir("x");
    ck_assert_msg(!exists(x), "x/ was left behind");
    free(x), free(want), free(args);
}
END_TEST

/* An -o longer than a path buffer: refused whole (it was cut to 4095 bytes
 * and the results written to the directory so named). */
START_TEST(test_output_too_long)
{
    put("tiny.xml", tiny_xml);
    char *o = malloc(5001), *args;
    for (int i = 0; i < 5000; i++)
        o[i] = i % 2 ? '/' : 'd';
    o[5000] = '\0';
    ck_assert_int_ge(asprintf(&args, "run -q tiny.xml -o %s", o), 0);
    expect("", args, 2, "the output directory name is 4095 bytes long, more than 3000: choose a shorter -o");
    char *d = in_dir("d");
    ck_assert_msg(!exists(d), "directories made for a refused -o");
    free(d), free(args), free(o);
}
END_TEST

/* merge -o into one of its own shard directories would replace that
 * shard's files: refused, the shard untouched. */
START_TEST(test_merge_into_own_shard)
{
    put("tiny.xml", tiny_xml);
    put("sw.xml", sweep_xml);
    expect("", "sweep -q sw.xml -o s", 0, NULL);
    char *csv = in_dir("s/sweep.csv");
    size_t n0, n1;
    char *before = tu_slurp(csv, &n0);
    expect("", "merge -o s/ s", 2,
           "merge -o s/: that is the shard directory s, whose files the merge would replace: choose another "
           "output directory");
    char *after = tu_slurp(csv, &n1);
    ck_assert(n0 == n1 && memcmp(before, after, n0) == 0);
    expect("", "merge -q -o m s", 0, NULL);              /* elsewhere it merges */
    free(before), free(after), free(csv);
}
END_TEST

/* A file name with a terminal escape sequence is shown escaped, never sent
 * to the terminal as it is. */
START_TEST(test_message_escapes_control)
{
    char *out, *err;
    ck_assert_int_eq(run("", "validate 'a\033[2Jb.xml'", &out, &err), 2);
    ck_assert_msg(strstr(err, "a\\x1b[2Jb.xml: cannot open: No such file or directory") != NULL, "%s", err);
    ck_assert_msg(!strchr(err, '\033'), "a raw escape character reached stderr");
    free(out), free(err);
}
END_TEST

/* A metric name (from a shared result file) with a line break ended the
 * gnuplot string it was put in, and the next line ran as a gnuplot
 * command: system() ran a shell command (issue 16, point 1).  The
 * directory must plot (status 0) with nothing run. */
START_TEST(test_plot_command_in_name)
{
    put("tiny.xml", tiny_xml);
    expect("", "run -q tiny.xml -o r", 0, NULL);
    char *ts = in_dir("r/timeseries.csv"), *canary = in_dir("PWNED"), *row;
    size_t n;
    char *text = tu_slurp(ts, &n);
    ck_assert_int_ge(asprintf(&row, "%s1,1,5,\"x\nsystem(\"\"touch %s\"\")\n#\",0.5\n", text, canary), 0);
    tu_write(ts, row);
    expect("", "plot -q r", 0, NULL);
    ck_assert_msg(!exists(canary), "exposim plot ran a command taken from a metric name");
    free(row), free(text), free(canary), free(ts);
}
END_TEST

/* ---- unbounded inputs ------------------------------------------------------------- */

/* A sweep's base scenario /dev/zero was read without limit (20 GB in a
 * minute); a device is now refused before a byte is read. */
START_TEST(test_base_dev_zero)
{
    put("z.xml", "<sweep name=\"z\" replications=\"2\">\n  <base file=\"/dev/zero\"/>\n"
                 "  <grid><parameter path=\"traffic@rate_per_day\"><values>0.1</values></parameter></grid>\n"
                 "</sweep>\n");
    expect("", "sweep z.xml -o zo", 2,
           "/dev/zero: the base scenario is a character device, not a regular file: exposim reads its inputs "
           "from regular files only (a FIFO would block, a device never ends)");
    char *zo = in_dir("zo");
    ck_assert(!exists(zo));
    free(zo);
}
END_TEST

/* An edge list /dev/zero ran out of memory, which was taken for the end of
 * the file: status 0 and "0 edges". */
START_TEST(test_edge_list_dev_zero)
{
    put("imp.xml", import_xml);
    expect("", "run imp.xml -o o --set contacts/edge_list@file=/dev/zero", 2,
           "/dev/zero: a character device, not a regular file: exposim reads its inputs from regular files "
           "only (a FIFO would block, a device never ends)");
}
END_TEST

/* A FIFO as the scenario (or the edge list) blocked for ever. */
START_TEST(test_fifo_inputs)
{
    char *f = in_dir("fifo.xml"), *g = in_dir("fifo.txt");
    ck_assert_int_eq(mkfifo(f, 0600), 0);
    ck_assert_int_eq(mkfifo(g, 0600), 0);
    expect("", "validate fifo.xml", 2,
           "fifo.xml: a FIFO, not a regular file: exposim reads its inputs from regular files only (a FIFO "
           "would block, a device never ends)");
    put("imp.xml", import_xml);
    expect("", "validate imp.xml --set contacts/edge_list@file=fifo.txt", 2, "fifo.txt: a FIFO, not a regular file");
    free(f), free(g);
}
END_TEST

/* A line without end: bounded, refused at its line. */
START_TEST(test_endless_line)
{
    put("imp.xml", import_xml);
    char *e = in_dir("e.txt");
    FILE *f = fopen(e, "w");
    ck_assert_ptr_nonnull(f);
    fputs("a b 1\n", f);
    for (int i = 0; i < (2 << 20); i++)
        fputc('x', f);
    fclose(f);
    expect("", "validate imp.xml", 2,
           "e.txt:2: a line longer than 1048576 bytes: not an edge list, trace or labels file");
    free(e);
}
END_TEST

/* A NUL byte after the root element hid the garbage after it (libxml2
 * stops at a NUL): the file was valid. */
START_TEST(test_nul_after_root)
{
    char *p = in_dir("nul.xml");
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(tiny_xml, f);
    fputc('\0', f);
    fputs("garbage <<<", f);
    fclose(f);
    char *want;
    ck_assert_int_ge(asprintf(&want, "nul.xml:12: a NUL byte (at offset %zu): not a text file", strlen(tiny_xml)), 0);
    expect("", "validate nul.xml", 2, want);
    free(want), free(p);
}
END_TEST

/* 40,000 attributes on one element took 4.4 s to refuse (200,000 more than
 * 300 s): counted before parsing. */
START_TEST(test_attribute_flood)
{
    size_t n = 40000;
    char *text = malloc(n * 12 + 100), *at = text;
    at += sprintf(at, "<?xml version=\"1.0\"?>\n<scenario name=\"x\"");
    for (size_t i = 0; i < n; i++)
        at += sprintf(at, " a%zu=\"1\"", i);
    sprintf(at, "/>\n");
    put("flood.xml", text);
    expect("ulimit -t 30;", "validate flood.xml", 2,
           "flood.xml:2: an element with more than 256 attributes: refused before parsing (no exposim element "
           "has more than a few dozen)");
    free(text);
}
END_TEST

/* ---- overflowing numbers ---------------------------------------------------------- */

/* Weights a float cannot hold gave 0 lookups and status 0; all-zero (or
 * all underflowing) weights "out of memory for the tie strengths". */
START_TEST(test_weights)
{
    put("imp.xml", import_xml);
    put("e.txt", "a b 5e38\nb c 1\n");
    expect("", "run imp.xml -o o", 2,
           "e.txt:1: weight '5e38' is more than 3.4e38, the largest weight (weights are kept in single precision)");
    put("e.txt", "a b 3e38\nb c 3e38\n");
    expect("", "run imp.xml -o o", 2,
           "e.txt:2: weight '3e38' brings the sum of the weights above 3.4e38 (weights are kept in single "
           "precision): scale them down, only their ratios matter");
    put("e.txt", "a b 1e-50\nb c 1e-50\n");
    expect("", "run imp.xml -o o", 2,
           "e.txt:1: weight '1e-50' is below 1.2e-38, the smallest weight above 0 (weights are kept in single "
           "precision): write 0 or scale the weights up");
    put("e.txt", "a b 0\nb c 0\nc c 5\n");
    expect("", "run imp.xml -o o", 2,
           "imp.xml:6: element 'traffic', attribute 'tie_strength': 'file' needs a weight above 0, and every "
           "weight of the file (self-loops aside) is 0");
    char *o = in_dir("o");
    ck_assert(!exists(o));
    free(o);
}
END_TEST

/* An empty or self-loops-only edge list ran with every metric NA. */
START_TEST(test_no_edges)
{
    put("imp.xml", import_xml);
    put("e.txt", "# nothing\n");
    expect("", "run imp.xml -o o --set traffic@tie_strength=constant", 2,
           "imp.xml:5: element 'edge_list', attribute 'file': the file holds no edge: with no contacts every "
           "metric would be NA");
    put("e.txt", "a a\nb b 2\n");
    expect("", "run imp.xml -o o --set traffic@tie_strength=constant", 2,
           "imp.xml:5: element 'edge_list', attribute 'file': every edge of the file (2) is a self-loop, which "
           "is no contact: with no contacts every metric would be NA");
}
END_TEST

/* Trace times and start_unix near +-2^63 overflowed (signed overflow, a
 * wrong start in the message, or status 0). */
START_TEST(test_trace_times)
{
    put("tr.xml", trace_xml);
    put("t.txt", "a b -9223372036854775808\nb c 100\n");
    expect("", "run tr.xml -o o", 2,
           "t.txt:1: time '-9223372036854775808' is out of range: at most 9007199254740992 seconds either side "
           "of 0 (2^53, some 285 million years)");
    put("t.txt", "a b 100\nb c 200\n");
    expect("", "run tr.xml -o o --set contacts/trace@start_unix=9223372036854775807", 2,
           "tr.xml:5: element 'trace', attribute 'start_unix': must be within 9007199254740992 seconds of 0 "
           "(2^53), as trace times are (got 9223372036854775807)");
}
END_TEST

/* "1e-320 is not a finite number" and "not a valid value of the local
 * atomic type" told nothing of what is allowed. */
START_TEST(test_number_messages)
{
    put("tiny.xml", tiny_xml);
    expect("", "validate tiny.xml --set traffic@rate_per_day=1e-320", 2,
           "tiny.xml:8: element 'traffic', attribute 'rate_per_day': '1e-320' is too close to 0 to be kept "
           "exactly (the smallest normal double is 2.2e-308): write 0 or a larger value");
    expect("", "validate tiny.xml --set population@size=99999999999999", 2,
           "tiny.xml:4: Element 'population', attribute 'size': '99999999999999' is not a valid value: expected "
           "a whole number from 2 to 100000000");
    expect("", "validate tiny.xml --set traffic@rate_per_day=abc", 2,
           "'abc' is not a valid value of the atomic type 'positiveRate': expected a number above 0");
}
END_TEST

/* Absurd rates (issue 16, point 3): rate 10^9 spun for ever in the
 * traffic's draws, 10^4 to 4 x 10^8 ran out of memory after minutes.  Now
 * refused at once from the estimate (30 people of mean degree 4: 120
 * ordered pairs), before anything is written: a day's batch that cannot
 * be indexed, work beyond 10^12 events (even with memory to spare), and
 * a sweep whose point cannot fit. */
START_TEST(test_absurd_rates)
{
    put("tiny.xml", tiny_xml);
    expect("", "run tiny.xml -o o --set traffic@rate_per_day=1e9", 2,
           "tiny.xml: refused: 1.2e+11 events expected in one day, more than the 4.29e+09 one day can hold "
           "(estimate: 1.2e+12 lookups, 1.2e+12 events, peak memory 7.9 TiB, 36.7 h of CPU a replication; "
           "2.4e+12 events, 3 days in all)\n");
    expect("", "run tiny.xml -o o --set traffic@rate_per_day=3e7 --replications 30 --memory-limit 1000T", 2,
           "tiny.xml: refused: 1.08e+12 events expected in all, more than 1e+12 (estimate: 3.6e+10 lookups, "
           "3.6e+10 events, peak memory 241 GiB, 1.1 h of CPU a replication; 1.08e+12 events, 33.0 h in all); "
           "--force runs it anyway\n");
    expect("", "run tiny.xml -o o --set traffic@rate_per_day=1e7 --memory-limit 1G", 2,
           "tiny.xml: refused: needs about 80 GiB, more than the 1.0 GiB limit given (estimate: 1.2e+10 lookups, "
           "1.2e+10 events, peak memory 80 GiB, 22 min of CPU a replication; 2.4e+10 events, 44 min in all); "
           "--memory-limit SIZE sets another limit, --force runs it anyway\n");
    char *o = in_dir("o");
    ck_assert_msg(!exists(o), "a refused run left its output directory");
    free(o);
    put("sw.xml", "<sweep name=\"sw\" replications=\"2\">\n"
                  "  <base file=\"tiny.xml\"/>\n"
                  "  <grid><parameter path=\"traffic@rate_per_day\"><values>0.1 1e9</values></parameter></grid>\n"
                  "</sweep>\n");
    expect("", "sweep -q sw.xml -o s", 2,
           "sw.xml:3: point 2 of 2 (traffic@rate_per_day=1e9): refused: 1.2e+11 events expected in one day");
    o = in_dir("s");
    ck_assert_msg(!exists(o), "a refused sweep left its output directory");
    free(o);
    expect("", "sweep -q sw.xml -o s --shard 1/2", 0, NULL);   /* its shard has only point 1 */
    /* -j 2: two points at once, each counted */
    expect("", "sweep -q sw.xml -o s2 -j 2 --memory-limit 20M", 2,
           "sw.xml:3: point 1 of 2 (traffic@rate_per_day=0.1): refused: needs about 26 MiB for the runs at once, "
           "more than the 20 MiB limit given");
    o = in_dir("s2");
    ck_assert_msg(!exists(o), "a refused sweep left its output directory");
    free(o);
    char *out, *err;
    ck_assert_int_eq(run("", "validate sw.xml", &out, &err), 0);
    ck_assert_msg(strstr(out, "\nsweep would refuse 1 point: point 2: refused: 1.2e+11 events expected in one day")
                  != NULL, "%s", out);
    free(out), free(err);
}
END_TEST

/* ---- control characters ------------------------------------------------------------ */

/* --set with a control character made the manifest not XML; with invalid
 * UTF-8, libxml2 printed "Internal error" lines. */
START_TEST(test_set_control_and_utf8)
{
    put("tiny.xml", tiny_xml);
    expect("", "run tiny.xml -o o --set 'population/region@name=a\001b'", 2,
           "--set population/region@name=a\\x01b: byte 25 (0x01) is a control character, which a scenario "
           "(XML) cannot hold");
    char *out, *err;
    ck_assert_int_eq(run("", "validate tiny.xml --set 'population/region@name=\377\376'", &out, &err), 2);
    ck_assert_msg(strstr(err, "--set population/region@name=\\xff\\xfe: byte 24 (0xff) is not valid UTF-8, which "
                              "a scenario (XML) cannot hold") != NULL, "%s", err);
    ck_assert_msg(!strstr(err, "Internal error"), "%s", err);
    free(out), free(err);
    char *o = in_dir("o");
    ck_assert(!exists(o));
    free(o);
}
END_TEST

/* ---- CSV formula injection --------------------------------------------------------- */

/* A sweep over a free-text attribute wrote cells beginning with = + - @
 * into sweep.csv and sweep-summary.csv.  They are guarded with a "'";
 * numbers stay numbers; libcsv and the documented rule give back every
 * value. */
START_TEST(test_formula_cells)
{
    static const char *const values[] = { "=HYPERLINK(\"http://x\")", "+1+2", "-0.5", "@SUM(A1)", "'q", "plain" };
    put("tiny.xml", tiny_xml);
    put("f.xml", "<sweep name=\"f\" replications=\"1\">\n  <base file=\"tiny.xml\"/>\n"
                 "  <grid><parameter path=\"population/region@name\">"
                 "<values>=HYPERLINK(\"http://x\") +1+2 -0.5 @SUM(A1) 'q plain</values></parameter></grid>\n"
                 "</sweep>\n");
    expect("", "sweep -q f.xml -o fo", 0, NULL);
    const char *files[] = { "fo/sweep.csv", "fo/sweep-summary.csv" };
    for (int k = 0; k < 2; k++) {
        char *p = in_dir(files[k]);
        char *raw = tu_slurp(p, NULL);
        ck_assert_ptr_nonnull(strstr(raw, "\"'=HYPERLINK(\"\"http://x\"\")\""));
        ck_assert_ptr_nonnull(strstr(raw, "\"'+1+2\""));
        ck_assert_ptr_nonnull(strstr(raw, "\"'@SUM(A1)\""));
        ck_assert_ptr_nonnull(strstr(raw, ",-0.5,"));          /* a number, not guarded */
        ck_assert_ptr_nonnull(strstr(raw, "\"''q\""));
        struct tu_csv csv;
        ck_assert_int_eq(tu_csv_read(p, &csv), 0);
        int col = tu_csv_col(&csv, "population/region@name");
        ck_assert_int_ge(col, 0);
        ck_assert_uint_eq(csv.nrows, 7);
        for (size_t r = 1; r < csv.nrows; r++) {
            const char *cell = csv.rows[r][col];
            for (const char *c = "=+-@"; *c; c++)
                ck_assert_msg(cell[0] != *c || results_csv_is_number(cell), "unguarded cell %s", cell);
            ck_assert_str_eq(results_csv_unguard(cell), values[r - 1]);
        }
        tu_csv_free(&csv);
        free(raw), free(p);
    }
}
END_TEST

/* ---- file-size limits, killed processes, edited journals --------------------------- */

/* Past `ulimit -f` the run died by SIGXFSZ with no message and left
 * .timeseries.csv.PID.tmp. */
START_TEST(test_ulimit_run)
{
    put("tiny.xml", tiny_xml);
    char *o = in_dir("o");
    ck_assert_int_eq(mkdir(o, 0777), 0);
    expect("ulimit -f 1;", "run -q tiny.xml -o o", 1, "cannot write o/timeseries.csv: File too large");
    ck_assert_msg(!has_tmp(o), "a temporary file was left in o/");
    char *ts = in_dir("o/timeseries.csv");
    ck_assert(!exists(ts));
    free(ts), free(o);
}
END_TEST

/* A sweep past `ulimit -f`: status 1 with the reason, no temporary file;
 * resumed without the limit it ends with the bytes of a sweep never
 * stopped. */
START_TEST(test_ulimit_sweep)
{
    put("tiny.xml", tiny_xml);
    put("sw.xml", sweep_xml);
    expect("", "sweep -q sw.xml -o clean", 0, NULL);
    char *a = in_dir("a"), *b = in_dir("b");
    mkdir(a, 0777), mkdir(b, 0777);
    expect("ulimit -f 2;", "sweep -q sw.xml -o a", 1, "a/sweep.journal: cannot append: File too large");
    expect("ulimit -f 4;", "sweep -q sw.xml -o b", 1, "cannot write b/manifest.xml: File too large");
    ck_assert(!has_tmp(a) && !has_tmp(b));
    expect("", "sweep -q sw.xml -o a --resume", 0, NULL);
    expect("", "sweep -q sw.xml -o b --resume", 0, NULL);
    const char *files[] = { "sweep.csv", "sweep-summary.csv" };
    for (int k = 0; k < 2; k++) {
        char *pc, *pa, *pb;
        ck_assert_int_ge(asprintf(&pc, "%s/clean/%s", dir, files[k]), 0);
        ck_assert_int_ge(asprintf(&pa, "%s/a/%s", dir, files[k]), 0);
        ck_assert_int_ge(asprintf(&pb, "%s/b/%s", dir, files[k]), 0);
        size_t nc, na, nb;
        char *c = tu_slurp(pc, &nc), *x = tu_slurp(pa, &na), *y = tu_slurp(pb, &nb);
        ck_assert(c && x && y && nc == na && nc == nb && !memcmp(c, x, nc) && !memcmp(c, y, nc));
        free(c), free(x), free(y), free(pc), free(pa), free(pb);
    }
    free(a), free(b);
}
END_TEST

/* Temporary files of killed runs and sweeps (their process gone) are
 * removed at the next run into the directory; one of a live process is
 * left, and so is a file that only looks like one. */
START_TEST(test_stale_temporaries)
{
    put("tiny.xml", tiny_xml);
    char *o = in_dir("o");
    ck_assert_int_eq(mkdir(o, 0777), 0);
    char *dead = in_dir("o/.timeseries.csv.2147483646.tmp"), *dead2 = in_dir("o/.sweep.journal.2147483645.tmp");
    char *live, *other = in_dir("o/.notes.2147483646.tmp");
    ck_assert_int_ge(asprintf(&live, "%s/o/.summary.csv.%ld.tmp", dir, (long)getpid()), 0);
    tu_write(dead, "x"), tu_write(dead2, "x"), tu_write(live, "x"), tu_write(other, "x");
    expect("", "run -q tiny.xml -o o", 0, NULL);
    ck_assert_msg(!exists(dead) && !exists(dead2), "a dead process's temporary file is still there");
    ck_assert_msg(exists(live), "a live process's temporary file was removed");
    ck_assert_msg(exists(other), "a file not of exposim's was removed");
    free(dead), free(dead2), free(live), free(other), free(o);
}
END_TEST

/* An edited value in the journal was taken on resume. */
START_TEST(test_journal_edited)
{
    put("tiny.xml", tiny_xml);
    put("sw.xml", sweep_xml);
    expect("", "sweep -q sw.xml -o s", 0, NULL);
    char *j = in_dir("s/sweep.journal");
    size_t n;
    char *text = tu_slurp(j, &n);
    char *at = strstr(text, "run,1,1,");
    ck_assert_ptr_nonnull(at);
    at = strstr(at, "\"lookups\",");
    ck_assert_ptr_nonnull(at);
    at += strlen("\"lookups\",");
    ck_assert(*at >= '1' && *at <= '9');
    *at = *at == '9' ? '8' : '9';                        /* one digit of one value */
    tu_write(j, text);
    char *files[] = { "s/sweep.csv", "s/sweep-summary.csv", "s/manifest.xml" };
    for (int k = 0; k < 3; k++) {
        char *p = in_dir(files[k]);
        unlink(p);
        free(p);
    }
    expect("", "sweep -q sw.xml -o s --resume", 2,
           "s/sweep.journal:14: the line does not match its checksum: it was changed or damaged after it was "
           "written; refusing to use the journal (run the sweep again into another directory)");
    expect("", "merge -o m s", 2, "s/sweep.journal:14: the line does not match its checksum");
    free(text), free(j);
}
END_TEST

Suite *hostile_suite(void)
{
    Suite *s = suite_create("hostile");
    struct {
        const char *name;
        const TTest *tests[8];
    } cases[] = {
        { "names", { test_output_control_character, test_output_too_deep, test_output_too_long,
                     test_merge_into_own_shard, test_message_escapes_control, test_plot_command_in_name } },
        { "unbounded", { test_base_dev_zero, test_edge_list_dev_zero, test_fifo_inputs, test_endless_line,
                         test_nul_after_root, test_attribute_flood } },
        { "numbers", { test_weights, test_no_edges, test_trace_times, test_number_messages, test_absurd_rates } },
        { "control", { test_set_control_and_utf8 } },
        { "formula", { test_formula_cells } },
        { "limits", { test_ulimit_run, test_ulimit_sweep, test_stale_temporaries, test_journal_edited } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 600);
        for (size_t k = 0; k < 8 && cases[i].tests[k]; k++)
            tcase_add_test(tc, cases[i].tests[k]);
        suite_add_tcase(s, tc);
    }
    return s;
}
