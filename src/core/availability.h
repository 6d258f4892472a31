/* Staff availability: working patterns, absences and who covers, decided
 * without I/O. The desk asks whether someone is away on a day, when they
 * are back, and words the out-of-office reply and the signature here. */
#ifndef CH_AVAILABILITY_H
#define CH_AVAILABILITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/civil.h"
#include "core/error.h"

enum { CH_ABSENCES_MAX = 20, CH_WEEKDAYS = 0x1f, CH_ALL_DAYS = 0x7f };

/* When someone works. days is a set of bits, Monday (1 << 0) to Sunday
 * (1 << 6); 0 means no pattern is recorded (the standard week). start and
 * end are seconds after midnight, both 0 when the hours are not stated. */
typedef struct ch_work_pattern {
    unsigned days;
    int32_t start, end;
    bool term_time;
} ch_work_pattern;

/* One absence, both dates inclusive; to is unknown when open is set. The
 * alternative contact is a colleague (cover_id, 0 for none), a sentence
 * (cover_text, NULL for none), or both. */
typedef struct ch_absence {
    ch_date from, to;
    bool open;
    int64_t cover_id;
    const char *cover_text;
    const char *note;
} ch_absence;

/* Whether someone is away on a day and, if so, until when. */
typedef struct ch_away {
    bool away;
    const ch_absence *absence; /* the absence that day falls in */
    ch_date last;              /* the last day away, through absences that follow on */
    bool back_known;
    ch_date back; /* the first working day after last */
} ch_away;

/* CH_E_INVALID with a sentence when the pattern is not a real one. */
int ch_pattern_check(const ch_work_pattern *p, ch_error *err);

/* Checks a person's absences: each from <= to, an alternative contact
 * named, not themselves (self), and none overlapping another. */
int ch_absences_check(const ch_absence *a, size_t n, int64_t self, ch_error *err);

/* Whether the person is away on day. An absence ending the working day
 * before another starts runs on into it, so the return date is the real one. */
void ch_away_on(const ch_absence *a, size_t n, const ch_work_pattern *p, ch_date day, ch_away *out);

/* Whether day is one the pattern works (Monday to Friday without one). */
bool ch_pattern_works(const ch_work_pattern *p, ch_date day);

/* "Monday 4 January 2027" into buf. */
void ch_date_format_full(ch_date d, char *buf, size_t size);

/* The out-of-office sentence for name while away: when they are back and
 * whom to contact (cover_name and cover_email of the colleague, either
 * may be NULL, and the absence's cover_text). */
void ch_out_of_office_text(const char *name, const ch_away *away, const char *cover_name,
                           const char *cover_email, char *buf, size_t size);

/* The signature: the name, and the working pattern when it is not the
 * standard week ("I work Monday to Wednesday, 9am to 3pm, in term time."). */
void ch_signature_text(const char *name, const ch_work_pattern *p, char *buf, size_t size);

/* Whether the pattern differs from the standard week (Monday to Friday,
 * all year, hours not stated). */
bool ch_pattern_unusual(const ch_work_pattern *p);

#endif
