/* Customer surveys on the desk: a sweep invites the requester of each
 * closed case the policy surveys, by email through the outbox, with a
 * one-time link; the public form behind it (no sign-in, no JavaScript)
 * takes a rating and a comment once; and the report and the public page
 * count response rates and scores by service and quarter. */
#include "core/survey.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "export/statement.h"
#include "export/survey_report.h"
#include "http/form.h"
#include "http/json_case.h"
#include "http/request.h"
#include "http/surveys.h"
#include "mail/mail.h"
#include "mail/message.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cases closed longer ago than delay plus this are not surveyed late (a
 * desk that was down for a while, or closed before the policy surveyed). */
enum { SWEEP_WINDOW = 7 * CH_DAY_SECS, SWEEP_BATCH = 50, SWEEP_ROUNDS = 40 };

/* The invitations (and the answers) one report counts at most. */
enum { REPORT_ROWS_MAX = 200000 };

/* The SHA-256 of a token in lower-case hex: what the store keeps. */
static void token_hash(const char *token, char out[crypto_hash_sha256_BYTES * 2 + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, crypto_hash_sha256_BYTES * 2 + 1, h, sizeof(h));
}

/* The kinds a rule surveys as the comma-separated list the store matches. */
static void kinds_text(unsigned bits, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < CH_KIND_COUNT; k++) {
        if (!(bits & (1u << k)))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? "," : "",
                         ch_case_kind_name((ch_case_kind)k));
        if (n < 0 || used + (size_t)n >= size)
            return;
        used += (size_t)n;
    }
}

/* A date in the service's own zone, as people read it. */
static void day_words(const ch_policy *p, const ch_service *svc, ch_time t, char *buf, size_t size)
{
    ch_date d;
    int32_t secs;
    ch_tz_to_local(ch_calendar_tz(ch_policy_service_calendar(p, svc)), t, &d, &secs);
    ch_date_format_long(d, buf, size);
}

/* Sets *sent when the case now has its invitation (this sweep's or
 * another server's); a case with nowhere to write is left unsent. */
static int invite_one(ch_desk *d, const ch_policy *p, const ch_service *svc, const char *name,
                      const ch_survey_candidate *k, ch_time now, bool *sent, ch_error *err)
{
    const ch_survey_rule *rule = svc->survey;
    const char *from = svc->mail_from ? svc->mail_from : d->mail_from;
    if (!k->email || !ch_mail_address_ok(k->email) || !from)
        return CH_OK; /* nowhere to write: this case is not surveyed */
    uint8_t raw[CH_SURVEY_TOKEN_BYTES];
    char token[CH_SURVEY_TOKEN_LEN + 1], hash[crypto_hash_sha256_BYTES * 2 + 1];
    randombytes_buf(raw, sizeof(raw));
    ch_survey_token_format(raw, token);
    token_hash(token, hash);
    char closed[40], until[40], subject[200], text[2400];
    day_words(p, svc, k->closed_at, closed, sizeof(closed));
    day_words(p, svc, now + rule->expires, until, sizeof(until));
    const char *about = k->subject ? k->subject : "";
    int about_len = (int)ch_utf8_prefix(about, 120);
    snprintf(subject, sizeof(subject), "How did we do? Your case %lld with %.120s",
             (long long)k->case_id, svc->name);
    snprintf(text, sizeof(text),
             "Dear %.120s,\n\n"
             "Your case %lld (\"%.*s%s\") with %.120s, %.120s, was closed on %s.\n"
             "Please tell us how we did. There are two questions, and it takes a minute:\n\n"
             "%s/public/%s/survey/%s\n\n"
             "The link works once, until %s.%s\n"
             "If you would rather not answer, ignore this message: we will not ask about this "
             "case again.\n",
             k->name && *k->name ? k->name : "customer", (long long)k->case_id, about_len, about,
             (size_t)about_len < strlen(about) ? "..." : "", svc->name, p->organisation, closed,
             rule->site, p->id, token, until,
             rule->anonymous ? " You may answer anonymously: your answer is then kept apart "
                               "from your name and your case."
                             : "");
    const char *at = strchr(from, '@');
    ch_address to = {k->name, k->email};
    ch_outgoing m = {.from = {svc->mail_from ? svc->mail_name : p->organisation, from},
                     .to = &to,
                     .nto = 1,
                     .subject = subject,
                     .text = text,
                     .id_domain = at ? at + 1 : "localhost",
                     .auto_submitted = CH_AUTO_GENERATED,
                     .date = now};
    char *message = NULL, message_id[256];
    size_t len = 0;
    int rc = ch_message_build(&m, &message, &len, message_id, err);
    if (rc)
        goto out;
    ch_outbox_row row = {.service = name,
                         .purpose = "survey",
                         .mail_from = from,
                         .rcpts = k->email,
                         .message_id = message_id,
                         .raw = (const unsigned char *)message,
                         .len = len,
                         .require_tls = svc->mail_secure,
                         .created_at = now};
    ch_survey_invitation inv = {.case_id = k->case_id,
                                .service = name,
                                .token_hash = hash,
                                .sent_at = now,
                                .expires_at = now + rule->expires,
                                .anonymous_allowed = rule->anonymous};
    rc = ch_store_survey_invite(d->store, &inv, &row, err);
    if (rc == CH_E_CONFLICT)
        rc = CH_OK; /* another server invited this case first */
    *sent = rc == CH_OK;
out:
    free(message);
    sodium_memzero(token, sizeof(token));
    return rc;
}

