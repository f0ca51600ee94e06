/* addressbook — address books, syncs and the union graph; see
 * addressbook.h. */
#include "addressbook.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "cfg.h"
#include "mix.h"
#include "rng.h"
#include "serverlog.h"
#include "sim.h"

#define ADDRESSBOOK_TAG_BOOKS 0x61626b31u     /* the books' substream ("abk1") */
#define ADDRESSBOOK_TAG_SYNCS 0x61627331u     /* phases and edits ("abs1") */

/* Flags of an entry while the union is built, in its low bits. */
enum { E_OWN = 1, E_PAIR = 2, E_CONV = 4, E_SHIFT = 3 };
#define ADDRESSBOOK_MAX_NUMBERS (1u << (32 - E_SHIFT))

int addressbook_configure(struct addressbook_params *p, struct cfg *c, const struct cfg_node *e)
{
    memset(p, 0, sizeof *p);
    if (!e)
        return 0;
    p->on = 1;
    double period = 0, edits = 0;
    int rc = 0;
    rc |= cfg_double(c, e, "size_mean", 150, &p->size_mean);
    rc |= cfg_double(c, e, "size_sigma", 1, &p->size_sigma);
    rc |= cfg_double(c, e, "conversation_share", 0.9, &p->conversation_share);
    rc |= cfg_double(c, e, "period_days", 2, &period);
    rc |= cfg_double(c, e, "edits_per_year", 12, &edits);
    if (rc)
        return -1;
    if (!(p->size_mean >= 1 && p->size_mean <= 100000))
        rc = cfg_error(c, e, "size_mean", "must be 1 to 100000 (got %g)", p->size_mean);
    if (!(p->size_sigma >= 0 && p->size_sigma <= 5))
        rc = cfg_error(c, e, "size_sigma", "must be 0 to 5 (got %g)", p->size_sigma);
    if (!(p->conversation_share >= 0 && p->conversation_share <= 1))
        rc = cfg_error(c, e, "conversation_share", "must be 0 to 1 (got %g)", p->conversation_share);
    if (!(period >= 0 && period <= 36500) || period != floor(period))
        rc = cfg_error(c, e, "period_days", "must be a whole number of days, 0 to 36500 (got %g)", period);
    if (!(edits >= 0 && edits <= 36500))
        rc = cfg_error(c, e, "edits_per_year", "must be 0 to 36500 (got %g)", edits);
    p->period = (uint32_t)period * 86400u;
    p->edits_per_day = edits / 365;
    const char *yes[] = { "true", "1" };
    const char *ds = cfg_str(e, "device_sync", "true"), *is = cfg_str(e, "install_sync", "true");
    p->device_sync = strcmp(ds, yes[0]) == 0 || strcmp(ds, yes[1]) == 0;
    p->install_sync = strcmp(is, yes[0]) == 0 || strcmp(is, yes[1]) == 0;
    p->edit_full = strcmp(cfg_str(e, "edit_sync", "entry"), "full") == 0;
    const char *log = cfg_str(e, "log", "each");
    p->log = strcmp(log, "registered") == 0 ? ADDRESSBOOK_LOG_REGISTERED
           : strcmp(log, "batch") == 0 ? ADDRESSBOOK_LOG_BATCH : ADDRESSBOOK_LOG_EACH;
    return rc;
}

void addressbook_destroy(struct addressbook *b)
{
    if (!b)
        return;
    graph_destroy(&b->u);
    free(b->conv);
    free(b->own);
    free(b->pair);
    free(b->size);
    free(b->clients);
    free(b->phase_off);
    free(b->phase);
    free(b->installs);
    free(b->buf);
    gsl_rng_free(b->events);
    memset(b, 0, sizeof *b);
}

static inline int bit(const uint64_t *bits, uint64_t i) { return (int)((bits[i >> 6] >> (i & 63)) & 1); }
static inline void set_bit(uint64_t *bits, uint64_t i) { bits[i >> 6] |= 1ull << (i & 63); }

/* ---- building the books -------------------------------------------------- */

/* Vose's alias method over n weights (sum > 0): index i is kept when a
 * 32-bit uniform is below thr[i], else replaced by alias[i].  O(n). */
