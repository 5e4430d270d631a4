/* SPDX-License-Identifier: GPL-3.0-or-later */
/* xoshiro256** pseudo-random numbers for dropout masks and Langevin noise (see nn.h for why the
 * trainer carries its own generator rather than GSL's). */
#include "deeprelax/nn.h"
#include "nn_parallel.h"

#include <math.h>

/* SplitMix64 expands the seed so that nearby seeds give unrelated streams. */
void dr_nn_rng_seed(dr_nn_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        r->s[i] = z ^ (z >> 31);
    }
}

uint64_t dr_nn_rng_next(dr_nn_rng *r) { return dr_nn_xoshiro_next(r->s); }

double dr_nn_rng_uniform(dr_nn_rng *r) { return (double)(dr_nn_rng_next(r) >> 11) * 0x1.0p-53; }

/* Box-Muller; the 1 - u keeps the logarithm's argument in (0, 1]. */
double dr_nn_rng_gaussian(dr_nn_rng *r)
{
    double u = 1.0 - dr_nn_rng_uniform(r), v = dr_nn_rng_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}
