#!/usr/bin/env bash
# pipeline-relay.sh -- loopback relay benchmark for mailflow, full pipeline, in the shape of
# ../../../shared/bench/postfix-baseline.sh so the two can be compared figure for figure.
#
#   loadtest --SMTP--> edge 127.0.0.1:PORT_IN --mail.submission.v1--> categorizer --mail.categorized.v1-->
#            routing --mail.delivery.v1--> delivery (send connector "Sink", smart host)
#            --SMTP--> smtp-sink 127.0.0.1:PORT_SINK (final destination, counts messages)
#
# One JVM (`mailflow run`, embedded KRaft broker) with a private organization YAML in $BASE:
# accepted domains contoso.test (Authoritative, default) and sink.test (InternalRelay: the anonymous
# receive connector accepts any recipient there, and the categorizer, finding no mailbox, treats it as
# external), a receive connector on PORT_IN, a send connector "Sink" for sink.test via smart host
# 127.0.0.1:PORT_SINK. Prints one figure line per run on stdout:
#   mailflow 1KB: accepted N msg/s, delivered N msg/s, N CPU-ms/msg
# plus "detail:" lines and the load generator's report on stderr, and stops only the processes it
# started (the smtp-sink PID it spawned, the mailflow JVM PID it spawned).
#
# accepted  = MSGS / load generator's own elapsed time (loadtest: first connect until the last 250
#             after "."; smtp-source: process start to exit, as in postfix-baseline.sh)
# delivered = MSGS / (time from load start until smtp-sink has counted MSGS). With LOADGEN=loadtest
#             "load start" is the loadtest's exit time minus its reported elapsed time, so the
#             loadtest JVM's own start-up (~0.5 s) is not charged to mailflow.
# cpu       = (utime+stime of the mailflow JVM from /proc/<pid>/stat, delta over the run) / MSGS, in ms.
#             Everything in the JVM is counted: edge, Kafka broker, categorizer, routing, delivery.
#
# Env knobs (defaults):
#   SIZE=1024      message size: loadtest --size (whole message incl. ~100 B of headers) or
#                  smtp-source -l (payload, excl. headers)
#   MSGS=20000     messages per run
#   SESS=20        concurrent SMTP sessions (the receive connector allows any number per source)
#   LOADGEN=loadtest  loadtest: `mailflow loadtest` (DATA->250 latency percentiles);
#                  smtp-source: Postfix's client, exactly as postfix-baseline.sh drives it
#   RUNS=1         repeat count (the JVM stays up between runs; sink restarted per run)
#   WARMUP=200     messages sent end to end (and awaited at the sink) before the first run, not counted:
#                  consumer groups joined and JIT warm, as a started Postfix is ready at once; 0: none
#   QUIET=0        if >0: before each run wait (max 120 s) until host CPU idle >= QUIET %
#   PORT_IN=0 PORT_SINK=0   0: pick a free port
#   RUN_TIMEOUT=300  hard bound (s) for one run (load + drain)
#   START_TIMEOUT=180  bound (s) for the JVM to listen (a cold build may happen before; not counted)
#   JAR=<repo>/ops/target/mailflow.jar   rebuilt (mvn -o -DskipTests package) if missing or older than sources
#   JAVA_OPTS=     extra JVM options for the mailflow JVM (e.g. -Xmx1g)
#   BASE=mktemp -d /var/tmp/mailflow-bench.XXXXXX   org YAML, data dir (Kafka logs), logs, jar copy
#   PROTOCOL_LOG=None  the receive connector's protocolLoggingLevel: None (Exchange's default) or Verbose
#                  (every SMTP line of every session also becomes a record on mail.protocol.v1)
#   ADMIN=on       on: the admin server on a free port (health, /metrics, API, console), as `run` has it;
#                  off: `run --no-admin` (no admin server), the baseline for the admin server's cost
#   SCRAPE=0       1: fetch the admin server's /metrics once a second during each measured run (as a
#                  Prometheus would); the detail line counts the scrapes
#   IDLE=60        seconds to sample the JVM's CPU with no traffic at all, IDLE_SETTLE (10) s after the warm-up
#                  (and before the first run): printed as "mailflow idle: N% of one core ..." by idle_window, as
#                  idle.sh prints it (THREADS=N adds the N busiest threads to the detail); 0: skip
#   DURABLE=on     on: the default (the embedded broker flushes to disk before a 250 and before a stage commits);
#                  off: transportService.flushToDiskBeforeAcknowledge false (as before issue 13; a jar older than
#                  that refuses the key, so leave DURABLE=on for it)
# Memory (stderr): "memory idle:" RSS and heap used after a full GC (jcmd GC.run, then the admin server's
#   jvm_memory_used_bytes{area="heap"}) after the warm-up; per run "memory:" RSS after, the peak RSS during the run
#   (VmHWM, reset at its start) and the heap after a full GC.
#   INLINE_BODY_LIMIT=  transportService.inlineBodyLimit (e.g. 16KB, 32MB); empty: mailflow's default (16 KB):
#                  bodies past it are written once to mail.bodies.v1 and the queue records carry a reference
#   KEEP=0         1: leave $BASE (data dir, logs) after teardown; else only its *.log and org.yaml stay
#                  when a run was incomplete
set -euo pipefail
# One JVM per mailflow process: this script signals and measures mailflow by its PID, and the jar's launcher would
# otherwise run the work in a child JVM (ops/cli Launcher). MAILFLOW_NO_RELAUNCH=0 measures the jar's default path.
export MAILFLOW_NO_RELAUNCH=${MAILFLOW_NO_RELAUNCH:-1}

