/* Taking one inbound message onto the desk (see ingest.h): read in memory,
 * kept whole, filed in one transaction, then acknowledged in a second (the
 * acknowledgement names the case, which has no number until the first). */
#include "mail/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/casework.h"
#include "core/mailrule.h"
#include "core/text.h"
#include "http/availability.h"
#include "mail/message.h"

/* What a contact's summary keeps of the text (the message itself is kept
 * whole with the inbound mail). */
enum { SUMMARY_MAX = 64 * 1024, SUBJECT_MAX = 300, PERSON_NAME_MAX = 200, COMMIT_TRIES = 4 };

typedef struct filing {
    const ch_ingest_ctx *ctx;
    ch_arena *arena;
    const char *raw;
    size_t len;
    ch_message msg;
    const ch_policy *pol;
    const ch_service *svc;
    char service[140];
    int64_t mail_in_id;
    const char *sender; /* the From address, "" when none */
    const char *who;    /* the display name, else the address */
} filing;

/* Errors the MTA should retry after: the store, or memory. */
/* Mail intake changes cases as the desk itself, with no member of staff:
 * audited as every change is, in the change's own transaction, from
 * "mail" rather than a network address. A commit that touches no case
 * (a message kept as failed) has nothing to audit. */
static int mail_commit_audited(const ch_ingest_ctx *ctx, ch_mail_commit *c, ch_error *err)
{
    if (!c->open && !c->update)
        return ch_store_mail_commit(ctx->store, c, err);
    ch_audit_row row = {.at = ctx->now,
                        .action = c->open ? "create" : "update",
                        .object = "case",
                        .remote = "mail"};
    const int64_t *id = c->open ? &c->open->id : &c->update->case_id;
    if (ch_store_audit_attach(ctx->store, &row, id))
        return ch_error_set(err, CH_E_STORE, "the audit log could not be written");
    return ch_store_audit_finish(ctx->store, ch_store_mail_commit(ctx->store, c, err), err);
}

static bool temporary(int rc)
{
    return rc == CH_E_STORE || rc == CH_E_UNAVAILABLE || rc == CH_E_NOMEM || rc == CH_E_IO;
}

/* s cut to at most max bytes on a character boundary, in the arena. */
static const char *cut(ch_arena *a, const char *s, size_t max)
{
    size_t n = ch_utf8_prefix(s, max);
    return !s || !s[n] ? s : ch_arena_strndup(a, s, n);
}

/* res->why_no_ack as prefix and detail, the detail cut on a character
 * boundary to fit. */
static void say_why(ch_ingest_result *res, const char *prefix, const char *detail,
                    const char *suffix)
{
    size_t room = sizeof(res->why_no_ack) - strlen(prefix) - strlen(suffix) - 1;
    size_t n = ch_utf8_prefix(detail, room);
    snprintf(res->why_no_ack, sizeof(res->why_no_ack), "%s%.*s%s", prefix, (int)n, detail, suffix);
}

/* One line: line breaks and tabs (a folded header) read as spaces. */
static const char *one_line(ch_arena *a, const char *s, size_t max)
{
    char *out = ch_arena_strdup(a, cut(a, s ? s : "", max));
    for (char *c = out; c && *c; c++)
        if (*c == '\r' || *c == '\n' || *c == '\t')
            *c = ' ';
    return out;
}

/* A file name fit to keep and send back in a header: no path, quotes,
 * controls or bidirectional overrides (each becomes '_'), 1-200 bytes. */
static const char *safe_filename(ch_arena *a, const char *name)
{
    if (!name || !*name || ch_utf8_invalid_at(name, strlen(name)) != strlen(name))
        return "attachment";
    char *out = ch_arena_strdup(a, cut(a, name, 200));
    if (!out)
        return "attachment";
    for (unsigned char *u = (unsigned char *)out; *u; u++) {
        if (*u < 0x20 || *u == 0x7f || *u == '/' || *u == '\\' || *u == '"')
            *u = '_';
        else if (u[0] == 0xE2 && ((u[1] == 0x80 && u[2] >= 0xAA && u[2] <= 0xAE) ||
                                  (u[1] == 0x81 && u[2] >= 0xA6 && u[2] <= 0xA9)))
            u[0] = '_', u[1] = '_', u[2] = '_';
    }
    if (strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
        return "attachment";
    return out;
}

static const char *safe_type(const char *t)
{
    if (!t || !*t || strlen(t) > 127 || !strchr(t, '/'))
        return "application/octet-stream";
    for (const char *c = t; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || strchr("/+-.", *c)))
            return "application/octet-stream";
    return t;
}

/* The first value of header name in the raw message's header block,
 * unfolded and trimmed, into buf; false when absent. Used only for the
 * headers the parse does not give (Delivered-To, X-Original-To). */
