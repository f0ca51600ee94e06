/* check_docs — the documentation cannot drift from the program: the tree of
 * elements and attributes in docs/scenarios.md ("Structure") names exactly
 * the elements and attributes of the scenario schema compiled into the
 * program (scenarios/scenario.xsd, attribute groups resolved), and the
 * exposim-scenario(5) man page made from the schema names them all too.
 * (check_catalog in tests/models/ does the same for the metrics and
 * docs/metrics.md.) */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "cfg.h"
#include "suites.h"
#include "testutil.h"

/* A set of "element@attribute" (or "element") strings. */
struct names {
    char **s;
    size_t n;
};

static void add(struct names *ns, const char *elem, const char *attr)
{
    char *v;
    ck_assert_int_ge(asprintf(&v, "%s%s%s", elem, attr ? "@" : "", attr ? attr : ""), 0);
    for (size_t i = 0; i < ns->n; i++)
        if (strcmp(ns->s[i], v) == 0) {
            free(v);
            return;
        }
    ns->s = realloc(ns->s, (ns->n + 1) * sizeof *ns->s);
    ck_assert_ptr_nonnull(ns->s);
    ns->s[ns->n++] = v;
}

static int has(const struct names *ns, const char *v)
{
    for (size_t i = 0; i < ns->n; i++)
        if (strcmp(ns->s[i], v) == 0)
            return 1;
    return 0;
}

static void names_free(struct names *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->s[i]);
    free(ns->s);
}

static int is_xs(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr group_named(xmlNodePtr root, const char *name)
{
    for (xmlNodePtr c = root->children; c; c = c->next)
        if (is_xs(c, "attributeGroup")) {
            xmlChar *nm = xmlGetProp(c, BAD_CAST "name");
            int same = nm && strcmp((const char *)nm, name) == 0;
            xmlFree(nm);
            if (same)
                return c;
        }
    return NULL;
}

/* The attributes under n belonging to element `elem` (not descending into
 * nested element declarations), attribute groups resolved. */
static void collect_attrs(xmlNodePtr root, xmlNodePtr n, const char *elem, struct names *ns)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_xs(c, "element"))
            continue;
        if (is_xs(c, "attribute")) {
            xmlChar *nm = xmlGetProp(c, BAD_CAST "name");
            if (nm)
                add(ns, elem, (const char *)nm);
            xmlFree(nm);
            continue;
        }
        if (is_xs(c, "attributeGroup")) {
            xmlChar *ref = xmlGetProp(c, BAD_CAST "ref");
            xmlNodePtr g = ref ? group_named(root, (const char *)ref) : NULL;
            xmlFree(ref);
            if (g)
                collect_attrs(root, g, elem, ns);
            continue;
        }
        collect_attrs(root, c, elem, ns);
    }
}

/* Every named element declaration of the schema and its attributes. */
static void walk_schema(xmlNodePtr root, xmlNodePtr n, struct names *ns)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_xs(c, "attributeGroup"))
            continue;
        if (is_xs(c, "element")) {
            xmlChar *nm = xmlGetProp(c, BAD_CAST "name");
            if (nm) {
                add(ns, (const char *)nm, NULL);
                collect_attrs(root, c, (const char *)nm, ns);
            }
            xmlFree(nm);
        }
        walk_schema(root, c, ns);
    }
}

static void schema_names(struct names *ns)
{
    size_t len;
    const char *text = cfg_schema_text(&len);
    xmlDocPtr doc = xmlReadMemory(text, (int)len, "scenario.xsd", NULL, XML_PARSE_NONET);
    ck_assert_ptr_nonnull(doc);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    walk_schema(root, root, ns);
    xmlFreeDoc(doc);
}

/* The tree in docs/scenarios.md's "## Structure" code block: per line,
 * element names (any word the schema declares as an element) and the
 * @attributes after them; a line that starts with an attribute continues
 * the element of the line before.  Text in parentheses is a remark. */
