/* cfg — secure XML loading, --set overrides and XSD validation; see cfg.h. */
#include "cfg.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "infile.h"
#include "text.h"

extern const char scenario_xsd[];     /* sim/schema.S */
extern const char scenario_xsd_end[];

#define MAX_SETS 256

struct override {
    xmlNodePtr node;
    char *attr;
    const char *text;                 /* the --set argument as given */
};

struct cfg_validator {
    const struct cfg_schema *schema;
    xmlSchemaPtr xs;                  /* compiled once, used by every load */
};

struct cfg {
    const struct cfg_schema *schema;  /* NULL: parsed only, not validated */
    const struct cfg_validator *validator;   /* NULL: compile the schema here */
    char *path;
    xmlDocPtr doc;
    struct diag *d;
    struct override ov[MAX_SETS];
    size_t nov;
};

const struct cfg_schema cfg_scenario_schema = { "scenario.xsd", scenario_xsd, scenario_xsd_end };

const char *cfg_schema_text(size_t *len)
{
    *len = (size_t)(scenario_xsd_end - scenario_xsd);
    return scenario_xsd;
}

/* ---- error plumbing ----------------------------------------------------- */

struct errctx {
    struct cfg *c;
    const char *fallback_file;
    int doctype_line;                 /* > 0 once a DOCTYPE was seen */
};

static const struct override *override_for(const struct cfg *c, const void *node, const char *msg)
{
    for (size_t i = 0; c && i < c->nov; i++) {
        if ((const void *)c->ov[i].node != node)
            continue;
        char quoted[300];
        snprintf(quoted, sizeof quoted, "'%s'", c->ov[i].attr);
        if (!msg || strstr(msg, quoted))
            return &c->ov[i];
    }
    return NULL;
}

/* ---- what a schema allows, for messages -------------------------------- */

static int is_xs(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* The first element called `name` with attribute name=`value` under n (n
 * itself included), not looking inside nested xs:element declarations
 * unless `deep`. */
static xmlNodePtr xs_find(xmlNodePtr n, const char *name, const char *value, int deep)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is_xs(n, name)) {
            xmlChar *v = xmlGetProp(n, BAD_CAST "name");
            int hit = v && strcmp((const char *)v, value) == 0;
            xmlFree(v);
            if (hit)
                return n;
        }
        if (!deep && is_xs(n, "element"))
            continue;
        xmlNodePtr in = xs_find(n->children, name, value, deep);
        if (in)
            return in;
    }
    return NULL;
}

/* Append printf-style text to buf[len] at *at. */
static void put(char *buf, size_t len, size_t *at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
    if (*at + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *at, len - *at, fmt, ap);
    va_end(ap);
    if (w > 0)
        *at = *at + (size_t)w < len ? *at + (size_t)w : len - 1;
}

