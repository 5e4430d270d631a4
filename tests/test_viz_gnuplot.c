/* SPDX-License-Identifier: GPL-3.0-or-later */
/* gnuplot at run time (viz/gnuplot.c).
 * - With gnuplot installed: a curve family and a log-log "lines from columns" plot each give a
 *   PNG that decodes (libpng read-back) to exactly the size asked for, and an SVG that starts
 *   like one; data and script files stay in the directory for restyling. Skipped without it.
 * - Without gnuplot (PATH pointing to an empty directory): the distinct status DR_EUNSUPPORTED
 *   with a message starting "gnuplot not found", and the data and script still written.
 * - A script gnuplot rejects gives DR_EIO with gnuplot's own message, not output on stderr.
 * - Heatmap panels (dr_gnuplot_heatmaps): a field spanning under a quarter of the common range
 *   gets its own colour scale (no `set cbrange` in the script), one spanning all of it shares
 *   one; the marks are written into the script; a PDF output starts "%PDF-". Bad arguments
 *   (a 1-D grid, no panel) are DR_EINVAL. */
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

/* Reads DIR/NAME.gp into buf. */
static void read_script(const char *name, char *buf, size_t size)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.gp", tmpdir, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static void test_heatmaps_scale_and_marks(void **state)
{
    (void)state;
    enum { N = 21 };
    static double a[N * N], b[N * N], c[N * N];
    dr_grid g;
    size_t n[2] = {N, N};
    double lo[2] = {-1, -1}, hi[2] = {1, 1};
    assert_int_equal(dr_grid_init(&g, 2, n, lo, hi), DR_SUCCESS);
    for (size_t j = 0; j < N; j++)
        for (size_t i = 0; i < N; i++) {
            double x = dr_grid_coord(&g, 0, i), y = dr_grid_coord(&g, 1, j);
            a[j * N + i] = 100 * (x * x + y * y); /* range 0..200 */
            b[j * N + i] = x * x + y * y;         /* range 0..2: 1% of the common range */
            c[j * N + i] = 150 * (x * x + y * y); /* range 0..300 */
        }
    double mark[2] = {0, 0};
    dr_gnuplot_panel p[2] = {{.field = a, .title = "f(x, y)", .marks = mark, .nmarks = 1},
                             {.field = b, .title = "u(x, y, t = 1)"}};
    dr_gnuplot_options o = {.dir = tmpdir, .name = "heat", .title = "paraboloids",
                            .xlabel = "x", .ylabel = "y", .cblabel = "f, u"};
    /* the script is written before gnuplot runs: its content is checked with or without it */
    int st = dr_gnuplot_heatmaps(&o, &g, p, 2, DR_HEATMAP_AUTO);
    assert_true(st == DR_SUCCESS || (st == DR_EUNSUPPORTED && !have_gnuplot()));
    dr_error_clear();
    static char text[1 << 16];
    read_script("heat", text, sizeof text);
    assert_null(strstr(text, "set cbrange")); /* b spans 1% of 0..200: a scale of its own */
    assert_non_null(strstr(text, "set cblabel 'f, u'"));
    assert_non_null(strstr(text, "\n0 0\ne\n")); /* the mark, inline */
    p[1].field = c; /* 0..300 against 0..300: one shared scale */
    o.name = "heat2";
    o.output = NULL;
    o.terminal = DR_GNUPLOT_PDF;
    st = dr_gnuplot_heatmaps(&o, &g, p, 2, DR_HEATMAP_AUTO);
    assert_true(st == DR_SUCCESS || (st == DR_EUNSUPPORTED && !have_gnuplot()));
    dr_error_clear();
    read_script("heat2", text, sizeof text);
    assert_non_null(strstr(text, "set cbrange [0:300]"));
    assert_non_null(strstr(text, "set terminal pdfcairo"));
    if (have_gnuplot()) {
        char path[256], head[6] = "";
        snprintf(path, sizeof path, "%s/heat2.pdf", tmpdir);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        assert_int_equal(fread(head, 1, 5, f), 5);
        fclose(f);
        assert_string_equal(head, "%PDF-");
    }
    dr_grid g1;
    size_t n1[1] = {N};
    assert_int_equal(dr_grid_init(&g1, 1, n1, lo, hi), DR_SUCCESS);
    assert_int_equal(dr_gnuplot_heatmaps(&o, &g1, p, 2, DR_HEATMAP_AUTO), DR_EINVAL);
    assert_int_equal(dr_gnuplot_heatmaps(&o, &g, p, 0, DR_HEATMAP_AUTO), DR_EINVAL);
    dr_error_clear();
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
        cmocka_unit_test(test_heatmaps_scale_and_marks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
