/* check_knowledge — the adversary's knowledge (knowledge_add, and the
 * staged path knowledge_stage/knowledge_flush the snapshots use).
 *
 * What must hold whatever the storage: edges_found is the number of true
 * undirected edges seen in either direction, each counted once; pairs that
 * are not edges are counted once per unordered pair in false_pairs.n;
 * nodes_found is the number of distinct people in any acquired pair;
 * records counts every record, repeats included.  The tests compare with a
 * brute-force reference: the sorted set of unordered pairs seen. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_rng.h>

#include "contacts.h"
#include "knowledge.h"
#include "suites.h"
#include "testutil.h"


static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t unordered_key(uint32_t a, uint32_t b)
{
    return a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
}

/* --- a known small graph ------------------------------------------------ */

/* 7 people; 6 has no contacts. */
static const struct graph_edge small_edges[] = {
    { 0, 1 }, { 0, 2 }, { 0, 3 }, { 1, 2 }, { 1, 4 }, { 1, 5 }, { 3, 5 }, { 4, 5 },
};

/* Records and the counters after each, worked out by hand. */
static const struct step {
    uint32_t q, r;
    uint64_t edges, nodes, falses;
} small_steps[] = {
    { 0, 1, 1, 2, 0 },      /* edge 0-1 */
    { 1, 0, 1, 2, 0 },      /* the same edge the other way */
    { 0, 1, 1, 2, 0 },      /* a repeat */
    { 2, 0, 2, 3, 0 },      /* edge 0-2, person 2 */
    { 0, 4, 2, 4, 1 },      /* not an edge: false pair {0,4}, person 4 */
    { 4, 0, 2, 4, 1 },      /* the same unordered pair */
    { 0, 4, 2, 4, 1 },
    { 6, 5, 2, 6, 2 },      /* false {5,6}: persons 5 and 6 */
    { 5, 1, 3, 6, 2 },      /* edge 1-5 */
    { 1, 5, 3, 6, 2 },
    { 5, 6, 3, 6, 2 },      /* false {5,6} again */
    { 3, 5, 4, 7, 2 },      /* edge 3-5, person 3: everybody now */
    { 6, 3, 4, 7, 3 },      /* false {3,6} */
    { 2, 4, 4, 7, 4 },      /* false {2,4} */
    { 4, 2, 4, 7, 4 },
    { 4, 5, 5, 7, 4 },      /* edge 4-5 */
    { 2, 1, 6, 7, 4 },      /* edge 1-2 */
    { 1, 4, 7, 7, 4 },      /* edge 1-4 */
    { 3, 0, 8, 7, 4 },      /* edge 0-3: all 8 found */
    { 0, 3, 8, 7, 4 },
};
#define NSTEPS (sizeof small_steps / sizeof small_steps[0])

static void check_counts(const struct knowledge *k, uint64_t edges, uint64_t nodes,
                         uint64_t falses, uint64_t records)
{
    FAST_EQ(k->edges_found, edges);
    FAST_EQ(k->nodes_found, nodes);
    FAST_EQ(k->false_pairs.n, falses);
    FAST_EQ(k->records, records);
}

START_TEST(test_knowledge_small_add)
{
    struct graph g;
    ck_assert_int_eq(graph_from_edges(&g, 7, small_edges, 8), 0);
    struct knowledge k;
    ck_assert_int_eq(knowledge_init(&k, &g), 0);
    ck_assert_ptr_eq(k.truth, &g);
    check_counts(&k, 0, 0, 0, 0);
    for (size_t i = 0; i < NSTEPS; i++) {
        const struct step *s = &small_steps[i];
        ck_assert_int_eq(knowledge_add(&k, s->q, s->r), 0);
        ck_assert_msg(k.edges_found == s->edges && k.nodes_found == s->nodes
                      && k.false_pairs.n == s->falses && k.records == i + 1,
                      "after record %zu (%u, %u): edges %llu nodes %llu false %llu records %llu, "
                      "expected %llu %llu %llu %zu", i, s->q, s->r,
                      (unsigned long long)k.edges_found, (unsigned long long)k.nodes_found,
                      (unsigned long long)k.false_pairs.n, (unsigned long long)k.records,
                      (unsigned long long)s->edges, (unsigned long long)s->nodes,
                      (unsigned long long)s->falses, i + 1);
    }
    knowledge_destroy(&k);
    knowledge_destroy(NULL);                       /* allowed */
    graph_destroy(&g);
}
END_TEST

