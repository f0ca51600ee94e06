/* suites — the engine's Check suites (tests/sim/check_*.c), one per module
 * of sim/.  They link the engine alone (libexposim-sim.a): no model of
 * models/ is named; check_sim.c's toy model shows the engine's interface. */
#ifndef EXPOSIM_SIM_SUITES_H
#define EXPOSIM_SIM_SUITES_H

#include <check.h>

Suite *evq_suite(void);        /* check_evq.c */
Suite *batch_suite(void);      /* check_batch.c */
Suite *rng_suite(void);        /* check_rng.c */
Suite *cfg_suite(void);        /* check_cfg.c */
Suite *results_suite(void);    /* check_results.c */
Suite *graphio_suite(void);    /* check_graphio.c: imports, traces, GraphML */
Suite *sim_suite(void);        /* check_sim.c: the run loop with a toy model */
Suite *design_suite(void);     /* check_design.c: sweep designs, point overrides, hash */
Suite *journal_suite(void);    /* check_journal.c: the sweep journal, torn lines, resume */
Suite *collate_suite(void);    /* check_collate.c: sweep.csv, sweep-summary.csv, merge */
Suite *manifest_suite(void);   /* check_manifest.c: manifest.xml read back */
Suite *sweep_suite(void);      /* check_sweep.c: sweeps end to end */
Suite *plot_suite(void);       /* check_plot.c: exposim plot end to end */
Suite *compare_suite(void);    /* check_compare.c: exposim compare end to end */
Suite *docs_suite(void);       /* check_docs.c: docs/scenarios.md and the man page against the schema */
Suite *text_suite(void);       /* check_text.c: bytes fit for XML, escapes */
Suite *infile_suite(void);     /* check_infile.c: regular files only, sizes before reading */

#endif
