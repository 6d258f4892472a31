/* UTF-8 validation; see text.h. Overlong forms, surrogates and code points
 * past U+10FFFF are refused. */
#include "core/text.h"

#include <string.h>

size_t ch_utf8_invalid_at(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned cp, min;
        if (c == 0)
            return i;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            n = 1, cp = c & 0x1f, min = 0x80;
        else if (c >= 0xe0 && c <= 0xef)
            n = 2, cp = c & 0x0f, min = 0x800;
        else if (c >= 0xf0 && c <= 0xf4)
            n = 3, cp = c & 0x07, min = 0x10000;
        else
            return i;
        for (size_t k = 1; k <= n; k++) {
            if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return i;
        i += n + 1;
    }
    return len;
}

bool ch_text_said(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return true;
    return false;
}

size_t ch_text_line(const char *s, size_t max)
{
    size_t n = ch_utf8_prefix(s, max);
    if (!s)
        return 0;
    if (s[n] != '\0' && s[n] != ' ') {
        size_t k = n;
        while (k > 0 && s[k - 1] != ' ')
            k--;
        if (k > 0)
            n = k;
    }
    while (n > 0 && s[n - 1] == ' ')
        n--;
    return n;
}

size_t ch_utf8_prefix(const char *s, size_t max)
{
    size_t n = s ? strnlen(s, max) : 0;
    /* A cut inside a character moves back to its lead byte. */
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}
