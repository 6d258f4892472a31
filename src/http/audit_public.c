/* The public pages of a behaviour audit, no sign-in and no JavaScript: each
 * group's form (with the school's sample so far) and a technical-problem
 * form that opens a case; over plain HTTP both refuse where TLS is required. */
#include "core/casework.h"
#include "core/text.h"
#include "http/audits.h"
#include "http/form.h"
#include "http/hours.h"
#include "http/html.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_PAIRS = 256 };

/* A posted form; bad when it could not be read at all. */
typedef struct pairs {
    ch_form form;
    bool bad;
} pairs;

static void pairs_parse(ch_req *r, pairs *f)
{
    f->bad = !ch_form_parse(r, MAX_PAIRS, &f->form);
}

static size_t pairs_all(const pairs *f, const char *name, const char **values, size_t cap)
{
    return ch_form_all(&f->form, name, values, cap);
}

static const char *pairs_get(const pairs *f, const char *name)
{
    return ch_form_get(&f->form, name);
}

/* The charter's rule that answers travel only over HTTPS. Only the server's
 * own TLS counts: a header a proxy could set (X-Forwarded-Proto) is not
 * trusted, since anyone can send it. */
static bool insecure(const ch_req *r, const ch_policy *p)
{
    return p->audits && p->audits->require_tls && !r->desk->tls;
}

static enum MHD_Result refuse_plain(ch_req *r, const ch_policy *p)
{
    return ch_html_message(r, 403, p->organisation, "Please use the secure address",
                           "This survey takes answers only over a secure connection, so nothing "
                           "you sent has been saved. Open the survey at the address that begins "
                           "https:// (ask the school for the link again if you need it).");
}

/* "Wednesday 23 December 2026". */
static void date_words(ch_date d, char *buf, size_t size)
{
    static const char *const days[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                       "Friday", "Saturday", "Sunday"};
    static const char *const months[] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};
    int y, m, dd;
    ch_date_to_ymd(d, &y, &m, &dd);
    snprintf(buf, size, "%s %d %s %d", days[ch_date_weekday(d)], dd, months[m - 1], y);
}

typedef struct form_ctx {
    ch_req *r;
    const ch_policy *p;
    const ch_school_audit *a;
    const ch_audit_template *t;
    ch_audit_group group;
    const char *code;
    /* This copy of the form: sent back with the answers, so the same form
     * sent twice (refreshed, or the button pressed again) counts once. */
    const char *form_id;
    const char *faults[CH_AUDIT_MAX_QUESTIONS]; /* per question, NULL when fine */
    size_t nfaults;
    const pairs *sent; /* what was typed, shown again after a mistake */
} form_ctx;

/* "So far 3 parents from Beacon Primary have answered this survey." */
static void sample_line(char *buf, size_t size, ch_audit_group g, int64_t n, const char *school)
{
    const char *name = ch_audit_group_name(g);
    int len = (int)strlen(name) - (n == 1); /* "parent" for one */
    snprintf(buf, size, "So far %lld %.*s from %s %s answered this survey.", (long long)n, len,
             name, school, n == 1 ? "has" : "have");
}

/* The school's whole sample so far, group by group; just_answered (a group
 * plus one, 0 for none) has the answer just saved added, not yet counted. */
static void every_group(ch_html *h, const ch_school_audit *a, int just_answered)
{
    ch_html_raw(h, "<p>Answers so far, by group:</p><ul id=\"groups\">");
    for (int g = 0; g < CH_AUDIT_GROUPS; g++) {
        char item[64];
        if (!a->codes[g])
            continue;
        snprintf(item, sizeof(item), "%s: %lld", ch_audit_group_title((ch_audit_group)g),
                 (long long)(a->responses[g] + (just_answered == g + 1)));
        ch_html_raw(h, "<li>");
        ch_html_text(h, item);
        ch_html_raw(h, "</li>");
    }
    ch_html_raw(h, "</ul>");
}

