/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `deeprelax train` (the MLP trainer: SGD, Entropy-SGD, HJ, Elastic-SGD on MNIST-format data)
 * and `deeprelax eval` (a saved model's loss and error on the test set). */
#include "cli.h"
#include "progress.h"
#include "train.h"
#include "../nn/replicas_mpi.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char train_usage[] =
    "usage: deeprelax train [--data DIR] [--model mnistfc|small] [--optim NAME] [--epochs E]\n"
    "                       [--batch 128] [--seed S] [--threads N] [--lr X] [--lr-schedule LIST]\n"
    "                       [--momentum M] [--weight-decay W] [--L N] [--inner-lr X] [--noise X]\n"
    "                       [--alpha X] [--g0 X] [--g1 X] [--gamma T] [--replicas N] [--rho X]\n"
    "                       [--rho-growth X] [--rho-max X] [--train-samples N] [--log run.csv]\n"
    "                       [--save model.bin] [--json]\n"
    "       deeprelax train -h|--help\n\n"
    "Trains an MLP on MNIST-format IDX files; one line per epoch: epoch, effective epoch (data\n"
    "passes in SGD epochs = epochs x L, or x replicas), train loss and error (means over the\n"
    "epoch's minibatches, dropout on), test error (eval mode), seconds.\n"
    "  --data DIR            the four IDX files (.gz or plain); default $DEEPRELAX_DATA, else\n"
    "                        data/mnist, ~/.local/share/deeprelax/mnist, /usr/share/datasets/mnist\n"
    "  --model NAME          mnistfc: input dropout 0.2, 784-1024-1024-10, batch norm, ReLU,\n"
    "                        dropout 0.2 (the paper's); small: 784-64-64-10 (default mnistfc)\n"
    "  --optim NAME          sgd | entropy-sgd | hj | elastic-sgd | parle (default sgd)\n"
    "  --epochs E            outer epochs (default 10)\n"
    "  --batch B             minibatch size (default 128)\n"
    "  --seed S              initialisation, shuffling, dropout and noise (default 1)\n"
    "  --threads N           BLAS threads (default: all cores)\n"
    "  --lr X                learning rate (sgd, hj, elastic-sgd: 0.1; entropy-sgd: 1, the outer\n"
    "                        step x <- x - lr (x - <y>))\n"
    "  --lr-schedule LIST    EPOCH:LR,... from epoch EPOCH on use LR (entropy-sgd default 3:0.1:\n"
    "                        rate 1 for epochs 1-2, then 0.1)\n"
    "  --momentum M          Nesterov momentum of the (outer) step (default 0.9)\n"
    "  --weight-decay W      L2 coefficient (default 0)\n"
    "  --L N                 inner steps of entropy-sgd and hj (default 20); elastic-sgd: steps\n"
    "                        between couplings (default 1); parle: inner steps per coupling (25)\n"
    "  --inner-lr X          entropy-sgd inner step eta' (default 0.1)\n"
    "  --noise X             entropy-sgd Langevin noise 1/sqrt(beta) (default 1e-4)\n"
    "  --alpha X             entropy-sgd averaging of inner iterates (default 0.75)\n"
    "  --g0 X --g1 X         entropy-sgd scoping gamma_k = 1/(g0 (1+g1)^k), k = outer steps\n"
    "                        (defaults 1e-4, 1e-3)\n"
    "  --gamma T             hj: proximal scale in p <- 0.75 p + 0.25 grad f(x - T p) (0.1)\n"
    "  --replicas N          elastic-sgd and parle replicas in this process (default 3); under\n"
    "                        `mpirun -np K` one replica per rank instead (replica a: seed + a,\n"
    "                        its own data order; rank 0 evaluates, logs and saves the mean)\n"
    "  --rho X --rho-growth X --rho-max X   elastic-sgd coupling rho_k = min(max, rho (1+growth)^k)\n"
    "                        (defaults 0.01, 1e-3, 1)\n"
    "  parle (Chaudhari et al. 2017): inner coupling gamma = min(1, g0 s^k), outer rho =\n"
    "                        min(rho-max, rho L K s^k), s = 1 + 1/(2 batches per epoch), k =\n"
    "                        couplings so far (defaults g0 0.01, rho 0.01, rho-max 10, L 25)\n"
    "  --train-samples N     use only the first N training examples (quick runs)\n"
    "  --log FILE            CSV: epoch,effective_epoch,train_loss,train_error,test_error,seconds\n"
    "                        (written when training ends; the epochs are on stdout meanwhile)\n"
    "  --save FILE           the trained model (for eval and slice)\n"
    "  --json                the summary as one JSON object on stdout instead of the table\n"
    "  -h, --help            this text\n"
    "The same seed and thread count give the same log (up to the seconds column).\n";

enum {
    O_DATA = 1, O_MODEL, O_OPTIM, O_EPOCHS, O_BATCH, O_SEED, O_THREADS, O_LR, O_SCHED, O_MOM,
    O_WD, O_L, O_INNER, O_NOISE, O_ALPHA, O_G0, O_G1, O_GAMMA, O_REPL, O_RHO, O_RHOG, O_RHOM,
    O_TRAIN_N, O_LOG, O_SAVE, O_JSON, O_HELP, O_MODEL_FILE, O_TRAIN_EVAL
};

/* Process-wide settings that OpenBLAS and libgomp read only when they are loaded, so a program
 * must set them and restart itself (once: the variables being set prevent a second restart):
 * - OPENBLAS_CORETYPE when OpenBLAS picked slow generic kernels for an unrecognised CPU;
 * - OMP_WAIT_POLICY=passive unless the user chose a policy: libgomp's default lets an idle
 *   worker spin ~300k iterations after every parallel region (each BLAS call and each layer
 *   loop), which on a machine shared with other work takes a core from them and from our own
 *   master thread. Measured on 2 loaded cores (100 mnistfc steps + the test pass, 2 threads):
 *   spinning 17.0 s wall / 11.0 s CPU, passive 5.5 s / 3.2 s; on an idle machine the futex wake
 *   per region costs a few us of a ~10 ms step. `make bench` prints both side by side.
 * argv[-1] is the program's own argv[0]. */
void cli_nn_blas_fixup(int argc, char **argv)
{
    const char *suggest;
    dr_nn_blas_core(&suggest);
    int restart = 0;
    if (suggest && !getenv("OPENBLAS_CORETYPE")) {
        setenv("OPENBLAS_CORETYPE", suggest, 1);
        restart = 1;
    }
    if (!getenv("OMP_WAIT_POLICY") && !getenv("GOMP_SPINCOUNT")) {
        setenv("OMP_WAIT_POLICY", "passive", 1);
        restart = 1;
    }
    if (!restart)
        return;
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (!args)
        return;
    args[0] = argv[-1];
    for (int i = 0; i < argc; i++)
        args[i + 1] = argv[i];
    execv("/proc/self/exe", args);
    free(args); /* exec failed: carry on with the defaults */
}

/* Loads train and test sets from the resolved data directory; exits on failure. */
static void load_data(const char *given, size_t features, dr_dataset *train, dr_dataset *test)
{
    char dir[4096];
    int status = dr_data_dir(given, dir, sizeof dir);
    if (status != DR_SUCCESS)
        cli_fail(status);
    if (train && (status = dr_dataset_load_for(train, dir, 1, features)) != DR_SUCCESS)
        cli_die(EXIT_FAIL, "%s", dr_error_message());
    if ((status = dr_dataset_load_for(test, dir, 0, features)) != DR_SUCCESS)
        cli_die(EXIT_FAIL, "%s", dr_error_message());
}

struct progress { cli_progress bar; int epoch; };

/* The whole run's progress in epochs (progress.h: a bar on a terminal, lines with --progress). */
static int show_progress(void *ctx, size_t done, size_t total)
{
    struct progress *p = ctx;
    cli_progress_update(&p->bar, (p->epoch - 1) + (total ? (double)done / (double)total : 0));
    return 0;
}

/* The command line: the run as cli_train_replicas() takes it, the model's name, the learning
 * rate schedule's text, and the hyper-parameters given, applied over the optimiser's defaults
 * once it is known. */
typedef struct {
    struct train_run run;
    const char *sched_text;
    double hp[O_RHOM + 1];
    int have[O_RHOM + 1];
} train_args;

/* The options into *a; returns 1 when --help was printed. */
static int train_parse(int argc, char **argv, train_args *a)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, O_DATA}, {"model", required_argument, 0, O_MODEL},
        {"optim", required_argument, 0, O_OPTIM}, {"epochs", required_argument, 0, O_EPOCHS},
        {"batch", required_argument, 0, O_BATCH}, {"seed", required_argument, 0, O_SEED},
        {"threads", required_argument, 0, O_THREADS}, {"lr", required_argument, 0, O_LR},
        {"lr-schedule", required_argument, 0, O_SCHED},
        {"momentum", required_argument, 0, O_MOM},
        {"weight-decay", required_argument, 0, O_WD}, {"L", required_argument, 0, O_L},
        {"inner-lr", required_argument, 0, O_INNER}, {"noise", required_argument, 0, O_NOISE},
        {"alpha", required_argument, 0, O_ALPHA}, {"g0", required_argument, 0, O_G0},
        {"g1", required_argument, 0, O_G1}, {"gamma", required_argument, 0, O_GAMMA},
        {"replicas", required_argument, 0, O_REPL}, {"rho", required_argument, 0, O_RHO},
        {"rho-growth", required_argument, 0, O_RHOG}, {"rho-max", required_argument, 0, O_RHOM},
        {"train-samples", required_argument, 0, O_TRAIN_N},
        {"log", required_argument, 0, O_LOG}, {"save", required_argument, 0, O_SAVE},
        {"json", no_argument, 0, O_JSON}, {"help", no_argument, 0, O_HELP}, {0, 0, 0, 0}};
    struct train_run *r = &a->run;
    r->model = "mnistfc";
    r->optim = "sgd";
    r->epochs = 10;
    r->batch = 128;
    r->seed = 1;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case O_DATA: r->data = optarg; break;
        case O_MODEL: r->model = optarg; break;
        case O_OPTIM: r->optim = optarg; break;
        case O_EPOCHS: r->epochs = cli_long("--epochs", optarg, 1, 100000); break;
        case O_BATCH: r->batch = cli_long("--batch", optarg, 2, 65536); break;
        case O_SEED: r->seed = (unsigned long)cli_long("--seed", optarg, 0, 0x7fffffffL); break;
        case O_THREADS: r->threads = cli_long("--threads", optarg, 1, 1024); break;
        case O_SCHED: a->sched_text = optarg; break;
        case O_TRAIN_N: r->train_n = cli_long("--train-samples", optarg, 2, 1L << 40); break;
        case O_LOG: r->log_path = optarg; break;
        case O_SAVE: r->save = optarg; break;
        case O_JSON: r->json = 1; break;
        case 'h':
        case O_HELP:
            fputs(train_usage, stdout);
            printf("This build: %s.\n", DR_MPI_BUILT ? "with MPI (mpirun -np K deeprelax train "
                   "--optim elastic-sgd|parle ...)" : "without MPI");
            return 1;
        case O_L: case O_REPL:
            a->hp[opt] = (double)cli_long(opt == O_L ? "--L" : "--replicas", optarg, 1,
                                          opt == O_L ? 10000 : 64);
            a->have[opt] = 1;
            break;
        case O_LR: case O_MOM: case O_WD: case O_INNER: case O_NOISE: case O_ALPHA: case O_G0:
        case O_G1: case O_GAMMA: case O_RHO: case O_RHOG: case O_RHOM:
        {
            char name[32];
            snprintf(name, sizeof name, "--%s", opts[opt - 1].name); /* opts[] is in enum order */
            a->hp[opt] = cli_double(name, optarg);
            a->have[opt] = 1;
            break;
        }
        default: cli_bad_option("train", argv);
        }
    }
    if (optind < argc)
        cli_die(EXIT_USAGE, "train: unexpected argument '%s' (try --help)", argv[optind]);
    return 0;
}

