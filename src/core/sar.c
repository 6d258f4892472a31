/* Subject access decisions: naming staff by role, withholding third
 * parties, scrubbing names from free text, and the rules for extending a
 * SAR case and releasing its export. */
#include "core/sar.h"

#include <stdio.h>
#include <string.h>

void ch_sar_staff_label(int64_t user_id, const char *role, const char *const *services,
                        size_t nservices, char *out, size_t size)
{
    if (user_id == 0) {
        snprintf(out, size, "the desk (automatic)");
        return;
    }
    const char *r = role ? role : "member of staff";
    bool vowel = strchr("aeiou", r[0]) != NULL;
    size_t used = (size_t)snprintf(out, size, "%s %s", vowel ? "an" : "a", r);
    if (role && strcmp(role, "admin") == 0)
        used = (size_t)snprintf(out, size, "an administrator");
    for (size_t i = 0; i < nservices && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : " of ", services[i]);
}

const char *ch_sar_party(int64_t party_id, int64_t subject_id, const char *name)
{
    if (party_id == 0 && !name)
        return NULL;
    return party_id == subject_id ? name : CH_SAR_WITHHELD;
}

bool ch_sar_contact_withheld(int64_t with_person_id, int64_t subject_id)
{
    return with_person_id != 0 && with_person_id != subject_id;
}

static bool match_at(const char *p, const char *name, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char a = p[i], b = name[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

const char *ch_sar_scrub(ch_arena *arena, const char *text, const ch_sar_name *names, size_t n)
{
    if (!text)
        return NULL;
    size_t len = strlen(text), cap = len + 1, used = 0;
    char *out = ch_arena_alloc(arena, cap);
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t best = 0, pick = 0;
        for (size_t k = 0; k < n; k++) {
            size_t m = names[k].name ? strlen(names[k].name) : 0;
            if (m >= 3 && m > best && i + m <= len && match_at(text + i, names[k].name, m))
                best = m, pick = k;
        }
        const char *put = best ? names[pick].label : text + i;
        size_t nput = best ? strlen(put) : 1;
        if (used + nput + 1 > cap) {
            size_t grow = (used + nput + 1) * 2;
            char *bigger = ch_arena_alloc(arena, grow);
            if (!bigger)
                return NULL;
            memcpy(bigger, out, used);
            out = bigger, cap = grow;
        }
        memcpy(out + used, put, nput);
        used += nput;
        i += best ? best : 1;
    }
    out[used] = '\0';
    return out;
}

int ch_sar_extend_check(const char *kind, const char *status, bool extended, bool has_reply,
                        ch_ostate reply, ch_error *err)
{
    if (strcmp(kind, "sar") != 0)
        return ch_error_set(err, CH_E_INVALID,
                            "only a subject access request (kind sar) can be extended this way");
    if (strcmp(status, "closed") == 0)
        return ch_error_set(err, CH_E_CONFLICT,
                            "the case is closed; reopen it before extending its time");
    if (extended)
        return ch_error_set(err, CH_E_CONFLICT,
                            "the case has already been extended by two months; the law allows "
                            "one extension");
    if (!has_reply)
        return ch_error_set(err, CH_E_CONFLICT,
                            "the case holds no one-month reply to extend; check the case's "
                            "service has the subject access promise");
    if (reply == CH_OSTATE_MET)
        return ch_error_set(err, CH_E_CONFLICT,
                            "the request has already been answered; there is nothing to extend");
    if (reply == CH_OSTATE_BREACHED)
        return ch_error_set(err, CH_E_CONFLICT,
                            "the month has already passed: an extension must be made, and the "
                            "person told why, within the first month");
    if (reply == CH_OSTATE_WITHDRAWN)
        return ch_error_set(err, CH_E_CONFLICT, "the one-month reply was withdrawn");
    return CH_OK;
}

int ch_sar_release_check(const char *kind, const char *status, int64_t person_id, ch_error *err)
{
    if (strcmp(kind, "sar") != 0)
        return ch_error_set(err, CH_E_INVALID,
                            "only a subject access request (kind sar) releases an export; "
                            "change the case's kind first if that is what it is");
    if (strcmp(status, "closed") == 0)
        return ch_error_set(err, CH_E_CONFLICT,
                            "the case is closed; reopen it to release an export");
    if (!person_id)
        return ch_error_set(err, CH_E_INVALID,
                            "the case names no person on record whose data could be exported");
    return CH_OK;
}

void ch_sar_filename(int64_t case_id, int64_t person_id, char *out, size_t size)
{
    if (case_id)
        snprintf(out, size, "subject-access-case-%lld.zip", (long long)case_id);
    else
        snprintf(out, size, "subject-access-person-%lld-preview.zip", (long long)person_id);
}

static bool has_extension(const char *const *flags, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (flags[i] && strcmp(flags[i], CH_SAR_EXTENDED_FLAG) == 0)
            return true;
    return false;
}

int ch_sar_flags_check(const char *const *old, size_t nold, const char *const *new_flags,
                       size_t nnew, ch_error *err)
{
    if (has_extension(old, nold) == has_extension(new_flags, nnew))
        return CH_OK;
    return ch_error_set(err, CH_E_INVALID,
                        "the flag " CH_SAR_EXTENDED_FLAG " is given by a manager with a reason "
                        "(POST /api/v1/cases/{id}/sar/extend) and cannot be set or taken off "
                        "here; leave it as it is");
}
