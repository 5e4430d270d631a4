/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Training throughput of the paper's mnistfc network (samples per second at batch 128, SGD with
 * Nesterov momentum) side by side with PyTorch on the CPU with the same threads and the same
 * OpenBLAS build (bench/peer_torch.py), and as a fraction of the machine's measured SGEMM rate
 * on the layer shape, the practical limit of a dense network; at every thread count the wall
 * seconds of an MNIST-sized epoch (60000 training + 10000 test examples); at the largest count
 * the OpenMP wait policies side by side (passive, the CLI's choice, against libgomp's spinning
 * default), with CPU seconds per 1000 samples to show what spinning costs. All times are wall
 * clock; everything runs on synthetic MNIST-shaped data (the speed does not depend on pixels). */
#define _GNU_SOURCE /* dladdr */
#include <cblas.h>
#include <dlfcn.h>
#include <libgen.h>
#include <math.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deeprelax/deeprelax.h"

#define BENCH_NAME "bench_train"
#include "bench_common.h"

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

/* C(M x N) = A(M x K) B^T, timed `reps` times per run. */
typedef struct {
    int M, N, K, reps;
    float *A, *B, *C;
} sgemm_case;

static int sgemm_init(sgemm_case *s, int M, int N, int K, int reps)
{
    *s = (sgemm_case){M, N, K, reps, malloc(sizeof(float) * (size_t)M * K),
                      malloc(sizeof(float) * (size_t)N * K), malloc(sizeof(float) * (size_t)M * N)};
    if (!s->A || !s->B || !s->C) return 1;
    for (size_t i = 0; i < (size_t)M * K; i++) s->A[i] = (float)(i % 13) * 0.01f;
    for (size_t i = 0; i < (size_t)N * K; i++) s->B[i] = (float)(i % 7) * 0.01f;
    return 0;
}

static void sgemm_free(sgemm_case *s)
{
    free(s->A); free(s->B); free(s->C);
}

/* GFLOP/s of one run. */
static double sgemm_once(const sgemm_case *s)
{
    double t = now();
    for (int k = 0; k < s->reps; k++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s->M, s->N, s->K, 1.0f, s->A, s->K,
                    s->B, s->K, 0.0f, s->C, s->N);
    t = now() - t;
    return 2.0 * s->M * s->N * s->K * s->reps / t / 1e9;
}

/* Best GFLOP/s of 3 runs of `reps` (0 where the matrices cannot be had). */
static double sgemm_rate(int M, int N, int K, int reps)
{
    sgemm_case s;
    double best = 0;
    if (sgemm_init(&s, M, N, K, reps) == 0)
        for (int r = 0; r < 3; r++) best = fmax(best, sgemm_once(&s));
    sgemm_free(&s);
    return best;
}

static double peer_rate(int threads, char *blas, size_t blas_size);

static double cpu_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + 1e-6 * (double)u.ru_utime.tv_usec +
           (double)u.ru_stime.tv_sec + 1e-6 * (double)u.ru_stime.tv_usec;
}

/* n synthetic MNIST-shaped examples. */
static int synthetic(dr_dataset *d, size_t n, uint64_t seed)
{
    *d = (dr_dataset){.n = n, .rows = 28, .cols = 28, .dim = 784, .n_classes = 10};
    d->x = malloc(n * 784 * sizeof(float));
    d->y = malloc(n);
    if (!d->x || !d->y) return 1;
    dr_nn_rng r;
    dr_nn_rng_seed(&r, seed);
    for (size_t i = 0; i < n * 784; i++) d->x[i] = (float)dr_nn_rng_uniform(&r);
    for (size_t i = 0; i < n; i++) d->y[i] = (unsigned char)(i % 10);
    return 0;
}

/* The trainer's samples/s (best of ROUNDS epochs after a warm-up) and CPU seconds per 1000
 * samples. With `gemm`, one run of it after each epoch, round robin, its best rate into
 * *gemm_best: the ratio of the two then compares runs that saw the same load on a shared
 * machine (apart, a 0.1 s SGEMM run caught a quiet moment that 2 s epochs did not). */
#define ROUNDS 3
static double trainer_rate(dr_mlp *m, float *w, const dr_dataset *d, double *cpu_per_k,
                           const sgemm_case *gemm, double *gemm_best)
{
    dr_optim_params p;
    dr_optim_defaults(&p, DR_OPTIM_SGD);
    dr_trainer *tr;
    if (dr_trainer_alloc(&tr, m, w, d, NULL, &p, 128, 1) != DR_SUCCESS) return NAN;
    dr_epoch_stats s;
    dr_train_epoch(tr, 0.01, NULL, NULL, &s); /* warm-up */
    double best = 1e30, cpu = 0.0;
    for (int e = 0; e < ROUNDS; e++) {
        double c0 = cpu_seconds();
        dr_train_epoch(tr, 0.01, NULL, NULL, &s);
        cpu += cpu_seconds() - c0;
        if (s.seconds < best) best = s.seconds;
        if (gemm) *gemm_best = fmax(*gemm_best, sgemm_once(gemm));
    }
    *cpu_per_k = cpu / (ROUNDS * (double)d->n) * 1000.0;
    dr_trainer_free(tr);
    return (double)d->n / best;
}

