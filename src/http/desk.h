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
        char remote[300]; /* an address, or "email:" and an account's address */
        ch_time window;
        int count;
    } slots[CH_RATE_SLOTS];
} ch_rate;

/* Counts one event from remote when count is set; returns whether remote
 * has reached max events in the last window seconds. */
bool ch_rate_hit(ch_rate *rate, const char *remote, ch_time now, int window, int max, bool count);

/* Takes one of max events for key in the window, atomically: false, and
 * nothing taken, when all are used. Many requests at once cannot all pass
 * a check made before any of them counts. */
bool ch_rate_take(ch_rate *rate, const char *key, ch_time now, int window, int max);
/* Gives back one taken for key (a sign-in that succeeded). */
void ch_rate_give(ch_rate *rate, const char *key);

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
    /* Where POST /api/v1/policies writes a charter whose id is new: a
     * folder the reload reads (created when missing). */
    char policy_dir[1024];
    bool tls;
    size_t body_limit;
    unsigned sweep_seconds; /* how often past-due obligations are marked breached */
    unsigned threads;       /* request threads; a PostgreSQL pool is sized to match */
    const char *web_dir;    /* the built browser files served under /app/ */
    ch_rate logins;         /* failed sign-ins by address */
    ch_rate login_accounts; /* failed sign-ins by account */
    ch_rate publics;        /* public form posts by address */
    const char *smtp_url;   /* where mail goes (smtp://host:port), NULL for no mail */
    const char *mail_from;  /* the address the desk's mail comes from */
    /* Where people reach the desk, for links in mail ("https://desk.example");
     * the address it listens on when serve is not told. */
    char site[200];
    /* Proxies whose X-Forwarded-For names the client (serve
     * --trusted-proxy); from anyone else the header is ignored. */
    char trusted_proxies[8][64];
    size_t ntrusted;
    const char *smtp_ca;     /* the CA file that checks the relay, NULL for the system's */
    bool smtp_starttls;      /* the smtp:// relay offers STARTTLS (--smtp-starttls) */
    unsigned outbox_seconds; /* how often the outbox worker looks for mail to send */
    unsigned retry_seconds;  /* the outbox's first wait after a failed attempt */
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

/* The loaded policy whose id is the len bytes at id (a path segment, not
 * NUL-terminated), or NULL; borrowed until the next reload. */
const ch_policy *ch_desk_policy_named(const ch_desk *d, const char *id, size_t len);

typedef struct ch_req {
    ch_desk *desk;
    struct MHD_Connection *conn;
    const char *method, *url;
    char *body;
    size_t len, cap;
    bool too_big;
    bool upload;    /* a file upload, held to CH_ATTACHMENT_MAX rather than body_limit */
    ch_arena arena; /* everything the request allocates; freed when it ends */
    char remote[64];
    ch_time now;
    bool authed, via_cookie;
    ch_user user;
    const char *csrf;
    /* Set when an audit row could not be written because the database
     * cannot save just now: the answer is then 503 with this sentence,
     * whatever the handler made of the failure. */
    ch_error unavailable;
} ch_req;

/* Queues a JSON response (takes the reference to body). */
enum MHD_Result ch_http_json(ch_req *r, unsigned status, json_t *body, const char *etag);

/* Queues an RFC 9457 problem: title and detail are sentences for a person;
 * fields (may be NULL) names the request fields at fault (reference taken). */
enum MHD_Result ch_http_problem(ch_req *r, unsigned status, const char *title, const char *detail,
                                json_t *fields);

/* A problem whose type names a refusal the charter requires (such as
 * "/problems/consent-required") rather than the bare status. */
enum MHD_Result ch_http_problem_typed(ch_req *r, unsigned status, const char *type,
                                      const char *title, const char *detail, json_t *fields);

/* Queues a plain response from static bytes. */
enum MHD_Result ch_http_bytes(ch_req *r, unsigned status, const char *type, const char *data,
                              size_t len);

