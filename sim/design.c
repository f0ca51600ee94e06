/* design — sweep files: checking, expansion, hashing; see design.h. */
#include "design.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <nettle/sha2.h>

#include "infile.h"
#include "rng.h"

extern const char sweep_xsd[];        /* sim/schema.S */
extern const char sweep_xsd_end[];

const struct cfg_schema design_schema = { "sweep.xsd", sweep_xsd, sweep_xsd_end };

#define HASH_TAG "exposim-sweep-hash-v1\n"

/* ---- values --------------------------------------------------------------- */

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

/* Append a copy of text to a growing list; -1 on OOM. */
static int push(char ***v, size_t *n, size_t *cap, const char *text)
{
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 16;
        char **nv = realloc(*v, c * sizeof *nv);
        if (!nv)
            return -1;
        *v = nv;
        *cap = c;
    }
    if (!((*v)[*n] = strdup(text)))
        return -1;
    (*n)++;
    return 0;
}

int design_split_values(const char *text, char ***out, size_t *n)
{
    char **v = NULL;
    size_t cap = 0;
    *n = 0;
    for (const char *p = text; *p;) {
        p += strspn(p, " \t\r\n");
        size_t len = strcspn(p, " \t\r\n");
        if (!len)
            break;
        char tok[512];
        if (len >= sizeof tok || *n >= DESIGN_MAX_VALUES || (memcpy(tok, p, len), tok[len] = '\0', push(&v, n, &cap, tok))) {
            free_list(v, *n);
            *n = 0;
            *out = NULL;
            return -1;
        }
        p += len;
    }
    *out = v;
    return 0;
}

/* A computed number as the text points run with: integers exactly, other
 * values with 15 significant digits (a double's decimal precision, so
 * 0.1 + 2 * 0.1 is written 0.3). */
static void format_value(char *buf, size_t len, double v, int integer)
{
    if (integer)
        snprintf(buf, len, "%lld", (long long)llround(v));
    else
        snprintf(buf, len, "%.15g", v == 0 ? 0.0 : v);   /* no "-0" */
}

int design_expand_range(double from, double to, int has_step, double step, long points,
                        int logscale, int integer, char ***out, size_t *n,
                        char *err, size_t errlen)
{
    char **v = NULL;
    size_t cap = 0, count = 0;
    int rc = -1;
    *out = NULL;
    *n = 0;
    if (!isfinite(from) || !isfinite(to) || (has_step && !isfinite(step))) {
        snprintf(err, errlen, "from, to and step must be finite numbers");
        goto cleanup;
    }
    if (has_step == (points > 0)) {
        snprintf(err, errlen, "give exactly one of step and points");
        goto cleanup;
    }
    if (logscale && !(from > 0 && to > 0)) {
        snprintf(err, errlen, "a log-scale range needs from and to above 0 (got from %g, to %g)", from, to);
        goto cleanup;
    }
    if (points == 1 && from != to) {
        snprintf(err, errlen, "points=\"1\" needs from equal to to (got %g and %g)", from, to);
        goto cleanup;
    }
    if (has_step && !logscale) {
        if (step == 0) {
            snprintf(err, errlen, "step must not be 0");
            goto cleanup;
        }
        if ((to - from) * step < 0) {
            snprintf(err, errlen, "step %g goes away from to (from %g to %g needs a %s step)", step,
                     from, to, to > from ? "positive" : "negative");
            goto cleanup;
        }
    }
    if (has_step && logscale) {
        if (!(step > 0) || step == 1) {
            snprintf(err, errlen, "a log-scale step is a factor: it must be above 0 and not 1 (got %g)", step);
            goto cleanup;
        }
        if ((to > from && step < 1) || (to < from && step > 1)) {
            snprintf(err, errlen, "step %g goes away from to (from %g to %g needs a factor %s 1)", step,
                     from, to, to > from ? "above" : "below");
            goto cleanup;
        }
    }
    /* How many values: with a step, the last i whose value has not passed
     * `to` (a value within 1e-9 of a step beyond it still counts, so that
     * 0.1 step 0.1 to 0.3 ends at 0.3). */
    double span;
    if (has_step) {
        span = logscale ? log(to / from) / log(step) : (to - from) / step;
        if (!(span < (double)DESIGN_MAX_VALUES)) {
            snprintf(err, errlen, "the range has more than %d values", DESIGN_MAX_VALUES);
            goto cleanup;
        }
        points = (long)floor(span + 1e-9) + 1;
    }
    for (long i = 0; i < points; i++) {
        double x;
        if (i == 0)
            x = from;
        else if (!has_step && i == points - 1)
            x = to;
        else if (has_step && logscale)
            x = from * pow(step, (double)i);
        else if (has_step)
            x = from + (double)i * step;
        else if (logscale)
            x = pow(10.0, log10(from) + (double)i * (log10(to) - log10(from)) / (double)(points - 1));
        else
            x = from + (double)i * (to - from) / (double)(points - 1);
        char buf[64];
        format_value(buf, sizeof buf, x, integer);
        int repeat = 0;                       /* rounding can repeat a value */
        for (size_t k = 0; integer && k < count && !repeat; k++)
            repeat = strcmp(v[k], buf) == 0;
        if (!repeat && push(&v, &count, &cap, buf)) {
            snprintf(err, errlen, "out of memory");
            goto cleanup;
        }
    }
    *out = v;
    *n = count;
    v = NULL;
    rc = 0;
cleanup:
    free_list(v, count);
    return rc;
}

