/* rng — stream seeds; see rng.h for the derivation. */
#include "rng.h"

uint32_t rng_fmix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

static uint32_t derive(uint32_t scenario_seed, uint32_t index)
{
    return rng_fmix32(rng_fmix32(index) ^ rng_fmix32(scenario_seed));
}

/* Seeds that taus2 turns into the same state as another seed (rng.h). */
static int shadowed(uint32_t seed) { return seed == 1u || seed == 4054316303u; }
static int troubled(uint32_t seed)
{
    return seed == 0u || seed == 1u || seed == 2783094533u || seed == 4054316303u;
}

uint32_t rng_stream_seed(uint32_t scenario_seed, uint32_t replication, unsigned component)
{
    uint32_t seed = derive(scenario_seed, replication * RNG_MAX_COMPONENTS + component);
    if (!shadowed(seed))
        return seed;
    /* Reserved indices, never a replication's: at most 4 of 2^32 words
     * are troubled, so one of the 16 is clean. */
    uint32_t reserved = RNG_MAX_REPLICATIONS * RNG_MAX_COMPONENTS + (seed == 1u ? 0u : 8u);
    for (uint32_t k = 0; k < 8; k++) {
        uint32_t alt = derive(scenario_seed, reserved + k);
        if (!troubled(alt))
            return alt;
    }
    return seed;                                /* unreachable in practice */
}

gsl_rng *rng_stream_new(uint32_t scenario_seed, uint32_t replication, unsigned component)
{
    gsl_rng *r = gsl_rng_alloc(RNG_TYPE);
    if (r)
        gsl_rng_set(r, rng_stream_seed(scenario_seed, replication, component));
    return r;
}

uint32_t rng_substream_seed(uint32_t parent_seed, uint32_t tag)
{
    uint32_t seed = rng_fmix32(parent_seed ^ rng_fmix32(tag + 0x9e3779b9u));
    while (troubled(seed))
        seed = rng_fmix32(seed + 0x9e3779b9u);
    return seed;
}

gsl_rng *rng_substream_new(uint32_t parent_seed, uint32_t tag)
{
    gsl_rng *r = gsl_rng_alloc(RNG_TYPE);
    if (r)
        gsl_rng_set(r, rng_substream_seed(parent_seed, tag));
    return r;
}
