/* check_cfg — the scenario loader: the baseline loads; malformed XML,
 * DOCTYPEs, external entities, unknown elements and attributes are refused
 * with FILE:LINE diagnostics; --set overrides change values, and bad ones
 * are reported; cfg_error's format; sim_read_run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <check.h>

#include "cfg.h"
#include "diag.h"
#include "sim.h"
#include "suites.h"
#include "testutil.h"

/* A valid scenario; the comment gives each element's line. */
#define X_DECL   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"             /* 1 */
#define X_ROOT   "<scenario name=\"t\">\n"                                  /* 2 */
#define X_RUN    "  <run seed=\"42\" replications=\"3\" horizon_days=\"10\"/>\n" /* 3 */
#define X_POP    "  <population size=\"100\"/>\n"                           /* 4 */
#define X_CONT   "  <contacts><erdos_renyi mean_degree=\"4\"/></contacts>\n" /* 5 */
#define X_TRAF   "  <traffic rate_per_day=\"0.5\"/>\n"                      /* 6 */
#define X_POL    "  <policy><retention days=\"30\"/></policy>\n"            /* 7 */
#define X_ADV    "  <adversary>\n"                                          /* 8 */ \
                 "    <bulk_snapshot period_days=\"5\"/>\n"                 /* 9 */ \
                 "    <bulk_snapshot period_days=\"7\" start_day=\"2\"/>\n" /* 10 */ \
                 "  </adversary>\n"                                         /* 11 */
#define X_END    "</scenario>\n"                                            /* 12 */
#define X_BODY   X_RUN X_POP X_CONT X_TRAF X_POL X_ADV X_END
#define X_VALID  X_DECL X_ROOT X_BODY

/* A scratch directory for one test and the scenario files in it. */
struct scratch {
    char *dir;
};

static void scratch_open(struct scratch *s)
{
    s->dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(s->dir);
}

static void scratch_close(struct scratch *s)
{
    tu_rmtree(s->dir);
    free(s->dir);
    s->dir = NULL;
}

/* DIR/name, malloc'd. */
static char *scratch_path(const struct scratch *s, const char *name)
{
    size_t len = strlen(s->dir) + strlen(name) + 2;
    char *p = malloc(len);
    ck_assert_ptr_nonnull(p);
    snprintf(p, len, "%s/%s", s->dir, name);
    return p;
}

static char *scratch_file(const struct scratch *s, const char *name, const char *text)
{
    char *p = scratch_path(s, name);
    tu_write(p, text);
    return p;
}

/* All diagnostics, one per line, for failure messages (static buffer). */
static const char *all_msgs(const struct diag *d)
{
    static char buf[8192];
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->n && off < sizeof buf - 1; i++) {
        int k = snprintf(buf + off, sizeof buf - off, "[%zu] %s\n", i, d->msg[i]);
        if (k < 0)
            break;
        off += (size_t)k;
    }
    if (off >= sizeof buf)
        off = sizeof buf - 1;
    return d->n ? buf : "(no diagnostics)";
}

/* Does msg start with "PATH:LINE:"?  Returns LINE, or -1. */
static long loc_line(const char *msg, const char *path)
{
    size_t pl = strlen(path);
    if (strncmp(msg, path, pl) != 0 || msg[pl] != ':')
        return -1;
    char *end;
    long line = strtol(msg + pl + 1, &end, 10);
    if (end == msg + pl + 1 || *end != ':')
        return -1;
    return line;
}

/* Load `text` written to DIR/name with the given overrides; on a refusal
 * checks that no document came back and at least one diagnostic did. */
static struct cfg *load_text(const struct scratch *s, const char *name, const char *text,
                             const char *const *sets, size_t nsets, struct diag *d, char **path)
{
    *path = scratch_file(s, name, text);
    return cfg_load(*path, sets, nsets, d);
}

static void expect_refused(struct cfg *c, const struct diag *d)
{
    if (c)
        ck_abort_msg("the document was accepted; diagnostics: %s", all_msgs(d));
    ck_assert_msg(d->n >= 1, "refused without a diagnostic");
}

static long get_long(struct cfg *c, const char *path_elems, const char *attr)
{
    /* path_elems: "a/b" names nested first children by name from the root */
    const struct cfg_node *n = cfg_root(c);
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path_elems);
    for (char *tok = strtok(buf, "/"); tok && n; tok = strtok(NULL, "/"))
        n = cfg_child(n, tok);
    ck_assert_msg(n != NULL, "no element %s", path_elems);
    long v = -12345;
    ck_assert_int_eq(cfg_long(c, n, attr, -999, &v), 0);
    return v;
}

/* ---- valid documents -------------------------------------------------------- */

START_TEST(test_baseline_loads)
{
    char *path = tu_top("scenarios/baseline.xml");
    ck_assert_ptr_nonnull(path);
    struct diag d;
    diag_init(&d);
    struct cfg *c = cfg_load(path, NULL, 0, &d);
    ck_assert_msg(c != NULL, "baseline refused: %s", all_msgs(&d));
    ck_assert_uint_eq(d.n, 0);
    ck_assert_str_eq(cfg_path(c), path);
    ck_assert_ptr_eq(cfg_diag(c), &d);
    ck_assert_str_eq(cfg_name(cfg_root(c)), "scenario");
    ck_assert_str_eq(cfg_str(cfg_root(c), "name", "?"), "baseline");
    ck_assert_int_eq(get_long(c, "population", "size"), 5000);
    ck_assert_int_eq(get_long(c, "policy/retention", "days"), 30);
    ck_assert_int_eq(get_long(c, "adversary/bulk_snapshot", "period_days"), 30);
    struct sim_run_params run;
    ck_assert_int_eq(sim_read_run(c, &run), 0);
    ck_assert_uint_eq(run.seed, 20161028u);
    ck_assert_uint_eq(run.replications, 20);
    ck_assert_int_eq(run.horizon, 180 * 86400);
    ck_assert_uint_eq(d.n, 0);
    cfg_free(c);
    diag_destroy(&d);
    free(path);
}
END_TEST

