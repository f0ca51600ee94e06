/* batch — one time slice's dense events, generated together and put in
 * (time, generation order) order by a counting sort.
 *
 * A model that makes many events per slice (the lookup traffic) adds them
 * here at the slice start instead of pushing each through the heap; the
 * engine then sorts the batch, gives its events consecutive sequence numbers
 * and merges them with the heap by (time, seq).  The order is the one the
 * heap would have produced had the events been pushed one by one in
 * generation order at the slice start.  Sorting is a two-pass radix sort,
 * O(n); slices are at most 2^18 seconds long.  batch_add counts both digits
 * of each entry as it is added, so the sort does not read the batch an
 * extra time to count them. */
#ifndef EXPOSIM_BATCH_H
#define EXPOSIM_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "evq.h"

struct batch_entry {
    uint32_t time;                 /* absolute seconds (horizon < 2^32 s) */
    uint32_t kind;
    uint32_t a, b;
};

struct batch {
    struct batch_entry *in, *out;  /* generation order / sorted order */
    size_t n, cap;
    uint32_t *count;               /* 2 x 512 radix counters: low digit, then high */
    uint32_t lo_bits, lo_mask;     /* the low digit of an offset in the slice */
    sim_time start, len;           /* the slice [start, start + len) */
    size_t cursor;                 /* next sorted entry to deliver */
    uint64_t first_seq;            /* seq of out[0] */
};

/* 1 <= slice_len <= 2^18.  Returns 0, or -1 (bad length or no memory). */
int batch_init(struct batch *b, sim_time slice_len);
void batch_destroy(struct batch *b);
/* Empty the batch and start the slice [start, start + len). */
void batch_begin(struct batch *b, sim_time start);
int batch_grow_(struct batch *b);

/* Count an entry at `time` in the radix counters (for producers that
 * write b->in themselves: each entry must be counted once). */
static inline void batch_count(struct batch *b, uint32_t time)
{
    uint32_t off = time - (uint32_t)b->start;
    b->count[off & b->lo_mask]++;
    b->count[512 + (off >> b->lo_bits)]++;
}

/* Add an event; `time` must lie in the current slice.  Amortised O(1).
 * Returns 0, or -1 when memory runs out. */
static inline int batch_add(struct batch *b, uint32_t time, uint32_t kind,
                            uint32_t x, uint32_t y)
{
    if (b->n == b->cap && batch_grow_(b))
        return -1;
    b->in[b->n++] = (struct batch_entry){ time, kind, x, y };
    batch_count(b, time);
    return 0;
}

/* Sort by time, stable in generation order; seqs are first_seq + index. */
void batch_sort(struct batch *b, uint64_t first_seq);

static inline const struct batch_entry *batch_peek(const struct batch *b)
{
    return b->cursor < b->n ? &b->out[b->cursor] : NULL;
}
static inline uint64_t batch_peek_seq(const struct batch *b)
{
    return b->first_seq + b->cursor;
}

#endif
