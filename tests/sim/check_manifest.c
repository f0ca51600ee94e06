/* check_manifest — manifest.xml of a run (manifest.h), parsed back with
 * libxml2 as the program's readers parse (no network, no entities, no
 * DOCTYPE): well-formed; the program and version; the scenario file; the
 * command line, every argument exactly; UTC times, wall seconds and
 * events; the scenario seed, the generator and every stream seed of every
 * replication as rng_stream_seed gives them; the scenario as run (after
 * the overrides); written whole (atomically, or staged with other files). */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/tree.h>

#include "cfg.h"
#include "manifest.h"
#include "results.h"
#include "rng.h"
#include "sim.h"
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

static char *in_dir(const char *name)
{
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
    return p;
}

static const char scenario_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!-- a comment -->\n"
    "<scenario name=\"m\">\n"
    "  <run seed=\"5\" replications=\"2\" horizon_days=\"60\"/>\n"
    "  <population size=\"300\"/>\n"
    "  <note text=\"a &amp; b &lt; c\">text &quot;here&quot;</note>\n"
    "</scenario>\n";

static const char *const streams[] = { "population", "contacts", "traffic", "serverlog", "adversary",
                                       "metrics", NULL };
static const struct sim_model_type toy = { .name = "toy", .streams = streams };

/* The scenario loaded with `sets` (no schema: the manifest copies any
 * document). */
static struct cfg *load(const char *const *sets, size_t n)
{
    char *p = in_dir("scenario.xml");
    tu_write(p, scenario_xml);
    struct diag d;
    diag_init(&d);
    struct cfg *c = cfg_load_schema(p, sets, n, NULL, &d);
    if (!c)
        diag_print(&d, stderr);
    ck_assert_ptr_nonnull(c);
    diag_destroy(&d);
    free(p);
    return c;
}

static void *read_manifest(const char *d_)
{
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/manifest.xml", d_), 0);
    void *doc = tu_xml_read(p);
    ck_assert_msg(doc != NULL, "%s is not well-formed XML (or has a DOCTYPE)", p);
    free(p);
    return doc;
}

static void xp_eq(void *doc, const char *expr, const char *want)
{
    char *s = tu_xpath(doc, expr);
    ck_assert_msg(strcmp(s, want) == 0, "%s: '%s', want '%s'", expr, s, want);
    free(s);
}

/* Every argument as given, in order. */
static void check_args(void *doc, int argc, char **argv)
{
    ck_assert_int_eq(tu_xpath_count(doc, "/manifest/command/arg"), argc);
    for (int i = 0; i < argc; i++) {
        char e[64];
        snprintf(e, sizeof e, "string(/manifest/command/arg[%d])", i + 1);
        xp_eq(doc, e, argv[i]);
    }
}

START_TEST(test_contents)
{
    const char *sets[] = { "run@seed=9", "run@replications=3", "population@size=123", "note@text=x&y<z>\"" };
    struct cfg *c = load(sets, 4);
    char *argv[] = { "exposim", "run", "scenario.xml", "--set", "population@size=123", "--set",
                     "note@text=x&y<z>\"", "-o", "out dir/with 'quotes' & <angles>", "\xc3\xa9\xe6\xbc\xa2 \xf0\x9f\x93\x9e",
                     "" };
    struct sim_run_params run = { .seed = 9, .replications = 3, .horizon = 60 * SIM_DAY };
    struct manifest_info mi = { .argc = 11, .argv = argv, .started = 1700000000, .finished = 1700003723,
                                .model = &toy, .run = &run, .events = 123456789012ull };
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(manifest_write(dir, c, &mi, &d), 0);
    ck_assert_uint_eq(d.n, 0);
    void *doc = read_manifest(dir);

    xp_eq(doc, "name(/*)", "manifest");
    xp_eq(doc, "string(/manifest/@program)", "exposim");
    xp_eq(doc, "string(/manifest/@version)", EXPOSIM_VERSION);
    xp_eq(doc, "string(/manifest/@scenario_file)", cfg_path(c));
    check_args(doc, 11, argv);
    xp_eq(doc, "string(/manifest/times/@started)", "2023-11-14T22:13:20Z");
    xp_eq(doc, "string(/manifest/times/@finished)", "2023-11-14T23:15:23Z");
    xp_eq(doc, "string(/manifest/times/@wall_seconds)", "3723");
    xp_eq(doc, "string(/manifest/times/@events)", "123456789012");
    xp_eq(doc, "string(/manifest/seeds/@scenario_seed)", "9");
    xp_eq(doc, "string(/manifest/seeds/@generator)", RNG_TYPE_NAME);
    /* every stream of every replication, as rng_stream_seed derives it */
    ck_assert_int_eq(tu_xpath_count(doc, "/manifest/seeds/replication"), 3);
    ck_assert_int_eq(tu_xpath_count(doc, "/manifest/seeds/replication/stream"), 3 * 6);
    for (uint32_t r = 0; r < 3; r++) {
        char e[64], want[32];
        snprintf(e, sizeof e, "string(/manifest/seeds/replication[%u]/@index)", r + 1);
        snprintf(want, sizeof want, "%u", r + 1);
        xp_eq(doc, e, want);
        for (unsigned k = 0; k < 6; k++) {
            char e2[160];
            snprintf(e2, sizeof e2, "string(/manifest/seeds/replication[%u]/stream[%u]/@component)", r + 1, k + 1);
            xp_eq(doc, e2, streams[k]);
            snprintf(e2, sizeof e2, "string(/manifest/seeds/replication[%u]/stream[%u]/@seed)", r + 1, k + 1);
            snprintf(want, sizeof want, "%lu", (unsigned long)rng_stream_seed(9, r, k));
            xp_eq(doc, e2, want);
        }
    }
    /* the scenario as run: the overrides applied, the rest as in the file */
    ck_assert_int_eq(tu_xpath_count(doc, "/manifest/scenario_as_run/*"), 1);
    xp_eq(doc, "string(/manifest/scenario_as_run/scenario/@name)", "m");
    xp_eq(doc, "string(/manifest/scenario_as_run/scenario/run/@seed)", "9");
    xp_eq(doc, "string(/manifest/scenario_as_run/scenario/run/@replications)", "3");
    xp_eq(doc, "string(/manifest/scenario_as_run/scenario/run/@horizon_days)", "60");
    xp_eq(doc, "string(/manifest/scenario_as_run/scenario/population/@size)", "123");
    xp_eq(doc, "string(/manifest/scenario_as_run/scenario/note/@text)", "x&y<z>\"");
    xp_eq(doc, "string(/manifest/scenario_as_run/scenario/note)", "text \"here\"");
    ck_assert_int_eq(tu_xpath_count(doc, "/manifest/scenario_as_run/scenario/*"), 3);
    xmlFreeDoc(doc);
    cfg_free(c);
    diag_destroy(&d);
}
END_TEST

