/* How long a booking takes to check against a consultant's timetable when
 * they already hold 10,000 visits: the desk's check (the day's visits read
 * from a real SQLite store, then the core's overlap test), the check made
 * again inside the write that books, and the core's test over all 10,000
 * at once. Prints `name: value unit` lines. Usage: bench_timetable [DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/civil.h"
#include "core/timetable.h"
#include "store/store.h"

enum { VISITS = 10000, ROUNDS = 2000, PER_DAY = 3 };

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *name, double *t, size_t n, const char *what)
{
    qsort(t, n, sizeof(*t), cmp);
    printf("%s: %.1f us (median; p99 %.1f us; %s)\n", name, t[n / 2], t[n * 99 / 100], what);
}

/* Visit i of the consultant: three a day, 09:00, 11:30 and 14:00 (2.5
 * hours each, end to end), day after day from 1 September 2026. */
static ch_time visit_start(int i)
{
    ch_time day = (ch_time)ch_date_from_ymd(2026, 9, 1) * CH_DAY_SECS;
    return day + (ch_time)(i / PER_DAY) * CH_DAY_SECS + 9 * 3600 + (i % PER_DAY) * 9000;
}

static int fail(const char *what, const ch_error *err)
{
    fprintf(stderr, "bench_timetable: %s: %s\n", what, err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    char dir[256], url[300];
    snprintf(dir, sizeof(dir), "%s/charter-timetable-XXXXXX", argc > 1 ? argv[1] : "/tmp");
    if (!mkdtemp(dir))
        return fprintf(stderr, "bench_timetable: no temporary folder\n"), 1;
    snprintf(url, sizeof(url), "sqlite:%s/bench.db", dir);
    ch_store *store = NULL;
    ch_error err = {0};
    ch_arena arena = {0};
    int rc = 1;
    static double t[ROUNDS];
    static ch_slot all[VISITS];
    if (ch_store_open(&store, url, &err)) {
        fail("opening the store", &err);
        goto out;
    }
    int64_t uid;
    ch_user u = {0, "cora@bench.example", "Cora Consultant", CH_ROLE_OFFICER, NULL, NULL, 0};
    if (ch_store_user_insert(store, &u, &uid, &err)) {
        fail("adding the consultant", &err);
        goto out;
    }
    ch_contract k = {.organisation = "Oak Academy",
                     .service = "beacon/consultancy",
                     .year = "2026-27",
                     .starts = ch_date_from_ymd(2026, 9, 1),
                     .ends = ch_date_from_ymd(2027, 8, 31),
                     .amount = 100000,
                     .unit = "hours",
                     .purchased = 6000000,
                     .block = 150,
                     .consultant_id = uid,
                     .shortfall_policy = "refund",
                     .created_at = 1000};
    if (ch_store_contract_insert(store, &k, &err)) {
        fail("adding a contract", &err);
        goto out;
    }
    for (int i = 0; i < VISITS; i++) {
        ch_visit v = {.contract_id = k.id,
                      .consultant_id = uid,
                      .starts_at = visit_start(i),
                      .booked = 150,
                      .created_at = 1000};
        if (ch_store_visit_insert(store, &v, NULL, &err)) {
            fail("booking the timetable", &err);
            goto out;
        }
        all[i] = (ch_slot){v.starts_at, v.booked};
    }

    /* The desk's check: the visits from a day before to the end of the
     * wanted one, then the overlap test. Half the wanted slots clash. */
    srand(7);
    size_t clashes = 0;
    for (int r = 0; r < ROUNDS; r++) {
        int i = rand() % VISITS;
        ch_slot want = {visit_start(i) + (r % 2 ? 3600 : 8 * 3600), 150};
        double t0 = now_us();
        ch_visit *rows;
        size_t n;
        ch_visit_filter f = {.consultant_id = uid,
                             .from = want.start - 86400,
                             .to = want.start + (ch_time)want.minutes * 60,
                             .limit = 500};
        ch_arena_free(&arena);
        if (ch_store_visit_list(store, &f, &arena, &rows, &n, &err)) {
            fail("reading the timetable", &err);
            goto out;
        }
        ch_slot slots[64];
        size_t m = 0;
        for (size_t j = 0; j < n && m < 64; j++)
            slots[m++] = (ch_slot){rows[j].starts_at, rows[j].booked};
        clashes += ch_timetable_clash(slots, m, want) >= 0;
        t[r] = now_us() - t0;
    }
    report("timetable_check_us", t, ROUNDS,
           "a booking checked against 10,000 visits of one consultant, SQLite");
    printf("timetable_check_clashes: %zu of %d (half the wanted times overlap a visit)\n", clashes,
           ROUNDS);

    /* The same check inside the write: a clashing booking refused. */
    for (int r = 0; r < ROUNDS / 4; r++) {
        ch_visit v = {.contract_id = k.id,
                      .consultant_id = uid,
                      .starts_at = visit_start(rand() % VISITS) + 3600,
                      .booked = 150,
                      .created_at = 1000};
        double t0 = now_us();
        if (ch_store_visit_insert(store, &v, NULL, &err) != CH_E_CONFLICT) {
            fprintf(stderr, "bench_timetable: a clashing booking was not refused\n");
            goto out;
        }
        t[r] = now_us() - t0;
    }
    report("timetable_write_refusal_us", t, ROUNDS / 4,
           "a clashing booking refused inside the write transaction");

    /* The core's test alone, over every visit at once (no index). */
    for (int r = 0; r < ROUNDS; r++) {
        ch_slot want = {visit_start(VISITS - 1) + 86400, 150}; /* free: the whole list is read */
        double t0 = now_us();
        ptrdiff_t hit = ch_timetable_clash(all, VISITS, want);
        t[r] = now_us() - t0;
        if (hit >= 0) {
            fprintf(stderr, "bench_timetable: a free slot was found to clash\n");
            goto out;
        }
    }
    report("timetable_scan_us", t, ROUNDS, "the overlap test over all 10,000 slots in memory");
    rc = 0;
out:
    ch_arena_free(&arena);
    ch_store_close(store);
    char path[400];
    snprintf(path, sizeof(path), "%s/bench.db", dir);
    remove(path);
    snprintf(path, sizeof(path), "%s/bench.db-wal", dir);
    remove(path);
    snprintf(path, sizeof(path), "%s/bench.db-shm", dir);
    remove(path);
    rmdir(dir);
    return rc;
}
