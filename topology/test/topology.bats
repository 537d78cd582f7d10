#!/usr/bin/env bats
# ec2-topology against moto_server on 127.0.0.1: Hadoop's contract (one line per argument,
# in order), the batched describe-instances, the cache (hits, expiry, concurrent writers),
# AWS failures and timeouts (stale answers, then the default), and the rack tag. Each fault
# test runs its control in the same test: the same assertion without the cache (or without
# stale answers) fails.

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
}

teardown() {
  blackhole_stop
}

# The expected answers in subnet mode.
loc_a1() { echo "/us-east-1a/${SUBNET_A1}"; }
loc_a2() { echo "/us-east-1a/${SUBNET_A2}"; }
loc_b() { echo "/us-east-1b/${SUBNET_B}"; }
readonly DEFAULT=/default-zone/default-rack

@test "one line per argument, in order: IPs, EC2 names, other names, unknown, duplicates" {
  echo "dn-a2.example.com ${IP_A2}" >>"${TOPO_HOSTS}"
  echo "outside.example.com 192.0.2.7" >>"${TOPO_HOSTS}"
  local upper="${DNS_B2^^}"
  topo "${IP_A1}" 10.20.9.9 "${DNS_B1}" "${IP_A2}" "${IP_GONE}" dn-a2.example.com \
    outside.example.com no-such-host "${IP_A1}" "${upper}" "${IP_B2}" 'bad,name'
  assert_success
  assert_output "$(printf '%s\n' "$(loc_a1)" "${DEFAULT}" "$(loc_b)" "$(loc_a2)" "${DEFAULT}" \
    "$(loc_a2)" "${DEFAULT}" "${DEFAULT}" "$(loc_a1)" "$(loc_b)" "$(loc_b)" "${DEFAULT}")"
  # Hadoop splits the output on white space and needs exactly one token per argument.
  local -a tokens
  read -ra tokens <<<"$(tr '\n' ' ' <<<"${output}")"
  assert_equal "${#tokens[@]}" 12
  # One batched call per filter kind: every IP (incl. the resolved names) in one, the EC2
  # DNS names in the other.
  assert_equal "$(aws_calls)" 2
  run grep -c 'Name=private-ip-address,Values=' "${NNR_AWS_LOG}"
  assert_output 1
  run grep -c 'Name=private-dns-name,Values=' "${NNR_AWS_LOG}"
  assert_output 1
  # Every fallback is logged with its reason.
  run topo_log
  assert_output --partial "10.20.9.9: no EC2 instance has this address or name; ${DEFAULT}"
  assert_output --partial "${IP_GONE}: no EC2 instance"
  assert_output --partial "outside.example.com (192.0.2.7): no EC2 instance"
  assert_output --partial "no-such-host: not an IP, not an EC2 name and does not resolve"
  assert_output --partial "bad,name: not an IP"
}

@test "100 arguments (Hadoop's default net.topology.script.number.args) in one call" {
  local -a args=() want=()
  local i
  for ((i = 0; i < 100; i++)); do
    case $((i % 4)) in
      0) args+=("${IP_A1}") && want+=("$(loc_a1)") ;;
      1) args+=("${DNS_A2}") && want+=("$(loc_a2)") ;;
      2) args+=("10.20.7.$((i % 250))") && want+=("${DEFAULT}") ;;
      3) args+=("${IP_B1}") && want+=("$(loc_b)") ;;
    esac
  done
  topo "${args[@]}"
  assert_success
  assert_equal "${#lines[@]}" 100
  assert_output "$(printf '%s\n' "${want[@]}")"
  assert_equal "$(aws_calls)" 2
}

@test "no arguments: no output, no AWS call" {
  topo
  assert_success
  assert_output ""
  assert_equal "$(aws_calls)" 0
}

