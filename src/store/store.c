/* Dispatch from the public store interface to the backend chosen by URL. */
#include "store/backend.h"

#include <stdio.h>
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

static bool notify_valid(const char *notify)
{
    return !notify || strcmp(notify, "each") == 0 || strcmp(notify, "digest") == 0 ||
           strcmp(notify, "none") == 0;
}

int ch_store_user_insert(ch_store *s, const ch_user *user, int64_t *id, ch_error *err)
{
    if (!notify_valid(user->notify))
        return ch_error_set(err, CH_E_INVALID, "notify must be each, digest or none, not '%.40s'",
                            user->notify);
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

int ch_store_user_update(ch_store *s, const ch_user_change *ch, ch_error *err)
{
    if (!notify_valid(ch->notify))
        return ch_error_set(err, CH_E_INVALID, "notify must be each, digest or none, not '%.40s'",
                            ch->notify);
    return s->ops->user_update(s, ch, err);
}

int ch_store_token_insert(ch_store *s, int64_t user_id, const uint8_t hash[32], const char *label,
                          ch_time expires, int64_t *id, ch_error *err)
{
    int64_t unused;
    return s->ops->token_insert(s, user_id, hash, label, expires, id ? id : &unused, err);
}

int ch_store_session_insert(ch_store *s, int64_t user_id, const uint8_t hash[32], const char *csrf,
                            ch_time expires, ch_error *err)
{
    return s->ops->session_insert(s, user_id, hash, csrf, expires, err);
}

int ch_store_credential_user(ch_store *s, const uint8_t hash[32], ch_time now, ch_arena *arena,
                             ch_user *user, ch_credential *cred, ch_error *err)
{
    return s->ops->credential_user(s, hash, now, arena, user, cred, err);
}

int ch_store_credential_used(ch_store *s, int64_t id, ch_time now, ch_error *err)
{
    return s->ops->credential_used(s, id, now, err);
}

int ch_store_credential_delete(ch_store *s, const uint8_t hash[32], ch_error *err)
{
    return s->ops->credential_delete(s, hash, err);
}

int ch_store_token_list(ch_store *s, int64_t user_id, ch_arena *arena, ch_token_row **out,
                        size_t *n, ch_error *err)
{
    return s->ops->token_list(s, user_id, arena, out, n, err);
}

int ch_store_token_delete(ch_store *s, int64_t id, int64_t owner, int64_t *user_id, ch_error *err)
{
    int64_t unused;
    return s->ops->token_delete(s, id, owner, user_id ? user_id : &unused, err);
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

/* The overdue queue and the open cases not yet due together make the open
 * cases, which case_counts keeps. So both sides are counted a few at a time,
 * four times more each round, until one runs out: reading about ten times
 * the smaller side rather than all of the overdue side. A desk keeping its
 * promises has few overdue; one that has fallen far behind has few still
 * in time; either way the count stays a short index range. */
static int overdue_count(ch_store *s, const ch_queue_query *q, int64_t *total, ch_error *err)
{
    ch_case_filter f = {.services = q->services,
                        .nservices = q->nservices,
                        .status = "open", /* officer_id 0: anyone's */
                        .hide_staff_named = q->hide_staff_named};
    int64_t open = -1, n;
    int rc;
    for (int64_t cap = 1024;; cap *= 4) {
        if ((rc = s->ops->queue_count(s, q, cap, false, &n, err)))
            return rc;
        if (n < cap) {
            *total = n;
            return CH_OK;
        }
        if (open < 0 && (rc = s->ops->case_count(s, &f, &open, err)))
            return rc;
        if ((rc = s->ops->queue_count(s, q, cap, true, &n, err)))
            return rc;
        if (n < cap) {
            /* Read apart from the maintained count, so a case written in
             * between could make this one off; never below zero. */
            *total = open > n ? open - n : 0;
            return CH_OK;
        }
    }
}

int ch_store_queue_count(ch_store *s, const ch_queue_query *q, int64_t *total, ch_error *err)
{
    if (q->queue == CH_QUEUE_OVERDUE)
        return overdue_count(s, q, total, err);
    if (q->queue != CH_QUEUE_MINE && q->queue != CH_QUEUE_UNASSIGNED)
        return s->ops->queue_count(s, q, 0, false, total, err);
    /* Whose a case is does not change with the clock, so these two are the
     * maintained counts of the case list: open and paused, summed. */
    ch_case_filter f = {.services = q->services,
                        .nservices = q->nservices,
                        .officer_id = q->queue == CH_QUEUE_MINE ? q->user_id : -1,
                        .hide_staff_named = q->hide_staff_named};
    int64_t open = 0, paused = 0;
    int rc;
    *total = 0;
    if (q->queue == CH_QUEUE_MINE && q->user_id <= 0)
        return CH_OK;
    f.status = "open";
    if ((rc = s->ops->case_count(s, &f, &open, err)))
        return rc;
    f.status = "paused";
    if ((rc = s->ops->case_count(s, &f, &paused, err)))
        return rc;
    *total = open + paused;
    return CH_OK;
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

int ch_store_case_count(ch_store *s, const ch_case_filter *f, int64_t *total, ch_error *err)
{
    return s->ops->case_count(s, f, total, err);
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

int ch_store_person_update(ch_store *s, const ch_person *p, ch_error *err)
{
    return s->ops->person_update(s, p, err);
}

int ch_store_people_list(ch_store *s, const ch_people_query *q, ch_arena *arena, ch_person **out,
                         size_t *n, int64_t *total, ch_error *err)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    if (q->nwords > CH_STORE_FIND_WORDS)
        return ch_error_set(err, CH_E_INVALID, "at most %d words can be searched for at once",
                            CH_STORE_FIND_WORDS);
    return s->ops->people_list(s, q, arena, out, n, total, err);
}

int ch_store_person_in(ch_store *s, int64_t id, const char *const *services, size_t nservices,
                       bool *in, ch_error *err)
{
    *in = false;
    if (nservices == 0)
        return CH_OK;
    if (nservices > 200)
        return ch_error_set(err, CH_E_INVALID, "too many services");
    return s->ops->person_in(s, id, services, nservices, in, err);
}

/* A person's own service, their cases', incidents' and restrictions': the
 * links a team has with them. */
void ch_store_person_scope_sql(char *sql, size_t size, size_t *used, const char *alias, char mark,
                               int first, size_t n)
{
    static const char *const arms[] = {NULL, "cases", "incidents", "restrictions"};
    *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0, " AND (");
    for (size_t k = 0; k < sizeof(arms) / sizeof(arms[0]); k++) {
        if (!arms[k])
            *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0,
                                      "%s.service IN (", alias);
        else
            *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0,
                                      " OR EXISTS (SELECT 1 FROM %s x WHERE x.person_id = %s.id"
                                      " AND x.service IN (",
                                      arms[k], alias);
        for (size_t i = 0; i < n; i++)
            *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0, "%s%c%d",
                                      i ? ", " : "", mark, first + (int)i);
        *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0, "%s",
                                  arms[k] ? "))" : ")");
    }
    *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0, ")");
}

