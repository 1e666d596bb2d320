#!/usr/bin/env bash
# Runs the gateway's real-browser test: starts a Streamlit app
# (tests/gateway/streamlit_app.py) and `moat gateway` in front of it with the
# dev identity provider, on free loopback ports and a fresh data folder, then
# drives headless Chromium through sign-in, the app's WebSocket and sign-out
# (tests/gateway/browser_test.py). Always stops everything it started and
# deletes the data folder. Needs .venv from `scripts/setup.sh --with-python`
# (selenium and streamlit).
#
# Environment: MOAT_BINARY (default: .build/debug/moat, built here when
# unset), GATEWAY_BROWSER_STARTUP_TIMEOUT (seconds to wait for the app and
# the gateway, 90). The last line of output is
# `gateway-browser: N passed, M failed`.
set -euo pipefail
cd "$(dirname "$0")/.."

startup_timeout="${GATEWAY_BROWSER_STARTUP_TIMEOUT:-90}"
python=.venv/bin/python
started_at=$SECONDS

if [ ! -x "$python" ] || ! "$python" -c "import selenium, streamlit" 2>/dev/null; then
    echo "gateway-browser: .venv with selenium and streamlit is missing; run ./scripts/setup.sh --with-python" >&2
    echo "gateway-browser: 0 passed, 1 failed"
    exit 1
fi

if [ -n "${MOAT_BINARY:-}" ]; then
    moat="$MOAT_BINARY"
else
    echo "gateway-browser: building moat"
    swift build --product moat >/dev/null
    moat="$(swift build --product moat --show-bin-path)/moat"
fi

read -r app_port gateway_port idp_port < <("$python" - <<'PY'
import socket
sockets = [socket.socket() for _ in range(3)]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in sockets))
for s in sockets:
    s.close()
PY
)

work_dir="$(mktemp -d -t moat-gateway-browser.XXXXXX)"
moat_log="$work_dir/moat.log"
app_log="$work_dir/streamlit.log"
app_pid=""
moat_pid=""
test_pid=""

stop() {
    local pid="$1"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
clean_up() {
    stop "$test_pid"
    stop "$moat_pid"
    stop "$app_pid"
    rm -rf "$work_dir"
}
trap clean_up EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail_start() {
    echo "gateway-browser: $1; last lines of the logs:" >&2
    tail -n 20 "$app_log" "$moat_log" >&2 || true
    echo "gateway-browser: 0 passed, 1 failed"
    exit 1
}

HOME="$work_dir" "$python" -m streamlit run tests/gateway/streamlit_app.py \
    --server.address 127.0.0.1 --server.port "$app_port" --server.headless true \
    --browser.gatherUsageStats false --global.developmentMode false --client.toolbarMode viewer >"$app_log" 2>&1 &
app_pid=$!

# Only the variables set here, so an inherited MOAT_* setting cannot change the test.
unset_environment=()
while IFS= read -r name; do
    unset_environment+=(-u "$name")
done < <(compgen -e | grep '^MOAT_' || true)
env "${unset_environment[@]}" MOAT_DATA_DIR="$work_dir/data" MOAT_HOST=127.0.0.1 MOAT_IDP_PORT="$idp_port" \
    MOAT_GATEWAY_PORT="$gateway_port" MOAT_GATEWAY_EXCLUDED_PATHS=/_stcore/health \
    "$moat" gateway --upstream "http://127.0.0.1:$app_port" >"$moat_log" 2>&1 &
moat_pid=$!

gateway_url="http://127.0.0.1:$gateway_port"
idp_url="http://127.0.0.1:$idp_port"
deadline=$((SECONDS + startup_timeout))
until curl --silent --fail --max-time 2 --output /dev/null "$gateway_url/_stcore/health"; do
    kill -0 "$moat_pid" 2>/dev/null || fail_start "moat gateway exited before it answered"
    kill -0 "$app_pid" 2>/dev/null || fail_start "streamlit exited before it answered"
    [ "$SECONDS" -lt "$deadline" ] || fail_start "timed out after $startup_timeout s waiting for $gateway_url/_stcore/health"
    sleep 0.3
done
echo "gateway-browser: app and gateway are up after $((SECONDS - started_at)) s (gateway $gateway_url, idp $idp_url)"

"$python" tests/gateway/browser_test.py --gateway "$gateway_url" --idp "$idp_url" --moat-log "$moat_log" &
test_pid=$!
status=0
wait "$test_pid" || status=$?
test_pid=""
echo "gateway-browser: finished in $((SECONDS - started_at)) s"
exit "$status"
