/* The purchased-hours rules; see ledger.h. The rules come from the charters:
 * a late or needless visit still counts, a visit we cancel is owed back, and
 * at the year end only what we owe survives. */
#include "core/ledger.h"

#include <stdio.h>
#include <string.h>

#include "core/civil.h"

static int name_parse(const char *const *names, int count, const char *s, int *out)
{
    for (int i = 0; i < count; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return CH_OK;
        }
    }
    return CH_E_NOTFOUND;
}

static const char *const unit_names[] = {"hours", "days", "half-days"};

int ch_amount_unit_parse(const char *s, ch_amount_unit *out)
{
    int i;
    int rc = name_parse(unit_names, 3, s, &i);
    if (rc == CH_OK)
        *out = (ch_amount_unit)i;
    return rc;
}

int ch_amount_minutes(int64_t hundredths, ch_amount_unit unit, int32_t day_minutes,
                      int32_t half_minutes, int64_t *minutes, ch_error *err)
{
    /* Minutes per unit, doubled so a half day stays whole. */
    int64_t per2;
    if (hundredths <= 0 || hundredths > 10000000)
        return ch_error_set(err, CH_E_INVALID,
                            "the amount bought must be more than nothing and at most 100000");
    if (unit != CH_AMOUNT_HOURS && day_minutes <= 0)
        return ch_error_set(err, CH_E_INVALID,
                            "this service is not sold by the day; give the amount in hours");
    switch (unit) {
    case CH_AMOUNT_HOURS:
        per2 = 120;
        break;
    case CH_AMOUNT_DAYS:
        per2 = 2 * (int64_t)day_minutes;
        break;
    default:
        per2 = half_minutes > 0 ? 2 * (int64_t)half_minutes : day_minutes;
        break;
    }
    int64_t scaled = hundredths * per2; /* minutes * 200 */
    if (scaled % 200 != 0)
        return ch_error_set(err, CH_E_INVALID,
                            "that amount is not a whole number of minutes; round it");
    *minutes = scaled / 200;
    return CH_OK;
}

void ch_visits_fit(int64_t minutes, int32_t block, int64_t *visits, int64_t *left)
{
    if (block <= 0 || minutes <= 0) {
        *visits = 0;
        *left = minutes > 0 ? minutes : 0;
        return;
    }
    *visits = minutes / block;
    *left = minutes % block;
}

static const char *const status_names[] = {
    "booked",
    "delivered",
    "covered",
    "cancelled-early",
    "cancelled-late",
    "not-needed",
    "cancelled-by-provider",
    "rescheduled",
};

const char *ch_visit_status_name(ch_visit_status s)
{
    return (unsigned)s < CH_VISIT_STATUS_COUNT ? status_names[s] : "?";
}

int ch_visit_status_parse(const char *s, ch_visit_status *out)
{
    int i;
    int rc = name_parse(status_names, CH_VISIT_STATUS_COUNT, s, &i);
    if (rc == CH_OK)
        *out = (ch_visit_status)i;
    return rc;
}

int ch_visit_charge(ch_visit_status o, int32_t booked, int32_t actual, int64_t *charged,
                    int64_t *shortfall, ch_error *err)
{
    *charged = 0;
    *shortfall = 0;
    switch (o) {
    case CH_VISIT_DELIVERED:
    case CH_VISIT_COVERED:
        if (actual <= 0 || actual > 24 * 60)
            return ch_error_set(err, CH_E_INVALID,
                                "give the time actually spent, in minutes (1 to 1440)");
        *charged = actual;
        return CH_OK;
    case CH_VISIT_CANCELLED_LATE:
    case CH_VISIT_NOT_NEEDED:
        *charged = booked;
        return CH_OK;
    case CH_VISIT_CANCELLED_PROVIDER:
        *shortfall = booked;
        return CH_OK;
    case CH_VISIT_CANCELLED_EARLY:
    case CH_VISIT_RESCHEDULED:
        return CH_OK;
    default:
        return ch_error_set(err, CH_E_INVALID,
                            "a visit ends as delivered, covered, cancelled-early, "
                            "cancelled-late, not-needed, cancelled-by-provider or rescheduled");
    }
}

ch_visit_status ch_cancellation_charge(const ch_calendar *cal, int32_t notice_days,
                                       ch_time notice_at, ch_time starts)
{
    ch_time deemed;
    size_t told, visit;
    ch_error err;
    if (notice_at >= starts || ch_calendar_deem(cal, notice_at, &deemed, &told, &err) ||
        ch_calendar_day_at(cal, starts, true, &visit, &err))
        return CH_VISIT_CANCELLED_LATE;
    return visit >= told + (size_t)(notice_days > 0 ? notice_days : 0) ? CH_VISIT_CANCELLED_EARLY
                                                                       : CH_VISIT_CANCELLED_LATE;
}

static const char *const kind_names[] = {"purchase", "drawdown", "adjustment", "rollover",
                                         "refund",   "lapse",    "owed"};