static void count_line(ch_html *h, const form_ctx *c)
{
    char line[300];
    int64_t n = c->a->responses[c->group];
    sample_line(line, sizeof(line), c->group, n, c->a->school);
    ch_html_raw(h, "<div class=\"panel\"><p id=\"sample\">");
    ch_html_text(h, line);
    ch_html_raw(h, "</p>");
    every_group(h, c->a, 0);
    ch_html_raw(h, "</div>\n");
}

static bool sent_has(const form_ctx *c, const char *name, const char *value)
{
    const char *values[CH_AUDIT_MAX_OPTIONS + 1];
    size_t n = c->sent ? pairs_all(c->sent, name, values, CH_AUDIT_MAX_OPTIONS + 1) : 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(values[i], value) == 0)
            return true;
    return false;
}

/* One choice (a radio or a checkbox) inside its label, so the two sit on
 * one line under the page's block labels and the whole line is the target. */
static void choice(ch_html *h, const form_ctx *c, const char *name, bool multiple, int k,
                   const char *label)
{
    char value[16], id[120];
    snprintf(value, sizeof(value), "%d", k);
    snprintf(id, sizeof(id), "%s-%d", name, k);
    ch_html_raw(h, "<label for=\"");
    ch_html_text(h, id);
    ch_html_raw(h, multiple ? "\"><input type=\"checkbox\" name=\""
                            : "\"><input type=\"radio\" name=\"");
    ch_html_text(h, name);
    ch_html_raw(h, "\" id=\"");
    ch_html_text(h, id);
    ch_html_raw(h, "\" value=\"");
    ch_html_text(h, value);
    ch_html_raw(h, sent_has(c, name, value) ? "\" checked> " : "\"> ");
    ch_html_text(h, label);
    ch_html_raw(h, "</label>");
}

static void question(ch_html *h, const form_ctx *c, size_t i)
{
    const ch_audit_question *q = &c->t->questions[i];
    char name[80], hint[200];
    snprintf(name, sizeof(name), "q-%s", q->id);
    const char *fault = c->faults[i];
    if (q->kind == CH_AUDIT_TEXT) {
        ch_html_raw(h, "<div class=\"question\"><label for=\"");
        ch_html_text(h, name);
        ch_html_raw(h, "\">");
        ch_html_text(h, q->text);
        ch_html_raw(h, q->required ? "</label>" : " (optional)</label>");
        if (fault) {
            ch_html_raw(h, "<p class=\"error\" id=\"");
            ch_html_text(h, name);
            ch_html_raw(h, "-error\">");
            ch_html_text(h, fault);
            ch_html_raw(h, "</p>");
        }
        ch_html_raw(h, "<textarea id=\"");
        ch_html_text(h, name);
        ch_html_raw(h, "\" name=\"");
        ch_html_text(h, name);
        ch_html_raw(h, fault ? "\" aria-invalid=\"true\" aria-describedby=\"" : "\"");
        if (fault) {
            ch_html_text(h, name);
            ch_html_raw(h, "-error\"");
        }
        ch_html_raw(h, ">");
        ch_html_text(h, c->sent ? pairs_get(c->sent, name) : NULL);
        ch_html_raw(h, "</textarea></div>\n");
        return;
    }
    ch_html_raw(h, "<fieldset class=\"question\" id=\"");
    ch_html_text(h, name);
    if (fault) {
        ch_html_raw(h, "\" aria-describedby=\"");
        ch_html_text(h, name);
        ch_html_raw(h, "-error");
    }
    ch_html_raw(h, "\"><legend>");
    ch_html_text(h, q->text);
    if (!q->required)
        ch_html_raw(h, " (optional)");
    ch_html_raw(h, "</legend>");
    if (q->kind == CH_AUDIT_SCALE && (q->low || q->high)) {
        snprintf(hint, sizeof(hint), "1 means %s; %d means %s.", q->low ? q->low : "the least",
                 q->points, q->high ? q->high : "the most");
        ch_html_raw(h, "<p class=\"hint\">");
        ch_html_text(h, hint);
        ch_html_raw(h, "</p>");
    }
    if (fault) {
        ch_html_raw(h, "<p class=\"error\" id=\"");
        ch_html_text(h, name);
        ch_html_raw(h, "-error\">");
        ch_html_text(h, fault);
        ch_html_raw(h, "</p>");
    }
    if (q->kind == CH_AUDIT_SCALE) {
        for (int k = 1; k <= q->points; k++) {
            char label[160];
            const char *end = k == 1 ? q->low : k == q->points ? q->high : NULL;
            snprintf(label, sizeof(label), end ? "%d (%s)" : "%d", k, end ? end : "");
            choice(h, c, name, false, k, label);
        }
    } else {
        for (size_t k = 0; k < q->noptions; k++)
            choice(h, c, name, q->kind == CH_AUDIT_MULTIPLE, (int)k, q->options[k]);
    }
    ch_html_raw(h, "</fieldset>\n");
}

