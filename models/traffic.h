/* traffic — conversation starts, and the lookups they cause.
 *
 * For every ordered contact pair (a, b), a starts conversations with b as a
 * Poisson process of rate λ per day.  The processes of one person are merged
 * (superposition): a's starts form one Poisson process of rate deg(a)·λ and
 * each start picks the contact uniformly, which is the same law.  A day's
 * starts are generated at the day's start into the engine's batch (event
 * kind TRAFFIC_EV_START, a = querier, b = contact) and handled in time order.
 *
 * Tie strengths (traffic_set_weights): when the pairs have their own rates
 * w(a, b) (conversations per day, the same both ways), a's merged process
 * has rate R_a = sum_b w(a, b) and each start picks contact b with
 * probability w(a, b) / R_a, from a per-person alias table (Vose, IEEE TSE
 * 17, 1991): O(1) a pick, 8 bytes per directed entry.  Without weights every
 * pair has rate λ and the pick is uniform (the fast path).
 *
 * Only clients start conversations (traffic_set_clients); an SMS-only
 * person is skipped like one without contacts, drawing nothing.
 *
 * Generation per person and slice of length L seconds: the count is
 * Poisson(μ), μ = deg(a)·λ·L/86400; given the count, a homogeneous Poisson
 * process's points are independent and uniform over the slice, so each start
 * time is a uniform second in [start, end) (times are whole seconds).  The
 * count is drawn by inversion of the Poisson CDF from one uniform, with e^-μ
 * kept per person (no exp or log per draw), when μ <= TRAFFIC_INVERSION_MAX,
 * and by gsl_ran_poisson above it.  About three 32-bit draws a lookup. */
#ifndef EXPOSIM_TRAFFIC_H
#define EXPOSIM_TRAFFIC_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "batch.h"
#include "contacts.h"

#define TRAFFIC_EV_START 1u
#define TRAFFIC_INVERSION_MAX 16.0
#define TRAFFIC_INVERSION_STEPS 200

struct traffic {
    const struct graph *g;
    double rate_per_day;                  /* λ per ordered pair */
    double *emu;                          /* e^-μ for a full day, per person */
    double inv[TRAFFIC_INVERSION_STEPS + 1];  /* 1/k, for the inversion */
    gsl_rng *rng;
    const uint8_t *client;                /* per person: looks up iff client[a] & client_bit; NULL: all */
    uint8_t client_bit;
    double *rate;                         /* weighted: R_a per person, else NULL */
    uint32_t *alias_thr, *alias_idx;      /* weighted: per directed entry */
    uint64_t starts;                      /* conversation starts generated */
};

/* Returns 0, or -1 (OOM). */
int traffic_init(struct traffic *t, const struct graph *g, double rate_per_day, gsl_rng *rng);
void traffic_destroy(struct traffic *t);
/* Only people a with flags[a] & bit start conversations (SMS-only people
 * make no lookups, but are still looked up).  flags must outlive t.  The
 * others draw nothing from the stream. */
void traffic_set_clients(struct traffic *t, const uint8_t *flags, uint8_t bit);
/* Give every ordered pair (a, b) its own rate w[j] (per day), j the index
 * of b in a's row; w must be symmetric (w(a, b) = w(b, a)) and >= 0.
 * Replaces λ.  O(n + m).  Returns 0, or -1 (OOM). */
int traffic_set_weights(struct traffic *t, const float *w);
/* Add every start in [start, end) to the batch.  Returns 0, or -1 (OOM). */
int traffic_slice(struct traffic *t, struct batch *b, int64_t start, int64_t end);

#endif
