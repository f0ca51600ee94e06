/* xsdman — a build tool: the scenario schema (scenarios/scenario.xsd) as
 * the man page exposim-scenario(5), or as the list of `--set` paths the
 * bash completion offers.
 *
 *   xsdman man SCHEMA VERSION   the man page (roff) on stdout
 *   xsdman paths SCHEMA         one PATH@ATTRIBUTE per line, as --set names
 *                               them ("@name", "run@seed",
 *                               "contacts/erdos_renyi@mean_degree", ...)
 *
 * Elements are walked from the root element <scenario> in document order,
 * references (ref=) resolved to the schema's top-level declarations and
 * attribute groups to their attributes; each element's and attribute's
 * xs:documentation becomes its text.  Exit status 0, or 2 with a message
 * (the schema does not parse, no <scenario>). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

static int is_xs(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static char *prop(const xmlNode *n, const char *name)
{
    return (char *)xmlGetProp((xmlNodePtr)n, BAD_CAST name);
}

/* The top-level declaration <xs:KIND name="name">. */
static xmlNodePtr top(xmlNodePtr root, const char *kind, const char *name)
{
    for (xmlNodePtr c = root->children; c; c = c->next)
        if (is_xs(c, kind)) {
            char *nm = prop(c, "name");
            int same = nm && strcmp(nm, name) == 0;
            xmlFree(nm);
            if (same)
                return c;
        }
    return NULL;
}

/* Text for roff: a line starting with '.' or '\'' escaped, backslashes
 * doubled, white space collapsed. */
static void roff_text(const char *s)
{
    int space = 0, bol = 1;
    for (; *s; s++) {
        if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') {
            space = !bol;
            continue;
        }
        if (space)
            putchar(' ');
        space = 0;
        if (bol && (*s == '.' || *s == '\''))
            fputs("\\&", stdout);
        bol = 0;
        if (*s == '\\')
            fputs("\\e", stdout);
        else if (*s == '-')
            fputs("\\-", stdout);
        else
            putchar(*s);
    }
    putchar('\n');
}

static void documentation(const xmlNode *n)
{
    for (xmlNodePtr a = n->children; a; a = a->next)
        if (is_xs(a, "annotation"))
            for (xmlNodePtr d = a->children; d; d = d->next)
                if (is_xs(d, "documentation")) {
                    xmlChar *t = xmlNodeGetContent(d);
                    if (t)
                        roff_text((const char *)t);
                    xmlFree(t);
                }
}

/* "type; default D" or "type; required" of an attribute. */
static void attr_type(const xmlNode *a)
{
    char *type = prop(a, "type"), *dflt = prop(a, "default"), *use = prop(a, "use");
    fputs("(", stdout);
    if (type)
        fputs(strncmp(type, "xs:", 3) == 0 ? type + 3 : type, stdout);
    for (xmlNodePtr st = a->children; !type && st; st = st->next)
        if (is_xs(st, "simpleType"))
            for (xmlNodePtr r = st->children; r; r = r->next)
                if (is_xs(r, "restriction")) {
                    char *base = prop(r, "base");
                    int n = 0;
                    for (xmlNodePtr e = r->children; e; e = e->next)
                        if (is_xs(e, "enumeration")) {
                            char *v = prop(e, "value");
                            printf("%s%s", n++ ? "|" : "", v);
                            xmlFree(v);
                        }
                    if (!n && base)
                        fputs(strncmp(base, "xs:", 3) == 0 ? base + 3 : base, stdout);
                    for (xmlNodePtr e = r->children; e; e = e->next)
                        if (is_xs(e, "minInclusive") || is_xs(e, "maxInclusive") || is_xs(e, "minExclusive")
                            || is_xs(e, "maxExclusive") || is_xs(e, "maxLength")) {
                            char *v = prop(e, "value");
                            printf(", %s %s", (const char *)e->name, v);
                            xmlFree(v);
                        }
                    xmlFree(base);
                }
    if (use && strcmp(use, "required") == 0)
        fputs("; required", stdout);
    else if (dflt)
        printf("; default %s", dflt);
    fputs(")\n", stdout);
    xmlFree(type);
    xmlFree(dflt);
    xmlFree(use);
}

struct walk {
    xmlNodePtr root;
    int man;
};

/* The attributes of element `elem` declared under n (not inside a nested
 * element declaration), attribute groups resolved. */
