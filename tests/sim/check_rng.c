/* check_rng — stream seeding and rng_below: MurmurHash3's fmix32 against
 * the definition and hand-derived values, the seed formula of rng.h, seeds
 * distinct across a run, reproducible streams, and rng_below exact (scripted
 * generator), in range and uniform (chi-square). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "rng.h"
#include "suites.h"

/* An assertion for hot loops: unlike ck_assert it records no location on
 * success (Check's mark point is a write per call). */
#define REQUIRE(cond) \
    do { \
        if (!(cond)) \
            ck_abort_msg("Assertion '%s' failed", #cond); \
    } while (0)

/* MurmurHash3's 32-bit finaliser, written from its definition
 * (Appleby, MurmurHash3.cpp: fmix32). */
static uint32_t ref_fmix32(uint32_t h)
{
    h ^= h >> 16;
    h = (uint32_t)(h * 0x85ebca6bULL);
    h ^= h >> 13;
    h = (uint32_t)(h * 0xc2b2ae35ULL);
    h ^= h >> 16;
    return h;
}

/* rng.h: seed(r, c) = fmix32(fmix32(16 r + c) XOR fmix32(s)). */
static uint32_t ref_seed(uint32_t s, uint32_t r, unsigned c)
{
    return ref_fmix32(ref_fmix32(r * 16u + c) ^ ref_fmix32(s));
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Seed pairs that GSL's set function maps to the same generator state, so
 * that two streams with these seeds are the same stream:
 *   mt19937: a seed of 0 is replaced by the default 4357;
 *   taus2:   0 is replaced by 1, and s1 = 69069 s mod 2^32 is raised by 2
 *            when below 2, so the seed with s1 = 1 (69069^-1 mod 2^32 =
 *            2783094533) meets the one with s1 = 3 (3 x that = 4054316303).
 * test_alias_pairs checks the list against GSL itself. */
struct alias {
    uint32_t a, b;
};

static const struct alias *alias_pairs(const char *name, size_t *n)
{
    static const struct alias mt[] = { { 0, 4357 } };
    static const struct alias taus2[] = { { 0, 1 }, { 2783094533u, 4054316303u } };
    if (strcmp(name, "mt19937") == 0) {
        *n = sizeof mt / sizeof mt[0];
        return mt;
    }
    if (strcmp(name, "taus2") == 0) {
        *n = sizeof taus2 / sizeof taus2[0];
        return taus2;
    }
    *n = 0;
    return NULL;
}

/* Do two fresh RNG_TYPE generators seeded a and b give the same 16 words? */
static int same_stream(uint32_t a, uint32_t b)
{
    gsl_rng *x = gsl_rng_alloc(RNG_TYPE), *y = gsl_rng_alloc(RNG_TYPE);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    gsl_rng_set(x, a);
    gsl_rng_set(y, b);
    int same = 1;
    for (int i = 0; i < 16; i++)
        same &= gsl_rng_get(x) == gsl_rng_get(y);
    gsl_rng_free(x);
    gsl_rng_free(y);
    return same;
}

/* ---- fmix32 ------------------------------------------------------------------- */

START_TEST(test_fmix32_known)
{
    /* fmix32(0) = 0: every step maps 0 to 0. */
    ck_assert_uint_eq(rng_fmix32(0), 0);
    /* fmix32(1), by hand:
     *   h = 1;          h ^= h >> 16  -> 0x00000001
     *   h *= 0x85ebca6b               -> 0x85ebca6b
     *   h ^= h >> 13  (0x00042f5e)    -> 0x85efe535
     *   h *= 0xc2b2ae35 (mod 2^32)    -> 0x514e79f9
     *   h ^= h >> 16  (0x0000514e)    -> 0x514e28b7 */
    ck_assert_uint_eq(rng_fmix32(1), 0x514e28b7u);
    /* Values from an independent (Python) evaluation of the definition. */
    ck_assert_uint_eq(rng_fmix32(2), 0x30f4c306u);
    ck_assert_uint_eq(rng_fmix32(0xdeadbeefu), 0x0de5c6a9u);
    ck_assert_uint_eq(rng_fmix32(0xffffffffu), 0x81f16f39u);
    /* And the definition itself on a spread of inputs. */
    for (uint64_t x = 0; x <= 0xffffffffu; x += 0x10001u * 97u + 13u)
        REQUIRE(rng_fmix32((uint32_t)x) == ref_fmix32((uint32_t)x));
    /* The reference agrees with the hand value (guards the reference). */
    ck_assert_uint_eq(ref_fmix32(1), 0x514e28b7u);
}
END_TEST

START_TEST(test_seed_formula)
{
    static const uint32_t seeds[] = { 0, 1, 42, 20161028u, 0xffffffffu };
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        for (uint32_t r = 0; r < 300; r += 7)
            for (unsigned c = 0; c < RNG_MAX_COMPONENTS; c++)
                REQUIRE(rng_stream_seed(seeds[i], r, c) == ref_seed(seeds[i], r, c));
    /* The largest index, 16 r + c = 2^32 - 1. */
    ck_assert_uint_eq(rng_stream_seed(7, RNG_MAX_REPLICATIONS - 1, 15), ref_seed(7, RNG_MAX_REPLICATIONS - 1, 15));
    /* seed(s, r, c) with 16 r + c = s is fmix32(0) = 0. */
    ck_assert_uint_eq(rng_stream_seed(35, 2, 3), 0);
}
END_TEST

/* ---- distinct seeds ----------------------------------------------------------- */

START_TEST(test_seeds_distinct_in_run)
{
    /* For one scenario seed the 20000 x 16 stream seeds are all different
     * (fmix32 and XOR with a constant are bijections). */
    enum { R = 20000, C = RNG_MAX_COMPONENTS, N = R * C };
    static const uint32_t scen[] = { 1, 20161028u };
    uint32_t *v = malloc(N * sizeof *v);
    ck_assert_ptr_nonnull(v);
    for (size_t k = 0; k < sizeof scen / sizeof scen[0]; k++) {
        size_t n = 0;
        for (uint32_t r = 0; r < R; r++)
            for (unsigned c = 0; c < C; c++)
                v[n++] = rng_stream_seed(scen[k], r, c);
        qsort(v, N, sizeof *v, cmp_u32);
        size_t dups = 0;
        for (size_t i = 1; i < N; i++)
            dups += v[i] == v[i - 1];
        ck_assert_msg(dups == 0, "scenario seed %u: %zu duplicate stream seeds", scen[k], dups);
        /* Nor may a run use both seeds of a pair that GSL's generator maps
         * to the same state (alias_pairs). */
        size_t na;
        const struct alias *al = alias_pairs(RNG_TYPE->name, &na);
        for (size_t j = 0; j < na; j++) {
            int has_a = bsearch(&al[j].a, v, N, sizeof *v, cmp_u32) != NULL;
            int has_b = bsearch(&al[j].b, v, N, sizeof *v, cmp_u32) != NULL;
            ck_assert_msg(!(has_a && has_b), "scenario seed %u: seeds %u and %u (one generator state) both used",
                          scen[k], al[j].a, al[j].b);
        }
    }
    free(v);
}
END_TEST

START_TEST(test_seeds_differ_across_scenarios)
{
    static const uint32_t pairs[][2] = {
        { 1, 2 }, { 0, 1 }, { 20161028u, 20161029u }, { 0, 0xffffffffu }, { 42, 0x80000000u + 42 },
    };
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++)
        for (uint32_t r = 0; r < 1000; r++)
            for (unsigned c = 0; c < RNG_MAX_COMPONENTS; c++)
                if (rng_stream_seed(pairs[k][0], r, c) == rng_stream_seed(pairs[k][1], r, c))
                    ck_abort_msg("scenario seeds %u and %u give the same seed at (r=%u, c=%u)",
                                 pairs[k][0], pairs[k][1], r, c);
}
END_TEST

START_TEST(test_alias_pairs)
{
    /* The generator is one whose seeding this file knows, it returns full
     * 32-bit words (rng_below's precondition), and the aliasing seed pairs
     * listed for it really give one stream (while neighbours do not). */
    ck_assert_uint_eq(RNG_TYPE->min, 0);
    ck_assert_uint_eq(RNG_TYPE->max, 0xffffffffUL);
    gsl_rng *g = rng_stream_new(1, 0, 0);
    ck_assert_ptr_nonnull(g);
    ck_assert_str_eq(gsl_rng_name(g), RNG_TYPE->name);
    ck_assert_int_eq(strncmp(RNG_TYPE_NAME, "gsl_rng_", 8), 0);
    ck_assert_str_eq(RNG_TYPE_NAME + 8, RNG_TYPE->name);
    gsl_rng_free(g);
    size_t na;
    const struct alias *al = alias_pairs(RNG_TYPE->name, &na);
    ck_assert_msg(na >= 1, "no aliasing seeds listed for generator %s: add them to alias_pairs",
                  RNG_TYPE->name);
    for (size_t j = 0; j < na; j++) {
        ck_assert_msg(same_stream(al[j].a, al[j].b), "seeds %u and %u differ", al[j].a, al[j].b);
        ck_assert(!same_stream(al[j].a, al[j].b + 1));
    }
    ck_assert(!same_stream(5, 6));
}
END_TEST

START_TEST(test_streams_distinct_generators)
{
    /* rng.h: the 32-bit seeds of a run are distinct, and a few seeds share
     * a generator state with another (alias_pairs), so rng_stream_seed
     * replaces the second of such a pair.  Without that, valid scenario
     * seeds put both seeds of a pair into one run: with taus2, scenario seed
     * 235748 gives seed 0 to (r=14734, c=4) and seed 1 to (r=27097, c=1);
     * with MT19937, 31748 gives seeds 0 and 4357 to (1984, 4) and (7726, 2).
     * Check those and the usual seeds over 30000 replications and all 16
     * components, by comparing the actual streams of any pair found. */
    static const uint32_t scen[] = { 1, 20161028u, 42, 235748u, 31748u };
    enum { R = 30000, C = RNG_MAX_COMPONENTS };
    size_t na;
    const struct alias *al = alias_pairs(RNG_TYPE->name, &na);
    ck_assert_uint_ge(na, 1);
    for (size_t k = 0; k < sizeof scen / sizeof scen[0]; k++) {
        for (size_t j = 0; j < na; j++) {
            /* find the (r, c) holding each seed of the pair, if in range */
            long ra = -1, ca = -1, rb = -1, cb = -1;
            for (uint32_t r = 0; r < R; r++)
                for (unsigned c = 0; c < C; c++) {
                    uint32_t sd = rng_stream_seed(scen[k], r, c);
                    if (sd == al[j].a)
                        ra = r, ca = c;
                    if (sd == al[j].b)
                        rb = r, cb = c;
                }
            if (ra < 0 || rb < 0)
                continue;
            gsl_rng *x = rng_stream_new(scen[k], (uint32_t)ra, (unsigned)ca);
            gsl_rng *y = rng_stream_new(scen[k], (uint32_t)rb, (unsigned)cb);
            ck_assert_ptr_nonnull(x);
            ck_assert_ptr_nonnull(y);
            int same = 1;
            for (int i = 0; i < 16; i++)
                same &= gsl_rng_get(x) == gsl_rng_get(y);
            gsl_rng_free(x);
            gsl_rng_free(y);
            ck_assert_msg(!same, "scenario seed %u: streams (r=%ld, c=%ld) and (r=%ld, c=%ld) are the "
                          "same %s sequence (seeds %u and %u)", scen[k], ra, ca, rb, cb, RNG_TYPE->name,
                          al[j].a, al[j].b);
        }
    }
}
END_TEST

/* ---- reproducible streams ------------------------------------------------------ */

START_TEST(test_stream_reproducible)
{
    gsl_rng *a = rng_stream_new(20161028u, 3, 2);
    gsl_rng *b = rng_stream_new(20161028u, 3, 2);
    gsl_rng *m = gsl_rng_alloc(RNG_TYPE);
    gsl_rng *other_c = rng_stream_new(20161028u, 3, 1);
    gsl_rng *other_r = rng_stream_new(20161028u, 4, 2);
    gsl_rng *other_s = rng_stream_new(20161029u, 3, 2);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_nonnull(other_c);
    ck_assert_ptr_nonnull(other_r);
    ck_assert_ptr_nonnull(other_s);
    gsl_rng_set(m, ref_seed(20161028u, 3, 2));
    size_t same_c = 0, same_r = 0, same_s = 0;
    for (int i = 0; i < 10000; i++) {
        unsigned long x = gsl_rng_get(a);
        REQUIRE(x == gsl_rng_get(b));
        REQUIRE(x == gsl_rng_get(m));
        same_c += x == gsl_rng_get(other_c);
        same_r += x == gsl_rng_get(other_r);
        same_s += x == gsl_rng_get(other_s);
    }
    /* Unrelated 32-bit streams agree at a position with probability 2^-32:
     * over 10000 positions, expect 2.3e-6 agreements; allow none. */
    ck_assert_uint_eq(same_c, 0);
    ck_assert_uint_eq(same_r, 0);
    ck_assert_uint_eq(same_s, 0);
    gsl_rng_free(a);
    gsl_rng_free(b);
    gsl_rng_free(m);
    gsl_rng_free(other_c);
    gsl_rng_free(other_r);
    gsl_rng_free(other_s);
}
END_TEST

/* ---- rng_below ------------------------------------------------------------------ */

/* A scripted "generator" returning given 32-bit words, so that rng_below's
 * rejection can be checked word by word. */
struct script {
    const uint32_t *v;
    size_t n, used;
};

static void script_set(void *state, unsigned long seed)
{
    (void)seed;
    memset(state, 0, sizeof(struct script));
}

static unsigned long script_get(void *state)
{
    struct script *s = state;
    if (s->used >= s->n)
        ck_abort_msg("rng_below drew more than the %zu scripted words", s->n);
    return s->v[s->used++];
}

static double script_get_double(void *state)
{
    return (double)script_get(state) / 4294967296.0;
}

static const gsl_rng_type script_type = {
    "script", 0xffffffffUL, 0, sizeof(struct script), script_set, script_get, script_get_double,
};

START_TEST(test_below_exact)
{
    /* Lemire's method: with m = x n (64-bit), accept x iff (m mod 2^32) >=
     * (2^32 mod n) and return floor(m / 2^32); otherwise draw again.  Each
     * output then has exactly floor(2^32 / n) accepted words.  Expected
     * results below follow from that definition (worked out independently
     * in Python); `used` checks that rejected words are consumed. */
    static const struct {
        uint32_t n;
        uint32_t words[2];
        size_t nwords;
        uint32_t want;
        size_t used;
    } cases[] = {
        /* n = 3: 2^32 mod 3 = 1, so only words with x*3 = 0 mod 2^32 (x = 0) are rejected. */
        { 3, { 0, 5 }, 2, 0, 2 },
        { 3, { 0xffffffffu }, 1, 2, 1 },
        { 3, { 0x55555556u }, 1, 1, 1 },          /* 3x = 2^32 + 2 */
        { 3, { 0x55555555u }, 1, 0, 1 },          /* 3x = 2^32 - 1 */
        /* n = 2^31 + 1: 2^32 mod n = 2^31 - 1, about half the words are rejected. */
        { 0x80000001u, { 2, 1 }, 2, 0, 2 },       /* 2n mod 2^32 = 2 < 2^31 - 1: rejected */
        { 0x80000001u, { 4, 0xffffffffu }, 2, 0x80000000u, 2 },   /* 4n mod 2^32 = 4: rejected */
        /* n = 2^32 - 1: 2^32 mod n = 1 */
        { 0xffffffffu, { 0, 1 }, 2, 0, 2 },
        { 0xffffffffu, { 0xffffffffu }, 1, 0xfffffffeu, 1 },
        { 0xffffffffu, { 0x80000000u }, 1, 0x7fffffffu, 1 },
        /* n = 8, a power of two: nothing is rejected, the top three bits. */
        { 8, { 0xdeadbeefu }, 1, 6, 1 },
        { 8, { 0 }, 1, 0, 1 },
        /* n = 1: always 0, one word. */
        { 1, { 0xffffffffu }, 1, 0, 1 },
        { 1, { 0 }, 1, 0, 1 },
    };
    gsl_rng *g = gsl_rng_alloc(&script_type);
    ck_assert_ptr_nonnull(g);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct script *s = g->state;
        s->v = cases[i].words;
        s->n = cases[i].nwords;
        s->used = 0;
        uint32_t got = rng_below(g, cases[i].n);
        ck_assert_msg(got == cases[i].want, "case %zu: rng_below(n=%u) = %u, want %u", i,
                      cases[i].n, got, cases[i].want);
        ck_assert_msg(s->used == cases[i].used, "case %zu: drew %zu words, want %zu", i, s->used,
                      cases[i].used);
    }
    gsl_rng_free(g);
}
END_TEST

