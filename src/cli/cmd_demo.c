/* `charter demo`: fills a database with demonstration data so a person can
 * try the desk at once: staff for every policy, and some hundreds of cases
 * over the last weeks in every state (open, assigned, paused, closed, met on
 * time, met late, breached), and closed ones from the months before. The engine computes every due
 * time. */
#include "cli/cli.h"
#include "cli/desk_setup.h"
#include "core/casework.h"
#include "core/ledger.h"
#include "http/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* A part-time officer and one away this week, covered by the manager, so
 * the desk shows a signature with a working pattern, an out-of-office and
 * the warning on assigning to someone away. Written as the API takes them. */
static int add_availability(ch_desk *d, const staff *st, ch_time now, ch_error *err)
{
    char from[11], to[11], absences[300];
    ch_date today = ch_time_utc_date(now);
    ch_availability_row part = {st->officer[0],
                                "{\"days\":[\"mon\",\"tue\",\"wed\"],\"start\":\"09:00\","
                                "\"end\":\"15:00\",\"term_time_only\":true}",
                                NULL, now};
    int rc = ch_store_availability_set(d->store, &part, err);
    if (rc || d->npolicies < 2)
        return rc;
    ch_date_format(today - 2, from, sizeof(from));
    ch_date_format(today + 7, to, sizeof(to));
    snprintf(absences, sizeof(absences),
             "[{\"from\":\"%s\",\"to\":\"%s\",\"cover_user_id\":%lld,\"note\":\"Annual "
             "leave\"}]",
             from, to, (long long)st->manager);
    ch_availability_row away = {st->officer[1], NULL, absences, now};
    return ch_store_availability_set(d->store, &away, err);
}

