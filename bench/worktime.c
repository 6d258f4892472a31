/* Working-time benchmark: the cost of one deadline on the Cognus policy, and
 * of recomputing a million open due times after a closure day is added (the
 * policy reloaded with the new closure, then every deadline computed again);
 * then the cost of a deadline on every other policy named, and on a large
 * generated charter. Prints `name: value unit` lines for scripts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/load.h"

enum { N = 1000000, BATCH = 1000 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* xorshift64: repeatable receipts without libc's rand. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = malloc(1 << 20);
    *len = buf ? fread(buf, 1, (1 << 20) - 256, fp) : 0;
    fclose(fp);
    if (buf)
        buf[*len] = '\0';
    return buf;
}

static ch_policy *load(const char *name, const char *text, size_t len)
{
    ch_policy *pol = NULL;
    ch_diags d = {0};
    if (ch_policy_load_text(&pol, name, text, len, ".", &d)) {
        ch_diags_print(&d, stderr);
        exit(1);
    }
    ch_diags_free(&d);
    return pol;
}

static const ch_promise *promise(const ch_policy *pol, const char *id)
{
    for (size_t i = 0; i < pol->npromises; i++)
        if (strcmp(pol->promises[i].id, id) == 0)
            return &pol->promises[i];
    fprintf(stderr, "bench: the policy has no promise %s\n", id);
    exit(1);
}

/* A charter as large as a big council's: 50 services on 10 calendars, each
 * with its own hours, an afternoon cut-off, six terms with half terms and a
 * part-day closure every month, and 200 promises in working days, hours
 * and minutes, each for a few of the services. */
static char *large_charter(void)
{
    size_t size = 1 << 20, used = 0;
    char *t = malloc(size);
#define ADD(...) used += (size_t)snprintf(t + used, size - used, __VA_ARGS__)
    ADD("charter: 1\nid: large\norganisation: A large council\ntime_zone: Europe/London\n"
        "review_by: 2027-09-01\ncalendars:\n");
    for (int c = 0; c < 10; c++) {
        ADD("  cal%d:\n    hours:\n      monday-friday: 0%d:%02d-1%d:30\n"
            "    bank_holidays: england-and-wales\n    cutoff: \"15:%02d\"\n    closures:\n",
            c, 8 + c % 2, c * 5, 6 + c % 2, c * 5);
        for (int m = 1; m <= 12; m++)
            ADD("      - {from: 2026-%02d-1%d, to: 2026-%02d-1%d, hours: \"12:00-14:00\"}\n", m,
                c % 9, m, c % 9);
        ADD("    terms:\n");
        static const char *const terms[] = {
            "{name: autumn-2025, from: 2025-09-03, to: 2025-12-19, half_term: {from: "
            "2025-10-27, to: 2025-10-31}}",
            "{name: spring-2026, from: 2026-01-05, to: 2026-03-27, half_term: {from: "
            "2026-02-16, to: 2026-02-20}}",
            "{name: summer-2026, from: 2026-04-13, to: 2026-07-22, half_term: {from: "
            "2026-05-25, to: 2026-05-29}}",
            "{name: autumn-2026, from: 2026-09-01, to: 2026-12-18, half_term: {from: "
            "2026-10-26, to: 2026-10-30}}",
            "{name: spring-2027, from: 2027-01-04, to: 2027-03-25, half_term: {from: "
            "2027-02-15, to: 2027-02-19}}",
            "{name: summer-2027, from: 2027-04-12, to: 2027-07-21, half_term: {from: "
            "2027-05-31, to: 2027-06-04}}"};
        for (size_t k = 0; k < 6; k++)
            ADD("      - %s\n", terms[k]);
    }
    ADD("services:\n");
    for (int v = 0; v < 50; v++)
        ADD("  - id: s%d\n    name: Service %d\n    calendar: cal%d\n", v, v, v % 10);
    ADD("promises:\n");
    static const char *const units[] = {"working days", "working hours", "working minutes"};
    static const int amounts[] = {3, 6, 90};
    for (int p = 0; p < 200; p++)
        ADD("  - id: p%d\n    text: Promise %d.\n    applies_to:\n      services: [s%d, s%d, "
            "s%d]\n    obligation: respond\n    within: %d %s\n",
            p, p, p % 50, (p * 7 + 1) % 50, (p * 13 + 2) % 50, amounts[p % 3] + p % 5,
            units[p % 3]);
#undef ADD
    return t;
}