void ch_desk_survey_sweep(ch_desk *d, ch_time now)
{
    pthread_rwlock_rdlock(&d->policies_lock);
    for (size_t i = 0; i < d->npolicies; i++) {
        const ch_policy *p = d->policies[i].policy;
        for (size_t s = 0; s < p->nservices; s++) {
            const ch_service *svc = &p->services[s];
            if (!svc->survey)
                continue;
            char name[140], kinds[160];
            snprintf(name, sizeof(name), "%s/%s", p->id, svc->id);
            kinds_text(svc->survey->kinds, kinds, sizeof(kinds));
            ch_time due = now - svc->survey->delay;
            /* Batch after batch while they come full, so a busy day's
             * closures are caught up in one sweep; a case that cannot be
             * invited (no usable address) is passed over by the next. */
            size_t n = SWEEP_BATCH, skipped = 0;
            for (int round = 0; n == SWEEP_BATCH && round < SWEEP_ROUNDS; round++) {
                ch_arena a = {0};
                ch_error err = {0};
                ch_survey_candidate *list = NULL;
                n = 0;
                if (ch_store_survey_candidates(d->store, name, kinds, due - SWEEP_WINDOW, due + 1,
                                               skipped + SWEEP_BATCH, &a, &list, &n, &err))
                    fprintf(stderr, "charter serve: surveys for %s: %s\n", name, err.msg);
                n = n > skipped ? n - skipped : 0;
                for (size_t k = 0; k < n; k++) {
                    bool sent = false;
                    if (invite_one(d, p, svc, name, &list[skipped + k], now, &sent, &err))
                        fprintf(stderr, "charter serve: survey for case %lld: %s\n",
                                (long long)list[skipped + k].case_id, err.msg);
                    skipped += !sent;
                }
                ch_arena_free(&a);
            }
        }
    }
    pthread_rwlock_unlock(&d->policies_lock);
}

/* ---- the public form ---- */

typedef struct answer_form {
    const char *rating, *comment, *anonymous;
    const char *unknown; /* the first field the form does not have, or NULL */
    bool twice;          /* a field sent more than once */
} answer_form;

/* The body as the survey's fields, in the request's arena; false when it
 * is not form-encoded UTF-8 text. */
static bool form_read(ch_req *r, answer_form *f)
{
    memset(f, 0, sizeof(*f));
    ch_form sent;
    if (!ch_form_parse(r, CH_FORM_MAX, &sent))
        return false;
    for (size_t i = 0; i < sent.n; i++) {
        const char *name = sent.items[i].name;
        const char **slot = strcmp(name, "rating") == 0      ? &f->rating
                            : strcmp(name, "comment") == 0   ? &f->comment
                            : strcmp(name, "anonymous") == 0 ? &f->anonymous
                                                             : NULL;
        if (!slot) {
            if (!f->unknown)
                f->unknown = name;
            continue;
        }
        f->twice = f->twice || *slot;
        *slot = sent.items[i].value;
    }
    return true;
}

/* A page that only says something (not found, already answered, thanks). */
static enum MHD_Result message_page(ch_req *r, unsigned status, const ch_policy *p,
                                    const char *title, const char *sentence)
{
    ch_html h;
    ch_html_begin(&h, p ? p->organisation : "Charter", title);
    ch_html_raw(&h, "<p>");
    ch_html_text(&h, sentence);
    ch_html_raw(&h, "</p>");
    if (p) {
        ch_html_raw(&h, "<p><a href=\"/public/");
        ch_html_text(&h, p->id);
        ch_html_raw(&h, "\">Our service standards</a> &middot; <a href=\"/public/");
        ch_html_text(&h, p->id);
        ch_html_raw(&h, "/feedback\">Tell us what you think</a></p>\n");
    }
    ch_html_end(&h);
    return ch_html_send(r, status, &h);
}

static enum MHD_Result not_found(ch_req *r, const ch_policy *p)
{
    return message_page(r, 404, p, "Survey not found",
                        "We cannot find an open survey at this address. Check that you copied "
                        "the whole link from our email; a link also stops working once it has "
                        "been used or its closing date has passed. You can still tell us what "
                        "you think with our feedback form.");
}

