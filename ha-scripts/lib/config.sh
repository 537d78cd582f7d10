#!/usr/bin/env bash
# shellcheck disable=SC2034  # globals used by the files that source this one
#
# Parses one KEY=value config file (no shell evaluation) into the CFG associative array.
# Every key, its default and its meaning is listed in conf/nn-relaunch.conf.example; the
# table below is the one the code uses, and a test checks the two agree.
# Sourced, never executed.

[[ -z "${_NNR_CONFIG_SH:-}" ]] || return 0
_NNR_CONFIG_SH=1

declare -gA CFG=()
declare -gA CFG_DEFAULTS=(
  # Common
  [PROVIDER]=""
  [CLUSTER_ID]=""
  [VOLUME_ID]=""
  [ADDRESS]=""
  [ZONE]=""
  [MOUNT_POINT]="/srv/hadoop/nn"
  [NAME_SUBDIR]="name"
  [NN_RPC_PORT]="8020"
  [NN_HTTP_PORT]="9870"
  [NN_START_COMMAND]="hdfs --daemon start namenode"
  [HDFS_COMMAND]="hdfs"
  [VERIFY_PATH]="/"
  [FENCE_MODE]="stop"
  [TERMINATE_OLD]="true"
  [LEASE_OWNER]=""
  [LEASE_TTL]="600"
  [LEASE_SETTLE]="10"
  [POLL_INTERVAL]="2"
  [FENCE_TIMEOUT]="300"
  [DETACH_TIMEOUT]="60"
  [FORCE_DETACH_TIMEOUT]="120"
  [LAUNCH_TIMEOUT]="600"
  [ATTACH_TIMEOUT]="120"
  [COMMAND_TIMEOUT]="300"
  [START_TIMEOUT]="900"
  [SAFEMODE_TIMEOUT]="600"
  [COMMAND_GRACE]="60"
  [VERIFY_TIMEOUT]="120"
  # Cross-zone relaunch (DESIGN.md)
  [JOURNAL_URI]=""
  [JOURNAL_HTTP_PORT]="8480"
  [CROSS_ZONE]="auto"
  [NAME_DIR_OWNER]=""
  # nn-watch
  [WATCH_INTERVAL]="5"
  [WATCH_FAILURES]="6"
  [WATCH_MIN_DOWN]="60"
  [WATCH_PROBE_TIMEOUT]="5"
  [WATCH_PROBE_COMMAND]=""
  [WATCH_RELAUNCH_COMMAND]=""
  # aws provider
  [AWS_REGION]=""
  [AWS_ENDPOINT_URL]=""
  [AWS_PROFILE]=""
  [AWS_CLI]="aws"
  [AWS_LAUNCH_TEMPLATE]=""
  [AWS_LAUNCH_TEMPLATE_VERSION]="\$Default"
  [AWS_SUBNETS]=""
  [AWS_ADDRESS_MODE]="eip"
  [AWS_DEVICE_NAME]="/dev/sdf"
  [AWS_NN_HOST_PATH]="/opt/ha-scripts/bin/nn-host"
  [AWS_SSM_ONLINE_TIMEOUT]="600"
  [AWS_REQUIRE_INSTANCE_PROFILE]="true"
  [AWS_VERIFY_VIA]="private-ip"
  [AWS_REGIONAL_S3_URI]=""
  # local provider
  [LOCAL_STATE_DIR]=""
  [LOCAL_ZONES]="zone-a,zone-b,zone-c"
  [LOCAL_BRIDGE_NS]="nnr-br"
  [LOCAL_CLIENT_NS]="nnr-client"
  [LOCAL_SUBNET_PREFIX]="198.18.0"
  [LOCAL_REGIONAL_DIR]=""
)

# Keys every provider needs.
readonly CFG_REQUIRED_COMMON=(PROVIDER CLUSTER_ID VOLUME_ID ADDRESS)
# Keys that must be non-negative integers.
readonly CFG_INTEGER_KEYS=(NN_RPC_PORT NN_HTTP_PORT LEASE_TTL FENCE_TIMEOUT DETACH_TIMEOUT
  FORCE_DETACH_TIMEOUT LAUNCH_TIMEOUT ATTACH_TIMEOUT COMMAND_TIMEOUT START_TIMEOUT
  SAFEMODE_TIMEOUT COMMAND_GRACE VERIFY_TIMEOUT WATCH_FAILURES WATCH_MIN_DOWN
  WATCH_PROBE_TIMEOUT AWS_SSM_ONLINE_TIMEOUT JOURNAL_HTTP_PORT)
# Time limits that must be at least 1 s (0 would give up before the first poll).
readonly CFG_TIMEOUT_KEYS=(LEASE_TTL FENCE_TIMEOUT DETACH_TIMEOUT FORCE_DETACH_TIMEOUT
  LAUNCH_TIMEOUT ATTACH_TIMEOUT COMMAND_TIMEOUT START_TIMEOUT SAFEMODE_TIMEOUT COMMAND_GRACE
  VERIFY_TIMEOUT AWS_SSM_ONLINE_TIMEOUT)
