/* knowledge — the rebuilt graph; see knowledge.h. */
#include "knowledge.h"

#include <stdlib.h>
#include <string.h>

#include "cfg.h"

int knowledge_configure(struct knowledge_params *p, struct cfg *c, const struct cfg_node *inference)
{
    long min_count;
    if (cfg_long(c, inference, "min_count", 1, &min_count))
        return -1;
    if (min_count < 1 || min_count > 255)
        return cfg_error(c, inference, "min_count", "must be 1 to 255 (got %ld)", min_count);
    p->min_count = (uint32_t)min_count;
    return 0;
}

static inline void set_bit(uint64_t *bits, uint64_t i) { bits[i >> 6] |= 1ull << (i & 63); }
static inline void clear_bit(uint64_t *bits, uint64_t i) { bits[i >> 6] &= ~(1ull << (i & 63)); }
static inline int test_bit(const uint64_t *bits, uint64_t i) { return (bits[i >> 6] >> (i & 63)) & 1; }

/* The done bits from unfound, anew. */
static void mark_done(struct knowledge *k)
{
    const uint32_t n = k->truth->n;
    memset(k->done, 0, ((size_t)n + 63) / 64 * sizeof *k->done);
    for (uint32_t u = 0; u < n; u++)
        if (k->unfound[u] == 0)
            set_bit(k->done, u);
}

int knowledge_init(struct knowledge *k, const struct graph *truth)
{
    memset(k, 0, sizeof *k);
    k->truth = truth;
    k->min_count = 1;
    k->pair_seen = calloc((2 * truth->m + 63) / 64 + 1, sizeof *k->pair_seen);
    k->first_exposed = malloc(((size_t)truth->n + 1) * sizeof *k->first_exposed);
    if (k->first_exposed)
        memset(k->first_exposed, 0xff, ((size_t)truth->n + 1) * sizeof *k->first_exposed);
    /* A block big enough to bucket well, no bigger than a few times the
     * graph (a small scenario should not pay 64 MiB). */
    k->block = KNOWLEDGE_BLOCK;
    while (k->block > 4096 && k->block / 2 >= 4 * truth->m)
        k->block /= 2;
    k->key_bits = 1;
    while (k->key_bits < 32 && ((uint64_t)1 << k->key_bits) < truth->n)
        k->key_bits++;
    /* Buckets by the top bits of the lower end: few enough that the
     * chunks being filled stay in cache, and each bucket's adjacency rows
     * (n / 2^10 consecutive ones, about 80 KiB for N = 10^6 and degree 20)
     * stay in the core's cache while it is walked (2^9 to 2^11 buckets
     * measured within 10% of each other; 2^10 the fastest).  Every
     * bucket's chunks are full but its last, so a block needs at most
     * block / CHUNK + buckets chunks; no more buckets than block / CHUNK,
     * so that a small graph's partly filled chunks stay few. */
    unsigned bits = k->key_bits < KNOWLEDGE_BUCKET_BITS ? k->key_bits : KNOWLEDGE_BUCKET_BITS;
    while (bits > 0 && ((size_t)1 << bits) > k->block / KNOWLEDGE_CHUNK)
        bits--;
    k->buckets = 1u << bits;
    k->bucket_shift = 32 + k->key_bits - bits;
    size_t nchunks = k->block / KNOWLEDGE_CHUNK + k->buckets;
    k->stage = aligned_alloc(KNOWLEDGE_CHUNK * sizeof *k->stage, nchunks * KNOWLEDGE_CHUNK * sizeof *k->stage);
    k->next = malloc(nchunks * sizeof *k->next);
    k->cur = calloc(k->buckets, sizeof *k->cur);
    k->first = malloc(k->buckets * sizeof *k->first);
    k->last = malloc(k->buckets * sizeof *k->last);
    if (k->first)
        memset(k->first, 0xff, k->buckets * sizeof *k->first);
    k->node_seen = calloc(((uint64_t)truth->n + 63) / 64 + 1, sizeof *k->node_seen);
    k->degree = calloc((size_t)truth->n + 1, sizeof *k->degree);
    k->unfound = malloc(((size_t)truth->n + 1) * sizeof *k->unfound);
    if (k->unfound)
        for (uint32_t u = 0; u < truth->n; u++) {   /* rows are sorted: the entries after u */
            uint64_t j = truth->off[u], e = truth->off[u + 1];
            while (j < e && truth->adj[j] <= u)
                j++;
            k->unfound[u] = (uint32_t)(e - j);
        }
    k->done = calloc(((uint64_t)truth->n + 63) / 64 + 1, sizeof *k->done);
    if (k->done)
        mark_done(k);
    if (!k->done || !k->pair_seen || !k->node_seen || !k->degree || !k->unfound || !k->stage || !k->next || !k->cur || !k->first || !k->last
        || !k->first_exposed || pairset_init(&k->false_pairs)) {
        knowledge_destroy(k);
        return -1;
    }
    return 0;
}

