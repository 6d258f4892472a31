/* The `charter` command's subcommands and the small helpers they share.
 * Exit statuses: 0 success, 1 a problem with the input or the answer, 2 a
 * usage error (unknown option, missing argument). */
#ifndef CH_CLI_H
#define CH_CLI_H

#include <stdbool.h>

#include "core/policy.h"

enum { CH_EXIT_OK = 0, CH_EXIT_FAIL = 1, CH_EXIT_USAGE = 2 };

int ch_cmd_due(int argc, char **argv);
int ch_cmd_calendar(int argc, char **argv);
int ch_cmd_policy(int argc, char **argv);
int ch_cmd_serve(int argc, char **argv);
int ch_cmd_admin(int argc, char **argv);
int ch_cmd_demo(int argc, char **argv);
int ch_cmd_migrate(int argc, char **argv);
int ch_cmd_statement(int argc, char **argv);

/* Matches argv[*i] against --name VALUE or --name=VALUE. Returns 1 with
 * *value set (advancing *i past a separate value), 0 when it is another
 * option, -1 (after printing why) when the value is missing. */
int ch_arg_value(int argc, char **argv, int *i, const char *name, const char **value);

bool ch_arg_is_help(const char *arg);

/* Prints "charter CMD: message" and the usage hint; returns CH_EXIT_USAGE. */
int ch_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Loads a policy file, printing every problem on stderr. On success *out
 * belongs to the caller (ch_policy_free). */
int ch_cli_load_policy(const char *path, ch_policy **out);

/* Finds a service by id; a missing id means "enquiries". Prints the choices
 * on stderr when it is absent. */
const ch_service *ch_cli_service(const ch_policy *policy, const char *path, const char *id);

#endif