static enum MHD_Result already_answered(ch_req *r, const ch_policy *p)
{
    return message_page(r, 409, p, "You have already answered",
                        "This survey has already been answered, and we keep the first answer "
                        "only. Thank you for taking part. If there is more you would like to "
                        "tell us, please use our feedback form.");
}

typedef struct form_faults {
    const char *rating, *comment, *anonymous, *form;
} form_faults;

static void fault_line(ch_html *h, const char *field, const char *message)
{
    if (!message)
        return;
    ch_html_raw(h, "<li><a href=\"#");
    ch_html_raw(h, field);
    ch_html_raw(h, "\">");
    ch_html_text(h, message);
    ch_html_raw(h, "</a></li>");
}

static void field_error(ch_html *h, const char *field, const char *message)
{
    if (!message)
        return;
    ch_html_raw(h, "<p class=\"error\" id=\"");
    ch_html_raw(h, field);
    ch_html_raw(h, "-error\">");
    ch_html_text(h, message);
    ch_html_raw(h, "</p>");
}

static enum MHD_Result form_page(ch_req *r, unsigned status, const ch_policy *p,
                                 const ch_service *svc, const ch_survey_invitation *inv,
                                 const char *token, const answer_form *f, const form_faults *e)
{
    ch_html h;
    char until[40];
    ch_html_begin(&h, p->organisation, "How did we do?");
    if (e->rating || e->comment || e->anonymous || e->form) {
        ch_html_raw(&h, "<div class=\"error-summary\" role=\"alert\"><h2>There is a "
                        "problem</h2><ul>");
        fault_line(&h, "rating", e->rating);
        fault_line(&h, "comment", e->comment);
        /* Without the tick box on the page, the link leads to the rating. */
        fault_line(&h, inv->anonymous_allowed ? "anonymous" : "rating", e->anonymous);
        fault_line(&h, "rating", e->form);
        ch_html_raw(&h, "</ul></div>\n");
    }
    ch_html_raw(&h, "<p>About your case ");
    char num[24];
    snprintf(num, sizeof(num), "%lld", (long long)inv->case_id);
    ch_html_text(&h, num);
    if (svc) {
        ch_html_raw(&h, " with ");
        ch_html_text(&h, svc->name);
        day_words(p, svc, inv->expires_at, until, sizeof(until));
        ch_html_raw(&h, ". This survey is open until ");
        ch_html_text(&h, until);
    }
    ch_html_raw(&h, ". You can answer once.</p>\n<form method=\"post\" action=\"/public/");
    ch_html_text(&h, p->id);
    ch_html_raw(&h, "/survey/");
    ch_html_text(&h, token);
    ch_html_raw(&h, "\" novalidate>\n<fieldset id=\"rating\"");
    if (e->rating)
        ch_html_raw(&h, " aria-describedby=\"rating-error\"");
    ch_html_raw(&h, "><legend>How satisfied are you with how we handled your case?</legend>");
    field_error(&h, "rating", e->rating);
    for (int k = CH_SURVEY_RATING_MAX; k >= CH_SURVEY_RATING_MIN; k--) {
        char v[2] = {(char)('0' + k), '\0'};
        ch_html_raw(&h, "<div><input type=\"radio\" name=\"rating\" id=\"rating-");
        ch_html_raw(&h, v);
        ch_html_raw(&h, "\" value=\"");
        ch_html_raw(&h, v);
        ch_html_raw(&h, f->rating && strcmp(f->rating, v) == 0 ? "\" checked>" : "\">");
        ch_html_raw(&h, " <label for=\"rating-");
        ch_html_raw(&h, v);
        ch_html_raw(&h, "\">");
        ch_html_raw(&h, ch_survey_rating_words(k));
        ch_html_raw(&h, "</label></div>");
    }
    ch_html_raw(&h, "</fieldset>\n<label for=\"comment\">What went well, or what could we have "
                    "done better? (optional)</label><p class=\"hint\" id=\"comment-hint\">Up to "
                    "2,000 characters. Please do not include other people&#39;s personal "
                    "details.</p>");
    field_error(&h, "comment", e->comment);
    ch_html_raw(&h, "<textarea id=\"comment\" name=\"comment\" aria-describedby=\"comment-hint");
    ch_html_raw(&h, e->comment ? " comment-error\" aria-invalid=\"true\">" : "\">");
    ch_html_text(&h, f->comment ? f->comment : "");
    ch_html_raw(&h, "</textarea>\n");
    if (inv->anonymous_allowed) {
        ch_html_raw(&h, "<div><input type=\"checkbox\" name=\"anonymous\" id=\"anonymous\" "
                        "value=\"yes\" aria-describedby=\"anonymous-hint\"");
        ch_html_raw(&h, f->anonymous ? " checked>" : ">");
        ch_html_raw(&h, " <label for=\"anonymous\">Answer anonymously</label>"
                        "<p class=\"hint\" id=\"anonymous-hint\">Your answer is then kept apart "
                        "from your name and your case: staff see the rating and comment but not "
                        "who gave them.</p></div>\n");
    } else if (e->anonymous) {
        field_error(&h, "anonymous", e->anonymous);
    }
    ch_html_raw(&h, "<button type=\"submit\">Send my answer</button></form>\n");
    ch_html_end(&h);
    return ch_html_send(r, status, &h);
}