/* The staged path gives the same counters: flushed after every record, and
 * flushed once at the end.  Staging counts the record at once; learning
 * waits for the flush. */
START_TEST(test_knowledge_small_stage)
{
    struct graph g;
    ck_assert_int_eq(graph_from_edges(&g, 7, small_edges, 8), 0);
    struct knowledge k;
    ck_assert_int_eq(knowledge_init(&k, &g), 0);
    for (size_t i = 0; i < NSTEPS; i++) {
        const struct step *s = &small_steps[i];
        ck_assert_int_eq(knowledge_stage(&k, s->q, s->r), 0);
        ck_assert_int_eq(knowledge_flush(&k), 0);
        ck_assert_msg(k.edges_found == s->edges && k.nodes_found == s->nodes
                      && k.false_pairs.n == s->falses && k.records == i + 1,
                      "after record %zu (%u, %u) staged and flushed: edges %llu nodes %llu "
                      "false %llu records %llu", i, s->q, s->r,
                      (unsigned long long)k.edges_found, (unsigned long long)k.nodes_found,
                      (unsigned long long)k.false_pairs.n, (unsigned long long)k.records);
    }
    ck_assert_int_eq(knowledge_flush(&k), 0);      /* nothing staged: no change */
    check_counts(&k, 8, 7, 4, NSTEPS);
    knowledge_destroy(&k);

    ck_assert_int_eq(knowledge_init(&k, &g), 0);
    for (size_t i = 0; i < NSTEPS; i++)
        ck_assert_int_eq(knowledge_stage(&k, small_steps[i].q, small_steps[i].r), 0);
    check_counts(&k, 0, 0, 0, NSTEPS);
    ck_assert_int_eq(knowledge_flush(&k), 0);
    check_counts(&k, 8, 7, 4, NSTEPS);
    /* Mixed with direct adds, in any order, the result is the same. */
    ck_assert_int_eq(knowledge_stage(&k, 6, 0), 0);   /* new false {0,6} */
    ck_assert_int_eq(knowledge_add(&k, 0, 6), 0);     /* learnt at once */
    check_counts(&k, 8, 7, 5, NSTEPS + 2);
    ck_assert_int_eq(knowledge_flush(&k), 0);         /* then staged: known */
    check_counts(&k, 8, 7, 5, NSTEPS + 2);
    knowledge_destroy(&k);
    graph_destroy(&g);
}
END_TEST

/* --- against a brute-force reference ------------------------------------ */

/* The reference counters for the first `n` records (unordered keys): sort a
 * copy, count the distinct pairs that are edges, that are not, and the
 * distinct people. */
static void reference(const struct graph *g, const uint64_t *keys, size_t n,
                      uint64_t *edges, uint64_t *falses, uint64_t *nodes)
{
    uint64_t *s = malloc((n ? n : 1) * sizeof *s);
    unsigned char *seen = calloc(g->n, 1);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_nonnull(seen);
    memcpy(s, keys, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_u64);
    *edges = *falses = *nodes = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && s[i] == s[i - 1])
            continue;
        uint32_t a = (uint32_t)(s[i] >> 32), b = (uint32_t)s[i];
        int is_edge = 0;                             /* linear scan, not graph_find */
        for (uint64_t j = g->off[a]; j < g->off[a + 1]; j++)
            is_edge |= g->adj[j] == b;
        if (is_edge)
            (*edges)++;
        else
            (*falses)++;
        *nodes += !seen[a];
        seen[a] = 1;
        *nodes += !seen[b];
        seen[b] = 1;
    }
    free(s);
    free(seen);
}

