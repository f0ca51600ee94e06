/* inference — what the adversary knows: the graph rebuilt from the
 * {querier, queried} pairs of every acquired record.
 *
 * Storage is the adversary's aggregate, not the records: pairs that are true
 * contacts are marks on the true graph's directed entries (one bit each; the
 * undirected edge counts as found when either direction was seen), pairs
 * that are not contacts go to a hash set, and a bitset marks every person
 * who appears in a pair.  Adding a record is O(log degree). */
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
    uint64_t *dir_seen;                   /* bit per directed entry of truth */
    uint64_t *node_seen;                  /* bit per person */
    uint64_t edges_found;                 /* true undirected edges seen */
    uint64_t nodes_found;
    struct pairset false_pairs;           /* undirected non-contact pairs seen */
    uint64_t records;                     /* records acquired, repeats included */
};

int knowledge_init(struct knowledge *k, const struct graph *truth);
void knowledge_destroy(struct knowledge *k);
/* Learn from one acquired record.  Returns 0, or -1 (OOM). */
int knowledge_add(struct knowledge *k, uint32_t querier, uint32_t queried);

int pairset_init(struct pairset *s);
void pairset_destroy(struct pairset *s);
/* Insert; returns 1 if new, 0 if present, -1 on OOM. */
int pairset_insert(struct pairset *s, uint64_t key);

#endif
