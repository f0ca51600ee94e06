/* adversary — how the logs are obtained: a set of targets, and a list of
 * acquisition strategies acting in one run (the legal defaults of
 * docs/model.md are US federal law; every term is a knob).
 *
 *   bulk_snapshot     every P days from a start day, the whole retained log
 *   breach            once, at a chosen day, the whole retained log
 *   historical_order  every P days from a start day, the retained records in
 *                     scope of the targets (a §2703(d)-style order; repeated,
 *                     these are the chained snapshots)
 *   preservation      a §2703(f)-style request on a chosen day: the records in
 *                     scope retained then are frozen for hold_days (90,
 *                     renewable: renewals more holds), so that a later
 *                     historical_order obtains them too
 *   pen_register      prospective (18 U.S.C. §3123): the records in scope are
 *                     delivered as they are logged while an order runs; an
 *                     order runs term_days, then with probability
 *                     renewal_probability an extension starts gap_days
 *                     later, up to max_extensions extensions
 *
 * Scope: a record is in scope when its querier is a target (outgoing), its
 * queried number is (incoming), or either (both).  Hop expansion: after each
 * targeted acquisition, up to expand_budget people found in pairs with a
 * target of depth < expand_depth become targets of depth + 1 (those in most
 * found pairs with targets first, ties to the lower id).  Each acquisition (a
 * snapshot, a breach, an order's term ending) feeds the knowledge
 * (inference.h), extends the covered time, and triggers a metrics report. */
#ifndef EXPOSIM_ADVERSARY_H
#define EXPOSIM_ADVERSARY_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "contacts.h"
#include "inference.h"
#include "metrics.h"
#include "serverlog.h"

struct sim;
struct cfg;
struct cfg_node;

/* Event kinds are unique across the world's families (traffic uses 1 and 3). */
#define ADVERSARY_EV_ACQUIRE 2u        /* a = strategy: snapshot, breach, order or term end */
#define ADVERSARY_EV_ORDER_START 4u    /* a = strategy: a pen-register term begins */

enum adversary_kind { ADVERSARY_BULK, ADVERSARY_BREACH, ADVERSARY_HISTORICAL, ADVERSARY_PEN_REGISTER,
                      ADVERSARY_PRESERVATION };
enum adversary_select { ADVERSARY_SELECT_NONE, ADVERSARY_SELECT_RANDOM, ADVERSARY_SELECT_TOP_DEGREE,
                        ADVERSARY_SELECT_IDS, ADVERSARY_SELECT_COMMUNITY };
enum adversary_scope { ADVERSARY_SCOPE_BOTH, ADVERSARY_SCOPE_OUTGOING, ADVERSARY_SCOPE_INCOMING };

struct adversary_strategy {
    enum adversary_kind kind;
    int64_t period, start;                /* seconds; period 0 for a breach */
    int64_t random_within;                /* a breach at a random time: uniform in (0, this] s; 0 otherwise */
    int64_t term, gap;                    /* pen register: seconds */
    double renewal;                       /* pen register: probability of an extension */
    uint32_t max_extensions;
    int64_t hold;                         /* preservation: seconds frozen in all */
};

/* Records frozen by a preservation request, until `until`; they cover the
 * lookup times (from, to]. */
struct adversary_hold {
    struct logrec *r;
    size_t n;
    int64_t until, from, to;
};

struct adversary_params {
    struct adversary_strategy *s;
    size_t n;
    enum adversary_select select;
    enum adversary_scope scope;
    uint32_t count;                       /* random / top_degree */
    uint32_t *ids;                        /* ids */
    size_t nids;
    uint32_t community;                   /* community */
    uint32_t expand_depth;                /* hop expansion: new targets up to this depth */
    uint32_t expand_budget;               /* ... at most this many per acquisition */
};

