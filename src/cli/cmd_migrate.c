/* `charter migrate`: moves a whole desk (cases, people, staff, credentials,
 * policy history and the audit log) from one store to another, then checks
 * that every table holds as many rows as it did. */
#include "cli/cli.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct copy_ctx {
    ch_store *to;
    const ch_store_table *table;
    int64_t rows;
} copy_ctx;

static int copy_row(void *arg, const char *const *values, ch_error *err)
{
    copy_ctx *c = arg;
    c->rows++;
    return ch_store_import_row(c->to, c->table, values, err);
}

int ch_cmd_migrate(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    ch_store *src = NULL, *dst = NULL;
    ch_error err = {0};
    int rc = CH_EXIT_FAIL;
    bool importing = false;
    int64_t *counts = NULL; /* rows copied, per table */
    const ch_opt opts[] = {{"--from", CH_OPT_ONE, &from}, {"--to", CH_OPT_ONE, &to}};
    if (!ch_args_parse("migrate", argc, argv, opts, sizeof(opts) / sizeof(*opts), NULL, &rc))
        return rc;
    if (!from || !to)
        return ch_usage_error("migrate", "--from and --to are both needed");
    if (strcmp(from, to) == 0)
        return ch_usage_error("migrate", "--from and --to are the same desk");
    /* An absent --from would be created empty, and "migrated". */
    if (!ch_arg_db("migrate", "--from", from, false))
        return CH_EXIT_USAGE;
    /* Only PostgreSQL takes an import; a SQLite --to would be made, then refused. */
    if (strncmp(to, "postgres://", 11) != 0 && strncmp(to, "postgresql://", 13) != 0)
        return ch_usage_error("migrate", "--to '%.80s' must be postgres://USER@HOST:PORT/DB", to);
    rc = CH_EXIT_FAIL;
    if (ch_store_open(&src, from, &err) || ch_store_open(&dst, to, &err) ||
        ch_store_import_begin(dst, &err))
        goto out;
    importing = true;
    /* As many as the store has tables: a fixed array overflowed once the
     * list grew past it. */
    if (!(counts = calloc(ch_store_ntables, sizeof(*counts)))) {
        ch_error_set(&err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < ch_store_ntables; i++) {
        copy_ctx ctx = {dst, &ch_store_tables[i], 0};
        if (ch_store_table_each(src, &ch_store_tables[i], copy_row, &ctx, &err))
            goto out;
        counts[i] = ctx.rows;
    }
    importing = false;
    if (ch_store_import_end(dst, true, &err))
        goto out;
    bool same = true;
    for (size_t i = 0; i < ch_store_ntables; i++) {
        int64_t a, b;
        if (ch_store_table_count(src, &ch_store_tables[i], &a, &err) ||
            ch_store_table_count(dst, &ch_store_tables[i], &b, &err))
            goto out;
        printf("%-20s %8lld -> %8lld%s\n", ch_store_tables[i].name, (long long)a, (long long)b,
               a == b && a == counts[i] ? "" : "   MISMATCH");
        same = same && a == b && a == counts[i];
    }
    if (!same) {
        fprintf(stderr, "charter migrate: the counts differ; do not use the new desk\n");
        goto out;
    }
    printf("migrated: every table holds the same number of rows\n");
    rc = CH_EXIT_OK;
out:
    if (importing)
        ch_store_import_end(dst, false, &(ch_error){0});
    if (err.code)
        fprintf(stderr, "charter migrate: %s\n", err.msg);
    ch_store_close(src);
    ch_store_close(dst);
    free(counts);
    return rc;
}
