/* GET /api/v1/contracts/{id}/statement: a school's termly statement of
 * hours as JSON (with a covering note ready to send to the school's named
 * contact), an Excel workbook or a PDF. */
#include "core/timefmt.h"
#include "export/statement.h"
#include "http/hours.h"
#include "mail/mail.h"
#include "mail/message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void jw_date(ch_jw *w, ch_date d)
{
    char buf[16];
    ch_date_format(d, buf, sizeof(buf));
    ch_jw_str(w, buf);
}

/* The covering note: what a consultant would write above the figures. */
static void letter(const ch_statement_doc *doc, char *buf, size_t size)
{
    char left[32], first[32], last[32], owed[200] = "";
    ch_minutes_format(doc->figures.closing, left, sizeof(left));
    ch_date_format_long(doc->first, first, sizeof(first));
    ch_date_format_long(doc->last, last, sizeof(last));
    /* What we owe is said in words, not left to a table. */
    if (doc->owed > 0)
        snprintf(owed, sizeof(owed),
                 " We owe the school %.2f hours for time we cancelled or could not provide; "
                 "they are refunded or carried over at the year end.",
                 (double)doc->owed / 60.0);
    snprintf(buf, size,
             "Dear %s,\n\nHere is %s's statement of %s hours for %s (%s to %s). "
             "The school had %.2f hours at the start of the period and has %.2f hours (%s) "
             "left at its end, with %zu visit%s still booked.%s The attached statement lists "
             "every movement.\n\nWith best wishes,\n%s\n",
             doc->contract.contact_name ? doc->contract.contact_name : "colleague",
             doc->contract.organisation, doc->service_name, doc->term, first, last,
             (double)doc->figures.opening / 60.0, (double)doc->figures.closing / 60.0, left,
             doc->nbooked, doc->nbooked == 1 ? "" : "s", owed, doc->provider);
}

