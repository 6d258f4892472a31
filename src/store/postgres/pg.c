/* The PostgreSQL backend of the store: a pool of libpq connections, each
 * statement prepared once per connection with its parameters bound, and the
 * users, credentials, policies, people and organisations. Cases live in
 * pg_cases.c. */
#include "store/postgres/internal.h"
#include "store/postgres/schema.h"

#include <ctype.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ch_pg_text(pg_params *p, const char *s)
{
    if (p->n < CH_PG_PARAMS)
        p->v[p->n++] = s;
}

void ch_pg_int(pg_params *p, int64_t v)
{
    if (p->n >= CH_PG_PARAMS)
        return;
    snprintf(p->buf[p->n], sizeof(p->buf[p->n]), "%lld", (long long)v);
    p->v[p->n] = p->buf[p->n];
    p->n++;
}

void ch_pg_id(pg_params *p, int64_t v)
{
    if (v)
        ch_pg_int(p, v);
    else
        ch_pg_text(p, NULL);
}

void ch_pg_bytes32(pg_params *p, const uint8_t *b)
{
    if (p->n >= CH_PG_PARAMS)
        return;
    char *out = p->buf[p->n];
    out[0] = '\\', out[1] = 'x';
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 + i * 2, 3, "%02x", b[i]);
    p->v[p->n] = out;
    p->n++;
}

char *ch_pg_bytea_hex(const unsigned char *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    if (len > (SIZE_MAX - 3) / 2)
        return NULL;
    char *hex = malloc(2 * len + 3);
    if (!hex)
        return NULL;
    hex[0] = '\\', hex[1] = 'x';
    for (size_t i = 0; i < len; i++) {
        hex[2 + 2 * i] = digits[data[i] >> 4];
        hex[3 + 2 * i] = digits[data[i] & 15];
    }
    hex[2 + 2 * len] = '\0';
    return hex;
}

pg_conn *ch_pg_acquire(pg *s)
{
    /* An audited write keeps one connection, in one transaction, from its
     * first statement to its audit row (pg_auditlog.c). */
    pg_conn *held = ch_pg_audit_conn(s);
    return held ? held : ch_pg_pool_acquire(s);
}

/* Makes c's session as it was when the store opened: search path set, no
 * statements prepared (the server forgot them with the old session). */
static int session_start(pg *s, pg_conn *c, ch_error *err)
{
    char sql[160];
    c->nprepared = 0;
    for (size_t k = 0; k < sizeof(c->built) / sizeof(c->built[0]); k++) {
        free(c->built[k]);
        c->built[k] = NULL;
    }
    if (!*s->schema)
        return CH_OK;
    /* Only the path: the schema was made when the store opened, and one
     * dropped since must fail loudly, not come back empty. */
    snprintf(sql, sizeof(sql), "SET search_path TO %s", s->schema);
    return ch_pg_exec(c, sql, err);
}

/* An idle session has nothing to read unless the server ended it (a
 * restart, a crash, an administrator): then it is opened again before use,
 * so the first request after PostgreSQL comes back is served, not failed.
 * While the server is down the reset fails fast and the request gets the
 * "not answering" sentence. */
static void revive(pg *s, pg_conn *c)
{
    if (PQstatus(c->db) == CONNECTION_OK && !c->stale) {
        struct pollfd p = {.fd = PQsocket(c->db), .events = POLLIN};
        if (p.fd < 0 || poll(&p, 1, 0) == 0)
            return;
    }
    PQreset(c->db);
    /* Until its session is set up again it must not be used (ch_pg_run
     * refuses): it would read and write outside the desk's schema. */
    c->stale = false;
    c->stale = PQstatus(c->db) != CONNECTION_OK || session_start(s, c, &(ch_error){0}) != CH_OK;
}

pg_conn *ch_pg_pool_acquire(pg *s)
{
    unsigned start = __atomic_fetch_add(&s->next, 1, __ATOMIC_RELAXED);
    pg_conn *c = NULL;
    for (size_t i = 0; i < s->npool && !c; i++) {
        pg_conn *t = &s->pool[(start + i) % s->npool];
        if (pthread_mutex_trylock(&t->mu) == 0)
            c = t;
    }
    if (!c) {
        c = &s->pool[start % s->npool];
        pthread_mutex_lock(&c->mu);
    }
    revive(s, c);
    return c;
}

void ch_pg_release(pg_conn *c)
{
    if (!ch_pg_audit_holds(c))
        pthread_mutex_unlock(&c->mu);
}

int ch_pg_failed(pg_conn *c, const PGresult *res, ch_error *err, const char *doing, const char *msg)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    bool gone = PQstatus(c->db) != CONNECTION_OK || !res ||
                (state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0));
    if (state && strcmp(state, "53100") == 0)
        return ch_error_set(err, CH_E_UNAVAILABLE, CH_STORE_DISK_FULL);
    if (gone)
        return ch_error_set(err, CH_E_UNAVAILABLE,
                            "the database server is not answering, so nothing was saved; the "
                            "desk reconnects by itself, so try again in a minute, and tell your "
                            "administrator if it lasts");
    return ch_error_set(err, CH_E_STORE, "the database failed while %s: %.300s", doing, msg);
}

static PGresult *checked(pg_conn *c, PGresult *res, ch_error *err, const char *doing)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    ch_pg_failed(c, res, err, doing, res ? PQresultErrorMessage(res) : PQerrorMessage(c->db));
    return res; /* the caller still checks the SQLSTATE, then clears */
}

