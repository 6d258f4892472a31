/* The consent check: may this person be told about this case on this day?
 * See consent.h for the rules; here each answer is worked out and put in
 * words an officer can act on. */
#include "core/consent.h"

#include <stdio.h>
#include <string.h>

#include "core/person.h"

static const char *const relation_names[CH_REL_COUNT] = {"parent", "carer", "advocate",
                                                         "professional", "contact-at"};

const char *ch_relation_name(ch_relation r)
{
    return (unsigned)r < CH_REL_COUNT ? relation_names[r] : "?";
}

int ch_relation_parse(const char *s, ch_relation *out)
{
    for (int i = 0; s && i < CH_REL_COUNT; i++) {
        if (strcmp(s, relation_names[i]) == 0) {
            *out = (ch_relation)i;
            return CH_OK;
        }
    }
    return CH_E_NOTFOUND;
}

ch_consent_state ch_consent_state_at(const ch_consent *c, ch_time at, ch_date on)
{
    /* Withdrawal is effective at once, to the second; the dates on the
     * document count in whole days. */
    if (c->withdrawn_at && c->withdrawn_at <= at)
        return CH_CONSENT_WITHDRAWN;
    if (on < c->given_on)
        return CH_CONSENT_NOT_YET;
    if (c->expires && on >= c->expires_on)
        return CH_CONSENT_EXPIRED;
    return CH_CONSENT_CURRENT;
}

const char *ch_consent_state_name(ch_consent_state s)
{
    static const char *const names[] = {"current", "not-yet", "expired", "withdrawn"};
    return (unsigned)s <= CH_CONSENT_WITHDRAWN ? names[s] : "?";
}

/* "5 January 2026". */
static void day_words(ch_date d, char *buf, size_t size)
{
    static const char *const months[] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};
    int y, m, dd;
    ch_date_to_ymd(d, &y, &m, &dd);
    snprintf(buf, size, "%d %s %d", dd, months[(m - 1) % 12], y);
}

static bool is_parent(const char *kind)
{
    ch_relation r;
    return ch_relation_parse(kind, &r) == CH_OK && (r == CH_REL_PARENT || r == CH_REL_CARER);
}

/* with's relationship to the subject: a parent's or carer's first, as it
 * is the one the rules turn on. */
static const ch_relationship *relation_of(const ch_consent_question *q)
{
    const ch_relationship *found = NULL;
    for (size_t i = 0; i < q->nrels; i++) {
        const ch_relationship *r = &q->rels[i];
        if (r->person_id != q->with.id || r->other_id != q->subject.id)
            continue;
        if (is_parent(r->kind))
            return r;
        if (!found)
            found = r;
    }
    return found;
}

static bool parent_of_subject(const ch_consent_question *q, int64_t id)
{
    for (size_t i = 0; i < q->nrels; i++)
        if (q->rels[i].person_id == id && q->rels[i].other_id == q->subject.id &&
            is_parent(q->rels[i].kind))
            return true;
    return false;
}

/* The name of a parent or carer of the subject other than with, or NULL. */
static const char *a_parent(const ch_consent_question *q)
{
    for (size_t i = 0; i < q->nrels; i++)
        if (q->rels[i].other_id == q->subject.id && q->rels[i].person_id != q->with.id &&
            is_parent(q->rels[i].kind) && q->rels[i].person_name)
            return q->rels[i].person_name;
    return NULL;
}

static const char *relation_words(const ch_relationship *r, char *buf, size_t size,
                                  const char *with)
{
    ch_relation k;
    if (!r || ch_relation_parse(r->kind, &k))
        snprintf(buf, size, "%s has no recorded relationship to them", with);
    else if (k == CH_REL_PROFESSIONAL)
        snprintf(buf, size, "%s is a professional acting for them", with);
    else
        snprintf(buf, size, "%s is their %s", with, r->kind);
    return buf;
}

/* Why the most recent consent that would otherwise count does not, as a
 * sentence to append (empty when there is none). */
static void miss_words(const ch_consent_question *q, const ch_consent *c, char *buf, size_t size,
                       char *brief, size_t bsize)
{
    char given[40], when[40];
    buf[0] = brief[0] = '\0';
    if (!c)
        return;
    day_words(c->given_on, given, sizeof(given));
    const char *who = c->grantor_name ? c->grantor_name : "someone";
    ch_consent_state st = ch_consent_state_at(c, q->at, q->on);
    if (st == CH_CONSENT_WITHDRAWN) {
        day_words(ch_time_utc_date(c->withdrawn_at), when, sizeof(when));
        snprintf(buf, size, " The consent %s gave on %s was withdrawn on %s.", who, given, when);
        snprintf(brief, bsize, "; the last one was withdrawn on %s", when);
    } else if (st == CH_CONSENT_EXPIRED) {
        day_words(c->expires_on, when, sizeof(when));
        snprintf(buf, size, " The consent %s gave on %s expired on %s.", who, given, when);
        snprintf(brief, bsize, "; the last one expired on %s", when);
    } else if (st == CH_CONSENT_NOT_YET) {
        snprintf(buf, size, " The consent %s gave is dated %s, after this contact.", who, given);
        snprintf(brief, bsize, "; the one recorded is dated %s, later", given);
    } else if (c->case_id && c->case_id != q->case_id) {
        snprintf(buf, size,
                 " The consent %s gave on %s covers case %lld only; consent for one enquiry does "
                 "not cover another.",
                 who, given, (long long)c->case_id);
        snprintf(brief, bsize, "; the one recorded covers case %lld only", (long long)c->case_id);
    }
}

