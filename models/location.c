/* location — the adversary's knowledge of where people are; see location.h. */
#include "location.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "mix.h"
#include "sort.h"

#define SLOT_MASK 0x1fffffffu
#define FLAG_SHIFT 29
#define COLOC_BLOCK ((size_t)1 << 20)     /* co-location entries per block (2 x 16 MiB) */

static const double km_per_deg = 111.32;
static const double deg_to_rad = 3.14159265358979323846 / 180.0;

void location_params_default(struct location_params *p)
{
    p->cluster_km = 1.0;
    p->cell_km = 1.0;
    p->slot_hours = 1;
    p->probes = 1000;
    p->coloc_hours = 168;
}

static unsigned bits_for(uint64_t maxval)     /* bits to hold 0..maxval */
{
    unsigned b = 0;
    while (b < 64 && (maxval >> b))
        b++;
    return b;
}

static void set_width(struct location *L, unsigned bytes)
{
    L->pt_bytes = bytes;
    L->flag_shift = 8 * bytes - 3;
    L->word_mask = bytes == 4 ? UINT32_MAX : ((uint32_t)1 << 8 * bytes) - 1;
    L->places_max = (uint32_t)1 << (L->flag_shift - L->slot_bits);
}

/* w's low `bytes` bytes at b, little-endian. */
static inline void store_word(uint8_t *b, unsigned bytes, uint32_t w)
{
    for (unsigned i = 0; i < bytes; i++)
        b[i] = (uint8_t)(w >> 8 * i);
}

static inline void put_word(struct location *L, uint64_t j, uint32_t w)
{
    store_word(L->pt + j * L->pt_bytes, L->pt_bytes, w);
}

/* Points [src, src + count) to [dst, dst + count) (overlaps allowed). */
static inline void move_words(struct location *L, uint64_t dst, uint64_t src, uint64_t count)
{
    memmove(L->pt + dst * L->pt_bytes, L->pt + src * L->pt_bytes, count * L->pt_bytes);
}

int location_init(struct location *L, uint32_t n_people, uint32_t horizon_hours, const struct location_params *p)
{
    memset(L, 0, sizeof *L);
    if (!p || !(p->cluster_km > 0) || !(p->cell_km >= 0.01 && p->cell_km <= 10000) ||
        (p->slot_hours != 1 && p->slot_hours != 24) || p->probes == 0 || n_people == 0 || horizon_hours == 0 ||
        horizon_hours >= (1u << FLAG_SHIFT))
        return -1;
    L->p = *p;
    L->n = n_people;
    L->horizon_hours = horizon_hours;
    L->cell_deg = p->cell_km / km_per_deg;
    L->inv_cell = 1 / L->cell_deg;
    int32_t rlo = (int32_t)floor(-90.0 * L->inv_cell), rhi = (int32_t)floor(90.0 * L->inv_cell);
    int32_t clo = (int32_t)floor(-180.0 * L->inv_cell), chi = (int32_t)floor(180.0 * L->inv_cell);
    L->row_min = rlo;
    L->col_min = clo;
    L->block = LOCATION_BLOCK;
    L->nrows = (uint32_t)(rhi - rlo + 1);
    L->row_bits = bits_for(L->nrows - 1);
    L->col_bits = bits_for((uint64_t)(chi - clo));
    unsigned slot_bits = bits_for((horizon_hours - 1) / p->slot_hours);
    if (L->row_bits + L->col_bits + slot_bits > 64 || slot_bits > LOCATION_SLOT_BITS_MAX)
        return -1;
    L->slot_bits = slot_bits;
    L->slot_mask = (uint32_t)(((uint64_t)1 << slot_bits) - 1);
    set_width(L, slot_bits > 13 ? 4 : 3);
    L->off = calloc((size_t)n_people + 1, sizeof *L->off);
    L->poff = calloc((size_t)n_people + 1, sizeof *L->poff);
    L->row_cos = malloc(L->nrows * sizeof *L->row_cos);
    L->pt = calloc(4, 1);                 /* never NULL; the byte past the last point for location_word */
    L->place = malloc(sizeof *L->place);
    if (!L->off || !L->poff || !L->row_cos || !L->pt || !L->place) {
        location_destroy(L);
        return -1;
    }
    for (uint32_t i = 0; i < L->nrows; i++) {
        double phi = ((double)(rlo + (int32_t)i) + 0.5) * L->cell_deg;
        if (phi > 90)
            phi = 90;
        if (phi < -90)
            phi = -90;
        double c = cos(phi * deg_to_rad);
        L->row_cos[i] = c > 0 ? c : 0;
    }
    return 0;
}

void location_destroy(struct location *L)
{
    if (!L)
        return;
    free(L->off);
    free(L->pt);
    free(L->poff);
    free(L->place);
    free(L->stage);
    free(L->row_cos);
    memset(L, 0, sizeof *L);
}

static inline int32_t ifloor(double x)
{
    int32_t i = (int32_t)x;
    return i - (x < (double)i);
}

static inline uint64_t cell_of(const struct location *L, float lat, float lon)
{
    uint32_t row = (uint32_t)(ifloor((double)lat * L->inv_cell) - L->row_min);
    if (row >= L->nrows)
        row = L->nrows - 1;
    int32_t j = ifloor((double)lon * L->row_cos[row] * L->inv_cell);
    return (uint64_t)row << L->col_bits | (uint64_t)(uint32_t)(j - L->col_min);
}

uint64_t location_cell(const struct location *L, float lat, float lon) { return cell_of(L, lat, lon); }

double location_haversine_km(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * deg_to_rad, p2 = lat2 * deg_to_rad;
    double sdp = sin((p2 - p1) / 2), sdl = sin((lon2 - lon1) * deg_to_rad / 2);
    double a = sdp * sdp + cos(p1) * cos(p2) * sdl * sdl;
    if (a > 1)
        a = 1;
    return 2 * LOCATION_EARTH_KM * asin(sqrt(a));
}

/* ---- staging and merging ------------------------------------------------ */

