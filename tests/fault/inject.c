/* Disk faults for the tests, at the system-call boundary: loaded into a
 * real charter process with LD_PRELOAD, it makes writes (and syncs) of the
 * files whose path starts with CHARTER_FAULT_PREFIX fail while the file
 * named by CHARTER_FAULT_CONTROL says so: "ENOSPC" (the disk is full),
 * "EIO" (every write and sync fails) or "EIO-SYNC" (writes land, syncs
 * fail). Removing the control file clears the fault. No real disk fills up
 * or fails, but the process sees exactly the errors one would give. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum fault { NONE, FULL, IO, IO_SYNC };

static enum fault current(void)
{
    const char *control = getenv("CHARTER_FAULT_CONTROL");
    if (!control)
        return NONE;
    int fd = open(control, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NONE;
    char buf[16] = "";
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return NONE;
    if (strncmp(buf, "ENOSPC", 6) == 0)
        return FULL;
    if (strncmp(buf, "EIO-SYNC", 8) == 0)
        return IO_SYNC;
    if (strncmp(buf, "EIO", 3) == 0)
        return IO;
    return NONE;
}

static bool targeted(int fd)
{
    const char *prefix = getenv("CHARTER_FAULT_PREFIX");
    if (!prefix || !*prefix)
        return false;
    char link[64], path[4096];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof(path) - 1);
    if (n <= 0)
        return false;
    path[n] = '\0';
    return strncmp(path, prefix, strlen(prefix)) == 0;
}

/* Whether this call on fd fails, and with which errno. */
static bool fails(int fd, bool sync)
{
    if (!targeted(fd))
        return false;
    switch (current()) {
    case FULL:
        if (sync)
            return false;
        errno = ENOSPC;
        return true;
    case IO:
        errno = EIO;
        return true;
    case IO_SYNC:
        if (!sync)
            return false;
        errno = EIO;
        return true;
    default:
        return false;
    }
}

#define NEXT(name, type) ((type)dlsym(RTLD_NEXT, name))

ssize_t write(int fd, const void *buf, size_t n)
{
    if (fails(fd, false))
        return -1;
    return NEXT("write", ssize_t(*)(int, const void *, size_t))(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    if (fails(fd, false))
        return -1;
    return NEXT("pwrite", ssize_t(*)(int, const void *, size_t, off_t))(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
    if (fails(fd, false))
        return -1;
    return NEXT("pwrite64", ssize_t(*)(int, const void *, size_t, off64_t))(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *v, int n)
{
    if (fails(fd, false))
        return -1;
    return NEXT("writev", ssize_t(*)(int, const struct iovec *, int))(fd, v, n);
}

int ftruncate(int fd, off_t len)
{
    if (fails(fd, false))
        return -1;
    return NEXT("ftruncate", int (*)(int, off_t))(fd, len);
}

int ftruncate64(int fd, off64_t len)
{
    if (fails(fd, false))
        return -1;
    return NEXT("ftruncate64", int (*)(int, off64_t))(fd, len);
}

int fsync(int fd)
{
    if (fails(fd, true))
        return -1;
    return NEXT("fsync", int (*)(int))(fd);
}

int fdatasync(int fd)
{
    if (fails(fd, true))
        return -1;
    return NEXT("fdatasync", int (*)(int))(fd);
}
