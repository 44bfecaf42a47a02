#!/usr/bin/env bash
# kill-roles.sh -- one role per process on one broker, random instances killed with kill -9 under SMTP load.
#
#   mailflow broker (one KRaft node) <- edge, categorizer x2, routing, delivery x2 (one shared mail store)
#
# KILLS times: after a random UP_MIN..UP_MAX seconds of load, kill -9 one instance picked at random (any
# role, the edge included), wait DOWN seconds, start it again with the same data dir. Recovery per kill:
# kill -> the instance's ready line ("<role> running against Kafka"), and kill -> first Maildir delivery
# after the restart. Then the load stops and the count waits up to SETTLE s.
# Exit 0 only if no acknowledged message is lost and none is delivered twice to a mailbox.
#
# Env knobs (defaults; and those of lib.sh: RATE SESSIONS SETTLE START_TIMEOUT JAVA_OPTS BASE SEED PLANT KEEP):
#   KILLS=3    instances killed, one after another
#   UP_MIN=5 UP_MAX=15   seconds of load before each kill
#   DOWN=1     seconds the instance stays dead
DRILL=kill-roles
source "$(dirname "$0")/lib.sh"
KILLS=${KILLS:-3}; UP_MIN=${UP_MIN:-5}; UP_MAX=${UP_MAX:-15}; DOWN=${DOWN:-1}

ensure_jar
SMTP=$(free_port); KAFKA=$(free_port); CONTROLLER=$(free_port); ORG=$BASE/org.yaml
BOOT=127.0.0.1:$KAFKA
write_org "$ORG" "$SMTP" 1
INSTANCES=(edge categorizer-1 categorizer-2 routing delivery-1 delivery-2)
log "seed $SEED, $KILLS kills, base $BASE, broker $BOOT, edge 127.0.0.1:$SMTP"

mailflow broker broker --node-id 1 --port "$KAFKA" --controller-quorum "1@127.0.0.1:$CONTROLLER" --data-dir "$BASE/kafka"
await_line broker 'broker is running' || exit 2
start_instance() {  # start_instance NAME: the role of that name, its own data dir, the shared store
  local name=$1 role=${1%-[0-9]} extra=()
  [ "$role" = delivery ] && extra=(--mail-store "$STORE")
  mailflow "$name" "$role" --config "$ORG" --bootstrap "$BOOT" --data-dir "$BASE/$name" "${extra[@]}"
}
for i in "${INSTANCES[@]}"; do start_instance "$i"; done
for i in "${INSTANCES[@]}"; do await_line "$i" 'running against Kafka' || exit 2; done
greeting "$SMTP" > /dev/null || exit 2
log "all ${#INSTANCES[@]} instances ready"

printf '%-4s %-14s %6s %16s %22s\n' kill instance up_s kill_to_ready_s kill_to_delivery_s > "$BASE/kills.txt"
start_load "$SMTP" $(( KILLS * (UP_MAX + DOWN + START_TIMEOUT) + 60 ))
for k in $(seq 1 "$KILLS"); do
  up=$(rand_between "$UP_MIN" "$UP_MAX"); sleep "$up"
  victim=${INSTANCES[$(( RANDOM % ${#INSTANCES[@]} ))]}
  for i in "${INSTANCES[@]}"; do alive "$i" || { log "$i died by itself:"; tail -20 "$BASE/$i.log" >&2; exit 2; }; done
  KILL_T=$(now); kill_hard "$victim"
  log "kill $k: $victim (after ${up}s of load)"
  sleep "$DOWN"
  from=$(log_lines "$victim"); start_instance "$victim"; RESTART_T=$(now)
  await_line "$victim" 'running against Kafka' "$from" || exit 2
  ready=$(elapsed "$KILL_T" "$(now)")
  first=$(first_delivery_after "$RESTART_T" "$START_TIMEOUT")
  rec=$([ "$first" = none ] && echo none || elapsed "$KILL_T" "$first")
  log "kill $k: $victim ready ${ready}s after the kill, first delivery after restart ${rec}s"
  printf '%-4s %-14s %6s %16s %22s\n' "$k" "$victim" "$up" "$ready" "$rec" >> "$BASE/kills.txt"
done
sleep 5
stop_load
count
dead=""; for i in "${INSTANCES[@]}"; do alive "$i" || dead="$dead $i"; done
echo "== kill-roles: $KILLS kill -9 of role instances (seed $SEED), $RATE msg/s; recovery per kill:"
cat "$BASE/kills.txt"
[ -z "$dead" ] || { echo "instances that died by themselves:$dead"; exit 1; }
[ "$COUNT_RC" = 0 ] && DRILL_OK=1
exit "$COUNT_RC"
