/* estimate — the expected cost of a replication, family by family
 * (estimate.h).  Sizes are those each family's header documents; the
 * comments name the structure behind each term. */
#include <math.h>
#include <string.h>

#include "estimate.h"
#include "location.h"

static double min2(double a, double b) { return a < b ? a : b; }
static double max2(double a, double b) { return a > b ? a : b; }

void estimate_begin(struct estimate *e, const struct sim_run_params *run)
{
    memset(e, 0, sizeof *e);
    e->days = (double)run->horizon / 86400.0;
    e->peak_factor = 1;
    e->sampling = 1;
}

void estimate_population(struct estimate *e, const struct population_params *p)
{
    e->people = e->numbers = p->n;
    e->clients = p->n * p->client_share;
    /* flags; region, home and work points with regions; device counts */
    e->bytes_run += p->n * (1.0 + (p->nregions ? 20.0 : 0) + (p->devices_mean > 1 ? 1.0 : 0));
}

/* The expected degree of the generated graph, per generator. */
static double mean_degree(const struct contacts_params *p, const struct population_params *pop)
{
    double n = p->n;
    switch (p->kind) {
    case CONTACTS_ERDOS_RENYI:
        return p->mean_degree;
    case CONTACTS_BARABASI_ALBERT:
        return 2.0 * p->m;
    case CONTACTS_WATTS_STROGATZ:
        return p->k;
    case CONTACTS_SBM: {
        double b = n / p->blocks;
        return p->p_in * (b - 1) + p->p_out * (n - b);
    }
    case CONTACTS_LAYERED: {
        /* a household of 1 + Poisson(h - 1): a member's housemates are
         * (mu^2 + 2 mu) / (1 + mu) on average (size-biased) */
        double mu = p->layered.household_mean - 1;
        return (mu * mu + 2 * mu) / (1 + mu) + pop->worker_share * p->layered.work_degree
               + p->layered.community_degree;
    }
    case CONTACTS_CONFIGURATION:
        return contacts_powerlaw_mean(p->exponent, p->kmin, p->kmax);
    default:                              /* read from a file: at most a tie a row */
        return n > 0 && p->file ? 2.0 * (double)p->file->n / n : 0;
    }
}

void estimate_contacts(struct estimate *e, const struct contacts_params *p, const struct population_params *pop)
{
    double n = p->n;
    e->entries = e->truth_entries = n * mean_degree(p, pop);
    e->labels = p->kind == CONTACTS_SBM || p->kind == CONTACTS_LAYERED
                || ((p->kind == CONTACTS_EDGE_LIST || p->kind == CONTACTS_GRAPHML) && p->file
                    && p->file->label);
    /* the CSR (graph.h): 8 bytes a person, 4 a directed entry; community
     * labels 4 a person */
    e->bytes_run += 8 * (n + 1) + 4 * e->entries + (e->labels ? 4 * n : 0);
    /* while building: the edge list (8 bytes a tie, reserved at the
     * expected count; a quarter more where it grows) and the CSR's cursor;
     * an Erdős–Rényi graph is built without either (contacts.h), with two
     * blocks of staged pairs instead (16 bytes a pair, at most 64 MiB) */
    if (p->kind != CONTACTS_ERDOS_RENYI)
        e->bytes_build += 5 * e->entries + 8 * n;
    else
        e->bytes_build += 16.0 * (n < CONTACTS_ER_BLOCK ? n : CONTACTS_ER_BLOCK);
    if (p->file)                          /* the rows read: ids, weight, time, line */
        e->bytes_run += (double)p->file->n * (4 + 4 + 8 + 8 + 8);
    if (p->kind == CONTACTS_TRACE)        /* the messages to replay: 12 bytes each */
        e->bytes_run += 12.0 * (double)p->trace.n;
}

void estimate_dynamics(struct estimate *e, const struct dynamics_params *p)
{
    if (!p->on)
        return;
    /* ties end at the larger rate and as many are born (births balanced):
     * every tie of the run, 12 bytes a directed entry (dynamics.h) */
    double ends = max2(p->end_per_day, p->within_end_per_day) * e->days;
    double all = e->entries * (1 + (p->births ? ends : 0));
    double numbers = e->people * (1 + p->renumber_per_day * e->days + p->join_share);
    e->bytes_run += 12 * all + 8 * (numbers + 1) + e->people * 16 + numbers * 9 + all / 8;
    e->bytes_build += 5 * all;
    e->entries = e->truth_entries = all;
    e->numbers = numbers;
}

