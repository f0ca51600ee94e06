/* plot — figures and report.html from a results directory; see plot.h. */
#define _DEFAULT_SOURCE                   /* mkdtemp */
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dirent.h>
#include <libxml/tree.h>

#include "cfg.h"
#include "results.h"
#include "sim.h"

#define MAX_NAME 200                      /* a name drawn or shown: longer ones are cut */

/* ---- untrusted text out ------------------------------------------------- */

/* A gnuplot string literal: single quotes ('' for a quote; gnuplot expands
 * nothing else inside them), control characters as '?', at most MAX_NAME
 * bytes, and a space before a leading '<' or '|' (which would make the
 * string a command where gnuplot reads a data file name) or a leading
 * quote (gnuplot 5.4 ends the string at the first two of three quotes). */
static void gp_string(FILE *f, const char *s)
{
    fputc('\'', f);
    if (s[0] == '<' || s[0] == '|' || s[0] == '\'')   /* gnuplot 5.4 reads a leading "''" as '' */
        fputc(' ', f);
    for (size_t i = 0; s[i] && i < MAX_NAME; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\'')
            fputc('\'', f);
        fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
    }
    fputc('\'', f);
}

/* Text for HTML: markup characters as entities, control characters as
 * U+FFFD. */
static void html_text(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if (((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') || *s == 0x7f)
                fputs("\xef\xbf\xbd", f);
            else
                fputc(*s, f);
        }
}

/* ---- what is plotted ------------------------------------------------------- */

enum kind {
    K_RUN,                                /* timeseries.csv */
    K_SWEEP,                              /* sweep-summary.csv */
    K_DIFF,                               /* differences.csv (+ compare.csv) */
    K_PAIRED,                             /* paired-summary.csv */
    K_POINTS,                             /* compare.csv alone */
};

struct series {                           /* one metric's figure */
    const char *name;                     /* metric, as in the files (owned by the plot's strings) */
    struct sim_metric_desc desc;
    char file[96];                        /* its file name stem: [A-Za-z0-9_-], unique */
    double *x, *mean, *lo, *hi, *cf;      /* cf: the closed form, NaN where none */
    size_t *n;
    size_t len;
    int band;                             /* some interval is defined */
    int all_na;                           /* no mean is defined */
    int has_cf;
    char formula[160];
};

enum mode { M_POINT, M_LINE, M_CAT };

/* How a sweep's points are laid out (points are table rows 1..np). */
struct layout {
    enum mode mode;
    long xcol, gcol;                      /* PATH columns; -1 none */
    size_t nx, ng;
    const char **xval, **gval;            /* distinct values, in axis order */
    size_t *xi, *gi;                      /* per point */
    size_t *order;                        /* points sorted by (group, x) */
    int heat, logx;
};

/* A run's legal-process timeline (timeline.csv), replication 1: one lane
 * per instrument, and per target served at expansion (the first
 * TL_TARGET_LANES targets to appear; later ones share a lane). */
enum tl_event { TL_TERM, TL_EXTENSION, TL_GAP, TL_HOLD, TL_WINDOW, TL_ACQUISITION, TL_NEVENTS };
#define TL_MAX_LANES 40                   /* more lanes (strategies) are left out */
#define TL_TARGET_LANES 12                /* targets with a lane of their own; later ones share one */
#define TL_LATER 1e15                     /* the shared lane's target */
struct tl_item {
    size_t lane;
    enum tl_event ev;
    double start, end, acq;               /* acq NaN: none */
};
struct tl_lane {
    double strategy;                      /* NaN: an order at expansion */
    double target;                        /* -1: the targets of the time ("all") */
    char instrument[48];                  /* [a-z_] */
    char label[96];
};
struct timeline {
    struct tl_item *it;
    size_t n;
    struct tl_lane lane[TL_MAX_LANES];
    size_t nlanes, dropped;               /* lanes drawn; rows left out (their lanes beyond the last) */
    double xmax;
    int present[TL_NEVENTS];
};

struct plot {
    const struct plot_opts *o;
    enum kind kind;
    int diff;                             /* values are paired differences */
    char xlabel[MAX_NAME + 8];
    struct series *s;
    size_t ns;
    struct results_table sum;                     /* summary.csv (a run), the points (a sweep), compare.csv */
    struct results_table cmp;                     /* compare.csv beside differences.csv */
    size_t npath;                         /* a sweep's PATH columns */
    struct layout lay;
    char **names;                         /* owned metric names */
    size_t nnames;
    const struct sim_model_type *model;
    const struct sim_metric_info *catalog;
    /* manifest.xml, when there is one */
    struct cfg *man;
    struct diag man_diag;
    xmlNodePtr man_root, scen;            /* the manifest's root; the scenario (as run, or the base) */
    int forest;                           /* a compare's forest plot */
    size_t nforest;
    unsigned png_w, png_h, svg_w, svg_h;
    double fontscale;
    struct timeline tl;                   /* a run's timeline.csv, replication 1 (tl.nlanes 0: none) */
};

static void layout_free(struct layout *l)
{
    free(l->xval);
    free(l->gval);
    free(l->xi);
    free(l->gi);
    free(l->order);
    memset(l, 0, sizeof *l);
}

static void plot_free(struct plot *p)
{
    for (size_t i = 0; i < p->ns; i++) {
        free(p->s[i].x);
        free(p->s[i].mean);
        free(p->s[i].lo);
        free(p->s[i].hi);
        free(p->s[i].cf);
        free(p->s[i].n);
    }
    free(p->s);
    for (size_t i = 0; i < p->nnames; i++)
        free(p->names[i]);
    free(p->names);
    results_table_free(&p->sum);
    results_table_free(&p->cmp);
    layout_free(&p->lay);
    cfg_free(p->man);
    diag_destroy(&p->man_diag);
    free(p->tl.it);
}

/* A copy of name kept by the plot, or NULL (out of memory). */
static const char *keep_name(struct plot *p, const char *name, size_t len)
{
    char **nn = realloc(p->names, (p->nnames + 1) * sizeof *nn);
    if (!nn)
        return NULL;
    p->names = nn;
    char *s = malloc(len + 1);
    if (!s)
        return NULL;
    memcpy(s, name, len);
    s[len] = '\0';
    return p->names[p->nnames++] = s;
}

/* Series i named `name` (len bytes) with room for len points: its
 * description from the catalog and a file stem no other series has. */
static int series_alloc(struct plot *p, struct series *s, const char *name, size_t namelen, size_t len)
{
    if (!(s->name = keep_name(p, name, namelen)))
        return -1;
    sim_metric_describe(p->catalog, s->name, &s->desc);
    if (p->diff)                              /* a difference of shares is no share */
        s->desc.flags &= ~SIM_METRIC_SHARE;
    size_t k = 0;
    for (const char *c = s->name; *c && k + 1 < 64; c++)
        s->file[k++] = (char)((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
                                      || *c == '_' || *c == '-' ? *c : '_');
    if (!k)
        s->file[k++] = 'm';
    s->file[k] = '\0';
    char stem[sizeof s->file];
    memcpy(stem, s->file, sizeof stem);
    for (unsigned dup = 2;; dup++) {          /* "a/b" and "a_b" get different files */
        int taken = strcmp(s->file, "differences") == 0;
        for (struct series *o = p->s; o < s && !taken; o++)
            taken = strcmp(o->file, s->file) == 0 || (strncmp(s->file, o->file, strlen(o->file)) == 0
                                                      && strcmp(s->file + strlen(o->file), "-map") == 0)
                    || (strncmp(o->file, s->file, strlen(s->file)) == 0
                        && strcmp(o->file + strlen(s->file), "-map") == 0);
        if (!taken)
            break;
        snprintf(s->file, sizeof s->file, "%s-%u", stem, dup);
    }
    s->len = len;
    s->x = calloc(len + 1, sizeof *s->x);
    s->mean = calloc(len + 1, sizeof *s->mean);
    s->lo = calloc(len + 1, sizeof *s->lo);
    s->hi = calloc(len + 1, sizeof *s->hi);
    s->cf = calloc(len + 1, sizeof *s->cf);
    s->n = calloc(len + 1, sizeof *s->n);
    if (!(s->x && s->mean && s->lo && s->hi && s->cf && s->n))
        return -1;
    for (size_t i = 0; i <= len; i++)
        s->cf[i] = NAN;
    return 0;
}

/* band and all_na from the numbers. */
static void series_flags(struct series *s)
{
    s->all_na = 1;
    s->band = 0;
    for (size_t i = 0; i < s->len; i++) {
        s->all_na &= isnan(s->mean[i]);
        s->band |= !isnan(s->lo[i]) && !isnan(s->hi[i]);
    }
}

/* ---- manifest.xml ----------------------------------------------------------- */

static xmlNodePtr child_elem(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? xmlFirstElementChild(n) : NULL; c; c = xmlNextElementSibling(c))
        if (strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

/* An attribute's value (owned by the document: read through a buffer), or
 * NULL. */
static const char *attr(xmlNodePtr n, const char *name)
{
    if (!n)
        return NULL;
    xmlAttrPtr a = xmlHasProp(n, BAD_CAST name);
    return a && a->children && a->children->type == XML_TEXT_NODE ? (const char *)a->children->content : NULL;
}

/* Read DIR/manifest.xml (safely, through cfg without a schema); a missing
 * or unreadable manifest leaves p->man NULL: the report then says less. */
static void read_manifest(struct plot *p)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.xml", p->o->dir);
    diag_init(&p->man_diag);
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return;
    p->man = cfg_load_schema(path, NULL, 0, NULL, &p->man_diag);
    if (!p->man)
        return;
    p->man_root = xmlDocGetRootElement((xmlDocPtr)cfg_xml_doc(p->man));
    if (!p->man_root || strcmp((const char *)p->man_root->name, "manifest") != 0) {
        p->man_root = NULL;
        return;
    }
    xmlNodePtr holder = child_elem(p->man_root, "scenario_as_run");
    if (!holder)
        holder = child_elem(p->man_root, "base_as_run");
    p->scen = holder ? xmlFirstElementChild(holder) : NULL;
}

/* The model of the manifest's scenario, else the first of the table. */
static void choose_model(struct plot *p)
{
    const struct sim_model_type *const *models = p->o->models;
    if (!models || !models[0])
        return;
    p->model = p->scen ? sim_model_find(models, (const char *)p->scen->name) : NULL;
    if (!p->model)
        p->model = models[0];
    p->catalog = p->model->metrics;
}

/* The scenario element as a cfg node of the manifest's document. */
static const struct cfg_node *scen_node(const struct plot *p)
{
    if (!p->man || !p->scen)
        return NULL;
    const struct cfg_node *h = cfg_child(cfg_root(p->man), "scenario_as_run");
    if (!h)
        h = cfg_child(cfg_root(p->man), "base_as_run");
    return h ? cfg_first(h) : NULL;
}

/* ---- closed forms -------------------------------------------------------- */

struct cf_ctx {
    const struct plot *p;
    size_t at;                            /* the acquisition or point */
};

static double cf_value(const void *vctx, const char *name)
{
    const struct cf_ctx *c = vctx;
    for (size_t i = 0; i < c->p->ns; i++)
        if (strcmp(c->p->s[i].name, name) == 0 && c->at < c->p->s[i].len)
            return c->p->s[i].mean[c->at];
    return NAN;
}

/* Fill the closed form of every series that has one, at every x: for a
 * run from the scenario as run, for a sweep from each point's scenario
 * (the base with the point's values). */
static void closed_forms(struct plot *p)
{
    if (p->diff || !p->catalog || (p->kind != K_RUN && p->kind != K_SWEEP))
        return;
    int any = 0;
    for (size_t i = 0; i < p->ns; i++)
        any |= p->s[i].desc.info && p->s[i].desc.info->closed_form;
    const struct cfg_node *elem = scen_node(p);
    if (!any || !elem || strcmp(cfg_name(elem), "scenario") != 0)
        return;
    struct diag d;
    diag_init(&d);
    struct cfg_validator *v = cfg_validator_new(&cfg_scenario_schema, &d);
    size_t npoints = p->kind == K_RUN ? 1 : p->sum.n - 1;
    char **sets = calloc(p->npath + 1, sizeof *sets);
    for (size_t pt = 0; v && sets && pt < npoints; pt++) {
        size_t nsets = 0;
        for (size_t j = 0; p->kind == K_SWEEP && j < p->npath; j++) {
            const char *path = p->sum.rows[0][1 + j], *val = p->sum.rows[pt + 1][1 + j];
            size_t len = strlen(path) + strlen(val) + 2;
            if (!(sets[nsets] = malloc(len)))
                break;
            snprintf(sets[nsets++], len, "%s=%s", path, val);
        }
        struct cfg *c = cfg_derive(p->man, elem, (const char *const *)sets, nsets, v, &d);
        for (size_t j = 0; j < nsets; j++)
            free(sets[j]);
        if (!c)
            continue;                         /* no closed form for this point */
        for (size_t i = 0; i < p->ns; i++) {
            struct series *s = &p->s[i];
            const struct sim_metric_info *m = s->desc.info;
            if (!m || !m->closed_form || s->desc.targets)
                continue;
            size_t from = p->kind == K_RUN ? 0 : pt, to = p->kind == K_RUN ? s->len : pt + 1;
            for (size_t a = from; a < to; a++) {
                struct cf_ctx ctx = { p, a };
                double val;
                char formula[sizeof s->formula];
                if (m->closed_form(c, cf_value, &ctx, &val, formula, sizeof formula) == 1) {
                    s->cf[a] = val;
                    s->has_cf = 1;
                    memcpy(s->formula, formula, sizeof formula);
                }
            }
        }
        cfg_free(c);
    }
    free(sets);
    cfg_validator_free(v);
    diag_destroy(&d);
}

/* ---- loading --------------------------------------------------------------- */

/* A row of a run's file, for grouping: by metric (first-seen order),
 * acquisition, replication. */
struct key {
    uint32_t metric, acq, rep;
    size_t row;
};

static int by_key(const void *x, const void *y)
{
    const struct key *a = x, *b = y;
    if (a->metric != b->metric)
        return a->metric < b->metric ? -1 : 1;
    if (a->acq != b->acq)
        return a->acq < b->acq ? -1 : 1;
    if (a->rep != b->rep)
        return a->rep < b->rep ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* A run (or the differences of two): per metric and acquisition, the
 * statistics over replications. */
static int load_run(struct plot *p, const char *path, struct results_table *t, struct diag *d)
{
    if (t->n < 1 || t->ncols[0] != 5 || strcmp(t->rows[0][0], "replication") != 0)
        return diag_add(d, path, 1, "expected the header replication,acquisition,day,metric,value");
    struct results r;
    results_init(&r);
    uint32_t nrep = 0;
    int rc = 0;
    for (size_t i = 1; i < t->n && !rc; i++) {
        double rep, acq, day, value;
        if (t->ncols[i] != 5 || results_csv_number(t->rows[i][0], &rep) || results_csv_number(t->rows[i][1], &acq) || results_csv_number(t->rows[i][2], &day)
            || results_csv_number(t->rows[i][4], &value) || !(rep >= 1 && rep <= 1e7 && rep == floor(rep))
            || !(acq >= 1 && acq <= 1e6 && acq == floor(acq)) || isnan(day)) {
            rc = diag_add(d, path, (long)i + 1, "expected replication (from 1), acquisition (from 1), day, "
                          "metric, value");
            break;
        }
        if (results_add(&r, (uint32_t)rep - 1, (uint32_t)acq, day, t->rows[i][3], value))
            rc = diag_add(d, NULL, 0, "out of memory");
        nrep = (uint32_t)rep > nrep ? (uint32_t)rep : nrep;
    }
    if (!rc && r.nmetrics == 0)
        rc = diag_add(d, path, 0, "no metric values to plot");
    /* the rows grouped by (metric, acquisition), one sort for all */
    struct key *ord = NULL;
    double *v = NULL;
    if (!rc && (!(p->s = calloc(r.nmetrics, sizeof *p->s)) || !(ord = malloc(r.n * sizeof *ord))
                || !(v = malloc(nrep * sizeof *v))))
        rc = diag_add(d, NULL, 0, "out of memory");
    if (!rc) {
        for (size_t i = 0; i < r.n; i++)
            ord[i] = (struct key){ r.rows[i].metric, r.rows[i].acq, r.rows[i].rep, i };
        qsort(ord, r.n, sizeof *ord, by_key);
    }
    for (size_t lo = 0; !rc && lo < r.n;) {        /* one metric: ord[lo, hi) */
        size_t hi = lo;
        while (hi < r.n && ord[hi].metric == ord[lo].metric)
            hi++;
        struct series *s = &p->s[p->ns++];
        const char *name = r.metrics[ord[lo].metric];
        if (series_alloc(p, s, name, strlen(name), hi - lo)) {
            rc = diag_add(d, NULL, 0, "out of memory");
            break;
        }
        size_t len = 0;
        for (size_t g = lo; g < hi && !rc;) {      /* one acquisition: ord[g, e) */
            size_t e = g, nv = 0;
            double dsum = 0;
            for (; e < hi && ord[e].acq == ord[g].acq; e++) {
                if (e > g && ord[e].rep == ord[e - 1].rep) {
                    rc = diag_add(d, path, (long)ord[e].row + 2, "a second value of %.*s for replication %u, "
                                  "acquisition %u", MAX_NAME, s->name, ord[e].rep + 1, ord[e].acq);
                    break;
                }
                v[nv++] = r.rows[ord[e].row].value;
                dsum += r.rows[ord[e].row].day;
            }
            struct results_stat st = p->diff ? results_stat_of(v, nv)
                                             : results_stat_metric(p->catalog, s->name, v, nv);
            s->x[len] = dsum / (double)(e - g);
            s->mean[len] = st.mean;
            s->lo[len] = st.lo;
            s->hi[len] = st.hi;
            s->n[len] = st.n;
            len++;
            g = e;
        }
        s->len = len;
        series_flags(s);
        lo = hi;
    }
    free(ord);
    free(v);
    results_destroy(&r);
    snprintf(p->xlabel, sizeof p->xlabel, "day of the acquisition");
    return rc;
}

static int cmp_double(double a, double b) { return (a > b) - (a < b); }

/* The distinct values of column c over the points, in first-seen order
 * (numeric order when numeric); xi[r] the index of point r's value. */
static int distinct(const struct results_table *t, long c, int numeric, const char ***vals, size_t *nv, size_t **idx)
{
    size_t np = t->n - 1;
    *vals = calloc(np, sizeof **vals);
    *idx = calloc(np, sizeof **idx);
    *nv = 0;
    if (!*vals || !*idx)
        return -1;
    for (size_t r = 0; r < np; r++) {
        const char *v = t->rows[r + 1][c];
        size_t k = 0;
        while (k < *nv && strcmp((*vals)[k], v) != 0)
            k++;
        if (k == *nv)
            (*vals)[(*nv)++] = v;
    }
    if (numeric)                                  /* insertion sort: few values */
        for (size_t i = 1; i < *nv; i++)
            for (size_t j = i; j > 0; j--) {
                double a, b;
                results_csv_number((*vals)[j - 1], &a);
                results_csv_number((*vals)[j], &b);
                if (cmp_double(a, b) <= 0)
                    break;
                const char *tmp = (*vals)[j];
                (*vals)[j] = (*vals)[j - 1];
                (*vals)[j - 1] = tmp;
            }
    for (size_t r = 0; r < np; r++)
        for (size_t k = 0; k < *nv; k++)
            if (strcmp((*vals)[k], t->rows[r + 1][c]) == 0)
                (*idx)[r] = k;
    return 0;
}

struct point_key {
    size_t g, x, point;
};

static int by_group_x(const void *a, const void *b)
{
    const struct point_key *p = a, *q = b;
    if (p->g != q->g)
        return p->g < q->g ? -1 : 1;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return (p->point > q->point) - (p->point < q->point);
}

/* How to draw the points of t (PATH columns 1..npath). */
static int lay_out(struct plot *p, const struct results_table *t)
{
    struct layout *l = &p->lay;
    memset(l, 0, sizeof *l);
    l->xcol = l->gcol = -1;
    size_t np = t->n - 1;
    long vary[2];
    int numeric[2] = { 0, 0 };
    size_t nvary = 0, nd[2] = { 0, 0 };
    for (size_t c = 1; c <= p->npath; c++) {
        int varies = 0, isnum = 1;
        for (size_t r = 1; r < t->n; r++) {
            double v;
            isnum &= results_csv_number(t->rows[r][c], &v) == 0 && !isnan(v);
            varies |= strcmp(t->rows[r][c], t->rows[1][c]) != 0;
        }
        if (!varies)
            continue;
        if (nvary < 2) {
            vary[nvary] = (long)c;
            numeric[nvary] = isnum;
        }
        nvary++;
    }
    if (!(l->order = malloc(np * sizeof *l->order)))
        return -1;
    for (size_t r = 0; r < np; r++)
        l->order[r] = r;
    if (nvary == 0 || nvary > 2) {
        l->mode = M_POINT;
        return 0;
    }
    for (size_t k = 0; k < nvary; k++) {          /* distinct counts */
        const char **vals;
        size_t *idx;
        if (distinct(t, vary[k], 0, &vals, &nd[k], &idx)) {
            free(vals);
            free(idx);
            return -1;
        }
        free(vals);
        free(idx);
    }
    size_t xk = 0;
    if (nvary == 2 && (numeric[1] > numeric[0] || (numeric[1] == numeric[0] && nd[1] > nd[0])))
        xk = 1;
    l->xcol = vary[xk];
    l->mode = numeric[xk] ? M_LINE : M_CAT;
    if (distinct(t, l->xcol, numeric[xk], &l->xval, &l->nx, &l->xi))
        return -1;
    if (nvary == 2) {
        l->gcol = vary[1 - xk];
        if (distinct(t, l->gcol, numeric[1 - xk], &l->gval, &l->ng, &l->gi))
            return -1;
        /* a full grid: every (x, group) exactly once */
        char *seen = calloc(l->nx * l->ng, 1);
        if (!seen)
            return -1;
        l->heat = np == l->nx * l->ng && l->nx > 1 && l->ng > 1;
        for (size_t r = 0; r < np && l->heat; r++)
            l->heat = !seen[l->gi[r] * l->nx + l->xi[r]]++;
        free(seen);
    }
    if (l->mode == M_LINE) {
        double lo, hi;
        results_csv_number(l->xval[0], &lo);
        results_csv_number(l->xval[l->nx - 1], &hi);
        l->logx = lo > 0 && hi / lo >= 50;
    }
    struct point_key *k = malloc(np * sizeof *k);
    if (!k)
        return -1;
    for (size_t r = 0; r < np; r++)
        k[r] = (struct point_key){ l->gi ? l->gi[r] : 0, l->xi[r], r };
    qsort(k, np, sizeof *k, by_group_x);
    for (size_t r = 0; r < np; r++)
        l->order[r] = k[r].point;
    free(k);
    return 0;
}

/* The x position of point r (0-based). */
static double point_x(const struct plot *p, size_t r)
{
    const struct layout *l = &p->lay;
    if (l->mode == M_LINE) {
        double v = NAN;
        results_csv_number(p->sum.rows[r + 1][l->xcol], &v);
        return v;
    }
    if (l->mode == M_CAT)
        return (double)l->xi[r];
    return (double)(r + 1);
}

/* A sweep (or the paired differences of one): per metric, its row of
 * statistics at each point. */
static int load_sweep(struct plot *p, const char *path, struct results_table *t, struct diag *d)
{
    if (t->n < 2 || strcmp(t->rows[0][0], "point") != 0)
        return diag_add(d, path, 1, "expected the header point,PATH...,METRIC_mean,...");
    const size_t nc = t->ncols[0];
    char **h = t->rows[0];
    size_t first = 1;                             /* first metric column */
    while (first < nc) {
        size_t l = strlen(h[first]);
        if (l > 5 && strcmp(h[first] + l - 5, "_mean") == 0)
            break;
        first++;
    }
    if (first == nc || (nc - first) % 5 != 0)
        return diag_add(d, path, 1, "expected five columns per metric (_mean, _sd, _ci95_low, _ci95_high, _n)");
    for (size_t c = first; c < nc; c += 5) {      /* every metric's five columns start with METRIC_mean */
        size_t l = strlen(h[c]);
        if (l <= 5 || strcmp(h[c] + l - 5, "_mean") != 0)
            return diag_add(d, path, 1, "column %zu: expected METRIC_mean (five columns per metric: _mean, _sd, "
                            "_ci95_low, _ci95_high, _n)", c + 1);
    }
    p->npath = first - 1;
    for (size_t i = 1; i < t->n; i++)
        if (t->ncols[i] != nc)
            return diag_add(d, path, (long)i + 1, "%zu fields, the header has %zu", t->ncols[i], nc);
    if (lay_out(p, t))
        return diag_add(d, NULL, 0, "out of memory");
    const struct layout *l = &p->lay;
    if (l->xcol >= 0)
        snprintf(p->xlabel, sizeof p->xlabel, "%.*s", MAX_NAME, h[l->xcol]);
    else
        snprintf(p->xlabel, sizeof p->xlabel, "point");
    size_t nm = (nc - first) / 5, np = t->n - 1;
    if (!(p->s = calloc(nm, sizeof *p->s)))
        return diag_add(d, NULL, 0, "out of memory");
    for (size_t m = 0; m < nm; m++) {
        size_t c = first + 5 * m;
        struct series *s = &p->s[p->ns++];
        if (series_alloc(p, s, h[c], strlen(h[c]) - 5, np))
            return diag_add(d, NULL, 0, "out of memory");
        for (size_t r = 0; r < np; r++) {
            double mean, lo, hi, n;
            char **row = t->rows[r + 1];
            if (results_csv_number(row[c], &mean) || results_csv_number(row[c + 2], &lo) || results_csv_number(row[c + 3], &hi) || results_csv_number(row[c + 4], &n)
                || !(isnan(n) || (n >= 0 && n == floor(n))))
                return diag_add(d, path, (long)r + 2, "expected numbers (or NA) for %.*s", MAX_NAME, s->name);
            s->x[r] = point_x(p, r);
            s->mean[r] = mean;
            s->lo[r] = lo;
            s->hi[r] = hi;
            s->n[r] = isnan(n) ? 0 : (size_t)n;
        }
        series_flags(s);
    }
    return 0;
}

/* compare.csv: the header and numbers exposim compare writes. */
static const char *const compare_cols[] = { "metric", "mean_a", "mean_b", "diff_mean", "diff_sd", "diff_ci95_low",
                                            "diff_ci95_high", "n", "indep_ci95_low", "indep_ci95_high",
                                            "width_ratio" };
#define NCOMPARE (sizeof compare_cols / sizeof *compare_cols)

static int check_compare(const char *path, const struct results_table *t, struct diag *d)
{
    if (t->n < 1 || t->ncols[0] != NCOMPARE)
        return diag_add(d, path, 1, "expected the header of exposim compare");
    for (size_t c = 0; c < NCOMPARE; c++)
        if (strcmp(t->rows[0][c], compare_cols[c]) != 0)
            return diag_add(d, path, 1, "expected the header of exposim compare");
    for (size_t r = 1; r < t->n; r++) {
        double v;
        if (t->ncols[r] != NCOMPARE)
            return diag_add(d, path, (long)r + 1, "%zu fields, the header has %zu", t->ncols[r], NCOMPARE);
        for (size_t c = 1; c < NCOMPARE; c++)
            if (results_csv_number(t->rows[r][c], &v))
                return diag_add(d, path, (long)r + 1, "expected numbers (or NA)");
    }
    return 0;
}

/* The forest plot's rows: the metrics whose mean under A is a nonzero
 * number. */
static double cmp_num(const struct results_table *t, size_t r, size_t c)
{
    double v = NAN;
    results_csv_number(t->rows[r][c], &v);
    return v;
}

/* ---- writing ----------------------------------------------------------- */

static int csv_header(FILE *f, const char *const *cols, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        bad |= (i ? results_csv_sep(f) : 0) | results_csv_text(f, cols[i]);
    return bad | results_csv_end(f);
}

struct series_ctx {
    const struct plot *p;
    const struct series *s;
};

static int fill_series(FILE *f, const void *vctx)
{
    const struct series_ctx *c = vctx;
    const struct plot *p = c->p;
    const struct series *s = c->s;
    int bad;
    if (p->kind == K_RUN || p->kind == K_DIFF) {
        static const char *const cols[] = { "x", "mean", "ci95_low", "ci95_high", "n", "closed_form" };
        bad = csv_header(f, cols, 6);
        for (size_t i = 0; i < s->len; i++)
            bad |= results_csv_num(f, s->x[i]) | results_csv_sep(f) | results_csv_num(f, s->mean[i])
                   | results_csv_sep(f) | results_csv_num(f, s->lo[i]) | results_csv_sep(f)
                   | results_csv_num(f, s->hi[i]) | results_csv_sep(f) | results_csv_uint(f, s->n[i])
                   | results_csv_sep(f) | results_csv_num(f, s->cf[i]) | results_csv_end(f);
        return bad ? -1 : 0;
    }
    static const char *const cols[] = { "point", "x", "xi", "group", "mean", "ci95_low", "ci95_high", "n",
                                        "closed_form" };
    bad = csv_header(f, cols, 9);
    const struct layout *l = &p->lay;
    for (size_t k = 0; k < s->len; k++) {
        size_t i = l->order[k];
        bad |= results_csv_uint(f, i + 1) | results_csv_sep(f) | results_csv_num(f, s->x[i]) | results_csv_sep(f)
               | results_csv_uint(f, l->xi ? l->xi[i] : i) | results_csv_sep(f)
               | results_csv_uint(f, l->gi ? l->gi[i] : 0) | results_csv_sep(f) | results_csv_num(f, s->mean[i])
               | results_csv_sep(f) | results_csv_num(f, s->lo[i]) | results_csv_sep(f)
               | results_csv_num(f, s->hi[i]) | results_csv_sep(f) | results_csv_uint(f, s->n[i])
               | results_csv_sep(f) | results_csv_num(f, s->cf[i]) | results_csv_end(f);
    }
    return bad ? -1 : 0;
}

/* Whether row r of compare.csv gets a panel of the forest plot: its
 * paired interval is defined. */
static int forest_row(const struct results_table *t, size_t r)
{
    return !isnan(cmp_num(t, r, 5)) && !isnan(cmp_num(t, r, 6));
}

/* The forest plot's numbers: per metric of compare.csv with a paired
 * interval, B − A and its paired and independent intervals. */
static int fill_forest(FILE *f, const void *vctx)
{
    const struct plot *p = vctx;
    const struct results_table *t = p->kind == K_DIFF ? &p->cmp : &p->sum;
    static const char *const cols[] = { "row", "metric", "diff_mean", "diff_ci95_low", "diff_ci95_high",
                                        "indep_ci95_low", "indep_ci95_high" };
    int bad = csv_header(f, cols, 7);
    size_t row = 0;
    for (size_t r = 1; r < t->n; r++) {
        if (!forest_row(t, r))
            continue;
        bad |= results_csv_uint(f, row++) | results_csv_sep(f) | results_csv_text(f, t->rows[r][0]);
        for (size_t c = 3; c <= 9; c++)
            if (c != 4 && c != 7)
                bad |= results_csv_sep(f) | results_csv_num(f, cmp_num(t, r, c));
        bad |= results_csv_end(f);
    }
    return bad ? -1 : 0;
}

static void gp_ylabel(FILE *f, const struct plot *p, const struct series *s)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s%s%s%s%s", p->diff ? "difference in " : "", s->desc.axis,
             *s->desc.unit ? " (" : "", s->desc.unit, *s->desc.unit ? ")" : "");
    fputs("set ylabel ", f);
    gp_string(f, buf);
    fputs("\n", f);
}

/* y range (or the colour range of a heat map, axis "cb"): padded when
 * constant, fixed when nothing is defined. */
static void gp_range(FILE *f, const char *axis, const struct series *s)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t j = 0; j < s->len; j++) {
        const double v[4] = { s->mean[j], s->lo[j], s->hi[j], s->cf[j] };
        for (int k = 0; k < 4; k++)
            if (!isnan(v[k])) {
                lo = v[k] < lo ? v[k] : lo;
                hi = v[k] > hi ? v[k] : hi;
            }
    }
    if (lo > hi)
        fprintf(f, "set %srange [0:1]\n", axis);
    else if (hi - lo <= 1e-12 * (fabs(hi) > 1 ? fabs(hi) : 1)) {
        double pad = 0.05 * (fabs(hi) > 1 ? fabs(hi) : 1);
        fprintf(f, "set %srange [%.17g:%.17g]\n", axis, lo - pad, hi + pad);
    }
}

