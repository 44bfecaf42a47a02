#!/usr/bin/env bash
# delivery-destinations.sh -- delivered msg/s through the full pipeline by number and health of the
# destinations (issue 5, "Measure"), in the shape of pipeline-relay.sh, whose functions it sources
# (sink, ports, CPU accounting, mailflow start/stop, load generators).
#
#   loadtest --SMTP--> edge --> categorizer --> routing --mail.delivery.v1 (key = next hop)--> delivery
#            --SMTP--> smtp-sink 127.0.0.1:PORT_SINK      (every healthy connector's smart host)
#            --SMTP--> blackhole 127.0.0.1:PORT_DEAD      (case c only: accepts TCP, never answers)
#
# One `mailflow run` JVM, one organization for every case: accepted domains sink.test and *.sink.test
# (InternalRelay), send connectors
#   Sink      sink.test                         -> smtp-sink      (cases a, c healthy half)
#   D1..D50   d1.sink.test .. d50.sink.test     -> smtp-sink      (case b: 50 next-hop keys / queues)
#   Dead      dead.sink.test                    -> blackhole      (case c dead half)
# Cases (CASES, in this order; c last because its dead messages stay queued in the JVM):
#   a1    1 KB x MSGS_1K to bench@sink.test (1 destination)
#   a100  100 KB x MSGS_100K to bench@sink.test (1 destination)
#   b     1 KB x MSGS_1K round-robin over bench@d1.sink.test .. bench@d50.sink.test (50 destinations)
#   b100  100 KB x MSGS_100K round-robin over the same 50 destinations
#   c     1 KB x MSGS_1K alternating bench@sink.test / bench@dead.sink.test; "delivered" is the healthy
#         half only (MSGS_1K/2 at the sink), compare with a1
# One figure line per case and run on stdout:
#   mailflow a1 1KB x1: accepted N msg/s, delivered N msg/s, N CPU-ms/msg
# figures as in pipeline-relay.sh (delivered = messages counted at the sink / (load start -> counted);
# CPU-ms/msg = mailflow JVM CPU over the run / messages sent). An incomplete run prints INCOMPLETE with
# the partial delivered rate and the script exits 1 after the remaining cases.
#
# Env knobs (defaults): CASES="a1 a100 b b100 c"  RUNS=1 (each case RUNS times, c's runs last)
#   MSGS_1K=20000 MSGS_100K=2000 SESS=20 DESTS=50  RUN_TIMEOUT=300 (per run; c: RUN_TIMEOUT_C=120)
#   WARMUP=200 (to all healthy destinations round-robin) QUIET=0 LOADGEN=loadtest (only loadtest: it
#   takes a recipient list) START_TIMEOUT JAVA_OPTS KEEP PORT_IN PORT_SINK PORT_DEAD (0: free port)
#   JAR=<repo>/ops/target/mailflow.jar -- built (mvn -q -o -DskipTests package) only when missing
set -euo pipefail
BENCH_NAME=delivery-destinations
HERE=$(cd "$(dirname "$0")" && pwd)
CASES=${CASES:-a1 a100 b b100 c}; MSGS_1K=${MSGS_1K:-20000}; MSGS_100K=${MSGS_100K:-2000}; DESTS=${DESTS:-50}
RUN_TIMEOUT_C=${RUN_TIMEOUT_C:-120}; PORT_DEAD=${PORT_DEAD:-0}
[ "${LOADGEN:-loadtest}" = loadtest ] || { echo "[$BENCH_NAME] LOADGEN=loadtest only (recipient lists)" >&2; exit 2; }
# shellcheck source=pipeline-relay.sh
. "$HERE/pipeline-relay.sh"
DEAD_PID=""

ensure_jar() {  # only when missing: a benchmark of several cases should not race a rebuild
  [ -f "$JAR" ] && return 0
  log "building $JAR (mvn -q -o -DskipTests package)"
  (cd "$REPO" && mvn -q -o -DskipTests package) >&2 && [ -f "$JAR" ]
}