# Keys that may be decimal seconds.
readonly CFG_SECONDS_KEYS=(LEASE_SETTLE POLL_INTERVAL WATCH_INTERVAL)

#######################################
# Loads a config file into CFG, defaults first. Exits EXIT_USAGE naming the first bad line.
# Arguments:
#   path to the config file
#######################################
config_load() {
  local file="$1"
  [[ -n "${file}" ]] || die "${EXIT_USAGE}" "missing --config FILE"
  [[ -f "${file}" && -r "${file}" ]] || die "${EXIT_USAGE}" "config file not readable: ${file}"
  local key
  for key in "${!CFG_DEFAULTS[@]}"; do
    CFG["${key}"]="${CFG_DEFAULTS[${key}]}"
  done
  local line lineno=0 value
  while IFS= read -r line || [[ -n "${line}" ]]; do
    lineno=$((lineno + 1))
    line="${line%$'\r'}"
    [[ "${line}" =~ ^[[:space:]]*(#.*)?$ ]] && continue
    if [[ ! "${line}" =~ ^[[:space:]]*([A-Z][A-Z0-9_]*)=(.*)$ ]]; then
      die "${EXIT_USAGE}" "${file}:${lineno}: expected KEY=value, got: ${line}"
    fi
    key="${BASH_REMATCH[1]}"
    value="${BASH_REMATCH[2]}"
    if [[ ! -v "CFG_DEFAULTS[${key}]" ]]; then
      die "${EXIT_USAGE}" "${file}:${lineno}: unknown config key ${key}"
    fi
    # Strip one pair of matching quotes; nothing is evaluated.
    if [[ "${value}" =~ ^\"(.*)\"$ || "${value}" =~ ^\'(.*)\'$ ]]; then
      value="${BASH_REMATCH[1]}"
    fi
    CFG["${key}"]="${value}"
  done <"${file}"
  if [[ -z "${CFG[LEASE_OWNER]}" ]]; then
    CFG[LEASE_OWNER]="$(hostname)"
  fi
  config_validate_common
}

#######################################
# Validates the keys every provider shares. Exits EXIT_USAGE naming the key.
#######################################
config_validate_common() {
  local key
  for key in "${CFG_REQUIRED_COMMON[@]}"; do
    [[ -n "${CFG[${key}]}" ]] || die "${EXIT_USAGE}" "missing config key ${key}"
  done
  case "${CFG[PROVIDER]}" in
    aws | local) ;;
    *) die "${EXIT_USAGE}" "PROVIDER=${CFG[PROVIDER]}: unknown provider (expected aws or local)" ;;
  esac
  for key in "${CFG_INTEGER_KEYS[@]}"; do
    [[ "${CFG[${key}]}" =~ ^[0-9]+$ ]] \
      || die "${EXIT_USAGE}" "${key}=${CFG[${key}]}: expected a non-negative integer"
  done
  for key in "${CFG_SECONDS_KEYS[@]}"; do
    [[ "${CFG[${key}]}" =~ ^[0-9]+(\.[0-9]+)?$ ]] \
      || die "${EXIT_USAGE}" "${key}=${CFG[${key}]}: expected seconds"
  done
  config_validate_times
  case "${CFG[FENCE_MODE]}" in
    stop | terminate) ;;
    *) die "${EXIT_USAGE}" "FENCE_MODE=${CFG[FENCE_MODE]}: expected stop or terminate" ;;
  esac
  case "${CFG[TERMINATE_OLD]}" in
    true | false) ;;
    *) die "${EXIT_USAGE}" "TERMINATE_OLD=${CFG[TERMINATE_OLD]}: expected true or false" ;;
  esac
  [[ "${CFG[LEASE_OWNER]}" =~ ^[A-Za-z0-9._-]+$ ]] \
    || die "${EXIT_USAGE}" "LEASE_OWNER=${CFG[LEASE_OWNER]}: use letters, digits, . _ -"
  [[ "${CFG[CLUSTER_ID]}" =~ ^[A-Za-z0-9._-]+$ ]] \
    || die "${EXIT_USAGE}" "CLUSTER_ID=${CFG[CLUSTER_ID]}: use letters, digits, . _ -"
  case "${CFG[CROSS_ZONE]}" in
    auto | never) ;;
    *) die "${EXIT_USAGE}" "CROSS_ZONE=${CFG[CROSS_ZONE]}: expected auto or never" ;;
  esac
  if [[ -n "${CFG[JOURNAL_URI]}" ]]; then
    journal_hosts >/dev/null
  fi
  [[ -z "${CFG[NAME_DIR_OWNER]}" || "${CFG[NAME_DIR_OWNER]}" =~ ^[a-z_][a-z0-9_-]*(:[a-z_][a-z0-9_-]*)?$ ]] \
    || die "${EXIT_USAGE}" "NAME_DIR_OWNER=${CFG[NAME_DIR_OWNER]}: expected user or user:group"
  [[ "${CFG[MOUNT_POINT]}" == /* ]] \
    || die "${EXIT_USAGE}" "MOUNT_POINT=${CFG[MOUNT_POINT]}: expected an absolute path"
  [[ "${CFG[NAME_SUBDIR]}" =~ ^[A-Za-z0-9._/-]+$ && "${CFG[NAME_SUBDIR]}" != *..* ]] \
    || die "${EXIT_USAGE}" "NAME_SUBDIR=${CFG[NAME_SUBDIR]}: expected a relative path"
}

#######################################
# Prints the JournalNode hosts of JOURNAL_URI (qjournal://h1:p1;h2:p2;h3:p3/journal-id),
# one a line, after checking its shape; exits EXIT_USAGE naming the key.
#######################################
journal_hosts() {
  local uri="${CFG[JOURNAL_URI]}" hp
  [[ "${uri}" =~ ^qjournal://([^/]+)/([A-Za-z0-9._-]+)$ ]] \
    || die "${EXIT_USAGE}" "JOURNAL_URI=${uri}: expected qjournal://host:port;host:port;host:port/journal-id (the NameNode's dfs.namenode.edits.dir entry)"
  local -a hosts
  IFS=';' read -ra hosts <<<"${BASH_REMATCH[1]}"
  ((${#hosts[@]} >= 3 && ${#hosts[@]} % 2 == 1)) \
    || die "${EXIT_USAGE}" "JOURNAL_URI=${uri}: expected an odd number of JournalNodes, at least 3 (one per zone)"
  for hp in "${hosts[@]}"; do
    [[ "${hp}" =~ ^[A-Za-z0-9.-]+:[0-9]+$ ]] \
      || die "${EXIT_USAGE}" "JOURNAL_URI=${uri}: '${hp}' is not host:port"
    echo "${hp%:*}"
  done
}

#######################################
# Prints the journal id of JOURNAL_URI.
#######################################
journal_id() {
  echo "${CFG[JOURNAL_URI]##*/}"
}

