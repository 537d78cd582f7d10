#!/usr/bin/env bash
# Shared bats helpers for the topology tests. Loaded with `load helpers/topology`.
# Reuses the ha-scripts helpers by sourcing them: common.bash (bats-assert, test-only AWS
# credentials, AWS_EC2_METADATA_DISABLED, free_port) and moto.bash (moto_server and the
# warm AWS CLI on 127.0.0.1), and ha-scripts/test/helpers/fake-aws as the AWS CLI (it logs
# every call to NNR_AWS_LOG and injects the faults listed in NNR_AWS_FAULTS).

TOPO_HOME="$(cd "${BATS_TEST_DIRNAME}/.." && pwd)"
export TOPO_HOME
load "${TOPO_HOME}/../ha-scripts/test/helpers/common.bash"
load "${TOPO_HOME}/../ha-scripts/test/helpers/moto.bash"
# common.bash points HA_HOME at this module; moto.bash needs the ha-scripts one.
HA_HOME="$(cd "${TOPO_HOME}/../ha-scripts" && pwd)"
export HA_HOME

#######################################
# Builds the EC2 world once per file (after moto_start); its KEY=value lines are kept in
# BATS_FILE_TMPDIR/world.env.
#######################################
topo_world_setup() {
  "${MOTO_PY}" "${TOPO_HOME}/test/helpers/topo_world.py" "${MOTO_URL}" setup \
    >"${BATS_FILE_TMPDIR}/world.env"
}

#######################################
# Per test: the world's variables, the scripts' environment pointed at moto_server, a
# fresh cache and log directory, a fake getent (no DNS query leaves the machine) and an
# empty AWS call log.
#######################################
topo_test_env() {
  moto_env
  # shellcheck source=/dev/null
  source "${BATS_FILE_TMPDIR}/world.env"
  unset EC2_TOPOLOGY_CONF HADOOP_LOG_DIR
  local key
  for key in $(compgen -v TOPOLOGY_); do
    unset "${key}"
  done
  export TOPOLOGY_REGION=us-east-1
  export TOPOLOGY_ENDPOINT_URL="${MOTO_URL}"
  export TOPOLOGY_AWS_CLI="${HA_HOME}/test/helpers/fake-aws"
  # Generous: this 2-core machine is often loaded (one warm CLI call measured 0.9-1.3 s at
  # load 6). The tests about the limit set it themselves.
  export TOPOLOGY_AWS_TIMEOUT=20
  export TOPOLOGY_CACHE_DIR="${BATS_TEST_TMPDIR}/cache"
  export TOPOLOGY_LOG_DIR="${BATS_TEST_TMPDIR}/log"
  export NNR_AWS_LOG="${BATS_TEST_TMPDIR}/aws.log"
  export NNR_AWS_FAULTS="${BATS_TEST_TMPDIR}/faults"
  : >"${NNR_AWS_LOG}"
  : >"${NNR_AWS_FAULTS}"
  export TOPO_HOSTS="${BATS_TEST_TMPDIR}/hosts"
  : >"${TOPO_HOSTS}"
  mkdir -p "${BATS_TEST_TMPDIR}/bin"
  ln -sf "${TOPO_HOME}/test/helpers/fake-getent" "${BATS_TEST_TMPDIR}/bin/getent"
  export PATH="${BATS_TEST_TMPDIR}/bin:${PATH}"
}

#######################################
# Runs ec2-topology with the arguments (bats `run`).
#######################################
topo() {
  run "${TOPO_HOME}/bin/ec2-topology" "$@"
}

#######################################
# Number of describe-instances calls logged by fake-aws so far.
#######################################
aws_calls() {
  grep -c 'describe-instances' "${NNR_AWS_LOG}" || true
}

#######################################
# The log of ec2-topology in this test.
#######################################
topo_log() {
  cat "${TOPOLOGY_LOG_DIR}/ec2-topology.log" 2>/dev/null || true
}

#######################################
# Rewrites the cache file's timestamps to AGE seconds ago (all entries).
# Arguments:
#   age in seconds
#######################################
cache_age() {
  local file="${TOPOLOGY_CACHE_DIR}/ec2-topology.cache" ts
  ts=$(($(date +%s) - $1))
  awk -v ts="${ts}" 'BEGIN { FS = OFS = "\t" } NR == 1 { print; next } { $3 = ts; print }' \
    "${file}" >"${file}.new"
  mv "${file}.new" "${file}"
}

#######################################
# Starts a TCP listener on 127.0.0.1 that accepts connections and never answers; prints
# its URL. Stopped by blackhole_stop.
#######################################
blackhole_start() {
  local port
  port="$(free_port)"
  python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
' "${port}" >/dev/null 2>&1 3>&- &
  echo "$!" >"${BATS_TEST_TMPDIR}/blackhole.pid"
  local _
  for _ in $(seq 1 50); do
    if python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()' \
      "${port}" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  echo "http://127.0.0.1:${port}"
}

blackhole_stop() {
  if [[ -f "${BATS_TEST_TMPDIR}/blackhole.pid" ]]; then
    kill "$(cat "${BATS_TEST_TMPDIR}/blackhole.pid")" 2>/dev/null || true
  fi
}

#######################################
# A URL on 127.0.0.1 where nothing listens (connection refused at once).
#######################################
closed_url() {
  echo "http://127.0.0.1:$(free_port)"
}
