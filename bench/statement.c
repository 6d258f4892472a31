/* How long a termly statement takes to lay out and to write as Excel and
 * PDF, for a contract with a busy year: 2,000 ledger entries and 500
 * visits. Prints `name: value unit` lines. Usage: bench_statement POLICY */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/civil.h"
#include "export/statement.h"
#include "policy/load.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    enum { ENTRIES = 2000, VISITS = 500, ROUNDS = 50 };
    ch_policy *pol = NULL;
    ch_diags d = {0};
    ch_error err;
    if (argc != 2 || ch_policy_load_file(&pol, argv[1], &d))
        return fprintf(stderr, "usage: bench_statement POLICY (it must load)\n"), 1;
    const ch_service *svc = ch_policy_service(pol, "consultancy");
    if (!svc)
        return fprintf(stderr, "bench: the policy has no consultancy service\n"), 1;
    const ch_calendar *cal = ch_policy_service_calendar(pol, svc);
    ch_contract c = {.id = 1,
                     .organisation = "Oak Academy",
                     .service = "beacon/consultancy",
                     .year = "2025-26",
                     .contact_name = "Mr Oak",
                     .purchased = 100000};
    static ch_ledger_row rows[ENTRIES];
    static ch_visit visits[VISITS];
    ch_time start = (ch_time)ch_date_from_ymd(2025, 9, 1) * CH_DAY_SECS;
    rows[0] = (ch_ledger_row){.id = 1, .at = start, .kind = "purchase", .minutes = 100000};
    for (int i = 1; i < ENTRIES; i++)
        rows[i] = (ch_ledger_row){.id = i + 1,
                                  .at = start + i * 12000,
                                  .kind = "drawdown",
                                  .minutes = -45,
                                  .reason = "Visit: delivered"};
    for (int i = 0; i < VISITS; i++)
        visits[i] = (ch_visit){.id = i + 1,
                               .starts_at = start + i * 40000,
                               .booked = 150,
                               .status = i % 2 ? "booked" : "delivered",
                               .consultant = "Cora"};
    ch_arena arena = {0};
    ch_statement_doc doc;
    double t0 = now_s();
    for (int i = 0; i < ROUNDS; i++) {
        ch_arena_free(&arena);
        if (ch_statement_doc_build(&c, rows, ENTRIES, visits, VISITS, "Beacon", "Consultancy", cal,
                                   "autumn-2025", start, &arena, &doc, &err))
            return fprintf(stderr, "bench: %s\n", err.msg), 1;
    }
    double t1 = now_s();
    char path[] = "/tmp/bench-statement-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return fprintf(stderr, "bench: no temporary file\n"), 1;
    close(fd);
    if (ch_statement_xlsx(&doc, path, &err))
        return fprintf(stderr, "bench: %s\n", err.msg), 1;
    double t2 = now_s();
    char *pdf = NULL;
    size_t len = 0;
    if (ch_statement_pdf(&doc, &pdf, &len, &err))
        return fprintf(stderr, "bench: %s\n", err.msg), 1;
    double t3 = now_s();
    remove(path);
    printf("statement_layout_us: %.0f us (%zu movements)\n", (t1 - t0) / ROUNDS * 1e6, doc.nlines);
    printf("statement_xlsx_ms: %.1f ms\n", (t2 - t1) * 1e3);
    printf("statement_pdf_ms: %.1f ms (%zu bytes)\n", (t3 - t2) * 1e3, len);
    free(pdf);
    ch_arena_free(&arena);
    ch_policy_free(pol);
    ch_diags_free(&d);
    return 0;
}