void estimate_addressbook(struct estimate *e, const struct addressbook_params *p)
{
    if (!p->on)
        return;
    /* The union of the conversation ties and the books (mutual entries of
     * size_mean a book): 4 bytes and 3 bits a directed entry, 8 a number,
     * 16 a person (size, phase, the clients by phase, installs). */
    double u = e->entries + e->numbers * p->size_mean;
    e->bytes_run += u * (4 + 3.0 / 8) + 8 * (e->numbers + 1) + 16 * e->people;
    e->bytes_build += 5 * u;
    e->truth_entries = u;
    /* Syncs: every period, and on each edit (the entry, or the book).  A
     * sync of the book logs each number ("each", at most as many for
     * "registered") or one record ("batch"). */
    double book = p->log == ADDRESSBOOK_LOG_BATCH ? 1 : p->size_mean;
    double per_client = (p->period ? 86400.0 / p->period : 0) * book
                        + p->edits_per_day * (p->edit_full ? book : 1);
    double syncs = (p->period ? 86400.0 / p->period : 0) + p->edits_per_day;
    e->lookups_day += e->clients * per_client;
    e->events_day += e->clients * syncs;
    if (p->log == ADDRESSBOOK_LOG_BATCH)
        e->outside_day += e->clients * per_client;
    /* the device syncs come with the traffic's device changes */
    e->bytes_transient = max2(e->bytes_transient, 12 * p->size_mean * 8);
}

void estimate_traffic(struct estimate *e, const struct traffic_params *p, const struct contacts_params *cp,
                      int services_on)
{
    double share = services_on || e->people <= 0 ? 1 : e->clients / e->people;
    double starts, deg = e->people > 0 ? e->entries / e->people : 0;
    if (cp->kind == CONTACTS_TRACE)
        starts = e->days > 0 ? (double)cp->trace.n / e->days : 0;
    else
        starts = p->rate_per_day * e->entries * share;
    double group = p->group_share * (min2(p->group_size, deg + 1) - 2);   /* extra lookups of a group start */
    double lookers = e->people * share;
    double devices = lookers * p->device_per_year / 365.0;
    e->starts_day = starts;
    e->lookups_day += starts * (1 + max2(group, 0)) + lookers * p->noncontact_per_day
                      + (p->device_relookup ? devices * deg : 0);
    e->events_day += starts * (1 + max2(group, 0)) + lookers * p->noncontact_per_day + devices;  /* an entry a lookup */
    e->noncontact_day += lookers * p->noncontact_per_day;
    if (p->profiled) {                    /* the busiest day of the week */
        for (int d = 0; d < 7; d++)
            e->peak_factor = max2(e->peak_factor, p->weekly[d]);
    }
    /* e^-mu per person, the per-degree thresholds; the cache (4 bytes a
     * directed entry); tie strengths (4 bytes a directed entry, the alias
     * tables 8, the rates 8 a person) */
    e->bytes_run += 8 * e->people + (p->cache_ttl ? 4 * e->entries : 0)
                    + (p->lognormal ? 12 * e->entries + 8 * e->people : 0);
}

void estimate_groups(struct estimate *e, const struct groups_params *p)
{
    if (!p->on)
        return;
    double groups = p->size_mean > 0 ? e->clients * p->per_person / p->size_mean : 0;
    double slots = groups * p->size_mean;
    e->bytes_run += 8 * groups + 4.2 * slots + 4 * e->clients;
    double per_send = p->sends == GROUPS_SENDS_FANOUT ? p->size_mean - 1 : p->sends == GROUPS_SENDS_GROUP ? 1 : 0;
    double sends = groups * p->sends_per_day, changes = groups * p->changes_per_day;
    double records = sends * per_send + (p->membership_logged ? 2 * changes : 0);
    e->lookups_day += records;
    e->events_day += sends + changes;
    if (p->sends == GROUPS_SENDS_FANOUT)  /* co-members who are not contacts */
        e->noncontact_day += sends * per_send;
    e->outside_day += (p->sends == GROUPS_SENDS_GROUP ? sends : 0) + (p->membership_logged ? 2 * changes : 0);
}

