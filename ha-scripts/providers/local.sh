#!/usr/bin/env bash
# shellcheck disable=SC2034  # globals used by the files that source this one
#
# Provider "local" (root): an instance is a Linux network namespace plus its own mount
# namespace (held by one "holder" process); the volume is an ext4 image attached as a loop
# device and mounted only inside the owning instance's mount namespace; the address is a /32
# moved between namespaces with a gratuitous ARP (arping -U). All namespaces hang off one
# bridge that lives in its own namespace; addresses come from 198.18.0.0/15 only, and
# nothing is routed off the machine.
#
# State under LOCAL_STATE_DIR:
#   volumes/NAME/{image,zone,attached,tags/KEY}   instances/ID/{zone,ip,pid,state,volume,epoch}
#   addresses/IP (holder id)                      seq (instance counter)
#   zones/ZONE (lost | cut; absent = healthy)     regional/ (LOCAL_REGIONAL_DIR default)
#   faults/launch-ZONE (tests: launches there fail)
# Zones: "lost" kills every process of the zone's instances (links down), its volumes are
# unavailable and nothing launches there; "cut" keeps the processes running but moves the
# zone's links onto an island bridge (bz-ZONE): the zone talks only to itself, the control
# plane (this file, like EC2's regional API) cannot fence or run commands there. The
# regional store is a host directory outside every zone (see regional_put).
# Sourced, never executed.

local_dir() {
  echo "${CFG[LOCAL_STATE_DIR]}"
}

