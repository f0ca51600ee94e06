/* population — per-person attributes; see population.h. */
#include "population.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "rng.h"

static const double population_pi = 3.14159265358979323846;

int population_configure(struct population_params *p, struct cfg *c, const struct cfg_node *pop)
{
    long n = 0;
    int rc = 0;
    rc |= cfg_long(c, pop, "size", 0, &n);
    rc |= cfg_double(c, pop, "client_share", 1, &p->client_share);
    rc |= cfg_double(c, pop, "worker_share", 0.6, &p->worker_share);
    rc |= cfg_double(c, pop, "vpn_share", 0, &p->vpn_share);
    rc |= cfg_double(c, pop, "devices_mean", 1, &p->devices_mean);
    if (rc)
        return -1;
    p->region = NULL;
    p->nregions = 0;
    for (const struct cfg_node *r = cfg_child(pop, "region"); r; r = cfg_next(r))
        p->nregions += strcmp(cfg_name(r), "region") == 0;
    if (p->nregions && !(p->region = calloc(p->nregions, sizeof *p->region)))
        return cfg_error(c, pop, NULL, "out of memory");
    uint32_t k = 0;
    for (const struct cfg_node *r = cfg_child(pop, "region"); r; r = cfg_next(r)) {
        if (strcmp(cfg_name(r), "region"))
            continue;
        struct population_region *g = &p->region[k++];
        if (cfg_double(c, r, "weight", 1, &g->weight) || cfg_double(c, r, "lat", 0, &g->lat)
            || cfg_double(c, r, "lon", 0, &g->lon) || cfg_double(c, r, "radius_km", 0, &g->radius_km)) {
            rc = -1;
            continue;
        }
        if (!(g->weight > 0))
            rc = cfg_error(c, r, "weight", "must be above 0 (got %g)", g->weight);
        if (!(g->lat >= -90 && g->lat <= 90))
            rc = cfg_error(c, r, "lat", "must be -90 to 90 (got %g)", g->lat);
        if (!(g->lon >= -180 && g->lon <= 180))
            rc = cfg_error(c, r, "lon", "must be -180 to 180 (got %g)", g->lon);
        if (!(g->radius_km > 0 && g->radius_km <= 2000))
            rc = cfg_error(c, r, "radius_km", "must be above 0 and at most 2000 (got %g)", g->radius_km);
        else if (fabs(g->lat) + g->radius_km / 111.32 >= 89.9)
            rc = cfg_error(c, r, "radius_km", "the region's disc (%g km around latitude %g) reaches a pole: "
                           "the flat-earth placement needs it to stay short of one", g->radius_km, g->lat);
    }
    if (n < 2 || n > 100000000)
        rc = cfg_error(c, pop, "size", "must be 2 to 100000000 (got %ld)", n);
    if (!(p->client_share >= 0 && p->client_share <= 1))
        rc = cfg_error(c, pop, "client_share", "must be 0 to 1 (got %g)", p->client_share);
    if (!(p->vpn_share >= 0 && p->vpn_share <= 1))
        rc = cfg_error(c, pop, "vpn_share", "must be 0 to 1 (got %g)", p->vpn_share);
    if (!(p->devices_mean >= 1 && p->devices_mean <= 100))
        rc = cfg_error(c, pop, "devices_mean", "must be 1 to 100 (got %g)", p->devices_mean);
    if (!(p->worker_share >= 0 && p->worker_share <= 1))
        rc = cfg_error(c, pop, "worker_share", "must be 0 to 1 (got %g)", p->worker_share);
    p->n = (uint32_t)n;
    return rc;
}

void population_params_destroy(struct population_params *p)
{
    if (!p)
        return;
    free(p->region);
    p->region = NULL;
    p->nregions = 0;
}

