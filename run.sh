#!/usr/bin/env bash
# Sets up and runs the main job: installs an OpenCL driver (PoCL) when apt-get is available, builds
# cnn4j, and runs the command-line program (arguments are passed on; default: train the reference CNN on
# Fashion-MNIST when it is installed, else on the embedded shapes data set).
set -euo pipefail
cd "$(dirname "$0")"

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  need=()
  # ocl-icd-opencl-dev: JOCL 2.0.5 opens the ICD loader by the name libOpenCL.so, which only this package links
  for pkg in pocl-opencl-icd ocl-icd-libopencl1 ocl-icd-opencl-dev clinfo; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  if [ ${#need[@]} -gt 0 ]; then
    echo "== installing ${need[*]} (OpenCL on the CPU; a GPU driver, if present, is used first)"
    DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" \
      || echo "could not install PoCL; cnn4j will run on its CPU fallback"
  fi
fi

if [ ! -f examples/target/cnn4j.jar ] || [ -n "$(find . -name '*.java' -newer examples/target/cnn4j.jar -print -quit)" ] \
   || [ -n "$(find . -name '*.cl' -newer examples/target/cnn4j.jar -print -quit)" ]; then
  echo "== building (mvn -B -q -DskipTests package)"
  mvn -B -q -ntp -DskipTests package
fi
# --add-modules jdk.incubator.vector: the CPU fallback's Vector API GEMM kernel (it falls back to plain Java without it)
exec java --add-modules jdk.incubator.vector -jar examples/target/cnn4j.jar "$@"
