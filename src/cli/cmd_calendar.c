/* `charter calendar`: every date in a range with its open periods or
 * "closed", so a manager can check a calendar by eye. */
#include "cli/cli.h"
#include "core/timefmt.h"

#include <stdio.h>
#include <string.h>

enum { MAX_RANGE_DAYS = 3 * 366 };

static const ch_calendar *pick(const ch_policy *pol, const char *path, const char *service,
                               const char *calendar, const char **name)
{
    if (calendar) {
        for (size_t i = 0; i < pol->ncalendars; i++) {
            if (strcmp(pol->calendars[i].id, calendar) == 0) {
                *name = pol->calendars[i].id;
                return pol->calendars[i].cal;
            }
        }
        fprintf(stderr,
                "charter calendar: --calendar '%.64s': %s has no such calendar; its "
                "calendars are:",
                calendar, path);
        for (size_t i = 0; i < pol->ncalendars; i++)
            fprintf(stderr, " %s", pol->calendars[i].id);
        fputc('\n', stderr);
        return NULL;
    }
    const ch_service *svc = ch_cli_service(pol, "calendar", path, service);
    if (!svc)
        return NULL;
    *name = pol->calendars[svc->calendar].id;
    return ch_policy_service_calendar(pol, svc);
}

static void print_day(const ch_calendar *cal, ch_date d, size_t *next)
{
    char day[24], a[12], b[12];
    ch_date_format_long(d, day, sizeof(day));
    printf("%s  ", day);
    size_t n;
    const ch_interval *iv = ch_calendar_intervals(cal, &n);
    const ch_tz *tz = ch_calendar_tz(cal);
    bool any = false;
    while (*next < n) {
        ch_date sd, ed;
        int32_t ss, es;
        ch_tz_to_local(tz, iv[*next].start, &sd, &ss);
        if (sd != d)
            break;
        ch_tz_to_local(tz, iv[*next].end, &ed, &es);
        ch_clock_format(ss, a, sizeof(a));
        ch_clock_format(ed != sd ? CH_DAY_SECS : es, b, sizeof(b));
        printf("%s%s-%s", any ? ", " : "", a, b);
        any = true;
        ++*next;
    }
    puts(any ? "" : "closed");
}

int ch_cmd_calendar(int argc, char **argv)
{
    const char *policy = NULL, *service = NULL, *calendar = NULL, *from = NULL, *to = NULL;
    ch_policy *pol = NULL;
    ch_error err;
    int rc = CH_EXIT_FAIL;
    const ch_opt opts[] = {
        {"--policy", CH_OPT_ONE, &policy},
        {"--service", CH_OPT_ONE, &service},
        {"--calendar", CH_OPT_ONE, &calendar},
        {"--from", CH_OPT_ONE, &from},
        {"--to", CH_OPT_ONE, &to},
    };
    if (!ch_args_parse("calendar", argc, argv, opts, sizeof(opts) / sizeof(*opts), NULL, &rc))
        return rc;
    if (!policy || !from || !to)
        return ch_usage_error("calendar", "--policy, --from and --to are required");
    if (service && calendar)
        return ch_usage_error("calendar", "give --service or --calendar, not both");
    ch_date first, last;
    if (ch_date_parse(from, strlen(from), &first, &err))
        return ch_usage_error("calendar", "--from '%.40s': %s", from, err.msg);
    if (ch_date_parse(to, strlen(to), &last, &err))
        return ch_usage_error("calendar", "--to '%.40s': %s", to, err.msg);
    if (last < first || last - first > MAX_RANGE_DAYS)
        return ch_usage_error("calendar",
                              "--to must be on or after --from and at most 3 years later");
    if (!ch_arg_file("calendar", "--policy", policy))
        return CH_EXIT_USAGE;
    rc = CH_EXIT_FAIL;
    if (ch_cli_load_policy(policy, &pol))
        goto out;
    const char *name = NULL;
    const ch_calendar *cal = pick(pol, policy, service, calendar, &name);
    if (!cal) {
        rc = CH_EXIT_USAGE;
        goto out;
    }
    ch_time h0, h1, start;
    ch_calendar_horizon(cal, &h0, &h1);
    if (ch_tz_from_local(ch_calendar_tz(cal), first, 0, &start, NULL),
        start < h0 || ch_tz_from_local(ch_calendar_tz(cal), last + 1, 0, &start, NULL),
        start > h1) {
        char a[11], b[11];
        ch_tz_to_local(ch_calendar_tz(cal), h0, &first, &(int32_t){0});
        ch_tz_to_local(ch_calendar_tz(cal), h1 - 1, &last, &(int32_t){0});
        ch_date_format(first, a, sizeof(a));
        ch_date_format(last, b, sizeof(b));
        fprintf(stderr, "charter calendar: calendar '%s' has data only from %s to %s\n", name, a,
                b);
        goto out;
    }
    printf("calendar %s (%s)\n", name, pol->time_zone);
    ch_tz_from_local(ch_calendar_tz(cal), first, 0, &start, NULL);
    size_t n, next = 0;
    const ch_interval *iv = ch_calendar_intervals(cal, &n);
    while (next < n && iv[next].end <= start)
        next++;
    for (ch_date d = first; d <= last; d++)
        print_day(cal, d, &next);
    rc = CH_EXIT_OK;
out:
    ch_policy_free(pol);
    return rc;
}
