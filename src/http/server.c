/* The HTTP server: libmicrohttpd accepts connections on its own threads;
 * each request gets an arena, a bounded body buffer and one route. */
#include "http/desk.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/timefmt.h"

extern const char ch_openapi_yaml[];
extern const size_t ch_openapi_yaml_len;

static enum MHD_Result queue(ch_req *r, unsigned status, const char *type, const char *data,
                             size_t len, const char *etag)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (etag)
        MHD_add_response_header(resp, "ETag", etag);
    enum MHD_Result ok = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return ok;
}

enum MHD_Result ch_http_bytes(ch_req *r, unsigned status, const char *type, const char *data,
                              size_t len)
{
    return queue(r, status, type, data, len, NULL);
}

enum MHD_Result ch_http_json(ch_req *r, unsigned status, json_t *body, const char *etag)
{
    char *s = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!s)
        return MHD_NO;
    enum MHD_Result ok = queue(r, status, "application/json", s, strlen(s), etag);
    free(s);
    return ok;
}

enum MHD_Result ch_http_problem(ch_req *r, unsigned status, const char *title, const char *detail,
                                json_t *fields)
{
    json_t *p = json_object();
    char type[64];
    snprintf(type, sizeof(type), "/problems/%u", status);
    json_object_set_new(p, "type", json_string(type));
    json_object_set_new(p, "title", json_string(title));
    json_object_set_new(p, "status", json_integer(status));
    /* Sentences from lower layers start in lower case; a person reads a
     * capital letter first. */
    char sentence[1024];
    snprintf(sentence, sizeof(sentence), "%s", detail);
    if (sentence[0] >= 'a' && sentence[0] <= 'z')
        sentence[0] = (char)(sentence[0] - 'a' + 'A');
    json_object_set_new(p, "detail", json_string(sentence));
    if (fields)
        json_object_set_new(p, "fields", fields);
    char *s = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    if (!s)
        return MHD_NO;
    enum MHD_Result ok = queue(r, status, "application/problem+json", s, strlen(s), NULL);
    free(s);
    return ok;
}

enum MHD_Result ch_http_error(ch_req *r, const ch_error *err)
{
    switch (err->code) {
    case CH_E_NOTFOUND:
        return ch_http_problem(r, 404, "Not found", err->msg, NULL);
    case CH_E_CONFLICT:
        return ch_http_problem(r, 409, "Changed by someone else", err->msg, NULL);
    case CH_E_INVALID:
        return ch_http_problem(r, 400, "The request is not valid", err->msg, NULL);
    case CH_E_HORIZON:
        return ch_http_problem(r, 422, "Outside the calendar", err->msg, NULL);
    default:
        fprintf(stderr, "charter serve: %s %s: %s\n", r->method, r->url, err->msg);
        return ch_http_problem(r, 500, "Something went wrong on our side",
                               "The desk could not finish this request; nothing was changed. "
                               "Try again, and tell your administrator if it keeps happening.",
                               NULL);
    }
}

json_t *ch_json_time(ch_time t)
{
    char buf[32];
    if (!t)
        return json_null();
    ch_time_format_utc(t, buf, sizeof(buf));
    return json_string(buf);
}

unsigned ch_desk_threads(void)
{
    /* A write waits for its commit while holding its thread, so more
     * threads than cores let more writes share each group commit (measured:
     * 16 threads on 2 cores gave 5,500 creations a second, 4 gave 3,900). */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = cores > 0 ? (unsigned)cores * 8 : 16;
    return n < 4 ? 4 : n > 64 ? 64 : n;
}