static bool raw_header(const char *raw, size_t len, const char *name, char *buf, size_t size)
{
    size_t nlen = strlen(name), i = 0;
    while (i < len) {
        size_t eol = i;
        while (eol < len && raw[eol] != '\n')
            eol++;
        size_t line = eol - i;
        if (line == 0 || (line == 1 && raw[i] == '\r'))
            return false; /* the end of the header block */
        if (line > nlen && raw[i + nlen] == ':' && strncasecmp(raw + i, name, nlen) == 0) {
            size_t v = i + nlen + 1, used = 0;
            while (v < eol && (raw[v] == ' ' || raw[v] == '\t'))
                v++;
            while (v < eol && raw[v] != '\r' && used + 1 < size)
                buf[used++] = raw[v++];
            while (used > 0 && buf[used - 1] == ' ')
                used--;
            buf[used] = '\0';
            return used > 0;
        }
        i = eol + 1;
    }
    return false;
}

/* The service the message is for: --service; else the envelope
 * recipient's; else the first of Delivered-To, X-Original-To, To and Cc
 * that a service's mail: addresses hold. */
static int choose_service(filing *f, ch_error *err)
{
    const ch_ingest_ctx *ctx = f->ctx;
    ch_mail_route r;
    int rc;
    if (ctx->service) {
        rc = ch_mail_route_named(ctx->policies, ctx->npolicies, ctx->service, &r, err);
    } else {
        const char *tried[64];
        size_t n = 0;
        char delivered[CH_MAIL_ADDRESS_MAX + 1], original[CH_MAIL_ADDRESS_MAX + 1];
        /* The envelope recipient, when the mail server gives it, is the
         * whole answer: the headers may name other people's addresses. */
        if (ctx->recipient && *ctx->recipient) {
            tried[n++] = ctx->recipient;
        } else {
            if (raw_header(f->raw, f->len, "Delivered-To", delivered, sizeof(delivered)))
                tried[n++] = delivered;
            if (raw_header(f->raw, f->len, "X-Original-To", original, sizeof(original)))
                tried[n++] = original;
            for (size_t i = 0; i < f->msg.nto && n < 64; i++)
                tried[n++] = f->msg.to[i].addr;
            for (size_t i = 0; i < f->msg.ncc && n < 64; i++)
                tried[n++] = f->msg.cc[i].addr;
        }
        rc = ch_error_set(err, CH_E_NOTFOUND,
                          "the message names no recipient, so no service can be chosen for it; "
                          "give --recipient or --service");
        for (size_t i = 0; i < n; i++) {
            rc = ch_mail_route_find(ctx->policies, ctx->npolicies, tried[i], &r, err);
            if (rc != CH_E_NOTFOUND)
                break;
        }
        if (rc == CH_E_NOTFOUND && n > 0)
            ch_error_set(err, CH_E_NOTFOUND,
                         /* The MTA hands this back to the sender: their part first. */
                         "no service takes mail for %s, so the message was not delivered; "
                         "check the address. (For the desk's administrator: add it to a "
                         "service's mail: addresses, or run mailgate with --service.)",
                         tried[0]);
    }
    if (rc == CH_E_CONFLICT)
        rc = err->code = CH_E_INVALID; /* the policies must say; the desk does not guess */
    if (rc)
        return rc;
    f->pol = ctx->policies[r.policy];
    f->svc = &f->pol->services[r.service];
    snprintf(f->service, sizeof(f->service), "%s/%s", f->pol->id, f->svc->id);
    return CH_OK;
}

/* The active restriction on a person that binds a case of service, as
 * limits; none when person_id 0. */
static int person_limits(filing *f, int64_t person_id, const char *service, ch_restriction *rs,
                         ch_contact_limits *lim, ch_error *err)
{
    memset(rs, 0, sizeof(*rs));
    memset(lim, 0, sizeof(*lim));
    if (!person_id)
        return CH_OK;
    ch_restriction *list;
    size_t n;
    ch_restriction_filter rf = {.person_id = person_id, .status = "active", .limit = 50};
    int rc = ch_store_restriction_list(f->ctx->store, &rf, f->arena, &list, &n, err);
    size_t k = 0;
    while (k < n && !ch_restriction_binds(list[k].service, service))
        k++;
    if (rc || k == n)
        return rc;
    *rs = list[k];
    lim->active = true;
    for (size_t i = 0; i < rs->nchannels; i++) {
        ch_channel c;
        if (ch_channel_parse(rs->channels[i], &c) == CH_OK)
            lim->channels |= 1u << c;
    }
    lim->point_of_contact = rs->point_of_contact_name;
    lim->replies = rs->replies;
    lim->per_days = rs->per_days;
    lim->refuse_service = rs->refuse_service;
    return CH_OK;
}

