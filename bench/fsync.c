/* The machine's own durable-write rate: how many write+fdatasync pairs a
 * second this disk sustains. One commit per request cannot beat it, which
 * is why the store groups commits. Prints `fdatasync_per_s: N per s`. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    char path[4096];
    snprintf(path, sizeof(path), "%s/charter-fsync-bench.tmp", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        perror(path);
        return 1;
    }
    char block[4096] = {0};
    struct timespec a, b;
    int n = 0;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do {
        if (pwrite(fd, block, sizeof(block), (off_t)(n % 256) * 4096) < 0 || fdatasync(fd) < 0) {
            perror("write");
            return 1;
        }
        n++;
        clock_gettime(CLOCK_MONOTONIC, &b);
    } while ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9 < 2.0);
    double secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    close(fd);
    unlink(path);
    printf("fdatasync_per_s: %.0f per s\n", n / secs);
    return 0;
}
