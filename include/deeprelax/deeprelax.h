/* libdeeprelax: the PDE view of deep-learning optimisation on 1-D and 2-D loss landscapes.
 * One include for the whole public API. */
#ifndef DEEPRELAX_H
#define DEEPRELAX_H

#include "deeprelax/version.h"
#include "deeprelax/error.h"
#include "deeprelax/grid.h"
#include "deeprelax/landscape.h"
#include "deeprelax/npy.h"
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
