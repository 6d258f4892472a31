/* Option parsing, the checks every subcommand makes of its arguments
 * before it touches anything, and policy loading shared by them. */
#include "cli/cli.h"
#include "policy/load.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ch_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "charter %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see charter %s --help)\n", cmd);
    return CH_EXIT_USAGE;
}

static bool is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

static const ch_opt *find_opt(const ch_opt *opts, size_t nopts, const char *arg, size_t len)
{
    for (size_t i = 0; i < nopts; i++)
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, arg, len) == 0)
            return &opts[i];
    return NULL;
}

static bool list_add(const char *cmd, const char *what, ch_opt_list *list, const char *v,
                     int *status)
{
    if (list->n == list->max) {
        *status = ch_usage_error(cmd, "at most %zu %s", list->max, what);
        return false;
    }
    list->items[list->n++] = v;
    return true;
}

bool ch_args_parse(const char *cmd, int argc, char **argv, const ch_opt *opts, size_t nopts,
                   ch_opt_list *positional, int *status)
{
    /* An option the usage does not list would be one no one can find. */
    for (size_t i = 0; i < nopts; i++) {
        if (!ch_cli_documents(cmd, opts[i].name)) {
            fprintf(stderr, "charter %s: %s is missing from its usage in src/cli/usage.c\n", cmd,
                    opts[i].name);
            *status = CH_EXIT_FAIL;
            return false;
        }
    }
    /* --help wins over any mistake before or after it. */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (is_help(argv[i])) {
            ch_cli_help(stdout, cmd);
            *status = CH_EXIT_OK;
            return false;
        }
    }
    bool options = true;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (options && strcmp(arg, "--") == 0) {
            options = false;
            continue;
        }
        if (!options || arg[0] != '-' || arg[1] == '\0') {
            if (!positional) {
                *status =
                    ch_usage_error(cmd, "takes no argument '%s'; its options start with --", arg);
                return false;
            }
            if (!list_add(cmd, "arguments", positional, arg, status))
                return false;
            continue;
        }
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        const ch_opt *o = find_opt(opts, nopts, arg, len);
        if (!o) {
            *status = ch_usage_error(cmd, "unknown option '%.*s'", (int)(len > 64 ? 64 : len), arg);
            return false;
        }
        if (o->kind == CH_OPT_FLAG) {
            if (eq) {
                *status = ch_usage_error(cmd, "%s takes no value", o->name);
                return false;
            }
            *(bool *)o->out = true;
            continue;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (!value) {
            /* A separate value that looks like an option is a forgotten value. */
            if (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0) {
                *status = ch_usage_error(cmd,
                                         "%s needs a value (write %s=VALUE for one that "
                                         "starts with --)",
                                         o->name, o->name);
                return false;
            }
            value = argv[++i];
        }
        if (o->kind == CH_OPT_MANY) {
            if (!list_add(cmd, o->name, o->out, value, status))
                return false;
            continue;
        }
        const char **slot = o->out;
        if (*slot) {
            *status = ch_usage_error(cmd, "%s is given twice; give it once", o->name);
            return false;
        }
        *slot = value;
    }
    return true;
}

bool ch_arg_number(const char *cmd, const char *opt, const char *value, long long min,
                   long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    /* strtoll would take leading blanks and a sign; a count is digits. */
    bool digits = value[0] >= '0' && value[0] <= '9';
    if (!digits || *end || errno == ERANGE || v < min || v > max) {
        ch_usage_error(cmd, "%s must be a whole number from %lld to %lld, not '%.40s'", opt, min,
                       max, value);
        return false;
    }
    *out = v;
    return true;
}

bool ch_arg_file(const char *cmd, const char *opt, const char *path)
{
    struct stat st;
    if (!*path || stat(path, &st) != 0) {
        ch_usage_error(cmd, "%s '%s': %s", opt, path,
                       *path ? strerror(errno) : "the path is empty");
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        ch_usage_error(cmd, "%s '%s' is a folder; name a file", opt, path);
        return false;
    }
    if (access(path, R_OK) != 0) {
        ch_usage_error(cmd, "%s '%s' cannot be read: %s", opt, path, strerror(errno));
        return false;
    }
    return true;
}

