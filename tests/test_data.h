/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where the tests find MNIST-format data, without a path of any one machine: the real MNIST in
 * ../shared/data/mnist beside the checkout (the tests run from the source tree), else the
 * directory $DEEPRELAX_DATA names, else Debian's dataset-fashion-mnist (same IDX format). */
#ifndef DEEPRELAX_TEST_DATA_H
#define DEEPRELAX_TEST_DATA_H

#include <stdlib.h>
#include <sys/stat.h>

#define TEST_FASHION_DIR "/usr/share/datasets/fashion-mnist" /* Debian's package */

/* The real MNIST's directory, or NULL when neither ../shared nor $DEEPRELAX_DATA has it. */
static inline const char *test_mnist_dir(void)
{
    struct stat st;
    const char *env = getenv("DEEPRELAX_DATA");
    if (stat("../shared/data/mnist", &st) == 0) return "../shared/data/mnist";
    if (env && *env && stat(env, &st) == 0) return env;
    return NULL;
}

/* Debian's Fashion-MNIST, or NULL when the package is not installed. */
static inline const char *test_fashion_dir(void)
{
    struct stat st;
    return stat(TEST_FASHION_DIR, &st) == 0 ? TEST_FASHION_DIR : NULL;
}

#endif
