/* A small HTML-to-text reader for mail that arrives as HTML only. It is not
 * a browser: it walks the bytes once, keeps the words, and turns the
 * structure people see (paragraphs, line breaks, list items, table cells)
 * into plain line breaks, never writing more than the caller allows. */
#include "mail/html.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

typedef struct out {
    char *buf;
    size_t len, cap, max;
    int pending_nl; /* line breaks owed before the next visible character */
    bool space;     /* a space is owed before the next visible character */
    bool full, nomem;
} out;

static void put(out *o, const char *s, size_t n)
{
    if (o->full || o->nomem)
        return;
    if (o->len + n > o->max) {
        n = o->max - o->len;
        o->full = true;
    }
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 256;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *grown = realloc(o->buf, cap);
        if (!grown) {
            o->nomem = true;
            return;
        }
        o->buf = grown;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

/* Pays what is owed (breaks, a space) before visible text. */
static void settle(out *o)
{
    if (o->len && o->pending_nl) {
        put(o, "\n\n", o->pending_nl > 1 ? 2 : 1);
    } else if (o->space && o->len && o->buf[o->len - 1] != '\n') {
        put(o, " ", 1);
    }
    o->pending_nl = 0;
    o->space = false;
}

static void visible(out *o, const char *s, size_t n)
{
    settle(o);
    put(o, s, n);
}

static void line_break(out *o, int n)
{
    if (o->pending_nl < n)
        o->pending_nl = n;
    o->space = false;
}

static size_t utf8_encode(uint32_t cp, char buf[4])
{
    if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        cp = 0xfffd;
    if (cp < 0x80) {
        buf[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = (char)(0xc0 | cp >> 6);
        buf[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        buf[0] = (char)(0xe0 | cp >> 12);
        buf[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        buf[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    buf[0] = (char)(0xf0 | cp >> 18);
    buf[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    buf[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    buf[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static const struct {
    const char *name;
    uint32_t cp;
} entities[] = {
    {"amp", '&'},      {"lt", '<'},       {"gt", '>'},       {"quot", '"'},     {"apos", '\''},
    {"nbsp", ' '},     {"copy", 0xa9},    {"reg", 0xae},     {"trade", 0x2122}, {"hellip", 0x2026},
    {"ndash", 0x2013}, {"mdash", 0x2014}, {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201c},
    {"rdquo", 0x201d}, {"bull", 0x2022},  {"middot", 0xb7},  {"euro", 0x20ac},  {"pound", 0xa3},
    {"laquo", 0xab},   {"raquo", 0xbb},   {"deg", 0xb0},     {"times", 0xd7},   {"shy", 0},
    {"zwnj", 0},       {"zwj", 0},        {"eacute", 0xe9},  {"egrave", 0xe8},  {"ecirc", 0xea},
    {"euml", 0xeb},    {"aacute", 0xe1},  {"agrave", 0xe0},  {"acirc", 0xe2},   {"auml", 0xe4},
    {"iacute", 0xed},  {"icirc", 0xee},   {"iuml", 0xef},    {"oacute", 0xf3},  {"ocirc", 0xf4},
    {"ouml", 0xf6},    {"uacute", 0xfa},  {"ucirc", 0xfb},   {"uuml", 0xfc},    {"wcirc", 0x175},
    {"ycirc", 0x177},  {"ccedil", 0xe7},  {"ntilde", 0xf1},  {"szlig", 0xdf},   {"Auml", 0xc4},
    {"Ouml", 0xd6},    {"Uuml", 0xdc},    {"Eacute", 0xc9},  {"Wcirc", 0x174},  {"Ycirc", 0x176},
};

/* Decodes the entity at s (just after '&'), at most n bytes; returns the
 * bytes it used (through ';'), or 0 when it is not one we know. *cp gets
 * the character, 0 for one that shows nothing. */
static size_t entity(const char *s, size_t n, uint32_t *cp)
{
    size_t end = 0;
    while (end < n && end < 12 && s[end] != ';')
        end++;
    if (end == n || end == 12 || s[end] != ';' || end == 0)
        return 0;
    if (s[0] == '#') {
        bool hex = end > 1 && (s[1] == 'x' || s[1] == 'X');
        size_t i = hex ? 2 : 1;
        uint32_t v = 0;
        if (i == end)
            return 0;
        for (; i < end; i++) {
            unsigned char c = (unsigned char)s[i];
            unsigned d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (hex && c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
            else
                return 0;
            v = v * (hex ? 16 : 10) + d;
            if (v > 0x10ffff)
                v = 0x110000; /* stays out of range, never overflows */
        }
        *cp = v ? v : 0xfffd;
        return end + 1;
    }
    for (size_t k = 0; k < sizeof(entities) / sizeof(*entities); k++)
        if (strlen(entities[k].name) == end && memcmp(entities[k].name, s, end) == 0) {
            *cp = entities[k].cp;
            return end + 1;
        }
    return 0;
}

static bool is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool name_in(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(name, *list) == 0)
            return true;
    return false;
}

/* Where "</name" next starts in s (case-insensitive), or n. */
static size_t find_close(const char *s, size_t n, const char *name)
{
    size_t k = strlen(name);
    for (size_t i = 0; i + 2 + k <= n; i++) {
        if (s[i] != '<' || s[i + 1] != '/')
            continue;
        size_t j = 0;
        while (j < k && (s[i + 2 + j] | 0x20) == name[j])
            j++;
        if (j == k)
            return i;
    }
    return n;
}

static const char *const paragraph_tags[] = {"p",   "h1", "h2",    "h3",         "h4",
                                             "h5",  "h6", "ul",    "ol",         "dl",
                                             "pre", "hr", "table", "blockquote", NULL};
static const char *const line_tags[] = {
    "div",     "tr",       "dt",     "dd",     "section", "article",    "header", "footer",
    "address", "nav",      "main",   "aside",  "figure",  "figcaption", "form",   "center",
    "caption", "fieldset", "legend", "option", "body",    NULL};
static const char *const hidden_tags[] = {"script", "style", "title", "template", "head", NULL};

static bool contains(const char *hay, size_t n, const char *needle, size_t k)
{
    for (size_t i = 0; k && i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return true;
    return false;
}

/* The href of the tag attributes in s (n bytes) when it is a web or mail
 * link, into buf (size bytes, "&amp;" undone); false when there is none. */
static bool link_target(const char *s, size_t n, char *buf, size_t size)
{
    for (size_t i = 0; i + 4 < n; i++) {
        bool starts =
            i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\n' || s[i - 1] == '\r';
        if (!starts || (s[i] | 0x20) != 'h' || (s[i + 1] | 0x20) != 'r' ||
            (s[i + 2] | 0x20) != 'e' || (s[i + 3] | 0x20) != 'f')
            continue;
        size_t k = i + 4;
        while (k < n && (s[k] == ' ' || s[k] == '\t'))
            k++;
        if (k >= n || s[k] != '=')
            continue;
        k++;
        while (k < n && (s[k] == ' ' || s[k] == '\t'))
            k++;
        char quote = k < n && (s[k] == '"' || s[k] == '\'') ? s[k++] : 0;
        size_t o = 0;
        while (k < n && o + 1 < size) {
            char c = s[k];
            if (quote ? c == quote : (c == ' ' || c == '\t' || c == '>'))
                break;
            if ((unsigned char)c < ' ')
                return false;
            if (c == '&' && k + 5 <= n && memcmp(s + k, "&amp;", 5) == 0)
                k += 4;
            buf[o++] = c;
            k++;
        }
        buf[o] = '\0';
        return strncmp(buf, "http://", 7) == 0 || strncmp(buf, "https://", 8) == 0 ||
               strncmp(buf, "mailto:", 7) == 0;
    }
    return false;
}

char *ch_mail_html_to_text(const char *html, size_t len, size_t max, size_t *out_len)
{
    char href[512] = "";
    size_t link_from = 0; /* where the link's words began in the output */
    out o = {.max = max};
    int pre = 0;
    size_t i = 0;
    while (i < len && !o.full && !o.nomem) {
        unsigned char c = (unsigned char)html[i];
        if (c == '<') {
            if (i + 3 < len && memcmp(html + i + 1, "!--", 3) == 0) {
                size_t k = i + 4;
                while (k + 2 < len && memcmp(html + k, "-->", 3) != 0)
                    k++;
                i = k + 2 < len ? k + 3 : len;
                continue;
            }
            if (i + 1 < len && (html[i + 1] == '!' || html[i + 1] == '?')) {
                const char *gt = memchr(html + i, '>', len - i);
                i = gt ? (size_t)(gt - html) + 1 : len;
                continue;
            }
            size_t j = i + 1, tag_start;
            bool closing = j < len && html[j] == '/';
            if (closing)
                j++;
            char name[16];
            size_t nl = 0;
            while (j < len && is_alnum((unsigned char)html[j])) {
                if (nl + 1 < sizeof(name))
                    name[nl++] = (char)(html[j] | 0x20);
                j++;
            }
            name[nl] = '\0';
            tag_start = j;
            if (nl == 0) { /* "a < b": a character, not a tag */
                visible(&o, "<", 1);
                i++;
                continue;
            }
            /* To the '>' that ends the tag; a quote opens only a value. */
            char quote = 0, prev = 0;
            while (j < len) {
                char ch = html[j];
                if (quote) {
                    if (ch == quote)
                        quote = 0;
                } else if ((ch == '"' || ch == '\'') && prev == '=') {
                    quote = ch;
                } else if (ch == '>') {
                    break;
                }
                if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
                    prev = ch;
                j++;
            }
            i = j < len ? j + 1 : len;
            if (!closing && name_in(name, hidden_tags)) {
                /* A head holds what is not shown; one never closed would
                 * hide the whole body, so it ends at <body> as well. */
                size_t end = find_close(html + i, len - i, name);
                if (strcmp(name, "head") == 0 && end == len - i) {
                    const char *body = NULL;
                    for (size_t k = i; k + 5 <= len && !body; k++)
                        if (html[k] == '<' && (html[k + 1] | 0x20) == 'b' &&
                            (html[k + 2] | 0x20) == 'o' && (html[k + 3] | 0x20) == 'd' &&
                            (html[k + 4] | 0x20) == 'y')
                            body = html + k;
                    end = body ? (size_t)(body - html) - i : 0;
                }
                i += end;
                continue;
            }
            if (strcmp(name, "a") == 0) {
                /* A link's words, then where it goes when the words do not
                 * say: "the form <https://...>". */
                if (!closing) {
                    if (!link_target(html + tag_start, j - tag_start, href, sizeof(href)))
                        href[0] = '\0';
                    link_from = o.len;
                } else if (*href) {
                    size_t hn = strlen(href);
                    const char *shown = href;
                    if (strncmp(href, "mailto:", 7) == 0)
                        shown += 7;
                    size_t sn = strlen(shown);
                    if (hn && !contains(o.buf + link_from, o.len - link_from, shown, sn)) {
                        o.space = true;
                        visible(&o, "<", 1);
                        put(&o, shown, sn);
                        put(&o, ">", 1);
                    }
                    href[0] = '\0';
                }
            } else if (strcmp(name, "br") == 0) {
                if (o.len)
                    o.pending_nl++;
                o.space = false;
            } else if (name_in(name, paragraph_tags)) {
                line_break(&o, 2);
                if (strcmp(name, "pre") == 0)
                    pre = closing ? (pre > 0 ? pre - 1 : 0) : pre + 1;
            } else if (strcmp(name, "li") == 0) {
                line_break(&o, 1);
                if (!closing)
                    visible(&o, "- ", 2);
            } else if (name_in(name, line_tags)) {
                line_break(&o, 1);
            } else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
                o.space = true;
            }
            continue;
        }
        if (c == '&') {
            uint32_t cp = 0;
            size_t used = entity(html + i + 1, len - i - 1, &cp);
            if (used) {
                char buf[4];
                if (cp)
                    visible(&o, buf, utf8_encode(cp, buf));
                i += used + 1;
                continue;
            }
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            if (!pre)
                o.space = true;
            else if (c == '\n')
                o.pending_nl++;
            else if (c != '\r')
                visible(&o, " ", 1);
            i++;
            continue;
        }
        visible(&o, html + i, 1);
        i++;
    }
    if (o.nomem) {
        free(o.buf);
        return NULL;
    }
    if (!o.buf && !(o.buf = malloc(1)))
        return NULL;
    /* A cut at the limit may split a character: keep only whole ones. */
    o.len = ch_utf8_invalid_at(o.buf, o.len);
    while (o.len && (o.buf[o.len - 1] == ' ' || o.buf[o.len - 1] == '\n'))
        o.len--;
    o.buf[o.len] = '\0';
    *out_len = o.len;
    return o.buf;
}