/* One case: received some time in the last six weeks, then worked on; or,
 * one time in four, an older one from the months before, long closed, so
 * the public pages and reports have a last quarter to speak of.
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
    /* A working moment in the last 42 days, or the 158 before (the calendar
     * knows when that is). */
    bool older = pick(4) == 0;
    ch_time when =
        older ? now - 42 * 86400 - (ch_time)pick(158 * 86400) : now - (ch_time)pick(42 * 86400);
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
    /* 0-2 closed, 3 paused, 4-7 assigned, 8-9 unassigned; the older closed */
    unsigned fate = older ? pick(3) : pick(10);
    for (size_t i = 0; i < n; i++) {
        due[i] = ob[i].due;
        state[i] = ch_ostate_at(fate == 3, due[i], now);
        rows[i] = ch_obligation_row_for(ob[i].promise, due[i], state[i]);
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
        /* A closed case leaves nothing pending: as the desk settles it. */
        if (fate <= 2 && state[i] != CH_OSTATE_MET) {
            bool late = due[i] < now;
            state[i] = late ? CH_OSTATE_BREACHED : CH_OSTATE_WITHDRAWN;
            rows[i].state = ch_ostate_name(state[i]);
            rows[i].reason = late ? "not kept by its due time; the case was closed without it"
                                  : "The requester said they no longer needed an answer.";
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

/* Safeguards to look at: on the newest open Cognus enquiry, the person it
 * is about has a parent (whose date of birth is not recorded, so the desk
 * asks for it) and an advocate with written consent for that case. */
static int add_safeguards(ch_desk *d, ch_time now, ch_error *err)
{
    ch_arena a = {0};
    ch_case_row *rows;
    size_t n;
    ch_case_filter f = {0};
    f.service = "cognus/enquiries";
    f.status = "open";
    f.limit = 1;
    int rc = ch_store_case_list(d->store, &f, &a, &rows, &n, err);
    if (rc || n == 0 || !rows[0].person_id)
        goto out;
    ch_person parent = {0, "Grace Okafor", "grace.okafor@example.org", NULL, NULL, 0, now};
    ch_person advocate = {0, "Tom Reid", "tom.reid@advocacy.example", NULL, NULL, 0, now};
    if ((rc = ch_store_person_insert(d->store, &parent, err)) ||
        (rc = ch_store_person_insert(d->store, &advocate, err)))
        goto out;
    ch_relationship p = {0, parent.id, "parent", rows[0].person_id, 0, NULL, 0, now};
    ch_relationship v = {0, advocate.id, "advocate", rows[0].person_id, 0, NULL, 0, now};
    ch_consent c = {0};
    c.grantor_id = rows[0].person_id;
    c.grantee_id = advocate.id;
    c.case_id = rows[0].id;
    c.evidence = "Signed consent form, scanned to the case file";
    c.given_on = ch_time_utc_date(now) - 7;
    c.created_at = now;
    if ((rc = ch_store_relationship_insert(d->store, &p, err)) ||
        (rc = ch_store_relationship_insert(d->store, &v, err)))
        goto out;
    rc = ch_store_consent_insert(d->store, &c, err);
out:
    ch_arena_free(&a);
    return rc;
}

/* A few people with communication needs, so the desk shows its alerts. */
static int add_needs(ch_desk *d, ch_arena *a, ch_error *err)
{
    static const char *const needs[] = {
        "{\"avoid_channels\":[\"phone\",\"voicemail\"],\"bsl\":true,"
        "\"note\":\"Deaf: please email, or use text relay when it is urgent.\","
        "\"preferred_channel\":\"email\"}",
        "{\"format\":\"large-print\",\"preferred_channel\":\"letter\"}",
        "{\"interpreter\":true,\"language\":\"Polish\",\"avoid_times\":\"before 10:00\"}",
    };
    for (int64_t id = 1; id <= 3; id++) {
        ch_person p;
        int rc = ch_store_person_get(d->store, id, a, &p, err);
        if (rc == CH_E_NOTFOUND)
            continue;
        p.needs = needs[id - 1];
        if (rc || (rc = ch_store_person_update(d->store, &p, err)))
            return rc;
    }
    return CH_OK;
}

/* One person whose contact is restricted after a threatening call, the
 * notice sent: the desk shows the banner and refuses a phone call. */
static int add_restricted(ch_desk *d, const staff *st, ch_time now, ch_error *err)
{
    size_t pi = 0;
    while (pi < d->npolicies && strcmp(d->policies[pi].policy->id, "cognus") != 0)
        pi++;
    if (pi == d->npolicies)
        return CH_OK; /* no Cognus charter loaded: nothing to show it with */
    ch_person p = {0, "Robin Hale", "robin.hale@example.org", NULL, NULL, 0, now - 20 * 86400};
    int rc = ch_store_person_insert(d->store, &p, err);
    const int64_t affected[] = {st->officer[pi]};
    const char *actions[] = {"call-ended", "warning-issued"};
    ch_incident inc = {.person_id = p.id,
                       .at = now - 14 * 86400,
                       .channel = "phone",
                       .kind = "threatening",
                       .what = "Shouted at the officer and threatened to come to the office.",
                       .staff = affected,
                       .nstaff = 1,
                       .actions = actions,
                       .nactions = 2,
                       .health_and_safety = true,
                       .created_by = st->manager,
                       .created_at = now - 14 * 86400};
    if (!rc)
        rc = ch_store_incident_insert(d->store, &inc, err);
    const char *channels[] = {"email"};
    ch_restriction r = {.person_id = p.id,
                        .channels = channels,
                        .nchannels = 1,
                        .point_of_contact = st->officer[pi],
                        .replies = 1,
                        .per_days = 10,
                        .reason = "You threatened a member of our staff on the telephone.",
                        .review_on = ch_time_utc_date(now) + 90,
                        .status = "awaiting-notice",
                        .created_by = st->manager,
                        .created_at = now - 13 * 86400};
    if (!rc)
        rc = ch_store_restriction_insert(d->store, &r, err);
    ch_restriction_change sent = {.id = r.id,
                                  .expect = "awaiting-notice",
                                  .status = "active",
                                  .notice_sent_at = now - 12 * 86400,
                                  .notice_how = "letter"};
    if (!rc)
        rc = ch_store_restriction_change(d->store, &sent, err);
    return rc;
}

static const char *const schools[] = {"Hillside Primary", "Oak Academy", "Riverside Infants",
                                      "St Anne's CE Primary"};

/* A visit every other week from mid September, ended the way visits end
 * where it is past and still booked where it is to come; bookings stop
 * while a block would take the school past its hours. One consultant
 * serves several contracts, so each contract has its own slot (the
 * weekday, the week of the fortnight and the morning or afternoon) and no
 * two of theirs meet: the demonstration keeps the timetable it teaches. */
static int add_visits(ch_desk *d, const ch_calendar *cal, ch_contract *k, unsigned slot,
                      ch_time now, ch_error *err)
{
    int weekday = 1 + (int)(slot % 4);                          /* Tuesday to Friday */
    ch_date fortnight = (ch_date)(slot / 4 % 2) * 7;            /* this week or next */
    int32_t start = slot / 8 % 2 ? 13 * 3600 : 9 * 3600 + 1800; /* 09:30 or 13:00 */
    static const ch_visit_status endings[] = {
        CH_VISIT_DELIVERED,      CH_VISIT_DELIVERED,       CH_VISIT_DELIVERED,
        CH_VISIT_CANCELLED_LATE, CH_VISIT_CANCELLED_EARLY, CH_VISIT_CANCELLED_PROVIDER,
    };
    int64_t left = k->purchased;
    int rc;
    for (ch_date day = k->starts + 14 + fortnight; left >= k->block && day < k->ends; day += 14) {
        ch_time at;
        bool ambiguous, open = false;
        /* The slot's day of that week, when the service is open then (past
         * the calendar's data, no visit is made up). */
        if (ch_tz_from_local(ch_calendar_tz(cal), day - ch_date_weekday(day) + weekday, start, &at,
                             &ambiguous) ||
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
        unsigned slot = 0; /* the policy's officer consults on all of them */
        const ch_policy *p = d->policies[i].policy;
        for (size_t s = 0; s < p->nservices; s++) {
            const ch_service *svc = &p->services[s];
            if (!svc->visit_block)
                continue;
            const ch_calendar *cal = ch_policy_visit_calendar(p, svc);
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
                                            svc->day_length, svc->half_day, &c.purchased, err)))
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
                    (rc = add_visits(d, cal, &c, slot++, now, err)))
                    return rc;
            }
        }
    }
    return CH_OK;
}