static void problem_link(ch_html *h, const ch_policy *p, const char *code)
{
    char href[200];
    snprintf(href, sizeof(href), "/public/%s/audit-problem%s%s", p->id, code ? "?code=" : "",
             code ? code : "");
    ch_html_raw(h, "<p>Something not working? <a href=\"");
    ch_html_text(h, href);
    ch_html_raw(h, "\">Report a technical problem with this survey</a>.</p>\n");
}

static void form_page(ch_html *h, const form_ctx *c)
{
    char title[300], action[200];
    snprintf(title, sizeof(title), "%s: %s", c->t->title, ch_audit_group_title(c->group));
    ch_html_begin(h, c->p->organisation, title);
    if (c->nfaults) {
        ch_html_raw(h, "<div class=\"error-summary\" role=\"alert\"><h2>There is a problem</h2>"
                       "<ul>");
        for (size_t i = 0; i < c->t->nquestions; i++) {
            if (!c->faults[i])
                continue;
            ch_html_raw(h, "<li><a href=\"#q-");
            ch_html_text(h, c->t->questions[i].id);
            ch_html_raw(h, "\">");
            ch_html_text(h, c->t->questions[i].text);
            ch_html_raw(h, " ");
            ch_html_text(h, c->faults[i]);
            ch_html_raw(h, "</a></li>");
        }
        ch_html_raw(h, "</ul></div>\n");
    }
    ch_html_raw(h, "<p>For ");
    ch_html_text(h, ch_audit_group_name(c->group));
    ch_html_raw(h, " at <strong>");
    ch_html_text(h, c->a->school);
    ch_html_raw(h, "</strong>.</p>\n");
    if (c->t->intro) {
        ch_html_raw(h, "<p>");
        ch_html_text(h, c->t->intro);
        ch_html_raw(h, "</p>\n");
    }
    count_line(h, c);
    if (insecure(c->r, c->p)) {
        ch_html_raw(h, "<p class=\"error\">This survey takes answers only over a secure "
                       "connection. Open it at the address that begins https:// (ask the "
                       "school for the link again if you need it).</p>\n");
        ch_html_end(h);
        return;
    }
    ch_audit_form_path(c->p, c->code, action, sizeof(action));
    ch_html_raw(h, "<form method=\"post\" action=\"");
    ch_html_text(h, action);
    ch_html_raw(h, "\" novalidate>\n<input type=\"hidden\" name=\"form\" value=\"");
    ch_html_text(h, c->form_id);
    ch_html_raw(h, "\">\n");
    for (size_t i = 0; i < c->t->nquestions; i++)
        if (ch_audit_asks(&c->t->questions[i], c->group))
            question(h, c, i);
    ch_html_raw(h, "<button type=\"submit\">Send my answers</button></form>\n");
    problem_link(h, c->p, c->code);
    ch_html_end(h);
}

