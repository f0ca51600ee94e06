/* batch — per-slice event buffer with a radix sort; see batch.h. */
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
    b->nhi = (uint32_t)((slice_len + b->lo_mask) >> b->lo_bits);
    b->slots = BATCH_CHUNK;
    b->cur = calloc(b->nhi, sizeof *b->cur);
    b->first = malloc(b->nhi * sizeof *b->first);
    b->last = malloc(b->nhi * sizeof *b->last);
    b->chunks_in = calloc(b->nhi, sizeof *b->chunks_in);
    if (!b->cur || !b->first || !b->last || !b->chunks_in) {
        batch_destroy(b);
        return -1;
    }
    memset(b->first, 0xff, b->nhi * sizeof *b->first);
    return 0;
}

void batch_destroy(struct batch *b)
{
    if (!b)
        return;
    free(b->pool);
    free(b->next);
    free(b->cur);
    free(b->first);
    free(b->last);
    free(b->chunks_in);
    free(b->out);
    memset(b, 0, sizeof *b);
}

void batch_begin(struct batch *b, sim_time start)
{
    b->start = start;
    b->n = 0;
    b->cursor = b->sorted = b->out_n = 0;
    b->wnext = 0;
    b->chunks = 0;
    b->packed = 0;
    b->slots = BATCH_CHUNK;
    memset(b->cur, 0, b->nhi * sizeof *b->cur);
    memset(b->first, 0xff, b->nhi * sizeof *b->first);
    memset(b->chunks_in, 0, b->nhi * sizeof *b->chunks_in);
}

uint32_t batch_chunk(struct batch *b, uint32_t w)
{
    if (b->chunks == b->chunk_cap) {
        uint64_t cap = b->chunk_cap ? (uint64_t)b->chunk_cap + b->chunk_cap / 2 : 16;
        if (cap * BATCH_CHUNK > UINT32_MAX)       /* pool indices are 32-bit */
            return UINT32_MAX;
        struct batch_entry *pool = realloc(b->pool, cap * BATCH_CHUNK * sizeof *pool);
        if (!pool)
            return UINT32_MAX;
        b->pool = pool;
        uint32_t *next = realloc(b->next, cap * sizeof *next);
        if (!next)
            return UINT32_MAX;
        b->next = next;
        b->chunk_cap = (uint32_t)cap;
    }
    if ((uint64_t)b->chunks * b->slots + b->slots > UINT32_MAX)   /* (packed: twice the slots) */
        return UINT32_MAX;
    uint32_t c = b->chunks++;
    b->next[c] = UINT32_MAX;
    if (b->first[w] == UINT32_MAX)
        b->first[w] = c;
    else
        b->next[b->last[w]] = c;
    b->last[w] = c;
    b->chunks_in[w]++;
    return c * b->slots;
}

int batch_pack(struct batch *b, uint32_t kind)
{
    if (b->n || b->chunks || b->lo_bits > BATCH_PACK_LO_BITS || kind == 0)
        return -1;
    b->packed = kind;
    b->slots = 2 * BATCH_CHUNK;
    return 0;
}

/* Ready for delivery: out must hold the largest window. */
int batch_sort(struct batch *b, uint64_t first_seq)
{
    size_t most = 0;
    for (uint32_t w = 0; w < b->nhi; w++)
        most = batch_window_count(b, w) > most ? batch_window_count(b, w) : most;
    if (most > b->cap) {
        size_t cap = most + most / 4 + 256;
        struct batch_entry *out = realloc(b->out, cap * sizeof *out);
        if (!out)
            return -1;
        b->out = out;
        b->cap = cap;
    }
    b->cursor = b->sorted = b->out_n = 0;
    b->wnext = 0;
    b->first_seq = first_seq;
    return 0;
}

/* sort_window for packed entries (batch_pack): the words counted by
 * their low digit, then each placed as its entry. */
