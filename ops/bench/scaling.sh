#!/usr/bin/env bash
# scaling.sh -- what scaling out costs: the pipeline as one process per role instance against one separate broker
# process, then (SINGLE=1) one `mailflow run` with the same load, for comparison (issue 13, "Scaling", "Memory").
#
#   loadtest --SMTP--> edge --mail.submission.v1--> categorizer x2 --mail.categorized.v1--> routing
#            --mail.delivery.v1--> delivery x2 (send connector "Sink", smart host) --SMTP--> smtp-sink (counts)
#
#   roles:  `mailflow broker` (one KRaft node: broker and controller, replication 1, its own JVM) and six role JVMs:
#           edge, categorizer-1, categorizer-2, routing, delivery-1, delivery-2, each `mailflow <role> --bootstrap ..
#           --data-dir <own dir> --admin-port 0` (own instance id, tracking index and admin server, as on its own
#           machine); the two instances of a role share its consumer group (6 partitions per topic by default).
#   run:    `mailflow run` (embedded broker and every stage in one JVM), exactly as pipeline-relay.sh starts it.
#
# The organization, load and figures are pipeline-relay.sh's (whose functions this script sources): sink.test
# InternalRelay, send connector Sink via smart host [127.0.0.1]:<smtp-sink>, `mailflow loadtest` to bench@sink.test.
# One figure line per case on stdout:
#   scaling 1KB roles: accepted N msg/s, delivered N msg/s, DATA->250 p50 N ms p99 N ms, N CPU-ms/msg, RSS N MB ...
#   scaling 1KB run:   the same for one `mailflow run`
# and on stderr per process: CPU-ms/msg, RSS idle (after the warm-up), heap used after a full GC (idle, and after the
# load), peak RSS under the load (VmHWM, reset just before the run), and per instance the partitions it was assigned,
# the records it consumed during the run and its consumer lag at the end (kafka_consumer_fetch_manager_records_lag from
# its /metrics: 0 when it has read all it was given).
#
# Durability: `run` flushes its embedded broker's files before each 250 (LogFlusher, group commit). A separate broker
# process cannot: Kafka acknowledges on replication, and one node with replication 1 acknowledges from the page cache.
# The role processes here run with --broker-data-dir <the broker's data dir> (same machine), which makes each of them
# flush the broker's partition files itself before a 250 and before a stage commit: the same guarantee as `run`.
# DURABLE=off turns it off in both cases (transportService.flushToDiskBeforeAcknowledge: false).
#
# Env knobs (defaults):
#   SIZE=1024 MSGS=20000 SESS=20   as pipeline-relay.sh (messages per run, bytes per message, SMTP sessions)
#   CATEGORIZERS=2 DELIVERIES=2     instances of those roles (edge and routing: one each)
#   DESTS=1         destinations (next-hop keys): 1 = bench@sink.test, as pipeline-relay.sh. A delivery queue is one
#                   next hop on one partition of mail.delivery.v1, owned by one delivery instance: with one
#                   destination the second delivery instance has nothing to do. DESTS=N adds send connectors
#                   D1..DN for d1..dN.sink.test (all to the same smtp-sink) and sends round-robin to bench@dI.sink.test
#   SINGLE=1        also measure one `mailflow run` with the same knobs after the roles (0: roles only)
#   WARMUP=200      messages end to end before each measured case (groups joined, JIT warmed), not counted
#   RUN_TIMEOUT=300 bound (s) of one measured run (load + drain); START_TIMEOUT=180 per process start
#   DURABLE=on      on: roles with --broker-data-dir, run with its default flush; off: neither flushes
#   JAVA_OPTS=      options of every mailflow JVM (the broker's too), e.g. -Xmx256m; none: the JVM's default heap
#   BROKER_OPTS=    more options for the broker's JVM only
#   PORT_IN=0 PORT_SINK=0 PORT_KAFKA=0 PORT_CONTROLLER=0   0: a free port
#   KEEP=0          1: keep $BASE (logs, data dirs)
#   BASE=mktemp -d /var/tmp/mailflow-scaling.XXXXXX
# Stops only what it started (by PID): SIGTERM, SIGKILL after 30 s.
set -euo pipefail
BENCH_NAME=scaling
[ -n "${BASE:-}" ] || { BASE=$(mktemp -d /var/tmp/mailflow-scaling.XXXXXX); SCALING_OWN_BASE=1; }
# shellcheck source=pipeline-relay.sh
. "$(dirname "$0")/pipeline-relay.sh"
OWN_BASE=${SCALING_OWN_BASE:-0}
CATEGORIZERS=${CATEGORIZERS:-2}; DELIVERIES=${DELIVERIES:-2}; SINGLE=${SINGLE:-1}; DESTS=${DESTS:-1}
PORT_KAFKA=${PORT_KAFKA:-0}; PORT_CONTROLLER=${PORT_CONTROLLER:-0}; BROKER_OPTS=${BROKER_OPTS:-}
BROKER_DIR=$BASE/broker

