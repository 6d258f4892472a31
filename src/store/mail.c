/* Mail in the store (inbound messages, threads, the outbox, notifications):
 * the wrappers that dispatch to the backend, checking what every backend
 * would otherwise check alike, and the split of an outbox row's recipients
 * into the addresses the rate count matches. */
#include "store/backend.h"

#include <string.h>

enum { DEFAULT_LIMIT = 100 };

static size_t limit_or_default(size_t limit)
{
    return limit ? limit : DEFAULT_LIMIT;
}

int ch_store_rcpts_split(ch_arena *arena, const char *rcpts, char ***out, size_t *n, ch_error *err)
{
    size_t cap = 1, count = 0;
    *out = NULL;
    *n = 0;
    for (const char *p = rcpts; p && *p; p++)
        cap += *p == ',';
    char **list = ch_arena_alloc(arena, cap * sizeof(*list));
    if (!list)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (const char *p = rcpts; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *q = p;
        while (len && (*q == ' ' || *q == '\t')) {
            q++;
            len--;
        }
        while (len && (q[len - 1] == ' ' || q[len - 1] == '\t'))
            len--;
        if (len) {
            char *addr = ch_arena_strndup(arena, q, len);
            if (!addr)
                return ch_error_set(err, CH_E_NOMEM, "out of memory");
            /* Mailboxes are matched without regard to ASCII case, as people
             * are found by email. */
            for (char *c = addr; *c; c++)
                if (*c >= 'A' && *c <= 'Z')
                    *c = (char)(*c - 'A' + 'a');
            bool seen = false;
            for (size_t i = 0; i < count && !seen; i++)
                seen = strcmp(list[i], addr) == 0;
            if (!seen)
                list[count++] = addr;
        }
        p = end ? end + 1 : p + strlen(p);
    }
    if (count == 0)
        return ch_error_set(err, CH_E_INVALID, "a message to send needs at least one recipient");
    *out = list;
    *n = count;
    return CH_OK;
}

int ch_store_mail_in_insert(ch_store *s, ch_mail_in *m, bool *duplicate, ch_error *err)
{
    bool unused;
    if (!duplicate)
        duplicate = &unused;
    *duplicate = false;
    if (!m->raw || m->len == 0)
        return ch_error_set(err, CH_E_INVALID, "an inbound message cannot be empty");
    return s->ops->mail_in_insert(s, m, duplicate, err);
}

int ch_store_mail_in_get(ch_store *s, int64_t id, ch_arena *arena, ch_mail_in *out, ch_error *err)
{
    return s->ops->mail_in_get(s, id, arena, out, err);
}

int ch_store_mail_in_of_case(ch_store *s, int64_t case_id, size_t limit, ch_arena *arena,
                             ch_mail_in **out, size_t *n, ch_error *err)
{
    *out = NULL;
    *n = 0;
    return s->ops->mail_in_of_case(s, case_id, limit_or_default(limit), arena, out, n, err);
}

int ch_store_mail_in_pending(ch_store *s, size_t limit, ch_arena *arena, ch_mail_in **out,
                             size_t *n, ch_error *err)
{
    *out = NULL;
    *n = 0;
    return s->ops->mail_in_pending(s, limit_or_default(limit), arena, out, n, err);
}

int ch_store_mail_thread_case(ch_store *s, const char *const *ids, size_t n, int64_t *case_id,
                              ch_error *err)
{
    *case_id = 0;
    if (n == 0)
        return CH_OK;
    return s->ops->mail_thread_case(s, ids, n, case_id, err);
}

static int outbox_check(const ch_outbox_row *rows, size_t n, ch_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const ch_outbox_row *r = &rows[i];
        if (!r->purpose || !r->mail_from || !r->rcpts || !r->raw || r->len == 0)
            return ch_error_set(err, CH_E_INVALID,
                                "a message to send needs its purpose, sender, recipients and text");
    }
    return CH_OK;
}

int ch_store_outbox_insert(ch_store *s, ch_outbox_row *rows, size_t n, ch_error *err)
{
    int rc = outbox_check(rows, n, err);
    if (rc || n == 0)
        return rc;
    return s->ops->outbox_insert(s, rows, n, err);
}

int ch_store_outbox_claim(ch_store *s, ch_time now, ch_time lease_until, size_t limit,
                          ch_arena *arena, ch_outbox_row **out, size_t *n, ch_error *err)
{
    *out = NULL;
    *n = 0;
    if (lease_until <= now)
        return ch_error_set(err, CH_E_INVALID, "a claim's lease must end after it is taken");
    return s->ops->outbox_claim(s, now, lease_until, limit_or_default(limit), arena, out, n, err);
}

int ch_store_outbox_result(ch_store *s, int64_t id, const char *state, ch_time at,
                           const char *error, ch_time next_attempt_at, ch_error *err)
{
    static const char *const states[] = {"sent", "queued", "failed", "bounced"};
    bool known = false;
    for (size_t i = 0; state && i < sizeof(states) / sizeof(*states); i++)
        known = known || strcmp(state, states[i]) == 0;
    if (!known)
        return ch_error_set(err, CH_E_INVALID,
                            "an outbox message ends sent, queued, failed or bounced");
    return s->ops->outbox_result(s, id, state, at, error, next_attempt_at, err);
}

