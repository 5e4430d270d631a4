/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Model files: the MLP's configuration, flat parameters and batch-norm running statistics in a
 * little-endian binary file with a magic number, a version and a CRC-32 (zlib), all checked on
 * load so that a truncated, foreign or damaged file is refused rather than half-used. */
#include "deeprelax/nn.h"
#include "../solver/dr_args.h"
#include "deeprelax/error.h"
#include "deeprelax/output.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const unsigned char MAGIC[8] = {'D', 'R', 'M', 'L', 'P', '\r', '\n', 0x1a};
#define VERSION 1u
/* header: magic, version, n_layers, batchnorm, dropout_in, dropout_hidden (float32 bits),
 * sizes[DR_MLP_MAX_LAYERS + 1], n_params (64-bit), n_state (64-bit) */
#define HEADER_WORDS (5 + DR_MLP_MAX_LAYERS + 1 + 4)

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint32_t float_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float bits_float(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/* Floats as little-endian bytes, independent of the host's order. */
static void floats_to_bytes(unsigned char *out, const float *a, size_t n)
{
    for (size_t i = 0; i < n; i++) put32(out + 4 * i, float_bits(a[i]));
}

int dr_mlp_save(const char *path, const dr_mlp *m, const float *w)
{
    DR_CHECK_PTRS(path, m, w);
    const dr_mlp_config *c = dr_mlp_get_config(m);
    size_t np = dr_mlp_n_params(m), ns = dr_mlp_n_state(m);
    size_t head = 8 + 4 * HEADER_WORDS, total = head + 4 * (np + ns) + 4;
    unsigned char *buf = malloc(total);
    if (!buf)
        return dr_error(DR_ENOMEM, "%s: cannot allocate %zu bytes", path, total);
    memcpy(buf, MAGIC, 8);
    unsigned char *p = buf + 8;
    put32(p, VERSION); p += 4;
    put32(p, (uint32_t)c->n_layers); p += 4;
    put32(p, (uint32_t)c->batchnorm); p += 4;
    put32(p, float_bits(c->dropout_in)); p += 4;
    put32(p, float_bits(c->dropout_hidden)); p += 4;
    for (int l = 0; l <= DR_MLP_MAX_LAYERS; l++) {
        put32(p, l <= c->n_layers ? (uint32_t)c->sizes[l] : 0); p += 4;
    }
    put32(p, (uint32_t)np); put32(p + 4, (uint32_t)((uint64_t)np >> 32)); p += 8;
    put32(p, (uint32_t)ns); put32(p + 4, (uint32_t)((uint64_t)ns >> 32)); p += 8;
    floats_to_bytes(p, w, np); p += 4 * np;
    floats_to_bytes(p, dr_mlp_state((dr_mlp *)m), ns); p += 4 * ns;
    put32(p, (uint32_t)crc32(0L, buf, (uInt)(total - 4)));
    /* a crash, a full disk or a killed process leaves the old model or the new one */
    int status = dr_output_write_all(path, buf, total);
    free(buf);
    return status;
}

/* Parameter and running-statistics counts implied by a checked configuration: the layout of
 * dr_mlp_alloc (W and b per layer; gamma, beta and two running statistics instead of b on
 * hidden layers with batch norm). */
static void config_counts(const dr_mlp_config *c, uint64_t *np, uint64_t *ns)
{
    *np = *ns = 0;
    for (int l = 0; l < c->n_layers; l++) {
        uint64_t in = c->sizes[l], out = c->sizes[l + 1];
        int bn = l < c->n_layers - 1 && c->batchnorm;
        *np += in * out + (bn ? 2 * out : out);
        *ns += bn ? 2 * out : 0;
    }
}

#define HEAD_BYTES (8 + 4 * HEADER_WORDS)

/* The header of an open model file: magic, version, configuration and counts, checked against
 * each other and the file's size before anything is allocated (widths up to 2^20 would otherwise
 * let a damaged header ask for terabytes). */
static int read_header(const char *path, FILE *f, unsigned char head[HEAD_BYTES],
                       dr_mlp_config *c, uint64_t *np_out, uint64_t *ns_out)
{
    size_t got = fread(head, 1, HEAD_BYTES, f);
    if (got < 8 || memcmp(head, MAGIC, 8) != 0)
        return dr_error(DR_EFORMAT, "%s: not a deeprelax model file (wrong magic number)", path);
    if (got < HEAD_BYTES)
        return dr_error(DR_EFORMAT, "%s: truncated model file (header)", path);
    const unsigned char *p = head + 8;
    uint32_t version = get32(p);
    if (version != VERSION)
        return dr_error(DR_EFORMAT, "%s: model file version %u (this build reads version %u)",
                        path, version, VERSION);
    memset(c, 0, sizeof *c);
    c->n_layers = (int)get32(p + 4);
    c->batchnorm = (int)get32(p + 8);
    c->dropout_in = bits_float(get32(p + 12));
    c->dropout_hidden = bits_float(get32(p + 16));
    p += 20;
    for (int l = 0; l <= DR_MLP_MAX_LAYERS; l++, p += 4)
        c->sizes[l] = get32(p);
    uint64_t np = get32(p) | (uint64_t)get32(p + 4) << 32;
    uint64_t ns = get32(p + 8) | (uint64_t)get32(p + 12) << 32;
    if (c->n_layers < 1 || c->n_layers > DR_MLP_MAX_LAYERS || dr_mlp_config_check(c))
        return dr_error(DR_EFORMAT, "%s: corrupt model file (impossible network configuration)",
                        path);
    uint64_t want_np, want_ns;
    config_counts(c, &want_np, &want_ns);
    if (np != want_np || ns != want_ns)
        return dr_error(DR_EFORMAT, "%s: corrupt model file (%llu parameters recorded, the "
                        "configuration has %llu)", path, (unsigned long long)np,
                        (unsigned long long)want_np);
    struct stat st;
    uint64_t size = HEAD_BYTES + 4 * (np + ns) + 4;
    if (fstat(fileno(f), &st) != 0 || (uint64_t)st.st_size != size)
        return dr_error(DR_EFORMAT, "%s: %s model file (%lld bytes, the header implies %llu)", path,
                        (uint64_t)st.st_size < size ? "truncated" : "oversized",
                        (long long)st.st_size, (unsigned long long)size);
    *np_out = np;
    *ns_out = ns;
    return DR_SUCCESS;
}

/* The parameters w and the running statistics (state) from the data after the header, each
 * checked: finite, and a batch-norm layer's `out` means then `out` non-negative variances. */
static int decode_body(const char *path, const unsigned char *q, const dr_mlp_config *c,
                       size_t np, size_t ns, float *w, float *state)
{
    for (size_t i = 0; i < np; i++, q += 4)
        w[i] = bits_float(get32(q));
    for (size_t i = 0; i < ns; i++, q += 4)
        state[i] = bits_float(get32(q));
    for (size_t i = 0; i < np; i++)
        if (!isfinite(w[i]))
            return dr_error(DR_EFORMAT, "%s: parameter %zu is not finite", path, i);
    size_t off = 0;
    for (int l = 0; c->batchnorm && l < c->n_layers - 1; l++) {
        size_t out = c->sizes[l + 1];
        for (size_t j = 0; j < 2 * out; j++) {
            float v = state[off + j];
            if (!isfinite(v) || (j >= out && v < 0))
                return dr_error(DR_EFORMAT, "%s: batch-norm running %s %zu of layer %d is %s",
                                path, j < out ? "mean" : "variance", j % out, l + 1,
                                isfinite(v) ? "negative" : "not finite");
        }
        off += 2 * out;
    }
    return DR_SUCCESS;
}

int dr_mlp_load(const char *path, size_t max_batch, dr_mlp **mp, float **wp)
{
    DR_CHECK_PTRS(path, mp, wp);
    *mp = NULL;
    *wp = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return dr_error(DR_EIO, "%s: cannot open: %s", path, strerror(errno));
    /* a directory opens for reading and reads as nothing; a FIFO or device has no size to
     * check the header against: neither is a model file */
    struct stat kind;
    if (fstat(fileno(f), &kind) != 0 || !S_ISREG(kind.st_mode)) {
        fclose(f);
        return dr_error(DR_EIO, "%s: not a regular file (%s)", path,
                        S_ISDIR(kind.st_mode) ? "a directory" : "a device, FIFO or socket");
    }
    unsigned char head[HEAD_BYTES], *buf = NULL;
    dr_mlp_config c;
    uint64_t np = 0, ns = 0;
    dr_mlp *m = NULL;
    float *w = NULL;
    int status = read_header(path, f, head, &c, &np, &ns);
    if (status == DR_SUCCESS)
        status = dr_mlp_alloc(&m, &c, max_batch);
    if (status != DR_SUCCESS)
        goto done;
    if (np != dr_mlp_n_params(m) || ns != dr_mlp_n_state(m)) {
        status = dr_error(DR_EFORMAT, "%s: corrupt model file (%llu parameters recorded, the "
                          "network has %zu)", path, (unsigned long long)np, dr_mlp_n_params(m));
        goto done;
    }
    size_t body = 4 * (np + ns) + 4;
    buf = malloc(sizeof head + body);
    w = malloc(np * sizeof *w);
    if (!buf || !w) {
        status = dr_error(DR_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    memcpy(buf, head, sizeof head);
    size_t got = fread(buf + sizeof head, 1, body, f);
    int extra = fgetc(f);
    if (got != body)
        status = dr_error(DR_EFORMAT, "%s: truncated model file (%zu of %zu data bytes)", path,
                          got, body);
    else if (extra != EOF)
        status = dr_error(DR_EFORMAT, "%s: trailing bytes after the model data", path);
    else if (get32(buf + sizeof head + body - 4) !=
             (uint32_t)crc32(0L, buf, (uInt)(sizeof head + body - 4)))
        status = dr_error(DR_EFORMAT, "%s: checksum mismatch (the model file is damaged)", path);
    else
        status = decode_body(path, buf + sizeof head, &c, np, ns, w, dr_mlp_state(m));
done:
    fclose(f);
    free(buf);
    if (status != DR_SUCCESS) {
        free(w);
        dr_mlp_free(m);
        return status;
    }
    *mp = m;
    *wp = w;
    return DR_SUCCESS;
}
