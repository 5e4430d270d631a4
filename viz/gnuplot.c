/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Figures with axes, labels and legends drawn by gnuplot at run time.
 *
 * The data and the script are ordinary files in a directory the caller names, written before
 * gnuplot runs, so a user can restyle a figure and redraw it (`cd DIR && gnuplot NAME.gp`)
 * without recomputing anything. gnuplot runs as a child process (fork + exec, no shell: names
 * need no quoting) in that directory, with stdin from /dev/null and its output in NAME.log; a
 * failure becomes a status and the log's last line, never text on the caller's terminal. A
 * missing gnuplot is its own status (DR_EUNSUPPORTED) so callers can say so once and fall back
 * to the libpng pictures. */
#include "deeprelax/viz.h"
#include "../solver/dr_args.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deeprelax/error.h"
#include "deeprelax/output.h"
#include "viz_internal.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

int dr_gnuplot_find(char *buf, size_t size)
{
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";
    const char *p = path;
    for (;;) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char cand[PATH_MAX];
        /* an empty PATH entry means the current directory */
        int m = len ? snprintf(cand, sizeof cand, "%.*s/gnuplot", (int)len, p)
                    : snprintf(cand, sizeof cand, "./gnuplot");
        struct stat st;
        if (m > 0 && (size_t)m < sizeof cand && stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
            access(cand, X_OK) == 0) {
            char *abs = realpath(cand, NULL);
            int fits = abs && strlen(abs) < size;
            if (fits)
                strcpy(buf, abs);
            free(abs);
            if (fits)
                return DR_SUCCESS;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return dr_error(DR_EUNSUPPORTED, "gnuplot not found in PATH; install it (Debian: gnuplot-nox) "
                    "for figures with axes and legends");
}

static int make_dirs(const char *dir)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return dr_error(DR_EINVAL, "directory name too long: %s", dir);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return dr_error(DR_EIO, "cannot create directory %s: %s", buf, strerror(errno));
            *p = c;
            if (c == '\0')
                break;
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return dr_error(DR_EIO, "%s is not a directory", dir);
    return DR_SUCCESS;
}

static int check_options(const dr_gnuplot_options *o)
{
    if (!o || !o->dir || !*o->dir || !o->name || !*o->name)
        return dr_error(DR_EINVAL, "a gnuplot figure needs a directory and a name");
    if (strchr(o->name, '/'))
        return dr_error(DR_EINVAL, "gnuplot figure name '%s' must not contain '/'", o->name);
    if (o->width < 0 || o->height < 0 || o->width > 10000 || o->height > 10000)
        return dr_error(DR_EINVAL, "gnuplot figure size %d x %d is out of range", o->width,
                        o->height);
    return DR_SUCCESS;
}

static int path_in(char *buf, size_t size, const char *dir, const char *name, const char *ext)
{
    if (snprintf(buf, size, "%s/%s%s", dir, name, ext) >= (int)size)
        return dr_error(DR_EINVAL, "path too long: %s/%s%s", dir, name, ext);
    return DR_SUCCESS;
}

static int ends_with(const char *s, const char *ext)
{
    size_t n = strlen(s), k = strlen(ext);
    return n >= k && !strcmp(s + n - k, ext);
}

dr_gnuplot_terminal dr_gnuplot_terminal_of(const dr_gnuplot_options *o)
{
    if (o && o->output && ends_with(o->output, ".svg"))
        return DR_GNUPLOT_SVG;
    if (o && o->output && ends_with(o->output, ".pdf"))
        return DR_GNUPLOT_PDF;
    if (o && o->output && ends_with(o->output, ".png"))
        return DR_GNUPLOT_PNG;
    return o ? o->terminal : DR_GNUPLOT_PNG;
}

static const char *picture_ext(const dr_gnuplot_options *o)
{
    dr_gnuplot_terminal t = dr_gnuplot_terminal_of(o);
    return t == DR_GNUPLOT_SVG ? ".svg" : t == DR_GNUPLOT_PDF ? ".pdf" : ".png";
}

