/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What `deeprelax train` parsed, handed to the replica driver (cmd_train_replicas.c). */
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

/* Elastic-SGD and Parle: K replicas in this process, or one per rank under mpirun. */
int cli_train_replicas(const struct train_run *run);

#endif
