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
};

/* Bytes from outside (command-line arguments, file and directory names,
 * names read from result files) into a manifest.  XML 1.0 cannot hold
 * control characters other than tab and line breaks, nor invalid UTF-8,
 * not even as character references: a value holding one is written with
 * C escapes (text_escape: \xNN, and \\ for a backslash) and named in
 * the element's `escaped` attribute (a space-separated list of the
 * attribute names, and "text" for the element's text), so that a reader
 * can recover the bytes exactly.  Every other value is written as it is.
 * manifest_prop sets attribute `name` of element `node` (an xmlNodePtr);
 * manifest_text_child adds an element `name` with `text` to `parent`.
 * 0 / the new element, or -1 / NULL when memory runs out. */
int manifest_prop(void *node, const char *name, const char *value);
void *manifest_text_child(void *parent, const char *name, const char *text);

/* Fill function for results_stage_file: doc (an xmlDocPtr) indented.
 * 0, or -1 on a write error (libxml2's own message kept quiet). */
int manifest_dump(FILE *f, const void *doc);

/* Write DIR/manifest.xml atomically.  Returns 0, or -1 with a diagnostic. */
int manifest_write(const char *dir, const struct cfg *c, const struct manifest_info *m, struct diag *d);
/* The same as one of several files staged to appear together. */
struct results_staged;
int manifest_stage(struct results_staged *s, const struct cfg *c, const struct manifest_info *m, struct diag *d);

#endif
