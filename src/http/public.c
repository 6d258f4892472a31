/* The public pages, no sign-in and no JavaScript: a contact form that opens
 * a web case and answers with its reference and the promise in words, a
 * feedback form (compliment, comment or complaint), and a standards page
 * built from the charter: its points of contact, how well each promise was
 * kept last quarter, the complaints and compliments received, its privacy
 * notice. */
#include "core/casework.h"
#include "core/compliance.h"
#include "core/contact_point.h"
#include "core/text.h"
#include "core/transfer.h"
#include "core/timefmt.h"
#include "http/form.h"
#include "http/hours.h"
#include "http/html.h"
#include "http/surveys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
 * stored case. When p routes this kind of request to a service on the desk
 * (to), the case opens there at once, referred along the route, and that
 * service's promises count from now. */
static int open_case(ch_req *r, const ch_policy *home, const ch_service *home_svc,
                     const ch_desk_service *to, const intake *in, ch_case_row *out, ch_error *err)
{
    const ch_policy *p = to ? to->policy : home;
    const ch_service *svc = to ? to->service : home_svc;
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
        rows[i] = ch_obligation_row_for(ob[i].promise, due[i], st[i]);
    }
    snprintf(service, sizeof(service), "%s/%s", p->id, svc->id);
    char referred[300];
    snprintf(referred, sizeof(referred),
             "referred to %s (%s): the charter of %s routes these requests there", p->organisation,
             service, home->organisation);
    ch_event_row ev[2] = {{0, r->now, 0, "created", "from the public web form"},
                          {0, r->now, 0, "referred", referred}};
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
    row.events = ev;
    row.nevents = to ? 2 : 1;
    row.next_due_at = ch_next_due(due, st, n);
    /* The case and its audit row commit together. */
    ch_audit_row a = {0, r->now, 0, "create", "case", 0, r->remote, 0, NULL, NULL};
    ch_store_audit_attach(r->desk->store, &a, &row.id);
    if ((rc = ch_store_audit_finish(r->desk->store, ch_store_case_insert(r->desk->store, &row, err),
                                    err)))
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
    *out = row;
    return CH_OK;
}

int ch_public_case_open(ch_req *r, const ch_desk_service *ds, const char *name, const char *email,
                        const char *subject, const char *message, ch_case_row *out, ch_error *err)
{
    intake in = {name, email, subject, message, CH_KIND_ENQUIRY};
    return open_case(r, ds->policy, ds->service, NULL, &in, out, err);
}

/* Kinds of request the charter routes to another service: those the
 * contact form asks about. */
static unsigned routed_kinds(const ch_policy *p)
{
    unsigned kinds = 0;
    for (size_t i = 0; i < p->nroutes; i++)
        kinds |= p->routes[i].kinds;
    return kinds & ~(1u << CH_KIND_ENQUIRY);
}

static const char *kind_words(ch_case_kind k)
{
    static const char *const words[CH_KIND_COUNT] = {
        "A question or request",
        "A service order",
        "A complaint",
        "A comment",
        "A Freedom of Information request",
        "A subject access request (for the personal data we hold about you)",
        "A compliment",
    };
    return (unsigned)k < CH_KIND_COUNT ? words[k] : "";
}

/* On a charter that sends some requests elsewhere, the contact form asks
 * which kind this is, so the thank-you page can say where it went. */