write_org() {
  local i
  {
    cat <<EOF
# delivery-destinations.sh benchmark organization
serverName: EX01
siteName: Default-First-Site-Name
acceptedDomains:
  - { domainName: contoso.test, type: Authoritative, default: true }
  # InternalRelay: accepted from anonymous senders, no mailbox here, relayed out by a send connector
  - { domainName: sink.test, type: InternalRelay }
  - { domainName: "*.sink.test", type: InternalRelay }
receiveConnectors:
  - name: Bench Frontend EX01
    bindings: ["127.0.0.1:$PORT_IN"]
    permissionGroups: [AnonymousUsers, ExchangeServers]
    authMechanisms: [Tls]
    maxInboundConnectionPerSource: unlimited
    protocolLoggingLevel: $PROTOCOL_LOG
sendConnectors:
  - name: Sink
    addressSpaces: [sink.test]
    smartHosts: ["[127.0.0.1]:$PORT_SINK"]
  # accepts the TCP connection and never sends a greeting (case c)
  - name: Dead
    addressSpaces: [dead.sink.test]
    smartHosts: ["[127.0.0.1]:$PORT_DEAD"]
EOF
    for i in $(seq 1 "$DESTS"); do
      printf '  - { name: D%d, addressSpaces: [d%d.sink.test], smartHosts: ["[127.0.0.1]:%s"] }\n' "$i" "$i" "$PORT_SINK"
    done
  } > "$ORG"
}

start_dead() {  # a listener that accepts and never answers: what a hung remote MTA looks like
  python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1024)
held = []
while True:
    c, _ = s.accept(); held.append(c)   # keep it open, say nothing
' "$PORT_DEAD" > "$BASE/dead.log" 2>&1 &
  DEAD_PID=$!
  wait_port "$PORT_DEAD"
}
stop_dead() {
  [ -n "$DEAD_PID" ] || return 0
  kill "$DEAD_PID" 2>/dev/null || true; wait "$DEAD_PID" 2>/dev/null || true; DEAD_PID=""
}
dead_connections() { ss -Htn state established "sport = :$PORT_DEAD" 2>/dev/null | wc -l; }

teardown() {  # as pipeline-relay.sh's, plus the blackhole
  stop_load; stop_mailflow; stop_sink; stop_dead
  if [ "$KEEP" = 1 ]; then log "kept $BASE"
  elif [ "$ANY_INCOMPLETE" = 1 ]; then
    [ ! -f "$DATA/mailflow.log" ] || mv "$DATA/mailflow.log" "$BASE/mailflow-app.log"
    rm -rf "$DATA" "$BASE/mailflow.jar"; log "incomplete run: logs kept in $BASE"
  elif [ "$OWN_BASE" = 1 ]; then rm -rf "$BASE"
  else rm -rf "$DATA" "$BASE/mailflow.jar" "$ORG" "$SINK_LOG" "$MF_LOG" "$LOAD_LOG" "$BASE/dead.log"; fi
}
trap teardown EXIT

dest_list() {  # bench@d1.sink.test,...,bench@dN.sink.test
  local i out=""; for i in $(seq 1 "$DESTS"); do out="$out${out:+,}bench@d$i.sink.test"; done; echo "$out"
}

