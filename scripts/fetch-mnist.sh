#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Downloads the four original MNIST files into DIR (default data/mnist, one of the places
# `deeprelax train` looks) and verifies their SHA-256 against the published sums; a file that
# does not match is deleted and the script fails. Already-verified files are not fetched again.
# Usage: scripts/fetch-mnist.sh [DIR]     (MNIST_MIRROR overrides the download base URL)
set -e
dir=${1:-data/mnist}
# The original site (yann.lecun.com) now refuses most downloads; this mirror serves the same files.
base=${MNIST_MIRROR:-https://ossci-datasets.s3.amazonaws.com/mnist}
mkdir -p "$dir"
if command -v curl >/dev/null 2>&1; then get="curl -fsSL -o"
elif command -v wget >/dev/null 2>&1; then get="wget -q -O"
else echo "fetch-mnist.sh: needs curl or wget" >&2; exit 1; fi
status=0
while read -r sum name; do
    f="$dir/$name"
    if [ -f "$f" ] && echo "$sum  $f" | sha256sum -c --status; then
        echo "$name: present, checksum ok"
        continue
    fi
    echo "$name: downloading from $base"
    if ! $get "$f.part" "$base/$name"; then
        echo "fetch-mnist.sh: download of $name failed" >&2; rm -f "$f.part"; status=1; continue
    fi
    if echo "$sum  $f.part" | sha256sum -c --status; then
        mv "$f.part" "$f"; echo "$name: checksum ok"
    else
        echo "fetch-mnist.sh: $name has the wrong SHA-256 (deleted)" >&2; rm -f "$f.part"; status=1
    fi
done <<'SUMS'
440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609 train-images-idx3-ubyte.gz
3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c train-labels-idx1-ubyte.gz
8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6 t10k-images-idx3-ubyte.gz
f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6 t10k-labels-idx1-ubyte.gz
SUMS
[ $status -eq 0 ] && echo "MNIST is in $dir (deeprelax train --data $dir)"
exit $status
