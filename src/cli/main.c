/* The one `charter` binary: git-style subcommands over the same public
 * headers any other client of the core would use. */
#include "cli/cli.h"

#include <string.h>

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"due", ch_cmd_due},
    {"calendar", ch_cmd_calendar},
    {"policy check", ch_cmd_policy_check},
    {"serve", ch_cmd_serve},
    {"admin user add", ch_cmd_admin_user_add},
    {"admin token", ch_cmd_admin_token},
    {"demo", ch_cmd_demo},
    {"migrate", ch_cmd_migrate},
    {"statement", ch_cmd_statement},
    {"mailgate", ch_cmd_mailgate},
    {"imap", ch_cmd_imap},
    {"audit verify", ch_cmd_audit_verify},
    {"retention run", ch_cmd_retention_run},
};

/* How many of argv's words, from the first, spell name; 0 if they do not. */
static int words_match(const char *name, int argc, char **argv)
{
    int used = 0;
    while (*name) {
        size_t len = strcspn(name, " ");
        if (used >= argc || strlen(argv[used]) != len || strncmp(argv[used], name, len) != 0)
            return 0;
        used++;
        name += len;
        name += *name == ' ';
    }
    return used;
}

/* The words of argv (at most three) joined by spaces, for a group's name. */
static void join(char *out, size_t size, int argc, char **argv)
{
    out[0] = '\0';
    for (int i = 0; i < argc && i < 3; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "", argv[i]);
}

/* charter help [WORDS...]: the same text as charter WORDS --help. */
static int help(int argc, char **argv)
{
    char words[200];
    if (argc == 0) {
        ch_cli_main_usage(stdout);
        return CH_EXIT_OK;
    }
    join(words, sizeof(words), argc, argv);
    if (argc > 3 || !ch_cli_help(stdout, words)) {
        fprintf(stderr, "charter help: there is no command '%.64s'\n(see charter --help)\n", words);
        return CH_EXIT_USAGE;
    }
    return CH_EXIT_OK;
}

/* A group's word without a known subcommand (charter admin, charter
 * admin frob): its usage, as help with --help and as a mistake otherwise. */
static int group(const char *name, int argc, char **argv)
{
    size_t n;
    const ch_cli_doc *docs = ch_cli_docs(&n);
    bool helping = false;
    for (int i = 1; i < argc; i++)
        helping = helping || strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
    if (helping) {
        ch_cli_help(stdout, name);
        return CH_EXIT_OK;
    }
    fprintf(stderr, "charter %s: ", name);
    if (argc > 1)
        fprintf(stderr, "'%.64s' is not one of its commands; they are:", argv[1]);
    else
        fprintf(stderr, "name one of its commands:");
    const char *sep = " ";
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(name);
        if (strncmp(docs[i].name, name, len) == 0 && docs[i].name[len] == ' ') {
            fprintf(stderr, "%s'%s'", sep, docs[i].name);
            sep = ", ";
        }
    }
    fprintf(stderr, "\n(see charter %s --help)\n", name);
    return CH_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        ch_cli_main_usage(stderr);
        return CH_EXIT_USAGE;
    }
    const char *first = argv[1];
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0)
        return help(0, NULL);
    if (strcmp(first, "help") == 0 && argc > 2 &&
        (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
        ch_cli_help(stdout, "help");
        return CH_EXIT_OK;
    }
    if (strcmp(first, "help") == 0) {
        /* charter help -- due, like any other command. */
        int skip = argc > 2 && strcmp(argv[2], "--") == 0;
        return help(argc - 2 - skip, argv + 2 + skip);
    }
    if (strcmp(first, "--version") == 0 || strcmp(first, "version") == 0) {
        if (argc > 2 && strcmp(argv[2], "--help") != 0 && strcmp(argv[2], "-h") != 0)
            return ch_usage_error("version", "takes no arguments");
        if (argc > 2)
            ch_cli_help(stdout, "version");
        else
            printf("charter %s\n", ch_cli_version);
        return CH_EXIT_OK;
    }
    if (strcmp(first, "--man") == 0) {
        ch_cli_man(stdout);
        return CH_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++) {
        int used = words_match(commands[i].name, argc - 1, argv + 1);
        /* The command sees its last word as argv[0] and its options after. */
        if (used)
            return commands[i].run(argc - used, argv + used);
    }
    size_t n;
    const ch_cli_doc *docs = ch_cli_docs(&n);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(first);
        if (strncmp(docs[i].name, first, len) == 0 && docs[i].name[len] == ' ')
            return group(first, argc - 1, argv + 1);
    }
    if (first[0] == '-')
        fprintf(stderr, "charter: unknown option '%.64s'", first);
    else
        fprintf(stderr, "charter: '%.64s' is not a command", first);
    fprintf(stderr, "; the commands are:");
    for (size_t i = 0; i < n; i++)
        if (i == 0 || !strchr(docs[i].name, ' ') ||
            strncmp(docs[i].name, docs[i - 1].name, strcspn(docs[i].name, " ") + 1) != 0)
            fprintf(stderr, " %.*s", (int)strcspn(docs[i].name, " "), docs[i].name);
    fprintf(stderr, "\n(see charter --help)\n");
    return CH_EXIT_USAGE;
}
