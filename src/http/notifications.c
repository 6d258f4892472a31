/* Notifications: what staff are told of their work (a case assigned or
 * handed to them, a promise about to break), listed and marked read in the
 * desk, and the round the outbox worker runs to warn of promises and to
 * mail each notification, or a daily digest, to those who want mail. */
#include "core/text.h"
#include "core/deadline.h"
#include "core/timefmt.h"
#include "http/json_case.h"
#include "http/request.h"
#include "mail/mail.h"
#include "mail/message.h"

#include <stdio.h>
#include <string.h>

enum { LIST_MAX = 200, MAIL_BATCH = 1000 };
#define DIGEST_EVERY ((ch_time)24 * 3600)
#define WARN_EVERY 60
/* How far ahead a warning is looked for: further than any warn_before a
 * charter sets in working days, across a holiday. */
#define WARN_HORIZON ((ch_time)45 * 24 * 3600)

/* At most size - 1 bytes of s, cut at a character boundary so a long
 * subject (mail's may run to a line) stays valid UTF-8. */
static const char *clip(const char *s, char *buf, size_t size)
{
    size_t n = ch_utf8_prefix(s, size - 1);
    if (n)
        memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

void ch_desk_notify_assigned(ch_req *r, const ch_case_row *c, int64_t user_id, const char *kind)
{
    /* Taking a case oneself needs no telling. */
    if (!user_id || user_id == r->user.id)
        return;
    char text[1400], subject[301];
    bool handed = strcmp(kind, "handed-over") == 0;
    snprintf(text, sizeof(text), "%s %s case #%lld, \"%s\", to you.", r->user.name,
             handed ? "handed" : "assigned", (long long)c->id,
             clip(c->subject, subject, sizeof(subject)));
    ch_notification n = {
        .user_id = user_id, .case_id = c->id, .kind = kind, .text = text, .created_at = r->now};
    ch_error err = {0};
    if (ch_store_notification_insert(r->desk->store, &n, NULL, &err))
        fprintf(stderr, "charter serve: notification for user %lld: %s\n", (long long)user_id,
                err.msg);
}

static void jw_notification(ch_jw *w, const ch_notification *n)
{
    ch_jw_obj(w);
    ch_jw_key(w, "id");
    ch_jw_int(w, n->id);
    ch_jw_key(w, "kind");
    ch_jw_str(w, n->kind);
    ch_jw_key(w, "text");
    ch_jw_str(w, n->text);
    ch_jw_key(w, "case_id");
    ch_jw_id(w, n->case_id);
    ch_jw_key(w, "obligation_id");
    ch_jw_id(w, n->obligation_id);
    ch_jw_key(w, "created_at");
    ch_jw_time(w, n->created_at);
    ch_jw_key(w, "read_at");
    ch_jw_time(w, n->read_at);
    ch_jw_key(w, "emailed_at");
    ch_jw_time(w, n->emailed_at);
    ch_jw_obj_end(w);
}

/* The user's notifications (all or only unread) with the unread count. */
static enum MHD_Result answer_list(ch_req *r, bool unread_only)
{
    ch_error err = {0};
    ch_notification *rows = NULL;
    size_t n = 0;
    int64_t unread = 0;
    if (ch_store_notification_list(r->desk->store, r->user.id, unread_only, LIST_MAX, &r->arena,
                                   &rows, &n, &err) ||
        ch_store_notification_unread(r->desk->store, r->user.id, &unread, &err))
        return ch_http_error(r, &err);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "unread");
    ch_jw_int(&w, unread);
    ch_jw_key(&w, "notifications");
    ch_jw_arr(&w);
    for (size_t i = 0; i < n; i++)
        jw_notification(&w, &rows[i]);
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

enum MHD_Result ch_http_notifications_list(ch_req *r)
{
    const char *unread = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "unread");
    if (unread && strcmp(unread, "true") != 0 && strcmp(unread, "false") != 0)
        return ch_http_problem(r, 400, "Bad query",
                               "unread is true (only those not yet read) or false (all).",
                               json_pack("[s]", "unread"));
    return answer_list(r, unread && strcmp(unread, "true") == 0);
}

