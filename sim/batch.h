/* batch — one time slice's dense events, generated together and put in
 * (time, generation order) order by a radix sort.
 *
 * A model that makes many events per slice (the lookup traffic) adds them
 * here at the slice start instead of pushing each through the heap; the
 * engine then sorts the batch, gives its events consecutive sequence numbers
 * and merges them with the heap by (time, seq).  The order is the one the
 * heap would have produced had the events been pushed one by one in
 * generation order at the slice start.
 *
 * The sort is a two-digit radix sort on the offset in the slice (slices are
 * at most 2^18 seconds long), most significant digit first, with its first
 * pass done as the entries are added: batch_add puts each entry straight
 * into the list of its high digit (a time window of 2^lo_bits seconds, a
 * chain of fixed-size chunks from one pool), so the batch is written once
 * in generation order by window.  batch_sort then takes the windows in
 * order and sorts each by its low digit (a counting sort of a few thousand
 * entries that stay in the cache) into `out`.  Both steps are stable, so
 * entries with equal times keep their generation order.  A window is
 * sorted when the delivery reaches it (batch_peek), into `out`, which holds
 * one window: its entries are handled while they are still in the cache,
 * and the sorted day is never written out whole. */
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

#define BATCH_CHUNK 256            /* entries per chunk (4 KiB) */
#define BATCH_PACK_ID_BITS 27      /* packed entries: a and b below 2^27 ... */
#define BATCH_PACK_LO_BITS 10      /* ... and a low digit of at most 10 bits */
#define BATCH_MAXHI 512            /* high digits (windows) at most */

struct batch {
    struct batch_entry *pool;      /* chunks, BATCH_CHUNK entries each */
    uint32_t *next;                /* per chunk: the next chunk of its window, or UINT32_MAX */
    uint32_t chunks, chunk_cap;    /* chunks handed out this slice, pool capacity in chunks */
    uint32_t *cur;                 /* per window: pool index of its next free slot (a multiple of
                                      BATCH_CHUNK: none, or its last chunk is full) */
    uint32_t *first, *last;        /* per window: its first and last chunk (UINT32_MAX: none) */
    uint32_t *chunks_in;           /* per window: its chunks */
    uint32_t lo_bits, lo_mask;     /* the low digit of an offset in the slice */
    uint32_t nhi;                  /* windows of the slice */
    struct batch_entry *out;       /* the window being delivered, sorted */
    size_t n, cap;                 /* entries, capacity of out */
    sim_time start, len;           /* the slice [start, start + len) */
    size_t cursor;                 /* next sorted entry to deliver (index in the sorted slice) */
    size_t sorted;                 /* entries sorted so far: out holds [sorted - out_n, sorted) */
    size_t out_n;
    uint32_t wnext;                /* the next window to sort */
    uint32_t packed;               /* this slice's entries are words (batch_pack): their kind */
    uint32_t slots;                /* pool slots a chunk: BATCH_CHUNK, 2 BATCH_CHUNK packed */
    uint64_t first_seq;            /* seq of the slice's first sorted entry */
};

/* 1 <= slice_len <= 2^18.  Returns 0, or -1 (bad length or no memory). */
int batch_init(struct batch *b, sim_time slice_len);
void batch_destroy(struct batch *b);
/* Empty the batch and start the slice [start, start + len). */
void batch_begin(struct batch *b, sim_time start);
/* A fresh chunk at the end of window w's list: its first slot's pool
 * index, or UINT32_MAX when memory runs out.  batch_add's slow path, and
 * for a generator that fills a window's chunks itself (the traffic's fast
 * path): it writes entries from that slot on (b->pool may have moved),
 * up to the chunk's end (b->slots slots), and keeps cur[w] and n as
 * batch_add does.  Amortised O(1). */
uint32_t batch_chunk(struct batch *b, uint32_t w);

/* Packed entries: a slice whose every entry is of one kind, with a and b
 * below 2^BATCH_PACK_ID_BITS, can hold each entry in 8 bytes instead of
 * 16: the pool's slots are then words (a chunk holds 2 BATCH_CHUNK of
 * them, 4 KiB as before), each the entry's low digit (its offset in its
 * window), a and b (batch_pack_word).  Half the bytes written while the
 * slice is generated and read while it is sorted; the sort gives the
 * same entries in the same order.  batch_pack turns the empty slice to
 * packed entries of `kind`: 0, or -1 when entries are in already or the
 * low digit is too wide (the slice stays as it was).  batch_add refuses
 * to add to a packed slice (-1). */
int batch_pack(struct batch *b, uint32_t kind);
static inline uint64_t batch_pack_word(const struct batch *b, uint32_t time, uint32_t x, uint32_t y)
{
    return (uint64_t)((time - (uint32_t)b->start) & b->lo_mask) << (2 * BATCH_PACK_ID_BITS)
           | (uint64_t)x << BATCH_PACK_ID_BITS | y;
}

/* Add an event; `time` must lie in the current slice.  Amortised O(1).
 * Returns 0, or -1 when memory runs out (or the slice is packed). */
static inline int batch_add(struct batch *b, uint32_t time, uint32_t kind, uint32_t x, uint32_t y)
{
    uint32_t w = (time - (uint32_t)b->start) >> b->lo_bits;
    uint32_t i = b->cur[w];
    if (__builtin_expect(b->packed != 0, 0))
        return -1;
    if ((i & (BATCH_CHUNK - 1)) == 0 && (i = batch_chunk(b, w)) == UINT32_MAX)
        return -1;
    b->pool[i] = (struct batch_entry){ time, kind, x, y };
    b->cur[w] = i + 1;
    b->n++;
    return 0;
}

/* Entries in window w. */
static inline uint32_t batch_window_count(const struct batch *b, uint32_t w)
{
    if (b->first[w] == UINT32_MAX)
        return 0;
    return (b->chunks_in[w] - 1) * b->slots + (b->cur[w] - b->last[w] * b->slots);
}

/* Deliver the batch by time, stable in generation order, from the start;
 * seqs are first_seq + index in that order.  Returns 0, or -1 when memory
 * runs out. */
int batch_sort(struct batch *b, uint64_t first_seq);
/* The next entry to deliver (sorting its window when the delivery reaches
 * it: O(entries of the window)), or NULL when all are delivered.  It and
 * the batch_avail(b) - 1 entries after it are contiguous and valid until
 * the cursor passes them. */
const struct batch_entry *batch_peek(struct batch *b);
/* Entries sorted and not yet delivered (after batch_peek: at least 1). */
static inline size_t batch_avail(const struct batch *b) { return b->sorted - b->cursor; }
static inline uint64_t batch_peek_seq(const struct batch *b)
{
    return b->first_seq + b->cursor;
}

#endif
