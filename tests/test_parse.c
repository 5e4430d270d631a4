/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The strict recognisers (deeprelax/parse.h): numbers as the CLI and the readers take them,
 * and expressions against the grammar and caps. Every accepted expression is then built by
 * libmatheval with stdout redirected to a file, which must stay empty: its lexer echoes the
 * bytes it has no rule for, and the grammar admits none of them. */
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "deeprelax/deeprelax.h"

static void test_numbers(void **state)
{
    (void)state;
    static const struct { const char *s; int flags; int ok; double v; } cases[] = {
        {"1.5", 0, 1, 1.5}, {"-2", 0, 1, -2}, {"+.5", 0, 1, 0.5}, {"5.", 0, 1, 5},
        {"1e-3", 0, 1, 1e-3}, {"2E+2", 0, 1, 200}, {"inf", DR_PARSE_INF, 1, INFINITY},
        {"-inf", DR_PARSE_INF, 1, -INFINITY}, {"", 0, 0, 0}, {" 1", 0, 0, 0}, {"1 ", 0, 0, 0},
        {"0x10", 0, 0, 0}, {"inf", 0, 0, 0}, {"infinity", DR_PARSE_INF, 0, 0}, {"nan", 0, 0, 0},
        {"1e", 0, 0, 0}, {".", 0, 0, 0}, {"1,", 0, 0, 0}, {"1e999", 0, 0, 0}, {"--1", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double v = 0;
        int st = dr_parse_double(cases[i].s, strlen(cases[i].s), cases[i].flags, &v);
        if ((st == DR_SUCCESS) != cases[i].ok || (cases[i].ok && v != cases[i].v))
            fail_msg("'%s': status %d, value %g (%s)", cases[i].s, st, v, dr_error_message());
    }
    double v;
    assert_int_equal(dr_parse_double("nan", 3, DR_PARSE_NAN, &v), DR_SUCCESS);
    assert_true(isnan(v));
    long l;
    assert_int_equal(dr_parse_long("42", 2, 0, 100, &l), DR_SUCCESS);
    assert_int_equal(l, 42);
    assert_int_equal(dr_parse_long(" 4", 2, 0, 100, &l), DR_EPARSE);
    assert_int_equal(dr_parse_long("4.0", 3, 0, 100, &l), DR_EPARSE);
    assert_int_equal(dr_parse_long("101", 3, 0, 100, &l), DR_EINVAL);
    assert_int_equal(dr_parse_long("99999999999999999999", 20, 0, 100, &l), DR_EINVAL);
}

static void test_expression_errors(void **state)
{
    (void)state;
    static const struct { const char *e, *needle; } cases[] = {
        {"x\xc2\xb2", "character '\\xc2\\xb2' at position 2"},
        {"x#", "'#' at position 2"},
        {"2x", "expected an operator (+ - * / ^; a product needs '*') at position 2"},
        {"x+", "at position 3, found the end"},
        {"(x", "unclosed '(' at position 1"},
        {"x)", "unbalanced ')' at position 2"},
        {"2^3^2", "a second '^' at position 4"},
        {"sin x", "function 'sin' at position 1 needs"},
        {"foo(x)", "unknown function 'foo' at position 1"},
        {"x + z", "unknown variable 'z' at position 5"},
        {"x\t+\n1", "'\\x0a' at position 4"},
        {"   ", "empty expression"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int st = dr_expr_check(cases[i].e, NULL);
        if (st != DR_EPARSE || !strstr(dr_error_message(), cases[i].needle))
            fail_msg("'%s': status %d, message '%s' lacks '%s'", cases[i].e, st,
                     dr_error_message(), cases[i].needle);
    }
}

/* Each cap refuses the first text beyond it and accepts the text at it. */
static void test_expression_caps(void **state)
{
    (void)state;
    char *s = malloc(20000);
    dr_expr_info info;
    /* 64 nested calls pass, 65 do not */
    for (int depth = 64; depth <= 65; depth++) {
        size_t o = 0;
        for (int k = 0; k < depth; k++) o += (size_t)sprintf(s + o, "sin(");
        s[o++] = 'x';
        for (int k = 0; k < depth; k++) s[o++] = ')';
        s[o] = '\0';
        int st = dr_expr_check(s, &info);
        assert_int_equal(st, depth == 64 ? DR_SUCCESS : DR_EPARSE);
        if (depth == 64) assert_int_equal(info.depth, 64);
        else assert_non_null(strstr(dr_error_message(), "nested deeper than 64 levels (the cap) at position 257"));
    }
    /* x+x+...: 1000 terms are 1999 nodes, 1001 terms 2001 */
    for (int terms = 1000; terms <= 1001; terms++) {
        size_t o = 0;
        for (int k = 0; k < terms; k++) o += (size_t)sprintf(s + o, k ? "+x" : "x");
        int st = dr_expr_check(s, &info);
        assert_int_equal(st, terms == 1000 ? DR_SUCCESS : DR_EPARSE);
        if (terms == 1000) assert_int_equal(info.nodes, 1999);
    }
    memset(s, ' ', 4097);
    s[0] = 'x';
    s[4097] = '\0';
    assert_int_equal(dr_expr_check(s, NULL), DR_EPARSE);
    assert_non_null(strstr(dr_error_message(), "longer than 4096 bytes (the cap)"));
    s[4096] = '\0';
    assert_int_equal(dr_expr_check(s, NULL), DR_SUCCESS);
    /* the message shows the first 60 characters, not the 4 KB */
    assert_true(strlen(dr_error_message()) < 400);
    free(s);
}

static void test_accepted_build_silently(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "x^4 - 2*x^2", "(x^2-1)^2 + y^2", "-x^-2*0 + 1", "x*-y", "1_pi*x - 2_sqrtpi/(y+9)",
        "1.5e-3*x + .5 - 5.", "abs(x) + step(y) + delta(x) + nandelta(y) + erf(x)",
        "asec(x+3) + acsch(y+3) + log(sqrt(x^2+1))", "sin (x)\t+ cos\t(y)", "e^x + pi_2 - ln10",
        "(x^2)^3 + x^(y^2)", "--x", "sqrt1_2*sech(x)*coth(y+4)*acoth(x+4)*asech(0.5)"};
    char path[] = "/tmp/test_parse_stdout.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    assert_true(dup2(fd, STDOUT_FILENO) >= 0);
    int failures = 0;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        dr_landscape *f;
        if (dr_expr_check(ok[i], NULL) != DR_SUCCESS ||
            dr_landscape_alloc_expr(&f, ok[i], 0) != DR_SUCCESS) {
            failures++;
            continue;
        }
        dr_landscape_free(f);
    }
    fflush(stdout);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(fd);
    unlink(path);
    assert_int_equal(failures, 0);
    assert_int_equal(st.st_size, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_expression_errors),
        cmocka_unit_test(test_expression_caps),
        cmocka_unit_test(test_accepted_build_silently),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