/* The person already on the desk with the sender's address, or 0. */
static int person_by_email(filing *f, int64_t *id, ch_error *err)
{
    *id = 0;
    if (!*f->sender)
        return CH_OK;
    const char *words[] = {f->sender};
    ch_person *found;
    size_t n;
    int rc = ch_store_people_find(f->ctx->store, words, 1, NULL, 0, 20, f->arena, &found, &n, err);
    for (size_t i = 0; rc == CH_OK && i < n && !*id; i++)
        if (ch_mail_address_same(found[i].email, f->sender))
            *id = found[i].id;
    return rc;
}

/* The "contact is restricted" note for the timeline, or NULL. */
static const char *restricted_note(filing *f, const ch_restriction *rs,
                                   const ch_contact_limits *lim, int64_t officer)
{
    if (!lim->active)
        return NULL;
    char summary[300], said[500];
    ch_restriction_describe(lim, summary, sizeof(summary));
    bool allowed = (lim->channels >> CH_CHANNEL_EMAIL) & 1u;
    snprintf(said, sizeof(said), "; contact is restricted (%s)%s%s", summary,
             allowed ? "" : ", and this came by email",
             rs->point_of_contact && rs->point_of_contact != officer
                 ? "; the case goes to the point of contact"
                 : "");
    return ch_arena_strdup(f->arena, said);
}

/* The message's attachments, on the case the commit files it to. */
static int attachments_of(filing *f, int64_t case_id, ch_attachment **out, size_t *n, ch_error *err)
{
    *out = NULL;
    *n = f->msg.nparts;
    if (!*n)
        return CH_OK;
    ch_attachment *a = ch_arena_alloc(f->arena, *n * sizeof(*a));
    if (!a)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (size_t i = 0; i < *n; i++) {
        const ch_part *p = &f->msg.parts[i];
        a[i] = (ch_attachment){.case_id = case_id,
                               .contact_id = CH_CONTACT_NEW,
                               .filename = safe_filename(f->arena, p->filename),
                               .content_type = safe_type(p->content_type),
                               .size = (int64_t)p->len,
                               .data = p->data,
                               .uploaded_at = f->ctx->now};
    }
    *out = a;
    return CH_OK;
}

/* A delivery failure about a message we sent: recorded on its case, and
 * its outbox row marked bounced (first, so a retry after a store failure
 * finds the row still to mark). One we did not send is kept as failed:
 * backscatter opens no case. */
static int file_bounce(filing *f, ch_mail_commit *c, ch_case_update *u, ch_event_row *ev,
                       ch_notification *note, ch_ingest_result *res, ch_error *err)
{
    const ch_bounce *b = &f->msg.bounce;
    ch_outbox_row sent;
    int rc = b->original_id ? ch_store_outbox_by_message_id(f->ctx->store, b->original_id, f->arena,
                                                            &sent, err)
                            : CH_E_NOTFOUND;
    if (rc == CH_E_NOTFOUND) {
        c->mail_in_state = "failed";
        c->mail_in_error = "a delivery failure report about no message the desk sent";
        return CH_OK;
    }
    if (rc)
        return rc;
    char why[700];
    snprintf(why, sizeof(why), "%s%s%s%s%s", b->status ? b->status : "undelivered",
             b->recipient ? " for " : "", b->recipient ? b->recipient : "",
             b->diagnostic ? ": " : "", b->diagnostic ? b->diagnostic : "");
    if ((rc = ch_store_outbox_result(f->ctx->store, sent.id, "bounced", f->ctx->now, why, 0, err)))
        return rc;
    if (!sent.case_id)
        return CH_OK; /* a staff notification: the outbox row says it */
    ch_case_row cs;
    if ((rc = ch_store_case_get(f->ctx->store, sent.case_id, f->arena, &cs, err)))
        return rc;
    char detail[900];
    snprintf(detail, sizeof(detail), "the %s email to %s could not be delivered (%s)",
             sent.purpose ? sent.purpose : "outbound", sent.rcpts ? sent.rcpts : "its recipient",
             why);
    *ev = (ch_event_row){0, f->ctx->now, 0, "bounced", ch_arena_strdup(f->arena, detail)};
    *u = (ch_case_update){.case_id = cs.id,
                          .expect = cs.version,
                          .event = ev,
                          .status = cs.status,
                          .next_due_at = cs.next_due_at,
                          .now = f->ctx->now};
    c->update = u;
    res->case_id = cs.id;
    if (cs.officer_id) { /* whoever sent it needs to find another way */
        snprintf(detail, sizeof(detail), "An email on case %lld could not be delivered to %s",
                 (long long)cs.id,
                 b->recipient ? b->recipient
                 : sent.rcpts ? sent.rcpts
                              : "");
        *note = (ch_notification){.user_id = cs.officer_id,
                                  .case_id = cs.id,
                                  .kind = "message",
                                  .text = ch_arena_strdup(f->arena, detail),
                                  .created_at = f->ctx->now};
        c->notify = note;
        c->nnotify = 1;
    }
    return CH_OK;
}

