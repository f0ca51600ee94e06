/* adversary — acquisition strategies; see adversary.h. */
#include "adversary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "cfg.h"
#include "sim.h"
#include "sort.h"

static const char *const kind_names[] = { "bulk_snapshot", "breach", "historical_order", "pen_register",
                                          "preservation", "quick_freeze" };

static const char *const tl_names[] = { "term", "extension", "gap", "hold", "window", "acquisition" };

const char *adversary_tl_event_name(enum adversary_tl_event e) { return tl_names[e]; }

const char *adversary_tl_instrument(const struct adversary_params *p, uint32_t strategy)
{
    return strategy == ADVERSARY_TL_EXPANSION || strategy >= p->n ? "expansion_order" : kind_names[p->s[strategy].kind];
}

/* Record one timeline entry.  0 or -1 (OOM). */
static int tl_add(struct adversary *a, enum adversary_tl_event e, uint32_t strategy, uint32_t target,
                  int64_t start, int64_t end, uint32_t acq)
{
    if (a->ntl == a->captl) {                       /* grows by doubling */
        size_t cap = a->captl ? 2 * a->captl : 64;
        struct adversary_tl *t = realloc(a->tl, cap * sizeof *t);
        if (!t)
            return -1;
        a->tl = t;
        a->captl = cap;
    }
    a->tl[a->ntl++] = (struct adversary_tl){ start, end, strategy, target, acq, e };
    return 0;
}

/* The statutes' limits (docs/model.md, "Legal process"): a pen-register
 * order and each extension run at most 60 days (18 U.S.C. §3123(c)(1),
 * (2)); a preservation lasts 90 days, extended once by 90 more on a renewed
 * request (§2703(f)(2)).  Beyond them only with override="true". */
#define STATUTE_PEN_TERM_DAYS 60
#define STATUTE_HOLD_DAYS 90
#define STATUTE_HOLD_RENEWALS 1