START_TEST(test_below_one)
{
    gsl_rng *g = rng_stream_new(1, 0, 0);
    ck_assert_ptr_nonnull(g);
    gsl_rng *ref = rng_stream_new(1, 0, 0);
    ck_assert_ptr_nonnull(ref);
    for (int i = 0; i < 10000; i++)
        REQUIRE(rng_below(g, 1) == 0);
    /* n = 1 never rejects: exactly one word per call. */
    for (int i = 0; i < 10000; i++)
        gsl_rng_get(ref);
    ck_assert_uint_eq(gsl_rng_get(g), gsl_rng_get(ref));
    gsl_rng_free(g);
    gsl_rng_free(ref);
}
END_TEST

START_TEST(test_below_range)
{
    static const uint32_t ns[] = { 2, 3, 7, 10, 1000, 65537, 0x80000001u, 0xfffffffeu, 0xffffffffu };
    gsl_rng *g = rng_stream_new(1, 0, 1);
    ck_assert_ptr_nonnull(g);
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
        uint32_t max = 0;
        for (int i = 0; i < 20000; i++) {
            uint32_t v = rng_below(g, ns[k]);
            if (v >= ns[k])
                ck_abort_msg("rng_below(%u) returned %u", ns[k], v);
            if (v > max)
                max = v;
        }
        /* the top of the range is reached for small n (P(miss) < 1e-100) */
        if (ns[k] <= 1000)
            ck_assert_uint_eq(max, ns[k] - 1);
    }
    gsl_rng_free(g);
}
END_TEST

