#!/usr/bin/env bash
# shellcheck disable=SC2034  # globals used by the files that source this one
#
# Provider "aws": EC2 through the AWS CLI (v1 or v2). Every call goes through aws_ec2 /
# aws_ssm, which add --region, --endpoint-url (tests point it at moto_server) and
# --profile, and never print credentials. See providers/README.md for the interface.
# Sourced, never executed.

# The instances whose SSM agent has answered in this run (aws_ssm_run asks once per instance).
declare -gA AWS_SSM_ONLINE=()

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
  aws_validate_regional_store
}

#######################################
# AWS_REGIONAL_S3_URI: s3://bucket[/prefix] (bucket name rules; prefix segments of
# letters, digits and . _ = + -, no . or ..), required when a cross-zone relaunch is on
# (JOURNAL_URI set, CROSS_ZONE=auto): it restores the NameNode from there. Exits
# EXIT_USAGE naming the key.
#######################################
aws_validate_regional_store() {
  local uri="${CFG[AWS_REGIONAL_S3_URI]}" bucket
  bucket="${uri#s3://}"
  bucket="${bucket%%/*}"
  if [[ -z "${uri}" ]]; then
    if [[ -n "${CFG[JOURNAL_URI]}" && "${CFG[CROSS_ZONE]}" == "auto" ]]; then
      die "${EXIT_USAGE}" "missing config key AWS_REGIONAL_S3_URI (provider aws): JOURNAL_URI is set and CROSS_ZONE=auto, and a cross-zone relaunch restores the NameNode from the regional image store s3://bucket[/prefix]"
    fi
    return 0
  fi
  [[ "${uri}" =~ ^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9._=+-]+)*/?$ \
    && "${bucket}" != *..* && "${uri}/" != */./* && "${uri}/" != */../* ]] \
    || die "${EXIT_USAGE}" "AWS_REGIONAL_S3_URI=${uri}: expected s3://bucket[/prefix] (a bucket name, then path segments of letters, digits and . _ = + -)"
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
# Runs a shell script on the instance through SSM (AWS-RunShellScript, run there by sh:
# keep it POSIX); prints its standard output; returns its exit code. Timeouts: the agent
# must be online within AWS_SSM_ONLINE_TIMEOUT; the command carries executionTimeout
# LIMIT + COMMAND_GRACE; the relauncher gives up and cancels it at LIMIT + 2 x
# COMMAND_GRACE. A command of an earlier run for this volume still in flight on the
# instance is waited for first, never run twice at once: when it is the same LABEL its
# result is used (REUSE=1), or ours is sent once it has ended (REUSE=0). The agent is
# checked before a run's first command to an instance only.
# Arguments:
#   instance, label (comment "nn-relaunch LABEL VOLUME"), what (for messages),
#   limit (seconds), script, reuse (1 or 0)
#######################################
aws_ssm_run() {
  local id="$1" label="$2" what="$3" limit="$4" script="$5" reuse="${6:-1}"
  local params command_id out rc grace="${CFG[COMMAND_GRACE]}" comment_prefix="nn-relaunch "
  local comment="nn-relaunch ${label} ${CFG[VOLUME_ID]}"
  # 1. The agent: online (a just-launched instance is running before it registers). Once it
  # has answered in this run, not asked again: an agent that goes away later makes
  # send-command fail, a failure as plain as this check's.
  if [[ -z "${AWS_SSM_ONLINE[${id}]:-}" ]]; then
    if ! wait_until "${CFG[AWS_SSM_ONLINE_TIMEOUT]}" "${CFG[POLL_INTERVAL]}" aws_ssm_online "${id}"; then
      err "${what}: SSM agent on ${id} not online after ${CFG[AWS_SSM_ONLINE_TIMEOUT]}s (AWS_SSM_ONLINE_TIMEOUT)"
      return 1
    fi
    AWS_SSM_ONLINE["${id}"]=1
  fi
  # 2. An earlier run's command for this volume still running there: wait for it. Asked
  # before every command: a run that stalled past its lease may send one before it notices.
  rc=0
  out="$(aws_call ssm list-commands --instance-id "${id}")" || rc=$?
  if ((rc != 0)); then
    err "${what} on ${id}: cannot list its SSM commands"
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
    err "${what} on ${id}: an earlier '${line#* }' (${cid}) is still running there; waiting for it"
    if [[ "${line#* }" == "${comment}" && "${reuse}" == "1" ]]; then
      rc=0
      aws_ssm_wait "${id}" "${cid}" "$(($(now_s) + limit + 2 * grace))" "${line#* }" || rc=$?
      return "${rc}"
    fi
    aws_ssm_wait "${id}" "${cid}" "$(($(now_s) + limit + 2 * grace))" "${line#* }" \
      >/dev/null || true
  done
  # 3. Send, with an execution timeout; a failed send is a failure now, not a timeout.
  params="$(jq -cn --arg c "${script}" --arg t "$((limit + grace))" \
    '{commands: [$c], executionTimeout: [$t]}')"
  local delivery=$((grace > 30 ? grace : 30))
  rc=0
  out="$(aws_call ssm send-command --instance-ids "${id}" \
    --document-name AWS-RunShellScript --comment "${comment}" \
    --timeout-seconds "${delivery}" --parameters "${params}")" || rc=$?
  if ((rc != 0)); then
    err "${what} on ${id}: send-command failed (exit ${rc})"
    return 1
  fi
  command_id="$(jq -r '.Command.CommandId // ""' <<<"${out}")"
  if [[ -z "${command_id}" ]]; then
    err "${what} on ${id}: send-command returned no command id"
    return 1
  fi
  aws_ssm_wait "${id}" "${command_id}" "$(($(now_s) + limit + 2 * grace))" "${what}"
}

#######################################
# Prints the command line that runs "nn-host SUBCOMMAND" on an instance, with the NNH_*
# settings in NNH_ENV and any more NAME=value given.
# Globals:
#   NNH_ENV (array of NAME=value)
# Arguments:
#   subcommand, NAME=value...
#######################################
aws_nn_host_command() {
  local sub="$1"
  shift
  local env_words=("NNH_DEVICE_LOOKUP=ebs" "NNH_DEVICE_HINT=${CFG[AWS_DEVICE_NAME]}"
    "${NNH_ENV[@]}" "$@")
  echo "env$(printf ' %q' "${env_words[@]}") $(printf '%q' "${CFG[AWS_NN_HOST_PATH]}") ${sub}"
}

#######################################
# Runs "nn-host SUBCOMMAND" on the instance through SSM (aws_ssm_run), with the NNH_*
# settings in NNH_ENV; prints its output; returns its exit code. nn-host's own limit is
# LIMIT, so its message comes before the command's execution timeout. An earlier run's
# same subcommand still in flight there is waited for and its result used.
# Globals:
#   NNH_ENV (array of NAME=value)
# Arguments:
#   instance, subcommand, limit (seconds)
#######################################
run_on_instance() {
  local id="$1" sub="$2" limit="$3"
  aws_ssm_run "${id}" "${sub}" "nn-host ${sub}" "${limit}" "$(aws_nn_host_command "${sub}")" 1
}

#######################################
# Runs a client command from here (the relauncher reaches the address directly).
#######################################
run_client() {
  "$@"
}

# ---- zones, new volumes and the regional image store (cross-zone relaunch) --------------
# The regional store is S3 (AWS_REGIONAL_S3_URI=s3://bucket[/prefix]):
#   <prefix>/<CLUSTER_ID>/<N>/{VERSION,fsimage_N,fsimage_N.md5}   immutable, keyed by txid
#   <prefix>/<CLUSTER_ID>/latest                                  N of the newest full set
# The instance uploads and downloads the image files itself (`aws s3 cp` through SSM: it
# has them, and an fsimage may be larger than a single PUT takes); the relauncher reads
# and moves "latest", only forward, with conditional writes (put-object --if-match).

#######################################
# Prints a zone's state: ok when EC2 says "available", lost otherwise (impaired,
# unavailable, information, constrained). Returns 1 when EC2 does not answer.
#######################################
zone_state() {
  local zone="$1" out
  out="$(aws_ec2 describe-availability-zones --zone-names "${zone}")" || {
    err "cannot read the state of zone ${zone} (describe-availability-zones)"
    return 1
  }
  if [[ "$(jq -r '.AvailabilityZones[0].State // ""' <<<"${out}")" == "available" ]]; then
    echo "ok"
  else
    echo "lost"
  fi
}

#######################################
# Prints the zones of AWS_SUBNETS, one a line, in their order there (the preference order).
#######################################
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
# Prints why a cross-zone relaunch cannot be done and returns 1; prints nothing when it
# can. Read-only: the address mode, the regional store, a second zone, every configured
# subnet in its zone, the AWS CLI's conditional writes.
#######################################
aws_cross_zone_refusal() {
  if [[ "${CFG[AWS_ADDRESS_MODE]}" != "eip" ]]; then
    echo "AWS_ADDRESS_MODE=${CFG[AWS_ADDRESS_MODE]}: a secondary private IP belongs to its subnet, hence to one zone, and cannot follow the NameNode to another zone; a cross-zone relaunch needs an Elastic IP (AWS_ADDRESS_MODE=eip)"
    return 1
  fi
  if [[ -z "${CFG[AWS_REGIONAL_S3_URI]}" ]]; then
    echo "AWS_REGIONAL_S3_URI is empty: no regional image to restore the NameNode from in another zone"
    return 1
  fi
  local -a zones
  mapfile -t zones < <(provider_zones)
  if ((${#zones[@]} < 2)); then
    echo "AWS_SUBNETS=${CFG[AWS_SUBNETS]} names one zone only: no other zone to relaunch in"
    return 1
  fi
  local subnets out rc=0
  subnets="$(sed -E 's/[[:space:]]//g; s/[^,=]+=//g' <<<"${CFG[AWS_SUBNETS]}")"
  local -a ids
  IFS=',' read -ra ids <<<"${subnets}"
  out="$(aws_ec2 describe-subnets --subnet-ids "${ids[@]}" 2>&1)" || rc=$?
  if ((rc != 0)); then
    echo "AWS_SUBNETS: $(aws_error_line "${out}")"
    return 1
  fi
  local z s got
  for z in "${zones[@]}"; do
    s="$(aws_subnet_for_zone "${z}")"
    got="$(jq -r --arg s "${s}" '.Subnets[] | select(.SubnetId == $s) | .AvailabilityZone' <<<"${out}")"
    if [[ "${got}" != "${z}" ]]; then
      echo "AWS_SUBNETS maps zone ${z} to ${s}, which is in zone ${got:-?}"
      return 1
    fi
  done
  # "latest" only moves forward through S3 conditional writes (put-object --if-match,
  # --if-none-match): AWS CLI v1 or v2 released since November 2024.
  rc=0
  out="$(aws_call s3api put-object --generate-cli-skeleton input 2>/dev/null)" || rc=$?
  if ((rc != 0)) || [[ "$(jq -r 'has("IfMatch") and has("IfNoneMatch")' <<<"${out}" 2>/dev/null)" != "true" ]]; then
    echo "AWS_CLI=${CFG[AWS_CLI]}: its s3api put-object has no --if-match / --if-none-match (S3 conditional writes, AWS CLI releases since November 2024); the regional store's latest image could move backwards"
    return 1
  fi
}

#######################################
# Returns 0 when a cross-zone relaunch is possible; otherwise refuses (EXIT_REFUSED) with
# one message naming the setting. Asked by nn-relaunch's cross_zone_possible in its own
# shell, output discarded, for a yes or no: there it answers (returns 1) instead of ending
# the run.
#######################################
provider_cross_zone_check() {
  local why
  if why="$(aws_cross_zone_refusal)"; then
    return 0
  fi
  if [[ "${FUNCNAME[1]:-}" == "cross_zone_possible" ]]; then
    return 1
  fi
  die "${EXIT_REFUSED}" "${why}; refusing a cross-zone relaunch"
}

#######################################
# Sets AWS_CREATED_STATE to the volume's state; true once it is no longer creating.
#######################################
aws_volume_created() {
  local out
  out="$(aws_ec2 describe-volumes --volume-ids "$1")" || return 1
  AWS_CREATED_STATE="$(jq -r '.Volumes[0].State // ""' <<<"${out}")"
  [[ "${AWS_CREATED_STATE}" != "creating" && -n "${AWS_CREATED_STATE}" ]]
}

#######################################
# Creates a blank volume in ZONE shaped like the NameNode's (CFG[VOLUME_ID]): its size,
# type, IOPS and throughput, encryption and KMS key, its own tags (not nn-relaunch:* nor
# aws:*), plus nn-relaunch:created-by=epoch E for <old volume> and
# nn-relaunch:predecessor=<old volume>. Idempotent: the client token (old volume, epoch,
# zone) makes a retried call return the same volume, and a volume an earlier run created
# for the same old volume in ZONE (killed before recording it) is taken instead of a
# second one. Waits until it is available. Prints its id.
# Arguments:
#   zone, epoch
#######################################
create_volume() {
  local zone="$1" epoch="$2" old="${CFG[VOLUME_ID]}" out id=""
  out="$(aws_ec2 describe-volumes --filters "Name=tag:nn-relaunch:predecessor,Values=${old}" \
    "Name=availability-zone,Values=${zone}" "Name=status,Values=creating,available")" \
    || return 1
  id="$(jq -r '[.Volumes[]?] | sort_by(.CreateTime) | last | .VolumeId // ""' <<<"${out}")"
  if [[ -n "${id}" ]]; then
    err "${id} was created in ${zone} for ${old} by an earlier run (not recorded then): taking it"
  else
    out="$(aws_ec2 describe-volumes --volume-ids "${old}")" || return 1
    local v type
    v="$(jq -c '.Volumes[0]' <<<"${out}")"
    type="$(jq -r '.VolumeType // "gp3"' <<<"${v}")"
    local -a args=(--availability-zone "${zone}" --size "$(jq -r '.Size' <<<"${v}")"
      --volume-type "${type}")
    # gp2/st1/sc1/standard report an Iops figure but take none.
    case "${type}" in
      io1 | io2 | gp3)
        if [[ "$(jq -r '.Iops // ""' <<<"${v}")" =~ ^[0-9]+$ ]]; then
          args+=(--iops "$(jq -r '.Iops' <<<"${v}")")
        fi
        ;;
    esac
    if [[ "${type}" == "gp3" && "$(jq -r '.Throughput // ""' <<<"${v}")" =~ ^[0-9]+$ ]]; then
      args+=(--throughput "$(jq -r '.Throughput' <<<"${v}")")
    fi
    if [[ "$(jq -r '.Encrypted // false' <<<"${v}")" == "true" ]]; then
      args+=(--encrypted)
      if [[ -n "$(jq -r '.KmsKeyId // ""' <<<"${v}")" ]]; then
        args+=(--kms-key-id "$(jq -r '.KmsKeyId' <<<"${v}")")
      fi
    fi
    local tags
    tags="$(jq -c --arg by "epoch ${epoch} for ${old}" --arg old "${old}" '[{ResourceType: "volume",
      Tags: ([(.Tags // [])[] | select((.Key | startswith("nn-relaunch:") or startswith("aws:")) | not)]
        + [{Key: "nn-relaunch:created-by", Value: $by}, {Key: "nn-relaunch:predecessor", Value: $old}])}]' \
      <<<"${v}")"
    local attempt rc
    for attempt in 1 2 3; do
      rc=0
      out="$(aws_ec2 create-volume "${args[@]}" --client-token "nnr-${old}-${epoch}-${zone}" \
        --tag-specifications "${tags}")" || rc=$?
      if ((rc == 0)); then
        id="$(jq -r '.VolumeId // ""' <<<"${out}")"
        break
      fi
      err "create-volume in ${zone} failed (attempt ${attempt} of 3; the same client token)"
      ((attempt == 3)) || sleep "${CFG[POLL_INTERVAL]}"
    done
    [[ -n "${id}" ]] || return 1
  fi
  AWS_CREATED_STATE=""
  if ! wait_until "${CFG[ATTACH_TIMEOUT]}" "${CFG[POLL_INTERVAL]}" aws_volume_created "${id}"; then
    err "${id} still ${AWS_CREATED_STATE:-unknown} ${CFG[ATTACH_TIMEOUT]}s after create-volume (ATTACH_TIMEOUT)"
    return 1
  fi
  if [[ "${AWS_CREATED_STATE}" != "available" ]]; then
    err "${id} (created in ${zone} for ${old}) is ${AWS_CREATED_STATE}, not available: delete it; a rerun creates another"
    return 1
  fi
  echo "${id}"
}

#######################################
# The bucket of AWS_REGIONAL_S3_URI, and the key of a name under its prefix and the
# cluster: [prefix/]CLUSTER_ID/NAME.
#######################################
aws_s3_bucket() {
  local rest="${CFG[AWS_REGIONAL_S3_URI]#s3://}"
  echo "${rest%%/*}"
}

aws_s3_key() {
  local rest="${CFG[AWS_REGIONAL_S3_URI]#s3://}" prefix=""
  rest="${rest%/}"
  if [[ "${rest}" == */* ]]; then
    prefix="${rest#*/}/"
  fi
  echo "${prefix}${CFG[CLUSTER_ID]}/$1"
}

