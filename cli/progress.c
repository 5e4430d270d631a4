/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Progress lines on stderr (see progress.h). */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_progress_mode = CLI_PROGRESS_AUTO;

#define SHOW_AFTER 1.0   /* s: quick runs print nothing */
#define TTY_EVERY 0.2    /* s between redraws of the bar */
#define PLAIN_EVERY 2.0  /* s between plain lines */
#define BAR_WIDTH 24

void cli_progress_begin(cli_progress *p, const char *label, const char *unit, double total)
{
    memset(p, 0, sizeof *p);
    snprintf(p->label, sizeof p->label, "%s", label);
    p->unit = unit;
    p->total = total > 0 ? total : 0;
    p->start = p->last = cli_seconds();
    p->tty = isatty(2);
}

static void format_eta(char *buf, size_t n, double seconds)
{
    if (!(seconds >= 0) || seconds > 1e7) snprintf(buf, n, "?");
    else if (seconds < 60) snprintf(buf, n, "%.0f s", seconds);
    else if (seconds < 3600) snprintf(buf, n, "%d:%02d", (int)seconds / 60, (int)seconds % 60);
    else snprintf(buf, n, "%d:%02d:%02d", (int)seconds / 3600, (int)seconds / 60 % 60,
                  (int)seconds % 60);
}

static void draw_bar(const cli_progress *p, double done, double elapsed)
{
    double frac = p->total ? done / p->total : 0, rate = elapsed > 0 ? done / elapsed : 0;
    char bar[BAR_WIDTH + 1], eta[24];
    int full = (int)(frac * BAR_WIDTH + 0.5);
    for (int i = 0; i < BAR_WIDTH; i++) bar[i] = i < full ? '#' : '-';
    bar[BAR_WIDTH] = '\0';
    format_eta(eta, sizeof eta, rate > 0 && p->total ? (p->total - done) / rate : -1);
    fprintf(stderr, "\r%s [%s] %3.0f%%  %.3g %s/s  %s left \033[K", p->label, bar, 100 * frac, rate,
            p->unit, eta);
}

static void plain_line(const cli_progress *p, double done, double elapsed)
{
    double rate = elapsed > 0 ? done / elapsed : 0;
    char eta[24];
    format_eta(eta, sizeof eta, rate > 0 && p->total ? (p->total - done) / rate : -1);
    if (p->total)
        fprintf(stderr, "deeprelax: %s: %.6g/%.6g %s (%.0f%%), %.3g %s/s, %.0f s elapsed, %s left\n",
                p->label, done, p->total, p->unit, 100 * done / p->total, rate, p->unit, elapsed,
                eta);
    else
        fprintf(stderr, "deeprelax: %s: %.6g %s, %.3g %s/s, %.0f s elapsed\n", p->label, done,
                p->unit, rate, p->unit, elapsed);
}

void cli_progress_update(cli_progress *p, double done)
{
    if (cli_progress_mode == CLI_PROGRESS_OFF) return;
    if (!p->tty && cli_progress_mode != CLI_PROGRESS_ON) return;
    double now = cli_seconds(), elapsed = now - p->start;
    if (elapsed < SHOW_AFTER || now - p->last < (p->tty ? TTY_EVERY : PLAIN_EVERY)) return;
    p->last = now;
    p->shown = 1;
    if (p->tty) draw_bar(p, done, elapsed);
    else plain_line(p, done, elapsed);
}

void cli_progress_end(cli_progress *p, double done)
{
    if (!p->shown) return;
    if (p->tty) fputs("\r\033[K", stderr);
    else fprintf(stderr, "deeprelax: %s: done, %.6g %s in %.1f s\n", p->label, done, p->unit,
                 cli_seconds() - p->start);
    p->shown = 0;
}

/* The mode also travels in DEEPRELAX_PROGRESS (on|off), so that it survives the trainer's
 * restart with other BLAS kernels (cmd_train.c re-executes the stripped argv) and so that a
 * notebook or a batch system can set it once for every call. */
int cli_progress_options(int argc, char **argv)
{
    const char *env = getenv("DEEPRELAX_PROGRESS");
    if (env && !strcmp(env, "on")) cli_progress_mode = CLI_PROGRESS_ON;
    if (env && !strcmp(env, "off")) cli_progress_mode = CLI_PROGRESS_OFF;
    int out = 0;
    for (int i = 0; i < argc; i++) {
        if (i > 0 && !strcmp(argv[i], "--progress")) cli_progress_mode = CLI_PROGRESS_ON;
        else if (i > 0 && !strcmp(argv[i], "--quiet")) cli_progress_mode = CLI_PROGRESS_OFF;
        else argv[out++] = argv[i];
    }
    argv[out] = NULL;
    if (cli_progress_mode != CLI_PROGRESS_AUTO)
        setenv("DEEPRELAX_PROGRESS", cli_progress_mode == CLI_PROGRESS_ON ? "on" : "off", 1);
    return out;
}
