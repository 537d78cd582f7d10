#!/usr/bin/env bats
# The quick lab, stock and ours side by side on real processes; asserts the report's
# figures, not only the exit code. The stock runs are the controls.
# zone-loss: the same zone loss, the same data and seed, must leave acknowledged files
# unreadable (checked: the stock runs of 2026-12-01 lost 13 of 512, 18 of 713, 15 of 365,
# 9 of 355, 6 of 212 and 9 of 462 acknowledged files, as many as zone-audit named for that
# zone just before, give or take the files acknowledged between the audit and the kill; with
# the lab's first, 6-worker topology stock could lose nothing and this test failed); ours must
# lose none. namenode-loss: the same machine loss without nn-watch must leave the NameNode
# away for the whole window (every stock run so far); ours must serve a read again and lose no
# acknowledged file. datanode-loss: stock's map on the lost DataNode goes on (its first
# attempt SUCCEEDED), ours' is KILLED and rerun (near a replica when it was its host's only
# requeued map), never FAILED. nn-zone-loss:
# as namenode-loss, the NameNode's whole zone lost (ours relaunches it in another zone).
# The assertions of all four held on one run of all four, 2026-12-01 (12 min 25 s; this
# file run against its results).
# Runs when root (CI) with LAB_QUICK_SCENARIOS (default all) and LAB_QUICK_STOCK, what stock
# plays besides zone-loss (default namenode-loss,nn-zone-loss; all: every scenario; none; a
# comma list names some): --stock-scenarios. The scenarios stock leaves out run with ours
# only and their stock controls skip. Stock plays the two NameNode scenarios side by side
# with ours at almost no cost (its chain of three is shorter than ours' of four: quick run
# 2026-12-03 07:17); it leaves out datanode-loss, whose control held in every run that played
# it (2026-12-01 to 2026-12-03: lab/README.md), so that the report of a scenario stock left
# out is checked too. zone-loss's control always runs: the report's side by side is built on
# it.
# LAB_QUICK_TEST=0 skips it all. LAB_CDS=0: one run would only pay for the class-data archive.
quick_scenarios() {
  echo "${LAB_QUICK_SCENARIOS:-all}"
}

quick_stock() {
  echo "${LAB_QUICK_STOCK:-namenode-loss,nn-zone-loss}"
}

# True when LIST (comma-separated, or all) names SCENARIO.
lists() {
  [[ "$1" == "all" || ",$1," == *",$2,"* ]]
}

# Skips a test of SCENARIO when the run leaves it out.
needs_scenario() {
  lists "$(quick_scenarios)" "$1" || skip "$1 not in LAB_QUICK_SCENARIOS"
}

# Skips a stock control of SCENARIO when stock does not play it (LAB_QUICK_STOCK).
needs_stock() {
  needs_scenario "$1"
  lists "$(quick_stock)" "$1" || skip "stock does not play $1 here (LAB_QUICK_STOCK)"
}

# The scenarios stock plays: zone-loss (its control is always asserted), then those of
# LAB_QUICK_STOCK that LAB_QUICK_SCENARIOS runs.
stock_within() {
  local s out="zone-loss"
  for s in datanode-loss namenode-loss nn-zone-loss; do
    if lists "$(quick_scenarios)" "${s}" && lists "$(quick_stock)" "${s}"; then
      out+=",${s}"
    fi
  done
  echo "${out}"
}

setup_file() {
  local reason=""
  if [ "${EUID}" -ne 0 ]; then
    reason="the lab needs root (network namespaces)"
  elif [[ "${LAB_QUICK_TEST:-1}" == "0" ]]; then
    reason="LAB_QUICK_TEST=0 (mvn -Dlab.quick.test=0): the quick lab is not run"
  fi
  if [[ -n "${reason}" ]]; then
    echo "${reason}" >"${BATS_FILE_TMPDIR}/skip"
    return 0
  fi
  export LAB_OUT="${BATS_FILE_TMPDIR}/lab"
  LAB_CDS=0 "${BATS_TEST_DIRNAME}/../bin/multizone-lab" --quick --scenario "$(quick_scenarios)" \
    --stock-scenarios "$(stock_within)" --no-build --out "${LAB_OUT}" \
    >"${BATS_FILE_TMPDIR}/lab.out" 2>&1 || echo "$?" >"${BATS_FILE_TMPDIR}/lab.rc"
  if [[ -n "${LAB_CI_KEEP:-}" ]]; then
    mkdir -p "${LAB_CI_KEEP}"
    cp -r "${LAB_OUT}"/. "${LAB_CI_KEEP}/" 2>/dev/null || true
    cp "${BATS_FILE_TMPDIR}/lab.out" "${LAB_CI_KEEP}/lab.out" || true
  fi
}

