/* manifest — manifest.xml: what was run, how, with which seeds and when.
 * It holds the scenario as run (after --set, --seed, --replications), the
 * program version, the command line, the scenario seed and every stream seed
 * of every replication, and start/end times in UTC. */
#ifndef EXPOSIM_MANIFEST_H
#define EXPOSIM_MANIFEST_H

#include <stdio.h>
#include <time.h>

#include "cfg.h"
#include "diag.h"
#include "sim.h"

struct manifest_info {
    int argc;
    char **argv;
    time_t started, finished;
    const struct sim_model_type *model;
    const struct sim_run_params *run;
    unsigned long long events;            /* events dispatched, all replications */
    double wall;                          /* wall seconds measured (> 0), else finished - started */
};

/* Text for an XML document: s itself when it is valid UTF-8 of XML 1.0
 * characters, else s with U+FFFD in place of each byte that does not
 * begin one (a byte of another encoding, a control character).  Malloc'd,
 * or NULL (out of memory); *exact says whether s was kept as it is.  O(len). */
char *manifest_text(const char *s, int *exact);

/* Add <command> with one <arg> per argument to parent (an xmlNodePtr).  An
 * argument manifest_text cannot keep exactly is written with its U+FFFD
 * text and its exact bytes as hex="..." (two lower-case digits a byte),
 * so the command line is recorded whole whatever its bytes.  0 or -1 (OOM). */
int manifest_command(void *parent, int argc, char *const *argv);

/* Fill function for results_stage_file: doc (an xmlDocPtr) indented.
 * 0, or -1 on a write error (libxml2's own message kept quiet). */
int manifest_dump(FILE *f, const void *doc);

/* Write DIR/manifest.xml atomically.  Returns 0, or -1 with a diagnostic. */
int manifest_write(const char *dir, const struct cfg *c, const struct manifest_info *m, struct diag *d);
/* The same as one of several files staged to appear together. */
struct results_staged;
int manifest_stage(struct results_staged *s, const struct cfg *c, const struct manifest_info *m, struct diag *d);

#endif
