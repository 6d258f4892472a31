/* Simulated power loss under write load: four threads create audited cases
 * through the store, the power fails at a random write (crashvfs.h), the
 * files are left as a disk might leave them, and the desk is reopened.
 * Every round checks that SQLite finds the file sound, that every case the
 * store acknowledged is there with its create audit row, and (every tenth
 * round and at the end) that the audit chain is whole. Prints
 * `name: value unit` lines; exits 1 on the first fault, with its seed.
 *     power_loss [--rounds N] [--seed S] [--dir D] */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/auditlog.h"
#include "crashvfs.h"
#include "store/store.h"

enum { WRITERS = 4, MAX_PER_WRITER = 4000 };

typedef struct load {
    ch_store *store;
    pthread_mutex_t mu;
    int64_t *acked;
    size_t n, cap;
    char unexpected[CH_ERROR_MSG_MAX]; /* a failure before the power failed */
} load;

static void *writer(void *arg)
{
    load *l = arg;
    static const char *flags[] = {"urgent"};
    for (int i = 0; i < MAX_PER_WRITER; i++) {
        ch_error err;
        ch_time now = (ch_time)time(NULL);
        ch_obligation_row ob = {0, "reply", "respond", "We reply.", now + 86400, "open", 0};
        ch_event_row ev = {0, now, 0, "created", "power-loss load"};
        ch_case_row c = {0};
        c.service = "cognus/enquiries";
        c.kind = "enquiry";
        c.channel = "email";
        c.subject = "A case written while the power fails";
        c.status = "open";
        c.received_at = c.deemed_at = c.created_at = now;
        c.flags = flags;
        c.nflags = 1;
        c.obligations = &ob;
        c.nobligations = 1;
        c.events = &ev;
        c.nevents = 1;
        c.next_due_at = ob.due_at;
        ch_audit_row row = {0, now, 0, "create", "case", 0, "power-loss", 0, NULL, NULL};
        ch_store_audit_attach(l->store, &row, &c.id);
        int rc = ch_store_audit_finish(l->store, ch_store_case_insert(l->store, &c, &err), &err);
        pthread_mutex_lock(&l->mu);
        if (rc == CH_OK) {
            if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 1024;
                int64_t *v = realloc(l->acked, cap * sizeof(*v));
                if (!v)
                    abort();
                l->acked = v;
                l->cap = cap;
            }
            l->acked[l->n++] = c.id;
        } else if (!crashvfs_failed() && !l->unexpected[0]) {
            snprintf(l->unexpected, sizeof(l->unexpected), "%s", err.msg);
        }
        pthread_mutex_unlock(&l->mu);
        if (rc != CH_OK)
            break;
    }
    return NULL;
}

static int chain_row(void *ctx, const ch_audit_row *row, ch_error *err)
{
    (void)err;
    ch_auditlog_entry e = ch_store_audit_entry(row);
    return ch_auditlog_walk_step(ctx, &e) ? CH_OK : CH_E_CONFLICT;
}

/* The audit chain through the store, as `charter audit verify` walks it. */
static int chain_whole(const char *path, char *why, size_t size)
{
    ch_store *s;
    ch_error err;
    ch_auditlog_walk w;
    int64_t unchained = 0, unchained_max = 0;
    if (ch_store_open(&s, path, &err)) {
        snprintf(why, size, "reopening: %s", err.msg);
        return -1;
    }
    ch_auditlog_walk_init(&w);
    int rc = ch_store_audit_chain(s, chain_row, &w, &unchained, &unchained_max, &err);
    ch_store_close(s);
    if (rc && rc != CH_E_CONFLICT) {
        snprintf(why, size, "%s", err.msg);
        return -1;
    }
    if (ch_auditlog_walk_end(&w, unchained, unchained_max) != CH_AUDITLOG_WHOLE) {
        snprintf(why, size, "the audit chain is broken: %s", w.msg);
        return -1;
    }
    return 0;
}

/* Counts acknowledged cases missing (or missing their audit row) and says
 * whether SQLite's integrity check passes, reading with the system's VFS. */
static int check_file(const char *path, const int64_t *ids, size_t n, size_t *lost, char *why,
                      size_t size)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *ok = NULL, *has = NULL, *bare = NULL;
    int rc = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, "unix") != SQLITE_OK)
        goto sql;
    /* Leave the WAL as the crash left it, so later rounds crash in the
     * middle of checkpoints too. */
    sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &ok, NULL) ||
        sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM cases c JOIN audit a ON a.object = 'case'"
                           " AND a.action = 'create' AND a.object_id = c.id WHERE c.id = ?",
                           -1, &has, NULL) ||
        sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM cases WHERE id NOT IN (SELECT object_id FROM"
                           " audit WHERE object = 'case' AND action = 'create'"
                           " AND object_id IS NOT NULL)",
                           -1, &bare, NULL))
        goto sql;
    if (sqlite3_step(ok) != SQLITE_ROW)
        goto sql;
    const char *verdict = (const char *)sqlite3_column_text(ok, 0);
    if (!verdict || strcmp(verdict, "ok") != 0) {
        snprintf(why, size, "integrity_check: %s", verdict ? verdict : "(nothing)");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(has, 1, ids[i]);
        if (sqlite3_step(has) != SQLITE_ROW)
            goto sql;
        if (sqlite3_column_int64(has, 0) < 1)
            (*lost)++;
        sqlite3_reset(has);
    }
    if (sqlite3_step(bare) != SQLITE_ROW)
        goto sql;
    if (sqlite3_column_int64(bare, 0) != 0) {
        snprintf(why, size, "%lld cases have no create audit row",
                 (long long)sqlite3_column_int64(bare, 0));
        goto out;
    }
    rc = 0;
    goto out;
