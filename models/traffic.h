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
 * and by gsl_ran_poisson above it.
 *
 * Without tie strengths, profile, groups, non-contacts or device changes,
 * the fast path runs (traffic.c): people in blocks of TRAFFIC_BLOCK, each
 * block's counts first (one word each, read off per-degree thresholds on
 * the word, not a loop), then its starts, each from one word (second and
 * contact from Lemire's draw on L·deg(a)); taus2 is drawn inline (the
 * state in registers, no call per word).  About two 32-bit words a lookup.
 * The general path draws, per person, the count, then per start the
 * second and the contact (and what the options need).
 *
 * Streams: the people go in blocks of TRAFFIC_BLOCK (ids 4096·B to
 * 4096·B + 4095 form block B), and each block draws, in each slice, from a
 * stream of its own, set from the traffic stream's key, the slice's first
 * second and B (traffic.c, block_stream).  What a person's starts are
 * depends on its block and the slice alone, never on the other blocks or
 * the order in which they are drawn: a part of the population, whole
 * blocks of it, can be generated apart from the rest with the same
 * result.  TRAFFIC_BLOCK is therefore part of the streams' definition. */
#ifndef EXPOSIM_TRAFFIC_H
#define EXPOSIM_TRAFFIC_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "batch.h"
#include "cfg.h"
#include "contacts.h"
#include "graph.h"

#define TRAFFIC_EV_START 1u
#define TRAFFIC_EV_DEVICE 3u                  /* a = person whose device changed */
#define TRAFFIC_INVERSION_MAX 16.0
#define TRAFFIC_INVERSION_STEPS 200
#define TRAFFIC_MAX_GROUP 64
#define TRAFFIC_MAX_SEGMENTS 32           /* hour pieces of one slice (a day has 24) */
#define TRAFFIC_THR_DEGREES 4096          /* degrees with count thresholds (traffic.c) */
#define TRAFFIC_BLOCK 4096                /* people with one stream per slice; the fast path draws their
                                             counts together */

/* The <traffic> element. */
struct traffic_params {
    double rate_per_day;                  /* λ, or the mean tie strength */
    int rate_given;                       /* rate_per_day was in the scenario */
    int lognormal;                        /* tie strengths: 0 constant, 1 lognormal, 2 file */
    double sigma;
    uint32_t cache_ttl;                   /* seconds; 0: no cache */
    double noncontact_per_day;            /* lookups of non-contacts per client per day */
    double group_share;                   /* share of starts that are group conversations */
    double device_per_year;               /* device changes per client per year */
    int device_relookup;                  /* a change looks up every contact at once */
    uint32_t group_size;                  /* members of a group conversation, querier included */
    int profiled;                         /* hourly/weekly given */
    double hourly[24], weekly[7];         /* normalised to mean 1 */
};

/* The client cache: a start (a, b) makes a lookup unless a looked b up
 * less than ttl seconds ago (each lookup refreshes the entry).  Lookups of
 * non-contacts are never cached.  4 bytes per directed entry. */
struct traffic_cache {
    const struct graph *g;
    uint32_t *last;                       /* per directed entry: time of the last lookup + 1, 0 never */
    uint32_t ttl;
    uint64_t hits;                        /* starts answered from the cache */
};

/* The slice cut into pieces of constant rate (hours, or one piece without
 * a profile), with an alias table to draw a time with density proportional
 * to the rate. */
struct pieces {
    uint32_t n;
    uint32_t lo[TRAFFIC_MAX_SEGMENTS], len[TRAFFIC_MAX_SEGMENTS];
    uint32_t thr[TRAFFIC_MAX_SEGMENTS], idx[TRAFFIC_MAX_SEGMENTS];
    double factor;                        /* integral of the multiplier over the slice, in days */
};

