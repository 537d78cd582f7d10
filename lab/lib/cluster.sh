#!/usr/bin/env bash
# shellcheck disable=SC2034  # globals used by the files that source this one
#
# The lab's cluster: one network namespace per host on a bridge (198.18.8.0/24, nothing
# routed off the machine), a Hadoop layout (HADOOP_HOME) with our package installed, real
# site files per policy, one JVM per daemon. Sourced by bin/multizone-lab, never executed.
#
# Globals set by the caller: HADOOP_HOME, LAB_JAR, LAB_RUN (this run's folder), JAVA_HOME.

# Every lab namespace starts with LAB_NS_ROOT-. Each policy's cluster has its own: its
# bridge namespace (its own segment), its client and host namespaces (lab_slot sets the
# names), so stock and ours run side by side with the same addresses.
readonly LAB_NS_ROOT="mzlab"
NS_PREFIX="${LAB_NS_ROOT}-x"
BRIDGE_NS="${NS_PREFIX}-br"
CLIENT_NS="${NS_PREFIX}-client"
readonly SUBNET="198.18.8"
readonly CLIENT_IP="${SUBNET}.2"
readonly NN_IP="${SUBNET}.10"
readonly RM_IP="${SUBNET}.11"
readonly NN_HTTP="${NN_IP}:9870"
readonly RM_HTTP="${RM_IP}:8088"
# The masters live in zone-c: until the NameNode can move between zones (issue 11), the
# zone the lab kills is another one.
# The NameNode's zone (its instance and volume) and the ResourceManager's, apart: the
# NameNode's zone can be lost with a job still running (nn-zone-loss).
readonly MASTER_ZONE="zone-c"
readonly RM_ZONE="zone-b"
# One JournalNode per zone (ours: the NameNode's edit log on the quorum, issue 11).
readonly JN_HOSTS=(h-a1 h-b1 h-c1)
readonly JOURNAL_ID="mzlab"

# name zone rack ip roles: the project's reference topology, 3 zones x 2 racks x 2 hosts
# (with one host per rack, replication 3 could never put a block in one zone).
HOSTS=(
  "nn-1 zone-c /zone-c/rack-1 ${NN_IP} namenode"
  "rm-1 zone-b /zone-b/rack-2 ${RM_IP} resourcemanager"
  "h-a1 zone-a /zone-a/rack-1 ${SUBNET}.101 datanode,nodemanager,journalnode"
  "h-a2 zone-a /zone-a/rack-1 ${SUBNET}.102 datanode,nodemanager"
  "h-a3 zone-a /zone-a/rack-2 ${SUBNET}.103 datanode,nodemanager"
  "h-a4 zone-a /zone-a/rack-2 ${SUBNET}.104 datanode,nodemanager"
  "h-b1 zone-b /zone-b/rack-1 ${SUBNET}.111 datanode,nodemanager,journalnode"
  "h-b2 zone-b /zone-b/rack-1 ${SUBNET}.112 datanode,nodemanager"
  "h-b3 zone-b /zone-b/rack-2 ${SUBNET}.113 datanode,nodemanager"
  "h-b4 zone-b /zone-b/rack-2 ${SUBNET}.114 datanode,nodemanager"
  "h-c1 zone-c /zone-c/rack-1 ${SUBNET}.121 datanode,nodemanager,journalnode"
  "h-c2 zone-c /zone-c/rack-1 ${SUBNET}.122 datanode,nodemanager"
  "h-c3 zone-c /zone-c/rack-2 ${SUBNET}.123 datanode,nodemanager"
  "h-c4 zone-c /zone-c/rack-2 ${SUBNET}.124 datanode,nodemanager"
)

# The add-opens Hadoop 3.4's daemons and MapReduce tasks need on Java 17.
readonly -a JAVA_OPENS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.security=ALL-UNNAMED --add-opens=java.base/sun.security.util=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED)
# Small JVMs that start fast: the whole cluster shares two cores. C1 only, and it compiles a
# method after 4 times the usual calls (CompileThresholdScaling 4): most of what a daemon
# runs while it starts runs a few times only (a DataNode's first 10 s: 2.0 CPU-s instead of
# 2.3, medians of 6 interleaved, 2026-12-02; -Xint took 3.7).
# -Dmultizone.lab marks every lab JVM, so cleanup finds even one that outlived its namespace.
readonly -a JAVA_LEAN=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=4
  -Xshare:auto -XX:-UsePerfData -Djava.net.preferIPv4Stack=true -Dmultizone.lab=1)

#######################################
# Names this shell's cluster namespaces after POLICY (stock|ours).
#######################################
lab_slot() {
  NS_PREFIX="${LAB_NS_ROOT}-$1"
  BRIDGE_NS="${NS_PREFIX}-br"
  CLIENT_NS="${NS_PREFIX}-client"
}

#######################################
# Prints one field of a host's line. Arguments: host name, field (zone|rack|ip|roles).
#######################################
host_field() {
  local want="$1" field="$2" line name zone rack ip roles
  for line in "${HOSTS[@]}"; do
    read -r name zone rack ip roles <<<"${line}"
    [[ "${name}" == "${want}" ]] || continue
    case "${field}" in
      zone) echo "${zone}" ;;
      rack) echo "${rack}" ;;
      ip) echo "${ip}" ;;
      roles) echo "${roles}" ;;
      *) return 2 ;;
    esac
    return 0
  done
  return 1
}

#######################################
# The quick run's cluster: a NodeManager on one host per rack (6), every DataNode kept (the
# stock placement the zone-loss scenario shows needs two hosts a rack). Six JVMs fewer to
# start on two cores; the jobs of a quick run need no more.
#######################################
hosts_quick() {
  local i
  for i in "${!HOSTS[@]}"; do
    if [[ "${HOSTS[${i}]}" =~ ^h-[a-z][24][[:space:]] ]]; then
      HOSTS[i]="${HOSTS[${i}]/,nodemanager/}"
    fi
  done
}

#######################################
# Prints the hosts that run ROLE.
#######################################
role_hosts() {
  local want="$1" line name zone rack ip roles
  for line in "${HOSTS[@]}"; do
    read -r name zone rack ip roles <<<"${line}"
    [[ ",${roles}," == *",${want},"* ]] && echo "${name}"
  done
  return 0
}

