/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The demo's static page (cli/demo_page.c). */
#ifndef DEEPRELAX_CLI_DEMO_PAGE_H
#define DEEPRELAX_CLI_DEMO_PAGE_H

/* Writes `path` (DIR/index.html) from the text of DIR/summary.json; pictures that do not exist
 * in DIR are left out. Returns a status (the page replaces an older one only when complete). */
int demo_page_write(const char *dir, const char *summary_json, const char *path);

#endif
