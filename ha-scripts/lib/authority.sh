#!/usr/bin/env bash
# shellcheck disable=SC2034  # globals used by the files that source this one
#
# Shared by nn-relaunch and nn-image-push: which volume is the NameNode's (the chain of
# stale volumes after cross-zone relaunches) and the NNH_* settings nn-host gets.
# Sourced, never executed.

[[ -z "${_NNR_AUTHORITY_SH:-}" ]] || return 0
_NNR_AUTHORITY_SH=1

LEFT_INSTANCES=()
TARGET_VOLUME=""

#######################################
# Follows the chain of stale volumes from the configured VOLUME_ID to the NameNode's
# current one (CFG[VOLUME_ID] set to it). A volume with a relaunch in progress is not
# followed: that run is resumed from it.
#######################################
resolve_authority() {
  local start="${CFG[VOLUME_ID]}" hops=0 rc=0 succ
  while true; do
    rc=0
    volume_refresh || rc=$?
    ((rc == 0)) || break
    succ="${VTAGS[${TAG_SUCCESSOR}]:-}"
    [[ -n "${succ}" && "${VTAGS[${TAG_STATE}]:-}" != "in-progress" ]] || break
    if [[ -n "${VTAGS[${TAG_LEFT}]:-}" ]]; then
      LEFT_INSTANCES+=("${CFG[VOLUME_ID]}=${VTAGS[${TAG_LEFT}]}")
    fi
    CFG[VOLUME_ID]="${succ}"
    hops=$((hops + 1))
    ((hops < 100)) || die "${EXIT_REFUSED}" "more than 100 successor volumes from ${start}: a loop? refusing"
  done
  if ((hops > 0)); then
    info "${start} is stale (relaunched in another zone); the NameNode's volume is ${CFG[VOLUME_ID]} (${hops} hop(s))"
  fi
}

#######################################
# The NNH_* settings every nn-host call gets (NNH_ENV).
#######################################
nnh_env() {
  # shellcheck disable=SC2034  # read by the provider's run_on_instance
  NNH_ENV=(
    "NNH_VOLUME_ID=${TARGET_VOLUME:-${CFG[VOLUME_ID]}}"
    "NNH_MOUNT_POINT=${CFG[MOUNT_POINT]}"
    "NNH_NAME_SUBDIR=${CFG[NAME_SUBDIR]}"
    "NNH_CLUSTER_ID=${CFG[CLUSTER_ID]}"
    "NNH_NN_RPC_PORT=${CFG[NN_RPC_PORT]}"
    "NNH_NN_HTTP_PORT=${CFG[NN_HTTP_PORT]}"
    "NNH_NN_START_COMMAND=${CFG[NN_START_COMMAND]}"
    "NNH_START_TIMEOUT=${CFG[START_TIMEOUT]}"
    "NNH_SAFEMODE_TIMEOUT=${CFG[SAFEMODE_TIMEOUT]}"
    "NNH_FSCK_FORCE=${FSCK_FORCE:-0}"
    "NNH_HDFS_COMMAND=${CFG[HDFS_COMMAND]}"
    "NNH_NAME_DIR_OWNER=${CFG[NAME_DIR_OWNER]}"
  )
}

