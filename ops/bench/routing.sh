#!/usr/bin/env bash
# routing.sh -- in-process benchmarks of the routing core and the categorizer (no Kafka, no network).
#
#   routing/graph    RoutingBenchmark    decisions/s on a generated SITES-site / LINKS-link topology:
#                                        uncached (every decision computed), cached (the per-topology memo:
#                                        a map lookup), and cached on all cores
#   categorizer/core ExpansionBenchmark  resolving one message to a 5,000-member nested group (3 levels,
#                                        with duplicates and a loop): expansions/s and recipients/s
#
# Prints one figure line per measurement on stdout; the machine (nproc, CPU model, date, java) on
# stderr first. Both harnesses are test-scope mains (not tests: nothing asserts on time), compiled
# with `mvn -o test-compile` of the two modules and run on their test classpath.
#
# Env knobs (defaults): SITES=200 LINKS=2000 SECONDS_PER_FIGURE=3 PER_TEAM=100 (members per team group:
# 10 divisions x 5 teams x PER_TEAM = the group's size) JAVA_OPTS= MVN_OFFLINE=-o
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SITES="${SITES:-200}"
LINKS="${LINKS:-2000}"
SECONDS_PER_FIGURE="${SECONDS_PER_FIGURE:-3}"
PER_TEAM="${PER_TEAM:-100}"
JAVA_OPTS="${JAVA_OPTS:-}"
MVN_OFFLINE="${MVN_OFFLINE:--o}"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "machine: nproc=$(nproc) cpu='$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)'" \
  "date=$(date -u +%Y-%m-%dT%H:%MZ) java='$(java -version 2>&1 | head -1)'" >&2

cd "$ROOT"
mvn -q $MVN_OFFLINE test-compile -pl routing/graph,categorizer/core >&2

classpath() { # module dir -> its test classpath
  (cd "$1" && mvn -q $MVN_OFFLINE dependency:build-classpath -Dmdep.includeScope=test \
     -Dmdep.outputFile="$TMP/cp-$(basename "$1").txt" >&2)
  echo "$ROOT/$1/target/test-classes:$ROOT/$1/target/classes:$(cat "$TMP/cp-$(basename "$1").txt")"
}

# shellcheck disable=SC2086
java $JAVA_OPTS -cp "$(classpath routing/graph)" io.mailflow.routing.graph.RoutingBenchmark \
  "$SITES" "$LINKS" "$SECONDS_PER_FIGURE"
# shellcheck disable=SC2086
java $JAVA_OPTS -cp "$(classpath categorizer/core)" io.mailflow.categorizer.ExpansionBenchmark \
  "$PER_TEAM" "$SECONDS_PER_FIGURE"
