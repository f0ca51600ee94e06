/* diag — the one error type: a list of "FILE:LINE: message" diagnostics.
 *
 * Every layer that can reject input appends to a struct diag and returns an
 * error; only the command line (main.c) prints them.  A diag owns its
 * strings; diag_destroy frees them. */
#ifndef EXPOSIM_DIAG_H
#define EXPOSIM_DIAG_H

#include <stddef.h>

#define DIAG_MAX 64            /* further messages are counted, not kept */

struct diag {
    char *msg[DIAG_MAX];
    size_t n;                  /* messages kept */
    size_t dropped;            /* messages past DIAG_MAX */
};

void diag_init(struct diag *d);
void diag_destroy(struct diag *d);
/* Append "file:line: message" (file NULL: no location; line 0: "file: ").
 * Returns -1 so callers can write `return diag_add(...)`. */
int diag_add(struct diag *d, const char *file, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_print(const struct diag *d, void *stream /* FILE * */);

#endif
