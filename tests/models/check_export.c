/* check_export — the generated world seen from outside (models/export.h):
 * export_describe's lines for a graph whose statistics are worked out by
 * hand, with each optional line (VPN users, regions, a simple graph built
 * from a multigraph, a file, a trace, an odd degree sum); export_world's
 * files read back (CSV through libcsv, GraphML through libxml2): the
 * columns the population has, one row per person and per contact pair,
 * weights only when asked for, and nothing but population.csv and
 * edges.csv without graphml. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <check.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "export.h"
#include "results.h"
#include "suites.h"
#include "testutil.h"

/* The town: 5 people, the triangle 0-1-2 and the edge 2-3, person 4 alone
 * (graph_stats worked by hand: transitivity 3/5, mean local clustering
 * (1 + 1 + 1/3) / 3 = 7/9, mean degree 8/5, two components, the largest of
 * 4).  People 0-3 are clients, 1 and 3 workers, 3 on a VPN.  With regions:
 * 0, 2, 4 in region 0 and 1, 3 in region 1, work points for the workers
 * (NaN for the others).  Tie strengths per pair (both directions alike):
 * {0,1} 0.5, {0,2} 1.25, {1,2} 2, {2,3} 0.125. */
struct town {
    struct population pop;
    struct population_params pp;
    struct contacts ct;
    struct contacts_params cp;
    uint8_t flags[5];
    uint32_t region[5], labels[5];
    float hlat[5], hlon[5], wlat[5], wlon[5];
    float weight[8];
};

static const struct graph_edge town_edges[] = { { 0, 1 }, { 1, 2 }, { 0, 2 }, { 2, 3 } };

static float pair_weight(uint32_t a, uint32_t b)
{
    uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
    return lo == 0 && hi == 1 ? 0.5f : lo == 0 && hi == 2 ? 1.25f : lo == 1 ? 2.0f : 0.125f;
}

static void town_init(struct town *w, int regions, int labelled)
{
    memset(w, 0, sizeof *w);
    ck_assert_int_eq(graph_from_edges(&w->ct.g, 5, town_edges, 4), 0);
    static const uint8_t fl[5] = { POPULATION_CLIENT, POPULATION_CLIENT | POPULATION_WORKER, POPULATION_CLIENT,
                                   POPULATION_CLIENT | POPULATION_WORKER | POPULATION_VPN, 0 };
    memcpy(w->flags, fl, sizeof fl);
    w->pop = (struct population){ .n = 5, .flags = w->flags, .clients = 4, .workers = 2, .vpns = 1 };
    w->pp = (struct population_params){ .n = 5, .client_share = 0.8, .worker_share = 0.4, .vpn_share = 0.2 };
    for (uint32_t a = 0; a < 5; a++) {
        w->region[a] = a % 2 && a < 4;
        w->hlat[a] = 50.5f + (float)a, w->hlon[a] = -(float)a - 0.25f;
        w->wlat[a] = w->flags[a] & POPULATION_WORKER ? 48.125f : NAN;
        w->wlon[a] = w->flags[a] & POPULATION_WORKER ? 2.5f : NAN;
        w->labels[a] = a < 3 ? 7 : a == 3 ? 9 : UINT32_MAX;    /* person 4 unlabelled */
    }
    if (regions) {
        w->pop.region = w->region;
        w->pop.home_lat = w->hlat, w->pop.home_lon = w->hlon;
        w->pop.work_lat = w->wlat, w->pop.work_lon = w->wlon;
        w->pp.nregions = 2;
    }
    if (labelled)
        w->ct.labels = w->labels;
    for (uint32_t a = 0; a < 5; a++)
        for (uint64_t j = w->ct.g.off[a]; j < w->ct.g.off[a + 1]; j++)
            w->weight[j] = pair_weight(a, w->ct.g.adj[j]);
    w->ct.weight = w->weight;
    w->cp.kind = CONTACTS_ERDOS_RENYI;
}

static void town_done(struct town *w) { graph_destroy(&w->ct.g); }

/* export_describe's text. */
static char *describe(const struct town *w)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    export_describe(f, &w->pop, &w->pp, &w->ct, &w->cp);
    ck_assert_int_eq(fclose(f), 0);
    return buf;
}

static void expect_describe(const struct town *w, const char *want)
{
    char *got = describe(w);
    ck_assert_msg(strcmp(got, want) == 0, "describe:\n%s\nwanted:\n%s", got, want);
    free(got);
}

