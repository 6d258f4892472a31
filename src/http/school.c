/* A school's own view of what it bought: its named contact signs in with a
 * one-time link sent by email (no password), and sees only the contracts
 * that name them, with the balance, visits, statements to download and a
 * form that opens a case. Staff see the same page for a contract they may
 * see (/school/preview). Pages are server-written HTML without script. */
#include "core/ledger.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "http/auth.h"
#include "http/form.h"
#include "http/hours.h"
#include "http/html.h"
#include "mail/mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { LINK_SECONDS = 30 * 60, SESSION_SECONDS = 8 * 3600 };

static const char title[] = "Your school's purchased hours";

/* A school contact who is signed in: their email and the form token. */
typedef struct school {
    const char *email, *csrf;
    bool preview; /* a member of staff looking at what the school sees */
} school;

static void sign_in_form(ch_html *h, const char *said)
{
    if (said) {
        ch_html_raw(h, "<div class=\"panel\" role=\"status\"><p>");
        ch_html_text(h, said);
        ch_html_raw(h, "</p></div>\n");
    }
    ch_html_raw(h, "<p>Enter the email address the service has for your school's named contact. "
                   "We will email you a link that signs you in once, for 30 minutes. There is no "
                   "password to remember.</p>\n"
                   "<form method=\"post\" action=\"/school/sign-in\"><label for=\"email\">Your "
                   "email address</label><input id=\"email\" name=\"email\" type=\"email\" "
                   "autocomplete=\"email\" required><div><button type=\"submit\">Email me a "
                   "sign-in link</button></div></form>\n");
}

/* The signed-in contact from the cookie, or false. */
static bool signed_in(ch_req *r, school *s)
{
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "charter_school");
    uint8_t hash[32];
    ch_error err;
    if (!cookie || strlen(cookie) != CH_TOKEN_LEN)
        return false;
    ch_token_hash(cookie, hash);
    return ch_store_school_token_take(r->desk->store, "session", hash, r->now, &r->arena, &s->email,
                                      &s->csrf, &err) == CH_OK;
}

static void words_at(const ch_desk_service *ds, ch_time t, char *buf, size_t size)
{
    const ch_calendar *cal = ch_policy_service_calendar(ds->policy, ds->service);
    char day[40], clock[16];
    ch_date_format_long(ch_hours_local_date(cal, t), day, sizeof(day));
    ch_hours_clock(cal, t, clock, sizeof(clock));
    snprintf(buf, size, "%s, %s", day, clock);
}

