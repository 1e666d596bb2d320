#!/usr/bin/env bash
# Compares authenticated requests through `moat gateway` with nginx
# proxy_pass to the same upstream, using wrk. The upstream is an nginx
# server block that returns a fixed 40-byte body, so the numbers measure the
# proxies, not the app.
#
# Four targets, each for BENCH_DURATION seconds at BENCH_CONNECTIONS
# connections with 2 wrk threads. nginx and the two gateway targets run in
# BENCH_ROUNDS rounds (default 3), and the report gives their medians:
#   direct   wrk -> upstream                     (baseline for added latency)
#   nginx    wrk -> nginx proxy_pass -> upstream (no authentication)
#   gateway  wrk -> moat gateway -> upstream     (bearer token validated and
#            identity fields and assertion signed on every request)
#   session  as gateway, but with a signed-in session cookie instead of a token
#
# For the two gateway targets it also prints the gateway process's CPU time
# per request, which varies less with the machine's load than requests/s.
#
# Saturated runs measure throughput, but their latency is mostly queueing,
# so a second, paced round offers every target the same fixed rate
# (BENCH_PACED_RATE requests/s in total, default 5000, below every target's
# capacity): each connection waits about connections / rate seconds (with
# jitter) between requests, through wrk's Lua delay() hook, because the wrk
# in Debian has no -R option. The paced table reports p50, p99 and p99 added
# over the direct upstream at that rate.
#
# Installs nginx and wrk with apt-get when missing. Builds moat in release
# mode unless MOAT_BINARY is set. Everything listens on 127.0.0.1 and stops
# when the script exits. Environment: BENCH_DURATION (seconds, 10),
# BENCH_CONNECTIONS (32), BENCH_OUTPUT (file for the Markdown table, default
# .build/bench-gateway.md), BENCH_ROUNDS (3), BENCH_STRACE (1 to count
# system calls per request with strace).
set -euo pipefail
cd "$(dirname "$0")/../.."

duration="${BENCH_DURATION:-10}"
connections="${BENCH_CONNECTIONS:-32}"
output="${BENCH_OUTPUT:-.build/bench-gateway.md}"
paced_rate="${BENCH_PACED_RATE:-5000}"
rounds="${BENCH_ROUNDS:-3}"

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "bench: installing ${missing[*]}"
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
nginx_binary="$(command -v nginx || echo /usr/sbin/nginx)"

if [ -n "${MOAT_BINARY:-}" ]; then
    moat="$MOAT_BINARY"
else
    echo "bench: building moat in release mode"
    swift build -c release --product moat >/dev/null
    moat="$(swift build -c release --product moat --show-bin-path)/moat"
fi

read -r upstream_port nginx_port gateway_port idp_port < <(python3 - <<'PY'
import socket
sockets = [socket.socket() for _ in range(4)]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in sockets))
for s in sockets:
    s.close()
PY
)

work_dir="$(mktemp -d -t moat-bench-gateway.XXXXXX)"
nginx_pid=""
moat_pid=""
clean_up() {
    if [ -n "$moat_pid" ]; then kill -TERM "$moat_pid" 2>/dev/null || true; wait "$moat_pid" 2>/dev/null || true; fi
    if [ -n "$nginx_pid" ]; then kill -TERM "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
    rm -rf "$work_dir"
}
trap clean_up EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$work_dir/nginx"
cat >"$work_dir/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $work_dir/nginx/nginx.pid;
error_log $work_dir/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work_dir/nginx/body;
    proxy_temp_path $work_dir/nginx/proxy;
    fastcgi_temp_path $work_dir/nginx/fastcgi;
    uwsgi_temp_path $work_dir/nginx/uwsgi;
    scgi_temp_path $work_dir/nginx/scgi;
    upstream app { server 127.0.0.1:$upstream_port; keepalive 64; }
    server {
        listen 127.0.0.1:$upstream_port;
        location / { default_type text/plain; return 200 "hello from the benchmark upstream 0123\n"; }
    }
    server {
        listen 127.0.0.1:$nginx_port;
        location / {
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$remote_addr;
        }
    }
}
CONF
"$nginx_binary" -c "$work_dir/nginx/nginx.conf" -p "$work_dir/nginx" &
nginx_pid=$!

