#!/usr/bin/env bash
# shellcheck disable=SC2034  # globals used by the files that source this one
#
# The lab's scenarios. They run one after the other on the policy's cluster (healed in
# between), each under its own HDFS directory (LAB_DFS), and leave in LAB_RUN_POLICY:
# events.jsonl (timeline), figures.jsonl, series.jsonl, outcome. Sourced by
# bin/multizone-lab, never executed.

# ---- the run's record ------------------------------------------------------------------

now_ms() {
  date +%s%3N
}

#######################################
# Starts the run's clock (t = 0 once the cluster is up).
#######################################
clock_start() {
  RUN_T0="$(now_ms)"
  : >"${LAB_RUN_POLICY}/events.jsonl"
  : >"${LAB_RUN_POLICY}/figures.jsonl"
  echo "ok" >"${LAB_RUN_POLICY}/outcome"
}

#######################################
# Seconds since the run's clock started, one decimal. Arguments: epoch ms (default now).
#######################################
t_of() {
  local ms="${1:-$(now_ms)}"
  awk -v a="${ms}" -v b="${RUN_T0}" 'BEGIN { printf "%.1f", (a - b) / 1000 }'
}

#######################################
# Seconds from an epoch ms to now, one decimal.
#######################################
t_of_since() {
  awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'
}

#######################################
# Records a timeline event and prints a progress line. Arguments: kind, label [, epoch ms].
#######################################
event() {
  local kind="$1" label="$2" t
  t="$(t_of "${3:-}")"
  jq -nc --argjson t "${t}" --arg k "${kind}" --arg l "${label}" '{t:$t,kind:$k,label:$l}' \
    >>"${LAB_RUN_POLICY}/events.jsonl"
  lab_say "  [${LAB_POLICY} ${t}s] ${label}"
}

#######################################
# Records a figure. Arguments: key, label, value (a JSON value: number, "string", null),
# unit, better (lower|higher|'').
#######################################
figure() {
  jq -nc --arg k "$1" --arg l "$2" --argjson v "$3" --arg u "${4:-}" --arg b "${5:-}" \
    '{key:$k,label:$l,value:$v} + (if $u != "" then {unit:$u} else {} end)
      + (if $b != "" then {better:$b} else {} end)' >>"${LAB_RUN_POLICY}/figures.jsonl"
}

#######################################
# Marks the run's outcome (the worst wins: error > lost-data > namenode-down > job-failed > ok).
#######################################
outcome() {
  local new="$1" old rank_old rank_new
  old="$(cat "${LAB_RUN_POLICY}/outcome")"
  rank_old="$(outcome_rank "${old}")"
  rank_new="$(outcome_rank "${new}")"
  ((rank_new <= rank_old)) || echo "${new}" >"${LAB_RUN_POLICY}/outcome"
}

outcome_rank() {
  case "$1" in
    ok) echo 0 ;;
    job-failed) echo 1 ;;
    namenode-down) echo 2 ;;
    lost-data) echo 3 ;;
    *) echo 4 ;;
  esac
}

# ---- load ------------------------------------------------------------------------------

#######################################
# Starts the continuous writer in the client namespace (background).
#######################################
writer_start() {
  rm -f "${LAB_RUN_POLICY}/writer.stop"
  client_java_bg 192m io.multizone.lab.load.ContinuousWriter "${LAB_DFS}/writer" \
    "${LAB_RUN_POLICY}/writer.acks" "${LAB_RUN_POLICY}/writer.stop" "${LAB_SEED}" 65536 \
    1572864 "${LAB_WRITER_PAUSE_MS}" 100000 >"${LAB_RUN_POLICY}/logs/writer.log" 2>&1 &
  WRITER_PID=$!
}

writer_stop() {
  touch "${LAB_RUN_POLICY}/writer.stop"
  wait_for 120 "the writer to stop" pid_gone "${WRITER_PID}" && return 0
  # A writer that did not stop: its threads' stacks into its log (SIGQUIT makes the JVM
  # print them; its output is the log), then it is killed. (Ours' writer hung once in
  # nn-zone-loss, with its log at WARN saying nothing of where.)
  lab_err "the writer did not stop: its thread dump is in ${LAB_RUN_POLICY}/logs/writer.log"
  pkill -QUIT -f -- "${LAB_RUN_POLICY}/writer.stop" 2>/dev/null || true
  sleep 2
  pkill -9 -f -- "${LAB_RUN_POLICY}/writer.stop" 2>/dev/null || true
  kill -9 "${WRITER_PID}" 2>/dev/null || true
}

pid_gone() {
  ! kill -0 "$1" 2>/dev/null
}

#######################################
# Files the writer has acknowledged (0 before its JVM has opened its log).
#######################################
acks() {
  local n
  n="$(grep -c '^ack ' "${LAB_RUN_POLICY}/writer.acks" 2>/dev/null)" || true
  echo "${n:-0}"
}

acks_at_least() {
  (($(acks) >= $1))
}

#######################################
# Starts the paced wordcount, which writes its input first (background). LAB_MAP_ATTEMPTS:
# attempts a map gets (default 4, Hadoop's).
#######################################
job_start() {
  : >"${LAB_RUN_POLICY}/job.progress"
  client_java_bg 256m io.multizone.lab.job.PacedWordCount \
    -D "lab.input.files=${LAB_MAPS}" -D "lab.input.lines=${LAB_LINES}" -D "lab.input.seed=${LAB_SEED}" \
    -D "lab.input.hosts-file=${LAB_RUN_POLICY}/inputs.jsonl" \
    -D "lab.map.line-pause-ms=${LAB_LINE_PAUSE_MS}" -D "mapreduce.job.reduces=1" \
    -D "mapreduce.map.maxattempts=${LAB_MAP_ATTEMPTS:-4}" \
    "${LAB_DFS}/input" "${LAB_DFS}/output" "${LAB_RUN_POLICY}/job.progress" \
    "${LAB_RUN_POLICY}/job.json" >"${LAB_RUN_POLICY}/logs/job-client.log" 2>&1 &
  JOB_PID=$!
}

