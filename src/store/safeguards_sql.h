/* The SQL both backends keep safeguards with: the same text in SQLite and
 * PostgreSQL (placeholders passed in), so both read a restriction's last
 * reply the same way. */
#ifndef CH_STORE_SAFEGUARDS_SQL_H
#define CH_STORE_SAFEGUARDS_SQL_H

#define INCIDENT_INSERT(P)                                                                         \
    "INSERT INTO incidents(person_id, case_id, at, channel, kind, what, staff,"                    \
    " health_and_safety, police_reference, actions, created_by, created_at, service)"              \
    " VALUES(" P ")"

#define INCIDENT_LIST(P1)                                                                          \
    "SELECT id, person_id, case_id, at, channel, kind, what, staff, health_and_safety,"            \
    " police_reference, actions, created_by, created_at, service FROM incidents"                   \
    " WHERE person_id = " P1 " ORDER BY at DESC, id DESC"

#define RESTRICTION_INSERT(P)                                                                      \
    "INSERT INTO restrictions(person_id, channels, point_of_contact, replies, per_days,"           \
    " refuse_service, reason, review_on, status, created_by, created_at, service)"                 \
    " VALUES(" P ")"

/* The last reply is the latest outbound contact on any of the person's
 * cases that kept a respond or resolve promise: what "one reply each 10
 * working days" counts from. */
#define RESTRICTION_COLUMNS                                                                        \
    "r.id, r.person_id, r.channels, r.point_of_contact, r.replies, r.per_days,"                    \
    " r.refuse_service, r.reason, r.review_on, r.status, r.notice_sent_at, r.notice_how,"          \
    " r.ended_at, r.end_reason, r.review_note, r.created_by, r.created_at, u.name, p.name,"        \
    " (SELECT max(ct.at) FROM contacts ct JOIN cases c ON c.id = ct.case_id"                       \
    " WHERE c.person_id = r.person_id AND ct.direction = 'outbound' AND EXISTS (SELECT 1"          \
    " FROM obligations o WHERE o.met_by_contact = ct.id AND o.kind IN ('respond', 'resolve'))),"   \
    " r.service"                                                                                   \
    " FROM restrictions r JOIN people p ON p.id = r.person_id"                                     \
    " LEFT JOIN users u ON u.id = r.point_of_contact"

#define RESTRICTION_GET(P1) "SELECT " RESTRICTION_COLUMNS " WHERE r.id = " P1

/* person (0 for any), status (NULL for any), review_by (0 for none), limit. */
#define RESTRICTION_LIST(P1, P2, P3, P4)                                                           \
    "SELECT " RESTRICTION_COLUMNS " WHERE (" P1 " = 0 OR r.person_id = " P1 ")"                    \
    " AND (" P2 " IS NULL OR r.status = " P2 ") AND (" P3 " = 0 OR r.review_on <= " P3 ")"         \
    " ORDER BY CASE WHEN " P3 " = 0 THEN 0 ELSE r.review_on END, r.id DESC LIMIT " P4

/* id, status, notice_sent_at, notice_how, ended_at, end_reason, review_on,
 * review_note, expected status. */
#define RESTRICTION_CHANGE(P1, P2, P3, P4, P5, P6, P7, P8, P9)                                     \
    "UPDATE restrictions SET status = coalesce(" P2 ", status),"                                   \
    " notice_sent_at = coalesce(" P3 ", notice_sent_at),"                                          \
    " notice_how = coalesce(" P4 ", notice_how), ended_at = coalesce(" P5 ", ended_at),"           \
    " end_reason = coalesce(" P6 ", end_reason), review_on = coalesce(" P7 ", review_on),"         \
    " review_note = coalesce(" P8 ", review_note) WHERE id = " P1 " AND status = " P9

#endif
