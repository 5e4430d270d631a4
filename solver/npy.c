/* SPDX-License-Identifier: GPL-3.0-or-later */
/* NumPy .npy reading and writing for float64 arrays: versions 1.0 to 3.0, C order, '<f8'.
 *
 * The reader trusts nothing in the file: the header length, the shape and the data size are
 * checked against each other and against the file's actual size before anything is allocated,
 * so a corrupt or hostile header cannot ask for a huge buffer or read past the end. */
#include "deeprelax/npy.h"
#include "dr_args.h"
#include "deeprelax/error.h"
#include "deeprelax/input.h"
#include "deeprelax/output.h"
#include "deeprelax/parse.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NPY_MAX_HEADER (1u << 20) /* numpy itself refuses headers above 10 kB by default */

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

static void swap8(unsigned char *p)
{
    for (int i = 0; i < 4; i++) {
        unsigned char t = p[i];
        p[i] = p[7 - i];
        p[7 - i] = t;
    }
}

int dr_npy_write(const char *path, int ndim, const size_t *shape, const double *data)
{
    DR_CHECK_PTRS(path, shape, data);
    if (ndim < 1 || ndim > 3)
        return dr_error(DR_EINVAL, "%s: .npy arrays of 1 to 3 dimensions only (got %d)", path, ndim);
    char dict[256];
    int len = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (");
    size_t count = 1;
    for (int a = 0; a < ndim; a++) {
        len += snprintf(dict + len, sizeof dict - (size_t)len, a ? ", %zu" : "%zu", shape[a]);
        if (shape[a] && count > SIZE_MAX / 8 / shape[a])
            return dr_error(DR_EINVAL, "%s: array too large", path);
        count *= shape[a];
    }
    len += snprintf(dict + len, sizeof dict - (size_t)len, "%s), }", ndim == 1 ? "," : "");
    /* Version 1.0: magic (6), version (2), header length (2 bytes little-endian), then the dict
     * padded with spaces and ended by '\n' so that the data starts on a multiple of 64. */
    size_t total = 10 + (size_t)len + 1;
    size_t padded = (total + 63) / 64 * 64;
    size_t hlen = padded - 10;
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                             (unsigned char)(hlen & 0xff), (unsigned char)(hlen >> 8)};
    dr_output *o;
    int st = dr_output_open(&o, path);
    if (st) return st;
    FILE *fp = dr_output_stream(o);
    /* a failed write is sticky in the stream: the commit sees it and keeps the old file */
    fwrite(pre, 1, 10, fp);
    fwrite(dict, 1, (size_t)len, fp);
    for (size_t i = 10 + (size_t)len; i < padded - 1; i++) fputc(' ', fp);
    fputc('\n', fp);
    if (host_is_little_endian()) {
        fwrite(data, sizeof(double), count, fp);
    } else {
        for (size_t i = 0; i < count && !ferror(fp); i++) {
            unsigned char b[8];
            memcpy(b, &data[i], 8);
            swap8(b);
            fwrite(b, 1, 8, fp);
        }
    }
    return dr_output_commit(o);
}

/* Value of `key` in the header dict: the text after "'key':" with leading blanks skipped. */
static const char *dict_value(const char *dict, const char *key)
{
    char pat[32];
    snprintf(pat, sizeof pat, "'%s'", key);
    const char *p = strstr(dict, pat);
    if (!p) {
        snprintf(pat, sizeof pat, "\"%s\"", key);
        p = strstr(dict, pat);
    }
    if (!p) return NULL;
    p += strlen(pat);
    while (*p == ' ') p++;
    if (*p != ':') return NULL;
    p++;
    while (*p == ' ') p++;
    return p;
}

static int parse_header(const char *path, const char *dict, int *ndim, size_t shape[3])
{
    const char *d = dict_value(dict, "descr");
    if (!d) return dr_error(DR_EFORMAT, "%s: .npy header has no 'descr'", path);
    if (strncmp(d, "'<f8'", 5) && strncmp(d, "\"<f8\"", 5)) {
        char got[16] = "", shown[4 * 16 + 8];
        sscanf(d, "%15[^,}]", got);
        return dr_error(DR_EFORMAT, "%s: .npy dtype %s is not float64 '<f8'", path,
                        dr_text_excerpt(got, strlen(got), 16, shown, sizeof shown));
    }
    const char *fo = dict_value(dict, "fortran_order");
    if (!fo) return dr_error(DR_EFORMAT, "%s: .npy header has no 'fortran_order'", path);
    if (!strncmp(fo, "True", 4))
        return dr_error(DR_EFORMAT, "%s: .npy array is in Fortran order; save it in C order", path);
    if (strncmp(fo, "False", 5))
        return dr_error(DR_EFORMAT, "%s: .npy header has a bad 'fortran_order'", path);
    const char *s = dict_value(dict, "shape");
    if (!s || *s != '(') return dr_error(DR_EFORMAT, "%s: .npy header has no 'shape' tuple", path);
    s++;
    *ndim = 0;
    for (;;) {
        while (*s == ' ') s++;
        if (*s == ')') break;
        if (*s < '0' || *s > '9')
            return dr_error(DR_EFORMAT, "%s: .npy header has a bad 'shape'", path);
        if (*ndim == 3)
            return dr_error(DR_EFORMAT, "%s: .npy array has more than 3 dimensions", path);
        errno = 0;
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno == ERANGE || v > SIZE_MAX)
            return dr_error(DR_EFORMAT, "%s: .npy shape entry too large", path);
        shape[(*ndim)++] = (size_t)v;
        s = end;
        while (*s == ' ') s++;
        if (*s == ',') s++;
        else if (*s != ')') return dr_error(DR_EFORMAT, "%s: .npy header has a bad 'shape'", path);
    }
    if (*ndim == 0)
        return dr_error(DR_EFORMAT, "%s: .npy array is a scalar (shape ()); need 1 to 3 dimensions",
                        path);
    return DR_SUCCESS;
}

