/* The public pages, no sign-in and no JavaScript: a contact form that opens
 * a web case and answers with its reference and the promise in words, a
 * feedback form (compliment, comment or complaint), and a standards page
 * built from the charter with how well each promise was kept last quarter. */
#include "core/casework.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "http/html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct form_field {
    const char *name, *value;
} form_field;

typedef struct form {
    form_field items[16];
    size_t n;
} form;

static int hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* application/x-www-form-urlencoded into name/value pairs in the arena;
 * false when it is not that, or not UTF-8 text. */
static bool form_parse(ch_req *r, form *f)
{
    char *body = r->body ? ch_arena_strndup(&r->arena, r->body, r->len) : NULL;
    f->n = 0;
    for (char *pair = body, *next; pair && *pair && f->n < 16; pair = next) {
        next = strchr(pair, '&');
        if (next)
            *next++ = '\0';
        char *eq = strchr(pair, '=');
        if (!eq)
            continue;
        *eq = '\0';
        char *fields[2] = {pair, eq + 1};
        for (int k = 0; k < 2; k++) {
            char *in = fields[k], *out = fields[k];
            for (; *in; in++) {
                if (*in == '+') {
                    *out++ = ' ';
                } else if (*in == '%' && hex(in[1]) >= 0 && hex(in[2]) >= 0) {
                    *out++ = (char)(hex(in[1]) * 16 + hex(in[2]));
                    in += 2;
                } else {
                    *out++ = *in;
                }
            }
            *out = '\0';
            if (ch_utf8_invalid_at(fields[k], strlen(fields[k])) != strlen(fields[k]))
                return false;
        }
        f->items[f->n++] = (form_field){pair, eq + 1};
    }
    return true;
}

static const char *form_get(const form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->items[i].name, name) == 0)
            return f->items[i].value;
    return NULL;
}

/* Problems with the form, shown in a summary and beside each field. */
typedef struct faults {
    const char *field[8], *message[8];
    size_t n;
} faults;

static void fault(faults *e, const char *field, const char *message)
{
    if (e->n < 8) {
        e->field[e->n] = field;
        e->message[e->n++] = message;
    }
}

static const char *fault_for(const faults *e, const char *field)
{
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->field[i], field) == 0)
            return e->message[i];
    return NULL;
}

static void error_summary(ch_html *h, const faults *e)
{
    if (!e->n)
        return;
    ch_html_raw(h, "<div class=\"error-summary\" role=\"alert\"><h2>There is a problem</h2><ul>");
    for (size_t i = 0; i < e->n; i++) {
        ch_html_raw(h, "<li><a href=\"#");
        ch_html_text(h, e->field[i]);
        ch_html_raw(h, "\">");
        ch_html_text(h, e->message[i]);
        ch_html_raw(h, "</a></li>");
    }
    ch_html_raw(h, "</ul></div>\n");
}

/* A labelled input (or textarea), with its error beside it when there is one. */
static void input(ch_html *h, const faults *e, const char *name, const char *label,
                  const char *type, const char *value, const char *autocomplete)
{
    const char *err = fault_for(e, name);
    ch_html_raw(h, "<label for=\"");
    ch_html_text(h, name);
    ch_html_raw(h, "\">");
    ch_html_text(h, label);
    ch_html_raw(h, "</label>");
    if (err) {
        ch_html_raw(h, "<p class=\"error\" id=\"");
        ch_html_text(h, name);
        ch_html_raw(h, "-error\">");
        ch_html_text(h, err);
        ch_html_raw(h, "</p>");
    }
    bool area = strcmp(type, "textarea") == 0;
    ch_html_raw(h, area ? "<textarea" : "<input type=\"");
    if (!area) {
        ch_html_text(h, type);
        ch_html_raw(h, "\"");
    }
    ch_html_raw(h, " id=\"");
    ch_html_text(h, name);
    ch_html_raw(h, "\" name=\"");
    ch_html_text(h, name);
    ch_html_raw(h, "\"");
    if (autocomplete) {
        ch_html_raw(h, " autocomplete=\"");
        ch_html_text(h, autocomplete);
        ch_html_raw(h, "\"");
    }
    if (err) {
        ch_html_raw(h, " aria-invalid=\"true\" aria-describedby=\"");
        ch_html_text(h, name);
        ch_html_raw(h, "-error\"");
    }
    if (area) {
        ch_html_raw(h, ">");
        ch_html_text(h, value ? value : "");
        ch_html_raw(h, "</textarea>\n");
    } else {
        ch_html_raw(h, " value=\"");
        ch_html_text(h, value ? value : "");
        ch_html_raw(h, "\">\n");
    }
}

