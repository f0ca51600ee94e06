/* sort — the comparison and the radix sort the modules share.  Header only.
 *
 *   sort_cmp_u32         qsort/bsearch comparison of uint32_t, ascending
 *   SORT_RADIX_DEFINE    defines a stable LSD radix sort of an array of any
 *                        element type on bits [lo, lo + bits) of a 64-bit
 *                        key that a macro reads off an element
 *
 * The radix sort takes 11 bits a pass (2048 buckets: the scatter writes to
 * 2048 streams, which the caches and write buffers follow, not to n places
 * at random), so a pass costs O(n + 2048) and a sort ceil(bits / 11) passes.
 * Each pass reads bits [sh, sh + 11) of the key, so key bits at or above
 * lo + bits that fall in the last pass's digit take part in it: give keys
 * that are zero there (or that do not mind). */
#ifndef EXPOSIM_SORT_H
#define EXPOSIM_SORT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline int sort_cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

#define SORT_RADIX_BITS 11
#define SORT_RADIX_BUCKETS (1u << SORT_RADIX_BITS)

/* SORT_RADIX_DEFINE(name, T, KEY) defines
 *     static T *name(T *a, T *tmp, size_t n, unsigned lo, unsigned bits);
 * which sorts a[0..n) stably by (KEY(x) >> lo) over `bits` bits, using tmp
 * (n elements) as scratch, and returns the array that holds the result (a
 * after an even number of passes, tmp after an odd one; the other is
 * scrambled).  KEY(x) is an expression of an element x (a T) giving a
 * uint64_t.  O(ceil(bits / 11) (n + 2048)) time, 16 KiB of stack. */
#define SORT_RADIX_DEFINE(name, T, KEY)                                               \
    static T *name(T *a, T *tmp, size_t n, unsigned lo, unsigned bits)                \
    {                                                                                 \
        size_t count[SORT_RADIX_BUCKETS];                                             \
        for (unsigned sh = lo; sh < lo + bits; sh += SORT_RADIX_BITS) {               \
            memset(count, 0, sizeof count);                                           \
            for (size_t i = 0; i < n; i++)                                            \
                count[((uint64_t)(KEY(a[i])) >> sh) & (SORT_RADIX_BUCKETS - 1)]++;   \
            size_t sum = 0;                                                           \
            for (size_t d = 0; d < SORT_RADIX_BUCKETS; d++) {                         \
                size_t c = count[d];                                                  \
                count[d] = sum;                                                       \
                sum += c;                                                             \
            }                                                                         \
            for (size_t i = 0; i < n; i++)                                            \
                tmp[count[((uint64_t)(KEY(a[i])) >> sh) & (SORT_RADIX_BUCKETS - 1)]++] = a[i]; \
            T *swap = a;                                                              \
            a = tmp;                                                                  \
            tmp = swap;                                                               \
        }                                                                             \
        return a;                                                                     \
    }

#endif
