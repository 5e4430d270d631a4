/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading single values back out of the JSON the subcommands print (the demo's page quotes the
 * numbers of widen and particles from their --json output): a path lookup over the text, no
 * document tree. Strict enough for JSON that this project writes; returns 0 when the path
 * is missing or the text is malformed. */
#include "json_get.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *ws(const char *p)
{
    while (*p && isspace((unsigned char)*p)) p++;
    return p;
}

/* End of the string starting at the opening quote p (just past the closing quote). */
static const char *skip_string(const char *p)
{
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1]) p++;
    return *p == '"' ? p + 1 : NULL;
}

/* End of the value starting at p (after leading space), or NULL. */
static const char *skip_value(const char *p)
{
    p = ws(p);
    if (*p == '"') return skip_string(p);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = ws(p + 1);
        if (*p == close) return p + 1;
        for (;;) {
            if (close == '}') {
                if (*p != '"' || !(p = skip_string(p))) return NULL;
                p = ws(p);
                if (*p++ != ':') return NULL;
            }
            if (!(p = skip_value(p))) return NULL;
            p = ws(p);
            if (*p == ',') { p = ws(p + 1); continue; }
            return *p == close ? p + 1 : NULL;
        }
    }
    const char *start = p;
    while (*p && (isalnum((unsigned char)*p) || *p == '-' || *p == '+' || *p == '.')) p++;
    return p > start ? p : NULL;
}

/* The value at the path segment `seg` (length len) inside the container starting at p. */
static const char *member(const char *p, const char *seg, size_t len)
{
    p = ws(p);
    if (*p == '{') {
        p = ws(p + 1);
        while (*p == '"') {
            const char *key = p + 1, *end = skip_string(p);
            if (!end) return NULL;
            int hit = (size_t)(end - 1 - key) == len && !strncmp(key, seg, len);
            p = ws(end);
            if (*p++ != ':') return NULL;
            p = ws(p);
            if (hit) return p;
            if (!(p = skip_value(p))) return NULL;
            p = ws(p);
            if (*p == ',') p = ws(p + 1);
        }
        return NULL;
    }
    if (*p == '[') {
        char *end;
        long want = strtol(seg, &end, 10);
        if (end != seg + len || want < 0) return NULL;
        p = ws(p + 1);
        for (long k = 0; *p && *p != ']'; k++) {
            if (k == want) return p;
            if (!(p = skip_value(p))) return NULL;
            p = ws(p);
            if (*p == ',') p = ws(p + 1);
        }
    }
    return NULL;
}

const char *json_get(const char *text, const char *path)
{
    const char *p = ws(text);
    while (p && *path) {
        const char *slash = strchr(path, '/');
        size_t len = slash ? (size_t)(slash - path) : strlen(path);
        p = member(p, path, len);
        path += len + (slash ? 1 : 0);
    }
    return p;
}

int json_get_number(const char *text, const char *path, double *out)
{
    const char *p = json_get(text, path);
    if (!p || !(*p == '-' || isdigit((unsigned char)*p))) return 0;
    char *end;
    *out = strtod(p, &end);
    return end > p;
}

size_t json_get_length(const char *text, const char *path)
{
    const char *p = json_get(text, path);
    if (!p || *p != '[') return 0;
    p = ws(p + 1);
    size_t n = 0;
    while (*p && *p != ']') {
        if (!(p = skip_value(p))) return n;
        n++;
        p = ws(p);
        if (*p == ',') p = ws(p + 1);
    }
    return n;
}
