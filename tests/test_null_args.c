/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every public entry point refuses NULL where it needs a pointer the same way: DR_EINVAL, and a
 * message "FUNCTION: NULL argument (...)" naming the function, never a crash. A binding (the
 * Python package) can pass NULL by mistake; these calls would segfault without the checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "deeprelax/deeprelax.h"

/* status must be DR_EINVAL and the message must name `fn` as a NULL-argument failure. */
static void expect_null(int status, const char *fn)
{
    assert_int_equal(status, DR_EINVAL);
    const char *msg = dr_error_message();
    if (strncmp(msg, fn, strlen(fn)) || !strstr(msg, "NULL argument"))
        fail_msg("%s: message '%s'", fn, msg);
    dr_error_clear();
}

#define EXPECT_NULL(fn, ...) expect_null(fn(__VA_ARGS__), #fn)

static void test_solvers(void **state)
{
    (void)state;
    dr_landscape *f = NULL;
    assert_int_equal(dr_landscape_alloc_builtin(&f, "paper1d", NULL), DR_SUCCESS);
    dr_grid g;
    size_t n = 101;
    assert_int_equal(dr_solve_grid(&g, f, 1, &n, NULL, NULL), DR_SUCCESS);
    double u[101], t = 0.1;

    EXPECT_NULL(dr_grid_init, NULL, 1, &n, NULL, NULL);
    EXPECT_NULL(dr_landscape_alloc_builtin, NULL, "paper1d", NULL);
    dr_landscape *none;
    EXPECT_NULL(dr_landscape_alloc_builtin, &none, NULL, NULL);
    EXPECT_NULL(dr_landscape_alloc_expr, NULL, "x^2", 1);
    EXPECT_NULL(dr_landscape_alloc_samples, NULL, &g, u);
    EXPECT_NULL(dr_landscape_alloc_file, NULL, "x.csv", NULL);
    EXPECT_NULL(dr_landscape_eval, NULL, 1, u, u, NULL);
    EXPECT_NULL(dr_landscape_hessian, f, NULL, u);
    EXPECT_NULL(dr_heat_plan_alloc, NULL, f, &g, 1.0, 0.1, 0.2, NULL);
    EXPECT_NULL(dr_heat_execute, NULL, 0.1, u, NULL, NULL);
    EXPECT_NULL(dr_heat_engine_parse, NULL, NULL);
    EXPECT_NULL(dr_heat_planning_parse, "estimate", NULL);
    EXPECT_NULL(dr_hopflax_plan_alloc, NULL, f, &g, 0.2, NULL);
    EXPECT_NULL(dr_hopflax_execute, NULL, 0.1, u, NULL, NULL);
    EXPECT_NULL(dr_fd_alloc, NULL, f, &g, 1.0, 0.2, NULL);
    EXPECT_NULL(dr_fd_step, NULL);
    EXPECT_NULL(dr_fd_solution, NULL, u, NULL);
    EXPECT_NULL(dr_fd_scheme_parse, NULL, NULL);
    EXPECT_NULL(dr_gibbs_plan_alloc, NULL, f, &g, 1.0, 0.1, 0.2);
    EXPECT_NULL(dr_solve, f, &g, 1.0, NULL, 1, u, NULL, NULL, NULL);
    EXPECT_NULL(dr_solve, NULL, &g, 1.0, &t, 1, u, NULL, NULL, NULL);
    EXPECT_NULL(dr_solve_method_parse, "auto", NULL);
    EXPECT_NULL(dr_widen_run, NULL, f, &g, 1.0, &t, 1, NULL, NULL);
    EXPECT_NULL(dr_analysis_hessian_fd, &g, NULL, u);
    EXPECT_NULL(dr_minima_find, NULL, &g, u, NULL);
    EXPECT_NULL(dr_tracker_alloc, NULL);
    EXPECT_NULL(dr_particles_alloc, NULL, f, NULL);
    EXPECT_NULL(dr_particles_algo_parse, NULL, NULL);
    EXPECT_NULL(dr_particles_descend, f, NULL, u);
    EXPECT_NULL(dr_npy_write, NULL, 1, &n, u);
    dr_landscape_free(f);
}

static void test_nn_and_viz(void **state)
{
    (void)state;
    int kind;
    EXPECT_NULL(dr_optim_kind_parse, NULL, &kind);
    EXPECT_NULL(dr_mlp_preset, NULL, "mnistfc");
    EXPECT_NULL(dr_mlp_alloc, NULL, NULL, 10);
    EXPECT_NULL(dr_mlp_load, "m.bin", 10, NULL, NULL);
    EXPECT_NULL(dr_dataset_load, NULL, "data", 1);
    EXPECT_NULL(dr_lr_schedule_parse, NULL, "1:0.1");
    dr_viz_cmap cm;
    EXPECT_NULL(dr_viz_cmap_parse, NULL, &cm);
    EXPECT_NULL(dr_viz_png_write, NULL, "x.png");
    EXPECT_NULL(dr_gnuplot_run, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_solvers),
        cmocka_unit_test(test_nn_and_viz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
