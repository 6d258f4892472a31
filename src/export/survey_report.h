/* The customer survey report laid out once (by service and quarter, with
 * the comments people chose to leave), for JSON and CSV at the HTTP edge
 * and as an Excel workbook here. */
#ifndef CH_SURVEY_REPORT_H
#define CH_SURVEY_REPORT_H

#include "core/survey.h"

typedef struct ch_survey_report_row {
    const char *service, *service_name; /* "policy/service", its name */
    int quarter;                        /* core/survey.h numbering */
    ch_survey_tally tally;
} ch_survey_report_row;

typedef struct ch_survey_report_comment {
    const char *service;
    int quarter;
    ch_time submitted_at;
    int rating;
    const char *comment;
    int64_t case_id; /* 0 for an anonymous answer */
} ch_survey_report_comment;

typedef struct ch_survey_report {
    int from, to; /* quarters, inclusive */
    ch_survey_report_row *rows;
    size_t nrows;
    ch_survey_report_comment *comments;
    size_t ncomments;
} ch_survey_report;

/* Writes the report as a workbook to path: a sheet of figures by service
 * and quarter (numbers as numbers), and a sheet of the comments. */
int ch_survey_report_xlsx(const ch_survey_report *rep, const char *path, ch_error *err);

#endif
