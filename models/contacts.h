/* contacts — the undirected contact graph and its generators.
 *
 * Storage is compressed adjacency (CSR) with 32-bit node ids: node a's
 * contacts are adj[off[a] .. off[a+1]), sorted ascending, so an ordered
 * pair (a, b) has a unique index in adj (its "directed entry"), found by
 * binary search.  Memory: 4 bytes per directed entry + 8 per node. */
#ifndef EXPOSIM_CONTACTS_H
#define EXPOSIM_CONTACTS_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

struct graph {
    uint32_t n;                       /* nodes */
    uint64_t m;                       /* undirected edges; adj has 2m entries */
    uint64_t *off;                    /* n + 1 offsets */
    uint32_t *adj;
};

struct graph_edge {
    uint32_t u, v;
};

/* Build g from m undirected edges on n nodes (no self-loops, no duplicates:
 * the generators guarantee it).  O(n + m) when each node's neighbours come
 * out sorted, as they do from the generators here; sorts rows otherwise.
 * Returns 0, or -1 when memory runs out. */
int graph_from_edges(struct graph *g, uint32_t n, const struct graph_edge *e, uint64_t m);
void graph_destroy(struct graph *g);

static inline uint32_t graph_degree(const struct graph *g, uint32_t a)
{
    return (uint32_t)(g->off[a + 1] - g->off[a]);
}

/* Index of b in a's row, or -1 when (a, b) is not an edge.  O(log deg a). */
static inline int64_t graph_find(const struct graph *g, uint32_t a, uint32_t b)
{
    uint64_t lo = g->off[a], hi = g->off[a + 1];
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        uint32_t x = g->adj[mid];
        if (x < b)
            lo = mid + 1;
        else if (x > b)
            hi = mid;
        else
            return (int64_t)mid;
    }
    return -1;
}

/* Erdős–Rényi G(n, p), p = mean_degree / (n - 1), 0 < mean_degree <= n - 1,
 * by geometric skipping over the pairs (Batagelj & Brandes, Phys. Rev. E 71,
 * 036113, 2005): O(n + m) time, one draw per edge.  Returns 0, or -1 (OOM). */
int contacts_erdos_renyi(struct graph *g, uint32_t n, double mean_degree, gsl_rng *r);

#endif
