/* The store contract: what every backend must do. Run against SQLite (a
 * real file in a temporary folder) and, when CHARTER_TEST_PG_URL_FILE names
 * a file holding a PostgreSQL URL, against that server, each test in a
 * schema of its own. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

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

static void sessions_expire_and_tokens_do_not(void **state)
{
    fixture *f = *state;
    ch_error err;
    int64_t uid;
    ch_user who;
    const char *csrf = NULL;
    uint8_t session[32] = {1}, token[32] = {2}, unknown[32] = {3};
    const char *svc[] = {"cognus/enquiries", "sendiass/enquiries"};
    ch_user u = {0, "b@x.org", "B", CH_ROLE_OFFICER, NULL, svc, 2};
    assert_int_equal(ch_store_user_insert(f->store, &u, &uid, &err), CH_OK);
    assert_int_equal(ch_store_session_insert(f->store, uid, session, "csrf!", 2000, &err), CH_OK);
    assert_int_equal(ch_store_token_insert(f->store, uid, token, &err), CH_OK);
    assert_int_equal(
        ch_store_credential_user(f->store, session, 1999, &f->arena, &who, &csrf, &err), CH_OK);
    assert_int_equal(who.id, uid);
    assert_string_equal(who.email, "b@x.org");
    assert_int_equal(who.nservices, 2);
    assert_string_equal(who.services[1], "sendiass/enquiries");
    assert_string_equal(csrf, "csrf!");
    assert_int_equal(ch_store_credential_user(f->store, session, 2000, &f->arena, &who, NULL, &err),
                     CH_E_NOTFOUND);
    assert_int_equal(
        ch_store_credential_user(f->store, token, 4000000000, &f->arena, &who, NULL, &err), CH_OK);
    assert_int_equal(ch_store_credential_user(f->store, unknown, 1000, &f->arena, &who, NULL, &err),
                     CH_E_NOTFOUND);
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
    ch_audit_row a = {0, 1000, 1, "read", "case", 7, "127.0.0.1"};
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
    b.starts_at = 9000;
    assert_int_equal(ch_store_visit_insert(f->store, &a, &got, &err), CH_OK);
    /* Decided on figures that are now stale: someone booked since. */
    assert_int_equal(ch_store_visit_insert(f->store, &b, &got, &err), CH_E_CONFLICT);
    assert_int_equal(ch_store_visit_insert(f->store, &b, NULL, &err), CH_OK);
    assert_int_equal(ch_store_contract_get(f->store, id, &f->arena, &got, &err), CH_OK);
    assert_int_equal(got.booked, 300);

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
    again.starts_at = 12000;
    again.rescheduled_from = b.id;
    ch_visit_change moved = {
        .visit_id = b.id, .status = "cancelled-by-provider", .rebook = &again, .at = 6000};
    assert_int_equal(ch_store_visit_change(f->store, &moved, &err), CH_OK);
    assert_true(again.id > b.id);
    assert_int_equal(ch_store_contract_get(f->store, id, &f->arena, &got, &err), CH_OK);
    assert_int_equal(got.balance, 930);
    assert_int_equal(got.booked, 150);
    assert_int_equal(got.shortfall, 150);

    ch_visit *vs;
    size_t n;
    ch_visit_filter vf = {.consultant_id = uid, .from = 5000, .to = 12001};
    assert_int_equal(ch_store_visit_list(f->store, &vf, &f->arena, &vs, &n, &err), CH_OK);
    assert_int_equal(n, 3);
    assert_string_equal(vs[0].status, "cancelled-late");
    assert_string_equal(vs[1].status, "cancelled-by-provider");
    assert_int_equal(vs[2].rescheduled_from, b.id);
    assert_string_equal(vs[2].school, "Springfield Primary");
    vf.from = 9001;
    assert_int_equal(ch_store_visit_list(f->store, &vf, &f->arena, &vs, &n, &err), CH_OK);
    assert_int_equal(n, 1);
    /* Late news on the rebooked visit is kept; it is still booked. */
    ch_visit_change late = {
        .visit_id = again.id, .late_notice_at = 11000, .late_expected_at = 12900, .at = 11000};
    assert_int_equal(ch_store_visit_change(f->store, &late, &err), CH_OK);
    ch_visit v;
    assert_int_equal(ch_store_visit_get(f->store, again.id, &f->arena, &v, &err), CH_OK);
    assert_string_equal(v.status, "booked");
    assert_int_equal(v.late_expected_at, 12900);
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
    assert_int_equal(n, 4);
    assert_string_equal(rows[0].kind, "purchase");
    assert_string_equal(rows[1].kind, "drawdown");
    assert_int_equal(rows[1].visit_id, a.id);
    assert_string_equal(rows[3].kind, "lapse");
    assert_int_equal(ch_store_contract_get(f->store, id, &f->arena, &got, &err), CH_OK);
    assert_int_equal(got.balance, 0);
    assert_string_equal(got.status, "closed");
    ch_ledger_row stray = {.contract_id = 999, .at = 1, .kind = "adjustment", .minutes = 5};
    assert_int_not_equal(ch_store_ledger_append(f->store, &stray, 1, 0, &err), CH_OK);
    assert_append_only(f, "ledger");
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
        cmocka_unit_test_setup_teardown(sessions_expire_and_tokens_do_not, setup, teardown),
        cmocka_unit_test_setup_teardown(a_case_reads_back_as_written, setup, teardown),
        cmocka_unit_test_setup_teardown(updates_check_the_version_and_keep_pauses, setup, teardown),
        cmocka_unit_test_setup_teardown(queues_come_soonest_due_first_and_skip_other_services,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(the_breach_sweep_marks_past_due_obligations, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_audit_log_only_grows, setup, teardown),
        cmocka_unit_test_setup_teardown(policies_keep_their_history, setup, teardown),
        cmocka_unit_test_setup_teardown(contracts_visits_and_the_ledger, setup, teardown),
        cmocka_unit_test_setup_teardown(contracts_list_by_school_consultant_and_service, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_statement_is_recorded_as_sent_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
