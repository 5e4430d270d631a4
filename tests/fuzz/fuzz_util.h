/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by the fuzz harnesses: the input written to a file the readers open by path, and the
 * checks every error message must pass (one line, printable ASCII: a reader must escape the
 * bytes it quotes from a hostile file). */
#ifndef DEEPRELAX_FUZZ_UTIL_H
#define DEEPRELAX_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deeprelax/error.h"

/* A path in a private directory, made once per process, with the given file name. */
static inline const char *fuzz_path(const char *name)
{
    static char dir[64], path[128];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/deeprelax-fuzz-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(dir)) abort();
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static inline const char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
    const char *path = fuzz_path(name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f)) abort();
    return path;
}

/* The message of a failed call: non-empty, one line, printable ASCII. */
static inline void fuzz_check_message(int status)
{
    if (status == DR_SUCCESS) return;
    const char *m = dr_error_message();
    if (!m[0]) { fprintf(stderr, "status %d without a message\n", status); abort(); }
    for (const unsigned char *p = (const unsigned char *)m; *p; p++)
        if (*p < 0x20 || *p >= 0x7f) {
            fprintf(stderr, "byte 0x%02x in the message: %s\n", *p, m);
            abort();
        }
}

#endif