SIZE=${SIZE:-1024}; MSGS=${MSGS:-20000}; SESS=${SESS:-20}; LOADGEN=${LOADGEN:-loadtest}
RUNS=${RUNS:-1}; WARMUP=${WARMUP:-200}; QUIET=${QUIET:-0}
PORT_IN=${PORT_IN:-0}; PORT_SINK=${PORT_SINK:-0}
RUN_TIMEOUT=${RUN_TIMEOUT:-300}; START_TIMEOUT=${START_TIMEOUT:-180}; KEEP=${KEEP:-0}
PROTOCOL_LOG=${PROTOCOL_LOG:-None}
ADMIN=${ADMIN:-on}; SCRAPE=${SCRAPE:-0}; IDLE=${IDLE:-60}; DURABLE=${DURABLE:-on}; INLINE_BODY_LIMIT=${INLINE_BODY_LIMIT:-}
# envelope recipient(s) of the load; delivery-destinations.sh (which sources this file) sets a list
RCPT=${RCPT:-bench@sink.test}
# more `mailflow loadtest` options, a word list (edge.sh sets --messages-per-session here)
LOADTEST_ARGS=${LOADTEST_ARGS:-}
JAVA_OPTS=${JAVA_OPTS:-}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
JAR=${JAR:-$REPO/ops/target/mailflow.jar}
OWN_BASE=0; [ -n "${BASE:-}" ] || { BASE=$(mktemp -d /var/tmp/mailflow-bench.XXXXXX); OWN_BASE=1; }
ORG=$BASE/org.yaml; DATA=$BASE/data; SINK_LOG=$BASE/sink.log; MF_LOG=$BASE/mailflow.log
LOAD_LOG=$BASE/load.log
SINK_PID=""; MF_PID=""; ANY_INCOMPLETE=0

log() { echo "[${BENCH_NAME:-pipeline-relay}] $*" >&2; }
now() { date +%s.%N; }

# ---------------------------------------------------------------- prerequisites
need_tools() {
  local b missing=""
  for b in java smtp-sink ss awk; do command -v "$b" >/dev/null || missing="$missing $b"; done
  [ "$LOADGEN" = smtp-source ] && { command -v smtp-source >/dev/null || missing="$missing smtp-source"; }
  [ -z "$missing" ] && return 0
  log "missing:$missing (smtp-sink/smtp-source: run ../shared/bench/postfix-baseline.sh once, or"
  log "  apt-get install postfix with 'No configuration'; ss: iproute2)"; return 1
}
jar_stale() {  # 0 if the jar is missing or a source/pom file is newer than it
  [ -f "$JAR" ] || return 0
  [ -n "$(find "$REPO" -path "$REPO/.git" -prune -o -path '*/target' -prune -o \
           \( -name pom.xml -o -path '*/src/main/*' \) -type f -newer "$JAR" -print -quit)" ]
}
ensure_jar() {
  jar_stale || return 0
  log "building $JAR (mvn -q -o -DskipTests package; a minute or two)"
  if ! (cd "$REPO" && mvn -q -o -DskipTests package) >&2; then
    # others may be mid-edit; an older jar still measures something, and the detail says which
    [ -f "$JAR" ] || { log "build failed"; return 1; }
    log "build failed; measuring the existing jar from $(date -r "$JAR" '+%F %T')"; return 0
  fi
  [ -f "$JAR" ] || { log "build did not produce $JAR"; return 1; }
}