/* The error's status: 404 for CH_E_NOTFOUND, 409 for CH_E_CONFLICT, 400 for
 * CH_E_INVALID, 422 past the horizon, 503 when the database cannot save
 * just now (CH_E_UNAVAILABLE), 500 otherwise, with err's sentence. */
enum MHD_Result ch_http_error(ch_req *r, const ch_error *err);

/* Whether the signed-in user may see a service's cases. */
bool ch_desk_can_see(const ch_req *r, const char *service);

/* Appends one audit line for the signed-in user; failures are logged to
 * stderr and fail the request (an unaudited read must not be served), with
 * this sentence for the person who asked. */
#define CH_DESK_AUDIT_FAILED                                                                       \
    "the audit log could not be written, so nothing was shown or changed; try again"
int ch_desk_audit(ch_req *r, const char *action, const char *object, int64_t object_id);
/* An audited write: attach its audit row (the user, time and address of r)
 * before the store write, then pass the write's status to finish, which
 * commits the row in the write's own transaction (ch_store_audit_attach):
 *     ch_desk_audit_attach(r, "create", "case", &c.id);
 *     if (ch_desk_audit_finish(r, ch_store_case_insert(store, &c, &err), &err)) ...
 * object_id is read once the write has succeeded. finish returns the
 * write's status or, when the audit row could not be written (and so
 * neither was the change), CH_E_STORE; either way err holds a sentence. */
void ch_desk_audit_attach(ch_req *r, const char *action, const char *object,
                          const int64_t *object_id);
int ch_desk_audit_finish(ch_req *r, int rc, ch_error *err);

/* Instant as RFC 3339 UTC JSON string, or null for 0. */
json_t *ch_json_time(ch_time t);

/* Handlers, one file per resource. Each returns after queuing a response. */
enum MHD_Result ch_http_session(ch_req *r);
enum MHD_Result ch_http_cases_create(ch_req *r);
enum MHD_Result ch_http_case_get(ch_req *r, int64_t id);
enum MHD_Result ch_http_contacts_create(ch_req *r, int64_t id);
enum MHD_Result ch_http_case_patch(ch_req *r, int64_t id);
/* Moving a case to another service, and where it may go (transfer.c). */
enum MHD_Result ch_http_case_transfer(ch_req *r, int64_t id);
enum MHD_Result ch_http_case_destinations(ch_req *r, int64_t id);
enum MHD_Result ch_http_queue(ch_req *r, const char *name);
enum MHD_Result ch_http_services(ch_req *r);
/* GET /api/v1/colleagues?service=...: who a case of that service can be
 * assigned or handed over to (its members and the administrators). */
enum MHD_Result ch_http_colleagues(ch_req *r);
enum MHD_Result ch_http_audit(ch_req *r);
enum MHD_Result ch_http_search(ch_req *r);
/* Why q cannot be searched for (absent, empty, over 200 bytes, not UTF-8),
 * as a sentence, or NULL when it can. */
const char *ch_http_words_fault(const char *q);
/* q's words (split at spaces, tabs and line breaks; copies in a) into
 * words, which holds CH_STORE_FIND_WORDS, and their count into *n (0 when
 * q is only spaces); CH_E_INVALID when there are more, or CH_E_NOMEM. */
int ch_http_words_split(ch_arena *a, const char *q, const char **words, size_t *n, ch_error *err);
/* Cases matching q that the user may see, at most limit: the case q names
 * when q is a reference ("1234" or "#1234") first, then those whose words
 * match. */
int ch_http_find_cases(ch_req *r, const char *q, size_t limit, ch_case_row **out, size_t *n,
                       ch_error *err);
enum MHD_Result ch_http_case_list(ch_req *r);
enum MHD_Result ch_http_users_list(ch_req *r);
enum MHD_Result ch_http_users_create(ch_req *r);
enum MHD_Result ch_http_tokens_create(ch_req *r);
/* Accounts: an edit (PATCH), a password change or reset, tokens listed and
 * revoked, and signing out. */
