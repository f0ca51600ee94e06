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
 *                     renewable once: renewals more holds; beyond only with
 *                     override), so that a later
 *                     historical_order obtains them too
 *   pen_register      prospective (18 U.S.C. §3123): the lookups in scope are
 *                     captured as the provider's servers see them while an
 *                     order runs (adversary_capture); an order runs
 *                     term_days (at most 60 without override), then with
 *                     probability renewal_probability an extension starts
 *                     gap_days later, up to max_extensions extensions
 *   quick_freeze      on a chosen day the provider freezes the targets'
 *                     records: those retained then and every one logged
 *                     afterwards (adversary_freeze), for historical orders
 *
 * Scope: a record is in scope when its querier is a target (outgoing), its
 * queried number is (incoming), or either (both).  Hop expansion: after each
 * targeted acquisition, up to expand_budget people found in pairs with a
 * target of depth < expand_depth become targets of depth + 1 (those in most
 * found pairs with targets first, ties to the lower id), which the world
 * runs after it has reported the acquisition.  Each acquisition (a
 * snapshot, a breach, an order's term ending) feeds the knowledge
 * (knowledge.h) and extends the covered time (coverage.h); the adversary
 * reports no metric: the world asks each family to report after it.  With
 * adversary_keep_records, the records it learns are also kept, as
 * (querier, time), for the location inference (locating.h). */
#ifndef EXPOSIM_ADVERSARY_H
#define EXPOSIM_ADVERSARY_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "coverage.h"
#include "graph.h"
#include "knowledge.h"
#include "serverlog.h"

struct sim;
struct cfg;
struct cfg_node;

/* Event kinds are unique across the world's families (traffic uses 1 and 3). */
#define ADVERSARY_EV_ACQUIRE 2u        /* a = strategy: snapshot, breach, order or term end */
#define ADVERSARY_EV_ORDER_START 4u    /* a = strategy: a pen-register term begins */

enum adversary_kind { ADVERSARY_BULK, ADVERSARY_BREACH, ADVERSARY_HISTORICAL, ADVERSARY_PEN_REGISTER,
                      ADVERSARY_PRESERVATION, ADVERSARY_QUICK_FREEZE };
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
 * lookup times [from, to). */
struct adversary_hold {
    int64_t at;                           /* the request's time */
    uint32_t strategy;                    /* the preservation's index in the strategies */
    struct serverlog_rec *r;
    uint64_t *id;                         /* each record's ordinal in the log (knowledge_once) */
    size_t n;
    int64_t until, from, to;
    int live;                             /* a quick freeze: it keeps growing; `to` is the order's time */
    size_t cap;                           /* records allocated */
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

/* One target's own record: the windows of its records obtained by the
 * targeted instruments while it was a target (bulk windows are kept once,
 * adversary.bulk), and when it became one. */
struct adversary_target {
    struct coverage cov;
    int64_t since;                        /* seconds; 0 for the first targets */
    int fresh;                            /* found by the last expansion, no order served yet */
};

/* The legal-process timeline: what each instrument did, recorded as it
 * acts (a few entries per acquisition), for the run's timeline.csv (the
 * world writes it; docs/metrics.md).  Times are seconds. */
enum adversary_tl_event {
    ADVERSARY_TL_TERM,                    /* a pen-register order's first term [start, end) */
    ADVERSARY_TL_EXTENSION,               /* a later term (an extension) */
    ADVERSARY_TL_GAP,                     /* between a term's end and the extension granted after it */
    ADVERSARY_TL_HOLD,                    /* a preservation: records frozen from the request to its end
                                             (renewals included; may run past the horizon) */
    ADVERSARY_TL_WINDOW,                  /* the lookup times [start, end) whose retained records an
                                             acquisition obtained (a hold's on the preservation's lane,
                                             with the order that obtained it) */
    ADVERSARY_TL_ACQUISITION              /* a numbered acquisition at start (= end) */
};
#define ADVERSARY_TL_ALL UINT32_MAX       /* target: the targets of the time */
#define ADVERSARY_TL_EXPANSION UINT32_MAX /* strategy: an order at expansion (adversary_serve_new) */

struct adversary_tl {
    int64_t start, end;
    uint32_t strategy;                    /* index in the params' strategies, or ADVERSARY_TL_EXPANSION */
    uint32_t target;                      /* a person (an order at expansion), or ADVERSARY_TL_ALL */
    uint32_t acq;                         /* the acquisition it belongs to (1-based), 0 for none */
    enum adversary_tl_event event;
};

/* The names written in timeline.csv: of an event, and of a strategy's
 * instrument ("expansion_order" for ADVERSARY_TL_EXPANSION). */
const char *adversary_tl_event_name(enum adversary_tl_event e);
const char *adversary_tl_instrument(const struct adversary_params *p, uint32_t strategy);

struct adversary {
    const struct adversary_params *p;
    struct adversary_tl *tl;              /* the timeline so far, in the order things happened */
    size_t ntl, captl;
    uint32_t acquisitions;                /* made so far (the acquisition number of the last) */
    struct coverage covered;
    struct coverage bulk;                 /* the windows of bulk snapshots and breaches (everyone's) */
    struct adversary_target *tinfo;       /* per targets[i] */
    uint64_t orders;                      /* targeted orders served: historical orders, pen-register
                                             terms (first and extensions), orders at expansion */
    int64_t target_seconds_ordered;       /* sum over targets of the seconds a pen-register term ran
                                             while they were targets */
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
    const uint8_t *devices;               /* devices per person (NULL: one each), for the log's device count */
    int keep;                             /* keep the records learnt (adversary_keep_records) */
    size_t freezing;                      /* a quick freeze runs: 1 + the index of its hold, or 0 */
    int64_t ip_cutoff;                    /* records before this time were obtained without their IP
                                             address (policy ip_retention): not kept for locating */
    int64_t pair_cutoff;                  /* records before this time were obtained without their pair
                                             (policy pair_retention): the querier's address only */
    uint64_t *kept;                       /* records learnt since the last adversary_take_kept:
                                             querier << 32 | record time */
    size_t nkept, capkept;
    uint32_t people;                      /* numbers below this are people (the graph's nodes) */
    int outsiders;                        /* records may name others (adversary_expect_outsiders) */
    uint64_t *outside;                    /* outsider records since the last adversary_take_outside:
                                             querier << 32 | number */
    size_t noutside, capoutside;
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
 * adversary's stream, then the times of breaches at a random time) in g,
 * whose true communities are labels (may be NULL).  Returns 0, or -1 with
 * a message in err. */
int adversary_init(struct adversary *a, const struct adversary_params *p, const struct graph *g,
                   const uint32_t *labels, gsl_rng *rng, char *err, size_t errlen);
void adversary_destroy(struct adversary *a);
/* Schedule every strategy's first event. */
int adversary_start(struct adversary *a, struct sim *s);
/* What adversary_acquire did. */
enum adversary_result {
    ADVERSARY_NOTHING = 0,                /* no acquisition (a preservation request) */
    ADVERSARY_ACQUIRED = 1,               /* a bulk acquisition: the whole log */
    ADVERSARY_ACQUIRED_TARGETED = 2       /* a targeted one: the world expands the targets after
                                             reporting it (adversary_expand) */
};

/* Handle ADVERSARY_EV_ACQUIRE / ADVERSARY_EV_ORDER_START for strategy
 * `which` at the current time; rng draws renewals.  adversary_acquire
 * feeds what is acquired into k, counts the acquisition (a->acquisitions)
 * and schedules the strategy's next event; it returns an enum
 * adversary_result, or -1 after sim_fail (out of memory). */
int adversary_acquire(struct adversary *a, struct sim *s, uint32_t which,
                      struct serverlog *log, struct knowledge *k, gsl_rng *rng);
int adversary_order_start(struct adversary *a, struct sim *s, uint32_t which);

/* Hop expansion after an acquisition at `now` (no-op without
 * expand_depth).  Returns the number of new targets, or -1 (OOM). */
int adversary_expand(struct adversary *a, const struct knowledge *k, int64_t now);

/* An investigator serves an order at once for the records already retained
 * about the targets the last expansion found (a historical order, scope
 * as the targets'): into k, their windows and the covered time.  Counts
 * an order when there were new targets; no acquisition, no report (its
 * records count from the next report).  0 or -1 (OOM). */
int adversary_serve_new(struct adversary *a, int64_t now, struct serverlog *log, struct knowledge *k);

/* The targets' covered time: the mean over targets of the measure (days)
 * and of the gaps of the union of the bulk windows and the target's own
 * windows.  O(targets x intervals).  0 or -1 (OOM). */
int adversary_target_coverage(const struct adversary *a, double *days, double *holes);
/* Target i's (of a->targets) own covered time into u (initialised here;
 * the caller destroys it): the union of the bulk windows and its own.
 * 0 or -1 (OOM). */
int adversary_target_union(const struct adversary *a, uint32_t i, struct coverage *u);

/* A lookup (t, querier, number) just made, while a pen-register term runs
 * (a->live > 0): the capture the provider installs for the order
 * (18 U.S.C. §3124) sees what its servers see, before the business log's
 * policy (sampling, time resolution, hashing, delay) acts, but no number
 * under private contact discovery (log's policy).  If it is in scope the
 * adversary learns it now; id is the lookup's record in log (its last_id,
 * SERVERLOG_NO_RECORD when not logged), so that an order obtaining the same
 * record later adds nothing (knowledge_once).  0 or -1 (OOM). */
int adversary_capture(struct adversary *a, const struct serverlog *log, uint32_t t, uint32_t querier,
                      uint32_t number, uint64_t id, struct knowledge *k);
/* A lookup just logged (serverlog_append) while a quick freeze runs
 * (a->freezing): if its record (as the log keeps it: log->last_id) is in
 * scope, the provider keeps it in the freeze's hold whatever its
 * retention, for the next historical orders.  0 or -1 (OOM). */
int adversary_freeze(struct adversary *a, const struct serverlog *log);

/* Keep, from now on, every record learnt that names a querier, as querier
 * << 32 | record time (8 bytes a record, until taken). */
static inline void adversary_keep_records(struct adversary *a) { a->keep = 1; }
/* The records kept since the last call: *n of them at the returned array,
 * which the caller may reorder or overwrite and which stays valid until
 * the adversary next learns a record; the adversary's list is empty
 * afterwards. */
uint64_t *adversary_take_kept(struct adversary *a, size_t *n);

/* Records may name numbers that are not people (an enumerator's account,
 * a number nobody holds, a group id: numbers.h), or no queried number in a
 * log that otherwise keeps it (a batch record of a sync).  From now on every record
 * learnt is checked: one that names an outsider (the querier, or the
 * number as the provider reads it) makes no pair, counts as a record, and
 * is kept as querier << 32 | number (the number as the adversary reads it:
 * a plain hash reversed; a keyed hash's pseudonym reads as no number,
 * SERVERLOG_NO_NUMBER) for the families
 * that know what the ids mean (adversary_take_outside).  A bulk snapshot
 * then reads records one by one instead of staging each span at once. */
static inline void adversary_expect_outsiders(struct adversary *a) { a->outsiders = 1; }
/* The outsider records learnt since the last call (*n of them; valid until
 * the adversary next learns a record); the list is empty afterwards. */
uint64_t *adversary_take_outside(struct adversary *a, size_t *n);

/* What strategy `which` obtains, at the current time, from another
 * provider's log served the same order (several services, services.h):
 * a bulk snapshot or breach reads the whole retained log, a historical
 * order the records in scope of the targets, into k, and adds the window
 * to cov.  Preservation holds and pen registers act on the first
 * provider's log only here (a pen register captures the other services'
 * lookups through adversary_capture as they are made).  It counts no
 * acquisition and schedules nothing.  0, 1 when nothing was read (a pen
 * register or a preservation), or -1 (out of memory). */
int adversary_collect(struct adversary *a, int64_t now, uint32_t which, struct serverlog *log, struct knowledge *k,
                      struct coverage *cov);

/* Is the record in scope of the targets?  (A number that is not a person,
 * SERVERLOG_NO_NUMBER included, is never a target.) */
static inline int adversary_in_scope(const struct adversary *a, uint32_t querier, uint32_t queried)
{
    int out = querier < a->people && ((a->target[querier >> 6] >> (querier & 63)) & 1);
    int in = queried < a->people && ((a->target[queried >> 6] >> (queried & 63)) & 1);
    switch (a->p->scope) {
    case ADVERSARY_SCOPE_OUTGOING: return out;
    case ADVERSARY_SCOPE_INCOMING: return in;
    default: return out || in;
    }
}

#endif
