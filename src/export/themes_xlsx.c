/* A report table as an Excel workbook (libxlsxwriter): one sheet, the
 * heading and notes above a header row, numbers as numbers. libxlsxwriter
 * writes files, so the workbook goes through a temporary file of our own. */
#include "export/statement.h"
#include "export/themes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

/* Excel refuses a sheet name over 31 characters, with []:*?/\ in it, or
 * starting or ending with an apostrophe, and libxlsxwriter then gives no
 * sheet at all; a title is cut at a character, not inside one. */
static void sheet_name(const char *title, char *buf, size_t size)
{
    size_t o = 0, chars = 0;
    const char *p = title;
    while (*p == '\'' || *p == ' ')
        p++;
    for (; *p && chars < 31; chars++) {
        size_t len = 1;
        while ((p[len] & 0xC0) == 0x80)
            len++;
        if (o + len >= size)
            break;
        if (len == 1 && strchr("[]:*?/\\", *p))
            buf[o] = ' ';
        else
            memcpy(buf + o, p, len);
        o += len, p += len;
    }
    while (o > 0 && (buf[o - 1] == '\'' || buf[o - 1] == ' '))
        o--;
    buf[o] = '\0';
    if (!o)
        snprintf(buf, size, "Report");
}

static int write_book(const ch_report_table *t, const char *path, ch_error *err)
{
    lxw_workbook *wb = workbook_new(path);
    if (!wb)
        return ch_error_set(err, CH_E_IO, "cannot create the workbook %s", path);
    char name[128]; /* 31 characters of up to four bytes */
    sheet_name(t->title, name, sizeof(name));
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    if (!ws) /* a name Excel reserves, such as "History" */
        ws = workbook_add_worksheet(wb, "Report");
    if (!ws) {
        workbook_close(wb);
        return ch_error_set(err, CH_E_IO, "cannot add a sheet to the workbook %s", path);
    }
    lxw_format *title = workbook_add_format(wb);
    format_set_bold(title);
    format_set_font_size(title, 14);
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    format_set_bottom(bold, LXW_BORDER_THIN);
    lxw_row_t r = 0;
    worksheet_write_string(ws, r++, 0, t->title, title);
    for (size_t i = 0; i < t->nnotes; i++)
        worksheet_write_string(ws, r++, 0, t->notes[i], NULL);
    r++;
    for (size_t c = 0; c < t->ncols; c++) {
        worksheet_write_string(ws, r, (lxw_col_t)c, t->head[c], bold);
        /* As wide as the longest text in it (within reason), so a name or
         * "hidden to protect small numbers" reads whole when opened. */
        size_t wide = strlen(t->head[c]);
        for (size_t i = 0; i < t->nrows; i++) {
            const char *text = t->cells[i * t->ncols + c].text;
            if (text && strlen(text) > wide)
                wide = strlen(text);
        }
        wide = wide < 10 ? 10 : wide > 60 ? 60 : wide;
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, (double)wide + 2, NULL);
    }
    lxw_row_t header = r++;
    for (size_t i = 0; i < t->nrows; i++, r++)
        for (size_t c = 0; c < t->ncols; c++) {
            const ch_table_cell *cell = &t->cells[i * t->ncols + c];
            if (cell->text)
                worksheet_write_string(ws, r, (lxw_col_t)c, cell->text, NULL);
            else
                worksheet_write_number(ws, r, (lxw_col_t)c, cell->number, NULL);
        }
    worksheet_freeze_panes(ws, header + 1, 0);
    if (t->nrows && t->ncols)
        worksheet_autofilter(ws, header, 0, r - 1, (lxw_col_t)(t->ncols - 1));
    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR)
        return ch_error_set(err, CH_E_IO, "cannot write the workbook %s: %s", path,
                            lxw_strerror(e));
    return CH_OK;
}

static int write_table(const void *t, const char *path, ch_error *err)
{
    return write_book(t, path, err);
}

int ch_report_table_xlsx(const ch_report_table *t, char **out, size_t *len, ch_error *err)
{
    return ch_export_to_memory("report", write_table, t, out, len, err);
}
