/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Output files that are never torn: every file the library and the CLI write goes through here.
 *
 * dr_output_open creates a temporary file in the target's own directory (so that the final
 * rename(2) stays on one file system and is atomic); the caller writes into it through
 * dr_output_stream (or lets a child process write dr_output_temp_path); dr_output_commit flushes,
 * checks every write, fsyncs the file and renames it over the target. Until then the old file
 * is untouched, and on any failure (or dr_output_abort) the temporary is removed: a full disk,
 * a failed writer or a killed process leaves the old file or the complete new one, never a
 * partial one. Error messages name the caller's path, never the temporary.
 *
 * Signals. The library installs no signal handler (a host's handlers are the host's). A program
 * that wants interrupted writes cleaned up calls dr_output_remove_pending() from its own
 * SIGINT/SIGTERM handler: it is async-signal-safe (only unlink(2) on a fixed table).
 *
 * An existing target that is not a regular file nor a directory (a FIFO, /dev/null, a terminal)
 * is written directly: there is nothing to replace atomically. A directory is refused.
 *
 * Testing: when the environment variable DEEPRELAX_TEST_WRITE_FAIL_AFTER=N is set, every output
 * opened afterwards fails with ENOSPC once N bytes have been written to it, as a full disk
 * would: the tests use it to check that no writer tears or loses a file. */
#ifndef DEEPRELAX_OUTPUT_H
#define DEEPRELAX_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dr_output dr_output;

/* Opens a temporary beside `path` (see above). DR_EIO if the directory is missing or not
 * writable or `path` is a directory. */
int dr_output_open(dr_output **out, const char *path);

/* The stream to write the content to (buffered; errors are collected for the commit). */
FILE *dr_output_stream(dr_output *o);

/* The temporary's absolute path, for a writer in another process (gnuplot): it writes there,
 * then the caller commits. Equal to the target's path when the target is written directly. */
const char *dr_output_temp_path(const dr_output *o);

/* The target's path as the caller gave it. */
const char *dr_output_path(const dr_output *o);

/* Flushes, checks, fsyncs and renames the temporary over the target; frees `o` in every case.
 * On failure (DR_EIO, the message naming the target and the reason) the temporary is gone and
 * the old target untouched. `o` may be NULL (then DR_EINVAL). */
int dr_output_commit(dr_output *o);

/* Removes the temporary and frees `o` (NULL allowed); the old target stays as it was. */
void dr_output_abort(dr_output *o);

/* Writes the `size` bytes of `data` to `path` through the steps above. */
int dr_output_write_all(const char *path, const void *data, size_t size);

/* Whether `path` can be written before any work starts: its directory exists and is writable
 * and it is not a directory. DR_EIO with a message naming `path` otherwise. */
int dr_output_check(const char *path);

/* The checks of a command's files before it computes: each output passes dr_output_check, no
 * two outputs are the same file, and no output is the same file as an input (same device and
 * inode, so hard links and different spellings count; a missing input is skipped, its reader
 * reports it). NULL entries are skipped. DR_EINVAL for a clash, DR_EIO for a bad output. */
int dr_output_check_files(const char *const *outputs, size_t n_outputs,
                          const char *const *inputs, size_t n_inputs);

/* Unlinks the temporary of every output not yet committed or aborted. Async-signal-safe: for
 * a SIGINT/SIGTERM handler, which should then re-raise the signal with its default action. */
void dr_output_remove_pending(void);

#ifdef __cplusplus
}
#endif
#endif
