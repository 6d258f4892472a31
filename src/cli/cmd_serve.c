/* `charter serve`: the case desk over HTTP on the chosen store. */
#include "cli/cli.h"
#include "cli/desk_setup.h"
#include "http/auth.h"
#include "mail/mail.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* SIGHUP, and after a charter is posted: the same files with the posted/
 * folder beside them (or the policies/ folder) again, validated and saved. */
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

/* --listen as ADDRESS:PORT with an IPv4 address and a port of digits. */
static bool parse_listen(const char *listen, struct sockaddr_in *addr)
{
    char host[INET_ADDRSTRLEN];
    const char *colon = strrchr(listen, ':');
    long long port;
    if (!colon || (size_t)(colon - listen) >= sizeof(host) || colon[1] == '\0' ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1) || strlen(colon + 1) > 5) {
        ch_usage_error("serve", "--listen '%.80s' must be ADDRESS:PORT, e.g. 127.0.0.1:8080",
                       listen);
        return false;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    *addr = (struct sockaddr_in){.sin_family = AF_INET};
    if (inet_pton(AF_INET, host, &addr->sin_addr) != 1) {
        ch_usage_error("serve", "--listen '%.80s': '%s' is not an IPv4 address such as 127.0.0.1",
                       listen, host);
        return false;
    }
    if (!ch_arg_number("serve", "--listen's port", colon + 1, 0, 65535, &port))
        return false;
    addr->sin_port = htons((uint16_t)port);
    return true;
}

/* Binds the address once and lets it go, so a port in use or an address
 * not this machine's is found before the database is created. */
static int try_listen(const char *listen, const struct sockaddr_in *addr)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, rc = CH_EXIT_OK;
    if (fd < 0)
        return CH_EXIT_OK; /* the server will say what is wrong */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (const struct sockaddr *)addr, sizeof(*addr)) != 0) {
        if (errno == EADDRNOTAVAIL) {
            rc = ch_usage_error("serve", "--listen '%.80s': that address is not this machine's",
                                listen);
        } else {
            fprintf(stderr, "charter serve: cannot listen on %.80s: %s\n", listen,
                    errno == EADDRINUSE ? "the port is in use" : strerror(errno));
            rc = CH_EXIT_FAIL;
        }
    }
    close(fd);
    return rc;
}

/* Whether the file holds a PEM block of the kind named (its label ends
 * with label), so a swapped or empty file is found before the database is
 * made rather than when the server starts. */
static bool pem_has(const char *path, const char *label)
{
    char buf[16384];
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return false;
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    const char *begin = strstr(buf, "-----BEGIN ");
    const char *end = begin ? strstr(begin + 11, "-----") : NULL;
    size_t len = strlen(label);
    return end && (size_t)(end - begin) >= len && strncmp(end - len, label, len) == 0;
}

/* Every argument, checked before anything is opened or created. */
static int check_args(const char *listen, const char *db, const char *cert, const char *key,
                      const char *web, bool web_given, const char *smtp, const char *mail_from,
                      const ch_opt_list *policies)
{
    struct sockaddr_in addr;
    if (!parse_listen(listen, &addr))
        return CH_EXIT_USAGE;
    if (!ch_arg_db("serve", "--db", db, true) || !ch_arg_policies("serve", policies))
        return CH_EXIT_USAGE;
    if (!cert != !key)
        return ch_usage_error("serve", "give both --tls-cert and --tls-key, or neither");
    if (cert &&
        (!ch_arg_file("serve", "--tls-cert", cert) || !ch_arg_file("serve", "--tls-key", key)))
        return CH_EXIT_USAGE;
    if (cert && !pem_has(cert, "CERTIFICATE"))
        return ch_usage_error("serve", "--tls-cert '%.200s' holds no PEM certificate", cert);
    if (key && !pem_has(key, "PRIVATE KEY"))
        return ch_usage_error("serve", "--tls-key '%.200s' holds no PEM private key", key);
    if (web_given && !ch_arg_dir("serve", "--web", web))
        return CH_EXIT_USAGE;
    if (smtp && strncmp(smtp, "smtp://", 7) != 0 && strncmp(smtp, "smtps://", 8) != 0)
        return ch_usage_error("serve", "--smtp '%.80s' must be a URL like smtp://127.0.0.1:25",
                              smtp);
    if (!ch_mail_address_ok(mail_from))
        return ch_usage_error("serve", "--mail-from '%.80s' must be an e-mail address", mail_from);
    return try_listen(listen, &addr);
}

