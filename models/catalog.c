/* catalog — the scenario model's metric table; see catalog.h.
 *
 * The closed form of edge_recall (docs/model.md, "Expected recall: the
 * closed form"): an edge carries two Poisson streams of lookups of rate λ
 * each, so it is found with probability 1 − e^(−2λT) when the adversary
 * holds every record of T days (T = covered_days).  That holds when
 *   - the traffic is the synthetic Poisson process with one constant rate
 *     per ordered pair (tie_strength constant, no <profile>, no cache, no
 *     device changes, no group conversations, no replayed <trace>);
 *   - every person runs the client (population@client_share 1), so both
 *     streams of every edge exist;
 *   - the log keeps every lookup with its querier and a queried number the
 *     adversary can read (sampling 1, querier kept, queried_number kept or
 *     plain_hash, no private contact discovery, no delivery delay) and is
 *     purged rolling, so a window [s − R, s) holds every lookup made in it;
 *   - the adversary takes whole logs only (bulk snapshots and breaches on
 *     a given day: a random breach day gives every replication its own T),
 *     and one record reveals a pair (inference@min_count 1);
 *   - the world is the contacts' alone: no <address_book> or <dynamics>
 *     (the truth graph grows beyond the contacts), no <groups> (sends may
 *     look contacts up) and no <services> (conversations split among
 *     logs); an <enumeration> adds no pair and leaves it.
 * Absent attributes take the schema's defaults, which are the neutral
 * values below. */
#include "catalog.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cfg.h"

/* Whether attribute attr of n is absent or its text is `neutral`. */
static int neutral_str(const struct cfg_node *n, const char *attr, const char *neutral)
{
    const char *v = cfg_str(n, attr, NULL);
    return !v || strcmp(v, neutral) == 0;
}

/* Whether attribute attr of n is absent or the number `neutral`. */
static int neutral_num(struct cfg *c, const struct cfg_node *n, const char *attr, double neutral)
{
    double v;
    return cfg_double(c, n, attr, neutral, &v) == 0 && v == neutral;
}

static int recall_closed_form(struct cfg *c, double (*value)(const void *ctx, const char *name),
                              const void *ctx, double *out, char *formula, size_t len)
{
    const struct cfg_node *root = cfg_root(c);
    const struct cfg_node *pop = cfg_child(root, "population"), *contacts = cfg_child(root, "contacts");
    const struct cfg_node *tr = cfg_child(root, "traffic"), *policy = cfg_child(root, "policy");
    const struct cfg_node *ret = cfg_child(policy, "retention"), *log = cfg_child(policy, "logging");
    const struct cfg_node *adv = cfg_child(root, "adversary"), *inf = cfg_child(root, "inference");
    double lambda;
    if (!tr || !adv || !contacts || !cfg_has(tr, "rate_per_day") || cfg_double(c, tr, "rate_per_day", 0, &lambda)
        || !(lambda > 0))
        return 0;
    const struct cfg_node *graph = cfg_first(contacts);
    if (cfg_child(root, "address_book") || cfg_child(root, "dynamics") || cfg_child(root, "groups")
        || cfg_child(root, "services"))
        return 0;                           /* a truth beyond the contacts, or more lookups of them */
    if (!graph || strcmp(cfg_name(graph), "trace") == 0 || cfg_child(tr, "profile")
        || !neutral_str(tr, "tie_strength", "constant") || !neutral_num(c, tr, "cache_ttl_hours", 0)
        || !neutral_num(c, tr, "device_changes_per_year", 0) || !neutral_num(c, tr, "group_share", 0)
        || !neutral_num(c, pop, "client_share", 1))
        return 0;
    const char *queried = cfg_str(log, "queried_number", "kept");
    if (!neutral_str(ret, "purge", "rolling") || !neutral_num(c, log, "sampling", 1)
        || !neutral_str(log, "querier", "kept") || (strcmp(queried, "kept") != 0 && strcmp(queried, "plain_hash") != 0)
        || !neutral_str(log, "private_contact_discovery", "false") || !neutral_num(c, log, "delivery_delay_minutes", 0)
        || !neutral_num(c, inf, "min_count", 1))
        return 0;
    int acquisitions = 0;
    for (const struct cfg_node *e = cfg_first(adv); e; e = cfg_next(e)) {
        const char *name = cfg_name(e);
        if (strcmp(name, "bulk_snapshot") == 0 || (strcmp(name, "breach") == 0 && cfg_has(e, "day")))
            acquisitions++;
        else if (strcmp(name, "targets") != 0)
            return 0;                       /* a targeted instrument */
    }
    double t = value(ctx, "covered_days");
    if (!acquisitions || !isfinite(t) || t < 0)
        return 0;
    *out = 1 - exp(-2 * lambda * t);
    snprintf(formula, len, "1 - exp(-2 x %g x covered_days)", lambda);
    return 1;
}

