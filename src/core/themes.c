/* Themes on cases and small-number suppression for the themes report: the
 * one place that decides what a count looks like when it leaves the desk. */
#include "core/themes.h"

#include <stdio.h>
#include <string.h>

const ch_theme *ch_theme_find(const ch_theme *themes, size_t n, const char *id)
{
    for (size_t i = 0; id && i < n; i++)
        if (strcmp(themes[i].id, id) == 0)
            return &themes[i];
    return NULL;
}

/* "a, b or c" of every theme id, into buf (cut short with "..." if need be). */
static void allowed_list(const ch_theme *themes, size_t n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
        int k = snprintf(buf + used, size - used, "%s%s", sep, themes[i].id);
        if (k < 0 || (size_t)k >= size - used) {
            if (size > 4)
                memcpy(buf + size - 4, "...", 4);
            return;
        }
        used += (size_t)k;
    }
}

int ch_themes_check(const ch_theme *themes, size_t n, const char *const *ids, size_t nids,
                    ch_error *err)
{
    char allowed[600];
    if (n == 0 && nids > 0)
        return ch_error_set(err, CH_E_INVALID,
                            "this service's charter lists no themes, so its cases carry none; "
                            "add a themes: list to the policy first");
    if (nids > CH_THEMES_PER_CASE)
        return ch_error_set(err, CH_E_INVALID,
                            "a case carries at most %d themes; keep the main ones",
                            CH_THEMES_PER_CASE);
    for (size_t i = 0; i < nids; i++) {
        if (!ch_theme_find(themes, n, ids[i])) {
            allowed_list(themes, n, allowed, sizeof(allowed));
            return ch_error_set(err, CH_E_INVALID,
                                "'%.60s' is not one of this charter's themes; use %s", ids[i],
                                allowed);
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(ids[i], ids[j]) == 0)
                return ch_error_set(err, CH_E_INVALID,
                                    "the theme '%.60s' is given twice; give it once", ids[i]);
    }
    return CH_OK;
}

ch_figure ch_figure_total(int64_t total)
{
    if (total > 0 && total < CH_THEME_SMALL)
        return (ch_figure){CH_FIGURE_FEWER, 0};
    return (ch_figure){CH_FIGURE_EXACT, total};
}

bool ch_figure_breakdown_shown(ch_figure total)
{
    return total.kind != CH_FIGURE_FEWER;
}

void ch_figure_margin(const int64_t *counts, size_t n, ch_figure *out)
{
    size_t hidden = 0;
    int64_t hidden_sum = 0;
    for (size_t i = 0; i < n; i++) {
        bool small = counts[i] > 0 && counts[i] < CH_THEME_SMALL;
        out[i] = small ? (ch_figure){CH_FIGURE_HIDDEN, 0} : (ch_figure){CH_FIGURE_EXACT, counts[i]};
        if (small)
            hidden++, hidden_sum += counts[i];
    }
    /* A reader knows the hidden counts' sum (the exact total less what is
     * shown) and that a small one is 1 to 4: one alone is that sum, and k
     * of them adding to k or to 4k are each 1 or each 4. */
    while (hidden > 0 && (hidden == 1 || hidden_sum == (int64_t)hidden ||
                          hidden_sum == (int64_t)hidden * (CH_THEME_SMALL - 1))) {
        size_t pick = n;
        for (size_t i = 0; i < n; i++)
            if (out[i].kind == CH_FIGURE_EXACT && counts[i] > 0 &&
                (pick == n || counts[i] < counts[pick]))
                pick = i;
        if (pick == n)
            break; /* all hidden: the reader is left with the total alone */
        out[pick] = (ch_figure){CH_FIGURE_HIDDEN, 0};
        hidden++, hidden_sum += counts[pick];
    }
}

void ch_figure_text(ch_figure f, char *buf, size_t size)
{
    if (f.kind == CH_FIGURE_FEWER)
        snprintf(buf, size, "fewer than %d", CH_THEME_SMALL);
    else if (f.kind == CH_FIGURE_HIDDEN)
        snprintf(buf, size, "hidden to protect small numbers");
    else
        snprintf(buf, size, "%lld", (long long)f.value);
}

int ch_quarter_of(int y, int m)
{
    return y * 4 + (m - 1) / 3;
}

int ch_quarter_parse(const char *s)
{
    int y, q, m, d, k = 0;
    size_t len = s ? strlen(s) : 0;
    char qc = len == 7 ? s[5] : '\0';
    if ((qc == 'Q' || qc == 'q') && sscanf(s, "%4d-%*c%1d%n", &y, &q, &k) == 2 && k == 7 &&
        q >= 1 && q <= 4)
        return y >= 2000 && y <= 2100 ? y * 4 + q - 1 : -1;
    if (len == 7 && sscanf(s, "%4d-%2d%n", &y, &m, &k) == 2 && k == 7 && m >= 1 && m <= 12)
        return y >= 2000 && y <= 2100 ? ch_quarter_of(y, m) : -1;
    if (len == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &k) == 3 && k == 10 && m >= 1 &&
        m <= 12 && d >= 1 && d <= 31)
        return y >= 2000 && y <= 2100 ? ch_quarter_of(y, m) : -1;
    return -1;
}

void ch_quarter_format(int q, char *buf, size_t size)
{
    snprintf(buf, size, "%04d-Q%d", q / 4, q % 4 + 1);
}
