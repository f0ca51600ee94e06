/* check_sim — the engine's run loop (sim.h) with a toy model written only
 * against the engine's interface, as ROSS's phold is: no header of
 * models/ is included, and this program links the engine alone.
 *
 * The toy ("phold"): P people; each day's slice draws, per person, a
 * Poisson number of "ping" events at uniform seconds into the batch (dense
 * events); a ping of a person whose id is a multiple of 7 schedules a
 * sparse "pong" 100 s later through the heap; a sparse "tick" every
 * `tick_days` days reports a metric.  The tests check the engine's
 * contract: events in (time, seq) order with batch and heap merged, the
 * same events and metrics from the same seeds, handle_run given only runs
 * that precede the heap's first event, events at the horizon delivered,
 * sim_fail stopping a replication with its message, streams seeded as
 * rng_stream_seed says. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "results.h"
#include "rng.h"
#include "sim.h"
#include "suites.h"
#include "testutil.h"

enum { EV_PING = 1, EV_PONG = 2, EV_TICK = 3 };

struct toy_params {
    uint32_t people;
    double rate;            /* pings per person per day */
    long tick_days;
    int use_run;            /* offer handle_run */
    long fail_at;           /* sim_fail when this many events were handled (0: never) */
};

struct toy {
    const struct toy_params *p;
    sim_time last_time;
    uint64_t last_seq_order;   /* handled events, to check (time) order */
    uint64_t handled, pings, pongs, ticks, run_calls, run_events;
    uint64_t hash;             /* of the handled events, in order */
    int out_of_order;
    int run_after_heap;        /* handle_run got an entry after a pending heap event */
    int started;
};

static const char *const toy_streams[] = { "traffic", "other", NULL };

static void *toy_configure(struct cfg *c, const struct sim_run_params *run)
{
    (void)c, (void)run;
    return NULL;              /* the tests build their params by hand */
}

static void toy_free_params(void *p) { (void)p; }

static void *toy_init(struct sim *s, const void *vp)
{
    struct toy *t = calloc(1, sizeof *t);
    if (!t) {
        sim_fail(s, "out of memory");
        return NULL;
    }
    t->p = vp;
    t->last_time = -1;
    if (t->p->tick_days > 0 && sim_schedule(s, t->p->tick_days * SIM_DAY, EV_TICK, 0, 0)) {
        free(t);
        return NULL;
    }
    return t;
}

static void toy_slice(struct sim *s, void *vs, sim_time start, sim_time end)
{
    struct toy *t = vs;
    gsl_rng *r = sim_rng(s, 0);
    double mean = t->p->rate * (double)(end - start) / SIM_DAY;
    for (uint32_t u = 0; u < t->p->people; u++) {
        unsigned k = gsl_ran_poisson(r, mean);
        for (unsigned i = 0; i < k; i++) {
            uint32_t at = (uint32_t)start + rng_below(r, (uint32_t)(end - start));
            if (batch_add(sim_batch(s), at, EV_PING, u, i)) {
                sim_fail(s, "out of memory");
                return;
            }
        }
    }
}

static void note(struct sim *s, struct toy *t, sim_time time, uint32_t kind, uint32_t a)
{
    if (time < t->last_time)
        t->out_of_order = 1;
    t->last_time = time;
    t->handled++;
    t->hash = (t->hash ^ ((uint64_t)time << 20 ^ (uint64_t)kind << 16 ^ a)) * 0x100000001b3ull;
    if (t->p->fail_at && (long)t->handled == t->p->fail_at)
        sim_fail(s, "toy failure after %llu events", (unsigned long long)t->handled);
}

static void toy_handle(struct sim *s, void *vs, const struct sim_event *ev)
{
    struct toy *t = vs;
    note(s, t, ev->time, ev->kind, ev->a);
    switch (ev->kind) {
    case EV_PING:
        t->pings++;
        if (ev->a % 7 == 0)
            sim_schedule(s, ev->time + 100, EV_PONG, ev->a, 0);
        break;
    case EV_PONG:
        t->pongs++;
        break;
    case EV_TICK:
        t->ticks++;
        sim_metric(s, (uint32_t)t->ticks, (double)ev->time / SIM_DAY, "pings", (double)t->pings);
        sim_metric(s, (uint32_t)t->ticks, (double)ev->time / SIM_DAY, "pongs", (double)t->pongs);
        if (ev->time + t->p->tick_days * SIM_DAY <= s->run.horizon)
            sim_schedule(s, ev->time + t->p->tick_days * SIM_DAY, EV_TICK, 0, 0);
        break;
    default:
        sim_fail(s, "unknown event kind %u", ev->kind);
    }
}

/* Handles a run of pings; stops right after one that schedules a pong, as
 * the contract asks. */
