/* location — what the adversary knows of where people are: the geolocated
 * points of the acquired lookup records, and the location metrics
 * (definitions: docs/metrics.md, "Location metrics").
 *
 * Storage.  The adversary keeps each distinct (person, slot, point) once,
 * where slot = h / slot_hours (hours since time 0 of the run, as the
 * adversary sees them) and point = (lat, lon) in degrees, as floats.  Per
 * person (CSR: offsets per person) a table of the distinct positions they
 * were seen at (8 bytes each, in order of first use: an index never
 * changes) and their points, each person's sorted by (slot, lat, lon), as
 * words of pt_bytes bytes: the slot in the low slot_bits bits (the bits of
 * the last slot, horizon_hours / slot_hours), the place index above it,
 * the NIGHT/WORK/COARSE flags in the top three bits.  3 bytes a point
 * while slot_bits <= 13 (up to 341 days of hours, 22 years of days) and
 * every person has at most 2^(21 - slot_bits) places (256 over 180 days of
 * hours); a flush that needs more widens the store to 4 bytes a point, in
 * place.  A person holds at most 2^(29 - slot_bits) distinct
 * positions (2^16 over 180 days of hours, 2^9 at 2^20 slots, the most
 * location_init accepts); a flush that would pass it fails (-1, the store
 * unchanged).  The scenario model gives one position a person and hour,
 * so that is never reached while the horizon's hours are at most
 * 2^(29 - slot_bits) (hourly slots: 2^14 hours, 682 days; daily slots:
 * 4096 days); beyond, only past that many distinct positions of one
 * person.  Re-acquiring the same
 * records (overlapping snapshots) changes nothing; a point staged twice
 * with different flags keeps their union.  Points are staged (16 bytes
 * each, at most LOCATION_BLOCK of them, then the stage flushes itself) and
 * merged into the store by location_flush: a counting sort of the stage by
 * person (skipped when the stage is already in person order: it is then
 * compacted in place), each new point's position looked up in the
 * person's places (a hash table per person), then a merge of the points
 * and of the places into the store in place, from the back
 * (O(store + staged); peak memory is the store plus twice the stage, once
 * when in person order).  At N = 10^6 and 1.8 10^8 points (`make bench`,
 * location-monthly): about 2.2 10^7 places (3.4 10^6 more a month), 0.7
 * GB in all, 3 bytes a point (12 before: 2.2 GB).
 *
 * Metrics (location_metrics), against the truth:
 *
 *   home        among a person's NIGHT points (the fixed-line ones: those
 *               not flagged COARSE, if there are any, else the coarse
 *               ones), each distinct point c has a
 *               multiplicity (the distinct slots it was seen in) and a
 *               weight (the multiplicities of the distinct night points
 *               within cluster_km of c, c included; haversine distance).
 *               The c of highest weight (ties: the lowest latitude, then
 *               longitude) is the cluster centre; the estimate is the
 *               multiplicity-weighted mean of the points within cluster_km
 *               of it.  With slot_hours 24 (hours unknown), a person with
 *               no NIGHT point gets a home from all their points.
 *   work        the same over WORK points (never from other points).
 *   errors      great-circle (haversine, R = 6371.0088 km) distance to the
 *               true home / work point: their median, the shares within 1
 *               and 10 km, and the largest.
 *   user_days_located  (locatable person, day) pairs with a point, over
 *               locatable people x days elapsed (ceil(now_hours / 24),
 *               capped at the horizon).
 *   unicity_k   (de Montjoye et al., "Unique in the Crowd", Scientific
 *               Reports 3:1376, 2013) the share of people singled out by k
 *               random points of their trace, at (slot, cell) resolution:
 *               for each k = 1..6 independently, up to `probes` people are
 *               drawn uniformly without replacement among those with at
 *               least k distinct (slot, cell) points, and k of each one's
 *               distinct (slot, cell) points uniformly without replacement;
 *               the person is unique when nobody else's trace holds all k.
 *               One pass over every stored point serves all probes: the
 *               probes' points go in a hash table, and each person's points
 *               mark, per probe, a bitmask of the probe's points they hold.
 *   co-location pair-hours: in each of coloc_hours hour slots drawn
 *               uniformly without replacement among the hours elapsed (all
 *               of them when coloc_hours is 0 or larger), people are
 *               grouped by the cell of their points, COARSE ones left out
 *               (a gateway or an exit is not a place; a person with several
 *               points in one cell that hour counts once there); a cell
 *               with m people gives m(m-1)/2 pair-hours, correct when the
 *               truth puts both in the same cell that hour (counted per
 *               true cell within the group, never pair by pair).
 *
 * Cells: an equal-area grid of side cell_km.  Row i = floor(lat / d) with
 * d = cell_km / 111.32 degrees (computed as lat times 1/d); column j = floor(lon cos(phi_i) / d) with
 * phi_i the latitude of the centre of row i (a sinusoidal projection cut
 * in squares).
 *
 * Cost of location_metrics (P points stored, N people): one pass over
 * the store for home, work, days and unicity, O(P) (a bit-filter probe
 * per point, all in one loop per person; a short list of each person's
 * distinct night and work places, per point only past 32 of them), O(N)
 * per unicity k to draw the probes, a
 * streaming pass per block of sampled hours plus a radix sort of the
 * points in them for co-location, O(N) radix sorts for the medians.  About
 * 3.5-5.5 s at N = 10^6 and P = 1.8 10^8 (`make bench`, case location).
 * Deterministic: the same points and the same generator state give the
 * same numbers, bit for bit. */
