/* check_graph — the contact graph's storage and statistics
 * (models/graph.h): graph_from_edges on hand-made lists (rows sorted
 * whatever the input order, graph_find for every ordered pair, the empty
 * graph), graph_from_edges_simple (self-loops dropped, repeats merged and
 * counted), graph_stats on graphs whose statistics are worked out by hand.
 * Every graph built satisfies the CSR invariants (fixture.h). */
#include <stdint.h>
#include <stdlib.h>

#include <check.h>
#include <gsl/gsl_rng.h>

#include "contacts.h"
#include "fixture.h"
#include "graph.h"
#include "suites.h"
#include "testutil.h"

/* --- graph_from_edges on a hand-made list ------------------------------- */

/* 7 people, 8 edges, given in an order that leaves rows 0, 1 and 5 unsorted
 * in insertion order; person 6 has no contacts. */
static const struct graph_edge hand_edges[] = {
    { 0, 3 }, { 2, 0 }, { 1, 0 }, { 4, 1 }, { 1, 2 }, { 5, 4 }, { 3, 5 }, { 5, 1 },
};
#define HAND_N 7u
#define HAND_M (sizeof hand_edges / sizeof hand_edges[0])

START_TEST(test_from_edges_hand)
{
    struct graph g;
    ck_assert_int_eq(graph_from_edges(&g, HAND_N, hand_edges, HAND_M), 0);
    ck_assert_uint_eq(g.n, 7);
    ck_assert_uint_eq(g.m, 8);

    /* Rows worked out by hand. */
    static const uint64_t off[] = { 0, 3, 7, 9, 11, 13, 16, 16 };
    static const uint32_t adj[] = {
        1, 2, 3,        /* 0 */
        0, 2, 4, 5,     /* 1 */
        0, 1,           /* 2 */
        0, 5,           /* 3 */
        1, 5,           /* 4 */
        1, 3, 4,        /* 5 */
                        /* 6: none */
    };
    static const uint32_t deg[] = { 3, 4, 2, 2, 2, 3, 0 };
    for (uint32_t a = 0; a <= HAND_N; a++)
        ck_assert_uint_eq(g.off[a], off[a]);
    for (uint32_t a = 0; a < HAND_N; a++)
        ck_assert_uint_eq(graph_degree(&g, a), deg[a]);
    for (size_t j = 0; j < sizeof adj / sizeof adj[0]; j++)
        ck_assert_uint_eq(g.adj[j], adj[j]);

    /* graph_find: every edge in both directions, at the right index ... */
    for (size_t i = 0; i < HAND_M; i++) {
        uint32_t u = hand_edges[i].u, v = hand_edges[i].v;
        int64_t j = graph_find(&g, u, v), k = graph_find(&g, v, u);
        ck_assert_int_ge(j, (int64_t)off[u]);
        ck_assert_int_lt(j, (int64_t)off[u + 1]);
        ck_assert_uint_eq(g.adj[j], v);
        ck_assert_int_ge(k, (int64_t)off[v]);
        ck_assert_int_lt(k, (int64_t)off[v + 1]);
        ck_assert_uint_eq(g.adj[k], u);
    }
    /* ... and -1 for every other ordered pair, self-pairs included: the 49
     * ordered pairs hold exactly 16 edges. */
    int found = 0;
    for (uint32_t a = 0; a < HAND_N; a++)
        for (uint32_t b = 0; b < HAND_N; b++) {
            int is_edge = 0;
            for (size_t i = 0; i < HAND_M; i++)
                if ((hand_edges[i].u == a && hand_edges[i].v == b)
                    || (hand_edges[i].u == b && hand_edges[i].v == a))
                    is_edge = 1;
            int64_t j = graph_find(&g, a, b);
            if (is_edge)
                ck_assert_int_ge(j, 0);
            else
                ck_assert_int_eq(j, -1);
            found += j >= 0;
        }
    ck_assert_int_eq(found, 16);
    fixture_check_csr(&g);
    graph_destroy(&g);
    ck_assert_ptr_null(g.off);
    ck_assert_ptr_null(g.adj);
}
END_TEST

/* Rows given in fully reversed order must come out sorted too: a star whose
 * centre's row is filled from the highest id down, plus a chain. */
START_TEST(test_from_edges_reversed)
{
    enum { N = 40 };
    struct graph_edge e[2 * N];
    uint64_t m = 0;
    for (uint32_t b = N - 1; b >= 1; b--)      /* star around 0, descending */
        e[m++] = (struct graph_edge){ 0, b };
    for (uint32_t a = N - 1; a >= 2; a--)      /* chain 1-2-...-(N-1), descending */
        e[m++] = (struct graph_edge){ a, a - 1 };
    struct graph g;
    ck_assert_int_eq(graph_from_edges(&g, N, e, m), 0);
    ck_assert_uint_eq(g.m, (N - 1) + (N - 2));
    ck_assert_uint_eq(graph_degree(&g, 0), N - 1);
    for (uint32_t b = 1; b < N; b++)
        ck_assert_uint_eq(g.adj[g.off[0] + b - 1], b);
    ck_assert_uint_eq(graph_degree(&g, 1), 2);         /* 0 and 2 */
    ck_assert_uint_eq(graph_degree(&g, N - 1), 2);     /* 0 and N-2 */
    for (uint32_t a = 2; a < N - 1; a++) {
        ck_assert_uint_eq(graph_degree(&g, a), 3);     /* 0, a-1, a+1 */
        ck_assert_uint_eq(g.adj[g.off[a]], 0);
        ck_assert_uint_eq(g.adj[g.off[a] + 1], a - 1);
        ck_assert_uint_eq(g.adj[g.off[a] + 2], a + 1);
    }
    for (uint32_t a = 1; a < N; a++)
        for (uint32_t b = 1; b < N; b++) {
            int is_edge = a + 1 == b || b + 1 == a;
            ck_assert_int_eq(graph_find(&g, a, b) >= 0, is_edge);
        }
    fixture_check_csr(&g);
    graph_destroy(&g);
}
END_TEST