struct adversary {
    const struct adversary_params *p;
    uint32_t acquisitions;
    struct coverage covered;
    uint64_t *target;                     /* bit per person; NULL without targets */
    uint32_t *targets;                    /* the target ids, ascending */
    uint8_t *depth;                       /* hops from the first targets, per targets[i] */
    uint32_t ntargets, captargets;
    uint32_t live;                        /* pen-register terms running now */
    uint32_t *extensions;                 /* per strategy: extensions granted */
    int64_t *term_start;                  /* per strategy: start of the running term; a random
                                             breach: its time */
    struct adversary_hold *holds;         /* preserved records */
    size_t nholds, capholds;
    struct metrics metrics;               /* the graph metrics' state (its rng: set by the caller) */
    /* Optional hooks (the location model's): on_record sees every record
     * the adversary learns (snapshots, holds, pen-register deliveries),
     * on_report runs after each acquisition's metrics.  0 or -1 (after
     * sim_fail for on_report; out of memory for on_record). */
    const uint8_t *devices;               /* devices per person (NULL: one each), for the log's device count */
    int (*on_record)(void *ctx, const struct serverlog *log, const struct logrec *r);
    int (*on_report)(void *ctx, struct sim *s, uint32_t acq, int64_t now);
    void *hook_ctx;
};

/* Read the <adversary> element; checks that every strategy acts before the
 * horizon, that targeted strategies have targets, and, where n (people) and
 * communities are known, that the targets exist: communities > 0 means
 * labels 0 .. communities - 1, 0 unknown, -1 a graph without labels.
 * 0 or -1 (diagnostics). */
int adversary_configure(struct adversary_params *p, struct cfg *c, const struct cfg_node *node,
                        int64_t horizon, uint32_t n, int64_t communities);
void adversary_params_free(struct adversary_params *p);

/* Choose the targets for this replication (random ones from rng, the
 * adversary's stream, then the times of breaches at a random time) and set up the metrics' state for g and its true
 * communities (labels, may be NULL); a->metrics.rng, which seeds community
 * detection, is NULL until the caller sets it.  Returns 0, or -1 with a
 * message in err. */
int adversary_init(struct adversary *a, const struct adversary_params *p, const struct graph *g,
                   const uint32_t *labels, gsl_rng *rng, char *err, size_t errlen);
void adversary_destroy(struct adversary *a);
/* Schedule every strategy's first event. */
int adversary_start(struct adversary *a, struct sim *s);
/* Handle ADVERSARY_EV_ACQUIRE / ADVERSARY_EV_ORDER_START for strategy
 * `which` at the current time; rng draws renewals.  adversary_acquire
 * returns 0 after an acquisition it reported, 1 when nothing was acquired
 * (a preservation request), -1 after sim_fail. */
int adversary_acquire(struct adversary *a, struct sim *s, uint32_t which,
                      struct serverlog *log, struct knowledge *k, gsl_rng *rng);
int adversary_order_start(struct adversary *a, struct sim *s, uint32_t which);

/* Hop expansion after an acquisition (no-op without expand_depth).
 * Returns the number of new targets, or -1 (OOM). */
int adversary_expand(struct adversary *a, const struct knowledge *k);

/* A record just logged, while a pen-register term runs (a->live > 0): if it
 * is in scope, the adversary learns it now.  0 or -1 (OOM). */
int adversary_deliver_(struct adversary *a, const struct serverlog *log, const struct logrec *r,
                       struct knowledge *k);
static inline int adversary_deliver(struct adversary *a, const struct serverlog *log,
                                    const struct logrec *r, struct knowledge *k)
{
    return a->live ? adversary_deliver_(a, log, r, k) : 0;
}

/* Is the record in scope of the targets? */
static inline int adversary_in_scope(const struct adversary *a, uint32_t querier, uint32_t queried)
{
    int out = querier != SERVERLOG_NO_NUMBER && ((a->target[querier >> 6] >> (querier & 63)) & 1);
    int in = queried != SERVERLOG_NO_NUMBER && ((a->target[queried >> 6] >> (queried & 63)) & 1);
    switch (a->p->scope) {
    case ADVERSARY_SCOPE_OUTGOING: return out;
    case ADVERSARY_SCOPE_INCOMING: return in;
    default: return out || in;
    }
}

#endif
