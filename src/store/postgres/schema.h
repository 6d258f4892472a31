/* The PostgreSQL schema as numbered migrations, the same tables as the
 * SQLite backend's in PostgreSQL's own types; full-text search uses
 * PostgreSQL's text search. Released migrations are never edited. */
#ifndef CH_PG_SCHEMA_H
#define CH_PG_SCHEMA_H

static const char *const ch_pg_migrations[] = {
    /* 1: the whole desk. */
    "CREATE TABLE users(id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL,"
    " role text NOT NULL, password_hash text, created_at bigint NOT NULL);"
    "CREATE TABLE user_services(user_id bigint NOT NULL REFERENCES users(id),"
    " service text NOT NULL, PRIMARY KEY(user_id, service));"
    "CREATE TABLE credentials(hash bytea PRIMARY KEY, user_id bigint NOT NULL REFERENCES users(id),"
    " kind text NOT NULL, csrf text, expires_at bigint, created_at bigint NOT NULL);"
    "CREATE TABLE policies(policy_id text NOT NULL, version bigint NOT NULL, text text NOT NULL,"
    " saved_at bigint NOT NULL, PRIMARY KEY(policy_id, version));"
    "CREATE TABLE organisations(id bigserial PRIMARY KEY, name text NOT NULL UNIQUE,"
    " kind text NOT NULL, created_at bigint NOT NULL);"
    "CREATE TABLE people(id bigserial PRIMARY KEY, name text NOT NULL, email text, phone text,"
    " date_of_birth text, organisation_id bigint REFERENCES organisations(id),"
    " created_at bigint NOT NULL);"
    "CREATE INDEX people_email ON people(email);"
    "CREATE TABLE cases(id bigserial PRIMARY KEY, service text NOT NULL, kind text NOT NULL,"
    " channel text NOT NULL, subject text NOT NULL, status text NOT NULL,"
    " received_at bigint NOT NULL, deemed_at bigint NOT NULL, requester_name text,"
    " requester_email text, organisation text, officer_id bigint REFERENCES users(id),"
    " flags text NOT NULL DEFAULT '', version bigint NOT NULL DEFAULT 1,"
    " next_due_at bigint NOT NULL, created_at bigint NOT NULL, updated_at bigint NOT NULL,"
    " person_id bigint REFERENCES people(id), organisation_id bigint REFERENCES organisations(id));"
    "CREATE INDEX cases_open_due ON cases(status, next_due_at, id);"
    "CREATE INDEX cases_officer_due ON cases(officer_id, next_due_at, id) WHERE status <> 'closed';"
    "CREATE INDEX cases_service_due ON cases(service, next_due_at, id) WHERE status = 'open';"
    "CREATE INDEX cases_person ON cases(person_id);"
    "CREATE INDEX cases_organisation ON cases(organisation_id);"
    "CREATE TABLE obligations(id bigserial PRIMARY KEY, case_id bigint NOT NULL"
    " REFERENCES cases(id), promise text NOT NULL, kind text NOT NULL, text text NOT NULL,"
    " due_at bigint NOT NULL, state text NOT NULL, met_at bigint);"
    "CREATE INDEX obligations_case ON obligations(case_id);"
    "CREATE INDEX obligations_state_due ON obligations(state, due_at);"
    "CREATE TABLE contacts(id bigserial PRIMARY KEY, case_id bigint NOT NULL REFERENCES cases(id),"
    " direction text NOT NULL, channel text NOT NULL, at bigint NOT NULL, who text,"
    " summary text, outcome text, created_by bigint, created_at bigint NOT NULL);"
    "CREATE INDEX contacts_case ON contacts(case_id);"
    "CREATE TABLE events(id bigserial PRIMARY KEY, case_id bigint NOT NULL REFERENCES cases(id),"
    " at bigint NOT NULL, actor bigint, what text NOT NULL, detail text);"
    "CREATE INDEX events_case ON events(case_id);"
    "CREATE TABLE pauses(id bigserial PRIMARY KEY, case_id bigint NOT NULL REFERENCES cases(id),"
    " from_at bigint NOT NULL, to_at bigint);"
    "CREATE INDEX pauses_case ON pauses(case_id);"
    "CREATE TABLE search(case_id bigint NOT NULL REFERENCES cases(id), body tsvector NOT NULL);"
    "CREATE INDEX search_body ON search USING gin(body);"
    "CREATE INDEX search_case ON search(case_id);"
    "CREATE TABLE audit(id bigserial PRIMARY KEY, at bigint NOT NULL, user_id bigint,"
    " action text NOT NULL, object text NOT NULL, object_id bigint, remote text);"
    "CREATE INDEX audit_object ON audit(object, object_id);"
    "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS"
    " $$BEGIN RAISE EXCEPTION 'the audit log is append-only'; END$$;"
    "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit"
    " FOR EACH ROW EXECUTE FUNCTION audit_append_only();",
    /* 2: purchased hours: contracts, visits and the append-only ledger. */
    "CREATE TABLE contracts(id bigserial PRIMARY KEY, organisation_id bigint NOT NULL"
    " REFERENCES organisations(id), service text NOT NULL, year text NOT NULL,"
    " starts_on bigint NOT NULL, ends_on bigint NOT NULL, amount bigint NOT NULL,"
    " unit text NOT NULL, purchased bigint NOT NULL, block bigint NOT NULL,"
    " prep_counts bigint NOT NULL, contact_name text, contact_email text,"
    " consultant_id bigint REFERENCES users(id), shortfall text NOT NULL, status text NOT NULL,"
    " created_by bigint, created_at bigint NOT NULL);"
    "CREATE INDEX contracts_organisation ON contracts(organisation_id);"
    "CREATE INDEX contracts_consultant ON contracts(consultant_id);"
    "CREATE TABLE visits(id bigserial PRIMARY KEY, contract_id bigint NOT NULL"
    " REFERENCES contracts(id), consultant_id bigint REFERENCES users(id),"
    " starts_at bigint NOT NULL, booked bigint NOT NULL, actual bigint, status text NOT NULL,"
    " reason text, note text, late_notice_at bigint, late_expected_at bigint,"
    " rescheduled_from bigint REFERENCES visits(id), over_balance bigint NOT NULL DEFAULT 0,"
    " created_by bigint, created_at bigint NOT NULL, updated_at bigint NOT NULL);"
    "CREATE INDEX visits_contract ON visits(contract_id, starts_at);"
    "CREATE INDEX visits_consultant ON visits(consultant_id, starts_at);"
    "CREATE TABLE ledger(id bigserial PRIMARY KEY, contract_id bigint NOT NULL"
    " REFERENCES contracts(id), at bigint NOT NULL, kind text NOT NULL,"
    " minutes bigint NOT NULL, visit_id bigint REFERENCES visits(id), reason text,"
    " created_by bigint, created_at bigint NOT NULL);"
    "CREATE INDEX ledger_contract ON ledger(contract_id, at, id);"
    "CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS"
    " $$BEGIN RAISE EXCEPTION 'the hours ledger is append-only'; END$$;"
    "CREATE TRIGGER ledger_no_change BEFORE UPDATE OR DELETE ON ledger"
    " FOR EACH ROW EXECUTE FUNCTION ledger_append_only();",
    /* 3: termly statements recorded as sent, one per contract and term. */
    "CREATE TABLE statements_sent(id bigserial PRIMARY KEY, contract_id bigint NOT NULL"
    " REFERENCES contracts(id), term text NOT NULL, sent_at bigint NOT NULL,"
    " sent_by bigint, sent_to text, UNIQUE(contract_id, term));"
    "CREATE INDEX statements_sent_term ON statements_sent(term);",
    /* 4: which contact kept an obligation, and how one was settled at closing. */
    ("ALTER TABLE obligations ADD COLUMN met_by_contact bigint REFERENCES contacts(id);"
     "ALTER TABLE obligations ADD COLUMN reason text;"),
    /* 5: accounts have a life: users can be deactivated; credentials get an
     * id to be listed and revoked by, a label and when last used, and no
     * token lives for ever (those made before expire 90 days from now). */
    "ALTER TABLE users ADD COLUMN active bigint NOT NULL DEFAULT 1;"
    "ALTER TABLE credentials ADD COLUMN id bigserial UNIQUE;"
    "ALTER TABLE credentials ADD COLUMN label text;"
    "ALTER TABLE credentials ADD COLUMN last_used_at bigint;"
    "UPDATE credentials SET expires_at = extract(epoch from now())::bigint + 7776000"
    " WHERE expires_at IS NULL;"
    "CREATE INDEX credentials_user ON credentials(user_id, kind);",
    /* 6: the service an obligation belongs to when that is no longer the
     * case's (it moved to another service; NULL: the case's). */
    "ALTER TABLE obligations ADD COLUMN service text;",
    /* 7: to whom a contact handed the case, so a case reads as a
     * conversation. */
    "ALTER TABLE contacts ADD COLUMN handed_to bigint REFERENCES users(id);",
    /* 8: relationships between people, the written consents they give,
     * and the person a contact was with, for the consent check. */
    "CREATE TABLE relationships(id bigserial PRIMARY KEY, person_id bigint NOT NULL"
    " REFERENCES people(id), kind text NOT NULL, other_id bigint REFERENCES people(id),"
    " organisation_id bigint REFERENCES organisations(id), note text, created_by bigint,"
    " created_at bigint NOT NULL);"
    "CREATE INDEX relationships_person ON relationships(person_id);"
    "CREATE INDEX relationships_other ON relationships(other_id);"
    "CREATE TABLE consents(id bigserial PRIMARY KEY, grantor_id bigint NOT NULL"
    " REFERENCES people(id), grantee_id bigint NOT NULL REFERENCES people(id),"
    " case_id bigint REFERENCES cases(id), evidence text NOT NULL, given_on bigint NOT NULL,"
    " expires_on bigint, withdrawn_at bigint, withdrawn_by bigint, withdrawn_reason text,"
    " created_by bigint, created_at bigint NOT NULL);"
    "CREATE INDEX consents_grantor ON consents(grantor_id);"
    "CREATE INDEX consents_grantee ON consents(grantee_id);"
    "ALTER TABLE contacts ADD COLUMN with_person_id bigint REFERENCES people(id);",
    /* 9: each person's working pattern and absences, for out-of-office
     * replies, signatures and warnings when work is given to someone away. */
    "CREATE TABLE user_availability(user_id bigint PRIMARY KEY REFERENCES users(id),"
    " pattern text, absences text, updated_at bigint NOT NULL);",
    /* 10: people's communication needs and merged duplicates, why a contact
     * used a channel the person asked us to avoid, and files attached to a
     * person or a case. */
    "ALTER TABLE people ADD COLUMN needs text;"
    "ALTER TABLE people ADD COLUMN merged_into bigint REFERENCES people(id);"
    "ALTER TABLE contacts ADD COLUMN channel_reason text;"
    "CREATE TABLE attachments(id bigserial PRIMARY KEY, person_id bigint REFERENCES people(id),"
    " case_id bigint REFERENCES cases(id), filename text NOT NULL, content_type text NOT NULL,"
    " size bigint NOT NULL, data bytea NOT NULL, uploaded_by bigint REFERENCES users(id),"
    " uploaded_at bigint NOT NULL);"
    "CREATE INDEX attachments_person ON attachments(person_id);"
    "CREATE INDEX attachments_case ON attachments(case_id);",
    /* 11: safeguards on a person: incidents of unreasonable behaviour, and
     * the restrictions on contact that follow (active once the person has
     * been told in writing). */
    "CREATE TABLE incidents(id bigserial PRIMARY KEY, person_id bigint NOT NULL"
    " REFERENCES people(id), case_id bigint REFERENCES cases(id), at bigint NOT NULL,"
    " channel text NOT NULL, kind text NOT NULL, what text NOT NULL, staff text,"
    " health_and_safety bigint NOT NULL DEFAULT 0, police_reference text, actions text,"
    " created_by bigint, created_at bigint NOT NULL);"
    "CREATE INDEX incidents_person ON incidents(person_id, at);"
    "CREATE TABLE restrictions(id bigserial PRIMARY KEY, person_id bigint NOT NULL"
    " REFERENCES people(id), channels text NOT NULL, point_of_contact bigint"
    " REFERENCES users(id), replies bigint NOT NULL DEFAULT 0, per_days bigint NOT NULL"
    " DEFAULT 0, refuse_service bigint NOT NULL DEFAULT 0, reason text NOT NULL,"
    " review_on bigint NOT NULL, status text NOT NULL, notice_sent_at bigint,"
    " notice_how text, ended_at bigint, end_reason text, review_note text,"
    " created_by bigint, created_at bigint NOT NULL);"
    "CREATE INDEX restrictions_person ON restrictions(person_id, status);"
    "CREATE INDEX restrictions_review ON restrictions(status, review_on);",
    /* 12: a person is found by email whatever its case (Sam.Lee@ and sam.lee@
     * are one person), without a scan. */
    "CREATE INDEX people_email_lower ON people(lower(email));",
    /* 13: email: each inbound message kept whole before anything is done
     * with it, the message ids that thread a case, the outbox every message
     * leaves through (its recipients one a row, so the auto-reply rate to
     * an address is an index lookup), the notifications that tell staff of
     * their work (one warning per obligation), the contact an attachment
     * came or went with, and how each person hears of their work. */
    "CREATE TABLE mail_in(id bigserial PRIMARY KEY, service text, message_id text,"
    " raw bytea NOT NULL, received_at bigint NOT NULL, state text NOT NULL,"
    " case_id bigint REFERENCES cases(id), contact_id bigint REFERENCES contacts(id),"
    " error text);"
    "CREATE UNIQUE INDEX mail_in_message ON mail_in((coalesce(service, '')), message_id)"
    " WHERE message_id IS NOT NULL;"
    "CREATE INDEX mail_in_pending ON mail_in(id) WHERE state = 'received';"
    "CREATE TABLE mail_threads(message_id text PRIMARY KEY,"
    " case_id bigint NOT NULL REFERENCES cases(id));"
    "CREATE INDEX mail_threads_case ON mail_threads(case_id);"
    "CREATE TABLE outbox(id bigserial PRIMARY KEY, service text, case_id bigint"
    " REFERENCES cases(id), contact_id bigint REFERENCES contacts(id), user_id bigint"
    " REFERENCES users(id), purpose text NOT NULL, mail_from text NOT NULL, rcpts text NOT NULL,"
    " message_id text, raw bytea NOT NULL, require_tls bigint NOT NULL DEFAULT 0,"
    " state text NOT NULL, attempts bigint NOT NULL DEFAULT 0, created_at bigint NOT NULL,"
    " next_attempt_at bigint NOT NULL, sent_at bigint, last_error text);"
    "CREATE INDEX outbox_due ON outbox(state, next_attempt_at);"
    "CREATE INDEX outbox_message ON outbox(message_id);"
    "CREATE INDEX outbox_case ON outbox(case_id);"
    "CREATE INDEX outbox_created ON outbox(created_at);"
    "CREATE TABLE outbox_rcpts(outbox_id bigint NOT NULL REFERENCES outbox(id),"
    " rcpt text NOT NULL, PRIMARY KEY(rcpt, outbox_id));"
    "CREATE TABLE notifications(id bigserial PRIMARY KEY, user_id bigint NOT NULL"
    " REFERENCES users(id), case_id bigint REFERENCES cases(id), obligation_id bigint"
    " REFERENCES obligations(id) ON DELETE SET NULL, kind text NOT NULL, text text NOT NULL,"
    " created_at bigint NOT NULL, read_at bigint, emailed_at bigint);"
    "CREATE UNIQUE INDEX notifications_warning ON notifications(obligation_id)"
    " WHERE kind = 'warning';"
    "CREATE INDEX notifications_user ON notifications(user_id, created_at);"
    "CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;"
    "CREATE INDEX notifications_unemailed ON notifications(created_at)"
    " WHERE emailed_at IS NULL;"
    "ALTER TABLE attachments ADD COLUMN contact_id bigint REFERENCES contacts(id);"
    "ALTER TABLE users ADD COLUMN notify text NOT NULL DEFAULT 'each';"
    "CREATE INDEX mail_in_case ON mail_in(case_id) WHERE case_id IS NOT NULL;",
    /* 14: complaints and compliments: each stage a complaint went through, with
     * its outcome, lessons and closing letter, and the staff a complaint or
     * compliment names (a complaint naming staff is for managers only). */
    "CREATE TABLE complaint_stages(id bigserial PRIMARY KEY, case_id bigint NOT NULL REFERENCES "
    "cases(id),"
    " seq bigint NOT NULL, stage text NOT NULL, started_at bigint NOT NULL, closed_at bigint,"
    " outcome text, lessons text, findings text, closed_by bigint REFERENCES users(id),"
    " letter_id bigint REFERENCES attachments(id), UNIQUE(case_id, seq));"
    "CREATE TABLE case_staff(case_id bigint NOT NULL REFERENCES cases(id), user_id bigint NOT NULL"
    " REFERENCES users(id), named_by bigint REFERENCES users(id), named_at bigint NOT NULL,"
    " PRIMARY KEY(case_id, user_id));"
    "CREATE INDEX case_staff_user ON case_staff(user_id);",
    /* 15: the public page counts complaints and compliments received
     * last quarter on every visit, without reading every case. */
    "CREATE INDEX cases_kind_received ON cases(kind, received_at);",
    /* 16: themes: what each case is about, from its policy's list, one a row,
     * for the themes report (counted by theme without reading the case). */
    "CREATE TABLE case_themes(case_id bigint NOT NULL REFERENCES cases(id),"
    " theme text NOT NULL, position bigint NOT NULL, PRIMARY KEY(case_id, theme));"
    "CREATE INDEX case_themes_theme ON case_themes(theme, case_id);",
    /* 17: customer surveys after a case closes: one invitation per case
     * (the hash of its one-time token), and the answers, an anonymous one
     * with no invitation. Closed cases are found by their last change. */
    "CREATE TABLE survey_invitations(id bigserial PRIMARY KEY, case_id bigint NOT NULL UNIQUE"
    " REFERENCES cases(id), service text NOT NULL, token_hash text NOT NULL UNIQUE,"
    " outbox_id bigint REFERENCES outbox(id), sent_at bigint NOT NULL,"
    " expires_at bigint NOT NULL, anonymous_allowed bigint NOT NULL,"
    " used bigint NOT NULL DEFAULT 0, responded_at bigint);"
    "CREATE INDEX survey_invitations_sent ON survey_invitations(sent_at);"
    "CREATE TABLE survey_responses(id bigserial PRIMARY KEY, invitation_id bigint"
    " REFERENCES survey_invitations(id), service text NOT NULL, rating bigint NOT NULL,"
    " comment text, anonymous bigint NOT NULL, submitted_at bigint NOT NULL);"
    "CREATE INDEX survey_responses_submitted ON survey_responses(submitted_at);"
    "CREATE INDEX cases_closed_changed ON cases(service, updated_at) WHERE status = 'closed';",
    /* 18: behaviour audits: one school's audit from a policy template, with
     * a code per respondent group (NULL for a group not asked), and each
     * submitted form with its answers as JSON, counted per group; a form
     * sent twice (a page refreshed) carries the same form_id, kept once. */
    "CREATE TABLE school_audits(id bigserial PRIMARY KEY, service text NOT NULL,"
    " template text NOT NULL, school text NOT NULL, organisation_id bigint"
    " REFERENCES organisations(id), intervention text, baseline_id bigint"
    " REFERENCES school_audits(id), opens_on bigint NOT NULL, closes_on bigint NOT NULL,"
    " code_pupils text UNIQUE, code_parents text UNIQUE, code_teachers text UNIQUE,"
    " code_governors text UNIQUE, created_by bigint REFERENCES users(id),"
    " created_at bigint NOT NULL);"
    "CREATE TABLE audit_responses(id bigserial PRIMARY KEY, audit_id bigint NOT NULL"
    " REFERENCES school_audits(id), grp text NOT NULL, submitted_at bigint NOT NULL,"
    " answers text NOT NULL, form_id text, UNIQUE(audit_id, form_id));"
    "CREATE INDEX audit_responses_audit ON audit_responses(audit_id, grp);",
    /* 19: the audit log as a hash chain (core/auditlog.h): each row's place
     * in it, the previous row's hash and its own. Rows from before this
     * migration stay unchained (seq NULL), as on SQLite, and the chain starts
     * at the first row written after it; the append-only trigger stays. The
     * unique index finds the chain's end and refuses a second row at one
     * place. */
    "ALTER TABLE audit ADD COLUMN seq bigint, ADD COLUMN prev_hash text,"
    " ADD COLUMN hash text;"
    "CREATE UNIQUE INDEX audit_seq ON audit(seq);",
    /* 20: subject access exports released: which attachment holds each
     * SAR case's export, so it can be downloaded again and erasure finds
     * every copy of a person's data that left the desk. */
    "CREATE TABLE sar_exports(id bigserial PRIMARY KEY, case_id bigint NOT NULL UNIQUE"
    " REFERENCES cases(id), person_id bigint REFERENCES people(id), attachment_id bigint"
    " NOT NULL REFERENCES attachments(id) ON DELETE CASCADE, contact_id bigint REFERENCES "
    "contacts(id),"
    " released_by bigint REFERENCES users(id), released_at bigint NOT NULL);"
    "CREATE INDEX sar_exports_person ON sar_exports(person_id);",
    /* 21: retention and erasure: legal holds on a person or a case (which
     * keep their records from retention and erasure while they stand), and
     * which record was erased or anonymised, how, when and by whom (never
     * what was removed). */
    "CREATE TABLE legal_holds(id bigserial PRIMARY KEY, person_id bigint REFERENCES people(id),"
    " case_id bigint REFERENCES cases(id), reason text NOT NULL,"
    " placed_by bigint REFERENCES users(id), placed_at bigint NOT NULL,"
    " CHECK ((person_id IS NULL) <> (case_id IS NULL)));"
    "CREATE UNIQUE INDEX legal_holds_person ON legal_holds(person_id) WHERE person_id IS NOT NULL;"
    "CREATE UNIQUE INDEX legal_holds_case ON legal_holds(case_id) WHERE case_id IS NOT NULL;"
    "CREATE TABLE erasures(id bigserial PRIMARY KEY, object text NOT NULL,"
    " object_id bigint NOT NULL,"
    " how text NOT NULL, reason text, by_user bigint REFERENCES users(id), at bigint NOT NULL,"
    " UNIQUE(object, object_id));",
    /* 22: reading the audit log by record and by member of staff between two
     * dates as index range scans in (at, id) order. The new object index
     * covers what audit_object did. */
    "CREATE INDEX audit_object_at ON audit(object, object_id, at, id);"
    "CREATE INDEX audit_user_at ON audit(user_id, at, id);"
    "DROP INDEX audit_object;",
    /* 23: audit retention, as SQLite's 25: a delete is allowed only for the
     * prefix of the chain named in audit_purge during a purge. */
    "CREATE TABLE audit_purge(upto bigint NOT NULL);"
    "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS"
    " $$BEGIN IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_purge p"
    " WHERE OLD.seq IS NULL OR OLD.seq <= p.upto) THEN RETURN OLD; END IF;"
    " RAISE EXCEPTION 'the audit log is append-only'; END$$;",
    /* 24: the service that recorded a person, an incident or a
     * restriction, as SQLite's 26. */
    "ALTER TABLE people ADD COLUMN service text;"
    "ALTER TABLE incidents ADD COLUMN service text;"
    "ALTER TABLE restrictions ADD COLUMN service text;"
    "UPDATE incidents SET service = (SELECT c.service FROM cases c WHERE c.id = incidents.case_id);"
    "UPDATE incidents SET service = (SELECT c.service FROM cases c WHERE c.person_id ="
    " incidents.person_id ORDER BY c.id LIMIT 1) WHERE service IS NULL;"
    "UPDATE restrictions SET service = (SELECT c.service FROM cases c WHERE c.person_id ="
    " restrictions.person_id ORDER BY c.id LIMIT 1);"
    "UPDATE people SET service = (SELECT c.service FROM cases c WHERE c.person_id = people.id"
    " ORDER BY c.id LIMIT 1);"
    "CREATE INDEX people_service ON people(service);",
    /* 25: visit notices kept as given, and the actual arrival, as SQLite's 27. */
    "ALTER TABLE visits ADD COLUMN arrived_at bigint;"
    "CREATE TABLE visit_notices(id bigserial PRIMARY KEY, visit_id bigint NOT NULL"
    " REFERENCES visits(id), kind text NOT NULL, party text NOT NULL,"
    " notice_at bigint NOT NULL, expected_at bigint, channel text NOT NULL, contact text,"
    " note text, outbox_id bigint REFERENCES outbox(id), created_by bigint,"
    " created_at bigint NOT NULL);"
    "CREATE INDEX visit_notices_visit ON visit_notices(visit_id, id);"
    "CREATE FUNCTION visit_notices_kept() RETURNS trigger LANGUAGE plpgsql AS"
    " $$BEGIN RAISE EXCEPTION 'visit notices are kept as given'; END$$;"
    "CREATE TRIGGER visit_notices_no_change BEFORE UPDATE OR DELETE ON visit_notices"
    " FOR EACH ROW EXECUTE FUNCTION visit_notices_kept();",
    /* 26: training sessions and their resources notice, as SQLite's 28. */
    "ALTER TABLE visits ADD COLUMN kind text NOT NULL DEFAULT 'visit';"
    "ALTER TABLE visits ADD COLUMN resources_due_at bigint;"
    "ALTER TABLE visits ADD COLUMN resources_told_at bigint;",
    /* 27: a contract's agreed scope and a visit's release time, as
     * SQLite's 29. */
    "ALTER TABLE contracts ADD COLUMN scope text;"
    "ALTER TABLE visits ADD COLUMN release_for text;"
    "ALTER TABLE visits ADD COLUMN release_told_at bigint;",
    /* 28: school contacts' sign-in links and sessions, as SQLite's 30. */
    "CREATE TABLE school_tokens(id bigserial PRIMARY KEY, kind text NOT NULL, email text NOT NULL,"
    " hash bytea NOT NULL UNIQUE, csrf text, created_at bigint NOT NULL,"
    " expires_at bigint NOT NULL, used_at bigint);",
    /* 29: the case list's index ranges and maintained counts, as SQLite's
     * 31. Each case counts in one of eight stripes, by its id, so writers
     * creating cases at once seldom wait on one row; a case that moves
     * between groups changes the lower key first, so two such moves cannot
     * each hold the row the other needs. */
    "CREATE INDEX cases_list_status ON cases(status, id);"
    "CREATE INDEX cases_list_service ON cases(service, status, id);"
    "CREATE INDEX cases_list_officer ON cases(officer_id, status, id);"
    "CREATE INDEX cases_list_kind ON cases(kind, status, id);"
    "CREATE TABLE case_counts(service text NOT NULL, kind text NOT NULL, status text NOT NULL,"
    " officer bigint NOT NULL, stripe int NOT NULL, n bigint NOT NULL,"
    " PRIMARY KEY(service, kind, status, officer, stripe));"
    "INSERT INTO case_counts SELECT service, kind, status, coalesce(officer_id, 0), id % 8,"
    " count(*) FROM cases GROUP BY 1, 2, 3, 4, 5;"
    "CREATE FUNCTION case_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$"
    "DECLARE old_first boolean := false; BEGIN"
    " IF TG_OP = 'UPDATE' THEN"
    "  old_first := ROW(OLD.service, OLD.kind, OLD.status, coalesce(OLD.officer_id, 0))"
    "   < ROW(NEW.service, NEW.kind, NEW.status, coalesce(NEW.officer_id, 0));"
    " END IF;"
    " IF TG_OP = 'DELETE' OR old_first THEN"
    "  UPDATE case_counts SET n = n - 1 WHERE service = OLD.service AND kind = OLD.kind"
    "   AND status = OLD.status AND officer = coalesce(OLD.officer_id, 0) AND stripe = OLD.id % 8;"
    " END IF;"
    " IF TG_OP <> 'DELETE' THEN"
    "  INSERT INTO case_counts VALUES(NEW.service, NEW.kind, NEW.status,"
    "   coalesce(NEW.officer_id, 0), NEW.id % 8, 1)"
    "   ON CONFLICT (service, kind, status, officer, stripe) DO UPDATE SET n = case_counts.n + 1;"
    " END IF;"
    " IF TG_OP = 'UPDATE' AND NOT old_first THEN"
    "  UPDATE case_counts SET n = n - 1 WHERE service = OLD.service AND kind = OLD.kind"
    "   AND status = OLD.status AND officer = coalesce(OLD.officer_id, 0) AND stripe = OLD.id % 8;"
    " END IF;"
    " RETURN NULL; END$$;"
    "CREATE TRIGGER case_counts_write AFTER INSERT OR DELETE ON cases"
    " FOR EACH ROW EXECUTE FUNCTION case_counts_keep();"
    "CREATE TRIGGER case_counts_move AFTER UPDATE OF service, kind, status, officer_id ON cases"
    " FOR EACH ROW WHEN (OLD.service IS DISTINCT FROM NEW.service"
    " OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.status IS DISTINCT FROM NEW.status"
    " OR OLD.officer_id IS DISTINCT FROM NEW.officer_id)"
    " EXECUTE FUNCTION case_counts_keep();",
    /* 30: people found by the words of their name and email through an
     * index on that expression (CH_PG_PERSON_WORDS), and the people list's
     * order read from an index; as SQLite's 32. */
    "CREATE INDEX people_words ON people USING gin("
    "(to_tsvector('simple', name || ' ' || translate(coalesce(email, ''), '@.', '  '))));"
    "CREATE INDEX people_by_name ON people(lower(name), id) WHERE merged_into IS NULL;",
    /* 31: how many people the list holds, as SQLite's 33, in eight stripes
     * by id as case_counts is, so people added at once seldom wait on one
     * row. */
    "CREATE TABLE people_counts(stripe int PRIMARY KEY, n bigint NOT NULL);"
    "INSERT INTO people_counts SELECT s, (SELECT count(*) FROM people"
    " WHERE merged_into IS NULL AND id % 8 = s) FROM generate_series(0, 7) AS s;"
    "CREATE FUNCTION people_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " IF TG_OP <> 'INSERT' AND OLD.merged_into IS NULL THEN"
    "  UPDATE people_counts SET n = n - 1 WHERE stripe = OLD.id % 8;"
    " END IF;"
    " IF TG_OP <> 'DELETE' AND NEW.merged_into IS NULL THEN"
    "  UPDATE people_counts SET n = n + 1 WHERE stripe = NEW.id % 8;"
    " END IF;"
    " RETURN NULL; END$$;"
    "CREATE TRIGGER people_counts_write AFTER INSERT OR DELETE ON people"
    " FOR EACH ROW EXECUTE FUNCTION people_counts_keep();"
    "CREATE TRIGGER people_counts_merge AFTER UPDATE OF merged_into ON people"
    " FOR EACH ROW WHEN ((OLD.merged_into IS NULL) <> (NEW.merged_into IS NULL))"
    " EXECUTE FUNCTION people_counts_keep();",
};

#endif
