/* knowledge — what the adversary knows of the social graph: the graph
 * rebuilt from the {querier, queried} pairs of every acquired record, and
 * the pseudonymous records that re-identification (reid.h) links.
 *
 * Storage is the adversary's aggregate, not the records.  A pair {u, v}
 * (u < v) that is a true contact is a mark on the true graph's entry of v in
 * u's row (one bit per adjacency entry; only entries with u < v are used),
 * a pair that is not a contact goes to a hash set, and a bitset marks every
 * person who appears in a found pair.  With a threshold (min_count > 1) a
 * pair is found from its min_count-th record on: a byte per adjacency entry
 * and per non-contact pair counts records.  Each person's first exposure
 * time is kept, and a histogram of them by day.
 *
 * Records are staged and learnt in blocks: a block's pairs are bucketed by
 * their lower end, so the adjacency rows are visited nearly in address order
 * instead of at random (a random row visit costs a cache miss, ~80 ns; the
 * sorted walk a few ns).  Staging puts each pair straight into its bucket,
 * a list of fixed-size chunks drawn from one pool, so a block is written
 * once and read once; the walk goes bucket by bucket, each in staging order
 * (the order a stable sort by bucket would give).  The metrics read the
 * knowledge after knowledge_flush. */
#ifndef EXPOSIM_KNOWLEDGE_H
#define EXPOSIM_KNOWLEDGE_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "pairset.h"

/* A pseudonymised record: querier looked up `pseudonym` in key `epoch`;
 * the record gave the account's device count (0: not logged). */
struct knowledge_pseudo {
    uint32_t epoch, pseudonym, querier;
    uint32_t devices;
};

struct knowledge {
    const struct graph *truth;
    uint64_t *pair_seen;                  /* bit per adjacency entry (u < v; directed: at the owner) */
    uint64_t *node_seen;                  /* bit per person */
    uint32_t *degree;                     /* per person: found pairs touching it (the rebuilt degree) */
    uint32_t *unfound;                    /* per person u: contacts v > u whose pair is not found
                                             (directed: every contact whose pair is not found) */
    uint64_t *done;                       /* bit per person: unfound is 0 (set as it gets there) */
    int contacts_only;                    /* every pair learnt is a true contact (knowledge_set_contacts_only) */
    uint64_t not_contacts;                /* pairs that broke that promise (0 when it holds) */
    uint64_t edges_found;                 /* true undirected edges seen */
    uint64_t nodes_found;
    struct pairset false_pairs;           /* undirected non-contact pairs seen, with counts */
    uint64_t false_found;                 /* of those, seen min_count times */
    uint64_t records;                     /* records acquired, repeats included */
    uint64_t repeats;                     /* of those, records obtained before (min_count > 1) */
    struct pairset seen_records;          /* min_count > 1: the records obtained, by identity */
    uint32_t min_count;                   /* records needed before a pair counts (>= 1) */
    uint8_t *pair_count;                  /* per adjacency entry (u < v), when min_count > 1 */
    uint32_t now;                         /* time of the learning, seconds */
    uint32_t *first_exposed;              /* per person: when first in a found pair, or UINT32_MAX */
    uint64_t *exposed_by_day;             /* people first exposed on each day */
    size_t ndays;
    double exposure_sum;                  /* sum of first exposure times, seconds */
    int directed;                         /* a part of a split replication (knowledge_directed) */
    int marking;                          /* directed: what is staged are owners' marks (the routing) */
    uint32_t own_lo, own_hi;              /* ... holding the rows of people [own_lo, own_hi) */
    uint64_t *dir_seen;                   /* directed: entries (querier -> queried) recorded so far */
    uint64_t *pending;                    /* directed: entries recorded since the last routing; then
                                             the pairs found, at their owner's entry */
    struct knowledge_pseudo *pseudo;      /* pseudonymised records (keyed hash) */
    size_t npseudo, cappseudo;
    uint64_t *stage;                      /* chunk pool of staged pairs (lo << 32 | hi) */
    uint64_t **cur;                       /* per bucket: next free slot of its last chunk, or NULL */
    uint32_t *first, *last;               /* per bucket: its first and last chunk (UINT32_MAX: none) */
    uint32_t *next;                       /* per chunk: the next chunk of its bucket */
    uint32_t chunks;                      /* chunks handed out since the last flush */
    uint32_t buckets;                     /* 2^bucket_bits */
    unsigned bucket_shift;                /* a pair's bucket: key >> bucket_shift */
    size_t staged, block;                 /* pairs staged, block capacity */
    unsigned key_bits;                    /* bits of a node id */
};

