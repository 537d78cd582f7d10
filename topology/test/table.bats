#!/usr/bin/env bats
# ec2-topology-table against moto_server on 127.0.0.1: the TableMapping file's content,
# idempotency, atomic replacement, and that a failed or empty lookup never touches an
# existing table (each with its control: the same run without the fault changes the file).

setup_file() {
  load helpers/topology
  moto_start
  topo_world_setup
}

teardown_file() {
  load helpers/topology
  moto_stop
}

setup() {
  load helpers/topology
  topo_test_env
  TABLE="${BATS_TEST_TMPDIR}/tables/topology.table"
  mkdir -p "${BATS_TEST_TMPDIR}/tables"
}

teardown() {
  blackhole_stop
}

table() {
  run "${TOPO_HOME}/bin/ec2-topology-table" "$@"
}

# The table of the four cluster=hadoop instances in subnet mode, as it must be written.
expected_hadoop() {
  {
    local n loc
    for n in A1 A2 B1 B2; do
      case "${n}" in
        A1) loc="/us-east-1a/${SUBNET_A1}" ;;
        A2) loc="/us-east-1a/${SUBNET_A2}" ;;
        *) loc="/us-east-1b/${SUBNET_B}" ;;
      esac
      local ip="IP_${n}" dns="DNS_${n}"
      echo "${!ip} ${loc}"
      echo "${!dns} ${loc}"
    done
  } | LC_ALL=C sort
}

inode() {
  stat -c %i "$1"
}

@test "table: one line per private IP and DNS name, sorted, TableMapping's two columns" {
  table --tag cluster=hadoop "${TABLE}"
  assert_success
  assert_output "ec2-topology-table: ${TABLE} written (8 lines)"
  assert_equal "$(cat "${TABLE}")" "$(expected_hadoop)"
  run grep -cvE '^[^ ]+ /[A-Za-z0-9._:-]+/[A-Za-z0-9._:-]+$' "${TABLE}"
  assert_output 0
  assert_equal "$(stat -c %a "${TABLE}")" 644
  # The terminated instance and the other clusters are not in it.
  run grep -E "^(${IP_GONE}|${IP_OTHER}|${IP_ODD}) " "${TABLE}"
  assert_failure
  # Without a filter: every running instance; the tag from the config file works too.
  table "${TABLE}"
  assert_output --partial "written (12 lines)"
  grep -q "^${IP_OTHER} /us-east-1b/${SUBNET_B}$" "${TABLE}"
  echo "TOPOLOGY_TABLE_FILTER_TAG=cluster=hadoop" >"${BATS_TEST_TMPDIR}/t.conf"
  table --config "${BATS_TEST_TMPDIR}/t.conf" "${TABLE}"
  assert_output --partial "written (8 lines)"
  # Rack tag mode, sanitised like ec2-topology's answers.
  TOPOLOGY_RACK_TAG=rack table --tag cluster=odd "${TABLE}"
  assert_success
  assert_equal "$(cat "${TABLE}")" "$(printf '%s\n' "${IP_ODD} /us-east-1b/r_3_x" \
    "${DNS_ODD} /us-east-1b/r_3_x")"
}

@test "table: idempotent (unchanged file untouched), replaced atomically when it changes" {
  table --tag cluster=hadoop "${TABLE}"
  assert_success
  local ino mtime
  ino="$(inode "${TABLE}")"
  mtime="$(stat -c %Y.%y "${TABLE}")"
  table --tag cluster=hadoop "${TABLE}"
  assert_success
  assert_output "ec2-topology-table: ${TABLE} unchanged (8 lines)"
  assert_equal "$(inode "${TABLE}")" "${ino}"
  assert_equal "$(stat -c %Y.%y "${TABLE}")" "${mtime}"
  # A change is written to a new file renamed over the old one (readers see old or new).
  TOPOLOGY_RACK_TAG=rack table --tag cluster=hadoop "${TABLE}"
  assert_success
  assert_output --partial "written (8 lines)"
  [[ "$(inode "${TABLE}")" != "${ino}" ]]
  grep -q "^${IP_A2} /us-east-1a/rack-2$" "${TABLE}"
  # Nothing else is left in the directory.
  run ls -A "$(dirname "${TABLE}")"
  assert_output "topology.table"
}

