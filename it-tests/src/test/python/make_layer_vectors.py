#!/usr/bin/python3
"""Writes PyTorch reference vectors for the cnn4j layer-level tests (torch.nn modules against the
org.cnn4j.layers classes: Conv2d, Conv3d, ConvTranspose2d, pooling, batch norm with its running statistics,
Linear, softmax layers, losses, activations, a small Sequential).

Run from anywhere with Debian's PyTorch (python3-torch, 1.13):

    /usr/bin/python3 it-tests/src/test/python/make_layer_vectors.py

It writes it-tests/src/test/resources/reference/layers.txt, which PyTorchLayerReferenceTest reads. The modules
are built under torch.manual_seed, then every parameter is overwritten with float32 values drawn from a seeded
torch.Generator and rounded to 3 decimals (short in the file), and written into the case. Each module runs in
float64 on the float32 inputs; the recorded gradients are those of sum(output * r) for a random r of the
output's shape (of the loss itself for the losses), rounded once to float32. Never regenerate this file from
cnn4j output.

The format is the one of make_op_vectors.py and make_cnn_vectors.py (documented in the header the script
writes, see HEADER).
"""
import warnings

import numpy
import torch
import torch.nn as nn
import torch.nn.functional as F

from vectorfile import Writer, fmt_tensor, fmt_value

HEADER = """\
# cnn4j layer reference vectors, computed by PyTorch {version} with make_layer_vectors.py (do not edit by hand).
# Expected values: torch.nn modules run in float64 on the float32 inputs and parameters, rounded once to float32.
#
# Format (line based, '#' starts a comment line, tokens separated by single spaces):
#   case <id> <layer> [<key>=<value> ...]   starts a case; <id> is unique
#   tensor <role> <shape> <v0> <v1> ...     one tensor of the case, row-major values
#   end                                     closes the case
# <shape>: comma-separated extents; <v>: float32 as numpy's shortest repr, or nan, inf, -inf.
# Lists in keys are comma-separated, in the order (depth,) height, width.
# Common roles: x input; weight, bias the parameters (PyTorch's layout; absent bias: none); r the upstream
# gradient (the recorded gradients are those of sum(y * r)); y output; dx, dweight, dbias the gradients.
# <layer>, keys and extra roles:
#   conv2d   in=C out=K kernel=kh,kw stride=sh,sw padding=same|top,bottom,left,right dilation=dh,dw groups=G
#   conv3d   in out kernel=kd,kh,kw stride padding=front,back,top,bottom,left,right dilation groups
#   conv_transpose2d  in out kernel stride padding=ph,pw output_padding=oph,opw dilation groups
#   max_pool2d  kernel stride padding=ph,pw ceil_mode
#   avg_pool2d  kernel stride padding ceil_mode count_include_pad
#   adaptive_avg_pool2d  output=oh,ow
#   global_avg_pool2d, global_max_pool2d  y [N, C] (adaptive pooling to 1x1, flattened; amax over H, W)
#   batch_norm2d  channels eps momentum steps=S; per training step s = 1..S: x<s>, r<s>, y<s>, dx<s>, dweight<s>,
#            dbias<s> (gradients of that step alone), running_mean<s>, running_var<s> (after the step; unbiased
#            running variance); then evaluation mode: x_eval, r_eval, y_eval, dx_eval, dweight_eval, dbias_eval
#   batch_norm1d  as batch_norm2d on [N, C] or [N, C, L]
#   linear   in out
#   softmax, log_softmax  over the last dimension
#   cross_entropy  smoothing=<float> reduction=mean|sum; x logits [N, K], target [N] (class indices as float),
#            loss scalar, dx = d loss / d x
#   mse      reduction=mean; x, target, loss scalar, dx, dtarget
#   leaky_relu, elu  a=<float> (negative slope, alpha); gelu (exact); relu, sigmoid, tanh
#   sequential  layers=<names joined by '+'>; parameters as <index>.weight, <index>.bias (PyTorch's state-dict
#            names), gradients as d<index>.weight, d<index>.bias
"""

warnings.filterwarnings("ignore", message="Using padding='same' with even kernel")  # PyTorch pads a copy; harmless
torch.manual_seed(20240613)
GEN = torch.Generator().manual_seed(20240613)


def uniform(shape, low, high):
    """Uniform in [low, high), rounded to 3 decimals (short in the file; still distinct, non-dyadic values)."""
    x = torch.rand(shape, generator=GEN, dtype=torch.float64) * (high - low) + low
    return (torch.round(x * 1000) / 1000).clamp(low, high).to(torch.float32)


