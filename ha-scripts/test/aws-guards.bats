#!/usr/bin/env bats
# nn-relaunch with the aws provider against moto_server, the same-zone relaunch's guards:
# what is not ours is refused before fencing, one relauncher at a time, config and input
# errors before anything is touched, and the private-IP address mode. Split from aws.bats
# so that test/run-tests can run the AWS files in three lanes.

load helpers/aws_suite

@test "aws: Elastic IP held by a live third instance -> refused before fencing" {
  # (fails on main 6451e23: the old NameNode was stopped, its volume detached and a
  # replacement launched and started before the address step refused)
  local other
  other="$(world run us-east-1b)"
  world associate "${ALLOC}" "${other}"
  relaunch
  assert_failure 4
  assert_output "nn-relaunch: error: address ${ALLOC} is held by instance ${other} (running), which is not the old NameNode (${OLD}) nor the replacement (none yet); refusing before touching anything"
  run mutating_calls
  assert_output ""
  run grep -c 'create-tags' "${NNR_AWS_LOG}"
  assert_output "0"
  assert_equal "$(state | jq -r '.address')" "${other}"
  assert_equal "$(state | jq -r --arg i "${OLD}" '.instances[$i].state')" "running"
}

@test "aws: a second relauncher while the lease is held exits 3 and touches nothing" {
  world tag "${VOL}" "nn-relaunch:lease" "epoch=4 owner=other host=elsewhere pid=1 expires=$(($(date +%s) + 300))"
  relaunch
  assert_failure 3
  assert_output --partial "lease held by another relauncher"
  run mutating_calls
  assert_output ""
  run grep -c 'create-tags' "${NNR_AWS_LOG}"
  assert_output "0"
}

@test "aws: two relaunchers racing -> exactly one acts" {
  sed -i 's/^LEASE_SETTLE=.*/LEASE_SETTLE=3/' "${CONF}"
  sed 's/^LEASE_OWNER=.*/LEASE_OWNER=relauncher-b/' "${CONF}" >"${CONF}.b"
  "${HA_HOME}/bin/nn-relaunch" --config "${CONF}" >"${BATS_TEST_TMPDIR}/a.out" 2>&1 &
  local pa=$!
  "${HA_HOME}/bin/nn-relaunch" --config "${CONF}.b" >"${BATS_TEST_TMPDIR}/b.out" 2>&1 &
  local pb=$!
  local ra=0 rb=0
  wait "${pa}" || ra=$?
  wait "${pb}" || rb=$?
  echo "a=${ra} b=${rb}"
  cat "${BATS_TEST_TMPDIR}/a.out" "${BATS_TEST_TMPDIR}/b.out"
  # One acts; the other loses the race (3), or takes the lease only after the first
  # finished and finds its NameNode serving (0, "nothing to do").
  [[ "${ra}:${rb}" == "0:3" || "${ra}:${rb}" == "3:0" ]] \
    || { [[ "${ra}:${rb}" == "0:0" ]] && grep -q "nothing to do" "${BATS_TEST_TMPDIR}"/[ab].out; }
  run grep -c '^ec2 run-instances' "${NNR_AWS_LOG}"
  assert_output "1"
  run grep -c '^ec2 stop-instances' "${NNR_AWS_LOG}"
  assert_output "1"
  assert_converged
}

@test "aws: fence not confirmed (instance still running) -> volume not detached" {
  fault "stop-instances|noop|{}"
  relaunch
  assert_failure 1
  assert_output --partial "not confirmed stopped"
  run grep -c -e '^ec2 detach-volume' -e '^ec2 attach-volume' -e '^ec2 run-instances' "${NNR_AWS_LOG}"
  assert_output "0"
}

