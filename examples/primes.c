// Counts the primes below N (argv[1], default 10,000,000) with a sieve of
// Eratosthenes and prints the count and the largest few. A small, real C program
// compiled for wasm32-wasi:
//   tern run examples/primes.wasm 1000000
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 10000000;
    if (n < 2) {
        printf("no primes below %ld\n", n);
        return 0;
    }
    unsigned char *composite = calloc((size_t)n, 1);
    if (!composite) {
        fprintf(stderr, "out of memory for n = %ld\n", n);
        return 1;
    }
    long count = 0;
    for (long i = 2; i < n; i++) {
        if (composite[i]) continue;
        count++;
        if (i > n / i) continue; /* i * i would pass n (and overflow 32 bits) */
        for (long j = i * i; j < n; j += i) composite[j] = 1;
    }
    printf("%ld primes below %ld; the largest:", count, n);
    int shown = 0;
    for (long i = n - 1; i >= 2 && shown < 5; i--) {
        if (!composite[i]) {
            printf(" %ld", i);
            shown++;
        }
    }
    printf("\n");
    free(composite);
    return 0;
}