/* Random records on an ER graph: half are true contacts (a random
 * adjacency entry, so either direction), half random pairs of distinct
 * people (almost all not contacts).  Run with n = 1500, 3000 and 100000
 * (node ids of 11, 12 and 17 bits, below and above the widths the staged
 * path buckets by).  Both paths are compared with the reference every
 * 20,000 records; the staged path is flushed only there. */
static const uint32_t random_sizes[] = { 1500, 3000, 100000 };

START_TEST(test_knowledge_random)
{
    const uint32_t n = random_sizes[_i];
    const size_t N = 200000, EVERY = 20000;
    gsl_rng *r = tu_rng(555 + (unsigned long)_i);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, n, 8, r), 0);
    struct knowledge ka, ks;
    ck_assert_int_eq(knowledge_init(&ka, &g), 0);
    ck_assert_int_eq(knowledge_init(&ks, &g), 0);
    uint64_t *keys = malloc(N * sizeof *keys);
    ck_assert_ptr_nonnull(keys);
    for (size_t i = 0; i < N; i++) {
        uint32_t a, b;
        if (i % 2 == 0) {
            uint64_t j = gsl_rng_uniform_int(r, 2 * g.m);
            size_t lo = 0, hi = n;                   /* a: the row holding entry j */
            while (hi - lo > 1) {
                size_t mid = (lo + hi) / 2;
                if (g.off[mid] <= j)
                    lo = mid;
                else
                    hi = mid;
            }
            a = (uint32_t)lo;
            b = g.adj[j];
        } else {
            a = (uint32_t)gsl_rng_uniform_int(r, n);
            b = (uint32_t)gsl_rng_uniform_int(r, n - 1);
            b += b >= a;                             /* distinct from a */
        }
        keys[i] = unordered_key(a, b);
        FAST_EQ(knowledge_add(&ka, a, b), 0);
        FAST_EQ(knowledge_stage(&ks, a, b), 0);
        if ((i + 1) % EVERY == 0) {
            uint64_t edges, falses, nodes;
            reference(&g, keys, i + 1, &edges, &falses, &nodes);
            check_counts(&ka, edges, nodes, falses, i + 1);
            ck_assert_int_eq(knowledge_flush(&ks), 0);
            check_counts(&ks, edges, nodes, falses, i + 1);
        }
    }
    /* The run covered what it should: many edges found, many false pairs. */
    ck_assert_uint_gt(ka.edges_found, n <= 3000 ? g.m / 2 : g.m / 5);
    ck_assert_uint_gt(ka.false_pairs.n, N / 4);
    if (n <= 3000)                                   /* each person in ~70 random pairs */
        ck_assert_uint_eq(ka.nodes_found, n);
    free(keys);
    knowledge_destroy(&ka);
    knowledge_destroy(&ks);
    graph_destroy(&g);
    gsl_rng_free(r);
}
END_TEST

/* More records than one staging block (ks.block, at most KNOWLEDGE_BLOCK): the block is
 * learnt when it fills, the rest at the flush; the counters equal the
 * reference and the direct path.  Records are true contacts (random
 * entries of an ER graph, n = 20000) but for a random pair every 64th
 * record. */