def load_params(module, low=-1.0, high=1.0):
    """Overwrites every parameter of `module` (float64) with rounded float32 draws; returns them by name."""
    values = {}
    with torch.no_grad():
        for name, p in module.named_parameters():
            v = uniform(tuple(p.shape), low, high)
            p.copy_(v.double())
            values[name] = v
    return values


def run(module, x, extra=None):
    """y = module(x) in float64, r, and the gradients of sum(y * r) with respect to x and every parameter."""
    xl = x.double().requires_grad_(True)
    y = module(xl)
    r = uniform(tuple(y.shape), -1, 1)
    params = [p for _, p in module.named_parameters()]
    g = torch.autograd.grad((y * r.double()).sum(), [xl] + params)
    out = {"r": r, "y": y, "dx": g[0]}
    for (name, _), gp in zip(module.named_parameters(), g[1:]):
        out["d" + name] = gp
    return out


def layer_case(w, cid, layer, module, x_shape, **keys):
    module = module.double()
    params = load_params(module)
    x = uniform(x_shape, -1, 1)
    tensors = {"x": x}
    tensors.update(params)
    tensors.update(run(module, x))
    w.case(cid, layer, tensors, **keys)


def conv2d_cases(w):
    # (id, N, C, H, W, K, kernel, stride, padding, dilation, groups, bias)
    cases = [
        ("conv2d_same_3x3", 1, 3, 6, 5, 4, (3, 3), (1, 1), "same", (1, 1), 1, True),
        ("conv2d_same_even_4x2", 1, 2, 7, 6, 3, (4, 2), (1, 1), "same", (1, 1), 1, True),
        ("conv2d_same_3x3_dil2", 1, 2, 8, 7, 3, (3, 3), (1, 1), "same", (2, 2), 1, True),
        ("conv2d_same_even_2x4_dil2", 1, 2, 6, 9, 2, (2, 4), (1, 1), "same", (2, 2), 1, True),
        ("conv2d_stride2_pad1", 2, 2, 7, 8, 4, (3, 3), (2, 2), (1, 1), (1, 1), 1, True),
        ("conv2d_groups2", 1, 4, 6, 5, 6, (3, 3), (1, 1), (1, 1), (1, 1), 2, True),
        ("conv2d_depthwise", 1, 4, 7, 7, 4, (3, 3), (2, 2), (1, 1), (1, 1), 4, True),
        ("conv2d_depthwise_mult2_nobias", 1, 3, 6, 6, 6, (3, 3), (1, 1), (1, 1), (1, 1), 3, False),
        ("conv2d_nobias_5x3", 1, 2, 8, 7, 3, (5, 3), (1, 2), (2, 1), (1, 1), 1, False),
    ]
    for cid, n, c, h, wd, k, ks, s, p, d, g, bias in cases:
        m = nn.Conv2d(c, k, ks, stride=s, padding=p if p == "same" else tuple(p), dilation=d, groups=g, bias=bias)
        if p == "same":
            pad = "same"
        else:
            pad = [p[0], p[0], p[1], p[1]]
        layer_case(w, cid, "conv2d", m, (n, c, h, wd), **{"in": c, "out": k, "kernel": list(ks), "stride": list(s),
                                                          "padding": pad, "dilation": list(d), "groups": g, "bias": bias})


def conv3d_cases(w):
    # (id, N, C, D, H, W, K, kernel, stride, padding (pd, ph, pw), dilation, groups, bias)
    cases = [
        ("conv3d_3x3x3_pad1", 1, 2, 3, 4, 5, 2, (3, 3, 3), (1, 1, 1), (1, 1, 1), (1, 1, 1), 1, True),
        ("conv3d_stride2_groups2_nobias", 1, 4, 5, 4, 5, 4, (2, 3, 3), (2, 1, 2), (0, 1, 1), (1, 1, 1), 2, False),
    ]
    for cid, n, c, dd, h, wd, k, ks, s, p, d, g, bias in cases:
        m = nn.Conv3d(c, k, ks, stride=s, padding=p, dilation=d, groups=g, bias=bias)
        pad = [p[0], p[0], p[1], p[1], p[2], p[2]]
        layer_case(w, cid, "conv3d", m, (n, c, dd, h, wd), **{"in": c, "out": k, "kernel": list(ks), "stride": list(s),
                                                              "padding": pad, "dilation": list(d), "groups": g,
                                                              "bias": bias})


