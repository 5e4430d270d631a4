/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The IDX reader: round trips of generated files (gzip and plain), and one clear DR_EFORMAT /
 * DR_EIO error for each kind of broken file; the real MNIST and Fashion-MNIST files when present,
 * checked against their published counts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "deeprelax/deeprelax.h"

static char dir[256];

/* Writes `len` bytes to dir/name, gzip-compressed if gz. */
static void write_file(const char *name, const unsigned char *buf, size_t len, int gz)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (gz) {
        gzFile f = gzopen(path, "wb");
        assert_non_null(f);
        if (len) assert_int_equal(gzwrite(f, buf, (unsigned)len), (int)len);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        if (len) assert_int_equal(fwrite(buf, 1, len, f), len);
        fclose(f);
    }
}

static size_t put_be32(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 24); p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8); p[3] = (unsigned char)v;
    return 4;
}

/* n images of r x c with pixel (i, k) = (7 i + k) mod 256; `extra` more or fewer data bytes. */
static size_t make_images(unsigned char *buf, unsigned magic, unsigned n, unsigned r, unsigned c,
                          long extra)
{
    size_t k = put_be32(buf, magic);
    k += put_be32(buf + k, n);
    k += put_be32(buf + k, r);
    k += put_be32(buf + k, c);
    size_t data = (size_t)((long)(n * r * c) + extra);
    for (size_t i = 0; i < data; i++)
        buf[k + i] = (unsigned char)((7 * (i / (r * c)) + i % (r * c)) % 256);
    return k + data;
}

static size_t make_labels(unsigned char *buf, unsigned n)
{
    size_t k = put_be32(buf, 0x801);
    k += put_be32(buf + k, n);
    for (unsigned i = 0; i < n; i++)
        buf[k + i] = (unsigned char)(i % 3);
    return k + n;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_nn_idx.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static void test_round_trip(void **state)
{
    (void)state;
    unsigned char buf[4096];
    for (int gz = 0; gz <= 1; gz++) {
        size_t len = make_images(buf, 0x803, 5, 4, 3, 0);
        write_file(gz ? "train-images-idx3-ubyte.gz" : "train-images-idx3-ubyte", buf, len, gz);
        len = make_labels(buf, 5);
        write_file(gz ? "train-labels-idx1-ubyte.gz" : "train-labels-idx1-ubyte", buf, len, gz);
        char path[512];
        snprintf(path, sizeof path, "%s/train-images-idx3-ubyte%s", dir, gz ? ".gz" : "");
        size_t dims[3];
        unsigned char *data;
        assert_int_equal(dr_idx_read(path, 3, dims, &data), DR_SUCCESS);
        assert_int_equal(dims[0], 5);
        assert_int_equal(dims[1], 4);
        assert_int_equal(dims[2], 3);
        /* image 2, pixel 5: (7*2 + 5) mod 256 = 19, as written */
        assert_int_equal(data[2 * 12 + 5], 19);
        free(data);
        dr_dataset d;
        assert_int_equal(dr_dataset_load(&d, dir, 1), DR_SUCCESS);
        assert_int_equal(d.n, 5);
        assert_int_equal(d.dim, 12);
        assert_int_equal(d.n_classes, 3); /* labels i mod 3 */
        assert_float_equal(d.x[2 * 12 + 5], 19.0f / 255.0f, 1e-7);
        assert_int_equal(d.y[4], 1);
        dr_dataset_free(&d);
        /* leave only one flavour present for the next round */
        snprintf(path, sizeof path, "%s/train-images-idx3-ubyte%s", dir, gz ? ".gz" : "");
        unlink(path);
        snprintf(path, sizeof path, "%s/train-labels-idx1-ubyte%s", dir, gz ? ".gz" : "");
        unlink(path);
    }
}

/* Each broken file must fail with `status` and a message containing `needle`. */
static void expect_failure(const char *name, int want_dims, int status, const char *needle)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t dims[3];
    unsigned char *data = (unsigned char *)1;
    assert_int_equal(dr_idx_read(path, want_dims, dims, &data), status);
    assert_null(data);
    const char *msg = dr_error_message();
    if (!strstr(msg, needle) || !strstr(msg, name)) {
        print_error("message '%s' lacks '%s' or the file name\n", msg, needle);
        fail();
    }
}

