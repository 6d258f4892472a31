/* Staff accounts and API tokens through the API. Managers and
 * administrators list the staff; administrators add, edit, deactivate and
 * reactivate people and reset their passwords, and managers may move
 * officers in and out of their own services; everyone changes their own
 * password and makes, lists and revokes their own expiring API tokens. */
#include "http/auth.h"
#include "http/availability.h"
#include "http/json_case.h"
#include "http/request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_SERVICES = 64, PASSWORD_MIN = 10, PASSWORD_MAX = 256 };

/* Failed current-password checks count with failed sign-ins: a stolen
 * session must not become a way to guess the password. */
enum { GUESS_WINDOW = 300, GUESS_MAX = 10 };

static void user_json(ch_jw *w, const ch_user *u, const ch_avail_set *set, ch_date today)
{
    ch_jw_obj(w);
    ch_jw_key(w, "id");
    ch_jw_int(w, u->id);
    ch_jw_key(w, "email");
    ch_jw_str(w, u->email);
    ch_jw_key(w, "name");
    ch_jw_str(w, u->name);
    ch_jw_key(w, "role");
    ch_jw_str(w, ch_role_name(u->role));
    ch_jw_key(w, "active");
    ch_jw_bool(w, !u->inactive);
    ch_jw_key(w, "notify");
    ch_jw_str(w, u->notify ? u->notify : "each");
    ch_jw_key(w, "services");
    ch_jw_arr(w);
    for (size_t k = 0; k < u->nservices; k++)
        ch_jw_str(w, u->services[k]);
    ch_jw_arr_end(w);
    ch_jw_availability(w, set, u, today);
    ch_jw_obj_end(w);
}

enum MHD_Result ch_http_users_list(ch_req *r)
{
    ch_error err = {0};
    ch_user *users = NULL;
    size_t n = 0;
    if (r->user.role == CH_ROLE_OFFICER)
        return ch_http_problem(r, 403, "Managers only",
                               "The staff list is open to managers and administrators.", NULL);
    ch_avail_set set;
    if (ch_avail_load(r->desk->store, &r->arena, &set, &err))
        return ch_http_error(r, &err);
    users = set.users;
    n = set.nusers;
    ch_date today = ch_http_today(r, NULL);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "users");
    ch_jw_arr(&w);
    for (size_t i = 0; i < n; i++)
        user_json(&w, &users[i], &set, today);
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

/* The services list in body (when present) as full "policy/service"
 * names, each one loaded on the desk now; *given says whether it was sent. */
static const char **services_of(ch_req *r, problems *p, json_t *body, size_t *n, bool *given)
{
    json_t *list = json_object_get(body, "services");
    *n = 0;
    *given = list && !json_is_null(list);
    if (!*given)
        return NULL;
    size_t count = json_array_size(list);
    if (!json_is_array(list) || count > MAX_SERVICES) {
        ch_req_bad(p, "services", "services must be a list of at most %d services.", MAX_SERVICES);
        return NULL;
    }
    const char **names = ch_arena_alloc(&r->arena, (count + 1) * sizeof(*names));
    if (!names) {
        ch_req_bad(p, "services", "out of memory reading services.");
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        const char *s = json_string_value(json_array_get(list, i));
        ch_desk_service ds;
        ch_error err = {0};
        if (!s || strlen(s) > 140 || ch_desk_service_find(r->desk, s, &ds, &err)) {
            ch_req_bad(p, "services", "%s",
                       s && strlen(s) <= 140 ? err.msg
                                             : "each service must be a POLICY/SERVICE string.");
            return NULL;
        }
        names[(*n)++] = ch_arena_strdup(&r->arena, ds.name);
    }
    return names;
}

