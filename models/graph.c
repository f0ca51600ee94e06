/* graph — the contact graph's storage and statistics; see graph.h. */
#include "graph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sort.h"

void graph_destroy(struct graph *g)
{
    if (!g)
        return;
    free(g->off);
    free(g->adj);
    memset(g, 0, sizeof *g);
}

/* Sort every row that is not sorted yet: insertion sort for short rows (the
 * common case; qsort's call per comparison costs more there), qsort else. */
static void sort_rows(struct graph *g)
{
    for (uint32_t a = 0; a < g->n; a++) {
        uint64_t lo = g->off[a], hi = g->off[a + 1];
        uint64_t j = lo + 1;
        while (j < hi && g->adj[j - 1] <= g->adj[j])
            j++;
        if (j >= hi)
            continue;
        uint32_t *row = g->adj + lo;
        uint64_t len = hi - lo;
        if (len > 32) {
            qsort(row, len, sizeof *row, sort_cmp_u32);
            continue;
        }
        for (uint64_t i = 1; i < len; i++) {
            uint32_t x = row[i];
            uint64_t k = i;
            while (k > 0 && row[k - 1] > x) {
                row[k] = row[k - 1];
                k--;
            }
            row[k] = x;
        }
    }
}

/* Fill g's rows from the edges (skipping self-loops); rows unsorted. */
static int fill_rows(struct graph *g, uint32_t n, const struct graph_edge *e, uint64_t m,
                     uint64_t *loops)
{
    memset(g, 0, sizeof *g);
    g->n = n;
    uint64_t nloops = 0;
    g->off = calloc((size_t)n + 1, sizeof *g->off);
    if (!g->off)
        return -1;
    for (uint64_t i = 0; i < m; i++) {
        if (e[i].u == e[i].v) {
            nloops++;
            continue;
        }
        g->off[e[i].u + 1]++;
        g->off[e[i].v + 1]++;
    }
    for (uint32_t a = 0; a < n; a++)
        g->off[a + 1] += g->off[a];
    g->m = g->off[n] / 2;
    g->adj = malloc((g->off[n] ? g->off[n] : 1) * sizeof *g->adj);
    uint64_t *pos = malloc(((size_t)n + 1) * sizeof *pos);
    if (!g->adj || !pos) {
        free(pos);
        graph_destroy(g);
        return -1;
    }
    mem_prefault(g->adj, g->off[n] * sizeof *g->adj);   /* written whole */
    memcpy(pos, g->off, ((size_t)n + 1) * sizeof *pos);
    for (uint64_t i = 0; i < m; i++) {
        if (e[i].u == e[i].v)
            continue;
        g->adj[pos[e[i].u]++] = e[i].v;
        g->adj[pos[e[i].v]++] = e[i].u;
    }
    free(pos);
    if (loops)
        *loops = nloops;
    return 0;
}

int graph_from_edges(struct graph *g, uint32_t n, const struct graph_edge *e, uint64_t m)
{
    if (fill_rows(g, n, e, m, NULL))
        return -1;
    sort_rows(g);
    return 0;
}

int graph_from_edges_simple(struct graph *g, uint32_t n, const struct graph_edge *e, uint64_t m,
                            uint64_t *self_loops, uint64_t *duplicates)
{
    uint64_t loops = 0;
    if (fill_rows(g, n, e, m, &loops))
        return -1;
    sort_rows(g);
    /* Compact each row in place, dropping repeats; a repeated pair repeats
     * in both of its rows. */
    uint64_t w = 0, lo = 0, entries = g->off[n];
    for (uint32_t a = 0; a < n; a++) {
        uint64_t hi = g->off[a + 1];
        g->off[a] = w;
        uint32_t prev = UINT32_MAX;
        for (uint64_t j = lo; j < hi; j++) {
            uint32_t b = g->adj[j];
            if (j > lo && b == prev)
                continue;
            g->adj[w++] = b;
            prev = b;
        }
        lo = hi;
    }
    g->off[n] = w;
    g->m = w / 2;
    if (w < entries) {
        uint32_t *na = realloc(g->adj, (w ? w : 1) * sizeof *na);
        if (na)
            g->adj = na;
    }
    if (self_loops)
        *self_loops += loops;
    if (duplicates)
        *duplicates += (entries - w) / 2;
    return 0;
}

