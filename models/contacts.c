/* contacts — CSR graph and generators; see contacts.h. */
#include "contacts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void graph_destroy(struct graph *g)
{
    if (!g)
        return;
    free(g->off);
    free(g->adj);
    memset(g, 0, sizeof *g);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int graph_from_edges(struct graph *g, uint32_t n, const struct graph_edge *e, uint64_t m)
{
    memset(g, 0, sizeof *g);
    g->n = n;
    g->m = m;
    g->off = calloc((size_t)n + 1, sizeof *g->off);
    g->adj = malloc((m ? 2 * m : 1) * sizeof *g->adj);
    uint64_t *pos = malloc(((size_t)n + 1) * sizeof *pos);
    if (!g->off || !g->adj || !pos) {
        free(pos);
        graph_destroy(g);
        return -1;
    }
    for (uint64_t i = 0; i < m; i++) {
        g->off[e[i].u + 1]++;
        g->off[e[i].v + 1]++;
    }
    for (uint32_t a = 0; a < n; a++)
        g->off[a + 1] += g->off[a];
    memcpy(pos, g->off, ((size_t)n + 1) * sizeof *pos);
    for (uint64_t i = 0; i < m; i++) {
        g->adj[pos[e[i].u]++] = e[i].v;
        g->adj[pos[e[i].v]++] = e[i].u;
    }
    free(pos);
    for (uint32_t a = 0; a < n; a++) {        /* sort rows that need it */
        uint64_t lo = g->off[a], hi = g->off[a + 1];
        for (uint64_t j = lo + 1; j < hi; j++)
            if (g->adj[j - 1] > g->adj[j]) {
                qsort(g->adj + lo, hi - lo, sizeof *g->adj, cmp_u32);
                break;
            }
    }
    return 0;
}

int contacts_erdos_renyi(struct graph *g, uint32_t n, double mean_degree, gsl_rng *r)
{
    double p = mean_degree / (double)(n - 1);
    if (p > 1)
        p = 1;
    /* Expected m = p n (n-1) / 2; reserve a little above it. */
    double expect = p * (double)n * (double)(n - 1) / 2;
    uint64_t cap = (uint64_t)(expect + 6 * sqrt(expect + 1) + 16);
    struct graph_edge *e = malloc(cap * sizeof *e);
    if (!e)
        return -1;
    uint64_t m = 0;
    double lq = log1p(-p);                    /* log(1 - p); -inf when p == 1 */
    int64_t v = 1, w = -1;
    while (v < (int64_t)n) {
        if (p >= 1) {
            w++;
        } else {
            double u = gsl_rng_uniform_pos(r);  /* (0, 1) */
            double skip = floor(log(u) / lq);
            if (skip > 4e18)                  /* tiny p: past every pair anyway */
                skip = 4e18;
            w += 1 + (int64_t)skip;
        }
        while (w >= v && v < (int64_t)n) {
            w -= v;
            v++;
        }
        if (v < (int64_t)n) {
            if (m == cap) {
                cap += cap / 4 + 16;
                struct graph_edge *ne = realloc(e, cap * sizeof *ne);
                if (!ne) {
                    free(e);
                    return -1;
                }
                e = ne;
            }
            e[m++] = (struct graph_edge){ (uint32_t)v, (uint32_t)w };
        }
    }
    int rc = graph_from_edges(g, n, e, m);
    free(e);
    return rc;
}
