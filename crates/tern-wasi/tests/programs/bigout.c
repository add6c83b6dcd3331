// Writes argv[1] MiB to stdout: a 64 KiB block of a repeating pattern, each block
// stamped with its index.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int mib = argc > 1 ? atoi(argv[1]) : 1;
    static unsigned char block[65536];
    for (int i = 0; i < (int)sizeof block; i++)
        block[i] = 'a' + i % 26;
    int blocks = mib * 16;
    for (int b = 0; b < blocks; b++) {
        memcpy(block, &b, sizeof b);
        size_t off = 0;
        while (off < sizeof block) {
            ssize_t w = write(1, block + off, sizeof block - off);
            if (w <= 0)
                return 1;
            off += w;
        }
    }
    return 0;
}
