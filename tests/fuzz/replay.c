/* replay — runs a fuzz target's LLVMFuzzerTestOneInput on files, without
 * libFuzzer: `make check` builds one per target with the ordinary
 * compiler and replays tests/fuzz/corpus-TARGET/ (every input a fuzzing
 * run ever stopped on) and tests/fuzz/seeds-TARGET/.  An input is a
 * finding when the target aborts (or, under make sanitize, ASan/UBSan
 * report); the replay then stops with the file's name. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *current;                    /* the input being replayed */

/* A crash names its input (write(2) only: in a signal handler). */
static void on_crash(int sig)
{
    static const char head[] = "\nreplay: this input crashed the target: ";
    if (write(2, head, sizeof head - 1) < 0 || (current && write(2, current, strlen(current)) < 0)
        || write(2, "\n", 1) < 0)
        _exit(128 + sig);
    signal(sig, SIG_DFL);
    raise(sig);
}

static size_t replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0, got;
    do {
        if (n == cap && !(buf = realloc(buf, cap = cap ? 2 * cap : 65536)))
            abort();
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got);
    fclose(f);
    current = path;
    LLVMFuzzerTestOneInput(buf, n);
    current = NULL;
    free(buf);
    return 1;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv)
{
    signal(SIGABRT, on_crash);
    signal(SIGSEGV, on_crash);
    signal(SIGBUS, on_crash);
    signal(SIGFPE, on_crash);
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    size_t total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) != 0)
            continue;                           /* a corpus not there yet */
        if (!S_ISDIR(sb.st_mode)) {
            total += replay_file(argv[i]);
            continue;
        }
        DIR *d = opendir(argv[i]);
        char **names = NULL;
        size_t n = 0;
        struct dirent *e;
        while (d && (e = readdir(d)))
            if (e->d_name[0] != '.') {
                if (!(names = realloc(names, (n + 1) * sizeof *names)))
                    abort();
                size_t len = strlen(argv[i]) + strlen(e->d_name) + 2;
                if (!(names[n] = malloc(len)))
                    abort();
                snprintf(names[n++], len, "%s/%s", argv[i], e->d_name);
            }
        if (d)
            closedir(d);
        qsort(names, n, sizeof *names, by_name);
        for (size_t k = 0; k < n; k++) {
            total += replay_file(names[k]);
            free(names[k]);
        }
        free(names);
    }
    printf("%zu inputs replayed\n", total);
    return 0;
}
