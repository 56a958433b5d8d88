#!/usr/bin/python3
"""Writes PyTorch reference vectors for the cnn4j optimizer tests.

Run from anywhere with Debian's PyTorch (python3-torch, 1.13):

    /usr/bin/python3 it-tests/src/test/python/make_optim_vectors.py

It writes it-tests/src/test/resources/reference/optim.txt, which OptimizerTrajectoryTest, GradClipTest and
LrSchedulerTest read. Every optimizer trajectory starts from the same two float32 parameters (w [3,4] and b [5])
and is fed the same 12 recorded float32 gradients, set directly as p.grad (no autograd); the parameters are
recorded after every step. The expected values are what PyTorch's float32 single-tensor code path computes
(foreach=False), which is the arithmetic cnn4j reproduces. To show that the test tolerance is about rounding
and not about the algorithm, the script also runs every trajectory in float64 and checks that the float32
trajectory stays within a quarter of the tests' tolerance (atol 1e-6 + rtol 1e-5) of it.

Gradients are not tiny (|g| >= 0.1 before weight decay): Adam and RMSProp divide by sqrt of a running mean of
g^2, which magnifies rounding when it is near zero. Their scale changes from step to step, so that Adam's v
decreases at some steps and AMSGrad's max matters.

The format is documented in the header the script writes (see HEADER below). Never regenerate this file from
cnn4j output.
"""
import math
import sys

import torch

import vectorfile
from vectorfile import fmt_tensor, fmt_value

HEADER = """\
# cnn4j optimizer reference vectors, computed by PyTorch {version} with make_optim_vectors.py (do not edit by hand).
#
# Format (line based, '#' starts a comment line, tokens separated by single spaces), as ops.txt:
#   case <id> <kind> [<key>=<value> ...]    starts a case; <id> is unique
#   tensor <role> <shape> <v0> <v1> ...     one tensor of the case, row-major values
#   end                                     closes the case
# <shape>: comma-separated extents ("3,4"), or "scalar" for rank 0
# <v>:     float32 as the shortest decimal that parses back to the same float32, or nan, inf, -inf
# Key values are Python reprs of doubles ("0.9"), integers, "true"/"false", or comma-separated lists.
#
# <kind> and its keys and tensors:
#   trajectory   opt=sgd|adagrad|rmsprop|adam|adamw, steps=<int>, and the optimizer's defaults under
#                PyTorch's option names (lr momentum dampening nesterov weight_decay lr_decay
#                initial_accumulator_value eps alpha centered beta1 beta2 amsgrad); two parameters, w (index 0,
#                group 0) and b (index 1, group 1 when groups=2 else group 0). Optional keys:
#                  groups=2                 w and b are in separate parameter groups
#                  group1.<option>=<value>  an override of the second group
#                  nograd1=<s>,<s>,...      steps (from 1) at which b has no gradient (p.grad = None)
#                starts from the inputs of the case trajectory_inputs; tensors p0_after_<s>, p1_after_<s>
#                (the parameters after step s = 1..steps)
#   inputs       (one case, id trajectory_inputs, shared by every trajectory) tensors p0_init, p1_init and,
#                for each step s = 1..12, p0_grad_<s>, p1_grad_<s>: the gradient set before step s
#   clip_norm    max_norm=<double> norm_type=2|inf [nograd1=true]; tensors g0, g1 (g1 absent when nograd1),
#                total (scalar: the norm returned), g0_out, g1_out (the clipped gradients)
#   clip_value   clip_value=<double>; tensors g0, g1, g0_out, g1_out
#   lr_schedule  sched=step|multistep|exponential|cosine|linear|plateau and its arguments (step_size, gamma,
#                milestones, t_max, eta_min, start_factor, end_factor, total_iters; plateau: factor, patience,
#                threshold, cooldown, min_lr, mode min, threshold_mode rel), base_lr0, base_lr1 (two groups of
#                one SGD optimizer), epochs=<int>; tensors lr0, lr1 [epochs + 1]: the learning rate of each
#                group after construction and after each of the epochs scheduler steps; plateau also has
#                metric [epochs], the value passed to step(metric) at each epoch
"""

GEN = torch.Generator().manual_seed(20240613)
STEPS = 12
SHAPES = [(3, 4), (5,)]
# Per-step scale of the gradients: they grow and shrink, so that Adam's v decreases at some steps.
SCALES = [1.0, 1.5, 0.4, 0.3, 1.2, 0.25, 0.3, 1.0, 0.2, 0.5, 0.2, 0.8]
ATOL, RTOL = 1e-6, 1e-5