static void request_choice(ch_html *h, const ch_policy *p, const ch_faults *e, const char *chosen)
{
    unsigned kinds = routed_kinds(p);
    if (!kinds)
        return;
    const char *err = ch_faults_for(e, "request");
    ch_html_raw(h, "<fieldset id=\"request\"><legend>What kind of message is this?</legend>");
    if (err) {
        ch_html_raw(h, "<p class=\"error\">");
        ch_html_text(h, err);
        ch_html_raw(h, "</p>");
    }
    for (int k = 0; k < CH_KIND_COUNT; k++) {
        if (k != CH_KIND_ENQUIRY && !(kinds & (1u << k)))
            continue;
        const char *name = ch_case_kind_name((ch_case_kind)k);
        bool on = chosen ? strcmp(chosen, name) == 0 : k == CH_KIND_ENQUIRY;
        ch_html_raw(h, "<div><input type=\"radio\" name=\"request\" id=\"request-");
        ch_html_text(h, name);
        ch_html_raw(h, "\" value=\"");
        ch_html_text(h, name);
        ch_html_raw(h, on ? "\" checked>" : "\">");
        ch_html_raw(h, " <label for=\"request-");
        ch_html_text(h, name);
        ch_html_raw(h, "\">");
        ch_html_text(h, kind_words((ch_case_kind)k));
        ch_html_raw(h, "</label></div>");
    }
    ch_html_raw(h, "</fieldset>\n");
}

static void page_form(ch_html *h, const ch_policy *p, bool feedback, const ch_faults *e,
                      const ch_form *f)
{
    char action[160];
    snprintf(action, sizeof(action), "/public/%s/%s", p->id, feedback ? "feedback" : "contact");
    ch_html_begin(h, p->organisation, feedback ? "Tell us what you think" : "Contact us");
    ch_form_error_summary(h, e);
    ch_html_raw(h, "<form method=\"post\" action=\"");
    ch_html_text(h, action);
    ch_html_raw(h, "\" novalidate>\n");
    if (feedback) {
        const char *kind = ch_form_get(f, "kind");
        const char *err = ch_faults_for(e, "kind");
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
        request_choice(h, p, e, ch_form_get(f, "request"));
        ch_form_input(h, e, "subject", "What is it about?", "text", ch_form_get(f, "subject"),
                      NULL);
    }
    ch_form_input(h, e, "message", feedback ? "Your feedback" : "Your message", "textarea",
                  ch_form_get(f, "message"), NULL);
    ch_form_input(h, e, "name", "Your name", "text", ch_form_get(f, "name"), "name");
    ch_form_input(h, e, "email", "Your email address", "email", ch_form_get(f, "email"), "email");
    ch_html_raw(h, "<p class=\"hint\">We use these only to reply to you.</p>"
                   "<button type=\"submit\">Send</button></form>\n");
    ch_html_end(h);
}

/* Public forms need no sign-in, so one address may send only so many. */
enum { PUBLIC_WINDOW = 600, PUBLIC_MAX = 20 };

