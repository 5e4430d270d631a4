#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian packages deeprelax needs, only those that are missing.
# Idempotent: when everything is present it prints nothing and touches nothing.
# Usage: scripts/install-deps.sh [build|test|bench|all]   (default: test)
set -e
want=${1:-test}

build="gcc libc6-dev make pkg-config libfftw3-dev libgsl-dev libpng-dev zlib1g-dev libmatheval-dev libopenblas-dev libopenblas0-openmp help2man"
run="gnuplot-nox"
test="libcmocka-dev python3-numpy python3-pytest man-db bash-completion python3-matplotlib python3-nbclient python3-nbformat python3-ipykernel jupyter-nbconvert python3-ipywidgets openmpi-bin libopenmpi-dev chromium chromium-driver python3-selenium"
bench="python3-numpy python3-scipy python3-torch"

case "$want" in
    build) pkgs="$build" ;;
    demo)  pkgs="$build $run" ;;
    test)  pkgs="$build $run $test" ;;
    bench) pkgs="$build $run $test $bench" ;;
    all)   pkgs="$build $run $test $bench dataset-fashion-mnist clang" ;;
    *) echo "install-deps.sh: unknown set '$want' (build|demo|test|bench|all)" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "install-deps.sh: installing$missing" >&2
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
