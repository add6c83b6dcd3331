// Copies stdin to stdout with read/write, after polling stdin for input.
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    struct pollfd p = {.fd = 0, .events = POLLIN};
    if (poll(&p, 1, 1000) != 1 || !(p.revents & POLLIN)) {
        fprintf(stderr, "poll: stdin not readable\n");
        return 2;
    }
    static char buf[4096];
    long total = 0;
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0) {
            perror("read");
            return 1;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(1, buf + off, n - off);
            if (w <= 0) {
                perror("write");
                return 1;
            }
            off += w;
        }
        total += n;
    }
    fprintf(stderr, "copied %ld bytes\n", total);
    return 0;
}
