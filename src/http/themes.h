/* Themes on cases and the reports that count them: the handlers, and the
 * download and CSV helpers reports.c shares with them. */
#ifndef CH_HTTP_THEMES_H
#define CH_HTTP_THEMES_H

#include "http/desk.h"
#include "http/jsonw.h"

/* GET and PUT /api/v1/cases/{id}/themes: what the case is about, and the
 * themes its charter allows. */
enum MHD_Result ch_http_case_themes_get(ch_req *r, int64_t id);
enum MHD_Result ch_http_case_themes_put(ch_req *r, int64_t id);

/* GET /api/v1/reports/themes: cases by quarter, theme, channel and
 * outcome, small numbers hidden (core/themes.h), as JSON, CSV, xlsx or PDF. */
enum MHD_Result ch_http_themes_report(ch_req *r);

/* Queues data (malloc'd; taken) as a download called name. */
enum MHD_Result ch_http_download(ch_req *r, const char *type, const char *name, char *data,
                                 size_t len);

/* Appends one CSV field: as it is when plain, quoted (quotes doubled) when
 * it holds a comma, a quote or a line break. A field that a spreadsheet
 * would take for a formula (=, +, -, @ first) is quoted with a leading
 * apostrophe, so a name cannot run as one. */
void ch_csv_field(ch_jw *w, const char *s);

#define CH_XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#endif