static int alias_build(const double *w, uint32_t n, uint32_t *thr, uint32_t *alias)
{
    double sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += w[i];
    double *q = malloc(((size_t)n + 1) * sizeof *q);
    uint32_t *small = malloc(((size_t)n + 1) * sizeof *small), *large = malloc(((size_t)n + 1) * sizeof *large);
    if (!q || !small || !large) {
        free(q);
        free(small);
        free(large);
        return -1;
    }
    uint32_t ns = 0, nl = 0;
    for (uint32_t i = 0; i < n; i++) {
        q[i] = w[i] * n / sum;
        if (q[i] < 1)
            small[ns++] = i;
        else
            large[nl++] = i;
    }
    while (ns && nl) {
        uint32_t s = small[--ns], l = large[nl - 1];
        thr[s] = q[s] > 0 ? (uint32_t)(q[s] * 4294967296.0) : 0;
        alias[s] = l;
        q[l] -= 1 - q[s];
        if (q[l] < 1) {
            nl--;
            small[ns++] = l;
        }
    }
    while (nl) {
        uint32_t l = large[--nl];
        thr[l] = UINT32_MAX;
        alias[l] = l;
    }
    while (ns) {
        uint32_t s = small[--ns];
        thr[s] = UINT32_MAX;
        alias[s] = s;
    }
    free(q);
    free(small);
    free(large);
    return 0;
}

#define CHUNK ((size_t)1 << 22)               /* entries waiting to be written (32 MiB) */
#define BUCKET_BITS 10                        /* rows are written a block of rows at a time */

/* What the two passes over the union's entries share.  Entries are
 * emitted in a fixed order (below), gathered in a chunk, and each full
 * chunk is written block of rows by block of rows (a stable counting sort
 * on the row's top bits): the writes of a block fall in a span of the
 * rows that stays in cache, instead of each missing it. */
struct build {
    struct addressbook *b;
    const struct graph *conv;
    const uint64_t *kept;                 /* bit per conv entry (u < v): in both books */
    const uint32_t *extra;                /* per person: partners it draws */
    const uint32_t *thr, *alias;          /* partners, by weight; NULL: no draws */
    uint32_t people;
    uint64_t key;                         /* of the draws (counter-based) */
    int fill;                             /* 0: count each row's entries into u.off; 1: write them */
    uint64_t *pos;                        /* fill: next slot per row */
    uint32_t *slot;                       /* fill: the rows' slots */
    uint64_t *chunk, *tmp;                /* row << 32 | entry, waiting */
    size_t nchunk;
    unsigned shift;                       /* a row's block: row >> shift */
    uint32_t *mine;                       /* one person's draws */
};

static void flush_chunk(struct build *bd)
{
    size_t n = bd->nchunk, count[(1u << BUCKET_BITS) + 1];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++)
        count[(bd->chunk[i] >> 32 >> bd->shift) + 1]++;
    for (size_t k = 0; k < (1u << BUCKET_BITS); k++)
        count[k + 1] += count[k];
    for (size_t i = 0; i < n; i++)
        bd->tmp[count[bd->chunk[i] >> 32 >> bd->shift]++] = bd->chunk[i];
    uint64_t *off = bd->b->u.off;
    for (size_t i = 0; i < n; i++) {
        uint32_t row = (uint32_t)(bd->tmp[i] >> 32);
        if (bd->fill)
            bd->slot[bd->pos[row]++] = (uint32_t)bd->tmp[i];
        else
            off[row + 1]++;
    }
    bd->nchunk = 0;
}

static inline void put(struct build *bd, uint32_t row, uint32_t y, uint32_t flags)
{
    bd->chunk[bd->nchunk++] = (uint64_t)row << 32 | y << E_SHIFT | flags;
    if (bd->nchunk == CHUNK)
        flush_chunk(bd);
}

/* x and y hold each other's numbers; a person who changes number takes
 * their book along: the later number holds the entry, and the other's row
 * gets it as a book pair (stale: it still holds the old one). */
