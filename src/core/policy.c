/* Names of channels, kinds and obligations, and the matching of contacts to
 * promises; see policy.h. */
#include "core/policy.h"

#include <string.h>

static const char *const channel_names[CH_CHANNEL_COUNT] = {
    "phone", "voicemail", "email", "letter", "web", "in-person", "social",
};
static const char *const kind_names[CH_KIND_COUNT] = {
    "enquiry", "service-order", "complaint", "feedback", "foi", "sar", "compliment",
};
static const char *const obligation_names[CH_OBLIGATION_COUNT] = {
    "acknowledge", "respond", "resolve", "update", "process",
};

static int lookup(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

const char *ch_channel_name(ch_channel c)
{
    return (unsigned)c < CH_CHANNEL_COUNT ? channel_names[c] : "?";
}

const char *ch_case_kind_name(ch_case_kind k)
{
    return (unsigned)k < CH_KIND_COUNT ? kind_names[k] : "?";
}

const char *ch_obligation_kind_name(ch_obligation_kind k)
{
    return (unsigned)k < CH_OBLIGATION_COUNT ? obligation_names[k] : "?";
}

int ch_channel_parse(const char *s, ch_channel *out)
{
    int i = lookup(channel_names, CH_CHANNEL_COUNT, s);
    if (i < 0)
        return CH_E_NOTFOUND;
    *out = (ch_channel)i;
    return CH_OK;
}

int ch_case_kind_parse(const char *s, ch_case_kind *out)
{
    int i = lookup(kind_names, CH_KIND_COUNT, s);
    if (i < 0)
        return CH_E_NOTFOUND;
    *out = (ch_case_kind)i;
    return CH_OK;
}

int ch_obligation_kind_parse(const char *s, ch_obligation_kind *out)
{
    int i = lookup(obligation_names, CH_OBLIGATION_COUNT, s);
    if (i < 0)
        return CH_E_NOTFOUND;
    *out = (ch_obligation_kind)i;
    return CH_OK;
}

bool ch_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

void ch_policy_free(ch_policy *policy)
{
    if (!policy)
        return;
    for (size_t i = 0; i < policy->ncalendars; i++)
        ch_calendar_free(policy->calendars[i].cal);
    ch_arena arena = policy->arena; /* the policy itself lives in its arena */
    ch_arena_free(&arena);
}

const ch_service *ch_policy_service(const ch_policy *policy, const char *id)
{
    for (size_t i = 0; i < policy->nservices; i++)
        if (strcmp(policy->services[i].id, id) == 0)
            return &policy->services[i];
    return NULL;
}

const ch_calendar *ch_policy_service_calendar(const ch_policy *policy, const ch_service *svc)
{
    return policy->calendars[svc->calendar].cal;
}

const ch_calendar *ch_policy_visit_calendar(const ch_policy *policy, const ch_service *svc)
{
    return policy->calendars[svc->visit_calendar].cal;
}

static bool has_flag(const ch_contact *c, const char *flag)
{
    for (size_t i = 0; i < c->nflags; i++)
        if (strcmp(c->flags[i], flag) == 0)
            return true;
    return false;
}

const ch_promise *ch_policy_termly_promise(const ch_policy *policy, const ch_service *svc)
{
    for (size_t i = 0; i < policy->npromises; i++) {
        const ch_promise *p = &policy->promises[i];
        if (p->schedule != CH_SCHEDULE_TERMLY)
            continue;
        if (!p->nservices)
            return p;
        for (size_t k = 0; k < p->nservices; k++)
            if (strcmp(p->services[k], svc->id) == 0)
                return p;
    }
    return NULL;
}

bool ch_promise_applies(const ch_promise *p, const ch_service *svc, const ch_contact *contact)
{
    if (p->schedule != CH_SCHEDULE_NONE)
        return false;
    if (p->channels && !(p->channels & (1u << contact->channel)))
        return false;
    if (!(p->kinds & (1u << contact->kind)))
        return false;
    if (p->stage_bits &&
        (contact->stage >= CH_POLICY_MAX_STAGES || !(p->stage_bits & (1u << contact->stage))))
        return false;
    for (size_t i = 0; i < p->nflags_all; i++)
        if (!has_flag(contact, p->flags_all[i]))
            return false;
    for (size_t i = 0; i < p->nflags_none; i++)
        if (has_flag(contact, p->flags_none[i]))
            return false;
    if (p->nservices) {
        for (size_t i = 0; i < p->nservices; i++)
            if (strcmp(p->services[i], svc->id) == 0)
                return true;
        return false;
    }
    return true;
}

int ch_policy_obligations(const ch_policy *policy, const ch_service *svc, const ch_contact *contact,
                          ch_obligation *out, size_t cap, size_t *n, ch_time *deemed, ch_error *err)
{
    /* Due times by promise index, so a chained promise finds its anchor;
     * promises only chain to earlier ones (the loader checks). */
    ch_time due_of[CH_POLICY_MAX_PROMISES];
    bool applied[CH_POLICY_MAX_PROMISES];
    size_t day, count = 0;
    const ch_calendar *home = ch_policy_service_calendar(policy, svc);
    int rc = ch_calendar_deem(home, contact->received, deemed, &day, err);
    if (rc)
        return rc;
    if (policy->npromises > CH_POLICY_MAX_PROMISES)
        return ch_error_set(err, CH_E_INVALID, "a policy may hold at most %d promises",
                            CH_POLICY_MAX_PROMISES);
    for (size_t i = 0; i < policy->npromises; i++) {
        const ch_promise *p = &policy->promises[i];
        applied[i] = ch_promise_applies(p, svc, contact) && (p->from < 0 || applied[p->from]);
        if (!applied[i])
            continue;
        const ch_calendar *cal = p->calendar >= 0 ? policy->calendars[p->calendar].cal : home;
        ch_time start = p->from < 0 ? contact->received : due_of[p->from];
        if (p->from < 0 && p->stage_bits && contact->stage_started)
            start = contact->stage_started; /* a stage's clock starts with the stage */
        ch_anchor anchor = p->from < 0 ? CH_ANCHOR_RECEIPT : CH_ANCHOR_EVENT;
        rc = ch_deadline_compute(cal, &p->target, start, anchor, contact->pauses, contact->npauses,
                                 &due_of[i], err);
        if (rc)
            return rc;
        if (count == cap)
            return ch_error_set(err, CH_E_INVALID, "more obligations than room for them");
        out[count++] = (ch_obligation){p, due_of[i]};
    }
    *n = count;
    return CH_OK;
}

const ch_promise *ch_policy_promise(const ch_policy *policy, const char *id)
{
    for (size_t i = 0; i < policy->npromises; i++)
        if (strcmp(policy->promises[i].id, id) == 0)
            return &policy->promises[i];
    return NULL;
}

int ch_promise_recurrence_due(const ch_policy *policy, const ch_service *svc, const ch_promise *p,
                              ch_time last, const ch_pause *pauses, size_t npauses, ch_time *due,
                              ch_error *err)
{
    if (!p->recurs)
        return ch_error_set(err, CH_E_INVALID, "promise '%s' does not recur", p->id);
    const ch_calendar *cal = p->calendar >= 0 ? policy->calendars[p->calendar].cal
                                              : ch_policy_service_calendar(policy, svc);
    /* Only the pauses after the last update move the next one on. */
    ch_pause later[64];
    size_t n = 0;
    for (size_t i = 0; i < npauses; i++) {
        if (pauses[i].to <= last)
            continue;
        if (n == sizeof(later) / sizeof(later[0]))
            return ch_error_set(err, CH_E_INVALID,
                                "a case paused more than 64 times since its last update cannot "
                                "be counted; ask an administrator to split it");
        later[n] = pauses[i];
        if (later[n].from < last)
            later[n].from = last;
        n++;
    }
    return ch_deadline_compute(cal, &p->every, last, CH_ANCHOR_EVENT, later, n, due, err);
}

unsigned ch_service_promised_kinds(const ch_policy *policy, const ch_service *svc)
{
    unsigned bits = 0;
    for (size_t i = 0; i < policy->npromises; i++) {
        const ch_promise *p = &policy->promises[i];
        bool here = p->nservices == 0;
        for (size_t k = 0; k < p->nservices && !here; k++)
            here = strcmp(p->services[k], svc->id) == 0;
        if (here && p->schedule == CH_SCHEDULE_NONE)
            bits |= p->kinds;
    }
    return bits;
}
