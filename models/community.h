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

/* Communities of maximal modularity, in two stages:
 *  1. Louvain's local moving (Blondel et al., J. Stat. Mech. 2008, P10008)
 *     on 32-bit adjacency rows, people in id order, from the partition in
 *     membership (warm nonzero: labels < n, e.g. a previous result) or from
 *     singletons; after the first sweep only people next to a move are
 *     visited; no randomness.  Each community is then split into its
 *     connected parts.
 *  2. igraph's Leiden (Traag, Waltman & van Eck, Sci. Rep. 9, 5233, 2019;
 *     igraph_community_leiden) on the graph of those parts, edge weights =
 *     edges between parts, node weights = the parts' degree sums,
 *     resolution 1/(2m): igraph's CPM quality with these weights is
 *     modularity (the edges inside a part are a constant); beta 0.01, two
 *     iterations, igraph's generator seeded with `seed`.
 * Why not Leiden on the whole graph: igraph 0.10.2's Leiden visits people
 * in random order through edge ids, a few cache misses per adjacency
 * entry; on 10^6 people and 10^7 edges it takes 35-40 s here, against
 * about 3.5 s for the two stages from singletons and 0.5 s from the
 * previous partition (NMI against the 1000 true blocks of the bench's
 * SBM: 0.998, against 0.997 for igraph's Leiden alone).  The price: Leiden's refinement cannot split a part, so the
 * guarantee that communities are well connected holds for the parts'
 * graph; the parts themselves are only connected.
 * The graph has n nodes and the m undirected edges {edges[2i],
 * edges[2i+1]} (no self-loops or repeats).  membership (n entries) gets
 * the result: labels 0 .. *ncomm - 1.  With m = 0 every node is its own
 * community and igraph is not called.  Cost: O(m) per local-moving sweep
 * (at most 16) and for the parts, igraph on the parts' graph; memory 12
 * bytes per edge and about 40 per node.  Returns 0, or -1 (out of memory
 * or an igraph error). */
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
