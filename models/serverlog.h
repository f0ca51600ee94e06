/* serverlog — the messaging server's lookup log under a retention policy.
 *
 * One record per logged lookup: time, querier, queried number (the IP
 * address is a function of the querier and the hour, below, and needs no
 * bytes).  A record is packed into one 64-bit word: the queried number in
 * its low db bits, the querier in the next qb, and the time relative to
 * its chunk's first record in the tb = min(32, 64 - qb - db) bits left.
 * The widths follow what the policy keeps (serverlog_policy.id_bits: ids
 * below 2^b - 1 for a population of fewer than 2^b - 1 numbers, b bits;
 * a hashed number 32; a number or querier not logged 0 bits; the all-ones
 * value of a field is SERVERLOG_NO_NUMBER), so 8 bytes a record hold time,
 * querier and queried for up to 2^27 - 1 = 134 million people (27 + 27
 * bits and 10 bits of time: a chunk then spans at most 1,023 seconds).  A
 * record that does not fit its chunk (a time beyond the chunk's span, an
 * id wider than the field) starts a new chunk, and the chunk it closes is
 * cut to the records it holds; an id too wide widens its
 * field to 32 bits from then on, and a chunk whose fields leave fewer than
 * 8 bits of time stores plain 12-byte records (struct serverlog_rec).
 * Readers see every record as a struct serverlog_rec: the spans are
 * decoded into a buffer of the log's, a span of 8,192 records at a time
 * (serverlog_span).  Records arrive in
 * time order and are kept in a chain of fixed-size chunks used as a ring:
 * appending is O(1), expired records are dropped from the head, and memory
 * follows the most records ever retained at once (plus two chunks), never the
 * whole history: freed chunks are pooled for reuse, not returned to the
 * system, so a steady state allocates nothing.
 *
 * Rolling purge: after serverlog_purge(log, s), and after every append at
 * time s, the log holds exactly the appended records with
 * s - R·86400 <= t <= s (an acquisition at s, which comes before the
 * lookups of second s, obtains [s - R·86400, s): one half-open rule for
 * every instrument).  Purge jobs (daily, weekly): a job at each multiple
 * J of its period removes the records with t < J - R·86400, so between jobs
 * the log holds up to one period more.
 *
 * The logging policy (struct serverlog_policy) is applied as a lookup is
 * logged: a sampled-out lookup leaves no record; the stored time is the
 * lookup's time rounded down to the time resolution (and purges compare
 * stored times); the queried number is kept, replaced by its plain hash, or
 * never reaches the server (private contact discovery); the querier is
 * kept or not (drop_querier: SERVERLOG_NO_NUMBER).  With a delivery
 * delay D the server writes lookups in batches: a lookup made at t enters
 * the log at W(t) = (floor(t / D) + 1) D, when the next lookup at or after
 * W(t) arrives or serverlog_write_due is called; until then no acquisition
 * sees it.  `appended` counts records written.
 *
 * The IP address of a lookup is a function of (querier, hour) in the
 * network model (mobility.h), so a record need not store its bytes: the
 * reader evaluates it at the lookup's hour, serverlog_hour.  When the time
 * resolution is coarser than an hour and the policy asks for it
 * (keep_hour, set when the scenario has a network model), the record keeps
 * the lookup's hour within its stored period as that many extra seconds
 * (t = stored + hour offset, always less than the resolution): readers see
 * the stored time through serverlog_time, purges round the cutoff so that
 * they keep exactly the records they would without the offset, and key
 * epochs (whole days) and delivery batches (whole minutes) are unchanged
 * by it.
 *
 * drop_time: the server keeps each record's time for its own retention
 * (records stored by write time) but hands records over without it: an
 * adversary cannot place a record in time beyond the window it was
 * served, nor in a key epoch. */
#ifndef EXPOSIM_SERVERLOG_H
#define EXPOSIM_SERVERLOG_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#define SERVERLOG_NO_NUMBER UINT32_MAX    /* queried number not logged */

enum serverlog_queried {
    SERVERLOG_QUERIED_KEPT,               /* the number as dialled */
    SERVERLOG_QUERIED_PLAIN_HASH,         /* an unkeyed hash of it */
    SERVERLOG_QUERIED_NONE,               /* private contact discovery */
    SERVERLOG_QUERIED_KEYED_HASH          /* a keyed hash, the key rotated every key_rotation */
};

/* What the log keeps of the address a lookup came from. */
enum serverlog_ip {
    SERVERLOG_IP_FULL,                    /* the whole address */
    SERVERLOG_IP_24,                      /* its /24 block (IPv4) */
    SERVERLOG_IP_16,                      /* its /16 block */
    SERVERLOG_IP_NONE                     /* nothing */
};