setup() {
  if [[ -f "${BATS_FILE_TMPDIR}/skip" ]]; then
    skip "$(cat "${BATS_FILE_TMPDIR}/skip")"
  fi
}

# The value of figure KEY in the run of POLICY of the zone-loss scenario.
fig() {
  scenario_fig zone-loss "$@"
}

# The value of figure KEY in the run of POLICY of SCENARIO.
scenario_fig() {
  jq -r --arg s "$1" --arg p "$2" --arg k "$3" '.scenarios[] | select(.id == $s) | .runs[]
    | select(.policy == $p) | .figures[] | select(.key == $k) | .value' "${LAB_OUT}/results.json"
}

run_outcome() {
  scenario_outcome zone-loss "$1"
}

scenario_outcome() {
  jq -r --arg s "$1" --arg p "$2" '.scenarios[] | select(.id == $s) | .runs[]
    | select(.policy == $p) | .outcome' "${LAB_OUT}/results.json"
}

# Ours in a NameNode scenario: reads and writes served again, no acknowledged file lost,
# the job succeeded.
assert_namenode_back() {
  [[ "$(scenario_fig "$1" ours first_read_s)" =~ ^[0-9]+(\.[0-9]+)?$ ]]
  [[ "$(scenario_fig "$1" ours first_write_s)" =~ ^[0-9]+(\.[0-9]+)?$ ]]
  [ "$(scenario_fig "$1" ours files_acknowledged)" -ge 10 ]
  [ "$(scenario_fig "$1" ours files_lost)" -eq 0 ]
  [ "$(scenario_fig "$1" ours job_state)" = "SUCCEEDED" ]
  [ "$(scenario_outcome "$1" ours)" = "ok" ]
}

# Stock in a NameNode scenario (the control): no read served in its whole window.
assert_namenode_away() {
  [ "$(scenario_fig "$1" stock first_read_s)" = "null" ]
  [ "$(scenario_outcome "$1" stock)" = "namenode-down" ]
}

@test "the lab exits 0: ours lost nothing and its job succeeded" {
  if [[ -f "${BATS_FILE_TMPDIR}/lab.rc" ]]; then
    tail -n 40 "${BATS_FILE_TMPDIR}/lab.out"
    false
  fi
}

@test "ours: every acknowledged file reads back after the zone loss" {
  [ "$(fig ours files_acknowledged)" -ge 20 ]
  [ "$(fig ours files_unreadable)" -eq 0 ]
  [ "$(run_outcome ours)" = "ok" ]
}

@test "stock (the control): the same zone loss leaves acknowledged files unreadable" {
  [ "$(fig stock files_acknowledged)" -ge 20 ]
  [ "$(fig stock files_unreadable)" -gt 0 ]
  [ "$(run_outcome stock)" = "lost-data" ]
}

@test "both lost a zone of the data (not the masters'); ours' job succeeded" {
  local p
  for p in stock ours; do
    [[ "$(fig "${p}" zone_killed)" == zone-[ab] ]]
    [[ -n "$(fig "${p}" job_state)" ]]
  done
  # Stock's job may fail too: its input can be among the files the zone took along.
  [ "$(fig ours job_state)" = "SUCCEEDED" ]
}

@test "ours: no block left in one zone after re-replication" {
  [ "$(fig ours blocks_one_zone_after)" -eq 0 ]
}

@test "namenode-loss, ours: nn-watch relaunches the NameNode, reads and writes resume, nothing lost" {
  needs_scenario namenode-loss
  assert_namenode_back namenode-loss
}

