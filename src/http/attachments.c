/* Files attached to a person or a case: a signed consent form, a letter, a
 * photo of a note. The body is the file itself, sent with its own
 * Content-Type and named by ?filename=; only a short list of types is
 * taken, at most CH_ATTACHMENT_MAX bytes, and a file is served back only
 * to staff who may see its record, as a download the browser will not
 * render in the desk's origin. */
#include "core/text.h"
#include "http/person_json.h"
#include "http/complaints.h"
#include "http/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool ch_http_is_upload(const char *method, const char *url)
{
    static const char tail[] = "/attachments";
    size_t n = strlen(url), t = sizeof(tail) - 1;
    return strcmp(method, "POST") == 0 && n > t && strcmp(url + n - t, tail) == 0;
}

/* The types taken, each with the bytes its files begin with (NULL: any). */
static const struct {
    const char *type, *magic;
    size_t nmagic;
} types[] = {
    {"application/pdf", "%PDF-", 5},
    {"image/png", "\x89PNG\r\n\x1a\n", 8},
    {"image/jpeg", "\xff\xd8\xff", 3},
    {"text/plain", NULL, 0},
    {"application/msword", NULL, 0},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK", 2},
    {"application/vnd.oasis.opendocument.text", "PK", 2},
};

static const char types_sentence[] =
    "Attach a PDF, a PNG or JPEG picture, plain text, or a Word or OpenDocument text file.";

/* The Content-Type's media type (parameters dropped) as one of types, or -1. */
static int type_index(const char *header)
{
    if (!header)
        return -1;
    size_t n = strcspn(header, "; \t");
    for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++)
        if (strlen(types[i].type) == n && strncasecmp(header, types[i].type, n) == 0)
            return (int)i;
    return -1;
}

/* A file name fit to keep and to send back in a header: a name, not a
 * path, on one line and without quotes. */
static bool filename_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 200 || ch_utf8_invalid_at(s, n) != n || !ch_req_one_line(s) ||
        strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    /* Bidirectional controls (U+202A-U+202E, U+2066-U+2069) make
     * "exe.pdf" read as something it is not. */
    for (const unsigned char *u = (const unsigned char *)s; *u; u++)
        if (u[0] == 0xE2 && u[1] == 0x80 && u[2] >= 0xAA && u[2] <= 0xAE)
            return false;
        else if (u[0] == 0xE2 && u[1] == 0x81 && u[2] >= 0xA6 && u[2] <= 0xA9)
            return false;
    return strpbrk(s, "/\\\"") == NULL;
}

static enum MHD_Result attach(ch_req *r, int64_t person_id, int64_t case_id)
{
    ch_error err = {0};
    const char *filename = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "filename");
    const char *ctype = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    int k = type_index(ctype);
    if (k < 0) {
        char detail[300];
        snprintf(detail, sizeof(detail), "Files of type %.80s cannot be attached. %s",
                 ctype ? ctype : "(none given)", types_sentence);
        return ch_http_problem(r, 415, "This kind of file cannot be attached", detail, NULL);
    }
    if (!filename_ok(filename))
        return ch_http_problem(r, 400, "Name the file",
                               "Give the file's name in ?filename=: 1 to 200 characters of UTF-8 "
                               "on one line, without slashes or quotation marks.",
                               json_pack("[s]", "filename"));
    if (r->len == 0)
        return ch_http_problem(r, 400, "The file is empty",
                               "The request carried no file; send the file's bytes as the body.",
                               NULL);
    if (types[k].magic &&
        (r->len < types[k].nmagic || memcmp(r->body, types[k].magic, types[k].nmagic) != 0)) {
        char detail[600];
        snprintf(detail, sizeof(detail),
                 "%.200s was sent as %s but is not one; send it with its own type. %s", filename,
                 types[k].type, types_sentence);
        return ch_http_problem(r, 415, "The file is not what it says", detail, NULL);
    }
    ch_attachment f = {.person_id = person_id,
                       .case_id = case_id,
                       .filename = filename,
                       .content_type = types[k].type,
                       .size = (int64_t)r->len,
                       .data = (const unsigned char *)r->body,
                       .uploaded_by = r->user.id,
                       .uploader = r->user.name,
                       .uploaded_at = r->now};
    int64_t owner = person_id ? person_id : case_id;
    ch_desk_audit_attach(r, "attach", person_id ? "person" : "case", &owner);
    ch_desk_audit_attach(r, "create", "attachment", &f.id);
    if (ch_desk_audit_finish(r, ch_store_attachment_insert(r->desk->store, &f, &err), &err))
        return ch_http_error(r, &err);
    char href[64];
    snprintf(href, sizeof(href), "/api/v1/attachments/%lld", (long long)f.id);
    return ch_http_json(
        r, 201,
        json_pack("{s:I, s:o, s:o, s:s, s:s, s:I, s:I, s:s?, s:o, s:s}", "id", (json_int_t)f.id,
                  "person_id", person_id ? json_integer(person_id) : json_null(), "case_id",
                  case_id ? json_integer(case_id) : json_null(), "filename", f.filename,
                  "content_type", f.content_type, "size", (json_int_t)f.size, "uploaded_by",
                  (json_int_t)f.uploaded_by, "uploaded_by_name", f.uploader, "uploaded_at",
                  ch_json_time(f.uploaded_at), "href", href),
        NULL);
}