/* ---- reading the file ----------------------------------------------------- */

static const char *const set_only_by_sweep[] = { "run@replications", NULL };

/* A finite number attribute (the schema has checked its syntax). */
static int num_attr(struct cfg *c, const struct cfg_node *n, const char *attr, double *out)
{
    if (cfg_double(c, n, attr, NAN, out))
        return -1;
    if (!isfinite(*out))
        return cfg_error(c, n, attr, "must be a finite number");
    return 0;
}

/* xs:boolean, white space allowed around it. */
static int is_true(const char *s)
{
    s += strspn(s, " \t\r\n");
    size_t len = strcspn(s, " \t\r\n");
    return (len == 4 && strncmp(s, "true", 4) == 0) || (len == 1 && s[0] == '1');
}

static struct design_param *new_param(struct design *dz, const struct cfg_node *n, int lhs)
{
    struct design_param *np = realloc(dz->params, (dz->nparams + 1) * sizeof *np);
    if (!np)
        return NULL;
    dz->params = np;
    struct design_param *p = &dz->params[dz->nparams];
    memset(p, 0, sizeof *p);
    p->lhs = lhs;
    p->line = cfg_line(n);
    const char *path = cfg_str(n, "path", "");
    path += strspn(path, " \t\r\n");           /* xs:token: outer white space */
    size_t len = strlen(path);
    while (len && strchr(" \t\r\n", path[len - 1]))
        len--;
    if (!(p->path = strndup(path, len)))
        return NULL;
    dz->nparams++;
    return p;
}

/* Check what makes a path a PATH (the base scenario decides later whether
 * it names something) and that it is not varied twice. */
static int check_path(struct design *dz, const struct design_param *p, const struct cfg_node *n)
{
    struct cfg *c = dz->doc;
    const char *at = strchr(p->path, '@');
    if (!at || !at[1] || strchr(at + 1, '@') || strchr(at + 1, '/') || strpbrk(p->path, " =\t\r\n"))
        return cfg_error(c, n, "path", "'%s' is not a PATH (element/element@attribute, as --set takes)",
                         p->path);
    for (size_t k = 0; set_only_by_sweep[k]; k++)
        if (strcmp(p->path, set_only_by_sweep[k]) == 0)
            return cfg_error(c, n, "path", "'%s' cannot be varied: set it with the sweep's "
                             "replications attribute", p->path);
    for (size_t k = 0; k + 1 < dz->nparams; k++)
        if (strcmp(dz->params[k].path, p->path) == 0)
            return cfg_error(c, n, "path", "'%s' is varied twice (also on line %ld)", p->path,
                             dz->params[k].line);
    return 0;
}

