/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `deeprelax train --optim elastic-sgd|parle`: K coupled replicas, either all in this process
 * (--replicas K) or one per MPI rank (mpirun -np K), through the same dr_replicas code, so the
 * two give the same numbers. Under MPI rank 0 evaluates, logs and saves the replicas' mean; every
 * failure is agreed on collectively, and the lowest failing rank prints the one error line. */
#include "train.h"
#include "../nn/replicas_mpi.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct world { int mpi, rank, size; };

/* Ends the run on every rank when any rank failed (`failed` is this rank's verdict, `fmt` its
 * message): the lowest failing rank prints the one line, all exit 1. */
static void agree_or_die(const struct world *w, int failed, const char *fmt, ...)
{
    char msg[1024] = "";
    if (failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
    }
    int who = w->mpi ? dr_mpi_agree(failed) : (failed ? 0 : -1);
    if (who < 0)
        return;
    if (who == w->rank && failed) {
        if (w->mpi)
            fprintf(stderr, "deeprelax: rank %d of %d: %s\n", w->rank, w->size, msg);
        else
            fprintf(stderr, "deeprelax: %s\n", msg);
    }
    if (w->mpi)
        dr_mpi_finalize();
    exit(EXIT_FAIL);
}

static int load(const char *given, size_t features, dr_dataset *train, dr_dataset *test)
{
    char dir[4096];
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    int status = dr_data_dir(given, dir, sizeof dir);
    if (status == DR_SUCCESS)
        status = dr_dataset_load_for(train, dir, 1, features);
    if (status == DR_SUCCESS)
        status = dr_dataset_load_for(test, dir, 0, features);
    return status;
}

/* Threads per process: all cores in one process, the node's cores shared among its ranks. */
static int threads_per_rank(long asked, const struct world *w)
{
    if (asked > 0 || !w->mpi)
        return (int)asked;
    const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    long cores = sysconf(_SC_NPROCESSORS_ONLN), per = local ? atol(local) : 1;
    long t = per > 0 && cores > 0 ? cores / per : 1;
    return t > 0 ? (int)t : 1;
}

static void print_header(const struct train_run *r, const struct world *w, size_t n_train,
                         size_t n_test, size_t n_params, int K)
{
    const char *core;
    if (r->json) {
        printf("{\"model\":\"%s\",\"optim\":\"%s\",\"parameters\":%zu,\"batch\":%ld,"
               "\"threads\":%d,\"seed\":%lu,\"replicas\":%d,\"transport\":\"%s\",\"L\":%d,"
               "\"epochs\":[", r->model, r->optim, n_params, r->batch, dr_nn_get_threads(),
               r->seed, K, w->mpi ? "mpi" : "in-process", r->p.L);
        return;
    }
    printf("# %s on %s: K = %d replicas (%s; replica a: seed %lu + a, own data order), "
           "coupled every L = %d steps; rank 0 evaluates and saves the replicas' mean\n"
           "# %zu training / %zu test examples, %zu parameters, batch %ld, %d thread(s) per "
           "process (OpenBLAS %s kernels)\n"
           "# epoch  eff.epoch  train_loss  train_err%%  test_err%%  seconds  comm_s\n",
           r->optim, r->model, K, w->mpi ? "one per MPI rank" : "in one process", r->seed,
           r->p.L, n_train, n_test, n_params, r->batch, dr_nn_get_threads(),
           dr_nn_blas_core(&core));
}

void cli_train_print_epoch(const struct train_run *r, FILE *log, long e, double lr,
                           const dr_epoch_stats *s, const double *comm)
{
    if (r->json) {
        printf("%s{\"epoch\":%ld,\"effective_epoch\":", e > 1 ? "," : "", e);
        json_number(stdout, s->effective_epoch);
        printf(",\"lr\":");
        json_number(stdout, lr);
        printf(",\"train_loss\":");
        json_number(stdout, s->train_loss);
        printf(",\"train_error\":");
        json_number(stdout, s->train_error);
        printf(",\"test_error\":");
        json_number(stdout, s->test_error);
        printf(",\"seconds\":");
        json_number(stdout, s->seconds);
        if (comm) {
            printf(",\"comm_seconds\":");
            json_number(stdout, *comm);
        }
        printf("}");
    } else {
        printf("%7ld  %9.2f  %10.5f  %9.3f  %9.3f  %7.1f", e, s->effective_epoch,
               s->train_loss, 100 * s->train_error, 100 * s->test_error, s->seconds);
        if (comm) printf("  %6.2f", *comm);
        putchar('\n');
    }
    fflush(stdout);
    if (log) {
        fprintf(log, "%ld,%.10g,%.10g,%.10g,%.10g,%.3f", e, s->effective_epoch,
                s->train_loss, s->train_error, s->test_error, s->seconds);
        if (comm) fprintf(log, ",%.4f", *comm);
        fputc('\n', log);
        fflush(log);
    }
}

