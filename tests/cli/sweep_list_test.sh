#!/usr/bin/env bash
# `slimbench list methods|backends|metrics` names what a sweep file may use, with each
# method's parameters and their defaults; an unknown topic exits 2.
#   sweep_list_test.sh SLIMBENCH
set -euo pipefail
slimbench=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_lines TOPIC PATTERN...: each extended regex must match a line of `list TOPIC`.
expect_lines() {
  local topic=$1; shift
  "$slimbench" list "$topic" >"$work/$topic" || fail "list $topic exited $?"
  echo "== list $topic"
  cat "$work/$topic"
  for pattern in "$@"; do
    grep -qE -- "$pattern" "$work/$topic" || fail "list $topic: no line matches /$pattern/"
  done
}

expect_lines methods '^fp32 ' '^finetune ' '^weight_only ' \
  '^ +bits: integer in \[2, 8\], default 8' \
  '^ +granularity: string \(one of per_tensor, per_channel\), default "per_tensor"' \
  '^ +epochs: integer .*default 1'
# Every int8 GEMM variant of the dispatch table, usable or with the reason it is not.
expect_lines backends '^reference ' '^eigen ' '^openblas ' '^int8 ' '^sparse ' '^best ' \
  '^ +here: OpenBLAS core ' '^ +here: int8 GEMM (amx|avx512_vnni|avx2|scalar) ' \
  '^ +int8 GEMM amx ' '^ +int8 GEMM avx512_vnni ' '^ +int8 GEMM avx2 ' '^ +int8 GEMM scalar +plain'
expect_lines metrics '^accuracy ' '^size ' '^macs ' '^latency ' '^energy '

rc=0
"$slimbench" list nonsense >/dev/null 2>"$work/err" || rc=$?
echo "== list nonsense: exit $rc: $(cat "$work/err")"
[[ $rc -eq 2 ]] || fail "list nonsense: expected exit 2, got $rc"
[[ $(wc -l <"$work/err") -eq 1 ]] || fail "list nonsense: expected one line on stderr"
echo "PASS"
