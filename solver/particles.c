/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Particle optimisers on landscapes (see particles.h): options, the workspace, the inner loop of
 * Entropy-SGD / HJ, and the outer loops of every algorithm. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "deeprelax/error.h"
#include "dr_args.h"
#include "particles_internal.h"

static const char *const algo_names[] = {"gd", "sgd", "langevin", "entropy-sgd", "hj",
                                         "hj-fixed-point", "elastic-sgd", "pde-gd"};
#define N_ALGOS (sizeof algo_names / sizeof algo_names[0])

const char *dr_particles_algo_name(dr_particles_algo a)
{
    return (unsigned)a < N_ALGOS ? algo_names[a] : "?";
}

int dr_particles_algo_parse(const char *name, dr_particles_algo *a)
{
    DR_CHECK_PTRS(name, a);
    for (size_t i = 0; i < N_ALGOS; i++)
        if (!strcmp(name, algo_names[i])) {
            *a = (dr_particles_algo)i;
            return DR_SUCCESS;
        }
    return dr_error(DR_ENOTFOUND, "unknown algorithm '%s' (gd, sgd, langevin, entropy-sgd, hj, "
                    "hj-fixed-point, elastic-sgd, pde-gd)", name ? name : "(null)");
}

void dr_particles_options_default(dr_particles_options *o)
{
    memset(o, 0, sizeof *o);
    o->algo = DR_PARTICLES_ENTROPY_SGD;
    o->steps = 200;
    o->L = 20;
    o->eta = 0.05;
    o->eta_inner = 0.005;
    o->gamma = 0.2;
    o->beta = 1.0;
    o->alpha = 0.75;
    o->replicas = 4;
    o->rho = 1.0;
    o->seed = 1;
}

double dr_particles_gamma(const dr_particles_options *o, size_t k)
{
    if (o->g0 > 0) return 1.0 / (o->g0 * pow(1.0 + o->g1, (double)k));
    return o->gamma;
}

static uint64_t splitmix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

gsl_rng *particles_rng(unsigned long seed, unsigned long stream)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) return NULL;
    uint64_t s = splitmix(splitmix((uint64_t)seed) ^ (uint64_t)stream);
    /* mt19937 takes 32 bits of seed; 0 would silently mean its default seed 4357 */
    unsigned long s32 = (unsigned long)(s & 0xffffffffUL);
    gsl_rng_set(r, s32 ? s32 : 1);
    return r;
}