static bool ok(PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Names in name the statement sql is prepared as on c, preparing it on
 * first use. Returns CH_OK, an error code (err filled), or FULL when c has
 * no room left to prepare it. */
enum { FULL = 1 };
static int prepared_name(pg_conn *c, const char *sql, char name[16], ch_error *err,
                         const char *doing)
{
    int k = 0;
    while (k < c->nprepared && c->prepared[k] != sql)
        k++;
    snprintf(name, 16, "s%d", k);
    if (k < c->nprepared)
        return CH_OK;
    if (k == CH_PG_STMTS)
        return FULL;
    PGresult *prep = PQprepare(c->db, name, sql, 0, NULL);
    int rc = ok(prep) ? CH_OK
                      : ch_pg_failed(c, prep, err, doing,
                                     prep ? PQresultErrorMessage(prep) : PQerrorMessage(c->db));
    PQclear(prep);
    if (rc == CH_OK)
        c->prepared[c->nprepared++] = sql;
    return rc;
}

PGresult *ch_pg_run(pg_conn *c, const char *sql, const pg_params *p, ch_error *err,
                    const char *doing)
{
    if (c->stale) {
        ch_pg_failed(c, NULL, err, doing, NULL);
        return NULL;
    }
    char name[16];
    int rc = prepared_name(c, sql, name, err, doing);
    if (rc == FULL)
        return ch_pg_run_built(c, sql, p, err, doing);
    if (rc)
        return NULL;
    PGresult *res = PQexecPrepared(c->db, name, p ? p->n : 0, p ? p->v : NULL, NULL, NULL, 0);
    return checked(c, res, err, doing);
}

int ch_pg_pipeline(pg_conn *c, size_t n, const char *const sql[], const pg_params *const p[],
                   PGresult *res[], ch_error *err, const char *doing)
{
    char name[16];
    int rc = CH_OK;
    for (size_t i = 0; i < n; i++)
        res[i] = NULL;
    if (c->stale)
        return ch_pg_failed(c, NULL, err, doing, NULL);
    /* Prepared first, outside the pipeline, where each step is its own
     * round trip anyway; a full cache cannot happen to these few. */
    for (size_t i = 0; i < n; i++)
        if ((rc = prepared_name(c, sql[i], name, err, doing)))
            return rc == FULL ? ch_error_set(err, CH_E_STORE, "too many statements prepared") : rc;
    if (!PQenterPipelineMode(c->db))
        return ch_pg_failed(c, NULL, err, doing, PQerrorMessage(c->db));
    for (size_t i = 0; i < n && rc == CH_OK; i++) {
        prepared_name(c, sql[i], name, err, doing); /* known now: only its name */
        if (!PQsendQueryPrepared(c->db, name, p[i] ? p[i]->n : 0, p[i] ? p[i]->v : NULL, NULL, NULL,
                                 0))
            rc = ch_pg_failed(c, NULL, err, doing, PQerrorMessage(c->db));
    }
    if (rc == CH_OK && !PQpipelineSync(c->db))
        rc = ch_pg_failed(c, NULL, err, doing, PQerrorMessage(c->db));
    /* Each statement's result, then its NULL; then the sync's. A statement
     * after a failed one comes back aborted, and the first failure is the
     * one reported. */
    for (size_t i = 0; i < n && rc == CH_OK; i++) {
        res[i] = PQgetResult(c->db);
        for (PGresult *more; (more = PQgetResult(c->db));)
            PQclear(more);
        if (!ok(res[i]))
            rc = ch_pg_failed(c, res[i], err, doing,
                              res[i] ? PQresultErrorMessage(res[i]) : PQerrorMessage(c->db));
    }
    /* Whatever is left up to the sync is drained, so the connection is
     * back in its ordinary mode for the next statement. */
    for (PGresult *r; PQstatus(c->db) == CONNECTION_OK && (r = PQgetResult(c->db));) {
        ExecStatusType st = PQresultStatus(r);
        PQclear(r);
        if (st == PGRES_PIPELINE_SYNC)
            break;
    }
    if (!PQexitPipelineMode(c->db) && rc == CH_OK)
        rc = ch_pg_failed(c, NULL, err, doing, PQerrorMessage(c->db));
    return rc;
}

PGresult *ch_pg_run_built(pg_conn *c, const char *sql, const pg_params *p, ch_error *err,
                          const char *doing)
{
    if (c->stale) {
        ch_pg_failed(c, NULL, err, doing, NULL);
        return NULL;
    }
    /* Queue and search statements vary with the user's services; the few
     * shapes in use are kept prepared, by text, so PostgreSQL plans each once. */
    enum { N = sizeof(c->built) / sizeof(c->built[0]) };
    char name[16];
    unsigned k = 0;
    while (k < N && !(c->built[k] && strcmp(c->built[k], sql) == 0))
        k++;
    if (k == N) {
        k = c->next_built++ % N;
        snprintf(name, sizeof(name), "b%u", k);
        if (c->built[k]) {
            char dealloc[32];
            snprintf(dealloc, sizeof(dealloc), "DEALLOCATE %s", name);
            PQclear(PQexec(c->db, dealloc));
            free(c->built[k]);
            c->built[k] = NULL;
        }
        PGresult *prep = PQprepare(c->db, name, sql, 0, NULL);
        bool prepared = ok(prep);
        PQclear(prep);
        if (!prepared || !(c->built[k] = strdup(sql))) {
            if (prepared) {
                char dealloc[32];
                snprintf(dealloc, sizeof(dealloc), "DEALLOCATE %s", name);
                PQclear(PQexec(c->db, dealloc));
            }
            /* Fall back to a one-off statement (and its error message). */
            PGresult *res =
                PQexecParams(c->db, sql, p ? p->n : 0, NULL, p ? p->v : NULL, NULL, NULL, 0);
            return checked(c, res, err, doing);
        }
    }
    snprintf(name, sizeof(name), "b%u", k);
    PGresult *res = PQexecPrepared(c->db, name, p ? p->n : 0, p ? p->v : NULL, NULL, NULL, 0);
    return checked(c, res, err, doing);
}

int ch_pg_exec(pg_conn *c, const char *sql, ch_error *err)
{
    if (c->stale)
        return ch_pg_failed(c, NULL, err, "saving", NULL);
    if (ch_pg_audit_holds(c))
        sql = ch_pg_audit_nested(sql);
    PGresult *res = PQexec(c->db, sql);
    int rc = ok(res) ? CH_OK : ch_pg_failed(c, res, err, "saving", PQerrorMessage(c->db));
    if (strcmp(sql, "COMMIT") == 0)
        rc = ch_pg_commit_checked(c, rc, err);
    PQclear(res);
    return rc;
}

int ch_pg_commit_checked(pg_conn *c, int rc, ch_error *err)
{
    if (rc == CH_E_UNAVAILABLE && PQstatus(c->db) != CONNECTION_OK)
        /* The server may have committed before the connection went. */
        return ch_error_set(err, CH_E_UNAVAILABLE,
                            "the database server stopped answering while saving, so the change "
                            "may or may not have been kept; look for it before trying again, and "
                            "tell your administrator if this lasts");
    return rc;
}

bool ch_pg_violation(const PGresult *res, const char *sqlstate)
{
    const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return st && strcmp(st, sqlstate) == 0;
}

int64_t ch_pg_get_int(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

const char *ch_pg_get_text(ch_arena *a, const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col))
        return NULL;
    return ch_arena_strndup(a, PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col));
}