#define KNOWLEDGE_BLOCK ((size_t)1 << 22) /* most pairs per block (32 MiB of chunks) */
#define KNOWLEDGE_BUCKET_BITS 10          /* at most 2^10 buckets */
#define KNOWLEDGE_CHUNK 512               /* pairs per chunk (4 KiB, aligned) */

/* The scenario's <inference> element. */
struct knowledge_params {
    uint32_t min_count;                   /* records needed before a pair counts, 1..255 */
};
struct cfg;
struct cfg_node;
/* Read <inference>@min_count (default 1; inference may be NULL).  0, or -1
 * with diagnostics. */
int knowledge_configure(struct knowledge_params *p, struct cfg *c, const struct cfg_node *inference);

/* An empty knowledge of `truth` (horizon_days: the days exposures can
 * happen on).  Every record counts (min_count 1).  0 or -1 (OOM). */
int knowledge_init(struct knowledge *k, const struct graph *truth);
/* Count a pair as found only from its min_count-th record on (min_count
 * 1..255; an inference threshold against chance lookups).  0 or -1. */
int knowledge_set_min_count(struct knowledge *k, uint32_t min_count);
/* The time the next records are learnt at (for first exposures). */
static inline void knowledge_set_time(struct knowledge *k, uint32_t now) { k->now = now; }
void knowledge_destroy(struct knowledge *k);
/* A promise from the world: every record learnt will be of a true contact
 * pair (the traffic makes no lookup of a non-contact and numbers are
 * logged as they are or reversibly hashed).  Then a pair whose lower end u
 * has every pair {u, v > u} found already (unfound[u] == 0, its done bit
 * set) is known without searching u's row: staging counts the record and
 * stages nothing (from a later flush on; within a block the flush passes
 * it).  What is learnt
 * does not change; pairs that break the promise are still learnt when
 * their row is searched, and counted in not_contacts. */
static inline void knowledge_set_contacts_only(struct knowledge *k) { k->contacts_only = 1; }
/* Learn from one acquired record at once.  O(log degree), one random row
 * visit.  Returns 0, or -1 (OOM). */
int knowledge_add(struct knowledge *k, uint32_t querier, uint32_t queried);

/* Stage n records at once: querier q[i * stride] and queried q[i * stride
 * + 1] (words), as n calls of knowledge_stage, with the counters in
 * registers (a store of a staged pair could otherwise alias them).  The
 * records are learnt by the next knowledge_flush (or when the block
 * fills).  Amortised O(1) a record plus the bucketed walk.  0 or -1 (OOM). */
int knowledge_stage_run(struct knowledge *k, const uint32_t *q, size_t stride, size_t n);

/* Stage one acquired record (knowledge_stage_run of one).  0 or -1. */
int knowledge_stage(struct knowledge *k, uint32_t querier, uint32_t queried);

/* Learn every staged record.  Returns 0, or -1 (OOM). */
int knowledge_flush(struct knowledge *k);

/* Has the true edge {u, v} been found (min_count records)?  O(log degree). */
static inline int knowledge_has_edge(const struct knowledge *k, uint32_t u, uint32_t v)
{
    uint32_t lo = u < v ? u : v, hi = u ^ v ^ lo;
    int64_t j = graph_find(k->truth, lo, hi);
    return j >= 0 && ((k->pair_seen[(uint64_t)j >> 6] >> ((uint64_t)j & 63)) & 1);
}

/* Has the pair {u, v} been found, a true edge or not (u != v)?  O(log
 * degree) plus a probe of the non-contact set. */
