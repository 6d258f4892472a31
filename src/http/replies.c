/* Email out from the case page: a reply checked against the charter
 * (consent, restrictions, secure sending) exactly as a logged outbound
 * email is, built with GMime and committed in one transaction with its
 * contact, its outbox row and its thread id; the outbox worker sends it.
 * Also what the outbox holds, for a case and for managers. */
#include "core/text.h"
#include "core/mailrule.h"
#include "http/case_changes.h"
#include "http/consent.h"
#include "http/json_case.h"
#include "http/request.h"
#include "mail/mail.h"
#include "mail/message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { CC_MAX = 10, ATTACH_MAX = 10 };
#define REPLY_BYTES_MAX ((size_t)15 * 1024 * 1024)

/* A refusal the charter requires: 409 with its type and a sentence. */
static enum MHD_Result refuse(ch_req *r, const char *type, const char *title, const char *detail)
{
    char kind[80];
    snprintf(kind, sizeof(kind), "/problems/%s", type);
    return ch_http_problem_typed(r, 409, kind, title, detail, NULL);
}

/* The person on the desk whose address is exactly addr, among those the
 * user may see; *found false when there is none. */
static int person_by_address(ch_req *r, const char *addr, ch_person *out, bool *found,
                             ch_error *err)
{
    ch_person *rows = NULL;
    size_t n = 0, nservices = 0;
    const char **services = ch_req_services(r, &nservices);
    const char *words[] = {addr};
    int rc = ch_store_people_find(r->desk->store, words, 1, (const char *const *)services,
                                  nservices, 50, &r->arena, &rows, &n, err);
    *found = false;
    for (size_t i = 0; rc == CH_OK && i < n && !*found; i++)
        if (rows[i].email && strcasecmp(rows[i].email, addr) == 0) {
            *out = rows[i];
            *found = true;
        }
    return rc;
}

/* Third parties copied in: each a person on the desk the requester's
 * consent lets us tell about this case. False after queuing the refusal. */
static bool cc_allowed(ch_req *r, const ch_case_row *c, const char **cc, size_t ncc,
                       enum MHD_Result *res)
{
    ch_error err = {0};
    for (size_t i = 0; i < ncc; i++) {
        ch_person who;
        bool found;
        if (person_by_address(r, cc[i], &who, &found, &err)) {
            *res = ch_http_error(r, &err);
            return false;
        }
        if (!found) {
            char detail[600];
            snprintf(detail, sizeof(detail),
                     "%.254s is not a person on the desk, so the charter cannot tell whether "
                     "case %lld may be shared with them; record them (with their relationship "
                     "and any written consent) before copying them in.",
                     cc[i], (long long)c->id);
            *res = refuse(r, "consent-required", "Consent needed to copy them in", detail);
            return false;
        }
        if (who.id == c->person_id)
            continue;
        ch_consent_answer answer;
        if (ch_http_consent_ask(r, c, who.id, r->now, &answer, &err)) {
            *res = ch_http_error(r, &err);
            return false;
        }
        if (!answer.allowed) {
            *res = ch_http_consent_refuse(r, c->id, who.id, &answer, "cc");
            return false;
        }
    }
    return true;
}

/* Whether the desk's relay can carry mail a charter sends only securely:
 * smtps://, or a smtp:// relay the operator says offers STARTTLS. */
static bool relay_secure(const ch_desk *d)
{
    return d->smtp_url && (strncmp(d->smtp_url, "smtps://", 8) == 0 || d->smtp_starttls);
}

/* The attachments named in ids, each already on the case or its person,
 * with their data, as message parts and as copies linked to the new
 * contact. False after queuing the problem. */