/* Wall seconds of one epoch the size of MNIST's: 60000 training examples, then the 10000-example
 * test pass (eval mode), as `deeprelax train` runs it; *test_s, the test pass alone, timed again
 * after the epoch (the rest is the 469 training steps). */
static double mnist_epoch(dr_mlp *m, float *w, double *test_s)
{
    dr_dataset tr = {0}, te = {0};
    double sec = NAN;
    *test_s = NAN;
    if (synthetic(&tr, 60000, 2) == 0 && synthetic(&te, 10000, 3) == 0) {
        dr_optim_params p;
        dr_optim_defaults(&p, DR_OPTIM_SGD);
        dr_trainer *t;
        dr_epoch_stats s;
        double loss, err;
        if (dr_trainer_alloc(&t, m, w, &tr, &te, &p, 128, 1) == DR_SUCCESS &&
            dr_train_epoch(t, 0.01, NULL, NULL, &s) == DR_SUCCESS) {
            sec = s.seconds;
            double t0 = now();
            if (dr_mlp_evaluate(m, w, &te, 0, DR_MLP_EVAL, &loss, &err) == DR_SUCCESS)
                *test_s = now() - t0;
        }
        dr_trainer_free(t);
    }
    free(tr.x); free(tr.y); free(te.x); free(te.y);
    return sec;
}

/* Throughput at `threads` threads: ours, SGEMM, PyTorch. With `quick` (the wait-policy child)
 * only the trainer's rate, printed as one parseable line. */
static int run(int threads, int quick)
{
    dr_nn_set_threads(threads);
    const int B = 128, steps = 150;
    dr_mlp_config c;
    dr_mlp_preset(&c, "mnistfc");
    dr_mlp *m;
    if (dr_mlp_alloc(&m, &c, 1000) != DR_SUCCESS) return 1;
    size_t n = dr_mlp_n_params(m);
    dr_dataset d;
    float *w = malloc(n * sizeof *w), *g = malloc(n * sizeof *g);
    if (synthetic(&d, (size_t)B * steps, 1) || !w || !g) return 1;
    dr_mlp_init(m, w, 1);
    double cpu_k, ours;
    if (quick) {
        ours = trainer_rate(m, w, &d, &cpu_k, NULL, NULL);
        printf("rate %.1f cpu_per_k %.4f\n", ours, cpu_k);
        goto done;
    }
    printf("-- %d thread(s)\n", threads);
    /* forward + backward alone */
    for (int k = 0; k < 5; k++)
        dr_mlp_loss_grad(m, w, d.x, d.y, B, DR_MLP_TRAIN, k, NULL, NULL, g);
    double t = now();
    for (int k = 0; k < steps; k++)
        dr_mlp_loss_grad(m, w, d.x + (size_t)k * B * 784, d.y + (size_t)k * B, B, DR_MLP_TRAIN, k,
                         NULL, NULL, g);
    double fb = (now() - t) / steps;
    /* whole trainer epochs: minibatch gathering, forward, backward, optimiser */
    sgemm_case layer;
    double gemm = 0.0;
    int have_layer = sgemm_init(&layer, B, 1024, 1024, 50) == 0;
    if (have_layer) sgemm_once(&layer); /* warm-up */
    ours = trainer_rate(m, w, &d, &cpu_k, have_layer ? &layer : NULL, &gemm);
    sgemm_free(&layer);
    /* the network's flops per step: forward 2B sum(in*out), backward 2x that except dX of the
     * first layer */
    double macs = 784.0 * 1024 + 1024.0 * 1024 + 1024.0 * 10;
    double flops = 2.0 * B * (3 * macs - 784.0 * 1024);
    double gemm_big = sgemm_rate(1024, 1024, 1024, 5);
    double achieved = flops * ours / B / 1e9;
    printf("SGEMM: %.1f GFLOP/s at 128x1024x1024 (the layer shape; best of %d runs, one after "
           "each timed epoch), %.1f at 1024^3\n", gemm, ROUNDS, gemm_big);
    printf("mnistfc forward+backward: %.2f ms per batch of %d (%.0f samples/s)\n", 1e3 * fb, B,
           B / fb);
    printf("mnistfc SGD training:     %.0f samples/s = %.1f GFLOP/s = %.0f%% of SGEMM at the layer "
           "shape; %.3f CPU s per 1000 samples\n", ours, achieved, 100 * achieved / gemm, cpu_k);
    double test_s, epoch = mnist_epoch(m, w, &test_s);
    printf("MNIST-sized epoch:        %.2f s wall (60000 training steps' worth + 10000 test); the "
           "test pass alone %.2f s, so training ran at %.0f samples/s\n", epoch, test_s,
           (double)((60000 + 127) / 128 * 128) / (epoch - test_s)); /* 469 full batches */
    fflush(stdout);
    char blas[512];
    double peer = peer_rate(threads, blas, sizeof blas);
    /* the machine's load drifts: ours again right after the peer, the better of the two */
    double again = trainer_rate(m, w, &d, &cpu_k, NULL, NULL);
    if (again > ours) ours = again;
    if (isnan(peer))
        printf("PyTorch peer: unavailable (install python3-torch: scripts/install-deps.sh bench)\n");
    else
        printf("PyTorch:                  %.0f samples/s (BLAS %s);  deeprelax (best of before "
               "and after: %.0f) / PyTorch = %.2f\n", peer, blas, ours, ours / peer);
done:
    free(w); free(g); free(d.x); free(d.y);
    dr_mlp_free(m);
    return 0;
}

