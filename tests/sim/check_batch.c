/* check_batch — the per-slice sort (by time, then generation order): stable,
 * correct at both ends of the slice, empty batches, growth past the initial
 * capacity against a stable reference sort, packed entries, sequence
 * numbering, reuse across slices, and agreement with the heap it stands in
 * for. */
#include <stdint.h>
#include <stdlib.h>

#include <check.h>
#include <gsl/gsl_rng.h>

#include "batch.h"
#include "evq.h"
#include "suites.h"

/* An assertion for hot loops: unlike ck_assert it records no location on
 * success (Check's mark point is a write per call). */
#define REQUIRE(cond) \
    do { \
        if (!(cond)) \
            ck_abort_msg("Assertion '%s' failed", #cond); \
    } while (0)

/* A generated entry and its generation index, for the reference sort. */
struct ref_entry {
    struct batch_entry e;
    size_t gen;
};

static int ref_cmp(const void *x, const void *y)
{
    const struct ref_entry *p = x, *q = y;
    if (p->e.time != q->e.time)
        return p->e.time < q->e.time ? -1 : 1;
    return p->gen < q->gen ? -1 : p->gen > q->gen;
}

/* Deliver every sorted entry through batch_peek / cursor, as the engine
 * does, checking it against ref[0..n) and seq = first_seq + index. */
static void check_delivery(struct batch *b, const struct ref_entry *ref, size_t n, uint64_t first_seq)
{
    ck_assert_uint_eq(b->n, n);
    ck_assert_uint_eq(b->first_seq, first_seq);
    for (size_t i = 0; i < n; i++) {
        const struct batch_entry *e = batch_peek(b);
        if (!e)
            ck_abort_msg("batch ended after %zu of %zu entries", i, n);
        if (batch_peek_seq(b) != first_seq + i)
            ck_abort_msg("entry %zu: seq %llu, want %llu", i,
                         (unsigned long long)batch_peek_seq(b), (unsigned long long)(first_seq + i));
        if (e->time != ref[i].e.time || e->kind != ref[i].e.kind || e->a != ref[i].e.a
            || e->b != ref[i].e.b)
            ck_abort_msg("entry %zu: (t=%u k=%u a=%u b=%u), want (t=%u k=%u a=%u b=%u)", i,
                         e->time, e->kind, e->a, e->b, ref[i].e.time, ref[i].e.kind,
                         ref[i].e.a, ref[i].e.b);
        b->cursor++;
    }
    ck_assert_ptr_null(batch_peek(b));
}

/* ---- stability --------------------------------------------------------------- */

START_TEST(test_stable)
{
    /* Slice [30, 40); three times, interleaved in generation order.  The
     * sorted order is every t=31 entry in generation order, then t=35, then
     * t=38; `a` records the generation index. */
    struct batch b;
    ck_assert_int_eq(batch_init(&b, 10), 0);
    batch_begin(&b, 30);
    static const uint32_t t[] = { 35, 31, 38, 35, 31, 31, 38, 35, 31, 35 };
    enum { N = sizeof t / sizeof t[0] };
    for (uint32_t i = 0; i < N; i++)
        ck_assert_int_eq(batch_add(&b, t[i], 7, i, 100 + i), 0);
    batch_sort(&b, 0);
    static const uint32_t want_gen[N] = { 1, 4, 5, 8, 0, 3, 7, 9, 2, 6 };
    struct ref_entry ref[N];
    for (size_t i = 0; i < N; i++)
        ref[i] = (struct ref_entry){ { t[want_gen[i]], 7, want_gen[i], 100 + want_gen[i] }, i };
    check_delivery(&b, ref, N, 0);
    batch_destroy(&b);
}
END_TEST

/* ---- both ends of the slice ----------------------------------------------- */

START_TEST(test_slice_edges)
{
    /* Slice [86400, 172800): entries at start + len - 1 and at start must
     * land last and first (the count array has len + 1 slots). */
    const sim_time start = SIM_DAY, len = SIM_DAY;
    const uint32_t first = (uint32_t)start, last = (uint32_t)(start + len - 1);
    struct batch b;
    ck_assert_int_eq(batch_init(&b, len), 0);
    batch_begin(&b, start);
    ck_assert_int_eq(batch_add(&b, last, 1, 0, 0), 0);
    ck_assert_int_eq(batch_add(&b, first, 2, 1, 0), 0);
    ck_assert_int_eq(batch_add(&b, last, 3, 2, 0), 0);
    ck_assert_int_eq(batch_add(&b, first + 43200, 4, 3, 0), 0);
    ck_assert_int_eq(batch_add(&b, first, 5, 4, 0), 0);
    ck_assert_int_eq(batch_add(&b, first + 1, 6, 5, 0), 0);
    ck_assert_int_eq(batch_add(&b, last - 1, 7, 6, 0), 0);
    batch_sort(&b, 1000);
    const struct ref_entry ref[] = {
        { { first, 2, 1, 0 }, 0 },     { { first, 5, 4, 0 }, 0 },
        { { first + 1, 6, 5, 0 }, 0 }, { { first + 43200, 4, 3, 0 }, 0 },
        { { last - 1, 7, 6, 0 }, 0 },  { { last, 1, 0, 0 }, 0 },
        { { last, 3, 2, 0 }, 0 },
    };
    check_delivery(&b, ref, sizeof ref / sizeof ref[0], 1000);
    batch_destroy(&b);
}
END_TEST

/* A one-second slice: every entry at the same time, order = generation. */
START_TEST(test_slice_len_one)
{
    struct batch b;
    ck_assert_int_eq(batch_init(&b, 1), 0);
    batch_begin(&b, 12345);
    struct ref_entry ref[50];
    for (uint32_t i = 0; i < 50; i++) {
        ck_assert_int_eq(batch_add(&b, 12345, i % 4, i, 2 * i), 0);
        ref[i] = (struct ref_entry){ { 12345, i % 4, i, 2 * i }, i };
    }
    batch_sort(&b, 7);
    check_delivery(&b, ref, 50, 7);
    batch_destroy(&b);
}
END_TEST

/* batch.h: 1 <= slice_len <= 2^18.  The longest slice sorts correctly at
 * both ends and in between (both radix digits in use). */
START_TEST(test_slice_len_bounds)
{
    struct batch b;
    ck_assert_int_eq(batch_init(&b, 0), -1);
    batch_destroy(&b);                          /* safe after a failed init */
    ck_assert_int_eq(batch_init(&b, -5), -1);
    batch_destroy(&b);
    ck_assert_int_eq(batch_init(&b, ((sim_time)1 << 18) + 1), -1);
    batch_destroy(&b);

    const sim_time len = (sim_time)1 << 18, start = 7 * len;
    ck_assert_int_eq(batch_init(&b, len), 0);
    batch_begin(&b, start);
    /* offsets chosen so that low and high digits both vary and disagree */
    static const uint32_t off[] = { 262143, 0, 511, 512, 262143, 1, 261632, 0, 513, 130000, 1023 };
    enum { N = sizeof off / sizeof off[0] };
    struct ref_entry ref[N];
    for (uint32_t i = 0; i < N; i++) {
        uint32_t t = (uint32_t)start + off[i];
        ck_assert_int_eq(batch_add(&b, t, 0, i, 0), 0);
        ref[i] = (struct ref_entry){ { t, 0, i, 0 }, i };
    }
    qsort(ref, N, sizeof ref[0], ref_cmp);
    ck_assert_uint_eq(ref[0].e.a, 1);          /* the reference itself: offset 0, generated 2nd */
    ck_assert_uint_eq(ref[N - 1].e.a, 4);      /* offset 2^18 - 1, generated 5th */
    batch_sort(&b, 3);
    check_delivery(&b, ref, N, 3);
    batch_destroy(&b);
}
END_TEST

/* Slice lengths that are not powers of two, each with entries at every
 * offset (in reverse order, twice): the sort must give offset order with
 * the two copies in generation order. */
START_TEST(test_slice_lengths)
{
    static const sim_time lens[] = { 2, 3, 5, 511, 512, 513, 1000, 86400, 100000 };
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        sim_time len = lens[k], start = 3 * len;
        struct batch b;
        ck_assert_int_eq(batch_init(&b, len), 0);
        batch_begin(&b, start);
        size_t n = 2 * (size_t)len;
        struct ref_entry *ref = malloc(n * sizeof *ref);
        ck_assert_ptr_nonnull(ref);
        for (size_t i = 0; i < n; i++) {
            uint32_t t = (uint32_t)(start + len - 1 - (sim_time)(i % (size_t)len));
            REQUIRE(batch_add(&b, t, (uint32_t)k, (uint32_t)i, 0) == 0);
            ref[i] = (struct ref_entry){ { t, (uint32_t)k, (uint32_t)i, 0 }, i };
        }
        qsort(ref, n, sizeof *ref, ref_cmp);
        batch_sort(&b, 0);
        check_delivery(&b, ref, n, 0);
        free(ref);
        batch_destroy(&b);
    }
}
END_TEST