const struct sim_metric_info catalog_metrics[] = {
    { "edge_recall", "Edge recall", "share", "contact pairs found", SIM_METRIC_SHARE, recall_closed_form },
    { "edge_precision", "Edge precision", "share", "found pairs that are contacts", SIM_METRIC_SHARE, NULL },
    { "node_coverage", "Node coverage", "share", "people in a found pair", SIM_METRIC_SHARE, NULL },
    { "covered_days", "Covered time", "days", "log time obtained", 0, NULL },
    { "exposure_mean_day", "First exposure, mean", "days", "day of first exposure (mean)", 0, NULL },
    { "exposure_median_day", "First exposure, median", "days", "day of first exposure (median)", 0, NULL },
    { "exposure_p90_day", "First exposure, 90th percentile", "days", "day of first exposure (90th percentile)", 0, NULL },
    { "ego_recall", "Ego recall of the targets", "share", "targets' contact pairs found", SIM_METRIC_SHARE, NULL },
    { "ego_precision", "Ego precision of the targets", "share", "found pairs of targets that are contacts",
      SIM_METRIC_SHARE, NULL },
    { "khop_coverage_{k}", "{k}-hop coverage of the targets", "share",
      "people within {k} hops of a target, found so", SIM_METRIC_SHARE, NULL },
    { "target_covered_days", "Covered time of the targets' records", "days", "log time obtained for targets", 0,
      NULL },
    { "target_holes", "Gaps in the targets' covered time", "gaps", "gaps between covered intervals", 0, NULL },
    { "targets", "Targets", "people", "targets (after hop expansion)", 0, NULL },
    { "target_ego_recall_mean", "Ego recall per target, mean", "share", "each target's contact pairs found (mean)",
      SIM_METRIC_SHARE, NULL },
    { "target_ego_recall_p10", "Ego recall per target, 10th percentile", "share",
      "each target's contact pairs found (10th percentile)", SIM_METRIC_SHARE, NULL },
    { "target_ego_recall_p50", "Ego recall per target, median", "share",
      "each target's contact pairs found (median)", SIM_METRIC_SHARE, NULL },
    { "target_ego_recall_p90", "Ego recall per target, 90th percentile", "share",
      "each target's contact pairs found (90th percentile)", SIM_METRIC_SHARE, NULL },
    { "target_covered_days_p10", "Covered time per target, 10th percentile", "days",
      "log time obtained per target (10th percentile)", 0, NULL },
    { "target_covered_days_p50", "Covered time per target, median", "days", "log time obtained per target (median)",
      0, NULL },
    { "target_covered_days_p90", "Covered time per target, 90th percentile", "days",
      "log time obtained per target (90th percentile)", 0, NULL },
    { "target_first_day_p10", "First detection of a target, 10th percentile", "days",
      "day a target is first in a found pair (10th percentile)", 0, NULL },
    { "target_first_day_p50", "First detection of a target, median", "days",
      "day a target is first in a found pair (median)", 0, NULL },
    { "target_first_day_p90", "First detection of a target, 90th percentile", "days",
      "day a target is first in a found pair (90th percentile)", 0, NULL },
    { "ego_recall_rare", "Ego recall, rare ties", "share", "targets' pairs found, ties under one lookup a month",
      SIM_METRIC_SHARE, NULL },
    { "ego_recall_monthly", "Ego recall, monthly ties", "share", "targets' pairs found, ties monthly to weekly",
      SIM_METRIC_SHARE, NULL },
    { "ego_recall_weekly", "Ego recall, weekly ties", "share", "targets' pairs found, ties weekly to daily",
      SIM_METRIC_SHARE, NULL },
    { "ego_recall_daily", "Ego recall, daily ties", "share", "targets' pairs found, ties daily or more",
      SIM_METRIC_SHARE, NULL },
    { "orders_served", "Orders served", "orders", "orders and pen-register terms served", 0, NULL },
    { "extensions", "Pen-register extensions", "extensions", "extensions granted", 0, NULL },
    { "target_days_ordered", "Target-days under order", "target-days", "target-days under a pen register", 0,
      NULL },
    { "records_delivered", "Records delivered", "records", "records obtained, repeats included", 0, NULL },
    { "recall_per_order", "Ego recall per order", "share per order", "ego recall / orders served", 0, NULL },
    { "degree_ks", "Degree distribution distance (KS)", "", "Kolmogorov-Smirnov distance", SIM_METRIC_SHARE,
      NULL },
    { "community_nmi", "Community recovery (NMI)", "", "normalised mutual information", SIM_METRIC_SHARE, NULL },
    { "home_share", "Homes estimated", "share", "clients with a home estimate",
      SIM_METRIC_SHARE | SIM_METRIC_TARGETS, NULL },
    { "home_error_median_km", "Home error, median", "km", "distance to the true home (median)",
      SIM_METRIC_TARGETS, NULL },
    { "home_within_1km", "Homes within 1 km", "share", "home estimates within 1 km",
      SIM_METRIC_SHARE | SIM_METRIC_TARGETS, NULL },
    { "home_within_10km", "Homes within 10 km", "share", "home estimates within 10 km",
      SIM_METRIC_SHARE | SIM_METRIC_TARGETS, NULL },
    { "home_error_max_km", "Home error, largest", "km", "distance to the true home (largest)",
      SIM_METRIC_TARGETS, NULL },
    { "work_share", "Workplaces estimated", "share", "workers with a workplace estimate",
      SIM_METRIC_SHARE | SIM_METRIC_TARGETS, NULL },
    { "work_error_median_km", "Workplace error, median", "km", "distance to the true workplace (median)",
      SIM_METRIC_TARGETS, NULL },
    { "work_within_1km", "Workplaces within 1 km", "share", "workplace estimates within 1 km",
      SIM_METRIC_SHARE | SIM_METRIC_TARGETS, NULL },
    { "work_within_10km", "Workplaces within 10 km", "share", "workplace estimates within 10 km",
      SIM_METRIC_SHARE | SIM_METRIC_TARGETS, NULL },
    { "work_error_max_km", "Workplace error, largest", "km", "distance to the true workplace (largest)",
      SIM_METRIC_TARGETS, NULL },
    { "user_days_located", "User-days located", "share", "(client, day) pairs with a located point",
      SIM_METRIC_SHARE | SIM_METRIC_TARGETS, NULL },
    { "unicity_{k}", "Unicity with {k} points", "share", "people singled out by {k} points", SIM_METRIC_SHARE,
      NULL },
    { "colocation_pairs", "Co-location pair-hours", "pair-hours per hour", "co-located pair-hours per sampled hour",
      0, NULL },
    { "colocation_precision", "Co-location precision", "share", "pair-hours found that are true",
      SIM_METRIC_SHARE, NULL },
    { "lookups", "Lookups", "lookups", "lookups made so far", 0, NULL },
    { "reid_share", "Pseudonyms re-identified", "share", "pseudonyms linked across key epochs",
      SIM_METRIC_SHARE, NULL },
    { "reid_precision", "Re-identification precision", "share", "links to the same person", SIM_METRIC_SHARE,
      NULL },
    { "book_recall", "Address-book pairs found", "share", "address-book pairs found", SIM_METRIC_SHARE, NULL },
    { "conversation_recall", "Conversation ties found", "share", "conversation ties found", SIM_METRIC_SHARE, NULL },
    { "conversation_precision", "Conversation precision", "share", "found pairs that are conversation ties",
      SIM_METRIC_SHARE, NULL },
    { "sync_lookups", "Sync lookups", "lookups", "numbers looked up by syncs so far", 0, NULL },
    { "day_recall", "Recall against the graph of the day", "share", "ties alive at the acquisition found",
      SIM_METRIC_SHARE, NULL },
    { "day_precision", "Precision against the graph of the day", "share", "found pairs alive at the acquisition",
      SIM_METRIC_SHARE, NULL },
    { "ever_recall", "Recall against every tie", "share", "ties that ever existed found", SIM_METRIC_SHARE, NULL },
    { "stale_share", "Stale pairs", "share", "found pairs whose tie had ended", SIM_METRIC_SHARE, NULL },
    { "first_still_alive", "First acquisition's ties still alive", "share", "first acquisition's ties alive now",
      SIM_METRIC_SHARE, NULL },
    { "fused_edge_recall", "Edge recall, services fused", "share", "contact pairs found in any service",
      SIM_METRIC_SHARE, NULL },
    { "fused_edge_precision", "Edge precision, services fused", "share", "found pairs that are contacts",
      SIM_METRIC_SHARE, NULL },
    { "fused_node_coverage", "Node coverage, services fused", "share", "people in a pair found in any service",
      SIM_METRIC_SHARE, NULL },
    { "{name}_edge_recall", "Edge recall from {name}", "share", "contact pairs found in {name}'s records",
      SIM_METRIC_SHARE, NULL },
    { "{name}_edge_precision", "Edge precision from {name}", "share", "pairs from {name} that are contacts",
      SIM_METRIC_SHARE, NULL },
    { "{name}_records", "Records acquired from {name}", "records", "records acquired from {name}", 0, NULL },
    { "{name}_user_recall", "Ties of {name}'s users found", "share", "ties between users of {name} found",
      SIM_METRIC_SHARE, NULL },
    { "enumeration_coverage", "Enumeration coverage", "share", "users the enumerator found", SIM_METRIC_SHARE, NULL },
    { "enumeration_lookups", "Enumeration lookups", "lookups", "the enumerator's lookups so far", 0, NULL },
    { "enumeration_records_acquired", "Enumeration records acquired", "records", "the enumerator's records acquired",
      0, NULL },
    { "enumeration_acquired_share", "Enumerator's share of the records", "share",
      "acquired records that are the enumerator's", SIM_METRIC_SHARE, NULL },
    { "group_membership_recall", "Group memberships known", "share", "current memberships known", SIM_METRIC_SHARE,
      NULL },
    { "group_pair_recall", "Group co-members linked", "share", "pairs of co-members linked", SIM_METRIC_SHARE, NULL },
    { "group_records_acquired", "Group records acquired", "records", "records naming a group acquired", 0, NULL },
    { NULL, NULL, NULL, NULL, 0, NULL },
};
