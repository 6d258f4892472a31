/* The purchased-hours ledger with worked examples from the charters: day
 * lengths, visit blocks, what each way a visit ends costs, termly statements
 * and the year-end settlement. */
#include "helpers.h"

#include <string.h>

#include "core/civil.h"
#include "core/ledger.h"
#include "policy/load.h"

static ch_policy *load(const char *file)
{
    ch_policy *pol = NULL;
    ch_diags d = {0};
    char path[512];
    snprintf(path, sizeof(path), "%s/policies/%s", CHARTER_SOURCE_DIR, file);
    if (ch_policy_load_file(&pol, path, &d))
        fail_msg("%s did not load", file);
    ch_diags_free(&d);
    return pol;
}

static void three_sti_days_are_seven_blocks_and_half_an_hour(void **state)
{
    (void)state;
    ch_policy *pol = load("hackney-services-for-schools.yaml");
    const ch_service *sti = ch_policy_service(pol, "specialist-teaching-inclusion");
    assert_non_null(sti);
    assert_int_equal(sti->day_length, 6 * 60);
    assert_int_equal(sti->visit_block, 150);
    int64_t minutes = 0, visits = 0, left = 0;
    ch_error err;
    assert_int_equal(ch_amount_minutes(300, CH_AMOUNT_DAYS, sti->day_length, 0, &minutes, &err), 0);
    assert_int_equal(minutes, 18 * 60);
    ch_visits_fit(minutes, sti->visit_block, &visits, &left);
    assert_int_equal(visits, 7);
    assert_int_equal(left, 30);
    /* Its day is 6 hours, but the charter makes every half day 3.5 hours. */
    assert_int_equal(sti->half_day, 210);
    assert_int_equal(
        ch_amount_minutes(100, CH_AMOUNT_HALF_DAYS, sti->day_length, sti->half_day, &minutes, &err),
        0);
    assert_int_equal(minutes, 210);
    /* Without a half_day, half a day is half the day. */
    assert_int_equal(ch_amount_minutes(100, CH_AMOUNT_HALF_DAYS, 360, 0, &minutes, &err), 0);
    assert_int_equal(minutes, 180);

    /* Elsewhere in the same council a day is 7 hours, half a day 3.5. */
    const ch_service *si = ch_policy_service(pol, "school-improvement");
    assert_int_equal(ch_amount_minutes(100, CH_AMOUNT_HALF_DAYS, si->day_length, 0, &minutes, &err),
                     0);
    assert_int_equal(minutes, 210);
    assert_int_equal(ch_amount_minutes(250, CH_AMOUNT_DAYS, si->day_length, 0, &minutes, &err), 0);
    assert_int_equal(minutes, 1050);
    ch_policy_free(pol);
}

static void amounts_that_cannot_be_bought(void **state)
{
    (void)state;
    int64_t minutes = -1;
    ch_error err;
    assert_int_equal(ch_amount_minutes(0, CH_AMOUNT_HOURS, 420, 0, &minutes, &err), CH_E_INVALID);
    assert_int_equal(ch_amount_minutes(-100, CH_AMOUNT_HOURS, 420, 0, &minutes, &err),
                     CH_E_INVALID);
    /* Beacon sells hours, so it has no day to count in. */
    assert_int_equal(ch_amount_minutes(100, CH_AMOUNT_DAYS, 0, 0, &minutes, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "in hours"));
    /* 0.01 hours is 36 seconds: not a whole minute. */
    assert_int_equal(ch_amount_minutes(1, CH_AMOUNT_HOURS, 420, 0, &minutes, &err), CH_E_INVALID);
    assert_int_equal(minutes, -1);
    assert_int_equal(ch_amount_minutes(1250, CH_AMOUNT_HOURS, 0, 0, &minutes, &err), 0);
    assert_int_equal(minutes, 750);
    ch_amount_unit u;
    assert_int_equal(ch_amount_unit_parse("half-days", &u), 0);
    assert_int_equal(u, CH_AMOUNT_HALF_DAYS);
    assert_int_equal(ch_amount_unit_parse("weeks", &u), CH_E_NOTFOUND);
}

