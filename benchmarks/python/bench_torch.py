#!/usr/bin/python3
"""PyTorch twin of org.cnn4j.benchmarks.SideBySide: the same workloads, arguments and JSON line.

    /usr/bin/python3 benchmarks/python/bench_torch.py WORKLOAD[,WORKLOAD...] [--device cpu] [--reps R]
        [--warmup W] [--warmup-time S] [--min-time S] [--threads T] [--openblas-threads B] [--tiny] [--list]

Prints one JSON line per workload on standard output: impl, workload, device, device_name, unit, median,
min, max, samples, reps, warmup, warmup_s, runs_per_rep, work_per_run, shape, threads, tiny, last_value, settings.
Throughput is images/s for training and inference, GFLOP/s for convolution (2 N K Ho Wo C k k per
forward, 3 forwards for forward+backward) and SGEMM (2 n^3), Melem/s of input elements for the op-level
workloads on [64, 32, 28, 28] (max pooling 2x2, batch norm in training mode, dropout p=0.5 in training mode, ReLU;
forward, or forward+backward with a fixed random output gradient, as Workloads.Layer).

PyTorch gets its best configuration on this machine (see BENCHMARKING.md), stated under "settings":
torch.set_num_threads(T) (T = the usable cores by default), GLIBC_TUNABLES that stop glibc from returning
large blocks to the OS after every call, and OpenBLAS limited to 1 thread so that it does not fight
PyTorch's OpenMP threads (sgemm workloads, which use nothing but BLAS, give it T threads instead). The
environment variables must be set before the process starts, so the script re-executes itself with them.
OPENBLAS_CORETYPE is left as the environment sets it. Timing is the same as SideBySide's: the first
invocation sizes a repetition to last at least --min-time seconds, W warm-up repetitions re-size it, then
R timed repetitions give one throughput sample each.
"""
import json
import math
import os
import subprocess
import sys
import time

GLIBC_TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"
CONV_SHAPES = [  # (N, C, H, W, K, k, stride, pad): conv1 .. conv5
    (64, 1, 28, 28, 32, 3, 1, 1),
    (64, 32, 14, 14, 64, 3, 1, 1),
    (32, 64, 32, 32, 64, 3, 1, 1),
    (32, 3, 32, 32, 16, 5, 1, 2),
    (32, 64, 32, 32, 128, 3, 2, 1),
]
LAYER_SHAPE, LAYER_SHAPE_TINY = (64, 32, 28, 28), (2, 4, 8, 8)  # as Workloads.LAYER_SHAPE(_TINY)
LAYER_OPS = ["maxpool", "maxpool_fb", "bn_fb", "dropout", "dropout_fb", "relu", "relu_fb"]  # as Workloads.LAYER_OPS
NAMES = (["train64", "train256", "infer256"] + ["conv%d" % i for i in range(1, 6)]
         + ["conv%d_fb" % i for i in range(1, 6)] + ["sgemm1024", "sgemm2048"] + LAYER_OPS)
USAGE = ("usage: bench_torch.py WORKLOAD[,WORKLOAD...] [--device cpu] [--reps R] [--warmup W] [--warmup-time SECONDS] "
         "[--min-time SECONDS] "
         "[--threads T] [--openblas-threads B] [--tiny] [--list]")


def usage_error(message):
    print("bench_torch.py: " + message, file=sys.stderr)
    print(USAGE, file=sys.stderr)
    print("workloads: " + " ".join(NAMES), file=sys.stderr)
    sys.exit(2)


