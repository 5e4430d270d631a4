/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Landscape expressions compiled for the Hopf-Lax polish's hot path (expr_jet.h).
 *
 * libmatheval interprets a tree per value and one more per derivative (f, f_x, f_y, f_xx, f_xy,
 * f_yy: six trees a Newton step in 2-D, each walk a chain of calls and symbol-table lookups), and
 * its evaluators share a symbol table, so each use takes a lock. Here the text is parsed once
 * into a flat program, children before parents, and run on jets (value, gradient, Hessian):
 * sums and products by the product rule, a function u -> F(u) by the chain rule from F, F' and
 * F'' at u, so sin and cos are evaluated once per step for all six outputs. Subtrees without x
 * or y are folded to constants when the text is compiled, and each remaining node's operation
 * (a sum, a constant times a jet, ...) is picked then, so a run visits only the nodes over x
 * and y, without testing its operands' kinds. The grammar is
 * dr_expr_check's (parse.c), read the same way libmatheval reads it: unary minus binds looser
 * than '^' (-x^2 is -(x^2)), an exponent may carry its own signs (2^-x), chains associate left.
 * Values are the same operations on the same numbers as libmatheval's, up to its own
 * simplifications (a few ulps); derivatives are the same quantities by another route, so they
 * agree to round-off, which tests/test_landscape.c checks against libmatheval's. */
#define _GNU_SOURCE  /* sincos */
#include "expr_jet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { OP_CONST, OP_X, OP_Y, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POWC, OP_POW, OP_NEG, OP_FN };

/* The compiled functions: smooth ones whose derivatives have one meaning. The others (kinks,
 * jumps, the reciprocal and inverse reciprocal families) stay with libmatheval. */
enum { FN_EXP, FN_LOG, FN_SQRT, FN_SIN, FN_COS, FN_TAN, FN_SINH, FN_COSH, FN_TANH, FN_ASIN,
       FN_ACOS, FN_ATAN, FN_ERF, FN_COUNT };
static const char *const fn_names[FN_COUNT] = {"exp", "log", "sqrt", "sin", "cos", "tan", "sinh",
                                               "cosh", "tanh", "asin", "acos", "atan", "erf"};

static const struct { const char *name; double v; } constants[] = {
    {"e", M_E}, {"log2e", M_LOG2E}, {"log10e", M_LOG10E}, {"ln2", M_LN2}, {"ln10", M_LN10},
    {"pi", M_PI}, {"pi_2", M_PI_2}, {"pi_4", M_PI_4}, {"1_pi", M_1_PI}, {"2_pi", M_2_PI},
    {"2_sqrtpi", M_2_SQRTPI}, {"sqrt2", M_SQRT2}, {"sqrt1_2", M_SQRT1_2}};

typedef struct {
    unsigned char op, fn, konst; /* konst: no x or y below (a '^' over it is a power rule) */
    unsigned short a, b;         /* operands: earlier instructions */
    double c;
} insn;

/* The program as run (lower() below): only the nodes over x or y, in order, each with its
 * operation chosen at compile time from its operands' kinds; a constant operand (a subtree
 * without x or y, folded once) is carried in c. */
enum { R_X, R_Y, R_ADD, R_SUB, R_ADDK, R_KADD, R_SUBK, R_KSUB, R_MUL, R_MULK, R_DIV, R_DIVK,
       R_KDIV, R_POWC, R_POW, R_KPOW, R_NEG, R_FN };

typedef struct {
    unsigned char op, fn;
    unsigned char var;       /* 0 or 1: the node is over x alone or y alone (univariate()); 2 */
    unsigned short o, a, b;  /* result and operands: node indices */
    double c;
} step;

struct dr_expr_program {
    int dim, n, nrun;
    double root;  /* the value where the whole text is constant (nrun = 0) */
    insn code[DR_EXPR_JET_MAX_NODES];
    step run[DR_EXPR_JET_MAX_NODES];
};

static void lower(dr_expr_program *p);

/* ---- the compiler: recursive descent over dr_expr_check's grammar ---- */

typedef struct {
    const char *s;
    size_t pos;
    dr_expr_program *p;
} compiler;

static void blanks(compiler *c)
{
    while (c->s[c->pos] == ' ' || c->s[c->pos] == '\t') c->pos++;
}

static int emit(compiler *c, int op, int fn, int a, int b, double k)
{
    if (c->p->n >= DR_EXPR_JET_MAX_NODES) return -1;
    insn *i = &c->p->code[c->p->n];
    *i = (insn){(unsigned char)op, (unsigned char)fn, 0, (unsigned short)a, (unsigned short)b, k};
    i->konst = op == OP_CONST || ((op == OP_NEG || op == OP_FN) && c->p->code[a].konst) ||
               (op >= OP_ADD && op <= OP_POW && c->p->code[a].konst && c->p->code[b].konst);
    return c->p->n++;
}

static int is_name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}

static int expr(compiler *c);

