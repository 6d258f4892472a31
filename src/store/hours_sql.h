/* The column lists both backends read contracts and visits with: the same
 * SQL text in SQLite and PostgreSQL, so the two read the same figures (the
 * balance as the sum of the ledger's movements, what is booked, what we owe:
 * visits we cancelled and shortfall recorded as owed). */
#ifndef CH_STORE_HOURS_SQL_H
#define CH_STORE_HOURS_SQL_H

#define CONTRACT_COLUMNS                                                                           \
    "c.id, c.organisation_id, o.name, c.service, c.year, c.starts_on, c.ends_on, c.amount,"        \
    " c.unit, c.purchased, c.block, c.prep_counts, c.contact_name, c.contact_email,"               \
    " c.consultant_id, u.name, c.shortfall, c.status, c.created_by, c.created_at,"                 \
    " (SELECT coalesce(sum(minutes), 0) FROM ledger l WHERE l.contract_id = c.id"                  \
    " AND l.kind <> 'owed'),"                                                                      \
    " (SELECT coalesce(sum(booked), 0) FROM visits v WHERE v.contract_id = c.id"                   \
    " AND v.status = 'booked'),"                                                                   \
    " (SELECT coalesce(sum(booked), 0) FROM visits v WHERE v.contract_id = c.id"                   \
    " AND v.status = 'cancelled-by-provider')"                                                     \
    " + (SELECT coalesce(sum(minutes), 0) FROM ledger l WHERE l.contract_id = c.id"                \
    " AND l.kind = 'owed'), c.scope"                                                               \
    " FROM contracts c JOIN organisations o ON o.id = c.organisation_id"                           \
    " LEFT JOIN users u ON u.id = c.consultant_id"

#define VISIT_COLUMNS                                                                              \
    "v.id, v.contract_id, v.consultant_id, v.starts_at, v.booked, v.actual, v.status, v.reason,"   \
    " v.note, v.late_notice_at, v.late_expected_at, v.rescheduled_from, v.over_balance,"           \
    " v.created_by, v.created_at, v.updated_at, o.name, u.name, c.service, v.arrived_at,"          \
    " v.kind, v.resources_due_at, v.resources_told_at, v.release_for, v.release_told_at"           \
    " FROM visits v JOIN contracts c ON c.id = v.contract_id"                                      \
    " JOIN organisations o ON o.id = c.organisation_id LEFT JOIN users u ON u.id = "               \
    "v.consultant_id"

/* A change to an open contract; parameters 1-9 as the backends bind them:
 * id, set_contact, name, email, set_consultant, consultant, shortfall,
 * block, prep_counts, set_scope, scope. */
#define CONTRACT_UPDATE(P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11)                              \
    "UPDATE contracts SET contact_name = CASE WHEN " P2 " THEN " P3 " ELSE contact_name END,"      \
    " contact_email = CASE WHEN " P2 " THEN " P4 " ELSE contact_email END,"                        \
    " consultant_id = CASE WHEN " P5 " THEN " P6 " ELSE consultant_id END,"                        \
    " shortfall = coalesce(" P7 ", shortfall), block = coalesce(" P8 ", block),"                   \
    " prep_counts = coalesce(" P9 ", prep_counts),"                                               \
    " scope = CASE WHEN " P10 " THEN " P11 " ELSE scope END WHERE id = " P1 " AND status = 'open'"

/* Visits by consultant (P2), by contract (P1) or any, from P3 to before
 * P4, at most P5: one statement per shape, each led by the column its index
 * starts with, so a timetable is an index range scan, never a scan of every
 * visit (an OR on a parameter hides the index from the planner). Every
 * shape names every parameter, as PostgreSQL requires. */
#define VISIT_RANGE(P3, P4, P5)                                                                    \
    " AND v.starts_at >= " P3 " AND v.starts_at < " P4 " ORDER BY v.starts_at, v.id LIMIT " P5
#define VISIT_LIST_BY_CONSULTANT(P1, P2, P3, P4, P5)                                               \
    "SELECT " VISIT_COLUMNS " WHERE v.consultant_id = " P2 " AND (" P1                             \
    " = 0 OR v.contract_id = " P1 ")" VISIT_RANGE(P3, P4, P5)
#define VISIT_LIST_BY_CONTRACT(P1, P2, P3, P4, P5)                                                 \
    "SELECT " VISIT_COLUMNS " WHERE v.contract_id = " P1 " AND (" P2                               \
    " = 0 OR v.consultant_id = " P2 ")" VISIT_RANGE(P3, P4, P5)
#define VISIT_LIST_ANY(P1, P2, P3, P4, P5)                                                         \
    "SELECT " VISIT_COLUMNS " WHERE " P1 " = 0 AND " P2 " = 0" VISIT_RANGE(P3, P4, P5)

/* Another visit of consultant P1 holding time that overlaps [P2, P3): read
 * inside the write that books, so two bookings made at once cannot both
 * take the slot. No visit is longer than a day, so the index range starts
 * a day before. */
#define VISIT_CLASH(P1, P2, P3)                                                                    \
    "SELECT id FROM visits WHERE consultant_id = " P1 " AND starts_at > CAST(" P2                  \
    " AS bigint) - 86400 AND starts_at < CAST(" P3 " AS bigint) AND starts_at + booked * 60 > "    \
    "CAST(" P2 " AS bigint) AND status IN ('booked', 'delivered') LIMIT 1"

/* The sentence for a clash found inside the write. */
#define VISIT_CLASH_TEXT                                                                           \
    "the consultant was booked into visit %lld at that time a moment ago; choose another time "    \
    "or another consultant"

/* The figures a booking is decided on, read again inside the write. */
#define CONTRACT_FIGURES                                                                           \
    "SELECT (SELECT coalesce(sum(minutes), 0) FROM ledger l WHERE l.contract_id = c.id"            \
    " AND l.kind <> 'owed'),"                                                                      \
    " (SELECT coalesce(sum(booked), 0) FROM visits v WHERE v.contract_id = c.id"                   \
    " AND v.status = 'booked') FROM contracts c WHERE c.id = "

#endif
