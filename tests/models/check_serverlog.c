/* check_serverlog — the lookup log under rolling retention.
 *
 * The contract (serverlog.h): records arrive with non-decreasing times;
 * after serverlog_purge(log, s), and after every append at time s, the log
 * holds exactly the appended records with s - R <= t <= s, oldest first, in
 * append order; memory follows the most records ever retained at once
 * (the chunks they touched, plus the pointer arrays), not the history.
 * Every test compares the log with a brute-force reference: the array of
 * everything appended and the index of the first retained one. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "serverlog.h"
#include "suites.h"
#include "testutil.h"


/* --- the reference --------------------------------------------------------- */

struct ref {
    struct serverlog_rec *r;              /* everything appended, in order */
    size_t n, cap;
    size_t lo;                     /* first retained record */
    int64_t R;
    uint64_t peak;                 /* largest retained count after an append */
};

static void ref_init(struct ref *f, int64_t R)
{
    f->r = NULL;
    f->n = f->cap = f->lo = 0;
    f->R = R;
    f->peak = 0;
}

/* Keep exactly the records with now - R <= t. */
static void ref_expire(struct ref *f, int64_t now)
{
    while (f->lo < f->n && (int64_t)f->r[f->lo].t < now - f->R)
        f->lo++;
}

static void ref_push(struct ref *f, struct serverlog_rec rec)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 1024;
        f->r = realloc(f->r, f->cap * sizeof *f->r);
        ck_assert_ptr_nonnull(f->r);
    }
    f->r[f->n++] = rec;
    ref_expire(f, rec.t);
    if (f->n - f->lo > f->peak)
        f->peak = f->n - f->lo;
}

static size_t ref_size(const struct ref *f) { return f->n - f->lo; }

/* The memory bound (serverlog.h): the chunks follow the most records ever
 * retained at once, never the history.  Retained records touch at most
 * size/CHUNK + 2 chunks (a partial one at each end), and chunks freed by a
 * purge are kept only for reuse, so no more than peak/CHUNK + 2 chunks
 * (8 bytes a record and a header each) are ever held.  On top come the
 * readers' buffer (a span decoded and one record, 12 bytes each) and the
 * pointer arrays (the ring, a pool of free chunks): at most 16 slots or
 * twice the chunks each, a few hundred bytes, far below the 512 KiB of one
 * chunk, so one chunk too many fails this. */
static size_t memory_bound(uint64_t peak)
{
    size_t chunks = (size_t)(peak / SERVERLOG_CHUNK) + 2;
    return chunks * (sizeof(struct serverlog_chunk) + SERVERLOG_CHUNK_BYTES)
           + (SERVERLOG_SPAN + 1) * sizeof(struct serverlog_rec)
           + (2 * 16 + 4 * chunks) * sizeof(struct serverlog_chunk *);
}

static void check_memory(const struct serverlog *log)
{
    /* chunks closed before they are full (a time beyond a chunk's span, an
     * id wider than its field) are cut to their records: at most a header
     * more each, and a slot more in the ring, which follows the most chunks
     * ever held */
    size_t bound = memory_bound(log->peak) + log->nchunks * sizeof(struct serverlog_chunk)
                   + log->nchunk_cap * sizeof(struct serverlog_chunk *);
    if (serverlog_bytes(log) > bound)
        ck_abort_msg("serverlog_bytes %zu above the bound %zu for a peak of %llu records",
                     serverlog_bytes(log), bound, (unsigned long long)log->peak);
}

static int same_rec(const struct serverlog_rec *x, const struct serverlog_rec *y)
{
    return x->t == y->t && x->querier == y->querier && x->queried == y->queried;
}

/* Every retained record, in order, equals the reference's. */
static void check_full(const struct serverlog *log, const struct ref *f)
{
    FAST_EQ(log->size, ref_size(f));
    size_t k = f->lo, spans = serverlog_spans(log);
    if (log->size == 0)
        FAST_EQ(spans, 0);
    for (size_t i = 0; i < spans; i++) {
        size_t n;
        const struct serverlog_rec *r = serverlog_span(log, i, &n);
        FAST(k + n <= f->n);
        for (size_t j = 0; j < n; j++, k++)
            if (!same_rec(&r[j], &f->r[k]))
                ck_abort_msg("record %zu of the log: (%u, %u, %u), reference (%u, %u, %u)",
                             k - f->lo, r[j].t, r[j].querier, r[j].queried,
                             f->r[k].t, f->r[k].querier, f->r[k].queried);
    }
    FAST_EQ(k, f->n);
    check_memory(log);
}

/* The cheap check after every append: the count, the oldest and the newest
 * record, the counters. */
static void check_ends(const struct serverlog *log, const struct ref *f)
{
    FAST_EQ(log->size, ref_size(f));
    FAST_EQ(log->appended, f->n);
    FAST_EQ(log->peak, f->peak);
    if (f->n == f->lo)
        return;
    FAST(serverlog_spans(log) >= 1);
    FAST(same_rec(serverlog_recent(log, log->size), &f->r[f->lo]));
    FAST(same_rec(serverlog_newest(log), &f->r[f->n - 1]));
    check_memory(log);
}

static void append_both(struct serverlog *log, struct ref *f, uint32_t t, uint32_t queried)
{
    struct serverlog_rec rec = { t, (uint32_t)f->n, queried };   /* querier = serial number */
    FAST_EQ(serverlog_append(log, rec.t, rec.querier, rec.queried), 0);
    ref_push(f, rec);
    check_ends(log, f);
}

static void purge_both(struct serverlog *log, struct ref *f, int64_t s)
{
    serverlog_purge(log, s);
    ref_expire(f, s);
    check_full(log, f);
}

