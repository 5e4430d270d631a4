/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MPI for dr_replicas: initialisation, the in-place sum of the replicas' vectors, and the
 * collective agreement on failures (every rank learns which rank failed instead of waiting in a
 * collective for it). Built only with MPI (see replicas_mpi.h). */
#include "replicas_mpi.h"
#include "deeprelax/error.h"

#include <limits.h>
#include <mpi.h>

int dr_mpi_init(int *rank, int *size)
{
    int provided;
    /* FUNNELED: OpenMP threads compute, only the main thread calls MPI */
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return dr_error(DR_EIO, "MPI_Init failed");
    /* errors come back as codes: a failed collective is reported, not an abort inside MPI */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return DR_SUCCESS;
}

int dr_mpi_reduce(void *ctx, double *sums, size_t n)
{
    (void)ctx;
    /* in pieces of at most INT_MAX elements (MPI counts are int) */
    for (size_t off = 0; off < n; off += INT_MAX) {
        int count = n - off < INT_MAX ? (int)(n - off) : INT_MAX;
        int rc = MPI_Allreduce(MPI_IN_PLACE, sums + off, count, MPI_DOUBLE, MPI_SUM,
                               MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) {
            char text[MPI_MAX_ERROR_STRING];
            int len = 0;
            MPI_Error_string(rc, text, &len);
            return dr_error(DR_EIO, "MPI_Allreduce failed: %s", text);
        }
    }
    return DR_SUCCESS;
}

int dr_mpi_agree(int failed)
{
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int mine = failed ? rank : size, lowest = size;
    if (MPI_Allreduce(&mine, &lowest, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD) != MPI_SUCCESS)
        return failed ? rank : 0; /* the collective itself failed: someone is gone */
    return lowest < size ? lowest : -1;
}

double dr_mpi_max(double v)
{
    double m = v;
    MPI_Allreduce(&v, &m, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return m;
}

void dr_mpi_finalize(void) { MPI_Finalize(); }
