/* rng — seeding of the random streams.
 *
 * Every model component draws from its own GSL generator, so a change in
 * one component (the policy, the adversary) does not shift the numbers
 * another one (the traffic) sees.  The generator is gsl_rng_taus2
 * (L'Ecuyer's maximally equidistributed combined Tausworthe generator,
 * period 2^88, full 32-bit output), which GSL lists among its fastest
 * simulation-quality generators: 3 ns a word here against 7 ns for
 * gsl_rng_mt19937, and the traffic model draws about two words a lookup.
 * Seeds derive from the scenario seed s (32-bit) as
 *
 *     seed(r, c) = fmix32( fmix32(16 r + c)  XOR  fmix32(s) )
 *
 * for replication r (0-based, r < 2^28) and component c (< 16), where fmix32
 * is MurmurHash3's 32-bit finaliser.  fmix32 and XOR-with-a-constant are
 * bijections of 32-bit words, so for one scenario seed every (replication,
 * component) gets a different seed: no two streams of a run or of a sweep
 * (whose points share the scenario seed) coincide.  GSL's taus2 seeding maps
 * two pairs of seeds to one state ({0, 1}: 0 becomes 1; {2783094533,
 * 4054316303}: a state word of 1 is bumped to 3), so a derived seed equal to
 * the second of a pair is replaced by the seed of a reserved index
 * 16·(2^28 − 1) + k, which no replication uses (replications are far fewer
 * than 2^28 − 1).  Replication r's
 * seeds are the 16 values seed(r, 0..15); docs/model.md says the same. */
#ifndef EXPOSIM_RNG_H
#define EXPOSIM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#define RNG_MAX_COMPONENTS 16
#define RNG_MAX_REPLICATIONS ((1u << 28) - 1)  /* the last 16 indices are reserved */
#define RNG_TYPE gsl_rng_taus2
#define RNG_TYPE_NAME "gsl_rng_taus2"

uint32_t rng_fmix32(uint32_t h);
uint32_t rng_stream_seed(uint32_t scenario_seed, uint32_t replication, unsigned component);
/* A new RNG_TYPE generator seeded for (replication, component); NULL on OOM.
 * Free with gsl_rng_free. */
gsl_rng *rng_stream_new(uint32_t scenario_seed, uint32_t replication, unsigned component);

/* A substream of a stream: a model family that needs a generator of its
 * own without a component of its own (the components are the manifest's
 * recorded streams) derives one from a recorded stream seed and a tag of
 * its own: fmix32(parent_seed XOR fmix32(tag + 0x9e3779b9)), re-mixed
 * while it is one of taus2's four troubled seeds.  Distinct tags give
 * distinct seeds (the mixes are bijections), and no draw of the parent
 * stream is used, so a family that is off moves no other stream. */
uint32_t rng_substream_seed(uint32_t parent_seed, uint32_t tag);
/* A new RNG_TYPE generator seeded with rng_substream_seed; NULL on OOM. */
gsl_rng *rng_substream_new(uint32_t parent_seed, uint32_t tag);

/* Uniform integer in [0, n), n >= 1, exact (Lemire's method with rejection);
 * r must return full 32-bit words (taus2 does). */
static inline uint32_t rng_below(const gsl_rng *r, uint32_t n)
{
    uint64_t m = (uint64_t)(uint32_t)gsl_rng_get(r) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)-n % n;
        while (low < threshold) {
            m = (uint64_t)(uint32_t)gsl_rng_get(r) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

#endif
