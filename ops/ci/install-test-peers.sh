#!/usr/bin/env bash
# install-test-peers.sh - installs the real peers the tests talk to (Postfix's smtp-sink and
# smtp-source, swaks with its TLS module, curl, Python 3 with smtplib, dnsmasq as a loopback DNS
# server for MX routing, Dovecot's LMTP server as an external mailbox store, Prometheus scraping a
# node's /metrics, Chromium with its WebDriver for the web console's browser test, openssl's s_client, testssl.sh,
# Sisimai reading the NDRs, and kcat with jq reading the event streams as any admin would), from Debian's
# packages, when they are missing. Tests that need a peer skip
# cleanly without it on a developer's machine; CI runs this first so that they run (the edge's
# real-client tests fail rather than skip when the environment variable CI is set).
set -euo pipefail
need=()
[ -x /usr/sbin/smtp-sink ] || need+=(postfix)
command -v swaks >/dev/null || need+=(swaks)
# swaks only recommends it, and --no-install-recommends leaves it out: without it swaks has no TLS
perl -MNet::SSLeay -e 1 2>/dev/null || need+=(libnet-ssleay-perl)
command -v curl >/dev/null || need+=(curl)
# openssl s_client: edge-smtp/server TlsHardeningIT (renegotiation, TLS 1.1) as a user would try them
command -v openssl >/dev/null || need+=(openssl)
# testssl.sh: ops/cli TestsslIT scans a node's STARTTLS connector as issue 11's tester did
command -v testssl >/dev/null || need+=(testssl.sh)
# python3-minimal lacks smtplib: it is in libpython3.x-stdlib, which the python3 package brings
{ command -v python3 >/dev/null && python3 -c 'import smtplib, ssl, email' 2>/dev/null; } || need+=(python3)
# Sisimai: schemas/dsn and delivery/agent read the NDRs mailflow writes as bounce processors do
perl -MSisimai -e 1 2>/dev/null || need+=(libsisimai-perl)
# dnsmasq-base: the binary only, no service (delivery/agent MxRoutingIT, DnsRoutingStageIT)
[ -x /usr/sbin/dnsmasq ] || need+=(dnsmasq-base)
# Dovecot: delivery/agent DovecotLmtpIT starts its own instance in the foreground (dovecot -F -c <temp
# config>); the packaged service is never started (policy-rc.d below)
[ -x /usr/sbin/dovecot ] || need+=(dovecot-core)
[ -x /usr/lib/dovecot/lmtp ] || need+=(dovecot-lmtpd)
# Prometheus: ops/cli PrometheusScrapeIT runs the binary itself (temporary config and storage, a free
# loopback port); the packaged service, which would bind :9090, is never started (policy-rc.d below).
# --no-install-recommends leaves out prometheus-node-exporter and its service.
command -v prometheus >/dev/null || need+=(prometheus)
# Chromium and chromedriver: ops/admin ConsoleBrowserIT drives the web console headless through Selenium, with
# the system's /usr/bin/chromedriver (Selenium Manager downloads nothing). --no-install-recommends: no fonts
# beyond the defaults, no desktop integration.
command -v chromium >/dev/null || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
# kcat and jq: ops/cli EventStreamsToolsIT reads mail.tracking.v1 and mail.protocol.v1 off the embedded broker with
# `kcat -C ... | jq 'select(."event-id"=="RECEIVE")'`, the way the README shows (the JSON form, Exchange's names)
command -v kcat >/dev/null || need+=(kcat)
command -v jq >/dev/null || need+=(jq)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-test-peers: need root to install ${need[*]}; tests needing them will be skipped" >&2
  exit 0
fi
echo "install-test-peers: installing ${need[*]}" >&2
# Postfix is used only for its test tools: no mailer configuration, and its daemon is never started.
# Neither is Dovecot's nor Prometheus': policy-rc.d answers 101 (action forbidden) to every service start the packages try.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
made_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  made_policy=1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
[ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
exit 0