START_TEST(test_knowledge_block)
{
    const uint32_t n = 20000;
    const size_t N = KNOWLEDGE_BLOCK + KNOWLEDGE_BLOCK / 4 + 3;
    gsl_rng *r = tu_rng(9001);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, n, 10, r), 0);
    struct knowledge ka, ks;
    ck_assert_int_eq(knowledge_init(&ka, &g), 0);
    ck_assert_int_eq(knowledge_init(&ks, &g), 0);
    uint64_t *keys = malloc(N * sizeof *keys);
    ck_assert_ptr_nonnull(keys);
    uint32_t *owner = malloc(2 * g.m * sizeof *owner);
    ck_assert_ptr_nonnull(owner);
    for (uint32_t a = 0; a < n; a++)
        for (uint64_t j = g.off[a]; j < g.off[a + 1]; j++)
            owner[j] = a;
    for (size_t i = 0; i < N; i++) {
        uint32_t a, b;
        if (i % 64 == 63) {
            a = (uint32_t)gsl_rng_uniform_int(r, n);
            b = (uint32_t)gsl_rng_uniform_int(r, n - 1);
            b += b >= a;
        } else {
            uint64_t j = gsl_rng_uniform_int(r, 2 * g.m);
            a = owner[j];
            b = g.adj[j];
        }
        keys[i] = unordered_key(a, b);
        FAST_EQ(knowledge_add(&ka, a, b), 0);
        FAST_EQ(knowledge_stage(&ks, a, b), 0);
        if (i + 1 == ks.block - 1)
            ck_assert_uint_eq(ks.edges_found, 0);    /* nothing learnt yet */
        if (i + 1 == ks.block) {                     /* the full block was learnt */
            ck_assert_uint_eq(ks.edges_found, ka.edges_found);
            ck_assert_uint_eq(ks.false_pairs.n, ka.false_pairs.n);
            ck_assert_uint_eq(ks.nodes_found, ka.nodes_found);
        }
    }
    ck_assert_int_eq(knowledge_flush(&ks), 0);
    uint64_t edges, falses, nodes;
    reference(&g, keys, N, &edges, &falses, &nodes);
    check_counts(&ka, edges, nodes, falses, N);
    check_counts(&ks, edges, nodes, falses, N);
    /* 2.6 million draws over 2m ~ 200,000 entries: every edge is found
     * (the chance one is missed is ~ m exp(-2.6e6 / m) ~ 1e-6). */
    ck_assert_uint_eq(edges, g.m);
    free(owner);
    free(keys);
    knowledge_destroy(&ka);
    knowledge_destroy(&ks);
    graph_destroy(&g);
    gsl_rng_free(r);
}
END_TEST

/* knowledge_set_contacts_only: with true contacts only (random entries of
 * an ER graph, n = 5000, mean degree 6, 12 rounds of 20,000 records, so
 * that rows fill up and are passed), the staged knowledge with the promise
 * equals the one without, bit for bit: found pairs, people, first
 * exposures, rebuilt degrees, unfound counts, and the unfound counts
 * equal a recount, with a done bit exactly where it is 0; a record of a
 * full row's pair is then counted and not staged.  Then a non-contact pair whose lower end's row is still
 * open is learnt all the same and counted in not_contacts. */
