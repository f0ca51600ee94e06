/* inference — the rebuilt graph; see inference.h. */
#include "inference.h"

#include <stdlib.h>
#include <string.h>

int pairset_init(struct pairset *s)
{
    s->cap = 1024;
    s->n = 0;
    s->key = malloc(s->cap * sizeof *s->key);
    s->count = calloc(s->cap, sizeof *s->count);
    if (!s->key || !s->count) {
        pairset_destroy(s);
        return -1;
    }
    memset(s->key, 0xff, s->cap * sizeof *s->key);
    return 0;
}

void pairset_destroy(struct pairset *s)
{
    if (!s)
        return;
    free(s->key);
    free(s->count);
    memset(s, 0, sizeof *s);
}

static inline uint64_t mix64(uint64_t z)      /* splitmix64 finaliser */
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The slot of k (placed there if absent); *fresh says whether it was. */
static uint64_t pairset_slot(uint64_t *key, uint64_t cap, uint64_t k, int *fresh)
{
    for (uint64_t i = mix64(k) & (cap - 1);; i = (i + 1) & (cap - 1)) {
        if (key[i] == k) {
            *fresh = 0;
            return i;
        }
        if (key[i] == PAIRSET_EMPTY) {
            key[i] = k;
            *fresh = 1;
            return i;
        }
    }
}

/* Room for one more key, keeping the load under 1/2.  0 or -1 (OOM). */
static int pairset_reserve(struct pairset *s)
{
    if (2 * (s->n + 1) <= s->cap)
        return 0;
    uint64_t cap = 2 * s->cap;
    uint64_t *nk = malloc(cap * sizeof *nk);
    uint8_t *nc = calloc(cap, sizeof *nc);
    if (!nk || !nc) {
        free(nk);
        free(nc);
        return -1;
    }
    memset(nk, 0xff, cap * sizeof *nk);
    for (uint64_t i = 0; i < s->cap; i++)
        if (s->key[i] != PAIRSET_EMPTY) {
            int fresh;
            nc[pairset_slot(nk, cap, s->key[i], &fresh)] = s->count[i];
        }
    free(s->key);
    free(s->count);
    s->key = nk;
    s->count = nc;
    s->cap = cap;
    return 0;
}

int pairset_insert(struct pairset *s, uint64_t k)
{
    if (pairset_reserve(s))
        return -1;
    int fresh;
    pairset_slot(s->key, s->cap, k, &fresh);
    s->n += (uint64_t)fresh;
    return fresh;
}

int pairset_bump(struct pairset *s, uint64_t k)
{
    if (pairset_reserve(s))
        return -1;
    int fresh;
    uint64_t i = pairset_slot(s->key, s->cap, k, &fresh);
    s->n += (uint64_t)fresh;
    if (s->count[i] < 255)
        s->count[i]++;
    return s->count[i];
}

int knowledge_init(struct knowledge *k, const struct graph *truth)
{
    memset(k, 0, sizeof *k);
    k->truth = truth;
    k->min_count = 1;
    k->pair_seen = calloc((2 * truth->m + 63) / 64 + 1, sizeof *k->pair_seen);
    k->first_exposed = malloc(((size_t)truth->n + 1) * sizeof *k->first_exposed);
    if (k->first_exposed)
        memset(k->first_exposed, 0xff, ((size_t)truth->n + 1) * sizeof *k->first_exposed);
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
    if (!k->pair_seen || !k->node_seen || !k->stage || !k->scratch || !k->first_exposed || pairset_init(&k->false_pairs)) {
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
    free(k->pair_count);
    free(k->first_exposed);
    free(k->exposed_by_day);
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

int knowledge_set_min_count(struct knowledge *k, uint32_t min_count)
{
    if (min_count < 1 || min_count > 255)
        return -1;
    k->min_count = min_count;
    if (min_count > 1 && !k->pair_count && !(k->pair_count = calloc(2 * k->truth->m + 1, 1)))
        return -1;
    return 0;
}

/* A person appears in a found pair: first exposure now. */
static int expose(struct knowledge *k, uint32_t x)
{
    if (test_and_set(k->node_seen, x))
        return 0;
    k->nodes_found++;
    k->first_exposed[x] = k->now;
    k->exposure_sum += k->now;
    size_t day = k->now / 86400;
    if (day >= k->ndays) {
        size_t nd = 2 * day + 8;
        uint64_t *h = realloc(k->exposed_by_day, nd * sizeof *h);
        if (!h)
            return -1;
        memset(h + k->ndays, 0, (nd - k->ndays) * sizeof *h);
        k->exposed_by_day = h;
        k->ndays = nd;
    }
    k->exposed_by_day[day]++;
    return 0;
}

/* Learn one record of the pair {lo, hi}, lo <= hi; j is hi's index in lo's
 * row or -1.  The pair is found at its min_count-th record. */
static inline int learn(struct knowledge *k, uint32_t lo, uint32_t hi, int64_t j)
{
    if (j >= 0) {
        if ((k->pair_seen[(uint64_t)j >> 6] >> ((uint64_t)j & 63)) & 1)
            return 0;                           /* known pair: its people are marked too */
        if (k->min_count > 1 && ++k->pair_count[j] < k->min_count)
            return 0;                           /* not yet enough records */
        test_and_set(k->pair_seen, (uint64_t)j);
        k->edges_found++;
    } else {
        int count = pairset_bump(&k->false_pairs, ((uint64_t)lo << 32) | hi);
        if (count < 0)
            return -1;
        if ((uint32_t)count != k->min_count)
            return 0;                           /* not yet, or found before */
        k->false_found++;
    }
    if (expose(k, lo) || expose(k, hi))
        return -1;
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
        if (key == prev && k->min_count == 1)   /* the same pair again: nothing new */
            continue;                           /* (with a threshold every record counts) */
        prev = key;
        uint32_t lo = (uint32_t)(key >> 32), hi = (uint32_t)key;
        if (learn(k, lo, hi, find_branchless(g, lo, hi)) < 0)
            return -1;
    }
    k->staged = 0;
    return 0;
}
