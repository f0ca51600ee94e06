/* The model families' test program: every suite of tests/models/
 * (suites.h), linked against the models and the engine.  Set
 * CK_RUN_SUITE=name to run one suite. */
#include <stdlib.h>

#include <check.h>
#include <gsl/gsl_errno.h>

#include "suites.h"

int main(void)
{
    gsl_set_error_handler_off();
    Suite *(*const make[])(void) = {
        population_suite, graph_suite, contacts_suite, traffic_suite, serverlog_suite, knowledge_suite,
        pairset_suite, reid_suite, coverage_suite, metrics_suite, community_suite, adversary_suite, legal_suite, mobility_suite,
        location_suite, locating_suite, export_suite, world_suite, cli_suite, stats_suite, catalog_suite, hostile_suite,
        addressbook_suite, dynamics_suite, services_suite, enumeration_suite, groups_suite, estimate_suite,
    };
    SRunner *sr = srunner_create(NULL);
    for (size_t i = 0; i < sizeof make / sizeof make[0]; i++)
        srunner_add_suite(sr, make[i]());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