/* --- tests ----------------------------------------------------------------- */

/* A hand-worked sequence with R = 10 s: an append or purge at s keeps
 * [s - R, s]: the boundary record at exactly s - R stays (an acquisition
 * at s obtains [s - R, s)), the one a second earlier goes. */
START_TEST(test_serverlog_small)
{
    struct serverlog log;
    ck_assert_int_eq(serverlog_init(&log, 10), 0);
    ck_assert_int_eq(log.policy.retention, 10);
    ck_assert_uint_eq(log.size, 0);
    ck_assert_uint_eq(serverlog_spans(&log), 0);

    static const uint32_t t[] = { 0, 1, 1, 5, 10, 11 };
    for (uint32_t i = 0; i < 6; i++)
        ck_assert_int_eq(serverlog_append(&log, t[i], i, 100 + i), 0);
    /* After the append at 11: t >= 1, i.e. {1, 1, 5, 10, 11} (records 1-5);
     * after the one at 10 it held t >= 0: {0, 1, 1, 5, 10}, the peak of 5. */
    ck_assert_uint_eq(log.size, 5);
    ck_assert_uint_eq(log.appended, 6);
    ck_assert_uint_eq(log.peak, 5);                  /* the append at 11 dropped 0 first */
    ck_assert_uint_eq(serverlog_spans(&log), 1);
    size_t n;
    const struct serverlog_rec *r = serverlog_span(&log, 0, &n);
    ck_assert_uint_eq(n, 5);
    for (uint32_t i = 0; i < 5; i++) {
        ck_assert_uint_eq(r[i].t, t[1 + i]);
        ck_assert_uint_eq(r[i].querier, 1 + i);
        ck_assert_uint_eq(r[i].queried, 101 + i);
    }

    serverlog_purge(&log, 15);                       /* t >= 5: {5, 10, 11} */
    r = serverlog_span(&log, 0, &n);
    ck_assert_uint_eq(log.size, 3);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(r[0].t, 5);
    ck_assert_uint_eq(r[1].t, 10);
    ck_assert_uint_eq(r[2].t, 11);
    serverlog_purge(&log, 15);                       /* idempotent */
    ck_assert_uint_eq(log.size, 3);
    serverlog_purge(&log, 21);                       /* t >= 11: {11} */
    r = serverlog_span(&log, 0, &n);
    ck_assert_uint_eq(log.size, 1);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(r[0].t, 11);
    ck_assert_uint_eq(r[0].querier, 5);
    serverlog_purge(&log, 22);                       /* t >= 12: nothing */
    ck_assert_uint_eq(log.size, 0);
    ck_assert_uint_eq(serverlog_spans(&log), 0);
    check_memory(&log);

    ck_assert_int_eq(serverlog_append(&log, 22, 6, 106), 0);   /* works after emptying */
    ck_assert_uint_eq(log.size, 1);
    ck_assert_uint_eq(serverlog_spans(&log), 1);
    r = serverlog_span(&log, 0, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(r[0].t, 22);
    ck_assert_uint_eq(r[0].querier, 6);
    ck_assert_uint_eq(r[0].queried, 106);
    ck_assert_uint_eq(log.appended, 7);
    ck_assert_uint_eq(log.peak, 5);
    serverlog_destroy(&log);
    ck_assert_ptr_null(log.chunk);
    serverlog_destroy(NULL);                         /* allowed */
}
END_TEST

/* Random traffic against the reference.  R = 1 day.  The times come in
 * segments of different kinds, drawn from a fixed seed:
 *   dense   50,000-300,000 records, gaps of 0 (70%) or 1 s: ~3.3 a second,
 *           so a day's window holds up to ~290,000 records (4.4 chunks);
 *   sparse  100-3,000 records, gaps uniform in 0..1200 s;
 *   burst   70,000-140,000 records in one second (a run of equal times
 *           across a chunk boundary);
 *   gap     2 to 4 days of silence (the next append empties the log);
 *   edge    the next record exactly R, or R - 1, after the oldest held one
 *           (the oldest second's records go, or stay);
 *   purge   serverlog_purge at s = now + 0, 1..R/2, R - 2 or R - 1
 *           (later appends come at or after s), then a full comparison;
 *   purge all  the same at s = now + R or R + 1: the log must be empty.
 * A round is every kind once (dense and sparse three times), in an order
 * drawn from the seed; rounds repeat until 1.2 million records are in.
 * After every append: count, oldest and newest record, counters, memory
 * bound; every 25,000 appends and after every purge: every record. */
START_TEST(test_serverlog_random)
{
    const int64_t R = 86400;
    const size_t TOTAL = 1200000;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 8675309);
    struct serverlog log;
    struct ref f;
    ck_assert_int_eq(serverlog_init(&log, R), 0);
    ref_init(&f, R);

    /* Segment kinds come in rounds, each a random permutation of this list,
     * so that every kind occurs in every round. */
    enum { DENSE, SPARSE, BURST, GAP, EDGE_R, EDGE_R1, PURGE, PURGE_ALL };
    int round[] = { DENSE, DENSE, DENSE, SPARSE, SPARSE, SPARSE, BURST, GAP, EDGE_R, EDGE_R1,
                    PURGE, PURGE_ALL };
    const size_t nround = sizeof round / sizeof round[0];
    uint32_t t = 1000;
    size_t emptied_by_append = 0, emptied_by_purge = 0, purges = 0, rounds = 0;
    while (f.n < TOTAL || rounds < 2) {
        gsl_ran_shuffle(rng, round, nround, sizeof round[0]);
        for (size_t seg = 0; seg < nround; seg++) {
            int kind = round[seg];
            size_t len;
            if ((kind == GAP || kind == PURGE_ALL || kind == EDGE_R || kind == EDGE_R1)
                && ref_size(&f) == 0)
                append_both(&log, &f, ++t, 2);                   /* something to drop */
            switch (kind) {
            case DENSE:
                len = 50000 + gsl_rng_uniform_int(rng, 250001);
                for (size_t i = 0; i < len; i++) {
                    t += gsl_rng_uniform(rng) < 0.7 ? 0 : 1;
                    append_both(&log, &f, t, (uint32_t)gsl_rng_get(rng));
                    if (f.n % 25000 == 0)
                        check_full(&log, &f);
                }
                break;
            case SPARSE:
                len = 100 + gsl_rng_uniform_int(rng, 2901);
                for (size_t i = 0; i < len; i++) {
                    t += (uint32_t)gsl_rng_uniform_int(rng, 1201);
                    append_both(&log, &f, t, (uint32_t)gsl_rng_get(rng));
                }
                break;
            case BURST:
                len = 70000 + gsl_rng_uniform_int(rng, 70001);
                t++;
                for (size_t i = 0; i < len; i++)
                    append_both(&log, &f, t, (uint32_t)i);
                check_full(&log, &f);
                break;
            case GAP:
                t += (uint32_t)(2 * R + (int64_t)gsl_rng_uniform_int(rng, (unsigned long)(2 * R + 1)));
                append_both(&log, &f, t, 0);
                ck_assert_uint_eq(log.size, 1);
                emptied_by_append++;
                check_full(&log, &f);
                break;
            case EDGE_R:
            case EDGE_R1: {
                uint32_t oldest = f.r[f.lo].t;
                uint32_t at = oldest + (uint32_t)R + 1 - (uint32_t)(kind == EDGE_R1);
                ck_assert_uint_ge(at, t);                        /* oldest >= t - R */
                size_t same = 0;                                 /* records at `oldest` */
                while (f.lo + same < f.n && f.r[f.lo + same].t == oldest)
                    same++;
                size_t before = log.size;
                t = at;
                append_both(&log, &f, t, 1);
                if (kind == EDGE_R)                              /* R + 1 before: they go */
                    ck_assert_uint_eq(log.size, before + 1 - same);
                else                                             /* exactly R: they stay */
                    ck_assert_uint_eq(log.size, before + 1);
                break;
            }
            case PURGE:
            case PURGE_ALL: {
                int64_t step;
                if (kind == PURGE_ALL)
                    step = R + 1 + (int64_t)gsl_rng_uniform_int(rng, 2);    /* R+1, R+2 */
                else if (gsl_rng_uniform_int(rng, 3) == 0)
                    step = R - (int64_t)gsl_rng_uniform_int(rng, 2);        /* R, R-1 */
                else if (gsl_rng_uniform_int(rng, 2) == 0)
                    step = 0;
                else
                    step = 1 + (int64_t)gsl_rng_uniform_int(rng, (unsigned long)(R / 2));
                purge_both(&log, &f, (int64_t)t + step);
                t += (uint32_t)step;
                purges++;
                if (kind == PURGE_ALL) {
                    ck_assert_uint_eq(log.size, 0);
                    emptied_by_purge++;
                }
                break;
            }
            }
        }
        rounds++;
    }
    check_full(&log, &f);
    /* The run did what it is meant to: windows over 3 chunks, the log
     * emptied both ways, purges, a history far above the window. */
    ck_assert_uint_gt(f.peak, 3 * SERVERLOG_CHUNK);
    ck_assert_uint_ge(emptied_by_append, 2);
    ck_assert_uint_ge(emptied_by_purge, 2);
    ck_assert_uint_ge(purges, 4);
    ck_assert_uint_ge(f.n, TOTAL);
    ck_assert_uint_eq(log.peak, f.peak);
    ck_assert_uint_eq(log.appended, f.n);

    /* Purge everything: empty, and usable afterwards. */
    purge_both(&log, &f, (int64_t)t + R + 1);
    ck_assert_uint_eq(log.size, 0);
    check_memory(&log);
    t += (uint32_t)R;
    for (int i = 0; i < 3 * SERVERLOG_CHUNK / 2; i++)
        append_both(&log, &f, t + (uint32_t)(i / 4), 7);
    check_full(&log, &f);

    serverlog_destroy(&log);
    free(f.r);
    gsl_rng_free(rng);
}
END_TEST