START_TEST(test_small_loads)
{
    struct scratch s;
    scratch_open(&s);
    struct diag d;
    diag_init(&d);
    char *path;
    struct cfg *c = load_text(&s, "ok.xml", X_VALID, NULL, 0, &d, &path);
    ck_assert_msg(c != NULL, "refused: %s", all_msgs(&d));
    const struct cfg_node *root = cfg_root(c);
    ck_assert_int_eq(cfg_line(root), 2);
    const struct cfg_node *pop = cfg_child(root, "population");
    ck_assert_ptr_nonnull(pop);
    ck_assert_int_eq(cfg_line(pop), 4);
    ck_assert_int_eq(get_long(c, "population", "size"), 100);
    double md = 0;
    ck_assert_int_eq(cfg_double(c, cfg_child(cfg_child(root, "contacts"), "erdos_renyi"), "mean_degree", -1, &md), 0);
    ck_assert_double_eq(md, 4.0);
    /* children in document order, by cfg_first / cfg_next */
    static const char *const order[] = { "run", "population", "contacts", "traffic", "policy", "adversary" };
    size_t k = 0;
    for (const struct cfg_node *n = cfg_first(root); n; n = cfg_next(n), k++) {
        ck_assert_uint_lt(k, 6);
        ck_assert_str_eq(cfg_name(n), order[k]);
    }
    ck_assert_uint_eq(k, 6);
    const struct cfg_node *adv = cfg_child(root, "adversary");
    const struct cfg_node *b1 = cfg_first(adv), *b2 = cfg_next(b1);
    ck_assert_ptr_nonnull(b2);
    ck_assert_ptr_null(cfg_next(b2));
    ck_assert_int_eq(cfg_line(b1), 9);
    ck_assert_int_eq(cfg_line(b2), 10);
    ck_assert_int_eq(cfg_has(b1, "start_day"), 0);
    ck_assert_int_eq(cfg_has(b2, "start_day"), 1);
    /* an absent attribute gives the default */
    long v = 0;
    ck_assert_int_eq(cfg_long(c, b1, "start_day", 77, &v), 0);
    ck_assert_int_eq(v, 77);
    ck_assert_int_eq(cfg_long(c, b2, "start_day", 77, &v), 0);
    ck_assert_int_eq(v, 2);
    ck_assert_str_eq(cfg_str(b1, "nosuch", "dflt"), "dflt");
    ck_assert_uint_eq(d.n, 0);
    cfg_free(c);
    diag_destroy(&d);
    free(path);
    scratch_close(&s);
}
END_TEST

/* ---- malformed XML --------------------------------------------------------- */

START_TEST(test_malformed)
{
    static const struct {
        const char *text;
        long line;
    } cases[] = {
        /* unquoted attribute value on line 4 */
        { X_DECL X_ROOT X_RUN "  <population size=100/>\n" X_CONT X_TRAF X_POL X_ADV X_END, 4 },
        /* mismatched end tag on line 12 */
        { X_DECL X_ROOT X_RUN X_POP X_CONT X_TRAF X_POL X_ADV "</scenari>\n", 12 },
        /* undeclared entity on line 6 */
        { X_DECL X_ROOT X_RUN X_POP X_CONT "  <traffic rate_per_day=\"&x;\"/>\n" X_POL X_ADV X_END, 6 },
    };
    struct scratch s;
    scratch_open(&s);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct diag d;
        diag_init(&d);
        char *path;
        struct cfg *c = load_text(&s, "bad.xml", cases[i].text, NULL, 0, &d, &path);
        expect_refused(c, &d);
        /* "FILE:LINE: ..." with the exact path and a line number > 0 */
        ck_assert_msg(strstr(d.msg[0], path) == d.msg[0], "case %zu: %s", i, all_msgs(&d));
        long line = loc_line(d.msg[0], path);
        ck_assert_msg(line > 0, "case %zu: no FILE:LINE: prefix: %s", i, all_msgs(&d));
        ck_assert_msg(line == cases[i].line, "case %zu: line %ld, want %ld: %s", i, line,
                      cases[i].line, all_msgs(&d));
        diag_destroy(&d);
        free(path);
    }
    scratch_close(&s);
}
END_TEST

START_TEST(test_not_xml)
{
    struct scratch s;
    scratch_open(&s);
    struct diag d;
    diag_init(&d);
    char *path;
    struct cfg *c = load_text(&s, "junk.xml", "this is not XML\n", NULL, 0, &d, &path);
    expect_refused(c, &d);
    ck_assert_msg(strncmp(d.msg[0], path, strlen(path)) == 0, "%s", all_msgs(&d));
    diag_destroy(&d);
    free(path);
    scratch_close(&s);
}
END_TEST

/* ---- DOCTYPE and external entities ----------------------------------------- */

START_TEST(test_doctype_internal)
{
    struct scratch s;
    scratch_open(&s);
    struct diag d;
    diag_init(&d);
    char *path;
    struct cfg *c = load_text(&s, "dt.xml",
                              X_DECL "<!DOCTYPE scenario [<!ENTITY e \"100\">]>\n"
                              "<scenario name=\"t\">\n" X_RUN "  <population size=\"&e;\"/>\n"
                              X_CONT X_TRAF X_POL X_ADV X_END,
                              NULL, 0, &d, &path);
    expect_refused(c, &d);
    ck_assert_msg(strstr(d.msg[0], "DOCTYPE") != NULL, "%s", all_msgs(&d));
    ck_assert_msg(loc_line(d.msg[0], path) == 2, "want %s:2: ...: %s", path, all_msgs(&d));
    diag_destroy(&d);
    free(path);
    scratch_close(&s);
}
END_TEST

