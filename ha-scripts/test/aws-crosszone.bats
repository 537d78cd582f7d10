#!/usr/bin/env bats
# nn-relaunch with the aws provider against moto_server: the cross-zone relaunch (issue 11):
# a new volume in a healthy zone, the regional image store in S3, JournalNodes' JMX faked on
# 127.0.0.1.

load helpers/aws_suite

# ---- issue 11 on AWS: cross-zone relaunch -------------------------------------------------

# The image sets of these tests (19 digits, as Hadoop names them).
IMG30=0000000000000000030
IMG43=0000000000000000043
IMG50=0000000000000000050
STORE=s3://nn-images/prod/CID-test-1

# Starts the JournalNodes' JMX (helpers/aws_fake_jn.py) on 127.0.0.1 with VALUES (JSON:
# name -> LastWrittenTxId, null = no answer); curl sends jn-a, jn-b, jn-c:8480 there
# (connect-to in CURL_HOME/.curlrc: nothing is resolved, nothing leaves 127.0.0.1).
jn_start() {
  local port_file="${BATS_TEST_TMPDIR}/jn.port" port
  echo "$1" >"${BATS_TEST_TMPDIR}/jn.json"
  python3 "${HA_HOME}/test/helpers/aws_fake_jn.py" "${port_file}" "${BATS_TEST_TMPDIR}/jn.json" \
    >/dev/null 2>"${BATS_TEST_TMPDIR}/jn.log" 3>&- &
  echo "$!" >"${BATS_TEST_TMPDIR}/jn.pid"
  for _ in $(seq 1 100); do
    [[ -s "${port_file}" ]] && break
    sleep 0.1
  done
  port="$(cat "${port_file}")"
  export CURL_HOME="${BATS_TEST_TMPDIR}/curl"
  mkdir -p "${CURL_HOME}"
  printf 'connect-to = %s:8480:127.0.0.1:'"${port}"'\n' jn-a jn-b jn-c >"${CURL_HOME}/.curlrc"
}

# A cross-zone world: the regional store s3://nn-images/prod holds image set 30 of
# CID-test-1 (latest); JournalNodes jn-a (in the lost zone: no answer), jn-b at txid 42,
# jn-c at 41 (the quorum's txid: 42); every SSM command runs here (fake-aws
# NNR_AWS_SSM_EXEC) with helpers/aws_instance.bash as nn-host and MNT as the new volume;
# a saveNamespace there writes image 43. (LEASE_SETTLE 6: a cross-zone run makes twice the
# calls, on a loaded host a lease read + claim can take more than 3 s.)
use_cross_zone() {
  world bucket nn-images
  world image s3://nn-images/prod CID-test-1 "${IMG30}"
  jn_start '{"jn-a": null, "jn-b": 42, "jn-c": 41}'
  MNT="${BATS_TEST_TMPDIR}/mnt"
  export NNR_AWS_STATE_DIR="${BATS_TEST_TMPDIR}/aws-state" NNR_AWS_SSM_EXEC=1
  export NNR_AWS_INSTANCE_LOG="${BATS_TEST_TMPDIR}/instance-aws.log"
  export NNR_AWS_INSTANCE_NNH_LOG="${BATS_TEST_TMPDIR}/instance-nn-host.log"
  export NNR_FAKE_SAVED_TXID=43
  set_conf "JOURNAL_URI=qjournal://jn-a:8485;jn-b:8485;jn-c:8485/mz" \
    "AWS_REGIONAL_S3_URI=s3://nn-images/prod" "MOUNT_POINT=${MNT}" \
    "AWS_NN_HOST_PATH=${HA_HOME}/test/helpers/aws_instance.bash" "LEASE_SETTLE=6"
}

# The mutating calls of a whole cross-zone relaunch (the old instance's stop attempted).
cross_zone_calls() {
  printf '%s\n' "ec2 stop-instances --force" "ec2 create-volume" "ec2 run-instances" \
    "ec2 attach-volume" "ssm send-command fetch-image" "ssm send-command restore" \
    "ssm send-command start" "ec2 associate-address" "ssm send-command wait-safemode" \
    "ssm send-command check-txid" "ssm send-command save-namespace" \
    "ssm send-command push-image" "s3api put-object" "ec2 terminate-instances"
}

