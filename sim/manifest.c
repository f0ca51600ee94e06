/* manifest — manifest.xml writer; see manifest.h. */
#include "manifest.h"

#include <stdint.h>
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

char *manifest_text(const char *s, int *exact)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s);
    char *out = malloc(3 * len + 1), *o = out;  /* a bad byte becomes 3 */
    if (!out)
        return NULL;
    *exact = 1;
    for (size_t i = 0; i < len;) {
        size_t n = text_xml_char((const char *)u + i);
        if (n) {
            memcpy(o, u + i, n);
            o += n;
            i += n;
        } else {
            memcpy(o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
            *exact = 0;
        }
    }
    *o = '\0';
    return out;
}

int manifest_command(void *parent, int argc, char *const *argv)
{
    xmlNodePtr cmd = xmlNewChild(parent, NULL, BAD_CAST "command", NULL);
    if (!cmd)
        return -1;
    for (int i = 0; i < argc; i++) {
        int exact;
        char *t = manifest_text(argv[i], &exact);
        xmlNodePtr arg = t ? xmlNewTextChild(cmd, NULL, BAD_CAST "arg", BAD_CAST t) : NULL;
        free(t);
        if (!arg)
            return -1;
        if (!exact) {
            size_t len = strlen(argv[i]);
            char *hex = malloc(2 * len + 1);
            if (!hex)
                return -1;
            for (size_t k = 0; k < len; k++)
                snprintf(hex + 2 * k, 3, "%02x", (unsigned char)argv[i][k]);
            hex[2 * len] = '\0';
            xmlAttrPtr a = xmlNewProp(arg, BAD_CAST "hex", BAD_CAST hex);
            free(hex);
            if (!a)
                return -1;
        }
    }
    return 0;
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
    int exact;
    char *file = manifest_text(cfg_path(c), &exact);
    if (!file || !xmlNewProp(root, BAD_CAST "scenario_file", BAD_CAST file) || manifest_command(root, m->argc, m->argv)) {
        free(file);
        xmlFreeDoc(doc);
        return NULL;
    }
    free(file);

    char buf[64];
    xmlNodePtr times = child(root, "times");
    utc(buf, sizeof buf, m->started);
    xmlNewProp(times, BAD_CAST "started", BAD_CAST buf);
    utc(buf, sizeof buf, m->finished);
    xmlNewProp(times, BAD_CAST "finished", BAD_CAST buf);
    if (m->wall > 0) {
        snprintf(buf, sizeof buf, "%.3f", m->wall);
        xmlNewProp(times, BAD_CAST "wall_seconds", BAD_CAST buf);
    } else {
        prop_u(times, "wall_seconds", (unsigned long long)(m->finished - m->started));
    }
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
