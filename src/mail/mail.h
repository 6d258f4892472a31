/* Outbound mail over SMTP (libcurl): a plain-text message with
 * attachments, to one named person. Addresses and names reach mail headers,
 * so anything that could break out of a header is refused or dropped. */
#ifndef CH_MAIL_H
#define CH_MAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

typedef struct ch_mail_attachment {
    const char *name, *type; /* "statement.pdf", "application/pdf" */
    const char *data;
    size_t len;
} ch_mail_attachment;

typedef struct ch_mail {
    const char *from;    /* an address */
    const char *to;      /* an address */
    const char *to_name; /* may be NULL */
    const char *subject; /* UTF-8 */
    const char *text;    /* UTF-8, lines ending \n */
    const ch_mail_attachment *attachments;
    size_t nattachments;
} ch_mail;

/* Call once before any thread sends, and ch_mail_cleanup once after the
 * last. */
int ch_mail_init(ch_error *err);
void ch_mail_cleanup(void);

/* Whether s is an address the desk will write into a header: 3-254
 * characters, one '@' with text either side, no spaces, controls, quotes,
 * angle brackets, commas or semicolons. */
bool ch_mail_address_ok(const char *s);

/* Sends m through the SMTP server at url (smtp://host:port). CH_E_INVALID
 * for an address that cannot be used, CH_E_IO (with the server's or the
 * network's reason) when the message was not taken. */
int ch_mail_send(const char *url, const ch_mail *m, ch_error *err);

/* Sends raw (a whole RFC 5322 message, as ch_message_build writes) from
 * envelope sender mail_from to each of rcpts through url (smtp://host:port
 * or smtps://). With require_tls the session must be encrypted (STARTTLS or
 * smtps), else nothing is sent; ca_file (or NULL for the system's) checks
 * the relay's certificate. CH_E_IO with the relay's or network's reason;
 * CH_E_INVALID for an address that cannot be used. Bounded by timeouts, so
 * a worker thread, never a request, should call it. */
int ch_mail_send_raw(const char *url, const char *mail_from, const char *const *rcpts,
                     size_t nrcpts, const char *raw, size_t len, bool require_tls,
                     const char *ca_file, ch_error *err);

#endif
