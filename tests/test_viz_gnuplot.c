/* SPDX-License-Identifier: GPL-3.0-or-later */
/* gnuplot at run time (viz/gnuplot.c).
 * - With gnuplot installed: a curve family and a log-log "lines from columns" plot each give a
 *   PNG that decodes (libpng read-back) to exactly the size asked for, and an SVG that starts
 *   like one; data and script files stay in the directory for restyling. Skipped without it.
 * - Without gnuplot (PATH pointing to an empty directory): the distinct status DR_EUNSUPPORTED
 *   with a message starting "gnuplot not found", and the data and script still written.
 * - A script gnuplot rejects gives DR_EIO with gnuplot's own message, not output on stderr. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deeprelax/deeprelax.h"

static char tmpdir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_viz_gnuplot.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static long file_size(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int have_gnuplot(void)
{
    char buf[1024];
    int st = dr_gnuplot_find(buf, sizeof buf);
    dr_error_clear();
    return st == DR_SUCCESS;
}

/* The paper's toy f = x^2 + 1.5 sin(2 pi x) and three stand-in "relaxed" curves (any numbers
 * do: this checks the drawing, not the solver). */
#define NX 301
static double xs[NX], fs[NX], us[3 * NX];
static const double ts[3] = {0.05, 0.2, 0.8};

static void fill_curves(void)
{
    for (int k = 0; k < NX; k++) {
        double x = -3 + 6.0 * k / (NX - 1);
        xs[k] = x;
        fs[k] = x * x + 1.5 * sin(2 * M_PI * x);
        for (int j = 0; j < 3; j++)
            us[j * NX + k] = x * x / (1 + 2 * ts[j]) + 1.5 * exp(-20 * ts[j]) * sin(2 * M_PI * x);
    }
}

static void test_curve_family_png(void **state)
{
    (void)state;
    if (!have_gnuplot())
        skip();
    fill_curves();
    char dir[128];
    snprintf(dir, sizeof dir, "%s/fam", tmpdir); /* does not exist yet: created */
    dr_gnuplot_options o = {.dir = dir, .name = "paper1d", .width = 640, .height = 400,
                            .title = "paper1d relaxed: 'viscous' (beta = 10)", .xlabel = "x",
                            .ylabel = "u(x, t)"};
    int st = dr_gnuplot_curve_family(&o, xs, NX, fs, us, ts, 3);
    if (st)
        fail_msg("%s", dr_error_message());
    dr_viz_image img;
    char png[256];
    snprintf(png, sizeof png, "%s/paper1d.png", dir);
    assert_int_equal(dr_viz_png_read(&img, png), DR_SUCCESS);
    assert_int_equal(img.width, 640);
    assert_int_equal(img.height, 400);
    /* something was drawn: many pixels are not white */
    size_t ink = 0;
    for (size_t k = 0; k < 3 * img.width * img.height; k++)
        ink += img.pixels[k] < 200;
    assert_true(ink > 1000);
    dr_viz_image_free(&img);
    /* data and script kept: NX rows plus a header, 5 columns; the log removed on success */
    assert_true(file_size(dir, "paper1d.dat") > NX * 5 * 10);
    assert_true(file_size(dir, "paper1d.gp") > 100);
    assert_int_equal(file_size(dir, "paper1d.log"), -1);
}

