/* serverlog — chunked ring of lookup records with rolling retention; see
 * serverlog.h. */
#include "serverlog.h"

#include <stdlib.h>
#include <string.h>

#include "rng.h"

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return q - (a % b != 0 && (a < 0) != (b < 0));
}

int serverlog_init_policy(struct serverlog *log, const struct serverlog_policy *p, const gsl_rng *rng)
{
    memset(log, 0, sizeof *log);
    log->policy = *p;
    if (log->policy.resolution < 1)
        log->policy.resolution = 1;
    log->retention = p->retention;
    log->rng = rng;
    log->transforms = p->sampling < 1 || p->resolution > 1 || p->queried != SERVERLOG_QUERIED_KEPT || p->drop_querier;
    if (p->queried == SERVERLOG_QUERIED_KEYED_HASH)
        log->secret = rng ? (uint32_t)gsl_rng_get(rng) : 0x5eed5eedu;
    log->next_job = p->purge_period;              /* the first job after time 0 */
    log->next_purge = p->purge_period ? log->next_job : INT64_MAX;
    log->cutoff = -p->retention;                  /* nothing has expired yet */
    log->nchunk_cap = 16;
    log->chunk = calloc(log->nchunk_cap, sizeof *log->chunk);
    return log->chunk ? 0 : -1;
}

int serverlog_init(struct serverlog *log, int64_t retention_s)
{
    struct serverlog_policy p = { .retention = retention_s, .resolution = 1, .sampling = 1.0,
                                  .queried = SERVERLOG_QUERIED_KEPT, .key_rotation = 86400 };
    return serverlog_init_policy(log, &p, NULL);
}

/* The key of an epoch: a bijective mix of the secret and the epoch.  With
 * the key, number -> fmix32(number XOR key) is a permutation of the 32-bit
 * words, so pseudonyms are stable within an epoch and never collide. */
static uint32_t epoch_key(const struct serverlog *log, uint32_t epoch)
{
    return rng_fmix32(log->secret ^ rng_fmix32(epoch + 0x9e3779b9u));
}

int serverlog_transform_(struct serverlog *log, uint32_t *t, uint32_t *querier, uint32_t *queried)
{
    const struct serverlog_policy *p = &log->policy;
    if (p->sampling < 1 && !(gsl_rng_uniform(log->rng) < p->sampling))
        return 1;
    uint32_t rem = *t % (uint32_t)p->resolution;
    *t -= rem;
    if (p->keep_hour && p->resolution > 3600)
        *t += rem / 3600;                       /* the hour within the period (serverlog.h) */
    if (p->drop_querier)
        *querier = SERVERLOG_NO_NUMBER;
    if (p->queried == SERVERLOG_QUERIED_PLAIN_HASH)
        *queried = rng_fmix32(*queried);
    else if (p->queried == SERVERLOG_QUERIED_NONE)
        *queried = SERVERLOG_NO_NUMBER;
    else if (p->queried == SERVERLOG_QUERIED_KEYED_HASH)
        *queried = rng_fmix32(*queried ^ epoch_key(log, serverlog_epoch(log, *t)));
    return 0;
}

/* Inverse of rng_fmix32 (MurmurHash3's finaliser): each step undone in
 * reverse order; 0xa5cb9243 and 0x7ed1b41d are the inverses mod 2^32 of its
 * two multipliers. */
static uint32_t unfmix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x7ed1b41du;
    h ^= (h >> 13) ^ (h >> 26);
    h *= 0xa5cb9243u;
    h ^= h >> 16;
    return h;
}

uint32_t serverlog_unmask(const struct serverlog *log, uint32_t epoch, uint32_t pseudonym)
{
    return unfmix32(pseudonym) ^ epoch_key(log, epoch);
}

uint32_t serverlog_reveal(const struct serverlog *log, uint32_t queried)
{
    if (queried == SERVERLOG_NO_NUMBER || log->policy.queried != SERVERLOG_QUERIED_PLAIN_HASH)
        return queried;
    return unfmix32(queried);
}

int serverlog_pend_(struct serverlog *log, uint32_t t, uint32_t querier, uint32_t queried)
{
    if (serverlog_write_due(log, t))
        return -1;
    if (log->npend == log->cappend) {
        size_t cap = log->cappend ? 2 * log->cappend : 1024;
        struct logrec *p = realloc(log->pend, cap * sizeof *p);
        if (!p)
            return -1;
        log->pend = p;
        log->cappend = cap;
    }
    if (!log->npend)
        log->pend_write = (floor_div(t, log->policy.delay) + 1) * log->policy.delay;
    log->pend[log->npend++] = (struct logrec){ t, querier, queried };
    return 0;
}

