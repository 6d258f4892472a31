/* Reading YAML nodes for the policy loader: positions, scalars, unknown-key
 * checks with suggestions, dates and files named by the policy. */
#include "policy/load_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool node_mark(struct fy_node *n, int *line, int *col, int depth)
{
    if (!n || depth > 16)
        return false;
    if (fy_node_is_scalar(n) || fy_node_is_alias(n)) {
        struct fy_token *t = fy_node_get_scalar_token(n);
        const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
        if (!m)
            return false;
        *line = m->line + 1;
        *col = m->column + 1;
        return true;
    }
    if (fy_node_is_mapping(n)) {
        void *it = NULL;
        struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
        return p && node_mark(fy_node_pair_key(p), line, col, depth + 1);
    }
    if (fy_node_is_sequence(n))
        return node_mark(fy_node_sequence_get_by_index(n, 0), line, col, depth + 1);
    return false;
}

void ld_problem(loader *ld, struct fy_node *node, const char *fmt, ...)
{
    char msg[480];
    int line = 0, col = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!node_mark(node, &line, &col, 0))
        line = 1, col = 1;
    ch_diags_add(ld->diags, ld->file, line, col, "%s", msg);
    ld->errors++;
}

enum { MAX_SCALAR = 2000 };

const char *ld_scalar(loader *ld, struct fy_node *node, const char *what)
{
    size_t len;
    const char *s;
    if (!node) {
        ld_problem(ld, node, "%s is missing its value", what);
        return NULL;
    }
    if (fy_node_is_alias(node)) {
        ld_problem(ld, node, "%s: YAML aliases are not used in policy files; write the value out",
                   what);
        return NULL;
    }
    if (!fy_node_is_scalar(node) || !(s = fy_node_get_scalar(node, &len))) {
        ld_problem(ld, node, "%s must be a single value, not a list or mapping", what);
        return NULL;
    }
    if (len > MAX_SCALAR) {
        ld_problem(ld, node, "%s is longer than %d characters", what, MAX_SCALAR);
        return NULL;
    }
    if (memchr(s, '\0', len)) {
        ld_problem(ld, node, "%s contains a NUL character", what);
        return NULL;
    }
    return ch_arena_strndup(ld->arena, s, len);
}

static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[64];
    if (la >= 63 || lb >= 63)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            best = up + 1 < best ? up + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *ld_suggest(const char *s, const char *const *candidates)
{
    const char *best = NULL;
    size_t bestd = 99, limit = strlen(s) / 3 > 2 ? strlen(s) / 3 : 2;
    for (size_t i = 0; candidates[i]; i++) {
        size_t d = distance(s, candidates[i]);
        if (d < bestd) {
            bestd = d;
            best = candidates[i];
        }
    }
    return bestd <= limit ? best : NULL;
}

bool ld_check_keys(loader *ld, struct fy_node *map, const char *const *known, const char *where)
{
    void *it = NULL;
    struct fy_node_pair *pair;
    if (!map || !fy_node_is_mapping(map)) {
        ld_problem(ld, map, "%s must be a mapping of keys to values", where);
        return false;
    }
    while ((pair = fy_node_mapping_iterate(map, &it))) {
        struct fy_node *k = fy_node_pair_key(pair);
        const char *name = ld_scalar(ld, k, "a key");
        bool found = false;
        if (!name)
            continue;
        for (size_t i = 0; known[i] && !found; i++)
            found = strcmp(name, known[i]) == 0;
        if (found)
            continue;
        const char *near = ld_suggest(name, known);
        if (near) {
            ld_problem(ld, k, "unknown key '%s' in %s; did you mean '%s'?", name, where, near);
        } else {
            char list[300] = "";
            for (size_t i = 0; known[i]; i++) {
                size_t used = strlen(list);
                snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", known[i]);
            }
            ld_problem(ld, k, "unknown key '%s' in %s; the keys allowed here are: %s", name, where,
                       list);
        }
    }
    return true;
}

struct fy_node *ld_get(struct fy_node *map, const char *key)
{
    if (!map || !fy_node_is_mapping(map))
        return NULL;
    return fy_node_mapping_lookup_by_string(map, key, strlen(key));
}

bool ld_date(loader *ld, struct fy_node *node, const char *what, ch_date *out)
{
    const char *s = ld_scalar(ld, node, what);
    ch_error err;
    if (!s)
        return false;
    if (ch_date_parse(s, strlen(s), out, &err)) {
        ld_problem(ld, node, "%s: %s", what, err.msg);
        return false;
    }
    return true;
}

char *ld_read_file(loader *ld, struct fy_node *node, const char *name, size_t max, size_t *len)
{
    char path[1024];
    char *buf = NULL;
    FILE *fp = NULL;
    if (!ld->base_dir) {
        ld_problem(ld, node,
                   "'%s': this policy was not loaded from a file, so it cannot name "
                   "other files",
                   name);
        return NULL;
    }
    if (name[0] == '/')
        snprintf(path, sizeof(path), "%s", name);
    else
        snprintf(path, sizeof(path), "%s/%s", ld->base_dir, name);
    if (!(fp = fopen(path, "rb"))) {
        ld_problem(ld, node,
                   "cannot open '%s' (looked for %s); check the name, which is "
                   "relative to the policy file's folder",
                   name, path);
        return NULL;
    }
    buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, fp) : 0;
    if (!buf || n > max || ferror(fp)) {
        ld_problem(ld, node, "cannot read '%s': it is unreadable or over %zu bytes", name, max);
        free(buf);
        buf = NULL;
    } else {
        buf[n] = '\0';
        *len = n;
    }
    fclose(fp);
    return buf;
}
