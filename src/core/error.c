/* Error recording for the ch_error contract (see error.h). */
#include "core/error.h"

#include <stdio.h>

int ch_error_vset(ch_error *err, int code, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    }
    return code;
}

int ch_error_set(ch_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ch_error_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void ch_error_clear(ch_error *err)
{
    if (err) {
        err->code = CH_OK;
        err->msg[0] = '\0';
    }
}
