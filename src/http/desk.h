/* The case desk served over HTTP: the shared state every request handler
 * sees (the store, the loaded policies, limits), the per-request context
 * with its arena, and the response helpers. HTTP statuses are chosen here
 * and nowhere else. */
#ifndef CH_DESK_H
#define CH_DESK_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>

#include "core/policy.h"
#include "store/store.h"

typedef struct ch_desk_policy {
    ch_policy *policy;
    char *path;
    int64_t version; /* in the store's policy history */
} ch_desk_policy;

enum { CH_RATE_SLOTS = 256 };

/* Counts events by remote address over a window, in a fixed table (the
 * oldest address gives way), so a flood costs no memory. */
typedef struct ch_rate {
    pthread_mutex_t mu;
    struct {
        char remote[64];
        ch_time window;
        int count;
    } slots[CH_RATE_SLOTS];
} ch_rate;

/* Counts one event from remote when count is set; returns whether remote
 * has reached max events in the last window seconds. */
bool ch_rate_hit(ch_rate *rate, const char *remote, ch_time now, int window, int max, bool count);

typedef struct ch_desk {
    ch_store *store;
    /* Requests read the policies under this lock; a reload (SIGHUP) swaps
     * them under its write side. */
    pthread_rwlock_t policies_lock;
    /* Loads the policy files again into *out (n of them), or fails after
     * printing why; the server keeps the old ones on failure. */
    int (*reload)(struct ch_desk *d, ch_desk_policy **out, size_t *n);
    /* Frees what reload returned. */
    void (*release)(ch_desk_policy *p, size_t n);
    ch_desk_policy *policies;
    size_t npolicies;
    bool tls;
    size_t body_limit;
    unsigned sweep_seconds; /* how often past-due obligations are marked breached */
    unsigned threads;       /* request threads; a PostgreSQL pool is sized to match */
    const char *web_dir;    /* the built browser files served under /app/ */
    ch_rate logins;         /* failed sign-ins by address */
    ch_rate publics;        /* public form posts by address */
    const char *smtp_url;   /* where mail goes (smtp://host:port), NULL for no mail */
    const char *mail_from;  /* the address the desk's mail comes from */
} ch_desk;

/* A service named "policy/service" on the desk. */
typedef struct ch_desk_service {
    const ch_policy *policy;
    const ch_service *service;
    char name[140];
} ch_desk_service;

/* Finds a service by full name, or by bare id when exactly one policy has
 * it. CH_E_NOTFOUND or CH_E_INVALID (ambiguous) with a sentence. */
int ch_desk_service_find(const ch_desk *d, const char *name, ch_desk_service *out, ch_error *err);

typedef struct ch_req {
    ch_desk *desk;
    struct MHD_Connection *conn;
    const char *method, *url;
    char *body;
    size_t len, cap;
    bool too_big;
    ch_arena arena; /* everything the request allocates; freed when it ends */
    char remote[64];
    ch_time now;
    bool authed, via_cookie;
    ch_user user;
    const char *csrf;
} ch_req;

/* Queues a JSON response (takes the reference to body). */
enum MHD_Result ch_http_json(ch_req *r, unsigned status, json_t *body, const char *etag);

/* Queues an RFC 9457 problem: title and detail are sentences for a person;
 * fields (may be NULL) names the request fields at fault (reference taken). */
enum MHD_Result ch_http_problem(ch_req *r, unsigned status, const char *title, const char *detail,
                                json_t *fields);

/* Queues a plain response from static bytes. */
enum MHD_Result ch_http_bytes(ch_req *r, unsigned status, const char *type, const char *data,
                              size_t len);

/* The error's status: 404 for CH_E_NOTFOUND, 409 for CH_E_CONFLICT, 400 for
 * CH_E_INVALID, 422 past the horizon, 500 otherwise, with err's sentence. */
enum MHD_Result ch_http_error(ch_req *r, const ch_error *err);

/* Whether the signed-in user may see a service's cases. */
bool ch_desk_can_see(const ch_req *r, const char *service);

