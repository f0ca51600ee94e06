/* enumeration — a third party sweeping the discovery API; see
 * enumeration.h. */
#include "enumeration.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "mix.h"
#include "numbers.h"
#include "rng.h"
#include "serverlog.h"
#include "sim.h"

#define ENUMERATION_TAG_PLAN 0x656e7031u      /* the plan's key ("enp1") */
#define ENUMERATION_TAG_DRAWS 0x656e6431u     /* uniform positions ("end1") */

int enumeration_configure(struct enumeration_params *p, struct cfg *c, const struct cfg_node *e, int64_t horizon)
{
    memset(p, 0, sizeof *p);
    if (!e)
        return 0;
    p->on = 1;
    long accounts = 0, per_day = 0, start = 0, days = 0;
    int rc = 0;
    rc |= cfg_long(c, e, "accounts", 1, &accounts);
    rc |= cfg_long(c, e, "lookups_per_day", 20000, &per_day);
    rc |= cfg_double(c, e, "space_factor", 10, &p->space_factor);
    rc |= cfg_long(c, e, "start_day", 0, &start);
    rc |= cfg_long(c, e, "days", 0, &days);
    if (rc)
        return -1;
    if (accounts < 1 || accounts > 1000000)
        rc = cfg_error(c, e, "accounts", "must be 1 to 1000000 (got %ld)", accounts);
    if (per_day < 1 || per_day > (long)ENUMERATION_MAX_PER_DAY)
        rc = cfg_error(c, e, "lookups_per_day", "must be 1 to 100000000 (got %ld)", per_day);
    else if (accounts >= 1 && (double)accounts * (double)per_day > ENUMERATION_MAX_PER_DAY)
        rc = cfg_error(c, e, "lookups_per_day", "%ld accounts x %ld lookups make more than 100000000 lookups "
                       "a day", accounts, per_day);
    if (!(p->space_factor >= 1 && p->space_factor <= 1000))
        rc = cfg_error(c, e, "space_factor", "must be 1 to 1000 (got %g)", p->space_factor);
    if (start < 0 || (int64_t)start * 86400 >= horizon)
        rc = cfg_error(c, e, "start_day", "the enumeration starts on day %ld, not before the horizon (day %lld)",
                       start, (long long)(horizon / 86400));
    p->accounts = (uint32_t)accounts;
    p->per_day = (uint32_t)per_day;
    p->random = strcmp(cfg_str(e, "order", "sweep"), "random") == 0;
    p->start = (int64_t)start * 86400;
    p->end = cfg_has(e, "days") ? p->start + (int64_t)days * 86400 : horizon;
    if (p->end > horizon)
        p->end = horizon;
    return rc;
}

void enumeration_destroy(struct enumeration *en)
{
    if (!en)
        return;
    free(en->found);
    gsl_rng_free(en->rng);
    memset(en, 0, sizeof *en);
}

/* A 4-round Feistel network on bits (even) bits: a bijection. */
static uint64_t feistel(const struct enumeration *en, uint64_t x)
{
    unsigned h = en->bits / 2;
    uint64_t mask = ((uint64_t)1 << h) - 1, l = x >> h, r = x & mask;
    for (int i = 0; i < 4; i++) {
        uint64_t f = mix_fmix64(r ^ en->key[i]) & mask;
        uint64_t nl = r;
        r = l ^ f;
        l = nl;
    }
    return l << h | r;
}

uint64_t enumeration_number(const struct enumeration *en, uint64_t position)
{
    uint64_t x = feistel(en, position);
    while (x >= en->space)                        /* cycle-walk back into the plan */
        x = feistel(en, x);
    return x;
}

