/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PNG writing and reading (viz/png.c): an image written with dr_viz_png_write and read back with
 * dr_viz_png_read must have the same size and exactly the same pixels (PNG is lossless), and
 * bad files must give the right status instead of a crash. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deeprelax/deeprelax.h"

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_viz_png.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* An odd size (not a multiple of 8 or of the filter width) with a pattern in which every pixel
 * differs from its neighbours: a decoding or row-stride mistake changes some pixel. */
static void test_round_trip_exact(void **state)
{
    (void)state;
    dr_viz_image img;
    dr_rgb bg = {1, 2, 3};
    assert_int_equal(dr_viz_image_alloc(&img, 37, 23, bg), DR_SUCCESS);
    assert_int_equal(dr_viz_image_get(&img, 36, 22).b, 3); /* filled with the background */
    for (size_t j = 0; j < img.height; j++)
        for (size_t i = 0; i < img.width; i++) {
            dr_rgb c = {(unsigned char)(7 * i + 3 * j), (unsigned char)(11 * j), (unsigned char)(i * j)};
            dr_viz_image_set(&img, i, j, c);
        }
    char path[128];
    snprintf(path, sizeof path, "%s/pattern.png", tmpdir);
    assert_int_equal(dr_viz_png_write(&img, path), DR_SUCCESS);

    dr_viz_image back;
    assert_int_equal(dr_viz_png_read(&back, path), DR_SUCCESS);
    assert_int_equal(back.width, 37);
    assert_int_equal(back.height, 23);
    assert_memory_equal(back.pixels, img.pixels, 3 * 37 * 23);
    /* one pixel spelled out: (5, 9) = (7*5 + 3*9, 11*9, 5*9) = (62, 99, 45) */
    dr_rgb p = dr_viz_image_get(&back, 5, 9);
    assert_int_equal(p.r, 62);
    assert_int_equal(p.g, 99);
    assert_int_equal(p.b, 45);
    dr_viz_image_free(&back);
    dr_viz_image_free(&img);
    assert_null(img.pixels);
}

/* A caller-owned buffer works without any allocation by the library. */
static void test_caller_owned_buffer(void **state)
{
    (void)state;
    unsigned char buf[3 * 4 * 2];
    dr_viz_image img = {4, 2, buf};
    dr_rgb red = {255, 0, 0};
    dr_viz_image_fill(&img, red);
    char path[128];
    snprintf(path, sizeof path, "%s/red.png", tmpdir);
    assert_int_equal(dr_viz_png_write(&img, path), DR_SUCCESS);
    dr_viz_image back;
    assert_int_equal(dr_viz_png_read(&back, path), DR_SUCCESS);
    assert_int_equal(back.width, 4);
    assert_int_equal(back.height, 2);
    assert_memory_equal(back.pixels, buf, sizeof buf);
    dr_viz_image_free(&back);
}

static void test_bad_files(void **state)
{
    (void)state;
    dr_viz_image img;
    char path[128];
    /* missing file: an I/O error naming the file */
    snprintf(path, sizeof path, "%s/missing.png", tmpdir);
    assert_int_equal(dr_viz_png_read(&img, path), DR_EIO);
    assert_non_null(strstr(dr_error_message(), "missing.png"));
    /* not a PNG */
    snprintf(path, sizeof path, "%s/text.png", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("this is not a picture\n", f);
    fclose(f);
    assert_int_equal(dr_viz_png_read(&img, path), DR_EFORMAT);
    assert_null(img.pixels);
    /* a real PNG cut in the middle: libpng's error becomes DR_EFORMAT, not a crash */
    dr_viz_image big;
    const dr_rgb black = {0, 0, 0};
    assert_int_equal(dr_viz_image_alloc(&big, 200, 200, black), DR_SUCCESS);
    for (size_t k = 0; k < 3 * 200 * 200; k++)
        big.pixels[k] = (unsigned char)(rand() >> 7); /* hardly compressible */
    snprintf(path, sizeof path, "%s/cut.png", tmpdir);
    assert_int_equal(dr_viz_png_write(&big, path), DR_SUCCESS);
    dr_viz_image_free(&big);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size > 20000);
    assert_int_equal(truncate(path, sb.st_size / 2), 0);
    assert_int_equal(dr_viz_png_read(&img, path), DR_EFORMAT);
    assert_null(img.pixels);
    /* writing into a directory that does not exist */
    unsigned char px[3] = {0, 0, 0};
    dr_viz_image one = {1, 1, px};
    snprintf(path, sizeof path, "%s/no/such/dir/x.png", tmpdir);
    assert_int_equal(dr_viz_png_write(&one, path), DR_EIO);
    /* sizes out of range */
    assert_int_equal(dr_viz_image_alloc(&img, 0, 10, black), DR_EINVAL);
    assert_int_equal(dr_viz_image_alloc(&img, 10, 40000, black), DR_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_exact),
        cmocka_unit_test(test_caller_owned_buffer),
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