static int read_grid(struct design *dz, const struct cfg_node *grid)
{
    struct cfg *c = dz->doc;
    for (const struct cfg_node *n = cfg_first(grid); n; n = cfg_next(n)) {
        struct design_param *p = new_param(dz, n, 0);
        if (!p)
            return diag_add(cfg_diag(c), NULL, 0, "out of memory");
        if (check_path(dz, p, n))
            return -1;
        const struct cfg_node *vals = cfg_child(n, "values"), *range = cfg_child(n, "range");
        if (vals) {
            char *text = cfg_text(vals);
            int bad = !text || design_split_values(text, &p->values, &p->nvalues);
            free(text);
            if (bad)
                return cfg_error(c, vals, NULL, "cannot read the values (a value longer than 511 "
                                 "characters, more than %d values, or out of memory)", DESIGN_MAX_VALUES);
            if (!p->nvalues)
                return cfg_error(c, vals, NULL, "the list of values for '%s' is empty", p->path);
        } else if (range) {
            double from, to, step = 0;
            long points = 0;
            if (num_attr(c, range, "from", &from) || num_attr(c, range, "to", &to)
                || (cfg_has(range, "step") && num_attr(c, range, "step", &step))
                || cfg_long(c, range, "points", 0, &points))
                return -1;
            const char *which = cfg_has(range, "step") ? "step" : cfg_has(range, "points") ? "points" : NULL;
            char err[300];
            if (design_expand_range(from, to, cfg_has(range, "step"), step, points,
                                    strcmp(cfg_str(range, "scale", "linear"), "log") == 0,
                                    is_true(cfg_str(range, "integer", "false")),
                                    &p->values, &p->nvalues, err, sizeof err))
                return cfg_error(c, range, which, "%s", err);
        }
    }
    return 0;
}

static int read_lhs(struct design *dz, const struct cfg_node *lhs)
{
    struct cfg *c = dz->doc;
    long npts, seed;
    if (cfg_long(c, lhs, "points", 1, &npts) || cfg_long(c, lhs, "seed", 1, &seed))
        return -1;
    if (npts < 1 || npts > DESIGN_MAX_VALUES)
        return cfg_error(c, lhs, "points", "must be 1 to %d", DESIGN_MAX_VALUES);
    dz->nlhs = (size_t)npts;
    gsl_rng *r = gsl_rng_alloc(RNG_TYPE);
    size_t *perm = malloc((size_t)npts * sizeof *perm);
    int rc = -1;
    if (!r || !perm) {
        diag_add(cfg_diag(c), NULL, 0, "out of memory");
        goto cleanup;
    }
    gsl_rng_set(r, (unsigned long)seed);
    /* Draws, in this order, per parameter in document order: a shuffle of
     * the strata 0..n-1, then one uniform position inside each stratum. */
    for (const struct cfg_node *n = cfg_first(lhs); n; n = cfg_next(n)) {
        struct design_param *p = new_param(dz, n, 1);
        if (!p) {
            diag_add(cfg_diag(c), NULL, 0, "out of memory");
            goto cleanup;
        }
        double from, to;
        if (check_path(dz, p, n) || num_attr(c, n, "from", &from) || num_attr(c, n, "to", &to))
            goto cleanup;
        if (!(from < to)) {
            cfg_error(c, n, "to", "must be above from (got from %g, to %g)", from, to);
            goto cleanup;
        }
        int integer = is_true(cfg_str(n, "integer", "false"));
        double lo = integer ? ceil(from) : from, hi = integer ? floor(to) : to;
        if (integer && lo > hi) {
            cfg_error(c, n, "to", "no integer lies between from %g and to %g", from, to);
            goto cleanup;
        }
        if (!(p->values = calloc((size_t)npts, sizeof *p->values))) {
            diag_add(cfg_diag(c), NULL, 0, "out of memory");
            goto cleanup;
        }
        p->nvalues = (size_t)npts;
        for (long i = 0; i < npts; i++)
            perm[i] = (size_t)i;
        gsl_ran_shuffle(r, perm, (size_t)npts, sizeof *perm);
        for (long i = 0; i < npts; i++) {
            double u = ((double)perm[i] + gsl_rng_uniform(r)) / (double)npts;
            double x = from + u * (to - from);
            if (integer)
                x = fmin(fmax(round(x), lo), hi);
            char buf[64];
            format_value(buf, sizeof buf, x, integer);
            if (!(p->values[i] = strdup(buf))) {
                diag_add(cfg_diag(c), NULL, 0, "out of memory");
                goto cleanup;
            }
        }
    }
    rc = 0;
cleanup:
    free(perm);
    gsl_rng_free(r);
    return rc;
}

/* The whole file's bytes, for the hash; NULL with a diagnostic.  A
 * regular file of at most CFG_MAX_INPUT_BYTES, the limit of a scenario,
 * checked before reading (infile.h). */
static char *slurp(const char *path, size_t *len, struct diag *d, const char *what)
{
    return infile_read(path, what, CFG_MAX_INPUT_BYTES, len, d);
}

