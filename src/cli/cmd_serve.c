/* `charter serve`: the case desk over HTTP on the chosen store. */
#include "cli/cli.h"
#include "cli/desk_setup.h"
#include "http/auth.h"
#include "mail/mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: charter serve [--listen ADDRESS:PORT] [--db PATH-or-URL] [--policy FILE]...\n"
    "                     [--tls-cert FILE --tls-key FILE] [--sweep-seconds N] [--web DIR]\n"
    "                     [--smtp smtp://HOST:PORT --mail-from ADDRESS]\n"
    "\n"
    "Runs the case desk. --listen defaults to 127.0.0.1:8080, --db to ./charter.db\n"
    "(SQLite; postgres://USER@HOST:PORT/DB for PostgreSQL), and the policies to every\n"
    "policies/*.yaml. Past-due promises are marked breached every --sweep-seconds\n"
    "(default 60). The browser desk is served from --web (default web/dist) at\n"
    "/app/. On first start with an empty database it creates an\n"
    "administrator and prints the one-time password. SIGHUP reloads the policies.\n"
    "With --smtp the desk can e-mail termly statements to schools, from --mail-from\n"
    "(default charter@localhost).\n";

static char *read_file(const char *path)
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

/* Keeps each policy's text in the store, a new version when it changed. */
static int save_policies(ch_store *store, ch_desk_policy *p, size_t n, ch_error *err)
{
    for (size_t i = 0; i < n; i++) {
        char *text = read_file(p[i].path);
        if (!text)
            return ch_error_set(err, CH_E_IO, "cannot read %s", p[i].path);
        int rc = ch_store_policy_save(store, p[i].policy->id, text, (ch_time)time(NULL),
                                      &p[i].version, err);
        free(text);
        if (rc)
            return rc;
    }
    return CH_OK;
}

static const char *policy_paths[CH_MAX_DESK_POLICIES];
static size_t npolicy_paths;

static void release(ch_desk_policy *p, size_t n)
{
    ch_desk tmp = {.policies = p, .npolicies = n};
    ch_cli_desk_free(&tmp);
}

/* SIGHUP: the same files (or policies/ folder) again, validated and saved. */
static int reload(ch_desk *d, ch_desk_policy **out, size_t *n)
{
    ch_desk tmp = {0};
    ch_error err = {0};
    if (ch_cli_desk_policies(&tmp, policy_paths, npolicy_paths) ||
        save_policies(d->store, tmp.policies, tmp.npolicies, &err)) {
        if (err.code)
            fprintf(stderr, "charter serve: %s\n", err.msg);
        ch_cli_desk_free(&tmp);
        return CH_E_INVALID;
    }
    *out = tmp.policies;
    *n = tmp.npolicies;
    return CH_OK;
}

/* The first administrator, with a password shown once. */
static int bootstrap_admin(ch_desk *d, ch_error *err)
{
    int64_t count, id;
    int rc = ch_store_user_count(d->store, &count, err);
    if (rc || count > 0)
        return rc;
    char password[CH_TOKEN_LEN + 1], hash[crypto_pwhash_STRBYTES];
    uint8_t unused[32];
    ch_token_new(password, unused);
    password[20] = '\0';
    if ((rc = ch_password_hash(password, hash, err)))
        return rc;
    ch_user admin = {0, "admin@charter.local", "Administrator", CH_ROLE_ADMIN, hash, NULL, 0};
    if ((rc = ch_store_user_insert(d->store, &admin, &id, err)))
        return rc;
    printf("Created the administrator: sign in as admin@charter.local with password %s\n"
           "(shown once; add staff with charter admin user add)\n",
           password);
    return CH_OK;
}

