/* graphio — edge lists, traces, labels and GraphML read from files; see
 * graphio.h. */
#include "graphio.h"

#include "cfg.h"
#include "infile.h"
#include "results.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#define GRAPHIO_MAX_FIELDS 16

/* ---- interned names ------------------------------------------------------ */

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;       /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void names_destroy(struct graphio_names *nm)
{
    for (uint32_t i = 0; i < nm->n; i++)
        free(nm->name[i]);
    free(nm->name);
    free(nm->slot);
    memset(nm, 0, sizeof *nm);
}

/* The id of s, or UINT32_MAX when absent. */
static uint32_t names_find(const struct graphio_names *nm, const char *s)
{
    if (!nm->nslot)
        return UINT32_MAX;
    for (size_t i = name_hash(s) & (nm->nslot - 1);; i = (i + 1) & (nm->nslot - 1)) {
        uint32_t id = nm->slot[i];
        if (!id)
            return UINT32_MAX;
        if (strcmp(nm->name[id - 1], s) == 0)
            return id - 1;
    }
}

static int names_rehash(struct graphio_names *nm, size_t nslot)
{
    uint32_t *slot = calloc(nslot, sizeof *slot);
    if (!slot)
        return -1;
    for (uint32_t id = 0; id < nm->n; id++) {
        size_t i = name_hash(nm->name[id]) & (nslot - 1);
        while (slot[i])
            i = (i + 1) & (nslot - 1);
        slot[i] = id + 1;
    }
    free(nm->slot);
    nm->slot = slot;
    nm->nslot = nslot;
    return 0;
}

/* The id of s, adding it when new.  UINT32_MAX on OOM or overflow. */
static uint32_t names_intern(struct graphio_names *nm, const char *s)
{
    uint32_t id = names_find(nm, s);
    if (id != UINT32_MAX)
        return id;
    if (nm->n >= UINT32_MAX - 1)
        return UINT32_MAX;
    if (2 * ((size_t)nm->n + 1) > nm->nslot && names_rehash(nm, nm->nslot ? 2 * nm->nslot : 1024))
        return UINT32_MAX;
    if (nm->n == nm->cap) {
        uint32_t cap = nm->cap ? 2 * nm->cap : 1024;
        char **name = realloc(nm->name, (size_t)cap * sizeof *name);
        if (!name)
            return UINT32_MAX;
        nm->name = name;
        nm->cap = cap;
    }
    if (!(nm->name[nm->n] = strdup(s)))
        return UINT32_MAX;
    size_t i = name_hash(s) & (nm->nslot - 1);
    while (nm->slot[i])
        i = (i + 1) & (nm->nslot - 1);
    nm->slot[i] = nm->n + 1;
    return nm->n++;
}

void graphio_table_init(struct graphio_table *t) { memset(t, 0, sizeof *t); }

void graphio_table_destroy(struct graphio_table *t)
{
    if (!t)
        return;
    names_destroy(&t->nodes);
    names_destroy(&t->labels);
    free(t->u);
    free(t->v);
    free(t->w);
    free(t->t);
    free(t->line);
    free(t->label);
    memset(t, 0, sizeof *t);
}

static int table_push(struct graphio_table *t, uint32_t u, uint32_t v, double w, int64_t tm, long line)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 4096;
        uint32_t *nu = realloc(t->u, cap * sizeof *nu);
        if (nu)
            t->u = nu;
        uint32_t *nv = realloc(t->v, cap * sizeof *nv);
        if (nv)
            t->v = nv;
        double *nw = realloc(t->w, cap * sizeof *nw);
        if (nw)
            t->w = nw;
        int64_t *nt = realloc(t->t, cap * sizeof *nt);
        if (nt)
            t->t = nt;
        long *nl = realloc(t->line, cap * sizeof *nl);
        if (nl)
            t->line = nl;
        if (!nu || !nv || !nw || !nt || !nl)
            return -1;
        t->cap = cap;
    }
    t->u[t->n] = u;
    t->v[t->n] = v;
    t->w[t->n] = w;
    t->t[t->n] = tm;
    t->line[t->n] = line;
    t->n++;
    return 0;
}

/* ---- rows of a text file ------------------------------------------------- */

struct reader {
    const char *path;
    struct diag *d;
    const struct graphio_opts *o;
    struct graphio_table *t;
    int labels;                       /* reading labels, not edges */
    char *field[GRAPHIO_MAX_FIELDS];
    size_t nfield;
    int in_row, skipped_header, failed;
    long line;
};

