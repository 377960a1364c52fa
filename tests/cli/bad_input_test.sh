#!/usr/bin/env bash
# Bad input must give exactly one line on stderr, naming the problem, and exit code 2.
#   bad_input_test.sh SLIMBENCH CASE
set -uo pipefail
slimbench=$1
case_name=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fmnist=${SLIMBENCH_FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}

# A directory holding the four IDX files of Fashion-MNIST, one of them replaced.
idx_dir_with() {  # $1: file to replace, $2: command that writes the replacement to stdout
  mkdir -p "$work/idx"
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    gzip -dc "$fmnist/$f.gz" > "$work/idx/$f"
  done
  eval "$2" > "$work/idx/$1.new" && mv "$work/idx/$1.new" "$work/idx/$1"
}

small_checkpoint() {
  "$slimbench" train --model lenet-300-100 --dataset synthetic --epochs 0 --out "$work/ok.safetensors" >/dev/null 2>&1 \
    || { echo "FAIL: could not write a checkpoint to corrupt"; exit 1; }
}

expect_error() {  # $1: substring the message must contain; rest: command
  local expected=$1; shift
  "$@" >"$work/stdout" 2>"$work/stderr"
  local rc=$?
  local lines
  lines=$(wc -l < "$work/stderr")
  echo "exit code: $rc"
  echo "stderr: $(cat "$work/stderr")"
  [[ $rc -eq 2 ]] || { echo "FAIL: expected exit code 2"; exit 1; }
  [[ $lines -eq 1 ]] || { echo "FAIL: expected exactly one line on stderr, got $lines"; exit 1; }
  grep -qF -- "$expected" "$work/stderr" || { echo "FAIL: message lacks '$expected'"; exit 1; }
  echo "PASS"
}

case "$case_name" in
  missing_dataset)
    SLIMBENCH_FASHION_MNIST_DIR="$work/nowhere" expect_error "apt-get install dataset-fashion-mnist" \
      "$slimbench" train --model lenet-5 --out "$work/x.safetensors" ;;
  idx_wrong_magic)
    idx_dir_with train-images-idx3-ubyte "cat '$work/idx/train-labels-idx1-ubyte'"
    expect_error "magic" "$slimbench" train --model lenet-5 --dataset "idx:$work/idx" --out "$work/x.safetensors" ;;
  idx_truncated)
    idx_dir_with t10k-images-idx3-ubyte "head -c 100000 '$work/idx/t10k-images-idx3-ubyte'"
    expect_error "truncated" "$slimbench" train --model lenet-5 --dataset "idx:$work/idx" --out "$work/x.safetensors" ;;
  checkpoint_truncated)
    small_checkpoint
    head -c 5000 "$work/ok.safetensors" > "$work/bad.safetensors"
    expect_error "$work/bad.safetensors" "$slimbench" eval --checkpoint "$work/bad.safetensors" --dataset synthetic ;;
  checkpoint_corrupted)
    small_checkpoint
    cp "$work/ok.safetensors" "$work/bad.safetensors"
    # Overwrite 16 bytes of the JSON header with garbage.
    printf 'XXXXXXXXXXXXXXXX' | dd of="$work/bad.safetensors" bs=1 seek=40 conv=notrunc status=none
    expect_error "$work/bad.safetensors" "$slimbench" eval --checkpoint "$work/bad.safetensors" --dataset synthetic ;;
  checkpoint_missing)
    expect_error "$work/none.safetensors" "$slimbench" eval --checkpoint "$work/none.safetensors" ;;
  unknown_model)
    expect_error "known models: lenet-300-100, lenet-5, resnet-8, mlp-1200, mlp-800" \
      "$slimbench" train --model lenet-7 --dataset synthetic --out "$work/x.safetensors" ;;
  unknown_dataset)
    expect_error "synthetic" "$slimbench" train --model lenet-5 --dataset cifar-10 --out "$work/x.safetensors" ;;
  bad_flag)
    expect_error "--epochs" "$slimbench" train --model lenet-5 --epochs -3 --out "$work/x.safetensors" ;;
  experiment_syntax_error)
    echo '{"name": "x", "model": "lenet-5",}' > "$work/bad.json"
    expect_error "$work/bad.json: not valid JSON" "$slimbench" run "$work/bad.json" ;;
  experiment_bad_recipe)
    echo '{"name": "x", "models": [{"zoo": "lenet-5", "recipe": {"epochs": -1}}], "pipelines": [{"name": "fp32", "steps": []}]}' > "$work/bad.json"
    expect_error "/models/0/recipe/epochs" "$slimbench" run "$work/bad.json" ;;
  experiment_unknown_key)
    echo '{"name": "x", "models": ["lenet-5"], "pipelines": [], "sedes": [1]}' > "$work/bad.json"
    expect_error "/sedes: unknown key 'sedes'; valid keys:" "$slimbench" run "$work/bad.json" ;;
  *)
    echo "unknown case $case_name"; exit 1 ;;
esac
