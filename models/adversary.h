/* adversary — how the logs are obtained: a list of acquisition strategies
 * acting in one run.  This version has the bulk snapshot: every P days from
 * a start day, the whole retained log.  Each acquisition feeds the
 * knowledge (inference.h), extends the covered time, and triggers a metrics
 * report. */
#ifndef EXPOSIM_ADVERSARY_H
#define EXPOSIM_ADVERSARY_H

#include <stddef.h>
#include <stdint.h>

#include "inference.h"
#include "metrics.h"
#include "serverlog.h"

struct sim;
struct cfg;
struct cfg_node;

#define ADVERSARY_EV_ACQUIRE 2u

enum adversary_kind { ADVERSARY_BULK };

struct adversary_strategy {
    enum adversary_kind kind;
    int64_t period, start;                /* seconds */
};

struct adversary_params {
    struct adversary_strategy *s;
    size_t n;
};

struct adversary {
    const struct adversary_params *p;
    uint32_t acquisitions;
    struct coverage covered;
};

/* Read the <adversary> element; checks the first acquisition is not after
 * the horizon.  Returns 0 or -1 with diagnostics. */
int adversary_configure(struct adversary_params *p, struct cfg *c, const struct cfg_node *node,
                        int64_t horizon);
void adversary_params_free(struct adversary_params *p);

void adversary_init(struct adversary *a, const struct adversary_params *p);
void adversary_destroy(struct adversary *a);
/* Schedule every strategy's first acquisition. */
int adversary_start(struct adversary *a, struct sim *s);
/* Handle ADVERSARY_EV_ACQUIRE for strategy `which` at the current time. */
int adversary_acquire(struct adversary *a, struct sim *s, uint32_t which,
                      struct serverlog *log, struct knowledge *k);

#endif
