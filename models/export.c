/* export — the generated world's summary and files; see export.h. */
#include "export.h"

#include <stdlib.h>

#include "graphio.h"
#include "results.h"

void export_describe(FILE *stream, const struct population *pop, const struct population_params *pp,
                     const struct contacts *ct, const struct contacts_params *cp)
{
    const struct graph *g = &ct->g;
    fprintf(stream, "population: N = %u, %u clients (%.1f%%), %u workers", pop->n, pop->clients,
            100.0 * pop->clients / pop->n, pop->workers);
    if (pp->vpn_share > 0)
        fprintf(stream, ", %u on a VPN", pop->vpns);
    if (pop->region)
        fprintf(stream, ", %u region%s (homes and work places drawn)", pp->nregions,
                pp->nregions == 1 ? "" : "s");
    fprintf(stream, "\n");
    struct graph_stats st;
    if (graph_stats(g, &st)) {
        fprintf(stream, "contacts: %llu edges (out of memory for the statistics)\n",
                (unsigned long long)g->m);
        return;
    }
    fprintf(stream, "contacts (%s): %llu edges, mean degree %.3f, max %u, %u without contacts\n",
            contacts_kind_name(cp->kind), (unsigned long long)g->m, st.mean_degree,
            st.max_degree, st.isolated);
    fprintf(stream, "  clustering %.4f (transitivity %.4f), %u components, largest %u (%.1f%%)\n",
            st.avg_clustering, st.transitivity, st.components, st.largest_component,
            100.0 * st.largest_component / g->n);
    if (ct->self_loops || ct->duplicates)
        fprintf(stream, "  built as a simple graph: %llu self-loops erased, %llu repeated pairs merged\n",
                (unsigned long long)ct->self_loops, (unsigned long long)ct->duplicates);
    if (cp->file) {
        fprintf(stream, "  read from a file: %u people named, %zu rows%s", cp->file->nodes.n, cp->file->n,
                cp->file->has_weight ? ", with weights" : "");
        if (cp->file->label)
            fprintf(stream, ", %u communities labelled", cp->file->labels.n);
        fprintf(stream, "\n");
    }
    if (cp->kind == CONTACTS_TRACE)
        fprintf(stream, "  trace: %zu messages replayed, second 0 = unix time %lld; not replayed: %zu before "
                "it, %zu at or after the horizon, %zu to the sender itself\n", cp->trace.n,
                (long long)cp->trace.start_unix, cp->trace.before, cp->trace.after, cp->trace.self);
    if (ct->odd_fixed)
        fprintf(stream, "  the degree sum was odd: person %llu's degree was changed by 1 to make it even\n",
                (unsigned long long)(ct->odd_fixed - 1));
}

int export_world(const struct population *pop, const struct contacts *ct, int weighted, void *staged,
                 int graphml, struct diag *d)
{
    const struct graph *g = &ct->g;
    uint32_t *client = malloc(((size_t)g->n ? g->n : 1) * sizeof *client);
    uint32_t *worker = malloc(((size_t)g->n ? g->n : 1) * sizeof *worker);
    uint32_t *vpn = malloc(((size_t)g->n ? g->n : 1) * sizeof *vpn);
    int rc = -1;
    if (!client || !worker || !vpn) {
        diag_add(d, NULL, 0, "out of memory");
        goto cleanup;
    }
    for (uint32_t a = 0; a < g->n; a++) {
        client[a] = (pop->flags[a] & POPULATION_CLIENT) != 0;
        worker[a] = (pop->flags[a] & POPULATION_WORKER) != 0;
        vpn[a] = (pop->flags[a] & POPULATION_VPN) != 0;
    }
    struct graphio_out out = { .n = g->n, .off = g->off, .adj = g->adj,
                               .weight = weighted ? ct->weight : NULL,
                               .ncols = 3, .col = { "client", "worker", "vpn" }, .val = { client, worker, vpn } };
    if (ct->labels) {
        out.col[out.ncols] = "community";
        out.val[out.ncols++] = ct->labels;
    }
    if (pop->region) {
        out.col[out.ncols] = "region";
        out.val[out.ncols++] = pop->region;
        out.nfcols = 4;
        out.fcol[0] = "home_lat", out.fval[0] = pop->home_lat;
        out.fcol[1] = "home_lon", out.fval[1] = pop->home_lon;
        out.fcol[2] = "work_lat", out.fval[2] = pop->work_lat;
        out.fcol[3] = "work_lon", out.fval[3] = pop->work_lon;
    }
    struct results_staged *st = staged;
    if (results_stage_file(st, "population.csv", graphio_fill_nodes_csv, &out, d)
        || results_stage_file(st, "edges.csv", graphio_fill_edges_csv, &out, d)
        || (graphml && results_stage_file(st, "graph.graphml", graphio_fill_graphml, &out, d)))
        goto cleanup;
    rc = 0;
cleanup:
    free(client);
    free(worker);
    free(vpn);
    return rc;
}
