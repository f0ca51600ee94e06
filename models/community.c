/* community — igraph's Leiden and NMI behind a plain interface; see
 * community.h. */
#include "community.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <igraph.h>

/* igraph reports errors through a handler that aborts by default: make it
 * return the error code instead, for the duration of a call. */
static igraph_error_handler_t *quiet(void) { return igraph_set_error_handler(igraph_error_handler_ignore); }

/* The graph as 32-bit adjacency rows: off (n + 1), adj (2m).  0 or -1. */
static int build_rows(uint32_t n, const uint32_t *edges, uint64_t m, uint64_t **offp, uint32_t **adjp)
{
    uint64_t *off = calloc((size_t)n + 1, sizeof *off);
    uint32_t *adj = malloc((m ? 2 * m : 1) * sizeof *adj);
    if (!off || !adj) {
        free(off);
        free(adj);
        return -1;
    }
    for (uint64_t i = 0; i < 2 * m; i++)
        off[edges[i] + 1]++;
    for (uint32_t x = 0; x < n; x++)
        off[x + 1] += off[x];
    for (uint64_t i = 0; i < m; i++) {              /* fill, then shift the offsets back */
        uint32_t u = edges[2 * i], v = edges[2 * i + 1];
        adj[off[u]++] = v;
        adj[off[v]++] = u;
    }
    for (uint32_t x = n; x > 0; x--)
        off[x] = off[x - 1];
    off[0] = 0;
    *offp = off;
    *adjp = adj;
    return 0;
}

/* Louvain's local moving for modularity (Blondel et al., J. Stat. Mech.
 * 2008, P10008) from the partition memb (labels < n): people in id order,
 * each moved to the neighbouring community of largest gain
 * w(i, c) - k_i K_c / 2m (staying on ties), sweeps until fewer than n/1000
 * people move (at most 16).  After the first sweep only people with a
 * neighbour that moved in the sweep before are visited (the others' gains
 * changed only through community totals; Ozaki, Tezuka & Inaba's pruning,
 * 2016): the late sweeps, where few move, cost little.  No randomness.
 * O(m) per sweep with 32-bit rows.  0 or -1 (OOM). */
static int local_moving(uint32_t n, const uint64_t *off, const uint32_t *adj, uint64_t m, uint32_t *memb)
{
    size_t nn = (size_t)n ? n : 1;
    double *tot = calloc(nn, sizeof *tot);
    uint32_t *w = calloc(nn, sizeof *w), *touched = malloc(nn * sizeof *touched);
    uint8_t *visit = malloc(nn), *next = calloc(nn, 1);
    int rc = -1;
    if (!tot || !w || !touched || !visit || !next)
        goto cleanup;
    memset(visit, 1, nn);
    const double inv2m = 1.0 / (2.0 * (double)m);
    for (uint32_t i = 0; i < n; i++)
        tot[memb[i]] += (double)(off[i + 1] - off[i]);
    for (int sweep = 0; sweep < 16; sweep++) {
        uint32_t moves = 0;
        for (uint32_t i = 0; i < n; i++) {
            double ki = (double)(off[i + 1] - off[i]);
            if (!visit[i] || ki == 0)
                continue;
            uint32_t ci = memb[i], nt = 0;
            for (uint64_t j = off[i]; j < off[i + 1]; j++) {
                uint32_t c = memb[adj[j]];
                if (w[c]++ == 0)
                    touched[nt++] = c;
            }
            tot[ci] -= ki;
            uint32_t best = ci;
            double best_gain = (double)w[ci] - tot[ci] * ki * inv2m;
            for (uint32_t t = 0; t < nt; t++) {
                uint32_t c = touched[t];
                double gain = (double)w[c] - tot[c] * ki * inv2m;
                if (gain > best_gain) {
                    best_gain = gain;
                    best = c;
                }
                w[c] = 0;
            }
            tot[best] += ki;
            if (best != ci) {
                memb[i] = best;
                moves++;
                for (uint64_t j = off[i]; j < off[i + 1]; j++)
                    next[adj[j]] = 1;
            }
        }
        if ((uint64_t)moves * 1000 < n)
            break;
        uint8_t *swap = visit;                      /* the next sweep visits the marked */
        visit = next;
        next = swap;
        memset(next, 0, nn);
    }
    rc = 0;
cleanup:
    free(tot);
    free(w);
    free(touched);
    free(visit);
    free(next);
    return rc;
}

