/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Particle optimisers on 1-D and 2-D landscapes, and the measurements that compare them with the
 * PDE: gd, sgd, Langevin, Entropy-SGD, HJ (proximal inner loop, and its damped fixed-point form),
 * Elastic-SGD, and pde-gd (gradient descent on u(., gamma) from the grid solvers).
 *
 * Notation of DESIGN.md. Entropy-SGD's inner loop is Langevin dynamics on
 *     f(y) + |y - x|^2 / (2 gamma)     at temperature 1/beta, step eta',
 * started at y = x; its iterates are averaged into mu (mu <- alpha mu + (1 - alpha) y, or the
 * uniform mean), and the outer step is x <- x - eta (x - mu)/gamma, i.e. gradient descent on
 * u(., gamma) with the Gibbs mean <y> estimated by mu. HJ is the same loop without noise: mu then
 * tends to a (local) proximal point and the step is a proximal-point step.
 *
 * Reproducibility: every particle has its own GSL generator (mt19937) seeded from (seed, particle
 * index), so a particle's path depends on the seed and its index only, never on how many particles
 * run beside it: same seed, same bytes. */
#ifndef DEEPRELAX_PARTICLES_H
#define DEEPRELAX_PARTICLES_H

#include <stddef.h>
#include "deeprelax/landscape.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    DR_PARTICLES_GD = 0,
    DR_PARTICLES_SGD,            /* gradient plus Gaussian noise of sd sigma */
    DR_PARTICLES_LANGEVIN,       /* x <- x - eta grad f + sqrt(2 eta / beta) xi */
    DR_PARTICLES_ENTROPY_SGD,
    DR_PARTICLES_HJ,             /* the inner loop without noise: a proximal step */
    DR_PARTICLES_HJ_FIXED_POINT, /* p <- 0.75 p + 0.25 grad f(x - gamma p), L times from p = 0 */
    DR_PARTICLES_ELASTIC_SGD,    /* replicas y^a coupled to their mean x with strength rho */
    DR_PARTICLES_PDE_GD          /* x <- x - eta grad u(x, gamma): heat (beta finite) or Hopf-Lax */
} dr_particles_algo;

/* "gd", "sgd", "langevin", "entropy-sgd", "hj", "hj-fixed-point", "elastic-sgd", "pde-gd". */
const char *dr_particles_algo_name(dr_particles_algo a);
int dr_particles_algo_parse(const char *name, dr_particles_algo *a); /* DR_ENOTFOUND if unknown */

/* alpha = DR_PARTICLES_ALPHA_UNIFORM averages the L inner iterates with equal weights. */
#define DR_PARTICLES_ALPHA_UNIFORM (-1.0)

typedef struct {
    dr_particles_algo algo;
    size_t steps;       /* outer steps (default 200) */
    size_t L;           /* inner steps of entropy-sgd / hj / hj-fixed-point (default 20) */
    double eta;         /* outer step (default 0.05) */
    double eta_inner;   /* inner step eta' (default 0.005) */
    double gamma;       /* the relaxation scale when not scoping (default 0.2) */
    double g0, g1;      /* scoping: gamma_k = 1/(g0 (1+g1)^k) when g0 > 0 (default 0: off) */
    double beta;        /* inverse temperature of langevin, entropy-sgd's inner loop, elastic-sgd
                           and pde-gd (default 1; INFINITY = no thermal noise, Hopf-Lax) */
    double alpha;       /* inner average (default 0.75), or DR_PARTICLES_ALPHA_UNIFORM */
    double sigma;       /* sd of Gaussian noise added to every grad f (default 0; sgd needs > 0) */
    double momentum;    /* Nesterov momentum in [0, 1) on the outer and inner loops (default 0) */
    size_t replicas;    /* elastic-sgd (default 4) */
    double rho;         /* elastic-sgd coupling (default 1) ... */
    double rho_growth;  /* ... growing as rho (1 + rho_growth)^k (default 0) */
    unsigned long seed; /* default 1 */
    /* pde-gd: the grid u(., gamma) is solved on (default: the landscape's box, 2001 points in
     * 1-D, 257 x 257 in 2-D). Off-grid gradients are interpolated: cubic splines (bicubic in 2-D)
     * for the smooth heat solution, linear (bilinear) for Hopf-Lax, whose gradient jumps. */
    size_t pde_n[2];
    int have_pde_box;
    double pde_lo[2], pde_hi[2];
    int threads;        /* OpenMP and FFTW threads of pde-gd's solver plan (default 0: all
                           available); the particles themselves step on the calling thread */
} dr_particles_options;

void dr_particles_options_default(dr_particles_options *opt);