static inline void pair(struct build *bd, uint32_t x, uint32_t y)
{
    put(bd, x, y, E_OWN | E_PAIR);
    put(bd, y, x, E_OWN | E_PAIR);
    const struct dynamics *d = bd->b->dyn;
    if (!d)
        return;
    if (x < d->people && d->second[x] != DYNAMICS_NEVER) {
        put(bd, d->second[x], y, E_OWN | E_PAIR);
        put(bd, y, d->second[x], E_PAIR);
    }
    if (y < d->people && d->second[y] != DYNAMICS_NEVER) {
        put(bd, d->second[y], x, E_OWN | E_PAIR);
        put(bd, x, d->second[y], E_PAIR);
    }
}

/* Draw i of person a: a partner with probability proportional to its
 * weight (the alias table), from counters (so both passes draw the same):
 * a uniform index by Lemire's method, rehashed on its rare rejection, and
 * a 32-bit uniform against the index's threshold. */
static inline uint32_t draw(const struct build *bd, uint32_t a, uint32_t i)
{
    uint32_t n = bd->people;
    uint64_t base = mix_fmix64(bd->key ^ a);
    for (uint64_t k = 0;; k++) {
        uint64_t h = mix_fmix64(base ^ ((uint64_t)i << 8 | k));
        uint64_t m = (h & 0xffffffffu) * n;
        if ((uint32_t)m < n && (uint32_t)m < (uint32_t)-n % n)
            continue;
        uint32_t x = (uint32_t)(m >> 32);
        return (uint32_t)(h >> 32) < bd->thr[x] ? x : bd->alias[x];
    }
}

static void sort_words(uint32_t *a, size_t n);

/* One pass over every entry of the union, in this order: each row's
 * conversation ties (rows in order, each sorted) with the kept ones put in
 * both books; then, person by person, its drawn partners (sorted) put in
 * both books. */
static void walk_entries(struct build *bd)
{
    const struct graph *g = bd->conv;
    for (uint32_t u = 0; u < g->n; u++)
        for (uint64_t j = g->off[u]; j < g->off[u + 1]; j++) {
            put(bd, u, g->adj[j], E_CONV);
            if (g->adj[j] > u && bit(bd->kept, j))
                pair(bd, u, g->adj[j]);
        }
    for (uint32_t a = 0; bd->thr && a < bd->people; a++) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < bd->extra[a]; i++) {
            uint32_t x = draw(bd, a, i);
            if (x != a)                           /* (a itself: dropped) */
                bd->mine[k++] = x;
        }
        sort_words(bd->mine, k);
        for (uint32_t i = 0; i < k; i++)
            pair(bd, a, bd->mine[i]);
    }
    if (bd->nchunk)
        flush_chunk(bd);
}

/* Quicksort of 32-bit words (median of three, insertion below 16). */
static void sort_words(uint32_t *a, size_t n)
{
    while (n > 16) {
        uint32_t x = a[0], y = a[n / 2], z = a[n - 1];
        uint32_t pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i >= j)
                break;
            uint32_t t = a[i];
            a[i++] = a[j];
            a[j--] = t;
        }
        size_t left = j + 1;
        if (left < n - left) {                    /* recurse on the smaller side */
            sort_words(a, left);
            a += left;
            n -= left;
        } else {
            sort_words(a + left, n - left);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        uint32_t x = a[i];
        size_t k = i;
        while (k > 0 && a[k - 1] > x) {
            a[k] = a[k - 1];
            k--;
        }
        a[k] = x;
    }
}

/* Sort a row made of a few ascending runs (the walk's order makes about
 * five): merge neighbouring runs until one is left.  O(n log runs). */
static void merge_runs(uint32_t *a, size_t n, uint32_t *scratch)
{
    while (n > 1) {
        size_t i = 0;
        while (i < n) {
            size_t j = i + 1;
            while (j < n && a[j - 1] <= a[j])
                j++;
            if (i == 0 && j == n)
                return;                           /* one run: sorted */
            size_t k = j;
            if (k < n)
                for (k = j + 1; k < n && a[k - 1] <= a[k]; k++)
                    ;
            size_t x = i, y = j, o = i;
            while (x < j && y < k)
                scratch[o++] = a[y] < a[x] ? a[y++] : a[x++];
            while (x < j)
                scratch[o++] = a[x++];
            while (y < k)
                scratch[o++] = a[y++];
            i = k;
        }
        memcpy(a, scratch, n * sizeof *a);
    }
}