const char *ch_entry_kind_name(ch_entry_kind k)
{
    return (unsigned)k < CH_ENTRY_KIND_COUNT ? kind_names[k] : "?";
}

int ch_entry_kind_parse(const char *s, ch_entry_kind *out)
{
    int i;
    int rc = name_parse(kind_names, CH_ENTRY_KIND_COUNT, s, &i);
    if (rc == CH_OK)
        *out = (ch_entry_kind)i;
    return rc;
}

int64_t ch_ledger_balance(const ch_entry *entries, size_t n)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        if (entries[i].kind != CH_ENTRY_OWED)
            sum += entries[i].minutes;
    return sum;
}

bool ch_booking_needs_manager(int64_t balance, int64_t already_booked, int32_t booked)
{
    return balance - already_booked - booked < 0;
}

static const char *const shortfall_names[] = {"refund", "rollover"};

int ch_shortfall_policy_parse(const char *s, ch_shortfall_policy *out)
{
    int i;
    int rc = name_parse(shortfall_names, 2, s, &i);
    if (rc == CH_OK)
        *out = (ch_shortfall_policy)i;
    return rc;
}

void ch_year_end_settle(int64_t balance, int64_t shortfall, ch_shortfall_policy policy, ch_time at,
                        ch_year_end *out)
{
    memset(out, 0, sizeof(*out));
    out->balance = balance;
    out->shortfall = shortfall;
    /* We can owe no more than is left: hours already refunded or spent by
     * the school on other visits are not owed twice. */
    int64_t owed = shortfall < balance ? shortfall : balance;
    out->owed = owed > 0 ? owed : 0;
    if (out->owed > 0) {
        ch_entry_kind k = policy == CH_SHORTFALL_REFUND ? CH_ENTRY_REFUND : CH_ENTRY_ROLLOVER;
        out->closing[out->nclosing++] = (ch_entry){k, -out->owed, at};
        if (policy == CH_SHORTFALL_ROLLOVER)
            out->carry = out->owed;
    }
    int64_t lapse = balance - out->owed;
    if (lapse > 0) {
        out->lapsed = lapse;
        out->closing[out->nclosing++] = (ch_entry){CH_ENTRY_LAPSE, -lapse, at};
    }
}

typedef enum season { AUTUMN, SPRING, SUMMER } season;
static const char *const season_names[] = {"autumn", "spring", "summer"};

/* The first day of a season's statement period: the conventional date (1
 * September, 1 January, 1 April), or the first day of the calendar's term
 * in that season when the term starts earlier. A contract's hours are
 * bought from 1 September, so its purchase opens the autumn statement. */
static ch_date season_start(const ch_date_range *terms, size_t nterms, season s, int year)
{
    static const int from_month[] = {8, 1, 3}, to_month[] = {12, 3, 7};
    static const int usual_month[] = {9, 1, 4};
    ch_date usual = ch_date_from_ymd(year, usual_month[s], 1);
    ch_date lo = ch_date_from_ymd(year, from_month[s], s == SPRING ? 1 : 15);
    ch_date hi = ch_date_from_ymd(year, to_month[s], ch_days_in_month(year, to_month[s]));
    for (size_t i = 0; i < nterms; i++)
        if (terms[i].first >= lo && terms[i].first <= hi)
            return terms[i].first < usual ? terms[i].first : usual;
    return usual;
}

static void season_next(season *s, int *year)
{
    if (*s == AUTUMN)
        (*year)++;
    *s = *s == AUTUMN ? SPRING : *s == SPRING ? SUMMER : AUTUMN;
}

/* "spring-2027" into its season and calendar year; -1 when it is not a
 * term's name. */
static int term_parse(const char *name, int *year)
{
    int s = -1, used = 0;
    for (int i = 0; i < 3; i++) {
        size_t k = strlen(season_names[i]);
        if (strncmp(name, season_names[i], k) == 0 && name[k] == '-') {
            s = i;
            if (sscanf(name + k + 1, "%4d%n", year, &used) != 1 || name[k + 1 + used] != '\0' ||
                used != 4)
                s = -1;
            break;
        }
    }
    return s < 0 || *year < 1900 || *year > 2200 ? -1 : s;
}

static int not_a_term(const char *name, ch_error *err)
{
    return ch_error_set(err, CH_E_INVALID,
                        "'%.40s' is not a term; write the season and year, e.g. autumn-2026", name);
}

int ch_term_year(const char *name, int *year, ch_error *err)
{
    int y = 0, s = term_parse(name, &y);
    if (s < 0)
        return not_a_term(name, err);
    *year = s == AUTUMN ? y : y - 1;
    return CH_OK;
}

void ch_term_names_of_year(ch_date year_start, ch_year_terms *out)
{
    int y, m, d;
    ch_date_to_ymd(year_start, &y, &m, &d);
    for (int s = 0; s < 3; s++)
        snprintf(out->name[s], sizeof(out->name[s]), "%s-%d", season_names[s],
                 s == AUTUMN ? y : y + 1);
}

