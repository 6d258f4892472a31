/* Notices about a visit: the consultant running late, the visit cancelled
 * by either side, or what a training session needs from the school. Each is kept as given (when and
 * how the other side was told); one we send by email is queued in the outbox in the same write,
 * addressed to the school's named contact on the contract. */
#include "core/timefmt.h"
#include "http/hours.h"
#include "mail/mail.h"
#include "mail/message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const channels[] = {"phone", "email", "in-person", "letter", NULL};

bool ch_hours_notice_read(ch_req *r, problems *p, json_t *obj, const char *field,
                          const ch_calendar *cal, ch_visit_notice *n)
{
    char key[48];
    if (!json_is_object(obj)) {
        ch_req_bad(p, field, "%s must be an object with notice_at and channel.", field);
        return false;
    }
    snprintf(key, sizeof(key), "%s.notice_at", field);
    n->channel = ch_req_text(p, obj, "channel", 16, true);
    n->contact = ch_req_text(p, obj, "told", 200, false);
    n->note = ch_req_text(p, obj, "note", 500, false);
    bool ok = ch_hours_time(p, obj, "notice_at", cal, true, &n->notice_at);
    if (ok && n->notice_at > r->now + 300) {
        ch_req_bad(p, field, "%s is in the future; record a notice once it is given.", key);
        ok = false;
    }
    if (n->channel) {
        size_t i = 0;
        while (channels[i] && strcmp(channels[i], n->channel) != 0)
            i++;
        if (!channels[i]) {
            ch_req_bad(p, field, "%s.channel must be phone, email, in-person or letter.", field);
            ok = false;
        }
    }
    if (!ch_req_one_line(n->contact)) {
        ch_req_bad(p, field, "%s.told must be one line of text.", field);
        ok = false;
    }
    return ok && n->channel;
}

/* "09:30 on Tue 12 Jan 2027" for t on the calendar's clock. */
static void when_words(const ch_calendar *cal, ch_time t, char *buf, size_t size)
{
    char day[40], clock[16];
    ch_date_format_long(ch_hours_local_date(cal, t), day, sizeof(day));
    ch_hours_clock(cal, t, clock, sizeof(clock));
    snprintf(buf, size, "%s on %s", clock, day);
}

int ch_hours_notice_mail(ch_req *r, const ch_contract *c, const ch_desk_service *ds,
                         const ch_visit *v, const ch_visit_notice *n, ch_outbox_row *row,
                         char **raw, ch_error *err)
{
    const ch_calendar *cal = ch_policy_service_calendar(ds->policy, ds->service);
    char when[80], expected[80] = "", subject[300], text[1600];
    when_words(cal, v->starts_at, when, sizeof(when));
    if (!r->desk->smtp_url)
        return ch_error_set(err, CH_E_CONFLICT,
                            "this desk has no mail server set (charter serve --smtp); tell the "
                            "school by phone and record the notice with channel phone");
    if (!ch_mail_address_ok(c->contact_email))
        return ch_error_set(err, CH_E_CONFLICT,
                            "the contract names no usable e-mail address for the school's "
                            "contact; tell them by phone, or add the address to the contract");
    const char *who = v->consultant ? v->consultant : "Your consultant";
    const char *dear = n->contact ? n->contact : c->contact_name ? c->contact_name : "colleague";
    bool late = strcmp(n->kind, "late") == 0;
    if (strcmp(n->kind, "release") == 0) {
        snprintf(subject, sizeof(subject), "%s: release time for the visit at %s", c->organisation,
                 when);
        snprintf(text, sizeof(text),
                 "Dear %s,\n\nThe visit to %s at %s needs your %s released for it: please arrange "
                 "cover so that they can take part.%s%s\n\nWith best wishes,\n%s\n",
                 dear, c->organisation, when, v->release_for ? v->release_for : "SENCO",
                 n->note ? "\n\n" : "", n->note ? n->note : "", ds->policy->organisation);
    } else if (strcmp(n->kind, "resources") == 0) {
        snprintf(subject, sizeof(subject), "%s: what the training at %s needs", c->organisation,
                 when);
        snprintf(text, sizeof(text),
                 "Dear %s,\n\nSo that the training session at %s for %s goes well, please have "
                 "ready:\n\n%s\n\nIf any of it is difficult, tell us and we will plan around "
                 "it.\n\nWith best wishes,\n%s\n",
                 dear, when, c->organisation, n->note ? n->note : "", ds->policy->organisation);
    } else if (late) {
        when_words(cal, n->expected_at, expected, sizeof(expected));
        snprintf(subject, sizeof(subject), "%s: running late for the visit at %s", c->organisation,
                 when);
        snprintf(text, sizeof(text),
                 "Dear %s,\n\n%s is running late for the visit to %s booked for %s, and now "
                 "expects to arrive at %s. We are sorry for the delay.%s%s\n\nWith best "
                 "wishes,\n%s\n",
                 dear, who, c->organisation, when, expected, n->note ? "\n\n" : "",
                 n->note ? n->note : "", ds->policy->organisation);
    } else {
        snprintf(subject, sizeof(subject), "%s: the visit at %s is cancelled", c->organisation,
                 when);
        snprintf(text, sizeof(text),
                 "Dear %s,\n\nWe are sorry: we have had to cancel the visit to %s booked for %s. "
                 "The time is not charged to the school, and we owe it back; we will offer "
                 "another date.%s%s\n\nWith best wishes,\n%s\n",
                 dear, c->organisation, when, n->note ? "\n\n" : "", n->note ? n->note : "",
                 ds->policy->organisation);
    }
    return ch_hours_school_message(r, c, ds, "notice", subject, text, NULL, 0, row, raw, err);
}