int ch_cmd_serve(int argc, char **argv)
{
    const char *listen = NULL, *db = NULL, *cert = NULL, *key = NULL, *sweep = NULL;
    const char *web = NULL, *smtp = NULL, *mail_from = NULL, *smtp_ca = NULL, *outbox = NULL;
    const char *retry = NULL, *site = NULL;
    const char *proxy_items[8];
    ch_opt_list proxies = {proxy_items, 0, 8};
    bool starttls = false;
    const char *policies[CH_MAX_DESK_POLICIES];
    ch_opt_list plist = {policies, 0, CH_MAX_DESK_POLICIES};
    ch_desk d = {0};
    ch_error err = {0};
    int rc = CH_EXIT_FAIL;
    bool mail_ready = false;
    const ch_opt opts[] = {
        {"--listen", CH_OPT_ONE, &listen},
        {"--db", CH_OPT_ONE, &db},
        {"--tls-cert", CH_OPT_ONE, &cert},
        {"--tls-key", CH_OPT_ONE, &key},
        {"--sweep-seconds", CH_OPT_ONE, &sweep},
        {"--web", CH_OPT_ONE, &web},
        {"--smtp", CH_OPT_ONE, &smtp},
        {"--mail-from", CH_OPT_ONE, &mail_from},
        {"--site", CH_OPT_ONE, &site},
        {"--trusted-proxy", CH_OPT_MANY, &proxies},
        {"--policy", CH_OPT_MANY, &plist},
        {"--smtp-ca", CH_OPT_ONE, &smtp_ca},
        {"--smtp-starttls", CH_OPT_FLAG, &starttls},
        {"--outbox-seconds", CH_OPT_ONE, &outbox},
        {"--outbox-retry-seconds", CH_OPT_ONE, &retry},
    };
    if (!ch_args_parse("serve", argc, argv, opts, sizeof(opts) / sizeof(*opts), NULL, &rc))
        return rc;
    bool web_given = web != NULL;
    listen = listen ? listen : "127.0.0.1:8080";
    db = db ? db : "charter.db";
    web = web ? web : "web/dist";
    if (mail_from && !smtp)
        return ch_usage_error("serve", "--mail-from needs --smtp, the server mail goes through");
    mail_from = mail_from ? mail_from : "charter@localhost";
    /* Links in mail go to this address only, never to a Host a request names. */
    if (site && (strlen(site) >= sizeof(d.site) - 1 ||
                 (strncmp(site, "https://", 8) != 0 && strncmp(site, "http://", 7) != 0) ||
                 strpbrk(site, " \t\r\n\"<>") || site[strlen(site) - 1] == '/'))
        return ch_usage_error("serve",
                              "--site '%.60s' must be an http:// or https:// address without a "
                              "trailing slash, e.g. https://desk.example.org",
                              site);
    if ((smtp_ca || starttls) && !smtp)
        return ch_usage_error("serve", "--smtp-ca and --smtp-starttls go with --smtp");
    if (smtp_ca && !ch_arg_file("serve", "--smtp-ca", smtp_ca))
        return CH_EXIT_USAGE;
    long long sweep_s = 60, outbox_s = 30;
    if (sweep && !ch_arg_number("serve", "--sweep-seconds", sweep, 1, 3600, &sweep_s))
        return CH_EXIT_USAGE;
    if (outbox && !ch_arg_number("serve", "--outbox-seconds", outbox, 1, 3600, &outbox_s))
        return CH_EXIT_USAGE;
    long long retry_s = 60;
    if (retry && !ch_arg_number("serve", "--outbox-retry-seconds", retry, 1, 3600, &retry_s))
        return CH_EXIT_USAGE;
    if ((rc = check_args(listen, db, cert, key, web, web_given, smtp, mail_from, &plist)))
        return rc;
    struct stat st;
    if (!web_given && (stat(web, &st) != 0 || !S_ISDIR(st.st_mode)))
        fprintf(stderr,
                "charter serve: warning: there is no %s here, so the browser desk at /app/ "
                "is not served; give --web DIR\n",
                web);
    size_t npolicies = plist.n;
    rc = CH_EXIT_FAIL;
    pthread_mutex_init(&d.logins.mu, NULL);
    pthread_mutex_init(&d.login_accounts.mu, NULL);
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
    if (site)
        snprintf(d.site, sizeof(d.site), "%s", site);
    for (size_t i = 0; i < proxies.n; i++) {
        unsigned char addr[sizeof(struct in6_addr)];
        if (strlen(proxies.items[i]) >= sizeof(d.trusted_proxies[0]) ||
            (inet_pton(AF_INET, proxies.items[i], addr) != 1 &&
             inet_pton(AF_INET6, proxies.items[i], addr) != 1))
            return ch_usage_error("serve",
                                  "--trusted-proxy '%.60s' must be an IP address, e.g. 127.0.0.1",
                                  proxies.items[i]);
        snprintf(d.trusted_proxies[d.ntrusted++], sizeof(d.trusted_proxies[0]), "%s",
                 proxies.items[i]);
    }
    d.mail_from = mail_from;
    d.smtp_ca = smtp_ca;
    d.smtp_starttls = starttls;
    d.outbox_seconds = (unsigned)outbox_s;
    d.retry_seconds = (unsigned)retry_s;
    if (ch_auth_init(&err) || ch_mail_init(&err))
        goto out;
    mail_ready = true;
    if (ch_cli_desk_policies(&d, policies, npolicies))
        goto out;
    ch_cli_desk_warn_routes(&d);
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
    pthread_mutex_destroy(&d.login_accounts.mu);
    pthread_mutex_destroy(&d.publics.mu);
    pthread_rwlock_destroy(&d.policies_lock);
    if (mail_ready)
        ch_mail_cleanup();
    return rc;
}