static void attrs(struct walk *w, xmlNodePtr n, const char *elem, const char *path)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_xs(c, "element") || is_xs(c, "annotation"))
            continue;
        if (is_xs(c, "attribute")) {
            char *nm = prop(c, "name");
            if (!nm)
                continue;
            if (w->man) {
                printf(".TP\n\\fB%s\\fR@\\fB%s\\fR ", elem, nm);
                attr_type(c);
                documentation(c);
            } else {
                printf("%s@%s\n", path, nm);
            }
            xmlFree(nm);
        } else if (is_xs(c, "attributeGroup")) {
            char *ref = prop(c, "ref");
            xmlNodePtr g = ref ? top(w->root, "attributeGroup", ref) : NULL;
            xmlFree(ref);
            if (g)
                attrs(w, g, elem, path);
        } else {
            attrs(w, c, elem, path);
        }
    }
}

/* Whether element declaration n has attributes of its own. */
static int has_attrs(struct walk *w, xmlNodePtr n)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_xs(c, "element") || is_xs(c, "annotation"))
            continue;
        if (is_xs(c, "attribute") || is_xs(c, "attributeGroup") || has_attrs(w, c))
            return 1;
    }
    return 0;
}

static void element(struct walk *w, xmlNodePtr decl, const char *parent, int depth);

/* The element declarations under n (references resolved), each walked. */
static void children(struct walk *w, xmlNodePtr n, const char *path, int depth)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_xs(c, "annotation") || is_xs(c, "attribute")
            || is_xs(c, "attributeGroup"))
            continue;
        if (is_xs(c, "element")) {
            char *ref = prop(c, "ref");
            xmlNodePtr decl = ref ? top(w->root, "element", ref) : c;
            xmlFree(ref);
            if (decl)
                element(w, decl, path, depth + 1);
        } else {
            children(w, c, path, depth);
        }
    }
}

static void element(struct walk *w, xmlNodePtr decl, const char *parent, int depth)
{
    char *name = prop(decl, "name");
    if (!name || depth > 20) {
        xmlFree(name);
        return;
    }
    char path[1024];
    if (depth == 0)
        path[0] = '\0';
    else
        snprintf(path, sizeof path, "%s%s%s", parent, *parent ? "/" : "", name);
    if (w->man) {
        printf(".SS <%s>\n", name);
        if (depth && has_attrs(w, decl))
            printf("\\-\\-set path: \\fB%s\\fR@ATTRIBUTE\n.PP\n", path);
        documentation(decl);
    }
    attrs(w, decl, name, path);
    children(w, decl, path, depth);
    xmlFree(name);
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "man") != 0 && strcmp(argv[1], "paths") != 0)) {
        fprintf(stderr, "usage: xsdman man SCHEMA VERSION | xsdman paths SCHEMA\n");
        return 2;
    }
    xmlDocPtr doc = xmlReadFile(argv[2], NULL, XML_PARSE_NONET);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlNodePtr scen = root ? top(root, "element", "scenario") : NULL;
    if (!scen) {
        fprintf(stderr, "xsdman: %s: no schema with an element <scenario>\n", argv[2]);
        xmlFreeDoc(doc);
        return 2;
    }
    struct walk w = { root, strcmp(argv[1], "man") == 0 };
    if (w.man) {
        printf(".\\\" exposim-scenario(5), made by man/xsdman.c from scenarios/scenario.xsd: edit the schema.\n"
               ".TH EXPOSIM-SCENARIO 5 \"\" \"exposim %s\" \"File formats\"\n"
               ".SH NAME\nexposim-scenario \\- the scenario file of exposim\n"
               ".SH SYNOPSIS\n.nf\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<scenario name=\"NAME\">\n"
               "  <description>...</description>\n  <run .../> <population .../> <contacts>...</contacts>\n"
               "  <traffic .../> [<mobility>...</mobility>] <policy>...</policy>\n"
               "  <adversary>...</adversary> [<inference>...</inference>]\n</scenario>\n.fi\n"
               ".SH DESCRIPTION\nA scenario says who the people are, whom they talk to, how often their phones look "
               "each other up, what the server logs and keeps, and how the adversary obtains the logs. "
               "\\fBexposim\\fR(1) validates every scenario against this schema (a copy is compiled into the "
               "program; the installed copy is share/exposim/scenarios/scenario.xsd) and reports errors as "
               "FILE:LINE: message. No DOCTYPE is allowed; elements use no namespace; comments are allowed "
               "anywhere. Every attribute can be overridden from the command line with \\-\\-set PATH=VALUE, "
               "PATH as given under each element below (\\fBelement[k]\\fR picks the k\\-th sibling of that "
               "name).\n.SH ELEMENTS AND ATTRIBUTES\n", argc > 3 ? argv[3] : "");
    }
    element(&w, scen, "", 0);
    if (w.man)
        printf(".SH FILES\nshare/exposim/scenarios/*.xml, the scenario library; share/doc/exposim/scenarios.md, "
               "the reader's guide to this format.\n.SH SEE ALSO\n\\fBexposim\\fR(1)\n");
    xmlFreeDoc(doc);
    return 0;
}