/* Sort each row, merge repeats (their flags or-ed), compact the rows in
 * place and set the bits.  0 or -1. */
static int finish_rows(struct addressbook *b, uint32_t *slot)
{
    struct graph *u = &b->u;
    uint64_t cap = u->off[u->n], words = (cap + 63) / 64 + 1, most = 0;
    for (uint32_t x = 0; x < u->n; x++)
        most = u->off[x + 1] - u->off[x] > most ? u->off[x + 1] - u->off[x] : most;
    b->conv = calloc(words, sizeof *b->conv);
    b->own = calloc(words, sizeof *b->own);
    b->pair = calloc(words, sizeof *b->pair);
    b->size = calloc((size_t)u->n + 1, sizeof *b->size);
    uint32_t *scratch = malloc((most ? most : 1) * sizeof *scratch);
    if (!b->conv || !b->own || !b->pair || !b->size || !scratch) {
        free(scratch);
        return -1;
    }
    uint64_t w = 0, lo = u->off[0];
    for (uint32_t x = 0; x < u->n; x++) {
        uint64_t hi = u->off[x + 1];
        merge_runs(slot + lo, (size_t)(hi - lo), scratch);
        u->off[x] = w;
        for (uint64_t i = lo; i < hi;) {
            uint32_t y = slot[i] >> E_SHIFT, flags = 0;
            for (; i < hi && slot[i] >> E_SHIFT == y; i++)
                flags |= slot[i] & ((1u << E_SHIFT) - 1);
            slot[w] = y;
            if (flags & E_CONV) {
                set_bit(b->conv, w);
                b->conv_pairs += y > x;
            }
            if (flags & E_OWN) {
                set_bit(b->own, w);
                b->size[x]++;
            }
            if (flags & E_PAIR) {
                set_bit(b->pair, w);
                b->book_pairs += y > x;
            }
            w++;
        }
        lo = hi;
    }
    free(scratch);
    u->off[u->n] = w;
    u->m = w / 2;
    uint32_t *adj = realloc(slot, (w ? w : 1) * sizeof *adj);
    u->adj = adj ? adj : slot;
    return 0;
}

