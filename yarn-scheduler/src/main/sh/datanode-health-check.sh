#!/usr/bin/env bash
# NodeManager health-check script: reports "ERROR ..." when the DataNode on this host is down,
# so YARN's stock path (node unhealthy -> containers aborted -> applications reschedule)
# moves work off a host whose local data is gone. For the FairScheduler, or clusters that
# prefer it to the CapacityScheduler requeue monitor.
#
# yarn-site.xml:
#   yarn.nodemanager.health-checker.script.path = /path/to/datanode-health-check.sh
#   yarn.nodemanager.health-checker.script.opts = /etc/hadoop/datanode-health-check.conf
#   yarn.nodemanager.health-checker.interval-ms = 10000   (default is 10 minutes)
#
# Config file (one KEY=value a line, '#' comments; every key optional):
#   DATANODE_HTTP_ADDRESS=localhost:9864   host:port of the DataNode web server
#   DATANODE_SCHEME=http                   http or https
#   DATANODE_TIMEOUT_SECONDS=5             timeout of the probe, whole seconds 1..60
#
# Output: nothing when the DataNode answers; one line "ERROR DataNode ... down: reason" when
# it does not. A broken configuration is reported on stderr with exit status 2 and no ERROR
# line: the NodeManager then keeps the node healthy instead of draining a whole cluster.
set -euo pipefail

DATANODE_HTTP_ADDRESS=localhost:9864
DATANODE_SCHEME=http
DATANODE_TIMEOUT_SECONDS=5

config_error() {
  echo "datanode-health-check: $*" >&2
  exit 2
}

read_config() {
  local file=$1 line key value
  [[ -r $file ]] || config_error "config file '$file' not readable"
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%%#*}
    line=${line#"${line%%[![:space:]]*}"}
    line=${line%"${line##*[![:space:]]}"}
    [[ -z $line ]] && continue
    [[ $line == *=* ]] || config_error "malformed line '$line' in $file (expected KEY=value)"
    key=${line%%=*}
    value=${line#*=}
    case $key in
      DATANODE_HTTP_ADDRESS) DATANODE_HTTP_ADDRESS=$value ;;
      DATANODE_SCHEME) DATANODE_SCHEME=$value ;;
      DATANODE_TIMEOUT_SECONDS) DATANODE_TIMEOUT_SECONDS=$value ;;
      *) config_error "unknown key '$key' in $file" ;;
    esac
  done < "$file"
}

validate() {
  [[ $DATANODE_HTTP_ADDRESS =~ ^[A-Za-z0-9._-]+:[0-9]{1,5}$ ]] \
    || config_error "DATANODE_HTTP_ADDRESS '$DATANODE_HTTP_ADDRESS' is not host:port"
  [[ $DATANODE_SCHEME == http || $DATANODE_SCHEME == https ]] \
    || config_error "DATANODE_SCHEME '$DATANODE_SCHEME' must be http or https"
  if ! [[ $DATANODE_TIMEOUT_SECONDS =~ ^[0-9]{1,2}$ ]] || ((10#$DATANODE_TIMEOUT_SECONDS < 1)) \
    || ((10#$DATANODE_TIMEOUT_SECONDS > 60)); then
    config_error "DATANODE_TIMEOUT_SECONDS '$DATANODE_TIMEOUT_SECONDS' must be 1..60"
  fi
}

main() {
  if (($# > 1)); then
    config_error "usage: $0 [config-file]"
  fi
  if (($# == 1)); then
    read_config "$1"
  fi
  validate
  command -v curl > /dev/null || config_error "curl not found"

  local url body rc=0
  url="${DATANODE_SCHEME}://${DATANODE_HTTP_ADDRESS}/jmx?qry=Hadoop:service=DataNode,name=DataNodeInfo"
  body=$(curl --silent --show-error --fail --insecure --max-time "$DATANODE_TIMEOUT_SECONDS" \
    "$url" 2>&1) || rc=$?
  if ((rc != 0)); then
    echo "ERROR DataNode at ${DATANODE_HTTP_ADDRESS} is down: ${body//$'\n'/ } (curl exit $rc)"
    return 0
  fi
  if [[ $body != *'"Hadoop:service=DataNode,name=DataNodeInfo"'* ]]; then
    echo "ERROR DataNode at ${DATANODE_HTTP_ADDRESS} is down: no DataNodeInfo bean in its reply"
    return 0
  fi
  return 0
}

main "$@"
