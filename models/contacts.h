/* contacts — the contact graph's generators (Erdős–Rényi, Barabási–Albert,
 * Watts–Strogatz, stochastic block model, layered population,
 * configuration model), graphs and traces imported through sim/graphio,
 * the scenario's <contacts> element, and tie strengths.  The graph itself
 * (storage and statistics) is graph.h's. */
#ifndef EXPOSIM_CONTACTS_H
#define EXPOSIM_CONTACTS_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "cfg.h"
#include "graph.h"
#include "graphio.h"

/* Erdős–Rényi G(n, p), p = mean_degree / (n - 1), 0 < mean_degree <= n - 1,
 * by geometric skipping over the pairs (Batagelj & Brandes, Phys. Rev. E 71,
 * 036113, 2005): O(n + m) time, one draw per edge.  Returns 0, or -1 (OOM). */
int contacts_erdos_renyi(struct graph *g, uint32_t n, double mean_degree, gsl_rng *r);
/* contacts_erdos_renyi's build, without an edge list: the pairs are drawn
 * twice (a clone of r counts the degrees, then r fills the rows), so the
 * peak is the graph itself (8 bytes a person, 4 a directed entry) and two
 * blocks of staged pairs (16 bytes a pair, CONTACTS_ER_BLOCK at most, no
 * more than n) instead of the graph and 8 bytes an edge more.  Each pair's
 * earlier end is written a block at a time, grouped by person (contacts.c,
 * struct er_defer), not by one random write each; every row comes out
 * sorted.  At N = 10^6 and degree 20 it takes 0.58 s and 103 MiB, the
 * edge-list build 0.81 s and 172 MiB (the same graph). */
#define CONTACTS_ER_BLOCK ((size_t)1 << 22)
int contacts_erdos_renyi_rows(struct graph *g, uint32_t n, double mean_degree, gsl_rng *r);
/* The same graph from the same draws through an edge list (graph_from_edges):
 * the reference the tests hold the row build to. */
int contacts_erdos_renyi_list(struct graph *g, uint32_t n, double mean_degree, gsl_rng *r);

/* Barabási–Albert preferential attachment: people 0..m form a clique, then
 * each later person v joins with m edges to m distinct earlier people, each
 * chosen with probability proportional to its degree (a uniform endpoint of
 * the edges so far, redrawn if already chosen by v).  1 <= m < n.  Degree
 * tail P(K >= k) = m(m+1)/(k(k+1)) (exponent 3), mean degree about 2m.
 * O(n m) time (Batagelj & Brandes' edge-endpoint array).  0 or -1 (OOM). */
int contacts_barabasi_albert(struct graph *g, uint32_t n, uint32_t m, gsl_rng *r);

/* Watts–Strogatz: a ring where each person is joined to the k/2 nearest on
 * each side (k even, 2 <= k < n), then each ring edge (i, i+j) is rewired
 * with probability beta in [0, 1]: its far end becomes a uniform person other
 * than i.  A rewired edge that repeats a contact is merged (counted in
 * *duplicates; about beta k^2 / 2 of them in all).  O(n k).  0 or -1. */
int contacts_watts_strogatz(struct graph *g, uint32_t n, uint32_t k, double beta, gsl_rng *r,
                            uint64_t *duplicates);

/* Stochastic block model: `blocks` equal blocks (person i in block
 * floor(i blocks / n)); a pair in one block is a contact with probability
 * p_in, a pair across blocks with p_out (both in [0, 1]).  *labels (n
 * entries, malloc'd, caller frees) gets each person's block.  O(n + m +
 * blocks) time: geometric skipping within each block, and over all pairs at
 * p_out skipping the within-block ones.  0 or -1 (OOM). */
int contacts_sbm(struct graph *g, uint32_t n, uint32_t blocks, double p_in, double p_out,
                 gsl_rng *r, uint32_t **labels);

/* Layered population (households, workplaces, community), as synthetic
 * population tools build them:
 *  - households: consecutive ids in households of size 1 + Poisson(h - 1)
 *    (the last one cut at n), each a clique;
 *  - workplaces: the people with flags[i] & worker_bit (flags NULL: nobody), shuffled,
 *    in workplaces of size 1 + Poisson(w - 1); within a workplace of size s
 *    each pair is a contact with probability min(1, work_degree / (s - 1));
 *  - community: G(n, p) with p = community_degree / (n - 1).
 * A pair in more than one layer is one contact (counted in *merged).
 * h >= 1, w >= 1, degrees >= 0.  *labels gets each person's household.
 * O(n + m).  0 or -1 (OOM). */
struct contacts_layered {
    double household_mean, workplace_mean, work_degree, community_degree;
};
int contacts_layered(struct graph *g, uint32_t n, const struct contacts_layered *lp,
                     const uint8_t *flags, uint8_t worker_bit, gsl_rng *r, uint32_t **labels,
                     uint64_t *merged);

