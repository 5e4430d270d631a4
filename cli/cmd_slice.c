/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `deeprelax slice`: the training loss of a saved model on a 2-D plane through its weights, along
 * two random filter-normalised directions, written as a landscape (.npy or CSV x,y,f) that
 * `solve`, `widen` and `particles` read with --input FILE --domain -S:S,-S:S. */
#include "cli.h"
#include "progress.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char slice_usage[] =
    "usage: deeprelax slice --model-file model.bin [--data DIR] [--n 51] [--span 1]\n"
    "                       [--samples 2000] [--seed 1] [--threads N] --out slice.npy|slice.csv\n"
    "                       [--json]\n"
    "       deeprelax slice -h|--help\n\n"
    "The mean training cross-entropy at w + a d1 + b d2 for a, b on an n x n grid over\n"
    "[-span, span]^2; d1, d2 are Gaussian directions scaled row by row to the norms of the\n"
    "weight matrices' rows (biases and batch-norm parameters fixed). Batch norm uses batch\n"
    "statistics (chunks of 1000), dropout is off. Output: .npy float64 of shape (n, n), a fastest\n"
    "(read it as a landscape with `solve --input slice.npy --domain -S:S,-S:S`), or CSV with\n"
    "header x,y,f (x fastest).\n"
    "  --model-file FILE the model written by `deeprelax train --save`\n"
    "  --data DIR     the four IDX files (.gz or plain); default as for train\n"
    "  --n N          grid points per axis (default 51)\n"
    "  --span S       the square [-S, S]^2 of (a, b) (default 1)\n"
    "  --seed S       the random directions d1, d2 (default 1)\n"
    "  --out FILE     .npy or .csv (required)\n"
    "  --json         the summary as one JSON object on stdout\n"
    "  --samples N    training examples per loss evaluation (default 2000; 0 = all);\n"
    "                 the cost is n^2 forward passes over them (mnistfc: ~4 MFLOP per example)\n"
    "  --threads N    BLAS threads (default: all cores)\n"
    "  -h, --help     this text\n";

enum { S_MODEL = 1, S_DATA, S_N, S_SPAN, S_SAMPLES, S_SEED, S_OUT, S_THREADS, S_JSON, S_HELP };

static int slice_progress(void *ctx, size_t done, size_t total)
{
    (void)total;
    cli_progress_update(ctx, (double)done);
    return 0;
}

/* What the command line asks for. */
typedef struct {
    const char *file, *data, *out;
    long n, samples, threads;
    unsigned long seed;
    double span;
    int json;
} slice_args;

/* The options into *a, checked, and the files; returns 1 when --help was printed. */
static int slice_parse(int argc, char **argv, slice_args *a)
{
    static const struct option opts[] = {
        {"model-file", required_argument, 0, S_MODEL}, {"data", required_argument, 0, S_DATA},
        {"n", required_argument, 0, S_N}, {"span", required_argument, 0, S_SPAN},
        {"samples", required_argument, 0, S_SAMPLES}, {"seed", required_argument, 0, S_SEED},
        {"out", required_argument, 0, S_OUT}, {"threads", required_argument, 0, S_THREADS},
        {"json", no_argument, 0, S_JSON}, {"help", no_argument, 0, S_HELP}, {0, 0, 0, 0}};
    *a = (slice_args){.n = 51, .samples = 2000, .seed = 1, .span = 1.0};
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case S_MODEL: a->file = optarg; break;
        case S_DATA: a->data = optarg; break;
        case S_N: a->n = cli_long("--n", optarg, 2, 4096); break;
        case S_SPAN:
            a->span = cli_double("--span", optarg);
            if (!(a->span > 0)) cli_die(EXIT_USAGE, "--span must be positive (got %g)", a->span);
            break;
        case S_SAMPLES: a->samples = cli_long("--samples", optarg, 0, 1L << 40); break;
        case S_SEED: a->seed = (unsigned long)cli_long("--seed", optarg, 0, 0x7fffffffL); break;
        case S_OUT: a->out = optarg; break;
        case S_THREADS: a->threads = cli_long("--threads", optarg, 1, 1024); break;
        case S_JSON: a->json = 1; break;
        case 'h':
        case S_HELP: fputs(slice_usage, stdout); return 1;
        default: cli_bad_option("slice", argv);
        }
    }
    if (optind < argc)
        cli_die(EXIT_USAGE, "slice: unexpected argument '%s' (try --help)", argv[optind]);
    if (!a->file)
        cli_die(EXIT_USAGE, "slice: --model-file is required");
    if (!a->out)
        cli_die(EXIT_USAGE, "slice: --out FILE (.npy or .csv) is required");
    if (!cli_has_ext(a->out, ".npy") && !cli_has_ext(a->out, ".csv"))
        cli_die(EXIT_USAGE, "slice: --out must end in .npy or .csv (got '%s')", a->out);
    const char *outputs[] = {a->out}, *inputs[] = {a->file};
    cli_check_files(outputs, 1, inputs, 1);
    return 0;
}

