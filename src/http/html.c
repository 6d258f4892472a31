/* Server-written HTML; see html.h. */
#include "http/html.h"

#include <stdlib.h>
#include <string.h>

const char ch_html_css[] =
    "body{font-family:system-ui,sans-serif;margin:0;color:#0b0c0c;background:#fff;"
    "line-height:1.5;font-size:1.125rem}"
    "header{background:#1d3a5f;color:#fff;padding:.75rem 1rem}"
    "header p{margin:0;font-weight:700}"
    "main{max-width:40rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.75rem;line-height:1.2}"
    "label,legend{display:block;font-weight:700;margin-top:1rem}"
    "input[type=text],input[type=email],select,textarea{width:100%;box-sizing:border-box;"
    "font:inherit;padding:.4rem;border:2px solid #0b0c0c}"
    "textarea{min-height:8rem}"
    "input:focus,select:focus,textarea:focus,button:focus,a:focus{outline:3px solid #fd0;"
    "outline-offset:0}"
    "button{margin-top:1.25rem;font:inherit;font-weight:700;padding:.5rem 1rem;"
    "background:#00703c;color:#fff;border:0;cursor:pointer}"
    ".hint{color:#505a5f;margin:.25rem 0}"
    ".error{color:#d4351c;font-weight:700;margin:.25rem 0}"
    ".error-summary{border:4px solid #d4351c;padding:1rem;margin-bottom:1rem}"
    ".error-summary a{color:#d4351c}"
    ".panel{border:4px solid #00703c;padding:1rem}"
    "a{color:#1d70b8}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;border-bottom:1px solid #b1b4b6;padding:.4rem .5rem .4rem 0}"
    /* the standards page's points of contact: long addresses wrap */
    "dl.contact dt{font-weight:700;margin-top:.5rem}dl.contact dd{margin:0;overflow-wrap:anywhere}"
    "address{font-style:normal}"
    "@media (max-width:20rem){body{font-size:1rem}}\n";

void ch_html_raw(ch_html *h, const char *markup)
{
    ch_jw_raw(h, markup, strlen(markup));
}

void ch_html_text(ch_html *h, const char *text)
{
    const char *run = text;
    for (; text && *text; text++) {
        const char *rep = NULL;
        switch (*text) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        ch_jw_raw(h, run, (size_t)(text - run));
        ch_jw_raw(h, rep, strlen(rep));
        run = text + 1;
    }
    if (run)
        ch_jw_raw(h, run, strlen(run));
}

void ch_html_begin(ch_html *h, const char *organisation, const char *title)
{
    ch_jw_init(h);
    ch_html_raw(h, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                   "<title>");
    ch_html_text(h, title);
    ch_html_raw(h, " - ");
    ch_html_text(h, organisation);
    ch_html_raw(h, "</title><link rel=\"stylesheet\" href=\"/public/style.css\"></head>\n"
                   "<body><header><p>");
    ch_html_text(h, organisation);
    ch_html_raw(h, "</p></header>\n<main id=\"main\"><h1>");
    ch_html_text(h, title);
    ch_html_raw(h, "</h1>\n");
}

void ch_html_end(ch_html *h)
{
    ch_html_raw(h, "</main></body></html>\n");
}

enum MHD_Result ch_html_message(ch_req *r, unsigned status, const char *organisation,
                                const char *title, const char *sentence)
{
    ch_html h;
    ch_html_begin(&h, organisation, title);
    ch_html_raw(&h, "<p>");
    ch_html_text(&h, sentence);
    ch_html_raw(&h, "</p>\n");
    ch_html_end(&h);
    return ch_html_send(r, status, &h);
}

enum MHD_Result ch_html_send(ch_req *r, unsigned status, ch_html *h)
{
    return ch_html_send_with(r, status, h, NULL, NULL);
}

enum MHD_Result ch_html_send_with(ch_req *r, unsigned status, ch_html *h, const char *cookie,
                                  const char *location)
{
    size_t len;
    char *text = ch_jw_take(h, &len);
    if (!text)
        return ch_http_problem(r, 500, "Something went wrong on our side",
                               "The desk ran out of memory writing the page; try again.", NULL);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "text/html; charset=utf-8");
    /* No script at all on these pages, and nothing inline. */
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'none'; style-src 'self'; form-action 'self'; "
                            "base-uri 'none'; frame-ancestors 'none'");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (cookie)
        MHD_add_response_header(resp, "Set-Cookie", cookie);
    if (location)
        MHD_add_response_header(resp, "Location", location);
    enum MHD_Result ok = ch_http_respond(r, status, resp);
    MHD_destroy_response(resp);
    return ok;
}