# ---------------------------------------------------------------- harness helpers (as postfix-baseline.sh)
port_listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q 127.0.0.1; }
port_in_use() { ss -Htan "sport = :$1" 2>/dev/null | grep -q .; }
free_port() {  # a port nobody listens on or talks from, in 20000-59999
  local p i; for i in $(seq 1 100); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    port_in_use "$p" || { echo "$p"; return 0; }
  done; log "no free port found"; return 1
}
wait_port() {  # wait up to 10 s for 127.0.0.1:$1 to be listening
  local i; for i in $(seq 1 200); do port_listening "$1" && return 0; sleep 0.05; done
  log "port $1 not listening"; return 1
}
sink_count() {  # last 'mesg=N' counter printed by smtp-sink -c
  local s; s=$(tail -c 80 "$SINK_LOG" 2>/dev/null | tr '\r' '\n' | grep -o 'mesg=[0-9]*' | tail -1 || true)
  s=${s#mesg=}; echo "${s:-0}"
}
start_sink() {
  if port_listening "$PORT_SINK"; then log "127.0.0.1:$PORT_SINK already in use"; return 1; fi
  : > "$SINK_LOG"
  # counts only (-c), no dumps: nothing for the unprivileged user (-u nobody, needed as root) to write
  smtp-sink -u nobody -c 127.0.0.1:"$PORT_SINK" 1024 > "$SINK_LOG" 2>&1 &
  SINK_PID=$!
  wait_port "$PORT_SINK"
}
stop_sink() {
  if [ -n "$SINK_PID" ] && kill -0 "$SINK_PID" 2>/dev/null; then
    kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true
  fi
  SINK_PID=""
}
wait_sink() {  # wait until the sink counted $1 messages or epoch second $2 passes; 0 if counted
  while :; do
    [ "$(sink_count)" -ge "$1" ] && return 0
    [ "$(date +%s)" -ge "$2" ] && return 1
    sleep 0.05
  done
}
cpu_busy_idle() {  # "busy idle" jiffies, all CPUs (busy excludes iowait and steal)
  awk '/^cpu /{print $2+$3+$4+$7+$8, $5+$6; exit}' /proc/stat
}
cpu_idle_1s() {
  local a b; a=$(cpu_busy_idle); sleep 1; b=$(cpu_busy_idle)
  awk -v a="$a" -v b="$b" 'BEGIN{split(a,x," ");split(b,y," ");t=(y[1]-x[1])+(y[2]-x[2]);
    printf "%.0f", (t>0 ? 100*(y[2]-x[2])/t : 100)}'
}
wait_quiet() {
  [ "$QUIET" -gt 0 ] || return 0
  local i idle; for i in $(seq 1 120); do
    idle=$(cpu_idle_1s); [ "$idle" -ge "$QUIET" ] && return 0
  done; log "host never reached ${QUIET}% idle (last ${idle}%), running anyway"
}
sess_ticks() {  # CPU ticks (utime+stime+cutime+cstime) of all processes in the given session ids
  # a process that ends between the glob and the read makes cat fail: not an error (pipefail, set -e)
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v ids="$*" 'BEGIN{n=split(ids,a," ");for(i=1;i<=n;i++)w[a[i]]=1}
    { s=$0; sub(/^.*\) /,"",s); split(s,r," "); if (r[4] in w) t+=r[12]+r[13]+r[14]+r[15] } END{printf "%d", t}'
}
pid_ticks() {  # utime+stime of one process (all its threads)
  awk '{ s=$0; sub(/^.*\) /,"",s); split(s,r," "); printf "%d", r[12]+r[13] }' "/proc/$1/stat" 2>/dev/null || echo 0
}
disk_flushes() {  # flush requests the data dir's block device completed (/proc/diskstats field 19; 0 if unknown)
  local dev; dev=$(df --output=source "$1" 2>/dev/null | tail -1); dev=${dev#/dev/}
  awk -v d="$dev" '$3 == d { print (NF >= 20 ? $19 : 0); found=1 } END { if (!found) print 0 }' /proc/diskstats
}
rss_mb() {  # resident set size of one process, MB
  awk '/^VmRSS:/{printf "%d", $2/1024}' "/proc/$1/status" 2>/dev/null || echo 0
}
hwm_mb() {  # peak resident set size of one process, MB
  awk '/^VmHWM:/{printf "%d", $2/1024}' "/proc/$1/status" 2>/dev/null || echo 0
}
thread_ticks() {  # "tid ticks name" per thread of process $1 (utime+stime; name: the kernel's 15-character comm)
  { cat /proc/"$1"/task/[0-9]*/stat 2>/dev/null || true; } | awk '{
    a=index($0,"("); b=match($0,/\) [A-Z] /); name=substr($0,a+1,b-a-1); s=substr($0,b+2); split(s,r," ");
    gsub(/ /,"_",name); print $1, r[12]+r[13], name }'
}
java_thread_names() {  # "tid name" per Java thread of process $1 from jcmd Thread.print (nid = the kernel's tid)
  command -v jcmd >/dev/null || return 0
  timeout 20 jcmd "$1" Thread.print 2>/dev/null | awk '/^"/ && match($0,/ nid=0x[0-9a-f]+/) {
    nid=substr($0,RSTART+7,RLENGTH-7); n=0; for (i=1;i<=length(nid);i++) n=n*16+index("0123456789abcdef",substr(nid,i,1))-1;
    e=index(substr($0,2),"\""); print n, substr($0,2,e-1) }' || true
}
# idle_window LABEL PID | LABEL "NAME PID" ... - CPU of each process over IDLE seconds, all in one window.
# stdout, per process: "mailflow idle[ NAME]: N% of one core over N s (N CPU-s), RSS N MB" (NAME: the entry's
# name, or LABEL for a bare PID). stderr (THREADS > 0): its THREADS busiest threads in the window.
idle_window() {
  local label=$1 e name pid t0 t1 dir; shift
  dir=$(mktemp -d "$BASE/idle.XXXXXX")
  for e in "$@"; do pid=${e##* }; pid_ticks "$pid" > "$dir/$pid.p0"; thread_ticks "$pid" > "$dir/$pid.t0"; done
  t0=$(now); sleep "$IDLE"; t1=$(now)
  for e in "$@"; do pid=${e##* }; pid_ticks "$pid" > "$dir/$pid.p1"; thread_ticks "$pid" > "$dir/$pid.t1"; done
  for e in "$@"; do
    pid=${e##* }; name=$label; [ "$e" = "$pid" ] || name=${e% *}
    # the JIT (compiler threads, code-cache sweeper) apart: compiling after start-up is warm-up, not the steady idle cost
    awk -v j="$(( $(cat "$dir/$pid.p1") - $(cat "$dir/$pid.p0") ))" -v hz="$HZ" -v t0="$t0" -v t1="$t1" \
        -v rss="$(rss_mb "$pid")" -v n="${name:+ $name}" -v jit="$(awk 'NR==FNR{b[$1]=$2; next}
          $3 ~ /^(C[12]_CompilerThre|Sweeper_thread)/ {d+=$2-($1 in b ? b[$1] : 0)} END{print d+0}' "$dir/$pid.t0" "$dir/$pid.t1")" 'BEGIN{
      printf "mailflow idle%s: %.1f%% of one core over %.0f s (%.2f CPU-s; JIT compiler threads %.1f%%), RSS %d MB\n",
        n, 100*j/hz/(t1-t0), t1-t0, j/hz, 100*jit/hz/(t1-t0), rss }'
    [ "${THREADS:-0}" -gt 0 ] || continue
    java_thread_names "$pid" > "$dir/$pid.names"
    log "  ${name:-mailflow} (pid $pid): busiest threads over $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", b-a}') s (CPU-ms, % of one core; + born in the window)"
    awk -v hz="$HZ" -v w="$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" -v top="$THREADS" '
      FILENAME ~ /names$/ { id=$1; $1=""; full[id]=substr($0,2); next }
      FILENAME ~ /t0$/ { before[$1]=$2; next }
      { d=$2-($1 in before ? before[$1] : 0); if (d<=0) next; nm=($1 in full ? full[$1] : $3);
        printf "%d\t%s%s\n", d, ($1 in before ? " " : "+"), nm; tot+=d }
      END { }' "$dir/$pid.names" "$dir/$pid.t0" "$dir/$pid.t1" | sort -rn | awk -F'\t' -v hz="$HZ" \
        -v w="$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" -v top="$THREADS" '
      NR<=top { printf "  %8.0f %6.2f%%  %s\n", 1000*$1/hz, 100*$1/hz/w, $2 } NR>top { rest+=$1; k++ }
      END { if (k) printf "  %8.0f %6.2f%%  (%d more threads)\n", 1000*rest/hz, 100*rest/hz/w, k }' >&2
  done
  rm -rf "$dir"
}
reset_peak_rss() {  # VmHWM := VmRSS (Linux: clear_refs 5), so the next hwm_mb is the peak since now
  echo 5 > "/proc/$1/clear_refs" 2>/dev/null || log "cannot reset the peak RSS of pid $1: peak is since its start"
}
heap_after_gc_mb() {  # $1 = pid, $2 = admin URL: heap in use after a full GC (jcmd GC.run, then /metrics), MB; ? if unknown
  { [ -n "$2" ] && jcmd "$1" GC.run >/dev/null 2>&1; } || { echo "?"; return 0; }
  curl -sf -m 10 "${2}metrics" 2>/dev/null | awk '/^jvm_memory_used_bytes\{/ && /area="heap"/ { t+=$NF; n++ }
    END { if (n) printf "%d", t/1048576; else printf "?" }'
}
MY_SID=$(ps -o sid= -p $$ | tr -d ' ')
HZ=$(getconf CLK_TCK); NCPU=$(nproc)

# ---------------------------------------------------------------- mailflow instance
write_org() {
  cat > "$ORG" <<EOF
# pipeline-relay.sh benchmark organization: everything to sink.test leaves by the "Sink" smart host.
serverName: EX01
siteName: Default-First-Site-Name
acceptedDomains:
  - { domainName: contoso.test, type: Authoritative, default: true }
  # InternalRelay: anonymous senders may send here, unknown recipients are relayed out (no mailbox)
  - { domainName: sink.test, type: InternalRelay }
receiveConnectors:
  - name: Bench Frontend EX01
    bindings: ["127.0.0.1:$PORT_IN"]
    permissionGroups: [AnonymousUsers, ExchangeServers]
    authMechanisms: [Tls]
    # SESS sessions all come from 127.0.0.1 (Exchange's default per source is 20)
    maxInboundConnectionPerSource: unlimited
    protocolLoggingLevel: $PROTOCOL_LOG
sendConnectors:
  - name: Sink
    addressSpaces: [sink.test]
    smartHosts: ["[127.0.0.1]:$PORT_SINK"]
EOF
  if [ "$DURABLE" = off ] || [ -n "${INLINE_BODY_LIMIT:-}" ]; then
    printf 'transportService:\n' >> "$ORG"
    if [ "$DURABLE" = off ]; then printf '  flushToDiskBeforeAcknowledge: false\n' >> "$ORG"; fi
    if [ -n "${INLINE_BODY_LIMIT:-}" ]; then printf '  inlineBodyLimit: %s\n' "${INLINE_BODY_LIMIT:-}" >> "$ORG"; fi
  fi
}
start_mailflow() {
  if port_listening "$PORT_IN"; then log "127.0.0.1:$PORT_IN already in use"; return 1; fi
  : > "$MF_LOG"
  # shellcheck disable=SC2086  # JAVA_OPTS is a word list on purpose
  local admin_args=(--admin-port 0)
  [ "$ADMIN" = off ] && admin_args=(--no-admin)
  java $JAVA_OPTS -jar "$JAR" run --config "$ORG" --data-dir "$DATA" --kafka-port 0 "${admin_args[@]}" > "$MF_LOG" 2>&1 &
  MF_PID=$!
  local deadline=$(( $(date +%s) + START_TIMEOUT ))
  while ! port_listening "$PORT_IN"; do
    kill -0 "$MF_PID" 2>/dev/null || { log "mailflow exited during start-up:"; tail -20 "$MF_LOG" >&2; MF_PID=""; return 1; }
    [ "$(date +%s)" -ge "$deadline" ] && { log "mailflow not listening on $PORT_IN after ${START_TIMEOUT}s:"; tail -20 "$MF_LOG" >&2; return 1; }
    sleep 0.2
  done
  log "mailflow up: pid $MF_PID, edge 127.0.0.1:$PORT_IN, sink 127.0.0.1:$PORT_SINK, base $BASE"
  log "jar built $JAR_BUILT; repository HEAD now $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')"
  ADMIN_URL=""
  if [ "$ADMIN" != off ]; then  # the admin server starts after the stages: its line comes a moment later
    while ! grep -q '^admin ' "$MF_LOG"; do
      [ "$(date +%s)" -ge "$deadline" ] && { log "no admin server line in $MF_LOG after ${START_TIMEOUT}s"; return 1; }
      sleep 0.2
    done
    ADMIN_URL=$(awk '/^admin /{print $2; exit}' "$MF_LOG")
  fi
  grep -E '^(kafka|edge|admin) ' "$MF_LOG" | sed 's/^/  /' >&2 || true
  if [ "$SCRAPE" = 1 ] && [ -z "$ADMIN_URL" ]; then log "SCRAPE=1 but no admin server address in $MF_LOG"; return 1; fi
}
# scraper: /metrics once a second while a run is measured, in the background; counts what it fetched
SCRAPE_PID=""; SCRAPE_COUNT=$BASE/scrapes
start_scrape() {
  [ "$SCRAPE" = 1 ] || return 0
  : > "$SCRAPE_COUNT"
  ( while :; do curl -sf -o /dev/null "${ADMIN_URL}metrics" && echo ok >> "$SCRAPE_COUNT"; sleep 1; done ) &
  SCRAPE_PID=$!
}
stop_scrape() {
  [ -n "$SCRAPE_PID" ] || return 0
  kill "$SCRAPE_PID" 2>/dev/null || true; wait "$SCRAPE_PID" 2>/dev/null || true; SCRAPE_PID=""
  log "scraped ${ADMIN_URL}metrics $(wc -l < "$SCRAPE_COUNT") times during the run"
}
stop_mailflow() {  # SIGTERM (the shutdown hook closes stages, then the broker), SIGKILL after 30 s
  [ -n "$MF_PID" ] || return 0
  if kill -0 "$MF_PID" 2>/dev/null; then
    kill "$MF_PID" 2>/dev/null || true
    local i; for i in $(seq 1 300); do kill -0 "$MF_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$MF_PID" 2>/dev/null; then log "mailflow pid $MF_PID still up after 30 s; SIGKILL"; kill -9 "$MF_PID" 2>/dev/null || true; fi
  fi
  wait "$MF_PID" 2>/dev/null || true
  MF_PID=""
}

teardown() {
  # mailflow before the sink: a delivery stage whose smart host vanished holds its batch (requeue delay)
  stop_load; stop_scrape; stop_mailflow; stop_sink
  if [ "$KEEP" = 1 ]; then log "kept $BASE"
  elif [ "$ANY_INCOMPLETE" = 1 ]; then
    [ ! -f "$DATA/mailflow.log" ] || mv "$DATA/mailflow.log" "$BASE/mailflow-app.log"
    rm -rf "$DATA" "$BASE/mailflow.jar"; log "incomplete run: logs kept in $BASE"
  elif [ "$OWN_BASE" = 1 ]; then rm -rf "$BASE"
  else rm -rf "$DATA" "$BASE/mailflow.jar" "$ORG" "$SINK_LOG" "$MF_LOG" "$LOAD_LOG"; fi  # a given BASE: only our files
}
trap teardown EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- load generators
# Each sets LOAD_RC and LOAD_ELAPSED (seconds the generator itself measured, "" if none).
# The generator runs in the background and is awaited with `wait`, which a signal interrupts: Ctrl-C
# stops the benchmark at once (teardown stops the generator too) instead of after the load.
LOAD_PID=""
await_load() { LOAD_PID=$!; wait "$LOAD_PID" || LOAD_RC=$?; LOAD_PID=""; }
stop_load() {  # timeout passes the TERM on to the generator
  [ -n "$LOAD_PID" ] || return 0
  kill "$LOAD_PID" 2>/dev/null || true; wait "$LOAD_PID" 2>/dev/null || true; LOAD_PID=""
}
run_load() {  # $1 = messages, $2 = seconds allowed
  local n=$1 limit=$2
  LOAD_RC=0; LOAD_ELAPSED=""
  if [ "$LOADGEN" = smtp-source ]; then
    timeout "$limit" smtp-source -d -s "$SESS" -m "$n" -l "$SIZE" \
        -f sender@bench.test -t "${RCPT%%,*}" 127.0.0.1:"$PORT_IN" > "$LOAD_LOG" 2>&1 &
    await_load
  else
    # --time-limit a little inside the hard bound so the loadtest still prints its report
    timeout "$limit" java -jar "$JAR" loadtest --target 127.0.0.1:"$PORT_IN" --connections "$SESS" \
        --messages "$n" --size "$SIZE" --rcpt "$RCPT" --from sender@bench.test $LOADTEST_ARGS \
        --time-limit "$(( limit > 10 ? limit - 5 : limit ))" > "$LOAD_LOG" 2>&1 &
    await_load
    LOAD_ELAPSED=$(awk '/^elapsed/{print $2; exit}' "$LOAD_LOG")
    local acc; acc=$(awk '/^accepted/{print $2; exit}' "$LOAD_LOG")
    [ "${acc:-0}" -ge "$n" ] || { [ "$LOAD_RC" != 0 ] || LOAD_RC=3; }
  fi
}

warm_up() {
  [ "$WARMUP" -gt 0 ] || return 0
  local deadline
  start_sink
  deadline=$(( $(date +%s) + RUN_TIMEOUT ))
  run_load "$WARMUP" "$RUN_TIMEOUT"
  if [ "$LOAD_RC" != 0 ]; then
    log "warm-up load failed (status $LOAD_RC):"; cat "$LOAD_LOG" >&2; stop_sink; return 1
  fi
  wait_sink "$WARMUP" "$deadline" || { log "warm-up: sink has $(sink_count)/$WARMUP after ${RUN_TIMEOUT}s"; stop_sink; return 1; }
  stop_sink
  log "warm-up: $WARMUP messages delivered"
}

# ---------------------------------------------------------------- one run
label() { case $1 in 1024) echo 1KB;; 10240) echo 10KB;; 102400) echo 100KB;; 1048576) echo 1MB;; 31457280) echo 30MB;; *) echo "${1}B";; esac; }

