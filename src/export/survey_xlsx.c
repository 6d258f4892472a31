/* The customer survey report as an Excel workbook (libxlsxwriter): rates
 * and scores go in as numbers, so a manager can chart or sum them, and a
 * quarter with no answers is left blank rather than written as zero. */
#include "export/survey_report.h"

#include <xlsxwriter.h>

static void number_or_blank(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, int v, double scale,
                            lxw_format *f)
{
    if (v >= 0)
        worksheet_write_number(ws, r, c, (double)v / scale, f);
    else
        worksheet_write_blank(ws, r, c, f);
}

int ch_survey_report_xlsx(const ch_survey_report *rep, const char *path, ch_error *err)
{
    lxw_workbook *wb = workbook_new(path);
    if (!wb)
        return ch_error_set(err, CH_E_IO, "cannot create the workbook %s", path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Surveys");
    lxw_worksheet *cs = workbook_add_worksheet(wb, "Comments");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_format *mean = workbook_add_format(wb);
    format_set_num_format(mean, "0.00");
    lxw_format *when = workbook_add_format(wb);
    format_set_num_format(when, "dd/mm/yyyy hh:mm");
    static const char *const heads[] = {
        "Service",       "Service name",      "Quarter",      "Invited",
        "Answered",      "Response rate (%)", "Ratings",      "Mean rating (1-5)",
        "Satisfied (%)", "Very dissatisfied", "Dissatisfied", "Neither",
        "Satisfied",     "Very satisfied"};
    for (lxw_col_t c = 0; c < sizeof(heads) / sizeof(*heads); c++)
        worksheet_write_string(ws, 0, c, heads[c], bold);
    worksheet_set_column(ws, 0, 1, 26, NULL);
    worksheet_set_column(ws, 2, 13, 12, NULL);
    char q[16];
    for (size_t i = 0; i < rep->nrows; i++) {
        const ch_survey_report_row *row = &rep->rows[i];
        lxw_row_t r = (lxw_row_t)(i + 1);
        ch_survey_quarter_name(row->quarter, q, sizeof(q));
        worksheet_write_string(ws, r, 0, row->service, NULL);
        worksheet_write_string(ws, r, 1, row->service_name ? row->service_name : "", NULL);
        worksheet_write_string(ws, r, 2, q, NULL);
        worksheet_write_number(ws, r, 3, (double)row->tally.invited, NULL);
        worksheet_write_number(ws, r, 4, (double)row->tally.answered, NULL);
        number_or_blank(ws, r, 5, ch_survey_response_rate(&row->tally), 1, NULL);
        worksheet_write_number(ws, r, 6, (double)ch_survey_tally_responses(&row->tally), NULL);
        number_or_blank(ws, r, 7, ch_survey_mean_x100(&row->tally), 100, mean);
        number_or_blank(ws, r, 8, ch_survey_satisfied(&row->tally), 1, NULL);
        for (int k = 0; k < CH_SURVEY_RATING_MAX; k++)
            worksheet_write_number(ws, r, (lxw_col_t)(9 + k), (double)row->tally.ratings[k], NULL);
    }
    static const char *const cheads[] = {"Service", "Quarter", "Given",
                                         "Rating",  "Comment", "Case"};
    for (lxw_col_t c = 0; c < sizeof(cheads) / sizeof(*cheads); c++)
        worksheet_write_string(cs, 0, c, cheads[c], bold);
    worksheet_set_column(cs, 0, 0, 26, NULL);
    worksheet_set_column(cs, 2, 2, 17, NULL);
    worksheet_set_column(cs, 4, 4, 70, NULL);
    for (size_t i = 0; i < rep->ncomments; i++) {
        const ch_survey_report_comment *c = &rep->comments[i];
        lxw_row_t r = (lxw_row_t)(i + 1);
        ch_survey_quarter_name(c->quarter, q, sizeof(q));
        worksheet_write_string(cs, r, 0, c->service, NULL);
        worksheet_write_string(cs, r, 1, q, NULL);
        /* Excel counts days from 1899-12-30. */
        worksheet_write_number(cs, r, 2, (double)c->submitted_at / 86400.0 + 25569.0, when);
        worksheet_write_number(cs, r, 3, c->rating, NULL);
        worksheet_write_string(cs, r, 4, c->comment ? c->comment : "", NULL);
        if (c->case_id)
            worksheet_write_number(cs, r, 5, (double)c->case_id, NULL);
        else
            worksheet_write_string(cs, r, 5, "anonymous", NULL);
    }
    lxw_error rc = workbook_close(wb);
    if (rc != LXW_NO_ERROR)
        return ch_error_set(err, CH_E_IO, "the workbook could not be written: %s",
                            lxw_strerror(rc));
    return CH_OK;
}