int ch_store_person_merge(ch_store *s, int64_t keep, int64_t duplicate, int64_t *moved,
                          ch_error *err)
{
    *moved = 0;
    if (keep == duplicate)
        return ch_error_set(err, CH_E_INVALID, "a person cannot be merged into themselves");
    return s->ops->person_merge(s, keep, duplicate, moved, err);
}

int ch_store_attachment_insert(ch_store *s, ch_attachment *a, ch_error *err)
{
    return s->ops->attachment_insert(s, a, err);
}

int ch_store_attachment_list(ch_store *s, int64_t person_id, int64_t case_id, ch_arena *arena,
                             ch_attachment **out, size_t *n, ch_error *err)
{
    *out = NULL;
    *n = 0;
    return s->ops->attachment_list(s, person_id, case_id, arena, out, n, err);
}

int ch_store_attachment_get(ch_store *s, int64_t id, ch_arena *arena, ch_attachment *out,
                            ch_error *err)
{
    return s->ops->attachment_get(s, id, arena, out, err);
}

int ch_store_people_find(ch_store *s, const char *const *words, size_t nwords,
                         const char *const *services, size_t nservices, size_t limit,
                         ch_arena *arena, ch_person **out, size_t *n, ch_error *err)
{
    *out = NULL;
    *n = 0;
    if (nwords == 0 || nwords > CH_STORE_FIND_WORDS)
        return ch_error_set(err, CH_E_INVALID, "give 1 to %d words to find", CH_STORE_FIND_WORDS);
    return s->ops->people_find(s, words, nwords, services, nservices, limit, arena, out, n, err);
}

