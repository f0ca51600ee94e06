/* graph — the undirected contact graph: storage and summary statistics.
 *
 * Storage is compressed adjacency (CSR) with 32-bit node ids: node a's
 * contacts are adj[off[a] .. off[a+1]), sorted ascending, so an ordered
 * pair (a, b) has a unique index in adj (its "directed entry"), found by
 * binary search.  Memory: 4 bytes per directed entry + 8 per node. */
#ifndef EXPOSIM_GRAPH_H
#define EXPOSIM_GRAPH_H

#include <stdint.h>

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

/* Build a simple graph from a list that may hold self-loops and repeated
 * pairs (in either orientation): self-loops are dropped and repeats merged,
 * and their numbers added to *self_loops and *duplicates (either may be
 * NULL).  Same memory bound as graph_from_edges (the rows are sorted and
 * compacted in place).  O(n + m) plus the row sorts.  0 or -1 (OOM). */
int graph_from_edges_simple(struct graph *g, uint32_t n, const struct graph_edge *e, uint64_t m,
                            uint64_t *self_loops, uint64_t *duplicates);

/* Summary statistics of a graph, for the run's first lines and `generate`. */
struct graph_stats {
    uint32_t max_degree, isolated;
    double mean_degree;
    double transitivity;              /* 3 x triangles / connected triples; NaN if none */
    double avg_clustering;            /* mean local clustering over degree >= 2 nodes; NaN if none */
    uint32_t components;              /* connected components, isolated nodes included */
    uint32_t largest_component;       /* nodes in the largest */
};
/* O(n + sum over edges of (deg u + deg v)) time (triangles by merging the
 * sorted rows), 8 bytes per node.  Returns 0, or -1 (OOM). */
int graph_stats(const struct graph *g, struct graph_stats *st);

#endif