int serverlog_write_due(struct serverlog *log, int64_t now)
{
    if (!log->npend || log->pend_write > now)
        return 0;
    for (size_t i = 0; i < log->npend; i++)
        if (serverlog_write_(log, log->pend[i].t, log->pend[i].querier, log->pend[i].queried))
            return -1;
    log->npend = 0;
    return 0;
}

const struct logrec *serverlog_recent(const struct serverlog *log, uint64_t i)
{
    if (i <= log->tail)
        return &log->tail_chunk[log->tail - i];
    uint64_t back = i - log->tail;               /* into earlier chunks */
    size_t chunks_back = (size_t)((back + SERVERLOG_CHUNK - 1) / SERVERLOG_CHUNK);
    size_t offset = (size_t)(chunks_back * SERVERLOG_CHUNK - back);
    return &serverlog_chunk_(log, log->nchunks - 1 - chunks_back)[offset];
}

int64_t serverlog_window_end(const struct serverlog *log, int64_t now)
{
    int64_t d = log->policy.delay;
    return d ? floor_div(now, d) * d : now;
}

int64_t serverlog_window_start(const struct serverlog *log)
{
    /* Stored times are rounded down to the resolution u: a record is held
     * when its stored time exceeds the cutoff c, that is when its true time
     * is at least (floor(c / u) + 1) u. */
    int64_t u = log->policy.resolution;
    return (floor_div(log->cutoff, u) + 1) * u - 1;
}

void serverlog_destroy(struct serverlog *log)
{
    if (!log)
        return;
    for (size_t i = 0; log->chunk && i < log->nchunks; i++)
        free(serverlog_chunk_(log, i));
    free(log->chunk);
    for (size_t i = 0; i < log->npool; i++)
        free(log->pool[i]);
    free(log->pool);
    free(log->pend);
    memset(log, 0, sizeof *log);
}

/* Start a new chunk at the tail. */
int serverlog_grow_(struct serverlog *log)
{
    if (log->nchunks == log->nchunk_cap) {      /* unroll the ring into a bigger one */
        size_t cap = 2 * log->nchunk_cap;
        struct logrec **c = malloc(cap * sizeof *c);
        if (!c)
            return -1;
        for (size_t i = 0; i < log->nchunks; i++)
            c[i] = serverlog_chunk_(log, i);
        free(log->chunk);
        log->chunk = c;
        log->nchunk_cap = cap;
        log->first = 0;
    }
    struct logrec *fresh = log->npool ? log->pool[--log->npool] : NULL;
    if (!fresh && !(fresh = malloc(SERVERLOG_CHUNK * sizeof *fresh)))
        return -1;
    log->chunk[(log->first + log->nchunks) & (log->nchunk_cap - 1)] = fresh;
    if (log->nchunks++ == 0)
        log->head = 0;
    log->tail = 0;
    log->tail_chunk = fresh;
    return 0;
}

static void drop_first_chunk(struct serverlog *log)
{
    struct logrec *c = serverlog_chunk_(log, 0);
    if (log->npool == log->pool_cap) {
        size_t cap = log->pool_cap ? 2 * log->pool_cap : 16;
        struct logrec **p = realloc(log->pool, cap * sizeof *p);
        if (!p) {                                 /* cannot pool it: give it back */
            free(c);
            c = NULL;
        } else {
            log->pool = p;
            log->pool_cap = cap;
        }
    }
    if (c)
        log->pool[log->npool++] = c;
    log->first = (log->first + 1) & (log->nchunk_cap - 1);
    log->nchunks--;
    log->head = 0;
}

