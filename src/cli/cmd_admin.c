/* `charter admin`: staff accounts and API tokens, against the same --db as
 * the server (it may be running: SQLite's locking keeps both safe). */
#include "cli/cli.h"
#include "cli/desk_setup.h"
#include "http/auth.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: charter admin user add --email E --name N --role admin|manager|officer\n"
    "                              [--service ID]... --password-stdin [--db PATH]\n"
    "                              [--policy FILE]...\n"
    "       charter admin token --email E [--db PATH]\n"
    "\n"
    "user add creates a staff account; the password is read from standard input.\n"
    "A service is POLICY/SERVICE (cognus/enquiries) or a bare id unique among the\n"
    "policies (every policies/*.yaml unless --policy is given).\n"
    "token prints a new API token for Authorization: Bearer.\n";

static int read_password(char *buf, size_t size)
{
    if (!fgets(buf, (int)size, stdin))
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

static int user_add(int argc, char **argv)
{
    const char *email = NULL, *name = NULL, *role_s = NULL, *db = "charter.db";
    const char *services[64], *policies[CH_MAX_DESK_POLICIES];
    size_t nservices = 0, npolicies = 0;
    bool pw_stdin = false;
    ch_error err = {0};
    ch_desk d = {0};
    int rc = CH_EXIT_FAIL;
    for (int i = 3; i < argc; i++) { /* after "admin user add" */
        const char *v;
        int r;
        if (strcmp(argv[i], "--password-stdin") == 0) {
            pw_stdin = true;
            continue;
        }
        if ((r = ch_arg_value(argc, argv, &i, "--email", &email)) ||
            (r = ch_arg_value(argc, argv, &i, "--name", &name)) ||
            (r = ch_arg_value(argc, argv, &i, "--role", &role_s)) ||
            (r = ch_arg_value(argc, argv, &i, "--db", &db))) {
            if (r < 0)
                return CH_EXIT_USAGE;
            continue;
        }
        if ((r = ch_arg_value(argc, argv, &i, "--service", &v))) {
            if (r < 0 || nservices == 64)
                return r < 0 ? CH_EXIT_USAGE : ch_usage_error("admin", "at most 64 services");
            services[nservices++] = v;
            continue;
        }
        if ((r = ch_arg_value(argc, argv, &i, "--policy", &v))) {
            if (r < 0 || npolicies == CH_MAX_DESK_POLICIES)
                return r < 0 ? CH_EXIT_USAGE : ch_usage_error("admin", "too many policies");
            policies[npolicies++] = v;
            continue;
        }
        return ch_usage_error("admin", "unknown option '%s'", argv[i]);
    }
    ch_role role;
    if (!email || !name || !role_s || !pw_stdin)
        return ch_usage_error("admin", "--email, --name, --role and --password-stdin are needed");
    if (ch_role_parse(role_s, &role))
        return ch_usage_error("admin", "--role must be admin, manager or officer");
    if (strlen(email) > 254 || !strchr(email, '@') || strlen(name) == 0 || strlen(name) > 200)
        return ch_usage_error("admin", "give a real email address and a name of 1-200 characters");
    char password[300], hash[crypto_pwhash_STRBYTES];
    const char *full[64];
    char names[64][140];
    if (read_password(password, sizeof(password))) {
        fprintf(stderr, "charter admin: no password on standard input\n");
        return CH_EXIT_FAIL;
    }
    if (ch_auth_init(&err) || ch_password_hash(password, hash, &err))
        goto out;
    if (nservices && ch_cli_desk_policies(&d, policies, npolicies))
        goto out;
    for (size_t i = 0; i < nservices; i++) {
        ch_desk_service ds;
        if (ch_desk_service_find(&d, services[i], &ds, &err))
            goto out;
        snprintf(names[i], sizeof(names[i]), "%s", ds.name);
        full[i] = names[i];
    }
    ch_store *store = NULL;
    int64_t id;
    ch_user u = {0, email, name, role, hash, full, nservices};
    if (ch_store_open(&store, db, &err) == CH_OK &&
        ch_store_user_insert(store, &u, &id, &err) == CH_OK) {
        printf("added %s (%s), user %lld\n", email, ch_role_name(role), (long long)id);
        rc = CH_EXIT_OK;
    }
    ch_store_close(store);
out:
    if (err.code)
        fprintf(stderr, "charter admin: %s\n", err.msg);
    ch_cli_desk_free(&d);
    return rc;
}

static int token(int argc, char **argv)
{
    const char *email = NULL, *db = "charter.db";
    ch_error err = {0};
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = ch_arg_value(argc, argv, &i, "--email", &email)) ||
            (r = ch_arg_value(argc, argv, &i, "--db", &db))) {
            if (r < 0)
                return CH_EXIT_USAGE;
            continue;
        }
        return ch_usage_error("admin", "unknown option '%s'", argv[i]);
    }
    if (!email)
        return ch_usage_error("admin", "--email is needed");
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
    if (ch_store_token_insert(store, u.id, hash, &err))
        goto out;
    puts(tok);
    rc = CH_EXIT_OK;
out:
    if (err.code == CH_E_NOTFOUND)
        fprintf(stderr, "charter admin: there is no user %s\n", email);
    else if (err.code)
        fprintf(stderr, "charter admin: %s\n", err.msg);
    ch_store_close(store);
    ch_arena_free(&arena);
    return rc;
}

int ch_cmd_admin(int argc, char **argv)
{
    if (argc < 2 || ch_arg_is_help(argv[1])) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CH_EXIT_USAGE : CH_EXIT_OK;
    }
    if (argc >= 3 && strcmp(argv[1], "user") == 0 && strcmp(argv[2], "add") == 0)
        return user_add(argc, argv);
    if (strcmp(argv[1], "token") == 0)
        return token(argc - 1, argv + 1);
    return ch_usage_error("admin", "unknown subcommand; use 'user add' or 'token'");
}