aws_s3_uri() {
  echo "s3://$(aws_s3_bucket)/$(aws_s3_key "$1")"
}

#######################################
# Reads "latest": sets AWS_LATEST (the txid, '' when there is none yet) and
# AWS_LATEST_ETAG (for a conditional write). Returns 1 when it cannot be read or holds
# something else than a txid.
#######################################
aws_latest_read() {
  local body errf out rc=0
  AWS_LATEST=""
  AWS_LATEST_ETAG=""
  body="$(mktemp)"
  errf="$(mktemp)"
  out="$(aws_call s3api get-object --bucket "$(aws_s3_bucket)" --key "$(aws_s3_key latest)" \
    "${body}" 2>"${errf}")" || rc=$?
  if ((rc != 0)); then
    if grep -q 'NoSuchKey' "${errf}"; then
      rm -f "${body}" "${errf}"
      return 0
    fi
    err "cannot read $(aws_s3_uri latest): $(aws_error_line "$(cat "${errf}")")"
    rm -f "${body}" "${errf}"
    return 1
  fi
  AWS_LATEST="$(tr -d '[:space:]' <"${body}")"
  AWS_LATEST_ETAG="$(jq -r '.ETag // ""' <<<"${out}")"
  rm -f "${body}" "${errf}"
  if [[ ! "${AWS_LATEST}" =~ ^[0-9]{1,19}$ ]]; then
    err "$(aws_s3_uri latest) holds '${AWS_LATEST:0:40}', not a transaction id"
    return 1
  fi
}