/* Public forms need no sign-in, so one address may send only so many. A
 * school's pupils answer from one connection (one address behind the
 * school's router), a class at a time, so survey answers have a budget of
 * their own, counted apart from the contact forms' and far larger; a
 * problem report counts as a contact form does. */
enum { PUBLIC_WINDOW = 600, PUBLIC_MAX = 20, ANSWERS_MAX = 300 };

static bool too_many(ch_req *r, const ch_policy *p, bool answers, enum MHD_Result *res)
{
    char key[80];
    snprintf(key, sizeof(key), "%s%s", r->remote, answers ? " audit" : "");
    int max = answers ? ANSWERS_MAX : PUBLIC_MAX;
    if (ch_rate_hit(&r->desk->publics, key, r->now, PUBLIC_WINDOW, max, false)) {
        *res = ch_html_message(r, 429, p->organisation, "Please wait a little",
                               "We have had many forms from your connection in the last few "
                               "minutes, and nothing you sent has been saved. Please try again in "
                               "ten minutes.");
        return true;
    }
    ch_rate_hit(&r->desk->publics, key, r->now, PUBLIC_WINDOW, max, true);
    return false;
}

/* The first field the form sent that is neither its id nor a question
 * asked of the group (one from an old copy of the form, or made up), or
 * NULL: such an answer is refused rather than dropped unread. */
static const char *unasked(const form_ctx *c, const pairs *f)
{
    for (size_t i = 0; i < f->form.n; i++) {
        const char *name = f->form.items[i].name;
        bool known = strcmp(name, "form") == 0;
        for (size_t q = 0; !known && q < c->t->nquestions; q++)
            known = strncmp(name, "q-", 2) == 0 && strcmp(name + 2, c->t->questions[q].id) == 0 &&
                    ch_audit_asks(&c->t->questions[q], c->group);
        if (!known)
            return name;
    }
    return NULL;
}

/* Reads every question's answer; a fault per question that has one. */
static void read_answers(form_ctx *c, const pairs *f, ch_audit_answer *answers)
{
    for (size_t i = 0; i < c->t->nquestions; i++) {
        const ch_audit_question *q = &c->t->questions[i];
        const char *values[CH_AUDIT_MAX_OPTIONS + 1];
        char name[80];
        ch_error err = {0};
        memset(&answers[i], 0, sizeof(answers[i]));
        if (!ch_audit_asks(q, c->group))
            continue;
        snprintf(name, sizeof(name), "q-%s", q->id);
        size_t n = pairs_all(f, name, values, CH_AUDIT_MAX_OPTIONS + 1);
        if (n > (q->kind == CH_AUDIT_MULTIPLE ? q->noptions : 1)) {
            c->faults[i] = q->kind == CH_AUDIT_MULTIPLE ? "Choose only from the answers shown."
                                                        : "Give one answer only.";
            c->nfaults++;
        } else if (ch_audit_answer_read(q, values, n, &answers[i], &err)) {
            c->faults[i] = ch_arena_strdup(&c->r->arena, err.msg);
            c->nfaults++;
        }
    }
}

/* fresh: these answers were just saved; otherwise the same form came again
 * and its first sending is what counts. */
static enum MHD_Result thank_you(ch_req *r, form_ctx *c, bool fresh)
{
    ch_html h;
    char line[300];
    int64_t n = c->a->responses[c->group] + fresh;
    ch_html_begin(&h, c->p->organisation, "Thank you, your answers are saved");
    sample_line(line, sizeof(line), c->group, n, c->a->school);
    ch_html_raw(&h, "<div class=\"panel\"><p id=\"sample\">");
    ch_html_text(&h, line);
    ch_html_raw(&h, "</p>");
    every_group(&h, c->a, fresh ? (int)c->group + 1 : 0);
    ch_html_raw(&h, "</div>\n");
    if (!fresh)
        ch_html_raw(&h, "<p>We had these answers already, from this same form, so they are "
                        "counted once.</p>\n");
    ch_html_raw(&h, "<p>The school will see the results of the survey once it closes. "
                    "You do not need to do anything else.</p>\n");
    ch_html_end(&h);
    return ch_html_send(r, 200, &h);
}

