/* testutil — shared helpers for the Check suites: paths, running the
 * program, reading CSV back through libcsv, scratch directories. */
#ifndef EXPOSIM_TESTUTIL_H
#define EXPOSIM_TESTUTIL_H

#include <stddef.h>

#include <check.h>

/* $EXPOSIM_TOP/rel (the checkout), malloc'd. */
char *tu_top(const char *rel);
/* The program under test ($EXPOSIM_BIN). */
const char *tu_bin(void);
/* A fresh empty directory under $TMPDIR, malloc'd; removed by tu_rmtree. */
char *tu_mkdtemp(void);
void tu_rmtree(const char *dir);
/* Write text to path (creating it).  Fails the test on error. */
void tu_write(const char *path, const char *text);
/* Read a whole file (NUL-terminated, malloc'd) or NULL. */
char *tu_slurp(const char *path, size_t *len);

/* Run `exposim ARGS` (a shell word string, run by /bin/sh) with stdout and
 * stderr captured; returns the exit status.  The captured texts are
 * malloc'd into *out and *err (either may be NULL to discard). */
int tu_exposim(const char *args, char **out, char **err);

/* A CSV file read with libcsv: rows[r][f] are NUL-terminated strings; row 0
 * is the header. */
struct tu_csv {
    char ***rows;
    size_t *nfields;
    size_t nrows;
};
int tu_csv_read(const char *path, struct tu_csv *csv);   /* 0 or -1 */
void tu_csv_free(struct tu_csv *csv);
/* Column index of `name` in the header, or -1. */
int tu_csv_col(const struct tu_csv *csv, const char *name);

#endif