static inline int knowledge_found(const struct knowledge *k, uint32_t u, uint32_t v)
{
    uint32_t lo = u < v ? u : v, hi = u ^ v ^ lo;
    int64_t j = graph_find(k->truth, lo, hi);
    if (j >= 0)
        return (int)((k->pair_seen[(uint64_t)j >> 6] >> ((uint64_t)j & 63)) & 1);
    return k->false_found && pairset_count(&k->false_pairs, (uint64_t)lo << 32 | hi) >= k->min_count;
}

/* One part of a replication split across processes (struct sim_part),
 * the part that makes the lookups of people [lo, hi) and holds their rows
 * of the truth (the other rows may be given back: nothing here reads
 * them).  A record (querier q, queried b) of such a part has q in [lo,
 * hi); it is learnt as the directed entry q -> b of q's row, marked in
 * dir_seen and pending, and nothing else changes until the parts settle
 * the acquisition together.  Each pair {a, b} is marked by one part, at
 * the row of its owner: the lower id when a + b is odd, the higher when
 * it is even (so that the parts mark about as many each).  In order:
 *   1. knowledge_route: each pending entry q -> b owned by q stays; one
 *      owned by b, when b is in [lo, hi), is marked at b's row (staged,
 *      and learnt in row order at step 3); otherwise the pair (b, q) is
 *      listed for the part that holds b (bounds[0..parts], bounds[r] the
 *      first person of part r, bounds[parts] = N), the list grouped by
 *      part (counts[r] pairs for part r, in *pairs, malloc'd).  A call
 *      takes the rows of queriers from *from on until about `most` pairs
 *      are listed (at least one row), and moves *from past them: call it
 *      again, from there, until *from reaches hi;
 *   2. the lists go to their parts, and each calls knowledge_route_in on
 *      the pairs it receives (each round of 1 and 2 in turn, so that the
 *      lists stay small);
 *   3. knowledge_settle marks the pairs at their owners' entries, sets
 *      pair_seen for those found for the first time (at the owner's
 *      entry: pair_seen means that here), and counts, per person, the new
 *      pairs touching it (delta, N counts, zero on entry) and the new
 *      pairs (*edges);
 *   4. the parts sum their deltas and counts, and each calls
 *      knowledge_settle_apply with the sums: the degrees, the first
 *      exposures (at k->now), the exposure histogram and sum and the
 *      counts of edges and people found become, on every part, those one
 *      process has after learning every record of the acquisition (and
 *      unfound[x], x's pairs not found, lets the next acquisition pass
 *      the records of people whose pairs are all found, as one process
 *      does).
 * Only for min_count 1 and true pairs (a pair that is not a contact is
 * counted in not_contacts and dropped: the world splits only scenarios
 * without them).  0 or -1 (OOM). */
int knowledge_directed(struct knowledge *k, uint32_t lo, uint32_t hi);
int knowledge_route(struct knowledge *k, const uint32_t *bounds, uint32_t parts, uint32_t *from, size_t most,
                    uint64_t **pairs, size_t *counts);
int knowledge_route_in(struct knowledge *k, const uint64_t *pairs, size_t n);
int knowledge_settle(struct knowledge *k, uint32_t *delta, uint64_t *edges);
int knowledge_settle_apply(struct knowledge *k, const uint32_t *delta, uint64_t edges);

/* A record is one piece of evidence however often it is delivered
 * (overlapping snapshots, a hold obtained by two orders, a pen register and
 * an order over the same days): with min_count > 1 the adversary learns a
 * record only the first time it is obtained.  `id` names the record (its
 * log's ordinal, serverlog_ordinal; several logs have a knowledge each).
 * Returns 1 when the record is new (always with min_count 1, which keeps
 * nothing), 0 for a repeat (counted in repeats), -1 on OOM.  Amortised
 * O(1), 9 bytes a record kept. */
int knowledge_once(struct knowledge *k, uint64_t id);

/* Keep a pseudonymised record (devices: the device count it gave, 0 if
 * none).  0 or -1 (OOM). */
int knowledge_pseudonym(struct knowledge *k, uint32_t epoch, uint32_t pseudonym, uint32_t querier,
                        uint32_t devices);

#endif