static enum MHD_Result mark_read(ch_req *r, int64_t id)
{
    ch_error err = {0};
    enum MHD_Result res;
    if (!ch_req_empty(r, &res))
        return res;
    int rc = ch_store_notification_read(r->desk->store, r->user.id, id, r->now, &err);
    if (rc == CH_E_NOTFOUND)
        return ch_http_problem(r, 404, "Not found",
                               "You have no such notification; GET /api/v1/notifications lists "
                               "yours.",
                               NULL);
    if (rc)
        return ch_http_error(r, &err);
    return answer_list(r, false);
}

enum MHD_Result ch_http_notification_read(ch_req *r, int64_t id)
{
    return mark_read(r, id);
}

enum MHD_Result ch_http_notifications_read_all(ch_req *r)
{
    return mark_read(r, 0);
}

/* The calendar a promise's time is counted on. */
static const ch_calendar *promise_calendar(const ch_policy *p, const ch_service *svc,
                                           const ch_promise *pr)
{
    if (pr->calendar >= 0 && (size_t)pr->calendar < p->ncalendars)
        return p->calendars[pr->calendar].cal;
    return ch_policy_service_calendar(p, svc);
}

/* Warns each case's officer, once, of a promise whose due time is within
 * its warn_before of now, counted in the service's working time. */
static int warn_round(ch_desk *d, ch_time now, ch_error *err)
{
    ch_arena a = {0};
    ch_due_soon *rows = NULL;
    size_t n = 0;
    int rc = ch_store_due_soon(d->store, now, now + WARN_HORIZON, MAIL_BATCH, &a, &rows, &n, err);
    pthread_rwlock_rdlock(&d->policies_lock);
    for (size_t i = 0; rc == CH_OK && i < n; i++) {
        const ch_due_soon *o = &rows[i];
        ch_desk_service ds;
        ch_error why = {0};
        if (!o->officer_id || ch_desk_service_find(d, o->service, &ds, &why))
            continue;
        const ch_promise *pr = ch_policy_promise(ds.policy, o->promise);
        ch_time horizon;
        if (!pr || !pr->warns ||
            ch_deadline_compute(promise_calendar(ds.policy, ds.service, pr), &pr->warn_before, now,
                                CH_ANCHOR_EVENT, NULL, 0, &horizon, &why) ||
            horizon < o->due_at)
            continue;
        char text[1400], due[40], subject[301];
        ch_time_format_local(ch_calendar_tz(ch_policy_service_calendar(ds.policy, ds.service)),
                             o->due_at, due, sizeof(due));
        snprintf(text, sizeof(text), "Case #%lld, \"%s\": the promise %s falls due at %s.",
                 (long long)o->case_id, clip(o->subject, subject, sizeof(subject)), o->promise,
                 due);
        ch_notification note = {.user_id = o->officer_id,
                                .case_id = o->case_id,
                                .obligation_id = o->obligation_id,
                                .kind = "warning",
                                .text = text,
                                .created_at = now};
        rc = ch_store_notification_insert(d->store, &note, NULL, err);
    }
    pthread_rwlock_unlock(&d->policies_lock);
    ch_arena_free(&a);
    return rc;
}

/* Queues one message to user u telling of notes[0..n), and marks them
 * emailed in the same transaction. */
