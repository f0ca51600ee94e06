/* inference — the rebuilt graph; see inference.h. */
#include "inference.h"

#include <stdlib.h>
#include <string.h>

int pairset_init(struct pairset *s)
{
    s->cap = 1024;
    s->n = 0;
    s->key = malloc(s->cap * sizeof *s->key);
    if (!s->key)
        return -1;
    memset(s->key, 0xff, s->cap * sizeof *s->key);
    return 0;
}

void pairset_destroy(struct pairset *s)
{
    if (!s)
        return;
    free(s->key);
    memset(s, 0, sizeof *s);
}

static inline uint64_t mix64(uint64_t z)      /* splitmix64 finaliser */
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int pairset_put(uint64_t *key, uint64_t cap, uint64_t k)
{
    for (uint64_t i = mix64(k) & (cap - 1);; i = (i + 1) & (cap - 1)) {
        if (key[i] == k)
            return 0;
        if (key[i] == PAIRSET_EMPTY) {
            key[i] = k;
            return 1;
        }
    }
}

int pairset_insert(struct pairset *s, uint64_t k)
{
    if (2 * (s->n + 1) > s->cap) {             /* keep the load under 1/2 */
        uint64_t cap = 2 * s->cap;
        uint64_t *nk = malloc(cap * sizeof *nk);
        if (!nk)
            return -1;
        memset(nk, 0xff, cap * sizeof *nk);
        for (uint64_t i = 0; i < s->cap; i++)
            if (s->key[i] != PAIRSET_EMPTY)
                pairset_put(nk, cap, s->key[i]);
        free(s->key);
        s->key = nk;
        s->cap = cap;
    }
    int fresh = pairset_put(s->key, s->cap, k);
    s->n += (uint64_t)fresh;
    return fresh;
}

int knowledge_init(struct knowledge *k, const struct graph *truth)
{
    memset(k, 0, sizeof *k);
    k->truth = truth;
    k->pair_seen = calloc((2 * truth->m + 63) / 64 + 1, sizeof *k->pair_seen);
    /* A block big enough to bucket well, no bigger than a few times the
     * graph (a small scenario should not pay 64 MiB). */
    k->block = KNOWLEDGE_BLOCK;
    while (k->block > 4096 && k->block / 2 >= 4 * truth->m)
        k->block /= 2;
    k->stage = malloc(k->block * sizeof *k->stage);
    k->scratch = malloc(k->block * sizeof *k->scratch);
    k->key_bits = 1;
    while (k->key_bits < 32 && ((uint64_t)1 << k->key_bits) < truth->n)
        k->key_bits++;
    k->node_seen = calloc(((uint64_t)truth->n + 63) / 64 + 1, sizeof *k->node_seen);
    if (!k->pair_seen || !k->node_seen || !k->stage || !k->scratch || pairset_init(&k->false_pairs)) {
        knowledge_destroy(k);
        return -1;
    }
    return 0;
}

void knowledge_destroy(struct knowledge *k)
{
    if (!k)
        return;
    free(k->pair_seen);
    free(k->stage);
    free(k->scratch);
    free(k->node_seen);
    pairset_destroy(&k->false_pairs);
    memset(k, 0, sizeof *k);
}

static inline int test_and_set(uint64_t *bits, uint64_t i)
{
    uint64_t mask = 1ull << (i & 63);
    int was = (bits[i >> 6] & mask) != 0;
    bits[i >> 6] |= mask;
    return was;
}

/* Learn the pair {lo, hi}, lo <= hi; j is hi's index in lo's row or -1. */
static inline int learn(struct knowledge *k, uint32_t lo, uint32_t hi, int64_t j)
{
    if (j >= 0) {
        if (test_and_set(k->pair_seen, (uint64_t)j))
            return 0;                           /* known pair: its people are marked too */
        k->edges_found++;
    } else {
        int fresh = pairset_insert(&k->false_pairs, ((uint64_t)lo << 32) | hi);
        if (fresh <= 0)
            return fresh;
    }
    if (!test_and_set(k->node_seen, lo))
        k->nodes_found++;
    if (!test_and_set(k->node_seen, hi))
        k->nodes_found++;
    return 0;
}

int knowledge_add(struct knowledge *k, uint32_t querier, uint32_t queried)
{
    k->records++;
    uint32_t lo = querier < queried ? querier : queried;
    uint32_t hi = querier ^ queried ^ lo;
    return learn(k, lo, hi, graph_find(k->truth, lo, hi));
}

/* Bucket the staged keys by the top bits of their lower end (one stable
 * counting-sort pass, 2^11 buckets: few enough that the scatter's write
 * positions stay in cache), so that each bucket's adjacency rows (n / 2^11
 * consecutive ones, about 40 KiB for N = 10^6 and degree 20) stay in cache
 * while the bucket is walked.
 * Locality is the aim, not order: repeats are harmless, learn() is
 * idempotent. */
static void bucket_by_low_end(struct knowledge *k)
{
    enum { BITS = 11, BUCKETS = 1 << BITS };
    size_t count[BUCKETS];
    unsigned shift = 32 + (k->key_bits > BITS ? k->key_bits - BITS : 0);
    const uint64_t *src = k->stage;
    uint64_t *dst = k->scratch;
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < k->staged; i++)
        count[(src[i] >> shift) & (BUCKETS - 1)]++;
    size_t sum = 0;
    for (size_t b = 0; b < BUCKETS; b++) {
        size_t c = count[b];
        count[b] = sum;
        sum += c;
    }
    for (size_t i = 0; i < k->staged; i++)
        dst[count[(src[i] >> shift) & (BUCKETS - 1)]++] = src[i];
    k->scratch = k->stage;
    k->stage = dst;
}

/* graph_find without branches on the data (a conditional move per step):
 * rows are short and the searched values random, so a branchy search
 * mispredicts about every other step. */
static inline int64_t find_branchless(const struct graph *g, uint32_t a, uint32_t b)
{
    const uint32_t *row = g->adj + g->off[a];
    size_t n = (size_t)(g->off[a + 1] - g->off[a]);
    if (n == 0)
        return -1;
    while (n > 1) {
        size_t half = n / 2;
        row = row[half] <= b ? row + half : row;
        n -= half;
    }
    return *row == b ? row - g->adj : -1;
}

int knowledge_flush_(struct knowledge *k)
{
    bucket_by_low_end(k);
    enum { AHEAD = 16 };                        /* prefetch distance, keys */
    const struct graph *g = k->truth;
    uint64_t prev = UINT64_MAX;
    for (size_t i = 0; i < k->staged; i++) {
        uint64_t key = k->stage[i];
        if (i + AHEAD < k->staged) {            /* its offset is cached: the bucket is local */
            uint64_t o = g->off[k->stage[i + AHEAD] >> 32];
            __builtin_prefetch(&g->adj[o]);
            __builtin_prefetch(&k->pair_seen[o >> 6]);
        }
        if (key == prev)                        /* the same pair again: nothing new */
            continue;
        prev = key;
        uint32_t lo = (uint32_t)(key >> 32), hi = (uint32_t)key;
        if (learn(k, lo, hi, find_branchless(g, lo, hi)) < 0)
            return -1;
    }
    k->staged = 0;
    return 0;
}
