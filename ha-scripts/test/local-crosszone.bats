#!/usr/bin/env bats
# Issue 11, provider local, end to end (root): the NameNode survives the loss of its own
# zone. Three zones of network namespaces on 198.18.0.0/24, a JournalNode in each, the
# NameNode in zone-a with its edit log first on the quorum (required), DataNodes in zone-b
# and zone-c, the regional image store a host directory. The tests run in order on one
# cluster: zone lost -> relaunched in another zone; zone back; the new home's zone cut off
# with its NameNode alive -> relaunched again, nothing split; a same-zone relaunch from
# the new home. The oracle is helpers/AckedOps.java: every acknowledged namespace
# operation (mkdir, create+close, rename, delete, setReplication) is present, every
# acknowledged file reads back byte for byte.

setup_file() {
  load helpers/common
  local reason
  reason="$(root_e2e_skip_reason)"
  if [[ -n "${reason}" ]]; then
    echo "${reason}" >"${BATS_FILE_TMPDIR}/skip"
    return 0
  fi
  load helpers/local
  local_cluster_config "${NNR_E2E_TAG:-}xz"
  local_env
  local_qjm_cluster_up
}

teardown_file() {
  load helpers/common
  load helpers/local
  if [[ -f "${BATS_FILE_TMPDIR}/lt_dir" ]]; then
    local_env
    if [[ -n "${NNR_KEEP_CLUSTER:-}" ]]; then
      echo "# kept: ${LT_DIR}" >&3
      return 0
    fi
    pkill -f "AckedOps write ${LT_DIR}" 2>/dev/null || true
    local_cluster_down
  fi
}

setup() {
  load helpers/common
  if [[ -f "${BATS_FILE_TMPDIR}/skip" ]]; then
    skip "$(cat "${BATS_FILE_TMPDIR}/skip")"
  fi
  load helpers/local
  local_env
}

# The instance holding a volume, and the volume the NameNode has now.
holder_of() {
  cat "${LT_DIR}/state/volumes/$1/attached"
}

tag_of() {
  cat "${LT_DIR}/state/volumes/$1/tags/nn-relaunch:$2" 2>/dev/null || true
}

# Starts the acknowledged-operations writer in the client namespace (outside every zone).
writer_start() {
  local log="$1"
  rm -f "${LT_DIR}/${log}.stop"
  (run_client "${HL}" "${LT_DIR}/conf/client" ackedops write "${LT_DIR}/${log}" "${LT_DIR}/${log}.stop" \
    </dev/null >/dev/null 2>>"${LT_DIR}/logs/${log}.err" 3>&- &)
}

acks() {
  local n
  n="$(grep -c '^ack ' "${LT_DIR}/$1" 2>/dev/null)" || true
  echo "${n:-0}"
}

acks_at_least() {
  (($(acks "$1") >= $2))
}

writer_gone() {
  ! pgrep -f "AckedOps write ${LT_DIR}/$1 " >/dev/null
}

writer_stop() {
  touch "${LT_DIR}/$1.stop"
  wait_until 120 0.5 writer_gone "$1"
}

verify_acked() {
  run run_client "${HL}" "${LT_DIR}/conf/client" ackedops verify "${LT_DIR}/$1" "${@:2}"
}

jn_txid() {
  run_client curl -sf --max-time 3 \
    "http://$(cat "${LT_DIR}/state/instances/$(cat "${LT_DIR}/jn-$1")/ip"):8480/jmx?qry=Hadoop:service=JournalNode,name=Journal-mz" \
    | jq -r '.beans[0].LastWrittenTxId // empty' 2>/dev/null || true
}

jn_caught_up() {
  local t
  t="$(jn_txid "$1")"
  [[ -n "${t}" ]] && ((t >= $2))
}

@test "cross-zone: zone-a (NameNode, its volume, a JournalNode) lost mid-write -> NameNode in zone-b, every acked op present, files byte for byte" {
  writer_start ops1
  wait_until 180 0.5 acks_at_least ops1 30
  local old before
  old="$(holder_of nnvol)"
  local_zone_lose zone-a
  before="$(acks ops1)"
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}"
  echo "${output}"
  assert_success
  assert_output --partial "cross-zone: zone zone-a is lost"
  assert_output --partial "step restore   ok"
  assert_output --partial "step journal   ok"
  assert_output --partial "step image     ok"
  echo "${output}" >"${HA_TARGET_DIR:-${HA_HOME}/target}/local-crosszone-figures.txt"
  # The writer gets acks again through the same address.
  wait_until 180 0.5 acks_at_least ops1 $((before + 12))
  writer_stop ops1
  verify_acked ops1
  echo "${output}"
  assert_success
  assert_output --partial " 0 differences"
  local new
  new="$(tag_of nnvol successor)"
  [[ -n "${new}" ]]
  assert_equal "$(cat "${LT_DIR}/state/volumes/${new}/zone")" "zone-b"
  assert_equal "$(instance_info "$(holder_of "${new}")")" "running zone-b"
  assert_equal "$(cat "${LT_DIR}/state/addresses/${LT_ADDR}")" "$(holder_of "${new}")"
  [[ -n "$(tag_of nnvol stale)" ]]
  assert_equal "$(instance_info "${old}")" "terminated zone-a"
  echo "${new}" >"${LT_DIR}/home1"
}