int ch_store_organisations_find(ch_store *s, const char *const *words, size_t nwords, size_t limit,
                                ch_arena *arena, ch_organisation **out, size_t *n, ch_error *err)
{
    *out = NULL;
    *n = 0;
    if (nwords == 0 || nwords > CH_STORE_FIND_WORDS)
        return ch_error_set(err, CH_E_INVALID, "give 1 to %d words to find", CH_STORE_FIND_WORDS);
    return s->ops->organisations_find(s, words, nwords, limit, arena, out, n, err);
}

char *ch_store_like_escape(ch_arena *arena, const char *word)
{
    size_t len = strlen(word);
    char *out = ch_arena_alloc(arena, len * 2 + 1), *p = out;
    if (!out)
        return NULL;
    for (const char *w = word; *w; w++) {
        if (*w == '%' || *w == '_' || *w == '\\')
            *p++ = '\\';
        *p++ = *w;
    }
    *p = '\0';
    return out;
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
    {"users",
     COLS("id", "email", "name", "role", "password_hash", "created_at", "active", "notify")},
    {"user_services", COLS("user_id", "service")},
    {"credentials", COLS("id", "hash", "user_id", "kind", "csrf", "expires_at", "created_at",
                         "label", "last_used_at")},
    {"policies", COLS("policy_id", "version", "text", "saved_at")},
    {"organisations", COLS("id", "name", "kind", "created_at")},
    {"people", COLS("id", "name", "email", "phone", "date_of_birth", "organisation_id",
                    "created_at", "needs", "merged_into")},
    {"cases",
     COLS("id", "service", "kind", "channel", "subject", "status", "received_at", "deemed_at",
          "requester_name", "requester_email", "organisation", "officer_id", "flags", "version",
          "next_due_at", "created_at", "updated_at", "person_id", "organisation_id")},
    /* Contacts before obligations: an obligation names the contact that met it. */
    {"contacts", COLS("id", "case_id", "direction", "channel", "at", "who", "summary", "outcome",
                      "created_by", "created_at", "handed_to", "with_person_id", "channel_reason")},
    {"obligations", COLS("id", "case_id", "promise", "kind", "text", "due_at", "state", "met_at",
                         "met_by_contact", "reason", "service")},
    {"events", COLS("id", "case_id", "at", "actor", "what", "detail")},
    {"pauses", COLS("id", "case_id", "from_at", "to_at")},
    {"audit", COLS("id", "at", "user_id", "action", "object", "object_id", "remote", "seq",
                   "prev_hash", "hash")},
    {"contracts",
     COLS("id", "organisation_id", "service", "year", "starts_on", "ends_on", "amount", "unit",
          "purchased", "block", "prep_counts", "contact_name", "contact_email", "consultant_id",
          "shortfall", "status", "created_by", "created_at", "scope")},
    {"visits", COLS("id", "contract_id", "consultant_id", "starts_at", "booked", "actual", "status",
                    "reason", "note", "late_notice_at", "late_expected_at", "rescheduled_from",
                    "over_balance", "created_by", "created_at", "updated_at", "arrived_at", "kind",
                    "resources_due_at", "resources_told_at", "release_for", "release_told_at")},
    {"ledger", COLS("id", "contract_id", "at", "kind", "minutes", "visit_id", "reason",
                    "created_by", "created_at")},
    {"statements_sent", COLS("id", "contract_id", "term", "sent_at", "sent_by", "sent_to")},
    {"relationships", COLS("id", "person_id", "kind", "other_id", "organisation_id", "note",
                           "created_by", "created_at")},
    {"consents",
     COLS("id", "grantor_id", "grantee_id", "case_id", "evidence", "given_on", "expires_on",
          "withdrawn_at", "withdrawn_by", "withdrawn_reason", "created_by", "created_at")},
    {"user_availability", COLS("user_id", "pattern", "absences", "updated_at")},
    {"attachments", COLS("id", "person_id", "case_id", "filename", "content_type", "size", "data",
                         "uploaded_by", "uploaded_at", "contact_id")},
    {"incidents",
     COLS("id", "person_id", "case_id", "at", "channel", "kind", "what", "staff",
          "health_and_safety", "police_reference", "actions", "created_by", "created_at")},
    {"restrictions",
     COLS("id", "person_id", "channels", "point_of_contact", "replies", "per_days",
          "refuse_service", "reason", "review_on", "status", "notice_sent_at", "notice_how",
          "ended_at", "end_reason", "review_note", "created_by", "created_at")},
    {"mail_in", COLS("id", "service", "message_id", "raw", "received_at", "state", "case_id",
                     "contact_id", "error")},
    {"mail_threads", COLS("message_id", "case_id")},
    {"outbox", COLS("id", "service", "case_id", "contact_id", "user_id", "purpose", "mail_from",
                    "rcpts", "message_id", "raw", "require_tls", "state", "attempts", "created_at",
                    "next_attempt_at", "sent_at", "last_error")},
    {"outbox_rcpts", COLS("outbox_id", "rcpt")},
    /* After the outbox: a notice names the email that carried it. */
    {"visit_notices", COLS("id", "visit_id", "kind", "party", "notice_at", "expected_at", "channel",
                           "contact", "note", "outbox_id", "created_by", "created_at")},
    {"notifications", COLS("id", "user_id", "case_id", "obligation_id", "kind", "text",
                           "created_at", "read_at", "emailed_at")},
    {"complaint_stages", COLS("id", "case_id", "seq", "stage", "started_at", "closed_at", "outcome",
                              "lessons", "findings", "closed_by", "letter_id")},
    {"case_staff", COLS("case_id", "user_id", "named_by", "named_at")},
    {"case_themes", COLS("case_id", "theme", "position")},
    /* Customer surveys: the invitations, then the answers that name them. */
    {"survey_invitations", COLS("id", "case_id", "service", "token_hash", "outbox_id", "sent_at",
                                "expires_at", "anonymous_allowed", "used", "responded_at")},
    {"survey_responses",
     COLS("id", "invitation_id", "service", "rating", "comment", "anonymous", "submitted_at")},
    {"school_audits", COLS("id", "service", "template", "school", "organisation_id", "intervention",
                           "baseline_id", "opens_on", "closes_on", "code_pupils", "code_parents",
                           "code_teachers", "code_governors", "created_by", "created_at")},
    {"audit_responses", COLS("id", "audit_id", "grp", "submitted_at", "answers", "form_id")},
    {"sar_exports", COLS("id", "case_id", "person_id", "attachment_id", "contact_id", "released_by",
                         "released_at")},
    /* Retention and erasure: legal holds, and what was erased or anonymised. */
    {"legal_holds", COLS("id", "person_id", "case_id", "reason", "placed_by", "placed_at")},
    {"erasures", COLS("id", "object", "object_id", "how", "reason", "by_user", "at")},
    {"audit_purge", COLS("upto")},
    {"school_tokens",
     COLS("id", "kind", "email", "hash", "csrf", "created_at", "expires_at", "used_at")},
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

/* The audit rows for this thread's next write: each request thread does one
 * audited write at a time, so one slot a thread is enough. */
static _Thread_local struct {
    const ch_store *s;
    ch_audit_pending p;
} pending_audit;

int ch_store_audit_attach(ch_store *s, const ch_audit_row *row, const int64_t *object_id)
{
    if (pending_audit.s != s) {
        pending_audit.s = s;
        pending_audit.p.n = 0;
    }
    if (pending_audit.p.n == CH_STORE_AUDIT_ROWS)
        return CH_E_INVALID;
    pending_audit.p.rows[pending_audit.p.n] = *row;
    pending_audit.p.object_id[pending_audit.p.n++] = object_id;
    return CH_OK;
}

bool ch_store_audit_take(ch_store *s, ch_audit_pending *out)
{
    if (pending_audit.s != s)
        return false;
    *out = pending_audit.p;
    pending_audit.s = NULL;
    pending_audit.p.n = 0;
    return true;
}

void ch_store_audit_resolve(ch_audit_pending *p)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->object_id[i])
            p->rows[i].object_id = *p->object_id[i];
}

