#!/usr/bin/python3
"""Writes PyTorch reference vectors for the cnn4j op contract tests.

Run from anywhere with Debian's PyTorch (python3-torch, 1.13):

    /usr/bin/python3 it-tests/src/test/python/make_op_vectors.py

It writes it-tests/src/test/resources/reference/ops.txt, which PyTorchReferenceTest reads. Inputs are
float32, drawn from a seeded torch.Generator. Expected outputs are what PyTorch computes from those
float32 inputs in float64, rounded once to float32: the correctly rounded answer, so a test's tolerance
only has to cover cnn4j's own rounding. (Overflow still shows: exp(100) is inf in float32.) Never
regenerate this file from cnn4j output.

The format is documented in the header the script writes (see HEADER below).
"""

import torch

import vectorfile
from vectorfile import fmt_tensor, fmt_value

HEADER = """\
# cnn4j op reference vectors, computed by PyTorch {version} with make_op_vectors.py (do not edit by hand).
# Expected outputs: PyTorch's float64 result on the float32 inputs, rounded once to float32.
#
# Format (line based, '#' starts a comment line, tokens separated by single spaces):
#   case <id> <op> [<key>=<value> ...]      starts a case; <id> is unique
#   tensor <role> <shape> <v0> <v1> ...     one tensor of the case, row-major values
#   end                                     closes the case
# <role>:  a, b  (inputs, in argument order)   out (expected output)
# <shape>: comma-separated extents ("4,1,3"), or "scalar" for rank 0
# <v>:     float32 as the shortest decimal that parses back to the same float32 (numpy's float32 repr,
#          e.g. 0.7310586, 1e+30, -0), or nan, inf, -inf
# <op> and its keys:
#   neg abs relu sigmoid tanh exp log sqrt square reciprocal       unary, input a
#   add sub mul div maximum minimum pow                            binary with NumPy broadcasting, inputs a, b
#   add_scalar sub_scalar rsub_scalar mul_scalar div_scalar rdiv_scalar pow_scalar clamp_min clamp_max
#                                                                  a with a scalar: key s=<float>;
#                                                                  rsub: s - a, rdiv: s / a
#   sum mean max min                                               keys axis=<int>|all, keepdim=true|false
#   argmax                                                         keys axis=<int>, keepdim=true|false
#                                                                  (first index on ties; output as float)
#   transpose                                                      keys d0=<int> d1=<int>
#   permute                                                        key order=<int>,<int>,...
#   matmul                                                         keys ta=true|false tb=true|false: op(a) x op(b),
#                                                                  op(X) = X^T of the last two dimensions when set;
#                                                                  ranks 2 or 3 ([b,m,k]x[b,k,n], [b,m,k]x[k,n], [m,k]x[b,k,n])
"""

GEN = torch.Generator().manual_seed(20240611)


def uniform(shape, low, high):
    """Uniform in [low, high), rounded to 3 decimals (short in the file; still distinct, non-dyadic values)."""
    x = torch.rand(shape, generator=GEN, dtype=torch.float64) * (high - low) + low
    return (torch.round(x * 1000) / 1000).clamp(low, high).to(torch.float32)


def levels(shape, n):
    return torch.randint(0, n, shape, generator=GEN).to(torch.float32)


class Writer(vectorfile.Writer):
    """Cases of one op: inputs a (and b), then the expected output."""

    def case(self, cid, op, inputs, out, **keys):
        tensors = dict(zip(("a", "b"), inputs))
        tensors["out"] = out
        super().case(cid, op, tensors, **keys)


def f64(t):
    return t.to(torch.float64)


def as_out(t):
    return t.to(torch.float32)


SPECIALS = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1e-30, -1e-30, 1e30, -1e30, float("inf"), float("-inf"), float("nan")]


def unary_cases(w):
    ops = {
        "neg": torch.neg, "abs": torch.abs, "relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
        "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "square": torch.square,
        "reciprocal": torch.reciprocal,
    }
    ranges = {
        # sigmoid over the whole useful range, saturated ends included (+-30, +-88, +-100)
        "sigmoid": torch.cat([torch.linspace(-30, 30, 121), torch.tensor([-100.0, -88.0, -50.0, 50.0, 88.0, 100.0])]),
        "tanh": torch.cat([torch.linspace(-10, 10, 81), torch.tensor([-30.0, 30.0, 1e-4, -1e-4])]),
        "exp": torch.cat([torch.linspace(-87, 88, 71), torch.tensor([-100.0, 89.0, 100.0, 1e-6])]),
        "log": torch.cat([torch.logspace(-30, 30, 61), torch.tensor([0.5, 1.0, 2.0, 0.999, 1.001])]),
        "sqrt": torch.cat([torch.logspace(-30, 30, 61), torch.tensor([0.0, 2.0, 0.25])]),
        "reciprocal": torch.cat([torch.logspace(-3, 3, 25), -torch.logspace(-3, 3, 25)]),
    }
    for name, fn in ops.items():
        x = ranges.get(name, torch.linspace(-50, 50, 101)).to(torch.float32)
        w.case("%s_range" % name, name, [x], as_out(fn(f64(x))))
        s = torch.tensor(SPECIALS, dtype=torch.float32)
        w.case("%s_special" % name, name, [s], as_out(fn(f64(s))))
        r = uniform((3, 7), -5, 5) if name not in ("log", "sqrt") else uniform((3, 7), 0.01, 50)
        w.case("%s_random" % name, name, [r], as_out(fn(f64(r))))