/* The case a reply belongs to: by In-Reply-To and References (anyone in
 * the thread may write), else by the subject's reference, but only from
 * the case's requester. *note says why the subject was not followed. */
static int find_case(filing *f, ch_case_row *cs, bool *found, const char **note, ch_error *err)
{
    const ch_message *m = &f->msg;
    *found = false;
    *note = NULL;
    const char **ids = ch_arena_alloc(f->arena, (m->nreferences + 2) * sizeof(*ids));
    size_t n = 0;
    if (!ids)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    if (m->in_reply_to)
        ids[n++] = m->in_reply_to;
    for (size_t i = m->nreferences; i-- > 0;) /* the newest first */
        ids[n++] = m->references[i];
    int64_t id = 0;
    int rc = n ? ch_store_mail_thread_case(f->ctx->store, ids, n, &id, err) : CH_OK;
    if (rc)
        return rc;
    bool by_thread = id != 0;
    if (!id)
        id = ch_mail_subject_case(m->subject);
    if (!id)
        return CH_OK;
    rc = ch_store_case_get(f->ctx->store, id, f->arena, cs, err);
    if (rc == CH_E_NOTFOUND)
        return CH_OK;
    if (rc)
        return rc;
    char said[300];
    if (!by_thread && !(*f->sender && ch_mail_address_same(cs->requester_email, f->sender))) {
        /* A stranger cannot write into someone else's case by its number. */
        snprintf(said, sizeof(said),
                 "; the subject names case %lld, but the sender is not its requester, so this "
                 "email opened a case of its own",
                 (long long)id);
        *note = ch_arena_strdup(f->arena, said);
        return CH_OK;
    }
    if (strcmp(cs->status, "closed") == 0) {
        snprintf(said, sizeof(said), "; it follows case %lld, which is closed", (long long)id);
        *note = ch_arena_strdup(f->arena, said);
        return CH_OK;
    }
    *found = true;
    return CH_OK;
}

static const char *joined(ch_arena *a, const char *first, const char *second)
{
    size_t n = strlen(first) + (second ? strlen(second) : 0) + 1;
    char *s = ch_arena_alloc(a, n);
    if (s)
        snprintf(s, n, "%s%s", first, second ? second : "");
    return s ? s : first;
}

/* What filing the message does, planned into c (one attempt; the caller
 * commits). open and the arrays live in the filing's arena. */
typedef struct plan {
    ch_mail_commit c;
    ch_case_row open;
    ch_case_update u;
    ch_contact_row contact;
    ch_event_row ev[2];
    ch_notification note;
    const char *thread[1];
    ch_contact_limits lim;
    int64_t person_id;
    ch_time *due;
    ch_ostate *state;
} plan;

