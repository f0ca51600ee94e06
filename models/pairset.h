/* pairset — a set of 64-bit keys, each with a small count: open addressing
 * with linear probing, the table at most half full (doubled as it grows),
 * keys placed by mix_fmix64.  The knowledge keeps its non-contact pairs
 * (lo << 32 | hi) in one. */
#ifndef EXPOSIM_PAIRSET_H
#define EXPOSIM_PAIRSET_H

#include <stdint.h>

struct pairset {
    uint64_t *key;                        /* PAIRSET_EMPTY marks a free slot */
    uint8_t *count;                       /* records seen per key, saturating at 255 */
    uint64_t cap, n;                      /* cap a power of 2 */
};
#define PAIRSET_EMPTY UINT64_MAX          /* not a key */

/* An empty set (1024 slots).  0 or -1 (OOM). */
int pairset_init(struct pairset *s);
/* Safe on NULL and on a destroyed set. */
void pairset_destroy(struct pairset *s);
/* Insert; returns 1 if new, 0 if present, -1 on OOM.  Amortised O(1). */
int pairset_insert(struct pairset *s, uint64_t key);
/* Insert if new and add one to the key's count; returns the count after
 * (saturating at 255), or -1 on OOM.  Amortised O(1). */
int pairset_bump(struct pairset *s, uint64_t key);

#endif