enum MHD_Result ch_http_audit_form(ch_req *r, const char *rest)
{
    const char *slash = strchr(rest, '/');
    const ch_policy *p = slash ? ch_desk_policy_named(r->desk, rest, (size_t)(slash - rest)) : NULL;
    const char *code = slash ? strrchr(rest, '/') + 1 : NULL;
    ch_error err = {0};
    ch_school_audit a;
    const char *group;
    const ch_policy *owner;
    const ch_audit_template *t;
    enum MHD_Result res;
    if (!p || !p->audits)
        return ch_html_message(r, 404, "Charter", "Page not found",
                               "There is no survey at this address. Check the link the school "
                               "gave you.");
    int rc = ch_audit_code_ok(code)
                 ? ch_store_school_audit_by_code(r->desk->store, code, &r->arena, &a, &group, &err)
                 : CH_E_NOTFOUND;
    if (rc == CH_E_NOTFOUND || (!rc && (!ch_audit_policy(r->desk, &a, &owner, &t) || owner != p)))
        return ch_html_message(r, 404, p->organisation, "Survey not found",
                               "There is no survey with this code. Check the link the school gave "
                               "you: the code is the last part of the address.");
    if (rc) {
        fprintf(stderr, "charter serve: audit form: %s\n", err.msg);
        return ch_html_message(r, 500, p->organisation, "Sorry, there is a problem",
                               "We could not open the survey just now. Please try again in a few "
                               "minutes.");
    }
    form_ctx c = {.r = r, .p = p, .a = &a, .t = t, .code = code};
    ch_audit_group_parse(group, &c.group);
    bool post = strcmp(r->method, "POST") == 0;
    if (post && too_many(r, p, true, &res))
        return res;
    if (post && insecure(r, p))
        return refuse_plain(r, p);
    const char *slash2 = strchr(a.service, '/');
    const ch_service *svc = slash2 ? ch_policy_service(p, slash2 + 1) : NULL;
    ch_date today =
        ch_hours_local_date(ch_policy_service_calendar(p, svc ? svc : &p->services[0]), r->now);
    const char *state = ch_audit_state(&a, today);
    char when[64], text[300];
    if (strcmp(state, "scheduled") == 0) {
        date_words(a.opens_on, when, sizeof(when));
        snprintf(text, sizeof(text),
                 "This survey opens on %s. Please come back to this address then; nothing "
                 "has been saved.",
                 when);
        return ch_html_message(r, 403, p->organisation, "This survey is not open yet", text);
    }
    if (strcmp(state, "closed") == 0) {
        date_words(a.closes_on, when, sizeof(when));
        snprintf(text, sizeof(text),
                 "This survey closed on %s, so it takes no more answers and nothing has been "
                 "saved. Thank you for wanting to take part.",
                 when);
        return ch_html_message(r, 410, p->organisation, "This survey has closed", text);
    }
    ch_html h;
    char fresh[32];
    unsigned char raw[12];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(fresh, sizeof(fresh), raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    c.form_id = fresh;
    if (!post) {
        form_page(&h, &c);
        return ch_html_send(r, 200, &h);
    }
    pairs f;
    pairs_parse(r, &f);
    const char *sent_id = f.bad ? NULL : pairs_get(&f, "form");
    if (sent_id && ch_audit_code_ok(sent_id))
        c.form_id = sent_id;
    else
        sent_id = NULL;
    if (f.bad)
        return ch_html_message(r, 400, p->organisation, "Your answers could not be read",
                               "The form arrived in a shape we could not read, and nothing has "
                               "been saved. Go back, and send it again.");
    const char *stray = unasked(&c, &f);
    if (stray) {
        char why[400];
        snprintf(why, sizeof(why),
                 "The form sent an answer this survey does not ask (%.60s), so nothing has been "
                 "saved. Open the survey's link again and send the form from there.",
                 stray);
        return ch_html_message(r, 400, p->organisation, "Your answers could not be read", why);
    }
    ch_audit_answer answers[CH_AUDIT_MAX_QUESTIONS];
    read_answers(&c, &f, answers);
    if (c.nfaults) {
        c.sent = &f;
        form_page(&h, &c);
        return ch_html_send(r, 400, &h);
    }
    char *json = ch_audit_answers_json(t, answers);
    ch_audit_response_row row = {0, a.id, group, r->now, json, sent_id};
    rc = json ? ch_store_audit_response_insert(r->desk->store, &row, &err)
              : ch_error_set(&err, CH_E_NOMEM, "out of memory");
    free(json);
    if (rc == CH_E_CONFLICT)
        return thank_you(r, &c, false);
    if (rc) {
        fprintf(stderr, "charter serve: audit form: %s\n", err.msg);
        return ch_html_message(r, 500, p->organisation, "Sorry, there is a problem",
                               "We could not save your answers just now. Please try again in a few "
                               "minutes.");
    }
    return thank_you(r, &c, true);
}

/* "Wednesday 23 December 2026" of an instant in the calendar's zone. */
static void instant_words(const ch_calendar *cal, ch_time t, char *buf, size_t size)
{
    ch_date d;
    int32_t secs;
    ch_tz_to_local(ch_calendar_tz(cal), t, &d, &secs);
    date_words(d, buf, size);
}

typedef struct report {
    const char *name, *email, *message, *code;
} report;

/* Opens the web case the report is, with its text as the first contact,
 * on the service the charter names; its promises' clocks run from now. */
static int open_report(ch_req *r, const ch_policy *p, const ch_service *svc, const report *in,
                       ch_case_row *out, ch_error *err)
{
    ch_contact c = {.channel = CH_CHANNEL_WEB, .kind = CH_KIND_ENQUIRY, .received = r->now};
    ch_obligation ob[CH_POLICY_MAX_PROMISES];
    ch_obligation_row rows[CH_POLICY_MAX_PROMISES];
    ch_time due[CH_POLICY_MAX_PROMISES];
    ch_ostate st[CH_POLICY_MAX_PROMISES];
    size_t n;
    ch_time deemed;
    char service[140], summary[CH_AUDIT_TEXT_MAX + 200];
    int rc = ch_policy_obligations(p, svc, &c, ob, CH_POLICY_MAX_PROMISES, &n, &deemed, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        due[i] = ob[i].due;
        st[i] = ch_ostate_at(false, due[i], r->now);
        rows[i] = ch_obligation_row_for(ob[i].promise, due[i], st[i]);
    }
    snprintf(service, sizeof(service), "%s/%s", p->id, svc->id);
    snprintf(summary, sizeof(summary), "%s%s%s", in->message,
             in->code && *in->code ? "\n\nSurvey code: " : "", in->code ? in->code : "");
    ch_event_row ev = {0, r->now, 0, "created", "from the audit survey's problem form"};
    ch_case_row row = {0};
    row.service = service;
    row.kind = ch_case_kind_name(CH_KIND_ENQUIRY);
    row.channel = "web";
    row.subject = "Technical problem with a behaviour audit survey";
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
    /* The case and its audit row commit together. */
    ch_audit_row log = {0, r->now, 0, "create", "case", 0, r->remote, 0, NULL, NULL};
    ch_store_audit_attach(r->desk->store, &log, &row.id);
    if ((rc = ch_store_audit_finish(r->desk->store, ch_store_case_insert(r->desk->store, &row, err),
                                    err)))
        return rc;
    ch_contact_row contact = {0, "inbound", "web", in->name, summary, NULL, r->now, 0};
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

/* A labelled text input or textarea, with its error beside it. */
static void field(ch_html *h, const char *name, const char *label, const char *type,
                  const char *value, const char *fault, const char *autocomplete)
{
    bool area = strcmp(type, "textarea") == 0;
    ch_html_raw(h, "<label for=\"");
    ch_html_text(h, name);
    ch_html_raw(h, "\">");
    ch_html_text(h, label);
    ch_html_raw(h, "</label>");
    if (fault) {
        ch_html_raw(h, "<p class=\"error\" id=\"");
        ch_html_text(h, name);
        ch_html_raw(h, "-error\">");
        ch_html_text(h, fault);
        ch_html_raw(h, "</p>");
    }
    ch_html_raw(h, area ? "<textarea id=\"" : "<input type=\"");
    if (!area) {
        ch_html_text(h, type);
        ch_html_raw(h, "\" id=\"");
    }
    ch_html_text(h, name);
    ch_html_raw(h, "\" name=\"");
    ch_html_text(h, name);
    ch_html_raw(h, "\"");
    if (autocomplete) {
        ch_html_raw(h, " autocomplete=\"");
        ch_html_text(h, autocomplete);
        ch_html_raw(h, "\"");
    }
    if (fault) {
        ch_html_raw(h, " aria-invalid=\"true\" aria-describedby=\"");
        ch_html_text(h, name);
        ch_html_raw(h, "-error\"");
    }
    if (area) {
        ch_html_raw(h, ">");
        ch_html_text(h, value);
        ch_html_raw(h, "</textarea>\n");
    } else {
        ch_html_raw(h, " value=\"");
        ch_html_text(h, value);
        ch_html_raw(h, "\">\n");
    }
}

typedef struct report_faults {
    const char *name, *email, *message, *code;
} report_faults;

static void problem_page(ch_html *h, const ch_policy *p, bool plain, const report *in,
                         const report_faults *e)
{
    char action[160];
    snprintf(action, sizeof(action), "/public/%s/audit-problem", p->id);
    ch_html_begin(h, p->organisation, "Report a technical problem with a survey");
    const char *names[] = {"message", "code", "name", "email"};
    const char *msgs[] = {e->message, e->code, e->name, e->email};
    bool any = false;
    for (int i = 0; i < 4; i++)
        any = any || msgs[i];
    if (any) {
        ch_html_raw(h, "<div class=\"error-summary\" role=\"alert\"><h2>There is a problem</h2>"
                       "<ul>");
        for (int i = 0; i < 4; i++) {
            if (!msgs[i])
                continue;
            ch_html_raw(h, "<li><a href=\"#");
            ch_html_raw(h, names[i]);
            ch_html_raw(h, "\">");
            ch_html_text(h, msgs[i]);
            ch_html_raw(h, "</a></li>");
        }
        ch_html_raw(h, "</ul></div>\n");
    }
    ch_html_raw(h, "<p>Tell us what went wrong with the behaviour audit survey, and we will "
                   "look into it and reply to you.</p>\n");
    if (plain) {
        ch_html_raw(h, "<p class=\"error\">This form takes reports only over a secure "
                       "connection, since it asks for your name and email address. Open it at "
                       "the address that begins https://, or telephone us.</p>\n");
        ch_html_end(h);
        return;
    }
    ch_html_raw(h, "<form method=\"post\" action=\"");
    ch_html_text(h, action);
    ch_html_raw(h, "\" novalidate>\n");
    field(h, "message", "What went wrong?", "textarea", in->message, e->message, NULL);
    field(h, "code", "The survey's code, if you have it (the last part of its address)", "text",
          in->code, e->code, "off");
    field(h, "name", "Your name", "text", in->name, e->name, "name");
    field(h, "email", "Your email address", "email", in->email, e->email, "email");
    ch_html_raw(h, "<p class=\"hint\">We use these only to reply to you.</p>"
                   "<button type=\"submit\">Send</button></form>\n");
    ch_html_end(h);
}

enum MHD_Result ch_http_audit_problem(ch_req *r, const char *rest)
{
    const char *slash = strchr(rest, '/');
    const ch_policy *p = slash ? ch_desk_policy_named(r->desk, rest, (size_t)(slash - rest)) : NULL;
    enum MHD_Result res;
    ch_html h;
    ch_error err = {0};
    if (!p || !p->audits)
        return ch_html_message(r, 404, p ? p->organisation : "Charter", "Page not found",
                               "This charter runs no surveys, so there is no problem to report "
                               "here. Check the address.");
    report in = {0};
    report_faults e = {0};
    if (strcmp(r->method, "POST") != 0) {
        in.code = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "code");
        if (in.code && !ch_audit_code_ok(in.code))
            in.code = NULL;
        problem_page(&h, p, insecure(r, p), &in, &e);
        return ch_html_send(r, 200, &h);
    }
    if (too_many(r, p, false, &res))
        return res;
    if (insecure(r, p))
        return refuse_plain(r, p);
    pairs f;
    pairs_parse(r, &f);
    static const char *const fields[] = {"name", "email", "message", "code"};
    for (size_t i = 0; !f.bad && i < f.form.n; i++) {
        bool known = false;
        for (size_t k = 0; k < sizeof(fields) / sizeof(*fields); k++)
            known = known || strcmp(f.form.items[i].name, fields[k]) == 0;
        f.bad = !known;
    }
    if (!f.bad) {
        in.name = pairs_get(&f, "name");
        in.email = pairs_get(&f, "email");
        in.message = pairs_get(&f, "message");
        in.code = pairs_get(&f, "code");
    } else {
        e.message = "The form could not be read; type your message again.";
    }
    if (!e.message && (!ch_text_said(in.message) || strlen(in.message) > CH_AUDIT_TEXT_MAX))
        e.message = "Say what went wrong (up to 4,000 characters).";
    if (in.code && *in.code && !ch_audit_code_ok(in.code))
        e.code = "A survey's code is 8 to 32 letters, digits, - or _; leave it empty if you do "
                 "not have it.";
    if (!ch_text_said(in.name) || strlen(in.name) > 200 || strchr(in.name, '\n'))
        e.name = "Give your name, so we know who to reply to.";
    if (!in.email || strlen(in.email) > 254 || !strchr(in.email, '@') || strchr(in.email, '\n'))
        e.email = "Give an email address like name@example.org, so we can reply.";
    if (e.message || e.code || e.name || e.email) {
        problem_page(&h, p, false, &in, &e);
        return ch_html_send(r, 400, &h);
    }
    const ch_service *svc = ch_policy_service(p, p->audits->problem_service);
    ch_case_row c;
    if (!svc || open_report(r, p, svc, &in, &c, &err)) {
        fprintf(stderr, "charter serve: audit problem form: %s\n",
                svc ? err.msg : "no problem service");
        return ch_html_message(r, 500, p->organisation, "Sorry, there is a problem",
                               "We could not take your report just now. Please try again in a few "
                               "minutes, or telephone us.");
    }
    char ref[32], when[64];
    snprintf(ref, sizeof(ref), "%lld", (long long)c.id);
    ch_html_begin(&h, p->organisation, "Thank you, we have your report");
    ch_html_raw(&h, "<div class=\"panel\"><p>Your reference is <strong>");
    ch_html_text(&h, ref);
    ch_html_raw(&h, "</strong>.</p></div>\n");
    const ch_calendar *cal = ch_policy_service_calendar(p, svc);
    for (size_t i = 0; i < c.nobligations; i++) {
        if (strcmp(c.obligations[i].kind, "process") == 0)
            continue;
        instant_words(cal, c.obligations[i].due_at, when, sizeof(when));
        ch_html_raw(&h, "<p>We will reply by <strong>");
        ch_html_text(&h, when);
        ch_html_raw(&h, "</strong>.</p><p class=\"hint\">");
        ch_html_text(&h, c.obligations[i].text);
        ch_html_raw(&h, "</p>\n");
        break;
    }
    ch_html_end(&h);
    return ch_html_send(r, 200, &h);
}
