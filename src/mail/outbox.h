/* The outbox worker: one thread per server that takes due messages from the
 * store's outbox and hands each to the relay, so no request thread ever
 * waits on a mail server, and a relay outage only delays mail. */
#ifndef CH_OUTBOX_H
#define CH_OUTBOX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "store/store.h"

typedef struct ch_outbox_config {
    ch_store *store;
    const char *smtp_url; /* smtp://host:port or smtps://; NULL: nothing is sent */
    const char *ca_file;  /* checks the relay's certificate; NULL for the system's */
    unsigned poll_seconds;
    unsigned retry_seconds; /* the first wait after a failed attempt; 0 for 60 */
    /* Called at the start of every round (may be NULL): the desk queues
     * its warnings and staff mail here, outside any request. */
    void (*before)(void *ctx, ch_time now);
    void *ctx;
    /* Set while the server stops: a round ends after the message in hand
     * (NULL: never). The worker sets its own. */
    const atomic_bool *stop;
} ch_outbox_config;

/* How long to wait after the attempt-th failed attempt (1 is the first):
 * first, then twice as long each time (1, 2, 4, 8 ... minutes for a first
 * of 60 s), at most an hour. */
ch_time ch_outbox_backoff(int attempt, ch_time first);

/* After this long since it was queued, a message that still cannot be sent
 * is given up as failed (the case shows it). */
#define CH_OUTBOX_GIVE_UP ((ch_time)2 * 24 * 3600)

/* One round at now: claims what is due and sends it; *sent and *retried
 * (either may be NULL) count what became of it. */
int ch_outbox_round(const ch_outbox_config *c, ch_time now, size_t *sent, size_t *retried,
                    ch_error *err);

typedef struct ch_outbox_worker ch_outbox_worker;

/* Starts the worker thread with a copy of c; ch_outbox_stop wakes it,
 * waits for the round under way to end, and frees it. */
int ch_outbox_start(const ch_outbox_config *c, ch_outbox_worker **out, ch_error *err);
void ch_outbox_stop(ch_outbox_worker *w);

#endif
