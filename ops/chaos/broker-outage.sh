#!/usr/bin/env bash
# broker-outage.sh -- the only broker stopped for OUTAGE seconds under SMTP load, the roles left running.
#
#   mailflow broker (one KRaft node) <- edge, categorizer, routing, delivery (one process each)
#
# After WARM seconds of load the broker is stopped (MODE=term: SIGTERM, a clean shutdown; kill: kill -9;
# pause: SIGSTOP, the process frozen, connections open), OUTAGE seconds later started again on the same data
# dir and ports (or SIGCONT), and the load goes on for AFTER seconds. No role is restarted.
# Checks: the edge answers 4xx (or refuses), never 250, for mail it cannot write -- a 250 that was not written
# shows up as lost; every role process is still up at the end and mail acknowledged after the outage arrives.
# Prints the replies during and after the outage (first 4xx, first 250 after the broker is back, longest gap
# without 250) and broker back -> first delivery.
# Exit 0 only if no acknowledged message is lost, none is duplicated, no role died and the edge said 250 again.
#
# Env knobs (defaults; and those of lib.sh: RATE SESSIONS SETTLE START_TIMEOUT JAVA_OPTS BASE SEED PLANT KEEP):
#   OUTAGE=20  seconds the broker is away
#   MODE=term  term | kill | pause
#   WARM=10    seconds of load before the outage
#   AFTER=30   seconds of load after the broker is back
DRILL=broker-outage
source "$(dirname "$0")/lib.sh"
OUTAGE=${OUTAGE:-20}; MODE=${MODE:-term}; WARM=${WARM:-10}; AFTER=${AFTER:-30}
case $MODE in term|kill|pause) ;; *) log "MODE=$MODE: use term, kill or pause"; exit 2;; esac

ensure_jar
SMTP=$(free_port); KAFKA=$(free_port); CONTROLLER=$(free_port); ORG=$BASE/org.yaml
BOOT=127.0.0.1:$KAFKA
write_org "$ORG" "$SMTP" 1
ROLES=(edge categorizer routing delivery)
log "seed $SEED, outage ${OUTAGE}s ($MODE), base $BASE, broker $BOOT, edge 127.0.0.1:$SMTP"

start_broker() {
  mailflow broker broker --node-id 1 --port "$KAFKA" --controller-quorum "1@127.0.0.1:$CONTROLLER" --data-dir "$BASE/kafka"
}
start_broker
await_line broker 'broker is running' || exit 2
start_roles "${ROLES[@]}"

start_load "$SMTP" $(( WARM + OUTAGE + AFTER + START_TIMEOUT + 60 ))
sleep "$WARM"
DOWN_T=$(now)
case $MODE in
  term) stop broker;;
  kill) kill_hard broker;;
  pause) kill -STOP "${PID[broker]}";;
esac
log "broker stopped ($MODE); roles left running"
sleep "$OUTAGE"
UP_T=$(now)
if [ "$MODE" = pause ]; then kill -CONT "${PID[broker]}"; else
  from=$(log_lines broker); start_broker; await_line broker 'broker is running' "$from" || exit 2
fi
READY_T=$(now)
log "broker back ($(elapsed "$UP_T" "$READY_T")s to answer clients)"
first=$(first_delivery_after "$UP_T" "$((AFTER + SETTLE))")
sleep "$AFTER"
stop_load
count
dead=""; for r in "${ROLES[@]}"; do alive "$r" || dead="$dead $r"; done
echo "== broker-outage: broker $MODE for ${OUTAGE}s under $RATE msg/s (seed $SEED)"
echo "-- during the outage (broker down -> broker back):"
python3 "$CHAOS_PY" replies --events "$EVENTS" --since "$DOWN_T" --until "$UP_T" | tee "$BASE/during.txt"
echo "-- after (from the broker's restart):"
python3 "$CHAOS_PY" replies --events "$EVENTS" --since "$UP_T" | tee "$BASE/after.txt"
echo "broker back -> first delivery: $([ "$first" = none ] && echo none || elapsed "$UP_T" "$first") s"
rc=$COUNT_RC
[ -z "$dead" ] || { echo "FAIL: roles that died:$dead"; tail -5 "$BASE"/{edge,categorizer,routing,delivery}.log >&2; rc=1; }
grep -q '250=' "$BASE/after.txt" || { echo "FAIL: the edge never answered 250 after the broker came back"; rc=1; }
[ "$first" != none ] || { echo "FAIL: nothing delivered after the broker came back"; rc=1; }
[ "$rc" = 0 ] && DRILL_OK=1
exit "$rc"
