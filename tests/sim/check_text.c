/* check_text — bytes checked and escaped before they reach an XML file or
 * a terminal (sim/text.c): which bytes XML 1.0 in UTF-8 can hold, and the
 * escapes that make the others storable, reversibly when asked. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "suites.h"
#include "text.h"

START_TEST(test_xml_bad)
{
    static const struct {
        const char *s;
        size_t bad;
    } cases[] = {
        { "", (size_t)-1 },
        { "plain ascii \t\n\r", (size_t)-1 },
        { "caf\303\251 \342\202\254 \360\237\230\200 \357\277\275", (size_t)-1 },   /* 2, 3, 4 bytes, U+FFFD */
        { "a\001b", 1 },
        { "ab\033[2J", 2 },
        { "\177", (size_t)-1 },                            /* DEL is an XML character */
        { "x\377", 1 },                                    /* not UTF-8 */
        { "x\303", 1 },                                    /* cut short */
        { "x\303(", 1 },                                   /* bad continuation */
        { "\300\257", 0 },                                 /* overlong '/' */
        { "\340\200\257", 0 },                             /* overlong, 3 bytes */
        { "\355\240\200", 0 },                             /* surrogate U+D800 */
        { "\357\277\276", 0 },                             /* U+FFFE */
        { "\357\277\277", 0 },                             /* U+FFFF */
        { "\364\220\200\200", 0 },                         /* beyond U+10FFFF */
        { "\370\210\200\200\200", 0 },                     /* 5-byte form */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(text_xml_bad(cases[i].s) == cases[i].bad, "case %zu: %zu, want %zu", i,
                      text_xml_bad(cases[i].s), cases[i].bad);
}
END_TEST

/* Escapes for messages: unfit bytes and every control character as \xNN,
 * cut short only between pieces. */
START_TEST(test_escape)
{
    char buf[64];
    ck_assert_uint_eq(text_escape(buf, sizeof buf, "a\001b\\c\377\303\251\t"), 18);
    ck_assert_str_eq(buf, "a\\x01b\\c\\xff\303\251\\x09");
    ck_assert_uint_eq(text_xml_bad(buf), (size_t)-1);
    ck_assert_uint_eq(text_escape(buf, 4, "ab\001"), 6);     /* never inside an escape */
    ck_assert_str_eq(buf, "ab");
    ck_assert_uint_eq(text_escape(buf, 4, "a\303\251"), 3);  /* nor inside a character */
    ck_assert_str_eq(buf, "a\303\251");
    ck_assert_uint_eq(text_escape(buf, 3, "a\303\251"), 3);
    ck_assert_str_eq(buf, "a");
    char *d = text_escape_dup("\033[31mred");
    ck_assert_str_eq(d, "\\x1b[31mred");
    free(d);
    ck_assert_uint_eq(text_xml_char("\303\251x"), 2);
    ck_assert_uint_eq(text_xml_char(""), 0);
}
END_TEST

Suite *text_suite(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("text");
    tcase_add_test(tc, test_xml_bad);
    tcase_add_test(tc, test_escape);
    suite_add_tcase(s, tc);
    return s;
}