static const ch_policy *find_policy(ch_req *r, const char *id, size_t len)
{
    for (size_t i = 0; i < r->desk->npolicies; i++) {
        const ch_policy *p = r->desk->policies[i].policy;
        if (strlen(p->id) == len && strncmp(p->id, id, len) == 0)
            return p;
    }
    return NULL;
}

/* "Wednesday 23 December 2026" in the calendar's zone. */
static void date_words(const ch_calendar *cal, ch_time t, char *buf, size_t size)
{
    static const char *const days[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                       "Friday", "Saturday", "Sunday"};
    static const char *const months[] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};
    ch_date d;
    int32_t secs;
    int y, m, dd;
    ch_tz_to_local(ch_calendar_tz(cal), t, &d, &secs);
    ch_date_to_ymd(d, &y, &m, &dd);
    snprintf(buf, size, "%s %d %s %d", days[ch_date_weekday(d)], dd, months[m - 1], y);
}

typedef struct intake {
    const char *name, *email, *subject, *message;
    ch_case_kind kind;
} intake;

/* Opens the web case with the message as its first contact; *out is the
 * stored case. */
static int open_case(ch_req *r, const ch_policy *p, const ch_service *svc, const intake *in,
                     ch_case_row *out, ch_error *err)
{
    ch_contact c = {.channel = CH_CHANNEL_WEB, .kind = in->kind, .received = r->now};
    ch_obligation ob[CH_POLICY_MAX_PROMISES];
    ch_obligation_row rows[CH_POLICY_MAX_PROMISES];
    ch_time due[CH_POLICY_MAX_PROMISES];
    ch_ostate st[CH_POLICY_MAX_PROMISES];
    size_t n;
    ch_time deemed;
    char service[140];
    int rc = ch_policy_obligations(p, svc, &c, ob, CH_POLICY_MAX_PROMISES, &n, &deemed, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        due[i] = ob[i].due;
        st[i] = ch_ostate_at(false, due[i], r->now);
        rows[i] = (ch_obligation_row){0,
                                      ob[i].promise->id,
                                      ch_obligation_kind_name(ob[i].promise->obligation),
                                      ob[i].promise->text,
                                      due[i],
                                      ch_ostate_name(st[i]),
                                      0};
    }
    snprintf(service, sizeof(service), "%s/%s", p->id, svc->id);
    ch_event_row ev = {0, r->now, 0, "created", "from the public web form"};
    ch_case_row row = {0};
    row.service = service;
    row.kind = ch_case_kind_name(in->kind);
    row.channel = "web";
    row.subject = in->subject;
    row.status = "open";
    row.received_at = r->now;
    row.deemed_at = deemed;
    row.created_at = r->now;
    row.requester_name = in->name;
    row.requester_email = in->email;
    row.obligations = rows;
    row.nobligations = n;
    row.events = &ev;
    row.nevents = 1;
    row.next_due_at = ch_next_due(due, st, n);
    if ((rc = ch_store_case_insert(r->desk->store, &row, err)))
        return rc;
    ch_contact_row contact = {0, "inbound", "web", in->name, in->message, NULL, r->now, 0};
    ch_event_row said = {0, r->now, 0, "contact", "inbound web contact"};
    ch_case_update u = {.case_id = row.id,
                        .expect = 1,
                        .contact = &contact,
                        .event = &said,
                        .status = "open",
                        .next_due_at = row.next_due_at,
                        .now = r->now};
    int64_t version;
    if ((rc = ch_store_case_update(r->desk->store, &u, &version, err)))
        return rc;
    ch_audit_row a = {0, r->now, 0, "create", "case", row.id, r->remote};
    if ((rc = ch_store_audit_insert(r->desk->store, &a, err)))
        return rc;
    *out = row;
    return CH_OK;
}