static int check_options(const dr_particles_options *o, int dim)
{
    if ((unsigned)o->algo >= N_ALGOS)
        return dr_error(DR_EINVAL, "particles: unknown algorithm code %d", (int)o->algo);
    if (o->steps < 1 || o->steps > 100000000)
        return dr_error(DR_EINVAL, "particles: steps must be in [1, 1e8] (got %zu)", o->steps);
    if (!(o->eta > 0) || !isfinite(o->eta))
        return dr_error(DR_EINVAL, "particles: eta must be positive and finite (got %g)", o->eta);
    if (!(o->beta > 0))
        return dr_error(DR_EINVAL, "particles: beta must be positive or inf (got %g)", o->beta);
    if (!(o->sigma >= 0) || !isfinite(o->sigma))
        return dr_error(DR_EINVAL, "particles: sigma must be >= 0 and finite (got %g)", o->sigma);
    if (!(o->momentum >= 0 && o->momentum < 1))
        return dr_error(DR_EINVAL, "particles: momentum must lie in [0, 1) (got %g)", o->momentum);
    if (o->g0 > 0) {
        if (!isfinite(o->g0) || !(o->g1 >= 0) || !isfinite(o->g1))
            return dr_error(DR_EINVAL, "particles: scoping needs g0 > 0 and g1 >= 0, finite "
                            "(got g0 = %g, g1 = %g)", o->g0, o->g1);
    } else if (o->g0 < 0 || isnan(o->g0)) {
        return dr_error(DR_EINVAL, "particles: g0 must be positive (or 0 for no scoping; got %g)",
                        o->g0);
    } else if (!(o->gamma > 0) || !isfinite(o->gamma)) {
        return dr_error(DR_EINVAL, "particles: gamma must be positive and finite (got %g)",
                        o->gamma);
    }
    int inner = o->algo == DR_PARTICLES_ENTROPY_SGD || o->algo == DR_PARTICLES_HJ ||
                o->algo == DR_PARTICLES_HJ_FIXED_POINT;
    if (inner || o->algo == DR_PARTICLES_PDE_GD) {
        if (inner && (o->L < 1 || o->L > 100000000))
            return dr_error(DR_EINVAL, "particles: L must be in [1, 1e8] (got %zu)", o->L);
        if (!(o->eta_inner > 0) || !isfinite(o->eta_inner))
            return dr_error(DR_EINVAL, "particles: eta' (inner step) must be positive and finite "
                            "(got %g)", o->eta_inner);
        if (!(o->alpha == DR_PARTICLES_ALPHA_UNIFORM || (o->alpha >= 0 && o->alpha < 1)))
            return dr_error(DR_EINVAL, "particles: alpha must lie in [0, 1) or be 'uniform' "
                            "(got %g)", o->alpha);
    }
    if (o->algo == DR_PARTICLES_SGD && !(o->sigma > 0))
        return dr_error(DR_EINVAL, "particles: sgd needs a gradient-noise scale sigma > 0 "
                        "(with sigma = 0 it is gd)");
    if ((o->algo == DR_PARTICLES_LANGEVIN) && isinf(o->beta))
        return dr_error(DR_EINVAL, "particles: langevin needs a finite beta (beta = inf is gd)");
    if (o->algo == DR_PARTICLES_ELASTIC_SGD) {
        if (o->replicas < 1 || o->replicas > 100000)
            return dr_error(DR_EINVAL, "particles: replicas must be in [1, 100000] (got %zu)",
                            o->replicas);
        if (!(o->rho >= 0) || !isfinite(o->rho) || !(o->rho_growth >= 0) ||
            !isfinite(o->rho_growth))
            return dr_error(DR_EINVAL, "particles: rho and its growth must be >= 0 and finite "
                            "(got %g, %g)", o->rho, o->rho_growth);
    }
    if (o->algo == DR_PARTICLES_PDE_GD && o->have_pde_box)
        for (int a = 0; a < dim; a++)
            if (!(o->pde_lo[a] < o->pde_hi[a]) || !isfinite(o->pde_lo[a]) ||
                !isfinite(o->pde_hi[a]))
                return dr_error(DR_EINVAL, "particles: the pde-gd box is empty or not finite "
                                "on axis %d", a);
    return DR_SUCCESS;
}

int dr_particles_alloc(dr_particles **out, const dr_landscape *f, const dr_particles_options *opt)
{
    DR_CHECK_PTRS(out, f);
    *out = NULL;
    if (!f) return dr_error(DR_EINVAL, "particles: no landscape");
    int dim = dr_landscape_dim(f);
    int status = check_options(opt, dim);
    if (status) return status;
    dr_particles *p = calloc(1, sizeof *p);
    if (!p) return dr_error(DR_ENOMEM, "out of memory");
    p->f = f;
    p->dim = dim;
    p->o = *opt;
    if (opt->algo == DR_PARTICLES_PDE_GD) {
        double gmin = dr_particles_gamma(opt, 0), gmax = gmin;
        if (opt->g0 > 0) gmin = dr_particles_gamma(opt, opt->steps - 1); /* gamma_k decreases */
        status = particles_pde_alloc(&p->pde, f, &p->o, gmin, gmax);
        if (status) {
            free(p);
            return status;
        }
    }
    *out = p;
    return DR_SUCCESS;
}

void dr_particles_free(dr_particles *p)
{
    if (!p) return;
    particles_pde_free(p->pde);
    free(p);
}

const dr_particles_options *dr_particles_get_options(const dr_particles *p) { return &p->o; }

/* grad f(x) plus the optional gradient noise. */
static void noisy_grad(const dr_particles *p, gsl_rng *r, const double *x, double *g)
{
    dr_landscape_value_grad(p->f, x, g);
    if (p->o.sigma > 0)
        for (int a = 0; a < p->dim; a++) g[a] += p->o.sigma * gsl_ran_gaussian_ziggurat(r, 1.0);
}

/* Nesterov's update in the form of PyTorch: v <- m v + g; step along g + m v. With m = 0 it is
 * plain gradient descent. */