bool ch_store_audit_pending(const ch_store *s)
{
    return s && pending_audit.s == s;
}

int ch_store_audit_finish(ch_store *s, int rc, ch_error *err)
{
    return s->ops->audit_finish(s, rc, err);
}

int ch_store_audit_chain(ch_store *s, ch_store_audit_fn fn, void *ctx, int64_t *unchained,
                         int64_t *unchained_max_id, ch_error *err)
{
    return s->ops->audit_chain(s, fn, ctx, unchained, unchained_max_id, err);
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

int ch_store_school_token_insert(ch_store *s, const char *kind, const char *email,
                                 const uint8_t hash[32], const char *csrf, ch_time now,
                                 ch_time expires, ch_error *err)
{
    return s->ops->school_token_insert(s, kind, email, hash, csrf, now, expires, err);
}

int ch_store_school_token_take(ch_store *s, const char *kind, const uint8_t hash[32], ch_time now,
                               ch_arena *arena, const char **email, const char **csrf,
                               ch_error *err)
{
    return s->ops->school_token_take(s, kind, hash, now, arena, email, csrf, err);
}

int ch_store_school_token_end(ch_store *s, const uint8_t hash[32], ch_time now, ch_error *err)
{
    return s->ops->school_token_end(s, hash, now, err);
}

int ch_store_visit_notices(ch_store *s, int64_t visit_id, ch_arena *arena, ch_visit_notice **out,
                           size_t *n, ch_error *err)
{
    return s->ops->visit_notices(s, visit_id, arena, out, n, err);
}

int ch_store_availability_set(ch_store *s, const ch_availability_row *row, ch_error *err)
{
    return s->ops->availability_set(s, row, err);
}

int ch_store_availability_list(ch_store *s, ch_arena *arena, ch_availability_row **out, size_t *n,
                               ch_error *err)
{
    return s->ops->availability_list(s, arena, out, n, err);
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

int64_t ch_case_update_met_by(const ch_case_update *u, const ch_obligation_row *o)
{
    if (o->met_by_contact == CH_CONTACT_NEW)
        return u->contact ? u->contact->id : 0;
    return o->met_by_contact > 0 ? o->met_by_contact : 0;
}

int ch_store_relationship_insert(ch_store *s, ch_relationship *r, ch_error *err)
{
    return s->ops->relationship_insert(s, r, err);
}

int ch_store_relationship_delete(ch_store *s, int64_t id, ch_error *err)
{
    return s->ops->relationship_delete(s, id, err);
}

int ch_store_relationships(ch_store *s, int64_t id, int64_t person_id, ch_arena *arena,
                           ch_relationship **out, size_t *n, ch_error *err)
{
    *out = NULL;
    *n = 0;
    return s->ops->relationships(s, id, person_id, arena, out, n, err);
}

int ch_store_consent_insert(ch_store *s, ch_consent *c, ch_error *err)
{
    return s->ops->consent_insert(s, c, err);
}

int ch_store_consent_withdraw(ch_store *s, int64_t id, ch_time at, int64_t by, const char *reason,
                              ch_error *err)
{
    return s->ops->consent_withdraw(s, id, at, by, reason, err);
}

int ch_store_consents(ch_store *s, int64_t id, int64_t person_id, ch_arena *arena, ch_consent **out,
                      size_t *n, ch_error *err)
{
    *out = NULL;
    *n = 0;
    return s->ops->consents(s, id, person_id, arena, out, n, err);
}

ch_obligation_row ch_obligation_row_for(const ch_promise *p, ch_time due, ch_ostate st)
{
    return (ch_obligation_row){.promise = p->id,
                               .kind = ch_obligation_kind_name(p->obligation),
                               .text = p->text,
                               .due_at = due,
                               .state = ch_ostate_name(st)};
}

/* Complaints and compliments. */
int ch_store_stages(ch_store *s, int64_t case_id, ch_arena *arena, ch_stage_row **out, size_t *n,
                    ch_error *err)
{
    *out = NULL;
    *n = 0;
    return s->ops->stages ? s->ops->stages(s, case_id, arena, out, n, err) : unsupported(s, err);
}

int ch_store_stage_change(ch_store *s, ch_stage_change *m, int64_t *new_version, ch_error *err)
{
    return s->ops->stage_change ? s->ops->stage_change(s, m, new_version, err)
                                : unsupported(s, err);
}

int ch_store_case_staff(ch_store *s, int64_t case_id, ch_arena *arena, ch_staff_named **out,
                        size_t *n, ch_error *err)
{
    *out = NULL;
    *n = 0;
    return s->ops->case_staff ? s->ops->case_staff(s, case_id, arena, out, n, err)
                              : unsupported(s, err);
}

int ch_store_case_staff_set(ch_store *s, const ch_case_update *u, const int64_t *ids, size_t n,
                            int64_t by, int64_t *new_version, ch_error *err)
{
    return s->ops->case_staff_set ? s->ops->case_staff_set(s, u, ids, n, by, new_version, err)
                                  : unsupported(s, err);
}

int ch_store_cases_staff_named(ch_store *s, const int64_t *ids, size_t n, bool *named,
                               ch_error *err)
{
    for (size_t i = 0; i < n; i++)
        named[i] = false;
    if (!n)
        return CH_OK;
    return s->ops->cases_staff_named ? s->ops->cases_staff_named(s, ids, n, named, err)
                                     : unsupported(s, err);
}

int ch_store_complaint_lines(ch_store *s, ch_time from, ch_time to, ch_arena *arena,
                             ch_complaint_line **out, size_t *n, ch_error *err)
{
    *out = NULL;
    *n = 0;
    return s->ops->complaint_lines ? s->ops->complaint_lines(s, from, to, arena, out, n, err)
                                   : unsupported(s, err);
}

/* The public standards page (publicpage). */
int ch_store_kind_counts(ch_store *s, ch_time from, ch_time to, const char *const *services,
                         size_t nservices, const char *const *kinds, size_t nkinds, int64_t *counts,
                         ch_error *err)
{
    if (nservices == 0 || nservices > 100 || nkinds == 0 || nkinds > 16)
        return ch_error_set(err, CH_E_INVALID,
                            "counting cases needs 1 to 100 services and 1 to 16 kinds");
    for (size_t i = 0; i < nkinds; i++)
        counts[i] = 0;
    return s->ops->kind_counts(s, from, to, services, nservices, kinds, nkinds, counts, err);
}

/* ---- Themes on cases ---- */

int ch_store_case_themes_set(ch_store *s, int64_t case_id, int64_t expect, const char *const *ids,
                             size_t n, const ch_event_row *ev, ch_time now, int64_t *new_version,
                             ch_error *err)
{
    return s->ops->case_themes_set(s, case_id, expect, ids, n, ev, now, new_version, err);
}

int ch_store_case_themes(ch_store *s, int64_t case_id, ch_arena *arena, const char ***out,
                         size_t *n, ch_error *err)
{
    return s->ops->case_themes(s, case_id, arena, out, n, err);
}

int ch_store_theme_rows(ch_store *s, ch_time from, ch_time to, const char *const *services,
                        size_t nservices, ch_arena *arena, ch_theme_row **out, size_t *n,
                        ch_error *err)
{
    return s->ops->theme_rows(s, from, to, services, nservices, arena, out, n, err);
}

int ch_store_report_rows_by(ch_store *s, ch_report_by by, ch_time from, ch_time to,
                            const char *const *services, size_t nservices, ch_arena *arena,
                            ch_report_row **out, size_t *n, ch_error *err)
{
    return s->ops->report_rows_by(s, by, from, to, services, nservices, arena, out, n, err);
}

/* Retention and erasure: one of person and case, each call. */
static int hold_target(int64_t person_id, int64_t case_id, ch_error *err)
{
    if ((person_id > 0) == (case_id > 0))
        return ch_error_set(err, CH_E_INVALID, "a legal hold is on one person or one case");
    return CH_OK;
}

int ch_store_hold_place(ch_store *s, ch_legal_hold *h, ch_error *err)
{
    int rc = hold_target(h->person_id, h->case_id, err);
    if (!rc && (!h->reason || !*h->reason))
        rc = ch_error_set(err, CH_E_INVALID, "a legal hold needs a reason");
    return rc ? rc : s->ops->hold_place(s, h, err);
}

int ch_store_hold_release(ch_store *s, int64_t person_id, int64_t case_id, ch_error *err)
{
    int rc = hold_target(person_id, case_id, err);
    return rc ? rc : s->ops->hold_release(s, person_id, case_id, err);
}

int ch_store_hold_get(ch_store *s, int64_t person_id, int64_t case_id, ch_arena *arena,
                      ch_legal_hold *out, ch_error *err)
{
    int rc = hold_target(person_id, case_id, err);
    return rc ? rc : s->ops->hold_get(s, person_id, case_id, arena, out, err);
}

int ch_store_retention_apply(ch_store *s, int kind, const char *service, ch_time cutoff,
                             bool dry_run, ch_time now, int64_t by, int64_t *count, ch_error *err)
{
    *count = 0;
    return s->ops->retention_apply(s, kind, service, cutoff, dry_run, now, by, count, err);
}

int ch_store_audit_purge(ch_store *s, ch_time cutoff, bool dry_run, ch_time now, int64_t by,
                         int64_t *count, ch_error *err)
{
    *count = 0;
    return s->ops->audit_purge(s, cutoff, dry_run, now, by, count, err);
}

int ch_store_person_erase(ch_store *s, ch_erasure *e, ch_error *err)
{
    e->cases = 0;
    return s->ops->person_erase(s, e, err);
}

int ch_store_person_erased(ch_store *s, int64_t person_id, ch_time *at, ch_error *err)
{
    return s->ops->person_erased(s, person_id, at, err);
}

int ch_store_audit_query(ch_store *s, const ch_audit_query *q, ch_arena *arena,
                         ch_audit_view_row **out, size_t *n, ch_error *err)
{
    return s->ops->audit_query(s, q, arena, out, n, err);
}

int ch_store_people_services(ch_store *s, const int64_t *ids, size_t n, ch_arena *arena,
                             ch_person_service **out, size_t *nout, ch_error *err)
{
    if (n > 2000)
        return ch_error_set(err, CH_E_INVALID, "at most 2000 people at a time");
    return s->ops->people_services(s, ids, n, arena, out, nout, err);
}
