/* Behaviour audits: reading one form's answers against its template and
 * tallying many into the counts, means and shares the reports show. A
 * school's sample is small, so every figure keeps its count beside it. */
#include "core/audit.h"

#include <stdlib.h>
#include <string.h>

static const char *const group_names[CH_AUDIT_GROUPS] = {"pupils", "parents", "teachers",
                                                         "governors"};
static const char *const group_titles[CH_AUDIT_GROUPS] = {"Pupils", "Parents", "Teachers",
                                                          "Governors"};

const char *ch_audit_group_name(ch_audit_group g)
{
    return (unsigned)g < CH_AUDIT_GROUPS ? group_names[g] : "";
}

const char *ch_audit_group_title(ch_audit_group g)
{
    return (unsigned)g < CH_AUDIT_GROUPS ? group_titles[g] : "";
}

int ch_audit_group_parse(const char *s, ch_audit_group *out)
{
    for (int g = 0; s && g < CH_AUDIT_GROUPS; g++) {
        if (strcmp(s, group_names[g]) == 0) {
            *out = (ch_audit_group)g;
            return CH_OK;
        }
    }
    return CH_E_NOTFOUND;
}

const char *ch_audit_qkind_name(ch_audit_qkind k)
{
    static const char *const names[] = {"scale", "single", "multiple", "text"};
    return (unsigned)k < sizeof(names) / sizeof(*names) ? names[k] : "";
}

const ch_audit_template *ch_audit_template_find(const ch_audit_rules *rules, const char *id)
{
    for (size_t i = 0; rules && id && i < rules->ntemplates; i++)
        if (strcmp(rules->templates[i].id, id) == 0)
            return &rules->templates[i];
    return NULL;
}

bool ch_audit_asks(const ch_audit_question *q, ch_audit_group g)
{
    return (q->groups & (1u << g)) != 0;
}

const char *ch_audit_state(const ch_school_audit *a, ch_date today)
{
    if (today < a->opens_on)
        return "scheduled";
    return today > a->closes_on ? "closed" : "open";
}

bool ch_audit_code_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 8 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

/* A whole number from lo to hi written in decimal, nothing else. */
static bool whole(const char *s, int lo, int hi, int *out)
{
    if (!s || !*s || strlen(s) > 3)
        return false;
    int v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    if (v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

int ch_audit_answer_read(const ch_audit_question *q, const char *const *values, size_t n,
                         ch_audit_answer *out, ch_error *err)
{
    memset(out, 0, sizeof(*out));
    size_t said = 0;
    for (size_t i = 0; i < n; i++)
        said += !blank(values[i]);
    if (!said) {
        if (q->required)
            return ch_error_set(err, CH_E_INVALID, "%s",
                                q->kind == CH_AUDIT_TEXT ? "Write an answer to this question."
                                                         : "Choose an answer to this question.");
        return CH_OK;
    }
    switch (q->kind) {
    case CH_AUDIT_SCALE:
        if (n != 1 || !whole(values[0], 1, q->points, &out->value))
            return ch_error_set(err, CH_E_INVALID, "Choose one point from 1 to %d.", q->points);
        break;
    case CH_AUDIT_SINGLE:
        if (n != 1 || !whole(values[0], 0, (int)q->noptions - 1, &out->value))
            return ch_error_set(err, CH_E_INVALID, "Choose one of the answers shown.");
        break;
    case CH_AUDIT_MULTIPLE:
        for (size_t i = 0; i < n; i++) {
            int k;
            if (blank(values[i]))
                continue;
            if (!whole(values[i], 0, (int)q->noptions - 1, &k))
                return ch_error_set(err, CH_E_INVALID, "Choose only from the answers shown.");
            out->choices |= 1u << k;
        }
        break;
    case CH_AUDIT_TEXT:
        if (n != 1 || strlen(values[0]) > CH_AUDIT_TEXT_MAX)
            return ch_error_set(err, CH_E_INVALID,
                                "Keep your answer to %d characters or fewer; it is longer.",
                                CH_AUDIT_TEXT_MAX);
        out->text = values[0];
        break;
    }
    out->given = true;
    return CH_OK;
}

const ch_audit_tally *ch_audit_tally_of(const ch_audit_results *r, size_t q, int g)
{
    return &r->tally[q * (CH_AUDIT_GROUPS + 1) + (size_t)g];
}

static void count(ch_audit_tally *t, const ch_audit_question *q, const ch_audit_answer *a)
{
    t->answered++;
    switch (q->kind) {
    case CH_AUDIT_SCALE:
        t->counts[a->value - 1]++;
        t->sum += a->value;
        break;
    case CH_AUDIT_SINGLE:
        t->counts[a->value]++;
        break;
    case CH_AUDIT_MULTIPLE:
        for (size_t k = 0; k < q->noptions; k++)
            t->counts[k] += (a->choices >> k) & 1u;
        break;
    case CH_AUDIT_TEXT:
        break;
    }
}

/* Whether a stored answer still fits the question as the policy now
 * writes it (a scale shortened, an option taken away): one that does not
 * is left out rather than counted under the wrong heading. */
static bool fits(const ch_audit_question *q, const ch_audit_answer *a)
{
    switch (q->kind) {
    case CH_AUDIT_SCALE:
        return a->value >= 1 && a->value <= q->points;
    case CH_AUDIT_SINGLE:
        return a->value >= 0 && (size_t)a->value < q->noptions;
    case CH_AUDIT_MULTIPLE:
        return q->noptions >= 32 || (a->choices >> q->noptions) == 0;
    case CH_AUDIT_TEXT:
        return a->text != NULL;
    }
    return false;
}

int ch_audit_results_build(const ch_audit_template *t, const ch_audit_response *responses, size_t n,
                           ch_arena *arena, ch_audit_results *out, ch_error *err)
{
    memset(out, 0, sizeof(*out));
    size_t cells = (t->nquestions ? t->nquestions : 1) * (CH_AUDIT_GROUPS + 1);
    out->tally = ch_arena_alloc(arena, cells * sizeof(*out->tally));
    if (!out->tally)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    out->nquestions = t->nquestions;
    for (size_t i = 0; i < n; i++) {
        const ch_audit_response *r = &responses[i];
        if ((unsigned)r->group >= CH_AUDIT_GROUPS)
            continue;
        out->responses[r->group]++;
        out->total++;
        for (size_t q = 0; q < t->nquestions && q < r->nanswers; q++) {
            const ch_audit_answer *a = &r->answers[q];
            if (!a->given || !fits(&t->questions[q], a))
                continue;
            count(&out->tally[q * (CH_AUDIT_GROUPS + 1) + r->group], &t->questions[q], a);
            count(&out->tally[q * (CH_AUDIT_GROUPS + 1) + CH_AUDIT_GROUPS], &t->questions[q], a);
        }
    }
    return CH_OK;
}

bool ch_audit_mean(const ch_audit_tally *t, double *mean)
{
    if (!t->answered)
        return false;
    *mean = (double)t->sum / (double)t->answered;
    return true;
}

bool ch_audit_share(const ch_audit_tally *t, size_t k, double *share)
{
    if (!t->answered || k >= CH_AUDIT_MAX_OPTIONS)
        return false;
    *share = (double)t->counts[k] / (double)t->answered;
    return true;
}
