#!/usr/bin/env bash
# edge.sh -- the SMTP edge alone (issue 3, "Measure"): messages/s and sessions/s for 1 KB and 100 KB with 20
# and 200 connections, each connection reused for many messages or one message per session. In the shape of
# pipeline-relay.sh, whose functions it sources (ports, CPU accounting, quiet wait, the load generator).
#
#   mailflow loadtest --SMTP--> `mailflow edge` JVM 127.0.0.1:PORT_IN --mail.submission.v1 (acks=all)-->
#                               broker JVM (EdgeBenchBroker.java: the embedded KRaft broker, nothing else)
#
# "Edge alone" here: the edge's 250 comes only after Kafka acknowledged the message, so the edge cannot be
# measured without a broker; it is the edge plus its broker, and nothing else. Nobody consumes
# mail.submission.v1 (no categorizer, routing, delivery, sink), so no later stage shares the cores or slows
# the edge. The two JVMs are separate processes, so the CPU-ms/msg of the edge and of the broker are given
# apart (from /proc/<pid>/stat). Messages go to bench@sink.test (an InternalRelay domain: accepted without
# a directory lookup) and stay in the topic; the data dir grows by about MSGS x SIZE per case.
#
# Cases: SIZES x CONNS x MODES (defaults 1 KB, 100 KB x 20, 200 x reuse, session), each RUNS times:
#   reuse     each connection sends messages back to back (loadtest's default)
#   session   one message per session: connect, 220, EHLO, MAIL/RCPT/DATA, 250, QUIT, 221, close
#             (`loadtest --messages-per-session 1`); sessions/s = msg/s here
# stdout: one table line per case: msg/s, sessions/s, DATA->250 p50/p99, CPU-ms per message of the edge
# JVM and of the broker JVM. stderr: a detail line per case (CPU split, host idle) and the loadtest report.
#
# Env knobs (defaults):
#   SIZES="1024 102400"  CONNS="20 200"  MODES="reuse session"  RUNS=1
#   MSGS_1K=20000 MSGS_100K=2000  messages per case (100 KB: any size >= 100 KB)
#   RUN_TIMEOUT=300    bound (s) per case (the loadtest stops itself 5 s before)
#   WARMUP=1000        1 KB messages sent before the first case, once reused and once a session each
#   QUIET=0 START_TIMEOUT=180 JAVA_OPTS= (edge JVM) BROKER_OPTS= (broker JVM) KEEP=0 PORT_IN=0
#   PROTOCOL_LOG=None  Verbose adds the protocol log (mail.protocol.v1 records and the CSV files)
#   JAR=<repo>/ops/target/mailflow.jar  built (mvn -q -o package -pl ops/cli -am -DskipTests) when missing or
#                      older than a pom.xml or src/main file; if that build fails an existing jar is used
# Large-message case (LARGE=1, after the matrix; SIZES=" " runs it alone): LARGE_CLIENTS (50) sessions each send
# one LARGE_SIZE (30 MB) message at once; reported: msg/s, the edge JVM's peak heap in use (jstat every 250 ms:
# survivors + eden + old) and its peak RSS (VmHWM). Run it with a small edge heap (JAVA_OPTS=-Xmx256m) to show
# that the edge streams: buffered whole, 50 x 30 MB would need 1.5 GB.
# The receive connector allows unlimited connections per source (all load comes from 127.0.0.1; Exchange's
# default of 20 would refuse the 200-connection cases with 421 4.3.2).
set -euo pipefail
# One JVM per mailflow process: this script signals and measures mailflow by its PID, and the jar's launcher would
# otherwise run the work in a child JVM (ops/cli Launcher). MAILFLOW_NO_RELAUNCH=0 measures the jar's default path.
export MAILFLOW_NO_RELAUNCH=${MAILFLOW_NO_RELAUNCH:-1}
BENCH_NAME=edge
HERE=$(cd "$(dirname "$0")" && pwd)
SIZES=${SIZES:-1024 102400}; CONNS=${CONNS:-20 200}; MODES=${MODES:-reuse session}
MSGS_1K=${MSGS_1K:-20000}; MSGS_100K=${MSGS_100K:-2000}; WARMUP=${WARMUP:-1000}
BROKER_OPTS=${BROKER_OPTS:-}
LARGE=${LARGE:-0}; LARGE_CLIENTS=${LARGE_CLIENTS:-50}; LARGE_SIZE=${LARGE_SIZE:-31457280}
[ "${LOADGEN:-loadtest}" = loadtest ] || { echo "[$BENCH_NAME] LOADGEN=loadtest only" >&2; exit 2; }
# shellcheck source=pipeline-relay.sh
. "$HERE/pipeline-relay.sh"
BROKER_LOG=$BASE/broker.log; BROKER_PID=""; BOOTSTRAP=""

