/* SPDX-License-Identifier: GPL-3.0-or-later */
/* IDX files, plain or gzip (dr_idx_read, and dr_dataset_load_for on an images/labels pair whose
 * labels are fixed). Properties: no memory error, the data is as long as the header says, and
 * a header above the caps or unlike the consumer (784 inputs) is refused. */
#include "deeprelax/nn.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int want = size > 0 && (data[0] & 1) ? 1 : 3;
    const char *path = fuzz_write("train-images-idx3-ubyte", data, size);
    size_t dims[3];
    unsigned char *v = NULL;
    int status = dr_idx_read(path, want, dims, &v);
    fuzz_check_message(status);
    if (status == DR_SUCCESS) {
        size_t total = 1;
        for (int k = 0; k < want; k++) total *= dims[k];
        volatile unsigned sum = 0;
        for (size_t i = 0; i < total; i++) sum += v[i];
        (void)sum;
        free(v);
    }
    /* a dataset: these images with two labels, for a model of 784 inputs */
    static const uint8_t labels[] = {0, 0, 8, 1, 0, 0, 0, 2, 3, 7};
    fuzz_write("train-labels-idx1-ubyte", labels, sizeof labels);
    char dir[128];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    dr_dataset d;
    status = dr_dataset_load_for(&d, dir, 1, 784);
    fuzz_check_message(status);
    if (status == DR_SUCCESS) {
        if (d.n != 2 || d.dim != 784) abort();
        dr_dataset_free(&d);
    }
    return 0;
}
