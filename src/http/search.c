/* Search on the desk: cases by their words or by the reference the public
 * was given (the case number on the contact form's thank-you page), and
 * the people and organisations cases are about, by name or email. */
#include "core/text.h"
#include "http/json_case.h"
#include "http/complaints.h"
#include "http/request.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

const char *ch_http_words_fault(const char *q)
{
    if (!q || !*q || strlen(q) > 200)
        return "Give the words to find as q, up to 200 characters.";
    if (ch_utf8_invalid_at(q, strlen(q)) != strlen(q))
        return "q is not UTF-8 text: send the words percent-encoded as UTF-8.";
    return NULL;
}

int ch_http_words_split(ch_arena *a, const char *q, const char **words, size_t *n, ch_error *err)
{
    *n = 0;
    for (const char *w = q; *w;) {
        while (*w == ' ' || *w == '\t' || *w == '\n')
            w++;
        if (!*w)
            break;
        const char *end = w;
        while (*end && *end != ' ' && *end != '\t' && *end != '\n')
            end++;
        if (*n == CH_STORE_FIND_WORDS)
            return ch_error_set(err, CH_E_INVALID,
                                "Give up to 12 words to find; fewer, more telling words find "
                                "more.");
        if (!(words[(*n)++] = ch_arena_strndup(a, w, (size_t)(end - w))))
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
        w = end;
    }
    return CH_OK;
}

/* The case number in q when q is a reference and nothing else ("1234" or
 * "#1234", spaces around allowed), or 0. */
static int64_t reference_of(const char *q)
{
    while (*q == ' ' || *q == '\t')
        q++;
    if (*q == '#')
        q++;
    int64_t id = 0;
    int digits = 0;
    for (; isdigit((unsigned char)*q); q++) {
        if (++digits > 15)
            return 0;
        id = id * 10 + (*q - '0');
    }
    while (*q == ' ' || *q == '\t')
        q++;
    return *q || !digits ? 0 : id;
}

int ch_http_find_cases(ch_req *r, const char *q, size_t limit, ch_case_row **out, size_t *n,
                       ch_error *err)
{
    size_t nservices = 0, count = 0;
    const char **services = ch_req_services(r, &nservices);
    ch_case_row *rows = NULL, ref;
    int rc = ch_store_search(r->desk->store, q, services, nservices, limit, &r->arena, &rows,
                             &count, err);
    if (rc)
        return rc;
    int64_t id = reference_of(q);
    if (id) {
        ch_error miss = {0};
        int got = ch_store_case_get(r->desk->store, id, &r->arena, &ref, &miss);
        if (got && got != CH_E_NOTFOUND) {
            *err = miss;
            return got;
        }
        if (got == CH_OK && ch_desk_can_see(r, ref.service)) {
            /* The case the reference names comes first, once. */
            ch_case_row *all = ch_arena_alloc(&r->arena, (count + 1) * sizeof(*all));
            if (!all)
                return ch_error_set(err, CH_E_NOMEM, "out of memory");
            size_t k = 0;
            all[k++] = ref;
            for (size_t i = 0; i < count && k < limit; i++)
                if (rows[i].id != ref.id)
                    all[k++] = rows[i];
            rows = all;
            count = k;
        }
    }
    if ((rc = ch_http_complaints_unhidden(r, rows, &count, err)))
        return rc;
    *out = rows;
    *n = count;
    return CH_OK;
}

enum MHD_Result ch_http_search(ch_req *r)
{
    ch_error err = {0};
    const char *q = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "q");
    const char *fault = ch_http_words_fault(q);
    if (fault)
        return ch_http_problem(r, 400, "Nothing to search for", fault, json_pack("[s]", "q"));
    /* The finders take the words one by one. */
    const char *words[CH_STORE_FIND_WORDS];
    size_t nwords = 0;
    int rc = ch_http_words_split(&r->arena, q, words, &nwords, &err);
    if (rc == CH_E_INVALID)
        return ch_http_problem(r, 400, "Too many words", err.msg, json_pack("[s]", "q"));
    if (rc)
        return ch_http_error(r, &err);
    if (nwords == 0)
        return ch_http_problem(r, 400, "Nothing to search for",
                               "Give the words to find as q, not only spaces.",
                               json_pack("[s]", "q"));
    size_t ncases = 0, npeople = 0, norgs = 0, nservices = 0;
    const char **services = ch_req_services(r, &nservices);
    ch_case_row *cases = NULL;
    ch_person *people = NULL;
    ch_organisation *orgs = NULL;
    if (ch_http_find_cases(r, q, 50, &cases, &ncases, &err) ||
        ch_store_people_find(r->desk->store, words, nwords, services, nservices, 20, &r->arena,
                             &people, &npeople, &err) ||
        ch_store_organisations_find(r->desk->store, words, nwords, 20, &r->arena, &orgs, &norgs,
                                    &err))
        return ch_http_error(r, &err);
    /* Each person shown is a read of their record, audited as one. */
    for (size_t i = 0; i < npeople; i++)
        if (ch_desk_audit(r, "find", "person", people[i].id)) {
            ch_error_set(&err, CH_E_STORE, CH_DESK_AUDIT_FAILED);
            return ch_http_error(r, &err);
        }
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "q");
    ch_jw_str(&w, q);
    ch_jw_cases(&w, cases, ncases);
    ch_jw_key(&w, "people");
    ch_jw_arr(&w);
    for (size_t i = 0; i < npeople; i++) {
        ch_jw_obj(&w);
        ch_jw_key(&w, "id");
        ch_jw_int(&w, people[i].id);
        ch_jw_key(&w, "name");
        ch_jw_str(&w, people[i].name);
        ch_jw_key(&w, "email");
        ch_jw_str(&w, people[i].email);
        ch_jw_key(&w, "organisation_id");
        ch_jw_id(&w, people[i].organisation_id);
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_key(&w, "organisations");
    ch_jw_arr(&w);
    for (size_t i = 0; i < norgs; i++) {
        ch_jw_obj(&w);
        ch_jw_key(&w, "id");
        ch_jw_int(&w, orgs[i].id);
        ch_jw_key(&w, "name");
        ch_jw_str(&w, orgs[i].name);
        ch_jw_key(&w, "kind");
        ch_jw_str(&w, orgs[i].kind);
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}
