/* The outbox worker: claims due messages with a lease (so several servers
 * on one PostgreSQL database never send one twice at once, and a crash only
 * delays), sends each through the relay, and records sent, queued again
 * with back-off, or given up. */
#include "mail/outbox.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail/mail.h"

/* A claimed batch is left alone this long by other workers: longer than
 * the relay's own timeouts (30 s a message) for the whole batch, so a slow
 * send is never taken twice. */
#define LEASE_SECONDS 600
#define BATCH 5

ch_time ch_outbox_backoff(int attempt, ch_time first)
{
    ch_time wait = first > 0 ? first : 60;
    for (int i = 1; i < attempt && wait < 3600; i++)
        wait *= 2;
    return wait > 3600 ? 3600 : wait;
}

/* The recipients of a row, split from their comma-separated text. */
static int row_rcpts(ch_arena *a, const ch_outbox_row *row, const char ***out, size_t *n,
                     ch_error *err)
{
    if (!row->rcpts || ch_store_list_split(a, row->rcpts, out, n) || !*n)
        return ch_error_set(err, CH_E_INVALID, "the message names no recipient");
    return CH_OK;
}

static int send_one(const ch_outbox_config *c, ch_arena *a, const ch_outbox_row *row, ch_time now,
                    bool *sent, ch_error *err)
{
    const char **rcpts = NULL;
    size_t n = 0;
    ch_error why = {0};
    int rc = row_rcpts(a, row, &rcpts, &n, &why);
    if (!rc)
        rc = ch_mail_send_raw(c->smtp_url, row->mail_from, rcpts, n, (const char *)row->raw,
                              row->len, row->require_tls, c->ca_file, &why);
    *sent = rc == CH_OK;
    if (rc == CH_OK)
        return ch_store_outbox_result(c->store, row->id, "sent", now, NULL, 0, err);
    /* An address no relay will take never will: give up at once. Anything
     * else (the relay down, refusing for now) is tried again later, until
     * the message has waited too long. */
    bool give_up = rc == CH_E_INVALID || now - row->created_at >= CH_OUTBOX_GIVE_UP;
    if (give_up)
        return ch_store_outbox_result(c->store, row->id, "failed", now, why.msg, 0, err);
    return ch_store_outbox_result(c->store, row->id, "queued", now, why.msg,
                                  now + ch_outbox_backoff(row->attempts, c->retry_seconds), err);
}

int ch_outbox_round(const ch_outbox_config *c, ch_time now, size_t *sent, size_t *retried,
                    ch_error *err)
{
    ch_arena a = {0};
    ch_outbox_row *rows = NULL;
    size_t n = 0, ok = 0, again = 0;
    if (sent)
        *sent = 0;
    if (retried)
        *retried = 0;
    /* A desk without a relay leaves its mail queued, to go once one is set,
     * rather than spending its attempts. */
    if (!c->smtp_url)
        return CH_OK;
    int rc = ch_store_outbox_claim(c->store, now, now + LEASE_SECONDS, BATCH, &a, &rows, &n, err);
    /* Stopping leaves the rest of the batch to its lease: it is sent after
     * the lease, by this server's next start or another's worker. */
    for (size_t i = 0; rc == CH_OK && i < n && !(c->stop && atomic_load(c->stop)); i++) {
        bool done = false;
        rc = send_one(c, &a, &rows[i], now, &done, err);
        if (done)
            ok++;
        else
            again++;
    }
    if (sent)
        *sent = ok;
    if (retried)
        *retried = again;
    ch_arena_free(&a);
    return rc;
}

struct ch_outbox_worker {
    ch_outbox_config config;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stop;
    atomic_bool stopping; /* read between messages, without the lock */
};

static void *worker_main(void *arg)
{
    ch_outbox_worker *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        pthread_mutex_unlock(&w->mu);
        ch_time now = (ch_time)time(NULL);
        if (w->config.before)
            w->config.before(w->config.ctx, now);
        /* A full batch means more may be waiting: go again at once. */
        size_t sent = 0, retried = 0;
        ch_error err = {0};
        do {
            if (ch_outbox_round(&w->config, (ch_time)time(NULL), &sent, &retried, &err)) {
                fprintf(stderr, "charter serve: outbox: %s\n", err.msg);
                break;
            }
        } while (sent + retried == BATCH && !atomic_load(&w->stopping));
        pthread_mutex_lock(&w->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += w->config.poll_seconds ? w->config.poll_seconds : 30;
        while (!w->stop && pthread_cond_timedwait(&w->wake, &w->mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int ch_outbox_start(const ch_outbox_config *c, ch_outbox_worker **out, ch_error *err)
{
    ch_outbox_worker *w = calloc(1, sizeof(*w));
    if (!w)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    w->config = *c;
    atomic_init(&w->stopping, false);
    w->config.stop = &w->stopping;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->wake);
        free(w);
        return ch_error_set(err, CH_E_IO, "the outbox worker could not be started");
    }
    *out = w;
    return CH_OK;
}

void ch_outbox_stop(ch_outbox_worker *w)
{
    if (!w)
        return;
    atomic_store(&w->stopping, true);
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->wake);
    free(w);
}
