/* infile — regular files only, sizes known before reading; see infile.h. */
#include "infile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t m)
{
    return S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
         : S_ISDIR(m) ? "a directory" : S_ISSOCK(m) ? "a socket" : "not a file";
}

int infile_open(const char *path, const char *what, long long *size, struct diag *d)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (what)
            return diag_add(d, path, 0, "cannot open %s: %s", what, strerror(errno));
        return diag_add(d, path, 0, "cannot open: %s", strerror(errno));
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int err = errno;
        close(fd);
        return diag_add(d, path, 0, "cannot read: %s", strerror(err));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return diag_add(d, path, 0, "%s%s%s, not a regular file: exposim reads its inputs from regular "
                        "files only (a FIFO would block, a device never ends)", what ? what : "",
                        what ? " is " : "", kind_of(sb.st_mode));
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        int err = errno;
        close(fd);
        return diag_add(d, path, 0, "cannot read: %s", strerror(err));
    }
    if (size)
        *size = (long long)sb.st_size;
    return fd;
}

FILE *infile_fopen(const char *path, const char *what, struct diag *d)
{
    int fd = infile_open(path, what, NULL, d);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        diag_add(d, path, 0, "out of memory opening the file");
    }
    return f;
}

char *infile_read(const char *path, const char *what, size_t max, size_t *len, struct diag *d)
{
    long long size = 0;
    int fd = infile_open(path, what, &size, d);
    if (fd < 0)
        return NULL;
    char *buf = NULL;
    if (size < 0 || (unsigned long long)size > max) {
        diag_add(d, path, 0, "%lld bytes, more than the %zu allowed%s%s", size, max, what ? " for " : "",
                 what ? what : "");
        goto fail;
    }
    /* Room for the size seen plus one byte: a file that grew since is
     * noticed (and refused once it passes max), never followed for ever. */
    size_t cap = (size_t)size + 1, n = 0;
    if (!(buf = malloc(cap + 1))) {
        diag_add(d, path, 0, "out of memory reading %lld bytes", size);
        goto fail;
    }
    for (;;) {
        if (n == cap) {
            if (n > max) {
                diag_add(d, path, 0, "grew past the %zu bytes allowed%s%s while being read", max,
                         what ? " for " : "", what ? what : "");
                goto fail;
            }
            size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                diag_add(d, path, 0, "out of memory reading the file");
                goto fail;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            diag_add(d, path, 0, "cannot read: %s", strerror(errno));
            goto fail;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (n > max) {
        diag_add(d, path, 0, "grew past the %zu bytes allowed%s%s while being read", max, what ? " for " : "",
                 what ? what : "");
        goto fail;
    }
    close(fd);
    buf[n] = '\0';
    *len = n;
    return buf;
fail:
    free(buf);
    close(fd);
    return NULL;
}

int infile_check_text(const char *path, const char *buf, size_t len, struct diag *d)
{
    const char *nul = memchr(buf, '\0', len);
    if (!nul)
        return 0;
    long line = 1;
    for (const char *p = buf; p < nul; p++)
        line += *p == '\n';
    return diag_add(d, path, line, "a NUL byte (at offset %zu): not a text file", (size_t)(nul - buf));
}
