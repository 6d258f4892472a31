/* Text a person can read from an HTML mail body, for messages that carry
 * no text/plain part: tags dropped, scripts and styles left out, entities
 * decoded, block elements turned into line breaks. */
#ifndef CH_MAIL_HTML_H
#define CH_MAIL_HTML_H

#include <stddef.h>

/* The text of len bytes of UTF-8 HTML, at most max bytes of it (cut at a
 * character boundary), NUL-terminated and malloc'd (the caller frees), its
 * length in *out_len. NULL only when out of memory. */
char *ch_mail_html_to_text(const char *html, size_t len, size_t max, size_t *out_len);

#endif
