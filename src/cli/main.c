/* The one `charter` binary: git-style subcommands over the same public
 * headers any other client of the core would use. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: charter <command> [options]\n"
    "\n"
    "Charter keeps a service's published promises: it works out when each one\n"
    "falls due in the service's own working time.\n"
    "\n"
    "commands:\n"
    "  due        when the promises for one contact fall due\n"
    "  calendar   a calendar's open periods between two dates\n"
    "  policy     check charter policy files (charter policy check FILE...)\n"
    "  serve      run the case desk over HTTP\n"
    "  admin      staff accounts and API tokens\n"
    "  demo       fill a database with demonstration staff and cases\n"
    "  migrate    move a whole desk from SQLite to PostgreSQL\n"
    "  statement  a school's termly statement of purchased hours\n"
    "\n"
    "Run 'charter <command> --help' for a command's options.\n";

int main(int argc, char **argv)
{
    if (argc < 2 || ch_arg_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CH_EXIT_USAGE : CH_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        puts("charter 0.1.0");
        return CH_EXIT_OK;
    }
    if (strcmp(argv[1], "due") == 0)
        return ch_cmd_due(argc - 1, argv + 1);
    if (strcmp(argv[1], "calendar") == 0)
        return ch_cmd_calendar(argc - 1, argv + 1);
    if (strcmp(argv[1], "policy") == 0)
        return ch_cmd_policy(argc - 1, argv + 1);
    if (strcmp(argv[1], "serve") == 0)
        return ch_cmd_serve(argc - 1, argv + 1);
    if (strcmp(argv[1], "admin") == 0)
        return ch_cmd_admin(argc - 1, argv + 1);
    if (strcmp(argv[1], "demo") == 0)
        return ch_cmd_demo(argc - 1, argv + 1);
    if (strcmp(argv[1], "migrate") == 0)
        return ch_cmd_migrate(argc - 1, argv + 1);
    if (strcmp(argv[1], "statement") == 0)
        return ch_cmd_statement(argc - 1, argv + 1);
    fprintf(stderr, "charter: '%s' is not a command\n\n%s", argv[1], usage);
    return CH_EXIT_USAGE;
}