static void page_form(ch_html *h, const ch_policy *p, bool feedback, const faults *e, const form *f)
{
    char action[160];
    snprintf(action, sizeof(action), "/public/%s/%s", p->id, feedback ? "feedback" : "contact");
    ch_html_begin(h, p->organisation, feedback ? "Tell us what you think" : "Contact us");
    error_summary(h, e);
    ch_html_raw(h, "<form method=\"post\" action=\"");
    ch_html_text(h, action);
    ch_html_raw(h, "\" novalidate>\n");
    if (feedback) {
        const char *kind = form_get(f, "kind");
        const char *err = fault_for(e, "kind");
        ch_html_raw(h, "<fieldset id=\"kind\"><legend>Is this a compliment, a comment or a "
                       "complaint?</legend>");
        if (err) {
            ch_html_raw(h, "<p class=\"error\">");
            ch_html_text(h, err);
            ch_html_raw(h, "</p>");
        }
        static const char *const kinds[] = {"compliment", "comment", "complaint"};
        static const char *const labels[] = {"A compliment", "A comment", "A complaint"};
        for (int i = 0; i < 3; i++) {
            ch_html_raw(h, "<div><input type=\"radio\" name=\"kind\" id=\"kind-");
            ch_html_raw(h, kinds[i]);
            ch_html_raw(h, "\" value=\"");
            ch_html_raw(h, kinds[i]);
            ch_html_raw(h, kind && strcmp(kind, kinds[i]) == 0 ? "\" checked>" : "\">");
            ch_html_raw(h, " <label for=\"kind-");
            ch_html_raw(h, kinds[i]);
            ch_html_raw(h, "\">");
            ch_html_raw(h, labels[i]);
            ch_html_raw(h, "</label></div>");
        }
        ch_html_raw(h, "</fieldset>\n");
    } else {
        input(h, e, "subject", "What is it about?", "text", form_get(f, "subject"), NULL);
    }
    input(h, e, "message", feedback ? "Your feedback" : "Your message", "textarea",
          form_get(f, "message"), NULL);
    input(h, e, "name", "Your name", "text", form_get(f, "name"), "name");
    input(h, e, "email", "Your email address", "email", form_get(f, "email"), "email");
    ch_html_raw(h, "<p class=\"hint\">We use these only to reply to you.</p>"
                   "<button type=\"submit\">Send</button></form>\n");
    ch_html_end(h);
}

/* Public forms need no sign-in, so one address may send only so many. */
enum { PUBLIC_WINDOW = 600, PUBLIC_MAX = 20 };

static enum MHD_Result post_form(ch_req *r, const ch_policy *p, bool feedback)
{
    form f;
    faults e = {0};
    ch_error err = {0};
    ch_html h;
    if (ch_rate_hit(&r->desk->publics, r->remote, r->now, PUBLIC_WINDOW, PUBLIC_MAX, false)) {
        ch_html_begin(&h, p->organisation, "Please wait a little");
        ch_html_raw(&h, "<p>We have had many messages from your connection in the last few "
                        "minutes. Please try again in ten minutes, or telephone us.</p>");
        ch_html_end(&h);
        return ch_html_send(r, 429, &h);
    }
    ch_rate_hit(&r->desk->publics, r->remote, r->now, PUBLIC_WINDOW, PUBLIC_MAX, true);
    if (!form_parse(r, &f)) {
        f.n = 0;
        fault(&e, "message", "The form could not be read; type your message again.");
    }
    intake in = {form_get(&f, "name"), form_get(&f, "email"), form_get(&f, "subject"),
                 form_get(&f, "message"), CH_KIND_ENQUIRY};
    const char *kind = form_get(&f, "kind");
    if (feedback) {
        if (!kind ||
            (strcmp(kind, "compliment") && strcmp(kind, "comment") && strcmp(kind, "complaint")))
            fault(&e, "kind", "Choose whether this is a compliment, a comment or a complaint.");
        else {
            in.kind = strcmp(kind, "complaint") == 0 ? CH_KIND_COMPLAINT : CH_KIND_FEEDBACK;
            in.subject = strcmp(kind, "complaint") == 0 ? "Complaint"
                         : strcmp(kind, "comment") == 0 ? "Comment"
                                                        : "Compliment";
        }
    } else if (!in.subject || !*in.subject || strlen(in.subject) > 300) {
        fault(&e, "subject", "Say in a few words what it is about (up to 300 characters).");
    }
    if (!in.message || !*in.message || strlen(in.message) > 10000)
        fault(&e, "message", "Write your message (up to 10,000 characters).");
    if (!in.name || !*in.name || strlen(in.name) > 200)
        fault(&e, "name", "Give your name, so we know who to reply to.");
    if (!in.email || strlen(in.email) > 254 || !strchr(in.email, '@'))
        fault(&e, "email", "Give an email address like name@example.org, so we can reply.");
    const ch_service *svc = ch_policy_service(p, "enquiries");
    if (!svc)
        svc = &p->services[0];
    if (e.n) {
        page_form(&h, p, feedback, &e, &f);
        return ch_html_send(r, 400, &h);
    }
    ch_case_row c;
    if (open_case(r, p, svc, &in, &c, &err)) {
        fprintf(stderr, "charter serve: public form: %s\n", err.msg);
        ch_html_begin(&h, p->organisation, "Sorry, there is a problem");
        ch_html_raw(&h, "<p>We could not take your message just now. Please try again in a few "
                        "minutes.</p>");
        ch_html_end(&h);
        return ch_html_send(r, 500, &h);
    }
    char ref[32], when[64];
    snprintf(ref, sizeof(ref), "%lld", (long long)c.id);
    ch_html_begin(&h, p->organisation,
                  feedback ? "Thank you for your feedback" : "Thank you, we have your message");
    ch_html_raw(&h, "<div class=\"panel\"><p>Your reference is <strong>");
    ch_html_text(&h, ref);
    ch_html_raw(&h, "</strong>.</p></div>\n");
    const ch_calendar *cal = ch_policy_service_calendar(p, svc);
    bool promised = false;
    for (size_t i = 0; i < c.nobligations; i++) {
        if (strcmp(c.obligations[i].kind, "process") == 0)
            continue;
        date_words(cal, c.obligations[i].due_at, when, sizeof(when));
        ch_html_raw(&h, "<p>We will ");
        ch_html_raw(&h,
                    strcmp(c.obligations[i].kind, "acknowledge") == 0 ? "acknowledge it" : "reply");
        ch_html_raw(&h, " by <strong>");
        ch_html_text(&h, when);
        ch_html_raw(&h, "</strong>.</p><p class=\"hint\">");
        ch_html_text(&h, c.obligations[i].text);
        ch_html_raw(&h, "</p>\n");
        promised = true;
    }
    if (!promised)
        ch_html_raw(&h, "<p>We will be in touch.</p>\n");
    ch_html_end(&h);
    return ch_html_send(r, 200, &h);
}

