/* What the public standards page reads from the PostgreSQL store: how many
 * cases of some kinds (complaints, compliments) a charter's services
 * received in a span of time, counted on the (kind, received_at) index. */
#include "store/postgres/internal.h"

#include <stdio.h>
#include <string.h>

int ch_pg_kind_counts(ch_store *base, ch_time from, ch_time to, const char *const *services,
                      size_t nservices, const char *const *kinds, size_t nkinds, int64_t *counts,
                      ch_error *err)
{
    char sql[2048];
    pg_params p = {0};
    ch_pg_int(&p, from);
    ch_pg_int(&p, to);
    size_t used = (size_t)snprintf(sql, sizeof(sql),
                                   "SELECT kind, count(*) FROM cases"
                                   " WHERE received_at >= $1 AND received_at < $2");
    ch_pg_in_list(sql, sizeof(sql), &used, "kind", 3, nkinds);
    for (size_t k = 0; k < nkinds; k++)
        ch_pg_text(&p, kinds[k]);
    ch_pg_in_list(sql, sizeof(sql), &used, "service", 3 + (int)nkinds, nservices);
    for (size_t k = 0; k < nservices; k++)
        ch_pg_text(&p, services[k]);
    if (used + sizeof(" GROUP BY kind") > sizeof(sql))
        return ch_error_set(err, CH_E_INVALID, "too many services to count");
    snprintf(sql + used, sizeof(sql) - used, " GROUP BY kind");
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run_built(c, sql, &p, err, "counting cases by kind");
    ch_pg_release(c);
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) { /* err says why */
        PQclear(res);
        return CH_E_STORE;
    }
    for (int row = 0; row < PQntuples(res); row++) {
        const char *kind = PQgetvalue(res, row, 0);
        for (size_t k = 0; kind && k < nkinds; k++)
            if (strcmp(kinds[k], kind) == 0)
                counts[k] = ch_pg_get_int(res, row, 1);
    }
    PQclear(res);
    return CH_OK;
}