static int plan_new_case(filing *f, plan *p, const char *why_new, ch_error *err)
{
    ch_restriction rs;
    int rc;
    if ((rc = person_by_email(f, &p->person_id, err)) ||
        (rc = person_limits(f, p->person_id, f->service, &rs, &p->lim, err)))
        return rc;
    ch_contact contact = {
        .channel = CH_CHANNEL_EMAIL, .kind = CH_KIND_ENQUIRY, .received = f->ctx->now};
    ch_obligation ob[CH_POLICY_MAX_PROMISES];
    size_t n;
    ch_time deemed;
    if ((rc = ch_policy_obligations(f->pol, f->svc, &contact, ob, CH_POLICY_MAX_PROMISES, &n,
                                    &deemed, err)))
        return rc;
    /* An auto-reply, a newsletter or list mail is kept where an officer can
     * see it, but nobody promised it an answer: it would only count as a
     * breach. */
    bool automatic = f->msg.automatic != CH_AUTO_NONE;
    if (automatic)
        n = 0;
    ch_obligation_row *rows = ch_arena_alloc(f->arena, (n + 1) * sizeof(*rows));
    p->due = ch_arena_alloc(f->arena, (n + 1) * sizeof(*p->due));
    p->state = ch_arena_alloc(f->arena, (n + 1) * sizeof(*p->state));
    if (!rows || !p->due || !p->state)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    const ch_calendar *cal = ch_policy_service_calendar(f->pol, f->svc);
    for (size_t i = 0; i < n; i++) {
        p->due[i] = ob[i].due;
        /* A restricted person's reply waits for its slot, as on the desk. */
        if (p->lim.active && ob[i].promise->obligation == CH_OBLIGATION_RESPOND &&
            (rc = ch_restriction_reply_due(cal, &p->lim, rs.last_reply_at, ob[i].due, &p->due[i],
                                           err)))
            return rc;
        p->state[i] = ch_ostate_at(false, p->due[i], f->ctx->now);
        rows[i] = ch_obligation_row_for(ob[i].promise, p->due[i], p->state[i]);
    }
    const char *subject = one_line(f->arena, f->msg.subject, SUBJECT_MAX);
    if (!subject || !*subject)
        subject = "(no subject)";
    char created[400];
    snprintf(created, sizeof(created), "from an email to %s%s%s", f->service,
             why_new ? why_new : "",
             automatic ? "; sent automatically (an auto-reply, bulk or list mail), so no promise "
                         "applies"
                       : "");
    p->ev[0] = (ch_event_row){0, f->ctx->now, 0, "created", ch_arena_strdup(f->arena, created)};
    ch_case_row *o = &p->open;
    *o = (ch_case_row){0};
    o->service = f->service;
    o->kind = "enquiry";
    o->channel = "email";
    o->subject = subject;
    o->status = "open";
    o->received_at = f->ctx->now;
    o->deemed_at = deemed;
    o->created_at = f->ctx->now;
    o->requester_name = f->msg.from.name && *f->msg.from.name
                            ? one_line(f->arena, f->msg.from.name, PERSON_NAME_MAX)
                            : NULL;
    o->requester_email = *f->sender ? f->sender : NULL;
    o->person_id = p->person_id; /* 0: the store finds or adds them by address */
    o->officer_id = p->lim.active ? rs.point_of_contact : 0;
    static const char *auto_flag[] = {"automatic"};
    if (automatic) {
        o->flags = auto_flag;
        o->nflags = 1;
    }
    if (o->officer_id) {
        /* Their point of contact has it from the start: tell them. */
        char text[500];
        snprintf(text, sizeof(text), "A new email case for you from %s: %s", f->who, subject);
        p->note = (ch_notification){.user_id = o->officer_id,
                                    .kind = "assigned",
                                    .text = ch_arena_strdup(f->arena, text),
                                    .created_at = f->ctx->now};
        p->c.notify = &p->note;
        p->c.nnotify = 1;
    }
    o->obligations = rows;
    o->nobligations = n;
    o->events = p->ev;
    o->nevents = 1;
    o->next_due_at = ch_next_due(p->due, p->state, n);
    p->c.open = o;
    const char *note = restricted_note(f, &rs, &p->lim, 0);
    p->ev[1] = (ch_event_row){0, f->ctx->now, 0, "contact",
                              joined(f->arena, "inbound email contact", note)};
    p->contact.with_person_id = p->person_id; /* 0 for someone new: the store adds them */
    p->u = (ch_case_update){.case_id = 0,
                            .contact = &p->contact,
                            .event = &p->ev[1],
                            .status = "open",
                            .next_due_at = o->next_due_at,
                            .now = f->ctx->now};
    return CH_OK;
}

static int plan_join(filing *f, plan *p, const ch_case_row *cs, ch_error *err)
{
    ch_restriction rs;
    int rc = person_limits(f, cs->person_id, cs->service, &rs, &p->lim, err);
    if (rc)
        return rc;
    bool requester = *f->sender && ch_mail_address_same(cs->requester_email, f->sender);
    p->contact.with_person_id = requester ? cs->person_id : 0;
    const char *note = restricted_note(f, &rs, &p->lim, cs->officer_id);
    p->ev[0] = (ch_event_row){0, f->ctx->now, 0, "contact",
                              joined(f->arena, "inbound email contact", note)};
    p->u = (ch_case_update){.case_id = cs->id,
                            .expect = cs->version,
                            .contact = &p->contact,
                            .event = &p->ev[0],
                            .status = cs->status,
                            .next_due_at = cs->next_due_at,
                            .now = f->ctx->now};
    /* A restricted person's case goes to their point of contact, as a
     * contact logged on the desk does. */
    int64_t officer = cs->officer_id;
    if (p->lim.active && rs.point_of_contact && rs.point_of_contact != officer) {
        p->u.set_officer = true;
        p->u.officer_id = officer = rs.point_of_contact;
    }
    if (officer) {
        char text[500];
        snprintf(text, sizeof(text), "New email on case %lld from %s: %s", (long long)cs->id,
                 f->who, one_line(f->arena, f->msg.subject, SUBJECT_MAX));
        p->note = (ch_notification){.user_id = officer,
                                    .case_id = cs->id,
                                    .kind = "message",
                                    .text = ch_arena_strdup(f->arena, text),
                                    .created_at = f->ctx->now};
        p->c.notify = &p->note;
        p->c.nnotify = 1;
    }
    return CH_OK;
}

