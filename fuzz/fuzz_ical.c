/* libFuzzer harness for the iCalendar importer. */
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
