/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libdeeprelax: the PDE view of deep-learning optimisation on 1-D and 2-D loss landscapes.
 * One include for the whole public API (every public header), and the library's thread-safety
 * contract in one place:
 *   - error.h: the message of a failure is per thread (read it in the thread that failed).
 *   - grid.h, npy.h, analysis.h (except a dr_tracker), the catalogue: no shared state.
 *   - landscape.h: evaluating one landscape from several threads at once is safe for every
 *     source (expressions serialise on libmatheval's lock; function landscapes call the
 *     caller's function from one thread at a time).
 *   - heat.h, hopflax.h, fd.h, gibbs.h, particles.h, widen.h, solve.h: creating and destroying
 *     plans from several threads is safe (FFTW's planner is locked); one plan, stepper, tracker
 *     or workspace must not be used from two threads at once (it owns scratch buffers).
 *     dr_solve and dr_widen_run build their own plans: call them from any number of threads.
 *   - nn.h: dr_nn_set_threads is process-wide (the BLAS's); one dr_mlp workspace per thread.
 * Every options struct that runs parallel loops has `int threads`: OpenMP and FFTW threads,
 * 0 = all available (heat, hopf-lax, fd, solve, widen, particles' pde-gd plan). The trainer's
 * threads are the BLAS's, process-wide: dr_nn_set_threads.
 * Every function returning a status refuses a NULL pointer it needs with DR_EINVAL and a message
 * naming itself; FFTW's flag words never appear in the API (dr_heat_planning). */
#ifndef DEEPRELAX_H
#define DEEPRELAX_H

#include "deeprelax/version.h"
#include "deeprelax/error.h"
#include "deeprelax/grid.h"
#include "deeprelax/landscape.h"
#include "deeprelax/output.h"
#include "deeprelax/npy.h"
#include "deeprelax/parse.h"
#include "deeprelax/heat.h"
#include "deeprelax/hopflax.h"
#include "deeprelax/fd.h"
#include "deeprelax/solve.h"
#include "deeprelax/gibbs.h"
#include "deeprelax/analysis.h"
#include "deeprelax/particles.h"
#include "deeprelax/widen.h"
#include "deeprelax/viz.h"
#include "deeprelax/nn.h"
#include "deeprelax/sharpness.h"

#endif
