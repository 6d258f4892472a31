/* Reads the POSIX rule from a TZif (version 2 or later) file's footer. */
#include "policy/zone.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_TZIF = 1 << 20 };

static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64 || name[0] == '/' || strstr(name, ".."))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c) && c != '/' && c != '_' && c != '-' && c != '+')
            return false;
    }
    return true;
}

int ch_zone_load(ch_tz *tz, const char *name, ch_error *err)
{
    int rc = CH_OK;
    char path[512], rule[128];
    char *buf = NULL;
    FILE *fp = NULL;
    if (!name_ok(name))
        return ch_error_set(err, CH_E_INVALID,
                            "'%.64s' is not a time zone name; use one like Europe/London", name);
    const char *dir = getenv("TZDIR");
    snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    fp = fopen(path, "rb");
    if (!fp) {
        rc = ch_error_set(err, CH_E_NOTFOUND,
                          "unknown time zone '%s' (no %s); use a name like Europe/London and "
                          "check that tzdata is installed",
                          name, path);
        goto out;
    }
    buf = malloc(MAX_TZIF);
    if (!buf) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    size_t n = fread(buf, 1, MAX_TZIF, fp);
    if (n < 44 || memcmp(buf, "TZif", 4) != 0 || buf[4] < '2' || buf[n - 1] != '\n') {
        rc = ch_error_set(err, CH_E_INVALID, "%s is not a version 2+ TZif file; reinstall tzdata",
                          path);
        goto out;
    }
    /* The footer is the last line: "\n<rule>\n". */
    size_t end = n - 1, start = end;
    while (start > 0 && buf[start - 1] != '\n')
        start--;
    if (end - start == 0 || end - start >= sizeof(rule)) {
        rc = ch_error_set(err, CH_E_INVALID, "time zone %s has no rule for future dates in %s",
                          name, path);
        goto out;
    }
    memcpy(rule, buf + start, end - start);
    rule[end - start] = '\0';
    rc = ch_tz_parse(tz, rule, err);
out:
    free(buf);
    if (fp)
        fclose(fp);
    return rc;
}
