/* Dispatch from the public store interface to the backend chosen by URL. */
#include "store/backend.h"

#include <string.h>

static const char *const role_names[] = {"officer", "manager", "admin"};

const char *ch_role_name(ch_role r)
{
    return (unsigned)r <= CH_ROLE_ADMIN ? role_names[r] : "?";
}

int ch_role_parse(const char *s, ch_role *out)
{
    for (int i = 0; i <= CH_ROLE_ADMIN; i++) {
        if (strcmp(s, role_names[i]) == 0) {
            *out = (ch_role)i;
            return CH_OK;
        }
    }
    return CH_E_NOTFOUND;
}

int ch_store_open(ch_store **out, const char *url, ch_error *err)
{
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
        return ch_store_postgres_open(out, url, err);
    if (strncmp(url, "sqlite:", 7) == 0)
        url += 7;
    if (!*url)
        return ch_error_set(err, CH_E_INVALID, "the database path is empty");
    return ch_store_sqlite_open(out, url, err);
}

void ch_store_close(ch_store *s)
{
    if (s)
        s->ops->close(s);
}

int ch_store_user_insert(ch_store *s, const ch_user *user, int64_t *id, ch_error *err)
{
    return s->ops->user_insert(s, user, id, err);
}

int ch_store_user_by_email(ch_store *s, const char *email, ch_arena *arena, ch_user *out,
                           ch_error *err)
{
    return s->ops->user_get(s, email, 0, arena, out, err);
}

int ch_store_user_by_id(ch_store *s, int64_t id, ch_arena *arena, ch_user *out, ch_error *err)
{
    return s->ops->user_get(s, NULL, id, arena, out, err);
}

int ch_store_user_count(ch_store *s, int64_t *count, ch_error *err)
{
    return s->ops->user_count(s, count, err);
}

int ch_store_user_list(ch_store *s, ch_arena *arena, ch_user **out, size_t *n, ch_error *err)
{
    return s->ops->user_list(s, arena, out, n, err);
}

int ch_store_token_insert(ch_store *s, int64_t user_id, const uint8_t hash[32], ch_error *err)
{
    return s->ops->token_insert(s, user_id, hash, err);
}

int ch_store_session_insert(ch_store *s, int64_t user_id, const uint8_t hash[32], const char *csrf,
                            ch_time expires, ch_error *err)
{
    return s->ops->session_insert(s, user_id, hash, csrf, expires, err);
}

int ch_store_credential_user(ch_store *s, const uint8_t hash[32], ch_time now, ch_arena *arena,
                             ch_user *user, const char **csrf, ch_error *err)
{
    return s->ops->credential_user(s, hash, now, arena, user, csrf, err);
}

int ch_store_policy_save(ch_store *s, const char *policy_id, const char *text, ch_time now,
                         int64_t *version, ch_error *err)
{
    return s->ops->policy_save(s, policy_id, text, now, version, err);
}

int ch_store_case_insert(ch_store *s, ch_case_row *c, ch_error *err)
{
    return s->ops->case_insert(s, c, err);
}

int ch_store_case_get(ch_store *s, int64_t id, ch_arena *arena, ch_case_row *out, ch_error *err)
{
    return s->ops->case_get(s, id, arena, out, err);
}

int ch_store_case_update(ch_store *s, const ch_case_update *u, int64_t *new_version, ch_error *err)
{
    return s->ops->case_update(s, u, new_version, err);
}

int ch_store_queue(ch_store *s, const ch_queue_query *q, ch_arena *arena, ch_case_row **out,
                   size_t *n, ch_error *err)
{
    return s->ops->queue(s, q, arena, out, n, err);
}

int ch_store_breach_sweep(ch_store *s, ch_time now, int64_t *count, ch_error *err)
{
    return s->ops->breach_sweep(s, now, count, err);
}

int ch_store_case_list(ch_store *s, const ch_case_filter *f, ch_arena *arena, ch_case_row **out,
                       size_t *n, ch_error *err)
{
    return s->ops->case_list(s, f, arena, out, n, err);
}