/* Characters (not bytes) in UTF-8 text already checked as such. */
static size_t characters(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Whether a comment is text: no control characters but tab and line breaks. */
static bool comment_text(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7F)
            return false;
    }
    return true;
}

/* The invitation's service on p, or NULL when it is no longer there. */
static const ch_service *invitation_service(const ch_policy *p, const ch_survey_invitation *inv)
{
    size_t n = strlen(p->id);
    if (!inv->service || strncmp(inv->service, p->id, n) != 0 || inv->service[n] != '/')
        return NULL;
    return ch_policy_service(p, inv->service + n + 1);
}

enum MHD_Result ch_http_survey_public(ch_req *r, const char *rest)
{
    const char *slash = strchr(rest, '/');
    const ch_policy *p = slash ? ch_desk_policy_named(r->desk, rest, (size_t)(slash - rest)) : NULL;
    if (!p || strncmp(slash, "/survey/", 8) != 0)
        return message_page(r, 404, NULL, "Page not found",
                            "There is no page at this address. Check the address you were "
                            "given.");
    const char *token = slash + 8;
    if (!ch_survey_token_ok(token, strlen(token)))
        return not_found(r, p);
    char hash[crypto_hash_sha256_BYTES * 2 + 1];
    token_hash(token, hash);
    ch_survey_invitation inv;
    ch_error err = {0};
    int rc = ch_store_survey_find(r->desk->store, hash, &r->arena, &inv, &err);
    if (rc == CH_E_NOTFOUND)
        return not_found(r, p);
    if (rc)
        return message_page(r, 500, p, "Sorry, there is a problem",
                            "We could not open the survey just now. Please try the link again "
                            "later.");
    /* A link is the policy's own: another charter's address does not open it. */
    size_t idlen = strlen(p->id);
    if (!inv.service || strncmp(inv.service, p->id, idlen) != 0 || inv.service[idlen] != '/')
        return not_found(r, p);
    if (inv.used)
        return already_answered(r, p);
    const ch_service *svc = invitation_service(p, &inv);
    /* A real link past its date: say when it closed, not that it is wrong. */
    if (inv.expires_at <= r->now) {
        char until[40], said[200];
        if (svc)
            day_words(p, svc, inv.expires_at, until, sizeof(until));
        snprintf(said, sizeof(said),
                 "This survey closed%s%s, so it no longer takes answers. You can still tell "
                 "us what you think with our feedback form.",
                 svc ? " on " : "", svc ? until : "");
        return message_page(r, 410, p, "This survey has closed", said);
    }
    answer_form f = {0};
    form_faults e = {0};
    if (strcmp(r->method, "POST") != 0)
        return form_page(r, 200, p, svc, &inv, token, &f, &e);
    if (!form_read(r, &f)) {
        e.form = "The answer could not be read; send it from the form on this page.";
        memset(&f, 0, sizeof(f));
        return form_page(r, 400, p, svc, &inv, token, &f, &e);
    }
    int rating = 0;
    if (ch_survey_rating_parse(f.rating, &rating, &err))
        e.rating = ch_arena_strdup(&r->arena, err.msg);
    if (f.comment && characters(f.comment) > CH_SURVEY_COMMENT_MAX)
        e.comment = "Your comment is longer than 2,000 characters; shorten it and send it again.";
    else if (f.comment && !comment_text(f.comment))
        e.comment = "Your comment holds characters that are not text (control characters); "
                    "type or paste it again as plain text.";
    if (f.anonymous && strcmp(f.anonymous, "yes") != 0)
        e.anonymous = "To answer anonymously, tick the box; leave it clear otherwise.";
    else if (f.anonymous && !inv.anonymous_allowed)
        e.anonymous = "This survey does not take anonymous answers; send your answer without "
                      "asking for it to be anonymous.";
    if (f.unknown)
        e.form = "The form sent a field this survey does not have; send your answer from the "
                 "form on this page.";
    else if (f.twice)
        e.form = "The form sent the same field twice; send your answer from the form on this "
                 "page.";
    if (e.rating || e.comment || e.anonymous || e.form)
        return form_page(r, 400, p, svc, &inv, token, &f, &e);
    /* A comment of spaces alone is no comment. */
    const char *comment = f.comment;
    while (comment && (*comment == ' ' || *comment == '\r' || *comment == '\n' || *comment == '\t'))
        comment++;
    ch_survey_response answer = {.rating = rating,
                                 .comment = comment && *comment ? f.comment : NULL,
                                 .anonymous = f.anonymous != NULL,
                                 .submitted_at = r->now};
    rc = ch_store_survey_answer(r->desk->store, hash, &answer, &err);
    if (rc == CH_E_CONFLICT)
        return already_answered(r, p);
    if (rc == CH_E_NOTFOUND)
        return not_found(r, p);
    if (rc)
        return message_page(r, 500, p, "Sorry, there is a problem",
                            "Your answer could not be saved just now, so nothing was kept. "
                            "Please send it again in a few minutes with the same link.");
    return message_page(r, 200, p, "Thank you for your answer",
                        answer.anonymous
                            ? "We have your answer, kept apart from your name and your case. "
                              "We read every answer, and the ratings count in the satisfaction "
                              "figures on our service standards page."
                            : "We have your answer. We read every answer, and the ratings count "
                              "in the satisfaction figures on our service standards page.");
}