def binary_cases(w):
    ops = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
           "maximum": torch.maximum, "minimum": torch.minimum, "pow": torch.pow}
    pairs = [((4, 1, 3), (2, 1)), ((5, 3), (3,)), ((3, 1), (1, 4)), ((2, 3, 4), (2, 1, 4)),
             ((), (2, 3)), ((2, 3), ()), ((1,), (7,)), ((2, 1, 3, 1, 5), (3, 4, 1)), ((9,), (9,))]
    for name, fn in ops.items():
        for i, (sa, sb) in enumerate(pairs):
            if name == "pow":
                a = uniform(sa, 0.1, 3)
                b = uniform(sb, -3, 3)
            elif name == "div":
                a = uniform(sa, -10, 10)
                b = uniform(sb, 0.5, 4) * torch.where(uniform(sb, 0, 1) < 0.5, -1.0, 1.0)
            else:
                a = uniform(sa, -10, 10)
                b = uniform(sb, -10, 10)
            w.case("%s_bcast%d" % (name, i), name, [a, b], as_out(fn(f64(a), f64(b))))
    # NaN propagation of maximum/minimum and IEEE special cases of the arithmetic
    a = torch.tensor([float("nan"), 1.0, float("nan"), -2.0, float("inf"), 0.0, -0.0, 3.0])
    b = torch.tensor([0.0, float("nan"), float("nan"), 5.0, float("-inf"), -0.0, 0.0, float("inf")])
    for name in ("maximum", "minimum", "add", "sub", "mul"):
        w.case("%s_special" % name, name, [a, b], as_out(ops[name](f64(a), f64(b))))
    num = torch.tensor([1.0, -1.0, 0.0, 1.0, float("inf"), 3.0])
    den = torch.tensor([0.0, 0.0, 0.0, float("inf"), float("inf"), -2.0])
    w.case("div_special", "div", [num, den], as_out(f64(num) / f64(den)))
    base = torch.tensor([2.0, -2.0, -2.0, 0.0, 0.0, 1.0, 4.0, 10.0])
    expo = torch.tensor([10.0, 3.0, 0.5, 0.0, -1.0, float("nan"), -0.5, -3.0])
    w.case("pow_special", "pow", [base, expo], as_out(torch.pow(f64(base), f64(expo))))


def scalar_cases(w):
    x = uniform((4, 5), -10, 10)
    pos = uniform((4, 5), 0.1, 4)
    for s in (2.5, -0.75, 0.0):
        w.case("add_scalar_%g" % s, "add_scalar", [x], as_out(f64(x) + s), s=float(s))
        w.case("sub_scalar_%g" % s, "sub_scalar", [x], as_out(f64(x) - s), s=float(s))
        w.case("rsub_scalar_%g" % s, "rsub_scalar", [x], as_out(s - f64(x)), s=float(s))
        w.case("mul_scalar_%g" % s, "mul_scalar", [x], as_out(f64(x) * s), s=float(s))
        if s != 0.0:
            w.case("div_scalar_%g" % s, "div_scalar", [x], as_out(f64(x) / s), s=float(s))
        w.case("rdiv_scalar_%g" % s, "rdiv_scalar", [pos], as_out(s / f64(pos)), s=float(s))
        w.case("pow_scalar_%g" % s, "pow_scalar", [pos], as_out(torch.pow(f64(pos), s)), s=float(s))
        w.case("clamp_min_%g" % s, "clamp_min", [x], as_out(torch.clamp(f64(x), min=s)), s=float(s))
        w.case("clamp_max_%g" % s, "clamp_max", [x], as_out(torch.clamp(f64(x), max=s)), s=float(s))


