/* batch — per-slice event buffer with counting sort; see batch.h. */
#include "batch.h"

#include <stdlib.h>
#include <string.h>

int batch_init(struct batch *b, sim_time slice_len)
{
    memset(b, 0, sizeof *b);
    if (slice_len < 1 || slice_len > ((sim_time)1 << 18))   /* two 9-bit digits */
        return -1;
    b->len = slice_len;
    uint32_t bits = 1;
    while (((sim_time)1 << bits) < slice_len)
        bits++;
    b->lo_bits = (bits + 1) / 2;
    b->lo_mask = (1u << b->lo_bits) - 1;
    b->count = calloc(2 * 512, sizeof *b->count);
    return b->count ? 0 : -1;
}

void batch_destroy(struct batch *b)
{
    if (!b)
        return;
    free(b->in);
    free(b->out);
    free(b->count);
    memset(b, 0, sizeof *b);
}

void batch_begin(struct batch *b, sim_time start)
{
    b->start = start;
    b->n = 0;
    b->cursor = 0;
    memset(b->count, 0, 2 * 512 * sizeof *b->count);
}

int batch_grow_(struct batch *b)
{
    size_t cap = b->cap ? b->cap + b->cap / 2 : 4096;
    struct batch_entry *in = realloc(b->in, cap * sizeof *in);
    if (!in)
        return -1;
    b->in = in;
    struct batch_entry *out = realloc(b->out, cap * sizeof *out);
    if (!out)
        return -1;
    b->out = out;
    b->cap = cap;
    return 0;
}

/* LSD radix sort on the offset within the slice, two digits of at most 9
 * bits: each pass writes into at most 512 places at once, which stream
 * through the cache, where a one-pass counting sort over 86,400 seconds would
 * miss the cache on nearly every write.  Both passes are stable, so entries
 * with equal times keep their generation order. */
void batch_sort(struct batch *b, uint64_t first_seq)
{
    enum { MAXBUCKETS = 512 };
    const uint32_t lo_bits = b->lo_bits, lo_mask = b->lo_mask;
    const uint32_t base = (uint32_t)b->start;
    uint32_t *c_lo = b->count, *c_hi = b->count + MAXBUCKETS;   /* counted by batch_add */
    uint32_t sum_lo = 0, sum_hi = 0;
    for (size_t k = 0; k < MAXBUCKETS; k++) {
        uint32_t x = c_lo[k], y = c_hi[k];
        c_lo[k] = sum_lo;
        c_hi[k] = sum_hi;
        sum_lo += x;
        sum_hi += y;
    }
    /* in locals: an entry's store could otherwise alias the batch's fields
     * and the counters, and force their reload every entry */
    struct batch_entry *restrict in = b->in, *restrict out = b->out;
    const size_t n = b->n;
    for (size_t i = 0; i < n; i++)
        out[c_lo[(in[i].time - base) & lo_mask]++] = in[i];
    for (size_t i = 0; i < n; i++)
        in[c_hi[(out[i].time - base) >> lo_bits]++] = out[i];
    struct batch_entry *t = b->in;               /* the sorted entries are in `in` */
    b->in = b->out;
    b->out = t;
    b->cursor = 0;
    b->first_seq = first_seq;
}