/* Split each community of memb into its connected parts (local moving can
 * leave a community disconnected; Leiden's refinement exists for this),
 * labelled 0 .. k-1 in order of their lowest person, into part.  Returns k,
 * O(n + m); queue has n entries. */
static uint32_t connected_parts(uint32_t n, const uint64_t *off, const uint32_t *adj, const uint32_t *memb,
                                uint32_t *part, uint32_t *queue)
{
    uint32_t k = 0;
    for (uint32_t x = 0; x < n; x++)
        part[x] = UINT32_MAX;
    for (uint32_t s = 0; s < n; s++) {
        if (part[s] != UINT32_MAX)
            continue;
        uint32_t tail = 0;
        part[s] = k;
        queue[tail++] = s;
        for (uint32_t head = 0; head < tail; head++) {
            uint32_t u = queue[head];
            for (uint64_t j = off[u]; j < off[u + 1]; j++) {
                uint32_t v = adj[j];
                if (part[v] == UINT32_MAX && memb[v] == memb[s]) {
                    part[v] = k;
                    queue[tail++] = v;
                }
            }
        }
        k++;
    }
    return k;
}

/* The graph of the k parts: edge weights = edges between two parts (edges
 * inside a part are left out: with node weights they do not change which
 * partition of the parts is best), node weights = the parts' degree sums.
 * O(n + m).  0 or -1. */
static int aggregate(uint32_t n, const uint64_t *off, const uint32_t *adj, const uint32_t *part, uint32_t k,
                     igraph_vector_int_t *ev, igraph_vector_t *ew, igraph_vector_t *nw)
{
    uint32_t *start = calloc((size_t)k + 1, sizeof *start), *member = malloc(((size_t)n ? n : 1) * sizeof *member);
    uint32_t *w = calloc((size_t)k ? k : 1, sizeof *w), *touched = malloc(((size_t)k ? k : 1) * sizeof *touched);
    int rc = -1;
    if (!start || !member || !w || !touched)
        goto cleanup;
    for (uint32_t x = 0; x < n; x++)
        start[part[x] + 1]++;
    for (uint32_t c = 0; c < k; c++)
        start[c + 1] += start[c];
    for (uint32_t x = 0; x < n; x++)
        member[start[part[x]]++] = x;
    for (uint32_t c = k; c > 0; c--)
        start[c] = start[c - 1];
    start[0] = 0;
    if (igraph_vector_resize(nw, k))
        goto cleanup;
    for (uint32_t c = 0; c < k; c++) {
        uint32_t nt = 0;
        double degree = 0;
        for (uint32_t i = start[c]; i < start[c + 1]; i++) {
            uint32_t u = member[i];
            degree += (double)(off[u + 1] - off[u]);
            for (uint64_t j = off[u]; j < off[u + 1]; j++) {
                uint32_t d = part[adj[j]];
                if (d > c && w[d]++ == 0)
                    touched[nt++] = d;
            }
        }
        VECTOR(*nw)[c] = degree;
        for (uint32_t t = 0; t < nt; t++) {
            uint32_t d = touched[t];
            if (igraph_vector_int_push_back(ev, c) || igraph_vector_int_push_back(ev, d)
                || igraph_vector_push_back(ew, w[d]))
                goto cleanup;
            w[d] = 0;
        }
    }
    rc = 0;
cleanup:
    free(start);
    free(member);
    free(w);
    free(touched);
    return rc;
}

