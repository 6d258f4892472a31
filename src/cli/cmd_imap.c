/* `charter imap`: takes a service's mail from a hosted mailbox over IMAP
 * into the desk, once or every so many seconds, marking each message only
 * after the store has kept it. */
#include "cli/cli.h"
#include "cli/desk_setup.h"
#include "core/mailrule.h"
#include "mail/imap.h"
#include "mail/ingest.h"
#include "mail/message.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* As for charter mailgate: the store or the server could not be reached,
 * so try again later (sysexits' EX_TEMPFAIL). */
enum { EXIT_TEMPFAIL = 75 };

typedef struct imap_args {
    const char *db, *url, *user, *password_file, *service, *ca_file, *move_to, *refused_to;
    const char *every;
    bool once;
    const char *policies[CH_MAX_DESK_POLICIES];
    size_t npolicies;
    long long every_s;
} imap_args;

/* Messages of a batch taken at once: their commits share the store's
 * disk flushes, which otherwise bound a poll to a few hundred a second. */
enum { WORKERS = 16 };

/* What one poll did, for the line it prints; counted from the workers. */
typedef struct tally {
    const ch_ingest_ctx *base;
    pthread_mutex_t mu;
    size_t opened, replies, kept, duplicates, bounces;
} tally;

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static bool folder_arg(const char *opt, const char *folder)
{
    size_t n = strlen(folder);
    bool ok = n > 0 && n <= 200;
    for (size_t i = 0; ok && i < n; i++)
        ok = folder[i] >= ' ' && folder[i] <= '~';
    if (!ok)
        ch_usage_error("imap", "%s '%.64s' must be a folder name of 1-200 plain ASCII characters",
                       opt, folder);
    return ok;
}

static int parse_args(int argc, char **argv, imap_args *a)
{
    ch_opt_list plist = {a->policies, 0, CH_MAX_DESK_POLICIES};
    ch_error err = {0};
    const ch_opt opts[] = {
        {"--db", CH_OPT_ONE, &a->db},           {"--url", CH_OPT_ONE, &a->url},
        {"--user", CH_OPT_ONE, &a->user},       {"--password-file", CH_OPT_ONE, &a->password_file},
        {"--service", CH_OPT_ONE, &a->service}, {"--ca-file", CH_OPT_ONE, &a->ca_file},
        {"--move-to", CH_OPT_ONE, &a->move_to}, {"--refused-to", CH_OPT_ONE, &a->refused_to},
        {"--once", CH_OPT_FLAG, &a->once},      {"--every", CH_OPT_ONE, &a->every},
        {"--policy", CH_OPT_MANY, &plist},
    };
    int status;
    if (!ch_args_parse("imap", argc, argv, opts, sizeof(opts) / sizeof(*opts), NULL, &status))
        return status == CH_EXIT_OK ? -1 : status;
    a->npolicies = plist.n;
    if (!a->db || !a->url || !a->user || !a->password_file)
        return ch_usage_error("imap", "--db, --url, --user and --password-file are required");
    if (a->once == (a->every != NULL))
        return ch_usage_error("imap", "give --once, or --every SECONDS to keep polling");
    if (a->every && !ch_arg_number("imap", "--every", a->every, 1, 86400, &a->every_s))
        return CH_EXIT_USAGE;
    if (ch_imap_url_check(a->url, &err))
        return ch_usage_error("imap", "--url: %s", err.msg);
    size_t ulen = strlen(a->user);
    if (ulen == 0 || ulen > 254 || strpbrk(a->user, "\r\n"))
        return ch_usage_error("imap", "--user must be the mailbox's login name, 1-254 characters");
    if (!ch_arg_db("imap", "--db", a->db, false) || !ch_arg_policies("imap", &plist) ||
        !ch_arg_file("imap", "--password-file", a->password_file) ||
        (a->ca_file && !ch_arg_file("imap", "--ca-file", a->ca_file)))
        return CH_EXIT_USAGE;
    if ((a->move_to && !folder_arg("--move-to", a->move_to)) ||
        (a->refused_to && !folder_arg("--refused-to", a->refused_to)))
        return CH_EXIT_USAGE;
    return 0;
}

/* The first line of the file, so the password is never in argv. */
static int read_password(const char *path, char *out, size_t size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return ch_usage_error("imap", "--password-file '%.200s' cannot be read: %s", path,
                              strerror(errno));
    size_t n = fread(out, 1, size - 1, fp);
    fclose(fp);
    out[n] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    if (out[0] == '\0')
        return ch_usage_error("imap",
                              "--password-file '%.200s' holds no password on its first line", path);
    if (strlen(out) >= size - 1)
        return ch_usage_error("imap", "--password-file '%.200s': the password is over %zu bytes",
                              path, size - 2);
    return 0;
}

/* Clears the password from memory, in a way the compiler keeps. */
static void wipe(char *p, size_t n)
{
    volatile char *v = p;
    while (n--)
        *v++ = '\0';
}

/* The handler: one message into the desk. Only a message that can never
 * be taken is refused; anything else wrong is the store's, for later. */
static int take(void *arg, const ch_imap_message *m, ch_error *err)
{
    tally *t = arg;
    ch_ingest_ctx ctx = *t->base;
    ch_ingest_result res = {0};
    ctx.now = m->internal_date ? m->internal_date : (ch_time)time(NULL);
    int rc = ch_mail_ingest(&ctx, m->raw, m->len, &res, err);
    if (rc == CH_E_INVALID || rc == CH_E_NOTFOUND)
        return rc;
    if (rc)
        return CH_E_STORE;
    pthread_mutex_lock(&t->mu);
    if (res.duplicate)
        t->duplicates++;
    else if (res.bounce)
        t->bounces++;
    else if (res.opened)
        t->opened++;
    else if (res.case_id)
        t->replies++;
    else
        t->kept++;
    pthread_mutex_unlock(&t->mu);
    return CH_OK;
}

static void refused(void *arg, uint32_t uid, const char *why)
{
    (void)arg;
    fprintf(stderr,
            "charter imap: message UID %u was refused and flagged so it is not taken "
            "again: %s\n",
            uid, why);
}

/* "took 12 messages: 10 new cases, 2 replies". */
static void print_tally(const tally *t, const ch_imap_summary *s, const imap_args *a)
{
    struct {
        size_t n;
        const char *one, *many;
    } parts[] = {
        {t->opened, "new case", "new cases"},
        {t->replies, "reply", "replies"},
        {t->bounces, "delivery report", "delivery reports"},
        {t->kept, "kept without a case", "kept without a case"},
        {t->duplicates, "taken before", "taken before"},
    };
    printf("took %zu message%s", s->taken, s->taken == 1 ? "" : "s");
    const char *sep = ": ";
    for (size_t i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
        if (!parts[i].n)
            continue;
        printf("%s%zu %s", sep, parts[i].n, parts[i].n == 1 ? parts[i].one : parts[i].many);
        sep = ", ";
    }
    if (s->refused)
        printf("; refused %zu (%s)", s->refused,
               a->refused_to ? "moved to the refused folder" : "flagged " CH_IMAP_REFUSED_KEYWORD);
    if (s->left)
        printf("; left %zu for the next poll", s->left);
    putchar('\n');
    fflush(stdout);
}

/* A PostgreSQL URL with a pool for every worker, unless it says. */
static const char *db_url(const char *db, char *buf, size_t size)
{
    if ((strncmp(db, "postgres://", 11) != 0 && strncmp(db, "postgresql://", 13) != 0) ||
        strstr(db, "pool=") || strlen(db) + 16 > size)
        return db;
    snprintf(buf, size, "%s%cpool=%d", db, strchr(db, '?') ? '&' : '?', WORKERS);
    return buf;
}

/* One poll with its own store connection, so a store that went away and
 * came back is simply used again. The exit status it would end with. */
static int poll_once(const imap_args *a, const ch_imap_options *o, ch_ingest_ctx *ctx)
{
    ch_error err = {0};
    ch_imap_summary s = {0};
    char url[1200];
    tally t = {.base = ctx};
    int rc;
    if (ch_store_open(&ctx->store, db_url(a->db, url, sizeof(url)), &err)) {
        fprintf(stderr, "charter imap: the store cannot be reached, so nothing was taken: %s\n",
                err.msg);
        return EXIT_TEMPFAIL;
    }
    ch_imap_handler h = {take, refused, &t};
    pthread_mutex_init(&t.mu, NULL);
    rc = ch_imap_poll(o, &h, &s, &err);
    pthread_mutex_destroy(&t.mu);
    ch_store_close(ctx->store);
    ctx->store = NULL;
    if (s.found || rc == CH_OK)
        print_tally(&t, &s, a);
    switch (rc) {
    case CH_OK:
        return CH_EXIT_OK;
    case CH_E_STORE:
    case CH_E_UNAVAILABLE:
        fprintf(stderr,
                "charter imap: the store could not keep a message, so it and the %zu after it "
                "stay unread on the server for the next poll: %s\n",
                s.left > 0 ? s.left - 1 : 0, err.msg);
        return EXIT_TEMPFAIL;
    case CH_E_IO:
        fprintf(stderr, "charter imap: %s; the messages not yet taken stay for the next poll\n",
                err.msg);
        return EXIT_TEMPFAIL;
    default:
        fprintf(stderr, "charter imap: %s\n", err.msg);
        return CH_EXIT_FAIL;
    }
}

int ch_cmd_imap(int argc, char **argv)
{
    imap_args a = {0};
    ch_desk d = {0};
    ch_error err = {0};
    char password[1024];
    const ch_policy **pols = NULL;
    bool curl_ready = false;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? CH_EXIT_OK : rc;
    if ((rc = read_password(a.password_file, password, sizeof(password))))
        return rc;
    rc = CH_EXIT_FAIL;
    if (ch_cli_desk_policies(&d, a.policies, a.npolicies))
        goto out;
    if (!(pols = calloc(d.npolicies ? d.npolicies : 1, sizeof(*pols))))
        goto out;
    for (size_t i = 0; i < d.npolicies; i++)
        pols[i] = d.policies[i].policy;
    /* A mistyped service would have every message refused and flagged. */
    ch_mail_route route;
    if (a.service && ch_mail_route_named(pols, d.npolicies, a.service, &route, &err)) {
        rc = ch_usage_error("imap", "--service '%.130s': %s", a.service, err.msg);
        ch_error_clear(&err);
        goto out;
    }
    if (ch_imap_init(&err))
        goto out;
    curl_ready = true;
    ch_message_init();
    ch_ingest_ctx ctx = {.policies = pols, .npolicies = d.npolicies, .service = a.service};
    ch_imap_options o = {.url = a.url,
                         .user = a.user,
                         .password = password,
                         .ca_file = a.ca_file,
                         .move_to = a.move_to,
                         .refused_to = a.refused_to,
                         .max_bytes = CH_MAIL_MAX_BYTES,
                         .workers = WORKERS};
    if (a.once) {
        rc = poll_once(&a, &o, &ctx);
        goto out;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    while (!stopping) {
        rc = poll_once(&a, &o, &ctx);
        if (rc != CH_EXIT_OK && rc != EXIT_TEMPFAIL)
            goto out; /* a refused login or a missing folder will not mend itself */
        for (long long i = 0; i < a.every_s && !stopping; i++)
            sleep(1);
    }
    rc = CH_EXIT_OK;
out:
    if (err.code)
        fprintf(stderr, "charter imap: %s\n", err.msg);
    wipe(password, sizeof(password));
    free(pols);
    ch_cli_desk_free(&d);
    if (curl_ready) {
        ch_message_shutdown();
        ch_imap_cleanup();
    }
    return rc;
}
