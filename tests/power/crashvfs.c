/* The power-loss VFS (crashvfs.h). Each tracked file keeps the list of
 * changes made since its last sync, with the bytes each one replaced, so
 * settle can undo them all (giving exactly what the last syncs made
 * durable) and then replay a random subset, some torn. Syncs are not
 * passed to the disk: the test simulates the disk, and skipping the real
 * fsync lets a thousand rounds run in a minute. */
#include "crashvfs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { SECTOR = 512 };

typedef struct change {
    bool truncate;
    int64_t off;         /* where a write starts, or a truncation's new size */
    int64_t size_before; /* the file's size just before the change */
    unsigned char *old;  /* the bytes the change replaced or cut off */
    int64_t old_len;
    unsigned char *data; /* what a write wrote */
    int64_t len;
} change;

typedef struct tracked {
    char *path;
    change *v;
    size_t n, cap;
    bool main_db;
    struct tracked *next;
} tracked;

typedef struct cfile {
    sqlite3_file base;
    tracked *t; /* NULL for files power loss does not concern (temp files) */
    sqlite3_file *real;
} cfile;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs crash_vfs;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static tracked *files;
static uint64_t events_left, seed_state;
static bool failed;

static uint64_t next_random(void)
{
    /* xorshift64*: reproducible from the seed, which a failing run prints. */
    seed_state ^= seed_state >> 12;
    seed_state ^= seed_state << 25;
    seed_state ^= seed_state >> 27;
    return seed_state * 2685821657736338717ULL;
}

static void forget(tracked *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].old);
        free(t->v[i].data);
    }
    t->n = 0;
}

/* Counts one write, sync or truncation; true once the power is off. Call
 * with mu held. */
static bool power_fails(void)
{
    if (failed)
        return true;
    if (events_left && --events_left == 0)
        failed = true;
    return failed;
}

static tracked *track(const char *path, bool main_db)
{
    for (tracked *t = files; t; t = t->next)
        if (strcmp(t->path, path) == 0)
            return t;
    tracked *t = calloc(1, sizeof(*t));
    if (!t || !(t->path = strdup(path))) {
        free(t);
        return NULL;
    }
    t->main_db = main_db;
    t->next = files;
    files = t;
    return t;
}

static change *push(tracked *t)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        change *v = realloc(t->v, cap * sizeof(*v));
        if (!v)
            return NULL;
        t->v = v;
        t->cap = cap;
    }
    change *c = &t->v[t->n++];
    memset(c, 0, sizeof(*c));
    return c;
}

/* Drops the newest change, which failed to be recorded or to happen. */
static void pop(tracked *t)
{
    change *c = &t->v[--t->n];
    free(c->old);
    free(c->data);
}

/* The bytes [off, off+len) as they are now, clipped to the file's end. */
static int read_old(cfile *f, int64_t off, int64_t len, int64_t size, change *c)
{
    int64_t have = size > off ? size - off : 0;
    if (have > len)
        have = len;
    c->old_len = have;
    if (!have)
        return SQLITE_OK;
    if (!(c->old = malloc((size_t)have)))
        return SQLITE_NOMEM;
    return f->real->pMethods->xRead(f->real, c->old, (int)have, off);
}

static int c_close(sqlite3_file *file)
{
    cfile *f = (cfile *)file;
    int rc = f->real->pMethods->xClose(f->real);
    return rc;
}

static int c_read(sqlite3_file *file, void *buf, int n, sqlite3_int64 off)
{
    cfile *f = (cfile *)file;
    return f->real->pMethods->xRead(f->real, buf, n, off);
}

/* Notes the change about to be made to f at off: the file's size, and the
 * (up to len) bytes from off that it replaces. NULL when the power is off
 * (*rc left as the caller's I/O error) or the note could not be made.
 * Call with mu held. */
static change *record(cfile *f, int64_t off, int64_t len, int *rc)
{
    sqlite3_int64 size;
    change *c;
    if (power_fails())
        return NULL;
    if ((*rc = f->real->pMethods->xFileSize(f->real, &size)) != SQLITE_OK)
        return NULL;
    *rc = SQLITE_NOMEM;
    if (!(c = push(f->t)))
        return NULL;
    c->off = off;
    c->size_before = size;
    if ((*rc = read_old(f, off, len, size, c)) != SQLITE_OK) {
        pop(f->t);
        return NULL;
    }
    return c;
}