/* A visit's state as the school would say it. */
static const char *status_words(const char *status)
{
    static const struct {
        const char *status, *words;
    } words[] = {
        {"booked", "booked"},
        {"delivered", "delivered"},
        {"covered", "delivered by a colleague standing in"},
        {"cancelled-early", "cancelled by you in good time: not charged"},
        {"cancelled-late", "cancelled by you too late to be free: charged as booked"},
        {"not-needed", "not needed on arrival: charged as booked"},
        {"cancelled-by-provider", "cancelled by us: not charged, and owed to you"},
        {"rescheduled", "moved to another time"},
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
        if (strcmp(status, words[i].status) == 0)
            return words[i].words;
    return status;
}

static void hours_cell(ch_html *h, int64_t minutes)
{
    char buf[32];
    ch_hours_text(minutes, buf, sizeof(buf));
    ch_html_text(h, buf);
}

/* One contract as the school sees it. */
static void contract_section(ch_req *r, ch_html *h, const ch_contract *c, const ch_desk_service *ds,
                             bool preview)
{
    char buf[300];
    ch_html_raw(h, "<h2>");
    ch_html_text(h, c->organisation);
    ch_html_raw(h, ": ");
    ch_html_text(h, ds->service->name);
    ch_html_raw(h, ", ");
    ch_html_text(h, c->year);
    ch_html_raw(h, "</h2>\n<p>");
    ch_html_text(h, ds->policy->organisation);
    ch_html_raw(h, ". What the consultancy covers: ");
    ch_html_text(h, c->scope ? c->scope : "not yet agreed; ask your consultant.");
    ch_html_raw(h, "</p>\n<table><caption>Hours</caption><tbody><tr><th scope=\"row\">Hours "
                   "left</th><td>");
    hours_cell(h, c->balance);
    ch_html_raw(h, "</td></tr><tr><th scope=\"row\">Booked, still to come</th><td>");
    hours_cell(h, c->booked);
    ch_html_raw(h, "</td></tr><tr><th scope=\"row\">Owed to you by us</th><td>");
    hours_cell(h, c->shortfall);
    ch_html_raw(h, "</td></tr></tbody></table>\n");

    ch_visit *visits;
    size_t n;
    ch_error err = {0};
    ch_visit_filter f = {.contract_id = c->id, .limit = 2000};
    ch_html_raw(h, "<table><caption>Visits</caption><thead><tr><th scope=\"col\">When</th>"
                   "<th scope=\"col\">Hours</th><th scope=\"col\">Consultant</th>"
                   "<th scope=\"col\">What happened</th></tr></thead><tbody>");
    if (ch_store_visit_list(r->desk->store, &f, &r->arena, &visits, &n, &err) == CH_OK) {
        for (size_t i = 0; i < n; i++) {
            const ch_visit *v = &visits[i];
            ch_html_raw(h, "<tr><td>");
            words_at(ds, v->starts_at, buf, sizeof(buf));
            ch_html_text(h, buf);
            if (v->kind && strcmp(v->kind, "training") == 0)
                ch_html_raw(h, " (training)");
            ch_html_raw(h, "</td><td>");
            /* What the visit took, once it was delivered; else what it holds. */
            hours_cell(h, v->actual > 0 ? v->actual : v->booked);
            ch_html_raw(h, "</td><td>");
            ch_html_text(h, v->consultant ? v->consultant : "");
            ch_html_raw(h, "</td><td>");
            ch_html_text(h, status_words(v->status));
            if (v->release_for) {
                ch_html_raw(h, ". Needs your ");
                ch_html_text(h, v->release_for);
                ch_html_raw(h, " released for it");
            }
            ch_html_raw(h, "</td></tr>");
        }
        if (n == 0)
            ch_html_raw(h, "<tr><td colspan=\"4\">No visits yet.</td></tr>");
    }
    ch_html_raw(h, "</tbody></table>\n<p>Statements:");
    /* Only terms that have begun have a statement to read. */
    ch_year_terms terms;
    ch_term_names_of_year(c->starts, &terms);
    const ch_calendar *cal = ch_policy_service_calendar(ds->policy, ds->service);
    for (int k = 0; k < 3; k++) {
        const char *term = terms.name[k];
        if (ch_hours_term_first(ds, term) > ch_hours_local_date(cal, r->now))
            continue;
        for (int fmt = 0; fmt < 2; fmt++) {
            /* Staff previewing the page download through the desk's own API. */
            snprintf(
                buf, sizeof(buf),
                preview ? " <a href=\"/api/v1/contracts/%lld/statement?term=%s&amp;format=%s\">"
                        : " <a href=\"/school/statement?contract=%lld&amp;term=%s&amp;format=%s\">",
                (long long)c->id, term, fmt ? "xlsx" : "pdf");
            ch_html_raw(h, buf);
            snprintf(buf, sizeof(buf), "%s (%s)", term, fmt ? "Excel" : "PDF");
            ch_html_text(h, buf);
            ch_html_raw(h, "</a>");
        }
    }
    ch_html_raw(h, "</p>\n");
}

/* The page of every contract naming email, or only contract only (>0). */
static enum MHD_Result school_page(ch_req *r, const school *s, int64_t only, unsigned status,
                                   const char *said)
{
    ch_html h;
    ch_error err = {0};
    ch_contract *rows;
    size_t n;
    ch_contract_filter f = {.contact_email = s->email, .limit = 200};
    if (ch_store_contract_list(r->desk->store, &f, &r->arena, &rows, &n, &err))
        return ch_http_error(r, &err);
    ch_html_begin(&h, "Purchased hours", title);
    if (s->preview) {
        ch_html_raw(&h, "<div class=\"panel\"><p>This is what ");
        ch_html_text(&h, s->email);
        ch_html_raw(&h, " sees when signed in to the school's page.</p></div>\n");
    }
    if (said) {
        ch_html_raw(&h, "<div class=\"panel\" role=\"status\"><p>");
        ch_html_text(&h, said);
        ch_html_raw(&h, "</p></div>\n");
    }
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        ch_desk_service ds;
        if ((only && rows[i].id != only) ||
            ch_desk_service_find(r->desk, rows[i].service, &ds, &err))
            continue;
        contract_section(r, &h, &rows[i], &ds, s->preview);
        shown++;
    }
    if (!shown)
        ch_html_raw(&h, "<p>No contract names this address as the school's contact.</p>\n");
    if (shown && !s->preview) {
        ch_html_raw(&h, "<h2>Tell us of a change or a problem</h2><form method=\"post\" "
                        "action=\"/school/message\"><input type=\"hidden\" name=\"csrf\" "
                        "value=\"");
        ch_html_text(&h, s->csrf);
        ch_html_raw(&h, "\"><label for=\"contract\">About</label><select id=\"contract\" "
                        "name=\"contract\">");
        for (size_t i = 0; i < n; i++) {
            char opt[300];
            snprintf(opt, sizeof(opt), "<option value=\"%lld\">", (long long)rows[i].id);
            ch_html_raw(&h, opt);
            ch_desk_service ds;
            ch_html_text(&h, rows[i].organisation);
            ch_html_raw(&h, ", ");
            ch_html_text(&h, ch_desk_service_find(r->desk, rows[i].service, &ds, &err) == CH_OK
                                 ? ds.service->name
                                 : rows[i].service);
            ch_html_raw(&h, " (");
            ch_html_text(&h, rows[i].year);
            ch_html_raw(&h, ")");
            ch_html_raw(&h, "</option>");
        }
        ch_html_raw(&h, "</select><label for=\"message\">Your message</label><textarea "
                        "id=\"message\" name=\"message\" rows=\"5\" required></textarea>"
                        "<div><button type=\"submit\">Send</button></div></form>\n"
                        "<form method=\"post\" action=\"/school/sign-out\"><input type=\"hidden\" "
                        "name=\"csrf\" value=\"");
        ch_html_text(&h, s->csrf);
        ch_html_raw(&h, "\"><div><button type=\"submit\" class=\"secondary\">Sign out</button>"
                        "</div></form>\n");
    }
    ch_html_end(&h);
    return ch_html_send(r, status, &h);
}

