/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The `deeprelax` command: dispatches to one subcommand per file in cli/. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "progress.h"

struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct subcommand subcommands[] = {
    {"demo", cmd_demo, "the tour: the paper's toy and a 2-D landscape relaxed, into out/"},
    {"landscapes", cmd_landscapes, "the built-in catalogue (name, dimension, domain, formula)"},
    {"solve", cmd_solve, "relax one landscape: Cole-Hopf (viscous) or Hopf-Lax (inviscid)"},
    {"plot", cmd_plot, "pictures from any output table: curves, heatmap, paths, lines, GIF"},
    {"train", cmd_train, "train the MLP (SGD, Entropy-SGD, HJ, Elastic-SGD) on MNIST-format data"},
    {"eval", cmd_eval, "a saved model's test loss and error"},
    {"slice", cmd_slice, "a trained network's 2-D loss slice, a landscape to relax"},
    {"sharpness", cmd_sharpness, "flatness of a trained minimum: Hessian spectrum, local entropy, 1-D views"},
    {"widen", cmd_widen, "semi-concavity against the bounds, minima widening over a sweep of t"},
    {"particles", cmd_particles, "optimiser trajectories on a landscape, compared with the PDE"},
    {"explore", cmd_explore, "explore.html: sliders over beta and t, u, minima, Gibbs measure"},
};
static const size_t n_subcommands = sizeof subcommands / sizeof subcommands[0];

static void usage(FILE *out)
{
    fprintf(out, "usage: deeprelax COMMAND [OPTIONS]   (deeprelax COMMAND --help for each)\n\n");
    for (size_t i = 0; i < n_subcommands; i++)
        fprintf(out, "  %-12s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(out, "\nOptions of every command:\n"
                 "  --progress   progress of long runs on stderr also when it is not a terminal\n"
                 "               (a line every 2 s; on a terminal a bar with rate and time left)\n"
                 "  --quiet      no progress at all\n"
                 "  (or DEEPRELAX_PROGRESS=on|off in the environment)\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("deeprelax %s\n", DR_VERSION);
        return 0;
    }
    cli_outputs_init();
    for (size_t i = 0; i < n_subcommands; i++)
        if (!strcmp(argv[1], subcommands[i].name))
            return subcommands[i].run(cli_progress_options(argc - 1, argv + 1), argv + 1);
    cli_die(EXIT_USAGE, "unknown command '%s' (try deeprelax --help)", argv[1]);
}
