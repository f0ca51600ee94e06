/* community — community detection on the rebuilt graph and the comparison
 * of two partitions.  The only file that includes igraph: the rest of the
 * code passes plain arrays.
 *
 * igraph draws from its own global generator (igraph_rng_default()); each
 * call here seeds it with the caller's seed first, so a result depends on
 * the inputs and the seed only (replications run one after another in a
 * process, and a sweep's parallel runs are processes, so nothing races for
 * that generator). */
#ifndef EXPOSIM_COMMUNITY_H
#define EXPOSIM_COMMUNITY_H

#include <stdint.h>

/* Leiden (Traag, Waltman & van Eck, Sci. Rep. 9, 5233, 2019) with the
 * modularity objective, through igraph_community_leiden: node weights are
 * the degrees and the resolution 1/(2m), which turns igraph's CPM quality
 * into modularity; beta 0.01; two iterations.  The graph has n nodes and
 * the m undirected edges {edges[2i], edges[2i+1]} (no self-loops or
 * repeats).  membership (n entries) is the start partition when warm is
 * nonzero (labels < n, e.g. a previous result), and gets the result:
 * labels 0 .. *ncomm - 1; a node without edges is a community of its own.
 * With m = 0 every node is its own community and igraph is not called.
 * Cost: igraph's Leiden, about linear in m per iteration (seconds to tens
 * of seconds at m = 10^7, see `make bench`), plus 32 bytes per edge of
 * igraph's graph.  Returns 0, or -1 (out of memory or an igraph error). */
int community_leiden(uint32_t n, const uint32_t *edges, uint64_t m, uint32_t seed, int warm,
                     uint32_t *membership, uint32_t *ncomm);

/* Normalised mutual information of two partitions of n nodes (labels any
 * uint32), as igraph_compare_communities(IGRAPH_COMMCMP_NMI) computes it:
 * 2 I(a; b) / (H(a) + H(b)) (Danon et al., J. Stat. Mech. 2005, P09008),
 * 1 when both are the one-community partition.  Labels need not be dense
 * (they are ranked first).  O(n log n).  Returns the value, or NaN on an
 * error (out of memory). */
double community_nmi(uint32_t n, const uint32_t *a, const uint32_t *b);

#endif