job_submitted() {
  [[ -n "$(job_epoch submitted 2>/dev/null)" ]]
}

#######################################
# The newest map progress the job client reported (0 before).
#######################################
job_map_progress() {
  awk '$1 == "progress" { p = $3 } END { print (p == "" ? 0 : p) }' \
    "${LAB_RUN_POLICY}/job.progress" 2>/dev/null || echo 0
}

#######################################
# True once the job has launched a map (its container runs; the map progress stays 0 until
# its JVM is up and reading, tens of seconds later on a busy machine).
#######################################
job_map_started() {
  awk '$1 == "progress" && $5 >= 1 { f = 1 } END { exit !f }' \
    "${LAB_RUN_POLICY}/job.progress" 2>/dev/null
}

job_epoch() {
  awk -v w="$1" '$1 == w { print ($1 == "submitted" ? $4 : $2); exit }' \
    "${LAB_RUN_POLICY}/job.progress"
}

#######################################
# Waits for the job client to exit; records the job's events and figures.
#######################################
job_finish() {
  local rc=0
  wait_for "${LAB_JOB_TIMEOUT}" "the MapReduce job" pid_gone "${JOB_PID}" || {
    kill -9 "${JOB_PID}" 2>/dev/null || true
    rc=1
  }
  wait "${JOB_PID}" 2>/dev/null || rc=$?
  local state="FAILED" start finish
  start="$(job_epoch submitted)"
  finish="$(job_epoch finished)"
  if [[ -n "${finish}" ]]; then
    state="$(awk '$1 == "finished" { print $3 }' "${LAB_RUN_POLICY}/job.progress")"
  fi
  event job "job ${state}" "${finish:-}"
  ((rc == 0)) || outcome job-failed
  figure job_state "job outcome" "\"${state}\"" "" ""
  if [[ -n "${start}" && -n "${finish}" ]]; then
    figure job_duration_s "job duration" "$(awk -v a="${start}" -v b="${finish}" \
      'BEGIN { printf "%.1f", (b - a) / 1000 }')" s lower
  fi
  # The job's progress as a series for the timeline.
  awk -v t0="${RUN_T0}" '$1 == "progress" { printf "[%.1f,%s]\n", ($2 - t0) / 1000, $3 }' \
    "${LAB_RUN_POLICY}/job.progress" | jq -sc '{name:"job map progress",points:.}' \
    >"${LAB_RUN_POLICY}/series.jsonl"
  if [[ -s "${LAB_RUN_POLICY}/job.json" ]]; then
    local j="${LAB_RUN_POLICY}/job.json"
    figure maps_killed "map attempts KILLED" "$(jq '[.attempts[] | select(.type == "MAP" and .status == "KILLED")] | length' "${j}")" "" ""
    figure maps_failed "map attempts FAILED" "$(jq '[.attempts[] | select(.type == "MAP" and .status == "FAILED")] | length' "${j}")" "" lower
    figure am_attempts "ApplicationMaster attempts" "$(jq '.am_attempts | length' "${j}")" "" lower
  fi
}

# ---- HDFS state ------------------------------------------------------------------------

#######################################
# Runs our zone-audit (from the installed package) on PATH; prints its JSON.
#######################################
zone_audit() {
  client_java 256m io.multizone.hdfs.audit.ZoneAudit --json "$1" 2>>"${LAB_RUN_POLICY}/logs/audit.log" || true
}

#######################################
# Starts our zone-audit ahead (background), to audit PATH the moment audit_fire asks: a
# client JVM started then would take up to a minute while the job launches its tasks.
#######################################
audit_arm() {
  rm -f "${LAB_RUN_POLICY}/audit.fire" "${LAB_RUN_POLICY}/audit-before-fault.json"
  client_java 256m io.multizone.lab.load.ArmedAudit "$1" "${LAB_RUN_POLICY}/audit.fire" \
    "${LAB_RUN_POLICY}/audit-before-fault.json" 2>>"${LAB_RUN_POLICY}/logs/audit.log" &
}

audit_fire() {
  touch "${LAB_RUN_POLICY}/audit.fire"
  wait_for 120 "the zone audit" test -s "${LAB_RUN_POLICY}/audit-before-fault.json" || true
}