static enum MHD_Result post_form(ch_req *r, const ch_policy *p, bool feedback)
{
    ch_form f;
    ch_faults e = {0};
    ch_error err = {0};
    ch_html h;
    if (ch_rate_hit(&r->desk->publics, r->remote, r->now, PUBLIC_WINDOW, PUBLIC_MAX, false)) {
        return ch_html_message(r, 429, p->organisation, "Please wait a little",
                               "We have had many messages from your connection in the last few "
                               "minutes. Please try again in ten minutes, or telephone us.");
    }
    ch_rate_hit(&r->desk->publics, r->remote, r->now, PUBLIC_WINDOW, PUBLIC_MAX, true);
    if (!ch_form_parse(r, CH_FORM_MAX, &f)) {
        f.n = 0;
        ch_faults_add(&e, "message", "The form could not be read; type your message again.");
    }
    intake in = {ch_form_get(&f, "name"), ch_form_get(&f, "email"), ch_form_get(&f, "subject"),
                 ch_form_get(&f, "message"), CH_KIND_ENQUIRY};
    const char *kind = ch_form_get(&f, "kind");
    if (feedback) {
        if (!kind ||
            (strcmp(kind, "compliment") && strcmp(kind, "comment") && strcmp(kind, "complaint")))
            ch_faults_add(&e, "kind",
                          "Choose whether this is a compliment, a comment or a complaint.");
        else {
            in.kind = strcmp(kind, "complaint") == 0    ? CH_KIND_COMPLAINT
                      : strcmp(kind, "compliment") == 0 ? CH_KIND_COMPLIMENT
                                                        : CH_KIND_FEEDBACK;
            in.subject = strcmp(kind, "complaint") == 0 ? "Complaint"
                         : strcmp(kind, "comment") == 0 ? "Comment"
                                                        : "Compliment";
        }
    } else {
        const char *request = ch_form_get(&f, "request");
        ch_case_kind k;
        if (request && (ch_case_kind_parse(request, &k) ||
                        (k != CH_KIND_ENQUIRY && !(routed_kinds(p) & (1u << k)))))
            ch_faults_add(&e, "request", "Choose what kind of message this is.");
        else if (request)
            in.kind = k;
        if (!in.subject || !*in.subject || strlen(in.subject) > 300)
            ch_faults_add(&e, "subject",
                          "Say in a few words what it is about (up to 300 characters).");
    }
    if (!in.message || !*in.message || strlen(in.message) > 10000)
        ch_faults_add(&e, "message", "Write your message (up to 10,000 characters).");
    if (!in.name || !*in.name || strlen(in.name) > 200)
        ch_faults_add(&e, "name", "Give your name, so we know who to reply to.");
    if (!in.email || strlen(in.email) > 254 || !strchr(in.email, '@'))
        ch_faults_add(&e, "email", "Give an email address like name@example.org, so we can reply.");
    const ch_service *svc = ch_policy_service(p, "enquiries");
    if (!svc)
        svc = &p->services[0];
    if (e.n) {
        page_form(&h, p, feedback, &e, &f);
        return ch_html_send(r, 400, &h);
    }
    /* A request the charter routes to a service on this desk opens there. */
    const ch_route *route = ch_policy_route(p, svc, in.kind);
    ch_desk_service to;
    bool referred = route && ch_desk_service_find(r->desk, route->to, &to, &err) == CH_OK;
    ch_case_row c;
    if (open_case(r, p, svc, referred ? &to : NULL, &in, &c, &err)) {
        fprintf(stderr, "charter serve: public form: %s\n", err.msg);
        return ch_html_message(r, 500, p->organisation, "Sorry, there is a problem",
                               "We could not take your message just now. Please try again in a "
                               "few minutes.");
    }
    char ref[32], when[64];
    snprintf(ref, sizeof(ref), "%lld", (long long)c.id);
    ch_html_begin(&h, p->organisation,
                  feedback ? "Thank you for your feedback" : "Thank you, we have your message");
    ch_html_raw(&h, "<div class=\"panel\"><p>Your reference is <strong>");
    ch_html_text(&h, ref);
    ch_html_raw(&h, "</strong>.</p></div>\n");
    if (route) {
        ch_html_raw(&h, "<p>");
        ch_html_text(&h, route->text);
        ch_html_raw(&h, "</p>\n");
    }
    if (referred) {
        ch_html_raw(&h, "<p>We have passed your request to <strong>");
        ch_html_text(&h, to.policy->organisation);
        ch_html_raw(&h, "</strong>.</p>\n");
    }
    const ch_policy *owner = referred ? to.policy : p;
    const ch_service *osvc = referred ? to.service : svc;
    const ch_calendar *cal = ch_policy_service_calendar(owner, osvc);
    bool said = false;
    for (size_t i = 0; i < c.nobligations; i++) {
        const ch_promise *pr = NULL;
        for (size_t k = 0; k < owner->npromises && !pr; k++)
            if (strcmp(owner->promises[k].id, c.obligations[i].promise) == 0)
                pr = &owner->promises[k];
        if (strcmp(c.obligations[i].kind, "process") == 0)
            continue;
        if (pr && pr->internal) { /* tracked by the desk, not promised */
            ch_html_raw(&h, "<p>");
            ch_html_text(&h, c.obligations[i].text);
            ch_html_raw(&h, " We do not promise a time for this.</p>\n");
            said = true;
            continue;
        }
        date_words(cal, c.obligations[i].due_at, when, sizeof(when));
        ch_html_raw(&h, "<p>");
        if (referred)
            ch_html_text(&h, to.policy->organisation);
        ch_html_raw(&h, referred ? " will " : "We will ");
        ch_html_raw(&h,
                    strcmp(c.obligations[i].kind, "acknowledge") == 0 ? "acknowledge it" : "reply");
        ch_html_raw(&h, " by <strong>");
        ch_html_text(&h, when);
        ch_html_raw(&h, "</strong>.</p><p class=\"hint\">");
        ch_html_text(&h, c.obligations[i].text);
        ch_html_raw(&h, "</p>\n");
        said = true;
    }
    if (in.kind == CH_KIND_COMPLIMENT)
        ch_html_raw(&h, "<p>Thank you for taking the time to tell us. We pass every compliment "
                        "on to the people it is about, and to their manager.</p>\n");
    else if (!said)
        ch_html_raw(&h, "<p>Our service standards do not promise a time for answering this "
                        "kind of message.</p>\n");
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

/* Whether point of contact c is for service id (one naming no services is
 * for the whole charter, and shown once, before the services). */
static bool point_for(const ch_contact_point *c, const char *id)
{
    if (!id)
        return c->nservices == 0;
    for (size_t i = 0; i < c->nservices; i++)
        if (strcmp(c->services[i], id) == 0)
            return true;
    return false;
}

/* One point of contact, under its own heading (below the charter's or the
 * service's), as a summary list: how to reach it and when. */
static void contact_point(ch_html *h, const ch_contact_point *c)
{
    ch_html_raw(h, "<h3>");
    ch_html_text(h, c->name);
    ch_html_raw(h, "</h3>");
    if (c->about) {
        ch_html_raw(h, "<p>");
        ch_html_text(h, c->about);
        ch_html_raw(h, "</p>");
    }
    ch_html_raw(h, "<dl class=\"contact\">");
    char tel[64];
    if (c->telephone && ch_telephone_href(c->telephone, tel, sizeof(tel))) {
        ch_html_raw(h, "<dt>Telephone</dt><dd><a href=\"");
        ch_html_text(h, tel);
        ch_html_raw(h, "\">");
        ch_html_text(h, c->telephone);
        ch_html_raw(h, "</a></dd>");
    }
    if (c->email) {
        ch_html_raw(h, "<dt>Email</dt><dd><a href=\"mailto:");
        ch_html_text(h, c->email);
        ch_html_raw(h, "\">");
        ch_html_text(h, c->email);
        ch_html_raw(h, "</a></dd>");
    }
    if (c->address) {
        ch_html_raw(h, "<dt>Post</dt><dd><address>");
        for (const char *line = c->address; line && *line;) {
            const char *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            char part[501];
            snprintf(part, sizeof(part), "%.*s", (int)(len < 500 ? len : 500), line);
            ch_html_text(h, part);
            line = nl ? nl + 1 : NULL;
            if (line && *line)
                ch_html_raw(h, "<br>");
        }
        ch_html_raw(h, "</address></dd>");
    }
    if (c->hours) {
        ch_html_raw(h, "<dt>When</dt><dd>");
        ch_html_text(h, c->hours);
        ch_html_raw(h, "</dd>");
    }
    if (c->appointment != CH_APPOINTMENT_UNSAID) {
        ch_html_raw(h, "<dt>Visiting</dt><dd>");
        ch_html_raw(h, c->appointment == CH_APPOINTMENT_REQUIRED
                           ? "By appointment only: please arrange one before you call in."
                           : "You can call in without an appointment.");
        ch_html_raw(h, "</dd>");
    }
    ch_html_raw(h, "</dl>");
    if (c->note) {
        ch_html_raw(h, "<p>");
        ch_html_text(h, c->note);
        ch_html_raw(h, "</p>");
    }
    ch_html_raw(h, "\n");
}

/* "1 July 2026" for the first day of month ym (year * 12 + month - 1), or
 * "30 September 2026" for its last. */
static void month_day(int ym, bool last, char *buf, size_t size)
{
    static const char *const months[] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};
    int y = ym / 12, m = ym % 12;
    int day =
        last ? ch_date_from_ymd((ym + 1) / 12, (ym + 1) % 12 + 1, 1) - ch_date_from_ymd(y, m + 1, 1)
             : 1;
    snprintf(buf, size, "%d %s %d", day, months[m], y);
}

