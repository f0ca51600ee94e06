/* enumeration — a third party that enumerates the discovery API to learn
 * who uses the service (the scenario's <enumeration>), as published for
 * large messengers (Hagen, Weinert, Sendner, Dmitrienko and Schneider, "All
 * the Numbers are US", NDSS 2021).
 *
 * The numbering plan holds `space` numbers, space_factor times the numbers
 * in use; those are scattered in it at random (a keyed bijection of the
 * plan, cycle-walked on the next power of two, from a substream of the
 * contacts stream).  From start_day on, for `days` days, each of the
 * enumerator's accounts makes as many lookups a day as the server's rate
 * limit allows (lookups_per_day), evenly spaced over the day and taken in
 * turn by the accounts: a sweep of the plan in a random order (each number
 * once, stopping when the plan is swept), or uniform numbers (repeats
 * allowed).  A lookup of a registered number (a client's number in use)
 * tells the enumerator that its owner uses the service.  So after k
 * lookups a sweep has found each user with probability k / space, uniform
 * draws with probability 1 - (1 - 1/space)^k.
 *
 * Each lookup is a record of the service's log (querier: the account,
 * NUMBERS_ACCOUNT_BASE + i; queried: the number, which may be nobody's):
 * the adversary that obtains the log gets them too, and learns no pair
 * from them (numbers.h).
 *
 * Report after each acquisition (docs/metrics.md): enumeration_coverage
 * (users found / users), enumeration_lookups (made so far),
 * enumeration_records_acquired (the enumerator's records the adversary
 * acquired) and enumeration_acquired_share (of all the records it
 * acquired).  Memory: a bit per number. */
#ifndef EXPOSIM_ENUMERATION_H
#define EXPOSIM_ENUMERATION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "batch.h"
#include "dynamics.h"
#include "knowledge.h"

#define ENUMERATION_EV_LOOKUP 17u         /* a = account, b = position in the plan */
#define ENUMERATION_MAX_PER_DAY 100000000u

/* The <enumeration> element. */
struct enumeration_params {
    int on;
    uint32_t accounts, per_day;           /* accounts, each's lookups a day */
    double space_factor;
    int random;                           /* uniform numbers, not a sweep */
    int64_t start, end;                   /* seconds */
};

struct enumeration {
    const struct enumeration_params *p;
    uint32_t numbers;                     /* numbers in use */
    uint64_t space;                       /* numbers in the plan */
    uint32_t bits;                        /* 2^bits >= space */
    uint64_t key[4];                      /* the plan's bijection */
    uint64_t next;                        /* sweep: the next position */
    gsl_rng *rng;                         /* uniform positions */
    const uint8_t *flags;                 /* per number: population flags */
    uint8_t client_bit;
    const struct dynamics *dyn;           /* numbers in use over time, or NULL */
    uint64_t *found;                      /* bit per number: found registered */
    uint64_t found_n, users;              /* users found; client numbers */
    uint64_t lookups, acquired;
};

struct cfg;
struct cfg_node;
/* Read <enumeration> (e may be NULL: off) for a run of `horizon` seconds.
 * 0, or -1 with diagnostics. */
int enumeration_configure(struct enumeration_params *p, struct cfg *c, const struct cfg_node *e, int64_t horizon);

/* For `numbers` numbers in use (flags per number: who is a client, dyn:
 * presence, or NULL); the plan's key from structure_seed's substream,
 * uniform positions from events_seed's.  O(numbers / 64).  0 or -1. */
int enumeration_init(struct enumeration *en, const struct enumeration_params *p, uint32_t numbers,
                     const uint8_t *flags, uint8_t client_bit, const struct dynamics *dyn, uint32_t structure_seed,
                     uint32_t events_seed);
void enumeration_destroy(struct enumeration *en);
/* The slice's lookups into the batch.  0 or -1 (OOM). */
int enumeration_slice(struct enumeration *en, struct batch *b, int64_t start, int64_t end);
/* The lookup (account, position) at t: the record to log, *querier and
 * *queried (numbers.h). */
void enumeration_lookup(struct enumeration *en, uint32_t account, uint32_t position, uint32_t t, uint32_t *querier,
                        uint32_t *queried);
/* The number at a position of the plan (a bijection of [0, space)). */
uint64_t enumeration_number(const struct enumeration *en, uint64_t position);

/* One line for the run's summary. */
void enumeration_describe(const struct enumeration *en, FILE *f);

struct sim;
/* The report after acquisition acq at now: outside (n records, querier <<
 * 32 | number) the outsider records the adversary acquired since the last
 * report (adversary_take_outside), k its knowledge (records acquired). */
void enumeration_report(struct enumeration *en, struct sim *s, uint32_t acq, int64_t now, const uint64_t *outside,
                        size_t n, const struct knowledge *k);

#endif