# The volume created for VOL (tag nn-relaunch:predecessor), one "id zone state" a line.
new_volumes() {
  world volumes-for "${VOL}"
}

# After a cross-zone relaunch from VOL to NEWVOL: NEWVOL in us-east-1b on the one running
# replacement there, with the address; VOL stale with NEWVOL as successor; the old
# instance terminated.
assert_cross_converged() {
  local newvol="$1" s new
  s="$(world state "${newvol}" "${ALLOC}")"
  new="$(new_instance)"
  [[ "$(wc -w <<<"${new}")" -eq 1 ]] || fail "expected one replacement, got: ${new}"
  assert_equal "$(jq -r '.volume.zone' <<<"${s}")" "us-east-1b"
  assert_equal "$(jq -r '.volume.attached | join(",")' <<<"${s}")" "${new}"
  assert_equal "$(jq -r '.volume.tags["nn-relaunch:namenode"]' <<<"${s}")" "${new}"
  assert_equal "$(jq -r '.volume.tags["nn-relaunch:state"]' <<<"${s}")" "done"
  assert_equal "$(jq -r '.volume.tags["nn-relaunch:predecessor"]' <<<"${s}")" "${VOL}"
  assert_equal "$(jq -r '.address' <<<"${s}")" "${new}"
  assert_equal "$(jq -r --arg i "${new}" '.instances[$i].zone' <<<"${s}")" "us-east-1b"
  assert_equal "$(jq -r --arg i "${new}" '.instances[$i].subnet' <<<"${s}")" "${SUBNET_B}"
  assert_equal "$(jq -r --arg i "${OLD}" '.instances[$i].state' <<<"${s}")" "terminated"
  s="$(state)"
  assert_equal "$(jq -r '.volume.tags["nn-relaunch:successor"]' <<<"${s}")" "${newvol}"
  run jq -r '.volume.tags["nn-relaunch:stale"]' <<<"${s}"
  assert_output --regexp '^epoch [0-9]+: relaunched in us-east-1b$'
}