int location_stage(struct location *L, uint32_t u, uint32_t h, float lat, float lon, unsigned flags)
{
    if (u >= L->n || h >= L->horizon_hours || !(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180))
        return -1;
    if (L->staged == L->stage_cap) {
        if (L->staged >= L->block && location_flush(L))   /* a failed flush before */
            return -1;
        size_t cap = L->stage_cap ? 2 * L->stage_cap : 4096;
        if (cap > L->block)
            cap = L->block;
        struct location_staged *s = realloc(L->stage, cap * sizeof *s);
        if (!s)
            return -1;
        L->stage = s;
        L->stage_cap = cap;
    }
    struct location_staged *s = &L->stage[L->staged++];
    s->u = u;
    s->slot = h / L->p.slot_hours | (uint32_t)(flags & 7u) << FLAG_SHIFT;
    s->lat = lat + 0.0f;                  /* -0 becomes +0: one bit pattern per point */
    s->lon = lon + 0.0f;
    return L->staged >= L->block ? location_flush(L) : 0;
}

/* The store's order: slot (without the flags), lat, lon. */
static inline int pt_cmp(uint32_t sa, float la, float oa, uint32_t sb, float lb, float ob)
{
    sa &= SLOT_MASK;
    sb &= SLOT_MASK;
    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (la != lb)
        return la < lb ? -1 : 1;
    if (oa != ob)
        return oa < ob ? -1 : 1;
    return 0;
}

static int staged_cmp(const void *a, const void *b)
{
    const struct location_staged *x = a, *y = b;
    return pt_cmp(x->slot, x->lat, x->lon, y->slot, y->lat, y->lon);
}

static void sort_staged(struct location_staged *s, size_t m)
{
    size_t k = 1;                         /* s[0..k) is sorted: time-ordered records often are */
    while (k < m && staged_cmp(&s[k - 1], &s[k]) <= 0)
        k++;
    if (k >= m)
        return;
    if (m > 48) {
        qsort(s, m, sizeof *s, staged_cmp);
        return;
    }
    for (size_t i = k; i < m; i++) {       /* records mostly arrive in time order */
        struct location_staged x = s[i];
        size_t j = i;
        while (j > 0 && staged_cmp(&s[j - 1], &x) > 0) {
            s[j] = s[j - 1];
            j--;
        }
        s[j] = x;
    }
}

/* 3-byte points to 4 (room for 2^8 times the places), in place from the
 * back; pt must hold 4 npt + 1 bytes. */
static void widen(struct location *L)
{
    uint32_t low = ((uint32_t)1 << L->flag_shift) - 1;
    unsigned shift = L->flag_shift;
    for (uint64_t j = L->npt; j-- > 0;) {
        uint32_t w = location_word(L, j);
        store_word(L->pt + 4 * j, 4, (w & low) | (w >> shift) << 29);
    }
    set_width(L, 4);
}

/* A person's places by position while their new points are merged: open
 * addressing on a hash of the position, entries index + 1 (0: empty). */
struct placemap {
    uint32_t *t;
    size_t cap, mask;
    struct location_place *fresh;         /* the new places of this flush, from index kold on */
    size_t freshcap;
    uint32_t kold;                        /* u's stored places */
};

static inline uint64_t place_bits(float lat, float lon)
{
    uint32_t a, b;
    memcpy(&a, &lat, sizeof a);
    memcpy(&b, &lon, sizeof b);
    return (uint64_t)a << 32 | b;
}

/* Empty the map, with room for u's stored places and `more` new ones, and
 * enter the stored ones.  0 or -1 (OOM). */
static int placemap_reset(struct placemap *m, const struct location *L, uint32_t u, size_t more)
{
    uint64_t k = L->poff[u + 1] - L->poff[u];
    size_t cap = 16;
    while (cap < 2 * (k + more))
        cap *= 2;
    if (cap > m->cap) {
        free(m->t);
        m->t = malloc(cap * sizeof *m->t);
        m->cap = m->t ? cap : 0;
        if (!m->t)
            return -1;
    }
    if (more > m->freshcap) {
        free(m->fresh);
        m->fresh = malloc(more * sizeof *m->fresh);
        m->freshcap = m->fresh ? more : 0;
        if (!m->fresh)
            return -1;
    }
    m->mask = cap - 1;
    m->kold = (uint32_t)k;
    memset(m->t, 0, cap * sizeof *m->t);
    const struct location_place *pl = L->place + L->poff[u];
    for (uint32_t i = 0; i < k; i++) {
        size_t h = mix_fmix64(place_bits(pl[i].lat, pl[i].lon)) & m->mask;
        while (m->t[h])
            h = (h + 1) & m->mask;
        m->t[h] = i + 1;
    }
    return 0;
}

/* The index of position (lat, lon) among u's places (the stored ones, then
 * this flush's new ones); k, entered as a new place, when it is none.  (The
 * positions compared by their bits: no NaN is staged, and -0 was made +0.) */
static uint32_t placemap_find(struct placemap *m, const struct location *L, uint32_t u, float lat, float lon,
                              uint32_t k)
{
    const struct location_place *pl = L->place + L->poff[u];
    uint64_t b = place_bits(lat, lon);
    size_t h = mix_fmix64(b) & m->mask;
    for (; m->t[h]; h = (h + 1) & m->mask) {
        uint32_t i = m->t[h] - 1;
        const struct location_place *q = i < m->kold ? &pl[i] : &m->fresh[i - m->kold];
        if (place_bits(q->lat, q->lon) == b)
            return i;
    }
    m->t[h] = k + 1;
    m->fresh[k - m->kold] = (struct location_place){ lat, lon };
    return k;
}