struct serverlog_policy {
    int64_t retention;                    /* R, seconds, > 0 */
    int64_t ip_retention;                 /* the IP address's own retention, seconds, <= R (0: R) */
    int pair_limited;                     /* the pair is kept a shorter time than the record (the
                                             IP address kept longer): pair_retention below */
    int64_t pair_retention;               /* pair_limited: the pair's retention, seconds, < R (0: no
                                             pair kept at all, IP addresses only) */
    int64_t purge_period;                 /* 0 rolling; else seconds between jobs */
    uint32_t resolution;                  /* stored time unit, seconds (1, 3600, 86400) */
    double sampling;                      /* share of lookups logged, (0, 1] */
    enum serverlog_queried queried;
    int64_t key_rotation;                 /* keyed hash: seconds per key epoch (> 0) */
    int64_t delay;                        /* batched writing: seconds per batch, 0 real time */
    enum serverlog_ip ip;                 /* what is kept of the IP address */
    int keep_hour;                        /* resolution > 1 h: keep the lookup's hour (below) */
    int drop_querier;                     /* the querier is not logged (SERVERLOG_NO_NUMBER) */
    int drop_time;                        /* records are handed over without their time (below) */
    int drop_devices;                     /* the queried account's device count is not logged */
    int id_bits;                          /* bits of a number or querier (1 to 32; 0: 32): ids up to
                                             2^id_bits - 2 pack, wider ones widen (above); the world
                                             sets it from the population */
};

#define SERVERLOG_CHUNK 65536             /* packed records per chunk */
#define SERVERLOG_CHUNK_BYTES (SERVERLOG_CHUNK * 8)   /* a chunk's records, bytes */
#define SERVERLOG_SPAN 8192               /* records a span holds at most (a chunk: 8 spans) */

struct serverlog_rec {
    uint32_t t;                           /* seconds */
    uint32_t querier, queried;
};

/* A chunk: a header and SERVERLOG_CHUNK_BYTES of records, packed words or
 * (wide) struct serverlog_rec. */
struct serverlog_chunk {
    uint32_t base;                        /* packed: the time its relative times count from */
    uint32_t n;                           /* records written (the tail chunk: serverlog.tail) */
    uint32_t cap;                         /* records it holds */
    uint8_t qb, db, tb, wide;             /* field widths; wide: plain records */
    uint64_t w[];                         /* the records */
};

/* A packed chunk's layout as writers and readers use it. */
struct serverlog_layout {
    uint32_t base, tm;                    /* base time, largest relative time */
    uint64_t qm, dm;                      /* field masks (all ones: NO_NUMBER) */
    int qs, ts;                           /* shifts of the querier and the time */
};

struct serverlog {
    struct serverlog_chunk **chunk;       /* ring of chunk pointers */
    size_t nchunk_cap;                    /* slots in the ring (power of 2) */
    size_t first, nchunks;                /* first used slot, used slots */
    size_t head;                          /* first live record in the first chunk */
    size_t tail;                          /* records used in the last chunk */
    struct serverlog_chunk *tail_chunk;   /* the last chunk (NULL when none) */
    int qb, db;                           /* the widths of the next chunk's fields */
    struct serverlog_layout lay;          /* the tail chunk's */
    struct serverlog_rec *dec;            /* readers' buffer: a chunk decoded, and one record */
    int64_t oldest;                       /* time of the first record held */
    int64_t next_purge;                   /* an append at t >= this purges first */
    int64_t next_job;                     /* purge jobs: the next job's time */
    int64_t cutoff;                       /* records held have stored t > cutoff */
    struct serverlog_policy policy;
    int transforms;                       /* the policy changes what is stored */
    const gsl_rng *rng;                   /* draws for sampling */
    uint32_t secret;                      /* keyed hash: the server's secret, from rng */
    uint64_t offered;                     /* lookups offered, logged or not */
    struct serverlog_rec *pend;                  /* delay: the batch not yet written */
    size_t npend, cappend;
    int64_t pend_write;                   /* when it is written */
    struct serverlog_chunk **pool;        /* freed chunks kept for reuse */
    size_t npool, pool_cap;
    size_t bytes;                         /* bytes of the chunks held and pooled */
    uint64_t size;                        /* records held */
    uint64_t appended, peak;              /* totals, for reports and tests */
    uint64_t last_id;                     /* the record of the lookup last appended: its ordinal
                                             (written or pending), or SERVERLOG_NO_RECORD */
};

#define SERVERLOG_NO_RECORD UINT64_MAX    /* a lookup the policy did not log (sampled out) */

struct cfg;
struct cfg_node;

/* Read the scenario's <policy> element (<retention>, <logging>) into p;
 * keep_hour is left 0 (the world sets it when the scenario has a network
 * model).  0, or -1 with diagnostics (FILE:LINE through cfg_error). */
int serverlog_configure(struct serverlog_policy *p, struct cfg *c, const struct cfg_node *policy);

/* Rolling retention of retention_s > 0 seconds, everything logged as is.
 * Returns 0, or -1 (OOM). */
