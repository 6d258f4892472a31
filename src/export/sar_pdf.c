/* The subject access export as a readable PDF (libharu), made from the
 * export's JSON so it shows exactly what the JSON does: the person, then
 * each section in turn, long texts wrapped to the page. Set in Helvetica
 * (Windows-1252, as the statements are). */
#include "export/notice.h"
#include "export/sar.h"

#include "core/civil.h"
#include "core/timefmt.h"

#include <hpdf.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct page {
    HPDF_Doc pdf;
    HPDF_Page page;
    HPDF_Font font, bold;
    float y;
    char *scratch; /* the paragraph being set, freed if libharu fails */
    jmp_buf fail;
    const ch_sar_zone *zone; /* whose wall clock the times are read on */
} page;

static void on_error(HPDF_STATUS error, HPDF_STATUS detail, void *data)
{
    (void)error, (void)detail;
    longjmp(((page *)data)->fail, 1);
}

static void new_page(page *pg)
{
    pg->page = HPDF_AddPage(pg->pdf);
    HPDF_Page_SetSize(pg->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    pg->y = HPDF_Page_GetHeight(pg->page) - 56;
}

static void down(page *pg, float by)
{
    pg->y -= by;
    if (pg->y < 60)
        new_page(pg);
}

static float width(page *pg, char *p, size_t n)
{
    char keep = p[n];
    p[n] = '\0';
    float w = HPDF_Page_TextWidth(pg->page, p);
    p[n] = keep;
    return w;
}

/* How many bytes of p fit in room on one line: up to the last space that
 * fits (or a line break), or as many letters as fit of a word too long. */
static size_t line_fit(page *pg, char *p, float room)
{
    size_t n = strcspn(p, "\n"), fit = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != ' ')
            continue;
        if (width(pg, p, i) > room)
            break;
        fit = i;
    }
    if (fit == 0 && n > 0) {
        while (fit < n && width(pg, p, fit + 1) <= room)
            fit++;
        if (fit == 0)
            fit = 1;
    }
    return fit;
}

/* Writes s (UTF-8) from x, wrapped at the right margin, a line at a time. */
static void para(page *pg, float x, bool bold, float size, const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *buf = pg->scratch = malloc(n);
    if (!buf)
        longjmp(pg->fail, 1);
    ch_pdf_cp1252(s, buf, n);
    HPDF_Font f = bold ? pg->bold : pg->font;
    HPDF_Page_SetFontAndSize(pg->page, f, size);
    char *p = buf;
    while (*p) {
        size_t fit = line_fit(pg, p, 545 - x);
        char keep = p[fit];
        p[fit] = '\0';
        HPDF_Page_BeginText(pg->page);
        HPDF_Page_SetFontAndSize(pg->page, f, size);
        HPDF_Page_TextOut(pg->page, x, pg->y, p);
        HPDF_Page_EndText(pg->page);
        p[fit] = keep;
        p += fit;
        while (*p == ' ' || *p == '\n' || *p == '\r')
            p++;
        down(pg, size + 4);
        HPDF_Page_SetFontAndSize(pg->page, f, size);
    }
    free(buf);
    pg->scratch = NULL;
}

static const char *s_of(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* An instant the JSON gives as "2026-12-01T10:00:00Z" as a person reads
 * it on the service's own clock, "1 December 2026, 10:00", into out; other
 * text as it is. The JSON keeps UTC, for machines; the reader of the PDF
 * should not have to add an hour in summer. */
static const char *human(const page *pg, const char *iso, char *out, size_t size)
{
    static const char *const months[] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};
    ch_time t;
    ch_error err = {0};
    if (!iso)
        return "";
    if (ch_time_parse(iso, NULL, &t, &err))
        return iso;
    ch_date day = ch_time_utc_date(t);
    int32_t secs = (int32_t)(t - (ch_time)day * 86400);
    if (pg->zone && pg->zone->tz)
        ch_tz_to_local(pg->zone->tz, t, &day, &secs);
    int y, mo, d;
    ch_date_to_ymd(day, &y, &mo, &d);
    snprintf(out, size, "%d %s %d, %02d:%02d%s", d, months[(mo - 1) % 12], y, secs / 3600,
             secs / 60 % 60, pg->zone && pg->zone->tz ? "" : " UTC");
    return out;
}

/* The member key of o as human() writes it. */
#define WHEN(o, key, buf) human(pg, s_of((o), (key)), (buf), sizeof(buf))