@test "cross-zone control: the regional image without the JournalNodes' edits misses acknowledged ops (same oracle fails)" {
  # The guarded behaviour switched off: a NameNode restored from the same regional image
  # but with its edit log only local (no JournalNodes) must fail the oracle that passed.
  local id ip n
  id="$(launch_instance zone-c "")"
  ip="$(cat "${LT_DIR}/state/instances/${id}/ip")"
  n="$(cat "${LT_DIR}/state/regional/CID-local-test/latest")"
  local first
  first="$(find "${LT_DIR}/state/regional/CID-local-test" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -n | head -n 1)"
  mkdir -p "${LT_DIR}/conf/control" "${LT_DIR}/control/name/current"
  # The oldest image (pushed after the format) is the one the relaunch restored too.
  cp "${LT_DIR}/state/regional/CID-local-test/${first}/"* "${LT_DIR}/control/name/current/"
  echo "$((10#${first}))" >"${LT_DIR}/control/name/current/seen_txid"
  xml_conf "${LT_DIR}/conf/control/core-site.xml" "fs.defaultFS=hdfs://${ip}:8020" \
    "ipc.client.connect.max.retries=2"
  xml_conf "${LT_DIR}/conf/control/hdfs-site.xml" "dfs.namenode.name.dir=file://${LT_DIR}/control/name" \
    "dfs.namenode.rpc-bind-host=0.0.0.0" "dfs.namenode.http-address=0.0.0.0:9870" \
    "dfs.permissions.enabled=false" "dfs.namenode.safemode.extension=0"
  cp "${LT_DIR}/conf/nn/log4j.properties" "${LT_DIR}/conf/control/"
  local_exec "${id}" "${HL}" "${LT_DIR}/conf/control" daemon namenode "${LT_DIR}/logs/control-nn.log"
  wait_until 120 0.5 bash -c "[[ -n \"\$(ip netns exec ${id} ss -Hltn 'sport = :8020')\" ]]"
  run run_client "${HL}" "${LT_DIR}/conf/control" ackedops verify "${LT_DIR}/ops1" --metadata-only
  echo "${output}"
  terminate_instance "${id}"
  assert_failure
  assert_output --partial "missing /ops/ops1/d0"
  ((10#${n} > 10#${first}))
}

@test "cross-zone: zone-a returns -> its JournalNode rejoins, a rerun follows the stale volume to the new home (nothing to do), the old volume is never attached" {
  local_zone_restore zone-a
  local jn
  jn="$(cat "${LT_DIR}/jn-zone-a")"
  # Its machine comes back: the JournalNode restarts on its own (zone's) disk.
  ip netns exec "${jn}" "${HL}" "${LT_DIR}/conf/jn-zone-a" daemon journalnode "${LT_DIR}/logs/jn-zone-a.log"
  wait_until 60 0.5 jn_answers "${jn}"
  # A new log segment brings it back into the quorum's writes.
  run_client "${HL}" "${LT_DIR}/conf/client" dfsadmin -rollEdits
  local b
  b="$(jn_txid zone-b)"
  wait_until 60 0.5 jn_caught_up zone-a "${b}"
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}"
  echo "${output}"
  assert_success
  assert_output --partial "nnvol is stale"
  assert_output --partial "nothing to do"
  assert_equal "$(holder_of nnvol)" ""
  assert_equal "$(tag_of nnvol successor)" "$(cat "${LT_DIR}/home1")"
}

@test "cross-zone partition: zone-b (the NameNode's new home) cut off, its NameNode alive -> relaunched elsewhere; nothing acked is lost, the cut-off NameNode acks nothing" {
  local home old oldip
  home="$(cat "${LT_DIR}/home1")"
  old="$(holder_of "${home}")"
  oldip="$(cat "${LT_DIR}/state/instances/${old}/ip")"
  writer_start ops2
  wait_until 180 0.5 acks_at_least ops2 18
  local_zone_cut zone-b
  # A client inside the cut-off zone still reaches the old NameNode (its own address there).
  local dn1
  dn1="$(cat "${LT_DIR}/dn-zone-b")"
  (
    rc=0
    ip netns exec "${dn1}" timeout -k 10 120 "${HL}" "${LT_DIR}/conf/client" fs -fs "hdfs://${oldip}:8020" \
      -mkdir /cut-in-zone </dev/null >"${LT_DIR}/logs/cut-client.log" 2>&1 || rc=$?
    echo "${rc}" >"${LT_DIR}/cut-client.rc"
  ) 3>&- &
  local before
  before="$(acks ops2)"
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}"
  echo "${output}"
  assert_success
  assert_output --partial "zone zone-b is cut"
  assert_output --partial "not reachable"
  wait_until 180 0.5 acks_at_least ops2 $((before + 12))
  writer_stop ops2
  verify_acked ops2
  echo "${output}"
  assert_success
  assert_output --partial " 0 differences"
  # The cut-off client never got an ack, and its op is not on the new NameNode.
  wait_until 150 0.5 test -f "${LT_DIR}/cut-client.rc"
  cat "${LT_DIR}/logs/cut-client.log"
  [[ "$(cat "${LT_DIR}/cut-client.rc")" != "0" ]]
  run hdfs_client -test -e /cut-in-zone
  assert_failure
  local new2
  new2="$(tag_of "${home}" successor)"
  [[ -n "${new2}" ]]
  [[ "$(cat "${LT_DIR}/state/volumes/${new2}/zone")" != "zone-b" ]]
  assert_equal "$(tag_of "${home}" left-instance)" "${old}"
  # The zone returns: the old NameNode (if it still runs) cannot write: refused by epoch.
  local_zone_restore zone-b
  run ip netns exec "${dn1}" timeout -k 10 120 "${HL}" "${LT_DIR}/conf/client" fs -fs "hdfs://${oldip}:8020" -mkdir /after-return
  assert_failure
  run hdfs_client -test -e /after-return
  assert_failure
  # The next run terminates the instance left in the cut-off zone, and has nothing else to do.
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}"
  echo "${output}"
  assert_success
  assert_output --partial "terminated ${old}"
  assert_output --partial "nothing to do"
  assert_equal "$(instance_info "${old}")" "terminated zone-b"
  assert_equal "$(tag_of "${home}" left-instance)" ""
  echo "${new2}" >"${LT_DIR}/home2"
}

