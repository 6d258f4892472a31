/* Collects and prints file:line:col diagnostics; see diag.h. */
#include "policy/diag.h"

#include <stdarg.h>
#include <stdlib.h>

enum { MAX_DIAGS = 1000 };

void ch_diags_add(ch_diags *d, const char *file, int line, int col, const char *fmt, ...)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        if (cap > MAX_DIAGS)
            return;
        ch_diag *p = realloc(d->items, cap * sizeof(*p));
        if (!p)
            return;
        d->items = p;
        d->cap = cap;
    }
    ch_diag *x = &d->items[d->n++];
    snprintf(x->file, sizeof(x->file), "%s", file ? file : "-");
    x->line = line;
    x->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
    va_end(ap);
}

void ch_diags_print(const ch_diags *d, FILE *fp)
{
    for (size_t i = 0; i < d->n; i++) {
        const ch_diag *x = &d->items[i];
        if (x->line > 0)
            fprintf(fp, "%s:%d:%d: %s\n", x->file, x->line, x->col, x->msg);
        else
            fprintf(fp, "%s: %s\n", x->file, x->msg);
    }
}

void ch_diags_free(ch_diags *d)
{
    free(d->items);
    d->items = NULL;
    d->n = d->cap = 0;
}
