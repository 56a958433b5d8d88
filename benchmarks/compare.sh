#!/usr/bin/env bash
# Times every side-by-side workload with cnn4j (org.cnn4j.benchmarks.SideBySide) and PyTorch
# (benchmarks/python/bench_torch.py, /usr/bin/python3), alternating them A B A B ... for --rounds rounds on
# the same number of threads, and prints a table (workload, cnn4j median [min..max], PyTorch median
# [min..max], ratio cnn4j/PyTorch) and, last, one JSON line with every figure. Each figure pools the
# samples (one per timed repetition) of every round. Progress goes to standard error.
#
#   benchmarks/compare.sh [--rounds N] [--reps R] [--warmup W] [--warmup-time S] [--min-time S] [--threads T]
#                         [--workloads a,b,...] [--opencl] [--batch] [--tiny]
#
#   --rounds N      rounds of alternation (default 5)
#   --reps R, --warmup W, --warmup-time S, --min-time S
#                   passed to both programs (defaults there: 5 reps; 2 warm-ups and at least 5 s of warm-up, in
#                   which the JVM compiles its Vector API kernels; 0.5 s per rep)
#   --threads T     threads for both (default: nproc): -Dcnn4j.cpu.threads=T, torch.set_num_threads(T)
#   --workloads     a comma-separated subset (default: all; SideBySide --list names them)
#   --opencl        also time cnn4j on the OpenCL device (skipped with a message when there is none);
#                   PyTorch runs on the CPU in every case
#   --batch         one process per program and round for all the workloads, instead of one per workload
#                   (faster, less isolated); --tiny implies it
#   --tiny          shrink every size, 2 reps, 1 warm-up, 0.01 s per rep: a smoke test of the whole pipeline
#
# Environment: JAVA (default java), JAVA_OPTS (default -Xms4g -Xmx4g -XX:+AlwaysPreTouch; -Xmx1g with
# --tiny), PYTHON (default /usr/bin/python3). Builds benchmarks/target/benchmarks.jar when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=5
threads=$(nproc)
workloads=""
opencl=false
batch=false
tiny=false
pass=()
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=${2:?--rounds needs a value}; shift ;;
    --reps|--warmup|--warmup-time|--min-time) pass+=("$1" "${2:?$1 needs a value}"); shift ;;
    --threads) threads=${2:?--threads needs a value}; shift ;;
    --workloads) workloads=${2:?--workloads needs a value}; shift ;;
    --opencl) opencl=true ;;
    --batch) batch=true ;;
    --tiny) tiny=true; batch=true; pass+=(--tiny) ;;
    -h|--help) usage 0 ;;
    *) echo "compare.sh: unknown argument '$1'" >&2; usage 2 >&2 ;;
  esac
  shift
done
case "$rounds" in ''|*[!0-9]*|0) echo "compare.sh: --rounds must be an integer >= 1, but got '$rounds'" >&2; exit 2 ;; esac
case "$threads" in ''|*[!0-9]*|0) echo "compare.sh: --threads must be an integer >= 1, but got '$threads'" >&2; exit 2 ;; esac

JAR=benchmarks/target/benchmarks.jar
JAVA=${JAVA:-java}
PYTHON=${PYTHON:-/usr/bin/python3}
if [ -z "${JAVA_OPTS+x}" ]; then
  if $tiny; then JAVA_OPTS="-Xmx1g"; else JAVA_OPTS="-Xms4g -Xmx4g -XX:+AlwaysPreTouch"; fi
fi
if [ ! -f "$JAR" ]; then
  echo "== building $JAR" >&2
  mvn -B -q -pl benchmarks -am package -DskipTests >&2
fi
cnn4j() { # WORKLOADS DEVICE
  # shellcheck disable=SC2086
  "$JAVA" --add-modules jdk.incubator.vector $JAVA_OPTS -Dcnn4j.cpu.threads="$threads" -cp "$JAR" org.cnn4j.benchmarks.SideBySide "$1" --device "$2" "${pass[@]}"
}
[ -n "$workloads" ] || workloads=$(cnn4j --list cpu | tr ' ' ',')

torch=true
if ! "$PYTHON" -c 'import torch' >/dev/null 2>&1; then
  torch=false
  echo "PyTorch: $PYTHON cannot import torch, so the PyTorch side is skipped. Install it with: apt-get install -y python3-torch" >&2
fi
devices=(cpu)
$opencl && devices+=(opencl)

