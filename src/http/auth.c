/* Password hashing, tokens, sign-in and sign-out, and per-request
 * authentication. */
#include "http/auth.h"
#include "http/desk.h"
#include "http/request.h"

#include <stdio.h>
#include <string.h>

int ch_auth_init(ch_error *err)
{
    if (sodium_init() < 0)
        return ch_error_set(err, CH_E_STORE, "libsodium could not start");
    return CH_OK;
}

int ch_password_hash(const char *password, char out[crypto_pwhash_STRBYTES], ch_error *err)
{
    size_t n = strlen(password);
    if (n < 10 || n > 256)
        return ch_error_set(err, CH_E_INVALID, "a password must be 10 to 256 characters long");
    if (crypto_pwhash_str_alg(out, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13))
        return ch_error_set(err, CH_E_NOMEM, "out of memory hashing a password");
    return CH_OK;
}

bool ch_password_verify(const char *hash, const char *password)
{
    return hash && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void ch_token_hash(const char *token, uint8_t hash[32])
{
    crypto_generichash(hash, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

void ch_token_new(char token[CH_TOKEN_LEN + 1], uint8_t hash[32])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(token, CH_TOKEN_LEN + 1, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    ch_token_hash(token, hash);
}

/* Failed sign-ins in five minutes: ten per account, and fifty from one
 * address (an office behind one router, or a proxy, signs many people in). */
enum { LOGIN_WINDOW = 300, LOGIN_MAX = 10, LOGIN_ADDRESS_MAX = 50 };

/* A hash of a password no one has, checked when the email is unknown, so
 * an unknown address takes as long to refuse as a known one. */
static char decoy[crypto_pwhash_STRBYTES];
static pthread_once_t decoy_once = PTHREAD_ONCE_INIT;

static void decoy_make(void)
{
    char word[CH_TOKEN_LEN + 1];
    uint8_t unused[32];
    ch_token_new(word, unused);
    if (ch_password_hash(word, decoy, &(ch_error){0}))
        decoy[0] = '\0';
}

bool ch_http_same_origin(const ch_req *r)
{
    const char *fetch = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
    const char *origin = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Origin");
    const char *host = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host");
    if (fetch && strcmp(fetch, "cross-site") == 0)
        return false;
    if (!origin || strcmp(origin, r->desk->site) == 0)
        return true;
    const char *rest = strncmp(origin, "https://", 8) == 0  ? origin + 8
                       : strncmp(origin, "http://", 7) == 0 ? origin + 7
                                                            : NULL;
    return rest && host && strcmp(rest, host) == 0;
}

/* The slot for remote, its window started afresh once it has passed;
 * rate->mu is held. */
static size_t rate_slot(ch_rate *rate, const char *remote, ch_time now, int window)
{
    size_t slot = 0;
    bool found = false;
    for (size_t i = 0; i < CH_RATE_SLOTS && !found; i++) {
        if (strcmp(rate->slots[i].remote, remote) == 0) {
            slot = i;
            found = true;
        } else if (rate->slots[i].window < rate->slots[slot].window) {
            slot = i; /* the oldest slot is reused */
        }
    }
    if (!found) {
        snprintf(rate->slots[slot].remote, sizeof(rate->slots[slot].remote), "%s", remote);
        rate->slots[slot].window = now;
        rate->slots[slot].count = 0;
    }
    if (now - rate->slots[slot].window > window) {
        rate->slots[slot].window = now;
        rate->slots[slot].count = 0;
    }
    return slot;
}

bool ch_rate_take(ch_rate *rate, const char *key, ch_time now, int window, int max)
{
    pthread_mutex_lock(&rate->mu);
    size_t slot = rate_slot(rate, key, now, window);
    bool ok = rate->slots[slot].count < max;
    if (ok)
        rate->slots[slot].count++;
    pthread_mutex_unlock(&rate->mu);
    return ok;
}

void ch_rate_give(ch_rate *rate, const char *key)
{
    pthread_mutex_lock(&rate->mu);
    for (size_t i = 0; i < CH_RATE_SLOTS; i++)
        if (strcmp(rate->slots[i].remote, key) == 0 && rate->slots[i].count > 0)
            rate->slots[i].count--;
    pthread_mutex_unlock(&rate->mu);
}

bool ch_rate_hit(ch_rate *rate, const char *remote, ch_time now, int window, int max, bool count)
{
    pthread_mutex_lock(&rate->mu);
    size_t slot = rate_slot(rate, remote, now, window);
    if (count)
        rate->slots[slot].count++;
    bool limited = rate->slots[slot].count >= max;
    pthread_mutex_unlock(&rate->mu);
    return limited;
}

enum MHD_Result ch_http_session(ch_req *r)
{
    static const ch_req_key keys[] = {{"email", NULL}, {"password", NULL}, {NULL, NULL}};
    enum MHD_Result res;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    const char *email = json_string_value(json_object_get(body, "email"));
    const char *password = json_string_value(json_object_get(body, "password"));
    ch_error err;
    char account[300] = "";
    bool took_address = false, took_account = false;
    /* A page elsewhere cannot sign a visitor in as someone else. */
    if (!ch_http_same_origin(r)) {
        res = ch_http_problem(r, 403, "Sign in from the desk",
                              "This sign-in came from another website; open the desk's own "
                              "page and sign in there.",
                              NULL);
        goto out;
    }
    if (!body || !email || !password || strlen(email) > 254 || strlen(password) > 256) {
        json_t *fields = json_array();
        if (!email || strlen(email) > 254)
            json_array_append_new(fields, json_string("email"));
        if (!password || strlen(password) > 256)
            json_array_append_new(fields, json_string("password"));
        res = ch_http_problem(r, 400, "Sign-in needs an email and a password",
                              "Send {\"email\": ..., \"password\": ...} as JSON.", fields);
        goto out;
    }
    /* An attempt is counted before the password is checked, and given back
     * when it was right: parallel guesses cannot all slip under the limit. */
    snprintf(account, sizeof(account), "email:%s", email);
    for (char *c = account; *c; c++)
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
    took_address =
        ch_rate_take(&r->desk->logins, r->remote, r->now, LOGIN_WINDOW, LOGIN_ADDRESS_MAX);
    took_account = took_address &&
                   ch_rate_take(&r->desk->login_accounts, account, r->now, LOGIN_WINDOW, LOGIN_MAX);
    if (!took_address || !took_account) {
        if (took_address)
            ch_rate_give(&r->desk->logins, r->remote);
        took_address = false;
        res = ch_http_problem(r, 429, "Too many attempts",
                              "Too many failed sign-ins for this account or from this address; "
                              "wait five minutes and try again.",
                              NULL);
        goto out;
    }
    ch_user user;
    int rc = ch_store_user_by_email(r->desk->store, email, &r->arena, &user, &err);
    if (rc && rc != CH_E_NOTFOUND) {
        res = ch_http_error(r, &err);
        goto out;
    }
    pthread_once(&decoy_once, decoy_make);
    bool right = rc == CH_OK ? ch_password_verify(user.password_hash, password)
                             : (ch_password_verify(decoy, password), false);
    if (!right) {
        took_address = took_account = false; /* the failure stays counted */
        res =
            ch_http_problem(r, 401, "Wrong email or password",
                            "The email or password is not right; check both and try again.", NULL);
        goto out;
    }
    if (user.inactive) {
        res = ch_http_problem(r, 403, "Account deactivated",
                              "This account has been deactivated; ask an administrator to "
                              "reactivate it.",
                              NULL);
        goto out;
    }
    char token[CH_TOKEN_LEN + 1], csrf[CH_TOKEN_LEN + 1];
    uint8_t hash[32], unused[32];
    ch_token_new(token, hash);
    ch_token_new(csrf, unused);
    if (ch_store_session_insert(r->desk->store, user.id, hash, csrf, r->now + 12 * 3600, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    json_t *reply = json_pack("{s:s, s:{s:I, s:s?, s:s?, s:s}}", "csrf_token", csrf, "user", "id",
                              (json_int_t)user.id, "email", user.email, "name", user.name, "role",
                              ch_role_name(user.role));
    char *s = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
    json_decref(reply);
    struct MHD_Response *resp =
        s ? MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_COPY) : NULL;
    free(s);
    if (!resp) {
        res = MHD_NO;
        goto out;
    }
    char cookie[160];
    snprintf(cookie, sizeof(cookie), "charter_session=%s; Path=/; HttpOnly; SameSite=Strict%s",
             token, ch_desk_https(r->desk) ? "; Secure" : "");
    MHD_add_response_header(resp, "Set-Cookie", cookie);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    res = ch_http_respond(r, 200, resp);
    MHD_destroy_response(resp);
out:
    /* Attempts still held were not failures: give them back. */
    if (took_address)
        ch_rate_give(&r->desk->logins, r->remote);
    if (took_account)
        ch_rate_give(&r->desk->login_accounts, account);
    json_decref(body);
    return res;
}

bool ch_desk_https(const ch_desk *d)
{
    return d->tls || strncmp(d->site, "https://", 8) == 0;
}

bool ch_http_authenticate(ch_req *r, enum MHD_Result *result)
{
    const char *auth = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "charter_session");
    const char *token = NULL;
    ch_error err;
    if (auth && strncmp(auth, "Bearer ", 7) == 0)
        token = auth + 7;
    else if (cookie) {
        token = cookie;
        r->via_cookie = true;
    }
    if (!token || strlen(token) != CH_TOKEN_LEN) {
        *result = ch_http_problem(r, 401, "Sign in first",
                                  "This needs a signed-in user: POST /api/v1/session, or send "
                                  "Authorization: Bearer with an API token.",
                                  NULL);
        return false;
    }
    uint8_t hash[32];
    ch_credential cred = {0};
    ch_token_hash(token, hash);
    int rc =
        ch_store_credential_user(r->desk->store, hash, r->now, &r->arena, &r->user, &cred, &err);
    if (rc == CH_E_NOTFOUND) {
        *result = ch_http_problem(r, 401, "Sign in again",
                                  "The session has ended, or the token is expired, revoked or "
                                  "not known.",
                                  NULL);
        return false;
    }
    if (rc) {
        *result = ch_http_error(r, &err);
        return false;
    }
    if (r->via_cookie)
        r->csrf = cred.session ? cred.csrf : NULL;
    /* When a token was last used is kept to the hour: a write an hour per
     * token, not one per request. A failure here costs only that note. */
    if (!cred.session && r->now - cred.last_used_at >= 3600 &&
        ch_store_credential_used(r->desk->store, cred.id, r->now, &err))
        fprintf(stderr, "charter serve: noting a token's use: %s\n", err.msg);
    /* A cookie is sent by the browser on its own; a change must also carry
     * the CSRF token that only our page could have read. */
    if (r->via_cookie && strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        const char *sent = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
        /* Compared in constant time: the token is a secret. */
        if (!sent || !r->csrf || strlen(sent) != strlen(r->csrf) ||
            sodium_memcmp(sent, r->csrf, strlen(sent)) != 0) {
            *result = ch_http_problem(r, 403, "Missing CSRF token",
                                      "Changes made with a session cookie must send the "
                                      "X-CSRF-Token header given at sign-in.",
                                      NULL);
            return false;
        }
    }
    r->authed = true;
    return true;
}

bool ch_http_session_hash(ch_req *r, uint8_t hash[32])
{
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "charter_session");
    if (!r->via_cookie || !cookie || strlen(cookie) != CH_TOKEN_LEN)
        return false;
    ch_token_hash(cookie, hash);
    return true;
}

enum MHD_Result ch_http_session_delete(ch_req *r)
{
    ch_error err = {0};
    uint8_t hash[32];
    if (!ch_http_session_hash(r, hash))
        return ch_http_problem(r, 400, "No session to end",
                               "Signing out ends a browser session; an API token is revoked "
                               "with DELETE /api/v1/tokens/{id}.",
                               NULL);
    ch_desk_audit_attach(r, "sign-out", "user", &r->user.id);
    int rc = ch_desk_audit_finish(r, ch_store_credential_delete(r->desk->store, hash, &err), &err);
    if (rc && rc != CH_E_NOTFOUND)
        return ch_http_error(r, &err);
    /* A session already gone still signs out, and says so alone. */
    if (rc == CH_E_NOTFOUND && ch_desk_audit(r, "sign-out", "user", r->user.id)) {
        ch_error_set(&err, CH_E_STORE, CH_DESK_AUDIT_FAILED);
        return ch_http_error(r, &err);
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    char cookie[160];
    snprintf(cookie, sizeof(cookie),
             "charter_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
             ch_desk_https(r->desk) ? "; Secure" : "");
    MHD_add_response_header(resp, "Set-Cookie", cookie);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result res = ch_http_respond(r, 204, resp);
    MHD_destroy_response(resp);
    return res;
}
