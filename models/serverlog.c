/* serverlog — chunked ring of lookup records with rolling retention; see
 * serverlog.h. */
#include "serverlog.h"

#include <stdlib.h>
#include <string.h>

int serverlog_init(struct serverlog *log, int64_t retention_s)
{
    memset(log, 0, sizeof *log);
    log->retention = retention_s;
    log->nchunk_cap = 16;
    log->chunk = calloc(log->nchunk_cap, sizeof *log->chunk);
    return log->chunk ? 0 : -1;
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
    int64_t cutoff = now - log->retention;      /* drop t <= cutoff */
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
        log->oldest = c[h].t;
        break;
    }
    if (log->size == 0) {                         /* keep no empty chunks */
        while (log->nchunks)
            drop_first_chunk(log);
        log->tail = 0;
        log->tail_chunk = NULL;
    }
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