int cli_train_replicas(const struct train_run *r)
{
    struct world w = {.mpi = dr_mpi_launched(), .rank = 0, .size = 1};
    if (w.mpi && dr_mpi_init(&w.rank, &w.size) != DR_SUCCESS)
        cli_die(EXIT_FAIL, "%s", dr_error_message());
    int K = w.mpi ? w.size : r->p.replicas, lead = w.rank == 0;
    agree_or_die(&w, w.mpi && r->have_replicas && r->p.replicas != w.size,
                 "--replicas %d but mpirun started %d ranks (one replica per rank)",
                 r->p.replicas, w.size);
    dr_nn_set_threads(threads_per_rank(r->threads, &w));
    dr_dataset train, test;
    dr_mlp_config shape; /* the model's input size, checked against the images' header */
    size_t features = dr_mlp_preset(&shape, r->model) == DR_SUCCESS ? shape.sizes[0] : 0;
    int status = load(r->data, features, &train, &test);
    agree_or_die(&w, status != DR_SUCCESS, "%s", dr_error_message());
    dr_dataset view = train;
    if (r->train_n > 0 && (size_t)r->train_n < train.n)
        view.n = (size_t)r->train_n;
    /* the log replaces an earlier one only when training ends (progress is on stdout) */
    dr_output *log_out = NULL;
    if (lead && r->log_path)
        status = dr_output_open(&log_out, r->log_path);
    FILE *log = log_out ? dr_output_stream(log_out) : NULL;
    agree_or_die(&w, status != DR_SUCCESS, "%s", dr_error_message());
    if (log)
        fprintf(log, "epoch,effective_epoch,train_loss,train_error,test_error,seconds,"
                "comm_seconds\n");

    dr_mlp_config mc;
    dr_mlp *m = NULL;
    float *mw = NULL;
    dr_replicas *rep = NULL;
    status = dr_mlp_preset(&mc, r->model);
    if (status == DR_SUCCESS)
        status = dr_mlp_alloc(&m, &mc, (size_t)(r->batch > 1000 ? r->batch : 1000));
    size_t n = m ? dr_mlp_n_params(m) : 0;
    if (status == DR_SUCCESS && !(mw = malloc(n * sizeof *mw)))
        status = dr_error(DR_ENOMEM, "out of memory for %zu parameters", n);
    if (status == DR_SUCCESS) {
        dr_mlp_init(m, mw, r->seed); /* every replica starts from the seed's network */
        dr_replicas_layout lay = {.total = K, .first = w.rank, .local = w.mpi ? 1 : K,
                                  .reduce = w.mpi ? dr_mpi_reduce : NULL};
        status = dr_replicas_alloc(&rep, m, mw, &view, &r->p, (size_t)r->batch, r->seed, &lay);
    }
    agree_or_die(&w, status != DR_SUCCESS, "%s", dr_error_message());

    if (lead)
        print_header(r, &w, view.n, test.n, n, K);
    dr_epoch_stats s = {0};
    double total = 0, comm_total = 0;
    for (long e = 1; e <= r->epochs; e++) {
        double lr = dr_lr_schedule_at(r->sched, r->p.lr, (int)e), comm = 0;
        status = dr_replicas_epoch(rep, lr, m, mw, lead ? &test : NULL, &s, &comm);
        int mine = status != DR_SUCCESS && !dr_replicas_remote_failure(rep);
        agree_or_die(&w, mine, "epoch %ld: %s", e, dr_error_message());
        if (status != DR_SUCCESS) /* unreachable: a remote failure is some rank's own */
            cli_die(EXIT_FAIL, "rank %d: epoch %ld: %s", w.rank, e, dr_error_message());
        total += s.seconds;
        comm_total += comm;
        if (lead)
            cli_train_print_epoch(r, log, e, lr, &s, &comm);
    }
    status = lead && r->save ? dr_mlp_save(r->save, m, mw) : DR_SUCCESS;
    agree_or_die(&w, status != DR_SUCCESS, "%s", dr_error_message());
    status = log_out ? dr_output_commit(log_out) : DR_SUCCESS;
    agree_or_die(&w, status != DR_SUCCESS, "%s", dr_error_message());
    if (lead && r->json) {
        printf("],\"test_error\":");
        json_number(stdout, s.test_error);
        printf(",\"samples_per_second\":");
        json_number(stdout, s.effective_epoch * (double)view.n / total);
        printf(",\"comm_seconds\":");
        json_number(stdout, comm_total);
        printf("}\n");
    } else if (lead) {
        printf("# final test error %.3f%% after %.1f effective epochs, %.1f s (%.2f s in "
               "communication)%s%s\n", 100 * s.test_error, s.effective_epoch, total,
               comm_total, r->save ? "; saved the mean to " : "", r->save ? r->save : "");
    }
    dr_replicas_free(rep);
    free(mw);
    dr_mlp_free(m);
    dr_dataset_free(&train);
    dr_dataset_free(&test);
    if (w.mpi)
        dr_mpi_finalize();
    return 0;
}