static size_t toy_handle_run(struct sim *s, void *vs, const struct batch_entry *e, size_t n)
{
    struct toy *t = vs;
    t->run_calls++;
    const struct sim_event *h = evq_peek(&s->queue);
    if (h && e[n - 1].time > h->time)
        t->run_after_heap = 1;
    for (size_t i = 0; i < n; i++) {
        t->run_events++;
        struct sim_event ev = { e[i].time, 0, e[i].kind, e[i].a, e[i].b };
        s->now = e[i].time;
        toy_handle(s, t, &ev);
        if (s->failed || (e[i].kind == EV_PING && e[i].a % 7 == 0))
            return i + 1;
    }
    return n;
}

static void toy_finish(struct sim *s, void *vs)
{
    struct toy *t = vs;
    sim_metric(s, (uint32_t)t->ticks + 1, (double)s->run.horizon / SIM_DAY, "handled", (double)t->handled);
}

static struct toy last;        /* a copy of the replication's final state */

static void toy_destroy(void *vs)
{
    if (vs)
        last = *(struct toy *)vs;
    free(vs);
}

static struct sim_model_type toy_model = {
    .name = "toy",
    .streams = toy_streams,
    .configure = toy_configure,
    .free_params = toy_free_params,
    .init = toy_init,
    .slice = toy_slice,
    .handle = toy_handle,
    .finish = toy_finish,
    .destroy = toy_destroy,
};

static int run_toy(const struct toy_params *p, uint32_t seed, uint32_t rep, long days, struct results *res,
                   char *err, size_t errlen, uint64_t *events)
{
    struct sim_model_type type = toy_model;
    if (p->use_run)
        type.handle_run = toy_handle_run;
    struct sim_run_params run = { seed, rep + 1, (sim_time)days * SIM_DAY };
    memset(&last, 0, sizeof last);
    return sim_run_replication(&type, p, &run, rep, res, NULL, err, errlen, events);
}

START_TEST(test_order_and_counts)
{
    for (int use_run = 0; use_run < 2; use_run++) {
        struct toy_params p = { .people = 300, .rate = 2.0, .tick_days = 5, .use_run = use_run };
        struct results res;
        results_init(&res);
        char err[256] = "";
        uint64_t events = 0;
        ck_assert_int_eq(run_toy(&p, 42, 0, 20, &res, err, sizeof err, &events), 0);
        ck_assert_int_eq(last.out_of_order, 0);
        ck_assert_int_eq(last.run_after_heap, 0);
        ck_assert_uint_eq(events, last.handled);
        ck_assert_uint_eq(last.handled, last.pings + last.pongs + last.ticks);
        ck_assert_uint_eq(last.ticks, 4);                 /* days 5, 10, 15 and 20 (the horizon) */
        /* 300 people x 2 a day x 20 days: 12,000 expected, sd 110 */
        ck_assert(fabs((double)last.pings - 12000.0) < 5 * sqrt(12000.0));
        if (use_run)
            ck_assert_uint_gt(last.run_calls, 0);
        else
            ck_assert_uint_eq(last.run_calls, 0);
        /* every metric reported went to the results: 2 per tick, 1 at the end */
        ck_assert_uint_eq(res.n, 2 * last.ticks + 1);
        ck_assert_str_eq(res.metrics[res.rows[res.n - 1].metric], "handled");
        ck_assert_double_eq(res.rows[res.n - 1].value, (double)last.handled);
        results_destroy(&res);
    }
}
END_TEST

/* handle_run is an optimisation: the events handled and their order are
 * the same with or without it; the same seeds give the same run. */
START_TEST(test_run_path_same_events)
{
    struct toy_params p = { .people = 200, .rate = 3.0, .tick_days = 3, .use_run = 0 };
    uint64_t hash[3], handled[3];
    for (int i = 0; i < 3; i++) {
        p.use_run = i == 1;
        struct results res;
        results_init(&res);
        char err[256];
        ck_assert_int_eq(run_toy(&p, 7, 2, 9, &res, err, sizeof err, NULL), 0);
        hash[i] = last.hash;
        handled[i] = last.handled;
        results_destroy(&res);
    }
    ck_assert_uint_eq(handled[0], handled[1]);
    ck_assert_uint_eq(hash[0], hash[1]);
    ck_assert_uint_eq(hash[0], hash[2]);       /* same seed, same replication: same run */
    struct results res;
    results_init(&res);
    char err[256];
    ck_assert_int_eq(run_toy(&p, 7, 3, 9, &res, err, sizeof err, NULL), 0);   /* another replication */
    ck_assert_uint_ne(last.hash, hash[0]);
    results_destroy(&res);
}
END_TEST

/* sim_table_row: a declared table's rows reach the results with the
 * replication; an undeclared table, or a column name outside [a-z0-9_],
 * fails the replication with an internal error. */
