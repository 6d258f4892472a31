/* Policies through the API: administrators check a charter file and load
 * it. Problems come back with their line and column so the page can show
 * each beside its line; a good file is written into the policies folder
 * (atomically, and synced) and the desk reloads its policies. */
#include "core/review.h"
#include "http/availability.h"
#include "http/desk.h"
#include "http/request.h"
#include "policy/load.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static json_t *problems_json(const ch_diags *d)
{
    json_t *list = json_array();
    for (size_t i = 0; i < d->n; i++)
        json_array_append_new(list, json_pack("{s:i, s:i, s:s}", "line", d->items[i].line, "column",
                                              d->items[i].col, "message", d->items[i].msg));
    return list;
}

/* Where a posted charter goes: over the file of the loaded policy with the
 * same id, so the desk's own list (its --policy files or policies/) reads
 * it again at once and at every start; a new id goes into the desk's
 * policy folder, which that list also reads. */
static int policy_target(const ch_desk *d, const char *id, char *dir, size_t dsize, char *name,
                         size_t nsize, ch_error *err)
{
    for (size_t i = 0; i < d->npolicies; i++) {
        if (strcmp(d->policies[i].policy->id, id) != 0)
            continue;
        const char *path = d->policies[i].path, *slash = strrchr(path, '/');
        int dn = snprintf(dir, dsize, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
        int nn = snprintf(name, nsize, "%s", slash ? slash + 1 : path);
        if (dn < 0 || (size_t)dn >= dsize || nn < 0 || (size_t)nn >= nsize)
            return ch_error_set(err, CH_E_IO, "the path %s is too long to write", path);
        return CH_OK;
    }
    const char *folder = d->policy_dir[0] ? d->policy_dir : "policies";
    snprintf(dir, dsize, "%s", folder);
    snprintf(name, nsize, "%s.yaml", id);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return ch_error_set(err, CH_E_IO, "cannot make the folder %s: %s", dir, strerror(errno));
    return CH_OK;
}

static int write_synced(const char *dir, const char *name, const char *text, ch_error *err)
{
    char path[1200], tmp[1300];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    snprintf(tmp, sizeof(tmp), "%s.upload-%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return ch_error_set(err, CH_E_IO, "cannot write %s: %s", tmp, strerror(errno));
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0) {
            close(fd);
            unlink(tmp);
            return ch_error_set(err, CH_E_IO, "cannot write %s: %s", tmp, strerror(errno));
        }
        done += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return ch_error_set(err, CH_E_IO, "cannot save %s: %s", path, strerror(errno));
    }
    int dfd = open(dir, O_RDONLY);
    if (dfd >= 0) {
        fsync(dfd); /* the rename itself survives a crash */
        close(dfd);
    }
    return CH_OK;
}

enum MHD_Result ch_http_policies_post(ch_req *r, bool load)
{
    ch_error err = {0};
    ch_diags diags = {0};
    ch_policy *pol = NULL;
    enum MHD_Result res;
    static const ch_req_key keys[] = {{"text", NULL}, {NULL, NULL}};
    if (r->user.role != CH_ROLE_ADMIN)
        return ch_http_problem(r, 403, "Administrators only",
                               "Only an administrator can check or load a charter.", NULL);
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    const char *text = json_string_value(json_object_get(body, "text"));
    if (!text) {
        res = ch_http_problem(r, 400, "No policy", "Send {\"text\": the policy file's YAML}.",
                              json_pack("[s]", "text"));
        goto out;
    }
    if (ch_policy_load_text(&pol, "policy", text, strlen(text), NULL, &diags)) {
        json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:o}", "type", "/problems/400", "title",
                              "The policy has problems", "status", 400, "detail",
                              "Fix each problem at its line and check again.", "problems",
                              problems_json(&diags));
        char *s = json_dumps(p, JSON_COMPACT);
        json_decref(p);
        res = ch_http_bytes(r, 400, "application/problem+json", s ? s : "{}", s ? strlen(s) : 2);
        free(s);
        goto out;
    }
    /* A charter past its review date still loads, but says so. */
    char warning[400];
    json_t *warnings = json_array();
    if (ch_policy_review_overdue(pol->organisation, pol->review_by, ch_http_today(r, NULL), warning,
                                 sizeof(warning)))
        json_array_append_new(warnings, json_string(warning));
    if (!load) {
        res = ch_http_json(r, 200,
                           json_pack("{s:s, s:s, s:I, s:I, s:o}", "id", pol->id, "organisation",
                                     pol->organisation, "services", (json_int_t)pol->nservices,
                                     "promises", (json_int_t)pol->npromises, "warnings", warnings),
                           NULL);
        goto out;
    }
    char dir[1024], name[160];
    if (policy_target(r->desk, pol->id, dir, sizeof(dir), name, sizeof(name), &err) ||
        write_synced(dir, name, text, &err)) {
        json_decref(warnings);
        res = ch_http_error(r, &err);
        goto out;
    }
    /* The reload swaps the policies under the write lock, which this
     * request holds for reading: ask the server thread to do it. */
    kill(getpid(), SIGHUP);
    res =
        ch_http_json(r, 202,
                     json_pack("{s:s, s:s, s:s, s:o}", "id", pol->id, "file", name, "detail",
                               "Saved; the desk is reloading its policies.", "warnings", warnings),
                     NULL);
out:
    ch_policy_free(pol);
    ch_diags_free(&diags);
    json_decref(body);
    return res;
}
