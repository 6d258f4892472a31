/* A termly statement as a PDF (libharu): one A4 page or more, set in the
 * standard Helvetica so the file needs no embedded fonts. Helvetica's
 * encoding is Windows-1252, so text is converted to it and anything it
 * cannot show becomes a question mark. */
#include "export/notice.h"
#include "export/statement.h"

#include <hpdf.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/timefmt.h"

typedef struct page {
    HPDF_Doc pdf;
    HPDF_Page page;
    HPDF_Font font, bold;
    float y;
    jmp_buf fail;
} page;

static void on_error(HPDF_STATUS error, HPDF_STATUS detail, void *data)
{
    (void)error, (void)detail;
    longjmp(((page *)data)->fail, 1);
}

void ch_pdf_cp1252(const char *s, char *out, size_t size)
{
    static const struct {
        unsigned cp;
        unsigned char b;
    } extra[] = {{0x2018, 0x91}, {0x2019, 0x92}, {0x201C, 0x93}, {0x201D, 0x94},
                 {0x2013, 0x96}, {0x2014, 0x97}, {0x20AC, 0x80}, {0x2022, 0x95}};
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p && o + 1 < size) {
        unsigned cp = *p, len = 1;
        if (cp >= 0xF0)
            cp &= 0x07, len = 4;
        else if (cp >= 0xE0)
            cp &= 0x0F, len = 3;
        else if (cp >= 0xC0)
            cp &= 0x1F, len = 2;
        for (unsigned i = 1; i < len; i++) {
            if ((p[i] & 0xC0) != 0x80) {
                len = i;
                cp = '?';
                break;
            }
            cp = cp << 6 | (p[i] & 0x3F);
        }
        p += len;
        unsigned char b = '?';
        if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
            b = (unsigned char)cp;
        for (size_t i = 0; i < sizeof(extra) / sizeof(*extra); i++)
            if (extra[i].cp == cp)
                b = extra[i].b;
        out[o++] = (char)b;
    }
    out[o] = '\0';
}

