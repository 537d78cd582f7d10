#!/usr/bin/env bats
# Safety of nn-relaunch with the local provider (root, no JVM): never formats, refuses a
# missing or foreign clusterID, refuses a damaged file system, full fsck after a force
# detach, --dry-run and bad zones touch nothing.

setup() {
  load helpers/common
  require_root
  load helpers/local
  local_cluster_config "s${BATS_TEST_NUMBER}"
  local_env
  sed -i "s|^NN_START_COMMAND=.*|NN_START_COMMAND=touch ${LT_DIR}/started|" "${CONF}"
  local_net_up
  local_create_volume nnvol zone-a 64
  OLD="$(launch_instance zone-a "")"
  attach_volume nnvol "${OLD}"
  LOOP="$(losetup -n -O NAME -j "${LT_DIR}/state/volumes/nnvol/image")"
  move_address "${LT_ADDR}" "${OLD}"
}

teardown() {
  load helpers/common
  load helpers/local
  local_cluster_down
}

# Writes a NameNode name dir with the given clusterID on the volume, inside OLD.
name_dir_on_volume() {
  local cid="$1"
  local_exec "${OLD}" bash -c "mount ${LOOP} ${LT_DIR}/mnt && mkdir -p ${LT_DIR}/mnt/name/current \
    && printf 'namespaceID=1\nclusterID=${cid}\ncTime=0\nstorageType=NAME_NODE\nlayoutVersion=-66\n' \
       >${LT_DIR}/mnt/name/current/VERSION \
    && : >${LT_DIR}/mnt/name/current/fsimage_0000000000000000000 && umount ${LT_DIR}/mnt"
}

relaunch() {
  run "${HA_HOME}/bin/nn-relaunch" --config "${CONF}" "$@"
}

new_instance() {
  cat "${LT_DIR}/state/volumes/nnvol/attached"
}

@test "local safety: foreign clusterID -> refused, NameNode not started, volume not left mounted" {
  name_dir_on_volume CID-someone-else
  relaunch
  assert_failure 4
  assert_output --partial "foreign clusterID CID-someone-else"
  assert_output --partial "step prepare   FAILED"
  [[ ! -e "${LT_DIR}/started" ]]
  local new
  new="$(new_instance)"
  [[ -n "${new}" && "${new}" != "${OLD}" ]]
  run local_exec "${new}" findmnt -n "${LT_DIR}/mnt"
  assert_failure
}

@test "local safety: no name dir (blank volume) -> refused, never formats" {
  relaunch
  assert_failure 4
  assert_output --partial "missing; refusing (this tool never formats)"
  [[ ! -e "${LT_DIR}/started" ]]
  # The file system still has no name dir.
  run debugfs -R "ls -l /" "${LT_DIR}/state/volumes/nnvol/image"
  refute_output --partial "name"
}

@test "local safety: damaged file system -> e2fsck refuses, not mounted" {
  name_dir_on_volume CID-local-test
  local_kill_instance "${OLD}"
  detach_volume nnvol "${OLD}"
  # The volume is detached: the NameNode is known from its tag (as an earlier run or the
  # operator records it), never from the address's holder.
  set_volume_tags nnvol "nn-relaunch:namenode" "${OLD}"
  # Wipe the primary superblock.
  dd if=/dev/zero of="${LT_DIR}/state/volumes/nnvol/image" bs=1024 seek=1 count=1 conv=notrunc status=none
  relaunch
  assert_failure 4
  assert_output --partial "e2fsck"
  assert_output --partial "refusing to mount"
  [[ ! -e "${LT_DIR}/started" ]]
}

@test "local safety: after a force detach the new instance runs a full fsck (e2fsck -f)" {
  name_dir_on_volume CID-local-test
  set_volume_tags nnvol "nn-relaunch:force-detached" "7"
  NNR_TEST_KILL_AFTER_STEP=prepare relaunch
  assert_output --regexp "step prepare +ok .*e2fsck -f -p /dev/loop[0-9]+ exit 0"
  assert_output --partial "name dir ${LT_DIR}/mnt/name ok (clusterID CID-local-test"
  # The flag is cleared once the full fsck ran.
  assert_equal "$(cat "${LT_DIR}/state/volumes/nnvol/tags/nn-relaunch:force-detached")" ""
}

@test "local safety: a normal relaunch fscks in preen mode only, fences and moves nothing early" {
  name_dir_on_volume CID-local-test
  NNR_TEST_KILL_AFTER_STEP=prepare relaunch
  assert_output --regexp "step prepare +ok .*e2fsck -p /dev/loop[0-9]+ exit 0"
  # Address not moved yet (after start), old instance fenced.
  assert_equal "$(cat "${LT_DIR}/state/addresses/${LT_ADDR}")" "${OLD}"
  assert_equal "$(instance_info "${OLD}")" "stopped zone-a"
}

@test "local: --dry-run and a volume in an unknown zone touch nothing" {
  local before
  before="$(ls "${LT_DIR}/state/instances")"
  relaunch --dry-run
  assert_success
  assert_output --partial "would: fence    stop ${OLD}"
  assert_equal "$(ls "${LT_DIR}/state/instances")" "${before}"
  assert_equal "$(instance_info "${OLD}")" "running zone-a"
  [[ ! -e "${LT_DIR}/state/volumes/nnvol/tags/nn-relaunch:lease" ]]
  sed -i 's/^LOCAL_ZONES=.*//' "${CONF}"
  echo "LOCAL_ZONES=zone-b,zone-c" >>"${CONF}"
  relaunch
  assert_failure 2
  assert_output "nn-relaunch: error: LOCAL_ZONES=zone-b,zone-c has no zone zone-a (the volume's zone)"
  assert_equal "$(instance_info "${OLD}")" "running zone-a"
  [[ ! -e "${LT_DIR}/state/volumes/nnvol/tags/nn-relaunch:lease" ]]
}
