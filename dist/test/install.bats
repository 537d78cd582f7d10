#!/usr/bin/env bats
# The package as an operator gets it: the tarball built by `mvn package` (DIST_TARBALL),
# unpacked, installed into a Hadoop layout with bin/install. The "Hadoop" here is a
# directory tree with Hadoop's file names (bin/install reads nothing else).

bats_require_minimum_version 1.5.0

load "${BATS_LIB:-/usr/lib/bats}/bats-support/load.bash"
load "${BATS_LIB:-/usr/lib/bats}/bats-assert/load.bash"

setup_file() {
  [[ -f "${DIST_TARBALL:-}" ]] || {
    echo "DIST_TARBALL (the built tarball) not set or missing: run through mvn verify" >&2
    return 1
  }
  tar -xzf "${DIST_TARBALL}" -C "${BATS_FILE_TMPDIR}"
  local dirs=("${BATS_FILE_TMPDIR}"/hadoop-multizone-*)
  PKG="${dirs[0]}"
  export PKG
}

# A Hadoop layout of version $1 at $2.
fake_hadoop() {
  local version="$1" home="$2" c
  for c in common hdfs yarn mapreduce; do
    mkdir -p "${home}/share/hadoop/${c}/lib"
  done
  touch "${home}/share/hadoop/common/hadoop-common-${version}.jar" \
    "${home}/share/hadoop/common/hadoop-common-${version}-tests.jar"
}

setup() {
  HH="${BATS_TEST_TMPDIR}/hadoop"
  fake_hadoop "${HADOOP_VERSION:-3.4.2}" "${HH}"
}

our_jars() {
  find "$1/share/hadoop" -name 'multizone-common-*.jar' -o -name 'hdfs-placement-policy-*.jar' \
    -o -name 'yarn-scheduler-*.jar' | sort
}