static int build_books(struct addressbook *b, const struct graph *conv, gsl_rng *r)
{
    const struct addressbook_params *p = b->p;
    uint32_t n = b->people, numbers = conv->n;
    uint64_t entries = conv->off[conv->n];
    double *target = malloc(((size_t)n + 1) * sizeof *target);
    uint32_t *kept_n = calloc((size_t)n + 1, sizeof *kept_n), *extra = malloc(((size_t)n + 1) * sizeof *extra);
    uint64_t *kept = calloc((entries + 63) / 64 + 1, sizeof *kept);
    uint32_t *thr = malloc(((size_t)n + 1) * sizeof *thr), *alias = malloc(((size_t)n + 1) * sizeof *alias);
    uint32_t *slot = NULL;
    struct build bd = { b, conv, kept, extra, NULL, alias, n, 0, 0, NULL, NULL, NULL, NULL, 0, 0, NULL };
    int rc = -1;
    if (!target || !kept_n || !extra || !kept || !thr || !alias)
        goto out;
    double s2 = p->size_sigma * p->size_sigma;
    for (uint32_t a = 0; a < n; a++)              /* book sizes: one normal each */
        target[a] = p->size_mean * exp(p->size_sigma * gsl_ran_gaussian_ziggurat(r, 1.0) - s2 / 2);
    for (uint32_t u = 0; u < conv->n; u++)        /* ties of time 0 kept: one uniform each */
        for (uint64_t j = conv->off[u]; j < conv->off[u + 1]; j++) {
            uint32_t v = conv->adj[j];
            if (v <= u || u >= n || v >= n || (b->dyn && b->dyn->born[j] != 0))
                continue;
            if (gsl_rng_uniform(r) < p->conversation_share) {
                set_bit(kept, j);
                kept_n[u]++;
                kept_n[v]++;
            }
        }
    double total = 0;
    uint32_t most = 1;
    for (uint32_t a = 0; a < n; a++) {            /* the missing entries, half drawn by a */
        double missing = round(target[a]) - kept_n[a];
        missing = missing > 0 ? missing : 0;
        target[a] = missing;                      /* (the weight of a as a partner) */
        total += missing;
        double half = missing / 2;
        extra[a] = (uint32_t)floor(half) + (gsl_rng_uniform(r) < half - floor(half));
        most = extra[a] > most ? extra[a] : most;
    }
    bd.key = (uint64_t)gsl_rng_get(r) << 32 | gsl_rng_get(r);
    if (total > 0 && n > 1) {
        if (alias_build(target, n, thr, alias))
            goto out;
        bd.thr = thr;
    }
    while (bd.shift < 32 && ((uint64_t)numbers >> bd.shift) >= (1u << BUCKET_BITS))
        bd.shift++;
    bd.chunk = malloc(CHUNK * sizeof *bd.chunk);
    bd.tmp = malloc(CHUNK * sizeof *bd.tmp);
    bd.mine = malloc((size_t)most * sizeof *bd.mine);
    b->u.n = numbers;
    b->u.off = calloc((size_t)numbers + 2, sizeof *b->u.off);
    if (!bd.chunk || !bd.tmp || !bd.mine || !b->u.off)
        goto out;
    walk_entries(&bd);                            /* count */
    for (uint32_t x = 0; x < numbers; x++)
        b->u.off[x + 1] += b->u.off[x];
    uint64_t cap = b->u.off[numbers];
    slot = malloc((cap ? cap : 1) * sizeof *slot);
    bd.pos = malloc(((size_t)numbers + 1) * sizeof *bd.pos);
    if (!slot || !bd.pos)
        goto out;
    memcpy(bd.pos, b->u.off, ((size_t)numbers + 1) * sizeof *bd.pos);
    bd.slot = slot;
    bd.fill = 1;
    walk_entries(&bd);                            /* fill: the same entries */
    free(bd.chunk);
    free(bd.tmp);
    bd.chunk = bd.tmp = NULL;
    if (finish_rows(b, slot))
        goto out;
    slot = NULL;                                  /* now b->u.adj */
    rc = 0;
out:
    free(bd.pos);
    free(bd.chunk);
    free(bd.tmp);
    free(bd.mine);
    free(slot);
    free(target);
    free(kept_n);
    free(extra);
    free(kept);
    free(thr);
    free(alias);
    return rc;
}

/* ---- the sync schedule ---------------------------------------------------- */

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, c = *(const uint64_t *)y;
    return (a > c) - (a < c);
}

static int schedule(struct addressbook *b)
{
    const struct addressbook_params *p = b->p;
    uint32_t n = b->people;
    b->clients = malloc(((size_t)n + 1) * sizeof *b->clients);
    b->phase = calloc((size_t)n + 1, sizeof *b->phase);
    b->period_days = p->period / 86400u;
    b->phase_off = calloc((size_t)b->period_days + 2, sizeof *b->phase_off);
    if (!b->clients || !b->phase || !b->phase_off)
        return -1;
    for (uint32_t a = 0; a < n; a++) {            /* phases: one draw a client, in id order */
        if (!(b->flags[a] & b->client_bit))
            continue;
        b->nclients++;
        if (p->period) {
            b->phase[a] = rng_below(b->events, p->period);
            b->phase_off[b->phase[a] / 86400u + 1]++;
        }
    }
    for (uint32_t d = 0; d < b->period_days; d++)
        b->phase_off[d + 1] += b->phase_off[d];
    uint32_t *pos = malloc(((size_t)b->period_days + 1) * sizeof *pos);
    if (!pos)
        return -1;
    memcpy(pos, b->phase_off, ((size_t)b->period_days + 1) * sizeof *pos);
    for (uint32_t a = 0, i = 0; a < n; a++)       /* clients by phase day (id order within a day) */
        if (b->flags[a] & b->client_bit)
            b->clients[p->period ? pos[b->phase[a] / 86400u]++ : i++] = a;
    free(pos);
    if (b->dyn && p->install_sync) {
        const uint32_t *join = b->dyn->join;
        for (uint32_t a = 0; a < n; a++)
            b->ninstalls += join[a] > 0 && (b->flags[a] & b->client_bit);
        if (!(b->installs = malloc((b->ninstalls ? b->ninstalls : 1) * sizeof *b->installs)))
            return -1;
        size_t k = 0;
        for (uint32_t a = 0; a < n; a++)
            if (join[a] > 0 && (b->flags[a] & b->client_bit))
                b->installs[k++] = a;
        uint64_t *key = malloc((k ? k : 1) * sizeof *key);   /* by join time, then id */
        if (!key)
            return -1;
        for (size_t i = 0; i < k; i++)
            key[i] = (uint64_t)join[b->installs[i]] << 32 | b->installs[i];
        qsort(key, k, sizeof *key, cmp_u64);
        for (size_t i = 0; i < k; i++)
            b->installs[i] = (uint32_t)key[i];
        free(key);
    }
    return 0;
}

