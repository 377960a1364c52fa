#!/usr/bin/env bash
# A malformed sweep file must be refused before any work: exit code 2, exactly one line on
# stderr naming the file, the JSON pointer of the offending value and what is wrong (with
# the valid choices for an unknown name), and nothing written anywhere.
#   sweep_bad_input_test.sh SLIMBENCH CASE      (the file is sweeps/bad/CASE.json)
set -euo pipefail
slimbench=$1
case_name=$2
here=$(cd "$(dirname "$0")" && pwd)
file=$here/sweeps/bad/$case_name.json
good=$here/sweeps/tiny.json
work=$(mktemp -d)  # the run's working directory and results: must stay empty
io=$(mktemp -d)    # its stdout and stderr
trap 'rm -rf "$work" "$io"' EXIT

fail() { echo "FAIL [$case_name]: $*" >&2; exit 1; }

# Expectations: the JSON pointer ("" when the error has none), phrases the message must
# contain, and the command's extra arguments. By default the results go to $work/results.
pointer=""
phrases=()
args=(--results-dir "$work/results")
run_file=$file
case "$case_name" in
  syntax_error)
    phrases=("not valid JSON" "line 4") ;;
  missing_key)
    pointer=/models; phrases=("required key 'models' is missing") ;;
  unknown_key)
    pointer=/pipeline
    phrases=("unknown key 'pipeline'" "valid keys: name, description, dataset" "pipelines") ;;
  unknown_method)
    pointer=/pipelines/1/steps/0/method
    phrases=("unknown method 'weight_onyl'" "valid choices: fp32, finetune, weight_only") ;;
  unknown_param)
    pointer=/pipelines/1/steps/0/params/group_size
    phrases=("unknown parameter 'group_size'" "valid parameters: bits, granularity") ;;
  unknown_choice)
    pointer=/pipelines/0/steps/0/params/granularity
    phrases=("unknown value 'per_row'" "valid choices: per_tensor, per_channel") ;;
  wrong_type)
    pointer=/pipelines/1/steps/0/params/bits
    phrases=("expected an integer in [2, 8]" 'got a string "8"') ;;
  negative_bits)
    pointer=/pipelines/1/steps/0/params/bits
    phrases=("-4 is out of range" "[2, 8]") ;;
  negative_bits_in_list)
    pointer=/pipelines/1/steps/0/params/bits/1
    phrases=("-4 is out of range" "[2, 8]") ;;
  empty_grid)
    pointer=/pipelines/1/steps/0/params/bits
    phrases=("an empty list expands to no jobs") ;;
  zip_length_mismatch)
    pointer=/pipelines/1/steps/0/zip/0/1
    phrases=("zip lists must have equal lengths" "'bits' has 3" "'granularity' has 2") ;;
  unknown_backend)
    pointer=/backends/1
    phrases=("unknown backend 'opnblas'" "valid choices: reference, eigen, openblas") ;;
  unknown_model)
    pointer=/models/1/zoo
    phrases=("unknown model 'lenet-7'" "valid choices: lenet-300-100, lenet-5, resnet-8") ;;
  unknown_dataset)
    pointer=/dataset
    phrases=("unknown dataset 'cifar-10'" "fashion-mnist" "synthetic") ;;
  missing_dataset)
    pointer=/dataset; phrases=("/nonexistent/slimbench-dataset-dir" "does not exist") ;;
  missing_checkpoint)
    pointer=/models/0/checkpoint
    phrases=("/nonexistent/slimbench-model.safetensors" "does not exist") ;;
  calibration_too_large)
    pointer=/calibration/size; phrases=("9000000 exceeds the" "training samples") ;;
  duplicate_pipeline)
    pointer=/pipelines/1; phrases=("expands to the same job as /pipelines/0") ;;
  duplicate_seed)
    pointer=/seeds; phrases=("seeds repeat") ;;
  unsafe_name)
    pointer=/name; phrases=("'../escape'" "names a directory") ;;
  unwritable_results_dir)
    # The file's results_dir must be checked, so no --results-dir (it would override it).
    pointer=/results_dir; args=(); phrases=("'/proc/slimbench-results' is not writable") ;;
  results_dir_is_file)
    pointer=/results_dir; args=(); phrases=("cannot create results directory" "is not a directory") ;;
  unwritable_results_dir_flag)
    # A good file, a bad --results-dir: the flag, not the file, is named.
    run_file=$good; pointer=""
    args=(--results-dir /proc/slimbench-results)
    phrases=("--results-dir" "'/proc/slimbench-results' is not writable") ;;
  key_with_newline)
    # A key holding "\n" must still give a one-line error (the pointer escapes it or the
    # message quotes it as JSON).
    pointer=""; phrases=("unknown key") ;;
  choice_with_newline)
    pointer=""; phrases=("unknown method") ;;
  *)
    fail "unknown case (add it to the case statement)" ;;
esac
[[ -f $run_file ]] || fail "missing test input $run_file"

cd "$work"  # so that a default ./results would land here, and be noticed
before=$(find "$work" | sort)
rc=0
"$slimbench" run "$run_file" "${args[@]}" >"$io/stdout" 2>"$io/stderr" || rc=$?
stderr_text=$(cat "$io/stderr")
lines=$(wc -l <"$io/stderr")
after=$(find "$work" | sort)

echo "case: $case_name"
echo "command: slimbench run $run_file ${args[*]}"
echo "exit code: $rc"
echo "stderr ($lines line(s)): $stderr_text"

[[ $rc -eq 2 ]] || { cat "$io/stdout"; fail "expected exit code 2, got $rc"; }
[[ $lines -eq 1 ]] || fail "expected exactly one line on stderr, got $lines"
if [[ $case_name != unwritable_results_dir_flag ]]; then
  [[ $stderr_text == *"$run_file"* ]] || fail "stderr does not name the file $run_file"
fi
if [[ -n $pointer ]]; then
  [[ $stderr_text == *"$run_file: $pointer: "* ]] ||
    fail "stderr does not carry the pointer '$run_file: $pointer: '"
fi
for phrase in "${phrases[@]}"; do
  [[ $stderr_text == *"$phrase"* ]] || fail "stderr lacks '$phrase'"
done
if [[ "$before" != "$after" ]]; then
  diff <(echo "$before") <(echo "$after") || true
  fail "the refused run created files under $work"
fi
echo "PASS"
