/* Training throughput of the paper's mnistfc network (samples per second at batch 128, SGD with
 * Nesterov momentum) side by side with PyTorch on the CPU with the same threads
 * (bench/peer_torch.py), and as a fraction of the machine's measured SGEMM rate on the same
 * matrix shapes, the practical limit of a dense network. */
#define _GNU_SOURCE /* dladdr */
#include <cblas.h>
#include <dlfcn.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deeprelax/deeprelax.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Which OpenBLAS build the process loaded (Debian's alternatives choose it). */
static const char *blas_build(void)
{
    static char which[32] = "unknown";
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        if (strstr(line, "openblas-openmp")) { strcpy(which, "openmp"); break; }
        if (strstr(line, "openblas-pthread")) { strcpy(which, "pthread"); break; }
    }
    if (f) fclose(f);
    return which;
}

/* SGEMM GFLOP/s of C(M x N) = A(M x K) B^T, best of 3 runs of `reps`. */
static double sgemm_rate(int M, int N, int K, int reps)
{
    float *A = malloc(sizeof(float) * (size_t)M * K), *B = malloc(sizeof(float) * (size_t)N * K),
          *C = malloc(sizeof(float) * (size_t)M * N);
    for (size_t i = 0; i < (size_t)M * K; i++) A[i] = (float)(i % 13) * 0.01f;
    for (size_t i = 0; i < (size_t)N * K; i++) B[i] = (float)(i % 7) * 0.01f;
    double best = 0;
    for (int r = 0; r < 3; r++) {
        double t = now();
        for (int k = 0; k < reps; k++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, A, K, B, K, 0.0f,
                        C, N);
        t = now() - t;
        double rate = 2.0 * M * N * K * reps / t / 1e9;
        if (rate > best) best = rate;
    }
    free(A); free(B); free(C);
    return best;
}

static double peer_rate(int threads);

/* Throughput at `threads` BLAS threads: ours, SGEMM, PyTorch. */
static int run(int threads)
{
    dr_nn_set_threads(threads);
    printf("-- %d thread(s)\n", threads);
    const int B = 128, steps = 150;
    dr_mlp_config c;
    dr_mlp_preset(&c, "mnistfc");
    dr_mlp *m;
    if (dr_mlp_alloc(&m, &c, 1000) != DR_SUCCESS) return 1;
    size_t n = dr_mlp_n_params(m);
    /* synthetic MNIST-shaped data: the speed does not depend on the pixels */
    dr_dataset d = {.n = (size_t)B * steps, .rows = 28, .cols = 28, .dim = 784, .n_classes = 10};
    d.x = malloc(d.n * 784 * sizeof(float));
    d.y = malloc(d.n);
    dr_nn_rng r;
    dr_nn_rng_seed(&r, 1);
    for (size_t i = 0; i < d.n * 784; i++) d.x[i] = (float)dr_nn_rng_uniform(&r);
    for (size_t i = 0; i < d.n; i++) d.y[i] = (unsigned char)(i % 10);
    float *w = malloc(n * sizeof *w), *g = malloc(n * sizeof *g);
    dr_mlp_init(m, w, 1);

    /* forward + backward alone */
    for (int k = 0; k < 5; k++)
        dr_mlp_loss_grad(m, w, d.x, d.y, B, DR_MLP_TRAIN, k, NULL, NULL, g);
    double t = now();
    for (int k = 0; k < steps; k++)
        dr_mlp_loss_grad(m, w, d.x + (size_t)k * B * 784, d.y + (size_t)k * B, B, DR_MLP_TRAIN, k,
                         NULL, NULL, g);
    double fb = (now() - t) / steps;

    /* whole trainer epochs: minibatch gathering, forward, backward, optimiser */
    dr_optim_params p;
    dr_optim_defaults(&p, DR_OPTIM_SGD);
    dr_trainer *tr;
    if (dr_trainer_alloc(&tr, m, w, &d, NULL, &p, B, 1) != DR_SUCCESS) return 1;
    dr_epoch_stats s;
    dr_train_epoch(tr, 0.01, NULL, NULL, &s); /* warm-up */
    double best = 1e30;
    for (int e = 0; e < 2; e++) {
        dr_train_epoch(tr, 0.01, NULL, NULL, &s);
        if (s.seconds < best) best = s.seconds;
    }
    double ours = (double)d.n / best;

    /* the network's flops per step: forward 2B sum(in*out), backward 2x that except dX of the
     * first layer */
    double macs = 784.0 * 1024 + 1024.0 * 1024 + 1024.0 * 10;
    double flops = 2.0 * B * (3 * macs - 784.0 * 1024);
    double gemm = sgemm_rate(B, 1024, 1024, 50), gemm_big = sgemm_rate(1024, 1024, 1024, 5);
    double achieved = flops * ours / B / 1e9;
    printf("SGEMM: %.1f GFLOP/s at 128x1024x1024 (the layer shape), %.1f at 1024^3\n", gemm,
           gemm_big);
    printf("mnistfc forward+backward: %.2f ms per batch of %d (%.0f samples/s)\n", 1e3 * fb, B,
           B / fb);
    printf("mnistfc SGD training:     %.0f samples/s = %.1f GFLOP/s = %.0f%% of SGEMM at the layer "
           "shape\n", ours, achieved, 100 * achieved / gemm);
    fflush(stdout);
    double peer = peer_rate(threads);
    if (isnan(peer))
        printf("PyTorch peer: unavailable (install python3-torch: scripts/install-deps.sh bench)\n");
    else
        printf("PyTorch:                  %.0f samples/s;  deeprelax / PyTorch = %.2f\n", peer,
               ours / peer);
    dr_trainer_free(tr);
    free(w); free(g); free(d.x); free(d.y);
    dr_mlp_free(m);
    return 0;
}

