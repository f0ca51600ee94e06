/* text — strings from outside the program checked and escaped before they
 * reach an XML file or a terminal.
 *
 * File names, command-line arguments, --set values and the names read
 * from result files are bytes, not necessarily text: they may hold
 * control characters (which XML 1.0 cannot store at all, not even as
 * character references, and which a terminal may obey) or invalid UTF-8.
 * text_xml_char and text_xml_bad find such bytes (cfg refuses them in
 * --set; manifest replaces them); text_escape writes a string with them as
 * \xNN, so that it can be shown (diag). */
#ifndef EXPOSIM_TEXT_H
#define EXPOSIM_TEXT_H

#include <stddef.h>

/* The length of the valid UTF-8 sequence at s if it encodes an XML 1.0
 * character (tab, LF, CR, U+0020 .. U+D7FF, U+E000 .. U+FFFD, U+10000 ..
 * U+10FFFF, shortest form), else 0 (a NUL included). */
size_t text_xml_char(const char *s);

/* The offset of the first byte of s (NUL-terminated) that does not belong
 * to valid UTF-8 of an XML 1.0 character (tab, line feed and carriage
 * return are the only control characters allowed; U+FFFE, U+FFFF,
 * surrogates and overlong forms are refused), or (size_t)-1 when s is all
 * fit.  O(length). */
size_t text_xml_bad(const char *s);

/* s with every byte that text_xml_bad would stop at, and every other
 * control character (tab and line breaks too), written as \xNN (four ASCII
 * characters): fit for a message on a terminal.  Writes at most cap bytes
 * with the NUL (cut short at a whole character or escape when too long);
 * returns the length the whole escaped string needs, without the NUL. */
size_t text_escape(char *out, size_t cap, const char *s);

/* text_escape into a new string (malloc'd; NULL when memory runs out). */
char *text_escape_dup(const char *s);

#endif
