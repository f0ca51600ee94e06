/* serverlog — the messaging server's lookup log under a retention policy.
 *
 * One record per logged lookup: time, querier, queried number (12 bytes;
 * the IP address of the network model will make it 16).  Records arrive in
 * time order and are kept in a chain of fixed-size chunks used as a ring:
 * appending is O(1), expired records are dropped from the head, and memory
 * follows the most records ever retained at once (plus two chunks), never the
 * whole history: freed chunks are pooled for reuse, not returned to the
 * system, so a steady state allocates nothing.
 *
 * Rolling purge: after serverlog_purge(log, s), and after every append at
 * time s, the log holds exactly the appended records with
 * s - R·86400 < t <= s. */
#ifndef EXPOSIM_SERVERLOG_H
#define EXPOSIM_SERVERLOG_H

#include <stddef.h>
#include <stdint.h>

#define SERVERLOG_CHUNK 65536             /* records per chunk */

struct logrec {
    uint32_t t;                           /* seconds */
    uint32_t querier, queried;
};

struct serverlog {
    struct logrec **chunk;                /* ring of chunk pointers */
    size_t nchunk_cap;                    /* slots in the ring (power of 2) */
    size_t first, nchunks;                /* first used slot, used slots */
    size_t head;                          /* first live record in the first chunk */
    size_t tail;                          /* records used in the last chunk */
    struct logrec *tail_chunk;            /* the last chunk (NULL when none) */
    int64_t oldest;                       /* time of the first record held */
    struct logrec **pool;                 /* freed chunks kept for reuse */
    size_t npool, pool_cap;
    int64_t retention;                    /* R in seconds */
    uint64_t size;                        /* records held */
    uint64_t appended, peak;              /* totals, for reports and tests */
};

/* retention_s > 0.  Returns 0, or -1 (OOM). */
int serverlog_init(struct serverlog *log, int64_t retention_s);
void serverlog_destroy(struct serverlog *log);
int serverlog_grow_(struct serverlog *log);
void serverlog_purge(struct serverlog *log, int64_t now);

static inline struct logrec *serverlog_chunk_(const struct serverlog *log, size_t i)
{
    return log->chunk[(log->first + i) & (log->nchunk_cap - 1)];
}

/* Append a record made at time t (non-decreasing across calls), dropping
 * what has expired by t.  Returns 0, or -1 (OOM). */
static inline int serverlog_append(struct serverlog *log, uint32_t t, uint32_t querier, uint32_t queried)
{
    if (log->size && log->oldest <= (int64_t)t - log->retention)
        serverlog_purge(log, t);
    if ((!log->tail_chunk || log->tail == SERVERLOG_CHUNK) && serverlog_grow_(log))
        return -1;
    log->tail_chunk[log->tail++] = (struct logrec){ t, querier, queried };
    if (log->size++ == 0)
        log->oldest = t;
    log->appended++;
    if (log->size > log->peak)
        log->peak = log->size;
    return 0;
}

/* The records held, oldest first, as contiguous spans: span i (0-based) of
 * serverlog_spans(log).  Valid until the next append or purge. */
size_t serverlog_spans(const struct serverlog *log);
const struct logrec *serverlog_span(const struct serverlog *log, size_t i, size_t *n);
/* Bytes held by the log's chunks. */
size_t serverlog_bytes(const struct serverlog *log);

#endif
