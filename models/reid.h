/* reid — re-identification of pseudonyms across key epochs: with a keyed
 * hash of the queried number, rotated every key epoch, the adversary links
 * each epoch's pseudonyms to the previous observed epoch's by their contact
 * neighbourhoods (interaction graphs re-identify people even after weeks:
 * Creţu et al., Nature Communications 2022), and the metrics say how many
 * links it makes and how many are right (docs/metrics.md). */
#ifndef EXPOSIM_REID_H
#define EXPOSIM_REID_H

#include <stdint.h>

#include "knowledge.h"

struct sim;
struct serverlog;

/* Pseudonyms of an epoch linked to one of the previous observed epoch. */
struct reid_counts {
    uint64_t linkable;                    /* pseudonyms whose person was seen the epoch before */
    uint64_t linked;                      /* pseudonyms linked */
    uint64_t correct;                     /* links to the same person */
};

/* Link the knowledge's pseudonymous records (knowledge_pseudonym) by their
 * contact neighbourhoods: a pseudonym's neighbourhood is the set of
 * queriers who looked it up in its epoch.  For each epoch after the first
 * observed, each pseudonym with at least two queriers is linked to the
 * previous observed epoch's pseudonym of highest Jaccard similarity (ties to
 * the lower pseudonym) when that similarity is at least 1/2; when the
 * records give device counts, only pseudonyms with the same count are
 * candidates (a count is a quasi-identifier that survives key rotation).
 * `person` gives the ground truth (the number behind a pseudonym) for
 * scoring only.  Sorts and deduplicates the records kept.  O(R log R +
 * links).  0 or -1 (OOM). */
int reid_link(struct knowledge *k, uint32_t (*person)(const void *ctx, uint32_t epoch, uint32_t pseudonym),
              const void *ctx, struct reid_counts *out);

/* The family's report after acquisition `acq` at `now` (seconds):
 * reid_share (pseudonyms linked, of those whose person was seen the
 * previous epoch) and reid_precision (links to the same person), the truth
 * read from the log's key (serverlog_unmask).  sim_fail on OOM. */
void reid_report(struct sim *s, uint32_t acq, int64_t now, struct knowledge *k, const struct serverlog *log);

#endif