def fmt_key(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return ",".join(fmt_key(x) for x in v)
    if isinstance(v, str):
        return v
    return repr(v)


class Writer(vectorfile.Writer):
    """Keys here use Python reprs (floats as Python writes them, nested sequences) and '__' for '.' in names."""

    def case(self, case_id, kind, tensors, **keys):
        text = ""
        if keys:
            text = " " + " ".join("%s=%s" % (k.replace("__", "."), fmt_key(v)) for k, v in keys.items())
        self.head(case_id, kind, text)
        for role, t in tensors:
            self.lines.append(fmt_tensor(role, t))
        self.lines.append("end")


def uniform(shape, low, high):
    return (torch.rand(shape, generator=GEN, dtype=torch.float64) * (high - low) + low).to(torch.float32)


def gradient(shape, scale):
    """Random signs, magnitudes in [0.5, 1] * scale (never below 0.1)."""
    mag = uniform(shape, 0.5, 1.0) * scale
    sign = torch.where(torch.rand(shape, generator=GEN) < 0.5, -1.0, 1.0)
    return (mag * sign).to(torch.float32)


INIT = [uniform(s, -1, 1) for s in SHAPES]
GRADS = [[gradient(s, SCALES[k]) for s in SHAPES] for k in range(STEPS)]


# ---- optimizer trajectories --------------------------------------------------------------------------

def make_optimizer(opt, params, options, groups, group1):
    if groups == 2:
        pg = [{"params": [params[0]]}, dict({"params": [params[1]]}, **group1)]
    else:
        pg = [{"params": params}]
    o = dict(options)
    if opt == "sgd":
        return torch.optim.SGD(pg, lr=o["lr"], momentum=o["momentum"], dampening=o["dampening"],
                               weight_decay=o["weight_decay"], nesterov=o["nesterov"], foreach=False)
    if opt == "adagrad":
        return torch.optim.Adagrad(pg, lr=o["lr"], lr_decay=o["lr_decay"], weight_decay=o["weight_decay"],
                                   initial_accumulator_value=o["initial_accumulator_value"], eps=o["eps"],
                                   foreach=False)
    if opt == "rmsprop":
        return torch.optim.RMSprop(pg, lr=o["lr"], alpha=o["alpha"], eps=o["eps"], weight_decay=o["weight_decay"],
                                   momentum=o["momentum"], centered=o["centered"], foreach=False)
    cls = torch.optim.Adam if opt == "adam" else torch.optim.AdamW
    return cls(pg, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["eps"], weight_decay=o["weight_decay"],
               amsgrad=o["amsgrad"], foreach=False)


def run_trajectory(opt, options, groups, group1, nograd1, dtype):
    params = [p.clone().to(dtype).requires_grad_(True) for p in INIT]
    o = make_optimizer(opt, params, options, groups, group1)
    after = []
    for k in range(STEPS):
        for i, p in enumerate(params):
            p.grad = None if (i == 1 and (k + 1) in nograd1) else GRADS[k][i].clone().to(dtype)
        o.step()
        after.append([p.detach().clone() for p in params])
    return after


DEFAULTS = {
    "sgd": dict(momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False),
    "adagrad": dict(lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10),
    "rmsprop": dict(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False),
    "adam": dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=False),
    "adamw": dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2, amsgrad=False),
}

TRAJECTORIES = [
    ("sgd_plain", "sgd", dict(lr=0.1), {}),
    ("sgd_momentum", "sgd", dict(lr=0.1, momentum=0.9), {}),
    ("sgd_momentum_dampening", "sgd", dict(lr=0.1, momentum=0.9, dampening=0.5), {}),
    ("sgd_nesterov", "sgd", dict(lr=0.1, momentum=0.9, nesterov=True), {}),
    ("sgd_weight_decay", "sgd", dict(lr=0.1, weight_decay=0.1), {}),
    ("sgd_momentum_weight_decay", "sgd", dict(lr=0.05, momentum=0.8, weight_decay=0.2), {}),
    ("adagrad_plain", "adagrad", dict(lr=0.1), {}),
    ("adagrad_decay_wd_init", "adagrad",
     dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.5), {}),
    ("rmsprop_plain", "rmsprop", dict(lr=0.01), {}),
    ("rmsprop_momentum", "rmsprop", dict(lr=0.01, alpha=0.9, momentum=0.8), {}),
    ("rmsprop_centered", "rmsprop", dict(lr=0.01, alpha=0.9, centered=True), {}),
    ("rmsprop_centered_momentum_wd", "rmsprop",
     dict(lr=0.01, alpha=0.9, centered=True, momentum=0.7, weight_decay=0.1), {}),
    ("adam_plain", "adam", dict(lr=0.05, beta2=0.99), {}),
    ("adam_amsgrad", "adam", dict(lr=0.05, beta2=0.99, amsgrad=True), {}),
    ("adam_weight_decay", "adam", dict(lr=0.05, beta2=0.99, weight_decay=0.1), {}),
    ("adam_default", "adam", dict(), {}),
    ("adamw_plain", "adamw", dict(lr=0.05, beta2=0.99, weight_decay=0.1), {}),
    ("adamw_amsgrad", "adamw", dict(lr=0.05, beta2=0.99, weight_decay=0.1, amsgrad=True), {}),
    ("adamw_default", "adamw", dict(), {}),
    # parameter groups: the second with no weight decay and another lr
    ("sgd_groups", "sgd", dict(lr=0.05, momentum=0.9, weight_decay=0.1),
     dict(groups=2, group1=dict(lr=0.2, weight_decay=0.0))),
    ("adamw_groups", "adamw", dict(lr=0.05, beta2=0.99, weight_decay=0.1),
     dict(groups=2, group1=dict(lr=0.01, weight_decay=0.0))),
    ("adam_groups", "adam", dict(lr=0.05, beta2=0.99, weight_decay=0.1),
     dict(groups=2, group1=dict(lr=0.02, weight_decay=0.0, amsgrad=True))),
    # a parameter without a gradient at some steps is skipped and keeps its own step count
    ("sgd_momentum_nograd", "sgd", dict(lr=0.1, momentum=0.9), dict(nograd1=[1, 2, 5])),
    ("adam_nograd", "adam", dict(lr=0.05, beta2=0.99), dict(nograd1=[3, 4, 9])),
    ("adagrad_nograd", "adagrad", dict(lr=0.1, lr_decay=0.05), dict(nograd1=[2, 6, 7])),
]