/* NUMBER, x, y, a constant, a function of a parenthesised argument, or ( expr ). */
static int primary(compiler *c)
{
    blanks(c);
    const char *s = c->s + c->pos;
    size_t n = 0;
    while (is_name_char(s[n])) n++;
    for (size_t k = 0; k < sizeof constants / sizeof constants[0]; k++)
        if (n == strlen(constants[k].name) && !memcmp(s, constants[k].name, n)) {
            c->pos += n;
            return emit(c, OP_CONST, 0, 0, 0, constants[k].v);
        }
    if ((s[0] >= '0' && s[0] <= '9') || s[0] == '.') {
        char *end;  /* on a checked text strtod ends where dr_expr_check's numeral does */
        double v = strtod(s, &end);
        c->pos += (size_t)(end - s);
        return emit(c, OP_CONST, 0, 0, 0, v);
    }
    if (n == 1 && (s[0] == 'x' || s[0] == 'y')) {
        c->pos++;
        return emit(c, s[0] == 'x' ? OP_X : OP_Y, 0, 0, 0, 0.0);
    }
    int fn = -1;
    for (int k = 0; k < FN_COUNT; k++)
        if (n && n == strlen(fn_names[k]) && !memcmp(s, fn_names[k], n)) fn = k;
    if (n && fn < 0) return -1;  /* a function left to libmatheval */
    c->pos += n;
    blanks(c);
    if (c->s[c->pos] != '(') return -1;
    c->pos++;
    int a = expr(c);
    blanks(c);
    if (a < 0 || c->s[c->pos] != ')') return -1;
    c->pos++;
    return fn < 0 ? a : emit(c, OP_FN, fn, a, 0, 0.0);
}

/* A run of unary minus signs over `operand`. */
static int signed_of(compiler *c, int (*operand)(compiler *))
{
    blanks(c);
    if (c->s[c->pos] != '-') return operand(c);
    c->pos++;
    int a = signed_of(c, operand);
    return a < 0 ? -1 : emit(c, OP_NEG, 0, a, 0, 0.0);
}

static int power(compiler *c)
{
    int a = primary(c);
    blanks(c);
    if (a < 0 || c->s[c->pos] != '^') return a;
    c->pos++;
    int b = signed_of(c, primary);
    if (b < 0) return -1;
    return emit(c, c->p->code[b].konst ? OP_POWC : OP_POW, 0, a, b, 0.0);
}

static int unary(compiler *c) { return signed_of(c, power); }

static int chain(compiler *c, const char *ops, int (*operand)(compiler *))
{
    int a = operand(c);
    for (;;) {
        blanks(c);
        char ch = c->s[c->pos];
        if (a < 0 || !ch || !strchr(ops, ch)) return a;
        c->pos++;
        int b = operand(c);
        if (b < 0) return -1;
        int op = ch == '+' ? OP_ADD : ch == '-' ? OP_SUB : ch == '*' ? OP_MUL : OP_DIV;
        a = emit(c, op, 0, a, b, 0.0);
    }
}

static int term(compiler *c) { return chain(c, "*/", unary); }
static int expr(compiler *c) { return chain(c, "+-", term); }

dr_expr_program *dr_expr_compile(const char *text, int dim)
{
    dr_expr_program *p = malloc(sizeof *p);
    if (!p) return NULL;
    p->dim = dim;
    p->n = 0;
    compiler c = {text, 0, p};
    int root = expr(&c);
    blanks(&c);
    /* the root is the last instruction: every operand precedes its user */
    if (root < 0 || root != p->n - 1 || text[c.pos]) {
        free(p);
        return NULL;
    }
    lower(p);
    return p;
}

void dr_expr_program_free(dr_expr_program *p) { free(p); }

/* ---- the evaluator ---- */

/* F, F', F'' of function fn at u. */
static void fn_jet(int fn, double u, double *F)
{
    double s, q;
    switch (fn) {
    case FN_EXP: F[0] = F[1] = F[2] = exp(u); break;
    case FN_LOG: F[0] = log(u); F[1] = 1.0 / u; F[2] = -1.0 / (u * u); break;
    case FN_SQRT: s = sqrt(u); F[0] = s; F[1] = 0.5 / s; F[2] = -0.25 / (s * u); break;
    /* sincos: one reduction of u for both (glibc's sincos gives sin's and cos's own bits) */
    case FN_SIN: sincos(u, &s, &q); F[0] = s; F[1] = q; F[2] = -s; break;
    case FN_COS: sincos(u, &q, &s); F[0] = s; F[1] = -q; F[2] = -s; break;
    case FN_TAN: s = tan(u); F[0] = s; F[1] = 1.0 + s * s; F[2] = 2.0 * s * F[1]; break;
    case FN_SINH: s = sinh(u); F[0] = s; F[1] = cosh(u); F[2] = s; break;
    case FN_COSH: s = cosh(u); F[0] = s; F[1] = sinh(u); F[2] = s; break;
    case FN_TANH: s = tanh(u); F[0] = s; F[1] = 1.0 - s * s; F[2] = -2.0 * s * F[1]; break;
    case FN_ASIN:
    case FN_ACOS:
        q = 1.0 - u * u;
        s = fn == FN_ASIN ? 1.0 : -1.0;
        F[0] = fn == FN_ASIN ? asin(u) : acos(u);
        F[1] = s / sqrt(q);
        F[2] = s * u / (q * sqrt(q));
        break;
    case FN_ATAN: q = 1.0 + u * u; F[0] = atan(u); F[1] = 1.0 / q; F[2] = -2.0 * u / (q * q); break;
    default: /* FN_ERF */
        q = M_2_SQRTPI * exp(-u * u);
        F[0] = erf(u); F[1] = q; F[2] = -2.0 * u * q;
        break;
    }
}