int ch_desk_service_find(const ch_desk *d, const char *name, ch_desk_service *out, ch_error *err)
{
    const char *slash = strchr(name, '/');
    int found = 0;
    for (size_t i = 0; i < d->npolicies; i++) {
        const ch_policy *p = d->policies[i].policy;
        if (slash && (strlen(p->id) != (size_t)(slash - name) ||
                      strncmp(p->id, name, (size_t)(slash - name)) != 0))
            continue;
        const ch_service *svc = ch_policy_service(p, slash ? slash + 1 : name);
        if (!svc)
            continue;
        if (found++)
            return ch_error_set(err, CH_E_INVALID,
                                "service '%.64s' exists in more than one policy; name it as "
                                "POLICY/SERVICE, e.g. %s/%s",
                                name, p->id, svc->id);
        out->policy = p;
        out->service = svc;
        snprintf(out->name, sizeof(out->name), "%s/%s", p->id, svc->id);
    }
    if (!found)
        return ch_error_set(err, CH_E_NOTFOUND,
                            "there is no service '%.64s'; GET /api/v1/services lists them", name);
    return CH_OK;
}

bool ch_desk_can_see(const ch_req *r, const char *service)
{
    if (r->user.role == CH_ROLE_ADMIN)
        return true;
    for (size_t i = 0; i < r->user.nservices; i++)
        if (strcmp(r->user.services[i], service) == 0)
            return true;
    return false;
}

int ch_desk_audit(ch_req *r, const char *action, const char *object, int64_t object_id)
{
    ch_error err;
    ch_audit_row row = {0, r->now, r->user.id, action, object, object_id, r->remote};
    int rc = ch_store_audit_insert(r->desk->store, &row, &err);
    if (rc)
        fprintf(stderr, "charter serve: audit log: %s\n", err.msg);
    return rc;
}

/* Matches "/api/v1/cases/123" style paths: prefix, then a positive id,
 * then rest (which must match exactly). */
static bool route_id(const char *url, const char *prefix, const char *rest, int64_t *id)
{
    size_t n = strlen(prefix);
    if (strncmp(url, prefix, n) != 0)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(url + n, &end, 10);
    if (end == url + n || errno || v <= 0 || url[n] == '+' || url[n] == '-')
        return false;
    if (strcmp(end, rest) != 0)
        return false;
    *id = v;
    return true;
}

static enum MHD_Result dispatch(ch_req *r);

static enum MHD_Result not_found(ch_req *r)
{
    return ch_http_problem(r, 404, "Not found",
                           "There is no such endpoint; see /api/v1/openapi.yaml for the API.",
                           NULL);
}

/* Purchased hours: contracts, visits, statements and capacity. */
static enum MHD_Result dispatch_hours(ch_req *r)
{
    const char *u = r->url, *m = r->method;
    int64_t id;
    bool get = strcmp(m, "GET") == 0, post = strcmp(m, "POST") == 0;
    if (strcmp(u, "/api/v1/contracts") == 0 && post)
        return ch_http_contracts_create(r);
    if (strcmp(u, "/api/v1/contracts") == 0 && get)
        return ch_http_contracts_list(r);
    if (route_id(u, "/api/v1/contracts/", "", &id) && get)
        return ch_http_contract_get(r, id);
    if (route_id(u, "/api/v1/contracts/", "", &id) && strcmp(m, "PATCH") == 0)
        return ch_http_contract_patch(r, id);
    if (route_id(u, "/api/v1/contracts/", "/entries", &id) && post)
        return ch_http_entries_create(r, id);
    if (route_id(u, "/api/v1/contracts/", "/visits", &id) && post)
        return ch_http_visits_create(r, id);
    if (route_id(u, "/api/v1/contracts/", "/statement", &id) && get)
        return ch_http_statement(r, id);
    if (route_id(u, "/api/v1/contracts/", "/statement/sent", &id) && post)
        return ch_http_statement_sent(r, id);
    if (route_id(u, "/api/v1/contracts/", "/statement/send", &id) && post)
        return ch_http_statement_send(r, id);
    if (route_id(u, "/api/v1/contracts/", "/year-end", &id) && (get || post))
        return ch_http_year_end(r, id, post);
    if (strcmp(u, "/api/v1/visits") == 0 && get)
        return ch_http_visits_list(r);
    if (route_id(u, "/api/v1/visits/", "", &id) && get)
        return ch_http_visit_get(r, id);
    if (route_id(u, "/api/v1/visits/", "", &id) && strcmp(m, "PATCH") == 0)
        return ch_http_visit_patch(r, id);
    if (strcmp(u, "/api/v1/capacity") == 0 && get)
        return ch_http_capacity(r);
    if (strcmp(u, "/api/v1/year-end") == 0 && get)
        return ch_http_year_end_report(r);
    if (strcmp(u, "/api/v1/statements") == 0 && get)
        return ch_http_statements_due(r);
    if (strcmp(u, "/api/v1/statements/send") == 0 && post)
        return ch_http_statements_send(r);
    return not_found(r);
}