static const char *tbl_name = "ticks", *tbl_col = "day";
static void toy_finish_table(struct sim *s, void *vs)
{
    struct toy *t = vs;
    const char *cols[] = { tbl_col, "kind" }, *text[] = { NULL, "tick" };
    for (uint32_t i = 1; i <= t->ticks; i++) {
        double num[] = { i * 5.0, 0 };
        sim_table_row(s, tbl_name, cols, text, num, 2);
    }
}

START_TEST(test_table_row)
{
    static const char *const tables[] = { "ticks", NULL };
    struct sim_model_type type = toy_model;
    type.finish = toy_finish_table;
    type.tables = tables;
    struct toy_params p = { .people = 10, .rate = 1.0, .tick_days = 5 };
    struct sim_run_params run = { 1, 3, 20 * SIM_DAY };
    struct results res;
    results_init(&res);
    char err[256];
    ck_assert_int_eq(sim_run_replication(&type, &p, &run, 2, &res, NULL, err, sizeof err, NULL), 0);
    ck_assert_uint_eq(res.ntabs, 1);
    ck_assert_str_eq(res.tabs[0].name, "ticks");
    ck_assert_uint_eq(res.tabs[0].n, 4);                  /* days 5, 10, 15, 20 */
    ck_assert_uint_eq(res.tabs[0].rep[3], 2);
    ck_assert_double_eq(res.tabs[0].cells[3 * 2].num, 20);
    ck_assert_str_eq(res.tabs[0].cells[3 * 2 + 1].text, "tick");
    results_destroy(&res);
    for (int k = 0; k < 2; k++) {
        tbl_name = k == 0 ? "other" : "ticks";
        tbl_col = k == 0 ? "day" : "Day";
        results_init(&res);
        ck_assert_int_eq(sim_run_replication(&type, &p, &run, 0, &res, NULL, err, sizeof err, NULL), -1);
        ck_assert_msg(strstr(err, "internal error: table"), "%s", err);
        results_destroy(&res);
    }
    tbl_name = "ticks";
    tbl_col = "day";
}
END_TEST

/* The streams of replication r are seeded as rng_stream_seed says. */
static uint32_t seen_first_word;
static void *toy_init_peek(struct sim *s, const void *vp)
{
    seen_first_word = (uint32_t)gsl_rng_get(sim_rng(s, 1));
    return toy_init(s, vp);
}

START_TEST(test_stream_seeds)
{
    struct sim_model_type type = toy_model;
    type.init = toy_init_peek;
    struct toy_params p = { .people = 1, .rate = 0.0 };
    struct sim_run_params run = { 99, 5, SIM_DAY };
    struct results res;
    results_init(&res);
    char err[256];
    ck_assert_int_eq(sim_run_replication(&type, &p, &run, 3, &res, NULL, err, sizeof err, NULL), 0);
    gsl_rng *ref = rng_stream_new(99, 3, 1);
    ck_assert_uint_eq(seen_first_word, (uint32_t)gsl_rng_get(ref));
    gsl_rng_free(ref);
    results_destroy(&res);
}
END_TEST

/* sim_fail stops the replication: status -1, the message with the
 * replication's number, no finish. */
START_TEST(test_fail_stops)
{
    struct toy_params p = { .people = 100, .rate = 5.0, .tick_days = 1, .use_run = 1, .fail_at = 250 };
    struct results res;
    results_init(&res);
    char err[256] = "";
    uint64_t events = 0;
    ck_assert_int_eq(run_toy(&p, 1, 1, 10, &res, err, sizeof err, &events), -1);
    ck_assert_str_eq(err, "replication 2: toy failure after 250 events");
    ck_assert_uint_eq(last.handled, 250);
    ck_assert_uint_eq(events, 250);
    for (size_t i = 0; i < res.n; i++)
        ck_assert_str_ne(res.metrics[res.rows[i].metric], "handled");
    results_destroy(&res);
}
END_TEST

START_TEST(test_schedule_in_past_fails)
{
    struct sim s;
    memset(&s, 0, sizeof s);
    evq_init(&s.queue);
    s.now = 100;
    ck_assert_int_eq(sim_schedule(&s, 99, 1, 0, 0), -1);
    ck_assert_int_eq(s.failed, 1);
    ck_assert_ptr_nonnull(strstr(s.error, "before now"));
    evq_destroy(&s.queue);
}
END_TEST

START_TEST(test_model_find)
{
    const struct sim_model_type other = { .name = "other" };
    const struct sim_model_type *const table[] = { &other, &toy_model, NULL };
    ck_assert_ptr_eq(sim_model_find(table, "toy"), &toy_model);
    ck_assert_ptr_eq(sim_model_find(table, "other"), &other);
    ck_assert_ptr_null(sim_model_find(table, "scenario"));
    ck_assert_ptr_null(sim_model_find(NULL, "toy"));
}
END_TEST