def reduction_cases(w):
    shapes = [(7,), (3, 4), (3, 4, 5), (2, 3, 1, 4), (1, 33), (33, 3)]
    fns = {
        "sum": lambda t, d, k: torch.sum(t, dim=d, keepdim=k),
        "mean": lambda t, d, k: torch.mean(t, dim=d, keepdim=k),
        "max": lambda t, d, k: torch.amax(t, dim=d, keepdim=k),
        "min": lambda t, d, k: torch.amin(t, dim=d, keepdim=k),
    }
    alls = {"sum": torch.sum, "mean": torch.mean, "max": torch.max, "min": torch.min}
    for si, shape in enumerate(shapes):
        x = uniform(shape, -3, 3)
        for name, fn in fns.items():
            w.case("%s_all_%d" % (name, si), name, [x], as_out(alls[name](f64(x))), axis="all", keepdim=False)
            # every axis once, keepdim alternating, plus the last axis counted from the end
            for axis in list(range(len(shape))) + [-1]:
                keep = axis % 2 == 0
                w.case("%s_%d_axis%d_%s" % (name, si, axis, "keep" if keep else "drop"), name, [x],
                       as_out(fn(f64(x), axis, keep)), axis=axis, keepdim=keep)
    # NaN propagates through every reduction
    x = uniform((3, 5), -1, 1)
    x[1, 2] = float("nan")
    for name, fn in fns.items():
        for axis in (0, 1):
            w.case("%s_nan_axis%d" % (name, axis), name, [x], as_out(fn(f64(x), axis, False)), axis=axis, keepdim=False)
    # argmax: ties resolve to the first index
    for si, shape in enumerate([(9,), (4, 6), (3, 4, 5), (2, 1, 7)]):
        x = levels(shape, 3)
        for axis in range(-len(shape), len(shape)):
            for keep in (False, True):
                w.case("argmax_%d_axis%d_%s" % (si, axis, "keep" if keep else "drop"), "argmax", [x],
                       torch.argmax(x, dim=axis, keepdim=keep).to(torch.float32), axis=axis, keepdim=keep)
    x = uniform((4, 6), -1, 1)
    x[2, 3] = float("nan")
    x[2, 5] = float("nan")
    for axis in (0, 1):
        w.case("argmax_nan_axis%d" % axis, "argmax", [x], torch.argmax(x, dim=axis).to(torch.float32),
               axis=axis, keepdim=False)


def layout_cases(w):
    for si, shape in enumerate([(3, 5), (1, 4), (2, 3, 4), (2, 3, 2, 5)]):
        x = uniform(shape, -1, 1)
        r = len(shape)
        pairs = [(d0, d1) for d0 in range(r) for d1 in range(d0 + 1, r)] + [(-1, 0)]
        for d0, d1 in pairs:
            w.case("transpose_%d_%d_%d" % (si, d0, d1), "transpose", [x], x.transpose(d0, d1), d0=d0, d1=d1)
        orders = {2: [(1, 0)], 3: [(2, 0, 1), (1, 2, 0), (0, 2, 1)], 4: [(3, 1, 0, 2), (0, 2, 3, 1), (2, 3, 0, 1)]}
        for oi, order in enumerate(orders[r]):
            w.case("permute_%d_%d" % (si, oi), "permute", [x], x.permute(*order), order=list(order))


def matmul_cases(w):
    def op(t, transposed):
        return t.transpose(-1, -2) if transposed else t

    def stored(batch, rows, cols, transposed):
        s = (cols, rows) if transposed else (rows, cols)
        return (batch,) + s if batch else s

    sizes = [(1, 1, 1), (2, 3, 4), (5, 7, 3), (17, 9, 13)]
    for (m, k, n) in sizes:
        for ta in (False, True):
            for tb in (False, True):
                for mode, (ba, bb) in enumerate([(0, 0), (3, 3), (2, 0), (0, 2)]):
                    # every batching mode on the small sizes; 2-D and batched x batched on 5x7x3; 2-D on 17x9x13
                    if (m, k, n) == (17, 9, 13) and mode > 0 or (m, k, n) == (5, 7, 3) and mode > 1:
                        continue
                    a = uniform(stored(ba, m, k, ta), -1, 1)
                    b = uniform(stored(bb, k, n, tb), -1, 1)
                    out = torch.matmul(op(f64(a), ta), op(f64(b), tb))
                    w.case("matmul_%dx%dx%d_%s%s_mode%d" % (m, k, n, "T" if ta else "N", "T" if tb else "N", mode),
                           "matmul", [a, b], as_out(out), ta=ta, tb=tb)


def main():
    w = Writer()
    unary_cases(w)
    binary_cases(w)
    scalar_cases(w)
    reduction_cases(w)
    layout_cases(w)
    matmul_cases(w)
    w.write("ops.txt", HEADER.format(version=torch.__version__))


if __name__ == "__main__":
    main()
