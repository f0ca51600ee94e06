/* coverage — a union of time intervals [lo, hi) in seconds (the lookup
 * seconds lo, lo + 1, ..., hi - 1), kept sorted and disjoint: the time the adversary's acquired logs cover, and its
 * holes (covered_days, target_holes in docs/metrics.md). */
#ifndef EXPOSIM_COVERAGE_H
#define EXPOSIM_COVERAGE_H

#include <stddef.h>
#include <stdint.h>

/* A union of time intervals [lo, hi), kept sorted and disjoint; intervals
 * that touch ([a, b) and [b, c)) are one. */
struct coverage {
    int64_t (*iv)[2];
    size_t n, cap;
};

void coverage_init(struct coverage *c);
void coverage_destroy(struct coverage *c);
/* Add [lo, hi); empty when hi <= lo.  O(number of intervals).  0 or -1 (OOM). */
int coverage_add(struct coverage *c, int64_t lo, int64_t hi);
/* The measure of the union, seconds.  O(intervals). */
int64_t coverage_total(const struct coverage *c);
/* The gaps between the covered intervals (maximal uncovered stretches
 * between the first covered instant and the last): n - 1, 0 when empty. */
uint32_t coverage_holes(const struct coverage *c);

#endif
