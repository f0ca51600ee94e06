/* inference — what the adversary knows: the graph rebuilt from the
 * {querier, queried} pairs of every acquired record.
 *
 * Storage is the adversary's aggregate, not the records.  A pair {u, v}
 * (u < v) that is a true contact is a mark on the true graph's entry of v in
 * u's row (one bit per adjacency entry; only entries with u < v are used),
 * a pair that is not a contact goes to a hash set, and a bitset marks every
 * person who appears in a pair.
 *
 * Records are staged and learnt in blocks: a block's pairs are bucketed by
 * their lower end, so the adjacency rows are visited nearly in address order
 * instead of at random (a random row visit costs a cache miss, ~80 ns; the
 * sorted walk a few ns).  The metrics read the knowledge after
 * knowledge_flush. */
#ifndef EXPOSIM_INFERENCE_H
#define EXPOSIM_INFERENCE_H

#include <stdint.h>

#include "contacts.h"

struct pairset {                          /* open addressing, linear probing */
    uint64_t *key;                        /* PAIRSET_EMPTY marks a free slot */
    uint64_t cap, n;                      /* cap a power of 2 */
};
#define PAIRSET_EMPTY UINT64_MAX

struct knowledge {
    const struct graph *truth;
    uint64_t *pair_seen;                  /* bit per adjacency entry (u < v) */
    uint64_t *node_seen;                  /* bit per person */
    uint64_t edges_found;                 /* true undirected edges seen */
    uint64_t nodes_found;
    struct pairset false_pairs;           /* undirected non-contact pairs seen */
    uint64_t records;                     /* records acquired, repeats included */
    uint64_t *stage, *scratch;            /* block of staged pairs (lo << 32 | hi) */
    size_t staged, block;                 /* pairs staged, block capacity */
    unsigned key_bits;                    /* bits of a node id */
};

#define KNOWLEDGE_BLOCK ((size_t)1 << 22) /* most pairs per sorted block (64 MiB of buffers) */

int knowledge_init(struct knowledge *k, const struct graph *truth);
void knowledge_destroy(struct knowledge *k);
/* Learn from one acquired record at once.  O(log degree), one random row
 * visit.  Returns 0, or -1 (OOM). */
int knowledge_add(struct knowledge *k, uint32_t querier, uint32_t queried);
int knowledge_flush_(struct knowledge *k);

/* Stage one acquired record; learnt by the next knowledge_flush (or when the
 * block fills).  Amortised O(1) plus the sorted walk.  Returns 0 or -1. */
static inline int knowledge_stage(struct knowledge *k, uint32_t querier, uint32_t queried)
{
    uint32_t lo = querier < queried ? querier : queried;
    uint32_t hi = querier ^ queried ^ lo;
    k->stage[k->staged++] = ((uint64_t)lo << 32) | hi;
    k->records++;
    return k->staged == k->block ? knowledge_flush_(k) : 0;
}

/* Learn every staged record.  Returns 0, or -1 (OOM). */
static inline int knowledge_flush(struct knowledge *k) { return k->staged ? knowledge_flush_(k) : 0; }

/* Has the true edge {u, v} been found?  O(log degree). */
static inline int knowledge_has_edge(const struct knowledge *k, uint32_t u, uint32_t v)
{
    uint32_t lo = u < v ? u : v, hi = u ^ v ^ lo;
    int64_t j = graph_find(k->truth, lo, hi);
    return j >= 0 && ((k->pair_seen[(uint64_t)j >> 6] >> ((uint64_t)j & 63)) & 1);
}

int pairset_init(struct pairset *s);
void pairset_destroy(struct pairset *s);
/* Insert; returns 1 if new, 0 if present, -1 on OOM. */
int pairset_insert(struct pairset *s, uint64_t key);

#endif