static enum MHD_Result send_json(ch_req *r, const ch_statement_doc *doc, ch_time due,
                                 const ch_statement_sent *sent, bool begun)
{
    char text[2048];
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "contract");
    ch_jw_obj(&w);
    ch_jw_contract_members(&w, &doc->contract);
    ch_jw_obj_end(&w);
    ch_jw_key(&w, "term");
    ch_jw_str(&w, doc->term);
    ch_jw_key(&w, "from");
    jw_date(&w, doc->first);
    ch_jw_key(&w, "to");
    jw_date(&w, doc->last);
    ch_jw_key(&w, "issued");
    jw_date(&w, doc->issued);
    ch_jw_key(&w, "opening_minutes");
    ch_jw_int(&w, doc->figures.opening);
    ch_jw_key(&w, "in_minutes");
    ch_jw_int(&w, doc->figures.in);
    ch_jw_key(&w, "out_minutes");
    ch_jw_int(&w, doc->figures.out);
    ch_jw_key(&w, "closing_minutes");
    ch_jw_int(&w, doc->figures.closing);
    ch_jw_key(&w, "closing_hours");
    ch_jw_hours(&w, doc->figures.closing);
    ch_jw_key(&w, "movements");
    ch_jw_arr(&w);
    for (size_t i = 0; i < doc->nlines; i++) {
        const ch_statement_line *l = &doc->lines[i];
        ch_jw_obj(&w);
        ch_jw_key(&w, "date");
        jw_date(&w, l->date);
        ch_jw_key(&w, "kind");
        ch_jw_str(&w, l->kind);
        ch_jw_key(&w, "what");
        ch_jw_str(&w, l->what);
        ch_jw_key(&w, "minutes");
        ch_jw_int(&w, l->minutes);
        ch_jw_key(&w, "balance_minutes");
        ch_jw_int(&w, l->balance);
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_key(&w, "owed_minutes");
    ch_jw_int(&w, doc->owed);
    ch_jw_key(&w, "not_charged");
    ch_jw_arr(&w);
    for (size_t i = 0; i < doc->nnotes; i++) {
        const ch_statement_note *x = &doc->notes[i];
        ch_jw_obj(&w);
        ch_jw_key(&w, "date");
        jw_date(&w, x->date);
        ch_jw_key(&w, "what");
        ch_jw_str(&w, x->what);
        ch_jw_key(&w, "minutes");
        ch_jw_int(&w, x->minutes);
        ch_jw_key(&w, "owed");
        ch_jw_bool(&w, x->owed);
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_key(&w, "still_booked");
    ch_jw_arr(&w);
    for (size_t i = 0; i < doc->nbooked; i++) {
        ch_jw_obj(&w);
        ch_jw_visit_members(&w, &doc->booked[i]);
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_key(&w, "send_to");
    ch_jw_obj(&w);
    ch_jw_key(&w, "name");
    ch_jw_str(&w, doc->contract.contact_name);
    ch_jw_key(&w, "email");
    ch_jw_str(&w, doc->contract.contact_email);
    ch_jw_obj_end(&w);
    letter(doc, text, sizeof(text));
    ch_jw_key(&w, "letter");
    ch_jw_str(&w, text);
    ch_jw_key(&w, "due_at");
    ch_jw_time(&w, due);
    ch_jw_key(&w, "sent_at");
    ch_jw_time(&w, sent ? sent->sent_at : 0);
    /* A term not yet begun has nothing to send: the desk says when. */
    ch_jw_key(&w, "can_send");
    ch_jw_bool(&w, begun);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

static enum MHD_Result send_doc(ch_req *r, const ch_statement_doc *doc, const char *format,
                                const char *name);

static int write_xlsx(const void *doc, const char *path, ch_error *err)
{
    return ch_statement_xlsx(doc, path, err);
}

/* The workbook in memory; *out is malloc'd, the caller frees it. */
static int xlsx_bytes(const ch_statement_doc *doc, char **out, size_t *len, ch_error *err)
{
    return ch_export_to_memory("statement", write_xlsx, doc, out, len, err);
}

static enum MHD_Result send_file(ch_req *r, const char *type, const char *name, char *data,
                                 size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    char disposition[160];
    snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"", name);
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Content-Disposition", disposition);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ok = ch_http_respond(r, 200, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* The contract's statement for term, laid out in the request's arena. */
static int build_doc(ch_req *r, const ch_contract *c, const ch_desk_service *ds, const char *term,
                     ch_statement_doc *doc, ch_error *err)
{
    ch_ledger_row *rows;
    ch_visit *visits;
    size_t n, nv;
    ch_visit_filter vf = {.contract_id = c->id, .limit = 5000};
    int rc;
    if ((rc = ch_store_ledger_list(r->desk->store, c->id, &r->arena, &rows, &n, err)) ||
        (rc = ch_store_visit_list(r->desk->store, &vf, &r->arena, &visits, &nv, err)))
        return rc;
    return ch_statement_doc_build(
        c, rows, n, visits, nv, ds->policy->organisation, ds->service->name,
        ch_policy_service_calendar(ds->policy, ds->service), term, r->now, &r->arena, doc, err);
}

enum MHD_Result ch_http_statement(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    ch_error err = {0};
    ch_contract c;
    ch_desk_service ds;
    if (!ch_hours_contract(r, id, &c, &ds, &res))
        return res;
    const ch_calendar *cal = ch_policy_service_calendar(ds.policy, ds.service);
    const char *term = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "term");
    const char *format = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "format");
    char current[32];
    if (!term) {
        ch_hours_contract_term(r, &c, &ds, current, sizeof(current));
        term = current;
    }
    if (!format)
        format = "json";
    if (strlen(term) > 20 ||
        (strcmp(format, "json") && strcmp(format, "xlsx") && strcmp(format, "pdf")))
        return ch_http_problem(r, 400, "Bad statement request",
                               "term is like autumn-2026 and format is json, xlsx or pdf.", NULL);
    ch_error terr;
    int year;
    if (ch_term_year(term, &year, &terr))
        return ch_http_problem(r, 400, "Bad term", terr.msg, json_pack("[s]", "term"));
    if (!ch_hours_statement_term(r, &c, &ds, term, false, &res))
        return res;
    ch_statement_doc doc;
    if (build_doc(r, &c, &ds, term, &doc, &err) || ch_desk_audit(r, "read", "contract", id)) {
        if (!err.code)
            ch_error_set(&err, CH_E_STORE, CH_DESK_AUDIT_FAILED);
        return ch_http_error(r, &err);
    }
    char name[96];
    snprintf(name, sizeof(name), "statement-%lld-%s.%s", (long long)id, doc.term, format);
    if (strcmp(format, "json") == 0) {
        ch_time due = 0;
        const ch_statement_sent *sent = NULL;
        ch_statement_sent *sends;
        size_t nsent;
        if (ch_policy_termly_promise(ds.policy, ds.service))
            ch_term_due(cal, doc.term, &due, &(ch_error){0});
        if (ch_store_statements_sent(r->desk->store, doc.term, &r->arena, &sends, &nsent, &err))
            return ch_http_error(r, &err);
        for (size_t i = 0; i < nsent; i++)
            if (sends[i].contract_id == id)
                sent = &sends[i];
        return send_json(r, &doc, due, sent,
                         ch_hours_term_first(&ds, doc.term) <= ch_hours_local_date(cal, r->now));
    }
    return send_doc(r, &doc, format, name);
}

/* The statement as a file download, pdf or xlsx. */
static enum MHD_Result send_doc(ch_req *r, const ch_statement_doc *doc, const char *format,
                                const char *name)
{
    ch_error err = {0};
    char *data = NULL;
    size_t len = 0;
    if (strcmp(format, "pdf") == 0) {
        if (ch_statement_pdf(doc, &data, &len, &err))
            return ch_http_error(r, &err);
        return send_file(r, "application/pdf", name, data, len);
    }
    if (xlsx_bytes(doc, &data, &len, &err))
        return ch_http_error(r, &err);
    return send_file(r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name,
                     data, len);
}

enum MHD_Result ch_hours_statement_file(ch_req *r, const ch_contract *c, const ch_desk_service *ds,
                                        const char *term, const char *format)
{
    ch_error err = {0};
    ch_statement_doc doc;
    char name[96];
    if (build_doc(r, c, ds, term, &doc, &err))
        return ch_http_error(r, &err);
    snprintf(name, sizeof(name), "statement-%lld-%s.%s", (long long)c->id, doc.term, format);
    return send_doc(r, &doc, format, name);
}

/* Whether the service's charter promises a statement in term, and when
 * it falls due (*due). */
static bool promised_in(const ch_desk_service *ds, const char *term, ch_time *due)
{
    ch_error err;
    return ch_policy_termly_promise(ds->policy, ds->service) != NULL &&
           ch_term_due(ch_policy_service_calendar(ds->policy, ds->service), term, due, &err) ==
               CH_OK;
}

/* The answer to recording or sending a statement. */
static enum MHD_Result send_sent(ch_req *r, unsigned status, int64_t id, const char *term,
                                 const char *to)
{
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "contract_id");
    ch_jw_int(&w, id);
    ch_jw_key(&w, "term");
    ch_jw_str(&w, term);
    ch_jw_key(&w, "sent_at");
    ch_jw_time(&w, r->now);
    ch_jw_key(&w, "sent_to");
    ch_jw_str(&w, to);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, status, &w, NULL);
}