int ch_hours_school_message(ch_req *r, const ch_contract *c, const ch_desk_service *ds,
                            const char *purpose, const char *subject, const char *text,
                            const ch_part *parts, size_t nparts, ch_outbox_row *row, char **raw,
                            ch_error *err)
{
    const ch_service *svc = ds->service;
    const char *from = svc->mail_from ? svc->mail_from : r->desk->mail_from;
    const char *at = strchr(from, '@');
    char message_id[256];
    size_t len = 0;
    ch_address to = {c->contact_name, c->contact_email};
    ch_outgoing m = {.from = {svc->mail_from ? svc->mail_name : NULL, from},
                     .to = &to,
                     .nto = 1,
                     .subject = subject,
                     .text = text,
                     .parts = parts,
                     .nparts = nparts,
                     .id_domain = at ? at + 1 : "localhost",
                     .date = r->now};
    int rc = ch_message_build(&m, raw, &len, message_id, err);
    if (rc)
        return rc;
    *row = (ch_outbox_row){.service = ds->name,
                           .purpose = purpose,
                           .mail_from = from,
                           .rcpts = c->contact_email,
                           .message_id = ch_arena_strdup(&r->arena, message_id),
                           .raw = (const unsigned char *)*raw,
                           .len = len,
                           .require_tls = svc->mail_secure};
    return row->message_id ? CH_OK : ch_error_set(err, CH_E_NOMEM, "out of memory");
}

void ch_jw_visit_notices(ch_jw *w, const ch_visit_notice *n, size_t count)
{
    ch_jw_arr(w);
    for (size_t i = 0; i < count; i++) {
        ch_jw_obj(w);
        ch_jw_key(w, "id");
        ch_jw_int(w, n[i].id);
        ch_jw_key(w, "kind");
        ch_jw_str(w, n[i].kind);
        ch_jw_key(w, "party");
        ch_jw_str(w, n[i].party);
        ch_jw_key(w, "notice_at");
        ch_jw_time(w, n[i].notice_at);
        ch_jw_key(w, "expected_at");
        ch_jw_time(w, n[i].expected_at);
        ch_jw_key(w, "channel");
        ch_jw_str(w, n[i].channel);
        ch_jw_key(w, "told");
        ch_jw_str(w, n[i].contact);
        ch_jw_key(w, "note");
        ch_jw_str(w, n[i].note);
        ch_jw_key(w, "outbox_id");
        ch_jw_id(w, n[i].outbox_id);
        ch_jw_obj_end(w);
    }
    ch_jw_arr_end(w);
}
