/* check_infile — input files opened without trusting them (sim/infile.c):
 * regular files only, without blocking on a FIFO, sizes checked before
 * reading, NUL bytes found with their line. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "infile.h"
#include "suites.h"
#include "testutil.h"

START_TEST(test_regular_only)
{
    char *dir = tu_mkdtemp(), *fifo, *file;
    ck_assert_int_ge(asprintf(&fifo, "%s/f", dir), 0);
    ck_assert_int_ge(asprintf(&file, "%s/r.txt", dir), 0);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(infile_open(fifo, NULL, NULL, &d), -1);          /* at once: no writer needed */
    ck_assert_ptr_nonnull(strstr(d.msg[0], "/f: a FIFO, not a regular file"));
    ck_assert_ptr_null(infile_read("/dev/null", "the base scenario", 100, &(size_t){ 0 }, &d));
    ck_assert_str_eq(d.msg[1], "/dev/null: the base scenario is a character device, not a regular file: exposim reads "
                               "its inputs from regular files only (a FIFO would block, a device never ends)");
    ck_assert_ptr_null(infile_fopen(dir, NULL, &d));
    ck_assert_ptr_nonnull(strstr(d.msg[2], ": a directory, not a regular file"));
    ck_assert_int_eq(infile_open("/nonexistent/x", "the base scenario", NULL, &d), -1);
    ck_assert_str_eq(d.msg[3], "/nonexistent/x: cannot open the base scenario: No such file or directory");
    diag_destroy(&d);

    tu_write(file, "12345\n");
    size_t len = 0;
    char *buf = infile_read(file, NULL, 6, &len, &d);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(len, 6);
    ck_assert_str_eq(buf, "12345\n");
    free(buf);
    ck_assert_ptr_null(infile_read(file, "a GraphML file", 5, &len, &d));
    ck_assert_ptr_nonnull(strstr(d.msg[0], "r.txt: 6 bytes, more than the 5 allowed for a GraphML file"));
    long long size = -1;
    int fd = infile_open(file, NULL, &size, &d);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(size, 6);
    close(fd);
    diag_destroy(&d);
    free(fifo), free(file);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_nul)
{
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(infile_check_text("f", "ab\ncd", 5, &d), 0);
    ck_assert_int_eq(infile_check_text("f", "ab\nc\nd\0e", 8, &d), -1);
    ck_assert_str_eq(d.msg[0], "f:3: a NUL byte (at offset 6): not a text file");
    diag_destroy(&d);
}
END_TEST

Suite *infile_suite(void)
{
    Suite *s = suite_create("infile");
    TCase *tc = tcase_create("infile");
    tcase_add_test(tc, test_regular_only);
    tcase_add_test(tc, test_nul);
    suite_add_tcase(s, tc);
    return s;
}