/* ---- empty batch -------------------------------------------------------------- */

START_TEST(test_empty)
{
    struct batch b;
    ck_assert_int_eq(batch_init(&b, SIM_DAY), 0);
    batch_begin(&b, 0);
    batch_sort(&b, 42);
    ck_assert_uint_eq(b.n, 0);
    ck_assert_ptr_null(batch_peek(&b));
    ck_assert_uint_eq(batch_peek_seq(&b), 42);

    /* A full slice, partly consumed, then an empty one: nothing is left
     * over from the first. */
    batch_begin(&b, SIM_DAY);
    ck_assert_int_eq(batch_add(&b, SIM_DAY + 5, 1, 1, 1), 0);
    ck_assert_int_eq(batch_add(&b, SIM_DAY + 3, 1, 2, 2), 0);
    batch_sort(&b, 0);
    ck_assert_ptr_nonnull(batch_peek(&b));
    b.cursor++;
    batch_begin(&b, 2 * SIM_DAY);
    ck_assert_ptr_null(batch_peek(&b));
    batch_sort(&b, 2);
    ck_assert_ptr_null(batch_peek(&b));
    ck_assert_uint_eq(b.n, 0);
    batch_destroy(&b);
}
END_TEST

/* ---- reuse across slices ---------------------------------------------------- */