/* POST /school/sign-in: a link to the address when a contract names it.
 * The answer is the same either way, so the form tells no one whose
 * address is known. */
static enum MHD_Result ask_for_link(ch_req *r)
{
    ch_form f;
    ch_error err = {0};
    ch_html h;
    const char *email = ch_form_parse(r, CH_FORM_MAX, &f) ? ch_form_get(&f, "email") : NULL;
    if (!ch_rate_take(&r->desk->publics, r->remote, r->now, 600, 20))
        return ch_html_message(r, 429, "Purchased hours", "Please wait a little",
                               "There have been many sign-in requests from your connection; "
                               "try again in ten minutes.");
    if (!email || strlen(email) > 254 || !ch_mail_address_ok(email)) {
        ch_html_begin(&h, "Purchased hours", title);
        sign_in_form(&h, "Enter an email address like name@school.example.");
        ch_html_end(&h);
        return ch_html_send(r, 400, &h);
    }
    ch_contract *rows;
    size_t n = 0;
    ch_contract_filter cf = {.contact_email = email, .limit = 1};
    ch_desk_service ds;
    if (r->desk->smtp_url &&
        ch_store_contract_list(r->desk->store, &cf, &r->arena, &rows, &n, &err) == CH_OK && n &&
        ch_desk_service_find(r->desk, rows[0].service, &ds, &err) == CH_OK) {
        char token[CH_TOKEN_LEN + 1], text[1200], *raw = NULL;
        uint8_t hash[32];
        ch_outbox_row row;
        ch_token_new(token, hash);
        snprintf(text, sizeof(text),
                 "Dear %s,\n\nTo see %s's purchased hours, visits and statements, open this link "
                 "and press Sign in:\n\n%s/school/link?token=%s\n\nIt works once, for 30 "
                 "minutes. If you did not ask for it, you can ignore this message.\n\n%s\n",
                 rows[0].contact_name ? rows[0].contact_name : "colleague", rows[0].organisation,
                 r->desk->site, token, ds.policy->organisation);
        /* The session belongs to the address as the contract has it. */
        int rc = ch_store_school_token_insert(r->desk->store, "link", rows[0].contact_email, hash,
                                              NULL, r->now, r->now + LINK_SECONDS, &err);
        /* Past the limit for the address, nothing more is sent; the answer
         * is the same, so the form still tells no one whose address it is. */
        if (rc != CH_E_CONFLICT &&
            (rc ||
             ch_hours_school_message(r, &rows[0], &ds, "sign-in", "Your sign-in link", text, NULL,
                                     0, &row, &raw, &err) ||
             ch_store_outbox_insert(r->desk->store, &row, 1, &err)))
            fprintf(stderr, "charter serve: school sign-in: %s\n", err.msg);
        free(raw);
    }
    ch_html_begin(&h, "Purchased hours", title);
    sign_in_form(&h, "If that address is the named contact on one of the service's contracts, a "
                     "sign-in link is on its way to it. Check your inbox in a minute or two.");
    ch_html_end(&h);
    return ch_html_send(r, 200, &h);
}

