#!/usr/bin/env bats
# nn-relaunch with the aws provider against moto_server: what is not ours is never touched
# (refused before fencing), SSM failures, kills between steps, the lease renewed in long waits.

load helpers/aws_suite

# ---- issue 8: never touch what is not ours, refuse before fencing ------------------------

@test "aws: old NameNode terminated, its Elastic IP since on another instance -> refused, that one untouched" {
  # (fails on main 6451e23: the other instance was taken for the old NameNode: stopped,
  # its address moved, terminated in cleanup; exit 0)
  world detach "${VOL}" "${OLD}"
  world terminate "${OLD}"
  local other
  other="$(world run us-east-1a)"
  world associate "${ALLOC}" "${other}"
  relaunch
  assert_failure 4
  assert_output "nn-relaunch: error: address ${ALLOC} is held by instance ${other} (running), which is not the old NameNode (none known) nor the replacement (none yet); refusing before touching anything"
  run mutating_calls
  assert_output ""
  run grep -c 'create-tags' "${NNR_AWS_LOG}"
  assert_output "0"
  assert_equal "$(state | jq -r --arg i "${other}" '.instances[$i].state')" "running"
  assert_equal "$(state | jq -r '.address')" "${other}"
}

@test "aws private-ip: old NameNode terminated, its IP since on another instance -> refused" {
  # (fails on main 6451e23: the running instance holding the IP was stopped and terminated)
  use_private_ip
  world unassign "${PRIVATE_IP}" "${OLD}"
  world detach "${VOL}" "${OLD}"
  world terminate "${OLD}"
  local other
  other="$(world run us-east-1a)"
  world assign "${PRIVATE_IP}" "${other}" >/dev/null
  relaunch
  assert_failure 4
  assert_output --partial "address ${PRIVATE_IP} is held by instance ${other} (running), which is not the old NameNode (none known)"
  run mutating_calls
  assert_output ""
  assert_equal "$(state | jq -r --arg i "${other}" '.instances[$i].state')" "running"
}

@test "aws: Elastic IP on a network interface without an instance -> refused, named" {
  # (fails on main 6451e23: the holder lookup read only InstanceId, the address looked
  # free and was taken with --allow-reassociation)
  local eni
  eni="$(world eni us-east-1a)"
  world associate-eni "${ALLOC}" "${eni}"
  relaunch
  assert_failure 4
  assert_output "nn-relaunch: error: address ${ALLOC} is held by network interface ${eni}, which has no instance (a NAT gateway, endpoint or appliance?), which is not the old NameNode (${OLD}) nor the replacement (none yet); refusing before touching anything"
  run mutating_calls
  assert_output ""
  assert_equal "$(state | jq -r --arg i "${OLD}" '.instances[$i].state')" "running"
}

@test "aws private-ip: IP on a network interface without an instance -> refused, named" {
  # (fails on main 6451e23: only instances were searched; the IP was reassigned away from
  # the interface)
  use_private_ip
  world unassign "${PRIVATE_IP}" "${OLD}"
  local eni
  eni="$(world eni us-east-1a "${PRIVATE_IP}")"
  relaunch
  assert_failure 4
  assert_output --partial "address ${PRIVATE_IP} is held by network interface ${eni}, which has no instance"
  run mutating_calls
  assert_output ""
}

@test "aws: volume on two instances (Multi-Attach) -> refused before fencing, both named" {
  # (fails on main 6451e23: only the first attachment was read; the second writer was
  # invisible and the old instance was stopped anyway)
  # moto keeps one attachment a volume; AWS lists every Multi-Attach writer: injected.
  local second
  second="$(world run us-east-1a)"
  fault "describe-volumes|jq|.Volumes[0].Attachments += [{InstanceId: \"${second}\", State: \"attached\", Device: \"/dev/sdg\", VolumeId: .Volumes[0].VolumeId}]"
  relaunch
  assert_failure 4
  assert_output --partial "${VOL} has 2 attachments (${OLD}:attached ${second}:attached): Multi-Attach, another writer; refusing"
  run mutating_calls
  assert_output ""
}

@test "aws: SSM send-command refused -> the step fails at once, nothing polled" {
  # (fails on main 6451e23: the failed send left an empty command id, polled until
  # COMMAND_TIMEOUT, then "no result")
  set_conf COMMAND_TIMEOUT=20
  fault "send-command|fail|An error occurred (AccessDeniedException) when calling the SendCommand operation: denied"
  relaunch
  assert_failure 1
  assert_output --partial "AccessDeniedException"
  assert_output --partial "nn-host prepare on $(new_instance): send-command failed"
  assert_output --partial "step prepare   FAILED"
  run grep -c 'get-command-invocation' "${NNR_AWS_LOG}"
  assert_output "0"
}

@test "aws: SSM agent never online -> exit 1 after AWS_SSM_ONLINE_TIMEOUT, nothing sent" {
  # (fails on main 6451e23: nothing checked the agent; the commands were sent blind)
  set_conf AWS_SSM_ONLINE_TIMEOUT=2
  fault "describe-instance-information|jq|.InstanceInformationList = []"
  relaunch
  assert_failure 1
  assert_output --partial "SSM agent on $(new_instance) not online after 2s (AWS_SSM_ONLINE_TIMEOUT)"
  run grep -c '^ssm send-command' "${NNR_AWS_LOG}"
  assert_output "0"
}

