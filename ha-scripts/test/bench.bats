#!/usr/bin/env bats
# nn-recovery-benchmark: argument checks only (the benchmark itself needs root and minutes;
# run it by hand, see README "Recovery-time benchmark").

setup() {
  load helpers/common
  BENCH="${HA_HOME}/bin/nn-recovery-benchmark"
}

@test "nn-recovery-benchmark: bad --runs -> exit 2, one message naming --runs, nothing created" {
  local before
  before="$(ip netns list 2>/dev/null | grep -c bench || true)"
  local bad
  for bad in 0 -1 abc 1.5 21 ""; do
    run "${BENCH}" --runs "${bad}"
    assert_failure 2
    assert_output "nn-recovery-benchmark: error: --runs ${bad}: expected an integer from 1 to 20"
  done
  run "${BENCH}" --runs=x
  assert_failure 2
  assert_output --partial "--runs x:"
  run "${BENCH}" --runs
  assert_failure 2
  assert_output "nn-recovery-benchmark: error: --runs needs a number"
  run "${BENCH}" --bogus
  assert_failure 2
  assert_output --partial "unknown argument: --bogus"
  assert_equal "$(ip netns list 2>/dev/null | grep -c bench || true)" "${before}"
}

@test "nn-recovery-benchmark: --help documents --runs" {
  run "${BENCH}" --help
  assert_success
  assert_output --partial "--runs N"
}

# nn-edits-benchmark: argument checks only (the benchmark runs minutes; run it by hand,
# see DESIGN.md "Cost").
@test "nn-edits-benchmark: bad arguments -> exit 2, one message naming the argument, no temp dir" {
  local eb="${HA_HOME}/bin/nn-edits-benchmark" before bad
  before="$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'nn-edits-benchmark.*' | wc -l)"
  for bad in 0 -1 abc 1.5 21 ""; do
    run "${eb}" --rounds "${bad}"
    assert_failure 2
    assert_output "nn-edits-benchmark: error: --rounds ${bad}: expected an integer from 1 to 20"
  done
  run "${eb}" --ops 99
  assert_failure 2
  assert_output "nn-edits-benchmark: error: --ops 99: expected an integer from 100 to 1000000"
  run "${eb}" --threads=0
  assert_failure 2
  assert_output "nn-edits-benchmark: error: --threads 0: expected an integer from 1 to 256"
  run "${eb}" --configs local,nfs
  assert_failure 2
  assert_output --partial "--configs local,nfs: unknown configuration 'nfs'"
  run "${eb}" --work-dir /nonexistent
  assert_failure 2
  assert_output "nn-edits-benchmark: error: --work-dir /nonexistent: not a writable directory"
  run "${eb}" --ops
  assert_failure 2
  assert_output "nn-edits-benchmark: error: --ops needs a value"
  run "${eb}" --bogus
  assert_failure 2
  assert_output "nn-edits-benchmark: error: unknown argument: --bogus (see --help)"
  assert_equal "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'nn-edits-benchmark.*' | wc -l)" "${before}"
}

@test "nn-edits-benchmark: --help documents every option and configuration" {
  run "${HA_HOME}/bin/nn-edits-benchmark" --help
  assert_success
  local word
  for word in --rounds --ops --threads --configs --work-dir local qjm+local qjm fs+local; do
    assert_output --partial "${word}"
  done
}
