/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Single values from JSON text by path, e.g. "times/3/semiconcavity/measured" (object keys and
 * array indices separated by '/'). Used by the demo to quote other subcommands' --json output. */
#ifndef DEEPRELAX_CLI_JSON_GET_H
#define DEEPRELAX_CLI_JSON_GET_H

#include <stddef.h>

/* Start of the value at `path` in `text`, or NULL. */
const char *json_get(const char *text, const char *path);
/* 1 and *out when the value at path is a number; 0 otherwise. */
int json_get_number(const char *text, const char *path, double *out);
/* Number of elements of the array at path (0 if none or not an array). */
size_t json_get_length(const char *text, const char *path);

#endif