static void reader_clear(struct reader *r)
{
    for (size_t i = 0; i < r->nfield; i++)
        free(r->field[i]);
    r->nfield = 0;
}

static int parse_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (errno || end == s || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_time(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

/* A weight as the models keep it (a float): 0, or FLT_MIN to FLT_MAX, and
 * the weights of the table (self-loops aside) adding up to at most
 * FLT_MAX, so that no sum of a pair's rows overflows.  Adds w to the sum.
 * NULL, or what is wrong. */
static const char *weight_problem(struct graphio_table *t, double w, int loop)
{
    if (w > FLT_MAX)
        return "is more than 3.4e38, the largest weight (weights are kept in single precision)";
    if (w > 0 && w < FLT_MIN)
        return "is below 1.2e-38, the smallest weight above 0 (weights are kept in single precision): "
               "write 0 or scale the weights up";
    if (!loop && (t->weight_sum += w) > FLT_MAX)
        return "brings the sum of the weights above 3.4e38 (weights are kept in single precision): "
               "scale them down, only their ratios matter";
    return NULL;
}

/* One complete row of fields. */
static void reader_row(struct reader *r)
{
    if (r->failed || r->nfield == 0)
        return;
    if (r->o->header && !r->skipped_header) {
        r->skipped_header = 1;
        return;
    }
    struct graphio_table *t = r->t;
    if (r->nfield < 2 || !r->field[0][0] || !r->field[1][0]) {
        diag_add(r->d, r->path, r->line, "expected %s, got %zu field%s",
                 r->labels ? "'node label'" : r->o->third == GRAPHIO_TIME ? "'source target time'"
                                                                         : "'source target [weight]'",
                 r->nfield, r->nfield == 1 ? "" : "s");
        r->failed = 1;
        return;
    }
    if (r->labels) {
        uint32_t node = names_find(&t->nodes, r->field[0]);
        if (node == UINT32_MAX) {
            diag_add(r->d, r->path, r->line, "node '%.60s' is not in the graph", r->field[0]);
            r->failed = 1;
            return;
        }
        uint32_t lab = names_intern(&t->labels, r->field[1]);
        if (lab == UINT32_MAX) {
            diag_add(r->d, r->path, r->line, "out of memory");
            r->failed = 1;
            return;
        }
        t->label[node] = lab;
        return;
    }
    double w = 1;
    int64_t tm = 0;
    if (r->o->third == GRAPHIO_WEIGHT && r->nfield >= 3 && r->field[2][0]) {
        if (parse_number(r->field[2], &w) || w < 0) {
            diag_add(r->d, r->path, r->line, "weight '%.40s' is not a number 0 or more", r->field[2]);
            r->failed = 1;
            return;
        }
        t->has_weight = 1;
    } else if (r->o->third == GRAPHIO_TIME) {
        if (r->nfield < 3 || parse_time(r->field[2], &tm)) {
            diag_add(r->d, r->path, r->line, "expected 'source target time' with an integer time%s%.40s%s",
                     r->nfield >= 3 ? " (got '" : "", r->nfield >= 3 ? r->field[2] : "",
                     r->nfield >= 3 ? "')" : "");
            r->failed = 1;
            return;
        }
        if (tm > GRAPHIO_MAX_TIME || tm < -GRAPHIO_MAX_TIME) {
            diag_add(r->d, r->path, r->line, "time '%.40s' is out of range: at most %lld seconds either side "
                     "of 0 (2^53, some 285 million years)", r->field[2], (long long)GRAPHIO_MAX_TIME);
            r->failed = 1;
            return;
        }
    }
    const char *wp = r->o->third == GRAPHIO_WEIGHT ? weight_problem(t, w, strcmp(r->field[0], r->field[1]) == 0)
                                                   : NULL;
    if (wp) {
        diag_add(r->d, r->path, r->line, "weight '%.40s' %s", r->nfield >= 3 ? r->field[2] : "1", wp);
        r->failed = 1;
        return;
    }
    uint32_t u = names_intern(&t->nodes, r->field[0]), v = names_intern(&t->nodes, r->field[1]);
    if (u == UINT32_MAX || v == UINT32_MAX || table_push(t, u, v, w, tm, r->line)) {
        diag_add(r->d, r->path, r->line, "out of memory");
        r->failed = 1;
    }
}

static void csv_field_cb(void *s, size_t len, void *data)
{
    struct reader *r = data;
    r->in_row = 1;
    if (r->nfield == GRAPHIO_MAX_FIELDS)
        return;                                /* further columns ignored */
    char *f = malloc(len + 1);
    if (!f) {
        r->failed = 1;
        return;
    }
    memcpy(f, s, len);
    f[len] = '\0';
    r->field[r->nfield++] = f;
}

static void csv_row_cb(int c, void *data)
{
    (void)c;
    struct reader *r = data;
    reader_row(r);
    reader_clear(r);
    r->in_row = 0;
}

static void split_whitespace(struct reader *r, char *line)
{
    char *save = NULL;
    for (char *tok = strtok_r(line, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
        if (r->nfield == GRAPHIO_MAX_FIELDS)
            break;
        if (!(r->field[r->nfield] = strdup(tok))) {
            r->failed = 1;
            return;
        }
        r->nfield++;
    }
}

static int blank_or_comment(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '#' || *s == '\n' || *s == '\r' || *s == '\0';
}

/* The next line of f (with its '\n', if any) into *line, NUL-terminated:
 * its length; 0 at the end of the file; -1 when it is longer than
 * GRAPHIO_MAX_LINE; -2 when memory runs out; -3 on a read error. */
static long long next_line(FILE *f, char **line, size_t *cap)
{
    size_t n = 0;
    for (;;) {
        int ch = getc_unlocked(f);
        if (ch == EOF)
            return ferror(f) ? -3 : (long long)n;
        if (n == GRAPHIO_MAX_LINE)
            return -1;
        if (n + 1 >= *cap) {
            size_t nc = *cap ? 2 * *cap : 256;
            char *nl = realloc(*line, nc + 1);
            if (!nl)
                return -2;
            *line = nl;
            *cap = nc;
        }
        (*line)[n++] = (char)ch;
        (*line)[n] = '\0';
        if (ch == '\n')
            return (long long)n;
    }
}

static int read_rows(const char *path, const struct graphio_opts *o, struct graphio_table *t, int labels,
                     struct diag *d)
{
    struct reader r = { .path = path, .d = d, .o = o, .t = t, .labels = labels };
    FILE *f = infile_fopen(path, NULL, d);
    if (!f)
        return -1;
    struct csv_parser p;
    int csv_ready = 0, rc = -1;
    enum graphio_format fmt = o->format;
    char *line = NULL;
    size_t cap = 0;
    long long len = 0;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI)) {
        diag_add(d, path, 0, "out of memory");
        goto cleanup;
    }
    csv_ready = 1;
    flockfile(f);
    while (!r.failed && (len = next_line(f, &line, &cap)) > 0) {
        r.line++;
        if (memchr(line, '\0', (size_t)len)) {
            diag_add(d, path, r.line, "a NUL byte: not a text file");
            r.failed = 1;
            break;
        }
        if (!r.in_row && blank_or_comment(line))
            continue;
        if (fmt == GRAPHIO_AUTO)
            fmt = strchr(line, ',') ? GRAPHIO_CSV : GRAPHIO_WHITESPACE;
        if (fmt == GRAPHIO_WHITESPACE) {
            split_whitespace(&r, line);
            reader_row(&r);
            reader_clear(&r);
        } else if (csv_parse(&p, line, (size_t)len, csv_field_cb, csv_row_cb, &r) != (size_t)len) {
            diag_add(d, path, r.line, "malformed CSV: %s", csv_strerror(csv_error(&p)));
            r.failed = 1;
        }
    }
    funlockfile(f);
    if (!r.failed && len < 0) {
        if (len == -1)
            diag_add(d, path, r.line + 1, "a line longer than %d bytes: not an edge list, trace or labels "
                     "file", GRAPHIO_MAX_LINE);
        else if (len == -2)
            diag_add(d, path, r.line + 1, "out of memory");
        else
            diag_add(d, path, r.line + 1, "cannot read: %s", strerror(errno));
        goto cleanup;
    }
    if (!r.failed && fmt == GRAPHIO_CSV && csv_fini(&p, csv_field_cb, csv_row_cb, &r)) {
        diag_add(d, path, r.line, "malformed CSV at the end of the file: %s", csv_strerror(csv_error(&p)));
        goto cleanup;
    }
    if (r.failed) {
        if (d->n == 0)
            diag_add(d, path, r.line, "out of memory");
        goto cleanup;
    }
    rc = 0;
cleanup:
    reader_clear(&r);
    if (csv_ready)
        csv_free(&p);
    free(line);
    fclose(f);
    return rc;
}

int graphio_read_edges(const char *path, const struct graphio_opts *o, struct graphio_table *t,
                       struct diag *d)
{
    return read_rows(path, o, t, 0, d);
}

static int labels_alloc(struct graphio_table *t)
{
    free(t->label);
    t->label = malloc(((size_t)t->nodes.n ? t->nodes.n : 1) * sizeof *t->label);
    if (!t->label)
        return -1;
    for (uint32_t i = 0; i < t->nodes.n; i++)
        t->label[i] = UINT32_MAX;
    return 0;
}

int graphio_read_labels(const char *path, const struct graphio_opts *o, struct graphio_table *t,
                        struct diag *d)
{
    if (labels_alloc(t))
        return diag_add(d, path, 0, "out of memory");
    return read_rows(path, o, t, 1, d);
}

/* ---- GraphML ------------------------------------------------------------- */

struct xml_errctx {
    const char *path;
    struct diag *d;
    int doctype_line;
};

static void xml_error(void *ctx, xmlErrorPtr e)
{
    struct xml_errctx *ec = ctx;
    if (!e || e->level == XML_ERR_WARNING)
        return;
    char msg[600];
    snprintf(msg, sizeof msg, "%s", e->message ? e->message : "XML error");
    size_t len = strlen(msg);
    while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        msg[--len] = '\0';
    diag_add(ec->d, ec->path, e->line, "%s", msg);
}

/* A DOCTYPE may declare entities or pull in external files: refused before
 * anything in it is used (as sim/cfg.c does for scenarios). */
static void xml_refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
    (void)name, (void)ext, (void)sys;
    xmlParserCtxtPtr p = ctx;
    struct xml_errctx *ec = p->_private;
    ec->doctype_line = p->input && p->input->line > 0 ? p->input->line : 1;
    xmlStopParser(p);
}