void estimate_enumeration(struct estimate *e, const struct enumeration_params *p)
{
    if (!p->on)
        return;
    /* every account's lookups a day from start to end, a sweep stopping
     * when the plan (space_factor numbers a number in use) is swept */
    double days = (double)(p->end - p->start) / 86400.0, per_day = (double)p->accounts * p->per_day;
    double total = per_day * days;
    if (!p->random)
        total = min2(total, p->space_factor * e->numbers);
    double mean = e->days > 0 ? total / e->days : 0;     /* a day of the run, on average */
    e->lookups_day += mean;
    e->events_day += mean;
    e->outside_day += mean;
    e->extra_peak_day += per_day - mean;                  /* its days are busier */
    e->burst_day = per_day;
    e->burst_total = total;
    e->bytes_run += e->numbers / 8;
}

/* Days of records a log holds at once: its retention, up to a purge
 * period more, the delivery delay, no more than the run. */
static double held_days(const struct serverlog_policy *p, double horizon)
{
    return min2((double)(p->retention + p->purge_period + p->delay) / 86400.0 + 1, horizon);
}

/* A log holding `held` records (serverlog.h): 8 bytes a record (12 when
 * its fields leave too little time), two chunks more, the readers' buffer
 * (a span decoded, 12 bytes a record). */
static double log_bytes(const struct serverlog_policy *p, double held)
{
    return (double)serverlog_policy_record_bytes(p) * held + 2.0 * SERVERLOG_CHUNK_BYTES
           + 12.0 * SERVERLOG_SPAN;
}

void estimate_serverlog(struct estimate *e, const struct serverlog_policy *p)
{
    e->bytes_world = e->bytes_run;
    e->sampling = p->sampling;
    e->retention_days = held_days(p, e->days);
    /* an enumeration's days are busier than the mean: the log may hold a
     * retention period of them */
    double mean = e->days > 0 ? e->burst_total / e->days : 0;
    e->burst_held = max2(min2(e->burst_total, e->burst_day * e->retention_days) - mean * e->retention_days, 0);
    double held = (e->lookups_day * e->retention_days + e->burst_held) * p->sampling;
    e->bytes_run += log_bytes(p, held)
                    + (p->delay ? 12 * e->lookups_day * (double)p->delay / 86400.0 : 0);
}

/* The records the main log holds at once (after estimate_serverlog), and
 * of those the records that name no person (accounts, groups: the
 * knowledge learns no pair from them). */
static double held_records(const struct estimate *e)
{
    return (e->lookups_day * e->retention_days + e->burst_held) * e->sampling;
}
static double held_outside(const struct estimate *e)
{
    return (e->outside_day * e->retention_days + e->burst_held) * e->sampling;
}

/* What a knowledge of the truth graph holds (knowledge.h): a bit a
 * directed entry and a person, three words a person, the count bytes with
 * a threshold, the staging block. */
static double knowledge_bytes(const struct estimate *e, uint32_t min_count, double held)
{
    double m = e->truth_entries / 2, block = (double)KNOWLEDGE_BLOCK;
    while (block > 4096 && block / 2 >= 4 * m)
        block /= 2;
    /* the block's pages are touched as far as one acquisition stages:
     * at most the records a log holds */
    return e->truth_entries / 8 + e->numbers / 8 + 12 * e->numbers + (min_count > 1 ? e->truth_entries : 0)
           + 8.1 * min2(block, held + 4096);
}

void estimate_services(struct estimate *e, const struct services_params *p, const struct knowledge_params *k)
{
    if (!p->on)
        return;
    e->bytes_run += 2 * e->people;        /* who uses what */
    for (uint32_t i = 1; i < p->n; i++) {
        double held = e->starts_day * min2(p->share[i], 1) * p->policy[i].sampling * held_days(&p->policy[i], e->days);
        e->extra_log_bytes += log_bytes(&p->policy[i], held) + knowledge_bytes(e, k->min_count, held);
    }
    e->bytes_run += e->extra_log_bytes;
}