#######################################
# Prints the txid of the newest complete image set in the regional store, empty when
# there is none.
#######################################
regional_latest() {
  aws_latest_read || return 1
  echo "${AWS_LATEST}"
}

#######################################
# Moves "latest" to N unless it already names N or a newer image: a conditional write on
# the version read (--if-match its ETag, --if-none-match '*' when there is none), read
# again and retried when another writer came in between. Never moves it backwards.
#######################################
aws_latest_advance() {
  local n="$1" attempt body errf rc
  local -a cond
  for attempt in 1 2 3 4 5; do
    aws_latest_read || return 1
    if [[ -n "${AWS_LATEST}" ]] && ((10#${AWS_LATEST} >= 10#${n})); then
      return 0
    fi
    cond=(--if-none-match '*')
    if [[ -n "${AWS_LATEST}" ]]; then
      cond=(--if-match "${AWS_LATEST_ETAG}")
    fi
    body="$(mktemp)"
    errf="$(mktemp)"
    printf '%s\n' "${n}" >"${body}"
    rc=0
    aws_call s3api put-object --bucket "$(aws_s3_bucket)" --key "$(aws_s3_key latest)" \
      --body "${body}" "${cond[@]}" >/dev/null 2>"${errf}" || rc=$?
    rm -f "${body}"
    if ((rc == 0)); then
      rm -f "${errf}"
      return 0
    fi
    if ! grep -q -e 'PreconditionFailed' -e 'ConditionalRequestConflict' "${errf}"; then
      err "cannot write $(aws_s3_uri latest): $(aws_error_line "$(cat "${errf}")")"
      rm -f "${errf}"
      return 1
    fi
    rm -f "${errf}"
    err "$(aws_s3_uri latest) changed while writing ${n} (another writer); reading it again"
  done
  err "$(aws_s3_uri latest): ${attempt} conditional writes lost to other writers; giving up"
  return 1
}

#######################################
# The aws CLI arguments of the on-instance `aws s3 cp` calls (the instance's own
# credentials; the configured region and, for emulators, endpoint).
#######################################
aws_instance_cli_args() {
  local -a a=(--only-show-errors --region "${CFG[AWS_REGION]}")
  if [[ -n "${CFG[AWS_ENDPOINT_URL]}" ]]; then
    a+=(--endpoint-url "${CFG[AWS_ENDPOINT_URL]}")
  fi
  printf ' %q' "${a[@]}"
}

#######################################
# Copies the instance's newest image to the regional store; prints its txid N. One SSM
# command on the instance: nn-host export-image (VERSION + the newest fsimage + .md5,
# checked) into <MOUNT_POINT>/nn-relaunch-export (on the volume, which has room for it),
# then `aws s3 cp` of the three files to <prefix>/<CLUSTER_ID>/N/. Then, here: the three
# objects are there, and only then "latest" moves to N (never backwards).
# Globals:
#   NNH_ENV (set by the caller: nnh_env)
#######################################
regional_push() {
  local id="$1" dir script out n f
  if [[ -z "${CFG[AWS_REGIONAL_S3_URI]}" ]]; then
    err "AWS_REGIONAL_S3_URI is empty: no regional image store"
    return 1
  fi
  dir="${CFG[MOUNT_POINT]%/}/nn-relaunch-export"
  script="set -eu
d=$(printf '%q' "${dir}")
out=\$($(aws_nn_host_command export-image "NNH_EXPORT_DIR=${dir}"))
n=\${out##*image }
case \"\$n\" in '' | *[!0-9]*) echo \"nn-host export-image printed no image: \$out\" >&2; exit 1 ;; esac
for f in VERSION \"fsimage_\$n\" \"fsimage_\$n.md5\"; do
  aws s3 cp$(aws_instance_cli_args) \"\$d/\$n/\$f\" $(printf '%q' "s3://$(aws_s3_bucket)/$(aws_s3_key '')")\"\$n/\$f\"
done
rm -rf \"\${d:?}/\$n\"
echo \"image \$n\""
  out="$(aws_ssm_run "${id}" push-image "image push" "${CFG[COMMAND_TIMEOUT]}" "${script}" 0)" \
    || return 1
  n="$(sed -n 's/^image \([0-9]\{1,19\}\)$/\1/p' <<<"${out}" | tail -n 1)"
  if [[ -z "${n}" ]]; then
    err "image push on ${id}: no 'image N' in its output"
    return 1
  fi
  for f in VERSION "fsimage_${n}" "fsimage_${n}.md5"; do
    out="$(aws_call s3api head-object --bucket "$(aws_s3_bucket)" \
      --key "$(aws_s3_key "${n}/${f}")" 2>&1)" || {
      err "image push on ${id}: $(aws_s3_uri "${n}/${f}") not in the store after the upload ($(aws_error_line "${out}")); latest left as it is"
      return 1
    }
  done
  aws_latest_advance "${n}" || return 1
  echo "${n}"
}

#######################################
# Makes image set N readable on the instance: one SSM command downloads it (aws s3 cp)
# into <MOUNT_POINT>-restore/N on the instance's own disk (written as N.tmp, md5 checked,
# renamed; kept when already there and whole). Prints that directory.
#######################################
regional_fetch_for() {
  local id="$1" n="$2" dir script
  [[ "${n}" =~ ^[0-9]{1,19}$ ]] || {
    err "regional image '${n}': not a transaction id"
    return 1
  }
  dir="${CFG[MOUNT_POINT]%/}"
  dir="${dir:-/nn}-restore/${n}"
  script="set -eu
d=$(printf '%q' "${dir}")
n=${n}
if [ -f \"\$d/fsimage_\$n.md5\" ] && (cd \"\$d\" && md5sum --status -c \"fsimage_\$n.md5\"); then
  echo \"image \$n already in \$d\"
  exit 0
fi
rm -rf \"\$d.tmp\"
mkdir -p \"\$d.tmp\"
for f in VERSION \"fsimage_\$n\" \"fsimage_\$n.md5\"; do
  aws s3 cp$(aws_instance_cli_args) $(printf '%q' "s3://$(aws_s3_bucket)/$(aws_s3_key '')")\"\$n/\$f\" \"\$d.tmp/\$f\"
done
if ! (cd \"\$d.tmp\" && md5sum --status -c \"fsimage_\$n.md5\"); then
  echo \"fsimage_\$n from the regional store: md5 mismatch\" >&2
  exit 1
fi
rm -rf \"\$d\"
mv \"\$d.tmp\" \"\$d\"
echo \"image \$n fetched to \$d\""
  aws_ssm_run "${id}" fetch-image "image fetch" "${CFG[COMMAND_TIMEOUT]}" "${script}" 0 \
    >/dev/null || return 1
  echo "${dir}"
}