static bool read_attachments(ch_req *r, const ch_case_row *c, json_t *ids, ch_part **parts,
                             ch_attachment **copies, size_t *n, enum MHD_Result *res)
{
    ch_error err = {0};
    size_t count = json_array_size(ids), total = 0;
    *n = 0;
    *parts = ch_arena_alloc(&r->arena, (count + 1) * sizeof(**parts));
    *copies = ch_arena_alloc(&r->arena, (count + 1) * sizeof(**copies));
    if (!*parts || !*copies) {
        *res = ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        json_t *j = json_array_get(ids, i);
        int64_t id = json_is_integer(j) ? (int64_t)json_integer_value(j) : 0;
        ch_attachment a;
        int rc = id > 0 ? ch_store_attachment_get(r->desk->store, id, &r->arena, &a, &err)
                        : CH_E_NOTFOUND;
        bool ours = rc == CH_OK && ((a.case_id && a.case_id == c->id) ||
                                    (a.person_id && a.person_id == c->person_id));
        if (rc && rc != CH_E_NOTFOUND) {
            *res = ch_http_error(r, &err);
            return false;
        }
        if (!ours) {
            char detail[300];
            snprintf(detail, sizeof(detail),
                     "attachments holds ids of files already attached to case %lld or to its "
                     "person; upload the file to the case first, then name its id.",
                     (long long)c->id);
            *res = ch_http_problem(r, 400, "Some fields need attention", detail,
                                   json_pack("[s]", "attachments"));
            return false;
        }
        total += (size_t)a.size;
        if (total > REPLY_BYTES_MAX) {
            *res = ch_http_problem(r, 400, "Too much to attach",
                                   "The files come to more than 15 MB, more than most mail "
                                   "servers take; send fewer at a time.",
                                   json_pack("[s]", "attachments"));
            return false;
        }
        (*parts)[*n] = (ch_part){a.filename, a.content_type, a.data, (size_t)a.size, false};
        ch_attachment copy = a;
        /* A file on the case not yet sent goes with this email (linked); one
         * of the person's, or one already sent or received, is copied. */
        bool link = a.case_id == c->id && a.contact_id == 0;
        copy.id = link ? a.id : 0;
        copy.person_id = 0;
        copy.case_id = c->id;
        copy.contact_id = CH_CONTACT_NEW;
        copy.uploaded_by = r->user.id;
        copy.uploaded_at = r->now;
        (*copies)[(*n)++] = copy;
    }
    return true;
}

static bool staff_mail(const char *purpose)
{
    return purpose && (strcmp(purpose, "notification") == 0 || strcmp(purpose, "digest") == 0);
}

/* The message ids a reply threads under: our earlier messages on the case
 * (References), oldest first. Staff notifications about the case are in its
 * outbox too, but the requester never saw them, so a reply must not answer one. */
typedef struct thread_ref {
    ch_time at;
    const char *id;
} thread_ref;

static int ref_order(const void *a, const void *b)
{
    const thread_ref *x = a, *y = b;
    return (x->at > y->at) - (x->at < y->at);
}

/* The case's thread, oldest first (what they wrote and what we sent, not
 * staff mail): References, and in *reply_to the message answered, the
 * latest they wrote (else the latest we sent). */
static int case_references(ch_req *r, int64_t case_id, const char ***refs, size_t *n,
                           const char **reply_to, ch_error *err)
{
    ch_outbox_row *rows = NULL;
    ch_mail_in *ins = NULL;
    size_t m = 0, k = 0;
    ch_outbox_filter f = {.case_id = case_id, .limit = 20};
    int rc = ch_store_outbox_list(r->desk->store, &f, &r->arena, &rows, &m, err);
    if (!rc)
        rc = ch_store_mail_in_of_case(r->desk->store, case_id, 20, &r->arena, &ins, &k, err);
    *n = 0;
    *reply_to = NULL;
    if (rc)
        return rc;
    thread_ref *all = ch_arena_alloc(&r->arena, (m + k + 1) * sizeof(*all));
    *refs = ch_arena_alloc(&r->arena, (m + k + 1) * sizeof(**refs));
    if (!all || !*refs)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    size_t count = 0;
    for (size_t i = 0; i < m; i++)
        if (rows[i].message_id && !staff_mail(rows[i].purpose))
            all[count++] = (thread_ref){rows[i].created_at, rows[i].message_id};
    for (size_t i = 0; i < k; i++) /* newest first */
        if (ins[i].message_id) {
            all[count++] = (thread_ref){ins[i].received_at, ins[i].message_id};
            if (!*reply_to)
                *reply_to = ins[i].message_id;
        }
    qsort(all, count, sizeof(*all), ref_order);
    for (size_t i = 0; i < count; i++)
        (*refs)[(*n)++] = all[i].id;
    if (!*reply_to && *n)
        *reply_to = (*refs)[*n - 1];
    return CH_OK;
}