START_TEST(test_describe_lines)
{
    struct town w;
    town_init(&w, 0, 0);
    static const char *const graph_lines =
        "contacts (erdos_renyi): 4 edges, mean degree 1.600, max 3, 1 without contacts\n"
        "  clustering 0.7778 (transitivity 0.6000), 2 components, largest 4 (80.0%)\n";
    char want[2048];
    snprintf(want, sizeof want, "population: N = 5, 4 clients (80.0%%), 2 workers, 1 on a VPN\n%s", graph_lines);
    expect_describe(&w, want);
    /* no VPN share: no VPN count; regions: how many */
    w.pp.vpn_share = 0;
    w.pop.region = w.region;
    w.pp.nregions = 2;
    snprintf(want, sizeof want,
             "population: N = 5, 4 clients (80.0%%), 2 workers, 2 regions (homes and work places drawn)\n%s",
             graph_lines);
    expect_describe(&w, want);
    w.pp.nregions = 1;
    snprintf(want, sizeof want,
             "population: N = 5, 4 clients (80.0%%), 2 workers, 1 region (homes and work places drawn)\n%s",
             graph_lines);
    expect_describe(&w, want);
    /* what building the graph reported: a multigraph made simple, an odd
     * degree sum fixed (person id + 1 stored) */
    w.pop.region = NULL;
    w.ct.self_loops = 2, w.ct.duplicates = 3, w.ct.odd_fixed = 4;
    w.cp.kind = CONTACTS_CONFIGURATION;
    snprintf(want, sizeof want,
             "population: N = 5, 4 clients (80.0%%), 2 workers\n"
             "contacts (configuration): 4 edges, mean degree 1.600, max 3, 1 without contacts\n"
             "  clustering 0.7778 (transitivity 0.6000), 2 components, largest 4 (80.0%%)\n"
             "  built as a simple graph: 2 self-loops erased, 3 repeated pairs merged\n"
             "  the degree sum was odd: person 3's degree was changed by 1 to make it even\n");
    expect_describe(&w, want);
    /* a graph read from a file (6 rows naming 5 people, weights, labels) */
    w.ct.self_loops = w.ct.duplicates = w.ct.odd_fixed = 0;
    struct graphio_table file;
    graphio_table_init(&file);
    file.nodes.n = 5, file.n = 6, file.has_weight = 1;
    uint32_t label[5] = { 0, 0, 1, 1, 1 };
    file.label = label;
    file.labels.n = 2;
    w.cp.kind = CONTACTS_EDGE_LIST;
    w.cp.file = &file;
    snprintf(want, sizeof want,
             "population: N = 5, 4 clients (80.0%%), 2 workers\n"
             "contacts (edge_list): 4 edges, mean degree 1.600, max 3, 1 without contacts\n"
             "  clustering 0.7778 (transitivity 0.6000), 2 components, largest 4 (80.0%%)\n"
             "  read from a file: 5 people named, 6 rows, with weights, 2 communities labelled\n");
    expect_describe(&w, want);
    file.has_weight = 0, file.label = NULL;
    /* a trace: also what was not replayed */
    w.cp.kind = CONTACTS_TRACE;
    w.cp.trace = (struct contacts_trace){ .n = 7, .start_unix = 1000, .before = 1, .after = 2, .self = 3 };
    snprintf(want, sizeof want,
             "population: N = 5, 4 clients (80.0%%), 2 workers\n"
             "contacts (trace): 4 edges, mean degree 1.600, max 3, 1 without contacts\n"
             "  clustering 0.7778 (transitivity 0.6000), 2 components, largest 4 (80.0%%)\n"
             "  read from a file: 5 people named, 6 rows\n"
             "  trace: 7 messages replayed, second 0 = unix time 1000; not replayed: 1 before it, 2 at or "
             "after the horizon, 3 to the sender itself\n");
    expect_describe(&w, want);
    town_done(&w);
}
END_TEST

/* ---- the files ------------------------------------------------------------ */

/* export_world into a fresh directory, committed; the directory. */
static char *export(const struct town *w, int weighted, int graphml)
{
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    struct results_staged st;
    results_stage_init(&st, dir);
    struct diag d;
    diag_init(&d);
    ck_assert_msg(export_world(&w->pop, &w->ct, weighted, &st, graphml, &d) == 0, "%s", d.n ? d.msg[0] : "?");
    ck_assert_int_eq(results_stage_commit(&st, &d), 0);
    diag_destroy(&d);
    return dir;
}

static int exists(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat sb;
    return stat(path, &sb) == 0;
}

static void read_csv(const char *dir, const char *name, struct tu_csv *csv)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ck_assert_msg(tu_csv_read(path, csv) == 0, "cannot read %s", path);
}

/* Header row r of csv is exactly the names given. */
static void expect_header(const struct tu_csv *csv, const char *const *names, size_t n)
{
    ck_assert_uint_eq(csv->nfields[0], n);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(csv->rows[0][i], names[i]);
}

/* A float column written with %.7g: the value, or empty for NaN. */
static void expect_float(const char *field, float want)
{
    if (isnan(want))
        ck_assert_str_eq(field, "");
    else
        ck_assert_double_eq(strtod(field, NULL), (double)want);
}

