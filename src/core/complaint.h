/* Complaints and compliments, as pure rules: a stage's finding, what a close
 * or escalation request does, the closing letter, a new stage's obligations,
 * and who may see a complaint that names a member of staff. */
#ifndef CH_COMPLAINT_H
#define CH_COMPLAINT_H

#include "core/policy.h"

/* What a stage found (how the charters and the ombudsman's code say it). */
typedef enum ch_finding {
    CH_FINDING_NONE,
    CH_FINDING_UPHELD,
    CH_FINDING_PARTLY_UPHELD,
    CH_FINDING_NOT_UPHELD,
} ch_finding;

/* "upheld", "partly-upheld", "not-upheld" (NULL for none), and in words
 * for a letter ("partly upheld"). */
const char *ch_finding_name(ch_finding f);
const char *ch_finding_words(ch_finding f);
/* 0 with *out set, or CH_E_NOTFOUND. */
int ch_finding_parse(const char *s, ch_finding *out);

/* A charter without a `complaints: stages:` list handles a complaint in
 * one stage: it still closes with an outcome, lessons and a letter. These
 * give the stages a complaint goes through (at least one) and stage k's id,
 * name and escalation, the one stage's when the charter lists none. */
#define CH_COMPLAINT_ONE_STAGE "complaint"
size_t ch_complaint_stage_count(const ch_policy *policy);
const char *ch_complaint_stage_id(const ch_policy *policy, size_t k);
const char *ch_complaint_stage_name(const ch_policy *policy, size_t k);
const char *ch_complaint_stage_escalation(const ch_policy *policy, size_t k);

/* What a request does to a complaint at stage current (0-based),
 * whose current stage is closed already or not. */
typedef struct ch_stage_step {
    bool close;     /* the current stage closes now, with its finding */
    bool open_next; /* the next stage (current + 1) begins now */
} ch_stage_step;

/* Decides the step for a request that gives a finding or not and asks to
 * escalate or not, on a case that is closed or not. Refuses with
 * CH_E_INVALID (what to send instead) or CH_E_CONFLICT (what state the
 * complaint is in and what to do) and a sentence. */
int ch_complaint_step(const ch_policy *policy, size_t current, bool current_closed,
                      bool has_finding, bool escalate, bool case_closed, ch_stage_step *out,
                      ch_error *err);

/* The text of the letter closing stage k of case case_id (about subject)
 * for requester (may be NULL): the finding, what we found (findings, may be
 * NULL), the stage's escalation, how to reach us (the charter's first point
 * of contact with an email or telephone) and the signature of signer (may
 * be NULL), written to out (truncated to size on a UTF-8 boundary). */
void ch_complaint_letter(const ch_policy *policy, size_t k, int64_t case_id, const char *subject,
                         const char *requester, ch_finding finding, const char *findings,
                         const char *signer, char *out, size_t size);

/* The obligations stage contact->stage brings on svc, counted from
 * contact->stage_started: the promises tied to that stage only (the
 * complaint's other promises are held already). Into out (room for cap),
 * with their count in *n. */
int ch_complaint_stage_obligations(const ch_policy *policy, const ch_service *svc,
                                   const ch_contact *contact, ch_obligation *out, size_t cap,
                                   size_t *n, ch_error *err);

/* Whether a case is kept to managers: a complaint that names a member of
 * staff is not shown to officers (nor to the staff it names), so the
 * person complained about never handles or reads it. */
bool ch_complaint_managers_only(ch_case_kind kind, size_t nstaff_named);

#endif
