#!/usr/bin/env bash
# Local-provider test cluster: namespaces on 198.18.0.0/24, an ext4 volume on a loop
# device, a real NameNode and DataNodes from the Maven-built classpath. Everything lives
# under one temp dir (LT_DIR) and is removed by local_cluster_down.

LT_ADDR=198.18.0.100

#######################################
# Loads the provider with the test config (each bats test runs in its own process).
#######################################
local_env() {
  LT_DIR="$(cat "${BATS_FILE_TMPDIR}/lt_dir")"
  CONF="${LT_DIR}/nn.conf"
  # shellcheck source=../../lib/common.sh
  source "${HA_HOME}/lib/common.sh"
  # shellcheck source=../../lib/config.sh
  source "${HA_HOME}/lib/config.sh"
  config_load "${CONF}"
  # shellcheck source=../../providers/local.sh
  source "${HA_HOME}/providers/local.sh"
  HL="${HA_HOME}/test/helpers/hadoop-local"
}

xml_conf() {
  local file="$1"
  shift
  {
    echo '<?xml version="1.0"?><configuration>'
    local kv
    for kv in "$@"; do
      echo "<property><name>${kv%%=*}</name><value>${kv#*=}</value></property>"
    done
    echo '</configuration>'
  } >"${file}"
}

#######################################
# Writes the test config and the Hadoop conf dirs. Arguments: a short unique tag.
# LEASE_SETTLE is NNR_LOCAL_LEASE_SETTLE (default 2 s: a claim's read + write must fit in it
# on a loaded shared host; the benchmark sets 0.5).
#######################################
local_cluster_config() {
  local tag="$1"
  LT_DIR="$(mktemp -d "${TMPDIR:-/tmp}/nnr-${tag}.XXXXXX")"
  echo "${LT_DIR}" >"${BATS_FILE_TMPDIR}/lt_dir"
  mkdir -p "${LT_DIR}"/{state,mnt,logs,conf/nn,conf/client,data}
  # dfs.* keys go to hdfs-site.xml: hdfs-default.xml loads after core-site.xml.
  xml_conf "${LT_DIR}/conf/nn/core-site.xml" "fs.defaultFS=hdfs://${LT_ADDR}:8020" \
    "hadoop.tmp.dir=${LT_DIR}/data/tmp" "ipc.client.connect.max.retries=2" \
    "ipc.client.connect.retry.interval=500" "ipc.client.connect.timeout=2000" \
    "ipc.client.connect.max.retries.on.timeouts=2"
  LT_DFS_COMMON=("dfs.replication=2" "dfs.heartbeat.interval=1" "dfs.permissions.enabled=false"
    "dfs.client.block.write.replace-datanode-on-failure.enable=false")
  local_nn_site
  cp "${LT_DIR}/conf/nn/core-site.xml" "${LT_DIR}/conf/client/core-site.xml"
  xml_conf "${LT_DIR}/conf/client/hdfs-site.xml" "${LT_DFS_COMMON[@]}"
  local l4j="log4j.rootLogger=INFO,console
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.target=System.err
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{HH:mm:ss.SSS} %p %c{1}: %m%n"
  echo "${l4j}" >"${LT_DIR}/conf/nn/log4j.properties"
  echo "${l4j/INFO,console/WARN,console}" >"${LT_DIR}/conf/client/log4j.properties"
  local br="nnrt${tag}"
  write_config "${LT_DIR}/nn.conf" \
    PROVIDER=local CLUSTER_ID=CID-local-test VOLUME_ID=nnvol "ADDRESS=${LT_ADDR}" \
    "LOCAL_STATE_DIR=${LT_DIR}/state" "LOCAL_BRIDGE_NS=${br}" "LOCAL_CLIENT_NS=${br}-c" \
    "MOUNT_POINT=${LT_DIR}/mnt" NAME_SUBDIR=name \
    "NN_START_COMMAND=${HA_HOME}/test/helpers/hadoop-local ${LT_DIR}/conf/nn daemon namenode ${LT_DIR}/logs/nn.log" \
    "HDFS_COMMAND=${HA_HOME}/test/helpers/hadoop-local ${LT_DIR}/conf/client" \
    "LEASE_SETTLE=${NNR_LOCAL_LEASE_SETTLE:-2}" POLL_INTERVAL=0.2 FENCE_TIMEOUT=20 DETACH_TIMEOUT=5 \
    FORCE_DETACH_TIMEOUT=10 LAUNCH_TIMEOUT=10 ATTACH_TIMEOUT=10 SAFEMODE_TIMEOUT=90 \
    VERIFY_TIMEOUT=60
}