/* A gnuplot single-quoted string: the only escape is '' for a quote. */
void viz_gnuplot_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; s && *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        if (*s != '\n' && *s != '\r')
            fputc(*s, f);
    }
    fputc('\'', f);
}

static void put_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, " %.17g", v);
    else
        fputs(" NaN", f);
}

void viz_gnuplot_set_output(FILE *f, const char *out)
{
    fputs("set output (exists(\"DR_OUTPUT\") ? DR_OUTPUT : ", f);
    viz_gnuplot_quote(f, out);
    fputs(")\n", f);
}

int viz_gnuplot_for_picture(const dr_gnuplot_options *o, int status)
{
    if (status == DR_SUCCESS)
        return status;
    char why[512], picture[PATH_MAX];
    snprintf(why, sizeof why, "%s", dr_error_message());
    if (o->output)
        snprintf(picture, sizeof picture, "%s", o->output);
    else if (path_in(picture, sizeof picture, o->dir, o->name, picture_ext(o)))
        return status;
    return dr_error(status, "cannot draw '%s': %s", picture, why);
}

/* The output picture as the script names it: relative to DIR unless the caller chose a path,
 * which is made absolute because gnuplot runs in DIR. */
static int output_name(const dr_gnuplot_options *o, char *buf, size_t size)
{
    if (!o->output)
        return path_in(buf, size, ".", o->name, picture_ext(o)) ? DR_EINVAL : DR_SUCCESS;
    if (o->output[0] == '/') {
        if (snprintf(buf, size, "%s", o->output) >= (int)size)
            return dr_error(DR_EINVAL, "output path too long: %s", o->output);
        return DR_SUCCESS;
    }
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return dr_error(DR_EIO, "cannot read the current directory: %s", strerror(errno));
    if (snprintf(buf, size, "%s/%s", cwd, o->output) >= (int)size)
        return dr_error(DR_EINVAL, "output path too long: %s", o->output);
    return DR_SUCCESS;
}

/* Terminal, output, labels and the house style shared by every figure. */
static int write_preamble(FILE *f, const dr_gnuplot_options *o)
{
    char out[PATH_MAX];
    int st = output_name(o, out, sizeof out);
    if (st)
        return st;
    int w = o->width ? o->width : 900, h = o->height ? o->height : 560;
    fprintf(f, "# deeprelax figure '%s': redraw with `gnuplot %s.gp` in this directory.\n",
            o->name, o->name);
    dr_gnuplot_terminal term = dr_gnuplot_terminal_of(o);
    if (term == DR_GNUPLOT_SVG)
        fprintf(f, "set terminal svg size %d,%d dynamic noenhanced font 'Sans,14' "
                   "background rgb 'white'\n", w, h);
    else if (term == DR_GNUPLOT_PDF) /* the PNG's layout at 96 pixels per inch */
        fprintf(f, "set terminal pdfcairo size %.3fin,%.3fin noenhanced font 'Sans,9.75' "
                   "linewidth 0.75 background rgb 'white'\n", w / 96.0, h / 96.0);
    else
        fprintf(f, "set terminal pngcairo size %d,%d noenhanced font 'Sans,13' "
                   "background rgb 'white'\n", w, h);
    viz_gnuplot_set_output(f, out);
    fputs("set encoding utf8\n", f);
    if (o->title) {
        fputs("set title ", f);
        viz_gnuplot_quote(f, o->title);
        fputc('\n', f);
    }
    if (o->xlabel) {
        fputs("set xlabel ", f);
        viz_gnuplot_quote(f, o->xlabel);
        fputc('\n', f);
    }
    if (o->ylabel) {
        fputs("set ylabel ", f);
        viz_gnuplot_quote(f, o->ylabel);
        fputc('\n', f);
    }
    if (o->cblabel) {
        fputs("set cblabel ", f);
        viz_gnuplot_quote(f, o->cblabel);
        fputc('\n', f);
    }
    fputs("set border 3 lw 1.2 lc rgb '#333333'\n"
          "set tics nomirror out scale 0.7\n"
          "set grid lw 1 lc rgb '#e4e4e4'\n"
          "set key top right opaque box lc rgb '#cccccc' samplen 2.5 spacing 1.1\n"
          "set autoscale xfixmin\nset autoscale xfixmax\n",
          f);
    /* curves span x exactly; drawn points need a little room so the axes do not cut them */
    fprintf(f, "set offsets graph %g, graph %g, graph 0.04, graph 0.04\n",
            o->points ? 0.02 : 0.0, o->points ? 0.02 : 0.0);
    if (o->logx)
        fputs("set logscale x\nset format x '%g'\n", f);
    if (o->logy)
        fputs("set logscale y\nset format y '%g'\n", f);
    return DR_SUCCESS;
}