int enumeration_init(struct enumeration *en, const struct enumeration_params *p, uint32_t numbers,
                     const uint8_t *flags, uint8_t client_bit, const struct dynamics *dyn, uint32_t structure_seed,
                     uint32_t events_seed)
{
    memset(en, 0, sizeof *en);
    en->p = p;
    en->numbers = numbers;
    en->flags = flags;
    en->client_bit = client_bit;
    en->dyn = dyn;
    double space = ceil(p->space_factor * numbers);
    en->space = space < NUMBERS_MAX_SPACE ? (uint64_t)space : NUMBERS_MAX_SPACE;
    if (en->space < numbers)
        en->space = numbers;
    en->bits = 2;
    while (((uint64_t)1 << en->bits) < en->space)
        en->bits += 2;
    gsl_rng *r = rng_substream_new(structure_seed, ENUMERATION_TAG_PLAN);
    en->rng = rng_substream_new(events_seed, ENUMERATION_TAG_DRAWS);
    en->found = calloc(((size_t)numbers + 63) / 64 + 1, sizeof *en->found);
    int rc = -1;
    if (!r || !en->rng || !en->found)
        goto out;
    for (int i = 0; i < 4; i++)
        en->key[i] = (uint64_t)gsl_rng_get(r) << 32 | gsl_rng_get(r);
    for (uint32_t x = 0; x < numbers; x++)
        en->users += (flags[x] & client_bit) != 0;
    rc = 0;
out:
    gsl_rng_free(r);
    if (rc)
        enumeration_destroy(en);
    return rc;
}

int enumeration_slice(struct enumeration *en, struct batch *b, int64_t start, int64_t end)
{
    const struct enumeration_params *p = en->p;
    int64_t lo = start > p->start ? start : p->start, hi = end < p->end ? end : p->end;
    if (lo >= hi)
        return 0;
    /* a day's lookups, evenly spaced over [day, day + 1 day), those of the slice */
    uint64_t k = (uint64_t)p->accounts * p->per_day;
    for (uint64_t i = 0; i < k; i++) {
        int64_t t = start + (int64_t)(i * 86400 / k);
        if (t < lo)
            continue;
        if (t >= hi)
            break;
        uint64_t pos;
        if (p->random) {
            pos = rng_below(en->rng, (uint32_t)en->space);       /* (space <= NUMBERS_MAX_SPACE < 2^32) */
        } else {
            if (en->next >= en->space)
                break;                            /* the plan is swept */
            pos = en->next++;
        }
        if (batch_add(b, (uint32_t)t, ENUMERATION_EV_LOOKUP, (uint32_t)(i % p->accounts), (uint32_t)pos))
            return -1;
    }
    return 0;
}

void enumeration_lookup(struct enumeration *en, uint32_t account, uint32_t position, uint32_t t, uint32_t *querier,
                        uint32_t *queried)
{
    uint32_t x = (uint32_t)enumeration_number(en, position);
    en->lookups++;
    if (x < en->numbers && (en->flags[x] & en->client_bit) && (!en->dyn || dynamics_active(en->dyn, x, t))
        && !((en->found[x >> 6] >> (x & 63)) & 1)) {
        en->found[x >> 6] |= 1ull << (x & 63);    /* registered: the server says so */
        en->found_n++;
    }
    *querier = NUMBERS_ACCOUNT_BASE + account;
    *queried = x;
}

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : NAN; }

void enumeration_report(struct enumeration *en, struct sim *s, uint32_t acq, int64_t now, const uint64_t *outside,
                        size_t n, const struct knowledge *k)
{
    for (size_t i = 0; i < n; i++)
        en->acquired += numbers_is_account((uint32_t)(outside[i] >> 32));
    double day = (double)now / 86400.0;
    sim_metric(s, acq, day, "enumeration_coverage", ratio(en->found_n, en->users));
    sim_metric(s, acq, day, "enumeration_lookups", (double)en->lookups);
    sim_metric(s, acq, day, "enumeration_records_acquired", (double)en->acquired);
    sim_metric(s, acq, day, "enumeration_acquired_share", ratio(en->acquired, k->records));
}

void enumeration_describe(const struct enumeration *en, FILE *f)
{
    const struct enumeration_params *p = en->p;
    fprintf(f, "enumeration: a plan of %llu numbers (%u in use, %llu users), %u accounts x %u lookups a day, "
            "days %lld to %lld\n", (unsigned long long)en->space, en->numbers, (unsigned long long)en->users,
            p->accounts, p->per_day, (long long)(p->start / 86400), (long long)(p->end / 86400));
}