static int overridden(const struct cfg_node *ch)
{
    const char *v = cfg_str(ch, "override", "false");
    return strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

/* One strategy element into st; returns 0 or -1 (diagnostics). */
static int configure_strategy(struct adversary_strategy *st, struct cfg *c, const struct cfg_node *ch,
                              int64_t horizon)
{
    const char *name = cfg_name(ch);
    long period = 0, start = 0, term = 0, gap = 0, ext = 0;
    double renewal = 0;
    int rc = 0;
    if (strcmp(name, "bulk_snapshot") == 0 || strcmp(name, "historical_order") == 0) {
        st->kind = name[0] == 'b' ? ADVERSARY_BULK : ADVERSARY_HISTORICAL;
        rc |= cfg_long(c, ch, "period_days", 0, &period);
        if (!rc)
            rc |= cfg_long(c, ch, "start_day", period, &start);
    } else if (strcmp(name, "breach") == 0) {
        st->kind = ADVERSARY_BREACH;
        rc |= cfg_long(c, ch, "day", 0, &start);
        if (!cfg_has(ch, "day"))                    /* at a random time before the horizon */
            st->random_within = horizon;
    } else if (strcmp(name, "preservation") == 0) {
        long hold = 0, renewals = 0;
        st->kind = ADVERSARY_PRESERVATION;
        rc |= cfg_long(c, ch, "day", 0, &start);
        rc |= cfg_long(c, ch, "hold_days", 90, &hold);
        rc |= cfg_long(c, ch, "renewals", STATUTE_HOLD_RENEWALS, &renewals);
        if (!rc && hold > STATUTE_HOLD_DAYS && !overridden(ch))
            rc = cfg_error(c, ch, "hold_days", "a preservation lasts at most %d days under 18 U.S.C. "
                           "§2703(f)(2) (got %ld); set override=\"true\" to model another law",
                           STATUTE_HOLD_DAYS, hold);
        if (!rc && renewals > STATUTE_HOLD_RENEWALS && !overridden(ch))
            rc = cfg_error(c, ch, "renewals", "18 U.S.C. §2703(f)(2) allows one 90-day extension of a "
                           "preservation (got %ld renewals); set override=\"true\" to model another law",
                           renewals);
        st->hold = (int64_t)hold * (1 + renewals) * 86400;
    } else if (strcmp(name, "quick_freeze") == 0) {
        st->kind = ADVERSARY_QUICK_FREEZE;
        rc |= cfg_long(c, ch, "day", 0, &start);
    } else if (strcmp(name, "pen_register") == 0) {
        st->kind = ADVERSARY_PEN_REGISTER;
        rc |= cfg_long(c, ch, "start_day", 0, &start);
        rc |= cfg_long(c, ch, "term_days", STATUTE_PEN_TERM_DAYS, &term);
        if (!rc && term > STATUTE_PEN_TERM_DAYS && !overridden(ch))
            rc = cfg_error(c, ch, "term_days", "a pen-register order and each extension run at most %d days "
                           "under 18 U.S.C. §3123(c) (got %ld); set override=\"true\" to model another law",
                           STATUTE_PEN_TERM_DAYS, term);
        rc |= cfg_long(c, ch, "gap_days", 0, &gap);
        rc |= cfg_long(c, ch, "max_extensions", 0, &ext);
        rc |= cfg_double(c, ch, "renewal_probability", 1.0, &renewal);
        if (!rc && !(renewal >= 0 && renewal <= 1))
            rc = cfg_error(c, ch, "renewal_probability", "must be in [0, 1] (got %g)", renewal);
        if (!rc && gap * 86400 > horizon)
            rc = cfg_error(c, ch, "gap_days", "the delay between orders (%ld days) is longer than the "
                           "horizon (%lld days)", gap, (long long)(horizon / 86400));
    } else {
        return cfg_error(c, ch, NULL, "unknown acquisition strategy");
    }
    if (rc)
        return -1;
    st->period = period * 86400;
    st->start = start * 86400;
    st->term = term * 86400;
    st->gap = gap * 86400;
    st->renewal = renewal;
    st->max_extensions = (uint32_t)ext;
    /* A pen register must start before the horizon to deliver anything; an
     * acquisition at the horizon itself still takes place. */
    if (st->kind == ADVERSARY_PEN_REGISTER ? st->start >= horizon : st->start > horizon) {
        const char *attr = cfg_has(ch, "start_day") ? "start_day" : st->kind == ADVERSARY_BREACH ? "day"
                                                                                                 : "period_days";
        return cfg_error(c, ch, attr, "the %s starts on day %ld, after the horizon (day %lld): "
                         "nothing would be acquired", kind_names[st->kind], start,
                         (long long)(horizon / 86400));
    }
    return 0;
}

static int configure_targets(struct adversary_params *p, struct cfg *c, const struct cfg_node *t,
                             uint32_t n, int64_t communities)
{
    long depth = 0, budget = 0;
    if (cfg_long(c, t, "expand_depth", 0, &depth) || cfg_long(c, t, "expand_budget", 0, &budget))
        return -1;
    if (depth > 0 && budget < 1)
        return cfg_error(c, t, "expand_budget", "hop expansion needs a budget of at least 1 new target "
                         "per acquisition (got %ld)", budget);
    if (depth > 255)
        return cfg_error(c, t, "expand_depth", "must be at most 255 (got %ld)", depth);
    p->expand_depth = (uint32_t)depth;
    p->expand_budget = (uint32_t)budget;
    const char *sel = cfg_str(t, "select", "random");
    const char *scope = cfg_str(t, "scope", "both");
    p->scope = strcmp(scope, "outgoing") == 0 ? ADVERSARY_SCOPE_OUTGOING
             : strcmp(scope, "incoming") == 0 ? ADVERSARY_SCOPE_INCOMING : ADVERSARY_SCOPE_BOTH;
    long count = 0, community = 0;
    if (strcmp(sel, "ids") == 0) {
        p->select = ADVERSARY_SELECT_IDS;
        const char *text = cfg_str(t, "ids", "");
        size_t cap = 1;
        for (const char *q = text; *q; q++)
            cap += *q == ' ';
        p->ids = malloc(cap * sizeof *p->ids);
        if (!p->ids)
            return diag_add(cfg_diag(c), NULL, 0, "out of memory");
        for (const char *q = text; *q;) {
            char *end;
            while (*q == ' ' || *q == '\t' || *q == '\n')
                q++;
            if (!*q)
                break;
            unsigned long v = strtoul(q, &end, 10);
            if (end == q || v > UINT32_MAX - 1)
                return cfg_error(c, t, "ids", "'%.20s' is not a person id", q);
            if (n && v >= n)
                return cfg_error(c, t, "ids", "person %lu does not exist (ids run from 0 to %u)", v, n - 1);
            p->ids[p->nids++] = (uint32_t)v;
            q = end;
        }
        if (!p->nids)
            return cfg_error(c, t, "ids", "select=\"ids\" needs at least one id");
    } else if (strcmp(sel, "community") == 0) {
        p->select = ADVERSARY_SELECT_COMMUNITY;
        if (communities < 0)
            return cfg_error(c, t, "select", "select=\"community\" needs a contact graph with true "
                             "communities (stochastic_block, layered, or an import with labels)");
        if (!cfg_has(t, "community"))
            return cfg_error(c, t, "community", "select=\"community\" needs the community's label");
        if (cfg_long(c, t, "community", 0, &community))
            return -1;
        if (communities > 0 && community >= communities)
            return cfg_error(c, t, "community", "community %ld does not exist (labels run from 0 to %lld)",
                             community, (long long)communities - 1);
        p->community = (uint32_t)community;
    } else {
        p->select = strcmp(sel, "top_degree") == 0 ? ADVERSARY_SELECT_TOP_DEGREE : ADVERSARY_SELECT_RANDOM;
        if (!cfg_has(t, "count"))
            return cfg_error(c, t, "count", "select=\"%s\" needs a count", sel);
        if (cfg_long(c, t, "count", 0, &count))
            return -1;
        if (count < 1 || (n && count > (long)n))
            return cfg_error(c, t, "count", "must be 1 to the population size %u (got %ld)", n, count);
        p->count = (uint32_t)count;
    }
    return 0;
}

int adversary_configure(struct adversary_params *p, struct cfg *c, const struct cfg_node *node,
                        int64_t horizon, uint32_t n, int64_t communities)
{
    memset(p, 0, sizeof *p);
    size_t nchildren = 0;
    for (const struct cfg_node *ch = cfg_first(node); ch; ch = cfg_next(ch))
        nchildren++;
    p->s = calloc(nchildren ? nchildren : 1, sizeof *p->s);
    if (!p->s)
        return diag_add(cfg_diag(c), NULL, 0, "out of memory");
    int rc = 0;
    const struct cfg_node *targets = cfg_child(node, "targets");
    if (targets && configure_targets(p, c, targets, n, communities))
        rc = -1;
    for (const struct cfg_node *ch = cfg_first(node); ch; ch = cfg_next(ch)) {
        if (strcmp(cfg_name(ch), "targets") == 0)
            continue;
        struct adversary_strategy *st = &p->s[p->n++];
        if (configure_strategy(st, c, ch, horizon)) {
            rc = -1;
            continue;
        }
        if ((st->kind == ADVERSARY_HISTORICAL || st->kind == ADVERSARY_PEN_REGISTER
             || st->kind == ADVERSARY_PRESERVATION || st->kind == ADVERSARY_QUICK_FREEZE) && !targets)
            rc = cfg_error(c, ch, NULL, "a %s needs targets: add a <targets> element first in "
                           "<adversary>", kind_names[st->kind]);
    }
    if (rc)
        adversary_params_free(p);
    return rc;
}

void adversary_params_free(struct adversary_params *p)
{
    if (!p)
        return;
    free(p->s);
    free(p->ids);
    memset(p, 0, sizeof *p);
}

/* ---- targets ------------------------------------------------------------ */

struct by_degree {
    uint32_t id, degree;
};

static int higher_degree_first(const void *x, const void *y)
{
    const struct by_degree *a = x, *b = y;
    if (a->degree != b->degree)
        return a->degree < b->degree ? 1 : -1;
    return (a->id > b->id) - (a->id < b->id);      /* ties: lower id first */
}

static int choose_targets(struct adversary *a, const struct graph *g, const uint32_t *labels,
                          gsl_rng *rng, char *err, size_t errlen)
{
    const struct adversary_params *p = a->p;
    uint32_t n = g->n, k = 0;
    uint32_t *t = NULL;
    switch (p->select) {
    case ADVERSARY_SELECT_NONE:
        return 0;
    case ADVERSARY_SELECT_RANDOM:
    case ADVERSARY_SELECT_TOP_DEGREE:
        if (p->count < 1 || p->count > n) {
            snprintf(err, errlen, "targets: count %u is not between 1 and the population size %u", p->count, n);
            return -1;
        }
        k = p->count;
        t = malloc((size_t)n * sizeof *t);
        if (!t)
            break;
        if (p->select == ADVERSARY_SELECT_RANDOM) {
            for (uint32_t i = 0; i < n; i++)
                t[i] = i;
            gsl_ran_choose(rng, t, k, t, n, sizeof *t);   /* k of n, in id order */
        } else {
            struct by_degree *d = malloc((size_t)n * sizeof *d);
            if (!d)
                break;
            for (uint32_t i = 0; i < n; i++)
                d[i] = (struct by_degree){ i, graph_degree(g, i) };
            qsort(d, n, sizeof *d, higher_degree_first);
            for (uint32_t i = 0; i < k; i++)
                t[i] = d[i].id;
            free(d);
        }
        break;
    case ADVERSARY_SELECT_IDS:
        t = malloc(p->nids * sizeof *t);
        if (!t)
            break;
        for (size_t i = 0; i < p->nids; i++) {
            if (p->ids[i] >= n) {
                snprintf(err, errlen, "targets: person %u does not exist (ids run from 0 to %u)", p->ids[i], n - 1);
                free(t);
                return -1;
            }
            t[k++] = p->ids[i];
        }
        break;
    case ADVERSARY_SELECT_COMMUNITY:
        if (!labels) {
            snprintf(err, errlen, "targets: select=\"community\" needs a contact graph with true communities "
                     "(stochastic_block, layered, or an import with labels)");
            return -1;
        }
        t = malloc((size_t)n * sizeof *t);
        if (!t)
            break;
        for (uint32_t i = 0; i < n; i++)
            if (labels[i] == p->community)
                t[k++] = i;
        if (!k) {
            snprintf(err, errlen, "targets: community %u does not exist in this graph", p->community);
            free(t);
            return -1;
        }
        break;
    }
    if (!t) {
        snprintf(err, errlen, "out of memory choosing targets");
        return -1;
    }
    qsort(t, k, sizeof *t, sort_cmp_u32);
    uint32_t m = 0;                                 /* drop repeated ids */
    for (uint32_t i = 0; i < k; i++)
        if (m == 0 || t[m - 1] != t[i])
            t[m++] = t[i];
    a->targets = t;
    a->ntargets = m;
    a->captargets = k > m ? k : m;
    a->target = calloc(((size_t)n + 63) / 64 + 1, sizeof *a->target);
    a->depth = calloc(a->captargets ? a->captargets : 1, 1);
    if (!a->target || !a->depth) {
        snprintf(err, errlen, "out of memory choosing targets");
        return -1;
    }
    for (uint32_t i = 0; i < m; i++)
        a->target[t[i] >> 6] |= 1ull << (t[i] & 63);
    return 0;
}

int adversary_init(struct adversary *a, const struct adversary_params *p, const struct graph *g,
                   const uint32_t *labels, gsl_rng *rng, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    a->p = p;
    a->people = g->n;
    a->ip_cutoff = INT64_MIN;
    a->pair_cutoff = INT64_MIN;
    coverage_init(&a->covered);
    a->extensions = calloc(p->n ? p->n : 1, sizeof *a->extensions);
    a->term_start = calloc(p->n ? p->n : 1, sizeof *a->term_start);
    if (!a->extensions || !a->term_start) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    coverage_init(&a->bulk);
    if (choose_targets(a, g, labels, rng, err, errlen))
        return -1;
    if (a->targets && !(a->tinfo = calloc(a->captargets ? a->captargets : 1, sizeof *a->tinfo))) {
        snprintf(err, errlen, "out of memory choosing targets");
        return -1;
    }
    for (size_t i = 0; i < p->n; i++)               /* uniform on the seconds (0, horizon] */
        if (p->s[i].random_within > 0)
            a->term_start[i] = 1 + (int64_t)(gsl_rng_uniform(rng) * (double)p->s[i].random_within);
    return 0;
}

void adversary_destroy(struct adversary *a)
{
    if (!a)
        return;
    coverage_destroy(&a->covered);
    coverage_destroy(&a->bulk);
    for (uint32_t i = 0; a->tinfo && i < a->ntargets; i++)
        coverage_destroy(&a->tinfo[i].cov);
    free(a->tinfo);
    free(a->kept);
    free(a->outside);
    free(a->target);
    free(a->targets);
    free(a->depth);
    free(a->extensions);
    free(a->term_start);
    for (size_t i = 0; i < a->nholds; i++)
        free(a->holds[i].r), free(a->holds[i].id);
    free(a->holds);
    free(a->tl);
    memset(a, 0, sizeof *a);
}

int adversary_start(struct adversary *a, struct sim *s)
{
    for (size_t i = 0; i < a->p->n; i++) {
        const struct adversary_strategy *st = &a->p->s[i];
        uint32_t kind = st->kind == ADVERSARY_PEN_REGISTER ? ADVERSARY_EV_ORDER_START : ADVERSARY_EV_ACQUIRE;
        if (sim_schedule(s, st->random_within ? a->term_start[i] : st->start, kind, (uint32_t)i, 0))
            return -1;
    }
    return 0;
}

/* ---- acquisitions ------------------------------------------------------- */

/* The number a record's queried field stands for, as the provider serving
 * an order sees it (it holds any hashing key): used for scope only. */
static inline uint32_t provider_number(const struct serverlog *log, const struct serverlog_rec *r)
{
    if (log->policy.queried == SERVERLOG_QUERIED_KEYED_HASH)
        return serverlog_unmask(log, serverlog_epoch(log, r->t), r->queried);
    return serverlog_reveal(log, r->queried);
}

/* The time before which a record acquired at `at` comes without its pair
 * (policy pair_retention: the IP address kept longer than the pair). */
static inline int64_t pair_cutoff_at(const struct serverlog *log, int64_t at)
{
    return log->policy.pair_limited ? at - log->policy.pair_retention : INT64_MIN;
}

/* The queried number the provider can put in scope: none once the pair is
 * no longer kept (a->pair_cutoff). */
static inline uint32_t scope_number(const struct adversary *a, const struct serverlog *log,
                                    const struct serverlog_rec *r)
{
    return (int64_t)r->t < a->pair_cutoff ? SERVERLOG_NO_NUMBER : provider_number(log, r);
}

/* Keep a learnt record for the location inference (adversary_keep_records):
 * one that names a querier (an address without a person places nobody).
 * 0 or -1 (OOM). */
static int keep_record(struct adversary *a, const struct serverlog_rec *r)
{
    if (r->querier >= a->people || (int64_t)r->t < a->ip_cutoff)   /* nobody, or no address left */
        return 0;
    if (a->nkept == a->capkept) {                   /* grows by doubling */
        size_t cap = a->capkept ? 2 * a->capkept : 1 << 16;
        uint64_t *k = realloc(a->kept, cap * sizeof *k);
        if (!k)
            return -1;
        a->kept = k;
        a->capkept = cap;
    }
    a->kept[a->nkept++] = (uint64_t)r->querier << 32 | r->t;
    return 0;
}

uint64_t *adversary_take_kept(struct adversary *a, size_t *n)
{
    *n = a->nkept;
    a->nkept = 0;
    return a->kept;
}

uint64_t *adversary_take_outside(struct adversary *a, size_t *n)
{
    *n = a->noutside;
    a->noutside = 0;
    return a->outside;
}

/* An outsider record (adversary_expect_outsiders): kept, no pair.  0 or -1. */
static int note_outside(struct adversary *a, uint32_t querier, uint32_t number)
{
    if (a->noutside == a->capoutside) {             /* grows by doubling */
        size_t cap = a->capoutside ? 2 * a->capoutside : 1 << 12;
        uint64_t *o = realloc(a->outside, cap * sizeof *o);
        if (!o)
            return -1;
        a->outside = o;
        a->capoutside = cap;
    }
    a->outside[a->noutside++] = (uint64_t)querier << 32 | number;
    return 0;
}

/* The adversary learns one acquired record: a named pair, a pseudonymised
 * one (keyed hash: kept as (epoch, pseudonym, querier) for
 * re-identification), or only that a lookup happened.  `staged`: through
 * the sorted block (flush afterwards).  0 or -1 (OOM). */
static int learn_record(struct adversary *a, struct knowledge *k, const struct serverlog *log,
                        const struct serverlog_rec *r, uint64_t id, int staged)
{
    if ((int64_t)r->t < a->pair_cutoff) {           /* the address of a lookup, not whose number: */
        k->records++;                               /* its id not spent, a whole copy may follow */
        return 0;
    }
    int fresh = knowledge_once(k, id);              /* a repeat is no new evidence (min_count > 1) */
    if (fresh <= 0) {
        k->records += fresh == 0;
        return fresh;
    }
    if (a->outsiders) {                             /* an account, a group, a number nobody holds */
        uint32_t x = provider_number(log, r);
        if ((r->querier != SERVERLOG_NO_NUMBER && r->querier >= a->people)
            || (x != SERVERLOG_NO_NUMBER && x >= a->people)) {
            k->records++;                           /* (a pseudonym says no number the adversary can read) */
            uint32_t read = log->policy.queried == SERVERLOG_QUERIED_KEYED_HASH ? SERVERLOG_NO_NUMBER
                                                                                : serverlog_reveal(log, r->queried);
            return note_outside(a, r->querier, read);
        }
    }
    if (r->querier == SERVERLOG_NO_NUMBER) {        /* a lookup of a number, by whom is unknown */
        k->records++;
        return 0;
    }
    if (log->policy.queried == SERVERLOG_QUERIED_KEYED_HASH) {
        k->records++;
        /* without the time the adversary cannot tell the key epochs apart */
        uint32_t epoch = log->policy.drop_time ? 0 : serverlog_epoch(log, r->t);
        uint32_t devices = 0;                       /* the queried account's device count, if logged */
        if (!log->policy.drop_devices)
            devices = a->devices ? a->devices[provider_number(log, r)] : 1;
        return knowledge_pseudonym(k, epoch, r->queried, r->querier, devices);
    }
    uint32_t queried = serverlog_reveal(log, r->queried);
    if (queried == SERVERLOG_NO_NUMBER) {           /* a lookup, but of whom is unknown */
        k->records++;
        return 0;
    }
    return staged ? knowledge_stage(k, r->querier, queried) : knowledge_add(k, r->querier, queried);
}

/* The retained log at `now`: every record (targeted = 0) or those in scope
 * of the targets goes into the knowledge (a hashed number is first
 * reversed, serverlog_reveal); the covered window is the span of lookup
 * times the retained records can come from (serverlog_window_start, now],
 * clipped at time 0. */
static int snapshot(struct adversary *a, int64_t now, struct serverlog *log, struct knowledge *k, int targeted,
                    struct coverage *cov, int64_t window[2])
{
    serverlog_purge(log, now);
    knowledge_set_time(k, (uint32_t)now);
    size_t spans = serverlog_spans(log);
    int plain = log->policy.queried == SERVERLOG_QUERIED_KEPT && !log->policy.drop_querier && !a->outsiders
                && k->min_count <= 1 && !log->policy.pair_limited;
    uint64_t id = serverlog_first_ordinal(log);
    if (log->policy.ip_retention)                   /* the addresses are kept a shorter time */
        a->ip_cutoff = now - log->policy.ip_retention;
    a->pair_cutoff = pair_cutoff_at(log, now);      /* the pairs, when they are kept a shorter time */
    for (size_t i = 0; i < spans; i++) {
        size_t n;
        const struct serverlog_rec *r = serverlog_span(log, i, &n);
        if (plain && !targeted && !a->keep) {           /* every record as it is: the span at once */
            if (knowledge_stage_run(k, &r[0].querier, sizeof *r / sizeof r[0].querier, n))
                return -1;
            id += n;
            continue;
        }
        for (size_t j = 0; j < n; j++, id++) {
            if (targeted && !adversary_in_scope(a, r[j].querier, scope_number(a, log, &r[j])))
                continue;
            if (a->keep && keep_record(a, &r[j]))
                return -1;
            if (plain) {
                if (knowledge_stage(k, r[j].querier, r[j].queried))
                    return -1;
            } else if (learn_record(a, k, log, &r[j], id, 1)) {
                return -1;
            }
        }
    }
    a->ip_cutoff = INT64_MIN;
    int64_t pc = a->pair_cutoff;
    a->pair_cutoff = INT64_MIN;
    if (knowledge_flush(k))
        return -1;
    int64_t lo = serverlog_window_start(log) + 1;    /* the lookups of [lo, end) */
    if (lo < pc)
        lo = pc;                                    /* covered: the time whose pairs were obtained */
    int64_t w[2] = { lo < 0 ? 0 : lo, serverlog_window_end(log, now) };
    if (window)
        window[0] = w[0], window[1] = w[1];
    return coverage_add(cov, w[0], w[1]);
}

/* Add [lo, hi) to the own windows of every target that was one at `since`
 * (since < 0: every target).  0 or -1 (OOM). */
static int cover_targets(struct adversary *a, int64_t lo, int64_t hi, int64_t since)
{
    for (uint32_t i = 0; i < a->ntargets; i++)
        if ((since < 0 || a->tinfo[i].since <= since) && coverage_add(&a->tinfo[i].cov, lo, hi))
            return -1;
    return 0;
}

int adversary_collect(struct adversary *a, int64_t now, uint32_t which, struct serverlog *log, struct knowledge *k,
                      struct coverage *cov)
{
    enum adversary_kind kind = a->p->s[which].kind;
    if (kind == ADVERSARY_PEN_REGISTER || kind == ADVERSARY_PRESERVATION || kind == ADVERSARY_QUICK_FREEZE)
        return 1;
    return snapshot(a, now, log, k, kind == ADVERSARY_HISTORICAL, cov, NULL) ? -1 : 0;
}

int adversary_freeze(struct adversary *a, const struct serverlog *log)
{
    if (!a->freezing || log->last_id == SERVERLOG_NO_RECORD)
        return 0;                                   /* a lookup the log did not keep is no data to freeze */
    /* the record as the log keeps it: just written, or pending in its batch */
    const struct serverlog_rec *r = log->policy.delay ? &log->pend[log->npend - 1] : serverlog_newest(log);
    if (!adversary_in_scope(a, r->querier, provider_number(log, r)))
        return 0;
    struct adversary_hold *h = &a->holds[a->freezing - 1];
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 1024;
        struct serverlog_rec *nr = realloc(h->r, cap * sizeof *nr);
        if (!nr)
            return -1;
        h->r = nr;
        uint64_t *ni = realloc(h->id, cap * sizeof *ni);
        if (!ni)
            return -1;
        h->id = ni;
        h->cap = cap;
    }
    h->id[h->n] = log->last_id;
    h->r[h->n++] = *r;
    return 0;
}