/* The data and script files go through the atomic output helper like every other file. */
static int open_for_writing(dr_output **o, FILE **f, const char *path)
{
    int st = dr_output_open(o, path);
    if (st)
        return st;
    *f = dr_output_stream(*o);
    return DR_SUCCESS;
}

/* The last non-empty line of a log file, for the error message. */
static void last_line(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
            line[--n] = '\0';
        if (n) { /* keep the last non-empty line, cut to the caller's buffer */
            size_t k = n < size - 1 ? n : size - 1;
            memcpy(buf, line, k);
            buf[k] = '\0';
        }
    }
    fclose(f);
}

/* Runs `exe argv` in `dir` with stdin from /dev/null and stdout and stderr into `logfile`;
 * its wait status into *status. */
static int run_in(const char *exe, char *const argv[], const char *dir, const char *logfile,
                  int *status)
{
    pid_t pid = fork();
    if (pid < 0)
        return dr_error(DR_EIO, "cannot start gnuplot: %s", strerror(errno));
    if (pid == 0) {
        /* child: only async-signal-safe calls until exec */
        int log = open(logfile, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        int null = open("/dev/null", O_RDONLY);
        if (log < 0 || null < 0 || chdir(dir) != 0)
            _exit(126);
        dup2(null, 0);
        dup2(log, 1);
        dup2(log, 2);
        execv(exe, argv);
        _exit(127);
    }
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR)
            return dr_error(DR_EIO, "lost the gnuplot process: %s", strerror(errno));
    return DR_SUCCESS;
}

/* "DR_OUTPUT='path'" for gnuplot's -e: the script's `set output` picks it up. */
static int output_define(char *buf, size_t size, const char *path)
{
    size_t k = (size_t)snprintf(buf, size, "DR_OUTPUT='");
    const char *p = path;
    for (; *p && k + 4 < size; p++) {
        if (*p == '\'')
            buf[k++] = '\'';
        buf[k++] = *p;
    }
    if (*p || k + 2 > size)
        return dr_error(DR_EINVAL, "output path too long: %s", path);
    buf[k++] = '\'';
    buf[k] = '\0';
    return DR_SUCCESS;
}

/* gnuplot draws into a temporary beside the picture (DR_OUTPUT), renamed over the picture
 * only after gnuplot succeeded: a failed run leaves the old picture, never a missing or a
 * half-written one. */
