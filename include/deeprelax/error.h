/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Status codes and error messages of libdeeprelax.
 *
 * Every fallible function returns an int status (DR_SUCCESS = 0) and, on failure, leaves a
 * one-line human message in a thread-local buffer that the caller may print. The library itself
 * never prints and never exits: the message is the caller's to show (the CLI prefixes it with
 * "deeprelax: ").
 *
 * GSL. The library never calls gsl_set_error_handler: the host's handler is the host's. Every GSL
 * call the library makes has its preconditions checked first (knot counts, increasing knots,
 * evaluation points clamped or checked inside the data, valid sizes), so bad input becomes a
 * dr_ status and never a GSL error. The one GSL error left is an allocation failure inside GSL
 * itself, which reaches the host's GSL handler (abort() by default, as in any GSL program); a host
 * that prefers a status there installs gsl_set_error_handler_off() before calling the library. */
#ifndef DEEPRELAX_ERROR_H
#define DEEPRELAX_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum dr_status {
    DR_SUCCESS = 0,
    DR_EINVAL,    /* an argument is out of range or inconsistent (bad t, beta, grid, option) */
    DR_ENOMEM,    /* allocation failed */
    DR_EIO,       /* a file could not be opened, read or written */
    DR_EFORMAT,   /* a data file is malformed: ragged, truncated, NaN, non-uniform, wrong magic */
    DR_EPARSE,    /* an expression does not parse or uses an unknown variable */
    DR_ENOTFOUND, /* an unknown name (landscape, engine, ...) */
    DR_ENUMERIC,  /* a computation lost its accuracy guarantee or met a non-finite value */
    DR_EUNSUPPORTED /* the operation does not exist for this object (e.g. Hessian of a table) */
};

/* Short fixed description of a status code ("invalid argument", ...). */
const char *dr_strerror(int status);

/* The message of the last failure in this thread ("" if none). Valid until the next failure. */
const char *dr_error_message(void);

/* Records a formatted message for `status` and returns `status`, so that a failing function can
 * end with `return dr_error(DR_EINVAL, "t must be positive (got %g)", t);`. */
int dr_error(int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Clears the message (after a failure was handled). */
void dr_error_clear(void);

#ifdef __cplusplus
}
#endif
#endif
