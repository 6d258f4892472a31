/* libFuzzer harness for the JSON request check every API body passes: any
 * bytes are parsed as the server parses them, then held to a nested list of
 * members (a visit's change, with its notices) and read as handlers read
 * fields. Whatever comes in, the answer's sentence and field names stay
 * whole UTF-8 text inside their buffers, and nothing unknown goes unnamed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "http/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const ch_req_key notice[] = {
    {"notice_at", NULL}, {"channel", NULL}, {"told", NULL}, {"note", NULL}, {NULL, NULL}};
static const ch_req_key keys[] = {{"outcome", NULL},  {"actual_minutes", NULL}, {"late", notice},
                                  {"cancel", notice}, {"settle", notice},       {NULL, NULL}};

static void text_ok(const char *s)
{
    if (s && ch_utf8_invalid_at(s, strlen(s)) != strlen(s))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(body)) {
        json_decref(body);
        return 0;
    }
    problems p = {0};
    ch_req_members_check(&p, body, keys, "PATCH", "/api/v1/visits/1");
    if (strnlen(p.detail, sizeof(p.detail)) == sizeof(p.detail))
        abort(); /* the sentence always ends inside its buffer */
    text_ok(p.detail);
    /* Every field named is whole text, and an unknown member at the top is
     * never let through unnamed. */
    for (size_t i = 0; p.fields && i < json_array_size(p.fields); i++)
        text_ok(json_string_value(json_array_get(p.fields, i)));
    const char *name;
    json_t *value;
    json_object_foreach(body, name, value)
    {
        bool known = false;
        for (const ch_req_key *k = keys; k->name; k++)
            known = known || strcmp(k->name, name) == 0;
        if (!known && !p.fields)
            abort();
    }
    /* Reading fields as handlers do: bounded text, bounded numbers. */
    problems q = {0};
    const char *outcome = ch_req_text(&q, body, "outcome", 32, false);
    if (outcome && strlen(outcome) > 32)
        abort();
    text_ok(outcome);
    int64_t n = 0;
    if (ch_req_int(&q, body, "actual_minutes", 1, 1440, false, &n) && (n < 0 || n > 1440))
        abort();
    text_ok(q.detail);
    json_decref(p.fields);
    json_decref(q.fields);
    json_decref(body);
    return 0;
}
