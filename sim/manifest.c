/* manifest — manifest.xml writer; see manifest.h. */
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "results.h"
#include "rng.h"
#include "text.h"

static void utc(char *buf, size_t len, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Add `what` to n's list of escaped values. */
static int mark_escaped(xmlNodePtr n, const char *what)
{
    xmlChar *old = xmlGetProp(n, BAD_CAST "escaped");
    char *list = NULL;
    int rc = -1;
    size_t len = (old ? strlen((const char *)old) + 1 : 0) + strlen(what) + 1;
    if ((list = malloc(len))) {
        snprintf(list, len, "%s%s%s", old ? (const char *)old : "", old ? " " : "", what);
        rc = xmlSetProp(n, BAD_CAST "escaped", BAD_CAST list) ? 0 : -1;
    }
    xmlFree(old);
    free(list);
    return rc;
}

int manifest_prop(void *node, const char *name, const char *value)
{
    xmlNodePtr n = node;
    if (!n)
        return -1;
    if (text_xml_bad(value) == (size_t)-1)
        return xmlSetProp(n, BAD_CAST name, BAD_CAST value) ? 0 : -1;
    char *esc = text_escape_dup(value, 1);
    int rc = esc && xmlSetProp(n, BAD_CAST name, BAD_CAST esc) ? mark_escaped(n, name) : -1;
    free(esc);
    return rc;
}

void *manifest_text_child(void *parent, const char *name, const char *text)
{
    if (!parent)
        return NULL;
    if (text_xml_bad(text) == (size_t)-1)
        return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);
    char *esc = text_escape_dup(text, 1);
    xmlNodePtr n = esc ? xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST esc) : NULL;
    free(esc);
    if (n && mark_escaped(n, "text"))
        n = NULL;
    return n;
}

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
    return xmlNewChild(parent, NULL, BAD_CAST name, NULL);
}

static void prop_u(xmlNodePtr n, const char *name, unsigned long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", v);
    xmlNewProp(n, BAD_CAST name, BAD_CAST buf);
}

static void quiet_error(void *ctx, xmlErrorPtr e) { (void)ctx, (void)e; }

int manifest_dump(FILE *f, const void *doc)
{
    /* A write error is reported by the caller ("cannot write ...: File too
     * large"); libxml2 would also print its own "I/O error" line. */
    xmlSetStructuredErrorFunc(NULL, quiet_error);
    int rc = xmlDocFormatDump(f, (xmlDocPtr)doc, 1) < 0 ? -1 : 0;
    xmlSetStructuredErrorFunc(NULL, NULL);
    return rc;
}

static xmlDocPtr build(const struct cfg *c, const struct manifest_info *m);

int manifest_write(const char *dir, const struct cfg *c, const struct manifest_info *m, struct diag *d)
{
    xmlDocPtr doc = build(c, m);
    int rc = doc ? results_write_atomic(dir, "manifest.xml", manifest_dump, doc, d) : diag_add(d, NULL, 0, "out of memory");
    xmlFreeDoc(doc);
    return rc;
}

int manifest_stage(struct results_staged *s, const struct cfg *c, const struct manifest_info *m, struct diag *d)
{
    xmlDocPtr doc = build(c, m);
    int rc = doc ? results_stage_file(s, "manifest.xml", manifest_dump, doc, d) : diag_add(d, NULL, 0, "out of memory");
    xmlFreeDoc(doc);
    return rc;
}

/* The manifest document, or NULL when memory runs out. */
static xmlDocPtr build(const struct cfg *c, const struct manifest_info *m)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    if (!doc)
        return NULL;
    xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "manifest");
    xmlDocSetRootElement(doc, root);
    xmlNewProp(root, BAD_CAST "program", BAD_CAST "exposim");
    xmlNewProp(root, BAD_CAST "version", BAD_CAST EXPOSIM_VERSION);
    manifest_prop(root, "scenario_file", cfg_path(c));

    xmlNodePtr cmd = child(root, "command");
    for (int i = 0; i < m->argc; i++)
        manifest_text_child(cmd, "arg", m->argv[i]);

    char buf[64];
    xmlNodePtr times = child(root, "times");
    utc(buf, sizeof buf, m->started);
    xmlNewProp(times, BAD_CAST "started", BAD_CAST buf);
    utc(buf, sizeof buf, m->finished);
    xmlNewProp(times, BAD_CAST "finished", BAD_CAST buf);
    prop_u(times, "wall_seconds", (unsigned long long)(m->finished - m->started));
    prop_u(times, "events", m->events);

    xmlNodePtr seeds = child(root, "seeds");
    prop_u(seeds, "scenario_seed", m->run->seed);
    xmlNewProp(seeds, BAD_CAST "generator", BAD_CAST RNG_TYPE_NAME);
    xmlNewProp(seeds, BAD_CAST "derivation",
               BAD_CAST "seed(r,c) = fmix32(fmix32(16*r + c) XOR fmix32(scenario_seed)), r 0-based");
    for (uint32_t r = 0; r < m->run->replications; r++) {
        xmlNodePtr rep = child(seeds, "replication");
        prop_u(rep, "index", r + 1ull);
        for (unsigned k = 0; m->model->streams[k]; k++) {
            xmlNodePtr st = child(rep, "stream");
            xmlNewProp(st, BAD_CAST "component", BAD_CAST m->model->streams[k]);
            prop_u(st, "seed", rng_stream_seed(m->run->seed, r, k));
        }
    }

    xmlNodePtr as_run = child(root, "scenario_as_run");
    xmlNodePtr copy = xmlDocCopyNode(xmlDocGetRootElement((xmlDocPtr)cfg_xml_doc(c)), doc, 1);
    if (!copy) {
        xmlFreeDoc(doc);
        return NULL;
    }
    xmlAddChild(as_run, copy);
    return doc;
}