/* ---- the report ---- */

/* The services a report covers: those the user may see that the policies
 * survey, and any other met in the answers (a service surveyed once). */
typedef struct svc_list {
    const char **names, **titles;
    size_t n, cap;
} svc_list;

/* Where name is in the list, or -1: the figures are laid out for the
 * services listed before they are counted, and only for those. */
static int svc_find(const svc_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->names[i], name) == 0)
            return (int)i;
    return -1;
}

static int svc_index(ch_req *r, svc_list *l, const char *name, const char *title)
{
    int at = svc_find(l, name);
    if (at >= 0)
        return at;
    if (l->n == l->cap) {
        size_t cap = l->cap;
        const char **names = ch_arena_room(&r->arena, l->names, l->n, &cap, sizeof(*names));
        size_t cap2 = l->cap;
        const char **titles = ch_arena_room(&r->arena, l->titles, l->n, &cap2, sizeof(*titles));
        if (!names || !titles)
            return -1;
        l->names = names;
        l->titles = titles;
        l->cap = cap;
    }
    l->names[l->n] = name;
    l->titles[l->n] = title;
    return (int)l->n++;
}

static const char *service_title(ch_req *r, const char *name)
{
    ch_desk_service ds;
    ch_error err;
    return ch_desk_service_find(r->desk, name, &ds, &err) == CH_OK ? ds.service->name : NULL;
}

static int quarter_of(ch_time t)
{
    return ch_survey_quarter_of(ch_time_utc_date(t));
}

static ch_time quarter_begins(int quarter)
{
    return (ch_time)ch_survey_quarter_start(quarter) * CH_DAY_SECS;
}

/* Lays out the report over quarters [from, to] for service (NULL: all the
 * user may see, or all when visible_only is false) in the arena. */
static int report_build(ch_req *r, int from, int to, const char *service, bool visible_only,
                        ch_survey_report *rep, ch_error *err)
{
    svc_list l = {0};
    memset(rep, 0, sizeof(*rep));
    rep->from = from;
    rep->to = to;
    for (size_t i = 0; !service && i < r->desk->npolicies; i++) {
        const ch_policy *p = r->desk->policies[i].policy;
        for (size_t s = 0; s < p->nservices; s++) {
            if (!p->services[s].survey)
                continue;
            char *name = ch_arena_alloc(&r->arena, strlen(p->id) + strlen(p->services[s].id) + 2);
            if (!name)
                return ch_error_set(err, CH_E_NOMEM, "out of memory");
            snprintf(name, strlen(p->id) + strlen(p->services[s].id) + 2, "%s/%s", p->id,
                     p->services[s].id);
            if ((!visible_only || ch_desk_can_see(r, name)) &&
                svc_index(r, &l, name, p->services[s].name) < 0)
                return ch_error_set(err, CH_E_NOMEM, "out of memory");
        }
    }
    if (service && svc_index(r, &l, service, service_title(r, service)) < 0)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    /* One more than is counted at once, so a span too large to count is
     * refused rather than counted short. */
    ch_survey_filter f = {quarter_begins(from), quarter_begins(to + 1), service,
                          REPORT_ROWS_MAX + 1};
    ch_survey_invitation *invs = NULL;
    ch_survey_response *resps = NULL;
    size_t ninv = 0, nresp = 0;
    int rc = ch_store_survey_invitations(r->desk->store, &f, &r->arena, &invs, &ninv, err);
    if (!rc)
        rc = ch_store_survey_responses(r->desk->store, &f, &r->arena, &resps, &nresp, err);
    if (rc)
        return rc;
    if (ninv > REPORT_ROWS_MAX || nresp > REPORT_ROWS_MAX)
        return ch_error_set(err, CH_E_INVALID,
                            "more than %d survey invitations or answers fall in these quarters, "
                            "too many to count at once; ask for fewer quarters or one service",
                            REPORT_ROWS_MAX);
    for (size_t i = 0; i < ninv; i++)
        if ((!visible_only || ch_desk_can_see(r, invs[i].service)) &&
            svc_index(r, &l, invs[i].service, service_title(r, invs[i].service)) < 0)
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (size_t i = 0; i < nresp; i++)
        if ((!visible_only || ch_desk_can_see(r, resps[i].service)) &&
            svc_index(r, &l, resps[i].service, service_title(r, resps[i].service)) < 0)
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
    size_t nq = (size_t)(to - from + 1);
    rep->nrows = l.n * nq;
    rep->rows = rep->nrows ? ch_arena_alloc(&r->arena, rep->nrows * sizeof(*rep->rows)) : NULL;
    rep->comments = nresp ? ch_arena_alloc(&r->arena, nresp * sizeof(*rep->comments)) : NULL;
    if ((rep->nrows && !rep->rows) || (nresp && !rep->comments))
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (size_t s = 0; s < l.n; s++)
        for (size_t q = 0; q < nq; q++)
            rep->rows[s * nq + q] =
                (ch_survey_report_row){l.names[s], l.titles[s], from + (int)q, {0}};
    for (size_t i = 0; i < ninv; i++) {
        int s = svc_find(&l, invs[i].service), q = quarter_of(invs[i].sent_at);
        if ((size_t)s >= l.n || q < from || q > to ||
            (visible_only && !ch_desk_can_see(r, invs[i].service)))
            continue;
        ch_survey_tally *t = &rep->rows[(size_t)s * nq + (size_t)(q - from)].tally;
        t->invited++;
        t->answered += invs[i].used;
    }
    for (size_t i = 0; i < nresp; i++) {
        const ch_survey_response *a = &resps[i];
        int s = svc_find(&l, a->service), q = quarter_of(a->submitted_at);
        if ((size_t)s >= l.n || q < from || q > to ||
            (visible_only && !ch_desk_can_see(r, a->service)))
            continue;
        ch_survey_tally_rating(&rep->rows[(size_t)s * nq + (size_t)(q - from)].tally, a->rating);
        if (a->comment)
            rep->comments[rep->ncomments++] = (ch_survey_report_comment){
                a->service, q, a->submitted_at, a->rating, a->comment, a->case_id};
    }
    return CH_OK;
}