static void how_each_ending_of_a_visit_is_charged(void **state)
{
    (void)state;
    int64_t charged, shortfall;
    ch_error err;
    /* Delivered: the time actually spent, not the block. */
    assert_int_equal(ch_visit_charge(CH_VISIT_DELIVERED, 150, 165, &charged, &shortfall, &err), 0);
    assert_int_equal(charged, 165);
    assert_int_equal(shortfall, 0);
    assert_int_equal(ch_visit_charge(CH_VISIT_DELIVERED, 150, 0, &charged, &shortfall, &err),
                     CH_E_INVALID);
    assert_int_equal(ch_visit_charge(CH_VISIT_COVERED, 150, 120, &charged, &shortfall, &err), 0);
    assert_int_equal(charged, 120);
    /* The school cancelled late, or we arrived to find it not needed: the
     * booked time still counts. */
    assert_int_equal(ch_visit_charge(CH_VISIT_CANCELLED_LATE, 150, 0, &charged, &shortfall, &err),
                     0);
    assert_int_equal(charged, 150);
    assert_int_equal(ch_visit_charge(CH_VISIT_NOT_NEEDED, 150, 0, &charged, &shortfall, &err), 0);
    assert_int_equal(charged, 150);
    /* In good time: free. */
    assert_int_equal(ch_visit_charge(CH_VISIT_CANCELLED_EARLY, 150, 0, &charged, &shortfall, &err),
                     0);
    assert_int_equal(charged, 0);
    assert_int_equal(shortfall, 0);
    /* Our cancellation: free, and owed. */
    assert_int_equal(
        ch_visit_charge(CH_VISIT_CANCELLED_PROVIDER, 150, 0, &charged, &shortfall, &err), 0);
    assert_int_equal(charged, 0);
    assert_int_equal(shortfall, 150);
    /* A visit cannot end by being booked again. */
    assert_int_equal(ch_visit_charge(CH_VISIT_BOOKED, 150, 0, &charged, &shortfall, &err),
                     CH_E_INVALID);
    ch_visit_status s;
    assert_int_equal(ch_visit_status_parse("cancelled-by-provider", &s), 0);
    assert_int_equal(s, CH_VISIT_CANCELLED_PROVIDER);
    assert_string_equal(ch_visit_status_name(CH_VISIT_NOT_NEEDED), "not-needed");
    assert_int_equal(ch_visit_status_parse("cancelled", &s), CH_E_NOTFOUND);
}

static void a_year_of_visits_and_its_settlement(void **state)
{
    (void)state;
    /* 18 hours bought; three visits delivered, one cancelled late by the
     * school, one cancelled by us, one report written. */
    ch_entry e[] = {
        {CH_ENTRY_PURCHASE, 1080, 0}, {CH_ENTRY_DRAWDOWN, -150, 0}, {CH_ENTRY_DRAWDOWN, -150, 0},
        {CH_ENTRY_DRAWDOWN, -150, 0}, {CH_ENTRY_DRAWDOWN, -150, 0}, {CH_ENTRY_DRAWDOWN, -60, 0},
    };
    int64_t balance = ch_ledger_balance(e, 6);
    assert_int_equal(balance, 420);
    /* Two more blocks would be 300 of the 420 left; three would not fit. */
    assert_false(ch_booking_needs_manager(balance, 150, 150));
    assert_true(ch_booking_needs_manager(balance, 300, 150));

    ch_year_end y;
    ch_year_end_settle(balance, 150, CH_SHORTFALL_REFUND, 99, &y);
    assert_int_equal(y.owed, 150);
    assert_int_equal(y.lapsed, 270);
    assert_int_equal(y.carry, 0);
    assert_int_equal(y.nclosing, 2);
    assert_int_equal(y.closing[0].kind, CH_ENTRY_REFUND);
    assert_int_equal(y.closing[0].minutes, -150);
    assert_int_equal(y.closing[1].kind, CH_ENTRY_LAPSE);
    assert_int_equal(balance + y.closing[0].minutes + y.closing[1].minutes, 0);

    ch_year_end_settle(balance, 150, CH_SHORTFALL_ROLLOVER, 99, &y);
    assert_int_equal(y.closing[0].kind, CH_ENTRY_ROLLOVER);
    assert_int_equal(y.carry, 150);

    /* The school used the hours anyway: we owe no more than is left. */
    ch_year_end_settle(60, 150, CH_SHORTFALL_ROLLOVER, 99, &y);
    assert_int_equal(y.owed, 60);
    assert_int_equal(y.carry, 60);
    assert_int_equal(y.lapsed, 0);
    assert_int_equal(y.nclosing, 1);
    /* Overdrawn (a manager agreed): nothing to settle, nothing lapses. */
    ch_year_end_settle(-30, 0, CH_SHORTFALL_REFUND, 99, &y);
    assert_int_equal(y.nclosing, 0);
}