# The demo directory's moat-auditor app holds an app role on the api, so its
# client-credentials token is a valid bearer token for the gateway.
auditor_id=3080bac2-6138-4947-912b-a2e963f98948
auditor_secret=moat-auditor-demo-secret
tenant=1921488a-9834-4920-864a-44dfc001e2df
env -u MOAT_GATEWAY_ISSUER MOAT_DATA_DIR="$work_dir/data" MOAT_HOST=127.0.0.1 MOAT_LOG_LEVEL=warning \
    MOAT_IDP_PORT="$idp_port" MOAT_GATEWAY_PORT="$gateway_port" MOAT_GATEWAY_ALLOWED_CLIENT_APPS="$auditor_id" \
    "$moat" gateway --upstream "http://127.0.0.1:$upstream_port" >"$work_dir/moat.log" 2>&1 &
moat_pid=$!

for _ in $(seq 1 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$gateway_port/healthz" && curl -s -o /dev/null "http://127.0.0.1:$nginx_port/"; then break; fi
    sleep 0.2
done

token="$(curl -s -u "$auditor_id:$auditor_secret" -d grant_type=client_credentials -d scope=api://moat-api/.default \
    "http://127.0.0.1:$idp_port/$tenant/oauth2/v2.0/token" | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"
session_cookie="$(python3 bench/gateway/sign_in.py "http://127.0.0.1:$gateway_port" alice moat-demo)"

status="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$gateway_port/")"
[ "$status" = 200 ] || { echo "bench: the gateway returned $status for the bearer token; log:" >&2; tail -20 "$work_dir/moat.log" >&2; exit 1; }
status="$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $session_cookie" "http://127.0.0.1:$gateway_port/")"
[ "$status" = 200 ] || { echo "bench: the gateway returned $status for the session cookie" >&2; exit 1; }

