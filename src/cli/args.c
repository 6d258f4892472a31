/* Option parsing and policy loading shared by the subcommands. */
#include "cli/cli.h"
#include "policy/load.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ch_arg_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return 0;
    if (arg[n] == '=') {
        *value = arg + n + 1;
        return 1;
    }
    if (arg[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "charter: %s needs a value\n", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

bool ch_arg_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

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

int ch_cli_load_policy(const char *path, ch_policy **out)
{
    ch_diags diags = {0};
    int rc = ch_policy_load_file(out, path, &diags);
    ch_diags_print(&diags, stderr);
    ch_diags_free(&diags);
    return rc;
}

const ch_service *ch_cli_service(const ch_policy *policy, const char *path, const char *id)
{
    const ch_service *svc = ch_policy_service(policy, id ? id : "enquiries");
    if (svc)
        return svc;
    if (id)
        fprintf(stderr, "charter: %s has no service '%s'; its services are:", path, id);
    else
        fprintf(stderr,
                "charter: %s has no 'enquiries' service, so give --service; its "
                "services are:",
                path);
    for (size_t i = 0; i < policy->nservices; i++)
        fprintf(stderr, " %s", policy->services[i].id);
    fputc('\n', stderr);
    return NULL;
}