/* F alone, as fn_jet computes it (the same call, so the same bits), without F' and F''. */
static double fn_value(int fn, double u)
{
    switch (fn) {
    case FN_EXP: return exp(u);
    case FN_LOG: return log(u);
    case FN_SQRT: return sqrt(u);
    case FN_SIN: return sin(u);
    case FN_COS: return cos(u);
    case FN_TAN: return tan(u);
    case FN_SINH: return sinh(u);
    case FN_COSH: return cosh(u);
    case FN_TANH: return tanh(u);
    case FN_ASIN: return asin(u);
    case FN_ACOS: return acos(u);
    case FN_ATAN: return atan(u);
    default: return erf(u);
    }
}

/* value, d/dx, d/dy, d2/dx2, d2/dxdy, d2/dy2 */
typedef struct { double v, g[2], h[3]; } jet;

/* r = F(a) by the chain rule */
static void chain_rule(jet *r, const jet *a, const double *F)
{
    *r = (jet){F[0], {F[1] * a->g[0], F[1] * a->g[1]},
               {F[1] * a->h[0] + F[2] * a->g[0] * a->g[0],
                F[1] * a->h[1] + F[2] * a->g[0] * a->g[1],
                F[1] * a->h[2] + F[2] * a->g[1] * a->g[1]}};
}

/* r = a b (r may be neither) */
static void product(jet *r, const jet *a, const jet *b)
{
    *r = (jet){a->v * b->v, {a->g[0] * b->v + a->v * b->g[0], a->g[1] * b->v + a->v * b->g[1]},
               {a->h[0] * b->v + 2.0 * a->g[0] * b->g[0] + a->v * b->h[0],
                a->h[1] * b->v + a->g[0] * b->g[1] + a->g[1] * b->g[0] + a->v * b->h[1],
                a->h[2] * b->v + 2.0 * a->g[1] * b->g[1] + a->v * b->h[2]}};
}

/* r = a / b: q = a/b solves a = q b, differentiated twice */
static void quotient(jet *r, const jet *a, const jet *b)
{
    double q = a->v / b->v, w = 1.0 / b->v, qg[2];
    for (int d = 0; d < 2; d++) qg[d] = (a->g[d] - q * b->g[d]) * w;
    *r = (jet){q, {qg[0], qg[1]},
               {(a->h[0] - 2.0 * qg[0] * b->g[0] - q * b->h[0]) * w,
                (a->h[1] - qg[0] * b->g[1] - qg[1] * b->g[0] - q * b->h[1]) * w,
                (a->h[2] - 2.0 * qg[1] * b->g[1] - q * b->h[2]) * w}};
}

/* r = a^b for b varying: exp(b log a), with the value pow(a, b) itself */
static void general_power(jet *r, const jet *a, const jet *b)
{
    double F[3] = {log(a->v), 1.0 / a->v, -1.0 / (a->v * a->v)};
    jet L, w;
    chain_rule(&L, a, F);
    product(&w, b, &L);
    double v = pow(a->v, b->v), E[3] = {v, v, v};
    chain_rule(r, &w, E);
}

/* a^c for a constant c: c a^(c-1) and c (c-1) a^(c-2), exact zeros where c is 0 or 1 */
static void power_jet(double u, double c, double *F)
{
    if (c == 2.0) {
        F[0] = u * u; F[1] = 2.0 * u; F[2] = 2.0;
    } else {
        F[0] = pow(u, c);
        F[1] = c == 0.0 ? 0.0 : c * pow(u, c - 1.0);
        F[2] = c == 0.0 || c == 1.0 ? 0.0 : c * (c - 1.0) * pow(u, c - 2.0);
    }
}

static void constant_power(jet *r, const jet *a, double c)
{
    double F[3];
    power_jet(a->v, c, F);
    chain_rule(r, a, F);
}

/* r = c a for a constant c: what product() gives when one factor has no derivatives (its
 * zero terms add nothing), in a third of its operations */
static void scaled(jet *r, double c, const jet *a)
{
    *r = (jet){c * a->v, {c * a->g[0], c * a->g[1]}, {c * a->h[0], c * a->h[1], c * a->h[2]}};
}

/* r = a / c for a constant c: quotient()'s operations less its zero terms */
static void divided(jet *r, const jet *a, double c)
{
    double w = 1.0 / c;
    *r = (jet){a->v / c, {a->g[0] * w, a->g[1] * w}, {a->h[0] * w, a->h[1] * w, a->h[2] * w}};
}

