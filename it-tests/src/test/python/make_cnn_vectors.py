#!/usr/bin/python3
"""Writes PyTorch reference vectors for the cnn4j CNN op contract tests (conv, pool, batch norm,
softmax and cross-entropy, activations).

Run from anywhere with Debian's PyTorch (python3-torch, 1.13):

    /usr/bin/python3 it-tests/src/test/python/make_cnn_vectors.py

It writes it-tests/src/test/resources/reference/cnn.txt, which PyTorchCnnReferenceTest reads. Inputs are
float32 drawn from a seeded torch.Generator and rounded to 3 decimals (short in the file). Expected
outputs and gradients are what PyTorch computes from those float32 inputs in float64 (autograd for the
gradients), rounded once to float32. Never regenerate this file from cnn4j output.

The format is the one of make_op_vectors.py (documented in the header the script writes, see HEADER).
"""

import numpy
import torch
import torch.nn.functional as F

from vectorfile import Writer, fmt_tensor, fmt_value

HEADER = """\
# cnn4j CNN op reference vectors, computed by PyTorch {version} with make_cnn_vectors.py (do not edit by hand).
# Expected outputs: PyTorch's float64 result (autograd for gradients) on the float32 inputs, rounded once to float32.
#
# Format (line based, '#' starts a comment line, tokens separated by single spaces):
#   case <id> <op> [<key>=<value> ...]      starts a case; <id> is unique
#   tensor <role> <shape> <v0> <v1> ...     one tensor of the case, row-major values
#   end                                     closes the case
# <shape>: comma-separated extents; <v>: float32 as numpy's shortest repr, or nan, inf, -inf.
# Lists in keys are comma-separated, in the order (depth,) height, width.
# <op>, keys and roles:
#   conv2d   stride=sh,sw dilation=dh,dw groups=G pad=top,bottom,left,right (zeros added by F.pad; may be asymmetric)
#            x [N,C,H,W], w [K,C/G,kh,kw], bias [K] (absent: no bias), dy [N,K,oh,ow] (upstream gradient);
#            y = conv2d(pad(x), w, bias), dx = dL/dx, dw = dL/dw, db = dL/dbias = sum of dy over N, oh, ow
#   conv3d   stride=sd,sh,sw dilation=dd,dh,dw groups=G pad=pd,ph,pw (symmetric); x, w, bias, dy, y, dx, dw, db
#   conv_transpose2d  stride=sh,sw padding=ph,pw output_padding=oph,opw dilation=dh,dw groups=G
#            x [N,Cin,H,W], w [Cin,Cout/G,kh,kw], y [N,Cout,Ho,Wo] (no bias). This is the gradient of a conv2d
#            with weight w, input [N,Cout,Ho,Wo] and output [N,Cin,H,W] with respect to its input.
#   max_pool2d  kernel=kh,kw stride=sh,sw padding=ph,pw ceil_mode=true|false
#            x, y, indices (flat index h*W+w within the plane, as float), dy, dx
#   max_pool3d  kernel, stride, padding (depth, height, width), ceil_mode; x, y, indices (d*H*W+h*W+w), dy, dx
#   avg_pool2d  kernel, stride, padding, ceil_mode, count_include_pad=true|false; x, y, dy, dx
#   avg_pool3d  as avg_pool2d with three extents
#   adaptive_avg_pool2d  output=oh,ow; x, y, dy, dx
#   batch_norm  eps=<float>; training mode with the batch statistics; x [N,C] or [N,C,H,W], gamma [C], beta [C],
#            dy; y, mean (batch mean), var (biased batch variance), dx, dgamma, dbeta
#   softmax, log_softmax  over the last dimension of x [rows, classes]; y, dy, dx
#   cross_entropy  smoothing=<float>; x [rows, classes] logits, target [rows] class indices as float;
#            loss [rows] (reduction none), dx = gradient of the mean over rows (reduction mean)
#   relu, leaky_relu, elu, gelu, sigmoid, tanh  key a=<float> (negative slope, alpha; 0 when unused);
#            x, y, dy, dx (gelu exact, approximate='none'; the gradient at 0 is PyTorch's)
"""

GEN = torch.Generator().manual_seed(20240612)


def uniform(shape, low, high):
    """Uniform in [low, high), rounded to 3 decimals (short in the file; still distinct, non-dyadic values)."""
    x = torch.rand(shape, generator=GEN, dtype=torch.float64) * (high - low) + low
    return (torch.round(x * 1000) / 1000).clamp(low, high).to(torch.float32)


def levels(shape, n):
    return torch.randint(0, n, shape, generator=GEN).to(torch.float32)


def leaf(t):
    return t.to(torch.float64).requires_grad_(True)


