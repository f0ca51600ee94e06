/* check_catalog — the metric table (models/catalog.c) and docs/metrics.md
 * cannot drift apart: the "Catalog" section's table is the table, row by
 * row (name, title, unit, axis label, share, target_ form); every metric
 * the table names is defined in the "Definitions" or "Location metrics"
 * sections, and every metric those sections' tables define is in the
 * table; the closed form of edge_recall is offered exactly under the
 * conditions catalog.c states, and gives 1 − e^(−2λT). */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "catalog.h"
#include "cfg.h"
#include "suites.h"
#include "testutil.h"

/* The docs' row of metric m. */
static char *catalog_line(const struct sim_metric_info *m)
{
    char *s;
    ck_assert_int_ge(asprintf(&s, "| `%s` | %s | %s | %s | %s | %s |", m->name, m->title, *m->unit ? m->unit : "—",
                              m->axis, m->flags & SIM_METRIC_SHARE ? "yes" : "no",
                              m->flags & SIM_METRIC_TARGETS ? "yes" : ""), 0);
    return s;
}

static char *metrics_md(void)
{
    char *path = tu_top("docs/metrics.md");
    size_t len;
    char *s = tu_slurp(path, &len);
    ck_assert_msg(s != NULL, "cannot read %s", path);
    free(path);
    return s;
}

/* The text of section `title` ("## title" up to the next "## "), a copy. */
static char *section(const char *doc, const char *title)
{
    char *head;
    ck_assert_int_ge(asprintf(&head, "\n## %s\n", title), 0);
    const char *a = strstr(doc, head);
    ck_assert_msg(a != NULL, "docs/metrics.md has no section %s", title);
    a += strlen(head);
    free(head);
    const char *b = strstr(a, "\n## ");
    return strndup(a, b ? (size_t)(b - a) : strlen(a));
}

START_TEST(test_catalog_table_in_docs)
{
    char *doc = metrics_md(), *sec = section(doc, "Catalog");
    const char *line = sec;
    size_t rows = 0;
    for (const struct sim_metric_info *m = catalog_metrics; m->name; m++) {
        char *want = catalog_line(m);
        line = strstr(line, "\n| `");
        ck_assert_msg(line != NULL, "docs/metrics.md's Catalog ends before %s; add:\n%s", m->name, want);
        line++;
        size_t n = strcspn(line, "\n");
        ck_assert_msg(strlen(want) == n && strncmp(line, want, n) == 0,
                      "docs/metrics.md's Catalog row %zu is\n%.*s\nand the table says\n%s", rows + 1, (int)n, line,
                      want);
        free(want);
        rows++;
    }
    ck_assert_msg(!strstr(line, "\n| `"), "docs/metrics.md's Catalog has more rows than the table");
    free(sec);
    free(doc);
}
END_TEST

/* The backticked names in the first column of the tables of a section
 * whose header's first cell is "Metric" or "Field" (definition tables;
 * a benchmark table is not one). */
static void first_column_names(const char *sec, void (*fn)(const char *name, void *ctx), void *ctx)
{
    int active = 0;
    for (const char *line = sec; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        const char *next = strchr(line, '\n');
        if (strncmp(line, "| ", 2) == 0 && next && strncmp(next + 1, "|---", 4) == 0) {
            active = strncmp(line, "| Metric ", 9) == 0 || strncmp(line, "| Field ", 8) == 0;
            continue;
        }
        if (!active || strncmp(line, "| `", 3) != 0)
            continue;
        line += 2;
        size_t n = strcspn(line, "|");           /* the first cell */
        char *cell = strndup(line, n);
        for (char *p = cell; (p = strchr(p, '`'));) {
            char *q = strchr(p + 1, '`');
            if (!q)
                break;
            *q = '\0';
            fn(p + 1, ctx);
            p = q + 1;
        }
        free(cell);
    }
}

struct seen {
    int count[128];
};

static void defined(const char *name, void *ctx)
{
    struct seen *s = ctx;
    struct sim_metric_desc d;
    ck_assert_msg(sim_metric_describe(catalog_metrics, name, &d) == 0,
                  "docs/metrics.md defines `%s`, which the metric table (models/catalog.c) lacks", name);
    s->count[d.info - catalog_metrics]++;
}

START_TEST(test_docs_define_every_metric)
{
    char *doc = metrics_md(), *def = section(doc, "Definitions"), *loc = section(doc, "Location metrics");
    struct seen s;
    memset(&s, 0, sizeof s);
    first_column_names(def, defined, &s);
    first_column_names(loc, defined, &s);
    size_t i = 0;
    for (const struct sim_metric_info *m = catalog_metrics; m->name; m++, i++) {
        ck_assert_uint_lt(i, 128);
        ck_assert_msg(s.count[i] > 0, "the metric table has %s, which docs/metrics.md does not define", m->name);
    }
    free(def);
    free(loc);
    free(doc);
}
END_TEST

/* The closed form through the table: value() gives covered_days. */
static double covered(const void *ctx, const char *name)
{
    return strcmp(name, "covered_days") == 0 ? *(const double *)ctx : NAN;
}

static int closed_form(const char *xml, double t, double *out)
{
    char *dir = tu_mkdtemp(), *path;
    ck_assert_int_ge(asprintf(&path, "%s/s.xml", dir), 0);
    tu_write(path, xml);
    struct diag d;
    diag_init(&d);
    struct cfg *c = cfg_load(path, NULL, 0, &d);
    ck_assert_msg(c != NULL, "%s", d.n ? d.msg[0] : "");
    struct sim_metric_desc m;
    ck_assert_int_eq(sim_metric_describe(catalog_metrics, "edge_recall", &m), 0);
    char formula[160];
    int r = m.info->closed_form(c, covered, &t, out, formula, sizeof formula);
    cfg_free(c);
    diag_destroy(&d);
    free(path);
    tu_rmtree(dir);
    free(dir);
    return r;
}

