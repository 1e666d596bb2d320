#!/usr/bin/env bash
# Runs the real-browser test: starts `moat up` on free loopback ports with a
# fresh data folder, then drives headless Chromium through sign-in, a question
# and sign-out (scripts/browser_test.py). A second `moat up` answers with a
# chat-completions stand-in (scripts/browser_test_model.py) that pauses
# halfway through its streamed reply, so the test can see the first half of
# an answer on the chat page before the rest. A third `moat up --pattern 1`
# runs behind App Service authentication (`MOAT_WEB_FRONT_DOOR=app-service`),
# with scripts/browser_test_app_service.py standing in for App Service, so the
# test can check that the chat page refreshes expired tokens. Always stops the
# moats and the stand-ins and deletes the data folders. Needs .venv from
# `scripts/setup.sh --with-python`.
#
# Environment: MOAT_BINARY (default: .build/debug/moat, built here when
# unset), BROWSER_TEST_STARTUP_TIMEOUT (seconds to wait for /healthz, 60),
# MOAT_UPDATE_SCREENSHOT=1 to write the chat page screenshot to
# docs/screenshot-chat.png (otherwise it goes to the temporary folder).
# Exits 0 only when every scenario passed; the last line of output is
# `browser: N passed, M failed`.
set -euo pipefail
cd "$(dirname "$0")/.."

startup_timeout="${BROWSER_TEST_STARTUP_TIMEOUT:-60}"
python=.venv/bin/python

if [ ! -x "$python" ] || ! "$python" -c "import selenium" 2>/dev/null; then
    echo "browser: .venv with selenium is missing; run ./scripts/setup.sh --with-python" >&2
    echo "browser: 0 passed, 1 failed"
    exit 1
fi

if [ -n "${MOAT_BINARY:-}" ]; then
    moat="$MOAT_BINARY"
else
    # An incremental build is quick when nothing changed, and it keeps the
    # test from running a stale binary.
    echo "browser: building moat"
    swift build --product moat >/dev/null
    moat="$(swift build --product moat --show-bin-path)/moat"
fi

# Bind all ten sockets before closing any, so the ports are distinct. Another
# process could take a port between this check and moat's bind; moat then
# fails to start and the wait below reports it.
read -r idp_port api_port web_port stream_idp_port stream_api_port stream_web_port model_port \
    app_service_idp_port app_service_web_port app_service_port < <("$python" - <<'EOF'
import socket
sockets = [socket.socket() for _ in range(10)]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in sockets))
for s in sockets:
    s.close()
EOF
)

work_dir="$(mktemp -d -t moat-browser-test.XXXXXX)"
moat_log="$work_dir/moat.log"
stream_moat_log="$work_dir/moat-stream.log"
model_log="$work_dir/model.log"
app_service_moat_log="$work_dir/moat-app-service.log"
app_service_log="$work_dir/app-service.log"
moat_pid=""
stream_moat_pid=""
model_pid=""
app_service_moat_pid=""
app_service_pid=""
test_pid=""