if $batch; then units=("$workloads"); else IFS=',' read -r -a units <<< "$workloads"; fi
results=$(mktemp)
trap 'rm -f "$results"' EXIT
failed=0
summary() { # the figures of JSON lines on standard input, for the progress log
  "$PYTHON" -c 'import json,sys
for l in sys.stdin:
    if l.startswith("{"):
        j = json.loads(l); print("   %-10s %-8s %-8s median %10.4g %s [%.4g..%.4g]" % (j["workload"], j["impl"], j["device"], j["median"], j["unit"], j["min"], j["max"]))' >&2
}
for ((r = 1; r <= rounds; r++)); do
  for unit in "${units[@]}"; do
    for dev in "${devices[@]}"; do
      echo "== round $r/$rounds: cnn4j $dev: $unit" >&2
      set +e; out=$(cnn4j "$unit" "$dev"); rc=$?; set -e
      if [ $rc -eq 3 ]; then
        echo "cnn4j: device '$dev' is not available here; skipped" >&2
        left=(); for d in "${devices[@]}"; do [ "$d" = "$dev" ] || left+=("$d"); done; devices=("${left[@]}")
        continue
      elif [ $rc -ne 0 ]; then
        echo "cnn4j: $unit on $dev failed (exit $rc)" >&2; failed=1
      fi
      printf '%s\n' "$out" | grep '^{' >> "$results" || true
      printf '%s\n' "$out" | summary
    done
    if $torch; then
      echo "== round $r/$rounds: PyTorch cpu: $unit" >&2
      set +e; out=$("$PYTHON" benchmarks/python/bench_torch.py "$unit" --threads "$threads" "${pass[@]}"); rc=$?; set -e
      if [ $rc -ne 0 ]; then echo "PyTorch: $unit failed (exit $rc)" >&2; failed=1; fi
      printf '%s\n' "$out" | grep '^{' >> "$results" || true
      printf '%s\n' "$out" | summary
    fi
  done
done

"$PYTHON" - "$results" "$rounds" "$threads" "$tiny" "$workloads" <<'EOF'
import json, sys

path, rounds, threads, tiny, order = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "true", sys.argv[5].split(",")
lines = [json.loads(l) for l in open(path) if l.strip()]

def pooled(impl, workload, device=None):
    rows = [j for j in lines if j["impl"] == impl and j["workload"] == workload and (device is None or j["device"] == device)]
    if not rows:
        return None
    s = sorted(v for j in rows for v in j["samples"] if v is not None)
    if not s:
        return None
    m = len(s)
    med = s[m // 2] if m % 2 else (s[m // 2 - 1] + s[m // 2]) / 2
    return {"median": float("%.6g" % med), "min": s[0], "max": s[-1], "samples": len(s), "unit": rows[0]["unit"],
            "shape": rows[0]["shape"], "device_name": rows[0]["device_name"], "settings": rows[0]["settings"]}

def fmt(f):
    return "-" if f is None else "%.4g [%.4g..%.4g]" % (f["median"], f["min"], f["max"])

devices = []
for j in lines:
    if j["impl"] == "cnn4j" and j["device"] not in devices:
        devices.append(j["device"])
table, out = [], []
for w in order:
    torch = pooled("pytorch", w)
    for d in devices or ["cpu"]:
        c = pooled("cnn4j", w, d)
        if c is None and torch is None:
            continue
        ratio = c["median"] / torch["median"] if c and torch and torch["median"] else None
        unit = (c or torch)["unit"]
        table.append((w, d, unit, fmt(c), fmt(torch), "-" if ratio is None else "%.2f" % ratio))
        out.append({"workload": w, "device": d, "unit": unit, "shape": (c or torch)["shape"],
                    "cnn4j": None if c is None else {k: c[k] for k in ("median", "min", "max", "samples")},
                    "pytorch": None if torch is None else {k: torch[k] for k in ("median", "min", "max", "samples")},
                    "ratio": None if ratio is None else float("%.4g" % ratio)})
head = ("workload", "cnn4j device", "unit", "cnn4j median [min..max]", "PyTorch cpu median [min..max]", "cnn4j/PyTorch")
widths = [max(len(str(r[i])) for r in table + [head]) for i in range(len(head))]
for r in [head] + table:
    print("  ".join(str(v).ljust(widths[i]) for i, v in enumerate(r)).rstrip())
torch_settings = next((j["settings"] for j in lines if j["impl"] == "pytorch"), None)
cnn4j_settings = next((j["settings"] for j in lines if j["impl"] == "cnn4j"), None)
blas = (torch_settings or {}).get("blas") or []
if torch_settings and not any("openblas" in b.lower() for b in blas):
    print("note: PyTorch uses the BLAS %s, not OpenBLAS (its Linear layers and sgemm run on it); for PyTorch's best "
          "configuration install OpenBLAS: apt-get install -y libopenblas0-pthread" % blas, file=sys.stderr)
print(json.dumps({"rounds": rounds, "threads": threads, "tiny": tiny, "figure": "median, min and max over the samples of "
                  "every round", "results": out, "cnn4j_settings": cnn4j_settings, "pytorch_settings": torch_settings},
                 separators=(",", ":")))
EOF
exit $failed
