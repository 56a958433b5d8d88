#!/usr/bin/env bash
# Runs every OpenCL kernel once on tiny shapes under Oclgrind (org.cnn4j.kernels.OclgrindSmoke, test scope)
# with its data-race, uninitialised-value and API checks, and fails if Oclgrind reports anything.
#
#   .ci/oclgrind-check.sh            # from the repository root
#   MVN="mvn -q" .ci/oclgrind-check.sh   # online Maven (default: mvn -q -o)
#
# Oclgrind prints one unindented headline per finding on stderr, for example
#   Invalid write of size 4 at global memory address 0x1000000000020
#   Write-write data race at local memory address 0x1000000000002
#   Controlflow depends on uninitialized value
#   Uninitialized value written to global memory address ...
#   Work-group divergence detected (barrier)
#   Oclgrind - OpenCL runtime error detected        (--check-api)
#   OCLGRIND FATAL ERROR (...)                      (e.g. an instruction a plugin cannot check)
# followed by indented detail lines; the log is saved to target/oclgrind/oclgrind.log.
set -euo pipefail

cd "$(dirname "$0")/.."
MVN=${MVN:-mvn -q -o}
OUT=kernels-cl/target/oclgrind
mkdir -p "$OUT"
LOG="$OUT/oclgrind.log"

command -v oclgrind >/dev/null || { echo "oclgrind-check: oclgrind is not installed" >&2; exit 2; }

start=$(date +%s)
$MVN -pl kernels-cl -am test-compile

# Class path: Maven's own answer when the dependency plugin resolves, else the module outputs plus the
# library jars from the local repository at the versions the root POM pins.
CP_FILE="$OUT/classpath.txt"
if $MVN -pl kernels-cl -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
        -Dmdep.outputFile="$PWD/$CP_FILE" >/dev/null 2>&1 && [ -s "$CP_FILE" ]; then
    DEPS=$(cat "$CP_FILE")
else
    REPO=${M2_REPO:-$HOME/.m2/repository}
    prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" pom.xml | head -1; }
    DEPS="runtime/target/classes:runtime/target/test-classes"
    DEPS="$DEPS:$REPO/org/jocl/jocl/$(prop jocl.version)/jocl-$(prop jocl.version).jar"
    DEPS="$DEPS:$REPO/org/slf4j/slf4j-api/$(prop slf4j.version)/slf4j-api-$(prop slf4j.version).jar"
    DEPS="$DEPS:$REPO/ch/qos/logback/logback-classic/$(prop logback.version)/logback-classic-$(prop logback.version).jar"
    DEPS="$DEPS:$REPO/ch/qos/logback/logback-core/$(prop logback.version)/logback-core-$(prop logback.version).jar"
fi
CP="kernels-cl/target/classes:kernels-cl/target/test-classes:$DEPS"

# JOCL 2.0.5 dlopens "libOpenCL.so" by that exact name; where only the ICD loader's libOpenCL.so.1 is
# installed (no ocl-icd-opencl-dev), offer it under that name through LD_LIBRARY_PATH.
if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libOpenCL\.so '; then
    SO1=$(/sbin/ldconfig -p 2>/dev/null | sed -n 's:.*libOpenCL\.so\.1 .*=> \(.*\):\1:p' | head -1)
    if [ -n "$SO1" ]; then
        mkdir -p "$OUT/lib" && ln -sf "$SO1" "$OUT/lib/libOpenCL.so"
        export LD_LIBRARY_PATH="$PWD/$OUT/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    fi
fi

set +e
oclgrind --data-races --uninitialized --check-api \
    java -Dlogback.configurationFile=logback-kernels-test.xml -Dcnn4j.kernelCache=none -cp "$CP" \
    org.cnn4j.kernels.OclgrindSmoke 2> "$LOG"
status=$?
set -e

findings=$(grep -E -i '^[^[:space:]].*(error|invalid|race|uninitiali[sz]ed|divergence|unsupported)' "$LOG" || true)
echo "oclgrind-check: $(( $(date +%s) - start )) s, log $LOG"
if [ "$status" -ne 0 ] || [ -n "$findings" ]; then
    echo "oclgrind-check: FAILED (smoke exit status $status)" >&2
    [ -n "$findings" ] && echo "$findings" | sort | uniq -c | sort -rn | head -20 >&2
    exit 1
fi
echo "oclgrind-check: no Oclgrind findings"
