/* mem — page advice for large arrays; see mem.h. */
#define _DEFAULT_SOURCE                   /* madvise */
#include "mem.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* The whole pages of [p, p + n): 0 when there are none. */
static size_t pages(void *p, size_t n, uintptr_t *lo)
{
    static uintptr_t page;
    if (!page) {
        long s = sysconf(_SC_PAGESIZE);
        page = s > 0 ? (uintptr_t)s : 4096;
    }
    uintptr_t a = ((uintptr_t)p + page - 1) / page * page, b = ((uintptr_t)p + n) / page * page;
    *lo = a;
    return p && b > a ? b - a : 0;
}

void mem_prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
    uintptr_t lo;
    size_t len = n >= MEM_PREFAULT_MIN ? pages(p, n, &lo) : 0;
    if (len)
        (void)madvise((void *)lo, len, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)n;
#endif
}

void mem_release(void *p, size_t n)
{
#ifdef MADV_DONTNEED
    uintptr_t lo;
    size_t len = pages(p, n, &lo);
    if (len)
        (void)madvise((void *)lo, len, MADV_DONTNEED);
#else
    (void)p;
    (void)n;
#endif
}