def conv_transpose_cases(w):
    # (id, N, Cin, H, W, Cout, kernel, stride, padding, output_padding, dilation, groups, bias)
    cases = [
        ("convT_stride2_pad1_opad1", 2, 3, 4, 5, 2, (3, 3), (2, 2), (1, 1), (1, 1), (1, 1), 1, True),
        ("convT_groups2", 1, 4, 4, 3, 6, (3, 2), (2, 1), (1, 0), (1, 0), (1, 1), 2, True),
        ("convT_4x4_stride2_nobias", 2, 2, 3, 3, 3, (4, 4), (2, 2), (1, 1), (0, 0), (1, 1), 1, False),
    ]
    for cid, n, cin, h, wd, cout, ks, s, p, op, d, g, bias in cases:
        m = nn.ConvTranspose2d(cin, cout, ks, stride=s, padding=p, output_padding=op, groups=g, bias=bias, dilation=d)
        layer_case(w, cid, "conv_transpose2d", m, (n, cin, h, wd),
                   **{"in": cin, "out": cout, "kernel": list(ks), "stride": list(s), "padding": list(p),
                      "output_padding": list(op), "dilation": list(d), "groups": g, "bias": bias})


def pool_cases(w):
    # (id, N, C, H, W, kernel, stride, padding, ceil_mode)
    cases = [
        ("pool_3x3_s2_p1", 2, 2, 7, 8, (3, 3), (2, 2), (1, 1), False),
        ("pool_3x3_s2_ceil", 1, 2, 8, 8, (3, 3), (2, 2), (0, 0), True),       # ceil: 4x4, floor: 3x3
        ("pool_2x2_s2_p1_ceil", 1, 2, 5, 6, (2, 2), (2, 2), (1, 1), True),    # the last window would start in the padding
        ("pool_3x2_s2x1_p1x0", 2, 1, 6, 5, (3, 2), (2, 1), (1, 0), False),
    ]
    for cid, n, c, h, wd, k, s, p, ceil in cases:
        layer_case(w, cid + "_max", "max_pool2d", nn.MaxPool2d(k, s, p, ceil_mode=ceil), (n, c, h, wd),
                   kernel=list(k), stride=list(s), padding=list(p), ceil_mode=ceil)
        for cip in (True, False):
            if not cip and p == (0, 0):
                continue
            layer_case(w, "%s_avg_%s" % (cid, "incl" if cip else "excl"), "avg_pool2d",
                       nn.AvgPool2d(k, s, p, ceil_mode=ceil, count_include_pad=cip), (n, c, h, wd),
                       kernel=list(k), stride=list(s), padding=list(p), ceil_mode=ceil, count_include_pad=cip)
    for cid, shape, out in [("adaptive_7x7_3x3", (2, 2, 7, 7), (3, 3)), ("adaptive_5x5_2x4", (1, 3, 5, 5), (2, 4)),
                            ("adaptive_6x5_1x1", (2, 3, 6, 5), (1, 1))]:
        layer_case(w, cid, "adaptive_avg_pool2d", nn.AdaptiveAvgPool2d(out), shape, output=list(out))
    layer_case(w, "global_avg_5x6", "global_avg_pool2d", nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()),
               (2, 3, 5, 6))
    layer_case(w, "global_max_4x5", "global_max_pool2d", nn.Sequential(nn.AdaptiveMaxPool2d(1), nn.Flatten()),
               (2, 3, 4, 5))


def batch_norm_case(w, cid, layer, module, shape, steps):
    module = module.double()
    tensors = {}
    with torch.no_grad():
        module.weight.copy_(uniform((shape[1],), 0.5, 1.5).double())
        module.bias.copy_(uniform((shape[1],), -1, 1).double())
    tensors["weight"] = module.weight.detach()
    tensors["bias"] = module.bias.detach()
    module.train()
    for s in range(1, steps + 1):
        x = uniform(shape, -1, 3) * (0.5 + s)     # a different distribution each step
        tensors["x%d" % s] = x
        res = run(module, x)
        for role, t in res.items():
            tensors["%s%d" % (role, s)] = t
        tensors["running_mean%d" % s] = module.running_mean.detach().clone()
        tensors["running_var%d" % s] = module.running_var.detach().clone()
    module.eval()
    x = uniform(shape, -1, 3)
    tensors["x_eval"] = x
    for role, t in run(module, x).items():
        tensors[role + "_eval"] = t
    w.case(cid, layer, tensors, channels=shape[1], eps=float(numpy.float32(module.eps)),
           momentum=float(numpy.float32(module.momentum)), steps=steps)