/* x range: around a single x value (gnuplot warns on an empty range); the
 * data's when nothing is drawn from them. */
static void gp_xrange(FILE *f, const struct series *s)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t j = 0; j < s->len; j++)
        if (!isnan(s->x[j])) {
            lo = s->x[j] < lo ? s->x[j] : lo;
            hi = s->x[j] > hi ? s->x[j] : hi;
        }
    if (lo > hi)
        fprintf(f, "set xrange [0:1]\n");
    else if (hi - lo <= 1e-12 * (fabs(hi) > 1 ? fabs(hi) : 1)) {
        double pad = fabs(hi) > 1 ? 0.1 * fabs(hi) : 1;
        fprintf(f, "set xrange [%.17g:%.17g]\n", lo - pad, hi + pad);
    } else if (s->all_na) {
        fprintf(f, "set xrange [%.17g:%.17g]\n", lo, hi);
    }
}

/* xtics labelled with the values (categories, heat maps), as they were
 * before the CSV file's spreadsheet guard (results.h). */
static void gp_tics(FILE *f, const char *axis, const char *const *vals, size_t n)
{
    fprintf(f, "set %stics (", axis);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", f);
        gp_string(f, results_csv_unguard(vals[i]));
        fprintf(f, " %zu", i);
    }
    fputs(")\n", f);
}