/* One attempt at planning the filing. */
static int plan_filing(filing *f, plan *p, ch_ingest_result *res, ch_error *err)
{
    memset(p, 0, sizeof(*p));
    p->c.mail_in_id = f->mail_in_id;
    p->c.mail_in_state = "filed";
    if (f->msg.bounce.is_bounce) {
        res->bounce = true;
        return file_bounce(f, &p->c, &p->u, &p->ev[0], &p->note, res, err);
    }
    ch_case_row cs;
    bool found;
    const char *why_new;
    int rc = find_case(f, &cs, &found, &why_new, err);
    if (rc)
        return rc;
    const char *text = f->msg.text ? f->msg.text : "";
    size_t tlen = strlen(text);
    if (tlen > SUMMARY_MAX)
        text = joined(f->arena, cut(f->arena, text, SUMMARY_MAX),
                      "\n[The rest of the message is kept with the email as received.]");
    p->contact = (ch_contact_row){.direction = "inbound",
                                  .channel = "email",
                                  .who = f->who,
                                  .summary = *text ? text : "(the email has no text)",
                                  .at = f->ctx->now};
    if ((rc = found ? plan_join(f, p, &cs, err) : plan_new_case(f, p, why_new, err)))
        return rc;
    p->c.update = &p->u;
    res->case_id = found ? cs.id : 0;
    res->opened = !found;
    if ((rc = attachments_of(f, found ? cs.id : 0, &p->c.attachments, &p->c.nattachments, err)))
        return rc;
    if (f->msg.message_id) {
        p->thread[0] = f->msg.message_id;
        p->c.thread_ids = p->thread;
        p->c.nthread_ids = 1;
    }
    return CH_OK;
}

/* The officer's name and out-of-office for the acknowledgement. */
static void officer_words(filing *f, int64_t officer, ch_ack_text *a, ch_away *away)
{
    ch_user u;
    ch_error err;
    if (!officer || ch_store_user_by_id(f->ctx->store, officer, f->arena, &u, &err))
        return;
    a->officer_name = u.name;
    /* Availability is read as the desk reads it, into the filing's arena. */
    ch_avail_set set;
    if (ch_avail_load(f->ctx->store, f->arena, &set, &err) == CH_OK) {
        const ch_staff_avail *s = ch_avail_find(&set, officer);
        ch_date today;
        int32_t secs;
        ch_tz_to_local(ch_calendar_tz(ch_policy_service_calendar(f->pol, f->svc)), f->ctx->now,
                       &today, &secs);
        if (s) {
            ch_away_on(s->absences, s->nabsences, &s->pattern, today, away);
            const ch_user *cover = away->away && away->absence->cover_id
                                       ? ch_avail_user(&set, away->absence->cover_id)
                                       : NULL;
            a->away = away;
            a->cover_name = cover ? ch_arena_strdup(f->arena, cover->name) : NULL;
            a->cover_email = cover ? ch_arena_strdup(f->arena, cover->email) : NULL;
        }
    }
}

/* The acknowledgement of a case just opened, queued with an outbound
 * contact that meets its acknowledge promises, in a second transaction.
 * A failure here leaves the case filed and says why none went. */
