/* Shared by the purchased-hours handlers (contracts.c, visits.c,
 * statements.c, year_end.c), implemented in hours.c: loading a contract the
 * user may see, times on the service's calendar, and contracts and visits
 * as JSON. */
#ifndef CH_HTTP_HOURS_H
#define CH_HTTP_HOURS_H

#include "core/timetable.h"
#include "http/json_case.h"
#include "http/request.h"
#include "mail/message.h"

/* Loads contract id and its service if the user may see it; queues a 404
 * otherwise, or a 409 when no loaded charter has the contract's service. */
bool ch_hours_contract(ch_req *r, int64_t id, ch_contract *c, ch_desk_service *ds,
                       enum MHD_Result *res);

/* ch_hours_contract, then the request body as a JSON object holding only
 * the members in keys (a new reference in *body); false after queuing the
 * answer. */
bool ch_hours_contract_body(ch_req *r, int64_t id, ch_contract *c, ch_desk_service *ds,
                            const ch_req_key *keys, json_t **body, enum MHD_Result *res);

/* A term named in a request (given; NULL for the current one, into buf),
 * or NULL after queuing a 400 that shows how a term is written. */
const char *ch_hours_term(ch_req *r, const char *given, char *buf, size_t size,
                          enum MHD_Result *res);

/* Whether term is one of the three of the contract's academic year: a
 * contract for 2026-27 runs in autumn-2026, spring-2027 and summer-2027. */
bool ch_hours_runs_in(const ch_contract *c, const char *term);

/* Whether contract c has a statement for term (one of its year's terms)
 * and, when to_send, whether the term has begun on the service's calendar,
 * so a statement can be sent. Queues a 400 or 409 that says which terms
 * would do when not. */
bool ch_hours_statement_term(ch_req *r, const ch_contract *c, const ch_desk_service *ds,
                             const char *term, bool to_send, enum MHD_Result *res);

/* Appends to *rows (n of them, in a; the array is replaced) the termly
 * promise's instances due in [from, to): one per contract of services (NULL
 * for all) whose charter promises a termly statement, per term of its year
 * whose statement fell due then, met when it was recorded as sent. The
 * compliance report and the public page count them with the rest. */
int ch_http_termly_rows(ch_desk *desk, const char *const *services, size_t nservices, ch_time from,
                        ch_time to, ch_arena *a, ch_report_row **rows, size_t *n, ch_error *err);

/* The first day of term's statement period on the service's calendar
 * (term already checked). */
ch_date ch_hours_term_first(const ch_desk_service *ds, const char *term);

/* The term to show of contract c when none is named: today's, or the
 * nearest of the contract's own terms (its last when the year is over, its
 * first when it has not begun), into buf. */
void ch_hours_contract_term(const ch_req *r, const ch_contract *c, const ch_desk_service *ds,
                            char *buf, size_t size);

/* Whether the user may agree to what only a manager may (an adjustment, a
 * booking past the balance, the year end). */
bool ch_hours_manager(const ch_req *r);

/* A contract's fields (with its balance and what is left to book) and a
 * visit's fields, as members of the current object. */
void ch_jw_contract_members(ch_jw *w, const ch_contract *c);
void ch_jw_visit_members(ch_jw *w, const ch_visit *v);

/* Minutes as a number of hours with two decimals ("2.50"). */
void ch_jw_hours(ch_jw *w, int64_t minutes);

/* Reads a time field (RFC 3339, or local time in the service's zone) into
 * *out; records a problem and returns false when it is unreadable. */
bool ch_hours_time(problems *p, json_t *obj, const char *key, const ch_calendar *cal, bool required,
                   ch_time *out);

/* Whether user id is an active member of staff of service, who may be a
 * contract's or a visit's consultant; records a problem on field when not. */
bool ch_hours_consultant_ok(ch_req *r, problems *p, const char *field, int64_t id,
                            const char *service);

/* The first visit of consultant's (other than visit except) that holds
 * time overlapping want, into *found: CH_OK when there is one,
 * CH_E_NOTFOUND when they are free, another code when the store fails. */
int ch_hours_visit_during(ch_req *r, int64_t consultant, int64_t except, ch_slot want,
                          ch_visit *found, ch_error *err);

/* Reads a notice object (notice_at, channel, told, note) under field into
 * *n; records what is wrong and returns false when it cannot be read. */
bool ch_hours_notice_read(ch_req *r, problems *p, json_t *obj, const char *field,
                          const ch_calendar *cal, ch_visit_notice *n);

/* The email telling the school's contact of notice n about visit v (late
 * or cancelled by us), as an outbox row in *row; the message is malloc'd in
 * *raw, which the caller frees after the write. CH_E_CONFLICT, with what to
 * do instead, when the desk has no mail server or the contract no address. */
int ch_hours_notice_mail(ch_req *r, const ch_contract *c, const ch_desk_service *ds,
                         const ch_visit *v, const ch_visit_notice *n, ch_outbox_row *row,
                         char **raw, ch_error *err);

/* A message from the service to contract c's named contact (text, with
 * parts attached), as an outbox row of purpose in *row; the message is
 * malloc'd in *raw, which the caller frees after the write. */
int ch_hours_school_message(ch_req *r, const ch_contract *c, const ch_desk_service *ds,
                            const char *purpose, const char *subject, const char *text,
                            const ch_part *parts, size_t nparts, ch_outbox_row *row, char **raw,
                            ch_error *err);

/* Contract c's statement for term (checked) as a pdf or xlsx download. */
enum MHD_Result ch_hours_statement_file(ch_req *r, const ch_contract *c, const ch_desk_service *ds,
                                        const char *term, const char *format);

/* A visit's notices as a JSON array. */
void ch_jw_visit_notices(ch_jw *w, const ch_visit_notice *n, size_t count);

/* "09:30" for t on the service's clock, into buf. */
void ch_hours_clock(const ch_calendar *cal, ch_time t, char *buf, size_t size);

/* The first instant of local date d on the service's calendar. */
ch_time ch_hours_day_start(const ch_calendar *cal, ch_date d);

/* Local date of t on the service's calendar. */
ch_date ch_hours_local_date(const ch_calendar *cal, ch_time t);

#endif