int ch_store_search(ch_store *s, const char *words, const char *const *services, size_t nservices,
                    size_t limit, ch_arena *arena, ch_case_row **out, size_t *n, ch_error *err)
{
    return s->ops->search(s, words, services, nservices, limit, arena, out, n, err);
}

int ch_store_report_rows(ch_store *s, ch_time from, ch_time to, const char *const *services,
                         size_t nservices, ch_arena *arena, ch_report_row **out, size_t *n,
                         ch_error *err)
{
    return s->ops->report_rows(s, from, to, services, nservices, arena, out, n, err);
}

int ch_store_person_insert(ch_store *s, ch_person *p, ch_error *err)
{
    return s->ops->person_insert(s, p, err);
}

int ch_store_person_get(ch_store *s, int64_t id, ch_arena *arena, ch_person *out, ch_error *err)
{
    return s->ops->person_get(s, id, arena, out, err);
}

int ch_store_organisation_insert(ch_store *s, ch_organisation *o, ch_error *err)
{
    return s->ops->organisation_insert(s, o, err);
}

int ch_store_organisation_get(ch_store *s, int64_t id, ch_arena *arena, ch_organisation *out,
                              ch_error *err)
{
    return s->ops->organisation_get(s, id, arena, out, err);
}

int ch_store_cases_of(ch_store *s, int64_t person_id, int64_t organisation_id,
                      const char *const *services, size_t nservices, size_t limit, ch_arena *arena,
                      ch_case_row **out, size_t *n, ch_error *err)
{
    return s->ops->cases_of(s, person_id, organisation_id, services, nservices, limit, arena, out,
                            n, err);
}

#define COLS(...)                                                                                  \
    (const char *const[]){__VA_ARGS__}, sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *)

const ch_store_table ch_store_tables[] = {
    {"users", COLS("id", "email", "name", "role", "password_hash", "created_at")},
    {"user_services", COLS("user_id", "service")},
    {"credentials", COLS("hash", "user_id", "kind", "csrf", "expires_at", "created_at")},
    {"policies", COLS("policy_id", "version", "text", "saved_at")},
    {"organisations", COLS("id", "name", "kind", "created_at")},
    {"people",
     COLS("id", "name", "email", "phone", "date_of_birth", "organisation_id", "created_at")},
    {"cases",
     COLS("id", "service", "kind", "channel", "subject", "status", "received_at", "deemed_at",
          "requester_name", "requester_email", "organisation", "officer_id", "flags", "version",
          "next_due_at", "created_at", "updated_at", "person_id", "organisation_id")},
    {"obligations", COLS("id", "case_id", "promise", "kind", "text", "due_at", "state", "met_at")},
    {"contacts", COLS("id", "case_id", "direction", "channel", "at", "who", "summary", "outcome",
                      "created_by", "created_at")},
    {"events", COLS("id", "case_id", "at", "actor", "what", "detail")},
    {"pauses", COLS("id", "case_id", "from_at", "to_at")},
    {"audit", COLS("id", "at", "user_id", "action", "object", "object_id", "remote")},
    {"contracts", COLS("id", "organisation_id", "service", "year", "starts_on", "ends_on", "amount",
                       "unit", "purchased", "block", "prep_counts", "contact_name", "contact_email",
                       "consultant_id", "shortfall", "status", "created_by", "created_at")},
    {"visits", COLS("id", "contract_id", "consultant_id", "starts_at", "booked", "actual", "status",
                    "reason", "note", "late_notice_at", "late_expected_at", "rescheduled_from",
                    "over_balance", "created_by", "created_at", "updated_at")},
    {"ledger", COLS("id", "contract_id", "at", "kind", "minutes", "visit_id", "reason",
                    "created_by", "created_at")},
    {"statements_sent", COLS("id", "contract_id", "term", "sent_at", "sent_by", "sent_to")},
};
const size_t ch_store_ntables = sizeof(ch_store_tables) / sizeof(*ch_store_tables);

