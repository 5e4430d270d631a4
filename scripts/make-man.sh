#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the man page deeprelax.1 from the binary's own --help texts (Debian's help2man for the
# page, one section per subcommand from `deeprelax CMD --help`), so the page is the help.
# Usage: scripts/make-man.sh BINARY OUT.1
set -e
bin=$1 out=$2
inc=$(mktemp); trap 'rm -f "$inc" "$out.tmp"' EXIT
{
    echo "[DESCRIPTION]"
    echo "deeprelax computes the PDE view of deep-learning optimisation on 1-D and 2-D loss"
    echo "landscapes: local entropy as the viscous Hamilton-Jacobi solution (Cole-Hopf and finite"
    echo "differences), its inviscid limit by the Hopf-Lax formula, semi-concavity, minimum"
    echo "widening, Entropy-SGD and related optimisers, and a small MLP trainer."
    echo
    echo "[SUBCOMMANDS]"
    for cmd in $("$bin" --help | awk '/^  [a-z]/ {print $1}'); do
        echo ".SS $cmd"
        echo ".nf"
        "$bin" "$cmd" --help | sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\&'/"
        echo ".fi"
    done
    echo
    echo "[EXIT STATUS]"
    echo "0 on success, 2 for usage errors (bad option, number, expression, name), 1 for failures."
    echo
    echo "[SEE ALSO]"
    echo "Chaudhari, Oberman, Osher, Soatto and Carlier, Deep relaxation: partial differential"
    echo "equations for optimizing deep neural networks, Research in the Mathematical Sciences 5, 30 (2018)."
} >"$inc"
help2man --no-info --no-discard-stderr --name="the PDE view of deep-learning optimisation" \
    --include="$inc" --output="$out.tmp" "$bin"
mv "$out.tmp" "$out"
