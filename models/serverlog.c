/* serverlog — chunked ring of lookup records with rolling retention; see
 * serverlog.h. */
#include "serverlog.h"

#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "mem.h"
#include "rng.h"

static inline struct serverlog_chunk *chunk_at(const struct serverlog *log, size_t i)
{
    return log->chunk[(log->first + i) & (log->nchunk_cap - 1)];
}

/* Records written in chunk i (the tail chunk's count is log->tail). */
static inline size_t chunk_len(const struct serverlog *log, size_t i)
{
    return i + 1 == log->nchunks ? log->tail : chunk_at(log, i)->n;
}

/* A field of b bits (0 to 32): its mask, which also stands for
 * SERVERLOG_NO_NUMBER; a value fits below the mask or as that. */
static inline uint64_t field_mask(int b) { return b >= 32 ? 0xFFFFFFFFull : ((uint64_t)1 << b) - 1; }
static inline int field_fits(uint32_t v, uint64_t m) { return v < m || v == UINT32_MAX; }
static inline uint64_t field_enc(uint32_t v, uint64_t m) { return v == UINT32_MAX ? m : v; }
static inline uint32_t field_dec(uint64_t x, uint64_t m) { return x == m ? UINT32_MAX : (uint32_t)x; }

#define HEADER_BYTES sizeof(struct serverlog_chunk)
#define WIDE_CAP (SERVERLOG_CHUNK_BYTES / sizeof(struct serverlog_rec))
#define MIN_TIME_BITS 8                   /* fewer: plain records */

static inline struct serverlog_layout layout_of(const struct serverlog_chunk *c)
{
    return (struct serverlog_layout){ c->base, (uint32_t)field_mask(c->tb), field_mask(c->qb), field_mask(c->db), c->db,
                            c->qb + c->db };
}
static inline int word_fits(const struct serverlog_layout *l, uint32_t t, uint32_t querier, uint32_t queried)
{
    return t - l->base <= l->tm && field_fits(querier, l->qm) && field_fits(queried, l->dm);
}
static inline uint64_t word_pack(const struct serverlog_layout *l, uint32_t t, uint32_t querier, uint32_t queried)
{
    return field_enc(queried, l->dm) | field_enc(querier, l->qm) << l->qs | (uint64_t)(t - l->base) << l->ts;
}
static inline struct serverlog_rec word_unpack(const struct serverlog_layout *l, uint64_t w)
{
    return (struct serverlog_rec){ l->base + (uint32_t)(w >> l->ts), field_dec((w >> l->qs) & l->qm, l->qm),
                                   field_dec(w & l->dm, l->dm) };
}

/* Record i of chunk c: its time, and the whole record. */
static inline uint32_t rec_time(const struct serverlog_chunk *c, size_t i)
{
    if (c->wide)
        return ((const struct serverlog_rec *)c->w)[i].t;
    return c->base + (uint32_t)(c->w[i] >> (c->qb + c->db));
}
static inline struct serverlog_rec rec_at(const struct serverlog_chunk *c, size_t i)
{
    if (c->wide)
        return ((const struct serverlog_rec *)c->w)[i];
    struct serverlog_layout l = layout_of(c);
    return word_unpack(&l, c->w[i]);
}

/* A chunk cut to its records (grow): freed, not pooled. */
static inline int cut_short(const struct serverlog_chunk *c) { return !c->wide && c->cap < SERVERLOG_CHUNK; }

/* Write a record into the tail chunk if it has room and the record fits
 * it; 0 when it did, -1 when not. */
static inline int put(struct serverlog *log, uint32_t t, uint32_t querier, uint32_t queried)
{
    struct serverlog_chunk *c = log->tail_chunk;
    if (!c || log->tail == c->cap)
        return -1;
    if (c->wide)
        ((struct serverlog_rec *)c->w)[log->tail] = (struct serverlog_rec){ t, querier, queried };
    else if (word_fits(&log->lay, t, querier, queried))
        c->w[log->tail] = word_pack(&log->lay, t, querier, queried);
    else
        return -1;
    log->tail++;
    return 0;
}

