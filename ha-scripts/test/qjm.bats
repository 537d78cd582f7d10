#!/usr/bin/env bats
# DESIGN.md's evidence, re-run: a non-HA NameNode whose edit log is on 3 JournalNodes
# (separate JVMs), Hadoop 3.4.2 from the Maven-built classpath, everything on 127.0.0.1.
# Each test uses its own journal id on the same 3 JournalNodes.

setup_file() {
  load helpers/common
  local reason=""
  if [[ ! -f "${HADOOP_CLASSPATH_FILE:-${HA_HOME}/target/hadoop.classpath}" ]]; then
    reason="no Hadoop classpath file (run through Maven: mvn -pl ha-scripts verify)"
  elif ! command -v java >/dev/null; then
    reason="java not installed"
  fi
  if [[ -n "${reason}" ]]; then
    echo "${reason}" >"${BATS_FILE_TMPDIR}/skip"
    return 0
  fi
  load helpers/qjm
  qjm_journalnodes_up
}

teardown_file() {
  load helpers/common
  load helpers/qjm
  qjm_namenodes_down
  qjm_journalnodes_down
}

setup() {
  load helpers/common
  if [[ -f "${BATS_FILE_TMPDIR}/skip" ]]; then
    skip "$(cat "${BATS_FILE_TMPDIR}/skip")"
  fi
  load helpers/qjm
}

teardown() {
  qjm_namenodes_down
}

@test "qjournal edits dir, non-HA: format reaches the JNs; acked ops survive kill -9 and a restore from VERSION + fsimage + md5 (E1-E3)" {
  local qj a b
  qj="$(qjm_uri e3)"
  a="$(free_port)"
  qjm_nn_conf a3 "${a}" "${qj},@NAME@" "${qj}"
  qjm_nn_format a3
  grep -q "storageType=JOURNAL_NODE" "${BATS_FILE_TMPDIR}/jn0/e3/current/VERSION"
  grep -q "clusterID=CID-qjm-test" "${BATS_FILE_TMPDIR}/jn0/e3/current/VERSION"
  qjm_nn_start a3 "${a}"
  qjm_fs "${a}" -mkdir -p /d1 /d2
  qjm_fs "${a}" -touchz /d1/f1 /d2/f2
  qjm_fs "${a}" -mv /d2/f2 /d1/f2renamed
  qjm_fs "${a}" -rm -skipTrash /d1/f1
  qjm_fs "${a}" -setrep 2 /d1/f2renamed
  kill -9 "$(qjm_nn_pid a3)"
  ls "${BATS_FILE_TMPDIR}"/jn{0,1,2}/e3/current/edits_inprogress_*
  b="$(free_port)"
  qjm_nn_conf b3 "${b}" "${qj},@NAME@" "${qj}"
  qjm_restore_copy a3 b3
  run ls "${BATS_FILE_TMPDIR}/b3/name/current"
  assert_output "$(printf 'VERSION\nfsimage_0000000000000000000\nfsimage_0000000000000000000.md5')"
  qjm_nn_start b3 "${b}"
  run qjm_fs "${b}" -ls -R /
  assert_success
  assert_output --partial "/d1/f2renamed"
  refute_output --partial "/d1/f1"
  refute_output --partial "/d2/f2"
  run qjm_fs "${b}" -stat %r /d1/f2renamed
  assert_output "2"
  grep -q "Successfully started new epoch 2" "${BATS_FILE_TMPDIR}/b3/nn.log"
}

@test "qjournal first and required: a fenced NameNode cannot ack, exits, and its local log lacks the refused op (E6, E8)" {
  local qj a c
  qj="$(qjm_uri e6)"
  a="$(free_port)"
  qjm_nn_conf a6 "${a}" "${qj},@NAME@" "${qj}"
  qjm_nn_format a6
  qjm_nn_start a6 "${a}"
  qjm_fs "${a}" -mkdir /acked
  kill -STOP "$(qjm_nn_pid a6)"
  c="$(free_port)"
  qjm_nn_conf c6 "${c}" "${qj},@NAME@" "${qj}"
  qjm_restore_copy a6 c6
  qjm_nn_start c6 "${c}"
  qjm_fs "${c}" -mkdir /by-new
  kill -CONT "$(qjm_nn_pid a6)"
  run qjm_fs "${a}" -mkdir /by-old-after-fence
  assert_failure
  local deadline=$((SECONDS + 60))
  while qjm_nn_alive a6 && ((SECONDS < deadline)); do
    sleep 0.2
  done
  run qjm_nn_alive a6
  assert_failure
  grep -q "is less than the last promised epoch" "${BATS_FILE_TMPDIR}/a6/nn.log"
  grep -q "flush failed for required journal" "${BATS_FILE_TMPDIR}/a6/nn.log"
  run grep -c "by-old-after-fence" "${BATS_FILE_TMPDIR}"/a6/name/current/edits_inprogress_*
  assert_output "0"
  run qjm_fs "${c}" -ls /
  assert_output --partial "/acked"
  assert_output --partial "/by-new"
  refute_output --partial "/by-old-after-fence"
}

@test "qjournal NOT required: the fenced NameNode disables the journal and keeps acking (why required is mandatory, E7)" {
  local qj a c
  qj="$(qjm_uri e7)"
  a="$(free_port)"
  qjm_nn_conf a7 "${a}" "@NAME@,${qj}" ""
  qjm_nn_format a7
  qjm_nn_start a7 "${a}"
  kill -STOP "$(qjm_nn_pid a7)"
  c="$(free_port)"
  qjm_nn_conf c7 "${c}" "${qj},@NAME@" "${qj}"
  qjm_restore_copy a7 c7
  qjm_nn_start c7 "${c}"
  kill -CONT "$(qjm_nn_pid a7)"
  run qjm_fs "${a}" -mkdir /split-brain
  assert_success
  qjm_nn_alive a7
  grep -q "Disabling journal" "${BATS_FILE_TMPDIR}/a7/nn.log"
  run qjm_fs "${c}" -ls /
  refute_output --partial "/split-brain"
}