static int c_write(sqlite3_file *file, const void *buf, int n, sqlite3_int64 off)
{
    cfile *f = (cfile *)file;
    if (!f->t)
        return f->real->pMethods->xWrite(f->real, buf, n, off);
    pthread_mutex_lock(&mu);
    int rc = SQLITE_IOERR_WRITE;
    change *c = record(f, off, n, &rc);
    if (c && !(c->data = malloc((size_t)n))) {
        rc = SQLITE_NOMEM;
    } else if (c) {
        memcpy(c->data, buf, (size_t)n);
        c->len = n;
        rc = f->real->pMethods->xWrite(f->real, buf, n, off);
    }
    if (c && rc != SQLITE_OK)
        pop(f->t); /* what did not happen is not replayed */
    pthread_mutex_unlock(&mu);
    return rc;
}

static int c_truncate(sqlite3_file *file, sqlite3_int64 to)
{
    cfile *f = (cfile *)file;
    if (!f->t)
        return f->real->pMethods->xTruncate(f->real, to);
    pthread_mutex_lock(&mu);
    int rc = SQLITE_IOERR_TRUNCATE;
    change *c = record(f, to, INT64_MAX, &rc); /* all it cuts off */
    if (c) {
        c->truncate = true;
        rc = f->real->pMethods->xTruncate(f->real, to);
        if (rc != SQLITE_OK)
            pop(f->t);
    }
    pthread_mutex_unlock(&mu);
    return rc;
}

static int c_sync(sqlite3_file *file, int flags)
{
    cfile *f = (cfile *)file;
    (void)flags;
    if (!f->t)
        return SQLITE_OK;
    pthread_mutex_lock(&mu);
    int rc = SQLITE_IOERR_FSYNC;
    if (!power_fails()) {
        forget(f->t); /* all of it is on the (simulated) platter now */
        rc = SQLITE_OK;
    }
    pthread_mutex_unlock(&mu);
    return rc;
}

static int c_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
    cfile *f = (cfile *)file;
    return f->real->pMethods->xFileSize(f->real, size);
}

static int c_lock(sqlite3_file *file, int level)
{
    cfile *f = (cfile *)file;
    return f->real->pMethods->xLock(f->real, level);
}

static int c_unlock(sqlite3_file *file, int level)
{
    cfile *f = (cfile *)file;
    return f->real->pMethods->xUnlock(f->real, level);
}

static int c_check_reserved(sqlite3_file *file, int *out)
{
    cfile *f = (cfile *)file;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int c_file_control(sqlite3_file *file, int op, void *arg)
{
    cfile *f = (cfile *)file;
    return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int c_sector_size(sqlite3_file *file)
{
    cfile *f = (cfile *)file;
    return f->real->pMethods->xSectorSize(f->real);
}

static int c_device(sqlite3_file *file)
{
    cfile *f = (cfile *)file;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int c_shm_map(sqlite3_file *file, int page, int size, int extend, void volatile **p)
{
    cfile *f = (cfile *)file;
    return f->real->pMethods->xShmMap(f->real, page, size, extend, p);
}

static int c_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
    cfile *f = (cfile *)file;
    return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void c_shm_barrier(sqlite3_file *file)
{
    cfile *f = (cfile *)file;
    f->real->pMethods->xShmBarrier(f->real);
}

static int c_shm_unmap(sqlite3_file *file, int delete_flag)
{
    cfile *f = (cfile *)file;
    return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

/* Version 2: shared memory for WAL, but no memory-mapped reads, which
 * would bypass xRead and so the record of what a write replaced. */
static const sqlite3_io_methods crash_io = {
    2,           c_close,   c_read,     c_write,          c_truncate,     c_sync,
    c_file_size, c_lock,    c_unlock,   c_check_reserved, c_file_control, c_sector_size,
    c_device,    c_shm_map, c_shm_lock, c_shm_barrier,    c_shm_unmap,    NULL,
    NULL,
};

static int c_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags,
                  int *out_flags)
{
    (void)vfs;
    cfile *f = (cfile *)file;
    memset(f, 0, sizeof(*f));
    f->real = (sqlite3_file *)(f + 1);
    int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK) {
        f->base.pMethods = NULL; /* SQLite does not close a file that failed to open */
        return rc;
    }
    if (name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL))) {
        pthread_mutex_lock(&mu);
        f->t = track(name, (flags & SQLITE_OPEN_MAIN_DB) != 0);
        pthread_mutex_unlock(&mu);
        if (!f->t) {
            f->real->pMethods->xClose(f->real);
            f->base.pMethods = NULL;
            return SQLITE_NOMEM;
        }
    }
    f->base.pMethods = &crash_io;
    return SQLITE_OK;
}

