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
  command -v "${CFG[AWS_CLI]}" >/dev/null \
    || die "${EXIT_USAGE}" "AWS_CLI=${CFG[AWS_CLI]}: command not found"
}

#######################################
# Read-only checks before anything is touched: the volume's zone has a subnet, the
# address exists. (Volume existence and ZONE are checked by the caller via volume_info.)
#######################################
provider_preflight() {
  local zone="$1"
  [[ -n "$(aws_subnet_for_zone "${zone}")" ]] \
    || die "${EXIT_USAGE}" "AWS_SUBNETS has no subnet for zone ${zone} (the volume's zone)"
  local out
  if [[ "${CFG[AWS_ADDRESS_MODE]}" == "eip" ]]; then
    out="$(aws_ec2 describe-addresses --allocation-ids "${CFG[ADDRESS]}" 2>&1)" \
      || die "${EXIT_USAGE}" "ADDRESS=${CFG[ADDRESS]}: Elastic IP not found ($(echo "${out}" | tail -n 1))"
  fi
}

#######################################
# Describes a volume in one call. First line "zone state attached-instance" ('-' when not
# attached), then one "key=value" line per nn-relaunch:* tag.
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
    ((.Attachments // []) | map(select(.State != "detached")) | .[0].InstanceId // "-")]
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
  if [[ "${CFG[AWS_LAUNCH_TEMPLATE]}" == lt-* ]]; then
    lt="LaunchTemplateId=${CFG[AWS_LAUNCH_TEMPLATE]}"
  else
    lt="LaunchTemplateName=${CFG[AWS_LAUNCH_TEMPLATE]}"
  fi
  lt+=",Version=${CFG[AWS_LAUNCH_TEMPLATE_VERSION]}"
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

address_holder() {
  local addr="$1"
  if [[ "${CFG[AWS_ADDRESS_MODE]}" == "eip" ]]; then
    aws_ec2 describe-addresses --allocation-ids "${addr}" \
      | jq -r '.Addresses[0].InstanceId // ""'
  else
    # The instances in the configured subnets (a secondary private IP never leaves its
    # subnet) with ADDR on one of their interfaces. AWS keeps it on one interface; an
    # emulator that ignores --allow-reassignment (moto) leaves it on the old one too, so
    # a running instance wins, then the latest launched.
    local subnets
    subnets="$(sed -E 's/[[:space:]]//g; s/[^,=]+=//g' <<<"${CFG[AWS_SUBNETS]}")"
    aws_ec2 describe-instances --filters "Name=subnet-id,Values=${subnets}" \
      | jq -r --arg ip "${addr}" '[.Reservations[].Instances[]
        | select(any(.NetworkInterfaces[]?.PrivateIpAddresses[]?; .PrivateIpAddress == $ip))]
        | sort_by(.LaunchTime) | reverse | sort_by(.State.Name != "running")
        | .[0].InstanceId // ""'
  fi
}

address_ip() {
  local addr="$1"
  if [[ "${CFG[AWS_ADDRESS_MODE]}" == "eip" ]]; then
    aws_ec2 describe-addresses --allocation-ids "${addr}" | jq -r '.Addresses[0].PublicIp'
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
# Runs "nn-host SUBCOMMAND" on the instance through SSM (AWS-RunShellScript), with the
# NNH_* settings in NNH_ENV; prints its output; returns its exit code.
# Globals:
#   NNH_ENV (array of NAME=value)
#######################################
run_on_instance() {
  local id="$1" sub="$2" cmd params command_id
  local env_words=("NNH_DEVICE_LOOKUP=ebs" "NNH_DEVICE_HINT=${CFG[AWS_DEVICE_NAME]}" "${NNH_ENV[@]}")
  cmd="env$(printf ' %q' "${env_words[@]}") $(printf '%q' "${CFG[AWS_NN_HOST_PATH]}") ${sub}"
  params="$(jq -cn --arg c "${cmd}" '{commands: [$c]}')"
  command_id="$(aws_call ssm send-command --instance-ids "${id}" \
    --document-name AWS-RunShellScript --comment "nn-relaunch ${sub}" \
    --parameters "${params}" | jq -r '.Command.CommandId')"
  local deadline=$(($(now_s) + CFG[COMMAND_TIMEOUT])) out status
  while true; do
    if out="$(aws_call ssm get-command-invocation --command-id "${command_id}" \
      --instance-id "${id}" 2>/dev/null)"; then
      status="$(jq -r '.Status' <<<"${out}")"
      case "${status}" in
        Success)
          jq -r '.StandardOutputContent // ""' <<<"${out}"
          return 0
          ;;
        Pending | InProgress | Delayed) ;;
        *)
          jq -r '.StandardOutputContent // "", .StandardErrorContent // ""' <<<"${out}" >&2
          local code
          code="$(jq -r '.ResponseCode // 1' <<<"${out}")"
          ((code > 0)) || code=1
          return "${code}"
          ;;
      esac
    fi
    if (($(now_s) >= deadline)); then
      err "nn-host ${sub} on ${id}: no result after ${CFG[COMMAND_TIMEOUT]}s"
      return 1
    fi
    sleep "${CFG[POLL_INTERVAL]}"
  done
}

#######################################
# Runs a client command from here (the relauncher reaches the address directly).
#######################################
run_client() {
  "$@"
}