/* population.csv: one row per person, id and degree, the flags, then the
 * community when the graph has labels (empty when a person has none), then
 * region and points when the population has regions; edges.csv: one row
 * per pair, source < target, a weight only when weighted. */
static void check_csv(const struct town *w, const char *dir, int weighted)
{
    int labelled = w->ct.labels != NULL, regions = w->pop.region != NULL;
    struct tu_csv pop;
    read_csv(dir, "population.csv", &pop);
    const char *names[12] = { "id", "degree", "client", "worker", "vpn" };
    size_t nc = 5;
    if (labelled)
        names[nc++] = "community";
    if (regions) {
        names[nc++] = "region";
        names[nc++] = "home_lat", names[nc++] = "home_lon", names[nc++] = "work_lat", names[nc++] = "work_lon";
    }
    expect_header(&pop, names, nc);
    ck_assert_uint_eq(pop.nrows, 1 + 5);
    static const unsigned degree[5] = { 2, 2, 3, 1, 0 };
    for (uint32_t a = 0; a < 5; a++) {
        char **row = pop.rows[a + 1];
        ck_assert_uint_eq(pop.nfields[a + 1], nc);
        ck_assert_uint_eq(strtoul(row[0], NULL, 10), a);
        ck_assert_uint_eq(strtoul(row[1], NULL, 10), degree[a]);
        ck_assert_str_eq(row[2], w->flags[a] & POPULATION_CLIENT ? "1" : "0");
        ck_assert_str_eq(row[3], w->flags[a] & POPULATION_WORKER ? "1" : "0");
        ck_assert_str_eq(row[4], w->flags[a] & POPULATION_VPN ? "1" : "0");
        size_t c = 5;
        if (labelled) {
            if (w->labels[a] == UINT32_MAX)
                ck_assert_str_eq(row[c], "");
            else
                ck_assert_uint_eq(strtoul(row[c], NULL, 10), w->labels[a]);
            c++;
        }
        if (regions) {
            ck_assert_uint_eq(strtoul(row[c++], NULL, 10), w->region[a]);
            expect_float(row[c++], w->hlat[a]);
            expect_float(row[c++], w->hlon[a]);
            expect_float(row[c++], w->wlat[a]);
            expect_float(row[c++], w->wlon[a]);
        }
    }
    tu_csv_free(&pop);
    struct tu_csv e;
    read_csv(dir, "edges.csv", &e);
    static const char *const enames[] = { "source", "target", "weight" };
    expect_header(&e, enames, weighted ? 3 : 2);
    static const uint32_t want[4][2] = { { 0, 1 }, { 0, 2 }, { 1, 2 }, { 2, 3 } };
    ck_assert_uint_eq(e.nrows, 1 + 4);
    for (size_t i = 0; i < 4; i++) {
        char **row = e.rows[i + 1];
        ck_assert_uint_eq(strtoul(row[0], NULL, 10), want[i][0]);
        ck_assert_uint_eq(strtoul(row[1], NULL, 10), want[i][1]);
        if (weighted)
            ck_assert_double_eq(strtod(row[2], NULL), pair_weight(want[i][0], want[i][1]));
    }
    tu_csv_free(&e);
}

static const char *prop(xmlNode *n, const char *name, char *buf, size_t len)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    snprintf(buf, len, "%s", v ? (const char *)v : "");
    xmlFree(v);
    return buf;
}

/* graph.graphml parsed back (no network, no entities, no DOCTYPE): a key
 * per column of population.csv past id and degree (and `weight` for the
 * edges only when weighted), one <node> per person with a <data> per
 * column it has a value in, one <edge> per pair. */
