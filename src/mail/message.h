/* One email message, read (parse) or written (build) with GMime. Parsing
 * never refuses a message a mail server would pass: what it cannot read
 * is kept as text and noted, so a malformed message still reaches a case.
 * Everything a parse returns lives in the caller's arena, in UTF-8. */
#ifndef CH_MESSAGE_H
#define CH_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/timefmt.h"

/* GMime is started once per process (before threads) and stopped once. */
void ch_message_init(void);
void ch_message_shutdown(void);

typedef struct ch_address {
    const char *name; /* the display name decoded, or NULL */
    const char *addr; /* local@domain, lower-cased domain; never NULL */
} ch_address;

typedef struct ch_part {
    const char *filename;     /* decoded; a name is made up when it had none */
    const char *content_type; /* "image/png", lower case, no parameters */
    const unsigned char *data;
    size_t len;   /* decoded (base64 or quoted-printable undone) */
    bool inline_; /* shown in the message body (an inline image) */
} ch_part;

/* Why a message is mail that no machine should answer (RFC 3834). */
typedef enum ch_auto_kind {
    CH_AUTO_NONE,
    CH_AUTO_SUBMITTED, /* Auto-Submitted other than "no", X-Autoreply, X-Autorespond */
    CH_AUTO_BULK,      /* Precedence bulk, list or junk */
    CH_AUTO_LIST,      /* List-Id or List-Unsubscribe */
    CH_AUTO_DAEMON,    /* from MAILER-DAEMON, postmaster, or an empty Return-Path */
} ch_auto_kind;

/* A delivery status notification (RFC 3464) about a message we sent. */
typedef struct ch_bounce {
    bool is_bounce;
    const char *original_id; /* Message-ID of what bounced (no angle brackets), or NULL */
    const char *recipient;   /* Final-Recipient's address, or NULL */
    const char *status;      /* "5.1.1", or NULL */
    const char *diagnostic;  /* the remote server's words, or NULL */
} ch_bounce;

typedef struct ch_message {
    ch_address from;     /* addr "" when there was no usable From */
    ch_address reply_to; /* addr NULL when absent */
    ch_address *to, *cc;
    size_t nto, ncc;
    const char *subject;    /* decoded; "" when absent */
    const char *message_id; /* no angle brackets; NULL when absent */
    const char *in_reply_to;
    const char **references; /* oldest first */
    size_t nreferences;
    ch_time date; /* the Date header, 0 when absent or unreadable */
    /* The text a person wrote: text/plain, or text converted from HTML when
     * that is all there is; "" when neither. */
    const char *text;
    bool from_html; /* text was converted from HTML */
    ch_part *parts; /* attachments and inline images (winmail.dat stays whole) */
    size_t nparts;
    bool signed_;   /* multipart/signed: its content was read, not checked */
    bool malformed; /* GMime could not read its structure; text is the raw body */
    ch_auto_kind automatic;
    ch_bounce bounce;
} ch_message;

/* Parses len bytes of raw RFC 5322 text into out, in arena. CH_E_INVALID
 * only for input that is not a message at all (empty, no header); anything
 * else succeeds, with malformed set when it had to guess. */
int ch_message_parse(const char *raw, size_t len, ch_arena *arena, ch_message *out, ch_error *err);

typedef struct ch_outgoing {
    ch_address from;           /* the service's address and name */
    const ch_address *to, *cc; /* names are quoted as needed, never split */
    size_t nto, ncc;
    const char *subject;     /* UTF-8; encoded as needed */
    const char *text;        /* UTF-8 body, lines ending \n */
    const char *in_reply_to; /* no angle brackets, or NULL */
    const char *const *references;
    size_t nreferences;
    const ch_part *parts; /* attachments */
    size_t nparts;
    const char *id_domain; /* the right-hand side of the Message-ID made */
    /* RFC 3834's Auto-Submitted: an acknowledgement is "auto-replied", a
     * staff notification "auto-generated"; CH_SUBMITTED_BY_PERSON for a person's own. */
    enum { CH_SUBMITTED_BY_PERSON, CH_AUTO_REPLIED, CH_AUTO_GENERATED } auto_submitted;
    ch_time date;
} ch_outgoing;

/* Writes m as RFC 5322 text: *raw (malloc'd, the caller frees) of *len
 * bytes, with the Message-ID it made (no angle brackets) in message_id.
 * CH_E_INVALID with a sentence for an address mail cannot go to. */
int ch_message_build(const ch_outgoing *m, char **raw, size_t *len, char message_id[256],
                     ch_error *err);

#endif