# measure_load - the measured part of a run, shared with delivery-destinations.sh: waits for a quiet
# host, sends $MSGS messages and waits until the sink has counted $1 of them or $2 seconds passed.
# Sets the caller's locals (bash scoping): t0 t1 t2 tl c idle0 deadline b0 b2 k0 k2 j0 j2 f0 f2 lat.
measure_load() {
  local expect=$1 limit=$2
  wait_quiet
  idle0=$(cpu_idle_1s)   # host idle % just before the run (other tenants' load shows here)
  start_sink
  reset_peak_rss "$MF_PID"
  b0=$(cpu_busy_idle); k0=$(sess_ticks "$MY_SID"); j0=$(pid_ticks "$MF_PID"); f0=$(disk_flushes "$DATA")
  start_scrape
  t0=$(now)
  deadline=$(awk -v a="$t0" -v b="$limit" 'BEGIN{printf "%d", a+b}')
  run_load "$MSGS" "$limit"
  t1=$(now)
  [ "$LOAD_RC" = 0 ] || log "$LOADGEN exit status $LOAD_RC"
  wait_sink "$expect" "$deadline" || log "timeout after ${limit}s: sink has $(sink_count)/$expect"
  t2=$(now)
  stop_scrape
  b2=$(cpu_busy_idle); k2=$(sess_ticks "$MY_SID"); j2=$(pid_ticks "$MF_PID"); f2=$(disk_flushes "$DATA")
  c=$(sink_count)
  RSS_AFTER=$(rss_mb "$MF_PID"); RSS_PEAK=$(hwm_mb "$MF_PID")
  stop_sink
  kill -0 "$MF_PID" 2>/dev/null || { log "mailflow JVM died during the run:"; tail -20 "$MF_LOG" >&2; }
  # load start: with the loadtest, its reported elapsed counts from its first connect
  tl=$t0; [ -n "$LOAD_ELAPSED" ] && tl=$(awk -v t1="$t1" -v e="$LOAD_ELAPSED" 'BEGIN{printf "%.3f", t1-e}')
  lat=$(grep -o 'p50.*' "$LOAD_LOG" 2>/dev/null | head -1 || true)
}