/* Every request reads the policies under the read lock, so a reload never
 * frees a policy a handler is using. */
static enum MHD_Result route(ch_req *r)
{
    pthread_rwlock_rdlock(&r->desk->policies_lock);
    enum MHD_Result res = dispatch(r);
    pthread_rwlock_unlock(&r->desk->policies_lock);
    return res;
}

static enum MHD_Result dispatch(ch_req *r)
{
    const char *u = r->url, *m = r->method;
    int64_t id;
    enum MHD_Result res;
    bool get = strcmp(m, "GET") == 0, post = strcmp(m, "POST") == 0;
    if (strcmp(u, "/healthz") == 0 && get)
        return ch_http_bytes(r, 200, "text/plain", "ok\n", 3);
    if (strcmp(u, "/api/v1/openapi.yaml") == 0 && get)
        return ch_http_bytes(r, 200, "application/yaml", ch_openapi_yaml, ch_openapi_yaml_len);
    if (strcmp(u, "/") == 0 && get) {
        /* The desk lives under /app/. */
        struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(resp, "Location", "/app/");
        enum MHD_Result ok = MHD_queue_response(r->conn, 302, resp);
        MHD_destroy_response(resp);
        return ok;
    }
    if (strncmp(u, "/app/", 5) == 0 && get)
        return ch_http_static(r, u + 5);
    if (strcmp(u, "/api/v1/session") == 0 && post)
        return ch_http_session(r);
    if (strncmp(u, "/public/", 8) == 0)
        return ch_http_public(r, u + 8);
    if (strncmp(u, "/api/", 5) != 0)
        return ch_http_problem(r, 404, "Not found", "There is nothing at this address.", NULL);
    if (!ch_http_authenticate(r, &res))
        return res;
    if (strcmp(u, "/api/v1/session") == 0 && get)
        return ch_http_session_get(r);
    if (strcmp(u, "/api/v1/cases") == 0 && post)
        return ch_http_cases_create(r);
    if (strcmp(u, "/api/v1/cases") == 0 && get)
        return ch_http_case_list(r);
    if (route_id(u, "/api/v1/cases/", "", &id) && get)
        return ch_http_case_get(r, id);
    if (route_id(u, "/api/v1/cases/", "", &id) && strcmp(m, "PATCH") == 0)
        return ch_http_case_patch(r, id);
    if (route_id(u, "/api/v1/cases/", "/contacts", &id) && post)
        return ch_http_contacts_create(r, id);
    if (strncmp(u, "/api/v1/queues/", 15) == 0 && get)
        return ch_http_queue(r, u + 15);
    if (strcmp(u, "/api/v1/services") == 0 && get)
        return ch_http_services(r);
    if (strcmp(u, "/api/v1/audit") == 0 && get)
        return ch_http_audit(r);
    if (strcmp(u, "/api/v1/search") == 0 && get)
        return ch_http_search(r);
    if (strcmp(u, "/api/v1/policies") == 0 && get)
        return ch_http_policies(r);
    if (strcmp(u, "/api/v1/users") == 0 && get)
        return ch_http_users_list(r);
    if (strcmp(u, "/api/v1/users") == 0 && post)
        return ch_http_users_create(r);
    if (strcmp(u, "/api/v1/tokens") == 0 && post)
        return ch_http_tokens_create(r);
    if (strcmp(u, "/api/v1/policies/check") == 0 && post)
        return ch_http_policies_post(r, false);
    if (strcmp(u, "/api/v1/policies") == 0 && post)
        return ch_http_policies_post(r, true);
    if (strcmp(u, "/api/v1/people") == 0 && post)
        return ch_http_people_create(r);
    if (route_id(u, "/api/v1/people/", "", &id) && get)
        return ch_http_person_get(r, id);
    if (strcmp(u, "/api/v1/organisations") == 0 && post)
        return ch_http_organisations_create(r);
    if (route_id(u, "/api/v1/organisations/", "", &id) && get)
        return ch_http_organisation_get(r, id);
    if (strcmp(u, "/api/v1/reports/compliance") == 0 && get)
        return ch_http_report(r);
    if (strncmp(u, "/api/v1/contracts", 17) == 0 || strncmp(u, "/api/v1/visits", 14) == 0 ||
        strcmp(u, "/api/v1/capacity") == 0 || strncmp(u, "/api/v1/statements", 18) == 0 ||
        strcmp(u, "/api/v1/year-end") == 0)
        return dispatch_hours(r);
    return not_found(r);
}

