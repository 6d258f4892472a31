/* Shared by the behaviour-audit handlers (audits.c for the desk's API,
 * audit_public.c for the forms schools fill in): the rules of the charter
 * that runs an audit, and a form's answers as the JSON text kept for it. */
#ifndef CH_HTTP_AUDITS_H
#define CH_HTTP_AUDITS_H

#include "core/audit.h"
#include "http/desk.h"

/* The policy that runs audit a (its service's charter) and that policy's
 * template for it; false when no loaded charter has them any more. */
bool ch_audit_policy(const ch_desk *d, const ch_school_audit *a, const ch_policy **policy,
                     const ch_audit_template **t);

/* The answers to t (one per question) as a JSON object keyed by question
 * id, choices written as their option text so a reordered list keeps its
 * meaning; NULL when out of memory. Freed with free(). */
char *ch_audit_answers_json(const ch_audit_template *t, const ch_audit_answer *answers);

/* The JSON text back into one answer per question of t, in arena; an
 * answer the template no longer has a place for is left blank. */
int ch_audit_answers_parse(const ch_audit_template *t, const char *json, ch_arena *arena,
                           ch_audit_answer **out, ch_error *err);

/* Every response of audit a, read back against t, in arena. */
int ch_audit_load_responses(ch_desk *d, const ch_school_audit *a, const ch_audit_template *t,
                            ch_arena *arena, ch_audit_response **out, size_t *n, ch_error *err);

/* The public address of a group's form: /public/{policy}/audit/{code}. */
void ch_audit_form_path(const ch_policy *p, const char *code, char *buf, size_t size);

/* The public pages (audit_public.c): rest is "{policy}/audit/{code}" or
 * "{policy}/audit-problem". */
enum MHD_Result ch_http_audit_form(ch_req *r, const char *rest);
enum MHD_Result ch_http_audit_problem(ch_req *r, const char *rest);

/* The desk's API (audits.c). */
enum MHD_Result ch_http_audit_templates(ch_req *r);
enum MHD_Result ch_http_school_audits_list(ch_req *r);
enum MHD_Result ch_http_school_audits_create(ch_req *r);
enum MHD_Result ch_http_school_audit_get(ch_req *r, int64_t id);
/* PATCH: the open and close dates (the opening stays once answers came). */
enum MHD_Result ch_http_school_audit_patch(ch_req *r, int64_t id);
enum MHD_Result ch_http_school_audit_results(ch_req *r, int64_t id);
enum MHD_Result ch_http_school_audit_compare(ch_req *r, int64_t id);

#endif
