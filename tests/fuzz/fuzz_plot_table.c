/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tables `deeprelax plot` reads (cli/plot_table.c: CSV with a header). The reader exits on
 * bad input (cli_die); here cli_die checks its one line and jumps back instead. Properties: no
 * memory error, one printable line per refusal, rows x cols numbers on success. */
#include <setjmp.h>
#include <stdarg.h>

#include "cli.h"
#include "plot_table.h"
#include "fuzz_util.h"

static jmp_buf back;
static plot_table table;

_Noreturn void cli_die(int code, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    for (const unsigned char *p = (const unsigned char *)line; *p; p++)
        if (*p < 0x20 || *p >= 0x7f) { fprintf(stderr, "byte 0x%02x in: %s\n", *p, line); abort(); }
    if (code != EXIT_FAIL && code != EXIT_USAGE) abort();
    longjmp(back, 1);
}

_Noreturn void cli_fail(int status)
{
    (void)status;
    cli_die(EXIT_FAIL, "%s", dr_error_message());
}

int cli_has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), m = strlen(ext);
    return n >= m && !strcmp(path + n - m, ext);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("t.csv", data, size);
    if (setjmp(back) == 0) {
        plot_table_read(&table, path, NULL);
        volatile double sum = 0;
        for (size_t i = 0; i < table.rows * table.cols; i++) sum += table.v[i];
        (void)sum;
    }
    /* after a refusal the table holds what was read so far: free it as the exit would */
    plot_table_free(&table);
    return 0;
}