one_run() {
  local t0 t1 t2 tl c idle0 deadline b0 b2 k0 k2 j0 j2 f0 f2 lat
  measure_load "$MSGS" "$RUN_TIMEOUT"
  RUN_OK=1; { [ "$LOAD_RC" = 0 ] && [ "$c" -ge "$MSGS" ]; } || { RUN_OK=0; ANY_INCOMPLETE=1; }
  # CPU accounting over [t0,t2]: mailflow = the JVM, tools = this script's session without the JVM
  # (load generator + smtp-sink + harness), others = everything else on the host.
  awk -v n="$MSGS" -v c="$c" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v tl="$tl" -v lb="$(label "$SIZE")" \
      -v s="$SESS" -v gen="$LOADGEN" -v idle="$idle0" -v b0="${b0%% *}" -v b2="${b2%% *}" \
      -v j="$((j2-j0))" -v k="$((k2-k0))" -v hz="$HZ" -v ncpu="$NCPU" -v rc="$LOAD_RC" -v le="$LOAD_ELAPSED" \
      -v lat="$lat" 'BEGIN{
    acc_s=(le != "" ? le : t1-t0); w=t2-tl; busy=(b2-b0)/hz; mf=j/hz; tools=k/hz-mf; if (tools<0) tools=0;
    oth=busy-mf-tools; if (oth<0) oth=0;
    if (rc != 0 || c < n) printf "mailflow %s: INCOMPLETE (%s status %d, sink got %d/%d in %.1f s)\n", lb, gen, rc, c, n, t2-t0;
    else printf "mailflow %s: accepted %d msg/s, delivered %d msg/s, %.3f CPU-ms/msg\n", lb, n/acc_s, c/w, 1000*mf/n;
    printf "  detail: msgs=%d sess=%d loadgen=%s accept_s=%.3f deliver_s=%.3f loadgen_start_s=%.3f sink_count=%d idle_before=%s%% cpu_s: mailflow=%.1f tools=%.1f others=%.1f (others=%.0f%% of %d cores) mailflow_cpu_ms_per_msg=%.3f\n",
      n, s, gen, acc_s, w, tl-t0, c, idle, mf, tools, oth, 100*oth/((t2-t0)*ncpu), ncpu, (c>0 ? 1000*mf/c : 0) > "/dev/stderr";
    if (lat != "") printf "  latency DATA->250: %s\n", lat > "/dev/stderr" }'
  log "  memory: RSS ${RSS_AFTER} MB after the run, peak ${RSS_PEAK} MB during it; heap used after a full GC $(heap_after_gc_mb "$MF_PID" "${ADMIN_URL:-}") MB"
  awk -v f="$((f2-f0))" -v n="$MSGS" 'BEGIN{ printf "  disk: %d device flushes, %.3f per message (the whole host: other writers count too)\n", f, f/n }' >&2

  sed 's/^/  | /' "$LOAD_LOG" >&2
}

