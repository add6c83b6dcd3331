/* bench/launch.c: runs one command and reports its wall-clock time and peak resident
 * memory; bench/compare.py compiles it with the host C compiler and measures every
 * run through it.
 *
 *     launch REPORT_FILE PROGRAM [ARGS...]
 *
 * Forks, execs PROGRAM (searched on PATH) with the inherited stdin, stdout, stderr and
 * working directory, waits for it with wait4() and writes "SECONDS MAXRSS_KIB" to
 * REPORT_FILE. Exits with the program's exit status, or 128 + the signal number if a
 * signal killed it.
 *
 * Why not fork from Python: on Linux a child's ru_maxrss never drops below the resident
 * size of the process it was forked from (exec keeps the old high-water mark), so every
 * program measured straight from Python would seem to use at least Python's 10-15 MiB.
 * This launcher is a few hundred KiB, so the figures it reports are the program's own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: launch REPORT_FILE PROGRAM [ARGS...]\n");
        return 2;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid = fork();
    if (pid < 0) {
        perror("launch: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "launch: cannot run %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage usage;
    if (wait4(pid, &status, 0, &usage) < 0) {
        perror("launch: wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    FILE *report = fopen(argv[1], "w");
    if (report == NULL) {
        perror(argv[1]);
        return 2;
    }
    fprintf(report, "%.6f %ld\n", seconds, usage.ru_maxrss);
    fclose(report);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
