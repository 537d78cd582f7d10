#!/usr/bin/env bats
# nn-watch with a fake probe and a fake relauncher: relaunch only after N consecutive
# failed probes spanning at least T seconds.

setup() {
  load helpers/common
  OUTCOMES="${BATS_TEST_TMPDIR}/outcomes"
  RELAUNCHES="${BATS_TEST_TMPDIR}/relaunches"
  PROBES="${BATS_TEST_TMPDIR}/probes"
  : >"${RELAUNCHES}"
  : >"${PROBES}"
  # The probe consumes one line of OUTCOMES per call (ok|fail); ok once they run out.
  cat >"${BATS_TEST_TMPDIR}/probe" <<PROBE
#!/usr/bin/env bash
o="\$(head -n 1 "${OUTCOMES}")"
sed -i 1d "${OUTCOMES}"
echo "\$(date +%s%N) \${o:-ok}" >>"${PROBES}"
[[ "\${o:-ok}" == ok ]]
PROBE
  chmod +x "${BATS_TEST_TMPDIR}/probe"
  CONF="${BATS_TEST_TMPDIR}/nn.conf"
  write_config "${CONF}" PROVIDER=aws CLUSTER_ID=c1 VOLUME_ID=vol-0123abcd \
    ADDRESS=eipalloc-0123abcd AWS_REGION=us-east-1 AWS_CLI=true AWS_LAUNCH_TEMPLATE=lt-0abc \
    AWS_SUBNETS=us-east-1a=subnet-0abc WATCH_INTERVAL=0.05 WATCH_PROBE_TIMEOUT=2 \
    "WATCH_PROBE_COMMAND=${BATS_TEST_TMPDIR}/probe" \
    "WATCH_RELAUNCH_COMMAND=date +%s%N >>${RELAUNCHES}; exit \${FAKE_RELAUNCH_RC:-0}"
}

outcomes() {
  printf '%s\n' "$@" >"${OUTCOMES}"
}

# N failed probes in a row.
failures() {
  local -a f=()
  local i
  for ((i = 0; i < $1; i++)); do
    f+=(fail)
  done
  printf '%s\n' "${f[@]}"
}

watch_for() {
  run "${HA_HOME}/bin/nn-watch" --config "${CONF}" --max-probes "$1"
}

@test "watch: failures shorter than N (a GC pause) never relaunch" {
  echo "WATCH_FAILURES=3" >>"${CONF}"
  echo "WATCH_MIN_DOWN=0" >>"${CONF}"
  outcomes fail fail ok fail fail ok fail ok
  watch_for 10
  assert_success
  assert_equal "$(wc -l <"${RELAUNCHES}")" "0"
  assert_output --partial "probe ok again after 2 failed probe(s)"
}

@test "watch: N consecutive failures over at least T seconds -> relaunch, then count again" {
  echo "WATCH_FAILURES=3" >>"${CONF}"
  echo "WATCH_MIN_DOWN=1" >>"${CONF}"
  mapfile -t fails < <(failures 200)
  outcomes "${fails[@]}"
  watch_for 40
  assert_success
  assert_output --partial "relaunching"
  [[ "$(wc -l <"${RELAUNCHES}")" -ge 1 ]]
  # Never before T: each relaunch comes >= 1 s after the first failed probe of its run
  # (the previous relaunch resets the count), after >= 3 failed probes.
  local start at
  start="$(awk '$2 == "fail" {print $1; exit}' "${PROBES}")"
  while read -r at; do
    (((at - start) >= 1000000000))
    [[ "$(awk -v a="${start}" -v b="${at}" '$1 >= a && $1 < b' "${PROBES}" | wc -l)" -ge 3 ]]
    start="$(awk -v t="${at}" '$1 > t {print $1; exit}' "${PROBES}")"
    [[ -n "${start}" ]] || break
  done <"${RELAUNCHES}"
}

@test "watch: T passed but fewer than N failures -> no relaunch yet" {
  echo "WATCH_FAILURES=50" >>"${CONF}"
  echo "WATCH_MIN_DOWN=0" >>"${CONF}"
  mapfile -t fails < <(failures 20)
  outcomes "${fails[@]}"
  watch_for 20
  assert_equal "$(wc -l <"${RELAUNCHES}")" "0"
  mapfile -t fails < <(failures 60)
  outcomes "${fails[@]}"
  watch_for 55
  assert_equal "$(wc -l <"${RELAUNCHES}")" "1"
}

@test "watch: relaunch refused by the lease (exit 3) is logged and watching goes on" {
  echo "WATCH_FAILURES=2" >>"${CONF}"
  echo "WATCH_MIN_DOWN=0" >>"${CONF}"
  outcomes fail fail fail fail ok
  FAKE_RELAUNCH_RC=3 watch_for 6
  assert_success
  assert_equal "$(wc -l <"${RELAUNCHES}")" "2"
  assert_output --partial "another relauncher holds the lease"
}

@test "watch: bad input -> exit 2" {
  run "${HA_HOME}/bin/nn-watch" --config "${CONF}" --bogus
  assert_failure 2
  assert_output "nn-watch: error: unknown argument: --bogus (see --help)"
  echo "WATCH_FAILURES=0" >>"${CONF}"
  run "${HA_HOME}/bin/nn-watch" --config "${CONF}"
  assert_failure 2
  assert_output "nn-watch: error: WATCH_FAILURES=0: expected at least 1"
}