static int c_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    pthread_mutex_lock(&mu);
    int rc = SQLITE_IOERR_DELETE;
    if (!power_fails()) {
        rc = real_vfs->xDelete(real_vfs, name, sync_dir);
        for (tracked *t = files; t && rc == SQLITE_OK; t = t->next)
            if (strcmp(t->path, name) == 0)
                forget(t);
    }
    pthread_mutex_unlock(&mu);
    return rc;
}

int crashvfs_register(void)
{
    if (!(real_vfs = sqlite3_vfs_find(NULL)))
        return SQLITE_ERROR;
    crash_vfs = *real_vfs;
    crash_vfs.zName = "crash";
    crash_vfs.szOsFile = (int)sizeof(cfile) + real_vfs->szOsFile;
    crash_vfs.xOpen = c_open;
    crash_vfs.xDelete = c_delete;
    crash_vfs.pNext = NULL;
    return sqlite3_vfs_register(&crash_vfs, 1);
}

void crashvfs_arm(uint64_t n, uint64_t seed)
{
    pthread_mutex_lock(&mu);
    events_left = n;
    seed_state = seed ? seed : 0x9e3779b97f4a7c15ULL;
    failed = false;
    pthread_mutex_unlock(&mu);
}

bool crashvfs_failed(void)
{
    pthread_mutex_lock(&mu);
    bool f = failed;
    pthread_mutex_unlock(&mu);
    return f;
}

static int put(int fd, const unsigned char *p, int64_t len, int64_t off)
{
    while (len > 0) {
        ssize_t w = pwrite(fd, p, (size_t)len, (off_t)off);
        if (w < 0)
            return -1;
        p += w, len -= w, off += w;
    }
    return 0;
}

/* Replays one change as the disk might have kept it. */
static int replay(int fd, const change *c, crashvfs_report *r)
{
    uint64_t fate = next_random() % 4;
    if (fate == 0) {
        r->dropped++;
        return 0;
    }
    if (c->truncate) {
        r->kept++;
        return ftruncate(fd, (off_t)c->off);
    }
    int64_t sectors = (c->len + SECTOR - 1) / SECTOR;
    if (fate == 1 && sectors > 1) {
        /* Torn: some of its sectors reached the platter, some did not. */
        r->torn++;
        for (int64_t s = 0; s < sectors; s++) {
            if (next_random() & 1)
                continue;
            int64_t at = s * SECTOR, n = c->len - at < SECTOR ? c->len - at : SECTOR;
            if (put(fd, c->data + at, n, c->off + at))
                return -1;
        }
        return 0;
    }
    r->kept++;
    return put(fd, c->data, c->len, c->off);
}

static int settle_file(tracked *t, crashvfs_report *r)
{
    if (!t->n)
        return 0;
    int fd = open(t->path, O_RDWR);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    int rc = 0;
    /* Undo newest first: the file is then what its last sync left. */
    for (size_t i = t->n; i-- > 0 && !rc;) {
        const change *c = &t->v[i];
        if (ftruncate(fd, (off_t)c->size_before) || put(fd, c->old, c->old_len, c->off))
            rc = -1;
    }
    for (size_t i = 0; i < t->n && !rc; i++)
        rc = replay(fd, &t->v[i], r);
    if (close(fd))
        rc = -1;
    return rc;
}

int crashvfs_settle(crashvfs_report *report)
{
    crashvfs_report r = {0, 0, 0};
    int rc = 0;
    pthread_mutex_lock(&mu);
    for (tracked *t = files; t && !rc; t = t->next) {
        rc = settle_file(t, &r);
        forget(t);
        if (t->main_db && !rc) {
            size_t n = strlen(t->path);
            char *shm = malloc(n + 5);
            if (!shm) {
                rc = -1;
                break;
            }
            memcpy(shm, t->path, n);
            memcpy(shm + n, "-shm", 5);
            if (unlink(shm) && errno != ENOENT)
                rc = -1;
            free(shm);
        }
    }
    events_left = 0;
    failed = false;
    pthread_mutex_unlock(&mu);
    if (report)
        *report = r;
    return rc;
}
