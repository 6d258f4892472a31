/* What the desk works out about a person, without I/O: their age on a given
 * day, and the communication needs and adjustments agreed with them turned
 * into the alert sentences staff see wherever the person or a case of
 * theirs is shown, and whether a contact by a channel goes against them. */
#ifndef CH_PERSON_H
#define CH_PERSON_H

#include <stdbool.h>
#include <stddef.h>

#include "core/civil.h"
#include "core/policy.h"

/* A person's age in whole years on date (a birthday on 29 February counts
 * from 1 March in other years); -1 when date is before dob. */
int ch_person_age_on(ch_date dob, ch_date date);

/* Communication needs and agreed adjustments. Strings are borrowed (NULL
 * when not given); channels are bits (1 << ch_channel). */
typedef struct ch_person_needs {
    bool set_preferred;
    ch_channel preferred;
    unsigned avoid;          /* channels the person asked us not to use */
    const char *format;      /* large-print, easy-read, braille, audio, or NULL */
    const char *language;    /* preferred language, or NULL */
    bool interpreter;        /* an interpreter is needed (in language) */
    bool bsl;                /* British Sign Language */
    const char *avoid_times; /* e.g. "before 10:00, school run" */
    const char *note;        /* anything else agreed, in the person's words */
} ch_person_needs;

/* Formats the desk knows, for validation and for the sentences. */
bool ch_person_format_known(const char *format);

enum { CH_PERSON_ALERTS_MAX = 8, CH_PERSON_ALERT_LEN = 640 };

typedef struct ch_person_alerts {
    char text[CH_PERSON_ALERTS_MAX][CH_PERSON_ALERT_LEN];
    size_t n;
} ch_person_alerts;

/* The alert sentences for needs, most important first ("Prefers email;
 * please do not phone."); none when nothing is recorded. */
void ch_person_alerts_make(const ch_person_needs *needs, ch_person_alerts *out);

/* Whether a contact by channel goes against what the person asked. */
bool ch_person_channel_avoided(const ch_person_needs *needs, ch_channel channel);

/* A sentence saying what the person asked about channel and how to go on
 * (a reason in channel_reason, or another channel), into buf. */
void ch_person_channel_advice(const ch_person_needs *needs, ch_channel channel, char *buf,
                              size_t size);

#endif