enum MHD_Result ch_http_user_patch(ch_req *r, int64_t id);
enum MHD_Result ch_http_user_password(ch_req *r, int64_t id);
enum MHD_Result ch_http_tokens_list(ch_req *r);
enum MHD_Result ch_http_token_delete(ch_req *r, int64_t id);
enum MHD_Result ch_http_session_delete(ch_req *r);
enum MHD_Result ch_http_policies(ch_req *r);
/* POST /api/v1/policies/check (load false) and POST /api/v1/policies. */
enum MHD_Result ch_http_policies_post(ch_req *r, bool load);
/* The browser files under /app/ (name is what follows it), and who the
 * current session belongs to. */
enum MHD_Result ch_http_static(ch_req *r, const char *name);
enum MHD_Result ch_http_session_get(ch_req *r);
/* The public pages under /public/ (rest is what follows it). */
enum MHD_Result ch_http_public(ch_req *r, const char *rest);
/* A school contact's own page and its sign-in (school.c), and staff's view
 * of it for one contract. */
enum MHD_Result ch_http_school(ch_req *r, const char *rest);
/* Whether people reach the desk over HTTPS: it serves TLS itself, or its
 * --site is an https:// address (TLS ended by a proxy in front). Cookies
 * are marked Secure then. */
bool ch_desk_https(const ch_desk *d);

/* Whether a browser's post comes from the desk's own pages: not marked
 * cross-site, and any Origin is the desk's site or the host asked for. */
bool ch_http_same_origin(const ch_req *r);

/* Queues resp with status, first adding the headers every answer carries
 * (nosniff, a Content-Security-Policy with frame-ancestors 'none', a
 * Referrer-Policy, HSTS over HTTPS) where the handler set none. Every
 * answer of the desk goes out through it. */
enum MHD_Result ch_http_respond(ch_req *r, unsigned status, struct MHD_Response *resp);
enum MHD_Result ch_http_school_preview(ch_req *r, int64_t id);
enum MHD_Result ch_http_people_create(ch_req *r);
enum MHD_Result ch_http_person_get(ch_req *r, int64_t id);
/* People listed and searched, edited (details and communication needs) and
 * merged (managers); files attached to a person or a case and served back
 * (attachments.c). */
enum MHD_Result ch_http_people_list(ch_req *r);
enum MHD_Result ch_http_person_patch(ch_req *r, int64_t id);
enum MHD_Result ch_http_person_merge(ch_req *r, int64_t id);
/* Loads person id if the user may see them (CH_E_NOTFOUND otherwise). */
int ch_http_person_visible(ch_req *r, int64_t id, ch_person *person, ch_error *err);
#define CH_ATTACHMENT_MAX ((size_t)5 * 1024 * 1024)
/* Whether a request is a file upload (POST .../attachments). */
bool ch_http_is_upload(const char *method, const char *url);
enum MHD_Result ch_http_person_attach(ch_req *r, int64_t id);
enum MHD_Result ch_http_case_attach(ch_req *r, int64_t id);
enum MHD_Result ch_http_attachment_get(ch_req *r, int64_t id);
enum MHD_Result ch_http_organisations_create(ch_req *r);
enum MHD_Result ch_http_organisation_get(ch_req *r, int64_t id);
enum MHD_Result ch_http_report(ch_req *r);
/* People and safeguards (consent.c): relationships, written consents and
 * who may be spoken to about a case. */
enum MHD_Result ch_http_relationships_create(ch_req *r, int64_t person_id);
enum MHD_Result ch_http_relationship_delete(ch_req *r, int64_t id);
enum MHD_Result ch_http_consents_create(ch_req *r, int64_t person_id);
enum MHD_Result ch_http_consent_withdraw(ch_req *r, int64_t id);
enum MHD_Result ch_http_contacts_allowed(ch_req *r, int64_t case_id);
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

