/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the .npy reader and writer: exact round trips, the header layout numpy expects, every
 * rejection (magic, version, dtype, order, shape, truncation, trailing bytes, hostile sizes), and
 * compatibility both ways with NumPy itself when /usr/bin/python3 has it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deeprelax/error.h"
#include "deeprelax/npy.h"

static char dir[64], path[128];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/dr_npy_XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(path, sizeof path, "%s/a.npy", dir);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_bytes(const void *p, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fwrite(p, 1, n, fp);
    fclose(fp);
}

/* A version-1.0 file with the given dict and `data_bytes` bytes of zeros. */
static void write_npy_rawn(const char *dict, size_t len, size_t data_bytes)
{
    unsigned char buf[4096] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    buf[8] = (unsigned char)(len & 0xff);
    buf[9] = (unsigned char)(len >> 8);
    memcpy(buf + 10, dict, len);
    assert_true(10 + len + data_bytes <= sizeof buf);
    write_bytes(buf, 10 + len + data_bytes);
}
static void write_npy_raw(const char *dict, size_t data_bytes)
{
    write_npy_rawn(dict, strlen(dict), data_bytes);
}

static void expect_read_error(int status, const char *fragment)
{
    int ndim;
    size_t shape[3];
    double *data = (double *)1;
    int st = dr_npy_read(path, &ndim, shape, &data);
    if (st != status || !strstr(dr_error_message(), fragment))
        fail_msg("status %d message '%s' (expected %d, '%s')", st, dr_error_message(), status, fragment);
    assert_null(data);
}

static void test_roundtrip(void **state)
{
    (void)state;
    double v[60];
    for (int i = 0; i < 60; i++) v[i] = (i - 30) * 0.1 + 1e-300 * i; /* not representable in text */
    size_t shapes[3][3] = {{60, 0, 0}, {6, 10, 0}, {3, 4, 5}};
    for (int nd = 1; nd <= 3; nd++) {
        assert_int_equal(dr_npy_write(path, nd, shapes[nd - 1], v), DR_SUCCESS);
        /* numpy's layout: the data start on a multiple of 64 bytes */
        FILE *fp = fopen(path, "rb");
        fseek(fp, 0, SEEK_END);
        long size = ftell(fp);
        fclose(fp);
        assert_int_equal((size - 60 * 8) % 64, 0);
        int ndim;
        size_t shape[3];
        double *data;
        assert_int_equal(dr_npy_read(path, &ndim, shape, &data), DR_SUCCESS);
        assert_int_equal(ndim, nd);
        for (int a = 0; a < nd; a++) assert_int_equal(shape[a], shapes[nd - 1][a]);
        assert_memory_equal(data, v, sizeof v); /* bit-exact */
        free(data);
    }
    size_t bad = 4;
    assert_int_equal(dr_npy_write(path, 4, &bad, v), DR_EINVAL);
    assert_int_equal(dr_npy_write("/nonexistent-dir/x.npy", 1, &bad, v), DR_EIO);
}

static void test_rejections(void **state)
{
    (void)state;
    write_bytes("", 0);
    expect_read_error(DR_EFORMAT, "bad magic");
    write_bytes("x,f\n0,1\n1,2\n", 12);
    expect_read_error(DR_EFORMAT, "bad magic");
    write_bytes("\x93NUMPY\x01\x00\x40", 9);
    expect_read_error(DR_EFORMAT, "bad magic"); /* shorter than the preamble */
    write_bytes("\x93NUMPY\x09\x00\x10\x00{}", 12);
    expect_read_error(DR_EFORMAT, "unsupported .npy version 9.0");
    write_bytes("\x93NUMPY\x01\x00\xff\x00{'descr'", 18);
    expect_read_error(DR_EFORMAT, "truncated or oversized .npy header");

    write_npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", 8);
    expect_read_error(DR_EFORMAT, "dtype '<f4' is not float64");
    write_npy_raw("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }\n", 16);
    expect_read_error(DR_EFORMAT, "is not float64");
    write_npy_raw("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }\n", 32);
    expect_read_error(DR_EFORMAT, "Fortran order");
    write_npy_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (), }\n", 8);
    expect_read_error(DR_EFORMAT, "scalar");
    write_npy_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 2, 2), }\n", 128);
    expect_read_error(DR_EFORMAT, "more than 3 dimensions");
    write_npy_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (2, x), }\n", 32);
    expect_read_error(DR_EFORMAT, "bad 'shape'");
    write_npy_raw("{'descr': '<f8', 'fortran_order': False}\n", 8);
    expect_read_error(DR_EFORMAT, "no 'shape'");
    /* Hostile sizes: no allocation is attempted, the file size decides. */
    write_npy_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (1152921504606846976,), }\n", 8);
    expect_read_error(DR_EFORMAT, "truncated .npy data");
    write_npy_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n", 8);
    expect_read_error(DR_EFORMAT, "shape too large");
    write_npy_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }\n", 8);
    expect_read_error(DR_EFORMAT, "too large");
    write_npy_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\n", 16);
    expect_read_error(DR_EFORMAT, "truncated .npy data: 16 bytes for 3 values");
    write_npy_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", 16);
    expect_read_error(DR_EFORMAT, "8 unexpected bytes");
    static const char nul_dict[] = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)\0, }\n";
    write_npy_rawn(nul_dict, sizeof nul_dict - 1, 8);
    expect_read_error(DR_EFORMAT, "NUL");
    snprintf(path, sizeof path, "%s/missing.npy", dir);
    expect_read_error(DR_EIO, "cannot open");
    snprintf(path, sizeof path, "%s", dir);
    expect_read_error(DR_EIO, "not a regular file");
    snprintf(path, sizeof path, "%s/a.npy", dir);
}

/* NumPy itself: np.save read by us, our file read by np.load. Skipped without numpy. */
static void test_numpy_compat(void **state)
{
    (void)state;
    if (system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0) skip();
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import numpy as np; np.save('%s', np.arange(12.0).reshape(3, 4) / 7)\"",
             path);
    assert_int_equal(system(cmd), 0);
    int ndim;
    size_t shape[3];
    double *data;
    assert_int_equal(dr_npy_read(path, &ndim, shape, &data), DR_SUCCESS);
    assert_int_equal(ndim, 2);
    assert_int_equal(shape[0], 3);
    assert_int_equal(shape[1], 4);
    for (int k = 0; k < 12; k++) assert_true(data[k] == k / 7.0); /* same IEEE division */
    /* and back: numpy checks our file against the same expression */
    assert_int_equal(dr_npy_write(path, 2, shape, data), DR_SUCCESS);
    free(data);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import numpy as np, sys; a = np.load('%s'); "
             "sys.exit(0 if a.shape == (3, 4) and a.dtype == np.float64 and "
             "(a == np.arange(12.0).reshape(3, 4) / 7).all() else 1)\"", path);
    assert_int_equal(system(cmd), 0);
    /* a Fortran-order file from numpy is refused, not misread */
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import numpy as np; np.save('%s', np.asfortranarray(np.ones((3, 4))))\"",
             path);
    assert_int_equal(system(cmd), 0);
    expect_read_error(DR_EFORMAT, "Fortran order");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_numpy_compat),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