@test "aws cross-zone: --zone-lost -> new volume, replacement and image in us-east-1b, calls in order, latest moved forward" {
  use_cross_zone
  world tag "${VOL}" Name namenode-data
  # The zone is gone: its instance never stops.
  fault "stop-instances|noop|{}"
  relaunch --dry-run --zone-lost us-east-1a
  assert_success
  assert_output --partial "dry run: cross-zone (--zone-lost us-east-1a): JournalNodes qjournal://jn-a:8485;jn-b:8485;jn-c:8485/mz, regional image ${IMG30}"
  assert_output --partial "would: volume   create a volume in us-east-1b"
  run mutating_calls
  assert_output ""
  : >"${NNR_AWS_LOG}"

  relaunch --zone-lost us-east-1a
  assert_success
  assert_output --partial "cross-zone: --zone-lost us-east-1a"
  assert_output --partial "journal quorum 42 (jn-b=42 jn-c=41)"
  assert_output --partial "image ${IMG43} in the regional store"
  run mutating_calls
  assert_output "$(cross_zone_calls)"
  local newvol new
  newvol="$(new_volumes | awk '{ print $1 }')"
  [[ "${newvol}" == vol-* && "$(wc -w <<<"${newvol}")" -eq 1 ]]
  new="$(new_instance)"
  assert_cross_converged "${newvol}"
  # Created like the old volume (size, type, its own tags), idempotent by client token.
  run world volume "${newvol}"
  assert_equal "$(jq -r '.Size' <<<"${output}")" "8"
  assert_equal "$(jq -r '.AvailabilityZone' <<<"${output}")" "us-east-1b"
  assert_equal "$(jq -r '.Tags | from_entries | .Name' <<<"${output}")" "namenode-data"
  assert_equal "$(jq -r '.Tags | from_entries | .["nn-relaunch:created-by"]' <<<"${output}")" "epoch 1 for ${VOL}"
  grep -q "^ec2 create-volume --availability-zone us-east-1b --size 8 --volume-type gp2 --client-token nnr-${VOL}-1-us-east-1b " "${NNR_AWS_LOG}"
  # On the replacement: image 30 fetched from S3, restored (a new volume) from there, the
  # NameNode checked against the quorum's txid 42, image 43 exported and uploaded.
  run grep -o -e '^[a-z-]*' -e 'NNH_RESTORE_DIR=[^ ]*' -e 'NNH_RESTORE_TXID=[^ ]*' \
    -e 'NNH_NEW_VOLUME=[^ ]*' -e 'NNH_MIN_TXID=[^ ]*' -e "NNH_VOLUME_ID=${newvol}" \
    "${NNR_AWS_INSTANCE_NNH_LOG}"
  assert_output "restore
NNH_NEW_VOLUME=1
NNH_RESTORE_DIR=${MNT}-restore/${IMG30}
NNH_RESTORE_TXID=${IMG30}
NNH_VOLUME_ID=${newvol}
start
NNH_VOLUME_ID=${newvol}
wait-safemode
NNH_VOLUME_ID=${newvol}
check-txid
NNH_MIN_TXID=42
NNH_VOLUME_ID=${newvol}
save-namespace
NNH_VOLUME_ID=${newvol}
export-image
NNH_VOLUME_ID=${newvol}"
  [[ -f "${MNT}/name/current/fsimage_${IMG30}" && -f "${MNT}/name/current/fsimage_${IMG43}" ]]
  run cat "${NNR_AWS_INSTANCE_LOG}"
  assert_output "s3 cp --only-show-errors ${STORE}/${IMG30}/VERSION ${MNT}-restore/${IMG30}.tmp/VERSION
s3 cp --only-show-errors ${STORE}/${IMG30}/fsimage_${IMG30} ${MNT}-restore/${IMG30}.tmp/fsimage_${IMG30}
s3 cp --only-show-errors ${STORE}/${IMG30}/fsimage_${IMG30}.md5 ${MNT}-restore/${IMG30}.tmp/fsimage_${IMG30}.md5
s3 cp --only-show-errors ${MNT}/nn-relaunch-export/${IMG43}/VERSION ${STORE}/${IMG43}/VERSION
s3 cp --only-show-errors ${MNT}/nn-relaunch-export/${IMG43}/fsimage_${IMG43} ${STORE}/${IMG43}/fsimage_${IMG43}
s3 cp --only-show-errors ${MNT}/nn-relaunch-export/${IMG43}/fsimage_${IMG43}.md5 ${STORE}/${IMG43}/fsimage_${IMG43}.md5"
  [[ ! -e "${MNT}/nn-relaunch-export/${IMG43}" ]]
  # The set is whole in S3, and only then latest moved (30 -> 43): the relauncher saw the
  # three objects, then wrote latest on the version it had read.
  run world keys "${STORE}/${IMG43}/"
  assert_output "prod/CID-test-1/${IMG43}/VERSION
prod/CID-test-1/${IMG43}/fsimage_${IMG43}
prod/CID-test-1/${IMG43}/fsimage_${IMG43}.md5"
  run world get "${STORE}/latest"
  assert_output "${IMG43}"
  run grep -e '^ssm send-command .*push-image' -e '^s3api head-object' -e '^s3api put-object --bucket' \
    "${NNR_AWS_LOG}"
  assert_line --index 1 --partial "s3api head-object --bucket nn-images --key prod/CID-test-1/${IMG43}/VERSION"
  assert_line --index 3 --partial "s3api head-object --bucket nn-images --key prod/CID-test-1/${IMG43}/fsimage_${IMG43}.md5"
  assert_line --index 4 --regexp "^s3api put-object --bucket nn-images --key prod/CID-test-1/latest --body [^ ]+ --if-match \"[0-9a-f]+\"$"
  # The client read through the Elastic IP's private IP, now the replacement's.
  run cat "${NNR_HDFS_LOG}"
  assert_output --regexp '^dfs -fs hdfs://[0-9.]+:8020 -ls /$'

  # A rerun follows the chain to the new volume: its NameNode serves, nothing to do.
  : >"${NNR_AWS_LOG}"
  relaunch
  assert_success
  assert_output --partial "${VOL} is stale (relaunched in another zone); the NameNode's volume is ${newvol}"
  assert_output --partial "nothing to do"
  run mutating_calls
  assert_output ""
  assert_equal "$(new_instance)" "${new}"
}

