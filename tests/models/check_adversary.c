/* check_adversary — target selection and hop expansion, on hand-made
 * rebuilt graphs whose expansions are worked out in the comments. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "adversary.h"
#include "contacts.h"
#include "knowledge.h"
#include "suites.h"

/* True graph: 0-1 0-2 0-3 1-4 2-4 4-5 5-6, people 0..9. */
static void build(struct graph *g)
{
    struct graph_edge e[] = { { 0, 1 }, { 0, 2 }, { 0, 3 }, { 1, 4 }, { 2, 4 }, { 4, 5 }, { 5, 6 } };
    ck_assert_int_eq(graph_from_edges(g, 10, e, 7), 0);
}

static int targets_are(const struct adversary *a, const uint32_t *want, uint32_t n)
{
    if (a->ntargets != n)
        return 0;
    for (uint32_t i = 0; i < n; i++)
        if (a->targets[i] != want[i])
            return 0;
    return 1;
}

/* Seed 0, depth 2, budget 2.  Found: every true edge but 5-6, and the
 * non-contact pair 0-9.
 *  1: from 0 (depth 0): 1, 2, 3, 9, one pair each: take 1, 2 (lower ids).
 *  2: from 0: 3, 9; from 1 and 2 (depth 1): 4, in two pairs: take 4 (two
 *     pairs, depth 2), then 3 (depth 1).
 *  3: from 0: 9; 1, 2, 3 add nothing new; 4 has depth 2 = the limit, so 5
 *     is not eligible: take 9.
 *  4: nothing left. */
START_TEST(test_expand_worked_example)
{
    struct graph g;
    build(&g);
    struct knowledge k;
    ck_assert_int_eq(knowledge_init(&k, &g), 0);
    uint32_t found[][2] = { { 0, 1 }, { 2, 0 }, { 0, 3 }, { 4, 1 }, { 2, 4 }, { 4, 5 }, { 9, 0 } };
    for (size_t i = 0; i < 7; i++)
        ck_assert_int_eq(knowledge_add(&k, found[i][0], found[i][1]), 0);
    uint32_t ids[] = { 0 };
    struct adversary_params p;
    memset(&p, 0, sizeof p);
    p.select = ADVERSARY_SELECT_IDS;
    p.ids = ids;
    p.nids = 1;
    p.expand_depth = 2;
    p.expand_budget = 2;
    struct adversary a;
    char err[128];
    ck_assert_int_eq(adversary_init(&a, &p, &g, NULL, NULL, err, sizeof err), 0);
    ck_assert_int_eq(adversary_expand(&a, &k, 0), 2);
    ck_assert(targets_are(&a, (uint32_t[]){ 0, 1, 2 }, 3));
    ck_assert_int_eq(adversary_expand(&a, &k, 0), 2);
    ck_assert(targets_are(&a, (uint32_t[]){ 0, 1, 2, 3, 4 }, 5));
    ck_assert_uint_eq(a.depth[4], 2);                       /* person 4 */
    ck_assert_uint_eq(a.depth[3], 1);                       /* person 3 */
    ck_assert_int_eq(adversary_expand(&a, &k, 0), 1);
    ck_assert(targets_are(&a, (uint32_t[]){ 0, 1, 2, 3, 4, 9 }, 6));
    ck_assert_int_eq(adversary_expand(&a, &k, 0), 0);
    ck_assert(adversary_in_scope(&a, 9, 7));                /* a new target is in scope */
    ck_assert(!adversary_in_scope(&a, 5, 6));
    adversary_destroy(&a);
    knowledge_destroy(&k);
    graph_destroy(&g);
}
END_TEST

/* top_degree picks the highest degrees, ties to the lower id; scope
 * outgoing/incoming/both as documented. */
START_TEST(test_select_top_degree_and_scope)
{
    struct graph g;
    build(&g);                      /* degrees: 0:3 1:2 2:2 3:1 4:3 5:2 6:1 */
    struct adversary_params p;
    memset(&p, 0, sizeof p);
    p.select = ADVERSARY_SELECT_TOP_DEGREE;
    p.count = 3;
    p.scope = ADVERSARY_SCOPE_OUTGOING;
    struct adversary a;
    char err[128];
    ck_assert_int_eq(adversary_init(&a, &p, &g, NULL, NULL, err, sizeof err), 0);
    ck_assert(targets_are(&a, (uint32_t[]){ 0, 1, 4 }, 3));
    ck_assert(adversary_in_scope(&a, 0, 7));
    ck_assert(!adversary_in_scope(&a, 7, 0));
    p.scope = ADVERSARY_SCOPE_INCOMING;
    ck_assert(!adversary_in_scope(&a, 0, 7));
    ck_assert(adversary_in_scope(&a, 7, 0));
    ck_assert(!adversary_in_scope(&a, 7, SERVERLOG_NO_NUMBER));
    p.scope = ADVERSARY_SCOPE_BOTH;
    ck_assert(adversary_in_scope(&a, 0, 7) && adversary_in_scope(&a, 7, 4));
    adversary_destroy(&a);
    p.count = 11;                   /* more than the people */
    ck_assert_int_eq(adversary_init(&a, &p, &g, NULL, NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "count 11"));
    adversary_destroy(&a);
    graph_destroy(&g);
}
END_TEST

Suite *adversary_suite(void)
{
    Suite *s = suite_create("adversary");
    TCase *tc = tcase_create("targets");
    tcase_add_test(tc, test_expand_worked_example);
    tcase_add_test(tc, test_select_top_degree_and_scope);
    suite_add_tcase(s, tc);
    return s;
}