static void hours_rows(ch_html *h, const ch_calendar *cal)
{
    static const char *const days[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                       "Friday", "Saturday", "Sunday"};
    const ch_week *w = ch_calendar_week(cal);
    for (int d = 0; d < 7;) {
        int end = d;
        while (end + 1 < 7 && w->nspans[end + 1] == w->nspans[d] &&
               memcmp(w->spans[end + 1], w->spans[d], (size_t)w->nspans[d] * sizeof(ch_span)) == 0)
            end++;
        ch_html_raw(h, "<tr><th scope=\"row\">");
        ch_html_raw(h, days[d]);
        if (end > d) {
            ch_html_raw(h, end == d + 1 ? " and " : " to ");
            ch_html_raw(h, days[end]);
        }
        ch_html_raw(h, "</th><td>");
        if (!w->nspans[d])
            ch_html_raw(h, "Closed");
        for (int i = 0; i < w->nspans[d]; i++) {
            char a[12], b[12];
            ch_clock_format(w->spans[d][i].open, a, sizeof(a));
            ch_clock_format(w->spans[d][i].close, b, sizeof(b));
            ch_html_raw(h, i ? ", " : "");
            ch_html_text(h, a);
            ch_html_raw(h, " to ");
            ch_html_text(h, b);
        }
        ch_html_raw(h, "</td></tr>");
        d = end + 1;
    }
}

