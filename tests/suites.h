/* suites — one constructor per Check suite (tests/check_*.c). */
#ifndef EXPOSIM_SUITES_H
#define EXPOSIM_SUITES_H

#include <check.h>

Suite *evq_suite(void);        /* tests/check_evq.c */
Suite *batch_suite(void);      /* tests/check_batch.c */
Suite *rng_suite(void);        /* tests/check_rng.c */
Suite *cfg_suite(void);        /* tests/check_cfg.c */
Suite *results_suite(void);    /* tests/check_results.c */
Suite *contacts_suite(void);   /* tests/check_contacts.c */
Suite *traffic_suite(void);    /* tests/check_traffic.c */
Suite *serverlog_suite(void);  /* tests/check_serverlog.c */
Suite *inference_suite(void);  /* tests/check_inference.c */
Suite *metrics_suite(void);    /* tests/check_metrics.c */
Suite *cli_suite(void);        /* tests/check_cli.c: end to end, bad input, determinism */
Suite *stats_suite(void);
Suite *adversary_suite(void);   /* tests/check_adversary.c */      /* tests/check_stats.c: closed-form recall */
Suite *sweep_suite(void);      /* tests/check_sweep.c: designs, journal, sweeps end to end */
Suite *graphio_suite(void);    /* tests/check_graphio.c: imports, traces, GraphML */
Suite *population_suite(void); /* tests/check_population.c */
Suite *location_suite(void);   /* tests/check_location.c */
Suite *mobility_suite(void);   /* tests/check_mobility.c: places, networks, geolocation, location end to end */
Suite *plot_suite(void);       /* tests/check_plot.c: exposim plot end to end */

#endif
