/* A termly statement as an Excel workbook (libxlsxwriter). Figures go in as
 * numbers of hours and dates as real dates, so a school's business manager
 * can add them up or paste them into their own sheet. */
#include "export/statement.h"

#include <stdio.h>
#include <xlsxwriter.h>

#include "core/civil.h"

static lxw_datetime excel_date(ch_date d)
{
    int y, m, day;
    ch_date_to_ymd(d, &y, &m, &day);
    return (lxw_datetime){y, m, day, 0, 0, 0};
}

static double hours(int64_t minutes)
{
    return (double)minutes / 60.0;
}

int ch_statement_xlsx(const ch_statement_doc *doc, const char *path, ch_error *err)
{
    lxw_workbook *wb = workbook_new(path);
    if (!wb)
        return ch_error_set(err, CH_E_IO, "cannot create the workbook %s", path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Statement");
    lxw_format *title = workbook_add_format(wb);
    format_set_bold(title);
    format_set_font_size(title, 14);
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_format *num = workbook_add_format(wb);
    format_set_num_format(num, "0.00");
    lxw_format *boldnum = workbook_add_format(wb);
    format_set_num_format(boldnum, "0.00");
    format_set_bold(boldnum);
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "dd/mm/yyyy");
    lxw_format *when = workbook_add_format(wb);
    format_set_num_format(when, "dd/mm/yyyy hh:mm");

    const ch_contract *c = &doc->contract;
    char buf[256];
    lxw_row_t r = 0;
    worksheet_set_column(ws, 0, 0, 14, NULL);
    worksheet_set_column(ws, 1, 1, 48, NULL);
    worksheet_set_column(ws, 2, 4, 14, NULL);
    snprintf(buf, sizeof(buf), "Statement of hours: %s", doc->term);
    worksheet_write_string(ws, r++, 0, buf, title);
    worksheet_write_string(ws, r, 0, "School", bold);
    worksheet_write_string(ws, r++, 1, c->organisation, NULL);
    worksheet_write_string(ws, r, 0, "Service", bold);
    snprintf(buf, sizeof(buf), "%s, %s", doc->service_name, doc->provider);
    worksheet_write_string(ws, r++, 1, buf, NULL);
    worksheet_write_string(ws, r, 0, "Contract", bold);
    snprintf(buf, sizeof(buf), "%lld, academic year %s", (long long)c->id, c->year);
    worksheet_write_string(ws, r++, 1, buf, NULL);
    worksheet_write_string(ws, r, 0, "Period", bold);
    lxw_datetime d0 = excel_date(doc->first), d1 = excel_date(doc->last);
    worksheet_write_datetime(ws, r, 1, &d0, date);
    worksheet_write_datetime(ws, r++, 2, &d1, date);
    worksheet_write_string(ws, r, 0, "Issued", bold);
    lxw_datetime di = excel_date(doc->issued);
    worksheet_write_datetime(ws, r++, 1, &di, date);
    r++;

    worksheet_write_string(ws, r, 0, "Opening balance (hours)", bold);
    worksheet_write_number(ws, r++, 4, hours(doc->figures.opening), boldnum);
    static const char *const head[] = {"Date", "Movement", "Hours in", "Hours out", "Balance"};
    for (int i = 0; i < 5; i++)
        worksheet_write_string(ws, r, (lxw_col_t)i, head[i], bold);
    r++;
    for (size_t i = 0; i < doc->nlines; i++, r++) {
        const ch_statement_line *l = &doc->lines[i];
        lxw_datetime dl = excel_date(l->date);
        worksheet_write_datetime(ws, r, 0, &dl, date);
        worksheet_write_string(ws, r, 1, l->what, NULL);
        if (l->minutes >= 0)
            worksheet_write_number(ws, r, 2, hours(l->minutes), num);
        else
            worksheet_write_number(ws, r, 3, hours(-l->minutes), num);
        worksheet_write_number(ws, r, 4, hours(l->balance), num);
    }
    worksheet_write_string(ws, r, 0, "Closing balance (hours)", bold);
    worksheet_write_number(ws, r++, 4, hours(doc->figures.closing), boldnum);
    worksheet_write_string(ws, r, 0, "Owed by us (hours)", bold);
    worksheet_write_number(ws, r++, 4, hours(doc->owed), boldnum);
    r++;

    worksheet_write_string(ws, r++, 0, "Not charged this term", bold);
    worksheet_write_string(ws, r, 0, "Date", bold);
    worksheet_write_string(ws, r, 1, "What", bold);
    worksheet_write_string(ws, r, 2, "Hours", bold);
    worksheet_write_string(ws, r++, 3, "Owed by us", bold);
    if (doc->nnotes == 0)
        worksheet_write_string(ws, r++, 0, "None", NULL);
    for (size_t i = 0; i < doc->nnotes; i++, r++) {
        const ch_statement_note *x = &doc->notes[i];
        lxw_datetime dn = excel_date(x->date);
        worksheet_write_datetime(ws, r, 0, &dn, date);
        worksheet_write_string(ws, r, 1, x->what, NULL);
        worksheet_write_number(ws, r, 2, hours(x->minutes), num);
        worksheet_write_string(ws, r, 3, x->owed ? "yes" : "no", NULL);
    }
    r++;

    worksheet_write_string(ws, r++, 0, "Visits still booked", bold);
    worksheet_write_string(ws, r, 0, "When", bold);
    worksheet_write_string(ws, r, 1, "Consultant", bold);
    worksheet_write_string(ws, r++, 3, "Hours", bold);
    if (doc->nbooked == 0)
        worksheet_write_string(ws, r++, 0, "None", NULL);
    for (size_t i = 0; i < doc->nbooked; i++, r++) {
        const ch_visit *v = &doc->booked[i];
        ch_date day;
        int32_t secs;
        ch_tz_to_local(doc->tz, v->starts_at, &day, &secs);
        lxw_datetime dv = excel_date(day);
        dv.hour = secs / 3600;
        dv.min = secs / 60 % 60;
        worksheet_write_datetime(ws, r, 0, &dv, when);
        worksheet_write_string(ws, r, 1, v->consultant ? v->consultant : "", NULL);
        worksheet_write_number(ws, r, 3, hours(v->booked), num);
    }
    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR)
        return ch_error_set(err, CH_E_IO, "cannot write the workbook %s: %s", path,
                            lxw_strerror(e));
    return CH_OK;
}
