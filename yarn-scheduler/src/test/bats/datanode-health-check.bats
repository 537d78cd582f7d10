#!/usr/bin/env bats
# Tests of the NodeManager DataNode health-check script against a stub DataNode web server
# (a Python http.server serving a DataNodeInfo JMX reply). The real-DataNode case runs in
# Java: DataNodeHealthScriptTest.

# shellcheck disable=SC2030,SC2031,SC2154  # bats runs each test in a subshell; run sets $stderr
bats_require_minimum_version 1.5.0

SCRIPT="${BATS_TEST_DIRNAME}/../../main/sh/datanode-health-check.sh"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start_stub() {
  local reply=$1
  mkdir -p "$BATS_TEST_TMPDIR/www"
  printf '%s' "$reply" > "$BATS_TEST_TMPDIR/www/jmx"
  PORT=$(free_port)
  python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$BATS_TEST_TMPDIR/www" \
    > /dev/null 2>&1 &
  STUB_PID=$!
  for _ in $(seq 1 50); do
    curl -s "http://127.0.0.1:$PORT/jmx" > /dev/null && return 0
    sleep 0.1
  done
  return 1
}

teardown() {
  if [[ -n ${STUB_PID:-} ]]; then
    kill "$STUB_PID" 2> /dev/null || true
    wait "$STUB_PID" 2> /dev/null || true
  fi
}

write_conf() {
  CONF="$BATS_TEST_TMPDIR/dn.conf"
  printf '%s\n' "$@" > "$CONF"
}

@test "live DataNode: no ERROR line, exit 0" {
  start_stub '{"beans":[{"name" : "Hadoop:service=DataNode,name=DataNodeInfo"}]}'
  write_conf "# stub" "DATANODE_HTTP_ADDRESS=127.0.0.1:$PORT" "DATANODE_TIMEOUT_SECONDS=3"
  run bash "$SCRIPT" "$CONF"
  [ "$status" -eq 0 ]
  [[ $output != *ERROR* ]]
}

@test "stopped DataNode: ERROR line naming the address, exit 0" {
  PORT=$(free_port)
  write_conf "DATANODE_HTTP_ADDRESS=127.0.0.1:$PORT" "DATANODE_TIMEOUT_SECONDS=2"
  run bash "$SCRIPT" "$CONF"
  [ "$status" -eq 0 ]
  [[ ${lines[0]} == "ERROR DataNode at 127.0.0.1:$PORT is down:"* ]]
}

@test "something else on the port: ERROR" {
  start_stub '{"beans":[{"name" : "Hadoop:service=NameNode,name=NameNodeInfo"}]}'
  write_conf "DATANODE_HTTP_ADDRESS=127.0.0.1:$PORT"
  run bash "$SCRIPT" "$CONF"
  [ "$status" -eq 0 ]
  [[ ${lines[0]} == ERROR*"no DataNodeInfo bean"* ]]
}

@test "missing config file: exit 2, no ERROR line on stdout" {
  run --separate-stderr bash "$SCRIPT" "$BATS_TEST_TMPDIR/absent.conf"
  [ "$status" -eq 2 ]
  [[ $output != *ERROR* ]]
  [[ $stderr == *"not readable"* ]]
}

@test "malformed values name the key and keep the node healthy" {
  write_conf "DATANODE_TIMEOUT_SECONDS=soon"
  run --separate-stderr bash "$SCRIPT" "$CONF"
  [ "$status" -eq 2 ]
  [[ $output != *ERROR* ]]
  [[ $stderr == *DATANODE_TIMEOUT_SECONDS* ]]

  write_conf "DATANODE_HTTP_ADDRESS=no-port"
  run --separate-stderr bash "$SCRIPT" "$CONF"
  [ "$status" -eq 2 ]
  [[ $stderr == *DATANODE_HTTP_ADDRESS* ]]

  write_conf "DATANODE_TIMOUT=5"
  run --separate-stderr bash "$SCRIPT" "$CONF"
  [ "$status" -eq 2 ]
  [[ $stderr == *"unknown key 'DATANODE_TIMOUT'"* ]]
}