static void check_graphml(const struct town *w, const char *dir, int weighted)
{
    char path[4200], b1[64], b2[64];
    snprintf(path, sizeof path, "%s/graph.graphml", dir);
    xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    ck_assert_ptr_nonnull(doc);
    ck_assert_ptr_null(xmlGetIntSubset(doc));
    xmlNode *root = xmlDocGetRootElement(doc);
    ck_assert_str_eq((const char *)root->name, "graphml");
    char key_name[16][32];                      /* key id -> attr.name, by order of appearance */
    char key_id[16][16];
    size_t nkeys = 0;
    int weight_key = 0;
    xmlNode *graph = NULL;
    for (xmlNode *n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)n->name, "key") == 0) {
            ck_assert_uint_lt(nkeys, 16);
            prop(n, "id", key_id[nkeys], sizeof key_id[nkeys]);
            prop(n, "attr.name", key_name[nkeys], sizeof key_name[nkeys]);
            if (strcmp(prop(n, "for", b1, sizeof b1), "edge") == 0) {
                ck_assert_str_eq(key_name[nkeys], "weight");
                weight_key = 1;
            }
            nkeys++;
        } else if (strcmp((const char *)n->name, "graph") == 0) {
            graph = n;
        }
    }
    ck_assert_int_eq(weight_key, weighted);
    ck_assert_ptr_nonnull(graph);
    ck_assert_str_eq(prop(graph, "edgedefault", b1, sizeof b1), "undirected");
    int labelled = w->ct.labels != NULL, regions = w->pop.region != NULL;
    ck_assert_uint_eq(nkeys, 3 + (size_t)labelled + (regions ? 5 : 0) + (size_t)weighted);
    uint32_t nodes = 0, edges = 0;
    static const uint32_t want[4][2] = { { 0, 1 }, { 0, 2 }, { 1, 2 }, { 2, 3 } };
    for (xmlNode *n = graph->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)n->name, "node") == 0) {
            uint32_t a = (uint32_t)strtoul(prop(n, "id", b1, sizeof b1), NULL, 10);
            ck_assert_uint_eq(a, nodes);
            nodes++;
            unsigned got = 0;
            for (xmlNode *dn = n->children; dn; dn = dn->next) {
                if (dn->type != XML_ELEMENT_NODE)
                    continue;
                prop(dn, "key", b2, sizeof b2);
                const char *name = NULL;
                for (size_t k = 0; k < nkeys; k++)
                    if (strcmp(key_id[k], b2) == 0)
                        name = key_name[k];
                ck_assert_ptr_nonnull(name);
                xmlChar *text = xmlNodeGetContent(dn);
                double v = strtod((const char *)text, NULL);
                xmlFree(text);
                double expect = strcmp(name, "client") == 0 ? (w->flags[a] & POPULATION_CLIENT) != 0
                                : strcmp(name, "worker") == 0 ? (w->flags[a] & POPULATION_WORKER) != 0
                                : strcmp(name, "vpn") == 0 ? (w->flags[a] & POPULATION_VPN) != 0
                                : strcmp(name, "community") == 0 ? w->labels[a]
                                : strcmp(name, "region") == 0 ? w->region[a]
                                : strcmp(name, "home_lat") == 0 ? w->hlat[a]
                                : strcmp(name, "home_lon") == 0 ? w->hlon[a]
                                : strcmp(name, "work_lat") == 0 ? w->wlat[a]
                                : strcmp(name, "work_lon") == 0 ? w->wlon[a] : NAN;
                ck_assert_msg(v == expect, "node %u, %s: %g, want %g", a, name, v, expect);
                got++;
            }
            unsigned missing = (labelled && w->labels[a] == UINT32_MAX)
                               + (regions && isnan(w->wlat[a]) ? 2 : 0);
            ck_assert_uint_eq(got, nkeys - (size_t)weighted - missing);
        } else if (strcmp((const char *)n->name, "edge") == 0) {
            ck_assert_uint_lt(edges, 4);
            ck_assert_uint_eq(strtoul(prop(n, "source", b1, sizeof b1), NULL, 10), want[edges][0]);
            ck_assert_uint_eq(strtoul(prop(n, "target", b1, sizeof b1), NULL, 10), want[edges][1]);
            unsigned data = 0;
            for (xmlNode *dn = n->children; dn; dn = dn->next)
                if (dn->type == XML_ELEMENT_NODE) {
                    xmlChar *text = xmlNodeGetContent(dn);
                    ck_assert_double_eq(strtod((const char *)text, NULL),
                                        pair_weight(want[edges][0], want[edges][1]));
                    xmlFree(text);
                    data++;
                }
            ck_assert_uint_eq(data, (unsigned)weighted);
            edges++;
        }
    }
    ck_assert_uint_eq(nodes, 5);
    ck_assert_uint_eq(edges, 4);
    xmlFreeDoc(doc);
}

/* Every combination of regions, labels, weights: the CSV files always,
 * graph.graphml only when asked for, with the same columns. */
START_TEST(test_world_files)
{
    for (int c = 0; c < 8; c++) {
        int regions = c & 1, labelled = c >> 1 & 1, weighted = c >> 2 & 1;
        struct town w;
        town_init(&w, regions, labelled);
        char *dir = export(&w, weighted, 0);
        ck_assert(exists(dir, "population.csv") && exists(dir, "edges.csv"));
        ck_assert(!exists(dir, "graph.graphml"));
        check_csv(&w, dir, weighted);
        tu_rmtree(dir);
        free(dir);
        dir = export(&w, weighted, 1);
        check_csv(&w, dir, weighted);
        check_graphml(&w, dir, weighted);
        tu_rmtree(dir);
        free(dir);
        town_done(&w);
    }
}
END_TEST

Suite *export_suite(void)
{
    Suite *s = suite_create("export");
    TCase *tc = tcase_create("world");
    tcase_add_test(tc, test_describe_lines);
    tcase_add_test(tc, test_world_files);
    suite_add_tcase(s, tc);
    return s;
}