@test "namenode-loss, stock (the control): no read served in the whole window" {
  needs_stock namenode-loss
  assert_namenode_away namenode-loss
}

@test "datanode-loss, ours: the map on the lost DataNode is KILLED, never FAILED, rerun (near a replica when alone)" {
  needs_scenario datanode-loss
  [ "$(scenario_fig datanode-loss ours victim_attempt)" = "KILLED" ]
  [ "$(scenario_fig datanode-loss ours maps_failed)" -eq 0 ]
  [[ "$(scenario_fig datanode-loss ours rerun_after_s)" =~ ^[0-9]+(\.[0-9]+)?$ ]]
  # With one map requeued, ours keeps its rerun in a zone of a surviving replica (the zone
  # tier). With two requeued from the host, MapReduce asks for both reruns in one aggregated
  # ask, and YARN may serve one data-local and give the other's task a node that is local
  # only for the first (full run 2026-12-03 06:20: the victim's rerun in another zone; see
  # "The rerun is steered by the application's own ask" in yarn-scheduler/README.md).
  if [ "$(scenario_fig datanode-loss ours maps_killed)" -eq 1 ]; then
    [[ "$(scenario_fig datanode-loss ours finished_where)" =~ ^(replica\ host|same\ zone\ as\ a\ replica)$ ]]
  fi
  [ "$(scenario_fig datanode-loss ours job_state)" = "SUCCEEDED" ]
  [ "$(scenario_outcome datanode-loss ours)" = "ok" ]
}

@test "datanode-loss, stock (the control): the map on the lost DataNode is not requeued" {
  needs_stock datanode-loss
  [ -n "$(scenario_fig datanode-loss stock victim_attempt)" ]
  [ "$(scenario_fig datanode-loss stock victim_attempt)" != "KILLED" ]
}

@test "nn-zone-loss, ours: the NameNode comes back in another zone, reads and writes resume, nothing lost" {
  needs_scenario nn-zone-loss
  assert_namenode_back nn-zone-loss
  jq -e '.scenarios[] | select(.id == "nn-zone-loss") | .runs[] | select(.policy == "ours")
    | any(.timeline.events[]; .label == "nn-relaunch: name dir restored in another zone")' \
    "${LAB_OUT}/results.json"
}

@test "nn-zone-loss, stock (the control): no read served in the whole window" {
  needs_stock nn-zone-loss
  assert_namenode_away nn-zone-loss
}

@test "the report: markdown, self-contained html with a timeline, site files kept" {
  [ -s "${LAB_OUT}/report.md" ]
  grep -q "acknowledged files unreadable after the zone loss" "${LAB_OUT}/report.md"
  grep -q "<svg" "${LAB_OUT}/report.html"
  # Self-contained: no address but the SVG namespace (one per timeline).
  run bash -c "grep -o 'https\?://[^\"< ]*' '${LAB_OUT}/report.html' | grep -vcx 'http://www.w3.org/2000/svg'"
  [ "${output}" -eq 0 ]
  [ -s "${LAB_OUT}/ours/etc/hadoop/hdfs-site.xml" ]
  grep -q "BlockPlacementPolicyWithZones" "${LAB_OUT}/ours/etc/hadoop/hdfs-site.xml"
  run grep -c "BlockPlacementPolicyWithZones" "${LAB_OUT}/stock/etc/hadoop/hdfs-site.xml"
  [ "${output}" -eq 0 ]
}

@test "a scenario stock left out says so in the report, with ours' column only" {
  needs_scenario datanode-loss
  ! lists "$(quick_stock)" datanode-loss || skip "stock plays datanode-loss here"
  jq -e '.scenarios[] | select(.id == "datanode-loss") | (.runs | map(.policy)) == ["ours"]' \
    "${LAB_OUT}/results.json"
  grep -q "Stock did not play this scenario in this run (--stock-scenarios)" "${LAB_OUT}/report.md"
}

@test "nothing is left running: no namespace, no lab JVM" {
  run bash -c 'ls /run/netns | grep -c "^mzlab-"'
  [ "${output}" -eq 0 ]
  run pgrep -f -- "-Dmultizone.lab=1"
  [ "${status}" -ne 0 ]
}
