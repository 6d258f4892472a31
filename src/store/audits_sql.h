/* The SQL both backends keep behaviour audits with: the same text in
 * SQLite and PostgreSQL (placeholders passed in), so both count each
 * group's responses the same way. */
#ifndef CH_STORE_AUDITS_SQL_H
#define CH_STORE_AUDITS_SQL_H

#define SCHOOL_AUDIT_INSERT(P)                                                                     \
    "INSERT INTO school_audits(service, template, school, organisation_id, intervention,"          \
    " baseline_id, opens_on, closes_on, code_pupils, code_parents, code_teachers,"                 \
    " code_governors, created_by, created_at) VALUES(" P ")"

/* Columns 0-14 as inserted (with id first), then each group's responses. */
#define SCHOOL_AUDIT_COLUMNS                                                                       \
    "a.id, a.service, a.template, a.school, a.organisation_id, a.intervention, a.baseline_id,"     \
    " a.opens_on, a.closes_on, a.code_pupils, a.code_parents, a.code_teachers,"                    \
    " a.code_governors, a.created_by, a.created_at,"                                               \
    " (SELECT count(*) FROM audit_responses r WHERE r.audit_id = a.id AND r.grp = 'pupils'),"      \
    " (SELECT count(*) FROM audit_responses r WHERE r.audit_id = a.id AND r.grp = 'parents'),"     \
    " (SELECT count(*) FROM audit_responses r WHERE r.audit_id = a.id AND r.grp = 'teachers'),"    \
    " (SELECT count(*) FROM audit_responses r WHERE r.audit_id = a.id AND r.grp = 'governors')"    \
    " FROM school_audits a"

#define SCHOOL_AUDIT_GET(P1) "SELECT " SCHOOL_AUDIT_COLUMNS " WHERE a.id = " P1

#define SCHOOL_AUDIT_BY_CODE(P1)                                                                   \
    "SELECT " SCHOOL_AUDIT_COLUMNS " WHERE a.code_pupils = " P1 " OR a.code_parents = " P1         \
    " OR a.code_teachers = " P1 " OR a.code_governors = " P1 " ORDER BY a.id LIMIT 1"

#define SCHOOL_AUDIT_LIST(P1) "SELECT " SCHOOL_AUDIT_COLUMNS " ORDER BY a.id DESC LIMIT " P1

#define SCHOOL_AUDIT_DATES(P1, P2, P3)                                                             \
    "UPDATE school_audits SET opens_on = " P2 ", closes_on = " P3 " WHERE id = " P1

#define AUDIT_RESPONSE_INSERT(P)                                                                   \
    "INSERT INTO audit_responses(audit_id, grp, submitted_at, answers, form_id) VALUES(" P ")"

#define AUDIT_RESPONSES(P1)                                                                        \
    "SELECT id, audit_id, grp, submitted_at, answers FROM audit_responses WHERE audit_id = " P1    \
    " ORDER BY id"

#endif
