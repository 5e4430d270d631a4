/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dr_version: the runtime version string (see include/deeprelax/version.h). */
#include "deeprelax/version.h"

const char *dr_version(void) { return DR_VERSION; }