@test "layout: JARs where Hadoop loads them, scripts, snippets that parse, build info" {
  local v
  v="$(sed -n 's/^version=//p' "${PKG}/BUILD-INFO")"
  [[ -f "${PKG}/share/hadoop/common/lib/multizone-common-${v}.jar" ]]
  [[ -f "${PKG}/share/hadoop/hdfs/lib/hdfs-placement-policy-${v}.jar" ]]
  [[ -f "${PKG}/share/hadoop/yarn/lib/yarn-scheduler-${v}.jar" ]]
  run grep -c '' < <(find "${PKG}/share" -name '*.jar')
  assert_output 3
  assert_equal "$(sed -n 's/^hadoop.version=//p' "${PKG}/BUILD-INFO")" "${HADOOP_VERSION:-3.4.2}"
  local x
  for x in bin/install bin/zone-audit sbin/nn-relaunch sbin/nn-watch sbin/nn-host sbin/nn-image-push \
    sbin/ec2-topology sbin/ec2-topology-table sbin/datanode-health-check.sh; do
    [[ -x "${PKG}/${x}" ]] || fail "${x} missing or not executable"
  done
  for x in core-site hdfs-site yarn-site capacity-scheduler; do
    python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' \
      "${PKG}/etc/hadoop/multizone/${x}.xml"
  done
  [[ -f "${PKG}/etc/hadoop/multizone/ec2-topology.conf.example" ]]
  [[ -f "${PKG}/etc/hadoop/multizone/nn-relaunch.conf.example" ]]
  [[ -f "${PKG}/README.md" ]]
  # The class names in the snippets are classes in the JARs.
  local cls jar listing="${BATS_TEST_TMPDIR}/classes" checked=0
  for jar in "${PKG}"/share/hadoop/*/lib/*.jar; do
    unzip -Z1 "${jar}" >>"${listing}"
  done
  while IFS= read -r cls; do
    [[ "${cls}" == org.apache.hadoop.net.* ]] && continue
    grep -qx "${cls//.//}.class" "${listing}" || fail "snippet class ${cls} is in none of the JARs"
    checked=$((checked + 1))
  done < <(sed -n 's:.*<value>\([a-z]*\.[a-z.]*\.[A-Z][A-Za-z]*\)</value>.*:\1:p' \
    "${PKG}"/etc/hadoop/multizone/*.xml)
  ((checked >= 4)) || fail "only ${checked} snippet classes checked"
}

@test "install puts each JAR in its lib directory; a second run changes nothing" {
  run "${PKG}/bin/install" "${HH}"
  assert_success
  assert_output --partial "install ${HH}/share/hadoop/hdfs/lib/hdfs-placement-policy-"
  run our_jars "${HH}"
  assert_line --index 0 --partial "${HH}/share/hadoop/common/lib/multizone-common-"
  assert_line --index 1 --partial "${HH}/share/hadoop/hdfs/lib/hdfs-placement-policy-"
  assert_line --index 2 --partial "${HH}/share/hadoop/yarn/lib/yarn-scheduler-"
  local before
  before="$(our_jars "${HH}" | xargs stat -c '%i %Y %n')"
  run "${PKG}/bin/install" "${HH}/"
  assert_success
  refute_output --partial "  install "
  run grep -c "  unchanged " <<<"${output}"
  assert_output 3
  assert_equal "$(our_jars "${HH}" | xargs stat -c '%i %Y %n')" "${before}"
}

@test "an older version of ours is replaced; other JARs are never touched" {
  touch "${HH}/share/hadoop/common/lib/multizone-common-0.0.9.jar" \
    "${HH}/share/hadoop/yarn/lib/yarn-scheduler-plugin-2.jar" \
    "${HH}/share/hadoop/hdfs/lib/hdfs-placement-policy-tools-1.0.jar"
  run "${PKG}/bin/install" "${HH}"
  assert_success
  assert_output --partial "remove ${HH}/share/hadoop/common/lib/multizone-common-0.0.9.jar"
  [[ ! -e "${HH}/share/hadoop/common/lib/multizone-common-0.0.9.jar" ]]
  [[ -e "${HH}/share/hadoop/yarn/lib/yarn-scheduler-plugin-2.jar" ]]
  [[ -e "${HH}/share/hadoop/hdfs/lib/hdfs-placement-policy-tools-1.0.jar" ]]
}

@test "another Hadoop line is refused with one message, nothing copied" {
  # A line the package was not built for: 3.3.6, or 3.4.2 for a package built on 3.3.
  local other_version=3.3.6
  if [[ "${HADOOP_VERSION:-3.4.2}" == 3.3.* ]]; then
    other_version=3.4.2
  fi
  local other="${BATS_TEST_TMPDIR}/hadoop-other"
  fake_hadoop "${other_version}" "${other}"
  run "${PKG}/bin/install" "${other}"
  assert_failure 2
  assert_output --partial "built for Hadoop ${HADOOP_VERSION:-3.4.2}"
  assert_output --partial "is Hadoop ${other_version}"
  run our_jars "${other}"
  assert_output ""
  # Control: a patch release of the same line is accepted.
  local patch="${BATS_TEST_TMPDIR}/hadoop-patch"
  fake_hadoop "$(cut -d. -f1-2 <<<"${HADOOP_VERSION:-3.4.2}").99" "${patch}"
  run "${PKG}/bin/install" "${patch}"
  assert_success
}

@test "bad arguments: exit 2 naming the argument, nothing copied" {
  run "${PKG}/bin/install"
  assert_failure 2
  assert_output --partial "missing HADOOP_HOME"
  run "${PKG}/bin/install" --force "${HH}"
  assert_failure 2
  assert_output --partial "unknown option '--force'"
  run "${PKG}/bin/install" "${HH}" "${HH}2"
  assert_failure 2
  assert_output --partial "one HADOOP_HOME only"
  run "${PKG}/bin/install" "${BATS_TEST_TMPDIR}/nowhere"
  assert_failure 2
  assert_output --partial "'${BATS_TEST_TMPDIR}/nowhere' is not a directory"
  mkdir -p "${BATS_TEST_TMPDIR}/empty"
  run "${PKG}/bin/install" "${BATS_TEST_TMPDIR}/empty"
  assert_failure 2
  assert_output --partial "not a Hadoop installation"
  run our_jars "${HH}"
  assert_output ""
}

@test "--dry-run shows the changes and makes none; --uninstall removes only ours" {
  run "${PKG}/bin/install" --dry-run "${HH}"
  assert_success
  assert_output --partial "  install ${HH}/share/hadoop/yarn/lib/yarn-scheduler-"
  run our_jars "${HH}"
  assert_output ""
  "${PKG}/bin/install" "${HH}"
  touch "${HH}/share/hadoop/yarn/lib/other.jar"
  run "${PKG}/bin/install" --uninstall "${HH}"
  assert_success
  run our_jars "${HH}"
  assert_output ""
  [[ -e "${HH}/share/hadoop/yarn/lib/other.jar" ]]
}

@test "sbin wrappers run the scripts in libexec; zone-audit uses the package's JARs" {
  run "${PKG}/sbin/nn-relaunch"
  assert_output --partial "nn-relaunch: error: missing --config FILE"
  # A stand-in `hadoop` that prints what it was asked to run.
  mkdir -p "${BATS_TEST_TMPDIR}/path"
  cat >"${BATS_TEST_TMPDIR}/path/hadoop" <<'EOF'
#!/usr/bin/env bash
echo "args: $*"
echo "classpath: ${HADOOP_CLASSPATH:-}"
EOF
  chmod +x "${BATS_TEST_TMPDIR}/path/hadoop"
  PATH="${BATS_TEST_TMPDIR}/path:${PATH}" run "${PKG}/bin/zone-audit" --json /data
  assert_success
  assert_line --regexp "^args: jar ${PKG}/share/hadoop/hdfs/lib/hdfs-placement-policy-[^ ]*\.jar io\.multizone\.hdfs\.audit\.ZoneAudit --json /data$"
  assert_line --regexp "^classpath: ${PKG}/share/hadoop/common/lib/multizone-common-[^ ]*\.jar$"
}

@test "shellcheck: the package's own scripts and this test" {
  shellcheck "${BATS_TEST_DIRNAME}/../src/main/bin/install" \
    "${BATS_TEST_DIRNAME}"/../src/main/sbin/*
  shellcheck -s bash "${BATS_TEST_FILENAME}"
}