@test "aws: volume attached to a live instance it did not fence -> refused" {
  # Killed right after launching; meanwhile someone attaches the volume to a live instance
  # (moto allows it; AWS would not). The rerun must refuse, not detach or attach.
  NNR_TEST_KILL_AFTER_STEP=detach relaunch
  assert_failure
  local intruder
  intruder="$(world run us-east-1a)"
  world attach "${VOL}" "${intruder}"
  : >"${NNR_AWS_LOG}"
  relaunch
  assert_failure 4
  assert_output --partial "attached to ${intruder}, which is running and was not fenced"
  run grep -c -e '^ec2 detach-volume' -e '^ec2 attach-volume' "${NNR_AWS_LOG}"
  assert_output "0"
}

@test "aws: config errors found before fencing (subnet zone, subnet, template) -> exit 2, nothing touched" {
  # (fails on main 6451e23: wrong-zone subnet -> stop, detach, launch, terminate, exit 4;
  # missing subnet or template -> stop, detach, exit 1 "run again")
  sed "s/^AWS_SUBNETS=.*/AWS_SUBNETS=us-east-1a=${SUBNET_B}/" "${CONF}" >"${CONF}.1"
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}.1"
  assert_failure 2
  assert_output "nn-relaunch: error: AWS_SUBNETS maps zone us-east-1a to ${SUBNET_B}, which is in zone us-east-1b (the volume cannot attach there)"

  sed "s/^AWS_SUBNETS=.*/AWS_SUBNETS=us-east-1a=subnet-0123456789abcdef0/" "${CONF}" >"${CONF}.2"
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}.2"
  assert_failure 2
  assert_output --partial "nn-relaunch: error: AWS_SUBNETS: subnet subnet-0123456789abcdef0 (zone us-east-1a) not found"

  sed "s/^AWS_LAUNCH_TEMPLATE=.*/AWS_LAUNCH_TEMPLATE=lt-0123456789abcdef0/" "${CONF}" >"${CONF}.3"
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}.3"
  assert_failure 2
  assert_output --partial "nn-relaunch: error: AWS_LAUNCH_TEMPLATE=lt-0123456789abcdef0 (version \$Default) not found"

  { cat "${CONF}"; echo "AWS_LAUNCH_TEMPLATE_VERSION=7"; } >"${CONF}.4"
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}.4"
  assert_failure 2
  assert_output --partial "AWS_LAUNCH_TEMPLATE=${LT}"

  # No instance profile: the replacement's SSM agent could never register.
  local bare
  bare="$(world lt-bare)"
  sed "s/^AWS_LAUNCH_TEMPLATE=.*/AWS_LAUNCH_TEMPLATE=${bare}/" "${CONF}" >"${CONF}.5"
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}.5"
  assert_failure 2
  assert_output --partial "has no IAM instance profile"

  run mutating_calls
  assert_output ""
  run grep -c 'create-tags' "${NNR_AWS_LOG}"
  assert_output "0"
  assert_equal "$(state | jq -r --arg i "${OLD}" '.instances[$i].state')" "running"
}

@test "aws: bad input -> exit 2, one message naming it, nothing touched" {
  relaunch --bogus
  assert_failure 2
  assert_output "nn-relaunch: error: unknown argument: --bogus (see --help)"

  grep -v '^AWS_LAUNCH_TEMPLATE=' "${CONF}" >"${CONF}.1"
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}.1"
  assert_failure 2
  assert_output "nn-relaunch: error: missing config key AWS_LAUNCH_TEMPLATE (provider aws)"

  sed 's/^PROVIDER=.*/PROVIDER=gcp/' "${CONF}" >"${CONF}.2"
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}.2"
  assert_failure 2
  assert_output --partial "PROVIDER=gcp: unknown provider"

  sed "s/^VOLUME_ID=.*/VOLUME_ID=vol-0123456789abcdef0/" "${CONF}" >"${CONF}.3"
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}.3"
  assert_failure 2
  assert_output "nn-relaunch: error: VOLUME_ID=vol-0123456789abcdef0: volume not found"

  { cat "${CONF}"; echo "ZONE=us-east-1b"; } >"${CONF}.4"
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}.4"
  assert_failure 2
  assert_output "nn-relaunch: error: ZONE=us-east-1b: volume ${VOL} is in zone us-east-1a"

  sed "s/^VOLUME_ID=.*/VOLUME_ID=${VOL_B}/" "${CONF}" | sed "s/^AWS_SUBNETS=.*/AWS_SUBNETS=us-east-1a=${SUBNET_A}/" >"${CONF}.5"
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}.5"
  assert_failure 2
  assert_output "nn-relaunch: error: AWS_SUBNETS has no subnet for zone us-east-1b (the volume's zone)"

  run mutating_calls
  assert_output ""
  run grep -c 'create-tags' "${NNR_AWS_LOG}"
  assert_output "0"
}