def batch_norm_cases(w):
    batch_norm_case(w, "bn2d_3steps", "batch_norm2d", nn.BatchNorm2d(3, eps=1e-5, momentum=0.1), (4, 3, 3, 3), 3)
    batch_norm_case(w, "bn2d_batch1_2steps", "batch_norm2d", nn.BatchNorm2d(2), (1, 2, 3, 5), 2)
    batch_norm_case(w, "bn1d_nc", "batch_norm1d", nn.BatchNorm1d(5), (8, 5), 2)
    batch_norm_case(w, "bn1d_ncl", "batch_norm1d", nn.BatchNorm1d(3), (4, 3, 6), 1)


def linear_cases(w):
    layer_case(w, "linear_7_5", "linear", nn.Linear(7, 5), (4, 7), **{"in": 7, "out": 5, "bias": True})
    layer_case(w, "linear_16_3_nobias", "linear", nn.Linear(16, 3, bias=False), (5, 16),
               **{"in": 16, "out": 3, "bias": False})


def softmax_cases(w):
    for name, m in (("softmax", nn.Softmax(dim=-1)), ("log_softmax", nn.LogSoftmax(dim=-1))):
        for cid, shape, scale in (("r4c10", (4, 10), 4.0), ("r3c5_big", (3, 5), 40.0)):
            x = uniform(shape, -scale, scale)
            tensors = {"x": x}
            tensors.update(run(m.double(), x))
            w.case("%s_%s" % (name, cid), name, tensors)


def loss_cases(w):
    for cid, rows, classes, scale in (("r5c7", 5, 7, 3.0), ("r3c4_big", 3, 4, 30.0)):
        x = uniform((rows, classes), -scale, scale)
        target = torch.randint(0, classes, (rows,), generator=GEN)
        for s in (0.0, 0.1):
            for red in ("mean", "sum"):
                xl = x.double().requires_grad_(True)
                loss = nn.CrossEntropyLoss(reduction=red, label_smoothing=s)(xl, target)
                (dx,) = torch.autograd.grad(loss, [xl])
                w.case("cross_entropy_%s_s%g_%s" % (cid, s, red), "cross_entropy",
                       {"x": x, "target": target.to(torch.float32), "loss": loss, "dx": dx},
                       smoothing=float(numpy.float32(s)), reduction=red)
    for cid, shape in (("mse_3x4", (3, 4)), ("mse_2x3x2x2", (2, 3, 2, 2))):
        x = uniform(shape, -2, 2)
        t = uniform(shape, -2, 2)
        xl = x.double().requires_grad_(True)
        tl = t.double().requires_grad_(True)
        loss = nn.MSELoss()(xl, tl)
        dx, dt = torch.autograd.grad(loss, [xl, tl])
        w.case(cid, "mse", {"x": x, "target": t, "loss": loss, "dx": dx, "dtarget": dt}, reduction="mean")


def activation_cases(w):
    specials = torch.tensor([0.0, 1e-3, -1e-3, 6.0, -6.0, 1.0, -1.0, 0.5, -0.5, 0.0])
    x = torch.cat([specials, uniform((38,), -4, 4)]).to(torch.float32).reshape(2, 3, 2, 4)
    for cid, layer, a, m in [("leaky_relu_0.2", "leaky_relu", 0.2, nn.LeakyReLU(float(numpy.float32(0.2)))),  # cnn4j gets 0.2f
                             ("elu_1", "elu", 1.0, nn.ELU(1.0)),
                             ("gelu", "gelu", None, nn.GELU()),
                             ("relu", "relu", None, nn.ReLU()),
                             ("sigmoid", "sigmoid", None, nn.Sigmoid()),
                             ("tanh", "tanh", None, nn.Tanh())]:
        tensors = {"x": x}
        tensors.update(run(m.double(), x))
        keys = {} if a is None else {"a": float(numpy.float32(a))}
        w.case(cid, layer, tensors, **keys)


def sequential_cases(w):
    m = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3 * 3 * 3, 4))
    layer_case(w, "seq_conv_relu_pool_flatten_linear", "sequential", m, (2, 2, 6, 6),
               layers="conv2d+relu+max_pool2d+flatten+linear")


def main():
    w = Writer()
    conv2d_cases(w)
    conv3d_cases(w)
    conv_transpose_cases(w)
    pool_cases(w)
    batch_norm_cases(w)
    linear_cases(w)
    softmax_cases(w)
    loss_cases(w)
    activation_cases(w)
    sequential_cases(w)
    w.write("layers.txt", HEADER.format(version=torch.__version__))


if __name__ == "__main__":
    main()
