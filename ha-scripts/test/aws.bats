#!/usr/bin/env bats
# nn-relaunch with the aws provider against moto_server: call sequence and order, injected
# failures, and the AWS rules moto does not enforce (zones, in-use volumes). The same-zone
# relaunch; aws-guards.bats (what is not ours, leases, config and input errors, the
# private-IP mode), aws-faults.bats (refusals, SSM, kills) and aws-crosszone.bats (issue 11)
# go on.

load helpers/aws_suite

@test "aws: full relaunch makes the calls in order, one timed line per step, converges; the SSM agent registering late is waited for" {
  # The agent is offline for the first two looks; until then AWS refuses send-command.
  # (fails on main 6451e23: the first prepare was sent at once, refused, and its empty
  # command id polled until COMMAND_TIMEOUT: exit 1; here the default 300 s, since the
  # sequence asserts that limit's execution timeouts)
  fault "describe-instance-information|jq|.InstanceInformationList = []|fewer:2:describe-instance-information"
  fault "send-command|fail|An error occurred (InvalidInstanceId) when calling the SendCommand operation: Instances not in a valid state for account|fewer:2:describe-instance-information"
  full_relaunch_in_order
  run grep -c '^ssm send-command' "${NNR_AWS_LOG}"
  assert_output "3"
  # The first send came after the third look (the first that found the agent online).
  local first_send third_look
  first_send="$(grep -n '^ssm send-command' "${NNR_AWS_LOG}" | head -n 1 | cut -d: -f1)"
  third_look="$(grep -n '^ssm describe-instance-information' "${NNR_AWS_LOG}" | sed -n 3p | cut -d: -f1)"
  ((first_send > third_look))
  # The agent asked about before the first command only: those 3 looks (checked once: asked
  # before every command, it was 5). Earlier commands listed before every command, and once
  # in the preflight.
  run grep -c '^ssm describe-instance-information' "${NNR_AWS_LOG}"
  assert_output "3"
  run grep -c '^ssm list-commands' "${NNR_AWS_LOG}"
  assert_output "4"
}

@test "aws: AWS CLI v2 (/usr/bin/aws): full relaunch in order; AWS_CLI selects it" {
  [[ -x /usr/bin/aws ]] || skip "no AWS CLI v2 at /usr/bin/aws (apt-get install awscli)"
  local version
  version="$(/usr/bin/aws --version 2>&1)" || true
  [[ "${version}" == aws-cli/2.* ]] || skip "/usr/bin/aws is not AWS CLI v2: ${version}"
  # The recorder (fake-aws) runs every call with v2's code (/usr/bin/aws is a Python
  # script over Debian's awscli v2 package), warm: v2's own parser, error handling and
  # output, about 3 times faster than starting the binary for each of the relaunch's
  # 60-odd calls (169 s for this test on a loaded host). v2.9 ignores AWS_ENDPOINT_URL:
  # the provider passes --endpoint-url on every call.
  export NNR_REAL_AWS=/usr/bin/aws NNR_AWS_WARM_SOCKET="${BATS_TEST_TMPDIR}/aws-v2.sock"
  aws_warm_start "$(sed -n '1s/^#!//p' /usr/bin/aws)" "${NNR_AWS_WARM_SOCKET}" \
    "${BATS_TEST_TMPDIR}/aws-v2-warm"
  [[ -S "${NNR_AWS_WARM_SOCKET}" ]] || fail "$(cat "${BATS_TEST_TMPDIR}/aws-v2-warm.log")"
  grep -q '^awscli 2\.' "${BATS_TEST_TMPDIR}/aws-v2-warm.log" \
    || fail "the warm process did not load AWS CLI v2: $(cat "${BATS_TEST_TMPDIR}/aws-v2-warm.log")"
  full_relaunch_in_order
  # AWS_CLI=/usr/bin/aws directly (no recorder, the binary started for each call): v2
  # reads the converged world from moto.
  sed -i "s|^AWS_CLI=.*|AWS_CLI=/usr/bin/aws|" "${CONF}"
  # The relaunched NameNode serves: a rerun (dry or not) has nothing to do.
  relaunch --dry-run
  assert_success
  assert_output --partial "NameNode on $(new_instance) (recorded by epoch 1)"
  assert_output --partial "nothing to do"
}

@test "aws: --dry-run prints the plan and changes nothing" {
  local before
  before="$(state)"
  relaunch --dry-run
  assert_success
  assert_output --partial "would: fence    stop ${OLD}"
  assert_output --partial "would: launch   a replacement in us-east-1a"
  run mutating_calls
  assert_output ""
  run grep -c 'create-tags' "${NNR_AWS_LOG}"
  assert_output "0"
  assert_equal "$(state)" "${before}"
}

