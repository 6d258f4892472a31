/* libFuzzer harness for the Excel writer every report download uses
 * (export/themes.h): hostile text from the public (a school's name, a
 * feedback comment, a theme) as the title, notes, headings and cells. The
 * workbook must always be written, and be a zip file, whatever the text:
 * a sheet name cut mid-character or one Excel refuses must not lose the
 * download. Input: lines; the first the title, then two notes, then three
 * headings, then cells three to a row ('#' and digits make a number). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "export/themes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { FIELDS = 64 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    /* Text reaches the writer from JSON, forms and mail, all checked to be
     * UTF-8 without NULs; the harness keeps to that contract. */
    if (strlen(text) != size || ch_utf8_invalid_at(text, size) != size) {
        free(text);
        return 0;
    }
    const char *field[FIELDS];
    size_t n = 0;
    for (char *p = text; n < FIELDS;) {
        field[n++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    while (n < 6)
        field[n++] = "";
    ch_table_cell cells[FIELDS];
    size_t ncells = 0;
    for (size_t i = 6; i < n; i++) {
        cells[ncells].text = field[i][0] == '#' ? NULL : field[i];
        cells[ncells].number = field[i][0] == '#' ? strtod(field[i] + 1, NULL) : 0;
        ncells++;
    }
    ch_report_table t = {.title = field[0],
                         .notes = field + 1,
                         .nnotes = 2,
                         .head = field + 3,
                         .ncols = 3,
                         .cells = cells,
                         .nrows = ncells / 3};
    char *out = NULL;
    size_t len = 0;
    ch_error err;
    if (ch_report_table_xlsx(&t, &out, &len, &err) != CH_OK) {
        fprintf(stderr, "the workbook was not written: %s\n", err.msg);
        abort();
    }
    if (len < 4 || memcmp(out, "PK\x03\x04", 4) != 0)
        abort();
    free(out);
    free(text);
    return 0;
}
