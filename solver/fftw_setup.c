/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One-time FFTW set-up shared by every module that plans transforms (heat, fd), and the lock
 * around FFTW's planner. The planner keeps global state (and so does the thread count plans are
 * made with): plans made or destroyed from several threads at once corrupt it, so every call
 * to a planner or to fftw_destroy_plan in the library goes through dr_fftw_lock. Executing
 * distinct plans concurrently needs no lock. */
#include "fftw_setup.h"

#include <fftw3.h>
#include <pthread.h>

static pthread_mutex_t planner = PTHREAD_MUTEX_INITIALIZER;
static int threads_ready;

void dr_fftw_lock(int nthreads)
{
    pthread_mutex_lock(&planner);
    if (!threads_ready) {
        fftw_init_threads();
        threads_ready = 1;
    }
    fftw_plan_with_nthreads(nthreads > 0 ? nthreads : 1);
}

void dr_fftw_unlock(void)
{
    pthread_mutex_unlock(&planner);
}
