#!/usr/bin/env bash
# shellcheck disable=SC2034  # globals used by the commands that source this file
#
# Shared by bin/ec2-topology and bin/ec2-topology-table: the config keys (one KEY=value
# file, no shell evaluation; the environment overrides the file), the log, and the one
# describe-instances query that turns instances into /<availability-zone>/<rack> lines.
# Every key, its default and its meaning is in conf/ec2-topology.conf.example (a test
# keeps the two in sync). Sourced, never executed.

[[ -z "${_EC2_TOPOLOGY_LIB:-}" ]] || return 0
_EC2_TOPOLOGY_LIB=1

readonly EXIT_OK=0
readonly EXIT_FAILED=1 # ec2-topology-table: AWS failed or found nothing; old table kept
readonly EXIT_USAGE=2  # bad argument or config key (named in the message)

PROG="${PROG:-${0##*/}}"

declare -gA CFG=()
declare -gA CFG_DEFAULTS=(
  [TOPOLOGY_REGION]=""
  [TOPOLOGY_ENDPOINT_URL]=""
  [TOPOLOGY_PROFILE]=""
  [TOPOLOGY_AWS_CLI]="aws"
  [TOPOLOGY_AWS_TIMEOUT]="5"
  [TOPOLOGY_DNS_TIMEOUT]="1"
  [TOPOLOGY_RACK_TAG]=""
  [TOPOLOGY_DEFAULT]="/default-zone/default-rack"
  [TOPOLOGY_CACHE_DIR]=""
  [TOPOLOGY_CACHE_TTL]="600"
  [TOPOLOGY_STALE_TTL]="86400"
  [TOPOLOGY_LOG_DIR]=""
  [TOPOLOGY_LOG_MAX_BYTES]="10485760"
  [TOPOLOGY_TABLE_FILTER_TAG]=""
  [TOPOLOGY_TABLE_STATES]="running"
  [TOPOLOGY_TABLE_TIMEOUT]="120"
)

# Where the log goes; set by topo_init_paths (best effort before that).
LOG_FILE=""
LOG_CHECKED=false

#######################################
# Appends one line to the log file (never fails: a log that cannot be written must not
# change the answer Hadoop gets). Rotates the file to .1 above TOPOLOGY_LOG_MAX_BYTES.
# Arguments:
#   level, message...
#######################################
log() {
  local level="$1"
  shift
  [[ -n "${LOG_FILE}" ]] || return 0
  local max="${CFG[TOPOLOGY_LOG_MAX_BYTES]:-0}" size
  if [[ "${LOG_CHECKED}" == false && "${max}" =~ ^[0-9]+$ && -f "${LOG_FILE}" ]] && ((max > 0)); then
    size="$(stat -c %s "${LOG_FILE}" 2>/dev/null || echo 0)"
    if ((size > max)); then
      mv -f "${LOG_FILE}" "${LOG_FILE}.1" 2>/dev/null || true
    fi
  fi
  LOG_CHECKED=true
  # (printf's own clock: no process per line)
  { printf '%(%Y-%m-%dT%H:%M:%S%z)T %s[%d] %s %s\n' -1 "${PROG}" "$$" "${level}" "$*" \
    >>"${LOG_FILE}"; } 2>/dev/null || true
}

#######################################
# Configuration error: one line on stderr (Hadoop shows a failing script's stderr in the
# daemon's log) and in the log file, then exit 2.
# Arguments:
#   message...
#######################################
die_usage() {
  echo "${PROG}: error: $*" >&2
  if [[ -z "${LOG_FILE}" ]]; then
    # Best effort: where the log would have gone.
    local dir="${TOPOLOGY_LOG_DIR:-${CFG[TOPOLOGY_LOG_DIR]:-${HADOOP_LOG_DIR:-}}}"
    [[ -n "${dir}" && -d "${dir}" && -w "${dir}" ]] && LOG_FILE="${dir}/ec2-topology.log"
  fi
  log ERROR "$* (exit ${EXIT_USAGE}; Hadoop maps every host of this call to its default rack)"
  exit "${EXIT_USAGE}"
}

#######################################
# Loads defaults, then the config file (if any), then TOPOLOGY_* environment variables.
# Exits 2 naming the first bad line or key.
# Arguments:
#   config file; "" = none. A file named by the caller must exist.
#   "required" when the file was named explicitly (missing = error)
#######################################
topo_load_config() {
  local file="$1" required="${2:-}"
  local key
  for key in "${!CFG_DEFAULTS[@]}"; do
    CFG["${key}"]="${CFG_DEFAULTS[${key}]}"
  done
  if [[ -n "${file}" ]]; then
    if [[ -f "${file}" && -r "${file}" ]]; then
      topo_read_file "${file}"
    elif [[ "${required}" == "required" ]]; then
      die_usage "config file not readable: ${file}"
    fi
  fi
  for key in "${!CFG_DEFAULTS[@]}"; do
    if [[ -v "${key}" ]]; then
      CFG["${key}"]="${!key}"
    fi
  done
  topo_validate
}