enum MHD_Result ch_http_replies_create(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {{"text", NULL},        {"subject", NULL},
                                      {"cc", NULL},          {"meets", NULL},
                                      {"attachments", NULL}, {"copy_third_parties", NULL},
                                      {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_case_row c;
    char *raw = NULL;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    int64_t expect;
    if (!ch_req_case_version(r, false, &expect, &res))
        goto out;
    if (!ch_req_case(r, id, &c, &res))
        goto out;
    /* Well inside the 64 KiB request limit, so a reply that is too long is
     * told its length rather than answered 413. */
    const char *text = ch_req_text(&p, body, "text", 30000, true);
    /* A reply of only spaces would go out as an empty email and still be
     * recorded as an answer, so it is refused like a missing one. */
    if (text && !ch_text_said(text))
        ch_req_bad(&p, "text", "text holds only spaces; write the reply.");
    const char *subject = ch_req_text(&p, body, "subject", 300, false);
    if (subject && !ch_req_one_line(subject))
        ch_req_bad(&p, "subject", "subject is one line of text.");
    bool copy = false;
    ch_req_bool(&p, body, "copy_third_parties", &copy);
    json_t *jcc = json_object_get(body, "cc");
    const char **cc = ch_arena_alloc(&r->arena, (CC_MAX + 1) * sizeof(*cc));
    size_t ncc = 0;
    if (jcc && (!json_is_array(jcc) || json_array_size(jcc) > CC_MAX))
        ch_req_bad(&p, "cc", "cc is a list of at most 10 e-mail addresses.");
    for (size_t i = 0; cc && json_is_array(jcc) && i < json_array_size(jcc) && i < CC_MAX; i++) {
        const char *a = json_string_value(json_array_get(jcc, i));
        if (!a || !ch_mail_address_ok(a)) {
            ch_req_bad(&p, "cc",
                       "each entry of cc is one e-mail address, such as "
                       "advocate@parent.example.");
            break;
        }
        cc[ncc++] = a;
    }
    if (ncc && !copy)
        ch_req_bad(&p, "cc",
                   "third parties are copied only when the requester asked: set "
                   "copy_third_parties to true as well, or leave cc out.");
    if (copy && !ncc)
        ch_req_bad(&p, "copy_third_parties",
                   "copy_third_parties goes with cc, the addresses to copy in.");
    json_t *jatt = json_object_get(body, "attachments");
    if (jatt && (!json_is_array(jatt) || json_array_size(jatt) > ATTACH_MAX))
        ch_req_bad(&p, "attachments", "attachments is a list of at most 10 attachment ids.");
    unsigned meets = 0;
    ch_http_meets_read(&p, json_object_get(body, "meets"), &c, true, &meets);
    if (!cc) {
        res = ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
        goto out;
    }
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    if (!ch_req_case_current(r, id, c.version, expect, &res))
        goto out;
    ch_desk_service ds;
    if (ch_desk_service_find(r->desk, c.service, &ds, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    if (!r->desk->smtp_url) {
        res = refuse(r, "no-mail-server", "No mail server",
                     "This desk has no mail server set (charter serve --smtp), so it cannot "
                     "send a reply; reply by letter or phone and log the contact instead.");
        goto out;
    }
    if (ds.service->mail_secure && !relay_secure(r->desk)) {
        char detail[500];
        snprintf(detail, sizeof(detail),
                 "The %s charter sends mail holding personal data only over an encrypted "
                 "connection, and this desk's relay is not known to offer one; ask your "
                 "administrator to set an smtps:// relay (or --smtp-starttls), or reply by "
                 "letter.",
                 ds.service->name);
        res = refuse(r, "secure-sending-required", "Mail can only go securely", detail);
        goto out;
    }
    /* The requester: the case's person, by their address on record. */
    ch_person person = {0};
    if (c.person_id && ch_store_person_get(r->desk->store, c.person_id, &r->arena, &person, &err) &&
        err.code != CH_E_NOTFOUND) {
        res = ch_http_error(r, &err);
        goto out;
    }
    const char *to_addr = person.email ? person.email : c.requester_email;
    const char *to_name = person.name ? person.name : c.requester_name;
    if (!to_addr || !ch_mail_address_ok(to_addr)) {
        char detail[400];
        snprintf(detail, sizeof(detail),
                 "Case %lld's requester has no e-mail address on record; add one to their "
                 "record, or write them a letter and log it as a contact.",
                 (long long)id);
        res = refuse(r, "no-email-address", "No address to reply to", detail);
        goto out;
    }
    if (ncc && !cc_allowed(r, &c, cc, ncc, &res))
        goto out;
    ch_part *parts = NULL;
    ch_attachment *copies = NULL;
    size_t nparts = 0;
    if (jatt && !read_attachments(r, &c, jatt, &parts, &copies, &nparts, &res))
        goto out;
    /* The charter's checks, and the promises the reply keeps, exactly as
     * for a logged outbound email. */
    ch_contact_ask ask = {.direction = "outbound",
                          .channel = "email",
                          .ch = CH_CHANNEL_EMAIL,
                          .at = r->now,
                          .who = to_name,
                          .summary = text,
                          .meets = meets};
    ch_contact_plan *plan = ch_arena_alloc(&r->arena, sizeof(*plan));
    if (!plan) {
        res = ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
        goto out;
    }
    if (!ch_http_contact_plan(r, &c, &ds, &ask, plan, &res))
        goto out;
    const char **refs = NULL;
    size_t nrefs = 0;
    const char *reply_to = NULL;
    if (case_references(r, id, &refs, &nrefs, &reply_to, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    char subj[400];
    /* An email's own subject often starts "RE:" already (Outlook), and
     * "Re: RE: ..." reads as a muddle; an officer's own subject is theirs. */
    ch_mail_reply_subject(subject ? subject : c.subject, !subject, id, subj, sizeof(subj));
    const ch_service *svc = ds.service;
    const char *from = svc->mail_from ? svc->mail_from : r->desk->mail_from;
    const char *dom = strchr(from, '@');
    ch_address to = {to_name, to_addr};
    ch_address *ccs = ch_arena_alloc(&r->arena, (ncc + 1) * sizeof(*ccs));
    const char **rcpts = ch_arena_alloc(&r->arena, (ncc + 2) * sizeof(*rcpts));
    if (!ccs || !rcpts) {
        res = ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
        goto out;
    }
    rcpts[0] = to_addr;
    for (size_t i = 0; i < ncc; i++) {
        ccs[i] = (ch_address){NULL, cc[i]};
        rcpts[i + 1] = cc[i];
    }
    ch_outgoing m = {.from = {svc->mail_from ? svc->mail_name : NULL, from},
                     .to = &to,
                     .nto = 1,
                     .cc = ccs,
                     .ncc = ncc,
                     .subject = subj,
                     .text = text,
                     .in_reply_to = reply_to,
                     .references = refs,
                     .nreferences = nrefs,
                     .parts = parts,
                     .nparts = nparts,
                     .id_domain = dom ? dom + 1 : "localhost",
                     .date = r->now};
    char message_id[256];
    size_t len = 0;
    if (ch_message_build(&m, &raw, &len, message_id, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_outbox_row row = {.service = ds.name,
                         .case_id = id,
                         .contact_id = CH_CONTACT_NEW,
                         .purpose = "reply",
                         .mail_from = from,
                         .rcpts = ch_store_list_join(&r->arena, rcpts, ncc + 1),
                         .message_id = message_id,
                         .raw = (const unsigned char *)raw,
                         .len = len,
                         .require_tls = svc->mail_secure};
    const char *thread[] = {message_id};
    ch_mail_commit commit = {.update = &plan->update,
                             .attachments = copies,
                             .nattachments = nparts,
                             .thread_ids = thread,
                             .nthread_ids = 1,
                             .outbox = &row,
                             .noutbox = 1};
    if (!row.rcpts) {
        res = ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
        goto out;
    }
    ch_desk_audit_attach(r, "update", "case", &id);
    if (ch_desk_audit_finish(r, ch_store_mail_commit(r->desk->store, &commit, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_case_row fresh;
    if (ch_store_case_get(r->desk->store, id, &r->arena, &fresh, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = ch_http_case(r, 202, &fresh, ch_req_etag(r, commit.new_version));
out:
    free(raw);
    json_decref(body);
    return res;
}

static void jw_row(ch_jw *w, const ch_outbox_row *o)
{
    ch_jw_obj(w);
    ch_jw_key(w, "id");
    ch_jw_int(w, o->id);
    ch_jw_key(w, "purpose");
    ch_jw_str(w, o->purpose);
    ch_jw_key(w, "service");
    ch_jw_str(w, o->service);
    ch_jw_key(w, "case_id");
    ch_jw_id(w, o->case_id);
    ch_jw_key(w, "contact_id");
    ch_jw_id(w, o->contact_id);
    ch_jw_key(w, "to");
    ch_jw_str(w, o->rcpts);
    ch_jw_key(w, "message_id");
    ch_jw_str(w, o->message_id);
    ch_jw_key(w, "secure");
    ch_jw_bool(w, o->require_tls);
    ch_jw_key(w, "state");
    ch_jw_str(w, o->state);
    ch_jw_key(w, "attempts");
    ch_jw_int(w, o->attempts);
    ch_jw_key(w, "created_at");
    ch_jw_time(w, o->created_at);
    ch_jw_key(w, "next_attempt_at");
    ch_jw_time(w, strcmp(o->state, "queued") == 0 ? o->next_attempt_at : 0);
    ch_jw_key(w, "sent_at");
    ch_jw_time(w, o->sent_at);
    ch_jw_key(w, "error");
    ch_jw_str(w, o->last_error);
    ch_jw_obj_end(w);
}

static enum MHD_Result answer_rows(ch_req *r, const ch_outbox_filter *f)
{
    ch_error err = {0};
    ch_outbox_row *rows = NULL;
    size_t n = 0;
    if (ch_store_outbox_list(r->desk->store, f, &r->arena, &rows, &n, &err))
        return ch_http_error(r, &err);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "messages");
    ch_jw_arr(&w);
    for (size_t i = 0; i < n; i++)
        jw_row(&w, &rows[i]);
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

/* GET /api/v1/cases/{id}/outbox: the case's mail and what became of it. */
enum MHD_Result ch_http_case_outbox(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    ch_case_row c;
    if (!ch_req_case(r, id, &c, &res))
        return res;
    ch_outbox_filter f = {.case_id = id, .limit = 200};
    return answer_rows(r, &f);
}

/* GET /api/v1/outbox?state=failed: managers see what could not be sent
 * (or is waiting) across their services. */
enum MHD_Result ch_http_outbox_list(ch_req *r)
{
    static const char *const states[] = {"queued", "sent", "failed", "bounced"};
    if (r->user.role == CH_ROLE_OFFICER)
        return ch_http_problem(r, 403, "For managers",
                               "Only a manager sees the whole outbox; a case's own mail is on "
                               "its page (GET /api/v1/cases/{id}/outbox).",
                               NULL);
    const char *state = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "state");
    bool known = !state;
    for (size_t i = 0; state && i < sizeof(states) / sizeof(*states); i++)
        known = known || strcmp(state, states[i]) == 0;
    if (!known)
        return ch_http_problem(r, 400, "Bad query",
                               "state is queued, sent, failed or bounced (or left out for all).",
                               json_pack("[s]", "state"));
    ch_outbox_filter f = {.state = state, .limit = 500};
    f.services = ch_req_services(r, &f.nservices);
    return answer_rows(r, &f);
}