#ifndef EXPOSIM_LOCATION_H
#define EXPOSIM_LOCATION_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#define LOCATION_NIGHT 1u        /* the point's local time is night (adversary's rule) */
#define LOCATION_WORK  2u        /* local weekday work hours */
#define LOCATION_COARSE 4u       /* a carrier or VPN address (connection-type databases tell them):
                                    used for home and work only when a person has no other, never
                                    for co-location */

#define LOCATION_BLOCK ((size_t)1 << 22)    /* most points staged before a flush (64 MiB) */
#define LOCATION_KMAX 6                     /* unicity for k = 1..LOCATION_KMAX */
#define LOCATION_EARTH_KM 6371.0088         /* mean Earth radius (IUGG) */

struct location_params {
    double cluster_km;           /* home/work clustering radius, default 1.0 */
    double cell_km;              /* spatial resolution of unicity and co-location, default 1.0 */
    uint32_t slot_hours;         /* temporal resolution of the points: 1 (hourly), or 24 when the log keeps only days */
    uint32_t probes;             /* unicity: users sampled per k, default 1000 */
    uint32_t coloc_hours;        /* co-location: hour slots sampled, default 168; 0 = all */
};

#define LOCATION_SLOT_BITS_MAX 20          /* slots (horizon_hours / slot_hours) below 2^20 */

/* A point as location_get() gives it: slot = h / slot_hours in the low 29
 * bits, the flags in the top three. */
struct location_point {
    uint32_t slot;
    float lat, lon;
};

/* A distinct position of a person. */
struct location_place {
    float lat, lon;
};

/* A staged point. */
struct location_staged {
    uint32_t u, slot;
    float lat, lon;
};

struct location {
    struct location_params p;
    uint32_t n, horizon_hours;
    uint64_t *off;                        /* n + 1 offsets into pt, in points */
    uint8_t *pt;                          /* every person's distinct points, pt_bytes each (and one byte
                                             more): slot | place index << slot_bits | flags << flag_shift,
                                             little-endian */
    uint64_t npt;                         /* points stored */
    uint64_t *poff;                       /* n + 1 offsets into place */
    struct location_place *place;         /* every person's distinct positions, in order of first use */
    uint64_t nplace;                      /* places stored */
    unsigned slot_bits;                   /* bits of a slot in a stored point */
    uint32_t slot_mask;                   /* 2^slot_bits - 1 */
    unsigned pt_bytes;                    /* 3, or 4 (from the start when slot_bits > 13, or once a
                                             person passes 2^(21 - slot_bits) places) */
    unsigned flag_shift;                  /* 8 pt_bytes - 3 */
    uint32_t word_mask;                   /* 2^(8 pt_bytes) - 1 */
    uint32_t places_max;                  /* places a person can hold at pt_bytes: 2^(flag_shift - slot_bits) */
    struct location_staged *stage;        /* grows to LOCATION_BLOCK */
    size_t staged, stage_cap;
    size_t block;                         /* flush when this many are staged: LOCATION_BLOCK (tests lower it) */
    /* the cell grid */
    double cell_deg, inv_cell;            /* row height in degrees, and its inverse */
    int32_t row_min, col_min;             /* lowest row and column indices */
    uint32_t nrows;
    double *row_cos;                      /* cos of each row's centre latitude */
    unsigned col_bits, row_bits;          /* bits of a column and of a row in a cell key */
};

/* cluster_km 1, cell_km 1, slot_hours 1, probes 1000, coloc_hours 168. */
void location_params_default(struct location_params *p);

/* An empty store for n_people over horizon_hours (points at h >=
 * horizon_hours are refused).  p is copied.  Returns -1 on bad parameters
 * (cluster_km not > 0, cell_km not in [0.01, 10000], slot_hours not 1 or
 * 24, probes 0, n_people 0, horizon_hours 0 or >= 2^29) or out of memory,
 * else 0; also -1 when the slots (horizon_hours / slot_hours, rounded up)
 * need more than LOCATION_SLOT_BITS_MAX bits.  Allocates 16 (n + 1) bytes
 * and the cell table (8 bytes per row: 160 KiB at 1 km). */
int location_init(struct location *L, uint32_t n_people, uint32_t horizon_hours, const struct location_params *p);
/* Frees everything; safe on a zeroed or destroyed struct. */
void location_destroy(struct location *L);

