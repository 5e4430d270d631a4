/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The data tables `deeprelax plot` reads: a CSV file with a header row or a 1-D/2-D .npy array,
 * held as named float64 columns (row-major). */
#ifndef DEEPRELAX_CLI_PLOT_TABLE_H
#define DEEPRELAX_CLI_PLOT_TABLE_H

#include <stddef.h>

#define PLOT_MAX_COLUMNS 64
/* Numbers in a CSV table: 2^26 (512 MiB of doubles), above a 2048 x 2048 solve's 7 columns. A
 * CSV file is read up to DR_INPUT_MAX_BYTES, lines up to DR_INPUT_MAX_LINE (deeprelax/input.h). */
#define PLOT_MAX_CELLS ((size_t)1 << 26)

typedef struct {
    size_t rows, cols;
    char *names[PLOT_MAX_COLUMNS];
    double *v; /* rows * cols, row-major */
} plot_table;

/* Reads FILE (.csv or .npy). `names` (may be NULL) is a comma-separated list that names the
 * columns of a .npy array (or renames a CSV's). Without it, a .npy array gets the names of the
 * table it most likely is (solve: t,x,f,u,du_dx or t,x,y,f,u,du_dx,du_dy; particles:
 * particle,step,x[,y],f when its first two columns are integers), else c1, c2, ...
 * Exits with one error line naming the problem (status 1: unreadable or malformed file). */
void plot_table_read(plot_table *tb, const char *path, const char *names);
void plot_table_free(plot_table *tb);
/* Index of the column named `name`, or -1. */
int plot_table_column(const plot_table *tb, const char *name);
/* What a column the project writes means, for legends and axis labels ("bound_inv_t" ->
 * "bound 1/t"); other names are returned as they are. */
const char *plot_column_meaning(const char *name);
static inline double plot_table_at(const plot_table *tb, size_t row, int col)
{
    return tb->v[row * tb->cols + (size_t)col];
}

#endif