/* Memory follows the window, not the history.  Three records a second for
 * ten days (R = 1 day, 2.6 million records, 31 MB of history): the
 * window, R + 1 seconds, holds exactly 3R + 3 = 259,203 records after the
 * third record of a second (the peak) and 3R + 1 after the first of the
 * next second.  259,203 records are 3.96 chunks, so they touch at most 5, and the log must never
 * hold more than those 5 chunks (3.9 MB) plus its pointer arrays. */
START_TEST(test_serverlog_memory)
{
    const int64_t R = 86400;
    struct serverlog log;
    ck_assert_int_eq(serverlog_init(&log, R), 0);
    const uint64_t window = 3 * (uint64_t)R + 3;
    size_t peak_bytes = 0;
    uint64_t total = 30 * (uint64_t)R;
    for (uint64_t i = 0; i < total; i++) {
        uint32_t t = (uint32_t)(i / 3);
        FAST_EQ(serverlog_append(&log, t, (uint32_t)i, (uint32_t)(i ^ 0x5555u)), 0);
        /* Records with t - R <= t' <= t: seconds max(0, t-R) .. t, three
         * each but the last, which has i % 3 + 1. */
        uint64_t expect = 3 * (uint64_t)(t < R ? t : R) + i % 3 + 1;
        FAST_EQ(log.size, expect);
        size_t bytes = serverlog_bytes(&log);
        if (bytes > peak_bytes)
            peak_bytes = bytes;
        check_memory(&log);
    }
    ck_assert_uint_eq(log.appended, total);
    ck_assert_uint_eq(log.peak, window);
    ck_assert_uint_eq(log.size, window);
    ck_assert_uint_eq(memory_bound(window),
                      5 * (sizeof(struct serverlog_chunk) + SERVERLOG_CHUNK_BYTES)
                      + (SERVERLOG_SPAN + 1) * sizeof(struct serverlog_rec) + 52 * sizeof(struct serverlog_chunk *));
    ck_assert_uint_le(peak_bytes, memory_bound(window));
    ck_assert_uint_ge(peak_bytes, window * 8);
    ck_assert_uint_eq(log.nchunk_cap, 16);           /* the ring never had to grow */
    /* The first and last held records. */
    size_t n;
    const struct serverlog_rec *r = serverlog_span(&log, 0, &n);
    ck_assert_uint_eq(r[0].querier, total - window);
    r = serverlog_span(&log, serverlog_spans(&log) - 1, &n);
    ck_assert_uint_eq(r[n - 1].querier, total - 1);
    serverlog_destroy(&log);
}
END_TEST