/* ---- statistics ---------------------------------------------------------- */

static uint32_t uf_find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];          /* path halving */
        x = parent[x];
    }
    return x;
}

/* Rank for triangle counting: by degree, then id. */
static inline int rank_below(const struct graph *g, uint32_t a, uint32_t b)
{
    uint32_t da = graph_degree(g, a), db = graph_degree(g, b);
    return da < db || (da == db && a < b);
}

int graph_stats(const struct graph *g, struct graph_stats *st)
{
    memset(st, 0, sizeof *st);
    uint32_t n = g->n;
    int rc = -1;
    uint32_t *parent = malloc(((size_t)n ? n : 1) * sizeof *parent);
    uint32_t *tri = calloc((size_t)n ? n : 1, sizeof *tri);
    uint32_t *stamp = malloc(((size_t)n ? n : 1) * sizeof *stamp);
    uint64_t *foff = malloc(((size_t)n + 1) * sizeof *foff);
    uint32_t *fadj = malloc((g->m ? g->m : 1) * sizeof *fadj);
    if (!parent || !tri || !stamp || !foff || !fadj)
        goto cleanup;
    double triples = 0;
    for (uint32_t a = 0; a < n; a++) {
        uint32_t k = graph_degree(g, a);
        if (k > st->max_degree)
            st->max_degree = k;
        st->isolated += k == 0;
        triples += (double)k * (k - 1) / 2;
        parent[a] = a;
        stamp[a] = UINT32_MAX;
    }
    st->mean_degree = n ? 2.0 * (double)g->m / n : 0;
    /* Components: union-find over the edges. */
    for (uint32_t a = 0; a < n; a++)
        for (uint64_t j = g->off[a]; j < g->off[a + 1]; j++) {
            uint32_t b = g->adj[j];
            if (b < a)
                continue;
            uint32_t x = uf_find(parent, a), y = uf_find(parent, b);
            if (x != y)
                parent[x > y ? x : y] = x < y ? x : y;
        }
    /* Sizes counted into tri[] (free until the triangles). */
    for (uint32_t a = 0; a < n; a++) {
        uint32_t root = uf_find(parent, a);
        st->components += root == a;
        if (++tri[root] > st->largest_component)
            st->largest_component = tri[root];
    }
    memset(tri, 0, ((size_t)n ? n : 1) * sizeof *tri);
    /* Triangles: orient each edge towards the higher rank; each triangle is
     * found once, from its lowest-ranked corner, in O(m sqrt m). */
    foff[0] = 0;
    for (uint32_t a = 0; a < n; a++) {
        uint64_t k = 0;
        for (uint64_t j = g->off[a]; j < g->off[a + 1]; j++)
            if (rank_below(g, a, g->adj[j]))
                fadj[foff[a] + k++] = g->adj[j];
        foff[a + 1] = foff[a] + k;
    }
    double triangles = 0;
    for (uint32_t a = 0; a < n; a++) {
        for (uint64_t j = foff[a]; j < foff[a + 1]; j++)
            stamp[fadj[j]] = a;
        for (uint64_t j = foff[a]; j < foff[a + 1]; j++) {
            uint32_t b = fadj[j];
            for (uint64_t i = foff[b]; i < foff[b + 1]; i++) {
                uint32_t c = fadj[i];
                if (stamp[c] == a) {
                    triangles++;
                    tri[a]++, tri[b]++, tri[c]++;
                }
            }
        }
    }
    st->transitivity = triples > 0 ? 3 * triangles / triples : NAN;
    double sum = 0;
    uint32_t counted = 0;
    for (uint32_t a = 0; a < n; a++) {
        double k = graph_degree(g, a);
        if (k >= 2) {
            sum += 2.0 * tri[a] / (k * (k - 1));
            counted++;
        }
    }
    st->avg_clustering = counted ? sum / counted : NAN;
    rc = 0;
cleanup:
    free(parent);
    free(tri);
    free(stamp);
    free(foff);
    free(fadj);
    return rc;
}
