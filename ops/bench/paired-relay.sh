#!/usr/bin/env bash
# paired-relay.sh -- issue 13's paired measurement: Postfix and mailflow relaying the same load back to back on
# this host, each run followed by its device flushes per message (/proc/diskstats, the whole host).
#
#   for each size in SIZES: postfix-baseline.sh, then pipeline-relay.sh once per jar in JARS (label=path,...),
#   in ORDER (forward, or "both": forward then reverse, so neither build always runs first)
#
# Env knobs (defaults): SIZES="1024" MSGS=20000 SESS=20 QUIET=85 IDLE=60
#   JARS="new=ops/target/mailflow.jar"   e.g. "old=/tmp/mailflow-old.jar,new=ops/target/mailflow.jar"
#   ORDER=forward | both    DURABLE_OFF=""  labels whose run uses DURABLE=off (e.g. "new-nofsync=..." listed in JARS)
#   POSTFIX=../shared/bench/postfix-baseline.sh (skipped with POSTFIX=none)
# Prints every script's figure lines on stdout, prefixed by the label; detail lines on stderr.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SIZES=${SIZES:-1024}; QUIET=${QUIET:-85}; IDLE=${IDLE:-60}; ORDER=${ORDER:-forward}
JARS=${JARS:-new=$REPO/ops/target/mailflow.jar}; DURABLE_OFF=${DURABLE_OFF:-}
POSTFIX=${POSTFIX:-$REPO/../shared/bench/postfix-baseline.sh}
export MSGS=${MSGS:-20000} SESS=${SESS:-20} QUIET IDLE

flushes() {  # flush requests completed by the device holding /var/tmp (field 19 of /proc/diskstats)
  local dev; dev=$(df --output=source /var/tmp | tail -1); dev=${dev#/dev/}
  awk -v d="$dev" '$3 == d { print (NF >= 20 ? $19 : 0) }' /proc/diskstats
}

IFS=',' read -r -a entries <<< "$JARS"
order=("${entries[@]}")
if [ "$ORDER" = both ]; then
  for (( i=${#entries[@]}-1; i>=0; i-- )); do order+=("${entries[$i]}"); done
fi

for size in $SIZES; do
  if [ "$POSTFIX" != none ]; then
    f0=$(flushes)
    SIZE=$size bash "$POSTFIX" | sed 's/^/postfix    | /'
    f1=$(flushes)
    awk -v f="$((f1-f0))" -v n="$MSGS" -v s="$size" 'BEGIN{ printf "postfix    | %d B: %.3f device flushes per message (whole host, set-up included)\n", s, f/n }'
  fi
  for entry in "${order[@]}"; do
    label=${entry%%=*}; jar=${entry#*=}
    durable=on
    case ",$DURABLE_OFF," in *",$label,"*) durable=off;; esac
    SIZE=$size JAR=$jar DURABLE=$durable bash "$HERE/pipeline-relay.sh" | sed "s/^/$label | /"
  done
done
