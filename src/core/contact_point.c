/* Reading a charter's telephone numbers and public links: what a policy may
 * publish, so the public page never shows a number nobody can dial or a
 * link that is not one. */
#include "core/contact_point.h"

#include <string.h>

bool ch_telephone_ok(const char *s)
{
    size_t digits = 0, len = strlen(s);
    bool open = false;
    char prev = '\0';
    if (len == 0 || len > 40)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            digits++;
        } else if (c == '+') {
            if (i != 0)
                return false;
        } else if (c == ' ' || c == '-') {
            /* a separator sits between parts, never two together */
            if (i == 0 || prev == ' ' || prev == '-' || prev == '(' || i + 1 == len)
                return false;
        } else if (c == '(') {
            if (open || (prev >= '0' && prev <= '9'))
                return false;
            open = true;
        } else if (c == ')') {
            if (!open || !(prev >= '0' && prev <= '9'))
                return false;
            open = false;
        } else {
            return false;
        }
        prev = c;
    }
    return !open && digits >= 3 && digits <= 15;
}

bool ch_telephone_href(const char *s, char *buf, size_t size)
{
    size_t used = 0;
    const char prefix[] = "tel:";
    if (size < sizeof(prefix))
        return false;
    memcpy(buf, prefix, sizeof(prefix) - 1);
    used = sizeof(prefix) - 1;
    for (const char *p = s; *p; p++) {
        if (!((*p >= '0' && *p <= '9') || *p == '+'))
            continue;
        if (used + 1 >= size)
            return false;
        buf[used++] = *p;
    }
    buf[used] = '\0';
    return true;
}

bool ch_public_link_ok(const char *s)
{
    size_t len = strlen(s);
    size_t scheme = strncmp(s, "https://", 8) == 0 ? 8 : strncmp(s, "http://", 7) == 0 ? 7 : 0;
    if (!scheme || len > 500 || len == scheme)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7f || strchr("\"'<>\\`", c))
            return false;
    }
    /* the host is the part before any path: it must hold something */
    return s[scheme] != '/' && s[scheme] != '?' && s[scheme] != '#';
}
