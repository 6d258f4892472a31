/* The store contract: what every backend must do. Run against SQLite (a
 * real file in a temporary folder) and, when CHARTER_TEST_PG_URL_FILE names
 * a file holding a PostgreSQL URL, against that server, each test in a
 * schema of its own. */
#include "helpers.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "core/auditlog.h"
#include "store/store.h"

typedef struct fixture {
    char dir[64];
    char pg_url[512]; /* empty for SQLite */
    char schema[40];
    ch_store *store;
    ch_arena arena;
} fixture;

static char pg_base[400];

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    ch_error err;
    char url[600];
    static int serial;
    snprintf(f->dir, sizeof(f->dir), "/tmp/charter-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    if (*pg_base) {
        snprintf(f->schema, sizeof(f->schema), "contract_%d_%d", (int)getpid(), ++serial);
        snprintf(f->pg_url, sizeof(f->pg_url), "%s", pg_base);
        snprintf(url, sizeof(url), "%s?schema=%s", pg_base, f->schema);
    } else {
        snprintf(url, sizeof(url), "sqlite:%s/t.db", f->dir);
    }
    if (ch_store_open(&f->store, url, &err))
        fail_msg("open: %s", err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    ch_store_close(f->store);
    ch_arena_free(&f->arena);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static int64_t add_case(fixture *f, const char *service, ch_time due, const char *state)
{
    ch_error err;
    static const char *flags[] = {"complex", "urgent"};
    ch_obligation_row ob = {0, "reply", "respond", "We reply.", due, state, 0};
    ch_event_row ev = {0, 1000, 0, "created", "test"};
    ch_case_row c = {0};
    c.service = service;
    c.kind = "enquiry";
    c.channel = "email";
    c.subject = "Subject";
    c.status = "open";
    c.received_at = 900;
    c.deemed_at = 900;
    c.created_at = 1000;
    c.flags = flags;
    c.nflags = 2;
    c.obligations = &ob;
    c.nobligations = 1;
    c.events = &ev;
    c.nevents = 1;
    c.next_due_at = due;
    if (ch_store_case_insert(f->store, &c, &err))
        fail_msg("insert: %s", err.msg);
    assert_true(c.id > 0);
    assert_true(c.obligations[0].id > 0);
    return c.id;
}

static int64_t add_user(fixture *f, const char *email, const char *notify);

static void users_are_unique_by_email(void **state)
{
    fixture *f = *state;
    ch_error err;
    int64_t id, count;
    const char *services[] = {"cognus/enquiries"};
    ch_user u = {0, "a@x.org", "A", CH_ROLE_MANAGER, "hash", services, 1}, got;
    assert_int_equal(ch_store_user_insert(f->store, &u, &id, &err), CH_OK);
    assert_int_equal(ch_store_user_insert(f->store, &u, &id, &err), CH_E_CONFLICT);
    assert_int_equal(ch_store_user_count(f->store, &count, &err), CH_OK);
    assert_int_equal(count, 1);
    assert_int_equal(ch_store_user_by_email(f->store, "a@x.org", &f->arena, &got, &err), CH_OK);
    assert_int_equal(got.role, CH_ROLE_MANAGER);
    assert_int_equal(got.nservices, 1);
    assert_string_equal(got.services[0], "cognus/enquiries");
    assert_int_equal(ch_store_user_by_id(f->store, 999, &f->arena, &got, &err), CH_E_NOTFOUND);
}

static void sessions_and_tokens_expire(void **state)
{
    fixture *f = *state;
    ch_error err;
    int64_t uid, tid;
    ch_user who;
    ch_credential cred;
    uint8_t session[32] = {1}, token[32] = {2}, unknown[32] = {3};
    const char *svc[] = {"cognus/enquiries", "sendiass/enquiries"};
    ch_user u = {0, "b@x.org", "B", CH_ROLE_OFFICER, NULL, svc, 2};
    assert_int_equal(ch_store_user_insert(f->store, &u, &uid, &err), CH_OK);
    assert_int_equal(ch_store_session_insert(f->store, uid, session, "csrf!", 2000, &err), CH_OK);
    assert_int_equal(ch_store_token_insert(f->store, uid, token, "laptop", 3000, &tid, &err),
                     CH_OK);
    assert_true(tid > 0);
    assert_int_equal(
        ch_store_credential_user(f->store, session, 1999, &f->arena, &who, &cred, &err), CH_OK);
    assert_int_equal(who.id, uid);
    assert_string_equal(who.email, "b@x.org");
    assert_int_equal(who.nservices, 2);
    assert_string_equal(who.services[1], "sendiass/enquiries");
    assert_false(who.inactive);
    assert_true(cred.session);
    assert_string_equal(cred.csrf, "csrf!");
    assert_int_equal(ch_store_credential_user(f->store, session, 2000, &f->arena, &who, NULL, &err),
                     CH_E_NOTFOUND);
    assert_int_equal(ch_store_credential_user(f->store, token, 2999, &f->arena, &who, &cred, &err),
                     CH_OK);
    assert_false(cred.session);
    assert_int_equal(cred.id, tid);
    assert_int_equal(cred.last_used_at, 0);
    assert_int_equal(ch_store_credential_user(f->store, token, 3000, &f->arena, &who, NULL, &err),
                     CH_E_NOTFOUND);
    assert_int_equal(ch_store_credential_user(f->store, unknown, 1000, &f->arena, &who, NULL, &err),
                     CH_E_NOTFOUND);
    assert_int_equal(ch_store_token_insert(f->store, 999, unknown, NULL, 3000, NULL, &err),
                     CH_E_NOTFOUND);
}

static void tokens_are_listed_noted_and_revoked(void **state)
{
    fixture *f = *state;
    ch_error err;
    int64_t a, b, first, second, whose = 0;
    ch_user who;
    ch_credential cred;
    ch_token_row *rows;
    size_t n;
    uint8_t one[32] = {4}, two[32] = {5}, other[32] = {6};
    ch_user ua = {0, "a@x.org", "A", CH_ROLE_OFFICER, NULL, NULL, 0};
    ch_user ub = {0, "b@x.org", "B", CH_ROLE_ADMIN, NULL, NULL, 0};
    assert_int_equal(ch_store_user_insert(f->store, &ua, &a, &err), CH_OK);
    assert_int_equal(ch_store_user_insert(f->store, &ub, &b, &err), CH_OK);
    assert_int_equal(ch_store_token_insert(f->store, a, one, "laptop", 9000, &first, &err), CH_OK);
    assert_int_equal(ch_store_token_insert(f->store, a, two, NULL, 8000, &second, &err), CH_OK);
    assert_int_equal(ch_store_token_insert(f->store, b, other, "b's", 9000, NULL, &err), CH_OK);
    assert_int_equal(ch_store_session_insert(f->store, a, (uint8_t[32]){7}, "c", 9000, &err),
                     CH_OK);
    assert_int_equal(ch_store_token_list(f->store, a, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 2); /* tokens only, newest first */
    assert_int_equal(rows[0].id, second);
    assert_null(rows[0].label);
    assert_int_equal(rows[0].expires_at, 8000);
    assert_int_equal(rows[1].id, first);
    assert_string_equal(rows[1].label, "laptop");
    assert_int_equal(rows[1].user_id, a);
    assert_true(rows[1].created_at > 0);
    assert_int_equal(rows[1].last_used_at, 0);
    assert_int_equal(ch_store_credential_used(f->store, first, 5000, &err), CH_OK);
    assert_int_equal(ch_store_credential_user(f->store, one, 5001, &f->arena, &who, &cred, &err),
                     CH_OK);
    assert_int_equal(cred.last_used_at, 5000);
    assert_int_equal(ch_store_token_list(f->store, a, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(rows[1].last_used_at, 5000);
    /* Only the owner (or anyone, with owner 0) revokes; then it is gone. */
    assert_int_equal(ch_store_token_delete(f->store, first, b, &whose, &err), CH_E_NOTFOUND);
    assert_int_equal(ch_store_token_delete(f->store, first, a, &whose, &err), CH_OK);
    assert_int_equal(whose, a);
    assert_int_equal(ch_store_token_delete(f->store, first, a, &whose, &err), CH_E_NOTFOUND);
    assert_int_equal(ch_store_credential_user(f->store, one, 5001, &f->arena, &who, NULL, &err),
                     CH_E_NOTFOUND);
    assert_int_equal(ch_store_token_delete(f->store, second, 0, &whose, &err), CH_OK);
    assert_int_equal(ch_store_token_list(f->store, a, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 0);
    /* A session is not a token to revoke by id; it ends by its hash. */
    assert_int_equal(ch_store_credential_delete(f->store, (uint8_t[32]){7}, &err), CH_OK);
    assert_int_equal(ch_store_credential_delete(f->store, (uint8_t[32]){7}, &err), CH_E_NOTFOUND);
    assert_int_equal(
        ch_store_credential_user(f->store, (uint8_t[32]){7}, 10, &f->arena, &who, NULL, &err),
        CH_E_NOTFOUND);
}

static void a_user_changes_in_one_write(void **state)
{
    fixture *f = *state;
    ch_error err;
    int64_t admin, officer;
    ch_user got, *list;
    size_t n;
    uint8_t s1[32] = {8}, s2[32] = {9}, tok[32] = {10};
    const char *svc[] = {"cognus/enquiries"};
    const char *moved[] = {"sendiass/enquiries", "beacon/consultancy"};
    ch_user ua = {0, "admin@x.org", "Ada", CH_ROLE_ADMIN, "old", NULL, 0};
    ch_user uo = {0, "olu@x.org", "Olu", CH_ROLE_OFFICER, "old", svc, 1};
    assert_int_equal(ch_store_user_insert(f->store, &ua, &admin, &err), CH_OK);
    assert_int_equal(ch_store_user_insert(f->store, &uo, &officer, &err), CH_OK);

    ch_user_change edit = {.id = officer,
                           .name = "Olu Ade",
                           .set_role = true,
                           .role = CH_ROLE_MANAGER,
                           .set_services = true,
                           .services = moved,
                           .nservices = 2,
                           .active = -1};
    assert_int_equal(ch_store_user_update(f->store, &edit, &err), CH_OK);
    assert_int_equal(ch_store_user_by_id(f->store, officer, &f->arena, &got, &err), CH_OK);
    assert_string_equal(got.name, "Olu Ade");
    assert_int_equal(got.role, CH_ROLE_MANAGER);
    assert_int_equal(got.nservices, 2);
    assert_string_equal(got.services[0], "beacon/consultancy");
    assert_string_equal(got.services[1], "sendiass/enquiries");
    assert_string_equal(got.password_hash, "old");
    assert_false(got.inactive);

    /* A new password ends the other sessions but the one kept; tokens stay. */
    assert_int_equal(ch_store_session_insert(f->store, officer, s1, "c1", 9000, &err), CH_OK);
    assert_int_equal(ch_store_session_insert(f->store, officer, s2, "c2", 9000, &err), CH_OK);
    assert_int_equal(ch_store_token_insert(f->store, officer, tok, NULL, 9000, NULL, &err), CH_OK);
    ch_user_change pw = {.id = officer,
                         .active = -1,
                         .password_hash = "new",
                         .end_sessions = true,
                         .keep_session = s1};
    assert_int_equal(ch_store_user_update(f->store, &pw, &err), CH_OK);
    assert_int_equal(ch_store_user_by_email(f->store, "olu@x.org", &f->arena, &got, &err), CH_OK);
    assert_string_equal(got.password_hash, "new");
    assert_string_equal(got.name, "Olu Ade"); /* left as it was */
    assert_int_equal(ch_store_credential_user(f->store, s1, 10, &f->arena, &got, NULL, &err),
                     CH_OK);
    assert_int_equal(ch_store_credential_user(f->store, s2, 10, &f->arena, &got, NULL, &err),
                     CH_E_NOTFOUND);
    assert_int_equal(ch_store_credential_user(f->store, tok, 10, &f->arena, &got, NULL, &err),
                     CH_OK);

    /* Deactivated: nothing of theirs works, and they read back inactive. */
    ch_user_change off = {.id = officer, .active = 0, .end_sessions = true, .end_tokens = true};
    assert_int_equal(ch_store_user_update(f->store, &off, &err), CH_OK);
    assert_int_equal(ch_store_credential_user(f->store, s1, 10, &f->arena, &got, NULL, &err),
                     CH_E_NOTFOUND);
    assert_int_equal(ch_store_credential_user(f->store, tok, 10, &f->arena, &got, NULL, &err),
                     CH_E_NOTFOUND);
    assert_int_equal(ch_store_user_by_id(f->store, officer, &f->arena, &got, &err), CH_OK);
    assert_true(got.inactive);
    assert_int_equal(ch_store_user_list(f->store, &f->arena, &list, &n, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_false(list[0].inactive); /* admin@x.org */
    assert_true(list[1].inactive);  /* olu@x.org */
    /* Even a credential left behind does not work for an inactive user. */
    assert_int_equal(ch_store_session_insert(f->store, officer, s2, "c2", 9000, &err), CH_OK);
    assert_int_equal(ch_store_credential_user(f->store, s2, 10, &f->arena, &got, NULL, &err),
                     CH_E_NOTFOUND);
    ch_user_change on = {.id = officer, .active = 1};
    assert_int_equal(ch_store_user_update(f->store, &on, &err), CH_OK);
    assert_int_equal(ch_store_credential_user(f->store, s2, 10, &f->arena, &got, NULL, &err),
                     CH_OK);

    /* The last active administrator stays: neither deactivated nor demoted. */
    ch_user_change last = {.id = admin, .active = 0};
    assert_int_equal(ch_store_user_update(f->store, &last, &err), CH_E_CONFLICT);
    ch_user_change demote = {.id = admin, .set_role = true, .role = CH_ROLE_OFFICER, .active = -1};
    assert_int_equal(ch_store_user_update(f->store, &demote, &err), CH_E_CONFLICT);
    assert_int_equal(ch_store_user_by_id(f->store, admin, &f->arena, &got, &err), CH_OK);
    assert_int_equal(got.role, CH_ROLE_ADMIN);
    assert_false(got.inactive);
    /* With a second administrator the first may go. */
    ch_user_change promote = {.id = officer, .set_role = true, .role = CH_ROLE_ADMIN, .active = -1};
    assert_int_equal(ch_store_user_update(f->store, &promote, &err), CH_OK);
    assert_int_equal(ch_store_user_update(f->store, &last, &err), CH_OK);
    ch_user_change nobody = {.id = 999, .name = "X", .active = -1};
    assert_int_equal(ch_store_user_update(f->store, &nobody, &err), CH_E_NOTFOUND);
}

static void a_case_reads_back_as_written(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_case_row c;
    int64_t id = add_case(f, "cognus/enquiries", 5000, "pending");
    assert_int_equal(ch_store_case_get(f->store, id, &f->arena, &c, &err), CH_OK);
    assert_string_equal(c.service, "cognus/enquiries");
    assert_int_equal(c.nflags, 2);
    assert_string_equal(c.flags[1], "urgent");
    assert_int_equal(c.version, 1);
    assert_int_equal(c.next_due_at, 5000);
    assert_int_equal(c.nobligations, 1);
    assert_string_equal(c.obligations[0].state, "pending");
    assert_int_equal(c.nevents, 1);
    assert_int_equal(ch_store_case_get(f->store, id + 1, &f->arena, &c, &err), CH_E_NOTFOUND);
}

static void updates_check_the_version_and_keep_pauses(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_case_row c;
    int64_t id = add_case(f, "cognus/enquiries", 5000, "pending"), version;
    ch_event_row ev = {0, 1100, 0, "changed", "paused"};
    ch_case_update u = {.case_id = id,
                        .expect = 1,
                        .event = &ev,
                        .status = "paused",
                        .now = 1100,
                        .pause_from = 1100};
    assert_int_equal(ch_store_case_update(f->store, &u, &version, &err), CH_OK);
    assert_int_equal(version, 2);
    assert_int_equal(ch_store_case_update(f->store, &u, &version, &err), CH_E_CONFLICT);
    ch_case_update resume = {.case_id = id,
                             .expect = 2,
                             .status = "open",
                             .now = 1200,
                             .pause_to = 1200,
                             .next_due_at = 5100};
    assert_int_equal(ch_store_case_update(f->store, &resume, &version, &err), CH_OK);
    assert_int_equal(ch_store_case_get(f->store, id, &f->arena, &c, &err), CH_OK);
    assert_int_equal(c.npauses, 1);
    assert_int_equal(c.pauses[0].from, 1100);
    assert_int_equal(c.pauses[0].to, 1200);
    assert_int_equal(c.next_due_at, 5100);
    assert_string_equal(c.status, "open");
}

/* Finds by each word's start, case aside, and counts how many came back. */
static size_t found_people(fixture *f, const char *const *words, size_t n, const char *service,
                           int64_t want)
{
    ch_error err;
    ch_person *rows;
    size_t count, hits = 0;
    const char *services[] = {service};
    assert_int_equal(ch_store_people_find(f->store, words, n, service ? services : NULL,
                                          service ? 1 : 0, 20, &f->arena, &rows, &count, &err),
                     CH_OK);
    for (size_t i = 0; i < count; i++)
        hits += rows[i].id == want;
    return want ? hits : count;
}

static void finders_match_the_start_of_words_for_those_one_may_see(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_organisation oak = {0, "Oak Tree Academy", "school", 1000};
    assert_int_equal(ch_store_organisation_insert(f->store, &oak, &err), CH_OK);
    ch_person dara = {0, "Dara O'Neill", "dara@oaktree.example", NULL, NULL, oak.id, 1000};
    ch_person percy = {0, "100% Percy", "percy@elsewhere.example", NULL, NULL, 0, 1000};
    assert_int_equal(ch_store_person_insert(f->store, &dara, &err), CH_OK);
    assert_int_equal(ch_store_person_insert(f->store, &percy, &err), CH_OK);
    /* Sam is known only through a case of the SEND service. */
    ch_obligation_row ob = {0, "reply", "respond", "We reply.", 5000, "pending", 0};
    ch_event_row ev = {0, 1000, 0, "created", "test"};
    ch_case_row c = {0};
    c.service = "sendiass/enquiries";
    c.kind = "enquiry";
    c.channel = "email";
    c.subject = "School transport appeal";
    c.status = "open";
    c.received_at = c.deemed_at = 900;
    c.created_at = 1000;
    c.requester_name = "Sam Client";
    c.requester_email = "sam@client.example";
    c.obligations = &ob;
    c.nobligations = 1;
    c.events = &ev;
    c.nevents = 1;
    c.next_due_at = 5000;
    assert_int_equal(ch_store_case_insert(f->store, &c, &err), CH_OK);
    assert_true(c.person_id > 0);

    const char *dar[] = {"dar"}, *later[] = {"o'ne"}, *upper[] = {"DARA@OAK"};
    const char *domain[] = {"oaktree.ex"}, *middle[] = {"eill"}, *both[] = {"dara", "nope"};
    assert_int_equal(found_people(f, dar, 1, NULL, dara.id), 1);
    assert_int_equal(found_people(f, later, 1, NULL, dara.id), 1);
    assert_int_equal(found_people(f, upper, 1, NULL, dara.id), 1);
    assert_int_equal(found_people(f, domain, 1, NULL, dara.id), 1);
    assert_int_equal(found_people(f, middle, 1, NULL, 0), 0);
    assert_int_equal(found_people(f, both, 2, NULL, 0), 0);
    /* LIKE's wildcards are only characters. */
    const char *pct[] = {"%"}, *under[] = {"_"}, *hundred[] = {"100%"};
    assert_int_equal(found_people(f, pct, 1, NULL, 0), 0);
    assert_int_equal(found_people(f, under, 1, NULL, 0), 0);
    assert_int_equal(found_people(f, hundred, 1, NULL, percy.id), 1);
    /* A person with a case is seen by its service; one with neither a case
     * nor a service of their own, by administrators only (NULL). */
    const char *sam[] = {"sam"};
    assert_int_equal(found_people(f, sam, 1, "sendiass/enquiries", c.person_id), 1);
    assert_int_equal(found_people(f, sam, 1, "cognus/enquiries", 0), 0);
    assert_int_equal(found_people(f, sam, 1, NULL, c.person_id), 1);
    assert_int_equal(found_people(f, dar, 1, "cognus/enquiries", 0), 0);
    ch_person ren = {0, "Ren Sendiass", NULL, NULL, NULL, 0, 1000};
    ren.service = "sendiass/enquiries";
    assert_int_equal(ch_store_person_insert(f->store, &ren, &err), CH_OK);
    const char *ren_w[] = {"ren"};
    assert_int_equal(found_people(f, ren_w, 1, "sendiass/enquiries", ren.id), 1);
    assert_int_equal(found_people(f, ren_w, 1, "cognus/enquiries", 0), 0);
    bool in = false;
    const char *sendiass[] = {"sendiass/enquiries"}, *cognus[] = {"cognus/enquiries"};
    assert_int_equal(ch_store_person_in(f->store, ren.id, sendiass, 1, &in, &err), CH_OK);
    assert_true(in);
    assert_int_equal(ch_store_person_in(f->store, ren.id, cognus, 1, &in, &err), CH_OK);
    assert_false(in);
    assert_int_equal(ch_store_person_in(f->store, c.person_id, sendiass, 1, &in, &err), CH_OK);
    assert_true(in);

    ch_organisation *orgs;
    size_t n;
    const char *oak_tree[] = {"tree", "OAK"}, *ree[] = {"ree"};
    assert_int_equal(
        ch_store_organisations_find(f->store, oak_tree, 2, 20, &f->arena, &orgs, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(orgs[0].id, oak.id);
    assert_string_equal(orgs[0].kind, "school");
    assert_int_equal(ch_store_organisations_find(f->store, ree, 1, 20, &f->arena, &orgs, &n, &err),
                     CH_OK);
    assert_int_equal(n, 0);
    const char *none[1] = {"x"};
    assert_int_equal(ch_store_organisations_find(f->store, none, 0, 20, &f->arena, &orgs, &n, &err),
                     CH_E_INVALID);

    /* Case search takes each word as the start of a word too. */
    ch_case_row *rows;
    assert_int_equal(
        ch_store_search(f->store, "transp APP", NULL, 0, 10, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, c.id);
    assert_int_equal(ch_store_search(f->store, "ransport", NULL, 0, 10, &f->arena, &rows, &n, &err),
                     CH_OK);
    assert_int_equal(n, 0);
}

/* A referral in one write: the case changes service and deemed receipt,
 * its open obligation is withdrawn with the reason, the new one is added. */
static void a_case_moves_to_another_service_in_one_write(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_case_row c;
    int64_t id = add_case(f, "cognus/enquiries", 5000, "pending"), version;
    assert_int_equal(ch_store_case_get(f->store, id, &f->arena, &c, &err), CH_OK);
    ch_obligation_row gone = c.obligations[0];
    gone.state = "withdrawn";
    gone.reason = "referred to the council: FOI";
    gone.service = "cognus/enquiries"; /* left behind: Cognus's history */
    ch_obligation_row fresh = {0, "foi-reply", "respond", "We answer FOI.", 8000, "pending", 0};
    ch_event_row ev = {0, 1100, 0, "referred", "referred to the council: FOI"};
    ch_case_update u = {.case_id = id,
                        .expect = 1,
                        .changed = &gone,
                        .nchanged = 1,
                        .added = &fresh,
                        .nadded = 1,
                        .event = &ev,
                        .status = "open",
                        .next_due_at = 8000,
                        .now = 1100,
                        .service = "sutton/information-requests",
                        .deemed_at = 950};
    assert_int_equal(ch_store_case_update(f->store, &u, &version, &err), CH_OK);
    assert_int_equal(ch_store_case_get(f->store, id, &f->arena, &c, &err), CH_OK);
    assert_string_equal(c.service, "sutton/information-requests");
    assert_int_equal(c.received_at, 900); /* the time it first arrived stays */
    assert_int_equal(c.deemed_at, 950);
    assert_int_equal(c.next_due_at, 8000);
    assert_int_equal(c.nobligations, 2);
    assert_string_equal(c.obligations[0].state, "withdrawn");
    assert_string_equal(c.obligations[0].reason, "referred to the council: FOI");
    assert_string_equal(c.obligations[0].service, "cognus/enquiries");
    assert_null(c.obligations[1].service);
    assert_string_equal(c.obligations[1].promise, "foi-reply");
    assert_null(c.obligations[1].reason);
    assert_string_equal(c.events[c.nevents - 1].what, "referred");
    /* Reports count each obligation for the service whose promise it was. */
    ch_report_row *rows;
    size_t nrows;
    const char *cognus[] = {"cognus/enquiries"};
    assert_int_equal(
        ch_store_report_rows(f->store, 0, 10000, cognus, 1, &f->arena, &rows, &nrows, &err), CH_OK);
    assert_int_equal(nrows, 1);
    assert_string_equal(rows[0].promise, "reply");
    assert_string_equal(rows[0].service, "cognus/enquiries");
    /* A later change that does not name the service leaves it as it is. */
    gone.service = NULL;
    gone.reason = "still withdrawn";
    ch_case_update again = {.case_id = id,
                            .expect = 2,
                            .changed = &gone,
                            .nchanged = 1,
                            .status = "open",
                            .next_due_at = 8000,
                            .now = 1200};
    assert_int_equal(ch_store_case_update(f->store, &again, &version, &err), CH_OK);
    assert_int_equal(ch_store_case_get(f->store, id, &f->arena, &c, &err), CH_OK);
    assert_string_equal(c.obligations[0].service, "cognus/enquiries");
    /* An obligation withdrawn is past the breach sweep. */
    int64_t swept;
    assert_int_equal(ch_store_breach_sweep(f->store, 6000, &swept, &err), CH_OK);
    assert_int_equal(swept, 0);
}

static void queues_come_soonest_due_first_and_skip_other_services(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_case_row *rows;
    size_t n;
    int64_t late = add_case(f, "cognus/enquiries", 3000, "pending");
    int64_t soon = add_case(f, "cognus/enquiries", 2000, "pending");
    add_case(f, "sendiass/enquiries", 1000, "pending");
    add_case(f, "cognus/enquiries", 9000, "pending"); /* not yet overdue */
    const char *mine[] = {"cognus/enquiries"};
    ch_queue_query q = {
        .queue = CH_QUEUE_OVERDUE, .services = mine, .nservices = 1, .now = 5000, .limit = 50};
    assert_int_equal(ch_store_queue(f->store, &q, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, soon);
    assert_int_equal(rows[1].id, late);
    q.limit = 1;
    q.offset = 1;
    assert_int_equal(ch_store_queue(f->store, &q, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, late);
}

/* What the case list must hold, worked out here case by case: the store
 * reads it as index ranges merged and counts it from maintained totals,
 * and either can go wrong only where the two disagree with this. */
typedef struct listed_case {
    int64_t id, officer;
    const char *service, *kind, *status;
    bool named;
} listed_case;

static bool list_wants(const ch_case_filter *lf, const listed_case *c)
{
    bool seen = !lf->services;
    for (size_t k = 0; lf->services && k < lf->nservices; k++)
        seen = seen || strcmp(lf->services[k], c->service) == 0;
    return seen && (!lf->service || strcmp(lf->service, c->service) == 0) &&
           (!lf->kind || strcmp(lf->kind, c->kind) == 0) &&
           (!lf->status || strcmp(lf->status, c->status) == 0) &&
           (lf->officer_id <= 0 || c->officer == lf->officer_id) &&
           (lf->officer_id >= 0 || c->officer == 0) &&
           !(lf->hide_staff_named && c->named && strcmp(c->kind, "complaint") == 0);
}

static void list_check(fixture *f, const ch_case_filter *lf, const listed_case *cs, size_t ncs)
{
    ch_error err;
    ch_case_row *rows;
    size_t n, want = 0, k = 0;
    int64_t total;
    assert_int_equal(ch_store_case_list(f->store, lf, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(ch_store_case_count(f->store, lf, &total, &err), CH_OK);
    for (size_t i = ncs; i-- > 0;) { /* newest first */
        if (!list_wants(lf, &cs[i]))
            continue;
        if (want++ < lf->offset || k >= lf->limit)
            continue;
        if (k >= n || rows[k].id != cs[i].id)
            fail_msg("case %lld missing at %zu (service %s kind %s status %s officer %lld)",
                     (long long)cs[i].id, k, lf->service ? lf->service : "-",
                     lf->kind ? lf->kind : "-", lf->status ? lf->status : "-",
                     (long long)lf->officer_id);
        k++;
    }
    assert_int_equal(n, k);
    assert_int_equal(total, (int64_t)want);
}

static void the_case_list_is_every_match_newest_first(void **state)
{
    fixture *f = *state;
    ch_error err;
    int64_t u1 = add_user(f, "one@example.org", "each"),
            u2 = add_user(f, "two@example.org", "each");
    static const char *const homes[] = {"cognus/enquiries", "sendiass/enquiries",
                                        "sutton/information-requests"};
    static const char *const kinds[] = {"enquiry", "complaint", "foi"};
    listed_case cs[60];
    int64_t version;
    size_t ncs = sizeof(cs) / sizeof(*cs);
    for (size_t i = 0; i < ncs; i++) {
        cs[i] = (listed_case){
            add_case(f, homes[i % 3], 5000, "pending"), 0, homes[i % 3], "enquiry", "open", false};
        ch_event_row ev = {0, 1100, 0, "changed", "test"};
        ch_case_update u = {.case_id = cs[i].id, .event = &ev, .status = "open", .now = 1100};
        if (i % 3 == 0)
            cs[i].status = u.status = "closed";
        else if (i % 5 == 1)
            cs[i].status = u.status = "paused";
        if (i % 4) {
            u.set_officer = true;
            cs[i].officer = u.officer_id = i % 4 == 1 ? u1 : u2;
        }
        if (i % 7 == 3)
            cs[i].service = u.service = "sutton/information-requests", u.deemed_at = 900;
        cs[i].kind = u.kind = kinds[(i / 2) % 3];
        assert_int_equal(ch_store_case_update(f->store, &u, &version, &err), CH_OK);
        if (i % 8 == 2 && strcmp(cs[i].kind, "complaint") == 0) {
            int64_t named[] = {u1};
            ch_case_update nu = {
                .case_id = cs[i].id, .event = &ev, .status = u.status, .now = 1200};
            assert_int_equal(ch_store_case_staff_set(f->store, &nu, named, 1, u1, &version, &err),
                             CH_OK);
            cs[i].named = true;
        }
        if (i == ncs / 2) { /* moved back: the totals follow each change, not just the last */
            ch_case_update back = {.case_id = cs[i].id,
                                   .event = &ev,
                                   .status = "open",
                                   .set_officer = true,
                                   .now = 1300};
            assert_int_equal(ch_store_case_update(f->store, &back, &version, &err), CH_OK);
            cs[i].status = "open";
            cs[i].officer = 0;
        }
    }
    const char *one[] = {"cognus/enquiries"}, *two[] = {"cognus/enquiries", "sendiass/enquiries"};
    const char *many[20];
    char names[17][16];
    for (size_t i = 0; i < 17; i++) {
        snprintf(names[i], sizeof(names[i]), "x/s%zu", i);
        many[i] = names[i];
    }
    many[17] = homes[0], many[18] = homes[1], many[19] = homes[2];
    struct {
        const char *const *v;
        size_t n;
    } views[] = {{NULL, 0}, {one, 1}, {two, 2}, {many, 20}, {one, 0}};
    const char *services[] = {NULL, "cognus/enquiries", "sutton/information-requests"};
    const char *kind[] = {NULL, "enquiry", "complaint"};
    const char *status[] = {NULL, "open", "paused", "closed"};
    int64_t officer[] = {0, -1, u1};
    size_t checked = 0;
    for (size_t v = 0; v < 5; v++)
        for (size_t a = 0; a < 3; a++)
            for (size_t b = 0; b < 3; b++)
                for (size_t c = 0; c < 4; c++)
                    for (size_t d = 0; d < 3; d++)
                        for (int h = 0; h < 2; h++) {
                            ch_case_filter lf = {.services = views[v].v,
                                                 .nservices = views[v].n,
                                                 .service = services[a],
                                                 .kind = kind[b],
                                                 .status = status[c],
                                                 .officer_id = officer[d],
                                                 .hide_staff_named = h,
                                                 .limit = 200};
                            list_check(f, &lf, cs, ncs);
                            lf.limit = 3; /* a page from the middle, across the ranges */
                            lf.offset = 2;
                            list_check(f, &lf, cs, ncs);
                            checked++;
                        }
    assert_int_equal(checked, 1080);
    /* Mine and unassigned count the same totals: every case not closed. */
    for (size_t v = 0; v < 5; v++)
        for (int h = 0; h < 4; h++) {
            ch_queue_query q = {.queue = h & 1 ? CH_QUEUE_MINE : CH_QUEUE_UNASSIGNED,
                                .user_id = u1,
                                .services = views[v].v,
                                .nservices = views[v].n,
                                .hide_staff_named = h & 2,
                                .limit = 200};
            ch_case_row *rows;
            size_t n, want = 0;
            int64_t total;
            for (size_t i = 0; i < ncs; i++) {
                ch_case_filter lf = {.services = q.services,
                                     .nservices = q.nservices,
                                     .officer_id = h & 1 ? u1 : -1,
                                     .hide_staff_named = q.hide_staff_named};
                want += list_wants(&lf, &cs[i]) && strcmp(cs[i].status, "closed") != 0;
            }
            assert_int_equal(ch_store_queue(f->store, &q, &f->arena, &rows, &n, &err), CH_OK);
            assert_int_equal(ch_store_queue_count(f->store, &q, &total, &err), CH_OK);
            assert_int_equal(n, want);
            assert_int_equal(total, (int64_t)want);
        }
}

/* An obligation met by a contact names it, and keeps naming it through
 * later changes that carry the row as read. */
static void an_obligation_names_the_contact_that_met_it(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_case_row c;
    int64_t id = add_case(f, "cognus/enquiries", 5000, "pending"), version;
    assert_int_equal(ch_store_case_get(f->store, id, &f->arena, &c, &err), CH_OK);
    assert_int_equal(c.obligations[0].met_by_contact, 0);
    ch_contact_row k = {0, "outbound", "email", NULL, "Our answer", NULL, 1500, 0};
    ch_obligation_row met = c.obligations[0];
    met.state = "met";
    met.met_at = 1500;
    met.met_by_contact = CH_CONTACT_NEW;
    ch_case_update u = {.case_id = id,
                        .expect = 1,
                        .contact = &k,
                        .changed = &met,
                        .nchanged = 1,
                        .status = "open",
                        .now = 1500};
    assert_int_equal(ch_store_case_update(f->store, &u, &version, &err), CH_OK);
    assert_true(k.id > 0);
    assert_int_equal(ch_store_case_get(f->store, id, &f->arena, &c, &err), CH_OK);
    assert_string_equal(c.obligations[0].state, "met");
    assert_int_equal(c.obligations[0].met_by_contact, k.id);
    ch_case_update again = {.case_id = id,
                            .expect = version,
                            .changed = c.obligations,
                            .nchanged = 1,
                            .status = "closed",
                            .now = 1600};
    assert_int_equal(ch_store_case_update(f->store, &again, &version, &err), CH_OK);
    assert_int_equal(ch_store_case_get(f->store, id, &f->arena, &c, &err), CH_OK);
    assert_int_equal(c.obligations[0].met_by_contact, k.id);
}

/* A page says how many match in all: the count uses the page's filter and
 * ignores its limit and offset. */
static void lists_and_queues_count_what_matches(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_case_row *rows;
    size_t n;
    int64_t total;
    for (int i = 0; i < 5; i++)
        add_case(f, "cognus/enquiries", 2000 + i, "pending");
    add_case(f, "sendiass/enquiries", 1000, "pending");
    add_case(f, "cognus/enquiries", 9000, "pending"); /* not yet overdue */
    const char *mine[] = {"cognus/enquiries"};
    ch_case_filter lf = {.services = mine, .nservices = 1, .status = "open", .limit = 2};
    assert_int_equal(ch_store_case_list(f->store, &lf, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ch_store_case_count(f->store, &lf, &total, &err), CH_OK);
    assert_int_equal(total, 6);
    lf.offset = 5;
    assert_int_equal(ch_store_case_list(f->store, &lf, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ch_store_case_count(f->store, &lf, &total, &err), CH_OK);
    assert_int_equal(total, 6);
    lf.status = "closed";
    assert_int_equal(ch_store_case_count(f->store, &lf, &total, &err), CH_OK);
    assert_int_equal(total, 0);
    ch_case_filter all = {.kind = "enquiry", .officer_id = -1, .limit = 50};
    assert_int_equal(ch_store_case_count(f->store, &all, &total, &err), CH_OK);
    assert_int_equal(total, 7);
    ch_case_filter none = {.services = mine, .nservices = 0, .limit = 50};
    assert_int_equal(ch_store_case_count(f->store, &none, &total, &err), CH_OK);
    assert_int_equal(total, 0);

    ch_queue_query q = {
        .queue = CH_QUEUE_OVERDUE, .services = mine, .nservices = 1, .now = 5000, .limit = 2};
    assert_int_equal(ch_store_queue(f->store, &q, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ch_store_queue_count(f->store, &q, &total, &err), CH_OK);
    assert_int_equal(total, 5);
    ch_time before[] = {2003};
    ch_queue_query today = {.queue = CH_QUEUE_DUE_TODAY,
                            .services = mine,
                            .nservices = 1,
                            .now = 2001,
                            .before = before,
                            .limit = 1};
    assert_int_equal(ch_store_queue_count(f->store, &today, &total, &err), CH_OK);
    assert_int_equal(total, 2); /* due at 2001 and 2002 */
    ch_queue_query unassigned = {.queue = CH_QUEUE_UNASSIGNED, .limit = 1, .offset = 3};
    assert_int_equal(ch_store_queue_count(f->store, &unassigned, &total, &err), CH_OK);
    assert_int_equal(total, 7);
}

/* The overdue queue is counted from whichever side is smaller, it or the
 * open cases not yet due, in rounds of 1,024, 4,096 and on: each count
 * here, from none overdue to all of them and across those rounds, must
 * still be the cases worked out one by one. */
static void the_overdue_count_is_exact_whichever_side_is_smaller(void **state)
{
    fixture *f = *state;
    ch_error err;
    enum { N = 2600 };
    for (int i = 0; i < N; i++)
        add_case(f, i % 2 ? "sendiass/enquiries" : "cognus/enquiries", 10000 + i, "pending");
    const char *mine[] = {"cognus/enquiries"};
    const int past[] = {0, 1, 1023, 1024, 1025, 1300, 2000, 2048, 2049, 2599, N, N + 5000};
    for (size_t v = 0; v < 3; v++)
        for (size_t k = 0; k < sizeof(past) / sizeof(past[0]); k++) {
            ch_queue_query q = {.queue = CH_QUEUE_OVERDUE,
                                .services = v ? mine : NULL,
                                .nservices = v == 1 ? 1 : 0,
                                .now = 10000 + past[k],
                                .limit = 10};
            int64_t want = 0, total = -1;
            for (int i = 0; i < N && v < 2; i++)
                want += i < past[k] && (v == 0 || i % 2 == 0);
            assert_int_equal(ch_store_queue_count(f->store, &q, &total, &err), CH_OK);
            assert_int_equal(total, want);
        }
}

static void the_breach_sweep_marks_past_due_obligations(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_case_row c;
    int64_t count;
    int64_t past = add_case(f, "cognus/enquiries", 2000, "pending");
    int64_t future = add_case(f, "cognus/enquiries", 9000, "pending");
    assert_int_equal(ch_store_breach_sweep(f->store, 5000, &count, &err), CH_OK);
    assert_int_equal(count, 1);
    assert_int_equal(ch_store_case_get(f->store, past, &f->arena, &c, &err), CH_OK);
    assert_string_equal(c.obligations[0].state, "breached");
    assert_int_equal(c.version, 2);
    assert_string_equal(c.events[c.nevents - 1].what, "breached");
    assert_int_equal(ch_store_case_get(f->store, future, &f->arena, &c, &err), CH_OK);
    assert_string_equal(c.obligations[0].state, "pending");
    assert_int_equal(ch_store_breach_sweep(f->store, 5000, &count, &err), CH_OK);
    assert_int_equal(count, 0);
}

/* Even with the database in hand, table refuses updates and deletes. */
static void assert_append_only(fixture *f, const char *table)
{
    char up[128], del[128];
    snprintf(up, sizeof(up), "UPDATE %s SET id = id + 1000", table);
    snprintf(del, sizeof(del), "DELETE FROM %s", table);
    if (*f->pg_url) {
        PGconn *db = PQconnectdb(f->pg_url);
        char sql[128];
        assert_int_equal(PQstatus(db), CONNECTION_OK);
        snprintf(sql, sizeof(sql), "SET search_path TO %s", f->schema);
        PQclear(PQexec(db, sql));
        PGresult *res = PQexec(db, up);
        assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR);
        PQclear(res);
        res = PQexec(db, del);
        assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR);
        PQclear(res);
        PQfinish(db);
        return;
    }
    char path[128];
    sqlite3 *db;
    snprintf(path, sizeof(path), "%s/t.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, up, NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, del, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void the_audit_log_only_grows(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_audit_row *rows;
    size_t n;
    ch_audit_row a = {0, 1000, 1, "read", "case", 7, "127.0.0.1", 0, NULL, NULL};
    assert_int_equal(ch_store_audit_insert(f->store, &a, &err), CH_OK);
    a.action = "update";
    assert_int_equal(ch_store_audit_insert(f->store, &a, &err), CH_OK);
    assert_int_equal(ch_store_audit_list(f->store, 7, 10, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].action, "update"); /* newest first */
    assert_string_equal(rows[1].remote, "127.0.0.1");
    /* Even with the database in hand, the audit log refuses edits. */
    assert_append_only(f, "audit");
}

static int walk_row(void *ctx, const ch_audit_row *row, ch_error *err)
{
    (void)err;
    ch_auditlog_entry e = ch_store_audit_entry(row);
    ch_auditlog_walk_step(ctx, &e);
    return CH_OK;
}

/* The chain as verify sees it: whole or not, in w. */
static ch_auditlog_fault walk_chain(fixture *f, ch_auditlog_walk *w)
{
    ch_error err = {0};
    int64_t loose = 0, loose_max = 0;
    ch_auditlog_walk_init(w);
    assert_int_equal(ch_store_audit_chain(f->store, walk_row, w, &loose, &loose_max, &err), CH_OK);
    return ch_auditlog_walk_end(w, loose, loose_max);
}

/* Audit retention deletes the oldest rows as a prefix of the chain that
 * stops at the first row about a held record, and leaves a purge row by
 * which verify tells the purge from a tampering. */
static void the_audit_log_is_purged_oldest_first(void **state)
{
    fixture *f = *state;
    ch_error err = {0};
    ch_auditlog_walk w;
    int64_t held = add_case(f, "cognus/enquiries", 5000, "open"), other = held + 100, n = -1;
    const ch_time at[] = {1000, 1001, 1002, 1003, 9000};
    for (int i = 0; i < 5; i++) {
        ch_audit_row a = {0,           at[i], 1,    "read", "case", i == 2 ? held : other,
                          "127.0.0.1", 0,     NULL, NULL};
        assert_int_equal(ch_store_audit_insert(f->store, &a, &err), CH_OK);
    }
    ch_legal_hold h = {.case_id = held, .reason = "Tribunal claim", .placed_at = 1500};
    assert_int_equal(ch_store_hold_place(f->store, &h, &err), CH_OK);
    /* The dry run counts the two rows before the held case's, and keeps them. */
    assert_int_equal(ch_store_audit_purge(f->store, 5000, true, 9100, 0, &n, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(walk_chain(f, &w), CH_AUDITLOG_WHOLE);
    assert_int_equal(w.rows, 5);
    assert_int_equal(ch_store_audit_purge(f->store, 5000, false, 9100, 0, &n, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(walk_chain(f, &w), CH_AUDITLOG_WHOLE);
    assert_int_equal(w.rows, 4); /* seq 3, 4, 5 and the purge row */
    assert_int_equal(w.purged, 2);
    assert_non_null(strstr(w.msg, "purged"));
    /* Nothing more is due while the hold stands. */
    assert_int_equal(ch_store_audit_purge(f->store, 5000, false, 9200, 0, &n, &err), CH_OK);
    assert_int_equal(n, 0);
    assert_int_equal(walk_chain(f, &w), CH_AUDITLOG_WHOLE);
    assert_int_equal(w.rows, 4);
    /* Released, the rest of the old rows go; the newer row and the purge
     * rows, written after the cutoff, stay. */
    assert_int_equal(ch_store_hold_release(f->store, 0, held, &err), CH_OK);
    assert_int_equal(ch_store_audit_purge(f->store, 5000, false, 9300, 0, &n, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(walk_chain(f, &w), CH_AUDITLOG_WHOLE);
    assert_int_equal(w.rows, 3);
    assert_int_equal(w.purged, 4);
    /* Outside a purge, the log still refuses a delete. */
    assert_append_only(f, "audit");
}

static int64_t add_contract(fixture *f, int64_t consultant, ch_contract *k)
{
    ch_error err;
    *k = (ch_contract){.organisation = "Springfield Primary",
                       .service = "beacon/consultancy",
                       .year = "2026-27",
                       .starts = ch_date_from_ymd(2026, 9, 1),
                       .ends = ch_date_from_ymd(2027, 8, 31),
                       .amount = 1800,
                       .unit = "hours",
                       .purchased = 1080,
                       .block = 150,
                       .prep_counts = true,
                       .contact_name = "Ms Head",
                       .contact_email = "head@springfield.sch.uk",
                       .consultant_id = consultant,
                       .shortfall_policy = "rollover",
                       .created_at = 1000};
    if (ch_store_contract_insert(f->store, k, &err))
        fail_msg("contract: %s", err.msg);
    return k->id;
}

static void contracts_visits_and_the_ledger(void **state)
{
    fixture *f = *state;
    ch_error err;
    int64_t uid;
    ch_user u = {0, "c@x.org", "Cora Consultant", CH_ROLE_OFFICER, NULL, NULL, 0};
    assert_int_equal(ch_store_user_insert(f->store, &u, &uid, &err), CH_OK);
    ch_contract k, got;
    int64_t id = add_contract(f, uid, &k);
    assert_true(k.organisation_id > 0);
    assert_int_equal(ch_store_contract_get(f->store, id, &f->arena, &got, &err), CH_OK);
    assert_string_equal(got.organisation, "Springfield Primary");
    assert_string_equal(got.consultant, "Cora Consultant");
    assert_string_equal(got.status, "open");
    assert_int_equal(got.starts, ch_date_from_ymd(2026, 9, 1));
    assert_true(got.prep_counts);
    assert_int_equal(got.balance, 1080); /* the purchase is the first entry */

    ch_visit a = {.contract_id = id,
                  .consultant_id = uid,
                  .starts_at = 5000,
                  .booked = 150,
                  .created_at = 1100};
    ch_visit b = a;
    b.starts_at = 50000;
    assert_int_equal(ch_store_visit_insert(f->store, &a, &got, &err), CH_OK);
    /* One person, one place: a visit overlapping one the consultant holds
     * is refused inside the write; one straight after it is not refused. */
    ch_visit clash = a;
    clash.id = 0;
    clash.starts_at = a.starts_at + 3600;
    assert_int_equal(ch_store_visit_insert(f->store, &clash, NULL, &err), CH_E_CONFLICT);
    assert_non_null(strstr(err.msg, "booked into visit"));
    clash.consultant_id = 0; /* nobody named yet: nothing to clash with */
    assert_int_equal(ch_store_visit_insert(f->store, &clash, NULL, &err), CH_OK);
    /* Decided on figures that are now stale: someone booked since. */
    assert_int_equal(ch_store_visit_insert(f->store, &b, &got, &err), CH_E_CONFLICT);
    assert_int_equal(ch_store_visit_insert(f->store, &b, NULL, &err), CH_OK);
    assert_int_equal(ch_store_contract_get(f->store, id, &f->arena, &got, &err), CH_OK);
    assert_int_equal(got.booked, 450);
    ch_visit_change drop = {.visit_id = clash.id, .status = "cancelled-early", .at = 1200};
    assert_int_equal(ch_store_visit_change(f->store, &drop, &err), CH_OK);

    /* The school cancels the first late: charged, once, however often asked. */
    ch_ledger_row charge = {.contract_id = id,
                            .at = 5000,
                            .kind = "drawdown",
                            .minutes = -150,
                            .visit_id = a.id,
                            .created_at = 5100};
    ch_visit_change end = {
        .visit_id = a.id, .status = "cancelled-late", .charge = &charge, .at = 5100};
    assert_int_equal(ch_store_visit_change(f->store, &end, &err), CH_OK);
    assert_true(charge.id > 0);
    assert_int_equal(ch_store_visit_change(f->store, &end, &err), CH_E_CONFLICT);
    /* We cancel the second and rebook it: the new visit is booked. */
    ch_visit again = b;
    again.starts_at = 100000;
    again.rescheduled_from = b.id;
    ch_visit_change moved = {
        .visit_id = b.id, .status = "cancelled-by-provider", .rebook = &again, .at = 6000};
    assert_int_equal(ch_store_visit_change(f->store, &moved, &err), CH_OK);
    assert_true(again.id > b.id);
    assert_int_equal(ch_store_contract_get(f->store, id, &f->arena, &got, &err), CH_OK);
    assert_int_equal(got.balance, 930);
    assert_int_equal(got.booked, 150);
    assert_int_equal(got.shortfall, 150);
    /* Hours owed are a note: the shortfall grows, the balance stays. */
    ch_ledger_row owed = {.contract_id = id,
                          .at = 6500,
                          .kind = "owed",
                          .minutes = 60,
                          .reason = "Consultant ill",
                          .created_at = 6500};
    assert_int_equal(ch_store_ledger_append(f->store, &owed, 1, 0, &err), CH_OK);
    assert_int_equal(ch_store_contract_get(f->store, id, &f->arena, &got, &err), CH_OK);
    assert_int_equal(got.balance, 930);
    assert_int_equal(got.shortfall, 210);

    ch_visit *vs;
    size_t n;
    ch_visit_filter vf = {.consultant_id = uid, .from = 5000, .to = 100001};
    assert_int_equal(ch_store_visit_list(f->store, &vf, &f->arena, &vs, &n, &err), CH_OK);
    assert_int_equal(n, 3);
    assert_string_equal(vs[0].status, "cancelled-late");
    assert_string_equal(vs[1].status, "cancelled-by-provider");
    assert_int_equal(vs[2].rescheduled_from, b.id);
    assert_string_equal(vs[2].school, "Springfield Primary");
    vf.from = 50001;
    assert_int_equal(ch_store_visit_list(f->store, &vf, &f->arena, &vs, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    /* Late news on the rebooked visit is kept; it is still booked. */
    ch_visit_notice told = {.visit_id = again.id,
                            .kind = "late",
                            .party = "provider",
                            .notice_at = 99000,
                            .expected_at = 100900,
                            .channel = "phone",
                            .contact = "Office",
                            .created_at = 99000};
    ch_visit_change late = {.visit_id = again.id,
                            .late_notice_at = 99000,
                            .late_expected_at = 100900,
                            .notice = &told,
                            .at = 99000};
    assert_int_equal(ch_store_visit_change(f->store, &late, &err), CH_OK);
    assert_true(told.id > 0);
    /* A second notice is kept beside the first, not over it. */
    ch_visit_notice later = told;
    later.notice_at = 99500;
    later.expected_at = 101500;
    late.notice = &later;
    assert_int_equal(ch_store_visit_change(f->store, &late, &err), CH_OK);
    ch_visit_notice *notices;
    size_t nn;
    assert_int_equal(ch_store_visit_notices(f->store, again.id, &f->arena, &notices, &nn, &err),
                     CH_OK);
    assert_int_equal(nn, 2);
    assert_int_equal(notices[0].expected_at, 100900);
    assert_int_equal(notices[1].expected_at, 101500);
    assert_string_equal(notices[1].contact, "Office");
    assert_int_equal(notices[1].outbox_id, 0);
    ch_visit v;
    assert_int_equal(ch_store_visit_get(f->store, again.id, &f->arena, &v, &err), CH_OK);
    assert_string_equal(v.status, "booked");
    assert_int_equal(v.late_expected_at, 100900);
    assert_int_equal(ch_store_visit_get(f->store, 999, &f->arena, &v, &err), CH_E_NOTFOUND);

    /* The year end closes the contract once. */
    ch_ledger_row close[] = {
        {.contract_id = id, .at = 20000, .kind = "rollover", .minutes = -150, .created_at = 20000},
        {.contract_id = id, .at = 20000, .kind = "lapse", .minutes = -780, .created_at = 20000},
    };
    assert_int_equal(ch_store_ledger_append(f->store, close, 2, id, &err), CH_OK);
    assert_int_equal(ch_store_ledger_append(f->store, close, 2, id, &err), CH_E_CONFLICT);
    ch_ledger_row *rows;
    assert_int_equal(ch_store_ledger_list(f->store, id, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 5);
    assert_string_equal(rows[0].kind, "purchase");
    assert_string_equal(rows[1].kind, "drawdown");
    assert_int_equal(rows[1].visit_id, a.id);
    assert_string_equal(rows[2].kind, "owed");
    assert_string_equal(rows[4].kind, "lapse");
    assert_int_equal(ch_store_contract_get(f->store, id, &f->arena, &got, &err), CH_OK);
    assert_int_equal(got.balance, 0);
    assert_string_equal(got.status, "closed");
    ch_ledger_row stray = {.contract_id = 999, .at = 1, .kind = "adjustment", .minutes = 5};
    assert_int_not_equal(ch_store_ledger_append(f->store, &stray, 1, 0, &err), CH_OK);
    assert_append_only(f, "ledger");
    assert_append_only(f, "visit_notices");
}

static void contracts_list_by_school_consultant_and_service(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_contract k, *rows;
    size_t n;
    int64_t first = add_contract(f, 0, &k);
    int64_t school = k.organisation_id;
    k.id = 0;
    k.organisation_id = 0;
    k.organisation = "Another School";
    k.service = "hackney-services-for-schools/school-improvement";
    assert_int_equal(ch_store_contract_insert(f->store, &k, &err), CH_OK);
    ch_contract_filter cf = {.organisation_id = school};
    assert_int_equal(ch_store_contract_list(f->store, &cf, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, first);
    const char *svc[] = {"hackney-services-for-schools/school-improvement"};
    ch_contract_filter byservice = {.services = svc, .nservices = 1, .year = "2026-27"};
    assert_int_equal(ch_store_contract_list(f->store, &byservice, &f->arena, &rows, &n, &err),
                     CH_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].organisation, "Another School");
    /* A staff change: the school's contact and the consultant. */
    ch_contract_change change = {.id = first,
                                 .set_contact = true,
                                 .contact_name = "Mr New",
                                 .contact_email = "new@springfield.sch.uk",
                                 .prep_counts = 0,
                                 .shortfall_policy = "refund",
                                 .block = 120};
    assert_int_equal(ch_store_contract_update(f->store, &change, &err), CH_OK);
    assert_int_equal(ch_store_contract_get(f->store, first, &f->arena, &k, &err), CH_OK);
    assert_string_equal(k.contact_email, "new@springfield.sch.uk");
    assert_string_equal(k.shortfall_policy, "refund");
    assert_int_equal(k.block, 120);
    assert_false(k.prep_counts);
    assert_string_equal(k.organisation, "Springfield Primary"); /* left alone */
    assert_int_equal(k.purchased, 1080);
    ch_contract_change nobody = {
        .id = first, .set_consultant = true, .consultant_id = 999, .prep_counts = -1};
    assert_int_equal(ch_store_contract_update(f->store, &nobody, &err), CH_E_INVALID);
    ch_contract_change gone = {.id = 12345, .prep_counts = -1};
    assert_int_equal(ch_store_contract_update(f->store, &gone, &err), CH_E_CONFLICT);
    ch_contract_filter none = {.year = "2025-26"};
    assert_int_equal(ch_store_contract_list(f->store, &none, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 0);
    assert_int_equal(ch_store_contract_get(f->store, 12345, &f->arena, &k, &err), CH_E_NOTFOUND);
}

static void a_statement_is_recorded_as_sent_once(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_contract k;
    int64_t id = add_contract(f, 0, &k);
    ch_statement_sent row = {id, "autumn-2026", 5000, 0, "head@springfield.sch.uk"}, *rows;
    size_t n;
    assert_int_equal(ch_store_statement_sent(f->store, &row, &err), CH_OK);
    assert_int_equal(ch_store_statement_sent(f->store, &row, &err), CH_E_CONFLICT);
    row.term = "spring-2027";
    assert_int_equal(ch_store_statement_sent(f->store, &row, &err), CH_OK);
    row.contract_id = 999;
    assert_int_equal(ch_store_statement_sent(f->store, &row, &err), CH_E_NOTFOUND);
    assert_int_equal(ch_store_statements_sent(f->store, "autumn-2026", &f->arena, &rows, &n, &err),
                     CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].contract_id, id);
    assert_int_equal(rows[0].sent_at, 5000);
    assert_string_equal(rows[0].sent_to, "head@springfield.sch.uk");
    assert_int_equal(ch_store_statements_sent(f->store, "summer-2027", &f->arena, &rows, &n, &err),
                     CH_OK);
    assert_int_equal(n, 0);
}

static void availability_is_kept_per_person_and_replaced_whole(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_user a = {0, "sam@x.example", "Sam", CH_ROLE_OFFICER, NULL, NULL, 0, false};
    ch_user b = {0, "priya@x.example", "Priya", CH_ROLE_OFFICER, NULL, NULL, 0, false};
    assert_int_equal(ch_store_user_insert(f->store, &a, &a.id, &err), CH_OK);
    assert_int_equal(ch_store_user_insert(f->store, &b, &b.id, &err), CH_OK);
    ch_availability_row row = {a.id, "{\"days\":[\"mon\"]}", "[]", 100}, *rows;
    size_t n;
    assert_int_equal(ch_store_availability_list(f->store, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 0);
    assert_int_equal(ch_store_availability_set(f->store, &row, &err), CH_OK);
    row = (ch_availability_row){a.id, NULL, "[{\"from\":\"2027-01-04\"}]", 200};
    assert_int_equal(ch_store_availability_set(f->store, &row, &err), CH_OK);
    row = (ch_availability_row){b.id, "{}", NULL, 300};
    assert_int_equal(ch_store_availability_set(f->store, &row, &err), CH_OK);
    row.user_id = 9999;
    assert_int_equal(ch_store_availability_set(f->store, &row, &err), CH_E_NOTFOUND);
    assert_int_equal(ch_store_availability_list(f->store, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].user_id, a.id);
    assert_null(rows[0].pattern); /* replaced whole: the pattern went */
    assert_string_equal(rows[0].absences, "[{\"from\":\"2027-01-04\"}]");
    assert_int_equal(rows[0].updated_at, 200);
    assert_int_equal(rows[1].user_id, b.id);
    assert_string_equal(rows[1].pattern, "{}");
    assert_null(rows[1].absences);
}

static void policies_keep_their_history(void **state)
{
    fixture *f = *state;
    ch_error err;
    int64_t v;
    assert_int_equal(ch_store_policy_save(f->store, "cognus", "one", 1000, &v, &err), CH_OK);
    assert_int_equal(v, 1);
    assert_int_equal(ch_store_policy_save(f->store, "cognus", "one", 1001, &v, &err), CH_OK);
    assert_int_equal(v, 1); /* unchanged text: no new version */
    assert_int_equal(ch_store_policy_save(f->store, "cognus", "two", 1002, &v, &err), CH_OK);
    assert_int_equal(v, 2);
}

static int64_t add_person(fixture *f, const char *name)
{
    ch_error err;
    ch_person p = {0};
    p.name = name;
    p.created_at = 1000;
    if (ch_store_person_insert(f->store, &p, &err))
        fail_msg("person: %s", err.msg);
    return p.id;
}

static void relationships_and_consents_are_kept_and_withdrawn(void **state)
{
    fixture *f = *state;
    ch_error err;
    int64_t sam = add_person(f, "Sam Lee"), priya = add_person(f, "Priya Lee"),
            alex = add_person(f, "Alex Khan");
    int64_t case_id = add_case(f, "cognus/enquiries", 5000, "pending");
    ch_organisation school = {0, "Oak Academy", "school", 1000};
    assert_int_equal(ch_store_organisation_insert(f->store, &school, &err), CH_OK);
    ch_relationship parent = {0, priya, "parent", sam, 0, "Mother", 0, 2000};
    ch_relationship advocate = {0, alex, "advocate", sam, 0, NULL, 0, 2001};
    ch_relationship contact = {0, priya, "contact-at", 0, school.id, NULL, 0, 2002};
    ch_relationship nobody = {0, priya, "parent", sam + 100, 0, NULL, 0, 2003};
    assert_int_equal(ch_store_relationship_insert(f->store, &parent, &err), CH_OK);
    assert_int_equal(ch_store_relationship_insert(f->store, &advocate, &err), CH_OK);
    assert_int_equal(ch_store_relationship_insert(f->store, &contact, &err), CH_OK);
    assert_int_equal(ch_store_relationship_insert(f->store, &nobody, &err), CH_E_INVALID);
    ch_relationship *rels;
    size_t n;
    /* Both sides see a relationship, with the names. */
    assert_int_equal(ch_store_relationships(f->store, 0, sam, &f->arena, &rels, &n, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(rels[0].kind, "parent");
    assert_string_equal(rels[0].person_name, "Priya Lee");
    assert_string_equal(rels[0].other_name, "Sam Lee");
    assert_string_equal(rels[0].note, "Mother");
    assert_int_equal(ch_store_relationships(f->store, 0, priya, &f->arena, &rels, &n, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(rels[1].organisation_name, "Oak Academy");
    assert_null(rels[1].other_name);
    assert_int_equal(ch_store_relationships(f->store, advocate.id, 0, &f->arena, &rels, &n, &err),
                     CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rels[0].person_id, alex);
    assert_int_equal(ch_store_relationship_delete(f->store, advocate.id, &err), CH_OK);
    assert_int_equal(ch_store_relationship_delete(f->store, advocate.id, &err), CH_E_NOTFOUND);
    assert_int_equal(ch_store_relationships(f->store, 0, sam, &f->arena, &rels, &n, &err), CH_OK);
    assert_int_equal(n, 1);

    ch_consent all = {0}, one = {0}, bad = {0};
    all.grantor_id = sam, all.grantee_id = priya, all.evidence = "Signed form";
    all.given_on = 20000, all.created_at = 3000;
    one = all;
    one.grantee_id = alex, one.case_id = case_id, one.given_on = 20010, one.expires = true;
    one.expires_on = 20100;
    bad = all;
    bad.case_id = case_id + 100;
    assert_int_equal(ch_store_consent_insert(f->store, &all, &err), CH_OK);
    assert_int_equal(ch_store_consent_insert(f->store, &one, &err), CH_OK);
    assert_int_equal(ch_store_consent_insert(f->store, &bad, &err), CH_E_INVALID);
    ch_consent *cons;
    assert_int_equal(ch_store_consents(f->store, 0, sam, &f->arena, &cons, &n, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(cons[0].id, one.id); /* most recently given first */
    assert_int_equal(cons[0].case_id, case_id);
    assert_true(cons[0].expires);
    assert_int_equal(cons[0].expires_on, 20100);
    assert_string_equal(cons[0].grantee_name, "Alex Khan");
    assert_false(cons[1].expires);
    assert_int_equal(cons[1].case_id, 0);
    assert_string_equal(cons[1].evidence, "Signed form");
    assert_int_equal(ch_store_consents(f->store, 0, alex, &f->arena, &cons, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    /* Withdrawn once, and kept. */
    assert_int_equal(ch_store_consent_withdraw(f->store, one.id, 4000, 0, "By phone", &err), CH_OK);
    assert_int_equal(ch_store_consent_withdraw(f->store, one.id, 4001, 0, "Again", &err),
                     CH_E_CONFLICT);
    assert_int_equal(ch_store_consent_withdraw(f->store, one.id + 100, 4001, 0, "No", &err),
                     CH_E_NOTFOUND);
    assert_int_equal(ch_store_consents(f->store, one.id, 0, &f->arena, &cons, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(cons[0].withdrawn_at, 4000);
    assert_string_equal(cons[0].withdrawn_reason, "By phone");
    assert_string_equal(cons[0].grantor_name, "Sam Lee");

    /* A contact records whom it was with. */
    ch_case_row c;
    ch_contact_row k = {0, "outbound", "phone", "Priya", "Spoke", NULL, 5000, 0, 0, priya};
    ch_event_row ev = {0, 5000, 0, "contact", "outbound phone contact"};
    ch_case_update u = {
        .case_id = case_id, .contact = &k, .event = &ev, .status = "open", .now = 5000};
    int64_t version;
    assert_int_equal(ch_store_case_update(f->store, &u, &version, &err), CH_OK);
    assert_int_equal(ch_store_case_get(f->store, case_id, &f->arena, &c, &err), CH_OK);
    assert_int_equal(c.ncontacts, 1);
    assert_int_equal(c.contacts[0].with_person_id, priya);
}

/* A case for service from person email (linked or created by the store). */
static ch_case_row person_case(fixture *f, const char *service, const char *email)
{
    ch_error err;
    ch_obligation_row ob = {0, "reply", "respond", "We reply.", 5000, "pending", 0};
    ch_event_row ev = {0, 1000, 0, "created", "test"};
    ch_case_row c = {0};
    c.service = service;
    c.kind = "enquiry";
    c.channel = "email";
    c.subject = "About a person";
    c.status = "open";
    c.received_at = c.deemed_at = 900;
    c.created_at = 1000;
    c.requester_name = "Client";
    c.requester_email = email;
    c.obligations = &ob;
    c.nobligations = 1;
    c.events = &ev;
    c.nevents = 1;
    c.next_due_at = 5000;
    if (ch_store_case_insert(f->store, &c, &err))
        fail_msg("insert: %s", err.msg);
    c.obligations = NULL;
    c.events = NULL;
    return c;
}

/* People are edited in full, listed a page at a time with a total among
 * those a service may see, merged in one write (cases and files move, the
 * duplicate stays, marked), and files keep every byte. */
static void people_are_edited_listed_merged_and_files_kept(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_case_row a = person_case(f, "cognus/enquiries", "ada@example.org");
    ch_case_row b = person_case(f, "cognus/enquiries", "a.lovelace@example.org");
    ch_case_row other = person_case(f, "sendiass/enquiries", "sol@example.org");
    ch_person p;
    assert_int_equal(ch_store_person_get(f->store, a.person_id, &f->arena, &p, &err), CH_OK);
    assert_null(p.needs);
    assert_int_equal(p.merged_into, 0);
    p.name = "Ada Lovelace";
    p.phone = "01632 960002";
    p.date_of_birth = "2010-12-10";
    p.needs = "{\"preferred_channel\":\"email\"}";
    assert_int_equal(ch_store_person_update(f->store, &p, &err), CH_OK);
    ch_person back;
    assert_int_equal(ch_store_person_get(f->store, a.person_id, &f->arena, &back, &err), CH_OK);
    assert_string_equal(back.name, "Ada Lovelace");
    assert_string_equal(back.phone, "01632 960002");
    assert_string_equal(back.date_of_birth, "2010-12-10");
    assert_string_equal(back.needs, "{\"preferred_channel\":\"email\"}");
    p.organisation_id = 999;
    assert_int_equal(ch_store_person_update(f->store, &p, &err), CH_E_INVALID);
    p.organisation_id = 0;
    p.id = 999;
    assert_int_equal(ch_store_person_update(f->store, &p, &err), CH_E_NOTFOUND);

    /* Listing: by name, paged, with the total; another team's client left out. */
    const char *cognus[] = {"cognus/enquiries"};
    ch_person *rows;
    size_t n;
    int64_t total;
    ch_people_query q = {NULL, 0, cognus, 1, 1, 0};
    assert_int_equal(ch_store_people_list(f->store, &q, &f->arena, &rows, &n, &total, &err), CH_OK);
    assert_int_equal(total, 2);
    assert_int_equal(n, 1);
    q.offset = 1;
    assert_int_equal(ch_store_people_list(f->store, &q, &f->arena, &rows, &n, &total, &err), CH_OK);
    assert_int_equal(n, 1);
    q.services = NULL;
    q.nservices = 0;
    q.limit = 10;
    q.offset = 0;
    assert_int_equal(ch_store_people_list(f->store, &q, &f->arena, &rows, &n, &total, &err), CH_OK);
    assert_int_equal(total, 3);
    /* A word starts a word of the name or of the email, its domain or the
     * parts between its dots: "LOVE" finds Ada Lovelace and the "Client"
     * written from a.lovelace@example.org, but not sol@. */
    const char *word[] = {"LOVE"};
    q.words = word;
    q.nwords = 1;
    assert_int_equal(ch_store_people_list(f->store, &q, &f->arena, &rows, &n, &total, &err), CH_OK);
    assert_int_equal(total, 2);
    assert_int_equal(rows[0].id, a.person_id);
    assert_int_equal(rows[1].id, b.person_id);
    assert_non_null(rows[0].needs);
    const char *domain[] = {"exam", "ada"};
    q.words = domain;
    q.nwords = 2;
    assert_int_equal(ch_store_people_list(f->store, &q, &f->arena, &rows, &n, &total, &err), CH_OK);
    assert_true(total == 1 && rows[0].id == a.person_id);

    /* Files: every byte back, listed without their data. */
    static const unsigned char bytes[] = {0x89, 'P', 'N', 'G', 0, 1, 2, 0xff, 0};
    ch_attachment file = {.person_id = b.person_id,
                          .filename = "note.png",
                          .content_type = "image/png",
                          .size = sizeof(bytes),
                          .data = bytes,
                          .uploaded_at = 2000};
    assert_int_equal(ch_store_attachment_insert(f->store, &file, &err), CH_OK);
    assert_true(file.id > 0);
    ch_attachment on_case = {.case_id = other.id,
                             .filename = "letter.txt",
                             .content_type = "text/plain",
                             .size = 3,
                             .data = (const unsigned char *)"abc",
                             .uploaded_at = 2001};
    assert_int_equal(ch_store_attachment_insert(f->store, &on_case, &err), CH_OK);
    ch_attachment nowhere = on_case;
    nowhere.case_id = 99999;
    assert_int_equal(ch_store_attachment_insert(f->store, &nowhere, &err), CH_E_INVALID);
    ch_attachment got;
    assert_int_equal(ch_store_attachment_get(f->store, file.id, &f->arena, &got, &err), CH_OK);
    assert_int_equal(got.size, sizeof(bytes));
    assert_memory_equal(got.data, bytes, sizeof(bytes));
    assert_string_equal(got.filename, "note.png");
    assert_int_equal(got.person_id, b.person_id);
    assert_int_equal(ch_store_attachment_get(f->store, 99999, &f->arena, &got, &err),
                     CH_E_NOTFOUND);
    ch_attachment *files;
    assert_int_equal(ch_store_attachment_list(f->store, 0, other.id, &f->arena, &files, &n, &err),
                     CH_OK);
    assert_int_equal(n, 1);
    assert_string_equal(files[0].content_type, "text/plain");
    assert_null(files[0].data);

    /* Merging b's person into a's: the case and the file move. */
    int64_t moved = 0;
    assert_int_equal(ch_store_person_merge(f->store, a.person_id, a.person_id, &moved, &err),
                     CH_E_INVALID);
    assert_int_equal(ch_store_person_merge(f->store, a.person_id, 99999, &moved, &err),
                     CH_E_NOTFOUND);
    assert_int_equal(ch_store_person_merge(f->store, a.person_id, b.person_id, &moved, &err),
                     CH_OK);
    assert_int_equal(moved, 1);
    ch_case_row moved_case;
    assert_int_equal(ch_store_case_get(f->store, b.id, &f->arena, &moved_case, &err), CH_OK);
    assert_int_equal(moved_case.person_id, a.person_id);
    assert_int_equal(moved_case.version, b.version + 1);
    assert_int_equal(
        ch_store_attachment_list(f->store, a.person_id, 0, &f->arena, &files, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ch_store_person_get(f->store, b.person_id, &f->arena, &back, &err), CH_OK);
    assert_int_equal(back.merged_into, a.person_id);
    assert_int_equal(ch_store_person_merge(f->store, a.person_id, b.person_id, &moved, &err),
                     CH_E_CONFLICT);
    q.words = NULL;
    q.nwords = 0;
    assert_int_equal(ch_store_people_list(f->store, &q, &f->arena, &rows, &n, &total, &err), CH_OK);
    assert_int_equal(total, 2); /* the merged record is not listed */
    const char *lovelace[] = {"a.lovelace"};
    assert_int_equal(
        ch_store_people_find(f->store, lovelace, 1, NULL, 0, 10, &f->arena, &rows, &n, &err),
        CH_OK);
    assert_int_equal(n, 0); /* nor found */
    /* A new case from the merged duplicate's address goes to the person kept. */
    ch_case_row again = person_case(f, "cognus/enquiries", "a.lovelace@example.org");
    assert_int_equal(again.person_id, a.person_id);
}

/* Safeguards: an incident reads back with its lists; a restriction changes
 * state only from the state expected, is listed by person, status and
 * review date, and reads back the person's last substantive reply. */
static void incidents_and_restrictions_keep_their_state(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_user staff = {0, "sam@example.org", "Sam Adviser", CH_ROLE_OFFICER, NULL, NULL, 0, false};
    int64_t sam;
    assert_int_equal(ch_store_user_insert(f->store, &staff, &sam, &err), CH_OK);
    ch_obligation_row ob = {0, "reply", "respond", "We reply.", 5000, "pending", 0};
    ch_event_row ev = {0, 1000, 0, "created", "test"};
    ch_case_row c = {0};
    c.service = "cognus/enquiries";
    c.kind = "enquiry";
    c.channel = "email";
    c.subject = "Subject";
    c.status = "open";
    c.received_at = c.deemed_at = c.created_at = 1000;
    c.requester_name = "Pat Parent";
    c.requester_email = "pat@example.org";
    c.obligations = &ob;
    c.nobligations = 1;
    c.events = &ev;
    c.nevents = 1;
    assert_int_equal(ch_store_case_insert(f->store, &c, &err), CH_OK);
    assert_true(c.person_id > 0);

    const int64_t affected[] = {sam};
    const char *actions[] = {"call-ended", "warning-issued"};
    ch_incident inc = {.person_id = c.person_id,
                       .case_id = c.id,
                       .at = 1200,
                       .channel = "phone",
                       .kind = "threatening",
                       .what = "Shouted, and threatened to visit.",
                       .staff = affected,
                       .nstaff = 1,
                       .actions = actions,
                       .nactions = 2,
                       .health_and_safety = true,
                       .police_reference = "CAD 1",
                       .created_by = sam,
                       .created_at = 1300};
    assert_int_equal(ch_store_incident_insert(f->store, &inc, &err), CH_OK);
    assert_true(inc.id > 0);
    ch_incident bad = inc;
    bad.person_id = 9999;
    assert_int_equal(ch_store_incident_insert(f->store, &bad, &err), CH_E_INVALID);
    ch_incident *list;
    size_t n;
    assert_int_equal(ch_store_incident_list(f->store, c.person_id, &f->arena, &list, &n, &err),
                     CH_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].kind, "threatening");
    assert_int_equal(list[0].nstaff, 1);
    assert_int_equal(list[0].staff[0], sam);
    assert_int_equal(list[0].nactions, 2);
    assert_string_equal(list[0].actions[1], "warning-issued");
    assert_true(list[0].health_and_safety);
    assert_int_equal(list[0].case_id, c.id);

    const char *channels[] = {"email", "letter"};
    ch_restriction r = {.person_id = c.person_id,
                        .channels = channels,
                        .nchannels = 2,
                        .point_of_contact = sam,
                        .replies = 1,
                        .per_days = 10,
                        .reason = "Threats.",
                        .review_on = 20500,
                        .status = "awaiting-notice",
                        .created_by = sam,
                        .created_at = 1400};
    assert_int_equal(ch_store_restriction_insert(f->store, &r, &err), CH_OK);
    ch_restriction nobody = r;
    nobody.point_of_contact = 9999;
    assert_int_equal(ch_store_restriction_insert(f->store, &nobody, &err), CH_E_INVALID);
    ch_restriction got;
    assert_int_equal(ch_store_restriction_get(f->store, r.id, &f->arena, &got, &err), CH_OK);
    assert_int_equal(got.nchannels, 2);
    assert_string_equal(got.channels[1], "letter");
    assert_string_equal(got.point_of_contact_name, "Sam Adviser");
    assert_string_equal(got.person_name, "Pat Parent");
    assert_string_equal(got.status, "awaiting-notice");
    assert_int_equal(got.last_reply_at, 0);
    assert_int_equal(got.review_on, 20500);

    /* A reply that kept the respond promise is the last reply. */
    assert_int_equal(ch_store_case_get(f->store, c.id, &f->arena, &c, &err), CH_OK);
    ch_contact_row k = {0, "outbound", "email", NULL, "Our answer", NULL, 1500, 0};
    ch_obligation_row met = c.obligations[0];
    met.state = "met";
    met.met_at = 1500;
    met.met_by_contact = CH_CONTACT_NEW;
    ch_case_update u = {.case_id = c.id,
                        .expect = c.version,
                        .contact = &k,
                        .changed = &met,
                        .nchanged = 1,
                        .status = "open",
                        .now = 1500};
    int64_t version;
    assert_int_equal(ch_store_case_update(f->store, &u, &version, &err), CH_OK);

    ch_restriction_change wrong = {.id = r.id, .expect = "active", .status = "ended"};
    assert_int_equal(ch_store_restriction_change(f->store, &wrong, &err), CH_E_CONFLICT);
    ch_restriction_change none = {.id = 9999, .expect = "active", .status = "ended"};
    assert_int_equal(ch_store_restriction_change(f->store, &none, &err), CH_E_NOTFOUND);
    ch_restriction_change sent = {.id = r.id,
                                  .expect = "awaiting-notice",
                                  .status = "active",
                                  .notice_sent_at = 1600,
                                  .notice_how = "letter"};
    assert_int_equal(ch_store_restriction_change(f->store, &sent, &err), CH_OK);
    assert_int_equal(ch_store_restriction_change(f->store, &sent, &err), CH_E_CONFLICT);
    assert_int_equal(ch_store_restriction_get(f->store, r.id, &f->arena, &got, &err), CH_OK);
    assert_string_equal(got.status, "active");
    assert_int_equal(got.notice_sent_at, 1600);
    assert_string_equal(got.notice_how, "letter");
    assert_int_equal(got.last_reply_at, 1500);

    ch_restriction *rows;
    ch_restriction_filter active = {.person_id = c.person_id, .status = "active"};
    assert_int_equal(ch_store_restriction_list(f->store, &active, &f->arena, &rows, &n, &err),
                     CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, r.id);
    ch_restriction_filter due = {.status = "active", .review_by = 20499};
    assert_int_equal(ch_store_restriction_list(f->store, &due, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 0);
    due.review_by = 20500;
    assert_int_equal(ch_store_restriction_list(f->store, &due, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 1);

    ch_restriction_change review = {
        .id = r.id, .expect = "active", .review_on = 20600, .review_note = "Still needed."};
    assert_int_equal(ch_store_restriction_change(f->store, &review, &err), CH_OK);
    ch_restriction_change end = {.id = r.id,
                                 .expect = "active",
                                 .status = "ended",
                                 .ended_at = 1700,
                                 .end_reason = "Better."};
    assert_int_equal(ch_store_restriction_change(f->store, &end, &err), CH_OK);
    assert_int_equal(ch_store_restriction_get(f->store, r.id, &f->arena, &got, &err), CH_OK);
    assert_string_equal(got.status, "ended");
    assert_int_equal(got.review_on, 20600);
    assert_string_equal(got.review_note, "Still needed.");
    assert_int_equal(got.ended_at, 1700);
    assert_string_equal(got.end_reason, "Better.");
    assert_string_equal(got.notice_how, "letter");
    assert_int_equal(ch_store_restriction_list(f->store, &active, &f->arena, &rows, &n, &err),
                     CH_OK);
    assert_int_equal(n, 0);
}

/* ---- mail ---- */

static int64_t add_user(fixture *f, const char *email, const char *notify)
{
    ch_error err;
    int64_t id;
    ch_user u = {0, email, "Staff", CH_ROLE_OFFICER, NULL, NULL, 0, false, notify};
    if (ch_store_user_insert(f->store, &u, &id, &err))
        fail_msg("user: %s", err.msg);
    return id;
}

static ch_outbox_row outbox_row(const char *purpose, const char *rcpts, const char *message_id,
                                ch_time at)
{
    static const unsigned char raw[] = "From: desk@cognus.example\r\n\r\nHello\r\n";
    return (ch_outbox_row){.service = "cognus/enquiries",
                           .purpose = purpose,
                           .mail_from = "desk@cognus.example",
                           .rcpts = rcpts,
                           .message_id = message_id,
                           .raw = raw,
                           .len = sizeof(raw) - 1,
                           .created_at = at};
}

static int64_t count_cases(fixture *f)
{
    ch_error err;
    int64_t total;
    ch_case_filter all = {.limit = 10};
    assert_int_equal(ch_store_case_count(f->store, &all, &total, &err), CH_OK);
    return total;
}

/* What arrived is kept whole, once per Message-ID and service, and what is
 * not yet filed can be found again after a crash. */
static void inbound_mail_is_kept_whole_and_once(void **state)
{
    fixture *f = *state;
    ch_error err;
    bool dup = true;
    static const unsigned char raw[] = "Message-ID: <a1@parent.example>\r\n\r\nHi\0there\377";
    ch_mail_in m = {.service = "cognus/enquiries",
                    .message_id = "a1@parent.example",
                    .raw = raw,
                    .len = sizeof(raw) - 1,
                    .received_at = 1000};
    assert_int_equal(ch_store_mail_in_insert(f->store, &m, &dup, &err), CH_OK);
    assert_false(dup);
    assert_true(m.id > 0);
    ch_mail_in again = m;
    again.id = 0;
    assert_int_equal(ch_store_mail_in_insert(f->store, &again, &dup, &err), CH_OK);
    assert_true(dup);
    assert_int_equal(again.id, m.id);
    /* The same id for another service is another message; none at all is
     * never a duplicate; an unknown service is deduplicated too. */
    ch_mail_in other = m;
    other.service = "sendiass/enquiries";
    assert_int_equal(ch_store_mail_in_insert(f->store, &other, &dup, &err), CH_OK);
    assert_false(dup);
    assert_true(other.id != m.id);
    ch_mail_in bare = {.raw = raw, .len = 10, .received_at = 1001}, bare2 = bare;
    assert_int_equal(ch_store_mail_in_insert(f->store, &bare, &dup, &err), CH_OK);
    assert_int_equal(ch_store_mail_in_insert(f->store, &bare2, &dup, &err), CH_OK);
    assert_false(dup);
    assert_true(bare2.id != bare.id);
    ch_mail_in lost = {.message_id = "x@y.example", .raw = raw, .len = 3, .received_at = 1002},
               lost2 = lost;
    assert_int_equal(ch_store_mail_in_insert(f->store, &lost, &dup, &err), CH_OK);
    assert_int_equal(ch_store_mail_in_insert(f->store, &lost2, &dup, &err), CH_OK);
    assert_true(dup);
    assert_int_equal(lost2.id, lost.id);
    ch_mail_in empty = {.raw = raw, .len = 0};
    assert_int_equal(ch_store_mail_in_insert(f->store, &empty, &dup, &err), CH_E_INVALID);

    ch_mail_in got;
    assert_int_equal(ch_store_mail_in_get(f->store, m.id, &f->arena, &got, &err), CH_OK);
    assert_int_equal(got.len, sizeof(raw) - 1);
    assert_memory_equal(got.raw, raw, sizeof(raw) - 1);
    assert_string_equal(got.state, "received");
    assert_string_equal(got.service, "cognus/enquiries");
    assert_string_equal(got.message_id, "a1@parent.example");
    assert_int_equal(got.received_at, 1000);
    assert_int_equal(got.case_id, 0);
    assert_null(got.error);
    assert_int_equal(ch_store_mail_in_get(f->store, 99999, &f->arena, &got, &err), CH_E_NOTFOUND);

    ch_mail_in *pending;
    size_t n;
    assert_int_equal(ch_store_mail_in_pending(f->store, 3, &f->arena, &pending, &n, &err), CH_OK);
    assert_int_equal(n, 3);
    assert_int_equal(pending[0].id, m.id); /* oldest first */
    assert_int_equal(pending[1].id, other.id);
    assert_memory_equal(pending[0].raw, raw, sizeof(raw) - 1);
    /* Filed as failed (with why), it is no longer pending. */
    ch_mail_commit fail = {.mail_in_id = m.id,
                           .mail_in_state = "failed",
                           .mail_in_error = "no service takes mail for this address"};
    assert_int_equal(ch_store_mail_commit(f->store, &fail, &err), CH_OK);
    assert_int_equal(ch_store_mail_in_get(f->store, m.id, &f->arena, &got, &err), CH_OK);
    assert_string_equal(got.state, "failed");
    assert_string_equal(got.error, "no service takes mail for this address");
    assert_int_equal(ch_store_mail_in_pending(f->store, 0, &f->arena, &pending, &n, &err), CH_OK);
    assert_int_equal(n, 4);
    assert_int_equal(pending[0].id, other.id);
    ch_mail_commit bad = {.mail_in_id = other.id, .mail_in_state = "lost"};
    assert_int_equal(ch_store_mail_commit(f->store, &bad, &err), CH_E_INVALID);
}

/* Filing a message does everything in one write: the case, its contact,
 * the attachment on that contact, the thread, the reply it sends and who it
 * tells; a filing that fails leaves none of it. */
static void filing_a_message_is_all_or_nothing(void **state)
{
    fixture *f = *state;
    ch_error err;
    bool dup;
    int64_t officer = add_user(f, "olu@cognus.example", NULL);
    static const unsigned char raw[] = "Subject: Help\r\n\r\nPlease help\r\n";
    static const unsigned char file_bytes[] = {0x89, 'P', 'N', 'G', 0, 1, 2};
    ch_mail_in m = {.service = "cognus/enquiries",
                    .message_id = "q1@parent.example",
                    .raw = raw,
                    .len = sizeof(raw) - 1,
                    .received_at = 900};
    assert_int_equal(ch_store_mail_in_insert(f->store, &m, &dup, &err), CH_OK);

    ch_obligation_row ob = {0, "reply", "respond", "We reply.", 5000, "pending", 0};
    ch_event_row ev = {0, 1000, 0, "created", "from email"};
    ch_case_row open = {.service = "cognus/enquiries",
                        .kind = "enquiry",
                        .channel = "email",
                        .subject = "Help",
                        .status = "open",
                        .received_at = 900,
                        .deemed_at = 900,
                        .created_at = 1000,
                        .requester_name = "A Parent",
                        .requester_email = "parent@parent.example",
                        .officer_id = officer,
                        .obligations = &ob,
                        .nobligations = 1,
                        .events = &ev,
                        .nevents = 1,
                        .next_due_at = 5000};
    ch_contact_row contact = {.direction = "inbound",
                              .channel = "email",
                              .who = "A Parent",
                              .summary = "Please help",
                              .at = 900};
    ch_event_row ev2 = {0, 1000, 0, "contact", "email in"};
    ch_case_update up = {
        .contact = &contact, .event = &ev2, .status = "open", .next_due_at = 5000, .now = 1000};
    ch_attachment file = {.contact_id = CH_CONTACT_NEW,
                          .filename = "scan.png",
                          .content_type = "image/png",
                          .size = sizeof(file_bytes),
                          .data = file_bytes,
                          .uploaded_at = 1000};
    const char *threads[] = {"q1@parent.example", "ack1@cognus.example"};
    ch_outbox_row ack =
        outbox_row("acknowledgement", "parent@parent.example", "ack1@cognus.example", 1000);
    ack.contact_id = 0;
    ch_notification tell = {.user_id = officer,
                            .kind = "message",
                            .text = "A new message on your case.",
                            .created_at = 1000};
    ch_mail_commit c = {.mail_in_id = m.id,
                        .mail_in_state = "filed",
                        .open = &open,
                        .update = &up,
                        .attachments = &file,
                        .nattachments = 1,
                        .thread_ids = threads,
                        .nthread_ids = 2,
                        .outbox = &ack,
                        .noutbox = 1,
                        .notify = &tell,
                        .nnotify = 1};
    if (ch_store_mail_commit(f->store, &c, &err))
        fail_msg("commit: %s", err.msg);
    assert_true(open.id > 0);
    assert_int_equal(up.case_id, open.id);
    assert_true(contact.id > 0);
    assert_int_equal(c.new_version, 2);
    assert_int_equal(file.case_id, open.id);
    assert_int_equal(file.contact_id, contact.id);
    assert_true(file.id > 0);
    assert_int_equal(ack.case_id, open.id);
    assert_true(ack.id > 0);
    assert_int_equal(tell.case_id, open.id);
    assert_true(tell.id > 0);

    ch_case_row got;
    assert_int_equal(ch_store_case_get(f->store, open.id, &f->arena, &got, &err), CH_OK);
    assert_int_equal(got.version, 2);
    assert_int_equal(got.ncontacts, 1);
    assert_string_equal(got.contacts[0].summary, "Please help");
    assert_true(got.person_id > 0);
    ch_attachment *files;
    size_t n;
    assert_int_equal(ch_store_attachment_list(f->store, 0, open.id, &f->arena, &files, &n, &err),
                     CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(files[0].contact_id, contact.id);
    ch_attachment one;
    assert_int_equal(ch_store_attachment_get(f->store, file.id, &f->arena, &one, &err), CH_OK);
    assert_int_equal(one.contact_id, contact.id);
    assert_memory_equal(one.data, file_bytes, sizeof(file_bytes));
    /* The thread is found by any of its ids, the first known in the order given. */
    int64_t found = -1;
    const char *refs[] = {"unknown@x.example", "", "ack1@cognus.example"};
    assert_int_equal(ch_store_mail_thread_case(f->store, refs, 3, &found, &err), CH_OK);
    assert_int_equal(found, open.id);
    assert_int_equal(ch_store_mail_thread_case(f->store, refs, 1, &found, &err), CH_OK);
    assert_int_equal(found, 0);
    ch_mail_in mi;
    assert_int_equal(ch_store_mail_in_get(f->store, m.id, &f->arena, &mi, &err), CH_OK);
    assert_string_equal(mi.state, "filed");
    assert_int_equal(mi.case_id, open.id);
    assert_int_equal(mi.contact_id, contact.id);
    ch_outbox_row *rows;
    ch_outbox_filter by_case = {.case_id = open.id};
    assert_int_equal(ch_store_outbox_list(f->store, &by_case, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].purpose, "acknowledgement");
    assert_string_equal(rows[0].state, "queued");
    assert_null(rows[0].raw);
    ch_notification *told;
    assert_int_equal(
        ch_store_notification_list(f->store, officer, false, 10, &f->arena, &told, &n, &err),
        CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(told[0].case_id, open.id);

    /* The same message filed twice is refused: one case per message. */
    ch_mail_commit twice = {.mail_in_id = m.id, .mail_in_state = "filed"};
    assert_int_equal(ch_store_mail_commit(f->store, &twice, &err), CH_E_CONFLICT);

    /* A second message whose update is stale: nothing of it is left. */
    ch_mail_in m2 = {.service = "cognus/enquiries",
                     .message_id = "q2@parent.example",
                     .raw = raw,
                     .len = sizeof(raw) - 1,
                     .received_at = 1100};
    assert_int_equal(ch_store_mail_in_insert(f->store, &m2, &dup, &err), CH_OK);
    int64_t cases_before = count_cases(f);
    ch_case_row open2 = open;
    open2.id = 0;
    open2.obligations = &ob;
    open2.events = &ev;
    ch_contact_row contact2 = contact;
    contact2.id = 0;
    ch_case_update stale = {.case_id = open.id,
                            .expect = 1, /* it is at 2 */
                            .contact = &contact2,
                            .status = "open",
                            .now = 1100};
    const char *threads2[] = {"q2@parent.example"};
    ch_outbox_row ack2 =
        outbox_row("acknowledgement", "parent@parent.example", "ack2@cognus.example", 1100);
    ch_notification tell2 = tell;
    tell2.id = 0;
    ch_mail_commit c2 = {.mail_in_id = m2.id,
                         .mail_in_state = "filed",
                         .open = &open2,
                         .update = &stale,
                         .thread_ids = threads2,
                         .nthread_ids = 1,
                         .outbox = &ack2,
                         .noutbox = 1,
                         .notify = &tell2,
                         .nnotify = 1};
    assert_int_equal(ch_store_mail_commit(f->store, &c2, &err), CH_E_CONFLICT);
    assert_int_equal(count_cases(f), cases_before);
    assert_int_equal(ch_store_mail_in_get(f->store, m2.id, &f->arena, &mi, &err), CH_OK);
    assert_string_equal(mi.state, "received");
    assert_int_equal(mi.case_id, 0);
    int64_t total;
    ch_outbox_filter any = {0};
    assert_int_equal(ch_store_outbox_count(f->store, &any, &total, &err), CH_OK);
    assert_int_equal(total, 1);
    assert_int_equal(ch_store_mail_thread_case(f->store, threads2, 1, &found, &err), CH_OK);
    assert_int_equal(found, 0);
    assert_int_equal(ch_store_notification_unread(f->store, officer, &total, &err), CH_OK);
    assert_int_equal(total, 1);
    assert_int_equal(ch_store_case_get(f->store, open.id, &f->arena, &got, &err), CH_OK);
    assert_int_equal(got.ncontacts, 1);

    /* "The new contact" with no contact in the update is refused whole. */
    ch_case_update plain = {.case_id = open.id, .status = "open", .now = 1200};
    ch_attachment orphan = file;
    orphan.id = 0;
    orphan.case_id = 0;
    orphan.contact_id = CH_CONTACT_NEW;
    ch_mail_commit c3 = {.mail_in_id = m2.id,
                         .mail_in_state = "filed",
                         .update = &plain,
                         .attachments = &orphan,
                         .nattachments = 1};
    assert_int_equal(ch_store_mail_commit(f->store, &c3, &err), CH_E_INVALID);
    assert_int_equal(ch_store_case_get(f->store, open.id, &f->arena, &got, &err), CH_OK);
    assert_int_equal(got.version, 2);
    assert_int_equal(ch_store_mail_in_get(f->store, m2.id, &f->arena, &mi, &err), CH_OK);
    assert_string_equal(mi.state, "received");
    /* A reply joining the case: its update alone, with the thread. */
    ch_contact_row reply = contact;
    reply.id = 0;
    ch_case_update join = {
        .case_id = open.id, .expect = 2, .contact = &reply, .status = "open", .now = 1200};
    ch_mail_commit c4 = {.mail_in_id = m2.id,
                         .mail_in_state = "filed",
                         .update = &join,
                         .thread_ids = threads2,
                         .nthread_ids = 1};
    assert_int_equal(ch_store_mail_commit(f->store, &c4, &err), CH_OK);
    assert_int_equal(c4.new_version, 3);
    assert_int_equal(ch_store_mail_thread_case(f->store, threads2, 1, &found, &err), CH_OK);
    assert_int_equal(found, open.id);
    assert_int_equal(ch_store_mail_in_get(f->store, m2.id, &f->arena, &mi, &err), CH_OK);
    assert_int_equal(mi.contact_id, reply.id);
}

/* The outbox: a claim leases what is due to one worker, each attempt is
 * counted, and what became of it is kept; listed and counted by recipient
 * (the exact address), time, purpose, case and service. */
static void the_outbox_leases_retries_and_counts(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_outbox_row rows[3] = {
        outbox_row("reply", "a@parent.example, Second@Parent.example", "m1@cognus.example", 100),
        outbox_row("acknowledgement", "a@parent.example", "m2@cognus.example", 110),
        outbox_row("notification", "olu@cognus.example", "m3@cognus.example", 120),
    };
    rows[2].service = NULL;
    rows[2].next_attempt_at = 200; /* not due until then */
    rows[1].require_tls = true;
    assert_int_equal(ch_store_outbox_insert(f->store, rows, 3, &err), CH_OK);
    assert_true(rows[0].id > 0 && rows[1].id > rows[0].id && rows[2].id > rows[1].id);
    assert_string_equal(rows[0].state, "queued");
    assert_int_equal(rows[0].next_attempt_at, 100);
    ch_outbox_row bad = outbox_row("reply", " , ", NULL, 100);
    assert_int_equal(ch_store_outbox_insert(f->store, &bad, 1, &err), CH_E_INVALID);

    ch_outbox_row *got;
    size_t n;
    assert_int_equal(ch_store_outbox_claim(f->store, 150, 210, 10, &f->arena, &got, &n, &err),
                     CH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(got[0].id, rows[0].id);
    assert_int_equal(got[1].id, rows[1].id);
    assert_int_equal(got[0].attempts, 1);
    assert_int_equal(got[0].next_attempt_at, 210);
    assert_non_null(got[0].raw);
    assert_int_equal(got[0].len, rows[0].len);
    assert_memory_equal(got[0].raw, rows[0].raw, rows[0].len);
    assert_true(got[1].require_tls);
    assert_false(got[0].require_tls);
    /* Leased: a second worker gets nothing until the lease passes. */
    assert_int_equal(ch_store_outbox_claim(f->store, 150, 210, 10, &f->arena, &got, &n, &err),
                     CH_OK);
    assert_int_equal(n, 0);
    assert_int_equal(ch_store_outbox_claim(f->store, 209, 260, 10, &f->arena, &got, &n, &err),
                     CH_OK);
    assert_int_equal(n, 1); /* only the one due at 200 */
    assert_int_equal(got[0].id, rows[2].id);
    assert_int_equal(ch_store_outbox_claim(f->store, 210, 270, 1, &f->arena, &got, &n, &err),
                     CH_OK);
    assert_int_equal(n, 1); /* the limit holds; oldest first */
    assert_int_equal(got[0].id, rows[0].id);
    assert_int_equal(got[0].attempts, 2);

    assert_int_equal(ch_store_outbox_result(f->store, rows[0].id, "sent", 220, NULL, 0, &err),
                     CH_OK);
    assert_int_equal(ch_store_outbox_result(f->store, rows[1].id, "queued", 220,
                                            "421 try again later", 500, &err),
                     CH_OK);
    assert_int_equal(
        ch_store_outbox_result(f->store, rows[2].id, "failed", 220, "550 no such user", 0, &err),
        CH_OK);
    assert_int_equal(ch_store_outbox_result(f->store, 99999, "sent", 220, NULL, 0, &err),
                     CH_E_NOTFOUND);
    assert_int_equal(ch_store_outbox_result(f->store, rows[0].id, "lost", 220, NULL, 0, &err),
                     CH_E_INVALID);
    assert_int_equal(ch_store_outbox_claim(f->store, 499, 900, 10, &f->arena, &got, &n, &err),
                     CH_OK);
    assert_int_equal(n, 0);
    assert_int_equal(ch_store_outbox_claim(f->store, 500, 900, 10, &f->arena, &got, &n, &err),
                     CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(got[0].id, rows[1].id);
    assert_int_equal(got[0].attempts, 2);
    assert_string_equal(got[0].last_error, "421 try again later");

    ch_outbox_row one;
    assert_int_equal(
        ch_store_outbox_by_message_id(f->store, "m1@cognus.example", &f->arena, &one, &err), CH_OK);
    assert_int_equal(one.id, rows[0].id);
    assert_string_equal(one.state, "sent");
    assert_int_equal(one.sent_at, 220);
    assert_null(one.raw);
    assert_int_equal(
        ch_store_outbox_by_message_id(f->store, "nope@cognus.example", &f->arena, &one, &err),
        CH_E_NOTFOUND);
    assert_int_equal(ch_store_outbox_result(f->store, rows[0].id, "bounced", 300,
                                            "550 5.1.1 mailbox unknown", 0, &err),
                     CH_OK);
    assert_int_equal(
        ch_store_outbox_by_message_id(f->store, "m1@cognus.example", &f->arena, &one, &err), CH_OK);
    assert_string_equal(one.state, "bounced");
    assert_string_equal(one.last_error, "550 5.1.1 mailbox unknown");
    assert_int_equal(one.sent_at, 220);

    /* An address among the recipients, exactly (its case aside). */
    int64_t count;
    ch_outbox_filter to_a = {.rcpt = "A@parent.example"};
    assert_int_equal(ch_store_outbox_count(f->store, &to_a, &count, &err), CH_OK);
    assert_int_equal(count, 2);
    ch_outbox_filter to_b = {.rcpt = "second@parent.example"};
    assert_int_equal(ch_store_outbox_count(f->store, &to_b, &count, &err), CH_OK);
    assert_int_equal(count, 1);
    ch_outbox_filter part = {.rcpt = "parent.example"};
    assert_int_equal(ch_store_outbox_count(f->store, &part, &count, &err), CH_OK);
    assert_int_equal(count, 0);
    ch_outbox_filter ba = {.rcpt = "ba@parent.example"};
    assert_int_equal(ch_store_outbox_count(f->store, &ba, &count, &err), CH_OK);
    assert_int_equal(count, 0);
    /* The auto-reply rate: acknowledgements to one address since a time. */
    ch_outbox_filter rate = {
        .rcpt = "a@parent.example", .purpose = "acknowledgement", .since = 105};
    assert_int_equal(ch_store_outbox_count(f->store, &rate, &count, &err), CH_OK);
    assert_int_equal(count, 1);
    rate.since = 111;
    assert_int_equal(ch_store_outbox_count(f->store, &rate, &count, &err), CH_OK);
    assert_int_equal(count, 0);
    ch_outbox_row *list;
    ch_outbox_filter all = {0};
    assert_int_equal(ch_store_outbox_list(f->store, &all, &f->arena, &list, &n, &err), CH_OK);
    assert_int_equal(n, 3);
    assert_int_equal(list[0].id, rows[2].id); /* newest first */
    assert_null(list[0].service);
    assert_string_equal(list[0].state, "failed");
    assert_string_equal(list[2].rcpts, "a@parent.example, Second@Parent.example");
    ch_outbox_filter queued = {.state = "queued", .rcpt = "a@parent.example"};
    assert_int_equal(ch_store_outbox_list(f->store, &queued, &f->arena, &list, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, rows[1].id);
    const char *svc[] = {"cognus/enquiries"}, *other[] = {"sendiass/enquiries"};
    ch_outbox_filter seen = {.services = svc, .nservices = 1, .limit = 1};
    assert_int_equal(ch_store_outbox_list(f->store, &seen, &f->arena, &list, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, rows[1].id);
    seen.services = other;
    assert_int_equal(ch_store_outbox_count(f->store, &seen, &count, &err), CH_OK);
    assert_int_equal(count, 0);
}

typedef struct claimer {
    ch_store *store;
    ch_arena arena;
    ch_outbox_row *rows;
    size_t n;
    int rc;
} claimer;

static void *claim_some(void *arg)
{
    claimer *k = arg;
    ch_error err;
    k->rc = ch_store_outbox_claim(k->store, 1000, 1000000, 10, &k->arena, &k->rows, &k->n, &err);
    return NULL;
}

/* Two workers claiming at once never take the same message; on PostgreSQL
 * a row another server holds is passed over, not waited for. */
static void workers_never_claim_one_message_twice(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_outbox_row rows[20];
    for (int i = 0; i < 20; i++)
        rows[i] = outbox_row("reply", "a@parent.example", NULL, 100 + i);
    assert_int_equal(ch_store_outbox_insert(f->store, rows, 20, &err), CH_OK);
    claimer a = {.store = f->store}, b = {.store = f->store};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, claim_some, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, claim_some, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_int_equal(a.rc, CH_OK);
    assert_int_equal(b.rc, CH_OK);
    assert_int_equal(a.n + b.n, 20);
    for (size_t i = 0; i < a.n; i++)
        for (size_t k = 0; k < b.n; k++)
            assert_true(a.rows[i].id != b.rows[k].id);
    ch_arena_free(&a.arena);
    ch_arena_free(&b.arena);
    if (!*f->pg_url)
        return;

    /* Another server holds the oldest due message (mid-claim): this claim
     * takes the next and returns at once. */
    ch_outbox_row more[2] = {outbox_row("reply", "b@parent.example", NULL, 3000),
                             outbox_row("reply", "b@parent.example", NULL, 3001)};
    assert_int_equal(ch_store_outbox_insert(f->store, more, 2, &err), CH_OK);
    PGconn *db = PQconnectdb(f->pg_url);
    char sql[160];
    assert_int_equal(PQstatus(db), CONNECTION_OK);
    snprintf(sql, sizeof(sql), "SET search_path TO %s", f->schema);
    PQclear(PQexec(db, sql));
    PQclear(PQexec(db, "BEGIN"));
    snprintf(sql, sizeof(sql), "SELECT id FROM outbox WHERE id = %lld FOR UPDATE",
             (long long)more[0].id);
    PGresult *res = PQexec(db, sql);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    PQclear(res);
    ch_outbox_row *got;
    size_t n;
    assert_int_equal(ch_store_outbox_claim(f->store, 3500, 4000, 10, &f->arena, &got, &n, &err),
                     CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(got[0].id, more[1].id);
    PQclear(PQexec(db, "ROLLBACK"));
    PQfinish(db);
    assert_int_equal(ch_store_outbox_claim(f->store, 3500, 4000, 10, &f->arena, &got, &n, &err),
                     CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(got[0].id, more[0].id);
}

/* Notifications: one warning per obligation, listed newest first, read one
 * or all, and emailed once with the message that tells of them. */
static void notifications_are_read_and_emailed_once(void **state)
{
    fixture *f = *state;
    ch_error err;
    bool dup = true;
    int64_t olu = add_user(f, "olu@cognus.example", NULL);
    int64_t ada = add_user(f, "ada@cognus.example", "digest");
    int64_t case_id = add_case(f, "cognus/enquiries", 5000, "pending");
    ch_case_row c;
    assert_int_equal(ch_store_case_get(f->store, case_id, &f->arena, &c, &err), CH_OK);
    int64_t obligation = c.obligations[0].id;

    ch_notification a = {.user_id = olu,
                         .case_id = case_id,
                         .kind = "assigned",
                         .text = "Case 1 was assigned to you.",
                         .created_at = 100};
    ch_notification w = {.user_id = olu,
                         .case_id = case_id,
                         .obligation_id = obligation,
                         .kind = "warning",
                         .text = "A reply is due tomorrow.",
                         .created_at = 200};
    ch_notification o = {.user_id = ada,
                         .case_id = case_id,
                         .kind = "message",
                         .text = "A new message.",
                         .created_at = 150};
    assert_int_equal(ch_store_notification_insert(f->store, &a, &dup, &err), CH_OK);
    assert_false(dup);
    assert_int_equal(ch_store_notification_insert(f->store, &w, &dup, &err), CH_OK);
    assert_false(dup);
    assert_int_equal(ch_store_notification_insert(f->store, &o, NULL, &err), CH_OK);
    ch_notification w2 = w;
    w2.id = 0;
    w2.created_at = 300;
    assert_int_equal(ch_store_notification_insert(f->store, &w2, &dup, &err), CH_OK);
    assert_true(dup);
    assert_int_equal(w2.id, w.id);
    ch_notification nobody = a;
    nobody.user_id = 99999;
    assert_int_equal(ch_store_notification_insert(f->store, &nobody, &dup, &err), CH_E_INVALID);

    ch_notification *list;
    size_t n;
    int64_t count;
    assert_int_equal(
        ch_store_notification_list(f->store, olu, false, 0, &f->arena, &list, &n, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, w.id); /* newest first */
    assert_int_equal(list[0].obligation_id, obligation);
    assert_string_equal(list[1].text, "Case 1 was assigned to you.");
    assert_int_equal(list[1].read_at, 0);
    assert_int_equal(ch_store_notification_unread(f->store, olu, &count, &err), CH_OK);
    assert_int_equal(count, 2);
    /* One read, by its owner only; then all. */
    assert_int_equal(ch_store_notification_read(f->store, ada, a.id, 400, &err), CH_E_NOTFOUND);
    assert_int_equal(ch_store_notification_read(f->store, olu, a.id, 400, &err), CH_OK);
    assert_int_equal(ch_store_notification_read(f->store, olu, a.id, 450, &err), CH_OK);
    assert_int_equal(ch_store_notification_unread(f->store, olu, &count, &err), CH_OK);
    assert_int_equal(count, 1);
    assert_int_equal(
        ch_store_notification_list(f->store, olu, true, 10, &f->arena, &list, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, w.id);
    assert_int_equal(ch_store_notification_read(f->store, olu, 0, 500, &err), CH_OK);
    assert_int_equal(ch_store_notification_unread(f->store, olu, &count, &err), CH_OK);
    assert_int_equal(count, 0);
    assert_int_equal(
        ch_store_notification_list(f->store, olu, false, 10, &f->arena, &list, &n, &err), CH_OK);
    assert_int_equal(list[1].read_at, 400); /* read once, when first read */
    assert_int_equal(list[0].read_at, 500);
    assert_int_equal(ch_store_notification_unread(f->store, ada, &count, &err), CH_OK);
    assert_int_equal(count, 1);

    /* Emailing: oldest first, of everyone or one; once. */
    assert_int_equal(ch_store_notification_unemailed(f->store, 0, 10, &f->arena, &list, &n, &err),
                     CH_OK);
    assert_int_equal(n, 3);
    assert_int_equal(list[0].id, a.id);
    assert_int_equal(list[1].id, o.id);
    assert_int_equal(ch_store_notification_unemailed(f->store, olu, 10, &f->arena, &list, &n, &err),
                     CH_OK);
    assert_int_equal(n, 2);
    int64_t ids[] = {a.id, w.id};
    ch_outbox_row mail = outbox_row("notification", "olu@cognus.example", "n1@cognus.example", 600);
    mail.user_id = olu;
    mail.service = NULL;
    assert_int_equal(ch_store_notification_emailed(f->store, ids, 2, 600, &mail, &err), CH_OK);
    assert_true(mail.id > 0);
    assert_int_equal(ch_store_notification_unemailed(f->store, 0, 10, &f->arena, &list, &n, &err),
                     CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, o.id);
    ch_outbox_row again =
        outbox_row("notification", "olu@cognus.example", "n2@cognus.example", 700);
    assert_int_equal(ch_store_notification_emailed(f->store, ids, 2, 700, &again, &err),
                     CH_E_CONFLICT);
    ch_outbox_row *queued;
    ch_outbox_filter to_olu = {.rcpt = "olu@cognus.example"};
    assert_int_equal(ch_store_outbox_list(f->store, &to_olu, &f->arena, &queued, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(queued[0].user_id, olu);
    assert_string_equal(queued[0].purpose, "notification");
    assert_int_equal(
        ch_store_notification_list(f->store, olu, false, 10, &f->arena, &list, &n, &err), CH_OK);
    assert_int_equal(list[0].emailed_at, 600);
}

/* Promises about to break: pending, on open cases, due in the range. */
static void promises_due_soon_are_found(void **state)
{
    fixture *f = *state;
    ch_error err;
    int64_t olu = add_user(f, "olu@cognus.example", NULL);
    int64_t soon = add_case(f, "cognus/enquiries", 5000, "pending");
    int64_t sooner = add_case(f, "sendiass/enquiries", 4500, "pending");
    add_case(f, "cognus/enquiries", 9000, "pending"); /* later */
    add_case(f, "cognus/enquiries", 5100, "met");     /* kept */
    int64_t closed = add_case(f, "cognus/enquiries", 5200, "pending");
    ch_case_update close = {.case_id = closed, .status = "closed", .now = 1100};
    int64_t v;
    assert_int_equal(ch_store_case_update(f->store, &close, &v, &err), CH_OK);
    ch_case_update assign = {.case_id = soon,
                             .status = "open",
                             .next_due_at = 5000,
                             .set_officer = true,
                             .officer_id = olu,
                             .now = 1100};
    assert_int_equal(ch_store_case_update(f->store, &assign, &v, &err), CH_OK);

    ch_due_soon *rows;
    size_t n;
    assert_int_equal(ch_store_due_soon(f->store, 4000, 6000, 10, &f->arena, &rows, &n, &err),
                     CH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].case_id, sooner);
    assert_string_equal(rows[0].service, "sendiass/enquiries");
    assert_int_equal(rows[0].officer_id, 0);
    assert_int_equal(rows[1].case_id, soon);
    assert_int_equal(rows[1].officer_id, olu);
    assert_string_equal(rows[1].promise, "reply");
    assert_string_equal(rows[1].subject, "Subject");
    assert_int_equal(rows[1].due_at, 5000);
    assert_true(rows[1].obligation_id > 0);
    assert_int_equal(ch_store_due_soon(f->store, 4000, 6000, 1, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ch_store_due_soon(f->store, 5000, 5000, 10, &f->arena, &rows, &n, &err),
                     CH_OK);
    assert_int_equal(n, 0);
}

/* How staff hear of their work: each message by default, a digest or none. */
static void a_user_chooses_how_to_be_told(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_user got, *list;
    size_t n;
    uint8_t s1[32] = {7};
    int64_t admin = add_user(f, "admin@cognus.example", NULL);
    ch_user_change up = {.id = admin, .set_role = true, .role = CH_ROLE_ADMIN, .active = -1};
    assert_int_equal(ch_store_user_update(f->store, &up, &err), CH_OK);
    int64_t olu = add_user(f, "olu@cognus.example", "digest");
    assert_int_equal(ch_store_user_by_id(f->store, admin, &f->arena, &got, &err), CH_OK);
    assert_string_equal(got.notify, "each");
    assert_int_equal(ch_store_user_by_email(f->store, "olu@cognus.example", &f->arena, &got, &err),
                     CH_OK);
    assert_string_equal(got.notify, "digest");
    ch_user_change none = {.id = olu, .active = -1, .notify = "none"};
    assert_int_equal(ch_store_user_update(f->store, &none, &err), CH_OK);
    ch_user_change name = {.id = olu, .active = -1, .name = "Olu"};
    assert_int_equal(ch_store_user_update(f->store, &name, &err), CH_OK); /* leaves it */
    assert_int_equal(ch_store_user_list(f->store, &f->arena, &list, &n, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].notify, "each");
    assert_string_equal(list[1].notify, "none");
    assert_int_equal(ch_store_session_insert(f->store, olu, s1, "c", 9000, &err), CH_OK);
    assert_int_equal(ch_store_credential_user(f->store, s1, 10, &f->arena, &got, NULL, &err),
                     CH_OK);
    assert_string_equal(got.notify, "none");
    ch_user_change bad = {.id = olu, .active = -1, .notify = "hourly"};
    assert_int_equal(ch_store_user_update(f->store, &bad, &err), CH_E_INVALID);
    ch_user wrong = {0, "x@cognus.example", "X", CH_ROLE_OFFICER, NULL, NULL, 0, false, "often"};
    int64_t id;
    assert_int_equal(ch_store_user_insert(f->store, &wrong, &id, &err), CH_E_INVALID);
}

/* A complaint's stage moves with its letter and case update in one write,
 * or not at all; the staff a case names are replaced whole; and a list for
 * officers leaves out a complaint naming staff. */
static void complaint_stages_and_staff_named(void **state)
{
    fixture *f = *state;
    ch_error err;
    ch_case_row c;
    int64_t uid, version, other;
    const char *services[] = {"cognus/enquiries"};
    ch_user u = {0, "s@x.org", "Sam", CH_ROLE_OFFICER, "hash", services, 1};
    assert_int_equal(ch_store_user_insert(f->store, &u, &uid, &err), CH_OK);
    int64_t id = add_case(f, "cognus/enquiries", 5000, "pending");
    other = add_case(f, "cognus/enquiries", 5000, "pending");
    ch_case_update kind = {.case_id = id,
                           .expect = 1,
                           .status = "open",
                           .kind = "complaint",
                           .next_due_at = 5000,
                           .now = 1100};
    assert_int_equal(ch_store_case_update(f->store, &kind, &version, &err), CH_OK);
    assert_int_equal(ch_store_case_get(f->store, id, &f->arena, &c, &err), CH_OK);
    ch_stage_row *rows;
    size_t n;
    assert_int_equal(ch_store_stages(f->store, id, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 0);
    /* Close the first stage with its letter, open the second. */
    ch_contact_row letter = {0, "outbound", "letter", "Ada", "Our answer", NULL, 1500, uid};
    ch_obligation_row met = c.obligations[0];
    met.state = "met";
    met.met_at = 1500;
    met.met_by_contact = CH_CONTACT_NEW;
    ch_event_row ev = {0, 1500, uid, "stage", "closed"};
    ch_case_update up = {.case_id = id,
                         .expect = version,
                         .contact = &letter,
                         .changed = &met,
                         .nchanged = 1,
                         .event = &ev,
                         .status = "open",
                         .now = 1500};
    static const unsigned char pdf[] = "%PDF-1.3 letter";
    ch_attachment file = {.case_id = id,
                          .filename = "letter.pdf",
                          .content_type = "application/pdf",
                          .size = sizeof(pdf) - 1,
                          .data = pdf,
                          .uploaded_by = uid,
                          .uploaded_at = 1500};
    ch_stage_row close = {.case_id = id,
                          .seq = 0,
                          .stage = "stage-1",
                          .started_at = 900,
                          .closed_at = 1500,
                          .outcome = "upheld",
                          .lessons = "L",
                          .closed_by = uid};
    ch_stage_row open = {.case_id = id, .seq = 1, .stage = "stage-2", .started_at = 1400};
    ch_stage_change m = {.update = &up, .letter = &file, .close = &close, .open = &open};
    assert_int_equal(ch_store_stage_change(f->store, &m, &version, &err), CH_OK);
    assert_true(file.id > 0 && file.contact_id == letter.id && close.letter_id == file.id);
    assert_int_equal(ch_store_stages(f->store, id, &f->arena, &rows, &n, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].outcome, "upheld");
    assert_int_equal(rows[0].letter_id, file.id);
    assert_int_equal(rows[1].closed_at, 0);
    assert_int_equal(rows[1].started_at, 1400);
    assert_int_equal(ch_store_case_get(f->store, id, &f->arena, &c, &err), CH_OK);
    assert_int_equal(c.obligations[0].met_by_contact, letter.id);
    /* Closing the first stage again fails whole: no second letter. */
    ch_contact_row again = {0, "outbound", "letter", "Ada", "Again", NULL, 1600, uid};
    ch_case_update up2 = {.case_id = id,
                          .expect = version,
                          .contact = &again,
                          .event = &ev,
                          .status = "open",
                          .now = 1600};
    ch_stage_change m2 = {.update = &up2, .close = &close};
    assert_int_equal(ch_store_stage_change(f->store, &m2, &version, &err), CH_E_CONFLICT);
    assert_int_equal(ch_store_case_get(f->store, id, &f->arena, &c, &err), CH_OK);
    assert_int_equal(c.ncontacts, 1);
    /* Staff named, replaced whole; a list for officers leaves it out. */
    int64_t ids[] = {uid}, bad[] = {uid, 99999};
    ch_case_update named = {
        .case_id = id, .expect = c.version, .event = &ev, .status = "open", .now = 1700};
    assert_int_equal(ch_store_case_staff_set(f->store, &named, bad, 2, uid, &version, &err),
                     CH_E_INVALID);
    assert_int_equal(ch_store_case_staff_set(f->store, &named, ids, 1, uid, &version, &err), CH_OK);
    ch_staff_named *staff;
    assert_int_equal(ch_store_case_staff(f->store, id, &f->arena, &staff, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    assert_string_equal(staff[0].name, "Sam");
    int64_t both[] = {id, other};
    bool hidden[2];
    assert_int_equal(ch_store_cases_staff_named(f->store, both, 2, hidden, &err), CH_OK);
    assert_true(hidden[0] && !hidden[1]);
    ch_case_filter all = {.limit = 10}, officers = {.limit = 10, .hide_staff_named = true};
    ch_case_row *list;
    int64_t total;
    assert_int_equal(ch_store_case_list(f->store, &all, &f->arena, &list, &n, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ch_store_case_count(f->store, &officers, &total, &err), CH_OK);
    assert_int_equal(total, 1);
    assert_int_equal(ch_store_case_list(f->store, &officers, &f->arena, &list, &n, &err), CH_OK);
    assert_true(n == 1 && list[0].id == other);
    ch_complaint_line *lines;
    assert_int_equal(ch_store_complaint_lines(f->store, 0, 10000, &f->arena, &lines, &n, &err),
                     CH_OK);
    assert_int_equal(n, 3); /* two stages and one member of staff */
    ch_case_update none = {
        .case_id = id, .expect = version, .event = &ev, .status = "open", .now = 1800};
    assert_int_equal(ch_store_case_staff_set(f->store, &none, NULL, 0, uid, &version, &err), CH_OK);
    assert_int_equal(ch_store_case_staff(f->store, id, &f->arena, &staff, &n, &err), CH_OK);
    assert_int_equal(n, 0);
}

int main(void)
{
    const char *file = getenv("CHARTER_TEST_PG_URL_FILE");
    if (file) {
        FILE *fp = fopen(file, "r");
        if (!fp || !fgets(pg_base, sizeof(pg_base), fp)) {
            fprintf(stderr, "test_store: no PostgreSQL URL in %s: the cluster did not start\n",
                    file);
            return 1;
        }
        fclose(fp);
        pg_base[strcspn(pg_base, "\r\n")] = '\0';
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(users_are_unique_by_email, setup, teardown),
        cmocka_unit_test_setup_teardown(sessions_and_tokens_expire, setup, teardown),
        cmocka_unit_test_setup_teardown(tokens_are_listed_noted_and_revoked, setup, teardown),
        cmocka_unit_test_setup_teardown(a_user_changes_in_one_write, setup, teardown),
        cmocka_unit_test_setup_teardown(a_case_reads_back_as_written, setup, teardown),
        cmocka_unit_test_setup_teardown(finders_match_the_start_of_words_for_those_one_may_see,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(updates_check_the_version_and_keep_pauses, setup, teardown),
        cmocka_unit_test_setup_teardown(a_case_moves_to_another_service_in_one_write, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(queues_come_soonest_due_first_and_skip_other_services,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(the_overdue_count_is_exact_whichever_side_is_smaller, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(lists_and_queues_count_what_matches, setup, teardown),
        cmocka_unit_test_setup_teardown(the_case_list_is_every_match_newest_first, setup, teardown),
        cmocka_unit_test_setup_teardown(an_obligation_names_the_contact_that_met_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_breach_sweep_marks_past_due_obligations, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_audit_log_only_grows, setup, teardown),
        cmocka_unit_test_setup_teardown(the_audit_log_is_purged_oldest_first, setup, teardown),
        cmocka_unit_test_setup_teardown(policies_keep_their_history, setup, teardown),
        cmocka_unit_test_setup_teardown(contracts_visits_and_the_ledger, setup, teardown),
        cmocka_unit_test_setup_teardown(contracts_list_by_school_consultant_and_service, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_statement_is_recorded_as_sent_once, setup, teardown),
        cmocka_unit_test_setup_teardown(relationships_and_consents_are_kept_and_withdrawn, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(availability_is_kept_per_person_and_replaced_whole, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(people_are_edited_listed_merged_and_files_kept, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(incidents_and_restrictions_keep_their_state, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(inbound_mail_is_kept_whole_and_once, setup, teardown),
        cmocka_unit_test_setup_teardown(filing_a_message_is_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(the_outbox_leases_retries_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(workers_never_claim_one_message_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(notifications_are_read_and_emailed_once, setup, teardown),
        cmocka_unit_test_setup_teardown(promises_due_soon_are_found, setup, teardown),
        cmocka_unit_test_setup_teardown(a_user_chooses_how_to_be_told, setup, teardown),
        cmocka_unit_test_setup_teardown(complaint_stages_and_staff_named, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
