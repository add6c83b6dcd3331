// Prints its arguments and environment, then exits with argv[1] if it is a number.
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv) {
    printf("hello, world\n");
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=[%s]\n", i, argv[i]);
    for (char **e = environ; *e; e++)
        printf("env=[%s]\n", *e);
    const char *v = getenv("EMPTY");
    printf("getenv(EMPTY)=%s\n", v ? (*v ? v : "(empty)") : "(unset)");
    fflush(stdout);
    fprintf(stderr, "to stderr\n");
    if (argc > 1 && argv[1][0] >= '0' && argv[1][0] <= '9')
        return atoi(argv[1]);
    return 0;
}