int dr_gnuplot_run(const dr_gnuplot_options *o)
{
    DR_CHECK_PTRS(o);
    int st = check_options(o);
    if (st)
        return st;
    char script[PATH_MAX], logfile[PATH_MAX], exe[PATH_MAX], gp_name[PATH_MAX], picture[PATH_MAX];
    char define[PATH_MAX + 32];
    if ((st = path_in(script, sizeof script, o->dir, o->name, ".gp")) ||
        (st = path_in(logfile, sizeof logfile, o->dir, o->name, ".log")) ||
        (st = path_in(gp_name, sizeof gp_name, ".", o->name, ".gp")))
        return st;
    if (o->output)
        snprintf(picture, sizeof picture, "%s", o->output);
    else if ((st = path_in(picture, sizeof picture, o->dir, o->name, picture_ext(o))))
        return st;
    if (access(script, R_OK) != 0)
        return dr_error(DR_EIO, "gnuplot script %s is missing", script);
    if ((st = dr_gnuplot_find(exe, sizeof exe)))
        return dr_error(st, "gnuplot not found in PATH; the data and script are kept in %s "
                        "(install gnuplot-nox and run `gnuplot %s.gp` there)", o->dir, o->name);
    dr_output *pic;
    if ((st = dr_output_open(&pic, picture)))
        return st;
    const char *temp = dr_output_temp_path(pic);
    if ((st = output_define(define, sizeof define, temp))) {
        dr_output_abort(pic);
        return st;
    }
    char *const argv[] = {"gnuplot", "-e", define, gp_name + 2, NULL};
    int status;
    if ((st = run_in(exe, argv, o->dir, logfile, &status))) {
        dr_output_abort(pic);
        return st;
    }
    char why[400];
    last_line(logfile, why, sizeof why);
    struct stat sb;
    if (WIFEXITED(status) && WEXITSTATUS(status) >= 126)
        st = dr_error(DR_EIO, "cannot draw '%s': cannot run %s (exit %d)", picture, exe,
                      WEXITSTATUS(status));
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        st = dr_error(DR_EIO, "gnuplot could not draw '%s': %s", picture,
                      why[0] ? why : "no message");
    else if (stat(temp, &sb) != 0 || (S_ISREG(sb.st_mode) && sb.st_size == 0))
        st = dr_error(DR_EIO, "gnuplot wrote no picture for '%s'%s%s", picture,
                      why[0] ? ": " : "", why);
    if (st) {
        dr_output_abort(pic);
        return st;
    }
    if (stat(logfile, &sb) == 0 && sb.st_size == 0)
        remove(logfile);
    return dr_output_commit(pic);
}

/* Writes DIR/NAME.dat: a header comment, then one row per x of x and the columns. */
static int write_table(const dr_gnuplot_options *o, const char *header, const double *x, size_t n,
                       const double *const *cols, size_t ncols, const double *block,
                       size_t nblock)
{
    char path[PATH_MAX];
    FILE *f;
    dr_output *out;
    int st = path_in(path, sizeof path, o->dir, o->name, ".dat");
    if (st || (st = open_for_writing(&out, &f, path)))
        return st;
    fprintf(f, "# %s\n", header);
    for (size_t k = 0; k < n; k++) {
        put_number(f, x[k]);
        for (size_t c = 0; c < ncols; c++)
            put_number(f, cols[c][k]);
        for (size_t c = 0; c < nblock; c++)
            put_number(f, block[c * n + k]);
        fputc('\n', f);
    }
    return dr_output_commit(out);
}

static int begin_script(const dr_gnuplot_options *o, dr_output **out, FILE **f)
{
    char path[PATH_MAX];
    int st = path_in(path, sizeof path, o->dir, o->name, ".gp");
    if (st || (st = open_for_writing(out, f, path)))
        return st;
    st = write_preamble(*f, o);
    if (st) {
        dr_output_abort(*out);
        return st;
    }
    return DR_SUCCESS;
}

