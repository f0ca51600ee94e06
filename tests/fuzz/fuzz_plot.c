/* fuzz_plot — libFuzzer target for `exposim plot DIR` on crafted result
 * directories (make fuzz; make check replays its corpus).
 *
 * An input is a multi-file text (fuzz_files.h) whose parts become the
 * directory: timeseries.csv, summary.csv and timeline.csv (a run's), sweep-summary.csv
 * (a sweep's), anything else.  The directory goes through plot_results,
 * the program's own entry point for the command.  gnuplot is replaced by
 * tests/fuzz/fake_gnuplot.c (first on PATH), which checks the script
 * plot wrote for anything that would make gnuplot run a command and
 * reports it in a flag file.  Findings (abort): a flag file (a name from
 * the files reached the script as commands), a file written outside the
 * directory, a rejection without a diagnostic, and anything ASan or UBSan
 * sees. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "diag.h"
#include "fuzz_files.h"
#include "plot.h"
#include "world.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char flag[256], in[256];
static const struct sim_model_type *const models[] = { &world_model, NULL };   /* the metric table */

/* The fake gnuplot lives in fake-gnuplot/ next to the fuzz program. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        snprintf(self, sizeof self, "%s", (*argv)[0]);
    else
        self[n] = '\0';
    char path[4200];
    snprintf(path, sizeof path, "%s/fake-gnuplot", dirname(self));
    char exe[4300];
    snprintf(exe, sizeof exe, "%s/gnuplot", path);
    if (access(exe, X_OK) != 0) {
        fprintf(stderr, "fuzz_plot: %s is missing (make builds it with the target)\n", exe);
        abort();
    }
    setenv("PATH", path, 1);                    /* never the real gnuplot */
    snprintf(flag, sizeof flag, "%s/FLAG", fuzz_root());
    setenv("EXPOSIM_FUZZ_FLAG", flag, 1);
    snprintf(in, sizeof in, "%s/in", fuzz_root());
    return 0;
}

/* The root must hold the input directory and nothing else. */
static void check_root(void)
{
    DIR *d = opendir(fuzz_root());
    if (!d)
        abort();
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "in")) {
            fprintf(stderr, "plot wrote %s/%s, outside the results directory\n", fuzz_root(), e->d_name);
            abort();
        }
    closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_rmtree(in);
    fuzz_mkdirs(in);
    fuzz_split(in, data, size, NULL);
    struct diag d;
    diag_init(&d);
    struct plot_opts o;
    plot_opts_init(&o, in);
    o.quiet = 1;
    o.models = models;
    int rc = plot_results(&o, &d);
    if (getenv("EXPOSIM_FUZZ_VERBOSE"))
        fprintf(stderr, "plot: %d %s\n", rc, d.n ? d.msg[0] : "");
    struct stat sb;
    if (stat(flag, &sb) == 0) {
        char msg[512] = "";
        FILE *f = fopen(flag, "r");
        if (f) {
            if (!fgets(msg, sizeof msg, f))
                msg[0] = '\0';
            fclose(f);
        }
        unlink(flag);
        fprintf(stderr, "exposim plot let a name from the results reach gnuplot as a command: %s", msg);
        abort();
    }
    check_root();
    if (rc && d.n == 0 && d.dropped == 0) {
        fprintf(stderr, "plot failed (status %d) without a diagnostic\n", rc);
        abort();
    }
    diag_destroy(&d);
    xmlResetLastError();
    return 0;
}
