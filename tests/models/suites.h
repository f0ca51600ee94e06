/* suites — the model families' Check suites (tests/models/check_*.c), one
 * per module of models/, plus the program end to end (check_cli.c) and the
 * closed-form statistical checks (check_stats.c). */
#ifndef EXPOSIM_MODELS_SUITES_H
#define EXPOSIM_MODELS_SUITES_H

#include <check.h>

Suite *population_suite(void); /* check_population.c */
Suite *graph_suite(void);      /* check_graph.c */
Suite *contacts_suite(void);   /* check_contacts.c */
Suite *traffic_suite(void);    /* check_traffic.c */
Suite *serverlog_suite(void);  /* check_serverlog.c */
Suite *knowledge_suite(void);  /* check_knowledge.c */
Suite *pairset_suite(void);    /* check_pairset.c */
Suite *reid_suite(void);       /* check_reid.c */
Suite *coverage_suite(void);   /* check_coverage.c */
Suite *metrics_suite(void);    /* check_metrics.c */
Suite *community_suite(void);  /* check_community.c: detection and NMI */
Suite *adversary_suite(void);  /* check_adversary.c */
Suite *legal_suite(void);      /* check_legal.c: the legal process on hand-made traces */
Suite *mobility_suite(void);   /* check_mobility.c: places, networks, geolocation, location end to end */
Suite *location_suite(void);   /* check_location.c */
Suite *locating_suite(void);   /* check_locating.c */
Suite *export_suite(void);     /* check_export.c */
Suite *world_suite(void);      /* check_world.c: the composition root through the engine */
Suite *cli_suite(void);        /* check_cli.c: end to end, bad input, determinism */
Suite *stats_suite(void);      /* check_stats.c: closed-form recall */
Suite *catalog_suite(void);    /* check_catalog.c: the metric table against docs/metrics.md */
Suite *addressbook_suite(void);   /* check_addressbook.c */
Suite *dynamics_suite(void);      /* check_dynamics.c */
Suite *services_suite(void);      /* check_services.c */
Suite *enumeration_suite(void);   /* check_enumeration.c */
Suite *groups_suite(void);        /* check_groups.c */
Suite *estimate_suite(void);      /* check_estimate.c: the estimate against counts */
Suite *hostile_suite(void);    /* check_hostile.c: hostile files and faults, one case per class */

#endif
