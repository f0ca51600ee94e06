/* budget — what this machine can give a run, and the refusal, before
 * anything is written, of a run whose estimate (struct sim_estimate, from
 * the model's estimate function) cannot fit it.
 *
 * A run is refused (`run` and `sweep`, status 2) when
 *   - its expected peak memory (per replication; a sweep with -j N runs N
 *     points at once, so N times a point's) exceeds the limit: the
 *     machine's physical memory (or what `ulimit -v`/`-d` allows), or
 *     --memory-limit SIZE;
 *   - its expected events in all replications exceed BUDGET_MAX_EVENTS
 *     (10^12: days of CPU at the rates measured here); or
 *   - one slice (a day) is expected to hold more batch entries than the
 *     engine's batch can index (BUDGET_MAX_DAY_EVENTS).
 * --force lifts the first two (the run may then fail, status 1, when
 * memory runs out); the third is a hard limit of the engine.
 * The estimate is the model's: this file knows no domain. */
#ifndef EXPOSIM_BUDGET_H
#define EXPOSIM_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#include "sim.h"

#define BUDGET_MAX_EVENTS 1e12
#define BUDGET_MAX_DAY_EVENTS 4294967040.0    /* the batch's pool indices are 32-bit (batch.c) */

struct budget {
    double memory;                    /* bytes a run may hold at once; 0: the machine's (budget_memory) */
    int memory_given;                 /* memory is --memory-limit's, not the machine's */
    int force;                        /* lift the memory and event limits */
    const char *parallel_what;        /* the memory message's words for `parallel` processes at once
                                         (NULL: " for the runs at once") */
};

/* The default budget: the machine's memory, no force (a zeroed struct is
 * the same). */
void budget_init(struct budget *b);
/* The limit: b->memory, or the machine's physical memory (sysconf
 * _SC_PHYS_PAGES; not MemAvailable, which moves with whatever else the
 * machine runs, so the same scenario would be refused one minute and run
 * the next), or less when `ulimit -v` or `ulimit -d` allows less.  *what
 * (may be NULL) gets words for messages: "limit given", "of this
 * machine's memory", ... */
double budget_memory(const struct budget *b, const char **what);

/* A size for --memory-limit: a whole number of bytes, or with a suffix K,
 * M, G or T (powers of 1024; "KiB", "MB" and the like are read the same),
 * at least 1 MiB.  0, or -1 when the text is not one. */
int budget_parse_size(const char *text, double *bytes);

/* "232 MiB", "1.8 TiB", "512 B" into buf. */
const char *budget_bytes(char *buf, size_t len, double bytes);
/* "0.2 s", "7 min", "3.1 h", "12 days" into buf. */
const char *budget_seconds(char *buf, size_t len, double seconds);

/* The estimate as one line for `validate` (no newline): per replication,
 * and in all for `replications`. */
void budget_describe(char *buf, size_t len, const struct sim_estimate *e, uint32_t replications);

/* Does a run of `replications` replications, `parallel` of them (or of a
 * sweep's points) at once, fit?  0, or -1 with the reason and the estimate
 * in msg. */
int budget_check(const struct budget *b, const struct sim_estimate *e, uint32_t replications, unsigned parallel,
                 char *msg, size_t len);

#endif