#######################################
# The zone (not a master's zone) whose loss would leave the most files unreadable now,
# by zone-audit (armed by audit_arm); ties go to the first. Prints the zone name.
#######################################
worst_zone() {
  local audit
  audit_fire
  audit="$(cat "${LAB_RUN_POLICY}/audit-before-fault.json" 2>/dev/null)"
  jq -r --arg m "${MASTER_ZONE}" --arg r "${RM_ZONE}" '[.zones[] | .zone |= ltrimstr("/") | select(.zone != $m and .zone != $r)]
      | sort_by(-(.ifLost.filesUnreadable // 0)) | .[0].zone // empty' <<<"${audit}" 2>/dev/null || true
}

dead_datanodes_at_least() {
  local dead
  dead="$(nn_jmx FSNamesystemState NumDeadDataNodes)"
  [[ -n "${dead}" ]] && ((dead >= $1))
}

lost_nodemanagers_at_least() {
  local lost
  lost="$(rm_metric lostNodes)"
  [[ -n "${lost}" ]] && ((lost >= $1))
}

#######################################
# The NameNode's redundancy queues and dead DataNodes in one look (one request: each forks
# curl and jq in a namespace, and a poll of three took seconds on the busy machine):
# prints "LOW_REDUNDANCY MISSING PENDING DEAD", nothing when unreachable.
#######################################
nn_queues() {
  client_curl "http://${NN_HTTP}/jmx?qry=Hadoop:service=NameNode,name=FSNamesystem*" \
    | jq -r '([.beans[] | select(.name | endswith("=FSNamesystem"))][0]) as $f
        | ([.beans[] | select(.name | endswith("=FSNamesystemState"))][0]) as $s
        | [$f.LowRedundancyReplicatedBlocks, $f.MissingReplicatedBlocks,
           $f.PendingReplicationBlocks, $s.NumDeadDataNodes]
        | if all(. != null) then map(tostring) | join(" ") else empty end' 2>/dev/null || true
}

#######################################
# True once no block that can still be repaired waits for replication (blocks with every
# replica lost cannot be: they are the missing ones).
#######################################
replication_settled() {
  local low missing pending dead
  read -r low missing pending dead <<<"$(nn_queues)"
  [[ -n "${dead}" ]] && ((low - missing <= 0 && pending == 0))
}

#######################################
# Prints "HOST BLOCKS" for each DataNode on HOSTS: the blocks it copied for re-replication
# since it started (DataNodeActivity BlocksReplicated; 0 when unreachable).
#######################################
blocks_replicated() {
  local h n
  for h in "$@"; do
    n="$(client_curl "http://$(host_field "${h}" ip):9864/jmx?qry=Hadoop:service=DataNode,name=DataNodeActivity-*" \
      | jq -r '.beans[0].BlocksReplicated // 0' 2>/dev/null)"
    echo "${h} ${n:-0}"
  done
}

#######################################
# Times the repair of a lost zone's replicas; runs in the background from the fault on and
# writes to dead-at the epoch ms at which the NameNode counted the zone's DataNodes dead, to
# settled-at the epoch ms from which no repairable block waited any more. Timed
# from the moment the NameNode counts the zone's DataNodes dead and queues their replicas
# ("settled" before that would only mean "not yet noticed"). A repair can also end between
# two looks (stock, fully run: seen done in the NameNode's log 14 s before the lab's first
# look): when no queue is ever seen, the first settled look taken more than 12 s after the
# count (the NameNode drops a dead node's replicas on its next check, every 5 to 10 s with a
# 5 s recheck interval) is a bound, kept (and marked in repaired-unseen) if the survivors copied more than 10 blocks
# since BEFORE_FILE (a zone's loss leaves hundreds; pipelines rebuilt at the fault copy a
# few). Arguments: dead DataNodes to wait for, BEFORE_FILE, surviving hosts...
#######################################
rereplication_watch() {
  local n="$1" before_file="$2" low missing pending dead dead_ms="" queued="" bound="" t
  shift 2
  local deadline=$((SECONDS + 480))
  while ((SECONDS < deadline)); do
    read -r low missing pending dead <<<"$(nn_queues)"
    t="$(now_ms)"
    if [[ -n "${dead}" && -z "${dead_ms}" ]] && ((dead >= n)); then
      dead_ms="${t}"
      echo "${dead_ms}" >"${LAB_RUN_POLICY}/dead-at"
    fi
    if [[ -z "${dead_ms}" ]] && ((SECONDS > deadline - 360)); then
      lab_err "gave up after 120 s waiting for ${n} dead DataNodes to time the re-replication"
      return 1
    fi
    if [[ -n "${dead}" && -n "${dead_ms}" ]]; then
      # Low redundancy counts the missing blocks too (no replica left: not repairable).
      ((low - missing + pending > 0)) && queued=1
      if ((low - missing <= 0 && pending == 0)); then
        if [[ -n "${queued}" ]]; then
          echo "${t}" >"${LAB_RUN_POLICY}/settled-at"
          return 0
        fi
        [[ -z "${bound}" ]] && ((t - dead_ms > 12000)) && bound="${t}"
      fi
      # No queue seen: the survivors' counters tell whether the repair already happened, at
      # the bound and, if not then, once more 60 s after the count (waiting for a late queue
      # until then cost stock's full run 45 s after a repair it had finished unseen).
      if [[ -z "${queued}" && -n "${bound}" ]] \
        && { [[ "${t}" == "${bound}" ]] || ((t - dead_ms > 60000)); }; then
        local copied
        copied="$(awk 'NR == FNR { b[$1] = $2; next } { c += $2 - b[$1] } END { print c + 0 }' \
          "${before_file}" <(blocks_replicated "$@"))"
        if ((copied > 10)); then
          touch "${LAB_RUN_POLICY}/repaired-unseen"
          echo "${bound}" >"${LAB_RUN_POLICY}/settled-at"
          return 0
        fi
        ((t - dead_ms <= 60000)) || return 0
      fi
    fi
    sleep 1
  done
  lab_err "gave up after 480 s timing the re-replication"
}

#######################################
# Reads back every acknowledged file; prints the verifier's JSON.
#######################################
verify_acks() {
  client_java 256m io.multizone.lab.load.AckVerifier "${LAB_RUN_POLICY}/writer.acks" \
    "${LAB_SEED}" 2>>"${LAB_RUN_POLICY}/logs/verify.log"
}

#######################################
# Starts the read-back in the background, so that it runs while something else is waited
# for: its JSON goes to ${LAB_RUN_POLICY}/NAME.json and the time it ended (ms) to
# NAME.ended-at. Sets VERIFY_PID for verify_acks_result. Arguments: NAME.
#######################################
verify_acks_start() {
  local name="$1"
  { verify_acks >"${LAB_RUN_POLICY}/${name}.json"; now_ms >"${LAB_RUN_POLICY}/${name}.ended-at"; } &
  VERIFY_PID=$!
}

#######################################
# Waits for the read-back verify_acks_start NAME began and sets VERIFY_JSON to its JSON. Not
# in a command substitution: the read-back is a child of this shell, not of a subshell.
#######################################
verify_acks_result() {
  local name="$1"
  wait "${VERIFY_PID}" || true
  VERIFY_JSON="$(cat "${LAB_RUN_POLICY}/${name}.json")"
}

# ---- scenario 1: zone loss under load --------------------------------------------------

#######################################
# A continuous writer and a running MapReduce job; every process of one zone is killed; the
# writer's acknowledged files are read back, the job's outcome recorded, re-replication
# timed; then (full runs) the zone returns.
#######################################
scenario_zone_loss() {
  clock_start
  event phase "cluster ready: $(workers "" | wc -l) DataNodes, $(role_hosts nodemanager | wc -l) NodeManagers"
  writer_start
  audit_arm "${LAB_DFS}"
  # Each DataNode's copies so far, in the background (see rereplication_watch).
  # shellcheck disable=SC2046  # a list of host names
  blocks_replicated $(workers "") >"${LAB_RUN_POLICY}/replicated-before" &
  event phase "writer started"
  # The fault needs a running job, and enough acknowledged files that the stock control
  # does not hang on luck: stock runs lost 5 to 10 % of the files acknowledged before the
  # loss (the zone chosen is the worst), so a stock run losing none of 100 is below 1 in 500.
  # The writer gets a lead (LAB_WRITER_LEAD files before the job starts): while the job's
  # JVMs start (both clusters' at once in a full run) a file took 0.6 to 1 s instead of 0.1
  # to 0.3 s, and ours' fault waited 114 s for its 100 files (measured: full run, writer and
  # job started together). With the lead the map start decides (the job client, its AM and
  # a map's container take about 55 s).
  wait_for 120 "${LAB_WRITER_LEAD} acknowledged files" acks_at_least "${LAB_WRITER_LEAD}" \
    || { outcome error; return 1; }
  # Two attempts a map, not four: a map whose input lost every replica (stock) fails each
  # attempt the same way, and four took 100 s more to say so (full run, 2026-12-01 18:45);
  # ours has had no failed attempt in any run.
  LAB_MAP_ATTEMPTS=2 job_start
  event phase "wordcount (${LAB_MAPS} maps, 2 attempts each) started, $(acks) files acknowledged"
  wait_for 300 "the job's first map to start" job_map_started || { outcome error; return 1; }
  wait_for 120 "100 acknowledged files" acks_at_least 100 || { outcome error; return 1; }
  local zone hosts acked_before
  zone="$(worst_zone)"
  [[ -n "${zone}" ]] || zone="zone-a"
  hosts="$(workers "${zone}" | tr '\n' ' ')"
  acked_before="$(acks)"
  local fault_ms
  if [[ "${LAB_ZONE_FAULT}" == "cut" ]]; then
    read -r _ fault_ms < <(zone_cut "${zone}")
    [[ -n "${fault_ms}" ]] || { outcome error; return 1; }
    event fault "${zone} cut off: ${hosts% } keep running, unreachable from the other zones (${acked_before} files acknowledged so far)" "${fault_ms}"
  else
    fault_ms="$(now_ms)"
    # shellcheck disable=SC2086  # a list of host names
    hosts_kill ${hosts}
    event fault "${zone} lost: ${hosts% } killed (${acked_before} files acknowledged so far)" "${fault_ms}"
  fi
  figure zone_killed "zone $([[ "${LAB_ZONE_FAULT}" == "cut" ]] && echo "cut off" || echo "lost")" "\"${zone}\"" "" ""
  figure files_at_risk "files zone-audit said the loss would make unreadable" \
    "$(jq --arg z "/${zone}" '[.zones[] | select(.zone == $z) | .ifLost.filesUnreadable][0] // null' \
      "${LAB_RUN_POLICY}/audit-before-fault.json" 2>/dev/null || echo null)" "" lower
  # Re-replication is timed while the job and the writer go on (see rereplication_watch).
  local settled="${LAB_RUN_POLICY}/settled-at"
  rm -f "${settled}" "${LAB_RUN_POLICY}/repaired-unseen" "${LAB_RUN_POLICY}/dead-at"
  local n
  n="$(workers "${zone}" | wc -l)"
  # shellcheck disable=SC2046  # a list of host names
  rereplication_watch "${n}" "${LAB_RUN_POLICY}/replicated-before" \
    $(workers "" | grep -vxF -f <(workers "${zone}")) &
  local settle_pid=$!
  # The watch polls the NameNode already: its dead count is the detection.
  if wait_for 120 "the NameNode to declare ${n} DataNodes dead" test -s "${LAB_RUN_POLICY}/dead-at"; then
    event detected "NameNode: ${n} DataNodes dead" "$(cat "${LAB_RUN_POLICY}/dead-at")"
  fi
  # Writes go on after the loss: the writer stops once the loss is detected and it has
  # had 5 files acknowledged since the fault (it waits for them if it has not).
  wait_for 60 "5 acknowledged files after the loss" acks_at_least "$((acked_before + 5))" || true
  writer_stop
  event phase "writer stopped: $(acks) files acknowledged ($(($(acks) - acked_before)) after the loss)"
  # The read-back begins at once, while the re-replication is timed: a file is readable or
  # not whatever the repair has done (a block with a replica outside the lost zone is read
  # from it; one without has none to copy), and the NameNode, having counted the zone dead,
  # no longer offers its replicas. (It began after the repair before: ours' zone-loss waited
  # 14 s more for it in a full run.) The zone-audit waits for the repair: it counts blocks
  # left in one zone once repaired.
  verify_acks_start verify
  wait "${settle_pid}" || true
  # Blocks of files the writer closed after the first settle are repaired too.
  if [[ -s "${settled}" ]] && wait_for 120 "re-replication" replication_settled; then
    local took
    took="$(awk -v a="${fault_ms}" -v b="$(cat "${settled}")" 'BEGIN { printf "%.1f", (b - a) / 1000 }')"
    if [[ -e "${LAB_RUN_POLICY}/repaired-unseen" ]]; then
      event recovered "every repairable block back to 3 replicas (done before the lab looked)" "$(cat "${settled}")"
      took="\"at most ${took}\""
    else
      event recovered "every repairable block back to 3 replicas" "$(cat "${settled}")"
    fi
    figure rereplication_s "time from zone loss to full re-replication" "${took}" s lower
  else
    figure rereplication_s "time from zone loss to full re-replication" null s lower
  fi
  zone_audit "${LAB_DFS}" >"${LAB_RUN_POLICY}/audit-after.json" &
  local audit_pid=$!
  local v unreadable
  verify_acks_result verify
  v="${VERIFY_JSON}"
  unreadable="$(jq '.unreadable' <<<"${v}")"
  figure files_acknowledged "files acknowledged by the writer" "$(jq '.acknowledged' <<<"${v}")" "" ""
  figure files_unreadable "acknowledged files unreadable after the zone loss" "${unreadable}" "" lower
  figure writes_failed "writes that failed (not acknowledged)" "$(jq '.failed_writes' <<<"${v}")" "" lower
  ((unreadable == 0)) || outcome lost-data
  event phase "read back: ${unreadable} of $(jq '.acknowledged' <<<"${v}") acknowledged files unreadable" \
    "$(cat "${LAB_RUN_POLICY}/verify.ended-at" 2>/dev/null)"
  wait "${audit_pid}" || true
  local audit
  audit="$(cat "${LAB_RUN_POLICY}/audit-after.json")"
  figure blocks_one_zone_after "blocks in one zone after re-replication" \
    "$(jq '.blocksInOneZone // null' <<<"${audit}")" "" lower
  job_finish
  if [[ "${LAB_QUICK}" != "true" ]]; then
    zone_returns "${zone}"
  fi
}

#######################################
# The lost zone comes back (links up, daemons restarted with their data); records when all
# DataNodes are live again and how the blocks are spread then.
#######################################
zone_returns() {
  local zone="$1" h
  zones_uncut
  # Its DataNodes first, then its NodeManagers (nothing here needs them: a next scenario
  # waits for them): four JVMs starting instead of eight before the DataNodes are live.
  for h in $(workers "${zone}"); do
    host_link_up "${h}"
    daemon_running "${h}" datanode || daemon_start "${h}" datanode
  done
  if [[ "${LAB_ZONE_FAULT}" == "cut" ]]; then
    event phase "${zone} reachable again: its DataNodes and NodeManagers, still running, re-register"
  else
    event phase "${zone} back: its DataNodes restarted, then its NodeManagers"
  fi
  local all
  all="$(workers "" | wc -l)"
  if wait_for 180 "every DataNode live" live_datanodes_are "${all}"; then
    event recovered "NameNode: ${all} DataNodes live"
  fi
  for h in $(workers "${zone}"); do
    host_start "${h}"
  done
  # The read-back needs only the DataNodes back; it runs while the blocks are re-spread.
  local v
  verify_acks_start verify-after-return
  # Excess replicas of the returned zone are deleted and mis-placed blocks re-spread (ours:
  # the re-spread plugin, no fsck, settle 5 s, polled every second); give it that and a
  # redundancy round before waiting for the queues to drain.
  sleep 8
  wait_for 120 "replication to settle" replication_settled || true
  local audit
  audit="$(zone_audit "${LAB_DFS}")"
  echo "${audit}" >"${LAB_RUN_POLICY}/audit-after-return.json"
  verify_acks_result verify-after-return
  v="${VERIFY_JSON}"
  figure files_unreadable_after_return "acknowledged files unreadable after the zone returned" \
    "$(jq '.unreadable' <<<"${v}")" "" lower
  figure blocks_one_zone_after_return "blocks in one zone after the zone returned" \
    "$(jq '.blocksInOneZone // null' <<<"${audit}")" "" lower
  event phase "after return: $(jq '.blocksInOneZone' <<<"${audit}") blocks in one zone"
}

# ---- scenario 2: DataNode loss under a job ---------------------------------------------

#######################################
# The file map task TASK reads (task_..._m_00000N reads the job's split N, which the job
# client wrote as "split N PATH HOSTS" lines); nothing if unknown.
#######################################
split_of_task() {
  local index="${1##*_}"
  awk -v i="$((10#${index}))" '$1 == "split" && $2 == i { print $3; exit }' \
    "${LAB_RUN_POLICY}/job.progress" 2>/dev/null || true
}

#######################################
# The hosts (addresses) holding the input file PATH, one a line: those its map's split asked
# for, else (no split line) those the input writer saw when it closed the file.
#######################################
input_hosts() {
  local hosts
  hosts="$(awk -v p="$1" '$1 == "split" && $3 == p { print $4; exit }' \
    "${LAB_RUN_POLICY}/job.progress" 2>/dev/null)"
  if [[ -n "${hosts}" ]]; then
    tr ',' '\n' <<<"${hosts}"
  else
    jq -r --arg p "$1" 'select(.path == $p) | .hosts[]' "${LAB_RUN_POLICY}/inputs.jsonl" 2>/dev/null || true
  fi
}

#######################################
# Prints "HOST INPUT TASK" for the first running map attempt whose container runs on a host
# holding a replica of its input (data-local), from the MapReduce AM's REST API through the
# RM's proxy; nothing if none yet. The input is the task's split, known from the moment its
# container is launched (the map's status line says it only once its JVM is up, tens of
# seconds later on the lab's busy machine).
#######################################
data_local_running_map() {
  local job app base tasks task attempt host input
  read -r _ job app _ < <(grep '^submitted ' "${LAB_RUN_POLICY}/job.progress" 2>/dev/null) || return 0
  base="http://${RM_HTTP}/proxy/${app}/ws/v1/mapreduce/jobs/${job}"
  tasks="$(client_curl "${base}/tasks?type=m" | jq -r '.tasks.task[]? | select(.state == "RUNNING") | .id' 2>/dev/null)"
  for task in ${tasks}; do
    attempt="$(client_curl "${base}/tasks/${task}/attempts" \
      | jq -c '.taskAttempts.taskAttempt[]? | select(.state == "RUNNING")' 2>/dev/null | head -n 1)"
    [[ -n "${attempt}" ]] || continue
    host="$(jq -r '.nodeHttpAddress | split(":")[0]' <<<"${attempt}")"
    input="$(split_of_task "${task}")"
    [[ -n "${input}" ]] || input="$(jq -r '.status' <<<"${attempt}" | sed -n 's/.*input=\([^ ]*\).*/\1/p')"
    [[ -n "${input}" ]] || continue
    if input_hosts "${input}" | grep -qxF "${host}"; then
      echo "$(host_of_ip "${host}") ${input} ${task}"
      return 0
    fi
  done
}

found_data_local_map() {
  local found
  found="$(data_local_running_map)"
  [[ -n "${found}" ]] || return 1
  echo "${found}" >"${LAB_RUN_POLICY}/victim"
}

#######################################
# Where an attempt ran, relative to the surviving replicas of its input: "replica host",
# "same zone", "other zone". Arguments: attempt host (ip or name), input path, lost host.
#######################################
placement_of() {
  local host="$1" input="$2" lost="$3" ip zone r rzones="" on_replica="no"
  ip="$(host_field "$(host_of_ip "${host}")" ip || echo "${host}")"
  zone="$(host_field "$(host_of_ip "${ip}")" zone || echo "?")"
  for r in $(input_hosts "${input}"); do
    [[ "$(host_of_ip "${r}")" == "${lost}" ]] && continue
    [[ "${r}" == "${ip}" ]] && on_replica="yes"
    rzones+=" $(host_field "$(host_of_ip "${r}")" zone)"
  done
  if [[ "${on_replica}" == "yes" ]]; then
    echo "replica host"
  elif [[ " ${rzones} " == *" ${zone} "* ]]; then
    echo "same zone as a replica"
  else
    echo "other zone"
  fi
}

#######################################
# Only the DataNode of a host running a data-local map is killed (its NodeManager and the
# map keep running). Records KILLED/FAILED attempts, when and where the map ran again.
#######################################
scenario_datanode_loss() {
  clock_start
  event phase "cluster ready: $(workers "" | wc -l) DataNodes, $(role_hosts nodemanager | wc -l) NodeManagers"
  LAB_LINES="${LAB_LONG_LINES}" job_start
  event phase "wordcount (${LAB_MAPS} maps of about $((LAB_LONG_LINES * LAB_LINE_PAUSE_MS / 1000)) s) started"
  wait_for 300 "a running data-local map" found_data_local_map || { outcome error; return 1; }
  local victim input victim_task kill_ms
  read -r victim input victim_task <"${LAB_RUN_POLICY}/victim"
  kill_ms="$(now_ms)"
  daemon_kill "${victim}" datanode
  event fault "DataNode of ${victim} killed under its data-local map (${input##*/}); NodeManager kept" "${kill_ms}"
  figure host_lost "DataNode killed" "\"${victim} ($(host_field "${victim}" zone))\"" "" ""
  if wait_for 120 "the NameNode to declare the DataNode dead" dead_datanodes_at_least 1; then
    event detected "NameNode: DataNode of ${victim} dead"
  fi
  job_finish
  local j="${LAB_RUN_POLICY}/job.json" task
  [[ -s "${j}" ]] || { outcome error; return 0; }
  # The map that read the lost host's replica (seen running there, reading INPUT). Another
  # map on that host reads another file: its replicas are not INPUT's.
  task="${victim_task}"
  if [[ -n "${task}" ]]; then
    local first last rerun_s where
    first="$(jq -c --arg t "${task}" '[.attempts[] | select(.task == $t)] | sort_by(.start) | .[0]' "${j}")"
    last="$(jq -c --arg t "${task}" '[.attempts[] | select(.task == $t and .status == "SUCCEEDED")] | .[0] // empty' "${j}")"
    figure victim_attempt "its map's first attempt" "\"$(jq -r '.status' <<<"${first}")\"" "" ""
    if [[ -n "${last}" && "$(jq -r '.attempt' <<<"${last}")" != "$(jq -r '.attempt' <<<"${first}")" ]]; then
      rerun_s="$(jq -n --argjson s "$(jq '.start' <<<"${last}")" --argjson k "${kill_ms}" \
        '(($s - $k) / 100 | round) / 10')"
      figure rerun_after_s "its map rerun, seconds after the DataNode died" "${rerun_s}" s lower
      event recovered "map rerun on $(host_of_ip "$(jq -r '.host' <<<"${last}")")" "$(jq '.start' <<<"${last}")"
    else
      figure rerun_after_s "its map rerun, seconds after the DataNode died" null s lower
    fi
    if [[ -n "${last}" ]]; then
      where="$(placement_of "$(jq -r '.host' <<<"${last}")" "${input}" "${victim}")"
      figure finished_where "where its map finished (vs surviving replicas)" "\"${where}\"" "" ""
    fi
  fi
}

# ---- scenario 3: the NameNode's machine is lost ----------------------------------------

reader_start() {
  rm -f "${LAB_RUN_POLICY}/reader.stop"
  client_java_bg 128m io.multizone.lab.load.ReadProbe "$1" "${LAB_RUN_POLICY}/reader.log" \
    "${LAB_RUN_POLICY}/reader.stop" 500 >"${LAB_RUN_POLICY}/logs/reader.log" 2>&1 &
  READER_PID=$!
}

reader_stop() {
  touch "${LAB_RUN_POLICY}/reader.stop"
  wait_for 60 "the reader to stop" pid_gone "${READER_PID}" || kill -9 "${READER_PID}" 2>/dev/null || true
}

#######################################
# When the first read begun after AFTER was served (the reader logs "read ok BEGUN ENDED");
# nothing if none yet.
#######################################
first_read_after() {
  awk -v a="$1" '$1 == "read" && $2 == "ok" && $3 > a { print $4; exit }' \
    "${LAB_RUN_POLICY}/reader.log" 2>/dev/null || true
}

#######################################
# The acknowledgement time of the first file whose write began after AFTER (the writer logs
# "ack N PATH SIZE ACKED_EPOCH BEGUN_EPOCH").
#######################################
first_ack_after() {
  awk -v a="$2" '$1 == "ack" && $6 > a { print $5; exit }' "$1" 2>/dev/null || true
}

ack_begun_after() {
  [[ -n "$(first_ack_after "${LAB_RUN_POLICY}/writer.acks" "$1")" ]]
}

read_ok_after() {
  [[ -n "$(first_read_after "$1")" ]]
}

#######################################
# The NameNode runs on its own instance (the ha-scripts local provider: namespaces, a loop
# volume, a moved /32). While a writer, a reader and a wordcount run, the machine dies
# (kill -9 of everything in it, link down). Ours: nn-watch notices and nn-relaunch brings
# the NameNode back on a new instance with the same volume and address. Stock: nothing
# does; the run records that the NameNode stays away.
#######################################
scenario_namenode_loss() {
  local what="${1:-machine}"
  clock_start
  if [[ "${what}" == "zone" ]]; then
    event phase "cluster ready; NameNode on instance $(nn_instance holder) in ${MASTER_ZONE}, edit log $([[ "${LAB_POLICY}" == "ours" ]] && echo "first on JournalNodes in 3 zones" || echo "on its volume only")"
  else
    event phase "cluster ready; NameNode on instance $(nn_instance holder) (${MASTER_ZONE})"
  fi
  writer_start
  job_start
  # The reader reads the job's input: the job's JVM writes it before it submits the job (a
  # reader started earlier took a part-written file's length for the file's).
  wait_for 300 "the job's input" job_submitted || { outcome error; return 1; }
  reader_start "${LAB_DFS}/input/part-000.txt"
  local watch_pid=""
  if [[ "${LAB_POLICY}" == "ours" ]]; then
    # In the client network namespace: the lab's cleanup (and --stop) ends it with the cluster.
    # nsenter --net, not ip netns exec: the relaunch it starts adds instance namespaces,
    # whose names must be bound in this (the host's) mount namespace, not in a private one.
    nsenter --net="/run/netns/${CLIENT_NS}" "${PKG_HOME}/sbin/nn-watch" \
      --config "${LAB_CLUSTER}/nn-relaunch.conf" >"${LAB_RUN_POLICY}/logs/nn-watch.log" 2>&1 &
    watch_pid=$!
    event phase "writer, reader, wordcount and nn-watch started"
  else
    event phase "writer, reader and wordcount started (no watcher: stock)"
  fi
  wait_for 300 "the job's first map to start" job_map_started || { outcome error; return 1; }
  wait_for 120 "10 acknowledged files" acks_at_least 10 || { outcome error; return 1; }
  local kill_ms old acked_before hosts=""
  acked_before="$(acks)"
  if [[ "${what}" == "zone" && "${LAB_ZONE_FAULT}" == "cut" ]]; then
    hosts="$(workers "${MASTER_ZONE}" | tr '\n' ' ')"
    read -r old kill_ms < <(zone_cut "${MASTER_ZONE}")
    event fault "${MASTER_ZONE} cut off: NameNode machine ${old} (still running), its volume, ${hosts% } unreachable from the other zones (${acked_before} files acknowledged so far)" "${kill_ms}"
  elif [[ "${what}" == "zone" ]]; then
    hosts="$(workers "${MASTER_ZONE}" | tr '\n' ' ')"
    # shellcheck disable=SC2086  # a list of host names
    hosts_kill ${hosts}
    read -r old kill_ms < <(nn_instance zone-lose "${MASTER_ZONE}")
    event fault "${MASTER_ZONE} lost: NameNode machine ${old}, its volume, ${hosts% } (${acked_before} files acknowledged so far)" "${kill_ms}"
  else
    read -r old kill_ms < <(nn_instance kill)
    event fault "NameNode machine ${old} lost (${acked_before} files acknowledged so far)" "${kill_ms}"
  fi
  [[ -n "${kill_ms}" ]] || { outcome error; return 1; }
  local window="${LAB_NN_WINDOW}" fault="kill"
  [[ "${what}" != "zone" || "${LAB_ZONE_FAULT}" != "cut" ]] || fault="cut"
  wait_for "${window}" "a read after the NameNode loss" read_or_compared "${kill_ms}" || true
  if read_ok_after "${kill_ms}"; then
    local r w
    r="$(first_read_after "${kill_ms}")"
    event recovered "first read (begun after the loss) served" "${r}"
    figure first_read_s "${fault} to first read" "$(jq -n "((${r} - ${kill_ms}) / 100 | round) / 10")" s lower
    wait_for 120 "a write begun after the NameNode loss" ack_begun_after "${kill_ms}" || true
    w="$(first_ack_after "${LAB_RUN_POLICY}/writer.acks" "${kill_ms}")"
    if [[ -n "${w}" ]]; then
      event recovered "first write acknowledged" "${w}"
      figure first_write_s "${fault} to first write" "$(jq -n "((${w} - ${kill_ms}) / 100 | round) / 10")" s lower
    else
      figure first_write_s "${fault} to first write" null s lower
    fi
  else
    figure first_read_s "${fault} to first read" null s lower
    figure first_write_s "${fault} to first write" null s lower
    local waited theirs
    waited="$(t_of_since "${kill_ms}")"
    theirs="$(ours_first_read)"
    event phase "no read served ${waited} s after the loss$([[ -z "${theirs}" ]] || echo " (ours: first read after ${theirs} s)"): the NameNode stays away"
    outcome namenode-down
  fi
  recovery_seen "${kill_ms}" || true
  if read_ok_after "${kill_ms}"; then
    # Reads and writes are back: the writer and the reader stop, and the read-back runs
    # while the job finishes.
    writer_stop
    reader_stop
    local v
    verify_acks_start verify
    job_finish
    verify_acks_result verify
    v="${VERIFY_JSON}"
    figure files_acknowledged "files acknowledged by the writer" "$(jq '.acknowledged' <<<"${v}")" "" ""
    figure files_lost "acknowledged files lost or unreadable" "$(jq '.unreadable' <<<"${v}")" "" lower
    (($(jq '.unreadable' <<<"${v}") == 0)) || outcome lost-data
  else
    # Nothing to read back from: every acknowledged file is out of reach. The job, the writer
    # and the reader are killed (their clients would retry the dead address for tens of
    # seconds before seeing a stop file; the acknowledgement log is synced line by line).
    # (Killed and reaped under one redirection: bash would print its "Killed" job notice.)
    { kill -9 "${JOB_PID}" "${WRITER_PID}" "${READER_PID}" \
      && wait "${JOB_PID}" "${WRITER_PID}" "${READER_PID}"; } 2>/dev/null || true
    LAB_JOB_TIMEOUT=5 job_finish
    figure files_acknowledged "files acknowledged by the writer" "$(acks)" "" ""
    figure files_lost "acknowledged files lost or unreadable" "$(acks)" "" lower
    # An operator relaunches it by hand before the next scenario; begun now, it runs while
    # this one ends (cluster_heal waits for it).
    [[ -z "${LAB_NEXT_SCENARIO:-}" ]] || nn_relaunch_by_hand_start
  fi
  if [[ -n "${watch_pid}" ]]; then
    pkill -f -- "nn-watch --config ${LAB_CLUSTER}/nn-relaunch.conf" 2>/dev/null || true
    kill "${watch_pid}" 2>/dev/null || true
  fi
}

#######################################
# True once a read begun after KILL_MS was served or, for stock side by side with ours,
# once ours has served its first read in the same scenario and stock has waited that long
# plus 15 s (at least 60 s): the comparison is made; waiting out the whole window would
# only show the same thing later.
#######################################
read_or_compared() {
  recovery_seen "$1" && return 0
  [[ "${LAB_POLICY}" == "stock" ]] || return 1
  local theirs
  theirs="$(ours_first_read)"
  [[ -n "${theirs}" ]] || return 1
  awk -v w="$(t_of_since "$1")" -v t="${theirs}" 'BEGIN { exit !(w >= t + 15 && w >= 60) }'
}

#######################################
# Ours' kill-to-first-read seconds in this scenario, when ours runs beside and has one.
#######################################
ours_first_read() {
  [[ " ${LAB_POLICIES} " == *" ours "* ]] || return 0
  jq -r 'select(.key == "first_read_s") | .value | numbers' \
    "${LAB_RUN}/ours/${LAB_RUN_POLICY##*/}/figures.jsonl" 2>/dev/null | tail -n 1 || true
}

#######################################
# While waiting for the first read: records, when first seen, nn-watch deciding to relaunch
# and nn-relaunch's steps finishing (their own log lines; 0.5 s resolution). Then true once
# a read begun after AFTER was served.
#######################################
recovery_seen() {
  local log="${LAB_RUN_POLICY}/logs/nn-watch.log" seen="${LAB_RUN_POLICY}/nn-watch.seen" line
  touch "${seen}"
  if [[ -f "${log}" ]]; then
    while IFS= read -r line; do
      grep -qxF "${line}" "${seen}" && continue
      echo "${line}" >>"${seen}"
      case "${line}" in
        *"relaunching"*) event detected "nn-watch: NameNode down, relaunching" ;;
        *"step launch "*" ok "*) event phase "nn-relaunch: new instance launched" ;;
        *"step restore "*" ok "*) event phase "nn-relaunch: name dir restored in another zone" ;;
        *"step start "*" ok "*) event phase "nn-relaunch: NameNode started" ;;
        *"step address "*" ok "*) event phase "nn-relaunch: address moved" ;;
        *"step safemode "*" ok "*) event recovered "nn-relaunch: NameNode out of safe mode" ;;
        *) ;;
      esac
    done < <(grep -E 'relaunching|step (launch|restore|start|address|safemode) +ok' "${log}" || true)
  fi
  read_ok_after "$1"
}