need_edge_tools() {
  local b missing=""
  for b in java ss awk; do command -v "$b" >/dev/null || missing="$missing $b"; done
  [ -z "$missing" ] || { log "missing:$missing"; return 1; }
}

ensure_jar() {  # when missing or older than a source (jar_stale); an older jar only if it has the option we need
  if jar_stale; then
    log "building $JAR (mvn -q -o package -pl ops/cli -am -DskipTests; a minute or two)"
    (cd "$REPO" && mvn -q -o package -pl ops/cli -am -DskipTests) >&2 || log "build failed; trying the existing jar"
  fi
  [ -f "$JAR" ] || { log "no $JAR"; return 1; }
  java -jar "$JAR" loadtest --help 2>/dev/null | grep -q -- --messages-per-session \
    || { log "$JAR predates 'loadtest --messages-per-session'; rebuild it"; return 1; }
}

write_org() {
  cat > "$ORG" <<EOF
# edge.sh benchmark organization: one anonymous receive connector; nothing routes or delivers.
serverName: EX01
siteName: Default-First-Site-Name
acceptedDomains:
  - { domainName: contoso.test, type: Authoritative, default: true }
  # InternalRelay: anonymous senders may send here without a directory lookup
  - { domainName: sink.test, type: InternalRelay }
receiveConnectors:
  - name: Bench Frontend EX01
    bindings: ["127.0.0.1:$PORT_IN"]
    permissionGroups: [AnonymousUsers]
    authMechanisms: [Tls]
    # all load comes from 127.0.0.1; Exchange's default per source (20) would refuse 200 connections
    maxInboundConnectionPerSource: unlimited
    protocolLoggingLevel: $PROTOCOL_LOG
EOF
}

start_broker() {
  : > "$BROKER_LOG"
  # shellcheck disable=SC2086  # BROKER_OPTS is a word list on purpose
  java $BROKER_OPTS -cp "$JAR" "$HERE/EdgeBenchBroker.java" "$DATA/kafka" 0 > "$BROKER_LOG" 2>&1 &
  BROKER_PID=$!
  local deadline=$(( $(date +%s) + START_TIMEOUT ))
  until BOOTSTRAP=$(awk '/^broker /{print $2; exit}' "$BROKER_LOG") && [ -n "$BOOTSTRAP" ]; do
    kill -0 "$BROKER_PID" 2>/dev/null || { log "broker exited during start-up:"; tail -20 "$BROKER_LOG" >&2; BROKER_PID=""; return 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { log "broker not up after ${START_TIMEOUT}s"; tail -20 "$BROKER_LOG" >&2; return 1; }
    sleep 0.2
  done
  log "broker up: pid $BROKER_PID at $BOOTSTRAP"
}

start_edge() {  # `mailflow edge`: the edge role only, against the bench broker (it creates the topics)
  : > "$MF_LOG"
  # shellcheck disable=SC2086  # JAVA_OPTS is a word list on purpose
  java $JAVA_OPTS -jar "$JAR" edge --bootstrap "$BOOTSTRAP" --config "$ORG" --data-dir "$DATA/edge" > "$MF_LOG" 2>&1 &
  MF_PID=$!
  local deadline=$(( $(date +%s) + START_TIMEOUT ))
  while ! port_listening "$PORT_IN"; do
    kill -0 "$MF_PID" 2>/dev/null || { log "edge exited during start-up:"; tail -20 "$MF_LOG" >&2; MF_PID=""; return 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { log "edge not listening on $PORT_IN after ${START_TIMEOUT}s"; tail -20 "$MF_LOG" >&2; return 1; }
    sleep 0.2
  done
  log "edge up: pid $MF_PID on 127.0.0.1:$PORT_IN; jar built $JAR_BUILT; base $BASE"
}

stop_broker() {  # pipeline-relay.sh's stop_mailflow (SIGTERM, SIGKILL after 30 s) on the broker's PID
  [ -n "$BROKER_PID" ] || return 0
  local edge=$MF_PID; MF_PID=$BROKER_PID; stop_mailflow; MF_PID=$edge; BROKER_PID=""
}

teardown() {  # the edge before its broker: it flushes what it holds first
  stop_load; stop_mailflow; stop_broker
  if [ "$KEEP" = 1 ]; then log "kept $BASE"
  elif [ "$ANY_INCOMPLETE" = 1 ]; then rm -rf "$DATA" "$BASE/mailflow.jar"; log "incomplete run: logs kept in $BASE"
  elif [ "$OWN_BASE" = 1 ]; then rm -rf "$BASE"
  else rm -rf "$DATA" "$BASE/mailflow.jar" "$ORG" "$MF_LOG" "$LOAD_LOG" "$BROKER_LOG"; fi  # a given BASE: only our files
}
trap teardown EXIT
# set -e ends the script at a failing command: say which, and keep the logs
set -E; trap 'log "failed: line $LINENO: $BASH_COMMAND"; ANY_INCOMPLETE=1' ERR

mode_args() { case $1 in reuse) echo "";; session) echo "--messages-per-session 1";;
  *) log "unknown mode '$1' (reuse session)"; return 2;; esac; }

