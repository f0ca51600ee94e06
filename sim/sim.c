/* sim — run loop and model services; see sim.h. */
#include "sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "results.h"

const struct sim_model_type *sim_model_find(const struct sim_model_type *const *models,
                                            const char *root_element)
{
    for (size_t i = 0; models && models[i]; i++)
        if (strcmp(models[i]->name, root_element) == 0)
            return models[i];
    return NULL;
}

/* The placeholder of a row's name pattern ("{k}" or "{name}"), or NULL;
 * *len gets its length. */
static const char *placeholder(const char *pattern, size_t *len)
{
    const char *p = strstr(pattern, "{k}");
    *len = 3;
    if (!p && (p = strstr(pattern, "{name}")))
        *len = 6;
    return p;
}

/* Copy pattern into out, its placeholder replaced by k (NULL: none to
 * replace). */
static void fill_k(char *out, size_t len, const char *pattern, const char *k)
{
    size_t o = 0, plen = 0;
    const char *at = k ? placeholder(pattern, &plen) : NULL;
    for (const char *p = pattern; *p && o + 1 < len;) {
        if (p == at) {
            for (const char *q = k; *q && o + 1 < len; q++)
                out[o++] = *q;
            p += plen;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
}

/* Whether name matches the row's name pattern; *k gets what the
 * placeholder stood for: a family's number for "{k}" (its digits, at most
 * 9, no leading 0), a name for "{name}" (1 to 64 letters, digits, '.',
 * '_' or '-'). */
static int name_matches(const char *pattern, const char *name, char k[72])
{
    size_t plen;
    const char *brace = placeholder(pattern, &plen);
    k[0] = '\0';
    if (!brace)
        return strcmp(pattern, name) == 0;
    size_t pre = (size_t)(brace - pattern), post = strlen(brace + plen), n = strlen(name);
    if (n < pre + post + 1 || strncmp(name, pattern, pre) != 0 || strcmp(name + n - post, brace + plen) != 0)
        return 0;
    size_t len = n - pre - post;
    int word = plen == 6;
    if (len > (word ? 64u : 9u) || (!word && name[pre] == '0'))
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[pre + i];
        int digit = c >= '0' && c <= '9';
        int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == '-';
        if (!digit && !(word && letter))
            return 0;
    }
    memcpy(k, name + pre, len);
    k[len] = '\0';
    return 1;
}

int sim_metric_describe(const struct sim_metric_info *table, const char *name, struct sim_metric_desc *out)
{
    memset(out, 0, sizeof *out);
    char k[72];
    for (int targets = 0; targets < 2; targets++) {
        const char *n = name;
        if (targets) {
            if (strncmp(name, "target_", 7) != 0)
                break;
            n = name + 7;
        }
        for (const struct sim_metric_info *m = table; m && m->name; m++) {
            if ((targets && !(m->flags & SIM_METRIC_TARGETS)) || !name_matches(m->name, n, k))
                continue;
            out->info = m;
            out->unit = m->unit;
            out->flags = m->flags;
            out->targets = targets;
            char t[sizeof out->title - 16];
            fill_k(t, sizeof t, m->title, k[0] ? k : NULL);
            snprintf(out->title, sizeof out->title, "%s%s", t, targets ? " (targets)" : "");
            fill_k(t, sizeof t, m->axis, k[0] ? k : NULL);
            snprintf(out->axis, sizeof out->axis, "%s%s", t, targets ? " (targets)" : "");
            return 0;
        }
    }
    snprintf(out->title, sizeof out->title, "%s", name);
    snprintf(out->axis, sizeof out->axis, "value");
    out->unit = "";
    return -1;
}

int sim_read_run(struct cfg *c, struct sim_run_params *out)
{
    const struct cfg_node *run = cfg_child(cfg_root(c), "run");
    long seed, reps, days;
    int rc = 0;
    rc |= cfg_long(c, run, "seed", 1, &seed);
    rc |= cfg_long(c, run, "replications", 1, &reps);
    rc |= cfg_long(c, run, "horizon_days", 0, &days);
    if (rc)
        return -1;
    /* The schema bounds these; the checks below guard the arithmetic. */
    if (seed < 0 || seed > (long)UINT32_MAX)
        return cfg_error(c, run, "seed", "must be 0 to 4294967295");
    if (reps < 1 || reps > (long)RNG_MAX_REPLICATIONS)
        return cfg_error(c, run, "replications", "must be 1 to %u", RNG_MAX_REPLICATIONS);
    if (days < 1 || days > 36500)
        return cfg_error(c, run, "horizon_days", "must be 1 to 36500");
    out->seed = (uint32_t)seed;
    out->replications = (uint32_t)reps;
    out->horizon = (sim_time)days * SIM_DAY;
    out->part = NULL;                     /* the whole replication here (the program may split it) */
    return 0;
}

void sim_fail(struct sim *s, const char *fmt, ...)
{
    if (s->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->error, sizeof s->error, fmt, ap);
    va_end(ap);
    s->failed = 1;
}

int sim_schedule(struct sim *s, sim_time t, uint32_t kind, uint32_t a, uint32_t b)
{
    if (t < s->now) {
        sim_fail(s, "internal error: event scheduled at %lld before now %lld",
                 (long long)t, (long long)s->now);
        return -1;
    }
    if (evq_push(&s->queue, t, kind, a, b)) {
        sim_fail(s, "out of memory in the event queue");
        return -1;
    }
    return 0;
}

void sim_metric(struct sim *s, uint32_t acq, double day, const char *metric, double value)
{
    if (results_add(s->results, s->replication, acq, day, metric, value))
        sim_fail(s, "out of memory storing metrics");
}

void sim_table_row(struct sim *s, const char *table, const char *const *cols, const char *const *text,
                   const double *num, size_t n)
{
    int known = 0;
    for (const char *const *t = s->type->tables; t && *t && !known; t++)
        known = strcmp(*t, table) == 0;
    int named = 1;
    for (size_t c = 0; c < n && named; c++)
        named = cols[c][0] && strspn(cols[c], "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(cols[c]);
    if (!known || !named) {
        sim_fail(s, "internal error: table %s (or one of its column names) is not declared by model %s",
                 table, s->type->name);
        return;
    }
    if (results_table_add(s->results, s->replication, table, cols, text, num, n))
        sim_fail(s, "out of memory storing table %s (or its columns changed: an internal error)", table);
}

void sim_metric_time(struct sim *s, double seconds) { s->results->metric_seconds += seconds; }

/* Dispatch, in (time, seq) order, every heap event before `end` (or at it,
 * when inclusive) merged with the batch's events (all of which lie before
 * `end`).  Runs of batch events that precede the heap's first event go to
 * the model's handle_run in one call when it has one. */
static void run_until(struct sim *s, void *state, sim_time end, int inclusive)
{
    struct sim_event ev;
    struct batch *b = &s->batch;
    for (;;) {
        const struct sim_event *h = evq_peek(&s->queue);
        int heap_ok = h && (h->time < end || (inclusive && h->time == end));
        const struct batch_entry *e = batch_peek(b);
        if (!heap_ok && !e)
            return;
        if (heap_ok && (!e || evq_cmp(h->time, h->seq, e->time, batch_peek_seq(b)) < 0)) {
            evq_pop(&s->queue, &ev);
        } else if (s->type->handle_run) {
            size_t n = 1, avail = batch_avail(b);     /* the run before the heap's first */
            if (!heap_ok)
                n = avail;
            else
                while (n < avail && evq_cmp(e[n].time, b->first_seq + b->cursor + n, h->time, h->seq) < 0)
                    n++;
            s->now = e->time;
            size_t done = s->type->handle_run(s, state, e, n);
            b->cursor += done;
            s->events += done;
            s->now = e[done - 1].time;
            if (s->failed)
                return;
            continue;
        } else {
            ev = (struct sim_event){ e->time, batch_peek_seq(b), e->kind, e->a, e->b };
            b->cursor++;
        }
        s->now = ev.time;
        s->type->handle(s, state, &ev);
        s->events++;
        if (s->failed)
            return;
    }
}

int sim_run_replication(const struct sim_model_type *type, const void *params,
                        const struct sim_run_params *run, uint32_t rep,
                        struct results *results, void *describe,
                        char *err, size_t errlen, uint64_t *events)
{
    struct sim s;
    memset(&s, 0, sizeof s);
    s.type = type;
    s.run = *run;
    s.replication = rep;
    s.results = results;
    evq_init(&s.queue);
    void *state = NULL;
    int rc = -1;
    if (batch_init(&s.batch, SIM_DAY)) {
        sim_fail(&s, "out of memory");
        goto out;
    }
    for (unsigned c = 0; type->streams[c]; c++) {
        if (c >= RNG_MAX_COMPONENTS || !(s.rng[c] = rng_stream_new(run->seed, rep, c))) {
            sim_fail(&s, "cannot create random stream %u", c);
            goto out;
        }
    }
    state = type->init(&s, params);
    if (!state || s.failed) {
        if (!s.failed)
            sim_fail(&s, "model initialisation failed");
        goto out;
    }
    if (describe && type->describe)
        type->describe(state, describe);
    for (sim_time start = 0; start < run->horizon && !s.failed; start += SIM_DAY) {
        sim_time end = start + SIM_DAY < run->horizon ? start + SIM_DAY : run->horizon;
        s.now = start;
        batch_begin(&s.batch, start);
        type->slice(&s, state, start, end);
        if (s.failed)
            break;
        if (batch_sort(&s.batch, evq_take_seq(&s.queue, s.batch.n))) {
            sim_fail(&s, "out of memory sorting day %lld's events", (long long)(start / SIM_DAY));
            break;
        }
        run_until(&s, state, end, 0);
    }
    if (!s.failed) {
        batch_begin(&s.batch, run->horizon);
        run_until(&s, state, run->horizon, 1);   /* acquisitions at the horizon */
    }
    if (!s.failed) {
        s.now = run->horizon;
        type->finish(&s, state);
    }
    if (!s.failed)
        rc = 0;
out:
    if (s.failed && err)
        snprintf(err, errlen, "replication %u: %s", rep + 1, s.error);
    if (events)
        *events = s.events;
    if (state)
        type->destroy(state);
    for (unsigned c = 0; c < RNG_MAX_COMPONENTS; c++)
        gsl_rng_free(s.rng[c]);
    batch_destroy(&s.batch);
    evq_destroy(&s.queue);
    return rc;
}

int sim_generate(const struct sim_model_type *type, const void *params,
                 const struct sim_run_params *run, uint32_t rep, void *staged, int graphml,
                 void *describe, struct diag *d)
{
    struct sim s;
    memset(&s, 0, sizeof s);
    s.type = type;
    s.run = *run;
    s.replication = rep;
    evq_init(&s.queue);
    struct results res;
    results_init(&res);
    s.results = &res;
    void *state = NULL;
    int rc = -1;
    if (!type->generate) {
        diag_add(d, NULL, 0, "model '%s' cannot write its generated world", type->name);
        goto out;
    }
    for (unsigned c = 0; type->streams[c]; c++)
        if (c >= RNG_MAX_COMPONENTS || !(s.rng[c] = rng_stream_new(run->seed, rep, c))) {
            diag_add(d, NULL, 0, "cannot create random stream %u", c);
            goto out;
        }
    state = type->init(&s, params);
    if (!state || s.failed) {
        diag_add(d, NULL, 0, "%s", s.failed ? s.error : "model initialisation failed");
        goto out;
    }
    if (describe && type->describe)
        type->describe(state, describe);
    rc = type->generate(state, staged, graphml, d);
out:
    if (state)
        type->destroy(state);
    for (unsigned c = 0; c < RNG_MAX_COMPONENTS; c++)
        gsl_rng_free(s.rng[c]);
    evq_destroy(&s.queue);
    results_destroy(&res);
    return rc;
}