@test "table: AWS failure, timeout or no match -> exit 1, the old table untouched" {
  table --tag cluster=hadoop "${TABLE}"
  local before ino
  before="$(cat "${TABLE}")"
  ino="$(inode "${TABLE}")"
  echo 'describe-instances|fail|An error occurred (UnauthorizedOperation): not authorized' \
    >"${NNR_AWS_FAULTS}"
  # (rack tag mode: the table would change if it were written)
  TOPOLOGY_RACK_TAG=rack table --tag cluster=hadoop "${TABLE}"
  assert_failure 1
  assert_output --partial "UnauthorizedOperation"
  assert_output --partial "${TABLE} left as it was"
  assert_equal "$(cat "${TABLE}")" "${before}"
  assert_equal "$(inode "${TABLE}")" "${ino}"
  # No match (a typo in the tag): an empty table would put every host in the default rack.
  : >"${NNR_AWS_FAULTS}"
  TOPOLOGY_RACK_TAG=rack table --tag cluster=hadoopp "${TABLE}"
  assert_failure 1
  assert_output --partial "no instance matched"
  assert_equal "$(inode "${TABLE}")" "${ino}"
  # AWS never answers: gives up after TOPOLOGY_TABLE_TIMEOUT.
  local url start
  url="$(blackhole_start)"
  start="$(date +%s)"
  TOPOLOGY_ENDPOINT_URL="${url}" TOPOLOGY_TABLE_TIMEOUT=1 TOPOLOGY_RACK_TAG=rack \
    table --tag cluster=hadoop "${TABLE}"
  assert_failure 1
  assert_output --partial "no answer within TOPOLOGY_TABLE_TIMEOUT=1 s"
  (($(date +%s) - start <= 4))
  assert_equal "$(inode "${TABLE}")" "${ino}"
  # Control: the same run without a fault replaces the table.
  TOPOLOGY_RACK_TAG=rack table --tag cluster=hadoop "${TABLE}"
  assert_success
  [[ "$(inode "${TABLE}")" != "${ino}" ]]
  # --allow-empty writes the empty table on purpose.
  table --allow-empty --tag cluster=none "${TABLE}"
  assert_success
  assert_equal "$(wc -c <"${TABLE}")" 0
}

@test "table: bad arguments or config -> exit 2 naming them, nothing written, no AWS call" {
  table
  assert_failure 2
  assert_output --partial "usage: ec2-topology-table"
  table --tag cluster "${TABLE}"
  assert_failure 2
  assert_output --partial "TOPOLOGY_TABLE_FILTER_TAG=cluster: expected KEY=VALUE"
  table --bogus "${TABLE}"
  assert_failure 2
  assert_output --partial "unknown option --bogus"
  table "${TABLE}" "${TABLE}.2"
  assert_failure 2
  table "${BATS_TEST_TMPDIR}/missing/dir/t.table"
  assert_failure 2
  assert_output --partial "missing or not writable"
  TOPOLOGY_TABLE_TIMEOUT=0 table "${TABLE}"
  assert_failure 2
  assert_output --partial "TOPOLOGY_TABLE_TIMEOUT=0: expected seconds > 0"
  TOPOLOGY_TABLE_STATES=running,gone table "${TABLE}"
  assert_failure 2
  assert_output --partial "TOPOLOGY_TABLE_STATES=running,gone"
  table --config "${BATS_TEST_TMPDIR}/none.conf" "${TABLE}"
  assert_failure 2
  assert_output --partial "config file not readable"
  [[ ! -e "${TABLE}" ]]
  assert_equal "$(aws_calls)" 0
}
