/* Behaviour audits (Beacon's charter): survey templates from the policy, an
 * audit of one school from a template, its groups' answers and the tallies
 * every report is made from. Pure computation: no I/O. */
#ifndef CH_AUDIT_H
#define CH_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/civil.h"
#include "core/error.h"

/* The people a school's audit asks, each through its own link. */
typedef enum ch_audit_group {
    CH_AUDIT_PUPILS,
    CH_AUDIT_PARENTS,
    CH_AUDIT_TEACHERS,
    CH_AUDIT_GOVERNORS,
    CH_AUDIT_GROUPS
} ch_audit_group;

typedef enum ch_audit_qkind {
    CH_AUDIT_SCALE,    /* a point from 1 to points, "strongly disagree" to "strongly agree" */
    CH_AUDIT_SINGLE,   /* one of the options */
    CH_AUDIT_MULTIPLE, /* any of the options */
    CH_AUDIT_TEXT,     /* free text */
} ch_audit_qkind;

/* Enough for any survey a school would sit through; the loader refuses more. */
enum {
    CH_AUDIT_MAX_QUESTIONS = 64,
    CH_AUDIT_MAX_OPTIONS = 16,
    CH_AUDIT_MAX_POINTS = 10,
    CH_AUDIT_TEXT_MAX = 4000, /* bytes of one free-text answer */
};

typedef struct ch_audit_question {
    const char *id, *text;
    ch_audit_qkind kind;
    int points;             /* a scale's top point (2-10); its bottom is 1 */
    const char *low, *high; /* what a scale's ends mean, or NULL */
    const char **options;   /* a choice's options, in the order shown */
    size_t noptions;
    unsigned groups; /* bit (1 << ch_audit_group) per group it is asked of */
    bool required;
} ch_audit_question;

typedef struct ch_audit_template {
    const char *id, *title, *intro; /* intro may be NULL */
    ch_audit_question *questions;
    size_t nquestions;
    unsigned groups; /* the groups an audit from it asks unless told otherwise */
} ch_audit_template;

/* A policy's `audits:` block. */
typedef struct ch_audit_rules {
    bool require_tls;            /* answers are taken only over HTTPS */
    const char *problem_service; /* the service a reported technical problem opens on */
    ch_audit_template *templates;
    size_t ntemplates;
} ch_audit_rules;

/* One audit of one school. Codes are NULL for the groups it does not ask. */
typedef struct ch_school_audit {
    int64_t id;
    const char *service; /* "policy/service" that runs it */
    const char *template_id, *school, *intervention;
    int64_t organisation_id; /* 0 when the school is named only */
    int64_t baseline_id;     /* the earlier audit this one follows up, 0 for none */
    ch_date opens_on, closes_on;
    const char *codes[CH_AUDIT_GROUPS];
    int64_t created_by;
    ch_time created_at;
    int64_t responses[CH_AUDIT_GROUPS]; /* read back: answers received so far */
} ch_school_audit;

/* One question's answer; given is false when it was left blank. */
typedef struct ch_audit_answer {
    bool given;
    int value;        /* scale: the point; single: the option's index */
    uint32_t choices; /* multiple: bit per option */
    const char *text; /* text */
} ch_audit_answer;

/* One submitted form: an answer per template question, in its order. */
typedef struct ch_audit_response {
    int64_t id;
    ch_audit_group group;
    ch_time submitted_at;
    ch_audit_answer *answers;
    size_t nanswers;
} ch_audit_response;

/* What one group (or everyone) said to one question. */
typedef struct ch_audit_tally {
    int64_t answered;
    int64_t counts[CH_AUDIT_MAX_OPTIONS]; /* scale: counts[point - 1]; choices: per option */
    int64_t sum;                          /* scale: the points added up */
} ch_audit_tally;

/* Everything a report of an audit shows. tally[q * (CH_AUDIT_GROUPS + 1) + g]
 * is question q's tally for group g; g == CH_AUDIT_GROUPS is everyone. */
typedef struct ch_audit_results {
    int64_t responses[CH_AUDIT_GROUPS];
    int64_t total;
    ch_audit_tally *tally;
    size_t nquestions;
} ch_audit_results;

/* "pupils", "parents", "teachers", "governors"; the parse of one, 0 or
 * CH_E_NOTFOUND. A group's name in a sentence: "Pupils", "Parents", ... */
const char *ch_audit_group_name(ch_audit_group g);
const char *ch_audit_group_title(ch_audit_group g);
int ch_audit_group_parse(const char *s, ch_audit_group *out);
const char *ch_audit_qkind_name(ch_audit_qkind k);

/* The template of rules by id, or NULL; borrowed. */
const ch_audit_template *ch_audit_template_find(const ch_audit_rules *rules, const char *id);

/* Whether question q is asked of group g. */
bool ch_audit_asks(const ch_audit_question *q, ch_audit_group g);

/* "scheduled" before opens_on, "open" through closes_on, "closed" after. */
const char *ch_audit_state(const ch_school_audit *a, ch_date today);

/* Whether s is written as a group code is: 8-32 letters, digits, - or _. */
bool ch_audit_code_ok(const char *s);

/* Reads question q's answer from the values a form sent for it (n of
 * them; several only for a multiple choice). Scale values are the point,
 * choices the option's index. A blank answer to a required question, or
 * any value out of range, is CH_E_INVALID with a sentence for the person
 * filling in the form. */
int ch_audit_answer_read(const ch_audit_question *q, const char *const *values, size_t n,
                         ch_audit_answer *out, ch_error *err);

/* Tallies the responses to template t (their answers in its question
 * order) into *out, its table in arena. */
int ch_audit_results_build(const ch_audit_template *t, const ch_audit_response *responses, size_t n,
                           ch_arena *arena, ch_audit_results *out, ch_error *err);

/* Question q's tally for group g (CH_AUDIT_GROUPS for everyone). */
const ch_audit_tally *ch_audit_tally_of(const ch_audit_results *r, size_t q, int g);

/* A scale tally's mean point; false when nobody answered. */
bool ch_audit_mean(const ch_audit_tally *t, double *mean);

/* The share (0 to 1) of those who answered that chose option k; false
 * when nobody answered. */
bool ch_audit_share(const ch_audit_tally *t, size_t k, double *share);

#endif