/* The ring of chunk pointers grows while it is wrapped: 3 chunks and a bit
 * appended (one record a second), the first 2 purged (the ring now starts
 * at slot 2), then 20 more chunks at one second, so the 16-slot ring fills
 * with its start at slot 2 and must be unrolled into a bigger one.  Every
 * record is compared after the growth and at the end. */
START_TEST(test_serverlog_ring_growth)
{
    const int64_t R = 4000000;
    struct serverlog log;
    struct ref f;
    ck_assert_int_eq(serverlog_init(&log, R), 0);
    ref_init(&f, R);
    for (uint32_t i = 0; i < 3 * SERVERLOG_CHUNK + 10; i++)
        append_both(&log, &f, i, i);
    ck_assert_uint_eq(log.nchunks, 4);
    /* Drop t <= 2 CHUNK - 1: exactly the first two chunks. */
    int64_t s = R + 2 * SERVERLOG_CHUNK;
    purge_both(&log, &f, s);
    ck_assert_uint_eq(log.size, SERVERLOG_CHUNK + 10);
    ck_assert_uint_eq(log.nchunks, 2);
    ck_assert_uint_eq(log.first, 2);
    int grown = 0;
    for (uint32_t i = 0; i < 20 * SERVERLOG_CHUNK; i++) {
        size_t cap = log.nchunk_cap;
        append_both(&log, &f, (uint32_t)s, i);
        if (log.nchunk_cap != cap) {
            grown++;
            check_full(&log, &f);
        }
    }
    ck_assert_int_eq(grown, 1);
    ck_assert_uint_eq(log.nchunk_cap, 32);
    ck_assert_uint_eq(log.nchunks, 22);
    ck_assert_uint_eq(log.size, 21 * SERVERLOG_CHUNK + 10);
    check_full(&log, &f);
    /* Then let time pass by half a window at a time down to nothing. */
    for (int k = 1; k <= 3; k++)
        purge_both(&log, &f, s + k * R / 2);
    ck_assert_uint_eq(log.size, 0);
    serverlog_destroy(&log);
    free(f.r);
}
END_TEST


/* --- the logging policy ------------------------------------------------------ */

/* Every record held, in order, into out (capacity cap); returns the count. */
static size_t held(const struct serverlog *log, struct serverlog_rec *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < serverlog_spans(log); i++) {
        size_t n;
        const struct serverlog_rec *r = serverlog_span(log, i, &n);
        for (size_t j = 0; j < n && k < cap; j++)
            out[k++] = r[j];
    }
    return k;
}

/* serverlog_append_run (the run loop's bulk appending, with the rolling
 * purge inline) against the reference, record by record: runs of 1 to
 * 200,000 lookups whose times advance densely (many a second), sparsely,
 * or jump past R (the log empties), R = 1000 s; after each run every
 * retained record, the counts and the peak must be the reference's. */
START_TEST(test_append_run)
{
    const int64_t R = 1000;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 4242);
    struct serverlog log;
    struct ref f;
    ck_assert_int_eq(serverlog_init(&log, R), 0);
    ref_init(&f, R);
    uint32_t *rec = malloc(3 * 200000 * sizeof *rec);
    ck_assert_ptr_nonnull(rec);
    uint32_t t = 5;
    size_t emptied = 0;
    for (int run = 0; run < 120; run++) {
        size_t n = 1 + gsl_rng_uniform_int(rng, run % 3 == 0 ? 10 : 200000);
        double p_step = run % 4 == 0 ? 0.999 : run % 4 == 1 ? 0.02 : 0.3;
        if (gsl_rng_uniform(rng) < 0.1) {
            t += (uint32_t)R + 1 + (uint32_t)gsl_rng_uniform_int(rng, 3000);
            emptied++;
        }
        for (size_t i = 0; i < n; i++) {
            t += gsl_rng_uniform(rng) < p_step ? 1 + (uint32_t)gsl_rng_uniform_int(rng, 3) : 0;
            rec[3 * i] = t;
            rec[3 * i + 1] = (uint32_t)(f.n + i);
            rec[3 * i + 2] = (uint32_t)gsl_rng_uniform_int(rng, 1000);
        }
        ck_assert_int_eq(serverlog_append_run(&log, rec, rec + 1, rec + 2, 3, n), 0);
        for (size_t i = 0; i < n; i++)
            ref_push(&f, (struct serverlog_rec){ rec[3 * i], rec[3 * i + 1], rec[3 * i + 2] });
        check_full(&log, &f);
        FAST_EQ(log.appended, f.n);
        FAST_EQ(log.offered, f.n);
        FAST_EQ(log.peak, f.peak);
        FAST_EQ(log.next_purge, ref_size(&f) ? (int64_t)f.r[f.lo].t + R + 1 : INT64_MAX);
    }
    ck_assert_uint_gt(f.n, 4 * SERVERLOG_CHUNK);
    ck_assert_uint_gt(emptied, 3);
    free(rec);
    free(f.r);
    serverlog_destroy(&log);
    gsl_rng_free(rng);
}
END_TEST

