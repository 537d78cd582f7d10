#!/usr/bin/env bash
# shellcheck disable=SC2034  # globals used by the files that source this one
#
# Epoch/lease kept as tags on the volume, so two relaunchers racing (two watchers) cannot
# both act. The store (EC2 tags, files) has no compare-and-swap, so the lease uses
# Fischer's timed mutual exclusion: read the lease; if it is free, write our claim with a
# new epoch; wait LEASE_SETTLE seconds; read again: only the last writer finds its own
# claim and wins. A claim written more than LEASE_SETTLE after the read that saw the
# lease free is withdrawn (the timing bound the algorithm relies on). The winner checks the
# lease before every step and renews its expiry, so a loser that slipped in stops the
# winner too (nobody acts twice; a rerun converges).
#
# Lease tag value: "epoch=N owner=NAME host=HOST pid=PID expires=EPOCH_SECONDS".
# Sourced, never executed.

[[ -z "${_NNR_LEASE_SH:-}" ]] || return 0
_NNR_LEASE_SH=1

readonly TAG_LEASE="nn-relaunch:lease"
readonly TAG_STATE="nn-relaunch:state"          # in-progress | done
readonly TAG_OLD="nn-relaunch:old-instance"     # instance fenced by this epoch
readonly TAG_NEW="nn-relaunch:new-instance"     # replacement launched by this epoch
readonly TAG_FSCK="nn-relaunch:force-detached"  # epoch that force-detached: full fsck due

LEASE_EPOCH=""
LEASE_EXPIRES=0
VOL_ZONE=""
VOL_STATE=""
VOL_ATTACHED=""
declare -gA VTAGS=()

#######################################
# Describes the volume once (provider volume_info): sets VOL_ZONE, VOL_STATE,
# VOL_ATTACHED ('' when not attached) and VTAGS (its nn-relaunch:* tags).
# Returns 4 when the volume does not exist; exits on other errors.
#######################################
volume_refresh() {
  local out line rc=0 first=1
  out="$(volume_info "${CFG[VOLUME_ID]}")" || rc=$?
  if ((rc == 4)); then
    return 4
  fi
  ((rc == 0)) || die "${EXIT_FAILED}" "cannot describe ${CFG[VOLUME_ID]}"
  VTAGS=()
  while IFS= read -r line; do
    if ((first == 1)); then
      read -r VOL_ZONE VOL_STATE VOL_ATTACHED <<<"${line}"
      [[ "${VOL_ATTACHED}" != "-" ]] || VOL_ATTACHED=""
      first=0
    elif [[ -n "${line}" ]]; then
      VTAGS["${line%%=*}"]="${line#*=}"
    fi
  done <<<"${out}"
}

tags_read() {
  volume_refresh || die "${EXIT_FAILED}" "volume ${CFG[VOLUME_ID]} disappeared"
}

set_volume_tag() {
  set_volume_tags "$@"
}

#######################################
# Prints one field of a lease value.
# Arguments:
#   lease value, field name
#######################################
lease_field() {
  local value="$1" field="$2" word
  for word in ${value}; do
    if [[ "${word}" == "${field}="* ]]; then
      echo "${word#*=}"
      return 0
    fi
  done
  echo ""
}

#######################################
# Our identity in a lease value, without the expiry.
#######################################
lease_me() {
  echo "owner=${CFG[LEASE_OWNER]} host=$(hostname) pid=$$"
}

#######################################
# True when the lease value is held (unexpired, holder alive) by someone other than us.
#######################################
lease_held_by_other() {
  local value="$1"
  [[ -n "${value}" ]] || return 1
  local expires host pid
  expires="$(lease_field "${value}" expires)"
  host="$(lease_field "${value}" host)"
  pid="$(lease_field "${value}" pid)"
  [[ "${expires}" =~ ^[0-9]+$ ]] || return 1
  ((expires > $(now_s))) || return 1
  if [[ "${value}" == *"$(lease_me)"* ]]; then
    return 1
  fi
  # A relauncher on this host that died (killed mid-step) holds nothing: resume at once.
  if [[ "${host}" == "$(hostname)" && "${pid}" =~ ^[0-9]+$ ]] && ! kill -0 "${pid}" 2>/dev/null; then
    return 1
  fi
  return 0
}

#######################################
# Acquires the lease or exits EXIT_LEASE. Sets LEASE_EPOCH.
#######################################
lease_acquire() {
  local t_read t_written current epoch claim
  t_read="$(now_ns)"
  tags_read
  current="${VTAGS[${TAG_LEASE}]:-}"
  if lease_held_by_other "${current}"; then
    die "${EXIT_LEASE}" "lease held by another relauncher (${current}); not acting"
  fi
  epoch="$(lease_field "${current}" epoch)"
  [[ "${epoch}" =~ ^[0-9]+$ ]] || epoch=0
  epoch=$((epoch + 1))
  LEASE_EXPIRES=$(($(now_s) + CFG[LEASE_TTL]))
  claim="epoch=${epoch} $(lease_me) expires=${LEASE_EXPIRES}"
  set_volume_tag "${CFG[VOLUME_ID]}" "${TAG_LEASE}" "${claim}"
  t_written="$(now_ns)"
  local settle_ns
  settle_ns="$(awk -v s="${CFG[LEASE_SETTLE]}" 'BEGIN { printf "%d", s * 1e9 }')"
  if ((t_written - t_read > settle_ns)); then
    set_volume_tag "${CFG[VOLUME_ID]}" "${TAG_LEASE}" "epoch=${epoch} $(lease_me) expires=0" || true
    die "${EXIT_LEASE}" "lease claim took longer than LEASE_SETTLE (${CFG[LEASE_SETTLE]}s) after reading the lease; withdrawn, run again (raise LEASE_SETTLE)"
  fi
  sleep "${CFG[LEASE_SETTLE]}"
  tags_read
  if [[ "${VTAGS[${TAG_LEASE}]:-}" != "${claim}" ]]; then
    die "${EXIT_LEASE}" "lost the lease race to another relauncher (${VTAGS[${TAG_LEASE}]:-none})"
  fi
  LEASE_EPOCH="${epoch}"
  STEP_DETAIL="epoch ${epoch} owner ${CFG[LEASE_OWNER]}"
}

#######################################
# Before each step: checks we still hold the lease (exits EXIT_LEASE if not), renews it
# once half of it has run out, and refreshes the volume's state and tags.
#######################################
lease_check() {
  [[ -n "${LEASE_EPOCH}" ]] || return 0
  tags_read
  local current="${VTAGS[${TAG_LEASE}]:-}"
  if [[ "$(lease_field "${current}" epoch)" != "${LEASE_EPOCH}" || "${current}" != *"$(lease_me)"* ]]; then
    die "${EXIT_LEASE}" "lease lost to another relauncher (${current:-none}); stopping"
  fi
  if ((LEASE_EXPIRES - $(now_s) < CFG[LEASE_TTL] / 2)); then
    LEASE_EXPIRES=$(($(now_s) + CFG[LEASE_TTL]))
    set_volume_tag "${CFG[VOLUME_ID]}" "${TAG_LEASE}" \
      "epoch=${LEASE_EPOCH} $(lease_me) expires=${LEASE_EXPIRES}"
  fi
}

#######################################
# Releases the lease (keeps the epoch so the next relaunch counts on from it).
#######################################
lease_release() {
  [[ -n "${LEASE_EPOCH}" ]] || return 0
  set_volume_tag "${CFG[VOLUME_ID]}" "${TAG_LEASE}" "epoch=${LEASE_EPOCH} $(lease_me) expires=0"
  LEASE_EPOCH=""
}