# Prints "requests_per_second p50_ms p99_ms non2xx" for one wrk run. With
# cpu_pid set, also prints that process's CPU time (user and system) per
# request in microseconds, read from /proc/PID/stat around the timed run.
measure() {
    local url="$1"
    shift
    wrk -t2 -c1 -d2s "$@" "$url" >/dev/null 2>&1 || true
    local ticks_before=0
    if [ -n "${cpu_pid:-}" ]; then ticks_before="$(awk '{print $14 + $15}' "/proc/$cpu_pid/stat")"; fi
    wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" "$url" >"$work_dir/wrk.txt"
    local cpu_seconds=""
    if [ -n "${cpu_pid:-}" ]; then
        cpu_seconds="$(awk -v before="$ticks_before" -v tick="$(getconf CLK_TCK)" '{print ($14 + $15 - before) / tick}' "/proc/$cpu_pid/stat")"
    fi
    CPU_SECONDS="$cpu_seconds" python3 -c '
import os, re, sys
text = sys.stdin.read()
def ms(label):
    match = re.search(r"^\s*" + label + r"\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
p50, p99 = ms("50%"), ms("99%")
line = f"{rps:.0f} {p50:.3f} {p99:.3f} {errors.group(1) if errors else 0}"
cpu_seconds = os.environ.get("CPU_SECONDS", "")
if cpu_seconds:
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    line += f" {float(cpu_seconds) * 1e6 / requests:.1f}"
print(line)
' <"$work_dir/wrk.txt"
}

# delay() returns the milliseconds a connection waits before its next request.
python3 - "$work_dir/paced.lua" "$connections" "$paced_rate" <<'PY'
import sys
path, connections, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
interval_ms = connections / rate * 1000
open(path, "w").write(
    f"local interval = {interval_ms:.3f}\n"
    "math.randomseed(os.time())\n"
    "function delay()\n"
    "    return interval * (0.5 + math.random())\n"
    "end\n"
)
PY

echo "bench: $connections connections, ${duration}s per target, $rounds rounds"
read -r direct_rps direct_p50 direct_p99 direct_errors < <(measure "http://127.0.0.1:$upstream_port/")
# Each round measures nginx, then the gateway with a token and with a
# session, and the report takes each target's median over the rounds and the
# median of each round's ratio to nginx. The machine's speed drifts between
# runs, and a round's three runs see nearly the same machine. The two gateway
# runs swap places from one round to the next, so that neither is always the
# one measured furthest from its nginx run.
: >"$work_dir/rounds.txt"
measure_bearer() {
    read -r rps p50 p99 errors cpu < <(measure "http://127.0.0.1:$gateway_port/" -H "Authorization: Bearer $token")
    echo "gateway $round $rps $p50 $p99 $errors $cpu" >>"$work_dir/rounds.txt"
}
measure_session() {
    # The gateway renews a session cookie (sliding expiry) on requests that come
    # a minute or more after its last renewal. A browser stores each renewed
    # cookie, but wrk sends the same one throughout, so every request of a run
    # would carry a renewal. Each session run therefore starts with a new
    # sign-in, so that a run shorter than a minute gets no renewal.
    session_cookie="$(python3 bench/gateway/sign_in.py "http://127.0.0.1:$gateway_port" alice moat-demo)"
    read -r rps p50 p99 errors cpu < <(measure "http://127.0.0.1:$gateway_port/" -H "Cookie: $session_cookie")
    echo "session $round $rps $p50 $p99 $errors $cpu" >>"$work_dir/rounds.txt"
}
for round in $(seq 1 "$rounds"); do
    read -r rps p50 p99 errors < <(measure "http://127.0.0.1:$nginx_port/" -H "Authorization: Bearer $token")
    echo "nginx $round $rps $p50 $p99 $errors 0" >>"$work_dir/rounds.txt"
    cpu_pid="$moat_pid"
    if [ $((round % 2)) -eq 1 ]; then
        measure_bearer
        measure_session
    else
        measure_session
        measure_bearer
    fi
    cpu_pid=""
done

# With BENCH_STRACE=1, one more bearer run under `strace -c -f` counts the
# gateway's system calls per request. strace slows the gateway several
# times over, so this run's requests/s and CPU time are not reported.
if [ "${BENCH_STRACE:-0}" = 1 ]; then
    command -v strace >/dev/null 2>&1 || { echo "bench: BENCH_STRACE=1 needs strace (apt-get install strace)" >&2; exit 1; }
    strace -qq -c -f -p "$moat_pid" -o "$work_dir/strace.txt" &
    strace_pid=$!
    sleep 1
    wrk -t2 -c"$connections" -d"${duration}s" -H "Authorization: Bearer $token" "http://127.0.0.1:$gateway_port/" >"$work_dir/wrk-strace.txt"
    kill -INT "$strace_pid"
    wait "$strace_pid" || true
    python3 - "$work_dir/strace.txt" "$work_dir/wrk-strace.txt" <<'PY'
import re, sys
requests = int(re.search(r"(\d+) requests in", open(sys.argv[2]).read()).group(1))
print(f"bench: system calls per bearer request under strace ({requests} requests)")
total = 0
for line in open(sys.argv[1]):
    fields = line.split()
    # Rows: % time, seconds, usecs/call, calls, [errors,] syscall.
    if len(fields) >= 5 and fields[3].isdigit() and not line.startswith("100.00"):
        total += int(fields[3])
        print(f"  {fields[-1]:<16} {int(fields[3]) / requests:6.2f}")
print(f"  {'total':<16} {total / requests:6.2f}")
PY
fi

echo "bench: paced at $paced_rate requests/s in total"
paced=(-s "$work_dir/paced.lua")
read -r paced_direct_rps paced_direct_p50 paced_direct_p99 _ < <(measure "http://127.0.0.1:$upstream_port/" "${paced[@]}")
read -r paced_nginx_rps paced_nginx_p50 paced_nginx_p99 _ < <(measure "http://127.0.0.1:$nginx_port/" "${paced[@]}" -H "Authorization: Bearer $token")
read -r paced_gateway_rps paced_gateway_p50 paced_gateway_p99 _ < <(measure "http://127.0.0.1:$gateway_port/" "${paced[@]}" -H "Authorization: Bearer $token")
session_cookie="$(python3 bench/gateway/sign_in.py "http://127.0.0.1:$gateway_port" alice moat-demo)"
read -r paced_session_rps paced_session_p50 paced_session_p99 _ < <(measure "http://127.0.0.1:$gateway_port/" "${paced[@]}" -H "Cookie: $session_cookie")

PACED="$paced_rate $paced_direct_rps $paced_direct_p50 $paced_direct_p99 $paced_nginx_rps $paced_nginx_p50 $paced_nginx_p99 $paced_gateway_rps $paced_gateway_p50 $paced_gateway_p99 $paced_session_rps $paced_session_p50 $paced_session_p99" \
python3 - "$output" "$connections" "$duration" "$work_dir/rounds.txt" \
    "$direct_rps" "$direct_p50" "$direct_p99" "$direct_errors" <<'PY'
import statistics, sys
output, connections, duration, rounds_file = sys.argv[1:5]
direct = (float(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7]), int(sys.argv[8]))
runs = {}
for line in open(rounds_file):
    name, round_number, rps, p50, p99, errors, cpu = line.split()
    runs.setdefault(name, {})[int(round_number)] = (float(rps), float(p50), float(p99), int(errors), float(cpu))