static int grow(struct serverlog *log, uint32_t t, uint32_t querier, uint32_t queried);

/* Write a record into the log (time order), purging what has expired. */
static inline int write_record(struct serverlog *log, uint32_t t, uint32_t querier, uint32_t queried)
{
    if ((int64_t)t >= log->next_purge)
        serverlog_purge(log, serverlog_time(log, t));      /* the time shown, not the hour kept in it */
    if (put(log, t, querier, queried)) {         /* a new chunk, laid out for it */
        if (grow(log, t, querier, queried))
            return -1;
        put(log, t, querier, queried);
    }
    if (log->size++ == 0) {
        log->oldest = serverlog_time(log, t);
        if (!log->policy.purge_period)
            log->next_purge = log->oldest + log->policy.retention + 1;
    }
    log->appended++;
    if (log->size > log->peak)
        log->peak = log->size;
    return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return q - (a % b != 0 && (a < 0) != (b < 0));
}

int serverlog_configure(struct serverlog_policy *p, struct cfg *c, const struct cfg_node *policy)
{
    memset(p, 0, sizeof *p);
    const struct cfg_node *ret = cfg_child(policy, "retention");
    const struct cfg_node *lg = cfg_child(policy, "logging");
    long days = 0;
    int rc = 0;
    rc |= cfg_long(c, ret, "days", 0, &days);
    rc |= cfg_double(c, lg, "sampling", 1.0, &p->sampling);
    if (rc)
        return -1;
    int has_ip = cfg_has(ret, "ip_days");
    if (days < (has_ip ? 0 : 1) || days > 36500)
        rc = cfg_error(c, ret, "days", has_ip ? "retention must be 0 to 36500 days (got %ld)"
                                              : "retention must be at least 1 day (got %ld); 0 (IP addresses only) "
                                                "needs ip_days", days);
    if (!(p->sampling > 0 && p->sampling <= 1))
        rc = cfg_error(c, lg, "sampling", "must be in (0, 1] (got %g)", p->sampling);
    p->retention = (int64_t)days * 86400;
    if (has_ip) {
        long ip_days = 0;
        if (cfg_long(c, ret, "ip_days", days, &ip_days))
            return -1;
        if (ip_days < 1 || ip_days > 36500)
            rc = cfg_error(c, ret, "ip_days", "the IP addresses' retention must be 1 to 36500 days (got %ld)", ip_days);
        else if (ip_days < days)
            p->ip_retention = (int64_t)ip_days * 86400;
        else if (ip_days > days) {              /* the record kept for its address, the pair for days */
            p->pair_limited = 1;
            p->pair_retention = (int64_t)days * 86400;
            p->retention = (int64_t)ip_days * 86400;
        }
    }
    const char *purge = cfg_str(ret, "purge", "rolling");
    p->purge_period = strcmp(purge, "daily") == 0 ? 86400 : strcmp(purge, "weekly") == 0 ? 7 * 86400 : 0;
    const char *res = cfg_str(lg, "time_resolution", "second");
    p->resolution = strcmp(res, "hour") == 0 ? 3600 : strcmp(res, "day") == 0 ? 86400 : 1;
    p->drop_time = strcmp(res, "none") == 0;
    p->drop_devices = strcmp(cfg_str(lg, "device_count", "kept"), "dropped") == 0;
    const char *q = cfg_str(lg, "queried_number", "kept");
    p->queried = strcmp(q, "plain_hash") == 0 ? SERVERLOG_QUERIED_PLAIN_HASH
               : strcmp(q, "keyed_hash") == 0 ? SERVERLOG_QUERIED_KEYED_HASH : SERVERLOG_QUERIED_KEPT;
    long rotation = 0;
    if (cfg_long(c, lg, "key_rotation_days", 30, &rotation))
        return -1;
    if (rotation < 1)
        rc = cfg_error(c, lg, "key_rotation_days", "a key rotation of %ld days: it must be at least 1 day",
                       rotation);
    p->key_rotation = (int64_t)rotation * 86400;
    long delay = 0;
    if (cfg_long(c, lg, "delivery_delay_minutes", 0, &delay))
        return -1;
    if (delay < 0 || delay > 36500L * 1440)
        rc = cfg_error(c, lg, "delivery_delay_minutes", "must be 0 to 52560000 (got %ld)", delay);
    p->delay = (int64_t)delay * 60;
    p->drop_querier = strcmp(cfg_str(lg, "querier", "kept"), "dropped") == 0;
    const char *ip = cfg_str(lg, "ip", "full");
    p->ip = strcmp(ip, "truncated_24") == 0 ? SERVERLOG_IP_24 : strcmp(ip, "truncated_16") == 0 ? SERVERLOG_IP_16
          : strcmp(ip, "dropped") == 0 ? SERVERLOG_IP_NONE : SERVERLOG_IP_FULL;
    if (strcmp(cfg_str(lg, "private_contact_discovery", "false"), "true") == 0
        || strcmp(cfg_str(lg, "private_contact_discovery", "false"), "1") == 0)
        p->queried = SERVERLOG_QUERIED_NONE;
    return rc;
}