/* The n x n losses f (a fastest) into --out: .npy, or CSV x,y,f. */
static void slice_write(const slice_args *a, const double *f)
{
    size_t nn = (size_t)a->n;
    double span = a->span;
    int status;
    if (cli_has_ext(a->out, ".npy")) {
        size_t shape[2] = {nn, nn};
        if ((status = dr_npy_write(a->out, 2, shape, f)) != DR_SUCCESS)
            cli_die(EXIT_FAIL, "%s", dr_error_message());
        return;
    }
    dr_output *o = cli_output_open(a->out);
    FILE *fp = dr_output_stream(o);
    fprintf(fp, "x,y,f\n");
    for (size_t j = 0; j < nn; j++)
        for (size_t i = 0; i < nn; i++)
            fprintf(fp, "%.17g,%.17g,%.17g\n", -span + 2 * span * (double)i / (double)(nn - 1),
                    -span + 2 * span * (double)j / (double)(nn - 1), f[j * nn + i]);
    cli_output_commit(o);
}

/* The summary: the losses' range and the one at the weights (odd n: the grid's centre), from
 * `used` training examples; JSON or text. */
static void slice_print(const slice_args *a, const double *f, size_t used)
{
    long n = a->n;
    size_t nn = (size_t)n;
    double span = a->span;
    double fmin = DBL_MAX, fmax = -DBL_MAX, centre = f[(nn / 2) * nn + nn / 2];
    for (size_t k = 0; k < nn * nn; k++) {
        fmin = fmin < f[k] ? fmin : f[k];
        fmax = fmax > f[k] ? fmax : f[k];
    }
    if (a->json) {
        printf("{\"out\":");
        json_string(stdout, a->out);
        printf(",\"n\":%ld,\"span\":", n);
        json_number(stdout, span);
        printf(",\"samples\":%zu,\"seed\":%lu,\"loss_min\":", used, a->seed);
        json_number(stdout, fmin);
        printf(",\"loss_max\":");
        json_number(stdout, fmax);
        printf(",\"loss_centre\":");
        json_number(stdout, (nn % 2) ? centre : NAN);
        printf("}\n");
    } else {
        printf("slice: %ld x %ld over [-%g, %g]^2, %zu training examples -> %s\n", n, n, span,
               span, used, a->out);
        printf("loss: min %.6g, max %.6g%s", fmin, fmax, (nn % 2) ? ", at the weights " : "\n");
        if (nn % 2)
            printf("%.6g\n", centre);
        printf("relax it: deeprelax solve --input %s --domain %g:%g,%g:%g\n", a->out, -span,
               span, -span, span);
    }
}

int cmd_slice(int argc, char **argv)
{
    slice_args a;
    if (slice_parse(argc, argv, &a)) return 0;
    cli_nn_blas_fixup(argc, argv);
    dr_nn_set_threads((int)a.threads);
    dr_mlp *m;
    float *w;
    int status = dr_mlp_load(a.file, 1000, &m, &w);
    if (status != DR_SUCCESS)
        cli_die(EXIT_FAIL, "%s", dr_error_message());
    char dir[4096];
    if ((status = dr_data_dir(a.data, dir, sizeof dir)) != DR_SUCCESS)
        cli_fail(status);
    dr_dataset train;
    if ((status = dr_dataset_load_for(&train, dir, 1, dr_mlp_get_config(m)->sizes[0])) != DR_SUCCESS)
        cli_die(EXIT_FAIL, "%s", dr_error_message());
    size_t np = dr_mlp_n_params(m), nn = (size_t)a.n;
    float *d1 = malloc(np * sizeof *d1), *d2 = malloc(np * sizeof *d2);
    double *f = malloc(nn * nn * sizeof *f);
    if (!d1 || !d2 || !f)
        cli_die(EXIT_FAIL, "out of memory");
    dr_slice_directions(m, w, a.seed, d1, d2);
    cli_progress bar;
    cli_progress_begin(&bar, "slice", "points", (double)(nn * nn));
    status = dr_slice_eval(m, w, d1, d2, &train, (size_t)a.samples, nn, a.span, f,
                           slice_progress, &bar);
    cli_progress_end(&bar, (double)(nn * nn));
    if (status != DR_SUCCESS)
        cli_die(EXIT_FAIL, "%s", dr_error_message());
    slice_write(&a, f);
    size_t used = a.samples > 0 && (size_t)a.samples < train.n ? (size_t)a.samples : train.n;
    slice_print(&a, f, used);
    free(d1);
    free(d2);
    free(f);
    free(w);
    dr_mlp_free(m);
    dr_dataset_free(&train);
    return 0;
}