round_numbers = sorted(runs["nginx"])

def median(name, field):
    return statistics.median(run[field] for run in runs[name].values())

rows = {"direct": direct}
for name in ["nginx", "gateway", "session"]:
    rows[name] = (median(name, 0), median(name, 1), median(name, 2), sum(run[3] for run in runs[name].values()))
ratios = {name: [runs[name][number][0] / runs["nginx"][number][0] for number in round_numbers] for name in ["gateway", "session"]}
direct_p99 = rows["direct"][2]
lines = [
    f"| target ({connections} connections, {duration} s, median of {len(round_numbers)} rounds) | requests/s | p50 ms | p99 ms | p99 added over direct, ms | non-2xx |",
    "|---|---:|---:|---:|---:|---:|",
]
labels = {
    "direct": "upstream directly",
    "nginx": "nginx proxy_pass (no authentication)",
    "gateway": "moat gateway, bearer token",
    "session": "moat gateway, session cookie",
}
for name, (rps, p50, p99, errors) in rows.items():
    added = "" if name == "direct" else f"{p99 - direct_p99:.2f}"
    lines.append(f"| {labels[name]} | {rps:.0f} | {p50:.2f} | {p99:.2f} | {added} | {errors} |")

def listed(values, digits):
    return ", ".join(f"{value:.{digits}f}" for value in values)

lines.append("")
lines.append(
    f"Gateway throughput is {statistics.median(ratios['gateway']):.2f} of nginx's with a bearer token "
    f"(rounds: {listed(ratios['gateway'], 2)}) and {statistics.median(ratios['session']):.2f} with a session cookie "
    f"(rounds: {listed(ratios['session'], 2)}); goal: at least 0.5.")
lines.append(
    f"The gateway process used {median('gateway', 4):.1f} µs of CPU time per request with a token "
    f"(rounds: {listed([runs['gateway'][n][4] for n in round_numbers], 1)}) and {median('session', 4):.1f} µs with a session "
    f"(rounds: {listed([runs['session'][n][4] for n in round_numbers], 1)}).")
lines.append(f"p99 added over the upstream is {rows['gateway'][2] - direct_p99:.2f} ms with a token and {rows['session'][2] - direct_p99:.2f} ms with a session (goal: under 2 ms).")

import os
paced = os.environ["PACED"].split()
rate, paced_values = paced[0], [float(value) for value in paced[1:]]
paced_rows = {name: paced_values[index * 3:index * 3 + 3] for index, name in enumerate(["direct", "nginx", "gateway", "session"])}
paced_direct_p99 = paced_rows["direct"][2]
lines.append("")
lines.append(f"| target (paced at {rate} requests/s over {connections} connections) | requests/s | p50 ms | p99 ms | p99 added over direct, ms |")
lines.append("|---|---:|---:|---:|---:|")
for name, (rps, p50, p99) in paced_rows.items():
    added = "" if name == "direct" else f"{p99 - paced_direct_p99:.2f}"
    lines.append(f"| {labels[name]} | {rps:.0f} | {p50:.2f} | {p99:.2f} | {added} |")
text = "\n".join(lines) + "\n"
open(output, "w").write(text)
print(text)
PY
