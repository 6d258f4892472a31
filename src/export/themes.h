/* A report as one table, written as an Excel workbook (themes_xlsx.c) or a
 * PDF (themes_pdf.c): the themes report for the local authority and the
 * managers' reports use it, so every download lays its figures out alike. */
#ifndef CH_EXPORT_THEMES_H
#define CH_EXPORT_THEMES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* One cell: a number (written as a number, so a spreadsheet can add it up)
 * or text ("fewer than 5", a name); text NULL means the number. */
typedef struct ch_table_cell {
    const char *text;
    double number;
} ch_table_cell;

typedef struct ch_report_table {
    const char *title;        /* the document's heading and the sheet's name */
    const char *const *notes; /* lines under the heading: the period, the rule */
    size_t nnotes;
    const char *const *head; /* column headings, ncols of them */
    size_t ncols;
    const ch_table_cell *cells; /* nrows * ncols, row by row */
    size_t nrows;
} ch_report_table;

/* The table as an .xlsx file's bytes in *out (malloc'd; the caller frees). */
int ch_report_table_xlsx(const ch_report_table *t, char **out, size_t *len, ch_error *err);

/* The table as a PDF's bytes in *out (malloc'd; the caller frees), A4
 * landscape, the heading repeated on every page. */
int ch_report_table_pdf(const ch_report_table *t, char **out, size_t *len, ch_error *err);

#endif