/* GET /school/link?token=: a button, not a sign-in, so a mail scanner that
 * follows the link does not use it up. */
static enum MHD_Result confirm_link(ch_req *r)
{
    const char *token = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "token");
    ch_html h;
    if (!token || strlen(token) != CH_TOKEN_LEN ||
        strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
            CH_TOKEN_LEN)
        return ch_html_message(r, 400, "Purchased hours", "That link is not complete",
                               "Open the link from the email again, or ask for a new one at "
                               "/school.");
    ch_html_begin(&h, "Purchased hours", "Sign in");
    ch_html_raw(&h, "<form method=\"post\" action=\"/school/link\"><input type=\"hidden\" "
                    "name=\"token\" value=\"");
    ch_html_text(&h, token);
    ch_html_raw(&h, "\"><div><button type=\"submit\">Sign in</button></div></form>\n");
    ch_html_end(&h);
    return ch_html_send(r, 200, &h);
}

/* POST /school/link: uses the link up and opens a session. */
static enum MHD_Result use_link(ch_req *r)
{
    ch_form f;
    ch_error err = {0};
    const char *token = ch_form_parse(r, CH_FORM_MAX, &f) ? ch_form_get(&f, "token") : NULL;
    const char *email;
    uint8_t hash[32];
    if (!token || strlen(token) != CH_TOKEN_LEN)
        return ch_html_message(r, 400, "Purchased hours", "That link is not complete",
                               "Open the link from the email again, or ask for a new one.");
    ch_token_hash(token, hash);
    if (ch_store_school_token_take(r->desk->store, "link", hash, r->now, &r->arena, &email, NULL,
                                   &err))
        return ch_html_message(r, err.code == CH_E_NOTFOUND ? 410 : 500, "Purchased hours",
                               "That link has been used or has expired",
                               "Each link signs in once, within 30 minutes. Ask for a new one "
                               "on the sign-in page (/school).");
    char session[CH_TOKEN_LEN + 1], csrf[CH_TOKEN_LEN + 1], cookie[200];
    uint8_t shash[32], unused[32];
    ch_token_new(session, shash);
    ch_token_new(csrf, unused);
    if (ch_store_school_token_insert(r->desk->store, "session", email, shash, csrf, r->now,
                                     r->now + SESSION_SECONDS, &err))
        return ch_http_error(r, &err);
    snprintf(cookie, sizeof(cookie),
             "charter_school=%s; Path=/school; HttpOnly; SameSite=Strict; Max-Age=%d%s", session,
             SESSION_SECONDS, ch_desk_https(r->desk) ? "; Secure" : "");
    ch_html h;
    ch_html_begin(&h, "Purchased hours", "You are signed in");
    ch_html_raw(&h, "<p><a href=\"/school\">See your school's hours</a></p>\n");
    ch_html_end(&h);
    return ch_html_send_with(r, 303, &h, cookie, "/school");
}