START_TEST(test_doctype_external)
{
    struct scratch s;
    scratch_open(&s);
    /* A DTD that would, if loaded, supply the required population size as
     * a default: refusing it must not depend on the file being read. */
    char *dtd = scratch_file(&s, "s.dtd",
                             "<!ELEMENT population EMPTY>\n"
                             "<!ATTLIST population size CDATA \"100\">\n");
    struct diag d;
    diag_init(&d);
    char *path;
    char text[2048];
    snprintf(text, sizeof text,
             X_DECL "<!DOCTYPE scenario SYSTEM \"%s\">\n"
             "<scenario name=\"t\">\n" X_RUN "  <population/>\n" X_CONT X_TRAF X_POL X_ADV X_END, dtd);
    struct cfg *c = load_text(&s, "ext.xml", text, NULL, 0, &d, &path);
    expect_refused(c, &d);
    ck_assert_msg(strstr(d.msg[0], "DOCTYPE") != NULL, "%s", all_msgs(&d));
    ck_assert_msg(loc_line(d.msg[0], path) > 0, "%s", all_msgs(&d));
    diag_destroy(&d);
    free(path);

    /* the same with a relative SYSTEM identifier */
    diag_init(&d);
    c = load_text(&s, "ext2.xml",
                  X_DECL "<!DOCTYPE scenario SYSTEM \"s.dtd\">\n"
                  "<scenario name=\"t\">\n" X_RUN "  <population/>\n" X_CONT X_TRAF X_POL X_ADV X_END,
                  NULL, 0, &d, &path);
    expect_refused(c, &d);
    ck_assert_msg(strstr(d.msg[0], "DOCTYPE") != NULL, "%s", all_msgs(&d));
    diag_destroy(&d);
    free(path);
    free(dtd);
    scratch_close(&s);
}
END_TEST

/* Refuse `text` and make sure `secret` appears in no diagnostic. */
static void expect_no_leak(const struct scratch *s, const char *name, const char *text, const char *secret)
{
    struct diag d;
    diag_init(&d);
    char *path;
    struct cfg *c = load_text(s, name, text, NULL, 0, &d, &path);
    if (c) {
        /* accepted: then the secret must not be anywhere in the tree */
        for (const struct cfg_node *n = cfg_first(cfg_root(c)); n; n = cfg_next(n))
            ck_assert_msg(!strstr(cfg_str(n, "size", ""), secret), "%s: secret in the tree", name);
        ck_assert_msg(!strstr(cfg_str(cfg_root(c), "name", ""), secret), "%s: secret in the tree", name);
        cfg_free(c);
        ck_abort_msg("%s: a document with an external entity was accepted", name);
    }
    ck_assert_uint_ge(d.n, 1);
    for (size_t i = 0; i < d.n; i++)
        ck_assert_msg(!strstr(d.msg[i], secret), "%s: diagnostic %zu leaks the file: %s", name, i, d.msg[i]);
    diag_destroy(&d);
    free(path);
}

START_TEST(test_xxe)
{
    /* The "secret" is a well-formed fragment that completes the scenario:
     * were an external entity or an XInclude resolved, the document would
     * load with a population of 7770001, so resolution cannot go unseen. */
    struct scratch s;
    scratch_open(&s);
    const char *canary = "7770001";
    char *secret = scratch_file(&s, "secret.xml", "<population size=\"7770001\"/>");
    char *pe = scratch_file(&s, "pe.dtd", "<!ENTITY x '<population size=\"7770001\"/>'>\n");
    char text[4096];

    /* external general entity in content */
    snprintf(text, sizeof text,
             X_DECL "<!DOCTYPE scenario [<!ENTITY x SYSTEM \"file://%s\">]>\n"
             X_ROOT X_RUN "  &x;\n" X_CONT X_TRAF X_POL X_ADV X_END, secret);
    expect_no_leak(&s, "xxe1.xml", text, canary);

    /* the same with a relative system identifier */
    expect_no_leak(&s, "xxe1b.xml",
                   X_DECL "<!DOCTYPE scenario [<!ENTITY x SYSTEM \"secret.xml\">]>\n"
                   X_ROOT X_RUN "  &x;\n" X_CONT X_TRAF X_POL X_ADV X_END, canary);

    /* an external parameter entity that declares the general one */
    snprintf(text, sizeof text,
             X_DECL "<!DOCTYPE scenario [<!ENTITY %% p SYSTEM \"file://%s\"> %%p;]>\n"
             X_ROOT X_RUN "  &x;\n" X_CONT X_TRAF X_POL X_ADV X_END, pe);
    expect_no_leak(&s, "xxe2.xml", text, canary);

    /* the classic: /etc/passwd (whose first line names root) */
    expect_no_leak(&s, "xxe3.xml",
                   X_DECL "<!DOCTYPE scenario [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                   "<scenario name=\"t\">&x;\n" X_BODY,
                   "root:");

    /* XInclude is not processed either */
    snprintf(text, sizeof text,
             X_DECL "<scenario name=\"t\" xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n"
             X_RUN "  <xi:include href=\"%s\"/>\n" X_CONT X_TRAF X_POL X_ADV X_END,
             secret);
    expect_no_leak(&s, "xinc.xml", text, canary);

    free(secret);
    free(pe);
    scratch_close(&s);
}
END_TEST

/* ---- schema errors ------------------------------------------------------------ */

START_TEST(test_unknown_element)
{
    struct scratch s;
    scratch_open(&s);
    struct diag d;
    diag_init(&d);
    char *path;
    struct cfg *c = load_text(&s, "el.xml",
                              X_DECL X_ROOT X_RUN X_POP "  <bogus/>\n" X_CONT X_TRAF X_POL X_ADV X_END,
                              NULL, 0, &d, &path);
    expect_refused(c, &d);
    ck_assert_msg(loc_line(d.msg[0], path) == 5, "want %s:5: ...: %s", path, all_msgs(&d));
    ck_assert_msg(strstr(d.msg[0], "bogus") != NULL, "%s", all_msgs(&d));
    diag_destroy(&d);
    free(path);

    /* an unknown element nested deeper, on line 9 */
    diag_init(&d);
    c = load_text(&s, "el2.xml",
                  X_DECL X_ROOT X_RUN X_POP X_CONT X_TRAF X_POL "  <adversary>\n"
                  "    <subpoena period_days=\"5\"/>\n  </adversary>\n" X_END,
                  NULL, 0, &d, &path);
    expect_refused(c, &d);
    ck_assert_msg(loc_line(d.msg[0], path) == 9, "want %s:9: ...: %s", path, all_msgs(&d));
    ck_assert_msg(strstr(d.msg[0], "subpoena") != NULL, "%s", all_msgs(&d));
    diag_destroy(&d);
    free(path);
    scratch_close(&s);
}
END_TEST