static void nesterov(double *x, double *v, const double *g, int dim, double step, double m)
{
    for (int a = 0; a < dim; a++) {
        v[a] = m * v[a] + g[a];
        x[a] -= step * (g[a] + m * v[a]);
    }
}

/* Inner loop at x: Langevin (noise when `thermal` and beta finite) on f(y) + |y-x|^2/(2 gamma)
 * from y = x; mu is the alpha- or uniform average of y_1..y_L. */
static void inner_loop(const dr_particles *p, gsl_rng *r, const double *x, double gamma, size_t L,
                       double alpha, int thermal, double *mu, double *trace)
{
    const dr_particles_options *o = &p->o;
    int dim = p->dim;
    double y[2], v[2] = {0, 0}, g[2];
    double noise = thermal && isfinite(o->beta) ? sqrt(2.0 * o->eta_inner / o->beta) : 0.0;
    for (int a = 0; a < dim; a++) y[a] = mu[a] = x[a];
    for (size_t l = 1; l <= L; l++) {
        noisy_grad(p, r, y, g);
        for (int a = 0; a < dim; a++) g[a] += (y[a] - x[a]) / gamma;
        nesterov(y, v, g, dim, o->eta_inner, o->momentum);
        if (noise > 0)
            for (int a = 0; a < dim; a++) y[a] += noise * gsl_ran_gaussian_ziggurat(r, 1.0);
        /* uniform: the running mean of y_1..y_l (the start x is not a sample) */
        double w = alpha == DR_PARTICLES_ALPHA_UNIFORM ? 1.0 - 1.0 / (double)l : alpha;
        for (int a = 0; a < dim; a++) mu[a] = w * mu[a] + (1.0 - w) * y[a];
        if (trace)
            for (int a = 0; a < dim; a++) trace[(l - 1) * (size_t)dim + (size_t)a] = y[a];
    }
}

int dr_particles_inner_estimate(const dr_particles *p, const double *x, double gamma, size_t L,
                                unsigned long stream, double *mu, double *trace)
{
    DR_CHECK_PTRS(p, x, mu);
    if (!(gamma > 0) || !isfinite(gamma) || L < 1)
        return dr_error(DR_EINVAL, "particles: the inner loop needs gamma > 0 and L >= 1 "
                        "(got %g, %zu)", gamma, L);
    gsl_rng *r = particles_rng(p->o.seed, stream);
    if (!r) return dr_error(DR_ENOMEM, "out of memory");
    inner_loop(p, r, x, gamma, L, p->o.alpha, 1, mu, trace);
    gsl_rng_free(r);
    return DR_SUCCESS;
}

