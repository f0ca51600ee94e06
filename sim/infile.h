/* infile — opening an input file without trusting it: every file exposim
 * reads (scenarios, sweeps, base scenarios, edge lists, traces, labels,
 * GraphML, journals and manifests of result directories) comes through
 * here.
 *
 * Only a regular file is read.  A FIFO would block the open (or the first
 * read) forever, and a device such as /dev/zero or /dev/urandom never
 * ends; both are refused with a message before a byte is read.  The file
 * is opened with O_NONBLOCK (so that opening a FIFO returns at once), its
 * type and size checked with fstat, and the flag cleared again.  A caller
 * that reads the whole file gives its limit, which is checked against the
 * size before reading and enforced while reading (a file that grows is
 * cut off at the limit, not followed).  Running out of memory is an error
 * with a message, never taken for the end of the file. */
#ifndef EXPOSIM_INFILE_H
#define EXPOSIM_INFILE_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"

/* Open `path` for reading: a descriptor, or -1 with "PATH: cannot open:
 * REASON" or "PATH: not a regular file (...)" in d.  `what` names the file
 * in messages ("the sweep's base scenario"; NULL: nothing).  *size (may be
 * NULL) gets the size in bytes at opening. */
int infile_open(const char *path, const char *what, long long *size, struct diag *d);

/* The same as a stdio stream ("rb"); NULL with a diagnostic. */
FILE *infile_fopen(const char *path, const char *what, struct diag *d);

/* The whole file, NUL-terminated (malloc'd; free() it), its length in *len.
 * A file of more than `max` bytes is refused before it is read ("PATH: N
 * bytes, more than the MAX allowed for WHAT"), and so is one that grows
 * past it while being read.  NULL with a diagnostic.  O(file size). */
char *infile_read(const char *path, const char *what, size_t max, size_t *len, struct diag *d);

/* Refuse text holding a NUL byte (libxml2 stops reading at one, so what
 * follows it would go unread): 0, or -1 with "PATH:LINE: a NUL byte ..."
 * in d.  O(len). */
int infile_check_text(const char *path, const char *buf, size_t len, struct diag *d);

#endif