START_TEST(test_unknown_attribute)
{
    struct scratch s;
    scratch_open(&s);
    struct diag d;
    diag_init(&d);
    char *path;
    struct cfg *c = load_text(&s, "at.xml",
                              X_DECL X_ROOT X_RUN "  <population size=\"100\" colour=\"red\"/>\n"
                              X_CONT X_TRAF X_POL X_ADV X_END,
                              NULL, 0, &d, &path);
    expect_refused(c, &d);
    ck_assert_msg(loc_line(d.msg[0], path) == 4, "want %s:4: ...: %s", path, all_msgs(&d));
    ck_assert_msg(strstr(d.msg[0], "colour") != NULL, "%s", all_msgs(&d));
    ck_assert_msg(strstr(d.msg[0], "population") != NULL, "%s", all_msgs(&d));
    diag_destroy(&d);
    free(path);
    scratch_close(&s);
}
END_TEST

START_TEST(test_schema_value)
{
    /* A value the schema rejects, in the file: FILE:LINE naming it. */
    struct scratch s;
    scratch_open(&s);
    struct diag d;
    diag_init(&d);
    char *path;
    struct cfg *c = load_text(&s, "v.xml",
                              X_DECL X_ROOT X_RUN X_POP X_CONT X_TRAF
                              "  <policy><retention days=\"-1\"/></policy>\n" X_ADV X_END,
                              NULL, 0, &d, &path);
    expect_refused(c, &d);
    ck_assert_msg(loc_line(d.msg[0], path) == 7, "want %s:7: ...: %s", path, all_msgs(&d));
    ck_assert_msg(strstr(d.msg[0], "days") != NULL, "%s", all_msgs(&d));
    /* not from --set, so no mention of it */
    ck_assert_msg(strstr(d.msg[0], "--set") == NULL, "%s", all_msgs(&d));
    diag_destroy(&d);
    free(path);
    scratch_close(&s);
}
END_TEST

/* ---- --set --------------------------------------------------------------------- */

START_TEST(test_set_values)
{
    struct scratch s;
    scratch_open(&s);
    struct diag d;
    diag_init(&d);
    char *path = scratch_file(&s, "set.xml", X_VALID);

    const char *set1[] = { "population@size=123" };
    struct cfg *c = cfg_load(path, set1, 1, &d);
    ck_assert_msg(c != NULL, "%s", all_msgs(&d));
    ck_assert_int_eq(get_long(c, "population", "size"), 123);
    ck_assert_int_eq(get_long(c, "policy/retention", "days"), 30);   /* others untouched */
    cfg_free(c);

    const char *set2[] = { "policy/retention@days=7" };
    c = cfg_load(path, set2, 1, &d);
    ck_assert_msg(c != NULL, "%s", all_msgs(&d));
    ck_assert_int_eq(get_long(c, "policy/retention", "days"), 7);
    ck_assert_int_eq(get_long(c, "population", "size"), 100);
    cfg_free(c);

    const char *set3[] = { "adversary/bulk_snapshot[2]@period_days=11" };
    c = cfg_load(path, set3, 1, &d);
    ck_assert_msg(c != NULL, "%s", all_msgs(&d));
    const struct cfg_node *b1 = cfg_first(cfg_child(cfg_root(c), "adversary"));
    const struct cfg_node *b2 = cfg_next(b1);
    long v = 0;
    ck_assert_int_eq(cfg_long(c, b1, "period_days", 0, &v), 0);
    ck_assert_int_eq(v, 5);
    ck_assert_int_eq(cfg_long(c, b2, "period_days", 0, &v), 0);
    ck_assert_int_eq(v, 11);
    ck_assert_int_eq(cfg_long(c, b2, "start_day", 0, &v), 0);
    ck_assert_int_eq(v, 2);
    cfg_free(c);

    /* [1] is the first; several overrides at once, the later one winning;
     * "@name" sets the root's attribute; a new (allowed) attribute is added */
    const char *set4[] = { "adversary/bulk_snapshot[1]@period_days=3", "population@size=5",
                           "population@size=6", "@name=renamed",
                           "adversary/bulk_snapshot@start_day=4" };
    c = cfg_load(path, set4, 5, &d);
    ck_assert_msg(c != NULL, "%s", all_msgs(&d));
    b1 = cfg_first(cfg_child(cfg_root(c), "adversary"));
    b2 = cfg_next(b1);
    ck_assert_int_eq(cfg_long(c, b1, "period_days", 0, &v), 0);
    ck_assert_int_eq(v, 3);
    ck_assert_int_eq(cfg_long(c, b1, "start_day", 0, &v), 0);
    ck_assert_int_eq(v, 4);
    ck_assert_int_eq(cfg_long(c, b2, "period_days", 0, &v), 0);
    ck_assert_int_eq(v, 7);
    ck_assert_int_eq(get_long(c, "population", "size"), 6);
    ck_assert_str_eq(cfg_str(cfg_root(c), "name", "?"), "renamed");
    /* The file itself is not changed. */
    char *text = tu_slurp(path, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, X_VALID);
    free(text);
    cfg_free(c);

    ck_assert_msg(d.n == 0, "%s", all_msgs(&d));
    diag_destroy(&d);
    free(path);
    scratch_close(&s);
}
END_TEST

START_TEST(test_set_bad_path)
{
    static const char *const bad[] = {
        "nosuch@x=1",
        "population@size",                              /* no '=' */
        "adversary/bulk_snapshot[3]@period_days=1",     /* there are 2 */
        "adversary/bulk_snapshot[0]@period_days=1",     /* 1-based */
        "adversary/bulk_snapshot[x]@period_days=1",
        "policy//retention@days=1",                     /* empty segment */
        "policy/retention/deeper@days=1",
        "population@=1",                                /* no attribute */
        "population=1",                                 /* no '@' */
    };
    struct scratch s;
    scratch_open(&s);
    char *path = scratch_file(&s, "set.xml", X_VALID);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct diag d;
        diag_init(&d);
        struct cfg *c = cfg_load(path, &bad[i], 1, &d);
        if (c) {
            cfg_free(c);
            ck_abort_msg("--set %s was accepted", bad[i]);
        }
        ck_assert_msg(d.n >= 1, "--set %s: no diagnostic", bad[i]);
        ck_assert_msg(strncmp(d.msg[0], "--set", 5) == 0, "--set %s: %s", bad[i], all_msgs(&d));
        ck_assert_msg(strstr(d.msg[0], bad[i]) != NULL, "--set %s: the override is not named: %s",
                      bad[i], all_msgs(&d));
        diag_destroy(&d);
    }
    free(path);
    scratch_close(&s);
}
END_TEST

