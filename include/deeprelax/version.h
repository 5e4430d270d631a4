/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The version of libdeeprelax: the one source of the header's, pkg-config's (the Makefile reads
 * this line) and the Python package's (deeprelax.__version__ = dr_version()) version string.
 * Thread safety: constant strings, safe from any thread. */
#ifndef DEEPRELAX_VERSION_H
#define DEEPRELAX_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

#define DR_VERSION "0.1.0"

/* The version of the library actually loaded (DR_VERSION is the one compiled against). */
const char *dr_version(void);

#ifdef __cplusplus
}
#endif
#endif