START_TEST(test_recall_closed_form_conditions)
{
    static const char head[] = "<scenario name=\"s\"><run horizon_days=\"60\"/><population size=\"50\"/>"
                               "<contacts><erdos_renyi mean_degree=\"4\"/></contacts>";
    char *xml;
    double v;
    ck_assert_int_ge(asprintf(&xml, "%s<traffic rate_per_day=\"0.02\"/><policy><retention days=\"30\"/></policy>"
                                    "<adversary><bulk_snapshot period_days=\"30\"/><breach day=\"40\"/></adversary>"
                                    "</scenario>", head), 0);
    ck_assert_int_eq(closed_form(xml, 45, &v), 1);
    ck_assert_double_eq_tol(v, 1 - exp(-2 * 0.02 * 45), 1e-15);
    free(xml);
    /* each condition broken alone: no closed form */
    static const char *const broken[][3] = {
        { "<traffic rate_per_day=\"0.02\" cache_ttl_hours=\"1\"/>", "<retention days=\"30\"/>", "" },
        { "<traffic rate_per_day=\"0.02\" tie_strength=\"lognormal\"/>", "<retention days=\"30\"/>", "" },
        { "<traffic rate_per_day=\"0.02\" group_share=\"0.1\"/>", "<retention days=\"30\"/>", "" },
        { "<traffic rate_per_day=\"0.02\" device_changes_per_year=\"1\"/>", "<retention days=\"30\"/>", "" },
        { "<traffic rate_per_day=\"0.02\"><profile weekly=\"1 1 1 1 1 2 2\"/></traffic>", "<retention days=\"30\"/>",
          "" },
        { "<traffic rate_per_day=\"0.02\"/>", "<retention days=\"30\" purge=\"daily\"/>", "" },
        { "<traffic rate_per_day=\"0.02\"/>", "<retention days=\"30\"/><logging sampling=\"0.5\"/>", "" },
        { "<traffic rate_per_day=\"0.02\"/>", "<retention days=\"30\"/><logging queried_number=\"keyed_hash\"/>", "" },
        { "<traffic rate_per_day=\"0.02\"/>", "<retention days=\"30\"/><logging private_contact_discovery=\"true\"/>",
          "" },
        { "<traffic rate_per_day=\"0.02\"/>", "<retention days=\"30\"/><logging delivery_delay_minutes=\"5\"/>", "" },
        { "<traffic rate_per_day=\"0.02\"/>", "<retention days=\"30\"/>", "<inference min_count=\"2\"/>" },
        { "<traffic rate_per_day=\"0.02\"/><address_book/>", "<retention days=\"30\"/>", "" },
        { "<traffic rate_per_day=\"0.02\"/><dynamics/>", "<retention days=\"30\"/>", "" },
        { "<traffic rate_per_day=\"0.02\"/><groups/>", "<retention days=\"30\"/>", "" },
    };
    for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
        ck_assert_int_ge(asprintf(&xml, "%s%s<policy>%s</policy><adversary><bulk_snapshot period_days=\"30\"/>"
                                        "</adversary>%s</scenario>", head, broken[i][0], broken[i][1], broken[i][2]),
                         0);
        ck_assert_msg(closed_form(xml, 45, &v) == 0, "a closed form for %s", xml);
        free(xml);
    }
    /* a targeted instrument, a random breach day, clients only in part */
    static const char *const adv[] = {
        "<targets count=\"2\"/><historical_order period_days=\"30\"/>",
        "<breach/>",
    };
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_ge(asprintf(&xml, "%s<traffic rate_per_day=\"0.02\"/><policy><retention days=\"30\"/></policy>"
                                        "<adversary>%s</adversary></scenario>", head, adv[i]), 0);
        ck_assert_msg(closed_form(xml, 45, &v) == 0, "a closed form for %s", xml);
        free(xml);
    }
    ck_assert_int_ge(asprintf(&xml, "<scenario name=\"s\"><run horizon_days=\"60\"/><population size=\"50\" "
                                    "client_share=\"0.5\"/><contacts><erdos_renyi mean_degree=\"4\"/></contacts>"
                                    "<traffic rate_per_day=\"0.02\"/><policy><retention days=\"30\"/></policy>"
                                    "<adversary><bulk_snapshot period_days=\"30\"/></adversary></scenario>"), 0);
    ck_assert_int_eq(closed_form(xml, 45, &v), 0);
    free(xml);
    /* several services split the conversations; an enumerator adds no pair */
    static const char *const after_policy[] = { "<services><service name=\"b\"><policy><retention days=\"9\"/>"
                                                "</policy></service></services>", "<enumeration/>" };
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_ge(asprintf(&xml, "%s<traffic rate_per_day=\"0.02\"/><policy><retention days=\"30\"/></policy>"
                                        "%s<adversary><bulk_snapshot period_days=\"30\"/></adversary></scenario>", head,
                                  after_policy[i]), 0);
        ck_assert_int_eq(closed_form(xml, 45, &v), (int)i);
        free(xml);
    }
}
END_TEST

Suite *catalog_suite(void)
{
    Suite *s = suite_create("catalog");
    TCase *tc = tcase_create("catalog");
    tcase_add_test(tc, test_catalog_table_in_docs);
    tcase_add_test(tc, test_docs_define_every_metric);
    tcase_add_test(tc, test_recall_closed_form_conditions);
    suite_add_tcase(s, tc);
    return s;
}
