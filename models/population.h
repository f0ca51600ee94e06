/* population — who the subscribers are: the per-person attributes drawn
 * from the "population" random stream before anything else.
 *
 * Person a is a client (runs the messaging app and makes lookups) with
 * probability client_share, and a worker (the layered contact generator
 * puts workers into workplaces) with probability worker_share.  Each person
 * takes two uniforms, client first, in id order, whatever the shares: so a
 * change of share keeps every other person's draws (common random numbers,
 * and the clients at share s are a subset of those at share s' > s).
 * Then, in a second pass (so that the first pass's draws do not depend on
 * it): a VPN flag (probability vpn_share) per person, and, when regions are
 * given, each person's region (probability proportional to its weight), a
 * home point uniform on the region's disc and, for workers, a work point
 * uniform on the same disc.  A point at distance r <= R (r = R sqrt(U))
 * and bearing theta from the centre is placed with the local flat-earth
 * approximation: dlat = r cos(theta) / 111.32 km, dlon = r sin(theta) /
 * (111.32 km x cos lat), fine for regions up to a few hundred km.  Then, in
 * a third pass and only when devices_mean > 1, each person's number of
 * devices registered to their account, 1 + Poisson(devices_mean - 1)
 * (at most 255; everyone has one otherwise).
 * Memory: one byte per person, plus 20 bytes with regions. */
#ifndef EXPOSIM_POPULATION_H
#define EXPOSIM_POPULATION_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "cfg.h"

#define POPULATION_CLIENT 1u
#define POPULATION_WORKER 2u
#define POPULATION_VPN 4u
#define POPULATION_MAX_REGIONS 1000

struct population_region {
    double weight, lat, lon, radius_km;
};

struct population_params {
    uint32_t n;
    double client_share, worker_share, vpn_share;
    struct population_region *region;     /* nregions entries (malloc'd), or NULL */
    uint32_t nregions;
    double devices_mean;                  /* devices per person, >= 1 */
};

struct population {
    uint32_t n;
    uint8_t *flags;                       /* POPULATION_* bits per person */
    uint32_t clients, workers, vpns;
    /* Geography, when regions are given (else NULL): per person its region
     * and home point, and its work point (NaN for non-workers), degrees. */
    uint32_t *region;
    float *home_lat, *home_lon, *work_lat, *work_lon;
    uint8_t *devices;                     /* devices per person; NULL: one each */
};

/* Read <population> (size, client_share, worker_share).  0 or -1 with
 * diagnostics through cfg_error. */
int population_configure(struct population_params *p, struct cfg *c, const struct cfg_node *pop);
void population_params_destroy(struct population_params *p);
/* Draw the population.  O(n).  0 or -1 (OOM). */
int population_init(struct population *pop, const struct population_params *p, gsl_rng *r);
void population_destroy(struct population *pop);

static inline int population_is_client(const struct population *pop, uint32_t a)
{
    return pop->flags[a] & POPULATION_CLIENT;
}

/* Devices registered to person a's account. */
static inline unsigned population_devices(const struct population *pop, uint32_t a)
{
    return pop->devices ? pop->devices[a] : 1;
}

#endif
