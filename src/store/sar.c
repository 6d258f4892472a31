/* Subject access in the store: the wrappers that dispatch to the backend,
 * and the gathering of everything held about one person from the reads
 * the desk already has (so the export sees what the desk shows). */
#include "store/backend.h"

#include <string.h>

int ch_store_sar_release(ch_store *s, ch_sar_release *rel, int64_t *new_version, ch_error *err)
{
    return s->ops->sar_release(s, rel, new_version, err);
}

int ch_store_sar_exports(ch_store *s, int64_t person_id, int64_t case_id, ch_arena *arena,
                         ch_sar_export **out, size_t *n, ch_error *err)
{
    return s->ops->sar_exports(s, person_id, case_id, arena, out, n, err);
}

int ch_store_sar_audit(ch_store *s, int64_t person_id, size_t limit, ch_arena *arena,
                       ch_audit_row **out, size_t *n, ch_error *err)
{
    return s->ops->sar_audit(s, person_id, limit, arena, out, n, err);
}

static bool is_export(const ch_sar_export *ex, size_t n, int64_t attachment_id)
{
    for (size_t i = 0; i < n; i++)
        if (ex[i].attachment_id == attachment_id)
            return true;
    return false;
}

/* Whether an audit row is about the person, one of the bundle's cases, or
 * a file of either (an export of one of those cases included). */
static bool audit_in(const ch_sar_bundle *b, const ch_sar_export *ex, size_t nex,
                     const ch_audit_row *row)
{
    if (strcmp(row->object, "person") == 0)
        return row->object_id == b->person.id;
    if (strcmp(row->object, "case") == 0) {
        for (size_t i = 0; i < b->ncases; i++)
            if (b->cases[i].id == row->object_id)
                return true;
        return false;
    }
    for (size_t i = 0; i < b->nfiles; i++)
        if (b->files[i].id == row->object_id)
            return true;
    for (size_t i = 0; i < nex; i++)
        for (size_t k = 0; k < b->ncases; k++)
            if (ex[i].attachment_id == row->object_id && ex[i].case_id == b->cases[k].id)
                return true;
    return false;
}

/* Appends the files listed (loaded with their data) to out, leaving out
 * the exports. */
static int add_files(ch_store *s, const ch_attachment *list, size_t nlist, const ch_sar_export *ex,
                     size_t nex, ch_arena *arena, ch_sar_bundle *out, size_t *cap, ch_error *err)
{
    for (size_t i = 0; i < nlist; i++) {
        if (is_export(ex, nex, list[i].id))
            continue;
        if (!(out->files = ch_arena_room(arena, out->files, out->nfiles, cap, sizeof(*out->files))))
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
        int rc = ch_store_attachment_get(s, list[i].id, arena, &out->files[out->nfiles], err);
        if (rc)
            return rc;
        out->nfiles++;
    }
    return CH_OK;
}

int ch_store_sar_others(ch_store *s, int64_t person_id, ch_arena *arena, ch_sar_other **out,
                        size_t *n, ch_error *err)
{
    *out = NULL;
    *n = 0;
    return s->ops->sar_others(s, person_id, arena, out, n, err);
}

/* Whether service is among services (NULL services: every one; a NULL
 * service, from before services were kept, is in every set). */
static bool among(const char *service, const char *const *services, size_t n)
{
    if (!services || !service)
        return true;
    for (size_t i = 0; i < n; i++)
        if (strcmp(services[i], service) == 0)
            return true;
    return false;
}

int ch_store_sar_bundle(ch_store *s, int64_t person_id, const char *const *services,
                        size_t nservices, ch_arena *arena, ch_sar_bundle *out, ch_error *err)
{
    memset(out, 0, sizeof(*out));
    ch_case_row *listed = NULL;
    ch_attachment *files = NULL;
    ch_sar_export *ex = NULL;
    size_t nlisted = 0, nfiles = 0, nex = 0, cap = 0;
    int rc = ch_store_person_get(s, person_id, arena, &out->person, err);
    if (rc)
        return rc;
    out->services = services;
    out->nservices = nservices;
    if (out->person.organisation_id &&
        (rc = ch_store_organisation_get(s, out->person.organisation_id, arena, &out->organisation,
                                        err)))
        return rc;
    if ((rc = ch_store_relationships(s, 0, person_id, arena, &out->relationships,
                                     &out->nrelationships, err)) ||
        (rc = ch_store_consents(s, 0, person_id, arena, &out->consents, &out->nconsents, err)) ||
        (rc = ch_store_cases_of(s, person_id, 0, services, nservices, CH_SAR_MAX_CASES, arena,
                                &listed, &nlisted, err)) ||
        (rc = ch_store_sar_exports(s, person_id, 0, arena, &ex, &nex, err)) ||
        (rc =
             ch_store_incident_list(s, person_id, arena, &out->incidents, &out->nincidents, err)) ||
        (rc = ch_store_restriction_list(s, &(ch_restriction_filter){.person_id = person_id}, arena,
                                        &out->restrictions, &out->nrestrictions, err)) ||
        (rc = ch_store_sar_audit(s, person_id, CH_SAR_MAX_AUDIT, arena, &out->audit, &out->naudit,
                                 err)) ||
        (rc = ch_store_user_list(s, arena, &out->staff, &out->nstaff, err)) ||
        (rc = ch_store_sar_others(s, person_id, arena, &out->others, &out->nothers, err)))
        return rc;
    /* Safeguards are the covered services' own, as the cases are. */
    size_t kept = 0;
    for (size_t i = 0; i < out->nincidents; i++)
        if (among(out->incidents[i].service, services, nservices))
            out->incidents[kept++] = out->incidents[i];
    out->nincidents = kept;
    kept = 0;
    for (size_t i = 0; i < out->nrestrictions; i++)
        if (among(out->restrictions[i].service, services, nservices))
            out->restrictions[kept++] = out->restrictions[i];
    out->nrestrictions = kept;
    if (nlisted && !(out->cases = ch_arena_alloc(arena, nlisted * sizeof(*out->cases))))
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    /* Oldest first: the story reads in the order it happened. */
    for (size_t i = 0; i < nlisted; i++) {
        if ((rc = ch_store_case_get(s, listed[nlisted - 1 - i].id, arena, &out->cases[i], err)))
            return rc;
        out->ncases++;
    }
    if ((rc = ch_store_attachment_list(s, person_id, 0, arena, &files, &nfiles, err)) ||
        (rc = add_files(s, files, nfiles, ex, nex, arena, out, &cap, err)))
        return rc;
    for (size_t i = 0; i < out->ncases; i++)
        if ((rc = ch_store_attachment_list(s, 0, out->cases[i].id, arena, &files, &nfiles, err)) ||
            (rc = add_files(s, files, nfiles, ex, nex, arena, out, &cap, err)))
            return rc;
    /* Rows about cases (or their files) in services the reader may not see
     * stay out: the audit of another team's case is that team's. */
    kept = 0;
    for (size_t i = 0; i < out->naudit; i++)
        if (audit_in(out, ex, nex, &out->audit[i]))
            out->audit[kept++] = out->audit[i];
    out->naudit = kept;
    return CH_OK;
}