int location_flush(struct location *L)
{
    size_t S = L->staged;
    if (!S)
        return 0;
    uint32_t n = L->n;
    uint32_t *pre = calloc((size_t)n + 1, sizeof *pre);
    if (!pre)
        return -1;
    /* counting sort by person: afterwards pre[u] is the end of u's run.
     * A stage already in person order (the scenario model stages it so)
     * is used as it is, and compacted in place below. */
    struct location_staged *tmp = L->stage;
    size_t descents = 0;
    for (size_t i = 0; i < S; i++) {
        pre[L->stage[i].u + 1]++;
        descents += i && L->stage[i].u < L->stage[i - 1].u;
    }
    for (uint32_t u = 0; u < n; u++)
        pre[u + 1] += pre[u];
    if (descents) {
        tmp = malloc(S * sizeof *tmp);
        if (!tmp) {
            free(pre);
            return -1;
        }
        for (size_t i = 0; i < S; i++)
            tmp[pre[L->stage[i].u]++] = L->stage[i];
    } else {
        memmove(pre, pre + 1, (size_t)n * sizeof *pre);
    }
    /* each person's run: sort, drop repeats and points already stored
     * (their flags go to the stored copy); compact to tmp[0..w), pre[u]
     * becoming the end of u's new points, and each new point's u becoming
     * its place index (a new place: the next index of u's table, in the
     * order of first use); npl[u] becomes the end of the new places */
    uint32_t *npl = malloc((size_t)n * sizeof *npl);
    struct placemap pm = { 0 };
    if (!npl) {
        free(pre);
        if (tmp != L->stage)
            free(tmp);
        return -1;
    }
    size_t w = 0, start = 0, nnew = 0;
    int failed = 0, wide = 0;
    for (uint32_t u = 0; u < n; u++) {
        size_t end = pre[u];
        if (end > start) {
            sort_staged(tmp + start, end - start);
            uint64_t base = L->off[u];
            const struct location_place *pl = L->place + L->poff[u];
            uint64_t nold = L->off[u + 1] - L->off[u], o = 0;
            uint32_t kold = (uint32_t)(L->poff[u + 1] - L->poff[u]), k = kold;
            size_t first = w;
            if (placemap_reset(&pm, L, u, end - start))
                failed = 1;
            for (size_t i = start; i < end; i++) {
                struct location_staged x = tmp[i];
                if (w > first &&
                    pt_cmp(tmp[w - 1].slot, tmp[w - 1].lat, tmp[w - 1].lon, x.slot, x.lat, x.lon) == 0) {
                    tmp[w - 1].slot |= x.slot & ~SLOT_MASK;
                    continue;
                }
                int c = 1;
                uint32_t ow = 0;
                while (o < nold) {
                    ow = location_word(L, base + o);
                    const struct location_place *q = &pl[location_word_place(L, ow)];
                    if ((c = pt_cmp(ow & L->slot_mask, q->lat, q->lon, x.slot, x.lat, x.lon)) >= 0)
                        break;
                    o++;
                }
                if (o < nold && c == 0) {
                    put_word(L, base + o, ow | (x.slot >> FLAG_SHIFT) << L->flag_shift);
                    continue;
                }
                if (!failed) {
                    uint32_t idx = placemap_find(&pm, L, u, x.lat, x.lon, k);
                    if (idx == k) {
                        if (k >= ((uint32_t)1 << (29 - L->slot_bits)))
                            failed = 1;   /* no room for another place, even at 4 bytes a point */
                        else if (k >= L->places_max)
                            wide = 1;     /* room at 4 bytes a point */
                        k++;
                    }
                    x.u = idx;
                }
                tmp[w++] = x;
            }
            nnew += k - kold;
        }
        npl[u] = (uint32_t)nnew;
        pre[u] = (uint32_t)w;
        start = end;
    }
    free(pm.t);
    free(pm.fresh);
    struct location_place *nq = NULL;
    uint8_t *np = NULL;
    if (!failed && w) {
        np = realloc(L->pt, (L->npt + w) * (wide ? 4 : L->pt_bytes) + 1);
        if (np) {
            L->pt = np;
            nq = realloc(L->place, (L->nplace + nnew + 1) * sizeof *nq);
            if (nq)
                L->place = nq;
        }
    }
    if (w && (failed || !np || !nq)) {
        if (tmp == L->stage) {            /* compacted in place: the new points, still in person order */
            for (uint32_t u = 0, i = 0; u < n; u++)
                for (; i < pre[u]; i++)
                    tmp[i].u = u;
            L->staged = w;
        }
        free(pre);
        free(npl);
        if (tmp != L->stage)
            free(tmp);
        return -1;                        /* the stage is kept; flags merged so far are idempotent */
    }
    if (w) {
        if (wide)
            widen(L);
        /* merge from the back, in place: person u's points move up by the
         * new points of the people before u, their places by the new
         * places of the people before u */
        for (uint32_t u = n; u-- > 0;) {
            uint64_t a = L->off[u], i = L->off[u + 1];
            size_t ns = u ? pre[u - 1] : 0, j = pre[u];
            if (j == ns) {                /* people u0..u with no new point: one move (and no new place) */
                uint32_t u0 = u;
                while (u0 > 0 && pre[u0 - 1] == (u0 > 1 ? pre[u0 - 2] : 0))
                    u0--;
                size_t before = u ? npl[u - 1] : 0;
                if (j && i > L->off[u0])
                    move_words(L, L->off[u0] + j, L->off[u0], i - L->off[u0]);
                if (before && L->poff[u + 1] > L->poff[u0])
                    memmove(nq + L->poff[u0] + before, nq + L->poff[u0],
                            (L->poff[u + 1] - L->poff[u0]) * sizeof *nq);
                for (uint32_t v = u0; v <= u; v++) {
                    L->off[v + 1] += j;
                    L->poff[v + 1] += before;
                }
                u = u0;
                continue;
            }
            uint64_t wpos = L->off[u + 1] + j;
            const struct location_place *pl = nq + L->poff[u];
            while (j > ns) {
                const struct location_staged *x = &tmp[j - 1];
                uint32_t ow = i > a ? location_word(L, i - 1) : 0;
                const struct location_place *q = i > a ? &pl[location_word_place(L, ow)] : NULL;
                if (q && pt_cmp(ow & L->slot_mask, q->lat, q->lon, x->slot, x->lat, x->lon) > 0) {
                    put_word(L, --wpos, ow);
                    i--;
                } else {
                    put_word(L, --wpos,
                             (x->slot & SLOT_MASK) | x->u << L->slot_bits | (x->slot >> FLAG_SHIFT) << L->flag_shift);
                    j--;
                }
            }
            if (ns && i > a)
                move_words(L, a + ns, a, i - a);
            /* the places: the old ones up by the new places before u, then u's new ones */
            uint64_t pa = L->poff[u], pb = L->poff[u + 1];
            size_t before = u ? npl[u - 1] : 0, mine = npl[u] - before;
            if (before && pb > pa)
                memmove(nq + pa + before, nq + pa, (pb - pa) * sizeof *nq);
            if (mine) {
                uint32_t kold = (uint32_t)(pb - pa), next = kold;
                struct location_place *dst = nq + pa + before;          /* u's table after the move */
                for (size_t t = ns; t < pre[u] && next < kold + mine; t++)
                    if (tmp[t].u == next)
                        dst[next++] = (struct location_place){ tmp[t].lat, tmp[t].lon };
            }
            L->off[u + 1] += pre[u];
            L->poff[u + 1] += npl[u];
        }
        L->npt += w;
        L->nplace += nnew;
        L->pt[L->npt * L->pt_bytes] = 0;  /* the byte location_word reads past the last point */
    }
    free(pre);
    free(npl);
    if (tmp != L->stage)
        free(tmp);
    L->staged = 0;
    return 0;
}