START_TEST(test_from_edges_empty)
{
    struct graph g;
    ck_assert_int_eq(graph_from_edges(&g, 3, NULL, 0), 0);
    ck_assert_uint_eq(g.n, 3);
    ck_assert_uint_eq(g.m, 0);
    for (uint32_t a = 0; a < 3; a++) {
        ck_assert_uint_eq(graph_degree(&g, a), 0);
        for (uint32_t b = 0; b < 3; b++)
            ck_assert_int_eq(graph_find(&g, a, b), -1);
    }
    fixture_check_csr(&g);
    graph_destroy(&g);
    graph_destroy(NULL);                        /* allowed */
}
END_TEST

/* --- simple-graph building and statistics -------------------------------- */

/* Self-loops dropped, repeats (either orientation) merged and counted. */
START_TEST(test_from_edges_simple)
{
    static const struct graph_edge e[] = {
        { 0, 1 }, { 1, 0 }, { 2, 2 }, { 1, 2 }, { 0, 1 }, { 3, 3 }, { 2, 1 }, { 0, 3 },
    };
    struct graph g;
    uint64_t loops = 0, dups = 0;
    ck_assert_int_eq(graph_from_edges_simple(&g, 5, e, 8, &loops, &dups), 0);
    ck_assert_uint_eq(loops, 2);
    ck_assert_uint_eq(dups, 3);                        /* {0,1} twice more, {1,2} once more */
    ck_assert_uint_eq(g.m, 3);                         /* {0,1}, {1,2}, {0,3} */
    fixture_check_csr(&g);
    ck_assert_int_ge(graph_find(&g, 0, 1), 0);
    ck_assert_int_ge(graph_find(&g, 2, 1), 0);
    ck_assert_int_ge(graph_find(&g, 3, 0), 0);
    ck_assert_int_eq(graph_find(&g, 0, 2), -1);
    ck_assert_uint_eq(graph_degree(&g, 4), 0);
    graph_destroy(&g);
}
END_TEST

/* graph_stats on hand-checked graphs: a triangle plus a pendant (0-1-2
 * triangle, 2-3): triples 1+1+3+0 = 5, one triangle: transitivity 3/5; local
 * clustering 1, 1, 1/3 over the three nodes of degree >= 2: mean 7/9; one
 * isolated person (4): two components, the largest of 4. */
START_TEST(test_graph_stats_hand)
{
    static const struct graph_edge e[] = { { 0, 1 }, { 1, 2 }, { 0, 2 }, { 2, 3 } };
    struct graph g;
    struct graph_stats st;
    ck_assert_int_eq(graph_from_edges(&g, 5, e, 4), 0);
    ck_assert_int_eq(graph_stats(&g, &st), 0);
    ck_assert_double_eq_tol(st.transitivity, 0.6, 1e-12);
    ck_assert_double_eq_tol(st.avg_clustering, 7.0 / 9, 1e-12);
    ck_assert_uint_eq(st.components, 2);
    ck_assert_uint_eq(st.largest_component, 4);
    ck_assert_uint_eq(st.max_degree, 3);
    ck_assert_uint_eq(st.isolated, 1);
    ck_assert_double_eq_tol(st.mean_degree, 8.0 / 5, 1e-12);
    graph_destroy(&g);
    /* The complete graph K6: clustering 1, one component. */
    gsl_rng *r = tu_rng(1);
    ck_assert_int_eq(contacts_erdos_renyi(&g, 6, 5, r), 0);
    ck_assert_int_eq(graph_stats(&g, &st), 0);
    ck_assert_double_eq_tol(st.transitivity, 1, 1e-12);
    ck_assert_double_eq_tol(st.avg_clustering, 1, 1e-12);
    ck_assert_uint_eq(st.components, 1);
    graph_destroy(&g);
    gsl_rng_free(r);
}
END_TEST

Suite *graph_suite(void)
{
    Suite *s = suite_create("graph");
    TCase *tc = tcase_create("storage");
    tcase_add_test(tc, test_from_edges_hand);
    tcase_add_test(tc, test_from_edges_reversed);
    tcase_add_test(tc, test_from_edges_empty);
    tcase_add_test(tc, test_from_edges_simple);
    suite_add_tcase(s, tc);
    tc = tcase_create("stats");
    tcase_add_test(tc, test_graph_stats_hand);
    suite_add_tcase(s, tc);
    return s;
}