/* The widths of the querier and queried fields under a policy. */
static void field_widths(const struct serverlog_policy *p, int *qb, int *db)
{
    int b = p->id_bits > 0 && p->id_bits < 32 ? p->id_bits : 32;
    *qb = p->drop_querier ? 0 : b;
    *db = p->queried == SERVERLOG_QUERIED_NONE ? 0
        : p->queried == SERVERLOG_QUERIED_KEPT ? b : 32;             /* a hash takes all 32 bits */
}

size_t serverlog_policy_record_bytes(const struct serverlog_policy *p)
{
    int qb, db;
    field_widths(p, &qb, &db);
    return 64 - qb - db < MIN_TIME_BITS ? sizeof(struct serverlog_rec) : sizeof(uint64_t);
}

int serverlog_init_policy(struct serverlog *log, const struct serverlog_policy *p, const gsl_rng *rng)
{
    memset(log, 0, sizeof *log);
    log->policy = *p;
    if (log->policy.resolution < 1)
        log->policy.resolution = 1;
    log->rng = rng;
    log->transforms = p->sampling < 1 || p->resolution > 1 || p->queried != SERVERLOG_QUERIED_KEPT || p->drop_querier;
    if (p->queried == SERVERLOG_QUERIED_KEYED_HASH)
        log->secret = rng ? (uint32_t)gsl_rng_get(rng) : 0x5eed5eedu;
    log->next_job = p->purge_period;              /* the first job after time 0 */
    log->next_purge = p->purge_period ? log->next_job : INT64_MAX;
    log->cutoff = -p->retention - 1;              /* nothing has expired yet */
    field_widths(p, &log->qb, &log->db);
    log->nchunk_cap = 16;
    log->chunk = calloc(log->nchunk_cap, sizeof *log->chunk);
    log->dec = malloc((SERVERLOG_SPAN + 1) * sizeof *log->dec);
    if (!log->chunk || !log->dec) {
        free(log->chunk);
        free(log->dec);
        log->chunk = NULL;
        log->dec = NULL;
        return -1;
    }
    return 0;
}

int serverlog_init(struct serverlog *log, int64_t retention_s)
{
    struct serverlog_policy p = { .retention = retention_s, .resolution = 1, .sampling = 1.0,
                                  .queried = SERVERLOG_QUERIED_KEPT, .key_rotation = 86400, .id_bits = 24 };
    return serverlog_init_policy(log, &p, NULL);
}

/* The key of an epoch: a bijective mix of the secret and the epoch.  With
 * the key, number -> fmix32(number XOR key) is a permutation of the 32-bit
 * words, so pseudonyms are stable within an epoch and never collide. */
static uint32_t epoch_key(const struct serverlog *log, uint32_t epoch)
{
    return rng_fmix32(log->secret ^ rng_fmix32(epoch + 0x9e3779b9u));
}

/* The policy's transformation of one lookup; returns 0 to log it, 1 when
 * it is sampled out. */
static int transform(struct serverlog *log, uint32_t *t, uint32_t *querier, uint32_t *queried)
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

