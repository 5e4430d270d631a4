/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one way the library's public functions refuse NULL pointers (private to the library):
 *     DR_CHECK_PTRS(f, g, u);
 * returns DR_EINVAL with "FUNCTION: NULL argument (f, g, u must not be NULL)" when any is NULL.
 * Every entry point fails the same way, with a status a binding can raise, rather than crash the
 * host process on a caller's slip. Only for functions returning a dr_ status. */
#ifndef DEEPRELAX_DR_ARGS_H
#define DEEPRELAX_DR_ARGS_H

#include <stddef.h>
#include "deeprelax/error.h"

static inline int dr_any_null_(const void *const *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!p[i]) return 1;
    return 0;
}

#define DR_CHECK_PTRS(...)                                                                     \
    do {                                                                                       \
        if (dr_any_null_((const void *const[]){__VA_ARGS__},                                   \
                         sizeof((const void *const[]){__VA_ARGS__}) / sizeof(const void *)))   \
            return dr_error(DR_EINVAL, "%s: NULL argument (%s must not be NULL)", __func__,    \
                            #__VA_ARGS__);                                                     \
    } while (0)

#endif
