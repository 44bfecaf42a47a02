#!/usr/bin/env bash
# tracking-index.sh -- issue 12's "Measure": the message-tracking index (ops/tracking).
#
#   TrackingIndexBench (ops/tracking test scope, one JVM):
#     EVENTS synthetic events (SyntheticTraffic: ~5 a message, Zipf senders/recipients, groups, defers, NDRs)
#     direct to Lucene: decode + add + a commit every 50,000      -> events/s, index size on disk
#     first pages (ResultSize 1000) of sender / recipient / message id / 1-hour window / sender+1-day window /
#     subject-part searches and delivery reports, QUERIES each     -> p50/p95/p99/max ms
#     KAFKA_EVENTS of them produced to mail.tracking.v1 (6 partitions, embedded broker), then a new
#     TrackingIndex catches up from the topic                      -> events/s
#
# One figure line per measurement on stdout ("tracking-index ..."), also kept in ops/tracking/target/tracking-index.txt.
# Builds only ops/tracking and what it needs, never the whole repository.
# Env knobs (defaults): EVENTS=1000000 KAFKA_EVENTS=200000 QUERIES=200.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
EVENTS=${EVENTS:-1000000}
KAFKA_EVENTS=${KAFKA_EVENTS:-200000}
QUERIES=${QUERIES:-200}
cd "$REPO"
mvn -o -q test -pl ops/tracking -am -Dtest=TrackingIndexBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtracking.bench=true -Dtracking.bench.events="$EVENTS" -Dtracking.bench.kafkaEvents="$KAFKA_EVENTS" \
  -Dtracking.bench.queries="$QUERIES" >&2
cat ops/tracking/target/tracking-index.txt