static void new_page(page *pg)
{
    pg->page = HPDF_AddPage(pg->pdf);
    HPDF_Page_SetSize(pg->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    pg->y = HPDF_Page_GetHeight(pg->page) - 56;
}

static void text(page *pg, float x, bool bold, float size, const char *s)
{
    char buf[512];
    ch_pdf_cp1252(s, buf, sizeof(buf));
    HPDF_Page_BeginText(pg->page);
    HPDF_Page_SetFontAndSize(pg->page, bold ? pg->bold : pg->font, size);
    HPDF_Page_TextOut(pg->page, x, pg->y, buf);
    HPDF_Page_EndText(pg->page);
}

/* Right-aligned at x. */
static void text_right(page *pg, float x, bool bold, const char *s)
{
    HPDF_Page_SetFontAndSize(pg->page, bold ? pg->bold : pg->font, 10);
    float w = HPDF_Page_TextWidth(pg->page, s);
    text(pg, x - w, bold, 10, s);
}

static void line_break(page *pg, float by)
{
    pg->y -= by;
    if (pg->y < 60)
        new_page(pg);
}

int ch_statement_pdf(const ch_statement_doc *doc, char **out, size_t *len, ch_error *err)
{
    page pg = {0};
    char buf[512], a[32], b[32];
    char *volatile data = NULL; /* freed if libharu fails while it is held */
    volatile int rc = CH_OK;
    pg.pdf = HPDF_New(on_error, &pg);
    if (!pg.pdf)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    if (setjmp(pg.fail)) {
        free(data);
        rc = ch_error_set(err, CH_E_IO, "the PDF could not be made");
        goto out;
    }
    HPDF_SetInfoAttr(pg.pdf, HPDF_INFO_TITLE, "Statement of hours");
    pg.font = HPDF_GetFont(pg.pdf, "Helvetica", "WinAnsiEncoding");
    pg.bold = HPDF_GetFont(pg.pdf, "Helvetica-Bold", "WinAnsiEncoding");
    new_page(&pg);
    const ch_contract *c = &doc->contract;

    snprintf(buf, sizeof(buf), "Statement of hours: %s", doc->term);
    text(&pg, 50, true, 16, buf);
    line_break(&pg, 24);
    snprintf(buf, sizeof(buf), "%s, %s", doc->service_name, doc->provider);
    text(&pg, 50, false, 10, buf);
    line_break(&pg, 14);
    snprintf(buf, sizeof(buf), "School: %s", c->organisation);
    text(&pg, 50, false, 10, buf);
    line_break(&pg, 14);
    if (c->contact_name) {
        snprintf(buf, sizeof(buf), "For: %s%s%s%s", c->contact_name, c->contact_email ? " <" : "",
                 c->contact_email ? c->contact_email : "", c->contact_email ? ">" : "");
        text(&pg, 50, false, 10, buf);
        line_break(&pg, 14);
    }
    ch_date_format_long(doc->first, a, sizeof(a));
    ch_date_format_long(doc->last, b, sizeof(b));
    snprintf(buf, sizeof(buf), "Contract %lld, academic year %s. Period %s to %s.",
             (long long)c->id, c->year, a, b);
    text(&pg, 50, false, 10, buf);
    line_break(&pg, 14);
    ch_date_format_long(doc->issued, a, sizeof(a));
    snprintf(buf, sizeof(buf), "Issued %s. All figures are hours (1.50 is an hour and a half).", a);
    text(&pg, 50, false, 10, buf);
    line_break(&pg, 26);

    ch_hours_text(doc->figures.opening, a, sizeof(a));
    text(&pg, 50, true, 10, "Opening balance");
    text_right(&pg, 545, true, a);
    line_break(&pg, 18);
    text(&pg, 50, true, 10, "Date");
    text(&pg, 130, true, 10, "Movement");
    text_right(&pg, 415, true, "In");
    text_right(&pg, 480, true, "Out");
    text_right(&pg, 545, true, "Balance");
    line_break(&pg, 14);
    for (size_t i = 0; i < doc->nlines; i++) {
        const ch_statement_line *l = &doc->lines[i];
        ch_date_format(l->date, a, sizeof(a));
        text(&pg, 50, false, 10, a);
        snprintf(buf, sizeof(buf), "%.60s", l->what);
        text(&pg, 130, false, 10, buf);
        ch_hours_text(l->minutes < 0 ? -l->minutes : l->minutes, a, sizeof(a));
        text_right(&pg, l->minutes >= 0 ? 415 : 480, false, a);
        ch_hours_text(l->balance, b, sizeof(b));
        text_right(&pg, 545, false, b);
        line_break(&pg, 14);
    }
    if (doc->nlines == 0) {
        text(&pg, 130, false, 10, "No movements this term.");
        line_break(&pg, 14);
    }
    ch_hours_text(doc->figures.closing, a, sizeof(a));
    text(&pg, 50, true, 10, "Closing balance");
    text_right(&pg, 545, true, a);
    line_break(&pg, 14);
    ch_hours_text(doc->owed, a, sizeof(a));
    text(&pg, 50, true, 10, "Owed by us (refunded or carried over at the year end)");
    text_right(&pg, 545, true, a);
    line_break(&pg, 26);

    text(&pg, 50, true, 10, "Not charged this term");
    line_break(&pg, 14);
    for (size_t i = 0; i < doc->nnotes; i++) {
        const ch_statement_note *x = &doc->notes[i];
        ch_date_format(x->date, a, sizeof(a));
        text(&pg, 50, false, 10, a);
        snprintf(buf, sizeof(buf), "%.60s", x->what);
        text(&pg, 130, false, 10, buf);
        ch_hours_text(x->minutes, a, sizeof(a));
        text_right(&pg, 545, false, a);
        line_break(&pg, 14);
    }
    if (doc->nnotes == 0) {
        text(&pg, 130, false, 10, "None.");
        line_break(&pg, 14);
    }
    line_break(&pg, 12);

    text(&pg, 50, true, 10, "Visits still booked");
    line_break(&pg, 14);
    for (size_t i = 0; i < doc->nbooked; i++) {
        const ch_visit *v = &doc->booked[i];
        char when[40], clock[16];
        ch_date day;
        int32_t secs;
        ch_tz_to_local(doc->tz, v->starts_at, &day, &secs);
        ch_date_format_long(day, when, sizeof(when));
        ch_clock_format(secs, clock, sizeof(clock));
        ch_hours_text(v->booked, a, sizeof(a));
        snprintf(buf, sizeof(buf), "%s at %.5s, %s hours, %s", when, clock, a,
                 v->consultant ? v->consultant : "");
        text(&pg, 50, false, 10, buf);
        line_break(&pg, 14);
    }
    if (doc->nbooked == 0) {
        text(&pg, 50, false, 10, "None.");
        line_break(&pg, 14);
    }

    HPDF_SaveToStream(pg.pdf);
    HPDF_UINT32 size = HPDF_GetStreamSize(pg.pdf);
    data = malloc(size ? size : 1);
    if (!data) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    HPDF_UINT32 got = size;
    HPDF_ReadFromStream(pg.pdf, (HPDF_BYTE *)data, &got);
    *out = data;
    *len = got;
    data = NULL;
out:
    HPDF_Free(pg.pdf);
    return rc;
}
