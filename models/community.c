/* community — igraph's Leiden and NMI behind a plain interface; see
 * community.h. */
#include "community.h"

#include <math.h>
#include <stdlib.h>

#include <igraph.h>

/* igraph reports errors through a handler that aborts by default: make it
 * return the error code instead, for the duration of a call. */
static igraph_error_handler_t *quiet(void) { return igraph_set_error_handler(igraph_error_handler_ignore); }

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
    igraph_vector_int_t ev, mem;
    igraph_vector_t deg;
    igraph_t g;
    int have_ev = 0, have_g = 0, have_deg = 0, have_mem = 0, rc = -1;
    if (igraph_vector_int_init(&ev, (igraph_integer_t)(2 * m)))
        goto cleanup;
    have_ev = 1;
    for (uint64_t i = 0; i < 2 * m; i++)
        VECTOR(ev)[i] = edges[i];
    if (igraph_create(&g, &ev, n, IGRAPH_UNDIRECTED))
        goto cleanup;
    have_g = 1;
    igraph_vector_int_destroy(&ev);             /* igraph_t keeps its own copy */
    have_ev = 0;
    if (igraph_vector_init(&deg, n))
        goto cleanup;
    have_deg = 1;
    for (uint64_t i = 0; i < 2 * m; i++)
        VECTOR(deg)[edges[i]] += 1;
    if (igraph_vector_int_init(&mem, n))
        goto cleanup;
    have_mem = 1;
    if (warm)
        for (uint32_t i = 0; i < n; i++)
            VECTOR(mem)[i] = membership[i];
    igraph_integer_t nc = 0;
    igraph_real_t quality;
    igraph_rng_seed(igraph_rng_default(), seed);
    if (igraph_community_leiden(&g, NULL, &deg, 1.0 / (2.0 * (double)m), 0.01, warm ? 1 : 0, 2, &mem, &nc,
                                &quality))
        goto cleanup;
    for (uint32_t i = 0; i < n; i++)
        membership[i] = (uint32_t)VECTOR(mem)[i];
    *ncomm = (uint32_t)nc;
    rc = 0;
cleanup:
    if (have_mem)
        igraph_vector_int_destroy(&mem);
    if (have_deg)
        igraph_vector_destroy(&deg);
    if (have_g)
        igraph_destroy(&g);
    if (have_ev)
        igraph_vector_int_destroy(&ev);
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
 * (igraph sizes its tables by the largest label).  0 or -1 (OOM). */
static int dense(uint32_t n, const uint32_t *in, igraph_vector_int_t *out)
{
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