int addressbook_init(struct addressbook *b, const struct addressbook_params *p, const struct graph *conv,
                     const struct dynamics *dyn, const uint8_t *flags, uint8_t client_bit, uint32_t people,
                     uint32_t structure_seed, uint32_t events_seed)
{
    memset(b, 0, sizeof *b);
    b->p = p;
    b->dyn = dyn;
    b->flags = flags;
    b->client_bit = client_bit;
    b->people = people;
    if (conv->n >= ADDRESSBOOK_MAX_NUMBERS)
        return -1;
    gsl_rng *r = rng_substream_new(structure_seed, ADDRESSBOOK_TAG_BOOKS);
    b->events = rng_substream_new(events_seed, ADDRESSBOOK_TAG_SYNCS);
    int rc = -1;
    if (!r || !b->events || build_books(b, conv, r) || schedule(b))
        goto out;
    uint32_t most = 1;
    for (uint32_t x = 0; x < b->u.n; x++)
        most = b->size[x] > most ? b->size[x] : most;
    b->bufcap = 3 * (size_t)most;
    if (!(b->buf = malloc(b->bufcap * sizeof *b->buf)))
        goto out;
    rc = 0;
out:
    gsl_rng_free(r);
    if (rc)
        addressbook_destroy(b);
    return rc;
}

int addressbook_slice(struct addressbook *b, struct batch *bt, int64_t start, int64_t end)
{
    const struct addressbook_params *p = b->p;
    if (p->period) {                              /* the periodic syncs of this day of the period */
        uint32_t day = (uint32_t)(start / 86400) % b->period_days;
        for (uint32_t i = b->phase_off[day]; i < b->phase_off[day + 1]; i++) {
            uint32_t a = b->clients[i];
            int64_t t = start + (int64_t)b->phase[a] - (int64_t)day * 86400;
            if (t < end && batch_add(bt, (uint32_t)t, ADDRESSBOOK_EV_SYNC, a, ADDRESSBOOK_FULL))
                return -1;
        }
    }
    for (; b->next_install < b->ninstalls; b->next_install++) {   /* installs: on joining */
        uint32_t a = b->installs[b->next_install], t = b->dyn->join[a];
        if (t >= end)
            break;
        if (t >= start && batch_add(bt, t, ADDRESSBOOK_EV_SYNC, a, ADDRESSBOOK_FULL))
            return -1;
    }
    if (p->edits_per_day > 0 && b->nclients) {    /* edits: the clients' merged Poisson process */
        uint32_t len = (uint32_t)(end - start);
        unsigned count = gsl_ran_poisson(b->events, (double)b->nclients * p->edits_per_day * len / 86400.0);
        for (unsigned i = 0; i < count; i++) {
            uint32_t a = b->clients[rng_below(b->events, b->nclients)];
            uint32_t t = (uint32_t)start + rng_below(b->events, len), what = ADDRESSBOOK_FULL;
            if (!p->edit_full) {
                uint32_t x = b->dyn ? dynamics_number(b->dyn, a, t) : a;
                if (b->size[x] == 0)
                    continue;
                what = rng_below(b->events, b->size[x]);
            }
            if (batch_add(bt, t, ADDRESSBOOK_EV_SYNC, a, what))
                return -1;
        }
    }
    return 0;
}

