/* mem — advice to the system about large arrays: fault a block's pages in
 * at once before it is written, or give back those already read.
 *
 * A page of fresh memory costs a fault when it is first written: a trap,
 * the page zeroed and mapped.  Under a hypervisor the trap is the dear part
 * (on the 2-core development machine the page faults of `bulk-30` took 10%
 * of its time, those of `bulk-30-1e7` 14%); asking for a block's pages in
 * one call (Linux's MADV_POPULATE_WRITE) maps them in one pass instead.
 * Only blocks that will be written whole are prefaulted (the log's chunks,
 * the graph's rows, the day's lookups), so no memory is taken that would
 * not be.  Both calls act on the whole pages inside [p, p + n), are
 * advice (ignored where the system lacks it, as are their errors) and
 * change no value but those the caller gives back. */
#ifndef EXPOSIM_MEM_H
#define EXPOSIM_MEM_H

#include <stddef.h>

/* Map the pages of [p, p + n) for writing now, when n is at least
 * MEM_PREFAULT_MIN. */
#define MEM_PREFAULT_MIN ((size_t)1 << 16)
void mem_prefault(void *p, size_t n);
/* Give back the pages of [p, p + n): they read as zeros afterwards. */
void mem_release(void *p, size_t n);

#endif