/* A fresh chunk at the end of the bucket's list; its first slot. */
static uint64_t *new_chunk(struct knowledge *k, uint32_t bucket)
{
    uint32_t c = k->chunks++;                   /* never past the pool (knowledge_init) */
    k->next[c] = UINT32_MAX;
    if (k->first[bucket] == UINT32_MAX)
        k->first[bucket] = c;
    else
        k->next[k->last[bucket]] = c;
    k->last[bucket] = c;
    return k->stage + (size_t)c * KNOWLEDGE_CHUNK;
}

void knowledge_destroy(struct knowledge *k)
{
    if (!k)
        return;
    free(k->pair_seen);
    free(k->dir_seen);
    free(k->pending);
    free(k->stage);
    free(k->next);
    free(k->cur);
    free(k->first);
    free(k->last);
    free(k->pair_count);
    free(k->first_exposed);
    free(k->exposed_by_day);
    free(k->pseudo);
    free(k->node_seen);
    free(k->degree);
    free(k->unfound);
    free(k->done);
    pairset_destroy(&k->false_pairs);
    pairset_destroy(&k->seen_records);
    memset(k, 0, sizeof *k);
}

static inline int test_and_set(uint64_t *bits, uint64_t i)
{
    uint64_t mask = 1ull << (i & 63);
    int was = (bits[i >> 6] & mask) != 0;
    bits[i >> 6] |= mask;
    return was;
}

int knowledge_set_min_count(struct knowledge *k, uint32_t min_count)
{
    if (min_count < 1 || min_count > 255)
        return -1;
    k->min_count = min_count;
    if (min_count > 1 && !k->pair_count && !(k->pair_count = calloc(2 * k->truth->m + 1, 1)))
        return -1;
    if (min_count > 1 && !k->seen_records.key && pairset_init(&k->seen_records))
        return -1;
    return 0;
}

int knowledge_once(struct knowledge *k, uint64_t id)
{
    if (k->min_count <= 1)
        return 1;
    int r = pairset_insert(&k->seen_records, id);
    if (r == 0)
        k->repeats++;
    return r;
}

/* A person appears in a found pair: first exposure now. */
static int expose(struct knowledge *k, uint32_t x)
{
    if (test_and_set(k->node_seen, x))
        return 0;
    k->nodes_found++;
    k->first_exposed[x] = k->now;
    k->exposure_sum += k->now;
    size_t day = k->now / 86400;
    if (day >= k->ndays) {
        size_t nd = 2 * day + 8;
        uint64_t *h = realloc(k->exposed_by_day, nd * sizeof *h);
        if (!h)
            return -1;
        memset(h + k->ndays, 0, (nd - k->ndays) * sizeof *h);
        k->exposed_by_day = h;
        k->ndays = nd;
    }
    k->exposed_by_day[day]++;
    return 0;
}

/* Learn one record of the pair {lo, hi}, lo <= hi; j is hi's index in lo's
 * row or -1.  The pair is found at its min_count-th record. */