int ch_store_outbox_list(ch_store *s, const ch_outbox_filter *f, ch_arena *arena,
                         ch_outbox_row **out, size_t *n, ch_error *err)
{
    *out = NULL;
    *n = 0;
    if (f->services && f->nservices == 0)
        return CH_OK;
    ch_outbox_filter g = *f;
    g.limit = limit_or_default(f->limit);
    return s->ops->outbox_list(s, &g, arena, out, n, err);
}

int ch_store_outbox_count(ch_store *s, const ch_outbox_filter *f, int64_t *count, ch_error *err)
{
    *count = 0;
    if (f->services && f->nservices == 0)
        return CH_OK;
    return s->ops->outbox_count(s, f, count, err);
}

int ch_store_outbox_by_message_id(ch_store *s, const char *message_id, ch_arena *arena,
                                  ch_outbox_row *out, ch_error *err)
{
    if (!message_id || !*message_id)
        return ch_error_set(err, CH_E_NOTFOUND, "no message was sent without a Message-ID");
    return s->ops->outbox_by_message_id(s, message_id, arena, out, err);
}

int ch_store_notification_insert(ch_store *s, ch_notification *n, bool *duplicate, ch_error *err)
{
    bool unused;
    if (!duplicate)
        duplicate = &unused;
    *duplicate = false;
    if (!n->user_id || !n->kind || !n->text)
        return ch_error_set(err, CH_E_INVALID, "a notification needs its user, kind and text");
    return s->ops->notification_insert(s, n, duplicate, err);
}

int ch_store_notification_list(ch_store *s, int64_t user_id, bool unread_only, size_t limit,
                               ch_arena *arena, ch_notification **out, size_t *n, ch_error *err)
{
    *out = NULL;
    *n = 0;
    return s->ops->notification_list(s, user_id, unread_only, limit_or_default(limit), arena, out,
                                     n, err);
}

int ch_store_notification_unread(ch_store *s, int64_t user_id, int64_t *count, ch_error *err)
{
    *count = 0;
    return s->ops->notification_unread(s, user_id, count, err);
}

int ch_store_notification_read(ch_store *s, int64_t user_id, int64_t id, ch_time at, ch_error *err)
{
    return s->ops->notification_read(s, user_id, id, at, err);
}

int ch_store_notification_unemailed(ch_store *s, int64_t user_id, size_t limit, ch_arena *arena,
                                    ch_notification **out, size_t *n, ch_error *err)
{
    *out = NULL;
    *n = 0;
    return s->ops->notification_unemailed(s, user_id, limit_or_default(limit), arena, out, n, err);
}

int ch_store_notification_emailed(ch_store *s, const int64_t *ids, size_t n, ch_time at,
                                  ch_outbox_row *outbox, ch_error *err)
{
    int rc = outbox ? outbox_check(outbox, 1, err) : CH_OK;
    if (rc || (n == 0 && !outbox))
        return rc;
    return s->ops->notification_emailed(s, ids, n, at, outbox, err);
}

int ch_store_due_soon(ch_store *s, ch_time from, ch_time to, size_t limit, ch_arena *arena,
                      ch_due_soon **out, size_t *n, ch_error *err)
{
    *out = NULL;
    *n = 0;
    if (to <= from)
        return CH_OK;
    return s->ops->due_soon(s, from, to, limit_or_default(limit), arena, out, n, err);
}

int ch_store_mail_commit_refs(const ch_mail_commit *m, int64_t case_id, int64_t *case_out,
                              int64_t contact_id, int64_t *contact_out, ch_error *err)
{
    if (case_out)
        *case_out = case_id ? case_id : m->update ? m->update->case_id : m->open ? m->open->id : 0;
    *contact_out = contact_id;
    if (contact_id == CH_CONTACT_NEW) {
        if (!m->update || !m->update->contact)
            return ch_error_set(err, CH_E_INVALID,
                                "'the new contact' needs an update that adds one");
        *contact_out = m->update->contact->id;
    }
    return CH_OK;
}

int ch_store_mail_commit(ch_store *s, ch_mail_commit *c, ch_error *err)
{
    c->new_version = 0;
    if (c->mail_in_id && (!c->mail_in_state || (strcmp(c->mail_in_state, "filed") != 0 &&
                                                strcmp(c->mail_in_state, "failed") != 0)))
        return ch_error_set(err, CH_E_INVALID, "an inbound message is filed or failed");
    if (c->update && c->update->case_id == 0 && !c->open)
        return ch_error_set(err, CH_E_INVALID,
                            "an update of 'the case opened' needs a case to open");
    int rc = outbox_check(c->outbox, c->noutbox, err);
    if (rc)
        return rc;
    return s->ops->mail_commit(s, c, err);
}