int dr_gnuplot_lines(const dr_gnuplot_options *o, const double *x, size_t n,
                     const double *const *ys, const char *const *labels, size_t ncols)
{
    DR_CHECK_PTRS(o, x, ys);
    int st = check_options(o);
    if (st)
        return st;
    if (n < 1 || ncols < 1 || !x || !ys)
        return dr_error(DR_EINVAL, "a line plot needs at least one point and one column");
    if ((st = make_dirs(o->dir)))
        return viz_gnuplot_for_picture(o, st);
    if ((st = write_table(o, "x y1 y2 ... (one column per curve, NaN = no value)", x, n, ys,
                          ncols, NULL, 0)))
        return viz_gnuplot_for_picture(o, st);
    dr_output *script;
    FILE *f;
    if ((st = begin_script(o, &script, &f)))
        return viz_gnuplot_for_picture(o, st);
    static const char *colours[] = {"#1f5eb4", "#e67814", "#28963c", "#c82828", "#8250b4",
                                    "#8c5a3c", "#dc64aa", "#96961e", "#14aabe"};
    static const int point_types[] = {7, 5, 9, 11, 13, 15, 4, 6, 8};
    int any_label = 0;
    for (size_t c = 0; labels && c < ncols; c++)
        any_label |= labels[c] != NULL;
    if (!any_label)
        fputs("unset key\n", f); /* an empty legend box would still be drawn */
    fputs("plot", f);
    for (size_t c = 0; c < ncols; c++) {
        /* the first curve solid and thicker, the others dashed over it: where curves coincide
         * (a measurement on its bound) the first still shows between the dashes */
        fprintf(f, "%s \\\n    '%s.dat' using 1:%zu with %s lw %s dt %zu lc rgb '%s'",
                c ? "," : "", o->name, c + 2, o->points ? "linespoints" : "lines",
                c ? "2" : "3", c ? 2 + (c - 1) % 4 : 1, colours[c % 9]);
        if (o->points)
            fprintf(f, " pt %d ps 0.9", point_types[c % 9]);
        if (labels && labels[c]) {
            fputs(" title ", f);
            viz_gnuplot_quote(f, labels[c]);
        } else {
            fputs(" notitle", f);
        }
    }
    fputc('\n', f);
    if ((st = dr_output_commit(script)))
        return viz_gnuplot_for_picture(o, st);
    return dr_gnuplot_run(o);
}

int dr_gnuplot_curve_family(const dr_gnuplot_options *o, const double *x, size_t n,
                            const double *f, const double *u, const double *t, size_t nt)
{
    int st = check_options(o);
    if (st)
        return st;
    if (n < 2 || !x || !f || (nt && (!u || !t)))
        return dr_error(DR_EINVAL, "a curve family needs x and f with at least 2 points");
    if ((st = make_dirs(o->dir)))
        return viz_gnuplot_for_picture(o, st);
    const double *fcol[1] = {f};
    if ((st = write_table(o, "x f u(x,t1) u(x,t2) ...", x, n, fcol, 1, u, nt)))
        return viz_gnuplot_for_picture(o, st);
    dr_output *script;
    FILE *sf;
    if ((st = begin_script(o, &script, &sf)))
        return viz_gnuplot_for_picture(o, st);
    /* landscapes rise towards the box's edges: the legend fits best at the top centre */
    fprintf(sf, "set key top center\n"
                "plot '%s.dat' using 1:2 with lines lw 2.5 lc rgb '#000000' title 'f(x)'",
            o->name);
    for (size_t k = 0; k < nt; k++) {
        /* dark to light along viridis, stopping before its pale yellow end that vanishes on
         * white paper */
        double s = nt > 1 ? 0.05 + 0.75 * (double)k / (double)(nt - 1) : 0.4;
        dr_rgb c = dr_viz_cmap_eval(DR_CMAP_VIRIDIS, s);
        char title[64];
        snprintf(title, sizeof title, "u(x, t=%g)", t[k]);
        fprintf(sf, ", \\\n    '%s.dat' using 1:%zu with lines lw 2 lc rgb '#%02x%02x%02x' title ",
                o->name, k + 3, c.r, c.g, c.b);
        viz_gnuplot_quote(sf, title);
    }
    fputc('\n', sf);
    if ((st = dr_output_commit(script)))
        return viz_gnuplot_for_picture(o, st);
    return dr_gnuplot_run(o);
}

int dr_gnuplot_custom(const dr_gnuplot_options *o, dr_gnuplot_body_fn body, void *ctx)
{
    DR_CHECK_PTRS(o, body);
    int st = check_options(o);
    if (st)
        return st;
    if ((st = make_dirs(o->dir)))
        return viz_gnuplot_for_picture(o, st);
    dr_output *script;
    FILE *f;
    if ((st = begin_script(o, &script, &f)))
        return viz_gnuplot_for_picture(o, st);
    if ((st = body(f, ctx))) {
        dr_output_abort(script);
        return viz_gnuplot_for_picture(o, st);
    }
    if ((st = dr_output_commit(script)))
        return viz_gnuplot_for_picture(o, st);
    return dr_gnuplot_run(o);
}