@test "aws cross-zone: private-ip address mode -> refused (exit 4) before anything is touched; a same-zone launch failure stays exit 1" {
  use_private_ip
  use_cross_zone
  relaunch --zone-lost us-east-1a
  assert_failure 4
  assert_output "nn-relaunch: error: AWS_ADDRESS_MODE=private-ip: a secondary private IP belongs to its subnet, hence to one zone, and cannot follow the NameNode to another zone; a cross-zone relaunch needs an Elastic IP (AWS_ADDRESS_MODE=eip); refusing a cross-zone relaunch"
  run mutating_calls
  assert_output ""
  run grep -c -e 'create-tags' -e '^s3api' "${NNR_AWS_LOG}"
  assert_output "0"
  assert_equal "$(state | jq -r --arg i "${OLD}" '.instances[$i].state')" "running"

  # Same zone, no replacement to be had: cross-zone is not possible in this mode, so the
  # usual "run again" (exit 1), not a refusal ending the run unseen.
  fault "run-instances|fail|An error occurred (InsufficientInstanceCapacity) when calling the RunInstances operation: none"
  : >"${NNR_AWS_LOG}"
  relaunch
  assert_failure 1
  assert_output --partial "nn-relaunch: error: launch in us-east-1a failed; run again to launch another"
  assert_output --partial "step launch    FAILED"
  run grep -c -e '^ec2 create-volume' -e '^s3api' "${NNR_AWS_LOG}"
  assert_output "0"
}

@test "aws cross-zone: AWS_REGIONAL_S3_URI missing or malformed -> exit 2, one message naming it, nothing touched" {
  set_conf "JOURNAL_URI=qjournal://jn-a:8485;jn-b:8485;jn-c:8485/mz"
  relaunch --zone-lost us-east-1a
  assert_failure 2
  assert_output "nn-relaunch: error: missing config key AWS_REGIONAL_S3_URI (provider aws): JOURNAL_URI is set and CROSS_ZONE=auto, and a cross-zone relaunch restores the NameNode from the regional image store s3://bucket[/prefix]"
  local uri
  for uri in https://nn-images/prod s3:// s3://nn-images/a/../b "s3://nn-images/a b" \
    s3://NN_Images/prod s3://nn..images/prod s3://nn-images//prod; do
    set_conf "AWS_REGIONAL_S3_URI=${uri}"
    relaunch --zone-lost us-east-1a
    assert_failure 2
    assert_output "nn-relaunch: error: AWS_REGIONAL_S3_URI=${uri}: expected s3://bucket[/prefix] (a bucket name, then path segments of letters, digits and . _ = + -)"
  done
  # Not needed (and not asked for) without a cross-zone relaunch.
  set_conf "AWS_REGIONAL_S3_URI=" "CROSS_ZONE=never"
  relaunch --dry-run
  assert_success
  run mutating_calls
  assert_output ""
  run grep -c -e 'create-tags' -e '^s3api' "${NNR_AWS_LOG}"
  assert_output "0"
}