/* Delay: keep the lookup for its batch (writing a batch that is due). */
static int pend(struct serverlog *log, uint32_t t, uint32_t querier, uint32_t queried)
{
    if (serverlog_write_due(log, t))
        return -1;
    if (log->npend == log->cappend) {
        size_t cap = log->cappend ? 2 * log->cappend : 1024;
        struct serverlog_rec *p = realloc(log->pend, cap * sizeof *p);
        if (!p)
            return -1;
        log->pend = p;
        log->cappend = cap;
    }
    if (!log->npend)
        log->pend_write = (floor_div(t, log->policy.delay) + 1) * log->policy.delay;
    log->pend[log->npend++] = (struct serverlog_rec){ t, querier, queried };
    return 0;
}

int serverlog_write_due(struct serverlog *log, int64_t now)
{
    if (!log->npend || log->pend_write > now)
        return 0;
    for (size_t i = 0; i < log->npend; i++)
        if (write_record(log, log->pend[i].t, log->pend[i].querier, log->pend[i].queried))
            return -1;
    log->npend = 0;
    return 0;
}

int serverlog_append(struct serverlog *log, uint32_t t, uint32_t querier, uint32_t queried)
{
    log->offered++;
    log->last_id = SERVERLOG_NO_RECORD;
    if (log->transforms && transform(log, &t, &querier, &queried))
        return 0;
    if (log->policy.delay) {
        if (pend(log, t, querier, queried))
            return -1;
        log->last_id = log->appended + log->npend - 1;    /* written after those before it */
        return 0;
    }
    if (write_record(log, t, querier, queried))
        return -1;
    log->last_id = log->appended - 1;
    return 0;
}

const struct serverlog_rec *serverlog_recent(const struct serverlog *log, uint64_t i)
{
    size_t k = log->nchunks - 1;
    while (i > chunk_len(log, k)) {               /* into earlier chunks */
        i -= chunk_len(log, k);
        k--;
    }
    log->dec[SERVERLOG_SPAN] = rec_at(chunk_at(log, k), chunk_len(log, k) - i);
    return &log->dec[SERVERLOG_SPAN];
}

const struct serverlog_rec *serverlog_newest(const struct serverlog *log)
{
    log->dec[SERVERLOG_SPAN] = rec_at(log->tail_chunk, log->tail - 1);
    return &log->dec[SERVERLOG_SPAN];
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
        free(chunk_at(log, i));
    free(log->chunk);
    for (size_t i = 0; i < log->npool; i++)
        free(log->pool[i]);
    free(log->pool);
    free(log->pend);
    free(log->dec);
    memset(log, 0, sizeof *log);
}

/* Lay out an empty chunk for a first record (t, querier, queried): the
 * log's field widths, a field widened to 32 bits for good when the record
 * does not fit it, the time in what is left (plain records when that is
 * under MIN_TIME_BITS), relative to t. */
static void open_chunk(struct serverlog *log, struct serverlog_chunk *c, uint32_t t, uint32_t querier,
                       uint32_t queried)
{
    if (!field_fits(querier, field_mask(log->qb)))
        log->qb = 32;
    if (!field_fits(queried, field_mask(log->db)))
        log->db = 32;
    int tb = 64 - log->qb - log->db;
    c->qb = (uint8_t)log->qb;
    c->db = (uint8_t)log->db;
    c->tb = (uint8_t)(tb > 32 ? 32 : tb);
    c->wide = tb < MIN_TIME_BITS;
    c->cap = c->wide ? (uint32_t)WIDE_CAP : SERVERLOG_CHUNK;
    c->base = t;
    c->n = 0;
    log->lay = layout_of(c);
}

/* Close the tail chunk (a chunk closed before it is full is cut to its
 * records, so that closed chunks hold no empty slots) and start a new one
 * at the tail for the record (t, querier, queried). */