/* A seed of 0 or 2^32 - 1 and one replication; a model without streams. */
START_TEST(test_seed_edges)
{
    struct cfg *c = load(NULL, 0);
    static const char *const none[] = { NULL };
    const struct sim_model_type bare = { .name = "bare", .streams = none };
    char *argv[] = { "exposim" };
    const uint32_t seeds[] = { 0, 4294967295u };
    for (int i = 0; i < 2; i++) {
        struct sim_run_params run = { .seed = seeds[i], .replications = 1, .horizon = SIM_DAY };
        struct manifest_info mi = { .argc = 1, .argv = argv, .started = 0, .finished = 0, .model = i ? &toy : &bare,
                                    .run = &run };
        struct diag d;
        diag_init(&d);
        ck_assert_int_eq(manifest_write(dir, c, &mi, &d), 0);   /* replaces the one before */
        diag_destroy(&d);
        void *doc = read_manifest(dir);
        char want[32];
        snprintf(want, sizeof want, "%lu", (unsigned long)seeds[i]);
        xp_eq(doc, "string(/manifest/seeds/@scenario_seed)", want);
        xp_eq(doc, "string(/manifest/times/@started)", "1970-01-01T00:00:00Z");
        ck_assert_int_eq(tu_xpath_count(doc, "/manifest/seeds/replication"), 1);
        ck_assert_int_eq(tu_xpath_count(doc, "/manifest/seeds/replication/stream"), i ? 6 : 0);
        if (i) {
            snprintf(want, sizeof want, "%lu", (unsigned long)rng_stream_seed(seeds[i], 0, 5));
            xp_eq(doc, "string(/manifest/seeds/replication/stream[@component='metrics']/@seed)", want);
        }
        xmlFreeDoc(doc);
    }
    cfg_free(c);
}
END_TEST

/* Nothing but manifest.xml in dir (no temporary file left). */
static void only_manifest(const char *d_)
{
    DIR *dd = opendir(d_);
    ck_assert_ptr_nonnull(dd);
    int n = 0;
    for (struct dirent *e; (e = readdir(dd));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            ck_assert_str_eq(e->d_name, "manifest.xml");
            n++;
        }
    closedir(dd);
    ck_assert_int_eq(n, 1);
}

/* Written whole: atomically by manifest_write, at commit time when staged;
 * a directory that is not there is an error and makes nothing. */