/* ---- home and work -------------------------------------------------------- */

struct cpt {
    float lat, lon;
    uint32_t mult;
};

static int cpt_cmp(const void *a, const void *b)
{
    const struct cpt *x = a, *y = b;
    if (x->lat != y->lat)
        return x->lat < y->lat ? -1 : 1;
    return (x->lon > y->lon) - (x->lon < y->lon);
}

static void sort_cpt(struct cpt *c, size_t m)
{
    if (m > 32) {
        qsort(c, m, sizeof *c, cpt_cmp);
        return;
    }
    for (size_t i = 1; i < m; i++) {
        struct cpt x = c[i];
        size_t j = i;
        while (j > 0 && cpt_cmp(&c[j - 1], &x) > 0) {
            c[j] = c[j - 1];
            j--;
        }
        c[j] = x;
    }
}

static double wrap180(double d)
{
    while (d > 180)
        d -= 360;
    while (d < -180)
        d += 360;
    return d;
}

/* Half-angle sines and cosines of a distinct point, so that the haversine
 * of a pair needs no trigonometric call: sin((b - a) / 2) = sin(b/2)
 * cos(a/2) - cos(b/2) sin(a/2). */
struct trig {
    double sp, cp, sl, cl, cosp;
};

/* Is the great-circle distance of i and j at most the distance whose
 * haversine term is lim (sin^2(km / 2R))? */
static inline int within(const struct trig *i, const struct trig *j, double lim)
{
    double dp = j->sp * i->cp - j->cp * i->sp, dl = j->sl * i->cl - j->cl * i->sl;
    return dp * dp + i->cosp * j->cosp * dl * dl <= lim;
}

/* The cluster estimate of c[0..m) (one entry per point occurrence, mult 1),
 * sorted and merged in place: see location.h, "home".  t: scratch for m
 * entries. */
static void cluster(struct cpt *c, size_t m, double km, struct trig *t, double *lat, double *lon)
{
    sort_cpt(c, m);
    size_t d = 0;
    for (size_t i = 0; i < m; i++) {
        if (d && c[d - 1].lat == c[i].lat && c[d - 1].lon == c[i].lon)
            c[d - 1].mult += c[i].mult;
        else
            c[d++] = c[i];
    }
    /* two points further apart in latitude than this are further apart
     * than km (a meridian arc is the shortest way between two latitudes) */
    double band = km / (LOCATION_EARTH_KM * deg_to_rad) * (1 + 1e-9);
    double h = sin(km / (2 * LOCATION_EARTH_KM)), lim = h * h;
    if (d > 1)
        for (size_t i = 0; i < d; i++) {
            double p = c[i].lat * deg_to_rad, l = c[i].lon * deg_to_rad;
            t[i] = (struct trig){ sin(p / 2), cos(p / 2), sin(l / 2), cos(l / 2), cos(p) };
        }
    size_t best = 0;
    uint64_t best_w = 0;
    for (size_t i = 0; i < d; i++) {
        uint64_t wgt = c[i].mult;
        for (size_t j = i; j-- > 0 && c[i].lat - c[j].lat <= band;)
            if (within(&t[i], &t[j], lim))
                wgt += c[j].mult;
        for (size_t j = i + 1; j < d && c[j].lat - c[i].lat <= band; j++)
            if (within(&t[i], &t[j], lim))
                wgt += c[j].mult;
        if (wgt > best_w) {               /* ties: the first, i.e. lowest (lat, lon) */
            best_w = wgt;
            best = i;
        }
    }
    double clat = c[best].lat, clon = c[best].lon, slat = 0, slon = 0;
    for (size_t j = 0; j < d; j++)
        if (j == best || (fabs(c[j].lat - clat) <= band && within(&t[best], &t[j], lim))) {
            slat += (double)c[j].mult * c[j].lat;
            slon += (double)c[j].mult * wrap180(c[j].lon - clon);
        }
    *lat = slat / (double)best_w;
    *lon = wrap180(clon + slon / (double)best_w);
}

static int float_cmp(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

#define BITS_KEY(x) (x)
SORT_RADIX_DEFINE(sort_distance_bits, uint32_t, BITS_KEY)

/* Sorts e[0..m) when no value is negative, -0 or NaN (distances): their
 * bit patterns then order as the values, for an LSD radix sort, 11 bits a
 * pass.  Returns 0 (e untouched) otherwise or out of memory. */
static int sort_distances(float *e, size_t m)
{
    for (size_t i = 0; i < m; i++)
        if (signbit(e[i]) || isnan(e[i]))
            return 0;
    uint32_t *a = malloc(m * sizeof *a), *b = malloc(m * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return 0;
    }
    memcpy(a, e, m * sizeof *a);
    memcpy(e, sort_distance_bits(a, b, m, 0, 32), m * sizeof *a);
    free(a);
    free(b);
    return 1;
}

/* median, share <= 1 km and <= 10 km of e[0..m) (sorted in place); NaN if m = 0 */
static void summarise(float *e, size_t m, double *median, double *w1, double *w10)
{
    if (!m) {
        *median = *w1 = *w10 = NAN;
        return;
    }
    if (!sort_distances(e, m))
        qsort(e, m, sizeof *e, float_cmp);
    *median = m % 2 ? e[m / 2] : ((double)e[m / 2 - 1] + e[m / 2]) / 2;
    size_t a = 0, b = 0;
    for (size_t i = 0; i < m; i++) {
        a += e[i] <= 1.0f;
        b += e[i] <= 10.0f;
    }
    *w1 = (double)a / (double)m;
    *w10 = (double)b / (double)m;
}

/* ---- unicity ------------------------------------------------------------------ */


struct occ {                              /* a probe holds this (slot, cell) as its bit-th point */
    uint64_t key;
    uint32_t probe, bit;
};

static int occ_cmp(const void *a, const void *b)
{
    const struct occ *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->probe > y->probe) - (x->probe < y->probe);
}

/* Person u's distinct (slot, cell) keys into keys[] (room for every point
 * of u); returns how many, stopping at `cap` distinct. */
