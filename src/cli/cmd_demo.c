/* `charter demo`: fills a database with demonstration data so a person can
 * try the desk at once: staff for every policy, and some hundreds of cases
 * over the last weeks in every state (open, assigned, paused, closed, met on
 * time, met late, breached). The engine computes every due time. */
#include "cli/cli.h"
#include "cli/desk_setup.h"
#include "core/casework.h"
#include "core/ledger.h"
#include "http/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] = "usage: charter demo [--db PATH] [--cases N] [--policy FILE]...\n"
                            "\n"
                            "Adds demonstration staff and cases (default 400) to the database\n"
                            "(default ./charter.db) and prints how to sign in.\n";

static const char *const subjects[] = {
    "School transport for a Year 7 pupil",
    "EHCP annual review paperwork",
    "Question about purchased consultancy hours",
    "Invoice query for the spring term",
    "Request for a SENCO network place",
    "Admissions appeal timetable",
    "Concern about a delayed reply",
    "Training date for INSET day",
    "Behaviour audit survey access",
    "Copy of a previous assessment report",
};
static const char *const names[] = {"Amira Khan",   "Ben Okafor",     "Chloe Evans",
                                    "Dev Patel",    "Ella Thompson",  "Femi Adeyemi",
                                    "Grace Murphy", "Harry Williams", "Isla Campbell"};

static uint64_t rng = 0x2545f4914f6cdd1du;

