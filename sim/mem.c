/* mem — page advice for large arrays; see mem.h. */
#define _DEFAULT_SOURCE                   /* madvise */
#include "mem.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* The advice on the whole pages of [p, p + n), if there are any. */
static void advise(void *p, size_t n, int advice)
{
    static uintptr_t page;
    if (!page) {
        long s = sysconf(_SC_PAGESIZE);
        page = s > 0 ? (uintptr_t)s : 4096;
    }
    uintptr_t a = ((uintptr_t)p + page - 1) / page * page, b = ((uintptr_t)p + n) / page * page;
    if (p && b > a)
        (void)madvise((void *)a, b - a, advice);   /* advice: an error changes nothing */
}

void mem_prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
    if (n >= MEM_PREFAULT_MIN)
        advise(p, n, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)n;
#endif
}

void mem_release(void *p, size_t n)
{
#ifdef MADV_DONTNEED
    advise(p, n, MADV_DONTNEED);
#else
    (void)p;
    (void)n;
#endif
}
