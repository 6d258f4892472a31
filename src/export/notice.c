/* The restriction notice as a PDF (libharu, standard Helvetica as the
 * statement is): paragraphs of the filled-in template wrapped by measured
 * width, on as many A4 pages as they need. */
#include "export/notice.h"

#include <hpdf.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Room for one paragraph: the whole filled-in letter can be one line. */
enum { PARA = 16384 };

typedef struct letter {
    HPDF_Doc pdf;
    HPDF_Page page;
    HPDF_Font font, bold;
    float y;
    jmp_buf fail;
    char *src, *enc, *line; /* PARA bytes each, held for the whole letter */
} letter;

enum { LEFT = 56, WIDTH = 483, LINE = 15 };

static void on_error(HPDF_STATUS error, HPDF_STATUS detail, void *data)
{
    (void)error, (void)detail;
    longjmp(((letter *)data)->fail, 1);
}

static void new_page(letter *l)
{
    l->page = HPDF_AddPage(l->pdf);
    HPDF_Page_SetSize(l->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    l->y = HPDF_Page_GetHeight(l->page) - 64;
}

/* One line of text already in Windows-1252. */
static void put(letter *l, bool bold, float size, const char *s)
{
    if (l->y < 64)
        new_page(l);
    HPDF_Page_BeginText(l->page);
    HPDF_Page_SetFontAndSize(l->page, bold ? l->bold : l->font, size);
    HPDF_Page_TextOut(l->page, LEFT, l->y, s);
    HPDF_Page_EndText(l->page);
    l->y -= size + 5;
}

/* One paragraph (a line of the template), broken between words so no line
 * is wider than the page allows; a word wider than a line is cut. */
static void paragraph(letter *l, const char *utf8, size_t n)
{
    char *src = l->src, *enc = l->enc, *line = l->line;
    if (n >= PARA)
        n = PARA - 1; /* cannot happen: the filled-in letter is shorter */
    memcpy(src, utf8, n);
    src[n] = '\0';
    ch_pdf_cp1252(src, enc, PARA);
    HPDF_Page_SetFontAndSize(l->page, l->font, 11);
    const char *p = enc;
    if (!*p) {
        l->y -= LINE / 2;
        return;
    }
    while (*p) {
        size_t used = 0, fit = 0;
        const char *q = p;
        while (*q) {
            const char *w = q;
            while (*w == ' ')
                w++;
            const char *e = w;
            while (*e && *e != ' ')
                e++;
            size_t add = (size_t)(e - q);
            if (used + add >= PARA)
                break;
            memcpy(line + used, q, add);
            line[used + add] = '\0';
            if (HPDF_Page_TextWidth(l->page, line) > WIDTH && fit)
                break;
            used += add;
            fit = used;
            q = e;
            if (HPDF_Page_TextWidth(l->page, line) > WIDTH)
                break;
        }
        line[fit] = '\0';
        put(l, false, 11, line[0] == ' ' ? line + 1 : line);
        if (q == p) /* nothing fitted: never loop on the same place */
            q = p + strlen(p);
        p = q;
        while (*p == ' ')
            p++;
    }
}

int ch_notice_pdf(const char *organisation, const char *date, const char *title, const char *text,
                  char **out, size_t *len, ch_error *err)
{
    letter l = {0};
    char buf[2048];
    char *volatile data = NULL; /* freed if libharu fails while it is held */
    volatile int rc = CH_OK;
    char *work = malloc(3 * (size_t)PARA);
    if (!work)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    l.src = work;
    l.enc = work + PARA;
    l.line = work + 2 * PARA;
    l.pdf = HPDF_New(on_error, &l);
    if (!l.pdf) {
        free(work);
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    }
    if (setjmp(l.fail)) {
        free(data);
        rc = ch_error_set(err, CH_E_IO, "the notice PDF could not be made");
        goto out;
    }
    ch_pdf_cp1252(title, buf, sizeof(buf));
    HPDF_SetInfoAttr(l.pdf, HPDF_INFO_TITLE, buf);
    l.font = HPDF_GetFont(l.pdf, "Helvetica", "WinAnsiEncoding");
    l.bold = HPDF_GetFont(l.pdf, "Helvetica-Bold", "WinAnsiEncoding");
    new_page(&l);
    ch_pdf_cp1252(organisation, buf, sizeof(buf));
    put(&l, true, 12, buf);
    ch_pdf_cp1252(date, buf, sizeof(buf));
    put(&l, false, 11, buf);
    l.y -= LINE;
    ch_pdf_cp1252(title, buf, sizeof(buf));
    put(&l, true, 15, buf);
    l.y -= LINE / 2;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        paragraph(&l, p, n);
        p += n + (nl ? 1 : 0);
    }
    HPDF_SaveToStream(l.pdf);
    HPDF_UINT32 size = HPDF_GetStreamSize(l.pdf);
    data = malloc(size ? size : 1);
    if (!data) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    HPDF_UINT32 got = size;
    HPDF_ReadFromStream(l.pdf, (HPDF_BYTE *)data, &got);
    *out = data;
    *len = got;
    data = NULL;
out:
    HPDF_Free(l.pdf);
    free(work);
    return rc;
}