int serverlog_init(struct serverlog *log, int64_t retention_s);
/* Any policy; rng (for sampling < 1) must outlive the log.  0 or -1. */
int serverlog_init_policy(struct serverlog *log, const struct serverlog_policy *p, const gsl_rng *rng);
void serverlog_destroy(struct serverlog *log);
/* Drop what has expired by `now` under the purge mode (rolling: every
 * record with t < now - R; jobs: as the last job due by now left it).
 * Amortised O(1) a record dropped. */
void serverlog_purge(struct serverlog *log, int64_t now);

/* The time a record shows (its stored time), and the hour (from time 0)
 * of the lookup behind it. */
static inline uint32_t serverlog_time(const struct serverlog *log, uint32_t t)
{
    return log->policy.keep_hour ? t - t % (uint32_t)log->policy.resolution : t;
}
static inline uint32_t serverlog_hour(const struct serverlog *log, uint32_t t)
{
    uint32_t u = (uint32_t)log->policy.resolution;
    if (u <= 3600 || !log->policy.keep_hour)
        return t / 3600;
    return (t - t % u) / 3600 + t % u;
}

/* Log a lookup made at time t (non-decreasing across calls): as the policy
 * says, now (dropping what has expired by t) or in its batch; last_id is
 * then the ordinal its record has or will have when written, or
 * SERVERLOG_NO_RECORD.  Amortised O(1).  Returns 0, or -1 (OOM). */
int serverlog_append(struct serverlog *log, uint32_t t, uint32_t querier, uint32_t queried);

/* Log n lookups made at non-decreasing times: lookup i is (t[i s],
 * querier[i s], queried[i s]) for the stride s (in words), exactly as n
 * calls of serverlog_append.  When the policy stores lookups as they are
 * (no transform, no delay), records go straight into the last chunk and
 * the rolling purge runs inline.  Returns 0, or -1 (OOM). */
int serverlog_append_run(struct serverlog *log, const uint32_t *t, const uint32_t *querier,
                         const uint32_t *queried, size_t stride, size_t n);

/* Delay: write the pending batch if its time W <= now.  0 or -1 (OOM). */
int serverlog_write_due(struct serverlog *log, int64_t now);
/* The record written i-th from the end (i >= 1, i <= size); valid as
 * serverlog_newest's.  O(chunks). */
const struct serverlog_rec *serverlog_recent(const struct serverlog *log, uint64_t i);
/* The latest lookup time whose records can be written by `now`: records of
 * lookups made before it are in the log (now itself without a delay). */
int64_t serverlog_window_end(const struct serverlog *log, int64_t now);

/* The record appended last (log not empty); valid until the next call of
 * serverlog_newest or serverlog_recent. */
const struct serverlog_rec *serverlog_newest(const struct serverlog *log);

/* The records held, oldest first, as contiguous spans of at most
 * SERVERLOG_SPAN records (the first and the last not empty; one between
 * may be, after a chunk cut short): span i (0-based) of
 * serverlog_spans(log), decoded into the log's buffer: valid until the next
 * span is asked for, or the next append or purge. */
size_t serverlog_spans(const struct serverlog *log);
const struct serverlog_rec *serverlog_span(const struct serverlog *log, size_t i, size_t *n);
/* A record's identity: its ordinal among the records ever written (0
 * first).  The records held are ordinals serverlog_first_ordinal(log) on,
 * in span order; serverlog_recent(log, i) is ordinal appended - i. */
static inline uint64_t serverlog_first_ordinal(const struct serverlog *log) { return log->appended - log->size; }
/* Bytes held by the log's chunks (and their pointer arrays). */
size_t serverlog_bytes(const struct serverlog *log);
/* Bytes a record takes under a policy when its ids fit the policy's
 * id_bits (8, or 12 when the fields leave too few bits of time). */
size_t serverlog_policy_record_bytes(const struct serverlog_policy *p);
/* Bytes a record takes in the chunks the log holds (0 when empty). */
double serverlog_record_bytes(const struct serverlog *log);

/* After serverlog_purge(log, now): the log holds the records of every
 * logged lookup made at a time t with start < t <= now (start may be
 * negative: everything since time 0); an acquisition at now obtains the
 * lookups of [start + 1, serverlog_window_end(log, now)). */
int64_t serverlog_window_start(const struct serverlog *log);

/* Keyed hash: the key epoch of a record's (stored) time, and the number
 * behind a pseudonym of that epoch (ground truth for metrics only: the
 * adversary has no key). */
static inline uint32_t serverlog_epoch(const struct serverlog *log, uint32_t t)
{
    return (uint32_t)((int64_t)t / log->policy.key_rotation);
}
uint32_t serverlog_unmask(const struct serverlog *log, uint32_t epoch, uint32_t pseudonym);

/* What an adversary holding a record's queried field learns: the number.
 * A plain hash is reversed by enumerating the numbering plan (every number
 * is hashed once, and the table answers every record); the model stands in
 * for that with the inverse of its hash.  SERVERLOG_NO_NUMBER stays so; a
 * keyed hash cannot be reversed without the key: it stays a pseudonym
 * (callers check policy.queried). */
uint32_t serverlog_reveal(const struct serverlog *log, uint32_t queried);

#endif