/* London time in winter is UTC. */
static ch_time at(int y, int m, int d, int hh, int mm)
{
    return (ch_time)ch_date_from_ymd(y, m, d) * CH_DAY_SECS + hh * 3600 + mm * 60;
}

static void a_cancellation_is_charged_by_its_notice(void **state)
{
    (void)state;
    ch_policy *pol = load("beacon.yaml");
    const ch_service *svc = ch_policy_service(pol, "consultancy");
    const ch_calendar *cal = ch_policy_service_calendar(pol, svc);
    assert_int_equal(svc->cancellation_days, 1);
    ch_time monday = at(2026, 11, 30, 9, 30);
    /* Friday before Beacon's 15:00 cut-off: a working day's notice. */
    assert_int_equal(ch_cancellation_charge(cal, 1, at(2026, 11, 27, 14, 0), monday),
                     CH_VISIT_CANCELLED_EARLY);
    /* After it, the notice counts from Monday, the visit's own day. */
    assert_int_equal(ch_cancellation_charge(cal, 1, at(2026, 11, 27, 15, 30), monday),
                     CH_VISIT_CANCELLED_LATE);
    /* The weekend is not a working day: Saturday's notice counts from Monday. */
    assert_int_equal(ch_cancellation_charge(cal, 1, at(2026, 11, 28, 10, 0), monday),
                     CH_VISIT_CANCELLED_LATE);
    assert_int_equal(ch_cancellation_charge(cal, 1, at(2026, 11, 30, 7, 0), monday),
                     CH_VISIT_CANCELLED_LATE);
    /* With no notice period, before the visit starts is in time. */
    assert_int_equal(ch_cancellation_charge(cal, 0, at(2026, 11, 30, 8, 45), monday),
                     CH_VISIT_CANCELLED_EARLY);
    assert_int_equal(ch_cancellation_charge(cal, 0, at(2026, 11, 30, 9, 45), monday),
                     CH_VISIT_CANCELLED_LATE);
    /* Two working days: Thursday will do, Friday will not. */
    assert_int_equal(ch_cancellation_charge(cal, 2, at(2026, 11, 26, 12, 0), monday),
                     CH_VISIT_CANCELLED_EARLY);
    assert_int_equal(ch_cancellation_charge(cal, 2, at(2026, 11, 27, 12, 0), monday),
                     CH_VISIT_CANCELLED_LATE);
    ch_policy_free(pol);
}

static void terms_come_from_the_service_calendar(void **state)
{
    (void)state;
    ch_policy *pol = load("beacon.yaml");
    const ch_service *svc = ch_policy_service(pol, "consultancy");
    size_t n;
    const ch_date_range *terms = ch_calendar_terms(ch_policy_service_calendar(pol, svc), &n);
    assert_int_equal(n, 6);
    ch_date first, last;
    ch_error err;
    char buf[32];
    assert_int_equal(ch_term_period(terms, n, "autumn-2026", &first, &last, &err), 0);
    ch_date_format(first, buf, sizeof(buf));
    assert_string_equal(buf, "2026-09-01");
    ch_date_format(last, buf, sizeof(buf));
    assert_string_equal(buf, "2026-12-31"); /* the day before spring's period */
    assert_int_equal(ch_term_period(terms, n, "summer-2027", &first, &last, &err), 0);
    ch_date_format(last, buf, sizeof(buf));
    assert_string_equal(buf, "2027-08-31"); /* no later term listed: 1 September */
    ch_term_name_of(terms, n, ch_date_from_ymd(2026, 12, 25), buf, sizeof(buf));
    assert_string_equal(buf, "autumn-2026");
    ch_term_name_of(terms, n, ch_date_from_ymd(2026, 8, 31), buf, sizeof(buf));
    assert_string_equal(buf, "summer-2026");
    ch_term_name_of(terms, n, ch_date_from_ymd(2027, 3, 31), buf, sizeof(buf));
    assert_string_equal(buf, "spring-2027");
    /* A term that starts before 1 September opens its period early. */
    ch_date_range early[] = {{ch_date_from_ymd(2027, 8, 27), ch_date_from_ymd(2027, 12, 17)}};
    assert_int_equal(ch_term_period(early, 1, "autumn-2027", &first, &last, &err), 0);
    ch_date_format(first, buf, sizeof(buf));
    assert_string_equal(buf, "2027-08-27");
    ch_term_name_of(early, 1, ch_date_from_ymd(2027, 8, 28), buf, sizeof(buf));
    assert_string_equal(buf, "autumn-2027");
    /* Hackney's office calendar lists no terms: the usual dates. */
    assert_int_equal(ch_term_period(NULL, 0, "spring-2027", &first, &last, &err), 0);
    ch_date_format(first, buf, sizeof(buf));
    assert_string_equal(buf, "2027-01-01");
    ch_date_format(last, buf, sizeof(buf));
    assert_string_equal(buf, "2027-03-31");
    /* Beacon tells schools their hours by the last working day of term:
     * Friday 18 December 2026, when support closes at 16:30. */
    ch_time due;
    const ch_calendar *cal = ch_policy_service_calendar(pol, svc);
    assert_int_equal(ch_term_due(cal, "autumn-2026", &due, &err), 0);
    assert_time(due, "2026-12-18T16:30:00Z");
    assert_int_equal(ch_term_due(cal, "summer-2026", &due, &err), 0);
    assert_time(due, "2026-07-22T15:30:00Z"); /* British Summer Time */
    assert_int_equal(ch_term_due(cal, "autumn-2024", &due, &err), CH_E_NOTFOUND);
    assert_non_null(ch_policy_termly_promise(pol, svc));
    assert_null(ch_policy_termly_promise(pol, ch_policy_service(pol, "enquiries")));
    const char *bad[] = {"autumn", "autumn-26", "winter-2026", "autumn-2026x", "", "autumn-20266"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        assert_int_equal(ch_term_period(terms, n, bad[i], &first, &last, &err), CH_E_INVALID);
        assert_non_null(strstr(err.msg, "autumn-2026"));
    }
    ch_policy_free(pol);
}

