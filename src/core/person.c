/* A person's age and communication needs as sentences and decisions (see
 * person.h): the rules in one place so the API, the case page and the
 * contact check all say the same thing. */
#include "core/person.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ch_person_age_on(ch_date dob, ch_date date)
{
    if (date < dob)
        return -1;
    int by, bm, bd, y, m, d;
    ch_date_to_ymd(dob, &by, &bm, &bd);
    ch_date_to_ymd(date, &y, &m, &d);
    int age = y - by;
    /* Not yet had this year's birthday; a 29 February birthday falls on
     * 1 March in a common year, because 28 February is still before it. */
    if (m < bm || (m == bm && d < bd))
        age--;
    return age;
}

bool ch_person_format_known(const char *format)
{
    static const char *const known[] = {"large-print", "easy-read", "braille", "audio"};
    for (size_t i = 0; format && i < sizeof(known) / sizeof(*known); i++)
        if (strcmp(format, known[i]) == 0)
            return true;
    return false;
}

/* What we would do by channel, as the verb of "please do not ...". */
static const char *channel_verb(ch_channel c)
{
    switch (c) {
    case CH_CHANNEL_PHONE:
        return "phone";
    case CH_CHANNEL_VOICEMAIL:
        return "leave a voicemail";
    case CH_CHANNEL_EMAIL:
        return "email";
    case CH_CHANNEL_LETTER:
        return "write by letter";
    case CH_CHANNEL_WEB:
        return "reply through the website";
    case CH_CHANNEL_IN_PERSON:
        return "visit in person";
    default:
        return "message on social media";
    }
}

static const char *format_words(const char *format)
{
    if (strcmp(format, "large-print") == 0)
        return "large print";
    if (strcmp(format, "easy-read") == 0)
        return "easy read";
    return format; /* braille, audio */
}

/* The avoided channels as "phone or leave a voicemail", into buf. */
static void avoid_list(unsigned avoid, char *buf, size_t size)
{
    size_t used = 0, count = 0, total = 0;
    buf[0] = '\0';
    for (int k = 0; k < CH_CHANNEL_COUNT; k++)
        total += (avoid >> k) & 1u;
    for (int k = 0; k < CH_CHANNEL_COUNT && used < size; k++) {
        if (!((avoid >> k) & 1u))
            continue;
        count++;
        const char *sep = count == 1 ? "" : count == total ? " or " : ", ";
        int n = snprintf(buf + used, size - used, "%s%s", sep, channel_verb((ch_channel)k));
        used = n < 0 ? size : used + (size_t)n;
    }
}

__attribute__((format(printf, 2, 3))) static void add(ch_person_alerts *out, const char *fmt, ...)
{
    if (out->n >= CH_PERSON_ALERTS_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->text[out->n], CH_PERSON_ALERT_LEN, fmt, ap);
    va_end(ap);
    out->n++;
}

void ch_person_alerts_make(const ch_person_needs *nd, ch_person_alerts *out)
{
    char avoid[200];
    out->n = 0;
    avoid_list(nd->avoid, avoid, sizeof(avoid));
    if (nd->set_preferred && nd->avoid)
        add(out, "Prefers %s; please do not %s.", ch_channel_name(nd->preferred), avoid);
    else if (nd->set_preferred)
        add(out, "Prefers %s.", ch_channel_name(nd->preferred));
    else if (nd->avoid)
        add(out, "Please do not %s.", avoid);
    if (nd->bsl)
        add(out, "Uses British Sign Language: book a BSL interpreter for calls and meetings.");
    if (nd->language && nd->interpreter)
        add(out, "Speaks %s: an interpreter is needed.", nd->language);
    else if (nd->language)
        add(out, "Prefers to be contacted in %s.", nd->language);
    else if (nd->interpreter)
        add(out, "An interpreter is needed.");
    if (nd->format)
        add(out, "Send written information in %s.", format_words(nd->format));
    if (nd->avoid_times)
        add(out, "Times to avoid: %s.", nd->avoid_times);
    if (nd->note)
        add(out, "Note: %s", nd->note);
}

bool ch_person_channel_avoided(const ch_person_needs *nd, ch_channel channel)
{
    /* A voicemail is a phone call that went unanswered: whoever asked not
     * to be phoned asked not to be left one either. */
    if (channel == CH_CHANNEL_VOICEMAIL && ((nd->avoid >> CH_CHANNEL_PHONE) & 1u))
        return true;
    return ((nd->avoid >> channel) & 1u) != 0;
}

void ch_person_channel_advice(const ch_person_needs *nd, ch_channel channel, char *buf, size_t size)
{
    if (nd->set_preferred && nd->preferred != channel)
        snprintf(buf, size,
                 "This person asked us not to %s; they prefer %s. Contact them by %s, or say "
                 "why this contact had to be by %s in channel_reason.",
                 channel_verb(channel), ch_channel_name(nd->preferred),
                 ch_channel_name(nd->preferred), ch_channel_name(channel));
    else
        snprintf(buf, size,
                 "This person asked us not to %s. Use another channel, or say why this contact "
                 "had to be by %s in channel_reason.",
                 channel_verb(channel), ch_channel_name(channel));
}