@test "cache hit: no AWS call, and the answers survive AWS being unreachable" {
  topo "${IP_A1}" "${IP_B1}"
  assert_success
  local first="${output}"
  assert_equal "$(aws_calls)" 1
  # The DNS names of the instances seen were cached too.
  topo "${IP_A1}" "${DNS_B1}" "${IP_B1}"
  assert_output "$(printf '%s\n' "$(loc_a1)" "$(loc_b)" "$(loc_b)")"
  assert_equal "$(aws_calls)" 1
  # AWS unreachable (nothing listens on the endpoint): the cache still answers.
  TOPOLOGY_ENDPOINT_URL="$(closed_url)" TOPOLOGY_AWS_TIMEOUT=2 topo "${IP_A1}" "${IP_B1}"
  assert_success
  assert_output "${first}"
  assert_equal "$(aws_calls)" 1
  # Control: the same call without the cache fails the same assertion (every host falls
  # back to the default; checked once by hand too).
  TOPOLOGY_ENDPOINT_URL="$(closed_url)" TOPOLOGY_AWS_TIMEOUT=2 TOPOLOGY_CACHE_TTL=0 \
    topo "${IP_A1}" "${IP_B1}"
  assert_success
  refute_output "${first}"
  assert_output "$(printf '%s\n' "${DEFAULT}" "${DEFAULT}")"
  assert_equal "$(aws_calls)" 2
}

@test "cache expiry: expired entries are asked again, fresh ones are not" {
  topo "${IP_A1}" "${IP_B1}"
  assert_equal "$(aws_calls)" 1
  # Fresh entries are served as written (prove it with a planted answer)...
  sed -i "s#^${IP_A1}\t[^\t]*#${IP_A1}\t/zone-planted/rack-planted#" \
    "${TOPOLOGY_CACHE_DIR}/ec2-topology.cache"
  topo "${IP_A1}"
  assert_output /zone-planted/rack-planted
  assert_equal "$(aws_calls)" 1
  # ... until they are older than TOPOLOGY_CACHE_TTL (600 s by default).
  cache_age 601
  topo "${IP_A1}" "${IP_B1}"
  assert_output "$(printf '%s\n' "$(loc_a1)" "$(loc_b)")"
  assert_equal "$(aws_calls)" 2
  # The refreshed entries are fresh again.
  topo "${IP_A1}"
  assert_equal "$(aws_calls)" 2
  # A shorter TTL expires sooner.
  cache_age 31
  TOPOLOGY_CACHE_TTL=30 topo "${IP_A1}"
  assert_output "$(loc_a1)"
  assert_equal "$(aws_calls)" 3
}

@test "AWS fails: stale entries beat the default, unknown hosts get the default, all logged" {
  topo "${IP_A1}" "${IP_B1}"
  cache_age 3600
  echo 'describe-instances|fail|An error occurred (RequestLimitExceeded): Request limit exceeded.' \
    >"${NNR_AWS_FAULTS}"
  topo "${IP_A1}" 10.20.9.9 "${IP_B1}"
  assert_success
  assert_output "$(printf '%s\n' "$(loc_a1)" "${DEFAULT}" "$(loc_b)")"
  run topo_log
  assert_output --partial "RequestLimitExceeded"
  assert_output --regexp "${IP_A1//./\\.}: AWS did not answer; using the cached $(loc_a1) \(360[0-9] s old\)"
  assert_output --partial "10.20.9.9: AWS did not answer and no cache entry; ${DEFAULT}"
  # Control: with stale answers off the same call gives the default for every host.
  TOPOLOGY_STALE_TTL=0 topo "${IP_A1}" 10.20.9.9 "${IP_B1}"
  assert_success
  assert_output "$(printf '%s\n' "${DEFAULT}" "${DEFAULT}" "${DEFAULT}")"
  # Too old to be used even as stale: the default.
  cache_age 86401
  topo "${IP_A1}"
  assert_output "${DEFAULT}"
}

