#!/usr/bin/env bash
# moto_server lifecycle for the aws-provider tests: one server per test file on 127.0.0.1
# and a random free port, reset before each test.

#######################################
# Starts moto_server and the warm AWS CLI; exports MOTO_URL, MOTO_PY, NNR_REAL_AWS,
# NNR_AWS_WARM_SOCKET, NNR_PY_CLIENT (moto_env loads them in each test).
#######################################
moto_start() {
  local server port
  server="$(real_command moto_server)" || skip "moto_server not installed"
  NNR_REAL_AWS="$(real_command aws)" || skip "aws CLI not installed"
  MOTO_PY="$(dirname "${server}")/python3"
  [[ -x "${MOTO_PY}" ]] || MOTO_PY="python3"
  port="$(free_port)"
  "${server}" -H 127.0.0.1 -p "${port}" >"${BATS_FILE_TMPDIR}/moto.log" 2>&1 3>&- &
  echo "$!" >"${BATS_FILE_TMPDIR}/moto.pid"
  MOTO_URL="http://127.0.0.1:${port}"
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "${MOTO_URL}/moto-api/"; then
      break
    fi
    sleep 0.1
  done
  # The AWS CLI's own code and moto_world.py in a warm process (test/helpers/aws_warm.py).
  NNR_AWS_WARM_SOCKET="${BATS_FILE_TMPDIR}/aws-warm.sock"
  aws_warm_start "$(dirname "${NNR_REAL_AWS}")/python3" "${NNR_AWS_WARM_SOCKET}" \
    "${BATS_FILE_TMPDIR}/aws-warm" "${MOTO_URL}"
  NNR_PY_CLIENT=/usr/bin/python3
  [[ -x "${NNR_PY_CLIENT}" ]] || NNR_PY_CLIENT=python3
  export MOTO_URL MOTO_PY NNR_REAL_AWS NNR_AWS_WARM_SOCKET NNR_PY_CLIENT
  echo "${MOTO_URL} ${MOTO_PY} ${NNR_REAL_AWS} ${NNR_AWS_WARM_SOCKET} ${NNR_PY_CLIENT}" \
    >"${BATS_FILE_TMPDIR}/moto.env"
}

#######################################
# Starts test/helpers/aws_warm.py serving SOCKET with PYTHON's awscli (and moto_world.py
# when URL is given); its pid goes to PREFIX.pid, its log to PREFIX.log. Returns when the
# socket is there.
# Arguments:
#   python, socket, prefix, url (optional)
#######################################
aws_warm_start() {
  local python="$1" socket="$2" prefix="$3" url="${4:-}"
  "${python}" "${HA_HOME}/test/helpers/aws_warm.py" serve "${socket}" ${url:+"${url}"} \
    >"${prefix}.log" 2>&1 3>&- &
  echo "$!" >"${prefix}.pid"
  for _ in $(seq 1 300); do
    [[ -S "${socket}" ]] && break
    sleep 0.1
  done
}

moto_stop() {
  local f
  for f in moto.pid aws-warm.pid; do
    if [[ -f "${BATS_FILE_TMPDIR}/${f}" ]]; then
      kill "$(cat "${BATS_FILE_TMPDIR}/${f}")" 2>/dev/null || true
    fi
  done
}

#######################################
# Loads what moto_start exported (setup_file runs in another process). NNR_WORLD_SOCKET
# (world) is the same warm process; a test may point NNR_AWS_WARM_SOCKET (fake-aws's CLI
# calls) elsewhere.
#######################################
moto_env() {
  read -r MOTO_URL MOTO_PY NNR_REAL_AWS NNR_AWS_WARM_SOCKET NNR_PY_CLIENT \
    <"${BATS_FILE_TMPDIR}/moto.env"
  NNR_WORLD_SOCKET="${NNR_AWS_WARM_SOCKET}"
  export MOTO_URL MOTO_PY NNR_REAL_AWS NNR_AWS_WARM_SOCKET NNR_WORLD_SOCKET NNR_PY_CLIENT
}

world() {
  if [[ -S "${NNR_WORLD_SOCKET:-}" ]]; then
    "${NNR_PY_CLIENT}" "${HA_HOME}/test/helpers/aws_warm.py" --world "${NNR_WORLD_SOCKET}" \
      "${MOTO_URL}" "$@"
  else
    "${MOTO_PY}" "${HA_HOME}/test/helpers/moto_world.py" "${MOTO_URL}" "$@"
  fi
}