int ch_cmd_serve(int argc, char **argv)
{
    const char *listen = "127.0.0.1:8080", *db = "charter.db", *cert = NULL, *key = NULL;
    const char *sweep = "60", *web = "web/dist", *smtp = NULL, *mail_from = "charter@localhost";
    const char *policies[CH_MAX_DESK_POLICIES];
    size_t npolicies = 0;
    ch_desk d = {0};
    ch_error err = {0};
    int rc = CH_EXIT_FAIL;
    bool mail_ready = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r;
        if (ch_arg_is_help(argv[i])) {
            fputs(usage, stdout);
            return CH_EXIT_OK;
        }
        if ((r = ch_arg_value(argc, argv, &i, "--listen", &listen)) ||
            (r = ch_arg_value(argc, argv, &i, "--db", &db)) ||
            (r = ch_arg_value(argc, argv, &i, "--tls-cert", &cert)) ||
            (r = ch_arg_value(argc, argv, &i, "--tls-key", &key)) ||
            (r = ch_arg_value(argc, argv, &i, "--sweep-seconds", &sweep)) ||
            (r = ch_arg_value(argc, argv, &i, "--web", &web)) ||
            (r = ch_arg_value(argc, argv, &i, "--smtp", &smtp)) ||
            (r = ch_arg_value(argc, argv, &i, "--mail-from", &mail_from))) {
            if (r < 0)
                return CH_EXIT_USAGE;
            continue;
        }
        if ((r = ch_arg_value(argc, argv, &i, "--policy", &v))) {
            if (r < 0)
                return CH_EXIT_USAGE;
            if (npolicies == CH_MAX_DESK_POLICIES)
                return ch_usage_error("serve", "at most %d policies", CH_MAX_DESK_POLICIES);
            policies[npolicies++] = v;
            continue;
        }
        return ch_usage_error("serve", "unknown option '%s'", argv[i]);
    }
    char *end;
    long sweep_s = strtol(sweep, &end, 10);
    if (*end || sweep_s < 1 || sweep_s > 3600)
        return ch_usage_error("serve", "--sweep-seconds must be 1 to 3600");
    if (smtp && strncmp(smtp, "smtp://", 7) != 0 && strncmp(smtp, "smtps://", 8) != 0)
        return ch_usage_error("serve", "--smtp is a URL like smtp://127.0.0.1:25");
    if (!ch_mail_address_ok(mail_from))
        return ch_usage_error("serve", "--mail-from must be an e-mail address");
    pthread_mutex_init(&d.logins.mu, NULL);
    pthread_mutex_init(&d.publics.mu, NULL);
    pthread_rwlock_init(&d.policies_lock, NULL);
    d.reload = reload;
    d.release = release;
    memcpy(policy_paths, policies, npolicies * sizeof(*policies));
    npolicy_paths = npolicies;
    d.body_limit = 64 * 1024;
    d.sweep_seconds = (unsigned)sweep_s;
    d.web_dir = web;
    d.smtp_url = smtp;
    d.mail_from = mail_from;
    if (ch_auth_init(&err) || ch_mail_init(&err))
        goto out;
    mail_ready = true;
    if (ch_cli_desk_policies(&d, policies, npolicies))
        goto out;
    /* A PostgreSQL pool as large as the thread pool, unless the URL says. */
    char url[1200];
    d.threads = ch_desk_threads();
    if ((strncmp(db, "postgres://", 11) == 0 || strncmp(db, "postgresql://", 13) == 0) &&
        !strstr(db, "pool=") && strlen(db) < sizeof(url) - 16) {
        snprintf(url, sizeof(url), "%s%cpool=%u", db, strchr(db, '?') ? '&' : '?', d.threads);
        db = url;
    }
    if (ch_store_open(&d.store, db, &err) ||
        save_policies(d.store, d.policies, d.npolicies, &err) || bootstrap_admin(&d, &err) ||
        ch_desk_serve(&d, listen, cert, key, &err))
        goto out;
    rc = CH_EXIT_OK;
out:
    if (err.code)
        fprintf(stderr, "charter serve: %s\n", err.msg);
    ch_store_close(d.store);
    ch_cli_desk_free(&d);
    pthread_mutex_destroy(&d.logins.mu);
    pthread_mutex_destroy(&d.publics.mu);
    pthread_rwlock_destroy(&d.policies_lock);
    if (mail_ready)
        ch_mail_cleanup();
    return rc;
}
