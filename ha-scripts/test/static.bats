#!/usr/bin/env bats
# Static checks and the parts that need neither a cloud nor root: shellcheck, the config
# parser, the documented keys, nn-host's name-dir checks.

setup() {
  load helpers/common
}

@test "shellcheck (every check, info included): every script is clean" {
  command -v shellcheck >/dev/null || skip "shellcheck not installed"
  local -a scripts=(
    "${HA_HOME}"/bin/* "${HA_HOME}"/lib/*.sh "${HA_HOME}"/providers/*.sh
    "${HA_HOME}"/test/run-tests "${HA_HOME}"/test/helpers/*.bash
    "${HA_HOME}"/test/helpers/fake-aws "${HA_HOME}"/test/helpers/fake-hdfs
    "${HA_HOME}"/test/*.bats
  )
  [[ -d "${HA_HOME}/tools" ]] && scripts+=("${HA_HOME}"/tools/*)
  run shellcheck "${scripts[@]}"
  assert_success
}

@test "config: the example documents exactly the keys the code knows" {
  source "${HA_HOME}/lib/common.sh"
  source "${HA_HOME}/lib/config.sh"
  local documented known
  documented="$(sed -n 's/^\([A-Z][A-Z0-9_]*\)=.*/\1/p' "${HA_HOME}/conf/nn-relaunch.conf.example" | sort)"
  known="$(printf '%s\n' "${!CFG_DEFAULTS[@]}" | sort)"
  assert_equal "${documented}" "${known}"
  # ... with the same defaults.
  local key value
  while IFS='=' read -r key value; do
    assert_equal "${key}=${value}" "${key}=${CFG_DEFAULTS[${key}]}"
  done < <(grep -E '^[A-Z][A-Z0-9_]*=' "${HA_HOME}/conf/nn-relaunch.conf.example")
}

conf_error() {
  printf '%s\n' "$@" >"${BATS_TEST_TMPDIR}/c.conf"
  run "${HA_HOME}/bin/nn-relaunch" --config "${BATS_TEST_TMPDIR}/c.conf"
}

@test "config: bad input -> exit 2 and one message naming the key or argument" {
  local base=(PROVIDER=local CLUSTER_ID=c1 VOLUME_ID=v1 ADDRESS=198.18.0.100
    "LOCAL_STATE_DIR=${BATS_TEST_TMPDIR}/state")
  run "${HA_HOME}/bin/nn-relaunch"
  assert_failure 2
  assert_output "nn-relaunch: error: missing --config FILE"
  run "${HA_HOME}/bin/nn-relaunch" --config /nonexistent
  assert_failure 2
  assert_output "nn-relaunch: error: config file not readable: /nonexistent"
  run "${HA_HOME}/bin/nn-relaunch" --config
  assert_failure 2
  assert_output "nn-relaunch: error: --config needs a FILE"
  conf_error PROVIDER=local CLUSTER_ID=c1 ADDRESS=198.18.0.100
  assert_failure 2
  assert_output "nn-relaunch: error: missing config key VOLUME_ID"
  conf_error "${base[@]}" NN_RPC_PORTS=8020
  assert_failure 2
  assert_output --partial "c.conf:6: unknown config key NN_RPC_PORTS"
  conf_error "${base[@]}" "this is not a pair"
  assert_failure 2
  assert_output --partial "c.conf:6: expected KEY=value"
  conf_error "${base[@]}" LEASE_TTL=soon
  assert_failure 2
  assert_output "nn-relaunch: error: LEASE_TTL=soon: expected a non-negative integer"
  conf_error "${base[@]}" FENCE_MODE=reboot
  assert_failure 2
  assert_output "nn-relaunch: error: FENCE_MODE=reboot: expected stop or terminate"
  conf_error "${base[@]/PROVIDER=local/PROVIDER=azure}"
  assert_failure 2
  assert_output "nn-relaunch: error: PROVIDER=azure: unknown provider (expected aws or local)"
  conf_error "${base[@]/ADDRESS=198.18.0.100/ADDRESS=10.0.0.5}"
  assert_failure 2
  assert_output "nn-relaunch: error: ADDRESS=10.0.0.5: the local provider only uses 198.18.0.0/15"
  conf_error "${base[@]}" "CLUSTER_ID=a b"
  assert_failure 2
  assert_output --partial "CLUSTER_ID=a b"
  # Cross-zone keys (issue 11).
  conf_error "${base[@]}" "JOURNAL_URI=hdfs://jn1:8485/mz"
  assert_failure 2
  assert_output --partial "nn-relaunch: error: JOURNAL_URI=hdfs://jn1:8485/mz: expected qjournal://"
  conf_error "${base[@]}" "JOURNAL_URI=qjournal://jn1:8485;jn2:8485/mz"
  assert_failure 2
  assert_output --partial "expected an odd number of JournalNodes, at least 3"
  conf_error "${base[@]}" "JOURNAL_URI=qjournal://jn1:8485;jn2;jn3:8485/mz"
  assert_failure 2
  assert_output --partial "'jn2' is not host:port"
  conf_error "${base[@]}" CROSS_ZONE=sometimes
  assert_failure 2
  assert_output "nn-relaunch: error: CROSS_ZONE=sometimes: expected auto or never"
  conf_error "${base[@]}" JOURNAL_HTTP_PORT=http
  assert_failure 2
  assert_output "nn-relaunch: error: JOURNAL_HTTP_PORT=http: expected a non-negative integer"
  conf_error "${base[@]}" "NAME_DIR_OWNER=hdfs user"
  assert_failure 2
  assert_output --partial "NAME_DIR_OWNER=hdfs user: expected user or user:group"
  printf '%s\n' "${base[@]}" >"${BATS_TEST_TMPDIR}/z.conf"
  run "${HA_HOME}/bin/nn-relaunch" --config "${BATS_TEST_TMPDIR}/z.conf" --zone-lost
  assert_failure 2
  assert_output "nn-relaunch: error: --zone-lost needs a ZONE"
  run "${HA_HOME}/bin/nn-relaunch" --config "${BATS_TEST_TMPDIR}/z.conf" --zone-lost --dry-run
  assert_failure 2
  assert_output "nn-relaunch: error: --zone-lost needs a ZONE"
  run "${HA_HOME}/bin/nn-image-push" --config "${BATS_TEST_TMPDIR}/z.conf" --now
  assert_failure 2
  assert_output "nn-image-push: error: unknown argument: --now (see --help)"
  # Nothing was created.
  [[ ! -e "${BATS_TEST_TMPDIR}/state" ]]
}

@test "config: comments, blank lines, quotes and no evaluation" {
  # shellcheck disable=SC2016 # the $( ) must reach the config file unexpanded
  printf '%s\n' "# comment" "" "  PROVIDER=local" 'CLUSTER_ID="CID-1"' "VOLUME_ID='v1'" \
    'ADDRESS=198.18.0.100' 'NN_START_COMMAND=$(touch '"${BATS_TEST_TMPDIR}"'/pwned)' \
    "LOCAL_STATE_DIR=${BATS_TEST_TMPDIR}/none" >"${BATS_TEST_TMPDIR}/c.conf"
  source "${HA_HOME}/lib/common.sh"
  source "${HA_HOME}/lib/config.sh"
  config_load "${BATS_TEST_TMPDIR}/c.conf"
  assert_equal "${CFG[CLUSTER_ID]}" "CID-1"
  assert_equal "${CFG[VOLUME_ID]}" "v1"
  assert_equal "${CFG[NN_RPC_PORT]}" "8020"
  assert_equal "${CFG[NN_START_COMMAND]}" "\$(touch ${BATS_TEST_TMPDIR}/pwned)"
  [[ ! -e "${BATS_TEST_TMPDIR}/pwned" ]]
}

make_name_dir() {
  local dir="$1" cid="$2"
  mkdir -p "${dir}/current"
  printf '%s\n' "#Mon Jan 01 00:00:00 UTC 2024" "namespaceID=1" "clusterID=${cid}" \
    "cTime=0" "storageType=NAME_NODE" "blockpoolID=BP-1" "layoutVersion=-66" \
    >"${dir}/current/VERSION"
  : >"${dir}/current/fsimage_0000000000000000000"
}

@test "nn-host: name dir checks refuse missing or foreign clusterID, never create" {
  local d="${BATS_TEST_TMPDIR}/nd"
  run "${HA_HOME}/bin/nn-host" check-name-dir "${d}" CID-1
  assert_failure 4
  assert_output --partial "missing; refusing (this tool never formats)"
  [[ ! -e "${d}" ]]
  mkdir -p "${d}"
  run "${HA_HOME}/bin/nn-host" check-name-dir "${d}" CID-1
  assert_failure 4
  assert_output --partial "current/VERSION missing"
  [[ -z "$(ls -A "${d}")" ]]
  make_name_dir "${d}" CID-other
  run "${HA_HOME}/bin/nn-host" check-name-dir "${d}" CID-1
  assert_failure 4
  assert_output --partial "foreign clusterID CID-other"
  make_name_dir "${d}" CID-1
  rm "${d}/current/fsimage_0000000000000000000"
  : >"${d}/current/fsimage_0000000000000000000.md5"
  run "${HA_HOME}/bin/nn-host" check-name-dir "${d}" CID-1
  assert_failure 4
  assert_output --partial "no fsimage"
  make_name_dir "${d}" CID-1
  run "${HA_HOME}/bin/nn-host" check-name-dir "${d}" CID-1
  assert_success
  assert_output --partial "clusterID CID-1"
  run "${HA_HOME}/bin/nn-host" format
  assert_failure 2
}

@test "config: time limits that do not fit together -> exit 2 naming the keys" {
  # (fails on main 6451e23: none of these relations was checked; the run went on to the
  # provider checks)
  local base=(PROVIDER=local CLUSTER_ID=c1 VOLUME_ID=v1 ADDRESS=198.18.0.100
    "LOCAL_STATE_DIR=${BATS_TEST_TMPDIR}/state")
  conf_error "${base[@]}" LEASE_TTL=2 LEASE_SETTLE=1
  assert_failure 2
  assert_output "nn-relaunch: error: LEASE_TTL=2 must be at least 3 x LEASE_SETTLE (1)"
  conf_error "${base[@]}" LEASE_TTL=10 POLL_INTERVAL=2 LEASE_SETTLE=1
  assert_failure 2
  assert_output "nn-relaunch: error: LEASE_TTL=10 must be at least 10 x POLL_INTERVAL (2)"
  conf_error "${base[@]}" VERIFY_TIMEOUT=400
  assert_failure 2
  assert_output "nn-relaunch: error: VERIFY_TIMEOUT=400 must be at most LEASE_TTL / 2 (600 / 2)"
  conf_error "${base[@]}" POLL_INTERVAL=0
  assert_failure 2
  assert_output "nn-relaunch: error: POLL_INTERVAL=0: expected more than 0"
  conf_error "${base[@]}" SAFEMODE_TIMEOUT=0
  assert_failure 2
  assert_output "nn-relaunch: error: SAFEMODE_TIMEOUT=0: expected at least 1 (seconds)"
  conf_error "${base[@]}" START_TIMEOUT=soon
  assert_failure 2
  assert_output "nn-relaunch: error: START_TIMEOUT=soon: expected a non-negative integer"
  [[ ! -e "${BATS_TEST_TMPDIR}/state" ]]
}