/* Stage one geolocated point: person u seen at hour index h (hours since
 * time 0 of the run, as the adversary sees it; with slot_hours 24 it is a
 * multiple of 24, or is rounded down to one) at (lat, lon) degrees; flags
 * LOCATION_NIGHT / LOCATION_WORK as classified by the caller (with
 * slot_hours 24 the caller passes 0: the hour is unknown).  Amortised O(1)
 * (flushes when LOCATION_BLOCK points are staged).  Returns -1 when u >= n,
 * h >= horizon_hours, lat is not in [-90, 90] or lon not in [-180, 180]
 * (NaN included), or out of memory; else 0. */
int location_stage(struct location *L, uint32_t u, uint32_t h, float lat, float lon, unsigned flags);

/* Merge the staged points into the store: the store keeps each distinct
 * (person, slot, point) once, so re-acquiring the same records
 * (overlapping snapshots) changes nothing.  O(store + staged).  0 or -1
 * (OOM, or a person past places_max distinct positions: the store is
 * unchanged but for flags of stored points, the stage kept). */
int location_flush(struct location *L);

/* Points stored for person u, sorted by (slot, lat, lon). */
static inline uint64_t location_count(const struct location *L, uint32_t u)
{
    return L->off[u + 1] - L->off[u];
}

/* Stored point j (of all people) as a word. */
static inline uint32_t location_word(const struct location *L, uint64_t j)
{
    const uint8_t *b = L->pt + j * L->pt_bytes;
    uint32_t w = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return w & L->word_mask;
}

/* A stored word's place index (in its person's table) and flags. */
static inline uint32_t location_word_place(const struct location *L, uint32_t w)
{
    return (w & ((1u << L->flag_shift) - 1)) >> L->slot_bits;
}

static inline unsigned location_word_flags(const struct location *L, uint32_t w) { return w >> L->flag_shift; }

/* Person u's point i (0 <= i < location_count(L, u)), in that order. */
static inline struct location_point location_get(const struct location *L, uint32_t u, uint64_t i)
{
    uint32_t w = location_word(L, L->off[u] + i);
    const struct location_place *q = &L->place[L->poff[u] + location_word_place(L, w)];
    struct location_point x = { (w & L->slot_mask) | location_word_flags(L, w) << 29, q->lat, q->lon };
    return x;
}

struct location_truth {
    uint32_t n;
    const uint8_t *locatable;    /* per person: 1 if they can appear at all (clients), else 0 */
    const float *home_lat, *home_lon;   /* true home per person */
    const float *work_lat, *work_lon;   /* true work point, NaN for non-workers */
    /* the true position of u during hour h (for co-location precision) */
    void (*where)(const void *ctx, uint32_t u, uint32_t h, float *lat, float *lon);
    const void *ctx;
};

struct location_metrics {
    double home_share;           /* locatable people with a home estimate / locatable people */
    double home_error_median_km, home_within_1km, home_within_10km;  /* among people with an estimate; NaN if none */
    double work_share, work_error_median_km, work_within_1km, work_within_10km; /* same over locatable workers */
    double home_error_max_km, work_error_max_km;                      /* the largest errors; NaN if none */
    double user_days_located;    /* (locatable person, day) pairs with >= 1 point / (locatable people x days elapsed) */
    double unicity[6];           /* k = 1..6; NaN when no person has k points */
    double coloc_pairs;          /* co-location pair-hours found per sampled hour slot */
    double coloc_precision;      /* share of them where both are truly in the same cell that hour; NaN if none */
    uint64_t unicity_probes[6];  /* people sampled for each k */
    uint32_t coloc_slots;        /* hour slots sampled (0 with slot_hours 24 or nothing elapsed) */
};

/* The metrics of the store (staged points not flushed are left out) at
 * now_hours (hours elapsed: the acquisition time), against truth (truth->n
 * must be the store's n, else -1).  r: a GSL generator (the "metrics"
 * stream) for the unicity and co-location samples.  Shares over an empty
 * set are NaN; coloc_pairs and coloc_precision are NaN with slot_hours 24
 * or when no hour has elapsed, and when where or r is NULL; unicity is NaN
 * when r is NULL.  Allocates O(N) scratch and the co-location blocks (2 x
 * 2^20 entries of 16 bytes, 32 MiB, more only when one sampled hour holds
 * more points) for the call.
 * 0, or -1 (OOM or truth->n mismatch). */
int location_metrics(struct location *L, const struct location_truth *truth, uint32_t now_hours, gsl_rng *r,
                     struct location_metrics *out);

/* Great-circle distance in km (haversine, LOCATION_EARTH_KM). */
double location_haversine_km(double lat1, double lon1, double lat2, double lon2);

/* The cell key of a point (row and column packed, no slot), as used by
 * unicity and co-location. */
uint64_t location_cell(const struct location *L, float lat, float lon);

#endif
