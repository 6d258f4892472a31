/* The one error contract of Charter: functions return an int status (0 on
 * success, a named negative code otherwise) and fill a ch_error with a
 * sentence a person can act on. HTTP or exit statuses are chosen at the edge. */
#ifndef CH_ERROR_H
#define CH_ERROR_H

#include <stdarg.h>

enum {
    CH_OK = 0,
    CH_E_INVALID = -1,  /* bad input: the message says what to change */
    CH_E_NOMEM = -2,    /* out of memory */
    CH_E_HORIZON = -3,  /* the answer lies past the calendar data we hold */
    CH_E_NOTFOUND = -4, /* a named thing does not exist */
    CH_E_IO = -5,       /* a file could not be read or written */
    CH_E_CONFLICT = -6, /* someone else changed the record first */
    CH_E_STORE = -7,    /* the database failed; the message says how */
    /* The database cannot save now (its disk is full or failing, or its
     * server is down): nothing was saved, and trying later may work. */
    CH_E_UNAVAILABLE = -8,
};

#define CH_ERROR_MSG_MAX 512

typedef struct ch_error {
    int code;
    char msg[CH_ERROR_MSG_MAX];
} ch_error;

/* Records code and a printf-style message in err (which may be NULL) and
 * returns code, so callers can write `return ch_error_set(err, ...)`. */
int ch_error_set(ch_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ch_error_vset(ch_error *err, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Clears err to success. */
void ch_error_clear(ch_error *err);

#endif
