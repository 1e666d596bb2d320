#!/usr/bin/env bash
# Interoperability tests: MSAL Python, PyJWT, jwcrypto and Authlib against
# Moat. Builds moat and moat-bench, starts `moat up` on free loopback ports
# with a temporary data folder and a directory that registers a test
# certificate, runs pytest on Tests/interop, stops moat, and ends with
# "interop: N passed, M failed". Exits non-zero when a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import msal, jwt, jwcrypto, authlib, requests, pytest" 2>/dev/null; then
    echo "interop: installing scripts/requirements-interop.txt into $venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-interop.txt
fi

swift build --product moat >/dev/null
swift build --product moat-bench >/dev/null
bin_dir="$(swift build --show-bin-path)"

work="$(mktemp -d)"
moat_pid=""
cleanup() {
    if [ -n "$moat_pid" ] && kill -0 "$moat_pid" 2>/dev/null; then
        kill -TERM "$moat_pid" 2>/dev/null || true
        wait "$moat_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

"$venv/bin/python" Tests/interop/make_fixtures.py "$work" Sources/MoatLauncher/Demo/directory.toml
read -r idp_port api_port web_port tls_port < <("$venv/bin/python" - <<'PY'
import socket
sockets = [socket.socket() for _ in range(4)]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))
for s in sockets:
    s.close()
PY
)
tenant=1921488a-9834-4920-864a-44dfc001e2df
auditor=3080bac2-6138-4947-912b-a2e963f98948
web=b1878b01-5e5c-4982-a6c3-6028279da626

# The IdP publishes the TLS proxy's address (MSAL needs https); the api reads
# the keys directly from the IdP's plain HTTP port.
MOAT_IDP_PORT=$idp_port MOAT_API_PORT=$api_port MOAT_WEB_PORT=$web_port \
MOAT_IDP_DIRECTORY="$work/directory.toml" \
MOAT_IDP_PUBLIC_BASE_URL="https://127.0.0.1:$tls_port" \
MOAT_API_JWKS_URI="http://127.0.0.1:$idp_port/$tenant/discovery/v2.0/keys" \
MOAT_API_ALLOWED_CLIENT_APPS="$web,$auditor" \
MOAT_LOG_LEVEL=warning \
    "$bin_dir/moat" up --data "$work/data" >"$work/moat.log" 2>&1 &
moat_pid=$!

for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$idp_port/healthz" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$api_port/healthz" >/dev/null 2>&1; then
        break
    fi
    if ! kill -0 "$moat_pid" 2>/dev/null; then
        echo "interop: moat up exited early:" >&2
        cat "$work/moat.log" >&2
        echo "interop: 0 passed, 1 failed"
        exit 1
    fi
    sleep 0.2
done

status=0
MOAT_INTEROP_DIR="$work" \
MOAT_INTEROP_IDP_HTTP="http://127.0.0.1:$idp_port" \
MOAT_INTEROP_API="http://127.0.0.1:$api_port" \
MOAT_INTEROP_TLS_PORT="$tls_port" \
MOAT_BENCH="$bin_dir/moat-bench" \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider --junitxml="$work/junit.xml" Tests/interop || status=$?

summary="$("$venv/bin/python" - "$work/junit.xml" <<'PY'
import sys
import xml.etree.ElementTree as tree
try:
    root = tree.parse(sys.argv[1]).getroot()
except (OSError, tree.ParseError):
    print("0 0")
    sys.exit()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
total = sum(int(s.get("tests", 0)) for s in suites)
failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print(total - failed - skipped, failed)
PY
)"
read -r passed failed <<<"$summary"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
fi
echo "interop: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