/* Is number y registered with the service at t (a client's number in use)? */
static inline int registered(const struct addressbook *b, uint32_t y, uint32_t t)
{
    return (b->flags[y] & b->client_bit) && (!b->dyn || dynamics_active(b->dyn, y, t));
}

const uint32_t *addressbook_sync(struct addressbook *b, uint32_t a, uint32_t t, uint32_t what, size_t *n)
{
    *n = 0;
    uint32_t x = b->dyn ? dynamics_number(b->dyn, a, t) : a;
    if (!(b->flags[x] & b->client_bit) || (b->dyn && !dynamics_active(b->dyn, x, t)))
        return b->buf;                            /* not on the service now */
    b->syncs++;
    uint32_t *out = b->buf;
    size_t k = 0;
    if (b->p->log == ADDRESSBOOK_LOG_BATCH) {
        b->lookups += what == ADDRESSBOOK_FULL ? b->size[x] : 1;
        out[0] = t, out[1] = x, out[2] = SERVERLOG_NO_NUMBER;
        *n = 1;
        return out;
    }
    const uint32_t *adj = b->u.adj;               /* (locals: the stores below alias nothing) */
    const uint64_t *own = b->own;
    uint64_t lo = b->u.off[x], hi = b->u.off[x + 1], looked = 0;
    int registered_only = b->p->log == ADDRESSBOOK_LOG_REGISTERED;
    uint32_t rank = 0;
    for (uint64_t j = lo; j < hi; j++) {
        if (!bit(own, j))
            continue;
        if (what != ADDRESSBOOK_FULL && rank++ != what)
            continue;
        uint32_t y = adj[j];
        looked++;
        if (registered_only && !registered(b, y, t))
            continue;
        out[3 * k] = t, out[3 * k + 1] = x, out[3 * k + 2] = y;
        k++;
    }
    b->lookups += looked;
    *n = k;
    return out;
}

const uint32_t *addressbook_device(struct addressbook *b, uint32_t x, uint32_t t, size_t *n)
{
    *n = 0;
    if (!b->p->device_sync)
        return b->buf;
    return addressbook_sync(b, b->dyn ? dynamics_person(b->dyn, x) : x, t, ADDRESSBOOK_FULL, n);
}

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : NAN; }

void addressbook_report(const struct addressbook *b, struct sim *s, uint32_t acq, int64_t now,
                        const struct knowledge *k)
{
    uint64_t words = (b->u.off[b->u.n] + 63) / 64, conv_found = 0, book_found = 0;
    for (uint64_t i = 0; i < words; i++) {        /* found bits are on entries u < v only */
        conv_found += (uint64_t)__builtin_popcountll(k->pair_seen[i] & b->conv[i]);
        book_found += (uint64_t)__builtin_popcountll(k->pair_seen[i] & b->pair[i]);
    }
    double day = (double)now / 86400.0;
    sim_metric(s, acq, day, "book_recall", ratio(book_found, b->book_pairs));
    sim_metric(s, acq, day, "conversation_recall", ratio(conv_found, b->conv_pairs));
    sim_metric(s, acq, day, "conversation_precision", ratio(conv_found, k->edges_found + k->false_found));
    sim_metric(s, acq, day, "sync_lookups", (double)b->lookups);
}

void addressbook_describe(const struct addressbook *b, FILE *f)
{
    uint64_t entries = 0, in_book = 0;
    for (uint32_t x = 0; x < b->people; x++)
        entries += b->size[x];
    uint64_t words = (b->u.off[b->u.n] + 63) / 64;
    for (uint64_t i = 0; i < words; i++)
        in_book += (uint64_t)__builtin_popcountll(b->conv[i] & b->pair[i]);
    fprintf(f, "address books: mean size %.1f, %llu pairs in books, %llu conversation ties (%.1f%% in a book)\n",
            b->people ? (double)entries / b->people : 0.0, (unsigned long long)b->book_pairs,
            (unsigned long long)b->conv_pairs, b->conv_pairs ? 50.0 * (double)in_book / (double)b->conv_pairs : 0.0);
}