warm_up() {
  [ "$WARMUP" -gt 0 ] || return 0
  local m
  SIZE=1024; SESS=20
  for m in reuse session; do
    LOADTEST_ARGS=$(mode_args "$m")
    run_load "$WARMUP" "$RUN_TIMEOUT"
    [ "$LOAD_RC" = 0 ] || { log "warm-up ($m) failed (status $LOAD_RC):"; cat "$LOAD_LOG" >&2; return 1; }
  done
  log "warm-up: $WARMUP messages reused, $WARMUP one per session"
}

# one case: SIZE bytes x MSGS over SESS connections in mode $1; one table line on stdout
edge_case() {
  local mode=$1 idle0 b0 b2 k0 k2 j0 j2 q0 q2 t0 t1 acc sess p50 p99
  LOADTEST_ARGS=$(mode_args "$mode")
  wait_quiet
  idle0=$(cpu_idle_1s)
  b0=$(cpu_busy_idle); k0=$(sess_ticks "$MY_SID"); j0=$(pid_ticks "$MF_PID"); q0=$(pid_ticks "$BROKER_PID")
  t0=$(now)
  run_load "$MSGS" "$RUN_TIMEOUT"
  t1=$(now)
  b2=$(cpu_busy_idle); k2=$(sess_ticks "$MY_SID"); j2=$(pid_ticks "$MF_PID"); q2=$(pid_ticks "$BROKER_PID")
  kill -0 "$MF_PID" 2>/dev/null || { log "edge JVM died during the run:"; tail -20 "$MF_LOG" >&2; }
  acc=$(awk '/^accepted/{print $2; exit}' "$LOAD_LOG"); sess=$(awk '/^sessions/{print $2; exit}' "$LOAD_LOG")
  p50=$(awk '/^latency DATA->250/{print $4; exit}' "$LOAD_LOG"); p99=$(awk '/^latency DATA->250/{print $10; exit}' "$LOAD_LOG")
  { [ "$LOAD_RC" = 0 ] && [ "${acc:-0}" -ge "$MSGS" ]; } || ANY_INCOMPLETE=1
  awk -v n="$MSGS" -v acc="${acc:-0}" -v sess="${sess:-0}" -v le="${LOAD_ELAPSED:-}" -v t0="$t0" -v t1="$t1" \
      -v lb="$(label "$SIZE")" -v s="$SESS" -v mode="$mode" -v p50="${p50:--}" -v p99="${p99:--}" -v rc="$LOAD_RC" \
      -v idle="$idle0" -v b0="${b0%% *}" -v b2="${b2%% *}" -v j="$((j2-j0))" -v q="$((q2-q0))" -v k="$((k2-k0))" \
      -v hz="$HZ" -v ncpu="$NCPU" 'BEGIN{
    el=(le != "" ? le : t1-t0); if (el <= 0) el=t1-t0;
    edge=j/hz; broker=q/hz; busy=(b2-b0)/hz; tools=k/hz-edge-broker; if (tools<0) tools=0;
    oth=busy-edge-broker-tools; if (oth<0) oth=0;
    name=sprintf("%s %d conn %s", lb, s, mode);
    if (rc != 0 || acc < n) printf "%-24s INCOMPLETE: %d/%d accepted in %.1f s (loadtest status %d)\n", name, acc, n, el, rc;
    else printf "%-24s %9.0f %11.1f %8s %8s %12.3f %12.3f\n", name, acc/el, sess/el, p50, p99,
      (acc>0 ? 1000*edge/acc : 0), (acc>0 ? 1000*broker/acc : 0);
    printf "  detail: %s msgs=%d accepted=%d sessions=%d elapsed_s=%.3f idle_before=%s%% cpu_s: edge=%.1f broker=%.1f tools=%.1f others=%.1f (others=%.0f%% of %d cores)\n",
      name, n, acc, sess, el, idle, edge, broker, tools, oth, 100*oth/((t1-t0)*ncpu), ncpu > "/dev/stderr" }'
  sed 's/^/  | /' "$LOAD_LOG" >&2
}

