/* The engine's test program: every suite of tests/sim/ (suites.h), linked
 * against the engine alone.  Set CK_RUN_SUITE=name to run one suite. */
#include <stdlib.h>

#include <check.h>
#include <gsl/gsl_errno.h>

#include "suites.h"

int main(void)
{
    gsl_set_error_handler_off();
    Suite *(*const make[])(void) = {
        evq_suite, batch_suite, rng_suite, cfg_suite, results_suite, graphio_suite, sim_suite,
        design_suite, journal_suite, collate_suite, manifest_suite, sweep_suite, plot_suite, compare_suite, docs_suite, text_suite, infile_suite,
    };
    SRunner *sr = srunner_create(NULL);
    for (size_t i = 0; i < sizeof make / sizeof make[0]; i++)
        srunner_add_suite(sr, make[i]());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
