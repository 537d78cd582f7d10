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
readonly TAG_MODE="nn-relaunch:mode"            # same-zone | cross-zone (this epoch's)
readonly TAG_HOME_ZONE="nn-relaunch:target-zone" # cross-zone: where the NameNode goes
readonly TAG_NEW_VOLUME="nn-relaunch:new-volume" # cross-zone: the volume restored there
readonly TAG_JOURNAL_TXID="nn-relaunch:journal-txid" # cross-zone: quorum txid before start
readonly TAG_SUCCESSOR="nn-relaunch:successor"  # on a stale volume: the volume after it
readonly TAG_STALE="nn-relaunch:stale"          # never the authority again (epoch, why)
readonly TAG_LEFT="nn-relaunch:left-instance"   # old instance not reachable at cleanup
readonly TAG_NAMENODE="nn-relaunch:namenode"    # instance serving the NameNode (last done
                                                # run, or set by the operator)

LEASE_EPOCH=""
LEASE_EXPIRES=0
VOL_ZONE=""
VOL_STATE=""
VOL_ATTACHED=""
VOL_ATTACH_STATE=""
declare -ga VOL_ATTACHMENTS=()
declare -gA VTAGS=()

#######################################
# Describes the volume once (provider volume_info): sets VOL_ZONE, VOL_STATE (the
# volume's own state: available, in-use, ...), VOL_ATTACHMENTS (every attachment not yet
# detached, "instance:state"; the instance is '' when unknown), VOL_ATTACHED and
# VOL_ATTACH_STATE (the first of them, '' when none: attaching, attached, detaching, busy)
# and VTAGS (its nn-relaunch:* tags).
# Returns 4 when the volume does not exist; exits on other errors.
#######################################
volume_refresh() {
  local out line rc=0 first=1 attachments
  out="$(volume_info "${CFG[VOLUME_ID]}")" || rc=$?
  if ((rc == 4)); then
    return 4
  fi
  ((rc == 0)) || die "${EXIT_FAILED}" "cannot describe ${CFG[VOLUME_ID]}"
  VTAGS=()
  while IFS= read -r line; do
    if ((first == 1)); then
      read -r VOL_ZONE VOL_STATE attachments <<<"${line}"
      VOL_ATTACHMENTS=()
      if [[ -n "${attachments}" && "${attachments}" != "-" ]]; then
        IFS=',' read -ra VOL_ATTACHMENTS <<<"${attachments}"
      fi
      VOL_ATTACHED=""
      VOL_ATTACH_STATE=""
      if ((${#VOL_ATTACHMENTS[@]} > 0)); then
        VOL_ATTACHED="${VOL_ATTACHMENTS[0]%%:*}"
        VOL_ATTACH_STATE="${VOL_ATTACHMENTS[0]#*:}"
      fi
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
# Acquires the lease or exits: EXIT_LEASE when another relauncher holds it or won the
# race, EXIT_FAILED when every attempt wrote its claim too late (a loaded host: run again,
# or raise LEASE_SETTLE). Sets LEASE_EPOCH.
#######################################
lease_acquire() {
  local attempt
  for attempt in 1 2 3; do
    if lease_try; then
      return 0
    fi
    err "lease claim (attempt ${attempt} of 3) written more than LEASE_SETTLE (${CFG[LEASE_SETTLE]}s) after reading the lease; withdrawn"
  done
  die "${EXIT_FAILED}" "lease claim took longer than LEASE_SETTLE (${CFG[LEASE_SETTLE]}s) after reading the lease, 3 times; run again (or raise LEASE_SETTLE)"
}

#######################################
# One attempt of Fischer's mutex. Returns 0 with the lease, 1 when our claim was written
# too late (then withdrawn); exits EXIT_LEASE when someone else holds or wins it.
#######################################
lease_try() {
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
  settle_ns="$(secs_to_ns "${CFG[LEASE_SETTLE]}")"
  if ((t_written - t_read > settle_ns)); then
    # Withdraw our claim (put back the free lease we read, so the epoch does not move)
    # only if it is still the current one: a competitor may have written its own
    # meanwhile, and that one is not ours to overwrite.
    tags_read
    if [[ "${VTAGS[${TAG_LEASE}]:-}" == "${claim}" ]]; then
      set_volume_tag "${CFG[VOLUME_ID]}" "${TAG_LEASE}" "${current}" || true
    fi
    return 1
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
# Inside long waits (wait_hook): once half of the lease has run out, checks it is still
# ours and renews it (lease_check); otherwise costs nothing.
#######################################
lease_keepalive() {
  [[ -n "${LEASE_EPOCH}" ]] || return 0
  if ((LEASE_EXPIRES - $(now_s) < CFG[LEASE_TTL] / 2)); then
    lease_check
  fi
}

#######################################
# Releases the lease (keeps the epoch so the next relaunch counts on from it), in the
# same single tag write as the extra KEY VALUE pairs given (e.g. state=done), so no
# interruption can leave one written without the other.
# Arguments:
#   key, value [, key, value ...] (optional)
#######################################
lease_release() {
  [[ -n "${LEASE_EPOCH}" ]] || return 0
  set_volume_tags "${CFG[VOLUME_ID]}" "$@" \
    "${TAG_LEASE}" "epoch=${LEASE_EPOCH} $(lease_me) expires=0"
  LEASE_EPOCH=""
}
