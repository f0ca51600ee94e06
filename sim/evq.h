/* evq — the pending-event queue: a binary min-heap ordered by
 * (time, insertion sequence).
 *
 * Two events at the same second leave in the order they were pushed, so a
 * run is a deterministic function of its seeds.  The heap holds the sparse
 * events (acquisitions, orders, ...); the dense lookup traffic of a day goes
 * through a struct batch (batch.h) and the engine merges the two by the same
 * (time, seq) key. */
#ifndef EXPOSIM_EVQ_H
#define EXPOSIM_EVQ_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t sim_time;          /* seconds from the scenario start */
#define SIM_DAY ((sim_time)86400)

struct sim_event {
    sim_time time;
    uint64_t seq;                  /* global insertion order; tie-breaker */
    uint32_t kind;                 /* model-defined */
    uint32_t a, b;                 /* model-defined payload */
};

struct evq {
    struct sim_event *heap;
    size_t n, cap;
    uint64_t next_seq;             /* sequence number of the next push */
};

void evq_init(struct evq *q);
void evq_destroy(struct evq *q);
/* Push an event at `time`; assigns it the next sequence number.  O(log n)
 * amortised.  Returns 0, or -1 when memory runs out (queue unchanged). */
int evq_push(struct evq *q, sim_time time, uint32_t kind, uint32_t a, uint32_t b);
/* The earliest event, or NULL when empty.  O(1). */
const struct sim_event *evq_peek(const struct evq *q);
/* Remove the earliest event into *out; returns 0, or -1 when empty.  O(log n). */
int evq_pop(struct evq *q, struct sim_event *out);
/* Reserve `count` consecutive sequence numbers for events held elsewhere
 * (a batch); returns the first. */
uint64_t evq_take_seq(struct evq *q, uint64_t count);
static inline size_t evq_size(const struct evq *q) { return q->n; }

/* (time, seq) order: negative, zero or positive like strcmp. */
static inline int evq_cmp(sim_time ta, uint64_t sa, sim_time tb, uint64_t sb)
{
    if (ta != tb)
        return ta < tb ? -1 : 1;
    return sa < sb ? -1 : sa > sb;
}

#endif