static void sort_window_packed(struct batch *b, uint32_t w, uint32_t *pos)
{
    const uint32_t lo_mask = b->lo_mask, kind = b->packed, slots = b->slots;
    const uint32_t wstart = (uint32_t)b->start + (w << b->lo_bits);
    const uint64_t *restrict pool = (const uint64_t *)b->pool;
    const uint64_t id_mask = ((uint64_t)1 << BATCH_PACK_ID_BITS) - 1;
    struct batch_entry *restrict out = b->out;
    for (uint32_t c = b->first[w]; c != UINT32_MAX; c = b->next[c]) {
        const uint64_t *e = pool + (size_t)c * slots;
        uint32_t m = c == b->last[w] ? b->cur[w] - c * slots : slots;
        for (uint32_t i = 0; i < m; i++)
            pos[e[i] >> (2 * BATCH_PACK_ID_BITS)]++;
    }
    uint32_t sum = 0;
    for (uint32_t d = 0; d <= lo_mask; d++) {
        uint32_t x = pos[d];
        pos[d] = sum;
        sum += x;
    }
    for (uint32_t c = b->first[w]; c != UINT32_MAX; c = b->next[c]) {
        const uint64_t *e = pool + (size_t)c * slots;
        uint32_t m = c == b->last[w] ? b->cur[w] - c * slots : slots;
        for (uint32_t i = 0; i < m; i++) {
            uint64_t x = e[i];
            uint32_t d = (uint32_t)(x >> (2 * BATCH_PACK_ID_BITS));
            out[pos[d]++] = (struct batch_entry){ wstart + d, kind, (uint32_t)(x >> BATCH_PACK_ID_BITS) & (uint32_t)id_mask,
                                                  (uint32_t)(x & id_mask) };
        }
    }
    b->out_n = batch_window_count(b, w);
    b->sorted += b->out_n;
}

/* Sort the next non-empty window into out: counted by its low digit, then
 * placed; its entries (a few thousand for a day of lookups) are read twice
 * while they are in the cache. */
static void sort_window(struct batch *b)
{
    uint32_t w = b->wnext;
    while (w < b->nhi && b->first[w] == UINT32_MAX)
        w++;
    b->wnext = w + 1;                               /* (some window is left: cursor < n) */
    const uint32_t lo_mask = b->lo_mask, base = (uint32_t)b->start;
    const struct batch_entry *restrict pool = b->pool;
    struct batch_entry *restrict out = b->out;
    uint32_t pos[512];
    memset(pos, 0, (lo_mask + 1) * sizeof pos[0]);
    if (b->packed) {
        sort_window_packed(b, w, pos);
        return;
    }
    for (uint32_t c = b->first[w]; c != UINT32_MAX; c = b->next[c]) {
        const struct batch_entry *e = pool + (size_t)c * BATCH_CHUNK;
        uint32_t m = c == b->last[w] ? b->cur[w] - c * BATCH_CHUNK : BATCH_CHUNK;
        for (uint32_t i = 0; i < m; i++)
            pos[(e[i].time - base) & lo_mask]++;
    }
    uint32_t sum = 0;
    for (uint32_t d = 0; d <= lo_mask; d++) {
        uint32_t x = pos[d];
        pos[d] = sum;
        sum += x;
    }
    for (uint32_t c = b->first[w]; c != UINT32_MAX; c = b->next[c]) {
        const struct batch_entry *e = pool + (size_t)c * BATCH_CHUNK;
        uint32_t m = c == b->last[w] ? b->cur[w] - c * BATCH_CHUNK : BATCH_CHUNK;
        for (uint32_t i = 0; i < m; i++)
            out[pos[(e[i].time - base) & lo_mask]++] = e[i];
    }
    b->out_n = batch_window_count(b, w);
    b->sorted += b->out_n;
}

const struct batch_entry *batch_peek(struct batch *b)
{
    if (b->cursor == b->sorted) {
        if (b->cursor == b->n)
            return NULL;
        sort_window(b);
    }
    return &b->out[b->out_n - (b->sorted - b->cursor)];
}