static inline int learn(struct knowledge *k, uint32_t lo, uint32_t hi, int64_t j)
{
    if (k->directed) {                          /* lo is the querier, j its entry (knowledge_directed) */
        if (j < 0) {
            k->not_contacts++;
            return 0;
        }
        if (k->marking || !test_and_set(k->dir_seen, (uint64_t)j))   /* an owner's mark, or a new entry */
            set_bit(k->pending, (uint64_t)j);
        return 0;
    }
    if (j >= 0) {
        if ((k->pair_seen[(uint64_t)j >> 6] >> ((uint64_t)j & 63)) & 1)
            return 0;                           /* known pair: its people are marked too */
        if (k->min_count > 1 && ++k->pair_count[j] < k->min_count)
            return 0;                           /* not yet enough records */
        test_and_set(k->pair_seen, (uint64_t)j);
        k->edges_found++;
        if (--k->unfound[lo] == 0)
            set_bit(k->done, lo);
    } else {
        int count = pairset_bump(&k->false_pairs, ((uint64_t)lo << 32) | hi);
        if (count < 0)
            return -1;
        if ((uint32_t)count != k->min_count)
            return 0;                           /* not yet, or found before */
        k->false_found++;
    }
    k->degree[lo]++;
    k->degree[hi]++;
    if (expose(k, lo) || expose(k, hi))
        return -1;
    return 0;
}

int knowledge_add(struct knowledge *k, uint32_t querier, uint32_t queried)
{
    k->records++;
    uint32_t lo = querier < queried || k->directed ? querier : queried;   /* directed: the querier's row */
    uint32_t hi = querier ^ queried ^ lo;
    return learn(k, lo, hi, graph_find(k->truth, lo, hi));
}

/* graph_find without branches on the data (a conditional move per step):
 * rows are short and the searched values random, so a branchy search
 * mispredicts about every other step. */
static inline int64_t find_branchless(const struct graph *g, uint32_t a, uint32_t b)
{
    const uint32_t *row = g->adj + g->off[a];
    size_t n = (size_t)(g->off[a + 1] - g->off[a]);
    if (n == 0)
        return -1;
    if (n <= 32) {                          /* five halvings whatever n: no branch on the length */
        for (int s = 0; s < 5; s++) {
            size_t half = n / 2;
            row = row[half] <= b ? row + half : row;
            n -= half;
        }
        return *row == b ? row - g->adj : -1;
    }
    while (n > 1) {
        size_t half = n / 2;
        row = row[half] <= b ? row + half : row;
        n -= half;
    }
    return *row == b ? row - g->adj : -1;
}

int knowledge_directed(struct knowledge *k, uint32_t lo, uint32_t hi)
{
    const struct graph *g = k->truth;
    size_t words = (2 * g->m + 63) / 64 + 1;
    if (k->min_count > 1 || lo > hi || hi > g->n)
        return -1;
    if (!(k->dir_seen = calloc(words, sizeof *k->dir_seen)) || !(k->pending = calloc(words, sizeof *k->pending)))
        return -1;
    k->directed = 1;
    k->own_lo = lo;
    k->own_hi = hi;
    for (uint32_t u = 0; u < g->n; u++)         /* unfound: a person's pairs not yet found (by any part) */
        k->unfound[u] = graph_degree(g, u);
    mark_done(k);
    return 0;
}

/* The end of the pair {a, b} whose row marks it in a split replication:
 * the lower id when a + b is odd, the higher when it is even, so that the
 * parts mark about as many pairs each. */
static inline uint32_t pair_owner(uint32_t a, uint32_t b)
{
    uint32_t lo = a < b ? a : b;
    return (a ^ b) & 1 ? lo : a ^ b ^ lo;
}