#######################################
# Writes the NameNode's hdfs-site.xml; arguments: extra KEY=value pairs.
#######################################
local_nn_site() {
  xml_conf "${LT_DIR}/conf/nn/hdfs-site.xml" "dfs.replication=2" "dfs.heartbeat.interval=1" \
    "dfs.permissions.enabled=false" \
    "dfs.client.block.write.replace-datanode-on-failure.enable=false" \
    "dfs.namenode.name.dir=file://${LT_DIR}/mnt/name" "dfs.namenode.rpc-bind-host=0.0.0.0" \
    "dfs.namenode.http-address=0.0.0.0:9870" "dfs.namenode.safemode.extension=0" \
    "dfs.namenode.datanode.registration.ip-hostname-check=false" \
    "dfs.namenode.handler.count=4" "$@"
}

#######################################
# Starts a DataNode in a new instance. Arguments: DataNode number, zone (default zone-b).
#######################################
local_start_datanode() {
  local n="$1" zone="${2:-zone-b}" id ip
  id="$(launch_instance "${zone}" "")"
  ip="$(cat "${LT_DIR}/state/instances/${id}/ip")"
  mkdir -p "${LT_DIR}/conf/dn${n}"
  cp "${LT_DIR}/conf/nn/core-site.xml" "${LT_DIR}/conf/nn/log4j.properties" "${LT_DIR}/conf/dn${n}/"
  local dfs_common=("dfs.replication=2" "dfs.heartbeat.interval=1")
  xml_conf "${LT_DIR}/conf/dn${n}/hdfs-site.xml" "${dfs_common[@]}" \
    "dfs.datanode.data.dir=file://${LT_DIR}/data/dn${n}" "dfs.datanode.hostname=${ip}" \
    "dfs.datanode.address=0.0.0.0:9866" "dfs.datanode.http.address=0.0.0.0:9864" \
    "dfs.datanode.ipc.address=0.0.0.0:9867"
  local_exec "${id}" "${HL}" "${LT_DIR}/conf/dn${n}" daemon datanode "${LT_DIR}/logs/dn${n}.log"
  echo "${id}"
}

#######################################
# Prints a NameNode JMX attribute read from the client namespace (empty if unreachable).
#######################################
nn_jmx() {
  local bean="$1" attr="$2"
  run_client curl -sf --max-time 2 \
    "http://${LT_ADDR}:9870/jmx?qry=Hadoop:service=NameNode,name=${bean}" 2>/dev/null \
    | jq -r --arg a "${attr}" '.beans[0][$a] // empty' 2>/dev/null || true
}

live_datanodes_are() {
  [[ "$(nn_jmx FSNamesystemState NumLiveDataNodes)" == "$1" ]]
}

#######################################
# The volume nnvol in zone-a, the first NameNode instance there: mounted, formatted (here
# only), started, holding the address; its id in LT_DIR/first_nn.
#######################################
local_first_namenode_up() {
  local_create_volume nnvol zone-a 128
  local nn loop
  nn="$(launch_instance zone-a "")"
  attach_volume nnvol "${nn}"
  loop="$(losetup -n -O NAME -j "${LT_DIR}/state/volumes/nnvol/image")"
  local_exec "${nn}" mount "${loop}" "${LT_DIR}/mnt"
  local_exec "${nn}" "${HL}" "${LT_DIR}/conf/nn" format CID-local-test >"${LT_DIR}/logs/format.log" 2>&1
  local_exec "${nn}" bash -c "${CFG[NN_START_COMMAND]}"
  move_address "${LT_ADDR}" "${nn}"
  echo "${nn}" >"${LT_DIR}/first_nn"
}

