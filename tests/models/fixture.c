/* fixture — hand-built worlds shared by the model suites; see fixture.h. */
#include "fixture.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

void fixture_check_csr(const struct graph *g)
{
    ck_assert_uint_eq(g->off[0], 0);
    ck_assert_uint_eq(g->off[g->n], 2 * g->m);
    uint64_t sum = 0;
    for (uint32_t a = 0; a < g->n; a++) {
        FAST(g->off[a] <= g->off[a + 1]);
        sum += graph_degree(g, a);
        for (uint64_t j = g->off[a]; j < g->off[a + 1]; j++) {
            uint32_t b = g->adj[j];
            FAST(b < g->n);
            FAST(b != a);                                  /* no self-loop */
            if (j > g->off[a])
                FAST(g->adj[j - 1] < b);                   /* strictly increasing */
            FAST_EQ(graph_find(g, a, b), (int64_t)j);
            int64_t back = graph_find(g, b, a);             /* symmetric */
            FAST(back >= (int64_t)g->off[b] && back < (int64_t)g->off[b + 1]);
            FAST_EQ(g->adj[back], a);
        }
    }
    ck_assert_uint_eq(sum, 2 * g->m);                      /* handshake lemma */
}

void fixture_init(struct fixture *f, uint32_t n, const char *const *tz, uint32_t nreg, double share, uint32_t days)
{
    memset(f, 0, sizeof *f);
    struct mobility_params *p = &f->p;
    p->start_unix = 1451865600;           /* 2016-01-04, a Monday */
    p->start_weekday = 0;
    p->horizon_days = days;
    p->hours = (struct mobility_hours){ 22, 7, 9, 17 };
    p->trip_share = share, p->rho = 0.6, p->gamma = 0.21;
    p->wait_beta = 0.8, p->wait_min_h = 1, p->wait_max_h = 17;
    p->jump_alpha = 0.55, p->jump_min_km = 1, p->jump_max_km = 100;
    p->wifi[0] = 1, p->wifi[1] = 1, p->wifi[2] = 1;
    p->churn_days = 14, p->cell_hours = 4;
    p->wifi_error_km = 0, p->block24_km = 10, p->cell_error_km = 0;
    p->nregions = nreg;
    p->region = calloc(nreg, sizeof *p->region);
    char err[300];
    for (uint32_t g = 0; g < nreg; g++) {
        p->region[g].lat = 50 + g, p->region[g].lon = 10 + g;
        p->region[g].gw_lat = 50.2 + g, p->region[g].gw_lon = 10.1 + g;
        p->region[g].offset = malloc((days + 2) * sizeof *p->region[g].offset);
        ck_assert_int_eq(mobility_tz_offsets(tz[g], p->start_unix, days + 2, p->region[g].offset, err, sizeof err),
                         0);
    }
    p->exit = malloc(sizeof *p->exit);
    p->exit[0][0] = 52.37, p->exit[0][1] = 4.90, p->nexits = 1;
    for (uint32_t u = 0; u < n; u++) {
        f->flags[u] = POPULATION_CLIENT | (u % 2 == 0 ? POPULATION_WORKER : 0);
        f->region[u] = u % nreg;
        f->hlat[u] = (float)(50 + u % nreg + 0.001 * u), f->hlon[u] = (float)(10 + u % nreg);
        f->wlat[u] = u % 2 == 0 ? (float)(50.05 + u % nreg) : NAN, f->wlon[u] = (float)(10.05 + u % nreg);
    }
    f->pop = (struct population){ .n = n, .flags = f->flags, .region = f->region, .home_lat = f->hlat,
                                  .home_lon = f->hlon, .work_lat = f->wlat, .work_lon = f->wlon };
    gsl_rng *r = tu_rng(11);
    ck_assert_int_eq(mobility_init(&f->m, p, &f->pop, r), 0);
    gsl_rng_free(r);
}

void fixture_done(struct fixture *f)
{
    mobility_destroy(&f->m);
    mobility_params_destroy(&f->p);
}
