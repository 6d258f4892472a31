/* Subject access decisions: naming staff by role, withholding third
 * parties, scrubbing names from free text, and the rules for extending a
 * SAR case and releasing its export. */
#include "core/sar.h"

#include <stdio.h>
#include <stdlib.h>
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

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* A byte of a word: ASCII letters and digits, and every byte of a UTF-8
 * sequence, so "Zoë" is one word. */
static bool word_byte(char c)
{
    unsigned char u = (unsigned char)c;
    return u >= 0x80 || (u >= '0' && u <= '9') || (lower(c) >= 'a' && lower(c) <= 'z');
}

static size_t word_len(const char *s)
{
    size_t n = 0;
    while (s[n] && word_byte(s[n]))
        n++;
    return n;
}

static int word_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    for (size_t i = 0; i < na && i < nb; i++)
        if (lower(a[i]) != lower(b[i]))
            return (unsigned char)lower(a[i]) < (unsigned char)lower(b[i]) ? -1 : 1;
    return na < nb ? -1 : na > nb;
}

static int by_first_word(const void *x, const void *y)
{
    const char *a = ((const ch_sar_name *)x)->name, *b = ((const ch_sar_name *)y)->name;
    return word_cmp(a, word_len(a), b, word_len(b));
}

int ch_sar_scrubber_init(ch_sar_scrubber *s, ch_arena *arena, const ch_sar_name *names, size_t n)
{
    s->names = NULL;
    s->n = 0;
    if (n && !(s->names = ch_arena_alloc(arena, n * sizeof(*s->names))))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (names[i].name && strlen(names[i].name) >= 3 && word_byte(names[i].name[0]))
            s->names[s->n++] = names[i];
    qsort(s->names, s->n, sizeof(*s->names), by_first_word);
    return 0;
}

static bool match_at(const char *p, const char *name, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (lower(p[i]) != lower(name[i]))
            return false;
    return true;
}

/* The longest name that stands as whole words at text + i, or 0. */
static size_t longest_at(const ch_sar_scrubber *s, const char *text, size_t i, size_t len,
                         size_t *pick)
{
    size_t w = word_len(text + i), lo = 0, hi = s->n, best = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *nm = s->names[mid].name;
        if (word_cmp(nm, word_len(nm), text + i, w) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k < s->n; k++) {
        const char *nm = s->names[k].name;
        if (word_cmp(nm, word_len(nm), text + i, w) != 0)
            break;
        size_t m = strlen(nm);
        if (m > best && i + m <= len && match_at(text + i, nm, m) &&
            (i + m == len || !word_byte(text[i + m]) || !word_byte(nm[m - 1])))
            best = m, *pick = k;
    }
    return best;
}

const char *ch_sar_scrub(ch_arena *arena, const char *text, const ch_sar_scrubber *s)
{
    if (!text)
        return NULL;
    size_t len = strlen(text), cap = len + 1, used = 0;
    char *out = ch_arena_alloc(arena, cap);
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t best = 0, pick = 0;
        if (word_byte(text[i]) && (i == 0 || !word_byte(text[i - 1])))
            best = longest_at(s, text, i, len, &pick);
        const char *put = best ? s->names[pick].label : text + i;
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

/* Whether every word of name is a word of whole, in order, as a run. */
static bool words_within(const char *name, const char *whole)
{
    size_t n = strlen(name), m = strlen(whole);
    for (size_t i = 0; i + n <= m; i++)
        if ((i == 0 || !word_byte(whole[i - 1])) && match_at(whole + i, name, n) &&
            (i + n == m || !word_byte(whole[i + n])))
            return true;
    return false;
}

bool ch_sar_other_scrubbed(const char *name, const char *subject_name)
{
    if (!name || strlen(name) < 3)
        return false;
    if (strchr(name, '@'))
        return true;
    size_t first = word_len(name);
    bool two_words =
        first && name[first] && word_len(name + first + strspn(name + first, " .-'")) > 0;
    return two_words && !(subject_name && words_within(name, subject_name));
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