static int is_elem(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* The text of n's <data key=key> child, or NULL (caller frees). */
static xmlChar *data_value(const xmlNode *n, const xmlChar *key)
{
    if (!key)
        return NULL;
    for (const xmlNode *c = n->children; c; c = c->next)
        if (is_elem(c, "data")) {
            xmlChar *k = xmlGetProp(c, BAD_CAST "key");
            int hit = k && xmlStrEqual(k, key);
            xmlFree(k);
            if (hit)
                return xmlNodeGetContent(c);
        }
    return NULL;
}

int graphio_read_graphml(const char *path, const char *weight_attr, const char *label_attr,
                         struct graphio_table *t, struct diag *d)
{
    struct xml_errctx ec = { path, d, 0 };
    size_t before = d->n, len = 0;
    int rc = -1;
    xmlDocPtr doc = NULL;
    xmlChar *wkey = NULL, *lkey = NULL;
    char *buf = infile_read(path, "a GraphML file", GRAPHIO_MAX_GRAPHML, &len, d);
    if (!buf)
        return -1;
    if (cfg_xml_precheck(path, buf, len, d)) {
        free(buf);
        return -1;
    }
    xmlParserCtxtPtr p = xmlNewParserCtxt();
    if (!p) {
        free(buf);
        return diag_add(d, path, 0, "out of memory");
    }
    p->_private = &ec;
    p->sax->internalSubset = xml_refuse_doctype;
    xmlSetStructuredErrorFunc(&ec, xml_error);
    /* NONET; no NOENT/DTDLOAD/HUGE/XINCLUDE on purpose. */
    doc = xmlCtxtReadMemory(p, buf, (int)len, path, NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
    xmlSetStructuredErrorFunc(NULL, NULL);
    free(buf);
    if (ec.doctype_line) {
        diag_add(d, path, ec.doctype_line, "a DOCTYPE is not allowed in a GraphML file "
                 "(DTDs and entities are refused for safety)");
        goto cleanup;
    }
    if (!doc || d->n > before) {
        if (d->n == before)
            diag_add(d, path, 0, "cannot be read as XML");
        goto cleanup;
    }
    if (doc->intSubset || doc->extSubset) {
        diag_add(d, path, 1, "a DOCTYPE is not allowed in a GraphML file");
        goto cleanup;
    }
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!root || !is_elem(root, "graphml")) {
        diag_add(d, path, root ? xmlGetLineNo(root) : 0, "the root element is not <graphml>");
        goto cleanup;
    }
    xmlNodePtr graph = NULL;
    for (xmlNodePtr c = root->children; c; c = c->next) {
        if (is_elem(c, "key")) {
            xmlChar *nm = xmlGetProp(c, BAD_CAST "attr.name"), *id = xmlGetProp(c, BAD_CAST "id");
            xmlChar *fr = xmlGetProp(c, BAD_CAST "for");
            int edge = !fr || xmlStrEqual(fr, BAD_CAST "edge") || xmlStrEqual(fr, BAD_CAST "all");
            int node = !fr || xmlStrEqual(fr, BAD_CAST "node") || xmlStrEqual(fr, BAD_CAST "all");
            if (nm && id && weight_attr && edge && !wkey && xmlStrEqual(nm, BAD_CAST weight_attr))
                wkey = xmlStrdup(id);
            if (nm && id && label_attr && node && !lkey && xmlStrEqual(nm, BAD_CAST label_attr))
                lkey = xmlStrdup(id);
            xmlFree(nm);
            xmlFree(id);
            xmlFree(fr);
        } else if (is_elem(c, "graph") && !graph) {
            graph = c;
        }
    }
    if (!graph) {
        diag_add(d, path, xmlGetLineNo(root), "no <graph> element");
        goto cleanup;
    }
    for (xmlNodePtr c = graph->children; c; c = c->next)   /* nodes first */
        if (is_elem(c, "node")) {
            xmlChar *id = xmlGetProp(c, BAD_CAST "id");
            uint32_t x = id && id[0] ? names_intern(&t->nodes, (const char *)id) : UINT32_MAX;
            xmlFree(id);
            if (x == UINT32_MAX) {
                diag_add(d, path, xmlGetLineNo(c), "<node> needs a non-empty id");
                goto cleanup;
            }
        }
    if (labels_alloc(t)) {
        diag_add(d, path, 0, "out of memory");
        goto cleanup;
    }
    for (xmlNodePtr c = graph->children; c; c = c->next) {
        long line = xmlGetLineNo(c);
        if (is_elem(c, "node") && lkey) {
            xmlChar *id = xmlGetProp(c, BAD_CAST "id"), *lab = data_value(c, lkey);
            if (lab) {
                uint32_t l = names_intern(&t->labels, (const char *)lab);
                if (l == UINT32_MAX) {
                    xmlFree(id);
                    xmlFree(lab);
                    diag_add(d, path, line, "out of memory");
                    goto cleanup;
                }
                t->label[names_find(&t->nodes, (const char *)id)] = l;
            }
            xmlFree(id);
            xmlFree(lab);
        } else if (is_elem(c, "edge")) {
            xmlChar *s = xmlGetProp(c, BAD_CAST "source"), *g = xmlGetProp(c, BAD_CAST "target");
            uint32_t u = s ? names_find(&t->nodes, (const char *)s) : UINT32_MAX;
            uint32_t v = g ? names_find(&t->nodes, (const char *)g) : UINT32_MAX;
            if (u == UINT32_MAX || v == UINT32_MAX) {
                diag_add(d, path, line, "<edge> source '%.40s' / target '%.40s': %s", s ? (char *)s : "",
                         g ? (char *)g : "", !s || !g ? "both are required" : "not a declared <node>");
                xmlFree(s);
                xmlFree(g);
                goto cleanup;
            }
            xmlFree(s);
            xmlFree(g);
            double w = 1;
            xmlChar *wt = data_value(c, wkey);
            if (wt) {
                const char *wp = NULL;
                if (parse_number((const char *)wt, &w) || w < 0 || (wp = weight_problem(t, w, u == v))) {
                    diag_add(d, path, line, "edge weight '%.40s' %s", (char *)wt, wp ? wp : "is not a number 0 or more");
                    xmlFree(wt);
                    goto cleanup;
                }
                t->has_weight = 1;
                xmlFree(wt);
            }
            const char *wp = wt ? NULL : weight_problem(t, w, u == v);
            if (wp) {
                diag_add(d, path, line, "edge weight 1 (none given) %s", wp);
                goto cleanup;
            }
            if (table_push(t, u, v, w, 0, line)) {
                diag_add(d, path, line, "out of memory");
                goto cleanup;
            }
        }
    }
    rc = 0;
cleanup:
    xmlFree(wkey);
    xmlFree(lkey);
    if (doc)
        xmlFreeDoc(doc);
    xmlFreeParserCtxt(p);
    return rc;
}

/* ---- writers ------------------------------------------------------------- */

int graphio_fill_nodes_csv(FILE *f, const void *ctx)
{
    const struct graphio_out *g = ctx;
    int bad = results_csv_text(f, "id") | results_csv_sep(f) | results_csv_text(f, "degree");
    for (size_t c = 0; c < g->ncols; c++)
        bad |= results_csv_sep(f) | results_csv_text(f, g->col[c]);
    for (size_t c = 0; c < g->nfcols; c++)
        bad |= results_csv_sep(f) | results_csv_text(f, g->fcol[c]);
    bad |= results_csv_end(f);
    for (uint32_t a = 0; a < g->n && !bad; a++) {
        bad |= results_csv_uint(f, a) | results_csv_sep(f) | results_csv_uint(f, g->off[a + 1] - g->off[a]);
        for (size_t c = 0; c < g->ncols; c++) {
            bad |= results_csv_sep(f);
            if (g->val[c][a] != UINT32_MAX)
                bad |= results_csv_uint(f, g->val[c][a]);
        }
        for (size_t c = 0; c < g->nfcols; c++) {
            bad |= results_csv_sep(f);
            if (!isnan(g->fval[c][a]))
                bad |= fprintf(f, "%.7g", (double)g->fval[c][a]) < 0;
        }
        bad |= results_csv_end(f);
    }
    return bad ? -1 : 0;
}

int graphio_fill_edges_csv(FILE *f, const void *ctx)
{
    const struct graphio_out *g = ctx;
    int bad = results_csv_text(f, "source") | results_csv_sep(f) | results_csv_text(f, "target");
    if (g->weight)
        bad |= results_csv_sep(f) | results_csv_text(f, "weight");
    bad |= results_csv_end(f);
    for (uint32_t a = 0; a < g->n && !bad; a++)
        for (uint64_t j = g->off[a]; j < g->off[a + 1]; j++) {
            if (g->adj[j] < a)
                continue;
            bad |= results_csv_uint(f, a) | results_csv_sep(f) | results_csv_uint(f, g->adj[j]);
            if (g->weight)
                bad |= results_csv_sep(f) | results_csv_num(f, g->weight[j]);
            bad |= results_csv_end(f);
        }
    return bad ? -1 : 0;
}

int graphio_fill_graphml(FILE *f, const void *ctx)
{
    const struct graphio_out *g = ctx;
    /* Only numbers and the fixed column names are written, so nothing
     * needs escaping (column names are identifiers chosen by the model). */
    int bad = fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n") < 0;
    for (size_t c = 0; c < g->ncols; c++)
        bad |= fprintf(f, "  <key id=\"n%zu\" for=\"node\" attr.name=\"%s\" attr.type=\"long\"/>\n", c,
                       g->col[c]) < 0;
    for (size_t c = 0; c < g->nfcols; c++)
        bad |= fprintf(f, "  <key id=\"f%zu\" for=\"node\" attr.name=\"%s\" attr.type=\"double\"/>\n", c,
                       g->fcol[c]) < 0;
    if (g->weight)
        bad |= fprintf(f, "  <key id=\"w\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n") < 0;
    bad |= fprintf(f, "  <graph edgedefault=\"undirected\">\n") < 0;
    for (uint32_t a = 0; a < g->n && !bad; a++) {
        bad |= fprintf(f, "    <node id=\"%u\">", a) < 0;
        for (size_t c = 0; c < g->ncols; c++)
            if (g->val[c][a] != UINT32_MAX)
                bad |= fprintf(f, "<data key=\"n%zu\">%u</data>", c, g->val[c][a]) < 0;
        for (size_t c = 0; c < g->nfcols; c++)
            if (!isnan(g->fval[c][a]))
                bad |= fprintf(f, "<data key=\"f%zu\">%.7g</data>", c, (double)g->fval[c][a]) < 0;
        bad |= fprintf(f, "</node>\n") < 0;
    }
    for (uint32_t a = 0; a < g->n && !bad; a++)
        for (uint64_t j = g->off[a]; j < g->off[a + 1]; j++) {
            if (g->adj[j] < a)
                continue;
            if (g->weight)
                bad |= fprintf(f, "    <edge source=\"%u\" target=\"%u\"><data key=\"w\">%.9g</data></edge>\n", a,
                               g->adj[j], (double)g->weight[j]) < 0;
            else
                bad |= fprintf(f, "    <edge source=\"%u\" target=\"%u\"/>\n", a, g->adj[j]) < 0;
        }
    bad |= fprintf(f, "  </graph>\n</graphml>\n") < 0;
    return bad ? -1 : 0;
}