/* Pearson's statistic of `draws` rng_below(n) values binned by v / width
 * into k equally likely bins. */
static double chisq(gsl_rng *g, uint32_t n, uint32_t width, unsigned k, unsigned draws)
{
    unsigned long count[16] = { 0 };
    ck_assert_uint_le(k, 16);
    for (unsigned i = 0; i < draws; i++) {
        uint32_t b = rng_below(g, n) / width;
        REQUIRE(b < k);
        count[b]++;
    }
    double e = (double)draws / k, x2 = 0;
    for (unsigned b = 0; b < k; b++)
        x2 += ((double)count[b] - e) * ((double)count[b] - e) / e;
    return x2;
}

START_TEST(test_below_uniform)
{
    /* Chi-square goodness of fit, k - 1 degrees of freedom.  The threshold
     * is the upper 1e-6 quantile: a correct rng_below fails with
     * probability 1e-6 (false alarm), and since the seed is fixed the
     * outcome is the same on every run. */
    gsl_rng *g = rng_stream_new(20161028u, 0, 0);
    ck_assert_ptr_nonnull(g);

    /* n = 7, 70000 draws: 10000 expected per value, 6 df. */
    double limit6 = gsl_cdf_chisq_Qinv(1e-6, 6);
    /* Guard the call with the closed form for even df:
     * Q(x; 6) = exp(-x/2) (1 + x/2 + (x/2)^2 / 2).  (limit6 = 38.258) */
    double h = limit6 / 2;
    ck_assert_double_eq_tol(exp(-h) * (1 + h + h * h / 2), 1e-6, 1e-12);
    double x2 = chisq(g, 7, 1, 7, 70000);
    ck_assert_msg(x2 < limit6, "n = 7: chi-square %.3f >= %.3f", x2, limit6);

    /* n = 3 * 2^30, three bins of width 2^30, 30000 draws, 2 df.  A biased
     * reduction such as x mod n would put half the mass in the first bin
     * (chi-square about 2500); the exact method gives thirds. */
    double limit2 = gsl_cdf_chisq_Qinv(1e-6, 2);
    ck_assert_double_eq_tol(limit2, 2 * log(1e6), 1e-9);   /* Q(x; 2) = exp(-x/2) */
    x2 = chisq(g, 3u << 30, 1u << 30, 3, 30000);
    ck_assert_msg(x2 < limit2, "n = 3*2^30: chi-square %.3f >= %.3f", x2, limit2);
    gsl_rng_free(g);
}
END_TEST

Suite *rng_suite(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("seeds");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_fmix32_known);
    tcase_add_test(tc, test_seed_formula);
    tcase_add_test(tc, test_seeds_distinct_in_run);
    tcase_add_test(tc, test_seeds_differ_across_scenarios);
    tcase_add_test(tc, test_alias_pairs);
    tcase_add_test(tc, test_streams_distinct_generators);
    tcase_add_test(tc, test_stream_reproducible);
    suite_add_tcase(s, tc);

    TCase *below = tcase_create("below");
    tcase_set_timeout(below, 60);
    tcase_add_test(below, test_below_exact);
    tcase_add_test(below, test_below_one);
    tcase_add_test(below, test_below_range);
    tcase_add_test(below, test_below_uniform);
    suite_add_tcase(s, below);
    return s;
}
