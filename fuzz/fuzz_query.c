/* libFuzzer harness for query-string values: the search words a person
 * types (q=) and the dates and times the reports and the access log take
 * (from=, to=, as_at=). Whatever the search handler accepts, the store must
 * search without a database error: each word is quoted before SQLite's
 * full-text engine sees it, so no text is read as query syntax. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/civil.h"
#include "core/timefmt.h"
#include "http/desk.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ch_store *store;

/* One store for the run, in a fresh folder, with a case to find. */
static ch_store *open_store(void)
{
    static char dir[] = "/tmp/charter-fuzz-query-XXXXXX";
    char path[64];
    ch_error err;
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof(path), "%s/q.db", dir);
    if (ch_store_open(&store, path, &err))
        abort();
    ch_case_row c = {0};
    c.service = "cognus/enquiries";
    c.kind = "enquiry";
    c.channel = "email";
    c.subject = "Transport to school \"quoted\" * NEAR(a b) OR -x";
    c.status = "open";
    c.received_at = c.deemed_at = c.created_at = 1700000000;
    if (ch_store_case_insert(store, &c, &err))
        abort();
    return store;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char q[512];
    if (size >= sizeof(q))
        return 0;
    memcpy(q, data, size);
    q[size] = '\0';
    if (strlen(q) != size)
        return 0; /* a NUL cannot arrive in a decoded query value */
    if (!store)
        store = open_store();

    ch_error err;
    ch_date d;
    ch_time t;
    ch_tz utc = {0};
    if (ch_date_parse(q, size, &d, &err) == CH_OK) {
        char back[16];
        ch_date_format(d, back, sizeof(back));
        ch_date again;
        if (ch_date_parse(back, strlen(back), &again, &err) != CH_OK || again != d)
            abort(); /* a date read from a query must read back the same */
    }
    (void)ch_time_parse(q, &utc, &t, &err);

    /* What the search handler takes, and nothing it refuses. */
    ch_arena arena = {0};
    const char *words[CH_STORE_FIND_WORDS];
    size_t nwords;
    if (ch_http_words_fault(q) || ch_http_words_split(&arena, q, words, &nwords, &err) || !nwords) {
        ch_arena_free(&arena);
        return 0;
    }
    ch_case_row *rows;
    size_t n;
    static const char *const services[] = {"cognus/enquiries"};
    if (ch_store_search(store, q, services, 1, 20, &arena, &rows, &n, &err) != CH_OK) {
        fprintf(stderr, "search for accepted words failed: %s\n", err.msg);
        abort();
    }
    ch_arena_free(&arena);
    return 0;
}
