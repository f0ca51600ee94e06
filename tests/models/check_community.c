/* check_community — community detection and NMI (community.h) on graphs
 * of known structure: planted partitions recovered, disconnected cliques
 * found exactly, the same partition from the same seed, a warm start that
 * gives a valid partition, every result a valid partition (labels
 * 0 .. ncomm - 1, each used, each community connected), the edge cases
 * (no nodes, no edges, isolated nodes, a single edge); NMI checked against
 * an independent computation, 1 for identical partitions whatever their
 * labels (UINT32_MAX is a label like any other: the API takes any
 * uint32), and near 0 for independent ones within a tolerance derived
 * from the chi-squared law of the mutual information.
 *
 * The graphs are drawn here (GSL, fixed seeds), not by contacts.c, so that
 * this suite tests community.c alone. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "community.h"
#include "suites.h"
#include "testutil.h"

/* An undirected simple graph as community_leiden takes it. */
struct g {
    uint32_t n;
    uint32_t *edges;          /* 2m */
    uint64_t m, cap;
};

static void g_init(struct g *g, uint32_t n)
{
    memset(g, 0, sizeof *g);
    g->n = n;
}

static void g_add(struct g *g, uint32_t u, uint32_t v)
{
    if (g->m == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 1024;
        g->edges = realloc(g->edges, 2 * g->cap * sizeof *g->edges);
        ck_assert_ptr_nonnull(g->edges);
    }
    g->edges[2 * g->m] = u;
    g->edges[2 * g->m + 1] = v;
    g->m++;
}

static void g_free(struct g *g)
{
    free(g->edges);
    memset(g, 0, sizeof *g);
}

/* A planted partition: k blocks of `size` people (block of x: x / size),
 * each pair inside a block joined with probability p_in, and `m_out`
 * distinct pairs from different blocks drawn uniformly.  O(k size^2 +
 * m_out log m_out). */
static void planted(struct g *g, uint32_t k, uint32_t size, double p_in, uint64_t m_out, gsl_rng *r)
{
    g_init(g, k * size);
    for (uint32_t b = 0; b < k; b++)
        for (uint32_t i = 0; i < size; i++)
            for (uint32_t j = i + 1; j < size; j++)
                if (gsl_rng_uniform(r) < p_in)
                    g_add(g, b * size + i, b * size + j);
    uint64_t *seen = calloc(m_out ? m_out : 1, sizeof *seen), ns = 0;
    ck_assert_ptr_nonnull(seen);
    while (ns < m_out) {
        uint32_t u = (uint32_t)gsl_rng_uniform_int(r, g->n), v = (uint32_t)gsl_rng_uniform_int(r, g->n);
        if (u / size == v / size)
            continue;
        uint64_t key = u < v ? (uint64_t)u << 32 | v : (uint64_t)v << 32 | u;
        int dup = 0;                               /* a linear scan: m_out is small here */
        for (uint64_t i = 0; i < ns && !dup; i++)
            dup = seen[i] == key;
        if (dup)
            continue;
        seen[ns++] = key;
        g_add(g, u, v);
    }
    free(seen);
}

/* Labels: block of x. */
static uint32_t *blocks(uint32_t n, uint32_t size)
{
    uint32_t *l = malloc((n ? n : 1) * sizeof *l);
    ck_assert_ptr_nonnull(l);
    for (uint32_t x = 0; x < n; x++)
        l[x] = x / size;
    return l;
}

/* A valid result: labels 0 .. ncomm - 1, each used, and each community
 * connected in the graph (Louvain's parts are connected and Leiden's
 * communities of parts are connected in the parts' graph, so every
 * community is connected in the graph). */