static const char *builtin_words(const char *t)
{
    static const char *const names[][2] = {
        { "xs:int", "a whole number" }, { "xs:long", "a whole number" }, { "xs:integer", "a whole number" },
        { "xs:unsignedInt", "a whole number from 0 to 4294967295" },
        { "xs:positiveInteger", "a whole number of 1 or more" },
        { "xs:nonNegativeInteger", "a whole number of 0 or more" },
        { "xs:double", "a number" }, { "xs:decimal", "a number" }, { "xs:boolean", "true or false" },
        { "xs:string", "text" }, { "xs:token", "text" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(t, names[i][0]) == 0)
            return names[i][1];
    return NULL;
}

static void describe_simple(xmlNodePtr schema, xmlNodePtr st, const char *type, char *buf, size_t len,
                            size_t *at, int depth);

/* The words for a type named `type` (built in, or a simpleType of the
 * schema). */
static void describe_named(xmlNodePtr schema, const char *type, char *buf, size_t len, size_t *at, int depth)
{
    const char *w = builtin_words(type);
    if (w) {
        put(buf, len, at, "%s", w);
        return;
    }
    xmlNodePtr st = depth < 4 ? xs_find(schema->children, "simpleType", type, 0) : NULL;
    if (st)
        describe_simple(schema, st, type, buf, len, at, depth + 1);
}

/* The words for an xs:simpleType: its base, then its facets. */
static void describe_simple(xmlNodePtr schema, xmlNodePtr st, const char *type, char *buf, size_t len,
                            size_t *at, int depth)
{
    (void)type;
    for (xmlNodePtr r = st->children; r; r = r->next) {
        if (is_xs(r, "list")) {
            xmlChar *it = xmlGetProp(r, BAD_CAST "itemType");
            put(buf, len, at, "a list, separated by spaces, of ");
            if (it)
                describe_named(schema, (const char *)it, buf, len, at, depth);
            xmlFree(it);
            return;
        }
        if (!is_xs(r, "restriction"))
            continue;
        xmlChar *base = xmlGetProp(r, BAD_CAST "base");
        size_t start = *at, nenum = 0;
        char lo[64] = "", hi[64] = "";
        int lo_ex = 0, hi_ex = 0;
        for (xmlNodePtr f = r->children; f; f = f->next) {
            if (f->type != XML_ELEMENT_NODE)
                continue;
            xmlChar *v = xmlGetProp(f, BAD_CAST "value");
            const char *fn = (const char *)f->name, *vs = v ? (const char *)v : "";
            if (strcmp(fn, "enumeration") == 0)
                put(buf, len, at, "%s%s", nenum++ ? ", " : "one of ", vs);
            else if (strcmp(fn, "minInclusive") == 0 || strcmp(fn, "minExclusive") == 0)
                snprintf(lo, sizeof lo, "%s", vs), lo_ex = fn[3] == 'E';
            else if (strcmp(fn, "maxInclusive") == 0 || strcmp(fn, "maxExclusive") == 0)
                snprintf(hi, sizeof hi, "%s", vs), hi_ex = fn[3] == 'E';
            else if (strcmp(fn, "pattern") == 0)
                put(buf, len, at, "text matching the pattern %s", vs);
            else if (strcmp(fn, "minLength") == 0)
                put(buf, len, at, "%stext of at least %s characters", *at > start ? ", " : "", vs);
            else if (strcmp(fn, "maxLength") == 0)
                put(buf, len, at, "%sat most %s characters", *at > start ? ", " : "text of ", vs);
            xmlFree(v);
        }
        if (*at == start) {                   /* numeric: the base, then its bounds */
            if (base)
                describe_named(schema, (const char *)base, buf, len, at, depth);
            if (lo[0] && hi[0] && !lo_ex && !hi_ex)
                put(buf, len, at, " from %s to %s", lo, hi);
            else {
                if (lo[0])
                    put(buf, len, at, " %s %s", lo_ex ? "above" : "of at least", lo);
                if (hi[0])
                    put(buf, len, at, "%s %s %s", lo[0] ? " and" : "", hi_ex ? "below" : "of at most", hi);
            }
        }
        xmlFree(base);
        return;
    }
}

/* What the schema allows in attribute `attr` of element `elem`, in words
 * ("a whole number from 1 to 100000000"), into buf; "" when it cannot
 * tell.  Reads the schema's text again: called only for a message. */
static void describe_attribute(const struct cfg_schema *sch, const char *elem, const char *attr, char *buf,
                               size_t len)
{
    buf[0] = '\0';
    if (!sch)
        return;
    xmlDocPtr doc = xmlReadMemory(sch->text, (int)(sch->end - sch->text), sch->name, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlNodePtr schema = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlNodePtr el = schema ? xs_find(schema->children, "element", elem, 1) : NULL;
    xmlNodePtr at = el ? xs_find(el->children, "attribute", attr, 0) : NULL;
    for (xmlNodePtr g = el ? el->children : NULL; !at && g;) {   /* attribute groups */
        if (is_xs(g, "attributeGroup")) {
            xmlChar *ref = xmlGetProp(g, BAD_CAST "ref");
            xmlNodePtr grp = ref ? xs_find(schema->children, "attributeGroup", (const char *)ref, 0) : NULL;
            xmlFree(ref);
            if (grp)
                at = xs_find(grp->children, "attribute", attr, 0);
        }
        /* walk el's subtree in document order, not into nested elements */
        if (g->children && !is_xs(g, "element"))
            g = g->children;
        else {
            while (g && !g->next && g->parent != el)
                g = g->parent;
            g = g ? g->next : NULL;
        }
    }
    size_t n = 0;
    if (at) {
        xmlChar *type = xmlGetProp(at, BAD_CAST "type");
        if (type)
            describe_named(schema, (const char *)type, buf, len, &n, 0);
        else
            for (xmlNodePtr st = at->children; st; st = st->next)
                if (is_xs(st, "simpleType"))
                    describe_simple(schema, st, NULL, buf, len, &n, 0);
        xmlFree(type);
    }
    xmlFreeDoc(doc);
}

/* libxml2 says "'V' is not a valid value of the local atomic type." and
 * stops there: name what is allowed.  Rewrites msg (of size len) in
 * place when it is such a message. */
static void explain_value_error(const struct cfg_schema *sch, const xmlError *e, char *msg, size_t len)
{
    const char *tail = strstr(msg, " is not a valid value of the ");
    const char *ap = strstr(msg, "attribute '");
    if (!sch || !tail || !ap || !e->node || ((const xmlNode *)e->node)->type != XML_ELEMENT_NODE)
        return;
    char attr[128];
    const char *q = strchr(ap + 11, '\'');
    if (!q || (size_t)(q - ap - 11) >= sizeof attr)
        return;
    memcpy(attr, ap + 11, (size_t)(q - ap - 11));
    attr[q - ap - 11] = '\0';
    char allowed[400];
    describe_attribute(sch, (const char *)((const xmlNode *)e->node)->name, attr, allowed, sizeof allowed);
    if (!allowed[0])
        return;
    size_t keep = strlen(msg);
    while (keep && (msg[keep - 1] == '.' || msg[keep - 1] == ' '))
        keep--;
    if (strstr(msg, "local atomic type"))         /* nothing to learn from "local" */
        keep = (size_t)(tail - msg) + strlen(" is not a valid value");
    snprintf(msg + keep, len - keep, ": expected %s", allowed);
}

static void structured_error(void *ctx, xmlErrorPtr e)
{
    struct errctx *ec = ctx;
    if (!e || e->level == XML_ERR_WARNING)
        return;
    const char *file = e->file ? e->file : ec->fallback_file;
    long line = e->line;
    if (line <= 0 && e->node)
        line = xmlGetLineNo((xmlNodePtr)e->node);
    const struct override *ov = e->node ? override_for(ec->c, e->node, e->message) : NULL;
    char msg[1200];
    snprintf(msg, sizeof msg, "%s", e->message ? e->message : "unknown XML error");
    size_t len = strlen(msg);
    while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        msg[--len] = '\0';
    explain_value_error(ec->c ? ec->c->schema : NULL, e, msg, sizeof msg);
    if (ov)
        diag_add(ec->c->d, file, line, "%s (value given by --set %s)", msg, ov->text);
    else
        diag_add(ec->c->d, file, line, "%s", msg);
}

/* SAX hook: a DOCTYPE may declare entities or pull in external files, so a
 * document that has one is refused before anything in it is used. */
static void refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
    (void)name, (void)ext, (void)sys;
    xmlParserCtxtPtr p = ctx;
    struct errctx *ec = p->_private;
    ec->doctype_line = p->input ? p->input->line : 1;
    if (ec->doctype_line <= 0)
        ec->doctype_line = 1;
    xmlStopParser(p);
}

int cfg_error(struct cfg *c, const struct cfg_node *n, const char *attr, const char *fmt, ...)
{
    char body[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    const xmlNode *x = (const xmlNode *)n;
    long line = x ? xmlGetLineNo(x) : 0;
    char where[300] = "";
    if (x && attr)
        snprintf(where, sizeof where, "element '%s', attribute '%s': ", (const char *)x->name, attr);
    else if (x)
        snprintf(where, sizeof where, "element '%s': ", (const char *)x->name);
    const struct override *ov = NULL;
    if (x && attr) {
        char quoted[300];
        snprintf(quoted, sizeof quoted, "'%s'", attr);
        ov = override_for(c, x, quoted);
    }
    if (ov)
        return diag_add(c->d, c->path, line, "%s%s (value given by --set %s)", where, body, ov->text);
    return diag_add(c->d, c->path, line, "%s%s", where, body);
}

/* ---- loading ------------------------------------------------------------ */

/* ---- a lexical look before parsing ------------------------------------- */

/* The line of buf[at]. */
static long line_at(const char *buf, size_t at)
{
    long line = 1;
    for (size_t i = 0; i < at; i++)
        line += buf[i] == '\n';
    return line;
}

/* Skip from buf[i] past the first occurrence of `end`; returns len when
 * there is none. */
static size_t skip_past(const char *buf, size_t len, size_t i, const char *end)
{
    size_t el = strlen(end);
    for (; i + el <= len; i++)
        if (memcmp(buf + i, end, el) == 0)
            return i + el;
    return len;
}

int cfg_xml_precheck(const char *path, const char *buf, size_t len, struct diag *d)
{
    if (infile_check_text(path, buf, len, d))
        return -1;
    /* libxml2 (2.9) checks each attribute of a start tag against every
     * earlier one: n attributes cost n^2 / 2 comparisons, seconds for
     * 40,000 and minutes for 200,000.  Count them first: outside comments,
     * CDATA sections, processing instructions and declarations, every '='
     * of a start tag outside quotes begins one attribute. */
    for (size_t i = 0; i < len;) {
        if (buf[i] != '<') {
            i++;
            continue;
        }
        if (len - i >= 4 && memcmp(buf + i, "<!--", 4) == 0) {
            i = skip_past(buf, len, i + 4, "-->");
        } else if (len - i >= 9 && memcmp(buf + i, "<![CDATA[", 9) == 0) {
            i = skip_past(buf, len, i + 9, "]]>");
        } else if (len - i >= 2 && buf[i + 1] == '?') {
            i = skip_past(buf, len, i + 2, "?>");
        } else if (len - i >= 2 && (buf[i + 1] == '!' || buf[i + 1] == '/')) {
            i = skip_past(buf, len, i + 2, ">");
        } else {
            size_t tag = i, attrs = 0;
            char quote = 0;
            for (i++; i < len && (quote || buf[i] != '>'); i++) {
                if (quote) {
                    if (buf[i] == quote)
                        quote = 0;
                } else if (buf[i] == '"' || buf[i] == '\'') {
                    quote = buf[i];
                } else if (buf[i] == '=' && ++attrs > CFG_MAX_ATTRIBUTES) {
                    return diag_add(d, path, line_at(buf, tag), "an element with more than %d attributes: "
                                    "refused before parsing (no exposim element has more than a few dozen)",
                                    CFG_MAX_ATTRIBUTES);
                }
            }
        }
    }
    return 0;
}

static xmlNodePtr first_elem(xmlNodePtr n)
{
    for (; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
            return n;
    return NULL;
}

/* Apply one "PATH=VALUE"; returns 0 or adds a diagnostic and returns -1. */
static int apply_set(struct cfg *c, const char *text)
{
    size_t bad = text_xml_bad(text);
    if (bad != (size_t)-1) {
        /* XML 1.0 cannot hold it, not even as a character reference, and
         * libxml2's validator answers invalid UTF-8 with "Internal error". */
        unsigned char b = (unsigned char)text[bad];
        return diag_add(c->d, NULL, 0, "--set %s: byte %zu (0x%02x) is %s, which a scenario (XML) cannot "
                        "hold", text, bad + 1, b, b < 0x20 ? "a control character" : "not valid UTF-8");
    }
    const char *eq = strchr(text, '=');
    const char *at = eq ? memchr(text, '@', (size_t)(eq - text)) : NULL;
    if (!eq || !at || at + 1 == eq)
        return diag_add(c->d, NULL, 0, "--set %s: expected PATH=VALUE with PATH like "
                        "population@size or policy/retention@days", text);
    xmlNodePtr node = xmlDocGetRootElement(c->doc);
    const char *p = text;
    while (p < at) {                            /* walk the element path */
        const char *end = p;
        while (end < at && *end != '/')
            end++;
        char seg[128];
        size_t sl = (size_t)(end - p);
        if (sl == 0 || sl >= sizeof seg)
            return diag_add(c->d, NULL, 0, "--set %s: empty or overlong path segment", text);
        memcpy(seg, p, sl);
        seg[sl] = '\0';
        long index = 1;
        char *br = strchr(seg, '[');
        if (br) {
            char *close;
            errno = 0;
            index = strtol(br + 1, &close, 10);
            if (errno || close == br + 1 || *close != ']' || close[1] || index < 1)
                return diag_add(c->d, NULL, 0, "--set %s: bad index in '%s' (expected name[k], k >= 1)",
                                text, seg);
            *br = '\0';
        }
        xmlNodePtr hit = NULL;
        long seen = 0;
        char names[400] = "";
        for (xmlNodePtr ch = first_elem(node->children); ch; ch = first_elem(ch->next)) {
            if (!strstr(names, (const char *)ch->name) && strlen(names) + strlen((const char *)ch->name) + 3 < sizeof names) {
                if (names[0])
                    strcat(names, ", ");
                strcat(names, (const char *)ch->name);
            }
            if (strcmp((const char *)ch->name, seg) == 0 && ++seen == index) {
                hit = ch;
                break;
            }
        }
        if (!hit)
            return diag_add(c->d, NULL, 0, "--set %s: <%s> has no %s element '%s'%s%s%s", text,
                            (const char *)node->name, index > 1 ? "such numbered" : "child",
                            seg, names[0] ? " (it has: " : " (it has no child elements",
                            names, ")");
        node = hit;
        p = end < at ? end + 1 : end;
    }
    char attr[128];
    size_t al = (size_t)(eq - at - 1);
    if (al >= sizeof attr)
        return diag_add(c->d, NULL, 0, "--set %s: attribute name too long", text);
    memcpy(attr, at + 1, al);
    attr[al] = '\0';
    if (c->nov == MAX_SETS)
        return diag_add(c->d, NULL, 0, "--set: more than %d overrides", MAX_SETS);
    if (!xmlSetProp(node, BAD_CAST attr, BAD_CAST (eq + 1)))
        return diag_add(c->d, NULL, 0, "--set %s: could not set the attribute", text);
    c->ov[c->nov].node = node;
    c->ov[c->nov].attr = strdup(attr);
    c->ov[c->nov].text = text;
    if (!c->ov[c->nov].attr)
        return diag_add(c->d, NULL, 0, "out of memory");
    c->nov++;
    return 0;
}

/* Validate c's document against a compiled schema: 0, or -1 with reasons. */
static int validate_with(struct cfg *c, struct errctx *ec, xmlSchemaPtr schema)
{
    int rc = -1;
    xmlSchemaValidCtxtPtr vctx = xmlSchemaNewValidCtxt(schema);
    if (!vctx)
        return diag_add(c->d, NULL, 0, "out of memory");
    size_t before = c->d->n;
    xmlSchemaSetValidStructuredErrors(vctx, structured_error, ec);
    int v = xmlSchemaValidateDoc(vctx, c->doc);  /* 0 valid, > 0 invalid, < 0 internal */
    if (v == 0)
        rc = 0;
    else if (v < 0)
        diag_add(c->d, c->path, 0, "schema validation failed internally (code %d)", v);
    else if (c->d->n == before)
        diag_add(c->d, c->path, 0, "does not match the schema %s", c->schema->name);
    xmlSchemaFreeValidCtxt(vctx);
    return rc;
}

/* Compile a built-in schema; NULL with a diagnostic when it does not parse. */
static xmlSchemaPtr compile_schema(const struct cfg_schema *sch, struct cfg *c, struct diag *d)
{
    size_t len = (size_t)(sch->end - sch->text);
    xmlSchemaPtr schema = NULL;
    xmlSchemaParserCtxtPtr pctx = xmlSchemaNewMemParserCtxt(sch->text, (int)len);
    if (!pctx) {
        diag_add(d, sch->name, 0, "cannot load the built-in schema");
        return NULL;
    }
    struct cfg tmp = { .d = d };
    struct errctx sec = { c ? c : &tmp, sch->name, 0 };
    xmlSchemaSetParserStructuredErrors(pctx, structured_error, &sec);
    schema = xmlSchemaParse(pctx);
    if (!schema)
        diag_add(d, sch->name, 0, "the built-in schema does not parse");
    xmlSchemaFreeParserCtxt(pctx);
    return schema;
}

struct cfg_validator *cfg_validator_new(const struct cfg_schema *schema, struct diag *d)
{
    struct cfg_validator *v = calloc(1, sizeof *v);
    if (!v) {
        diag_add(d, NULL, 0, "out of memory");
        return NULL;
    }
    v->schema = schema;
    if (!(v->xs = compile_schema(schema, NULL, d))) {
        free(v);
        return NULL;
    }
    return v;
}

void cfg_validator_free(struct cfg_validator *v)
{
    if (!v)
        return;
    xmlSchemaFree(v->xs);
    free(v);
}

static int validate(struct cfg *c, struct errctx *ec)
{
    if (c->validator)
        return validate_with(c, ec, c->validator->xs);
    xmlSchemaPtr schema = compile_schema(c->schema, c, c->d);
    if (!schema)
        return -1;
    int rc = validate_with(c, ec, schema);
    xmlSchemaFree(schema);
    return rc;
}

static struct cfg *load_file(const char *path, const char *const *sets, size_t nsets,
                             const struct cfg_schema *schema, const struct cfg_validator *validator,
                             struct diag *d);

struct cfg *cfg_load(const char *path, const char *const *sets, size_t nsets, struct diag *d)
{
    return cfg_load_schema(path, sets, nsets, &cfg_scenario_schema, d);
}

struct cfg *cfg_load_schema(const char *path, const char *const *sets, size_t nsets,
                            const struct cfg_schema *schema, struct diag *d)
{
    return load_file(path, sets, nsets, schema, NULL, d);
}

struct cfg *cfg_load_valid(const char *path, const char *const *sets, size_t nsets,
                           const struct cfg_validator *v, struct diag *d)
{
    return load_file(path, sets, nsets, v->schema, v, d);
}

/* Parse path securely, apply sets, validate against `validator` (compiled)
 * or else `schema` (compiled here; NULL: no validation). */
static struct cfg *load_file(const char *path, const char *const *sets, size_t nsets,
                             const struct cfg_schema *schema, const struct cfg_validator *validator,
                             struct diag *d)
{
    struct cfg *c = calloc(1, sizeof *c);
    char *buf = NULL;
    size_t len = 0;
    xmlParserCtxtPtr p = NULL;
    if (!c) {
        diag_add(d, NULL, 0, "out of memory");
        return NULL;
    }
    c->d = d;
    c->schema = schema;
    c->validator = validator;
    c->path = strdup(path);
    size_t before = d->n;
    struct errctx ec = { c, path, 0 };
    if (!c->path || !(buf = infile_read(path, NULL, CFG_MAX_INPUT_BYTES, &len, d)))
        goto fail;
    if (len == 0) {
        diag_add(d, path, 0, "file is empty; expected an XML scenario");
        goto fail;
    }
    if (cfg_xml_precheck(path, buf, len, d))
        goto fail;
    p = xmlNewParserCtxt();
    if (!p) {
        diag_add(d, NULL, 0, "out of memory");
        goto fail;
    }
    p->_private = &ec;
    p->sax->internalSubset = refuse_doctype;
    xmlSetStructuredErrorFunc(&ec, structured_error);
    /* NONET: no network; no NOENT/DTDLOAD/HUGE/XINCLUDE on purpose. */
    c->doc = xmlCtxtReadMemory(p, buf, (int)len, path, NULL,
                               XML_PARSE_NONET | XML_PARSE_BIG_LINES);
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (ec.doctype_line) {
        diag_add(d, path, ec.doctype_line, "a DOCTYPE is not allowed in exposim input "
                 "(DTDs and entities are refused for safety)");
        goto fail;
    }
    if (!c->doc || d->n > before) {
        if (d->n == before)
            diag_add(d, path, 0, "not well-formed XML");
        goto fail;
    }
    if (c->doc->intSubset || c->doc->extSubset) {
        diag_add(d, path, 1, "a DOCTYPE is not allowed in exposim input");
        goto fail;
    }
    if (!xmlDocGetRootElement(c->doc)) {
        diag_add(d, path, 0, "no root element");
        goto fail;
    }
    for (size_t i = 0; i < nsets; i++)
        apply_set(c, sets[i]);
    if (d->n > before)
        goto fail;
    if (c->schema && validate(c, &ec))
        goto fail;
    free(buf);
    xmlFreeParserCtxt(p);
    return c;
fail:
    free(buf);
    if (p)
        xmlFreeParserCtxt(p);
    cfg_free(c);
    return NULL;
}

void cfg_free(struct cfg *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nov; i++)
        free(c->ov[i].attr);
    if (c->doc)
        xmlFreeDoc(c->doc);
    free(c->path);
    free(c);
}

struct cfg *cfg_derive(const struct cfg *src, const struct cfg_node *elem,
                       const char *const *sets, size_t nsets,
                       const struct cfg_validator *v, struct diag *d)
{
    struct cfg *c = calloc(1, sizeof *c);
    if (!c) {
        diag_add(d, NULL, 0, "out of memory");
        return NULL;
    }
    c->d = d;
    c->schema = v->schema;
    c->validator = v;
    size_t before = d->n;
    struct errctx ec = { c, src->path, 0 };
    xmlNodePtr copy = NULL;
    /* The copy keeps the source's line numbers and file name, so messages
     * point into the file the element came from. */
    if (!(c->path = strdup(src->path)) || !(c->doc = xmlNewDoc(BAD_CAST "1.0"))
        || !(c->doc->URL = xmlStrdup(BAD_CAST src->path))
        || !(copy = xmlDocCopyNode((xmlNodePtr)elem, c->doc, 1))) {
        diag_add(d, NULL, 0, "out of memory");
        goto fail;
    }
    xmlDocSetRootElement(c->doc, copy);
    for (size_t i = 0; i < nsets; i++)
        apply_set(c, sets[i]);
    if (d->n > before || validate(c, &ec))
        goto fail;
    return c;
fail:
    cfg_free(c);
    return NULL;
}

/* ---- access ------------------------------------------------------------- */

const char *cfg_path(const struct cfg *c) { return c->path; }
struct diag *cfg_diag(struct cfg *c) { return c->d; }
void *cfg_xml_doc(const struct cfg *c) { return c->doc; }

const struct cfg_node *cfg_root(const struct cfg *c)
{
    return (const struct cfg_node *)xmlDocGetRootElement(c->doc);
}

const struct cfg_node *cfg_first(const struct cfg_node *n)
{
    return n ? (const struct cfg_node *)first_elem(((const xmlNode *)n)->children) : NULL;
}

const struct cfg_node *cfg_next(const struct cfg_node *n)
{
    return n ? (const struct cfg_node *)first_elem(((const xmlNode *)n)->next) : NULL;
}

const struct cfg_node *cfg_child(const struct cfg_node *n, const char *name)
{
    for (const struct cfg_node *ch = cfg_first(n); ch; ch = cfg_next(ch))
        if (strcmp(cfg_name(ch), name) == 0)
            return ch;
    return NULL;
}

const char *cfg_name(const struct cfg_node *n) { return (const char *)((const xmlNode *)n)->name; }
long cfg_line(const struct cfg_node *n) { return xmlGetLineNo((const xmlNode *)n); }

static const char *attr_text(const struct cfg_node *n, const char *attr)
{
    if (!n)
        return NULL;
    xmlAttrPtr a = xmlHasProp((xmlNodePtr)n, BAD_CAST attr);
    if (!a || !a->children || a->children->type != XML_TEXT_NODE)
        return a ? "" : NULL;
    return (const char *)a->children->content;
}

int cfg_has(const struct cfg_node *n, const char *attr) { return attr_text(n, attr) != NULL; }

const char *cfg_str(const struct cfg_node *n, const char *attr, const char *dflt)
{
    const char *t = attr_text(n, attr);
    return t ? t : dflt;
}

char *cfg_text(const struct cfg_node *n)
{
    xmlChar *t = n ? xmlNodeGetContent((const xmlNode *)n) : NULL;
    if (!t)
        return NULL;
    char *out = strdup((const char *)t);      /* free()-able, unlike xmlChar */
    xmlFree(t);
    return out;
}

int cfg_long(struct cfg *c, const struct cfg_node *n, const char *attr, long dflt, long *out)
{
    const char *t = attr_text(n, attr);
    if (!t) {
        *out = dflt;
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(t, &end, 10);             /* skips leading white space */
    while (isspace((unsigned char)*end))       /* the schema collapses it too */
        end++;
    if (errno || end == t || *end)
        return cfg_error(c, n, attr, "'%s' is not an integer in range", t);
    *out = v;
    return 0;
}

int cfg_double(struct cfg *c, const struct cfg_node *n, const char *attr, double dflt, double *out)
{
    const char *t = attr_text(n, attr);
    if (!t) {
        *out = dflt;
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(t, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (end == t || *end || !isfinite(v))
        return cfg_error(c, n, attr, "'%s' is not a finite number", t);
    if (errno == ERANGE && fabs(v) <= DBL_MIN)      /* underflow: 1e-320 is finite, but not kept exactly */
        return cfg_error(c, n, attr, "'%s' is too close to 0 to be kept exactly (the smallest normal "
                         "double is 2.2e-308): write 0 or a larger value", t);
    if (errno)
        return cfg_error(c, n, attr, "'%s' is beyond the range of a double (1.8e308)", t);
    *out = v;
    return 0;
}
