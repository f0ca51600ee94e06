/* pairset — a set of 64-bit keys with small counts; see pairset.h. */
#include "pairset.h"

#include <stdlib.h>
#include <string.h>

#include "mix.h"

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

/* The slot of k (placed there if absent); *fresh says whether it was. */
static uint64_t pairset_slot(uint64_t *key, uint64_t cap, uint64_t k, int *fresh)
{
    for (uint64_t i = mix_fmix64(k) & (cap - 1);; i = (i + 1) & (cap - 1)) {
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
