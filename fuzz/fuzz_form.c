/* libFuzzer harness for the public forms' body decoder: every contact,
 * feedback, survey and audit form posted by anyone reaches it. What it
 * accepts must be whole UTF-8 text, within the limit, and findable again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "http/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { MAX = 32 };
    ch_arena arena = {0};
    ch_form f;
    if (ch_form_decode(&arena, (const char *)data, size, MAX, &f)) {
        if (f.n > MAX)
            abort();
        for (size_t i = 0; i < f.n; i++) {
            const char *name = f.items[i].name, *value = f.items[i].value;
            if (ch_utf8_invalid_at(name, strlen(name)) != strlen(name) ||
                ch_utf8_invalid_at(value, strlen(value)) != strlen(value))
                abort();
            /* Decoding never makes text longer than what was sent. */
            if (strlen(name) + strlen(value) > size)
                abort();
            const char *first = ch_form_get(&f, name);
            if (!first)
                abort();
        }
    }
    ch_arena_free(&arena);
    return 0;
}
