/* The staff desk's browser files (built into web/dist by make) served
 * under /app/, with a Content-Security-Policy that allows only our own
 * scripts and styles: nothing inline, nothing from elsewhere. */
#include "http/desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return NULL;
    if (strcmp(dot, ".html") == 0)
        return "text/html; charset=utf-8";
    if (strcmp(dot, ".js") == 0)
        return "text/javascript; charset=utf-8";
    if (strcmp(dot, ".css") == 0)
        return "text/css; charset=utf-8";
    return NULL;
}

enum MHD_Result ch_http_static(ch_req *r, const char *name)
{
    char path[1024];
    if (!*name)
        name = "index.html";
    const char *type = type_of(name);
    bool ok = type && strlen(name) < 64 && !strstr(name, "..");
    for (const char *p = name; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
             *p == '_';
    if (!ok)
        return ch_http_problem(r, 404, "Not found", "There is nothing at this address.", NULL);
    snprintf(path, sizeof(path), "%s/%s", r->desk->web_dir, name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return ch_http_problem(r, 404, "Not found",
                               "The desk's browser files are not built here; run make.", NULL);
    char *buf = malloc(4 << 20);
    size_t n = buf ? fread(buf, 1, 4 << 20, fp) : 0;
    fclose(fp);
    if (!buf)
        return MHD_NO;
    struct MHD_Response *resp = MHD_create_response_from_buffer(n, buf, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(buf);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; script-src 'self'; style-src 'self'; "
                            "connect-src 'self'; img-src 'self'; base-uri 'none'; "
                            "form-action 'self'; frame-ancestors 'none'");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    enum MHD_Result res = ch_http_respond(r, 200, resp);
    MHD_destroy_response(resp);
    return res;
}

enum MHD_Result ch_http_session_get(ch_req *r)
{
    json_t *o =
        json_pack("{s:o, s:{s:I, s:s?, s:s?, s:s, s:s}}", "csrf_token",
                  r->csrf ? json_string(r->csrf) : json_null(), "user", "id",
                  (json_int_t)r->user.id, "email", r->user.email, "name", r->user.name, "role",
                  ch_role_name(r->user.role), "notify", r->user.notify ? r->user.notify : "each");
    return ch_http_json(r, 200, o, NULL);
}