@test "aws cross-zone: create-volume retried with its client token -> one volume; killed before recording it -> the rerun takes it; latest never moves backwards" {
  use_cross_zone
  # Zone a impaired (EC2's zone state), found without --zone-lost.
  fault 'describe-availability-zones|jq|.AvailabilityZones |= map(if .ZoneName == "us-east-1a" then .State = "impaired" else . end)'
  # The old volume as AWS describes a gp3 one with its own IOPS and throughput, encrypted
  # with a customer key (moto's is a plain gp2): the new one is created alike.
  local key=arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
  fault "describe-volumes|jq|(.Volumes[] | select(.VolumeId == \"${VOL}\")) |= . + {VolumeType: \"gp3\", Iops: 4000, Throughput: 250, Encrypted: true, KmsKeyId: \"${key}\"}"
  # The first answer is lost (the volume was made): the retry, same token, gets it back.
  fault 'create-volume|jq|error("connection reset by peer")|fewer:1:create-volume'
  NNR_TEST_KILL_AFTER_STEP=volume relaunch
  assert_failure
  assert_output --partial "cross-zone: zone us-east-1a is lost"
  assert_output --partial "create-volume in us-east-1b failed (attempt 1 of 3; the same client token)"
  run grep -o '^ec2 create-volume .* --client-token [^ ]*' "${NNR_AWS_LOG}"
  local create="ec2 create-volume --availability-zone us-east-1b --size 8 --volume-type gp3 --iops 4000 --throughput 250 --encrypted --kms-key-id ${key} --client-token nnr-${VOL}-1-us-east-1b"
  assert_output "${create}
${create}"
  local newvol
  newvol="$(new_volumes | awk '{ print $1 }')"
  [[ "${newvol}" == vol-* && "$(wc -w <<<"${newvol}")" -eq 1 ]]
  run world volume "${newvol}"
  assert_equal "$(jq -r '[.VolumeType, .Iops, .Encrypted, .KmsKeyId] | map(tostring) | join(" ")' <<<"${output}")" \
    "gp3 4000 true ${key}"
  assert_equal "$(state | jq -r '.volume.tags["nn-relaunch:new-volume"]')" "${newvol}"

  # Killed between create-volume and recording its id: the rerun (another epoch, another
  # token) finds the volume made for ${VOL} in that zone instead of making a second one.
  world tag "${VOL}" nn-relaunch:new-volume ""
  world tag "${VOL}" nn-relaunch:target-zone ""
  sed -i '/^create-volume/d' "${NNR_AWS_FAULTS}"
  # Another pusher stores image 50 and moves latest to it between our read of latest (30)
  # and our conditional write of 43: S3 (moto) refuses ours; read again, 50 stays.
  fault "put-object|race|\"${MOTO_PY}\" \"${HA_HOME}/test/helpers/moto_world.py\" \"${MOTO_URL}\" image s3://nn-images/prod CID-test-1 ${IMG50}|args:--if-match&fewer:1:--if-match"
  : >"${NNR_AWS_LOG}"
  relaunch
  assert_success
  assert_output --partial "resuming"
  assert_output --partial "${newvol} was created in us-east-1b for ${VOL} by an earlier run (not recorded then): taking it"
  assert_output --partial "step volume    ok"
  assert_output --partial "${newvol} in us-east-1b for epoch 2"
  # latest: another writer moved it to 50 meanwhile; not moved back to 43.
  assert_output --partial "${STORE}/latest changed while writing ${IMG43} (another writer); reading it again"
  run grep -c '^ec2 create-volume' "${NNR_AWS_LOG}"
  assert_output "0"
  run new_volumes
  assert_output "${newvol} us-east-1b in-use"
  assert_cross_converged "${newvol}"
  # One conditional write of latest, refused; image 43 itself is stored whole.
  run world get "${STORE}/latest"
  assert_output "${IMG50}"
  run grep -c '^s3api put-object --bucket' "${NNR_AWS_LOG}"
  assert_output "1"
  run world keys "${STORE}/${IMG43}/"
  assert_line --index 2 "prod/CID-test-1/${IMG43}/fsimage_${IMG43}.md5"

  # A later push of the NameNode's image (43, older than latest): stored, latest kept.
  : >"${NNR_AWS_LOG}"
  run "${HA_HOME}/bin/nn-image-push" --config "${CONF}"
  assert_success
  assert_line "image ${IMG43}"
  run world get "${STORE}/latest"
  assert_output "${IMG50}"
  run grep -c '^s3api put-object --bucket' "${NNR_AWS_LOG}"
  assert_output "0"
}