/* Purge jobs: a job at every multiple J of the period removes stored
 * t < J - R; at any time s the log holds the appended records with
 * t >= J_last(s) - R, J_last(s) the last multiple of the period <= s.
 * Checked against that rule after random appends and observations, for
 * daily and weekly jobs and retentions below, at and above the period. */
START_TEST(test_purge_jobs)
{
    static const int64_t periods[] = { 86400, 7 * 86400 };
    static const int64_t retentions[] = { 3600, 86400, 3 * 86400, 30 * 86400 };
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    enum { N = 60000 };
    struct serverlog_rec *all = malloc(N * sizeof *all), *got = malloc(N * sizeof *got);
    ck_assert_ptr_nonnull(all);
    ck_assert_ptr_nonnull(got);
    for (size_t pi = 0; pi < 2; pi++)
        for (size_t ri = 0; ri < 4; ri++) {
            struct serverlog_policy p = { .retention = retentions[ri], .purge_period = periods[pi], .resolution = 1,
                                            .sampling = 1.0, .queried = SERVERLOG_QUERIED_KEPT, .key_rotation = 86400, .delay = 0 };
            struct serverlog log;
            ck_assert_int_eq(serverlog_init_policy(&log, &p, NULL), 0);
            uint32_t t = 0;
            for (size_t i = 0; i < N; i++) {
                t += (uint32_t)gsl_rng_uniform_int(r, 120);     /* about 20 days in all */
                all[i] = (struct serverlog_rec){ t, (uint32_t)i, (uint32_t)(i + 1) };
                FAST_EQ(serverlog_append(&log, t, (uint32_t)i, (uint32_t)(i + 1)), 0);
                if (i % 997 != 0 && i != N - 1)
                    continue;
                int64_t s = t + (int64_t)gsl_rng_uniform_int(r, 3);  /* observe at or just after t */
                serverlog_purge(&log, s);
                int64_t last_job = s / periods[pi] * periods[pi];
                int64_t cutoff = last_job - retentions[ri] - 1;
                size_t first = 0;
                while (first <= i && (int64_t)all[first].t <= cutoff)
                    first++;
                size_t k = held(&log, got, N);
                FAST_EQ(k, i + 1 - first);
                for (size_t j = 0; j < k; j++)
                    FAST(same_rec(&got[j], &all[first + j]));
                /* the window the held records can come from */
                FAST_EQ(serverlog_window_start(&log), cutoff);
            }
            serverlog_destroy(&log);
        }
    free(all);
    free(got);
    gsl_rng_free(r);
}
END_TEST

/* Time resolution: stored times are rounded down; purging compares stored
 * times, so with an hour's resolution a lookup in the first hour after the
 * cutoff is already gone, and serverlog_window_start says so. */
START_TEST(test_time_resolution)
{
    struct serverlog_policy p = { .retention = 86400, .purge_period = 0, .resolution = 3600,
                                    .sampling = 1.0, .queried = SERVERLOG_QUERIED_KEPT, .key_rotation = 86400, .delay = 0 };
    struct serverlog log;
    ck_assert_int_eq(serverlog_init_policy(&log, &p, NULL), 0);
    const uint32_t times[] = { 0, 3599, 3600, 7300, 86399, 90000, 93599 };
    for (size_t i = 0; i < 7; i++)
        ck_assert_int_eq(serverlog_append(&log, times[i], 1, 2), 0);
    /* stored: 0 0 3600 7200 82800 90000 90000; the append at 90000 purged
     * stored times <= 90000 - 86400 = 3600 */
    struct serverlog_rec got[8];
    serverlog_purge(&log, 93599);               /* cutoff 7199: nothing more goes */
    size_t k = held(&log, got, 8);
    ck_assert_uint_eq(k, 4);
    const uint32_t stored[] = { 7200, 82800, 90000, 90000 };
    for (size_t i = 0; i < k; i++)
        ck_assert_uint_eq(got[i].t, stored[i]);
    /* held stored times > 7199 are true times >= 7200: the window (7199, now] */
    ck_assert_int_eq(serverlog_window_start(&log), 7199);
    serverlog_purge(&log, 93600 + 3599);        /* cutoff 10799: stored 7200 goes */
    ck_assert_uint_eq(held(&log, got, 8), 3);
    ck_assert_uint_eq(got[0].t, 82800);
    /* stored times > 10799 are >= 10800 (whole hours): true times >= 10800 */
    ck_assert_int_eq(serverlog_window_start(&log), 10799);
    serverlog_destroy(&log);
}
END_TEST

/* Day resolution with the lookup's hour kept (keep_hour): the log holds
 * exactly the records it holds without it, at every purge, shows the same
 * stored times (serverlog_time), and tells each record's true hour. */