/* One particle: `path` gets steps + 1 points. */
static int run_one(dr_particles *p, gsl_rng *r, const double *x0, double *path, double *fpath,
                   double *replicas)
{
    const dr_particles_options *o = &p->o;
    int dim = p->dim;
    double x[2], v[2] = {0, 0}, g[2], mu[2];
    size_t R = o->replicas;
    for (int a = 0; a < dim; a++) x[a] = x0[a];
    if (o->algo == DR_PARTICLES_ELASTIC_SGD) {
        /* replicas start together at x0 and their velocities after them */
        for (size_t k = 0; k < R; k++)
            for (int a = 0; a < dim; a++) {
                replicas[k * 4 + (size_t)a] = x[a];
                replicas[k * 4 + 2 + (size_t)a] = 0;
            }
    }
    for (size_t s = 0;; s++) {
        for (int a = 0; a < dim; a++) {
            if (!isfinite(x[a]))
                return dr_error(DR_ENUMERIC, "particles: %s diverged at step %zu (x is not "
                                "finite; try a smaller step)", dr_particles_algo_name(o->algo), s);
            path[s * (size_t)dim + (size_t)a] = x[a];
        }
        fpath[s] = dr_landscape_value(p->f, x);
        if (!isfinite(fpath[s]))
            return dr_error(DR_ENUMERIC, "particles: %s diverged at step %zu (f is not finite "
                            "there; try a smaller step)", dr_particles_algo_name(o->algo), s);
        if (s == o->steps) break;
        double gamma = dr_particles_gamma(o, s);
        switch (o->algo) {
        case DR_PARTICLES_GD:
        case DR_PARTICLES_SGD:
            noisy_grad(p, r, x, g);
            nesterov(x, v, g, dim, o->eta, o->momentum);
            break;
        case DR_PARTICLES_LANGEVIN: {
            double noise = sqrt(2.0 * o->eta / o->beta);
            noisy_grad(p, r, x, g);
            nesterov(x, v, g, dim, o->eta, o->momentum);
            for (int a = 0; a < dim; a++) x[a] += noise * gsl_ran_gaussian_ziggurat(r, 1.0);
            break;
        }
        case DR_PARTICLES_ENTROPY_SGD:
        case DR_PARTICLES_HJ:
            inner_loop(p, r, x, gamma, o->L, o->alpha, o->algo == DR_PARTICLES_ENTROPY_SGD, mu,
                       NULL);
            for (int a = 0; a < dim; a++) g[a] = (x[a] - mu[a]) / gamma;
            nesterov(x, v, g, dim, o->eta, o->momentum);
            break;
        case DR_PARTICLES_HJ_FIXED_POINT: {
            /* p = grad u(x, gamma) solves p = grad f(x - gamma p) (x - gamma p is the proximal
             * point); damped iteration from p = 0 */
            double pv[2] = {0, 0}, z[2];
            for (size_t l = 0; l < o->L; l++) {
                for (int a = 0; a < dim; a++) z[a] = x[a] - gamma * pv[a];
                noisy_grad(p, r, z, g);
                for (int a = 0; a < dim; a++) pv[a] = 0.75 * pv[a] + 0.25 * g[a];
            }
            nesterov(x, v, pv, dim, o->eta, o->momentum);
            break;
        }
        case DR_PARTICLES_ELASTIC_SGD: {
            double rho = o->rho * pow(1.0 + o->rho_growth, (double)s);
            double noise = isfinite(o->beta) ? sqrt(2.0 * o->eta / o->beta) : 0.0;
            double mean[2] = {0, 0};
            for (size_t k = 0; k < R; k++) {
                double *y = replicas + k * 4, *vy = y + 2;
                noisy_grad(p, r, y, g);
                for (int a = 0; a < dim; a++) g[a] += rho * (y[a] - x[a]);
                nesterov(y, vy, g, dim, o->eta, o->momentum);
                for (int a = 0; a < dim; a++) {
                    if (noise > 0) y[a] += noise * gsl_ran_gaussian_ziggurat(r, 1.0);
                    mean[a] += y[a] / (double)R;
                }
            }
            for (int a = 0; a < dim; a++) x[a] = mean[a];
            break;
        }
        case DR_PARTICLES_PDE_GD: {
            int status = particles_pde_grad(p->pde, gamma, x, g);
            if (status) return status;
            nesterov(x, v, g, dim, o->eta, o->momentum);
            break;
        }
        }
    }
    return DR_SUCCESS;
}

int dr_particles_run(dr_particles *p, size_t K, const double *x0, double *path, double *fpath)
{
    DR_CHECK_PTRS(p, x0);
    if (K < 1) return dr_error(DR_EINVAL, "particles: need at least one particle");
    for (size_t k = 0; k < K * (size_t)p->dim; k++)
        if (!isfinite(x0[k]))
            return dr_error(DR_EINVAL, "particles: start point %zu is not finite", k / (size_t)p->dim);
    size_t n = p->o.steps + 1, dim = (size_t)p->dim;
    double *own_path = NULL, *own_f = malloc(n * sizeof *own_f);
    double *replicas = malloc(4 * (p->o.replicas ? p->o.replicas : 1) * sizeof *replicas);
    if (!path) own_path = malloc(n * dim * sizeof *own_path);
    if (!own_f || !replicas || (!path && !own_path)) {
        free(own_path); free(own_f); free(replicas);
        return dr_error(DR_ENOMEM, "out of memory");
    }
    int status = DR_SUCCESS;
    for (size_t k = 0; k < K && !status; k++) {
        gsl_rng *r = particles_rng(p->o.seed, k);
        if (!r) {
            status = dr_error(DR_ENOMEM, "out of memory");
            break;
        }
        double *pk = path ? path + k * n * dim : own_path;
        double *fk = fpath ? fpath + k * n : own_f;
        status = run_one(p, r, x0 + k * dim, pk, fk, replicas);
        gsl_rng_free(r);
    }
    free(own_path); free(own_f); free(replicas);
    return status;
}
