/* journal — the append-only record of a sweep's finished runs
 * (DIR/sweep.journal), from which every output of a sweep is written.
 *
 * It is a CSV file (libcsv) in two parts.  The header says which sweep it
 * belongs to and is written whole (temporary file, fsync, rename) before
 * any run starts:
 *     exposim-sweep-journal,2
 *     hash,<SHA-256 of the sweep, design.h>
 *     sweep,<name>
 *     shard,<I>,<K>                 1,1 when not sharded
 *     points,<P>
 *     replications,<R>
 *     param,<PATH>                  one line per varied parameter
 *     point,<p>,<value>,...         one line per point of the whole design
 *     begin
 * then one line per finished run, appended with one write(2) and made
 * durable (fdatasync) before the next run is reported:
 *     run,<p>,<r>,<metric>,<value>,<metric>,<value>,...
 * with p and r 0-based and values printed exactly (%.17g; NA for NaN).
 * Every line (header lines too) ends with one more field, its checksum:
 * the CRC-32 (IEEE) of its fields, each as "LENGTH:" and its bytes, as
 * 8 lowercase hexadecimal digits.  A reader refuses a line whose checksum
 * does not match (a value edited by hand, a damaged disk block), so a
 * resumed sweep or a merge never takes in a changed value.  Text fields
 * are written as they are (no spreadsheet guard, results.h): the journal
 * keeps exact values for the program.
 * A process killed mid-write leaves at most one torn last line (without its
 * newline): readers ignore it and journal_open cuts it off, so a resumed
 * sweep neither loses nor repeats a run.  One process at a time appends
 * (journal_open locks the file). */
#ifndef EXPOSIM_JOURNAL_H
#define EXPOSIM_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define JOURNAL_NAME "sweep.journal"

struct journal_header {
    char hash[65];
    char *name;
    unsigned shard, nshards;         /* 1-based shard of nshards */
    uint32_t npoints, replications;
    size_t nparams;
    char **paths;                    /* nparams */
    char **values;                   /* npoints x nparams, point-major */
};

struct journal_run {
    uint32_t point, rep;
    size_t first;                    /* values at vals[first .. first + n) */
    uint32_t n;
};

struct journal {
    char *path;
    int fd;                          /* append descriptor, or -1 */
    struct journal_header h;
    struct journal_run *runs;        /* in file order */
    size_t nruns, capruns;
    char **metrics;                  /* interned metric names, first-seen order */
    size_t nmetrics, capmetrics;
    uint32_t *mids;                  /* metric id of each value */
    double *vals;
    size_t nvals, capvals;
    long long valid_bytes;           /* length up to the last whole line */
    int torn;                        /* a torn last line was ignored */
};

/* Free a header's strings (safe on a zeroed header). */
void journal_header_destroy(struct journal_header *h);

/* Write DIR/sweep.journal holding only the header, atomically.  Refuses to
 * replace an existing journal.  Returns 0, or -1 with a diagnostic. */
int journal_create(const char *dir, const struct journal_header *h, struct diag *d);

/* Read DIR/sweep.journal: header and every whole run line.  Returns 0;
 * 1 when there is no journal (j is empty); -1 with a diagnostic when it
 * cannot be read or is not a journal (a malformed or empty line other
 * than a torn last one included; the diagnostic is FILE:LINE of that
 * line).  O(file size).  Reading takes no lock. */
int journal_read(const char *dir, struct journal *j, struct diag *d);

/* Open DIR/sweep.journal for appending, as its only writer: take an
 * exclusive lock (flock, released when the process ends however it ends),
 * read it as journal_read does, and cut a torn last line off.  Returns 0;
 * JOURNAL_BUSY when another process holds the lock; -1 on other errors
 * (with a diagnostic either way). */
#define JOURNAL_BUSY 2
int journal_open(const char *dir, struct journal *j, struct diag *d);

/* Append one run line (as made by journal_format_run) and make it durable.
 * 0 or -1 with a diagnostic. */
int journal_append(struct journal *j, const char *line, size_t len, struct diag *d);

void journal_destroy(struct journal *j);

/* One run's line: "run,p,r,name,value,...,CHECKSUM\n", malloc'd into
 * *line.  Returns 0 or -1 (OOM). */
int journal_format_run(uint32_t point, uint32_t rep, const char *const *names, const double *vals,
                       size_t n, char **line, size_t *len);
/* Any line of n fields with its checksum, as the journal writes it (a
 * field that needs no quotes plainly, any other quoted by libcsv): for
 * tests and the fuzz targets, which make journals of their own.  Returns
 * 0 or -1 (OOM). */
int journal_format_record(const char *const *fields, size_t n, char **line, size_t *len);

#endif