static void doc_names(const struct names *schema, struct names *ns)
{
    char *path = tu_top("docs/scenarios.md");
    size_t len;
    char *s = tu_slurp(path, &len);
    ck_assert_msg(s != NULL, "cannot read %s", path);
    free(path);
    char *sec = strstr(s, "\n## Structure\n");
    ck_assert_ptr_nonnull(sec);
    char *block = strstr(sec, "\n```\n");
    ck_assert_ptr_nonnull(block);
    block += 5;
    char *end = strstr(block, "\n```");
    ck_assert_ptr_nonnull(end);
    *end = '\0';
    char elem[64] = "";
    for (char *line = strtok(block, "\n"); line; line = strtok(NULL, "\n")) {
        int depth = 0;
        for (char *c = line; *c; c++) {           /* remarks in parentheses out */
            if (*c == '(')
                depth++;
            if (depth)
                *c = ' ';
            if (*c == ')' && depth)
                depth--;
            if (*c == ',' || *c == ':')
                *c = ' ';
        }
        for (char *tok = line; *tok;) {
            while (*tok && !((*tok >= 'a' && *tok <= 'z') || *tok == '@' || *tok == '_'))
                tok++;
            size_t n = 0;
            while ((tok[n] >= 'a' && tok[n] <= 'z') || (tok[n] >= '0' && tok[n] <= '9') || tok[n] == '@'
                   || tok[n] == '_')
                n++;
            if (!n)
                break;
            char word[64];
            snprintf(word, sizeof word, "%.*s", (int)n, tok);
            tok += n;
            if (word[0] == '@') {
                ck_assert_msg(elem[0], "docs/scenarios.md: %s before any element", word);
                add(ns, elem, word + 1);
            } else if (has(schema, word)) {
                snprintf(elem, sizeof elem, "%s", word);
                add(ns, elem, NULL);
            }
        }
    }
    free(s);
}

static void assert_same_sets(const struct names *a, const char *an, const struct names *b, const char *bn)
{
    char msg[4096] = "";
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++)
        if (!has(b, a->s[i]))
            k += (size_t)snprintf(msg + k, k < sizeof msg ? sizeof msg - k : 0, " %s", a->s[i]);
    ck_assert_msg(k == 0, "in %s but not in %s:%s", an, bn, msg);
}

START_TEST(test_docs_scenario_tree)
{
    struct names schema = { 0 }, doc = { 0 };
    schema_names(&schema);
    ck_assert(has(&schema, "traffic@rate_per_day"));      /* the walk works */
    ck_assert(has(&schema, "trace@file"));                /* attribute groups resolved */
    ck_assert(has(&schema, "description"));
    doc_names(&schema, &doc);
    assert_same_sets(&schema, "scenario.xsd", &doc, "docs/scenarios.md's Structure tree");
    assert_same_sets(&doc, "docs/scenarios.md's Structure tree", &schema, "scenario.xsd");
    names_free(&schema);
    names_free(&doc);
}
END_TEST

/* The man page made from the schema (make man; $EXPOSIM_MAN) names every
 * element and attribute, each as ELEMENT@ATTRIBUTE in a .TP line. */
START_TEST(test_docs_man_page)
{
    const char *path = getenv("EXPOSIM_MAN");    /* make check builds it and names it */
    ck_assert_msg(path != NULL, "EXPOSIM_MAN (the path of exposim-scenario.5) is not set");
    size_t len;
    char *s = tu_slurp(path, &len);
    ck_assert_msg(s != NULL, "cannot read %s", path);
    struct names schema = { 0 };
    schema_names(&schema);
    for (size_t i = 0; i < schema.n; i++) {
        char *want;
        const char *at = strchr(schema.s[i], '@');
        if (at)
            ck_assert_int_ge(asprintf(&want, "\\fB%.*s\\fR@\\fB%s\\fR", (int)(at - schema.s[i]), schema.s[i], at + 1), 0);
        else
            ck_assert_int_ge(asprintf(&want, "<%s>", schema.s[i]), 0);
        ck_assert_msg(strstr(s, want), "exposim-scenario.5 lacks %s", want);
        free(want);
    }
    names_free(&schema);
    free(s);
}
END_TEST

Suite *docs_suite(void)
{
    Suite *s = suite_create("docs");
    TCase *tc = tcase_create("docs");
    tcase_add_test(tc, test_docs_scenario_tree);
    tcase_add_test(tc, test_docs_man_page);
    suite_add_tcase(s, tc);
    return s;
}