static int mail_user(ch_desk *d, const ch_user *u, const ch_notification *notes, size_t n,
                     bool digest, ch_time now, ch_arena *a, ch_error *err)
{
    int64_t *ids = ch_arena_alloc(a, (n + 1) * sizeof(*ids));
    size_t cap = 1024 + n * 1500; /* a name of 200 characters; each line under 1400 bytes */
    char *text = ch_arena_alloc(a, cap);
    if (!ids || !text)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    int head = snprintf(text, cap, "%s,\n\n%s\n\n", u->name,
                        digest ? "Here is what happened on your cases today:"
                               : "The case desk has something for you:");
    size_t used = head > 0 && (size_t)head < cap ? (size_t)head : 0;
    for (size_t i = 0; i < n; i++) {
        ids[i] = notes[i].id;
        int w = snprintf(text + used, cap - used, "- %s\n", notes[i].text);
        if (w > 0 && used + (size_t)w < cap)
            used += (size_t)w;
    }
    snprintf(text + used, cap - used,
             "\nOpen the case desk to read them; your account page sets how you hear of them.\n");
    char subject[200];
    if (digest)
        snprintf(subject, sizeof(subject), "Your cases: %zu notification%s", n, n == 1 ? "" : "s");
    else
        snprintf(subject, sizeof(subject), "%.150s",
                 strcmp(notes[0].kind, "warning") == 0      ? "A promise is about to fall due"
                 : strcmp(notes[0].kind, "message") == 0    ? "A new message on your case"
                 : strcmp(notes[0].kind, "compliment") == 0 ? "A compliment for you"
                 : strcmp(notes[0].kind, "unassigned") == 0 ? "A case taken off you"
                                                            : "A case for you");
    const char *at = strchr(d->mail_from, '@');
    ch_address to = {u->name, u->email};
    ch_outgoing m = {.from = {"Charter", d->mail_from},
                     .to = &to,
                     .nto = 1,
                     .subject = subject,
                     .text = text,
                     .id_domain = at ? at + 1 : "localhost",
                     .auto_submitted = CH_AUTO_GENERATED,
                     .date = now};
    char *raw = NULL, message_id[256];
    size_t len = 0;
    int rc = ch_message_build(&m, &raw, &len, message_id, err);
    if (rc)
        return rc;
    ch_outbox_row row = {.user_id = u->id,
                         .case_id = digest ? 0 : notes[0].case_id,
                         .purpose = digest ? "digest" : "notification",
                         .mail_from = d->mail_from,
                         .rcpts = u->email,
                         .message_id = message_id,
                         .raw = (const unsigned char *)raw,
                         .len = len};
    rc = ch_store_notification_emailed(d->store, ids, n, now, &row, err);
    free(raw);
    return rc;
}

/* Mails notifications not yet told: "each" users one message apiece,
 * "digest" users one a day listing them, "none" users none (theirs are
 * marked handled so they are not looked at again). */
static int mail_round(ch_desk *d, ch_time now, ch_error *err)
{
    ch_arena a = {0};
    ch_notification *rows = NULL;
    size_t n = 0;
    int rc = ch_store_notification_unemailed(d->store, 0, MAIL_BATCH, &a, &rows, &n, err);
    bool *done = rc ? NULL : ch_arena_alloc(&a, (n + 1) * sizeof(*done));
    if (!rc && !done)
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (size_t i = 0; rc == CH_OK && i < n; i++) {
        if (done[i])
            continue;
        ch_user u;
        ch_error why = {0};
        if (ch_store_user_by_id(d->store, rows[i].user_id, &a, &u, &why))
            continue;
        /* This user's, oldest first, gathered in one list. */
        ch_notification *mine = ch_arena_alloc(&a, (n - i) * sizeof(*mine));
        size_t k = 0;
        for (size_t j = i; mine && j < n; j++)
            if (!done[j] && rows[j].user_id == u.id) {
                mine[k++] = rows[j];
                done[j] = true;
            }
        if (!mine) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            break;
        }
        const char *how = u.notify ? u.notify : "each";
        if (u.inactive || strcmp(how, "none") == 0 || !ch_mail_address_ok(u.email)) {
            int64_t *ids = ch_arena_alloc(&a, (k + 1) * sizeof(*ids));
            for (size_t j = 0; ids && j < k; j++)
                ids[j] = mine[j].id;
            rc = ids ? ch_store_notification_emailed(d->store, ids, k, now, NULL, err)
                     : ch_error_set(err, CH_E_NOMEM, "out of memory");
        } else if (strcmp(how, "digest") == 0) {
            if (now - mine[0].created_at >= DIGEST_EVERY)
                rc = mail_user(d, &u, mine, k, true, now, &a, err);
        } else {
            for (size_t j = 0; rc == CH_OK && j < k; j++)
                if ((rc = mail_user(d, &u, &mine[j], 1, false, now, &a, err)) == CH_E_CONFLICT)
                    rc = CH_OK;
        }
        /* Another server's worker told them first: nothing to do here. */
        if (rc == CH_E_CONFLICT)
            rc = CH_OK;
    }
    ch_arena_free(&a);
    return rc;
}

void ch_desk_notify_round(void *desk, ch_time now)
{
    ch_desk *d = desk;
    static ch_time last_warned; /* one worker thread runs this */
    ch_error err = {0};
    if (now - last_warned >= WARN_EVERY) {
        last_warned = now;
        if (warn_round(d, now, &err))
            fprintf(stderr, "charter serve: warnings: %s\n", err.msg);
    }
    /* Staff mail waits while the desk has no relay, rather than failing. */
    if (d->smtp_url && mail_round(d, now, &err))
        fprintf(stderr, "charter serve: staff mail: %s\n", err.msg);
}
