/* The retention schedule's arithmetic and the decision of what is due;
 * see retention.h. */
#include "core/retention.h"

#include <stdio.h>
#include <string.h>

static const char *const keys[CH_RETAIN_COUNT] = {"closed_cases",     "closed_case_attachments",
                                                  "survey_responses", "inbound_mail",
                                                  "notifications",    "audit"};
static const char *const nouns[CH_RETAIN_COUNT] = {
    "closed cases",     "attachments of closed cases",
    "survey responses", "raw inbound mail messages",
    "notifications",    "audit rows"};
static const char *const nouns_one[CH_RETAIN_COUNT] = {
    "closed case",     "attachment of a closed case",
    "survey response", "raw inbound mail message",
    "notification",    "audit row"};
static const char *const froms[CH_RETAIN_COUNT] = {
    "after the case closed (its last change)", "after the case closed (its last change)",
    "after the response was submitted",        "after the message arrived",
    "after the notification was made",         "after the row was written"};

const char *ch_retention_key(ch_retention_kind k)
{
    return k < CH_RETAIN_COUNT ? keys[k] : "?";
}

const char *ch_retention_noun(ch_retention_kind k)
{
    return k < CH_RETAIN_COUNT ? nouns[k] : "?";
}

const char *ch_retention_noun_n(ch_retention_kind k, int64_t n)
{
    return k >= CH_RETAIN_COUNT ? "?" : n == 1 ? nouns_one[k] : nouns[k];
}

const char *ch_retention_counted_from(ch_retention_kind k)
{
    return k < CH_RETAIN_COUNT ? froms[k] : "?";
}

ch_retention_action ch_retention_action_of(ch_retention_kind k)
{
    /* A closed case still counts in the reports on how promises were kept,
     * so it loses its personal data rather than its row. */
    return k == CH_RETAIN_CLOSED_CASES ? CH_RETAIN_ANONYMISE : CH_RETAIN_DELETE;
}

int ch_retention_span_parse(const char *s, ch_retention_span *out, ch_error *err)
{
    long n = 0;
    size_t i = 0;
    for (; s && s[i] >= '0' && s[i] <= '9' && i < 6; i++)
        n = n * 10 + (s[i] - '0');
    const char *unit = s ? s + i : "";
    bool spaced = *unit == ' ';
    while (*unit == ' ')
        unit++;
    ch_retention_span span = {0};
    bool ok = i > 0 && i < 6 && spaced && n > 0;
    if (ok && (strcmp(unit, "years") == 0 || strcmp(unit, "year") == 0))
        ok = n <= 100, span.years = (int)n;
    else if (ok && (strcmp(unit, "months") == 0 || strcmp(unit, "month") == 0))
        ok = n <= 1200, span.months = (int)n;
    else if (ok && (strcmp(unit, "days") == 0 || strcmp(unit, "day") == 0))
        ok = n <= 36600, span.days = (int)n;
    else
        ok = false;
    if (!ok)
        return ch_error_set(err, CH_E_INVALID,
                            "'%.60s' is not a retention period; write a whole number of years, "
                            "months or days up to 100 years, e.g. \"6 years\" or \"18 months\"",
                            s ? s : "");
    *out = span;
    return CH_OK;
}

void ch_retention_span_format(const ch_retention_span *span, char *buf, size_t size)
{
    int n = span->years ? span->years : span->months ? span->months : span->days;
    const char *unit = span->years ? "year" : span->months ? "month" : "day";
    snprintf(buf, size, "%d %s%s", n, unit, n == 1 ? "" : "s");
}

bool ch_retention_cutoff(const ch_retention_rules *rules, ch_retention_kind k, ch_time now,
                         ch_time *cutoff)
{
    if (!rules || k >= CH_RETAIN_COUNT || !rules->set[k])
        return false;
    const ch_retention_span *span = &rules->span[k];
    /* Counting back from now by calendar months keeps the time of day: a
     * record is due on the anniversary of the moment it is counted from. */
    ch_date today = ch_time_utc_date(now);
    ch_time secs = now - (ch_time)today * 86400;
    ch_date back = ch_date_add_months(today, -(span->years * 12 + span->months));
    *cutoff = (ch_time)back * 86400 + secs - (ch_time)span->days * 86400;
    return true;
}

bool ch_retention_due(const ch_retention_rules *rules, ch_retention_kind k, ch_time from,
                      ch_time now, bool held)
{
    ch_time cutoff;
    return !held && ch_retention_cutoff(rules, k, now, &cutoff) && from <= cutoff;
}

bool ch_retention_audit_cutoff(const ch_retention_rules *const *rules, const char *const *ids,
                               size_t n, ch_time now, ch_time *cutoff, char *why, size_t why_size)
{
    bool any = false;
    ch_time earliest = 0;
    for (size_t i = 0; i < n; i++) {
        ch_time c;
        if (!ch_retention_cutoff(rules[i], CH_RETAIN_AUDIT, now, &c)) {
            snprintf(why, why_size,
                     "Audit rows are kept: the %s charter gives no audit period, and the audit "
                     "log is one chain for every service.",
                     ids[i]);
            return false;
        }
        if (!any || c < earliest)
            earliest = c;
        any = true;
    }
    if (!any) {
        snprintf(why, why_size, "Audit rows are kept: no charter is loaded.");
        return false;
    }
    *cutoff = earliest;
    snprintf(why, why_size,
             "Audit rows are kept for the longest audit period any charter gives, since the log "
             "is one chain for every service; rows about a record under a legal hold, and every "
             "row after them, are kept.");
    return true;
}
