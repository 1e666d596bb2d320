#!/usr/bin/env bash
# Token validation benchmark: RS256 and ES256 validations per second on one
# core through Moat's validator (release build of moat-bench), next to
# `openssl speed` verify for the same key sizes and to PyJWT, measured in the
# same run. Prints a table and adds it to docs/benchmarks.md under
# "Token validation". SECONDS_PER_MEASUREMENT (default 3) sets each
# measurement's CPU time. GOAL_SECONDS (default 10) sets the CPU time of each
# side of the interleaved RS256 goal measurement (`moat-bench goal`).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${SECONDS_PER_MEASUREMENT:-3}"
goal_seconds="${GOAL_SECONDS:-10}"

venv=.venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import jwt, cryptography" 2>/dev/null; then
    "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-interop.txt
fi

swift build -c release --product moat-bench >/dev/null
bin_dir="$(swift build -c release --show-bin-path)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# taskset pins each measurement to one core when it is available.
pin=""
if command -v taskset >/dev/null 2>&1; then pin="taskset -c 0"; fi

# Read before any measurement, so that the report shows the load the run started under.
load_at_start="$(cut -d' ' -f1 /proc/loadavg)"

# openssl speed runs before and after moat-bench, and the report divides by
# the higher of the two rates. A load change during the run then lowers the
# ratios instead of raising them.
$pin openssl speed -seconds "$seconds" rsa2048 ecdsap256 >"$work/openssl.txt" 2>/dev/null
$pin "$bin_dir/moat-bench" speed --seconds "$seconds" >"$work/moat.json"
$pin openssl speed -seconds "$seconds" rsa2048 ecdsap256 >>"$work/openssl.txt" 2>/dev/null
$pin "$venv/bin/python" bench/identity/pyjwt_speed.py "$seconds" >"$work/pyjwt.json"
# The machine's speed can drift by tens of percent between the openssl and
# moat-bench runs above, so the goal ratio also comes from both sides
# alternated in 50 ms slices inside one process.
$pin "$bin_dir/moat-bench" goal --seconds "$goal_seconds" >"$work/goal.json"

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
machine="$cpu, $(nproc) cores, $(uname -sr), $(openssl version | cut -d' ' -f1-2), $(swift --version 2>/dev/null | head -1 | sed 's/ (.*//'), load average $load_at_start at start"
"$venv/bin/python" bench/identity/report.py "$work/moat.json" "$work/pyjwt.json" "$work/openssl.txt" "$work/goal.json" docs/benchmarks.md \
    "bench/identity/run.sh (SECONDS_PER_MEASUREMENT=$seconds, GOAL_SECONDS=$goal_seconds)" "$machine"