int adversary_capture(struct adversary *a, const struct serverlog *log, uint32_t t, uint32_t querier,
                      uint32_t number, uint64_t id, struct knowledge *k)
{
    /* What the provider's servers see of the lookup: the querier (an
     * authenticated account), the time, and the number unless private
     * contact discovery keeps it from them; the business log's sampling,
     * time resolution, hashing and delay play no part. */
    if (log->policy.queried == SERVERLOG_QUERIED_NONE)
        number = SERVERLOG_NO_NUMBER;
    if (!adversary_in_scope(a, querier, number))
        return 0;
    struct serverlog view;                          /* the capture's own "log": numbers as they are */
    memset(&view, 0, sizeof view);
    view.policy.resolution = 1;
    view.policy.key_rotation = 86400;
    view.policy.queried = number == SERVERLOG_NO_NUMBER ? SERVERLOG_QUERIED_NONE : SERVERLOG_QUERIED_KEPT;
    struct serverlog_rec r = { t, querier, number };
    knowledge_set_time(k, t);
    if (a->keep && keep_record(a, &r))
        return -1;
    return learn_record(a, k, &view, &r, id == SERVERLOG_NO_RECORD ? (1ull << 63) | log->offered : id, 0);
}

/* ---- hop expansion ------------------------------------------------------ */