sql:
    snprintf(why, size, "checking the file: %s", db ? sqlite3_errmsg(db) : "out of memory");
out:
    sqlite3_finalize(ok);
    sqlite3_finalize(has);
    sqlite3_finalize(bare);
    sqlite3_close(db);
    return rc;
}

int main(int argc, char **argv)
{
    long rounds = 50;
    uint64_t seed = (uint64_t)time(NULL);
    const char *dir = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--rounds") == 0)
            rounds = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--dir") == 0)
            dir = argv[i + 1];
        else {
            fprintf(stderr, "usage: power_loss [--rounds N] [--seed S] [--dir D]\n");
            return 2;
        }
    }
    char tmpl[] = "/tmp/charter-power-XXXXXX", path[4200], why[CH_ERROR_MSG_MAX + 64] = "";
    if (!dir && !(dir = mkdtemp(tmpl))) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof(path), "%s/desk.db", dir);
    if (crashvfs_register() != SQLITE_OK) {
        fprintf(stderr, "power_loss: cannot register the test VFS\n");
        return 1;
    }
    /* The schema is made with the power on, so a round's losses are its own. */
    ch_store *setup;
    ch_error setup_err;
    if (ch_store_open(&setup, path, &setup_err)) {
        fprintf(stderr, "power_loss: cannot create the desk: %s\n", setup_err.msg);
        return 1;
    }
    ch_store_close(setup);
    size_t acked = 0, lost = 0;
    crashvfs_report total = {0, 0, 0};
    uint64_t state = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    long round;
    int failed = 0;
    for (round = 1; round <= rounds && !failed; round++) {
        load l = {.mu = PTHREAD_MUTEX_INITIALIZER};
        ch_error err;
        pthread_t t[WRITERS];
        crashvfs_report r;
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        /* Up to a few hundred writes and syncs: mid-commit, mid-checkpoint
         * and just after a commit all come up over the rounds. */
        uint64_t at = 1 + (state >> 33) % 1500;
        if (ch_store_open(&l.store, path, &err)) {
            snprintf(why, sizeof(why), "reopening after the power loss: %s", err.msg);
            failed = 1;
            break;
        }
        crashvfs_arm(at, state);
        for (int i = 0; i < WRITERS; i++)
            pthread_create(&t[i], NULL, writer, &l);
        for (int i = 0; i < WRITERS; i++)
            pthread_join(t[i], NULL);
        ch_store_close(l.store);
        if (l.unexpected[0]) {
            snprintf(why, sizeof(why), "a write failed before the power did: %s", l.unexpected);
            failed = 1;
        } else if (crashvfs_settle(&r)) {
            snprintf(why, sizeof(why), "cannot write the post-crash image: %m");
            failed = 1;
        } else {
            size_t before = lost;
            total.kept += r.kept, total.dropped += r.dropped, total.torn += r.torn;
            acked += l.n;
            if (check_file(path, l.acked, l.n, &lost, why, sizeof(why)) ||
                ((round % 10 == 0 || round == rounds) && chain_whole(path, why, sizeof(why))))
                failed = 1;
            else if (lost > before) {
                snprintf(why, sizeof(why), "%zu acknowledged cases are gone", lost - before);
                failed = 1;
            }
        }
        free(l.acked);
        if (failed)
            break;
    }
    if (failed)
        fprintf(stderr, "power_loss: round %ld (seed %llu): %s\n", round, (unsigned long long)seed,
                why);
    printf("power_loss_rounds: %ld rounds\n", failed ? round - 1 : rounds);
    printf("acked: %zu writes\n", acked);
    printf("lost: %zu writes\n", lost);
    printf("unsynced_kept: %u changes\n", total.kept);
    printf("unsynced_dropped: %u changes\n", total.dropped);
    printf("unsynced_torn: %u changes\n", total.torn);
    if (dir == tmpl && !failed) {
        /* A failing run keeps its files for a look with sqlite3. */
        static const char *const ends[] = {"", "-wal", "-shm"};
        for (size_t i = 0; i < sizeof(ends) / sizeof(*ends); i++) {
            char f[4300];
            snprintf(f, sizeof(f), "%s%s", path, ends[i]);
            unlink(f);
        }
        rmdir(dir);
    }
    return failed;
}
