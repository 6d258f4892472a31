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
};

#endif