static size_t trace_keys(const struct location *L, uint32_t u, uint64_t *keys, size_t cap)
{
    uint64_t base = L->off[u];
    const struct location_place *pl = L->place + L->poff[u];
    uint64_t m = L->off[u + 1] - L->off[u];
    unsigned cb = L->row_bits + L->col_bits;
    size_t k = 0, slot_start = 0;
    uint32_t cur = UINT32_MAX;
    for (uint64_t i = 0; i < m && k < cap; i++) {
        uint32_t w = location_word(L, base + i), s = w & L->slot_mask;
        if (s != cur) {
            cur = s;
            slot_start = k;
        }
        const struct location_place *q = &pl[location_word_place(L, w)];
        uint64_t key = (uint64_t)s << cb | cell_of(L, q->lat, q->lon);
        size_t j = slot_start;
        while (j < k && keys[j] != key)
            j++;
        if (j == k)
            keys[k++] = key;
    }
    return k;
}

struct slot_entry {                      /* a distinct probe key and its run in occ */
    uint64_t key;
    uint32_t first, count;                /* count 0: empty */
};

struct unicity {
    struct occ *occ;                      /* the probes' points, sorted by key */
    size_t nocc, nprobes;
    uint32_t *probe_person;
    uint8_t *probe_k, *mark, *unique;
    uint32_t *touched;
    struct slot_entry *table;             /* open addressing on mix_fmix64(key), the key inline */
    uint64_t mask;
    uint64_t *filter;                     /* two bits per key in one word (a blocked Bloom filter, in
                                             L2): about 0.2% false positives at 2^20 bits */
    unsigned filter_shift;
};

/* The filter word and the two bits of key. */
static inline uint64_t filter_bits(uint64_t key, unsigned shift, uint64_t *word)
{
    uint64_t f = key * 0x9e3779b97f4a7c15ull;
    *word = f >> shift;
    return (uint64_t)1 << ((f >> (shift - 6)) & 63) | (uint64_t)1 << ((f >> (shift - 12)) & 63);
}

static void unicity_free(struct unicity *U)
{
    free(U->occ);
    free(U->probe_person);
    free(U->probe_k);
    free(U->mark);
    free(U->unique);
    free(U->touched);
    free(U->table);
    free(U->filter);
    memset(U, 0, sizeof *U);
}

/* Draw the probes and their points, and index the points.  ncell[u] =
 * min(distinct (slot, cell) points, LOCATION_KMAX); elig and keys are
 * scratch (N, and the most points of a person).  0 or -1 (OOM). */
static int unicity_prepare(struct unicity *U, const struct location *L, const uint8_t *ncell, uint32_t *elig,
                           uint64_t *keys, gsl_rng *r, struct location_metrics *out)
{
    uint32_t n = L->n, probes = L->p.probes;
    size_t maxprobes = (size_t)LOCATION_KMAX * probes, maxocc = (size_t)21 * probes;
    memset(U, 0, sizeof *U);
    U->occ = malloc(maxocc * sizeof *U->occ);
    U->probe_person = malloc(maxprobes * sizeof *U->probe_person);
    U->probe_k = malloc(maxprobes);
    U->mark = calloc(maxprobes, 1);
    U->unique = malloc(maxprobes);
    U->touched = malloc(maxprobes * sizeof *U->touched);
    if (!U->occ || !U->probe_person || !U->probe_k || !U->mark || !U->unique || !U->touched)
        return -1;
    size_t np = 0;
    for (unsigned k = 1; k <= LOCATION_KMAX; k++) {
        uint32_t e = 0;
        for (uint32_t u = 0; u < n; u++)
            if (ncell[u] >= k)
                elig[e++] = u;
        uint32_t m = e < probes ? e : probes;
        out->unicity_probes[k - 1] = m;
        for (uint32_t t = 0; t < m; t++) {  /* partial Fisher-Yates: m people without replacement */
            uint32_t j = t + (uint32_t)gsl_rng_uniform_int(r, e - t), x = elig[t];
            elig[t] = elig[j];
            elig[j] = x;
        }
        for (uint32_t t = 0; t < m; t++) {  /* and k of each one's points */
            uint32_t u = elig[t];
            size_t d = trace_keys(L, u, keys, SIZE_MAX);
            for (unsigned b = 0; b < k; b++) {
                size_t j = b + (size_t)gsl_rng_uniform_int(r, d - b);
                uint64_t x = keys[b];
                keys[b] = keys[j];
                keys[j] = x;
                U->occ[U->nocc++] = (struct occ){ keys[b], (uint32_t)np, b };
            }
            U->probe_person[np] = u;
            U->probe_k[np] = (uint8_t)k;
            U->unique[np] = 1;
            np++;
        }
    }
    U->nprobes = np;
    qsort(U->occ, U->nocc, sizeof *U->occ, occ_cmp);
    uint64_t cap = 64, fbits = (uint64_t)1 << 16, distinct = 0;
    for (size_t i = 0; i < U->nocc; i++)
        distinct += !i || U->occ[i].key != U->occ[i - 1].key;
    while (cap < 2 * distinct)            /* at most half full */
        cap *= 2;
    while (fbits < 32 * (uint64_t)U->nocc && fbits < ((uint64_t)1 << 23))
        fbits *= 2;
    U->mask = cap - 1;
    U->filter_shift = 64 - (bits_for(fbits - 1) - 6);
    U->table = calloc(cap, sizeof *U->table);
    U->filter = calloc(fbits / 64, sizeof *U->filter);
    if (!U->table || !U->filter)
        return -1;
    for (size_t i = 0, j; i < U->nocc; i = j) {
        uint64_t key = U->occ[i].key, h = mix_fmix64(key) & U->mask, w, b = filter_bits(key, U->filter_shift, &w);
        for (j = i + 1; j < U->nocc && U->occ[j].key == key; j++)
            ;
        U->filter[w] |= b;
        while (U->table[h].count)
            h = (h + 1) & U->mask;
        U->table[h] = (struct slot_entry){ key, (uint32_t)i, (uint32_t)(j - i) };
    }
    return 0;
}

/* A point of person v's trace with this (slot, cell) key: marks, for
 * every probe holding the key, its bit; *nt counts the probes touched
 * (U->touched).  Most keys stop at the filter. */
static inline void unicity_hit(struct unicity *U, uint64_t key, size_t *nt)
{
    uint64_t w, b = filter_bits(key, U->filter_shift, &w);
    if ((U->filter[w] & b) != b)
        return;
    uint64_t h = mix_fmix64(key) & U->mask;
    const struct slot_entry *t;
    while ((t = &U->table[h])->count && t->key != key)
        h = (h + 1) & U->mask;
    for (size_t o = t->first, oe = o + t->count; o < oe; o++) {
        uint32_t pr = U->occ[o].probe;
        if (!U->mark[pr])
            U->touched[(*nt)++] = pr;
        U->mark[pr] |= (uint8_t)(1u << U->occ[o].bit);
    }
}

