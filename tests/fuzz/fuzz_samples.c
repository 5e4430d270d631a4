/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Landscape sample files (dr_landscape_alloc_file): CSV by default, the .npy reader when the
 * bytes start with its magic. Properties: no memory error, a clean one-line message on
 * failure, and a landscape that evaluates to finite values inside its box on success. */
#include <math.h>

#include "deeprelax/landscape.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("samples.csv", data, size);
    static const double domain[4] = {-1, 1, -2, 2};
    dr_landscape *f = NULL;
    int status = dr_landscape_alloc_file(&f, path, domain);
    fuzz_check_message(status);
    if (status == DR_SUCCESS) {
        double lo[2], hi[2], x[2], g[2];
        dr_landscape_domain(f, lo, hi);
        for (int a = 0; a < 2; a++) x[a] = 0.5 * (lo[a] + hi[a]);
        double v = dr_landscape_value_grad(f, x, g);
        if (!isfinite(v)) { fprintf(stderr, "non-finite value %g inside the box\n", v); abort(); }
        dr_landscape_free(f);
    } else if (f) {
        abort();
    }
    return 0;
}
