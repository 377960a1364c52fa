#!/usr/bin/env bash
# Same seed and thread count -> byte-identical checkpoints; another seed -> different.
#   determinism_test.sh SLIMBENCH MODEL
set -euo pipefail
slimbench=$1
model=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
train() {  # $1 seed, $2 output
  "$slimbench" train --model "$model" --dataset synthetic --epochs 1 --seed "$1" --threads 2 \
    --out "$2" >/dev/null 2>&1
}
train 5 "$work/a.safetensors"
train 5 "$work/b.safetensors"
train 6 "$work/c.safetensors"
a=$(sha256sum < "$work/a.safetensors" | cut -c1-64)
b=$(sha256sum < "$work/b.safetensors" | cut -c1-64)
c=$(sha256sum < "$work/c.safetensors" | cut -c1-64)
echo "$model seed 5: $a"
echo "$model seed 5: $b"
echo "$model seed 6: $c"
[[ "$a" == "$b" ]] || { echo "FAIL: the same seed gave different checkpoints"; exit 1; }
[[ "$a" != "$c" ]] || { echo "FAIL: different seeds gave the same checkpoint"; exit 1; }
echo PASS