/* A post from another site is refused (ch_http_same_origin), so no page
 * elsewhere can sign a visitor in as another school. */
static enum MHD_Result elsewhere(ch_req *r)
{
    return ch_html_message(r, 403, "Purchased hours", "Please use the service's own page",
                           "This form was sent from another website. Open the sign-in page "
                           "(/school) and use the form there.");
}

/* The form's token matches the session's: the page itself sent it. */
static bool form_ok(const school *s, const ch_form *f)
{
    const char *sent = ch_form_get(f, "csrf");
    return sent && s->csrf && strlen(sent) == strlen(s->csrf) &&
           sodium_memcmp(sent, s->csrf, strlen(sent)) == 0;
}

/* POST /school/message: a change or a problem, as a case with a clock on
 * the contract's charter (its enquiries service when it has one). */
static enum MHD_Result message(ch_req *r, const school *s)
{
    ch_form f;
    ch_error err = {0};
    if (!ch_form_parse(r, CH_FORM_MAX, &f) || !form_ok(s, &f))
        return ch_html_message(r, 403, "Purchased hours", "Please try again",
                               "The form had expired; open your school's page again and send "
                               "the message from there.");
    const char *text = ch_form_get(&f, "message"), *id_s = ch_form_get(&f, "contract");
    char *end = NULL;
    int64_t id = id_s ? strtoll(id_s, &end, 10) : 0;
    ch_contract c;
    ch_desk_service ds;
    if (!text || !ch_text_said(text) || strlen(text) > 10000)
        return school_page(r, s, 0, 400,
                           "Write your message (up to 10,000 characters) and send it again.");
    if (id <= 0 || (end && *end) ||
        ch_store_contract_get(r->desk->store, id, &r->arena, &c, &err) || !c.contact_email ||
        strcasecmp(c.contact_email, s->email) != 0 ||
        ch_desk_service_find(r->desk, c.service, &ds, &err))
        return school_page(r, s, 0, 400,
                           "Choose one of your school's contracts and send it again.");
    const ch_service *enq = ch_policy_service(ds.policy, "enquiries");
    ch_desk_service to = ds;
    if (enq) {
        to.service = enq;
        snprintf(to.name, sizeof(to.name), "%s/%s", ds.policy->id, enq->id);
    }
    /* The school's name is cut on a whole character to fit the subject. */
    char subject[300];
    snprintf(subject, sizeof(subject), "%.*s (contract %lld, %s): a message from the school",
             (int)ch_utf8_prefix(c.organisation, 120), c.organisation, (long long)c.id, c.service);
    ch_case_row k;
    if (ch_public_case_open(r, &to, c.contact_name ? c.contact_name : s->email, s->email, subject,
                            text, &k, &err)) {
        fprintf(stderr, "charter serve: school message: %s\n", err.msg);
        return ch_html_message(r, 500, "Purchased hours", "Sorry, there is a problem",
                               "We could not take your message just now; try again in a few "
                               "minutes, or telephone the service.");
    }
    char said[200];
    snprintf(said, sizeof(said), "Thank you: we have your message. Its reference is %lld.",
             (long long)k.id);
    return school_page(r, s, 0, 200, said);
}

/* GET /school/statement?contract=&term=&format=: one of the contact's own
 * contracts, for a term that has begun. */
