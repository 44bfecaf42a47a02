#!/usr/bin/env bash
# Finds a message across both sites of the two-sites demo (run.sh running): sends one from site A to bob on
# site B with swaks, then finds it by its sender three ways — `mailflow tracking search` (the CLI, reading
# EX01's index read-only), the admin API (curl), and prints its delivery report spanning EX01 and EX02.
#   usage: ops/demo/two-sites/find-message.sh [data-root]   (the data root given to run.sh; default ./two-sites-data)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
jar="${MAILFLOW_JAR:-$root/ops/target/mailflow.jar}"
data="${1:-./two-sites-data}"
api="http://127.0.0.1:2580"                  # EX01's admin server (run.sh: --admin-port 2580)
login="viewer:two-sites-viewer"              # the demo's view-only administrator (ex01.yaml)
sender="carol-$(date +%s)@example.com"       # a sender of our own: this run's message only
mailflow() { java -jar "$jar" "$@"; }

echo "== 1. send: $sender -> bob@contoso.test through EX01 (site A)"
swaks --server 127.0.0.1:2525 --from "$sender" --to bob@contoso.test \
  --header "Subject: find me $(date -u +%H:%M:%S)" --body "across sites" --silent 2 || {
  echo "find-message.sh: swaks failed: is ops/demo/two-sites/run.sh running?" >&2; exit 1; }

echo "== 2. wait until EX02 delivered it (its DELIVER event, read by EX01 from EX02's Kafka)"
for i in $(seq 1 60); do
  found="$(curl -sf -u "$login" "$api/api/v1/tracking?sender=$sender&eventId=DELIVER" | jq -r '.events | length')"
  [ "${found:-0}" -ge 1 ] && break
  sleep 1
done
[ "${found:-0}" -ge 1 ] || { echo "find-message.sh: no DELIVER within 60 s" >&2; exit 1; }

echo "== 3. the CLI: mailflow tracking search --sender $sender --data-dir $data/ex01"
start=$(date +%s%N)
mailflow tracking search --sender "$sender" --data-dir "$data/ex01"
echo "   (CLI, JVM start included: $(( ($(date +%s%N) - start) / 1000000 )) ms)"

echo "== 4. the API: curl $api/api/v1/tracking?sender=$sender"
curl -s -u "$login" -o /tmp/find-message.$$.json -w "   (API: HTTP %{http_code} in %{time_total} s)\n" \
  "$api/api/v1/tracking?sender=$sender"
jq -r '.events[] | [."date-time", ."event-id", .source, ."server-hostname", (."recipient-address"|join(",")),
  ((."recipient-status"|join(";")) // "")] | @tsv' /tmp/find-message.$$.json
jq -c '{total, unreachable, next}' /tmp/find-message.$$.json
nmid="$(jq -r '.events[0]."network-message-id"' /tmp/find-message.$$.json)"
rm -f /tmp/find-message.$$.json

echo "== 5. the delivery report of $nmid (mailflow tracking report, from EX01's indexes of both sites)"
mailflow tracking report "$nmid" --data-dir "$data/ex01"
echo "== and from the API: servers and outcome"
curl -s -u "$login" "$api/api/v1/tracking/report?id=$nmid" \
  | jq -c '{servers, recipients: [.recipients[] | {address, status}], unreachable}'

echo "== 6. the same events as any tool reads them: kcat | jq on each site's mail.tracking.v1 (no mailflow code)"
for site in "EX01 127.0.0.1:19092" "EX02 127.0.0.1:19093"; do
  set -- $site
  echo "   $1 ($2):"
  kcat -b "$2" -C -t mail.tracking.v1 -o beginning -e -q \
    | jq -r --arg n "$nmid" 'select(."network-message-id" == $n) | [."date-time", ."event-id", .source,
        ."server-hostname", (."recipient-address"|join(","))] | @tsv'
done
