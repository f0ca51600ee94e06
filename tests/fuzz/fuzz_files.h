/* fuzz_files — what the fuzz targets that work on directories share: a
 * scratch root in /dev/shm (or /tmp), an input split into files, a tree
 * removed, and a CSV file that must read back.
 *
 * A multi-file input is text: everything before the first line
 * "=== NAME" is ignored; each such line starts the file NAME (a relative
 * path of letters, digits, '.', '_', '-' and '/', without "..": anything
 * else skips the part), which holds the lines up to the next one. */
#ifndef EXPOSIM_FUZZ_FILES_H
#define EXPOSIM_FUZZ_FILES_H

#include <stddef.h>
#include <stdint.h>

/* A fresh directory for this process, made at the first call and removed
 * when the process exits normally. */
const char *fuzz_root(void);
/* rm -rf path (no symbolic link is followed). */
void fuzz_rmtree(const char *path);
/* mkdir -p */
void fuzz_mkdirs(const char *path);
/* Write the files of a multi-file input under dir; `each` (may be NULL)
 * may rewrite a part's bytes first: it gets the file name and the bytes
 * and returns malloc'd replacement bytes (length in *outlen) or NULL to
 * keep them.  Returns how many files were written. */
size_t fuzz_split(const char *dir, const uint8_t *data, size_t size,
                  char *(*each)(const char *name, const char *bytes, size_t len, size_t *outlen));
/* Write bytes to path (aborts on a write error: the scratch disk is ours). */
void fuzz_put(const char *path, const void *bytes, size_t len);
/* Whether path holds a CSV file libcsv reads strictly; -1 if absent. */
int fuzz_csv_ok(const char *path);

#endif