/* A metric table: exact names, a family's members ("{k}" filled in,
 * no leading zero, no empty number), target_ forms only for the rows
 * flagged so (an exact target_ row wins), and unknown names. */
START_TEST(test_metric_describe)
{
    static const struct sim_metric_info table[] = {
        { "recall", "Recall", "share", "pairs found", SIM_METRIC_SHARE, NULL },
        { "hop_{k}_cov", "{k}-hop coverage", "share", "within {k} hops", SIM_METRIC_SHARE, NULL },
        { "home", "Homes", "share", "homes found", SIM_METRIC_SHARE | SIM_METRIC_TARGETS, NULL },
        { "target_days", "Target days", "days", "days", 0, NULL },
        { "days", "Days", "days", "days", SIM_METRIC_TARGETS, NULL },
        { NULL, NULL, NULL, NULL, 0, NULL },
    };
    struct sim_metric_desc d;
    ck_assert_int_eq(sim_metric_describe(table, "recall", &d), 0);
    ck_assert_str_eq(d.title, "Recall");
    ck_assert_str_eq(d.unit, "share");
    ck_assert_uint_eq(d.flags, SIM_METRIC_SHARE);
    ck_assert_int_eq(d.targets, 0);
    ck_assert_int_eq(sim_metric_describe(table, "hop_12_cov", &d), 0);
    ck_assert_str_eq(d.title, "12-hop coverage");
    ck_assert_str_eq(d.axis, "within 12 hops");
    ck_assert_ptr_eq(d.info, &table[1]);
    ck_assert_int_eq(sim_metric_describe(table, "hop_01_cov", &d), -1);
    ck_assert_int_eq(sim_metric_describe(table, "hop__cov", &d), -1);
    ck_assert_int_eq(sim_metric_describe(table, "hop_1x_cov", &d), -1);
    ck_assert_int_eq(sim_metric_describe(table, "target_home", &d), 0);
    ck_assert_str_eq(d.title, "Homes (targets)");
    ck_assert_int_eq(d.targets, 1);
    ck_assert_int_eq(sim_metric_describe(table, "target_recall", &d), -1);   /* not flagged */
    ck_assert_int_eq(sim_metric_describe(table, "target_days", &d), 0);
    ck_assert_ptr_eq(d.info, &table[3]);
    ck_assert_int_eq(d.targets, 0);
    ck_assert_int_eq(sim_metric_describe(table, "nope", &d), -1);
    ck_assert_str_eq(d.title, "nope");
    ck_assert_str_eq(d.unit, "");
    ck_assert_ptr_null(d.info);
    ck_assert_int_eq(sim_metric_describe(NULL, "recall", &d), -1);
}
END_TEST

/* A family named by a word: "{name}" takes letters, digits, '.', '_' and
 * '-' (1 to 64), and a fixed row before it wins. */
START_TEST(test_metric_describe_name)
{
    static const struct sim_metric_info table[] = {
        { "fused_recall", "Fused recall", "share", "pairs found", SIM_METRIC_SHARE, NULL },
        { "{name}_recall", "Recall from {name}", "share", "pairs {name} gave", SIM_METRIC_SHARE, NULL },
        { NULL, NULL, NULL, NULL, 0, NULL },
    };
    struct sim_metric_desc d;
    ck_assert_int_eq(sim_metric_describe(table, "sms-2.b_recall", &d), 0);
    ck_assert_str_eq(d.title, "Recall from sms-2.b");
    ck_assert_str_eq(d.axis, "pairs sms-2.b gave");
    ck_assert_ptr_eq(d.info, &table[1]);
    ck_assert_int_eq(sim_metric_describe(table, "fused_recall", &d), 0);
    ck_assert_ptr_eq(d.info, &table[0]);
    ck_assert_int_eq(sim_metric_describe(table, "_recall", &d), -1);          /* an empty name */
    ck_assert_int_eq(sim_metric_describe(table, "a b_recall", &d), -1);       /* not a name */
    char long_name[80];
    memset(long_name, 'x', 65);
    strcpy(long_name + 65, "_recall");
    ck_assert_int_eq(sim_metric_describe(table, long_name, &d), -1);          /* longer than 64 */
}
END_TEST

Suite *sim_suite(void)
{
    Suite *s = suite_create("sim");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_order_and_counts);
    tcase_add_test(tc, test_run_path_same_events);
    tcase_add_test(tc, test_stream_seeds);
    tcase_add_test(tc, test_table_row);
    tcase_add_test(tc, test_fail_stops);
    tcase_add_test(tc, test_schedule_in_past_fails);
    tcase_add_test(tc, test_model_find);
    tcase_add_test(tc, test_metric_describe);
    tcase_add_test(tc, test_metric_describe_name);
    suite_add_tcase(s, tc);
    return s;
}
