// Exits through exit() (proc_exit) with the status given as argv[1], after
// printing something that must have been flushed by then.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    printf("exiting\n");
    exit(argc > 1 ? atoi(argv[1]) : 0);
}
