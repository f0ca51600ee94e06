/* fuzz_files — scratch directories and multi-file inputs; see
 * fuzz_files.h. */
#define _DEFAULT_SOURCE
#include "fuzz_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>

static char root[128];

static void remove_root(void) { fuzz_rmtree(root); }

const char *fuzz_root(void)
{
    if (!root[0]) {
        struct stat sb;
        const char *base = stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) ? "/dev/shm" : "/tmp";
        snprintf(root, sizeof root, "%s/exposim-fuzz-%ld", base, (long)getpid());
        fuzz_rmtree(root);
        if (mkdir(root, 0700) != 0)
            abort();
        atexit(remove_root);
    }
    return root;
}

void fuzz_rmtree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d))) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                size_t len = strlen(path) + strlen(e->d_name) + 2;
                char *p = malloc(len);
                if (!p)
                    abort();
                snprintf(p, len, "%s/%s", path, e->d_name);
                fuzz_rmtree(p);
                free(p);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

void fuzz_mkdirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0700);
            *p = '/';
        }
    mkdir(buf, 0700);
}

void fuzz_put(const char *path, const void *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0)
        abort();
}

static int good_name(const char *s, size_t len)
{
    if (!len || len > 200 || s[0] == '/')
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-/", s[i]) || !s[i])
            return 0;
    for (size_t i = 0; i + 1 < len; i++)
        if (s[i] == '.' && s[i + 1] == '.')
            return 0;
    return s[len - 1] != '/';
}

size_t fuzz_split(const char *dir, const uint8_t *data, size_t size,
                  char *(*each)(const char *name, const char *bytes, size_t len, size_t *outlen))
{
    static const char mark[] = "=== ";
    const char *p = (const char *)data, *end = p + size;
    size_t files = 0;
    /* find the first marker at a line start */
    const char *at = NULL;
    for (const char *q = p; q + 4 <= end; q++)
        if ((q == p || q[-1] == '\n') && memcmp(q, mark, 4) == 0) {
            at = q;
            break;
        }
    while (at) {
        const char *name = at + 4, *nl = memchr(name, '\n', (size_t)(end - name));
        if (!nl)
            break;
        const char *body = nl + 1, *next = NULL;
        for (const char *q = body; q + 4 <= end; q++)
            if ((q == body || q[-1] == '\n') && memcmp(q, mark, 4) == 0) {
                next = q;
                break;
            }
        const char *bend = next ? next : end;
        size_t nlen = (size_t)(nl - name);
        if (good_name(name, nlen)) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%.*s", dir, (int)nlen, name);
            char *slash = strrchr(path, '/');
            *slash = '\0';
            fuzz_mkdirs(path);
            *slash = '/';
            struct stat sb;
            if (!(lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))) {
                char rel[256];
                snprintf(rel, sizeof rel, "%.*s", (int)nlen, name);
                size_t olen = 0;
                char *rewritten = each ? each(rel, body, (size_t)(bend - body), &olen) : NULL;
                const void *bytes = rewritten ? (const void *)rewritten : (const void *)body;
                size_t blen = rewritten ? olen : (size_t)(bend - body);
                FILE *f = fopen(path, "wb");          /* fails when a part named a parent a file */
                if (f) {
                    if (fwrite(bytes, 1, blen, f) != blen)
                        abort();
                    if (fclose(f) != 0)
                        abort();
                    files++;
                }
                free(rewritten);
            }
        }
        at = next;
    }
    return files;
}

static void nop_field(void *s, size_t len, void *data) { (void)s, (void)len, (void)data; }
static void nop_row(int c, void *data) { (void)c, (void)data; }

int fuzz_csv_ok(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI))
        abort();
    char buf[4096];
    size_t got;
    int ok = 1;
    while (ok && (got = fread(buf, 1, sizeof buf, f)) > 0)
        ok = csv_parse(&p, buf, got, nop_field, nop_row, NULL) == got;
    ok = ok && csv_fini(&p, nop_field, nop_row, NULL) == 0;
    csv_free(&p);
    fclose(f);
    return ok;
}
