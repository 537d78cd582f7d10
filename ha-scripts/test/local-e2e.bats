#!/usr/bin/env bats
# nn-relaunch, provider local, end to end (root): a real NameNode and two DataNodes in
# network namespaces on 198.18.0.0/24, the name dir on an ext4 loop volume mounted only in
# the NameNode instance's own mount namespace. The tests run in order on one cluster.

setup_file() {
  load helpers/common
  # (bats 1.8: no skip in setup_file; setup() skips each test with the reason.)
  local reason
  reason="$(root_e2e_skip_reason)"
  if [[ -n "${reason}" ]]; then
    echo "${reason}" >"${BATS_FILE_TMPDIR}/skip"
    return 0
  fi
  load helpers/local
  local_cluster_config "${NNR_E2E_TAG:-}e2e"
  local_env
  local_cluster_up
}

teardown_file() {
  load helpers/common
  load helpers/local
  if [[ -f "${BATS_FILE_TMPDIR}/lt_dir" ]]; then
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

relaunch() {
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}"
}

# The instance currently holding the volume.
volume_holder() {
  cat "${LT_DIR}/state/volumes/nnvol/attached"
}

# Kill -9 every process of the NameNode's instance and take its link down.
crash_nn() {
  local id
  id="$(volume_holder)"
  local_kill_instance "${id}"
  echo "${id}"
}

# Exactly one live instance for the volume, holding volume and address, NameNode listening
# there and the /32 only there.
assert_one_namenode() {
  local holder addr_holder id n=0
  holder="$(volume_holder)"
  addr_holder="$(cat "${LT_DIR}/state/addresses/${LT_ADDR}")"
  assert_equal "${addr_holder}" "${holder}"
  assert_equal "$(instance_info "${holder}")" "running zone-a"
  for id in $(ip netns list | awk '{print $1}' | grep "^${CFG[LOCAL_BRIDGE_NS]}-i"); do
    if ip -n "${id}" -o addr show | grep -q " ${LT_ADDR}/32 "; then
      n=$((n + 1))
      assert_equal "${id}" "${holder}"
    fi
  done
  assert_equal "${n}" "1"
  run local_exec "${holder}" ss -Hltn "sport = :8020"
  assert_output --partial ":8020"
  # No orphan: every other instance launched for the volume is terminated.
  run volume_instances nnvol
  assert_output "${holder}"
}

@test "local: kill -9 the NameNode's instance mid-write; relaunch; acked files read back byte-for-byte; new writes succeed" {
  mkdir -p "${LT_DIR}/src" "${LT_DIR}/back"
  local i
  for i in 1 2 3 4 5 6 7; do
    head -c $((150000 + i * 70001)) /dev/urandom >"${LT_DIR}/src/f${i}"
  done
  hdfs_client -mkdir -p /data
  hdfs_client -put "${LT_DIR}/src/f1" "${LT_DIR}/src/f2" "${LT_DIR}/src/f3" /data/
  printf '%s\n' f1 f2 f3 >"${LT_DIR}/acked"
  # A writer that keeps writing while the NameNode's machine dies.
  (
    for i in 4 5 6; do
      if timeout 60 "${HL}" "${LT_DIR}/conf/client" fs -put "${LT_DIR}/src/f${i}" /data/ \
        >>"${LT_DIR}/logs/writer.log" 2>&1; then
        echo "f${i}" >>"${LT_DIR}/acked"
      fi
    done
    touch "${LT_DIR}/writer.done"
  ) </dev/null >/dev/null 2>&1 3>&- &
  local old t_kill t_done
  sleep 1.5
  t_kill="$(date +%s%N)"
  old="$(crash_nn)"
  relaunch
  t_done="$(date +%s%N)"
  echo "${output}"
  assert_success
  # Figures: the step lines, and kill -> relaunch done (its verify step is a client read).
  {
    echo "${output}"
    echo "kill -> first verified read (relaunch done): $(((t_done - t_kill) / 1000000)) ms"
  } >"${HA_TARGET_DIR:-${HA_HOME}/target}/local-relaunch-figures.txt"
  assert_output --partial "step verify    ok"
  assert_output --partial "${old} already stopped"
  run grep -cE '^nn-relaunch: step [a-z]+ +ok ' <<<"${output}"
  assert_output "12"
  wait_until 120 0.5 test -f "${LT_DIR}/writer.done"
  # Every acknowledged file reads back byte-for-byte through the same address.
  local f
  while read -r f; do
    hdfs_client -get "/data/${f}" "${LT_DIR}/back/${f}"
    cmp "${LT_DIR}/src/${f}" "${LT_DIR}/back/${f}"
  done <"${LT_DIR}/acked"
  [[ "$(wc -l <"${LT_DIR}/acked")" -ge 3 ]]
  # New writes succeed.
  hdfs_client -put "${LT_DIR}/src/f7" /data/f7
  hdfs_client -get /data/f7 "${LT_DIR}/back/f7"
  cmp "${LT_DIR}/src/f7" "${LT_DIR}/back/f7"
  echo f7 >>"${LT_DIR}/acked"
  t_done="$(date +%s%N)"
  echo "kill -> first write after relaunch: $(((t_done - t_kill) / 1000000)) ms; acked files: $(wc -l <"${LT_DIR}/acked")" \
    >>"${HA_TARGET_DIR:-${HA_HOME}/target}/local-relaunch-figures.txt"
  assert_one_namenode
  assert_equal "$(instance_info "${old}")" "terminated zone-a"
  [[ ! -e "/run/netns/${old}" ]]
}

