#!/usr/bin/env bats
# The zone-loss scenario's re-replication watch (lib/scenarios.sh rereplication_watch)
# against a scripted NameNode and scripted DataNode counters, on a fake clock (one look a
# second): when the repair is seen, when it ended between two looks, when it did not happen.
# Controls, checked once: the watch before this change (counters asked only 60 s after the
# count) fails the second test (asked at 62,000, not 14,000); with the counter check
# dropped, the third test fails (a settled-at of 14,000 for a repair that never happened).

# Sourced before the stubs below, which replace its NameNode, DataNode and clock calls.
# shellcheck source=../lib/scenarios.sh
source "${BATS_TEST_DIRNAME}/../lib/scenarios.sh"

setup() {
  LAB_RUN_POLICY="${BATS_TEST_TMPDIR}"
  CLOCK="${BATS_TEST_TMPDIR}/clock"
  echo 0 >"${CLOCK}"
  # NameNode answers, one line a look: "low missing pending dead"; the last one repeats.
  QUEUES="${BATS_TEST_TMPDIR}/queues"
  COPIES=0
  printf 'h-b1 0\nh-b2 0\n' >"${BATS_TEST_TMPDIR}/before"
}

# The fake clock: ms since the start; each sleep is one second and the next look.
now_ms() {
  cat "${CLOCK}"
}

sleep() {
  echo $(($(cat "${CLOCK}") + 1000)) >"${CLOCK}"
}

nn_queues() {
  local i=$(($(cat "${CLOCK}") / 1000 + 1))
  sed -n "${i}p" "${QUEUES}" | grep . || tail -n 1 "${QUEUES}"
}

blocks_replicated() {
  local h
  for h in "$@"; do
    echo "${h} $((COPIES / 2))"
  done
  now_ms >>"${BATS_TEST_TMPDIR}/counters-asked"
}

lab_err() {
  echo "$*" >&2
}

# Writes the NameNode's answers: N looks with the first line, then the others.
queues() {
  local n="$1" i
  shift
  for ((i = 0; i < n; i++)); do
    echo "$1"
  done >"${QUEUES}"
  shift
  printf '%s\n' "$@" >>"${QUEUES}"
}

@test "a queue seen, then empty: settled at the first empty look" {
  queues 3 "0 0 0 0" "0 0 0 4" "40 2 10 4" "12 2 4 4" "2 2 0 4"
  rereplication_watch 4 "${BATS_TEST_TMPDIR}/before" h-b1 h-b2
  [ "$(cat "${BATS_TEST_TMPDIR}/dead-at")" -eq 3000 ]
  [ "$(cat "${BATS_TEST_TMPDIR}/settled-at")" -eq 6000 ]
  [ ! -e "${BATS_TEST_TMPDIR}/repaired-unseen" ]
}

@test "repaired between two looks: 'at most' from the bound, asked once, not 60 s later" {
  queues 1 "0 0 0 0" "0 0 0 4"
  COPIES=50
  rereplication_watch 4 "${BATS_TEST_TMPDIR}/before" h-b1 h-b2
  [ "$(cat "${BATS_TEST_TMPDIR}/dead-at")" -eq 1000 ]
  # The first empty look more than 12 s after the count.
  [ "$(cat "${BATS_TEST_TMPDIR}/settled-at")" -eq 14000 ]
  [ -e "${BATS_TEST_TMPDIR}/repaired-unseen" ]
  [ "$(cat "${BATS_TEST_TMPDIR}/counters-asked")" = "14000" ]
}

@test "no queue and no copies: no figure, given up 60 s after the count (the control)" {
  queues 1 "0 0 0 0" "0 0 0 4"
  COPIES=4
  rereplication_watch 4 "${BATS_TEST_TMPDIR}/before" h-b1 h-b2
  [ ! -e "${BATS_TEST_TMPDIR}/settled-at" ]
  [ ! -e "${BATS_TEST_TMPDIR}/repaired-unseen" ]
  # Asked at the bound, and once the 60 s had passed.
  [ "$(wc -l <"${BATS_TEST_TMPDIR}/counters-asked")" -eq 2 ]
  [ "$(tail -n 1 "${BATS_TEST_TMPDIR}/counters-asked")" -eq 62000 ]
}