# ---------------------------------------------------------------- processes of this script
NAMES=(); PIDS=(); ROLES=(); URLS=()
log_of() { echo "$BASE/$1.log"; }
await_line() {  # $1 = pid, $2 = log, $3 = ERE of the line that says it is up; bounded by START_TIMEOUT
  local deadline=$(( $(date +%s) + START_TIMEOUT ))
  while ! grep -qE "$3" "$2" 2>/dev/null; do
    kill -0 "$1" 2>/dev/null || { log "pid $1 exited during start-up:"; tail -20 "$2" >&2; return 1; }
    [ "$(date +%s)" -ge "$deadline" ] && { log "pid $1 not up after ${START_TIMEOUT}s:"; tail -20 "$2" >&2; return 1; }
    sleep 0.2
  done
}
start_broker() {
  local lg; lg=$(log_of broker)
  # shellcheck disable=SC2086  # word lists on purpose
  java $JAVA_OPTS $BROKER_OPTS -jar "$JAR" broker --node-id 1 --port "$PORT_KAFKA" \
      --controller-quorum "1@127.0.0.1:$PORT_CONTROLLER" --data-dir "$BROKER_DIR" > "$lg" 2>&1 &
  NAMES+=(broker); PIDS+=($!); ROLES+=(broker); URLS+=("")
  await_line "$!" "$lg" '^broker is running'
  BOOTSTRAP=127.0.0.1:$PORT_KAFKA
  log "broker up: pid ${PIDS[-1]}, $BOOTSTRAP (one KRaft node, replication 1), data in $BROKER_DIR"
}
launch_role() {  # $1 = role, $2 = instance name; does not wait
  local lg flush=(); lg=$(log_of "$2")
  [ "$DURABLE" = off ] || flush=(--broker-data-dir "$BROKER_DIR")
  # shellcheck disable=SC2086
  java $JAVA_OPTS -jar "$JAR" "$1" --config "$ORG" --bootstrap "$BOOTSTRAP" --data-dir "$BASE/$2" --admin-port 0 \
      "${flush[@]}" > "$lg" 2>&1 &
  NAMES+=("$2"); PIDS+=($!); ROLES+=("$1"); URLS+=("")
}
await_role() {  # $1 = index in the arrays
  local lg; lg=$(log_of "${NAMES[$1]}")
  await_line "${PIDS[$1]}" "$lg" "^${ROLES[$1]} running against"
  URLS[$1]=$(awk '/^admin /{print $2; exit}' "$lg")
}
start_roles() {
  local i first
  # routing first: the first role process creates the topics; the rest start together
  first=${#PIDS[@]}; launch_role routing routing; await_role "$first"
  first=${#PIDS[@]}
  launch_role edge edge
  for i in $(seq 1 "$CATEGORIZERS"); do launch_role categorizer "categorizer-$i"; done
  for i in $(seq 1 "$DELIVERIES"); do launch_role delivery "delivery-$i"; done
  for i in $(seq "$first" $(( ${#PIDS[@]} - 1 ))); do await_role "$i"; done
  wait_port "$PORT_IN"
  for i in "${!PIDS[@]}"; do log "  ${NAMES[$i]}: pid ${PIDS[$i]} ${URLS[$i]}"; done
  if [ "$DURABLE" != off ]; then grep -h '^durability' "$(log_of edge)" | head -1 | sed 's/^/  edge: /' >&2 || true; fi
}
stop_group() {  # $@ = indexes: SIGTERM to all, then each awaited for up to 30 s, SIGKILL after that
  local i j pid
  for i in "$@"; do pid=${PIDS[$i]}; kill -0 "$pid" 2>/dev/null && kill "$pid" 2>/dev/null || true; done
  for i in "$@"; do
    pid=${PIDS[$i]}
    for j in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "${NAMES[$i]} pid $pid still up after 30 s; SIGKILL"; kill -9 "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
  done
}
stop_pids() {  # every process this script started: the roles, then the broker (a stopping role still commits)
  local i roles=() brokers=()
  for i in "${!PIDS[@]}"; do if [ "${ROLES[$i]}" = broker ]; then brokers+=("$i"); else roles+=("$i"); fi; done
  [ ${#roles[@]} -eq 0 ] || stop_group "${roles[@]}"
  [ ${#brokers[@]} -eq 0 ] || stop_group "${brokers[@]}"
  NAMES=(); PIDS=(); ROLES=(); URLS=()
}
scaling_teardown() {
  stop_load; stop_pids; stop_mailflow; stop_sink
  if [ "$KEEP" = 1 ] || [ "$ANY_INCOMPLETE" = 1 ]; then
    rm -f "$BASE/mailflow.jar"; log "logs and data kept in $BASE"
  elif [ "$OWN_BASE" = 1 ]; then rm -rf "$BASE"; fi
}
trap scaling_teardown EXIT

# ---------------------------------------------------------------- per-process figures
# Each figure of a process counts its descendants too: a launcher that re-executes java must not hide the JVM.
tree_of() {  # $1 = pid: it and every descendant, one per line
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" '
    { s=$0; sub(/^.*\) /,"",s); split(s,r," "); pid=$1; parent[pid]=r[2] }
    END { for (p in parent) { q=p; for (d=0; d<64 && q!="" && q!=0; d++) { if (q==root) { print p; break } q=parent[q] } } }'
}
tree_ticks() { local t=0 p; for p in $(tree_of "$1"); do t=$(( t + $(pid_ticks "$p") )); done; echo "$t"; }
tree_kb() {  # $1 = pid, $2 = VmRSS|VmHWM: summed over the tree, kB
  local t=0 p v; for p in $(tree_of "$1"); do
    v=$(awk -v k="$2:" '$1==k{print $2}' "/proc/$p/status" 2>/dev/null || true); t=$(( t + ${v:-0} )); done; echo "$t"
}
reset_peak() {  # VmHWM := VmRSS (Linux clear_refs 5), so the peak is the run's; 1 if the kernel refused
  local p ok=0; for p in $(tree_of "$1"); do echo 5 > "/proc/$p/clear_refs" 2>/dev/null || ok=1; done; return $ok
}
java_of() {  # the JVM of a tree: the deepest java process (the pid itself when nothing re-executes)
  local p last=$1; for p in $(tree_of "$1"); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = java ] && last=$p; done; echo "$last"
}
metric_sum() {  # $1 = file of /metrics text, $2 = ERE the line must match; the sum of the values
  awk -v re="$2" '!/^#/ && $0 ~ re { v=$NF; if (v != "NaN") t+=v } END { printf "%.0f", t }' "$1"
}
heap_after_gc_mb() {  # $1 = pid, $2 = admin URL: a full GC (jcmd GC.run), then the heap in use by /metrics
  local jvm; jvm=$(java_of "$1")
  jcmd "$jvm" GC.run >/dev/null 2>&1 || { echo "?"; return 0; }
  if [ -z "$2" ]; then  # no admin server (the broker): the JVM's own account
    jcmd "$jvm" GC.heap_info 2>/dev/null | awk '/ heap .*used/ { for (i=1;i<NF;i++) if ($i=="used") { v=$(i+1); sub(/K,?$/,"",v); printf "%d", v/1024; exit } }'
    return 0
  fi
  local m; m=$(mktemp "$BASE/metrics.XXXXXX")
  curl -sf -m 10 -o "$m" "${2}metrics" || { rm -f "$m"; echo "?"; return 0; }
  awk '!/^#/ && /^jvm_memory_used_bytes\{/ && /area="heap"/ { t+=$NF } END { printf "%d", t/1048576 }' "$m"; rm -f "$m"
}
scrape() {  # $1 = admin URL, $2 = file
  [ -n "$1" ] && curl -sf -m 10 -o "$2" "${1}metrics" || : > "$2"
}
stage_topic() { case $1 in categorizer) echo mail.submission.v1;; routing) echo mail.categorized.v1;; delivery) echo mail.delivery.v1;; *) echo "";; esac; }

# ---------------------------------------------------------------- one measured case
# $1 = case name (roles|run); the processes are in NAMES/PIDS/ROLES/URLS. Prints the figure line and the detail.
measure_case() {
  local case=$1 i n=${#PIDS[@]} t0 t1 t2 tl deadline c lat p50 p99 idle0 peak_ok=1
  local -a tk0 tk2 rss_idle heap_idle hwm heap_after m0 m2
  sleep 5  # the warm-up's last commits and queue states settle
  for i in $(seq 0 $((n-1))); do
    rss_idle[$i]=$(( $(tree_kb "${PIDS[$i]}" VmRSS) / 1024 ))
    heap_idle[$i]=$(heap_after_gc_mb "${PIDS[$i]}" "${URLS[$i]}")
  done
  idle0=$(cpu_idle_1s)
  start_sink
  for i in $(seq 0 $((n-1))); do
    m0[$i]=$(mktemp "$BASE/m0.XXXXXX"); scrape "${URLS[$i]}" "${m0[$i]}"
    reset_peak "${PIDS[$i]}" || peak_ok=0
    tk0[$i]=$(tree_ticks "${PIDS[$i]}")
  done
  t0=$(now); deadline=$(awk -v a="$t0" -v b="$RUN_TIMEOUT" 'BEGIN{printf "%d", a+b}')
  run_load "$MSGS" "$RUN_TIMEOUT"
  t1=$(now)
  [ "$LOAD_RC" = 0 ] || log "loadtest exit status $LOAD_RC"
  wait_sink "$MSGS" "$deadline" || log "timeout after ${RUN_TIMEOUT}s: sink has $(sink_count)/$MSGS"
  t2=$(now)
  c=$(sink_count)
  for i in $(seq 0 $((n-1))); do
    tk2[$i]=$(tree_ticks "${PIDS[$i]}"); hwm[$i]=$(( $(tree_kb "${PIDS[$i]}" VmHWM) / 1024 ))
  done
  stop_sink
  sleep 2  # consumers' last fetch positions and commits reach their meters
  for i in $(seq 0 $((n-1))); do
    m2[$i]=$(mktemp "$BASE/m2.XXXXXX"); scrape "${URLS[$i]}" "${m2[$i]}"
    heap_after[$i]=$(heap_after_gc_mb "${PIDS[$i]}" "${URLS[$i]}")
  done
  tl=$t0; [ -n "$LOAD_ELAPSED" ] && tl=$(awk -v t1="$t1" -v e="$LOAD_ELAPSED" 'BEGIN{printf "%.3f", t1-e}')
  lat=$(grep -o 'p50.*' "$LOAD_LOG" 2>/dev/null | head -1 || true)
  p50=$(awk '{for(i=1;i<NF;i++) if ($i=="p50") print $(i+1)}' <<< "$lat"); p99=$(awk '{for(i=1;i<NF;i++) if ($i=="p99") print $(i+1)}' <<< "$lat")
  local ok=1; { [ "$LOAD_RC" = 0 ] && [ "$c" -ge "$MSGS" ]; } || { ok=0; ANY_INCOMPLETE=1; }

  # per process: CPU, memory, consumption, lag
  local ticks_all=0 rss_idle_all=0 hwm_all=0 lag_all=0 row
  local -A role_ticks=() role_n=()
  log "$case: per process (CPU over the run; RSS idle after the warm-up; heap = used after a full GC; peak RSS under the load)"
  for i in $(seq 0 $((n-1))); do
    local d=$(( tk2[i] - tk0[i] )) topic consumed lag assigned
    ticks_all=$(( ticks_all + d )); rss_idle_all=$(( rss_idle_all + rss_idle[i] )); hwm_all=$(( hwm_all + hwm[i] ))
    role_ticks[${ROLES[$i]}]=$(( ${role_ticks[${ROLES[$i]}]:-0} + d )); role_n[${ROLES[$i]}]=$(( ${role_n[${ROLES[$i]}]:-0} + 1 ))
    row=$(awk -v d="$d" -v hz="$HZ" -v n="$MSGS" 'BEGIN{printf "%.3f CPU-ms/msg", 1000*d/hz/n}')
    row="$row, RSS idle ${rss_idle[$i]} MB (heap ${heap_idle[$i]} MB), peak ${hwm[$i]} MB under load (heap after ${heap_after[$i]} MB)"
    topic=$(stage_topic "${ROLES[$i]}")
    if [ -n "$topic" ] && [ "$case" = roles ]; then
      local sel="stage=\"${ROLES[$i]}\".*topic=\"${topic//./\\.}\""
      consumed=$(( $(metric_sum "${m2[$i]}" "^kafka_consumer_fetch_manager_records_consumed_total\\{.*$sel") \
                 - $(metric_sum "${m0[$i]}" "^kafka_consumer_fetch_manager_records_consumed_total\\{.*$sel") ))
      lag=$(metric_sum "${m2[$i]}" "^kafka_consumer_fetch_manager_records_lag\\{.*$sel")
      # one records_lag series per partition the stage's consumer holds (the retry forwarders, also tagged
      # delivery, read other topics): the partitions of the stage's topic this instance owns
      assigned=$(awk -v re="^kafka_consumer_fetch_manager_records_lag\\{.*$sel" '$0 ~ re { n++ } END { print n+0 }' "${m2[$i]}")
      lag_all=$(( lag_all + lag ))
      row="$row; $assigned partition(s) of $topic, consumed $consumed records in the run, lag $lag at the end"
    elif [ "$case" = run ]; then
      for topic in mail.submission.v1 mail.categorized.v1 mail.delivery.v1; do
        lag=$(metric_sum "${m2[$i]}" "^kafka_consumer_fetch_manager_records_lag\\{.*topic=\"${topic//./\\.}\"")
        lag_all=$(( lag_all + lag ))
      done
      row="$row; lag $lag_all at the end (submission, categorized, delivery)"
    fi
    printf '  %-14s pid %-7s %s\n' "${NAMES[$i]}" "${PIDS[$i]}" "$row" >&2
  done
  rm -f "${m0[@]}" "${m2[@]}"
  local split="" r
  for r in broker edge categorizer routing delivery run; do
    [ -n "${role_ticks[$r]:-}" ] || continue
    split="$split $r$( [ "${role_n[$r]}" -gt 1 ] && echo "x${role_n[$r]}")=$(awk -v d="${role_ticks[$r]}" -v hz="$HZ" -v n="$MSGS" 'BEGIN{printf "%.3f", 1000*d/hz/n}')"
  done
  local procs; procs=$( [ "$case" = roles ] && echo "broker + edge + ${CATEGORIZERS} categorizer + routing + ${DELIVERIES} delivery: $n JVMs" || echo "one JVM")
  awk -v n="$MSGS" -v c="$c" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v tl="$tl" -v lb="$(label "$SIZE")" \
      -v le="$LOAD_ELAPSED" -v ticks="$ticks_all" -v hz="$HZ" -v p50="${p50:-?}" -v p99="${p99:-?}" -v ok="$ok" \
      -v cs="$case" -v procs="$procs" -v ri="$rss_idle_all" -v rp="$hwm_all" -v lag="$lag_all" 'BEGIN{
    acc_s=(le != "" ? le : t1-t0); w=t2-tl;
    if (!ok) printf "scaling %s %s: INCOMPLETE (sink got %d/%d in %.1f s; %s)\n", lb, cs, c, n, t2-t0, procs;
    else printf "scaling %s %s: accepted %d msg/s, delivered %d msg/s, DATA->250 p50 %s ms p99 %s ms, %.3f CPU-ms/msg, RSS %d MB idle / %d MB peak, lag %d (%s)\n",
      lb, cs, n/acc_s, c/w, p50, p99, 1000*ticks/hz/n, ri, rp, lag, procs }'
  log "  $case: CPU-ms/msg by role:$split; host idle before ${idle0}%, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  [ "$peak_ok" = 1 ] || log "  (the kernel refused to reset VmHWM: peaks are since each process started)"
  [ -z "$lat" ] || log "  latency DATA->250: $lat"
  sed 's/^/  | /' "$LOAD_LOG" >&2
}

durability_note() {
  if [ "$DURABLE" = off ]; then
    log "durability: off in both cases (flushToDiskBeforeAcknowledge: false): a 250 survives a process crash, not a power cut"
  else
    log "durability: run flushes its embedded broker's files before each 250 (LogFlusher); the role processes flush the"
    log "  separate broker's files themselves (--broker-data-dir $BROKER_DIR, same machine). Without that option a"
    log "  single-node broker (replication 1) acknowledges from the page cache: a power cut can lose mail that had its 250"
  fi
}

# ---------------------------------------------------------------- main
need_tools
command -v jcmd >/dev/null || log "no jcmd: heap after GC not measured"
ensure_jar
mkdir -p "$BASE"
JAR_BUILT=$(date -r "$JAR" '+%F %T'); cp "$JAR" "$BASE/mailflow.jar"; JAR=$BASE/mailflow.jar
pick() { local p; p=$(free_port); while [[ " $* " == *" $p "* ]]; do p=$(free_port); done; echo "$p"; }
[ "$PORT_IN" != 0 ] || PORT_IN=$(pick)
[ "$PORT_SINK" != 0 ] || PORT_SINK=$(pick "$PORT_IN")
[ "$PORT_KAFKA" != 0 ] || PORT_KAFKA=$(pick "$PORT_IN" "$PORT_SINK")
[ "$PORT_CONTROLLER" != 0 ] || PORT_CONTROLLER=$(pick "$PORT_IN" "$PORT_SINK" "$PORT_KAFKA")
write_org
if [ "$DESTS" -gt 1 ]; then  # more next hops: send connectors D1..Dn for d1..dn.sink.test, all to the same smtp-sink
  awk -v n="$DESTS" -v sink="$PORT_SINK" '{ print }
    /domainName: sink.test, type: InternalRelay/ { print "  - { domainName: \"*.sink.test\", type: InternalRelay }" }
    /smartHosts: .*127.0.0.1/ { for (i=1;i<=n;i++) printf "  - { name: D%d, addressSpaces: [d%d.sink.test], smartHosts: [\"[127.0.0.1]:%s\"] }\n", i, i, sink }' \
    "$ORG" > "$ORG.new" && mv "$ORG.new" "$ORG"
  RCPT=""; for i in $(seq 1 "$DESTS"); do RCPT="$RCPT${RCPT:+,}bench@d$i.sink.test"; done
  log "$DESTS destinations (next-hop keys): the load goes round-robin to $RCPT"
fi
log "$(date -u '+%F %T') UTC, $(nproc) cores, $(lscpu 2>/dev/null | awk -F: '/Model name/{gsub(/^ +/,"",$2); print $2; exit}'),"\
" load average $(cut -d' ' -f1-3 /proc/loadavg); jar built $JAR_BUILT, HEAD $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')"
log "heap: JAVA_OPTS='${JAVA_OPTS}' (the JVM's default max heap here: $(java $JAVA_OPTS -XX:+PrintFlagsFinal -version 2>/dev/null | awk '/ MaxHeapSize /{printf "%d MB", $4/1048576}'))"
durability_note

start_broker
start_roles
warm_up || { ANY_INCOMPLETE=1; log "roles: warm-up incomplete; no measured run"; exit 1; }
measure_case roles
stop_pids

if [ "$SINGLE" = 1 ]; then
  start_mailflow
  NAMES=(run); PIDS=("$MF_PID"); ROLES=(run); URLS=("$ADMIN_URL")
  warm_up || { ANY_INCOMPLETE=1; log "run: warm-up incomplete; no measured run"; exit 1; }
  measure_case run
  NAMES=(); PIDS=(); ROLES=(); URLS=()
fi
[ "$ANY_INCOMPLETE" = 0 ]
