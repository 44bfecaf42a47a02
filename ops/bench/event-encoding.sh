#!/usr/bin/env bash
# event-encoding.sh -- bytes per event and encode time per event of the event streams' Avro and JSON forms (a
# typical RECEIVE and DELIVER tracking event), for the choice of trackingEventFormat / protocolEventFormat.
#   N=1000000   events encoded per form and round (3 rounds, the last reported)
# Builds schemas/avro if its classes are missing (mvn -o -q compile); runs EventEncodingBench.java with the source
# launcher on schemas/avro's classes and dependencies. Prints one line per event.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
N=${N:-1000000}
cd "$REPO"
[ -d schemas/avro/target/classes/io/mailflow/schemas/codec ] || mvn -o -q compile -pl schemas/avro
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
mvn -o -q -f schemas/avro/pom.xml dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=runtime >/dev/null
echo "machine: $(nproc) cpu $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), java $(java -version 2>&1 | head -1), $(date -u +%F)" >&2
java -Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.mailflow.schemas.avro \
  -cp "schemas/avro/target/classes:$(cat "$CP_FILE")" ops/bench/EventEncodingBench.java "$N"
