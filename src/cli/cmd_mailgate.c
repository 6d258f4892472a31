/* `charter mailgate`: one message on standard input from a mail server's
 * pipe onto the desk; its exit status (sysexits.h) tells the server what to
 * do: 0 taken, 75 try again later, 65 never (said on stderr), 64 usage. */
#include "cli/cli.h"
#include "cli/desk_setup.h"
#include "core/mailrule.h"
#include "mail/ingest.h"
#include "mail/message.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { EX_OK_ = 0, EX_USAGE_ = 64, EX_DATAERR_ = 65, EX_TEMPFAIL_ = 75 };

/* Standard input, up to CH_MAIL_MAX_BYTES + 1 so an oversize message is
 * seen to be one. NULL with *len 0 when it could not be read. */
static char *read_stdin(size_t *len, bool *failed)
{
    size_t cap = 64 * 1024, n = 0;
    char *buf = malloc(cap);
    *failed = false;
    while (buf) {
        if (n == cap) {
            size_t grown =
                cap * 2 > (size_t)CH_MAIL_MAX_BYTES + 1 ? (size_t)CH_MAIL_MAX_BYTES + 1 : cap * 2;
            if (grown == cap)
                break;
            char *more = realloc(buf, grown);
            if (!more) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = more;
            cap = grown;
        }
        size_t got = fread(buf + n, 1, cap - n, stdin);
        n += got;
        if (got == 0) {
            if (ferror(stdin)) {
                free(buf);
                buf = NULL;
            }
            break;
        }
    }
    *failed = buf == NULL;
    *len = buf ? n : 0;
    return buf;
}

/* The policies: the --policy files, else every *.yaml in --policies DIR
 * (default policies/), with the posted/ charters beside them. */
static int load_policies(ch_desk *d, const ch_opt_list *files, const char *dir)
{
    if (files->n || !dir)
        return ch_cli_desk_policies(d, files->items, files->n);
    char pattern[1100];
    glob_t g = {0};
    snprintf(pattern, sizeof(pattern), "%s/*.yaml", dir);
    if (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
        fprintf(stderr, "charter mailgate: no policies (*.yaml) in %s\n", dir);
        globfree(&g);
        return CH_E_NOTFOUND;
    }
    size_t n = g.gl_pathc > CH_MAX_DESK_POLICIES ? CH_MAX_DESK_POLICIES : g.gl_pathc;
    int rc = ch_cli_desk_policies(d, (const char *const *)g.gl_pathv, n);
    globfree(&g);
    return rc;
}

