#!/usr/bin/env bash
# exchange-logs.sh -- how many MSGTRK lines/s one ExchangeLogWriter (schemas/logs) writes on this machine's disk:
# one producer thread offers a typical RECEIVE event as fast as the bounded queue takes it, 10 MB files roll over,
# the writer thread formats (Commons CSV) and writes. No Kafka, no network.
#
# Prints one figure line on stdout; the machine (nproc, CPU model, date, java) on stderr first.
# Env knobs (defaults): SECONDS_PER_FIGURE=5 MVN_OFFLINE=-o. Files go to a temp dir and are deleted.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECONDS_PER_FIGURE="${SECONDS_PER_FIGURE:-5}"
MVN_OFFLINE="${MVN_OFFLINE:--o}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "machine: nproc=$(nproc) cpu='$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)'" \
  "date=$(date -u +%Y-%m-%dT%H:%MZ) java='$(java -version 2>&1 | head -1)'" >&2

cd "$ROOT"
mvn -q $MVN_OFFLINE test-compile -pl schemas/logs -am >&2
(cd schemas/logs && mvn -q $MVN_OFFLINE dependency:build-classpath -Dmdep.includeScope=test \
   -Dmdep.outputFile="$TMP/cp.txt" >&2)
CP="$ROOT/schemas/logs/target/test-classes:$ROOT/schemas/logs/target/classes:$(cat "$TMP/cp.txt")"
java -Dseconds="$SECONDS_PER_FIGURE" -cp "$CP" io.mailflow.logs.bench.LogWriterBenchmark
