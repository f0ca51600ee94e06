/* fuzz_graphio — libFuzzer target for the graph and trace importers
 * (`make fuzz`): the first byte picks a reader (edge list with weights,
 * trace with times, CSV or white space, with or without a header; labels
 * after an edge list; GraphML), the rest is the file.  A rejection must
 * come with a diagnostic, and a table that was read must be consistent
 * (every row's ids below the node count). */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "fuzz_files.h"
#include "graphio.h"

static char path[256], edges[256];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put(const char *p, const uint8_t *data, size_t size)
{
    FILE *f = fopen(p, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof path, "%s/f.dat", fuzz_root());
        snprintf(edges, sizeof edges, "%s/f.edges", fuzz_root());
        static const char e[] = "a,b\nb,c\nc,d\n";
        put(edges, (const uint8_t *)e, sizeof e - 1);
    }
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    put(path, data + 1, size - 1);
    struct graphio_table t;
    graphio_table_init(&t);
    struct diag d;
    diag_init(&d);
    struct graphio_opts o = { (enum graphio_format)(mode % 3), (mode >> 2) & 1,
                              (mode >> 3) & 1 ? GRAPHIO_TIME : GRAPHIO_WEIGHT };
    int rc;
    switch ((mode >> 4) % 3) {
    case 0:
        rc = graphio_read_edges(path, &o, &t, &d);
        break;
    case 1: {
        struct graphio_opts eo = { GRAPHIO_CSV, 0, GRAPHIO_WEIGHT };
        if (graphio_read_edges(edges, &eo, &t, &d))
            abort();
        rc = graphio_read_labels(path, &o, &t, &d);
        break;
    }
    default:
        rc = graphio_read_graphml(path, (mode >> 6) & 1 ? "weight" : NULL, (mode >> 7) & 1 ? "label" : NULL, &t,
                                  &d);
        break;
    }
    if (rc && d.n == 0 && d.dropped == 0) {
        fprintf(stderr, "rejected without a diagnostic\n");
        abort();
    }
    if (!rc)
        for (size_t i = 0; i < t.n; i++)
            if (t.u[i] >= t.nodes.n || t.v[i] >= t.nodes.n)
                abort();
    diag_destroy(&d);
    graphio_table_destroy(&t);
    xmlResetLastError();
    return 0;
}
