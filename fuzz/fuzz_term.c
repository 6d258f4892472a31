/* libFuzzer harness for term names ("autumn-2026"), which reach the desk in
 * query strings and on the command line. Whatever parses must give a period
 * that names itself back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char name[64], back[32];
    ch_error err;
    ch_date first, last;
    /* A term that starts before 1 September, as some schools' do. */
    ch_date_range terms[] = {{ch_date_from_ymd(2026, 8, 28), ch_date_from_ymd(2026, 12, 18)}};
    if (size >= sizeof(name))
        return 0;
    memcpy(name, data, size);
    name[size] = '\0';
    if (ch_term_period(terms, 1, name, &first, &last, &err) != CH_OK)
        return 0;
    if (last < first)
        abort();
    ch_term_name_of(terms, 1, first, back, sizeof(back));
    if (strcmp(back, name) != 0)
        abort();
    ch_term_name_of(terms, 1, last, back, sizeof(back));
    if (strcmp(back, name) != 0)
        abort();
    return 0;
}