START_TEST(test_knowledge_contacts_only)
{
    const uint32_t n = 5000;
    gsl_rng *r = tu_rng(777);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, n, 6, r), 0);
    struct knowledge kp, kn;
    ck_assert_int_eq(knowledge_init(&kp, &g), 0);
    ck_assert_int_eq(knowledge_init(&kn, &g), 0);
    knowledge_set_contacts_only(&kp);
    uint32_t *owner = malloc(2 * g.m * sizeof *owner);
    ck_assert_ptr_nonnull(owner);
    for (uint32_t a = 0; a < n; a++)
        for (uint64_t j = g.off[a]; j < g.off[a + 1]; j++)
            owner[j] = a;
    uint32_t full_rows = 0;
    for (int round = 0; round < 12; round++) {
        knowledge_set_time(&kp, (uint32_t)round * 86400);
        knowledge_set_time(&kn, (uint32_t)round * 86400);
        for (int i = 0; i < 20000; i++) {
            uint64_t j = gsl_rng_uniform_int(r, 2 * g.m);
            FAST_EQ(knowledge_stage(&kp, owner[j], g.adj[j]), 0);
            FAST_EQ(knowledge_stage(&kn, owner[j], g.adj[j]), 0);
        }
        ck_assert_int_eq(knowledge_flush(&kp), 0);
        ck_assert_int_eq(knowledge_flush(&kn), 0);
        ck_assert_uint_eq(kp.edges_found, kn.edges_found);
        ck_assert_uint_eq(kp.nodes_found, kn.nodes_found);
        ck_assert_uint_eq(kp.records, kn.records);
        ck_assert_uint_eq(kp.not_contacts, 0);
        ck_assert_int_eq(memcmp(kp.pair_seen, kn.pair_seen, (2 * g.m + 63) / 64 * sizeof *kp.pair_seen), 0);
        full_rows = 0;
        for (uint32_t u = 0; u < n; u++) {
            FAST_EQ(kp.first_exposed[u], kn.first_exposed[u]);
            FAST_EQ(kp.degree[u], kn.degree[u]);
            FAST_EQ(kp.unfound[u], kn.unfound[u]);
            uint32_t open = 0;
            for (uint64_t j = g.off[u]; j < g.off[u + 1]; j++)
                open += g.adj[j] > u && !((kp.pair_seen[j >> 6] >> (j & 63)) & 1);
            FAST_EQ(kp.unfound[u], open);
            FAST_EQ((kp.done[u >> 6] >> (u & 63)) & 1, open == 0);
            full_rows += open == 0;
        }
    }
    ck_assert_uint_gt(full_rows, n / 2);             /* the passing was exercised */
    /* a record of a full row's pair is counted, not staged */
    uint32_t f = 0;
    while (f < n && !(kp.unfound[f] == 0 && graph_degree(&g, f) > 0 && g.adj[g.off[f + 1] - 1] > f))
        f++;
    ck_assert_uint_lt(f, n);
    uint64_t records = kp.records;
    ck_assert_int_eq(knowledge_stage(&kp, g.adj[g.off[f + 1] - 1], f), 0);
    ck_assert_uint_eq(kp.records, records + 1);
    ck_assert_uint_eq(kp.staged, 0);
    /* a non-contact pair {u, v} with u's row open */
    uint32_t u = 0;
    while (u < n && kp.unfound[u] == 0)
        u++;
    if (u == n) {                                    /* every row full: start afresh */
        knowledge_destroy(&kp);
        ck_assert_int_eq(knowledge_init(&kp, &g), 0);
        knowledge_set_contacts_only(&kp);
        u = 0;
        while (graph_degree(&g, u) == 0 || kp.unfound[u] == 0)
            u++;
    }
    uint32_t v = u + 1;
    while (graph_find(&g, u, v) >= 0)
        v++;
    uint64_t before = kp.false_pairs.n;
    ck_assert_int_eq(knowledge_stage(&kp, v, u), 0);
    ck_assert_int_eq(knowledge_flush(&kp), 0);
    ck_assert_uint_eq(kp.not_contacts, 1);
    ck_assert_uint_eq(kp.false_pairs.n, before + 1);
    free(owner);
    knowledge_destroy(&kp);
    knowledge_destroy(&kn);
    graph_destroy(&g);
    gsl_rng_free(r);
}
END_TEST

/* --- pairset ------------------------------------------------------------- */




/* A threshold of 2 records, and first exposures: a pair counts from its
 * second record on (true or not), its people are exposed then, and the
 * exposure histogram and mean follow. */