/* The directory of the OpenBLAS this binary runs on, so that the peer loads the same one (its
 * libblas.so.3 would otherwise follow the system's alternative, possibly another build). */
static void blas_dir(char *buf, size_t size)
{
    Dl_info info;
    buf[0] = '\0';
    if (dladdr((void *)cblas_sgemm, &info) && info.dli_fname) {
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%s", info.dli_fname);
        snprintf(buf, size, "%s", dirname(tmp));
    }
}

static double peer_rate(int threads)
{
    const char *py = getenv("PY");
    char cmd[1280], dir[512];
    blas_dir(dir, sizeof dir);
    snprintf(cmd, sizeof cmd,
             "LD_LIBRARY_PATH='%s' %s bench/peer_torch.py --threads %d --steps 200 --json "
             "2>/dev/null", dir, py && *py ? py : "/usr/bin/python3", threads);
    FILE *p = popen(cmd, "r");
    if (!p) return NAN;
    char line[1024];
    double rate = NAN;
    while (fgets(line, sizeof line, p)) {
        char *s = strstr(line, "\"samples_per_second\":");
        if (s) rate = atof(s + strlen("\"samples_per_second\":"));
    }
    pclose(p);
    return rate;
}

static int run(int threads);

int main(int argc, char **argv)
{
    (void)argc;
    const char *suggest;
    dr_nn_blas_core(&suggest);
    if (suggest && !getenv("OPENBLAS_CORETYPE")) { /* see dr_nn_blas_core */
        setenv("OPENBLAS_CORETYPE", suggest, 1);
        execv("/proc/self/exe", argv);
    }
    dr_nn_set_threads(0);
    int all = dr_nn_get_threads();
    const char *ignored;
    printf("BLAS: OpenBLAS %s build, %s kernels (OPENBLAS_CORETYPE=%s), %d core(s)\n",
           blas_build(), dr_nn_blas_core(&ignored),
           getenv("OPENBLAS_CORETYPE") ? getenv("OPENBLAS_CORETYPE") : "unset", all);
    /* one thread first: it is the fair comparison on a machine that is busy with other work */
    int counts[2] = {1, all};
    for (int c = 0; c < (all > 1 ? 2 : 1); c++)
        if (run(counts[c]) != 0)
            return 1;
    return 0;
}
