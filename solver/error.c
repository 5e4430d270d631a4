/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Thread-local error messages for libdeeprelax (see include/deeprelax/error.h). */
#include "deeprelax/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_message[512];

const char *dr_strerror(int status)
{
    switch (status) {
    case DR_SUCCESS:      return "success";
    case DR_EINVAL:       return "invalid argument";
    case DR_ENOMEM:       return "out of memory";
    case DR_EIO:          return "input/output error";
    case DR_EFORMAT:      return "malformed data";
    case DR_EPARSE:       return "expression does not parse";
    case DR_ENOTFOUND:    return "not found";
    case DR_ENUMERIC:     return "numerical failure";
    case DR_EUNSUPPORTED: return "not supported";
    default:              return "unknown error";
    }
}

const char *dr_error_message(void) { return last_message; }

void dr_error_clear(void) { last_message[0] = '\0'; }

int dr_error(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    return status;
}