/* A statement sent or to send names only its term. */
static const ch_req_key term_keys[] = {{"term", NULL}, {NULL, NULL}};

/* POST /api/v1/contracts/{id}/statement/sent: the statement for a term
 * went to the school's named contact; the termly promise is kept then. */
enum MHD_Result ch_http_statement_sent(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_contract c;
    ch_desk_service ds;
    char buf[32];
    json_t *body = NULL;
    if (!ch_hours_contract_body(r, id, &c, &ds, term_keys, &body, &res))
        return res;
    const char *given = ch_req_text(&p, body, "term", 20, true);
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    const char *term = ch_hours_term(r, given, buf, sizeof(buf), &res);
    if (!term || !ch_hours_statement_term(r, &c, &ds, term, true, &res))
        goto out;
    ch_statement_sent row = {id, term, r->now, r->user.id, c.contact_email};
    ch_desk_audit_attach(r, "update", "contract", &id);
    if (ch_desk_audit_finish(r, ch_store_statement_sent(r->desk->store, &row, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = send_sent(r, 201, id, term, c.contact_email);
out:
    json_decref(body);
    return res;
}

/* GET /api/v1/statements?term=autumn-2026: every contract running in the
 * term, when its statement is due by the charter's termly promise, and
 * whether it has gone. */
enum MHD_Result ch_http_statements_due(ch_req *r)
{
    enum MHD_Result res;
    ch_error err = {0};
    char buf[32];
    const char *term =
        ch_hours_term(r, MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "term"), buf,
                      sizeof(buf), &res);
    if (!term)
        return res;
    ch_contract_filter f = {.limit = 5000};
    f.services = ch_req_services(r, &f.nservices);
    ch_contract *rows;
    ch_statement_sent *sent;
    size_t n, nsent;
    if (ch_store_contract_list(r->desk->store, &f, &r->arena, &rows, &n, &err) ||
        ch_store_statements_sent(r->desk->store, term, &r->arena, &sent, &nsent, &err))
        return ch_http_error(r, &err);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "term");
    ch_jw_str(&w, term);
    ch_jw_key(&w, "statements");
    ch_jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        const ch_contract *c = &rows[i];
        ch_desk_service ds;
        ch_time due = 0, at = 0;
        if (!ch_hours_runs_in(c, term) || ch_desk_service_find(r->desk, c->service, &ds, &err))
            continue;
        bool promised = promised_in(&ds, term, &due);
        for (size_t k = 0; k < nsent; k++)
            if (sent[k].contract_id == c->id)
                at = sent[k].sent_at;
        const char *state = at             ? (!promised || at <= due ? "sent" : "sent late")
                            : !promised    ? "not promised"
                            : r->now > due ? "overdue"
                                           : "due";
        ch_jw_obj(&w);
        ch_jw_key(&w, "contract_id");
        ch_jw_int(&w, c->id);
        ch_jw_key(&w, "school");
        ch_jw_str(&w, c->organisation);
        ch_jw_key(&w, "service");
        ch_jw_str(&w, c->service);
        ch_jw_key(&w, "year");
        ch_jw_str(&w, c->year);
        ch_jw_key(&w, "balance_minutes");
        ch_jw_int(&w, c->balance);
        ch_jw_key(&w, "due_at");
        ch_jw_time(&w, promised ? due : 0);
        ch_jw_key(&w, "sent_at");
        ch_jw_time(&w, at);
        ch_jw_key(&w, "state");
        ch_jw_str(&w, state);
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

/* Queues contract c's statement for term to its named contact in the
 * outbox, and records it as sent then: the outbox worker hands it to the
 * relay, retrying through an outage, so a request never waits on a mail
 * server (a second sending keeps the first record). CH_E_INVALID for an
 * address mail cannot go to. */
static int mail_statement(ch_req *r, const ch_contract *c, const ch_desk_service *ds,
                          const char *term, ch_error *err)
{
    ch_statement_doc doc;
    char text[2048], subject[300], pdf_name[96], xlsx_name[96];
    char *pdf = NULL, *xlsx = NULL, *raw = NULL;
    size_t pdf_len = 0, xlsx_len = 0;
    int rc;
    if ((rc = build_doc(r, c, ds, term, &doc, err)) ||
        (rc = ch_statement_pdf(&doc, &pdf, &pdf_len, err)) ||
        (rc = xlsx_bytes(&doc, &xlsx, &xlsx_len, err)))
        goto out;
    letter(&doc, text, sizeof(text));
    snprintf(subject, sizeof(subject), "%s: statement of %s hours, %s", c->organisation,
             ds->service->name, doc.term);
    snprintf(pdf_name, sizeof(pdf_name), "statement-%lld-%s.pdf", (long long)c->id, doc.term);
    snprintf(xlsx_name, sizeof(xlsx_name), "statement-%lld-%s.xlsx", (long long)c->id, doc.term);
    ch_part files[] = {
        {pdf_name, "application/pdf", (const unsigned char *)pdf, pdf_len, false},
        {xlsx_name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         (const unsigned char *)xlsx, xlsx_len, false},
    };
    ch_outbox_row row;
    if ((rc = ch_hours_school_message(r, c, ds, "statement", subject, text, files, 2, &row, &raw,
                                      err)))
        goto out;
    /* The message queued and its audit row commit together. */
    ch_desk_audit_attach(r, "update", "contract", &c->id);
    if ((rc = ch_desk_audit_finish(r, ch_store_outbox_insert(r->desk->store, &row, 1, err), err)))
        goto out;
    ch_statement_sent sent = {c->id, doc.term, r->now, r->user.id, c->contact_email};
    rc = ch_store_statement_sent(r->desk->store, &sent, err);
    if (rc == CH_E_CONFLICT)
        rc = CH_OK;
out:
    free(pdf);
    free(xlsx);
    free(raw);
    return rc;
}

static enum MHD_Result no_mail_server(ch_req *r)
{
    return ch_http_problem(r, 409, "No mail server",
                           "This desk has no mail server set (charter serve --smtp); send the "
                           "statement yourself and record it as sent.",
                           NULL);
}

/* The term named in a request body; NULL after queuing a 400. */
static const char *body_term(ch_req *r, json_t *body, char *buf, size_t size, enum MHD_Result *res)
{
    problems p = {0};
    const char *given = ch_req_text(&p, body, "term", 20, true);
    if (p.fields) {
        *res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        return NULL;
    }
    return ch_hours_term(r, given, buf, size, res);
}

/* POST /api/v1/contracts/{id}/statement/send: one school's statement. */
enum MHD_Result ch_http_statement_send(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    ch_error err = {0};
    ch_contract c;
    ch_desk_service ds;
    char buf[32];
    json_t *body = NULL;
    if (!ch_hours_contract_body(r, id, &c, &ds, term_keys, &body, &res))
        return res;
    const char *term = body_term(r, body, buf, sizeof(buf), &res);
    if (!term || !ch_hours_statement_term(r, &c, &ds, term, true, &res))
        goto out;
    if (!r->desk->smtp_url) {
        res = no_mail_server(r);
        goto out;
    }
    if (!ch_mail_address_ok(c.contact_email)) {
        res = ch_http_problem(r, 409, "No one to send it to",
                              "The contract names no usable e-mail address for the school's "
                              "contact; add one to the contract first.",
                              NULL);
        goto out;
    }
    if (mail_statement(r, &c, &ds, term, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = send_sent(r, 200, id, term, c.contact_email);
out:
    json_decref(body);
    return res;
}

static void jw_outcome(ch_jw *w, const ch_contract *c, const char *why)
{
    ch_jw_obj(w);
    ch_jw_key(w, "contract_id");
    ch_jw_int(w, c->id);
    ch_jw_key(w, "school");
    ch_jw_str(w, c->organisation);
    ch_jw_key(w, why ? "why" : "sent_to");
    ch_jw_str(w, why ? why : c->contact_email);
    ch_jw_obj_end(w);
}

/* POST /api/v1/statements/send: every statement a charter promises for the
 * term and not yet sent, queued to each school that has a contact address;
 * the rest are listed with the reason. Nothing here waits on the relay:
 * the outbox worker sends them. */
enum MHD_Result ch_http_statements_send(ch_req *r)
{
    enum MHD_Result res;
    ch_error err = {0};
    char buf[32];
    json_t *body = ch_req_body(r, term_keys, &res);
    if (!body)
        return res;
    const char *term = body_term(r, body, buf, sizeof(buf), &res);
    ch_contract *rows;
    ch_statement_sent *sent;
    size_t n, nsent;
    ch_contract_filter f = {.status = "open", .limit = 5000};
    if (!term)
        goto out;
    ch_date first, last;
    ch_term_period(NULL, 0, term, &first, &last, &err);
    if (first > ch_time_utc_date(r->now)) {
        char day[32], detail[300];
        ch_date_format_long(first, day, sizeof(day));
        snprintf(detail, sizeof(detail),
                 "%s begins on %s, so no statement for it can be sent yet; send them once the "
                 "term has begun.",
                 term, day);
        res = ch_http_problem_typed(r, 409, "/problems/term-not-begun", "The term has not begun",
                                    detail, json_pack("[s]", "term"));
        goto out;
    }
    if (!ch_hours_manager(r)) {
        res = ch_http_problem(r, 403, "A manager sends them all",
                              "Only a manager can send every school's statement at once; send "
                              "one from its statement page instead.",
                              NULL);
        goto out;
    }
    if (!r->desk->smtp_url) {
        res = no_mail_server(r);
        goto out;
    }
    f.services = ch_req_services(r, &f.nservices);
    if (ch_store_contract_list(r->desk->store, &f, &r->arena, &rows, &n, &err) ||
        ch_store_statements_sent(r->desk->store, term, &r->arena, &sent, &nsent, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    /* Three lists written one after another: each contract is placed in
     * one pass, then written into its list. */
    const char **why = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*why));
    int *place = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*place)); /* 0 none, 1-3 */
    if (!why || !place) {
        res = ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const ch_contract *c = &rows[i];
        ch_desk_service ds;
        ch_time due;
        bool done = false;
        place[i] = 0;
        for (size_t k = 0; k < nsent; k++)
            done = done || sent[k].contract_id == c->id;
        if (done || !ch_hours_runs_in(c, term) ||
            ch_desk_service_find(r->desk, c->service, &ds, &err) || !promised_in(&ds, term, &due))
            continue;
        if (!ch_mail_address_ok(c->contact_email)) {
            place[i] = 2;
            why[i] = "the contract names no usable e-mail address";
        } else if (mail_statement(r, c, &ds, term, &err)) {
            place[i] = 3;
            why[i] = ch_arena_strdup(&r->arena, err.msg);
        } else {
            place[i] = 1;
        }
    }
    static const char *const lists[] = {"sent", "skipped", "failed"};
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "term");
    ch_jw_str(&w, term);
    for (int l = 1; l <= 3; l++) {
        ch_jw_key(&w, lists[l - 1]);
        ch_jw_arr(&w);
        for (size_t i = 0; i < n; i++)
            if (place[i] == l)
                jw_outcome(&w, &rows[i], l == 1 ? NULL : why[i]);
        ch_jw_arr_end(&w);
    }
    ch_jw_obj_end(&w);
    res = ch_http_jw(r, 200, &w, NULL);
out:
    json_decref(body);
    return res;
}

/* A term's statements recorded as sent, read once per term. */
typedef struct sent_cache {
    char term[32];
    ch_statement_sent *rows;
    size_t n;
} sent_cache;

static int sent_for(ch_desk *desk, sent_cache *cache, size_t *ncache, size_t cap, const char *term,
                    ch_arena *a, sent_cache **out, ch_error *err)
{
    for (size_t i = 0; i < *ncache; i++)
        if (strcmp(cache[i].term, term) == 0) {
            *out = &cache[i];
            return CH_OK;
        }
    if (*ncache == cap)
        return ch_error_set(err, CH_E_INVALID,
                            "too many terms in one report; ask for fewer months");
    sent_cache *c = &cache[(*ncache)++];
    snprintf(c->term, sizeof(c->term), "%s", term);
    *out = c;
    return ch_store_statements_sent(desk->store, term, a, &c->rows, &c->n, err);
}

int ch_http_termly_rows(ch_desk *desk, const char *const *services, size_t nservices, ch_time from,
                        ch_time to, ch_arena *a, ch_report_row **rows, size_t *n, ch_error *err)
{
    ch_contract_filter f = {.services = services, .nservices = nservices, .limit = 100000};
    ch_contract *list;
    size_t nlist;
    sent_cache cache[64];
    size_t ncache = 0;
    int rc;
    if ((rc = ch_store_contract_list(desk->store, &f, a, &list, &nlist, err)))
        return rc;
    ch_report_row *out = ch_arena_alloc(a, (*n + 3 * nlist + 1) * sizeof(*out));
    if (!out)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    if (*n)
        memcpy(out, *rows, *n * sizeof(*out));
    for (size_t i = 0; i < nlist; i++) {
        const ch_contract *c = &list[i];
        ch_desk_service ds;
        const ch_promise *pr;
        ch_year_terms terms;
        if (ch_desk_service_find(desk, c->service, &ds, err) ||
            !(pr = ch_policy_termly_promise(ds.policy, ds.service)))
            continue;
        ch_term_names_of_year(c->starts, &terms);
        for (int k = 0; k < 3; k++) {
            const char *term = terms.name[k];
            ch_time due;
            sent_cache *sent = NULL;
            if (ch_term_due(ch_policy_service_calendar(ds.policy, ds.service), term, &due,
                            &(ch_error){0}) ||
                due < from || due >= to)
                continue;
            if ((rc = sent_for(desk, cache, &ncache, 64, term, a, &sent, err)))
                return rc;
            ch_time at = 0;
            for (size_t s = 0; s < sent->n; s++)
                if (sent->rows[s].contract_id == c->id)
                    at = sent->rows[s].sent_at;
            /* No deemed time: a statement has no working hours to count. */
            out[(*n)++] = (ch_report_row){c->service, pr->id, at ? "met" : "pending", due, at, 0};
        }
    }
    *rows = out;
    return CH_OK;
}
