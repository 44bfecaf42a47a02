#!/usr/bin/env bash
# webhooks.sh -- ops/webhooks: notifications/s to a local receiver, and the drain after an outage.
#
#   WebhookThroughputBench (ops/webhooks test scope, one JVM): embedded broker, NOTIFICATIONS DELIVER events on
#   mail.tracking.v1 (3 partitions), one webhook to a JDK HttpServer on 127.0.0.1 answering 204 at once:
#     steady   publish -> every notification answered 2xx (notifications/s, POST latency from the meters)
#     outage   receiver not listening, NOTIFICATIONS published, 20 s down; listen again -> first 2xx, all ids answered
#
# One figure line per measurement on stdout, also kept in ops/webhooks/target/webhooks-bench.txt. Builds only
# ops/webhooks and what it needs, never the whole repository. Env knobs (defaults): NOTIFICATIONS=5000.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
NOTIFICATIONS=${NOTIFICATIONS:-5000}
cd "$REPO"
timeout 900 mvn -o -q test -pl ops/webhooks -am -Dtest=WebhookThroughputBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dwebhook.bench=true -Dwebhook.bench.notifications="$NOTIFICATIONS" >&2
cat ops/webhooks/target/webhooks-bench.txt