/* The optimiser's hyper-parameters: its defaults with the given ones over them, each checked
 * to be one that optimiser reads. */
static void train_params(const train_args *a, int kind, dr_optim_params *p)
{
    const double *hp = a->hp;
    const int *have = a->have;
    dr_optim_defaults(p, kind);
    if (have[O_LR]) p->lr = hp[O_LR];
    if (have[O_MOM]) p->momentum = hp[O_MOM];
    if (have[O_WD]) p->weight_decay = hp[O_WD];
    if (have[O_L]) p->L = (int)hp[O_L];
    if (have[O_INNER]) p->inner_lr = hp[O_INNER];
    if (have[O_NOISE]) p->noise = hp[O_NOISE];
    if (have[O_ALPHA]) p->alpha = hp[O_ALPHA];
    if (have[O_G0]) p->g0 = hp[O_G0];
    if (have[O_G1]) p->g1 = hp[O_G1];
    if (have[O_GAMMA]) p->hj_gamma = hp[O_GAMMA];
    if (have[O_REPL]) p->replicas = (int)hp[O_REPL];
    if (have[O_RHO]) p->rho = hp[O_RHO];
    if (have[O_RHOG]) p->rho_growth = hp[O_RHOG];
    if (have[O_RHOM]) p->rho_max = hp[O_RHOM];
    if (kind == DR_OPTIM_SGD && have[O_L])
        cli_die(EXIT_USAGE, "--L applies to entropy-sgd, hj, elastic-sgd and parle only");
    /* the hyper-parameters each optimiser reads (nn/optim.c, nn/replicas.c): any other given
     * would be silently ignored */
    static const struct { int opt; const char *name, *users; unsigned kinds; } uses[] = {
        {O_INNER, "--inner-lr", "entropy-sgd", 1u << DR_OPTIM_ENTROPY_SGD},
        {O_G1, "--g1", "entropy-sgd", 1u << DR_OPTIM_ENTROPY_SGD},
        {O_GAMMA, "--gamma", "hj", 1u << DR_OPTIM_HJ},
        {O_RHOG, "--rho-growth", "elastic-sgd", 1u << DR_OPTIM_ELASTIC_SGD},
        {O_REPL, "--replicas", "elastic-sgd and parle", 1u << DR_OPTIM_ELASTIC_SGD | 1u << DR_OPTIM_PARLE},
        {O_RHO, "--rho", "elastic-sgd and parle", 1u << DR_OPTIM_ELASTIC_SGD | 1u << DR_OPTIM_PARLE},
        {O_RHOM, "--rho-max", "elastic-sgd and parle", 1u << DR_OPTIM_ELASTIC_SGD | 1u << DR_OPTIM_PARLE},
        {O_NOISE, "--noise", "entropy-sgd, elastic-sgd and parle", ~(1u << DR_OPTIM_SGD | 1u << DR_OPTIM_HJ)},
        {O_ALPHA, "--alpha", "entropy-sgd, elastic-sgd and parle", ~(1u << DR_OPTIM_SGD | 1u << DR_OPTIM_HJ)},
        {O_G0, "--g0", "entropy-sgd, elastic-sgd and parle", ~(1u << DR_OPTIM_SGD | 1u << DR_OPTIM_HJ)},
    };
    for (size_t u = 0; u < sizeof uses / sizeof uses[0]; u++)
        if (have[uses[u].opt] && !(uses[u].kinds & (1u << kind)))
            cli_die(EXIT_USAGE, "%s applies to %s only, not to --optim %s", uses[u].name,
                    uses[u].users, a->run.optim);
}