static void a_statement_has_every_movement_once(void **state)
{
    (void)state;
    ch_entry e[] = {
        {CH_ENTRY_PURCHASE, 1080, 10}, {CH_ENTRY_DRAWDOWN, -150, 20}, {CH_ENTRY_DRAWDOWN, -150, 30},
        {CH_ENTRY_ADJUSTMENT, 60, 35}, {CH_ENTRY_DRAWDOWN, -90, 40},
    };
    ch_statement a, b;
    ch_statement_build(e, 5, 0, 25, &a);
    ch_statement_build(e, 5, 25, 100, &b);
    assert_int_equal(a.opening, 0);
    assert_int_equal(a.count, 2);
    assert_int_equal(a.closing, 930);
    assert_int_equal(b.opening, a.closing);
    assert_int_equal(b.first, 2);
    assert_int_equal(b.count, 3);
    assert_int_equal(b.in, 60);
    assert_int_equal(b.out, 240);
    assert_int_equal(b.closing, ch_ledger_balance(e, 5));
}

static void capacity_keeps_the_contingency_free(void **state)
{
    (void)state;
    ch_capacity c;
    ch_capacity_compute(6000, 10, 5400, &c);
    assert_int_equal(c.available, 5400);
    assert_false(c.over);
    ch_capacity_compute(6000, 10, 5401, &c);
    assert_true(c.over);
    char buf[32];
    /* Hours to two decimals, rounded: the statements agree with Excel. */
    ch_hours_text(150, buf, sizeof(buf));
    assert_string_equal(buf, "2.50");
    ch_hours_text(10, buf, sizeof(buf));
    assert_string_equal(buf, "0.17");
    ch_hours_text(-45, buf, sizeof(buf));
    assert_string_equal(buf, "-0.75");
    ch_minutes_format(450, buf, sizeof(buf));
    assert_string_equal(buf, "7h 30m");
    ch_minutes_format(-150, buf, sizeof(buf));
    assert_string_equal(buf, "-2h 30m");
    ch_minutes_format(45, buf, sizeof(buf));
    assert_string_equal(buf, "45m");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(three_sti_days_are_seven_blocks_and_half_an_hour),
        cmocka_unit_test(amounts_that_cannot_be_bought),
        cmocka_unit_test(how_each_ending_of_a_visit_is_charged),
        cmocka_unit_test(a_year_of_visits_and_its_settlement),
        cmocka_unit_test(terms_come_from_the_service_calendar),
        cmocka_unit_test(a_cancellation_is_charged_by_its_notice),
        cmocka_unit_test(a_statement_has_every_movement_once),
        cmocka_unit_test(capacity_keeps_the_contingency_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
