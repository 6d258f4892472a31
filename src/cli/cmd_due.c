/* `charter due`: the obligations one contact creates and when each falls
 * due, as a table in local time or as JSON in UTC. */
#include "cli/cli.h"
#include "core/timefmt.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_FLAGS = 32, MAX_PAUSES = 32, MAX_OBLIGATIONS = CH_POLICY_MAX_PROMISES };

typedef struct due_args {
    const char *policy, *service, *channel, *received, *kind, *stage;
    const char *flags[MAX_FLAGS];
    size_t nflags;
    const char *pauses[MAX_PAUSES];
    size_t npauses;
    bool json;
} due_args;

static int parse_args(int argc, char **argv, due_args *a)
{
    ch_opt_list flags = {a->flags, 0, MAX_FLAGS}, pauses = {a->pauses, 0, MAX_PAUSES};
    const ch_opt opts[] = {
        {"--policy", CH_OPT_ONE, &a->policy},   {"--service", CH_OPT_ONE, &a->service},
        {"--channel", CH_OPT_ONE, &a->channel}, {"--received", CH_OPT_ONE, &a->received},
        {"--kind", CH_OPT_ONE, &a->kind},       {"--flag", CH_OPT_MANY, &flags},
        {"--pause", CH_OPT_MANY, &pauses},      {"--json", CH_OPT_FLAG, &a->json},
        {"--stage", CH_OPT_ONE, &a->stage},
    };
    int status;
    if (!ch_args_parse("due", argc, argv, opts, sizeof(opts) / sizeof(*opts), NULL, &status))
        return status == CH_EXIT_OK ? -1 : status;
    a->nflags = flags.n;
    a->npauses = pauses.n;
    if (!a->policy || !a->channel || !a->received)
        return ch_usage_error("due", "--policy, --channel and --received are required");
    for (size_t i = 0; i < a->nflags; i++)
        if (!ch_name_ok(a->flags[i]))
            return ch_usage_error("due",
                                  "--flag '%.64s' must be 1-64 lower-case letters, digits or "
                                  "hyphens, e.g. complex",
                                  a->flags[i]);
    if (!ch_arg_file("due", "--policy", a->policy))
        return CH_EXIT_USAGE;
    return 0;
}

static int parse_pause(const char *s, const ch_tz *tz, ch_pause *p)
{
    char from[48];
    ch_error err;
    const char *slash = strchr(s, '/');
    if (!slash || (size_t)(slash - s) >= sizeof(from)) {
        ch_usage_error(
            "due", "--pause '%.100s' must be FROM/TO, e.g. 2026-12-18T16:00/2026-12-21T09:00", s);
        return -1;
    }
    memcpy(from, s, (size_t)(slash - s));
    from[slash - s] = '\0';
    if (ch_time_parse(from, tz, &p->from, &err) || ch_time_parse(slash + 1, tz, &p->to, &err)) {
        ch_usage_error("due", "--pause '%.100s': %s", s, err.msg);
        return -1;
    }
    if (p->to < p->from) {
        ch_usage_error("due", "--pause '%.100s' ends before it starts", s);
        return -1;
    }
    return 0;
}

static void print_json(const ch_contact *c, ch_time deemed, const ch_obligation *ob, size_t n)
{
    char buf[32];
    json_t *root = json_object(), *list = json_array();
    ch_time_format_utc(c->received, buf, sizeof(buf));
    json_object_set_new(root, "received", json_string(buf));
    ch_time_format_utc(deemed, buf, sizeof(buf));
    json_object_set_new(root, "deemed_received", json_string(buf));
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "promise", json_string(ob[i].promise->id));
        json_object_set_new(o, "kind",
                            json_string(ch_obligation_kind_name(ob[i].promise->obligation)));
        ch_time_format_utc(ob[i].due, buf, sizeof(buf));
        json_object_set_new(o, "due", json_string(buf));
        json_object_set_new(o, "text", json_string(ob[i].promise->text));
        json_array_append_new(list, o);
    }
    json_object_set_new(root, "obligations", list);
    char *s = json_dumps(root, JSON_PRESERVE_ORDER);
    if (s)
        puts(s);
    free(s);
    json_decref(root);
}

