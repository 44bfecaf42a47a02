#!/usr/bin/env bash
# startup.sh -- how fast `java -jar ops/target/mailflow.jar run` greets and stops (issue 13).
# Each run launches the jar exactly as the README does (plus its own ports), polls the SMTP port with a tiny
# client until it reads `220`, then measures what follows. One figure line per run on stdout:
#   fresh    run 1: 220 after 3.41 s, 9.8 CPU-s (tree), RSS idle 380 MB, SIGTERM->exit 1.20 s
#   existing run 1: ...
#   unclean  run 1: 220 after ... (kill -9 of the previous JVM, restart, SIGTERM STOP_AFTER s after the 220)
# and a summary line per kind (median and best of the 220 time, median CPU-s), with `uptime`'s load averages:
# on a shared host the figures are noisy, say so when quoting them.
#
#   fresh    = an empty data dir (formats the broker, creates the topics, makes the certificate)
#   existing = the data dir of the previous clean stop
#   unclean  = the previous JVM was killed with SIGKILL; the SIGTERM that follows must still stop it in <= 5 s
#
# CPU-s is utime+stime (/proc/<pid>/stat) of the launched process and its descendants (the jar re-executes itself
# with its class-data archive: two JVMs) read at the moment the 220 arrived. RSS idle = the tree's VmRSS
# IDLE_WAIT s after the 220.
#
# The organization is the built-in demo's (STARTTLS with a self-signed certificate, Verbose protocol logs), written
# to a temp dir with free ports instead of 2525/2587; ORG=demo uses the built-in organization itself (its ports
# 2525 and 2587 must be free; adds the demo's password hashing on a fresh dir, as a new user sees it).
# Stops only the processes it started (by PID).
#
# Env knobs (defaults): RUNS=3  KINDS="fresh existing unclean"  ORG=temp|demo  IDLE_WAIT=5  STOP_AFTER=2
#   START_TIMEOUT=180 STOP_TIMEOUT=60  JAR=<repo>/ops/target/mailflow.jar  JAVA_OPTS= (given to `java` before -jar:
#   note that any -X option turns the jar's own relaunch off)  ENV= (e.g. ENV=MAILFLOW_NO_RELAUNCH=1)  KEEP=0
set -euo pipefail
RUNS=${RUNS:-3}; KINDS=${KINDS:-fresh existing unclean}; ORG_KIND=${ORG:-temp}; IDLE_WAIT=${IDLE_WAIT:-5}
STOP_AFTER=${STOP_AFTER:-2}; START_TIMEOUT=${START_TIMEOUT:-180}; STOP_TIMEOUT=${STOP_TIMEOUT:-60}; KEEP=${KEEP:-0}
JAVA_OPTS=${JAVA_OPTS:-}; ENV=${ENV:-}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
JAR=${JAR:-$REPO/ops/target/mailflow.jar}
[ -f "$JAR" ] || { echo "no $JAR: mvn -o -q -DskipTests package first" >&2; exit 2; }
BASE=$(mktemp -d /var/tmp/mailflow-startup.XXXXXX)
MF_PID=""
log() { echo "[startup] $*" >&2; }
# a port below the kernel's ephemeral range (32768-60999): no outgoing connection of another process takes it between runs
free_port() { local p; while :; do p=$((20000 + RANDOM % 12000)); ss -Htan "sport = :$p" | grep -q . || { echo "$p"; return; }; done; }

teardown() {
  if [ -n "$MF_PID" ] && kill -0 "$MF_PID" 2>/dev/null; then
    for p in $(descendants "$MF_PID") "$MF_PID"; do kill -9 "$p" 2>/dev/null || true; done
  fi
  wait 2>/dev/null || true
  [ "$KEEP" = 1 ] && log "kept $BASE" || rm -rf "$BASE"
}
trap teardown EXIT

# descendants PID: the PIDs below it (the relaunched JVM)
descendants() { local c; for c in $(pgrep -P "$1" 2>/dev/null || true); do echo "$c"; descendants "$c"; done; }