#######################################
# The relations between the time limits (documented in conf/nn-relaunch.conf.example).
# Exits EXIT_USAGE naming the keys.
#######################################
config_validate_times() {
  local key settle_ns poll_ns ttl_ns
  for key in "${CFG_TIMEOUT_KEYS[@]}"; do
    ((CFG[${key}] >= 1)) || die "${EXIT_USAGE}" "${key}=${CFG[${key}]}: expected at least 1 (seconds)"
  done
  settle_ns="$(secs_to_ns "${CFG[LEASE_SETTLE]}")"
  poll_ns="$(secs_to_ns "${CFG[POLL_INTERVAL]}")"
  ttl_ns=$((CFG[LEASE_TTL] * 1000000000))
  ((settle_ns > 0)) || die "${EXIT_USAGE}" "LEASE_SETTLE=${CFG[LEASE_SETTLE]}: expected more than 0"
  ((poll_ns > 0)) || die "${EXIT_USAGE}" "POLL_INTERVAL=${CFG[POLL_INTERVAL]}: expected more than 0"
  # The claim must outlive the settle wait with room to spare.
  ((ttl_ns >= 3 * settle_ns)) \
    || die "${EXIT_USAGE}" "LEASE_TTL=${CFG[LEASE_TTL]} must be at least 3 x LEASE_SETTLE (${CFG[LEASE_SETTLE]})"
  # Renewed from inside every wait once half of it has run out: polls must come far more often.
  ((ttl_ns >= 10 * poll_ns)) \
    || die "${EXIT_USAGE}" "LEASE_TTL=${CFG[LEASE_TTL]} must be at least 10 x POLL_INTERVAL (${CFG[POLL_INTERVAL]})"
  # One client read cannot renew the lease: it must end within half of it.
  ((2 * CFG[VERIFY_TIMEOUT] <= CFG[LEASE_TTL])) \
    || die "${EXIT_USAGE}" "VERIFY_TIMEOUT=${CFG[VERIFY_TIMEOUT]} must be at most LEASE_TTL / 2 (${CFG[LEASE_TTL]} / 2)"
}

#######################################
# Loads the provider file named by CFG[PROVIDER] and validates its keys.
# Globals:
#   HA_HOME
#######################################
provider_load() {
  local file="${HA_HOME}/providers/${CFG[PROVIDER]}.sh"
  [[ -f "${file}" ]] || die "${EXIT_USAGE}" "PROVIDER=${CFG[PROVIDER]}: no provider file ${file}"
  # shellcheck source=/dev/null
  source "${file}"
  provider_validate
}