static void remote_of(struct MHD_Connection *c, char *buf, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(buf, size, "unknown");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
                  (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf,
                  (socklen_t)size);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **state)
{
    ch_desk *d = cls;
    ch_req *r = *state;
    (void)version;
    if (!r) {
        r = calloc(1, sizeof(*r));
        if (!r)
            return MHD_NO;
        r->desk = d;
        r->conn = conn;
        r->method = method;
        r->url = url;
        r->now = (ch_time)time(NULL);
        remote_of(conn, r->remote, sizeof(r->remote));
        *state = r;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->too_big || r->len + n > d->body_limit) {
            r->too_big = true; /* keep reading, answer 413 at the end */
            return MHD_YES;
        }
        if (r->len + n + 1 > r->cap) {
            size_t cap = r->cap ? r->cap : 4096;
            while (cap < r->len + n + 1)
                cap *= 2;
            char *p = realloc(r->body, cap);
            if (!p)
                return MHD_NO;
            r->body = p;
            r->cap = cap;
        }
        memcpy(r->body + r->len, upload_data, n);
        r->len += n;
        r->body[r->len] = '\0';
        return MHD_YES;
    }
    if (r->too_big) {
        char detail[160];
        snprintf(detail, sizeof(detail),
                 "The request body is over the limit of %zu bytes; send less at a time.",
                 d->body_limit);
        return ch_http_problem(r, 413, "Request too large", detail, NULL);
    }
    return route(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
                         enum MHD_RequestTerminationCode code)
{
    ch_req *r = *state;
    (void)cls, (void)conn, (void)code;
    if (!r)
        return;
    ch_arena_free(&r->arena);
    free(r->body);
    free(r);
    *state = NULL;
}

/* The breach sweep: every sweep_seconds, obligations past due and not kept
 * become breached, until the server stops. */
typedef struct sweeper {
    ch_desk *desk;
    pthread_mutex_t mu;
    pthread_cond_t stop_cond;
    bool stop;
} sweeper;