static void acknowledge(filing *f, plan *p, ch_ingest_result *res)
{
    const ch_message *m = &f->msg;
    ch_error err = {0};
    const char *to =
        m->reply_to.addr && ch_mailrule_address_ok(m->reply_to.addr) ? m->reply_to.addr : f->sender;
    int64_t recent = 0;
    ch_outbox_filter of = {.purpose = "acknowledgement", .rcpt = to, .since = f->ctx->now - 3600};
    if (*to && ch_store_outbox_count(f->ctx->store, &of, &recent, &err)) {
        say_why(res, "No acknowledgement: the outbox could not be read (", err.msg, ").");
        return;
    }
    ch_ack_facts facts = {
        .policy_asks = f->svc->mail_acknowledge,
        .automatic = m->automatic != CH_AUTO_NONE,
        .from_ours = ch_mail_address_ours(f->ctx->policies, f->ctx->npolicies, f->sender) ||
                     ch_mail_address_ours(f->ctx->policies, f->ctx->npolicies, to),
        .no_sender = !*to || !ch_mailrule_address_ok(to),
        .sent_in_hour = recent,
        .limits = &p->lim};
    if (!ch_mail_ack_allowed(&facts, res->why_no_ack, sizeof(res->why_no_ack)))
        return;
    const ch_case_row *o = &p->open;
    ch_ack_promise *pr = ch_arena_alloc(f->arena, (o->nobligations + 1) * sizeof(*pr));
    if (!pr)
        return;
    for (size_t i = 0; i < o->nobligations; i++) {
        const ch_promise *promise = ch_policy_promise(f->pol, o->obligations[i].promise);
        ch_obligation_kind_parse(o->obligations[i].kind, &pr[i].kind);
        pr[i].text = o->obligations[i].text;
        pr[i].internal = promise && promise->internal;
        pr[i].due = o->obligations[i].due_at;
    }
    ch_away away = {0};
    ch_ack_text a = {.case_id = o->id,
                     .requester_name = o->requester_name,
                     .subject = o->subject,
                     .organisation = f->pol->organisation,
                     .service_name = f->svc->mail_name ? f->svc->mail_name : f->svc->name,
                     .tz = ch_calendar_tz(ch_policy_service_calendar(f->pol, f->svc)),
                     .promises = pr,
                     .npromises = o->nobligations,
                     .reply_address = f->svc->mail_from};
    officer_words(f, o->officer_id, &a, &away);
    char subject[SUBJECT_MAX + 40], id[256];
    const char *body;
    char *raw = NULL;
    size_t len = 0;
    if (ch_mail_ack_compose(&a, f->arena, subject, sizeof(subject), &body, &err))
        goto failed;
    ch_address to_addr = {o->requester_name, to};
    const char *refs[1] = {m->message_id};
    ch_outgoing out = {.from = {a.service_name, f->svc->mail_from},
                       .to = &to_addr,
                       .nto = 1,
                       .subject = subject,
                       .text = body,
                       .in_reply_to = m->message_id,
                       .references = refs,
                       .nreferences = m->message_id ? 1 : 0,
                       .id_domain = f->ctx->id_domain ? f->ctx->id_domain
                                                      : strchr(f->svc->mail_from, '@') + 1,
                       .auto_submitted = CH_AUTO_REPLIED,
                       .date = f->ctx->now};
    if (ch_message_build(&out, &raw, &len, id, &err))
        goto failed;
    /* The acknowledgement is an outbound email on the case, and keeps its
     * acknowledge promises (the ones this message is). */
    ch_obligation_row *met = ch_arena_alloc(f->arena, (o->nobligations + 1) * sizeof(*met));
    size_t nmet = 0;
    if (!met) {
        ch_error_set(&err, CH_E_NOMEM, "out of memory");
        goto failed;
    }
    for (size_t i = 0; i < o->nobligations; i++) {
        if (pr[i].kind != CH_OBLIGATION_ACKNOWLEDGE ||
            !ch_contact_meets(true, false, 1u << CH_OBLIGATION_ACKNOWLEDGE, pr[i].kind,
                              p->state[i]))
            continue;
        met[nmet] = o->obligations[i];
        met[nmet].state = "met";
        met[nmet].met_at = f->ctx->now;
        met[nmet].met_by_contact = CH_CONTACT_NEW;
        p->state[i] = CH_OSTATE_MET;
        nmet++;
    }
    char head[SUBJECT_MAX + CH_MAIL_ADDRESS_MAX + 80];
    snprintf(head, sizeof(head), "Automatic acknowledgement to %s: %s\n\n", to, subject);
    ch_contact_row sent = {.direction = "outbound",
                           .channel = "email",
                           .who = o->requester_name ? o->requester_name : to,
                           .summary = joined(f->arena, head, body),
                           .at = f->ctx->now,
                           .with_person_id = o->person_id};
    ch_event_row ev = {0, f->ctx->now, 0, "acknowledged", "acknowledged automatically by email"};
    ch_case_update u = {.case_id = o->id,
                        .expect = p->c.new_version,
                        .contact = &sent,
                        .changed = met,
                        .nchanged = nmet,
                        .event = &ev,
                        .status = o->status,
                        .next_due_at = ch_next_due(p->due, p->state, o->nobligations),
                        .now = f->ctx->now};
    const char *thread[1] = {id};
    ch_outbox_row box = {.service = f->service,
                         .case_id = o->id,
                         .contact_id = CH_CONTACT_NEW,
                         .purpose = "acknowledgement",
                         .mail_from = f->svc->mail_from,
                         .rcpts = to,
                         .message_id = id,
                         .raw = (const unsigned char *)raw,
                         .len = len,
                         .require_tls = f->svc->mail_secure,
                         .state = "queued",
                         .created_at = f->ctx->now,
                         .next_attempt_at = f->ctx->now};
    ch_mail_commit c = {
        .update = &u, .thread_ids = thread, .nthread_ids = 1, .outbox = &box, .noutbox = 1};
    if (mail_commit_audited(f->ctx, &c, &err))
        goto failed;
    free(raw);
    res->acknowledged = true;
    return;
failed:
    free(raw);
    say_why(res, "No acknowledgement: it could not be written or queued (", err.msg, ").");
}

/* The order is what makes it safe: the message is read in memory (nothing
 * written) and its service chosen, so what can never be taken is refused
 * before anything is kept; then it is kept whole before anything else is
 * written; then filed; then acknowledged. */