@test "aws private-ip: relaunch assigns the IP to the replacement's interface, in order" {
  use_private_ip
  relaunch
  assert_success
  run mutating_calls
  assert_output "$(relaunch_calls assign-private-ip-addresses)"
  assert_converged
  local new eni
  new="$(new_instance)"
  eni="$(primary_eni "${new}")"
  [[ "${eni}" == eni-* ]]
  run grep '^ec2 assign-private-ip-addresses' "${NNR_AWS_LOG}"
  assert_output "ec2 assign-private-ip-addresses --network-interface-id ${eni} --private-ip-addresses ${PRIVATE_IP} --allow-reassignment"
  run grep -c -e associate-address -e describe-addresses "${NNR_AWS_LOG}"
  assert_output "0"
  # describe-network-interfaces: the replacement's primary interface holds the IP.
  run world holders "${PRIVATE_IP}"
  assert_line "${eni} ${new}"
  # The client read goes to the private IP.
  run cat "${NNR_HDFS_LOG}"
  assert_output "dfs -fs hdfs://${PRIVATE_IP}:8020 -ls /"
}

@test "aws private-ip: assign fails, killed after the move -> reruns assign once more at most, converge" {
  use_private_ip
  fault "assign-private-ip-addresses|fail|An error occurred (InvalidParameterValue) when calling the AssignPrivateIpAddresses operation: x"
  relaunch
  assert_failure 1
  assert_output --partial "step address   FAILED"

  : >"${NNR_AWS_FAULTS}"
  NNR_TEST_KILL_AFTER_STEP=address relaunch
  assert_failure
  assert_output --partial "resuming"
  local new
  new="$(new_instance)"
  assert_equal "$(primary_eni_holding "${new}")" "$(primary_eni "${new}")"

  relaunch
  assert_success
  assert_output --partial "${PRIVATE_IP} already on ${new}"
  # Two assign calls in all: the refused one and the real one; the rerun made none.
  run grep -c '^ec2 assign-private-ip-addresses .* --allow-reassignment$' "${NNR_AWS_LOG}"
  assert_output "2"
  run grep -c '^ec2 run-instances' "${NNR_AWS_LOG}"
  assert_output "1"
  assert_equal "$(new_instance)" "${new}"
  assert_converged
}

@test "aws private-ip: IP held by another live instance -> refused, not reassigned" {
  use_private_ip
  local other
  other="$(world run us-east-1a)"
  world assign "${PRIVATE_IP}" "${other}" >/dev/null
  relaunch
  assert_failure 4
  assert_output --partial "address ${PRIVATE_IP} is held by instance ${other} (running)"
  run grep -c '^ec2 assign-private-ip-addresses' "${NNR_AWS_LOG}"
  assert_output "0"
}

@test "aws private-ip: bad address -> exit 2, nothing touched" {
  use_private_ip
  sed -i "s/^ADDRESS=.*/ADDRESS=${ALLOC}/" "${CONF}"
  relaunch
  assert_failure 2
  assert_output "nn-relaunch: error: ADDRESS=${ALLOC}: expected an IPv4 address"
  run mutating_calls
  assert_output ""
}