#######################################
# Brings up: network, volume, first NameNode instance (format once, here only), address,
# two DataNodes. Prints nothing; records ids in LT_DIR.
#######################################
local_cluster_up() {
  local_net_up
  local_first_namenode_up
  local_start_datanode 1 >/dev/null
  local_start_datanode 2 >/dev/null
  wait_until 90 0.5 live_datanodes_are 2 || {
    tail -n 30 "${LT_DIR}"/logs/*.log >&2
    return 1
  }
}

local_cluster_down() {
  [[ -f "${BATS_FILE_TMPDIR}/lt_dir" ]] || return 0
  local_env
  local_net_down
  if [[ -n "${LT_DIR}" && -d "${LT_DIR}" ]]; then
    # Nothing is mounted outside the instances' own (now gone) mount namespaces.
    rm -rf "${LT_DIR}"
  fi
}

#######################################
# Client FsShell from the client namespace.
#######################################
hdfs_client() {
  run_client "${HL}" "${LT_DIR}/conf/client" fs "$@"
}

#######################################
# Cross-zone cluster (issue 11): a JournalNode in an instance of each zone (their data on
# the host, like each zone's own disk), the NameNode in zone-a with its edit log first on
# the quorum (required) and then on its volume, its fsimage_0 pushed to the regional store,
# DataNodes in zone-b and zone-c (replication 2: a block on both). JOURNAL_URI is appended
# to the nn-relaunch config.
#######################################
local_qjm_cluster_up() {
  local_net_up
  local z id ip hosts=()
  for z in zone-a zone-b zone-c; do
    id="$(launch_instance "${z}" "")"
    ip="$(cat "${LT_DIR}/state/instances/${id}/ip")"
    mkdir -p "${LT_DIR}/conf/jn-${z}" "${LT_DIR}/data/jn-${z}"
    cp "${LT_DIR}/conf/nn/core-site.xml" "${LT_DIR}/conf/nn/log4j.properties" "${LT_DIR}/conf/jn-${z}/"
    xml_conf "${LT_DIR}/conf/jn-${z}/hdfs-site.xml" \
      "dfs.journalnode.edits.dir=${LT_DIR}/data/jn-${z}" \
      "dfs.journalnode.rpc-address=0.0.0.0:8485" "dfs.journalnode.http-address=0.0.0.0:8480"
    local_exec "${id}" "${HL}" "${LT_DIR}/conf/jn-${z}" daemon journalnode "${LT_DIR}/logs/jn-${z}.log"
    echo "${id}" >"${LT_DIR}/jn-${z}"
    hosts+=("${ip}:8485")
  done
  local uri
  uri="qjournal://$(IFS=';'; echo "${hosts[*]}")/mz"
  echo "${uri}" >"${LT_DIR}/journal_uri"
  local_nn_site "dfs.namenode.edits.dir=${uri},file://${LT_DIR}/mnt/name" \
    "dfs.namenode.edits.dir.required=${uri}"
  printf 'JOURNAL_URI=%s\n' "${uri}" >>"${CONF}"
  for z in zone-a zone-b zone-c; do
    wait_until 60 0.5 jn_answers "$(cat "${LT_DIR}/jn-${z}")" || {
      tail -n 20 "${LT_DIR}/logs/jn-${z}.log" >&2
      return 1
    }
  done
  local_first_namenode_up
  "${HA_HOME}/bin/nn-image-push" --config "${CONF}" >"${LT_DIR}/logs/push0.log" 2>&1 || {
    cat "${LT_DIR}/logs/push0.log" >&2
    return 1
  }
  local_start_datanode 1 zone-b >"${LT_DIR}/dn-zone-b"
  local_start_datanode 2 zone-c >"${LT_DIR}/dn-zone-c"
  wait_until 120 0.5 live_datanodes_are 2 || {
    tail -n 30 "${LT_DIR}"/logs/*.log >&2
    return 1
  }
}

#######################################
# True when the JournalNode of the instance listens (checked from inside its namespace).
#######################################
jn_answers() {
  [[ -n "$(ip netns exec "$1" ss -Hltn "sport = :8485")" ]]
}
