/* A SQLite VFS that simulates losing power. It passes everything to the
 * system's own VFS but remembers, per file, each write and truncation not
 * yet synced; when the power fails it stops every later write, and
 * crashvfs_settle then rewrites the files as a disk might have left them:
 * each unsynced change kept, dropped or torn at a sector, independently,
 * so later writes may land while earlier ones do not. Only the tests use it. */
#ifndef CRASHVFS_H
#define CRASHVFS_H

#include <stdbool.h>
#include <stdint.h>

/* Registers the VFS as SQLite's default; returns a SQLite status. */
int crashvfs_register(void);
/* The power fails at the n-th write, sync or truncation from now (n > 0);
 * 0 disarms. seed drives the choices settle makes. */
void crashvfs_arm(uint64_t n, uint64_t seed);
/* Whether the power has failed since the last arm. */
bool crashvfs_failed(void);

typedef struct crashvfs_report {
    unsigned kept, dropped, torn; /* unsynced changes, by their fate */
} crashvfs_report;

/* Once every connection is closed: writes each file's post-power-loss
 * image, deletes the shared-memory index (memory does not survive a power
 * cut) and forgets what was pending. Returns 0, or -1 with errno. */
int crashvfs_settle(crashvfs_report *report);

#endif