START_TEST(test_set_schema_rejects)
{
    /* The override applies, then the schema rejects the value: the
     * diagnostic is at the element's FILE:LINE and names the --set. */
    static const struct {
        const char *set;
        long line;
        const char *attr;
    } cases[] = {
        { "population@size=abc", 4, "size" },
        { "run@seed=99999999999", 3, "seed" },
        { "policy/retention@days=-1", 7, "days" },
        { "policy/retention@days=36501", 7, "days" },
        { "adversary/bulk_snapshot[2]@period_days=-1", 10, "period_days" },
        { "population@colour=red", 4, "colour" },
        { "@name=../../etc", 2, "name" },
    };
    struct scratch s;
    scratch_open(&s);
    char *path = scratch_file(&s, "set.xml", X_VALID);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct diag d;
        diag_init(&d);
        struct cfg *c = cfg_load(path, &cases[i].set, 1, &d);
        if (c) {
            cfg_free(c);
            ck_abort_msg("--set %s was accepted", cases[i].set);
        }
        ck_assert_msg(d.n >= 1, "--set %s: no diagnostic", cases[i].set);
        long line = loc_line(d.msg[0], path);
        ck_assert_msg(line == cases[i].line, "--set %s: want %s:%ld: ...: %s", cases[i].set, path,
                      cases[i].line, all_msgs(&d));
        ck_assert_msg(strstr(d.msg[0], cases[i].attr) != NULL, "--set %s: %s", cases[i].set, all_msgs(&d));
        char want[200];
        snprintf(want, sizeof want, "--set %s", cases[i].set);
        ck_assert_msg(strstr(d.msg[0], want) != NULL, "--set %s: the override is not named: %s",
                      cases[i].set, all_msgs(&d));
        diag_destroy(&d);
    }
    free(path);
    scratch_close(&s);
}
END_TEST

/* ---- files that are not there or empty ------------------------------------------ */

START_TEST(test_missing_file)
{
    struct scratch s;
    scratch_open(&s);
    char *path = scratch_path(&s, "none.xml");
    struct diag d;
    diag_init(&d);
    struct cfg *c = cfg_load(path, NULL, 0, &d);
    expect_refused(c, &d);
    ck_assert_msg(strstr(d.msg[0], path) != NULL, "%s", all_msgs(&d));
    ck_assert_msg(strstr(d.msg[0], "cannot open") != NULL, "%s", all_msgs(&d));
    diag_destroy(&d);
    free(path);
    scratch_close(&s);
}
END_TEST

START_TEST(test_empty_file)
{
    struct scratch s;
    scratch_open(&s);
    static const char *const texts[] = { "", "   \n\n", X_DECL };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct diag d;
        diag_init(&d);
        char *path;
        struct cfg *c = load_text(&s, "empty.xml", texts[i], NULL, 0, &d, &path);
        expect_refused(c, &d);
        ck_assert_msg(strncmp(d.msg[0], path, strlen(path)) == 0, "case %zu: %s", i, all_msgs(&d));
        diag_destroy(&d);
        free(path);
    }
    scratch_close(&s);
}
END_TEST

/* ---- cfg_error and getters ------------------------------------------------------- */

START_TEST(test_cfg_error_format)
{
    struct scratch s;
    scratch_open(&s);
    struct diag d;
    diag_init(&d);
    char *path = scratch_file(&s, "e.xml", X_VALID);
    struct cfg *c = cfg_load(path, NULL, 0, &d);
    ck_assert_msg(c != NULL, "%s", all_msgs(&d));
    const struct cfg_node *pop = cfg_child(cfg_root(c), "population");
    char want[4200];

    ck_assert_int_eq(cfg_error(c, pop, "size", "must be %s than %d", "less", 50), -1);
    ck_assert_uint_eq(d.n, 1);
    snprintf(want, sizeof want, "%s:4: element 'population', attribute 'size': must be less than 50", path);
    ck_assert_str_eq(d.msg[0], want);

    ck_assert_int_eq(cfg_error(c, pop, NULL, "is odd"), -1);
    ck_assert_uint_eq(d.n, 2);
    snprintf(want, sizeof want, "%s:4: element 'population': is odd", path);
    ck_assert_str_eq(d.msg[1], want);

    const struct cfg_node *b2 = cfg_next(cfg_first(cfg_child(cfg_root(c), "adversary")));
    ck_assert_int_eq(cfg_error(c, b2, "start_day", "after the horizon"), -1);
    snprintf(want, sizeof want, "%s:10: element 'bulk_snapshot', attribute 'start_day': after the horizon", path);
    ck_assert_str_eq(d.msg[2], want);
    cfg_free(c);
    diag_destroy(&d);

    /* A value that came from --set: the override is named. */
    diag_init(&d);
    const char *set[] = { "population@size=123" };
    c = cfg_load(path, set, 1, &d);
    ck_assert_msg(c != NULL, "%s", all_msgs(&d));
    pop = cfg_child(cfg_root(c), "population");
    cfg_error(c, pop, "size", "too big");
    snprintf(want, sizeof want,
             "%s:4: element 'population', attribute 'size': too big (value given by --set population@size=123)", path);
    ck_assert_str_eq(d.msg[0], want);
    /* ... but not for another attribute of the same element */
    const struct cfg_node *run = cfg_child(cfg_root(c), "run");
    cfg_error(c, run, "seed", "bad");
    snprintf(want, sizeof want, "%s:3: element 'run', attribute 'seed': bad", path);
    ck_assert_str_eq(d.msg[1], want);
    cfg_free(c);
    diag_destroy(&d);
    free(path);
    scratch_close(&s);
}
END_TEST