static int read_fail(FILE *fp, char *dict, int status)
{
    fclose(fp);
    free(dict);
    return status;
}

int dr_npy_read(const char *path, int *ndim, size_t shape[3], double **data)
{
    DR_CHECK_PTRS(path, ndim, shape, data);
    *data = NULL;
    *ndim = 0;
    FILE *fp;
    unsigned long long file_size;
    int status = dr_input_open(&fp, path, DR_INPUT_MAX_BYTES, &file_size);
    if (status) return status;
    struct stat st = {.st_size = (off_t)file_size};
    unsigned char pre[12];
    size_t got = fread(pre, 1, 10, fp);
    if (got < 10 || memcmp(pre, "\x93NUMPY", 6))
        return read_fail(fp, NULL, dr_error(DR_EFORMAT, "%s: not a .npy file (bad magic)", path));
    int major = pre[6];
    size_t hlen, start;
    if (major == 1) {
        hlen = pre[8] | (size_t)pre[9] << 8;
        start = 10;
    } else if (major == 2 || major == 3) {
        if (fread(pre + 10, 1, 2, fp) != 2)
            return read_fail(fp, NULL, dr_error(DR_EFORMAT, "%s: truncated .npy header", path));
        hlen = pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
        start = 12;
    } else {
        return read_fail(fp, NULL, dr_error(DR_EFORMAT, "%s: unsupported .npy version %d.%d", path,
                                            major, pre[7]));
    }
    if (hlen > NPY_MAX_HEADER || start + hlen > (size_t)st.st_size)
        return read_fail(fp, NULL, dr_error(DR_EFORMAT, "%s: truncated or oversized .npy header "
                                            "(%zu bytes)", path, hlen));
    char *dict = malloc(hlen + 1);
    if (!dict) return read_fail(fp, NULL, dr_error(DR_ENOMEM, "%s: out of memory", path));
    if (fread(dict, 1, hlen, fp) != hlen)
        return read_fail(fp, dict, dr_error(DR_EFORMAT, "%s: truncated .npy header", path));
    dict[hlen] = '\0';
    if (strlen(dict) != hlen)
        return read_fail(fp, dict, dr_error(DR_EFORMAT, "%s: .npy header contains a NUL byte", path));
    status = parse_header(path, dict, ndim, shape);
    if (status) return read_fail(fp, dict, status);
    size_t count = 1;
    for (int a = 0; a < *ndim; a++) {
        if (shape[a] && count > SIZE_MAX / 8 / shape[a]) {
            *ndim = 0;
            return read_fail(fp, dict, dr_error(DR_EFORMAT, "%s: .npy shape too large", path));
        }
        count *= shape[a];
    }
    size_t have = (size_t)st.st_size - start - hlen;
    if (have != count * 8) {
        *ndim = 0;
        if (have < count * 8)
            return read_fail(fp, dict, dr_error(DR_EFORMAT, "%s: truncated .npy data: %zu bytes for "
                                                "%zu values (need %zu)", path, have, count, count * 8));
        return read_fail(fp, dict, dr_error(DR_EFORMAT, "%s: %zu unexpected bytes after the .npy data",
                                            path, have - count * 8));
    }
    double *buf = malloc(count ? count * sizeof(double) : 1);
    if (!buf) {
        *ndim = 0;
        return read_fail(fp, dict, dr_error(DR_ENOMEM, "%s: out of memory for %zu values", path, count));
    }
    if (fread(buf, sizeof(double), count, fp) != count) {
        free(buf);
        *ndim = 0;
        return read_fail(fp, dict, dr_error(DR_EIO, "%s: read error", path));
    }
    if (!host_is_little_endian())
        for (size_t i = 0; i < count; i++) swap8((unsigned char *)&buf[i]);
    fclose(fp);
    free(dict);
    *data = buf;
    return DR_SUCCESS;
}
