#!/usr/bin/env bats
# The lab's zone cut-off (--zone-fault cut) on real namespaces, without Hadoop: the cut
# zone's hosts still reach each other, nothing else reaches them, and the zone comes back.
# The control is the same pair of hosts before the cut (and after it is healed): they
# answer, so a failed probe during the cut is the cut's doing, not the probe's (checked once:
# with zone_cut a no-op the first test fails at `cannot_reach h-a1 h-b1`).

setup_file() {
  if ((EUID != 0)); then
    echo "needs root (network namespaces)" >"${BATS_FILE_TMPDIR}/skip"
    return 0
  fi
  command -v arping >/dev/null || { echo "arping not installed" >"${BATS_FILE_TMPDIR}/skip"; return 0; }
  if [[ -e /run/multizone-lab.lock ]] && ! flock -n /run/multizone-lab.lock true; then
    echo "a multizone-lab run is going" >"${BATS_FILE_TMPDIR}/skip"
  fi
}

setup() {
  [[ ! -f "${BATS_FILE_TMPDIR}/skip" ]] || skip "$(cat "${BATS_FILE_TMPDIR}/skip")"
  LAB_HOME="$(cd "${BATS_TEST_DIRNAME}/.." && pwd)"
  # shellcheck source=../lib/cluster.sh
  source "${LAB_HOME}/lib/cluster.sh"
  lab_slot "ztest"
  # The ha-scripts local provider from the source tree, where the package would have it.
  PKG_HOME="${BATS_TEST_TMPDIR}/pkg"
  mkdir -p "${PKG_HOME}/libexec/multizone"
  ln -s "${LAB_HOME}/../ha-scripts" "${PKG_HOME}/libexec/multizone/ha-scripts"
  LAB_CLUSTER="${BATS_TEST_TMPDIR}/cluster"
  HADOOP_HOME=/nonexistent LAB_JAR=/nonexistent
  mkdir -p "${LAB_CLUSTER}/state"
  write_nn_relaunch_config stock
  policy_net_down
  net_up
}

teardown() {
  [[ -f "${BATS_FILE_TMPDIR}/skip" ]] || policy_net_down
}

# True when host FROM gets an ARP answer from host TO's address (same segment).
reaches() {
  local from="$1" to="$2" ns
  if [[ "${from}" == "client" ]]; then ns="${CLIENT_NS}"; else ns="$(ns_of "${from}")"; fi
  ip netns exec "${ns}" arping -q -c 1 -w 1 -I eth0 "$(host_field "${to}" ip)" >/dev/null 2>&1
}

# The negation as a function's status (a bare `! cmd` would not fail a bats test).
cannot_reach() {
  ! reaches "$@"
}

@test "zone-a cut off: its hosts reach each other only; healed, everything reaches it again" {
  # Control: before the cut every pair answers.
  reaches h-a1 h-a3
  reaches h-a1 h-b1
  reaches client h-a2
  reaches h-b2 h-c4
  local id ms
  read -r id ms < <(zone_cut zone-a)
  [[ "${id}" == "none" && "${ms}" =~ ^[0-9]+$ ]]
  [[ "$(cat "${LAB_CLUSTER}/state/zones/zone-a")" == "cut" ]]
  reaches h-a1 h-a3
  reaches h-a4 h-a2
  cannot_reach h-a1 h-b1
  cannot_reach h-b1 h-a1
  cannot_reach client h-a2
  cannot_reach rm-1 h-a4
  reaches h-b2 h-c4
  reaches client h-b1
  zones_uncut
  [[ ! -e "${LAB_CLUSTER}/state/zones/zone-a" && ! -e "${LAB_CLUSTER}/cut-zones" ]]
  reaches h-a1 h-b1
  reaches client h-a2
  reaches rm-1 h-a4
}

@test "two zones cut off: each is its own island" {
  zone_cut zone-a >/dev/null
  zone_cut zone-b >/dev/null
  reaches h-a1 h-a2
  reaches h-b1 h-b4
  cannot_reach h-a1 h-b1
  cannot_reach h-b3 h-c3
  reaches client h-c1
  zones_uncut
  reaches h-a1 h-b1
}
