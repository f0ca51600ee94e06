/* batch — per-slice event buffer with counting sort; see batch.h. */
#include "batch.h"

#include <stdlib.h>
#include <string.h>

int batch_init(struct batch *b, sim_time slice_len)
{
    memset(b, 0, sizeof *b);
    b->len = slice_len;
    b->count = calloc((size_t)slice_len + 1, sizeof *b->count);
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

void batch_sort(struct batch *b, uint64_t first_seq)
{
    uint32_t *c = b->count;
    size_t len = (size_t)b->len;
    uint32_t base = (uint32_t)b->start;
    memset(c, 0, (len + 1) * sizeof *c);
    for (size_t i = 0; i < b->n; i++)
        c[b->in[i].time - base + 1]++;
    for (size_t k = 1; k <= len; k++)          /* c[k] = first slot of k */
        c[k] += c[k - 1];
    for (size_t i = 0; i < b->n; i++)
        b->out[c[b->in[i].time - base]++] = b->in[i];
    b->cursor = 0;
    b->first_seq = first_seq;
}
