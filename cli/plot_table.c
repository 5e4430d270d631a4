/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading the tables `deeprelax plot` draws (see plot_table.h). */
#include "plot_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "deeprelax/input.h"
#include "deeprelax/parse.h"

static char *dup_string(const char *s, size_t len)
{
    char *d = malloc(len + 1);
    if (!d) cli_die(EXIT_FAIL, "out of memory");
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

/* Splits a comma-separated list into out[] (trimmed of spaces and quotes); returns the count. */
static size_t split_names(const char *s, char **out, size_t max, const char *what)
{
    size_t k = 0;
    for (const char *p = s;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && (*p == ' ' || *p == '"')) { p++; len--; }
        while (len && (p[len - 1] == ' ' || p[len - 1] == '"' || p[len - 1] == '\r')) len--;
        if (k == max) cli_die(EXIT_FAIL, "%s: more than %zu columns", what, max);
        if (len == 0) cli_die(EXIT_FAIL, "%s: column %zu has an empty name", what, k + 1);
        out[k++] = dup_string(p, len);
        if (!end) break;
        p = end + 1;
    }
    return k;
}

/* Parses one field as a number (nan and inf allowed: they leave gaps in the pictures). */
static int parse_field(const char *s, size_t len, double *v)
{
    while (len && *s == ' ') { s++; len--; }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\r')) len--;
    return len > 0 && dr_parse_double(s, len, DR_PARSE_INF | DR_PARSE_NAN, v) == DR_SUCCESS;
}

/* The line buffer and the open file outlive a read: a failed read exits (cli_die) with no
 * cleanup path, and the next read reuses the buffer and closes the file first. */
static char *csv_line;
static size_t csv_cap;
static FILE *csv_file;

static void read_csv(plot_table *tb, const char *path)
{
    if (csv_file) fclose(csv_file);
    csv_file = NULL;
    if (dr_input_open(&csv_file, path, DR_INPUT_MAX_BYTES, NULL) != DR_SUCCESS)
        cli_die(EXIT_FAIL, "plot: %s", dr_error_message());
    FILE *f = csv_file;
    char *line;
    size_t lineno = 0, alloc = 0;
    ssize_t got;
    int have_header = 0;
    while ((got = dr_input_getline(&csv_line, &csv_cap, f, DR_INPUT_MAX_LINE)) != -1) {
        lineno++;
        if (got < 0)
            cli_die(EXIT_FAIL, got == -2 ? "plot: %s:%zu: line longer than %zu bytes (the cap)"
                    : "plot: %s:%zu: out of memory (line of up to %zu bytes)", path, lineno,
                    DR_INPUT_MAX_LINE);
        line = csv_line;
        while (got && (line[got - 1] == '\n' || line[got - 1] == '\r')) line[--got] = '\0';
        /* Control bytes (NUL included) mean a binary file: refuse it before any message quotes
         * its bytes back to the terminal. */
        for (ssize_t i = 0; i < got; i++) {
            unsigned char ch = (unsigned char)line[i];
            if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7f)
                cli_die(EXIT_FAIL, "plot: %s:%zu: binary data (byte 0x%02x): not a CSV table", path,
                        lineno, ch);
        }
        if (got == 0 || line[0] == '#') continue;
        if (!have_header) {
            have_header = 1;
            tb->cols = split_names(line, tb->names, PLOT_MAX_COLUMNS, path);
            double v;
            const char *comma = strchr(line, ',');
            if (parse_field(line, comma ? (size_t)(comma - line) : strlen(line), &v)) {
                cli_die(EXIT_FAIL, "plot: %s has no header row (its first line is numbers; "
                        "name the columns, e.g. x,f)", path);
            }
            continue;
        }
        if ((tb->rows + 1) * tb->cols > PLOT_MAX_CELLS)
            cli_die(EXIT_FAIL, "plot: %s:%zu: more than %zu numbers (the cap)", path, lineno,
                    (size_t)PLOT_MAX_CELLS);
        if (tb->rows == alloc) {
            alloc = alloc ? 2 * alloc : 1024;
            double *v = realloc(tb->v, alloc * tb->cols * sizeof *v);
            if (!v) cli_die(EXIT_FAIL, "out of memory");
            tb->v = v;
        }
        const char *p = line;
        for (size_t c = 0; c < tb->cols; c++) {
            const char *end = strchr(p, ',');
            if (!end && c + 1 < tb->cols)
                cli_die(EXIT_FAIL, "plot: %s:%zu: %zu fields, expected %zu (%s)", path, lineno,
                        c + 1, tb->cols, "the header's count");
            if (end && c + 1 == tb->cols)
                cli_die(EXIT_FAIL, "plot: %s:%zu: more than the header's %zu fields", path,
                        lineno, tb->cols);
            size_t len = end ? (size_t)(end - p) : strlen(p);
            double *v = &tb->v[tb->rows * tb->cols + c];
            if (!parse_field(p, len, v)) {
                char name[4 * 40 + 8], field[4 * 40 + 8];
                cli_die(EXIT_FAIL, "plot: %s:%zu: column '%s': '%s' is not a number", path, lineno,
                        dr_text_excerpt(tb->names[c], strlen(tb->names[c]), 40, name, sizeof name),
                        dr_text_excerpt(p, len, 40, field, sizeof field));
            }
            p = end ? end + 1 : p + len;
        }
        tb->rows++;
    }
    fclose(f);
    csv_file = NULL;
    if (!have_header) cli_die(EXIT_FAIL, "plot: %s is empty", path);
    if (tb->rows == 0) cli_die(EXIT_FAIL, "plot: %s has a header but no rows", path);
}