# As AWS shows a detach in progress: the volume stays in-use, its attachment is detaching.
DETACHING='.Volumes[0].Attachments[0].State = "detaching"'

@test "aws: volume stuck detaching -> force detach after fencing, nothing launched" {
  fault "detach-volume|noop|{}"
  fault "describe-volumes|jq|${DETACHING}|after:detach-volume"
  relaunch
  assert_failure 1
  assert_output --partial "stuck detaching after a force detach"
  run mutating_calls
  assert_output "ec2 stop-instances --force
ec2 detach-volume
ec2 detach-volume --force"
  run jq -r '.volume.tags["nn-relaunch:force-detached"]' <<<"$(state)"
  assert_output "1"
  # Rerun: the attachment is still detaching; a plain detach-volume would be refused by AWS
  # (IncorrectState), so only the wait and the force detach again.
  # (fails on main 6451e23: "detaching" read as a volume state, so the in-use volume got a
  # second plain detach-volume and the message said "stuck in-use")
  : >"${NNR_AWS_FAULTS}"
  fault "detach-volume|fail|An error occurred (IncorrectState) when calling the DetachVolume operation: vol is detaching|noargs:--force"
  fault "detach-volume|noop|{}"
  fault "describe-volumes|jq|${DETACHING}"
  : >"${NNR_AWS_LOG}"
  relaunch
  assert_failure 1
  assert_output --partial "stuck detaching after a force detach"
  run mutating_calls
  assert_output "ec2 detach-volume --force"
}

@test "aws: stuck until forced -> goes on, full fsck requested on the new instance" {
  fault "detach-volume|noop|{}|before:detach-volume"
  fault "describe-volumes|jq|${DETACHING}|after:detach-volume&before:--force"
  relaunch
  assert_success
  assert_output --partial "force-detached from ${OLD} (full fsck due)"
  grep 'nn-relaunch prepare' "${NNR_AWS_LOG}" | grep -q 'NNH_FSCK_FORCE=1'
  assert_converged
  # The fsck flag is cleared once done.
  run jq -r '.volume.tags["nn-relaunch:force-detached"]' <<<"$(state)"
  assert_output ""
}

@test "aws: launch fails, killed, attach refused, address fails -> each rerun resumes, converges; credentials never printed" {
  fault "run-instances|fail|An error occurred (InsufficientInstanceCapacity) when calling the RunInstances operation: none"
  relaunch
  assert_failure 1
  assert_output --partial "InsufficientInstanceCapacity"
  assert_output --partial "step launch    FAILED"
  run grep -c '^ec2 attach-volume' "${NNR_AWS_LOG}"
  assert_output "0"

  : >"${NNR_AWS_FAULTS}"
  NNR_TEST_KILL_AFTER_STEP=launch relaunch
  assert_failure
  assert_output --partial "resuming"

  fault "attach-volume|fail|An error occurred (VolumeInUse) when calling the AttachVolume operation: refused"
  relaunch
  assert_failure 1
  assert_output --partial "reusing"
  assert_output --partial "step attach    FAILED"
  # Credentials are never printed, not even with an AWS error.
  refute_output --partial "${AWS_SECRET_ACCESS_KEY}"
  refute_output --partial "${AWS_ACCESS_KEY_ID}"

  : >"${NNR_AWS_FAULTS}"
  fault "associate-address|fail|An error occurred (InvalidAddress.InUse) when calling the AssociateAddress operation: x"
  relaunch
  assert_failure 1
  assert_output --partial "step address   FAILED"

  : >"${NNR_AWS_FAULTS}"
  relaunch
  assert_success
  # One real launch in all (the first was refused by the injected fault).
  run grep -c '^ec2 run-instances' "${NNR_AWS_LOG}"
  assert_output "2"
  run grep -c '^ec2 stop-instances' "${NNR_AWS_LOG}"
  assert_output "1"
  run jq -r '.volume.tags["nn-relaunch:lease"]' <<<"$(state)"
  assert_output --regexp '^epoch=5 owner=relauncher-a .* expires=0$'
  assert_converged
  # Nor recorded with any call.
  run grep -c -e "${AWS_SECRET_ACCESS_KEY}" -e "${AWS_ACCESS_KEY_ID}" "${NNR_AWS_LOG}"
  assert_output "0"
}

@test "aws: killed between launch and recording it -> rerun adopts the tagged instance" {
  # The launch happened but its id never reached the volume's tags.
  NNR_TEST_KILL_AFTER_STEP=launch relaunch
  assert_failure
  world tag "${VOL}" "nn-relaunch:new-instance" ""
  relaunch
  assert_success
  assert_output --partial "adopting"
  run grep -c '^ec2 run-instances' "${NNR_AWS_LOG}"
  assert_output "1"
  assert_converged
}
