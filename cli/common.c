/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the subcommands (see cli.h). */
#include "cli.h"

#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Noreturn void cli_die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("deeprelax: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

_Noreturn void cli_fail(int status)
{
    const char *msg = dr_error_message();
    int code = (status == DR_EINVAL || status == DR_EPARSE || status == DR_ENOTFOUND)
                   ? EXIT_USAGE : EXIT_FAIL;
    cli_die(code, "%s", msg[0] ? msg : dr_strerror(status));
}

_Noreturn void cli_bad_option(const char *cmd, char **argv)
{
    const char *arg = argv[optind - 1];
    if (optopt && optopt < 256)
        cli_die(EXIT_USAGE, "%s: unknown option or missing value for -%c (try --help)", cmd, optopt);
    cli_die(EXIT_USAGE, "%s: unknown option or missing value: '%s' (try --help)", cmd,
            arg ? arg : "?");
}

/* Every number of every option goes through dr_parse_double / dr_parse_long (parse.h): no
 * spaces, no hex, no "infinity", nothing after the number. */
static double parse_double(const char *opt, const char *s, size_t len, int allow_inf)
{
    double v;
    if (dr_parse_double(s, len, allow_inf ? DR_PARSE_INF : 0, &v) != DR_SUCCESS)
        cli_die(EXIT_USAGE, "%s: %s", opt, dr_error_message());
    return v;
}

double cli_double(const char *opt, const char *s) { return parse_double(opt, s, strlen(s), 0); }
double cli_double_or_inf(const char *opt, const char *s)
{
    return parse_double(opt, s, strlen(s), 1);
}

static long parse_long(const char *opt, const char *s, size_t len, long min, long max)
{
    long v;
    if (dr_parse_long(s, len, min, max, &v) != DR_SUCCESS)
        cli_die(EXIT_USAGE, "%s: %s", opt, dr_error_message());
    return v;
}

long cli_long(const char *opt, const char *s, long min, long max)
{
    return parse_long(opt, s, strlen(s), min, max);
}

/* Splits s at `sep` into at most `max` items, each non-empty: "1,", ",1" and "1,,2" are
 * errors, not shorter lists. Returns the count; item k is s[start[k], start[k] + len[k]). */
static size_t split_items(const char *opt, const char *s, char sep, size_t max, size_t *start,
                          size_t *len)
{
    size_t k = 0, i = 0;
    for (;;) {
        size_t j = i;
        while (s[j] && s[j] != sep) j++;
        if (j == i)
            cli_die(EXIT_USAGE, "%s: empty item %zu in '%s'", opt, k + 1, s);
        if (k == max) cli_die(EXIT_USAGE, "%s: more than %zu values", opt, max);
        start[k] = i;
        len[k++] = j - i;
        if (!s[j]) return k;
        i = j + 1;
    }
}

size_t cli_double_list(const char *opt, const char *s, double *out, size_t max)
{
    size_t *start = malloc(2 * (max + 1) * sizeof *start);
    if (!start) cli_die(EXIT_FAIL, "out of memory");
    size_t k = split_items(opt, s, ',', max, start, start + max + 1);
    for (size_t i = 0; i < k; i++) out[i] = parse_double(opt, s + start[i], start[max + 1 + i], 0);
    free(start);
    return k;
}

size_t cli_size_list(const char *opt, const char *s, size_t *out, size_t max)
{
    size_t *start = malloc(2 * (max + 1) * sizeof *start);
    if (!start) cli_die(EXIT_FAIL, "out of memory");
    size_t k = split_items(opt, s, ',', max, start, start + max + 1);
    for (size_t i = 0; i < k; i++)
        out[i] = (size_t)parse_long(opt, s + start[i], start[max + 1 + i], 1, CLI_MAX_GRID_POINTS);
    free(start);
    /* A 2-D solve holds ~500 bytes per grid point: refuse before asking for gigabytes. */
    if (k == 2 && out[0] * out[1] > CLI_MAX_GRID_POINTS)
        cli_die(EXIT_USAGE, "%s: %zu x %zu grid points are too many (at most %ld in all)", opt,
                out[0], out[1], CLI_MAX_GRID_POINTS);
    return k;
}

size_t cli_range(const char *opt, const char *s, double *out, size_t max)
{
    size_t start[4], len[4];
    if (split_items(opt, s, ':', 4, start, len) != 3)
        cli_die(EXIT_USAGE, "%s: expected A:B:K, got '%s'", opt, s);
    double lo = parse_double(opt, s + start[0], len[0], 0);
    double hi = parse_double(opt, s + start[1], len[1], 0);
    long n = parse_long(opt, s + start[2], len[2], 1, (long)max);
    for (long i = 0; i < n; i++)
        out[i] = n == 1 ? lo : lo + (hi - lo) * (double)i / (double)(n - 1);
    return (size_t)n;
}

void cli_source_init(cli_source *s)
{
    memset(s, 0, sizeof *s);
    s->seed = 1;
}

static void parse_domain(cli_source *s, const char *arg)
{
    size_t start[3], len[3], k = split_items("--domain", arg, ',', 3, start, len);
    if (k > 2) cli_die(EXIT_USAGE, "--domain: expected A:B or A:B,C:D, got '%s'", arg);
    for (size_t a = 0; a < k; a++) {
        const char *iv = arg + start[a];
        const char *colon = memchr(iv, ':', len[a]);
        if (!colon || colon == iv || colon == iv + len[a] - 1 ||
            memchr(colon + 1, ':', len[a] - (size_t)(colon + 1 - iv)))
            cli_die(EXIT_USAGE, "--domain: expected A:B or A:B,C:D, got '%s'", arg);
        s->domain[2 * a] = parse_double("--domain", iv, (size_t)(colon - iv), 0);
        s->domain[2 * a + 1] = parse_double("--domain", colon + 1, len[a] - (size_t)(colon + 1 - iv), 0);
        if (!(s->domain[2 * a + 1] > s->domain[2 * a]))
            cli_die(EXIT_USAGE, "--domain: empty interval %g:%g", s->domain[2 * a],
                    s->domain[2 * a + 1]);
    }
    s->have_domain = (int)k;
}

