/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Strict recognisers for numbers and landscape expressions (include/deeprelax/parse.h).
 *
 * The expression recogniser is a recursive descent over the grammar in parse.h. Besides the
 * syntax it bounds the cost of what it accepts: libmatheval copies subtrees when it
 * differentiates, so the tree sizes of f, f' and f'' are bounded bottom-up while parsing (the
 * product rule copies both factors, a function's derivative copies its argument at most three
 * times, e.g. asec'(u) = 1/(u sqrt(u^2 - 1))), and an expression whose bound on f'' is above
 * DR_EXPR_MAX_DERIV is refused before libmatheval builds it. */
#include "deeprelax/parse.h"
#include "deeprelax/error.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXCERPT_CHARS 60

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_name_char(char c) { return is_name_start(c) || is_digit(c); }

/* Up to `max` bytes of s[0..len) for a message: printable ASCII as is, anything else as \xHH,
 * "..." when cut. */
static const char *excerpt(const char *s, size_t len, size_t max, char *buf, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < len && i < max && o + 8 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f) buf[o++] = (char)c;
        else o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
    }
    if (len > max && o + 4 < size) { memcpy(buf + o, "...", 3); o += 3; }
    buf[o] = '\0';
    return buf;
}

const char *dr_text_excerpt(const char *s, size_t len, size_t max, char *buf, size_t size)
{
    return excerpt(s, len, max, buf, size);
}

/* Length of the decimal numeral at s (no sign): digits [. digits] or . digits, then an
 * optional exponent that counts only when it has digits (libmatheval's lexer does the same). */
static size_t scan_decimal(const char *s, size_t len)
{
    size_t i = 0, whole = 0, frac = 0;
    while (i < len && is_digit(s[i])) { i++; whole++; }
    if (i < len && s[i] == '.') {
        size_t j = i + 1;
        while (j < len && is_digit(s[j])) { j++; frac++; }
        if (whole || frac) i = j;
    }
    if (!whole && !frac) return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < len && (s[j] == '+' || s[j] == '-')) j++;
        size_t k = j;
        while (k < len && is_digit(s[k])) k++;
        if (k > j) i = k;
    }
    return i;
}

/* strtod on a NUL-terminated copy (s need not be terminated); 0 if beyond the double range. */
static int decimal_value(const char *s, size_t len, double *v)
{
    char small[128], *buf = len < sizeof small ? small : malloc(len + 1);
    if (!buf) return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    *v = strtod(buf, NULL);
    int ok = !isinf(*v);
    if (buf != small) free(buf);
    return ok;
}

int dr_parse_double(const char *s, size_t len, int flags, double *v)
{
    char shown[4 * 40 + 8];
    if (!s || len == 0) return dr_error(DR_EPARSE, "empty number");
    size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
    if ((flags & DR_PARSE_INF) && len - i == 3 && !memcmp(s + i, "inf", 3)) {
        *v = s[0] == '-' ? -INFINITY : INFINITY;
        return DR_SUCCESS;
    }
    if ((flags & DR_PARSE_NAN) && len == 3 && !memcmp(s, "nan", 3)) {
        *v = NAN;
        return DR_SUCCESS;
    }
    if (len == i || scan_decimal(s + i, len - i) != len - i)
        return dr_error(DR_EPARSE, "'%s' is not a %snumber (a decimal like 0.5, -2 or 1e-3%s)",
                        excerpt(s, len, 40, shown, sizeof shown),
                        flags & DR_PARSE_INF ? "" : "finite ", flags & DR_PARSE_INF ? ", or inf" : "");
    if (!decimal_value(s, len, v))
        return dr_error(DR_EPARSE, "'%s' is beyond the range of a double",
                        excerpt(s, len, 40, shown, sizeof shown));
    return DR_SUCCESS;
}

int dr_parse_long(const char *s, size_t len, long min, long max, long *v)
{
    char shown[4 * 40 + 8], buf[32];
    size_t i = (len > 0 && (s[0] == '+' || s[0] == '-')) ? 1 : 0, j = i;
    while (j < len && is_digit(s[j])) j++;
    if (!s || len == 0 || j == i || j != len)
        return dr_error(DR_EPARSE, "'%s' is not an integer", s ? excerpt(s, len, 40, shown,
                                                                         sizeof shown) : "");
    errno = 0;
    long got = 0;
    if (len < sizeof buf) {
        memcpy(buf, s, len);
        buf[len] = '\0';
        got = strtol(buf, NULL, 10);
    }
    if (len >= sizeof buf || errno == ERANGE || got < min || got > max)
        return dr_error(DR_EINVAL, "%s is out of range [%ld, %ld]",
                        excerpt(s, len, 40, shown, sizeof shown), min, max);
    *v = got;
    return DR_SUCCESS;
}