START_TEST(test_getters_bad_value)
{
    /* The schema lets the name be any word; read as a number it must give
     * -1 and a FILE:LINE diagnostic. */
    struct scratch s;
    scratch_open(&s);
    struct diag d;
    diag_init(&d);
    char *path = scratch_file(&s, "g.xml", X_VALID);
    struct cfg *c = cfg_load(path, NULL, 0, &d);
    ck_assert_msg(c != NULL, "%s", all_msgs(&d));
    long v = 99;
    double x = 99;
    ck_assert_int_eq(cfg_long(c, cfg_root(c), "name", 0, &v), -1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_int_eq(loc_line(d.msg[0], path), 2);
    ck_assert_ptr_nonnull(strstr(d.msg[0], "attribute 'name'"));
    ck_assert_int_eq(cfg_double(c, cfg_root(c), "name", 0, &x), -1);
    ck_assert_uint_eq(d.n, 2);
    /* a double read as a long is refused, not truncated */
    const struct cfg_node *traf = cfg_child(cfg_root(c), "traffic");
    ck_assert_int_eq(cfg_long(c, traf, "rate_per_day", 0, &v), -1);
    ck_assert_uint_eq(d.n, 3);
    ck_assert_int_eq(cfg_double(c, traf, "rate_per_day", 0, &x), 0);
    ck_assert_double_eq(x, 0.5);
    /* a NULL node gives the default */
    ck_assert_int_eq(cfg_long(c, NULL, "size", 17, &v), 0);
    ck_assert_int_eq(v, 17);
    ck_assert_int_eq(cfg_double(c, NULL, "size", 2.5, &x), 0);
    ck_assert_double_eq(x, 2.5);
    cfg_free(c);
    diag_destroy(&d);
    free(path);
    scratch_close(&s);
}
END_TEST

START_TEST(test_getters_schema_lexical)
{
    /* Values the schema accepts must read back as the same numbers.  xs:int
     * allows a leading '+' and leading zeros; xs:double also collapses
     * surrounding whitespace, which includes tab, newline and carriage
     * return (they reach the attribute through character references, which
     * XML attribute normalisation keeps).  libxml2 accepts all of these. */
    static const struct {
        const char *size, *rate;
        long want_size;
        double want_rate;
    } cases[] = {
        { "+100", "+0.5", 100, 0.5 },
        { "0100", " 5e-1 ", 100, 0.5 },
        { "100", "0.5&#9;", 100, 0.5 },
        { "100", "&#10;0.5&#13;&#10;", 100, 0.5 },
    };
    struct scratch s;
    scratch_open(&s);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[2048];
        snprintf(text, sizeof text,
                 X_DECL X_ROOT X_RUN "  <population size=\"%s\"/>\n" X_CONT
                 "  <traffic rate_per_day=\"%s\"/>\n" X_POL X_ADV X_END,
                 cases[i].size, cases[i].rate);
        struct diag d;
        diag_init(&d);
        char *path;
        struct cfg *c = load_text(&s, "lex.xml", text, NULL, 0, &d, &path);
        ck_assert_msg(c != NULL, "case %zu refused: %s", i, all_msgs(&d));
        long v = 0;
        double x = 0;
        int rc = cfg_long(c, cfg_child(cfg_root(c), "population"), "size", 0, &v);
        ck_assert_msg(rc == 0 && v == cases[i].want_size, "case %zu: size=\"%s\" read as %ld (rc %d): %s",
                      i, cases[i].size, v, rc, all_msgs(&d));
        rc = cfg_double(c, cfg_child(cfg_root(c), "traffic"), "rate_per_day", 0, &x);
        ck_assert_msg(rc == 0 && x == cases[i].want_rate, "case %zu: rate_per_day=\"%s\" read as %g (rc %d): %s",
                      i, cases[i].rate, x, rc, all_msgs(&d));
        cfg_free(c);
        diag_destroy(&d);
        free(path);
    }
    scratch_close(&s);
}
END_TEST

START_TEST(test_schema_text)
{
    size_t len = 0;
    const char *xsd = cfg_schema_text(&len);
    char *path = tu_top("scenarios/scenario.xsd");
    size_t flen = 0;
    char *file = tu_slurp(path, &flen);
    ck_assert_ptr_nonnull(file);
    /* the compiled-in schema is the file in the checkout */
    ck_assert_uint_eq(len, flen);
    ck_assert_int_eq(memcmp(xsd, file, len), 0);
    free(file);
    free(path);
}
END_TEST

/* ---- other built-in schemas --------------------------------------------------------- */

static const char tiny_xsd[] =
    "<?xml version=\"1.0\"?>\n"
    "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n"
    "  <xs:element name=\"tiny\"><xs:complexType>\n"
    "    <xs:attribute name=\"n\" type=\"xs:int\" use=\"required\"/>\n"
    "  </xs:complexType></xs:element>\n"
    "</xs:schema>\n";

START_TEST(test_load_schema)
{
    const struct cfg_schema tiny = { "tiny.xsd", tiny_xsd, tiny_xsd + sizeof tiny_xsd - 1 };
    struct scratch s;
    scratch_open(&s);
    struct diag d;
    diag_init(&d);
    char *tpath = scratch_file(&s, "tiny.xml", "<?xml version=\"1.0\"?>\n<tiny n=\"3\"/>\n");
    char *spath = scratch_file(&s, "scn.xml", X_VALID);

    /* the tiny document against the tiny schema, with an override */
    struct cfg *c = cfg_load_schema(tpath, NULL, 0, &tiny, &d);
    ck_assert_msg(c != NULL, "%s", all_msgs(&d));
    long v = 0;
    ck_assert_int_eq(cfg_long(c, cfg_root(c), "n", 0, &v), 0);
    ck_assert_int_eq(v, 3);
    cfg_free(c);
    const char *set[] = { "@n=4" };
    c = cfg_load_schema(tpath, set, 1, &tiny, &d);
    ck_assert_msg(c != NULL, "%s", all_msgs(&d));
    ck_assert_int_eq(cfg_long(c, cfg_root(c), "n", 0, &v), 0);
    ck_assert_int_eq(v, 4);
    cfg_free(c);
    ck_assert_uint_eq(d.n, 0);

    /* each document against the other's schema is refused at line 2 */
    c = cfg_load(tpath, NULL, 0, &d);
    expect_refused(c, &d);
    ck_assert_msg(loc_line(d.msg[0], tpath) == 2 && strstr(d.msg[0], "tiny"), "%s", all_msgs(&d));
    diag_destroy(&d);
    diag_init(&d);
    c = cfg_load_schema(spath, NULL, 0, &tiny, &d);
    expect_refused(c, &d);
    ck_assert_msg(loc_line(d.msg[0], spath) == 2 && strstr(d.msg[0], "scenario"), "%s", all_msgs(&d));
    diag_destroy(&d);

    /* the scenario schema by name is cfg_load's */
    diag_init(&d);
    c = cfg_load_schema(spath, NULL, 0, &cfg_scenario_schema, &d);
    ck_assert_msg(c != NULL, "%s", all_msgs(&d));
    cfg_free(c);
    size_t len;
    const char *text = cfg_schema_text(&len);
    ck_assert_ptr_eq(cfg_scenario_schema.text, text);
    ck_assert_uint_eq((size_t)(cfg_scenario_schema.end - cfg_scenario_schema.text), len);

    /* a schema that is not one: refused, naming the schema */
    static const char junk[] = "<not-a-schema/>";
    const struct cfg_schema broken = { "broken.xsd", junk, junk + sizeof junk - 1 };
    c = cfg_load_schema(tpath, NULL, 0, &broken, &d);
    expect_refused(c, &d);
    int named = 0;
    for (size_t i = 0; i < d.n; i++)
        named |= strncmp(d.msg[i], "broken.xsd", 10) == 0;
    ck_assert_msg(named, "%s", all_msgs(&d));
    diag_destroy(&d);
    free(tpath);
    free(spath);
    scratch_close(&s);
}
END_TEST