START_TEST(test_keep_hour)
{
    struct serverlog_policy p = { .retention = 3 * 86400, .purge_period = 0, .resolution = 86400,
                                    .sampling = 1.0, .queried = SERVERLOG_QUERIED_KEPT, .key_rotation = 86400, .delay = 0 };
    struct serverlog_policy q = p;
    q.keep_hour = 1;
    for (int period = 0; period < 2; period++) {
        p.purge_period = q.purge_period = period ? 86400 : 0;
        struct serverlog a, b;
        ck_assert_int_eq(serverlog_init_policy(&a, &p, NULL), 0);
        ck_assert_int_eq(serverlog_init_policy(&b, &q, NULL), 0);
        uint32_t t = 0;
        for (uint32_t i = 0; i < 20000; i++) {
            t += 17 + (i * 7919u) % 97;          /* every hour of the day, many days */
            ck_assert_int_eq(serverlog_append(&a, t, i, i + 1), 0);
            ck_assert_int_eq(serverlog_append(&b, t, i, i + 1), 0);
            const struct serverlog_rec *r = serverlog_newest(&b);
            FAST_EQ(serverlog_hour(&b, r->t), t / 3600);
            FAST_EQ(serverlog_time(&b, r->t), serverlog_newest(&a)->t);
            if (i % 500 == 0) {
                serverlog_purge(&a, t + i % 86400);
                serverlog_purge(&b, t + i % 86400);
            }
            FAST_EQ(a.size, b.size);
            FAST_EQ(serverlog_window_start(&a), serverlog_window_start(&b));
        }
        serverlog_destroy(&a);
        serverlog_destroy(&b);
    }
}
END_TEST

/* Queried-number protection: a plain hash changes what is stored but not
 * what the adversary reads (serverlog_reveal undoes it for every number);
 * private contact discovery stores no number at all. */
START_TEST(test_queried_number)
{
    struct serverlog_policy p = { .retention = 86400, .purge_period = 0, .resolution = 1,
                                    .sampling = 1.0, .queried = SERVERLOG_QUERIED_PLAIN_HASH, .key_rotation = 86400, .delay = 0 };
    struct serverlog log;
    ck_assert_int_eq(serverlog_init_policy(&log, &p, NULL), 0);
    enum { N = 100000 };
    size_t changed = 0;
    for (uint32_t i = 0; i < N; i++) {
        uint32_t number = i * 2654435761u;      /* spread over all 32-bit words */
        FAST_EQ(serverlog_append(&log, i / 4, i, number), 0);
    }
    struct serverlog_rec *got = malloc(N * sizeof *got);
    ck_assert_ptr_nonnull(got);
    ck_assert_uint_eq(held(&log, got, N), N);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t number = i * 2654435761u;
        changed += got[i].queried != number;
        FAST_EQ(serverlog_reveal(&log, got[i].queried), number);
    }
    ck_assert_uint_ge(changed, N - 2);          /* fmix32 has very few fixed points */
    serverlog_destroy(&log);

    p.queried = SERVERLOG_QUERIED_NONE;
    ck_assert_int_eq(serverlog_init_policy(&log, &p, NULL), 0);
    for (uint32_t i = 0; i < 1000; i++)
        FAST_EQ(serverlog_append(&log, i, i, i + 7), 0);
    ck_assert_uint_eq(held(&log, got, N), 1000);
    for (uint32_t i = 0; i < 1000; i++) {
        FAST_EQ(got[i].querier, i);                 /* who asked, and when, remain */
        FAST_EQ(got[i].t, i);
        FAST_EQ(got[i].queried, SERVERLOG_NO_NUMBER);
        FAST_EQ(serverlog_reveal(&log, got[i].queried), SERVERLOG_NO_NUMBER);
    }
    free(got);
    serverlog_destroy(&log);
}
END_TEST

/* Sampling f: each lookup is logged independently with probability f, so
 * the count logged out of n is Binomial(n, f); assert it lies within 5 sd
 * (a false alarm about once in 1.7 million runs, fixed seed), and that the
 * log offered every lookup. */
START_TEST(test_sampling)
{
    static const double shares[] = { 0.5, 0.1, 1.0 };
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    for (size_t k = 0; k < 3; k++) {
        struct serverlog_policy p = { .retention = 10 * 86400, .purge_period = 0, .resolution = 1,
                                        .sampling = shares[k], .queried = SERVERLOG_QUERIED_KEPT, .key_rotation = 86400, .delay = 0 };
        struct serverlog log;
        ck_assert_int_eq(serverlog_init_policy(&log, &p, r), 0);
        enum { N = 200000 };
        for (uint32_t i = 0; i < N; i++)
            FAST_EQ(serverlog_append(&log, i, i, i), 0);
        double f = shares[k], mean = N * f, sd = sqrt(N * f * (1 - f));
        ck_assert_uint_eq(log.offered, N);
        ck_assert_msg(fabs((double)log.size - mean) <= 5 * sd + 1e-9, "logged %llu of %d at f = %g",
                      (unsigned long long)log.size, N, f);
        if (f == 1.0)
            ck_assert_uint_eq(log.size, N);
        serverlog_destroy(&log);
    }
    gsl_rng_free(r);
}
END_TEST


/* Keyed hash: a pseudonym is stable within a key epoch, changes across
 * epochs, never collides within an epoch, and serverlog_unmask (ground
 * truth) recovers the number; serverlog_reveal cannot. */