/* Email out (replies.c): a reply from the case page, queued in the
 * outbox, and what the outbox holds. */
enum MHD_Result ch_http_replies_create(ch_req *r, int64_t case_id);
enum MHD_Result ch_http_case_outbox(ch_req *r, int64_t case_id);
enum MHD_Result ch_http_outbox_list(ch_req *r);
/* Notifications (notifications.c): a user's list, marking read, and the
 * round the outbox worker runs first (warnings, mail to staff). */
enum MHD_Result ch_http_notifications_list(ch_req *r);
enum MHD_Result ch_http_notification_read(ch_req *r, int64_t id);
enum MHD_Result ch_http_notifications_read_all(ch_req *r);
void ch_desk_notify_round(void *desk, ch_time now);
/* Tells a member of staff of work given to them (kind assigned or
 * handed-over) on case c; failures are logged, never fail the change. */
void ch_desk_notify_assigned(ch_req *r, const ch_case_row *c, int64_t user_id, const char *kind);

/* Safeguards on a person (behaviour.c): incidents, restrictions on contact
 * with their written notice, and the managers' review queue. */
enum MHD_Result ch_http_incidents_list(ch_req *r, int64_t person_id);
enum MHD_Result ch_http_incidents_create(ch_req *r, int64_t person_id);
enum MHD_Result ch_http_restrictions_list(ch_req *r, int64_t person_id);
enum MHD_Result ch_http_restrictions_create(ch_req *r, int64_t person_id);
enum MHD_Result ch_http_restriction_get(ch_req *r, int64_t id);
enum MHD_Result ch_http_restriction_notice(ch_req *r, int64_t id);
enum MHD_Result ch_http_restriction_notice_sent(ch_req *r, int64_t id);
enum MHD_Result ch_http_restriction_review(ch_req *r, int64_t id);
enum MHD_Result ch_http_restriction_end(ch_req *r, int64_t id);
enum MHD_Result ch_http_restriction_reviews(ch_req *r);

/* Resolves the credential on the request (cookie or bearer token); returns
 * false after queuing 401 (or 403 for a missing CSRF token). */
bool ch_http_authenticate(ch_req *r, enum MHD_Result *result);

/* The hash of the session cookie a request signed in with; false when it
 * came with a bearer token instead. */
bool ch_http_session_hash(ch_req *r, uint8_t hash[32]);

/* How many request threads the server runs by default. */
unsigned ch_desk_threads(void);

/* Runs the server until SIGINT or SIGTERM. */
int ch_desk_serve(ch_desk *d, const char *listen, const char *tls_cert, const char *tls_key,
                  ch_error *err);

/* Retention and erasure (erasure.c): legal holds (GET, PUT with a reason,
 * DELETE) on a person or a case, a person's erasure, the retention page. */
enum MHD_Result ch_http_person_hold(ch_req *r, int64_t id);
enum MHD_Result ch_http_case_hold(ch_req *r, int64_t id);
enum MHD_Result ch_http_person_erase(ch_req *r, int64_t id);
enum MHD_Result ch_http_retention(ch_req *r);
/* Applies the retention schedule of every policy on d to its services as
 * of now (only counting when dry_run), the policies read-locked by the
 * caller; counts[k] gets the records of each ch_retention_kind deleted or
 * anonymised (or due). by: the user running it, 0 for the desk itself. */
int ch_desk_retention_run(ch_desk *d, ch_time now, bool dry_run, int64_t by, int64_t counts[],
                          ch_error *err);
/* The cutoff for audit rows across d's policies (ch_retention_audit_cutoff):
 * true when they are purged, and a sentence for the retention page in why
 * either way. */
bool ch_desk_retention_audit(const ch_desk *d, ch_time now, ch_time *cutoff, char *why,
                             size_t why_size);
/* The daily sweep's run (taking the policies' read lock), logging counts. */
void ch_desk_retention_sweep(ch_desk *d, ch_time now);

#endif
