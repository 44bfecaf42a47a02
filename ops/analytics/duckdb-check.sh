#!/usr/bin/env bash
# duckdb-check.sh -- the event streams end to end with standard tools only: `mailflow run` (embedded broker) takes
# MSGS messages over SMTP and delivers them to a mailbox; kcat takes mail.tracking.v1 and mail.protocol.v1 off the
# broker as JSON lines (the topics' own bytes, trackingEventFormat/protocolEventFormat Json, the default); jq picks
# events by Exchange's field names; DuckDB runs SQL over the lines (counts per event-id, RECEIVE→DELIVER latency per
# message, protocol-log sessions). Prints what each step read; stops only the mailflow JVM it started.
#
#   MSGS=3   messages sent
#   JAR=<repo>/ops/target/mailflow.jar  built (mvn -q -o -DskipTests package) when missing
# Needs kcat, jq, python3 (ops/ci/install-test-peers.sh) and DuckDB's JDBC driver (org.duckdb:duckdb_jdbc, resolved
# through ops/analytics/pom.xml; the DuckDB CLI is not in the registries this project reaches).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
JAR=${JAR:-$REPO/ops/target/mailflow.jar}
MSGS=${MSGS:-3}
for tool in kcat jq python3 java mvn; do
  command -v "$tool" >/dev/null || { echo "duckdb-check: $tool is missing (ops/ci/install-test-peers.sh)" >&2; exit 2; }
done
if [ ! -f "$JAR" ]; then
  echo "duckdb-check: building $JAR (mvn -q -o -DskipTests package)" >&2
  (cd "$REPO" && mvn -q -o -DskipTests package) >&2
fi
BASE=$(mktemp -d)
MF=""
cleanup() {
  if [ -n "$MF" ]; then kill "$MF" 2>/dev/null || true; wait "$MF" 2>/dev/null || true; fi
  rm -rf "$BASE"
}
trap cleanup EXIT
CP=$(mktemp -p "$BASE")
mvn -q -o -f "$REPO/ops/analytics/pom.xml" dependency:build-classpath -Dmdep.outputFile="$CP" >/dev/null

SMTP=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$BASE/organization.yaml" <<YAML
serverName: EX01
siteName: Default-First-Site-Name
kafka: { partitions: 2, replicationFactor: 1 }
acceptedDomains: [ { domainName: contoso.test, type: Authoritative, default: true } ]
receiveConnectors:
  - { name: Default Frontend EX01, bindings: ["127.0.0.1:$SMTP"], permissionGroups: [AnonymousUsers], protocolLoggingLevel: Verbose }
mailboxes:
  - { name: Alice, primarySmtpAddress: alice@contoso.test }
YAML
java -jar "$JAR" run --config "$BASE/organization.yaml" --data-dir "$BASE/data" --kafka-port 0 --no-admin \
  > "$BASE/mailflow.log" 2>&1 &
MF=$!
for _ in $(seq 1 180); do
  grep -q "^edge .*listening on" "$BASE/mailflow.log" && break
  kill -0 "$MF" 2>/dev/null || { cat "$BASE/mailflow.log" >&2; exit 1; }
  sleep 1
done
BOOT=$(grep -m1 "embedded broker at" "$BASE/mailflow.log" | awk '{print $5}')
echo "# mailflow run: SMTP 127.0.0.1:$SMTP, Kafka $BOOT"

python3 - "$SMTP" "$MSGS" <<'PY'
import smtplib, sys
from email.message import EmailMessage
port, n = int(sys.argv[1]), int(sys.argv[2])
with smtplib.SMTP("127.0.0.1", port, local_hostname="client.example", timeout=30) as s:
    for i in range(n):
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = "carol@example.com", "alice@contoso.test", f"Quarterly report {i + 1}"
        m.set_content("Numbers attached.\n")
        s.send_message(m)
PY

kcat_all() { kcat -b "$BOOT" -C -t "$1" -o beginning -e -q; }
for _ in $(seq 1 60); do
  n=$(kcat_all mail.tracking.v1 | jq -c 'select(."event-id"=="DELIVER")' | wc -l)
  [ "$n" -ge "$MSGS" ] && break
  sleep 1
done
kcat_all mail.tracking.v1 > "$BASE/tracking.jsonl"
kcat_all mail.protocol.v1 > "$BASE/protocol.jsonl"
echo "# kcat: $(wc -l < "$BASE/tracking.jsonl") tracking events, $(wc -l < "$BASE/protocol.jsonl") protocol-log events"
echo "# kcat -b $BOOT -C -t mail.tracking.v1 -o beginning -e -q | jq -c 'select(.\"event-id\"==\"RECEIVE\")'  (first)"
jq -c 'select(."event-id"=="RECEIVE")' "$BASE/tracking.jsonl" | head -1
echo "# the same message's events, by network-message-id"
id=$(jq -r 'select(."event-id"=="RECEIVE") | ."network-message-id"' "$BASE/tracking.jsonl" | head -1)
jq -c --arg id "$id" 'select(."network-message-id"==$id) | {"date-time", source, "event-id", "recipient-address", "recipient-status"}' \
  "$BASE/tracking.jsonl"
echo "# content-type headers on mail.tracking.v1"
kcat -b "$BOOT" -C -t mail.tracking.v1 -o beginning -e -q -f '%h\n' | sort | uniq -c

echo "# DuckDB"
T="read_json('$BASE/tracking.jsonl', format='newline_delimited')"
P="read_json('$BASE/protocol.jsonl', format='newline_delimited')"
java -cp "$(cat "$CP")" "$REPO/ops/analytics/DuckDbQuery.java" \
  "SELECT \"event-id\", source, count(*) AS events FROM $T GROUP BY ALL ORDER BY min(\"date-time\")" \
  "SELECT r.\"message-subject\", r.\"sender-address\", d.\"recipient-address\"[1] AS recipient,
          date_diff('millisecond', CAST(r.\"date-time\" AS TIMESTAMPTZ), CAST(d.\"date-time\" AS TIMESTAMPTZ)) AS receive_to_deliver_ms
     FROM $T r JOIN $T d ON r.\"network-message-id\" = d.\"network-message-id\"
    WHERE r.\"event-id\" = 'RECEIVE' AND d.\"event-id\" = 'DELIVER' ORDER BY 1" \
  "SELECT \"session-id\", count(*) AS lines, string_agg(data, ' | ' ORDER BY \"sequence-number\") FILTER (WHERE event = '<') AS client_said
     FROM $P GROUP BY 1"
