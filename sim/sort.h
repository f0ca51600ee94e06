/* sort — the comparison and the radix sort the modules share.  Header only.
 *
 *   sort_cmp_u32         qsort/bsearch comparison of uint32_t, ascending
 *   sort_cmp_u64         the same for uint64_t
 *   SORT_RADIX_DEFINE    defines a stable LSD radix sort of an array of any
 *                        element type on bits [lo, lo + bits) of a 64-bit
 *                        key that a macro reads off an element
 *   sort_u64_inplace     sorts uint64_t values in place (an MSD radix sort
 *                        on a range of their bits, with no second array)
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
#include <stdlib.h>
#include <string.h>

static inline int sort_cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

static inline int sort_cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
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

/* Sorts a[0..n) by value, in place, when no value has a bit set at or
 * above `top`: an MSD radix sort (American flag, 11 bits a level) on bits
 * [lo, top), then each run that agrees on them (or a run of at most 32)
 * sorted by the whole value.  Not stable, but equal values are equal.  No
 * memory beyond 32 KiB of stack a level.  (With lo = 32 and top past a
 * person id's bits, records person << 32 | time come out by person, then
 * time, with no second buffer of 8 bytes a record.) */
static inline void sort_u64_inplace(uint64_t *a, size_t n, unsigned top, unsigned lo)
{
    if (n <= 32 || top <= lo) {
        if (n > 64) {
            qsort(a, n, sizeof *a, sort_cmp_u64);
            return;
        }
        for (size_t i = 1; i < n; i++) {   /* an insertion sort */
            uint64_t x = a[i];
            size_t j = i;
            for (; j > 0 && a[j - 1] > x; j--)
                a[j] = a[j - 1];
            a[j] = x;
        }
        return;
    }
    unsigned d = top - lo < SORT_RADIX_BITS ? top - lo : SORT_RADIX_BITS, sh = top - d;
    uint64_t mask = ((uint64_t)1 << d) - 1;
    size_t head[SORT_RADIX_BUCKETS], end[SORT_RADIX_BUCKETS];
    size_t nb = (size_t)1 << d;
    memset(end, 0, nb * sizeof *end);
    for (size_t i = 0; i < n; i++)
        end[a[i] >> sh & mask]++;
    for (size_t b = 0, t = 0; b < nb; b++) {
        head[b] = t;
        t += end[b];
        end[b] = t;
    }
    for (size_t b = 0; b < nb; b++)       /* each value to its bucket, by cycles */
        while (head[b] < end[b]) {
            uint64_t v = a[head[b]];
            size_t k = v >> sh & mask;
            while (k != b) {
                uint64_t x = a[head[k]];
                a[head[k]++] = v;
                v = x;
                k = v >> sh & mask;
            }
            a[head[b]++] = v;
        }
    for (size_t b = 0, start = 0; b < nb; start = end[b++])
        sort_u64_inplace(a + start, end[b] - start, sh, lo);
}

#endif