/* The terminal of format 0 (PNG), 1 (SVG) or 2 (PDF), height_cm tall
 * (0: the figures' height). */
static void gp_terminal(FILE *f, const struct plot *p, int format, const char *stem, double height_cm)
{
    static const char *const ext[] = { "png", "svg", "pdf" };
    double h = height_cm > 0 ? height_cm : p->o->height_cm;
    if (format == 0)
        fprintf(f, "set terminal pngcairo size %u,%ld fontscale %.3g linewidth %.3g noenhanced\n", p->png_w,
                lround(h / 2.54 * p->o->dpi), p->fontscale, p->fontscale);
    else if (format == 1)
        fprintf(f, "set terminal svg size %u,%ld font 'Sans,10' noenhanced\n", p->svg_w, lround(h / 2.54 * 96));
    else
        fprintf(f, "set terminal pdfcairo size %.4gcm,%.4gcm font 'Sans,9' noenhanced\n", p->o->width_cm, h);
    fprintf(f, "set output '%s.%s'\n", stem, ext[format]);
}

static void gp_reset(FILE *f)
{
    fputs("reset\nset datafile separator ','\nset datafile missing 'NA'\nset grid\n"
          "set key below horizontal height 1.5 noenhanced\n", f);
}


static void gp_series(FILE *f, const struct plot *p, const struct series *s)
{
    const struct layout *l = &p->lay;
    char title[sizeof s->desc.title + 64];
    const char *ref = attr(child_elem(p->man_root, "compare"), "reference");
    if (p->kind == K_PAIRED && ref && strspn(ref, "0123456789") == strlen(ref) && strlen(ref) < 10)
        snprintf(title, sizeof title, "%s: difference from point %s", s->desc.title, ref);
    else
        snprintf(title, sizeof title, "%s%s", s->desc.title,
                 p->kind == K_DIFF ? ": B - A" : p->kind == K_PAIRED ? ": difference from the reference point" : "");
    fputs("set title ", f);
    gp_string(f, title);
    fputs("\nset xlabel ", f);
    gp_string(f, p->xlabel);
    fputs("\n", f);
    gp_ylabel(f, p, s);
    gp_range(f, "y", s);
    if (p->kind == K_RUN || p->kind == K_DIFF || l->mode != M_CAT)
        gp_xrange(f, s);
    if (p->diff)
        fputs("set arrow from graph 0, first 0 to graph 1, first 0 nohead dt 3 lc rgb '#555555'\n", f);
    if (p->kind == K_RUN || p->kind == K_DIFF || l->mode != M_CAT)
        fputs("set offsets graph 0.02, graph 0.02, 0, 0\n", f);
    if (s->all_na) {
        fputs("set label 1 'not defined (NA) at every ", f);
        fputs(p->kind == K_RUN || p->kind == K_DIFF ? "acquisition" : "point", f);
        fputs("' at graph 0.5, graph 0.5 center\nunset key\nplot 2 notitle\n", f);
        return;
    }
    const char *cf_title = s->has_cf ? "closed form" : NULL;
    if (p->kind == K_RUN || p->kind == K_DIFF) {
        fprintf(f, "plot ");
        if (s->len > 1 && s->band)
            fprintf(f, "'%s.csv' every ::1 using 1:3:4 with filledcurves lc rgb '#c6dbef' title '95%% interval', ",
                    s->file);
        if (s->len == 1 && s->band)
            fprintf(f, "'%s.csv' every ::1 using 1:2:3:4 with yerrorbars lc rgb '#1f77b4' pt 7 "
                       "title 'mean, 95%% interval'", s->file);
        else
            fprintf(f, "'%s.csv' every ::1 using 1:2 with linespoints lc rgb '#1f77b4' pt 7 title 'mean'", s->file);
        if (cf_title) {
            fprintf(f, ", '%s.csv' every ::1 using 1:6 with %s dt 2 lw 2 lc rgb '#d62728' title 'closed form'",
                    s->file, s->len == 1 ? "points pt 6" : "lines");
        }
        fputs("\n", f);
        return;
    }
    if (l->mode == M_CAT) {
        fprintf(f, "set xrange [-0.5:%zu.5]\n", l->nx - 1);
        /* Long names (a sweep's bases) would run into each other: slanted
         * when the labels together are longer than about 60 characters. */
        size_t chars = 0;
        for (size_t i = 0; i < l->nx; i++)
            chars += strlen(l->xval[i]) + 2;
        if (chars > 60)
            fputs("set xtics rotate by 30 right\n", f);
        gp_tics(f, "x", l->xval, l->nx);
    }
    if (l->logx)
        fputs("set logscale x\n", f);
    if (l->mode == M_POINT) {
        fputs("unset key\n", f);
        if (s->band)
            fprintf(f, "plot '%s.csv' every ::1 using 1:5:6:7 with yerrorbars lc rgb '#1f77b4' pt 7 notitle", s->file);
        else
            fprintf(f, "plot '%s.csv' every ::1 using 1:5 with points lc rgb '#1f77b4' pt 7 notitle", s->file);
        if (cf_title)
            fprintf(f, ", '%s.csv' every ::1 using 1:9 with points pt 6 lc rgb '#d62728' notitle", s->file);
        fputs("\n", f);
        return;
    }
    size_t ng = l->gcol >= 0 ? l->ng : 1;
    if (ng == 1 && !cf_title)
        fputs("unset key\n", f);
    if (l->gcol >= 0) {                           /* the legend: the other parameter's values */
        const char *path = p->sum.rows[0][l->gcol], *slash = strrchr(path, '/');
        fputs("set key outside right top vertical Left reverse title ", f);
        gp_string(f, slash ? slash + 1 : path);
        fputs("\n", f);
    }
    fputs("plot ", f);
    for (size_t g = 0; g < ng; g++) {
        /* Categories have no order between them: points (each group a
         * little to the side), not lines. */
        char xs[64] = "2";
        if (l->mode == M_CAT && ng > 1)
            snprintf(xs, sizeof xs, "($2 + %.4g)", 0.3 * ((double)g / (double)(ng - 1) - 0.5));
        const char *with = l->mode == M_CAT ? (s->band ? "yerrorbars" : "points")
                                            : (s->band ? "yerrorlines" : "linespoints");
        fprintf(f, "%s'%s.csv' every ::1 using %s:($4 == %zu ? $5 : 1/0)%s with %s lc %zu pt 7 ", g ? ", " : "",
                s->file, xs, g, s->band ? ":6:7" : "", with, g + 1);
        if (l->gcol >= 0) {
            fputs("title ", f);
            gp_string(f, results_csv_unguard(l->gval[g]));
        } else {
            fputs("title 'mean, 95% interval'", f);
        }
        if (cf_title)
            fprintf(f, ", '%s.csv' every ::1 using %s:($4 == %zu ? $9 : 1/0) with %s dt 2 pt 6 lc %zu %s",
                    s->file, xs, g, l->mode == M_CAT ? "points" : "linespoints", g + 1,
                    ng > 1 ? "notitle" : "title 'closed form'");
    }
    fputs("\n", f);
}

