/* Working-time benchmark: the cost of one deadline on the Cognus policy, and
 * of recomputing a million open due times after a closure day is added (the
 * policy reloaded with the new closure, then every deadline computed again).
 * Prints `name: value unit` lines for scripts. */
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
    return 0;
}