@test "local: relaunch killed after starting the NameNode, run again -> converges, no orphan" {
  local old
  old="$(crash_nn)"
  NNR_TEST_KILL_AFTER_STEP=start relaunch
  assert_failure
  assert_output --partial "step start     ok"
  relaunch
  assert_success
  assert_output --partial "resuming"
  assert_output --partial "reusing"
  assert_output --partial "already listening"
  assert_one_namenode
  hdfs_client -get /data/f2 "${LT_DIR}/back/f2.again"
  cmp "${LT_DIR}/src/f2" "${LT_DIR}/back/f2.again"
}

@test "local: two relaunchers racing -> exactly one acts" {
  crash_nn
  sed 's/^LEASE_OWNER=.*//' "${CONF}" >"${CONF}.a"
  echo "LEASE_OWNER=watcher-a" >>"${CONF}.a"
  sed 's/^LEASE_OWNER=.*//' "${CONF}" >"${CONF}.b"
  echo "LEASE_OWNER=watcher-b" >>"${CONF}.b"
  "${HA_HOME}/bin/nn-relaunch" --config "${CONF}.a" >"${LT_DIR}/a.out" 2>&1 3>&- &
  local pa=$!
  "${HA_HOME}/bin/nn-relaunch" --config "${CONF}.b" >"${LT_DIR}/b.out" 2>&1 3>&- &
  local pb=$!
  local ra=0 rb=0
  wait "${pa}" || ra=$?
  wait "${pb}" || rb=$?
  cat "${LT_DIR}/a.out" "${LT_DIR}/b.out"
  [[ "${ra}:${rb}" == "0:3" || "${ra}:${rb}" == "3:0" ]]
  assert_one_namenode
  local f
  while read -r f; do
    hdfs_client -get "/data/${f}" "${LT_DIR}/back/${f}.race"
    cmp "${LT_DIR}/src/${f}" "${LT_DIR}/back/${f}.race"
  done <"${LT_DIR}/acked"
}

@test "local: nn-watch's own RPC and HTTP probes see the real NameNode and relaunch it after it dies" {
  grep -v '^WATCH_' "${CONF}" >"${CONF}.watch"
  printf '%s\n' WATCH_INTERVAL=0.2 WATCH_FAILURES=3 WATCH_MIN_DOWN=0 WATCH_PROBE_TIMEOUT=5 \
    >>"${CONF}.watch"
  # Healthy: every probe answers, nothing is relaunched.
  run "${HA_HOME}/bin/nn-watch" --config "${CONF}.watch" --max-probes 3
  echo "${output}"
  assert_success
  refute_output --partial "probe failed"
  refute_output --partial "relaunching"
  # Dead: three failed probes, a relaunch, and the fourth probe answers again.
  local old
  old="$(crash_nn)"
  run "${HA_HOME}/bin/nn-watch" --config "${CONF}.watch" --max-probes 4
  echo "${output}"
  assert_output --partial "probe failed (3/3"
  assert_output --partial "relaunching"
  assert_output --partial "nn-relaunch: done"
  # The fourth probe, after the relaunch, answers: exactly three failed.
  local watched="${output}"
  run grep -c "probe failed" <<<"${watched}"
  assert_output "3"
  assert_one_namenode
  assert_equal "$(instance_info "${old}")" "terminated zone-a"
  hdfs_client -get /data/f1 "${LT_DIR}/back/f1.watch"
  cmp "${LT_DIR}/src/f1" "${LT_DIR}/back/f1.watch"
}
