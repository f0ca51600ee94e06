/* adversary — acquisition strategies; see adversary.h. */
#include "adversary.h"

#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "sim.h"

int adversary_configure(struct adversary_params *p, struct cfg *c, const struct cfg_node *node,
                        int64_t horizon)
{
    memset(p, 0, sizeof *p);
    size_t n = 0;
    for (const struct cfg_node *ch = cfg_first(node); ch; ch = cfg_next(ch))
        n++;
    p->s = calloc(n ? n : 1, sizeof *p->s);
    if (!p->s)
        return diag_add(cfg_diag(c), NULL, 0, "out of memory");
    int rc = 0;
    for (const struct cfg_node *ch = cfg_first(node); ch; ch = cfg_next(ch)) {
        struct adversary_strategy *st = &p->s[p->n++];
        if (strcmp(cfg_name(ch), "bulk_snapshot") == 0) {
            long period, start;
            if (cfg_long(c, ch, "period_days", 0, &period) || cfg_long(c, ch, "start_day", period, &start)) {
                rc = -1;
                continue;
            }
            st->kind = ADVERSARY_BULK;
            st->period = period * 86400;
            st->start = start * 86400;
            if (st->start > horizon)
                rc = cfg_error(c, ch, cfg_has(ch, "start_day") ? "start_day" : "period_days",
                               "the first snapshot (day %ld) comes after the horizon (day %lld): "
                               "nothing would be acquired", start, (long long)(horizon / 86400));
        } else {
            rc = cfg_error(c, ch, NULL, "unknown acquisition strategy");
        }
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
    memset(p, 0, sizeof *p);
}

void adversary_init(struct adversary *a, const struct adversary_params *p)
{
    memset(a, 0, sizeof *a);
    a->p = p;
    coverage_init(&a->covered);
}

void adversary_destroy(struct adversary *a)
{
    if (a)
        coverage_destroy(&a->covered);
}

int adversary_start(struct adversary *a, struct sim *s)
{
    for (size_t i = 0; i < a->p->n; i++)
        if (sim_schedule(s, a->p->s[i].start, ADVERSARY_EV_ACQUIRE, (uint32_t)i, 0))
            return -1;
    return 0;
}

/* The whole retained log: every record goes into the knowledge (a hashed
 * number is first reversed, serverlog_reveal); the covered window is the
 * span of lookup times the retained records can come from
 * (serverlog_window_start, now], clipped at time 0. */
static int bulk_snapshot(struct adversary *a, int64_t now, struct serverlog *log, struct knowledge *k)
{
    serverlog_purge(log, now);
    size_t spans = serverlog_spans(log);
    int plain = log->policy.queried == SERVERLOG_QUERIED_KEPT;
    for (size_t i = 0; i < spans; i++) {
        size_t n;
        const struct logrec *r = serverlog_span(log, i, &n);
        for (size_t j = 0; j < n; j++) {
            uint32_t queried = plain ? r[j].queried : serverlog_reveal(log, r[j].queried);
            if (queried == SERVERLOG_NO_NUMBER) {   /* a lookup, but of whom is unknown */
                k->records++;
                continue;
            }
            if (knowledge_stage(k, r[j].querier, queried))
                return -1;
        }
    }
    if (knowledge_flush(k))
        return -1;
    int64_t lo = serverlog_window_start(log);
    return coverage_add(&a->covered, lo < 0 ? 0 : lo, now);
}

int adversary_acquire(struct adversary *a, struct sim *s, uint32_t which,
                      struct serverlog *log, struct knowledge *k)
{
    const struct adversary_strategy *st = &a->p->s[which];
    int64_t now = sim_now(s);
    if (bulk_snapshot(a, now, log, k)) {
        sim_fail(s, "out of memory during an acquisition");
        return -1;
    }
    a->acquisitions++;
    metrics_report(s, a->acquisitions, now, k, &a->covered);
    if (now + st->period <= s->run.horizon)
        return sim_schedule(s, now + st->period, ADVERSARY_EV_ACQUIRE, which, 0);
    return 0;
}