/* The values of every node at x, by the parsed program itself: at compile time, for folding
 * the constant subtrees (their values do not depend on x). */
static void node_values(const dr_expr_program *p, const double *x, double *r)
{
    for (int k = 0; k < p->n; k++) {
        const insn *i = &p->code[k];
        /* operands exist from OP_ADD on; b only for the binary ones */
        double a = i->op >= OP_ADD ? r[i->a] : 0.0;
        double b = i->op >= OP_ADD && i->op <= OP_POW ? r[i->b] : 0.0;
        switch (i->op) {
        case OP_CONST: r[k] = i->c; break;
        case OP_X: r[k] = x[0]; break;
        case OP_Y: r[k] = p->dim == 2 ? x[1] : 0.0; break;
        case OP_ADD: r[k] = a + b; break;
        case OP_SUB: r[k] = a - b; break;
        case OP_MUL: r[k] = a * b; break;
        case OP_DIV: r[k] = a / b; break;
        case OP_POWC: r[k] = b == 2.0 ? a * a : pow(a, b); break;
        case OP_POW: r[k] = pow(a, b); break;
        case OP_NEG: r[k] = -a; break;
        default: r[k] = fn_value(i->fn, a); break;
        }
    }
}

/* A binary node's step: which operand (if either) is constant picks the operation. */
static step binary_step(const insn *i, const insn *code, const double *val)
{
    int ka = code[i->a].konst, kb = code[i->b].konst;
    step s = {R_ADD, 0, 2, 0, i->a, i->b, ka ? val[i->a] : kb ? val[i->b] : 0.0};
    static const unsigned char var[] = {R_ADD, R_SUB, R_MUL, R_DIV, R_POWC, R_POW};
    static const unsigned char k_b[] = {R_ADDK, R_SUBK, R_MULK, R_DIVK, R_POWC, R_POWC};
    static const unsigned char k_a[] = {R_KADD, R_KSUB, R_MULK, R_KDIV, R_POWC, R_KPOW};
    int w = i->op - OP_ADD;
    s.op = kb ? k_b[w] : ka ? k_a[w] : var[w];
    if (i->op == OP_POWC) s.c = val[i->b];  /* a ^ (constant b): a varies, else it is konst */
    if (ka && s.op != R_POWC) s.a = i->b;   /* the varying operand goes in a */
    return s;
}

/* The run list: every node over x or y in order, the constant ones folded into c. */
static void lower(dr_expr_program *p)
{
    double val[DR_EXPR_JET_MAX_NODES] = {0};
    node_values(p, (const double[2]){0.0, 0.0}, val);
    unsigned char dep[DR_EXPR_JET_MAX_NODES];  /* bit 0: over x, bit 1: over y */
    p->nrun = 0;
    p->root = val[p->n - 1];
    for (int k = 0; k < p->n; k++) {
        const insn *i = &p->code[k];
        dep[k] = i->op == OP_X ? 1 : i->op == OP_Y ? 2 : 0;
        if (i->op >= OP_ADD) dep[k] = dep[i->a] | (i->op <= OP_POW ? dep[i->b] : 0);
        if (i->konst) continue;
        step s = {R_X, i->fn, 2, (unsigned short)k, i->a, i->b, 0.0};
        if (i->op == OP_X || i->op == OP_Y) s.op = i->op == OP_X ? R_X : R_Y;
        else if (i->op == OP_NEG || i->op == OP_FN) s.op = i->op == OP_NEG ? R_NEG : R_FN;
        else {
            s = binary_step(i, p->code, val);
            s.o = (unsigned short)k;
        }
        /* over one variable (in 1-D, x): univariate() keeps the other's zeros */
        int one = p->dim == 1 ? dep[k] == 1 : dep[k] == 1 || dep[k] == 2;
        if (one && s.op > R_Y && s.op != R_DIV && s.op != R_KDIV && s.op != R_POW &&
            s.op != R_KPOW)
            s.var = (unsigned char)(dep[k] - 1);
        p->run[p->nrun++] = s;
    }
}

/* One step's value from its operands' (a, b) at x: the same operations as the jet's value, so
 * both give the same bits. Inlined into each loop over steps (called, it cost the scalar
 * evaluator a fifth more instructions). */
static inline __attribute__((always_inline)) double value_step(const dr_expr_program *p,
                                                              const step *i, double a,
                                                              double b, const double *x)
{
    double c = i->c;
    switch (i->op) {
    case R_X: return x[0];
    case R_Y: return p->dim == 2 ? x[1] : 0.0;
    case R_ADD: return a + b;
    case R_SUB: return a - b;
    case R_ADDK: return a + c;
    case R_KADD: return c + a;
    case R_SUBK: return a - c;
    case R_KSUB: return c - a;
    case R_MUL: return a * b;
    case R_MULK: return c * a;
    case R_DIV: return a / b;
    case R_DIVK: return a / c;
    case R_KDIV: return c / a;
    case R_POWC: return c == 2.0 ? a * a : pow(a, c);
    case R_POW: return pow(a, b);
    case R_KPOW: return pow(c, a);
    case R_NEG: return -a;
    default: return fn_value(i->fn, a);
    }
}

