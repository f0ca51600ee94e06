/* population — per-person attributes; see population.h. */
#include "population.h"

#include <stdlib.h>
#include <string.h>

int population_configure(struct population_params *p, struct cfg *c, const struct cfg_node *pop)
{
    long n = 0;
    int rc = 0;
    rc |= cfg_long(c, pop, "size", 0, &n);
    rc |= cfg_double(c, pop, "client_share", 1, &p->client_share);
    rc |= cfg_double(c, pop, "worker_share", 0.6, &p->worker_share);
    if (rc)
        return -1;
    if (n < 2 || n > 100000000)
        rc = cfg_error(c, pop, "size", "must be 2 to 100000000 (got %ld)", n);
    if (!(p->client_share >= 0 && p->client_share <= 1))
        rc = cfg_error(c, pop, "client_share", "must be 0 to 1 (got %g)", p->client_share);
    if (!(p->worker_share >= 0 && p->worker_share <= 1))
        rc = cfg_error(c, pop, "worker_share", "must be 0 to 1 (got %g)", p->worker_share);
    p->n = (uint32_t)n;
    return rc;
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
    return 0;
}

void population_destroy(struct population *pop)
{
    if (!pop)
        return;
    free(pop->flags);
    memset(pop, 0, sizeof *pop);
}
