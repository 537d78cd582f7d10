#!/usr/bin/env bats
# Static checks and what needs no AWS: shellcheck, the documented keys, configuration
# errors (exit 2, one message naming the key, logged, no AWS call), config file and
# environment precedence.

bats_require_minimum_version 1.5.0

setup() {
  load helpers/topology
  unset EC2_TOPOLOGY_CONF HADOOP_LOG_DIR
  local key
  for key in $(compgen -v TOPOLOGY_); do
    unset "${key}"
  done
  # Never a real AWS call here: a stand-in that records its arguments.
  CALLS="${BATS_TEST_TMPDIR}/aws-calls"
  cat >"${BATS_TEST_TMPDIR}/aws" <<EOF
#!/usr/bin/env bash
echo "\$*" >>"${CALLS}"
exit 255
EOF
  chmod +x "${BATS_TEST_TMPDIR}/aws"
  export TOPOLOGY_AWS_CLI="${BATS_TEST_TMPDIR}/aws"
  export TOPOLOGY_ENDPOINT_URL=http://127.0.0.1:9
  export TOPOLOGY_REGION=us-east-1
  export TOPOLOGY_CACHE_DIR="${BATS_TEST_TMPDIR}/cache"
  export TOPOLOGY_LOG_DIR="${BATS_TEST_TMPDIR}/log"
  export TOPO_HOSTS=/dev/null
  mkdir -p "${BATS_TEST_TMPDIR}/bin" "${TOPOLOGY_LOG_DIR}"
  ln -sf "${TOPO_HOME}/test/helpers/fake-getent" "${BATS_TEST_TMPDIR}/bin/getent"
  export PATH="${BATS_TEST_TMPDIR}/bin:${PATH}"
}

@test "shellcheck (every check, info included): every script and test is clean" {
  command -v shellcheck >/dev/null || skip "shellcheck not installed"
  run shellcheck "${TOPO_HOME}"/bin/* "${TOPO_HOME}"/lib/*.sh "${TOPO_HOME}"/test/run-tests \
    "${TOPO_HOME}"/test/helpers/*.bash "${TOPO_HOME}"/test/helpers/fake-getent \
    "${TOPO_HOME}"/test/*.bats
  assert_success
}

@test "config: the example documents exactly the keys the code knows, with their defaults" {
  source "${TOPO_HOME}/lib/ec2-topology-lib.sh"
  local documented known key value
  documented="$(sed -n 's/^\([A-Z][A-Z0-9_]*\)=.*/\1/p' "${TOPO_HOME}/conf/ec2-topology.conf.example" | sort)"
  known="$(printf '%s\n' "${!CFG_DEFAULTS[@]}" | sort)"
  assert_equal "${documented}" "${known}"
  while IFS='=' read -r key value; do
    assert_equal "${key}=${value}" "${key}=${CFG_DEFAULTS[${key}]}"
  done < <(grep -E '^[A-Z][A-Z0-9_]*=' "${TOPO_HOME}/conf/ec2-topology.conf.example")
  # ... and the README lists every key.
  for key in "${!CFG_DEFAULTS[@]}"; do
    grep -q "\`${key}\`" "${TOPO_HOME}/README.md" || fail "${key} missing from topology/README.md"
  done
}

# Runs ec2-topology with one bad setting; it must exit 2 with no output on stdout, one
# line on stderr naming the key, the same in the log, and no AWS call.
bad() {
  local expect="$1"
  shift
  run --separate-stderr env "$@" "${TOPO_HOME}/bin/ec2-topology" 10.20.1.4 10.20.1.5
  assert_failure 2
  assert_output ""
  # shellcheck disable=SC2154 # set by run --separate-stderr
  assert_equal "${stderr}" "ec2-topology: error: ${expect}"
  grep -qF "ERROR ${expect} (exit 2; Hadoop maps every host of this call to its default rack)" \
    "${TOPOLOGY_LOG_DIR}/ec2-topology.log"
  [[ ! -e "${CALLS}" ]]
}