bool ch_arg_files(const char *cmd, const char *opt, const ch_opt_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        if (!ch_arg_file(cmd, opt, list->items[i]))
            return false;
    return true;
}

bool ch_arg_policies(const char *cmd, const ch_opt_list *list)
{
    if (list->n)
        return ch_arg_files(cmd, "--policy", list);
    glob_t g = {0};
    bool found = glob("policies/*.yaml", 0, NULL, &g) == 0 && g.gl_pathc > 0;
    globfree(&g);
    if (!found)
        ch_usage_error(cmd, "no policies: give --policy FILE, or run where a policies/ folder "
                            "holds *.yaml charters");
    return found;
}

bool ch_arg_dir(const char *cmd, const char *opt, const char *path)
{
    struct stat st;
    if (!*path || stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        ch_usage_error(cmd, "%s '%s' is not a folder that exists", opt, path);
        return false;
    }
    return true;
}

/* The folder part of path ("." for a bare name) into out. */
static void parent_dir(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, size, ".");
    else if (slash == path)
        snprintf(out, size, "/");
    else
        snprintf(out, size, "%.*s", (int)(slash - path), path);
}

bool ch_arg_out_file(const char *cmd, const char *opt, const char *path)
{
    char dir[PATH_MAX];
    struct stat st;
    if (!*path || strlen(path) >= sizeof(dir)) {
        ch_usage_error(cmd, "%s needs a file name", opt);
        return false;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        ch_usage_error(cmd, "%s '%s' is a folder; name a file", opt, path);
        return false;
    }
    parent_dir(path, dir, sizeof(dir));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        ch_usage_error(cmd, "%s '%s': the folder %s does not exist", opt, path, dir);
        return false;
    }
    return true;
}

bool ch_arg_db(const char *cmd, const char *opt, const char *db, bool may_create)
{
    if (strncmp(db, "postgres://", 11) == 0 || strncmp(db, "postgresql://", 13) == 0)
        return true;
    const char *path = strncmp(db, "sqlite:", 7) == 0 ? db + 7 : db;
    struct stat st;
    if (strstr(db, "://")) {
        ch_usage_error(cmd, "%s '%s' must be a SQLite file or postgres://USER@HOST:PORT/DB", opt,
                       db);
        return false;
    }
    if (!*path) {
        ch_usage_error(cmd, "%s needs a database file", opt);
        return false;
    }
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            ch_usage_error(cmd, "%s '%s' is a folder; name the database file", opt, path);
            return false;
        }
        return true;
    }
    if (!may_create) {
        ch_usage_error(cmd, "%s '%s': there is no database there (charter serve --db creates one)",
                       opt, path);
        return false;
    }
    return ch_arg_out_file(cmd, opt, path);
}

int ch_cli_load_policy(const char *path, ch_policy **out)
{
    ch_diags diags = {0};
    int rc = ch_policy_load_file(out, path, &diags);
    ch_diags_print(&diags, stderr);
    ch_diags_free(&diags);
    return rc;
}

const ch_service *ch_cli_service(const ch_policy *policy, const char *cmd, const char *path,
                                 const char *id)
{
    const ch_service *svc = ch_policy_service(policy, id ? id : "enquiries");
    if (svc)
        return svc;
    if (id)
        fprintf(stderr,
                "charter %s: --service '%s': %s has no such service; its services are:", cmd, id,
                path);
    else
        fprintf(stderr,
                "charter %s: %s has no 'enquiries' service, so give --service; its "
                "services are:",
                cmd, path);
    for (size_t i = 0; i < policy->nservices; i++)
        fprintf(stderr, " %s", policy->services[i].id);
    fputc('\n', stderr);
    return NULL;
}