static unsigned pick(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

typedef struct staff {
    int64_t manager;
    int64_t officer[CH_MAX_DESK_POLICIES];
} staff;

static int add_staff(ch_desk *d, const char *password, staff *st, ch_error *err)
{
    char hash[crypto_pwhash_STRBYTES];
    int rc = ch_password_hash(password, hash, err);
    if (rc)
        return rc;
    const char *all[256];
    char names_buf[256][140];
    size_t nall = 0;
    for (size_t i = 0; i < d->npolicies; i++) {
        const ch_policy *p = d->policies[i].policy;
        const char *mine[64];
        size_t nmine = 0;
        for (size_t k = 0; k < p->nservices && nall < 256 && nmine < 64; k++) {
            snprintf(names_buf[nall], sizeof(names_buf[nall]), "%s/%s", p->id, p->services[k].id);
            mine[nmine++] = all[nall] = names_buf[nall];
            nall++;
        }
        char email[160], name[160];
        snprintf(email, sizeof(email), "officer.%s@charter.local", p->id);
        snprintf(name, sizeof(name), "Officer at %s", p->organisation);
        ch_user u = {0, email, name, CH_ROLE_OFFICER, hash, mine, nmine};
        if ((rc = ch_store_user_insert(d->store, &u, &st->officer[i], err)))
            return rc;
    }
    ch_user m = {0, "manager@charter.local", "Morgan Manager", CH_ROLE_MANAGER, hash, all, nall};
    int64_t admin_id;
    ch_user a = {0, "admin@charter.local", "Administrator", CH_ROLE_ADMIN, hash, NULL, 0};
    if ((rc = ch_store_user_insert(d->store, &m, &st->manager, err)))
        return rc;
    rc = ch_store_user_insert(d->store, &a, &admin_id, err);
    return rc == CH_E_CONFLICT ? CH_OK : rc; /* an existing administrator keeps their password */
}

/* One case: received some time in the last six weeks, then worked on.
 * *added says whether the moment drawn fell inside the calendar's data. */
static int add_case(ch_desk *d, const staff *st, ch_time now, bool *added, ch_error *err)
{
    size_t pi = pick((unsigned)d->npolicies);
    const ch_policy *p = d->policies[pi].policy;
    const ch_service *svc = &p->services[pick((unsigned)p->nservices)];
    const ch_calendar *cal = ch_policy_service_calendar(p, svc);
    ch_contact c = {0};
    const char *flags[1] = {"complex"};
    c.channel = (ch_channel)pick(CH_CHANNEL_COUNT);
    c.kind = pick(10) < 7 ? CH_KIND_ENQUIRY : (ch_case_kind)pick(CH_KIND_COUNT);
    c.flags = flags;
    c.nflags = pick(6) == 0;
    /* A working moment in the last 42 days (the calendar knows when that is). */
    ch_time when = now - (ch_time)pick(42 * 86400);
    *added = false;
    if (ch_calendar_next_open(cal, when, &c.received, err) || c.received > now)
        return CH_OK; /* outside this calendar's data or in the future: skip */
    ch_obligation ob[CH_POLICY_MAX_PROMISES];
    ch_obligation_row rows[CH_POLICY_MAX_PROMISES];
    ch_time due[CH_POLICY_MAX_PROMISES];
    ch_ostate state[CH_POLICY_MAX_PROMISES];
    size_t n;
    ch_time deemed;
    if (ch_policy_obligations(p, svc, &c, ob, CH_POLICY_MAX_PROMISES, &n, &deemed, err))
        return CH_OK;
    unsigned fate = pick(10); /* 0-2 closed, 3 paused, 4-7 assigned, 8-9 unassigned */
    for (size_t i = 0; i < n; i++) {
        due[i] = ob[i].due;
        state[i] = ch_ostate_at(fate == 3, due[i], now);
        rows[i] = (ch_obligation_row){0,
                                      ob[i].promise->id,
                                      ch_obligation_kind_name(ob[i].promise->obligation),
                                      ob[i].promise->text,
                                      due[i],
                                      ch_ostate_name(state[i]),
                                      0};
        if (fate <= 2 && (due[i] < now || pick(2))) {
            /* Answered: mostly on time, sometimes late. */
            ch_time span = due[i] - c.received;
            ch_time at = c.received + (pick(5) ? span / 2 : span + 86400);
            if (at < now) {
                rows[i].state = "met";
                rows[i].met_at = at;
                state[i] = CH_OSTATE_MET;
            }
        }
    }
    char subject[120], email[80];
    const char *who = names[pick(sizeof(names) / sizeof(*names))];
    snprintf(subject, sizeof(subject), "%s", subjects[pick(sizeof(subjects) / sizeof(*subjects))]);
    snprintf(email, sizeof(email), "%.*s@example.org", (int)strcspn(who, " "), who);
    for (char *q = email; *q; q++)
        *q = (char)(*q >= 'A' && *q <= 'Z' ? *q - 'A' + 'a' : *q);
    char service[140];
    snprintf(service, sizeof(service), "%s/%s", p->id, svc->id);
    ch_event_row ev = {0, c.received, 0, "created", subject};
    ch_case_row row = {0};
    row.service = service;
    row.kind = ch_case_kind_name(c.kind);
    row.channel = ch_channel_name(c.channel);
    row.subject = subject;
    row.status = fate <= 2 ? "closed" : fate == 3 ? "paused" : "open";
    row.received_at = c.received;
    row.deemed_at = deemed;
    row.created_at = c.received;
    row.requester_name = who;
    row.requester_email = email;
    row.officer_id = fate <= 7 ? st->officer[pi] : 0;
    row.flags = flags;
    row.nflags = c.nflags;
    row.obligations = rows;
    row.nobligations = n;
    row.events = &ev;
    row.nevents = 1;
    row.next_due_at = fate <= 3 ? 0 : ch_next_due(due, state, n);
    *added = true;
    return ch_store_case_insert(d->store, &row, err);
}

static const char *const schools[] = {"Hillside Primary", "Oak Academy", "Riverside Infants",
                                      "St Anne's CE Primary"};

/* A visit every other week from mid September, ended the way visits end
 * where it is past and still booked where it is to come; bookings stop
 * while a block would take the school past its hours. */
static int add_visits(ch_desk *d, const ch_calendar *cal, ch_contract *k, ch_time now,
                      ch_error *err)
{
    static const ch_visit_status endings[] = {
        CH_VISIT_DELIVERED,      CH_VISIT_DELIVERED,       CH_VISIT_DELIVERED,
        CH_VISIT_CANCELLED_LATE, CH_VISIT_CANCELLED_EARLY, CH_VISIT_CANCELLED_PROVIDER,
    };
    int64_t left = k->purchased;
    int rc;
    for (ch_date day = k->starts + 14; left >= k->block && day < k->ends; day += 14) {
        ch_time at;
        bool ambiguous, open = false;
        /* The Tuesday of that week at 9:30, when the service is open then
         * (past the calendar's data, no visit is made up). */
        if (ch_tz_from_local(ch_calendar_tz(cal), day - ch_date_weekday(day) + 1, 9 * 3600 + 1800,
                             &at, &ambiguous) ||
            ch_calendar_is_open(cal, at, &open, &(ch_error){0}) || !open)
            continue;
        ch_visit v = {.contract_id = k->id,
                      .consultant_id = k->consultant_id,
                      .starts_at = at,
                      .booked = k->block,
                      .created_at = at - 20 * CH_DAY_SECS};
        if ((rc = ch_store_visit_insert(d->store, &v, NULL, err)))
            return rc;
        left -= k->block;
        if (at > now)
            continue;
        ch_visit_status end = endings[pick(sizeof(endings) / sizeof(*endings))];
        int32_t actual = k->block - 15 + (int32_t)pick(31);
        int64_t charged, shortfall;
        if ((rc = ch_visit_charge(end, k->block, actual, &charged, &shortfall, err)))
            return rc;
        left += k->block - charged;
        ch_ledger_row charge = {.contract_id = k->id,
                                .at = at,
                                .kind = "drawdown",
                                .minutes = -charged,
                                .visit_id = v.id,
                                .reason = "Visit",
                                .created_at = at};
        ch_visit_change ch = {.visit_id = v.id,
                              .status = ch_visit_status_name(end),
                              .actual = end == CH_VISIT_DELIVERED ? actual : 0,
                              .charge = charged ? &charge : NULL,
                              .at = at};
        if ((rc = ch_store_visit_change(d->store, &ch, err)))
            return rc;
    }
    return CH_OK;
}

/* A contract for each school on each service sold by the visit, for the
 * academic year now running, with its consultant the policy's officer. */
static int add_contracts(ch_desk *d, const staff *st, ch_time now, ch_error *err)
{
    int y, m, dd, rc;
    ch_date_to_ymd(ch_time_utc_date(now), &y, &m, &dd);
    if (m < 9)
        y--;
    char year[16];
    snprintf(year, sizeof(year), "%d-%02d", y, (y + 1) % 100);
    for (size_t i = 0; i < d->npolicies; i++) {
        const ch_policy *p = d->policies[i].policy;
        for (size_t s = 0; s < p->nservices; s++) {
            const ch_service *svc = &p->services[s];
            if (!svc->visit_block)
                continue;
            const ch_calendar *cal = ch_policy_service_calendar(p, svc);
            char name[140];
            snprintf(name, sizeof(name), "%s/%s", p->id, svc->id);
            for (size_t k = 0; k < 2; k++) {
                ch_contract c = {0};
                bool days = svc->day_length > 0;
                c.organisation = schools[pick(sizeof(schools) / sizeof(*schools))];
                c.service = name;
                c.year = year;
                c.starts = ch_date_from_ymd(y, 9, 1);
                c.ends = ch_date_from_ymd(y + 1, 8, 31);
                c.amount = days ? 300 : 1800;
                c.unit = days ? "days" : "hours";
                if ((rc = ch_amount_minutes(c.amount, days ? CH_AMOUNT_DAYS : CH_AMOUNT_HOURS,
                                            svc->day_length, &c.purchased, err)))
                    return rc;
                c.block = svc->visit_block;
                c.prep_counts = true;
                c.contact_name = "Business manager";
                c.consultant_id = st->officer[i];
                c.shortfall_policy = k ? "rollover" : "refund";
                c.created_by = st->manager;
                c.created_at = now;
                bool ambiguous;
                if (ch_tz_from_local(ch_calendar_tz(cal), c.starts, 0, &c.purchased_at, &ambiguous))
                    c.purchased_at = now;
                if ((rc = ch_store_contract_insert(d->store, &c, err)) ||
                    (rc = add_visits(d, cal, &c, now, err)))
                    return rc;
            }
        }
    }
    return CH_OK;
}

int ch_cmd_demo(int argc, char **argv)
{
    const char *db = "charter.db", *count_s = "400";
    const char *policies[CH_MAX_DESK_POLICIES];
    size_t npolicies = 0;
    ch_desk d = {0};
    ch_error err = {0};
    staff st = {0};
    int rc = CH_EXIT_FAIL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r;
        if (ch_arg_is_help(argv[i])) {
            fputs(usage, stdout);
            return CH_EXIT_OK;
        }
        if ((r = ch_arg_value(argc, argv, &i, "--db", &db)) ||
            (r = ch_arg_value(argc, argv, &i, "--cases", &count_s))) {
            if (r < 0)
                return CH_EXIT_USAGE;
            continue;
        }
        if ((r = ch_arg_value(argc, argv, &i, "--policy", &v))) {
            if (r < 0 || npolicies == CH_MAX_DESK_POLICIES)
                return r < 0 ? CH_EXIT_USAGE : ch_usage_error("demo", "too many policies");
            policies[npolicies++] = v;
            continue;
        }
        return ch_usage_error("demo", "unknown option '%s'", argv[i]);
    }
    char *end;
    long count = strtol(count_s, &end, 10);
    if (*end || count < 0 || count > 1000000)
        return ch_usage_error("demo", "--cases must be a number from 0 to 1000000");
    char password[CH_TOKEN_LEN + 1];
    uint8_t unused[32];
    if (ch_auth_init(&err) || ch_cli_desk_policies(&d, policies, npolicies) ||
        ch_store_open(&d.store, db, &err))
        goto out;
    ch_token_new(password, unused);
    password[16] = '\0';
    if (add_staff(&d, password, &st, &err))
        goto out;
    ch_time now = (ch_time)time(NULL);
    long made = 0;
    for (long tries = 0; made < count && tries < count * 4; tries++) {
        bool added;
        if (add_case(&d, &st, now, &added, &err))
            goto out;
        made += added;
    }
    if (add_contracts(&d, &st, now, &err))
        goto out;
    printf("Demonstration data in %s: %ld cases, contracts for purchased hours, a manager\n"
           "and an officer for each policy.\n"
           "Sign in as admin@charter.local, manager@charter.local or officer.POLICY@charter.local\n"
           "(officer.cognus@charter.local, ...) with the password %s\n",
           db, made, password);
    rc = CH_EXIT_OK;
out:
    if (err.code)
        fprintf(stderr, "charter demo: %s\n", err.msg);
    ch_store_close(d.store);
    ch_cli_desk_free(&d);
    return rc;
}
