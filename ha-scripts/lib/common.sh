#!/usr/bin/env bash
# shellcheck disable=SC2034  # globals used by the files that source this one
#
# Common functions for the ha-scripts commands: messages, exit codes, step timing, waits.
# Sourced, never executed.

[[ -z "${_NNR_COMMON_SH:-}" ]] || return 0
_NNR_COMMON_SH=1

# Exit codes shared by every command (documented in conf/nn-relaunch.conf.example).
readonly EXIT_OK=0
readonly EXIT_FAILED=1     # a step failed; safe to run again (resumable)
readonly EXIT_USAGE=2      # bad input: argument, config key, provider, zone, volume
readonly EXIT_LEASE=3      # another relauncher holds the lease (or won the race)
readonly EXIT_REFUSED=4    # a safety check refused to go on (clusterID, zone, live writer)

PROG="${PROG:-$(basename "$0")}"
CURRENT_STEP=""
STEP_START_NS=0
STEP_DETAIL=""

#######################################
# Prints a message to stderr, prefixed with the program name.
#######################################
err() {
  echo "${PROG}: $*" >&2
}

#######################################
# Prints an informational line to stdout.
#######################################
info() {
  echo "${PROG}: $*"
}

#######################################
# Prints one error line and exits.
# Arguments:
#   exit code, message...
#######################################
die() {
  local code="$1"
  shift
  err "error: $*"
  exit "${code}"
}

#######################################
# Nanoseconds since the epoch.
#######################################
now_ns() {
  date +%s%N
}

#######################################
# Seconds since the epoch.
#######################################
now_s() {
  date +%s
}

#######################################
# Converts decimal seconds ("2", "0.5", "600.25") to integer nanoseconds, in bash only
# (awk is not used: mawk's printf "%d" stops at 2^31-1, i.e. 2.1 s). Digits past the ninth
# decimal are dropped. Returns 1 when the argument is not decimal seconds.
#######################################
secs_to_ns() {
  local s="$1" frac
  [[ "${s}" =~ ^([0-9]{1,9})(\.([0-9]*))?$ ]] || return 1
  frac="${BASH_REMATCH[3]}000000000"
  echo "$((10#${BASH_REMATCH[1]} * 1000000000 + 10#${frac:0:9}))"
}

#######################################
# Formats a duration given in nanoseconds as seconds with one decimal.
#######################################
fmt_duration() {
  local ns="$1"
  printf '%d.%01ds' "$((ns / 1000000000))" "$(((ns % 1000000000) / 100000000))"
}

#######################################
# Runs one named step, timed, printing exactly one line for it.
# Globals:
#   CURRENT_STEP, STEP_START_NS, STEP_DETAIL, STEP_HOOK (called before each step)
# Arguments:
#   step name, function, its arguments...
#######################################
run_step() {
  local name="$1"
  shift
  CURRENT_STEP="${name}"
  STEP_DETAIL=""
  STEP_START_NS="$(now_ns)"
  if declare -F step_hook >/dev/null; then
    step_hook "${name}"
  fi
  "$@"
  local elapsed=$(($(now_ns) - STEP_START_NS))
  printf '%s: step %-9s ok  %7s  %s\n' "${PROG}" "${name}" "$(fmt_duration "${elapsed}")" \
    "${STEP_DETAIL}"
  CURRENT_STEP=""
  if [[ -n "${NNR_TEST_KILL_AFTER_STEP:-}" && "${NNR_TEST_KILL_AFTER_STEP}" == "${name}" ]]; then
    # Test hook: simulate the relauncher being killed right after this step.
    kill -9 "$$"
  fi
}

#######################################
# EXIT trap: names the step that failed and how long it ran.
#######################################
report_failed_step() {
  local rc=$?
  if ((rc != 0)) && [[ -n "${CURRENT_STEP}" ]]; then
    local elapsed=$(($(now_ns) - STEP_START_NS))
    printf '%s: step %-9s FAILED %6s  exit %d\n' "${PROG}" "${CURRENT_STEP}" \
      "$(fmt_duration "${elapsed}")" "${rc}" >&2
  fi
  # A failed cloud/tool call (e.g. the AWS CLI's 255) is a failed step: resumable.
  if ((rc > EXIT_REFUSED)); then
    exit "${EXIT_FAILED}"
  fi
  return "${rc}"
}

#######################################
# Polls a command until it succeeds or the timeout passes. Between polls it calls
# wait_hook when the caller defines one (nn-relaunch renews its lease there), so a long
# wait never outlives the lease.
# Arguments:
#   timeout seconds, poll interval seconds, command...
# Returns:
#   0 when the command succeeded, 1 on timeout.
#######################################
wait_until() {
  local timeout="$1" interval="$2"
  shift 2
  local deadline=$(($(now_s) + timeout))
  while true; do
    if "$@"; then
      return 0
    fi
    if (($(now_s) >= deadline)); then
      return 1
    fi
    if declare -F wait_hook >/dev/null; then
      wait_hook
    fi
    sleep "${interval}"
  done
}

#######################################
# True when the argument is a dotted IPv4 address.
#######################################
is_ipv4() {
  local ip="$1"
  [[ "${ip}" =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || return 1
  local part
  for part in "${BASH_REMATCH[@]:1}"; do
    ((10#${part} <= 255)) || return 1
  done
}

#######################################
# True when an IPv4 address lies in 198.18.0.0/15 (RFC 2544 benchmarking range).
#######################################
in_benchmark_range() {
  local ip="$1"
  is_ipv4 "${ip}" || return 1
  [[ "${ip}" == 198.18.* || "${ip}" == 198.19.* ]]
}