/* Started by mpirun: only the replicated optimisers of an MPI build run so; else one error
 * line from the whole job. */
static void train_check_mpi(const char *optim, int replicated)
{
    if (!dr_mpi_launched() || (DR_MPI_BUILT && replicated)) return;
    /* one line from the whole job: only the first rank speaks */
    const char *r = getenv("OMPI_COMM_WORLD_RANK") ? getenv("OMPI_COMM_WORLD_RANK")
                                                   : getenv("PMI_RANK");
    if (r && atoi(r) != 0)
        exit(EXIT_USAGE);
    if (!DR_MPI_BUILT)
        cli_die(EXIT_USAGE, "train: started by an MPI launcher, but this deeprelax was "
                "built without MPI (install libopenmpi-dev and rebuild with `make MPI=1`)");
    cli_die(EXIT_USAGE, "train: under mpirun only elastic-sgd and parle run (one replica "
            "per rank), not %s", optim);
}

/* The epochs of one trainer, each printed as it ends; *last gets the last epoch's numbers and
 * the return value is the training's seconds. */
static double train_epochs(const struct train_run *run, dr_trainer *t, FILE *log,
                           dr_epoch_stats *last)
{
    struct progress prog;
    cli_progress_begin(&prog.bar, "train", "epochs", (double)run->epochs);
    double total_seconds = 0;
    for (long e = 1; e <= run->epochs; e++) {
        double lr = dr_lr_schedule_at(run->sched, run->p.lr, (int)e);
        prog.epoch = (int)e;
        int status = dr_train_epoch(t, lr, show_progress, &prog, last);
        cli_progress_end(&prog.bar, (double)e); /* the epoch's line goes to stdout cleanly */
        if (status != DR_SUCCESS)
            cli_die(EXIT_FAIL, "epoch %ld: %s", e, dr_error_message());
        total_seconds += last->seconds;
        cli_train_print_epoch(run, log, e, lr, last, NULL);
    }
    return total_seconds;
}