/* After every point of person v went through unicity_hit(): a probe whose
 * k points v holds all is not unique (unless v is the probe's person). */
static void unicity_settle(struct unicity *U, uint32_t v, size_t nt)
{
    for (size_t i = 0; i < nt; i++) {
        uint32_t pr = U->touched[i];
        if (U->mark[pr] == (1u << U->probe_k[pr]) - 1 && U->probe_person[pr] != v)
            U->unique[pr] = 0;
        U->mark[pr] = 0;
    }
}

static void unicity_finish(const struct unicity *U, struct location_metrics *out)
{
    uint64_t uniq[LOCATION_KMAX] = { 0 };
    for (size_t i = 0; i < U->nprobes; i++)
        uniq[U->probe_k[i] - 1] += U->unique[i];
    for (unsigned k = 0; k < LOCATION_KMAX; k++)
        out->unicity[k] = out->unicity_probes[k] ? (double)uniq[k] / (double)out->unicity_probes[k] : NAN;
}

/* ---- co-location ---------------------------------------------------------------- */

struct centry {
    uint64_t key;                         /* sampled slot (in the block) << cell bits | cell */
    uint32_t person;
};

/* Stable LSD radix sort of e[0..m) on the low `bits` bits of key (tmp: m
 * entries); returns the sorted array (e or tmp). */
#define CENTRY_KEY(x) ((x).key)
SORT_RADIX_DEFINE(radix_sort_centries, struct centry, CENTRY_KEY)

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* cur: scratch, a cursor per person (N); slot_points: the points stored
 * per slot (elapsed of them). */
static int coloc_run(const struct location *L, const struct location_truth *truth, uint32_t elapsed, uint32_t *cur,
                     const uint64_t *slot_points, gsl_rng *r, struct location_metrics *out)
{
    uint32_t ns = L->p.coloc_hours == 0 || L->p.coloc_hours >= elapsed ? elapsed : L->p.coloc_hours;
    uint32_t *all = malloc((size_t)elapsed * sizeof *all), *slots = malloc((size_t)ns * sizeof *slots);
    int32_t *sidx = malloc((size_t)elapsed * sizeof *sidx);
    uint64_t *per = calloc(ns, sizeof *per), *tk = NULL;
    struct centry *e = NULL, *tmp = NULL;
    size_t tkcap = 0, ecap = 0;
    int rc = -1;
    if (!all || !slots || !sidx || !per)
        goto done;
    for (uint32_t s = 0; s < elapsed; s++) {
        all[s] = s;
        sidx[s] = -1;
    }
    if (ns == elapsed)
        memcpy(slots, all, (size_t)ns * sizeof *slots);
    else
        gsl_ran_choose(r, slots, ns, all, elapsed, sizeof *slots);  /* sorted */
    for (uint32_t i = 0; i < ns; i++)
        sidx[slots[i]] = (int32_t)i;
    for (uint32_t i = 0; i < ns; i++)        /* points per sampled slot, to cut blocks */
        per[i] = slot_points[slots[i]];
    unsigned cb = L->row_bits + L->col_bits;
    double pairs = 0, correct = 0;
    memset(cur, 0, (size_t)L->n * sizeof *cur);
    for (uint32_t c0 = 0, c1; c0 < ns; c0 = c1) {
        size_t total = per[c0];
        for (c1 = c0 + 1; c1 < ns && total + per[c1] <= COLOC_BLOCK; c1++)
            total += per[c1];
        if (total > ecap) {                /* as large as needed, doubling: a block at most (or one slot) */
            size_t want = 2 * ecap > total ? 2 * ecap : total;
            ecap = want < COLOC_BLOCK ? want : total > COLOC_BLOCK ? total : COLOC_BLOCK;
            free(e);
            free(tmp);
            e = malloc(ecap * sizeof *e);
            tmp = malloc(ecap * sizeof *tmp);
            if (!e || !tmp)
                goto done;
        }
        uint32_t lo = slots[c0], hi = slots[c1 - 1];
        size_t m = 0;
        for (uint32_t v = 0; v < L->n; v++) {
            uint64_t base = L->off[v];
            const struct location_place *pl = L->place + L->poff[v];
            uint64_t cnt = L->off[v + 1] - L->off[v];
            uint64_t i = cur[v];          /* blocks come in slot order: go on from the last */
            while (i < cnt && (location_word(L, base + i) & L->slot_mask) < lo)
                i++;
            for (; i < cnt; i++) {
                uint32_t w = location_word(L, base + i), s = w & L->slot_mask;
                if (s > hi)
                    break;
                if (sidx[s] >= 0 && !(location_word_flags(L, w) & LOCATION_COARSE)) {   /* a gateway or an exit is not a place */
                    const struct location_place *q = &pl[location_word_place(L, w)];
                    e[m++] = (struct centry){ (uint64_t)(sidx[s] - (int32_t)c0) << cb | cell_of(L, q->lat, q->lon),
                                              v };
                }
            }
            cur[v] = (uint32_t)i;
        }
        /* by (slot, cell); people stay in id order within a group (stable) */
        struct centry *g = radix_sort_centries(e, tmp, m, 0, cb + bits_for(c1 - c0 - 1));
        for (size_t i = 0; i < m;) {
            size_t j = i, d = 0;
            for (; j < m && g[j].key == g[i].key; j++)
                if (j == i || g[j].person != g[j - 1].person)
                    g[i + d++].person = g[j].person;
            if (d >= 2) {
                pairs += (double)d * (double)(d - 1) / 2;
                if (d > tkcap) {
                    free(tk);
                    tkcap = 2 * d;
                    tk = malloc(tkcap * sizeof *tk);
                    if (!tk)
                        goto done;
                }
                uint32_t h = slots[c0 + (uint32_t)(g[i].key >> cb)];
                for (size_t q = 0; q < d; q++) {
                    float la, lo2;
                    truth->where(truth->ctx, g[i + q].person, h, &la, &lo2);
                    tk[q] = cell_of(L, la, lo2);
                }
                if (d > 16) {
                    qsort(tk, d, sizeof *tk, u64_cmp);
                } else {
                    for (size_t a = 1; a < d; a++) {   /* small groups: an insertion sort */
                        uint64_t x = tk[a];
                        size_t b = a;
                        for (; b > 0 && tk[b - 1] > x; b--)
                            tk[b] = tk[b - 1];
                        tk[b] = x;
                    }
                }
                for (size_t a = 0, b; a < d; a = b) {
                    for (b = a + 1; b < d && tk[b] == tk[a]; b++)
                        ;
                    correct += (double)(b - a) * (double)(b - a - 1) / 2;
                }
            }
            i = j;
        }
    }
    out->coloc_slots = ns;
    out->coloc_pairs = pairs / ns;
    out->coloc_precision = pairs > 0 ? correct / pairs : NAN;
    rc = 0;
done:
    free(all);
    free(slots);
    free(sidx);
    free(per);
    free(tk);
    free(e);
    free(tmp);
    return rc;
}