# The tiny client and the /proc readings, in one Python process per question.
probe() { python3 - "$@" <<'PY'
import os, socket, sys, time
def tree(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop(); out.append(p)
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out
def cpu(pid):
    s = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            s += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return s / os.sysconf("SC_CLK_TCK")
def rss(pid):
    kb = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        kb += int(line.split()[1])
        except OSError:
            pass
    return kb // 1024
what = sys.argv[1]
if what == "greet":  # greet PORT PID T0 TIMEOUT -> "seconds cpu-seconds"
    port, pid, t0, timeout = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
    while time.time() - t0 < timeout:
        if not os.path.exists(f"/proc/{pid}"):
            print("EXITED"); sys.exit(1)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.settimeout(5)
                if s.recv(3) == b"220":
                    print(f"{time.time() - t0:.2f} {cpu(pid):.1f}"); sys.exit(0)
        except OSError:
            pass
        time.sleep(0.02)
    print("TIMEOUT"); sys.exit(1)
elif what == "rss":
    print(rss(int(sys.argv[2])))
PY
}

ORGFILE=""
PORT_IN=$(free_port); PORT_SUB=$(free_port); KAFKA_PORT=$(free_port)
if [ "$ORG_KIND" = demo ]; then
  PORT_IN=2525
else
  ORGFILE=$BASE/org.yaml
  unzip -p "$JAR" io/mailflow/organization/demo-organization.yaml \
    | sed -e "s/127.0.0.1:2525/127.0.0.1:$PORT_IN/" -e "s/127.0.0.1:2587/127.0.0.1:$PORT_SUB/" > "$ORGFILE"
fi

start() {  # $1 data dir, $2 log file
  local args=(run --data-dir "$1" --kafka-port "$KAFKA_PORT" --admin-port 0)
  [ -z "$ORGFILE" ] || args+=(--config "$ORGFILE")
  # shellcheck disable=SC2086
  env $ENV java $JAVA_OPTS -jar "$JAR" "${args[@]}" > "$2" 2>&1 &
  MF_PID=$!
}

stop_secs() {  # SIGTERM and time until the launched process has exited
  local t0 t1 i
  t0=$(date +%s.%N); kill -TERM "$MF_PID"
  for ((i = 0; i < STOP_TIMEOUT * 50; i++)); do kill -0 "$MF_PID" 2>/dev/null || break; sleep 0.02; done
  t1=$(date +%s.%N)
  if kill -0 "$MF_PID" 2>/dev/null; then
    for p in $(descendants "$MF_PID") "$MF_PID"; do kill -9 "$p" 2>/dev/null || true; done
    wait "$MF_PID" 2>/dev/null || true; MF_PID=""; echo "TIMEOUT"; return
  fi
  wait "$MF_PID" 2>/dev/null || true; MF_PID=""
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}'
}

declare -A GREETS CPUS
log "jar $JAR, base $BASE, org ${ORGFILE:-built-in demo}, smtp 127.0.0.1:$PORT_IN, host $(nproc) cores, load$(uptime | sed 's/.*load average//')"
for kind in $KINDS; do
  for run in $(seq 1 "$RUNS"); do
    data=$BASE/data-$kind-$run
    case $kind in
      fresh) ;;
      existing|unclean)  # prepare: a data dir that has been started once, stopped cleanly (or killed)
        start "$data" "$BASE/prep-$kind-$run.log"
        probe greet "$PORT_IN" "$MF_PID" "$(date +%s.%N)" "$START_TIMEOUT" > /dev/null || { log "prep failed"; cat "$BASE/prep-$kind-$run.log" >&2; exit 1; }
        sleep 1
        if [ "$kind" = existing ]; then stop_secs > /dev/null; else
          for p in $(descendants "$MF_PID") "$MF_PID"; do kill -9 "$p" 2>/dev/null || true; done
          wait "$MF_PID" 2>/dev/null || true; MF_PID=""
        fi ;;
      *) log "unknown kind $kind"; exit 2 ;;
    esac
    t0=$(date +%s.%N)
    start "$data" "$BASE/$kind-$run.log"
    read -r greet cpu < <(probe greet "$PORT_IN" "$MF_PID" "$t0" "$START_TIMEOUT" || true)
    if [ "$greet" = EXITED ] || [ "$greet" = TIMEOUT ]; then
      echo "$kind run $run: INCOMPLETE ($greet waiting for 220; log kept in $BASE)"; KEEP=1; exit 1
    fi
    if [ "$kind" = unclean ]; then
      sleep "$STOP_AFTER"; rss=$(probe rss "$MF_PID")
    else
      sleep "$IDLE_WAIT"; rss=$(probe rss "$MF_PID")
    fi
    stop=$(stop_secs)
    printf '%-8s run %d: 220 after %s s, %s CPU-s (tree), RSS %s MB after %s s, SIGTERM->exit %s s\n' \
      "$kind" "$run" "$greet" "$cpu" "$rss" "$([ "$kind" = unclean ] && echo "$STOP_AFTER" || echo "$IDLE_WAIT")" "$stop"
    GREETS[$kind]+="$greet "; CPUS[$kind]+="$cpu "
    rm -rf "$data"
  done
  echo "$kind: 220 median $(echo ${GREETS[$kind]} | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}') s best $(echo ${GREETS[$kind]} | tr ' ' '\n' | sort -n | head -1) s, CPU-s median $(echo ${CPUS[$kind]} | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}') ($RUNS runs; load$(uptime | sed 's/.*load average//'))"
done
