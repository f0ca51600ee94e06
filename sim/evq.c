/* evq — binary min-heap of events keyed by (time, seq); see evq.h. */
#include "evq.h"

#include <stdlib.h>
#include <string.h>

void evq_init(struct evq *q) { memset(q, 0, sizeof *q); }

void evq_destroy(struct evq *q)
{
    if (!q)
        return;
    free(q->heap);
    evq_init(q);
}

static inline int before(const struct sim_event *x, const struct sim_event *y)
{
    return evq_cmp(x->time, x->seq, y->time, y->seq) < 0;
}

int evq_push(struct evq *q, sim_time time, uint32_t kind, uint32_t a, uint32_t b)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 64;
        struct sim_event *h = realloc(q->heap, cap * sizeof *h);
        if (!h)
            return -1;
        q->heap = h;
        q->cap = cap;
    }
    struct sim_event ev = { time, q->next_seq++, kind, a, b };
    size_t i = q->n++;
    while (i > 0) {                           /* sift up */
        size_t parent = (i - 1) / 2;
        if (!before(&ev, &q->heap[parent]))
            break;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = ev;
    return 0;
}

const struct sim_event *evq_peek(const struct evq *q)
{
    return q->n ? &q->heap[0] : NULL;
}

int evq_pop(struct evq *q, struct sim_event *out)
{
    if (!q->n)
        return -1;
    *out = q->heap[0];
    struct sim_event last = q->heap[--q->n];
    size_t i = 0, n = q->n;
    for (;;) {                                /* sift down */
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(&q->heap[c + 1], &q->heap[c]))
            c++;
        if (!before(&q->heap[c], &last))
            break;
        q->heap[i] = q->heap[c];
        i = c;
    }
    if (n)
        q->heap[i] = last;
    return 0;
}

uint64_t evq_take_seq(struct evq *q, uint64_t count)
{
    uint64_t first = q->next_seq;
    q->next_seq += count;
    return first;
}