START_TEST(test_knowledge_min_count)
{
    struct graph_edge e[] = { { 0, 1 }, { 1, 2 }, { 2, 3 } };
    struct graph g;
    ck_assert_int_eq(graph_from_edges(&g, 5, e, 3), 0);
    struct knowledge k;
    ck_assert_int_eq(knowledge_init(&k, &g), 0);
    ck_assert_int_eq(knowledge_set_min_count(&k, 0), -1);
    ck_assert_int_eq(knowledge_set_min_count(&k, 256), -1);
    ck_assert_int_eq(knowledge_set_min_count(&k, 2), 0);
    knowledge_set_time(&k, 86400 * 3 + 5);
    ck_assert_int_eq(knowledge_add(&k, 0, 1), 0);
    ck_assert_int_eq(knowledge_add(&k, 4, 0), 0);            /* not a contact */
    ck_assert_uint_eq(k.edges_found, 0);
    ck_assert_uint_eq(k.nodes_found, 0);
    ck_assert_uint_eq(k.false_found, 0);
    ck_assert(!knowledge_has_edge(&k, 0, 1));
    knowledge_set_time(&k, 86400 * 7);
    ck_assert_int_eq(knowledge_add(&k, 1, 0), 0);            /* the other direction counts too */
    ck_assert_uint_eq(k.edges_found, 1);
    ck_assert(knowledge_has_edge(&k, 0, 1));
    ck_assert_uint_eq(k.nodes_found, 2);
    ck_assert_uint_eq(k.first_exposed[0], 86400 * 7);
    ck_assert_uint_eq(k.first_exposed[1], 86400 * 7);
    ck_assert_uint_eq(k.first_exposed[4], UINT32_MAX);
    ck_assert_uint_eq(k.exposed_by_day[7], 2);
    knowledge_set_time(&k, 86400 * 9);
    for (int i = 0; i < 300; i++) {                          /* counts saturate, found once */
        ck_assert_int_eq(knowledge_add(&k, 0, 4), 0);
        ck_assert_int_eq(knowledge_add(&k, 1, 0), 0);
    }
    ck_assert_uint_eq(k.false_found, 1);
    ck_assert_uint_eq(k.edges_found, 1);
    ck_assert_uint_eq(k.nodes_found, 3);                     /* 4 is exposed on day 9 */
    ck_assert_uint_eq(k.exposed_by_day[9], 1);
    ck_assert_double_eq_tol(k.exposure_sum, 2 * 86400 * 7 + 86400 * 9, 1e-6);
    /* staged records count one by one, repeats included */
    ck_assert_int_eq(knowledge_stage(&k, 2, 3), 0);
    ck_assert_int_eq(knowledge_stage(&k, 3, 2), 0);
    ck_assert_int_eq(knowledge_flush(&k), 0);
    ck_assert(knowledge_has_edge(&k, 2, 3));
    ck_assert(!knowledge_has_edge(&k, 1, 2));
    knowledge_destroy(&k);
    graph_destroy(&g);
}
END_TEST




/* A replication split in parts (knowledge_directed and the settling
 * protocol, knowledge.h): ER n = 5000, mean degree 10, four acquisitions
 * at days 30, 60, 90, 120 of 12,000 true-contact records each (random
 * entries, so either direction), learnt (a) by one knowledge and (b) by
 * three parts holding people [0, 1500), [1500, 1500), [1500, 5000) (one
 * part empty), each record by its querier's part.  The parts route in
 * rounds of at most 7 pairs (their lists passed by hand, as MPI's
 * exchange would), settle, sum their counts and apply the sums.  Every
 * part then equals (a): the counts of edges and people found, each
 * person's degree and first exposure, the people seen, the exposure sum
 * and histogram; and the pairs the parts marked are, together, exactly
 * (a)'s, each marked once (by the part holding its owner end).  Without
 * the routing (each part settling only what it holds) fewer pairs are
 * found: checked. */
static void same_counts(const struct knowledge *a, const struct knowledge *b)
{
    const struct graph *g = a->truth;
    FAST_EQ(a->edges_found, b->edges_found);
    FAST_EQ(a->nodes_found, b->nodes_found);
    ck_assert(a->exposure_sum == b->exposure_sum);
    ck_assert_int_eq(memcmp(a->node_seen, b->node_seen, ((g->n + 63) / 64) * sizeof *a->node_seen), 0);
    ck_assert_int_eq(memcmp(a->degree, b->degree, g->n * sizeof *a->degree), 0);
    ck_assert_int_eq(memcmp(a->first_exposed, b->first_exposed, g->n * sizeof *a->first_exposed), 0);
    size_t nd = a->ndays < b->ndays ? a->ndays : b->ndays;
    for (size_t d = 0; d < nd; d++)
        FAST_EQ(a->exposed_by_day[d], b->exposed_by_day[d]);
    for (size_t d = nd; d < a->ndays; d++)
        FAST_EQ(a->exposed_by_day[d], 0);
    for (size_t d = nd; d < b->ndays; d++)
        FAST_EQ(b->exposed_by_day[d], 0);
}

