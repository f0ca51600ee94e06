/* serverlog — the messaging server's lookup log under a retention policy.
 *
 * One record per logged lookup: time, querier, queried number (12 bytes;
 * the IP address is a function of the querier and the hour, below, and
 * needs no bytes).  Records arrive in
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
};

#define SERVERLOG_CHUNK 65536             /* records per chunk */

struct serverlog_rec {
    uint32_t t;                           /* seconds */
    uint32_t querier, queried;
};

struct serverlog {
    struct serverlog_rec **chunk;                /* ring of chunk pointers */
    size_t nchunk_cap;                    /* slots in the ring (power of 2) */
    size_t first, nchunks;                /* first used slot, used slots */
    size_t head;                          /* first live record in the first chunk */
    size_t tail;                          /* records used in the last chunk */
    struct serverlog_rec *tail_chunk;            /* the last chunk (NULL when none) */
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
    struct serverlog_rec **pool;                 /* freed chunks kept for reuse */
    size_t npool, pool_cap;
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
/* The record written i-th from the end (i >= 1, i <= size). */
const struct serverlog_rec *serverlog_recent(const struct serverlog *log, uint64_t i);
/* The latest lookup time whose records can be written by `now`: records of
 * lookups made before it are in the log (now itself without a delay). */
int64_t serverlog_window_end(const struct serverlog *log, int64_t now);

/* The record appended last (log not empty). */
static inline const struct serverlog_rec *serverlog_newest(const struct serverlog *log)
{
    return &log->tail_chunk[log->tail - 1];
}

/* The records held, oldest first, as contiguous spans: span i (0-based) of
 * serverlog_spans(log).  Valid until the next append or purge. */
size_t serverlog_spans(const struct serverlog *log);
const struct serverlog_rec *serverlog_span(const struct serverlog *log, size_t i, size_t *n);
/* A record's identity: its ordinal among the records ever written (0
 * first).  The records held are ordinals serverlog_first_ordinal(log) on,
 * in span order; serverlog_recent(log, i) is ordinal appended - i. */
static inline uint64_t serverlog_first_ordinal(const struct serverlog *log) { return log->appended - log->size; }
/* Bytes held by the log's chunks. */
size_t serverlog_bytes(const struct serverlog *log);

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
