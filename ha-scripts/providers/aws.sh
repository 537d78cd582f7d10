#!/usr/bin/env bash
# shellcheck disable=SC2034  # globals used by the files that source this one
#
# Provider "aws": EC2 through the AWS CLI (v1 or v2). Every call goes through aws_ec2 /
# aws_ssm, which add --region, --endpoint-url (tests point it at moto_server) and
# --profile, and never print credentials. See providers/README.md for the interface.
# Sourced, never executed.

#######################################
# Runs one AWS CLI call with the configured region/endpoint/profile, JSON output.
# Arguments:
#   service, operation, arguments...
#######################################
aws_call() {
  local args=(--region "${CFG[AWS_REGION]}" --output json)
  if [[ -n "${CFG[AWS_ENDPOINT_URL]}" ]]; then
    args+=(--endpoint-url "${CFG[AWS_ENDPOINT_URL]}")
  fi
  if [[ -n "${CFG[AWS_PROFILE]}" ]]; then
    args+=(--profile "${CFG[AWS_PROFILE]}")
  fi
  AWS_PAGER="" "${CFG[AWS_CLI]}" "$@" "${args[@]}"
}

aws_ec2() {
  aws_call ec2 "$@"
}

#######################################
# Prints the subnet configured for a zone (AWS_SUBNETS=zone=subnet,...), or nothing.
#######################################
aws_subnet_for_zone() {
  local zone="$1" pair
  local -a pairs
  IFS=',' read -ra pairs <<<"${CFG[AWS_SUBNETS]}"
  for pair in "${pairs[@]}"; do
    pair="${pair// /}"
    if [[ "${pair%%=*}" == "${zone}" ]]; then
      echo "${pair#*=}"
      return 0
    fi
  done
}

provider_validate() {
  local key
  for key in AWS_REGION AWS_LAUNCH_TEMPLATE AWS_SUBNETS; do
    [[ -n "${CFG[${key}]}" ]] || die "${EXIT_USAGE}" "missing config key ${key} (provider aws)"
  done
  [[ "${CFG[AWS_SUBNETS]}" =~ ^[[:space:]]*[A-Za-z0-9-]+=subnet-[0-9a-f]+([[:space:]]*,[[:space:]]*[A-Za-z0-9-]+=subnet-[0-9a-f]+)*[[:space:]]*$ ]] \
    || die "${EXIT_USAGE}" "AWS_SUBNETS=${CFG[AWS_SUBNETS]}: expected zone=subnet-id[,zone=subnet-id...]"
  [[ "${CFG[VOLUME_ID]}" =~ ^vol-[0-9a-f]+$ ]] \
    || die "${EXIT_USAGE}" "VOLUME_ID=${CFG[VOLUME_ID]}: expected vol-..."
  case "${CFG[AWS_ADDRESS_MODE]}" in
    eip)
      [[ "${CFG[ADDRESS]}" =~ ^eipalloc-[0-9a-f]+$ ]] \
        || die "${EXIT_USAGE}" "ADDRESS=${CFG[ADDRESS]}: expected an Elastic IP allocation id eipalloc-..."
      ;;
    private-ip)
      is_ipv4 "${CFG[ADDRESS]}" \
        || die "${EXIT_USAGE}" "ADDRESS=${CFG[ADDRESS]}: expected an IPv4 address"
      ;;
    *) die "${EXIT_USAGE}" "AWS_ADDRESS_MODE=${CFG[AWS_ADDRESS_MODE]}: expected eip or private-ip" ;;
  esac
  case "${CFG[AWS_VERIFY_VIA]}" in
    private-ip | public-ip) ;;
    *) die "${EXIT_USAGE}" "AWS_VERIFY_VIA=${CFG[AWS_VERIFY_VIA]}: expected private-ip or public-ip" ;;
  esac
  case "${CFG[AWS_REQUIRE_INSTANCE_PROFILE]}" in
    true | false) ;;
    *) die "${EXIT_USAGE}" "AWS_REQUIRE_INSTANCE_PROFILE=${CFG[AWS_REQUIRE_INSTANCE_PROFILE]}: expected true or false" ;;
  esac
  command -v "${CFG[AWS_CLI]}" >/dev/null \
    || die "${EXIT_USAGE}" "AWS_CLI=${CFG[AWS_CLI]}: command not found"
}