/* ---- expressions ---------------------------------------------------------------------------- */

static const char *const functions[] = {
    "exp", "log", "sqrt", "sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan",
    "acot", "asec", "acsc", "sinh", "cosh", "tanh", "coth", "sech", "csch", "asinh", "acosh",
    "atanh", "acoth", "asech", "acsch", "abs", "step", "delta", "nandelta", "erf", NULL};
/* The functions with kinks or jumps. */
static const char *const nonsmooth[] = {"abs", "step", "delta", "nandelta", NULL};
static const char *const constants[] = {"e", "log2e", "log10e", "ln2", "ln10", "pi", "pi_2",
                                        "pi_4", "1_pi", "2_pi", "2_sqrtpi", "sqrt2", "sqrt1_2",
                                        NULL};

const char *const *dr_expr_functions(void) { return functions; }
const char *const *dr_expr_constants(void) { return constants; }

static int in_list(const char *const *list, const char *s, size_t len)
{
    for (; *list; list++)
        if (strlen(*list) == len && !memcmp(*list, s, len)) return 1;
    return 0;
}

enum tok_kind { T_END, T_NUMBER, T_NAME, T_OP, T_BAD };
typedef struct {
    enum tok_kind kind;
    size_t start, len;
} token;

/* Node counts of a subtree and bounds on those of its first and second derivatives. */
typedef struct { double s, d, dd; } tree_size;

typedef struct {
    const char *text;
    size_t len, pos;
    int depth;
    dr_expr_info info;
} parser;

static int parse_expr(parser *p, tree_size *out);

/* The token at p->pos after blanks (libmatheval's are spaces and tabs only). The digit-led
 * constants (1_pi, 2_pi, 2_sqrtpi) are names, as in libmatheval's longest-match lexer. */
static token peek(parser *p)
{
    size_t i = p->pos;
    while (i < p->len && (p->text[i] == ' ' || p->text[i] == '\t')) i++;
    token t = {T_END, i, 0};
    if (i == p->len) return t;
    const char *s = p->text + i;
    size_t rest = p->len - i, n = 0;
    if (is_digit(s[0]) || s[0] == '_' || is_name_start(s[0]))
        while (n < rest && is_name_char(s[n])) n++;
    if (is_digit(s[0]) && !in_list(constants, s, n)) {
        n = scan_decimal(s, rest);
        t.kind = T_NUMBER;
    } else if (n > 0) {
        t.kind = T_NAME;
    } else if (strchr("+-*/^()", s[0])) {
        t.kind = T_OP;
        n = 1;
    } else if (s[0] == '.' && (n = scan_decimal(s, rest)) > 0) {
        t.kind = T_NUMBER;
    } else {
        t.kind = T_BAD;
        n = 1;
    }
    t.len = n;
    return t;
}

static void advance(parser *p, token t) { p->pos = t.start + t.len; }

/* DR_EPARSE "cannot parse expression 'EXCERPT': WHAT", or for a cap "expression 'EXCERPT'
 * refused: WHAT" (a leading '!' in fmt). */
static int fail(parser *p, const char *fmt, ...)
{
    char what[320], shown[4 * EXCERPT_CHARS + 8];
    int cap = fmt[0] == '!';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt + cap, ap);
    va_end(ap);
    excerpt(p->text, p->len, EXCERPT_CHARS, shown, sizeof shown);
    if (cap) return dr_error(DR_EPARSE, "expression '%s' refused: %s", shown, what);
    return dr_error(DR_EPARSE, "cannot parse expression '%s': %s", shown, what);
}

/* "'+'", "the name 'foo'", "the end of the expression", or a bad byte (a whole UTF-8 sequence,
 * escaped) for the messages. */
static const char *describe(parser *p, token t, char *buf, size_t size)
{
    char shown[4 * 24 + 8];
    if (t.kind == T_END) return "the end of the expression";
    size_t n = t.len;
    if (t.kind == T_BAD) {
        unsigned char c = (unsigned char)p->text[t.start];
        size_t want = c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xc0 && c < 0xe0 ? 2 : 1;
        n = 1;
        while (n < want && t.start + n < p->len &&
               ((unsigned char)p->text[t.start + n] & 0xc0) == 0x80)
            n++;
    }
    snprintf(buf, size, "%s'%s'", t.kind == T_NAME ? "the name " : t.kind == T_NUMBER ? "the number " : "",
             excerpt(p->text + t.start, n, 24, shown, sizeof shown));
    return buf;
}