/* ---- sim_read_run ------------------------------------------------------------------ */

START_TEST(test_sim_read_run)
{
    struct scratch s;
    scratch_open(&s);
    struct diag d;
    diag_init(&d);
    char *path = scratch_file(&s, "run.xml", X_VALID);
    struct cfg *c = cfg_load(path, NULL, 0, &d);
    ck_assert_msg(c != NULL, "%s", all_msgs(&d));
    struct sim_run_params run = { 0, 0, 0 };
    ck_assert_int_eq(sim_read_run(c, &run), 0);
    ck_assert_uint_eq(run.seed, 42);
    ck_assert_uint_eq(run.replications, 3);
    ck_assert_int_eq(run.horizon, (sim_time)10 * 86400);
    cfg_free(c);

    /* defaults (seed 1, one replication) and the extremes the schema allows */
    char *path2 = scratch_file(&s, "run2.xml",
                               X_DECL X_ROOT "  <run horizon_days=\"36500\"/>\n"
                               X_POP X_CONT X_TRAF X_POL X_ADV X_END);
    c = cfg_load(path2, NULL, 0, &d);
    ck_assert_msg(c != NULL, "%s", all_msgs(&d));
    ck_assert_int_eq(sim_read_run(c, &run), 0);
    ck_assert_uint_eq(run.seed, 1);
    ck_assert_uint_eq(run.replications, 1);
    ck_assert_int_eq(run.horizon, (sim_time)36500 * 86400);
    cfg_free(c);

    const char *sets[] = { "run@seed=4294967295", "run@replications=1000000", "run@horizon_days=1" };
    c = cfg_load(path, sets, 3, &d);
    ck_assert_msg(c != NULL, "%s", all_msgs(&d));
    ck_assert_int_eq(sim_read_run(c, &run), 0);
    ck_assert_uint_eq(run.seed, 4294967295u);
    ck_assert_uint_eq(run.replications, 1000000);
    ck_assert_int_eq(run.horizon, 86400);
    cfg_free(c);
    ck_assert_msg(d.n == 0, "%s", all_msgs(&d));
    diag_destroy(&d);
    free(path);
    free(path2);
    scratch_close(&s);
}
END_TEST

/* ---- hostile files (issue 16) ---------------------------------------------------- */

/* A FIFO blocked the load for ever, a device was read until the size
 * check; a NUL byte hid garbage after the root element; 40,000 attributes
 * took seconds (quadratic).  Each is refused at once with its place. */
START_TEST(test_hostile_inputs)
{
    struct scratch s;
    scratch_open(&s);
    struct diag d;
    diag_init(&d);
    char *fifo = scratch_path(&s, "fifo.xml");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    expect_refused(cfg_load(fifo, NULL, 0, &d), &d);
    ck_assert_msg(strstr(d.msg[0], "fifo.xml: a FIFO, not a regular file") != NULL, "%s", all_msgs(&d));
    diag_destroy(&d);
    expect_refused(cfg_load("/dev/zero", NULL, 0, &d), &d);
    ck_assert_str_eq(d.msg[0], "/dev/zero: a character device, not a regular file: exposim reads its inputs from "
                               "regular files only (a FIFO would block, a device never ends)");
    diag_destroy(&d);

    char *nul = scratch_path(&s, "nul.xml");
    FILE *f = fopen(nul, "w");
    ck_assert_ptr_nonnull(f);
    fwrite(X_VALID "\0<junk", 1, sizeof X_VALID + 6, f);
    fclose(f);
    expect_refused(cfg_load(nul, NULL, 0, &d), &d);
    char want[512];
    snprintf(want, sizeof want, "%s:13: a NUL byte (at offset %zu): not a text file", nul, sizeof X_VALID - 1);
    ck_assert_str_eq(d.msg[0], want);
    diag_destroy(&d);

    size_t n = CFG_MAX_ATTRIBUTES;                         /* with name: 256 */
    char *text = malloc(n * 16 + 256), *at = text;
    at += sprintf(text, "%s<!-- a=1 b=2 c=3 --><scenario name=\"t\"", X_DECL);   /* '=' of comments do not count */
    for (size_t i = 1; i < n; i++)
        at += sprintf(at, " a%zu='x=y'", i);       /* nor those inside quotes */
    sprintf(at, ">" X_BODY);
    char *p = scratch_file(&s, "ok.xml", text);
    struct cfg *c = cfg_load(p, NULL, 0, &d);              /* 256 attributes: the schema refuses them */
    expect_refused(c, &d);
    ck_assert_msg(!strstr(d.msg[0], "more than 256 attributes"), "%s", all_msgs(&d));
    diag_destroy(&d);
    free(p);
    sprintf(at, " a0='1'>" X_BODY);
    p = scratch_file(&s, "flood.xml", text);
    expect_refused(cfg_load(p, NULL, 0, &d), &d);
    snprintf(want, sizeof want, "%s:2: an element with more than 256 attributes: refused before parsing (no "
             "exposim element has more than a few dozen)", p);
    ck_assert_str_eq(d.msg[0], want);
    ck_assert_uint_eq(d.n, 1);
    diag_destroy(&d);
    free(p), free(text), free(nul), free(fifo);

    char *big = scratch_path(&s, "big.xml");
    f = fopen(big, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, (long)CFG_MAX_INPUT_BYTES, SEEK_SET), 0);    /* a hole: no disk used */
    fputc('\n', f);
    fclose(f);
    expect_refused(cfg_load(big, NULL, 0, &d), &d);
    snprintf(want, sizeof want, "%s: 16777217 bytes, more than the 16777216 allowed", big);
    ck_assert_str_eq(d.msg[0], want);
    diag_destroy(&d);
    free(big);
    scratch_close(&s);
}
END_TEST