struct candidate {
    uint32_t id, pairs, depth;            /* pairs: found pairs with eligible targets */
};

static int by_id(const void *x, const void *y)
{
    const struct candidate *a = x, *b = y;
    return (a->id > b->id) - (a->id < b->id);
}

static int most_pairs_first(const void *x, const void *y)
{
    const struct candidate *a = x, *b = y;
    if (a->pairs != b->pairs)
        return a->pairs < b->pairs ? 1 : -1;
    return (a->id > b->id) - (a->id < b->id);
}

static int is_target(const struct adversary *a, uint32_t x)
{
    return (a->target[x >> 6] >> (x & 63)) & 1;
}

/* Insert x (depth d) into the sorted targets. */
static int add_target(struct adversary *a, uint32_t x, uint32_t d, int64_t now)
{
    if (a->ntargets == a->captargets) {
        uint32_t cap = a->captargets ? 2 * a->captargets : 16;
        uint32_t *t = realloc(a->targets, cap * sizeof *t);
        if (!t)
            return -1;
        a->targets = t;
        uint8_t *dp = realloc(a->depth, cap);
        if (!dp)
            return -1;
        a->depth = dp;
        struct adversary_target *ti = realloc(a->tinfo, cap * sizeof *ti);
        if (!ti)
            return -1;
        a->tinfo = ti;
        a->captargets = cap;
    }
    uint32_t i = a->ntargets;
    while (i > 0 && a->targets[i - 1] > x) {
        a->targets[i] = a->targets[i - 1];
        a->depth[i] = a->depth[i - 1];
        a->tinfo[i] = a->tinfo[i - 1];
        i--;
    }
    a->targets[i] = x;
    a->depth[i] = (uint8_t)d;
    a->tinfo[i] = (struct adversary_target){ { NULL, 0, 0 }, now, 1 };
    a->ntargets++;
    a->target[x >> 6] |= 1ull << (x & 63);
    return 0;
}