@test "AWS never answers: answer within TOPOLOGY_AWS_TIMEOUT from the stale cache" {
  topo "${IP_A1}" "${DNS_B1}"
  cache_age 3600
  local url start elapsed
  url="$(blackhole_start)"
  start="$(date +%s%N)"
  TOPOLOGY_ENDPOINT_URL="${url}" TOPOLOGY_AWS_TIMEOUT=2 topo "${IP_A1}" "${DNS_B1}" 10.20.9.9
  elapsed=$((($(date +%s%N) - start) / 1000000))
  assert_success
  assert_output "$(printf '%s\n' "$(loc_a1)" "$(loc_b)" "${DEFAULT}")"
  # Both calls (IPs, DNS names) ran at once under the 2 s limit (+1 s kill grace).
  # (2 s + bash and process start on a loaded 2-core machine; measured 2.3-2.6 s idle.)
  ((elapsed < 4500)) || fail "took ${elapsed} ms"
  run topo_log
  assert_output --partial "no answer within TOPOLOGY_AWS_TIMEOUT=2 s"
  # Control: the AWS CLI itself, same endpoint, is still waiting after 6 s.
  run timeout 6 "${NNR_REAL_AWS}" ec2 describe-instances --region us-east-1 \
    --endpoint-url "${url}" --cli-connect-timeout 2 --cli-read-timeout 2
  assert_failure 124
}

@test "rack tag mode: the tag's value, the subnet without it, sanitised, separate cache" {
  topo "${IP_A1}" "${IP_A2}"
  assert_output "$(printf '%s\n' "$(loc_a1)" "$(loc_a2)")"
  export TOPOLOGY_RACK_TAG=rack
  topo "${IP_A1}" "${IP_A2}" "${IP_B1}" "${IP_B2}" "${IP_ODD}"
  assert_success
  assert_output "$(printf '%s\n' "$(loc_a1)" /us-east-1a/rack-2 /us-east-1b/rack-1 "$(loc_b)" \
    /us-east-1b/r_3_x)"
  # The subnet-mode cache was not used for the tag-mode answers.
  assert_equal "$(aws_calls)" 2
  run topo_log
  assert_output --partial "cache ignored: written for another configuration"
  topo "${IP_A2}"
  assert_output /us-east-1a/rack-2
  assert_equal "$(aws_calls)" 2
}

@test "concurrent invocations: every answer right, one well-formed cache file" {
  local i
  local -a hosts=("${IP_A1}" "${IP_A2}" "${IP_B1}" "${IP_B2}" "${DNS_A1}" "${DNS_B2}")
  for ((i = 0; i < 6; i++)); do
    "${TOPO_HOME}/bin/ec2-topology" "${hosts[i]}" "${hosts[$(((i + 1) % 6))]}" \
      >"${BATS_TEST_TMPDIR}/out.${i}" &
  done
  wait
  assert_equal "$(cat "${BATS_TEST_TMPDIR}"/out.0)" "$(printf '%s\n' "$(loc_a1)" "$(loc_a2)")"
  assert_equal "$(cat "${BATS_TEST_TMPDIR}"/out.3)" "$(printf '%s\n' "$(loc_b)" "$(loc_a1)")"
  assert_equal "$(cat "${BATS_TEST_TMPDIR}"/out.5)" "$(printf '%s\n' "$(loc_b)" "$(loc_a1)")"
  local cache="${TOPOLOGY_CACHE_DIR}/ec2-topology.cache"
  run head -n 1 "${cache}"
  assert_output "# ec2-topology cache v1 region=us-east-1;rack_tag="
  run awk -F '\t' 'NR > 1 && (NF != 3 || $2 !~ /^\/us-east-1[ab]\/subnet-/)' "${cache}"
  assert_output ""
  local h
  for h in "${hosts[@]}"; do
    grep -q "^${h}"$'\t' "${cache}" || fail "${h} not cached"
  done
  # No temp file left behind.
  run find "${TOPOLOGY_CACHE_DIR}" -name 'ec2-topology.cache.*'
  assert_output ""
  # All answered from the cache now.
  local before
  before="$(aws_calls)"
  topo "${hosts[@]}"
  assert_equal "$(aws_calls)" "${before}"
}
