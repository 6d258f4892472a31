/* What the public standards page reads from the SQLite store: how many cases
 * of some kinds (complaints, compliments) a charter's services received in a
 * span of time, counted on the (kind, received_at) index. */
#include "store/sqlite/internal.h"

#include <stdio.h>
#include <string.h>

int ch_sq_kind_counts(ch_store *base, ch_time from, ch_time to, const char *const *services,
                      size_t nservices, const char *const *kinds, size_t nkinds, int64_t *counts,
                      ch_error *err)
{
    char sql[2048];
    size_t used = (size_t)snprintf(sql, sizeof(sql),
                                   "SELECT kind, count(*) FROM cases"
                                   " WHERE received_at >= ?1 AND received_at < ?2");
    ch_sq_in_list(sql, sizeof(sql), &used, "kind", nkinds);
    ch_sq_in_list(sql, sizeof(sql), &used, "service", nservices);
    if (used + sizeof(" GROUP BY kind") > sizeof(sql))
        return ch_error_set(err, CH_E_INVALID, "too many services to count");
    snprintf(sql + used, sizeof(sql) - used, " GROUP BY kind");
    sq_conn *c = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = NULL;
    int rc = CH_OK, step, i = 3;
    if (!(st = ch_sq_stmt_built(c, sql, err))) {
        rc = err->code;
        goto out;
    }
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    for (size_t k = 0; k < nkinds; k++)
        ch_sq_bind_text(st, i++, kinds[k]);
    for (size_t k = 0; k < nservices; k++)
        ch_sq_bind_text(st, i++, services[k]);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(st, 0);
        for (size_t k = 0; kind && k < nkinds; k++)
            if (strcmp(kinds[k], kind) == 0)
                counts[k] = sqlite3_column_int64(st, 1);
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "counting cases by kind");
out:
    ch_sq_unlock(c);
    return rc;
}