static enum MHD_Result statement(ch_req *r, const school *s)
{
    const char *id_s = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "contract");
    const char *term = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "term");
    const char *format = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "format");
    char *end = NULL;
    int64_t id = id_s ? strtoll(id_s, &end, 10) : 0;
    ch_contract c;
    ch_desk_service ds;
    ch_error err = {0};
    if (id <= 0 || *end || !term || strlen(term) > 20 || !format ||
        (strcmp(format, "pdf") && strcmp(format, "xlsx")) ||
        ch_store_contract_get(r->desk->store, id, &r->arena, &c, &err) || !c.contact_email ||
        strcasecmp(c.contact_email, s->email) != 0 ||
        ch_desk_service_find(r->desk, c.service, &ds, &err))
        return ch_html_message(r, 404, "Purchased hours", "There is no such statement",
                               "Open the statements from your school's page.");
    const ch_calendar *cal = ch_policy_service_calendar(ds.policy, ds.service);
    if (!ch_hours_runs_in(&c, term) ||
        ch_hours_term_first(&ds, term) > ch_hours_local_date(cal, r->now))
        return ch_html_message(r, 409, "Purchased hours", "There is no statement for that term yet",
                               "A statement can be read once its term has begun; open the "
                               "statements from your school's page.");
    return ch_hours_statement_file(r, &c, &ds, term, format);
}

enum MHD_Result ch_http_school(ch_req *r, const char *rest)
{
    school s = {0};
    bool post = strcmp(r->method, "POST") == 0;
    if (post && !ch_http_same_origin(r))
        return elsewhere(r);
    if (strcmp(rest, "sign-in") == 0 && post)
        return ask_for_link(r);
    if (strcmp(rest, "link") == 0)
        return post ? use_link(r) : confirm_link(r);
    if (!signed_in(r, &s)) {
        ch_html h;
        ch_html_begin(&h, "Purchased hours", title);
        sign_in_form(&h,
                     *rest ? "Sign in first: your session has ended or was never started." : NULL);
        ch_html_end(&h);
        return ch_html_send(r, *rest ? 401 : 200, &h);
    }
    if (!*rest && !post)
        return school_page(r, &s, 0, 200, NULL);
    if (strcmp(rest, "statement") == 0 && !post)
        return statement(r, &s);
    if (strcmp(rest, "message") == 0 && post)
        return message(r, &s);
    if (strcmp(rest, "sign-out") == 0 && post) {
        /* The session ends on the server too, not only in this browser. */
        const char *cookie =
            MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "charter_school");
        uint8_t hash[32];
        ch_error err = {0};
        ch_form f;
        if (!cookie || !ch_form_parse(r, CH_FORM_MAX, &f) || !form_ok(&s, &f))
            return ch_html_message(r, 403, "Purchased hours", "Please try again",
                                   "Sign out from the button on your school's page.");
        ch_token_hash(cookie, hash);
        if (ch_store_school_token_end(r->desk->store, hash, r->now, &err))
            return ch_http_error(r, &err);
        ch_html h;
        ch_html_begin(&h, "Purchased hours", "You are signed out");
        ch_html_raw(&h, "<p><a href=\"/school\">Sign in again</a></p>\n");
        ch_html_end(&h);
        return ch_html_send_with(r, 200, &h, "charter_school=; Path=/school; Max-Age=0; HttpOnly",
                                 NULL);
    }
    return ch_html_message(r, 404, "Purchased hours", "There is no such page",
                           "Go to your school's page at /school.");
}

/* GET /api/v1/contracts/{id}/school-view: staff see what the school sees. */
enum MHD_Result ch_http_school_preview(ch_req *r, int64_t id)
{
    ch_contract c;
    ch_desk_service ds;
    enum MHD_Result res;
    if (!ch_hours_contract(r, id, &c, &ds, &res))
        return res;
    if (!c.contact_email)
        return ch_http_problem(r, 409, "No named contact",
                               "The contract names no school contact, so no one signs in to "
                               "see it; add the contact's email to the contract first.",
                               NULL);
    school s = {.email = c.contact_email, .preview = true};
    return school_page(r, &s, id, 200, NULL);
}