/* Server notices (such as "schema already exists, skipping") are not
 * for the person running charter. */
static void quiet(void *arg, const char *message)
{
    (void)arg, (void)message;
}

/* Runs one statement as a whole transaction step, for the simple writes. */
static int run_once(pg *s, const char *sql, const pg_params *p, const char *doing, PGresult **out,
                    ch_error *err)
{
    pg_conn *c = ch_pg_acquire(s);
    PGresult *res = ch_pg_run(c, sql, p, err, doing);
    ch_pg_release(c);
    if (!res || !ok(res)) {
        if (out)
            *out = res;
        else
            PQclear(res);
        return err->code ? err->code : CH_E_STORE;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return CH_OK;
}

/* ---- users and credentials ---- */

static int pg_user_insert(ch_store *base, const ch_user *u, int64_t *id, ch_error *err)
{
    static const char ins[] =
        "INSERT INTO users(email, name, role, password_hash, created_at, notify)"
        " VALUES($1, $2, $3, $4, extract(epoch from now())::bigint, coalesce($5, 'each'))"
        " RETURNING id";
    static const char svc[] = "INSERT INTO user_services(user_id, service) VALUES($1, $2)";
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (rc)
        goto out;
    pg_params p = {0};
    ch_pg_text(&p, u->email);
    ch_pg_text(&p, u->name);
    ch_pg_text(&p, ch_role_name(u->role));
    ch_pg_text(&p, u->password_hash);
    ch_pg_text(&p, u->notify);
    PGresult *res = ch_pg_run(c, ins, &p, err, "adding a user");
    if (!ok(res)) {
        rc = ch_pg_violation(res, "23505")
                 ? ch_error_set(err, CH_E_CONFLICT, "a user with email %s already exists", u->email)
                 : CH_E_STORE;
        PQclear(res);
        goto rollback;
    }
    *id = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    for (size_t i = 0; i < u->nservices; i++) {
        pg_params q = {0};
        ch_pg_int(&q, *id);
        ch_pg_text(&q, u->services[i]);
        res = ch_pg_run(c, svc, &q, err, "adding a user's services");
        bool good = ok(res);
        PQclear(res);
        if (!good) {
            rc = CH_E_STORE;
            goto rollback;
        }
    }
    rc = ch_pg_exec(c, "COMMIT", err);
    goto out;
rollback:
    ch_pg_exec(c, "ROLLBACK", &(ch_error){0});
out:
    ch_pg_release(c);
    return rc;
}

static int pg_user_get(ch_store *base, const char *email, int64_t id, ch_arena *a, ch_user *out,
                       ch_error *err)
{
    static const char by_email[] =
        "SELECT id, email, name, role, password_hash,"
        " (SELECT string_agg(service, E'\\n' ORDER BY service) FROM user_services"
        "  WHERE user_id = users.id), active, notify FROM users WHERE email = $1";
    static const char by_id[] =
        "SELECT id, email, name, role, password_hash,"
        " (SELECT string_agg(service, E'\\n' ORDER BY service) FROM user_services"
        "  WHERE user_id = users.id), active, notify FROM users WHERE id = $1";
    pg_params p = {0};
    PGresult *res = NULL;
    if (email)
        ch_pg_text(&p, email);
    else
        ch_pg_int(&p, id);
    int rc = run_once((pg *)base, email ? by_email : by_id, &p, "reading a user", &res, err);
    if (rc)
        goto out;
    if (PQntuples(res) == 0) {
        rc = ch_error_set(err, CH_E_NOTFOUND, "no such user");
        goto out;
    }
    memset(out, 0, sizeof(*out));
    out->id = ch_pg_get_int(res, 0, 0);
    out->email = ch_pg_get_text(a, res, 0, 1);
    out->name = ch_pg_get_text(a, res, 0, 2);
    if (ch_role_parse(PQgetvalue(res, 0, 3), &out->role))
        out->role = CH_ROLE_OFFICER;
    out->password_hash = ch_pg_get_text(a, res, 0, 4);
    out->inactive = ch_pg_get_int(res, 0, 6) == 0;
    out->notify = ch_pg_get_text(a, res, 0, 7);
    char *services = (char *)ch_pg_get_text(a, res, 0, 5);
    size_t n = 1;
    for (const char *q = services; q && *q; q++)
        n += *q == '\n';
    if (services && *services && (out->services = ch_arena_alloc(a, n * sizeof(char *)))) {
        for (char *q = services, *nl; q; q = nl ? nl + 1 : NULL) {
            if ((nl = strchr(q, '\n')))
                *nl = '\0';
            out->services[out->nservices++] = q;
        }
    }
out:
    PQclear(res);
    return rc;
}

static int pg_user_count(ch_store *base, int64_t *count, ch_error *err)
{
    static const char sql[] = "SELECT count(*) FROM users";
    PGresult *res = NULL;
    int rc = run_once((pg *)base, sql, NULL, "counting users", &res, err);
    if (!rc)
        *count = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    return rc;
}

static int pg_user_list(ch_store *base, ch_arena *a, ch_user **out, size_t *n, ch_error *err)
{
    static const char sql[] =
        "SELECT id, email, name, role, (SELECT string_agg(service, E'\\n' ORDER BY service)"
        " FROM user_services WHERE user_id = users.id), active, notify FROM users"
        " ORDER BY email";
    PGresult *res = NULL;
    int rc = run_once((pg *)base, sql, NULL, "listing users", &res, err);
    if (rc)
        goto out;
    int rows = PQntuples(res);
    ch_user *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    for (int i = 0; i < rows && list; i++) {
        ch_user *u = &list[i];
        memset(u, 0, sizeof(*u));
        u->id = ch_pg_get_int(res, i, 0);
        u->email = ch_pg_get_text(a, res, i, 1);
        u->name = ch_pg_get_text(a, res, i, 2);
        if (ch_role_parse(PQgetvalue(res, i, 3), &u->role))
            u->role = CH_ROLE_OFFICER;
        u->inactive = ch_pg_get_int(res, i, 5) == 0;
        u->notify = ch_pg_get_text(a, res, i, 6);
        char *services = (char *)ch_pg_get_text(a, res, i, 4);
        size_t k = 1;
        for (const char *q = services; q && *q; q++)
            k += *q == '\n';
        if (services && *services && (u->services = ch_arena_alloc(a, k * sizeof(char *)))) {
            for (char *q = services, *nl; q; q = nl ? nl + 1 : NULL) {
                if ((nl = strchr(q, '\n')))
                    *nl = '\0';
                u->services[u->nservices++] = q;
            }
        }
    }
    *out = list;
    *n = (size_t)rows;
out:
    PQclear(res);
    return rc;
}

static int pg_policy_save(ch_store *base, const char *policy_id, const char *text, ch_time now,
                          int64_t *version, ch_error *err)
{
    /* One statement: a new version only when the text differs from the
     * latest; concurrent servers saving the same text race harmlessly on
     * the primary key. */
    static const char sql[] =
        "WITH last AS (SELECT version, text FROM policies WHERE policy_id = $1"
        "  ORDER BY version DESC LIMIT 1),"
        " ins AS (INSERT INTO policies(policy_id, version, text, saved_at)"
        "  SELECT $1, coalesce((SELECT version FROM last), 0) + 1, $2, $3"
        "  WHERE NOT EXISTS (SELECT 1 FROM last WHERE text = $2)"
        "  ON CONFLICT DO NOTHING RETURNING version)"
        " SELECT coalesce((SELECT version FROM ins), (SELECT version FROM last), 0)";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_text(&p, policy_id);
    ch_pg_text(&p, text);
    ch_pg_int(&p, now);
    int rc = run_once((pg *)base, sql, &p, "saving a policy", &res, err);
    if (!rc)
        *version = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    return rc;
}

/* ---- people and organisations ---- */

static int pg_person_insert(ch_store *base, ch_person *person, ch_error *err)
{
    static const char sql[] = "INSERT INTO people(name, email, phone, date_of_birth,"
                              " organisation_id, created_at, service)"
                              " VALUES($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_text(&p, person->name);
    ch_pg_text(&p, person->email);
    ch_pg_text(&p, person->phone);
    ch_pg_text(&p, person->date_of_birth);
    ch_pg_id(&p, person->organisation_id);
    ch_pg_int(&p, person->created_at);
    ch_pg_text(&p, person->service);
    int rc = run_once((pg *)base, sql, &p, "adding a person", &res, err);
    if (rc && ch_pg_violation(res, "23503"))
        rc = ch_error_set(err, CH_E_INVALID, "there is no organisation %lld",
                          (long long)person->organisation_id);
    else if (!rc)
        person->id = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    return rc;
}

static int pg_person_get(ch_store *base, int64_t id, ch_arena *a, ch_person *out, ch_error *err)
{
    static const char sql[] = "SELECT id, name, email, phone, date_of_birth, organisation_id,"
                              " created_at, needs, merged_into, service FROM people WHERE id = $1";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, id);
    int rc = run_once((pg *)base, sql, &p, "reading a person", &res, err);
    if (!rc && PQntuples(res) == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no person %lld", (long long)id);
    if (!rc) {
        out->id = ch_pg_get_int(res, 0, 0);
        out->name = ch_pg_get_text(a, res, 0, 1);
        out->email = ch_pg_get_text(a, res, 0, 2);
        out->phone = ch_pg_get_text(a, res, 0, 3);
        out->date_of_birth = ch_pg_get_text(a, res, 0, 4);
        out->organisation_id = ch_pg_get_int(res, 0, 5);
        out->created_at = ch_pg_get_int(res, 0, 6);
        out->needs = ch_pg_get_text(a, res, 0, 7);
        out->merged_into = ch_pg_get_int(res, 0, 8);
        out->service = ch_pg_get_text(a, res, 0, 9);
    }
    PQclear(res);
    return rc;
}

static int pg_organisation_insert(ch_store *base, ch_organisation *o, ch_error *err)
{
    static const char sql[] =
        "INSERT INTO organisations(name, kind, created_at) VALUES($1, $2, $3) RETURNING id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_text(&p, o->name);
    ch_pg_text(&p, o->kind);
    ch_pg_int(&p, o->created_at);
    int rc = run_once((pg *)base, sql, &p, "adding an organisation", &res, err);
    if (rc && ch_pg_violation(res, "23505"))
        rc = ch_error_set(err, CH_E_CONFLICT, "an organisation called %s already exists", o->name);
    else if (!rc)
        o->id = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    return rc;
}

static int pg_organisation_get(ch_store *base, int64_t id, ch_arena *a, ch_organisation *out,
                               ch_error *err)
{
    static const char sql[] = "SELECT id, name, kind, created_at FROM organisations WHERE id = $1";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, id);
    int rc = run_once((pg *)base, sql, &p, "reading an organisation", &res, err);
    if (!rc && PQntuples(res) == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no organisation %lld", (long long)id);
    if (!rc) {
        out->id = ch_pg_get_int(res, 0, 0);
        out->name = ch_pg_get_text(a, res, 0, 1);
        out->kind = ch_pg_get_text(a, res, 0, 2);
        out->created_at = ch_pg_get_int(res, 0, 3);
    }
    PQclear(res);
    return rc;
}

/* ---- copying a desk in (charter migrate) ---- */

static int pg_table_count(ch_store *base, const ch_store_table *t, int64_t *count, ch_error *err)
{
    char sql[128];
    PGresult *res;
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", t->name);
    pg_conn *c = ch_pg_acquire((pg *)base);
    res = ch_pg_run_built(c, sql, NULL, err, "counting rows");
    ch_pg_release(c);
    int rc = ok(res) ? CH_OK : CH_E_STORE;
    if (!rc)
        *count = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    return rc;
}

static int pg_import_begin(ch_store *base, ch_error *err)
{
    pg *s = (pg *)base;
    int64_t users;
    const ch_store_table users_table = {"users", NULL, 0};
    int rc = pg_table_count(base, &users_table, &users, err);
    if (rc)
        return rc;
    if (users > 0)
        return ch_error_set(err, CH_E_CONFLICT,
                            "the target database already holds a desk (%lld users); migrate "
                            "into an empty one",
                            (long long)users);
    s->importing = ch_pg_acquire(s);
    /* Counting each copied case as it comes would rewrite one row of
     * case_counts a hundred times a group in one transaction, and each
     * rewrite must step over the versions before it; they are counted once
     * at the end instead. The lock is the new desk's alone. */
    if ((rc = ch_pg_exec(s->importing, "BEGIN", err)) ||
        (rc = ch_pg_exec(s->importing, "ALTER TABLE cases DISABLE TRIGGER case_counts_write",
                         err)) ||
        (rc = ch_pg_exec(s->importing, "ALTER TABLE people DISABLE TRIGGER people_counts_write",
                         err))) {
        ch_pg_release(s->importing);
        s->importing = NULL;
    }
    return rc;
}

static int pg_import_row(ch_store *base, const ch_store_table *t, const char *const *values,
                         ch_error *err)
{
    pg *s = (pg *)base;
    char sql[2048];
    size_t used = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO %s(", t->name);
    for (size_t i = 0; i < t->ncolumns; i++)
        used +=
            (size_t)snprintf(sql + used, sizeof(sql) - used, "%s%s", i ? ", " : "", t->columns[i]);
    used += (size_t)snprintf(sql + used, sizeof(sql) - used, ") VALUES(");
    for (size_t i = 0; i < t->ncolumns; i++)
        used += (size_t)snprintf(sql + used, sizeof(sql) - used, "%s$%zu", i ? ", " : "", i + 1);
    snprintf(sql + used, sizeof(sql) - used, ")");
    pg_params p = {0};
    for (size_t i = 0; i < t->ncolumns; i++)
        ch_pg_text(&p, values[i]);
    PGresult *res = ch_pg_run_built(s->importing, sql, &p, err, "copying a row");
    int rc = ok(res) ? CH_OK : CH_E_STORE;
    PQclear(res);
    return rc;
}

static int pg_import_end(ch_store *base, bool commit, ch_error *err)
{
    pg *s = (pg *)base;
    static const char *const finish[] = {
        /* The case list's counts and the search index are rebuilt from
         * what was copied. */
        "DELETE FROM case_counts",
        "INSERT INTO case_counts SELECT service, kind, status, coalesce(officer_id, 0), id % 8,"
        " count(*) FROM cases GROUP BY 1, 2, 3, 4, 5",
        "ALTER TABLE cases ENABLE TRIGGER case_counts_write",
        "UPDATE people_counts c SET n = (SELECT count(*) FROM people"
        " WHERE merged_into IS NULL AND id % 8 = c.stripe)",
        "ALTER TABLE people ENABLE TRIGGER people_counts_write",
        "INSERT INTO search(case_id, body) SELECT id, to_tsvector('simple',"
        " concat_ws(E'\n', subject, requester_name, requester_email, organisation)) FROM cases",
        "INSERT INTO search(case_id, body) SELECT case_id, to_tsvector('simple',"
        " concat_ws(E'\n', who, summary, outcome)) FROM contacts",
        /* New rows continue after the ids copied. */
        "SELECT setval(pg_get_serial_sequence(t, 'id'), greatest(m, 1), m > 0) FROM"
        " (VALUES ('users', (SELECT coalesce(max(id), 0) FROM users)),"
        " ('credentials', (SELECT coalesce(max(id), 0) FROM credentials)),"
        " ('organisations', (SELECT coalesce(max(id), 0) FROM organisations)),"
        " ('people', (SELECT coalesce(max(id), 0) FROM people)),"
        " ('cases', (SELECT coalesce(max(id), 0) FROM cases)),"
        " ('obligations', (SELECT coalesce(max(id), 0) FROM obligations)),"
        " ('contacts', (SELECT coalesce(max(id), 0) FROM contacts)),"
        " ('events', (SELECT coalesce(max(id), 0) FROM events)),"
        " ('pauses', (SELECT coalesce(max(id), 0) FROM pauses)),"
        " ('audit', (SELECT coalesce(max(id), 0) FROM audit)),"
        " ('contracts', (SELECT coalesce(max(id), 0) FROM contracts)),"
        " ('visits', (SELECT coalesce(max(id), 0) FROM visits)),"
        " ('ledger', (SELECT coalesce(max(id), 0) FROM ledger)),"
        " ('statements_sent', (SELECT coalesce(max(id), 0) FROM statements_sent)),"
        " ('relationships', (SELECT coalesce(max(id), 0) FROM relationships)),"
        " ('consents', (SELECT coalesce(max(id), 0) FROM consents)),"
        " ('attachments', (SELECT coalesce(max(id), 0) FROM attachments)),"
        " ('incidents', (SELECT coalesce(max(id), 0) FROM incidents)),"
        " ('restrictions', (SELECT coalesce(max(id), 0) FROM restrictions)),"
        " ('mail_in', (SELECT coalesce(max(id), 0) FROM mail_in)),"
        " ('outbox', (SELECT coalesce(max(id), 0) FROM outbox)),"
        " ('notifications', (SELECT coalesce(max(id), 0) FROM notifications)),"
        " ('complaint_stages', (SELECT coalesce(max(id), 0) FROM complaint_stages)),"
        " ('survey_invitations', (SELECT coalesce(max(id), 0) FROM survey_invitations)),"
        " ('survey_responses', (SELECT coalesce(max(id), 0) FROM survey_responses)),"
        " ('school_audits', (SELECT coalesce(max(id), 0) FROM school_audits)),"
        " ('legal_holds', (SELECT coalesce(max(id), 0) FROM legal_holds)),"
        " ('erasures', (SELECT coalesce(max(id), 0) FROM erasures)),"
        " ('audit_responses', (SELECT coalesce(max(id), 0) FROM audit_responses)),"
        " ('sar_exports', (SELECT coalesce(max(id), 0) FROM sar_exports)))"
        " AS seq(t, m)",
    };
    int rc = CH_OK;
    if (!s->importing)
        return ch_error_set(err, CH_E_INVALID, "no import is under way");
    for (size_t i = 0; commit && !rc && i < sizeof(finish) / sizeof(*finish); i++)
        rc = ch_pg_exec(s->importing, finish[i], err);
    if (commit && !rc)
        rc = ch_pg_exec(s->importing, "COMMIT", err);
    else
        ch_pg_exec(s->importing, "ROLLBACK", &(ch_error){0});
    ch_pg_release(s->importing);
    s->importing = NULL;
    return rc;
}

static void pg_close(ch_store *base)
{
    pg *s = (pg *)base;
    for (size_t i = 0; i < CH_PG_POOL; i++) {
        if (s->pool[i].db)
            PQfinish(s->pool[i].db);
        for (size_t k = 0; k < sizeof(s->pool[i].built) / sizeof(s->pool[i].built[0]); k++)
            free(s->pool[i].built[k]);
        pthread_mutex_destroy(&s->pool[i].mu);
    }
    free(s);
}

static const ch_store_ops postgres_ops = {
    .name = "postgres",
    .close = pg_close,
    .user_insert = pg_user_insert,
    .user_get = pg_user_get,
    .user_count = pg_user_count,
    .user_list = pg_user_list,
    .user_update = ch_pg_user_update,
    .token_insert = ch_pg_token_insert,
    .session_insert = ch_pg_session_insert,
    .credential_user = ch_pg_credential_user,
    .credential_used = ch_pg_credential_used,
    .credential_delete = ch_pg_credential_delete,
    .token_list = ch_pg_token_list,
    .token_delete = ch_pg_token_delete,
    .policy_save = pg_policy_save,
    .case_insert = ch_pg_case_insert,
    .case_get = ch_pg_case_get,
    .case_update = ch_pg_case_update,
    .queue = ch_pg_queue,
    .queue_count = ch_pg_queue_count,
    .breach_sweep = ch_pg_breach_sweep,
    .case_list = ch_pg_case_list,
    .case_count = ch_pg_case_count,
    .search = ch_pg_search,
    .people_find = ch_pg_people_find,
    .organisations_find = ch_pg_organisations_find,
    .report_rows = ch_pg_report_rows,
    .person_insert = pg_person_insert,
    .person_get = pg_person_get,
    .person_update = ch_pg_person_update,
    .people_list = ch_pg_people_list,
    .person_in = ch_pg_person_in,
    .person_merge = ch_pg_person_merge,
    .attachment_insert = ch_pg_attachment_insert,
    .attachment_list = ch_pg_attachment_list,
    .attachment_get = ch_pg_attachment_get,
    .organisation_insert = pg_organisation_insert,
    .organisation_get = pg_organisation_get,
    .cases_of = ch_pg_cases_of,
    .table_count = pg_table_count,
    .import_begin = pg_import_begin,
    .import_row = pg_import_row,
    .import_end = pg_import_end,
    .audit_insert = ch_pg_audit_insert,
    .audit_list = ch_pg_audit_list,
    .audit_finish = ch_pg_audit_finish,
    .audit_chain = ch_pg_audit_chain,
    .contract_insert = ch_pg_contract_insert,
    .contract_get = ch_pg_contract_get,
    .contract_list = ch_pg_contract_list,
    .contract_update = ch_pg_contract_update,
    .ledger_list = ch_pg_ledger_list,
    .ledger_append = ch_pg_ledger_append,
    .visit_insert = ch_pg_visit_insert,
    .visit_get = ch_pg_visit_get,
    .visit_list = ch_pg_visit_list,
    .visit_change = ch_pg_visit_change,
    .visit_notices = ch_pg_visit_notices,
    .school_token_insert = ch_pg_school_token_insert,
    .school_token_take = ch_pg_school_token_take,
    .school_token_end = ch_pg_school_token_end,
    .availability_set = ch_pg_availability_set,
    .availability_list = ch_pg_availability_list,
    .statement_sent = ch_pg_statement_sent,
    .statements_sent = ch_pg_statements_sent,
    .relationship_insert = ch_pg_relationship_insert,
    .relationship_delete = ch_pg_relationship_delete,
    .relationships = ch_pg_relationships,
    .consent_insert = ch_pg_consent_insert,
    .consent_withdraw = ch_pg_consent_withdraw,
    .consents = ch_pg_consents,
    .incident_insert = ch_pg_incident_insert,
    .incident_list = ch_pg_incident_list,
    .restriction_insert = ch_pg_restriction_insert,
    .restriction_get = ch_pg_restriction_get,
    .restriction_list = ch_pg_restriction_list,
    .restriction_change = ch_pg_restriction_change,
    .mail_in_insert = ch_pg_mail_in_insert,
    .mail_in_get = ch_pg_mail_in_get,
    .mail_in_pending = ch_pg_mail_in_pending,
    .mail_in_of_case = ch_pg_mail_in_of_case,
    .mail_thread_case = ch_pg_mail_thread_case,
    .outbox_insert = ch_pg_outbox_insert,
    .outbox_claim = ch_pg_outbox_claim,
    .outbox_result = ch_pg_outbox_result,
    .outbox_list = ch_pg_outbox_list,
    .outbox_count = ch_pg_outbox_count,
    .outbox_by_message_id = ch_pg_outbox_by_message_id,
    .notification_insert = ch_pg_notification_insert,
    .notification_list = ch_pg_notification_list,
    .notification_unread = ch_pg_notification_unread,
    .notification_read = ch_pg_notification_read,
    .notification_unemailed = ch_pg_notification_unemailed,
    .notification_emailed = ch_pg_notification_emailed,
    .due_soon = ch_pg_due_soon,
    .mail_commit = ch_pg_mail_commit,
    /* Complaints and compliments. */
    .stages = ch_pg_stages,
    .stage_change = ch_pg_stage_change,
    .case_staff = ch_pg_case_staff,
    .case_staff_set = ch_pg_case_staff_set,
    .cases_staff_named = ch_pg_cases_staff_named,
    .complaint_lines = ch_pg_complaint_lines,
    .kind_counts = ch_pg_kind_counts, /* publicpage */
    .case_themes_set = ch_pg_case_themes_set,
    .case_themes = ch_pg_case_themes,
    .theme_rows = ch_pg_theme_rows,
    .report_rows_by = ch_pg_report_rows_by,
    .survey_candidates = ch_pg_survey_candidates,
    .survey_invite = ch_pg_survey_invite,
    .survey_find = ch_pg_survey_find,
    .survey_answer = ch_pg_survey_answer,
    .survey_invitations = ch_pg_survey_invitations,
    .survey_responses = ch_pg_survey_responses,
    .school_audit_insert = ch_pg_school_audit_insert,
    .school_audit_get = ch_pg_school_audit_get,
    .school_audit_by_code = ch_pg_school_audit_by_code,
    .school_audit_dates = ch_pg_school_audit_dates,
    .school_audit_list = ch_pg_school_audit_list,
    .audit_response_insert = ch_pg_audit_response_insert,
    .audit_responses = ch_pg_audit_responses,
    .sar_release = ch_pg_sar_release,
    .sar_exports = ch_pg_sar_exports,
    .sar_audit = ch_pg_sar_audit,
    .sar_others = ch_pg_sar_others,
    .hold_place = ch_pg_hold_place,
    .hold_release = ch_pg_hold_release,
    .hold_get = ch_pg_hold_get,
    .retention_apply = ch_pg_retention_apply,
    .audit_purge = ch_pg_audit_purge,
    .person_erase = ch_pg_person_erase,
    .person_erased = ch_pg_person_erased,
    .audit_query = ch_pg_audit_query,
    .people_services = ch_pg_people_services,
};

/* Migrations under an advisory lock, so servers starting together take
 * turns and each version is applied once. */
static int migrate(pg_conn *c, ch_error *err)
{
    int rc = ch_pg_exec(c, "SELECT pg_advisory_lock(7411)", err);
    if (rc)
        return rc;
    rc = ch_pg_exec(c, "CREATE TABLE IF NOT EXISTS schema_version(version integer NOT NULL)", err);
    PGresult *res =
        rc ? NULL : PQexec(c->db, "SELECT coalesce(max(version), 0) FROM schema_version");
    int64_t have = res && ok(res) ? ch_pg_get_int(res, 0, 0) : -1;
    PQclear(res);
    int64_t want = (int64_t)(sizeof(ch_pg_migrations) / sizeof(*ch_pg_migrations));
    if (!rc && have < 0)
        rc = ch_error_set(err, CH_E_STORE, "cannot read the schema version: %.200s",
                          PQerrorMessage(c->db));
    if (!rc && have > want)
        rc = ch_error_set(err, CH_E_STORE,
                          "the database is at schema version %lld, newer than this charter "
                          "(%lld); upgrade charter",
                          (long long)have, (long long)want);
    for (int64_t v = have + 1; !rc && v <= want; v++) {
        char sql[64];
        snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES(%lld)", (long long)v);
        if ((rc = ch_pg_exec(c, "BEGIN", err)) == CH_OK &&
            (rc = ch_pg_exec(c, ch_pg_migrations[v - 1], err)) == CH_OK &&
            (rc = ch_pg_exec(c, sql, err)) == CH_OK)
            rc = ch_pg_exec(c, "COMMIT", err);
        if (rc)
            ch_pg_exec(c, "ROLLBACK", &(ch_error){0});
    }
    ch_pg_exec(c, "SELECT pg_advisory_unlock(7411)", &(ch_error){0});
    return rc;
}

/* Takes a parameter of ours ("schema=NAME", "pool=N") out of the URL's
 * query, since libpq does not know them; *value is empty when absent. */
static int take_param(char *conninfo, const char *name, char *value, size_t vsize, ch_error *err)
{
    size_t klen = strlen(name);
    value[0] = '\0';
    char *q = strchr(conninfo, '?');
    for (char *at = q; at && (at = strstr(at, name));) {
        if ((at[-1] != '?' && at[-1] != '&') || at[klen] != '=') {
            at += klen;
            continue;
        }
        char *v = at + klen + 1, *end = strchr(v, '&');
        size_t n = end ? (size_t)(end - v) : strlen(v);
        if (n == 0 || n >= vsize)
            return ch_error_set(err, CH_E_INVALID, "%s in the database URL is empty or too long",
                                name);
        memcpy(value, v, n);
        value[n] = '\0';
        if (end)
            memmove(at, end + 1, strlen(end + 1) + 1);
        else
            at[-1] = '\0';
        return CH_OK;
    }
    return CH_OK;
}

static int parse_url(const char *url, char *conninfo, size_t size, char *schema, size_t ssize,
                     size_t *pool, ch_error *err)
{
    char count[16];
    int rc;
    snprintf(conninfo, size, "%s", url);
    if ((rc = take_param(conninfo, "schema", schema, ssize, err)) ||
        (rc = take_param(conninfo, "pool", count, sizeof(count), err)))
        return rc;
    for (size_t i = 0; schema[i]; i++)
        if (!islower((unsigned char)schema[i]) && !isdigit((unsigned char)schema[i]) &&
            schema[i] != '_')
            return ch_error_set(err, CH_E_INVALID,
                                "schema '%s' must be lower-case letters, digits or _", schema);
    if (*count) {
        char *end;
        long n = strtol(count, &end, 10);
        if (*end || n < 1 || n > CH_PG_POOL)
            return ch_error_set(err, CH_E_INVALID, "pool in the database URL must be 1 to %d",
                                CH_PG_POOL);
        *pool = (size_t)n;
    }
    return CH_OK;
}

int ch_store_postgres_open(ch_store **out, const char *url, ch_error *err)
{
    char conninfo[1024], schema[48], sql[160];
    int rc;
    pg *s = calloc(1, sizeof(*s));
    if (!s)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    s->base.ops = &postgres_ops;
    for (size_t i = 0; i < CH_PG_POOL; i++)
        pthread_mutex_init(&s->pool[i].mu, NULL);
    size_t size = 16;
    if ((rc = parse_url(url, conninfo, sizeof(conninfo), schema, sizeof(schema), &size, err)))
        goto fail;
    /* Reconnecting (revive) holds a request's thread: towards a host that
     * has gone, give up in seconds rather than TCP's minutes. */
    if (!strstr(conninfo, "connect_timeout=")) {
        size_t used = strlen(conninfo);
        snprintf(conninfo + used, sizeof(conninfo) - used, "%sconnect_timeout=5",
                 strchr(conninfo, '?') ? "&" : "?");
    }
    snprintf(s->conninfo, sizeof(s->conninfo), "%s", conninfo);
    snprintf(s->schema, sizeof(s->schema), "%s", schema);
    for (size_t i = 0; i < size; i++) {
        pg_conn *c = &s->pool[i];
        c->db = PQconnectdb(conninfo);
        if (PQstatus(c->db) != CONNECTION_OK) {
            rc = ch_error_set(err, CH_E_STORE, "cannot connect to PostgreSQL: %.300s",
                              PQerrorMessage(c->db));
            goto fail;
        }
        s->npool++;
        PQsetNoticeProcessor(c->db, quiet, NULL);
        if (*schema) {
            snprintf(sql, sizeof(sql), "CREATE SCHEMA IF NOT EXISTS %s; SET search_path TO %s",
                     schema, schema);
            if (i == 0 && (rc = ch_pg_exec(c, "SELECT pg_advisory_lock(7410)", err)))
                goto fail;
            rc = ch_pg_exec(c, sql, err);
            if (i == 0)
                ch_pg_exec(c, "SELECT pg_advisory_unlock(7410)", &(ch_error){0});
            if (rc)
                goto fail;
        }
        if (i == 0 && (rc = migrate(c, err)))
            goto fail;
    }
    *out = &s->base;
    return CH_OK;
fail:
    pg_close(&s->base);
    return rc;
}