# ---------------------------------------------------------------- main
# sourced (by delivery-destinations.sh) for the functions above: no main
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0
need_tools
ensure_jar
mkdir -p "$BASE"
# run a private copy: a rebuild of ops/target during the benchmark must not pull the jar from under us
JAR_BUILT=$(date -r "$JAR" '+%F %T'); cp "$JAR" "$BASE/mailflow.jar"; JAR=$BASE/mailflow.jar
[ "$PORT_IN" != 0 ] || PORT_IN=$(free_port)
[ "$PORT_SINK" != 0 ] || { PORT_SINK=$(free_port); while [ "$PORT_SINK" = "$PORT_IN" ]; do PORT_SINK=$(free_port); done; }
write_org
start_mailflow
warm_up || { ANY_INCOMPLETE=1; log "warm-up incomplete; no measured run"; exit 1; }
measure_idle() {  # the JVM's own CPU with no SMTP traffic at all: long polls and timers only (as idle.sh)
  [ "$IDLE" -gt 0 ] || return 0
  # the warm-up has warmed the JIT and joined the groups; let its last commits, queue states and
  # tracking-index commits settle (idle.sh, which has no warm-up, waits SETTLE=30 s after the greeting)
  sleep "${IDLE_SETTLE:-10}"
  THREADS=${THREADS:-0} idle_window "" "$MF_PID"
}
measure_idle
# memory with no traffic (after the warm-up), and what the heap holds then: what a small VM must have at least
log "memory idle: RSS $(rss_mb "$MF_PID") MB, heap used after a full GC $(heap_after_gc_mb "$MF_PID" "${ADMIN_URL:-}") MB (JAVA_OPTS='$JAVA_OPTS', max heap $(java $JAVA_OPTS -XX:+PrintFlagsFinal -version 2>/dev/null | awk '/ MaxHeapSize /{printf "%d MB", $4/1048576}'))"
for r in $(seq 1 "$RUNS"); do
  one_run
  [ "$RUN_OK" = 1 ] || { log "run incomplete; skipping remaining runs"; break; }
done
[ "$ANY_INCOMPLETE" = 0 ]
