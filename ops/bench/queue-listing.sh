#!/usr/bin/env bash
# queue-listing.sh -- issue 10's "Measure": listing a queue of 100,000 waiting messages through the admin API.
#
#   QueueListingBench (ops/admin test scope, one JVM):
#     fresh embedded broker --> COPIES DeliveryItems on mail.delivery.v1, one next hop, no delivery stage
#     MessageIndex catch-up (timed) ; AdminServer on a free loopback port ;
#     GET /api/v1/messages?queue=..&limit=100   cold (the server's own index catching up) and warm (median of RUNS)
#     GET /api/v1/messages?..&after=<next>      the next page
#     GET /api/v1/messages?sender=user7@..      a sender filter matching 1 copy in 1000
#     GET /api/v1/queues
#
# One figure line per measurement on stdout ("queue-listing <what> <figure>"), also kept in
# ops/admin/target/queue-listing.txt. Builds only ops/admin and what it needs (mvn -o test-compile), never the
# whole repository. Env knobs (defaults): COPIES=100000 RUNS=7 MAVEN_OPTS.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
COPIES=${COPIES:-100000}
RUNS=${RUNS:-7}
cd "$REPO"
mvn -o -q test -pl ops/admin -am -Dtest=QueueListingBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dqueue.bench=true -Dqueue.bench.copies="$COPIES" -Dqueue.bench.runs="$RUNS" >&2
cat ops/admin/target/queue-listing.txt