#######################################
# Prints the worker hosts (DataNodes; most run a NodeManager too), optionally of one zone.
#######################################
workers() {
  local only_zone="${1:-}" line name zone rack ip roles
  for line in "${HOSTS[@]}"; do
    read -r name zone rack ip roles <<<"${line}"
    [[ "${roles}" == *datanode* ]] || continue
    [[ -z "${only_zone}" || "${zone}" == "${only_zone}" ]] || continue
    echo "${name}"
  done
}

#######################################
# The host name of an address (the address itself if it is not a lab host).
#######################################
host_of_ip() {
  local want="$1" line name zone rack ip roles
  for line in "${HOSTS[@]}"; do
    read -r name zone rack ip roles <<<"${line}"
    if [[ "${ip}" == "${want}" ]]; then
      echo "${name}"
      return 0
    fi
  done
  echo "${want}"
}

all_hosts() {
  local line name rest
  for line in "${HOSTS[@]}"; do
    read -r name rest <<<"${line}"
    echo "${name}"
  done
}

ns_of() {
  echo "${NS_PREFIX}-$1"
}

ns_exists() {
  [[ -e "/run/netns/$1" ]]
}

# ---- network ---------------------------------------------------------------------------

#######################################
# Creates the bridge, the client namespace and one namespace per host.
#######################################
net_up() {
  ip netns add "${BRIDGE_NS}"
  ip -n "${BRIDGE_NS}" link add br0 type bridge
  ip -n "${BRIDGE_NS}" link set br0 up
  ip -n "${BRIDGE_NS}" link set lo up
  net_attach "${CLIENT_NS}" "vclient" "${CLIENT_IP}"
  local h
  for h in $(all_hosts); do
    [[ "${h}" == "nn-1" && "${LAB_NN_ON_INSTANCE:-true}" == "true" ]] && continue
    net_attach "$(ns_of "${h}")" "v-${h}" "$(host_field "${h}" ip)"
  done
}

#######################################
# Creates a namespace with eth0 (ADDR/24) plugged into the bridge as VETH.
#######################################
net_attach() {
  local ns="$1" veth="$2" addr="$3"
  ip netns add "${ns}"
  ip -n "${BRIDGE_NS}" link add "${veth}" type veth peer name eth0 netns "${ns}"
  ip -n "${BRIDGE_NS}" link set "${veth}" master br0 up
  ip -n "${ns}" addr add "${addr}/24" dev eth0
  ip -n "${ns}" link set eth0 up
  ip -n "${ns}" link set lo up
}

#######################################
# Kills every process of one namespace and deletes it.
#######################################
net_ns_kill() {
  local ns="$1" pids tries=0
  [[ -e "/run/netns/${ns}" ]] || return 0
  while pids="$(ip netns pids "${ns}" 2>/dev/null)" && [[ -n "${pids}" ]]; do
    # shellcheck disable=SC2086  # a list of pids
    kill -9 ${pids} 2>/dev/null || true
    sleep 0.1
    tries=$((tries + 1))
    ((tries < 100)) || break
  done
  ip netns del "${ns}" 2>/dev/null || true
}

#######################################
# Kills every process of the namespaces named PREFIX-* and deletes them: the client
# namespaces (PREFIX-*client) first, nn-watch and a relaunch it started run there, and a
# relaunch still running would launch a new instance after the loop passed it (seen: an
# instance holder outlived the run and kept the lab lock); then all of them, twice.
#######################################
namespaces_down() {
  local prefix="$1" ns pass
  for ns in /run/netns/"${prefix}"-*client; do
    [[ -e "${ns}" ]] && net_ns_kill "$(basename "${ns}")"
  done
  for pass in 1 2; do
    for ns in /run/netns/"${prefix}"-*; do
      [[ -e "${ns}" ]] || continue
      net_ns_kill "$(basename "${ns}")"
    done
  done
}

#######################################
# Takes this policy's cluster down (lab_slot's names); the other policy's cluster, running
# beside it, is left alone.
#######################################
policy_net_down() {
  namespaces_down "${NS_PREFIX}"
}

#######################################
# Kills every process in every lab namespace (every policy's) and deletes the namespaces.
# Idempotent: also cleans what an earlier, killed run left behind.
#######################################
net_down() {
  namespaces_down "${LAB_NS_ROOT}"
  # A daemon started into an instance by nsenter (the NameNode after a relaunch) was once
  # seen alive after its namespace was gone: end every JVM the lab marked.
  pkill -9 -f -- "-Dmultizone.lab=1" 2>/dev/null || true
  lock_holders_kill
}

#######################################
# Ends every process that still holds the lab's lock (every process a lab run starts
# inherits its descriptor) and lives in another network namespace than this shell: what the
# namespace loop cannot see, such as an instance holder whose namespace name was bound in
# another mount namespace (seen: a relaunched NameNode's instance outlived the run).
#######################################
lock_holders_kill() {
  local lock="${LAB_LOCK:-/run/multizone-lab.lock}" d pid me
  me="$(readlink /proc/self/ns/net)"
  for d in /proc/[0-9]*; do
    pid="${d#/proc/}"
    [[ "$(readlink "${d}/ns/net" 2>/dev/null)" != "${me}" ]] || continue
    if find "${d}/fd" -maxdepth 1 -lname "${lock}" 2>/dev/null | grep -q .; then
      kill -9 "${pid}" 2>/dev/null || true
    fi
  done
}

#######################################
# The machine is off: every process of the host killed, its link down.
#######################################
host_kill() {
  local ns pids
  ns="$(ns_of "$1")"
  while pids="$(ip netns pids "${ns}" 2>/dev/null)" && [[ -n "${pids}" ]]; do
    # shellcheck disable=SC2086  # a list of pids
    kill -9 ${pids} 2>/dev/null || true
    sleep 0.05
  done
  ip -n "${ns}" link set eth0 down
  rm -f "${LAB_CLUSTER}/pids/$1".*
}

#######################################
# A zone's machines lost at one moment: every host's link down first (a few milliseconds for
# all), then each host's processes killed. Killed one host after the other (about a second
# each on a busy machine), the NameNode declared the last DataNode dead one 5 s check later
# than the others, and Hadoop then waited out a 30 s pending timeout for blocks it had asked
# that still-live, stale DataNode to copy (quick run 2026-12-01 22:28: ours' re-replication
# 91.7 s, stock's 46.4 s). Links down at once still leave the zone declared dead in two
# checks now and then (its DataNodes' last heartbeats a second apart): hence the pending
# timeout of 10 s (see write_site_files). Arguments: hosts...
#######################################
hosts_kill() {
  local h
  for h in "$@"; do
    ip -n "$(ns_of "${h}")" link set eth0 down
  done
  for h in "$@"; do
    host_kill "${h}"
  done
}