#######################################
# Prints the last line of an AWS CLI error (the one naming the error code).
#######################################
aws_error_line() {
  sed -e '/^[[:space:]]*$/d' <<<"$1" | tail -n 1
}

#######################################
# True when an IPv4 address lies in a CIDR block.
#######################################
ipv4_in_cidr() {
  local ip="$1" cidr="$2" a b c d net bits
  IFS=. read -r a b c d <<<"${ip}"
  local ip_n=$(((a << 24) | (b << 16) | (c << 8) | d))
  net="${cidr%/*}"
  bits="${cidr#*/}"
  IFS=. read -r a b c d <<<"${net}"
  local net_n=$(((a << 24) | (b << 16) | (c << 8) | d))
  local mask=$(((0xffffffff << (32 - bits)) & 0xffffffff))
  (((ip_n & mask) == (net_n & mask)))
}

#######################################
# The launch template as run-instances takes it (LaunchTemplateId=...|LaunchTemplateName=...,
# Version=...), and as describe-launch-template-versions takes it (printed one word a line).
#######################################
aws_launch_template_spec() {
  local lt
  if [[ "${CFG[AWS_LAUNCH_TEMPLATE]}" == lt-* ]]; then
    lt="LaunchTemplateId=${CFG[AWS_LAUNCH_TEMPLATE]}"
  else
    lt="LaunchTemplateName=${CFG[AWS_LAUNCH_TEMPLATE]}"
  fi
  echo "${lt},Version=${CFG[AWS_LAUNCH_TEMPLATE_VERSION]}"
}

aws_launch_template_args() {
  if [[ "${CFG[AWS_LAUNCH_TEMPLATE]}" == lt-* ]]; then
    printf '%s\n' --launch-template-id "${CFG[AWS_LAUNCH_TEMPLATE]}"
  else
    printf '%s\n' --launch-template-name "${CFG[AWS_LAUNCH_TEMPLATE]}"
  fi
  printf '%s\n' --versions "${CFG[AWS_LAUNCH_TEMPLATE_VERSION]}"
}