/* Append a candidate (one pair with a target) to the growing list. */
static int push_candidate(struct candidate **c, size_t *n, size_t *cap, uint32_t x, uint32_t depth)
{
    if (*n == *cap) {
        size_t ncap = *cap ? 2 * *cap : 64;
        struct candidate *nc = realloc(*c, ncap * sizeof *nc);
        if (!nc)
            return -1;
        *c = nc;
        *cap = ncap;
    }
    (*c)[(*n)++] = (struct candidate){ x, 1, depth };
    return 0;
}

int adversary_expand(struct adversary *a, const struct knowledge *k, int64_t now)
{
    const struct adversary_params *p = a->p;
    if (!p->expand_depth || !a->targets)
        return 0;
    const struct graph *g = k->truth;
    struct candidate *c = NULL;
    size_t n = 0, cap = 0;
    int rc = -1;
    /* The people in found pairs with a target still allowed to expand:
     * true contacts found, and non-contact pairs found (the adversary does
     * not know which are which). */
    for (uint32_t i = 0; i < a->ntargets; i++) {
        if (a->depth[i] >= p->expand_depth)
            continue;
        uint32_t t = a->targets[i];
        for (uint64_t j = g->off[t]; j < g->off[t + 1]; j++) {
            uint32_t x = g->adj[j];
            if (is_target(a, x) || !knowledge_has_edge(k, t, x))
                continue;
            if (push_candidate(&c, &n, &cap, x, a->depth[i] + 1u))
                goto out;
        }
    }
    const struct pairset *fp = &k->false_pairs;
    for (uint64_t i = 0; fp->n && i < fp->cap; i++) {
        if (fp->key[i] == PAIRSET_EMPTY || fp->count[i] < k->min_count)
            continue;
        uint32_t lo = (uint32_t)(fp->key[i] >> 32), hi = (uint32_t)fp->key[i];
        for (int side = 0; side < 2; side++) {
            uint32_t t = side ? hi : lo, x = side ? lo : hi;
            if (!is_target(a, t) || is_target(a, x))
                continue;
            uint32_t lo_i = 0, hi_i = a->ntargets;            /* t's depth */
            while (lo_i < hi_i) {
                uint32_t mid = (lo_i + hi_i) / 2;
                if (a->targets[mid] < t)
                    lo_i = mid + 1;
                else
                    hi_i = mid;
            }
            if (a->depth[lo_i] >= p->expand_depth)
                continue;
            if (push_candidate(&c, &n, &cap, x, a->depth[lo_i] + 1u))
                goto out;
        }
    }
    if (n == 0) {                                   /* nobody new to add */
        rc = 0;
        goto out;
    }
    /* merge repeats: pairs counted, the smallest depth kept */
    qsort(c, n, sizeof *c, by_id);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && c[m - 1].id == c[i].id) {
            c[m - 1].pairs++;
            if (c[i].depth < c[m - 1].depth)
                c[m - 1].depth = c[i].depth;
        } else {
            c[m++] = c[i];
        }
    }
    qsort(c, m, sizeof *c, most_pairs_first);
    size_t take = m < p->expand_budget ? m : p->expand_budget;
    for (size_t i = 0; i < take; i++)
        if (add_target(a, c[i].id, c[i].depth, now))
            goto out;
    rc = (int)take;