/* One network trained in this process (sgd, entropy-sgd, hj): the header, the epochs, the
 * model file and the closing line. */
static int train_single(const struct train_run *run, const dr_mlp_config *mc)
{
    int status;
    dr_nn_set_threads((int)run->threads);
    dr_dataset train, test;
    load_data(run->data, mc->sizes[0], &train, &test);
    dr_dataset train_view = train;
    if (run->train_n > 0 && (size_t)run->train_n < train.n)
        train_view.n = (size_t)run->train_n;
    /* the log replaces an earlier one only when training ends (progress is on stdout) */
    dr_output *log_out = run->log_path ? cli_output_open(run->log_path) : NULL;
    FILE *log = log_out ? dr_output_stream(log_out) : NULL;
    if (log)
        fprintf(log, "epoch,effective_epoch,train_loss,train_error,test_error,seconds\n");

    dr_mlp *m;
    long batch = run->batch;
    if ((status = dr_mlp_alloc(&m, mc, (size_t)(batch > 1000 ? batch : 1000))) != DR_SUCCESS)
        cli_fail(status);
    size_t n = dr_mlp_n_params(m);
    float *w = malloc(n * sizeof *w);
    if (!w) cli_die(EXIT_FAIL, "out of memory for %zu parameters", n);
    dr_mlp_init(m, w, run->seed);
    dr_trainer *t;
    if ((status = dr_trainer_alloc(&t, m, w, &train_view, &test, &run->p, (size_t)batch,
                                   run->seed)) != DR_SUCCESS)
        cli_fail(status);

    const char *core;
    if (!run->json)
        printf("# %s on %s: %zu training / %zu test examples, %zu parameters, batch %ld, "
               "%d thread(s) (OpenBLAS %s kernels), seed %lu\n# epoch  eff.epoch  train_loss  train_err%%  "
               "test_err%%  seconds\n", run->optim, run->model, train_view.n, test.n, n, batch,
               dr_nn_get_threads(), dr_nn_blas_core(&core), run->seed);
    else
        printf("{\"model\":\"%s\",\"optim\":\"%s\",\"parameters\":%zu,\"batch\":%ld,"
               "\"threads\":%d,\"seed\":%lu,\"epochs\":[", run->model, run->optim, n, batch,
               dr_nn_get_threads(), run->seed);
    dr_epoch_stats s = {0};
    double total_seconds = train_epochs(run, t, log, &s);
    if (run->save && (status = dr_mlp_save(run->save, m, w)) != DR_SUCCESS)
        cli_die(EXIT_FAIL, "%s", dr_error_message());
    if (run->json) {
        printf("],\"test_error\":");
        json_number(stdout, s.test_error);
        printf(",\"samples_per_second\":");
        json_number(stdout, s.effective_epoch * (double)train_view.n / total_seconds);
        printf("}\n");
    } else {
        printf("# final test error %.3f%% after %.1f effective epochs, %.1f s%s%s\n",
               100 * s.test_error, s.effective_epoch, total_seconds, run->save ? "; saved " : "",
               run->save ? run->save : "");
    }
    if (log_out) cli_output_commit(log_out);
    dr_trainer_free(t);
    free(w);
    dr_mlp_free(m);
    dr_dataset_free(&train);
    dr_dataset_free(&test);
    return 0;
}