START_TEST(test_reuse)
{
    /* Slice k holds entries at k*len + (some offsets); the counts of one
     * slice must not leak into the next. */
    enum { LEN = 100 };
    struct batch b;
    ck_assert_int_eq(batch_init(&b, LEN), 0);
    uint64_t seq = 0;
    for (uint32_t k = 0; k < 5; k++) {
        uint32_t base = k * LEN;
        batch_begin(&b, base);
        struct ref_entry ref[3 * LEN];
        size_t n = 0;
        for (uint32_t i = 0; i < 3 * LEN; i++) {
            uint32_t t = base + (uint32_t)((i * 37u + k * 11u) % LEN);
            ck_assert_int_eq(batch_add(&b, t, k, i, 0), 0);
            ref[n] = (struct ref_entry){ { t, k, i, 0 }, n };
            n++;
        }
        qsort(ref, n, sizeof ref[0], ref_cmp);
        batch_sort(&b, seq);
        check_delivery(&b, ref, n, seq);
        seq += n;
    }
    batch_destroy(&b);
}
END_TEST

/* ---- growth past the initial capacity ---------------------------------------- */

START_TEST(test_growth)
{
    /* 100000 entries (the initial capacity is 4096, so several regrowths)
     * at random times in a one-day slice starting on day 3, from MT19937
     * seed 1: about 1.16 entries per second, so many ties.  Reference:
     * qsort by (time, generation index), which is a stable sort. */
    enum { N = 100000 };
    const sim_time start = 3 * SIM_DAY;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    ck_assert_ptr_nonnull(g);
    gsl_rng_set(g, 1);
    struct ref_entry *ref = malloc(N * sizeof *ref);
    ck_assert_ptr_nonnull(ref);
    struct batch b;
    ck_assert_int_eq(batch_init(&b, SIM_DAY), 0);
    batch_begin(&b, start);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t t = (uint32_t)start + (uint32_t)gsl_rng_uniform_int(g, SIM_DAY);
        uint32_t kind = (uint32_t)gsl_rng_uniform_int(g, 5);
        REQUIRE(batch_add(&b, t, kind, i, ~i) == 0);
        ref[i] = (struct ref_entry){ { t, kind, i, ~i }, i };
    }
    ck_assert_uint_eq(b.n, N);
    ck_assert_uint_ge((uint64_t)b.chunk_cap * BATCH_CHUNK, N);
    qsort(ref, N, sizeof *ref, ref_cmp);
    /* The test data really has ties. */
    size_t ties = 0;
    for (size_t i = 1; i < N; i++)
        ties += ref[i].e.time == ref[i - 1].e.time;
    ck_assert_uint_gt(ties, 10000);
    const uint64_t first_seq = (uint64_t)1 << 40;
    batch_sort(&b, first_seq);
    check_delivery(&b, ref, N, first_seq);
    batch_destroy(&b);
    free(ref);
    gsl_rng_free(g);
}
END_TEST