static void csv_cell(ch_jw *w, const char *s)
{
    s = s ? s : "";
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    /* A cell a spreadsheet would run as a formula is written as text. */
    bool formula = *s == '=' || *s == '+' || *s == '-' || *s == '@';
    if (quote || formula)
        ch_jw_raw(w, "\"", 1);
    if (formula)
        ch_jw_raw(w, "'", 1);
    for (const char *c = s; *c; c++) {
        if (*c == '"')
            ch_jw_raw(w, "\"", 1);
        ch_jw_raw(w, c, 1);
    }
    if (quote || formula)
        ch_jw_raw(w, "\"", 1);
}

static void csv_number(ch_jw *w, int v, int scale)
{
    char buf[32];
    if (v < 0)
        return; /* an empty cell: nothing to count */
    if (scale == 100)
        snprintf(buf, sizeof(buf), "%d.%02d", v / 100, v % 100);
    else
        snprintf(buf, sizeof(buf), "%d", v);
    ch_jw_raw(w, buf, strlen(buf));
}

static void csv_int(ch_jw *w, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", (long long)v);
    ch_jw_raw(w, buf, strlen(buf));
}

static enum MHD_Result send_csv(ch_req *r, const ch_survey_report *rep)
{
    ch_jw w;
    ch_jw_init(&w);
    static const char head[] =
        "service,service_name,quarter,invited,answered,response_rate_percent,responses,"
        "mean_rating,satisfied_percent,very_dissatisfied,dissatisfied,neither,satisfied,"
        "very_satisfied\r\n";
    ch_jw_raw(&w, head, sizeof(head) - 1);
    char q[16];
    for (size_t i = 0; i < rep->nrows; i++) {
        const ch_survey_report_row *row = &rep->rows[i];
        ch_survey_quarter_name(row->quarter, q, sizeof(q));
        csv_cell(&w, row->service);
        ch_jw_raw(&w, ",", 1);
        csv_cell(&w, row->service_name);
        ch_jw_raw(&w, ",", 1);
        csv_cell(&w, q);
        ch_jw_raw(&w, ",", 1);
        csv_int(&w, row->tally.invited);
        ch_jw_raw(&w, ",", 1);
        csv_int(&w, row->tally.answered);
        ch_jw_raw(&w, ",", 1);
        csv_number(&w, ch_survey_response_rate(&row->tally), 1);
        ch_jw_raw(&w, ",", 1);
        csv_int(&w, ch_survey_tally_responses(&row->tally));
        ch_jw_raw(&w, ",", 1);
        csv_number(&w, ch_survey_mean_x100(&row->tally), 100);
        ch_jw_raw(&w, ",", 1);
        csv_number(&w, ch_survey_satisfied(&row->tally), 1);
        for (int k = 0; k < CH_SURVEY_RATING_MAX; k++) {
            ch_jw_raw(&w, ",", 1);
            csv_int(&w, row->tally.ratings[k]);
        }
        ch_jw_raw(&w, "\r\n", 2);
    }
    size_t len;
    char *text = ch_jw_take(&w, &len);
    if (!text) {
        ch_error err;
        return ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
    }
    enum MHD_Result res = ch_http_bytes(r, 200, "text/csv; charset=utf-8", text, len);
    free(text);
    return res;
}