static int bad_token(parser *p, token t, const char *expected)
{
    char what[160];
    if (t.kind == T_BAD)
        return fail(p, "character %s at position %zu is not part of the grammar (numbers, x, y, "
                    "+ - * / ^, parentheses, functions and constants)",
                    describe(p, t, what, sizeof what), t.start + 1);
    return fail(p, "expected %s at position %zu, found %s", expected, t.start + 1,
                describe(p, t, what, sizeof what));
}

static int count_node(parser *p, size_t at)
{
    if (++p->info.nodes > DR_EXPR_MAX_NODES)
        return fail(p, "!more than %d operators and operands (the cap) by position %zu",
                    DR_EXPR_MAX_NODES, at + 1);
    return DR_SUCCESS;
}

static int enter(parser *p, size_t at)
{
    if (++p->depth > DR_EXPR_MAX_DEPTH)
        return fail(p, "!nested deeper than %d levels (the cap) at position %zu",
                    DR_EXPR_MAX_DEPTH, at + 1);
    if (p->depth > p->info.depth) p->info.depth = p->depth;
    return DR_SUCCESS;
}

/* Sizes for a node over `n` children: the sums rule for + and -, the product rule for *, and
 * for the rest (/, ^, functions) a generic bound: the derivative holds each child's derivative
 * and at most three copies of each child, plus a few nodes of glue. */
static tree_size combine(char op, const tree_size *c, int n)
{
    tree_size r = {1, 1, 1};
    for (int k = 0; k < n; k++) {
        r.s += c[k].s;
        if (op == '+' || op == '-') {
            r.d += c[k].d;
            r.dd += c[k].dd;
        } else if (op == '*') {
            r.d += c[k].d + c[k].s + 1;
            r.dd += c[k].dd + 2 * c[k].d + c[k].s + 3;
        } else {
            r.d += c[k].d + 3 * c[k].s + 5;
            r.dd += c[k].dd + 6 * c[k].d + 9 * c[k].s + 50;
        }
    }
    return r;
}

/* `open` is a '(' token: the expression after it and its ')' (one nesting level deeper, counted
 * from `where`: the function name or the parenthesis itself). */
static int parse_parenthesised(parser *p, token open, size_t where, tree_size *out)
{
    advance(p, open);
    int status = enter(p, where);
    if (!status) status = parse_expr(p, out);
    if (status) return status;
    token close = peek(p);
    if (close.kind != T_OP || p->text[close.start] != ')')
        return close.kind == T_END ? fail(p, "unclosed '(' at position %zu", open.start + 1)
                                   : bad_token(p, close, "')' or an operator");
    advance(p, close);
    p->depth--;
    return DR_SUCCESS;
}

/* NAME: x, y, a constant, or a function applied to a parenthesised argument. */
static int parse_name(parser *p, token t, tree_size *out)
{
    const char *s = p->text + t.start;
    char what[160];
    advance(p, t);
    *out = (tree_size){1, 1, 1};
    if (t.len == 1 && (s[0] == 'x' || s[0] == 'y')) {
        if (s[0] == 'x') p->info.uses_x = 1;
        else p->info.uses_y = 1;
        return DR_SUCCESS;
    }
    if (in_list(constants, s, t.len)) return DR_SUCCESS;
    if (!in_list(functions, s, t.len)) {
        token open = peek(p);
        int call = open.kind == T_OP && p->text[open.start] == '(';
        return fail(p, "unknown %s '%s' at position %zu (use x and y, a function such as sin "
                    "or exp, or a constant such as pi; the README lists them)",
                    call ? "function" : "variable", excerpt(s, t.len, 24, what, sizeof what),
                    t.start + 1);
    }
    if (in_list(nonsmooth, s, t.len)) p->info.nonsmooth = 1;
    token open = peek(p);
    if (open.kind != T_OP || p->text[open.start] != '(')
        return fail(p, "function '%s' at position %zu needs its argument in parentheses",
                    excerpt(s, t.len, 24, what, sizeof what), t.start + 1);
    tree_size arg;
    int status = parse_parenthesised(p, open, t.start, &arg);
    if (status) return status;
    *out = combine('f', &arg, 1);
    return DR_SUCCESS;
}