@test "bad config: exit 2, stdout empty, one message naming the key on stderr and in the log" {

  bad "TOPOLOGY_AWS_TIMEOUT=soon: expected seconds > 0 (e.g. 5 or 2.5)" TOPOLOGY_AWS_TIMEOUT=soon
  bad "TOPOLOGY_AWS_TIMEOUT=0: expected seconds > 0 (e.g. 5 or 2.5)" TOPOLOGY_AWS_TIMEOUT=0
  bad "TOPOLOGY_CACHE_TTL=10m: expected a whole number >= 0" TOPOLOGY_CACHE_TTL=10m
  bad "TOPOLOGY_STALE_TTL=-1: expected a whole number >= 0" TOPOLOGY_STALE_TTL=-1
  bad "TOPOLOGY_DEFAULT=/default-rack: expected /zone/rack (two levels, like every other answer)" \
    TOPOLOGY_DEFAULT=/default-rack
  bad "TOPOLOGY_RACK_TAG=it's: expected a tag key of letters, digits and _ . : / = + @ -" \
    "TOPOLOGY_RACK_TAG=it's"
  bad "TOPOLOGY_ENDPOINT_URL=127.0.0.1:5000: expected http(s)://..." \
    TOPOLOGY_ENDPOINT_URL=127.0.0.1:5000
  bad "TOPOLOGY_CACHE_DIR=cache: expected an absolute path" TOPOLOGY_CACHE_DIR=cache
  printf '%s\n' "# comment" "TOPOLOGY_CACHE_TTL=60" "TOPOLOGY_CACHETTL=60" >"${BATS_TEST_TMPDIR}/c.conf"
  bad "${BATS_TEST_TMPDIR}/c.conf:3: unknown config key TOPOLOGY_CACHETTL" \
    EC2_TOPOLOGY_CONF="${BATS_TEST_TMPDIR}/c.conf"
  printf '%s\n' "TOPOLOGY_CACHE_TTL 60" >"${BATS_TEST_TMPDIR}/c.conf"
  bad "${BATS_TEST_TMPDIR}/c.conf:1: expected KEY=value, got: TOPOLOGY_CACHE_TTL 60" \
    EC2_TOPOLOGY_CONF="${BATS_TEST_TMPDIR}/c.conf"
  bad "config file not readable: ${BATS_TEST_TMPDIR}/none.conf" \
    EC2_TOPOLOGY_CONF="${BATS_TEST_TMPDIR}/none.conf"
  # Control: a good config gets past validation (here: AWS is the failing stand-in, so the
  # hosts get the default, exit 0, one line each).
  run --separate-stderr "${TOPO_HOME}/bin/ec2-topology" 10.20.1.4 10.20.1.5
  assert_success
  assert_output "$(printf '%s\n' /default-zone/default-rack /default-zone/default-rack)"
  [[ -e "${CALLS}" ]]
}

@test "config: file read without evaluation, environment overrides it, file beside the script" {
  # shellcheck disable=SC2016 # the $( ) must reach the file unexpanded
  printf '%s\n' 'TOPOLOGY_DEFAULT="/zone-f/rack-f"' "TOPOLOGY_RACK_TAG='rack'" \
    'TOPOLOGY_PROFILE=$(touch '"${BATS_TEST_TMPDIR}"'/pwned)' >"${BATS_TEST_TMPDIR}/c.conf"
  EC2_TOPOLOGY_CONF="${BATS_TEST_TMPDIR}/c.conf" run "${TOPO_HOME}/bin/ec2-topology" 10.20.1.4
  assert_failure 2
  assert_output --partial "TOPOLOGY_PROFILE=\$(touch"
  [[ ! -e "${BATS_TEST_TMPDIR}/pwned" ]]
  sed -i '/TOPOLOGY_PROFILE/d' "${BATS_TEST_TMPDIR}/c.conf"
  EC2_TOPOLOGY_CONF="${BATS_TEST_TMPDIR}/c.conf" run "${TOPO_HOME}/bin/ec2-topology" 10.20.1.4
  assert_success
  assert_output /zone-f/rack-f
  grep -q "Tags\[?Key=='rack'\]" "${CALLS}"
  EC2_TOPOLOGY_CONF="${BATS_TEST_TMPDIR}/c.conf" TOPOLOGY_DEFAULT=/zone-e/rack-e \
    run "${TOPO_HOME}/bin/ec2-topology" 10.20.1.4
  assert_output /zone-e/rack-e
  # Without EC2_TOPOLOGY_CONF: ec2-topology.conf beside the script (as Hadoop calls it,
  # through a symlink in another directory).
  mkdir -p "${BATS_TEST_TMPDIR}/conf"
  ln -s "${TOPO_HOME}/bin/ec2-topology" "${BATS_TEST_TMPDIR}/conf/topology.sh"
  cp "${BATS_TEST_TMPDIR}/c.conf" "${BATS_TEST_TMPDIR}/conf/ec2-topology.conf"
  run "${BATS_TEST_TMPDIR}/conf/topology.sh" 10.20.1.4
  assert_success
  assert_output /zone-f/rack-f
  # The AWS call carried the region, endpoint and the hard client-side limits.
  grep -q -- "--region us-east-1" "${CALLS}"
  grep -q -- "--endpoint-url http://127.0.0.1:9" "${CALLS}"
  grep -q -- "--cli-read-timeout 5" "${CALLS}"
}