out:
    free(c);
    return rc;
}

int adversary_order_start(struct adversary *a, struct sim *s, uint32_t which)
{
    const struct adversary_strategy *st = &a->p->s[which];
    int64_t now = sim_now(s);
    a->live++;
    a->term_start[which] = now;
    int64_t end = now + st->term;
    if (end > s->run.horizon)
        end = s->run.horizon;                       /* the run ends first: report then */
    return sim_schedule(s, end, ADVERSARY_EV_ACQUIRE, which, 0);
}

/* A pen-register term ends at `now`: its capture saw the lookups made in
 * [start, now) as they were made (adversary_capture: the log's delivery
 * delay plays no part). */
static int term_end(struct adversary *a, struct sim *s, uint32_t which, const struct serverlog *log,
                    gsl_rng *rng)
{
    const struct adversary_strategy *st = &a->p->s[which];
    (void)log;
    int64_t now = sim_now(s), lo = a->term_start[which], hi = now;
    a->live--;
    int oom = hi > lo && coverage_add(&a->covered, lo, hi);
    for (uint32_t i = 0; !oom && i < a->ntargets; i++) {  /* each target from when it was one */
        int64_t l = a->tinfo[i].since > lo ? a->tinfo[i].since : lo;
        if (hi > l) {
            oom = coverage_add(&a->tinfo[i].cov, l, hi);
            a->target_seconds_ordered += hi - l;
        }
    }
    if (oom) {
        sim_fail(s, "out of memory during an acquisition");
        return -1;
    }
    a->orders++;                                    /* the term (the first order or an extension) */
    a->acquisitions++;
    /* extensions[which] counts those granted before this term ended */
    enum adversary_tl_event term = a->extensions[which] ? ADVERSARY_TL_EXTENSION : ADVERSARY_TL_TERM;
    if (tl_add(a, ADVERSARY_TL_ACQUISITION, which, ADVERSARY_TL_ALL, now, now, a->acquisitions)
        || tl_add(a, term, which, ADVERSARY_TL_ALL, lo, hi, a->acquisitions)
        || (hi > lo && tl_add(a, ADVERSARY_TL_WINDOW, which, ADVERSARY_TL_ALL, lo, hi, a->acquisitions))) {
        sim_fail(s, "out of memory during an acquisition");
        return -1;
    }
    int64_t next = now + st->gap;
    if (a->extensions[which] < st->max_extensions && next < s->run.horizon
        && (st->renewal >= 1 || gsl_rng_uniform(rng) < st->renewal)) {
        a->extensions[which]++;
        if (st->gap > 0 && tl_add(a, ADVERSARY_TL_GAP, which, ADVERSARY_TL_ALL, now, next, 0)) {
            sim_fail(s, "out of memory during an acquisition");
            return -1;
        }
        if (st->gap == 0 ? adversary_order_start(a, s, which)     /* seamless: the lookups at `now` are in it */
                         : sim_schedule(s, next, ADVERSARY_EV_ORDER_START, which, 0))
            return -1;
    }
    return ADVERSARY_ACQUIRED_TARGETED;
}