int cmd_train(int argc, char **argv)
{
    train_args a = {0};
    if (train_parse(argc, argv, &a)) return 0;
    struct train_run *run = &a.run;
    dr_mlp_config mc;
    int kind, status;
    if ((status = dr_mlp_preset(&mc, run->model)) != DR_SUCCESS) cli_fail(status);
    if ((status = dr_optim_kind_parse(run->optim, &kind)) != DR_SUCCESS) cli_fail(status);
    train_params(&a, kind, &run->p);
    int replicated = kind == DR_OPTIM_ELASTIC_SGD || kind == DR_OPTIM_PARLE;
    dr_lr_schedule sched = {0};
    if (!a.sched_text && kind == DR_OPTIM_ENTROPY_SGD && !a.have[O_LR])
        a.sched_text = "3:0.1";
    if (a.sched_text && (status = dr_lr_schedule_parse(&sched, a.sched_text)) != DR_SUCCESS)
        cli_die(EXIT_USAGE, "--lr-schedule: %s", dr_error_message());
    run->sched = a.sched_text ? &sched : NULL;
    run->have_replicas = a.have[O_REPL];

    train_check_mpi(run->optim, replicated);
    const char *outputs[] = {run->log_path, run->save};
    cli_check_files(outputs, 2, NULL, 0);
    cli_nn_blas_fixup(argc, argv);
    if (replicated) return cli_train_replicas(run);
    return train_single(run, &mc);
}

