/* fixture — hand-built worlds and checks shared by the model suites
 * (tests/models/check_*.c): a small population with regions and its
 * mobility model, built without the population's or the contacts' draws
 * (check_mobility.c, check_locating.c); the CSR invariants every graph
 * must satisfy (check_graph.c, check_contacts.c). */
#ifndef EXPOSIM_MODELS_FIXTURE_H
#define EXPOSIM_MODELS_FIXTURE_H

#include <stdint.h>

#include "graph.h"
#include "mobility.h"
#include "population.h"

/* Assert g's CSR invariants: off[0] = 0, off[n] = 2m, offsets
 * non-decreasing, ids in range, no self-loops, rows strictly increasing
 * (sorted, no duplicates) and symmetric (b in row a iff a in row b,
 * checked as: every entry (a, b) has its reverse (b, a)), and graph_find
 * returns each entry's own index.  O(m log deg). */
void fixture_check_csr(const struct graph *g);

/* A hand-built world: the population's arrays live in the struct (so it
 * must stay where fixture_init built it), the mobility drawn over it. */
struct fixture {
    struct population pop;
    struct mobility_params p;
    struct mobility m;
    uint8_t flags[64];
    uint32_t region[64];
    float hlat[64], hlon[64], wlat[64], wlon[64];
};

/* n people (n <= 64) in `nreg` regions with the time zones tz[0 .. nreg)
 * over `days` days from 2016-01-04 (a Monday): person u lives in region
 * u % nreg, is a client, and a worker when u is even; region g's centre is
 * (50 + g, 10 + g), its gateway (50.2 + g, 10.1 + g); u's home is (50 +
 * u % nreg + 0.001 u, 10 + u % nreg), a worker's work point (50.05 +
 * u % nreg, 10.05 + u % nreg); night 22-7, work 9-17; Wi-Fi everywhere
 * with no geolocation error; one VPN exit (52.37, 4.90); trips with
 * probability `share` a day; the other parameters the scenario schema's
 * defaults.  Mobility drawn from MT19937 seed 11.  Fails the test on
 * error.  The CLIENT bit may be cleared afterwards (the mobility model
 * never reads it); the WORKER and VPN bits are read as places and
 * networks are asked for. */
void fixture_init(struct fixture *f, uint32_t n, const char *const *tz, uint32_t nreg, double share, uint32_t days);
void fixture_done(struct fixture *f);

#endif
