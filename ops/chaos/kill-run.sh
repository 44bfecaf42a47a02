#!/usr/bin/env bash
# kill-run.sh -- kill -9 of `mailflow run` (embedded broker and every stage in one JVM) at a random moment
# under SMTP load, TRIALS times on the same data dir, then count what arrived.
#
# Per trial: launch `mailflow run`, wait for the SMTP greeting (launch -> greeting), let the load run for a
# random UP_MIN..UP_MAX seconds, kill -9, wait DOWN seconds (the client keeps trying and gets refused),
# launch again. After the last trial one more launch drains the rest; the count then waits up to SETTLE s.
# Recovery per trial: kill -> first Maildir delivery after the next launch; launch -> first greeting.
# Exit 0 only if no acknowledged message is lost and none is delivered twice to a mailbox.
#
# Env knobs (defaults; and those of lib.sh: RATE SESSIONS SETTLE START_TIMEOUT JAVA_OPTS BASE SEED PLANT KEEP):
#   TRIALS=3   kill -9 trials (the issue's long form: TRIALS=20)
#   UP_MIN=3 UP_MAX=10   seconds of load between the greeting and the kill (uniform, whole seconds)
#   DOWN=1     seconds the JVM stays dead before it is launched again
DRILL=kill-run
source "$(dirname "$0")/lib.sh"
TRIALS=${TRIALS:-3}; UP_MIN=${UP_MIN:-3}; UP_MAX=${UP_MAX:-10}; DOWN=${DOWN:-1}

ensure_jar
SMTP=$(free_port); ORG=$BASE/org.yaml; DATA=$BASE/data
write_org "$ORG" "$SMTP" 1
log "seed $SEED, $TRIALS trials, base $BASE, edge 127.0.0.1:$SMTP"

launch() {  # sets LAUNCH_T and GREET_T
  LAUNCH_T=$(now)
  mailflow run run --config "$ORG" --data-dir "$DATA" --mail-store "$STORE" --kafka-port 0 --admin-port 0
  GREET_T=$(greeting "$SMTP") || { log "no greeting after launch:"; tail -20 "$BASE/run.log" >&2; exit 2; }
}

printf '%-6s %14s %10s %22s\n' trial greeting_s up_s kill_to_delivery_s > "$BASE/trials.txt"
launch
start_load "$SMTP" $(( TRIALS * (UP_MAX + DOWN + START_TIMEOUT) + 60 ))
for t in $(seq 1 "$TRIALS"); do
  greet_s=$(elapsed "$LAUNCH_T" "$GREET_T")
  up=$(rand_between "$UP_MIN" "$UP_MAX")
  sleep "$up"
  alive run || { log "mailflow run died by itself before trial $t's kill:"; tail -20 "$BASE/run.log" >&2; exit 2; }
  KILL_T=$(now); kill_hard run
  log "trial $t: killed after ${up}s of load (greeting came ${greet_s}s after launch)"
  sleep "$DOWN"
  launch
  first=$(first_delivery_after "$LAUNCH_T" "$START_TIMEOUT")
  rec=$([ "$first" = none ] && echo none || elapsed "$KILL_T" "$first")
  log "trial $t: launched again; kill -> first delivery ${rec}s"
  printf '%-6s %14s %10s %22s\n' "$t" "$greet_s" "$up" "$rec" >> "$BASE/trials.txt"
done
sleep 3  # some load on the last launch too
stop_load
count
stop run
echo "== kill-run: $TRIALS trials of kill -9 (seed $SEED), $RATE msg/s; recovery per trial:"
cat "$BASE/trials.txt"
awk 'NR>1 && $4!="none"{n++; s+=$4; if($4>m)m=$4; g+=$2} END{if(n) printf "kill -> first delivery: mean %.1f s, max %.1f s; launch -> greeting mean %.1f s\n", s/n, m, g/n}' "$BASE/trials.txt"
[ "$COUNT_RC" = 0 ] && DRILL_OK=1
exit "$COUNT_RC"