int community_leiden(uint32_t n, const uint32_t *edges, uint64_t m, uint32_t seed, int warm,
                     uint32_t *membership, uint32_t *ncomm)
{
    if (m == 0) {
        for (uint32_t i = 0; i < n; i++)
            membership[i] = i;
        *ncomm = n;
        return 0;
    }
    igraph_error_handler_t *old = quiet();
    uint64_t *off = NULL;
    uint32_t *adj = NULL, *part = malloc(((size_t)n ? n : 1) * sizeof *part);
    uint32_t *queue = malloc(((size_t)n ? n : 1) * sizeof *queue);
    igraph_vector_int_t ev, mem;
    igraph_vector_t ew, nw;
    igraph_t g;
    int have = 0, have_g = 0, rc = -1;        /* have: vectors initialised (ev, ew, nw, mem) */
    if (!part || !queue || build_rows(n, edges, m, &off, &adj))
        goto cleanup;
    if (!warm)
        for (uint32_t i = 0; i < n; i++)
            membership[i] = i;
    if (local_moving(n, off, adj, m, membership))
        goto cleanup;
    uint32_t k = connected_parts(n, off, adj, membership, part, queue);
    free(queue);
    queue = NULL;
    if (igraph_vector_int_init(&ev, 0) || (have++, igraph_vector_init(&ew, 0))
        || (have++, igraph_vector_init(&nw, 0)) || (have++, igraph_vector_int_init(&mem, k)))
        goto cleanup;
    have++;
    if (aggregate(n, off, adj, part, k, &ev, &ew, &nw))
        goto cleanup;
    free(adj);
    adj = NULL;
    if (igraph_create(&g, &ev, k, IGRAPH_UNDIRECTED))
        goto cleanup;
    have_g = 1;
    igraph_integer_t nc = 0;
    igraph_real_t quality;
    igraph_rng_seed(igraph_rng_default(), seed);
    if (igraph_community_leiden(&g, &ew, &nw, 1.0 / (2.0 * (double)m), 0.01, 0, 2, &mem, &nc, &quality))
        goto cleanup;
    for (uint32_t i = 0; i < n; i++)
        membership[i] = (uint32_t)VECTOR(mem)[part[i]];
    *ncomm = (uint32_t)nc;
    rc = 0;
cleanup:
    if (have_g)
        igraph_destroy(&g);
    if (have > 0)
        igraph_vector_int_destroy(&ev);
    if (have > 1)
        igraph_vector_destroy(&ew);
    if (have > 2)
        igraph_vector_destroy(&nw);
    if (have > 3)
        igraph_vector_int_destroy(&mem);
    free(off);
    free(adj);
    free(part);
    free(queue);
    igraph_set_error_handler(old);
    return rc;
}

struct ranked {
    uint32_t value, index;
};

static int by_value(const void *x, const void *y)
{
    const struct ranked *a = x, *b = y;
    return (a->value > b->value) - (a->value < b->value);
}

/* out[i] = the rank of in[i] among the distinct values: labels 0 .. k-1
 * (igraph sizes its tables by the largest label).  O(n) when every value
 * is below n (a partition from community_leiden, block labels), else a
 * sort.  0 or -1 (OOM). */
static int dense(uint32_t n, const uint32_t *in, igraph_vector_int_t *out)
{
    uint32_t top = 0;
    for (uint32_t i = 0; i < n; i++)
        top = in[i] > top ? in[i] : top;
    if (top < n) {
        uint32_t *rank = calloc((size_t)n ? n : 1, sizeof *rank);
        if (!rank)
            return -1;
        for (uint32_t i = 0; i < n; i++)
            rank[in[i]] = 1;
        for (uint32_t v = 0, k = 0; v < n; v++) {
            uint32_t present = rank[v];
            rank[v] = k;
            k += present;
        }
        for (uint32_t i = 0; i < n; i++)
            VECTOR(*out)[i] = rank[in[i]];
        free(rank);
        return 0;
    }
    struct ranked *r = malloc(((size_t)n ? n : 1) * sizeof *r);
    if (!r)
        return -1;
    for (uint32_t i = 0; i < n; i++)
        r[i] = (struct ranked){ in[i], i };
    qsort(r, n, sizeof *r, by_value);
    igraph_integer_t k = -1;
    for (uint32_t i = 0; i < n; i++) {
        if (i == 0 || r[i].value != r[i - 1].value)
            k++;
        VECTOR(*out)[r[i].index] = k;
    }
    free(r);
    return 0;
}

double community_nmi(uint32_t n, const uint32_t *a, const uint32_t *b)
{
    igraph_error_handler_t *old = quiet();
    igraph_vector_int_t va, vb;
    double nmi = NAN;
    if (igraph_vector_int_init(&va, n))
        goto out;
    if (igraph_vector_int_init(&vb, n)) {
        igraph_vector_int_destroy(&va);
        goto out;
    }
    igraph_real_t r;
    if (!dense(n, a, &va) && !dense(n, b, &vb)
        && igraph_compare_communities(&va, &vb, &r, IGRAPH_COMMCMP_NMI) == IGRAPH_SUCCESS)
        nmi = r;
    igraph_vector_int_destroy(&va);
    igraph_vector_int_destroy(&vb);
out:
    igraph_set_error_handler(old);
    return nmi;
}
