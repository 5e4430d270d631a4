/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The strict number parsers every CLI option and data reader use (dr_parse_double,
 * dr_parse_long). Properties: what is accepted is a plain decimal (or the words the flags
 * allow) and has strtod's value; nothing with a space, a hex prefix or a trailing byte is. */
#include <errno.h>
#include <math.h>

#include "deeprelax/parse.h"
#include "fuzz_util.h"

static int plain_decimal(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789+-.eE", s[i]) || !s[i]) return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    int flags = data[0] & 3;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    double v;
    int status = dr_parse_double(s, n, flags, &v);
    fuzz_check_message(status);
    if (status == DR_SUCCESS) {
        char *copy = malloc(n + 1);
        memcpy(copy, s, n);
        copy[n] = '\0';
        int word = (n == 3 || n == 4) && (strstr(copy, "inf") || strstr(copy, "nan"));
        if (!word && !plain_decimal(data + 1, n)) { fprintf(stderr, "accepted '%s'\n", copy); abort(); }
        if (word && !(isinf(v) ? flags & DR_PARSE_INF : isnan(v) ? flags & DR_PARSE_NAN : 0)) abort();
        char *end;
        double w = strtod(copy, &end);
        if (*end || !(w == v || (isnan(w) && isnan(v)))) { fprintf(stderr, "'%s': %g vs %g\n", copy, v, w); abort(); }
        free(copy);
    }
    long l;
    status = dr_parse_long(s, n, -1000000, 1000000, &l);
    fuzz_check_message(status);
    if (status == DR_SUCCESS && (l < -1000000 || l > 1000000 || !plain_decimal(data + 1, n))) abort();
    return 0;
}