/* "no complaints", "1 complaint", "12 complaints". */
static void how_many(int64_t n, const char *noun, char *buf, size_t size)
{
    if (n == 0)
        snprintf(buf, size, "no %ss", noun);
    else
        snprintf(buf, size, "%lld %s%s", (long long)n, noun, n == 1 ? "" : "s");
}

/* Complaints and compliments received in the quarter of months q0 to q0+2
 * (counted as year * 12 + month - 1) by the charter's services. */
static void feedback_counts(ch_req *r, ch_html *h, const ch_policy *p, const char *const *names,
                            size_t nnames, int q0, ch_time from, ch_time to)
{
    static const char *const kinds[] = {"complaint", "compliment"};
    int64_t counts[2] = {0, 0};
    ch_error err = {0};
    char first[40], last[40], line[400];
    month_day(q0, false, first, sizeof(first));
    month_day(q0 + 2, true, last, sizeof(last));
    ch_html_raw(h, "<h2>Complaints and compliments</h2>");
    if (!names || nnames != p->nservices ||
        ch_store_kind_counts(r->desk->store, from, to, names, nnames, kinds, 2, counts, &err)) {
        if (err.code)
            fprintf(stderr, "charter serve: standards page: %s\n", err.msg);
        ch_html_raw(h, "<p>We cannot show how many complaints and compliments we received "
                       "just now.</p>");
    } else {
        char a[40], b[40];
        how_many(counts[0], "complaint", a, sizeof(a));
        how_many(counts[1], "compliment", b, sizeof(b));
        snprintf(line, sizeof(line), "From %s to %s we received %s and %s.", first, last, a, b);
        ch_html_raw(h, "<p>");
        ch_html_text(h, line);
        ch_html_raw(h, "</p>");
    }
    ch_html_raw(h, "<p>We look into every complaint to see where we can improve, and pass "
                   "compliments on to the staff they praise. <a href=\"/public/");
    ch_html_text(h, p->id);
    ch_html_raw(h, "/feedback\">Tell us what you think</a>.</p>\n");
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
    bool general = false;
    for (size_t i = 0; i < p->ncontacts && !general; i++)
        general = point_for(&p->contacts[i], NULL);
    if (general)
        ch_html_raw(&h, "<h2>How to contact us</h2>\n");
    for (size_t i = 0; i < p->ncontacts; i++)
        if (point_for(&p->contacts[i], NULL))
            contact_point(&h, &p->contacts[i]);
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
        for (size_t i = 0; i < p->ncontacts; i++)
            if (point_for(&p->contacts[i], svc->id))
                contact_point(&h, &p->contacts[i]);
    }
    ch_html_raw(&h, "<h2>What we promise</h2><ul>");
    /* Every service of the policy, however many: names in the arena. */
    const char **names = ch_arena_alloc(&r->arena, (p->nservices + 1) * sizeof(*names));
    size_t nnames = 0;
    for (size_t s = 0; names && s < p->nservices; s++) {
        char *name = ch_arena_alloc(&r->arena, strlen(p->id) + strlen(p->services[s].id) + 2);
        if (!name)
            break;
        snprintf(name, strlen(p->id) + strlen(p->services[s].id) + 2, "%s/%s", p->id,
                 p->services[s].id);
        names[nnames++] = name;
    }
    ch_report_row *rows = NULL;
    size_t nrows = 0;
    bool have = names && nnames == p->nservices &&
                ch_store_report_rows(r->desk->store, from, to, names, nnames, &r->arena, &rows,
                                     &nrows, &err) == CH_OK &&
                ch_http_termly_rows(r->desk, names, nnames, from, to, &r->arena, &rows, &nrows,
                                    &err) == CH_OK;
    for (size_t i = 0; i < p->npromises; i++) {
        const ch_promise *pr = &p->promises[i];
        if (pr->internal) { /* the desk's own target: no time is promised */
            ch_html_raw(&h, "<li>");
            ch_html_text(&h, pr->text);
            ch_html_raw(&h, "<br><span class=\"hint\">We do not promise a time for this.</span>"
                            "</li>\n");
            continue;
        }
        /* The desk's report counts the same way (core/compliance.h): one
         * not yet due, or paused, is pending and has no outcome yet. */
        ch_tally t = {0};
        for (size_t k = 0; have && k < nrows; k++)
            if (strcmp(rows[k].promise, pr->id) == 0)
                ch_tally_add(&t,
                             ch_outcome_at(rows[k].state, rows[k].due_at, rows[k].met_at, r->now));
        long known = ch_tally_known(&t);
        ch_html_raw(&h, "<li>");
        ch_html_text(&h, pr->text);
        char how[256];
        if (!have)
            snprintf(how, sizeof(how), " We cannot show how well we kept this just now.");
        else if (known && ch_tally_complete(&t, true))
            snprintf(how, sizeof(how),
                     " Last quarter we kept this on time %ld time%s out of %ld (%ld%%).", t.on_time,
                     t.on_time == 1 ? "" : "s", known, t.on_time * 100 / known);
        else if (known)
            snprintf(how, sizeof(how),
                     " Last quarter, so far, we kept this on time %ld time%s out of %ld (%ld%%); "
                     "%ld more %s still open.",
                     t.on_time, t.on_time == 1 ? "" : "s", known, t.on_time * 100 / known,
                     t.pending, t.pending == 1 ? "is" : "are");
        else if (t.pending)
            snprintf(how, sizeof(how),
                     " Last quarter %ld fell due under this promise; all are still open, so "
                     "there is nothing to show so far.",
                     t.pending);
        else
            snprintf(how, sizeof(how), " Nothing fell due under this promise last quarter.");
        ch_html_raw(&h, "<br><span class=\"hint\">");
        ch_html_text(&h, how);
        ch_html_raw(&h, "</span></li>\n");
    }
    ch_html_raw(&h, "</ul>");
    if (p->nroutes)
        ch_html_raw(&h, "<h2>Requests handled elsewhere</h2>");
    for (size_t i = 0; i < p->nroutes; i++) {
        ch_html_raw(&h, "<p>");
        ch_html_text(&h, p->routes[i].text);
        ch_html_raw(&h, "</p>\n");
    }
    feedback_counts(r, &h, p, names, nnames, q0, from, to);
    /* Survey satisfaction sits beside the complaints and compliments. */
    ch_public_survey_summary(r, p, &h);
    if (p->privacy_notice) {
        ch_html_raw(&h, "<h2>Your personal information</h2><p>Our <a href=\"");
        ch_html_text(&h, p->privacy_notice);
        ch_html_raw(&h, "\">privacy notice</a> explains how we use and protect your personal "
                        "information.</p>\n");
    }
    ch_html_raw(&h, "<p><a href=\"/public/");
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
        enum MHD_Result ok = ch_http_respond(r, 200, resp);
        MHD_destroy_response(resp);
        return ok;
    }
    const char *slash = strchr(rest, '/');
    size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
    const ch_policy *p = ch_desk_policy_named(r->desk, rest, len);
    const char *page = slash ? slash + 1 : "";
    if (!p || (strcmp(page, "") && strcmp(page, "contact") && strcmp(page, "feedback")) ||
        (!get && !post) || (post && !*page))
        return ch_html_message(r, 404, "Charter", "Page not found",
                               "There is no page at this address. Check the address you were "
                               "given.");
    if (!*page)
        return standards(r, p);
    bool feedback = strcmp(page, "feedback") == 0;
    if (post)
        return post_form(r, p, feedback);
    ch_html h;
    ch_form empty = {0};
    ch_faults none = {0};
    page_form(&h, p, feedback, &none, &empty);
    return ch_html_send(r, 200, &h);
}
