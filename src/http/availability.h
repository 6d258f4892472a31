/* Staff availability on the desk (availability.c): reading and checking a
 * person's working pattern and absences, the members they add to a user's
 * JSON, and the warning when work goes to someone who is away. The
 * decisions are core/availability.h's. */
#ifndef CH_HTTP_AVAILABILITY_H
#define CH_HTTP_AVAILABILITY_H

#include "core/availability.h"
#include "http/jsonw.h"
#include "http/request.h"

/* One person's availability as read from the store. */
typedef struct ch_staff_avail {
    int64_t user_id;
    ch_work_pattern pattern;
    ch_absence *absences;
    size_t nabsences;
} ch_staff_avail;

/* Everyone's availability and the staff list (for names of cover). */
typedef struct ch_avail_set {
    ch_staff_avail *items;
    size_t n;
    ch_user *users;
    size_t nusers;
} ch_avail_set;

/* Reads everyone's availability from store into arena; a stored row that
 * no longer reads counts as no pattern and no absences. */
int ch_avail_load(ch_store *store, ch_arena *arena, ch_avail_set *set, ch_error *err);
const ch_staff_avail *ch_avail_find(const ch_avail_set *set, int64_t user_id);
const ch_user *ch_avail_user(const ch_avail_set *set, int64_t user_id);

/* Today in the time zone of service (NULL: the desk's first service's). */
ch_date ch_http_today(ch_req *r, const char *service);

/* Writes the members working_pattern, absences, away, out_of_office and
 * signature of user u into an open object. */
void ch_jw_availability(ch_jw *w, const ch_avail_set *set, const ch_user *u, ch_date today);

/* Reads working_pattern and absences from body for target, checking each
 * (recorded in p); *given says whether either was sent. On success with
 * *given, *row is what to store (strings in the request's arena). */
void ch_http_availability_read(ch_req *r, problems *p, json_t *body, const ch_user *target,
                               const ch_avail_set *set, ch_availability_row *row, bool *given);

/* When user_id is away on today: a new object {warning, alternative} for an
 * answer that gave them work, or NULL when they are not away. */
json_t *ch_http_away_warning(ch_req *r, const ch_avail_set *set, int64_t user_id, ch_date today);

/* ch_http_away_warning for work in service given to user_id now; NULL
 * when they are not away (or availability cannot be read: the change
 * stands either way). */
json_t *ch_http_assign_warning(ch_req *r, int64_t user_id, const char *service);

/* The out-of-office sentence of user_id for day into buf, or false (buf
 * "") when they are not away that day or availability cannot be read. */
bool ch_http_away_text(ch_req *r, int64_t user_id, ch_date day, char *buf, size_t size);

/* GET /api/v1/users/{id}/out-of-office */
enum MHD_Result ch_http_user_out_of_office(ch_req *r, int64_t id);

#endif
