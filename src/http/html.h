/* HTML pages written by the server (the public forms and standards page,
 * which must work without JavaScript): every piece of text is escaped, and
 * the page shape is shared, accessible and free of inline script or style. */
#ifndef CH_HTML_H
#define CH_HTML_H

#include "http/desk.h"
#include "http/jsonw.h"

typedef ch_jw ch_html;

/* Starts a page: doctype, head with title and stylesheet, a header naming
 * the organisation, and an open <main> with the page's <h1>. */
void ch_html_begin(ch_html *h, const char *organisation, const char *title);
/* Closes <main> and the page. */
void ch_html_end(ch_html *h);
/* Markup written as given: only for fixed strings in our code. */
void ch_html_raw(ch_html *h, const char *markup);
/* Text escaped for element content and attribute values. */
void ch_html_text(ch_html *h, const char *text);

/* Sends the page (text/html) with the desk's strict headers and frees it. */
enum MHD_Result ch_html_send(ch_req *r, unsigned status, ch_html *h);

/* The same, with a Set-Cookie and a Location header when not NULL (a
 * sign-in that sets its cookie and sends the browser on). */
enum MHD_Result ch_html_send_with(ch_req *r, unsigned status, ch_html *h, const char *cookie,
                                  const char *location);

/* A page that only says one sentence (not found, please wait, closed),
 * sent with status. */
enum MHD_Result ch_html_message(ch_req *r, unsigned status, const char *organisation,
                                const char *title, const char *sentence);

/* The stylesheet the pages link to. */
extern const char ch_html_css[];

#endif
