#!/usr/bin/env bash
# idle.sh -- what mailflow costs when no mail flows at all (issue 13, "Idle"): CPU (% of one core) and RSS of
# each process over IDLE seconds, and which threads burn it. In the shape of pipeline-relay.sh, whose functions
# it sources (ports, /proc accounting, teardown by PID, the jar build).
#
#   run    one `mailflow run` JVM (embedded KRaft broker, every stage, the admin server) on a private
#          organization in $BASE: a receive connector on a free loopback port, a send connector to a smart
#          host nobody listens on (nothing is sent: there is no mail), the broker on a free port.
#   roles  (ROLES=1, after run) `mailflow broker` as a single node (its quorum is itself) and `mailflow edge`,
#          `categorizer`, `routing`, `delivery` with --bootstrap against it, each with its own --data-dir (as on
#          separate machines: each serves its own tracking index) and an admin server on a free port.
#
# Settle: each process is left alone SETTLE (30) seconds after it is up (run: the edge's port listens; roles: the
# last role printed "running against Kafka"; they start one after the other), then sampled over IDLE (60) seconds. 30 s because that is past
# the start-up work that is not idle cost: the JIT compiling start-up code (C2 queues drain within ~10-20 s on
# 2 busy cores), the broker's first log-retention/cleaner passes, group joins and the first commits, the first
# metadata refreshes; the per-thread table shows whether a "C2 CompilerThread" still ran in the window.
#
# stdout: one figure line per process per run:
#   mailflow idle run: 5.3% of one core over 60 s (3.20 CPU-s; JIT compiler threads 2.0%), RSS 397 MB
# stderr: per process the threads that used CPU in the window, busiest first (full Java thread names from
# `jcmd Thread.print` taken after the window, else /proc/<pid>/task/<tid>/comm, 15 characters), CPU-ms and % of
# one core; threads born during the window are marked '+' (all their CPU counts), ones that ended are missed.
#
# Env knobs (defaults):
#   IDLE=60        seconds sampled per process per run
#   SETTLE=30      seconds after start-up before the first sample (see above)
#   RUNS=1         windows per process, one after the other on the same JVMs
#   ROLES=0        1: also the role processes (broker + edge, categorizer, routing, delivery); ONLY: roles alone
#   THREADS=15     threads listed per process in the detail (0: none)
#   JAVA_OPTS=     extra JVM options for every mailflow JVM
#   START_TIMEOUT=180 KEEP=0 PORT_IN=0 BASE=mktemp -d /var/tmp/mailflow-bench.XXXXXX  as in pipeline-relay.sh
#   JAR=<repo>/ops/target/mailflow.jar   built (mvn -q -o -DskipTests package) when missing or older than a source
set -euo pipefail
BENCH_NAME=idle
HERE=$(cd "$(dirname "$0")" && pwd)
SETTLE=${SETTLE:-30}; ROLES=${ROLES:-0}; THREADS=${THREADS:-15}
IDLE=${IDLE:-60}
# shellcheck source=pipeline-relay.sh
. "$HERE/pipeline-relay.sh"
[ "$IDLE" -gt 0 ] || { log "IDLE must be > 0"; exit 2; }
ROLE_PIDS=()   # "name pid" of every role process, in start order (broker first)

need_idle_tools() {
  local b missing=""
  for b in java ss awk; do command -v "$b" >/dev/null || missing="$missing $b"; done
  [ -z "$missing" ] || { log "missing:$missing"; return 1; }
}

write_org() {
  local sink; sink=$(free_port)
  cat > "$ORG" <<EOF
# idle.sh organization: one anonymous receive connector, one send connector; no mail is ever sent.
serverName: EX01
siteName: Default-First-Site-Name
acceptedDomains:
  - { domainName: contoso.test, type: Authoritative, default: true }
  - { domainName: sink.test, type: InternalRelay }
receiveConnectors:
  - name: Idle Frontend EX01
    bindings: ["127.0.0.1:$PORT_IN"]
    permissionGroups: [AnonymousUsers, ExchangeServers]
    authMechanisms: [Tls]
sendConnectors:
  - name: Sink
    addressSpaces: [sink.test]
    smartHosts: ["[127.0.0.1]:$sink"]
EOF
}