/* ---- packed entries --------------------------------------------------------- */

/* Add a packed entry the way a generator fills its chunks (batch_chunk,
 * b->slots words a chunk). */
static int packed_add(struct batch *b, uint32_t t, uint32_t x, uint32_t y)
{
    uint32_t w = (t - (uint32_t)b->start) >> b->lo_bits, i = b->cur[w];
    if ((i & (b->slots - 1)) == 0 && (i = batch_chunk(b, w)) == UINT32_MAX)
        return -1;
    ((uint64_t *)b->pool)[i] = batch_pack_word(b, t, x, y);
    b->cur[w] = i + 1;
    b->n++;
    return 0;
}

START_TEST(test_packed)
{
    /* 100000 packed entries (kind 1) at random times of a day slice, a and
     * b up to 2^27 - 1 (the first and last of each ten thousand at the
     * bounds), delivered as the stable reference sort of the same entries
     * gives them; a full slice refuses to be packed, a packed one refuses
     * batch_add; the next slice is plain again, and a second packed day
     * on the same pool is right too. */
    enum { N = 100000 };
    const uint32_t top = ((uint32_t)1 << BATCH_PACK_ID_BITS) - 1;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    ck_assert_ptr_nonnull(g);
    gsl_rng_set(g, 2);
    struct ref_entry *ref = malloc(N * sizeof *ref);
    ck_assert_ptr_nonnull(ref);
    struct batch b;
    ck_assert_int_eq(batch_init(&b, SIM_DAY), 0);
    for (int day = 5; day <= 6; day++) {
        const sim_time start = day * SIM_DAY;
        batch_begin(&b, start);
        ck_assert_int_eq(batch_add(&b, (uint32_t)start, 2, 0, 0), 0);
        ck_assert_int_eq(batch_pack(&b, 1), -1);          /* not empty */
        batch_begin(&b, start);
        ck_assert_int_eq(batch_pack(&b, 1), 0);
        ck_assert_int_eq(batch_add(&b, (uint32_t)start, 1, 0, 0), -1);
        for (uint32_t i = 0; i < N; i++) {
            uint32_t t = (uint32_t)start + (uint32_t)gsl_rng_uniform_int(g, SIM_DAY);
            uint32_t x = (uint32_t)gsl_rng_uniform_int(g, top + 1), y = (uint32_t)gsl_rng_uniform_int(g, top + 1);
            if (i % 10000 == 0)
                x = 0, y = top;
            if (i % 10000 == 9999)
                x = top, y = 0;
            REQUIRE(packed_add(&b, t, x, y) == 0);
            ref[i] = (struct ref_entry){ { t, 1, x, y }, i };
        }
        qsort(ref, N, sizeof *ref, ref_cmp);
        ck_assert_int_eq(batch_sort(&b, 7), 0);
        check_delivery(&b, ref, N, 7);
    }
    batch_begin(&b, 7 * SIM_DAY);                          /* plain again */
    ck_assert_uint_eq(b.packed, 0);
    ck_assert_int_eq(batch_add(&b, (uint32_t)(7 * SIM_DAY), 3, 4, 5), 0);
    batch_destroy(&b);
    free(ref);
    gsl_rng_free(g);
}
END_TEST

/* ---- sequence numbers and the heap equivalence ---------------------------- */

