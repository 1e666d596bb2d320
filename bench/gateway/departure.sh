#!/usr/bin/env bash
# Checks that `moat gateway` gives up on upstream requests whose clients
# left: runs bench/gateway/departure.py ROUNDS times (default 3) against a
# gateway on free loopback ports and prints its JSON line per round, with the
# gateway's open descriptors and resident memory after each round. In a good
# run closed_by_gateway equals leaving, waiting_ok equals the waiting
# clients, and the descriptors and memory stay flat from round to round.
#
# Builds moat in release mode unless MOAT_BINARY is set. Environment:
# DEPARTURE_ROUNDS (3), DEPARTURE_CLIENTS (150).
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds="${DEPARTURE_ROUNDS:-3}"
clients="${DEPARTURE_CLIENTS:-150}"
if [ -n "${MOAT_BINARY:-}" ]; then
    moat="$MOAT_BINARY"
else
    swift build -c release --product moat >/dev/null
    moat="$(swift build -c release --product moat --show-bin-path)/moat"
fi

read -r upstream_port gateway_port idp_port < <(python3 - <<'PY'
import socket
sockets = [socket.socket() for _ in range(3)]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in sockets))
for s in sockets:
    s.close()
PY
)

work_dir="$(mktemp -d -t moat-departure.XXXXXX)"
moat_pid=""
clean_up() {
    if [ -n "$moat_pid" ]; then kill -TERM "$moat_pid" 2>/dev/null || true; wait "$moat_pid" 2>/dev/null || true; fi
    rm -rf "$work_dir"
}
trap clean_up EXIT

# The demo directory's moat-auditor app has an app role on the api, so its
# client-credentials token is a valid bearer token for the gateway.
auditor_id=3080bac2-6138-4947-912b-a2e963f98948
auditor_secret=moat-auditor-demo-secret
tenant=1921488a-9834-4920-864a-44dfc001e2df
env -u MOAT_GATEWAY_ISSUER MOAT_DATA_DIR="$work_dir/data" MOAT_HOST=127.0.0.1 MOAT_LOG_LEVEL=warning \
    MOAT_IDP_PORT="$idp_port" MOAT_GATEWAY_PORT="$gateway_port" MOAT_GATEWAY_ALLOWED_CLIENT_APPS="$auditor_id" \
    "$moat" gateway --upstream "http://127.0.0.1:$upstream_port" >"$work_dir/moat.log" 2>&1 &
moat_pid=$!
for _ in $(seq 1 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$gateway_port/healthz"; then break; fi
    sleep 0.2
done
curl -s -u "$auditor_id:$auditor_secret" -d grant_type=client_credentials -d scope=api://moat-api/.default \
    "http://127.0.0.1:$idp_port/$tenant/oauth2/v2.0/token" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])' >"$work_dir/token"

for round in $(seq 1 "$rounds"); do
    result="$(python3 bench/gateway/departure.py "$gateway_port" "$upstream_port" "$work_dir/token" "$clients")"
    sleep 1
    descriptors="$(ls "/proc/$moat_pid/fd" | wc -l)"
    rss_kib="$(awk '/VmRSS/ { print $2 }' "/proc/$moat_pid/status")"
    echo "round $round: $result; gateway descriptors $descriptors, resident memory $rss_kib KiB"
done