static void check_partition(const struct g *g, const uint32_t *memb, uint32_t ncomm)
{
    uint32_t n = g->n;
    ck_assert_uint_le(ncomm, n);
    uint32_t *size = calloc((size_t)ncomm + 1, sizeof *size);
    ck_assert_ptr_nonnull(size);
    for (uint32_t x = 0; x < n; x++) {
        FAST(memb[x] < ncomm);
        size[memb[x]]++;
    }
    for (uint32_t c = 0; c < ncomm; c++)
        FAST(size[c] > 0);
    /* connectivity: union-find over the edges inside communities, then one
     * root per community */
    uint32_t *up = malloc(((size_t)n + 1) * sizeof *up), *root = malloc(((size_t)ncomm + 1) * sizeof *root);
    ck_assert(up && root);
    for (uint32_t x = 0; x < n; x++)
        up[x] = x;
    for (uint64_t i = 0; i < g->m; i++) {
        uint32_t a = g->edges[2 * i], b = g->edges[2 * i + 1];
        if (memb[a] != memb[b])
            continue;
        while (up[a] != a)
            a = up[a] = up[up[a]];
        while (up[b] != b)
            b = up[b] = up[up[b]];
        if (a != b)
            up[a] = b;
    }
    for (uint32_t c = 0; c < ncomm; c++)
        root[c] = UINT32_MAX;
    for (uint32_t x = 0; x < n; x++) {
        uint32_t a = x;
        while (up[a] != a)
            a = up[a];
        if (root[memb[x]] == UINT32_MAX)
            root[memb[x]] = a;
        ck_assert_msg(root[memb[x]] == a, "community %u is not connected (person %u)", memb[x], x);
    }
    free(size), free(up), free(root);
}

static uint32_t *detect(const struct g *g, uint32_t seed, int warm, uint32_t *init, uint32_t *ncomm)
{
    uint32_t *memb = malloc(((size_t)g->n ? g->n : 1) * sizeof *memb);
    ck_assert_ptr_nonnull(memb);
    if (warm)
        memcpy(memb, init, (size_t)g->n * sizeof *memb);
    ck_assert_int_eq(community_leiden(g->n, g->edges, g->m, seed, warm, memb, ncomm), 0);
    check_partition(g, memb, *ncomm);
    return memb;
}

/* ---- NMI computed here, independently of igraph ------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Entropy (nats) of the counts of the sorted keys k[0..n). */
static double entropy_sorted(const uint64_t *k, uint32_t n)
{
    double h = 0;
    for (uint32_t i = 0; i < n;) {
        uint32_t j = i;
        while (j < n && k[j] == k[i])
            j++;
        double p = (double)(j - i) / n;
        h -= p * log(p);
        i = j;
    }
    return h;
}

/* H(a), H(b) and H(a, b) in nats, by sorting labels and label pairs. */
static void entropies(uint32_t n, const uint32_t *a, const uint32_t *b, double *ha, double *hb, double *hab)
{
    uint64_t *k = malloc(((size_t)n ? n : 1) * sizeof *k);
    ck_assert_ptr_nonnull(k);
    for (uint32_t i = 0; i < n; i++)
        k[i] = a[i];
    qsort(k, n, sizeof *k, cmp_u64);
    *ha = entropy_sorted(k, n);
    for (uint32_t i = 0; i < n; i++)
        k[i] = b[i];
    qsort(k, n, sizeof *k, cmp_u64);
    *hb = entropy_sorted(k, n);
    for (uint32_t i = 0; i < n; i++)
        k[i] = (uint64_t)a[i] << 32 | b[i];
    qsort(k, n, sizeof *k, cmp_u64);
    *hab = entropy_sorted(k, n);
    free(k);
}

/* 2 I(a; b) / (H(a) + H(b)), 1 when both entropies are 0. */
static double nmi_here(uint32_t n, const uint32_t *a, const uint32_t *b)
{
    double ha, hb, hab;
    entropies(n, a, b, &ha, &hb, &hab);
    return ha + hb == 0 ? 1 : 2 * (ha + hb - hab) / (ha + hb);
}

/* ---- detection ---------------------------------------------------------------------- */

/* 100 blocks of 100 people (n = 10^4), each pair inside a block joined
 * with probability 0.2 (19.8 neighbours inside on average), and 5000
 * random pairs across blocks (1 neighbour outside on average):
 * m = 1.04e5, each block's degree sum K = 2080, K / 2m = 1/100.  Why the
 * blocks are the answer:
 *  - a person has Bin(99, 0.2) neighbours in their block (mean 19.8, sd 4)
 *    and Poisson(0.01) in any one other block; that a foreign block holds
 *    as many of them as their own has probability below 1e-7 a person
 *    (Chernoff), and short of that, moving a person out of their block
 *    lowers modularity (the degree term, k^2 / 2m^2, is 1e-8);
 *  - merging two blocks gains the ~1 edge between them, 1/m = 1e-5, and
 *    costs 2 (K / 2m)^2 = 2e-4; splitting one in halves loses the ~500
 *    edges between the halves, 4.8e-3, and gains 5e-5;
 *  - so the planted partition is a strict local maximum of modularity in
 *    every direction local moving and Leiden's merges explore, far above
 *    the detectability threshold ((c_in - c_out)^2 = (2000 - 1)^2 against
 *    k (c_in + (k - 1) c_out) = 100 x 2099 in the block model's terms,
 *    Decelle et al., Phys. Rev. E 84, 066106, 2011).
 * The blocks are then expected exactly (about 1e-3 people misplaced).
 * Asserted: no two blocks share the community that holds most of each
 * (no merge), and at most 10 people (0.1%) sit outside their block's
 * community (a split block would put ~50 outside).  NMI, which hardly
 * sees a merge among 100 blocks (0.9985), is checked against the value
 * computed here. */
