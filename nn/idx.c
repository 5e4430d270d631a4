/* SPDX-License-Identifier: GPL-3.0-or-later */
/* IDX files (the MNIST format) through zlib, which reads gzip and plain files alike, and the
 * MNIST-style data set built from an images/labels pair. */
#include "deeprelax/nn.h"
#include "../solver/dr_args.h"
#include "deeprelax/error.h"
#include "deeprelax/input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Caps on what a header may declare, checked before a byte of data is read or allocated (a
 * few megabytes of gzip can declare and hold gigabytes): 2^28 bytes in all (MNIST's training
 * images are 47 MB), images at most 1024 pixels a side. */
#define IDX_MAX_BYTES ((size_t)1 << 28)
#define IDX_MAX_SIDE ((size_t)1024)
#define IDX_FIRST_CHUNK ((size_t)1 << 24)

static int read_exact(gzFile f, const char *path, void *buf, size_t n, const char *what)
{
    unsigned char *p = buf;
    while (n > 0) {
        unsigned chunk = n > (1u << 30) ? (1u << 30) : (unsigned)n;
        int got = gzread(f, p, chunk);
        if (got < 0) {
            int zerr;
            const char *msg = gzerror(f, &zerr);
            return dr_error(DR_EFORMAT, "%s: corrupt compressed data while reading the %s (%s)",
                            path, what, msg);
        }
        if (got == 0)
            return dr_error(DR_EFORMAT, "%s: truncated: the file ends inside the %s", path, what);
        p += got;
        n -= (size_t)got;
    }
    return DR_SUCCESS;
}

/* Reads and checks the header: magic, dims[0..want_dims), the caps, and what the consumer
 * expects (want_count examples, want_features = rows x cols per image; 0: anything). */
static int read_header(gzFile f, const char *path, int want_dims, size_t want_count,
                       size_t want_features, size_t dims[3], size_t *total)
{
    unsigned char head[4 + 4 * 3];
    size_t head_len = 4 + 4 * (size_t)want_dims;
    int status = read_exact(f, path, head, 4, "header");
    if (status) return status;
    unsigned magic = (unsigned)head[0] << 24 | (unsigned)head[1] << 16 | (unsigned)head[2] << 8 |
                     head[3];
    unsigned want = 0x0800u | (unsigned)want_dims;
    if (magic != want)
        return dr_error(DR_EFORMAT, "%s: wrong magic number 0x%08x (expected 0x%08x: %s)", path,
                        magic, want, want_dims == 1 ? "unsigned-byte labels" : "unsigned-byte images");
    if ((status = read_exact(f, path, head + 4, head_len - 4, "header"))) return status;
    for (int k = 0; k < want_dims; k++) {
        const unsigned char *b = head + 4 + 4 * k;
        dims[k] = (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];
        if (dims[k] == 0)
            return dr_error(DR_EFORMAT, "%s: implausible dimension 0 (number %d) in the header",
                            path, k + 1);
    }
    /* the model's input size first: it names the real mismatch */
    if (want_dims == 3 && want_features && dims[1] * dims[2] != want_features)
        return dr_error(DR_EFORMAT, "%s: images of %zu x %zu = %zu pixels, but the model takes %zu "
                        "inputs (model and data do not match)", path, dims[1], dims[2],
                        dims[1] * dims[2], want_features);
    *total = 1;
    for (int k = 0; k < want_dims; k++) {
        if (k > 0 && dims[k] > IDX_MAX_SIDE)
            return dr_error(DR_EFORMAT, "%s: images of %zu pixels a side (dimension %d), above "
                            "the cap of %zu", path, dims[k], k + 1, IDX_MAX_SIDE);
        if (dims[k] > IDX_MAX_BYTES / *total)
            return dr_error(DR_EFORMAT, "%s: the header declares more than %zu bytes of data "
                            "(the cap), at dimension %d = %zu", path, IDX_MAX_BYTES, k + 1, dims[k]);
        *total *= dims[k];
    }
    if (want_count && dims[0] != want_count)
        return dr_error(DR_EFORMAT, "%s: %zu images but its labels file has %zu labels", path,
                        dims[0], want_count);
    return DR_SUCCESS;
}

static int idx_read(const char *path, int want_dims, size_t want_count, size_t want_features,
                    size_t dims[3], unsigned char **data)
{
    *data = NULL;
    if (want_dims < 1 || want_dims > 3)
        return dr_error(DR_EINVAL, "IDX: want_dims must be 1..3 (got %d)", want_dims);
    int fd;
    int status = dr_input_open_fd(&fd, path, DR_INPUT_MAX_BYTES, NULL);
    if (status) return status;
    gzFile f = gzdopen(fd, "rb");
    if (!f) {
        close(fd);
        return dr_error(DR_ENOMEM, "%s: cannot open: out of memory", path);
    }
    size_t total = 0;
    status = read_header(f, path, want_dims, want_count, want_features, dims, &total);
    /* The buffer grows with the data actually read, so a header that claims gigabytes on top
     * of a short (or hostile) file fails as truncated instead of allocating them first. */
    unsigned char *buf = NULL;
    for (size_t have = 0, cap = 0; status == DR_SUCCESS && have < total;) {
        cap = cap ? 2 * cap : IDX_FIRST_CHUNK;
        if (cap > total) cap = total;
        unsigned char *grown = realloc(buf, cap);
        if (!grown) {
            status = dr_error(DR_ENOMEM, "%s: cannot allocate %zu bytes", path, cap);
            break;
        }
        buf = grown;
        status = read_exact(f, path, buf + have, cap - have, "data");
        have = cap;
    }
    if (status == DR_SUCCESS) {
        unsigned char extra;
        int got = gzread(f, &extra, 1);
        if (got != 0)
            status = dr_error(DR_EFORMAT, got < 0 ? "%s: corrupt compressed data after the data"
                              : "%s: longer than its header says (counts do not match the data)",
                              path);
    }
    gzclose(f);
    if (status != DR_SUCCESS) {
        free(buf);
        return status;
    }
    *data = buf;
    return DR_SUCCESS;
}