static int column_is_integer(const plot_table *tb, size_t c)
{
    for (size_t r = 0; r < tb->rows; r++) {
        double v = tb->v[r * tb->cols + c];
        if (!(v == floor(v)) || v < 0) return 0;
    }
    return 1;
}

/* The names a bare .npy array most likely carries (the writers of this project). */
static void guess_npy_names(plot_table *tb)
{
    static const char *solve1[] = {"t", "x", "f", "u", "du_dx"};
    static const char *solve2[] = {"t", "x", "y", "f", "u", "du_dx", "du_dy"};
    static const char *part1[] = {"particle", "step", "x", "f"};
    static const char *part2[] = {"particle", "step", "x", "y", "f"};
    const char **names = NULL;
    int ints = tb->cols >= 2 && column_is_integer(tb, 0) && column_is_integer(tb, 1);
    if (tb->cols == 4 && ints) names = part1;
    else if (tb->cols == 5 && ints) names = part2;
    else if (tb->cols == 5) names = solve1;
    else if (tb->cols == 7) names = solve2;
    for (size_t c = 0; c < tb->cols; c++) {
        char buf[32];
        snprintf(buf, sizeof buf, "c%zu", c + 1);
        const char *s = names ? names[c] : buf;
        tb->names[c] = dup_string(s, strlen(s));
    }
}

static void read_npy(plot_table *tb, const char *path)
{
    int ndim;
    size_t shape[3];
    double *data = NULL;
    if (dr_npy_read(path, &ndim, shape, &data)) cli_fail(DR_EIO);
    if (ndim == 1) {
        tb->rows = shape[0];
        tb->cols = 1;
    } else if (ndim == 2) {
        tb->rows = shape[0];
        tb->cols = shape[1];
    } else {
        free(data);
        cli_die(EXIT_FAIL, "plot: %s is a %d-D array; plot reads tables (1-D or 2-D arrays)",
                path, ndim);
    }
    if (tb->rows == 0 || tb->cols == 0 || tb->cols > PLOT_MAX_COLUMNS) {
        free(data);
        cli_die(EXIT_FAIL, "plot: %s has %zu rows and %zu columns (need rows, 1..%d columns)",
                path, tb->rows, tb->cols, PLOT_MAX_COLUMNS);
    }
    tb->v = data;
}

void plot_table_read(plot_table *tb, const char *path, const char *names)
{
    memset(tb, 0, sizeof *tb);
    int npy = cli_has_ext(path, ".npy");
    if (npy) read_npy(tb, path);
    else read_csv(tb, path);
    if (names) {
        char *given[PLOT_MAX_COLUMNS];
        size_t k = split_names(names, given, PLOT_MAX_COLUMNS, "--columns");
        if (k != tb->cols)
            cli_die(EXIT_USAGE, "plot: --columns names %zu columns but %s has %zu", k, path,
                    tb->cols);
        for (size_t c = 0; c < tb->cols; c++) {
            free(tb->names[c]);
            tb->names[c] = given[c];
        }
    } else if (npy) {
        guess_npy_names(tb);
    }
}

void plot_table_free(plot_table *tb)
{
    for (size_t c = 0; c < tb->cols; c++) free(tb->names[c]);
    free(tb->v);
    memset(tb, 0, sizeof *tb);
}

int plot_table_column(const plot_table *tb, const char *name)
{
    for (size_t c = 0; c < tb->cols; c++)
        if (!strcmp(tb->names[c], name)) return (int)c;
    return -1;
}

const char *plot_column_meaning(const char *name)
{
    /* the columns of widen, particles, solve and train's tables */
    static const char *const meaning[][2] = {
        {"semiconcavity", "measured max eig D²u"}, {"bound_inv_t", "bound 1/t"},
        {"bound_C", "bound C/(1+Ct)"}, {"gibbs", "Gibbs identity (β Cov)"},
        {"curvature", "curvature of the minimum"}, {"width", "width of the minimum"},
        {"basin", "basin length"}, {"eig_min", "smallest eigenvalue of D²u"},
        {"eig_max", "largest eigenvalue of D²u"}, {"width_x", "width along x"},
        {"width_y", "width along y"}, {"u", "u(x, t)"}, {"f", "f"},
        {"train_loss", "training loss"}, {"test_loss", "test loss"},
        {"train_error", "training error"}, {"test_error", "test error"},
    };
    for (size_t i = 0; name && i < sizeof meaning / sizeof meaning[0]; i++)
        if (!strcmp(name, meaning[i][0])) return meaning[i][1];
    return name;
}