START_TEST(test_planted_partition)
{
    gsl_rng *r = tu_rng(101);
    struct g g;
    const uint32_t k = 100, size = 100;
    planted(&g, k, size, 0.2, 5000, r);
    uint32_t *truth = blocks(g.n, size), nc;
    uint32_t *memb = detect(&g, 7, 0, NULL, &nc);
    /* each block's majority community, and who is outside it */
    uint32_t *count = calloc(nc, sizeof *count), *major = malloc(k * sizeof *major), strays = 0;
    uint8_t *taken = calloc(nc, 1);
    ck_assert(count && major && taken);
    for (uint32_t b = 0; b < k; b++) {
        uint32_t best = 0;
        for (uint32_t x = b * size; x < (b + 1) * size; x++)
            if (++count[memb[x]] > count[best] || (count[memb[x]] == count[best] && memb[x] < best))
                best = memb[x];
        for (uint32_t x = b * size; x < (b + 1) * size; x++)
            count[memb[x]] = 0;
        major[b] = best;
        ck_assert_msg(!taken[best], "block %u shares its community %u with another block", b, best);
        taken[best] = 1;
        for (uint32_t x = b * size; x < (b + 1) * size; x++)
            strays += memb[x] != best;
    }
    ck_assert_msg(strays <= 10, "%u people outside their block's community (%u communities)", strays, nc);
    double nmi = community_nmi(g.n, memb, truth);
    ck_assert_double_eq_tol(nmi, nmi_here(g.n, memb, truth), 1e-12);
    ck_assert(nmi > 0.99);
    free(count), free(major), free(taken), free(memb), free(truth);
    g_free(&g);
    gsl_rng_free(r);
}
END_TEST

/* Components that are cliques (and single edges and isolated people):
 * modularity's maximum is the components.  Splitting a clique of s loses
 * edges inside, and joining two components gains no edge and costs
 * 2 K_a K_b / (2m)^2 > 0.  So the communities are the components exactly:
 * the same label iff the same component. */
START_TEST(test_disconnected_cliques)
{
    struct g g;
    uint32_t sizes[40], total = 0, ncl = 0;
    for (uint32_t s = 2; s <= 30; s++)
        sizes[ncl++] = s;
    sizes[ncl++] = 2;
    sizes[ncl++] = 1;                             /* isolated people */
    sizes[ncl++] = 1;
    sizes[ncl++] = 3;
    for (uint32_t i = 0; i < ncl; i++)
        total += sizes[i];
    /* people numbered in a scrambled order, so that a clique is not a run of ids */
    uint32_t *id = malloc(total * sizeof *id), *comp = malloc(total * sizeof *comp);
    ck_assert(id && comp);
    gsl_rng *r = tu_rng(5);
    for (uint32_t x = 0; x < total; x++)
        id[x] = x;
    gsl_ran_shuffle(r, id, total, sizeof *id);
    g_init(&g, total);
    for (uint32_t c = 0, at = 0; c < ncl; at += sizes[c], c++)
        for (uint32_t i = 0; i < sizes[c]; i++) {
            comp[id[at + i]] = c;
            for (uint32_t j = i + 1; j < sizes[c]; j++)
                g_add(&g, id[at + i], id[at + j]);
        }
    for (uint32_t seed = 1; seed <= 3; seed++) {
        uint32_t nc, *memb = detect(&g, seed, 0, NULL, &nc);
        ck_assert_uint_eq(nc, ncl);
        for (uint32_t x = 0; x < total; x++)
            for (uint32_t y = x + 1; y < total; y++)
                FAST((memb[x] == memb[y]) == (comp[x] == comp[y]));
        ck_assert_double_eq_tol(community_nmi(total, memb, comp), 1, 1e-12);
        free(memb);
    }
    free(id), free(comp);
    g_free(&g);
    gsl_rng_free(r);
}
END_TEST