START_TEST(test_whole_or_nothing)
{
    struct cfg *c = load(NULL, 0);
    char *argv[] = { "exposim", "run" };
    struct sim_run_params run = { .seed = 1, .replications = 2, .horizon = SIM_DAY };
    struct manifest_info mi = { .argc = 2, .argv = argv, .model = &toy, .run = &run };
    struct diag d;
    diag_init(&d);
    char *out = in_dir("out"), *mf = in_dir("out/manifest.xml");
    ck_assert_int_eq(manifest_write(out, c, &mi, &d), -1);
    ck_assert_uint_eq(d.n, 1);
    struct stat sb;
    ck_assert_int_ne(stat(out, &sb), 0);

    ck_assert_int_eq(mkdir(out, 0777), 0);
    struct results_staged st;
    results_stage_init(&st, out);
    ck_assert_int_eq(manifest_stage(&st, c, &mi, &d), 0);
    ck_assert_int_ne(stat(mf, &sb), 0);             /* not before the commit */
    results_stage_abort(&st);
    DIR *dd = opendir(out);
    for (struct dirent *e; (e = readdir(dd));)
        ck_assert_msg(e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])),
                      "left behind: %s", e->d_name);
    closedir(dd);
    results_stage_init(&st, out);
    ck_assert_int_eq(manifest_stage(&st, c, &mi, &d), 0);
    ck_assert_int_eq(results_stage_commit(&st, &d), 0);
    only_manifest(out);
    void *doc = read_manifest(out);
    check_args(doc, 2, argv);
    xmlFreeDoc(doc);
    ck_assert_uint_eq(d.n, 1);
    diag_destroy(&d);
    cfg_free(c);
    free(out), free(mf);
}
END_TEST

/* dir/NAME holding the scenario; its path (malloc'd). */
static char *scenario_named(const char *name)
{
    char *p = in_dir(name);
    tu_write(p, scenario_xml);
    return p;
}

/* Regression: an argument that is not UTF-8 text reached libxml2 as it
 * was.  "caf\xe9" was cut to "caf" (and libxml2 printed "char out of
 * range" on stderr); "s\xe9x.xml" became "s\xe9\xae\xae" read as one
 * character, U+9E2E, and ".xml" was gone; "ctl\x01x" was written as an
 * empty <arg/>.  Now every argument that is valid XML text is written
 * exactly (tabs, CR and LF included), and any other is written with
 * U+FFFD for each byte that does not begin an XML character, its exact
 * bytes in hex="...".  The scenario file's name goes the same way. */
START_TEST(test_args_not_text)
{
    char *path = scenario_named("s\xe9x.xml");
    struct diag d;
    diag_init(&d);
    struct cfg *c = cfg_load_schema(path, NULL, 0, NULL, &d);
    ck_assert_ptr_nonnull(c);
    char *argv[] = { "exposim", "caf\xe9", path, "ctl\x01x", "tab\tcr\r\nlf", "\xed\xa0\x80", "\xc0\xaf",
                     "\xef\xbf\xbe!", "\xf0\x9f\x93\x9e ok", "\xe6\xbc", "\x7f" };
    /* the text each is written as: itself, or with U+FFFD (EF BF BD) per bad byte */
    const char *text[] = { "exposim", "caf\xef\xbf\xbd", NULL, "ctl\xef\xbf\xbdx", "tab\tcr\r\nlf",
                           "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "\xef\xbf\xbd\xef\xbf\xbd",
                           "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!", "\xf0\x9f\x93\x9e ok",
                           "\xef\xbf\xbd\xef\xbf\xbd", "\x7f" };
    const int exact[] = { 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1 };
    char *fixed_path;
    ck_assert_int_ge(asprintf(&fixed_path, "%.*s\xef\xbf\xbdx.xml", (int)(strlen(path) - 6), path), 0);
    text[2] = fixed_path;
    const int argc = (int)(sizeof argv / sizeof argv[0]);
    struct sim_run_params run = { .seed = 1, .replications = 1, .horizon = SIM_DAY };
    struct manifest_info mi = { .argc = argc, .argv = argv, .model = &toy, .run = &run };
    ck_assert_int_eq(manifest_write(dir, c, &mi, &d), 0);
    void *doc = read_manifest(dir);
    ck_assert_int_eq(tu_xpath_count(doc, "/manifest/command/arg"), argc);
    for (int i = 0; i < argc; i++) {
        char e[96], *hex = malloc(2 * strlen(argv[i]) + 1);
        ck_assert_ptr_nonnull(hex);
        for (size_t k = 0; argv[i][k]; k++)
            sprintf(hex + 2 * k, "%02x", (unsigned char)argv[i][k]);
        hex[2 * strlen(argv[i])] = '\0';
        snprintf(e, sizeof e, "string(/manifest/command/arg[%d])", i + 1);
        xp_eq(doc, e, text[i]);
        snprintf(e, sizeof e, "string(/manifest/command/arg[%d]/@hex)", i + 1);
        xp_eq(doc, e, exact[i] ? "" : hex);
        snprintf(e, sizeof e, "/manifest/command/arg[%d]/@hex", i + 1);
        ck_assert_int_eq(tu_xpath_count(doc, e), !exact[i]);
        free(hex);
    }
    xp_eq(doc, "string(/manifest/@scenario_file)", fixed_path);
    xmlFreeDoc(doc);
    cfg_free(c);
    diag_destroy(&d);
    free(path), free(fixed_path);
}
END_TEST

Suite *manifest_suite(void)
{
    Suite *s = suite_create("manifest");
    TCase *tc = tcase_create("xml");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_contents);
    tcase_add_test(tc, test_seed_edges);
    tcase_add_test(tc, test_whole_or_nothing);
    tcase_add_test(tc, test_args_not_text);
    suite_add_tcase(s, tc);
    return s;
}