/* A point uniform on the disc of region g. */
static void disc_point(const struct population_region *g, gsl_rng *r, float *lat, float *lon)
{
    double rad = g->radius_km * sqrt(gsl_rng_uniform(r)), th = 2 * population_pi * gsl_rng_uniform(r);
    double dlat = rad * cos(th) / 111.32;
    double c = cos(g->lat * population_pi / 180);
    double dlon = rad * sin(th) / (111.32 * (c > 1e-6 ? c : 1e-6));
    *lat = (float)(g->lat + dlat);
    double x = g->lon + dlon;                     /* across the antimeridian: wrap */
    *lon = (float)(x > 180 ? x - 360 : x < -180 ? x + 360 : x);
}

/* Second pass: VPN flags and geography. */
static int population_places(struct population *pop, const struct population_params *p, gsl_rng *r)
{
    uint32_t n = p->n;
    for (uint32_t a = 0; a < n; a++)
        if (gsl_rng_uniform(r) < p->vpn_share) {
            pop->flags[a] |= POPULATION_VPN;
            pop->vpns++;
        }
    if (!p->nregions)
        return 0;
    pop->region = malloc((size_t)n * sizeof *pop->region);
    pop->home_lat = malloc((size_t)n * sizeof *pop->home_lat);
    pop->home_lon = malloc((size_t)n * sizeof *pop->home_lon);
    pop->work_lat = malloc((size_t)n * sizeof *pop->work_lat);
    pop->work_lon = malloc((size_t)n * sizeof *pop->work_lon);
    double *cum = malloc(p->nregions * sizeof *cum), total = 0;
    if (!pop->region || !pop->home_lat || !pop->home_lon || !pop->work_lat || !pop->work_lon || !cum) {
        free(cum);
        return -1;
    }
    for (uint32_t k = 0; k < p->nregions; k++)
        cum[k] = total += p->region[k].weight;
    for (uint32_t a = 0; a < n; a++) {
        double u = gsl_rng_uniform(r) * total;
        uint32_t k = 0;
        while (k + 1 < p->nregions && cum[k] <= u)
            k++;
        pop->region[a] = k;
        disc_point(&p->region[k], r, &pop->home_lat[a], &pop->home_lon[a]);
        if (pop->flags[a] & POPULATION_WORKER) {
            disc_point(&p->region[k], r, &pop->work_lat[a], &pop->work_lon[a]);
        } else {
            pop->work_lat[a] = NAN;
            pop->work_lon[a] = NAN;
        }
    }
    free(cum);
    return 0;
}

int population_init(struct population *pop, const struct population_params *p, gsl_rng *r)
{
    memset(pop, 0, sizeof *pop);
    pop->n = p->n;
    pop->flags = malloc(p->n ? p->n : 1);
    if (!pop->flags)
        return -1;
    for (uint32_t a = 0; a < p->n; a++) {
        double uc = gsl_rng_uniform(r), uw = gsl_rng_uniform(r);
        uint8_t f = 0;
        if (uc < p->client_share) {
            f |= POPULATION_CLIENT;
            pop->clients++;
        }
        if (uw < p->worker_share) {
            f |= POPULATION_WORKER;
            pop->workers++;
        }
        pop->flags[a] = f;
    }
    if (population_places(pop, p, r)) {
        population_destroy(pop);
        return -1;
    }
    if (p->devices_mean > 1) {                    /* third pass: devices, 1 + Poisson(mean - 1) */
        if (!(pop->devices = malloc(p->n ? p->n : 1))) {
            population_destroy(pop);
            return -1;
        }
        for (uint32_t a = 0; a < p->n; a++) {
            unsigned k = 1 + gsl_ran_poisson(r, p->devices_mean - 1);
            pop->devices[a] = (uint8_t)(k > 255 ? 255 : k);
        }
    }
    return 0;
}

void population_destroy(struct population *pop)
{
    if (!pop)
        return;
    free(pop->flags);
    free(pop->devices);
    free(pop->region);
    free(pop->home_lat);
    free(pop->home_lon);
    free(pop->work_lat);
    free(pop->work_lon);
    memset(pop, 0, sizeof *pop);
}
