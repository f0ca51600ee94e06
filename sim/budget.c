/* budget — the machine's limits and the refusal of runs that cannot fit
 * them (budget.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#include "budget.h"

void budget_init(struct budget *b)
{
    b->memory = 0;
    b->memory_given = 0;
    b->force = 0;
}

double budget_memory(const struct budget *b, const char **what)
{
    const char *w = "limit given";
    double m = b->memory;
    if (!(m > 0)) {
        long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
        m = pages > 0 && size > 0 ? (double)pages * (double)size : INFINITY;
        w = "of this machine's memory";
        struct rlimit rl;                 /* ulimit -v or -d: the process cannot go past it */
        if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (double)rl.rlim_cur < m) {
            m = (double)rl.rlim_cur;
            w = "of address space ulimit -v allows";
        }
        if (getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (double)rl.rlim_cur < m) {
            m = (double)rl.rlim_cur;
            w = "of data ulimit -d allows";
        }
    }
    if (what)
        *what = w;
    return m;
}

int budget_parse_size(const char *text, double *bytes)
{
    if (!text || !*text || *text == '-' || *text == '+')
        return -1;
    char *end;
    double v = strtod(text, &end);
    if (end == text || !isfinite(v) || v < 0)
        return -1;
    static const char units[] = "KMGT";
    const char *u = *end ? strchr(units, *end >= 'a' ? *end - 'a' + 'A' : *end) : NULL;
    if (*end && !u)
        return -1;
    if (u) {
        v *= pow(1024.0, (double)(u - units + 1));
        end++;
        if (strcasecmp(end, "ib") == 0 || strcasecmp(end, "b") == 0)
            end += strlen(end);
    }
    if (*end || v < 1048576.0 || v > 1e18)
        return -1;
    *bytes = floor(v);
    return 0;
}

const char *budget_bytes(char *buf, size_t len, double bytes)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    int i = 0;
    while (i < 6 && bytes >= 1024.0) {
        bytes /= 1024.0;
        i++;
    }
    if (i == 0)
        snprintf(buf, len, "%.0f B", bytes);
    else
        snprintf(buf, len, bytes < 10 ? "%.1f %s" : "%.0f %s", bytes, unit[i]);
    return buf;
}

const char *budget_seconds(char *buf, size_t len, double s)
{
    if (s < 60)
        snprintf(buf, len, s < 10 ? "%.1f s" : "%.0f s", s);
    else if (s < 3600)
        snprintf(buf, len, "%.0f min", s / 60);
    else if (s < 86400 * 2)
        snprintf(buf, len, "%.1f h", s / 3600);
    else if (s < 86400 * 365.25 * 10)
        snprintf(buf, len, "%.0f days", s / 86400);
    else
        snprintf(buf, len, "%.2g years", s / (86400 * 365.25));
    return buf;
}

void budget_describe(char *buf, size_t len, const struct sim_estimate *e, uint32_t replications)
{
    char m[32], t[32], tt[32];
    snprintf(buf, len, "%.3g lookups, %.3g events, peak memory %s, %s of CPU a replication; "
             "%.3g events, %s in all",
             e->lookups, e->events, budget_bytes(m, sizeof m, e->bytes), budget_seconds(t, sizeof t, e->seconds),
             e->events * replications, budget_seconds(tt, sizeof tt, e->seconds * replications));
}

int budget_check(const struct budget *b, const struct sim_estimate *e, uint32_t replications, unsigned parallel,
                 char *msg, size_t len)
{
    char est[256], m[32], lim[32];
    budget_describe(est, sizeof est, e, replications);
    double events = e->events * replications, bytes = e->bytes * (parallel ? parallel : 1);
    if (!(e->day_events <= BUDGET_MAX_DAY_EVENTS)) {
        snprintf(msg, len, "refused: %.3g events expected in one day, more than the %.3g one day can hold "
                 "(estimate: %s)", e->day_events, BUDGET_MAX_DAY_EVENTS, est);
        return -1;
    }
    if (b->force)
        return 0;
    const char *what;
    double limit = budget_memory(b, &what);
    if (!(bytes <= limit)) {
        snprintf(msg, len, "refused: needs about %s%s, more than the %s %s (estimate: %s); "
                 "--memory-limit SIZE sets another limit, --force runs it anyway",
                 budget_bytes(m, sizeof m, bytes),
                 parallel > 1 ? (b->parallel_what ? b->parallel_what : " for the runs at once") : "",
                 budget_bytes(lim, sizeof lim, limit), what,
                 est);
        return -1;
    }
    if (!(events <= BUDGET_MAX_EVENTS)) {
        snprintf(msg, len, "refused: %.3g events expected in all, more than %.3g (estimate: %s); "
                 "--force runs it anyway", events, BUDGET_MAX_EVENTS, est);
        return -1;
    }
    return 0;
}
