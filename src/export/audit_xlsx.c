/* A behaviour audit's results as an Excel workbook (libxlsxwriter): a summary
 * with the sample, means and a chart per scale question, a sheet per group
 * and every response raw; counts go in as numbers the school can work with. */
#include "export/audit_xlsx.h"

#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

typedef struct book {
    lxw_workbook *wb;
    lxw_format *title, *bold, *num, *pct, *date, *wrap;
} book;

static lxw_datetime excel_date(ch_date d)
{
    int y, m, day;
    ch_date_to_ymd(d, &y, &m, &day);
    return (lxw_datetime){y, m, day, 0, 0, 0};
}

static void date_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, ch_date d, lxw_format *f)
{
    lxw_datetime dt = excel_date(d);
    worksheet_write_datetime(ws, r, c, &dt, f);
}

static void label(lxw_worksheet *ws, const book *b, lxw_row_t *r, const char *name,
                  const char *value)
{
    worksheet_write_string(ws, *r, 0, name, b->bold);
    worksheet_write_string(ws, (*r)++, 1, value ? value : "", NULL);
}

/* The audit itself, the sample per group and each scale question's mean
 * per group, then a block of counts and a chart for each scale question. */
static void summary(const ch_audit_doc *doc, const book *b)
{
    const ch_school_audit *a = doc->audit;
    const ch_audit_template *t = doc->tmpl;
    const ch_audit_results *res = doc->results;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Summary");
    char buf[300];
    lxw_row_t r = 0;
    worksheet_set_column(ws, 0, 0, 48, NULL);
    worksheet_set_column(ws, 1, 6, 12, NULL);
    snprintf(buf, sizeof(buf), "%s: %s", t->title, a->school);
    worksheet_write_string(ws, r++, 0, buf, b->title);
    label(ws, b, &r, "School", a->school);
    label(ws, b, &r, "Survey", t->title);
    label(ws, b, &r, "Run by", doc->provider);
    label(ws, b, &r, "Intervention", a->intervention);
    snprintf(buf, sizeof(buf), "Audit %lld%s", (long long)a->id,
             a->baseline_id ? ", a follow-up" : "");
    label(ws, b, &r, "Audit", buf);
    if (a->baseline_id) {
        snprintf(buf, sizeof(buf), "%lld", (long long)a->baseline_id);
        label(ws, b, &r, "Baseline audit", buf);
    }
    worksheet_write_string(ws, r, 0, "Opens and closes", b->bold);
    date_cell(ws, r, 1, a->opens_on, b->date);
    date_cell(ws, r++, 2, a->closes_on, b->date);
    worksheet_write_string(ws, r, 0, "Produced", b->bold);
    date_cell(ws, r++, 1, doc->today, b->date);
    r++;

    worksheet_write_string(ws, r, 0, "Responses by group", b->bold);
    worksheet_write_string(ws, r++, 1, "Responses", b->bold);
    for (int g = 0; g < CH_AUDIT_GROUPS; g++) {
        if (!a->codes[g])
            continue;
        worksheet_write_string(ws, r, 0, ch_audit_group_title((ch_audit_group)g), NULL);
        worksheet_write_number(ws, r++, 1, (double)res->responses[g], NULL);
    }
    worksheet_write_string(ws, r, 0, "Total", b->bold);
    worksheet_write_number(ws, r++, 1, (double)res->total, b->bold);
    r++;

    /* Columns 1.. are the groups asked, then everyone. */
    int cols[CH_AUDIT_GROUPS + 1], ncols = 0;
    for (int g = 0; g < CH_AUDIT_GROUPS; g++)
        if (a->codes[g])
            cols[ncols++] = g;
    cols[ncols++] = CH_AUDIT_GROUPS;
    worksheet_write_string(ws, r, 0, "Mean score by group (scale questions)", b->bold);
    for (int k = 0; k < ncols; k++)
        worksheet_write_string(
            ws, r, (lxw_col_t)(k + 1),
            cols[k] == CH_AUDIT_GROUPS ? "Everyone" : ch_audit_group_title((ch_audit_group)cols[k]),
            b->bold);
    r++;
    for (size_t q = 0; q < t->nquestions; q++) {
        const ch_audit_question *qq = &t->questions[q];
        if (qq->kind != CH_AUDIT_SCALE)
            continue;
        snprintf(buf, sizeof(buf), "%s (1 to %d)", qq->text, qq->points);
        worksheet_write_string(ws, r, 0, buf, b->wrap);
        for (int k = 0; k < ncols; k++) {
            double mean;
            if (ch_audit_mean(ch_audit_tally_of(res, q, cols[k]), &mean))
                worksheet_write_number(ws, r, (lxw_col_t)(k + 1), mean, b->num);
            else
                worksheet_write_string(ws, r, (lxw_col_t)(k + 1), "no answers", NULL);
        }
        r++;
    }
    r++;

    /* Each scale question: how many chose each point, by group, charted. */
    for (size_t q = 0; q < t->nquestions; q++) {
        const ch_audit_question *qq = &t->questions[q];
        if (qq->kind != CH_AUDIT_SCALE)
            continue;
        lxw_row_t top = r;
        worksheet_write_string(ws, r++, 0, qq->text, b->bold);
        worksheet_write_string(ws, r, 0, "Point", b->bold);
        for (int k = 0; k + 1 < ncols; k++)
            worksheet_write_string(ws, r, (lxw_col_t)(k + 1),
                                   ch_audit_group_title((ch_audit_group)cols[k]), b->bold);
        r++;
        lxw_row_t first = r;
        for (int p = 1; p <= qq->points; p++, r++) {
            const char *end = p == 1 ? qq->low : p == qq->points ? qq->high : NULL;
            if (end)
                snprintf(buf, sizeof(buf), "%d (%s)", p, end);
            else
                snprintf(buf, sizeof(buf), "%d", p);
            worksheet_write_string(ws, r, 0, buf, NULL);
            for (int k = 0; k + 1 < ncols; k++)
                worksheet_write_number(ws, r, (lxw_col_t)(k + 1),
                                       (double)ch_audit_tally_of(res, q, cols[k])->counts[p - 1],
                                       NULL);
        }
        lxw_chart *chart = workbook_add_chart(b->wb, LXW_CHART_COLUMN);
        chart_title_set_name(chart, qq->text);
        for (int k = 0; k + 1 < ncols; k++) {
            lxw_chart_series *s = chart_add_series(chart, NULL, NULL);
            chart_series_set_categories(s, "Summary", first, 0, r - 1, 0);
            chart_series_set_values(s, "Summary", first, (lxw_col_t)(k + 1), r - 1,
                                    (lxw_col_t)(k + 1));
            chart_series_set_name(s, ch_audit_group_title((ch_audit_group)cols[k]));
        }
        chart_axis_set_name(chart->x_axis, "Point on the scale");
        chart_axis_set_name(chart->y_axis, "Responses");
        worksheet_insert_chart(ws, top, (lxw_col_t)(ncols + 1), chart);
        /* A chart stands about 15 rows tall: the next block starts below it. */
        lxw_row_t next = top + 17;
        r = r + 1 > next ? r + 1 : next;
    }
}