def parse(argv):
    o = {"workloads": None, "device": "cpu", "reps": None, "warmup": None, "warmup_time": None, "min_time": None, "tiny": False,
         "threads": len(os.sched_getaffinity(0)), "openblas_threads": None}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--tiny":
            o["tiny"] = True
        elif a in ("--device", "--reps", "--warmup", "--warmup-time", "--min-time", "--threads", "--openblas-threads"):
            if i + 1 >= len(argv):
                usage_error(a + " needs a value")
            v = argv[i + 1]
            i += 1
            key = a[2:].replace("-", "_")
            if key == "device":
                o[key] = v
            else:
                try:
                    n = float(v) if key in ("min_time", "warmup_time") else int(v)
                except ValueError:
                    n = -1
                if n < (1 if key in ("reps", "threads", "openblas_threads") else 0):
                    usage_error("%s must be a number >= %d, but got '%s'"
                                % (a, 1 if key in ("reps", "threads", "openblas_threads") else 0, v))
                o[key] = n
        elif a.startswith("--") or o["workloads"] is not None:
            usage_error("unknown or repeated argument '%s'" % a)
        else:
            o["workloads"] = a.split(",")
            for w in o["workloads"]:
                if w not in NAMES:
                    usage_error("workload must be one of %s, but got '%s'" % (NAMES, w))
        i += 1
    if o["workloads"] is None:
        usage_error("a workload name is required")
    if o["device"] != "cpu":
        print("bench_torch.py: device '%s' is not available here: this PyTorch build runs on the CPU only"
              % o["device"], file=sys.stderr)
        sys.exit(3)
    tiny = o["tiny"]
    o["reps"] = o["reps"] if o["reps"] is not None else (2 if tiny else 5)
    o["warmup"] = o["warmup"] if o["warmup"] is not None else (1 if tiny else 2)
    o["min_time"] = o["min_time"] if o["min_time"] is not None else (0.01 if tiny else 0.5)
    o["warmup_time"] = o["warmup_time"] if o["warmup_time"] is not None else (0 if tiny else 5)
    return o


def openblas_threads_for(name, o):
    """1 next to PyTorch's OpenMP threads; all of them where BLAS is the only thing running (sgemm)."""
    if o["openblas_threads"] is not None:
        return o["openblas_threads"]
    return o["threads"] if name.startswith("sgemm") else 1


def ensure_environment(argv, o):
    """Re-executes with the environment PyTorch needs (set before import), one process per OpenBLAS setting."""
    groups = []
    for w in o["workloads"]:
        b = openblas_threads_for(w, o)
        if groups and groups[-1][0] == b:
            groups[-1][1].append(w)
        else:
            groups.append((b, [w]))
    rest = [a for a in argv if a != ",".join(o["workloads"])]
    if len(groups) > 1:  # e.g. train64,sgemm1024: run each group in a child process, in order
        status = 0
        for _, names in groups:
            sys.stdout.flush()
            status = max(status, subprocess.call([sys.executable, os.path.abspath(__file__), ",".join(names)] + rest))
        sys.exit(status)
    wanted = {"GLIBC_TUNABLES": GLIBC_TUNABLES, "OPENBLAS_NUM_THREADS": str(groups[0][0])}
    if any(os.environ.get(k) != v for k, v in wanted.items()):
        env = dict(os.environ)
        env.update(wanted)
        os.execve(sys.executable, [sys.executable, os.path.abspath(__file__)] + argv, env)


