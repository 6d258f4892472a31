/* libFuzzer harness for the CSV writer the reports use (the compliance and
 * themes reports): any text, however hostile, becomes one field that a
 * spreadsheet reads back as the same text and never as a formula. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/jsonw.h"
#include "http/themes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0'; /* fields are C strings: the text ends at a NUL */
    ch_jw w;
    ch_jw_init(&w);
    ch_csv_field(&w, text);
    size_t len;
    char *out = ch_jw_take(&w, &len);
    if (!out)
        abort();
    /* Never a formula: a cell starting with = + - @ tab or CR is quoted
     * and begins with an apostrophe inside the quotes. */
    if (len && strchr("=+-@\t\r", out[0]) && out[0] != '\0')
        abort();
    /* Read back as RFC 4180 does: the same text, less the apostrophe. */
    char *back = malloc(len + 1);
    size_t n = 0;
    if (!back)
        abort();
    if (len && out[0] == '"') {
        if (len < 2 || out[len - 1] != '"')
            abort();
        size_t i = 1;
        if (text[0] && strchr("=+-@\t\r", text[0])) {
            if (out[1] != '\'')
                abort();
            i = 2;
        }
        for (; i < len - 1; i++) {
            if (out[i] == '"') {
                if (out[i + 1] != '"')
                    abort(); /* a lone quote would end the field early */
                i++;
            }
            back[n++] = out[i];
        }
    } else {
        if (strpbrk(out, ",\"\r\n"))
            abort(); /* unquoted text holding a separator splits the row */
        memcpy(back, out, len);
        n = len;
    }
    back[n] = '\0';
    if (strcmp(back, text) != 0)
        abort();
    free(back);
    free(out);
    free(text);
    return 0;
}
