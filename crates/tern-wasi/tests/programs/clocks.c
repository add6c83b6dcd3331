// Clocks, sleeping (poll_oneoff clock subscriptions), random bytes and yielding.
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#define CHECK(c)                                                                  \
    do {                                                                          \
        if (!(c)) {                                                               \
            printf("FAIL line %d: %s (errno %d)\n", __LINE__, #c, errno);         \
            exit(1);                                                              \
        }                                                                         \
    } while (0)

// Not declared by this wasi-libc.
int32_t raw_proc_raise(int32_t sig)
    __attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")));

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static long long mono(void) {
    struct timespec t;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &t) == 0);
    return ns(t);
}

int main(void) {
    struct timespec t, r;

    // Realtime is after 2020 and agrees with time().
    CHECK(clock_gettime(CLOCK_REALTIME, &t) == 0);
    CHECK(t.tv_sec > 1577836800);
    time_t now = time(NULL);
    CHECK(now - t.tv_sec >= 0 && now - t.tv_sec < 5);
    printf("realtime ok\n");

    // Every clock has a resolution and a value; monotonic and CPU clocks advance.
    clockid_t ids[4] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID};
    for (int i = 0; i < 4; i++) {
        CHECK(clock_getres(ids[i], &r) == 0);
        CHECK(ns(r) > 0 && ns(r) <= 1000000000LL);
        CHECK(clock_gettime(ids[i], &t) == 0);
    }
    __wasi_timestamp_t cpu0, cpu1;
    CHECK(__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &cpu0) == 0);
    volatile unsigned x = 0;
    for (int i = 0; i < 200000; i++)
        x += i;
    CHECK(__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &cpu1) == 0);
    (void)x;
    CHECK(cpu1 > cpu0);
    __wasi_timestamp_t bad;
    CHECK(__wasi_clock_time_get(99, 1, &bad) == __WASI_ERRNO_INVAL);
    printf("clocks ok\n");

    // Sleeping: relative, absolute, and poll() with only a timeout.
    long long a = mono();
    struct timespec d = {0, 20 * 1000000};
    CHECK(nanosleep(&d, NULL) == 0);
    long long b = mono();
    CHECK(b - a >= 20000000LL);
    CHECK(clock_gettime(CLOCK_MONOTONIC, &t) == 0);
    t.tv_nsec += 15000000;
    if (t.tv_nsec >= 1000000000) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000;
    }
    CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == 0);
    CHECK(mono() >= ns(t));
    a = mono();
    CHECK(poll(NULL, 0, 10) == 0);
    CHECK(mono() - a >= 10000000LL);
    usleep(1000);
    printf("sleep ok\n");

    // Two clock subscriptions: the earlier one fires alone.
    __wasi_subscription_t subs[2];
    memset(subs, 0, sizeof subs);
    subs[0].userdata = 111;
    subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[0].u.u.clock.timeout = 5000000;
    subs[1].userdata = 222;
    subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[1].u.u.clock.timeout = 5000000000ULL;
    __wasi_event_t ev[2];
    __wasi_size_t nev = 0;
    CHECK(__wasi_poll_oneoff(subs, ev, 2, &nev) == 0);
    CHECK(nev == 1 && ev[0].userdata == 111 && ev[0].error == 0 && ev[0].type == __WASI_EVENTTYPE_CLOCK);
    // An fd subscription on stdout is ready at once, before a long timeout.
    subs[0].userdata = 333;
    subs[0].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    subs[0].u.u.fd_write.file_descriptor = 1;
    CHECK(__wasi_poll_oneoff(subs, ev, 2, &nev) == 0);
    CHECK(nev == 1 && ev[0].userdata == 333 && ev[0].type == __WASI_EVENTTYPE_FD_WRITE);
    // A bad fd is reported in its event.
    subs[0].u.u.fd_write.file_descriptor = 77;
    CHECK(__wasi_poll_oneoff(subs, ev, 2, &nev) == 0);
    CHECK(nev == 1 && ev[0].error == __WASI_ERRNO_BADF);
    CHECK(__wasi_poll_oneoff(subs, ev, 0, &nev) == __WASI_ERRNO_INVAL);
    printf("poll ok\n");

    // Random bytes: two draws differ and look random.
    unsigned char r1[256], r2[256];
    CHECK(getentropy(r1, sizeof r1) == 0);
    CHECK(getentropy(r2, sizeof r2) == 0);
    CHECK(memcmp(r1, r2, sizeof r1) != 0);
    int seen[256] = {0}, distinct = 0;
    for (int i = 0; i < 256; i++)
        if (!seen[r1[i]]++)
            distinct++;
    CHECK(distinct > 100);
    CHECK(__wasi_random_get((uint8_t *)0xfffffff0, 100) == __WASI_ERRNO_FAULT);
    printf("random ok\n");

    CHECK(sched_yield() == 0);
    CHECK(raw_proc_raise(10) == __WASI_ERRNO_NOSYS);
    CHECK(__wasi_sock_shutdown(1, __WASI_SDFLAGS_WR) == __WASI_ERRNO_NOTSOCK);
    CHECK(__wasi_sock_shutdown(99, __WASI_SDFLAGS_WR) == __WASI_ERRNO_BADF);
    printf("misc ok\n");
    return 0;
}