#######################################
# Stops one daemon of a host (kill -9), the host stays up. Arguments: host, role.
#######################################
daemon_kill() {
  local host="$1" role="$2" pidfile
  pidfile="${LAB_CLUSTER}/pids/${host}.${role}"
  [[ -f "${pidfile}" ]] || return 0
  kill -9 "$(cat "${pidfile}")" 2>/dev/null || true
  rm -f "${pidfile}"
}

host_link_up() {
  ip -n "$(ns_of "$1")" link set eth0 up
}

#######################################
# Runs bin/lab-nn-instance on this cluster's NameNode instance (the ha-scripts local
# provider of the installed package). Arguments: its command and arguments.
#######################################
nn_instance() {
  HA_HOME="${PKG_HOME}/libexec/multizone/ha-scripts" "${LAB_HOME}/bin/lab-nn-instance" \
    "${LAB_CLUSTER}/nn-relaunch.conf" "$@"
}

#######################################
# The zone is cut off (a partition, not a crash): every process of it keeps running, its
# hosts' links move to the zone's island bridge, the same one the provider moves a NameNode
# instance of that zone to: the zone's hosts reach each other and nothing else. Prints the
# NameNode's instance and the epoch ms of the cut. Arguments: zone.
#######################################
zone_cut() {
  local zone="$1" id ms island h
  read -r id ms island < <(nn_instance zone-cut "${zone}")
  [[ -n "${island}" ]] || return 1
  for h in $(workers "${zone}"); do
    ip -n "${BRIDGE_NS}" link set "v-${h}" master "${island}"
  done
  echo "${zone}" >>"${LAB_CLUSTER}/cut-zones"
  echo "${id} ${ms}"
}

#######################################
# Every cut-off zone is reachable again: its hosts' links back on br0.
#######################################
zones_uncut() {
  local zone h
  [[ -f "${LAB_CLUSTER}/cut-zones" ]] || return 0
  while read -r zone; do
    nn_instance zone-restore "${zone}"
    for h in $(workers "${zone}"); do
      ip -n "${BRIDGE_NS}" link set "v-${h}" master br0
    done
  done < <(sort -u "${LAB_CLUSTER}/cut-zones")
  rm -f "${LAB_CLUSTER}/cut-zones"
}

# ---- configuration ---------------------------------------------------------------------

#######################################
# Queues a site file for site_flush. Arguments: output file, then --include FILE and
# KEY=VALUE arguments (see io.multizone.lab.SiteFile).
#######################################
site_add() {
  SITE_ARGS+=(--out "$@")
}

#######################################
# Writes every queued site file in one JVM (Hadoop's own parser reads the snippets).
#######################################
site_flush() {
  local log="${LAB_CLUSTER}/logs/site-files.log"
  java_cds site
  java "${JAVA_LEAN[@]}" "${CDS_ARGS[@]}" -Xmx64m -Dlog4j.configuration=none \
    -cp "$(hadoop_classpath "${LAB_CLUSTER}")" io.multizone.lab.SiteFile "${SITE_ARGS[@]}" \
    >"${log}" 2>&1 || {
    lab_err "writing the site files failed: ${log}"
    return 1
  }
  SITE_ARGS=()
}

#######################################
# The classpath of the layout, like `hadoop classpath`, the conf dir last: the JARs before it
# are the same for every lab JVM, so they can share one class-data archive (no JAR of the
# layout carries a site file or a log4j.properties). Arguments: conf dir.
#######################################
hadoop_classpath() {
  echo "$(layout_jars):${LAB_JAR}:$1"
}

#######################################
# The layout's JARs (with our package's): the prefix of every lab JVM's classpath.
#######################################
layout_jars() {
  local s="${HADOOP_HOME}/share/hadoop"
  echo "${s}/common/*:${s}/common/lib/*:${s}/hdfs/*:${s}/hdfs/lib/*:${s}/yarn/*:${s}/yarn/lib/*:${s}/mapreduce/*"
}

# ---- class-data sharing ----------------------------------------------------------------
# Forty-odd daemon and client JVMs start on two cores: parsing and verifying the same
# Hadoop classes again in each is most of a start. The first run on a layout records the
# classes its JVMs load (-XX:DumpLoadedClassList) and, at its end, archives them (AppCDS);
# later runs map that archive (a DataNode's start: 30 % less CPU here). The archive covers
# the layout's JARs (the prefix of every lab JVM's classpath, the lab's own JAR after them)
# and is keyed by their names, sizes and times and the JVM: a changed JAR means a new one.
# The NameNode started by nn-relaunch (lab-hadoop) never uses it: recovery figures are
# those of a plain JVM.

#######################################
# Sets LAB_CDS_ARCHIVE (the archive to map) or LAB_CDS_LISTS (where this run records class
# lists) and CDS_TARGET (the archive this layout's key names). LAB_CDS=0: neither (a
# one-off run, such as CI's, would pay about 35 s archiving for runs that never come).
#######################################
cds_prepare() {
  local dir="${LAB_HOME}/target/cds" key
  LAB_CDS_ARCHIVE="" LAB_CDS_LISTS=""
  LAB_CDS_MAP_FLAGS=()
  [[ "${LAB_CDS:-1}" != "0" ]] || return 0
  mkdir -p "${dir}"
  key="$( (java -version 2>&1; IFS=':'; for p in $(layout_jars); do
    # shellcheck disable=SC2086  # the classpath's wildcards are meant to expand
    stat -c '%n %s %Y' ${p}
  done) | md5sum | cut -c1-12)"
  CDS_TARGET="${dir}/lab-${key}.jsa"
  if [[ -s "${CDS_TARGET}" ]]; then
    LAB_CDS_ARCHIVE="${CDS_TARGET}"
    # Mapped where it was dumped, not relocated: this JDK (Debian's 17.0.15) relocates every
    # archive by default (ArchiveRelocationMode 1), rewriting its pointers in each JVM (7.5 %
    # of the CPU samples while the clusters started: perf, quick run of 2026-12-02 17:22).
    # Measured here: a JVM's creation 0.58 s relocated, 0.10 s mapped (java -version: 0.46
    # CPU-s and 80 MB resident less); a DataNode's first 10 s 2.35 and 2.30 CPU-s (medians
    # of 6, interleaved: what relocation skips is paid later in page faults) and 27 MB
    # resident less. A JDK without the flag maps it as it always has.
    LAB_CDS_MAP_FLAGS=(-XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0)
    java "${LAB_CDS_MAP_FLAGS[@]}" -version >/dev/null 2>&1 || LAB_CDS_MAP_FLAGS=()
  else
    LAB_CDS_LISTS="${LAB_RUN}/cds-lists"
    mkdir -p "${LAB_CDS_LISTS}"
  fi
}

