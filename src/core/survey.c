/* Survey tokens, ratings, spans, quarters and scores (see survey.h): the
 * rules the public form, the sweep and the reports share, so the desk page
 * and the public standards page count the same way. */
#include "core/survey.h"

#include <string.h>

void ch_survey_token_format(const uint8_t raw[CH_SURVEY_TOKEN_BYTES],
                            char out[CH_SURVEY_TOKEN_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < CH_SURVEY_TOKEN_BYTES; i++) {
        out[2 * i] = digits[raw[i] >> 4];
        out[2 * i + 1] = digits[raw[i] & 15];
    }
    out[CH_SURVEY_TOKEN_LEN] = '\0';
}

bool ch_survey_token_ok(const char *s, size_t len)
{
    if (!s || len != CH_SURVEY_TOKEN_LEN)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

const char *ch_survey_rating_words(int rating)
{
    static const char *const words[] = {"Very dissatisfied", "Dissatisfied",
                                        "Neither satisfied nor dissatisfied", "Satisfied",
                                        "Very satisfied"};
    if (rating < CH_SURVEY_RATING_MIN || rating > CH_SURVEY_RATING_MAX)
        return NULL;
    return words[rating - 1];
}

int ch_survey_rating_parse(const char *s, int *out, ch_error *err)
{
    if (!s || !*s)
        return ch_error_set(err, CH_E_INVALID,
                            "Choose how satisfied you are, from very dissatisfied to very "
                            "satisfied.");
    if (strlen(s) != 1 || s[0] < '0' + CH_SURVEY_RATING_MIN || s[0] > '0' + CH_SURVEY_RATING_MAX)
        return ch_error_set(err, CH_E_INVALID,
                            "The rating must be one of the five choices, from very dissatisfied "
                            "(1) to very satisfied (5).");
    *out = s[0] - '0';
    return CH_OK;
}

int ch_survey_span_parse(const char *s, int64_t *seconds, ch_error *err)
{
    int64_t n = 0;
    size_t i = 0, digits = 0;
    for (; s && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        n = n * 10 + (s[i] - '0');
        if (n > 100000)
            break;
    }
    const char *unit = s ? s + i : "";
    while (*unit == ' ')
        unit++;
    int64_t per = 0;
    if (strcmp(unit, "days") == 0 || strcmp(unit, "day") == 0)
        per = 86400;
    else if (strcmp(unit, "hours") == 0 || strcmp(unit, "hour") == 0)
        per = 3600;
    if (!digits || digits > 4 || !per || unit == s + i || n * per > (int64_t)366 * 86400)
        return ch_error_set(err, CH_E_INVALID,
                            "'%.60s' is not a span of time up to a year; write it as a whole "
                            "number of days or hours, e.g. \"3 days\" or \"12 hours\"",
                            s ? s : "");
    *seconds = n * per;
    return CH_OK;
}

int ch_survey_quarter_of(ch_date d)
{
    int y, m, day;
    ch_date_to_ymd(d, &y, &m, &day);
    return y * 4 + (m - 1) / 3;
}

ch_date ch_survey_quarter_start(int quarter)
{
    return ch_date_from_ymd(quarter / 4, (quarter % 4) * 3 + 1, 1);
}

/* The digits s[0..n) as a number, or -1 when one is not a digit. */
static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int ch_survey_quarter_parse(const char *s)
{
    size_t len = s ? strlen(s) : 0;
    int y = len >= 7 && s[4] == '-' ? digits(s, 4) : -1;
    if (y < 2000 || y > 2100)
        return -1;
    if (len == 7 && (s[5] == 'Q' || s[5] == 'q') && s[6] >= '1' && s[6] <= '4')
        return y * 4 + (s[6] - '1');
    /* A month or a day stands for the quarter that holds it. */
    int m = digits(s + 5, 2);
    if (m < 1 || m > 12)
        return -1;
    if (len == 10) {
        int d = s[7] == '-' ? digits(s + 8, 2) : -1;
        if (d < 1 || d > ch_days_in_month(y, m))
            return -1;
    } else if (len != 7) {
        return -1;
    }
    return y * 4 + (m - 1) / 3;
}

static void put_int(char *buf, size_t size, size_t *used, int v)
{
    char tmp[12];
    size_t n = 0;
    if (v < 0)
        v = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n < sizeof(tmp));
    while (n && *used + 1 < size)
        buf[(*used)++] = tmp[--n];
    buf[*used] = '\0';
}

static void put_str(char *buf, size_t size, size_t *used, const char *s)
{
    for (; *s && *used + 1 < size; s++)
        buf[(*used)++] = *s;
    buf[*used] = '\0';
}

void ch_survey_quarter_name(int quarter, char *buf, size_t size)
{
    size_t used = 0;
    if (!size)
        return;
    buf[0] = '\0';
    put_int(buf, size, &used, quarter / 4);
    put_str(buf, size, &used, "-Q");
    put_int(buf, size, &used, quarter % 4 + 1);
}

void ch_survey_quarter_words(int quarter, char *buf, size_t size)
{
    static const char *const spans[] = {"January to March ", "April to June ", "July to September ",
                                        "October to December "};
    size_t used = 0;
    if (!size)
        return;
    buf[0] = '\0';
    put_str(buf, size, &used, spans[quarter % 4]);
    put_int(buf, size, &used, quarter / 4);
}

void ch_survey_tally_rating(ch_survey_tally *t, int rating)
{
    if (rating >= CH_SURVEY_RATING_MIN && rating <= CH_SURVEY_RATING_MAX)
        t->ratings[rating - 1]++;
}

int64_t ch_survey_tally_responses(const ch_survey_tally *t)
{
    int64_t n = 0;
    for (int k = 0; k < CH_SURVEY_RATING_MAX; k++)
        n += t->ratings[k];
    return n;
}

/* part of whole in whole percent, halves rounded up. */
static int percent(int64_t part, int64_t whole)
{
    return (int)((part * 100 + whole / 2) / whole);
}

int ch_survey_response_rate(const ch_survey_tally *t)
{
    return t->invited > 0 ? percent(t->answered, t->invited) : -1;
}

int ch_survey_mean_x100(const ch_survey_tally *t)
{
    int64_t n = ch_survey_tally_responses(t), sum = 0;
    for (int k = 0; k < CH_SURVEY_RATING_MAX; k++)
        sum += t->ratings[k] * (k + 1);
    return n > 0 ? percent(sum, n) : -1;
}

int ch_survey_satisfied(const ch_survey_tally *t)
{
    int64_t n = ch_survey_tally_responses(t);
    return n > 0 ? percent(t->ratings[3] + t->ratings[4], n) : -1;
}