int ch_consent_check(const ch_consent_question *q, ch_consent_answer *out, ch_error *err)
{
    memset(out, 0, sizeof(*out));
    out->basis = CH_BASIS_NONE;
    out->age = -1;
    if (!q->with.name || (q->subject.id && !q->subject.name))
        return ch_error_set(err, CH_E_INVALID, "the consent check needs each person's name");
    const char *with = q->with.name, *subj = q->subject.name;
    long long cid = (long long)q->case_id;
    if (!q->subject.id) {
        snprintf(out->sentence, sizeof(out->sentence),
                 "Case %lld does not name the person it is about, so we cannot tell whether %s "
                 "may be told about it; speak only with whoever contacted us.",
                 cid, with);
        snprintf(out->reason, sizeof(out->reason), "the case names nobody it is about");
        return CH_OK;
    }
    if (q->with.id == q->subject.id) {
        out->allowed = true;
        out->basis = CH_BASIS_SUBJECT;
        snprintf(out->reason, sizeof(out->reason), "the case is about them");
        return CH_OK;
    }
    if (q->subject.has_dob)
        out->age = ch_person_age_on(q->subject.dob, q->on);
    bool child = out->age >= 0 && out->age < 18;
    const ch_relationship *rel = relation_of(q);
    bool parent = rel && is_parent(rel->kind);
    out->relation = rel ? rel->kind : NULL;
    if (parent && child) {
        out->allowed = true;
        out->basis = CH_BASIS_PARENT_OF_CHILD;
        snprintf(out->reason, sizeof(out->reason),
                 "%s is %d, and a parent or carer may be told about a child under 18", subj,
                 out->age);
        return CH_OK;
    }
    /* Whose consent counts: the subject's; while the subject is a child,
     * a parent's or carer's too (for someone who is not one themselves). */
    const ch_consent *miss = NULL;
    for (size_t i = 0; i < q->nconsents; i++) {
        const ch_consent *c = &q->consents[i];
        bool grantor = c->grantor_id == q->subject.id ||
                       (child && !parent && parent_of_subject(q, c->grantor_id));
        if (c->grantee_id != q->with.id || !grantor)
            continue;
        bool covers = c->case_id == 0 || c->case_id == q->case_id;
        if (covers && ch_consent_state_at(c, q->at, q->on) == CH_CONSENT_CURRENT) {
            char given[40];
            day_words(c->given_on, given, sizeof(given));
            out->allowed = true;
            out->basis = CH_BASIS_CONSENT;
            out->consent_id = c->id;
            snprintf(out->reason, sizeof(out->reason), "%s's written consent of %s covers %s",
                     c->grantor_name ? c->grantor_name : "their", given,
                     c->case_id ? "this case" : "every matter");
            return CH_OK;
        }
        /* The one to explain: one for this case or every matter before one
         * for another case, then the most recently given. */
        bool miss_covers = miss && (miss->case_id == 0 || miss->case_id == q->case_id);
        if (!miss || (covers && !miss_covers) ||
            (covers == miss_covers &&
             (c->given_on > miss->given_on || (c->given_on == miss->given_on && c->id > miss->id))))
            miss = c;
    }
    char about[300], rw[300], extra[400], brief[160];
    if (out->age >= 0)
        snprintf(about, sizeof(about), "Case %lld is about %s (%d).", cid, subj, out->age);
    else
        snprintf(about, sizeof(about),
                 "Case %lld is about %s, whose date of birth is not recorded.", cid, subj);
    relation_words(rel, rw, sizeof(rw), with);
    miss_words(q, miss, extra, sizeof(extra), brief, sizeof(brief));
    if (parent && out->age < 0) {
        snprintf(out->sentence, sizeof(out->sentence),
                 "%s %s; a parent or carer may be told about a child under 18, but we do not "
                 "know %s's age, so before we speak to %s about this case record %s's date of "
                 "birth on their record or, if they are 18 or over, their own written consent "
                 "under %s's record, Consents.%s",
                 about, rw, subj, with, subj, subj, extra);
        snprintf(out->reason, sizeof(out->reason),
                 "%s's age is not recorded; their date of birth or their own consent is "
                 "needed%s",
                 subj, brief);
    } else if (parent) {
        snprintf(out->sentence, sizeof(out->sentence),
                 "%s %s, and %s is 18 or over, so we need %s's own written consent before we "
                 "speak to %s about this case; record it under %s's record, Consents.%s",
                 about, rw, subj, subj, with, subj, extra);
        snprintf(out->reason, sizeof(out->reason), "%s is %d; %s's own consent is needed%s", subj,
                 out->age, subj, brief);
    } else if (child) {
        const char *p = a_parent(q);
        char from[300];
        if (p)
            snprintf(from, sizeof(from), "from their parent or carer (%s)", p);
        else
            snprintf(from, sizeof(from), "from a parent or carer recorded under Relationships");
        snprintf(out->sentence, sizeof(out->sentence),
                 "%s %s, so we need written consent, current and covering this case, from %s or "
                 "%s before we speak to %s about it; record it under the record of whoever "
                 "gives it, Consents.%s",
                 about, rw, subj, from, with, extra);
        snprintf(out->reason, sizeof(out->reason),
                 "%s is %d; their written consent or a parent's is needed%s", subj, out->age,
                 brief);
    } else {
        snprintf(out->sentence, sizeof(out->sentence),
                 "%s %s, so we need %s's written consent, current and covering this case, "
                 "before we speak to %s about it; record it under %s's record, Consents.%s",
                 about, rw, subj, with, subj, extra);
        snprintf(out->reason, sizeof(out->reason), "%s's written consent is needed%s", subj, brief);
    }
    return CH_OK;
}