/* ---- the metrics ------------------------------------------------------------------ */

/* The points of p[0..m) with `flag` (all of them when flag is 0) and
 * without `skip`, into c as distinct places with multiplicities, while
 * there are at most 32; past that, one entry per point (cluster() merges
 * them).  Returns how many. */
static size_t gather(const struct location_point *p, uint64_t m, unsigned flag, unsigned skip, struct cpt *c)
{
    size_t d = 0;
    for (uint64_t i = 0; i < m; i++) {
        unsigned f = p[i].slot >> FLAG_SHIFT;
        if ((flag && !(f & flag)) || (f & skip))
            continue;
        size_t j = 0;
        while (j < d && (c[j].lat != p[i].lat || c[j].lon != p[i].lon))
            j++;
        if (j < d) {
            c[j].mult++;
        } else if (d < 32) {
            c[d++] = (struct cpt){ p[i].lat, p[i].lon, 1 };
        } else {                          /* many places: one entry per point */
            d = 0;
            for (uint64_t q = 0; q < m; q++) {
                unsigned g = p[q].slot >> FLAG_SHIFT;
                if ((!flag || (g & flag)) && !(g & skip))
                    c[d++] = (struct cpt){ p[q].lat, p[q].lon, 1 };
            }
            return d;
        }
    }
    return d;
}

/* The points for a home (flag LOCATION_NIGHT) or work estimate: the
 * fixed-line ones if any, else the coarse ones. */
static size_t gather_place(const struct location_point *p, uint64_t m, unsigned flag, struct cpt *c)
{
    size_t k = gather(p, m, flag, LOCATION_COARSE, c);
    return k ? k : gather(p, m, flag, 0, c);
}

/* A distinct position among a person's NIGHT (or WORK) points, gathered
 * in the same pass as the other per-point work. */
struct place {
    uint64_t pos;                         /* lat and lon, their bits (pos_of()) */
    uint32_t fixed, all;                  /* its points not flagged COARSE, and all of them */
};

#define PLACES_MAX 32                     /* past this, gather_place() instead */

/* The position of a stored point as one word: two stored positions are
 * equal as floats exactly when their bits are (no NaN is stored, and -0
 * was made +0 when staged). */
static inline uint64_t pos_of(const struct location_point *x)
{
    uint32_t a, b;
    memcpy(&a, &x->lat, sizeof a);
    memcpy(&b, &x->lon, sizeof b);
    return (uint64_t)a << 32 | b;
}

/* Count position pos in q[0..*k); 0 when that would make more than
 * PLACES_MAX places. */
static inline int place_add(struct place *q, size_t *k, uint64_t pos, int coarse)
{
    size_t j = 0;
    while (j < *k && q[j].pos != pos)
        j++;
    if (j == *k) {
        if (j == PLACES_MAX)
            return 0;
        q[j] = (struct place){ pos, 0, 0 };
        (*k)++;
    }
    q[j].fixed += !coarse;
    q[j].all++;
    return 1;
}

static inline struct cpt place_cpt(const struct place *q, uint32_t mult)
{
    uint32_t a = (uint32_t)(q->pos >> 32), b = (uint32_t)q->pos;
    struct cpt c = { 0, 0, mult };
    memcpy(&c.lat, &a, sizeof a);
    memcpy(&c.lon, &b, sizeof b);
    return c;
}

/* What gather_place() gives for the same points (as a set: cluster()
 * sorts): the fixed-line places if any, else every place. */
static size_t place_pick(const struct place *q, size_t k, struct cpt *c)
{
    size_t d = 0;
    for (size_t j = 0; j < k; j++)
        if (q[j].fixed)
            c[d++] = place_cpt(&q[j], q[j].fixed);
    if (d)
        return d;
    for (size_t j = 0; j < k; j++)
        c[d++] = place_cpt(&q[j], q[j].all);
    return d;
}

/* The cell of a recently seen position (cell_of() is a function of the
 * position alone), direct-mapped by a hash of the position; 16 KiB. */
struct cell_memo {
    uint64_t pos, cell;
};

#define CELL_MEMO_BITS 10

int location_metrics(struct location *L, const struct location_truth *truth, uint32_t now_hours, gsl_rng *r,
                     struct location_metrics *out)
{
    memset(out, 0, sizeof *out);
    out->home_share = out->home_error_median_km = out->home_within_1km = out->home_within_10km = NAN;
    out->work_share = out->work_error_median_km = out->work_within_1km = out->work_within_10km = NAN;
    out->user_days_located = out->coloc_pairs = out->coloc_precision = NAN;
    out->home_error_max_km = out->work_error_max_km = NAN;
    for (int k = 0; k < LOCATION_KMAX; k++)
        out->unicity[k] = NAN;
    if (!truth || truth->n != L->n || !truth->locatable || !truth->home_lat || !truth->home_lon)
        return -1;
    uint32_t n = L->n;
    uint64_t maxdeg = 0;
    for (uint32_t u = 0; u < n; u++)
        if (location_count(L, u) > maxdeg)
            maxdeg = location_count(L, u);
    struct location_point *dec = malloc((maxdeg + 1) * sizeof *dec);   /* a person's points, decoded */
    float *herr = malloc((size_t)n * sizeof *herr), *werr = malloc((size_t)n * sizeof *werr);
    uint8_t *ncell = malloc(n);
    uint32_t *elig = malloc((size_t)n * sizeof *elig);
    struct cpt *c = malloc((maxdeg + 1) * sizeof *c);
    struct trig *tr = malloc((maxdeg + 1) * sizeof *tr);
    uint64_t *keys = malloc((maxdeg + 1) * sizeof *keys);
    uint64_t *npos = malloc((maxdeg + 1) * sizeof *npos), *wpos = malloc((maxdeg + 1) * sizeof *wpos);
    /* a person's NIGHT and WORK points (uint64_t: a byte store could alias anything, and the loop's
     * loads of L and U would be repeated) */
    uint64_t *ncoarse = malloc((maxdeg + 1) * sizeof *ncoarse), *wcoarse = malloc((maxdeg + 1) * sizeof *wcoarse);
    struct unicity U = { 0 };
    uint32_t elapsed = now_hours < L->horizon_hours ? now_hours : L->horizon_hours;
    int coloc = L->p.slot_hours == 1 && elapsed && truth->where && r;
    uint64_t *slot_points = coloc ? calloc(elapsed, sizeof *slot_points) : NULL;
    int rc = -1;
    if (!herr || !werr || !ncell || !elig || !c || !tr || !keys || !npos || !wpos || !ncoarse || !wcoarse || !dec ||
        (coloc && !slot_points))
        goto done;
    /* unicity's probes first (they need each person's first few points
     * only), so that one pass over the store serves every metric */
    if (r) {
        for (uint32_t u = 0; u < n; u++)
            ncell[u] = (uint8_t)trace_keys(L, u, keys, LOCATION_KMAX);
        if (unicity_prepare(&U, L, ncell, elig, keys, r, out))
            goto done;
    }