/* The value alone. */
static double run_values(const dr_expr_program *p, const double *x)
{
    double r[DR_EXPR_JET_MAX_NODES];
    for (int k = 0; k < p->nrun; k++) {
        const step *i = &p->run[k];
        r[i->o] = value_step(p, i, r[i->a], r[i->b], x);
    }
    return p->nrun ? r[p->n - 1] : p->root;
}

/* o = a + s b, the sum or difference (s = +-1) with value v */
static void sum(jet *o, double v, const jet *a, double s, const jet *b)
{
    *o = (jet){v, {a->g[0] + s * b->g[0], a->g[1] + s * b->g[1]},
               {a->h[0] + s * b->h[0], a->h[1] + s * b->h[1], a->h[2] + s * b->h[2]}};
}

/* o = a with its derivatives times s (an added constant changes the value only) */
static void shifted(jet *o, double v, double s, const jet *a)
{
    *o = (jet){v, {s * a->g[0], s * a->g[1]}, {s * a->h[0], s * a->h[1], s * a->h[2]}};
}

/* A step over one variable d (operands over d or constant): the value, d/dd and d2/dd2 by the
 * same operations as the full step's (so the same bits), the other derivatives exact zeros
 * (the full step's products of zeros, up to their signs). */
static void univariate(const step *i, const jet *a, const jet *b, jet *o)
{
    int d = i->var, hd = 2 * d;  /* h[hd]: d2/dd2 */
    double av = a->v, ag = a->g[d], ah = a->h[hd], c = i->c, v, g, h, F[3];
    switch (i->op) {
    case R_ADD: v = av + b->v; g = ag + 1.0 * b->g[d]; h = ah + 1.0 * b->h[hd]; break;
    case R_SUB: v = av - b->v; g = ag + -1.0 * b->g[d]; h = ah + -1.0 * b->h[hd]; break;
    case R_ADDK: v = av + c; g = 1.0 * ag; h = 1.0 * ah; break;
    case R_KADD: v = c + av; g = 1.0 * ag; h = 1.0 * ah; break;
    case R_SUBK: v = av - c; g = 1.0 * ag; h = 1.0 * ah; break;
    case R_KSUB: v = c - av; g = -1.0 * ag; h = -1.0 * ah; break;
    case R_MUL:
        v = av * b->v;
        g = ag * b->v + av * b->g[d];
        h = ah * b->v + 2.0 * ag * b->g[d] + av * b->h[hd];
        break;
    case R_MULK: v = c * av; g = c * ag; h = c * ah; break;
    case R_DIVK: F[1] = 1.0 / c; v = av / c; g = ag * F[1]; h = ah * F[1]; break;
    case R_NEG: v = -av; g = -ag; h = -ah; break;
    default:
        if (i->op == R_POWC) power_jet(av, c, F);
        else fn_jet(i->fn, av, F);
        v = F[0];
        g = F[1] * ag;
        h = F[1] * ah + F[2] * ag * ag;
        break;
    }
    *o = d ? (jet){v, {0, g}, {0, 0, h}} : (jet){v, {g, 0}, {h, 0, 0}};
}

/* One step's jet from its operands' (a, b) at x. */
static inline __attribute__((always_inline)) void jet_step(const dr_expr_program *p,
                                                          const step *i, const jet *a,
                                                          const jet *b, const double *x, jet *o)
{
    if (i->var < 2) {
        univariate(i, a, b, o);
        return;
    }
    double F[3], c = i->c;
    switch (i->op) {
    case R_X: *o = (jet){x[0], {1, 0}, {0, 0, 0}}; break;
    case R_Y: *o = (jet){p->dim == 2 ? x[1] : 0.0, {0, 1}, {0, 0, 0}}; break;
    case R_ADD: sum(o, a->v + b->v, a, 1.0, b); break;
    case R_SUB: sum(o, a->v - b->v, a, -1.0, b); break;
    case R_ADDK: shifted(o, a->v + c, 1.0, a); break;
    case R_KADD: shifted(o, c + a->v, 1.0, a); break;
    case R_SUBK: shifted(o, a->v - c, 1.0, a); break;
    case R_KSUB: shifted(o, c - a->v, -1.0, a); break;
    case R_MUL: product(o, a, b); break;
    case R_MULK: scaled(o, c, a); break;
    case R_DIV: quotient(o, a, b); break;
    case R_DIVK: divided(o, a, c); break;
    case R_KDIV: quotient(o, &(jet){c, {0, 0}, {0, 0, 0}}, a); break;
    case R_POWC: constant_power(o, a, c); break;
    case R_POW: general_power(o, a, b); break;
    case R_KPOW: general_power(o, &(jet){c, {0, 0}, {0, 0, 0}}, a); break;
    case R_NEG: *o = (jet){-a->v, {-a->g[0], -a->g[1]}, {-a->h[0], -a->h[1], -a->h[2]}}; break;
    default: fn_jet(i->fn, a->v, F); chain_rule(o, a, F); break;
    }
}

