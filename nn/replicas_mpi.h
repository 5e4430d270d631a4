/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The MPI transport of dr_replicas (nn/replicas_mpi.c): one replica per rank. It is compiled
 * into the deeprelax binary only when the build found MPI (DEEPRELAX_MPI), never into
 * libdeeprelax, so the library and its users carry no MPI dependency; without MPI the stubs
 * below say so. */
#ifndef DR_REPLICAS_MPI_H
#define DR_REPLICAS_MPI_H

#include <stddef.h>
#include <stdlib.h>

/* Started by an MPI launcher (OpenMPI's mpirun, or a PMI/PMIx one such as MPICH's or srun)? */
static inline int dr_mpi_launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK") ||
           getenv("PMI_RANK");
}

#ifdef DEEPRELAX_MPI
#define DR_MPI_BUILT 1
int dr_mpi_init(int *rank, int *size);
/* dr_replicas_reduce_fn: sums[0..n) summed over all ranks, in place (MPI_Allreduce). */
int dr_mpi_reduce(void *ctx, double *sums, size_t n);
/* Collective agreement on a status: every rank passes whether it failed; returns the lowest
 * failing rank, or -1 when all are well. */
int dr_mpi_agree(int failed);
/* The largest of v over the ranks. */
double dr_mpi_max(double v);
void dr_mpi_finalize(void);
#else
#define DR_MPI_BUILT 0
static inline int dr_mpi_init(int *rank, int *size) { *rank = 0; *size = 1; return 1; }
static inline int dr_mpi_reduce(void *ctx, double *sums, size_t n)
{
    (void)ctx; (void)sums; (void)n;
    return 1;
}
static inline int dr_mpi_agree(int failed) { return failed ? 0 : -1; }
static inline double dr_mpi_max(double v) { return v; }
static inline void dr_mpi_finalize(void) {}
#endif
#endif