int ch_mail_ingest(const ch_ingest_ctx *ctx, const char *raw, size_t len, ch_ingest_result *res,
                   ch_error *err)
{
    ch_arena arena = {0};
    filing f = {.ctx = ctx, .arena = &arena, .raw = raw, .len = len};
    plan p;
    int rc;
    memset(res, 0, sizeof(*res));
    if (!raw || len == 0)
        return ch_error_set(err, CH_E_INVALID, "the message is empty: there is nothing to take");
    if (len > CH_MAIL_MAX_BYTES)
        return ch_error_set(err, CH_E_INVALID,
                            "the message is %zu bytes, more than the %u the desk takes (25 MiB); "
                            "ask the sender to share large files another way",
                            len, CH_MAIL_MAX_BYTES);
    /* Read in memory first (nothing is written): what is not a message at
     * all, or reaches no service, is refused before anything is kept. */
    if ((rc = ch_message_parse(raw, len, &arena, &f.msg, err)) || (rc = choose_service(&f, err)))
        goto out;
    f.sender = f.msg.from.addr ? f.msg.from.addr : "";
    /* The address goes with the name: a display name is whatever the
     * sender typed, so an officer must see who really wrote. */
    if (f.msg.from.name && *f.msg.from.name && *f.sender) {
        const char *name = one_line(&arena, f.msg.from.name, PERSON_NAME_MAX);
        size_t n = strlen(name) + strlen(f.sender) + 4;
        char *who = ch_arena_alloc(&arena, n);
        if (who)
            snprintf(who, n, "%s <%s>", name, f.sender);
        f.who = who ? who : f.sender;
    } else
        f.who = *f.sender ? f.sender : "an unknown sender";
    ch_mail_in in = {.service = f.service,
                     .message_id = f.msg.message_id,
                     .raw = (const unsigned char *)raw,
                     .len = len,
                     .received_at = ctx->now,
                     .state = "received"};
    bool duplicate = false;
    if ((rc = ch_store_mail_in_insert(ctx->store, &in, &duplicate, err))) {
        rc = err->code = CH_E_STORE;
        goto out;
    }
    f.mail_in_id = res->mail_in_id = in.id;
    if (duplicate) {
        ch_mail_in first;
        if ((rc = ch_store_mail_in_get(ctx->store, in.id, &arena, &first, err))) {
            rc = err->code = CH_E_STORE;
            goto out;
        }
        /* One a crash left "received" is filed now; the rest were taken. */
        if (!first.state || strcmp(first.state, "received") != 0) {
            res->duplicate = true;
            res->case_id = first.case_id;
            res->contact_id = first.contact_id;
            goto out;
        }
    }
    for (int attempt = 0;; attempt++) {
        ch_error why = {0};
        rc = plan_filing(&f, &p, res, &why);
        if (rc == CH_OK && (rc = mail_commit_audited(ctx, &p.c, &why)) == CH_OK)
            break;
        if (rc == CH_E_CONFLICT) {
            /* Another delivery of the same message filed it first (the mail
             * server runs one per recipient), or the case changed meanwhile:
             * the first is a duplicate, the second is planned again. */
            ch_mail_in now;
            if (ch_store_mail_in_get(ctx->store, f.mail_in_id, &arena, &now, &why) == CH_OK &&
                now.state && strcmp(now.state, "received") != 0) {
                memset(res, 0, sizeof(*res));
                res->duplicate = true;
                res->mail_in_id = f.mail_in_id;
                res->case_id = now.case_id;
                res->contact_id = now.contact_id;
                rc = CH_OK;
                goto out;
            }
            if (attempt + 1 < COMMIT_TRIES)
                continue;
        }
        if (temporary(rc) || rc == CH_E_CONFLICT) {
            *err = why;
            rc = err->code = CH_E_STORE;
            goto out;
        }
        /* It can never be filed: kept, as failed, with the reason. */
        ch_mail_commit failed = {
            .mail_in_id = f.mail_in_id, .mail_in_state = "failed", .mail_in_error = why.msg};
        memset(res, 0, sizeof(*res));
        res->mail_in_id = f.mail_in_id;
        res->bounce = f.msg.bounce.is_bounce;
        if ((rc = ch_store_mail_commit(ctx->store, &failed, err)))
            rc = err->code = CH_E_STORE;
        say_why(res, "Kept but not filed: ", why.msg, "");
        goto out;
    }
    if (p.c.update) {
        if (p.c.open)
            res->case_id = p.open.id;
        res->contact_id = p.contact.id;
    }
    if (res->opened && f.svc->mail_acknowledge)
        acknowledge(&f, &p, res);
out:
    ch_arena_free(&arena);
    return rc;
}