/* One group's sheet: its sample, and what it said to each question asked. */
static void group_sheet(const ch_audit_doc *doc, const book *b, ch_audit_group g)
{
    const ch_audit_template *t = doc->tmpl;
    const ch_audit_results *res = doc->results;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, ch_audit_group_title(g));
    char buf[64];
    lxw_row_t r = 0;
    worksheet_set_column(ws, 0, 0, 48, NULL);
    worksheet_set_column(ws, 1, 2, 12, NULL);
    worksheet_write_string(ws, r++, 0, ch_audit_group_title(g), b->title);
    worksheet_write_string(ws, r, 0, "Responses", b->bold);
    worksheet_write_number(ws, r++, 1, (double)res->responses[g], b->bold);
    r++;
    for (size_t q = 0; q < t->nquestions; q++) {
        const ch_audit_question *qq = &t->questions[q];
        const ch_audit_tally *tl = ch_audit_tally_of(res, q, g);
        if (!ch_audit_asks(qq, g))
            continue;
        worksheet_write_string(ws, r, 0, qq->text, b->bold);
        worksheet_write_string(ws, r, 1, "Answered", b->bold);
        worksheet_write_number(ws, r++, 2, (double)tl->answered, NULL);
        if (qq->kind == CH_AUDIT_SCALE) {
            double mean;
            worksheet_write_string(ws, r, 0, "Mean", NULL);
            if (ch_audit_mean(tl, &mean))
                worksheet_write_number(ws, r, 1, mean, b->num);
            r++;
            for (int p = 1; p <= qq->points; p++, r++) {
                snprintf(buf, sizeof(buf), "%d", p);
                worksheet_write_string(ws, r, 0, buf, NULL);
                worksheet_write_number(ws, r, 1, (double)tl->counts[p - 1], NULL);
            }
        } else if (qq->kind == CH_AUDIT_TEXT) {
            for (size_t i = 0; i < doc->nresponses; i++) {
                const ch_audit_answer *ans = &doc->responses[i].answers[q];
                if (doc->responses[i].group != g || !ans->given || !ans->text || !*ans->text)
                    continue;
                worksheet_write_string(ws, r++, 0, ans->text, b->wrap);
            }
        } else {
            for (size_t k = 0; k < qq->noptions; k++, r++) {
                double share;
                worksheet_write_string(ws, r, 0, qq->options[k], NULL);
                worksheet_write_number(ws, r, 1, (double)tl->counts[k], NULL);
                if (ch_audit_share(tl, k, &share))
                    worksheet_write_number(ws, r, 2, share, b->pct);
            }
        }
        r++;
    }
}

