/* Polling one mailbox over IMAP with TLS: the unseen messages fetched
 * without marking them, handed to a caller's function, and only once that
 * says a message is kept marked \Seen (or moved), so a crash or a store
 * outage never loses one. Knows nothing of the store or the desk. */
#ifndef CH_IMAP_H
#define CH_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/civil.h"
#include "core/error.h"

/* The keyword set on a message refused forever (when no folder is given
 * for them), so it is not fetched again at every poll. */
#define CH_IMAP_REFUSED_KEYWORD "$CharterRefused"

enum { CH_IMAP_MAX_WORKERS = 32 };

typedef struct ch_imap_options {
    /* imaps://host:port/MAILBOX, or imap://host:port/MAILBOX (STARTTLS is
     * then required); no user or password in it. */
    const char *url;
    const char *user, *password;
    const char *ca_file;    /* the CA that signed the server's certificate; NULL: the system's */
    const char *move_to;    /* a folder taken messages move to; NULL: marked \Seen in place */
    const char *refused_to; /* a folder refused ones move to; NULL: the keyword above */
    size_t max_bytes;       /* larger messages are refused unfetched; 0: 25 MiB */
    size_t batch;           /* messages per FETCH; 0: 200 */
    /* Messages of a batch taken at once, so their commits share a disk
     * flush; each still after any in the batch it answers. 0: 1. With
     * more than one the handler must be safe to call from several threads. */
    size_t workers;
    long timeout_s; /* for the connection and each answer; 0: 60 */
} ch_imap_options;

typedef struct ch_imap_message {
    uint32_t uid;
    const char *raw; /* the whole message as the server holds it */
    size_t len;
    ch_time internal_date; /* when the server took it (INTERNALDATE); 0 if not given */
} ch_imap_message;

typedef struct ch_imap_handler {
    /* Takes one message. CH_OK: it is kept, mark it. CH_E_STORE: it could
     * not be kept now, leave it for the next poll (and this poll stops).
     * Anything else (CH_E_INVALID, CH_E_NOTFOUND) refuses it forever, with
     * the sentence in err. */
    int (*take)(void *arg, const ch_imap_message *m, ch_error *err);
    /* Told of each message refused forever, by take or for its size, once
     * it is flagged; may be NULL. */
    void (*refused)(void *arg, uint32_t uid, const char *why);
    void *arg;
} ch_imap_handler;

typedef struct ch_imap_summary {
    size_t found;   /* messages not yet taken when the poll began */
    size_t taken;   /* kept and marked (or moved) */
    size_t refused; /* refused forever and flagged */
    size_t left;    /* left unmarked, for the next poll */
} ch_imap_summary;

/* Checks o->url: imaps:// or imap://, a host, a mailbox of printable
 * ASCII, no user or password. CH_E_INVALID with a sentence otherwise. */
int ch_imap_url_check(const char *url, ch_error *err);

/* Call once before the first poll, and ch_imap_cleanup once after. */
int ch_imap_init(ch_error *err);
void ch_imap_cleanup(void);

/* One poll of the mailbox. CH_OK when every message found was taken,
 * refused or left for a later poll by the handler. CH_E_IO (a sentence
 * naming the server) when the server could not be reached or broke off:
 * try again later. CH_E_INVALID when it refused the login, its certificate
 * could not be checked, it would not do TLS or a folder does not exist: a
 * person must change something. CH_E_STORE when the handler said so. In
 * every case sum says what was done before it stopped. */
int ch_imap_poll(const ch_imap_options *o, const ch_imap_handler *h, ch_imap_summary *sum,
                 ch_error *err);

#endif
