/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What `deeprelax train` parsed, handed to the replica driver (cmd_train_replicas.c), and the
 * epoch printer the two share. */
#ifndef DEEPRELAX_CLI_TRAIN_H
#define DEEPRELAX_CLI_TRAIN_H

#include "cli.h"

struct train_run {
    const char *data, *model, *optim, *log_path, *save;
    long epochs, batch, threads, train_n;
    unsigned long seed;
    int json, have_replicas;
    const dr_lr_schedule *sched; /* NULL: the constant rate p.lr */
    dr_optim_params p;
};

/* One epoch's line on stdout (a table row, or a member of the JSON summary's "epochs" array)
 * and its --log row when `log` is not NULL; `comm`, when not NULL, the replicas' seconds spent
 * coupling, as one more column. */
void cli_train_print_epoch(const struct train_run *r, FILE *log, long e, double lr,
                           const dr_epoch_stats *s, const double *comm);

/* Elastic-SGD and Parle: K replicas in this process, or one per rank under mpirun. */
int cli_train_replicas(const struct train_run *run);

#endif
