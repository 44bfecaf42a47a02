# lib.sh -- the harness the fault drills share (sourced, not run): the jar, ports, the processes a drill
# starts (tracked by name and PID; only those are ever signalled), the organization, the load client
# (chaos.py send) and the final count (chaos.py count). Patterns from ops/bench/pipeline-relay.sh.
#
# Env knobs common to every drill (defaults):
#   RATE=20          SMTP attempts per second over all sessions (chaos.py send --rate)
#   SESSIONS=4       concurrent SMTP sessions
#   SETTLE=120       seconds the count waits for acknowledged mail to arrive before calling it lost
#   START_TIMEOUT=180  bound (s) for a process to come up (greeting, ready line)
#   JAVA_OPTS="-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"   for every mailflow JVM (many share 2 cores)
#   JAR=<repo>/ops/target/mailflow.jar   rebuilt (mvn -o -q package -pl ops/cli -am -DskipTests) if stale
#   BASE=mktemp -d /var/tmp/mailflow-chaos.XXXXXX   everything the drill writes; kept on failure or KEEP=1
#   SEED=$RANDOM     seed of the drill's random choices (moments, victims), printed so a run can be repeated
#   PLANT=           self-test of the counter: "duplicate" copies one delivered Maildir file, "loss" deletes
#                    one, just before the count; the drill must then fail
set -euo pipefail
# One JVM per mailflow process: this script signals and measures mailflow by its PID, and the jar's launcher would
# otherwise run the work in a child JVM (ops/cli Launcher). MAILFLOW_NO_RELAUNCH=0 measures the jar's default path.
export MAILFLOW_NO_RELAUNCH=${MAILFLOW_NO_RELAUNCH:-1}

