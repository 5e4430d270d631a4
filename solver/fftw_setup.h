/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The lock around FFTW's planner (see fftw_setup.c). dr_fftw_lock(n) takes it and sets the
 * thread count of the plans created before dr_fftw_unlock (1 for small transforms); plan
 * destruction goes under the lock too. */
#ifndef DEEPRELAX_FFTW_SETUP_H
#define DEEPRELAX_FFTW_SETUP_H

void dr_fftw_lock(int nthreads);
void dr_fftw_unlock(void);

#endif