int ch_cmd_mailgate(int argc, char **argv)
{
    const char *db = NULL, *service = NULL, *recipient = NULL, *dir = NULL;
    const char *files[CH_MAX_DESK_POLICIES];
    ch_opt_list plist = {files, 0, CH_MAX_DESK_POLICIES};
    const ch_opt opts[] = {{"--db", CH_OPT_ONE, &db},
                           {"--service", CH_OPT_ONE, &service},
                           {"--recipient", CH_OPT_ONE, &recipient},
                           {"--policies", CH_OPT_ONE, &dir},
                           {"--policy", CH_OPT_MANY, &plist}};
    int status = 0;
    if (!ch_args_parse("mailgate", argc, argv, opts, sizeof(opts) / sizeof(*opts), NULL, &status))
        return status == CH_EXIT_OK ? EX_OK_ : EX_USAGE_;
    if (!db)
        db = "charter.db";
    if (dir && plist.n) {
        ch_usage_error("mailgate", "give --policies DIR or --policy FILE, not both");
        return EX_USAGE_;
    }
    if ((dir && !ch_arg_dir("mailgate", "--policies", dir)) ||
        !ch_arg_files("mailgate", "--policy", &plist))
        return EX_USAGE_;
    if (recipient && (strlen(recipient) > CH_MAIL_ADDRESS_MAX || !*recipient)) {
        ch_usage_error("mailgate", "--recipient must be an address of at most %d characters",
                       CH_MAIL_ADDRESS_MAX);
        return EX_USAGE_;
    }
    if (service && (strlen(service) > 130 || !*service)) {
        ch_usage_error("mailgate", "--service must be POLICY/SERVICE, e.g. cognus/enquiries");
        return EX_USAGE_;
    }
    /* A SQLite file must be there already: mail is never filed into a new,
     * empty desk made by a mistyped path. The mail server keeps it meanwhile. */
    bool pg = strncmp(db, "postgres://", 11) == 0 || strncmp(db, "postgresql://", 13) == 0;
    const char *path = strncmp(db, "sqlite:", 7) == 0 ? db + 7 : db;
    struct stat st;
    if (!pg && (stat(path, &st) != 0 || !S_ISREG(st.st_mode))) {
        fprintf(stderr,
                "charter mailgate: there is no database at %s (charter serve --db creates "
                "one); the message is left with the mail server to try again\n",
                path);
        return EX_TEMPFAIL_;
    }

    ch_desk d = {0};
    ch_store *store = NULL;
    char *raw = NULL;
    size_t len;
    bool unread;
    int rc = EX_TEMPFAIL_;
    ch_error err = {0};
    if (load_policies(&d, &plist, plist.n ? NULL : (dir ? dir : "policies"))) {
        fprintf(stderr, "charter mailgate: the policies could not be loaded; the message is "
                        "left with the mail server to try again once they are fixed\n");
        goto out;
    }
    if (!(raw = read_stdin(&len, &unread)) || unread) {
        fprintf(stderr, "charter mailgate: the message could not be read from standard input\n");
        goto out;
    }
    if (len > CH_MAIL_MAX_BYTES) {
        fprintf(stderr,
                "charter mailgate: the message is larger than the desk takes (25 MiB); ask the "
                "sender to share large files another way\n");
        rc = EX_DATAERR_;
        goto out;
    }
    if (ch_store_open(&store, db, &err)) {
        fprintf(stderr,
                "charter mailgate: the desk's store cannot be opened (%s); the message "
                "is left with the mail server to try again\n",
                err.msg);
        goto out;
    }
    const ch_policy **pols = calloc(d.npolicies + 1, sizeof(*pols));
    if (!pols)
        goto out;
    for (size_t i = 0; i < d.npolicies; i++)
        pols[i] = d.policies[i].policy;
    ch_message_init();
    ch_ingest_ctx ctx = {.store = store,
                         .policies = pols,
                         .npolicies = d.npolicies,
                         .service = service,
                         .recipient = recipient,
                         .now = (ch_time)time(NULL)};
    ch_ingest_result res;
    int taken = ch_mail_ingest(&ctx, raw, len, &res, &err);
    ch_message_shutdown();
    free(pols);
    if (taken == CH_E_STORE || taken == CH_E_UNAVAILABLE || taken == CH_E_NOMEM ||
        taken == CH_E_IO) {
        fprintf(stderr,
                "charter mailgate: the message could not be stored (%s); it is left "
                "with the mail server to try again\n",
                err.msg);
        goto out;
    }
    if (taken) {
        fprintf(stderr, "charter mailgate: this message cannot be taken: %s\n", err.msg);
        rc = EX_DATAERR_;
        goto out;
    }
    if (res.duplicate)
        printf("charter mailgate: already taken (inbound mail %lld, case %lld)\n",
               (long long)res.mail_in_id, (long long)res.case_id);
    else if (res.case_id)
        printf("charter mailgate: filed on case %lld%s%s (inbound mail %lld)\n",
               (long long)res.case_id, res.opened ? ", opened" : "",
               res.acknowledged ? ", acknowledged" : "", (long long)res.mail_in_id);
    else
        printf("charter mailgate: kept as inbound mail %lld, not filed on a case\n",
               (long long)res.mail_in_id);
    if (res.why_no_ack[0] && !res.duplicate)
        printf("%s\n", res.why_no_ack);
    rc = EX_OK_;
out:
    free(raw);
    if (store)
        ch_store_close(store);
    ch_cli_desk_free(&d);
    return rc;
}