static int grow(struct serverlog *log, uint32_t t, uint32_t querier, uint32_t queried)
{
    if (log->tail_chunk) {
        struct serverlog_chunk *c = log->tail_chunk;
        c->n = (uint32_t)log->tail;
        if (!c->wide && c->n < c->cap) {
            struct serverlog_chunk *cut = realloc(c, HEADER_BYTES + (size_t)c->n * sizeof c->w[0]);
            if (cut) {
                log->bytes -= (size_t)(cut->cap - cut->n) * sizeof cut->w[0];
                cut->cap = cut->n;
                log->chunk[(log->first + log->nchunks - 1) & (log->nchunk_cap - 1)] = cut;
                log->tail_chunk = cut;
            }
        }
    }
    if (log->nchunks == log->nchunk_cap) {      /* unroll the ring into a bigger one */
        size_t cap = 2 * log->nchunk_cap;
        struct serverlog_chunk **c = malloc(cap * sizeof *c);
        if (!c)
            return -1;
        for (size_t i = 0; i < log->nchunks; i++)
            c[i] = chunk_at(log, i);
        free(log->chunk);
        log->chunk = c;
        log->nchunk_cap = cap;
        log->first = 0;
    }
    struct serverlog_chunk *fresh = log->npool ? log->pool[--log->npool] : NULL;
    if (!fresh) {
        if (!(fresh = malloc(HEADER_BYTES + SERVERLOG_CHUNK_BYTES)))
            return -1;
        mem_prefault(fresh, HEADER_BYTES + SERVERLOG_CHUNK_BYTES);   /* written whole */
        log->bytes += HEADER_BYTES + SERVERLOG_CHUNK_BYTES;
    }
    open_chunk(log, fresh, t, querier, queried);
    log->chunk[(log->first + log->nchunks) & (log->nchunk_cap - 1)] = fresh;
    if (log->nchunks++ == 0)
        log->head = 0;
    log->tail = 0;
    log->tail_chunk = fresh;
    return 0;
}