START_TEST(test_seq_numbering)
{
    /* The engine reserves the batch's seqs from the heap's counter:
     * first_seq = evq_take_seq(q, n); entry i of the sorted order has seq
     * first_seq + i, and the next heap push gets first_seq + n. */
    struct evq q;
    evq_init(&q);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(evq_push(&q, 1000, 0, 0, 0), 0);      /* seqs 0..4 */
    struct batch b;
    ck_assert_int_eq(batch_init(&b, 10), 0);
    batch_begin(&b, 20);
    static const uint32_t t[] = { 29, 20, 25, 20, 29, 22 };
    for (uint32_t i = 0; i < 6; i++)
        ck_assert_int_eq(batch_add(&b, t[i], 0, i, 0), 0);
    uint64_t first = evq_take_seq(&q, b.n);
    ck_assert_uint_eq(first, 5);
    batch_sort(&b, first);
    static const uint32_t want_a[] = { 1, 3, 5, 2, 0, 4 };
    for (uint32_t i = 0; i < 6; i++) {
        const struct batch_entry *e = batch_peek(&b);
        ck_assert_ptr_nonnull(e);
        ck_assert_uint_eq(batch_peek_seq(&b), 5 + i);
        ck_assert_uint_eq(e->a, want_a[i]);
        b.cursor++;
    }
    ck_assert_ptr_null(batch_peek(&b));
    ck_assert_int_eq(evq_push(&q, 1000, 0, 0, 0), 0);
    struct sim_event ev;
    uint64_t last = 0;
    while (evq_pop(&q, &ev) == 0)
        last = ev.seq;
    ck_assert_uint_eq(last, 11);
    batch_destroy(&b);
    evq_destroy(&q);
}
END_TEST

START_TEST(test_same_as_heap)
{
    /* batch.h: the order is the one the heap would give had the events been
     * pushed one by one in generation order at the slice start.  Push the
     * same 20000 events into a heap and compare time and payload position by
     * position.  (The seqs differ by design: the heap numbers events in
     * generation order, the batch in sorted order, first_seq + position.) */
    enum { N = 20000, LEN = 3600 };
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    ck_assert_ptr_nonnull(g);
    gsl_rng_set(g, 1);
    struct evq q;
    evq_init(&q);
    ck_assert_uint_eq(evq_take_seq(&q, 17), 0);   /* start the heap's seqs at 17 */
    struct batch b;
    ck_assert_int_eq(batch_init(&b, LEN), 0);
    const sim_time start = 5 * LEN;
    batch_begin(&b, start);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t t = (uint32_t)start + (uint32_t)gsl_rng_uniform_int(g, LEN);
        REQUIRE(batch_add(&b, t, i % 3, i, t ^ i) == 0);
        REQUIRE(evq_push(&q, t, i % 3, i, t ^ i) == 0);
    }
    batch_sort(&b, 17);
    for (size_t i = 0; i < N; i++) {
        struct sim_event ev;
        REQUIRE(evq_pop(&q, &ev) == 0);
        const struct batch_entry *e = batch_peek(&b);
        REQUIRE(e != NULL);
        REQUIRE(batch_peek_seq(&b) == 17 + i);
        if ((sim_time)e->time != ev.time || e->kind != ev.kind || e->a != ev.a || e->b != ev.b)
            ck_abort_msg("position %zu: batch (t=%u seq=%llu a=%u), heap (t=%lld seq=%llu a=%u)", i,
                         e->time, (unsigned long long)batch_peek_seq(&b), e->a, (long long)ev.time,
                         (unsigned long long)ev.seq, ev.a);
        b.cursor++;
    }
    ck_assert_ptr_null(batch_peek(&b));
    ck_assert_ptr_null(evq_peek(&q));
    batch_destroy(&b);
    evq_destroy(&q);
    gsl_rng_free(g);
}
END_TEST

Suite *batch_suite(void)
{
    Suite *s = suite_create("batch");
    TCase *tc = tcase_create("sort");
    tcase_add_test(tc, test_stable);
    tcase_add_test(tc, test_slice_edges);
    tcase_add_test(tc, test_slice_len_one);
    tcase_add_test(tc, test_slice_len_bounds);
    tcase_add_test(tc, test_slice_lengths);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_reuse);
    tcase_add_test(tc, test_seq_numbering);
    suite_add_tcase(s, tc);

    TCase *big = tcase_create("reference");
    tcase_set_timeout(big, 60);
    tcase_add_test(big, test_growth);
    tcase_add_test(big, test_packed);
    tcase_add_test(big, test_same_as_heap);
    suite_add_tcase(s, big);
    return s;
}
