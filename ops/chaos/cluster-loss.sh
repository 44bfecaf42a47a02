#!/usr/bin/env bash
# cluster-loss.sh -- a three-broker KRaft cluster on loopback (RF 3, min ISR 2) losing one broker under load.
#
#   mailflow broker x3 (node ids 1-3, one quorum) <- edge, categorizer, routing, delivery (one process each,
#   --bootstrap naming all three brokers); topics created with the organization's replicationFactor 3
#
# After WARM seconds of load, kill -9 one broker (VICTIM, default a random one: it may be the active
# controller or lead partitions), DOWN seconds later start it again (RESTART=1) and load for AFTER seconds.
# With min ISR 2, two brokers still take every write: the edge should keep answering 250.
# Prints the replies after the kill (longest gap without 250), kill -> first delivery, the restarted broker's
# time to answer clients. Exit 0 only if no acknowledged message is lost and none is duplicated.
#
# Env knobs (defaults; and those of lib.sh: RATE SESSIONS SETTLE START_TIMEOUT JAVA_OPTS BASE SEED PLANT KEEP):
#   VICTIM=random  node id (1-3) to kill
#   WARM=10 DOWN=20 AFTER=30   seconds of load before the kill, the broker dead, load after its return
#   RESTART=1  0: leave the victim dead (the cluster runs on two brokers to the end)
DRILL=cluster-loss
source "$(dirname "$0")/lib.sh"
WARM=${WARM:-10}; DOWN=${DOWN:-20}; AFTER=${AFTER:-30}; RESTART=${RESTART:-1}
VICTIM=${VICTIM:-$(( 1 + RANDOM % 3 ))}
case $VICTIM in 1|2|3) ;; *) log "VICTIM=$VICTIM: use 1, 2 or 3"; exit 2;; esac

ensure_jar
SMTP=$(free_port); ORG=$BASE/org.yaml
declare -A KPORT CPORT
QUORUM=""; BOOT=""
for n in 1 2 3; do
  KPORT[$n]=$(free_port); CPORT[$n]=$(free_port)
  QUORUM="$QUORUM${QUORUM:+,}$n@127.0.0.1:${CPORT[$n]}"; BOOT="$BOOT${BOOT:+,}127.0.0.1:${KPORT[$n]}"
done
write_org "$ORG" "$SMTP" 3
ROLES=(edge categorizer routing delivery)
log "seed $SEED, victim broker-$VICTIM, base $BASE, quorum $QUORUM, edge 127.0.0.1:$SMTP"

start_broker() {
  mailflow "broker-$1" broker --node-id "$1" --port "${KPORT[$1]}" --controller-quorum "$QUORUM" \
    --data-dir "$BASE/kafka-$1"
}
for n in 1 2 3; do start_broker "$n"; done
for n in 1 2 3; do await_line "broker-$n" 'broker is running' || exit 2; done
log "three brokers up"
start_roles "${ROLES[@]}"

start_load "$SMTP" $(( WARM + DOWN + AFTER + START_TIMEOUT + 60 ))
sleep "$WARM"
KILL_T=$(now); kill_hard "broker-$VICTIM"
log "kill -9 broker-$VICTIM"
first=$(first_delivery_after "$KILL_T" "$((DOWN + AFTER + SETTLE))")
now_t=$(now); left=$(awk -v a="$KILL_T" -v b="$now_t" -v d="$DOWN" 'BEGIN{x=d-(b-a); print (x>0?int(x+0.5):0)}')
sleep "$left"
BACK=""
if [ "$RESTART" = 1 ]; then
  UP_T=$(now); from=$(log_lines "broker-$VICTIM"); start_broker "$VICTIM"
  await_line "broker-$VICTIM" 'broker is running' "$from" || exit 2
  BACK=$(elapsed "$UP_T" "$(now)")
  log "broker-$VICTIM back, answering clients after ${BACK}s"
fi
sleep "$AFTER"
stop_load
count
dead=""; for r in "${ROLES[@]}"; do alive "$r" || dead="$dead $r"; done
echo "== cluster-loss: kill -9 of broker-$VICTIM of 3 (RF 3, min ISR 2) for ${DOWN}s under $RATE msg/s (seed $SEED)"
echo "-- replies from the kill on:"
python3 "$CHAOS_PY" replies --events "$EVENTS" --since "$KILL_T"
echo "kill -> first delivery: $([ "$first" = none ] && echo none || elapsed "$KILL_T" "$first") s"
[ -z "$BACK" ] || echo "restarted broker answering clients after: $BACK s"
rc=$COUNT_RC
[ -z "$dead" ] || { echo "FAIL: roles that died:$dead"; rc=1; }
[ "$rc" = 0 ] && DRILL_OK=1
exit "$rc"
