/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Minimal NumPy .npy reading and writing for float64 arrays (format versions 1.0-3.0, C order,
 * little-endian '<f8'), the interchange format of landscapes and solver outputs.
 * Thread safety: no shared state; safe from any thread (two threads must not write one path). */
#ifndef DEEPRELAX_NPY_H
#define DEEPRELAX_NPY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Writes a C-order float64 array of `ndim` (1..3) dimensions `shape` to `path`. */
int dr_npy_write(const char *path, int ndim, const size_t *shape, const double *data);

/* Reads a float64 array. On success *data is malloc'ed (caller frees), *ndim and shape[0..ndim)
 * are set (ndim <= 3). Rejects other dtypes, Fortran order, truncated files and bad headers with
 * DR_EFORMAT and a message naming the problem. */
int dr_npy_read(const char *path, int *ndim, size_t shape[3], double **data);

#ifdef __cplusplus
}
#endif
#endif