/* --set with a control character or invalid UTF-8: refused with what is
 * wrong (libxml2 printed "Internal error" lines for invalid UTF-8, and
 * the manifest of a run with a control character was not XML). */
START_TEST(test_set_bytes)
{
    struct scratch s;
    scratch_open(&s);
    static const struct {
        const char *set, *want;
    } cases[] = {
        { "@name=a\001b", "--set @name=a\\x01b: byte 8 (0x01) is a control character, which a scenario (XML) "
                          "cannot hold" },
        { "@name=\377", "--set @name=\\xff: byte 7 (0xff) is not valid UTF-8, which a scenario (XML) cannot hold" },
        { "@name=\355\240\200", "--set @name=\\xed\\xa0\\x80: byte 7 (0xed) is not valid UTF-8" },  /* a surrogate */
        { "@name=\300\257", "--set @name=\\xc0\\xaf: byte 7 (0xc0) is not valid UTF-8" },            /* overlong */
        { "pop\033ulation@size=5", "--set pop\\x1bulation@size=5: byte 4 (0x1b) is a control character" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct diag d;
        diag_init(&d);
        char *path;
        const char *sets[] = { cases[i].set };
        struct cfg *c = load_text(&s, "t.xml", X_VALID, sets, 1, &d, &path);
        expect_refused(c, &d);
        ck_assert_uint_eq(d.n, 1);
        ck_assert_msg(strstr(d.msg[0], cases[i].want) != NULL, "case %zu: %s", i, all_msgs(&d));
        diag_destroy(&d);
        free(path);
    }
    struct diag d;
    diag_init(&d);
    char *path;
    const char *fine[] = { "@name=caf\303\251-\360\237\230\200" };       /* UTF-8 passes --set (the pattern then refuses it) */
    struct cfg *c = load_text(&s, "t.xml", X_VALID, fine, 1, &d, &path);
    expect_refused(c, &d);
    ck_assert_msg(strstr(d.msg[0], "[facet 'pattern']") != NULL, "%s", all_msgs(&d));
    diag_destroy(&d);
    free(path);
    scratch_close(&s);
}
END_TEST

/* Messages that misled: "1e-320 is not a finite number" (it is finite:
 * too small), and libxml2's "not a valid value of the local atomic type"
 * that named no allowed range. */
START_TEST(test_value_messages)
{
    struct scratch s;
    scratch_open(&s);
    static const struct {
        const char *set, *want;
    } cases[] = {
        { "traffic@rate_per_day=1e-320", ":6: element 'traffic', attribute 'rate_per_day': '1e-320' is too close to "
          "0 to be kept exactly (the smallest normal double is 2.2e-308): write 0 or a larger value" },
        { "population@size=99999999999999", ":4: Element 'population', attribute 'size': '99999999999999' is not a "
          "valid value: expected a whole number from 2 to 100000000 (value given by --set population@size=" },
        { "population@size=x", "'x' is not a valid value: expected a whole number from 2 to 100000000" },
        { "run@seed=-1", "'-1' is not a valid value of the atomic type 'xs:unsignedInt': expected a whole number "
          "from 0 to 4294967295" },
        { "traffic@rate_per_day=fast", "'fast' is not a valid value of the atomic type 'positiveRate': expected a "
          "number above 0" },
        { "run@replications=1e3", "'1e3' is not a valid value: expected a whole number from 1 to 1000000" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct diag d;
        diag_init(&d);
        char *path;
        const char *sets[] = { cases[i].set };
        struct cfg *c = load_text(&s, "t.xml", X_VALID, sets, 1, &d, &path);
        if (c) {                                   /* 1e-320 passes the schema; cfg_double refuses it */
            double v;
            ck_assert_int_eq(cfg_double(c, cfg_child(cfg_root(c), "traffic"), "rate_per_day", 1, &v), -1);
            cfg_free(c);
        }
        ck_assert_uint_ge(d.n, 1);
        ck_assert_msg(strstr(d.msg[0], cases[i].want) != NULL, "case %zu: %s", i, all_msgs(&d));
        diag_destroy(&d);
        free(path);
    }
    scratch_close(&s);
}
END_TEST

Suite *cfg_suite(void)
{
    Suite *s = suite_create("cfg");
    TCase *ok = tcase_create("valid");
    tcase_set_timeout(ok, 60);
    tcase_add_test(ok, test_baseline_loads);
    tcase_add_test(ok, test_small_loads);
    tcase_add_test(ok, test_schema_text);
    tcase_add_test(ok, test_load_schema);
    tcase_add_test(ok, test_sim_read_run);
    tcase_add_test(ok, test_cfg_error_format);
    tcase_add_test(ok, test_getters_bad_value);
    tcase_add_test(ok, test_getters_schema_lexical);
    suite_add_tcase(s, ok);

    TCase *bad = tcase_create("refused");
    tcase_set_timeout(bad, 60);
    tcase_add_test(bad, test_malformed);
    tcase_add_test(bad, test_not_xml);
    tcase_add_test(bad, test_doctype_internal);
    tcase_add_test(bad, test_doctype_external);
    tcase_add_test(bad, test_xxe);
    tcase_add_test(bad, test_unknown_element);
    tcase_add_test(bad, test_unknown_attribute);
    tcase_add_test(bad, test_schema_value);
    tcase_add_test(bad, test_missing_file);
    tcase_add_test(bad, test_empty_file);
    tcase_add_test(bad, test_hostile_inputs);
    tcase_add_test(bad, test_value_messages);
    suite_add_tcase(s, bad);

    TCase *set = tcase_create("set");
    tcase_set_timeout(set, 60);
    tcase_add_test(set, test_set_values);
    tcase_add_test(set, test_set_bad_path);
    tcase_add_test(set, test_set_schema_rejects);
    tcase_add_test(set, test_set_bytes);
    suite_add_tcase(s, set);
    return s;
}
