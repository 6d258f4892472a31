/* Complaint stages, their findings and closing letters, and who may see a
 * complaint about a member of staff; see complaint.h. */
#include "core/complaint.h"
#include "core/contact_point.h"
#include "core/text.h"

#include <stdio.h>
#include <string.h>

static const char *const finding_names[] = {NULL, "upheld", "partly-upheld", "not-upheld"};
static const char *const finding_words[] = {"", "upheld", "partly upheld", "not upheld"};

const char *ch_finding_name(ch_finding f)
{
    return f > CH_FINDING_NONE && f <= CH_FINDING_NOT_UPHELD ? finding_names[f] : NULL;
}

const char *ch_finding_words(ch_finding f)
{
    return f > CH_FINDING_NONE && f <= CH_FINDING_NOT_UPHELD ? finding_words[f] : "";
}

int ch_finding_parse(const char *s, ch_finding *out)
{
    for (int i = CH_FINDING_UPHELD; s && i <= CH_FINDING_NOT_UPHELD; i++) {
        if (strcmp(s, finding_names[i]) == 0) {
            *out = (ch_finding)i;
            return CH_OK;
        }
    }
    return CH_E_NOTFOUND;
}

/* What the letter closing a one-stage complaint says comes next: the
 * charter names no later stage, so the way on is outside the service. */
static const char one_stage_escalation[] =
    "This is our final answer under our complaints procedure. If you are still not satisfied, "
    "you may ask the independent ombudsman for our sector to look at your complaint.";

size_t ch_complaint_stage_count(const ch_policy *policy)
{
    return policy->nstages ? policy->nstages : 1;
}

const char *ch_complaint_stage_id(const ch_policy *policy, size_t k)
{
    if (!policy->nstages)
        return k == 0 ? CH_COMPLAINT_ONE_STAGE : NULL;
    return k < policy->nstages ? policy->stages[k].id : NULL;
}

const char *ch_complaint_stage_name(const ch_policy *policy, size_t k)
{
    if (!policy->nstages)
        return k == 0 ? "Complaint" : NULL;
    return k < policy->nstages ? policy->stages[k].name : NULL;
}

const char *ch_complaint_stage_escalation(const ch_policy *policy, size_t k)
{
    if (!policy->nstages)
        return k == 0 ? one_stage_escalation : NULL;
    return k < policy->nstages ? policy->stages[k].escalation : NULL;
}

int ch_complaint_step(const ch_policy *policy, size_t current, bool current_closed,
                      bool has_finding, bool escalate, bool case_closed, ch_stage_step *out,
                      ch_error *err)
{
    *out = (ch_stage_step){false, false};
    size_t count = ch_complaint_stage_count(policy);
    if (current >= count)
        return ch_error_set(err, CH_E_INVALID,
                            "the complaint is at a stage the charter no "
                            "longer has; ask an administrator");
    const char *name = ch_complaint_stage_name(policy, current);
    bool last = current + 1 == count;
    if (case_closed)
        return ch_error_set(err, CH_E_CONFLICT,
                            "the case is closed; reopen it before closing or escalating a stage");
    if (escalate && last && !policy->nstages)
        return ch_error_set(err, CH_E_CONFLICT,
                            "this charter handles complaints in one stage, so there is no stage "
                            "to escalate to; close the complaint with its outcome (the closing "
                            "letter says where the complainant can go next)");
    if (escalate && last)
        return ch_error_set(err, CH_E_CONFLICT,
                            "%s is the last stage of this charter's complaints procedure; there "
                            "is no stage to escalate to (the closing letter gives the "
                            "ombudsman's details)",
                            name);
    if (!current_closed) {
        if (!has_finding)
            return ch_error_set(err, CH_E_INVALID,
                                "%s is still open; give its outcome (upheld, partly upheld or "
                                "not upheld) and the lessons learned to close it",
                                name);
        out->close = true;
    } else if (last) { /* closed, and nothing comes after it */
        return ch_error_set(err, CH_E_CONFLICT,
                            "%s was closed already, with its outcome, and is the last stage; "
                            "there is nothing more to record on it",
                            name);
    } else if (has_finding) {
        return ch_error_set(err, CH_E_CONFLICT,
                            "%s was closed already, with its outcome; to go on, escalate "
                            "without an outcome",
                            name);
    } else if (!escalate) {
        return ch_error_set(err, CH_E_INVALID,
                            "%s is closed already; send escalate: true when the complainant "
                            "asks for the next stage",
                            name);
    }
    out->open_next = escalate;
    return CH_OK;
}

/* "You can reach us by email at x or by telephone on y. " from the
 * charter's first point of contact that gives either, or "". */
static void reach_us(const ch_policy *policy, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; i < policy->ncontacts; i++) {
        const ch_contact_point *c = &policy->contacts[i];
        if (!c->email && !c->telephone)
            continue;
        snprintf(out, size, "You can reach us%s%s%s%s%s. ", c->email ? " by email at " : "",
                 c->email ? c->email : "", c->email && c->telephone ? " or" : "",
                 c->telephone ? " by telephone on " : "", c->telephone ? c->telephone : "");
        return;
    }
}

void ch_complaint_letter(const ch_policy *policy, size_t k, int64_t case_id, const char *subject,
                         const char *requester, ch_finding finding, const char *findings,
                         const char *signer, char *out, size_t size)
{
    if (!size)
        return;
    const char *name = ch_complaint_stage_name(policy, k);
    const char *way = ch_complaint_stage_escalation(policy, k);
    bool staged = policy->nstages > 0 && name;
    char reach[400];
    reach_us(policy, reach, sizeof(reach));
    int w = snprintf(
        out, size,
        "Dear %s,\n\n"
        "Your complaint (case %lld, \"%s\") has been considered%s%s.\n\n"
        "We have decided that your complaint is %s.\n\n"
        "%s%s"
        "What you can do next: %s\n\n"
        "%sPlease quote case %lld in anything you send us.\n\n"
        "Yours sincerely,\n\n%s%s%s",
        requester && *requester ? requester : "Sir or Madam", (long long)case_id,
        subject ? subject : "", staged ? " at " : "", staged ? name : "", ch_finding_words(finding),
        findings && *findings ? findings : "", findings && *findings ? "\n\n" : "",
        way ? way : "contact us.", reach, (long long)case_id, signer && *signer ? signer : "",
        signer && *signer ? "\n" : "", policy->organisation ? policy->organisation : "");
    if (w >= 0 && (size_t)w >= size)
        out[ch_utf8_prefix(out, size - 1)] = '\0';
}

int ch_complaint_stage_obligations(const ch_policy *policy, const ch_service *svc,
                                   const ch_contact *contact, ch_obligation *out, size_t cap,
                                   size_t *n, ch_error *err)
{
    ch_obligation all[CH_POLICY_MAX_PROMISES];
    size_t nall = 0;
    ch_time deemed;
    *n = 0;
    int rc = ch_policy_obligations(policy, svc, contact, all, CH_POLICY_MAX_PROMISES, &nall,
                                   &deemed, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < nall; i++) {
        if (!all[i].promise->stage_bits)
            continue; /* a promise for the whole complaint: held since it arrived */
        if (*n == cap)
            return ch_error_set(err, CH_E_INVALID, "more obligations than room for them");
        out[(*n)++] = all[i];
    }
    return CH_OK;
}

bool ch_complaint_managers_only(ch_case_kind kind, size_t nstaff_named)
{
    return kind == CH_KIND_COMPLAINT && nstaff_named > 0;
}