/* The trainer's rate at `threads` in a child process whose libgomp starts with `policy` in its
 * environment (libgomp reads it only when it is loaded). */
static int policy_rate(const char *self, int threads, const char *policy, double *rate,
                       double *cpu_k)
{
    char cmd[4400], line[256];
    snprintf(cmd, sizeof cmd, "env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT %s '%s' --child %d",
             policy, self, threads);
    FILE *p = popen(cmd, "r");
    *rate = *cpu_k = NAN;
    if (!p) return 1;
    while (fgets(line, sizeof line, p))
        sscanf(line, "rate %lf cpu_per_k %lf", rate, cpu_k);
    return pclose(p) != 0 || isnan(*rate);
}

static void compare_policies(const char *self, int threads)
{
    static const char *const policies[2] = {"OMP_WAIT_POLICY=passive", "GOMP_SPINCOUNT=300000"};
    double rate[2], cpu[2];
    printf("-- OpenMP wait policy at %d threads (trainer samples/s, CPU s per 1000 samples)\n",
           threads);
    for (int k = 0; k < 2; k++) {
        if (policy_rate(self, threads, policies[k], &rate[k], &cpu[k])) {
            printf("%s: child failed\n", policies[k]);
            return;
        }
        printf("%-40s %7.0f samples/s  %.3f CPU s/1000\n",
               k ? "spinning (libgomp default, 300k spins)" : "passive (the CLI's default)",
               rate[k], cpu[k]);
    }
    printf("passive / spinning: %.2fx the rate, %.2fx the CPU time\n", rate[0] / rate[1],
           cpu[0] / cpu[1]);
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

static double peer_rate(int threads, char *blas, size_t blas_size)
{
    const char *py = getenv("PY");
    char cmd[1280], dir[512];
    blas_dir(dir, sizeof dir);
    snprintf(blas, blas_size, "?");
    snprintf(cmd, sizeof cmd,
             "DEEPRELAX_BLAS_DIR='%s' %s bench/peer_torch.py --threads %d --steps 200 --json "
             "2>/dev/null", dir, py && *py ? py : "/usr/bin/python3", threads);
    FILE *p = popen(cmd, "r");
    if (!p) return NAN;
    char line[2048];
    double rate = NAN;
    while (fgets(line, sizeof line, p)) {
        char *s = strstr(line, "\"samples_per_second\":");
        if (s) rate = atof(s + strlen("\"samples_per_second\":"));
        if ((s = strstr(line, "\"blas\": \""))) {
            s += strlen("\"blas\": \"");
            size_t len = strcspn(s, "\"");
            snprintf(blas, blas_size, "%.*s", (int)len, s);
        }
    }
    pclose(p);
    return rate;
}

int main(int argc, char **argv)
{
    const char *suggest;
    dr_nn_blas_core(&suggest);
    int restart = 0;
    if (suggest && !getenv("OPENBLAS_CORETYPE")) { /* see dr_nn_blas_core */
        setenv("OPENBLAS_CORETYPE", suggest, 1);
        restart = 1;
    }
    if (!getenv("OMP_WAIT_POLICY") && !getenv("GOMP_SPINCOUNT")) { /* as the CLI does */
        setenv("OMP_WAIT_POLICY", "passive", 1);
        restart = 1;
    }
    if (restart)
        execv("/proc/self/exe", argv);
    if (argc == 3 && !strcmp(argv[1], "--child"))
        return run(atoi(argv[2]), 1);
    steal_share();
    dr_nn_set_threads(0);
    int all = dr_nn_get_threads();
    const char *ignored;
    printf("BLAS: OpenBLAS %s build, %s kernels (OPENBLAS_CORETYPE=%s), %d core(s); "
           "OMP_WAIT_POLICY=%s; load average ", blas_build(), dr_nn_blas_core(&ignored),
           getenv("OPENBLAS_CORETYPE") ? getenv("OPENBLAS_CORETYPE") : "unset", all,
           getenv("OMP_WAIT_POLICY") ? getenv("OMP_WAIT_POLICY") : "unset");
    FILE *la = fopen("/proc/loadavg", "r");
    char load[64] = "?\n";
    if (la && !fgets(load, sizeof load, la)) strcpy(load, "?\n");
    if (la) fclose(la);
    fputs(load, stdout);
    /* one thread first: it is the fair comparison on a machine that is busy with other work */
    int counts[2] = {1, all};
    for (int c = 0; c < (all > 1 ? 2 : 1); c++)
        if (run(counts[c], 0) != 0)
            return 1;
    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len > 0) {
        self[len] = '\0';
        compare_policies(self, all);
    }
    steal_line();
    return 0;
}