def trajectory_cases(w):
    tensors = [("p0_init", INIT[0]), ("p1_init", INIT[1])]
    for k in range(STEPS):
        for i in range(2):
            tensors.append(("p%d_grad_%d" % (i, k + 1), GRADS[k][i]))
    w.case("trajectory_inputs", "inputs", tensors)
    worst = 0.0
    for case_id, opt, overrides, extra in TRAJECTORIES:
        options = dict(lr=overrides["lr"]) if opt == "sgd" else {}
        options.update(DEFAULTS[opt])
        options.update(overrides)
        groups = extra.get("groups", 1)
        group1 = extra.get("group1", {})
        nograd1 = extra.get("nograd1", [])
        after32 = run_trajectory(opt, options, groups, group1, nograd1, torch.float32)
        after64 = run_trajectory(opt, options, groups, group1, nograd1, torch.float64)
        for a32, a64 in zip(after32, after64):
            for x, y in zip(a32, a64):
                ratio = ((x.double() - y).abs() / (ATOL + RTOL * y.abs())).max().item()
                worst = max(worst, ratio)
                assert ratio < 0.25, (case_id, ratio)
        tensors = []
        for k in range(STEPS):
            for i in range(2):
                tensors.append(("p%d_after_%d" % (i, k + 1), after32[k][i]))
        keys = dict(opt=opt, steps=STEPS)
        keys.update(options)
        if groups == 2:
            keys["groups"] = 2
            for k, v in group1.items():
                keys["group1__" + k] = v
        if nograd1:
            keys["nograd1"] = nograd1
        w.case(case_id, "trajectory", tensors, **keys)
    print("trajectories: float32 vs float64 worst |diff| / (atol + rtol |ref|) = %.3f" % worst, file=sys.stderr)


# ---- gradient clipping -------------------------------------------------------------------------------

def clip_cases(w):
    for case_id, max_norm, norm_type, nograd1 in [
            ("clip_norm2_active", 1.0, 2.0, False),
            ("clip_norm2_inactive", 100.0, 2.0, False),
            ("clip_norminf_active", 0.5, math.inf, False),
            ("clip_norminf_inactive", 10.0, math.inf, False),
            ("clip_norm2_nograd", 0.75, 2.0, True),
            ("clip_norminf_nograd", 0.25, math.inf, True)]:
        g = [torch.randn(s, generator=GEN).to(torch.float32) for s in SHAPES]
        params = [torch.zeros(s, requires_grad=True) for s in SHAPES]
        params[0].grad = g[0].clone()
        if not nograd1:
            params[1].grad = g[1].clone()
        total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
        tensors = [("g0", g[0])]
        if not nograd1:
            tensors.append(("g1", g[1]))
        tensors += [("total", total), ("g0_out", params[0].grad)]
        if not nograd1:
            tensors.append(("g1_out", params[1].grad))
        keys = dict(max_norm=max_norm, norm_type="inf" if math.isinf(norm_type) else 2)
        if nograd1:
            keys["nograd1"] = True
        w.case(case_id, "clip_norm", tensors, **keys)
    g = [torch.randn(s, generator=GEN).to(torch.float32) * 0.5 for s in SHAPES]
    params = [torch.zeros(s, requires_grad=True) for s in SHAPES]
    for p, x in zip(params, g):
        p.grad = x.clone()
    torch.nn.utils.clip_grad_value_(params, 0.3)
    w.case("clip_value", "clip_value", [("g0", g[0]), ("g1", g[1]), ("g0_out", params[0].grad),
                                         ("g1_out", params[1].grad)], clip_value=0.3)


