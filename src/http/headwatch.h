/* The deadline for a whole request head. libmicrohttpd's own timeout is
 * for idleness, so a client sending one header line every few seconds
 * could hold a connection for ever; this watch closes any connection
 * whose request head is not complete within its deadline of the
 * connection opening (or, kept alive, of the previous answer). */
#ifndef CH_HEADWATCH_H
#define CH_HEADWATCH_H

#include <microhttpd.h>

#include "core/error.h"

/* Ample for any person's browser on a slow line (a head is a few
 * kilobytes), and half libmicrohttpd's idle timeout. */
enum { CH_HEAD_SECONDS = 15 };

typedef struct ch_headwatch ch_headwatch;

/* Starts the watch's thread; *out is the caller's, for ch_headwatch_stop. */
int ch_headwatch_start(ch_headwatch **out, unsigned seconds, ch_error *err);
/* Ends the thread and frees the watch, once the daemon has stopped. */
void ch_headwatch_stop(ch_headwatch *w);

/* MHD_OPTION_NOTIFY_CONNECTION's callback, with the watch as cls. */
void ch_headwatch_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                         enum MHD_ConnectionNotificationCode code);
/* A request's head has arrived on conn (the first call of the request
 * handler), or its answer has gone and the next head's deadline starts. */
void ch_headwatch_head_done(struct MHD_Connection *conn);
void ch_headwatch_answered(struct MHD_Connection *conn);

#endif