/* Configuration model with a power-law degree sequence: degrees i.i.d. with
 * P(k) proportional to k^-exponent on [kmin, kmax] (1 <= kmin <= kmax < n),
 * drawn by inversion; an odd degree sum is made even by raising one uniform
 * person's degree by 1 (lowering it when it is at kmax) and *odd_fixed gets
 * that person's id + 1 (0: the sum was even).  Stubs are paired by a uniform
 * shuffle, then self-loops and repeated pairs are erased (the "erased
 * configuration model", Britton, Deijfen & Martin-Löf, J. Stat. Phys. 124,
 * 2006), counted in *self_loops and *duplicates.  O(n + sum of degrees) time,
 * 4 bytes per stub.  0 or -1 (OOM). */
int contacts_configuration(struct graph *g, uint32_t n, double exponent, uint32_t kmin,
                           uint32_t kmax, gsl_rng *r, uint64_t *odd_fixed,
                           uint64_t *self_loops, uint64_t *duplicates);
/* The expected degree of that law: sum k^(1-a) / sum k^-a over [kmin, kmax]. */
double contacts_powerlaw_mean(double exponent, uint32_t kmin, uint32_t kmax);


/* ---- the scenario's <contacts> element ----------------------------------- */

enum contacts_kind {
    CONTACTS_ERDOS_RENYI, CONTACTS_BARABASI_ALBERT, CONTACTS_WATTS_STROGATZ,
    CONTACTS_SBM, CONTACTS_LAYERED, CONTACTS_CONFIGURATION,
    CONTACTS_EDGE_LIST, CONTACTS_GRAPHML, CONTACTS_TRACE      /* read from a file */
};

/* A message trace, sorted by time (ties in file order): message i is a ->
 * b at second t[i] of the run. */
struct contacts_trace {
    uint32_t *a, *b, *t;
    size_t n;
    int64_t start_unix;                   /* file time of second 0 */
    size_t before, after, self;           /* dropped: before start, at or after the horizon, self */
};

struct contacts_params {
    enum contacts_kind kind;
    uint32_t n;
    double mean_degree;                   /* erdos_renyi */
    uint32_t m;                           /* barabasi_albert */
    uint32_t k;                           /* watts_strogatz */
    double beta;
    uint32_t blocks;                      /* stochastic_block */
    double p_in, p_out;
    struct contacts_layered layered;      /* layered */
    double exponent;                      /* configuration */
    uint32_t kmin, kmax;
    struct graphio_table *file;           /* edge_list, graphml, trace: the rows read */
    struct contacts_trace trace;          /* trace: the messages to replay */
};

/* One replication's contact graph and what its generation reported. */
struct contacts {
    struct graph g;
    uint32_t *labels;                     /* true community per person, or NULL */
    float *weight;                        /* tie strength per directed entry, or NULL */
    uint64_t self_loops, duplicates;      /* erased / merged while building */
    uint64_t odd_fixed;                   /* configuration: person id + 1 whose degree was fixed */
    int file_weights;                     /* weight[] holds the file's weights */
};

/* Read the generator under <contacts> for n people.  0, or -1 with
 * diagnostics (FILE:LINE through cfg_error) for parameters that admit no
 * graph.  An imported file is read here, once (relative paths are from the
 * scenario's directory); horizon bounds a trace.  Free with
 * contacts_params_destroy. */
int contacts_configure(struct contacts_params *p, struct cfg *c, const struct cfg_node *contacts,
                       uint32_t n, int64_t horizon);
void contacts_params_destroy(struct contacts_params *p);
/* Generate.  Person a is a worker iff flags[a] & worker_bit (layered only;
 * flags may be NULL: no workers).  0 or -1 (OOM). */
int contacts_generate(struct contacts *out, const struct contacts_params *p,
                      const uint8_t *flags, uint8_t worker_bit, gsl_rng *r);
void contacts_destroy(struct contacts *c);
/* Lognormal tie strengths: each edge gets w = mean exp(sigma Z - sigma^2/2),
 * Z standard normal (so E w = mean), the same in both directions, drawn in
 * order of the edges (a, b), a < b, by a then b.  Allocates c->weight (4
 * bytes per directed entry).  O(m log deg).  0 or -1 (OOM). */
int contacts_tie_lognormal(struct contacts *c, double mean, double sigma, gsl_rng *r);
/* Tie strengths from an imported file's weights: the weights of every row
 * naming a pair (either direction) are summed, then scaled so that their
 * mean over the edges is `mean`.  Needs c->weight from contacts_generate of
 * a file with weights.  O(m).  0, or -1 when the weights are all 0. */
int contacts_tie_file(struct contacts *c, double mean);
/* The generator's element name. */
const char *contacts_kind_name(enum contacts_kind kind);
/* Which graphs carry true communities: the number of labels (blocks) when
 * known from the parameters, 0 when the graph has labels whose number is
 * known only once it is built (layered: households; an import: its labels
 * file, if any), -1 when it has none. */
int64_t contacts_communities(const struct contacts_params *p);

#endif