/* "Label: value" for a string member, when it has one. */
static void field(page *pg, float x, const json_t *o, const char *key, const char *label)
{
    const char *v = s_of(o, key);
    if (!v || !*v)
        return;
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s: %s", label, v);
    para(pg, x, false, 10, buf);
}

static void heading(page *pg, const char *s)
{
    down(pg, 8);
    para(pg, 50, true, 13, s);
}

static void none(page *pg, const json_t *a)
{
    if (json_array_size(a) == 0)
        para(pg, 60, false, 10, "None held.");
}

static void render(page *pg, const json_t *doc)
{
    char buf[1024];
    const json_t *about = json_object_get(doc, "about"), *p = json_object_get(doc, "person");
    size_t i;
    json_t *v;
    para(pg, 50, true, 16, "Your personal data: subject access");
    char t1[64];
    snprintf(buf, sizeof(buf), "%s Made %s.", s_of(about, "what"), WHEN(about, "made_at", t1));
    para(pg, 50, false, 10, buf);
    if (s_of(about, "covers"))
        para(pg, 50, false, 10, s_of(about, "covers"));
    size_t used = 0;
    json_array_foreach(json_object_get(about, "services"), i, v) if (used < sizeof(buf)) used +=
        (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s",
                         i ? ", " : "Services: ", json_string_value(v));
    if (used)
        para(pg, 60, false, 9, buf);
    json_array_foreach(json_object_get(about, "redactions"), i, v)
        para(pg, 60, false, 9, json_string_value(v));
    if (pg->zone && pg->zone->tz && pg->zone->name) {
        snprintf(buf, sizeof(buf), "Times are given on the clock of %s (%s).",
                 pg->zone->organisation ? pg->zone->organisation : "the service", pg->zone->name);
        para(pg, 60, false, 9, buf);
    }

    heading(pg, "About you");
    field(pg, 60, p, "name", "Name");
    field(pg, 60, p, "email", "Email");
    field(pg, 60, p, "phone", "Phone");
    field(pg, 60, p, "date_of_birth", "Date of birth");
    field(pg, 60, p, "organisation", "Organisation");
    json_t *needs = json_object_get(p, "communication_needs");
    if (json_is_object(needs)) {
        char *s = json_dumps(needs, JSON_COMPACT);
        snprintf(buf, sizeof(buf), "Communication needs: %s", s ? s : "");
        free(s);
        para(pg, 60, false, 10, buf);
    }

    heading(pg, "People you are linked with");
    json_t *a = json_object_get(doc, "relationships");
    json_array_foreach(a, i, v)
    {
        snprintf(buf, sizeof(buf), "%s, between %s and %s", s_of(v, "kind"),
                 s_of(v, "person") ? s_of(v, "person") : "",
                 s_of(v, "other")          ? s_of(v, "other")
                 : s_of(v, "organisation") ? s_of(v, "organisation")
                                           : "");
        para(pg, 60, false, 10, buf);
        field(pg, 70, v, "note", "Note");
    }
    none(pg, a);

    heading(pg, "Consents");
    a = json_object_get(doc, "consents");
    json_array_foreach(a, i, v)
    {
        snprintf(buf, sizeof(buf), "Given by %s to %s on %s%s%s", s_of(v, "given_by"),
                 s_of(v, "given_to"), s_of(v, "given_on"),
                 s_of(v, "withdrawn_at") ? "; withdrawn " : "", WHEN(v, "withdrawn_at", t1));
        para(pg, 60, false, 10, buf);
        field(pg, 70, v, "evidence", "Evidence");
    }
    none(pg, a);

    heading(pg, "Cases");
    a = json_object_get(doc, "cases");
    json_array_foreach(a, i, v)
    {
        snprintf(buf, sizeof(buf), "Case %lld: %s (%s, %s, %s)",
                 (long long)json_integer_value(json_object_get(v, "id")),
                 s_of(v, "subject") ? s_of(v, "subject") : "", s_of(v, "kind"), s_of(v, "service"),
                 s_of(v, "status"));
        para(pg, 60, true, 11, buf);
        snprintf(buf, sizeof(buf), "Received: %s", WHEN(v, "received_at", t1));
        para(pg, 70, false, 10, buf);
        field(pg, 70, v, "handled_by", "Handled by");
        size_t k;
        json_t *o;
        json_array_foreach(json_object_get(v, "promises"), k, o)
        {
            snprintf(buf, sizeof(buf), "Promise (%s, due %s): %s", s_of(o, "state"),
                     s_of(o, "due_at") ? WHEN(o, "due_at", t1) : "-",
                     s_of(o, "text") ? s_of(o, "text") : s_of(o, "promise"));
            para(pg, 70, false, 9, buf);
        }
        json_array_foreach(json_object_get(v, "contacts"), k, o)
        {
            snprintf(buf, sizeof(buf), "%s, %s by %s, %s", WHEN(o, "at", t1), s_of(o, "direction"),
                     s_of(o, "channel"), s_of(o, "recorded_by"));
            para(pg, 70, true, 9, buf);
            if (json_is_true(json_object_get(o, "withheld")))
                para(pg, 80, false, 10, "Withheld: this contact was with another person.");
            field(pg, 80, o, "who", "With");
            if (s_of(o, "summary"))
                para(pg, 80, false, 10, s_of(o, "summary"));
            field(pg, 80, o, "outcome", "Outcome");
        }
        json_array_foreach(json_object_get(v, "timeline"), k, o)
        {
            snprintf(buf, sizeof(buf), "%s: %s%s%s (%s)", WHEN(o, "at", t1), s_of(o, "what"),
                     s_of(o, "detail") ? ": " : "", s_of(o, "detail") ? s_of(o, "detail") : "",
                     s_of(o, "by"));
            para(pg, 70, false, 9, buf);
        }
    }
    none(pg, a);

    heading(pg, "Files");
    a = json_object_get(doc, "attachments");
    json_array_foreach(a, i, v)
    {
        snprintf(buf, sizeof(buf), "%s (%s, %lld bytes), in this zip as %s", s_of(v, "filename"),
                 s_of(v, "content_type"), (long long)json_integer_value(json_object_get(v, "size")),
                 s_of(v, "file"));
        para(pg, 60, false, 10, buf);
    }
    none(pg, a);

    heading(pg, "Incidents recorded");
    a = json_object_get(doc, "incidents");
    json_array_foreach(a, i, v)
    {
        snprintf(buf, sizeof(buf), "%s, %s by %s", WHEN(v, "at", t1), s_of(v, "kind"),
                 s_of(v, "channel"));
        para(pg, 60, true, 10, buf);
        if (s_of(v, "what"))
            para(pg, 70, false, 10, s_of(v, "what"));
    }
    none(pg, a);

    heading(pg, "Restrictions on contact");
    a = json_object_get(doc, "restrictions");
    json_array_foreach(a, i, v)
    {
        snprintf(buf, sizeof(buf), "%s, recorded %s", s_of(v, "status"),
                 WHEN(v, "recorded_at", t1));
        para(pg, 60, true, 10, buf);
        field(pg, 70, v, "reason", "Reason");
        field(pg, 70, v, "point_of_contact", "Point of contact");
        field(pg, 70, v, "review_on", "Review on");
    }
    none(pg, a);

    heading(pg, "Who looked at your records");
    a = json_object_get(doc, "access_log");
    json_array_foreach(a, i, v)
    {
        snprintf(buf, sizeof(buf), "%s: %s, %s %s %lld", WHEN(v, "at", t1), s_of(v, "by"),
                 s_of(v, "action"), s_of(v, "record"),
                 (long long)json_integer_value(json_object_get(v, "record_id")));
        para(pg, 60, false, 9, buf);
    }
    none(pg, a);
}

int ch_sar_pdf(const json_t *doc, const ch_sar_zone *zone, char **out, size_t *len, ch_error *err)
{
    page pg = {.zone = zone};
    char *volatile data = NULL; /* freed if libharu fails while it is held */
    volatile int rc = CH_OK;
    *out = NULL;
    *len = 0;
    pg.pdf = HPDF_New(on_error, &pg);
    if (!pg.pdf)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    if (setjmp(pg.fail)) {
        free(data);
        data = NULL;
        free(pg.scratch);
        rc = ch_error_set(err, CH_E_IO, "the PDF could not be made");
        goto out;
    }
    HPDF_SetInfoAttr(pg.pdf, HPDF_INFO_TITLE, "Subject access: your personal data");
    pg.font = HPDF_GetFont(pg.pdf, "Helvetica", "WinAnsiEncoding");
    pg.bold = HPDF_GetFont(pg.pdf, "Helvetica-Bold", "WinAnsiEncoding");
    new_page(&pg);
    render(&pg, doc);
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