static void drop_first_chunk(struct serverlog *log)
{
    struct serverlog_chunk *c = chunk_at(log, 0);
    if (cut_short(c)) {
        log->bytes -= HEADER_BYTES + (size_t)c->cap * sizeof c->w[0];
        free(c);
        c = NULL;
    } else if (log->npool == log->pool_cap) {
        size_t cap = log->pool_cap ? 2 * log->pool_cap : 16;
        struct serverlog_chunk **p = realloc(log->pool, cap * sizeof *p);
        if (!p) {                                 /* cannot pool it: give it back */
            log->bytes -= HEADER_BYTES + SERVERLOG_CHUNK_BYTES;
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
        log->cutoff = now - log->policy.retention - 1;   /* rolling: [now - R, now) is kept */
    } else if (now >= log->next_job) {            /* the jobs due by now have run */
        int64_t last = floor_div(now, period) * period;
        log->cutoff = last - log->policy.retention - 1;
        log->next_job = last + period;
    }
    int64_t cutoff = log->cutoff;                 /* drop stored t <= cutoff */
    int64_t u = log->policy.resolution;
    if (u > 1)                                    /* stored times are multiples of u, plus less than u */
        cutoff = (floor_div(cutoff, u) + 1) * u - 1;
    while (log->size) {
        const struct serverlog_chunk *c = chunk_at(log, 0);
        size_t end = chunk_len(log, 0);
        if ((int64_t)rec_time(c, end - 1) <= cutoff) {  /* the whole chunk has expired */
            log->size -= end - log->head;
            drop_first_chunk(log);
            continue;
        }
        size_t h = log->head;                    /* amortised O(1): each record passed once */
        while ((int64_t)rec_time(c, h) <= cutoff)
            h++;
        log->size -= h - log->head;
        log->head = h;
        log->oldest = serverlog_time(log, rec_time(c, h));
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
        log->next_purge = log->size ? log->oldest + log->policy.retention + 1 : INT64_MAX;
}

/* serverlog_purge(log, t) for the common case: rolling retention, times
 * to the second, and what has expired by t all in the first chunk with a
 * record left after it.  Returns 1 when done, 0 when the general purge is
 * needed. */
static inline int purge_fast(struct serverlog *log, uint32_t t)
{
    if (log->policy.purge_period || log->policy.resolution != 1 || log->size == 0)
        return 0;
    const struct serverlog_chunk *c = chunk_at(log, 0);
    size_t end = chunk_len(log, 0), h = log->head;
    int64_t cutoff = (int64_t)t - log->policy.retention - 1;
    while (h < end && (int64_t)rec_time(c, h) <= cutoff)
        h++;
    if (h == end)
        return 0;
    uint32_t oldest = rec_time(c, h);
    log->size -= h - log->head;
    log->head = h;
    log->cutoff = cutoff;
    log->oldest = oldest;
    log->next_purge = (int64_t)oldest + log->policy.retention + 1;
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
        if (log->transforms || log->policy.delay || log->size == 0 || !log->tail_chunk
            || log->tail_chunk->wide)
            continue;
        /* then as many as fit in the last chunk, purging inline as time
         * passes: the records written so far are counted before each purge,
         * so the peak is the one record-by-record appending reaches; one
         * that does not fit the chunk is left to serverlog_append */
        struct serverlog_chunk *c = log->tail_chunk;
        uint64_t *slot = c->w + log->tail;
        size_t room = c->cap - log->tail, j = 0, done = 0;
        size_t lim = room < n - i ? room : n - i;
        int64_t next_purge = log->next_purge;
        const struct serverlog_layout l = log->lay;          /* a copy: the slots cannot alias it */
        for (; j < lim; j++) {
            size_t x = (i + j) * stride;
            uint32_t tx = t[x], qx = querier[x], dx = queried[x];
            if ((int64_t)tx >= next_purge) {
                commit(log, j - done);
                done = j;
                if (!purge_fast(log, tx))
                    break;
                next_purge = log->next_purge;
            }
            if (__builtin_expect(!word_fits(&l, tx, qx, dx), 0))
                break;
            slot[j] = word_pack(&l, tx, qx, dx);
        }
        commit(log, j - done);
        i += j;
    }
    return 0;
}

/* Spans: each chunk's records in pieces of SERVERLOG_SPAN (PIECES a
 * chunk), from the first chunk's piece that holds its first live record
 * to the last chunk's last piece with a record; only a chunk cut short
 * (grow) leaves empty pieces between them. */
#define PIECES (SERVERLOG_CHUNK / SERVERLOG_SPAN)

size_t serverlog_spans(const struct serverlog *log)
{
    if (!log->size)
        return 0;
    return (log->nchunks - 1) * PIECES + (log->tail + SERVERLOG_SPAN - 1) / SERVERLOG_SPAN
           - log->head / SERVERLOG_SPAN;
}

const struct serverlog_rec *serverlog_span(const struct serverlog *log, size_t i, size_t *n)
{
    size_t g = i + log->head / SERVERLOG_SPAN;
    size_t k = g / PIECES, len = chunk_len(log, k);
    const struct serverlog_chunk *c = chunk_at(log, k);
    size_t lo = g % PIECES * SERVERLOG_SPAN;
    size_t hi = lo + SERVERLOG_SPAN < len ? lo + SERVERLOG_SPAN : len;
    if (k == 0 && lo < log->head)
        lo = log->head;
    *n = lo < hi ? hi - lo : 0;
    if (!*n)
        return log->dec;
    if (c->wide)
        return (const struct serverlog_rec *)c->w + lo;
    struct serverlog_rec *out = log->dec;
    const uint64_t *w = c->w + lo;
    const struct serverlog_layout l = layout_of(c);
    for (size_t j = 0; j < *n; j++)
        out[j] = word_unpack(&l, w[j]);
    return out;
}

size_t serverlog_bytes(const struct serverlog *log)
{
    return log->bytes + (log->nchunk_cap + log->pool_cap) * sizeof *log->chunk
           + (log->dec ? (SERVERLOG_SPAN + 1) * sizeof *log->dec : 0);
}

double serverlog_record_bytes(const struct serverlog *log)
{
    if (!log->size)
        return 0;
    size_t b = 0;
    for (size_t i = 0; i < log->nchunks; i++) {
        const struct serverlog_chunk *c = chunk_at(log, i);
        b += HEADER_BYTES + (size_t)c->cap * (c->wide ? sizeof(struct serverlog_rec) : sizeof c->w[0]);
    }
    return (double)b / (double)log->size;
}