def main(argv):
    if "--list" in argv:
        print(" ".join(NAMES))
        return 0
    o = parse(argv)
    ensure_environment(argv, o)

    import torch  # after the environment is set
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(o["threads"])

    class ReferenceCnn(nn.Sequential):
        """The reference CNN, as org.cnn4j.benchmarks.ReferenceCnn (PyTorch's default initialisation)."""

        def __init__(self):
            super().__init__(
                nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32, eps=1e-5, momentum=0.1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64, eps=1e-5, momentum=0.1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Flatten(), nn.Dropout(0.25), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))

    def train_step(batch):
        torch.manual_seed(1)
        model = ReferenceCnn().train()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        x = torch.randn(batch, 1, 28, 28)
        y = torch.arange(batch) % 10

        def run():
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            return loss.item()
        return run, "images/s", batch, "batch %d x 1x28x28" % batch

    def inference(batch):
        torch.manual_seed(1)
        model = ReferenceCnn().eval()
        x = torch.randn(batch, 1, 28, 28)

        def run():
            with torch.inference_mode():
                return model(x).sum().item()
        return run, "images/s", batch, "batch %d x 1x28x28" % batch

    def conv(shape, backward):
        n, c, h, w, k, ks, s, p = shape
        ho, wo = (h + 2 * p - ks) // s + 1, (w + 2 * p - ks) // s + 1
        g = torch.Generator().manual_seed(7)
        x = torch.randn(n, c, h, w, generator=g)
        weight = torch.randn(k, c, ks, ks, generator=g) / math.sqrt(c * ks * ks)
        bias = torch.randn(k, generator=g) * 0.1
        flops = 2.0 * n * k * ho * wo * c * ks * ks
        label = "%dx%dx%dx%d/%dx%dx%d/s%d/p%d" % (n, c, h, w, k, ks, ks, s, p)
        if not backward:
            def run():
                with torch.inference_mode():
                    return F.conv2d(x, weight, bias, s, p).sum().item()
            return run, "GFLOP/s", flops, label
        for t in (x, weight, bias):
            t.requires_grad_(True)
        grad_out = torch.randn(n, k, ho, wo, generator=g)

        def run_fb():
            F.conv2d(x, weight, bias, s, p).backward(grad_out)
            v = weight.grad.sum().item()
            x.grad = weight.grad = bias.grad = None
            return v
        return run_fb, "GFLOP/s", 3 * flops, label

    def sgemm(n):
        g = torch.Generator().manual_seed(11)
        a = torch.randn(n, n, generator=g)
        b = torch.randn(n, n, generator=g)

        def run():
            return torch.mm(a, b).sum().item()
        return run, "GFLOP/s", 2.0 * n ** 3, "%dx%dx%d" % (n, n, n)

    def layer(name, tiny):
        """As Workloads.Layer: one op on a random [64, 32, 28, 28] input; the sum of the output (forward) or of the
        input's gradient (forward+backward) is read back."""
        dims = LAYER_SHAPE_TINY if tiny else LAYER_SHAPE
        g = torch.Generator().manual_seed(13)
        x = torch.randn(*dims, generator=g)
        backward = name.endswith("_fb")
        op = name[:-3] if backward else name
        if op == "maxpool":
            def forward():
                return F.max_pool2d(x, 2, 2)
        elif op == "bn":
            gamma = torch.ones(dims[1], requires_grad=True)
            beta = torch.zeros(dims[1], requires_grad=True)
            running_mean = torch.zeros(dims[1])
            running_var = torch.ones(dims[1])

            def forward():
                return F.batch_norm(x, running_mean, running_var, gamma, beta, training=True, momentum=0.1, eps=1e-5)
        elif op == "dropout":
            def forward():
                return F.dropout(x, 0.5, training=True)
        else:
            def forward():
                return F.relu(x)
        label = "x".join(str(d) for d in dims)
        numel = float(x.numel())
        if not backward:
            def run():
                with torch.inference_mode():
                    return forward().sum().item()
            return run, "Melem/s", numel, label
        x.requires_grad_(True)
        out_dims = (dims[0], dims[1], dims[2] // 2, dims[3] // 2) if op == "maxpool" else dims
        grad_out = torch.randn(*out_dims, generator=g)

        def run_fb():
            forward().backward(grad_out)
            v = x.grad.sum().item()
            x.grad = None
            if op == "bn":
                gamma.grad = beta.grad = None
            return v
        return run_fb, "Melem/s", numel, label

    def named(name, tiny):
        if name in LAYER_OPS:
            return layer(name, tiny)
        if name == "train64":
            return train_step(4 if tiny else 64)
        if name == "train256":
            return train_step(8 if tiny else 256)
        if name == "infer256":
            return inference(8 if tiny else 256)
        if name == "sgemm1024":
            return sgemm(64 if tiny else 1024)
        if name == "sgemm2048":
            return sgemm(96 if tiny else 2048)
        shape = CONV_SHAPES[int(name[4]) - 1]
        if tiny:  # as ConvShape.tiny(): at most 2 images, 4 channels, 8 filters, 8x8
            n, c, h, w, k, ks, s, p = shape
            shape = (min(n, 2), min(c, 4), 8, 8, min(k, 8), ks, s, p)
        return conv(shape, name.endswith("_fb"))

    def runs_for(min_time, runs, nanos):
        per_run = max(nanos, 1) / 1e9 / runs
        return max(1, min(1000000, int(math.ceil(min_time / per_run))))

    def rising(rates):  # as SideBySide.rising: the best of the last 4 rates beats the best before them by 2%
        if len(rates) <= 4:
            return True
        return max(rates[-4:]) > max(rates[:-4]) * 1.02

    def measure(run, work, scale):
        begin = start = time.perf_counter_ns()
        last = run()
        runs = runs_for(o["min_time"], 1, time.perf_counter_ns() - start)
        warmups = 0
        rates = []
        while warmups < o["warmup"] or (o["warmup_time"] > 0 and time.perf_counter_ns() - begin < 60e9 and (
                time.perf_counter_ns() - begin < o["warmup_time"] * 1e9 or rising(rates))):
            start = time.perf_counter_ns()
            for _ in range(runs):
                last = run()
            nanos = time.perf_counter_ns() - start
            rates.append(runs / nanos)
            runs = runs_for(o["min_time"], runs, nanos)
            warmups += 1
        warmup_s = (time.perf_counter_ns() - begin) / 1e9
        samples = []
        for _ in range(o["reps"]):
            start = time.perf_counter_ns()
            for _ in range(runs):
                last = run()
            samples.append(runs * work / ((time.perf_counter_ns() - start) / 1e9) / scale)
        return samples, runs, last, warmups, warmup_s

    def median(values):
        s = sorted(values)
        m = len(s)
        return s[m // 2] if m % 2 == 1 else (s[m // 2 - 1] + s[m // 2]) / 2

    def num(v):
        return float("%.6g" % v) if math.isfinite(v) else None

    def cpu_name():
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "cpu"

    def blas_library():
        """The BLAS shared library this process has mapped (OpenBLAS, or the slow reference BLAS)."""
        try:
            with open("/proc/self/maps") as f:
                libs = sorted({line.split()[-1] for line in f if "blas" in line.split()[-1].lower()})
            return [os.path.realpath(lib) for lib in libs]
        except OSError:
            return []

    settings_common = {
        "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
        "GLIBC_TUNABLES": os.environ.get("GLIBC_TUNABLES"),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "grad_mode": "inference_mode for forward-only work",
        "zero_grad": "set_to_none=True", "optimizer": "torch.optim.Adam(lr=1e-3), default implementation",
        "min_time_s": o["min_time"],
    }
    for name in o["workloads"]:
        run, unit, work, shape = named(name, o["tiny"])
        samples, runs, last, warmups, warmup_s = measure(run, work, {"GFLOP/s": 1e9, "Melem/s": 1e6}.get(unit, 1.0))
        settings = dict(settings_common, blas=blas_library())
        print(json.dumps({
            "impl": "pytorch", "workload": name, "device": "cpu", "device_name": cpu_name(), "unit": unit,
            "median": num(median(samples)), "min": num(min(samples)), "max": num(max(samples)),
            "samples": [num(v) for v in samples], "reps": o["reps"], "warmup": warmups, "warmup_s": num(warmup_s), "runs_per_rep": runs,
            "work_per_run": num(work), "shape": shape, "threads": o["threads"], "tiny": o["tiny"],
            "last_value": num(last), "settings": settings}, separators=(",", ":")), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