START_TEST(test_knowledge_parts)
{
    enum { PARTS = 3, ACQ = 4, PER = 12000 };
    const uint32_t bounds[PARTS + 1] = { 0, 1500, 1500, 5000 };
    gsl_rng *r = tu_rng(4141);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, 5000, 10, r), 0);
    struct knowledge whole, part[PARTS], alone;
    ck_assert_int_eq(knowledge_init(&whole, &g), 0);
    knowledge_set_contacts_only(&whole);
    ck_assert_int_eq(knowledge_init(&alone, &g), 0);
    ck_assert_int_eq(knowledge_directed(&alone, 0, 1500), 0);
    for (int p = 0; p < PARTS; p++) {
        ck_assert_int_eq(knowledge_init(&part[p], &g), 0);
        knowledge_set_contacts_only(&part[p]);
        ck_assert_int_eq(knowledge_directed(&part[p], bounds[p], bounds[p + 1]), 0);
    }
    size_t words = (2 * g.m + 63) / 64 + 1;
    uint32_t *delta = malloc(PARTS * g.n * sizeof *delta), *sum = malloc(g.n * sizeof *sum), *adelta = calloc(g.n, sizeof *adelta);
    ck_assert_ptr_nonnull(delta);
    ck_assert_ptr_nonnull(sum);
    ck_assert_ptr_nonnull(adelta);
    for (int acq = 1; acq <= ACQ; acq++) {
        uint32_t now = (uint32_t)acq * 30 * 86400;
        knowledge_set_time(&whole, now);
        knowledge_set_time(&alone, now);
        for (int p = 0; p < PARTS; p++)
            knowledge_set_time(&part[p], now);
        for (size_t i = 0; i < PER; i++) {
            uint64_t j = gsl_rng_uniform_int(r, 2 * g.m);
            uint32_t a = 0;
            while (g.off[a + 1] <= j)
                a++;
            uint32_t b = g.adj[j];
            FAST_EQ(knowledge_stage(&whole, a, b), 0);
            int p = a < 1500 ? 0 : 2;
            FAST_EQ(knowledge_stage(&part[p], a, b), 0);
            if (p == 0)
                FAST_EQ(knowledge_stage(&alone, a, b), 0);
        }
        ck_assert_int_eq(knowledge_flush(&whole), 0);
        for (int p = 0; p < PARTS; p++)
            ck_assert_int_eq(knowledge_flush(&part[p]), 0);
        /* rounds until no part has rows left; each round's lists delivered */
        uint32_t from[PARTS];
        for (int p = 0; p < PARTS; p++)
            from[p] = bounds[p];
        int rounds = 0;
        for (int more = 1; more; rounds++) {
            uint64_t *out[PARTS];
            size_t counts[PARTS][PARTS];
            for (int p = 0; p < PARTS; p++)
                ck_assert_int_eq(knowledge_route(&part[p], bounds, PARTS, &from[p], 7, &out[p], counts[p]), 0);
            for (int dst = 0; dst < PARTS; dst++)
                for (int p = 0; p < PARTS; p++) {
                    size_t at = 0;
                    for (int x = 0; x < dst; x++)
                        at += counts[p][x];
                    for (size_t i = 0; i < counts[p][dst]; i++) {   /* every pair goes to its lower end's part */
                        uint32_t lo = (uint32_t)(out[p][at + i] >> 32);
                        ck_assert(lo >= bounds[dst] && lo < bounds[dst + 1]);
                    }
                    ck_assert_int_eq(knowledge_route_in(&part[dst], out[p] + at, counts[p][dst]), 0);
                }
            more = 0;
            for (int p = 0; p < PARTS; p++) {
                free(out[p]);
                more |= from[p] < bounds[p + 1];
            }
        }
        ck_assert_int_gt(rounds, 2);
        uint64_t edges = 0;
        memset(sum, 0, g.n * sizeof *sum);
        for (int p = 0; p < PARTS; p++) {
            uint64_t e;
            memset(delta + p * g.n, 0, g.n * sizeof *delta);
            ck_assert_int_eq(knowledge_settle(&part[p], delta + p * g.n, &e), 0);
            edges += e;
            for (uint32_t x = 0; x < g.n; x++)
                sum[x] += delta[p * g.n + x];
        }
        for (int p = 0; p < PARTS; p++) {
            ck_assert_int_eq(knowledge_settle_apply(&part[p], sum, edges), 0);
            same_counts(&whole, &part[p]);
        }
        /* the pairs marked: (a)'s, each once, by the part holding its owner
         * (the lower id when the ids' sum is odd, else the higher), at the
         * owner's entry */
        uint64_t marked = 0;
        for (size_t w = 0; w < words; w++)
            for (int p = 0; p < PARTS; p++)
                marked += (uint64_t)__builtin_popcountll(part[p].pair_seen[w]);
        FAST_EQ(marked, whole.edges_found);
        for (uint32_t lo = 0; lo < g.n; lo++)
            for (uint64_t j = g.off[lo]; j < g.off[lo + 1]; j++) {
                uint32_t hi = g.adj[j];
                if (hi < lo || !((whole.pair_seen[j >> 6] >> (j & 63)) & 1))
                    continue;
                uint32_t o = (lo ^ hi) & 1 ? lo : hi, x = lo ^ hi ^ o;
                int p = o < 1500 ? 0 : 2;
                int64_t jo = graph_find(&g, o, x);
                ck_assert_int_ge(jo, 0);
                FAST((part[p].pair_seen[(uint64_t)jo >> 6] >> ((uint64_t)jo & 63)) & 1);
            }
        uint64_t e1;                              /* a part alone, without the routing */
        uint32_t from1 = 0;
        uint64_t *o1;
        size_t c1[PARTS];
        memset(adelta, 0, g.n * sizeof *adelta);
        ck_assert_int_eq(knowledge_route(&alone, bounds, PARTS, &from1, SIZE_MAX, &o1, c1), 0);
        free(o1);
        ck_assert_int_eq(knowledge_settle(&alone, adelta, &e1), 0);
        ck_assert_int_eq(knowledge_settle_apply(&alone, adelta, e1), 0);
        ck_assert_uint_lt(alone.edges_found, part[0].edges_found);
    }
    ck_assert_uint_gt(whole.edges_found, g.m / 2);      /* 48,000 records on 25,000 edges */
    ck_assert_uint_lt(whole.edges_found, g.m);
    free(delta);
    free(sum);
    free(adelta);
    for (int p = 0; p < PARTS; p++)
        knowledge_destroy(&part[p]);
    knowledge_destroy(&alone);
    knowledge_destroy(&whole);
    graph_destroy(&g);
    gsl_rng_free(r);
}
END_TEST

Suite *knowledge_suite(void)
{
    Suite *s = suite_create("knowledge");
    TCase *tc = tcase_create("knowledge");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_knowledge_small_add);
    tcase_add_test(tc, test_knowledge_small_stage);
    tcase_add_loop_test(tc, test_knowledge_random, 0,
                        (int)(sizeof random_sizes / sizeof random_sizes[0]));
    tcase_add_test(tc, test_knowledge_block);
    tcase_add_test(tc, test_knowledge_contacts_only);
    tcase_add_test(tc, test_knowledge_min_count);
    tcase_add_test(tc, test_knowledge_parts);
    suite_add_tcase(s, tc);
    return s;
}
