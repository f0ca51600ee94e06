/* coverage — a union of time intervals; see coverage.h. */
#include "coverage.h"

#include <stdlib.h>
#include <string.h>

void coverage_init(struct coverage *c) { memset(c, 0, sizeof *c); }

void coverage_destroy(struct coverage *c)
{
    if (!c)
        return;
    free(c->iv);
    coverage_init(c);
}

int coverage_add(struct coverage *c, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return 0;
    size_t i = 0;
    while (i < c->n && c->iv[i][1] < lo)        /* intervals wholly before */
        i++;
    size_t j = i;
    while (j < c->n && c->iv[j][0] <= hi) {     /* overlapping or touching */
        if (c->iv[j][0] < lo)
            lo = c->iv[j][0];
        if (c->iv[j][1] > hi)
            hi = c->iv[j][1];
        j++;
    }
    if (j == i) {                               /* insert a new interval at i */
        if (c->n == c->cap) {
            size_t cap = c->cap ? 2 * c->cap : 16;
            int64_t (*iv)[2] = realloc(c->iv, cap * sizeof *iv);
            if (!iv)
                return -1;
            c->iv = iv;
            c->cap = cap;
        }
        memmove(c->iv + i + 1, c->iv + i, (c->n - i) * sizeof *c->iv);
        c->n++;
    } else if (j > i + 1) {                     /* merge i..j-1 into i */
        memmove(c->iv + i + 1, c->iv + j, (c->n - j) * sizeof *c->iv);
        c->n -= j - i - 1;
    }
    c->iv[i][0] = lo;
    c->iv[i][1] = hi;
    return 0;
}

int64_t coverage_total(const struct coverage *c)
{
    int64_t t = 0;
    for (size_t i = 0; i < c->n; i++)
        t += c->iv[i][1] - c->iv[i][0];
    return t;
}

uint32_t coverage_holes(const struct coverage *c) { return c->n ? (uint32_t)(c->n - 1) : 0; }
