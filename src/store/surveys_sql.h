/* The SQL both backends keep customer surveys with: the same text in
 * SQLite and PostgreSQL (placeholders and the one function that differs
 * passed in), so both choose the same cases to invite and count the same
 * answers. */
#ifndef CH_STORE_SURVEYS_SQL_H
#define CH_STORE_SURVEYS_SQL_H

/* service, kinds (comma-separated), closed from, closed to, limit; STRPOS is
 * the backend's position-of-substring function (instr or strpos). A case's
 * last change is the one that closed it. */
#define SURVEY_CANDIDATES(P1, P2, P3, P4, P5, STRPOS)                                              \
    "SELECT c.id, c.service, c.kind, c.subject, c.requester_name,"                                 \
    " coalesce(c.requester_email, p.email), c.updated_at FROM cases c"                             \
    " LEFT JOIN people p ON p.id = c.person_id WHERE c.service = " P1 " AND c.status = 'closed'"   \
    " AND c.updated_at >= " P3 " AND c.updated_at < " P4 " AND " STRPOS "(',' || " P2              \
    " || ',', ',' || c.kind || ',') > 0 AND coalesce(c.requester_email, p.email) IS NOT NULL"      \
    " AND NOT EXISTS (SELECT 1 FROM survey_invitations s WHERE s.case_id = c.id)"                  \
    " ORDER BY c.updated_at, c.id LIMIT " P5

#define SURVEY_INVITE(P)                                                                           \
    "INSERT INTO survey_invitations(case_id, service, token_hash, outbox_id, sent_at,"             \
    " expires_at, anonymous_allowed, used) VALUES(" P ", 0)"

#define SURVEY_COLUMNS                                                                             \
    "id, case_id, outbox_id, service, sent_at, expires_at, anonymous_allowed, used, responded_at"

#define SURVEY_FIND(P1) "SELECT " SURVEY_COLUMNS " FROM survey_invitations WHERE token_hash = " P1

/* responded_at (NULL for an anonymous answer), token hash, now. */
#define SURVEY_USE(P1, P2, P3)                                                                     \
    "UPDATE survey_invitations SET used = 1, responded_at = " P1 " WHERE token_hash = " P2         \
    " AND used = 0 AND expires_at > " P3 " RETURNING id, case_id, service"

#define SURVEY_RESPOND(P)                                                                          \
    "INSERT INTO survey_responses(invitation_id, service, rating, comment, anonymous,"             \
    " submitted_at) VALUES(" P ")"

/* from, to, service (NULL for any), limit. */
#define SURVEY_INVITATIONS(P1, P2, P3, P4)                                                         \
    "SELECT " SURVEY_COLUMNS " FROM survey_invitations WHERE sent_at >= " P1 " AND sent_at < " P2  \
    " AND (CAST(" P3 " AS TEXT) IS NULL OR service = " P3 ") ORDER BY sent_at, id LIMIT " P4

#define SURVEY_RESPONSES(P1, P2, P3, P4)                                                           \
    "SELECT r.id, r.invitation_id, i.case_id, r.service, r.rating, r.comment, r.anonymous,"        \
    " r.submitted_at FROM survey_responses r LEFT JOIN survey_invitations i"                       \
    " ON i.id = r.invitation_id WHERE r.submitted_at >= " P1 " AND r.submitted_at < " P2           \
    " AND (CAST(" P3 " AS TEXT) IS NULL OR r.service = " P3                                        \
    ") ORDER BY r.submitted_at DESC, r.id DESC LIMIT " P4

#endif
