/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Model files (dr_mlp_load). Properties: no memory error; the header, the configuration and
 * the file size are checked before anything is allocated; a clean message on failure. */
#include "deeprelax/nn.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("m.bin", data, size);
    dr_mlp *m = NULL;
    float *w = NULL;
    int status = dr_mlp_load(path, 4, &m, &w);
    fuzz_check_message(status);
    if (status == DR_SUCCESS) {
        free(w);
        dr_mlp_free(m);
    } else if (m || w) {
        abort();
    }
    return 0;
}