    uint32_t horizon_days = (L->horizon_hours + 23) / 24, days = (now_hours + 23) / 24;
    if (days > horizon_days)
        days = horizon_days;
    uint64_t locatable = 0, workers = 0, located_days = 0;
    size_t nh = 0, nw = 0;
    double km = L->p.cluster_km;
    unsigned cb = L->row_bits + L->col_bits;
    uint32_t slot_hours = L->p.slot_hours;
    struct cell_memo memo[1 << CELL_MEMO_BITS];
    for (size_t i = 0; i < sizeof memo / sizeof *memo; i++)
        memo[i].pos = UINT64_MAX;         /* no stored position has these bits (NaN) */
    for (uint32_t u = 0; u < n; u++) {
        uint64_t m = location_count(L, u);
        const struct location_point *p = dec;
        for (uint64_t i = 0; i < m; i++)
            dec[i] = location_get(L, u, i);
        int loc = truth->locatable[u] != 0;
        int worker = loc && truth->work_lat && !isnan(truth->work_lat[u]);
        locatable += (uint64_t)loc;
        workers += (uint64_t)worker;
        uint32_t last_day = UINT32_MAX;
        struct place night[PLACES_MAX], work[PLACES_MAX];
        size_t kn = 0, kw = 0, nt = 0, an = 0, aw = 0;
        int okn = loc, okw = worker;      /* still gathering */
        for (uint64_t i = 0; i < m; i++) {
            uint32_t sl = p[i].slot, s = sl & SLOT_MASK, day = (uint32_t)((uint64_t)s * slot_hours / 24);
            unsigned f = sl >> FLAG_SHIFT;
            uint64_t pos = pos_of(&p[i]);
            if (U.nocc) {
                struct cell_memo *cm = &memo[pos * 0x9e3779b97f4a7c15ull >> (64 - CELL_MEMO_BITS)];
                if (cm->pos != pos) {     /* people come back to the same few places */
                    cm->pos = pos;
                    cm->cell = cell_of(L, p[i].lat, p[i].lon);
                }
                unicity_hit(&U, (uint64_t)s << cb | cm->cell, &nt);
            }
            if (coloc && s < elapsed && !(f & LOCATION_COARSE))
                slot_points[s]++;
            if (loc && day != last_day && day < days)
                located_days++;
            last_day = day;
            unsigned coarse = f >> 2 & 1;   /* LOCATION_COARSE; appended without a branch */
            npos[an] = pos;
            ncoarse[an] = coarse;
            an += (unsigned)loc & f;        /* LOCATION_NIGHT */
            wpos[aw] = pos;
            wcoarse[aw] = coarse;
            aw += (unsigned)worker & f >> 1; /* LOCATION_WORK */
        }
        for (size_t j = 0; okn && j < an; j++)
            okn = place_add(night, &kn, npos[j], (int)ncoarse[j]);
        for (size_t j = 0; okw && j < aw; j++)
            okw = place_add(work, &kw, wpos[j], (int)wcoarse[j]);
        if (nt)
            unicity_settle(&U, u, nt);
        if (!m || !loc)
            continue;
        size_t k = okn ? place_pick(night, kn, c) : gather_place(p, m, LOCATION_NIGHT, c);
        if (!k && L->p.slot_hours == 24)  /* hours unknown: all points */
            k = gather_place(p, m, 0, c);
        double lat, lon;
        if (k) {
            cluster(c, k, km, tr, &lat, &lon);
            herr[nh++] = (float)location_haversine_km(lat, lon, truth->home_lat[u], truth->home_lon[u]);
        }
        if (worker && (k = okw ? place_pick(work, kw, c) : gather_place(p, m, LOCATION_WORK, c))) {
            cluster(c, k, km, tr, &lat, &lon);
            werr[nw++] = (float)location_haversine_km(lat, lon, truth->work_lat[u], truth->work_lon[u]);
        }
    }
    if (locatable) {
        out->home_share = (double)nh / (double)locatable;
        if (days)
            out->user_days_located = (double)located_days / ((double)locatable * days);
    }
    if (workers)
        out->work_share = (double)nw / (double)workers;
    summarise(herr, nh, &out->home_error_median_km, &out->home_within_1km, &out->home_within_10km);
    summarise(werr, nw, &out->work_error_median_km, &out->work_within_1km, &out->work_within_10km);
    out->home_error_max_km = nh ? herr[nh - 1] : NAN;          /* sorted by summarise */
    out->work_error_max_km = nw ? werr[nw - 1] : NAN;
    if (r)
        unicity_finish(&U, out);

    if (coloc && coloc_run(L, truth, elapsed, elig, slot_points, r, out))
        goto done;
    rc = 0;
done:
    unicity_free(&U);
    free(slot_points);
    free(herr);
    free(werr);
    free(ncell);
    free(elig);
    free(c);
    free(tr);
    free(keys);
    free(npos);
    free(wpos);
    free(ncoarse);
    free(wcoarse);
    free(dec);
    return rc;
}
