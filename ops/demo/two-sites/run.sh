#!/usr/bin/env bash
# Starts the two-sites demo: EX01 (site A) and EX02 (site B), two `mailflow run` JVMs on this machine,
# each with its own data dir and embedded Kafka port; Ctrl-C (or any exit) stops both, by PID.
#   usage: ops/demo/two-sites/run.sh [data-root]     (default ./two-sites-data; build first: mvn -o -B package)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
jar="${MAILFLOW_JAR:-$root/ops/target/mailflow.jar}"
data="${1:-./two-sites-data}"
[ -f "$jar" ] || { echo "run.sh: $jar not found: build it first (mvn -o -B package)" >&2; exit 1; }
mkdir -p "$data/ex01" "$data/ex02"

pids=()
stop() {
  trap - EXIT
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true   # SIGTERM: mailflow's shutdown hook closes stages, then Kafka
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  echo "run.sh: both nodes stopped"
}
trap stop EXIT
trap 'exit 130' INT TERM   # exit runs the EXIT trap: both nodes are stopped whatever ends the script

java -jar "$jar" run --config "$here/ex01.yaml" --data-dir "$data/ex01" --kafka-port 19092 --admin-port 2580 \
  > "$data/ex01/console.log" 2>&1 &
pids+=($!)
java -jar "$jar" run --config "$here/ex02.yaml" --data-dir "$data/ex02" --kafka-port 19093 --admin-port 2581 \
  > "$data/ex02/console.log" 2>&1 &
pids+=($!)
echo "run.sh: EX01 pid ${pids[0]} (clients 127.0.0.1:2525, admin http://127.0.0.1:2580/), EX02 pid ${pids[1]}" \
  "(clients 127.0.0.1:2526, admin http://127.0.0.1:2581/)"
echo "run.sh: consoles in $data/ex01/console.log and $data/ex02/console.log; Ctrl-C stops both"

# until one of them exits (a failed start, say): then the trap stops the other
while kill -0 "${pids[0]}" 2>/dev/null && kill -0 "${pids[1]}" 2>/dev/null; do
  sleep 1
done
echo "run.sh: a node exited; see its console.log" >&2
exit 1