static void run_jets(const dr_expr_program *p, const double *x, jet *r)
{
    for (int k = 0; k < p->nrun; k++) {
        const step *i = &p->run[k];
        jet_step(p, i, &r[i->a], &r[i->b], x, &r[i->o]);
    }
}

/* The root's jet r out to v, grad and hess; its status as dr_expr_program_jet returns it. */
static int jet_out(const dr_expr_program *p, const jet *f, double *v, double *grad, double *hess)
{
    *v = f->v;
    grad[0] = f->g[0];
    if (p->dim == 1) {
        hess[0] = f->h[0];
        return isfinite(hess[0]) ? 0 : -1;
    }
    grad[1] = f->g[1];
    hess[0] = f->h[0];
    hess[1] = hess[2] = f->h[1];
    hess[3] = f->h[2];
    return isfinite(f->h[0]) && isfinite(f->h[1]) && isfinite(f->h[2]) ? 0 : -1;
}

int dr_expr_program_jet(const dr_expr_program *p, const double *x, double *v, double *grad,
                        double *hess)
{
    if (!grad) {
        *v = run_values(p, x);
        return 0;
    }
    jet r[DR_EXPR_JET_MAX_NODES], k = {p->root, {0, 0}, {0, 0, 0}};
    run_jets(p, x, r);
    return jet_out(p, p->nrun ? &r[p->n - 1] : &k, v, grad, hess);
}

/* ---- the batch evaluator: one node at a time over up to BATCH points ---- */

/* Points per pass: each node's dispatch is paid once for them, and its arithmetic runs over
 * BATCH-long arrays (vectorised). The common operations are written out over the lanes, each
 * lane's the same operations as jet_step's on its point, so the same bits (sin and cos apart:
 * lanes_sin below); the others gather a lane's operand jets and call jet_step itself. */
#define BATCH 16
#define BATCH_NODES 64  /* programs up to this many nodes (its storage on the stack); larger
                           ones are run point by point */
enum { C_V, C_GX, C_GY, C_HXX, C_HXY, C_HYY };
typedef double lanes[6][BATCH];  /* one node's jets: component, then lane */
/* A loop over a batch's lanes, vectorised (at -O2, GCC's cheapest cost model leaves these
 * loops scalar: 7 instructions a lane where vectorised they take 1 or 2) */
#define EACH_LANE _Pragma("omp simd") for (int l = 0; l < BATCH; l++)

/* sin and cos over a batch's lanes. On x86-64 glibc, libmvec's two-lane variants (its 4-ulp
 * bound; libm's own are within 1 ulp): 65 instructions a lane for both where sincos takes 150.
 * The batch's values and jets take sin and cos from here alike, so a batch's value is its
 * jet's value to the bit, as the scalar evaluator's are to each other; the two evaluators'
 * differ by those ulps. Each lane's result depends on its argument alone. */
#if defined(__x86_64__) && defined(__GLIBC__) && defined(__SSE2__)
#include <immintrin.h>
extern __m128d _ZGVbN2v_sin(__m128d x);
extern __m128d _ZGVbN2v_cos(__m128d x);

static void lanes_sin(const double *a, double *o)
{
    for (int l = 0; l < BATCH; l += 2) _mm_storeu_pd(o + l, _ZGVbN2v_sin(_mm_loadu_pd(a + l)));
}

static void lanes_cos(const double *a, double *o)
{
    for (int l = 0; l < BATCH; l += 2) _mm_storeu_pd(o + l, _ZGVbN2v_cos(_mm_loadu_pd(a + l)));
}
#else
static void lanes_sin(const double *a, double *o)
{
    for (int l = 0; l < BATCH; l++) o[l] = sin(a[l]);
}

static void lanes_cos(const double *a, double *o)
{
    for (int l = 0; l < BATCH; l++) o[l] = cos(a[l]);
}
#endif

/* The lanes past m (a batch's padding: the arithmetic runs over all BATCH, at a fixed length
 * the compiler vectorises) copy lane m - 1, where a step computed lanes one at a time. */
static void pad(double *o, int m)
{
    for (int l = m; l < BATCH; l++) o[l] = o[m - 1];
}

static jet lane_jet(const lanes *r, int l)
{
    return (jet){r[0][C_V][l], {r[0][C_GX][l], r[0][C_GY][l]},
                 {r[0][C_HXX][l], r[0][C_HXY][l], r[0][C_HYY][l]}};
}

static void lane_store(lanes *r, int l, const jet *j)
{
    r[0][C_V][l] = j->v;
    r[0][C_GX][l] = j->g[0];
    r[0][C_GY][l] = j->g[1];
    r[0][C_HXX][l] = j->h[0];
    r[0][C_HXY][l] = j->h[1];
    r[0][C_HYY][l] = j->h[2];
}