/* The same inputs and seed, the same partition (igraph's generator is
 * seeded by each call: another call in between changes nothing). */
START_TEST(test_deterministic)
{
    gsl_rng *r = tu_rng(23);
    struct g g, other;
    planted(&g, 30, 100, 0.05, 3000, r);          /* weak blocks: many near-ties */
    planted(&other, 10, 50, 0.3, 200, r);
    uint32_t na, nb, no, *a = detect(&g, 99, 0, NULL, &na);
    free(detect(&other, 1, 0, NULL, &no));
    uint32_t *b = detect(&g, 99, 0, NULL, &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert_int_eq(memcmp(a, b, g.n * sizeof *a), 0);
    ck_assert_double_eq_tol(community_nmi(g.n, a, b), 1, 1e-12);
    free(a), free(b);
    g_free(&g), g_free(&other);
    gsl_rng_free(r);
}
END_TEST

/* A warm start from a previous partition (the graph having changed
 * since), from one community, or from arbitrary labels below n: a valid
 * partition each time, and from the previous one as good as from cold. */
START_TEST(test_warm_start)
{
    gsl_rng *r = tu_rng(31);
    struct g g, g2;
    planted(&g, 40, 50, 0.3, 1000, r);
    uint32_t *truth = blocks(g.n, 50), nc, nc2;
    uint32_t *cold = detect(&g, 3, 0, NULL, &nc);
    ck_assert(community_nmi(g.n, cold, truth) >= 0.99);
    /* the graph later: 10% of the edges gone, 500 new ones across blocks */
    g_init(&g2, g.n);
    for (uint64_t i = 0; i < g.m; i++)
        if (gsl_rng_uniform(r) >= 0.1)
            g_add(&g2, g.edges[2 * i], g.edges[2 * i + 1]);
    struct g extra;
    planted(&extra, 40, 50, 0, 500, r);
    for (uint64_t i = 0; i < extra.m; i++) {
        uint32_t u = extra.edges[2 * i], v = extra.edges[2 * i + 1];
        int dup = 0;
        for (uint64_t k = 0; k < g2.m && !dup; k++)
            dup = (g2.edges[2 * k] == u && g2.edges[2 * k + 1] == v) || (g2.edges[2 * k] == v && g2.edges[2 * k + 1] == u);
        if (!dup)
            g_add(&g2, u, v);
    }
    uint32_t *warm = detect(&g2, 3, 1, cold, &nc2);
    uint32_t *cold2 = detect(&g2, 3, 0, NULL, &nc);
    double nw = community_nmi(g.n, warm, truth), nk = community_nmi(g.n, cold2, truth);
    ck_assert_msg(nw >= 0.99 && nk >= 0.99, "NMI warm %g, cold %g", nw, nk);
    free(warm), free(cold2);
    /* from one community, and from random labels below n */
    uint32_t *init = calloc(g.n, sizeof *init);
    ck_assert_ptr_nonnull(init);
    free(detect(&g2, 3, 1, init, &nc));
    for (uint32_t x = 0; x < g.n; x++)
        init[x] = (uint32_t)gsl_rng_uniform_int(r, g.n);
    free(detect(&g2, 3, 1, init, &nc));
    free(init), free(cold), free(truth);
    g_free(&g), g_free(&g2), g_free(&extra);
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_edge_cases)
{
    struct g g;
    uint32_t nc = 99, memb[8];
    /* no people */
    g_init(&g, 0);
    ck_assert_int_eq(community_leiden(0, NULL, 0, 1, 0, memb, &nc), 0);
    ck_assert_uint_eq(nc, 0);
    /* no edges: everyone alone, warm or not */
    g_init(&g, 5);
    for (int warm = 0; warm < 2; warm++) {
        memset(memb, 0, sizeof memb);
        ck_assert_int_eq(community_leiden(5, NULL, 0, 1, warm, memb, &nc), 0);
        ck_assert_uint_eq(nc, 5);
        for (uint32_t x = 0; x < 5; x++)
            ck_assert_uint_eq(memb[x], x);
    }
    /* one edge and two people alone: {0, 1} together (modularity 0
     * against -1/2 apart), the others alone */
    g_add(&g, 1, 0);
    uint32_t *m1 = detect(&g, 1, 0, NULL, &nc);
    ck_assert_uint_eq(nc, 4);
    ck_assert_uint_eq(m1[0], m1[1]);
    ck_assert(m1[2] != m1[0] && m1[3] != m1[0] && m1[4] != m1[0] && m1[2] != m1[3]);
    free(m1);
    g_free(&g);
    /* two triangles joined by one edge: the triangles (Q = 5/14 against 0
     * for all together) */
    g_init(&g, 6);
    const uint32_t e[][2] = { { 0, 1 }, { 1, 2 }, { 0, 2 }, { 3, 4 }, { 4, 5 }, { 3, 5 }, { 2, 3 } };
    for (size_t i = 0; i < 7; i++)
        g_add(&g, e[i][0], e[i][1]);
    uint32_t *m2 = detect(&g, 1, 0, NULL, &nc);
    ck_assert_uint_eq(nc, 2);
    ck_assert(m2[0] == m2[1] && m2[1] == m2[2] && m2[3] == m2[4] && m2[4] == m2[5] && m2[0] != m2[3]);
    free(m2);
    g_free(&g);
    /* a star: one community */
    g_init(&g, 8);
    for (uint32_t x = 1; x < 8; x++)
        g_add(&g, 0, x);
    uint32_t *m3 = detect(&g, 1, 0, NULL, &nc);
    ck_assert_uint_eq(nc, 1);
    free(m3);
    g_free(&g);
}
END_TEST

/* ---- NMI ------------------------------------------------------------------------------ */

/* NMI by hand, labels of any size (ranked first: large values go through
 * the sort, small ones through the direct table).  a = {0,0,0,1,1,1}.
 * b = the same split under labels 4e9 and 5: NMI 1.  c = {10,20,10,20,10,20}:
 * joint shares 1/3, 1/6, 1/6, 1/3 with both marginals (1/2, 1/2), so
 * I = (2/3) ln(4/3) + (1/3) ln(2/3), H = ln 2 each, NMI = I / ln 2 = 0.0817. */
START_TEST(test_nmi_hand)
{
    const uint32_t a[] = { 0, 0, 0, 1, 1, 1 }, b[] = { 4000000000u, 4000000000u, 4000000000u, 5, 5, 5 };
    const uint32_t c[] = { 10, 20, 10, 20, 10, 20 }, d[] = { 1, 1, 1, 0, 0, 0 };
    ck_assert_double_eq_tol(community_nmi(6, a, b), 1, 1e-12);
    ck_assert_double_eq_tol(community_nmi(6, a, d), 1, 1e-12);
    double want = ((2.0 / 3) * log(4.0 / 3) + (1.0 / 3) * log(2.0 / 3)) / log(2);
    ck_assert_double_eq_tol(community_nmi(6, a, c), want, 1e-12);
    ck_assert_double_eq_tol(community_nmi(6, c, a), want, 1e-12);
    /* one community on both sides: 1 (documented); against a split: 0 */
    const uint32_t one[] = { 7, 7, 7, 7, 7, 7 }, other[] = { UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX,
                                                             UINT32_MAX, UINT32_MAX };
    ck_assert_double_eq_tol(community_nmi(6, one, other), 1, 1e-12);
    ck_assert_double_eq_tol(community_nmi(6, one, a), 0, 1e-12);
    ck_assert_double_eq_tol(community_nmi(1, a, b), 1, 1e-12);
}
END_TEST

/* Random partitions: community_nmi equals the NMI computed here; it is 1
 * for a partition against itself under any relabelling (UINT32_MAX and 0
 * among the labels: a label like any other, not left out), symmetric. */
START_TEST(test_nmi_independent_computation)
{
    gsl_rng *r = tu_rng(61);
    const uint32_t n = 5000;
    uint32_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *c = malloc(n * sizeof *c);
    ck_assert(a && b && c);
    for (int trial = 0; trial < 6; trial++) {
        uint32_t ka = 2 + (uint32_t)gsl_rng_uniform_int(r, 40), kb = 2 + (uint32_t)gsl_rng_uniform_int(r, 400);
        for (uint32_t x = 0; x < n; x++) {
            a[x] = (uint32_t)gsl_rng_uniform_int(r, ka);
            /* b depends on a in part, so that the NMI is neither 0 nor 1 */
            b[x] = gsl_rng_uniform(r) < 0.5 ? a[x] * 7 % kb : (uint32_t)gsl_rng_uniform_int(r, kb);
        }
        double got = community_nmi(n, a, b), want = nmi_here(n, a, b);
        ck_assert_msg(fabs(got - want) < 1e-12, "trial %d: %.15g, want %.15g", trial, got, want);
        ck_assert(got > 0.05 && got < 0.95);
        ck_assert_double_eq_tol(community_nmi(n, b, a), got, 1e-12);
        /* a relabelled by a bijection onto large labels (UINT32_MAX among
         * them): the same partition */
        for (uint32_t x = 0; x < n; x++)
            c[x] = a[x] == 0 ? UINT32_MAX : a[x] == 1 ? 0 : UINT32_MAX - 1000003u * a[x];
        ck_assert_double_eq_tol(community_nmi(n, a, c), 1, 1e-12);
        ck_assert_double_eq_tol(community_nmi(n, c, b), got, 1e-12);
        ck_assert_double_eq_tol(community_nmi(n, a, a), 1, 1e-12);
    }
    /* UINT32_MAX is not left out: the people labelled so count */
    for (uint32_t x = 0; x < n; x++) {
        a[x] = x % 3 == 0 ? UINT32_MAX : x % 2;
        b[x] = x % 2;
    }
    ck_assert_double_eq_tol(community_nmi(n, a, b), nmi_here(n, a, b), 1e-12);
    ck_assert(community_nmi(n, a, b) < 0.9);
    free(a), free(b), free(c);
    gsl_rng_free(r);
}
END_TEST

/* Independent partitions: the plug-in mutual information of two
 * independent labellings of n people into ka and kb groups is not 0:
 * G = 2 n I (I in nats) follows the chi-squared law with
 * df = (ka - 1)(kb - 1) degrees of freedom (the G-test; every cell here
 * expects n / (ka kb) >= 40 people, where the law holds well).  So
 * NMI = 2 I / (Ha + Hb) = G / (n (Ha + Hb)) has mean df / (n (Ha + Hb))
 * and standard deviation sqrt(2 df) / (n (Ha + Hb)); asserted within 5
 * standard deviations of the mean, for three pairs, with the entropies of
 * the drawn labels.  For n = 10^4, ka = 10, kb = 25: about 0.0039 +- 0.0004,
 * far from 0 and far below anything a structure would give. */
START_TEST(test_nmi_independent_near_zero)
{
    gsl_rng *r = tu_rng(67);
    const uint32_t n = 10000, ka = 10, kb = 25;
    uint32_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    ck_assert(a && b);
    for (int trial = 0; trial < 3; trial++) {
        for (uint32_t x = 0; x < n; x++) {
            a[x] = (uint32_t)gsl_rng_uniform_int(r, ka) * 1000u;        /* sparse labels: the sort */
            b[x] = (uint32_t)gsl_rng_uniform_int(r, kb);
        }
        double ha, hb, hab;
        entropies(n, a, b, &ha, &hb, &hab);
        double df = (ka - 1.0) * (kb - 1.0), scale = n * (ha + hb);
        double mean = df / scale, sd = sqrt(2 * df) / scale, nmi = community_nmi(n, a, b);
        ck_assert_msg(fabs(nmi - mean) < 5 * sd, "trial %d: NMI %g, expected %g +- %g", trial, nmi, mean, sd);
    }
    free(a), free(b);
    gsl_rng_free(r);
}
END_TEST

Suite *community_suite(void)
{
    Suite *s = suite_create("community");
    TCase *tc = tcase_create("detect");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_planted_partition);
    tcase_add_test(tc, test_disconnected_cliques);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_warm_start);
    tcase_add_test(tc, test_edge_cases);
    suite_add_tcase(s, tc);
    tc = tcase_create("nmi");
    tcase_add_test(tc, test_nmi_hand);
    tcase_add_test(tc, test_nmi_independent_computation);
    tcase_add_test(tc, test_nmi_independent_near_zero);
    suite_add_tcase(s, tc);
    return s;
}