static void print_table(const ch_policy *pol, const ch_service *svc, const ch_contact *c,
                        ch_time deemed, const ch_obligation *ob, size_t n)
{
    const ch_tz *tz = ch_calendar_tz(ch_policy_service_calendar(pol, svc));
    char a[40], b[40];
    ch_time_format_local(tz, c->received, a, sizeof(a));
    ch_time_format_local(tz, deemed, b, sizeof(b));
    printf("%s: %s (%s)\n", pol->organisation, svc->name, svc->id);
    printf("%s %s received %s (%s)\n", ch_case_kind_name(c->kind), ch_channel_name(c->channel), a,
           pol->time_zone);
    if (deemed != c->received)
        printf("deemed received %s\n", b);
    if (n == 0) {
        puts("\nNo time-limited promise applies to this contact.");
        return;
    }
    /* Columns as wide as their widest entry, so long ids stay aligned. */
    int wid = 7, wdue = 3;
    for (size_t i = 0; i < n; i++) {
        ch_time_format_local(tz, ob[i].due, a, sizeof(a));
        wid = (int)strlen(ob[i].promise->id) > wid ? (int)strlen(ob[i].promise->id) : wid;
        wdue = (int)strlen(a) > wdue ? (int)strlen(a) : wdue;
    }
    printf("\n%-*s  %-11s  %-*s  %s\n", wid, "PROMISE", "OBLIGATION", wdue, "DUE",
           "WHAT WE PROMISED");
    for (size_t i = 0; i < n; i++) {
        ch_time_format_local(tz, ob[i].due, a, sizeof(a));
        printf("%-*s  %-11s  %-*s  %s\n", wid, ob[i].promise->id,
               ch_obligation_kind_name(ob[i].promise->obligation), wdue, a, ob[i].promise->text);
    }
}

int ch_cmd_due(int argc, char **argv)
{
    due_args a = {0};
    ch_policy *pol = NULL;
    ch_contact c = {0};
    ch_pause pauses[MAX_PAUSES];
    ch_obligation ob[MAX_OBLIGATIONS];
    ch_error err;
    ch_time deemed;
    size_t n = 0;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? CH_EXIT_OK : rc;
    rc = CH_EXIT_FAIL;
    if (ch_channel_parse(a.channel, &c.channel)) {
        rc = ch_usage_error(
            "due",
            "--channel '%.64s' is not a channel; use phone, voicemail, email, letter, "
            "web, in-person or social",
            a.channel);
        goto out;
    }
    if (a.kind && ch_case_kind_parse(a.kind, &c.kind)) {
        rc = ch_usage_error("due",
                            "--kind '%.64s' is not a kind; use enquiry, service-order, complaint, "
                            "feedback, foi or sar",
                            a.kind);
        goto out;
    }
    if (ch_cli_load_policy(a.policy, &pol))
        goto out;
    const ch_service *svc = ch_cli_service(pol, "due", a.policy, a.service);
    if (!svc) {
        rc = CH_EXIT_USAGE;
        goto out;
    }
    const ch_tz *tz = ch_calendar_tz(ch_policy_service_calendar(pol, svc));
    if (ch_time_parse(a.received, tz, &c.received, &err)) {
        rc = ch_usage_error("due", "--received '%.64s': %s", a.received, err.msg);
        goto out;
    }
    for (size_t i = 0; i < a.npauses; i++) {
        if (parse_pause(a.pauses[i], tz, &pauses[i])) {
            rc = CH_EXIT_USAGE;
            goto out;
        }
    }
    if (a.stage) { /* the stage began when the contact was received */
        size_t k = 0;
        while (k < pol->nstages && strcmp(pol->stages[k].id, a.stage) != 0)
            k++;
        if (k == pol->nstages) {
            char ids[CH_POLICY_MAX_STAGES * 72] = "";
            size_t used = 0;
            for (size_t j = 0; j < pol->nstages && used < sizeof(ids); j++) {
                int w = snprintf(ids + used, sizeof(ids) - used, "%s%.64s", j ? ", " : "",
                                 pol->stages[j].id);
                used = w < 0 ? sizeof(ids) : used + (size_t)w;
            }
            if (pol->nstages)
                rc = ch_usage_error("due",
                                    "--stage '%.64s' is not a complaint stage of %s; its stages "
                                    "are %s",
                                    a.stage, a.policy, ids);
            else
                rc = ch_usage_error("due",
                                    "--stage '%.64s': %s handles complaints in one stage, so "
                                    "leave --stage out",
                                    a.stage, a.policy);
            goto out;
        }
        c.stage = k;
    }
    c.flags = a.flags;
    c.nflags = a.nflags;
    c.pauses = pauses;
    c.npauses = a.npauses;
    if (ch_policy_obligations(pol, svc, &c, ob, MAX_OBLIGATIONS, &n, &deemed, &err)) {
        fprintf(stderr, "charter due: %s\n", err.msg);
        goto out;
    }
    if (a.json)
        print_json(&c, deemed, ob, n);
    else
        print_table(pol, svc, &c, deemed, ob, n);
    rc = CH_EXIT_OK;
out:
    ch_policy_free(pol);
    return rc;
}