/* A step whose derivative components are each s times a's (shifted and friends: s = 1, -1, or
 * the constant c) plus, for sums, s2 times b's; comps lists the components live in it. */
static void batch_linear(lanes *restrict o, const lanes *restrict a, const lanes *restrict b,
                         double s, double s2, const int *comps, int ncomps)
{
    for (int q = 0; q < ncomps; q++) {
        int k = comps[q];
        if (b)
            EACH_LANE o[0][k][l] = a[0][k][l] + s2 * b[0][k][l];
        else
            EACH_LANE o[0][k][l] = s * a[0][k][l];
    }
}

/* F, F', F'' per lane for a function or constant power step, then the chain rule. */
static void batch_chain(const step *i, lanes *restrict o, const lanes *restrict a,
                        const int *comps, int ncomps, int full, int m)
{
    double F[3][BATCH];
    if (i->op == R_FN && (i->fn == FN_SIN || i->fn == FN_COS)) {
        /* fn_jet's sincos cases, by lanes_sin and lanes_cos (over all lanes: the padding's
         * arguments are copies) */
        double sn[BATCH], cs[BATCH];
        lanes_sin(a[0][C_V], sn);
        lanes_cos(a[0][C_V], cs);
        int sine = i->fn == FN_SIN;
        EACH_LANE {
            F[0][l] = sine ? sn[l] : cs[l];
            F[1][l] = sine ? cs[l] : -sn[l];
            F[2][l] = -F[0][l];
        }
        m = BATCH;
    }
    else
        for (int l = 0; l < m; l++) {
            double f3[3];
            if (i->op == R_POWC) power_jet(a[0][C_V][l], i->c, f3);
            else fn_jet(i->fn, a[0][C_V][l], f3);
            F[0][l] = f3[0];
            F[1][l] = f3[1];
            F[2][l] = f3[2];
        }
    for (int k = 0; k < 3; k++) pad(F[k], m);
    EACH_LANE o[0][C_V][l] = F[0][l];
    /* comps: the live gradient components then the live diagonal Hessian ones, paired */
    for (int q = 0; q < ncomps; q += 2) {
        int g = comps[q], h = comps[q + 1];
        EACH_LANE {
            o[0][g][l] = F[1][l] * a[0][g][l];
            o[0][h][l] = F[1][l] * a[0][h][l] + F[2][l] * a[0][g][l] * a[0][g][l];
        }
    }
    if (full)
        EACH_LANE
            o[0][C_HXY][l] = F[1][l] * a[0][C_HXY][l] + F[2][l] * a[0][C_GX][l] * a[0][C_GY][l];
}

static void batch_product(lanes *restrict o, const lanes *restrict a,
                          const lanes *restrict b, const int *comps, int ncomps, int full)
{
    const double *av = a[0][C_V], *bv = b[0][C_V];
    for (int q = 0; q < ncomps; q += 2) {
        int g = comps[q], h = comps[q + 1];
        EACH_LANE {
            o[0][g][l] = a[0][g][l] * bv[l] + av[l] * b[0][g][l];
            o[0][h][l] = a[0][h][l] * bv[l] + 2.0 * a[0][g][l] * b[0][g][l] + av[l] * b[0][h][l];
        }
    }
    if (full)
        EACH_LANE
            o[0][C_HXY][l] = a[0][C_HXY][l] * bv[l] + a[0][C_GX][l] * b[0][C_GY][l] +
                             a[0][C_GY][l] * b[0][C_GX][l] + av[l] * b[0][C_HXY][l];
    EACH_LANE o[0][C_V][l] = av[l] * bv[l];
}

/* One step's values alone over m lanes (the C_V component; value_step's operations). */
static void batch_value(const dr_expr_program *p, const step *i, lanes *r, const double *x,
                        int m)
{
    double *restrict o = r[i->o][C_V], c = i->c;
    const double *restrict a = r[i->a][C_V], *restrict b = r[i->b][C_V];
    switch (i->op) {
    case R_ADD: { EACH_LANE o[l] = a[l] + b[l]; } break;
    case R_SUB: { EACH_LANE o[l] = a[l] - b[l]; } break;
    case R_MUL: { EACH_LANE o[l] = a[l] * b[l]; } break;
    case R_ADDK: { EACH_LANE o[l] = a[l] + c; } break;
    case R_KADD: { EACH_LANE o[l] = c + a[l]; } break;
    case R_SUBK: { EACH_LANE o[l] = a[l] - c; } break;
    case R_KSUB: { EACH_LANE o[l] = c - a[l]; } break;
    case R_MULK: { EACH_LANE o[l] = c * a[l]; } break;
    case R_DIVK: { EACH_LANE o[l] = a[l] / c; } break;
    case R_NEG: { EACH_LANE o[l] = -a[l]; } break;
    case R_POWC:
        if (c == 2.0)
            EACH_LANE o[l] = a[l] * a[l];
        else {
            for (int l = 0; l < m; l++) o[l] = pow(a[l], c);
            pad(o, m);
        }
        break;
    case R_FN:
        if (i->fn == FN_SIN) lanes_sin(a, o);  /* as batch_chain computes them */
        else if (i->fn == FN_COS) lanes_cos(a, o);
        else {
            for (int l = 0; l < m; l++) o[l] = fn_value(i->fn, a[l]);
            pad(o, m);
        }
        break;
    default:
        for (int l = 0; l < m; l++) {
            int two = i->op == R_ADD || i->op == R_SUB || i->op == R_MUL || i->op == R_DIV ||
                      i->op == R_POW;
            o[l] = value_step(p, i, i->op > R_Y ? a[l] : 0.0, two ? b[l] : 0.0,
                              x + l * p->dim);
        }
        pad(o, m);
        break;
    }
}

