/* reid — re-identification of pseudonyms across key epochs; see reid.h. */
#include "reid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "serverlog.h"
#include "sim.h"
#include "sort.h"

static int cmp_pseudo(const void *x, const void *y)
{
    const struct knowledge_pseudo *a = x, *b = y;
    if (a->epoch != b->epoch)
        return a->epoch < b->epoch ? -1 : 1;
    if (a->pseudonym != b->pseudonym)
        return a->pseudonym < b->pseudonym ? -1 : 1;
    return (a->querier > b->querier) - (a->querier < b->querier);
}

struct group {                            /* one pseudonym of one epoch */
    size_t first, n;                      /* its queriers: pseudo[first .. first + n) */
    uint32_t person;                      /* ground truth */
};

struct posting {                          /* querier -> group, for the inverted index */
    uint32_t querier, group;
};

static int cmp_posting(const void *x, const void *y)
{
    const struct posting *a = x, *b = y;
    if (a->querier != b->querier)
        return a->querier < b->querier ? -1 : 1;
    return (a->group > b->group) - (a->group < b->group);
}

/* Groups of the epoch starting at pseudo[lo] (up to hi); returns count. */
static size_t make_groups(const struct knowledge *k, size_t lo, size_t hi, struct group *g,
                          uint32_t (*person)(const void *, uint32_t, uint32_t), const void *ctx)
{
    size_t n = 0;
    for (size_t i = lo; i < hi;) {
        size_t j = i;
        while (j < hi && k->pseudo[j].pseudonym == k->pseudo[i].pseudonym)
            j++;
        g[n++] = (struct group){ i, j - i, person(ctx, k->pseudo[i].epoch, k->pseudo[i].pseudonym) };
        i = j;
    }
    return n;
}

int reid_link(struct knowledge *k, uint32_t (*person)(const void *ctx, uint32_t epoch, uint32_t pseudonym),
              const void *ctx, struct reid_counts *out)
{
    memset(out, 0, sizeof *out);
    if (!k->npseudo)
        return 0;
    qsort(k->pseudo, k->npseudo, sizeof *k->pseudo, cmp_pseudo);
    size_t m = 0;                                   /* deduplicate: a neighbourhood is a set */
    for (size_t i = 0; i < k->npseudo; i++)
        if (!m || cmp_pseudo(&k->pseudo[m - 1], &k->pseudo[i]) != 0)
            k->pseudo[m++] = k->pseudo[i];
    k->npseudo = m;
    struct group *g0 = malloc(m * sizeof *g0), *g1 = malloc(m * sizeof *g1);
    struct posting *post = malloc(m * sizeof *post);
    uint32_t *overlap = calloc(m, sizeof *overlap), *touched = malloc(m * sizeof *touched);
    uint32_t *persons0 = malloc(m * sizeof *persons0);
    int rc = -1;
    if (!g0 || !g1 || !post || !overlap || !touched || !persons0)
        goto out;
    size_t prev_lo = 0, prev_hi = 0;                /* the previous observed epoch */
    for (size_t lo = 0; lo < m;) {
        size_t hi = lo;
        while (hi < m && k->pseudo[hi].epoch == k->pseudo[lo].epoch)
            hi++;
        if (prev_hi > prev_lo) {
            size_t n0 = make_groups(k, prev_lo, prev_hi, g0, person, ctx);
            size_t n1 = make_groups(k, lo, hi, g1, person, ctx);
            size_t np = 0;
            for (size_t a = 0; a < n0; a++) {
                persons0[a] = g0[a].person;
                for (size_t j = 0; j < g0[a].n; j++)
                    post[np++] = (struct posting){ k->pseudo[g0[a].first + j].querier, (uint32_t)a };
            }
            qsort(post, np, sizeof *post, cmp_posting);
            qsort(persons0, n0, sizeof *persons0, sort_cmp_u32);
            for (size_t b = 0; b < n1; b++) {
                if (bsearch(&g1[b].person, persons0, n0, sizeof *persons0, sort_cmp_u32))
                    out->linkable++;
                if (g1[b].n < 2)
                    continue;
                size_t nt = 0;
                for (size_t j = 0; j < g1[b].n; j++) {          /* overlaps through the index */
                    uint32_t q = k->pseudo[g1[b].first + j].querier;
                    size_t l = 0, r = np;
                    while (l < r) {
                        size_t mid = (l + r) / 2;
                        if (post[mid].querier < q)
                            l = mid + 1;
                        else
                            r = mid;
                    }
                    for (; l < np && post[l].querier == q; l++) {
                        if (!overlap[post[l].group]++)
                            touched[nt++] = post[l].group;
                    }
                }
                double best = 0;
                size_t best_g = 0;
                uint32_t dev_b = k->pseudo[g1[b].first].devices;
                for (size_t t = 0; t < nt; t++) {
                    size_t a = touched[t];
                    uint32_t dev_a = k->pseudo[g0[a].first].devices;
                    if (dev_a && dev_b && dev_a != dev_b) {    /* another device count: another account */
                        overlap[a] = 0;
                        continue;
                    }
                    double jac = (double)overlap[a] / (double)(g1[b].n + g0[a].n - overlap[a]);
                    uint32_t pa = k->pseudo[g0[a].first].pseudonym, pb = k->pseudo[g0[best_g].first].pseudonym;
                    if (jac > best || (jac == best && jac > 0 && pa < pb)) {
                        best = jac;
                        best_g = a;
                    }
                    overlap[a] = 0;
                }
                if (best >= 0.5) {
                    out->linked++;
                    out->correct += g0[best_g].person == g1[b].person;
                }
            }
        }
        prev_lo = lo;
        prev_hi = hi;
        lo = hi;
    }
    rc = 0;
out:
    free(g0);
    free(g1);
    free(post);
    free(overlap);
    free(touched);
    free(persons0);
    return rc;
}

static uint32_t person_behind(const void *ctx, uint32_t epoch, uint32_t pseudonym)
{
    return serverlog_unmask(ctx, epoch, pseudonym);
}

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : NAN; }

void reid_report(struct sim *s, uint32_t acq, int64_t now, struct knowledge *k, const struct serverlog *log)
{
    struct reid_counts r;
    if (reid_link(k, person_behind, log, &r)) {
        sim_fail(s, "out of memory re-identifying pseudonyms");
        return;
    }
    double day = (double)now / 86400.0;
    sim_metric(s, acq, day, "reid_share", ratio(r.linked, r.linkable));
    sim_metric(s, acq, day, "reid_precision", ratio(r.correct, r.linked));
}