static void test_broken_files(void **state)
{
    (void)state;
    unsigned char buf[4096];
    for (int gz = 0; gz <= 1; gz++) {
        size_t len = make_images(buf, 0x803, 5, 4, 3, -1); /* one byte short */
        write_file("short", buf, len, gz);
        expect_failure("short", 3, DR_EFORMAT, "truncated");
        len = make_images(buf, 0x803, 5, 4, 3, +1); /* one byte too many */
        write_file("long", buf, len, gz);
        expect_failure("long", 3, DR_EFORMAT, "longer than its header");
        len = make_images(buf, 0x80b, 5, 4, 3, 0); /* float32 magic, not bytes */
        write_file("magic", buf, len, gz);
        expect_failure("magic", 3, DR_EFORMAT, "wrong magic");
        len = make_labels(buf, 5); /* labels where images are wanted */
        write_file("labels", buf, len, gz);
        expect_failure("labels", 3, DR_EFORMAT, "wrong magic");
        write_file("header", buf, 6, gz); /* ends inside the header */
        expect_failure("header", 1, DR_EFORMAT, "truncated");
        write_file("empty", buf, 0, gz);
        expect_failure("empty", 1, DR_EFORMAT, "truncated");
        len = make_images(buf, 0x803, 0, 4, 3, 0); /* zero images */
        write_file("zero", buf, len, gz);
        expect_failure("zero", 3, DR_EFORMAT, "implausible dimension");
    }
    /* the caps, from the header alone (the data after it is never read): a side of 1025
     * pixels (the cap is 1024), and 3 x 2^26 images of 2 x 1 (3 x 2^27 bytes, the cap 2^28) */
    size_t len = make_images(buf, 0x803, 1, 1025, 1, -1025);
    write_file("wide", buf, len, 1);
    expect_failure("wide", 3, DR_EFORMAT, "1025 pixels a side (dimension 2), above the cap of 1024");
    len = make_images(buf, 0x803, 3u << 26, 2, 1, -(3L << 27));
    write_file("many", buf, len, 1);
    expect_failure("many", 3, DR_EFORMAT, "more than 268435456 bytes of data (the cap)");
    /* a gzip stream whose deflate data is garbage */
    unsigned char bad[64] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    for (size_t i = 10; i < sizeof bad; i++)
        bad[i] = (unsigned char)(0xff - i);
    write_file("corrupt.gz", bad, sizeof bad, 0);
    expect_failure("corrupt.gz", 1, DR_EFORMAT, "corrupt");
    expect_failure("missing", 1, DR_EIO, "cannot open");
}

static void test_mismatched_counts(void **state)
{
    (void)state;
    unsigned char buf[4096];
    size_t len = make_images(buf, 0x803, 5, 4, 3, 0);
    write_file("t10k-images-idx3-ubyte", buf, len, 0);
    len = make_labels(buf, 4);
    write_file("t10k-labels-idx1-ubyte.gz", buf, len, 1);
    dr_dataset d;
    assert_int_equal(dr_dataset_load(&d, dir, 0), DR_EFORMAT);
    assert_non_null(strstr(dr_error_message(), "5 images but"));
    assert_non_null(strstr(dr_error_message(), "4 labels"));
    assert_int_equal(dr_dataset_load(&d, "/nonexistent-dir", 0), DR_EIO);
    /* an explicit directory without data is an error, not a silent fallback */
    char out[512];
    assert_int_equal(dr_data_dir("/nonexistent-dir", out, sizeof out), DR_ENOTFOUND);
}

/* Label counts of a real data set against its published table. */
static void check_real(const char *path, int train, size_t n, const size_t *counts)
{
    dr_dataset d;
    assert_int_equal(dr_dataset_load(&d, path, train), DR_SUCCESS);
    assert_int_equal(d.n, n);
    assert_int_equal(d.dim, 784);
    assert_int_equal(d.n_classes, 10);
    size_t got[10] = {0};
    for (size_t i = 0; i < d.n; i++)
        got[d.y[i]]++;
    for (int k = 0; k < 10; k++)
        assert_int_equal(got[k], counts[k]);
    dr_dataset_free(&d);
}

static void test_real_data(void **state)
{
    (void)state;
    const char *mnist = test_mnist_dir();
    if (mnist) {
        /* the class counts of the original distribution (its README) */
        const size_t train[10] = {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};
        const size_t test[10] = {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};
        check_real(mnist, 1, 60000, train);
        check_real(mnist, 0, 10000, test);
    }
    const char *fashion = test_fashion_dir();
    if (fashion) {
        /* Fashion-MNIST is balanced by construction: 6000 and 1000 per class */
        const size_t train[10] = {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000};
        const size_t test[10] = {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000};
        check_real(fashion, 1, 60000, train);
        check_real(fashion, 0, 10000, test);
    }
    if (!mnist && !fashion)
        skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_broken_files),
        cmocka_unit_test(test_mismatched_counts),
        cmocka_unit_test(test_real_data),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
