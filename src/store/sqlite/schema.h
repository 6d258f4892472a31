/* The SQLite schema as numbered migrations: migration N moves a database at
 * version N-1 to version N. Released migrations are never edited. */
#ifndef CH_SQLITE_SCHEMA_H
#define CH_SQLITE_SCHEMA_H

static const char *const ch_sqlite_migrations[] = {
    /* 1: users, credentials, policies, cases and their timeline, audit. */
    "CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    " role TEXT NOT NULL, password_hash TEXT, created_at INTEGER NOT NULL);"
    "CREATE TABLE user_services(user_id INTEGER NOT NULL REFERENCES users(id),"
    " service TEXT NOT NULL, PRIMARY KEY(user_id, service));"
    "CREATE TABLE credentials(hash BLOB PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),"
    " kind TEXT NOT NULL, csrf TEXT, expires_at INTEGER, created_at INTEGER NOT NULL);"
    "CREATE TABLE policies(policy_id TEXT NOT NULL, version INTEGER NOT NULL, text TEXT NOT NULL,"
    " saved_at INTEGER NOT NULL, PRIMARY KEY(policy_id, version));"
    "CREATE TABLE cases(id INTEGER PRIMARY KEY, service TEXT NOT NULL, kind TEXT NOT NULL,"
    " channel TEXT NOT NULL, subject TEXT NOT NULL, status TEXT NOT NULL,"
    " received_at INTEGER NOT NULL, deemed_at INTEGER NOT NULL, requester_name TEXT,"
    " requester_email TEXT, organisation TEXT, officer_id INTEGER REFERENCES users(id),"
    " flags TEXT NOT NULL DEFAULT '', version INTEGER NOT NULL DEFAULT 1, next_due_at INTEGER,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    /* Queues read their order straight from these partial indexes. */
    "CREATE INDEX cases_open_due ON cases(status, next_due_at);"
    "CREATE INDEX cases_officer_due ON cases(officer_id, next_due_at) WHERE status != 'closed';"
    "CREATE INDEX cases_service_due ON cases(service, next_due_at) WHERE status = 'open';"
    "CREATE TABLE obligations(id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL"
    " REFERENCES cases(id), promise TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,"
    " due_at INTEGER NOT NULL, state TEXT NOT NULL, met_at INTEGER);"
    "CREATE INDEX obligations_case ON obligations(case_id);"
    "CREATE INDEX obligations_state_due ON obligations(state, due_at);"
    "CREATE TABLE contacts(id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),"
    " direction TEXT NOT NULL, channel TEXT NOT NULL, at INTEGER NOT NULL, who TEXT,"
    " summary TEXT, outcome TEXT, created_by INTEGER, created_at INTEGER NOT NULL);"
    "CREATE INDEX contacts_case ON contacts(case_id);"
    "CREATE TABLE events(id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),"
    " at INTEGER NOT NULL, actor INTEGER, what TEXT NOT NULL, detail TEXT);"
    "CREATE INDEX events_case ON events(case_id);"
    "CREATE TABLE pauses(id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),"
    " from_at INTEGER NOT NULL, to_at INTEGER);"
    "CREATE INDEX pauses_case ON pauses(case_id);"
    "CREATE TABLE audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, user_id INTEGER,"
    " action TEXT NOT NULL, object TEXT NOT NULL, object_id INTEGER, remote TEXT);"
    "CREATE INDEX audit_object ON audit(object, object_id);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    /* 2: full-text search over case subjects, names and contact text. */
    "CREATE VIRTUAL TABLE search USING fts5(case_id UNINDEXED, body,"
    " tokenize = 'unicode61 remove_diacritics 2');",
    /* 3: the people and organisations cases are about. */
    "CREATE TABLE organisations(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL, created_at INTEGER NOT NULL);"
    "CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, phone TEXT,"
    " date_of_birth TEXT, organisation_id INTEGER REFERENCES organisations(id),"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX people_email ON people(email);"
    "ALTER TABLE cases ADD COLUMN person_id INTEGER REFERENCES people(id);"
    "ALTER TABLE cases ADD COLUMN organisation_id INTEGER REFERENCES organisations(id);"
    "CREATE INDEX cases_person ON cases(person_id);"
    "CREATE INDEX cases_organisation ON cases(organisation_id);",
    /* 4: purchased hours: contracts, visits and the append-only ledger. */
    "CREATE TABLE contracts(id INTEGER PRIMARY KEY, organisation_id INTEGER NOT NULL"
    " REFERENCES organisations(id), service TEXT NOT NULL, year TEXT NOT NULL,"
    " starts_on INTEGER NOT NULL, ends_on INTEGER NOT NULL, amount INTEGER NOT NULL,"
    " unit TEXT NOT NULL, purchased INTEGER NOT NULL, block INTEGER NOT NULL,"
    " prep_counts INTEGER NOT NULL, contact_name TEXT, contact_email TEXT,"
    " consultant_id INTEGER REFERENCES users(id), shortfall TEXT NOT NULL, status TEXT NOT NULL,"
    " created_by INTEGER, created_at INTEGER NOT NULL);"
    "CREATE INDEX contracts_organisation ON contracts(organisation_id);"
    "CREATE INDEX contracts_consultant ON contracts(consultant_id);"
    "CREATE TABLE visits(id INTEGER PRIMARY KEY, contract_id INTEGER NOT NULL"
    " REFERENCES contracts(id), consultant_id INTEGER REFERENCES users(id),"
    " starts_at INTEGER NOT NULL, booked INTEGER NOT NULL, actual INTEGER, status TEXT NOT NULL,"
    " reason TEXT, note TEXT, late_notice_at INTEGER, late_expected_at INTEGER,"
    " rescheduled_from INTEGER REFERENCES visits(id), over_balance INTEGER NOT NULL DEFAULT 0,"
    " created_by INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE INDEX visits_contract ON visits(contract_id, starts_at);"
    "CREATE INDEX visits_consultant ON visits(consultant_id, starts_at);"
    "CREATE TABLE ledger(id INTEGER PRIMARY KEY, contract_id INTEGER NOT NULL"
    " REFERENCES contracts(id), at INTEGER NOT NULL, kind TEXT NOT NULL,"
    " minutes INTEGER NOT NULL, visit_id INTEGER REFERENCES visits(id), reason TEXT,"
    " created_by INTEGER, created_at INTEGER NOT NULL);"
    "CREATE INDEX ledger_contract ON ledger(contract_id, at, id);"
    "CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger"
    " BEGIN SELECT RAISE(ABORT, 'the hours ledger is append-only'); END;"
    "CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger"
    " BEGIN SELECT RAISE(ABORT, 'the hours ledger is append-only'); END;",
    /* 5: termly statements recorded as sent, one per contract and term. */
    "CREATE TABLE statements_sent(id INTEGER PRIMARY KEY, contract_id INTEGER NOT NULL"
    " REFERENCES contracts(id), term TEXT NOT NULL, sent_at INTEGER NOT NULL,"
    " sent_by INTEGER, sent_to TEXT, UNIQUE(contract_id, term));"
    "CREATE INDEX statements_sent_term ON statements_sent(term);",
    /* 6: which contact kept an obligation, and how one was settled at closing. */
    ("ALTER TABLE obligations ADD COLUMN met_by_contact INTEGER REFERENCES contacts(id);"
     "ALTER TABLE obligations ADD COLUMN reason TEXT;"),
    /* 7: accounts have a life: users can be deactivated; credentials get an
     * id to be listed and revoked by, a label and when last used, and no
     * token lives for ever (those made before expire 90 days from now). */
    "ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1;"
    "CREATE TABLE credentials_new(id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE,"
    " user_id INTEGER NOT NULL REFERENCES users(id), kind TEXT NOT NULL, csrf TEXT,"
    " expires_at INTEGER, created_at INTEGER NOT NULL, label TEXT, last_used_at INTEGER);"
    "INSERT INTO credentials_new(hash, user_id, kind, csrf, expires_at, created_at)"
    " SELECT hash, user_id, kind, csrf, CASE WHEN expires_at IS NULL"
    " THEN CAST(strftime('%s','now') AS INTEGER) + 7776000 ELSE expires_at END, created_at"
    " FROM credentials ORDER BY rowid;"
    "DROP TABLE credentials;"
    "ALTER TABLE credentials_new RENAME TO credentials;"
    "CREATE INDEX credentials_user ON credentials(user_id, kind);",
    /* 8: the service an obligation belongs to when that is no longer the
     * case's (it moved to another service; NULL: the case's). */
    "ALTER TABLE obligations ADD COLUMN service TEXT;",
    /* 9: to whom a contact handed the case, so a case reads as a
     * conversation. */
    "ALTER TABLE contacts ADD COLUMN handed_to INTEGER REFERENCES users(id);",
    /* 10: relationships between people, the written consents they give,
     * and the person a contact was with, for the consent check. */
    "CREATE TABLE relationships(id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL"
    " REFERENCES people(id), kind TEXT NOT NULL, other_id INTEGER REFERENCES people(id),"
    " organisation_id INTEGER REFERENCES organisations(id), note TEXT, created_by INTEGER,"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX relationships_person ON relationships(person_id);"
    "CREATE INDEX relationships_other ON relationships(other_id);"
    "CREATE TABLE consents(id INTEGER PRIMARY KEY, grantor_id INTEGER NOT NULL"
    " REFERENCES people(id), grantee_id INTEGER NOT NULL REFERENCES people(id),"
    " case_id INTEGER REFERENCES cases(id), evidence TEXT NOT NULL, given_on INTEGER NOT NULL,"
    " expires_on INTEGER, withdrawn_at INTEGER, withdrawn_by INTEGER, withdrawn_reason TEXT,"
    " created_by INTEGER, created_at INTEGER NOT NULL);"
    "CREATE INDEX consents_grantor ON consents(grantor_id);"
    "CREATE INDEX consents_grantee ON consents(grantee_id);"
    "ALTER TABLE contacts ADD COLUMN with_person_id INTEGER REFERENCES people(id);",
    /* 11: each person's working pattern and absences, for out-of-office
     * replies, signatures and warnings when work is given to someone away. */
    "CREATE TABLE user_availability(user_id INTEGER PRIMARY KEY REFERENCES users(id),"
    " pattern TEXT, absences TEXT, updated_at INTEGER NOT NULL);",
    /* 12: people's communication needs and merged duplicates, why a contact
     * used a channel the person asked us to avoid, and files attached to a
     * person or a case. */
    "ALTER TABLE people ADD COLUMN needs TEXT;"
    "ALTER TABLE people ADD COLUMN merged_into INTEGER REFERENCES people(id);"
    "ALTER TABLE contacts ADD COLUMN channel_reason TEXT;"
    "CREATE TABLE attachments(id INTEGER PRIMARY KEY, person_id INTEGER REFERENCES people(id),"
    " case_id INTEGER REFERENCES cases(id), filename TEXT NOT NULL, content_type TEXT NOT NULL,"
    " size INTEGER NOT NULL, data BLOB NOT NULL, uploaded_by INTEGER REFERENCES users(id),"
    " uploaded_at INTEGER NOT NULL);"
    "CREATE INDEX attachments_person ON attachments(person_id);"
    "CREATE INDEX attachments_case ON attachments(case_id);",
    /* 13: safeguards on a person: incidents of unreasonable behaviour, and
     * the restrictions on contact that follow (active once the person has
     * been told in writing). */
    "CREATE TABLE incidents(id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL"
    " REFERENCES people(id), case_id INTEGER REFERENCES cases(id), at INTEGER NOT NULL,"
    " channel TEXT NOT NULL, kind TEXT NOT NULL, what TEXT NOT NULL, staff TEXT,"
    " health_and_safety INTEGER NOT NULL DEFAULT 0, police_reference TEXT, actions TEXT,"
    " created_by INTEGER, created_at INTEGER NOT NULL);"
    "CREATE INDEX incidents_person ON incidents(person_id, at);"
    "CREATE TABLE restrictions(id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL"
    " REFERENCES people(id), channels TEXT NOT NULL, point_of_contact INTEGER"
    " REFERENCES users(id), replies INTEGER NOT NULL DEFAULT 0, per_days INTEGER NOT NULL"
    " DEFAULT 0, refuse_service INTEGER NOT NULL DEFAULT 0, reason TEXT NOT NULL,"
    " review_on INTEGER NOT NULL, status TEXT NOT NULL, notice_sent_at INTEGER,"
    " notice_how TEXT, ended_at INTEGER, end_reason TEXT, review_note TEXT,"
    " created_by INTEGER, created_at INTEGER NOT NULL);"
    "CREATE INDEX restrictions_person ON restrictions(person_id, status);"
    "CREATE INDEX restrictions_review ON restrictions(status, review_on);",
    /* 14: a person is found by email whatever its case (Sam.Lee@ and sam.lee@
     * are one person), without a scan. */
    "CREATE INDEX people_email_lower ON people(lower(email));",
    /* 15: email: each inbound message kept whole before anything is done
     * with it, the message ids that thread a case, the outbox every message
     * leaves through (its recipients one a row, so the auto-reply rate to
     * an address is an index lookup), the notifications that tell staff of
     * their work (one warning per obligation), the contact an attachment
     * came or went with, and how each person hears of their work. */
    "CREATE TABLE mail_in(id INTEGER PRIMARY KEY, service TEXT, message_id TEXT,"
    " raw BLOB NOT NULL, received_at INTEGER NOT NULL, state TEXT NOT NULL,"
    " case_id INTEGER REFERENCES cases(id), contact_id INTEGER REFERENCES contacts(id),"
    " error TEXT);"
    "CREATE UNIQUE INDEX mail_in_message ON mail_in(coalesce(service, ''), message_id)"
    " WHERE message_id IS NOT NULL;"
    "CREATE INDEX mail_in_pending ON mail_in(id) WHERE state = 'received';"
    "CREATE TABLE mail_threads(message_id TEXT PRIMARY KEY,"
    " case_id INTEGER NOT NULL REFERENCES cases(id));"
    "CREATE INDEX mail_threads_case ON mail_threads(case_id);"
    "CREATE TABLE outbox(id INTEGER PRIMARY KEY, service TEXT, case_id INTEGER"
    " REFERENCES cases(id), contact_id INTEGER REFERENCES contacts(id), user_id INTEGER"
    " REFERENCES users(id), purpose TEXT NOT NULL, mail_from TEXT NOT NULL, rcpts TEXT NOT NULL,"
    " message_id TEXT, raw BLOB NOT NULL, require_tls INTEGER NOT NULL DEFAULT 0,"
    " state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,"
    " next_attempt_at INTEGER NOT NULL, sent_at INTEGER, last_error TEXT);"
    "CREATE INDEX outbox_due ON outbox(state, next_attempt_at);"
    "CREATE INDEX outbox_message ON outbox(message_id);"
    "CREATE INDEX outbox_case ON outbox(case_id);"
    "CREATE INDEX outbox_created ON outbox(created_at);"
    "CREATE TABLE outbox_rcpts(outbox_id INTEGER NOT NULL REFERENCES outbox(id),"
    " rcpt TEXT NOT NULL, PRIMARY KEY(rcpt, outbox_id));"
    "CREATE TABLE notifications(id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL"
    " REFERENCES users(id), case_id INTEGER REFERENCES cases(id), obligation_id INTEGER"
    " REFERENCES obligations(id) ON DELETE SET NULL, kind TEXT NOT NULL, text TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, read_at INTEGER, emailed_at INTEGER);"
    "CREATE UNIQUE INDEX notifications_warning ON notifications(obligation_id)"
    " WHERE kind = 'warning';"
    "CREATE INDEX notifications_user ON notifications(user_id, created_at);"
    "CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;"
    "CREATE INDEX notifications_unemailed ON notifications(created_at)"
    " WHERE emailed_at IS NULL;"
    "ALTER TABLE attachments ADD COLUMN contact_id INTEGER REFERENCES contacts(id);"
    "ALTER TABLE users ADD COLUMN notify TEXT NOT NULL DEFAULT 'each';"
    "CREATE INDEX mail_in_case ON mail_in(case_id) WHERE case_id IS NOT NULL;",
    /* 16: complaints and compliments: each stage a complaint went through, with
     * its outcome, lessons and closing letter, and the staff a complaint or
     * compliment names (a complaint naming staff is for managers only). */
    "CREATE TABLE complaint_stages(id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES "
    "cases(id),"
    " seq INTEGER NOT NULL, stage text NOT NULL, started_at INTEGER NOT NULL, closed_at INTEGER,"
    " outcome text, lessons text, findings text, closed_by INTEGER REFERENCES users(id),"
    " letter_id INTEGER REFERENCES attachments(id), UNIQUE(case_id, seq));"
    "CREATE TABLE case_staff(case_id INTEGER NOT NULL REFERENCES cases(id), user_id INTEGER NOT "
    "NULL"
    " REFERENCES users(id), named_by INTEGER REFERENCES users(id), named_at INTEGER NOT NULL,"
    " PRIMARY KEY(case_id, user_id));"
    "CREATE INDEX case_staff_user ON case_staff(user_id);",
    /* 17: the public page counts complaints and compliments received
     * last quarter on every visit, without reading every case. */
    "CREATE INDEX cases_kind_received ON cases(kind, received_at);",
    /* 18: themes: what each case is about, from its policy's list, one a row,
     * for the themes report (counted by theme without reading the case). */
    "CREATE TABLE case_themes(case_id INTEGER NOT NULL REFERENCES cases(id),"
    " theme TEXT NOT NULL, position INTEGER NOT NULL, PRIMARY KEY(case_id, theme));"
    "CREATE INDEX case_themes_theme ON case_themes(theme, case_id);",
    /* 19: customer surveys after a case closes: one invitation per case
     * (the hash of its one-time token), and the answers, an anonymous one
     * with no invitation. Closed cases are found by their last change. */
    "CREATE TABLE survey_invitations(id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL UNIQUE"
    " REFERENCES cases(id), service TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,"
    " outbox_id INTEGER REFERENCES outbox(id), sent_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL, anonymous_allowed INTEGER NOT NULL,"
    " used INTEGER NOT NULL DEFAULT 0, responded_at INTEGER);"
    "CREATE INDEX survey_invitations_sent ON survey_invitations(sent_at);"
    "CREATE TABLE survey_responses(id INTEGER PRIMARY KEY, invitation_id INTEGER"
    " REFERENCES survey_invitations(id), service TEXT NOT NULL, rating INTEGER NOT NULL,"
    " comment TEXT, anonymous INTEGER NOT NULL, submitted_at INTEGER NOT NULL);"
    "CREATE INDEX survey_responses_submitted ON survey_responses(submitted_at);"
    "CREATE INDEX cases_closed_changed ON cases(service, updated_at) WHERE status = 'closed';",
    /* 20: behaviour audits: one school's audit from a policy template, with
     * a code per respondent group (NULL for a group not asked), and each
     * submitted form with its answers as JSON, counted per group; a form
     * sent twice (a page refreshed) carries the same form_id, kept once. */
    "CREATE TABLE school_audits(id INTEGER PRIMARY KEY, service TEXT NOT NULL,"
    " template TEXT NOT NULL, school TEXT NOT NULL, organisation_id INTEGER"
    " REFERENCES organisations(id), intervention TEXT, baseline_id INTEGER"
    " REFERENCES school_audits(id), opens_on INTEGER NOT NULL, closes_on INTEGER NOT NULL,"
    " code_pupils TEXT UNIQUE, code_parents TEXT UNIQUE, code_teachers TEXT UNIQUE,"
    " code_governors TEXT UNIQUE, created_by INTEGER REFERENCES users(id),"
    " created_at INTEGER NOT NULL);"
    "CREATE TABLE audit_responses(id INTEGER PRIMARY KEY, audit_id INTEGER NOT NULL"
    " REFERENCES school_audits(id), grp TEXT NOT NULL, submitted_at INTEGER NOT NULL,"
    " answers TEXT NOT NULL, form_id TEXT, UNIQUE(audit_id, form_id));"
    "CREATE INDEX audit_responses_audit ON audit_responses(audit_id, grp);",
    /* 21: the audit log as a hash chain (core/auditlog.h): each row's place
     * in it, the previous row's hash and its own. SQL cannot hash, so rows
     * from before this migration stay unchained (seq NULL) and the chain
     * starts at the first row written after it; the append-only triggers
     * stay. The unique index finds the chain's end and refuses a second
     * row at one place. */
    "ALTER TABLE audit ADD COLUMN seq INTEGER;"
    "ALTER TABLE audit ADD COLUMN prev_hash TEXT;"
    "ALTER TABLE audit ADD COLUMN hash TEXT;"
    "CREATE UNIQUE INDEX audit_seq ON audit(seq);",
    /* 22: subject access exports released: which attachment holds each
     * SAR case's export, so it can be downloaded again and erasure finds
     * every copy of a person's data that left the desk. */
    "CREATE TABLE sar_exports(id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL UNIQUE"
    " REFERENCES cases(id), person_id INTEGER REFERENCES people(id), attachment_id INTEGER"
    " NOT NULL REFERENCES attachments(id) ON DELETE CASCADE, contact_id INTEGER REFERENCES "
    "contacts(id),"
    " released_by INTEGER REFERENCES users(id), released_at INTEGER NOT NULL);"
    "CREATE INDEX sar_exports_person ON sar_exports(person_id);",
    /* 23: retention and erasure: legal holds on a person or a case (which
     * keep their records from retention and erasure while they stand), and
     * which record was erased or anonymised, how, when and by whom (never
     * what was removed). */
    "CREATE TABLE legal_holds(id INTEGER PRIMARY KEY, person_id INTEGER REFERENCES people(id),"
    " case_id INTEGER REFERENCES cases(id), reason TEXT NOT NULL,"
    " placed_by INTEGER REFERENCES users(id), placed_at INTEGER NOT NULL,"
    " CHECK ((person_id IS NULL) != (case_id IS NULL)));"
    "CREATE UNIQUE INDEX legal_holds_person ON legal_holds(person_id) WHERE person_id IS NOT NULL;"
    "CREATE UNIQUE INDEX legal_holds_case ON legal_holds(case_id) WHERE case_id IS NOT NULL;"
    "CREATE TABLE erasures(id INTEGER PRIMARY KEY, object TEXT NOT NULL,"
    " object_id INTEGER NOT NULL,"
    " how TEXT NOT NULL, reason TEXT, by_user INTEGER REFERENCES users(id), at INTEGER NOT NULL,"
    " UNIQUE(object, object_id));",
    /* 24: reading the audit log by record and by member of staff between two
     * dates as index range scans; the rowid ends each index, so (at, id) is
     * its order. The new object index covers what audit_object did. */
    "CREATE INDEX audit_object_at ON audit(object, object_id, at);"
    "CREATE INDEX audit_user_at ON audit(user_id, at);"
    "DROP INDEX audit_object;",
    /* 25: audit retention. Deleting audit rows stays refused except for a
     * prefix of the chain named in audit_purge, which the purge fills and
     * empties inside its own transaction; the chain's purge row says what
     * went, so verify can tell a purge from a tampering. */
    "CREATE TABLE audit_purge(upto INTEGER NOT NULL);"
    "DROP TRIGGER audit_no_delete;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit WHEN NOT EXISTS"
    " (SELECT 1 FROM audit_purge p WHERE OLD.seq IS NULL OR OLD.seq <= p.upto)"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    /* 26: people, incidents and restrictions carry the service that
     * recorded them, so another team's client stays unseen and a
     * restriction binds its own organisation's services only. Existing
     * rows take the service of the case they name, or of the person's
     * first case; those with neither stay NULL (seen by administrators,
     * and a restriction then binds everywhere, as before). */
    "ALTER TABLE people ADD COLUMN service TEXT;"
    "ALTER TABLE incidents ADD COLUMN service TEXT;"
    "ALTER TABLE restrictions ADD COLUMN service TEXT;"
    "UPDATE incidents SET service = (SELECT c.service FROM cases c WHERE c.id = incidents.case_id);"
    "UPDATE incidents SET service = (SELECT c.service FROM cases c WHERE c.person_id ="
    " incidents.person_id ORDER BY c.id LIMIT 1) WHERE service IS NULL;"
    "UPDATE restrictions SET service = (SELECT c.service FROM cases c WHERE c.person_id ="
    " restrictions.person_id ORDER BY c.id LIMIT 1);"
    "UPDATE people SET service = (SELECT c.service FROM cases c WHERE c.person_id = people.id"
    " ORDER BY c.id LIMIT 1);"
    "CREATE INDEX people_service ON people(service);",
    /* 27: each notice about a visit (running late, cancelled), kept rather
     * than overwritten, with when and how the other side was told; and when
     * the consultant actually arrived. */
    "ALTER TABLE visits ADD COLUMN arrived_at INTEGER;"
    "CREATE TABLE visit_notices(id INTEGER PRIMARY KEY, visit_id INTEGER NOT NULL"
    " REFERENCES visits(id), kind TEXT NOT NULL, party TEXT NOT NULL,"
    " notice_at INTEGER NOT NULL, expected_at INTEGER, channel TEXT NOT NULL, contact TEXT,"
    " note TEXT, outbox_id INTEGER REFERENCES outbox(id), created_by INTEGER,"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX visit_notices_visit ON visit_notices(visit_id, id);"
    "CREATE TRIGGER visit_notices_no_update BEFORE UPDATE ON visit_notices"
    " BEGIN SELECT RAISE(ABORT, 'visit notices are kept as given'); END;"
    "CREATE TRIGGER visit_notices_no_delete BEFORE DELETE ON visit_notices"
    " BEGIN SELECT RAISE(ABORT, 'visit notices are kept as given'); END;",
    /* 28: a visit can be a training session, for which the school is told
     * what resources to have ready by a date fixed when it is booked. */
    "ALTER TABLE visits ADD COLUMN kind TEXT NOT NULL DEFAULT 'visit';"
    "ALTER TABLE visits ADD COLUMN resources_due_at INTEGER;"
    "ALTER TABLE visits ADD COLUMN resources_told_at INTEGER;",
    /* 29: what a contract's consultancy covers, as agreed with the school;
     * and a visit that needs someone at the school released (the SENCO),
     * which the school is told of beforehand. */
    "ALTER TABLE contracts ADD COLUMN scope TEXT;"
    "ALTER TABLE visits ADD COLUMN release_for TEXT;"
    "ALTER TABLE visits ADD COLUMN release_told_at INTEGER;",
    /* 30: a school contact's one-time sign-in links and the sessions they
     * open, as hashes of their tokens. */
    "CREATE TABLE school_tokens(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, email TEXT NOT NULL,"
    " hash BLOB NOT NULL UNIQUE, csrf TEXT, created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL, used_at INTEGER);",
    /* 31: the case list reads index ranges already in id order (an index
     * on (x, status) ends in the rowid), and its count sums case_counts,
     * which these triggers keep with every case written, moved or deleted;
     * no officer is 0, since a key with NULL in it is never equal. */
    "CREATE INDEX cases_list_status ON cases(status);"
    "CREATE INDEX cases_list_service ON cases(service, status);"
    "CREATE INDEX cases_list_officer ON cases(officer_id, status);"
    "CREATE INDEX cases_list_kind ON cases(kind, status);"
    "CREATE TABLE case_counts(service TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,"
    " officer INTEGER NOT NULL, n INTEGER NOT NULL,"
    " PRIMARY KEY(service, kind, status, officer)) WITHOUT ROWID;"
    "INSERT INTO case_counts SELECT service, kind, status, coalesce(officer_id, 0), count(*)"
    " FROM cases GROUP BY 1, 2, 3, 4;"
    "CREATE TRIGGER case_counts_insert AFTER INSERT ON cases BEGIN"
    " INSERT INTO case_counts VALUES(NEW.service, NEW.kind, NEW.status,"
    " coalesce(NEW.officer_id, 0), 1) ON CONFLICT DO UPDATE SET n = n + 1; END;"
    "CREATE TRIGGER case_counts_delete AFTER DELETE ON cases BEGIN"
    " UPDATE case_counts SET n = n - 1 WHERE service = OLD.service AND kind = OLD.kind"
    " AND status = OLD.status AND officer = coalesce(OLD.officer_id, 0); END;"
    "CREATE TRIGGER case_counts_update AFTER UPDATE OF service, kind, status, officer_id ON cases"
    " WHEN NEW.service IS NOT OLD.service OR NEW.kind IS NOT OLD.kind"
    " OR NEW.status IS NOT OLD.status OR NEW.officer_id IS NOT OLD.officer_id BEGIN"
    " UPDATE case_counts SET n = n - 1 WHERE service = OLD.service AND kind = OLD.kind"
    " AND status = OLD.status AND officer = coalesce(OLD.officer_id, 0);"
    " INSERT INTO case_counts VALUES(NEW.service, NEW.kind, NEW.status,"
    " coalesce(NEW.officer_id, 0), 1) ON CONFLICT DO UPDATE SET n = n + 1; END;",
    /* 32: people found by the words of their name and email in an FTS5
     * index over the table itself (external content), which the triggers
     * keep as people are added, changed and removed; and the people list's
     * order read straight from an index. */
    "CREATE VIRTUAL TABLE people_words USING fts5(name, email, content = 'people',"
    " content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');"
    "INSERT INTO people_words(people_words) VALUES('rebuild');"
    "CREATE TRIGGER people_words_insert AFTER INSERT ON people BEGIN"
    " INSERT INTO people_words(rowid, name, email) VALUES(NEW.id, NEW.name, NEW.email); END;"
    "CREATE TRIGGER people_words_delete AFTER DELETE ON people BEGIN"
    " INSERT INTO people_words(people_words, rowid, name, email)"
    " VALUES('delete', OLD.id, OLD.name, OLD.email); END;"
    "CREATE TRIGGER people_words_update AFTER UPDATE OF name, email ON people BEGIN"
    " INSERT INTO people_words(people_words, rowid, name, email)"
    " VALUES('delete', OLD.id, OLD.name, OLD.email);"
    " INSERT INTO people_words(rowid, name, email) VALUES(NEW.id, NEW.name, NEW.email); END;"
    "CREATE INDEX people_by_name ON people(name COLLATE NOCASE, id) WHERE merged_into IS NULL;",
    /* 33: how many people the list holds (those not merged into another),
     * kept by these triggers, so the whole list's count is one row rather
     * than a walk over every person. */
    "CREATE TABLE people_count(one INTEGER PRIMARY KEY CHECK (one = 1), n INTEGER NOT NULL);"
    "INSERT INTO people_count SELECT 1, count(*) FROM people WHERE merged_into IS NULL;"
    "CREATE TRIGGER people_count_insert AFTER INSERT ON people WHEN NEW.merged_into IS NULL"
    " BEGIN UPDATE people_count SET n = n + 1; END;"
    "CREATE TRIGGER people_count_delete AFTER DELETE ON people WHEN OLD.merged_into IS NULL"
    " BEGIN UPDATE people_count SET n = n - 1; END;"
    "CREATE TRIGGER people_count_update AFTER UPDATE OF merged_into ON people"
    " WHEN (OLD.merged_into IS NULL) <> (NEW.merged_into IS NULL) BEGIN"
    " UPDATE people_count SET n = n + CASE WHEN NEW.merged_into IS NULL THEN 1 ELSE -1 END; END;",
};

#endif