START_TEST(test_keyed_hash)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 9);
    struct serverlog_policy p = { .retention = 90 * 86400, .purge_period = 0, .resolution = 1,
                                    .sampling = 1.0, .queried = SERVERLOG_QUERIED_KEYED_HASH, .key_rotation = 7 * 86400, .delay = 0 };
    struct serverlog log;
    ck_assert_int_eq(serverlog_init_policy(&log, &p, r), 0);
    enum { N = 3000 };
    for (uint32_t day = 0; day < 21; day += 1)         /* three key epochs of 7 days */
        for (uint32_t x = 0; x < N; x += 1 + day)
            FAST_EQ(serverlog_append(&log, day * 86400 + x, 0, x), 0);
    uint32_t first[3][N];
    memset(first, 0xff, sizeof first);
    size_t seen = 0, same_across = 0;
    for (size_t i = 0; i < serverlog_spans(&log); i++) {
        size_t n;
        const struct serverlog_rec *rec = serverlog_span(&log, i, &n);
        for (size_t j = 0; j < n; j++) {
            uint32_t e = serverlog_epoch(&log, rec[j].t);
            uint32_t x = serverlog_unmask(&log, e, rec[j].queried);
            FAST(e < 3 && x < N);
            FAST_EQ(serverlog_reveal(&log, rec[j].queried), rec[j].queried);   /* no key, no number */
            if (first[e][x] == UINT32_MAX)
                first[e][x] = rec[j].queried;
            FAST_EQ(first[e][x], rec[j].queried);      /* stable within the epoch */
            seen++;
        }
    }
    ck_assert_uint_gt(seen, 10000);
    for (uint32_t x = 0; x < N; x++)
        same_across += first[0][x] != UINT32_MAX && first[0][x] == first[1][x];
    ck_assert_uint_le(same_across, 1);                 /* unrelated across epochs */
    serverlog_destroy(&log);
    gsl_rng_free(r);
}
END_TEST

/* Delivery delay D = 100 s: a lookup at t is written at (t / 100 + 1) 100,
 * when a later lookup at or after that time arrives or write_due is called;
 * serverlog_recent counts back from the newest written record across
 * chunks. */
START_TEST(test_delivery_delay)
{
    struct serverlog_policy p = { .retention = 1000000, .purge_period = 0, .resolution = 1,
                                    .sampling = 1.0, .queried = SERVERLOG_QUERIED_KEPT, .key_rotation = 86400, .delay = 100 };
    struct serverlog log;
    ck_assert_int_eq(serverlog_init_policy(&log, &p, NULL), 0);
    ck_assert_int_eq(serverlog_append(&log, 5, 1, 2), 0);
    ck_assert_int_eq(serverlog_append(&log, 99, 1, 3), 0);
    ck_assert_uint_eq(log.appended, 0);                 /* both wait for time 100 */
    ck_assert_int_eq(serverlog_write_due(&log, 99), 0);
    ck_assert_uint_eq(log.appended, 0);
    ck_assert_int_eq(serverlog_append(&log, 100, 1, 4), 0);   /* writes the first batch */
    ck_assert_uint_eq(log.appended, 2);
    ck_assert_uint_eq(serverlog_recent(&log, 1)->queried, 3);
    ck_assert_uint_eq(serverlog_recent(&log, 2)->queried, 2);
    ck_assert_int_eq(serverlog_write_due(&log, 150), 0);      /* the second is due at 200 */
    ck_assert_uint_eq(log.appended, 2);
    ck_assert_int_eq(serverlog_write_due(&log, 200), 0);
    ck_assert_uint_eq(log.appended, 3);
    ck_assert_int_eq(serverlog_window_end(&log, 250), 200);
    ck_assert_int_eq(serverlog_window_end(&log, 300), 300);
    /* many batches: written in order, recent() right across chunks */
    enum { N = 3 * SERVERLOG_CHUNK };
    for (uint32_t i = 0; i < N; i++)
        FAST_EQ(serverlog_append(&log, 300 + i / 10, 7, i), 0);
    ck_assert_int_eq(serverlog_write_due(&log, 1000000), 0);
    ck_assert_uint_eq(log.appended, 3 + N);
    for (uint64_t i = 1; i <= N; i += 997)
        FAST_EQ(serverlog_recent(&log, i)->queried, N - i);
    serverlog_destroy(&log);
}
END_TEST

/* The packed records (serverlog.h) hold every value exactly, whatever
 * the widths: a population of 10^8 (27-bit ids, 10 bits of time: a chunk
 * spans at most 1,023 s), ids at the top of the field and NO_NUMBER,
 * times that leave a chunk's span (one record an hour), an id wider than
 * the field (it widens to 32 bits for good), a keyed hash (32 bits, and
 * 27 + 32 leave too little time: plain 12-byte records), a querier not
 * logged (0 bits).  Each log is compared with the records appended, by
 * spans, appended one at a time and in runs; a dense log of 10^8 takes
 * 8 bytes a record and a chunk's header. */