/* Every response as sent, one a row, a column per question. */
static void raw_sheet(const ch_audit_doc *doc, const book *b)
{
    const ch_audit_template *t = doc->tmpl;
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Responses");
    worksheet_write_string(ws, 0, 0, "Response", b->bold);
    worksheet_write_string(ws, 0, 1, "Group", b->bold);
    worksheet_write_string(ws, 0, 2, "Submitted on (UTC)", b->bold);
    worksheet_set_column(ws, 2, 2, 18, NULL);
    for (size_t q = 0; q < t->nquestions; q++)
        worksheet_write_string(ws, 0, (lxw_col_t)(q + 3), t->questions[q].text, b->bold);
    for (size_t i = 0; i < doc->nresponses; i++) {
        const ch_audit_response *resp = &doc->responses[i];
        lxw_row_t r = (lxw_row_t)(i + 1);
        worksheet_write_number(ws, r, 0, (double)resp->id, NULL);
        worksheet_write_string(ws, r, 1, ch_audit_group_name(resp->group), NULL);
        /* The day only: the minute someone answered could tell a school which
         * teacher or governor it was, and the form promises anonymity. */
        lxw_datetime dt = excel_date(ch_time_utc_date(resp->submitted_at));
        worksheet_write_datetime(ws, r, 2, &dt, b->date);
        for (size_t q = 0; q < t->nquestions && q < resp->nanswers; q++) {
            const ch_audit_question *qq = &t->questions[q];
            const ch_audit_answer *ans = &resp->answers[q];
            lxw_col_t c = (lxw_col_t)(q + 3);
            char text[CH_AUDIT_MAX_OPTIONS * 80];
            size_t used = 0;
            if (!ans->given)
                continue;
            switch (qq->kind) {
            case CH_AUDIT_SCALE:
                worksheet_write_number(ws, r, c, ans->value, NULL);
                break;
            case CH_AUDIT_SINGLE:
                worksheet_write_string(ws, r, c, qq->options[ans->value], NULL);
                break;
            case CH_AUDIT_MULTIPLE:
                text[0] = '\0';
                for (size_t k = 0; k < qq->noptions && used < sizeof(text); k++) {
                    if (!((ans->choices >> k) & 1u))
                        continue;
                    int w = snprintf(text + used, sizeof(text) - used, "%s%s", used ? "; " : "",
                                     qq->options[k]);
                    used = w < 0 ? sizeof(text) : used + (size_t)w;
                }
                worksheet_write_string(ws, r, c, text, NULL);
                break;
            case CH_AUDIT_TEXT:
                worksheet_write_string(ws, r, c, ans->text ? ans->text : "", NULL);
                break;
            }
        }
    }
}

int ch_audit_xlsx(const ch_audit_doc *doc, const char *path, ch_error *err)
{
    book b = {workbook_new(path), NULL, NULL, NULL, NULL, NULL, NULL};
    if (!b.wb)
        return ch_error_set(err, CH_E_IO, "cannot create the workbook %s", path);
    b.title = workbook_add_format(b.wb);
    format_set_bold(b.title);
    format_set_font_size(b.title, 14);
    b.bold = workbook_add_format(b.wb);
    format_set_bold(b.bold);
    b.num = workbook_add_format(b.wb);
    format_set_num_format(b.num, "0.00");
    b.pct = workbook_add_format(b.wb);
    format_set_num_format(b.pct, "0%");
    b.date = workbook_add_format(b.wb);
    format_set_num_format(b.date, "dd/mm/yyyy");
    b.wrap = workbook_add_format(b.wb);
    format_set_text_wrap(b.wrap);
    summary(doc, &b);
    for (int g = 0; g < CH_AUDIT_GROUPS; g++)
        if (doc->audit->codes[g])
            group_sheet(doc, &b, (ch_audit_group)g);
    raw_sheet(doc, &b);
    lxw_error e = workbook_close(b.wb);
    if (e != LXW_NO_ERROR)
        return ch_error_set(err, CH_E_IO, "cannot write the workbook %s: %s", path,
                            lxw_strerror(e));
    return CH_OK;
}