static int write_xlsx(const void *rep, const char *path, ch_error *err)
{
    return ch_survey_report_xlsx(rep, path, err);
}

static enum MHD_Result send_xlsx(ch_req *r, const ch_survey_report *rep)
{
    ch_error err = {0};
    char *data = NULL;
    size_t len = 0;
    int rc = ch_export_to_memory("surveys", write_xlsx, rep, &data, &len, &err);
    if (rc)
        return ch_http_error(r, &err);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    MHD_add_response_header(resp, "Content-Disposition", "attachment; filename=\"surveys.xlsx\"");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ok = ch_http_respond(r, 200, resp);
    MHD_destroy_response(resp);
    return ok;
}

static void jw_percent(ch_jw *w, const char *key, int v)
{
    ch_jw_key(w, key);
    if (v < 0)
        ch_jw_str(w, NULL);
    else
        ch_jw_int(w, v);
}

static enum MHD_Result send_json(ch_req *r, const ch_survey_report *rep)
{
    char q[16], mean[16];
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_survey_quarter_name(rep->from, q, sizeof(q));
    ch_jw_key(&w, "from");
    ch_jw_str(&w, q);
    ch_survey_quarter_name(rep->to, q, sizeof(q));
    ch_jw_key(&w, "to");
    ch_jw_str(&w, q);
    ch_jw_key(&w, "rows");
    ch_jw_arr(&w);
    for (size_t i = 0; i < rep->nrows; i++) {
        const ch_survey_report_row *row = &rep->rows[i];
        ch_jw_obj(&w);
        ch_jw_key(&w, "service");
        ch_jw_str(&w, row->service);
        ch_jw_key(&w, "service_name");
        ch_jw_str(&w, row->service_name);
        ch_survey_quarter_name(row->quarter, q, sizeof(q));
        ch_jw_key(&w, "quarter");
        ch_jw_str(&w, q);
        ch_jw_key(&w, "invited");
        ch_jw_int(&w, row->tally.invited);
        ch_jw_key(&w, "answered");
        ch_jw_int(&w, row->tally.answered);
        jw_percent(&w, "response_rate", ch_survey_response_rate(&row->tally));
        ch_jw_key(&w, "responses");
        ch_jw_int(&w, ch_survey_tally_responses(&row->tally));
        int m = ch_survey_mean_x100(&row->tally);
        ch_jw_key(&w, "mean_rating");
        if (m < 0) {
            ch_jw_str(&w, NULL);
        } else {
            snprintf(mean, sizeof(mean), "%d.%02d", m / 100, m % 100);
            ch_jw_number(&w, mean);
        }
        jw_percent(&w, "satisfied", ch_survey_satisfied(&row->tally));
        ch_jw_key(&w, "ratings");
        ch_jw_arr(&w);
        for (int k = 0; k < CH_SURVEY_RATING_MAX; k++)
            ch_jw_int(&w, row->tally.ratings[k]);
        ch_jw_arr_end(&w);
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_key(&w, "comments");
    ch_jw_arr(&w);
    for (size_t i = 0; i < rep->ncomments && i < 200; i++) {
        const ch_survey_report_comment *c = &rep->comments[i];
        ch_jw_obj(&w);
        ch_jw_key(&w, "service");
        ch_jw_str(&w, c->service);
        ch_survey_quarter_name(c->quarter, q, sizeof(q));
        ch_jw_key(&w, "quarter");
        ch_jw_str(&w, q);
        ch_jw_key(&w, "submitted_at");
        ch_jw_time(&w, c->submitted_at);
        ch_jw_key(&w, "rating");
        ch_jw_int(&w, c->rating);
        ch_jw_key(&w, "comment");
        ch_jw_str(&w, c->comment);
        ch_jw_key(&w, "anonymous");
        ch_jw_bool(&w, c->case_id == 0);
        ch_jw_key(&w, "case_id");
        ch_jw_id(&w, c->case_id);
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

enum MHD_Result ch_http_survey_report(ch_req *r)
{
#define ARG(name) MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name)
    problems p = {0};
    ch_error err = {0};
    const char *unknown = NULL, *arg;
    static const char *const known[] = {"from", "to", "service", "format", NULL};
    if ((unknown = ch_req_unknown_arg(r, known)))
        ch_req_bad(&p, unknown,
                   "This report takes from, to, service and format; '%.40s' is not "
                   "one of them.",
                   unknown);
    int now = quarter_of(r->now), from = now - 3, to = now;
    if ((arg = ARG("to")) && (to = ch_survey_quarter_parse(arg)) < 0)
        ch_req_bad(&p, "to",
                   "to is a quarter like 2026-Q1, or a date like 2026-03-31 (meaning the quarter "
                   "that holds it).");
    if ((arg = ARG("from")) && (from = ch_survey_quarter_parse(arg)) < 0)
        ch_req_bad(&p, "from",
                   "from is a quarter like 2026-Q1, or a date like 2026-01-01 (meaning the quarter "
                   "that holds it).");
    else if (!arg && to >= 0)
        from = to - 3;
    if (from >= 0 && to >= 0 && (from > to || to - from >= 20))
        ch_req_bad(&p, "from", "from must be no later than to, and at most 20 quarters before it.");
    const char *service = NULL;
    ch_desk_service ds;
    if ((arg = ARG("service"))) {
        if (strlen(arg) > 140 || ch_desk_service_find(r->desk, arg, &ds, &err) ||
            !ch_desk_can_see(r, ds.name))
            ch_req_bad(&p, "service",
                       "There is no such service among yours; GET "
                       "/api/v1/services lists them.");
        else
            service = ch_arena_strdup(&r->arena, ds.name);
    }
    const char *format = ARG("format") ? ARG("format") : "json";
    if (strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "xlsx"))
        ch_req_bad(&p, "format", "format is json, csv or xlsx.");
#undef ARG
    if (p.fields)
        return ch_http_problem(r, 400, "Bad report", p.detail, p.fields);
    ch_survey_report rep;
    if (report_build(r, from, to, service, true, &rep, &err))
        return ch_http_error(r, &err);
    if (strcmp(format, "csv") == 0)
        return send_csv(r, &rep);
    if (strcmp(format, "xlsx") == 0)
        return send_xlsx(r, &rep);
    return send_json(r, &rep);
}

/* ---- the public standards page ---- */

void ch_public_survey_summary(ch_req *r, const ch_policy *p, ch_html *h)
{
    bool any = false;
    for (size_t s = 0; s < p->nservices; s++)
        any = any || p->services[s].survey;
    if (!any)
        return;
    int last = quarter_of(r->now) - 1;
    char words[40], line[400];
    ch_survey_quarter_words(last, words, sizeof(words));
    ch_html_raw(h, "<h2>Satisfaction last quarter</h2>\n");
    ch_survey_report rep;
    ch_error err = {0};
    if (report_build(r, last, last, NULL, false, &rep, &err)) {
        fprintf(stderr, "charter serve: survey summary: %s\n", err.msg);
        ch_html_raw(h, "<p>Our survey figures are not available just now.</p>\n");
        return;
    }
    size_t idlen = strlen(p->id);
    for (size_t i = 0; i < rep.nrows; i++) {
        const ch_survey_report_row *row = &rep.rows[i];
        if (strncmp(row->service, p->id, idlen) != 0 || row->service[idlen] != '/' ||
            !row->service_name)
            continue;
        const ch_survey_tally *t = &row->tally;
        int64_t n = ch_survey_tally_responses(t);
        int m = ch_survey_mean_x100(t);
        if (!t->invited && !n)
            snprintf(line, sizeof(line), "In %s we had no closed cases to ask about.", words);
        else if (!n)
            snprintf(line, sizeof(line),
                     "In %s we asked %lld %s about their closed case; none has answered yet.",
                     words, (long long)t->invited, t->invited == 1 ? "person" : "people");
        else if (n < CH_SURVEY_PUBLISH_MIN)
            /* One or two ratings would be someone's own answer, published;
             * the themes report hides its small numbers the same way. */
            snprintf(line, sizeof(line),
                     "In %s fewer than %d people answered our survey, too few to publish their "
                     "ratings without telling you what one person said.",
                     words, CH_SURVEY_PUBLISH_MIN);
        else {
            size_t used = 0;
            int k = 0;
            /* Answers may come in a quarter after their invitation. */
            if (t->invited)
                k = snprintf(line, sizeof(line),
                             "In %s we asked %lld %s about their closed case and %lld answered "
                             "(%d%%). ",
                             words, (long long)t->invited, t->invited == 1 ? "person" : "people",
                             (long long)t->answered, ch_survey_response_rate(t));
            used = k > 0 && (size_t)k < sizeof(line) ? (size_t)k : 0;
            snprintf(line + used, sizeof(line) - used,
                     "%s%s%s %lld %s given, %d%% were satisfied or very satisfied, and the "
                     "average rating was %d.%d out of 5.",
                     t->invited ? "" : "In ", t->invited ? "" : words,
                     t->invited ? "Of the" : ", of the", (long long)n,
                     n == 1 ? "rating" : "ratings", ch_survey_satisfied(t), (m + 5) / 100,
                     (m + 5) % 100 / 10);
        }
        ch_html_raw(h, "<p><strong>");
        ch_html_text(h, row->service_name);
        ch_html_raw(h, ":</strong> ");
        ch_html_text(h, line);
        ch_html_raw(h, "</p>\n");
    }
}