struct traffic {
    const struct graph *g;
    double rate_per_day;                  /* λ per ordered pair */
    double *emu;                          /* e^-μ for a full day, per person */
    double inv[TRAFFIC_INVERSION_STEPS + 1];  /* 1/k, for the inversion */
    uint32_t *thr;                        /* per degree <= thr_max: 8 count thresholds */
    uint32_t thr_max;
    int inline_rng;                       /* rng is taus2, drawn inline */
    int taus;                             /* rng is taus2 with GSL's state layout (block_stream sets it) */
    int pack;                             /* the fast path may pack its starts (traffic_allow_pack) */
    gsl_rng *rng;                         /* set anew for each block of people (block_stream) */
    uint64_t key;                         /* the blocks' streams are functions of it (drawn at init) */
    uint32_t part_lo, part_hi;            /* the people whose starts are generated (traffic_set_part) */
    const uint8_t *client;                /* per person: looks up iff client[a] & client_bit; NULL: all */
    uint8_t client_bit;
    double *rate;                         /* weighted: R_a per person, else NULL */
    int profiled;
    double hourly[24], weekly[7];         /* rate multipliers, mean 1 each */
    const uint32_t *home_region;          /* local time (traffic_set_local): region per person, or NULL */
    int32_t *const *region_offset;        /* per region: UTC offset (s) of each run day */
    uint32_t nregions, offset_days;
    struct pieces *local;                 /* per region: the slice's pieces in its local time */
    double noncontact;                    /* per client per day */
    double device_per_day;                /* device changes per client per day */
    const struct contacts_trace *trace;   /* replay instead of the synthetic process */
    size_t cursor;                        /* next message to replay */
    uint64_t devices;                     /* device changes generated */
    double group_share;
    uint32_t group_size;
    uint64_t noncontacts;                 /* non-contact lookups generated */
    uint32_t *alias_thr, *alias_idx;      /* weighted: per directed entry */
    uint64_t starts;                      /* conversation starts generated */
    uint32_t *who;                        /* fast path: a block's starts' people */
    size_t who_cap;
    struct traffic_cache cache;           /* the clients' cache (cache.last NULL: none) */
    int device_relookup;                  /* a device change looks up every contact at once */
    uint64_t lookups;                     /* lookups made: starts the cache did not answer, device
                                             re-look-ups (traffic_start, traffic_device_change,
                                             traffic_count) */
};

/* Read <traffic> (and its <profile>).  0, or -1 with diagnostics. */
int traffic_configure(struct traffic_params *p, struct cfg *c, const struct cfg_node *tr);
/* Check p against the contacts it will run on (<traffic> element tr): a
 * rate unless the contacts are a replayed trace, tie strengths from a file
 * only with a file that carries weights.  0, or -1 with diagnostics. */
int traffic_check_contacts(const struct traffic_params *p, const struct contacts_params *cp, struct cfg *c,
                           const struct cfg_node *tr);

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
/* Diurnal and weekly profile: the rate of every process at time t is
 * multiplied by hourly[hour of day] x weekly[day of week] (day 0 of the
 * run is weekday 0), both normalised here to mean 1, so the mean rate is
 * unchanged.  Each slice's count is Poisson with the exact integral of the
 * rate over the slice, and given the count the times are i.i.d. with
 * density proportional to the rate (piecewise constant by the hour): the
 * law of the non-homogeneous Poisson process, exactly. */
void traffic_set_profile(struct traffic *t, const double hourly[24], const double weekly[7]);
/* The profile in local time: person a's hour of day and day of week are
 * those of its home region region[a] (of nregions), whose UTC offset on
 * run day d is offset[region][min(d, ndays - 1)] seconds (mobility.h's
 * tables); weekday 0 is run day 0's local day.  Without it the profile runs
 * on UTC.  The arrays must outlive t.  0, or -1 (OOM). */
int traffic_set_local(struct traffic *t, const uint32_t *region, uint32_t nregions, int32_t *const *offset,
                      uint32_t ndays);
/* Each client also looks up non-contacts (uniform people other than
 * itself) as a Poisson process of `per_day` (times following the profile). */
void traffic_set_noncontact(struct traffic *t, double per_day);
/* A share of the starts are group conversations of `size` members: the
 * starter looks up size - 1 distinct contacts at once (all of them when it
 * has fewer; contacts picked as for a start, redrawing repeats, at most
 * 64 size draws). */
