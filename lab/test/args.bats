#!/usr/bin/env bats
# bin/multizone-lab's bad input: one clear message naming the argument, exit 2, nothing
# started; --stop removes what a killed run left behind.

setup() {
  LAB="${BATS_TEST_DIRNAME}/../bin/multizone-lab"
}

@test "an unknown scenario is refused by name, with the known ones" {
  run "${LAB}" --scenario zone-los --no-build
  [ "${status}" -eq 2 ]
  [[ "${output}" == *"--scenario zone-los: unknown scenario (known: zone-loss, datanode-loss, namenode-loss, nn-zone-loss, all)"* ]]
}

@test "--stock-scenarios takes known scenarios among the chosen ones only" {
  run "${LAB}" --stock-scenarios zone-los --no-build
  [ "${status}" -eq 2 ]
  [[ "${output}" == *"--stock-scenarios zone-los: unknown scenario (known:"* ]]
  run "${LAB}" --quick --stock-scenarios namenode-loss --no-build
  [ "${status}" -eq 2 ]
  [[ "${output}" == *"--stock-scenarios namenode-loss: not among the chosen scenarios (zone-loss)"* ]]
  run "${LAB}" --stock-scenarios
  [ "${status}" -eq 2 ]
  [[ "${output}" == *"--stock-scenarios needs a value"* ]]
}

@test "a bad policy is refused" {
  run "${LAB}" --policy mine --no-build
  [ "${status}" -eq 2 ]
  [[ "${output}" == *"--policy mine: expected ours, stock or both"* ]]
}

@test "a bad zone fault is refused" {
  run "${LAB}" --zone-fault partition --no-build
  [ "${status}" -eq 2 ]
  [[ "${output}" == *"--zone-fault partition: expected kill or cut"* ]]
  run "${LAB}" --zone-fault
  [ "${status}" -eq 2 ]
  [[ "${output}" == *"--zone-fault needs a value"* ]]
}

@test "an unknown argument is refused" {
  run "${LAB}" --fast
  [ "${status}" -eq 2 ]
  [[ "${output}" == *"unknown argument '--fast'"* ]]
}

@test "a seed must be a number" {
  run "${LAB}" --seed x1
  [ "${status}" -eq 2 ]
  [[ "${output}" == *"--seed needs a whole number"* ]]
}

@test "a missing value is refused" {
  run "${LAB}" --scenario
  [ "${status}" -eq 2 ]
  [[ "${output}" == *"--scenario needs a value"* ]]
}

@test "without root it says why it needs root, and starts nothing" {
  command -v runuser >/dev/null || skip "runuser not available"
  run runuser -u nobody -- "${LAB}" --no-build --out /tmp/mzlab-nobody-never
  [ "${status}" -eq 2 ]
  [[ "${output}" == *"needs root: every host runs in its own network namespace"* ]]
  [ ! -e /tmp/mzlab-nobody-never ]
}

@test "a second run while one is going is refused, and touches nothing" {
  [ "${EUID}" -eq 0 ] || skip "needs root"
  # -o: flock itself holds the lock (not the sleep it runs), so killing it releases the lock.
  flock -o /run/multizone-lab.lock sleep 60 &
  local holder=$! tries=0
  # Wait until the holder has the lock (a busy machine may take a while to start it).
  while flock -n /run/multizone-lab.lock true; do
    tries=$((tries + 1))
    [ "${tries}" -lt 600 ]
    sleep 0.1
  done
  run "${LAB}" --no-build --out "${BATS_TEST_TMPDIR}/never"
  pkill -P "${holder}" 2>/dev/null || true
  kill "${holder}" 2>/dev/null || true
  wait "${holder}" 2>/dev/null || true
  [ "${status}" -eq 2 ]
  [[ "${output}" == *"another multizone-lab run holds /run/multizone-lab.lock"* ]]
  [ ! -e "${BATS_TEST_TMPDIR}/never" ]
  # The lock is free again for the next run.
  flock -n /run/multizone-lab.lock true
}

@test "--stop removes the namespaces and processes a killed run left" {
  [ "${EUID}" -eq 0 ] || skip "needs root"
  ip netns add mzlab-bats-left
  ip netns exec mzlab-bats-left sleep 300 &
  local pid=$!
  run "${LAB}" --stop
  [ "${status}" -eq 0 ]
  [ ! -e /run/netns/mzlab-bats-left ]
  run kill -0 "${pid}"
  [ "${status}" -ne 0 ]
  run "${LAB}" --stop
  [ "${status}" -eq 0 ]
}