static void hash_part(struct sha256_ctx *h, const char *bytes, size_t len)
{
    char head[32];
    int hl = snprintf(head, sizeof head, "%zu\n", len);
    sha256_update(h, (size_t)hl, (const uint8_t *)head);
    sha256_update(h, len, (const uint8_t *)bytes);
}

/* SHA-256 of HASH_TAG, then each part as "LENGTH\n" + bytes: the sweep
 * file, then each base that is a file, in document order (one base: the
 * hash of earlier versions, so their journals resume).  Each file is read
 * whole, at most CFG_MAX_INPUT_BYTES. */
static int compute_hash(struct design *dz, struct diag *d)
{
    size_t slen = 0;
    char *s = slurp(dz->file, &slen, d, "the sweep file");
    if (!s)
        return -1;
    struct sha256_ctx h;
    uint8_t dig[SHA256_DIGEST_SIZE];
    sha256_init(&h);
    sha256_update(&h, strlen(HASH_TAG), (const uint8_t *)HASH_TAG);
    hash_part(&h, s, slen);
    free(s);
    for (size_t i = 0; i < dz->nbases; i++) {
        struct design_base *b = &dz->bases[i];
        size_t blen = 0;
        char *bytes;
        if (!b->file)
            continue;
        if (!(bytes = slurp(b->file, &blen, d, "the base scenario"))) {
            if (b->name)
                diag_add(d, dz->file, b->line, "base '%s': its scenario file %s cannot be read (above)", b->name,
                         b->file);
            return -1;
        }
        hash_part(&h, bytes, blen);
        struct sha256_ctx one;                    /* the file's own, for the manifest */
        uint8_t bd[SHA256_DIGEST_SIZE];
        sha256_init(&one);
        sha256_update(&one, blen, (const uint8_t *)bytes);
        sha256_digest(&one, sizeof bd, bd);
        for (size_t k = 0; k < sizeof bd; k++)
            snprintf(dz->bases[i].hash + 2 * k, 3, "%02x", bd[k]);
        free(bytes);
    }
    sha256_digest(&h, sizeof dig, dig);
    for (size_t i = 0; i < sizeof dig; i++)
        snprintf(dz->hash + 2 * i, 3, "%02x", dig[i]);
    return 0;
}

/* A base's name: 1 to DESIGN_MAX_BASE_NAME printable ASCII characters, no
 * space at either end (a name is a CSV cell, a figure's label, a manifest
 * attribute).  0, or -1 with FILE:LINE. */
static int check_base_name(struct cfg *c, const struct cfg_node *base, const char *name)
{
    size_t len = strlen(name);
    if (!len)
        return cfg_error(c, base, "name", "is empty: give each base a name of 1 to %d printable characters",
                         DESIGN_MAX_BASE_NAME);
    if (len > DESIGN_MAX_BASE_NAME)
        return cfg_error(c, base, "name", "is %zu bytes long: at most %d", len, DESIGN_MAX_BASE_NAME);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch < 0x20 || ch > 0x7e)
            return cfg_error(c, base, "name", "has a character that is not printable ASCII (byte 0x%02x at "
                             "position %zu): use space to '~'", ch, i + 1);
    }
    if (name[0] == ' ' || name[len - 1] == ' ')
        return cfg_error(c, base, "name", "'%s' begins or ends with a space", name);
    return 0;
}

/* One <base>: a file or an inline <scenario>, and its name. */
static int read_base(struct design *dz, const struct cfg_node *base, struct design_base *b)
{
    struct cfg *c = dz->doc;
    const struct cfg_node *inl = cfg_first(base);
    b->line = cfg_line(base);
    if (cfg_has(base, "name")) {
        const char *name = cfg_str(base, "name", "");
        if (check_base_name(c, base, name))
            return -1;
        for (size_t k = 0; k < dz->nbases; k++)
            if (dz->bases[k].name && strcmp(dz->bases[k].name, name) == 0)
                return cfg_error(c, base, "name", "'%s' names two bases (also on line %ld)", name,
                                 dz->bases[k].line);
        if (!(b->name = strdup(name)))
            return diag_add(cfg_diag(c), NULL, 0, "out of memory");
    }
    if (cfg_has(base, "file") == (inl != NULL))
        return cfg_error(c, base, NULL, "give the base scenario either as file=\"...\" or inline "
                         "as a <scenario> element, not %s", inl ? "both" : "neither");
    if (inl) {
        if (strcmp(cfg_name(inl), "scenario") != 0)
            return cfg_error(c, inl, NULL, "an inline base must be a <scenario> element");
        b->inline_elem = inl;
        return 0;
    }
    const char *f = cfg_str(base, "file", "");
    if (!*f)
        return cfg_error(c, base, "file", "is empty");
    const char *slash = strrchr(dz->file, '/');
    size_t dirlen = f[0] == '/' || !slash ? 0 : (size_t)(slash - dz->file) + 1;
    if (!(b->file = malloc(dirlen + strlen(f) + 1)))
        return diag_add(cfg_diag(c), NULL, 0, "out of memory");
    memcpy(b->file, dz->file, dirlen);
    strcpy(b->file + dirlen, f);
    return 0;
}