static int unsupported(ch_store *s, ch_error *err)
{
    return ch_error_set(err, CH_E_INVALID, "the %s backend cannot do this yet", s->ops->name);
}

int ch_store_table_count(ch_store *s, const ch_store_table *t, int64_t *count, ch_error *err)
{
    return s->ops->table_count ? s->ops->table_count(s, t, count, err) : unsupported(s, err);
}

int ch_store_table_each(ch_store *s, const ch_store_table *t, ch_store_row_fn fn, void *ctx,
                        ch_error *err)
{
    return s->ops->table_each ? s->ops->table_each(s, t, fn, ctx, err) : unsupported(s, err);
}

int ch_store_import_begin(ch_store *s, ch_error *err)
{
    return s->ops->import_begin ? s->ops->import_begin(s, err) : unsupported(s, err);
}

int ch_store_import_row(ch_store *s, const ch_store_table *t, const char *const *values,
                        ch_error *err)
{
    return s->ops->import_row(s, t, values, err);
}

int ch_store_import_end(ch_store *s, bool commit, ch_error *err)
{
    return s->ops->import_end(s, commit, err);
}

int ch_store_audit_insert(ch_store *s, const ch_audit_row *row, ch_error *err)
{
    return s->ops->audit_insert(s, row, err);
}

int ch_store_audit_list(ch_store *s, int64_t object_id, size_t limit, ch_arena *arena,
                        ch_audit_row **out, size_t *n, ch_error *err)
{
    return s->ops->audit_list(s, object_id, limit, arena, out, n, err);
}

int ch_store_contract_insert(ch_store *s, ch_contract *c, ch_error *err)
{
    return s->ops->contract_insert(s, c, err);
}

int ch_store_contract_get(ch_store *s, int64_t id, ch_arena *arena, ch_contract *out, ch_error *err)
{
    return s->ops->contract_get(s, id, arena, out, err);
}

int ch_store_contract_list(ch_store *s, const ch_contract_filter *f, ch_arena *arena,
                           ch_contract **out, size_t *n, ch_error *err)
{
    return s->ops->contract_list(s, f, arena, out, n, err);
}

int ch_store_ledger_list(ch_store *s, int64_t contract_id, ch_arena *arena, ch_ledger_row **out,
                         size_t *n, ch_error *err)
{
    return s->ops->ledger_list(s, contract_id, arena, out, n, err);
}

int ch_store_ledger_append(ch_store *s, ch_ledger_row *entries, size_t n, int64_t close_contract,
                           ch_error *err)
{
    return s->ops->ledger_append(s, entries, n, close_contract, err);
}

int ch_store_visit_insert(ch_store *s, ch_visit *v, const ch_contract *seen, ch_error *err)
{
    return s->ops->visit_insert(s, v, seen, err);
}

int ch_store_visit_get(ch_store *s, int64_t id, ch_arena *arena, ch_visit *out, ch_error *err)
{
    return s->ops->visit_get(s, id, arena, out, err);
}

int ch_store_visit_list(ch_store *s, const ch_visit_filter *f, ch_arena *arena, ch_visit **out,
                        size_t *n, ch_error *err)
{
    return s->ops->visit_list(s, f, arena, out, n, err);
}

int ch_store_visit_change(ch_store *s, ch_visit_change *ch, ch_error *err)
{
    return s->ops->visit_change(s, ch, err);
}

int ch_store_statement_sent(ch_store *s, const ch_statement_sent *row, ch_error *err)
{
    return s->ops->statement_sent(s, row, err);
}

int ch_store_statements_sent(ch_store *s, const char *term, ch_arena *arena,
                             ch_statement_sent **out, size_t *n, ch_error *err)
{
    return s->ops->statements_sent(s, term, arena, out, n, err);
}

int ch_store_contract_update(ch_store *s, const ch_contract_change *ch, ch_error *err)
{
    return s->ops->contract_update(s, ch, err);
}
