/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PNG files through libpng: 8-bit RGB writing, and a reader that turns any PNG into RGB8 (used
 * by the tests to check what was drawn, and by callers that overlay on an existing picture). */
#include "deeprelax/viz.h"
#include "../solver/dr_args.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "deeprelax/error.h"
#include "deeprelax/output.h"

/* libpng reports errors through a longjmp; keep its message for ours. */
struct png_err {
    char msg[200];
};

static void on_png_error(png_structp png, png_const_charp msg)
{
    struct png_err *e = png_get_error_ptr(png);
    if (e)
        snprintf(e->msg, sizeof e->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg; /* warnings (e.g. about ancillary chunks) do not stop us, and we never print */
}

int dr_viz_png_write(const dr_viz_image *img, const char *path)
{
    DR_CHECK_PTRS(img, path);
    if (!img || !img->pixels || img->width < 1 || img->height < 1)
        return dr_error(DR_EINVAL, "cannot write an empty image to %s", path ? path : "(null)");
    if (!path)
        return dr_error(DR_EINVAL, "no file name for the PNG");
    dr_output *o;
    int st = dr_output_open(&o, path);
    if (st)
        return st;
    struct png_err err = {""};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &err, on_png_error,
                                              on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_write_struct(&png, NULL);
        dr_output_abort(o);
        return dr_error(DR_ENOMEM, "no memory for libpng while writing %s", path);
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        dr_output_abort(o);
        return dr_error(DR_EIO, "cannot write '%s': %s", path, err.msg);
    }
    png_init_io(png, dr_output_stream(o));
    png_set_IHDR(png, info, (png_uint_32)img->width, (png_uint_32)img->height, 8,
                 PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (size_t j = 0; j < img->height; j++)
        png_write_row(png, img->pixels + 3 * img->width * j);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return dr_output_commit(o);
}

int dr_viz_png_read(dr_viz_image *img, const char *path)
{
    DR_CHECK_PTRS(img, path);
    img->width = img->height = 0;
    img->pixels = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return dr_error(DR_EIO, "cannot open %s: %s", path, strerror(errno));
    unsigned char sig[8];
    if (fread(sig, 1, 8, fp) != 8 || png_sig_cmp(sig, 0, 8)) {
        fclose(fp);
        return dr_error(DR_EFORMAT, "%s is not a PNG file", path);
    }
    struct png_err err = {""};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &err, on_png_error,
                                             on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_read_struct(&png, NULL, NULL);
        fclose(fp);
        return dr_error(DR_ENOMEM, "no memory for libpng while reading %s", path);
    }
    /* volatile: modified between setjmp and a possible longjmp */
    unsigned char *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        fclose(fp);
        free(pixels);
        free(rows);
        return dr_error(DR_EFORMAT, "cannot decode %s: %s", path, err.msg);
    }
    /* a truncated or damaged file must fail, not decode to a silently incomplete picture */
    png_set_benign_errors(png, 0);
    png_init_io(png, fp);
    png_set_sig_bytes(png, 8);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    int type = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
    if (w > 32768 || h > 32768)
        png_error(png, "image larger than 32768 pixels per side");
    /* Normalise every PNG flavour to 8-bit RGB on a white background. */
    if (depth == 16)
        png_set_strip_16(png);
    if (type == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (type == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (type == PNG_COLOR_TYPE_GRAY || type == PNG_COLOR_TYPE_GRAY_ALPHA)
        png_set_gray_to_rgb(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_tRNS_to_alpha(png);
    png_color_16 white = {0, 255, 255, 255, 255};
    png_set_background(png, &white, PNG_BACKGROUND_GAMMA_SCREEN, 0, 1.0);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != 3 * (size_t)w)
        png_error(png, "unexpected pixel layout after conversion");
    pixels = malloc(3 * (size_t)w * h);
    rows = malloc(sizeof(png_bytep) * h);
    if (!pixels || !rows)
        png_error(png, "out of memory");
    for (png_uint_32 j = 0; j < h; j++)
        rows[j] = pixels + 3 * (size_t)w * j;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
    free(rows);
    img->width = w;
    img->height = h;
    img->pixels = pixels;
    return DR_SUCCESS;
}