RATE=${RATE:-20}; SESSIONS=${SESSIONS:-4}; SETTLE=${SETTLE:-120}; START_TIMEOUT=${START_TIMEOUT:-180}
JAVA_OPTS=${JAVA_OPTS:--Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
KEEP=${KEEP:-0}; PLANT=${PLANT:-}
SEED=${SEED:-$RANDOM}; RANDOM=$SEED
CHAOS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$CHAOS_DIR/../.." && pwd)
JAR=${JAR:-$REPO/ops/target/mailflow.jar}
CHAOS_PY=$CHAOS_DIR/chaos.py
OWN_BASE=0; [ -n "${BASE:-}" ] || { BASE=$(mktemp -d /var/tmp/mailflow-chaos.XXXXXX); OWN_BASE=1; }
mkdir -p "$BASE"
ACKED=$BASE/acked.tsv; EVENTS=$BASE/replies.tsv; STORE=$BASE/mailstore
MAILBOXES=alice@contoso.test,bob@contoso.test,carol@contoso.test
DRILL_OK=0
declare -A PID=()

log() { echo "[${DRILL:-chaos}] $(date -u +%T) $*" >&2; }
now() { date +%s.%N | cut -c1-14; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", b-a}'; }
rand_between() { echo $(( $1 + RANDOM % ($2 - $1 + 1) )); }

# ---------------------------------------------------------------- the jar
jar_stale() {  # 0 if the jar is missing or a source/pom file is newer than it
  [ -f "$JAR" ] || return 0
  [ -n "$(find "$REPO" -path "$REPO/.git" -prune -o -path '*/target' -prune -o \
           \( -name pom.xml -o -path '*/src/main/*' \) -type f -newer "$JAR" -print -quit)" ]
}
ensure_jar() {
  if jar_stale; then
    log "building $JAR (mvn -o -q package -pl ops/cli -am -DskipTests; a minute or two)"
    (cd "$REPO" && mvn -o -q package -pl ops/cli -am -DskipTests) >&2 || [ -f "$JAR" ] || { log "build failed"; exit 2; }
  fi
  # a private copy: a rebuild of ops/target during the drill must not pull the jar from under us
  cp "$JAR" "$BASE/mailflow.jar"; JAR=$BASE/mailflow.jar
}

# ---------------------------------------------------------------- ports and processes
free_port() {  # a loopback port free now (the kernel's pick)
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
spawn() {  # spawn NAME CMD...: runs CMD in the background, output appended to $BASE/NAME.log
  local name=$1; shift
  echo "---- $(date -u +%T) start: $*" >> "$BASE/$name.log"
  "$@" >> "$BASE/$name.log" 2>&1 &
  PID[$name]=$!
}
mailflow() {  # mailflow NAME ARGS...: a mailflow JVM under NAME
  local name=$1; shift
  # shellcheck disable=SC2086  # JAVA_OPTS is a word list on purpose
  spawn "$name" java $JAVA_OPTS -jar "$JAR" "$@"
}
alive() { [ -n "${PID[$1]:-}" ] && kill -0 "${PID[$1]}" 2>/dev/null; }
kill_hard() {  # SIGKILL one process we started, and reap it
  local p=${PID[$1]:-}; [ -n "$p" ] || return 0
  kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; PID[$1]=""
}
stop() {  # SIGTERM (mailflow's shutdown hook closes cleanly), SIGKILL after 30 s
  local p=${PID[$1]:-} i; [ -n "$p" ] || return 0
  if kill -0 "$p" 2>/dev/null; then
    kill "$p" 2>/dev/null || true
    for i in $(seq 1 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && { log "$1 (pid $p) still up after 30 s: SIGKILL"; kill -9 "$p" 2>/dev/null || true; }
  fi
  wait "$p" 2>/dev/null || true; PID[$1]=""
}
await_line() {  # await_line NAME REGEX [FROM_LINE]: until NAME's log has a matching line after FROM_LINE; 1 if it died
  local name=$1 re=$2 from=${3:-0} deadline=$(( $(date +%s) + START_TIMEOUT ))
  while ! tail -n +"$((from + 1))" "$BASE/$name.log" | grep -Eq "$re"; do
    alive "$name" || { log "$name exited:"; tail -15 "$BASE/$name.log" >&2; return 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { log "$name: no /$re/ within ${START_TIMEOUT}s"; return 1; }
    sleep 0.1
  done
}
log_lines() { wc -l < "$BASE/$1.log" 2>/dev/null || echo 0; }
greeting() {  # epoch of the first 220 from 127.0.0.1:$1
  python3 "$CHAOS_PY" greet --port "$1" --timeout "$START_TIMEOUT"
}
first_delivery_after() {  # epoch of the first Maildir file newer than $1 ("none" after $2 s)
  python3 "$CHAOS_PY" first --store "$STORE" --after "$1" --timeout "${2:-$SETTLE}" || true
}

# ---------------------------------------------------------------- the organization
write_org() {  # write_org FILE SMTP_PORT REPLICATION_FACTOR
  cat > "$1" <<EOF
# fault drill organization: three mailboxes, one anonymous receive connector on loopback
serverName: EX01
siteName: Default-First-Site-Name
kafka: { partitions: 3, replicationFactor: $3 }
acceptedDomains: [ { domainName: contoso.test, type: Authoritative, default: true } ]
receiveConnectors:
  - name: Drill Frontend EX01
    bindings: ["127.0.0.1:$2"]
    permissionGroups: [AnonymousUsers, ExchangeServers]
    maxInboundConnectionPerSource: unlimited
mailboxes:
  - { name: Alice, primarySmtpAddress: alice@contoso.test }
  - { name: Bob, primarySmtpAddress: bob@contoso.test }
  - { name: Carol, primarySmtpAddress: carol@contoso.test }
EOF
}

# ---------------------------------------------------------------- load and count
start_roles() {  # start_roles ROLE...: one mailflow process per role on $BOOT (delivery's store: $STORE), until
  # each says it is running and the edge on $SMTP greets; exits the drill (2) if one does not
  local r extra
  for r in "$@"; do
    extra=(); [ "$r" = delivery ] && extra=(--mail-store "$STORE")
    mailflow "$r" "$r" --config "$ORG" --bootstrap "$BOOT" --data-dir "$BASE/$r" "${extra[@]}"
  done
  for r in "$@"; do await_line "$r" 'running against Kafka' || exit 2; done
  greeting "$SMTP" > /dev/null || exit 2
}
start_load() {  # start_load SMTP_PORT BOUND_SECONDS: the client until stop_load or the bound
  : > "$ACKED"; : > "$EVENTS"
  spawn load python3 "$CHAOS_PY" send --port "$1" --mailboxes "$MAILBOXES" --acked "$ACKED" --events "$EVENTS" \
    --rate "$RATE" --sessions "$SESSIONS" --duration "$2"
  log "load: $RATE msg/s over $SESSIONS sessions to $MAILBOXES"
}
stop_load() { stop load; tail -1 "$BASE/load.log" | sed 's/^/  /' >&2; }
plant() {  # the counter's self-test: make one duplicate or one loss on purpose
  local f; f=$(find "$STORE" -path '*/Maildir/new/*' -type f -print -quit)
  [ -n "$f" ] || { log "PLANT=$PLANT: no delivered file to work on"; return 0; }
  case $PLANT in
    duplicate) cp "$f" "$(dirname "$f")/planted-duplicate.$(basename "$f")"; log "planted a duplicate of $f";;
    loss) rm "$f"; log "planted a loss: removed $f";;
    *) log "PLANT=$PLANT: use duplicate or loss"; exit 2;;
  esac
}
count() {  # the summary table; sets COUNT_RC (0: no loss, no duplicate)
  [ -z "$PLANT" ] || plant
  COUNT_RC=0
  python3 "$CHAOS_PY" count --acked "$ACKED" --store "$STORE" --settle "${1:-$SETTLE}" | tee "$BASE/count.txt" || COUNT_RC=$?
}

teardown() {
  local n i left
  # SIGTERM to all at once: brokers stopped one by one would each wait for a quorum that is already gone
  for n in "${!PID[@]}"; do [ -z "${PID[$n]:-}" ] || kill "${PID[$n]}" 2>/dev/null || true; done
  for i in $(seq 1 300); do
    left=""; for n in "${!PID[@]}"; do alive "$n" && left="$left $n"; done
    [ -n "$left" ] || break; sleep 0.1
  done
  for n in $left; do log "$n (pid ${PID[$n]}) still up after 30 s: SIGKILL"; kill -9 "${PID[$n]}" 2>/dev/null || true; done
  for n in "${!PID[@]}"; do [ -z "${PID[$n]:-}" ] || wait "${PID[$n]}" 2>/dev/null || true; PID[$n]=""; done
  if [ "$KEEP" = 1 ] || [ "$DRILL_OK" != 1 ]; then log "logs and stores kept in $BASE"
  elif [ "$OWN_BASE" = 1 ]; then rm -rf "$BASE"; fi
}
trap teardown EXIT
trap 'exit 130' INT TERM
