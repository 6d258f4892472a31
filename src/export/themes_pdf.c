/* A report table as a PDF (libharu), A4 landscape in the standard
 * Helvetica: the heading and notes, then the table, its header row
 * repeated at the top of each page so a printed page reads on its own. */
#include "export/notice.h"
#include "export/themes.h"

#include <hpdf.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sheet {
    HPDF_Doc pdf;
    HPDF_Page page;
    HPDF_Font font, bold;
    float y, width;
    jmp_buf fail;
} sheet;

static void on_error(HPDF_STATUS error, HPDF_STATUS detail, void *data)
{
    (void)error, (void)detail;
    longjmp(((sheet *)data)->fail, 1);
}

static void put(sheet *s, float x, float room, bool bold, float size, const char *text)
{
    char buf[512];
    ch_pdf_cp1252(text, buf, sizeof(buf));
    HPDF_Page_SetFontAndSize(s->page, bold ? s->bold : s->font, size);
    /* Cut what does not fit its column rather than run into the next. */
    size_t len = strlen(buf);
    while (len > 1 && room > 0 && HPDF_Page_TextWidth(s->page, buf) > room)
        buf[--len] = '\0';
    HPDF_Page_BeginText(s->page);
    HPDF_Page_TextOut(s->page, x, s->y, buf);
    HPDF_Page_EndText(s->page);
}

static void new_page(sheet *s);

/* A note in lines that fit between the margins, broken at spaces. */
static void put_wrapped(sheet *s, float size, const char *text)
{
    char buf[2048], line[2048];
    ch_pdf_cp1252(text, buf, sizeof(buf));
    HPDF_Page_SetFontAndSize(s->page, s->font, size);
    float room = s->width - 80;
    const char *p = buf;
    while (*p) {
        size_t take = strlen(p), fit = 0;
        for (size_t k = 1; k <= take; k++) {
            if (p[k] != ' ' && p[k] != '\0')
                continue;
            memcpy(line, p, k);
            line[k] = '\0';
            if (fit && HPDF_Page_TextWidth(s->page, line) > room)
                break;
            fit = k;
        }
        if (!fit)
            fit = take < sizeof(line) - 1 ? take : sizeof(line) - 1;
        memcpy(line, p, fit);
        line[fit] = '\0';
        HPDF_Page_BeginText(s->page);
        HPDF_Page_TextOut(s->page, 40, s->y, line);
        HPDF_Page_EndText(s->page);
        s->y -= size + 3;
        p += fit;
        while (*p == ' ')
            p++;
    }
}

static void new_page(sheet *s)
{
    s->page = HPDF_AddPage(s->pdf);
    HPDF_Page_SetSize(s->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
    s->width = HPDF_Page_GetWidth(s->page);
    s->y = HPDF_Page_GetHeight(s->page) - 48;
}

enum { MAX_COLS = 16 };

/* The width of text in font at size, in points. */
static float text_width(HPDF_Font font, float size, const char *text)
{
    char buf[512];
    ch_pdf_cp1252(text, buf, sizeof(buf));
    HPDF_TextWidth tw = HPDF_Font_TextWidth(font, (const HPDF_BYTE *)buf, (HPDF_UINT)strlen(buf));
    return (float)tw.width * size / 1000.0f;
}

/* A cell's text, a number written as the spreadsheet would. */
static const char *cell_text(const ch_table_cell *cell, char *num, size_t size)
{
    if (cell->text)
        return cell->text;
    snprintf(num, size, "%.15g", cell->number);
    return num;
}

/* Where each column starts (x[0..ncols]): each as wide as its widest text,
 * so a figure such as "hidden to protect small numbers" is never cut, and
 * the spare room shared out; only when the widest texts cannot all fit do
 * the columns share the room in proportion and the longest get cut. */
static void column_edges(sheet *s, const ch_report_table *t, float room, float *x)
{
    float want[MAX_COLS], sum = 0;
    char num[32];
    for (size_t c = 0; c < t->ncols; c++) {
        want[c] = text_width(s->bold, 9, t->head[c]);
        for (size_t i = 0; i < t->nrows; i++) {
            float w =
                text_width(s->font, 9, cell_text(&t->cells[i * t->ncols + c], num, sizeof(num)));
            if (w > want[c])
                want[c] = w;
        }
        want[c] += 8;
        sum += want[c];
    }
    float spare = sum < room ? (room - sum) / (float)t->ncols : 0,
          scale = sum > room ? room / sum : 1;
    x[0] = 40;
    for (size_t c = 0; c < t->ncols; c++)
        x[c + 1] = x[c] + want[c] * scale + spare;
}

static void header_row(sheet *s, const ch_report_table *t, const float *x)
{
    for (size_t c = 0; c < t->ncols; c++)
        put(s, x[c], x[c + 1] - x[c] - 6, true, 9, t->head[c]);
    s->y -= 14;
}

int ch_report_table_pdf(const ch_report_table *t, char **out, size_t *len, ch_error *err)
{
    sheet s = {0};
    char num[32];
    char *volatile data = NULL;
    volatile int rc = CH_OK;
    s.pdf = HPDF_New(on_error, &s);
    if (!s.pdf)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    if (setjmp(s.fail)) {
        free(data);
        rc = ch_error_set(err, CH_E_IO, "the PDF could not be made");
        goto out;
    }
    HPDF_SetInfoAttr(s.pdf, HPDF_INFO_TITLE, t->title);
    s.font = HPDF_GetFont(s.pdf, "Helvetica", "WinAnsiEncoding");
    s.bold = HPDF_GetFont(s.pdf, "Helvetica-Bold", "WinAnsiEncoding");
    new_page(&s);
    put(&s, 40, 0, true, 14, t->title);
    s.y -= 20;
    for (size_t i = 0; i < t->nnotes; i++)
        put_wrapped(&s, 9, t->notes[i]);
    s.y -= 8;
    if (t->ncols > MAX_COLS) {
        rc = ch_error_set(err, CH_E_INVALID, "a PDF table has at most %d columns", MAX_COLS);
        goto out;
    }
    float x[MAX_COLS + 1];
    column_edges(&s, t, s.width - 80, x);
    header_row(&s, t, x);
    for (size_t i = 0; i < t->nrows; i++) {
        if (s.y < 48) {
            new_page(&s);
            header_row(&s, t, x);
        }
        for (size_t c = 0; c < t->ncols; c++)
            put(&s, x[c], x[c + 1] - x[c] - 6, false, 9,
                cell_text(&t->cells[i * t->ncols + c], num, sizeof(num)));
        s.y -= 12;
    }
    if (t->nrows == 0)
        put(&s, 40, 0, false, 9, "Nothing to report in this period.");
    HPDF_SaveToStream(s.pdf);
    HPDF_UINT32 size = HPDF_GetStreamSize(s.pdf);
    data = malloc(size ? size : 1);
    if (!data) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    HPDF_UINT32 got = size;
    HPDF_ReadFromStream(s.pdf, (HPDF_BYTE *)data, &got);
    *out = data;
    *len = got;
    data = NULL;
out:
    HPDF_Free(s.pdf);
    return rc;
}