void traffic_set_groups(struct traffic *t, double share, uint32_t size);
/* Each client changes device as a Poisson process of `per_day` (times
 * uniform in the slice): an event TRAFFIC_EV_DEVICE (a, 0) in the batch,
 * which the handler answers with traffic_device_change (a's cache
 * empties; with relookup, a looks up every contact at once). */
void traffic_set_devices(struct traffic *t, double per_day, int relookup);
/* Generate only the starts of people [lo, hi), whole blocks of them (lo a
 * multiple of TRAFFIC_BLOCK, hi too or N): one part of a replication
 * split across processes (struct sim_part).  Each start is the one the
 * whole population's run gives ("Streams" above).  Not with a trace. */
void traffic_set_part(struct traffic *t, uint32_t lo, uint32_t hi);
/* A promise from the world: nothing else adds to the batch in the slices
 * traffic_slice fills.  Then the fast path packs its starts into 8 bytes
 * each (batch_pack) when the people number at most 2^BATCH_PACK_ID_BITS:
 * the same starts in the same order, half the batch's memory traffic. */
static inline void traffic_allow_pack(struct traffic *t)
{
    t->pack = t->g->n <= ((uint32_t)1 << BATCH_PACK_ID_BITS);
}
/* Trace-driven mode: traffic_slice replays the trace's messages (a -> b at
 * t, each one conversation start) instead of drawing; only clients' count;
 * nothing is drawn.  The trace must outlive t. */
void traffic_set_trace(struct traffic *t, const struct contacts_trace *trace);
/* Add every start in [start, end) to the batch.  Returns 0, or -1 (OOM). */
int traffic_slice(struct traffic *t, struct batch *b, int64_t start, int64_t end);

int traffic_cache_init(struct traffic_cache *c, const struct graph *g, uint32_t ttl_s);
/* A new device: a's cache is empty.  O(deg a). */
void traffic_cache_clear(struct traffic_cache *c, uint32_t a);
void traffic_cache_destroy(struct traffic_cache *c);

/* 1 when the start (a, b) at time now makes a lookup (and records it), 0
 * when the cache answers.  O(log deg a). */
static inline int traffic_cache_lookup(struct traffic_cache *c, uint32_t a, uint32_t b, uint32_t now)
{
    int64_t j = graph_find(c->g, a, b);
    if (j < 0)
        return 1;
    uint32_t last = c->last[j];
    if (last && now - (last - 1) < c->ttl) {
        c->hits++;
        return 0;
    }
    c->last[j] = now + 1;
    return 1;
}

/* ---- the clients' side: which starts make lookups ---------------------- */

/* Give the clients a cache of ttl_s > 0 seconds (t->cache).  0 or -1 (OOM). */
int traffic_use_cache(struct traffic *t, uint32_t ttl_s);

/* A conversation start (a, b) at `now`: 1 when it makes a lookup (counted
 * in t->lookups), 0 when the client cache answers.  O(log deg a) with a
 * cache, O(1) without. */
static inline int traffic_start(struct traffic *t, uint32_t a, uint32_t b, uint32_t now)
{
    if (t->cache.last && !traffic_cache_lookup(&t->cache, a, b, now))
        return 0;
    t->lookups++;
    return 1;
}

/* n starts that each make a lookup (no cache, no device changes). */
static inline void traffic_count(struct traffic *t, uint64_t n) { t->lookups += n; }

/* Does every start make one lookup and nothing else (no cache, no device
 * changes)?  Then a run of starts is logged as it is. */
static inline int traffic_plain(const struct traffic *t) { return !t->cache.last && !(t->device_per_day > 0); }

/* A's device changed at `now`: its cache empties; with re-look-up on, a
 * looks up every contact at once (each refreshing the new cache).  Returns
 * the lookups made (counted), which are of a's contacts in row order:
 * t->g->adj[t->g->off[a] ..]; 0 without re-look-up.  O(deg a). */
uint32_t traffic_device_change(struct traffic *t, uint32_t a, uint32_t now);

struct sim;
/* The family's report after acquisition `acq` at `now` (seconds):
 * lookups, the lookups made so far (by every part of a split replication,
 * struct sim_part: a reduction every part makes). */
void traffic_report(const struct traffic *t, struct sim *s, uint32_t acq, int64_t now);

#endif
