/* Mail to staff about their notifications, against a real SQLite store:
 * "each" gets a message per notification, "digest" one message listing
 * them once the oldest has waited a day, "none" no mail (theirs are
 * settled so they are not looked at again); nothing is mailed twice. */
#include "helpers.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/desk.h"
#include "mail/mail.h"

typedef struct fixture {
    char dir[64];
    ch_desk desk;
    ch_arena arena;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    char url[128];
    ch_error err;
    snprintf(f->dir, sizeof(f->dir), "/tmp/charter-notify-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(url, sizeof(url), "sqlite:%s/t.db", f->dir);
    if (ch_store_open(&f->desk.store, url, &err))
        fail_msg("open: %s", err.msg);
    /* The store keeps one administrator through every change of a user. */
    ch_user admin = {.email = "admin@charter.local", .name = "Admin", .role = CH_ROLE_ADMIN};
    int64_t id;
    if (ch_store_user_insert(f->desk.store, &admin, &id, &err))
        fail_msg("admin: %s", err.msg);
    pthread_rwlock_init(&f->desk.policies_lock, NULL);
    f->desk.smtp_url = "smtp://127.0.0.1:1"; /* queued only: nothing is sent here */
    f->desk.mail_from = "desk@cognus.example";
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[96];
    ch_store_close(f->desk.store);
    pthread_rwlock_destroy(&f->desk.policies_lock);
    ch_arena_free(&f->arena);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static int64_t staff(fixture *f, const char *email, const char *notify)
{
    ch_error err;
    int64_t id;
    ch_user u = {.email = email, .name = email, .role = CH_ROLE_OFFICER};
    if (ch_store_user_insert(f->desk.store, &u, &id, &err))
        fail_msg("user: %s", err.msg);
    ch_user_change ch = {.id = id, .active = -1, .notify = notify};
    if (ch_store_user_update(f->desk.store, &ch, &err))
        fail_msg("notify: %s", err.msg);
    return id;
}

static void tell(fixture *f, int64_t user, ch_time at, const char *text)
{
    ch_error err;
    ch_notification n = {.user_id = user, .kind = "assigned", .text = text, .created_at = at};
    if (ch_store_notification_insert(f->desk.store, &n, NULL, &err))
        fail_msg("notification: %s", err.msg);
}

/* The messages queued to rcpt with purpose. */
static size_t queued(fixture *f, const char *rcpt, const char *purpose)
{
    ch_error err;
    ch_outbox_row *rows;
    size_t n;
    ch_outbox_filter q = {.rcpt = rcpt, .purpose = purpose};
    if (ch_store_outbox_list(f->desk.store, &q, &f->arena, &rows, &n, &err))
        fail_msg("outbox: %s", err.msg);
    return n;
}

static size_t unemailed(fixture *f, int64_t user)
{
    ch_error err;
    ch_notification *rows;
    size_t n;
    if (ch_store_notification_unemailed(f->desk.store, user, 100, &f->arena, &rows, &n, &err))
        fail_msg("unemailed: %s", err.msg);
    return n;
}

static void each_digest_and_none(void **state)
{
    fixture *f = *state;
    ch_time now = (ch_time)time(NULL);
    int64_t olu = staff(f, "olu@staff.example", "each");
    int64_t dee = staff(f, "dee@staff.example", "digest");
    int64_t nia = staff(f, "nia@staff.example", "none");
    tell(f, olu, now - 60, "Case #1 for you.");
    tell(f, olu, now - 30, "Case #2 for you.");
    tell(f, dee, now - 3600, "Case #3 for you.");
    tell(f, dee, now - 60, "Case #4 for you.");
    tell(f, nia, now - 60, "Case #5 for you.");
    ch_desk_notify_round(&f->desk, now);
    assert_int_equal(queued(f, "olu@staff.example", "notification"), 2);
    assert_int_equal(unemailed(f, olu), 0);
    /* The digest waits until the oldest has waited a day. */
    assert_int_equal(queued(f, "dee@staff.example", NULL), 0);
    assert_int_equal(unemailed(f, dee), 2);
    assert_int_equal(queued(f, "nia@staff.example", NULL), 0);
    assert_int_equal(unemailed(f, nia), 0);
    ch_desk_notify_round(&f->desk, now + 3600);
    assert_int_equal(queued(f, "dee@staff.example", NULL), 0);
    ch_desk_notify_round(&f->desk, now + 24 * 3600);
    assert_int_equal(queued(f, "dee@staff.example", "digest"), 1);
    assert_int_equal(unemailed(f, dee), 0);
    /* Nothing is mailed twice. */
    ch_desk_notify_round(&f->desk, now + 25 * 3600);
    assert_int_equal(queued(f, "olu@staff.example", NULL), 2);
    assert_int_equal(queued(f, "dee@staff.example", NULL), 1);
}

static void no_relay_no_mail(void **state)
{
    fixture *f = *state;
    ch_time now = (ch_time)time(NULL);
    f->desk.smtp_url = NULL;
    int64_t olu = staff(f, "olu@staff.example", "each");
    tell(f, olu, now - 60, "Case #1 for you.");
    ch_desk_notify_round(&f->desk, now);
    assert_int_equal(queued(f, "olu@staff.example", NULL), 0);
    assert_int_equal(unemailed(f, olu), 1); /* told once a relay is set */
}

int main(void)
{
    ch_error err;
    if (ch_mail_init(&err))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(each_digest_and_none, setup, teardown),
        cmocka_unit_test_setup_teardown(no_relay_no_mail, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    ch_mail_cleanup();
    return rc;
}
