#!/usr/bin/env bash
# Shared bats helpers for the ha-scripts tests. Loaded with `load helpers/common`.

HA_HOME="$(cd "${BATS_TEST_DIRNAME}/.." && pwd)"
export HA_HOME
BATS_LIB="${BATS_LIB:-/usr/lib/bats}"
load "${BATS_LIB}/bats-support/load.bash"
load "${BATS_LIB}/bats-assert/load.bash"

# Never talk to 169.254.169.254 (this machine answers there) and never use real credentials.
export AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=AKIATESTNOTREAL0000
export AWS_SECRET_ACCESS_KEY=secret-MARKER-must-never-be-printed
export AWS_SESSION_TOKEN=
unset AWS_PROFILE AWS_DEFAULT_PROFILE
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

#######################################
# Skips the test unless running as root (namespaces, loop devices, mounts).
#######################################
require_root() {
  if ((EUID != 0)); then
    skip "needs root (network/mount namespaces, loop devices)"
  fi
}

#######################################
# Prints why the root end-to-end tests cannot run here (nothing when they can).
#######################################
root_e2e_skip_reason() {
  if ((EUID != 0)); then
    echo "needs root (network/mount namespaces, loop devices)"
  elif [[ ! -f "${HADOOP_CLASSPATH_FILE:-${HA_HOME}/target/hadoop.classpath}" ]]; then
    echo "no Hadoop classpath file (run through Maven: mvn -pl ha-scripts verify)"
  elif ! command -v java >/dev/null; then
    echo "java not installed"
  fi
}

#######################################
# Prints a free TCP port on 127.0.0.1.
#######################################
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

#######################################
# Resolves a command behind a pyenv shim to its real path (saves ~0.1 s per call).
#######################################
real_command() {
  local name="$1" path
  if command -v pyenv >/dev/null 2>&1 && path="$(pyenv which "${name}" 2>/dev/null)"; then
    echo "${path}"
  else
    command -v "${name}"
  fi
}

#######################################
# Writes a KEY=value config file from arguments.
# Arguments:
#   file, KEY=value...
#######################################
write_config() {
  local file="$1"
  shift
  printf '%s\n' "$@" >"${file}"
}