/* The heat map of a full two-parameter grid. */
static void gp_heat(FILE *f, const struct plot *p, const struct series *s)
{
    const struct layout *l = &p->lay;
    char buf[MAX_NAME + 300];
    snprintf(buf, sizeof buf, "%s: mean", s->desc.title);
    fputs("set title ", f);
    gp_string(f, buf);
    fputs("\nset xlabel ", f);
    gp_string(f, p->sum.rows[0][l->xcol]);
    fputs("\nset ylabel ", f);
    gp_string(f, p->sum.rows[0][l->gcol]);
    snprintf(buf, sizeof buf, "%s%s%s%s%s", p->diff ? "difference in " : "", s->desc.axis,
             *s->desc.unit ? " (" : "", s->desc.unit, *s->desc.unit ? ")" : "");
    fputs("\nset cblabel ", f);
    gp_string(f, buf);
    fprintf(f, "\nset xrange [-0.5:%zu.5]\nset yrange [-0.5:%zu.5]\nunset key\nunset grid\n", l->nx - 1, l->ng - 1);
    gp_tics(f, "x", l->xval, l->nx);
    gp_tics(f, "y", l->gval, l->ng);
    gp_range(f, "cb", s);
    fputs("set palette defined (0 '#fff5eb', 0.5 '#fdae6b', 1 '#e6550d')\nset style fill solid 1.0 noborder\n", f);
    fprintf(f, "plot '%s.csv' every ::1 using 3:4:(0.5):(0.5):5 with boxxyerror fc palette notitle, "
               "'' every ::1 using 3:4:(sprintf('%%.3g', $5)) with labels notitle\n", s->file);
}

/* The forest plot: a panel per metric, each on its own scale (the metrics'
 * units differ), the paired interval of B − A under the independent one. */
