/* testutil — helpers for the suites; see testutil.h. */
#define _GNU_SOURCE
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csv.h>
#include <gsl/gsl_rng.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

char *tu_top(const char *rel)
{
    const char *top = getenv("EXPOSIM_TOP");
    char *p;
    if (asprintf(&p, "%s/%s", top ? top : ".", rel) < 0)
        return NULL;
    return p;
}

const char *tu_bin(void)
{
    const char *b = getenv("EXPOSIM_BIN");
    return b ? b : "bin/exposim";
}

char *tu_mkdtemp(void)
{
    const char *t = getenv("TMPDIR");
    char *p;
    if (asprintf(&p, "%s/exposim-test-XXXXXX", t ? t : "/tmp") < 0)
        return NULL;
    if (!mkdtemp(p)) {
        free(p);
        return NULL;
    }
    return p;
}

void tu_rmtree(const char *dir)
{
    char *cmd;
    if (dir && asprintf(&cmd, "rm -rf '%s'", dir) >= 0) {
        if (system(cmd) != 0)
            fprintf(stderr, "warning: could not remove %s\n", dir);
        free(cmd);
    }
}

void tu_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

char *tu_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

void tu_same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = tu_slurp(a, &la), *y = tu_slurp(b, &lb);
    ck_assert_msg(x != NULL, "missing %s", a);
    ck_assert_msg(y != NULL, "missing %s", b);
    ck_assert_msg(la == lb && memcmp(x, y, la) == 0, "%s and %s differ", a, b);
    free(x);
    free(y);
}

int tu_exposim(const char *args, char **out, char **err)
{
    char *dir = tu_mkdtemp();
    ck_assert_ptr_nonnull(dir);
    char *cmd;
    ck_assert_int_ge(asprintf(&cmd, "'%s' %s >'%s/out' 2>'%s/err' </dev/null", tu_bin(), args, dir, dir), 0);
    int st = system(cmd);
    free(cmd);
    char *p;
    ck_assert_int_ge(asprintf(&p, "%s/out", dir), 0);
    if (out)
        *out = tu_slurp(p, NULL);
    free(p);
    ck_assert_int_ge(asprintf(&p, "%s/err", dir), 0);
    if (err)
        *err = tu_slurp(p, NULL);
    free(p);
    tu_rmtree(dir);
    free(dir);
    ck_assert_msg(WIFEXITED(st), "exposim did not exit normally");
    return WEXITSTATUS(st);
}

void tu_run_expect(const char *file, const char *xml, const char *label, int want_status,
                   const char *want_text)
{
    char *dir = tu_mkdtemp(), *path, *args, *out = NULL, *err = NULL;
    ck_assert_ptr_nonnull(dir);
    ck_assert_int_ge(asprintf(&path, "%s/%s", dir, file), 0);
    tu_write(path, xml);
    ck_assert_int_ge(asprintf(&args, "run '%s' -o '%s/out'", path, dir), 0);
    int st = tu_exposim(args, &out, &err);
    ck_assert_msg(st == want_status, "%s: status %d (want %d)\nstdout: %s\nstderr: %s", label, st,
                  want_status, out, err);
    const char *hay = want_status ? err : out;
    ck_assert_msg(strstr(hay, want_text) != NULL, "%s: '%s' not in:\n%s", label, want_text, hay);
    free(out);
    free(err);
    free(args);
    free(path);
    tu_rmtree(dir);
    free(dir);
}

struct csv_state {
    struct tu_csv *csv;
    char **row;
    size_t n, cap;
    int oom;
};

static void on_field(void *s, size_t len, void *data)
{
    struct csv_state *st = data;
    if (st->n == st->cap) {
        st->cap = st->cap ? 2 * st->cap : 8;
        char **r = realloc(st->row, st->cap * sizeof *r);
        if (!r) {
            st->oom = 1;
            return;
        }
        st->row = r;
    }
    char *f = malloc(len + 1);
    if (!f) {
        st->oom = 1;
        return;
    }
    memcpy(f, s, len);
    f[len] = '\0';
    st->row[st->n++] = f;
}

static void on_row(int c, void *data)
{
    (void)c;
    struct csv_state *st = data;
    struct tu_csv *csv = st->csv;
    char ***rows = realloc(csv->rows, (csv->nrows + 1) * sizeof *rows);
    size_t *nf = realloc(csv->nfields, (csv->nrows + 1) * sizeof *nf);
    if (!rows || !nf) {
        st->oom = 1;
        free(rows ? NULL : NULL);
        if (rows)
            csv->rows = rows;
        if (nf)
            csv->nfields = nf;
        return;
    }
    csv->rows = rows;
    csv->nfields = nf;
    csv->rows[csv->nrows] = st->row;
    csv->nfields[csv->nrows] = st->n;
    csv->nrows++;
    st->row = NULL;
    st->n = st->cap = 0;
}

int tu_csv_read(const char *path, struct tu_csv *csv)
{
    memset(csv, 0, sizeof *csv);
    size_t len;
    char *text = tu_slurp(path, &len);
    if (!text)
        return -1;
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        free(text);
        return -1;
    }
    struct csv_state st = { csv, NULL, 0, 0, 0 };
    int rc = 0;
    if (csv_parse(&p, text, len, on_field, on_row, &st) != len)
        rc = -1;
    if (csv_fini(&p, on_field, on_row, &st) != 0)
        rc = -1;
    csv_free(&p);
    free(text);
    for (size_t i = 0; i < st.n; i++)
        free(st.row[i]);
    free(st.row);
    if (rc || st.oom) {                         /* nothing for the caller to free */
        tu_csv_free(csv);
        return -1;
    }
    return 0;
}

void tu_csv_free(struct tu_csv *csv)
{
    for (size_t r = 0; r < csv->nrows; r++) {
        for (size_t f = 0; f < csv->nfields[r]; f++)
            free(csv->rows[r][f]);
        free(csv->rows[r]);
    }
    free(csv->rows);
    free(csv->nfields);
    memset(csv, 0, sizeof *csv);
}

int tu_csv_col(const struct tu_csv *csv, const char *name)
{
    if (!csv->nrows)
        return -1;
    for (size_t f = 0; f < csv->nfields[0]; f++)
        if (strcmp(csv->rows[0][f], name) == 0)
            return (int)f;
    return -1;
}

gsl_rng *tu_rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    ck_assert_ptr_nonnull(r);
    gsl_rng_set(r, seed);
    return r;
}

void *tu_xml_read(const char *path)
{
    xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc && (doc->intSubset || doc->extSubset)) {
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

static xmlXPathObjectPtr eval(void *doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    ck_assert_ptr_nonnull(ctx);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    xmlXPathFreeContext(ctx);
    ck_assert_msg(o != NULL, "bad XPath %s", expr);
    return o;
}

char *tu_xpath(void *doc, const char *expr)
{
    xmlXPathObjectPtr o = eval(doc, expr);
    xmlChar *v = xmlXPathCastToString(o);
    xmlXPathFreeObject(o);
    char *s = strdup(v ? (const char *)v : "");
    xmlFree(v);
    ck_assert_ptr_nonnull(s);
    return s;
}

int tu_xpath_count(void *doc, const char *expr)
{
    xmlXPathObjectPtr o = eval(doc, expr);
    int n = o->type == XPATH_NODESET && o->nodesetval ? o->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(o);
    return n;
}
