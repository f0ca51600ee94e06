/* addressbook — address books and contact discovery (the scenario's
 * <address_book>): a graph of address-book entries apart from the
 * conversation graph, the syncs that look whole books up, and what the
 * adversary rebuilds of each graph.
 *
 * Books.  Each person's book holds each of their conversation contacts of
 * time 0 with probability conversation_share (one draw per tie: both ends
 * keep it or neither), and weaker and stale entries up to a target size
 * drawn from a lognormal law of mean size_mean and shape size_sigma: the
 * missing e_a entries are drawn as pairs, a drawing e_a / 2 partners (the
 * half rounded at random) with probability proportional to the partners'
 * own e (Chung and Lu's expected-degree law, so each book's extra entries
 * number e_a on average: half drawn, half drawn by others), so books are
 * mutual.  A person who changes number (dynamics.h) takes their book to
 * the new number, while the others' books keep the old one (stale).  The
 * extra entries are uniform in the population (no structure beyond the
 * conversation ties), and clients and SMS-only people alike.
 *
 * The world's truth graph.  The union of the conversation graph and the
 * books, one CSR on all numbers, with three bits per directed entry (x, y):
 * conv (x - y is a conversation tie of the run), own (y is in the book x's
 * owner holds) and pair (x - y is in a book, either way).  The knowledge
 * stores what the adversary finds against it (one bit per entry), so an
 * address-book entry costs 4 bytes and 4 bits per direction, no heap
 * object: at N = 10^6 and books of 200, about 1 GB.
 *
 * Syncs.  A client's app looks up its whole book (its own entries) at once:
 * every period (a phase uniform in the period per client, drawn from the
 * events substream), on a new device (traffic@device_changes_per_year,
 * device_sync), on joining (dynamics join_share, install_sync), and on each
 * edit of the book (a Poisson process of edits_per_year per client, at
 * uniform times): the edited entry alone (edit_sync="entry") or the whole
 * book ("full").  The server answers with the entries registered (clients
 * whose number is in use), and its log keeps, per the `log` attribute,
 * every number looked up ("each"), the registered ones ("registered") or
 * one record per sync that names no number ("batch").  The log cannot tell
 * a sync's records from a conversation's: a sync reveals the book, a
 * conversation start the conversation graph.
 *
 * Report after each acquisition (docs/metrics.md): book_recall (book pairs
 * found / book pairs), conversation_recall (conversation ties found /
 * conversation ties), conversation_precision (conversation ties found /
 * pairs found: what Apple's caveat that "these query logs don't ... prove
 * that any communication actually took place" is worth), sync_lookups
 * (numbers the syncs have looked up so far). */
#ifndef EXPOSIM_ADDRESSBOOK_H
#define EXPOSIM_ADDRESSBOOK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "batch.h"
#include "dynamics.h"
#include "graph.h"
#include "knowledge.h"

#define ADDRESSBOOK_EV_SYNC 16u           /* a = person, b = ADDRESSBOOK_FULL or the edited entry's rank */
#define ADDRESSBOOK_FULL UINT32_MAX

enum addressbook_log { ADDRESSBOOK_LOG_EACH, ADDRESSBOOK_LOG_REGISTERED, ADDRESSBOOK_LOG_BATCH };

/* The <address_book> element. */
struct addressbook_params {
    int on;
    double size_mean, size_sigma;         /* lognormal book sizes */
    double conversation_share;            /* share of conversation ties in the books */
    uint32_t period;                      /* seconds between a client's periodic syncs (whole days); 0 none */
    int device_sync, install_sync;        /* sync on a new device, on joining */
    double edits_per_day;                 /* per client */
    int edit_full;                        /* an edit syncs the whole book */
    enum addressbook_log log;
};

struct addressbook {
    const struct addressbook_params *p;
    struct graph u;                       /* conversation ties and book entries, on all numbers */
    uint64_t *conv, *own, *pair;          /* bits per entry of u (above) */
    uint32_t *size;                       /* per number: entries of its book (own) */
    uint64_t conv_pairs, book_pairs;      /* undirected pairs of each class */
    uint32_t people;                      /* N (numbers beyond are later numbers) */
    const uint8_t *flags;                 /* per number: population flags */
    uint8_t client_bit;
    const struct dynamics *dyn;           /* presence and numbers, or NULL */
    uint32_t *clients, nclients;          /* the clients by the day of their sync phase */
    uint32_t *phase_off;                  /* per day of the period: where its clients start */
    uint32_t *phase;                      /* per person: seconds into the period of its syncs */
    uint32_t period_days;
    uint32_t *installs;                   /* joining clients by join time (install syncs) */
    size_t ninstalls, next_install;
    gsl_rng *events;                      /* phases and edits */
    uint32_t *buf;                        /* a sync's records: time, querier, queried */
    size_t bufcap;
    uint64_t syncs, lookups;
};

struct cfg;
struct cfg_node;
/* Read <address_book> (e may be NULL: off).  0, or -1 with diagnostics. */
int addressbook_configure(struct addressbook_params *p, struct cfg *c, const struct cfg_node *e);

/* Build the books over the conversation graph `conv` (on all numbers;
 * with dyn, its ties of time 0 are those born at 0) and the world's truth
 * graph b->u, then the sync schedule.  flags: population flags per number
 * (who is a client: client_bit); people: N.  Structure from the substream
 * of structure_seed, phases and edits from that of events_seed (rng.h).
 * O(N + entries log(book size)) time; the peak is the union's size plus
 * 8 bytes a person.  0 or -1 (OOM). */
int addressbook_init(struct addressbook *b, const struct addressbook_params *p, const struct graph *conv,
                     const struct dynamics *dyn, const uint8_t *flags, uint8_t client_bit, uint32_t people,
                     uint32_t structure_seed, uint32_t events_seed);
void addressbook_destroy(struct addressbook *b);

/* Add the slice's syncs (periodic, installs, edits) to the batch.  0 or -1. */
int addressbook_slice(struct addressbook *b, struct batch *bt, int64_t start, int64_t end);

/* Person a's sync at t of its whole book (what = ADDRESSBOOK_FULL) or of
 * the what-th entry of it: the records the server logs, as *n triples
 * (time, querier, queried) at the returned array (valid until the next
 * call), under the log policy; nothing when a is not a client or not
 * present.  O(book size).  NULL on OOM (with *n = 0). */
const uint32_t *addressbook_sync(struct addressbook *b, uint32_t a, uint32_t t, uint32_t what, size_t *n);
/* A new device for number x at t: its person's full sync when device_sync
 * is on (*n = 0 otherwise).  As addressbook_sync. */
const uint32_t *addressbook_device(struct addressbook *b, uint32_t x, uint32_t t, size_t *n);

struct sim;
/* The family's report after acquisition acq at now; k's truth is b->u. */
void addressbook_report(const struct addressbook *b, struct sim *s, uint32_t acq, int64_t now,
                        const struct knowledge *k);
void addressbook_describe(const struct addressbook *b, FILE *f);

#endif