int ch_cmd_demo(int argc, char **argv)
{
    const char *db = NULL, *count_s = NULL;
    const char *policies[CH_MAX_DESK_POLICIES];
    ch_opt_list plist = {policies, 0, CH_MAX_DESK_POLICIES};
    ch_desk d = {0};
    ch_error err = {0};
    staff st = {0};
    int rc = CH_EXIT_FAIL;
    const ch_opt opts[] = {
        {"--db", CH_OPT_ONE, &db},
        {"--cases", CH_OPT_ONE, &count_s},
        {"--policy", CH_OPT_MANY, &plist},
    };
    if (!ch_args_parse("demo", argc, argv, opts, sizeof(opts) / sizeof(*opts), NULL, &rc))
        return rc;
    size_t npolicies = plist.n;
    db = db ? db : "charter.db";
    long long count = 400;
    if (count_s && !ch_arg_number("demo", "--cases", count_s, 0, 1000000, &count))
        return CH_EXIT_USAGE;
    if (!ch_arg_db("demo", "--db", db, true) || !ch_arg_policies("demo", &plist))
        return CH_EXIT_USAGE;
    rc = CH_EXIT_FAIL;
    char password[CH_TOKEN_LEN + 1];
    uint8_t unused[32];
    /* The policies load before the database opens, so a bad one creates nothing. */
    if (ch_auth_init(&err) || ch_cli_desk_policies(&d, policies, npolicies) ||
        ch_store_open(&d.store, db, &err))
        goto out;
    ch_token_new(password, unused);
    password[16] = '\0';
    if (add_staff(&d, password, &st, &err))
        goto out;
    ch_time now = (ch_time)time(NULL);
    long made = 0;
    for (long long tries = 0; made < count && tries < count * 4; tries++) {
        bool added;
        if (add_case(&d, &st, now, &added, &err))
            goto out;
        made += added;
    }
    ch_arena arena = {0};
    int needs_rc = add_needs(&d, &arena, &err);
    ch_arena_free(&arena);
    if (needs_rc || add_contracts(&d, &st, now, &err) || add_safeguards(&d, now, &err) ||
        add_restricted(&d, &st, now, &err) || add_availability(&d, &st, now, &err))
        goto out;
    printf("Demonstration data in %s: %ld cases, contracts for purchased hours, a person\n"
           "whose contact is restricted (Robin Hale), a manager and an officer for each policy.\n"
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