@test "aws: remote command never finishes -> cancelled at its deadline, step fails" {
  # (fails on main 6451e23: given up after COMMAND_TIMEOUT, never cancelled, so it could
  # still run while a rerun started a second copy)
  set_conf COMMAND_TIMEOUT=1 COMMAND_GRACE=1
  fault 'get-command-invocation|jq|.Status = "InProgress"'
  relaunch
  assert_failure 1
  assert_output --partial "no result by its deadline; command"
  assert_output --partial "step prepare   FAILED"
  run grep -c '^ssm cancel-command' "${NNR_AWS_LOG}"
  assert_output "1"
  # It carried its own execution timeout: COMMAND_TIMEOUT + COMMAND_GRACE.
  grep '^ssm send-command' "${NNR_AWS_LOG}" | grep -qF '"executionTimeout":["2"]'
}

@test "aws: an earlier run's prepare still running on the replacement -> waited for, not sent again" {
  # (fails on main 6451e23: the rerun sent a second prepare: a second e2fsck on the device)
  NNR_TEST_KILL_AFTER_STEP=attach relaunch
  assert_failure
  local new cid done_file="${BATS_TEST_TMPDIR}/earlier-done"
  new="$(new_instance)"
  cid="$(world send "${new}" "nn-relaunch prepare ${VOL}")"
  fault "list-commands|jq|(.Commands[] | select(.CommandId == \"${cid}\") | .Status) = \"InProgress\"|nofile:${done_file}"
  fault "get-command-invocation|jq|.Status = \"InProgress\"|nofile:${done_file}&args:${cid}"
  "${HA_HOME}/bin/nn-relaunch" --config "${CONF}" >"${BATS_TEST_TMPDIR}/rerun.out" 2>&1 &
  local pid=$! n=0
  # Generous deadline: until the rerun polls the earlier command.
  until grep -q "get-command-invocation --command-id ${cid}" "${NNR_AWS_LOG}"; do
    n=$((n + 1))
    ((n < 600)) || break
    sleep 0.1
  done
  touch "${done_file}"
  local rc=0
  wait "${pid}" || rc=$?
  cat "${BATS_TEST_TMPDIR}/rerun.out"
  assert_equal "${rc}" "0"
  grep -q "an earlier 'nn-relaunch prepare ${VOL}' (${cid}) is still running there; waiting for it" \
    "${BATS_TEST_TMPDIR}/rerun.out"
  run grep -c '^ssm send-command .*nn-relaunch prepare' "${NNR_AWS_LOG}"
  assert_output "0"
  assert_converged
}

@test "aws: killed after cleanup or after the release -> a rerun never fences the new NameNode" {
  # (fails on main 6451e23: "done" was written in cleanup and the lease released in a
  # second write; the rerun started over with the serving replacement as the old
  # instance: stopped it, launched another, terminated it)
  NNR_TEST_KILL_AFTER_STEP=cleanup relaunch
  assert_failure
  local new
  new="$(new_instance)"
  : >"${NNR_AWS_LOG}"
  relaunch
  assert_success
  assert_output --partial "resuming (old ${OLD}, new ${new})"
  run grep -c -e '^ec2 stop-instances' -e '^ec2 run-instances' -e '^ec2 terminate-instances' \
    -e '^ec2 detach-volume' "${NNR_AWS_LOG}"
  assert_output "0"
  assert_equal "$(new_instance)" "${new}"
  assert_converged
  run jq -r '.volume.tags["nn-relaunch:namenode"]' <<<"$(state)"
  assert_output "${new}"

  # Killed after the release, its exit status lost: all is written then, in one write
  # with the lease's release, so the state is this one. The rerun finds it serving.
  : >"${NNR_AWS_LOG}"
  relaunch
  assert_success
  assert_output --partial "NameNode on ${new} (recorded by epoch 2) has ${VOL} and ${ALLOC} and serves reads"
  run mutating_calls
  assert_output ""
  assert_converged
}

@test "aws: replacement terminates while pending -> launch fails at once, not after LAUNCH_TIMEOUT" {
  # (fails on main 6451e23: waited the whole LAUNCH_TIMEOUT for a terminated instance,
  # then "not running after 30s")
  set_conf LAUNCH_TIMEOUT=30
  fault 'describe-instances|jq|(.Reservations[]?.Instances[]? | select(any(.Tags[]?; .Key == "nn-relaunch:epoch")) | .State.Name) |= "terminated"|after:run-instances'
  relaunch
  assert_failure 1
  assert_output --regexp "replacement i-[0-9a-f]+ is terminated instead of running \(launch failed\); run again"
  refute_output --partial "not running after"
  run jq -r '.volume.tags["nn-relaunch:new-instance"]' <<<"$(state)"
  assert_output ""
}

@test "aws: lease renewed inside a long wait (fence slower than LEASE_TTL / 2)" {
  # The old instance reports "stopping" until the lease has been renewed once.
  # (fails on main 6451e23: renewed only between steps; the fence wait ran out first,
  # "not confirmed stopped")
  set_conf LEASE_TTL=10 FENCE_TIMEOUT=60
  fault 'describe-instances|jq|if (.Reservations | length) > 0 then .Reservations[0].Instances[0].State.Name = "stopping" else . end|after:stop-instances&fewer:2:nn-relaunch:lease'
  relaunch
  assert_success
  # Claim, renewal during the fence wait (before the detach), ...
  local renewal detach
  renewal="$(grep -n 'create-tags.*nn-relaunch:lease' "${NNR_AWS_LOG}" | sed -n 2p | cut -d: -f1)"
  detach="$(grep -n '^ec2 detach-volume' "${NNR_AWS_LOG}" | head -n 1 | cut -d: -f1)"
  [[ -n "${renewal}" ]] && ((renewal < detach))
  assert_converged
}