#######################################
# Reads KEY=value lines into CFG (comments, blank lines, one pair of quotes; no evaluation).
#######################################
topo_read_file() {
  local file="$1" line lineno=0 key value
  while IFS= read -r line || [[ -n "${line}" ]]; do
    lineno=$((lineno + 1))
    line="${line%$'\r'}"
    [[ "${line}" =~ ^[[:space:]]*(#.*)?$ ]] && continue
    if [[ ! "${line}" =~ ^[[:space:]]*([A-Z][A-Z0-9_]*)=(.*)$ ]]; then
      die_usage "${file}:${lineno}: expected KEY=value, got: ${line}"
    fi
    key="${BASH_REMATCH[1]}"
    value="${BASH_REMATCH[2]}"
    if [[ ! -v "CFG_DEFAULTS[${key}]" ]]; then
      die_usage "${file}:${lineno}: unknown config key ${key}"
    fi
    if [[ "${value}" =~ ^\"(.*)\"$ || "${value}" =~ ^\'(.*)\'$ ]]; then
      value="${BASH_REMATCH[1]}"
    fi
    CFG["${key}"]="${value}"
  done <"${file}"
}

#######################################
# Checks every key. Exits 2 with one message naming the key and its value.
#######################################
topo_validate() {
  local key
  for key in TOPOLOGY_AWS_TIMEOUT TOPOLOGY_DNS_TIMEOUT TOPOLOGY_TABLE_TIMEOUT; do
    [[ "${CFG[${key}]}" =~ ^[0-9]+(\.[0-9]+)?$ && "${CFG[${key}]}" =~ [1-9] ]] \
      || die_usage "${key}=${CFG[${key}]}: expected seconds > 0 (e.g. 5 or 2.5)"
  done
  for key in TOPOLOGY_CACHE_TTL TOPOLOGY_STALE_TTL TOPOLOGY_LOG_MAX_BYTES; do
    [[ "${CFG[${key}]}" =~ ^[0-9]+$ ]] \
      || die_usage "${key}=${CFG[${key}]}: expected a whole number >= 0"
  done
  [[ "${CFG[TOPOLOGY_DEFAULT]}" =~ ^/[A-Za-z0-9._:-]+/[A-Za-z0-9._:-]+$ ]] \
    || die_usage "TOPOLOGY_DEFAULT=${CFG[TOPOLOGY_DEFAULT]}: expected /zone/rack (two levels, like every other answer)"
  [[ -z "${CFG[TOPOLOGY_RACK_TAG]}" || "${CFG[TOPOLOGY_RACK_TAG]}" =~ ^[A-Za-z0-9_.:/=+@-]{1,128}$ ]] \
    || die_usage "TOPOLOGY_RACK_TAG=${CFG[TOPOLOGY_RACK_TAG]}: expected a tag key of letters, digits and _ . : / = + @ -"
  [[ -z "${CFG[TOPOLOGY_ENDPOINT_URL]}" || "${CFG[TOPOLOGY_ENDPOINT_URL]}" =~ ^https?://[^[:space:]]+$ ]] \
    || die_usage "TOPOLOGY_ENDPOINT_URL=${CFG[TOPOLOGY_ENDPOINT_URL]}: expected http(s)://..."
  [[ "${CFG[TOPOLOGY_REGION]}" =~ ^[a-z0-9-]*$ ]] \
    || die_usage "TOPOLOGY_REGION=${CFG[TOPOLOGY_REGION]}: expected a region name like us-east-1"
  [[ "${CFG[TOPOLOGY_PROFILE]}" =~ ^[A-Za-z0-9._-]*$ ]] \
    || die_usage "TOPOLOGY_PROFILE=${CFG[TOPOLOGY_PROFILE]}: expected a profile name"
  [[ -n "${CFG[TOPOLOGY_AWS_CLI]}" ]] \
    || die_usage "TOPOLOGY_AWS_CLI is empty: expected the AWS CLI command"
  [[ -z "${CFG[TOPOLOGY_TABLE_FILTER_TAG]}" \
    || "${CFG[TOPOLOGY_TABLE_FILTER_TAG]}" =~ ^[A-Za-z0-9_.:/+@-]{1,128}=[A-Za-z0-9_.:/=+@-]*$ ]] \
    || die_usage "TOPOLOGY_TABLE_FILTER_TAG=${CFG[TOPOLOGY_TABLE_FILTER_TAG]}: expected KEY=VALUE"
  [[ "${CFG[TOPOLOGY_TABLE_STATES]}" =~ ^(pending|running|stopping|stopped)(,(pending|running|stopping|stopped))*$ ]] \
    || die_usage "TOPOLOGY_TABLE_STATES=${CFG[TOPOLOGY_TABLE_STATES]}: expected a comma list of pending, running, stopping, stopped"
  for key in TOPOLOGY_CACHE_DIR TOPOLOGY_LOG_DIR; do
    [[ -z "${CFG[${key}]}" || "${CFG[${key}]}" == /* ]] \
      || die_usage "${key}=${CFG[${key}]}: expected an absolute path"
  done
}

#######################################
# Sets CACHE_DIR (created 0700; empty when it cannot be used) and LOG_FILE.
# Globals:
#   CFG, HADOOP_LOG_DIR
#######################################
topo_init_paths() {
  CACHE_DIR="${CFG[TOPOLOGY_CACHE_DIR]:-/var/tmp/ec2-topology-${EUID}}"
  local log_dir="${CFG[TOPOLOGY_LOG_DIR]:-${HADOOP_LOG_DIR:-${CACHE_DIR}}}"
  local cache_problem=""
  if ! (umask 077 && mkdir -p "${CACHE_DIR}") 2>/dev/null; then
    cache_problem="cannot create ${CACHE_DIR}"
  elif [[ ! -O "${CACHE_DIR}" || ! -w "${CACHE_DIR}" ]]; then
    cache_problem="${CACHE_DIR} is not a directory of this user"
  fi
  mkdir -p "${log_dir}" 2>/dev/null || true
  LOG_FILE="${log_dir}/ec2-topology.log"
  if [[ -n "${cache_problem}" ]]; then
    log WARN "cache disabled: ${cache_problem}"
    CACHE_DIR=""
  fi
}

#######################################
# Runs one `aws ec2 describe-instances` under `timeout`, text output, one line per
# instance: zone, subnet, private DNS name, primary IP, all private IPs (comma list),
# rack tag value. Returns the CLI's (or timeout's: 124) exit status.
# Arguments:
#   timeout (seconds), then --filters arguments
#######################################
topo_describe() {
  local limit="$1"
  shift
  local tag="${CFG[TOPOLOGY_RACK_TAG]}"
  local tag_expr="''"
  if [[ -n "${tag}" ]]; then
    tag_expr="join('', (Tags[?Key=='${tag}'].Value || \`[]\`))"
  fi
  local query="Reservations[].Instances[].[Placement.AvailabilityZone, SubnetId || '-',"
  query+=" PrivateDnsName || '-', PrivateIpAddress || '-',"
  query+=" join(',', (NetworkInterfaces[].PrivateIpAddresses[].PrivateIpAddress || \`[]\`)) || '-',"
  query+=" ${tag_expr}]"
  local secs="${limit%%.*}"
  ((secs >= 1)) || secs=1
  local -a cmd=("${CFG[TOPOLOGY_AWS_CLI]}" ec2 describe-instances --output text
    --query "${query}" --cli-connect-timeout "${secs}" --cli-read-timeout "${secs}")
  [[ -z "${CFG[TOPOLOGY_REGION]}" ]] || cmd+=(--region "${CFG[TOPOLOGY_REGION]}")
  [[ -z "${CFG[TOPOLOGY_ENDPOINT_URL]}" ]] || cmd+=(--endpoint-url "${CFG[TOPOLOGY_ENDPOINT_URL]}")
  [[ -z "${CFG[TOPOLOGY_PROFILE]}" ]] || cmd+=(--profile "${CFG[TOPOLOGY_PROFILE]}")
  cmd+=(--filters "$@")
  AWS_PAGER="" timeout -k 1 "${limit}" "${cmd[@]}"
}

#######################################
# Reads topo_describe output on stdin; prints "key<TAB>/<zone>/<rack>" for every private IP
# and the private DNS name of each instance.
#######################################
topo_parse() {
  local zone subnet dns primary ips tag loc ip
  local -a all ips_arr
  while IFS=$'\t' read -r zone subnet dns primary ips tag; do
    [[ -n "${zone}" && "${zone}" != "None" && -n "${subnet}" ]] || continue
    # rack = the TOPOLOGY_RACK_TAG tag's value when the instance has it (characters other
    # than letters, digits, . _ : - become _: Hadoop splits the answers on white space),
    # else the subnet id.
    if [[ -n "${tag}" ]]; then
      loc="/${zone}/${tag//[^A-Za-z0-9._:-]/_}"
    else
      loc="/${zone}/${subnet}"
    fi
    all=()
    [[ "${primary}" == "-" ]] || all+=("${primary}")
    if [[ "${ips}" != "-" ]]; then
      IFS=',' read -ra ips_arr <<<"${ips}"
      all+=("${ips_arr[@]}")
    fi
    [[ "${dns}" == "-" ]] || all+=("${dns,,}")
    for ip in "${all[@]}"; do
      [[ "${ip}" =~ ^[a-z0-9._-]{1,253}$ ]] || continue
      printf '%s\t%s\n' "${ip}" "${loc}"
    done
  done
}
