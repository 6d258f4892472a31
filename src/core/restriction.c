/* The decisions a restriction on contact makes: which outbound contacts it
 * refuses, how it reads in a sentence, and when a restricted person's next
 * reply is due. */
#include "core/restriction.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

void ch_restriction_channels_text(unsigned channels, char *buf, size_t n)
{
    size_t used = 0, count = 0, total = 0;
    for (int c = 0; c < CH_CHANNEL_COUNT; c++)
        total += (channels >> c) & 1u;
    buf[0] = '\0';
    if (!total) {
        snprintf(buf, n, "no channel");
        return;
    }
    for (int c = 0; c < CH_CHANNEL_COUNT && used < n; c++) {
        if (!((channels >> c) & 1u))
            continue;
        count++;
        const char *sep = count == 1 ? "" : count == total ? " or " : ", ";
        int k = snprintf(buf + used, n - used, "%s%s", sep, ch_channel_name((ch_channel)c));
        if (k < 0)
            return;
        used += (size_t)k;
    }
}

static const char *const number_words[] = {"no", "one", "two", "three", "four", "five"};

void ch_restriction_describe(const ch_contact_limits *l, char *buf, size_t n)
{
    char channels[128];
    ch_restriction_channels_text(l->channels, channels, sizeof(channels));
    size_t used = 0;
    int k;
    if (l->refuse_service)
        k = snprintf(buf, n, "no further service; contact by %s only", channels);
    else
        k = snprintf(buf, n, "%s only", channels);
    used = k > 0 ? (size_t)k : 0;
    if (l->point_of_contact && used < n) {
        k = snprintf(buf + used, n - used, ", through %s", l->point_of_contact);
        used += k > 0 ? (size_t)k : 0;
    }
    if (l->replies > 0 && l->per_days > 0 && used < n) {
        char count[16];
        if (l->replies < 6)
            snprintf(count, sizeof(count), "%s", number_words[l->replies]);
        else
            snprintf(count, sizeof(count), "%d", (int)l->replies);
        snprintf(buf + used, n - used, "; %s repl%s each %d working day%s", count,
                 l->replies == 1 ? "y" : "ies", (int)l->per_days, l->per_days == 1 ? "" : "s");
    }
}

ch_restrict_verdict ch_restriction_outbound(const ch_contact_limits *l, ch_channel channel,
                                            unsigned meets, char *why, size_t n)
{
    if (!l || !l->active)
        return CH_RESTRICT_ALLOW;
    char summary[256];
    ch_restriction_describe(l, summary, sizeof(summary));
    if (!((l->channels >> channel) & 1u)) {
        snprintf(why, n,
                 "Contact with this person is restricted (%s), so we do not contact them by %s; "
                 "use an allowed channel.",
                 summary, ch_channel_name(channel));
        return CH_RESTRICT_CHANNEL;
    }
    if (l->refuse_service && (meets & CH_SUBSTANTIVE)) {
        snprintf(why, n,
                 "Further service to this person has been refused (%s), so no reply on the "
                 "substance is sent; an acknowledgement, or a contact that keeps no promise "
                 "(such as the notice itself), is still allowed.",
                 summary);
        return CH_RESTRICT_SERVICE;
    }
    return CH_RESTRICT_ALLOW;
}

int ch_restriction_period_parse(const char *s, int32_t *days, ch_error *err)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || v < 1 || v > 260 ||
        (strcmp(end, " working days") != 0 && strcmp(end, " working day") != 0))
        return ch_error_set(err, CH_E_INVALID,
                            "the period must be a number of working days from 1 to 260, such as "
                            "\"10 working days\"");
    *days = (int32_t)v;
    return CH_OK;
}

int ch_restriction_reply_due(const ch_calendar *cal, const ch_contact_limits *l, ch_time last_reply,
                             ch_time due, ch_time *out, ch_error *err)
{
    *out = due;
    if (!l->active || l->replies <= 0 || l->per_days <= 0 || !last_reply)
        return CH_OK;
    int spacing = (int)(l->per_days / l->replies);
    ch_target gap = {.amount = spacing < 1 ? 1 : spacing, .unit = CH_UNIT_WORKING_DAYS};
    ch_time slot;
    int rc = ch_deadline_compute(cal, &gap, last_reply, CH_ANCHOR_EVENT, NULL, 0, &slot, err);
    if (rc)
        return rc;
    if (slot > due)
        *out = slot;
    return CH_OK;
}

const char *const ch_notice_placeholders[CH_NOTICE_COUNT + 1] = {
    "name",   "organisation", "channels", "point_of_contact", "frequency", "review_on",
    "reason", "date",         NULL};

int ch_notice_placeholder(const char *text, size_t *len)
{
    size_t k = 1;
    *len = 0;
    while (k < 40 && ((text[k] >= 'a' && text[k] <= 'z') || text[k] == '_'))
        k++;
    if (text[k] != '}' || k == 1)
        return -1;
    *len = k + 1;
    for (int i = 0; i < CH_NOTICE_COUNT; i++)
        if (strlen(ch_notice_placeholders[i]) == k - 1 &&
            strncmp(text + 1, ch_notice_placeholders[i], k - 1) == 0)
            return i;
    return -1;
}

int ch_notice_fill(const char *tmpl, const char *const values[CH_NOTICE_COUNT], char *out, size_t n,
                   ch_error *err)
{
    size_t o = 0;
    for (const char *p = tmpl; *p;) {
        size_t len = 0;
        int which = *p == '{' ? ch_notice_placeholder(p, &len) : -1;
        const char *piece = p;
        size_t plen = 1;
        if (which >= 0) {
            piece = values[which] ? values[which] : "";
            plen = strlen(piece);
            p += len;
        } else {
            p++;
        }
        if (o + plen >= n)
            return ch_error_set(err, CH_E_INVALID, "the notice is longer than %zu bytes", n - 1);
        memcpy(out + o, piece, plen);
        o += plen;
    }
    out[o] = '\0';
    return CH_OK;
}

bool ch_restriction_binds(const char *service, const char *case_service)
{
    if (!service)
        return true;
    if (!case_service)
        return false;
    const char *a = strchr(service, '/'), *b = strchr(case_service, '/');
    size_t na = a ? (size_t)(a - service) : strlen(service);
    size_t nb = b ? (size_t)(b - case_service) : strlen(case_service);
    return na == nb && memcmp(service, case_service, na) == 0;
}