#######################################
# Sets CDS_ARGS to the class-data flags of a lab JVM named NAME: map the archive, record the
# classes it loads, or (neither) the JDK's own archive only. Never empty.
#######################################
java_cds() {
  if [[ -n "${LAB_CDS_ARCHIVE:-}" ]]; then
    CDS_ARGS=("-XX:SharedArchiveFile=${LAB_CDS_ARCHIVE}" ${LAB_CDS_MAP_FLAGS[@]+"${LAB_CDS_MAP_FLAGS[@]}"})
  elif [[ -n "${LAB_CDS_LISTS:-}" ]]; then
    CDS_ARGS=("-XX:DumpLoadedClassList=${LAB_CDS_LISTS}/$1-${BASHPID}-${RANDOM}.lst")
  else
    CDS_ARGS=(-Xshare:auto)
  fi
}

#######################################
# After a run that recorded class lists: archives their classes for the next runs.
#######################################
cds_build() {
  [[ -n "${LAB_CDS_LISTS:-}" && -d "${LAB_CDS_LISTS}" ]] || return 0
  local all="${LAB_CDS_LISTS}/all.classes" tmp="${CDS_TARGET}.tmp.$$"
  cat "${LAB_CDS_LISTS}"/*.lst 2>/dev/null | grep -v '^[#@]' | sort -u >"${all}" || true
  [[ -s "${all}" ]] || return 0
  if java -Xshare:dump -XX:SharedClassListFile="${all}" -XX:SharedArchiveFile="${tmp}" \
    -cp "$(layout_jars)" >"${LAB_CDS_LISTS}/archive.log" 2>&1 && [[ -s "${tmp}" ]]; then
    mv -f "${tmp}" "${CDS_TARGET}"
    rm -f "${LAB_CDS_LISTS}"/*.lst
    lab_say "class-data archive for the next runs: ${CDS_TARGET} ($(wc -l <"${all}") classes)"
  else
    rm -f "${tmp}"
    lab_err "class-data archive not built (see ${LAB_CDS_LISTS}/archive.log); runs go on without"
  fi
}

#######################################
# The NameNode's name dir: on its volume (mounted inside its instance only) when it runs on
# a provider instance, else in the run's data folder.
#######################################
name_dir() {
  if [[ "${LAB_NN_ON_INSTANCE:-true}" == "true" ]]; then
    echo "${LAB_CLUSTER}/mnt/name"
  else
    echo "${LAB_CLUSTER}/data/nn-1/name"
  fi
}

#######################################
# Writes the cluster's etc/hadoop for a policy into DIR: the files an operator would copy.
# Arguments: policy (stock|ours), dir.
#######################################
write_site_files() {
  local policy="$1" dir="$2" snip="${PKG_HOME}/etc/hadoop/multizone"
  mkdir -p "${dir}"
  local line name zone rack ip roles
  : >"${dir}/topology.table"
  for line in "${HOSTS[@]}"; do
    read -r name zone rack ip roles <<<"${line}"
    echo "${ip} ${rack}" >>"${dir}/topology.table"
  done
  local -a core=() hdfs=() yarn=() sched=() yarn_ours=() hdfs_ours=()
  SITE_ARGS=()
  if [[ "${policy}" == "ours" ]]; then
    core=(--include "${snip}/core-site.xml")
    hdfs=(--include "${snip}/hdfs-site.xml")
    yarn=(--include "${snip}/yarn-site.xml")
    sched=(--include "${snip}/capacity-scheduler.xml")
    # The re-spread plugin looks at the zones every second and rescans 5 s after a return.
    # The NameNode's edit log first on a JournalNode per zone (required), then on its volume:
    # nn-relaunch can bring it back in another zone with no acknowledged edit lost.
    hdfs_ours=("dfs.namenode.zone-placement.respread.settle-ms=5000"
      "dfs.namenode.zone-placement.respread.poll-interval-ms=1000"
      "dfs.namenode.edits.dir=$(journal_uri),file://$(name_dir)"
      "dfs.namenode.edits.dir.required=$(journal_uri)"
      # Clients (tasks, AMs, NodeManagers, the writer) wait out a NameNode relaunch instead of
      # failing after ipc.client.connect.max.retries: Hadoop's retry policy for a non-HA
      # NameNode, a retry every 2 s for up to 120 s.
      "dfs.client.retry.policy.enabled=true" "dfs.client.retry.policy.spec=2000,60")
    # The RM reads DataNode liveness from the NameNode's /jmx (no HDFS superuser needed);
    # a short grace before requeueing (the lab's failure detection is short too).
    yarn_ours=("yarn.scheduler.zone-placement.datanode.report-source.class=io.multizone.yarn.liveness.JmxDataNodeReportSource"
      "yarn.scheduler.zone-placement.datanode.namenode-http-addresses=${NN_HTTP}"
      "yarn.scheduler.zone-placement.requeue.grace-ms=2000")
  fi
  # Both policies: the same rack-aware topology table, the same timings. The lab shortens
  # Hadoop's failure detection (DataNode dead after 2 x 5 s + 10 x 1 s = 20 s instead of
  # 10.5 min, NodeManager lost after 20 s instead of 10 min; an AM gives up stopping a
  # container on a dead host after 3 tries 2 s apart instead of 3 min: with 30 s and 5 s a
  # zone-loss map's attempt sat in KILL_CONTAINER_CLEANUP for 51 s, six connect timeouts of
  # 3 s and six sleeps of 5 s, before it could run again) and lets each DataNode copy 8
  # blocks at a time instead of 2 (the knobs operators raise to re-replicate a lost zone
  # faster), and a reader that finds no replica of a block asks the NameNode again after
  # waits of up to 1, 3 and 5 s instead of 3, 9 and 15 s (retry window base 1 s, Hadoop's
  # 3 s; the same three tries): a stock map whose input lost every replica spent 15 s of
  # each attempt there (quick run of 2026-12-02 17:00, two attempts on the path to the job's
  # failure).
  # So scenarios fit in minutes.
  site_add "${dir}/core-site.xml" "${core[@]+"${core[@]}"}" \
    "fs.defaultFS=hdfs://${NN_IP}:8020" \
    "net.topology.node.switch.mapping.impl=org.apache.hadoop.net.TableMapping" \
    "net.topology.table.file.name=${dir}/topology.table" \
    "net.topology.script.file.name=" \
    "ipc.client.connect.max.retries=3" "ipc.client.connect.timeout=3000" \
    "ipc.client.connect.max.retries.on.timeouts=3" \
    "hadoop.tmp.dir=${LAB_CLUSTER}/data/tmp"
  site_add "${dir}/hdfs-site.xml" "${hdfs[@]+"${hdfs[@]}"}" \
    "dfs.replication=3" "dfs.blocksize=1048576" "dfs.client.socket-timeout=15000" \
    "dfs.client.retry.window.base=1000" \
    "dfs.namenode.name.dir=file://$(name_dir)" \
    "dfs.heartbeat.interval=1" "dfs.namenode.heartbeat.recheck-interval=5000" \
    "dfs.namenode.stale.datanode.interval=5000" \
    "dfs.namenode.avoid.read.stale.datanode=true" "dfs.namenode.avoid.write.stale.datanode=true" \
    "dfs.namenode.safemode.extension=0" "dfs.namenode.datanode.registration.ip-hostname-check=false" \
    "dfs.namenode.rpc-bind-host=0.0.0.0" "dfs.namenode.http-bind-host=0.0.0.0" \
    "dfs.permissions.enabled=false" "dfs.namenode.handler.count=8" \
    "dfs.namenode.redundancy.interval.seconds=1" \
    "dfs.namenode.reconstruction.pending.timeout-sec=10" \
    "dfs.namenode.replication.work.multiplier.per.iteration=8" \
    "dfs.namenode.replication.max-streams=8" "dfs.namenode.replication.max-streams-hard-limit=16" \
    "${hdfs_ours[@]+"${hdfs_ours[@]}"}"
  site_add "${dir}/yarn-site.xml" "${yarn[@]+"${yarn[@]}"}" \
    "yarn.resourcemanager.hostname=${RM_IP}" \
    "yarn.nodemanager.aux-services=mapreduce_shuffle" \
    "yarn.nodemanager.aux-services.mapreduce_shuffle.class=org.apache.hadoop.mapred.ShuffleHandler" \
    "yarn.nodemanager.resource.memory-mb=1024" "yarn.nodemanager.resource.cpu-vcores=2" \
    "yarn.scheduler.minimum-allocation-mb=128" \
    "yarn.nodemanager.vmem-check-enabled=false" "yarn.nodemanager.pmem-check-enabled=false" \
    "yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage=99.5" \
    "yarn.resourcemanager.nm.liveness-monitor.expiry-interval-ms=20000" \
    "yarn.nm.liveness-monitor.expiry-interval-ms=20000" \
    "yarn.resourcemanager.nodemanagers.heartbeat-interval-ms=1000" \
    "yarn.client.nodemanager-connect.max-wait-ms=6000" \
    "yarn.client.nodemanager-connect.retry-interval-ms=2000" \
    "yarn.log-aggregation-enable=false" \
    "yarn.node-attribute.fs-store.root-dir=file://${LAB_CLUSTER}/data/rm-node-attribute" \
    "yarn.node-labels.fs-store.root-dir=file://${LAB_CLUSTER}/data/rm-node-labels" \
    "${yarn_ours[@]+"${yarn_ours[@]}"}"
  local opts="-Xmx200m ${JAVA_LEAN[*]} ${JAVA_OPENS[*]}"
  local env="HADOOP_MAPRED_HOME=${HADOOP_HOME}"
  # The reducer is launched with the maps (slowstart 0), so its JVM is up when the last map
  # ends instead of starting then: the clusters have room for it. The job's files get the
  # replication of every other file (Hadoop's 10 cannot be met by 8 DataNodes after a zone
  # loss: they would stay under-replicated until the job ends).
  site_add "${dir}/mapred-site.xml" \
    "mapreduce.framework.name=yarn" \
    "yarn.app.mapreduce.am.env=${env}" "mapreduce.map.env=${env}" "mapreduce.reduce.env=${env}" \
    "yarn.app.mapreduce.am.resource.mb=512" "yarn.app.mapreduce.am.command-opts=-Xmx320m ${JAVA_LEAN[*]} ${JAVA_OPENS[*]}" \
    "mapreduce.map.memory.mb=256" "mapreduce.reduce.memory.mb=256" \
    "mapreduce.map.java.opts=${opts}" "mapreduce.reduce.java.opts=${opts}" \
    "mapreduce.map.speculative=false" "mapreduce.reduce.speculative=false" \
    "mapreduce.job.reduce.slowstart.completedmaps=0" \
    "yarn.app.mapreduce.am.staging-dir=/tmp/hadoop-yarn/staging" \
    "mapreduce.client.submit.file.replication=3"
  site_add "${dir}/capacity-scheduler.xml" "${sched[@]+"${sched[@]}"}" \
    "yarn.scheduler.capacity.root.queues=default" \
    "yarn.scheduler.capacity.root.default.capacity=100" \
    "yarn.scheduler.capacity.root.default.maximum-capacity=100" \
    "yarn.scheduler.capacity.maximum-am-resource-percent=0.5"
  cat >"${dir}/log4j.properties" <<'EOF'
log4j.rootLogger=INFO,console
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.target=System.err
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{HH:mm:ss,SSS} %p %c{1}: %m%n
log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR
EOF
}

#######################################
# A host's conf dir: the cluster's files plus what differs per host (its name as the
# DataNode/NodeManager reports it, its data and scratch dirs), queued for site_flush.
#######################################
host_conf() {
  local host="$1" shared="$2" dir ip data
  dir="${LAB_CLUSTER}/conf/${host}"
  if [[ "${host}" == "client" ]]; then
    ip="${CLIENT_IP}"
  else
    ip="$(host_field "${host}" ip)"
  fi
  data="${LAB_CLUSTER}/data/${host}"
  mkdir -p "${dir}" "${data}"
  cp "${shared}/topology.table" "${shared}/log4j.properties" "${dir}/"
  site_add "${dir}/core-site.xml" --include "${shared}/core-site.xml"
  site_add "${dir}/mapred-site.xml" --include "${shared}/mapred-site.xml"
  site_add "${dir}/capacity-scheduler.xml" --include "${shared}/capacity-scheduler.xml"
  site_add "${dir}/hdfs-site.xml" --include "${shared}/hdfs-site.xml" \
    "dfs.datanode.hostname=${ip}" "dfs.datanode.data.dir=file://${data}/dn" \
    "dfs.journalnode.edits.dir=${data}/jn" "dfs.journalnode.rpc-address=0.0.0.0:8485" \
    "dfs.journalnode.http-address=0.0.0.0:8480"
  site_add "${dir}/yarn-site.xml" --include "${shared}/yarn-site.xml" \
    "yarn.nodemanager.hostname=${ip}" "yarn.nodemanager.local-dirs=${data}/nm-local" \
    "yarn.nodemanager.log-dirs=${data}/nm-logs"
}

# ---- daemons ---------------------------------------------------------------------------

#######################################
# Starts a daemon in its host's namespace. Arguments: host, role.
#######################################
daemon_start() {
  local host="$1" role="$2" class heap conf log
  case "${role}" in
    namenode) class=org.apache.hadoop.hdfs.server.namenode.NameNode heap=384m ;;
    datanode) class=org.apache.hadoop.hdfs.server.datanode.DataNode heap=128m ;;
    resourcemanager) class=org.apache.hadoop.yarn.server.resourcemanager.ResourceManager heap=384m ;;
    nodemanager) class=org.apache.hadoop.yarn.server.nodemanager.NodeManager heap=160m ;;
    journalnode) class=org.apache.hadoop.hdfs.qjournal.server.JournalNode heap=96m ;;
    *) return 2 ;;
  esac
  conf="${LAB_CLUSTER}/conf/${host}"
  log="${LAB_CLUSTER}/logs/${host}.${role}.log"
  # tmp: Jetty unpacks each daemon's web app under java.io.tmpdir; here, not left in /tmp.
  mkdir -p "${LAB_CLUSTER}/logs" "${LAB_CLUSTER}/pids" "${LAB_CLUSTER}/tmp"
  local home="${HADOOP_HOME}" pidfile="${LAB_CLUSTER}/pids/${host}.${role}"
  # A subshell starts it, so this shell does not report the daemon's death (kill -9) later.
  (
    java_cds "${role}"
    HADOOP_CONF_DIR="${conf}" HADOOP_COMMON_HOME="${home}" HADOOP_HDFS_HOME="${home}" \
      HADOOP_YARN_HOME="${home}" HADOOP_MAPRED_HOME="${home}" \
      ip netns exec "$(ns_of "${host}")" setsid java "-Xmx${heap}" "${JAVA_LEAN[@]}" "${CDS_ARGS[@]}" \
      "${JAVA_OPENS[@]}" -Dhadoop.log.dir="${LAB_CLUSTER}/logs" -Djava.io.tmpdir="${LAB_CLUSTER}/tmp" \
      -Dyarn.log.dir="${LAB_CLUSTER}/logs" -Dhadoop.home.dir="${home}" -Dlab.host="${host}" \
      -cp "$(hadoop_classpath "${conf}")" "${class}" </dev/null >>"${log}" 2>&1 3>&- &
    echo "$!" >"${pidfile}"
  )
}

#######################################
# Starts every daemon of a host (its roles).
#######################################
host_start() {
  local host="$1" role roles
  roles="$(host_field "${host}" roles)"
  for role in ${roles//,/ }; do
    role_wanted "${role}" || continue
    daemon_running "${host}" "${role}" || daemon_start "${host}" "${role}"
  done
}

#######################################
# JournalNodes belong to ours only (stock keeps its edit log on the NameNode's volume).
#######################################
role_wanted() {
  [[ "$1" != "journalnode" || "${LAB_POLICY:-}" == "ours" ]]
}

daemon_running() {
  local pidfile="${LAB_CLUSTER}/pids/$1.$2"
  [[ -f "${pidfile}" ]] && kill -0 "$(cat "${pidfile}")" 2>/dev/null
}

#######################################
# The qjournal URI of the JournalNodes (one per zone).
#######################################
journal_uri() {
  local h hosts=()
  for h in "${JN_HOSTS[@]}"; do
    hosts+=("$(host_field "${h}" ip):8485")
  done
  echo "qjournal://$(IFS=';'; echo "${hosts[*]}")/${JOURNAL_ID}"
}

jn_listening() {
  [[ -n "$(ip netns exec "$(ns_of "$1")" ss -Hltn 'sport = :8485')" ]]
}

#######################################
# Sets CLIENT_JVM to the command that runs a Java client in the client namespace (its class
# and arguments follow). Arguments: heap.
#######################################
client_jvm() {
  java_cds client
  CLIENT_JVM=(ip netns exec "${CLIENT_NS}" java -Xmx"$1" "${JAVA_LEAN[@]}" "${CDS_ARGS[@]}"
    "${JAVA_OPENS[@]}" -Dhadoop.log.dir="${LAB_CLUSTER}/logs"
    -cp "$(hadoop_classpath "${LAB_CLUSTER}/conf/client")")
}

#######################################
# Runs a Java client class in the client namespace (foreground). Arguments: heap, class,
# arguments.
#######################################
client_java() {
  client_jvm "$1"
  shift
  HADOOP_CONF_DIR="${LAB_CLUSTER}/conf/client" "${CLIENT_JVM[@]}" "$@"
}

#######################################
# As client_java, for a client started in the background (`client_java_bg ... &`): the JVM
# replaces the background subshell, so $! is the JVM's PID and kill -9 $! ends it. (With
# client_java the kill ended only the subshell: stock's writer and reader, killed at the end
# of namenode-loss, went on writing into its next scenario, full run of 2026-12-02 14:30.)
#######################################
client_java_bg() {
  client_jvm "$1"
  shift
  HADOOP_CONF_DIR="${LAB_CLUSTER}/conf/client" exec "${CLIENT_JVM[@]}" "$@"
}

#######################################
# curl from the client namespace; prints the body or nothing.
#######################################
client_curl() {
  ip netns exec "${CLIENT_NS}" curl -sf --max-time 5 "$@" 2>/dev/null || true
}

#######################################
# One NameNode JMX attribute (empty when unreachable). Arguments: bean name, attribute.
#######################################
nn_jmx() {
  client_curl "http://${NN_HTTP}/jmx?get=Hadoop:service=NameNode,name=$1::$2" \
    | jq -r --arg a "$2" '.beans[0][$a] // empty' 2>/dev/null || true
}

rm_metric() {
  client_curl "http://${RM_HTTP}/ws/v1/cluster/metrics" \
    | jq -r --arg a "$1" '.clusterMetrics[$a] // empty' 2>/dev/null || true
}

#######################################
# Waits until CONDITION (a command) succeeds, polling every second (each poll forks curl and
# jq in a namespace: on this 2-core machine that is not free). Arguments: deadline in
# seconds, what (for the error), command...
#######################################
wait_for() {
  local limit="$1" what="$2"
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    daemons_alive || return 1
    if ((SECONDS >= deadline)); then
      lab_err "gave up after ${limit} s waiting for ${what}"
      return 1
    fi
    sleep 1
  done
}

#######################################
# False (with the daemon's last log lines) when a daemon the lab did not stop has died.
#######################################
daemons_alive() {
  local pidfile pid name
  # Runs every poll of wait_for: builtins only (no process per daemon, twice a second).
  for pidfile in "${LAB_CLUSTER}"/pids/*; do
    [[ -f "${pidfile}" ]] || continue
    read -r pid <"${pidfile}" || continue
    kill -0 "${pid}" 2>/dev/null && continue
    name="$(basename "${pidfile}")"
    lab_err "${name} died; last lines of ${LAB_CLUSTER}/logs/${name}.log:"
    tail -n 15 "${LAB_CLUSTER}/logs/${name}.log" >&2 || true
    return 1
  done
}

live_datanodes_are() {
  [[ "$(nn_jmx FSNamesystemState NumLiveDataNodes)" == "$1" ]]
}

active_nodemanagers_are() {
  [[ "$(rm_metric activeNodes)" == "$1" ]]
}

#######################################
# Marks this policy's cluster at point NAME and waits (up to 300 s) until every policy of
# the run is there too. Side by side, the policies' clusters start their NameNodes first and
# their workers together, and begin the scenarios together: neither start is starved by the
# other's, and both run under the same load.
#######################################
barrier() {
  mkdir -p "${LAB_RUN}/barriers"
  touch "${LAB_RUN}/barriers/$1.${LAB_POLICY}"
  wait_for 300 "the other policy's cluster ($1)" barrier_passed "$1" || true
}

barrier_passed() {
  local p
  for p in ${LAB_POLICIES}; do
    [[ -e "${LAB_RUN}/barriers/$1.${p}" || -e "${LAB_RUN}/barriers/left.${p}" ]] || return 1
  done
}

#######################################
# This policy waits at no further barrier and holds nobody up there (its cluster failed).
#######################################
barrier_leave() {
  mkdir -p "${LAB_RUN}/barriers"
  touch "${LAB_RUN}/barriers/left.${LAB_POLICY}"
}

#######################################
# Formats and starts the whole cluster for the policy, the NameNode on its own instance
# (ha-scripts local provider); waits until every DataNode and NodeManager has registered.
# Globals: LAB_CLUSTER (this policy's folder: etc/hadoop, conf, logs, data).
#######################################
cluster_up() {
  local policy="$1" shared="${LAB_CLUSTER}/etc/hadoop" h push_pid=""
  write_site_files "${policy}" "${shared}"
  for h in $(all_hosts) client; do
    host_conf "${h}" "${shared}"
  done
  site_flush || return 1
  sed -i 's/rootLogger=INFO/rootLogger=WARN/' "${LAB_CLUSTER}/conf/client/log4j.properties"
  policy_net_down
  net_up
  mkdir -p "${LAB_CLUSTER}/logs"
  local lh="${LAB_HOME}/bin/lab-hadoop" nnconf="${LAB_CLUSTER}/conf/nn-1"
  local format="${lh} ${HADOOP_HOME} ${LAB_JAR} ${nnconf} format CID-mzlab"
  if [[ "${policy}" == "ours" ]]; then
    # The NameNode's format formats the JournalNodes too: they come first.
    for h in "${JN_HOSTS[@]}"; do
      daemon_start "${h}" journalnode
    done
    for h in "${JN_HOSTS[@]}"; do
      wait_for 90 "the JournalNode on ${h}" jn_listening "${h}" || return 1
    done
  fi
  if [[ "${LAB_NN_ON_INSTANCE:-true}" == "true" ]]; then
    write_nn_relaunch_config "${policy}"
    nn_instance up "${MASTER_ZONE}" \
      "${format} >${LAB_CLUSTER}/logs/format.log 2>&1" >"${LAB_CLUSTER}/nn-instance" \
      2>"${LAB_CLUSTER}/logs/nn-instance.log" || {
      lab_err "NameNode instance failed: ${LAB_CLUSTER}/logs/nn-instance.log"
      return 1
    }
    if [[ "${policy}" == "ours" ]]; then
      # The regional copy of the fsimage a cross-zone relaunch restores (issue 11), pushed
      # while the workers start (it waits for the NameNode; nothing else waits for it).
      "${PKG_HOME}/sbin/nn-image-push" --config "${LAB_CLUSTER}/nn-relaunch.conf" \
        >"${LAB_CLUSTER}/logs/nn-image-push.log" 2>&1 &
      push_pid=$!
    fi
  else
    bash -c "${format}" >"${LAB_CLUSTER}/logs/format.log" 2>&1 || {
      lab_err "NameNode format failed: ${LAB_CLUSTER}/logs/format.log"
      return 1
    }
  fi
  # The workers after the NameNode (started first, with every JVM of both clusters starting
  # at once, both clusters came up later: stock 149 s instead of 87 s, ours 151 instead of
  # 131, quick, side by side), and after the other policy's NameNode too: ours' chain
  # (JournalNodes, format, NameNode) starved by stock's workers took 137 s instead of ...
  barrier namenodes
  for h in $(all_hosts); do
    [[ "${h}" == "nn-1" && "${LAB_NN_ON_INSTANCE:-true}" == "true" ]] && continue
    host_start "${h}"
  done
  local n nms
  n="$(workers "" | wc -l)"
  nms="$(role_hosts nodemanager | wc -l)"
  lab_say "  [${LAB_POLICY}] $(all_hosts | wc -l) hosts, $(find "${LAB_CLUSTER}/pids" -type f | wc -l) daemons started"
  wait_for 240 "${n} live DataNodes" live_datanodes_are "${n}" \
    && wait_for 240 "${nms} NodeManagers" active_nodemanagers_are "${nms}" || return 1
  if [[ -n "${push_pid}" ]] && ! wait "${push_pid}"; then
    lab_err "nn-image-push failed: ${LAB_CLUSTER}/logs/nn-image-push.log"
    return 1
  fi
}

#######################################
# The nn-relaunch/nn-watch config of the NameNode-machine scenario (local provider, the
# lab's bridge and client namespaces, timings of a small name dir). LEASE_SETTLE 5 s: a
# claim must be written within it of reading the lease, and with both clusters busy 2 s was
# missed three times in a row (full run of 2026-12-01: the relaunch began 51 s late).
#######################################
write_nn_relaunch_config() {
  local policy="$1" lh="${LAB_HOME}/bin/lab-hadoop" r="${LAB_CLUSTER}" journal=""
  [[ "${policy}" != "ours" ]] || journal="$(journal_uri)"
  cat >"${r}/nn-relaunch.conf" <<EOF
PROVIDER=local
CLUSTER_ID=CID-mzlab
VOLUME_ID=mzlab-nnvol
ADDRESS=${NN_IP}
LOCAL_STATE_DIR=${r}/state
LOCAL_BRIDGE_NS=${BRIDGE_NS}
LOCAL_CLIENT_NS=${CLIENT_NS}
LOCAL_SUBNET_PREFIX=${SUBNET}
MOUNT_POINT=${r}/mnt
NAME_SUBDIR=name
NN_START_COMMAND=${lh} ${HADOOP_HOME} ${LAB_JAR} ${r}/conf/nn-1 daemon namenode ${r}/logs/nn-1.namenode.log
HDFS_COMMAND=${lh} ${HADOOP_HOME} ${LAB_JAR} ${r}/conf/client
LEASE_SETTLE=5
POLL_INTERVAL=0.2
FENCE_TIMEOUT=20
DETACH_TIMEOUT=5
FORCE_DETACH_TIMEOUT=10
LAUNCH_TIMEOUT=10
ATTACH_TIMEOUT=10
COMMAND_TIMEOUT=60
START_TIMEOUT=120
SAFEMODE_TIMEOUT=120
COMMAND_GRACE=10
VERIFY_TIMEOUT=60
WATCH_INTERVAL=1
WATCH_FAILURES=3
WATCH_MIN_DOWN=2
WATCH_PROBE_TIMEOUT=2
JOURNAL_URI=${journal}
EOF
}

#######################################
# Stock after a NameNode-machine scenario: nothing brought the NameNode back. An operator
# would, by hand: the package's nn-relaunch, once, before the next scenario. Started in the
# background (RELAUNCH_BY_HAND_PID); cluster_heal waits for it.
#######################################
nn_relaunch_by_hand_start() {
  lab_say "  [${LAB_POLICY}] NameNode down since the last scenario: relaunched by hand (nn-relaunch, as an operator would)"
  nsenter --net="/run/netns/${CLIENT_NS}" "${PKG_HOME}/sbin/nn-relaunch" \
    --config "${LAB_CLUSTER}/nn-relaunch.conf" >>"${LAB_CLUSTER}/logs/nn-relaunch-by-hand.log" 2>&1 &
  RELAUNCH_BY_HAND_PID=$!
}

#######################################
# Brings every worker back (links up, dead daemons restarted with their data) and waits
# until all DataNodes and NodeManagers are registered: the state a scenario starts from.
#######################################
cluster_heal() {
  local h role roles restarted=0 jn_restarted=0
  zones_uncut
  if [[ -z "${RELAUNCH_BY_HAND_PID:-}" && -z "$(nn_jmx FSNamesystemState NumLiveDataNodes)" ]]; then
    nn_relaunch_by_hand_start
  fi
  if [[ -n "${RELAUNCH_BY_HAND_PID:-}" ]]; then
    local pid="${RELAUNCH_BY_HAND_PID}"
    RELAUNCH_BY_HAND_PID=""
    wait "${pid}" || {
      lab_err "nn-relaunch by hand failed: ${LAB_CLUSTER}/logs/nn-relaunch-by-hand.log"
      return 1
    }
  fi
  for h in $(workers ""); do
    ip -n "$(ns_of "${h}")" link set eth0 up
    roles="$(host_field "${h}" roles)"
    for role in ${roles//,/ }; do
      role_wanted "${role}" || continue
      if [[ ! -f "${LAB_CLUSTER}/pids/${h}.${role}" ]] \
        || ! kill -0 "$(cat "${LAB_CLUSTER}/pids/${h}.${role}")" 2>/dev/null; then
        daemon_start "${h}" "${role}"
        restarted=$((restarted + 1))
        [[ "${role}" != "journalnode" ]] || jn_restarted=$((jn_restarted + 1))
      fi
    done
  done
  local n nms
  n="$(workers "" | wc -l)"
  nms="$(role_hosts nodemanager | wc -l)"
  wait_for 240 "${n} live DataNodes" live_datanodes_are "${n}" \
    && wait_for 240 "${nms} NodeManagers" active_nodemanagers_are "${nms}" || return 1
  if ((jn_restarted > 0)); then
    # A JournalNode that was down gets the NameNode's edits again only from the next log
    # segment on (QJM marks it out of sync): roll now, or losing another zone would leave
    # the NameNode without a writable quorum.
    client_java 128m org.apache.hadoop.hdfs.tools.DFSAdmin -rollEdits \
      >>"${LAB_CLUSTER}/logs/roll-edits.log" 2>&1 || lab_err "rollEdits failed (see ${LAB_CLUSTER}/logs/roll-edits.log)"
  fi
  ((restarted == 0)) || lab_say "  [${LAB_POLICY}] ${restarted} daemons restarted; all workers registered"
}

#######################################
# Stops this policy's cluster, unless it is the one --keep leaves up.
#######################################
cluster_down() {
  [[ "${LAB_KEEP_THIS:-false}" == "true" ]] || policy_net_down
}