void estimate_knowledge(struct estimate *e, const struct knowledge_params *p)
{
    e->bytes_run += knowledge_bytes(e, p->min_count, held_records(e) - held_outside(e));
    /* non-contact pairs found: a hash set at most half full, doubled as it
     * grows (9 bytes a slot, 2 to 4 slots a pair) */
    double false_pairs = e->noncontact_day * e->sampling * e->days;
    e->bytes_run += 36 * false_pairs;
    /* the metrics (metrics.h): rebuilt degrees, the found graph's offsets,
     * breadth-first queues and distances: 22 bytes a person; with true
     * communities, the found graph handed to the community detection
     * (about 28 bytes a tie found and 40 a person, measured: docs/metrics.md) */
    e->bytes_run += 22 * e->numbers;
    if (e->labels)
        e->bytes_transient = max2(e->bytes_transient, 28 * e->truth_entries / 2 + 40 * e->numbers);
}

void estimate_adversary(struct estimate *e, const struct adversary_params *p, int mobility)
{
    double held = held_records(e);
    for (size_t i = 0; i < p->n; i++) {   /* acquisitions: one a period from the start, or one */
        const struct adversary_strategy *s = &p->s[i];
        double span = e->days - (double)s->start / 86400.0;
        e->acquisitions += s->period > 0 && span >= 0 ? floor(span / ((double)s->period / 86400.0)) + 1 : 1;
    }
    e->bytes_run += e->numbers / 8 + (double)p->nids * 4;
    for (size_t i = 0; i < p->n; i++)      /* a preservation holds a copy of the records */
        if (p->s[i].kind == ADVERSARY_PRESERVATION)
            e->bytes_run += 12 * held;
    /* until the report: the records kept to be located, those naming no
     * person (8 bytes each, grown by a quarter) */
    if (mobility)
        e->bytes_transient = max2(e->bytes_transient, 12 * held);
    e->bytes_run += 10 * held_outside(e);
    if (p->select == ADVERSARY_SELECT_COMMUNITY)    /* the communities are found before the run */
        e->bytes_transient = max2(e->bytes_transient, 28 * e->truth_entries / 2 + 40 * e->numbers);
}

void estimate_mobility(struct estimate *e, const struct mobility_params *p)
{
    /* a byte a person and local day; the people who can be located */
    e->bytes_run += e->people * ((double)p->horizon_days + 3);
    /* The location store: 3 bytes a distinct (person, hour, place) (4
     * past 341 days of hours or 256 places a person), at most one a record
     * acquired over the run, and 8 bytes a distinct (person, place): about
     * one for eight points (`make bench` location-monthly), so 4 bytes a
     * point; staged at 16 bytes, twice
     * while merged, LOCATION_BLOCK at most at once; the metrics' scratch
     * (measured: about 150 bytes a person). */
    double records = e->lookups_day * e->sampling * e->days;
    double stage = min2(held_records(e), (double)LOCATION_BLOCK);
    e->bytes_run += 4 * records;
    e->bytes_transient = max2(e->bytes_transient, 32 * stage + 150 * e->people);
    e->located = records;
}

void estimate_finish(const struct estimate *e, struct sim_estimate *out)
{
    double day = e->events_day * e->peak_factor + e->extra_peak_day;
    out->lookups = e->lookups_day * e->days;
    out->events = e->events_day * e->days;
    out->day_events = day;
    /* the engine's day batch: 16 bytes an entry, its pool grown by half */
    double batch = 16 * 1.5 * day;
    double run = e->bytes_run + batch + e->bytes_transient;
    double build = e->bytes_world + e->bytes_build;     /* the world while it is built */
    out->bytes = ESTIMATE_BASE_BYTES + max2(run, build);
    out->seconds = ESTIMATE_S_EVENT * out->events + ESTIMATE_S_RECORD * out->lookups
                   + ESTIMATE_S_LOCATED * e->located + ESTIMATE_S_ENTRY * (e->truth_entries + e->numbers)
                   + (e->labels ? ESTIMATE_S_COMMUNITY * e->acquisitions * e->truth_entries / 2 : 0);
}