static enum MHD_Result standards(ch_req *r, const ch_policy *p)
{
    ch_html h;
    ch_error err = {0};
    /* Last quarter: the three whole months before this quarter began. */
    int y, m, d;
    ch_date_to_ymd(ch_time_utc_date(r->now), &y, &m, &d);
    int q0 = (y * 12 + m - 1) / 3 * 3 - 3;
    ch_time from = (ch_time)ch_date_from_ymd(q0 / 12, q0 % 12 + 1, 1) * CH_DAY_SECS;
    ch_time to = (ch_time)ch_date_from_ymd((q0 + 3) / 12, (q0 + 3) % 12 + 1, 1) * CH_DAY_SECS;
    ch_html_begin(&h, p->organisation, "Our service standards");
    for (size_t s = 0; s < p->nservices; s++) {
        const ch_service *svc = &p->services[s];
        const ch_calendar *cal = ch_policy_service_calendar(p, svc);
        size_t nterms;
        ch_html_raw(&h, "<h2>");
        ch_html_text(&h, svc->name);
        ch_html_raw(&h, "</h2><table><caption>When we are open</caption><tbody>");
        hours_rows(&h, cal);
        ch_html_raw(&h, "</tbody></table>");
        ch_calendar_terms(cal, &nterms);
        if (nterms)
            ch_html_raw(&h, "<p>We are open in school term time only.</p>");
        if (ch_calendar_cutoff(cal) >= 0) {
            char cut[12];
            ch_clock_format(ch_calendar_cutoff(cal), cut, sizeof(cut));
            ch_html_raw(&h, "<p>Messages that reach us after ");
            ch_html_text(&h, cut);
            ch_html_raw(&h, " count from the next working day.</p>");
        }
        ch_html_raw(&h, "<p>We are closed on bank holidays.</p>\n");
    }
    ch_html_raw(&h, "<h2>What we promise</h2><ul>");
    char service_names[64][140];
    const char *names[64];
    size_t nnames = 0;
    for (size_t s = 0; s < p->nservices && s < 64; s++) {
        snprintf(service_names[s], sizeof(service_names[s]), "%s/%s", p->id, p->services[s].id);
        names[nnames++] = service_names[s];
    }
    ch_report_row *rows = NULL;
    size_t nrows = 0;
    bool have = ch_store_report_rows(r->desk->store, from, to, names, nnames, &r->arena, &rows,
                                     &nrows, &err) == CH_OK;
    for (size_t i = 0; i < p->npromises; i++) {
        const ch_promise *pr = &p->promises[i];
        long due = 0, kept = 0;
        for (size_t k = 0; have && k < nrows; k++) {
            if (strcmp(rows[k].promise, pr->id) != 0)
                continue;
            due++;
            kept += strcmp(rows[k].state, "met") == 0 && rows[k].met_at <= rows[k].due_at;
        }
        ch_html_raw(&h, "<li>");
        ch_html_text(&h, pr->text);
        char how[160];
        if (due)
            snprintf(how, sizeof(how), " Last quarter we kept this %ld times out of %ld (%ld%%).",
                     kept, due, kept * 100 / due);
        else
            snprintf(how, sizeof(how), " Nothing fell due under this promise last quarter.");
        ch_html_raw(&h, "<br><span class=\"hint\">");
        ch_html_text(&h, how);
        ch_html_raw(&h, "</span></li>\n");
    }
    ch_html_raw(&h, "</ul><p><a href=\"/public/");
    ch_html_text(&h, p->id);
    ch_html_raw(&h, "/contact\">Contact us</a> or <a href=\"/public/");
    ch_html_text(&h, p->id);
    ch_html_raw(&h, "/feedback\">tell us what you think</a>.</p>\n");
    ch_html_end(&h);
    return ch_html_send(r, 200, &h);
}

enum MHD_Result ch_http_public(ch_req *r, const char *rest)
{
    bool get = strcmp(r->method, "GET") == 0, post = strcmp(r->method, "POST") == 0;
    if (strcmp(rest, "style.css") == 0 && get) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(
            strlen(ch_html_css), (void *)ch_html_css, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(resp, "Content-Type", "text/css; charset=utf-8");
        MHD_add_response_header(resp, "Cache-Control", "max-age=3600");
        enum MHD_Result ok = MHD_queue_response(r->conn, 200, resp);
        MHD_destroy_response(resp);
        return ok;
    }
    const char *slash = strchr(rest, '/');
    size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
    const ch_policy *p = find_policy(r, rest, len);
    const char *page = slash ? slash + 1 : "";
    if (!p || (strcmp(page, "") && strcmp(page, "contact") && strcmp(page, "feedback")) ||
        (!get && !post) || (post && !*page)) {
        ch_html h;
        ch_html_begin(&h, "Charter", "Page not found");
        ch_html_raw(&h, "<p>There is no page at this address. Check the address you were "
                        "given.</p>");
        ch_html_end(&h);
        return ch_html_send(r, 404, &h);
    }
    if (!*page)
        return standards(r, p);
    bool feedback = strcmp(page, "feedback") == 0;
    if (post)
        return post_form(r, p, feedback);
    ch_html h;
    form empty = {0};
    faults none = {0};
    page_form(&h, p, feedback, &none, &empty);
    return ch_html_send(r, 200, &h);
}
