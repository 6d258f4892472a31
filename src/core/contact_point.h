/* The points of contact a charter names (a telephone line, an email
 * address, a postal address, when each is answered and whether callers need
 * an appointment), as the policy declares them for its public page, and the
 * pure rules for reading and linking a telephone number. */
#ifndef CH_CONTACT_POINT_H
#define CH_CONTACT_POINT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum ch_appointment {
    CH_APPOINTMENT_UNSAID,   /* the charter says nothing about callers */
    CH_APPOINTMENT_REQUIRED, /* no callers without an appointment */
    CH_APPOINTMENT_NOT_NEEDED,
} ch_appointment;

/* Every string may be NULL except name; at least one of telephone, email
 * and address is set (the loader sees to it). */
typedef struct ch_contact_point {
    const char *name;      /* who answers: "Services for Schools team" */
    const char *about;     /* what it is for: "general queries and advice" */
    const char *telephone; /* as published: "020 8820 7566" */
    const char *email;
    const char *address; /* postal address, one line per line of text */
    const char *hours;   /* when it is answered, in words */
    ch_appointment appointment;
    const char *note;
    const char **services; /* ids of the policy's services it is for; empty: all */
    size_t nservices;
} ch_contact_point;

/* Enough for any charter; the loader refuses more. */
#define CH_CONTACT_POINTS_MAX 32

/* Whether s is a telephone number as a charter prints one: an optional
 * leading +, then digits with single spaces, hyphens or a bracketed area
 * code between them, 3 to 15 digits in all, at most 40 characters. */
bool ch_telephone_ok(const char *s);

/* The tel: link for a number ch_telephone_ok accepts ("tel:02088207566"),
 * written into buf (room for size); false when it does not fit. */
bool ch_telephone_href(const char *s, char *buf, size_t size);

/* Whether a public link a policy gives (its privacy notice) is an absolute
 * https:// or http:// address of printable ASCII without spaces, quotes or
 * angle brackets, at most 500 characters. */
bool ch_public_link_ok(const char *s);

#endif