# ---- learning-rate schedules -------------------------------------------------------------------------

EPOCHS = 15
BASE = (0.1, 0.02)


def schedule(make, metrics=None):
    params = [torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)]
    opt = torch.optim.SGD([{"params": [params[0]], "lr": BASE[0]}, {"params": [params[1]], "lr": BASE[1]}], lr=BASE[0])
    sched = make(opt)
    lrs = [[g["lr"] for g in opt.param_groups]]
    for e in range(EPOCHS):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(float(metrics[e]))
        lrs.append([g["lr"] for g in opt.param_groups])
    return [torch.tensor([lr[i] for lr in lrs], dtype=torch.float64) for i in range(2)]


def schedule_cases(w):
    S = torch.optim.lr_scheduler
    common = dict(base_lr0=BASE[0], base_lr1=BASE[1], epochs=EPOCHS)
    for case_id, keys, make in [
            ("steplr", dict(sched="step", step_size=4, gamma=0.5), lambda o: S.StepLR(o, 4, 0.5)),
            ("multisteplr", dict(sched="multistep", milestones=[3, 7, 11], gamma=0.3),
             lambda o: S.MultiStepLR(o, [3, 7, 11], 0.3)),
            ("exponentiallr", dict(sched="exponential", gamma=0.8), lambda o: S.ExponentialLR(o, 0.8)),
            ("cosinelr", dict(sched="cosine", t_max=10, eta_min=0.001),
             lambda o: S.CosineAnnealingLR(o, 10, eta_min=0.001)),
            ("cosinelr_etamin0", dict(sched="cosine", t_max=15, eta_min=0.0), lambda o: S.CosineAnnealingLR(o, 15)),
            ("linearlr", dict(sched="linear", start_factor=0.25, end_factor=1.0, total_iters=5),
             lambda o: S.LinearLR(o, 0.25, 1.0, 5)),
            ("linearlr_decay", dict(sched="linear", start_factor=1.0, end_factor=0.1, total_iters=8),
             lambda o: S.LinearLR(o, 1.0, 0.1, 8))]:
        lr0, lr1 = schedule(make)
        keys.update(common)
        w.case(case_id, "lr_schedule", [("lr0", lr0), ("lr1", lr1)], **keys)
    # plateau: improvements, a plateau (relative threshold), cooldown, and the second group stopping at min_lr
    metric = torch.tensor([1.0, 0.9, 0.8, 0.795, 0.81, 0.79, 0.8, 0.78, 0.7, 0.7, 0.71, 0.72, 0.69, 0.695, 0.7],
                          dtype=torch.float32)
    # 0.895 is not better than 0.9 with threshold 0.01 (needs < 0.891); long plateaus drive lr1 down to min_lr
    plateau_metric = torch.tensor([1.0, 0.9, 0.895, 0.9, 0.9, 0.85, 0.85, 0.85, 0.85, 0.85, 0.84, 0.845, 0.85, 0.85,
                                   0.85], dtype=torch.float32)
    for case_id, args in [
            ("plateau", dict(factor=0.5, patience=1, threshold=0.01, cooldown=1, min_lr=0.004)),
            ("plateau_no_cooldown", dict(factor=0.2, patience=1, threshold=0.0001, cooldown=0, min_lr=0.0)),
            ("plateau_defaults", dict(factor=0.1, patience=10, threshold=0.0001, cooldown=0, min_lr=0.0))]:
        m = {"plateau": plateau_metric, "plateau_no_cooldown": metric,
             "plateau_defaults": torch.full((EPOCHS,), 0.5, dtype=torch.float32)}[case_id]
        lr0, lr1 = schedule(lambda o: S.ReduceLROnPlateau(o, mode="min", factor=args["factor"],
                                                          patience=args["patience"], threshold=args["threshold"],
                                                          threshold_mode="rel", cooldown=args["cooldown"],
                                                          min_lr=args["min_lr"]), m.tolist())
        keys = dict(sched="plateau", **args)
        keys.update(common)
        w.case(case_id, "lr_schedule", [("metric", m), ("lr0", lr0), ("lr1", lr1)], **keys)


def main():
    torch.manual_seed(20240613)
    w = Writer()
    trajectory_cases(w)
    clip_cases(w)
    schedule_cases(w)
    assert sum(len(line) + 1 for line in w.lines) < 150_000, "optim.txt must stay small"
    w.write("optim.txt", HEADER.format(version=torch.__version__))


if __name__ == "__main__":
    main()