def grads(out, dy, *inputs):
    return torch.autograd.grad(out, inputs, grad_outputs=dy.to(torch.float64))


def conv2d_cases(w):
    # (id, N, C, H, W, K, kh, kw, stride, dilation, groups, pad(top,bottom,left,right), bias)
    cases = [
        ("conv2d_3x3_pad1", 2, 3, 7, 6, 4, 3, 3, (1, 1), (1, 1), 1, (1, 1, 1, 1), True),
        ("conv2d_stride2", 2, 2, 9, 8, 3, 3, 3, (2, 2), (1, 1), 1, (1, 1, 1, 1), True),
        ("conv2d_stride3_nobias", 1, 3, 10, 11, 2, 3, 3, (3, 3), (1, 1), 1, (0, 0, 0, 0), False),
        ("conv2d_dilation2", 1, 2, 9, 9, 3, 3, 3, (1, 1), (2, 2), 1, (2, 2, 2, 2), True),
        ("conv2d_groups2", 2, 4, 6, 7, 6, 3, 3, (1, 1), (1, 1), 2, (1, 1, 1, 1), True),
        ("conv2d_depthwise", 1, 4, 7, 7, 4, 3, 3, (2, 2), (1, 1), 4, (1, 1, 1, 1), False),
        ("conv2d_asym_pad", 2, 2, 6, 5, 3, 3, 2, (1, 1), (1, 1), 1, (2, 0, 0, 1), True),
        ("conv2d_1x1", 2, 8, 4, 5, 4, 1, 1, (1, 1), (1, 1), 1, (0, 0, 0, 0), True),
        ("conv2d_5x5_rect_stride", 1, 2, 11, 9, 3, 5, 3, (2, 1), (1, 1), 1, (2, 2, 1, 1), True),
        ("conv2d_out1x1", 3, 3, 5, 5, 2, 5, 5, (1, 1), (1, 1), 1, (0, 0, 0, 0), True),
    ]
    for cid, n, c, h, wd, k, kh, kw, stride, dil, groups, pad, has_bias in cases:
        x = uniform((n, c, h, wd), -1, 1)
        wt = uniform((k, c // groups, kh, kw), -1, 1)
        b = uniform((k,), -1, 1) if has_bias else None
        xl, wl = leaf(x), leaf(wt)
        bl = leaf(b) if has_bias else None
        top, bottom, left, right = pad
        y = F.conv2d(F.pad(xl, (left, right, top, bottom)), wl, bl, stride=stride, dilation=dil, groups=groups)
        dy = uniform(tuple(y.shape), -1, 1)
        g = grads(y, dy, *([xl, wl] + ([bl] if has_bias else [])))
        w.case(cid, "conv2d", {"x": x, "w": wt, "bias": b, "dy": dy, "y": y, "dx": g[0], "dw": g[1],
                               "db": g[2] if has_bias else None},
               stride=list(stride), dilation=list(dil), groups=groups, pad=list(pad))


def conv3d_cases(w):
    cases = [
        ("conv3d_3x3x3_pad1", 1, 2, 4, 5, 5, 3, (3, 3, 3), (1, 1, 1), (1, 1, 1), 1, (1, 1, 1)),
        ("conv3d_stride_groups", 2, 4, 5, 4, 6, 4, (2, 3, 3), (2, 1, 2), (1, 1, 1), 2, (0, 1, 1)),
        ("conv3d_dilation", 1, 2, 6, 5, 5, 2, (2, 2, 2), (1, 1, 1), (2, 1, 2), 1, (1, 0, 1)),
    ]
    for cid, n, c, d, h, wd, k, ks, stride, dil, groups, pad in cases:
        x = uniform((n, c, d, h, wd), -1, 1)
        wt = uniform((k, c // groups) + ks, -1, 1)
        b = uniform((k,), -1, 1)
        xl, wl, bl = leaf(x), leaf(wt), leaf(b)
        y = F.conv3d(xl, wl, bl, stride=stride, padding=pad, dilation=dil, groups=groups)
        dy = uniform(tuple(y.shape), -1, 1)
        g = grads(y, dy, xl, wl, bl)
        w.case(cid, "conv3d", {"x": x, "w": wt, "bias": b, "dy": dy, "y": y, "dx": g[0], "dw": g[1], "db": g[2]},
               stride=list(stride), dilation=list(dil), groups=groups, pad=list(pad))


def conv_transpose_cases(w):
    # (id, N, Cin, H, W, Cout, kh, kw, stride, padding, output_padding, dilation, groups)
    cases = [
        ("convT_stride2", 2, 3, 4, 5, 2, 3, 3, (2, 2), (1, 1), (1, 1), (1, 1), 1),
        ("convT_stride1", 1, 2, 5, 5, 3, 3, 3, (1, 1), (1, 1), (0, 0), (1, 1), 1),
        ("convT_groups_dil", 1, 4, 4, 4, 4, 3, 2, (2, 1), (1, 0), (0, 0), (2, 1), 2),
        ("convT_4x4_stride2", 2, 2, 3, 3, 2, 4, 4, (2, 2), (1, 1), (0, 0), (1, 1), 1),
    ]
    for cid, n, cin, h, wd, cout, kh, kw, stride, pad, opad, dil, groups in cases:
        x = uniform((n, cin, h, wd), -1, 1)
        wt = uniform((cin, cout // groups, kh, kw), -1, 1)
        y = F.conv_transpose2d(x.double(), wt.double(), None, stride=stride, padding=pad, output_padding=opad,
                               groups=groups, dilation=dil)
        w.case(cid, "conv_transpose2d", {"x": x, "w": wt, "y": y}, stride=list(stride), padding=list(pad),
               output_padding=list(opad), dilation=list(dil), groups=groups)


def pool_cases(w):
    # (id, N, C, H, W, kernel, stride, padding, ceil_mode, ties)
    cases = [
        ("pool_2x2_s2", 2, 2, 6, 8, (2, 2), (2, 2), (0, 0), False, False),
        ("pool_3x3_s2_p1", 1, 3, 7, 9, (3, 3), (2, 2), (1, 1), False, False),
        ("pool_3x3_s1_p1_ties", 2, 2, 5, 5, (3, 3), (1, 1), (1, 1), False, True),
        ("pool_2x2_s2_ceil", 1, 2, 7, 7, (2, 2), (2, 2), (0, 0), True, False),
        ("pool_3x3_s2_p1_ceil", 2, 1, 6, 8, (3, 3), (2, 2), (1, 1), True, False),
        ("pool_rect", 1, 2, 5, 8, (2, 3), (1, 2), (1, 1), False, False),
        ("pool_global", 2, 3, 4, 5, (4, 5), (1, 1), (0, 0), False, True),
    ]
    for cid, n, c, h, wd, k, s, p, ceil, ties in cases:
        x = levels((n, c, h, wd), 3) if ties else uniform((n, c, h, wd), -1, 1)
        xl = leaf(x)
        y, idx = F.max_pool2d(xl, k, s, p, ceil_mode=ceil, return_indices=True)
        dy = uniform(tuple(y.shape), -1, 1)
        (dx,) = grads(y, dy, xl)
        w.case(cid + "_max", "max_pool2d", {"x": x, "y": y, "indices": idx.to(torch.float32), "dy": dy, "dx": dx},
               kernel=list(k), stride=list(s), padding=list(p), ceil_mode=ceil)
        if ties:
            continue
        for cip in (True, False):
            xl = leaf(x)
            y = F.avg_pool2d(xl, k, s, p, ceil_mode=ceil, count_include_pad=cip)
            dy = uniform(tuple(y.shape), -1, 1)
            (dx,) = grads(y, dy, xl)
            w.case("%s_avg_%s" % (cid, "incl" if cip else "excl"), "avg_pool2d", {"x": x, "y": y, "dy": dy, "dx": dx},
                   kernel=list(k), stride=list(s), padding=list(p), ceil_mode=ceil, count_include_pad=cip)
    # 3-D
    x = uniform((1, 2, 4, 5, 6), -1, 1)
    xl = leaf(x)
    y, idx = F.max_pool3d(xl, (2, 3, 2), (2, 2, 2), (1, 1, 0), ceil_mode=True, return_indices=True)
    dy = uniform(tuple(y.shape), -1, 1)
    (dx,) = grads(y, dy, xl)
    w.case("pool3d_max", "max_pool3d", {"x": x, "y": y, "indices": idx.to(torch.float32), "dy": dy, "dx": dx},
           kernel=[2, 3, 2], stride=[2, 2, 2], padding=[1, 1, 0], ceil_mode=True)
    for cip in (True, False):
        xl = leaf(x)
        y = F.avg_pool3d(xl, (3, 3, 3), (2, 2, 2), (1, 1, 1), ceil_mode=False, count_include_pad=cip)
        dy = uniform(tuple(y.shape), -1, 1)
        (dx,) = grads(y, dy, xl)
        w.case("pool3d_avg_%s" % ("incl" if cip else "excl"), "avg_pool3d", {"x": x, "y": y, "dy": dy, "dx": dx},
               kernel=[3, 3, 3], stride=[2, 2, 2], padding=[1, 1, 1], ceil_mode=False, count_include_pad=cip)
    for cid, shape, out in [("adaptive_7x5_3x2", (2, 2, 7, 5), (3, 2)), ("adaptive_global", (1, 3, 4, 6), (1, 1)),
                            ("adaptive_10x10_4x4", (1, 2, 10, 10), (4, 4)), ("adaptive_up", (1, 1, 3, 2), (5, 4))]:
        x = uniform(shape, -1, 1)
        xl = leaf(x)
        y = F.adaptive_avg_pool2d(xl, out)
        dy = uniform(tuple(y.shape), -1, 1)
        (dx,) = grads(y, dy, xl)
        w.case(cid, "adaptive_avg_pool2d", {"x": x, "y": y, "dy": dy, "dx": dx}, output=list(out))


def batch_norm_cases(w):
    for cid, shape in [("bn2d", (4, 3, 5, 5)), ("bn2d_batch1", (1, 2, 6, 7)), ("bn1d", (8, 5))]:
        x = uniform(shape, -1, 3)
        gamma = uniform((shape[1],), 0.5, 1.5)
        beta = uniform((shape[1],), -1, 1)
        eps = 1e-5
        xl, gl, bl = leaf(x), leaf(gamma), leaf(beta)
        y = F.batch_norm(xl, None, None, gl, bl, training=True, eps=eps)
        dims = [0] + list(range(2, len(shape)))
        mean = x.double().mean(dim=dims)
        var = x.double().var(dim=dims, unbiased=False)
        dy = uniform(shape, -1, 1)
        dx, dg, db = grads(y, dy, xl, gl, bl)
        w.case(cid, "batch_norm", {"x": x, "gamma": gamma, "beta": beta, "dy": dy, "y": y, "mean": mean, "var": var,
                                   "dx": dx, "dgamma": dg, "dbeta": db}, eps=float(numpy.float32(eps)))


def loss_cases(w):
    for cid, rows, classes, scale in [("r3c7", 3, 7, 3), ("r5c10", 5, 10, 8), ("r2c100", 2, 100, 3), ("r4c3_big", 4, 3, 50)]:
        x = uniform((rows, classes), -scale, scale)
        for name, fn in (("softmax", F.softmax), ("log_softmax", F.log_softmax)):
            xl = leaf(x)
            y = fn(xl, dim=-1)
            dy = uniform((rows, classes), -1, 1)
            (dx,) = grads(y, dy, xl)
            w.case("%s_%s" % (name, cid), name, {"x": x, "y": y, "dy": dy, "dx": dx})
        target = torch.randint(0, classes, (rows,), generator=GEN)
        for s in (0.0, 0.1):
            xl = leaf(x)
            loss = F.cross_entropy(xl, target, reduction="none", label_smoothing=s)
            (dx,) = torch.autograd.grad(F.cross_entropy(xl, target, reduction="mean", label_smoothing=s), [xl])
            w.case("cross_entropy_%s_s%g" % (cid, s), "cross_entropy",
                   {"x": x, "target": target.to(torch.float32), "loss": loss, "dx": dx}, smoothing=float(numpy.float32(s)))


def activation_cases(w):
    specials = torch.tensor([0.0, 1e-3, -1e-3, 10.0, -10.0, 30.0, -30.0, 1.0, -1.0, 0.5, -0.5])
    x = torch.cat([specials, uniform((60,), -6, 6)]).to(torch.float32)
    fns = [
        ("relu", 0.0, lambda t, a: F.relu(t)),
        ("leaky_relu", 0.01, lambda t, a: F.leaky_relu(t, a)),
        ("leaky_relu", 0.2, lambda t, a: F.leaky_relu(t, a)),
        ("elu", 1.0, lambda t, a: F.elu(t, a)),
        ("elu", 0.5, lambda t, a: F.elu(t, a)),
        ("gelu", 0.0, lambda t, a: F.gelu(t)),
        ("sigmoid", 0.0, lambda t, a: torch.sigmoid(t)),
        ("tanh", 0.0, lambda t, a: torch.tanh(t)),
    ]
    for name, a, fn in fns:
        a = float(numpy.float32(a))  # the float32 parameter cnn4j receives
        xl = leaf(x)
        y = fn(xl, a)
        dy = uniform(tuple(x.shape), -2, 2)
        (dx,) = grads(y, dy, xl)
        w.case("%s_a%g" % (name, a), name, {"x": x, "y": y, "dy": dy, "dx": dx}, a=float(numpy.float32(a)))


def main():
    w = Writer()
    conv2d_cases(w)
    conv3d_cases(w)
    conv_transpose_cases(w)
    pool_cases(w)
    batch_norm_cases(w)
    loss_cases(w)
    activation_cases(w)
    w.write("cnn.txt", HEADER.format(version=torch.__version__))


if __name__ == "__main__":
    main()