@test "cross-zone: a same-zone relaunch later works from the new home (configured VOLUME_ID still the first volume)" {
  local home nn
  home="$(cat "${LT_DIR}/home2")"
  nn="$(holder_of "${home}")"
  writer_start ops3
  wait_until 180 0.5 acks_at_least ops3 12
  local_kill_instance "${nn}"
  local before
  before="$(acks ops3)"
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}"
  echo "${output}"
  assert_success
  refute_output --partial "cross-zone"
  assert_output --partial "step prepare   ok"
  wait_until 180 0.5 acks_at_least ops3 $((before + 6))
  writer_stop ops3
  verify_acked ops3
  echo "${output}"
  assert_success
  assert_output --partial " 0 differences"
  assert_equal "$(cat "${LT_DIR}/state/volumes/${home}/zone")" "$(instance_info "$(holder_of "${home}")" | cut -d' ' -f2)"
  # Every earlier acknowledged op too.
  verify_acked ops1 --metadata-only
  assert_success
}

@test "cross-zone: the zone is up but takes no replacement -> same-zone fence and detach, then cross-zone; relaunch killed after the restore, rerun converges to one NameNode" {
  local home nn zone
  home="$(tag_of nnvol successor)"
  while [[ -n "$(tag_of "${home}" successor)" ]]; do home="$(tag_of "${home}" successor)"; done
  nn="$(holder_of "${home}")"
  zone="$(cat "${LT_DIR}/state/volumes/${home}/zone")"
  writer_start ops4
  wait_until 180 0.5 acks_at_least ops4 12
  local_kill_instance "${nn}"
  mkdir -p "${LT_DIR}/state/faults"
  touch "${LT_DIR}/state/faults/launch-${zone}"
  local before
  before="$(acks ops4)"
  NNR_TEST_KILL_AFTER_STEP=restore run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}"
  echo "${output}"
  assert_equal "${status}" 137
  assert_output --partial "step detach    ok"
  assert_output --partial "launch in ${zone} failed: going cross-zone"
  assert_output --partial "step restore   ok"
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}"
  echo "${output}"
  assert_success
  assert_output --partial "resuming"
  assert_output --partial "already restored"
  rm -f "${LT_DIR}/state/faults/launch-${zone}"
  local new
  new="$(tag_of "${home}" successor)"
  [[ -n "${new}" ]]
  [[ "$(cat "${LT_DIR}/state/volumes/${new}/zone")" != "${zone}" ]]
  # One NameNode: exactly one instance listens on 8020 and holds the address.
  local id n=0
  for id in $(ip netns list | awk '{print $1}' | grep "^${CFG[LOCAL_BRIDGE_NS]}-i"); do
    if [[ -n "$(ip netns exec "${id}" ss -Hltn 'sport = :8020')" ]]; then
      n=$((n + 1))
      assert_equal "${id}" "$(holder_of "${new}")"
    fi
  done
  assert_equal "${n}" 1
  wait_until 180 0.5 acks_at_least ops4 $((before + 6))
  writer_stop ops4
  verify_acked ops4
  echo "${output}"
  assert_success
  assert_output --partial " 0 differences"
}
