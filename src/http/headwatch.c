/* The request-head deadline (headwatch.h). Each connection has a record,
 * hung on libmicrohttpd's socket context and linked in one list; a thread
 * looks over the list every second and shuts down the socket of any
 * connection past its deadline, which libmicrohttpd then sees as closed.
 * The record leaves the list under the same lock before libmicrohttpd
 * closes the socket, so a shutdown never reaches a reused descriptor. */
#include "http/headwatch.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

typedef struct watched {
    struct ch_headwatch *w;
    int fd;
    bool waiting; /* for a request head */
    bool cut;     /* already shut down */
    struct timespec since;
    struct watched *prev, *next;
} watched;

struct ch_headwatch {
    pthread_mutex_t mu;
    pthread_cond_t wake;
    pthread_t thread;
    bool stopping;
    unsigned seconds;
    watched *head;
};

static struct timespec now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t;
}

/* Bytes the server has not read yet: the client sent them and the server
 * is the slow one (its thread busy with another connection's request), so
 * the client is not cut. A trickling client's lines are read as they come,
 * leaving nothing waiting. */
static bool unread(int fd)
{
    char b;
    return recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

static void *watch_main(void *arg)
{
    ch_headwatch *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stopping) {
        struct timespec t = now();
        for (watched *c = w->head; c; c = c->next) {
            if (c->waiting && !c->cut && t.tv_sec - c->since.tv_sec >= (time_t)w->seconds &&
                !unread(c->fd)) {
                shutdown(c->fd, SHUT_RDWR);
                c->cut = true;
            }
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&w->wake, &w->mu, &until);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int ch_headwatch_start(ch_headwatch **out, unsigned seconds, ch_error *err)
{
    ch_headwatch *w = calloc(1, sizeof(*w));
    if (!w)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->wake, NULL);
    w->seconds = seconds;
    if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
        free(w);
        return ch_error_set(err, CH_E_IO, "cannot start the request-head watch");
    }
    *out = w;
    return CH_OK;
}

void ch_headwatch_stop(ch_headwatch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    while (w->head) {
        watched *c = w->head;
        w->head = c->next;
        free(c);
    }
    free(w);
}

void ch_headwatch_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                         enum MHD_ConnectionNotificationCode code)
{
    ch_headwatch *w = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        watched *c = fd ? calloc(1, sizeof(*c)) : NULL;
        *socket_context = c;
        if (!c)
            return; /* unwatched: libmicrohttpd's idle timeout still holds */
        c->w = w;
        c->fd = fd->connect_fd;
        c->waiting = true;
        c->since = now();
        pthread_mutex_lock(&w->mu);
        c->next = w->head;
        if (w->head)
            w->head->prev = c;
        w->head = c;
        pthread_mutex_unlock(&w->mu);
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        watched *c = *socket_context;
        pthread_mutex_lock(&w->mu);
        if (c->prev)
            c->prev->next = c->next;
        else
            w->head = c->next;
        if (c->next)
            c->next->prev = c->prev;
        pthread_mutex_unlock(&w->mu);
        free(c);
        *socket_context = NULL;
    }
}

static void mark(struct MHD_Connection *conn, bool waiting)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    watched *c = info ? info->socket_context : NULL;
    if (!c)
        return;
    pthread_mutex_lock(&c->w->mu);
    c->waiting = waiting;
    c->since = now();
    pthread_mutex_unlock(&c->w->mu);
}

void ch_headwatch_head_done(struct MHD_Connection *conn)
{
    mark(conn, false);
}

void ch_headwatch_answered(struct MHD_Connection *conn)
{
    mark(conn, true);
}