/* The median and p99 cost of a deadline (means over batches of a thousand)
 * for every promise of every service of the policy at path (or text), at
 * receipts from 4 September 2025 to May 2027, inside every policy's terms. */
static void policy_deadlines(const char *name, const char *path, char *text)
{
    size_t len = 0;
    if (!text && !(text = slurp(path, &len))) {
        fprintf(stderr, "bench: cannot read %s\n", path);
        exit(1);
    }
    ch_policy *pol = load(path, text, text ? strlen(text) : len);
    typedef struct pair {
        const ch_calendar *cal;
        const ch_target *tg;
    } pair;
    pair *pairs = NULL;
    size_t npairs = 0;
    for (size_t v = 0; v < pol->nservices; v++)
        for (size_t k = 0; k < pol->npromises; k++) {
            const ch_promise *pr = &pol->promises[k];
            bool applies = pr->nservices == 0;
            for (size_t i = 0; i < pr->nservices; i++)
                applies = applies || strcmp(pr->services[i], pol->services[v].id) == 0;
            if (!applies || pr->schedule != CH_SCHEDULE_NONE)
                continue; /* a termly promise is kept on its schedule, not per contact */
            pairs = realloc(pairs, (npairs + 1) * sizeof(*pairs));
            pairs[npairs].cal = pr->calendar >= 0
                                    ? pol->calendars[pr->calendar].cal
                                    : ch_policy_service_calendar(pol, &pol->services[v]);
            pairs[npairs++].tg = &pr->target;
        }
    enum { RUNS = 200 };
    double *batch_ns = malloc(RUNS * sizeof(*batch_ns));
    uint64_t seed = 0x2545f4914f6cdd1du;
    ch_time lo = 1756944000 /* 2025-09-04 */, span = 625 * 86400LL;
    size_t refused = 0, at = 0;
    ch_error err;
    for (size_t b = 0; b < RUNS; b++) {
        ch_time receipts[BATCH];
        for (size_t i = 0; i < BATCH; i++)
            receipts[i] = lo + (ch_time)(next_random(&seed) % (uint64_t)span);
        double t0 = now();
        for (size_t i = 0; i < BATCH; i++, at++) {
            ch_time due;
            const pair *p = &pairs[at % npairs];
            refused += ch_deadline_compute(p->cal, p->tg, receipts[i], CH_ANCHOR_RECEIPT, NULL, 0,
                                           &due, &err) != CH_OK;
        }
        batch_ns[b] = (now() - t0) * 1e9 / BATCH;
    }
    qsort(batch_ns, RUNS, sizeof(*batch_ns), cmp_double);
    printf("deadline_%s_ns_median: %.0f ns\n", name, batch_ns[RUNS / 2]);
    printf("deadline_%s_ns_p99: %.0f ns\n", name, batch_ns[RUNS * 99 / 100]);
    printf("deadline_%s_pairs: %zu service promises\n", name, npairs);
    if (refused)
        printf("deadline_%s_refused: %zu deadlines\n", name, refused);
    ch_policy_free(pol);
    free(pairs);
    free(batch_ns);
    free(text);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "policies/cognus.yaml";
    size_t len;
    char *text = slurp(path, &len);
    if (!text) {
        fprintf(stderr, "bench: cannot read %s\n", path);
        return 1;
    }
    ch_policy *pol = load(path, text, len);
    const ch_service *svc = ch_policy_service(pol, "enquiries");
    if (!svc) {
        fprintf(stderr,
                "bench: %s has no enquiries service; the first policy is the one the "
                "single-calendar figures use (make bench gives policies/cognus.yaml)\n",
                path);
        return 1;
    }
    const ch_calendar *cal = ch_policy_service_calendar(pol, svc);
    const ch_target *tg = &promise(pol, "written-reply")->target;

    /* Receipts at random instants from 2021 to 2029. */
    ch_time *receipts = malloc(N * sizeof(*receipts)), *due = malloc(N * sizeof(*due));
    double *batch_ns = malloc((N / BATCH) * sizeof(*batch_ns));
    uint64_t seed = 0x9e3779b97f4a7c15u;
    ch_time lo = 1609459200 /* 2021-01-01 */, span = 9 * 365 * 86400LL;
    for (size_t i = 0; i < N; i++)
        receipts[i] = lo + (ch_time)(next_random(&seed) % (uint64_t)span);
    ch_error err;
    for (size_t b = 0; b < N / BATCH; b++) {
        double t0 = now();
        for (size_t i = b * BATCH; i < (b + 1) * BATCH; i++)
            if (ch_deadline_compute(cal, tg, receipts[i], CH_ANCHOR_RECEIPT, NULL, 0, &due[i],
                                    &err))
                return fprintf(stderr, "bench: %s\n", err.msg), 1;
        batch_ns[b] = (now() - t0) * 1e9 / BATCH;
    }
    qsort(batch_ns, N / BATCH, sizeof(*batch_ns), cmp_double);
    printf("deadline_ns_median: %.0f ns\n", batch_ns[N / BATCH / 2]);
    printf("deadline_ns_p99: %.0f ns\n", batch_ns[N / BATCH * 99 / 100]);

    /* Whole contacts: deemed receipt, matching every promise, the deadlines. */
    ch_obligation ob[16];
    size_t n;
    ch_time deemed;
    for (size_t b = 0; b < N / BATCH; b++) {
        double t0 = now();
        for (size_t i = b * BATCH; i < (b + 1) * BATCH; i++) {
            ch_contact c = {.channel = CH_CHANNEL_EMAIL, .received = receipts[i]};
            ch_policy_obligations(pol, svc, &c, ob, 16, &n, &deemed, &err);
        }
        batch_ns[b] = (now() - t0) * 1e9 / BATCH;
    }
    qsort(batch_ns, N / BATCH, sizeof(*batch_ns), cmp_double);
    printf("contact_obligations_ns_median: %.0f ns\n", batch_ns[N / BATCH / 2]);

    /* A snow day: the policy gains a closure, is reloaded, and every open due
     * time (receipts in the weeks around it) is computed again. */
    const char *anchor = "bank_holidays: england-and-wales\n";
    char *at = strstr(text, anchor);
    if (!at)
        return fprintf(stderr, "bench: %s has no bank_holidays line to add a closure to\n", path),
               1;
    at += strlen(anchor);
    const char *closure = "    closures: [2026-01-07]\n";
    memmove(at + strlen(closure), at, strlen(at) + 1);
    memcpy(at, closure, strlen(closure));
    for (size_t i = 0; i < N; i++) {
        receipts[i] = 1766966400 /* 2025-12-29 */ + (ch_time)(next_random(&seed) % (30 * 86400));
        ch_deadline_compute(cal, tg, receipts[i], CH_ANCHOR_RECEIPT, NULL, 0, &due[i], &err);
    }
    double t0 = now();
    ch_policy *snowed = load(path, text, strlen(text));
    double t1 = now();
    const ch_calendar *cal2 =
        ch_policy_service_calendar(snowed, ch_policy_service(snowed, "enquiries"));
    const ch_target *tg2 = &promise(snowed, "written-reply")->target;
    size_t moved = 0;
    for (size_t i = 0; i < N; i++) {
        ch_time d;
        ch_deadline_compute(cal2, tg2, receipts[i], CH_ANCHOR_RECEIPT, NULL, 0, &d, &err);
        moved += d != due[i];
        due[i] = d;
    }
    double t2 = now();
    printf("policy_reload_ms: %.2f ms\n", (t1 - t0) * 1e3);
    printf("recompute_1m_s: %.3f s\n", t2 - t0);
    printf("recompute_1m_changed: %zu due times\n", moved);
    ch_policy_free(snowed);
    ch_policy_free(pol);
    free(receipts);
    free(due);
    free(batch_ns);
    free(text);
    for (int i = 2; i < argc; i++) {
        char name[64];
        const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(base, "."), base);
        for (char *c = name; *c; c++)
            *c = *c == '-' ? '_' : *c;
        policy_deadlines(name, argv[i], NULL);
    }
    policy_deadlines("large", "large.yaml", large_charter());
    return 0;
}
