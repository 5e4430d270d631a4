/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Regular-file checks, size caps and bounded line reads for every reader (deeprelax/input.h). */
#include "deeprelax/input.h"
#include "deeprelax/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *file_kind(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
         : S_ISFIFO(m) ? "a FIFO (pipe)" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

int dr_input_open_fd(int *fd, const char *path, unsigned long long max_bytes,
                     unsigned long long *size)
{
    *fd = -1;
    if (!path || !*path) return dr_error(DR_EIO, "no input file given");
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. */
    int d = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (d < 0) return dr_error(DR_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(d, &st) != 0) {
        int e = errno;
        close(d);
        return dr_error(DR_EIO, "%s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(d);
        return dr_error(DR_EIO, "%s: is %s, not a regular file (write the data to a file first)",
                        path, file_kind(st.st_mode));
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        close(d);
        return dr_error(DR_EFORMAT, "%s: %lld bytes, above the cap of %llu bytes for this kind of "
                        "file", path, (long long)st.st_size, max_bytes);
    }
    int flags = fcntl(d, F_GETFL);
    if (flags >= 0) (void)fcntl(d, F_SETFL, flags & ~O_NONBLOCK);
    if (size) *size = (unsigned long long)st.st_size;
    *fd = d;
    return DR_SUCCESS;
}

int dr_input_open(FILE **fp, const char *path, unsigned long long max_bytes,
                  unsigned long long *size)
{
    *fp = NULL;
    int fd;
    int status = dr_input_open_fd(&fd, path, max_bytes, size);
    if (status) return status;
    *fp = fdopen(fd, "rb");
    if (!*fp) {
        int e = errno;
        close(fd);
        return dr_error(DR_EIO, "%s: cannot open: %s", path, strerror(e));
    }
    return DR_SUCCESS;
}

ssize_t dr_input_getline(char **buf, size_t *cap, FILE *fp, size_t max_line)
{
    size_t len = 0;
    for (;;) {
        int c = getc_unlocked(fp); /* one reader per FILE: no lock per byte */
        if (c == EOF) break;
        if (len == max_line) {
            ungetc(c, fp);
            return -2;
        }
        if (len + 2 > *cap) {
            size_t grown = *cap ? 2 * *cap : 256;
            if (grown > max_line + 1) grown = max_line + 1;
            if (grown < len + 2) grown = len + 2;
            char *p = realloc(*buf, grown);
            if (!p) return -3;
            *buf = p;
            *cap = grown;
        }
        (*buf)[len++] = (char)c;
        if (c == '\n') break;
    }
    if (len == 0) return -1;
    (*buf)[len] = '\0';
    return (ssize_t)len;
}
