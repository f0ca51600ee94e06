/* inference — the rebuilt graph; see inference.h. */
#include "inference.h"

#include <stdlib.h>
#include <string.h>

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

static inline uint64_t mix64(uint64_t z)      /* splitmix64 finaliser */
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The slot of k (placed there if absent); *fresh says whether it was. */
static uint64_t pairset_slot(uint64_t *key, uint64_t cap, uint64_t k, int *fresh)
{
    for (uint64_t i = mix64(k) & (cap - 1);; i = (i + 1) & (cap - 1)) {
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
    if (!k->pair_seen || !k->node_seen || !k->degree || !k->unfound || !k->stage || !k->next || !k->cur || !k->first || !k->last
        || !k->first_exposed || pairset_init(&k->false_pairs)) {
        knowledge_destroy(k);
        return -1;
    }
    return 0;
}

/* A fresh chunk at the end of the bucket's list; its first slot. */
uint64_t *knowledge_chunk_(struct knowledge *k, uint32_t bucket)
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
    pairset_destroy(&k->false_pairs);
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
    return 0;
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
    if (j >= 0) {
        if ((k->pair_seen[(uint64_t)j >> 6] >> ((uint64_t)j & 63)) & 1)
            return 0;                           /* known pair: its people are marked too */
        if (k->min_count > 1 && ++k->pair_count[j] < k->min_count)
            return 0;                           /* not yet enough records */
        test_and_set(k->pair_seen, (uint64_t)j);
        k->edges_found++;
        k->unfound[lo]--;
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
    uint32_t lo = querier < queried ? querier : queried;
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

int knowledge_flush_(struct knowledge *k)
{
    enum { AHEAD = 16 };                        /* prefetch distance, pairs */
    const struct graph *g = k->truth;
    const int contacts_only = k->contacts_only;
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

static int cmp_pseudo(const void *x, const void *y)
{
    const struct knowledge_pseudo *a = x, *b = y;
    if (a->epoch != b->epoch)
        return a->epoch < b->epoch ? -1 : 1;
    if (a->pseudonym != b->pseudonym)
        return a->pseudonym < b->pseudonym ? -1 : 1;
    return (a->querier > b->querier) - (a->querier < b->querier);
}

struct group {                            /* one pseudonym of one epoch */
    size_t first, n;                      /* its queriers: pseudo[first .. first + n) */
    uint32_t person;                      /* ground truth */
};

struct posting {                          /* querier -> group, for the inverted index */
    uint32_t querier, group;
};

static int cmp_posting(const void *x, const void *y)
{
    const struct posting *a = x, *b = y;
    if (a->querier != b->querier)
        return a->querier < b->querier ? -1 : 1;
    return (a->group > b->group) - (a->group < b->group);
}

static int cmp_u32v(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* Groups of the epoch starting at pseudo[lo] (up to hi); returns count. */
static size_t make_groups(const struct knowledge *k, size_t lo, size_t hi, struct group *g,
                          uint32_t (*person)(const void *, uint32_t, uint32_t), const void *ctx)
{
    size_t n = 0;
    for (size_t i = lo; i < hi;) {
        size_t j = i;
        while (j < hi && k->pseudo[j].pseudonym == k->pseudo[i].pseudonym)
            j++;
        g[n++] = (struct group){ i, j - i, person(ctx, k->pseudo[i].epoch, k->pseudo[i].pseudonym) };
        i = j;
    }
    return n;
}

int knowledge_reidentify(struct knowledge *k, uint32_t (*person)(const void *ctx, uint32_t epoch, uint32_t pseudonym),
                         const void *ctx, struct knowledge_reid *out)
{
    memset(out, 0, sizeof *out);
    if (!k->npseudo)
        return 0;
    qsort(k->pseudo, k->npseudo, sizeof *k->pseudo, cmp_pseudo);
    size_t m = 0;                                   /* deduplicate: a neighbourhood is a set */
    for (size_t i = 0; i < k->npseudo; i++)
        if (!m || cmp_pseudo(&k->pseudo[m - 1], &k->pseudo[i]) != 0)
            k->pseudo[m++] = k->pseudo[i];
    k->npseudo = m;
    struct group *g0 = malloc(m * sizeof *g0), *g1 = malloc(m * sizeof *g1);
    struct posting *post = malloc(m * sizeof *post);
    uint32_t *overlap = calloc(m, sizeof *overlap), *touched = malloc(m * sizeof *touched);
    uint32_t *persons0 = malloc(m * sizeof *persons0);
    int rc = -1;
    if (!g0 || !g1 || !post || !overlap || !touched || !persons0)
        goto out;
    size_t prev_lo = 0, prev_hi = 0;                /* the previous observed epoch */
    for (size_t lo = 0; lo < m;) {
        size_t hi = lo;
        while (hi < m && k->pseudo[hi].epoch == k->pseudo[lo].epoch)
            hi++;
        if (prev_hi > prev_lo) {
            size_t n0 = make_groups(k, prev_lo, prev_hi, g0, person, ctx);
            size_t n1 = make_groups(k, lo, hi, g1, person, ctx);
            size_t np = 0;
            for (size_t a = 0; a < n0; a++) {
                persons0[a] = g0[a].person;
                for (size_t j = 0; j < g0[a].n; j++)
                    post[np++] = (struct posting){ k->pseudo[g0[a].first + j].querier, (uint32_t)a };
            }
            qsort(post, np, sizeof *post, cmp_posting);
            qsort(persons0, n0, sizeof *persons0, cmp_u32v);
            for (size_t b = 0; b < n1; b++) {
                if (bsearch(&g1[b].person, persons0, n0, sizeof *persons0, cmp_u32v))
                    out->linkable++;
                if (g1[b].n < 2)
                    continue;
                size_t nt = 0;
                for (size_t j = 0; j < g1[b].n; j++) {          /* overlaps through the index */
                    uint32_t q = k->pseudo[g1[b].first + j].querier;
                    size_t l = 0, r = np;
                    while (l < r) {
                        size_t mid = (l + r) / 2;
                        if (post[mid].querier < q)
                            l = mid + 1;
                        else
                            r = mid;
                    }
                    for (; l < np && post[l].querier == q; l++) {
                        if (!overlap[post[l].group]++)
                            touched[nt++] = post[l].group;
                    }
                }
                double best = 0;
                size_t best_g = 0;
                uint32_t dev_b = k->pseudo[g1[b].first].devices;
                for (size_t t = 0; t < nt; t++) {
                    size_t a = touched[t];
                    uint32_t dev_a = k->pseudo[g0[a].first].devices;
                    if (dev_a && dev_b && dev_a != dev_b) {    /* another device count: another account */
                        overlap[a] = 0;
                        continue;
                    }
                    double jac = (double)overlap[a] / (double)(g1[b].n + g0[a].n - overlap[a]);
                    uint32_t pa = k->pseudo[g0[a].first].pseudonym, pb = k->pseudo[g0[best_g].first].pseudonym;
                    if (jac > best || (jac == best && jac > 0 && pa < pb)) {
                        best = jac;
                        best_g = a;
                    }
                    overlap[a] = 0;
                }
                if (best >= 0.5) {
                    out->linked++;
                    out->correct += g0[best_g].person == g1[b].person;
                }
            }
        }
        prev_lo = lo;
        prev_hi = hi;
        lo = hi;
    }
    rc = 0;
out:
    free(g0);
    free(g1);
    free(post);
    free(overlap);
    free(touched);
    free(persons0);
    return rc;
}
