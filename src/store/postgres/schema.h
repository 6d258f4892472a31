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
};

#endif
