#!/usr/bin/env bash
# Grades the observatory page server with the MDN HTTP Observatory's own
# tests. Needs node >= 20 and npm; installs @mdn/mdn-http-observatory in a
# temporary directory (never in the repository). Its install scripts are
# skipped because they download the HSTS preload list and CA bundles; an
# empty preload list is used instead (so "preloaded" results cannot occur).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

(cd "$work" && npm init -y >/dev/null && npm install --ignore-scripts --no-audit --no-fund @mdn/mdn-http-observatory >/dev/null)
echo '{}' > "$work/node_modules/@mdn/mdn-http-observatory/conf/hsts-preload.json"
cp "$here/grade.mjs" "$work/"

(cd "$here" && go build -o "$work/server" .)
"$work/server" -http 18080 -https 18443 -ca "$work/ca.pem" &
server=$!
for _ in $(seq 50); do [ -s "$work/ca.pem" ] && break; sleep 0.1; done
sleep 0.5
kill -0 "$server" || { echo "observatory server did not start" >&2; exit 1; }

# Trusting the self-signed certificate lets the HSTS and redirection tests
# run; without it they fail as "invalid certificate", as on any site
# without a publicly trusted certificate.
(cd "$work" && NODE_EXTRA_CA_CERTS="$work/ca.pem" node grade.mjs localhost 18080 18443)
