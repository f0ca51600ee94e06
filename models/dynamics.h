/* dynamics — a graph that changes: ties that are born and end, people who
 * join and leave, people who change numbers (the scenario's <dynamics>).
 *
 * The generated contact graph is the graph of time 0.  Every tie of it ends
 * at an exponential time: rate within_end for a tie inside a true community
 * (a block of the stochastic block model, a household of the layered
 * population, a label of an import), rate end for the others (every tie
 * without labels).  With births="balanced", new ties are born as a Poisson
 * process whose rate is the sum of the ties' end rates (so the expected
 * number of ties stays what it was), at uniform times; each joins a
 * uniform person a to a friend of a friend of a (in the graph of time 0)
 * with probability triadic, else to a uniform other person, and ends at
 * its type's rate.  A birth of a pair that is already a tie is dropped.
 *
 * People: a share join_share of them join at a uniform time of the run
 * (absent before: their ties start then), each leaves at rate leave
 * (their ties end then), and each changes number at rate renumber (at
 * most once in a run): from then on the person's ties run on a new
 * number, numbers N, N + 1, ... in person order, and the old one is dead
 * (an address book that holds it holds a stale number).  Device changes
 * stay traffic's (traffic@device_changes_per_year).
 *
 * Storage: the graph of every tie of the run on all numbers (CSR), and per
 * directed entry the tie's life [born, died) in seconds (UINT32_MAX: not
 * in the run): 12 bytes a directed entry.  The traffic runs on this graph
 * and a conversation start on an entry that is not alive is dropped
 * (thinning a Poisson process by an interval keeps it Poisson).  Draws:
 * the structure substream of the contacts stream (rng.h): per person, in id
 * order, four uniforms (join, its time, leave, renumber) whatever the
 * rates, then per tie of time 0 (rows in order) its end, then the births.
 * O(N + ties) time.
 *
 * Report after each acquisition at s (docs/metrics.md): day_recall (ties
 * alive at s found / ties alive at s), day_precision (ties alive at s found
 * / pairs found), ever_recall (ties born by s found / ties born by s),
 * stale_share (found ties that had ended by s / pairs found) and
 * first_still_alive (of the ties found by the first acquisition, the share
 * still alive at s: how stale an old snapshot gets). */
#ifndef EXPOSIM_DYNAMICS_H
#define EXPOSIM_DYNAMICS_H

#include <stdint.h>
#include <stdio.h>

#include "graph.h"
#include "knowledge.h"

#define DYNAMICS_NEVER UINT32_MAX

/* The <dynamics> element (rates per day). */
struct dynamics_params {
    int on;
    double end_per_day;                   /* ties across communities (all ties without labels) */
    double within_end_per_day;            /* ties within a true community */
    int births;                           /* 1: balanced births, 0: none */
    double triadic;                       /* share of births that close a triangle */
    double join_share;
    double leave_per_day;
    double renumber_per_day;
};

struct dynamics {
    struct graph g;                       /* every conversation tie of the run, on all numbers */
    uint32_t *born, *died;                /* per directed entry: the tie is alive in [born, died) */
    uint32_t people, numbers;             /* N; N + number changes */
    uint32_t *join, *leave;               /* per person: present in [join, leave) */
    uint32_t *renumber;                   /* per person: time of the number change, or NEVER */
    uint32_t *second;                     /* per person: the later number, or NEVER */
    uint32_t *owner;                      /* per number: its person */
    uint8_t *flags;                       /* per number: the person's population flags */
    uint32_t *labels;                     /* per number: the person's true community, or NULL */
    uint64_t initial, born_ties, dropped; /* ties at time 0, births kept, births dropped (repeats) */
    uint64_t *first;                      /* bit per entry (u < v): found by the first acquisition */
    uint64_t first_n;                     /* how many */
    int have_first;
};

struct cfg;
struct cfg_node;
/* Read <dynamics> (e may be NULL: off).  0, or -1 with diagnostics. */
int dynamics_configure(struct dynamics_params *p, struct cfg *c, const struct cfg_node *e);

/* Build the run's ties from the graph of time 0 (g0 on N people, their
 * population flags and true communities labels, may be NULL) over a
 * horizon of `horizon` seconds, drawing from a generator seeded with
 * `seed`.  O(N + ties).  0 or -1 (OOM). */
int dynamics_init(struct dynamics *d, const struct dynamics_params *p, const struct graph *g0,
                  const uint8_t *flags, const uint32_t *labels, int64_t horizon, uint32_t seed);
void dynamics_destroy(struct dynamics *d);

static inline int dynamics_alive(const struct dynamics *d, uint64_t j, uint32_t t)
{
    return d->born[j] <= t && t < d->died[j];
}
/* Is the tie a - b (numbers) alive at t?  O(log degree). */
static inline int dynamics_alive_pair(const struct dynamics *d, uint32_t a, uint32_t b, uint32_t t)
{
    int64_t j = graph_find(&d->g, a, b);
    return j >= 0 && dynamics_alive(d, (uint64_t)j, t);
}
/* Does a start a -> b at t happen: a's number in use and, when b is a's
 * contact, their tie alive (a lookup of a non-contact needs the first
 * only)?  O(log degree). */
static inline int dynamics_start(const struct dynamics *d, uint32_t a, uint32_t b, uint32_t t);

/* The person behind number x, and person p's number at time t. */
static inline uint32_t dynamics_person(const struct dynamics *d, uint32_t x)
{
    return d->owner[x];
}
static inline uint32_t dynamics_number(const struct dynamics *d, uint32_t p, uint32_t t)
{
    return t >= d->renumber[p] ? d->second[p] : p;
}
/* Is number x in use at t (its person present, and x their number then)? */
static inline int dynamics_active(const struct dynamics *d, uint32_t x, uint32_t t)
{
    uint32_t p = d->owner[x];
    return t >= d->join[p] && t < d->leave[p] && dynamics_number(d, p, t) == x;
}

static inline int dynamics_start(const struct dynamics *d, uint32_t a, uint32_t b, uint32_t t)
{
    if (!dynamics_active(d, a, t))
        return 0;
    int64_t j = graph_find(&d->g, a, b);
    return j < 0 || dynamics_alive(d, (uint64_t)j, t);
}

/* Check <dynamics> (element e) against the rest of the scenario: no
 * replayed trace (a trace is its own dynamics), no tie strengths (they
 * belong to the ties of time 0), and no number changes with <mobility>
 * (the later numbers have no places).  0, or -1 with diagnostics. */
int dynamics_check(const struct dynamics_params *p, struct cfg *c, const struct cfg_node *e, int trace,
                   int tie_strengths, int mobility);

struct sim;
/* The family's report after acquisition acq at `now` (seconds), against
 * what k (whose truth graph holds every tie of d->g) has found. */
int dynamics_report(struct dynamics *d, struct sim *s, uint32_t acq, int64_t now, const struct knowledge *k);
/* One line for the run's summary. */
void dynamics_describe(const struct dynamics *d, FILE *f);

#endif
