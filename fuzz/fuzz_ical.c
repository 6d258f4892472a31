/* libFuzzer harness for the iCalendar importer (term dates and closures a
 * service loads from a school's or council's .ics file).
 *
 * Why libical's own coverage does not count here: libical comes from
 * Debian's libical-dev, built without -fsanitize=fuzzer, so libFuzzer sees
 * edges in our code only (policy/ical.c: what we take from each VEVENT,
 * how dates and recurrences become closures) and mutates blindly inside
 * libical. Building libical from source with instrumentation would break
 * the rule that C dependencies come from Debian packages. ASan and UBSan
 * still watch every call into it from this harness, and what the desk
 * relies on, our handling of whatever libical returns, is instrumented. */
#include <stdint.h>
#include <stdlib.h>

#include "policy/ical.h"
#include "policy/zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ch_tz tz;
    static int ready;
    ch_error err;
    if (!ready) {
        if (ch_zone_load(&tz, "Europe/London", &err))
            abort();
        ready = 1;
    }
    ch_closure *out = NULL;
    size_t n = 0;
    if (ch_ical_parse((const char *)data, size, &tz, &out, &n, &err) == CH_OK)
        free(out);
    return 0;
}
