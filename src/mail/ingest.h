/* Taking one inbound message onto the desk: kept whole first (so nothing
 * accepted is lost), then parsed, joined to its case or opening one,
 * acknowledged where the policy says so, and its officer told. Used by
 * `charter mailgate` (one message from an MTA) and the IMAP poller. */
#ifndef CH_INGEST_H
#define CH_INGEST_H

#include <stdbool.h>

#include "core/policy.h"
#include "store/store.h"

typedef struct ch_ingest_ctx {
    ch_store *store;
    const ch_policy *const *policies;
    size_t npolicies;
    /* "policy/service" (or a bare service id) to take the message for;
     * NULL: chosen from the recipient by the policies' mail addresses. */
    const char *service;
    /* The envelope recipient the MTA delivered to (postfix ${recipient}),
     * or NULL: Delivered-To, X-Original-To, To and Cc are tried in turn. */
    const char *recipient;
    ch_time now;           /* when the message reached our server */
    const char *id_domain; /* the right-hand side of Message-IDs we make */
} ch_ingest_ctx;

typedef struct ch_ingest_result {
    int64_t mail_in_id, case_id, contact_id;
    bool duplicate;       /* already taken once (same Message-ID, same service) */
    bool opened;          /* a new case was opened for it */
    bool acknowledged;    /* an acknowledgement was queued */
    bool bounce;          /* a delivery failure report, recorded on the case it names */
    char why_no_ack[200]; /* when the policy asks for one but none was sent */
} ch_ingest_result;

/* Takes raw (len bytes). CH_OK once it is stored (even when it could only
 * be kept, not filed: res->case_id 0 then). CH_E_STORE when the store could
 * not be reached or written: nothing was taken, the MTA should try again.
 * CH_E_INVALID or CH_E_NOTFOUND, with a sentence, for a message that can
 * never be taken (not a message, too large, no service for its address). */
int ch_mail_ingest(const ch_ingest_ctx *ctx, const char *raw, size_t len, ch_ingest_result *res,
                   ch_error *err);

/* The largest message taken: 25 MiB, as common mail servers allow. */
#define CH_MAIL_MAX_BYTES (25u * 1024 * 1024)

#endif
