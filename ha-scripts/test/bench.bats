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