provider_validate() {
  [[ -n "${CFG[LOCAL_STATE_DIR]}" ]] \
    || die "${EXIT_USAGE}" "missing config key LOCAL_STATE_DIR (provider local)"
  [[ "${CFG[LOCAL_STATE_DIR]}" == /* ]] \
    || die "${EXIT_USAGE}" "LOCAL_STATE_DIR=${CFG[LOCAL_STATE_DIR]}: expected an absolute path"
  in_benchmark_range "${CFG[ADDRESS]}" \
    || die "${EXIT_USAGE}" "ADDRESS=${CFG[ADDRESS]}: the local provider only uses 198.18.0.0/15"
  in_benchmark_range "${CFG[LOCAL_SUBNET_PREFIX]}.1" \
    || die "${EXIT_USAGE}" "LOCAL_SUBNET_PREFIX=${CFG[LOCAL_SUBNET_PREFIX]}: must lie in 198.18.0.0/15"
  [[ "${CFG[VOLUME_ID]}" =~ ^[A-Za-z0-9._-]+$ ]] \
    || die "${EXIT_USAGE}" "VOLUME_ID=${CFG[VOLUME_ID]}: use letters, digits, . _ -"
  ((EUID == 0)) || die "${EXIT_USAGE}" "PROVIDER=local needs root (namespaces, loop devices)"
}

netns_exists() {
  [[ -e "/run/netns/$1" ]]
}

provider_preflight() {
  local zone="$1" z ok=0
  local -a zones
  IFS=',' read -ra zones <<<"${CFG[LOCAL_ZONES]}"
  for z in "${zones[@]}"; do
    [[ "${z}" == "${zone}" ]] && ok=1
  done
  ((ok == 1)) || die "${EXIT_USAGE}" "LOCAL_ZONES=${CFG[LOCAL_ZONES]} has no zone ${zone} (the volume's zone)"
  netns_exists "${CFG[LOCAL_BRIDGE_NS]}" \
    || die "${EXIT_USAGE}" "LOCAL_BRIDGE_NS=${CFG[LOCAL_BRIDGE_NS]}: namespace not found"
  netns_exists "${CFG[LOCAL_CLIENT_NS]}" \
    || die "${EXIT_USAGE}" "LOCAL_CLIENT_NS=${CFG[LOCAL_CLIENT_NS]}: namespace not found"
}

#######################################
# Writes a small state file atomically.
#######################################
local_put() {
  local file="$1" value="$2"
  mkdir -p "$(dirname "${file}")"
  printf '%s\n' "${value}" >"${file}.tmp.$$"
  mv -f "${file}.tmp.$$" "${file}"
}

local_get() {
  local file="$1"
  if [[ -f "${file}" ]]; then
    cat "${file}"
  fi
}

#######################################
# Prints the loop device backing a volume image, if any.
#######################################
local_loop_of() {
  local image="$1"
  losetup -n -O NAME -j "${image}" 2>/dev/null | head -n 1
}

volume_info() {
  local vdir
  vdir="$(local_dir)/volumes/$1"
  [[ -f "${vdir}/image" ]] || return 4
  local attached state attachments zone
  attached="$(local_get "${vdir}/attached")"
  zone="$(local_get "${vdir}/zone")"
  if [[ "$(zone_state "${zone}")" == "lost" ]]; then
    # The zone's storage is gone with it (EBS in an AZ outage: impaired, no I/O).
    state="unavailable"
    attachments="${attached:+${attached}:attached}"
    attachments="${attachments:--}"
  elif [[ -n "${attached}" ]]; then
    state="in-use"
    attachments="${attached}:attached"
  elif [[ -n "$(local_loop_of "${vdir}/image")" ]]; then
    # Detached from its instance, loop device not yet released (still mounted somewhere).
    state="in-use"
    attachments=":detaching"
  else
    state="available"
    attachments="-"
  fi
  echo "${zone} ${state} ${attachments}"
  local tag value
  if [[ -d "${vdir}/tags" ]]; then
    # No process per tag: the lease's read-then-write must fit in LEASE_SETTLE on a busy host.
    for tag in "${vdir}"/tags/*; do
      [[ -f "${tag}" && "${tag}" != *.tmp.* ]] || continue
      value=""
      IFS= read -r value <"${tag}" || true
      echo "${tag##*/}=${value}"
    done
  fi
}

set_volume_tags() {
  local vol="$1"
  shift
  local vdir
  vdir="$(local_dir)/volumes/${vol}"
  while (($# >= 2)); do
    local_put "${vdir}/tags/$1" "$2"
    shift 2
  done
}

#######################################
# True when the instance's holder process is alive.
#######################################
local_holder_alive() {
  local idir pid
  idir="$(local_dir)/instances/$1"
  pid="$(local_get "${idir}/pid")"
  [[ -n "${pid}" ]] && kill -0 "${pid}" 2>/dev/null \
    && [[ "$(readlink "/proc/${pid}/exe" 2>/dev/null)" == */sleep ]] && netns_exists "$1"
}

instance_info() {
  local id="$1" idir
  idir="$(local_dir)/instances/${id}"
  if [[ ! -d "${idir}" ]]; then
    echo "absent -"
    return 0
  fi
  local zone state
  zone="$(local_get "${idir}/zone")"
  state="$(local_get "${idir}/state")"
  if [[ "${state}" == "terminated" ]]; then
    echo "terminated ${zone}"
  elif local_holder_alive "${id}"; then
    echo "running ${zone}"
  else
    echo "stopped ${zone}"
  fi
}

#######################################
# kill -9 every process of the instance (its network namespace) and take its link down:
# the machine is off. Waits until no process is left.
#######################################
local_kill_instance() {
  local id="$1" pids tries=0
  netns_exists "${id}" || return 0
  while pids="$(ip netns pids "${id}" 2>/dev/null)" && [[ -n "${pids}" ]]; do
    # shellcheck disable=SC2086  # a list of pids
    kill -9 ${pids} 2>/dev/null || true
    sleep 0.05
    tries=$((tries + 1))
    ((tries < 200)) || return 1
  done
  ip -n "${id}" link set eth0 down 2>/dev/null || true
}

fence_instance() {
  local id="$1"
  local_reachable "${id}" || return 1
  if [[ "${CFG[FENCE_MODE]}" == "terminate" ]]; then
    terminate_instance "${id}"
  else
    local_kill_instance "${id}"
    local_put "$(local_dir)/instances/${id}/state" "stopped"
  fi
}

detach_volume() {
  local vol="$1" id="$2" force="${3:-}" vdir loop
  vdir="$(local_dir)/volumes/${vol}"
  local attached
  attached="$(local_get "${vdir}/attached")"
  if [[ -n "${attached}" && "${attached}" != "${id}" ]]; then
    err "${vol} is attached to ${attached}, not ${id}"
    return 1
  fi
  loop="$(local_loop_of "${vdir}/image")"
  local_put "${vdir}/attached" ""
  if [[ -n "${loop}" ]]; then
    # Busy (still mounted somewhere): the kernel detaches it once free ("detaching").
    losetup -d "${loop}" 2>/dev/null || [[ "${force}" == "force" ]] || true
  fi
}

#######################################
# Starts an instance: netns + veth on the bridge + holder process owning a private mount
# namespace. Prints its id.
# Arguments:
#   zone, epoch ('' for instances not launched for the volume, e.g. DataNodes)
#######################################
launch_instance() {
  local zone="$1" epoch="${2:-}" dir seq id idir ip br="${CFG[LOCAL_BRIDGE_NS]}"
  dir="$(local_dir)"
  mkdir -p "${dir}/instances"
  if [[ "$(zone_state "${zone}")" != "ok" ]]; then
    err "zone ${zone} is $(zone_state "${zone}"): cannot launch there"
    return 1
  fi
  if [[ -f "${dir}/faults/launch-${zone}" ]]; then
    # Tests: the zone is up but takes no new instance (EC2: InsufficientInstanceCapacity).
    err "zone ${zone}: no capacity for a new instance (fault ${dir}/faults/launch-${zone})"
    return 1
  fi
  seq="$(local_get "${dir}/seq")"
  seq=$((${seq:-0} + 1))
  local_put "${dir}/seq" "${seq}"
  id="${br}-i${seq}"
  ip="${CFG[LOCAL_SUBNET_PREFIX]}.$((20 + seq))"
  idir="${dir}/instances/${id}"
  mkdir -p "${idir}"
  local_put "${idir}/zone" "${zone}"
  local_put "${idir}/ip" "${ip}"
  if [[ -n "${epoch}" ]]; then
    local_put "${idir}/volume" "${CFG[VOLUME_ID]}"
    local_put "${idir}/epoch" "${epoch}"
  fi
  ip netns add "${id}"
  ip -n "${br}" link add "v${seq}" type veth peer name eth0 netns "${id}"
  ip -n "${br}" link set "v${seq}" master br0 up
  ip -n "${id}" addr add "${ip}/24" dev eth0
  ip -n "${id}" link set eth0 up
  ip -n "${id}" link set lo up
  setsid ip netns exec "${id}" unshare -m --propagation private sleep infinity \
    </dev/null >/dev/null 2>&1 3>&- &
  local pid=$!
  local_put "${idir}/pid" "${pid}"
  local tries=0
  until [[ "$(readlink "/proc/${pid}/ns/mnt" 2>/dev/null)" != "$(readlink /proc/self/ns/mnt)" \
    && -n "$(readlink "/proc/${pid}/ns/mnt" 2>/dev/null)" \
    && "$(readlink "/proc/${pid}/exe" 2>/dev/null)" == */sleep ]]; do
    tries=$((tries + 1))
    ((tries < 100)) || {
      err "instance ${id}: holder did not start"
      return 1
    }
    sleep 0.05
  done
  local_put "${idir}/state" "running"
  echo "${id}"
}

volume_instances() {
  local vol="$1" idir
  for idir in "$(local_dir)"/instances/*; do
    [[ -d "${idir}" ]] || continue
    [[ "$(local_get "${idir}/volume")" == "${vol}" ]] || continue
    [[ "$(local_get "${idir}/state")" != "terminated" ]] || continue
    basename "${idir}"
  done
}

attach_volume() {
  local vol="$1" id="$2" vdir
  vdir="$(local_dir)/volumes/${vol}"
  [[ -z "$(local_get "${vdir}/attached")" ]] || {
    err "${vol} is attached to $(local_get "${vdir}/attached")"
    return 1
  }
  [[ -z "$(local_loop_of "${vdir}/image")" ]] || {
    err "${vol} still has a loop device"
    return 1
  }
  losetup -f --show "${vdir}/image" >/dev/null
  local_put "${vdir}/attached" "${id}"
}

address_holders() {
  local_get "$(local_dir)/addresses/$1" | sed '/^$/d'
}

address_ip() {
  echo "$1"
}

move_address() {
  local addr="$1" id="$2" old
  old="$(address_holders "${addr}")"
  if [[ -n "${old}" && "${old}" != "${id}" ]] && netns_exists "${old}"; then
    ip -n "${old}" addr del "${addr}/32" dev eth0 2>/dev/null || true
  fi
  if ! ip -n "${id}" -o addr show dev eth0 | grep -q " ${addr}/32 "; then
    ip -n "${id}" addr add "${addr}/32" dev eth0
  fi
  local_put "$(local_dir)/addresses/${addr}" "${id}"
  # Gratuitous ARP: DataNodes and clients update their caches at once (else ~40 s).
  ip netns exec "${id}" arping -q -U -c 1 -w 1 -I eth0 "${addr}" || true
}

terminate_instance() {
  local id="$1" dir idir vol
  local_reachable "${id}" || return 1
  dir="$(local_dir)"
  idir="${dir}/instances/${id}"
  local_kill_instance "${id}" || true
  for vol in "${dir}"/volumes/*; do
    [[ -d "${vol}" ]] || continue
    if [[ "$(local_get "${vol}/attached")" == "${id}" ]]; then
      detach_volume "$(basename "${vol}")" "${id}" force || true
    fi
  done
  local a
  for a in "${dir}"/addresses/*; do
    [[ -f "${a}" ]] || continue
    if [[ "$(cat "${a}")" == "${id}" ]]; then
      local_put "${a}" ""
    fi
  done
  if netns_exists "${id}"; then
    ip netns del "${id}"
  fi
  if [[ -d "${idir}" ]]; then
    local_put "${idir}/state" "terminated"
  fi
}

#######################################
# Runs a command inside the instance (its network and mount namespaces).
#######################################
local_exec() {
  local id="$1" pid
  shift
  pid="$(local_get "$(local_dir)/instances/${id}/pid")"
  if [[ -z "${pid}" ]] || ! kill -0 "${pid}" 2>/dev/null; then
    err "instance ${id} is not running"
    return 1
  fi
  local_reachable "${id}" || return 1
  nsenter -t "${pid}" -m -n -- "$@"
}

#######################################
# Runs nn-host SUBCOMMAND in the instance, killed after LIMIT + COMMAND_GRACE s (nn-host's
# own limit is LIMIT). Runs in the background so wait_hook (the lease) is called meanwhile.
# Arguments:
#   instance, subcommand, limit (seconds)
#######################################
run_on_instance() {
  local id="$1" sub="$2" limit="$3" pid rc=0
  local_exec "${id}" timeout "$((limit + CFG[COMMAND_GRACE]))" env NNH_DEVICE_LOOKUP=loop \
    "NNH_DEVICE_HINT=$(local_dir)/volumes/${TARGET_VOLUME:-${CFG[VOLUME_ID]}}/image" "${NNH_ENV[@]}" \
    "${HA_HOME}/bin/nn-host" "${sub}" &
  pid=$!
  while kill -0 "${pid}" 2>/dev/null; do
    if declare -F wait_hook >/dev/null; then
      wait_hook
    fi
    sleep "${CFG[POLL_INTERVAL]}"
  done
  wait "${pid}" || rc=$?
  return "${rc}"
}

run_client() {
  ip netns exec "${CFG[LOCAL_CLIENT_NS]}" "$@"
}

# ---- zones, new volumes and the regional image store (cross-zone relaunch) --------------

#######################################
# Prints a zone's state: ok, lost or cut.
#######################################
zone_state() {
  local f="${CFG[LOCAL_STATE_DIR]}/zones/$1" st=""
  if [[ -f "${f}" ]]; then
    IFS= read -r st <"${f}" || true
  fi
  echo "${st:-ok}"
}

#######################################
# Prints the configured zones, one a line, in preference order.
#######################################
provider_zones() {
  tr ',' '\n' <<<"${CFG[LOCAL_ZONES]}" | sed '/^$/d'
}

#######################################
# True when the control plane reaches the instance: not in a cut-off zone.
#######################################
local_reachable() {
  local zone
  zone="$(local_get "$(local_dir)/instances/$1/zone")"
  if [[ -n "${zone}" && "$(zone_state "${zone}")" == "cut" ]]; then
    err "instance $1 is in zone ${zone}, which is cut off: unreachable"
    return 1
  fi
}

#######################################
# Nothing to refuse: the /32 moves between any two instances on the bridge (like an
# Elastic IP, which is regional).
#######################################
provider_cross_zone_check() {
  return 0
}

#######################################
# Creates a blank volume (no file system: nn-host restore makes one) for a cross-zone
# relaunch: named after the first volume of the chain, the next generation and the zone,
# so a rerun that lost the id finds it again instead of creating a second one. Prints its
# id.
# Arguments:
#   zone, epoch (recorded in its created-by tag)
#######################################
create_volume() {
  local zone="$1" epoch="$2" src base gen name vdir size
  src="$(local_dir)/volumes/${CFG[VOLUME_ID]}"
  base="$(local_get "${src}/origin")"
  base="${base:-${CFG[VOLUME_ID]}}"
  gen="$(local_get "${src}/generation")"
  gen=$((${gen:-0} + 1))
  name="${base}-g${gen}-${zone}"
  vdir="$(local_dir)/volumes/${name}"
  if [[ -f "${vdir}/image" ]]; then
    echo "${name}"
    return 0
  fi
  if [[ "$(zone_state "${zone}")" != "ok" ]]; then
    err "zone ${zone} is $(zone_state "${zone}"): cannot create a volume there"
    return 1
  fi
  size="$(stat -c %s "${src}/image" 2>/dev/null || echo 268435456)"
  mkdir -p "${vdir}/tags"
  local_put "${vdir}/zone" "${zone}"
  local_put "${vdir}/attached" ""
  local_put "${vdir}/origin" "${base}"
  local_put "${vdir}/generation" "${gen}"
  local_put "${vdir}/tags/nn-relaunch:created-by" "epoch ${epoch} for ${CFG[VOLUME_ID]}"
  truncate -s "${size}" "${vdir}/image.tmp"
  mv "${vdir}/image.tmp" "${vdir}/image"
  echo "${name}"
}

local_regional_dir() {
  echo "${CFG[LOCAL_REGIONAL_DIR]:-$(local_dir)/regional}/${CFG[CLUSTER_ID]}"
}

#######################################
# Prints the txid of the newest complete image in the regional store (empty: none).
#######################################
regional_latest() {
  local_get "$(local_regional_dir)/latest"
}

#######################################
# Stores an image set (VERSION, fsimage_N, fsimage_N.md5) under N: copied to a temp name,
# fsynced, renamed (durable and atomic when this returns), then "latest" moves forward
# (never back). Objects are immutable: an existing N is kept.
# Arguments:
#   directory holding the set, N
#######################################
regional_put() {
  local src="$1" n="$2" dst tmp cur
  dst="$(local_regional_dir)/${n}"
  if [[ ! -d "${dst}" ]]; then
    tmp="${dst}.tmp.$$"
    rm -rf "${tmp}"
    mkdir -p "${tmp}"
    cp "${src}/VERSION" "${src}/fsimage_${n}" "${src}/fsimage_${n}.md5" "${tmp}/"
    sync "${tmp}/VERSION" "${tmp}/fsimage_${n}" "${tmp}/fsimage_${n}.md5"
    mv "${tmp}" "${dst}"
    sync -f "${dst}"
  fi
  cur="$(regional_latest)"
  if [[ -z "${cur}" ]] || ((10#${n} > 10#${cur})); then
    local_put "$(local_regional_dir)/latest" "${n}"
    sync -f "$(local_regional_dir)/latest"
  fi
}

#######################################
# Copies the instance's newest image to the regional store; prints its txid. Refused from
# a cut-off zone (the store, like S3, is out of its reach).
#######################################
regional_push() {
  local id="$1" stage out n
  local_reachable "${id}" || return 1
  stage="$(mktemp -d "$(local_dir)/stage.XXXXXX")"
  NNH_ENV+=("NNH_EXPORT_DIR=${stage}")
  out="$(run_on_instance "${id}" export-image "${CFG[COMMAND_TIMEOUT]}")" || {
    rm -rf "${stage}"
    return 1
  }
  n="${out##*image }"
  regional_put "${stage}/${n}" "${n}"
  rm -rf "${stage}"
  echo "${n}"
}

#######################################
# Makes image N readable on the instance; prints the directory there. (The local
# instances see the host's files.)
#######################################
regional_fetch_for() {
  local id="$1" n="$2" dir
  dir="$(local_regional_dir)/${n}"
  [[ -f "${dir}/fsimage_${n}" ]] || {
    err "regional image ${n} not found in $(local_regional_dir)"
    return 1
  }
  echo "${dir}"
}

#######################################
# Test/benchmark: the zone is lost. Every process of its instances killed, links down,
# its volumes unavailable, nothing launches there until local_zone_restore.
#######################################
local_zone_lose() {
  local zone="$1" idir id
  local_put "$(local_dir)/zones/${zone}" "lost"
  for idir in "$(local_dir)"/instances/*; do
    [[ -d "${idir}" && "$(local_get "${idir}/zone")" == "${zone}" ]] || continue
    id="$(basename "${idir}")"
    [[ "$(local_get "${idir}/state")" != "terminated" ]] || continue
    local_kill_instance "${id}" || true
  done
}

#######################################
# The island bridge of a cut-off zone, one per zone (an interface name: at most 15 bytes).
#######################################
local_island_of() {
  local zone="$1"
  ((${#zone} <= 12)) || zone="${zone: -12}"
  echo "bz-${zone}"
}

#######################################
# Test/benchmark: the zone is cut off. Its instances keep running; their bridge ports move
# to an island bridge of the zone (they still reach each other, nothing else).
#######################################
local_zone_cut() {
  local zone="$1" br="${CFG[LOCAL_BRIDGE_NS]}" island idir
  island="$(local_island_of "${zone}")"
  local_put "$(local_dir)/zones/${zone}" "cut"
  ip -n "${br}" link show "${island}" >/dev/null 2>&1 \
    || { ip -n "${br}" link add "${island}" type bridge && ip -n "${br}" link set "${island}" up; }
  for idir in "$(local_dir)"/instances/*; do
    [[ -d "${idir}" && "$(local_get "${idir}/zone")" == "${zone}" ]] || continue
    [[ "$(local_get "${idir}/state")" != "terminated" ]] || continue
    ip -n "${br}" link set "v${idir##*-i}" master "${island}" 2>/dev/null || true
  done
}

#######################################
# Test/benchmark: the zone is back: links rejoin the bridge (a lost zone's instances stay
# dead, like machines that crashed; their links come back up).
#######################################
local_zone_restore() {
  local zone="$1" br="${CFG[LOCAL_BRIDGE_NS]}" idir id
  for idir in "$(local_dir)"/instances/*; do
    [[ -d "${idir}" && "$(local_get "${idir}/zone")" == "${zone}" ]] || continue
    id="$(basename "${idir}")"
    [[ "$(local_get "${idir}/state")" != "terminated" ]] || continue
    ip -n "${br}" link set "v${idir##*-i}" master br0 2>/dev/null || true
    if netns_exists "${id}"; then
      ip -n "${id}" link set eth0 up 2>/dev/null || true
    fi
  done
  rm -f "$(local_dir)/zones/${zone}"
}

# ---- administration (tests, benchmark) --------------------------------------------------

#######################################
# Creates the bridge namespace (br0) and the client namespace (.2).
#######################################
local_net_up() {
  local br="${CFG[LOCAL_BRIDGE_NS]}" cl="${CFG[LOCAL_CLIENT_NS]}"
  mkdir -p "$(local_dir)"
  ip netns add "${br}"
  ip -n "${br}" link add br0 type bridge
  ip -n "${br}" link set br0 up
  ip -n "${br}" link set lo up
  ip netns add "${cl}"
  ip -n "${br}" link add vclient type veth peer name eth0 netns "${cl}"
  ip -n "${br}" link set vclient master br0 up
  ip -n "${cl}" addr add "${CFG[LOCAL_SUBNET_PREFIX]}.2/24" dev eth0
  ip -n "${cl}" link set eth0 up
  ip -n "${cl}" link set lo up
}

#######################################
# Removes every namespace, process and loop device this state dir created.
#######################################
local_net_down() {
  local dir idir vol id
  dir="$(local_dir)"
  for idir in "${dir}"/instances/*; do
    [[ -d "${idir}" ]] || continue
    id="$(basename "${idir}")"
    local_kill_instance "${id}" || true
    netns_exists "${id}" && ip netns del "${id}"
  done
  local ns
  for ns in "${CFG[LOCAL_CLIENT_NS]}" "${CFG[LOCAL_BRIDGE_NS]}"; do
    if netns_exists "${ns}"; then
      local pids
      pids="$(ip netns pids "${ns}" 2>/dev/null || true)"
      # shellcheck disable=SC2086  # a list of pids
      [[ -z "${pids}" ]] || kill -9 ${pids} 2>/dev/null || true
      ip netns del "${ns}"
    fi
  done
  for vol in "${dir}"/volumes/*; do
    [[ -f "${vol}/image" ]] || continue
    local loop
    loop="$(local_loop_of "${vol}/image")"
    [[ -z "${loop}" ]] || losetup -d "${loop}" || true
  done
}

#######################################
# Creates a volume: an ext4 image (not a name dir: that is the NameNode's own format).
#######################################
local_create_volume() {
  local name="$1" zone="$2" size_mb="${3:-256}" vdir
  vdir="$(local_dir)/volumes/${name}"
  mkdir -p "${vdir}/tags"
  truncate -s "${size_mb}M" "${vdir}/image"
  mkfs.ext4 -q -F -L "${name}" "${vdir}/image"
  local_put "${vdir}/zone" "${zone}"
  local_put "${vdir}/attached" ""
}