int dr_idx_read(const char *path, int want_dims, size_t dims[3], unsigned char **data)
{
    return idx_read(path, want_dims, 0, 0, dims, data);
}

/* dir/name or dir/name.gz, whichever exists (plain first). */
static int find_file(const char *dir, const char *name, char *out, size_t outlen)
{
    struct stat st;
    snprintf(out, outlen, "%s/%s", dir, name);
    if (stat(out, &st) == 0)
        return 1;
    snprintf(out, outlen, "%s/%s.gz", dir, name);
    return stat(out, &st) == 0;
}

int dr_dataset_load_for(dr_dataset *d, const char *dir, int train, size_t features)
{
    DR_CHECK_PTRS(d, dir);
    memset(d, 0, sizeof *d);
    const char *img_name = train ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte";
    const char *lab_name = train ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte";
    char img_path[4096], lab_path[4096];
    if (!find_file(dir, img_name, img_path, sizeof img_path))
        return dr_error(DR_EIO, "%s/%s(.gz): no such file", dir, img_name);
    if (!find_file(dir, lab_name, lab_path, sizeof lab_path))
        return dr_error(DR_EIO, "%s/%s(.gz): no such file", dir, lab_name);
    size_t idims[3], ldims[3];
    unsigned char *pix = NULL, *lab = NULL;
    /* the labels first (one byte an example): the images' header is then checked against
     * their count and the model's input size before the large file is decompressed */
    int status = idx_read(lab_path, 1, 0, 0, ldims, &lab);
    if (status != DR_SUCCESS)
        return status;
    status = idx_read(img_path, 3, ldims[0], features, idims, &pix);
    if (status != DR_SUCCESS) {
        free(lab);
        return status;
    }
    size_t n = idims[0], dim = idims[1] * idims[2];
    float *x = malloc(n * dim * sizeof *x);
    if (!x) {
        free(pix);
        free(lab);
        return dr_error(DR_ENOMEM, "cannot allocate %zu x %zu floats for %s", n, dim, img_path);
    }
    for (size_t i = 0; i < n * dim; i++)
        x[i] = (float)pix[i] * (1.0f / 255.0f);
    free(pix);
    int max_label = 0;
    for (size_t i = 0; i < n; i++)
        if (lab[i] > max_label)
            max_label = lab[i];
    *d = (dr_dataset){.n = n, .rows = idims[1], .cols = idims[2], .dim = dim, .x = x, .y = lab,
                      .n_classes = max_label + 1};
    return DR_SUCCESS;
}

int dr_dataset_load(dr_dataset *d, const char *dir, int train)
{
    return dr_dataset_load_for(d, dir, train, 0);
}

void dr_dataset_free(dr_dataset *d)
{
    if (!d)
        return;
    free(d->x);
    free(d->y);
    memset(d, 0, sizeof *d);
}

static int has_train_images(const char *dir)
{
    char path[4096];
    return find_file(dir, "train-images-idx3-ubyte", path, sizeof path);
}

int dr_data_dir(const char *given, char *out, size_t outlen)
{
    const char *env = getenv("DEEPRELAX_DATA");
    const char *dir = given && *given ? given : env && *env ? env : NULL;
    if (dir) {
        if (!has_train_images(dir))
            return dr_error(DR_ENOTFOUND, "%s: no train-images-idx3-ubyte(.gz) there (from %s)",
                            dir, given && *given ? "--data" : "$DEEPRELAX_DATA");
        snprintf(out, outlen, "%s", dir);
        return DR_SUCCESS;
    }
    char home_dir[4096] = "";
    const char *home = getenv("HOME");
    if (home)
        snprintf(home_dir, sizeof home_dir, "%s/.local/share/deeprelax/mnist", home);
    const char *places[] = {"data/mnist", home_dir, "/usr/share/datasets/mnist"};
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++)
        if (places[i][0] && has_train_images(places[i])) {
            snprintf(out, outlen, "%s", places[i]);
            return DR_SUCCESS;
        }
    return dr_error(DR_ENOTFOUND, "no MNIST data found: give --data DIR or set DEEPRELAX_DATA "
                    "(looked in data/mnist, ~/.local/share/deeprelax/mnist, "
                    "/usr/share/datasets/mnist; scripts/fetch-mnist.sh downloads it)");
}
