/* testutil — shared helpers for the Check suites: paths, running the
 * program, reading CSV back through libcsv, scratch directories. */
#ifndef EXPOSIM_TESTUTIL_H
#define EXPOSIM_TESTUTIL_H

#include <stddef.h>

#include <check.h>
#include <gsl/gsl_rng.h>

/* Assertions for per-record loops: ck_assert_* records its location on
 * every success, which costs seconds over millions of checks; these call
 * into Check only when they fail. */
#define FAST(expr)                                                             \
    do {                                                                       \
        if (!(expr))                                                           \
            ck_abort_msg("Assertion '%s' failed", #expr);                      \
    } while (0)
#define FAST_EQ(X, Y)                                                          \
    do {                                                                       \
        long long fx_ = (long long)(X), fy_ = (long long)(Y);                  \
        if (fx_ != fy_)                                                        \
            ck_abort_msg("Assertion '%s == %s' failed: %lld != %lld", #X, #Y,  \
                         fx_, fy_);                                            \
    } while (0)

/* A gsl_rng_mt19937 generator with the given seed (the tests' own draws,
 * independent of the program's streams).  Free with gsl_rng_free. */
gsl_rng *tu_rng(unsigned long seed);

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

/* Fail the test unless files a and b both exist and have the same bytes. */
void tu_same_file(const char *a, const char *b);

/* Run `exposim ARGS` (a shell word string, run by /bin/sh) with stdout and
 * stderr captured; returns the exit status.  The captured texts are
 * malloc'd into *out and *err (either may be NULL to discard). */
int tu_exposim(const char *args, char **out, char **err);

/* Write `xml` to a scratch scenario called `file`, run `exposim run` on it, and assert
 * the exit status and that want_text appears in stdout (status 0) or
 * stderr (otherwise); `label` names the case in failure messages. */
void tu_run_expect(const char *file, const char *xml, const char *label, int want_status,
                   const char *want_text);

/* A CSV file read with libcsv: rows[r][f] are NUL-terminated strings; row 0
 * is the header. */
struct tu_csv {
    char ***rows;
    size_t *nfields;
    size_t nrows;
};
int tu_csv_read(const char *path, struct tu_csv *csv);   /* 0, or -1 with csv empty (nothing to free) */
void tu_csv_free(struct tu_csv *csv);
/* Column index of `name` in the header, or -1. */
int tu_csv_col(const struct tu_csv *csv, const char *name);

/* An XML file parsed as the program's own readers must parse it: network
 * off (XML_PARSE_NONET), never entity substitution or huge mode, and
 * refused when it has a DOCTYPE or is not well-formed.  Returns an
 * xmlDocPtr (free with xmlFreeDoc), or NULL. */
void *tu_xml_read(const char *path);
/* The string value of XPath `expr` in doc (an xmlDocPtr), malloc'd; ""
 * when nothing matches. */
char *tu_xpath(void *doc, const char *expr);
/* The number of nodes XPath `expr` selects in doc. */
int tu_xpath_count(void *doc, const char *expr);

#endif
