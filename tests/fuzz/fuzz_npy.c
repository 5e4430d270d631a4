/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The .npy reader (dr_npy_read). Properties: no memory error; on success the shape's product
 * is the number of values read (ASan checks the buffer holds them); on failure no buffer. */
#include "deeprelax/npy.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("a.npy", data, size);
    int ndim;
    size_t shape[3];
    double *v = NULL;
    int status = dr_npy_read(path, &ndim, shape, &v);
    fuzz_check_message(status);
    if (status == DR_SUCCESS) {
        size_t count = 1;
        for (int a = 0; a < ndim; a++) count *= shape[a];
        volatile double sum = 0;
        for (size_t i = 0; i < count; i++) sum += v[i];
        (void)sum;
        free(v);
    } else if (v) {
        abort();
    }
    return 0;
}