/* The part of bounds[0..parts] holding person x. */
static uint32_t part_of(const uint32_t *bounds, uint32_t parts, uint32_t x)
{
    uint32_t lo = 0, hi = parts;                /* bounds[lo] <= x < bounds[hi] */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (bounds[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Mark the pair {o, x} (o its owner, one of this part's people) at o's
 * entry of x: staged like a record, and learnt (in k->marking mode) by the
 * bucketed walk, so that the owners' rows are visited in order. */
static int mark_pair(struct knowledge *k, uint32_t o, uint32_t x)
{
    const uint32_t q[2] = { o, x };
    k->marking = 1;
    int rc = knowledge_stage_run(k, q, 2, 1);
    k->records--;                               /* a mark is not a record */
    return rc;
}

/* Run `body` for each set bit of bits[] over the entries of people [q0,
 * q1), in order, with j the entry and q the person whose row holds it.
 * Words without a bit are passed over a word at a time. */
#define FOR_EACH_BIT(g, bits, q0, q1, j, q, body)                                           \
    do {                                                                                   \
        uint64_t e0_ = (g)->off[q0], e1_ = (g)->off[q1];                                   \
        uint32_t q = (q0);                                                                  \
        for (uint64_t w_ = e0_ >> 6; e0_ < e1_ && w_ <= (e1_ - 1) >> 6; w_++) {             \
            uint64_t x_ = (bits)[w_];                                                      \
            if (w_ == e0_ >> 6)                                                            \
                x_ &= ~0ull << (e0_ & 63);                                                 \
            if (w_ == (e1_ - 1) >> 6 && (e1_ & 63))                                        \
                x_ &= ~(~0ull << (e1_ & 63));                                              \
            for (; x_; x_ &= x_ - 1) {                                                     \
                uint64_t j = w_ * 64 + (uint64_t)__builtin_ctzll(x_);                      \
                while ((g)->off[q + 1] <= j)                                               \
                    q++;                                                                   \
                body                                                                       \
            }                                                                              \
        }                                                                                  \
    } while (0)

int knowledge_route(struct knowledge *k, const uint32_t *bounds, uint32_t parts, uint32_t *from, size_t most,
                    uint64_t **pairs, size_t *counts)
{
    const struct graph *g = k->truth;
    uint64_t *pend = k->pending;
    const uint32_t own_lo = k->own_lo, own_hi = k->own_hi;
    memset(counts, 0, (size_t)parts * sizeof *counts);
    *pairs = NULL;
    /* the rows of this round, 256 at a time until about `most` pairs are
     * listed, counting the pairs for each part */
    uint32_t q0 = *from < own_lo ? own_lo : *from, q1 = q0;
    size_t listed = 0;
    while (q1 < own_hi && (listed < most || q1 == q0)) {
        uint32_t step = own_hi - q1 < 256 ? own_hi - q1 : 256;
        FOR_EACH_BIT(g, pend, q1, q1 + step, j, q, {
            uint32_t b = g->adj[j];
            if (pair_owner(q, b) == b && (b < own_lo || b >= own_hi)) {
                counts[part_of(bounds, parts, b)]++;
                listed++;
            }
        });
        q1 += step;
    }
    *from = q1;
    size_t *at = calloc(parts ? parts : 1, sizeof *at);   /* each part's next slot */
    for (uint32_t r = 1; at && r < parts; r++)
        at[r] = at[r - 1] + counts[r - 1];
    if (!at || !(*pairs = malloc((listed ? listed : 1) * sizeof **pairs))) {
        free(at);
        return -1;
    }
    int rc = 0;
    FOR_EACH_BIT(g, pend, q0, q1, j, q, {      /* then the list, and the marks of this part's own */
        uint32_t b = g->adj[j];
        if (pair_owner(q, b) == q)              /* marked at its owner's entry already */
            continue;
        clear_bit(pend, j);
        if (b >= own_lo && b < own_hi)          /* another of this part's rows */
            rc |= mark_pair(k, b, q);
        else
            (*pairs)[at[part_of(bounds, parts, b)]++] = (uint64_t)b << 32 | q;
    });
    free(at);
    return rc;
}

int knowledge_route_in(struct knowledge *k, const uint64_t *pairs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t o = (uint32_t)(pairs[i] >> 32), x = (uint32_t)pairs[i];
        if (o < k->own_lo || o >= k->own_hi || pair_owner(o, x) != o) {
            k->not_contacts++;                  /* not this part's: a broken promise, dropped */
            continue;
        }
        if (mark_pair(k, o, x))
            return -1;
    }
    return 0;
}

int knowledge_settle(struct knowledge *k, uint32_t *delta, uint64_t *edges)
{
    const struct graph *g = k->truth;
    uint64_t *pend = k->pending, found = 0;
    k->marking = 1;                             /* the marks still staged */
    int rc = knowledge_flush(k);
    k->marking = 0;
    if (rc)
        return -1;
    FOR_EACH_BIT(g, pend, k->own_lo, k->own_hi, j, o, {
        if (!test_and_set(k->pair_seen, j)) {   /* not found at an earlier acquisition */
            found++;
            delta[o]++;
            delta[g->adj[j]]++;
        }
    });
    if (k->own_lo < k->own_hi) {                /* the pending words of these rows, cleared */
        uint64_t w0 = g->off[k->own_lo] >> 6, w1 = (g->off[k->own_hi] + 63) >> 6;
        memset(pend + w0, 0, (w1 - w0) * sizeof *pend);
    }
    *edges = found;
    return 0;
}

int knowledge_settle_apply(struct knowledge *k, const uint32_t *delta, uint64_t edges)
{
    const uint32_t n = k->truth->n;
    k->edges_found += edges;
    for (uint32_t x = 0; x < n; x++) {
        if (!delta[x])
            continue;
        k->degree[x] += delta[x];
        if ((k->unfound[x] -= delta[x]) == 0)   /* every record of x is of a known pair */
            set_bit(k->done, x);
        if (expose(k, x))
            return -1;
    }
    return 0;
}

/* A position in the staged pairs, in walk order: bucket by bucket, each
 * bucket's chunks in order. */
struct walk {
    const uint64_t *p, *end;              /* the current chunk's pairs left */
    uint32_t bucket, chunk;
};

/* Move to the next chunk holding pairs (p == end when none is left). */
static void walk_chunk(const struct knowledge *k, struct walk *w)
{
    for (;;) {
        uint32_t c = w->chunk == UINT32_MAX ? UINT32_MAX : k->next[w->chunk];
        while (c == UINT32_MAX) {               /* past the bucket's last chunk: the next bucket */
            if (++w->bucket >= k->buckets) {
                w->p = w->end = NULL;
                return;
            }
            c = k->first[w->bucket];
        }
        w->chunk = c;
        w->p = k->stage + (size_t)c * KNOWLEDGE_CHUNK;
        w->end = c == k->last[w->bucket] ? k->cur[w->bucket] : w->p + KNOWLEDGE_CHUNK;
        if (w->p != w->end)
            return;
    }
}

static inline void walk_step(const struct knowledge *k, struct walk *w)
{
    if (++w->p == w->end)
        walk_chunk(k, w);
}

/* The next bucket's rows, fetched while this one is walked: a bucket's
 * lower ends are consecutive people, so their rows are one span of the
 * adjacency array, read as a stream (one line a pair) instead of each row
 * missing the cache when its first pair comes. */
struct stream {
    const char *p, *end;
};

static void stream_bucket(const struct knowledge *k, uint32_t b, struct stream *s)
{
    const struct graph *g = k->truth;
    unsigned width = k->bucket_shift - 32;
    uint64_t lo = (uint64_t)b << width, hi = (uint64_t)(b + 1) << width;
    if (lo > g->n)
        lo = g->n;
    if (hi > g->n)
        hi = g->n;
    s->p = (const char *)&g->adj[g->off[lo]];
    s->end = (const char *)&g->adj[g->off[hi]];
    for (const char *q = (const char *)&g->off[lo]; q < (const char *)&g->off[hi]; q += 64)
        __builtin_prefetch(q);
}

/* Learn the staged block, bucket by bucket. */
static int flush_block(struct knowledge *k)
{
    enum { AHEAD = 16 };                        /* prefetch distance, pairs */
    const struct graph *g = k->truth;
    const int contacts_only = k->contacts_only && !k->marking;   /* a mark is never passed */
    const uint32_t *const unfound = k->unfound, *const degree = k->degree, *const adj = g->adj;
    const uint64_t *const off = g->off, *const seen = k->pair_seen, *const node_seen = k->node_seen;
    struct walk w = { NULL, NULL, UINT32_MAX, UINT32_MAX }, ahead;
    walk_chunk(k, &w);                          /* (bucket UINT32_MAX + 1 = 0) */
    ahead = w;
    for (int i = 0; i < AHEAD && ahead.p; i++)
        walk_step(k, &ahead);
    uint64_t prev = UINT64_MAX;
    uint32_t streamed = UINT32_MAX;             /* the bucket whose successor streams */
    struct stream st = { NULL, NULL };
    int rc = 0;
    for (; w.p; walk_step(k, &w)) {
        uint64_t key = *w.p;
        if (w.bucket != streamed) {
            streamed = w.bucket;
            if (streamed + 1 < k->buckets)
                stream_bucket(k, streamed + 1, &st);
        }
        if (st.p < st.end) {
            __builtin_prefetch(st.p);
            st.p += 64;
        }
        if (ahead.p) {                          /* its offset is cached: the bucket is local */
            uint64_t akey = *ahead.p;
            uint32_t alo = (uint32_t)(akey >> 32), ahi = (uint32_t)akey;
            if (!contacts_only || unfound[alo]) {   /* (else it will be passed) */
                uint64_t o = off[alo];
                __builtin_prefetch(&adj[o]);
                __builtin_prefetch(&adj[o + 16]);
                __builtin_prefetch(&seen[o >> 6]);
                __builtin_prefetch(&degree[ahi]);   /* the far end, if the pair is new */
                __builtin_prefetch(&node_seen[ahi >> 6]);
            }
            walk_step(k, &ahead);
        }
        if (key == prev && k->min_count == 1)   /* the same pair again: nothing new */
            continue;                           /* (with a threshold every record counts) */
        prev = key;
        uint32_t lo = (uint32_t)(key >> 32), hi = (uint32_t)key;
        if (contacts_only && unfound[lo] == 0)  /* a contact of lo's, all found: known */
            continue;
        int64_t j = find_branchless(g, lo, hi);
        k->not_contacts += contacts_only && j < 0;
        if (learn(k, lo, hi, j) < 0) {
            rc = -1;
            break;
        }
    }
    /* Empty the buckets (on failure too: the block is not retried). */
    memset(k->first, 0xff, k->buckets * sizeof *k->first);
    memset(k->cur, 0, k->buckets * sizeof *k->cur);
    k->chunks = 0;
    k->staged = 0;
    return rc;
}

/* ---- pseudonyms and re-identification ------------------------------------ */

int knowledge_stage_run(struct knowledge *k, const uint32_t *q, size_t stride, size_t n)
{
    const unsigned shift = k->bucket_shift;
    uint64_t **const cur = k->cur;
    size_t staged = k->staged, block = k->block;
    uint64_t records = k->records;
    const int directed = k->directed;
    /* a pair whose lower end (directed: querier) has every pair found is
     * known: the flush would pass it (knowledge_set_contacts_only), so it
     * is counted and not staged */
    const uint64_t *const done = k->contacts_only && !k->marking ? k->done : NULL;
    for (size_t i = 0; i < n; i++, q += stride) {
        uint32_t a = q[0], c = q[1];
        uint32_t swap = -(uint32_t)(!directed & (c < a));   /* directed: the querier's row */
        uint32_t lo = a ^ ((a ^ c) & swap), hi = a ^ c ^ lo;   /* (no branch: the order is random) */
        if (done && test_bit(done, lo)) {
            records++;
            continue;
        }
        uint64_t key = ((uint64_t)lo << 32) | hi;
        uint32_t b = (uint32_t)(key >> shift);
        uint64_t *p = cur[b];
        if (((uintptr_t)p & (KNOWLEDGE_CHUNK * sizeof *p - 1)) == 0)   /* none yet, or the chunk is full */
            p = new_chunk(k, b);
        *p = key;
        cur[b] = p + 1;
        records++;
        if (++staged == block) {
            k->staged = staged;
            k->records = records;
            if (flush_block(k))
                return -1;
            staged = 0;
        }
    }
    k->staged = staged;
    k->records = records;
    return 0;
}

int knowledge_stage(struct knowledge *k, uint32_t querier, uint32_t queried)
{
    const uint32_t q[2] = { querier, queried };
    return knowledge_stage_run(k, q, 2, 1);
}

int knowledge_flush(struct knowledge *k) { return k->staged ? flush_block(k) : 0; }

int knowledge_pseudonym(struct knowledge *k, uint32_t epoch, uint32_t pseudonym, uint32_t querier,
                        uint32_t devices)
{
    if (k->npseudo == k->cappseudo) {
        size_t cap = k->cappseudo ? 2 * k->cappseudo : 4096;
        struct knowledge_pseudo *p = realloc(k->pseudo, cap * sizeof *p);
        if (!p)
            return -1;
        k->pseudo = p;
        k->cappseudo = cap;
    }
    k->pseudo[k->npseudo++] = (struct knowledge_pseudo){ epoch, pseudonym, querier, devices };
    return 0;
}