enum MHD_Result ch_http_person_attach(ch_req *r, int64_t id)
{
    ch_error err = {0};
    ch_person person;
    if (ch_http_person_visible(r, id, &person, &err))
        return ch_http_error(r, &err);
    if (person.merged_into) {
        char detail[200];
        snprintf(detail, sizeof(detail),
                 "Person %lld was merged into person %lld; attach the file there.", (long long)id,
                 (long long)person.merged_into);
        return ch_http_problem(r, 409, "Merged into another record", detail, NULL);
    }
    return attach(r, id, 0);
}

enum MHD_Result ch_http_case_attach(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    ch_case_row c;
    if (!ch_req_case(r, id, &c, &res))
        return res;
    return attach(r, 0, id);
}

/* Content-Disposition for name: an ASCII fallback and the name itself in
 * RFC 5987 form, so a name in any script survives. */
static void disposition(const char *name, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t used = (size_t)snprintf(out, size, "attachment; filename=\"");
    for (const unsigned char *p = (const unsigned char *)name; *p && used + 2 < size; p++)
        out[used++] = (*p < 0x80 && *p >= ' ' && *p != '"' && *p != '\\') ? (char)*p : '_';
    used += (size_t)snprintf(out + used, used < size ? size - used : 0, "\"; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p && used + 4 < size; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || strchr("-._~", *p);
        if (plain) {
            out[used++] = (char)*p;
        } else {
            out[used++] = '%';
            out[used++] = hex[*p >> 4];
            out[used++] = hex[*p & 15];
        }
    }
    out[used < size ? used : size - 1] = '\0';
}

enum MHD_Result ch_http_attachment_get(ch_req *r, int64_t id)
{
    ch_error err = {0};
    ch_attachment f;
    enum MHD_Result res;
    if (ch_store_attachment_get(r->desk->store, id, &r->arena, &f, &err))
        return ch_http_error(r, &err);
    /* Another team's file is not admitted to exist. */
    if (f.person_id) {
        ch_person person;
        if (ch_http_person_visible(r, f.person_id, &person, &err)) {
            if (err.code == CH_E_NOTFOUND)
                ch_error_set(&err, CH_E_NOTFOUND, "there is no attachment %lld", (long long)id);
            return ch_http_error(r, &err);
        }
    } else {
        ch_case_row c;
        int rc = ch_store_case_get(r->desk->store, f.case_id, &r->arena, &c, &err);
        if (rc == CH_OK && (!ch_desk_can_see(r, c.service) || ch_http_complaint_hidden(r, &c)))
            rc = ch_error_set(&err, CH_E_NOTFOUND, "there is no attachment %lld", (long long)id);
        if (rc)
            return ch_http_error(r, &err);
    }
    /* A download is named as one: a DPO asks who took a copy of a file. */
    if (ch_desk_audit(r, "download", "attachment", id)) {
        ch_error_set(&err, CH_E_STORE, CH_DESK_AUDIT_FAILED);
        return ch_http_error(r, &err);
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        (size_t)f.size, (void *)(uintptr_t)f.data, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    char disp[1024];
    disposition(f.filename, disp, sizeof(disp));
    MHD_add_response_header(resp, "Content-Type", f.content_type);
    MHD_add_response_header(resp, "Content-Disposition", disp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "Content-Security-Policy", "sandbox");
    res = ch_http_respond(r, 200, resp);
    MHD_destroy_response(resp);
    return res;
}
