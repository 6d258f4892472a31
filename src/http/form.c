/* The public HTML forms' shared parts: a posted urlencoded body read into
 * name/value pairs, the problems found with it, and the accessible fields
 * and error summary that show them (see http/form.h). */
#include "core/text.h"
#include "http/form.h"

#include <string.h>

static int hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

bool ch_form_parse(ch_req *r, size_t max, ch_form *f)
{
    return ch_form_decode(&r->arena, r->body, r->len, max, f);
}

bool ch_form_decode(ch_arena *arena, const char *text, size_t len, size_t max, ch_form *f)
{
    char *body = text ? ch_arena_strndup(arena, text, len) : NULL;
    f->n = 0;
    f->items = NULL;
    /* A raw NUL would hide everything after it. */
    if ((text && !body) || (text && memchr(text, '\0', len)))
        return false;
    /* Each field needs at least its '=', so this bounds the pairs. */
    size_t room = 0;
    for (size_t i = 0; body && body[i]; i++)
        room += body[i] == '=';
    room = room < max ? room : max;
    if (room && !(f->items = ch_arena_alloc(arena, room * sizeof(*f->items))))
        return false;
    for (char *pair = body, *next; pair && *pair; pair = next) {
        next = strchr(pair, '&');
        if (next)
            *next++ = '\0';
        char *eq = strchr(pair, '=');
        if (!eq)
            continue;
        if (f->n == room)
            return false;
        *eq = '\0';
        char *fields[2] = {pair, eq + 1};
        for (int k = 0; k < 2; k++) {
            char *in = fields[k], *out = fields[k];
            for (; *in; in++) {
                if (*in == '+') {
                    *out++ = ' ';
                } else if (*in == '%' && hex(in[1]) >= 0 && hex(in[2]) >= 0) {
                    *out = (char)(hex(in[1]) * 16 + hex(in[2]));
                    if (!*out++)
                        return false;
                    in += 2;
                } else {
                    *out++ = *in;
                }
            }
            *out = '\0';
            if (ch_utf8_invalid_at(fields[k], strlen(fields[k])) != strlen(fields[k]))
                return false;
        }
        f->items[f->n++] = (ch_form_field){pair, eq + 1};
    }
    return true;
}

const char *ch_form_get(const ch_form *f, const char *name)
{
    const char *v = NULL;
    return ch_form_all(f, name, &v, 1) ? v : NULL;
}

size_t ch_form_all(const ch_form *f, const char *name, const char **values, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n && n < cap; i++)
        if (strcmp(f->items[i].name, name) == 0)
            values[n++] = f->items[i].value;
    return n;
}

void ch_faults_add(ch_faults *e, const char *field, const char *message)
{
    if (e->n < sizeof(e->field) / sizeof(*e->field)) {
        e->field[e->n] = field;
        e->message[e->n++] = message;
    }
}

const char *ch_faults_for(const ch_faults *e, const char *field)
{
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->field[i], field) == 0)
            return e->message[i];
    return NULL;
}

void ch_form_error_summary(ch_html *h, const ch_faults *e)
{
    if (!e->n)
        return;
    ch_html_raw(h, "<div class=\"error-summary\" role=\"alert\"><h2>There is a problem</h2><ul>");
    for (size_t i = 0; i < e->n; i++) {
        ch_html_raw(h, "<li><a href=\"#");
        ch_html_text(h, e->field[i]);
        ch_html_raw(h, "\">");
        ch_html_text(h, e->message[i]);
        ch_html_raw(h, "</a></li>");
    }
    ch_html_raw(h, "</ul></div>\n");
}

void ch_form_input(ch_html *h, const ch_faults *e, const char *name, const char *label,
                   const char *type, const char *value, const char *autocomplete)
{
    const char *err = ch_faults_for(e, name);
    ch_html_raw(h, "<label for=\"");
    ch_html_text(h, name);
    ch_html_raw(h, "\">");
    ch_html_text(h, label);
    ch_html_raw(h, "</label>");
    if (err) {
        ch_html_raw(h, "<p class=\"error\" id=\"");
        ch_html_text(h, name);
        ch_html_raw(h, "-error\">");
        ch_html_text(h, err);
        ch_html_raw(h, "</p>");
    }
    bool area = strcmp(type, "textarea") == 0;
    ch_html_raw(h, area ? "<textarea" : "<input type=\"");
    if (!area) {
        ch_html_text(h, type);
        ch_html_raw(h, "\"");
    }
    ch_html_raw(h, " id=\"");
    ch_html_text(h, name);
    ch_html_raw(h, "\" name=\"");
    ch_html_text(h, name);
    ch_html_raw(h, "\"");
    if (autocomplete) {
        ch_html_raw(h, " autocomplete=\"");
        ch_html_text(h, autocomplete);
        ch_html_raw(h, "\"");
    }
    if (err) {
        ch_html_raw(h, " aria-invalid=\"true\" aria-describedby=\"");
        ch_html_text(h, name);
        ch_html_raw(h, "-error\"");
    }
    if (area) {
        ch_html_raw(h, ">");
        ch_html_text(h, value ? value : "");
        ch_html_raw(h, "</textarea>\n");
    } else {
        ch_html_raw(h, " value=\"");
        ch_html_text(h, value ? value : "");
        ch_html_raw(h, "\">\n");
    }
}
