/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `deeprelax landscapes`: the built-in catalogue as a table (name, dimension, domain, curvature
 * bound C, formula), or as one JSON object with --json. */
#include "cli.h"

#include <math.h>
#include <string.h>

static const char usage_text[] =
    "usage: deeprelax landscapes [--json]\n"
    "       deeprelax landscapes -h|--help\n\n"
    "The built-in landscapes: name, dimension, default domain, curvature bound C (sup of the\n"
    "largest Hessian eigenvalue over the domain) and formula.\n"
    "  --json     one JSON object {\"landscapes\": [...]} on stdout\n"
    "  -h, --help this text\n";

static double curvature_of(const dr_landscape_info *info)
{
    dr_landscape *f;
    int status = dr_landscape_alloc_builtin(&f, info->name, NULL);
    if (status) cli_fail(status);
    double c = dr_landscape_curvature_bound(f, info->lo, info->hi);
    dr_landscape_free(f);
    return c;
}

static void print_json(void)
{
    printf("{\"landscapes\": [");
    for (size_t i = 0; i < dr_landscape_catalogue_size(); i++) {
        const dr_landscape_info *e = dr_landscape_catalogue(i);
        printf("%s\n  {\"name\": ", i ? "," : "");
        json_string(stdout, e->name);
        printf(", \"dim\": %d, \"domain\": [", e->dim);
        for (int a = 0; a < e->dim; a++) {
            printf(a ? ", " : "");
            json_number(stdout, e->lo[a]);
            printf(", ");
            json_number(stdout, e->hi[a]);
        }
        double c = curvature_of(e);
        /* JSON has no infinity: an unbounded C is the string "inf". */
        printf("], \"curvature_bound\": ");
        json_number_inf(stdout, c);
        printf(", \"formula\": ");
        json_string(stdout, e->formula);
        printf(", \"note\": ");
        json_string(stdout, e->note);
        printf("}");
    }
    printf("\n]}\n");
}

static void print_table(void)
{
    printf("%-13s %3s  %-26s %10s  %s\n", "name", "dim", "domain", "C", "formula");
    for (size_t i = 0; i < dr_landscape_catalogue_size(); i++) {
        const dr_landscape_info *e = dr_landscape_catalogue(i);
        char dom[64];
        if (e->dim == 1) snprintf(dom, sizeof dom, "[%g,%g]", e->lo[0], e->hi[0]);
        else snprintf(dom, sizeof dom, "[%g,%g]x[%g,%g]", e->lo[0], e->hi[0], e->lo[1], e->hi[1]);
        printf("%-13s %3d  %-26s %10.6g  %s\n", e->name, e->dim, dom, curvature_of(e), e->formula);
    }
}

int cmd_landscapes(int argc, char **argv)
{
    static const struct option options[] = {
        {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int json = 0, opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'j': json = 1; break;
        case 'h': fputs(usage_text, stdout); return 0;
        default: cli_bad_option("landscapes", argv);
        }
    }
    if (optind < argc)
        cli_die(EXIT_USAGE, "landscapes: unexpected argument '%s' (try --help)", argv[optind]);
    if (json) print_json();
    else print_table();
    return 0;
}
