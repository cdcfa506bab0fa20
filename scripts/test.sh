#!/usr/bin/env bash
# The whole test suite, runnable on a fresh machine: installs what the tests need from Debian when it
# is missing (coturn for real STUN/TURN servers, iptables/nftables/iproute2 for the NAT lab, openssl
# for test certificates, chromium for the test page, python3-aiortc for an aiortc far side, prometheus
# and its promtool for the exporter's scrapes and shipped examples), builds,
# then runs every test. Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v turnserver >/dev/null 2>&1 || need+=(coturn)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# A real browser for serve's test page (puppeteer-core drives it; nothing downloads a browser build).
[ -x /usr/bin/chromium ] || need+=(chromium)
# aiortc, the stack inside Pipecat bots, as a far side (test/helpers/aiortc-far-end.py); Debian's
# python3, not a pyenv one on PATH.
/usr/bin/python3 -c 'import aiortc' >/dev/null 2>&1 || need+=(python3-aiortc)
# A real Prometheus scrapes `rtc-doctor exporter`; promtool checks the shipped examples (docs/monitoring).
{ command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; } || need+=(prometheus)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: missing ${need[*]}; install them (apt-get install ${need[*]}) or run as root" >&2
    exit 1
  fi
  echo "test.sh: installing ${need[*]} from Debian" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# coturn's package enables a system service on install; the tests start their own servers.
if command -v systemctl >/dev/null 2>&1; then systemctl stop coturn >/dev/null 2>&1 || true; fi
# prometheus's package does the same; the exporter tests start their own on a free port.
if command -v systemctl >/dev/null 2>&1; then systemctl stop prometheus >/dev/null 2>&1 || true; fi

[ -d node_modules ] || npm install --no-audit --no-fund
npm run --silent build
npx tsc -p tsconfig.json --noEmit
results="$(mktemp -d)/vitest.json"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
# The plain closing line CI systems read, whatever the runner's own summary looks like.
if [ -s "$results" ]; then
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);' "$results"
fi
exit "$status"