#######################################
# Read-only checks before anything is touched (config errors exit EXIT_USAGE): the
# volume's zone has a subnet, that subnet exists and lies in that zone, the launch template
# and its version exist (with an instance profile, so the SSM agent can register), the
# address exists (Elastic IP) or lies in that subnet (private IP), and the SSM API answers.
# (Volume existence and ZONE are checked by the caller via volume_info; the address's
# holder by the caller via address_holders.)
#######################################
provider_preflight() {
  local zone="$1" subnet out rc=0
  subnet="$(aws_subnet_for_zone "${zone}")"
  [[ -n "${subnet}" ]] \
    || die "${EXIT_USAGE}" "AWS_SUBNETS has no subnet for zone ${zone} (the volume's zone)"
  out="$(aws_ec2 describe-subnets --subnet-ids "${subnet}" 2>&1)" || rc=$?
  ((rc == 0)) \
    || die "${EXIT_USAGE}" "AWS_SUBNETS: subnet ${subnet} (zone ${zone}) not found: $(aws_error_line "${out}")"
  local subnet_zone cidr
  subnet_zone="$(jq -r '.Subnets[0].AvailabilityZone // ""' <<<"${out}")"
  cidr="$(jq -r '.Subnets[0].CidrBlock // ""' <<<"${out}")"
  [[ "${subnet_zone}" == "${zone}" ]] \
    || die "${EXIT_USAGE}" "AWS_SUBNETS maps zone ${zone} to ${subnet}, which is in zone ${subnet_zone:-?} (the volume cannot attach there)"
  local -a lt_args
  mapfile -t lt_args < <(aws_launch_template_args)
  out="$(aws_ec2 describe-launch-template-versions "${lt_args[@]}" 2>&1)" || rc=$?
  ((rc == 0)) \
    || die "${EXIT_USAGE}" "AWS_LAUNCH_TEMPLATE=${CFG[AWS_LAUNCH_TEMPLATE]} (version ${CFG[AWS_LAUNCH_TEMPLATE_VERSION]}) not found: $(aws_error_line "${out}")"
  [[ "$(jq -r '.LaunchTemplateVersions | length' <<<"${out}")" -ge 1 ]] \
    || die "${EXIT_USAGE}" "AWS_LAUNCH_TEMPLATE=${CFG[AWS_LAUNCH_TEMPLATE]}: no version ${CFG[AWS_LAUNCH_TEMPLATE_VERSION]}"
  if [[ "${CFG[AWS_REQUIRE_INSTANCE_PROFILE]}" == "true" ]]; then
    [[ -n "$(jq -r '.LaunchTemplateVersions[0].LaunchTemplateData.IamInstanceProfile // {}
      | (.Arn // .Name // "")' <<<"${out}")" ]] \
      || die "${EXIT_USAGE}" "AWS_LAUNCH_TEMPLATE=${CFG[AWS_LAUNCH_TEMPLATE]} (version ${CFG[AWS_LAUNCH_TEMPLATE_VERSION]}) has no IAM instance profile: the replacement's SSM agent could not register (set AWS_REQUIRE_INSTANCE_PROFILE=false with Default Host Management Configuration)"
  fi
  if [[ "${CFG[AWS_ADDRESS_MODE]}" == "eip" ]]; then
    out="$(aws_ec2 describe-addresses --allocation-ids "${CFG[ADDRESS]}" 2>&1)" \
      || die "${EXIT_USAGE}" "ADDRESS=${CFG[ADDRESS]}: Elastic IP not found ($(aws_error_line "${out}"))"
  else
    ipv4_in_cidr "${CFG[ADDRESS]}" "${cidr}" \
      || die "${EXIT_USAGE}" "ADDRESS=${CFG[ADDRESS]} is not in ${subnet} (${cidr}, zone ${zone}): a secondary private IP cannot leave its subnet"
  fi
  out="$(aws_call ssm list-commands --max-results 1 2>&1)" \
    || die "${EXIT_USAGE}" "SSM not reachable (the relaunch runs nn-host through it): $(aws_error_line "${out}")"
}

#######################################
# Describes a volume in one call. First line "zone state attachments": the volume's own
# state, and every attachment not yet detached as "instance:state" joined by ',' ('-' when
# none; the attachment state is attaching, attached, detaching or busy: "detaching" is
# never a volume state). Then one "key=value" line per nn-relaunch:* tag.
# Returns 4 when the volume does not exist, 1 on other errors.
#######################################
volume_info() {
  local vol="$1" out errf rc=0
  errf="$(mktemp)"
  out="$(aws_ec2 describe-volumes --volume-ids "${vol}" 2>"${errf}")" || rc=$?
  if ((rc != 0)); then
    if grep -q 'NotFound' "${errf}"; then
      rm -f "${errf}"
      return 4
    fi
    cat "${errf}" >&2
    rm -f "${errf}"
    return 1
  fi
  rm -f "${errf}"
  jq -r '.Volumes[0] | ([.AvailabilityZone, .State,
    ((.Attachments // []) | map(select(.State != "detached"))
      | map("\(.InstanceId // ""):\(.State)")
      | if length == 0 then "-" else join(",") end)]
    | join(" ")), ((.Tags // [])[] | select(.Key | startswith("nn-relaunch:"))
    | "\(.Key)=\(.Value)")' <<<"${out}"
}

#######################################
# Sets tags on a volume in one call.
# Arguments:
#   volume, key, value [, key, value ...]
#######################################
set_volume_tags() {
  local vol="$1"
  shift
  local tags="[]"
  while (($# >= 2)); do
    tags="$(jq -c --arg k "$1" --arg v "$2" '. + [{Key: $k, Value: $v}]' <<<"${tags}")"
    shift 2
  done
  aws_ec2 create-tags --resources "${vol}" --tags "${tags}" >/dev/null
}

#######################################
# Prints "state zone" of an instance; "absent -" when EC2 does not know it.
#######################################
instance_info() {
  local id="$1" out errf rc=0
  errf="$(mktemp)"
  out="$(aws_ec2 describe-instances --instance-ids "${id}" 2>"${errf}")" || rc=$?
  if ((rc != 0)); then
    if grep -q 'NotFound' "${errf}"; then
      rm -f "${errf}"
      echo "absent -"
      return 0
    fi
    cat "${errf}" >&2
    rm -f "${errf}"
    return 1
  fi
  rm -f "${errf}"
  jq -r '.Reservations[0].Instances[0] | "\(.State.Name) \(.Placement.AvailabilityZone)"' \
    <<<"${out}"
}

fence_instance() {
  local id="$1"
  if [[ "${CFG[FENCE_MODE]}" == "terminate" ]]; then
    aws_ec2 terminate-instances --instance-ids "${id}" >/dev/null
  else
    aws_ec2 stop-instances --instance-ids "${id}" --force >/dev/null
  fi
}

detach_volume() {
  local vol="$1" id="$2" force="${3:-}"
  local args=(detach-volume --volume-id "${vol}" --instance-id "${id}")
  if [[ "${force}" == "force" ]]; then
    args+=(--force)
  fi
  aws_ec2 "${args[@]}" >/dev/null
}

#######################################
# Launches the replacement in the zone's subnet from the launch template, IMDSv2 only,
# tagged with the volume and epoch (so an interrupted run finds it again). Prints its id.
#######################################
launch_instance() {
  local zone="$1" epoch="$2" subnet lt
  subnet="$(aws_subnet_for_zone "${zone}")"
  lt="$(aws_launch_template_spec)"
  local tags
  tags="$(jq -cn --arg v "${CFG[VOLUME_ID]}" --arg e "${epoch}" '[{ResourceType: "instance",
    Tags: [{Key: "nn-relaunch:volume", Value: $v}, {Key: "nn-relaunch:epoch", Value: $e},
           {Key: "Name", Value: "namenode"}]}]')"
  aws_ec2 run-instances --launch-template "${lt}" --subnet-id "${subnet}" --count 1 \
    --client-token "nnr-${CFG[VOLUME_ID]}-${epoch}" \
    --metadata-options "HttpTokens=required,HttpEndpoint=enabled" \
    --tag-specifications "${tags}" | jq -r '.Instances[0].InstanceId'
}

#######################################
# Prints the ids of live (pending/running/stopping/stopped) instances tagged for a volume.
#######################################
volume_instances() {
  local vol="$1"
  aws_ec2 describe-instances --filters "Name=tag:nn-relaunch:volume,Values=${vol}" \
    "Name=instance-state-name,Values=pending,running,stopping,stopped" \
    | jq -r '.Reservations[].Instances[].InstanceId'
}

attach_volume() {
  local vol="$1" id="$2"
  aws_ec2 attach-volume --volume-id "${vol}" --instance-id "${id}" \
    --device "${CFG[AWS_DEVICE_NAME]}" >/dev/null
}

#######################################
# Prints who holds the address, one a line: an instance id, or a network interface id
# (eni-...) when the interface has no instance (NAT gateway, endpoint, appliance). Nothing
# when the address is free.
#######################################
address_holders() {
  local addr="$1"
  if [[ "${CFG[AWS_ADDRESS_MODE]}" == "eip" ]]; then
    aws_ec2 describe-addresses --allocation-ids "${addr}" \
      | jq -r '.Addresses[0] | if (.InstanceId // "") != "" then .InstanceId
        elif (.NetworkInterfaceId // "") != "" then .NetworkInterfaceId else empty end'
  else
    # Every interface in the configured subnets (a secondary private IP never leaves its
    # subnet) with ADDR on it: AWS keeps it on one; an emulator that ignores
    # --allow-reassignment (moto) leaves it on the old one too.
    local subnets
    subnets="$(sed -E 's/[[:space:]]//g; s/[^,=]+=//g' <<<"${CFG[AWS_SUBNETS]}")"
    aws_ec2 describe-network-interfaces --filters "Name=subnet-id,Values=${subnets}" \
      | jq -r --arg ip "${addr}" '.NetworkInterfaces[]
        | select(any(.PrivateIpAddresses[]?; .PrivateIpAddress == $ip))
        | if (.Attachment.InstanceId // "") != "" then .Attachment.InstanceId
          else .NetworkInterfaceId end'
  fi
}

#######################################
# The IP a client inside the VPC reaches the NameNode on: for an Elastic IP, the private
# IP it maps to (AWS_VERIFY_VIA=private-ip) or its public IP (public-ip).
#######################################
address_ip() {
  local addr="$1"
  if [[ "${CFG[AWS_ADDRESS_MODE]}" == "eip" ]]; then
    local field=PrivateIpAddress
    [[ "${CFG[AWS_VERIFY_VIA]}" == "private-ip" ]] || field=PublicIp
    aws_ec2 describe-addresses --allocation-ids "${addr}" \
      | jq -r --arg f "${field}" '.Addresses[0][$f] // ""'
  else
    echo "${addr}"
  fi
}

move_address() {
  local addr="$1" id="$2"
  if [[ "${CFG[AWS_ADDRESS_MODE]}" == "eip" ]]; then
    aws_ec2 associate-address --allocation-id "${addr}" --instance-id "${id}" \
      --allow-reassociation >/dev/null
  else
    local eni
    # The primary interface (device index 0), not whichever the API lists first.
    eni="$(aws_ec2 describe-instances --instance-ids "${id}" \
      | jq -r '[.Reservations[0].Instances[0].NetworkInterfaces[]?
        | select(.Attachment.DeviceIndex == 0)][0].NetworkInterfaceId // ""')"
    [[ -n "${eni}" ]] || { err "instance ${id} has no primary network interface"; return 1; }
    aws_ec2 assign-private-ip-addresses --network-interface-id "${eni}" \
      --private-ip-addresses "${addr}" --allow-reassignment >/dev/null
  fi
}

terminate_instance() {
  local id="$1"
  aws_ec2 terminate-instances --instance-ids "${id}" >/dev/null
}

#######################################
# True when the instance's SSM agent is registered and online.
#######################################
aws_ssm_online() {
  local id="$1" out
  out="$(aws_call ssm describe-instance-information \
    --filters "Key=InstanceIds,Values=${id}")" || return 1
  [[ "$(jq -r --arg i "${id}" '[.InstanceInformationList[]? | select(.InstanceId == $i)
    | .PingStatus][0] // ""' <<<"${out}")" == "Online" ]]
}

#######################################
# Waits for one SSM command on the instance until it ends or DEADLINE (epoch seconds);
# prints its standard output on success, its output and error on stderr otherwise; cancels
# it at the deadline (it must not run on unseen). Calls wait_hook between polls.
# Arguments:
#   instance, command id, deadline, what (for messages)
# Returns:
#   0 success, the remote exit code (or 1) on failure
#######################################
aws_ssm_wait() {
  local id="$1" command_id="$2" deadline="$3" what="$4" out errf rc status
  errf="$(mktemp)"
  while true; do
    rc=0
    out="$(aws_call ssm get-command-invocation --command-id "${command_id}" \
      --instance-id "${id}" 2>"${errf}")" || rc=$?
    if ((rc != 0)); then
      # Right after send-command the invocation may not exist yet; any other error is a
      # failure, seen at once.
      if ! grep -q 'InvocationDoesNotExist' "${errf}"; then
        cat "${errf}" >&2
        rm -f "${errf}"
        err "${what} on ${id}: cannot read command ${command_id}"
        return 1
      fi
    else
      status="$(jq -r '.Status' <<<"${out}")"
      case "${status}" in
        Success)
          rm -f "${errf}"
          jq -r '.StandardOutputContent // ""' <<<"${out}"
          return 0
          ;;
        Pending | InProgress | Delayed) ;;
        *)
          rm -f "${errf}"
          jq -r '.StandardOutputContent // "", .StandardErrorContent // ""' <<<"${out}" >&2
          local code
          code="$(jq -r '.ResponseCode // 1' <<<"${out}")"
          [[ "${code}" =~ ^[0-9]+$ ]] && ((code > 0)) || code=1
          err "${what} on ${id}: command ${command_id} ended ${status} (exit ${code})"
          return "${code}"
          ;;
      esac
    fi
    if (($(now_s) >= deadline)); then
      rm -f "${errf}"
      aws_call ssm cancel-command --command-id "${command_id}" --instance-ids "${id}" \
        >/dev/null 2>&1 || err "${what} on ${id}: could not cancel command ${command_id}"
      err "${what} on ${id}: no result by its deadline; command ${command_id} cancelled"
      return 1
    fi
    if declare -F wait_hook >/dev/null; then
      wait_hook
    fi
    sleep "${CFG[POLL_INTERVAL]}"
  done
}

#######################################
# Runs "nn-host SUBCOMMAND" on the instance through SSM (AWS-RunShellScript), with the
# NNH_* settings in NNH_ENV; prints its output; returns its exit code. Timeouts: the agent
# must be online within AWS_SSM_ONLINE_TIMEOUT; the command carries executionTimeout
# LIMIT + COMMAND_GRACE (nn-host's own limit is LIMIT, so its message comes first); the
# relauncher gives up and cancels it at LIMIT + 2 x COMMAND_GRACE. A command of an earlier
# run for this volume still in flight on the instance is waited for first (and its result
# used when it is the same subcommand), never run twice.
# Globals:
#   NNH_ENV (array of NAME=value)
# Arguments:
#   instance, subcommand, limit (seconds)
#######################################
run_on_instance() {
  local id="$1" sub="$2" limit="$3" cmd params command_id out rc
  local grace="${CFG[COMMAND_GRACE]}" comment_prefix="nn-relaunch " comment
  comment="nn-relaunch ${sub} ${CFG[VOLUME_ID]}"
  # 1. The agent: online (a just-launched instance is running before it registers).
  if ! wait_until "${CFG[AWS_SSM_ONLINE_TIMEOUT]}" "${CFG[POLL_INTERVAL]}" aws_ssm_online "${id}"; then
    err "nn-host ${sub}: SSM agent on ${id} not online after ${CFG[AWS_SSM_ONLINE_TIMEOUT]}s (AWS_SSM_ONLINE_TIMEOUT)"
    return 1
  fi
  # 2. An earlier run's command for this volume still running there: wait for it.
  rc=0
  out="$(aws_call ssm list-commands --instance-id "${id}")" || rc=$?
  if ((rc != 0)); then
    err "nn-host ${sub} on ${id}: cannot list its SSM commands"
    return 1
  fi
  local -a inflight
  mapfile -t inflight < <(jq -r --arg p "${comment_prefix}" --arg v " ${CFG[VOLUME_ID]}" '
    .Commands[]? | select((.Comment // "") | startswith($p) and endswith($v))
    | select(.Status == "Pending" or .Status == "InProgress" or .Status == "Delayed")
    | "\(.CommandId) \(.Comment)"' <<<"${out}")
  local line cid
  for line in "${inflight[@]}"; do
    cid="${line%% *}"
    err "nn-host ${sub} on ${id}: an earlier '${line#* }' (${cid}) is still running there; waiting for it"
    if [[ "${line#* }" == "${comment}" ]]; then
      rc=0
      aws_ssm_wait "${id}" "${cid}" "$(($(now_s) + limit + 2 * grace))" "${line#* }" || rc=$?
      return "${rc}"
    fi
    aws_ssm_wait "${id}" "${cid}" "$(($(now_s) + limit + 2 * grace))" "${line#* }" \
      >/dev/null || true
  done
  # 3. Send, with an execution timeout; a failed send is a failure now, not a timeout.
  local env_words=("NNH_DEVICE_LOOKUP=ebs" "NNH_DEVICE_HINT=${CFG[AWS_DEVICE_NAME]}" "${NNH_ENV[@]}")
  cmd="env$(printf ' %q' "${env_words[@]}") $(printf '%q' "${CFG[AWS_NN_HOST_PATH]}") ${sub}"
  params="$(jq -cn --arg c "${cmd}" --arg t "$((limit + grace))" \
    '{commands: [$c], executionTimeout: [$t]}')"
  local delivery=$((grace > 30 ? grace : 30))
  rc=0
  out="$(aws_call ssm send-command --instance-ids "${id}" \
    --document-name AWS-RunShellScript --comment "${comment}" \
    --timeout-seconds "${delivery}" --parameters "${params}")" || rc=$?
  if ((rc != 0)); then
    err "nn-host ${sub} on ${id}: send-command failed (exit ${rc})"
    return 1
  fi
  command_id="$(jq -r '.Command.CommandId // ""' <<<"${out}")"
  if [[ -z "${command_id}" ]]; then
    err "nn-host ${sub} on ${id}: send-command returned no command id"
    return 1
  fi
  aws_ssm_wait "${id}" "${command_id}" "$(($(now_s) + limit + 2 * grace))" "nn-host ${sub}"
}

#######################################
# Runs a client command from here (the relauncher reaches the address directly).
#######################################
run_client() {
  "$@"
}

# ---- cross-zone relaunch: not yet on AWS ---------------------------------------------------

zone_state() {
  echo "ok"
}

provider_zones() {
  local pair
  local -a pairs
  IFS=',' read -ra pairs <<<"${CFG[AWS_SUBNETS]}"
  for pair in "${pairs[@]}"; do
    pair="${pair// /}"
    echo "${pair%%=*}"
  done
}

#######################################
# Cross-zone relaunch needs a new volume, the regional image (S3) and an address that can
# follow (Elastic IP): not implemented for this provider yet.
#######################################
provider_cross_zone_check() {
  die "${EXIT_REFUSED}" "cross-zone relaunch is not implemented for PROVIDER=aws yet (local provider only); see DESIGN.md"
}