START_TEST(test_packed_widths)
{
    enum { PLAIN, WIDEN, HASH, NO_QUERIER, NCASE };
    const uint32_t N = 100000000, top = (1u << 27) - 2;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 4242);
    for (int kind = 0; kind < NCASE; kind++)
        for (int runs = 0; runs < 2; runs++) {
            struct serverlog_policy p = { .retention = 10 * 86400, .resolution = 1, .sampling = 1.0,
                                          .queried = kind == HASH ? SERVERLOG_QUERIED_KEYED_HASH
                                                                  : SERVERLOG_QUERIED_KEPT,
                                          .key_rotation = 86400, .drop_querier = kind == NO_QUERIER,
                                          .id_bits = 27 };
            struct serverlog log;
            ck_assert_int_eq(serverlog_init_policy(&log, &p, rng), 0);
            const size_t M = 300000;
            uint32_t *t = malloc(M * sizeof *t), *q = malloc(M * sizeof *q), *d = malloc(M * sizeof *d);
            ck_assert(t && q && d);
            uint32_t now = 5;
            for (size_t i = 0; i < M; i++) {
                /* dense (300 records a second), sparser (2 a second: a chunk
                 * closes by its time span), then one an hour */
                now += i < M / 2 ? (i % 300 == 0) : i < M - 100 ? (uint32_t)gsl_rng_uniform_int(rng, 2) : 3600;
                t[i] = now;
                q[i] = i % 7 == 0 ? top : i % 11 == 0 ? UINT32_MAX : (uint32_t)gsl_rng_uniform_int(rng, N);
                d[i] = i % 5 == 0 ? top : i % 13 == 0 ? UINT32_MAX : (uint32_t)gsl_rng_uniform_int(rng, N);
                if (kind == WIDEN && i == M / 3)
                    q[i] = 3000000000u;                /* beyond 27 bits */
            }
            if (runs)
                ck_assert_int_eq(serverlog_append_run(&log, t, q, d, 1, M), 0);
            else
                for (size_t i = 0; i < M; i++)
                    ck_assert_int_eq(serverlog_append(&log, t[i], q[i], d[i]), 0);
            ck_assert_uint_eq(log.size, M);
            if (kind == PLAIN && runs) {
                /* the dense half: full chunks of 8-byte records */
                const struct serverlog_chunk *c = log.chunk[log.first];
                ck_assert_uint_eq(c->wide, 0);
                ck_assert_uint_eq(c->qb, 27);
                ck_assert_uint_eq(c->tb, 10);
                ck_assert_uint_eq(c->cap, SERVERLOG_CHUNK);
            }
            if (kind == HASH)
                ck_assert_uint_eq(log.chunk[log.first]->wide, 1);
            if (kind == WIDEN) {                       /* 32 + 27 bits leave 5 of time: plain records */
                ck_assert_int_eq(log.qb, 32);
                ck_assert_uint_eq(log.tail_chunk->wide, 1);
            }
            /* every record as appended (the queried number as the policy
             * stores it: a keyed hash is compared through the key) */
            size_t k = 0;
            for (size_t i = 0; i < serverlog_spans(&log); i++) {
                size_t n;
                const struct serverlog_rec *r = serverlog_span(&log, i, &n);
                for (size_t j = 0; j < n; j++, k++) {
                    uint32_t want_q = kind == NO_QUERIER ? UINT32_MAX : q[k];
                    uint32_t got_d = r[j].queried;
                    if (kind == HASH)
                        got_d = serverlog_unmask(&log, serverlog_epoch(&log, r[j].t), got_d);
                    if (r[j].t != t[k] || r[j].querier != want_q || got_d != d[k])
                        ck_abort_msg("case %d, record %zu: (%u, %u, %u), appended (%u, %u, %u)", kind, k, r[j].t,
                                     r[j].querier, got_d, t[k], want_q, d[k]);
                }
            }
            ck_assert_uint_eq(k, M);
            ck_assert_uint_eq(serverlog_newest(&log)->t, t[M - 1]);
            ck_assert_uint_eq(serverlog_recent(&log, M)->t, t[0]);
            ck_assert_uint_eq(serverlog_recent(&log, M / 2)->t, t[M - M / 2]);
            double b = serverlog_record_bytes(&log);
            if (kind == HASH)
                ck_assert_double_ge(b, 12);
            if (kind == PLAIN || kind == NO_QUERIER)   /* (plain records: 43,690 a chunk) */
                check_memory(&log);
            serverlog_destroy(&log);
            free(t), free(q), free(d);
        }
    /* A dense log at 10^8: 8 bytes a record, and a header of 24 bytes for
     * a chunk of 65,536 (2 x 10^7 lookups a day, 231 a second: a chunk
     * spans 284 s) */
    struct serverlog_policy p = { .retention = 86400, .resolution = 1, .sampling = 1.0,
                                  .queried = SERVERLOG_QUERIED_KEPT, .key_rotation = 86400, .id_bits = 27 };
    struct serverlog log;
    ck_assert_int_eq(serverlog_init_policy(&log, &p, NULL), 0);
    for (uint32_t i = 0; i < 20 * SERVERLOG_CHUNK; i++)
        ck_assert_int_eq(serverlog_append(&log, i / 231, (uint32_t)gsl_rng_uniform_int(rng, N),
                                          (uint32_t)gsl_rng_uniform_int(rng, N)), 0);
    ck_assert_double_le(serverlog_record_bytes(&log), 8.0 + 24.0 / SERVERLOG_CHUNK + 1e-12);
    serverlog_destroy(&log);
    gsl_rng_free(rng);
}
END_TEST

Suite *serverlog_suite(void)
{
    Suite *s = suite_create("serverlog");
    TCase *tc = tcase_create("retention");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_serverlog_small);
    tcase_add_test(tc, test_serverlog_random);
    tcase_add_test(tc, test_serverlog_memory);
    tcase_add_test(tc, test_serverlog_ring_growth);
    tcase_add_test(tc, test_append_run);
    tcase_add_test(tc, test_packed_widths);
    TCase *tp = tcase_create("policy");
    tcase_set_timeout(tp, 60);
    tcase_add_test(tp, test_purge_jobs);
    tcase_add_test(tp, test_time_resolution);
    tcase_add_test(tp, test_keep_hour);
    tcase_add_test(tp, test_queried_number);
    tcase_add_test(tp, test_sampling);
    tcase_add_test(tp, test_keyed_hash);
    tcase_add_test(tp, test_delivery_delay);
    suite_add_tcase(s, tp);
    suite_add_tcase(s, tc);
    return s;
}
