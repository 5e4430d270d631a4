/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared helpers of the `deeprelax` subcommands: error exits, strict number parsing, the
 * landscape-source options every subcommand accepts, and small JSON/CSV writers.
 * Subcommands are `int cmd_NAME(int argc, char **argv)`, listed in cli/main.c. */
#ifndef DEEPRELAX_CLI_H
#define DEEPRELAX_CLI_H

#include <getopt.h>
#include <stdio.h>
#include <stddef.h>

#include "deeprelax/deeprelax.h"

#define EXIT_USAGE 2
#define EXIT_FAIL 1

/* One line "deeprelax: MESSAGE" on stderr, then exit(code). */
_Noreturn void cli_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A library call failed: print its message and exit 1 (2 for status codes that mean the user's
 * arguments were wrong: DR_EINVAL, DR_EPARSE, DR_ENOTFOUND). */
_Noreturn void cli_fail(int status);
/* The one line for an unknown option or missing argument, from getopt's `optopt`/argv. */
_Noreturn void cli_bad_option(const char *cmd, char **argv);

/* Strict parsers: the whole string must be a finite number (or "inf" where allowed); on failure
 * they exit 2 naming the option. */
double cli_double(const char *opt, const char *s);
double cli_double_or_inf(const char *opt, const char *s);
long cli_long(const char *opt, const char *s, long min, long max);
/* Comma-separated list into out[max]; returns the count (>= 1). */
size_t cli_double_list(const char *opt, const char *s, double *out, size_t max);
/* Grid sizes: each value in [1, CLI_MAX_GRID_POINTS], and so is their product. */
#define CLI_MAX_GRID_POINTS (1L << 22)
size_t cli_size_list(const char *opt, const char *s, size_t *out, size_t max);
/* "A:B:K": K values from A to B inclusive (linear); returns K. */
size_t cli_range(const char *opt, const char *s, double *out, size_t max);

/* Where the landscape comes from: --landscape NAME | --expr EXPR [--dim D] | --input FILE,
 * with --domain A:B[,C:D], --noise A and --noise-seed S (paper1d's random term). */
typedef struct {
    const char *landscape, *expr, *input;
    int dim;
    int have_domain;
    double domain[4];
    double noise;
    unsigned long seed;
    int have_noise, have_seed;
} cli_source;

enum { OPT_SOURCE_BASE = 1000, OPT_LANDSCAPE, OPT_EXPR, OPT_DIM, OPT_INPUT, OPT_DOMAIN, OPT_NOISE,
       OPT_NOISE_SEED };
#define CLI_SOURCE_OPTIONS \
    {"landscape", required_argument, 0, OPT_LANDSCAPE}, \
    {"expr", required_argument, 0, OPT_EXPR}, \
    {"dim", required_argument, 0, OPT_DIM}, \
    {"input", required_argument, 0, OPT_INPUT}, \
    {"domain", required_argument, 0, OPT_DOMAIN}, \
    {"noise", required_argument, 0, OPT_NOISE}, \
    {"noise-seed", required_argument, 0, OPT_NOISE_SEED}
#define CLI_SOURCE_HELP \
    "  --landscape NAME     a built-in landscape (see `deeprelax landscapes`)\n" \
    "  --expr EXPR          an expression in x (and y), e.g. \"x^4 - 2*x^2\"\n" \
    "  --dim 1|2            dimension of --expr (default: 2 if it uses y, else 1)\n" \
    "  --input FILE         samples: CSV (x,f or x,y,f) or .npy (needs --domain)\n" \
    "  --domain A:B[,C:D]   the box (default: the landscape's own)\n" \
    "  --noise A            paper1d: add the authors' smoothed random term of amplitude A\n" \
    "  --noise-seed S       seed of that random term (default 1)\n"

void cli_source_init(cli_source *s);
/* Handles one getopt result if it is a source option; returns 1 if it was. */
int cli_source_option(cli_source *s, int opt, const char *arg);
/* Builds the landscape and its box (domain option or default); exits on error. */
dr_landscape *cli_source_load(const cli_source *s, double lo[2], double hi[2]);

/* The grid of a command's --n N[,M] (`given` values in n) on the box [lo, hi] of f: none, the
 * library's default (dr_solve_grid: 601 points in 1-D, 257 per axis in 2-D) except that a
 * nonzero `n_1d` replaces the 1-D one; one, that many per axis. Two values on a 1-D landscape
 * are a usage error of `cmd`; exits on error. */
void cli_grid(dr_grid *g, const char *cmd, const dr_landscape *f, size_t given, const size_t *n,
              size_t n_1d, const double lo[2], const double hi[2]);

/* JSON: a string with escapes, and a double as a JSON number (null if not finite). */
void json_string(FILE *out, const char *s);
void json_number(FILE *out, double v);
/* The same, but an infinity (beta = inf, an unbounded curvature) as the string "inf" or
 * "-inf": JSON has no infinity, and null would read as "unknown". */
void json_number_inf(FILE *out, double v);
/* [v0,v1,...] with json_number for each. */
void json_array(FILE *out, const double *v, size_t n);

/* Output files (deeprelax/output.h): every file a command writes is a temporary renamed over
 * the target when complete. cli_outputs_init (called once by main) removes the temporaries of
 * unfinished outputs on SIGINT, SIGTERM and SIGHUP and at exit (a cli_die mid-way). */
void cli_outputs_init(void);
/* Before any computation: every output can be written (its directory exists and is writable,
 * it is not a directory), no two are the same file, none is one of the inputs. NULL entries
 * are skipped. Exits 1 (unwritable) or 2 (a clash) with one line. */
void cli_check_files(const char *const *outputs, size_t n_outputs, const char *const *inputs,
                     size_t n_inputs);
/* dr_output_open / dr_output_commit that exit with the message on failure. */
dr_output *cli_output_open(const char *path);
void cli_output_commit(dr_output *o);

/* Wall-clock seconds (monotonic), for the `seconds` every summary reports. */
double cli_seconds(void);

/* True if `path` ends with `ext` (e.g. ".npy"). */
int cli_has_ext(const char *path, const char *ext);

int cmd_landscapes(int argc, char **argv);
int cmd_solve(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_slice(int argc, char **argv);
int cmd_sharpness(int argc, char **argv);
int cmd_widen(int argc, char **argv);
int cmd_particles(int argc, char **argv);
int cmd_explore(int argc, char **argv);
/* Restarts once with OPENBLAS_CORETYPE (unrecognised CPU) and OMP_WAIT_POLICY=passive (unless
 * the user set a policy) in the environment (cmd_train.c says why). */
void cli_nn_blas_fixup(int argc, char **argv);

#endif
