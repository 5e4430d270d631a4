/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Progress of long runs, always on stderr (stdout stays the data or the JSON):
 *   - stderr a terminal: one redrawn line, a bar with the rate and the time left, shown once a
 *     run has lasted 1 s (quick runs print nothing);
 *   - --progress (global option, any subcommand): on a terminal the same; otherwise a plain line
 *     every 2 s and a closing line, so a log or a notebook cell shows the run's pace too;
 *   - --quiet: nothing.
 * The mode is set once by main.c from the command line; subcommands only begin/update/end. */
#ifndef DEEPRELAX_CLI_PROGRESS_H
#define DEEPRELAX_CLI_PROGRESS_H

#include <stddef.h>

enum { CLI_PROGRESS_AUTO, CLI_PROGRESS_ON, CLI_PROGRESS_OFF };
extern int cli_progress_mode;

typedef struct {
    char label[48];
    const char *unit;  /* what is counted: "t", "steps", "points" */
    double total;      /* 0 when unknown */
    double start, last;
    int tty, shown;
} cli_progress;

void cli_progress_begin(cli_progress *p, const char *label, const char *unit, double total);
void cli_progress_update(cli_progress *p, double done);
/* Clears a terminal's bar, or writes the closing line of the plain mode. */
void cli_progress_end(cli_progress *p, double done);

/* Removes the global options --progress and --quiet from argv (any position after the
 * subcommand), sets the mode and returns the new argc. */
int cli_progress_options(int argc, char **argv);

#endif
