/* The policy loader's part for the restriction notice: the letter a person
 * is sent when their contact is restricted, a title and a text with
 * placeholders such as {name} and {channels}, each checked by name. */
#include "core/restriction.h"
#include "policy/load_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const notice_keys[] = {"title", "text", NULL};

/* Where line k (1-based) of a literal block scalar's text, at byte offset
 * at within that line, is in the file: the scalar's first content line is
 * its token's start, and each line is the text indented by the source
 * line's leading spaces. False when that cannot be known. */
static bool text_position(loader *ld, struct fy_node *node, int k, size_t at, int *line, int *col)
{
    struct fy_token *t = fy_node_get_scalar_token(node);
    const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
    if (!m || !ld->src || fy_node_get_style(node) != FYNS_LITERAL)
        return false;
    int want = m->line + k; /* 1-based */
    const char *p = ld->src, *end = ld->src + ld->srclen;
    for (int l = 1; l < want && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return false;
        p = nl + 1;
    }
    size_t indent = 0;
    while (p + indent < end && p[indent] == ' ')
        indent++;
    *line = want;
    *col = (int)(indent + at + 1);
    return true;
}

/* Reports at the placeholder itself when its place in the file is known,
 * else at the text. */
static void text_problem(loader *ld, struct fy_node *node, int k, size_t at, const char *msg)
{
    int line, col;
    if (text_position(ld, node, k, at, &line, &col)) {
        ch_diags_add(ld->diags, ld->file, line, col, "%s", msg);
        ld->errors++;
    } else {
        ld_problem(ld, node, "%s", msg);
    }
}

/* Every {word} in text must be a known placeholder; a misspelt one would
 * reach the person as written. */
static void check_placeholders(loader *ld, struct fy_node *node, const char *text)
{
    int line = 1;
    const char *start = text; /* of the current line */
    char msg[480];
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            line++;
            start = p + 1;
        }
        if (*p != '{')
            continue;
        size_t len;
        if (ch_notice_placeholder(p, &len) >= 0)
            continue;
        if (!len) {
            snprintf(msg, sizeof(msg),
                     "line %d of the notice text has a '{' that starts no placeholder; "
                     "placeholders are written {name}, {channels} and so on",
                     line);
            text_problem(ld, node, line, (size_t)(p - start), msg);
            return;
        }
        char word[48];
        memcpy(word, p + 1, len - 2);
        word[len - 2] = '\0';
        const char *near = ld_suggest(word, ch_notice_placeholders);
        snprintf(msg, sizeof(msg),
                 "line %d of the notice text has an unknown placeholder {%s}%s%s%s; the "
                 "placeholders are {name}, {organisation}, {channels}, {point_of_contact}, "
                 "{frequency}, {review_on}, {reason} and {date}",
                 line, word, near ? " (did you mean {" : "", near ? near : "", near ? "}?)" : "");
        text_problem(ld, node, line, (size_t)(p - start), msg);
        p += len - 1;
    }
}

void ld_notices(loader *ld, struct fy_node *map, ch_policy *pol)
{
    struct fy_node *v;
    if (!ld_check_keys(ld, map, notice_keys, "restriction_notice"))
        return;
    if ((v = ld_get(map, "title")))
        pol->notice_title = ld_scalar(ld, v, "title");
    else
        ld_problem(ld, map,
                   "restriction_notice has no title; give the letter's heading, e.g. \"How you "
                   "may contact us\"");
    if (!(v = ld_get(map, "text"))) {
        ld_problem(ld, map,
                   "restriction_notice has no text; write the letter, with placeholders such "
                   "as {name} and {channels}");
        return;
    }
    const char *text = ld_scalar(ld, v, "text");
    if (!text)
        return;
    if (!strstr(text, "{channels}"))
        ld_problem(ld, v,
                   "the notice text never says how the person may contact us; put {channels} "
                   "in it");
    check_placeholders(ld, v, text);
    pol->notice_text = text;
}
