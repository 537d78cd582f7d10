#!/usr/bin/env bash
# Helpers of test/qjm.bats: a non-HA NameNode whose edit log is on 3 JournalNodes (separate
# JVMs), all on 127.0.0.1, run from the Maven-built Hadoop classpath. Files, pids and ports
# live under BATS_FILE_TMPDIR.

readonly QJM_OPENS=(--add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED)

#######################################
# Runs a JVM with CONF_DIR first on the classpath.
#######################################
qjm_jvm() {
  local conf="$1"
  shift
  java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData "${QJM_OPENS[@]}" \
    -Dhadoop.log.dir="${BATS_FILE_TMPDIR}" -Djava.net.preferIPv4Stack=true \
    -cp "${conf}:$(cat "${HADOOP_CLASSPATH_FILE:-${HA_HOME}/target/hadoop.classpath}")" "$@"
}

qjm_log4j() {
  cat >"$1/log4j.properties" <<'EOF'
log4j.rootLogger=INFO,out
log4j.appender.out=org.apache.log4j.ConsoleAppender
log4j.appender.out.target=System.err
log4j.appender.out.layout=org.apache.log4j.PatternLayout
log4j.appender.out.layout.ConversionPattern=%d{HH:mm:ss,SSS} %p %c{1}: %m%n
log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR
EOF
}