static int parse_primary(parser *p, tree_size *out)
{
    token t = peek(p);
    int status = t.kind == T_END || t.kind == T_BAD || t.kind == T_OP ? DR_SUCCESS
                                                                      : count_node(p, t.start);
    if (status) return status;
    if (t.kind == T_NUMBER) {
        double v;
        if (!decimal_value(p->text + t.start, t.len, &v))
            return fail(p, "the number at position %zu is beyond the range of a double",
                        t.start + 1);
        advance(p, t);
        *out = (tree_size){1, 1, 1};
        return DR_SUCCESS;
    }
    if (t.kind == T_NAME) return parse_name(p, t, out);
    if (t.kind == T_OP && p->text[t.start] == '(') return parse_parenthesised(p, t, t.start, out);
    return bad_token(p, t, "a number, x, y, a constant, a function or '('");
}

/* A run of unary minus signs, then `operand` (a primary for exponents, a power otherwise). */
static int parse_signed(parser *p, int exponent, tree_size *out);

static int parse_power(parser *p, tree_size *out)
{
    tree_size c[2];
    int status = parse_primary(p, &c[0]);
    if (status) return status;
    token t = peek(p);
    if (t.kind != T_OP || p->text[t.start] != '^') {
        *out = c[0];
        return DR_SUCCESS;
    }
    advance(p, t);
    if ((status = count_node(p, t.start)) || (status = parse_signed(p, 1, &c[1]))) return status;
    token again = peek(p);
    if (again.kind == T_OP && p->text[again.start] == '^')
        return fail(p, "a second '^' at position %zu: write (a^b)^c or a^(b^c) (libmatheval "
                    "would read a^b^c as (a^b)^c)", again.start + 1);
    *out = combine('^', c, 2);
    return DR_SUCCESS;
}

static int parse_signed(parser *p, int exponent, tree_size *out)
{
    token t = peek(p);
    if (t.kind != T_OP || p->text[t.start] != '-')
        return exponent ? parse_primary(p, out) : parse_power(p, out);
    advance(p, t);
    int status = count_node(p, t.start);
    if (!status) status = enter(p, t.start);
    if (!status) status = parse_signed(p, exponent, out);
    if (status) return status;
    p->depth--;
    *out = combine('-', out, 1);
    return DR_SUCCESS;
}

/* A left-associative chain of `ops` over operands parsed by `operand`. */
static int parse_chain(parser *p, const char *ops, int (*operand)(parser *, tree_size *),
                       tree_size *out)
{
    int status = operand(p, out);
    for (;;) {
        if (status) return status;
        token t = peek(p);
        if (t.kind != T_OP || !strchr(ops, p->text[t.start])) return DR_SUCCESS;
        advance(p, t);
        tree_size c[2] = {*out, {0, 0, 0}};
        if ((status = count_node(p, t.start)) || (status = operand(p, &c[1]))) return status;
        *out = combine(p->text[t.start], c, 2);
    }
}

static int parse_unary(parser *p, tree_size *out) { return parse_signed(p, 0, out); }
static int parse_term(parser *p, tree_size *out) { return parse_chain(p, "*/", parse_unary, out); }
static int parse_expr(parser *p, tree_size *out) { return parse_chain(p, "+-", parse_term, out); }

int dr_expr_check(const char *expr, dr_expr_info *info)
{
    if (!expr) return dr_error(DR_EPARSE, "no expression given");
    parser p = {.text = expr, .len = strnlen(expr, DR_EXPR_MAX_LENGTH + 1)};
    if (p.len > DR_EXPR_MAX_LENGTH)
        return fail(&p, "!longer than %d bytes (the cap)", DR_EXPR_MAX_LENGTH);
    token first = peek(&p);
    if (first.kind == T_END) return dr_error(DR_EPARSE, "empty expression");
    tree_size size;
    int status = parse_expr(&p, &size);
    if (status) return status;
    token t = peek(&p);
    if (t.kind == T_OP && expr[t.start] == ')')
        return fail(&p, "unbalanced ')' at position %zu", t.start + 1);
    if (t.kind != T_END)
        return bad_token(&p, t, "an operator (+ - * / ^; a product needs '*')");
    p.info.deriv_bound = size.dd;
    if (size.dd > DR_EXPR_MAX_DERIV)
        return fail(&p, "!its second derivative would have up to %.3g nodes, above the cap of %.0f "
                    "(libmatheval differentiates symbolically: simplify the expression)",
                    size.dd, DR_EXPR_MAX_DERIV);
    if (info) *info = p.info;
    return DR_SUCCESS;
}
