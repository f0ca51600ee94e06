/* graphio — graphs and message traces read from files, for the models
 * (models/ never touches CSV or XML itself).
 *
 * Three readers, each returning plain arrays:
 *  - edge lists and message traces, one row per line: CSV through libcsv
 *    (quoted fields allowed), or fields separated by white space as SNAP
 *    files are; lines starting with '#' and blank lines are skipped, an
 *    optional first header row too;
 *  - node labels ("node label" rows, e.g. a ground-truth community);
 *  - GraphML through libxml2, parsed like scenarios (XML_PARSE_NONET, never
 *    NOENT, DTDLOAD or HUGE; any DOCTYPE refused, so no entity, external or
 *    internal, is ever expanded).
 * Node ids of any form (strings) are interned: the first id seen is node 0,
 * the next new one node 1, ...; names[i] is node i's id as written.  Every
 * problem is a "FILE:LINE: message" in a struct diag; nothing is printed. */
#ifndef EXPOSIM_GRAPHIO_H
#define EXPOSIM_GRAPHIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"

enum graphio_format { GRAPHIO_AUTO, GRAPHIO_CSV, GRAPHIO_WHITESPACE };
enum graphio_third { GRAPHIO_NONE, GRAPHIO_WEIGHT, GRAPHIO_TIME };

/* Interned names: a string -> dense id map. */
struct graphio_names {
    char **name;                      /* name[i] of id i */
    uint32_t n, cap;
    uint32_t *slot;                   /* hash slots: id + 1, 0 empty */
    size_t nslot;                     /* power of 2 */
};

#define GRAPHIO_MAX_LINE (1 << 20)          /* bytes in one line of an edge list, trace or labels file */
#define GRAPHIO_MAX_GRAPHML ((size_t)1 << 30)   /* bytes of a GraphML file (read whole, then parsed) */
#define GRAPHIO_MAX_TIME ((int64_t)1 << 53)     /* |time| of a trace row, in seconds */

struct graphio_table {
    struct graphio_names nodes;
    uint32_t *u, *v;                  /* row i: u[i] -> v[i] (dense ids) */
    double *w;                        /* GRAPHIO_WEIGHT: the weight (1 when the row has none) */
    int64_t *t;                       /* GRAPHIO_TIME: the time */
    long *line;                       /* source line of row i */
    size_t n, cap;
    int has_weight;                   /* some row had a weight column */
    double weight_sum;                /* GRAPHIO_WEIGHT: the weights of the rows that are not self-loops
                                         (1 for a row without one), at most FLT_MAX */
    /* Labels (graphio_read_labels, or a GraphML node attribute): per node,
     * an id into `labels`, UINT32_MAX when the node has none. */
    uint32_t *label;
    struct graphio_names labels;
};

struct graphio_opts {
    enum graphio_format format;       /* AUTO: CSV when the first data line has a comma */
    int header;                       /* skip the first data row */
    enum graphio_third third;         /* what a third column holds */
};

void graphio_table_init(struct graphio_table *t);
void graphio_table_destroy(struct graphio_table *t);

/* Rows "src dst [third]".  GRAPHIO_WEIGHT: an optional number, 0 or from
 * FLT_MIN to FLT_MAX, the weights of the rows that are not self-loops
 * adding up to at most FLT_MAX (models keep them as floats); GRAPHIO_TIME:
 * a required integer (e.g. Unix seconds) of at most GRAPHIO_MAX_TIME
 * either side of 0.  Further columns are ignored.  A row with fewer than 2
 * fields, an empty id or a bad number is an error at its line; so is a
 * line longer than GRAPHIO_MAX_LINE or holding a NUL byte.  The file must
 * be a regular file (infile.h); running out of memory is an error, never
 * the end of the file.  Appends to t (so one table can collect a file's
 * rows after another's labels).  O(rows).  0, or -1 with diagnostics. */
int graphio_read_edges(const char *path, const struct graphio_opts *o, struct graphio_table *t,
                       struct diag *d);

/* Rows "node label" for nodes already in t (a node the edges do not name
 * is an error at its line; a node left without a label keeps none).  Fills
 * t->label and t->labels.  0, or -1 with diagnostics. */
int graphio_read_labels(const char *path, const struct graphio_opts *o, struct graphio_table *t,
                        struct diag *d);

/* GraphML: <node id> elements (interned in document order) and <edge
 * source target> elements (undirected and directed alike); the <data> whose
 * <key attr.name> is weight_attr (may be NULL) gives an edge's weight (as
 * for edge lists), the one whose key is label_attr (may be NULL) a node's
 * label.  A regular file of at most GRAPHIO_MAX_GRAPHML bytes, read whole
 * and checked by cfg_xml_precheck before it is parsed.  0, or -1 with
 * diagnostics. */
int graphio_read_graphml(const char *path, const char *weight_attr, const char *label_attr,
                         struct graphio_table *t, struct diag *d);

/* ---- writers, for `exposim generate` ------------------------------------ */

#define GRAPHIO_MAX_COLS 8

/* A graph to write, as plain arrays: CSR rows (sorted, symmetric), an
 * optional weight per directed entry, and per-node integer columns
 * (UINT32_MAX is written as an empty field / left out of GraphML). */
struct graphio_out {
    uint32_t n;
    const uint64_t *off;
    const uint32_t *adj;
    const float *weight;              /* may be NULL */
    size_t ncols;
    const char *col[GRAPHIO_MAX_COLS];
    const uint32_t *val[GRAPHIO_MAX_COLS];
    size_t nfcols;                    /* per-node real columns (NaN: empty / left out) */
    const char *fcol[GRAPHIO_MAX_COLS];
    const float *fval[GRAPHIO_MAX_COLS];
};

/* Fill functions for results_stage_file (ctx: a struct graphio_out *);
 * CSV through libcsv.  nodes.csv: id,degree,COLS...; edges.csv:
 * source,target[,weight], one row per undirected edge (source < target);
 * GraphML: undirected, keys for the columns and the weight.  0 or -1 (a
 * write error). */
int graphio_fill_nodes_csv(FILE *f, const void *ctx);
int graphio_fill_edges_csv(FILE *f, const void *ctx);
int graphio_fill_graphml(FILE *f, const void *ctx);

#endif
