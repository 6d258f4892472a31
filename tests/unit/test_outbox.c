/* The outbox worker's decisions, against a real SQLite store and a relay
 * that is not there: the back-off between attempts, a message kept queued
 * with the network's reason, given up after two days, and a lease that
 * keeps a second worker off a message being sent. */
#include "helpers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mail/mail.h"
#include "mail/outbox.h"

static void backoff_doubles_to_an_hour(void **state)
{
    (void)state;
    assert_int_equal(ch_outbox_backoff(1, 60), 60);
    assert_int_equal(ch_outbox_backoff(2, 60), 120);
    assert_int_equal(ch_outbox_backoff(4, 60), 480);
    assert_int_equal(ch_outbox_backoff(6, 60), 1920);
    assert_int_equal(ch_outbox_backoff(7, 60), 3600);
    assert_int_equal(ch_outbox_backoff(40, 60), 3600);
    assert_int_equal(ch_outbox_backoff(1, 0), 60);
    assert_int_equal(ch_outbox_backoff(3, 2), 8);
}

/* A loopback port nothing listens on: bound, then let go. */
static int dead_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    assert_true(s >= 0);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    close(s);
    return ntohs(a.sin_port);
}

static const char raw[] =
    "From: a@cognus.example\r\nTo: b@parent.example\r\nSubject: x\r\n\r\nHi\r\n";

static int64_t queue(ch_store *s, ch_time created, const char *rcpts)
{
    ch_error err;
    ch_outbox_row row = {.purpose = "reply",
                         .mail_from = "a@cognus.example",
                         .rcpts = rcpts,
                         .message_id = "t@cognus.example",
                         .raw = (const unsigned char *)raw,
                         .len = sizeof(raw) - 1,
                         .created_at = created};
    if (ch_store_outbox_insert(s, &row, 1, &err))
        fail_msg("queue: %s", err.msg);
    return row.id;
}

static const ch_outbox_row *find(ch_outbox_row *rows, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].id == id)
            return &rows[i];
    fail_msg("outbox row %lld is gone", (long long)id);
    return NULL;
}

static void relay_down_queues_then_gives_up(void **state)
{
    (void)state;
    char dir[] = "/tmp/charter-outbox-XXXXXX", url[128], smtp[64], cmd[96];
    ch_store *s;
    ch_error err;
    ch_arena a = {0};
    assert_non_null(mkdtemp(dir));
    snprintf(url, sizeof(url), "sqlite:%s/t.db", dir);
    if (ch_store_open(&s, url, &err))
        fail_msg("open: %s", err.msg);
    snprintf(smtp, sizeof(smtp), "smtp://127.0.0.1:%d", dead_port());
    ch_time now = (ch_time)time(NULL);
    int64_t fresh = queue(s, now, "b@parent.example");
    int64_t old = queue(s, now - CH_OUTBOX_GIVE_UP - 60, "b@parent.example");
    ch_outbox_config c = {.store = s, .smtp_url = smtp, .retry_seconds = 60};
    size_t sent = 9, retried = 9;
    assert_int_equal(ch_outbox_round(&c, now, &sent, &retried, &err), CH_OK);
    assert_int_equal(sent, 0);
    assert_int_equal(retried, 2);
    ch_outbox_row *rows;
    size_t n;
    ch_outbox_filter f = {0};
    assert_int_equal(ch_store_outbox_list(s, &f, &a, &rows, &n, &err), CH_OK);
    const ch_outbox_row *r = find(rows, n, fresh);
    assert_string_equal(r->state, "queued");
    assert_int_equal(r->attempts, 1);
    assert_int_equal(r->next_attempt_at, now + 60);
    assert_non_null(r->last_error);
    r = find(rows, n, old);
    assert_string_equal(r->state, "failed");
    assert_non_null(r->last_error);
    /* Not due again until its back-off has passed. */
    assert_int_equal(ch_outbox_round(&c, now + 59, &sent, &retried, &err), CH_OK);
    assert_int_equal(sent + retried, 0);
    assert_int_equal(ch_outbox_round(&c, now + 60, &sent, &retried, &err), CH_OK);
    assert_int_equal(retried, 1);
    assert_int_equal(ch_store_outbox_list(s, &f, &a, &rows, &n, &err), CH_OK);
    r = find(rows, n, fresh);
    assert_int_equal(r->attempts, 2);
    assert_int_equal(r->next_attempt_at, now + 60 + 120);
    ch_store_close(s);
    ch_arena_free(&a);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void a_claimed_message_is_left_alone(void **state)
{
    (void)state;
    char dir[] = "/tmp/charter-outbox-XXXXXX", url[128], cmd[96];
    ch_store *s;
    ch_error err;
    ch_arena a = {0};
    assert_non_null(mkdtemp(dir));
    snprintf(url, sizeof(url), "sqlite:%s/t.db", dir);
    if (ch_store_open(&s, url, &err))
        fail_msg("open: %s", err.msg);
    ch_time now = (ch_time)time(NULL);
    queue(s, now, "b@parent.example");
    ch_outbox_row *rows;
    size_t n;
    /* Another worker holds it (a slow relay): this round finds nothing. */
    assert_int_equal(ch_store_outbox_claim(s, now, now + 600, 10, &a, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    ch_outbox_config c = {.store = s, .smtp_url = "smtp://127.0.0.1:1"};
    size_t sent = 9, retried = 9;
    assert_int_equal(ch_outbox_round(&c, now + 1, &sent, &retried, &err), CH_OK);
    assert_int_equal(sent + retried, 0);
    ch_store_close(s);
    ch_arena_free(&a);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    ch_error err;
    if (ch_mail_init(&err))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(backoff_doubles_to_an_hour),
        cmocka_unit_test(relay_down_queues_then_gives_up),
        cmocka_unit_test(a_claimed_message_is_left_alone),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    ch_mail_cleanup();
    return rc;
}
