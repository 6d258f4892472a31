/* Complaints and compliments on the desk (complaints.c): a complaint's stages,
 * the staff a complaint or compliment names (a complaint naming staff is for
 * managers only), and the complaints and compliments report. */
#ifndef CH_HTTP_COMPLAINTS_H
#define CH_HTTP_COMPLAINTS_H

#include "http/desk.h"

/* Whether case c is kept from the signed-in user: an officer does not see a
 * complaint that names a member of staff (as another team's case, it is
 * not admitted to exist). Fails closed when the store cannot say. */
bool ch_http_complaint_hidden(ch_req *r, const ch_case_row *c);

/* Sets the stage facts of a complaint's contact (out->stage, and when the
 * stage began) from its stored stages, so a recompute counts each stage's
 * promises from the start of that stage. */
/* Drops from rows (n of them, kept in order) the cases hidden from the
 * signed-in user as above, for lists that are not paged in the store. */
int ch_http_complaints_unhidden(ch_req *r, ch_case_row *rows, size_t *n, ch_error *err);

int ch_http_complaint_facts(ch_req *r, const ch_case_row *c, ch_contact *out, ch_error *err);

/* GET /api/v1/cases/{id}/complaint, POST /api/v1/cases/{id}/complaint/stage,
 * POST /api/v1/cases/{id}/staff, GET /api/v1/reports/complaints. */
enum MHD_Result ch_http_complaint_get(ch_req *r, int64_t id);
enum MHD_Result ch_http_complaint_stage(ch_req *r, int64_t id);
enum MHD_Result ch_http_case_staff_set(ch_req *r, int64_t id);
enum MHD_Result ch_http_complaints_report(ch_req *r);

#endif
