#!/usr/bin/env bash
# kill-restart.sh -- crash recovery of one `mailflow run` node (issue 11): under load, kill -9 the JVM,
# start it again on the same data dir, and time launch -> first SMTP greeting -> first delivery after
# the restart (of mail acknowledged before the kill). One line per trial on stdout:
#   trial N: killed with D delivered; restart: greeting after G s, first delivery after F s, all A delivered after T s
# "all" = every message the load generator got a 250 for, counted by the sink (duplicates may add a few:
# at-least-once). The org is pipeline-relay.sh's (a smart host on 127.0.0.1 that is smtp-sink).
# Stops only the processes it started (their PIDs).
#
# Env knobs (defaults): TRIALS=3 MSGS=3000 SESS=10 KILL_AFTER=300 (delivered before the kill)
#   JAR=<repo>/ops/target/mailflow.jar  BASE=mktemp -d  KEEP=0 (1: leave $BASE with its logs)
set -euo pipefail
# One JVM per mailflow process: this script signals and measures mailflow by its PID, and the jar's launcher would
# otherwise run the work in a child JVM (ops/cli Launcher). MAILFLOW_NO_RELAUNCH=0 measures the jar's default path.
export MAILFLOW_NO_RELAUNCH=${MAILFLOW_NO_RELAUNCH:-1}
TRIALS=${TRIALS:-3}; MSGS=${MSGS:-3000}; SESS=${SESS:-10}; KILL_AFTER=${KILL_AFTER:-300}; KEEP=${KEEP:-0}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
JAR=${JAR:-$REPO/ops/target/mailflow.jar}
BASE=${BASE:-$(mktemp -d /var/tmp/mailflow-killrestart.XXXXXX)}
mkdir -p "$BASE"; ORG=$BASE/org.yaml; DATA=$BASE/data; SINK_LOG=$BASE/sink.log; LOAD_LOG=$BASE/load.log
MF_PID=""; SINK_PID=""; LOAD_PID=""

log() { echo "[kill-restart] $*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }
port_listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q 127.0.0.1; }
free_port() { local p; while :; do p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000)); ss -Htan "sport = :$p" | grep -q . || { echo "$p"; return; }; done; }
sink_count() { local s; s=$(tail -c 80 "$SINK_LOG" 2>/dev/null | tr '\r' '\n' | grep -o 'mesg=[0-9]*' | tail -1 || true); s=${s#mesg=}; echo "${s:-0}"; }
greets() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT_IN && head -c 3 <&3" 2>/dev/null | grep -q 220; }

PORT_IN=$(free_port); PORT_SINK=$(free_port); KAFKA_PORT=$(free_port)
cat > "$ORG" <<EOF
serverName: EX01
siteName: Default-First-Site-Name
acceptedDomains:
  - { domainName: contoso.test, type: Authoritative, default: true }
  - { domainName: sink.test, type: InternalRelay }
receiveConnectors:
  - name: Bench Frontend EX01
    bindings: ["127.0.0.1:$PORT_IN"]
    permissionGroups: [AnonymousUsers, ExchangeServers]
    authMechanisms: [Tls]
    maxInboundConnectionPerSource: unlimited
sendConnectors:
  - name: Sink
    addressSpaces: [sink.test]
    smartHosts: ["[127.0.0.1]:$PORT_SINK"]
EOF

start_mailflow() {  # $1 = log file; stdout lines get a time stamp
  java -jar "$JAR" run --config "$ORG" --data-dir "$DATA" --kafka-port "$KAFKA_PORT" --admin-port 0 \
      > >(perl -MTime::HiRes=time -ne 'BEGIN{$|=1} printf "%.3f %s", time, $_' > "$1") 2>&1 &
  MF_PID=$!
}
teardown() {
  for p in "$LOAD_PID" "$MF_PID" "$SINK_PID"; do [ -z "$p" ] || kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "$KEEP" = 1 ] && log "kept $BASE" || rm -rf "$BASE"
}
trap teardown EXIT

smtp-sink -u nobody -c 127.0.0.1:"$PORT_SINK" 1024 > "$SINK_LOG" 2>&1 &
SINK_PID=$!
start_mailflow "$BASE/start-0.log"
until greets; do kill -0 "$MF_PID" || { log "mailflow exited"; cat "$BASE/start-0.log" >&2; exit 1; }; sleep 0.2; done
log "first start up (base $BASE)"

for trial in $(seq 1 "$TRIALS"); do
  before=$(sink_count)
  java -jar "$JAR" loadtest --target 127.0.0.1:"$PORT_IN" --connections "$SESS" --messages "$MSGS" \
      --size 1024 --rcpt bench@sink.test --from sender@bench.test --time-limit 120 > "$LOAD_LOG.$trial" 2>&1 &
  LOAD_PID=$!
  until [ "$(sink_count)" -ge $((before + KILL_AFTER)) ]; do sleep 0.05; done
  kill -9 "$MF_PID"; wait "$MF_PID" 2>/dev/null || true
  killed=$(( $(sink_count) - before ))
  wait "$LOAD_PID" 2>/dev/null || true; LOAD_PID=""
  accepted=$(awk '/^accepted/{print $2; exit}' "$LOAD_LOG.$trial")
  t0=$(now)
  start_mailflow "$BASE/start-$trial.log"
  at_start=$(sink_count); greet=""; first=""
  while [ -z "$greet" ] || [ -z "$first" ]; do  # either may come first: delivery starts before the edge
    [ -n "$first" ] || [ "$(sink_count)" -le "$at_start" ] || first=$(since "$t0")
    [ -n "$greet" ] || ! greets || greet=$(since "$t0")
    [ "$(since "$t0" | cut -d. -f1)" -lt 180 ] || break
    sleep 0.05
  done
  until [ $(( $(sink_count) - before )) -ge "${accepted:-0}" ]; do sleep 0.1; [ "$(since "$t0" | cut -d. -f1)" -lt 300 ] || break; done
  all=$(since "$t0")
  echo "trial $trial: killed with $killed delivered, ${accepted:-?} accepted; restart: greeting after $greet s, first delivery after $first s, all delivered after $all s ($(( $(sink_count) - before )) counted)"
done
