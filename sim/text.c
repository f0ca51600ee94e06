/* text — XML-fit text and escapes; see text.h. */
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

size_t text_xml_char(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c = s[0];
    if (c < 0x80)
        return c >= 0x20 || c == '\t' || c == '\n' || c == '\r' ? 1 : 0;
    size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    if (!n || c > 0xf4)
        return 0;
    uint32_t cp = c & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    static const uint32_t least[] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
        return 0;
    return n;
}

size_t text_xml_bad(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (p[i]) {
        size_t n = text_xml_char((const char *)p + i);
        if (!n)
            return i;
        i += n;
    }
    return (size_t)-1;
}

size_t text_escape(char *out, size_t cap, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t need = 0, at = 0;
    int full = cap == 0;
    for (size_t i = 0; p[i];) {
        size_t n = text_xml_char((const char *)p + i);
        char esc[5];
        const char *piece;
        size_t len;
        if (!n || p[i] < 0x20 || p[i] == 0x7f) {      /* also tab, LF, CR, DEL: not for a terminal */
            snprintf(esc, sizeof esc, "\\x%02x", p[i]);
            piece = esc, len = 4, n = 1;
        } else {
            piece = (const char *)p + i, len = n;
        }
        need += len;
        if (!full && at + len < cap) {
            for (size_t k = 0; k < len; k++)
                out[at++] = piece[k];
        } else {
            full = 1;
        }
        i += n;
    }
    if (cap)
        out[at] = '\0';
    return need;
}

char *text_escape_dup(const char *s)
{
    size_t need = text_escape(NULL, 0, s);
    char *out = malloc(need + 1);
    if (out)
        text_escape(out, need + 1, s);
    return out;
}