static bool has_service(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static const char *person_name(problems *p, json_t *body, bool required)
{
    const char *name = ch_req_text(p, body, "name", 200, required);
    if (name && (!*name || !ch_req_one_line(name))) {
        ch_req_bad(p, "name", "name must be one line of 1 to 200 characters.");
        return NULL;
    }
    return name;
}

static enum MHD_Result created_user(ch_req *r, void *arg)
{
    const ch_user *u = arg;
    return ch_http_json(r, 201,
                        json_pack("{s:I, s:s, s:s, s:s, s:b}", "id", (json_int_t)u->id, "email",
                                  u->email, "name", u->name, "role", ch_role_name(u->role),
                                  "active", 1),
                        NULL);
}

enum MHD_Result ch_http_users_create(ch_req *r)
{
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    if (r->user.role != CH_ROLE_ADMIN)
        return ch_http_problem(r, 403, "Administrators only",
                               "Only an administrator can add staff.", NULL);
    static const ch_req_key keys[] = {{"email", NULL},    {"name", NULL},     {"role", NULL},
                                      {"password", NULL}, {"services", NULL}, {NULL, NULL}};
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    ch_user u = {0};
    bool given;
    u.email = ch_req_text(&p, body, "email", 254, true);
    u.name = person_name(&p, body, true);
    const char *role = ch_req_text(&p, body, "role", 16, true);
    const char *password = ch_req_text(&p, body, "password", PASSWORD_MAX, true);
    if (u.email && (!strchr(u.email, '@') || !ch_req_one_line(u.email)))
        ch_req_bad(&p, "email", "email must be an email address.");
    if (role && ch_role_parse(role, &u.role))
        ch_req_bad(&p, "role", "role must be admin, manager or officer.");
    if (password && strlen(password) < PASSWORD_MIN)
        ch_req_bad(&p, "password", "password must be at least %d characters.", PASSWORD_MIN);
    u.services = services_of(r, &p, body, &u.nservices, &given);
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    char hash[crypto_pwhash_STRBYTES];
    if (ch_password_hash(password, hash, &err) ||
        (u.password_hash = hash, ch_desk_audit_attach(r, "create", "user", &u.id),
         ch_desk_audit_finish(r, ch_store_user_insert(r->desk->store, &u, &u.id, &err), &err))) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = created_user(r, &u);
out:
    json_decref(body);
    return res;
}

static enum MHD_Result user_reply(ch_req *r, void *arg)
{
    const int64_t *id = arg;
    ch_user u;
    ch_error err = {0};
    ch_avail_set set;
    if (ch_store_user_by_id(r->desk->store, *id, &r->arena, &u, &err) ||
        ch_avail_load(r->desk->store, &r->arena, &set, &err))
        return ch_http_error(r, &err);
    ch_jw w;
    ch_jw_init(&w);
    user_json(&w, &u, &set, ch_http_today(r, u.nservices ? u.services[0] : NULL));
    return ch_http_jw(r, 200, &w, NULL);
}

/* What a manager may do to a user: change an officer's services among the
 * manager's own. The officer keeps any services outside them. Returns
 * false after queuing a 403. */
static bool manager_change(ch_req *r, const ch_user *target, ch_user_change *ch,
                           enum MHD_Result *res)
{
    const char *detail = NULL;
    char buf[300];
    bool shares = target->nservices == 0;
    for (size_t i = 0; i < target->nservices; i++)
        shares = shares || ch_desk_can_see(r, target->services[i]);
    if (ch->name || ch->set_role || ch->active >= 0)
        detail = "Only an administrator can change a name, a role or whether an account is "
                 "active; a manager changes the services of officers.";
    else if (target->role != CH_ROLE_OFFICER)
        detail = "A manager changes the services of officers only; ask an administrator.";
    else if (!shares)
        detail = "This officer is not in any of your services; ask an administrator.";
    for (size_t i = 0; !detail && i < ch->nservices; i++) {
        if (!ch_desk_can_see(r, ch->services[i]) &&
            !has_service(target->services, target->nservices, ch->services[i])) {
            snprintf(buf, sizeof(buf),
                     "You can give only your own services; ask an administrator for %s.",
                     ch->services[i]);
            detail = buf;
        }
    }
    if (detail) {
        *res = ch_http_problem(r, 403, "Not yours to change", detail, NULL);
        return false;
    }
    /* The officer's services outside the manager's stay as they are. */
    const char **all =
        ch_arena_alloc(&r->arena, (ch->nservices + target->nservices + 1) * sizeof(*all));
    if (!all) {
        ch_error err;
        ch_error_set(&err, CH_E_NOMEM, "out of memory");
        *res = ch_http_error(r, &err);
        return false;
    }
    size_t n = 0;
    for (size_t i = 0; i < ch->nservices; i++)
        all[n++] = ch->services[i];
    for (size_t i = 0; i < target->nservices; i++)
        if (!ch_desk_can_see(r, target->services[i]) && !has_service(all, n, target->services[i]))
            all[n++] = target->services[i];
    ch->services = all;
    ch->nservices = n;
    return true;
}

/* A manager keeps the working pattern and absences of officers in their
 * services (as of their own); false after queuing a 403. */
static bool manager_may_cover(ch_req *r, const ch_user *target, enum MHD_Result *res)
{
    bool shares = false;
    for (size_t i = 0; i < target->nservices; i++)
        shares = shares || ch_desk_can_see(r, target->services[i]);
    if (target->role == CH_ROLE_OFFICER && shares)
        return true;
    *res = ch_http_problem(r, 403, "Not yours to change",
                           "A manager records the working pattern and absences of officers in "
                           "their own services; ask an administrator.",
                           NULL);
    return false;
}

enum MHD_Result ch_http_user_patch(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {{"name", NULL},
                                      {"role", NULL},
                                      {"services", NULL},
                                      {"active", NULL},
                                      {"working_pattern", NULL},
                                      {"absences", NULL},
                                      {"notify", NULL},
                                      {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    bool account = json_object_get(body, "name") || json_object_get(body, "role") ||
                   json_object_get(body, "services") || json_object_get(body, "active");
    /* Everyone keeps their own working pattern and absences; the rest of
     * an account is changed by administrators (and services by managers). */
    if (r->user.role == CH_ROLE_OFFICER && (account || id != r->user.id)) {
        res = ch_http_problem(r, 403, "Managers only",
                              "Staff accounts are changed by administrators (and services by "
                              "managers); you may change your own working_pattern, absences and "
                              "notify.",
                              NULL);
        goto out;
    }
    if (json_object_get(body, "notify") && id != r->user.id && r->user.role != CH_ROLE_ADMIN) {
        res = ch_http_problem(r, 403, "Your own choice",
                              "How someone hears of their notifications is theirs to choose; they "
                              "set notify on their own account page.",
                              json_pack("[s]", "notify"));
        goto out;
    }
    ch_user target;
    ch_user_change ch = {.id = id, .active = -1};
    ch_avail_set set;
    ch_availability_row avail;
    bool given, avail_given;
    if (ch_store_user_by_id(r->desk->store, id, &r->arena, &target, &err) ||
        ch_avail_load(r->desk->store, &r->arena, &set, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    if (r->user.role == CH_ROLE_MANAGER && !account && id != r->user.id &&
        !manager_may_cover(r, &target, &res))
        goto out;
    ch_http_availability_read(r, &p, body, &target, &set, &avail, &avail_given);
    ch.name = person_name(&p, body, false);
    const char *role = ch_req_text(&p, body, "role", 16, false);
    if (role && ch_role_parse(role, &ch.role))
        ch_req_bad(&p, "role", "role must be admin, manager or officer.");
    else
        ch.set_role = role != NULL;
    json_t *active = json_object_get(body, "active");
    if (active && !json_is_boolean(active))
        ch_req_bad(&p, "active", "active must be true or false.");
    else if (active)
        ch.active = json_is_true(active) ? 1 : 0;
    ch.services = services_of(r, &p, body, &ch.nservices, &given);
    /* How they hear of their work by email: their own choice. */
    ch.notify = ch_req_text(&p, body, "notify", 16, false);
    if (ch.notify && strcmp(ch.notify, "each") != 0 && strcmp(ch.notify, "digest") != 0 &&
        strcmp(ch.notify, "none") != 0)
        ch_req_bad(&p, "notify",
                   "notify must be each (a message per notification), digest (one a day) or "
                   "none.");
    ch.set_services = given && !p.fields;
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    if (!ch.name && !ch.set_role && ch.active < 0 && !ch.set_services && !avail_given &&
        !ch.notify) {
        res = ch_http_problem(r, 400, "Nothing to change",
                              "Send at least one of name, role, services, active, "
                              "working_pattern, absences and notify.",
                              NULL);
        goto out;
    }
    if (!account) {
        /* One audit row, committed with the first of the two writes (on
         * PostgreSQL both share its transaction). */
        ch_desk_audit_attach(r, avail_given ? "availability" : "update", "user", &id);
        int wrote = ch.notify ? ch_store_user_update(r->desk->store, &ch, &err) : CH_OK;
        if (!wrote && avail_given)
            wrote = ch_store_availability_set(r->desk->store, &avail, &err);
        if (ch_desk_audit_finish(r, wrote, &err)) {
            res = ch_http_error(r, &err);
            goto out;
        }
        res = user_reply(r, &id);
        goto out;
    }
    if (r->user.role == CH_ROLE_MANAGER && !manager_change(r, &target, &ch, &res))
        goto out;
    if (id == r->user.id && (ch.active == 0 || (ch.set_role && ch.role != CH_ROLE_ADMIN))) {
        res = ch_http_problem(r, 409, "Not your own account",
                              "You cannot deactivate yourself or give up your own administrator "
                              "role; ask another administrator.",
                              NULL);
        goto out;
    }
    /* Deactivation takes effect at once: every session and token goes. */
    ch.end_sessions = ch.end_tokens = ch.active == 0;
    /* Each kind of change is its own audit line, in the change's own
     * transaction. */
    const char *action = "update";
    if (ch.active >= 0 && (ch.active == 0) != target.inactive) {
        if (ch.name || ch.set_role || ch.set_services)
            ch_desk_audit_attach(r, "update", "user", &id);
        action = ch.active ? "reactivate" : "deactivate";
    }
    ch_desk_audit_attach(r, action, "user", &id);
    int rc = ch_desk_audit_finish(r, ch_store_user_update(r->desk->store, &ch, &err), &err);
    if (rc == CH_E_CONFLICT) {
        res = ch_http_problem(r, 409, "An administrator must remain", err.msg, NULL);
        goto out;
    }
    if (rc) {
        res = ch_http_error(r, &err);
        goto out;
    }
    if (avail_given) {
        ch_desk_audit_attach(r, "availability", "user", &id);
        if (ch_desk_audit_finish(r, ch_store_availability_set(r->desk->store, &avail, &err),
                                 &err)) {
            res = ch_http_error(r, &err);
            goto out;
        }
    }
    res = user_reply(r, &id);
out:
    json_decref(body);
    return res;
}

/* 204 carries no body, so no Content-Type: a client must not try to read one. */
static enum MHD_Result no_content(ch_req *r, void *arg)
{
    (void)arg;
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result res = ch_http_respond(r, 204, resp);
    MHD_destroy_response(resp);
    return res;
}

enum MHD_Result ch_http_user_password(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {{"password", NULL}, {"current_password", NULL}, {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    bool own = id == r->user.id;
    if (!own && r->user.role != CH_ROLE_ADMIN)
        return ch_http_problem(r, 403, "Administrators only",
                               "Only an administrator can reset another person's password; "
                               "change your own at /api/v1/users/{your id}/password.",
                               NULL);
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    const char *password = ch_req_text(&p, body, "password", PASSWORD_MAX, true);
    const char *current = ch_req_text(&p, body, "current_password", PASSWORD_MAX, own);
    if (password && strlen(password) < PASSWORD_MIN)
        ch_req_bad(&p, "password", "password must be at least %d characters.", PASSWORD_MIN);
    if (!own && current)
        ch_req_bad(&p, "current_password",
                   "current_password is for changing your own password; an administrator's "
                   "reset does not need one.");
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    ch_user target;
    if (ch_store_user_by_id(r->desk->store, id, &r->arena, &target, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    if (own) {
        if (ch_rate_hit(&r->desk->logins, r->remote, r->now, GUESS_WINDOW, GUESS_MAX, false)) {
            res = ch_http_problem(r, 429, "Too many attempts",
                                  "Too many wrong passwords from this address; wait five "
                                  "minutes and try again.",
                                  NULL);
            goto out;
        }
        if (!ch_password_verify(target.password_hash, current)) {
            ch_rate_hit(&r->desk->logins, r->remote, r->now, GUESS_WINDOW, GUESS_MAX, true);
            res = ch_http_problem(r, 403, "Current password is not right",
                                  "Type your current password exactly as you sign in with it.",
                                  json_pack("[s]", "current_password"));
            goto out;
        }
    }
    char hash[crypto_pwhash_STRBYTES];
    uint8_t mine[32];
    /* A new password ends the person's other sessions (a reset ends them
     * all); their API tokens are separate credentials and stay. */
    ch_user_change ch = {.id = id, .active = -1, .password_hash = hash, .end_sessions = true};
    if (own && ch_http_session_hash(r, mine))
        ch.keep_session = mine;
    if (ch_password_hash(password, hash, &err) ||
        (ch_desk_audit_attach(r, own ? "password-change" : "password-reset", "user", &id),
         ch_desk_audit_finish(r, ch_store_user_update(r->desk->store, &ch, &err), &err))) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = no_content(r, NULL);
out:
    json_decref(body);
    return res;
}

typedef struct token_made {
    int64_t id;
    const char *token, *label;
    ch_time expires;
} token_made;

static enum MHD_Result token_reply(ch_req *r, void *arg)
{
    const token_made *t = arg;
    return ch_http_json(r, 201,
                        json_pack("{s:I, s:s, s:s?, s:o, s:o, s:s}", "id", (json_int_t)t->id,
                                  "token", t->token, "label", t->label, "created_at",
                                  ch_json_time(r->now), "expires_at", ch_json_time(t->expires),
                                  "detail",
                                  "Keep this token safe: it is shown only now. Send it as "
                                  "Authorization: Bearer."),
                        NULL);
}

enum MHD_Result ch_http_tokens_create(ch_req *r)
{
    static const ch_req_key keys[] = {{"label", NULL}, {"expires_in_days", NULL}, {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    /* The body is optional: without one the token gets the default life. */
    json_t *body = r->len ? ch_req_body(r, keys, &res) : json_object();
    if (!body)
        return res;
    int64_t days = CH_TOKEN_DAYS;
    const char *label = ch_req_text(&p, body, "label", 100, false);
    if (label && !ch_req_one_line(label))
        ch_req_bad(&p, "label", "label must be one line.");
    ch_req_int(&p, body, "expires_in_days", 1, CH_TOKEN_DAYS_MAX, false, &days);
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    char token[CH_TOKEN_LEN + 1];
    uint8_t hash[32];
    token_made t = {0, token, label && *label ? label : NULL, r->now + days * 86400};
    ch_token_new(token, hash);
    ch_desk_audit_attach(r, "create", "token", &t.id);
    if (ch_desk_audit_finish(r,
                             ch_store_token_insert(r->desk->store, r->user.id, hash, t.label,
                                                   t.expires, &t.id, &err),
                             &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = token_reply(r, &t);
out:
    json_decref(body);
    return res;
}

enum MHD_Result ch_http_tokens_list(ch_req *r)
{
    ch_error err = {0};
    int64_t who = r->user.id;
    const char *arg = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "user");
    if (arg) {
        char *end;
        errno = 0;
        long long v = strtoll(arg, &end, 10);
        if (end == arg || *end || errno || v <= 0)
            return ch_http_problem(r, 400, "Bad query", "user is a user's id.", NULL);
        who = v;
    }
    if (who != r->user.id && r->user.role != CH_ROLE_ADMIN)
        return ch_http_problem(r, 403, "Administrators only",
                               "You can list only your own tokens; leave out user.", NULL);
    ch_token_row *rows = NULL;
    size_t n = 0;
    if (ch_store_token_list(r->desk->store, who, &r->arena, &rows, &n, &err))
        return ch_http_error(r, &err);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            list, json_pack("{s:I, s:I, s:s?, s:o, s:o, s:o, s:b}", "id", (json_int_t)rows[i].id,
                            "user_id", (json_int_t)rows[i].user_id, "label", rows[i].label,
                            "created_at", ch_json_time(rows[i].created_at), "expires_at",
                            ch_json_time(rows[i].expires_at), "last_used_at",
                            ch_json_time(rows[i].last_used_at), "expired",
                            rows[i].expires_at && rows[i].expires_at <= r->now));
    return ch_http_json(r, 200, json_pack("{s:o}", "tokens", list), NULL);
}

enum MHD_Result ch_http_token_delete(ch_req *r, int64_t id)
{
    ch_error err = {0};
    int64_t owner = r->user.role == CH_ROLE_ADMIN ? 0 : r->user.id;
    /* Someone else's token is not admitted to exist. */
    ch_desk_audit_attach(r, "revoke", "token", &id);
    if (ch_desk_audit_finish(r, ch_store_token_delete(r->desk->store, id, owner, NULL, &err), &err))
        return ch_http_error(r, &err);
    return no_content(r, NULL);
}