# Sends SIGTERM to the process $1 (named $2) and waits up to 10 seconds
# before forcing it. moat stops on SIGTERM after letting requests in flight finish.
stop_process() {
    local pid="$1" name="$2"
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
        return
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "browser: $name (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

clean_up() {
    # On SIGTERM or SIGINT the browser test may still be running; it quits
    # Chromium on SIGTERM before it exits.
    if [ -n "$test_pid" ] && kill -0 "$test_pid" 2>/dev/null; then
        kill -TERM "$test_pid" 2>/dev/null || true
        wait "$test_pid" 2>/dev/null || true
    fi
    stop_process "$moat_pid" "moat"
    stop_process "$stream_moat_pid" "the streaming moat"
    stop_process "$model_pid" "the stand-in model"
    stop_process "$app_service_moat_pid" "the moat behind App Service authentication"
    stop_process "$app_service_pid" "the App Service stand-in"
    rm -rf "$work_dir"
}
trap clean_up EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Start moat with only the variables set here, because an inherited
# MOAT_CORPUS_PATH, MOAT_IDP_DIRECTORY or MOAT_LLM_ENDPOINT would change the
# answers this test expects or send traffic off the machine.
moat_environment=(
    MOAT_DATA_DIR="$work_dir/data"
    MOAT_HOST=127.0.0.1
    MOAT_IDP_PORT="$idp_port"
    MOAT_API_PORT="$api_port"
    MOAT_WEB_PORT="$web_port"
)
unset_environment=()
while IFS= read -r name; do
    unset_environment+=(-u "$name")
done < <(compgen -e | grep '^MOAT_' || true)

env "${unset_environment[@]}" "${moat_environment[@]}" "$moat" up >"$moat_log" 2>&1 &
moat_pid=$!

"$python" scripts/browser_test_model.py --port "$model_port" >"$model_log" 2>&1 &
model_pid=$!
env "${unset_environment[@]}" \
    MOAT_DATA_DIR="$work_dir/stream-data" \
    MOAT_HOST=127.0.0.1 \
    MOAT_IDP_PORT="$stream_idp_port" \
    MOAT_API_PORT="$stream_api_port" \
    MOAT_WEB_PORT="$stream_web_port" \
    MOAT_LLM_ENDPOINT="http://127.0.0.1:$model_port/v1/chat/completions" \
    MOAT_LLM_MODEL=browser-test \
    "$moat" up >"$stream_moat_log" 2>&1 &
stream_moat_pid=$!

app_service_url="http://127.0.0.1:$app_service_port"
env "${unset_environment[@]}" \
    MOAT_DATA_DIR="$work_dir/app-service-data" \
    MOAT_HOST=127.0.0.1 \
    MOAT_IDP_PORT="$app_service_idp_port" \
    MOAT_WEB_PORT="$app_service_web_port" \
    MOAT_WEB_FRONT_DOOR=app-service \
    MOAT_WEB_PUBLIC_BASE_URL="$app_service_url" \
    "$moat" up --pattern 1 >"$app_service_moat_log" 2>&1 &
app_service_moat_pid=$!

# Waits until $1/healthz responds while the process $2 runs; $3 is its log.
wait_for_health() {
    local url="$1" pid="$2" log="$3"
    local deadline=$((SECONDS + startup_timeout))
    until curl --silent --fail --max-time 2 --output /dev/null "$url/healthz"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "browser: moat up exited before $url/healthz responded; last lines of its log:" >&2
            tail -n 30 "$log" >&2
            echo "browser: 0 passed, 1 failed"
            exit 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "browser: timed out after $startup_timeout s waiting for $url/healthz; last lines of the moat log:" >&2
            tail -n 30 "$log" >&2
            echo "browser: 0 passed, 1 failed"
            exit 1
        fi
        sleep 0.2
    done
}

web_url="http://127.0.0.1:$web_port"
idp_url="http://127.0.0.1:$idp_port"
stream_web_url="http://127.0.0.1:$stream_web_port"
model_url="http://127.0.0.1:$model_port"
wait_for_health "$web_url" "$moat_pid" "$moat_log"
wait_for_health "$stream_web_url" "$stream_moat_pid" "$stream_moat_log"
app_service_web_url="http://127.0.0.1:$app_service_web_port"
wait_for_health "$app_service_web_url" "$app_service_moat_pid" "$app_service_moat_log"

# The stand-in signs its expired token copies with the identity provider's key,
# which moat writes into its data folder at start.
"$python" scripts/browser_test_app_service.py --port "$app_service_port" --web "$app_service_web_url" \
    --idp "http://127.0.0.1:$app_service_idp_port" --signing-key "$work_dir/app-service-data/idp-signing-key.pem" \
    >"$app_service_log" 2>&1 &
app_service_pid=$!
deadline=$((SECONDS + startup_timeout))
until curl --silent --fail --max-time 2 --output /dev/null "$app_service_url/.auth/test/counts"; do
    if ! kill -0 "$app_service_pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
        echo "browser: the App Service stand-in did not start; its log:" >&2
        cat "$app_service_log" >&2
        echo "browser: 0 passed, 1 failed"
        exit 1
    fi
    sleep 0.2
done
echo "browser: moat is up (web $web_url, idp $idp_url, pid $moat_pid)"
echo "browser: the streaming moat is up (web $stream_web_url, model $model_url, pid $stream_moat_pid)"
echo "browser: the moat behind App Service authentication is up (stand-in $app_service_url, web $app_service_web_url, pid $app_service_moat_pid)"

# Run the test in the background and wait for it, so SIGTERM stops everything
# at once: bash delays a trap until a foreground command finishes, but `wait`
# returns as soon as a signal arrives. `exec` would skip the EXIT trap.
screenshot_args=(--screenshot "$work_dir/screenshot-chat.png")
if [ "${MOAT_UPDATE_SCREENSHOT:-}" = "1" ]; then
    screenshot_args=(--screenshot docs/screenshot-chat.png)
fi
"$python" scripts/browser_test.py --web "$web_url" --idp "$idp_url" --moat-log "$moat_log" "${screenshot_args[@]}" \
    --stream-web "$stream_web_url" --stream-moat-log "$stream_moat_log" --model "$model_url" \
    --app-service "$app_service_url" --app-service-moat-log "$app_service_moat_log" &
test_pid=$!
status=0
wait "$test_pid" || status=$?
exit "$status"
