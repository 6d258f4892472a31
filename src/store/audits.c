/* Behaviour audits in the store: the wrappers that dispatch to the
 * backend, and the group a code belongs to, read the same way by both. */
#include "core/audit.h"
#include "store/backend.h"

#include <string.h>

int ch_store_school_audit_insert(ch_store *s, ch_school_audit *a, ch_error *err)
{
    return s->ops->school_audit_insert(s, a, err);
}

int ch_store_school_audit_get(ch_store *s, int64_t id, ch_arena *arena, ch_school_audit *out,
                              ch_error *err)
{
    return s->ops->school_audit_get(s, id, arena, out, err);
}

int ch_store_school_audit_by_code(ch_store *s, const char *code, ch_arena *arena,
                                  ch_school_audit *out, const char **group, ch_error *err)
{
    int rc = s->ops->school_audit_by_code(s, code, arena, out, group, err);
    if (rc)
        return rc;
    *group = NULL;
    for (int g = 0; g < CH_AUDIT_GROUPS; g++)
        if (out->codes[g] && strcmp(out->codes[g], code) == 0)
            *group = ch_audit_group_name((ch_audit_group)g);
    if (!*group)
        return ch_error_set(err, CH_E_NOTFOUND, "no audit has the code %s", code);
    return CH_OK;
}

int ch_store_school_audit_dates(ch_store *s, int64_t id, ch_date opens_on, ch_date closes_on,
                                ch_error *err)
{
    return s->ops->school_audit_dates(s, id, opens_on, closes_on, err);
}

int ch_store_school_audit_list(ch_store *s, size_t limit, ch_arena *arena, ch_school_audit **out,
                               size_t *n, ch_error *err)
{
    return s->ops->school_audit_list(s, limit, arena, out, n, err);
}

int ch_store_audit_response_insert(ch_store *s, ch_audit_response_row *row, ch_error *err)
{
    return s->ops->audit_response_insert(s, row, err);
}

int ch_store_audit_responses(ch_store *s, int64_t audit_id, ch_arena *arena,
                             ch_audit_response_row **out, size_t *n, ch_error *err)
{
    return s->ops->audit_responses(s, audit_id, arena, out, n, err);
}