@test "log: written under TOPOLOGY_LOG_DIR, else HADOOP_LOG_DIR; an unwritable log never changes an answer" {
  run "${TOPO_HOME}/bin/ec2-topology" 10.20.1.4
  assert_output /default-zone/default-rack
  grep -q "WARN 10.20.1.4: AWS did not answer and no cache entry" \
    "${TOPOLOGY_LOG_DIR}/ec2-topology.log"
  unset TOPOLOGY_LOG_DIR
  export HADOOP_LOG_DIR="${BATS_TEST_TMPDIR}/hadoop-logs"
  mkdir -p "${HADOOP_LOG_DIR}"
  run "${TOPO_HOME}/bin/ec2-topology" 10.20.1.4
  assert_output /default-zone/default-rack
  grep -q "WARN 10.20.1.4" "${HADOOP_LOG_DIR}/ec2-topology.log"
  # A log directory that cannot exist (a file is in the way): same answer, exit 0.
  : >"${BATS_TEST_TMPDIR}/file"
  TOPOLOGY_LOG_DIR="${BATS_TEST_TMPDIR}/file/log" run "${TOPO_HOME}/bin/ec2-topology" 10.20.1.4
  assert_success
  assert_output /default-zone/default-rack
  # Rotation above TOPOLOGY_LOG_MAX_BYTES.
  TOPOLOGY_LOG_MAX_BYTES=10 run "${TOPO_HOME}/bin/ec2-topology" 10.20.1.4
  [[ -s "${HADOOP_LOG_DIR}/ec2-topology.log.1" ]]
}

@test "cache dir owned by someone else or unusable: runs without a cache (logged)" {
  : >"${BATS_TEST_TMPDIR}/notadir"
  TOPOLOGY_CACHE_DIR="${BATS_TEST_TMPDIR}/notadir/cache" run "${TOPO_HOME}/bin/ec2-topology" 10.20.1.4
  assert_success
  assert_output /default-zone/default-rack
  grep -q "WARN cache disabled: cannot create" "${TOPOLOGY_LOG_DIR}/ec2-topology.log"
}

@test "hostile arguments: the default, one line each, nothing evaluated" {
  # shellcheck disable=SC2016 # the $( ) must reach the script unexpanded
  run "${TOPO_HOME}/bin/ec2-topology" '$(touch '"${BATS_TEST_TMPDIR}"'/p1)' \
    'a[$(touch '"${BATS_TEST_TMPDIR}"'/p2)]' 'x]' '' '--help' 'a b'
  assert_success
  assert_equal "${#lines[@]}" 6
  run grep -c "not an IP or host name" "${TOPOLOGY_LOG_DIR}/ec2-topology.log"
  assert_output 6
  [[ ! -e "${BATS_TEST_TMPDIR}/p1" && ! -e "${BATS_TEST_TMPDIR}/p2" ]]
}
