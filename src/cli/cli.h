/* The `charter` command's subcommands and the small helpers they share.
 * Exit statuses: 0 success, 1 a problem with the input or the answer, 2 a
 * usage error (unknown option, missing or malformed argument), after which
 * nothing has been created or changed. */
#ifndef CH_CLI_H
#define CH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/policy.h"

enum { CH_EXIT_OK = 0, CH_EXIT_FAIL = 1, CH_EXIT_USAGE = 2 };

int ch_cmd_due(int argc, char **argv);
int ch_cmd_calendar(int argc, char **argv);
int ch_cmd_policy_check(int argc, char **argv);
int ch_cmd_serve(int argc, char **argv);
int ch_cmd_admin_user_add(int argc, char **argv);
int ch_cmd_admin_token(int argc, char **argv);
int ch_cmd_demo(int argc, char **argv);
int ch_cmd_migrate(int argc, char **argv);
int ch_cmd_statement(int argc, char **argv);
int ch_cmd_mailgate(int argc, char **argv);
int ch_cmd_imap(int argc, char **argv);
int ch_cmd_audit_verify(int argc, char **argv);
int ch_cmd_retention_run(int argc, char **argv);

/* --- Usage, from the one table in usage.c --- */

enum { CH_CLI_MAX_OPTIONS = 16 };

typedef struct ch_cli_option {
    const char *form; /* "--listen ADDRESS:PORT" */
    const char *text;
} ch_cli_option;

typedef struct ch_cli_doc {
    const char *name;                          /* the words after charter: "admin user add" */
    const char *summary;                       /* one line for the list of commands */
    const char *synopsis;                      /* the arguments after the name */
    const char *about;                         /* paragraphs separated by '\n' */
    ch_cli_option options[CH_CLI_MAX_OPTIONS]; /* ended by a NULL form */
} ch_cli_doc;

extern const char ch_cli_version[];

const ch_cli_doc *ch_cli_docs(size_t *n);

/* The list of commands, for charter --help. */
void ch_cli_main_usage(FILE *fp);

/* The usage of the command named by words ("serve", "admin user add"), or
 * of every command in a group ("admin"); false when there is none. */
bool ch_cli_help(FILE *fp, const char *words);

/* Whether cmd's usage documents the option opt ("--db"). */
bool ch_cli_documents(const char *cmd, const char *opt);

/* The manual page charter(1), as roff. */
void ch_cli_man(FILE *fp);

/* --- Arguments --- */

typedef enum ch_opt_kind {
    CH_OPT_FLAG, /* --json: sets a bool */
    CH_OPT_ONE,  /* --db PATH: at most once */
    CH_OPT_MANY, /* --policy FILE: repeatable, into a ch_opt_list */
} ch_opt_kind;

typedef struct ch_opt_list {
    const char **items;
    size_t n, max;
} ch_opt_list;

typedef struct ch_opt {
    const char *name; /* "--db" */
    ch_opt_kind kind;
    void *out; /* bool *, const char ** or ch_opt_list * */
} ch_opt;

/* Parses argv[1..argc) for the command cmd ("admin user add") against the
 * options opts (nopts of them). --help or -h anywhere before -- prints the
 * command's usage; arguments after -- or not starting with - go to
 * positional (NULL: the command takes none). Returns true to go on;
 * false when the command must end with *status (0 after --help, 2 after
 * saying what is wrong). */
bool ch_args_parse(const char *cmd, int argc, char **argv, const ch_opt *opts, size_t nopts,
                   ch_opt_list *positional, int *status);

/* Prints "charter CMD: message" and the usage hint; returns CH_EXIT_USAGE. */
int ch_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The checks below print a usage error naming the option and return false
 * when the value will not do. */

/* A whole number from min to max. */
bool ch_arg_number(const char *cmd, const char *opt, const char *value, long long min,
                   long long max, long long *out);

/* A file that exists and can be read. */
bool ch_arg_file(const char *cmd, const char *opt, const char *path);

/* Each of the files in list. */
bool ch_arg_files(const char *cmd, const char *opt, const ch_opt_list *list);

/* The --policy files, or without any a policies/ folder with charters. */
bool ch_arg_policies(const char *cmd, const ch_opt_list *list);

/* A folder that exists. */
bool ch_arg_dir(const char *cmd, const char *opt, const char *path);

/* A file to be written: its folder exists and it is not itself a folder. */
bool ch_arg_out_file(const char *cmd, const char *opt, const char *path);

/* A database: postgres://... is left to the server; otherwise a SQLite
 * path (sqlite:PATH or PATH) whose folder exists, and which must exist
 * already unless may_create. */
bool ch_arg_db(const char *cmd, const char *opt, const char *db, bool may_create);

/* Loads a policy file, printing every problem on stderr. On success *out
 * belongs to the caller (ch_policy_free). */
int ch_cli_load_policy(const char *path, ch_policy **out);

/* Finds a service by id; a missing id means "enquiries". Prints the choices
 * on stderr, as a usage error of cmd, when it is absent. */
const ch_service *ch_cli_service(const ch_policy *policy, const char *cmd, const char *path,
                                 const char *id);

#endif
