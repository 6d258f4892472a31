/* `charter admin`: staff accounts and API tokens, against the same --db as
 * the server (it may be running: SQLite's locking keeps both safe). */
#include "cli/cli.h"
#include "cli/desk_setup.h"
#include "http/auth.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char CMD_ADD[] = "admin user add", CMD_TOKEN[] = "admin token";

enum { PASSWORD_MIN = 10, PASSWORD_MAX = 256 }; /* as POST /api/v1/users asks */

/* The first line of standard input, which must be a password of the
 * length the desk accepts; prints why not and returns CH_EXIT_USAGE. */
static int read_password(char *buf, size_t size)
{
    if (!fgets(buf, (int)size, stdin)) {
        fprintf(stderr, "charter %s: no password on standard input\n", CMD_ADD);
        return CH_EXIT_USAGE;
    }
    size_t len = strcspn(buf, "\r\n");
    bool whole = buf[len] != '\0' || feof(stdin);
    buf[len] = '\0';
    if (!whole || len > PASSWORD_MAX || len < PASSWORD_MIN) {
        fprintf(stderr, "charter %s: the password on standard input must be %d to %d characters\n",
                CMD_ADD, PASSWORD_MIN, PASSWORD_MAX);
        return CH_EXIT_USAGE;
    }
    return CH_EXIT_OK;
}

int ch_cmd_admin_user_add(int argc, char **argv)
{
    const char *email = NULL, *name = NULL, *role_s = NULL, *db = NULL;
    const char *services[64], *policies[CH_MAX_DESK_POLICIES];
    ch_opt_list slist = {services, 0, 64}, plist = {policies, 0, CH_MAX_DESK_POLICIES};
    bool pw_stdin = false;
    ch_error err = {0};
    ch_desk d = {0};
    int rc = CH_EXIT_FAIL;
    const ch_opt opts[] = {
        {"--email", CH_OPT_ONE, &email},
        {"--name", CH_OPT_ONE, &name},
        {"--role", CH_OPT_ONE, &role_s},
        {"--db", CH_OPT_ONE, &db},
        {"--service", CH_OPT_MANY, &slist},
        {"--policy", CH_OPT_MANY, &plist},
        {"--password-stdin", CH_OPT_FLAG, &pw_stdin},
    };
    if (!ch_args_parse(CMD_ADD, argc, argv, opts, sizeof(opts) / sizeof(*opts), NULL, &rc))
        return rc;
    size_t nservices = slist.n, npolicies = plist.n;
    db = db ? db : "charter.db";
    ch_role role;
    if (!email || !name || !role_s || !pw_stdin)
        return ch_usage_error(CMD_ADD, "--email, --name, --role and --password-stdin are needed");
    if (ch_role_parse(role_s, &role))
        return ch_usage_error(CMD_ADD, "--role '%.40s' must be admin, manager or officer", role_s);
    if (strlen(email) > 254 || !strchr(email, '@') || email[0] == '@')
        return ch_usage_error(CMD_ADD, "--email '%.80s' must be an e-mail address", email);
    if (strlen(name) == 0 || strlen(name) > 200)
        return ch_usage_error(CMD_ADD, "--name must be 1 to 200 characters");
    if (npolicies && !nservices)
        return ch_usage_error(CMD_ADD, "--policy only says where --service is looked up; give "
                                       "--service too");
    if (!ch_arg_db(CMD_ADD, "--db", db, false) || (nservices && !ch_arg_policies(CMD_ADD, &plist)))
        return CH_EXIT_USAGE;
    /* Services are arguments too: each must name one before anything is written. */
    const char *full[64];
    char names[64][140];
    if (nservices && ch_cli_desk_policies(&d, policies, npolicies))
        goto out;
    for (size_t i = 0; i < nservices; i++) {
        ch_desk_service ds;
        if (ch_desk_service_find(&d, services[i], &ds, &err)) {
            rc = ch_usage_error(CMD_ADD, "--service '%.80s': %s", services[i], err.msg);
            err.code = CH_OK;
            goto out;
        }
        snprintf(names[i], sizeof(names[i]), "%s", ds.name);
        full[i] = names[i];
    }
    char password[300], hash[crypto_pwhash_STRBYTES];
    if ((rc = read_password(password, sizeof(password))))
        goto out;
    rc = CH_EXIT_FAIL;
    if (ch_auth_init(&err) || ch_password_hash(password, hash, &err))
        goto out;
    ch_store *store = NULL;
    int64_t id;
    ch_user u = {0, email, name, role, hash, full, nservices};
    /* Done at the console, by no signed-in user: the audit says so by
     * "cli" where a request gives its address. */
    ch_audit_row row = {
        .at = (ch_time)time(NULL), .action = "create", .object = "user", .remote = "cli"};
    if (ch_store_open(&store, db, &err) == CH_OK && !ch_store_audit_attach(store, &row, &id) &&
        ch_store_audit_finish(store, ch_store_user_insert(store, &u, &id, &err), &err) == CH_OK) {
        printf("added %s (%s), user %lld\n", email, ch_role_name(role), (long long)id);
        rc = CH_EXIT_OK;
    }
    ch_store_close(store);
out:
    if (err.code)
        fprintf(stderr, "charter %s: %s\n", CMD_ADD, err.msg);
    ch_cli_desk_free(&d);
    return rc;
}

int ch_cmd_admin_token(int argc, char **argv)
{
    const char *email = NULL, *db = NULL;
    ch_error err = {0};
    int status;
    const ch_opt opts[] = {{"--email", CH_OPT_ONE, &email}, {"--db", CH_OPT_ONE, &db}};
    if (!ch_args_parse(CMD_TOKEN, argc, argv, opts, sizeof(opts) / sizeof(*opts), NULL, &status))
        return status;
    db = db ? db : "charter.db";
    if (!email)
        return ch_usage_error(CMD_TOKEN, "--email is needed");
    if (!ch_arg_db(CMD_TOKEN, "--db", db, false))
        return CH_EXIT_USAGE;
    ch_store *store = NULL;
    ch_arena arena = {0};
    ch_user u;
    char tok[CH_TOKEN_LEN + 1];
    uint8_t hash[32];
    int rc = CH_EXIT_FAIL;
    if (ch_auth_init(&err) || ch_store_open(&store, db, &err) ||
        ch_store_user_by_email(store, email, &arena, &u, &err))
        goto out;
    ch_token_new(tok, hash);
    int64_t token_id = 0;
    ch_audit_row row = {
        .at = (ch_time)time(NULL), .action = "create", .object = "token", .remote = "cli"};
    if (ch_store_audit_attach(store, &row, &token_id) ||
        ch_store_audit_finish(
            store,
            ch_store_token_insert(store, u.id, hash, "charter admin token",
                                  (ch_time)time(NULL) + (ch_time)CH_TOKEN_DAYS * 86400, &token_id,
                                  &err),
            &err))
        goto out;
    puts(tok);
    rc = CH_EXIT_OK;
out:
    if (err.code == CH_E_NOTFOUND)
        fprintf(stderr, "charter %s: there is no user %.80s\n", CMD_TOKEN, email);
    else if (err.code)
        fprintf(stderr, "charter %s: %s\n", CMD_TOKEN, err.msg);
    ch_store_close(store);
    ch_arena_free(&arena);
    return rc;
}