/* A preservation request at `now`: copy the retained records in scope; the
 * server keeps them until now + hold whatever its retention says.  They
 * are the lookups of [window start, the last write by now): with a
 * delivery delay the log has not written the last batch yet. */
static int preserve(struct adversary *a, uint32_t which, int64_t now, int64_t hold, struct serverlog *log)
{
    serverlog_purge(log, now);
    if (a->nholds == a->capholds) {
        size_t cap = a->capholds ? 2 * a->capholds : 4;
        struct adversary_hold *h = realloc(a->holds, cap * sizeof *h);
        if (!h)
            return -1;
        a->holds = h;
        a->capholds = cap;
    }
    struct adversary_hold *h = &a->holds[a->nholds];
    size_t cap = 0;
    int64_t from = serverlog_window_start(log) + 1;
    a->pair_cutoff = pair_cutoff_at(log, now);
    if (from < a->pair_cutoff)
        from = a->pair_cutoff;                      /* the pairs held are of [cutoff, end) */
    *h = (struct adversary_hold){ .at = now, .strategy = which, .until = now + hold, .from = from < 0 ? 0 : from,
                                  .to = serverlog_window_end(log, now) };
    uint64_t id = serverlog_first_ordinal(log);
    for (size_t i = 0; i < serverlog_spans(log); i++) {
        size_t n;
        const struct serverlog_rec *r = serverlog_span(log, i, &n);
        for (size_t j = 0; j < n; j++, id++) {
            if (!adversary_in_scope(a, r[j].querier, scope_number(a, log, &r[j])))
                continue;
            if (h->n == cap) {
                cap = cap ? 2 * cap : 1024;
                struct serverlog_rec *nr = realloc(h->r, cap * sizeof *nr);
                uint64_t *ni = nr ? realloc(h->id, cap * sizeof *ni) : NULL;
                if (nr)
                    h->r = nr;
                if (!ni) {
                    free(h->r);
                    free(h->id);
                    return -1;
                }
                h->id = ni;
            }
            h->id[h->n] = id;
            h->r[h->n++] = r[j];
        }
    }
    h->cap = cap;
    a->pair_cutoff = INT64_MIN;
    a->nholds++;
    return tl_add(a, ADVERSARY_TL_HOLD, which, ADVERSARY_TL_ALL, now, now + hold, 0);
}

/* A historical order, acquisition number acq, also obtains every hold
 * still in force. */
static int obtain_holds(struct adversary *a, int64_t now, const struct serverlog *log, struct knowledge *k,
                        uint32_t acq)
{
    for (size_t i = 0; i < a->nholds; i++) {
        const struct adversary_hold *h = &a->holds[i];
        if (h->until < now)
            continue;                               /* the hold has lapsed */
        int64_t to = h->live ? now : h->to;          /* a quick freeze: everything up to the order */
        a->ip_cutoff = log->policy.ip_retention && !h->live ? h->at - log->policy.ip_retention : INT64_MIN;
        a->pair_cutoff = pair_cutoff_at(log, h->at);  /* a freeze's new records all have their pair */
        for (size_t j = 0; j < h->n; j++)
            if ((a->keep && keep_record(a, &h->r[j])) || learn_record(a, k, log, &h->r[j], h->id[j], 1))
                return -1;
        a->ip_cutoff = INT64_MIN;
        a->pair_cutoff = INT64_MIN;
        if (coverage_add(&a->covered, h->from, to) || cover_targets(a, h->from, to, h->at)
            || tl_add(a, ADVERSARY_TL_WINDOW, h->strategy, ADVERSARY_TL_ALL, h->from, to, acq))
            return -1;
    }
    return knowledge_flush(k);
}