# one run of case $1: sets SIZE, MSGS, RCPT; expects $2 messages at the sink within $3 seconds
case_run() {
  local name=$1 expect=$2 limit=$3 t0 t1 t2 tl c idle0 deadline b0 b2 k0 k2 j0 j2 lat dests
  measure_load "$expect" "$limit"
  dests=$(awk -F, '{print NF}' <<<"$RCPT")
  { [ "$LOAD_RC" = 0 ] && [ "$c" -ge "$expect" ]; } || ANY_INCOMPLETE=1
  awk -v n="$MSGS" -v e="$expect" -v c="$c" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v tl="$tl" \
      -v lb="$name $(label "$SIZE") x$dests" -v s="$SESS" -v idle="$idle0" -v b0="${b0%% *}" -v b2="${b2%% *}" \
      -v j="$((j2-j0))" -v k="$((k2-k0))" -v hz="$HZ" -v ncpu="$NCPU" -v rc="$LOAD_RC" -v le="$LOAD_ELAPSED" \
      -v lat="$lat" 'BEGIN{
    acc_s=(le != "" ? le : t1-t0); w=t2-tl; busy=(b2-b0)/hz; mf=j/hz; tools=k/hz-mf; if (tools<0) tools=0;
    oth=busy-mf-tools; if (oth<0) oth=0;
    what=(e < n ? "delivered (healthy half)" : "delivered");
    if (rc != 0 || c < e) printf "mailflow %s: INCOMPLETE (loadtest status %d, sink got %d/%d in %.1f s: %s %.0f msg/s so far)\n", lb, rc, c, e, t2-t0, what, c/w;
    else printf "mailflow %s: accepted %d msg/s, %s %d msg/s, %.3f CPU-ms/msg\n", lb, n/acc_s, what, c/w, 1000*mf/n;
    printf "  detail: msgs=%d expected_at_sink=%d sess=%d accept_s=%.3f deliver_s=%.3f sink_count=%d idle_before=%s%% cpu_s: mailflow=%.1f tools=%.1f others=%.1f (others=%.0f%% of %d cores)\n",
      n, e, s, acc_s, w, c, idle, mf, tools, oth, 100*oth/((t2-t0)*ncpu), ncpu > "/dev/stderr";
    if (lat != "") printf "  latency DATA->250: %s\n", lat > "/dev/stderr" }'
  sed 's/^/  | /' "$LOAD_LOG" >&2
}

run_case() {
  case $1 in
    a1)   SIZE=1024;   MSGS=$MSGS_1K;   RCPT=bench@sink.test; case_run a1 "$MSGS" "$RUN_TIMEOUT" ;;
    a100) SIZE=102400; MSGS=$MSGS_100K; RCPT=bench@sink.test; case_run a100 "$MSGS" "$RUN_TIMEOUT" ;;
    b)    SIZE=1024;   MSGS=$MSGS_1K;   RCPT=$(dest_list);    case_run b "$MSGS" "$RUN_TIMEOUT" ;;
    b100) SIZE=102400; MSGS=$MSGS_100K; RCPT=$(dest_list);    case_run b100 "$MSGS" "$RUN_TIMEOUT" ;;
    c)    SIZE=1024;   MSGS=$MSGS_1K;   RCPT=bench@sink.test,bench@dead.sink.test
          [ -n "$DEAD_PID" ] || start_dead
          case_run c $(( (MSGS + 1) / 2 )) "$RUN_TIMEOUT_C"
          log "c: delivery connections held open by the blackhole at the end: $(dead_connections)" ;;
    *) log "unknown case '$1' (a1 a100 b b100 c)"; return 2 ;;
  esac
}

# ---------------------------------------------------------------- main
need_tools; command -v python3 >/dev/null || { log "missing: python3 (blackhole listener)"; exit 1; }
ensure_jar
mkdir -p "$BASE"
JAR_BUILT=$(date -r "$JAR" '+%F %T'); cp "$JAR" "$BASE/mailflow.jar"; JAR=$BASE/mailflow.jar
[ "$PORT_IN" != 0 ] || PORT_IN=$(free_port)
[ "$PORT_SINK" != 0 ] || { PORT_SINK=$(free_port); while [ "$PORT_SINK" = "$PORT_IN" ]; do PORT_SINK=$(free_port); done; }
[ "$PORT_DEAD" != 0 ] || { PORT_DEAD=$(free_port); while [ "$PORT_DEAD" = "$PORT_IN" ] || [ "$PORT_DEAD" = "$PORT_SINK" ]; do PORT_DEAD=$(free_port); done; }
write_org
start_mailflow
log "nproc $NCPU, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(date -u '+%F %T UTC')"
SIZE=1024; RCPT="bench@sink.test,$(dest_list)"
warm_up || { ANY_INCOMPLETE=1; log "warm-up incomplete; no measured run"; exit 1; }
for r in $(seq 1 "$RUNS"); do
  for k in $CASES; do [ "$k" = c ] || run_case "$k"; done
done
for r in $(seq 1 "$RUNS"); do
  for k in $CASES; do [ "$k" != c ] || run_case c; done
done
[ "$ANY_INCOMPLETE" = 0 ]
