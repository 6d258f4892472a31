/* Diagnostics for files a person wrote: each problem with its file, line and
 * column, printed as FILE:LINE:COL: sentence, so editors can jump to it. */
#ifndef CH_DIAG_H
#define CH_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef struct ch_diag {
    char file[256];
    int line, col; /* 1-based; 0 when unknown */
    char msg[480];
} ch_diag;

typedef struct ch_diags {
    ch_diag *items;
    size_t n, cap;
} ch_diags;

/* Appends one problem; silently stops recording after 1000 of them. */
void ch_diags_add(ch_diags *d, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void ch_diags_print(const ch_diags *d, FILE *fp);
void ch_diags_free(ch_diags *d);

#endif
