#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Claim: Entropy-SGD is gradient descent on the viscous HJ solution u(., gamma), HJ its
# noise-free (proximal) version, and both escape the poor basins that trap SGD. On the toy, from
# x0 = 2.5: one particle of entropy-sgd, hj, pde-gd (descent on u from the grid solver) and gd,
# side by side (trajectories.png); then 100 particles of each optimiser and the fraction that
# ends in each basin (basins.txt, basins.csv). 2-D: entropy-sgd paths on sharp-wide2d over the
# landscape (paths2d.png). Needs `deeprelax particles`.
. "$(dirname "$0")/common.sh"
D=$(outdir particles)
skip_without particles "the particle methods"
for algo in entropy-sgd hj pde-gd gd; do
    beta=1 eta=0.05
    [ "$algo" = hj ] && beta=inf
    # plain gd with eta = 0.05 would oscillate: eta C = 3 > 2 on the toy's curvature C = 61
    [ "$algo" = gd ] && eta=0.01 beta=inf  # gd has no temperature: --beta 1 would be refused
    dr particles --landscape paper1d --algo $algo --beta $beta --eta $eta --x0 2.5 --steps 200 \
        --out "$D/path-$algo.csv" >/dev/null
done
# one table step,entropy_sgd,hj,pde_gd,gd (same steps in every file) for a labelled plot
{
    echo "step,entropy_sgd,hj,pde_gd,gd"
    paste -d, "$D/path-entropy-sgd.csv" "$D/path-hj.csv" "$D/path-pde-gd.csv" "$D/path-gd.csv" |
        awk -F, 'NR > 1 { print $2 "," $3 "," $7 "," $11 "," $15 }'
} > "$D/trajectories.csv"
dr plot "$D/trajectories.csv" --kind lines --x step \
    --title "paper1d from x0 = 2.5: x against step" --png "$D/trajectories.png"
echo "algorithm,basin_minimiser,fraction,global" > "$D/basins.csv"
for spec in "sgd --sigma 0.5" "langevin" "entropy-sgd" "hj --beta inf" "elastic-sgd"; do
    set -- $spec
    dr particles --landscape paper1d --algo $spec --x0 2.5 --particles 100 --steps 200 --json \
        --out "$D/ensemble-$1.csv" > "$D/ensemble-$1.json"
    /usr/bin/python3 - "$1" "$D/ensemble-$1.json" >> "$D/basins.csv" <<'PY'
import json, sys
for b in json.load(open(sys.argv[2]))["basins"]:
    print(f'{sys.argv[1]},{b["minimiser"][0]:.4g},{b["fraction"]:.3g},{int(b["global"])}')
PY
done
column -s, -t "$D/basins.csv" > "$D/basins.txt" 2>/dev/null || cp "$D/basins.csv" "$D/basins.txt"
cat "$D/basins.txt"
dr plot "$D/ensemble-entropy-sgd.csv" --png "$D/ensemble-entropy-sgd.png"
dr plot "$D/ensemble-sgd.csv" --png "$D/ensemble-sgd.png"
dr particles --landscape sharp-wide2d --algo entropy-sgd --x0 -1.5,0.3 --particles 8 \
    --spread 0.3 --steps 200 --gamma 0.5 --out "$D/paths2d.csv" >/dev/null
dr plot "$D/paths2d.csv" --landscape sharp-wide2d --png "$D/paths2d.png"