static void gp_forest(FILE *f, const struct plot *p)
{
    const struct results_table *t = p->kind == K_DIFF ? &p->cmp : &p->sum;
    fprintf(f, "set multiplot layout %zu,1 title 'B - A: paired 95%% interval (dot), independent (grey)'\n",
            p->nforest);
    size_t row = 0;
    for (size_t r = 1; r < t->n; r++) {
        if (!forest_row(t, r))
            continue;
        struct sim_metric_desc m;
        sim_metric_describe(p->catalog, t->rows[r][0], &m);
        double lo = INFINITY, hi = -INFINITY;     /* the range: both intervals */
        for (size_t c = 3; c <= 9; c++) {
            double v = cmp_num(t, r, c);
            if (c != 4 && c != 7 && !isnan(v)) {
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
        }
        double pad = hi > lo ? 0.1 * (hi - lo) : fabs(hi) > 0 ? 0.1 * fabs(hi) : 1;
        double span = hi - lo + 2 * pad, step = pow(10, floor(log10(span / 4)));   /* 3 to 8 tics */
        step *= span / step > 30 ? 10 : span / step > 12 ? 5 : span / step > 6 ? 2 : 1;
        fprintf(f, "unset key\nunset ytics\nset yrange [-1:1]\nset grid xtics\nset xtics nomirror scale 0.5 %.17g\n"
                   "set format x '%%.4g'\nset lmargin at screen 0.46\nset rmargin at screen 0.96\nset tmargin 0.5\n"
                   "set bmargin 1.5\nunset label\nunset arrow\nset label 1 ", step);
        gp_string(f, m.title);
        fprintf(f, " at screen 0.44, graph 0.5 right\nset xrange [%.17g:%.17g]\n"
                   "set arrow from first 0, graph 0 to first 0, graph 1 nohead dt 3 lc rgb '#555555'\n"
                   "plot 'differences.csv' every ::%zu::%zu using 3:(0.35):6:7 with xerrorbars pt 0 lw 2 "
                   "lc rgb '#999999' notitle, '' every ::%zu::%zu using 3:(-0.3):4:5 with xerrorbars pt 7 "
                   "lc rgb '#1f77b4' notitle\n", lo - pad, hi + pad, row + 1, row + 1, row + 1, row + 1);
        row++;
    }
    fputs("unset multiplot\n", f);
}


/* The timeline's numbers as drawn (figures/timeline.csv): per item its
 * event code (enum tl_event), x, y, its box [xlo, xhi] x [ylo, yhi] and
 * its acquisition.  Lane j (0-based, the first on top) is centred on
 * y = nlanes - j: orders and holds above the centre, the windows obtained
 * below it, staggered by acquisition number so chained windows stay apart. */
static int fill_timeline(FILE *f, const void *ctx)
{
    const struct timeline *tl = ctx;
    static const char *const cols[] = { "event", "x", "y", "xlo", "xhi", "ylo", "yhi", "acquisition", "lane" };
    int bad = csv_header(f, cols, 9);
    for (size_t i = 0; i < tl->n && !bad; i++) {
        const struct tl_item *e = &tl->it[i];
        double base = (double)(tl->nlanes - e->lane), y, h;
        if (e->ev == TL_WINDOW) {
            int stagger = isnan(e->acq) ? 0 : (int)fmod(e->acq - 1, 3);
            y = base - 0.12 - 0.13 * stagger;
            h = 0.05;
        } else {
            y = base + 0.2;
            h = e->ev == TL_GAP ? 0.06 : 0.17;
        }
        double v[8] = { (double)e->ev, (e->start + e->end) / 2, y, e->start, e->end, y - h, y + h, e->acq };
        for (size_t c = 0; c < 8; c++)
            bad |= results_csv_num(f, v[c]) | results_csv_sep(f);
        bad |= results_csv_text(f, tl->lane[e->lane].label) | results_csv_end(f);
    }
    return bad ? -1 : 0;
}

static void gp_timeline(FILE *f, const struct plot *p)
{
    const struct timeline *tl = &p->tl;
    static const char *const style[] = {
        "with boxxyerror fs solid 0.55 border lc rgb '#2171b5' lc rgb '#6baed6' title 'order term'",
        "with boxxyerror fs solid 0.85 border lc rgb '#08306b' lc rgb '#2171b5' title 'extension'",
        "with boxxyerror fs pattern 4 border lc rgb '#d62728' lc rgb '#d62728' title 'gap'",
        "with boxxyerror fs solid 0.5 border lc rgb '#e6550d' lc rgb '#fdae6b' title 'hold'",
        "with boxxyerror fs solid 0.9 noborder lc rgb '#31a354' title 'window obtained'",
    };
    fputs("set title 'Legal process, replication 1'"
          "\nset xlabel 'day'\nunset ylabel\nset grid xtics noytics\n"
          "set key below horizontal reverse Left noenhanced\n", f);   /* samples first: none cut at the edge */
    fprintf(f, "set xrange [0:%.10g]\nset yrange [0.45:%zu.6]\nset ytics scale 0 (", tl->xmax > 0 ? tl->xmax * 1.03 : 1,
            tl->nlanes);
    for (size_t j = 0; j < tl->nlanes; j++) {
        fputs(j ? ", " : "", f);
        gp_string(f, tl->lane[j].label);
        fprintf(f, " %zu", tl->nlanes - j);
    }
    fputs(")\nset offsets 0, 0, 0, 0\nplot ", f);
    int first = 1;
    for (int e = 0; e < TL_ACQUISITION; e++)
        if (tl->present[e]) {
            fprintf(f, "%s'timeline.csv' every ::1 using ($1==%d?$2:NaN):3:4:5:6:7 %s", first ? "" : ", \\\n  ",
                    e, style[e]);
            first = 0;
        }
    if (tl->present[TL_ACQUISITION])
        fprintf(f, "%s'timeline.csv' every ::1 using ($1==%d?$2:NaN):3 with points pt 9 ps 1.3 lc rgb 'black' "
                   "title 'acquisition', \\\n  'timeline.csv' every ::1 using ($1==%d?$2:NaN):($3+0.3):"
                   "(sprintf('%%d', $8)) with labels font ',7' notitle", first ? "" : ", \\\n  ", TL_ACQUISITION,
                TL_ACQUISITION);
    fputs("\n", f);
}

static int fill_script(FILE *f, const void *ctx)
{
    const struct plot *p = ctx;
    fprintf(f, "# drawn by exposim plot: gnuplot plots.gp (in this directory)\n");
    int formats = p->o->pdf ? 3 : 2;
    for (size_t i = 0; i < p->ns; i++) {
        const struct series *s = &p->s[i];
        for (int fmt = 0; fmt < formats; fmt++) {
            gp_reset(f);
            gp_terminal(f, p, fmt, s->file, 0);
            gp_series(f, p, s);
        }
        if ((p->kind == K_SWEEP || p->kind == K_PAIRED) && p->lay.heat && !s->all_na)
            for (int fmt = 0; fmt < formats; fmt++) {
                char stem[sizeof s->file + 8];
                snprintf(stem, sizeof stem, "%s-map", s->file);
                gp_reset(f);
                gp_terminal(f, p, fmt, stem, 0);
                gp_heat(f, p, s);
            }
    }
    if (p->forest)
        for (int fmt = 0; fmt < formats; fmt++) {
            gp_reset(f);
            gp_terminal(f, p, fmt, "differences", 1.4 * (double)p->nforest + 2);
            gp_forest(f, p);
        }
    if (p->tl.nlanes) {
        double h = 0.8 * (double)p->tl.nlanes + 4;
        for (int fmt = 0; fmt < formats; fmt++) {
            gp_reset(f);
            gp_terminal(f, p, fmt, "timeline", h > p->o->height_cm ? h : p->o->height_cm);
            gp_timeline(f, p);
        }
    }
    fprintf(f, "set output\n");
    return ferror(f) ? -1 : 0;
}

/* ---- the report --------------------------------------------------------- */

/* A mean and its interval with the digits the interval supports: the
 * half-width to two significant digits, the mean and the bounds to the
 * same decimal place. */
static void fmt_est(char *buf, size_t len, double mean, double lo, double hi)
{
    if (isnan(mean)) {
        snprintf(buf, len, "NA");
        return;
    }
    double half = fmax(mean - lo, hi - mean);
    if (!(isfinite(half) && half > 0)) {
        snprintf(buf, len, "%.6g", mean);
        return;
    }
    int dec = 1 - (int)floor(log10(half));
    if (dec < 0)
        dec = 0;
    if (dec <= 9 && fabs(mean) < 1e12)
        snprintf(buf, len, "%.*f", dec, mean);
    else {
        int sig = (int)floor(log10(fabs(mean) > 0 ? fabs(mean) : half)) + dec + 1;
        snprintf(buf, len, "%.*g", sig < 2 ? 2 : sig > 15 ? 15 : sig, mean);
    }
}

static void fmt_interval(char *buf, size_t len, double mean, double lo, double hi)
{
    if (isnan(lo) || isnan(hi)) {
        snprintf(buf, len, "NA");
        return;
    }
    char a[64], b[64];
    double half = fmax(mean - lo, hi - mean);
    if (!(isfinite(half) && half > 0)) {
        snprintf(buf, len, "[%.6g, %.6g]", lo, hi);
        return;
    }
    fmt_est(a, sizeof a, lo, lo - half, lo + half);
    fmt_est(b, sizeof b, hi, hi - half, hi + half);
    snprintf(buf, len, "[%s, %s]", a, b);
}

static void html_num_cells(FILE *f, double mean, double lo, double hi, const char *n)
{
    char a[96], b[160];
    fmt_est(a, sizeof a, mean, lo, hi);
    fmt_interval(b, sizeof b, mean, lo, hi);
    fprintf(f, "<td>%s</td><td>%s</td><td>", a, b);
    html_text(f, n);
    fputs("</td>", f);
}

static void html_metric_cell(FILE *f, const struct sim_metric_desc *m, const char *name)
{
    fputs("<td class=l>", f);
    html_text(f, m->title);
    if (strcmp(m->title, name) != 0) {
        fputs(" <code>", f);
        html_text(f, name);
        fputs("</code>", f);
    }
    fputs("</td><td class=l>", f);
    html_text(f, m->unit);
    fputs("</td>", f);
}

/* One row of "what was run". */
static void html_fact(FILE *f, const char *what, const char *value)
{
    if (!value || !*value)
        return;
    fputs("<tr><th>", f);
    html_text(f, what);
    fputs("</th><td class=l>", f);
    html_text(f, value);
    fputs("</td></tr>\n", f);
}

/* The command line, each argument quoted for a POSIX shell when needed. */
static void html_command(FILE *f, xmlNodePtr cmd)
{
    if (!cmd)
        return;
    fputs("<tr><th>Command</th><td class=l><code>", f);
    int first = 1;
    for (xmlNodePtr a = xmlFirstElementChild(cmd); a; a = xmlNextElementSibling(a)) {
        xmlChar *t = xmlNodeGetContent(a);
        const char *s = t ? (const char *)t : "";
        if (!first)
            fputc(' ', f);
        first = 0;
        if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./@=:,+%") == strlen(s))
            html_text(f, s);
        else {
            fputc('\'', f);
            for (const char *c = s; *c; c++) {
                char one[2] = { *c, 0 };
                html_text(f, *c == '\'' ? "'\\''" : one);
            }
            fputc('\'', f);
        }
        xmlFree(t);
    }
    fputs("</code></td></tr>\n", f);
}

/* Every attribute of the scenario as run, named as --set names it. */
static void html_params(FILE *f, xmlNodePtr e, char *path, size_t len, size_t *rows)
{
    size_t at = strlen(path);
    for (xmlAttrPtr a = e->properties; a && *rows < 5000; a = a->next) {
        xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
        fputs("<tr><td class=l><code>", f);
        html_text(f, path);
        fputs("@", f);
        html_text(f, (const char *)a->name);
        fputs("</code></td><td class=l>", f);
        html_text(f, v ? (const char *)v : "");
        fputs("</td></tr>\n", f);
        xmlFree(v);
        ++*rows;
    }
    for (xmlNodePtr c = xmlFirstElementChild(e); c && *rows < 5000; c = xmlNextElementSibling(c)) {
        size_t k = 0, of = 0;
        for (xmlNodePtr s = xmlFirstElementChild(e); s; s = xmlNextElementSibling(s))
            if (strcmp((const char *)s->name, (const char *)c->name) == 0) {
                of++;
                if (s == c)
                    k = of;
            }
        if (of > 1)
            snprintf(path + at, len - at, "%s%s[%zu]", at ? "/" : "", (const char *)c->name, k);
        else
            snprintf(path + at, len - at, "%s%s", at ? "/" : "", (const char *)c->name);
        html_params(f, c, path, len, rows);
        path[at] = '\0';
    }
}

static void html_run_facts(FILE *f, const struct plot *p)
{
    xmlNodePtr m = p->man_root;
    if (!m)
        return;
    fputs("<h2>What was run</h2>\n<table class=facts>\n", f);
    char buf[512];
    snprintf(buf, sizeof buf, "%s %s", attr(m, "program") ? attr(m, "program") : "exposim",
             attr(m, "version") ? attr(m, "version") : "");
    html_fact(f, "Program", buf);
    xmlNodePtr sw = child_elem(m, "sweep"), cmp = child_elem(m, "compare");
    if (sw) {
        html_fact(f, "Sweep", attr(sw, "name"));
        html_fact(f, "Sweep file", attr(sw, "file"));
        html_fact(f, "Base scenario file", attr(sw, "base_file"));
        xmlNodePtr bases = child_elem(sw, "bases");   /* several bases: each one's name and file */
        for (xmlNodePtr b = bases ? xmlFirstElementChild(bases) : NULL; b; b = xmlNextElementSibling(b)) {
            char what[128];
            snprintf(what, sizeof what, "Base %.100s", attr(b, "name") ? attr(b, "name") : "");
            html_fact(f, what, attr(b, "file") ? attr(b, "file") : "inline");
        }
        html_fact(f, "Points", attr(sw, "points"));
        html_fact(f, "Replications per point", attr(sw, "replications"));
    } else if (cmp) {
        html_fact(f, "A", attr(cmp, "a"));
        html_fact(f, "B", attr(cmp, "b"));
        html_fact(f, "Reference point", attr(cmp, "reference"));
        html_fact(f, "Pairs", attr(cmp, "pairs"));
    } else {
        html_fact(f, "Scenario file", attr(m, "scenario_file"));
    }
    xmlNodePtr run = p->scen ? child_elem(p->scen, "run") : NULL;
    if (!sw && !cmp) {
        html_fact(f, "Replications", attr(run, "replications") ? attr(run, "replications") : run ? "1" : NULL);
    }
    if (!cmp)
        html_fact(f, "Horizon (days)", attr(run, "horizon_days"));
    html_fact(f, "Scenario seed", attr(child_elem(m, "seeds"), "scenario_seed"));
    html_command(f, child_elem(m, "command"));
    xmlNodePtr t = child_elem(m, "times");
    html_fact(f, "Started (UTC)", attr(t, "started"));
    html_fact(f, "Finished (UTC)", attr(t, "finished"));
    html_fact(f, "Wall time (s)", attr(t, "wall_seconds"));
    fputs("</table>\n", f);
    if (p->scen) {
        char path[2048] = "";
        size_t rows = 0;
        fputs(sw ? "<h2>Base scenario as run</h2>\n" : "<h2>Parameters as run</h2>\n", f);
        fputs("<p>Every attribute of the scenario as it was run (after <code>--set</code>, <code>--seed</code> and "
              "<code>--replications</code>), named as <code>--set</code> names it; an attribute not listed has its "
              "default (docs/scenarios.md).</p>\n<details><summary>", f);
        html_text(f, (const char *)p->scen->name);
        fputs("</summary>\n<table>\n<tr><th>PATH</th><th>value</th></tr>\n", f);
        html_params(f, p->scen, path, sizeof path, &rows);
        fputs("</table>\n</details>\n", f);
    }
}

static void html_head(FILE *f, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>exposim: ", f);
    html_text(f, title);
    fputs("</title>\n<style>body{font-family:sans-serif;max-width:62em;margin:auto;padding:0 1em}"
          "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;"
          "text-align:right;vertical-align:top}.l{text-align:left}th{background:#f4f4f4}"
          "table.facts th{text-align:left}figure{margin:1em 0}figure img{width:100%;max-width:48em}"
          "figcaption{font-size:90%;color:#333}.desc{font-size:110%}</style></head><body>\n<h1>", f);
    html_text(f, title);
    fputs("</h1>\n", f);
}

static void html_figure(FILE *f, const struct plot *p, const char *stem, const char *alt, const char *caption)
{
    fprintf(f, "<figure><img src=\"figures/%s.svg\" alt=\"", stem);
    html_text(f, alt);
    fputs("\"><figcaption>", f);
    if (caption)
        html_text(f, caption);
    fprintf(f, " (<a href=\"figures/%s.png\">PNG</a>, <a href=\"figures/%s.svg\">SVG</a>", stem, stem);
    if (p->o->pdf)
        fprintf(f, ", <a href=\"figures/%s.pdf\">PDF</a>", stem);
    fprintf(f, ", <a href=\"figures/%s.csv\">numbers</a>)</figcaption></figure>\n", stem);
}

/* The run's summary.csv, the metrics in the catalog's words. */
static void html_run_summary(FILE *f, const struct plot *p)
{
    const struct results_table *t = &p->sum;
    if (t->n < 1 || t->ncols[0] != 6)
        return;
    fputs("<h2>Summary</h2>\n<p>Each replication's last value (after its final acquisition): the mean over "
          "replications and its 95% confidence interval (Student-t; on the logit scale for a share), shown to the "
          "digits the interval supports; <code>summary.csv</code> has every digit.</p>\n<table>\n"
          "<tr><th class=l>metric</th><th class=l>unit</th><th>mean</th><th>95% interval</th><th>n</th></tr>\n", f);
    for (size_t r = 1; r < t->n; r++) {
        double mean, lo, hi;
        if (t->ncols[r] != 6 || results_csv_number(t->rows[r][1], &mean) || results_csv_number(t->rows[r][3], &lo) || results_csv_number(t->rows[r][4], &hi))
            continue;
        struct sim_metric_desc m;
        sim_metric_describe(p->catalog, t->rows[r][0], &m);
        fputs("<tr>", f);
        html_metric_cell(f, &m, t->rows[r][0]);
        html_num_cells(f, mean, lo, hi, t->rows[r][5]);
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* compare.csv in the catalog's words. */
static void html_compare(FILE *f, const struct plot *p, const struct results_table *t)
{
    fputs("<h2>Paired differences</h2>\n<p>Per metric, the last value of each replication under A and under B "
          "(the same replication index: the same people, contacts and traffic where the scenarios share them), the "
          "mean of the paired differences B &minus; A with its Student-t 95% interval, and for contrast the "
          "interval the difference of two independent means would have (Welch); <em>width</em> is the paired "
          "interval's width divided by the independent one's.</p>\n<table>\n<tr><th class=l>metric</th>"
          "<th class=l>unit</th><th>mean A</th><th>mean B</th><th>B &minus; A</th><th>paired 95% interval</th>"
          "<th>pairs</th><th>independent 95% interval</th><th>width</th></tr>\n", f);
    for (size_t r = 1; r < t->n; r++) {
        struct sim_metric_desc m;
        sim_metric_describe(p->catalog, t->rows[r][0], &m);
        double a = cmp_num(t, r, 1), b = cmp_num(t, r, 2), dm = cmp_num(t, r, 3), lo = cmp_num(t, r, 5),
               hi = cmp_num(t, r, 6), ilo = cmp_num(t, r, 8), ihi = cmp_num(t, r, 9), w = cmp_num(t, r, 10);
        char sa[64], sb[64], si[160], sw[32];
        fmt_est(sa, sizeof sa, a, a - (ihi - ilo) / 2, a + (ihi - ilo) / 2);
        fmt_est(sb, sizeof sb, b, b - (ihi - ilo) / 2, b + (ihi - ilo) / 2);
        fmt_interval(si, sizeof si, dm, ilo, ihi);
        snprintf(sw, sizeof sw, isnan(w) ? "NA" : "%.2g", w);
        fputs("<tr>", f);
        html_metric_cell(f, &m, t->rows[r][0]);
        fprintf(f, "<td>%s</td><td>%s</td>", sa, sb);
        html_num_cells(f, dm, lo, hi, t->rows[r][7]);
        fprintf(f, "<td>%s</td><td>%s</td></tr>\n", si, sw);
    }
    fputs("</table>\n", f);
}

/* A sweep's points: point number and PATH values. */
static void html_points(FILE *f, const struct plot *p)
{
    const struct results_table *t = &p->sum;
    fputs("<table>\n<tr><th>point</th>", f);
    for (size_t c = 1; c <= p->npath; c++) {
        fputs("<th class=l>", f);
        html_text(f, t->rows[0][c]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (size_t r = 1; r < t->n; r++) {
        fputs("<tr>", f);
        for (size_t c = 0; c <= p->npath; c++) {
            fputs(c ? "<td class=l>" : "<td>", f);
            html_text(f, t->rows[r][c]);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* A sweep metric's numbers at every point. */
static void html_sweep_numbers(FILE *f, const struct plot *p, const struct series *s)
{
    fputs("<details><summary>numbers</summary>\n<table>\n<tr><th>point</th>", f);
    for (size_t c = 1; c <= p->npath; c++) {
        fputs("<th class=l>", f);
        html_text(f, p->sum.rows[0][c]);
        fputs("</th>", f);
    }
    fputs("<th>mean</th><th>95% interval</th><th>n</th>", f);
    if (s->has_cf)
        fputs("<th>closed form</th>", f);
    fputs("</tr>\n", f);
    for (size_t r = 0; r < s->len; r++) {
        fprintf(f, "<tr><td>%zu</td>", r + 1);
        for (size_t c = 1; c <= p->npath; c++) {
            fputs("<td class=l>", f);
            html_text(f, p->sum.rows[r + 1][c]);
            fputs("</td>", f);
        }
        char n[32];
        snprintf(n, sizeof n, "%zu", s->n[r]);
        html_num_cells(f, s->mean[r], s->lo[r], s->hi[r], n);
        if (s->has_cf) {
            if (isnan(s->cf[r]))
                fputs("<td></td>", f);
            else
                fprintf(f, "<td>%.6g</td>", s->cf[r]);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n</details>\n", f);
}

static int fill_report(FILE *f, const void *ctx)
{
    const struct plot *p = ctx;
    const char *title = p->o->dir;
    if (p->man_root) {
        xmlNodePtr sw = child_elem(p->man_root, "sweep");
        if (sw && attr(sw, "name"))
            title = attr(sw, "name");
        else if (!sw && p->scen && attr(p->scen, "name"))
            title = attr(p->scen, "name");
    }
    char head[MAX_NAME + 64];
    snprintf(head, sizeof head, "%s%.*s", p->diff || p->kind == K_POINTS ? "comparison: " : "", MAX_NAME, title);
    html_head(f, head);
    xmlNodePtr desc = p->scen ? child_elem(p->scen, "description") : NULL;
    if (desc) {
        xmlChar *t = xmlNodeGetContent(desc);
        if (t) {
            fputs("<p class=desc>", f);
            html_text(f, (const char *)t);
            fputs("</p>\n", f);
            xmlFree(t);
        }
    }
    html_run_facts(f, p);
    switch (p->kind) {
    case K_RUN:
        html_run_summary(f, p);
        if (p->tl.nlanes) {
            char cap[1400];
            snprintf(cap, sizeof cap, "Replication 1's legal process, from timeline.csv: one lane per instrument "
                     "(numbered as in the scenario's <adversary>) and per target served an order at expansion. "
                     "Boxes above a lane's line are what the law granted: pen-register order terms and "
                     "extensions (blue), the gaps between them when no order ran (hatched red), preservation "
                     "holds (orange). Each triangle is an acquisition, numbered as in timeseries.csv; the green "
                     "bars below the line are the log windows it obtained: the lookup times whose records it "
                     "took. Chained snapshots read left to right: each acquisition obtains only what the log "
                     "still retains (about the retention period before it), so where successive bars meet or "
                     "overlap the adversary holds the whole history, and where a gap opens between them those "
                     "days are lost for good, unless a hold froze them (its window is drawn on the preservation's "
                     "lane, numbered with the order that obtained it). A lane 'target N' is the order served "
                     "at once for target N when hop expansion found it (the first 12 targets found have a lane "
                     "each; later ones share the last lane).%s", p->tl.dropped
                     ? " Lanes beyond the first 40 are left out." : "");
            fputs("<h2>Legal process</h2>\n", f);
            html_figure(f, p, "timeline", "legal-process timeline", cap);
        }
        fputs("<h2>Figures</h2>\n<p>Each metric's mean over replications after each acquisition, with its 95% "
              "confidence interval as a band; the last point is the summary's row.</p>\n", f);
        break;
    case K_SWEEP:
    case K_PAIRED:
        fputs(p->kind == K_PAIRED ? "<h2>Points</h2>\n<p>Each figure gives, at each point, the mean paired difference "
                                    "from the reference point over replications (the same replication index), "
                                    "with its Student-t 95% interval (paired-summary.csv).</p>\n"
                                  : "<h2>Points</h2>\n<p>Each figure gives a metric's mean over replications at "
                                    "each point (its last value in each replication) with its 95% interval "
                                    "(sweep-summary.csv); the numbers under each figure are that file's.</p>\n", f);
        html_points(f, p);
        fputs("<h2>Figures</h2>\n", f);
        break;
    case K_DIFF:
        html_compare(f, p, &p->cmp);
        if (p->forest)
            html_figure(f, p, "differences", "paired differences", "Every metric's paired difference B − A with its "
                        "95% interval (dot) and the interval two independent samples would give (grey), each on "
                        "its own scale.");
        fputs("<h2>Figures</h2>\n<p>Each metric's mean paired difference B &minus; A after each acquisition, with "
              "its Student-t 95% interval as a band.</p>\n", f);
        break;
    case K_POINTS:
        html_compare(f, p, &p->sum);
        if (p->forest)
            html_figure(f, p, "differences", "paired differences", "Every metric's paired difference B − A with its "
                        "95% interval (dot) and the interval two independent samples would give (grey), each on "
                        "its own scale.");
        break;
    }
    for (size_t i = 0; i < p->ns; i++) {
        const struct series *s = &p->s[i];
        fputs("<h3>", f);
        html_text(f, s->desc.title);
        if (strcmp(s->desc.title, s->name) != 0) {
            fputs(" <code>", f);
            html_text(f, s->name);
            fputs("</code>", f);
        }
        fputs("</h3>\n", f);
        char cap[MAX_NAME + 400];
        snprintf(cap, sizeof cap, "%s%s%s%s%s.%s%s%s", p->diff ? "Difference in " : "", s->desc.axis,
                 *s->desc.unit ? " (" : "", s->desc.unit, *s->desc.unit ? ")" : "",
                 s->all_na ? " Not defined (NA) everywhere." : "", s->has_cf ? " Dashed: the closed form " : "",
                 s->has_cf ? s->formula : "");
        html_figure(f, p, s->file, s->desc.title, cap);
        if ((p->kind == K_SWEEP || p->kind == K_PAIRED) && p->lay.heat && !s->all_na) {
            char stem[sizeof s->file + 8];
            snprintf(stem, sizeof stem, "%s-map", s->file);
            fprintf(f, "<figure><img src=\"figures/%s.svg\" alt=\"", stem);
            html_text(f, s->desc.title);
            fprintf(f, ": heat map\"><figcaption>The means as a heat map (<a href=\"figures/%s.png\">PNG</a>)"
                       "</figcaption></figure>\n", stem);
        }
        if (p->kind == K_SWEEP || p->kind == K_PAIRED)
            html_sweep_numbers(f, p, s);
    }
    fputs("<p><small>Drawn by exposim plot from the files beside this report; figures/plots.gp redraws them "
          "(gnuplot plots.gp in figures/).</small></p>\n</body></html>\n", f);
    return ferror(f) ? -1 : 0;
}

/* ---- gnuplot ------------------------------------------------------------ */

/* Run gnuplot on plots.gp in dir, its messages to dir/gnuplot.log.  0, or
 * -1 with a diagnostic (the log's first lines, control characters
 * replaced).  What gnuplot says when it succeeds (a warning) becomes a
 * diagnostic too, unless quiet, and the status stays 0. */
static int run_gnuplot(const char *dir, int quiet, struct diag *d)
{
    pid_t pid = fork();
    if (pid < 0)
        return diag_add(d, NULL, 0, "cannot start gnuplot: %s", strerror(errno));
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(126);
        int fd = open("gnuplot.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 2);
            close(fd);
        }
        execlp("gnuplot", "gnuplot", "plots.gp", (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return diag_add(d, NULL, 0, "waiting for gnuplot: %s", strerror(errno));
    char log[4200];
    snprintf(log, sizeof log, "%s/gnuplot.log", dir);
    size_t n = 0;
    char text[600] = "";
    FILE *f = fopen(log, "r");
    if (f) {
        n = fread(text, 1, sizeof text - 1, f);
        text[n] = '\0';
        fclose(f);
    }
    unlink(log);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)text[i] < 0x20 && text[i] != '\n')
            text[i] = '?';
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        return diag_add(d, NULL, 0, "gnuplot is not installed (make deps installs gnuplot-nox)");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return diag_add(d, NULL, 0, "gnuplot failed drawing %s/plots.gp%s%s", dir, n ? ":\n" : "", text);
    if (n && !quiet)                      /* drawn, but gnuplot had something to say */
        diag_add(d, NULL, 0, "warning: gnuplot said, drawing %s/plots.gp:\n%s", dir, text);
    return 0;
}

/* Remove the files in dir (no subdirectories are made), then dir. */
static void remove_dir(const char *dir)
{
    DIR *dp = opendir(dir);
    if (dp) {
        char path[4096];
        for (struct dirent *e; (e = readdir(dp));)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
                snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
                unlink(path);
            }
        closedir(dp);
    }
    rmdir(dir);
}

/* ---- entry points ------------------------------------------------------- */

void plot_opts_init(struct plot_opts *o, const char *dir)
{
    memset(o, 0, sizeof *o);
    o->dir = dir;
    o->width_cm = 16;
    o->height_cm = 10;
    o->dpi = 150;
}


/* ---- the legal-process timeline ----------------------------------------- */

static const char *const tl_cols[] = { "replication", "strategy", "instrument", "target", "event", "start_day",
                                       "end_day", "acquisition" };
static const char *const tl_events[] = { "term", "extension", "gap", "hold", "window", "acquisition" };

/* A whole number from lo to hi in field s (NA allowed when na: *v NaN). */
static int tl_whole(const char *s, double lo, double hi, int na, double *v)
{
    if (results_csv_number(s, v))
        return -1;
    if (isnan(*v))
        return na ? 0 : -1;
    return *v >= lo && *v <= hi && *v == floor(*v) ? 0 : -1;
}

static int by_lane(const void *x, const void *y)
{
    const struct tl_lane *a = x, *b = y;
    double sa = isnan(a->strategy) ? 1e300 : a->strategy, sb = isnan(b->strategy) ? 1e300 : b->strategy;
    if (sa != sb)
        return sa < sb ? -1 : 1;
    return (a->target > b->target) - (a->target < b->target);
}

/* path (timeline.csv, untrusted) into p->tl: every row checked (FILE:LINE
 * diagnostics), replication 1's kept.  0 or -1. */
static int load_timeline(struct plot *p, const char *path, const struct results_table *t, struct diag *d)
{
    struct timeline *tl = &p->tl;
    int bad = t->n < 1 || t->ncols[0] != 8;
    for (size_t c = 0; !bad && c < 8; c++)
        bad = strcmp(t->rows[0][c], tl_cols[c]) != 0;
    if (bad)
        return diag_add(d, path, 1, "expected the header replication,strategy,instrument,target,event,start_day,"
                        "end_day,acquisition");
    if (t->n > 1 && !(tl->it = malloc((t->n - 1) * sizeof *tl->it)))
        return diag_add(d, NULL, 0, "out of memory");
    struct tl_lane all[TL_MAX_LANES];
    size_t nall = 0, ntarget_lanes = 0;
    for (size_t i = 1; i < t->n; i++) {
        char *const *f = t->rows[i];
        double rep, strategy, target = -1, start, end, acq;
        int ev = -1;
        const char *inst = t->ncols[i] == 8 ? results_csv_unguard(f[2]) : "";
        const char *tgt = t->ncols[i] == 8 ? results_csv_unguard(f[3]) : "";
        for (int e = 0; t->ncols[i] == 8 && e < TL_NEVENTS; e++)
            if (strcmp(f[4], tl_events[e]) == 0)
                ev = e;
        size_t il = strlen(inst);
        if (t->ncols[i] != 8 || tl_whole(f[0], 1, 1e7, 0, &rep) || tl_whole(f[1], 1, 1e6, 1, &strategy)
            || !il || il >= sizeof all[0].instrument || strspn(inst, "abcdefghijklmnopqrstuvwxyz_") != il
            || (strcmp(tgt, "all") != 0 && tl_whole(tgt, 0, 4294967295.0, 0, &target)) || ev < 0
            || results_csv_number(f[5], &start) || results_csv_number(f[6], &end) || isnan(start) || isnan(end)
            || start < 0 || end < start || end > 1e7 || tl_whole(f[7], 1, 1e7, 1, &acq)
            || (ev == TL_ACQUISITION && (start != end || isnan(acq))))
            return diag_add(d, path, (long)i + 1, "expected replication (from 1), strategy (from 1, or NA), "
                            "instrument (a name of a-z and _), target (all or a person id), event (term, extension, "
                            "gap, hold, window or acquisition), start_day <= end_day (days, from 0), "
                            "acquisition (from 1, or NA; an acquisition's start_day = end_day)");
        if (rep != 1)
            continue;
        size_t l = 0;
        while (l < nall && !(memcmp(&all[l].strategy, &strategy, sizeof strategy) == 0 && all[l].target == target
                             && strcmp(all[l].instrument, inst) == 0))
            l++;
        if (l == nall && target >= 0 && ntarget_lanes == TL_TARGET_LANES) {
            target = TL_LATER;                    /* the lane of the later targets */
            for (l = 0; l < nall && !(memcmp(&all[l].strategy, &strategy, sizeof strategy) == 0
                                      && all[l].target == target && strcmp(all[l].instrument, inst) == 0);)
                l++;
        }
        if (l == nall) {
            if (nall == TL_MAX_LANES) {           /* a lane too many: left out */
                tl->dropped++;
                continue;
            }
            all[nall].strategy = strategy;
            all[nall].target = target;
            memcpy(all[nall].instrument, inst, il + 1);
            int exp = strcmp(inst, "expansion_order") == 0;   /* the caption says what these lanes are */
            if (target == TL_LATER)
                snprintf(all[nall].label, sizeof all[nall].label, "later targets%s%s%s", exp ? "" : " (",
                         exp ? "" : inst, exp ? "" : ")");
            else if (target >= 0)
                snprintf(all[nall].label, sizeof all[nall].label, "target %.0f%s%s%s", target, exp ? "" : " (",
                         exp ? "" : inst, exp ? "" : ")");
            else if (!isnan(strategy))
                snprintf(all[nall].label, sizeof all[nall].label, "%.0f %s", strategy, inst);
            else
                snprintf(all[nall].label, sizeof all[nall].label, "%s", inst);
            ntarget_lanes += target >= 0 && target != TL_LATER;
            nall++;
        }
        tl->it[tl->n++] = (struct tl_item){ l, (enum tl_event)ev, start, end, acq };
        tl->present[ev] = 1;
        tl->xmax = end > tl->xmax ? end : tl->xmax;
    }
    /* the lanes in order: strategies by number, then targets by id */
    size_t order[TL_MAX_LANES];
    for (size_t l = 0; l < nall; l++)
        tl->lane[l] = all[l];
    qsort(tl->lane, nall, sizeof tl->lane[0], by_lane);
    for (size_t l = 0; l < nall; l++)
        for (size_t m = 0; m < nall; m++)
            if (memcmp(&tl->lane[m].strategy, &all[l].strategy, sizeof all[l].strategy) == 0
                && tl->lane[m].target == all[l].target && strcmp(tl->lane[m].instrument, all[l].instrument) == 0)
                order[l] = m;                       /* the fields that tell lanes apart, not the unused bytes */
    for (size_t i = 0; i < tl->n; i++)
        tl->it[i].lane = order[tl->it[i].lane];
    tl->nlanes = nall;
    return 0;
}

/* Find and load what dir holds.  0, 1 (nothing to plot) or -1. */
static int load(struct plot *p, struct diag *d)
{
    static const struct { const char *file; enum kind kind; } inputs[] = {
        { "timeseries.csv", K_RUN }, { "sweep-summary.csv", K_SWEEP }, { "differences.csv", K_DIFF },
        { "paired-summary.csv", K_PAIRED }, { "compare.csv", K_POINTS },
    };
    char path[4096];
    struct results_table t;
    int r = 1;
    for (size_t i = 0; r == 1 && i < sizeof inputs / sizeof *inputs; i++) {
        snprintf(path, sizeof path, "%s/%s", p->o->dir, inputs[i].file);
        r = results_table_read(path, &t, d);
        p->kind = inputs[i].kind;
    }
    if (r)
        return r;
    p->diff = p->kind == K_DIFF || p->kind == K_PAIRED;
    int rc = 0;
    switch (p->kind) {
    case K_RUN:
    case K_DIFF:
        rc = load_run(p, path, &t, d);
        results_table_free(&t);
        if (!rc && p->kind == K_RUN) {
            snprintf(path, sizeof path, "%s/summary.csv", p->o->dir);
            rc = results_table_read(path, &p->sum, d) < 0 ? -1 : 0;
        }
        if (!rc && p->kind == K_RUN) {            /* the legal-process timeline, when the run wrote one */
            snprintf(path, sizeof path, "%s/timeline.csv", p->o->dir);
            int tr = results_table_read(path, &t, d);
            rc = tr < 0 ? -1 : tr == 0 ? load_timeline(p, path, &t, d) : 0;
            if (tr == 0)
                results_table_free(&t);
        }
        if (!rc && p->kind == K_DIFF) {
            snprintf(path, sizeof path, "%s/compare.csv", p->o->dir);
            int cr = results_table_read(path, &p->cmp, d);
            rc = cr < 0 || (cr == 0 && check_compare(path, &p->cmp, d)) ? -1 : 0;
        }
        break;
    case K_SWEEP:
    case K_PAIRED:
        p->sum = t;                               /* the points table */
        rc = load_sweep(p, path, &p->sum, d);
        break;
    case K_POINTS:
        p->sum = t;
        rc = check_compare(path, &p->sum, d);
        break;
    }
    if (rc)
        return -1;
    const struct results_table *c = p->kind == K_DIFF ? &p->cmp : p->kind == K_POINTS ? &p->sum : NULL;
    for (size_t r2 = 1; c && r2 < c->n; r2++)
        p->nforest += forest_row(c, r2);
    p->forest = p->nforest > 0;
    return 0;
}

int plot_results(const struct plot_opts *o, struct diag *d)
{
    const char *dir = o->dir;
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return diag_add(d, dir, 0, "not a directory"), 2;
    if (!(o->width_cm >= 2 && o->width_cm <= 100 && o->height_cm >= 2 && o->height_cm <= 100))
        return diag_add(d, NULL, 0, "a figure's size must be 2 to 100 cm each way"), 2;
    if (o->dpi < 50 || o->dpi > 1200)
        return diag_add(d, NULL, 0, "the resolution must be 50 to 1200 dpi"), 2;
    struct plot p;
    memset(&p, 0, sizeof p);
    p.o = o;
    read_manifest(&p);
    choose_model(&p);
    p.png_w = (unsigned)lround(o->width_cm / 2.54 * o->dpi);
    p.png_h = (unsigned)lround(o->height_cm / 2.54 * o->dpi);
    p.svg_w = (unsigned)lround(o->width_cm / 2.54 * 96);
    p.svg_h = (unsigned)lround(o->height_cm / 2.54 * 96);
    p.fontscale = o->dpi / 100.0;
    int r = load(&p, d);
    if (r == 1)
        diag_add(d, dir, 0, "no timeseries.csv (exposim run), sweep-summary.csv (exposim sweep) or compare.csv "
                 "(exposim compare) to plot");
    if (r) {
        plot_free(&p);
        return 2;
    }
    closed_forms(&p);
    /* the figures, in a directory of their own until all are drawn */
    char tmp[4096], figs[4096], old[4096];
    snprintf(tmp, sizeof tmp, "%s/.figures.XXXXXX", dir);
    snprintf(figs, sizeof figs, "%s/figures", dir);
    snprintf(old, sizeof old, "%s/.figures.old.%ld", dir, (long)getpid());
    int rc = 1;
    if (!mkdtemp(tmp)) {
        diag_add(d, dir, 0, "cannot write here: %s", strerror(errno));
        plot_free(&p);
        return 1;
    }
    mode_t mask = umask(0);                       /* figures/ as mkdir would make it */
    umask(mask);
    chmod(tmp, 0777 & ~mask);
    int ok = 1;
    for (size_t i = 0; ok && i < p.ns; i++) {
        char name[160];
        snprintf(name, sizeof name, "%s.csv", p.s[i].file);
        struct series_ctx sc = { &p, &p.s[i] };
        ok = results_write_atomic(tmp, name, fill_series, &sc, d) == 0;
    }
    ok = ok && (!p.forest || results_write_atomic(tmp, "differences.csv", fill_forest, &p, d) == 0);
    ok = ok && (!p.tl.nlanes || results_write_atomic(tmp, "timeline.csv", fill_timeline, &p.tl, d) == 0);
    ok = ok && results_write_atomic(tmp, "plots.gp", fill_script, &p, d) == 0;
    ok = ok && run_gnuplot(tmp, o->quiet, d) == 0;
    if (ok) {
        int had = stat(figs, &sb) == 0;
        if (had && rename(figs, old) != 0) {
            diag_add(d, figs, 0, "cannot replace: %s", strerror(errno));
            ok = 0;
        } else if (rename(tmp, figs) != 0) {
            diag_add(d, figs, 0, "cannot write: %s", strerror(errno));
            if (had)
                rename(old, figs);
            ok = 0;
        } else if (had) {
            remove_dir(old);                /* the old figures, whatever files they hold */
        }
    }
    if (!ok)
        remove_dir(tmp);
    if (ok && results_write_atomic(dir, "report.html", fill_report, &p, d) == 0) {
        rc = 0;
        if (!o->quiet)
            printf("figures: %s/figures/ (%zu metric%s, PNG%s and SVG), report: %s/report.html\n", dir, p.ns,
                   p.ns == 1 ? "" : "s", o->pdf ? ", PDF" : "", dir);
    }
    plot_free(&p);
    return rc;
}

int plot_stale_remove(const char *dir, struct diag *d)
{
    char report[4096], figs[4096], old[4096];
    snprintf(report, sizeof report, "%s/report.html", dir);
    snprintf(figs, sizeof figs, "%s/figures", dir);
    snprintf(old, sizeof old, "%s/.figures.stale.%ld", dir, (long)getpid());
    struct stat sb;
    int had = 0;
    if (lstat(report, &sb) == 0) {
        had = 1;
        if (unlink(report) != 0)
            return diag_add(d, NULL, 0, "cannot remove the old %s: %s", report, strerror(errno));
    }
    if (lstat(figs, &sb) == 0) {
        had = 1;
        if (!S_ISDIR(sb.st_mode)) {
            if (unlink(figs) != 0)
                return diag_add(d, NULL, 0, "cannot remove the old %s: %s", figs, strerror(errno));
        } else if (rename(figs, old) != 0) {
            return diag_add(d, NULL, 0, "cannot remove the old %s: %s", figs, strerror(errno));
        } else {
            remove_dir(old);
        }
    }
    return had;
}

int plot_stale_redraw(const char *dir, int had, const struct sim_model_type *const *models, int quiet,
                      struct diag *d)
{
    if (had != 1)
        return 0;
    struct plot_opts o;
    plot_opts_init(&o, dir);
    o.models = models;
    o.quiet = quiet;
    return plot_results(&o, d);
}