/* One step over m lanes (and the padding to BATCH); x: the lanes' points (dim each). */
static void batch_step(const dr_expr_program *p, const step *i, lanes *r, const double *x,
                       int m)
{
    static const int all[] = {C_GX, C_HXX, C_GY, C_HYY, C_HXY}, on_x[] = {C_GX, C_HXX},
                     on_y[] = {C_GY, C_HYY};
    static const int off_x[] = {C_GY, C_HXY, C_HYY}, off_y[] = {C_GX, C_HXX, C_HXY};
    lanes *o = &r[i->o];
    const lanes *a = &r[i->a], *b = &r[i->b];
    int full = i->var == 2, nc = full ? 4 : 2;
    const int *comps = full ? all : i->var == 0 ? on_x : on_y;
    double c = i->c;
    switch (i->op) {
    case R_X: case R_Y:
        /* jet_step's (x, 1, 0 ...) and (y, 0, 1, 0 ...); y is 0 in 1-D */
        for (int k = C_GX; k <= C_HYY; k++) {
            double one = k == (i->op == R_X ? C_GX : C_GY) ? 1.0 : 0.0;
            EACH_LANE o[0][k][l] = one;
        }
        if (i->op == R_Y && p->dim == 1) {
            EACH_LANE o[0][C_V][l] = 0.0;
        } else {
            int d = i->op == R_Y;
            for (int l = 0; l < m; l++) o[0][C_V][l] = x[l * p->dim + d];
            pad(o[0][C_V], m);
        }
        return;
    case R_DIV: case R_KDIV: case R_POW: case R_KPOW:
        for (int l = 0; l < m; l++) {
            /* b only where the step has one (a constant operand's node is not run) */
            int two = i->op == R_DIV || i->op == R_POW;
            jet ja = lane_jet(a, l), jb = two ? lane_jet(b, l) : ja, jo;
            jet_step(p, i, &ja, &jb, x + l * p->dim, &jo);
            lane_store(o, l, &jo);
        }
        for (int k = 0; k < 6; k++) pad(o[0][k], m);
        return;
    case R_MUL: batch_product(o, a, b, comps, nc, full); break;
    case R_POWC: case R_FN: batch_chain(i, o, a, comps, nc, full, m); break;
    default: {
        /* linear in a (and b): every derivative component s a (+ s2 b), the value apart, by
         * batch_value (value_step's operations) */
        int lin = full ? 5 : 2;
        double s = i->op == R_KSUB || i->op == R_NEG ? -1.0 : i->op == R_MULK ? c : 1.0;
        if (i->op == R_DIVK) s = 1.0 / c;
        int sum = i->op == R_ADD || i->op == R_SUB;
        batch_linear(o, a, sum ? b : NULL, s, i->op == R_SUB ? -1.0 : 1.0, comps, lin);
        batch_value(p, i, r, x, m);
        break;
    }
    }
    if (!full) {
        const int *off = i->var == 0 ? off_x : off_y;
        for (int q = 0; q < 3; q++)
            EACH_LANE o[0][off[q]][l] = 0.0;
    }
}

void dr_expr_program_jets(const dr_expr_program *p, size_t n, const double *x, double *v,
                          double *grad, double *hess, int *status)
{
    int dim = p->dim;
    if (p->n > BATCH_NODES || !p->nrun) {
        for (size_t k = 0; k < n; k++) {
            int st = dr_expr_program_jet(p, x + k * dim, v + k, grad ? grad + k * dim : NULL,
                                         grad ? hess + k * dim * dim : NULL);
            if (grad) status[k] = st;
        }
        return;
    }
    lanes r[BATCH_NODES];
    for (size_t s = 0; s < n; s += BATCH) {
        int m = n - s < BATCH ? (int)(n - s) : BATCH;
        const double *xs = x + s * dim;
        for (int k = 0; k < p->nrun; k++) {
            if (grad) batch_step(p, &p->run[k], r, xs, m);
            else batch_value(p, &p->run[k], r, xs, m);
        }
        const lanes *f = &r[p->n - 1];
        for (int l = 0; l < m; l++) {
            size_t q = s + (size_t)l;
            if (!grad) {
                v[q] = f[0][C_V][l];
                continue;
            }
            jet j = lane_jet(f, l);
            status[q] = jet_out(p, &j, v + q, grad + q * dim, hess + q * dim * dim);
        }
    }
}