# LARGE_CLIENTS sessions x one LARGE_SIZE message each, all at once; the edge JVM's peak heap and RSS
large_case() {
  local js t0 t1 acc heap hwm xmx
  SIZE=$LARGE_SIZE; SESS=$LARGE_CLIENTS; MSGS=$LARGE_CLIENTS; LOADTEST_ARGS="--messages-per-session 1"
  wait_quiet
  jstat -gc "$MF_PID" 250 > "$BASE/jstat.log" 2>/dev/null & js=$!
  t0=$(now); run_load "$MSGS" "$RUN_TIMEOUT"; t1=$(now)
  kill "$js" 2>/dev/null || true; wait "$js" 2>/dev/null || true
  acc=$(awk '/^accepted/{print $2; exit}' "$LOAD_LOG")
  # jstat -gc columns: S0C S1C S0U S1U EC EU OC OU ... (KB); in use = S0U + S1U + EU + OU
  heap=$(awk '$1 ~ /^[0-9.]+$/ { u = $3 + $4 + $6 + $8; if (u > m) m = u } END { printf "%.0f", m / 1024 }' "$BASE/jstat.log")
  hwm=$(awk '/^VmHWM/{printf "%.0f", $2 / 1024}' "/proc/$MF_PID/status")
  xmx=$(jcmd "$MF_PID" VM.flags 2>/dev/null | tr ' ' '\n' | awk -F= '/^-XX:MaxHeapSize=/{printf "%.0f", $2 / 1048576; exit}')
  { [ "$LOAD_RC" = 0 ] && [ "${acc:-0}" -ge "$MSGS" ]; } || ANY_INCOMPLETE=1
  awk -v n="$MSGS" -v acc="${acc:-0}" -v el="${LOAD_ELAPSED:-$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')}" \
      -v lb="$(label "$SIZE")" -v s="$SESS" -v heap="${heap:-?}" -v hwm="${hwm:-?}" -v xmx="${xmx:-?}" 'BEGIN{
    printf "%s x %d sessions at once: %d/%d accepted in %.1f s (%.1f msg/s, %.0f MB/s); edge peak heap in use %s MB (max heap %s MB), peak RSS %s MB\n",
      lb, s, acc, n, el, acc/el, acc*'"$SIZE"'/1048576/el, heap, xmx, hwm }'
  sed 's/^/  | /' "$LOAD_LOG" >&2
}

# ---------------------------------------------------------------- main
need_edge_tools
ensure_jar
mkdir -p "$BASE" "$DATA"
# run a private copy: a rebuild of ops/target during the benchmark must not pull the jar from under us
JAR_BUILT=$(date -r "$JAR" '+%F %T'); cp "$JAR" "$BASE/mailflow.jar"; JAR=$BASE/mailflow.jar
[ "$PORT_IN" != 0 ] || PORT_IN=$(free_port)
write_org
start_broker
start_edge
log "nproc $NCPU, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(date -u '+%F %T UTC')"
warm_up || { ANY_INCOMPLETE=1; log "warm-up incomplete; no measured case"; exit 1; }
printf "%-24s %9s %11s %8s %8s %12s %12s\n" "edge case" "msg/s" "sessions/s" "p50 ms" "p99 ms" \
  "edge CPU-ms" "broker CPU-ms"
for r in $(seq 1 "$RUNS"); do
  for size in $SIZES; do
    for conns in $CONNS; do
      for mode in $MODES; do
        SIZE=$size; SESS=$conns
        if [ "$size" -ge 102400 ]; then MSGS=$MSGS_100K; else MSGS=$MSGS_1K; fi
        edge_case "$mode"
      done
    done
  done
done
[ "$LARGE" = 0 ] || large_case
[ "$ANY_INCOMPLETE" = 0 ]
