/* Staff accounts and API tokens through the API: managers and
 * administrators list the staff; administrators add them (argon2id
 * passwords, services checked against the desk); anyone signed in can
 * make an API token for themselves, shown once. */
#include "http/auth.h"
#include "http/json_case.h"
#include "http/request.h"

#include <stdio.h>
#include <string.h>

enum MHD_Result ch_http_users_list(ch_req *r)
{
    ch_error err = {0};
    ch_user *users = NULL;
    size_t n = 0;
    if (r->user.role == CH_ROLE_OFFICER)
        return ch_http_problem(r, 403, "Managers only",
                               "The staff list is open to managers and administrators.", NULL);
    if (ch_store_user_list(r->desk->store, &r->arena, &users, &n, &err))
        return ch_http_error(r, &err);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "users");
    ch_jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        ch_jw_obj(&w);
        ch_jw_key(&w, "id");
        ch_jw_int(&w, users[i].id);
        ch_jw_key(&w, "email");
        ch_jw_str(&w, users[i].email);
        ch_jw_key(&w, "name");
        ch_jw_str(&w, users[i].name);
        ch_jw_key(&w, "role");
        ch_jw_str(&w, ch_role_name(users[i].role));
        ch_jw_key(&w, "services");
        ch_jw_arr(&w);
        for (size_t k = 0; k < users[i].nservices; k++)
            ch_jw_str(&w, users[i].services[k]);
        ch_jw_arr_end(&w);
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

enum MHD_Result ch_http_users_create(ch_req *r)
{
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    if (r->user.role != CH_ROLE_ADMIN)
        return ch_http_problem(r, 403, "Administrators only",
                               "Only an administrator can add staff.", NULL);
    json_t *body = ch_req_body(r, &res);
    if (!body)
        return res;
    ch_user u = {0};
    u.email = ch_req_text(&p, body, "email", 254, true);
    u.name = ch_req_text(&p, body, "name", 200, true);
    const char *role = ch_req_text(&p, body, "role", 16, true);
    const char *password = ch_req_text(&p, body, "password", 256, true);
    json_t *services = json_object_get(body, "services");
    if (u.email && !strchr(u.email, '@'))
        ch_req_bad(&p, "email", "email must be an email address.");
    if (role && ch_role_parse(role, &u.role))
        ch_req_bad(&p, "role", "role must be admin, manager or officer.");
    if (password && strlen(password) < 10)
        ch_req_bad(&p, "password", "password must be at least 10 characters.");
    size_t n = json_array_size(services);
    if (services && (!json_is_array(services) || n > 64))
        ch_req_bad(&p, "services", "services must be a list of at most 64 services.");
    const char **names = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*names));
    for (size_t i = 0; names && json_is_array(services) && i < n && i < 64; i++) {
        const char *s = json_string_value(json_array_get(services, i));
        ch_desk_service ds;
        if (!s || strlen(s) > 140 || ch_desk_service_find(r->desk, s, &ds, &err)) {
            ch_req_bad(&p, "services", "%s", s ? err.msg : "each service must be a string.");
            break;
        }
        names[u.nservices++] = ch_arena_strdup(&r->arena, ds.name);
    }
    u.services = names;
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    char hash[crypto_pwhash_STRBYTES];
    int64_t id;
    err = (ch_error){0};
    if (ch_password_hash(password, hash, &err) ||
        (u.password_hash = hash, ch_store_user_insert(r->desk->store, &u, &id, &err))) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = ch_http_json(r, 201,
                       json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "email", u.email,
                                 "name", u.name, "role", ch_role_name(u.role)),
                       NULL);
out:
    json_decref(body);
    return res;
}

enum MHD_Result ch_http_tokens_create(ch_req *r)
{
    ch_error err = {0};
    char token[CH_TOKEN_LEN + 1];
    uint8_t hash[32];
    ch_token_new(token, hash);
    if (ch_store_token_insert(r->desk->store, r->user.id, hash, &err))
        return ch_http_error(r, &err);
    return ch_http_json(r, 201,
                        json_pack("{s:s, s:s}", "token", token, "detail",
                                  "Keep this token safe: it is shown only now. Send it as "
                                  "Authorization: Bearer."),
                        NULL);
}
