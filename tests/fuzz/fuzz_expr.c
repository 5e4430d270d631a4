/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Expressions: the grammar check (dr_expr_check), then libmatheval and the jet compiler
 * (solver/expr_jet.c, the Hopf-Lax polish's evaluator) on whatever it accepts.
 * Properties: a rejection has a clean one-line message; an accepted text is parsed by
 * libmatheval (the grammar is a subset of its own) and nothing is printed on stdout while it
 * is (its lexer echoes bytes it has no rule for: stdout is a file here, checked empty); the
 * compiler takes it or leaves it to libmatheval, and its program runs, under the sanitizers. */
#include <fcntl.h>
#include <matheval.h>
#include <math.h>
#include <sys/stat.h>

#include "deeprelax/landscape.h"
#include "deeprelax/parse.h"
#include "fuzz_util.h"
#include "../../solver/expr_jet.h"

static int stdout_file = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fflush(stdout);
    stdout_file = open(fuzz_path("stdout"), O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (stdout_file < 0 || dup2(stdout_file, STDOUT_FILENO) < 0) abort();
    return 0;
}

static void check_stdout_empty(const char *text)
{
    fflush(stdout);
    struct stat st;
    if (fstat(stdout_file, &st) || st.st_size != 0) {
        fprintf(stderr, "libmatheval printed %lld bytes for accepted '%s'\n", (long long)st.st_size, text);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    dr_expr_info info;
    int status = dr_expr_check(text, &info);
    fuzz_check_message(status);
    if (status == DR_SUCCESS) {
        void *e = evaluator_create(text);
        check_stdout_empty(text);
        if (!e) { fprintf(stderr, "libmatheval refused accepted '%s'\n", text); abort(); }
        evaluator_destroy(e);
        for (int dim = 1; dim <= 2; dim++) {
            dr_expr_program *prog = dr_expr_compile(text, dim);
            if (!prog) continue;
            double x[2] = {0.25, -0.5}, v, g[2], h[4];
            (void)dr_expr_program_jet(prog, x, &v, g, h);
            (void)dr_expr_program_jet(prog, x, &v, NULL, NULL);
            dr_expr_program_free(prog);
        }
        dr_landscape *f;
        status = dr_landscape_alloc_expr(&f, text, 0);
        check_stdout_empty(text);
        fuzz_check_message(status);
        if (status == DR_SUCCESS) {
            double x[2] = {0.25, -0.5}, g[2], h[4];
            (void)dr_landscape_value_grad(f, x, g);
            (void)dr_landscape_hessian(f, x, h);
            dr_landscape_free(f);
        }
    }
    free(text);
    return 0;
}