/* gamma at outer step k (the scoping schedule, or the fixed gamma). */
double dr_particles_gamma(const dr_particles_options *opt, size_t k);

typedef struct dr_particles dr_particles;

/* A workspace for landscape f (kept by reference: it must outlive the workspace) and the options
 * (copied; checked: DR_EINVAL naming the bad one). pde-gd builds its solver plan here. */
int dr_particles_alloc(dr_particles **out, const dr_landscape *f, const dr_particles_options *opt);
void dr_particles_free(dr_particles *p);
const dr_particles_options *dr_particles_get_options(const dr_particles *p);

/* Runs K particles from starts x0[K * dim] for opt.steps outer steps. path (may be NULL) receives
 * K * (steps + 1) * dim coordinates, particle-major: point s of particle k at
 * path[(k * (steps + 1) + s) * dim]; fpath (may be NULL) the K * (steps + 1) values f there.
 * DR_ENUMERIC if a particle diverges (non-finite) or, for pde-gd, leaves the solver's box. */
int dr_particles_run(dr_particles *p, size_t K, const double *x0, double *path, double *fpath);

/* The inner loop's estimate mu of the Gibbs mean <y> at x for gamma, L steps (entropy-sgd
 * options: eta', beta, alpha, sigma, momentum), from the generator seeded with (seed, stream).
 * trace (may be NULL) receives the L iterates y_1..y_L (L * dim). */
int dr_particles_inner_estimate(const dr_particles *p, const double *x, double gamma, size_t L,
                                unsigned long stream, double *mu, double *trace);

/* The exact Gibbs mean <y> of rho_x(y) ~ exp(-beta f(y) - beta |x - y|^2/(2 gamma)) by a
 * log-domain trapezoid rule over a y-grid around x (the reference of the comparisons): the window
 * holds every y whose exponent is within 40 of x's, the spacing resolves both the Gaussian
 * sqrt(gamma/beta) and f's curvature. beta finite. cov (may be NULL) gets Cov(y), dim x dim. */
int dr_particles_gibbs_mean(const dr_landscape *f, const double *x, double gamma, double beta,
                            double *mean, double *cov);

/* Error of the inner loop's estimate against the exact mean, over `chains` independent chains. */
typedef struct {
    size_t L;
    double bias;    /* |average of mu over chains - <y>| */
    double spread;  /* sqrt(average |mu - average mu|^2) */
    double rmse;    /* sqrt(average |mu - <y>|^2) */
} dr_particles_gibbs_row;

typedef struct {
    double exact[2];     /* <y> from the quadrature */
    double tau;          /* integrated autocorrelation time of the stationary inner chain, steps */
    size_t burn_in;      /* first inner step whose mean over the chains is within 3 standard
                            errors of <y> (0 if never within the longest L) */
    double slope;        /* least-squares slope of log spread against log L over the rows with
                            L >= 8 tau (all rows if fewer than two): -1/2 for Monte Carlo */
} dr_particles_gibbs_summary;

/* For each L[i] (nL values), `chains` chains of the inner loop at x with the workspace's alpha
 * (override: alpha_override is used instead when it is not NAN). */
int dr_particles_gibbs_study(const dr_particles *p, const double *x, double gamma,
                             double alpha_override, const size_t *L, size_t nL, size_t chains,
                             dr_particles_gibbs_row *rows, dr_particles_gibbs_summary *summary);

/* The distance between two families of K paths of steps + 1 points (layout of dr_particles_run):
 * d_s = root mean square over particles of |a - b| at step s; max, final and mean over s. */
void dr_particles_path_distance(size_t K, size_t steps, int dim, const double *a, const double *b,
                                double *max, double *final, double *mean);

/* Basins of attraction: the local minimiser of f reached by gradient descent (backtracking line
 * search) from x, into minimiser[dim]. */
int dr_particles_descend(const dr_landscape *f, const double *x, double *minimiser);

typedef struct {
    double minimiser[2];
    double value;      /* f at the minimiser */
    size_t count;      /* particles that ended in this basin */
    int global;        /* 1 if it is the lowest minimum found by descending from a fine sampling
                          of the box (the global minimiser as far as the box shows) */
} dr_particles_basin;

/* Classifies K end points x[K * dim]: descends from each, merges minimisers closer than 1e-3 of
 * the box's diagonal, and fills at most max_basins basins sorted by f (lowest first); *nbasins
 * gets the count. lo/hi: the box of the global search. */
int dr_particles_basins(const dr_landscape *f, const double lo[2], const double hi[2], size_t K,
                        const double *x, dr_particles_basin *basins, size_t max_basins,
                        size_t *nbasins);

#ifdef __cplusplus
}
#endif
#endif
