/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Opening and reading the files a user names (landscape samples, .npy arrays, plot tables, IDX
 * data), with the limits that keep a small or odd input from costing unbounded time or memory:
 * only regular files (a directory, a device such as /dev/zero, a FIFO or a socket is refused
 * at once: the readers size-check a file before reading it, and a FIFO would block the open
 * until a writer appears), a cap on the size, and a cap on the length of a text line. */
#ifndef DEEPRELAX_INPUT_H
#define DEEPRELAX_INPUT_H

#include <stdio.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DR_INPUT_MAX_LINE ((size_t)1 << 20)          /* 1 MiB per text line */
#define DR_INPUT_MAX_BYTES ((unsigned long long)1 << 30) /* 1 GiB per file */

/* Opens `path` for reading as *fp after checking, on the open descriptor, that it is a regular
 * file of at most `max_bytes` (its size in *size if not NULL). Never blocks (a FIFO is refused
 * before anyone writes to it). DR_EIO (cannot open; not a regular file, naming what it is) or
 * DR_EFORMAT (larger than the cap), the message naming `path`. */
int dr_input_open(FILE **fp, const char *path, unsigned long long max_bytes,
                  unsigned long long *size);
/* The same check, giving the descriptor (for readers that hand it on, e.g. to gzdopen). */
int dr_input_open_fd(int *fd, const char *path, unsigned long long max_bytes,
                     unsigned long long *size);

/* Reads one line (its '\n' kept, as getline does) into *buf of capacity *cap, growing it up to
 * max_line + 1 bytes. Returns the length, -1 at the end of the file or on a read error (ferror
 * tells which), -2 when the line is longer than max_line (the rest of it is left unread), -3
 * when memory runs out. */
ssize_t dr_input_getline(char **buf, size_t *cap, FILE *fp, size_t max_line);

#ifdef __cplusplus
}
#endif
#endif