int cli_source_option(cli_source *s, int opt, const char *arg)
{
    switch (opt) {
    case OPT_LANDSCAPE: s->landscape = arg; return 1;
    case OPT_EXPR: s->expr = arg; return 1;
    case OPT_INPUT: s->input = arg; return 1;
    case OPT_DIM: s->dim = (int)cli_long("--dim", arg, 1, 2); return 1;
    case OPT_DOMAIN: parse_domain(s, arg); return 1;
    case OPT_NOISE: s->noise = cli_double("--noise", arg); s->have_noise = 1; return 1;
    case OPT_NOISE_SEED:
        s->seed = (unsigned long)cli_long("--noise-seed", arg, 0, 0x7fffffffL);
        s->have_seed = 1;
        return 1;
    default: return 0;
    }
}

dr_landscape *cli_source_load(const cli_source *s, double lo[2], double hi[2])
{
    int given = !!s->landscape + !!s->expr + !!s->input;
    if (given != 1)
        cli_die(EXIT_USAGE, "give exactly one of --landscape, --expr, --input");
    /* options of one source given with another would be silently ignored */
    const char *chosen = s->landscape ? "--landscape" : s->expr ? "--expr" : "--input";
    if (s->dim && !s->expr)
        cli_die(EXIT_USAGE, "--dim applies to --expr only, not to %s (whose dimension is its own)",
                chosen);
    if (s->have_noise && !s->landscape)
        cli_die(EXIT_USAGE, "--noise applies to --landscape paper1d only, not to %s", chosen);
    if (s->have_seed && !(s->have_noise && s->noise > 0))
        cli_die(EXIT_USAGE, "--noise-seed applies only with --noise A (A > 0)");
    dr_landscape *f = NULL;
    int status;
    if (s->landscape) {
        dr_landscape_params p = {.noise = s->noise, .seed = s->seed};
        status = dr_landscape_alloc_builtin(&f, s->landscape, &p);
    } else if (s->expr) {
        status = dr_landscape_alloc_expr(&f, s->expr, s->dim);
    } else {
        status = dr_landscape_alloc_file(&f, s->input, s->have_domain ? s->domain : NULL);
    }
    if (status != DR_SUCCESS)
        cli_fail(status);
    dr_landscape_domain(f, lo, hi);
    int dim = dr_landscape_dim(f);
    if (s->have_domain) {
        if (s->have_domain != dim)
            cli_die(EXIT_USAGE, "--domain has %d interval(s) but the landscape is %d-D",
                    s->have_domain, dim);
        for (int a = 0; a < dim; a++) {
            lo[a] = s->domain[2 * a];
            hi[a] = s->domain[2 * a + 1];
        }
    }
    return f;
}

void cli_grid(dr_grid *g, const char *cmd, const dr_landscape *f, size_t given, const size_t *n,
              size_t n_1d, const double lo[2], const double hi[2])
{
    int dim = dr_landscape_dim(f);
    if (given == 2 && dim == 1)
        cli_die(EXIT_USAGE, "%s: --n has two values but the landscape is 1-D", cmd);
    if (given == 0 && dim == 1 && n_1d) {
        given = 1;
        n = &n_1d;
    }
    if (dr_solve_grid(g, f, given, n, lo, hi)) cli_fail(DR_EINVAL);
}

void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c == '\n') fputs("\\n", out);
        else if (c < 0x20) fprintf(out, "\\u%04x", c);
        else fputc(c, out);
    }
    fputc('"', out);
}

void json_number(FILE *out, double v)
{
    if (isfinite(v)) fprintf(out, "%.17g", v);
    else fputs("null", out);
}

void json_number_inf(FILE *out, double v)
{
    if (isinf(v)) fputs(v > 0 ? "\"inf\"" : "\"-inf\"", out);
    else json_number(out, v);
}

void json_array(FILE *out, const double *v, size_t n)
{
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
        if (i) fputc(',', out);
        json_number(out, v[i]);
    }
    fputc(']', out);
}

double cli_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cli_has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), m = strlen(ext);
    return n >= m && !strcmp(path + n - m, ext);
}

/* Async-signal-safe: the helper only unlinks its table of temporaries; the signal then takes
 * its default action (the handler was reset on entry), so the exit status still says which. */
static void remove_outputs_and_die(int sig)
{
    dr_output_remove_pending();
    raise(sig);
}

static void remove_outputs_at_exit(void) { dr_output_remove_pending(); }

void cli_outputs_init(void)
{
    static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = remove_outputs_and_die;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction old;
        /* a signal the caller ignores (nohup) stays ignored */
        if (sigaction(signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(signals[i], &sa, NULL);
    }
    atexit(remove_outputs_at_exit);
}

void cli_check_files(const char *const *outputs, size_t n_outputs, const char *const *inputs,
                     size_t n_inputs)
{
    int status = dr_output_check_files(outputs, n_outputs, inputs, n_inputs);
    if (status) cli_fail(status);
}

dr_output *cli_output_open(const char *path)
{
    dr_output *o;
    int status = dr_output_open(&o, path);
    if (status) cli_fail(status);
    return o;
}

void cli_output_commit(dr_output *o)
{
    int status = dr_output_commit(o);
    if (status) cli_fail(status);
}