# wait_line FILE PATTERN PID WHAT - until FILE has a line matching PATTERN; fails if PID ends or START_TIMEOUT passes
wait_line() {
  local deadline=$(( $(date +%s) + START_TIMEOUT ))
  until grep -q -- "$2" "$1" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || { log "$4 exited during start-up:"; tail -20 "$1" >&2; return 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { log "$4 not up after ${START_TIMEOUT}s:"; tail -20 "$1" >&2; return 1; }
    sleep 0.2
  done
}

start_roles() {
  local pb pc role pid logf
  pb=$(free_port); pc=$(free_port); while [ "$pc" = "$pb" ]; do pc=$(free_port); done
  mkdir -p "$BASE/roles"
  logf=$BASE/roles/broker.log
  # shellcheck disable=SC2086  # JAVA_OPTS is a word list on purpose
  java $JAVA_OPTS -jar "$JAR" broker --node-id 1 --port "$pb" --controller-quorum "1@127.0.0.1:$pc" \
      --data-dir "$BASE/roles/kafka" > "$logf" 2>&1 &
  pid=$!; ROLE_PIDS+=("broker $pid")
  wait_line "$logf" '^broker is running' "$pid" broker
  # one after the other: four JVMs starting at once on a loaded 2-core host can miss a role's 15 s start-up
  # bound for Kafka ("cannot reach Kafka"); a role that does is started once more
  local try
  for role in edge categorizer routing delivery; do
    logf=$BASE/roles/$role.log
    for try in 1 2; do
      # shellcheck disable=SC2086
      java $JAVA_OPTS -jar "$JAR" "$role" --bootstrap "127.0.0.1:$pb" --config "$ORG" \
          --data-dir "$BASE/roles/$role" --admin-port 0 > "$logf" 2>&1 &
      pid=$!
      if wait_line "$logf" 'running against Kafka' "$pid" "$role"; then break; fi
      kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
      [ "$try" = 1 ] || return 1
      log "starting $role once more"
    done
    ROLE_PIDS+=("$role $pid")
  done
  log "roles up: ${ROLE_PIDS[*]}; broker 127.0.0.1:$pb (controller $pc)"
}

stop_roles() {  # the roles before their broker (they commit and leave their groups), each SIGTERM then SIGKILL
  local i entry keep=$MF_PID
  for (( i=${#ROLE_PIDS[@]}-1; i>=0; i-- )); do
    entry=${ROLE_PIDS[$i]}; MF_PID=${entry#* }
    [ "${entry% *}" != broker ] || [ "$i" = 0 ] || continue
    stop_mailflow
  done
  MF_PID=$keep; ROLE_PIDS=()
}

teardown() {
  stop_mailflow; stop_roles
  if [ "$KEEP" = 1 ]; then log "kept $BASE"
  elif [ "$ANY_INCOMPLETE" = 1 ]; then rm -rf "$DATA" "$BASE/roles/kafka" "$BASE/mailflow.jar"; log "incomplete: logs kept in $BASE"
  elif [ "$OWN_BASE" = 1 ]; then rm -rf "$BASE"
  else rm -rf "$DATA" "$BASE/roles" "$BASE/mailflow.jar" "$ORG" "$MF_LOG"; fi  # a given BASE: only our files
}
trap teardown EXIT
set -E; trap 'log "failed: line $LINENO: $BASH_COMMAND"; ANY_INCOMPLETE=1' ERR

# ---------------------------------------------------------------- main
need_idle_tools
ensure_jar
mkdir -p "$BASE"
JAR_BUILT=$(date -r "$JAR" '+%F %T'); cp "$JAR" "$BASE/mailflow.jar"; JAR=$BASE/mailflow.jar
log "nproc $NCPU, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(date -u '+%F %T UTC'), jar built $JAR_BUILT, HEAD $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'); host idle $(cpu_idle_1s)%"
[ "$PORT_IN" != 0 ] || PORT_IN=$(free_port)
write_org

if [ "$ROLES" != ONLY ]; then
  start_mailflow
  log "settling ${SETTLE}s"; sleep "$SETTLE"
  for r in $(seq 1 "$RUNS"); do idle_window run "$MF_PID"; done
  stop_mailflow
fi
if [ "$ROLES" = 1 ] || [ "$ROLES" = ONLY ]; then
  start_roles
  log "settling ${SETTLE}s"; sleep "$SETTLE"
  for r in $(seq 1 "$RUNS"); do
    # all processes in one window: each one's CPU over the same IDLE seconds
    idle_window roles "${ROLE_PIDS[@]}"
  done
  stop_roles
fi
[ "$ANY_INCOMPLETE" = 0 ]
