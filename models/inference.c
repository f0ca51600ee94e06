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
    k->dir_seen = calloc((2 * truth->m + 63) / 64 + 1, sizeof *k->dir_seen);
    k->node_seen = calloc(((uint64_t)truth->n + 63) / 64 + 1, sizeof *k->node_seen);
    if (!k->dir_seen || !k->node_seen || pairset_init(&k->false_pairs)) {
        knowledge_destroy(k);
        return -1;
    }
    return 0;
}

void knowledge_destroy(struct knowledge *k)
{
    if (!k)
        return;
    free(k->dir_seen);
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

static inline int test_bit(const uint64_t *bits, uint64_t i)
{
    return (bits[i >> 6] >> (i & 63)) & 1;
}

int knowledge_add(struct knowledge *k, uint32_t querier, uint32_t queried)
{
    k->records++;
    int64_t j = graph_find(k->truth, querier, queried);
    if (j >= 0) {
        if (!test_and_set(k->dir_seen, (uint64_t)j)) {
            int64_t back = graph_find(k->truth, queried, querier);
            if (back < 0 || !test_bit(k->dir_seen, (uint64_t)back))
                k->edges_found++;
        } else {
            return 0;                           /* nothing new: both ends already marked */
        }
    } else {
        uint32_t lo = querier < queried ? querier : queried;
        uint32_t hi = querier ^ queried ^ lo;
        if (pairset_insert(&k->false_pairs, ((uint64_t)lo << 32) | hi) < 0)
            return -1;
    }
    if (!test_and_set(k->node_seen, querier))
        k->nodes_found++;
    if (!test_and_set(k->node_seen, queried))
        k->nodes_found++;
    return 0;
}