/* Every <base> in document order; with names, the base column as
 * params[0] (a categorical grid parameter, the slowest). */
static int read_bases(struct design *dz, const struct cfg_node *root)
{
    struct cfg *c = dz->doc;
    size_t n = 0, named = 0;
    const struct cfg_node *first = NULL;
    for (const struct cfg_node *e = cfg_first(root); e; e = cfg_next(e))
        if (strcmp(cfg_name(e), "base") == 0) {
            first = first ? first : e;
            n++;
            named += cfg_has(e, "name") != 0;
        }
    if (!n || n > DESIGN_MAX_BASES)                /* the schema says so too */
        return cfg_error(c, root, NULL, "give 1 to %d <base> elements", DESIGN_MAX_BASES);
    if (!(dz->bases = calloc(n, sizeof *dz->bases)))
        return diag_add(cfg_diag(c), NULL, 0, "out of memory");
    for (const struct cfg_node *e = cfg_first(root); e; e = cfg_next(e)) {
        if (strcmp(cfg_name(e), "base") != 0)
            continue;
        if (n > 1 && !cfg_has(e, "name"))
            return cfg_error(c, e, NULL, "name every base when there are several (<base name=\"...\" "
                             "file=\"...\"/>): the name is the base's column in the result files");
        if (read_base(dz, e, &dz->bases[dz->nbases++]))   /* counted first: destroy frees it */
            return -1;
    }
    dz->base_file = dz->bases[0].file;
    dz->base_inline = dz->bases[0].inline_elem;
    dz->base_line = cfg_line(first);
    if (!named)
        return 0;
    struct design_param *p = new_param(dz, first, 0);
    if (!p)
        return diag_add(cfg_diag(c), NULL, 0, "out of memory");
    free(p->path);
    if (!(p->path = strdup(DESIGN_BASE_COLUMN)) || !(p->values = calloc(n, sizeof *p->values)))
        return diag_add(cfg_diag(c), NULL, 0, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!(p->values[i] = strdup(dz->bases[i].name)))
            return diag_add(cfg_diag(c), NULL, 0, "out of memory");
        p->nvalues++;
    }
    dz->base_param = 1;
    return 0;
}