#######################################
# Waits until 127.0.0.1:PORT accepts connections (60 s), or PID is gone.
#######################################
qjm_wait_port() {
  local port="$1" pid="${2:-}" deadline=$((SECONDS + 60))
  until (echo >"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    [[ -z "${pid}" ]] || kill -0 "${pid}" 2>/dev/null || return 1
    sleep 0.3
  done
}

#######################################
# Starts 3 JournalNodes; writes their ports to BATS_FILE_TMPDIR/jn.ports.
#######################################
qjm_journalnodes_up() {
  local i port dir="${BATS_FILE_TMPDIR}/jnconf"
  mkdir -p "${dir}"
  qjm_log4j "${dir}"
  : >"${BATS_FILE_TMPDIR}/jn.ports"
  for i in 0 1 2; do
    port="$(free_port)"
    echo "${port}" >>"${BATS_FILE_TMPDIR}/jn.ports"
    mkdir -p "${BATS_FILE_TMPDIR}/jn${i}"
    setsid java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData \
      "${QJM_OPENS[@]}" -Djava.net.preferIPv4Stack=true -Xmx128m -Djava.io.tmpdir="${BATS_FILE_TMPDIR}" \
      -cp "${dir}:$(cat "${HADOOP_CLASSPATH_FILE:-${HA_HOME}/target/hadoop.classpath}")" \
      org.apache.hadoop.hdfs.qjournal.server.JournalNode \
      -Ddfs.journalnode.edits.dir="${BATS_FILE_TMPDIR}/jn${i}" \
      -Ddfs.journalnode.rpc-address="127.0.0.1:${port}" \
      -Ddfs.journalnode.http-address=127.0.0.1:0 \
      </dev/null >"${BATS_FILE_TMPDIR}/jn${i}.log" 2>&1 3>&- &
    echo "$!" >"${BATS_FILE_TMPDIR}/jn${i}.pid"
  done
  sleep 0.5
  while read -r port; do
    qjm_wait_port "${port}" || return 1
  done <"${BATS_FILE_TMPDIR}/jn.ports"
}

qjm_journalnodes_down() {
  local f
  for f in "${BATS_FILE_TMPDIR}"/jn*.pid; do
    qjm_kill_own TERM "${f}" "-Ddfs.journalnode.edits.dir=${f%.pid} "
  done
  return 0
}

#######################################
# Sends SIGNAL to the process in PIDFILE if it is still the JVM this file started (its
# command line holds MARK): the PID of a JVM that has ended may belong to another test's
# process by now (the test files run in two lanes side by side).
# Arguments: signal, pid file, mark.
#######################################
qjm_kill_own() {
  if qjm_runs "$2" "$3"; then
    kill "-$1" "$(cat "$2")" 2>/dev/null || true
  fi
}

#######################################
# True while the process in PIDFILE runs and is still the JVM whose command line holds MARK.
# Arguments: pid file, mark.
#######################################
qjm_runs() {
  [[ -f "$1" ]] || return 1
  tr '\0' ' ' <"/proc/$(cat "$1")/cmdline" 2>/dev/null | grep -qF -- "$2"
}

#######################################
# Prints the qjournal URI of journal JID on the 3 JournalNodes.
#######################################
qjm_uri() {
  local jid="$1"
  echo "qjournal://$(awk '{ printf "%s127.0.0.1:%s", (NR > 1 ? ";" : ""), $1 }' \
    "${BATS_FILE_TMPDIR}/jn.ports")/${jid}"
}

#######################################
# Writes NameNode NAME's conf dir (name dir BATS_FILE_TMPDIR/NAME/name).
# Arguments: name, rpc port, edits dirs, required edits dirs ("" = none)
#######################################
qjm_nn_conf() {
  local port="$2" edits="$3" required="$4" dir="${BATS_FILE_TMPDIR}/$1"
  mkdir -p "${dir}/conf" "${dir}/name"
  qjm_log4j "${dir}/conf"
  cat >"${dir}/conf/core-site.xml" <<EOF
<configuration>
<property><name>fs.defaultFS</name><value>hdfs://127.0.0.1:${port}</value></property>
<property><name>hadoop.tmp.dir</name><value>${dir}/tmp</value></property>
</configuration>
EOF
  cat >"${dir}/conf/hdfs-site.xml" <<EOF
<configuration>
<property><name>dfs.namenode.name.dir</name><value>file://${dir}/name</value></property>
<property><name>dfs.namenode.edits.dir</name><value>${edits//@NAME@/file://${dir}/name}</value></property>
<property><name>dfs.namenode.edits.dir.required</name><value>${required}</value></property>
<property><name>dfs.namenode.rpc-address</name><value>127.0.0.1:${port}</value></property>
<property><name>dfs.namenode.http-address</name><value>127.0.0.1:0</value></property>
<property><name>dfs.namenode.safemode.extension</name><value>0</value></property>
<property><name>dfs.permissions.enabled</name><value>false</value></property>
<property><name>dfs.replication</name><value>1</value></property>
</configuration>
EOF
}

qjm_nn_format() {
  qjm_jvm "${BATS_FILE_TMPDIR}/$1/conf" -Xmx256m org.apache.hadoop.hdfs.server.namenode.NameNode \
    -format -clusterid CID-qjm-test -nonInteractive >"${BATS_FILE_TMPDIR}/$1/format.log" 2>&1
}

#######################################
# Starts NameNode NAME in the background and waits for its RPC port.
#######################################
qjm_nn_start() {
  local port="$2" dir="${BATS_FILE_TMPDIR}/$1"
  setsid java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData \
    "${QJM_OPENS[@]}" -Djava.net.preferIPv4Stack=true -Xmx256m -Djava.io.tmpdir="${BATS_FILE_TMPDIR}" \
    -Dhadoop.log.dir="${dir}" \
    -cp "${dir}/conf:$(cat "${HADOOP_CLASSPATH_FILE:-${HA_HOME}/target/hadoop.classpath}")" \
    org.apache.hadoop.hdfs.server.namenode.NameNode \
    </dev/null >>"${dir}/nn.log" 2>&1 3>&- &
  echo "$!" >"${dir}/pid"
  qjm_wait_port "${port}" "$(cat "${dir}/pid")"
}

qjm_nn_pid() {
  cat "${BATS_FILE_TMPDIR}/$1/pid"
}

# True while NameNode NAME's JVM runs (by its command line, not only its PID: see
# qjm_kill_own).
qjm_nn_alive() {
  qjm_runs "${BATS_FILE_TMPDIR}/$1/pid" "-Dhadoop.log.dir=${BATS_FILE_TMPDIR}/$1 "
}

#######################################
# FsShell against 127.0.0.1:PORT, failing fast when nobody answers.
#######################################
qjm_fs() {
  local port="$1"
  shift
  local conf="${BATS_FILE_TMPDIR}/client"
  if [[ ! -d "${conf}" ]]; then
    mkdir -p "${conf}"
    qjm_log4j "${conf}"
    sed -i 's/^log4j.rootLogger=INFO,out/log4j.rootLogger=WARN,out/' "${conf}/log4j.properties"
    # FsShell's -fs fails with "core-site.xml not found" when there is none.
    echo '<configuration></configuration>' >"${conf}/core-site.xml"
  fi
  qjm_jvm "${conf}" -Xmx128m org.apache.hadoop.fs.FsShell \
    -D ipc.client.connect.max.retries=1 -D ipc.client.connect.max.retries.on.timeouts=1 \
    -fs "hdfs://127.0.0.1:${port}" "$@"
}

#######################################
# Copies what a regional store would hold (VERSION, newest fsimage + .md5) from NameNode
# FROM's name dir into NameNode TO's fresh name dir: no edits, no seen_txid.
#######################################
qjm_restore_copy() {
  local from="${BATS_FILE_TMPDIR}/$1/name/current" to="${BATS_FILE_TMPDIR}/$2/name/current"
  local image
  image="$(find "${from}" -maxdepth 1 -name 'fsimage_*' ! -name '*.md5' | sort | tail -n 1)"
  mkdir -p "${to}"
  cp "${from}/VERSION" "${image}" "${image}.md5" "${to}/"
}

#######################################
# Kills every NameNode the test file started (kill -9: as a lost zone would).
#######################################
qjm_namenodes_down() {
  local f
  for f in "${BATS_FILE_TMPDIR}"/*/pid; do
    qjm_kill_own KILL "${f}" "-Dhadoop.log.dir=${f%/pid} "
  done
  return 0
}
