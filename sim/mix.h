/* mix — bit mixers: bijections of 64-bit words with full avalanche, for
 * hash tables and counter-based draws.  Header only.
 *
 *   mix_fmix64(z)      SplitMix64's finaliser (Stafford's "Mix13" variant,
 *                      as in Steele, Lea and Flood, OOPSLA 2014)
 *   mix_splitmix64(z)  SplitMix64's output for counter z: the finaliser of
 *                      z plus the golden gamma 0x9e3779b97f4a7c15
 *
 * Both are bijections (xor-shifts and odd multipliers), so distinct keys
 * never collide before the table's mask. */
#ifndef EXPOSIM_MIX_H
#define EXPOSIM_MIX_H

#include <stdint.h>

static inline uint64_t mix_fmix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline uint64_t mix_splitmix64(uint64_t z) { return mix_fmix64(z + 0x9e3779b97f4a7c15ull); }

#endif