/* Appends one audit line for the signed-in user; failures are logged to
 * stderr and fail the request (an unaudited read must not be served). */
int ch_desk_audit(ch_req *r, const char *action, const char *object, int64_t object_id);

/* Instant as RFC 3339 UTC JSON string, or null for 0. */
json_t *ch_json_time(ch_time t);

/* Handlers, one file per resource. Each returns after queuing a response. */
enum MHD_Result ch_http_session(ch_req *r);
enum MHD_Result ch_http_cases_create(ch_req *r);
enum MHD_Result ch_http_case_get(ch_req *r, int64_t id);
enum MHD_Result ch_http_contacts_create(ch_req *r, int64_t id);
enum MHD_Result ch_http_case_patch(ch_req *r, int64_t id);
enum MHD_Result ch_http_queue(ch_req *r, const char *name);
enum MHD_Result ch_http_services(ch_req *r);
enum MHD_Result ch_http_audit(ch_req *r);
enum MHD_Result ch_http_search(ch_req *r);
enum MHD_Result ch_http_case_list(ch_req *r);
enum MHD_Result ch_http_users_list(ch_req *r);
enum MHD_Result ch_http_users_create(ch_req *r);
enum MHD_Result ch_http_tokens_create(ch_req *r);
enum MHD_Result ch_http_policies(ch_req *r);
/* POST /api/v1/policies/check (load false) and POST /api/v1/policies. */
enum MHD_Result ch_http_policies_post(ch_req *r, bool load);
/* The browser files under /app/ (name is what follows it), and who the
 * current session belongs to. */
enum MHD_Result ch_http_static(ch_req *r, const char *name);
enum MHD_Result ch_http_session_get(ch_req *r);
/* The public pages under /public/ (rest is what follows it). */
enum MHD_Result ch_http_public(ch_req *r, const char *rest);
enum MHD_Result ch_http_people_create(ch_req *r);
enum MHD_Result ch_http_person_get(ch_req *r, int64_t id);
enum MHD_Result ch_http_organisations_create(ch_req *r);
enum MHD_Result ch_http_organisation_get(ch_req *r, int64_t id);
enum MHD_Result ch_http_report(ch_req *r);
/* Purchased hours: contracts, their ledger, visits, statements. */
enum MHD_Result ch_http_contracts_create(ch_req *r);
enum MHD_Result ch_http_contracts_list(ch_req *r);
enum MHD_Result ch_http_contract_get(ch_req *r, int64_t id);
enum MHD_Result ch_http_contract_patch(ch_req *r, int64_t id);
enum MHD_Result ch_http_entries_create(ch_req *r, int64_t id);
/* GET (confirm false) and POST (confirm true) of a contract's year end. */
enum MHD_Result ch_http_year_end(ch_req *r, int64_t id, bool confirm);
enum MHD_Result ch_http_statement(ch_req *r, int64_t id);
enum MHD_Result ch_http_visits_create(ch_req *r, int64_t contract_id);
enum MHD_Result ch_http_visits_list(ch_req *r);
enum MHD_Result ch_http_visit_get(ch_req *r, int64_t id);
enum MHD_Result ch_http_visit_patch(ch_req *r, int64_t id);
enum MHD_Result ch_http_capacity(ch_req *r);
enum MHD_Result ch_http_year_end_report(ch_req *r);
enum MHD_Result ch_http_statement_sent(ch_req *r, int64_t contract_id);
enum MHD_Result ch_http_statement_send(ch_req *r, int64_t contract_id);
enum MHD_Result ch_http_statements_send(ch_req *r);
enum MHD_Result ch_http_statements_due(ch_req *r);

/* Resolves the credential on the request (cookie or bearer token); returns
 * false after queuing 401 (or 403 for a missing CSRF token). */
bool ch_http_authenticate(ch_req *r, enum MHD_Result *result);

/* How many request threads the server runs by default. */
unsigned ch_desk_threads(void);

/* Runs the server until SIGINT or SIGTERM. */
int ch_desk_serve(ch_desk *d, const char *listen, const char *tls_cert, const char *tls_key,
                  ch_error *err);

#endif
