/* Policies through the API: administrators check a charter file and load
 * it. Problems come back with their line and column so the page can show
 * each beside its line; a good file is written into the policies folder
 * (atomically, and synced) and the desk reloads its policies. */
#include "http/desk.h"
#include "policy/load.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static json_t *problems_json(const ch_diags *d)
{
    json_t *list = json_array();
    for (size_t i = 0; i < d->n; i++)
        json_array_append_new(list, json_pack("{s:i, s:i, s:s}", "line", d->items[i].line, "column",
                                              d->items[i].col, "message", d->items[i].msg));
    return list;
}

/* The folder the desk's policies came from. */
static void policy_dir(const ch_desk *d, char *out, size_t size)
{
    const char *path = d->npolicies ? d->policies[0].path : "policies/x";
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(out, size, "%.*s", (int)(slash - path), path);
    else
        snprintf(out, size, ".");
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
    json_error_t jerr;
    enum MHD_Result res;
    if (r->user.role != CH_ROLE_ADMIN)
        return ch_http_problem(r, 403, "Administrators only",
                               "Only an administrator can check or load a charter.", NULL);
    json_t *body = r->len ? json_loadb(r->body, r->len, 0, &jerr) : NULL;
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
    if (!load) {
        res = ch_http_json(r, 200,
                           json_pack("{s:s, s:s, s:I, s:I}", "id", pol->id, "organisation",
                                     pol->organisation, "services", (json_int_t)pol->nservices,
                                     "promises", (json_int_t)pol->npromises),
                           NULL);
        goto out;
    }
    char dir[1024], name[96];
    policy_dir(r->desk, dir, sizeof(dir));
    snprintf(name, sizeof(name), "%s.yaml", pol->id);
    if (write_synced(dir, name, text, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    /* The reload swaps the policies under the write lock, which this
     * request holds for reading: ask the server thread to do it. */
    kill(getpid(), SIGHUP);
    res = ch_http_json(r, 202,
                       json_pack("{s:s, s:s, s:s}", "id", pol->id, "file", name, "detail",
                                 "Saved; the desk is reloading its policies."),
                       NULL);
out:
    ch_policy_free(pol);
    ch_diags_free(&diags);
    json_decref(body);
    return res;
}