static void *sweep_main(void *arg)
{
    sweeper *sw = arg;
    pthread_mutex_lock(&sw->mu);
    while (!sw->stop) {
        ch_error err;
        int64_t count = 0;
        pthread_mutex_unlock(&sw->mu);
        if (ch_store_breach_sweep(sw->desk->store, (ch_time)time(NULL), &count, &err))
            fprintf(stderr, "charter serve: breach sweep: %s\n", err.msg);
        pthread_mutex_lock(&sw->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += sw->desk->sweep_seconds;
        while (!sw->stop && pthread_cond_timedwait(&sw->stop_cond, &sw->mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&sw->mu);
    return NULL;
}

/* SIGHUP: load the policy files again; swap them in only if all are valid. */
static void reload(ch_desk *d)
{
    ch_desk_policy *fresh = NULL, *old;
    size_t n = 0, nold;
    if (!d->reload || d->reload(d, &fresh, &n)) {
        fprintf(stderr, "charter serve: the policies were not reloaded; the ones in use stay\n");
        return;
    }
    pthread_rwlock_wrlock(&d->policies_lock);
    old = d->policies;
    nold = d->npolicies;
    d->policies = fresh;
    d->npolicies = n;
    pthread_rwlock_unlock(&d->policies_lock);
    d->release(old, nold);
    printf("charter serve: reloaded %zu policies\n", n);
    fflush(stdout);
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, fp) : 0;
    fclose(fp);
    if (buf)
        buf[n] = '\0';
    return buf;
}

int ch_desk_serve(ch_desk *d, const char *listen, const char *tls_cert, const char *tls_key,
                  ch_error *err)
{
    char host[64];
    unsigned port;
    struct sockaddr_in addr = {0};
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof(host) ||
        sscanf(colon + 1, "%5u", &port) != 1 || port > 65535)
        return ch_error_set(err, CH_E_INVALID,
                            "--listen '%s' must be ADDRESS:PORT, e.g. "
                            "127.0.0.1:8080",
                            listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
        return ch_error_set(err, CH_E_INVALID, "--listen: '%s' is not an IPv4 address", host);
    char *cert = NULL, *key = NULL;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (tls_cert || tls_key) {
        if (!tls_cert || !tls_key)
            return ch_error_set(err, CH_E_INVALID, "give both --tls-cert and --tls-key");
        cert = slurp(tls_cert);
        key = slurp(tls_key);
        if (!cert || !key) {
            free(cert);
            free(key);
            return ch_error_set(err, CH_E_IO, "cannot read the TLS certificate or key");
        }
        flags |= MHD_USE_TLS;
        d->tls = true;
    }
    /* Signals go to the thread that waits for them, never to a server
     * thread, so the mask is set before any thread starts. */
    sigset_t set;
    int sig;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    unsigned threads = d->threads ? d->threads : ch_desk_threads();
    struct MHD_Daemon *daemon =
        tls_cert
            ? MHD_start_daemon(flags, 0, NULL, NULL, on_request, d, MHD_OPTION_SOCK_ADDR, &addr,
                               MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED,
                               on_completed, d, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                               MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
                               MHD_OPTION_END)
            : MHD_start_daemon(flags, 0, NULL, NULL, on_request, d, MHD_OPTION_SOCK_ADDR, &addr,
                               MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED,
                               on_completed, d, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (!daemon) {
        free(cert);
        free(key);
        return ch_error_set(err, CH_E_IO,
                            "cannot listen on %s: the port may be in use or the address not "
                            "this machine's",
                            listen);
    }
    /* Port 0 lets the system choose (the tests do): say which it chose. */
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    printf("Charter is listening on %s://%s:%u/\n", d->tls ? "https" : "http", host,
           info ? (unsigned)info->port : port);
    fflush(stdout);
    sweeper sw = {d, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
    pthread_t sweep_thread;
    bool sweeping = pthread_create(&sweep_thread, NULL, sweep_main, &sw) == 0;
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
        reload(d);
    MHD_stop_daemon(daemon);
    if (sweeping) {
        pthread_mutex_lock(&sw.mu);
        sw.stop = true;
        pthread_cond_signal(&sw.stop_cond);
        pthread_mutex_unlock(&sw.mu);
        pthread_join(sweep_thread, NULL);
    }
    free(cert);
    free(key);
    return CH_OK;
}
