/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The page of `deeprelax explore`: the template cli/explore_template.html, embedded into the
 * binary at build time (.incbin; the Makefile makes this object depend on the template), with
 * the data of every case spliced in at its marker. */
#include <errno.h>
#include <string.h>

#include "explore_data.h"

__asm__(".section .rodata\n"
        ".global explore_template\n"
        ".type explore_template, @object\n"
        "explore_template:\n"
        ".incbin \"cli/explore_template.html\"\n"
        ".byte 0\n"
        ".previous\n");
extern const char explore_template[];

static const char marker[] = "@EXPLORE_DATA@";

static void write_data(FILE *out, const explore_case *cases, size_t n, const explore_axes *ax)
{
    fputs("{\"generator\":", out);
    explore_json_string(out, "deeprelax " DR_VERSION " explore");
    fputs(",\"betas\":[", out);
    for (size_t i = 0; i < ax->nb; i++) {
        if (i) fputc(',', out);
        json_number_inf(out, ax->beta[i]);
    }
    fputs("],\"ts\":", out);
    json_array(out, ax->t, ax->nt);
    fputs(",\"cases\":[", out);
    for (size_t i = 0; i < n; i++) {
        if (i) fputs(",\n", out);
        explore_case_json(out, &cases[i], ax);
    }
    fputs("]}", out);
}

int explore_page_write(const char *path, const explore_case *cases, size_t n,
                       const explore_axes *ax)
{
    const char *at = strstr(explore_template, marker);
    if (!at)  /* a build without the template's marker: a broken build */
        return dr_error(DR_EUNSUPPORTED, "the explore page's template has no %s marker", marker);
    dr_output *o;
    int status = dr_output_open(&o, path);
    if (status) return status;
    FILE *out = dr_output_stream(o);
    fwrite(explore_template, 1, (size_t)(at - explore_template), out);
    write_data(out, cases, n, ax);
    fputs(at + strlen(marker), out);
    return dr_output_commit(o);
}
