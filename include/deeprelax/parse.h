/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Strict parsing of the text a user types: numbers (command-line options and data files) and
 * landscape expressions. One recogniser each, shared by the CLI, the file readers and the
 * library's expression landscapes, so that "0x10", " 1", "1," or "x²" mean the same thing (an
 * error) everywhere instead of whatever strtod or libmatheval's lexer happens to make of them. */
#ifndef DEEPRELAX_PARSE_H
#define DEEPRELAX_PARSE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- numbers --------------------------------------------------------------------------------
 * A decimal number, nothing else: [+-] digits [. digits] [e|E [+-] digits] (or [+-] . digits
 * ...). No spaces, no hex, no "infinity"; a value beyond the double range is refused.
 * Flags allow the words "inf" / "-inf" (DR_PARSE_INF) and "nan" (DR_PARSE_NAN). */
enum { DR_PARSE_INF = 1, DR_PARSE_NAN = 2 };

/* Parses the `len` bytes at `s` (which need not be NUL-terminated) into *v. DR_SUCCESS, or
 * DR_EPARSE with a message naming the text. */
int dr_parse_double(const char *s, size_t len, int flags, double *v);
/* A decimal integer [+-] digits, in [min, max]. DR_EPARSE (not an integer) or DR_EINVAL (out of
 * range), the message naming the text. */
int dr_parse_long(const char *s, size_t len, long min, long max, long *v);

/* Up to `max` bytes of s[0..len) as a printable, one-line excerpt for a message (what a reader
 * quotes back from a file must not put raw bytes on a terminal): printable ASCII as is, every
 * other byte as \xHH, "..." when cut. Writes buf[size] (4 max + 4 bytes suffice); returns buf. */
const char *dr_text_excerpt(const char *s, size_t len, size_t max, char *buf, size_t size);

/* ---- expressions ----------------------------------------------------------------------------
 * The grammar an expression landscape accepts (a strict subset of GNU libmatheval's, so that
 * libmatheval parses everything that passes and never meets a byte its lexer would echo):
 *
 *   expr     := term (('+' | '-') term)*
 *   term     := unary (('*' | '/') unary)*
 *   unary    := '-' unary | power
 *   power    := primary ['^' exponent]         a second '^' needs parentheses: (a^b)^c, a^(b^c)
 *   exponent := '-' exponent | primary
 *   primary  := NUMBER | 'x' | 'y' | CONSTANT | FUNCTION '(' expr ')' | '(' expr ')'
 *
 * NUMBER as above (no sign: that is unary minus), blanks are spaces and tabs, FUNCTION and
 * CONSTANT are libmatheval's (see dr_expr_functions / dr_expr_constants). Caps bound what a short
 * text can cost: DR_EXPR_MAX_LENGTH bytes, DR_EXPR_MAX_DEPTH nested parentheses, function calls
 * or unary minus signs, DR_EXPR_MAX_NODES operators and operands, and DR_EXPR_MAX_DERIV nodes in
 * a bound on the size of the second derivative's tree (libmatheval differentiates symbolically:
 * a product of 200 factors has a 10-million-node second derivative). */
#define DR_EXPR_MAX_LENGTH 4096
#define DR_EXPR_MAX_DEPTH 64
#define DR_EXPR_MAX_NODES 2000
#define DR_EXPR_MAX_DERIV 2000000.0

typedef struct {
    int uses_x, uses_y;
    int nonsmooth;      /* names abs, step, delta or nandelta (kinks or jumps) */
    size_t nodes;       /* operators and operands */
    int depth;          /* deepest nesting of parentheses, calls and unary minus */
    double deriv_bound; /* the bound on the second derivative's node count */
} dr_expr_info;

/* Checks `expr` against the grammar and the caps. DR_SUCCESS and *info (may be NULL) filled, or
 * DR_EPARSE with a one-line message naming the first offending character and its 1-based
 * position (bytes; everything before it is ASCII), or the cap that was exceeded. Non-ASCII and
 * control bytes are shown escaped (\xHH), and a long expression is shown by its first 60
 * characters. */
int dr_expr_check(const char *expr, dr_expr_info *info);

/* The NULL-terminated lists of function and constant names the grammar accepts. */
const char *const *dr_expr_functions(void);
const char *const *dr_expr_constants(void);

#ifdef __cplusplus
}
#endif
#endif
