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

uint32_t rng_stream_seed(uint32_t scenario_seed, uint32_t replication, unsigned component)
{
    uint32_t index = replication * RNG_MAX_COMPONENTS + component;
    return rng_fmix32(rng_fmix32(index) ^ rng_fmix32(scenario_seed));
}

gsl_rng *rng_stream_new(uint32_t scenario_seed, uint32_t replication, unsigned component)
{
    gsl_rng *r = gsl_rng_alloc(RNG_TYPE);
    if (r)
        gsl_rng_set(r, rng_stream_seed(scenario_seed, replication, component));
    return r;
}