static void test_lines_loglog_and_svg(void **state)
{
    (void)state;
    if (!have_gnuplot())
        skip();
    /* error ~ C h^2 and C h^4 against n: straight lines on log-log axes; one NaN leaves a gap */
    double n[6] = {32, 64, 128, 256, 512, 1024}, e2[6], e4[6];
    for (int k = 0; k < 6; k++) {
        e2[k] = 1 / (n[k] * n[k]);
        e4[k] = 1 / (n[k] * n[k] * n[k] * n[k]);
    }
    e4[5] = NAN;
    const double *ys[2] = {e2, e4};
    const char *labels[2] = {"second order", "fourth order"};
    char out[256];
    snprintf(out, sizeof out, "%s/conv.svg", tmpdir);
    dr_gnuplot_options o = {.dir = tmpdir, .name = "conv", .output = out,
                            .terminal = DR_GNUPLOT_SVG, .logx = 1, .logy = 1, .points = 1,
                            .xlabel = "n", .ylabel = "max error"};
    int st = dr_gnuplot_lines(&o, n, 6, ys, labels, 2);
    if (st)
        fail_msg("%s", dr_error_message());
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    char head[512] = "";
    size_t got = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    assert_true(got > 100);
    assert_non_null(strstr(head, "<svg"));
    /* and as PNG at the default size 900 x 560 */
    o.output = NULL;
    o.terminal = DR_GNUPLOT_PNG;
    assert_int_equal(dr_gnuplot_lines(&o, n, 6, ys, labels, 2), DR_SUCCESS);
    dr_viz_image img;
    char png[256];
    snprintf(png, sizeof png, "%s/conv.png", tmpdir);
    assert_int_equal(dr_viz_png_read(&img, png), DR_SUCCESS);
    assert_int_equal(img.width, 900);
    assert_int_equal(img.height, 560);
    dr_viz_image_free(&img);
}

static void test_gnuplot_error_is_a_status(void **state)
{
    (void)state;
    if (!have_gnuplot())
        skip();
    char path[256];
    snprintf(path, sizeof path, "%s/broken.gp", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("set terminal pngcairo\nset output (exists(\"DR_OUTPUT\") ? DR_OUTPUT : 'broken.png')\n"
          "plot sin(x) with nonsense\n", f);
    fclose(f);
    /* the picture of an earlier run must survive a failed redraw */
    char picture[256];
    snprintf(picture, sizeof picture, "%s/broken.png", tmpdir);
    f = fopen(picture, "w");
    assert_non_null(f);
    fputs("old picture", f);
    fclose(f);
    dr_gnuplot_options o = {.dir = tmpdir, .name = "broken"};
    assert_int_equal(dr_gnuplot_run(&o), DR_EIO);
    /* the message names the picture and quotes gnuplot's own complaint */
    assert_non_null(strstr(dr_error_message(), "gnuplot could not draw"));
    assert_non_null(strstr(dr_error_message(), picture));
    assert_non_null(strstr(dr_error_message(), "unrecognized plot type"));
    assert_true(file_size(tmpdir, "broken.log") > 0); /* the log stays for the user */
    assert_int_equal(file_size(tmpdir, "broken.png"), 11);
    /* bad options are refused before anything runs */
    dr_gnuplot_options bad = {.dir = tmpdir, .name = "a/b"};
    assert_int_equal(dr_gnuplot_run(&bad), DR_EINVAL);
}

static void test_gnuplot_missing(void **state)
{
    (void)state;
    fill_curves();
    char empty[128], dir[128];
    snprintf(empty, sizeof empty, "%s/emptybin", tmpdir);
    snprintf(dir, sizeof dir, "%s/nognuplot", tmpdir);
    assert_int_equal(mkdir(empty, 0700), 0);
    const char *old = getenv("PATH");
    char *saved = old ? strdup(old) : NULL;
    setenv("PATH", empty, 1);
    dr_gnuplot_options o = {.dir = dir, .name = "fam"};
    int st = dr_gnuplot_curve_family(&o, xs, NX, fs, us, ts, 3);
    char buf[256];
    int find = dr_gnuplot_find(buf, sizeof buf);
    if (saved) {
        setenv("PATH", saved, 1);
        free(saved);
    } else {
        unsetenv("PATH");
    }
    assert_int_equal(st, DR_EUNSUPPORTED);
    assert_int_equal(find, DR_EUNSUPPORTED);
    assert_int_equal(strncmp(dr_error_message(), "gnuplot not found", 17), 0);
    /* the files are there for a later `gnuplot fam.gp`, the picture is not */
    assert_true(file_size(dir, "fam.dat") > 0);
    assert_true(file_size(dir, "fam.gp") > 0);
    assert_int_equal(file_size(dir, "fam.png"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_curve_family_png),
        cmocka_unit_test(test_lines_loglog_and_svg),
        cmocka_unit_test(test_gnuplot_error_is_a_status),
        cmocka_unit_test(test_gnuplot_missing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