void serverlog_purge(struct serverlog *log, int64_t now)
{
    int64_t period = log->policy.purge_period;
    if (period == 0) {
        log->cutoff = now - log->retention;       /* rolling */
    } else if (now >= log->next_job) {            /* the jobs due by now have run */
        int64_t last = floor_div(now, period) * period;
        log->cutoff = last - log->retention;
        log->next_job = last + period;
    }
    int64_t cutoff = log->cutoff;                 /* drop stored t <= cutoff */
    int64_t u = log->policy.resolution;
    if (u > 1)                                    /* stored times are multiples of u, plus less than u */
        cutoff = (floor_div(cutoff, u) + 1) * u - 1;
    while (log->size) {
        struct logrec *c = serverlog_chunk_(log, 0);
        size_t end = log->nchunks == 1 ? log->tail : SERVERLOG_CHUNK;
        if ((int64_t)c[end - 1].t <= cutoff) {  /* the whole chunk has expired */
            log->size -= end - log->head;
            drop_first_chunk(log);
            continue;
        }
        size_t h = log->head;                    /* amortised O(1): each record passed once */
        while ((int64_t)c[h].t <= cutoff)
            h++;
        log->size -= h - log->head;
        log->head = h;
        log->oldest = serverlog_time(log, c[h].t);
        break;
    }
    if (log->size == 0) {                         /* keep no empty chunks */
        while (log->nchunks)
            drop_first_chunk(log);
        log->tail = 0;
        log->tail_chunk = NULL;
    }
    if (period)
        log->next_purge = log->next_job;
    else
        log->next_purge = log->size ? log->oldest + log->retention : INT64_MAX;
}

/* serverlog_purge(log, t) for the common case: rolling retention, times
 * to the second, and what has expired by t all in the first chunk with a
 * record left after it.  Returns 1 when done, 0 when the general purge is
 * needed. */
static inline int purge_fast(struct serverlog *log, uint32_t t)
{
    if (log->policy.purge_period || log->policy.resolution != 1 || log->size == 0)
        return 0;
    const struct logrec *c = serverlog_chunk_(log, 0);
    size_t end = log->nchunks == 1 ? log->tail : SERVERLOG_CHUNK, h = log->head;
    int64_t cutoff = (int64_t)t - log->retention;
    while (h < end && (int64_t)c[h].t <= cutoff)
        h++;
    if (h == end)
        return 0;
    log->size -= h - log->head;
    log->head = h;
    log->cutoff = cutoff;
    log->oldest = c[h].t;
    log->next_purge = (int64_t)c[h].t + log->retention;
    return 1;
}

/* Records written into the last chunk by serverlog_append_run: counted. */
static inline void commit(struct serverlog *log, size_t n)
{
    log->tail += n;
    log->size += n;
    log->appended += n;
    log->offered += n;
    if (log->size > log->peak)
        log->peak = log->size;
}

int serverlog_append_run(struct serverlog *log, const uint32_t *t, const uint32_t *querier,
                         const uint32_t *queried, size_t stride, size_t n)
{
    for (size_t i = 0; i < n;) {
        /* one the usual way (it may purge, start a chunk or be the first) */
        if (serverlog_append(log, t[i * stride], querier[i * stride], queried[i * stride]))
            return -1;
        i++;
        if (log->transforms || log->policy.delay || log->size == 0 || !log->tail_chunk)
            continue;
        /* then as many as fit in the last chunk, purging inline as time
         * passes: the records written so far are counted before each purge,
         * so the peak is the one record-by-record appending reaches */
        struct logrec *slot = log->tail_chunk + log->tail;
        size_t room = SERVERLOG_CHUNK - log->tail, j = 0, done = 0;
        size_t lim = room < n - i ? room : n - i;
        int64_t next_purge = log->next_purge;
        for (; j < lim; j++) {
            size_t x = (i + j) * stride;
            if ((int64_t)t[x] >= next_purge) {
                commit(log, j - done);
                done = j;
                if (!purge_fast(log, t[x]))
                    break;
                next_purge = log->next_purge;
            }
            slot[j] = (struct logrec){ t[x], querier[x], queried[x] };
        }
        commit(log, j - done);
        i += j;
    }
    return 0;
}

size_t serverlog_spans(const struct serverlog *log) { return log->size ? log->nchunks : 0; }

const struct logrec *serverlog_span(const struct serverlog *log, size_t i, size_t *n)
{
    const struct logrec *c = serverlog_chunk_(log, i);
    size_t lo = i == 0 ? log->head : 0;
    size_t hi = i + 1 == log->nchunks ? log->tail : SERVERLOG_CHUNK;
    *n = hi - lo;
    return c + lo;
}

size_t serverlog_bytes(const struct serverlog *log)
{
    return (log->nchunks + log->npool) * SERVERLOG_CHUNK * sizeof(struct logrec)
           + (log->nchunk_cap + log->pool_cap) * sizeof *log->chunk;
}