int design_load(struct design *dz, const char *path, struct diag *d)
{
    memset(dz, 0, sizeof *dz);
    size_t before = d->n;
    if (!(dz->file = strdup(path))) {
        diag_add(d, NULL, 0, "out of memory");
        goto fail;
    }
    /* The root first, so that a scenario given by mistake is named as such
     * rather than as a schema violation. */
    if (!(dz->doc = cfg_load_schema(path, NULL, 0, NULL, d)))
        goto fail;
    if (strcmp(cfg_name(cfg_root(dz->doc)), "sweep") != 0) {
        cfg_error(dz->doc, cfg_root(dz->doc), NULL, "not a sweep file (the root element is <%s>, "
                  "not <sweep>)", cfg_name(cfg_root(dz->doc)));
        goto fail;
    }
    cfg_free(dz->doc);
    if (!(dz->doc = cfg_load_schema(path, NULL, 0, &design_schema, d)))
        goto fail;
    struct cfg *c = dz->doc;
    const struct cfg_node *root = cfg_root(c);
    long v;
    if (!(dz->name = strdup(cfg_str(root, "name", "sweep")))) {
        diag_add(d, NULL, 0, "out of memory");
        goto fail;
    }
    if ((dz->has_reps = cfg_has(root, "replications"))) {
        if (cfg_long(c, root, "replications", 1, &v))
            goto fail;
        dz->replications = (uint32_t)v;
    }
    if ((dz->has_seed = cfg_has(root, "seed"))) {
        if (cfg_long(c, root, "seed", 1, &v) || v < 0 || v > (long)UINT32_MAX) {
            cfg_error(c, root, "seed", "must be 0 to 4294967295");
            goto fail;
        }
        dz->seed = (uint32_t)v;
    }
    const struct cfg_node *grid = cfg_child(root, "grid"), *lhs = cfg_child(root, "latin_hypercube");
    if (read_bases(dz, root))
        goto fail;
    if (!grid && !lhs && dz->nbases < 2) {
        cfg_error(c, root, NULL, "nothing is varied: add a <grid>, a <latin_hypercube> or more bases");
        goto fail;
    }
    dz->design_line = grid || lhs ? cfg_line(grid ? grid : lhs) : dz->base_line;
    if (grid && read_grid(dz, grid))
        goto fail;
    dz->ngrid = dz->nparams;
    dz->nlhs = 1;
    if (lhs && read_lhs(dz, lhs))
        goto fail;
    double np = (double)dz->nlhs;
    for (size_t j = 0; j < dz->ngrid; j++)
        np *= (double)dz->params[j].nvalues;
    if (np * (dz->has_reps ? dz->replications : 1) > (double)DESIGN_MAX_RUNS) {
        cfg_error(c, grid ? grid : lhs ? lhs : root, NULL, "the design has %.0f points; at most %llu runs "
                  "(points x replications) are allowed", np, DESIGN_MAX_RUNS);
        goto fail;
    }
    dz->npoints = (size_t)np;
    if (compute_hash(dz, d))
        goto fail;
    return 0;
fail:
    if (d->n == before)
        diag_add(d, path, 0, "cannot be loaded as a sweep file");
    design_destroy(dz);
    return -1;
}

void design_destroy(struct design *dz)
{
    if (!dz)
        return;
    for (size_t j = 0; j < dz->nparams; j++) {
        free(dz->params[j].path);
        free_list(dz->params[j].values, dz->params[j].nvalues);
    }
    free(dz->params);
    cfg_free(dz->doc);
    for (size_t i = 0; dz->bases && i < dz->nbases; i++) {
        free(dz->bases[i].name);
        free(dz->bases[i].file);
    }
    free(dz->bases);
    free(dz->name);
    free(dz->file);
    memset(dz, 0, sizeof *dz);
}

/* ---- points --------------------------------------------------------------- */

size_t design_point_base(const struct design *dz, size_t p)
{
    return dz->nbases > 1 ? p / (dz->npoints / dz->nbases) : 0;
}

const char *design_value(const struct design *dz, size_t p, size_t j)
{
    const struct design_param *par = &dz->params[j];
    if (par->lhs)
        return par->values[p % dz->nlhs];
    size_t g = p / dz->nlhs;                  /* grid index; first parameter slowest */
    for (size_t k = dz->ngrid; k-- > j + 1;)
        g /= dz->params[k].nvalues;
    return par->values[g % par->nvalues];
}

/* "path=value", malloc'd. */
static char *assignment(const char *path, const char *value)
{
    size_t lp = strlen(path), lv = strlen(value);
    char *s = malloc(lp + lv + 2);
    if (s) {
        memcpy(s, path, lp);
        s[lp] = '=';
        memcpy(s + lp + 1, value, lv + 1);
    }
    return s;
}

long design_point_sets(const struct design *dz, size_t p, uint32_t seed, uint32_t reps, char ***sets)
{
    long n = (long)(dz->nparams - (size_t)dz->base_param) + 2;
    char **s = calloc((size_t)n, sizeof *s);
    char num[2][24];
    *sets = NULL;
    if (!s)
        return -1;
    snprintf(num[0], sizeof num[0], "%lu", (unsigned long)seed);
    snprintf(num[1], sizeof num[1], "%lu", (unsigned long)reps);
    int bad = !(s[0] = assignment("run@seed", num[0])) || !(s[1] = assignment("run@replications", num[1]));
    for (size_t j = (size_t)dz->base_param; j < dz->nparams && !bad; j++)
        bad = !(s[j - (size_t)dz->base_param + 2] = assignment(dz->params[j].path, design_value(dz, p, j)));
    if (bad) {
        design_sets_free(s, n);
        return -1;
    }
    *sets = s;
    return n;
}

void design_sets_free(char **sets, long n)
{
    for (long i = 0; sets && i < n; i++)
        free(sets[i]);
    free(sets);
}