int adversary_acquire(struct adversary *a, struct sim *s, uint32_t which,
                      struct serverlog *log, struct knowledge *k, gsl_rng *rng)
{
    const struct adversary_strategy *st = &a->p->s[which];
    if (st->kind == ADVERSARY_PEN_REGISTER)
        return term_end(a, s, which, log, rng);
    if (st->kind == ADVERSARY_QUICK_FREEZE) {       /* the retained records, then every new one */
        if (preserve(a, which, sim_now(s), INT64_MAX / 2, log)) {
            sim_fail(s, "out of memory freezing records");
            return -1;
        }
        a->tl[a->ntl - 1].end = s->run.horizon;     /* the timeline's hold: the freeze runs to the end */
        a->holds[a->nholds - 1].live = 1;
        a->freezing = a->nholds;
        return ADVERSARY_NOTHING;
    }
    if (st->kind == ADVERSARY_PRESERVATION) {       /* nothing acquired yet: no report */
        if (preserve(a, which, sim_now(s), st->hold, log)) {
            sim_fail(s, "out of memory preserving records");
            return -1;
        }
        return ADVERSARY_NOTHING;
    }
    int64_t now = sim_now(s), w[2];
    int hist = st->kind == ADVERSARY_HISTORICAL;
    uint32_t acq = a->acquisitions + 1;             /* this one's number */
    if (snapshot(a, now, log, k, hist, &a->covered, w)
        || (hist ? cover_targets(a, w[0], w[1], -1) : coverage_add(&a->bulk, w[0], w[1]))
        || tl_add(a, ADVERSARY_TL_ACQUISITION, which, ADVERSARY_TL_ALL, now, now, acq)
        || (w[1] > w[0] && tl_add(a, ADVERSARY_TL_WINDOW, which, ADVERSARY_TL_ALL, w[0], w[1], acq))
        || (hist && obtain_holds(a, now, log, k, acq))) {
        sim_fail(s, "out of memory during an acquisition");
        return -1;
    }
    a->orders += hist;
    a->acquisitions++;
    if (st->period > 0 && now + st->period <= s->run.horizon
        && sim_schedule(s, now + st->period, ADVERSARY_EV_ACQUIRE, which, 0))
        return -1;
    return st->kind == ADVERSARY_HISTORICAL ? ADVERSARY_ACQUIRED_TARGETED : ADVERSARY_ACQUIRED;
}

/* Is the record in scope of the people set in bits (the scope's rule)? */
static int in_scope_of(const struct adversary *a, const uint64_t *bits, uint32_t querier, uint32_t queried)
{
    int out = querier < a->people && ((bits[querier >> 6] >> (querier & 63)) & 1);
    int in = queried < a->people && ((bits[queried >> 6] >> (queried & 63)) & 1);
    switch (a->p->scope) {
    case ADVERSARY_SCOPE_OUTGOING: return out;
    case ADVERSARY_SCOPE_INCOMING: return in;
    default: return out || in;
    }
}

int adversary_serve_new(struct adversary *a, int64_t now, struct serverlog *log, struct knowledge *k)
{
    uint32_t fresh = 0;
    for (uint32_t i = 0; i < a->ntargets; i++)
        fresh += a->tinfo[i].fresh != 0;
    if (!fresh)
        return 0;
    uint64_t *bits = calloc((size_t)a->people / 64 + 1, sizeof *bits);
    if (!bits)
        return -1;
    for (uint32_t i = 0; i < a->ntargets; i++)
        if (a->tinfo[i].fresh)
            bits[a->targets[i] >> 6] |= 1ull << (a->targets[i] & 63);
    serverlog_purge(log, now);
    knowledge_set_time(k, (uint32_t)now);
    uint64_t id = serverlog_first_ordinal(log);
    int rc = 0;
    if (log->policy.ip_retention)
        a->ip_cutoff = now - log->policy.ip_retention;
    a->pair_cutoff = pair_cutoff_at(log, now);
    for (size_t i = 0; !rc && i < serverlog_spans(log); i++) {
        size_t n;
        const struct serverlog_rec *r = serverlog_span(log, i, &n);
        for (size_t j = 0; !rc && j < n; j++, id++)
            if (in_scope_of(a, bits, r[j].querier, scope_number(a, log, &r[j])))
                rc = (a->keep && keep_record(a, &r[j])) || learn_record(a, k, log, &r[j], id, 1);
    }
    free(bits);
    a->ip_cutoff = INT64_MIN;
    int64_t pc = a->pair_cutoff;
    a->pair_cutoff = INT64_MIN;
    if (rc || knowledge_flush(k))
        return -1;
    int64_t lo = serverlog_window_start(log) + 1, hi = serverlog_window_end(log, now);
    lo = lo < pc ? pc : lo;
    lo = lo < 0 ? 0 : lo;
    if (coverage_add(&a->covered, lo, hi))
        return -1;
    for (uint32_t i = 0; i < a->ntargets; i++)
        if (a->tinfo[i].fresh) {
            a->tinfo[i].fresh = 0;
            if (coverage_add(&a->tinfo[i].cov, lo, hi)
                || (hi > lo && tl_add(a, ADVERSARY_TL_WINDOW, ADVERSARY_TL_EXPANSION, a->targets[i], lo, hi,
                                      a->acquisitions)))
                return -1;
        }
    a->orders++;
    return 0;
}

int adversary_target_union(const struct adversary *a, uint32_t i, struct coverage *u)
{
    coverage_init(u);
    int rc = 0;
    for (size_t j = 0; !rc && j < a->bulk.n; j++)
        rc = coverage_add(u, a->bulk.iv[j][0], a->bulk.iv[j][1]);
    const struct coverage *c = &a->tinfo[i].cov;
    for (size_t j = 0; !rc && j < c->n; j++)
        rc = coverage_add(u, c->iv[j][0], c->iv[j][1]);
    return rc;
}

int adversary_target_coverage(const struct adversary *a, double *days, double *holes)
{
    double d = 0, h = 0;
    for (uint32_t i = 0; i < a->ntargets; i++) {
        struct coverage u;
        int rc = adversary_target_union(a, i, &u);
        d += (double)coverage_total(&u) / 86400.0;
        h += coverage_holes(&u);
        coverage_destroy(&u);
        if (rc)
            return -1;
    }
    *days = a->ntargets ? d / a->ntargets : 0;
    *holes = a->ntargets ? h / a->ntargets : 0;
    return 0;
}
