/* check_reid — re-identification of pseudonyms across key epochs (reid.h),
 * on records worked by hand. */
#include <stdint.h>
#include <stdlib.h>

#include <check.h>

#include "graph.h"
#include "knowledge.h"
#include "reid.h"
#include "suites.h"

/* Ground truth for the re-identification test: pseudonym = 100 x epoch +
 * the person's number, so the person is pseudonym mod 100. */
static uint32_t toy_person(const void *ctx, uint32_t epoch, uint32_t pseudonym)
{
    (void)ctx, (void)epoch;
    return pseudonym % 100;
}

/* Re-identification across key epochs, worked by hand.
 * Epoch 0: person 1 looked up by {1,2,3}; person 2 by {4,5}; person 7 by {8,9}.
 * Epoch 1: person 1 by {1,2,3} (Jaccard 1 with person 1's old pseudonym:
 * linked, right); person 2 by {4,6} (1/3 with person 2: not linked); person 3
 * by {1,2} (2/3 with person 1's: linked, wrong); person 9 by {5} (one querier:
 * never linked, and not linkable: person 9 was not seen in epoch 0).
 * Linkable: persons 1, 2 (seen in epoch 0) = 2; linked 2; correct 1.
 * Epoch 3 (epoch 2 not observed: linked to epoch 1): person 1 by {1,2,3}
 * again: linked, right.  Totals: linkable 3, linked 3, correct 2.  Repeated
 * records change nothing (a neighbourhood is a set). */
START_TEST(test_reidentify_worked_example)
{
    struct graph_edge e[] = { { 0, 1 } };
    struct graph g;
    ck_assert_int_eq(graph_from_edges(&g, 10, e, 1), 0);
    struct knowledge k;
    ck_assert_int_eq(knowledge_init(&k, &g), 0);
    static const uint32_t rec[][3] = {
        { 0, 1, 1 }, { 0, 1, 2 }, { 0, 1, 3 }, { 0, 2, 4 }, { 0, 2, 5 }, { 0, 7, 8 }, { 0, 7, 9 },
        { 1, 1, 1 }, { 1, 1, 2 }, { 1, 1, 3 }, { 1, 2, 4 }, { 1, 2, 6 }, { 1, 3, 1 }, { 1, 3, 2 },
        { 1, 9, 5 }, { 1, 1, 3 }, { 0, 2, 4 },
        { 3, 1, 1 }, { 3, 1, 2 }, { 3, 1, 3 },
    };
    for (size_t i = 0; i < sizeof rec / sizeof rec[0]; i++)   /* in a scrambled order */
        ck_assert_int_eq(knowledge_pseudonym(&k, rec[i][0], 100 * rec[i][0] + rec[i][1], rec[i][2], 0), 0);
    struct reid_counts r;
    ck_assert_int_eq(reid_link(&k, toy_person, NULL, &r), 0);
    ck_assert_uint_eq(r.linkable, 3);
    ck_assert_uint_eq(r.linked, 3);
    ck_assert_uint_eq(r.correct, 2);
    ck_assert_uint_eq(k.npseudo, sizeof rec / sizeof rec[0] - 2);      /* two repeats merged */
    ck_assert_int_eq(reid_link(&k, toy_person, NULL, &r), 0); /* idempotent */
    ck_assert_uint_eq(r.correct, 2);
    knowledge_destroy(&k);
    graph_destroy(&g);
}
END_TEST

/* The same records with device counts (person 1 has two devices, everyone
 * else one): person 3's pseudonym in epoch 1, {1,2}, no longer links to
 * person 1's ({1,2,3}, Jaccard 2/3) since the counts differ.  Linkable 3,
 * linked 2, both right.  A count of 0 (not logged) filters nothing. */
START_TEST(test_reidentify_device_counts)
{
    struct graph_edge e[] = { { 0, 1 } };
    struct graph g;
    ck_assert_int_eq(graph_from_edges(&g, 10, e, 1), 0);
    static const uint32_t rec[][3] = {
        { 0, 1, 1 }, { 0, 1, 2 }, { 0, 1, 3 }, { 0, 2, 4 }, { 0, 2, 5 }, { 0, 7, 8 }, { 0, 7, 9 },
        { 1, 1, 1 }, { 1, 1, 2 }, { 1, 1, 3 }, { 1, 2, 4 }, { 1, 2, 6 }, { 1, 3, 1 }, { 1, 3, 2 },
        { 1, 9, 5 }, { 3, 1, 1 }, { 3, 1, 2 }, { 3, 1, 3 },
    };
    for (int logged = 0; logged < 2; logged++) {
        struct knowledge k;
        ck_assert_int_eq(knowledge_init(&k, &g), 0);
        for (size_t i = 0; i < sizeof rec / sizeof rec[0]; i++) {
            uint32_t devices = logged ? (rec[i][1] == 1 ? 2 : 1) : 0;
            ck_assert_int_eq(knowledge_pseudonym(&k, rec[i][0], 100 * rec[i][0] + rec[i][1], rec[i][2], devices), 0);
        }
        struct reid_counts r;
        ck_assert_int_eq(reid_link(&k, toy_person, NULL, &r), 0);
        ck_assert_uint_eq(r.linkable, 3);
        ck_assert_uint_eq(r.linked, logged ? 2 : 3);
        ck_assert_uint_eq(r.correct, 2);
        knowledge_destroy(&k);
    }
    graph_destroy(&g);
}
END_TEST

Suite *reid_suite(void)
{
    Suite *s = suite_create("reid");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_reidentify_worked_example);
    tcase_add_test(tc, test_reidentify_device_counts);
    suite_add_tcase(s, tc);
    return s;
}