bool ch_term_in_year(const char *term, ch_date year_start)
{
    int year = 0, y, m, d;
    ch_error err;
    ch_date_to_ymd(year_start, &y, &m, &d);
    /* By name, not by date: a term that starts in late August would
     * otherwise overlap the end of the year before. */
    return ch_term_year(term, &year, &err) == CH_OK && year == y;
}

void ch_term_for_year(const ch_date_range *terms, size_t nterms, ch_date today, ch_date year_start,
                      ch_date year_end, char *buf, size_t size)
{
    ch_year_terms t;
    ch_term_name_of(terms, nterms, today, buf, size);
    if (ch_term_in_year(buf, year_start))
        return;
    ch_term_names_of_year(year_start, &t);
    snprintf(buf, size, "%s", t.name[today > year_end ? SUMMER : AUTUMN]);
}

int ch_term_period(const ch_date_range *terms, size_t nterms, const char *name, ch_date *first,
                   ch_date *last, ch_error *err)
{
    int year = 0, s = term_parse(name, &year);
    if (s < 0)
        return not_a_term(name, err);
    season ns = (season)s;
    int ny = year;
    season_next(&ns, &ny);
    *first = season_start(terms, nterms, (season)s, year);
    *last = season_start(terms, nterms, ns, ny) - 1;
    return CH_OK;
}

void ch_term_name_of(const ch_date_range *terms, size_t nterms, ch_date d, char *buf, size_t size)
{
    int y, m, dd;
    ch_date_to_ymd(d, &y, &m, &dd);
    /* Start from the season a year back and walk forward: terms can start
     * a little before their conventional month. */
    season s = AUTUMN;
    int year = y - 1;
    season best = AUTUMN;
    int best_year = year;
    for (int i = 0; i < 6; i++) {
        if (season_start(terms, nterms, s, year) <= d) {
            best = s;
            best_year = year;
        }
        season_next(&s, &year);
    }
    snprintf(buf, size, "%s-%d", season_names[best], best_year);
}

int ch_term_due(const ch_calendar *cal, const char *term, ch_time *due, ch_error *err)
{
    size_t nterms;
    const ch_date_range *terms = ch_calendar_terms(cal, &nterms);
    ch_date first, last;
    int rc = ch_term_period(terms, nterms, term, &first, &last, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < nterms; i++) {
        if (terms[i].first < first || terms[i].first > last)
            continue;
        /* The working day before the first one after the term ends. */
        size_t day = ch_calendar_day_on_or_after(cal, terms[i].last + 1);
        if (day == 0 || ch_calendar_day_date(cal, day - 1) < terms[i].first)
            break;
        *due = ch_calendar_day_close(cal, day - 1);
        return CH_OK;
    }
    return ch_error_set(err, CH_E_NOTFOUND, "the calendar has no working day in %s", term);
}

void ch_statement_build(const ch_entry *entries, size_t n, ch_time from, ch_time to,
                        ch_statement *out)
{
    memset(out, 0, sizeof(*out));
    size_t i = 0;
    for (; i < n && entries[i].at < from; i++)
        out->opening += entries[i].minutes;
    out->first = i;
    for (; i < n && entries[i].at < to; i++) {
        if (entries[i].minutes >= 0)
            out->in += entries[i].minutes;
        else
            out->out -= entries[i].minutes;
        out->count++;
    }
    out->closing = out->opening + out->in - out->out;
}

void ch_capacity_compute(int64_t working, int32_t contingency_percent, int64_t booked,
                         ch_capacity *out)
{
    if (contingency_percent < 0)
        contingency_percent = 0;
    if (contingency_percent > 100)
        contingency_percent = 100;
    out->working = working;
    out->contingency = working * contingency_percent / 100;
    out->available = working - out->contingency;
    out->booked = booked;
    out->over = booked > out->available;
}

void ch_hours_text(int64_t minutes, char *buf, size_t size)
{
    int64_t m = minutes < 0 ? -minutes : minutes;
    int64_t h = (m * 100 + 30) / 60;
    snprintf(buf, size, "%s%lld.%02lld", minutes < 0 ? "-" : "", (long long)(h / 100),
             (long long)(h % 100));
}

void ch_minutes_format(int64_t minutes, char *buf, size_t size)
{
    const char *sign = minutes < 0 ? "-" : "";
    int64_t m = minutes < 0 ? -minutes : minutes;
    if (m >= 60 && m % 60)
        snprintf(buf, size, "%s%lldh %02lldm", sign, (long long)(m / 60), (long long)(m % 60));
    else if (m >= 60)
        snprintf(buf, size, "%s%lldh", sign, (long long)(m / 60));
    else
        snprintf(buf, size, "%s%lldm", sign, (long long)m);
}