static const char eval_usage[] =
    "usage: deeprelax eval --model-file model.bin [--data DIR] [--train] [--threads N] [--json]\n"
    "       deeprelax eval -h|--help\n\n"
    "The saved model's mean cross-entropy and error on the test set (eval mode: no dropout,\n"
    "batch norm with its running statistics); --train also on the training set.\n"
    "  --model-file FILE     the model written by `deeprelax train --save`\n"
    "  --data DIR            the four IDX files (.gz or plain); default as for train\n"
    "  --train               also evaluate on the training set\n"
    "  --threads N           BLAS threads (default: all cores)\n"
    "  --json                the result as one JSON object on stdout\n"
    "  -h, --help            this text\n";

int cmd_eval(int argc, char **argv)
{
    static const struct option opts[] = {
        {"model-file", required_argument, 0, O_MODEL_FILE}, {"data", required_argument, 0, O_DATA},
        {"train", no_argument, 0, O_TRAIN_EVAL}, {"threads", required_argument, 0, O_THREADS},
        {"json", no_argument, 0, O_JSON}, {"help", no_argument, 0, O_HELP}, {0, 0, 0, 0}};
    const char *file = NULL, *data = NULL;
    int json = 0, on_train = 0, opt;
    long threads = 0;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case O_MODEL_FILE: file = optarg; break;
        case O_DATA: data = optarg; break;
        case O_TRAIN_EVAL: on_train = 1; break;
        case O_THREADS: threads = cli_long("--threads", optarg, 1, 1024); break;
        case O_JSON: json = 1; break;
        case 'h':
        case O_HELP: fputs(eval_usage, stdout); return 0;
        default: cli_bad_option("eval", argv);
        }
    }
    if (optind < argc)
        cli_die(EXIT_USAGE, "eval: unexpected argument '%s' (try --help)", argv[optind]);
    if (!file)
        cli_die(EXIT_USAGE, "eval: --model-file is required");
    cli_nn_blas_fixup(argc, argv);
    dr_nn_set_threads((int)threads);
    dr_mlp *m;
    float *w;
    int status = dr_mlp_load(file, 1000, &m, &w);
    if (status != DR_SUCCESS)
        cli_die(EXIT_FAIL, "%s", dr_error_message());
    dr_dataset train, test;
    load_data(data, dr_mlp_get_config(m)->sizes[0], on_train ? &train : NULL, &test);
    double loss[2] = {NAN, NAN}, err[2] = {NAN, NAN};
    const dr_dataset *sets[2] = {&test, on_train ? &train : NULL};
    for (int k = 0; k < 2; k++)
        if (sets[k] && (status = dr_mlp_evaluate(m, w, sets[k], 0, DR_MLP_EVAL, &loss[k],
                                                 &err[k])) != DR_SUCCESS)
            cli_fail(status);
    if (json) {
        printf("{\"model_file\":");
        json_string(stdout, file);
        printf(",\"test_loss\":");
        json_number(stdout, loss[0]);
        printf(",\"test_error\":");
        json_number(stdout, err[0]);
        printf(",\"train_loss\":");
        json_number(stdout, loss[1]);
        printf(",\"train_error\":");
        json_number(stdout, err[1]);
        printf("}\n");
    } else {
        printf("test:  loss %.6f  error %.3f%%  (%zu examples)\n", loss[0], 100 * err[0], test.n);
        if (on_train)
            printf("train: loss %.6f  error %.3f%%  (%zu examples)\n", loss[1], 100 * err[1],
                   train.n);
    }
    if (on_train) dr_dataset_free(&train);
    dr_dataset_free(&test);
    free(w);
    dr_mlp_free(m);
    return 0;
}
